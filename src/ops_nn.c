/* ops_nn.c — neural-net functions: linear, softmax, mean squared error,
 * softmax cross-entropy and dropout, each forward with its backward right
 * below it (upstream's function package), plus accuracy, which records no graph.
 * Backwards are built from public ops so create_graph can record them. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "internal.h"

/* The ignore label of cross_entropy, as upstream. */
#define IGNORE_LABEL (-100)

/* Product of shape[from..to). */
static size_t dims_product(const int *shape, int from, int to) {
    size_t product = 1;
    for (int i = from; i < to; i++) product *= (size_t)shape[i];
    return product;
}

/* A zero leaf flagged as a constant (masks and one-hot tables). */
static ag_var *const_zeros(ag_ctx *ctx, int ndim, const int *shape) {
    ag_var *v = ag_zeros(ctx, ndim, shape);
    if (v != NULL) v->flags |= AG_VAR_CONST;
    return v;
}

/* v with its last two axes swapped: (..., a, b) -> (..., b, a). */
static ag_var *transpose_last_two(ag_ctx *ctx, ag_var *v) {
    if (v == NULL) return NULL;
    int ndim = v->t.ndim, axes[AG_MAX_DIMS];
    for (int i = 0; i < ndim; i++) axes[i] = i;
    axes[ndim - 2] = ndim - 1;
    axes[ndim - 1] = ndim - 2;
    return ag_transpose(ctx, v, axes, ndim);
}

/* ---- linear: y = x @ w (+ b) ----------------------------------------------------
 * x (..., n, k) @ w (..., k, m) -> (bcast(...), n, m), leading dims broadcast
 * like matmul; b (any shape broadcastable with that) is added. */
ag_var *ag_linear(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b) {
    if (b == NULL) return op_apply(ctx, AG_OP_LINEAR, NULL, (ag_var *[]){x, w}, 2, 1, NULL);
    return op_apply(ctx, AG_OP_LINEAR, NULL, (ag_var *[]){x, w, b}, 3, 1, NULL);
}

/* The shape of x @ w into ndim/shape; 0, or -1 with the error set. */
static int linear_matmul_shape(ag_ctx *ctx, const ag_tensor *x, const ag_tensor *w, int *ndim,
                               int *shape) {
    char xs[SHAPE_BUF], ws[SHAPE_BUF];
    if (x->ndim < 2 || w->ndim < 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "linear: x and w need at least 2 dimensions, got %s and %s",
                         shape_str(x, xs), shape_str(w, ws)),
               -1;
    if (x->shape[x->ndim - 1] != w->shape[w->ndim - 2])
        return matmul_not_aligned(ctx, "linear", "the input", "the weight", x, w);
    int lead;
    if (shape_broadcast(ctx, "linear", x->ndim - 2, x->shape, w->ndim - 2, w->shape, &lead,
                        shape) < 0)
    {
        /* in matmul's words: only the batch dims (all but the last two) broadcast */
        ag_tensor batch_x = {.ndim = x->ndim - 2}, batch_w = {.ndim = w->ndim - 2};
        memcpy(batch_x.shape, x->shape, sizeof batch_x.shape);
        memcpy(batch_w.shape, w->shape, sizeof batch_w.shape);
        return ctx_error(ctx, AG_ERR_SHAPE, "linear: batch shapes %s and %s are not compatible",
                         shape_str(&batch_x, xs), shape_str(&batch_w, ws)),
               -1;
    }
    shape[lead] = x->shape[x->ndim - 2];
    shape[lead + 1] = w->shape[w->ndim - 1];
    *ndim = lead + 2;
    return 0;
}

/* x (n x 1) @ w (1 x m) + b, b a row of m or one number: an outer product
 * plus the bias, in one pass.  Each element is x_i*w_j + b_j as the product
 * and the in-place add below make it (a one-term sum is the rounded product
 * added to 0 in dgemm and in the built-in product alike: -0 comes out +0),
 * without a second pass over
 * the output: the first layer of a net on one input feature (W5's is
 * 1000 x 256, 2 MB). */
