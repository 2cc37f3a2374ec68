/* ops_compare.c — elementwise comparisons (eq ne lt le gt ge), isnan isinf
 * isfinite isclose, where, maximum and minimum, as PyTorch has them.
 *
 * Comparisons and the is* tests give 0/1 tensors and have no gradient: their
 * rows say NO_GRAD, their backward sends none to any input, and
 * ag_backward / ag_grad name them when a gradient is asked for through them
 * alone (ag_op_has_gradient in ops_table.c).  Binary ones broadcast. */
#include <math.h>
#include <string.h>

#include "internal.h"

/* No gradient to any input (comparisons, is* tests). */
static int no_gradient(ag_func *f, ag_var **gxs) {
    for (int i = 0; i < f->ninputs; i++) gxs[i] = NULL;
    return 0;
}

/* ---- comparisons: 1 where a OP b holds, else 0 (NaN compares unequal) ------------ */
#define COMPARISON(stem, ID, EXPR)                                                               \
    double op_##stem##_scalar(const ag_op_params *p, double a, double b) { return (EXPR) ? 1.0 : 0.0; } \
    ag_var *ag_##stem(ag_ctx *ctx, ag_var *a, ag_var *b) { return op_binary(ctx, OP_ROW(AG_OP_##ID), NULL, a, b); } \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); } \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) { \
        return no_gradient(f, gxs);                                                               \
    }
COMPARISON(eq, EQ, a == b)
COMPARISON(ne, NE, a != b)
COMPARISON(lt, LT, a < b)
COMPARISON(le, LE, a <= b)
COMPARISON(gt, GT, a > b)
COMPARISON(ge, GE, a >= b)

/* ---- isnan, isinf, isfinite ------------------------------------------------------- */
#define TEST(stem, ID, EXPR)                                                                     \
    double op_##stem##_scalar(const ag_op_params *p, double a, double b) { return (EXPR) ? 1.0 : 0.0; } \
    ag_var *ag_##stem(ag_ctx *ctx, ag_var *x) { return op_unary(ctx, OP_ROW(AG_OP_##ID), NULL, x); }            \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); } \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) { \
        return no_gradient(f, gxs);                                                               \
    }
TEST(isnan, ISNAN, isnan(a))
TEST(isinf, ISINF, isinf(a))
TEST(isfinite, ISFINITE, isfinite(a))

/* ---- isclose: |a - b| <= atol + rtol*|b| (PyTorch's), infinities equal to themselves,
 * NaN equal to NaN only with equal_nan ---------------------------------------------- */
double op_isclose_scalar(const ag_op_params *p, double a, double b) {
    if (isnan(a) || isnan(b)) return p->axis && isnan(a) && isnan(b) ? 1.0 : 0.0;
    if (a == b) return 1.0;
    if (isinf(a) || isinf(b)) return 0.0;
    return fabs(a - b) <= p->hi + p->lo * fabs(b) ? 1.0 : 0.0;
}
ag_var *ag_isclose(ag_ctx *ctx, ag_var *a, ag_var *b, double rtol, double atol, bool equal_nan) {
    if (!(rtol >= 0) || !(atol >= 0))
        return ctx_error(ctx, AG_ERR_ARG, "isclose: rtol and atol must be >= 0");
    ag_op_params p = {.lo = rtol, .hi = atol, .axis = equal_nan};
    return op_binary(ctx, OP_ROW(AG_OP_ISCLOSE), &p, a, b);
}
int op_isclose_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_isclose_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return no_gradient(f, gxs);
}

/* ---- where(c, a, b): a where c is not 0, else b; gc none, ga = where(c, gy, 0),
 * gb = where(c, 0, gy), each summed back to its input's shape ---------------------- */
static double where_of(const double *v) { return v[0] != 0.0 ? v[1] : v[2]; }
ag_var *ag_where(ag_ctx *ctx, ag_var *cond, ag_var *a, ag_var *b) {
    return op_apply(ctx, AG_OP_WHERE, NULL, (ag_var *[]){cond, a, b}, 3, 1, NULL);
}
int op_where_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast(ctx, f, ys, where_of); }
int op_where_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *c = f->inputs[0], *zero = const_scalar(ctx, 0.0);
    gxs[0] = NULL;
    gxs[1] = reduce_to(ctx, ag_where(ctx, c, gys[0], zero), f->inputs[1]);
    gxs[2] = reduce_to(ctx, ag_where(ctx, c, zero, gys[0]), f->inputs[2]);
    return gxs[1] && gxs[2] ? 0 : -1;
}

/* ---- maximum, minimum: NaN if either is NaN; ties share the gradient, 0.5 each
 * (as PyTorch): ga = gy * ((a > b) + 0.5*(a == b)), gb = gy * ((b > a) + 0.5*(a == b)) */
double op_maximum_scalar(const ag_op_params *p, double a, double b) {
    return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
}
double op_minimum_scalar(const ag_op_params *p, double a, double b) {
    return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
}
ag_var *ag_maximum(ag_ctx *ctx, ag_var *a, ag_var *b) { return op_binary(ctx, OP_ROW(AG_OP_MAXIMUM), NULL, a, b); }
ag_var *ag_minimum(ag_ctx *ctx, ag_var *a, ag_var *b) { return op_binary(ctx, OP_ROW(AG_OP_MINIMUM), NULL, a, b); }
int op_maximum_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_minimum_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }

/* (x wins) + 0.5*(tie): the share of the gradient x gets against y. */
static ag_var *share(ag_ctx *ctx, ag_var *wins, ag_var *x, ag_var *y) {
    return ag_add(ctx, wins, ag_mul(ctx, const_scalar(ctx, 0.5), ag_eq(ctx, x, y)));
}
static int extremum_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs, bool max) {
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    ag_var *sa = share(ctx, max ? ag_gt(ctx, a, b) : ag_lt(ctx, a, b), a, b);
    ag_var *sb = share(ctx, max ? ag_gt(ctx, b, a) : ag_lt(ctx, b, a), a, b);
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], sa), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], sb), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
int op_maximum_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return extremum_backward(ctx, f, gys, gxs, true);
}
int op_minimum_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return extremum_backward(ctx, f, gys, gxs, false);
}
/* extremum_backward for one element, with the same ops' scalar hooks */
static unsigned extremum_scalar_grad(double gy, double a, double b, bool max, double *ga, double *gb) {
    double tie = 0.5 * op_eq_scalar(NULL, a, b);
    double wins_a = max ? op_gt_scalar(NULL, a, b) : op_lt_scalar(NULL, a, b);
    double wins_b = max ? op_gt_scalar(NULL, b, a) : op_lt_scalar(NULL, b, a);
    *ga = gy * (wins_a + tie), *gb = gy * (wins_b + tie);
    return 0;
}
unsigned op_maximum_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                                double *gb) {
    return extremum_scalar_grad(gy, a, b, true, ga, gb);
}
unsigned op_minimum_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                                double *gb) {
    return extremum_scalar_grad(gy, a, b, false, ga, gb);
}
