/* builtins_ops.c — the built-ins of the ops PyTorch users reach for (issue 32):
 * comparisons and selection, activations, more elementwise math, reductions
 * and scans, creation and movement, losses.  Each row calls one engine op
 * (include/autograd/ag_ops.h); the help line says where PyTorch differs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

static int done_var(repl *r, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error(r);
    *out = value_var(v);
    return 0;
}

#define UNARY(name, op)                                                          \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        if (arg_var(r, a, 0, &x) < 0) return -1;                                 \
        return done_var(r, op(r->ctx, x), out);                                  \
    }
#define BINARY(name, op)                                                         \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x, *y;                                                           \
        if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;     \
        return done_var(r, op(r->ctx, x, y), out);                               \
    }

/* ---- comparisons and selection -------------------------------------------------- */

BINARY(eq, ag_eq)
BINARY(ne, ag_ne)
BINARY(lt, ag_lt)
BINARY(le, ag_le)
BINARY(gt, ag_gt)
BINARY(ge, ag_ge)
UNARY(isnan, ag_isnan)
UNARY(isinf, ag_isinf)
UNARY(isfinite, ag_isfinite)
BINARY(maximum, ag_maximum)
BINARY(minimum, ag_minimum)

static int builtin_isclose(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y;
    double rtol, atol;
    bool equal_nan;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0 || arg_number(r, a, 2, &rtol) < 0 ||
        arg_number(r, a, 3, &atol) < 0 || arg_bool(r, a, 4, &equal_nan) < 0)
        return -1;
    return done_var(r, ag_isclose(r->ctx, x, y, rtol, atol, equal_nan), out);
}

static int builtin_where(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *c, *x, *y;
    if (arg_var(r, a, 0, &c) < 0 || arg_var(r, a, 1, &x) < 0 || arg_var(r, a, 2, &y) < 0) return -1;
    return done_var(r, ag_where(r->ctx, c, x, y), out);
}

/* ---- activations and elementwise math ------------------------------------------------ */

UNARY(selu, ag_selu)
UNARY(silu, ag_silu)
UNARY(mish, ag_mish)
UNARY(sign, ag_sign)
UNARY(floor, ag_floor)
UNARY(ceil, ag_ceil)
UNARY(round, ag_round)
UNARY(trunc, ag_trunc)
UNARY(rsqrt, ag_rsqrt)
UNARY(log2, ag_log2)
UNARY(log10, ag_log10)
UNARY(exp2, ag_exp2)
UNARY(asin, ag_asin)
UNARY(acos, ag_acos)
UNARY(atan, ag_atan)
UNARY(sinh, ag_sinh)
UNARY(cosh, ag_cosh)
UNARY(asinh, ag_asinh)
UNARY(acosh, ag_acosh)
UNARY(atanh, ag_atanh)
UNARY(erf, ag_erf)
BINARY(logaddexp, ag_logaddexp)
BINARY(fmod, ag_fmod)

/* NAME(x, number) */
#define UNARY_NUMBER(name, op)                                                   \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        double v;                                                                \
        if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &v) < 0) return -1;  \
        return done_var(r, op(r->ctx, x, v), out);                               \
    }
UNARY_NUMBER(leaky_relu, ag_leaky_relu)
UNARY_NUMBER(elu, ag_elu)

static int builtin_softplus(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double beta, threshold;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &beta) < 0 || arg_number(r, a, 2, &threshold) < 0)
        return -1;
    return done_var(r, ag_softplus(r->ctx, x, beta, threshold), out);
}

static int builtin_hardtanh(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double lo, hi;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &lo) < 0 || arg_number(r, a, 2, &hi) < 0) return -1;
    return done_var(r, ag_hardtanh(r->ctx, x, lo, hi), out);
}

static int builtin_softmin(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return done_var(r, ag_softmin(r->ctx, x, axis), out);
}

static int builtin_lerp(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y, *w;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0 || arg_var(r, a, 2, &w) < 0) return -1;
    return done_var(r, ag_lerp(r->ctx, x, y, w), out);
}

#define NOGRAD "; no gradient (a 0/1 result)"
#define ZEROGRAD "; gradient 0, as PyTorch"

