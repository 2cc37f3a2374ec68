/* test_gradcheck.c — every op's backward against central differences, first
 * and second order, on random inputs (broadcast shapes included) kept in
 * each op's smooth domain.
 *
 * For a case y = f(x_1..x_n) the loss is L = sum(y * (r + q*y)) with fixed
 * random r, q of y's shape: the quadratic term makes even a linear op's
 * second derivative non-zero, so the second-order check really goes through
 * the backward of each op's backward.
 *   first order:  dL/dx_j from ag_backward(create_graph) against
 *                 (L(x + h e) - L(x - h e)) / 2h, every element of every input;
 *   second order: with g_j that first-order gradient (a graph) and fixed
 *                 random v_j, M = sum_j sum(g_j * v_j); dM/dx_k from a
 *                 second backward against central differences of M, where
 *                 each M is rebuilt from the analytic g_j at x +- h e.
 * Every op of the table must have a case: test_every_op_has_a_case fails
 * for an op added without one, and each case checks that its graph really
 * contains its op. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP 1e-5
#define REL_TOL 1e-7 /* measured error is about 1e-9 */
#define ABS_TOL 1e-8
#define MAX_INPUTS 3

/* ---- cases ------------------------------------------------------------------------- */

typedef ag_var *(*build_fn)(ag_ctx *ctx, ag_var *const *xs);

/* Where an input's random values come from. */
typedef enum {
    ANY,      /* uniform in [-2, 2] */
    POSITIVE, /* uniform in [0.5, 2.5] (log, sqrt, denominators, powv base) */
    SMALL,    /* uniform in [-1, 1] (tan, exponents) */
    AWAY,     /* [-2, 2] at least 0.1 from the kinks at 0 and +-0.5 (abs, relu, clip) */
    DISTINCT, /* [-2, 2], a shuffled grid with gaps > 0.1 (max, min) */
    FIXED     /* the case's data, not differentiated (class labels) */
} domain;

typedef struct {
    int ndim;
    int shape[4];
    domain dom;
    const double *fixed;
} input_spec;

typedef struct {
    int op;
    const char *what;
    build_fn build;
    int ninputs;
    input_spec in[MAX_INPUTS];
} grad_case;

#define NDIMS(...) ((int)(sizeof((int[]){__VA_ARGS__}) / sizeof(int)))
#define IN(dom_, ...) {.ndim = NDIMS(__VA_ARGS__), .shape = {__VA_ARGS__}, .dom = dom_}
#define IN0(dom_) {.ndim = 0, .dom = dom_}
/* Class labels of shape [n] or [n 1]. */
#define LABELS(n_, ndim_, ...) \
    {.ndim = ndim_, .shape = {n_, 1}, .dom = FIXED, .fixed = (const double[]){__VA_ARGS__}}

/* Builders: one small function per call shape.  `a`, `b`, `c` are xs[0..2]. */
#define BUILD(name, expr)                                        \
    static ag_var *name(ag_ctx *ctx, ag_var *const *xs) {        \
        ag_var *a = xs[0], *b = xs[1], *c = xs[2];               \
        (void)a, (void)b, (void)c;                               \
        return expr;                                             \
    }

BUILD(build_add, ag_add(ctx, a, b))
BUILD(build_sub, ag_sub(ctx, a, b))
BUILD(build_mul, ag_mul(ctx, a, b))
BUILD(build_div, ag_div(ctx, a, b))
BUILD(build_neg, ag_neg(ctx, a))
BUILD(build_pow3, ag_pow(ctx, a, 3.0))
BUILD(build_pow_frac, ag_pow(ctx, a, 2.5))
BUILD(build_powv, ag_powv(ctx, a, b))
BUILD(build_exp, ag_exp(ctx, a))
BUILD(build_log, ag_log(ctx, a))
BUILD(build_sin, ag_sin(ctx, a))
BUILD(build_cos, ag_cos(ctx, a))
BUILD(build_tan, ag_tan(ctx, a))
BUILD(build_tanh, ag_tanh(ctx, a))
BUILD(build_sqrt, ag_sqrt(ctx, a))
BUILD(build_abs, ag_abs(ctx, a))
BUILD(build_square, ag_square(ctx, a))
BUILD(build_sigmoid, ag_sigmoid(ctx, a))
BUILD(build_relu, ag_relu(ctx, a))
BUILD(build_gelu, ag_gelu(ctx, a))
BUILD(build_clip, ag_clip(ctx, a, -0.5, 0.5))
BUILD(build_sum_all, ag_sum(ctx, a, NULL, 0))
BUILD(build_sum_axis1, ag_sum(ctx, a, (const int[]){1}, 1))
BUILD(build_sum_axes_neg, ag_sum(ctx, a, (const int[]){-1, 0}, 2))
BUILD(build_mean_all, ag_mean(ctx, a, NULL, 0))
BUILD(build_mean_axes, ag_mean(ctx, a, (const int[]){0, 2}, 2))
BUILD(build_variance_all, ag_variance(ctx, a, NULL, 0))
BUILD(build_variance_axis1, ag_variance(ctx, a, (const int[]){1}, 1))
BUILD(build_max_all, ag_max(ctx, a, NULL, 0))
BUILD(build_max_axis1, ag_max(ctx, a, (const int[]){1}, 1))
BUILD(build_min_all, ag_min(ctx, a, NULL, 0))
BUILD(build_min_axis0, ag_min(ctx, a, (const int[]){0}, 1))
BUILD(build_reshape, ag_reshape(ctx, a, 2, (const int[]){3, -1}))
BUILD(build_transpose_all, ag_transpose(ctx, a, NULL, 0))
BUILD(build_transpose_axes, ag_transpose(ctx, a, (const int[]){1, 2, 0}, 3))
BUILD(build_broadcast_row, ag_broadcast_to(ctx, a, 2, (const int[]){2, 3}))
BUILD(build_broadcast_col, ag_broadcast_to(ctx, a, 3, (const int[]){2, 2, 3}))
BUILD(build_sum_to_row, ag_sum_to(ctx, a, 1, (const int[]){3}))
BUILD(build_sum_to_col, ag_sum_to(ctx, a, 2, (const int[]){2, 1}))
BUILD(build_squeeze, ag_squeeze(ctx, a, 1))
BUILD(build_unsqueeze, ag_unsqueeze(ctx, a, -1))
BUILD(build_concat1, ag_concat(ctx, (ag_var *const[]){a, b}, 2, 1))
BUILD(build_concat0, ag_concat(ctx, (ag_var *const[]){a, b, c}, 3, 0))
BUILD(build_get_item, ag_get_item(ctx, a, 0, (const int[]){1, -1, 1}, 3))
BUILD(build_get_item_axis1, ag_get_item(ctx, a, 1, (const int[]){2, 0}, 2))
BUILD(build_get_item_grad,
      ag_get_item_grad(ctx, a, 0, (const int[]){0, 0, 2}, 3, 2, (const int[]){4, 2}))
BUILD(build_matmul, ag_matmul(ctx, a, b))
BUILD(build_linear, ag_linear(ctx, a, b, NULL))
BUILD(build_linear_bias, ag_linear(ctx, a, b, c))
BUILD(build_softmax1, ag_softmax(ctx, a, 1))
BUILD(build_softmax0, ag_softmax(ctx, a, 0))
BUILD(build_softmax_last, ag_softmax(ctx, a, -1))
BUILD(build_mse, ag_mse(ctx, a, b))
BUILD(build_cross_entropy, ag_cross_entropy(ctx, a, b))
/* the losses' weight=, pos_weight= and shapes: weights are constants */
static ag_var *weights(ag_ctx *ctx, int n, const double *v) {
    ag_var *w = ag_zeros(ctx, 1, &n);
    if (w != NULL) memcpy(ag_data(w), v, (size_t)n * sizeof *v);
    return w;
}
BUILD(build_ce_weight_smooth, ag_cross_entropy_weighted(ctx, a, b, weights(ctx, 4, (const double[]){0.5, 2, 1.5, 3}),
                                                        AG_REDUCTION_MEAN, 0.2))
BUILD(build_ce_probs_weight, ag_cross_entropy_weighted(ctx, a, ag_softmax(ctx, b, 1),
                                                       weights(ctx, 3, (const double[]){1, 0.5, 2}),
                                                       AG_REDUCTION_SUM, 0.1))
BUILD(build_ce_one, ag_cross_entropy_weighted(ctx, a, ag_scalar(ctx, 2), weights(ctx, 4, (const double[]){1, 2, 3, 4}),
                                              AG_REDUCTION_MEAN, 0))
BUILD(build_ce_spatial, ag_cross_entropy_weighted(ctx, a, b, NULL, AG_REDUCTION_NONE, 0))
BUILD(build_nll_weight, ag_nll_loss_weighted(ctx, ag_log_softmax(ctx, a, 1), b,
                                             weights(ctx, 4, (const double[]){0.5, 2, 1.5, 3}), AG_REDUCTION_MEAN))
BUILD(build_bce_weight, ag_binary_cross_entropy_weighted(ctx, ag_sigmoid(ctx, a), ag_sigmoid(ctx, b),
                                                         weights(ctx, 3, (const double[]){2, 0.5, 1}),
                                                         AG_REDUCTION_MEAN))