static bool outer_plus_row(ag_tensor *y, const ag_tensor *x, const ag_tensor *w, const ag_tensor *b) {
    if (x->ndim != 2 || w->ndim != 2 || x->shape[1] != 1 || w->shape[0] != 1) return false;
    size_t n = (size_t)x->shape[0], m = (size_t)w->shape[1];
    bool row = b->ndim > 0 && b->size == m && (size_t)b->shape[b->ndim - 1] == m;
    if (!row && b->size != 1) return false;
    const double *restrict xs = x->data, *restrict ws = w->data, *restrict bs = b->data;
    double *restrict out = y->data;
    for (size_t i = 0; i < n; i++) {
        double xi = xs[i];
        double *restrict yr = out + i * m;
        if (row)
            for (size_t j = 0; j < m; j++) yr[j] = (0.0 + xi * ws[j]) + bs[j];
        else
            for (size_t j = 0; j < m; j++) yr[j] = (0.0 + xi * ws[j]) + bs[0];
    }
    return true;
}

int op_linear_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t, *w = &f->inputs[1]->t;
    int ndim, shape[AG_MAX_DIMS];
    if (linear_matmul_shape(ctx, x, w, &ndim, shape) < 0) return -1;
    if (f->ninputs < 3) {
        if (t_init_uninit(ctx, &ys[0], ndim, shape) < 0)
            return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
        if (!t_matmul_until(&ys[0], x, w, ctx->interrupt, &ctx->blas)) return op_interrupted(ctx, f);
        return 0;
    }
    const ag_tensor *b = &f->inputs[2]->t;
    int out_ndim, out_shape[AG_MAX_DIMS];
    if (shape_broadcast(ctx, "linear", ndim, shape, b->ndim, b->shape, &out_ndim, out_shape) < 0)
        return -1;
    /* A bias that does not widen the product (the usual row of a layer) is
     * added in place: one buffer and one pass less, the same sums */
    if (shape_equal(out_ndim, out_shape, ndim, shape)) {
        if (t_init_uninit(ctx, &ys[0], ndim, shape) < 0)
            return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
        if (outer_plus_row(&ys[0], x, w, b)) return 0;
        /* a layer's row of biases added as the product stores its tiles */
        if (x->ndim == 2 && w->ndim == 2 && b->ndim > 0 && b->size == (size_t)w->shape[1] &&
            b->shape[b->ndim - 1] == w->shape[1] &&
            t_dgemm_bias(&ctx->blas, x->shape[0], w->shape[1], x->shape[1], x->data, x->shape[1], w->data,
                         w->shape[1], b->data, ys[0].data, w->shape[1]))
            return 0;
        if (!t_matmul_until(&ys[0], x, w, ctx->interrupt, &ctx->blas)) return op_interrupted(ctx, f);
        if (t_add_inplace(&ys[0], b)) return 0;
        t_free(ctx, &ys[0]); /* a b of some other layout: the general way below */
    }
    ag_tensor product;
    if (t_init_uninit(ctx, &product, ndim, shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (t_init_uninit(ctx, &ys[0], out_ndim, out_shape) < 0) {
        t_free(ctx, &product);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    if (!t_matmul_until(&product, x, w, ctx->interrupt, &ctx->blas)) {
        t_free(ctx, &product);
        return op_interrupted(ctx, f);
    }
    t_binary(&ys[0], &product, b, T_ADD);
    t_free(ctx, &product);
    return 0;
}

/* gx = gy @ wᵀ, gw = xᵀ @ gy, gb = gy, each summed to its input's shape.  A
 * bias that widened the output is first summed out of the matmul's gy. */
/* Without create_graph, 2-D linear gradients go straight to dgemm with its
 * transpose flags: gx = gy @ wT, gw = xT @ gy, no transposed copies and no
 * Transpose nodes (measured: transposes were 5 % of the LSTM benchmark).
 * When the pass would add a gradient into an existing one in place (a weight
 * shared by the steps of an unrolled RNN), dgemm adds it there itself (beta
 * 1): no new buffer and no extra pass over it.  Only while the product's
 * inner dimension is at most SUM_IN_DGEMM_MAX_K: OpenBLAS splits a longer one
 * into blocks (384 with this machine's kernels; 128 leaves a margin for
 * others) and adds each
 * block's part into the sum, (g + p1) + p2 instead of g + (p1 + p2), which
 * would make the bits depend on whether this path ran (finite check on or
 * off).  Up to it, dgemm adds the whole product once, as the pass would.
 * f's inputs x (n, k) and w (k, m), gy (n, m); a constant input's gradient
 * is not made.  False when the fast case does not apply; else true with
 * *status 0, or -1 and the ctx error set. */
#define SUM_IN_DGEMM_MAX_K 128
static bool direct_linear_grads(ag_ctx *ctx, const ag_func *f, ag_var *gy, ag_var **gxs, int *status) {
    ag_var *x = f->inputs[0], *w = f->inputs[1];
    if (ctx->grad_enabled || gy == NULL || x->t.ndim != 2 || w->t.ndim != 2 || gy->t.ndim != 2)
        return false;
    int n = x->t.shape[0], k = x->t.shape[1], m = w->t.shape[1];
    if (gy->t.shape[0] != n || gy->t.shape[1] != m || w->t.shape[0] != k || n == 0 || k == 0 ||
        m == 0)
        return false;
    bool want_x = input_wants_grad(f, 0), want_w = input_wants_grad(f, 1); /* a constant's is not made */
    ag_var *sum_x = want_x && m <= SUM_IN_DGEMM_MAX_K ? backward_sum_target(ctx, x, 2, x->t.shape) : NULL;
    ag_var *sum_w = want_w && n <= SUM_IN_DGEMM_MAX_K ? backward_sum_target(ctx, w, 2, w->t.shape) : NULL;
    ag_tensor gx_t = {0}, gw_t = {0};
    *status = -1;
    gxs[0] = gxs[1] = NULL;
    if ((want_x && sum_x == NULL && t_init_uninit(ctx, &gx_t, 2, x->t.shape) < 0) ||
        (want_w && sum_w == NULL && t_init_uninit(ctx, &gw_t, 2, w->t.shape) < 0)) {
        t_free(ctx, &gx_t);
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        return true;
    }
    if (want_x)
        t_dgemm(&ctx->blas, false, true, n, k, m, gy->t.data, m, w->t.data, m, sum_x ? 1.0 : 0.0,
                sum_x ? sum_x->t.data : gx_t.data, k);
    if (want_w)
        t_dgemm(&ctx->blas, true, false, k, m, n, x->t.data, k, gy->t.data, m, sum_w ? 1.0 : 0.0,
                sum_w ? sum_w->t.data : gw_t.data, m);
    if (want_x && sum_x == NULL && (gxs[0] = var_from_tensor(ctx, &gx_t)) == NULL) {
        t_free(ctx, &gw_t);
        return true;
    }
    if (want_w && sum_w == NULL && (gxs[1] = var_from_tensor(ctx, &gw_t)) == NULL) return true;
    *status = 0;
    return true;
}

int op_linear_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0], *w = f->inputs[1], *gy = gys[0];
    if (f->ninputs == 3) {
        gxs[2] = reduce_to(ctx, gy, f->inputs[2]);
        int ndim, shape[AG_MAX_DIMS];
        if (linear_matmul_shape(ctx, &x->t, &w->t, &ndim, shape) < 0) return -1;
        if (!shape_equal(gy->t.ndim, gy->t.shape, ndim, shape))
            gy = ag_sum_to(ctx, gy, ndim, shape);
        if (gxs[2] == NULL) return -1;
    }
    int status;
    if (direct_linear_grads(ctx, f, gy, gxs, &status)) return status;
    bool want_x = input_wants_grad(f, 0), want_w = input_wants_grad(f, 1);
    if (want_x) gxs[0] = reduce_to(ctx, ag_matmul(ctx, gy, transpose_last_two(ctx, w)), x);
    if (want_w) gxs[1] = reduce_to(ctx, ag_matmul(ctx, transpose_last_two(ctx, x), gy), w);
    return (gxs[0] || !want_x) && (gxs[1] || !want_w) ? 0 : -1;
}

