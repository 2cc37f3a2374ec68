/* ops_act.c — activations and elementwise math PyTorch has: leaky_relu elu
 * selu silu softplus mish hardtanh; sign floor ceil round trunc (gradient 0);
 * rsqrt log2 log10 exp2 asin acos atan sinh cosh asinh acosh atanh erf;
 * logaddexp, fmod, hypot, copysign, remainder and floor_divide (broadcasting).  Each forward applies the op's scalar
 * hook to every element (so the 0-d fast path gives the same bits); each
 * backward is gy times the local derivative built from public ops, so
 * create_graph can differentiate it again.  The scalar gradients
 * (op_<stem>_scalar_grad, backward's flat pass) compute those gradients for
 * one element with the same ops' scalar hooks in the same order (the s_*
 * helpers below), so they give the backward's bits. */
#include <math.h>
#include <string.h>

#include "internal.h"

#define LN2 0.6931471805599453
#define LN10 2.302585092994046
#define TWO_OVER_SQRT_PI 1.1283791670955126
#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946

static ag_var *k(ag_ctx *ctx, double v) { return const_scalar(ctx, v); }

/* The public ops the derivatives below are made of, for one element: each
 * op's scalar hook, which its forward applies to every element. */
static double s_sq(double x) { return op_square_scalar(NULL, x, 0.0); }
static double s_exp(double x) { return op_exp_scalar(NULL, x, 0.0); }
static double s_neg(double x) { return op_neg_scalar(NULL, x, 0.0); }
static double s_sigmoid(double x) { return op_sigmoid_scalar(NULL, x, 0.0); }
static double s_tanh(double x) { return op_tanh_scalar(NULL, x, 0.0); }
static double s_pow(double x, double e) { return op_pow_scalar(&(ag_op_params){.p = e}, x, 0.0); }
static double s_gt(double a, double b) { return op_gt_scalar(NULL, a, b); }
static double s_where(double c, double a, double b) { return c != 0.0 ? a : b; } /* where_of */

/* op_<stem>_scalar_grad of a one-input op whose backward is
 * times_gy(..., DERIV): gy * d, d the derivative for one element (D, an
 * expression in x, y and p computing DERIV's value as its ops do). */
#define UNARY_SCALAR_GRAD(stem, D)                                                         \
    unsigned op_##stem##_scalar_grad(const ag_op_params *p, double gy, double x, double b, \
                                     double y, double *ga, double *gb) {                   \
        (void)p, (void)b, (void)y, (void)gb;                                               \
        *ga = op_mul_scalar(NULL, gy, (D));                                                \
        return 0;                                                                          \
    }

/* gxs[0] = gy * d, d the local derivative (a variable shaped like x). */
static int times_gy(ag_ctx *ctx, ag_var *const *gys, ag_var **gxs, ag_var *d) {
    gxs[0] = ag_mul(ctx, gys[0], d);
    RETURN_GX0;
}

/* Defines ag_NAME(ctx, x), the forward (the scalar hook over x), the scalar
 * hook (EXPR in x and p), the backward gy * DERIV (an expression of public
 * ops in ctx, x = the input, y = the output, p = the params) and its scalar
 * gradient gy * D (D: DERIV's value for one element, UNARY_SCALAR_GRAD). */
#define UNARY_OP(stem, ID, EXPR, DERIV, D)                                                  \
    UNARY_SCALAR_GRAD(stem, D)                                                             \
    double op_##stem##_scalar(const ag_op_params *p, double x, double b) {                 \
        (void)p, (void)b;                                                                  \
        return (EXPR);                                                                     \
    }                                                                                      \
    ag_var *ag_##stem(ag_ctx *ctx, ag_var *x) {                                            \
        return op_apply_one(ctx, OP_ROW(AG_OP_##ID), op_##stem##_scalar, x);               \
    }                                                                                      \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); } \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {  \
        ag_var *x = f->inputs[0], *y = f->outputs[0];                                     \
        const ag_op_params *p = FUNC_PARAMS(f);                                                \
        (void)x, (void)y, (void)p;                                                         \
        return times_gy(ctx, gys, gxs, (DERIV));                                           \
    }

