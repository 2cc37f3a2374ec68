/* backward.c — reverse-mode differentiation (upstream's Backward: functions
 * taken from a heap by generation, the latest first) and unchaining
 * (upstream's UnchainBackward); the functional grad is in grad_of.c. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/array.h"

/* Function queue ordered by (generation, insertion order): popping the max
 * gives the highest generation and, among equals, the latest added — the
 * same order as upstream's stable sort + pop-last.  The plain comparison is
 * `a.generation < b.generation || (a.generation == b.generation && a.seq <
 * b.seq)`; each entry carries it as one 64-bit key, the generation above
 * the insertion count (a pass pushes each function once: fewer than 2^32),
 * so a comparison is one compare, not two loads through the functions. */
typedef struct {
    ag_func *f;
    uint64_t key; /* generation << 32 | insertion order */
} queued;

/* Starts on `local` (most graphs fit) and moves to the heap when it grows. */
#define HEAP_LOCAL 64
typedef struct {
    ag_ctx *ctx; /* whose allocator the heap grows with */
    queued *items;
    size_t len, cap;
    uint32_t seq;
    bool has_top; /* `top` holds the queue's largest entry, outside items */
    queued top;
    queued local[HEAP_LOCAL];
} func_heap;

static inline bool before(const queued *a, const queued *b) { return a->key < b->key; }

/* An empty queue on its local entries. */
static inline void heap_init(func_heap *h, ag_ctx *ctx) {
    h->ctx = ctx;
    h->items = h->local;
    h->len = 0;
    h->cap = HEAP_LOCAL;
    h->seq = 0;
    h->has_top = false;
}

static __attribute__((noinline)) bool heap_grow(func_heap *h) {
    return CTX_ARRAY_RESERVE_FROM(h->ctx, h->items, h->cap, h->len, 1, h->local);
}

/* Puts item (its key made) on the heap. */
static inline int heap_insert(func_heap *h, queued item) {
    if (h->len == h->cap && !heap_grow(h)) return -1;
    size_t i = h->len++;
    while (i > 0) { /* sift up: the parents below item move down */
        size_t parent = (i - 1) / 2;
        if (!before(&h->items[parent], &item)) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = item;
    return 0;
}

/* Takes the largest entry off the heap (not empty). */
static inline queued heap_pop_item(func_heap *h) {
    queued top = h->items[0];
    queued last = h->items[--h->len];
    size_t i = 0, n = h->len;
    for (;;) { /* sift down: the larger child moves up until last fits */
        size_t l = 2 * i + 1, m = l;
        if (l >= n) break;
        if (l + 1 < n && before(&h->items[l], &h->items[l + 1])) m = l + 1;
        if (!before(&last, &h->items[m])) break;
        h->items[i] = h->items[m];
        i = m;
    }
    if (n > 0) h->items[i] = last;
    return top;
}

static inline ag_func *heap_pop(func_heap *h) { return heap_pop_item(h).f; }

/* The queue is the heap plus one entry held beside it.  The plain algorithm
 * pushes every function on the heap and pops the largest; that order is
 * kept exactly, but a chain (each function queues one creator, the next to
 * run) never touches the heap: an entry larger than everything queued is
 * held in `top` (the one it displaces goes on the heap), and a pop takes
 * `top` when it is held, the heap's largest otherwise.  The heap is then
 * used only where branches join, when a function queues two or more. */
static inline bool queue_empty(const func_heap *h) { return !h->has_top && h->len == 0; }

static inline int queue_push(func_heap *h, ag_func *f) {
    queued item = {f, (uint64_t)(uint32_t)f->generation << 32 | h->seq++};
    if (h->has_top) {
        if (before(&item, &h->top)) return heap_insert(h, item);
        if (heap_insert(h, h->top) < 0) return -1; /* displaced: below item */
        h->top = item;
        return 0;
    }
    if (h->len > 0 && before(&item, &h->items[0])) return heap_insert(h, item);
    h->top = item;
    h->has_top = true;
    return 0;
}

static inline ag_func *queue_pop(func_heap *h) {
    if (h->has_top) {
        h->has_top = false;
        return h->top.f;
    }
    return heap_pop(h);
}

/* A new backward call: the functions' stamp and the call count that
 * gradients' grad_call is compared with (neither is ever 0). */
static inline void begin_call(ag_ctx *ctx) {
    if (++ctx->backward_stamp == 0) ++ctx->backward_stamp;
    if (++ctx->backward_calls == 0) ++ctx->backward_calls;
}

static inline int add_func(ag_ctx *ctx, func_heap *h, ag_func *f) {
    if (f == NULL || f->seen == ctx->backward_stamp) return 0;
    f->seen = ctx->backward_stamp;
    return queue_push(h, f);
}

/* ---- reclaiming ---------------------------------------------------------------
 * A pass without create_graph records no function, so the variables it makes
 * (gradients, their sums, the temporaries inside each op's backward) can be
 * referred to only by grad slots, by the op's own locals, and, when a step
 * callback is given, by the callback (then nothing is reclaimed).  Counting
 * the grad slots that refer to each of them lets the pass give a variable
 * back the moment nothing refers to it: a 300,000-op chain's backward then
 * holds a few gradients at a time instead of a million.  Every variable made
 * during the pass is on the live list ahead of all older ones, so one walk
 * from the head finds them.
 *
 * For a small graph of scalars (a training step of a few 0-d variables) the
 * counting buys nothing: the handful of variables it gives back early would
 * be swept by the step's collection anyway, and the counting, the walk after
 * every function and the unlinking cost more than that sweep (W1: about 500
 * instructions of a 7,300-instruction step).  So a pass starts without it
 * and turns it on (begin_pass) before the first function with an operand of
 * more than one element (one not marked FUNC_SCALAR: the scalar path marks
 * what it makes), or once it has made RECLAIM_AFTER variables.  The
 * variables made before that have no stamp: the pass treats them as older
 * ones (never given back, never summed into in place; sum_grads makes the
 * same sums), and the collector takes them.  At most RECLAIM_AFTER one-
 * element variables are left to it, however long the graph. */
#define RECLAIM_AFTER 256

/* The plain test: ctx->reclaim_step != 0 && v->pass >= ctx->reclaim_first.
 * Only a variable made during a running pass has a nonzero stamp
 * (ctx_alloc_var gives reclaim_step, 0 outside a pass; end_pass clears the
 * survivors' stamps, and the reclaimed ones are stamped afresh when reused),
 * so the stamp alone answers it. */
static inline bool made_in_pass(const ag_ctx *ctx, const ag_var *v) {
    (void)ctx;
    return v->pass != 0;
}

/* A grad slot now refers to v. */
static void hold(ag_ctx *ctx, ag_var *v) {
    if (made_in_pass(ctx, v)) v->pass_refs++;
}

/* A grad slot no longer refers to v, which has been used up. */
static void drop(ag_ctx *ctx, ag_var *v) {
    if (v != NULL && made_in_pass(ctx, v) && --v->pass_refs == 0) ctx_reclaim_var(ctx, v);
}

/* sum[i] = sum[i] + add[i]: unrolled over restrict parameters (see
 * DIRECT_RULE) so it vectorizes. */
static void add_into(double *restrict sum, const double *restrict add, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        sum[i] = sum[i] + add[i];
        sum[i + 1] = sum[i + 1] + add[i + 1];
        sum[i + 2] = sum[i + 2] + add[i + 2];
        sum[i + 3] = sum[i + 3] + add[i + 3];
    }
    for (; i < n; i++) sum[i] = sum[i] + add[i];
}

/* x.grad += gx in place, when x.grad was made by this pass and only x's
 * slot refers to it (so nothing else can see it change, and it is neither an
 * output gradient nor any gxs of the running function): the new variable
 * ag_add would make, and its buffer, are saved.  The sum is computed exactly
 * as Add's forward would; the finite check notes "Add" as the op would. */