/* x seen as (outer, dim, inner) around axis: outer*inner lanes of dim
 * elements, a lane's elements inner apart.  A 0-d x is one lane of one
 * element (axis 0 or -1, as PyTorch). */
static void lanes_around(const ag_tensor *x, int axis, size_t *outer, size_t *dim, size_t *inner) {
    *outer = x->ndim == 0 ? 1 : dims_product(x->shape, 0, axis);
    *dim = x->ndim == 0 ? 1 : (size_t)x->shape[axis];
    *inner = x->ndim == 0 ? 1 : dims_product(x->shape, axis + 1, x->ndim);
    if (x->size == 0) *outer = 0; /* no lanes to walk (the other dims may multiply past size_t) */
}

/* ---- softmax along one axis, shifted by the lane's max --------------------------- */
ag_var *ag_softmax(ag_ctx *ctx, ag_var *x, int axis) {
    ag_op_params params = {.axis = axis};
    return op_apply(ctx, AG_OP_SOFTMAX, &params, (ag_var *[]){x}, 1, 1, NULL);
}

/* One lane of dim elements `stride` apart: its max in *max and the sum of
 * exp(x - max) in index order from 0, as upstream's Sum; each exp written
 * to e[j * stride] when e is not NULL.  The max is upstream's (-DBL_MAX to
 * start, a NaN never wins) unless nan_wins, PyTorch's log_softmax's: a NaN
 * wins (the lane stays NaN) and an infinite max shifts by 0 instead (a lane
 * of -inf gives -inf - log(0)).  Softmax's and log_softmax's lanes and
 * cross-entropy's rows share it. */
