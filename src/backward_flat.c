/* backward_flat.c — the flat passes: ag_backward's own for a graph made only
 * by the scalar path (backward.c's plain pass with one number per gradient,
 * flat_backward), and its usual case with no older gradient (quick_backward).
 * Both take the plain pass's queue and stamps from backward_pass.h and
 * decline, having changed nothing, wherever the plain pass would do more. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "backward_pass.h"
#include "internal.h"

/* ---- the kept gradients of a flat pass (ag_last_grad, backward.c) ----------- */

/* Grows the block by at least one number; false when it cannot (the
 * number is then left out, as record_flow_numbers leaves it, backward.c).
 * The capacity is at most FLOW_NUMBERS_MAX, so a full block is the one test
 * of both. */
static __attribute__((noinline)) bool flows_grow(ag_ctx *ctx) { return flows_reserve(ctx, 1); }

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

/* ---- the flat pass ---------------------------------------------------------------
 * A graph made only by the scalar path (every function FUNC_SCALAR: one
 * element in each input and output) needs no gradient variables on the way
 * when nothing will see them: no create_graph, retain_grad or step
 * callback.  Each gradient is then one number (kept gradients,
 * ag_keep_last_grads, are numbers too: recorded as the plain pass does).
 * The flat pass is the plain pass (backward.c) with numbers: the same
 * queue (so the same order of functions and every sum the same), each function's
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
 * insertion count; the quick pass's output slot, quick_loop). */
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
__attribute__((noinline)) int flat_backward(ag_ctx *ctx, ag_var *y) {
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
        unsigned passes = row->scalar_grad(FUNC_PARAMS(f), so->g, f->inputs[0]->t.data[0],
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
 *   Sub's first) is the gradient of the variable whose function handed it
 *   on, and that number never changes afterwards (its creator has run:
 *   every function that uses it ran before, by generation).  So a slot
 *   records `from`, the variable the number was first handed on by (NULL:
 *   its own number), and two leaves share a variable exactly when they
 *   have the same `from`; y hands on the seed.
 * - The end.  With no older gradient, a variable whose creator ran is left
 *   as it was (the flat pass's SLOT_UNTOUCHED), so only the leaves reached
 *   need anything: they are linked in the order they were reached, and the
 *   end walks that list instead of every slot.
 * - Slots used again.  So a slot is needed only until its variable's
 *   creator has run (no function reaches the variable after that; `from`
 *   names a variable, not a slot), except a leaf's (its creator never
 *   runs).  The pass starts on its own 32 slots, made one after the other,
 *   and the queue's key carries the output's slot in place of the
 *   insertion count (a function is queued exactly when its output's slot
 *   is made, so they compare alike), a popped entry naming its slot
 *   without a look-up: a training step's backward stays there.  When they
 *   run out (quick_loop's `recycle`), the slots whose creator has run are
 *   freed onto a list, and from then on a slot is freed as its creator
 *   runs and new ones are taken from the list first; the key's low half
 *   counts on from the slots made (as an insertion count would) and an
 *   entry's slot is found through its output's pass_refs.  A chain's
 *   backward then stays in a few slots whatever its length (its slots
 *   took 32 bytes a variable before, 320 MB for 10 million ops, each
 *   doubling of their array a copy).
 *
 * Everything else is the flat pass's: the same queue, hooks, finite check,
 * kept gradients, interrupt and out-of-memory handling, and it changes
 * nothing until the end.  On the first older gradient it meets it declines
 * and the flat pass runs from the start (which may decline in turn). */
typedef struct {
    ag_var *v; /* NULL while the slot is free */
    union {
        double g;     /* the slot's number, while `has` */
        ag_var *made; /* at the end, for a leaf: the variable of its number */
    };
    ag_var *from; /* the variable that handed this number on as its own variable (y: the seed); NULL: the slot's own */
    int next;     /* a leaf's: the next leaf reached; a free slot's: the next free one; -1 at the last */
    bool has;     /* holds a gradient: its creator has not run (a leaf's never runs) */
    bool made_set; /* a leaf's, at the end: `made` is set */
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

/* quick_loop's answers beside 0 (the queue ran out), -1 (out of memory) and
 * FLAT_DECLINED. */
#define QUICK_INTERRUPTED (-2)
#define QUICK_FULL 2 /* without `recycle`: the pass's own slots may not hold the next function's inputs */

/* The quick pass's loop over its queue (quick_run's state, as its locals'
 * addresses: made twice, without `recycle` while the slots are the pass's
 * own array made one after the other, and with it, see "Slots used again"
 * above; *spare the first free slot, -1 when none; *seq the next key
 * (with `recycle`). */
static inline __attribute__((always_inline)) int quick_loop(ag_ctx *ctx, func_heap *heap, queued *top, quick_slots *slp,
                                                            quick_slot *local, int *spare, uint32_t *seq,
                                                            int *first_leaf, int *last_leaf, uint32_t clock, bool check,
                                                            bool keep_flows, bool recycle) {
    quick_slots sl = *slp;
    int status = 0;
    for (;;) {
        if (!recycle && sl.len > FLAT_LOCAL - 2) { /* two inputs' new slots (the pass's own array) */
            status = QUICK_FULL;
            break;
        }
        queued q = quick_pop(heap, top);
        ag_func *f = q.f;
        if (f == NULL) break;
        if (ctx_interrupted(ctx)) {
            status = QUICK_INTERRUPTED;
            break;
        }
        const ag_op_def *row = func_def(f);
        if (!(f->mark & FUNC_SCALAR) || row->scalar_grad == NULL || clock_after(clock, f->made_at)) {
            status = FLAT_DECLINED;
            break;
        }
        ag_var *out = f->outputs[0];
        /* its output's slot: the key's (below sl.len), or as in flat_find */
        size_t oi = recycle ? (size_t)(unsigned)out->pass_refs : (uint32_t)q.key;
        if ((recycle && oi >= sl.len) || sl.at[oi].v != out || !sl.at[oi].has) {
            status = FLAT_DECLINED;
            break;
        }
        double gy = sl.at[oi].g;
        ag_var *handed = sl.at[oi].from != NULL ? sl.at[oi].from : out; /* what a passed gy refers to */
        double gx[2] = {0.0, 0.0};
        unsigned passes;
        /* Add's, Sub's, Mul's and Pow's hooks (op_add_scalar_grad,
         * op_sub_scalar_grad, op_mul_scalar_grad and Pow's DIRECT_RULE pow_grad,
         * src/ops_arith.c) written out: the same numbers without the call,
         * which would leave the pass's state in memory across it (a W1 step
         * runs only these four).  Every other op's hook is called. */
        switch (f->op) {
        case AG_OP_POW: {
            double p = f->p, x = f->inputs[0]->t.data[0];
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
            passes = row->scalar_grad(FUNC_PARAMS(f), gy, f->inputs[0]->t.data[0],
                                      f->ninputs > 1 ? f->inputs[1]->t.data[0] : 0.0, out->t.data[0], &gx[0],
                                      &gx[1]);
        }
        if (check) { /* as in flat_backward */
            double z = (gx[0] - gx[0]) + (gx[1] - gx[1]);
            if (z != z) {
                status = FLAT_DECLINED;
                break;
            }
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
                    status = FLAT_DECLINED;
                    goto stop;
                }
                if (!recycle) {
                    xi = sl.len++; /* room checked at the top */
                } else if (*spare >= 0) { /* a freed slot first */
                    xi = (size_t)*spare;
                    *spare = sl.at[xi].next;
                } else {
                    if (sl.len == sl.cap) {
                        sl = quick_slots_grow(ctx, sl, local);
                        if (sl.len == sl.cap) {
                            status = -1;
                            goto stop;
                        }
                    }
                    xi = sl.len++;
                }
                sx = &sl.at[xi];
                sx->v = x;
                sx->has = false;
                sx->made_set = false;
                sx->next = -1;
                x->pass_refs = (int)xi;
                if (x->creator == NULL) { /* a leaf: the end's list */
                    if (*last_leaf < 0)
                        *first_leaf = (int)xi;
                    else
                        sl.at[*last_leaf].next = (int)xi;
                    *last_leaf = (int)xi;
                }
            }
            if (sx->has) { /* x.grad + gx: a new variable, as sum_grads makes it */
                double sum = sx->g + gx[i];
                if (check && !isfinite(sum)) {
                    status = FLAT_DECLINED;
                    goto stop;
                }
                sx->g = sum;
                sx->from = NULL;
            } else if (passes & (SCALAR_GRAD_PASSES_A << i)) { /* gy's own variable */
                sx->g = gy;
                sx->from = handed;
            } else {
                sx->g = gx[i];
                sx->from = NULL;
            }
            sx->has = true;
            if (x->creator != NULL &&
                (recycle ? flat_push(ctx, heap, top, seq, x->creator)
                         : flat_push_keyed(ctx, heap, top, x->creator, (uint32_t)xi)) < 0) {
                status = -1;
                goto stop;
            }
        }
        sl.at[oi].has = false; /* the plain pass empties an output's slot */
        if (recycle) { /* no function reaches out again */
            sl.at[oi].v = NULL;
            sl.at[oi].next = *spare;
            *spare = (int)oi;
        }
    }
stop:
    *slp = sl;
    return status;
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
    int status, first_leaf = -1, last_leaf = -1, spare = -1;
    uint32_t seq = 0;
    /* the seed: a new 1 (the plain pass's ones_like), handed on by y */
    local[0].v = y;
    local[0].g = 1.0;
    local[0].from = NULL;
    local[0].has = true;
    local[0].made_set = false;
    y->pass_refs = 0;
    uint32_t clock = ctx->change_clock; /* no hook changes a value in place */
    if (keep_flows) {
        flows_reset(ctx, false);
        record_flow_one(ctx, y, 1.0);
    }
    queued top = {NULL, 0};
    if (flat_push_keyed(ctx, &heap, &top, y->creator, 0) < 0) goto oom;
    status = quick_loop(ctx, &heap, &top, &sl, local, &spare, &seq, &first_leaf, &last_leaf, clock, check, keep_flows,
                        false);
    if (status == QUICK_FULL) {
        /* the slots whose creator has run are free; the keys so far are
         * below sl.len */
        for (size_t i = sl.len; i-- > 0;) {
            if (sl.at[i].has) continue;
            sl.at[i].v = NULL;
            sl.at[i].next = spare;
            spare = (int)i;
        }
        seq = (uint32_t)sl.len;
        status = quick_loop(ctx, &heap, &top, &sl, local, &spare, &seq, &first_leaf, &last_leaf, clock, check,
                            keep_flows, true);
    }
    if (status == QUICK_INTERRUPTED) {
        ctx_error(ctx, AG_ERR_INTERRUPTED, "backward: interrupted");
        status = -1;
        goto out;
    }
    if (status == -1) goto oom;
    if (status != 0) goto out;
    status = FLAT_DECLINED;
    /* the leaves' gradients as variables first, so running out of memory
     * changes nothing (the ones made are left to the collector).  Leaves
     * sharing `from` share the variable: the first made is found through
     * from's pass_refs, set to its leaf's slot (no function reads it now). */
    for (int i = first_leaf; i >= 0; i = sl.at[i].next) {
        quick_slot *s = &sl.at[i];
        ag_var *o = s->from, *v = NULL;
        if (o != NULL) {
            size_t j = (size_t)(unsigned)o->pass_refs;
            if (j < sl.len && sl.at[j].made_set && sl.at[j].from == o) v = sl.at[j].made;
        }
        if (v == NULL) {
            if (o == y) { /* the seed, made before the pass, as the plain pass makes it */
                v = var_new_scalar(ctx, s->v->t.ndim, s->g);
                if (v == NULL) goto oom;
                v->flags |= AG_VAR_SEED;
            } else { /* made inside the pass (AG_VAR_BACKWARD), as the plain pass's are */
                ctx->in_backward++;
                v = var_new_scalar(ctx, s->v->t.ndim, s->g);
                ctx->in_backward--;
                if (v == NULL) goto oom;
            }
            if (o != NULL) o->pass_refs = i;
        }
        s->made = v;
        s->made_set = true;
    }
    unsigned calls = ctx->backward_calls;
    for (int i = first_leaf; i >= 0; i = sl.at[i].next) { /* each had no grad */
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

__attribute__((noinline)) int quick_backward(ag_ctx *ctx, ag_var *y) {
    bool check = ctx->check_finite && ctx->nonfinite_op == NULL;
    if (!check && !ctx->keep_last_grads) return quick_run(ctx, y, false, false);
    return quick_run(ctx, y, check, ctx->keep_last_grads);
}
