/* function.c — applying an op: forward, wrapping outputs, recording the
 * function node (as upstream's Function.Forward: the Go library
 * itsubaki/autograd), and function accessors. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "internal.h"

/* Ops whose outputs are finite whenever their inputs are, and whose direct
 * backward rules (gy times a bounded factor: cos, 1 - tanh^2, a mask) are
 * finite whenever gy is: a NaN or Inf in what they make came in through an
 * input, and note_nonfinite would skip them anyway ("it came in that way").
 * Their results are not scanned (3.7% of a small MLP's step under the REPL,
 * whose check is on).  tests/unit/test_finite.c feeds each the extremes. */
static const bool keeps_finite[AG_OP_COUNT] = {
    [AG_OP_NEG] = true, [AG_OP_ABS] = true, [AG_OP_SIN] = true, [AG_OP_COS] = true,
    [AG_OP_TANH] = true, [AG_OP_SIGMOID] = true, [AG_OP_RELU] = true, [AG_OP_CLIP] = true,
    [AG_OP_HARDTANH] = true, [AG_OP_SIGN] = true, [AG_OP_FLOOR] = true, [AG_OP_CEIL] = true,
    [AG_OP_ROUND] = true, [AG_OP_TRUNC] = true, [AG_OP_ATAN] = true, [AG_OP_ERF] = true,
    [AG_OP_MAX] = true, [AG_OP_MIN] = true, [AG_OP_MAXIMUM] = true, [AG_OP_MINIMUM] = true,
    [AG_OP_RESHAPE] = true, [AG_OP_TRANSPOSE] = true, [AG_OP_BROADCAST_TO] = true,
    [AG_OP_SQUEEZE] = true, [AG_OP_UNSQUEEZE] = true, [AG_OP_CONCAT] = true, [AG_OP_SPLIT] = true,
    [AG_OP_GET_ITEM] = true, [AG_OP_WHERE] = true, [AG_OP_EQ] = true, [AG_OP_NE] = true,
    [AG_OP_LT] = true, [AG_OP_LE] = true, [AG_OP_GT] = true, [AG_OP_GE] = true,
    [AG_OP_ISNAN] = true, [AG_OP_ISINF] = true, [AG_OP_ISFINITE] = true, [AG_OP_ISCLOSE] = true,
};

/* A table, not a switch: asked of every op the REPL's finite check sees. */
bool op_keeps_finite(int op) { return op >= 0 && op < AG_OP_COUNT && keeps_finite[op]; }

/* The ops whose 0/1 result is PyTorch's bool tensor: their results carry
 * AG_VAR_BOOL, so that indexing by one selects (x[x > 0]). */
static const bool gives_bool[AG_OP_COUNT] = {
    [AG_OP_EQ] = true, [AG_OP_NE] = true, [AG_OP_LT] = true, [AG_OP_LE] = true,
    [AG_OP_GT] = true, [AG_OP_GE] = true, [AG_OP_ISNAN] = true, [AG_OP_ISINF] = true,
    [AG_OP_ISFINITE] = true, [AG_OP_ISCLOSE] = true, [AG_OP_ANY] = true, [AG_OP_ALL] = true,
};
static unsigned bool_flag(int op) { return op >= 0 && op < AG_OP_COUNT && gives_bool[op] ? AG_VAR_BOOL : 0; }

/* Whether Linear's output needs no scan: its inputs bound it, |y| <= k *
 * max|x| * max|w| + max|b| with k x's last dimension (each of y's sums has
 * k products), and a bound below half the largest double leaves room for
 * the sums' rounding, so y is finite; or an input is NaN or infinite, and
 * whatever y holds came in that way.  Only when the inputs are a quarter of
 * the output or less: a one-feature layer's 100x1 input and 1x10 weights
 * make 100x10 (120 elements read, not 1000; bench/w4_mlp_small.ag's first
 * layer). */
static bool linear_output_bounded(const ag_func *f, const ag_tensor *y) {
    if (f->op != AG_OP_LINEAR || f->ninputs < 2) return false;
    size_t read = 0;
    for (int i = 0; i < f->ninputs; i++) read += f->inputs[i]->t.size;
    if (read > y->size / 4) return false;
    const ag_tensor *x = &f->inputs[0]->t;
    double max[3] = {0.0, 0.0, 0.0};
    for (int i = 0; i < f->ninputs && i < 3; i++)
        if (!t_max_abs(&f->inputs[i]->t, &max[i])) return true; /* it came in that way */
    double bound = (double)x->shape[x->ndim - 1] * max[0] * max[1] + max[2];
    return bound <= DBL_MAX / 2;
}