static inline double exp_sum(const double *in, size_t dim, size_t stride, double *e, double *max, bool nan_wins) {
    double m = nan_wins ? -INFINITY : -DBL_MAX, sum = 0.0;
    for (size_t j = 0; j < dim; j++)
        if (in[j * stride] > m || (nan_wins && isnan(in[j * stride]))) m = in[j * stride];
    if (nan_wins && !isfinite(m)) m = isnan(m) ? m : 0.0;
    for (size_t j = 0; j < dim; j++) {
        double v = exp(in[j * stride] - m);
        if (e != NULL) e[j * stride] = v;
        sum += v;
    }
    *max = m;
    return sum;
}

/* ys[0] shaped like f's input, each lane along params.axis (the input seen
 * as (outer, dim, inner) around it) written by lane(in, out, dim, inner). */
static int lanes_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, const char *symbol,
                         void (*lane)(const double *in, double *out, size_t dim, size_t stride)) {
    const ag_tensor *x = &f->inputs[0]->t;
    int axis = axis_normalize_0d(ctx, symbol, FUNC_PARAMS(f)->axis, x->ndim);
    if (axis < 0) return -1;
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    size_t outer, dim, inner;
    lanes_around(x, axis, &outer, &dim, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++)
            lane(x->data + o * dim * inner + i, ys[0].data + o * dim * inner + i, dim, inner);
    return 0;
}

/* y = e / sum(e), e = exp(x - max(x)) */
static void softmax_lane(const double *in, double *out, size_t dim, size_t stride) {
    double max, sum = exp_sum(in, dim, stride, out, &max, false);
    for (size_t j = 0; j < dim; j++) out[j * stride] = out[j * stride] / sum;
}
int op_softmax_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return lanes_forward(ctx, f, ys, "softmax", softmax_lane);
}

/* g summed along f's axis, the axis kept as 1 (sum(g, axis, keepdims)): the
 * lane sums softmax's and log_softmax's backwards take. */
static ag_var *lane_sums(ag_ctx *ctx, const ag_func *f, ag_var *g) {
    const ag_var *y = f->outputs[0];
    int given = FUNC_PARAMS(f)->axis;
    int ndim = y->t.ndim, axis = given < 0 ? given + ndim : given;
    int keep[AG_MAX_DIMS];
    for (int i = 0; i < ndim; i++) keep[i] = y->t.shape[i];
    if (ndim > 0) keep[axis] = 1; /* 0-d: the lane is the element itself */
    return ag_sum_to(ctx, g, ndim, keep);
}

/* gx = gy*y - y * sum(gy*y, axis, keepdims), upstream's order. */
int op_softmax_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *y = f->outputs[0];
    ag_var *gyy = ag_mul(ctx, gys[0], y);
    ag_var *sum = lane_sums(ctx, f, gyy);
    gxs[0] = ag_sub(ctx, gyy, ag_mul(ctx, y, sum));
    return gxs[0] ? 0 : -1;
}

/* ---- log_softmax along one axis: x - m - log(sum(exp(x - m))), m the lane's max ------
 * gx = gy - exp(y) * sum(gy) along the axis */