/* ---- steps: gradient 0 everywhere, as PyTorch ------------------------------------------ */
#define ZERO_LIKE_X ag_zeros_like(ctx, x)
UNARY_OP(sign, SIGN, isnan(x) ? x : (double)((x > 0) - (x < 0)), ZERO_LIKE_X, 0.0)
UNARY_OP(floor, FLOOR, floor(x), ZERO_LIKE_X, 0.0)
UNARY_OP(ceil, CEIL, ceil(x), ZERO_LIKE_X, 0.0)
UNARY_OP(round, ROUND, nearbyint(x), ZERO_LIKE_X, 0.0) /* halves to even, as torch.round */
UNARY_OP(trunc, TRUNC, trunc(x), ZERO_LIKE_X, 0.0)

/* ---- powers and logarithms ------------------------------------------------------------- */
UNARY_OP(rsqrt, RSQRT, 1.0 / sqrt(x), ag_mul(ctx, k(ctx, -0.5), ag_pow(ctx, y, 3.0)), -0.5 * s_pow(y, 3.0))
UNARY_OP(log2, LOG2, log2(x), ag_div(ctx, k(ctx, 1.0 / LN2), x), (1.0 / LN2) / x)
UNARY_OP(log10, LOG10, log10(x), ag_div(ctx, k(ctx, 1.0 / LN10), x), (1.0 / LN10) / x)
UNARY_OP(exp2, EXP2, exp2(x), ag_mul(ctx, k(ctx, LN2), y), LN2 * y)

/* ---- trigonometric and hyperbolic -------------------------------------------------------- */
/* 1 - x^2 and x^2 + s, for the inverse functions' derivatives */
static ag_var *one_minus_sq(ag_ctx *ctx, ag_var *x) { return ag_sub(ctx, k(ctx, 1.0), ag_square(ctx, x)); }
static ag_var *sq_plus(ag_ctx *ctx, ag_var *x, double s) { return ag_add(ctx, ag_square(ctx, x), k(ctx, s)); }
UNARY_OP(asin, ASIN, asin(x), ag_pow(ctx, one_minus_sq(ctx, x), -0.5), s_pow(1.0 - s_sq(x), -0.5))
UNARY_OP(acos, ACOS, acos(x), ag_neg(ctx, ag_pow(ctx, one_minus_sq(ctx, x), -0.5)), s_neg(s_pow(1.0 - s_sq(x), -0.5)))
UNARY_OP(atan, ATAN, atan(x), ag_div(ctx, k(ctx, 1.0), sq_plus(ctx, x, 1.0)), 1.0 / (s_sq(x) + 1.0))
UNARY_OP(sinh, SINH, sinh(x), ag_cosh(ctx, x), op_cosh_scalar(NULL, x, 0.0))
UNARY_OP(cosh, COSH, cosh(x), ag_sinh(ctx, x), op_sinh_scalar(NULL, x, 0.0))
UNARY_OP(asinh, ASINH, asinh(x), ag_pow(ctx, sq_plus(ctx, x, 1.0), -0.5), s_pow(s_sq(x) + 1.0, -0.5))
UNARY_OP(acosh, ACOSH, acosh(x), ag_pow(ctx, sq_plus(ctx, x, -1.0), -0.5), s_pow(s_sq(x) + -1.0, -0.5))
UNARY_OP(atanh, ATANH, atanh(x), ag_div(ctx, k(ctx, 1.0), one_minus_sq(ctx, x)), 1.0 / (1.0 - s_sq(x)))
UNARY_OP(erf, ERF, erf(x), ag_mul(ctx, k(ctx, TWO_OVER_SQRT_PI), ag_exp(ctx, ag_neg(ctx, ag_square(ctx, x)))),
         TWO_OVER_SQRT_PI * s_exp(s_neg(s_sq(x))))

/* ---- activations ---------------------------------------------------------------------------- */

/* 1 where x > 0, else the slope p->p (PyTorch: the slope at 0 too) */
static double leaky_slope(double x, const ag_op_params *p) { return x > 0 ? 1.0 : p->p; }
double op_leaky_relu_scalar(const ag_op_params *p, double x, double b) { return x > 0 ? x : x * p->p; }
ag_var *ag_leaky_relu(ag_ctx *ctx, ag_var *x, double negative_slope) {
    return op_apply_one_p(ctx, OP_ROW(AG_OP_LEAKY_RELU), op_leaky_relu_scalar, negative_slope, x);
}
int op_leaky_relu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_leaky_relu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return times_gy(ctx, gys, gxs, const_map(ctx, f->inputs[0], leaky_slope, FUNC_PARAMS(f)));
}
UNARY_SCALAR_GRAD(leaky_relu, leaky_slope(x, p))

