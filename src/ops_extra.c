/* ops_extra.c — more of PyTorch's activations and everyday functions (issue 50
 * item 3), each made of the op table's ops so its gradient (first and second
 * order) is theirs: softsign, logsigmoid, hardsigmoid, relu6, hardswish,
 * quick_gelu, celu; normalize, masked_fill, logical_not, index_select. */
#include <math.h>

#include "errors.h"
#include "internal.h"

static ag_var *k(ag_ctx *ctx, double v) { return const_scalar(ctx, v); }

/* x / (1 + |x|) */
ag_var *ag_softsign(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_ABS, x)) return NULL;
    return ag_div(ctx, x, ag_add(ctx, k(ctx, 1.0), ag_abs(ctx, x)));
}

/* log(sigmoid(x)) = -softplus(-x), the stable form (no threshold shortcut) */
ag_var *ag_logsigmoid(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_SOFTPLUS, x)) return NULL;
    return ag_neg(ctx, ag_softplus(ctx, ag_neg(ctx, x), 1.0, INFINITY));
}

/* x/6 + 1/2 */
static ag_var *sixth_plus_half(ag_ctx *ctx, ag_var *x) { return ag_add(ctx, ag_div(ctx, x, k(ctx, 6.0)), k(ctx, 0.5)); }

/* relu6(x + 3) / 6 as hardtanh(x/6 + 1/2, 0, 1): gradient 1/6 strictly inside (-3, 3), 0 at
 * the ends, as PyTorch's */
ag_var *ag_hardsigmoid(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_HARDTANH, x)) return NULL;
    return ag_hardtanh(ctx, sixth_plus_half(ctx, x), 0.0, 1.0);
}

/* min(max(x, 0), 6) */
ag_var *ag_relu6(ag_ctx *ctx, ag_var *x) { return ag_hardtanh(ctx, x, 0.0, 6.0); }

/* x * hardsigmoid(x): gradient 0 below -3, 1 above 3, x/3 + 1/2 from -3 to 3 with both ends,
 * as PyTorch's: Clip's gradient keeps its ends, which gives that */
ag_var *ag_hardswish(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_CLIP, x)) return NULL;
    return ag_mul(ctx, x, ag_clip(ctx, sixth_plus_half(ctx, x), 0.0, 1.0));
}

/* x * sigmoid(1.702 x), the GELU approximation of CLIP and GPT-style code */
ag_var *ag_quick_gelu(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_SIGMOID, x)) return NULL;
    return ag_mul(ctx, x, ag_sigmoid(ctx, ag_mul(ctx, k(ctx, 1.702), x)));
}

/* max(0, x) + min(0, alpha (exp(x/alpha) - 1)) = alpha * elu(x / alpha, 1) */
ag_var *ag_celu(ag_ctx *ctx, ag_var *x, double alpha) {
    if (!op_input_ok(ctx, AG_OP_ELU, x)) return NULL;
    if (alpha == 0 || !isfinite(alpha)) return ctx_error(ctx, AG_ERR_ARG, "celu: alpha must be finite and not 0");
    if (alpha == 1.0) return ag_elu(ctx, x, 1.0);
    return ag_mul(ctx, k(ctx, alpha), ag_elu(ctx, ag_div(ctx, x, k(ctx, alpha)), 1.0));
}

/* x / max(||x||_p along axis (kept), eps), F.normalize */
ag_var *ag_normalize(ag_ctx *ctx, ag_var *x, double p, int axis, double eps) {
    if (!op_input_ok(ctx, AG_OP_SUM, x)) return NULL;
    if (!(p > 0) || !isfinite(p)) return ctx_error(ctx, AG_ERR_ARG, "normalize: p must be a positive number");
    int a = axis_normalize(ctx, "normalize", axis, x->t.ndim);
    if (a < 0) return NULL;
    ag_var *powered = p == 2.0 ? ag_square(ctx, x) : p == 1.0 ? ag_abs(ctx, x) : ag_pow(ctx, ag_abs(ctx, x), p);
    ag_var *sum = ag_keepdims(ctx, ag_sum(ctx, powered, &a, 1), x, &a, 1);
    ag_var *norm = p == 2.0 ? ag_sqrt(ctx, sum) : p == 1.0 ? sum : ag_pow(ctx, sum, 1.0 / p);
    return ag_div(ctx, x, ag_maximum(ctx, norm, k(ctx, eps)));
}

/* value where mask is not 0, else x (mask broadcasts to x); no gradient to mask */
ag_var *ag_masked_fill(ag_ctx *ctx, ag_var *x, ag_var *mask, double value) {
    if (!op_input_ok(ctx, AG_OP_WHERE, x) || !op_input_ok(ctx, AG_OP_WHERE, mask)) return NULL;
    return ag_where(ctx, mask, ag_broadcast_to(ctx, k(ctx, value), x->t.ndim, x->t.shape), x);
}

/* 1 where x is 0, else 0; no gradient */
ag_var *ag_logical_not(ag_ctx *ctx, ag_var *x) { return ag_eq(ctx, x, k(ctx, 0.0)); }
