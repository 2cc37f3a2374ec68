/* internal.h — the engine's node structures and op table (not public API).
 *
 * Ownership: every ag_var and ag_func is owned by its context and lives on
 * the context's live list until ag_gc finds it unreachable or the context is
 * freed.  Nodes point at each other freely (cycles allowed). */
#ifndef AG_INTERNAL_H
#define AG_INTERNAL_H

#include "ag_core.h"
#include "ag_ops.h"
#include "ag_rand.h"
#include "tensor.h"

struct ag_var {
    ag_tensor t;
    ag_var *grad;
    ag_func *creator;
    ag_ctx *ctx;
    char *name; /* NULL = unnamed */
    int generation;
    unsigned flags;
    int roots;
    unsigned mark;
    ag_var *next_live;
};

/* What an op instance remembers besides its inputs: the parameters it was
 * called with.  `ints` (indices of GetItem, sizes of Split) is owned. */
typedef struct ag_op_params {
    double p, lo, hi; /* Pow exponent or dropout ratio; Clip bounds */
    int axis;
    int naxes;
    int axes[AG_MAX_DIMS]; /* as given by the caller (may be negative) */
    int ndim;
    int shape[AG_MAX_DIMS]; /* target shape (reshape, broadcast_to, sum_to, get_item_grad) */
    int n;
    int *ints;
} ag_op_params;

struct ag_func {
    int op;
    ag_op_params params;
    int ninputs, noutputs;
    ag_var **inputs, **outputs;
    ag_var *inline_inputs[3];
    ag_var *inline_outputs[1];
    ag_var *saved; /* an extra variable the backward needs (dropout mask) */
    int generation;
    unsigned mark;
    unsigned seen; /* backward pass stamp */
    ag_func *next_live;
};

struct ag_ctx {
    char errmsg[512];
    bool failed;
    bool grad_enabled;
    bool train;
    bool check_finite;
    const char *nonfinite_op;
    int in_backward;
    ag_rng rng;
    ag_var *vars;
    ag_func *funcs;
    ag_var *free_vars;
    ag_func *free_funcs;
    size_t live_vars, live_funcs, allocs_since_gc;
    unsigned epoch;
    unsigned backward_stamp;
    void **stack; /* gc mark stack */
    size_t stack_cap;
};

/* ---- op table ------------------------------------------------------------
 * forward: compute f's output tensors ys[0..noutputs) from f->inputs and
 *   f->params; 0, or -1 with the ctx error set (shapes are checked here).
 * backward: gradients for each input from gys (one per output, may be NULL
 *   for unused outputs), written to gxs (NULL = no gradient for that input),
 *   built from public ops so create_graph can record them; 0 or -1. */
typedef int (*ag_forward_fn)(ag_ctx *ctx, ag_func *f, ag_tensor *ys);
typedef int (*ag_backward_fn)(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs);

typedef struct ag_op_def {
    const char *name;   /* graph label: "Add" */
    const char *symbol; /* for error messages: "add" */
    int arity;          /* -1 = variadic */
    ag_forward_fn forward;
    ag_backward_fn backward;
} ag_op_def;

extern const ag_op_def ag_op_table[AG_OP_COUNT];

/* Runs op on inputs: checks for NULL inputs (returns NULL silently), runs
 * the forward, wraps the outputs in new variables, and records a function
 * node when backprop is enabled.  params may be NULL (all zero); its ints are
 * copied.  With noutputs > 1 the outputs go to outs[] and the first is
 * returned. */
ag_var *op_apply(ag_ctx *ctx, int op, const ag_op_params *params, ag_var *const *inputs,
                 int ninputs, int noutputs, ag_var **outs);

/* A new leaf variable taking ownership of t's storage (t is left empty).
 * NULL on out-of-memory (t is freed then). */
ag_var *var_from_tensor(ag_ctx *ctx, ag_tensor *t);
/* A 0-d constant leaf flagged AG_VAR_CONST. */
ag_var *const_scalar(ag_ctx *ctx, double value);
/* g summed down to x's shape when they differ, else g itself. */
ag_var *reduce_to(ag_ctx *ctx, ag_var *g, const ag_var *x);
/* "[2 3]" for messages; buf of at least 16 + 12*AG_MAX_DIMS bytes. */
#define SHAPE_BUF (16 + 12 * AG_MAX_DIMS)
const char *shape_str(const ag_tensor *t, char *buf);

/* Declarations of every op's forward/backward pair (ops_*.c). */
#define AG_DECLARE_OP(stem)                                          \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys); \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs);
AG_DECLARE_OP(add) AG_DECLARE_OP(sub) AG_DECLARE_OP(mul) AG_DECLARE_OP(div)
AG_DECLARE_OP(neg) AG_DECLARE_OP(pow) AG_DECLARE_OP(powv)
AG_DECLARE_OP(exp) AG_DECLARE_OP(log) AG_DECLARE_OP(sin) AG_DECLARE_OP(cos)
AG_DECLARE_OP(tan) AG_DECLARE_OP(tanh) AG_DECLARE_OP(sqrt) AG_DECLARE_OP(abs)
AG_DECLARE_OP(square) AG_DECLARE_OP(sigmoid) AG_DECLARE_OP(relu) AG_DECLARE_OP(gelu)
AG_DECLARE_OP(clip)
AG_DECLARE_OP(sum) AG_DECLARE_OP(mean) AG_DECLARE_OP(variance) AG_DECLARE_OP(max)
AG_DECLARE_OP(min)
AG_DECLARE_OP(reshape) AG_DECLARE_OP(transpose) AG_DECLARE_OP(broadcast_to)
AG_DECLARE_OP(sum_to) AG_DECLARE_OP(squeeze) AG_DECLARE_OP(unsqueeze)
AG_DECLARE_OP(concat) AG_DECLARE_OP(split) AG_DECLARE_OP(get_item)
AG_DECLARE_OP(get_item_grad) AG_DECLARE_OP(matmul)
AG_DECLARE_OP(linear) AG_DECLARE_OP(softmax) AG_DECLARE_OP(mse)
AG_DECLARE_OP(cross_entropy) AG_DECLARE_OP(dropout)
#undef AG_DECLARE_OP

#endif
