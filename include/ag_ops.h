/* ag_ops.h — every differentiable op.
 *
 * Each returns a new variable (recorded in the graph when backprop is
 * enabled) or NULL with the context error set; NULL inputs propagate without
 * changing the message.  Error messages name the op and the shapes:
 * "matmul: shapes [2 3] and [2 3] are not aligned".  Arithmetic broadcasts
 * like NumPy.  Axes may be negative (counted from the end). */
#ifndef AG_OPS_H
#define AG_OPS_H

#include "ag_core.h"

/* The op table's kinds.  One entry per op in src/ops_table.c; the names
 * (ag_op_name) are what graphs print: "Add", "Sin", "MatMul", ... */
typedef enum ag_op {
    AG_OP_ADD, AG_OP_SUB, AG_OP_MUL, AG_OP_DIV, AG_OP_NEG, AG_OP_POW, AG_OP_POWV,
    AG_OP_EXP, AG_OP_LOG, AG_OP_SIN, AG_OP_COS, AG_OP_TAN, AG_OP_TANH, AG_OP_SQRT,
    AG_OP_ABS, AG_OP_SQUARE, AG_OP_SIGMOID, AG_OP_RELU, AG_OP_GELU, AG_OP_CLIP,
    AG_OP_SUM, AG_OP_MEAN, AG_OP_VARIANCE, AG_OP_MAX, AG_OP_MIN,
    AG_OP_RESHAPE, AG_OP_TRANSPOSE, AG_OP_BROADCAST_TO, AG_OP_SUM_TO,
    AG_OP_SQUEEZE, AG_OP_UNSQUEEZE, AG_OP_CONCAT, AG_OP_SPLIT,
    AG_OP_GET_ITEM, AG_OP_GET_ITEM_GRAD, AG_OP_MATMUL,
    AG_OP_LINEAR, AG_OP_SOFTMAX, AG_OP_MSE, AG_OP_CROSS_ENTROPY, AG_OP_DROPOUT,
    AG_OP_COUNT
} ag_op;

const char *ag_op_name(int op); /* "Add"; NULL when out of range */
int ag_op_arity(int op);        /* inputs; -1 = variadic (Concat) */

/* ---- elementwise (broadcasting) ---------------------------------------- */
ag_var *ag_add(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_sub(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_mul(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_div(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_neg(ag_ctx *ctx, ag_var *x);
ag_var *ag_pow(ag_ctx *ctx, ag_var *x, double p);     /* x^p, p a constant: Pow(p) */
ag_var *ag_powv(ag_ctx *ctx, ag_var *a, ag_var *b);   /* a^b, both differentiable */
ag_var *ag_exp(ag_ctx *ctx, ag_var *x);
ag_var *ag_log(ag_ctx *ctx, ag_var *x);
ag_var *ag_sin(ag_ctx *ctx, ag_var *x);
ag_var *ag_cos(ag_ctx *ctx, ag_var *x);
ag_var *ag_tan(ag_ctx *ctx, ag_var *x);
ag_var *ag_tanh(ag_ctx *ctx, ag_var *x);
ag_var *ag_sqrt(ag_ctx *ctx, ag_var *x);
ag_var *ag_abs(ag_ctx *ctx, ag_var *x);
ag_var *ag_square(ag_ctx *ctx, ag_var *x);
ag_var *ag_sigmoid(ag_ctx *ctx, ag_var *x); /* 0.5 + 0.5*tanh(0.5x) */
ag_var *ag_relu(ag_ctx *ctx, ag_var *x);
ag_var *ag_gelu(ag_ctx *ctx, ag_var *x);    /* tanh approximation */
ag_var *ag_clip(ag_ctx *ctx, ag_var *x, double lo, double hi);

/* ---- reductions: axes == NULL / naxes == 0 reduce everything to 0-d ----- */
ag_var *ag_sum(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_mean(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_variance(ag_ctx *ctx, ag_var *x, const int *axes, int naxes); /* population */
ag_var *ag_max(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_min(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
/* keepdims: y, the result of one of the reductions above applied to x with
 * these axes, reshaped (a Reshape node) so the reduced axes stay as 1s:
 * sum of a [2 3] over axis 1 becomes [2 1].  NULL inputs propagate. */
ag_var *ag_keepdims(ag_ctx *ctx, ag_var *y, const ag_var *x, const int *axes, int naxes);

/* ---- shape -------------------------------------------------------------- */
ag_var *ag_reshape(ag_ctx *ctx, ag_var *x, int ndim, const int *shape); /* one -1 allowed */
/* axes == NULL reverses all axes. */
ag_var *ag_transpose(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_broadcast_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape);
ag_var *ag_sum_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape);
ag_var *ag_squeeze(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_unsqueeze(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_concat(ag_ctx *ctx, ag_var *const *xs, int n, int axis);
/* Splits x along axis into n pieces of the given sizes, written to out[0..n).
 * Returns 0, or -1 with the error set. */
int ag_split(ag_ctx *ctx, ag_var *x, const int *sizes, int n, int axis, ag_var **out);
/* Take along axis (negative and repeated indices allowed); the axis keeps
 * its place with length n. */
ag_var *ag_get_item(ag_ctx *ctx, ag_var *x, int axis, const int *indices, int n);
/* zeros(shape) with gy's slices added at indices along axis (duplicates add). */
ag_var *ag_get_item_grad(ag_ctx *ctx, ag_var *gy, int axis, const int *indices, int n,
                         int ndim, const int *shape);
/* Batched matmul; leading dims broadcast.  A 1-D operand follows PyTorch:
 * on the left a row, on the right a column, that axis dropped from the
 * result (vector @ vector is 0-d); 0-d operands are an error. */
ag_var *ag_matmul(ag_ctx *ctx, ag_var *a, ag_var *b);

/* ---- neural net --------------------------------------------------------- */
ag_var *ag_linear(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b); /* b may be NULL */
ag_var *ag_softmax(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_mse(ag_ctx *ctx, ag_var *y, ag_var *t);                  /* shape [1] */
/* Softmax cross-entropy of logits (N, C) against N class indices (any shape
 * with N entries; -100 = ignore), mean over the kept rows; shape [1]. */
ag_var *ag_cross_entropy(ag_ctx *ctx, ag_var *logits, ag_var *labels);
/* Inverted dropout with the context's generator; identity in test mode. */
ag_var *ag_dropout(ag_ctx *ctx, ag_var *x, double ratio);
/* Fraction of rows whose argmax equals the label; 0-d, no graph. */
ag_var *ag_accuracy(ag_ctx *ctx, ag_var *y, ag_var *t);

#endif