static bool accumulate_in_place(ag_ctx *ctx, ag_var *x, ag_var *gx) {
    ag_var *g = x->grad;
    if (!made_in_pass(ctx, g) || g->pass_refs != 1 || g == gx ||
        !shape_equal(g->t.ndim, g->t.shape, gx->t.ndim, gx->t.shape))
        return false;
    bool check = ctx->check_finite && ctx->nonfinite_op == NULL && !t_has_nonfinite(&g->t) &&
                 !t_has_nonfinite(&gx->t);
    add_into(g->t.data, gx->t.data, g->t.size);
    if (check && t_has_nonfinite(&g->t)) ctx->nonfinite_op = ag_op_table[AG_OP_ADD].name;
    return true;
}

/* ag_add(ctx, g, gx): x.grad + gx, when x.grad may not be changed in place
 * (an older gradient: the caller may hold it).  Without create_graph and
 * with one shape, the sum is made directly into one new variable, each
 * element computed as Add's forward computes it, its finite check as
 * op_apply's; otherwise (broadcasting, a graph to record) through ag_add. */
static ag_var *sum_grads(ag_ctx *ctx, ag_var *g, ag_var *gx) {
    if (ctx->grad_enabled || g->ctx != ctx || gx->ctx != ctx ||
        !shape_equal(g->t.ndim, g->t.shape, gx->t.ndim, gx->t.shape))
        return ag_add(ctx, g, gx);
    ag_var *sum = var_uninit_like(ctx, g);
    if (sum == NULL) return NULL;
    double *restrict out = sum->t.data;
    const double *a = g->t.data, *b = gx->t.data;
    for (size_t i = 0, n = sum->t.size; i < n; i++) out[i] = a[i] + b[i];
    if (ctx->check_finite && ctx->nonfinite_op == NULL && t_has_nonfinite(&sum->t) &&
        !t_has_nonfinite(&g->t) && !t_has_nonfinite(&gx->t))
        ctx->nonfinite_op = ag_op_table[AG_OP_ADD].name;
    return sum;
}

ag_var *backward_sum_target(ag_ctx *ctx, ag_var *x, int ndim, const int *shape) {
    ag_var *g = x->grad;
    if (g == NULL || !made_in_pass(ctx, g) || g->pass_refs != 1 || ctx->check_finite ||
        !shape_equal(g->t.ndim, g->t.shape, ndim, shape))
        return NULL;
    return g;
}

/* Starts a reclaiming pass; no variable outside one has a nonzero stamp, so
 * the counter may start over when it runs high. */
static void begin_pass(ag_ctx *ctx) {
    if (ctx->reclaim_counter >= 0x7fffffffu) ctx->reclaim_counter = 0;
    ctx->reclaim_first = ++ctx->reclaim_counter;
    ctx->reclaim_step = ctx->reclaim_first;
}

/* Gives back the variables the step just finished made that nothing refers
 * to (the op's temporaries, gradients folded into sums), then stamps the
 * next step. */
static void end_step(ag_ctx *ctx) {
    for (ag_var *v = ctx->vars, *next; v != NULL && v->pass == ctx->reclaim_step; v = next) {
        next = v->next_live;
        if (v->pass_refs == 0) ctx_reclaim_var(ctx, v);
    }
    if (ctx->reclaim_counter < 0xfffffffeu) ctx->reclaim_step = ++ctx->reclaim_counter;
}

/* Ends the pass: the survivors become ordinary variables. */
static void end_pass(ag_ctx *ctx) {
    for (ag_var *v = ctx->vars; v != NULL && made_in_pass(ctx, v); v = v->next_live) v->pass = 0;
    ctx->reclaim_step = 0;
}

/* ---- undo -----------------------------------------------------------------------
 * A backward that fails (interrupted, out of memory) puts every gradient
 * slot it changed back as it was: before a slot first changes, its grad and
 * counts are logged.  Old gradients are never changed in place (only those
 * made by the pass are, see accumulate_in_place), so the pointer is enough. */
typedef struct {
    ag_var *v, *grad;
    int grad_calls;
    unsigned grad_call;
} grad_undo;

/* Starts on `local` (a small graph costs no malloc), like func_heap. */
#define UNDO_LOCAL 32
typedef struct {
    ag_ctx *ctx; /* whose allocator the log grows with */
    grad_undo *items;
    size_t len, cap;
    grad_undo local[UNDO_LOCAL];
} undo_log;

static void undo_init(ag_ctx *ctx, undo_log *log) {
    log->ctx = ctx;
    log->items = log->local;
    log->len = 0;
    log->cap = UNDO_LOCAL;
}

static void undo_free(ag_ctx *ctx, undo_log *log) {
    if (log->items != log->local) ctx_free(ctx, log->items);
}

static __attribute__((noinline)) bool undo_grow(undo_log *log) {
    return CTX_ARRAY_RESERVE_FROM(log->ctx, log->items, log->cap, log->len, 1, log->local);
}

static inline int undo_save(undo_log *log, ag_var *v) {
    if (log->len == log->cap && !undo_grow(log)) return -1;
    log->items[log->len++] = (grad_undo){v, v->grad, v->grad_calls, v->grad_call};
    return 0;
}

/* Newest first, so a slot logged twice ends with its oldest state. */
static void undo_all(const undo_log *log) {
    for (size_t i = log->len; i-- > 0;) {
        const grad_undo *u = &log->items[i];
        var_set_grad(u->v, u->grad);
        u->v->grad_calls = u->grad_calls;
        u->v->grad_call = u->grad_call;
    }
}

/* y usable by ctx's backward (a NULL y keeps the first message); the seed
 * y.grad, when preset, shaped like y.  0, or -1 with the error set. */
__attribute__((noinline)) int backward_check_output(ag_ctx *ctx, const char *what, const ag_var *y) {
    if (y == NULL) {
        if (!ctx->failed) ctx_error(ctx, AG_ERR_ARG, "%s: the output is NULL", what);
        return -1;
    }
    if (y->ctx != ctx)
        return ctx_error(ctx, AG_ERR_CONTEXT, "%s: the output belongs to another context", what), -1;
    if (y->creator != NULL && !ag_op_has_gradient(y->creator->op))
        return ctx_error(ctx, AG_ERR_ARG,
                         "%s: the output is made by %s, which has no gradient (its 0/1 or index "
                         "result is a constant)",
                         what, func_def(y->creator)->symbol),
               -1;
    if (y->grad != NULL && !ag_same_shape(y, y->grad)) {
        char ys[SHAPE_BUF], gs[SHAPE_BUF];
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "%s: the seed gradient (the output's grad) has shape %s, the output %s", what,
                         shape_str(&y->grad->t, gs), shape_str(&y->t, ys)),
               -1;
    }
    return 0;
}

/* backward_check_output, with the answer for a training step's usual output (this
 * context's, made by a function that has a gradient, no seed preset) given
 * inline, without the call. */
static inline int check_output_quickly(ag_ctx *ctx, const char *what, const ag_var *y) {
    if (y != NULL && y->ctx == ctx && y->grad == NULL && y->creator != NULL &&
        ag_op_has_gradient(y->creator->op))
        return 0;
    return backward_check_output(ctx, what, y);
}

/* ---- the last backward's gradients (ag_last_grad) -------------------------
 * Each variable the kept pass reached holds where its numbers start in
 * flow_numbers (flow_at) and the pass's stamp (flow_pass).  A new pass takes
 * a new stamp, so starting one forgets the last without visiting its
 * variables (a 300,000-op chain's backward kept them in a hash map: 10% of
 * its instructions).  A variable that dies or is made afresh has stamp 0. */

/* Forgets every variable's numbers; keeps the block for the next pass unless
 * `release`.  When the stamp wraps, the live variables' stamps are cleared,
 * so an old one never matches again. */
static void flows_reset(ag_ctx *ctx, bool release) {
    if (++ctx->flow_pass == 0) {
        for (ag_var *v = ctx->vars; v != NULL; v = v->next_live) v->flow_pass = 0;
        ctx->flow_pass = 1;
    }
    ctx->flow_numbers_len = 0;
    if (!release) return;
    ctx_free(ctx, ctx->flow_numbers);
    ctx->flow_numbers = NULL;
    ctx->flow_numbers_cap = 0;
}

