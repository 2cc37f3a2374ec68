/* ops_reduce.c — sum, mean, variance, max, min over axes (upstream's variable package).
 * Reduced axes are dropped (ag_keepdims reshapes them back to 1s); no axes
 * reduces everything to a 0-d result.  Each backward reshapes gy to the keepdims shape and
 * broadcasts it back over x, using public ops so create_graph records it. */
#include <math.h>
#include <string.h>

#include "internal.h"

/* Packs the caller's axes (as given, for the graph label) and runs op. */
static ag_var *reduce_apply(ag_ctx *ctx, const ag_op_def *op, ag_var *x, const int *axes, int naxes) {
    if (!op_input_ok(ctx, op->id, x)) return NULL;
    if (axes == NULL || naxes < 0) naxes = 0;
    if (naxes > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %d axes given, at most %d allowed", (*op).symbol, naxes,
                         AG_MAX_DIMS);
    ag_op_params params = {.naxes = naxes};
    if (naxes > 0) memcpy(params.axes, axes, (size_t)naxes * sizeof axes[0]);
    return op_apply_row(ctx, op, &params, (ag_var *[]){x}, 1, 1, NULL);
}

/* f's reduced axes as a mask over its input's dims; false on a bad axis
 * (only possible if the forward did not check them). */
static bool reduced_mask(ag_ctx *ctx, const ag_func *f, bool *mask) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    return axes_mask(ctx, ag_op_table[f->op].symbol, x->ndim, p->axes, p->naxes, mask) == 0;
}

/* How many input elements fold into each output element. */
static size_t reduced_count(const ag_tensor *x, const bool *mask) {
    size_t count = 1;
    for (int i = 0; i < x->ndim; i++)
        if (mask[i]) count *= (size_t)x->shape[i];
    return count;
}

/* ys[0] = x reduced with op over the masked axes, axes dropped. */
static int reduce_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, t_reduce_op op) {
    const ag_tensor *x = &f->inputs[0]->t;
    bool mask[AG_MAX_DIMS];
    if (!reduced_mask(ctx, f, mask)) return -1;
    int ndim, shape[AG_MAX_DIMS];
    shape_reduce(x->ndim, x->shape, mask, false, &ndim, shape);
    /* a max or min over no elements has no value (it is not -/+DBL_MAX) */
    if ((op == T_RMAX || op == T_RMIN) && reduced_count(x, mask) == 0 && x->ndim > 0) {
        size_t out = 1;
        for (int i = 0; i < ndim; i++) out *= (size_t)shape[i];
        if (out > 0)
            return ctx_error(ctx, AG_ERR_ARG, "%s of an empty tensor has no value",
                             op == T_RMAX ? "max" : "min"),
                   -1;
    }
    if (t_init_uninit(ctx, &ys[0], ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_reduce(&ys[0], x, mask, op);
    return 0;
}

/* v (shaped like f's output) reshaped to the keepdims shape and broadcast
 * back to x's shape.  With every axis reduced the reshape is skipped, as
 * upstream does. */
static ag_var *expand_to_input(ag_ctx *ctx, const ag_func *f, ag_var *v) {
    const ag_tensor *x = &f->inputs[0]->t;
    bool mask[AG_MAX_DIMS];
    if (v == NULL || !reduced_mask(ctx, f, mask)) return NULL;
    bool all = true;
    for (int i = 0; i < x->ndim; i++) all = all && mask[i];
    if (!all) {
        int ndim, shape[AG_MAX_DIMS];
        shape_reduce(x->ndim, x->shape, mask, true, &ndim, shape);
        v = ag_reshape(ctx, v, ndim, shape);
    }
    return ag_broadcast_to(ctx, v, x->ndim, x->shape);
}

ag_var *ag_keepdims(ag_ctx *ctx, ag_var *y, const ag_var *x, const int *axes, int naxes) {
    if (ctx == NULL) return NULL;
    if (y == NULL || x == NULL) /* a NULL y or x leaves a message (the contract) */
        return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "keepdims: input %d is NULL", y ? 2 : 1);
    bool mask[AG_MAX_DIMS];
    if (axes == NULL || naxes < 0) naxes = 0;
    if (axes_mask(ctx, "keepdims", x->t.ndim, axes, naxes, mask) < 0) return NULL;
    int ndim, shape[AG_MAX_DIMS];
    shape_reduce(x->t.ndim, x->t.shape, mask, true, &ndim, shape);
    return ag_reshape(ctx, y, ndim, shape);
}

/* ---- sum: gx = broadcast_to(reshape(gy, keepdims), x.shape) -------------------- */
ag_var *ag_sum(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return reduce_apply(ctx, OP_ROW(AG_OP_SUM), x, axes, naxes);
}
int op_sum_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return reduce_forward(ctx, f, ys, T_RSUM);
}
int op_sum_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = expand_to_input(ctx, f, gys[0]);
    RETURN_GX0;
}

/* ---- mean: y = (1/N) * sum(x); gx = (1/N) * expand(gy) --------------------------- */
ag_var *ag_mean(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return reduce_apply(ctx, OP_ROW(AG_OP_MEAN), x, axes, naxes);
}
int op_mean_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    if (reduce_forward(ctx, f, ys, T_RSUM) < 0) return -1;
    bool mask[AG_MAX_DIMS];
    reduced_mask(ctx, f, mask);
    /* multiply by the reciprocal, as upstream, so results match it bit for bit */
    double scale = 1.0 / (double)reduced_count(&f->inputs[0]->t, mask);
    for (size_t i = 0; i < ys[0].size; i++) ys[0].data[i] = scale * ys[0].data[i];
    return 0;
}
int op_mean_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    bool mask[AG_MAX_DIMS];
    if (!reduced_mask(ctx, f, mask)) return -1;
    double scale = 1.0 / (double)reduced_count(&f->inputs[0]->t, mask);
    gxs[0] = ag_mul(ctx, const_scalar(ctx, scale), expand_to_input(ctx, f, gys[0]));
    RETURN_GX0;
}

