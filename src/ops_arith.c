/* ops_arith.c — add, sub, mul, div, neg, pow: each forward with its
 * backward right below it (upstream's variable package).  Binary ops broadcast; their
 * gradients are summed back to each input's shape. */
#include <math.h>

#include "internal.h"

/* ---- add: y = a + b --------------------------------------------------------- */
ag_var *ag_add(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_ADD), op_add_scalar, a, b);
}
int op_add_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_arith(ctx, f, ys, T_ADD);
}
/* The backward's result: -1 when a gradient an input wants came out NULL. */
static int pair_done(const ag_func *f, ag_var **gxs) {
    return (gxs[0] == NULL && input_wants_grad(f, 0)) || (gxs[1] == NULL && input_wants_grad(f, 1)) ? -1 : 0;
}

int op_add_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (input_wants_grad(f, 0)) gxs[0] = reduce_to(ctx, gys[0], f->inputs[0]);
    if (input_wants_grad(f, 1)) gxs[1] = reduce_to(ctx, gys[0], f->inputs[1]);
    return pair_done(f, gxs);
}

/* ---- sub: y = a - b --------------------------------------------------------- */
ag_var *ag_sub(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_SUB), op_sub_scalar, a, b);
}
int op_sub_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_arith(ctx, f, ys, T_SUB);
}
/* ag_neg(ctx, gy); without a graph to record, made directly into one new
 * variable, each element as Neg's forward computes it (Neg keeps values
 * finite: no check). */
static ag_var *neg_grad(ag_ctx *ctx, ag_var *gy) {
    if (ctx->grad_enabled || gy == NULL || gy->ctx != ctx) return ag_neg(ctx, gy);
    ag_var *g = var_uninit_like(ctx, gy);
    if (g == NULL) return NULL;
    for (size_t i = 0; i < g->t.size; i++) g->t.data[i] = negate(gy->t.data[i]);
    return g;
}

int op_sub_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (input_wants_grad(f, 0)) gxs[0] = reduce_to(ctx, gys[0], f->inputs[0]);
    if (input_wants_grad(f, 1)) gxs[1] = reduce_to(ctx, neg_grad(ctx, gys[0]), f->inputs[1]);
    return pair_done(f, gxs);
}

/* ---- mul: y = a * b; ga = gy * b, gb = gy * a ----------------------------------- */
/* bool * bool is bool, as PyTorch's (a logical and; the numbers stay 0 and
 * 1): (x > 0) * (y < 1) is still a mask.  Out of ag_mul's line, whose
 * usual case stays a tail call. */
static __attribute__((noinline)) ag_var *mul_bools(ag_ctx *ctx, ag_var *a, ag_var *b) {
    ag_var *y = op_apply_pair(ctx, OP_ROW(AG_OP_MUL), op_mul_scalar, a, b);
    if (y != NULL) y->flags |= AG_VAR_BOOL;
    return y;
}

ag_var *ag_mul(ag_ctx *ctx, ag_var *a, ag_var *b) {
    if (__builtin_expect(a != NULL && b != NULL && (a->flags & b->flags & AG_VAR_BOOL), 0))
        return mul_bools(ctx, a, b);
    return op_apply_pair(ctx, OP_ROW(AG_OP_MUL), op_mul_scalar, a, b);
}
int op_mul_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_arith(ctx, f, ys, T_MUL);
}
/* ---- direct backwards of the binary ops (see DIRECT_RULE in internal.h) ----------
 * The gradients in one pass when gy, a and b share a shape (no broadcast to
 * undo), each element computed exactly as the ops would; a constant's
 * (input_wants_grad) is not made: its pointer is NULL. */
typedef void (*pair_rule)(double *restrict ga, double *restrict gb, const double *restrict gy,
                          const double *restrict a, const double *restrict b, size_t n);

static bool pair_direct(ag_ctx *ctx, ag_func *f, ag_var *gy, ag_var **gxs, pair_rule rule) {
    const ag_var *a = f->inputs[0], *b = f->inputs[1];
    if (gy == NULL || !shape_equal(a->t.ndim, a->t.shape, b->t.ndim, b->t.shape)) return false;
    if (!direct_applies(ctx, f, gy)) return false;
    ag_var *ga = input_wants_grad(f, 0) ? var_uninit_like(ctx, a) : NULL;
    ag_var *gb = input_wants_grad(f, 1) ? var_uninit_like(ctx, b) : NULL;
    if ((ga == NULL && input_wants_grad(f, 0)) || (gb == NULL && input_wants_grad(f, 1)))
        return false; /* what was made is left to the collector */
    rule(ga ? ga->t.data : NULL, gb ? gb->t.data : NULL, gy->t.data, a->t.data, b->t.data, a->t.size);
    if ((ga && !direct_accept(ctx, ga)) || (gb && !direct_accept(ctx, gb))) return false;
    gxs[0] = ga;
    gxs[1] = gb;
    return true;
}