ag_var *ag_log_softmax(ag_ctx *ctx, ag_var *x, int axis) {
    ag_op_params params = {.axis = axis};
    return op_apply(ctx, AG_OP_LOG_SOFTMAX, &params, (ag_var *[]){x}, 1, 1, NULL);
}
/* x - (max + log(sum of exp(x - max))), NaN winning the max as PyTorch */
static void log_softmax_lane(const double *in, double *out, size_t dim, size_t stride) {
    double max, sum = exp_sum(in, dim, stride, NULL, &max, true);
    double shift = max + log(sum);
    for (size_t j = 0; j < dim; j++) out[j * stride] = in[j * stride] - shift;
}
int op_log_softmax_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return lanes_forward(ctx, f, ys, "log_softmax", log_softmax_lane);
}
int op_log_softmax_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *y = f->outputs[0];
    ag_var *sum = lane_sums(ctx, f, gys[0]);
    gxs[0] = ag_sub(ctx, gys[0], ag_mul(ctx, ag_exp(ctx, y), sum));
    return gxs[0] ? 0 : -1;
}

/* ---- mean squared error: sum((a - b)^2) / N, 0-d ---------------------------------- */
ag_var *ag_mse(ag_ctx *ctx, ag_var *y, ag_var *t) {
    return op_apply(ctx, AG_OP_MSE, NULL, (ag_var *[]){y, t}, 2, 1, NULL);
}

/* N is the size of the broadcast difference; the sum runs row-major from 0
 * and is divided (not multiplied by 1/N), as upstream. */
int op_mse_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *a = &f->inputs[0]->t, *b = &f->inputs[1]->t;
    int ndim, shape[AG_MAX_DIMS];
    if (shape_broadcast(ctx, "mse", a->ndim, a->shape, b->ndim, b->shape, &ndim, shape) < 0)
        return -1;
    ag_tensor diff;
    if (t_init_uninit(ctx, &diff, ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (t_init_uninit(ctx, &ys[0], 0, NULL) < 0) {
        t_free(ctx, &diff);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    t_binary(&diff, a, b, T_SUB);
    double sum = 0.0;
    for (size_t i = 0; i < diff.size; i++) sum += diff.data[i] * diff.data[i];
    ys[0].data[0] = sum / (double)diff.size;
    t_free(ctx, &diff);
    return 0;
}

/* gx0 = (2/N) * (gy * diff), gx1 = -gx0, each summed back to its input's
 * shape (upstream leaves them broadcast-shaped; that is a bug there). */
int op_mse_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *a = f->inputs[0], *b = f->inputs[1];
    ag_var *diff = ag_sub(ctx, a, b);
    if (diff == NULL) return -1;
    ag_var *g = ag_mul(ctx, const_scalar(ctx, 2.0 / (double)diff->t.size), ag_mul(ctx, gys[0], diff));
    gxs[0] = reduce_to(ctx, g, a);
    gxs[1] = reduce_to(ctx, ag_neg(ctx, g), b);
    return gxs[0] && gxs[1] ? 0 : -1;
}

/* ---- softmax cross-entropy ------------------------------------------------------ */
ag_var *ag_cross_entropy(ag_ctx *ctx, ag_var *logits, ag_var *labels) {
    return op_apply(ctx, AG_OP_CROSS_ENTROPY, NULL, (ag_var *[]){logits, labels}, 2, 1, NULL);
}

/* Row i's label as a class in [0, ncls), or -1 for the ignore label; a
 * fractional, NaN, infinite or out-of-range label is an error naming the
 * value and its row (returns -2 with the error set). */
static int label_class(ag_ctx *ctx, const char *who, const ag_tensor *t, int i, int ncls) {
    double label = t->data[i];
    if (label == IGNORE_LABEL) return -1;
    if (label >= 0 && label < ncls && label == trunc(label)) return (int)label;
    char value[32];
    if (isnan(label))
        snprintf(value, sizeof value, "NaN");
    else if (label == trunc(label) && fabs(label) < 1e15) /* 10, not the shortest "1e+01" */
        snprintf(value, sizeof value, "%.0f", label);
    else /* the shortest form that reads back as the same double */
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(value, sizeof value, "%.*g", digits, label);
            if (strtod(value, NULL) == label) break;
        }
    bool ce = strcmp(who, "cross_entropy") == 0;
    /* one column is one output, not one class (a moons net's score) */
    const char *one = ncls != 1 ? ""
                      : ce  ? "; one column of logits is one output: for two classes use "
                              "binary_cross_entropy_with_logits(x, t)"
                            : "; y has one column, one output: its accuracy is mean((y > 0) == t) for a "
                              "score, mean((y > 0.5) == t) for a probability";
    ctx_error(ctx, AG_ERR_ARG, "%s: label %s in row %d is not a class: labels are whole numbers 0 to %d%s%s",
              who, value, i, ncls - 1, ce ? " (or -100 to ignore the row)" : "", one);
    return -2;
}