/* Names op `name` as the first to make a NaN or Inf; an op a backward rule
 * runs is named with the rule's function ("Div in Sqrt's backward"). */
static void blame_nonfinite(ag_ctx *ctx, const char *name) {
    ctx->nonfinite_op = name;
    if (ctx->backward_of != NULL) {
        snprintf(ctx->nonfinite_text, sizeof ctx->nonfinite_text, "%s in %s's backward", name,
                 func_def(ctx->backward_of)->name);
        ctx->nonfinite_op = ctx->nonfinite_text;
    }
}

static void note_nonfinite(ag_ctx *ctx, ag_func *f, const ag_tensor *ys, int noutputs) {
    if (ctx->nonfinite_op != NULL) return;
    if (noutputs == 1 && linear_output_bounded(f, &ys[0])) return;
    bool out_bad = false;
    for (int i = 0; i < noutputs && !out_bad; i++) out_bad = t_has_nonfinite(&ys[i]);
    if (!out_bad) return;
    for (int i = 0; i < f->ninputs; i++)
        if (t_has_nonfinite(&f->inputs[i]->t)) return; /* it came in that way */
    blame_nonfinite(ctx, func_def(f)->name);
}

/* ---- the scalar fast path ---------------------------------------------------------
 * Most lessons are made of 0-d variables, where the general path's shape
 * checks, output tensor and malloc cost more than the arithmetic.  An
 * elementwise op on one-element inputs of one shape is computed here with
 * the op's own element rule (its table row's scalar hook), straight into the
 * new variable's inline storage, and recorded like any other. */

/* The op's own number of inputs, variables of this context (a NULL, stale
 * or foreign input is check_inputs' error, on the general path), one
 * element each and, for two inputs, the same shape (all dims 1). */
static inline bool scalar_inputs(ag_ctx *ctx, const ag_op_def *row, ag_var *const *inputs, int ninputs) {
    if (row->scalar == NULL || ninputs != row->arity) return false;
    const ag_var *a = inputs[0];
    if (a == NULL || a->ctx != ctx || a->t.size != 1) return false;
    if (ninputs == 1) return true;
    const ag_var *b = inputs[1];
    return ninputs == 2 && b != NULL && b->ctx == ctx && b->t.size == 1 && b->t.ndim == a->t.ndim;
}

/* The finite check's verdict on a scalar result that is not finite: row
 * made it when a (and b, unless NULL) are finite; a NaN or Inf that came in
 * through an input is not the op's.  Only the first op is named. */
static __attribute__((noinline, cold)) void scalar_nonfinite(ag_ctx *ctx, const ag_op_def *row,
                                                             const ag_var *a, const ag_var *b) {
    if (ctx->nonfinite_op == NULL && isfinite(a->t.data[0]) && (b == NULL || isfinite(b->t.data[0])))
        blame_nonfinite(ctx, row->name);
}

/* What a result of inputs[0..n) is when every input is a constant:
 * AG_VAR_CONST, with AG_VAR_DATA when one of them is data; 0 when an input
 * is no constant.  Data stays data through any op (PyTorch's op on tensors
 * that all have requires_grad=False records nothing), so such a result is
 * made without a graph, gradients on or off; literals alone still record
 * ((1 + 2).creator is Add, as DeZero's).  Under nograd, outside a backward
 * pass, a result of constants is a constant (data reshaped under nograd
 * stays data), any other AG_VAR_NOGRAD (a leaf that can get a gradient:
 * w2 = w - lr * w.grad).
 *
 * An op with a 0/1 result (gives_bool: the comparisons, the is* tests, any
 * and all) records nothing either, gradients on or off: its result is data
 * (AG_VAR_CONST | AG_VAR_DATA), as PyTorch's bool tensor has no grad_fn and
 * SPEC's comparisons record no node, so x * (x > 0) draws Mul of x and a
 * data mask.  An index result (argmax, argsort) keeps its node, which has
 * no gradient, so that a backward or grad through it alone can name it. */
static unsigned constant_flags(ag_var *const *inputs, int n) {
    if (n < 1) return 0;
    unsigned all = ~0u, any = 0;
    for (int i = 0; i < n; i++) {
        if (inputs[i] == NULL) return 0;
        all &= inputs[i]->flags;
        any |= inputs[i]->flags;
    }
    return all & AG_VAR_CONST ? AG_VAR_CONST | (any & AG_VAR_DATA) : 0;
}
static unsigned nograd_flag(ag_var *const *inputs, int n) {
    unsigned c = constant_flags(inputs, n);
    return c != 0 ? c : AG_VAR_NOGRAD;
}