BUILD(build_bce_logits_weights, ag_binary_cross_entropy_with_logits_weighted(
                                    ctx, a, ag_sigmoid(ctx, b), weights(ctx, 3, (const double[]){2, 0.5, 1}),
                                    weights(ctx, 3, (const double[]){3, 0.5, 1.5}), AG_REDUCTION_SUM))

/* Comparisons have no gradient: a * (a OP b) is a with a constant mask, b
 * fixed at the kinks AWAY keeps a from (0, +-0.5). */
BUILD(build_eq_mask, ag_mul(ctx, a, ag_eq(ctx, a, b)))
BUILD(build_ne_mask, ag_mul(ctx, a, ag_ne(ctx, a, b)))
BUILD(build_lt_mask, ag_mul(ctx, a, ag_lt(ctx, a, b)))
BUILD(build_le_mask, ag_mul(ctx, a, ag_le(ctx, b, a)))
BUILD(build_gt_mask, ag_mul(ctx, a, ag_gt(ctx, a, b)))
BUILD(build_ge_mask, ag_mul(ctx, a, ag_ge(ctx, b, a)))
BUILD(build_isnan_mask, ag_add(ctx, a, ag_isnan(ctx, a)))
BUILD(build_isinf_mask, ag_add(ctx, a, ag_isinf(ctx, a)))
BUILD(build_isfinite_mask, ag_mul(ctx, a, ag_isfinite(ctx, a)))
BUILD(build_isclose_mask, ag_mul(ctx, a, ag_isclose(ctx, a, b, 1e-5, 1e-8, false)))
BUILD(build_where, ag_where(ctx, a, b, c))
static const double kinks3[] = {0.0, 0.5, -0.5};
/* kinks3 + b/100: within 0.01 of the points AWAY keeps a 0.1 from, so
 * maximum(a, that) is differentiable in both and never tied. */
static ag_var *near_kinks(ag_ctx *ctx, ag_var *b) {
    ag_var *k = ag_zeros(ctx, 1, (const int[]){3});
    if (k == NULL) return NULL;
    memcpy(ag_data(k), kinks3, sizeof kinks3);
    return ag_add(ctx, k, ag_mul(ctx, b, ag_scalar(ctx, 0.01)));
}
BUILD(build_maximum, ag_maximum(ctx, a, near_kinks(ctx, b)))
BUILD(build_minimum, ag_minimum(ctx, a, near_kinks(ctx, b)))
BUILD(build_maximum_left, ag_maximum(ctx, near_kinks(ctx, b), a))
BUILD(build_minimum_left, ag_minimum(ctx, near_kinks(ctx, b), a))
static const double cond23[] = {1, 0, 0, 1, 1, 0};
static const double spatial_labels[] = {2, 0, -100, 1};
#define FIXED_IN(data_, ...) {.ndim = NDIMS(__VA_ARGS__), .shape = {__VA_ARGS__}, .dom = FIXED, .fixed = data_}

BUILD(build_leaky_relu, ag_leaky_relu(ctx, a, 0.1))
BUILD(build_elu, ag_elu(ctx, a, 1.5))
BUILD(build_selu, ag_selu(ctx, a))
BUILD(build_silu, ag_silu(ctx, a))
BUILD(build_softplus, ag_softplus(ctx, a, 2.0, 3.0))
BUILD(build_mish, ag_mish(ctx, a))
BUILD(build_hardtanh, ag_hardtanh(ctx, a, -0.5, 0.5))
/* the step functions: a + step(a), whose gradient is 1 (0 from the step) */
BUILD(build_sign, ag_add(ctx, a, ag_sign(ctx, a)))
BUILD(build_floor, ag_add(ctx, a, ag_floor(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.1)))))
BUILD(build_ceil, ag_add(ctx, a, ag_ceil(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.1)))))
BUILD(build_round, ag_add(ctx, a, ag_round(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.1)))))
BUILD(build_trunc, ag_add(ctx, a, ag_trunc(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.1)))))
BUILD(build_rsqrt, ag_rsqrt(ctx, a))
BUILD(build_log2, ag_log2(ctx, a))
BUILD(build_log10, ag_log10(ctx, a))
BUILD(build_exp2, ag_exp2(ctx, a))
BUILD(build_asin, ag_asin(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.8))))
BUILD(build_acos, ag_acos(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.8))))
BUILD(build_atan, ag_atan(ctx, a))
BUILD(build_sinh, ag_sinh(ctx, a))
BUILD(build_cosh, ag_cosh(ctx, a))
BUILD(build_asinh, ag_asinh(ctx, a))
BUILD(build_acosh, ag_acosh(ctx, ag_add(ctx, a, ag_scalar(ctx, 1.0))))
BUILD(build_atanh, ag_atanh(ctx, ag_mul(ctx, a, ag_scalar(ctx, 0.8))))
BUILD(build_erf, ag_erf(ctx, a))
BUILD(build_logaddexp, ag_logaddexp(ctx, a, b))
BUILD(build_fmod, ag_fmod(ctx, a, b))
BUILD(build_hypot, ag_hypot(ctx, a, b))
BUILD(build_copysign, ag_copysign(ctx, a, b))
/* a % b and a // b have kinks where a/b is an integer: a numerator near
 * `tops` (+-0.1) over a denominator near `bottoms` (+-0.04) keeps every
 * quotient at least 0.2 from one. */
static ag_var *near_fixed(ag_ctx *ctx, ag_var *x, int ndim, const int *shape, const double *v, double scale) {
    ag_var *k = ag_zeros(ctx, ndim, shape);
    if (k == NULL) return NULL;
    memcpy(ag_data(k), v, ag_size(k) * sizeof *v);
    return ag_add(ctx, k, ag_mul(ctx, x, ag_scalar(ctx, scale)));
}
static const double tops[] = {2.5, -3.2, 1.05, -0.4, 5.6, 0.3}, bottoms[] = {1.0, -1.3, 0.7};
#define TOPS(x) near_fixed(ctx, x, 2, (const int[]){2, 3}, tops, 0.05)
#define BOTTOMS(x) near_fixed(ctx, x, 1, (const int[]){3}, bottoms, 0.02)
BUILD(build_remainder, ag_remainder(ctx, TOPS(a), BOTTOMS(b)))
BUILD(build_floor_divide_mask, ag_mul(ctx, a, ag_floor_divide(ctx, TOPS(a), BOTTOMS(b))))

BUILD(build_log_softmax1, ag_log_softmax(ctx, a, 1))
BUILD(build_log_softmax0, ag_log_softmax(ctx, a, 0))
BUILD(build_logsumexp_all, ag_logsumexp(ctx, a, NULL))
BUILD(build_logsumexp_axis1, ag_logsumexp(ctx, a, (const int[]){1}))
BUILD(build_prod_all, ag_prod(ctx, a, NULL))
BUILD(build_prod_axis0, ag_prod(ctx, a, (const int[]){0}))
/* tuple axes: the kept axes moved to the front, the reduced ones merged */
BUILD(build_logsumexp_axes02, ag_logsumexp_axes(ctx, a, (const int[]){0, 2}, 2))
BUILD(build_logsumexp_axes_back, ag_logsumexp_axes(ctx, a, (const int[]){-1, 1}, 2))
BUILD(build_prod_axes20, ag_prod_axes(ctx, a, (const int[]){2, 0}, 2))
/* pad: positive amounts concat constants, negative ones crop (a Split), both on one axis */
BUILD(build_pad, ag_pad(ctx, a, (const int[]){1, 2, 0, 1}, 4, 0.5))
BUILD(build_pad_crop, ag_pad(ctx, a, (const int[]){-1, 2, -1, -1}, 4, -1.5))
BUILD(build_any_axes01, ag_mul(ctx, a, ag_any_axes(ctx, a, (const int[]){0, 1}, 2)))
BUILD(build_all_axes12, ag_mul(ctx, a, ag_keepdims(ctx, ag_all_axes(ctx, a, (const int[]){1, 2}, 2), a,
                                                 (const int[]){1, 2}, 2)))
/* index results have no gradient: a + argmax(a)-style sums keep a's gradient */
BUILD(build_argmax, ag_add(ctx, a, ag_argmax(ctx, a, (const int[]){1})))
BUILD(build_argmin, ag_add(ctx, a, ag_argmin(ctx, a, NULL)))
BUILD(build_any, ag_mul(ctx, a, ag_any(ctx, a, NULL)))
BUILD(build_all, ag_mul(ctx, a, ag_all(ctx, a, (const int[]){0})))
BUILD(build_var1, ag_var_correction(ctx, a, (const int[]){1}, 1, 1.0))
BUILD(build_std_all, ag_std(ctx, a, NULL, 0, 1.0))
BUILD(build_cumsum1, ag_cumsum(ctx, a, 1))
BUILD(build_cumsum0, ag_cumsum(ctx, a, -2))
BUILD(build_cumprod1, ag_cumprod(ctx, a, 1))
BUILD(build_flip0, ag_flip(ctx, a, 0))
BUILD(build_sorted, ag_gather(ctx, a, 1, ag_argsort(ctx, a, 1, false)))
BUILD(build_sorted_desc0, ag_gather(ctx, a, 0, ag_argsort(ctx, a, 0, true)))
static const double gather_index[] = {2, 0, 0, 1, 1, 1};
static ag_var *build_gather(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *index = ag_zeros(ctx, 2, (const int[]){2, 3});
    if (index == NULL) return NULL;
    memcpy(ag_data(index), gather_index, sizeof gather_index);
    return ag_gather(ctx, xs[0], 1, index);
}
static ag_var *build_scatter_add(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *index = ag_zeros(ctx, 2, (const int[]){2, 3});
    if (index == NULL) return NULL;
    memcpy(ag_data(index), gather_index, sizeof gather_index);
    return ag_scatter_add(ctx, xs[0], 1, index, 2, (const int[]){2, 4});
}