/* Checks logits (N, C) and the N labels, writing each row's class to
 * classes[] (-1 for an ignored row, label -100).  Returns how many rows are kept, or -1
 * with the error set.  Run again by the backward because the labels' data is
 * writable in between. */
static int read_labels(ag_ctx *ctx, const ag_tensor *x, const ag_tensor *t, int *classes) {
    char buf[SHAPE_BUF];
    if (x->ndim != 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "cross_entropy: logits must be 2-D (N, C), got %s",
                         shape_str(x, buf)),
               -1;
    int rows = x->shape[0], ncls = x->shape[1];
    if (t->size != (size_t)rows) { /* as ops_loss.c's to_rows words it */
        char ts[SHAPE_BUF];
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "cross_entropy: target of shape %s for input %s: class labels of shape [%d], or "
                         "probabilities shaped like the input",
                         shape_str(t, ts), shape_str(x, buf), rows),
               -1;
    }
    int kept = 0;
    for (int i = 0; i < rows; i++) {
        classes[i] = label_class(ctx, "cross_entropy", t, i, ncls);
        if (classes[i] == -2) return -1;
        if (classes[i] >= 0) kept++;
    }
    return kept;
}

/* Per row logz = max + log(sum(exp(x - max))); loss = -1/n * sum of
 * x[i, t_i] - logz over the n kept rows (NaN when none is kept, as PyTorch;
 * the gradient is then 0, as PyTorch's). */
int op_cross_entropy_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t, *t = &f->inputs[1]->t;
    int *classes = ctx_malloc(ctx, (t->size > 0 ? t->size : 1) * sizeof *classes);
    if (classes == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    int kept = read_labels(ctx, x, t, classes);
    if (kept < 0) {
        ctx_free(ctx, classes);
        return -1;
    }
    if (t_init_uninit(ctx, &ys[0], 0, NULL) < 0) {
        ctx_free(ctx, classes);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    size_t ncls = (size_t)x->shape[1];
    double total = 0.0;
    for (int i = 0; i < x->shape[0]; i++) {
        if (classes[i] < 0) continue;
        const double *row = x->data + (size_t)i * ncls;
        double max, sum = exp_sum(row, ncls, 1, NULL, &max, false);
        total += row[classes[i]] - (max + log(sum));
    }
    ys[0].data[0] = kept == 0 ? NAN : -1.0 / (double)kept * total; /* a mean of nothing, as PyTorch */
    ctx_free(ctx, classes);
    return 0;
}

/* gx = ((softmax(x) - onehot) * mask) * (1/n) * gy, mask zeroing ignored
 * rows; no gradient for the labels. */
int op_cross_entropy_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    const ag_tensor *t = &f->inputs[1]->t;
    gxs[1] = NULL;
    int *classes = ctx_malloc(ctx, (t->size > 0 ? t->size : 1) * sizeof *classes);
    if (classes == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    int kept = read_labels(ctx, &x->t, t, classes);
    if (kept <= 0) {
        ctx_free(ctx, classes);
        if (kept < 0) return -1;
        gxs[0] = ag_zeros_like(ctx, x);
        return gxs[0] ? 0 : -1;
    }
    int rows = x->t.shape[0], ncls = x->t.shape[1];
    ag_var *onehot = const_zeros(ctx, 2, (int[]){rows, ncls});
    ag_var *mask = const_zeros(ctx, 2, (int[]){rows, 1});
    if (onehot == NULL || mask == NULL) {
        ctx_free(ctx, classes);
        return -1;
    }
    for (int i = 0; i < rows; i++) {
        if (classes[i] < 0) continue;
        onehot->t.data[(size_t)i * (size_t)ncls + (size_t)classes[i]] = 1.0;
        mask->t.data[i] = 1.0;
    }
    ctx_free(ctx, classes);
    ag_var *diff = ag_mul(ctx, ag_sub(ctx, ag_softmax(ctx, x, 1), onehot), mask);
    ag_var *gx = ag_mul(ctx, ag_mul(ctx, const_scalar(ctx, 1.0 / (double)kept), diff), gys[0]);
    gxs[0] = reduce_to(ctx, gx, x);
    return gxs[0] ? 0 : -1;
}

/* ---- dropout (inverted): y = x * mask, mask = (u > ratio) / (1 - ratio) ------------ */
ag_var *ag_dropout(ag_ctx *ctx, ag_var *x, double ratio) {
    if (!op_input_ok(ctx, AG_OP_DROPOUT, x)) return NULL;
    char shown[AG_NUMBUF];
    if (!(ratio >= 0.0 && ratio < 1.0))
        return ctx_error(ctx, AG_ERR_ARG, "dropout: ratio %s is outside [0, 1)",
                         ag_format_display(ratio, 0, shown));
    if (!ag_is_train(ctx)) return x;
    ag_op_params params = {.p = ratio};
    return op_apply(ctx, AG_OP_DROPOUT, &params, (ag_var *[]){x}, 1, 1, NULL);
}

/* The mask is drawn here (uniforms row-major from the context's generator,
 * as upstream's Rand) and kept in f->saved so the collector keeps it with
 * the node.  Folding the scale into the mask gives the same doubles as
 * upstream's scale * (x * mask01). */
int op_dropout_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    double ratio = f->p, scale = 1.0 / (1.0 - ratio);
    ag_var *mask = ag_rand(ctx, x->ndim, x->shape, NULL);
    if (mask == NULL) return -1;
    mask->flags |= AG_VAR_CONST;
    for (size_t i = 0; i < mask->t.size; i++)
        mask->t.data[i] = mask->t.data[i] > ratio ? scale : 0.0;
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_binary(&ys[0], x, &mask->t, T_MUL);
    f->saved = mask;
    return 0;
}