/* The scalar path's work, the plain algorithm (the entries' quick case,
 * internal.h's scalar_quick_result, leaves the same): y, a new one-element
 * variable shaped like a, holding value and carrying `flags`; with
 * gradients on, a function node of row recording it (scalar_func_record).
 * ctx_alloc_var hands out zeroed nodes, so what stays zero is not stored:
 * y's grad, name and flags for most ops. */
static inline __attribute__((always_inline)) ag_var *scalar_record(ag_ctx *ctx, const ag_op_def *row, const ag_op_params *params,
                                    ag_var *a, ag_var *b, double value, unsigned flags) {
    if (ctx->check_finite && !isfinite(value)) scalar_nonfinite(ctx, row, a, b);
    ag_var *y = ctx_alloc_var(ctx);
    if (y == NULL) return NULL;
    /* ctx and a's ndim are read again from a (a->ctx is ctx: every caller
     * checked it), not kept in registers across the call */
    ctx = a->ctx;
    var_set_scalar(y, a->t.ndim, value);
    y->flags |= flags;
    if (!ctx->grad_enabled) {
        if (!ctx->in_backward) y->flags |= nograd_flag((ag_var *const[]){a, b}, b != NULL ? 2 : 1);
        return y;
    }
    unsigned data = constant_flags((ag_var *const[]){a, b}, b != NULL ? 2 : 1);
    if (data & AG_VAR_DATA) { /* data in, data out: nothing recorded */
        y->flags |= data;
        return y;
    }
    ag_func *f = ctx_alloc_func(ctx);
    if (f == NULL) return NULL; /* y is unreachable: the collector takes it */
    scalar_func_record(f, row, params, a, b, y);
    return y;
}

ag_var *op_scalar_result(ag_ctx *ctx, const ag_op_def *row, ag_var *a, ag_var *b, double value) {
    return scalar_record(ctx, row, NULL, a, b, value, 0);
}
ag_var *op_scalar_result_p(ag_ctx *ctx, const ag_op_def *row, double p, ag_var *x, double value) {
    return scalar_record(ctx, row, &(const ag_op_params){.p = p}, x, NULL, value, 0);
}

ag_var *op_apply_one_p_general(ag_ctx *ctx, const ag_op_def *row, double p, ag_var *x) {
    ag_op_params params = {.p = p};
    return op_apply_row(ctx, row, &params, (ag_var *[]){x}, 1, 1, NULL);
}

/* op_apply_row's scalar path, for the ops and callers without an entry of
 * their own (scalar_inputs holds): the element by the row's hook. */
static ag_var *apply_scalar(ag_ctx *ctx, const ag_op_def *row, const ag_op_params *params,
                            ag_var *const *inputs, int ninputs) {
    static const ag_op_params none;
    ag_var *a = inputs[0], *b = ninputs > 1 ? inputs[1] : NULL;
    double value = row->scalar(params != NULL ? params : &none, a->t.data[0], b != NULL ? b->t.data[0] : 0.0);
    unsigned as_bool = bool_flag(row->id);
    if (as_bool) { /* a comparison's 0/1: data, no node (see constant_flags) */
        ag_var *y = ctx_alloc_var(ctx);
        if (y == NULL) return NULL;
        var_set_scalar(y, a->t.ndim, value);
        y->flags |= as_bool | AG_VAR_CONST | AG_VAR_DATA;
        return y;
    }
    return scalar_record(ctx, row, params, a, b, value, 0);
}

/* NULL inputs propagate (keeping the first message, or leaving one when
 * there is none); an input of another context is an error.  0 or -1. */
static int check_inputs(ag_ctx *ctx, const char *symbol, ag_var *const *inputs, int ninputs) {
    for (int i = 0; i < ninputs; i++) {
        if (inputs[i] == NULL) {
            if (!ctx->failed) ctx_error(ctx, AG_ERR_ARG, "%s: input %d is NULL", symbol, i + 1);
            return -1;
        }
        if (inputs[i]->ctx == NULL)
            return ctx_error(ctx, AG_ERR_STALE,
                             "%s: input %d is a collected variable (a stale handle: "
                             "it was not retained across ag_gc)",
                             symbol, i + 1),
                   -1;
        if (inputs[i]->ctx != ctx)
            return ctx_error(ctx, AG_ERR_CONTEXT, "%s: input %d belongs to another context", symbol, i + 1),
                   -1;
    }
    return 0;
}