/* ga = gy * b, gb = gy * a (either NULL: not wanted); unrolled by 4 so -O2
 * vectorizes it */
static void mul_grads(double *restrict ga, double *restrict gb, const double *restrict gy,
                      const double *restrict a, const double *restrict b, size_t n) {
    size_t i = 0;
    if (ga != NULL && gb != NULL)
        for (; i + 4 <= n; i += 4) {
            ga[i] = gy[i] * b[i], ga[i + 1] = gy[i + 1] * b[i + 1];
            ga[i + 2] = gy[i + 2] * b[i + 2], ga[i + 3] = gy[i + 3] * b[i + 3];
            gb[i] = gy[i] * a[i], gb[i + 1] = gy[i + 1] * a[i + 1];
            gb[i + 2] = gy[i + 2] * a[i + 2], gb[i + 3] = gy[i + 3] * a[i + 3];
        }
    if (ga != NULL)
        for (size_t j = i; j < n; j++) ga[j] = gy[j] * b[j];
    if (gb != NULL)
        for (size_t j = i; j < n; j++) gb[j] = gy[j] * a[j];
}

/* ga = gy / b, gb = gy * (-a / (b*b)) (either NULL: not wanted) */
static void div_grads(double *restrict ga, double *restrict gb, const double *restrict gy,
                      const double *restrict a, const double *restrict b, size_t n) {
    if (ga != NULL)
        for (size_t i = 0; i < n; i++) ga[i] = gy[i] / b[i];
    if (gb != NULL)
        for (size_t i = 0; i < n; i++) gb[i] = gy[i] * (negate(a[i]) / (b[i] * b[i]));
}

int op_mul_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (pair_direct(ctx, f, gys[0], gxs, mul_grads)) return 0;
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    if (input_wants_grad(f, 0)) gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], b), a);
    if (input_wants_grad(f, 1)) gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], a), b);
    return pair_done(f, gxs);
}

/* ---- div: y = a / b; ga = gy / b, gb = gy * (-a / (b*b)) ------------------------- */
ag_var *ag_div(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_DIV), op_div_scalar, a, b);
}
int op_div_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_arith(ctx, f, ys, T_DIV);
}
int op_div_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (pair_direct(ctx, f, gys[0], gxs, div_grads)) return 0;
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    if (input_wants_grad(f, 0)) gxs[0] = reduce_to(ctx, ag_div(ctx, gys[0], b), a);
    if (input_wants_grad(f, 1))
        gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_div(ctx, ag_neg(ctx, a), ag_mul(ctx, b, b))), b);
    return pair_done(f, gxs);
}

/* ---- neg: y = -x --------------------------------------------------------------- */
ag_var *ag_neg(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_NEG), op_neg_scalar, x);
}
int op_neg_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_neg_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_neg(ctx, gys[0]);
    return gxs[0] ? 0 : -1;
}

/* ---- pow: y = x^p for a constant p; gx = gy * (p * x^(p-1)), and 0 for p = 0 ----
 * As PyTorch: for p = 0 the gradient is 0 everywhere (a constant), not
 * 0 * x^-1, which is NaN at x = 0.  Higher orders come out right with it:
 * the gradient of x^1 is gy * (1 * x^0), whose own gradient is then 0, so the
 * n-th derivative of x^n at 0 is n! and the next one 0, never 0 * 0^-1. */
ag_var *ag_pow(ag_ctx *ctx, ag_var *x, double p) {
    return op_apply_one_p(ctx, OP_ROW(AG_OP_POW), op_pow_scalar, p, x);
}
int op_pow_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(pow_grad, p->p == 0.0 ? 0.0 : gy * (p->p * t_pow(x, p->p - 1)))
int op_pow_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, pow_grad)) return 0;
    double p = f->p;
    if (p == 0.0) {
        ag_var *x = f->inputs[0];
        gxs[0] = gys[0] != NULL ? ag_zeros(ctx, x->t.ndim, x->t.shape) : NULL;
        if (gxs[0] != NULL) gxs[0]->flags |= AG_VAR_CONST;
    } else {
        gxs[0] = ag_mul(ctx, gys[0], ag_mul(ctx, const_scalar(ctx, p), ag_pow(ctx, f->inputs[0], p - 1)));
    }
    return gxs[0] ? 0 : -1;
}