void ctx_clear_flows(ag_ctx *ctx) { flows_reset(ctx, true); }

/* Adds the n numbers g into what reached x in this pass.  Only for drawing:
 * out of memory, a gradient shaped unlike x or more numbers than flow_at can
 * count leave it out. */
static void record_flow_numbers(ag_ctx *ctx, ag_var *x, const double *g, size_t n) {
    if (n != x->t.size || n == 0) return;
    if (x->flow_pass == ctx->flow_pass) {
        add_into(ctx->flow_numbers + x->flow_at, g, n);
        return;
    }
    if (n > UINT32_MAX - ctx->flow_numbers_len) return;
    if (!CTX_ARRAY_RESERVE(ctx, ctx->flow_numbers, ctx->flow_numbers_cap, ctx->flow_numbers_len, n)) return;
    memcpy(ctx->flow_numbers + ctx->flow_numbers_len, g, n * sizeof(double));
    x->flow_at = (uint32_t)ctx->flow_numbers_len;
    x->flow_pass = ctx->flow_pass;
    ctx->flow_numbers_len += n;
}

/* Grows the block by at least one number; false when it cannot (the
 * number is then left out, as above).  The capacity is taken as at most
 * what flow_at can count, so a full block is the one test of both. */
static __attribute__((noinline)) bool flows_grow(ag_ctx *ctx) {
    if (ctx->flow_numbers_len >= UINT32_MAX ||
        !CTX_ARRAY_RESERVE(ctx, ctx->flow_numbers, ctx->flow_numbers_cap, ctx->flow_numbers_len, 1))
        return false;
    if (ctx->flow_numbers_cap > UINT32_MAX) ctx->flow_numbers_cap = UINT32_MAX;
    return true;
}

/* record_flow_numbers for one number g into x, which has one element (the
 * flat pass's): the same numbers, without the call and the copy (W6's
 * script kept its 300,000 gradients at 66 instructions each). */
static inline void record_flow_one(ag_ctx *ctx, ag_var *x, double g) {
    if (x->flow_pass == ctx->flow_pass) {
        ctx->flow_numbers[x->flow_at] += g;
        return;
    }
    if (ctx->flow_numbers_len == ctx->flow_numbers_cap && !flows_grow(ctx)) return;
    ctx->flow_numbers[ctx->flow_numbers_len] = g;
    x->flow_at = (uint32_t)ctx->flow_numbers_len++;
    x->flow_pass = ctx->flow_pass;
}

/* The same for the gradient variable g (NULL: nothing). */
static void record_flow(ag_ctx *ctx, ag_var *x, const ag_var *g) {
    if (g != NULL) record_flow_numbers(ctx, x, g->t.data, g->t.size);
}

const double *ag_last_grad(const ag_var *v) {
    if (v == NULL || v->ctx == NULL || v->flow_pass != v->ctx->flow_pass) return NULL;
    return v->ctx->flow_numbers + v->flow_at;
}

void ag_keep_last_grads(ag_ctx *ctx, bool keep) {
    if (ctx == NULL) return;
    ctx->keep_last_grads = keep;
    if (!keep) ctx_clear_flows(ctx);
}

/* ---- in-place changes (PyTorch's version check) ----------------------------
 * ag_data stamps a variable with the context's change clock; a function
 * records the clock when it is made.  A function whose backward reads the
 * values of its inputs or outputs (Mul, Sin, Exp, ...; not Add, Sum or the
 * shape ops) cannot give the right gradient once one of them changed in
 * place after it was made: backward stops with an error naming both. */
static bool backward_reads_values(int op) {
    switch (op) {
    case AG_OP_ADD: case AG_OP_SUB: case AG_OP_NEG: case AG_OP_SUM: case AG_OP_MEAN:
    case AG_OP_RESHAPE: case AG_OP_TRANSPOSE: case AG_OP_BROADCAST_TO: case AG_OP_SUM_TO:
    case AG_OP_SQUEEZE: case AG_OP_UNSQUEEZE: case AG_OP_CONCAT: case AG_OP_SPLIT:
    case AG_OP_GET_ITEM: case AG_OP_GET_ITEM_GRAD: case AG_OP_DROPOUT:
        return false;
    default:
        return true;
    }
}

/* Whether f's backward reads input i's value: Mul's gradient for one input
 * is gy times the other (x * 3 reads x only if 3 wants a gradient), Div's
 * for a reads b alone.  PyTorch saves no more. */
static bool backward_reads_input(const ag_func *f, int i) {
    if (f->op == AG_OP_MUL) return input_wants_grad(f, 1 - i);
    if (f->op == AG_OP_DIV) return input_wants_grad(f, 1) || (i == 1 && input_wants_grad(f, 0));
    return true;
}

/* The change clock wraps after 2^32 in-place changes: a change counts as
 * after a function when it is less than 2^31 ticks ahead of it. */
static bool clock_after(uint32_t changed, uint32_t made) {
    return changed != 0 && (int32_t)(changed - made) > 0;
}

/* 0, or -1 with the context error set when a value f's backward reads was
 * changed in place after f was made. */
static int find_changed(ag_ctx *ctx, const ag_func *f, const char *who) {
    if (!backward_reads_values(f->op)) return 0;
    ag_var *changed = NULL;
    for (int i = 0; i < f->ninputs && changed == NULL; i++)
        if (f->inputs[i] != NULL && clock_after(f->inputs[i]->changed_at, f->made_at) && backward_reads_input(f, i))
            changed = f->inputs[i];
    for (int i = 0; i < f->noutputs && changed == NULL; i++)
        if (f->outputs[i] != NULL && clock_after(f->outputs[i]->changed_at, f->made_at)) changed = f->outputs[i];
    if (changed == NULL) return 0;
    char what[AG_SHAPEBUF + 32];
    if (changed->name != NULL && changed->name[0] != '\0')
        snprintf(what, sizeof what, "%s", changed->name);
    else
        ag_shape_string(changed->t.ndim, changed->t.shape,
                        what + snprintf(what, sizeof what, "a variable of shape "));
    ctx_error(ctx, AG_ERR_ARG,
              "%s: %s was changed in place (version %u) after %s used its value; compute the "
              "graph again after the change, or change it after backward",
              who, what, changed->version, func_def(f)->name);
    return -1;
}

/* find_changed, with its answer when nothing changed in place since f was
 * made (every changed_at is a past value of the clock, so its loops would
 * find nothing) given here, inline: a scalar step's usual case. */
static inline int check_unchanged(ag_ctx *ctx, const ag_func *f, const char *who) {
    return clock_after(ctx->change_clock, f->made_at) ? find_changed(ctx, f, who) : 0;
}

/* A backward (or grad) from inside a backward pass (its step callback, an
 * op's backward) would restamp the functions the pass has queued and reset
 * its gradients' call counts, so the pass would end early with wrong
 * gradients: refused, as ag_gc is there. */
bool backward_refused_nested(ag_ctx *ctx, const char *name) {
    if (ctx->in_backward == 0) return false;
    ctx_error(ctx, AG_ERR_ARG,
              "%s: refused during a backward pass (called from a step callback or an op's backward?); "
              "call it after ag_backward returns",
              name);
    return true;
}

/* ---- the flat pass ---------------------------------------------------------------
 * A graph made only by the scalar path (every function FUNC_SCALAR: one
 * element in each input and output) needs no gradient variables on the way
 * when nothing will see them: no create_graph, retain_grad or step
 * callback.  Each gradient is then one number (kept gradients,
 * ag_keep_last_grads, are numbers too: recorded as the plain pass does).
 * The flat pass is the plain pass below with numbers: the same queue (so the
 * same order of functions and every sum the same), each function's
 * gradients from its row's scalar_grad (its backward for one element), and
 * one slot per variable reached standing for its .grad.
 *
 * A slot holds its own number (a gradient the plain pass would have made a
 * variable of for this slot alone), or refers to a `flat_grad` that stands
 * for one variable several slots or the caller may hold: an older gradient,
 * the seed, or a number the plain pass hands to two slots at once (Add's gy
 * to its two inputs).  A flat_grad counts the slots that refer to it and is
 * used again once none does, so a long chain holds a few at a time; an own
 * number is summed into in place, as no variable of it exists yet.
 *
 * Only at the end does it change anything: the gradients the leaves are
 * left with become variables (one per flat_grad, so shared ones stay
 * shared), the reached variables' call counts are set, and the grads of the
 * variables whose creator ran are emptied, all as the plain pass leaves
 * them.  Wherever the plain pass would do more (a function not made by the
 * scalar path or whose op has no scalar_grad, a value changed in place since
 * a function used it, a non-finite gradient the finite check must name, an
 * older gradient that is not one number shaped like its variable) the flat
 * pass declines, having changed nothing, and the plain pass runs from the
 * start.  A W1 step's backward made 14 variables and now makes 4. */