bool op_input_ok(ag_ctx *ctx, int op, const ag_var *x) {
    return ctx != NULL && check_inputs(ctx, ag_op_table[op].symbol, (ag_var *const[]){(ag_var *)x}, 1) == 0;
}

/* Whether params hold anything but p and hi (ag_func.more's condition). */
static bool params_need_block(const ag_op_params *params) {
    if (params->axis != 0 || params->naxes != 0 || params->ndim != 0 || params->n != 0 || params->ints != NULL)
        return true;
    for (int i = 0; i < AG_MAX_DIMS; i++)
        if (params->axes[i] != 0) return true;
    return false;
}

/* A node's own copy of params (ag_func.more), its ints (n of them, when
 * there are) copied after it in the same block; NULL when out of memory. */
static ag_op_params *params_block(ag_ctx *ctx, const ag_op_params *params) {
    bool with_ints = params->n > 0 && params->ints != NULL;
    size_t nints = with_ints ? (size_t)params->n : 0;
    ag_op_params *block = ctx_malloc(ctx, sizeof *block + nints * sizeof(int));
    if (block == NULL) return NULL;
    *block = *params;
    block->ints = NULL;
    if (with_ints) {
        block->ints = (int *)(block + 1);
        memcpy(block->ints, params->ints, nints * sizeof(int));
    }
    return block;
}

/* op_apply_row for everything but the scalar path: out of line, so that
 * path does not pay this one's frame (its saved registers and locals). */
static __attribute__((noinline)) ag_var *apply_general(ag_ctx *ctx, const ag_op_def *def,
                                                       const ag_op_params *params, ag_var *const *inputs,
                                                       int ninputs, int noutputs, ag_var **outs) {
    if (check_inputs(ctx, def->symbol, inputs, ninputs) < 0) return NULL;
    if (ninputs == 0 && def->arity != 0) return ctx_error(ctx, AG_ERR_ARG, "%s: no inputs", def->symbol);

    /* worked out once: both the record decision and an unrecorded result's flags come from it */
    unsigned consts = constant_flags(inputs, ninputs);
    unsigned data = consts & AG_VAR_DATA ? consts : 0;
    /* data in, data out: nothing recorded (but conv2d's Im2col, record_data);
     * nor is an op without a gradient (see constant_flags) */
    bool record = ctx->grad_enabled && !bool_flag(def->id) && (data == 0 || ctx->record_data);
    ag_func local, *f = &local;
    ag_op_params local_params; /* a local node's parameters when they have no ints */
    if (record) {
        f = ctx_alloc_func(ctx);
        if (f == NULL) return NULL;
        ctx->general_funcs_live = true; /* (not FUNC_SCALAR: see ag_ctx) */
    } else {
        memset(&local, 0, sizeof local);
        local.inputs = local.inline_inputs;
        local.outputs = local.inline_outputs;
    }
    f->op = def->id;
    f->row = def;
    if (params != NULL) {
        f->p = params->p;
        f->hi = params->hi;
        if (params_need_block(params)) {
            if (!record && !(params->n > 0 && params->ints != NULL)) {
                local_params = *params;
                local_params.ints = NULL;
                f->more = &local_params;
            } else if ((f->more = params_block(ctx, params)) == NULL) {
                goto oom;
            }
        }
    }
    if (ninputs > 3) {
        f->inputs = ctx_malloc(ctx, (size_t)ninputs * sizeof *f->inputs);
        if (f->inputs == NULL) goto oom;
    }
    if (noutputs > 1) {
        f->outputs = ctx_malloc(ctx, (size_t)noutputs * sizeof *f->outputs);
        if (f->outputs == NULL) goto oom;
    }
    f->ninputs = ninputs;
    for (int i = 0; i < ninputs; i++) f->inputs[i] = inputs[i];

    ag_tensor ys_local[1], *ys = ys_local;
    if (noutputs > 1) {
        ys = ctx_calloc(ctx, (size_t)noutputs, sizeof *ys);
        if (ys == NULL) goto oom;
    } else {
        ys_local[0] = (ag_tensor){0};
    }
    if (def->forward(ctx, f, ys) < 0) {
        if (strcmp(ctx->errmsg, "out of memory") == 0) {
            /* name the op and what it was given (a size overflow reads the same) */
            char a[SHAPE_BUF], b[SHAPE_BUF];
            ctx_error(ctx, AG_ERR_NOMEM, "%s: out of memory for the result of %s%s%s", def->symbol,
                      shape_str(&inputs[0]->t, a), ninputs > 1 ? " and " : "",
                      ninputs > 1 ? shape_str(&inputs[1]->t, b) : "");
        }
        for (int i = 0; i < noutputs; i++) t_free(ctx, &ys[i]);
        if (ys != ys_local) ctx_free(ctx, ys);
        goto fail;
    }
    if (ctx->check_finite && !op_keeps_finite(def->id)) note_nonfinite(ctx, f, ys, noutputs);

    int generation = 0;
    for (int i = 0; i < ninputs; i++)
        if (inputs[i]->generation > generation) generation = inputs[i]->generation;
    ag_var *first = NULL;
    for (int i = 0; i < noutputs; i++) {
        ag_var *y = var_from_tensor(ctx, &ys[i]);
        if (y == NULL) {
            for (int j = i + 1; j < noutputs; j++) t_free(ctx, &ys[j]);
            if (ys != ys_local) ctx_free(ctx, ys);
            goto fail; /* earlier outputs are unreachable: the collector takes them */
        }
        y->flags |= bool_flag(def->id);
        if (y->flags & AG_VAR_BOOL) {
            y->flags |= AG_VAR_CONST | AG_VAR_DATA;
        } else if (record) {
            y->creator = f;
            y->generation = generation + 1;
            f->outputs[i] = y;
            y->flags |= data != 0 ? AG_VAR_CONST : 0; /* recorded for the drawing only: no gradient */
        } else if (ctx->grad_enabled) {
            y->flags |= data;
        } else if (!ctx->in_backward) {
            y->flags |= consts != 0 ? consts : AG_VAR_NOGRAD; /* nograd_flag's answer */
        }
        if (outs != NULL) outs[i] = y;
        if (i == 0) first = y;
    }
    if (ys != ys_local) ctx_free(ctx, ys);
    if (record) {
        f->generation = generation;
        f->noutputs = noutputs;
    } else {
        if (f->more != &local_params) ctx_free(ctx, f->more);
        if (f->inputs != f->inline_inputs) ctx_free(ctx, f->inputs);
        if (f->outputs != f->inline_outputs) ctx_free(ctx, f->outputs);
    }
    return first;

oom:
    ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
fail:
    /* A recorded node with no outputs is unreachable; the collector frees it.
     * A local one is released here. */
    if (!record) {
        if (f->more != &local_params) ctx_free(ctx, f->more);
        if (f->inputs != f->inline_inputs) ctx_free(ctx, f->inputs);
        if (f->outputs != f->inline_outputs) ctx_free(ctx, f->outputs);
    } else {
        f->ninputs = 0;
        f->noutputs = 0;
    }
    return NULL;
}