/* ---- variance (population): y = mean((x - mean(x))^2) ----------------------------
 * gx = expand(gy) * ((2/N) * (x - expand(mean(x)))); with no axes gy and the
 * mean are 0-d and simply broadcast, as upstream. */
ag_var *ag_variance(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return reduce_apply(ctx, OP_ROW(AG_OP_VARIANCE), x, axes, naxes);
}
int op_variance_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    bool mask[AG_MAX_DIMS];
    if (!reduced_mask(ctx, f, mask)) return -1;
    double scale = 1.0 / (double)reduced_count(x, mask);
    int kept_ndim, kept_shape[AG_MAX_DIMS], ndim, shape[AG_MAX_DIMS];
    shape_reduce(x->ndim, x->shape, mask, true, &kept_ndim, kept_shape);
    shape_reduce(x->ndim, x->shape, mask, false, &ndim, shape);
    ag_tensor mean = {0}, deviation = {0};
    if (t_init_uninit(ctx, &mean, kept_ndim, kept_shape) < 0 ||
        t_init_uninit(ctx, &deviation, x->ndim, x->shape) < 0 ||
        t_init_uninit(ctx, &ys[0], ndim, shape) < 0) {
        t_free(ctx, &mean);
        t_free(ctx, &deviation);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    t_reduce(&mean, x, mask, T_RSUM);
    for (size_t i = 0; i < mean.size; i++) mean.data[i] = scale * mean.data[i];
    t_binary(&deviation, x, &mean, T_SUB);
    for (size_t i = 0; i < deviation.size; i++) deviation.data[i] *= deviation.data[i];
    t_reduce(&ys[0], &deviation, mask, T_RSUM);
    for (size_t i = 0; i < ys[0].size; i++) ys[0].data[i] = scale * ys[0].data[i];
    t_free(ctx, &mean);
    t_free(ctx, &deviation);
    return 0;
}
int op_variance_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    const ag_op_params *p = FUNC_PARAMS(f);
    bool mask[AG_MAX_DIMS];
    if (!reduced_mask(ctx, f, mask)) return -1;
    double twice_scale = 2.0 / (double)reduced_count(&x->t, mask);
    ag_var *mean = ag_mean(ctx, x, p->axes, p->naxes);
    ag_var *gy = gys[0];
    if (p->naxes > 0) {
        int ndim, shape[AG_MAX_DIMS];
        shape_reduce(x->t.ndim, x->t.shape, mask, true, &ndim, shape);
        gy = ag_broadcast_to(ctx, ag_reshape(ctx, gy, ndim, shape), x->t.ndim, x->t.shape);
        mean = ag_reshape(ctx, mean, ndim, shape);
    }
    gxs[0] = ag_mul(ctx, gy, ag_mul(ctx, const_scalar(ctx, twice_scale), ag_sub(ctx, x, mean)));
    RETURN_GX0;
}

/* ---- max / min: gx = expand(gy) * (x close to expand(y)) --------------------------
 * Every element within upstream's IsClose tolerance of the extreme gets the
 * full gradient (ties are not split).  A NaN extreme is the NaN it came from:
 * the NaN elements get the gradient, as PyTorch's. */
static bool is_close(double a, double b) {
    return fabs(a - b) <= 1e-8 + 1e-5 * fmax(fabs(a), fabs(b));
}

/* A constant leaf shaped like f's input: 1 where x is close to the reduced
 * value of its group, else 0. */
static ag_var *extreme_mask(ag_ctx *ctx, const ag_func *f) {
    const ag_tensor *x = &f->inputs[0]->t, *y = &f->outputs[0]->t;
    bool mask[AG_MAX_DIMS];
    if (!reduced_mask(ctx, f, mask)) return NULL;
    /* y's data in the keepdims shape has the same element order */
    ag_tensor kept = *y, spread = {0};
    shape_reduce(x->ndim, x->shape, mask, true, &kept.ndim, kept.shape);
    if (t_init_uninit(ctx, &spread, x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    t_broadcast_to(&spread, &kept);
    ag_var *m = ag_zeros(ctx, x->ndim, x->shape);
    if (m != NULL) {
        m->flags |= AG_VAR_CONST;
        for (size_t i = 0; i < x->size; i++)
            m->t.data[i] = is_close(x->data[i], spread.data[i]) ||
                                   (isnan(x->data[i]) && isnan(spread.data[i]))
                               ? 1.0
                               : 0.0;
    }
    t_free(ctx, &spread);
    return m;
}

static int extreme_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *gy = gys[0];
    /* no axes: gy is 0-d and broadcasts in the multiply, as upstream */
    if (FUNC_PARAMS(f)->naxes > 0) gy = expand_to_input(ctx, f, gy);
    gxs[0] = ag_mul(ctx, gy, extreme_mask(ctx, f));
    RETURN_GX0;
}

ag_var *ag_max(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return reduce_apply(ctx, OP_ROW(AG_OP_MAX), x, axes, naxes);
}
int op_max_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return reduce_forward(ctx, f, ys, T_RMAX);
}
int op_max_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return extreme_backward(ctx, f, gys, gxs);
}

ag_var *ag_min(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return reduce_apply(ctx, OP_ROW(AG_OP_MIN), x, axes, naxes);
}
int op_min_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return reduce_forward(ctx, f, ys, T_RMIN);
}
int op_min_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    return extreme_backward(ctx, f, gys, gxs);
}
