/* ops_arith.c — add, sub, mul, div, neg, pow: each forward with its
 * backward right below it (reference §4.1).  Binary ops broadcast; their
 * gradients are summed back to each input's shape. */
#include <math.h>

#include "internal.h"

/* out = a OP b with broadcasting; shapes checked, storage allocated. */
static int binary_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, t_binop op) {
    const ag_tensor *a = &f->inputs[0]->t, *b = &f->inputs[1]->t;
    int ndim, shape[AG_MAX_DIMS];
    if (shape_broadcast(ctx, ag_op_table[f->op].symbol, a->ndim, a->shape, b->ndim, b->shape,
                        &ndim, shape) < 0)
        return -1;
    if (t_init_uninit(&ys[0], ndim, shape) < 0) return ag_set_error(ctx, "out of memory"), -1;
    t_binary(&ys[0], a, b, op);
    return 0;
}

/* Neg's element rule (also inside div's gradient). */
static double negate(double x) { return -1.0 * x; }

/* ---- add: y = a + b --------------------------------------------------------- */
ag_var *ag_add(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_ADD, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
int op_add_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return binary_forward(ctx, f, ys, T_ADD);
}
int op_add_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = reduce_to(ctx, gys[0], f->inputs[0]);
    gxs[1] = reduce_to(ctx, gys[0], f->inputs[1]);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- sub: y = a - b --------------------------------------------------------- */
ag_var *ag_sub(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_SUB, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
int op_sub_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return binary_forward(ctx, f, ys, T_SUB);
}
int op_sub_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = reduce_to(ctx, gys[0], f->inputs[0]);
    gxs[1] = reduce_to(ctx, ag_neg(ctx, gys[0]), f->inputs[1]);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- mul: y = a * b; ga = gy * b, gb = gy * a ----------------------------------- */
ag_var *ag_mul(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_MUL, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
int op_mul_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return binary_forward(ctx, f, ys, T_MUL);
}
/* ---- direct backwards of the binary ops (see DIRECT_RULE in internal.h) ----------
 * Both gradients in one pass when gy, a and b share a shape (no broadcast to
 * undo), each element computed exactly as the ops would. */
typedef void (*pair_rule)(double *restrict ga, double *restrict gb, const double *restrict gy,
                          const double *restrict a, const double *restrict b, size_t n);

static bool pair_direct(ag_ctx *ctx, ag_func *f, ag_var *gy, ag_var **gxs, pair_rule rule) {
    const ag_var *a = f->inputs[0], *b = f->inputs[1];
    if (gy == NULL || !shape_equal(a->t.ndim, a->t.shape, b->t.ndim, b->t.shape)) return false;
    ag_var *ga = direct_target(ctx, f, gy);
    ag_var *gb = ga != NULL ? var_uninit_like(ctx, b) : NULL;
    if (gb == NULL) return false; /* ga, if made, is left to the collector */
    rule(ga->t.data, gb->t.data, gy->t.data, a->t.data, b->t.data, a->t.size);
    if (!direct_accept(ctx, ga) || !direct_accept(ctx, gb)) return false;
    gxs[0] = ga;
    gxs[1] = gb;
    return true;
}

/* ga = gy * b, gb = gy * a; unrolled by 4 so -O2 vectorizes it */
static void mul_grads(double *restrict ga, double *restrict gb, const double *restrict gy,
                      const double *restrict a, const double *restrict b, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        ga[i] = gy[i] * b[i], ga[i + 1] = gy[i + 1] * b[i + 1];
        ga[i + 2] = gy[i + 2] * b[i + 2], ga[i + 3] = gy[i + 3] * b[i + 3];
        gb[i] = gy[i] * a[i], gb[i + 1] = gy[i + 1] * a[i + 1];
        gb[i + 2] = gy[i + 2] * a[i + 2], gb[i + 3] = gy[i + 3] * a[i + 3];
    }
    for (; i < n; i++) {
        ga[i] = gy[i] * b[i];
        gb[i] = gy[i] * a[i];
    }
}