int op_dropout_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (f->saved == NULL) return ctx_error(ctx, AG_ERR_ARG, "dropout: the mask is missing"), -1;
    gxs[0] = ag_mul(ctx, gys[0], f->saved);
    return gxs[0] ? 0 : -1;
}

/* ---- accuracy: no graph ---------------------------------------------------------- */

/* Fraction of the kept rows of y (N, C) whose first maximum is at the label's
 * class (labels checked as cross_entropy's; a -100 row is left out, as
 * cross_entropy leaves it out); (1/N) * count like upstream's Mean.  No kept
 * row: NaN, a mean of nothing as in PyTorch.  A 0-d leaf. */
ag_var *ag_accuracy(ag_ctx *ctx, ag_var *y, ag_var *t) {
    if (ctx == NULL) return NULL;
    if (y == NULL || t == NULL)
        return ctx->failed ? NULL : ctx_error(ctx, AG_ERR_ARG, "accuracy: input %d is NULL", y ? 2 : 1);
    if (y->ctx != ctx || t->ctx != ctx)
        return ctx_error(ctx, AG_ERR_CONTEXT, "accuracy: input %d belongs to another context",
                         y->ctx != ctx ? 1 : 2);
    char buf[SHAPE_BUF];
    if (y->t.ndim != 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "accuracy: y must be 2-D (N, C), got %s", shape_str(&y->t, buf));
    int rows = y->t.shape[0];
    if (t->t.size != (size_t)rows)
        return ctx_error(ctx, AG_ERR_SHAPE, "accuracy: %zu labels for %d rows", t->t.size, rows);
    int kept = 0;
    for (int i = 0; i < rows; i++) {
        int c = label_class(ctx, "accuracy", &t->t, i, y->t.shape[1]);
        if (c == -2) return NULL;
        kept += c >= 0;
    }
    if (kept == 0) return ag_scalar(ctx, NAN);
    int *best = ctx_malloc(ctx, (rows > 0 ? (size_t)rows : 1) * sizeof *best);
    if (best == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    t_argmax_rows(&y->t, best);
    size_t hits = 0;
    for (int i = 0; i < rows; i++)
        if (best[i] >= 0 && t->t.data[i] == (double)best[i]) hits++;
    ctx_free(ctx, best);
    return ag_scalar(ctx, 1.0 / (double)kept * (double)hits);
}