typedef struct {
    ag_var *var;  /* the variable: an older one, or made at the end (NULL until then) */
    int refs;     /* slots referring to it; at 0, `next` links the unused ones */
    int next;
    bool seed;    /* backward's own seed (ones_like y, flagged AG_VAR_SEED) */
} flat_grad;

/* A slot's state, one byte of bits (set and tested together, see the commit
 * at the end of flat_backward). */
#define SLOT_HAS 1u     /* the slot holds a gradient */
#define SLOT_REACHED 2u /* the pass added a gradient into v */
#define SLOT_DONE 4u    /* v's creator has run: the plain pass empties v's slot */
#define SLOT_BARE 8u    /* v had no grad when the pass began */
/* A slot DONE and BARE leaves v as it was: the plain pass sets v's call
 * count and then empties its grad, and a count beside no grad is read by no
 * one (ag_grad_calls answers 0; a later pass compares grad_call with a call
 * number of its own).  The end's loop skips such a slot without touching v,
 * which in a long chain was a cache miss for every variable (a third of the
 * pass at 3e6 ops). */
#define SLOT_UNTOUCHED (SLOT_DONE | SLOT_BARE)

typedef struct {
    ag_var *v;
    union {
        /* The slot's number, when SLOT_HAS: its own, or a copy of its
         * flat_grad's.  A shared number never changes (a sum is a new
         * number of the slot's own), so the copy is taken when the slot
         * comes to refer to it and the number is read without asking
         * which of the two it is. */
        double g;
        ag_var *made; /* at the end, for a leaf: its gradient's variable */
    };
    int grad;            /* the flat_grad it refers to, or -1 */
    unsigned char state; /* SLOT_* bits */
} flat_slot;

#define FLAT_LOCAL 32
/* The slots: a local of flat_backward whose address goes to no call (the
 * one that grows it takes and returns it by value), so the compiler may keep
 * its fields in registers across the pass's stores through pointers, which
 * could not change them (in a struct whose address went to the grow call
 * they were loaded again after each). */
typedef struct {
    flat_slot *at; /* the pass's local array, or a block of the context's */
    size_t len, cap;
} flat_slots;

typedef struct {
    ag_ctx *ctx; /* whose allocator the arrays grow with */
    flat_grad *grads;
    size_t ngrads, grads_cap;
    int unused; /* the first unused flat_grad, or -1 */
    flat_grad grads_local[FLAT_LOCAL];
} flat_pass;

#define FLAT_DECLINED 1
#define FLAT_NOMEM (-1)
#define FLAT_ODD (-2) /* declined */

static __attribute__((noinline)) bool flat_grads_grow(flat_pass *fp) {
    return fp->ngrads < INT32_MAX &&
           CTX_ARRAY_RESERVE_FROM(fp->ctx, fp->grads, fp->grads_cap, fp->ngrads, 1, fp->grads_local);
}

/* sl (full) with room for one more slot; as it was, cap still len, when
 * out of memory or at more slots than an int can count.  local: the pass's
 * own array. */
static __attribute__((noinline)) flat_slots flat_slots_grow(ag_ctx *ctx, flat_slots sl, flat_slot *local) {
    if (sl.len < INT32_MAX) (void)CTX_ARRAY_RESERVE_FROM(ctx, sl.at, sl.cap, sl.len, 1, local);
    return sl;
}

/* A flat_grad for var (an older gradient; NULL: made at the end) referred
 * to by one slot, which keeps its number: its index, or FLAT_NOMEM (also
 * for more than an int can count). */
static inline int flat_new_grad(flat_pass *fp, ag_var *var) {
    int i = fp->unused;
    if (i >= 0) {
        fp->unused = fp->grads[i].next;
    } else {
        if (fp->ngrads == fp->grads_cap && !flat_grads_grow(fp)) return FLAT_NOMEM;
        i = (int)fp->ngrads++;
    }
    fp->grads[i] = (flat_grad){.var = var, .refs = 1};
    return i;
}

/* A slot no longer refers to flat_grad i. */
static inline void flat_drop(flat_pass *fp, int i) {
    if (--fp->grads[i].refs == 0) {
        fp->grads[i].next = fp->unused;
        fp->unused = i;
    }
}

/* v's slot, or NULL when it has none.  A slot's index is kept in
 * v->pass_refs, which only a reclaiming pass reads (made_in_pass), and the
 * flat pass never runs inside one; a stale index from an earlier pass fails
 * the check that its slot is v's. */
static inline flat_slot *flat_find(const flat_slots *sl, const ag_var *v) {
    size_t i = (size_t)(unsigned)v->pass_refs;
    return i < sl->len && sl->at[i].v == v ? &sl->at[i] : NULL;
}

/* v's older gradient as a flat_grad: its index, FLAT_NOMEM, or FLAT_ODD
 * when it is not one number shaped like v in this context (the plain pass
 * broadcasts or fails there).  v has one element (every variable the pass
 * reaches has), so each extent of its shape is 1: g is shaped like v
 * (shape_equal) exactly when it has one element and as many dimensions,
 * which is tested here without the call. */
static inline int flat_older_grad(flat_pass *fp, ag_var *v) {
    ag_var *g = v->grad;
    fp->ctx->flat_met_older = true;
    if (g->ctx != v->ctx || g->t.size != 1 || g->t.ndim != v->t.ndim) return FLAT_ODD;
    return flat_new_grad(fp, g);
}

/* A new slot for v (which has none) holding v's older gradient: the slot,
 * or NULL with *why FLAT_NOMEM or FLAT_ODD (flat_older_grad).  The slots
 * may move. */
static inline flat_slot *flat_new_slot(flat_pass *fp, flat_slots *sl, flat_slot *local, ag_var *v, int *why) {
    int grad = -1;
    if (v->grad != NULL && (grad = flat_older_grad(fp, v)) < 0) return *why = grad, NULL;
    if (sl->len == sl->cap) {
        *sl = flat_slots_grow(fp->ctx, *sl, local);
        if (sl->len == sl->cap) return *why = FLAT_NOMEM, NULL;
    }
    flat_slot *s = &sl->at[sl->len];
    /* field by field: g is read only once the slot holds a gradient */
    s->v = v;
    s->grad = grad;
    s->state = grad >= 0 ? SLOT_HAS : SLOT_BARE; /* v has an older grad exactly when the slot took it */
    if (grad >= 0) s->g = v->grad->t.data[0];
    v->pass_refs = (int)sl->len++;
    return s;
}

/* The flat pass's queue: queue_push's and queue_pop's order, with the entry
 * held beside the heap (func_heap's `top`) and the insertion count kept in
 * the pass's own locals, *top and *seq, not in the func_heap, which lives
 * in memory (its address goes to heap_grow).  A chain, where each function
 * queues the next one only, then pushes and pops in registers.
 * flat_push_keyed queues f with `order` as its key's low half (the
 * insertion count; the quick pass's output slot, below). */