/* ga = gy / b, gb = gy * (-a / (b*b)) */
static void div_grads(double *restrict ga, double *restrict gb, const double *restrict gy,
                      const double *restrict a, const double *restrict b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        ga[i] = gy[i] / b[i];
        gb[i] = gy[i] * (negate(a[i]) / (b[i] * b[i]));
    }
}

int op_mul_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (pair_direct(ctx, f, gys[0], gxs, mul_grads)) return 0;
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], b), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], a), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- div: y = a / b; ga = gy / b, gb = gy * (-a / (b*b)) ------------------------- */
ag_var *ag_div(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_DIV, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
int op_div_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return binary_forward(ctx, f, ys, T_DIV);
}
int op_div_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (pair_direct(ctx, f, gys[0], gxs, div_grads)) return 0;
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    gxs[0] = reduce_to(ctx, ag_div(ctx, gys[0], b), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_div(ctx, ag_neg(ctx, a), ag_mul(ctx, b, b))), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- neg: y = -x --------------------------------------------------------------- */
ag_var *ag_neg(ag_ctx *ctx, ag_var *x) {
    return op_apply(ctx, AG_OP_NEG, NULL, (ag_var *[]){x}, 1, 1, NULL);
}
int op_neg_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (t_init_uninit(&ys[0], x->ndim, x->shape) < 0) return ag_set_error(ctx, "out of memory"), -1;
    t_map(&ys[0], x, negate);
    return 0;
}
int op_neg_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_neg(ctx, gys[0]);
    return gxs[0] ? 0 : -1;
}

/* ---- pow: y = x^p for a constant p; gx = gy * (p * x^(p-1)) ---------------------- */
ag_var *ag_pow(ag_ctx *ctx, ag_var *x, double p) {
    ag_op_params params = {.p = p};
    return op_apply(ctx, AG_OP_POW, &params, (ag_var *[]){x}, 1, 1, NULL);
}
int op_pow_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (t_init_uninit(&ys[0], x->ndim, x->shape) < 0) return ag_set_error(ctx, "out of memory"), -1;
    double p = f->params.p;
    for (size_t i = 0; i < x->size; i++) ys[0].data[i] = pow(x->data[i], p);
    return 0;
}
DIRECT_RULE(pow_grad, gy * (p->p * pow(x, p->p - 1)))
int op_pow_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, pow_grad)) return 0;
    double p = f->params.p;
    gxs[0] = ag_mul(ctx, gys[0], ag_mul(ctx, const_scalar(ctx, p), ag_pow(ctx, f->inputs[0], p - 1)));
    return gxs[0] ? 0 : -1;
}

/* ---- powv: y = a^b, both variables; ga = gy * b * a^(b-1), gb = gy * y * log(a) --- */
ag_var *ag_powv(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_POWV, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
int op_powv_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return binary_forward(ctx, f, ys, T_POW);
}
int op_powv_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1], *y = f->outputs[0];
    ag_var *b_minus_1 = ag_sub(ctx, b, const_scalar(ctx, 1.0));
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_mul(ctx, b, ag_powv(ctx, a, b_minus_1))), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_mul(ctx, y, ag_log(ctx, a))), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- one element, for op_apply's scalar fast path ------------------------------------- */

/* The scalar hooks (ag_op_def.scalar): t_binary's T_ADD .. T_POW and the
 * forwards' element rules, one element at a time. */
double op_add_scalar(const ag_op_params *p, double a, double b) { return a + b; }
double op_sub_scalar(const ag_op_params *p, double a, double b) { return a - b; }
double op_mul_scalar(const ag_op_params *p, double a, double b) { return a * b; }
double op_div_scalar(const ag_op_params *p, double a, double b) { return a / b; }
double op_powv_scalar(const ag_op_params *p, double a, double b) { return pow(a, b); }
double op_neg_scalar(const ag_op_params *p, double a, double b) { return negate(a); }
double op_pow_scalar(const ag_op_params *p, double a, double b) { return pow(a, p->p); }