ag_var *op_apply_row(ag_ctx *ctx, const ag_op_def *def, const ag_op_params *params,
                     ag_var *const *inputs, int ninputs, int noutputs, ag_var **outs) {
    if (ctx == NULL) return NULL;
    if (noutputs == 1 && scalar_inputs(ctx, def, inputs, ninputs)) {
        /* scalar_inputs has checked what check_inputs would */
        ag_var *y = apply_scalar(ctx, def, params, inputs, ninputs);
        if (y != NULL && outs != NULL) outs[0] = y;
        return y;
    }
    return apply_general(ctx, def, params, inputs, ninputs, noutputs, outs);
}


bool direct_applies(const ag_ctx *ctx, const ag_func *f, const ag_var *gy) {
    const ag_var *x = f->inputs[0];
    return !ctx->grad_enabled && gy != NULL && gy->t.size == x->t.size &&
           shape_equal(gy->t.ndim, gy->t.shape, x->t.ndim, x->t.shape);
}

ag_var *direct_target(ag_ctx *ctx, const ag_func *f, const ag_var *gy) {
    return direct_applies(ctx, f, gy) ? var_uninit_like(ctx, f->inputs[0]) : NULL;
}

bool direct_accept(const ag_ctx *ctx, const ag_var *g) {
    return !ctx->check_finite || ctx->nonfinite_op != NULL || !t_has_nonfinite(&g->t);
}

bool direct_grad(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs, direct_rule rule) {
    ag_var *g = direct_target(ctx, f, gys[0]);
    if (g == NULL) return false;
    rule(g->t.data, gys[0]->t.data, f->inputs[0]->t.data, f->outputs[0]->t.data, g->t.size,
         FUNC_PARAMS(f));
    if (!op_keeps_finite(f->op) && !direct_accept(ctx, g)) return false; /* g is left to the collector */
    gxs[0] = g;
    return true;
}