static inline __attribute__((always_inline)) int flat_push_keyed(ag_ctx *ctx, func_heap *h, queued *top, ag_func *f,
                                                                 uint32_t order) {
    if (f->seen == ctx->backward_stamp) return 0;
    f->seen = ctx->backward_stamp;
    queued item = {f, (uint64_t)(uint32_t)f->generation << 32 | order};
    if (top->f != NULL) {
        if (before(&item, top)) return heap_insert(h, item);
        if (heap_insert(h, *top) < 0) return -1; /* displaced: below item */
    } else if (h->len > 0 && before(&item, &h->items[0])) {
        return heap_insert(h, item);
    }
    *top = item;
    return 0;
}

/* The flat pass's push: the key's low half is the insertion count. */
static inline __attribute__((always_inline)) int flat_push(ag_ctx *ctx, func_heap *h, queued *top, uint32_t *seq, ag_func *f) {
    if (f->seen == ctx->backward_stamp) return 0; /* counted only when queued */
    return flat_push_keyed(ctx, h, top, f, (*seq)++);
}

/* The next function, NULL when none is queued. */
static inline __attribute__((always_inline)) ag_func *flat_pop(func_heap *h, queued *top) {
    ag_func *f = top->f;
    if (f != NULL) {
        top->f = NULL;
        return f;
    }
    return h->len > 0 ? heap_pop(h) : NULL;
}

/* The variable of the gradient slot s is left with, made the first time it
 * is asked for; NULL when out of memory (the ones made are left to the
 * collector).  var_new_scalar is var_scalar_like inline. */
static ag_var *flat_var(ag_ctx *ctx, flat_pass *fp, const flat_slot *s) {
    flat_grad *g = s->grad >= 0 ? &fp->grads[s->grad] : NULL;
    if (g != NULL && g->var != NULL) return g->var;
    ag_var *v;
    if (g != NULL && g->seed) { /* made before the pass, as the plain pass makes it */
        v = var_new_scalar(ctx, s->v->t.ndim, s->g);
        if (v != NULL) v->flags |= AG_VAR_SEED;
    } else { /* made inside the pass (AG_VAR_BACKWARD), as the plain pass's are */
        ctx->in_backward++;
        v = var_new_scalar(ctx, s->v->t.ndim, s->g);
        ctx->in_backward--;
    }
    if (g != NULL) g->var = v;
    return v;
}

/* The flat pass over y's graph (y made by the scalar path, its seed checked
 * by backward_check_output): 0, -1 with the error set (nothing changed, as the plain
 * pass's undo leaves it), or FLAT_DECLINED. */
static __attribute__((noinline)) int flat_backward(ag_ctx *ctx, ag_var *y) {
    begin_call(ctx);
    func_heap heap;
    heap_init(&heap, ctx);
    flat_pass fp;
    fp.ctx = ctx;
    flat_slot slots_local[FLAT_LOCAL];
    flat_slots sl = {slots_local, 0, FLAT_LOCAL};
    fp.grads = fp.grads_local;
    fp.ngrads = 0;
    fp.grads_cap = FLAT_LOCAL;
    fp.unused = -1;
    bool check = ctx->check_finite && ctx->nonfinite_op == NULL;
    int status = FLAT_DECLINED, why;
    /* the seed: y's grad, or a new 1 (the plain pass's ones_like) */
    flat_slot *sy = flat_new_slot(&fp, &sl, slots_local, y, &why);
    if (sy == NULL) goto failed;
    if (!(sy->state & SLOT_HAS)) {
        int g = flat_new_grad(&fp, NULL);
        if (g < 0) goto oom;
        fp.grads[g].seed = true;
        sy->grad = g;
        sy->g = 1.0;
        sy->state |= SLOT_HAS; /* keeps SLOT_BARE: y had no grad */
    }
    bool keep_flows = ctx->keep_last_grads; /* as the plain pass keeps them (a declined pass's are forgotten) */
    if (keep_flows) {
        flows_reset(ctx, false);
        record_flow_one(ctx, y, sy->g);
    }
    queued top = {NULL, 0};
    uint32_t seq = 0;
    if (flat_push(ctx, &heap, &top, &seq, y->creator) < 0) goto oom;
    for (ag_func *f; (f = flat_pop(&heap, &top)) != NULL;) {
        if (ctx_interrupted(ctx)) {
            ctx_error(ctx, AG_ERR_INTERRUPTED, "backward: interrupted");
            status = -1;
            goto out;
        }
        const ag_op_def *row = func_def(f);
        if (!(f->mark & FUNC_SCALAR) || row->scalar_grad == NULL ||
            clock_after(ctx->change_clock, f->made_at))
            goto out;
        ag_var *out = f->outputs[0];
        flat_slot *so = flat_find(&sl, out);
        if (so == NULL || !(so->state & SLOT_HAS)) goto out; /* queued only once its output has a gradient */
        double gx[2] = {0.0, 0.0};
        unsigned passes = row->scalar_grad(&f->params, so->g, f->inputs[0]->t.data[0],
                                           f->ninputs > 1 ? f->inputs[1]->t.data[0] : 0.0,
                                           out->t.data[0], &gx[0], &gx[1]);
        if (check) {
            /* A non-finite gradient is the plain pass's to name.  x - x is 0
             * for a finite x and NaN otherwise, so one comparison tests both
             * (gx[1] is 0 for one input).  It tests a constant's too, which
             * the plain pass skips: declining is always safe, the plain pass
             * then computing the same. */
            double z = (gx[0] - gx[0]) + (gx[1] - gx[1]);
            if (z != z) goto out;
        }
        for (int i = 0; i < f->ninputs; i++) {
            ag_var *x = f->inputs[i];
            if (x->flags & AG_VAR_CONST) continue; /* a constant gets no gradient */
            if (keep_flows) record_flow_one(ctx, x, gx[i]);
            flat_slot *sx = flat_find(&sl, x);
            if (sx == NULL) {
                /* the array may move: so is found again below */
                ptrdiff_t at = so - sl.at;
                if ((sx = flat_new_slot(&fp, &sl, slots_local, x, &why)) == NULL) goto failed;
                so = &sl.at[at];
            }
            if (sx->state & SLOT_HAS) { /* x.grad + gx: a new variable, as sum_grads makes it */
                double sum = sx->g + gx[i];
                if (check && !isfinite(sum)) goto out;
                if (sx->grad >= 0) flat_drop(&fp, sx->grad);
                sx->grad = -1;
                sx->g = sum;
            } else if (passes & (SCALAR_GRAD_PASSES_A << i)) { /* gy's own variable */
                if (so->grad < 0) { /* gy is shared from now on */
                    int g = flat_new_grad(&fp, NULL);
                    if (g < 0) goto oom;
                    so->grad = g;
                }
                sx->grad = so->grad;
                sx->g = so->g;
                fp.grads[so->grad].refs++;
            } else {
                sx->grad = -1;
                sx->g = gx[i];
            }
            sx->state |= SLOT_HAS | SLOT_REACHED;
            if (x->creator != NULL && flat_push(ctx, &heap, &top, &seq, x->creator) < 0) goto oom;
        }
        /* the plain pass empties an output's slot (no retain_grad) */
        if (so->grad >= 0) flat_drop(&fp, so->grad);
        so->grad = -1;
        so->state = (unsigned char)((so->state & ~SLOT_HAS) | SLOT_DONE);
    }
    /* the leaves' gradients (reached, creator not run) as variables first,
     * so running out of memory changes nothing */
    for (flat_slot *s = sl.at, *end = s + sl.len; s < end; s++) {
        if ((s->state & (SLOT_REACHED | SLOT_DONE)) != SLOT_REACHED) continue;
        ag_var *v = flat_var(ctx, &fp, s);
        if (v == NULL) goto oom;
        s->made = v;
    }
    unsigned calls = ctx->backward_calls;
    for (flat_slot *s = sl.at, *end = s + sl.len; s < end; s++) { /* in the order the plain pass first reached them */
        if ((s->state & SLOT_UNTOUCHED) == SLOT_UNTOUCHED) continue;
        ag_var *x = s->v;
        if (s->state & SLOT_REACHED) {
            x->grad_calls = x->grad == NULL ? 1 : x->grad_calls + 1;
            x->grad_call = calls;
            if (x->grad_calls >= 2 && !(x->flags & (AG_VAR_PARAM | AG_VAR_CONST)) && ctx->summed_data == NULL)
                ctx->summed_data = x;
        }
        if (s->state & SLOT_DONE)
            x->grad = NULL;
        else if (s->state & SLOT_REACHED)
            var_set_grad(x, s->made);
    }
    status = 0;
    goto out;
failed: /* flat_new_slot's `why` */
    if (why != FLAT_NOMEM) goto out;
oom:
    ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    status = -1;
out:
    if (sl.at != slots_local) ctx_free(ctx, sl.at);
    if (fp.grads != fp.grads_local) ctx_free(ctx, fp.grads);
    if (heap.items != heap.local) ctx_free(ctx, heap.items);
    return status;
}