/* ---- powv: y = a^b, both variables; ga = gy * b * a^(b-1), gb = gy * y * log(a) ---
 * PyTorch's exceptions, where the rule would give 0 * inf: ga is 0 where
 * b = 0, gb is 0 where a = 0 and b >= 0.  Where such elements exist, a is
 * replaced by 1 in them (so every factor and every derivative of the rule
 * stays finite) and the result multiplied by a 0/1 mask (so they are 0 to
 * every order); elsewhere the graph is upstream's, unchanged. */

static bool zero_exponent_at_zero(double a, double b) { return b == 0.0 && a == 0.0; }
static bool zero_base(double a, double b) { return a == 0.0 && b >= 0.0; }

/* a with 1 in place of the elements where mask is 1 (a + mask, a = 0 there). */
static ag_var *ones_where(ag_ctx *ctx, ag_var *a, ag_var *mask) { return ag_add(ctx, a, mask); }
static ag_var *zero_where(ag_ctx *ctx, ag_var *g, ag_var *mask) {
    return ag_mul(ctx, g, ag_sub(ctx, const_scalar(ctx, 1.0), mask));
}

ag_var *ag_powv(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_POWV), op_powv_scalar, a, b);
}
int op_powv_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_arith(ctx, f, ys, T_POW);
}
int op_powv_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1], *y = f->outputs[0];
    bool any_a = false, any_b = false;
    ag_var *mask_a = const_map2(ctx, f, zero_exponent_at_zero, &any_a);
    ag_var *mask_b = mask_a ? const_map2(ctx, f, zero_base, &any_b) : NULL;
    if (mask_b == NULL) return -1;
    ag_var *b_minus_1 = ag_sub(ctx, b, const_scalar(ctx, 1.0));
    ag_var *base_a = any_a ? ones_where(ctx, a, mask_a) : a;
    ag_var *ga = ag_mul(ctx, gys[0], ag_mul(ctx, b, ag_powv(ctx, base_a, b_minus_1)));
    gxs[0] = reduce_to(ctx, any_a ? zero_where(ctx, ga, mask_a) : ga, a);
    ag_var *base_b = any_b ? ones_where(ctx, a, mask_b) : a;
    ag_var *gb = ag_mul(ctx, gys[0], ag_mul(ctx, y, ag_log(ctx, base_b)));
    gxs[1] = reduce_to(ctx, any_b ? zero_where(ctx, gb, mask_b) : gb, b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
/* op_powv_backward for one element: a mask of 1 makes the base a + 1 and
 * the gradient times 1 - 1 */
unsigned op_powv_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                             double *gb) {
    bool any_a = zero_exponent_at_zero(a, b), any_b = zero_base(a, b);
    double g = gy * (b * op_powv_scalar(NULL, any_a ? a + 1.0 : a, b - 1.0));
    *ga = any_a ? g * (1.0 - 1.0) : g;
    double h = gy * (y * op_log_scalar(NULL, any_b ? a + 1.0 : a, 0.0));
    *gb = any_b ? h * (1.0 - 1.0) : h;
    return 0;
}

/* ---- one element, for op_apply's scalar fast path ------------------------------------- */

/* The scalar hooks (ag_op_def.scalar): t_binary's T_ADD .. T_POW and the
 * forwards' element rules, one element at a time. */
double op_add_scalar(const ag_op_params *p, double a, double b) { return a + b; }
double op_sub_scalar(const ag_op_params *p, double a, double b) { return a - b; }
double op_mul_scalar(const ag_op_params *p, double a, double b) { return a * b; }
double op_div_scalar(const ag_op_params *p, double a, double b) { return a / b; }
double op_powv_scalar(const ag_op_params *p, double a, double b) { return t_pow(a, b); }
double op_neg_scalar(const ag_op_params *p, double a, double b) { return negate(a); }
double op_pow_scalar(const ag_op_params *p, double a, double b) { return t_pow(a, p->p); }

/* The scalar gradient hooks (ag_op_def.scalar_grad): each backward above for
 * one element with no graph recorded.  Add and Sub pass gy on as it is
 * (reduce_to hands back gy itself), Sub's second is neg_grad's negate(gy);
 * Mul's and Div's are mul_grads' and div_grads'; Neg's is ag_neg(gy) made
 * by Neg's scalar hook; Pow's is its DIRECT_RULE. */
unsigned op_add_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy, *gb = gy;
    return SCALAR_GRAD_PASSES_A | SCALAR_GRAD_PASSES_B;
}
unsigned op_sub_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy, *gb = negate(gy);
    return SCALAR_GRAD_PASSES_A;
}
unsigned op_mul_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy * b, *gb = gy * a;
    return 0;
}
unsigned op_div_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy / b, *gb = gy * (negate(a) / (b * b));
    return 0;
}
unsigned op_neg_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = negate(gy);
    return 0;
}
SCALAR_GRAD_OF_RULE(pow, pow_grad)