/* elu: x where x > 0, else alpha*(exp(x) - 1); d = 1 where x > 0, else alpha*exp(x) */
double op_elu_scalar(const ag_op_params *p, double x, double b) { return x > 0 ? x : p->p * expm1(x); }
ag_var *ag_elu(ag_ctx *ctx, ag_var *x, double alpha) {
    return op_apply_one_p(ctx, OP_ROW(AG_OP_ELU), op_elu_scalar, alpha, x);
}
int op_elu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
/* where(x > 0, 1, scale*alpha*exp(x)) */
static ag_var *elu_deriv(ag_ctx *ctx, ag_var *x, double alpha, double scale) {
    ag_var *positive = ag_gt(ctx, x, k(ctx, 0.0));
    ag_var *below = ag_mul(ctx, k(ctx, scale * alpha), ag_exp(ctx, x));
    return ag_where(ctx, positive, k(ctx, scale), below);
}
int op_elu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return times_gy(ctx, gys, gxs, elu_deriv(ctx, f->inputs[0], f->p, 1.0));
}
/* elu_deriv for one element */
static double s_elu_deriv(double x, double alpha, double scale) {
    return s_where(s_gt(x, 0.0), scale, (scale * alpha) * s_exp(x));
}
UNARY_SCALAR_GRAD(elu, s_elu_deriv(x, p->p, 1.0))

/* selu: scale * elu(x, alpha) with PyTorch's constants */
double op_selu_scalar(const ag_op_params *p, double x, double b) {
    return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x));
}
ag_var *ag_selu(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_SELU), op_selu_scalar, x);
}
int op_selu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_selu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return times_gy(ctx, gys, gxs, elu_deriv(ctx, f->inputs[0], SELU_ALPHA, SELU_SCALE));
}
UNARY_SCALAR_GRAD(selu, s_elu_deriv(x, SELU_ALPHA, SELU_SCALE))

/* silu: x * sigmoid(x); d = s * (1 + x*(1 - s)), s = sigmoid(x) */
static double logistic(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
double op_silu_scalar(const ag_op_params *p, double x, double b) { return x * logistic(x); }
ag_var *ag_silu(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_SILU), op_silu_scalar, x);
}
int op_silu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_silu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0], *s = ag_sigmoid(ctx, x);
    ag_var *d = ag_mul(ctx, s, ag_add(ctx, k(ctx, 1.0), ag_mul(ctx, x, ag_sub(ctx, k(ctx, 1.0), s))));
    return times_gy(ctx, gys, gxs, d);
}
static double s_silu_deriv(double x) {
    double s = s_sigmoid(x);
    return s * (1.0 + x * (1.0 - s));
}
UNARY_SCALAR_GRAD(silu, s_silu_deriv(x))

/* softplus: log(1 + exp(beta x))/beta, x itself where beta x > threshold (PyTorch's);
 * d = sigmoid(beta x), 1 above the threshold */
double op_softplus_scalar(const ag_op_params *p, double x, double b) {
    double bx = p->p * x;
    if (bx > p->hi) return x;
    return (bx > 0 ? bx + log1p(exp(-bx)) : log1p(exp(bx))) / p->p;
}
ag_var *ag_softplus(ag_ctx *ctx, ag_var *x, double beta, double threshold) {
    if (x != NULL && beta == 0) return ctx_error(ctx, AG_ERR_ARG, "softplus: beta must not be 0");
    ag_op_params p = {.p = beta, .hi = threshold};
    return op_unary(ctx, OP_ROW(AG_OP_SOFTPLUS), &p, x);
}
int op_softplus_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_softplus_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *bx = ag_mul(ctx, k(ctx, f->p), f->inputs[0]);
    ag_var *d = ag_where(ctx, ag_gt(ctx, bx, k(ctx, f->hi)), k(ctx, 1.0), ag_sigmoid(ctx, bx));
    return times_gy(ctx, gys, gxs, d);
}
static double s_softplus_deriv(double x, const ag_op_params *p) {
    double bx = p->p * x;
    return s_where(s_gt(bx, p->hi), 1.0, s_sigmoid(bx));
}
UNARY_SCALAR_GRAD(softplus, s_softplus_deriv(x, p))