/* Split's two outputs both used: [3 1] * [3 3] broadcasts. */
static ag_var *build_split_both(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *parts[2];
    if (ag_split(ctx, xs[0], (const int[]){1, 3}, 2, 1, parts) < 0) return NULL;
    return ag_mul(ctx, parts[0], parts[1]);
}

/* Only the second output used: the first one's gradient is zero-filled. */
static ag_var *build_split_second(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *parts[3];
    if (ag_split(ctx, xs[0], (const int[]){1, 2, 1}, 3, 0, parts) < 0) return NULL;
    return parts[1];
}

/* The same mask on every evaluation: the context's generator is reseeded. */
static ag_var *build_dropout(ag_ctx *ctx, ag_var *const *xs) {
    ag_rng_seed(ag_ctx_rng(ctx), 7);
    return ag_dropout(ctx, xs[0], 0.4);
}

/* images: strides, padding (larger than the kernel too), dilation, groups */
#define PAIR(a_, b_) ((const int[]){a_, b_})
BUILD(build_im2col, ag_im2col(ctx, a, PAIR(3, 3), NULL, PAIR(1, 1), NULL))
BUILD(build_im2col_odd, ag_im2col(ctx, a, PAIR(2, 3), PAIR(2, 1), PAIR(1, 0), PAIR(1, 2)))
BUILD(build_col2im, ag_col2im(ctx, a, (const int[]){1, 2, 4, 4}, PAIR(2, 2), PAIR(2, 2), NULL, NULL))
BUILD(build_col2im_overlap, ag_col2im(ctx, a, (const int[]){1, 1, 3, 4}, PAIR(2, 2), NULL, PAIR(1, 0), NULL))
BUILD(build_conv2d, ag_conv2d(ctx, a, b, c, PAIR(2, 2), PAIR(1, 1), NULL, 1))
BUILD(build_conv2d_groups, ag_conv2d(ctx, a, b, NULL, NULL, PAIR(1, 2), PAIR(2, 1), 2))
BUILD(build_conv2d_bigpad, ag_conv2d(ctx, a, b, c, PAIR(1, 3), PAIR(3, 2), NULL, 1))
BUILD(build_conv1d, ag_conv1d(ctx, a, b, c, 2, 3, 1, 1))
BUILD(build_conv_transpose2d, ag_conv_transpose2d(ctx, a, b, c, PAIR(2, 2), PAIR(1, 1), PAIR(1, 0), 1, NULL))
BUILD(build_conv_transpose2d_groups, ag_conv_transpose2d(ctx, a, b, NULL, NULL, NULL, NULL, 2, PAIR(2, 1)))
BUILD(build_max_pool2d, ag_max_pool2d(ctx, a, PAIR(2, 2), NULL, NULL, NULL, true))
BUILD(build_max_pool2d_pad, ag_max_pool2d(ctx, a, PAIR(3, 3), PAIR(1, 2), PAIR(1, 1), NULL, false))
BUILD(build_max_pool2d_dilated, ag_max_pool2d(ctx, a, PAIR(2, 2), PAIR(1, 1), NULL, PAIR(2, 1), false))
BUILD(build_avg_pool2d, ag_avg_pool2d(ctx, a, PAIR(3, 3), PAIR(2, 2), PAIR(1, 1), true, false))
BUILD(build_avg_pool2d_incl, ag_avg_pool2d(ctx, a, PAIR(2, 3), NULL, PAIR(1, 1), true, true))
BUILD(build_adaptive_avg_pool2d, ag_adaptive_avg_pool2d(ctx, a, PAIR(3, 2)))
BUILD(build_bilinear, ag_interpolate(ctx, a, PAIR(5, 3), NULL, AG_INTERP_LINEAR, false))
BUILD(build_bilinear_corners, ag_interpolate(ctx, a, NULL, (const double[]){1.5, 2}, AG_INTERP_LINEAR, true))
BUILD(build_nearest, ag_interpolate(ctx, a, NULL, (const double[]){2, 1.5}, AG_INTERP_NEAREST, false))
BUILD(build_bicubic, ag_interpolate(ctx, a, PAIR(6, 2), NULL, AG_INTERP_CUBIC, false))
BUILD(build_avg_pool2d_divisor, ag_avg_pool2d_ex(ctx, a, PAIR(3, 2), PAIR(2, 2), PAIR(1, 1), true, true, 5))
BUILD(build_unfold, ag_unfold(ctx, a, PAIR(2, 2), NULL, PAIR(1, 1), PAIR(2, 2)))
BUILD(build_fold, ag_fold(ctx, a, PAIR(3, 3), PAIR(2, 2), NULL, NULL, NULL))

/* more of PyTorch's functions, made of the table's ops */
BUILD(build_softsign, ag_softsign(ctx, a))
BUILD(build_logsigmoid, ag_logsigmoid(ctx, a))
BUILD(build_hardsigmoid, ag_hardsigmoid(ctx, a))
BUILD(build_relu6, ag_relu6(ctx, ag_mul(ctx, a, ag_scalar(ctx, 4.0))))
BUILD(build_hardswish, ag_hardswish(ctx, a))
BUILD(build_quick_gelu, ag_quick_gelu(ctx, a))
BUILD(build_celu, ag_celu(ctx, a, 0.5))
BUILD(build_normalize, ag_normalize(ctx, a, 2.0, 1, 1e-12))
BUILD(build_normalize_p3, ag_normalize(ctx, a, 3.0, 0, 1e-12))
static const double fill_mask[] = {1, 0, 0, 1, 0, 1};
BUILD(build_masked_fill, ag_masked_fill(ctx, a, b, 0.25))
BUILD(build_layer_norm, ag_layer_norm(ctx, a, 2, b, c, 1e-5))
BUILD(build_layer_norm_plain, ag_layer_norm(ctx, a, 1, NULL, NULL, 1e-5))
static const double embed_index[] = {2, 0, 2, 1};
BUILD(build_embedding, ag_embedding(ctx, b, a))
BUILD(build_sdpa, ag_scaled_dot_product_attention(ctx, a, b, c, false, NAN))
BUILD(build_sdpa_causal, ag_scaled_dot_product_attention(ctx, a, b, c, true, 0.7))
BUILD(build_sdpa_scale_zero, ag_scaled_dot_product_attention(ctx, a, b, c, false, 0))
BUILD(build_sdpa_scale_negative, ag_scaled_dot_product_attention(ctx, a, b, c, false, -0.8))
BUILD(build_logcumsumexp, ag_logcumsumexp(ctx, a, 1))
BUILD(build_pad_reflect, ag_pad_mode(ctx, a, (const int[]){2, 1, 1, 2}, 4, AG_PAD_REFLECT))
BUILD(build_pad_replicate, ag_pad_mode(ctx, a, (const int[]){0, 3, 2, 0}, 4, AG_PAD_REPLICATE))
BUILD(build_pad_circular, ag_pad_mode(ctx, a, (const int[]){3, 1}, 2, AG_PAD_CIRCULAR))
BUILD(build_repeat_interleave, ag_repeat_interleave(ctx, a, 3, (const int[]){1}))
BUILD(build_einsum_matmul, ag_einsum(ctx, "ij,jk->ik", (ag_var *[]){a, b}, 2))
BUILD(build_einsum_batched, ag_einsum(ctx, "bij,bkj", (ag_var *[]){a, b}, 2))
BUILD(build_einsum_three, ag_einsum(ctx, "ij,jk,k->i", (ag_var *[]){a, b, c}, 3))
BUILD(build_einsum_trace, ag_einsum(ctx, "iji->j", (ag_var *[]){a}, 1))
BUILD(build_einsum_ellipsis, ag_einsum(ctx, "...i,i->...", (ag_var *[]){a, b}, 2))
BUILD(build_einsum_broadcast, ag_einsum(ctx, "i,i,ij", (ag_var *[]){a, b, c}, 3))
BUILD(build_diagonal, ag_diagonal(ctx, a, 1, 0, 2))
BUILD(build_diagonal_below, ag_diagonal(ctx, a, -1, -1, -2))
static ag_var *build_meshgrid(ag_ctx *ctx, ag_var *const *xs, bool xy) {
    ag_var *g[3];
    if (ag_meshgrid(ctx, xs, 3, xy, g) < 0) return NULL;
    return ag_add(ctx, ag_mul(ctx, g[0], g[1]), ag_square(ctx, g[2]));
}
static ag_var *build_meshgrid_ij(ag_ctx *ctx, ag_var *const *xs) { return build_meshgrid(ctx, xs, false); }
static ag_var *build_meshgrid_xy(ag_ctx *ctx, ag_var *const *xs) { return build_meshgrid(ctx, xs, true); }
static ag_var *build_cummax(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *v, *i;
    return ag_cummax(ctx, xs[0], 1, &v, &i) < 0 ? NULL : v;
}
static ag_var *build_cummin(ag_ctx *ctx, ag_var *const *xs) {
    ag_var *v, *i;
    return ag_cummin(ctx, xs[0], 0, &v, &i) < 0 ? NULL : v;
}
/* index (2, 4) into (3, 4) along 0, place (0, 3) written twice; src (3, 5) is cropped */
static const double scatter_index[] = {0, 1, 2, 0, 2, 0, 1, 0};
BUILD(build_scatter, ag_scatter(ctx, a, 0, c, b))
BUILD(build_scatter_value, ag_scatter_value(ctx, a, 0, b, 0.5))
BUILD(build_scatter_add_to, ag_scatter_add_to(ctx, a, 0, c, b))
BUILD(build_batch_norm, ag_batch_norm(ctx, a, NULL, NULL, b, c, true, 0.1, 1e-5))
static const double bn_mean[] = {0.5, -0.25, 1}, bn_var[] = {2, 0.5, 1.5};
static ag_var *build_batch_norm_eval(ag_ctx *ctx, ag_var *const *xs) {
    return ag_batch_norm(ctx, xs[0], xs[1], xs[2], NULL, NULL, false, 0.1, 1e-5);
}