/* ---- the quick flat pass -----------------------------------------------------
 * The flat pass above for its usual case: no variable it reaches has an
 * older gradient (a training step: cleargrad, forward, backward).  Then
 * every gradient the pass holds is a number it made itself or the seed,
 * and what the flat pass counts in flat_grads is known without counting:
 *
 * - Sharing.  A number handed on as gy's own variable (Add's two inputs,
 *   Sub's first) is the gradient of the slot whose function handed it on,
 *   and that slot's number never changes afterwards (its creator has run:
 *   every function that uses it ran before, by generation).  So a slot
 *   records `from`, the slot the number was first handed on by (-1: its
 *   own number), and two leaves share a variable exactly when they have
 *   the same `from`; slot 0 (y) hands on the seed.
 * - The end.  With no older gradient, a variable whose creator ran is left
 *   as it was (the flat pass's SLOT_UNTOUCHED), so only the leaves reached
 *   need anything: they are linked in the order they were reached, and the
 *   end walks that list instead of every slot.
 *
 * Everything else is the flat pass's: the same queue, hooks, finite check,
 * kept gradients, interrupt and out-of-memory handling, and it changes
 * nothing until the end.  On the first older gradient it meets it declines
 * and the flat pass runs from the start (which may decline in turn). */
typedef struct {
    ag_var *v;
    union {
        double g;     /* the slot's number, while `has` */
        ag_var *made; /* at the end: the variable of its number (a leaf's, or one it handed on) */
    };
    int from;      /* the slot that handed this number on as its own variable; -1: the slot's own */
    int next_leaf; /* for a leaf: the next leaf reached, -1 at the last */
    bool has;      /* holds a gradient */
    bool made_set; /* `made` holds the variable of the number this slot handed on */
} quick_slot;

typedef struct {
    quick_slot *at; /* the pass's local array, or a block of the context's */
    size_t len, cap;
} quick_slots;

/* As flat_slots_grow. */
static __attribute__((noinline)) quick_slots quick_slots_grow(ag_ctx *ctx, quick_slots sl, quick_slot *local) {
    if (sl.len < INT32_MAX) (void)CTX_ARRAY_RESERVE_FROM(ctx, sl.at, sl.cap, sl.len, 1, local);
    return sl;
}

/* The quick pass's queue: flat_push's and flat_pop's order, with the slot
 * of the function's output in place of the insertion count.  A function is
 * queued exactly when its output's slot is made (y's first, then each
 * input's creator right after the input's new slot; a leaf's slot queues
 * nothing), so the slots of queued functions are numbered in the order
 * they were queued, and the keys compare as the insertion counts would.
 * A popped entry then names its output's slot without a look-up. */
static inline __attribute__((always_inline)) int quick_push(ag_ctx *ctx, func_heap *h, queued *top, ag_func *f,
                                                            size_t slot) {
    return flat_push_keyed(ctx, h, top, f, (uint32_t)slot);
}

/* The next entry; its f is NULL when none is queued. */
static inline __attribute__((always_inline)) queued quick_pop(func_heap *h, queued *top) {
    queued q = *top;
    if (q.f != NULL) {
        top->f = NULL;
        return q;
    }
    if (h->len > 0) return heap_pop_item(h);
    return q;
}

/* The quick pass over y's graph (y made by the scalar path, with no grad):
 * 0, -1 with the error set (nothing changed), or FLAT_DECLINED.  Written
 * once, made twice (quick_backward): with check and keep_flows constants
 * false, the usual case, and as they are. */
static inline __attribute__((always_inline)) int quick_run(ag_ctx *ctx, ag_var *y, bool check, bool keep_flows) {
    begin_call(ctx);
    func_heap heap;
    heap_init(&heap, ctx);
    quick_slot local[FLAT_LOCAL];
    quick_slots sl = {local, 1, FLAT_LOCAL};
    int status = FLAT_DECLINED;
    int first_leaf = -1, last_leaf = -1;
    /* the seed: a new 1 (the plain pass's ones_like), handed on from slot 0 */
    local[0].v = y;
    local[0].g = 1.0;
    local[0].from = -1;
    local[0].has = true;
    local[0].made_set = false;
    y->pass_refs = 0;
    uint32_t clock = ctx->change_clock; /* no hook changes a value in place */
    if (keep_flows) {
        flows_reset(ctx, false);
        record_flow_one(ctx, y, 1.0);
    }
    queued top = {NULL, 0};
    if (quick_push(ctx, &heap, &top, y->creator, 0) < 0) goto oom;
    for (queued q; (q = quick_pop(&heap, &top)).f != NULL;) {
        ag_func *f = q.f;
        if (ctx_interrupted(ctx)) {
            ctx_error(ctx, AG_ERR_INTERRUPTED, "backward: interrupted");
            status = -1;
            goto out;
        }
        const ag_op_def *row = func_def(f);
        if (!(f->mark & FUNC_SCALAR) || row->scalar_grad == NULL || clock_after(clock, f->made_at)) goto out;
        ag_var *out = f->outputs[0];
        size_t oi = (uint32_t)q.key; /* its output's slot (quick_push) */
        if (sl.at[oi].v != out || !sl.at[oi].has) goto out;
        double gy = sl.at[oi].g;
        int handed = sl.at[oi].from >= 0 ? sl.at[oi].from : (int)oi; /* what a passed gy refers to */
        double gx[2] = {0.0, 0.0};
        unsigned passes;
        /* Add's, Sub's, Mul's and Pow's hooks (op_add_scalar_grad,
         * op_sub_scalar_grad, op_mul_scalar_grad and Pow's DIRECT_RULE pow_grad,
         * src/ops_arith.c) written out: the same numbers without the call,
         * which would leave the pass's state in memory across it (a W1 step
         * runs only these four).  Every other op's hook is called. */
        switch (f->op) {
        case AG_OP_POW: {
            double p = f->params.p, x = f->inputs[0]->t.data[0];
            gx[0] = p == 0.0 ? 0.0 : gy * (p * t_pow(x, p - 1));
            passes = 0;
            break;
        }
        case AG_OP_ADD:
            gx[0] = gy, gx[1] = gy;
            passes = SCALAR_GRAD_PASSES_A | SCALAR_GRAD_PASSES_B;
            break;
        case AG_OP_SUB:
            gx[0] = gy, gx[1] = negate(gy);
            passes = SCALAR_GRAD_PASSES_A;
            break;
        case AG_OP_MUL:
            gx[0] = gy * f->inputs[1]->t.data[0], gx[1] = gy * f->inputs[0]->t.data[0];
            passes = 0;
            break;
        default:
            passes = row->scalar_grad(&f->params, gy, f->inputs[0]->t.data[0],
                                      f->ninputs > 1 ? f->inputs[1]->t.data[0] : 0.0, out->t.data[0], &gx[0],
                                      &gx[1]);
        }
        if (check) { /* as in flat_backward */
            double z = (gx[0] - gx[0]) + (gx[1] - gx[1]);
            if (z != z) goto out;
        }
        /* a scalar path's function has one or two inputs (the hooks' a and b):
         * the loop unrolled, each input's gx and `passes` bit known */
        int nin = f->ninputs;
#pragma GCC unroll 2
        for (int i = 0; i < 2 && i < nin; i++) {
            ag_var *x = f->inputs[i];
            if (x->flags & AG_VAR_CONST) continue; /* a constant gets no gradient */
            if (keep_flows) record_flow_one(ctx, x, gx[i]);
            size_t xi = (size_t)(unsigned)x->pass_refs;
            quick_slot *sx;
            if (xi < sl.len && sl.at[xi].v == x) {
                sx = &sl.at[xi];
            } else {
                if (x->grad != NULL) { /* an older gradient: the flat pass's */
                    ctx->flat_met_older = true;
                    goto out;
                }
                if (sl.len == sl.cap) {
                    sl = quick_slots_grow(ctx, sl, local);
                    if (sl.len == sl.cap) goto oom;
                }
                xi = sl.len++;
                sx = &sl.at[xi];
                sx->v = x;
                sx->has = false;
                sx->made_set = false;
                sx->next_leaf = -1;
                x->pass_refs = (int)xi;
                if (x->creator == NULL) { /* a leaf: the end's list */
                    if (last_leaf < 0)
                        first_leaf = (int)xi;
                    else
                        sl.at[last_leaf].next_leaf = (int)xi;
                    last_leaf = (int)xi;
                }
            }
            if (sx->has) { /* x.grad + gx: a new variable, as sum_grads makes it */
                double sum = sx->g + gx[i];
                if (check && !isfinite(sum)) goto out;
                sx->g = sum;
                sx->from = -1;
            } else if (passes & (SCALAR_GRAD_PASSES_A << i)) { /* gy's own variable */
                sx->g = gy;
                sx->from = handed;
            } else {
                sx->g = gx[i];
                sx->from = -1;
            }
            sx->has = true;
            if (x->creator != NULL && quick_push(ctx, &heap, &top, x->creator, xi) < 0) goto oom;
        }
        sl.at[oi].has = false; /* the plain pass empties an output's slot */
    }
    /* the leaves' gradients as variables first, so running out of memory
     * changes nothing (the ones made are left to the collector) */
    for (int i = first_leaf; i >= 0; i = sl.at[i].next_leaf) {
        quick_slot *s = &sl.at[i], *o = s->from >= 0 ? &sl.at[s->from] : NULL;
        ag_var *v;
        if (o != NULL && o->made_set) {
            v = o->made;
        } else if (s->from == 0) { /* the seed, made before the pass, as the plain pass makes it */
            v = var_new_scalar(ctx, s->v->t.ndim, s->g);
            if (v == NULL) goto oom;
            v->flags |= AG_VAR_SEED;
        } else { /* made inside the pass (AG_VAR_BACKWARD), as the plain pass's are */
            ctx->in_backward++;
            v = var_new_scalar(ctx, s->v->t.ndim, s->g);
            ctx->in_backward--;
            if (v == NULL) goto oom;
        }
        if (o != NULL) {
            o->made = v;
            o->made_set = true;
        }
        s->made = v;
    }
    unsigned calls = ctx->backward_calls;
    for (int i = first_leaf; i >= 0; i = sl.at[i].next_leaf) { /* each had no grad */
        ag_var *x = sl.at[i].v;
        x->grad_calls = 1;
        x->grad_call = calls;
        var_set_grad(x, sl.at[i].made);
    }
    status = 0;
    goto out;
oom:
    ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    status = -1;
out:
    if (sl.at != local) ctx_free(ctx, sl.at);
    if (heap.items != heap.local) ctx_free(ctx, heap.items);
    return status;
}