/* mish: x * tanh(softplus(x)); d = t + x * sigmoid(x) * (1 - t^2), t = tanh(softplus(x)) */
double op_mish_scalar(const ag_op_params *p, double x, double b) {
    ag_op_params sp = {.p = 1.0, .hi = 20.0};
    return x * tanh(op_softplus_scalar(&sp, x, 0.0));
}
ag_var *ag_mish(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_MISH), op_mish_scalar, x);
}
int op_mish_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_mish_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    ag_var *t = ag_tanh(ctx, ag_softplus(ctx, x, 1.0, 20.0));
    ag_var *d = ag_add(ctx, t, ag_mul(ctx, ag_mul(ctx, x, ag_sigmoid(ctx, x)),
                                      ag_sub(ctx, k(ctx, 1.0), ag_square(ctx, t))));
    return times_gy(ctx, gys, gxs, d);
}
static double s_mish_deriv(double x) {
    double t = s_tanh(op_softplus_scalar(&(ag_op_params){.p = 1.0, .hi = 20.0}, x, 0.0));
    return t + (x * s_sigmoid(x)) * (1.0 - s_sq(t));
}
UNARY_SCALAR_GRAD(mish, s_mish_deriv(x))

/* hardtanh: x limited to [lo, hi]; d = 1 strictly inside, 0 elsewhere (PyTorch's) */
static double strictly_inside(double x, const ag_op_params *p) { return p->lo < x && x < p->hi ? 1.0 : 0.0; }
double op_hardtanh_scalar(const ag_op_params *p, double x, double b) {
    double v = x < p->lo ? p->lo : x;
    return v > p->hi ? p->hi : v;
}
ag_var *ag_hardtanh(ag_ctx *ctx, ag_var *x, double min_val, double max_val) {
    if (x != NULL && min_val > max_val)
        return ctx_error(ctx, AG_ERR_ARG, "hardtanh: min_val %g is greater than max_val %g", min_val,
                         max_val);
    ag_op_params p = {.lo = min_val, .hi = max_val};
    return op_unary(ctx, OP_ROW(AG_OP_HARDTANH), &p, x);
}
int op_hardtanh_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_hardtanh_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return times_gy(ctx, gys, gxs, const_map(ctx, f->inputs[0], strictly_inside, FUNC_PARAMS(f)));
}
UNARY_SCALAR_GRAD(hardtanh, strictly_inside(x, p))

/* softmin along axis: softmax(-x), made of Neg and Softmax */
ag_var *ag_softmin(ag_ctx *ctx, ag_var *x, int axis) { return ag_softmax(ctx, ag_neg(ctx, x), axis); }

/* ---- binary, broadcasting ---------------------------------------------------------------- */

/* logaddexp: log(exp(a) + exp(b)) = m + log1p(exp(-|a - b|)), m = max(a, b);
 * ga = gy * exp(a - y), gb = gy * exp(b - y) */
double op_logaddexp_scalar(const ag_op_params *p, double a, double b) {
    if (isinf(a) && a == b) return a; /* -inf, -inf stays -inf; inf, inf stays inf */
    double m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}
ag_var *ag_logaddexp(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_LOGADDEXP), op_logaddexp_scalar, a, b);
}
int op_logaddexp_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_logaddexp_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1], *y = f->outputs[0];
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_exp(ctx, ag_sub(ctx, a, y))), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_exp(ctx, ag_sub(ctx, b, y))), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
unsigned op_logaddexp_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                                  double *gb) {
    *ga = gy * s_exp(a - y), *gb = gy * s_exp(b - y);
    return 0;
}