ag_var *reduce_to_shape(ag_ctx *ctx, ag_var *g, const ag_var *x) {
    if (g == NULL || x == NULL) return NULL;
    if (shape_equal(g->t.ndim, g->t.shape, x->t.ndim, x->t.shape)) return g;
    return ag_sum_to(ctx, g, x->t.ndim, x->t.shape);
}

/* ---- accessors -------------------------------------------------------------- */

int ag_func_op(const ag_func *f) { return f ? f->op : -1; }
int ag_func_ninputs(const ag_func *f) { return f ? f->ninputs : 0; }
ag_var *ag_func_input(const ag_func *f, int i) {
    return f && i >= 0 && i < f->ninputs ? f->inputs[i] : NULL;
}
int ag_func_noutputs(const ag_func *f) { return f ? f->noutputs : 0; }
ag_var *ag_func_output(const ag_func *f, int i) {
    return f && i >= 0 && i < f->noutputs ? f->outputs[i] : NULL;
}
int ag_func_generation(const ag_func *f) { return f ? f->generation : 0; }
unsigned ag_func_tag(const ag_func *f) { return f ? f->tag : 0; }

unsigned ag_set_func_tag(ag_ctx *ctx, unsigned tag) {
    if (ctx == NULL) return 0;
    unsigned old = ctx->func_tag;
    ctx->func_tag = tag;
    return old;
}

void ag_mark_func_tags(const ag_ctx *ctx, unsigned char *in_use, size_t n) {
    if (ctx == NULL || in_use == NULL) return;
    for (const ag_func *f = ctx->funcs; f != NULL; f = f->next_live)
        if (f->tag < n) in_use[f->tag] = 1;
}

void ag_observe_layers(ag_ctx *ctx, ag_layer_fn fn, void *user) {
    if (ctx == NULL) return;
    ctx->layer_fn = fn;
    ctx->layer_user = user;
}

static size_t append_ints(char *buf, size_t n, size_t at, const int *v, int count) {
    if (count == 1) return at + (size_t)snprintf(buf + at, at < n ? n - at : 0, "%d", v[0]);
    at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "[");
    for (int i = 0; i < count; i++)
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, i ? " %d" : "%d", v[i]);
    return at + (size_t)snprintf(buf + at, at < n ? n - at : 0, "]");
}

/* ---- graph labels: the name, then the op's label hook -------------------------- */

void op_label_P(const ag_op_params *p, char *buf, size_t n) {
    char num[AG_NUMBUF];
    snprintf(buf, n, "(%s)", ag_format_double(p->p, 0, num));
}

void op_label_CLIP(const ag_op_params *p, char *buf, size_t n) {
    char num[AG_NUMBUF], num2[AG_NUMBUF];
    snprintf(buf, n, "(%s, %s)", ag_format_double(p->lo, 0, num), ag_format_double(p->hi, 0, num2));
}

void op_label_AXES(const ag_op_params *p, char *buf, size_t n) {
    if (p->naxes == 0) return;
    size_t at = (size_t)snprintf(buf, n, "(axis=");
    at = append_ints(buf, n, at, p->axes, p->naxes);
    snprintf(buf + (at < n ? at : n), at < n ? n - at : 0, ")");
}

void op_label_AXIS(const ag_op_params *p, char *buf, size_t n) {
    snprintf(buf, n, "(axis=%d)", p->axis);
}

void op_label_SHAPE(const ag_op_params *p, char *buf, size_t n) {
    char shape[SHAPE_BUF];
    ag_tensor t = {.ndim = p->ndim};
    memcpy(t.shape, p->shape, sizeof t.shape);
    snprintf(buf, n, "(%s)", shape_str(&t, shape));
}

char *ag_func_label(const ag_func *f, char *buf, size_t n) {
    if (buf == NULL || n == 0) return buf;
    if (f == NULL) return buf[0] = '\0', buf;
    const ag_op_def *def = func_def(f);
    size_t at = (size_t)snprintf(buf, n, "%s", def->name);
    if (def->label != NULL && at < n) def->label(FUNC_PARAMS(f), buf + at, n - at);
    return buf;
}

int op_interrupted(ag_ctx *ctx, const ag_func *f) {
    ctx_error(ctx, AG_ERR_INTERRUPTED, "%s: interrupted", func_def(f)->symbol);
    return -1;
}