static __attribute__((noinline)) int quick_backward(ag_ctx *ctx, ag_var *y) {
    bool check = ctx->check_finite && ctx->nonfinite_op == NULL;
    if (!check && !ctx->keep_last_grads) return quick_run(ctx, y, false, false);
    return quick_run(ctx, y, check, ctx->keep_last_grads);
}

/* Whether the flat pass may take y's backward with opts (see above). */
static bool flat_wanted(const ag_ctx *ctx, const ag_var *y, const ag_backward_opts *opts) {
    return y->creator != NULL && (y->creator->mark & FUNC_SCALAR) && !opts->create_graph &&
           !opts->retain_grad && opts->step == NULL && ctx->reclaim_step == 0 && !ctx->plain_backward;
}

int ag_backward_with(ag_ctx *ctx, ag_var *y, const ag_backward_options *opts) {
    if (opts == NULL) return ag_backward(ctx, y, NULL);
    ag_backward_options known = {0};
    size_t first_end = offsetof(ag_backward_options, retain_grad) + sizeof known.retain_grad;
    if (opts->size < first_end)
        return ctx_error(ctx, AG_ERR_ARG, "backward: options.size is %zu: start from AG_BACKWARD_OPTIONS_INIT",
                         opts->size),
               -1;
    /* an older caller's smaller struct: the fields it has, the rest default */
    memcpy(&known, opts, opts->size < sizeof known ? opts->size : sizeof known);
    /* a newer caller's larger one: refused if it sets what this library lacks */
    for (size_t i = sizeof known; i < opts->size; i++)
        if (((const unsigned char *)opts)[i] != 0)
            return ctx_error(ctx, AG_ERR_ARG, "backward: options.size is %zu and sets options this "
                                              "library (%s) does not know; its own are %zu bytes",
                             opts->size, ag_version(), sizeof known),
                   -1;
    ag_backward_opts old = {known.retain_grad, known.create_graph, known.step, known.step_user};
    return ag_backward(ctx, y, &old);
}

