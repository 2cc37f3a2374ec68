/* backward.c — reverse-mode differentiation (upstream's Backward: functions
 * taken from a heap by generation, the latest first) and unchaining
 * (upstream's UnchainBackward); the flat passes a scalar graph's backward
 * takes are in backward_flat.c, the functional grad is in grad_of.c. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backward_pass.h"
#include "internal.h"
#include "util/array.h"

/* The queue is the heap (backward_pass.h) plus one entry held beside it.
 * The plain algorithm pushes every function on the heap and pops the
 * largest; that order is kept exactly, but a chain (each function queues
 * one creator, the next to run) never touches the heap: an entry larger
 * than everything queued is held in `top` (the one it displaces goes on the
 * heap), and a pop takes `top` when it is held, the heap's largest
 * otherwise.  The heap is then used only where branches join, when a
 * function queues two or more. */
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
                         "%s: the output is made by %s, which has no gradient (its index or "
                         "whole-number result is a constant)",
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
void flows_reset(ag_ctx *ctx, bool release) {
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

bool flows_reserve(ag_ctx *ctx, size_t n) {
    size_t len = ctx->flow_numbers_len, cap = ctx->flow_numbers_cap;
    if (n > FLOW_NUMBERS_MAX - len) return false; /* (len is never past it) */
    if (len + n <= cap) return true;
    size_t grown = cap < 4 ? 8 : cap * 2; /* doubling, then the most at once (internal.h) */
    if (grown > FLOW_NUMBERS_JUMP) grown = FLOW_NUMBERS_MAX;
    if (grown < len + n) grown = len + n;
    double *bigger = ctx_realloc(ctx, ctx->flow_numbers, grown * sizeof *bigger);
    if (bigger == NULL) return false;
    ctx->flow_numbers = bigger;
    ctx->flow_numbers_cap = grown;
    return true;
}

/* Adds the n numbers g into what reached x in this pass.  Only for drawing:
 * out of memory, a gradient shaped unlike x or more numbers than the block
 * may hold (FLOW_NUMBERS_MAX) leave it out. */
static void record_flow_numbers(ag_ctx *ctx, ag_var *x, const double *g, size_t n) {
    if (n != x->t.size || n == 0) return;
    if (x->flow_pass == ctx->flow_pass) {
        add_into(ctx->flow_numbers + x->flow_at, g, n);
        return;
    }
    if (!flows_reserve(ctx, n)) return;
    memcpy(ctx->flow_numbers + ctx->flow_numbers_len, g, n * sizeof(double));
    x->flow_at = (uint32_t)ctx->flow_numbers_len;
    x->flow_pass = ctx->flow_pass;
    ctx->flow_numbers_len += n;
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

/* Whether the flat pass may take y's backward with opts (backward_flat.c). */
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
        ctx->backward_of = f; /* a non-finite result is blamed on f's rule (note_nonfinite) */
        int rc = func_def(f)->backward(ctx, f, gys, gxs);
        ctx->backward_of = NULL;
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
        ctx->backward_of = f;
        int rc = func_def(f)->backward(ctx, f, gys, gxs);
        ctx->backward_of = NULL;
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