const builtin_def builtins_ops[] = {
    {"eq", "a, b", builtin_eq, "elementwise", "1 where a == b, else 0 (a == b on tensors)" NOGRAD},
    {"ne", "a, b", builtin_ne, "elementwise", "1 where a != b, else 0 (a != b on tensors)" NOGRAD},
    {"lt", "a, b", builtin_lt, "elementwise", "1 where a < b, else 0 (a < b on tensors)" NOGRAD},
    {"le", "a, b", builtin_le, "elementwise", "1 where a <= b, else 0 (a <= b on tensors)" NOGRAD},
    {"gt", "a, b", builtin_gt, "elementwise", "1 where a > b, else 0 (a > b on tensors)" NOGRAD},
    {"ge", "a, b", builtin_ge, "elementwise", "1 where a >= b, else 0 (a >= b on tensors)" NOGRAD},
    {"isnan", "x", builtin_isnan, "elementwise", "1 where x is NaN, else 0" NOGRAD},
    {"isinf", "x", builtin_isinf, "elementwise", "1 where x is +Inf or -Inf, else 0" NOGRAD},
    {"isfinite", "x", builtin_isfinite, "elementwise", "1 where x is neither NaN nor infinite, else 0" NOGRAD},
    {"isclose", "a, b, rtol=1e-05, atol=1e-08, equal_nan=false", builtin_isclose, "elementwise",
     "1 where |a - b| <= atol + rtol*|b|, as torch.isclose" NOGRAD},
    {"where", "cond, a, b", builtin_where, "elementwise",
     "a where cond is not 0, else b (the three broadcast); gradient to a and b, none to cond"},
    {"maximum", "a, b", builtin_maximum, "elementwise",
     "elementwise larger of a and b (NaN if either is); a tie gives each half the gradient, as PyTorch"},
    {"minimum", "a, b", builtin_minimum, "elementwise",
     "elementwise smaller of a and b (NaN if either is); a tie gives each half the gradient, as PyTorch"},
    {"leaky_relu", "x, negative_slope=0.01", builtin_leaky_relu, "nn",
     "x where x > 0, else negative_slope*x (the gradient at 0 is negative_slope, as PyTorch)"},
    {"elu", "x, alpha=1", builtin_elu, "nn", "x where x > 0, else alpha*(exp(x) - 1)"},
    {"selu", "x", builtin_selu, "nn", "scale*elu(x, alpha), PyTorch's constants (scale 1.0507..., alpha 1.6733...)"},
    {"silu", "x", builtin_silu, "nn", "x * sigmoid(x) (swish)"},
    {"softplus", "x, beta=1, threshold=20", builtin_softplus, "nn",
     "log(1 + exp(beta*x))/beta, x itself where beta*x > threshold"},
    {"mish", "x", builtin_mish, "nn", "x * tanh(softplus(x))"},
    {"hardtanh", "x, min_val=-1, max_val=1", builtin_hardtanh, "nn",
     "x limited to [min_val, max_val]; gradient 1 strictly inside, 0 at the bounds and outside"},
    {"softmin", "x, axis=-1", builtin_softmin, "nn", "softmax(-x) along axis"},
    {"sign", "x", builtin_sign, "elementwise", "-1, 0 or 1 (NaN stays NaN)" ZEROGRAD},
    {"floor", "x", builtin_floor, "elementwise", "the largest whole number <= x" ZEROGRAD},
    {"ceil", "x", builtin_ceil, "elementwise", "the smallest whole number >= x" ZEROGRAD},
    {"round", "x", builtin_round, "elementwise", "the nearest whole number, halves to even (round(2.5) = 2)" ZEROGRAD},
    {"trunc", "x", builtin_trunc, "elementwise", "x without its fraction, toward 0" ZEROGRAD},
    {"rsqrt", "x", builtin_rsqrt, "elementwise", "1 / sqrt(x)"},
    {"log2", "x", builtin_log2, "elementwise", "base-2 logarithm"},
    {"log10", "x", builtin_log10, "elementwise", "base-10 logarithm"},
    {"exp2", "x", builtin_exp2, "elementwise", "2 to the x"},
    {"asin", "x", builtin_asin, "elementwise", "arcsine (NaN outside [-1, 1])"},
    {"acos", "x", builtin_acos, "elementwise", "arccosine (NaN outside [-1, 1])"},
    {"atan", "x", builtin_atan, "elementwise", "arctangent"},
    {"sinh", "x", builtin_sinh, "elementwise", "hyperbolic sine"},
    {"cosh", "x", builtin_cosh, "elementwise", "hyperbolic cosine"},
    {"asinh", "x", builtin_asinh, "elementwise", "inverse hyperbolic sine"},
    {"acosh", "x", builtin_acosh, "elementwise", "inverse hyperbolic cosine (NaN below 1)"},
    {"atanh", "x", builtin_atanh, "elementwise", "inverse hyperbolic tangent (+-Inf at +-1)"},
    {"erf", "x", builtin_erf, "elementwise", "the error function"},
    {"lerp", "a, b, weight", builtin_lerp, "elementwise", "a + weight*(b - a); weight a number or a variable"},
    {"logaddexp", "a, b", builtin_logaddexp, "elementwise", "log(exp(a) + exp(b)) without overflow"},
    {"fmod", "a, b", builtin_fmod, "elementwise",
     "the remainder of a/b with the sign of a (C's fmod, torch.fmod; % on numbers takes b's sign)"},
    {0},
};
