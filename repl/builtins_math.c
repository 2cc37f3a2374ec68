/* builtins_math.c — the elementwise built-ins: neg, exp, log, the trig
 * functions, abs, pow, clip, the activations and the operators as
 * functions (add, sub, mul, div). */
#include <math.h>

#include "repl_internal.h"

#define UNARY_BUILTIN(name, op)                                                  \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        if (arg_var(r, a, 0, &x) < 0) return -1;                                 \
        return builtin_done_var(r, op(r->ctx, x), out);                                  \
    }

UNARY_BUILTIN(neg, ag_neg)
UNARY_BUILTIN(exp, ag_exp)
UNARY_BUILTIN(log, ag_log)
UNARY_BUILTIN(sin, ag_sin)
UNARY_BUILTIN(cos, ag_cos)
UNARY_BUILTIN(tan, ag_tan)
UNARY_BUILTIN(tanh, ag_tanh)
UNARY_BUILTIN(sqrt, ag_sqrt)
UNARY_BUILTIN(square, ag_square)
UNARY_BUILTIN(sigmoid, ag_sigmoid)
UNARY_BUILTIN(relu, ag_relu)
UNARY_BUILTIN(gelu, ag_gelu)

/* abs of a plain number stays a number (for conditions like abs(a - b) < 1e-6). */
static int builtin_abs(repl *r, const builtin_args *a, repl_value *out) {
    if (a->values[0].kind == VALUE_NUMBER) {
        *out = value_number(fabs(a->values[0].as.number));
        return 0;
    }
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    return builtin_done_var(r, ag_abs(r->ctx, x), out);
}

static int builtin_pow(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *p;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (a->values[1].kind == VALUE_NUMBER) return builtin_done_var(r, ag_pow(r->ctx, x, a->values[1].as.number), out);
    if (arg_var(r, a, 1, &p) < 0) return -1;
    return builtin_done_var(r, ag_powv(r->ctx, x, p), out);
}

static int builtin_clip(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double lo, hi;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &lo) < 0 || arg_number(r, a, 2, &hi) < 0)
        return -1;
    return builtin_done_var(r, ag_clip(r->ctx, x, lo, hi), out);
}

typedef ag_var *(*binary_fn)(ag_ctx *, ag_var *, ag_var *);

static int binary(repl *r, const builtin_args *a, repl_value *out, binary_fn fn) {
    ag_var *x, *y;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;
    return builtin_done_var(r, fn(r->ctx, x, y), out);
}

/* add(a, b) ... div(a, b): the operators as functions (DeZero's F.add, torch.add) */
static int builtin_add(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_add); }
static int builtin_sub(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_sub); }
static int builtin_mul(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_mul); }
static int builtin_div(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_div); }

const builtin_def builtins_math[] = {
    {"neg", "x", builtin_neg, "elementwise", "-x", .unary = ag_neg},
    {"add", "a, b", builtin_add, "elementwise", "a + b as a function (broadcasting)"},
    {"sub", "a, b", builtin_sub, "elementwise", "a - b as a function"},
    {"mul", "a, b", builtin_mul, "elementwise", "a * b as a function (elementwise)"},
    {"div", "a, b", builtin_div, "elementwise", "a / b as a function"},
    {"exp", "x", builtin_exp, "elementwise", "e to the x", .unary = ag_exp},
    {"log", "x", builtin_log, "elementwise", "natural logarithm", .unary = ag_log},
    {"sin", "x", builtin_sin, "elementwise", "sine", .unary = ag_sin},
    {"cos", "x", builtin_cos, "elementwise", "cosine", .unary = ag_cos},
    {"tan", "x", builtin_tan, "elementwise", "tangent", .unary = ag_tan},
    {"tanh", "x", builtin_tanh, "elementwise", "hyperbolic tangent", .unary = ag_tanh},
    {"sqrt", "x", builtin_sqrt, "elementwise", "square root", .unary = ag_sqrt},
    {"abs", "x", builtin_abs, "elementwise", "absolute value (a plain number stays a number)"},
    {"square", "x", builtin_square, "elementwise", "x^2", .unary = ag_square},
    {"pow", "x, p", builtin_pow, "elementwise", "x^p; a number p is a constant exponent"},
    {"sigmoid", "x", builtin_sigmoid, "elementwise", "1 / (1 + exp(-x)), computed as 0.5 + 0.5*tanh(0.5x)", .unary = ag_sigmoid},
    {"relu", "x", builtin_relu, "elementwise", "max(x, 0)", .unary = ag_relu},
    {"gelu", "x", builtin_gelu, "elementwise", "GELU, tanh approximation", .unary = ag_gelu},
    {"clip", "x, lo, hi", builtin_clip, "elementwise", "x limited to [lo, hi] (min(max(x, lo), hi): hi everywhere when lo > hi, as PyTorch); gradient 1 inside and at lo and hi themselves (as PyTorch), 0 outside"},
    {0},
};