int ag_backward(ag_ctx *ctx, ag_var *y, const ag_backward_opts *opts) {
    if (ctx != NULL && backward_refused_nested(ctx, "backward")) return -1;
    if (ctx != NULL) ctx->summed_data = NULL;
    if (ctx == NULL || check_output_quickly(ctx, "backward", y) < 0) return -1;
    ag_backward_opts none = {0};
    if (opts == NULL) opts = &none;
    if (ctx_interrupted(ctx)) return ctx_error(ctx, AG_ERR_INTERRUPTED, "backward: interrupted"), -1;
    if (flat_wanted(ctx, y, opts)) {
        /* the quick pass first, unless the last flat pass met an older
         * gradient (a caller that adds gradients over calls) */
        int flat = y->grad == NULL && !ctx->flat_met_older ? quick_backward(ctx, y) : FLAT_DECLINED;
        if (flat == FLAT_DECLINED) {
            ctx->flat_met_older = false;
            flat = flat_backward(ctx, y);
        }
        if (flat != FLAT_DECLINED) return flat;
    }
    undo_log undo;
    undo_init(ctx, &undo);
    undo_save(&undo, y); /* cannot fail: the log starts with room */
    if (y->grad == NULL) {
        bool old = ag_set_grad_enabled(ctx, false);
        /* ag_ones_like(ctx, y); for one element, the same leaf made directly */
        var_set_grad(y, y->t.size == 1 ? var_scalar_like(ctx, y, 1.0) : ag_ones_like(ctx, y));
        ag_set_grad_enabled(ctx, old);
        if (y->grad == NULL) return -1;
        y->grad->flags |= AG_VAR_SEED;
    }
    if (y->creator == NULL) return 0;

    begin_call(ctx);
    bool keep_flows = ctx->keep_last_grads;
    if (keep_flows) {
        flows_reset(ctx, false);
        record_flow(ctx, y, y->grad);
    }
    func_heap heap;
    heap_init(&heap, ctx);
    if (add_func(ctx, &heap, y->creator) < 0) {
        undo_all(&undo);
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        return -1;
    }
    bool old_enabled = ctx->grad_enabled;
    bool stepping = opts->step != NULL;
    /* plainly: reclaim = wanted, and begin_pass here (see "reclaiming") */
    bool reclaim_wanted = !opts->create_graph && !stepping && ctx->reclaim_step == 0;
    bool reclaim = false;
    size_t made_before = ctx->allocs_since_gc; /* no collection runs during the pass */
    ctx->in_backward++;
    int status = 0;
    ag_var *gx_local[3], **gxs = gx_local;
    ag_var *gy_local[1], **gys = gy_local;
    while (!queue_empty(&heap)) {
        if (ctx_interrupted(ctx)) {
            ctx_error(ctx, AG_ERR_INTERRUPTED, "backward: interrupted");
            status = -1;
            goto done;
        }
        ag_func *f = queue_pop(&heap);
        if (!reclaim && reclaim_wanted &&
            (!(f->mark & FUNC_SCALAR) || ctx->allocs_since_gc - made_before >= RECLAIM_AFTER)) {
            reclaim = true;
            begin_pass(ctx);
        }
        if (f->noutputs == 1) { /* most ops: the loop below, without its loads */
            gy_local[0] = f->outputs[0]->grad;
        } else {
            if (f->noutputs > 1) {
                gys = ctx_malloc(ctx, (size_t)f->noutputs * sizeof *gys);
                if (gys == NULL) goto oom;
            }
            for (int i = 0; i < f->noutputs; i++) gys[i] = f->outputs[i]->grad;
        }
        if (f->ninputs > 3) {
            gxs = ctx_malloc(ctx, (size_t)f->ninputs * sizeof *gxs);
            if (gxs == NULL) goto oom;
        }
        if (gxs == gx_local) /* three stores, where the loop below was a call to memset */
            gx_local[0] = gx_local[1] = gx_local[2] = NULL;
        else
            for (int i = 0; i < f->ninputs; i++) gxs[i] = NULL;

        if (check_unchanged(ctx, f, "backward") < 0) {
            status = -1;
            goto done;
        }
        ctx->grad_enabled = opts->create_graph;
        int rc = func_def(f)->backward(ctx, f, gys, gxs);
        if (rc == 0) {
            for (int i = 0; i < f->ninputs; i++) {
                ag_var *x = f->inputs[i];
                if (x->flags & AG_VAR_CONST) gxs[i] = NULL; /* a constant gets no gradient */
                if (gxs[i] == NULL) continue;
                if (keep_flows) record_flow(ctx, x, gxs[i]);
                if (x->grad_call != ctx->backward_calls) { /* this call's first contribution */
                    if (undo_save(&undo, x) < 0) goto oom;
                    x->grad_calls = x->grad == NULL ? 1 : x->grad_calls + 1;
                    x->grad_call = ctx->backward_calls;
                    if (x->grad_calls >= 2 && !(x->flags & (AG_VAR_PARAM | AG_VAR_CONST)) &&
                        ctx->summed_data == NULL)
                        ctx->summed_data = x;
                }
                if (x->grad == NULL) {
                    var_set_grad(x, gxs[i]);
                    hold(ctx, x->grad);
                } else if (!accumulate_in_place(ctx, x, gxs[i])) {
                    ag_var *sum = sum_grads(ctx, x->grad, gxs[i]);
                    if (sum == NULL) {
                        rc = -1;
                        break;
                    }
                    ag_var *old = x->grad;
                    var_set_grad(x, sum);
                    hold(ctx, sum);
                    drop(ctx, old);
                }
                if (x->creator != NULL && add_func(ctx, &heap, x->creator) < 0) goto oom;
            }
        }
        ctx->grad_enabled = old_enabled;
        if (rc < 0) {
            if (!ctx->failed) /* an op's backward failed on a NULL it was handed */
                ctx_error(ctx, AG_ERR_ARG,
                          "backward: %s's backward failed (a variable of the graph was "
                          "freed by ag_gc?)",
                          func_def(f)->name);
            status = -1;
            goto done;
        }
        if (stepping) stepping = opts->step(opts->step_user, f, gys, gxs);
        if (!opts->retain_grad)
            for (int i = 0; i < f->noutputs; i++) {
                ag_var *g = f->outputs[i]->grad;
                /* an output the pass gave nothing keeps an older grad: log it */
                if (g != NULL && f->outputs[i]->grad_call != ctx->backward_calls &&
                    undo_save(&undo, f->outputs[i]) < 0)
                    goto oom;
                f->outputs[i]->grad = NULL;
                drop(ctx, g);
            }
        if (reclaim) end_step(ctx);
        if (gys != gy_local) ctx_free(ctx, gys), gys = gy_local;
        if (gxs != gx_local) ctx_free(ctx, gxs), gxs = gx_local;
    }
    goto done;
oom:
    ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    status = -1;
done:
    ctx->grad_enabled = old_enabled;
    ctx->in_backward--;
    if (status < 0) { /* every gradient as it was before the call */
        undo_all(&undo);
        ctx->summed_data = NULL;
    }
    undo_free(ctx, &undo);
    if (reclaim) end_pass(ctx);
    if (gys != gy_local) ctx_free(ctx, gys);
    if (gxs != gx_local) ctx_free(ctx, gxs);
    if (heap.items != heap.local) ctx_free(ctx, heap.items);
    return status;
}

ag_var *ag_backward_summed_data(ag_ctx *ctx) { return ctx != NULL ? ctx->summed_data : NULL; }

/* Unchaining gives up the graph behind v: full collections go back to
 * their usual pace (gc_pause, context.c), so it is not left to pile up. */
void ag_unchain(ag_var *v) {
    if (v == NULL) return;
    v->creator = NULL;
    if (v->ctx != NULL) v->ctx->gc_pause = 1; /* (NULL: a stale handle) */
}

void ag_unchain_backward(ag_var *v) {
    if (v == NULL || v->creator == NULL) return;
    ag_ctx *ctx = v->ctx;
    ctx->gc_pause = 1;
    ARRAY(ag_func *) stack = {0};
    if (!CTX_ARRAY_PUSH(ctx, stack, v->creator)) {
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        return;
    }
    while (stack.count > 0) {
        ag_func *f = stack.items[--stack.count];
        for (int i = 0; i < f->ninputs; i++) {
            ag_var *x = f->inputs[i];
            if (x->creator == NULL) continue;
            if (!CTX_ARRAY_PUSH(ctx, stack, x->creator)) {
                ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
                ctx_free(ctx, stack.items);
                return;
            }
            x->creator = NULL;
        }
    }
    ctx_free(ctx, stack.items);
}

ag_var *ag_func_input_grad(ag_ctx *ctx, ag_func *f, int k, ag_var *gy) {
    if (ctx == NULL) return NULL;
    if (f == NULL) return ctx_error(ctx, AG_ERR_ARG, "input_grad: no function");
    if (f->noutputs != 1)
        return ctx_error(ctx, AG_ERR_ARG, "input_grad: %s has %d outputs", func_def(f)->name, f->noutputs);
    if (k < 0 || k >= f->ninputs)
        return ctx_error(ctx, AG_ERR_ARG, "input_grad: %s has no input %d", func_def(f)->name, k + 1);
    ag_var *out = f->outputs[0];
    if (gy != NULL && !ag_same_shape(gy, out))
        return ctx_error(ctx, AG_ERR_SHAPE, "input_grad: the gradient is not shaped like %s's output",
                         func_def(f)->name);
    bool old_enabled = ag_set_grad_enabled(ctx, false);
    ag_var *gys[1] = {gy != NULL ? gy : ag_ones_like(ctx, out)};
    ag_var *gx_local[3], **gxs = f->ninputs > 3 ? ctx_calloc(ctx, (size_t)f->ninputs, sizeof *gxs) : gx_local;
    ag_var *result = NULL;
    if (gxs == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    } else if (gys[0] != NULL && check_unchanged(ctx, f, "input_grad") == 0) {
        if (gxs == gx_local) /* three stores, where the loop below was a call to memset */
            gx_local[0] = gx_local[1] = gx_local[2] = NULL;
        else
            for (int i = 0; i < f->ninputs; i++) gxs[i] = NULL;
        /* in_backward: what the op makes is marked a gradient, as in a pass */
        ctx->in_backward++;
        int rc = func_def(f)->backward(ctx, f, gys, gxs);
        ctx->in_backward--;
        if (rc == 0 && gxs[k] == NULL)
            ctx_error(ctx, AG_ERR_ARG, "input_grad: %s sends no gradient to its input %d", func_def(f)->name,
                      k + 1);
        else if (rc == 0)
            result = gxs[k];
    }
    if (gxs != gx_local) ctx_free(ctx, gxs);
    ag_set_grad_enabled(ctx, old_enabled);
    return result;
}