/* fmod: C's fmod, the sign of a (torch.fmod); ga = gy, gb = -gy * trunc(a / b) */
double op_fmod_scalar(const ag_op_params *p, double a, double b) { return fmod(a, b); }
ag_var *ag_fmod(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_FMOD), op_fmod_scalar, a, b);
}
int op_fmod_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_fmod_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    gxs[0] = reduce_to(ctx, gys[0], a);
    gxs[1] = reduce_to(ctx, ag_neg(ctx, ag_mul(ctx, gys[0], ag_trunc(ctx, ag_div(ctx, a, b)))), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
unsigned op_fmod_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                             double *gb) {
    *ga = gy, *gb = s_neg(gy * op_trunc_scalar(NULL, a / b, 0.0));
    return SCALAR_GRAD_PASSES_A; /* ga is gy's own variable */
}

/* hypot: sqrt(a^2 + b^2) without overflow (C's hypot, torch.hypot);
 * ga = gy * a / y, gb = gy * b / y */
double op_hypot_scalar(const ag_op_params *p, double a, double b) { return hypot(a, b); }
ag_var *ag_hypot(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_HYPOT), op_hypot_scalar, a, b);
}
int op_hypot_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_hypot_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1], *y = f->outputs[0];
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_div(ctx, a, y)), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], ag_div(ctx, b, y)), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
unsigned op_hypot_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                              double *gb) {
    *ga = gy * (a / y), *gb = gy * (b / y);
    return 0;
}

/* copysign: |a| with b's sign bit (C's copysign, torch.copysign);
 * ga = gy * y / a, 0 where a = 0 (PyTorch's): sign(a) * copysign(1, b); gb = 0 */
double op_copysign_scalar(const ag_op_params *p, double a, double b) { return copysign(a, b); }
ag_var *ag_copysign(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_COPYSIGN), op_copysign_scalar, a, b);
}
int op_copysign_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_copysign_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    ag_var *ratio = ag_mul(ctx, ag_sign(ctx, a), ag_copysign(ctx, const_scalar(ctx, 1.0), b)); /* y/a, 0 at a = 0 */
    gxs[0] = reduce_to(ctx, ag_mul(ctx, gys[0], ratio), a);
    gxs[1] = reduce_to(ctx, ag_mul(ctx, gys[0], const_scalar(ctx, 0.0)), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
unsigned op_copysign_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                                 double *gb) {
    *ga = gy * (op_sign_scalar(NULL, a, 0.0) * op_copysign_scalar(NULL, 1.0, b)), *gb = gy * 0.0;
    return 0;
}

/* a // b floored as Python's float // and torch.floor_divide: through fmod,
 * so a // b * b + a % b gives a back as nearly as doubles can */
static double floor_quotient(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b), div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
    if (div == 0) return copysign(0.0, a / b);
    double floored = floor(div);
    return div - floored > 0.5 ? floored + 1.0 : floored;
}

/* remainder: a - (a // b) * b, the divisor's sign (torch.remainder, Python's %);
 * ga = gy, gb = -gy * (a // b) */
double op_remainder_scalar(const ag_op_params *p, double a, double b) {
    double m = fmod(a, b);
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}
ag_var *ag_remainder(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_REMAINDER), op_remainder_scalar, a, b);
}
int op_remainder_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_remainder_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    gxs[0] = reduce_to(ctx, gys[0], a);
    gxs[1] = reduce_to(ctx, ag_neg(ctx, ag_mul(ctx, gys[0], ag_floor_divide(ctx, a, b))), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}
unsigned op_remainder_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y, double *ga,
                                  double *gb) {
    *ga = gy, *gb = s_neg(gy * floor_quotient(a, b));
    return SCALAR_GRAD_PASSES_A; /* ga is gy's own variable */
}

/* floor_divide: a // b, floored; no gradient, as PyTorch defines none */
double op_floor_divide_scalar(const ag_op_params *p, double a, double b) { return floor_quotient(a, b); }
ag_var *ag_floor_divide(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return op_apply_pair(ctx, OP_ROW(AG_OP_FLOOR_DIVIDE), op_floor_divide_scalar, a, b);
}
int op_floor_divide_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast_hook(ctx, f, ys); }
int op_floor_divide_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = gxs[1] = NULL;
    return 0;
}

/* lerp: a + w*(b - a), made of Sub, Mul and Add (w a variable or a constant) */
ag_var *ag_lerp(ag_ctx *ctx, ag_var *a, ag_var *b, ag_var *w) {
    return ag_add(ctx, a, ag_mul(ctx, w, ag_sub(ctx, b, a)));
}