static const grad_case cases[] = {
    {AG_OP_ADD, "add [2 3] + [3]", build_add, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_ADD, "add [2 1] + [1 3]", build_add, 2, {IN(ANY, 2, 1), IN(ANY, 1, 3)}},
    {AG_OP_ADD, "add [] + [2 3]", build_add, 2, {IN0(ANY), IN(ANY, 2, 3)}},
    {AG_OP_SUB, "sub [2 1] - [1 3]", build_sub, 2, {IN(ANY, 2, 1), IN(ANY, 1, 3)}},
    {AG_OP_SUB, "sub [3] - []", build_sub, 2, {IN(ANY, 3), IN0(ANY)}},
    {AG_OP_MUL, "mul [2 3] * [3]", build_mul, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_MUL, "mul [] * [2 3]", build_mul, 2, {IN0(ANY), IN(ANY, 2, 3)}},
    {AG_OP_MUL, "mul [2 1 3] * [4 1]", build_mul, 2, {IN(ANY, 2, 1, 3), IN(ANY, 4, 1)}},
    {AG_OP_DIV, "div [2 3] / [2 1]", build_div, 2, {IN(ANY, 2, 3), IN(POSITIVE, 2, 1)}},
    {AG_OP_DIV, "div [] / [3]", build_div, 2, {IN0(ANY), IN(POSITIVE, 3)}},
    {AG_OP_NEG, "neg [2 3]", build_neg, 1, {IN(ANY, 2, 3)}},
    {AG_OP_POW, "pow [2 3] ^ 3", build_pow3, 1, {IN(ANY, 2, 3)}},
    {AG_OP_POW, "pow [4] ^ 2.5", build_pow_frac, 1, {IN(POSITIVE, 4)}},
    {AG_OP_POWV, "powv [2 3] ^ [3]", build_powv, 2, {IN(POSITIVE, 2, 3), IN(SMALL, 3)}},
    {AG_OP_POWV, "powv [] ^ [2 2]", build_powv, 2, {IN0(POSITIVE), IN(SMALL, 2, 2)}},
    {AG_OP_EXP, "exp [2 3]", build_exp, 1, {IN(SMALL, 2, 3)}},
    {AG_OP_LOG, "log [2 3]", build_log, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_SIN, "sin [2 3]", build_sin, 1, {IN(ANY, 2, 3)}},
    {AG_OP_COS, "cos [2 3]", build_cos, 1, {IN(ANY, 2, 3)}},
    {AG_OP_TAN, "tan [2 3]", build_tan, 1, {IN(SMALL, 2, 3)}},
    {AG_OP_TANH, "tanh [2 3]", build_tanh, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SQRT, "sqrt [2 3]", build_sqrt, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_ABS, "abs [2 3]", build_abs, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_SQUARE, "square [2 3]", build_square, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SQUARE, "square []", build_square, 1, {IN0(ANY)}},
    {AG_OP_SIGMOID, "sigmoid [2 3]", build_sigmoid, 1, {IN(ANY, 2, 3)}},
    {AG_OP_RELU, "relu [2 3]", build_relu, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_GELU, "gelu [2 3]", build_gelu, 1, {IN(ANY, 2, 3)}},
    {AG_OP_CLIP, "clip [3 3] to [-0.5, 0.5]", build_clip, 1, {IN(AWAY, 3, 3)}},
    {AG_OP_SUM, "sum [2 3]", build_sum_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SUM, "sum [2 3 2] axis 1", build_sum_axis1, 1, {IN(ANY, 2, 3, 2)}},
    {AG_OP_SUM, "sum [2 3 2] axes -1 0", build_sum_axes_neg, 1, {IN(ANY, 2, 3, 2)}},
    {AG_OP_MEAN, "mean [2 3]", build_mean_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_MEAN, "mean [2 3 2] axes 0 2", build_mean_axes, 1, {IN(ANY, 2, 3, 2)}},
    {AG_OP_VARIANCE, "variance [2 3]", build_variance_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_VARIANCE, "variance [2 3 2] axis 1", build_variance_axis1, 1, {IN(ANY, 2, 3, 2)}},
    {AG_OP_MAX, "max [2 3]", build_max_all, 1, {IN(DISTINCT, 2, 3)}},
    {AG_OP_MAX, "max [2 4] axis 1", build_max_axis1, 1, {IN(DISTINCT, 2, 4)}},
    {AG_OP_MIN, "min [2 3]", build_min_all, 1, {IN(DISTINCT, 2, 3)}},
    {AG_OP_MIN, "min [3 2] axis 0", build_min_axis0, 1, {IN(DISTINCT, 3, 2)}},
    {AG_OP_RESHAPE, "reshape [2 3] to [3 -1]", build_reshape, 1, {IN(ANY, 2, 3)}},
    {AG_OP_TRANSPOSE, "transpose [2 3]", build_transpose_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_TRANSPOSE, "transpose [2 3 4] axes 1 2 0", build_transpose_axes, 1,
     {IN(ANY, 2, 3, 4)}},
    {AG_OP_BROADCAST_TO, "broadcast_to [3] to [2 3]", build_broadcast_row, 1, {IN(ANY, 3)}},
    {AG_OP_BROADCAST_TO, "broadcast_to [2 1] to [2 2 3]", build_broadcast_col, 1,
     {IN(ANY, 2, 1)}},
    {AG_OP_SUM_TO, "sum_to [2 3] to [3]", build_sum_to_row, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SUM_TO, "sum_to [2 3] to [2 1]", build_sum_to_col, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SQUEEZE, "squeeze [2 1 3] axis 1", build_squeeze, 1, {IN(ANY, 2, 1, 3)}},
    {AG_OP_UNSQUEEZE, "unsqueeze [2 3] axis -1", build_unsqueeze, 1, {IN(ANY, 2, 3)}},
    {AG_OP_CONCAT, "concat [2 3] [2 2] axis 1", build_concat1, 2, {IN(ANY, 2, 3), IN(ANY, 2, 2)}},
    {AG_OP_CONCAT, "concat [1 2] [2 2] [1 2] axis 0", build_concat0, 3,
     {IN(ANY, 1, 2), IN(ANY, 2, 2), IN(ANY, 1, 2)}},
    {AG_OP_SPLIT, "split [3 4] sizes 1 3 axis 1", build_split_both, 1, {IN(ANY, 3, 4)}},
    {AG_OP_CONCAT, "pad [2 3] by (1, 2, 0, 1)", build_pad, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SPLIT, "pad [3 4] by (-1, 2, -1, -1): crops and pads", build_pad_crop, 1, {IN(ANY, 3, 4)}},
    {AG_OP_SPLIT, "split [4 2] sizes 1 2 1 axis 0, middle only", build_split_second, 1,
     {IN(ANY, 4, 2)}},
    {AG_OP_GET_ITEM, "get_item [3 2] axis 0 [1 -1 1]", build_get_item, 1, {IN(ANY, 3, 2)}},
    {AG_OP_GET_ITEM, "get_item [2 3] axis 1 [2 0]", build_get_item_axis1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_GET_ITEM_GRAD, "get_item_grad [3 2] axis 0 [0 0 2] to [4 2]", build_get_item_grad, 1,
     {IN(ANY, 3, 2)}},
    {AG_OP_MATMUL, "matmul [2 3] @ [3 4]", build_matmul, 2, {IN(ANY, 2, 3), IN(ANY, 3, 4)}},
    {AG_OP_MATMUL, "matmul [2 2 3] @ [1 3 2]", build_matmul, 2,
     {IN(ANY, 2, 2, 3), IN(ANY, 1, 3, 2)}},
    {AG_OP_MATMUL, "matmul [3 2] @ [2 2 3]", build_matmul, 2, {IN(ANY, 3, 2), IN(ANY, 2, 2, 3)}},
    {AG_OP_LINEAR, "linear [2 3] @ [3 4]", build_linear, 2, {IN(ANY, 2, 3), IN(ANY, 3, 4)}},
    {AG_OP_LINEAR, "linear [2 3] @ [3 4] + [4]", build_linear_bias, 3,
     {IN(ANY, 2, 3), IN(ANY, 3, 4), IN(ANY, 4)}},
    {AG_OP_LINEAR, "linear [2 2 3] @ [1 3 2] + [1 2]", build_linear_bias, 3,
     {IN(ANY, 2, 2, 3), IN(ANY, 1, 3, 2), IN(ANY, 1, 2)}},
    {AG_OP_LINEAR, "linear [1 2] @ [2 2] + [3 1] (bias widens)", build_linear_bias, 3,
     {IN(ANY, 1, 2), IN(ANY, 2, 2), IN(ANY, 3, 1)}},
    {AG_OP_SOFTMAX, "softmax [2 3] axis 1", build_softmax1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SOFTMAX, "softmax [3 2] axis 0", build_softmax0, 1, {IN(ANY, 3, 2)}},
    {AG_OP_SOFTMAX, "softmax [2 2 3] axis -1", build_softmax_last, 1, {IN(ANY, 2, 2, 3)}},
    {AG_OP_MSE, "mse [2 3] [2 3]", build_mse, 2, {IN(ANY, 2, 3), IN(ANY, 2, 3)}},
    {AG_OP_MSE, "mse [2 3] [3] (broadcast)", build_mse, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_MSE, "mse [] [2 2]", build_mse, 2, {IN0(ANY), IN(ANY, 2, 2)}},
    {AG_OP_CROSS_ENTROPY, "cross_entropy [3 4], labels [3]", build_cross_entropy, 2,
     {IN(ANY, 3, 4), LABELS(3, 1, 0, 3, 1)}},
    {AG_OP_LOG_SOFTMAX, "cross_entropy [3 4] weight, label_smoothing 0.2, -100", build_ce_weight_smooth, 2,
     {IN(ANY, 3, 4), LABELS(3, 1, 1, -100, 3)}},
    {AG_OP_LOG_SOFTMAX, "cross_entropy [2 3] probabilities (both inputs) weight, sum", build_ce_probs_weight, 2,
     {IN(ANY, 2, 3), IN(ANY, 2, 3)}},
    {AG_OP_LOG_SOFTMAX, "cross_entropy [4] (C) weight", build_ce_one, 1, {IN(ANY, 4)}},
    {AG_OP_LOG_SOFTMAX, "cross_entropy [2 3 2] (N, C, d), labels [2 2], none", build_ce_spatial, 2,
     {IN(ANY, 2, 3, 2), FIXED_IN(spatial_labels, 2, 2)}},
    {AG_OP_GATHER, "nll_loss [3 4] weight, -100", build_nll_weight, 2, {IN(ANY, 3, 4), LABELS(3, 1, 0, 3, -100)}},
    {AG_OP_LOG, "binary_cross_entropy [2 3] weight [3] (both inputs)", build_bce_weight, 2,
     {IN(ANY, 2, 3), IN(ANY, 2, 3)}},
    {AG_OP_SOFTPLUS, "binary_cross_entropy_with_logits [2 3] weight, pos_weight (both inputs)",
     build_bce_logits_weights, 2, {IN(ANY, 2, 3), IN(ANY, 2, 3)}},
    {AG_OP_CROSS_ENTROPY, "cross_entropy [3 4], labels [3 1] with -100", build_cross_entropy, 2,
     {IN(ANY, 3, 4), LABELS(3, 2, 2, -100, 0)}},
    {AG_OP_DROPOUT, "dropout [3 4] ratio 0.4", build_dropout, 1, {IN(ANY, 3, 4)}},
    {AG_OP_LEAKY_RELU, "leaky_relu [2 3] slope 0.1", build_leaky_relu, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_ELU, "elu [2 3] alpha 1.5", build_elu, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_SELU, "selu [2 3]", build_selu, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_SILU, "silu [2 3]", build_silu, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SOFTPLUS, "softplus [2 3] beta 2 threshold 3", build_softplus, 1, {IN(ANY, 2, 3)}},
    {AG_OP_MISH, "mish [2 3]", build_mish, 1, {IN(ANY, 2, 3)}},
    {AG_OP_HARDTANH, "hardtanh [3 3] to [-0.5, 0.5]", build_hardtanh, 1, {IN(AWAY, 3, 3)}},
    {AG_OP_SIGN, "a + sign(a)", build_sign, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_FLOOR, "a + floor(a/10)", build_floor, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_CEIL, "a + ceil(a/10)", build_ceil, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_ROUND, "a + round(a/10)", build_round, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_TRUNC, "a + trunc(a/10)", build_trunc, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_RSQRT, "rsqrt [2 3]", build_rsqrt, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_LOG2, "log2 [2 3]", build_log2, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_LOG10, "log10 [2 3]", build_log10, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_EXP2, "exp2 [2 3]", build_exp2, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ASIN, "asin 0.8*[2 3]", build_asin, 1, {IN(SMALL, 2, 3)}},
    {AG_OP_ACOS, "acos 0.8*[2 3]", build_acos, 1, {IN(SMALL, 2, 3)}},
    {AG_OP_ATAN, "atan [2 3]", build_atan, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SINH, "sinh [2 3]", build_sinh, 1, {IN(ANY, 2, 3)}},
    {AG_OP_COSH, "cosh [2 3]", build_cosh, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ASINH, "asinh [2 3]", build_asinh, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ACOSH, "acosh 1+[2 3]", build_acosh, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_ATANH, "atanh 0.8*[2 3]", build_atanh, 1, {IN(SMALL, 2, 3)}},
    {AG_OP_ERF, "erf [2 3]", build_erf, 1, {IN(ANY, 2, 3)}},
    {AG_OP_LOGADDEXP, "logaddexp [2 3] [3]", build_logaddexp, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_FMOD, "fmod [2 3] [3]", build_fmod, 2, {IN(POSITIVE, 2, 3), IN(POSITIVE, 3)}},
    {AG_OP_HYPOT, "hypot [2 3] [3]", build_hypot, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_COPYSIGN, "copysign [2 3] [3]", build_copysign, 2, {IN(AWAY, 2, 3), IN(AWAY, 3)}},
    {AG_OP_REMAINDER, "remainder [2 3] [3] (kinks kept away)", build_remainder, 2, {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_FLOOR_DIVIDE, "a * floor_divide(a, b) (no gradient through it)", build_floor_divide_mask, 2,
     {IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_LOG_SOFTMAX, "log_softmax [2 3] axis 1", build_log_softmax1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_LOG_SOFTMAX, "log_softmax [3 2] axis 0", build_log_softmax0, 1, {IN(ANY, 3, 2)}},
    {AG_OP_LOGSUMEXP, "logsumexp [2 3]", build_logsumexp_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_LOGSUMEXP, "logsumexp [2 3] axis 1", build_logsumexp_axis1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_PROD, "prod [2 3]", build_prod_all, 1, {IN(POSITIVE, 2, 3)}},
    {AG_OP_PROD, "prod [3 2] axis 0", build_prod_axis0, 1, {IN(ANY, 3, 2)}},
    {AG_OP_LOGSUMEXP, "logsumexp [2 3 4] axes (0, 2)", build_logsumexp_axes02, 1, {IN(ANY, 2, 3, 4)}},
    {AG_OP_LOGSUMEXP, "logsumexp [2 3 4] axes (-1, 1)", build_logsumexp_axes_back, 1, {IN(ANY, 2, 3, 4)}},
    {AG_OP_PROD, "prod [2 3 2] axes (2, 0)", build_prod_axes20, 1, {IN(ANY, 2, 3, 2)}},
    {AG_OP_ANY, "any [2 2 3] axes (0, 1)", build_any_axes01, 1, {IN(ANY, 2, 2, 3)}},
    {AG_OP_ALL, "all [2 2 3] axes (1, 2)", build_all_axes12, 1, {IN(ANY, 2, 2, 3)}},
    {AG_OP_ARGMAX, "a + argmax(a, axis 1)", build_argmax, 1, {IN(DISTINCT, 3, 3)}},
    {AG_OP_ARGMIN, "a + argmin(a)", build_argmin, 1, {IN(DISTINCT, 2, 3)}},
    {AG_OP_ANY, "a * any(a)", build_any, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_ALL, "a * all(a, axis 0)", build_all, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_VARIANCE, "var [2 3] axis 1 correction 1", build_var1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_VARIANCE, "std [2 3] correction 1", build_std_all, 1, {IN(ANY, 2, 3)}},
    {AG_OP_CUMSUM, "cumsum [2 3] axis 1", build_cumsum1, 1, {IN(ANY, 2, 3)}},
    {AG_OP_CUMSUM, "cumsum [3 2] axis -2", build_cumsum0, 1, {IN(ANY, 3, 2)}},
    {AG_OP_CUMPROD, "cumprod [2 4] axis 1", build_cumprod1, 1, {IN(POSITIVE, 2, 4)}},
    {AG_OP_FLIP, "flip [3 2] axis 0", build_flip0, 1, {IN(ANY, 3, 2)}},
    {AG_OP_ARGSORT, "gather(a, argsort(a)) axis 1", build_sorted, 1, {IN(DISTINCT, 2, 4)}},
    {AG_OP_ARGSORT, "gather(a, argsort(a, descending)) axis 0", build_sorted_desc0, 1, {IN(DISTINCT, 3, 2)}},
    {AG_OP_GATHER, "gather [2 4] axis 1 index [2 3]", build_gather, 1, {IN(ANY, 2, 4)}},
    {AG_OP_SCATTER_ADD, "scatter_add [2 3] axis 1 into [2 4]", build_scatter_add, 1, {IN(ANY, 2, 3)}},
    {AG_OP_EQ, "a * eq(a, [3] fixed)", build_eq_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_NE, "a * ne(a, [3] fixed)", build_ne_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_LT, "a * lt(a, [3] fixed)", build_lt_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_LE, "a * le([3] fixed, a)", build_le_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_GT, "a * gt(a, [3] fixed)", build_gt_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_GE, "a * ge([3] fixed, a)", build_ge_mask, 2, {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_ISNAN, "a + isnan(a)", build_isnan_mask, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ISINF, "a + isinf(a)", build_isinf_mask, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ISFINITE, "a * isfinite(a)", build_isfinite_mask, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ISCLOSE, "a * isclose(a, [3] fixed)", build_isclose_mask, 2,
     {IN(AWAY, 2, 3), FIXED_IN(kinks3, 3)}},
    {AG_OP_WHERE, "where([2 3] fixed, [2 3], [3])", build_where, 3,
     {FIXED_IN(cond23, 2, 3), IN(ANY, 2, 3), IN(ANY, 3)}},
    {AG_OP_WHERE, "where([2 3] fixed, [], [2 1])", build_where, 3,
     {FIXED_IN(cond23, 2, 3), IN0(ANY), IN(ANY, 2, 1)}},
    {AG_OP_MAXIMUM, "maximum([2 3], [3])", build_maximum, 2,
     {IN(AWAY, 2, 3), IN(ANY, 3)}},
    {AG_OP_MAXIMUM, "maximum([3], [2 3])", build_maximum_left, 2,
     {IN(AWAY, 2, 3), IN(ANY, 3)}},
    {AG_OP_MINIMUM, "minimum([2 3], [3])", build_minimum, 2,
     {IN(AWAY, 2, 3), IN(ANY, 3)}},
    {AG_OP_MINIMUM, "minimum([3], [2 3])", build_minimum_left, 2,
     {IN(AWAY, 2, 3), IN(ANY, 3)}},
    {AG_OP_IM2COL, "im2col [2 2 4 4] kernel 3 padding 1", build_im2col, 1, {IN(ANY, 2, 2, 4, 4)}},
    {AG_OP_IM2COL, "im2col [1 2 5 6] kernel (2, 3) stride (2, 1) padding (1, 0) dilation (1, 2)", build_im2col_odd, 1,
     {IN(ANY, 1, 2, 5, 6)}},
    {AG_OP_COL2IM, "col2im [4 8] to [1 2 4 4] kernel 2 stride 2", build_col2im, 1, {IN(ANY, 4, 8)}},
    {AG_OP_COL2IM, "col2im [12 4] to [1 1 3 4] kernel 2 padding (1, 0), overlapping", build_col2im_overlap, 1,
     {IN(ANY, 12, 4)}},
    {AG_OP_IM2COL, "conv2d [2 2 4 4] * [3 2 3 3] + [3] stride 2 padding 1", build_conv2d, 3,
     {IN(ANY, 2, 2, 4, 4), IN(ANY, 3, 2, 3, 3), IN(ANY, 3)}},
    {AG_OP_IM2COL, "conv2d [1 4 4 5] * [4 2 2 2] padding (1, 2) dilation (2, 1) groups 2", build_conv2d_groups, 2,
     {IN(ANY, 1, 4, 4, 5), IN(ANY, 4, 2, 2, 2)}},
    {AG_OP_IM2COL, "conv2d [1 1 2 2] * [2 1 2 2] padding (3, 2) > kernel, stride (1, 3)", build_conv2d_bigpad, 3,
     {IN(ANY, 1, 1, 2, 2), IN(ANY, 2, 1, 2, 2), IN(ANY, 2)}},
    {AG_OP_IM2COL, "conv1d [2 2 5] * [3 2 2] + [3] stride 2 padding 3", build_conv1d, 3,
     {IN(ANY, 2, 2, 5), IN(ANY, 3, 2, 2), IN(ANY, 3)}},
    {AG_OP_COL2IM, "conv_transpose2d [1 2 3 3] * [2 3 3 3] + [3] stride 2 padding 1 output_padding (1, 0)",
     build_conv_transpose2d, 3, {IN(ANY, 1, 2, 3, 3), IN(ANY, 2, 3, 3, 3), IN(ANY, 3)}},
    {AG_OP_COL2IM, "conv_transpose2d [1 4 2 3] * [4 1 2 2] groups 2 dilation (2, 1)", build_conv_transpose2d_groups, 2,
     {IN(ANY, 1, 4, 2, 3), IN(ANY, 4, 1, 2, 2)}},
    {AG_OP_MAX_POOL2D, "max_pool2d [1 2 5 5] kernel 2 ceil_mode", build_max_pool2d, 1, {IN(DISTINCT, 1, 2, 5, 5)}},
    {AG_OP_MAX_POOL2D, "max_pool2d [2 1 4 5] kernel 3 stride (1, 2) padding 1", build_max_pool2d_pad, 1,
     {IN(DISTINCT, 2, 1, 4, 5)}},
    {AG_OP_MAX_POOL2D, "max_pool2d [1 2 4 4] kernel 2 stride 1 dilation (2, 1)", build_max_pool2d_dilated, 1,
     {IN(DISTINCT, 1, 2, 4, 4)}},
    {AG_OP_IM2COL, "avg_pool2d [1 2 5 5] kernel 3 stride 2 padding 1 ceil_mode, pad not counted", build_avg_pool2d, 1,
     {IN(ANY, 1, 2, 5, 5)}},
    {AG_OP_IM2COL, "avg_pool2d [2 1 3 5] kernel (2, 3) padding 1 ceil_mode, pad counted", build_avg_pool2d_incl, 1,
     {IN(ANY, 2, 1, 3, 5)}},
    {AG_OP_MATMUL, "adaptive_avg_pool2d [1 2 5 7] to (3, 2)", build_adaptive_avg_pool2d, 1, {IN(ANY, 1, 2, 5, 7)}},
    {AG_OP_MATMUL, "interpolate bilinear [1 2 3 4] to (5, 3)", build_bilinear, 1, {IN(ANY, 1, 2, 3, 4)}},
    {AG_OP_MATMUL, "interpolate bilinear align_corners [1 1 3 3] scale (1.5, 2)", build_bilinear_corners, 1,
     {IN(ANY, 1, 1, 3, 3)}},
    {AG_OP_MATMUL, "interpolate nearest [1 1 3 4] scale (2, 1.5)", build_nearest, 1, {IN(ANY, 1, 1, 3, 4)}},
    {AG_OP_MATMUL, "interpolate bicubic [1 2 3 4] to (6, 2)", build_bicubic, 1, {IN(ANY, 1, 2, 3, 4)}},
    {AG_OP_IM2COL, "avg_pool2d [1 2 5 4] kernel (3, 2) stride 2 padding 1 ceil_mode, divisor_override 5",
     build_avg_pool2d_divisor, 1, {IN(ANY, 1, 2, 5, 4)}},
    {AG_OP_IM2COL, "unfold [1 2 3 3] kernel 2 padding 1 stride 2", build_unfold, 1, {IN(ANY, 1, 2, 3, 3)}},
    {AG_OP_COL2IM, "fold [1 8 4] to (3, 3) kernel 2", build_fold, 1, {IN(ANY, 1, 8, 4)}},
    {AG_OP_ABS, "softsign [2 3]", build_softsign, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_SOFTPLUS, "logsigmoid [2 3]", build_logsigmoid, 1, {IN(ANY, 2, 3)}},
    {AG_OP_HARDTANH, "hardsigmoid [2 3] (inside (-3, 3))", build_hardsigmoid, 1, {IN(ANY, 2, 3)}},
    {AG_OP_HARDTANH, "relu6 4*[3 3] (both sides of 0 and 6)", build_relu6, 1, {IN(AWAY, 3, 3)}},
    {AG_OP_CLIP, "hardswish [2 3]", build_hardswish, 1, {IN(ANY, 2, 3)}},
    {AG_OP_SIGMOID, "quick_gelu [2 3]", build_quick_gelu, 1, {IN(ANY, 2, 3)}},
    {AG_OP_ELU, "celu [2 3] alpha 0.5", build_celu, 1, {IN(AWAY, 2, 3)}},
    {AG_OP_SQRT, "normalize [2 3] p 2 dim 1", build_normalize, 1, {IN(ANY, 2, 3)}},
    {AG_OP_POW, "normalize [3 2] p 3 dim 0", build_normalize_p3, 1, {IN(AWAY, 3, 2)}},
    {AG_OP_WHERE, "masked_fill [2 3] by a fixed mask", build_masked_fill, 2, {IN(ANY, 2, 3), FIXED_IN(fill_mask, 2, 3)}},
    {AG_OP_VARIANCE, "layer_norm [2 3 2] over (3, 2) with weight and bias", build_layer_norm, 3,
     {IN(ANY, 2, 3, 2), IN(ANY, 3, 2), IN(ANY, 3, 2)}},
    {AG_OP_VARIANCE, "layer_norm [3 4] over the last axis", build_layer_norm_plain, 1, {IN(ANY, 3, 4)}},
    {AG_OP_GET_ITEM, "embedding [3 2] at [2 2] indices", build_embedding, 2, {IN(ANY, 3, 2), FIXED_IN(embed_index, 2, 2)}},
    {AG_OP_SOFTMAX, "scaled_dot_product_attention q [2 3 2] k [2 4 2] v [2 4 3]", build_sdpa, 3,
     {IN(ANY, 2, 3, 2), IN(ANY, 2, 4, 2), IN(ANY, 2, 4, 3)}},
    {AG_OP_WHERE, "scaled_dot_product_attention causal, scale 0.7, q [3 2] k [3 2] v [3 2]", build_sdpa_causal, 3,
     {IN(ANY, 3, 2), IN(ANY, 3, 2), IN(ANY, 3, 2)}},
    {AG_OP_SOFTMAX, "scaled_dot_product_attention scale 0 (uniform weights, as PyTorch's) q [3 2] k [4 2] v [4 3]",
     build_sdpa_scale_zero, 3, {IN(ANY, 3, 2), IN(ANY, 4, 2), IN(ANY, 4, 3)}},
    {AG_OP_SOFTMAX, "scaled_dot_product_attention scale -0.8 q [3 2] k [4 2] v [4 3]", build_sdpa_scale_negative, 3,
     {IN(ANY, 3, 2), IN(ANY, 4, 2), IN(ANY, 4, 3)}},
    {AG_OP_LOGADDEXP, "logcumsumexp [2 4] axis 1", build_logcumsumexp, 1, {IN(ANY, 2, 4)}},
    {AG_OP_GET_ITEM, "pad reflect [1 3 4] by (2, 1, 1, 2)", build_pad_reflect, 1, {IN(ANY, 1, 3, 4)}},
    {AG_OP_GET_ITEM, "pad replicate [1 3 4] by (0, 3, 2, 0)", build_pad_replicate, 1, {IN(ANY, 1, 3, 4)}},
    {AG_OP_GET_ITEM, "pad circular [2 3] by (3, 1)", build_pad_circular, 1, {IN(ANY, 2, 3)}},
    {AG_OP_GET_ITEM, "repeat_interleave [2 3] 3 times along 1", build_repeat_interleave, 1, {IN(ANY, 2, 3)}},
    {AG_OP_MATMUL, "einsum ij,jk->ik [2 3] [3 4]", build_einsum_matmul, 2, {IN(ANY, 2, 3), IN(ANY, 3, 4)}},
    {AG_OP_MATMUL, "einsum bij,bkj (implicit bik) [2 3 2] [2 4 2]", build_einsum_batched, 2,
     {IN(ANY, 2, 3, 2), IN(ANY, 2, 4, 2)}},
    {AG_OP_MATMUL, "einsum ij,jk,k->i [2 3] [3 4] [4]", build_einsum_three, 3, {IN(ANY, 2, 3), IN(ANY, 3, 4), IN(ANY, 4)}},
    {AG_OP_GET_ITEM, "einsum iji->j (a diagonal summed) [3 2 3]", build_einsum_trace, 1, {IN(ANY, 3, 2, 3)}},
    {AG_OP_MATMUL, "einsum ...i,i->... [2 2 3] [3]", build_einsum_ellipsis, 2, {IN(ANY, 2, 2, 3), IN(ANY, 3)}},
    {AG_OP_BROADCAST_TO, "einsum i,i,ij (a size-1 i broadcast) [1] [3] [3 2]", build_einsum_broadcast, 3,
     {IN(ANY, 1), IN(ANY, 3), IN(ANY, 3, 2)}},
    {AG_OP_GET_ITEM, "diagonal [3 2 4] offset 1 dims 0, 2", build_diagonal, 1, {IN(ANY, 3, 2, 4)}},
    {AG_OP_GET_ITEM, "diagonal [2 4 3] offset -1 dims -1, -2", build_diagonal_below, 1, {IN(ANY, 2, 4, 3)}},
    {AG_OP_BROADCAST_TO, "meshgrid ij of [2] [3] [2]", build_meshgrid_ij, 3, {IN(ANY, 2), IN(ANY, 3), IN(ANY, 2)}},
    {AG_OP_BROADCAST_TO, "meshgrid xy of [2] [3] [2]", build_meshgrid_xy, 3, {IN(ANY, 2), IN(ANY, 3), IN(ANY, 2)}},
    {AG_OP_GATHER, "cummax [2 4] axis 1", build_cummax, 1, {IN(DISTINCT, 2, 4)}},
    {AG_OP_GATHER, "cummin [4 2] axis 0", build_cummin, 1, {IN(DISTINCT, 4, 2)}},
    {AG_OP_WHERE, "scatter [3 4] along 0, src [3 5], a place written twice", build_scatter, 3,
     {IN(ANY, 3, 4), IN(ANY, 3, 5), FIXED_IN(scatter_index, 2, 4)}},
    {AG_OP_WHERE, "scatter value 0.5 into [3 4] along 0", build_scatter_value, 2,
     {IN(ANY, 3, 4), FIXED_IN(scatter_index, 2, 4)}},
    {AG_OP_SCATTER_ADD, "scatter_add [3 4] along 0, src [3 5], a place twice", build_scatter_add_to, 3,
     {IN(ANY, 3, 4), IN(ANY, 3, 5), FIXED_IN(scatter_index, 2, 4)}},
    {AG_OP_VARIANCE, "batch_norm training [4 3 2] with weight and bias", build_batch_norm, 3,
     {IN(ANY, 4, 3, 2), IN(ANY, 3), IN(ANY, 3)}},
    {AG_OP_SQRT, "batch_norm eval [2 3 2] with running statistics", build_batch_norm_eval, 3,
     {IN(ANY, 2, 3, 2), FIXED_IN(bn_mean, 3), FIXED_IN(bn_var, 3)}},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* ---- random numbers (a local PCG stream, independent of the engine's) --------------- */

static ag_rng rng;

static double uniform(double lo, double hi) { return lo + (hi - lo) * ag_rng_uniform(&rng); }

static bool near_kink(double v) {
    return fabs(v) < 0.1 || fabs(v - 0.5) < 0.1 || fabs(v + 0.5) < 0.1;
}

static void fill(double *data, size_t size, const input_spec *in) {
    switch (in->dom) {
    case ANY: for (size_t i = 0; i < size; i++) data[i] = uniform(-2, 2); break;
    case POSITIVE: for (size_t i = 0; i < size; i++) data[i] = uniform(0.5, 2.5); break;
    case SMALL: for (size_t i = 0; i < size; i++) data[i] = uniform(-1, 1); break;
    case AWAY:
        for (size_t i = 0; i < size; i++) {
            do data[i] = uniform(-2, 2);
            while (near_kink(data[i]));
        }
        break;
    case DISTINCT: {
        /* a grid with step 4/size, shuffled, jittered by at most a quarter step */
        double step = 4.0 / (double)size;
        for (size_t i = 0; i < size; i++)
            data[i] = -2 + step * ((double)i + 0.5) + uniform(-0.25, 0.25) * step;
        for (size_t i = size; i > 1; i--) {
            size_t j = ag_rng_u32(&rng) % i;
            double tmp = data[i - 1];
            data[i - 1] = data[j];
            data[j] = tmp;
        }
        break;
    }
    case FIXED: memcpy(data, in->fixed, size * sizeof *data); break;
    }
}

/* ---- one case ------------------------------------------------------------------------- */

typedef struct {
    const grad_case *c;
    ag_ctx *ctx;
    ag_var *xs[MAX_INPUTS]; /* the base point */
    ag_var *r, *q;          /* loss weights, y's shape */
    ag_var *v[MAX_INPUTS];  /* second-order directions, each input's shape */
    int failures;
    bool quiet; /* count mismatches without printing them */
} harness;

static bool differentiable(const harness *h, int j) { return h->c->in[j].dom != FIXED; }

/* L = sum(y * (r + q*y)) recorded as a graph, NULL on error. */
static ag_var *loss_graph(harness *h, ag_var *const *xs) {
    ag_ctx *ctx = h->ctx;
    ag_var *y = h->c->build(ctx, xs);
    return ag_sum(ctx, ag_mul(ctx, y, ag_add(ctx, h->r, ag_mul(ctx, h->q, y))), NULL, 0);
}

/* L at xs in plain doubles with backprop off. */
static double loss_value(harness *h, ag_var *const *xs) {
    bool old = ag_set_grad_enabled(h->ctx, false);
    ag_var *y = h->c->build(h->ctx, xs);
    ag_set_grad_enabled(h->ctx, old);
    assert_non_null(y);
    assert_int_equal(ag_size(y), ag_size(h->r));
    double total = 0;
    for (size_t i = 0; i < ag_size(y); i++) {
        double yi = ag_cdata(y)[i];
        total += yi * (ag_cdata(h->r)[i] + ag_cdata(h->q)[i] * yi);
    }
    return total;
}

/* First-order gradients of L at xs into g (NULL where L does not depend on
 * an input), as graphs when create_graph. */
static void first_order(harness *h, ag_var *const *xs, bool create_graph, ag_var **g) {
    for (int j = 0; j < h->c->ninputs; j++) ag_cleargrad(xs[j]);
    ag_var *loss = loss_graph(h, xs);
    if (loss == NULL) fail_msg("%s: %s", h->c->what, ag_errmsg(h->ctx));
    ag_backward_opts opts = {.create_graph = create_graph};
    if (ag_backward(h->ctx, loss, &opts) < 0) fail_msg("%s: %s", h->c->what, ag_errmsg(h->ctx));
    for (int j = 0; j < h->c->ninputs; j++) {
        g[j] = ag_grad(xs[j]);
        ag_cleargrad(xs[j]);
        if (g[j] != NULL && !ag_same_shape(g[j], xs[j]))
            fail_msg("%s: gradient of input %d has the wrong shape", h->c->what, j);
    }
}

/* M = sum_j sum(g_j * v_j) in doubles, from first-order gradients at xs. */
static double directional_value(harness *h, ag_var *const *xs) {
    ag_var *g[MAX_INPUTS];
    first_order(h, xs, false, g);
    double total = 0;
    for (int j = 0; j < h->c->ninputs; j++) {
        if (!differentiable(h, j) || g[j] == NULL) continue;
        for (size_t i = 0; i < ag_size(g[j]); i++) total += ag_cdata(g[j])[i] * ag_cdata(h->v[j])[i];
    }
    return total;
}

/* Copies of the base inputs with element `index` of input `k` shifted. */
static void shifted(harness *h, int k, size_t index, double shift, ag_var **out) {
    for (int j = 0; j < h->c->ninputs; j++) {
        out[j] = j == k ? ag_detach(h->ctx, h->xs[j]) : h->xs[j];
        assert_non_null(out[j]);
    }
    ag_data(out[k])[index] += shift;
}

static void compare(harness *h, const char *order, int k, size_t index, double analytic,
                    double numeric) {
    double scale = fmax(fabs(analytic), fabs(numeric));
    if (fabs(analytic - numeric) <= REL_TOL * scale + ABS_TOL) return;
    if (!h->quiet)
        print_error("%s: %s order, input %d element %zu: analytic %.17g, numeric %.17g\n",
                   h->c->what, order, k, index, analytic, numeric);
    h->failures++;
}

/* Central difference of value() along element `index` of input `k`. */
static double central(harness *h, int k, size_t index, double (*value)(harness *, ag_var *const *)) {
    ag_var *plus[MAX_INPUTS], *minus[MAX_INPUTS];
    shifted(h, k, index, STEP, plus);
    double up = value(h, plus);
    shifted(h, k, index, -STEP, minus);
    double down = value(h, minus);
    ag_gc(h->ctx); /* the roots are the base point and the weights */
    return (up - down) / (2 * STEP);
}

/* Does the graph ending at y contain a function of this op? */
static bool graph_has_op(ag_var *y, int op) {
    ag_func *stack[256];
    int len = 0;
    if (ag_creator(y)) stack[len++] = ag_creator(y);
    while (len > 0) {
        ag_func *f = stack[--len];
        if (ag_func_op(f) == op) return true;
        for (int i = 0; i < ag_func_ninputs(f) && len < 256; i++)
            if (ag_creator(ag_func_input(f, i))) stack[len++] = ag_creator(ag_func_input(f, i));
    }
    return false;
}

/* The ops whose 0/1 result records no node (SPEC: comparisons record
 * none; PyTorch's bool tensors have no grad_fn): their cases check that the
 * mask reaches the graph as data and that no gradient goes through it. */
static bool gives_mask(int op) {
    static const int masks[] = {AG_OP_EQ,    AG_OP_NE,    AG_OP_LT,       AG_OP_LE,      AG_OP_GT,  AG_OP_GE,
                                AG_OP_ISNAN, AG_OP_ISINF, AG_OP_ISFINITE, AG_OP_ISCLOSE, AG_OP_ANY, AG_OP_ALL};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        if (masks[i] == op) return true;
    return false;
}

static ag_var *random_like(ag_ctx *ctx, const ag_var *x) {
    ag_var *v = ag_zeros_like(ctx, x);
    assert_non_null(v);
    for (size_t i = 0; i < ag_size(v); i++) ag_data(v)[i] = uniform(-1, 1);
    ag_retain(v);
    return v;
}

static void run_case(void **state) {
    const grad_case *c = *state;
    harness h = {.c = c, .ctx = ag_ctx_new()};
    assert_non_null(h.ctx);
    ag_rng_seed(&rng, (uint64_t)(c - cases) + 1);
    for (int j = 0; j < c->ninputs; j++) {
        h.xs[j] = ag_zeros(h.ctx, c->in[j].ndim, c->in[j].shape);
        assert_non_null(h.xs[j]);
        fill(ag_data(h.xs[j]), ag_size(h.xs[j]), &c->in[j]);
        ag_retain(h.xs[j]);
    }
    ag_var *y = c->build(h.ctx, h.xs);
    if (y == NULL) fail_msg("%s: %s", c->what, ag_errmsg(h.ctx));
    if (gives_mask(c->op) && graph_has_op(y, c->op))
        fail_msg("%s: the graph has a %s node (a 0/1 result is data and records none)", c->what,
                 ag_op_name(c->op));
    if (!gives_mask(c->op) && !graph_has_op(y, c->op))
        fail_msg("%s: the graph has no %s node", c->what, ag_op_name(c->op));
    h.r = random_like(h.ctx, y);
    h.q = random_like(h.ctx, y);
    for (int j = 0; j < c->ninputs; j++) h.v[j] = random_like(h.ctx, h.xs[j]);

    /* analytic first order (kept as graphs) and second order */
    ag_var *g[MAX_INPUTS];
    first_order(&h, h.xs, true, g);
    ag_var *m = NULL;
    for (int j = 0; j < c->ninputs; j++) {
        if (!differentiable(&h, j)) {
            if (g[j] != NULL) fail_msg("%s: input %d got a gradient", c->what, j);
            continue;
        }
        if (g[j] == NULL) continue;
        ag_var *term = ag_sum(h.ctx, ag_mul(h.ctx, g[j], h.v[j]), NULL, 0);
        m = m == NULL ? term : ag_add(h.ctx, m, term);
    }
    double *first[MAX_INPUTS] = {0}, *second[MAX_INPUTS] = {0};
    if (m != NULL && ag_backward(h.ctx, m, NULL) < 0) fail_msg("%s: %s", c->what, ag_errmsg(h.ctx));
    for (int j = 0; j < c->ninputs; j++) {
        size_t size = ag_size(h.xs[j]);
        first[j] = calloc(size + 1, sizeof(double));
        second[j] = calloc(size + 1, sizeof(double));
        assert_non_null(first[j]);
        assert_non_null(second[j]);
        if (g[j] != NULL) memcpy(first[j], ag_cdata(g[j]), size * sizeof(double));
        if (ag_grad(h.xs[j]) != NULL)
            memcpy(second[j], ag_cdata(ag_grad(h.xs[j])), size * sizeof(double));
        ag_cleargrad(h.xs[j]);
    }
    ag_gc(h.ctx);

    for (int k = 0; k < c->ninputs; k++) {
        if (!differentiable(&h, k)) continue;
        for (size_t i = 0; i < ag_size(h.xs[k]); i++) {
            compare(&h, "first", k, i, first[k][i], central(&h, k, i, loss_value));
            compare(&h, "second", k, i, second[k][i], central(&h, k, i, directional_value));
        }
    }
    for (int j = 0; j < c->ninputs; j++) {
        free(first[j]);
        free(second[j]);
    }
    ag_ctx_free(h.ctx);
    if (h.failures > 0) fail_msg("%s: %d mismatches", c->what, h.failures);
}

/* Every op in the table has at least one case. */
static void test_every_op_has_a_case(void **state) {
    int missing = 0;
    for (int op = 0; op < AG_OP_COUNT; op++) {
        bool found = false;
        for (int i = 0; i < NCASES && !found; i++) found = cases[i].op == op;
        if (!found) {
            print_error("op %d (%s) has no gradient check\n", op, ag_op_name(op));
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

/* A deliberately wrong backward is caught: the check can fail. */
static ag_var *build_wrong(ag_ctx *ctx, ag_var *const *xs) {
    /* sin(x) whose values are replaced by x's after the fact: the recorded
     * backward (cos) no longer matches the function evaluated; written
     * behind the version count's back (through ag_data, backward would refuse
     * the changed output before the checker sees it) */
    ag_var *y = ag_sin(ctx, xs[0]);
    if (y != NULL) memcpy((double *)ag_cdata(y), ag_cdata(xs[0]), ag_size(y) * sizeof(double));
    return y;
}

static void test_checker_catches_a_wrong_gradient(void **state) {
    grad_case wrong = {AG_OP_SIN, "sin with replaced values", build_wrong, 1, {IN(ANY, 3)}};
    harness h = {.c = &wrong, .ctx = ag_ctx_new(), .quiet = true};
    ag_rng_seed(&rng, 99);
    h.xs[0] = ag_zeros(h.ctx, 1, (const int[]){3});
    fill(ag_data(h.xs[0]), 3, &wrong.in[0]);
    ag_retain(h.xs[0]);
    ag_var *y = build_wrong(h.ctx, h.xs);
    h.r = random_like(h.ctx, y);
    h.q = random_like(h.ctx, y);
    ag_var *g[1];
    first_order(&h, h.xs, false, g);
    double analytic = ag_cdata(g[0])[0];
    compare(&h, "first", 0, 0, analytic, central(&h, 0, 0, loss_value));
    assert_int_equal(h.failures, 1);
    ag_ctx_free(h.ctx);
}

static struct CMUnitTest tests[NCASES + 2];

int main(void) {
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_every_op_has_a_case);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_checker_catches_a_wrong_gradient);
    for (int i = 0; i < NCASES; i++)
        tests[i + 2] = (struct CMUnitTest){.name = cases[i].what,
                                           .test_func = run_case,
                                           .initial_state = (void *)&cases[i]};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
