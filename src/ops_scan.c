/* ops_scan.c — ops along one axis (or over all elements), as PyTorch has
 * them: prod, logsumexp, argmax, argmin, any, all (reductions), cumsum,
 * cumprod, flip (scans and movement), argsort, gather and its gradient
 * scatter_add; sort and topk are gather(x, argsort(x)).  log_softmax is in
 * ops_nn.c beside softmax.
 *
 * A reduction's params: naxes 0 = over every element (a 0-d result), else
 * axes[0] the one axis (dropped from the result).  The view around an axis
 * is (outer, dim, inner): lane (o, i) holds x[o*dim*inner + j*inner + i]. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct lanes {
    size_t outer, dim, inner;
    int axis;                /* normalized; -1 = every element as one lane */
    int ndim, shape[AG_MAX_DIMS]; /* the reduced result's shape (axis dropped) */
} lanes;

static size_t span(const int *shape, int from, int to) {
    size_t n = 1;
    for (int i = from; i < to; i++) n *= (size_t)shape[i];
    return n;
}

/* x's lanes along p's axis (or all of x); -1 with the error set. */
static int lanes_of(ag_ctx *ctx, const char *op, const ag_tensor *x, const ag_op_params *p, lanes *l) {
    if (p->naxes == 0 || x->ndim == 0) {
        if (p->naxes > 0 && axis_normalize_0d(ctx, op, p->axes[0], x->ndim) < 0) return -1;
        *l = (lanes){.outer = 1, .dim = x->size, .inner = 1, .axis = -1, .ndim = 0};
        return 0;
    }
    int axis = axis_normalize(ctx, op, p->axes[0], x->ndim);
    if (axis < 0) return -1;
    l->axis = axis;
    l->outer = span(x->shape, 0, axis);
    l->dim = (size_t)x->shape[axis];
    l->inner = span(x->shape, axis + 1, x->ndim);
    if (x->size == 0 && l->dim > 0) l->outer = 0; /* the result is empty too: no lanes to walk */
    l->ndim = 0;
    for (int i = 0; i < x->ndim; i++)
        if (i != axis) l->shape[l->ndim++] = x->shape[i];
    return 0;
}

static ag_var *axis_apply(ag_ctx *ctx, const ag_op_def *op, ag_var *x, const int *axis, int n_out) {
    ag_op_params p = {.naxes = axis != NULL};
    if (axis != NULL) p.axes[0] = *axis;
    return op_apply_row(ctx, op, &p, (ag_var *[]){x}, 1, n_out, NULL);
}

/* v (shaped like a reduction's result) put back in x's shape: reshaped with
 * the axis as 1 and broadcast. */
static ag_var *spread(ag_ctx *ctx, const ag_func *f, ag_var *v) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    if (v == NULL) return NULL;
    if (p->naxes > 0 && x->ndim > 0) {
        int shape[AG_MAX_DIMS];
        int axis = p->axes[0] < 0 ? p->axes[0] + x->ndim : p->axes[0];
        memcpy(shape, x->shape, sizeof shape);
        shape[axis] = 1;
        v = ag_reshape(ctx, v, x->ndim, shape);
    }
    return ag_broadcast_to(ctx, v, x->ndim, x->shape);
}

/* A constant leaf of x's shape (or shape) with data filled by the caller. */
static ag_var *const_leaf(ag_ctx *ctx, int ndim, const int *shape) {
    ag_var *m = ag_zeros(ctx, ndim, shape);
    if (m != NULL) m->flags |= AG_VAR_CONST;
    return m;
}

/* A reduction lane by lane: fold(lane, dim, inner, p) gives one value. */
typedef double (*lane_fold)(const double *lane, size_t dim, size_t inner, const ag_op_params *p);
static int fold_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, lane_fold fold) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *params = FUNC_PARAMS(f);
    lanes l;
    if (lanes_of(ctx, ag_op_table[f->op].symbol, x, params, &l) < 0) return -1;
    if (t_init_uninit(ctx, &ys[0], l.ndim, l.shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (size_t o = 0; o < l.outer; o++) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        for (size_t i = 0; i < l.inner; i++)
            ys[0].data[o * l.inner + i] = fold(x->data + o * l.dim * l.inner + i, l.dim, l.inner, params);
    }
    return 0;
}

/* ---- prod: gx = gy * (the product of the lane's other elements) -------------------------
 * prod/x where the lane has no zero (a graph, so create_graph works); where it
 * has one, the other elements' product counted directly (constant there). */
static double fold_prod(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    double r = 1.0;
    for (size_t j = 0; j < dim; j++) r *= v[j * inner];
    return r;
}
ag_var *ag_prod(ag_ctx *ctx, ag_var *x, const int *axis) { return axis_apply(ctx, OP_ROW(AG_OP_PROD), x, axis, 1); }
int op_prod_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return fold_forward(ctx, f, ys, fold_prod); }
int op_prod_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    bool zero = false;
    for (size_t i = 0; i < x->t.size && !zero; i++) zero = x->t.data[i] == 0.0;
    ag_var *others;
    if (!zero) {
        others = ag_div(ctx, spread(ctx, f, f->outputs[0]), x);
    } else {
        lanes l;
        if (lanes_of(ctx, "prod", &x->t, FUNC_PARAMS(f), &l) < 0) return -1;
        others = const_leaf(ctx, x->t.ndim, x->t.shape);
        for (size_t o = 0; others && o < l.outer; o++)
            for (size_t i = 0; i < l.inner; i++) {
                const double *v = x->t.data + o * l.dim * l.inner + i;
                double *g = others->t.data + o * l.dim * l.inner + i;
                for (size_t j = 0; j < l.dim; j++) {
                    double r = 1.0;
                    for (size_t k2 = 0; k2 < l.dim; k2++)
                        if (k2 != j) r *= v[k2 * l.inner];
                    g[j * l.inner] = r;
                }
            }
    }
    gxs[0] = ag_mul(ctx, spread(ctx, f, gys[0]), others);
    RETURN_GX0;
}

/* ---- logsumexp: m + log(sum(exp(x - m))), m the lane's max; gx = gy * exp(x - y) ---- */
static double fold_logsumexp(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    double m = -INFINITY;
    for (size_t j = 0; j < dim; j++)
        if (v[j * inner] > m || isnan(v[j * inner])) m = v[j * inner];
    if (isnan(m)) return m;
    if (isinf(m)) return m; /* all -inf: -inf; any +inf: +inf */
    double s = 0.0;
    for (size_t j = 0; j < dim; j++) s += exp(v[j * inner] - m);
    return m + log(s);
}
ag_var *ag_logsumexp(ag_ctx *ctx, ag_var *x, const int *axis) {
    return axis_apply(ctx, OP_ROW(AG_OP_LOGSUMEXP), x, axis, 1);
}
int op_logsumexp_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return fold_forward(ctx, f, ys, fold_logsumexp);
}
int op_logsumexp_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    gxs[0] = ag_mul(ctx, spread(ctx, f, gys[0]), ag_exp(ctx, ag_sub(ctx, x, spread(ctx, f, f->outputs[0]))));
    RETURN_GX0;
}

/* ---- argmax, argmin (the first of ties; NaN counts as the extreme, as PyTorch),
 * any, all (NaN counts as true): no gradient --------------------------------------------- */
static double fold_arg(const double *v, size_t dim, size_t inner, bool max) {
    size_t best = 0;
    for (size_t j = 1; j < dim && !isnan(v[best * inner]); j++) {
        double a = v[j * inner], b = v[best * inner];
        if (isnan(a) || (max ? a > b : a < b)) best = j;
    }
    return (double)best;
}
static double fold_argmax(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    return fold_arg(v, dim, inner, true);
}
static double fold_argmin(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    return fold_arg(v, dim, inner, false);
}
static double fold_any(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    for (size_t j = 0; j < dim; j++)
        if (v[j * inner] != 0.0) return 1.0;
    return 0.0;
}
static double fold_all(const double *v, size_t dim, size_t inner, const ag_op_params *p) {
    for (size_t j = 0; j < dim; j++)
        if (v[j * inner] == 0.0) return 0.0;
    return 1.0;
}
static int no_gradient(ag_func *f, ag_var **gxs) {
    for (int i = 0; i < f->ninputs; i++) gxs[i] = NULL;
    return 0;
}
/* argmax/argmin of no elements has no answer */
static int arg_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, lane_fold fold) {
    const ag_tensor *x = &f->inputs[0]->t;
    lanes l;
    if (lanes_of(ctx, ag_op_table[f->op].symbol, x, FUNC_PARAMS(f), &l) < 0) return -1;
    if (l.dim == 0 && l.outer * l.inner > 0)
        return ctx_error(ctx, AG_ERR_ARG, "%s of an empty tensor has no value", ag_op_table[f->op].symbol),
               -1;
    return fold_forward(ctx, f, ys, fold);
}
#define NO_GRAD_FOLD(stem, ID, FORWARD)                                                              \
    ag_var *ag_##stem(ag_ctx *ctx, ag_var *x, const int *axis) { return axis_apply(ctx, OP_ROW(AG_OP_##ID), x, axis, 1); } \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return FORWARD; }            \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {          \
        return no_gradient(f, gxs);                                                                 \
    }
NO_GRAD_FOLD(argmax, ARGMAX, arg_forward(ctx, f, ys, fold_argmax))
NO_GRAD_FOLD(argmin, ARGMIN, arg_forward(ctx, f, ys, fold_argmin))
NO_GRAD_FOLD(any, ANY, fold_forward(ctx, f, ys, fold_any))
NO_GRAD_FOLD(all, ALL, fold_forward(ctx, f, ys, fold_all))

/* ---- the folds over several axes at once (numpy's and PyTorch's tuple axes) --------------
 * The kept axes moved to the front and the reduced ones merged into one last axis
 * (Transpose and Reshape nodes, whose gradients carry the fold's back), then the
 * one-axis fold along it.  No axes: every element; one axis: the op itself. */
typedef ag_var *(*one_axis_fn)(ag_ctx *, ag_var *, const int *);
static ag_var *over_axes(ag_ctx *ctx, int op, one_axis_fn fn, ag_var *x, const int *axes, int naxes) {
    if (axes == NULL || naxes <= 0) return fn(ctx, x, NULL);
    if (naxes == 1) return fn(ctx, x, axes);
    const char *name = ag_op_table[op].symbol;
    if (!op_input_ok(ctx, op, x)) return NULL;
    if (naxes > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %d axes given, at most %d allowed", name, naxes,
                         AG_MAX_DIMS);
    bool mask[AG_MAX_DIMS];
    if (axes_mask(ctx, name, x->t.ndim, axes, naxes, mask) < 0) return NULL;
    int perm[AG_MAX_DIMS], shape[AG_MAX_DIMS], nkept = 0, n = 0;
    bool moved = false;
    for (int i = 0; i < x->t.ndim; i++)
        if (!mask[i]) shape[nkept++] = x->t.shape[i], perm[n++] = i;
    if (nkept == 0) return fn(ctx, x, NULL); /* every axis */
    size_t merged = 1;
    for (int i = 0; i < x->t.ndim; i++)
        if (mask[i]) merged *= (size_t)x->t.shape[i], perm[n++] = i;
    for (int i = 0; i < n; i++) moved = moved || perm[i] != i;
    if (merged > INT_MAX)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: the reduced axes hold %zu elements a lane, more than %d",
                         name, merged, INT_MAX);
    shape[nkept] = (int)merged;
    ag_var *t = moved ? ag_transpose(ctx, x, perm, n) : x;
    return fn(ctx, ag_reshape(ctx, t, nkept + 1, shape), &nkept);
}
ag_var *ag_logsumexp_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return over_axes(ctx, AG_OP_LOGSUMEXP, ag_logsumexp, x, axes, naxes);
}
ag_var *ag_prod_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return over_axes(ctx, AG_OP_PROD, ag_prod, x, axes, naxes);
}
ag_var *ag_any_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return over_axes(ctx, AG_OP_ANY, ag_any, x, axes, naxes);
}
ag_var *ag_all_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return over_axes(ctx, AG_OP_ALL, ag_all, x, axes, naxes);
}

/* ---- scans along one axis (params.axis): the result has x's shape --------------------- */

/* x's lanes along f's axis (a 0-d x: one lane of one element). */
static int scan_lanes(ag_ctx *ctx, const ag_func *f, lanes *l) {
    const ag_tensor *x = &f->inputs[0]->t;
    int axis = axis_normalize_0d(ctx, ag_op_table[f->op].symbol, FUNC_PARAMS(f)->axis, x->ndim);
    if (axis < 0) return -1;
    if (x->ndim == 0) {
        *l = (lanes){.outer = 1, .dim = 1, .inner = 1, .axis = 0};
        return 0;
    }
    *l = (lanes){.outer = span(x->shape, 0, axis), .dim = (size_t)x->shape[axis],
                 .inner = span(x->shape, axis + 1, x->ndim), .axis = axis};
    if (x->size == 0) l->outer = 0; /* x-shaped result: no lanes to walk */
    return 0;
}

typedef void (*lane_scan)(double *out, const double *in, size_t dim, size_t inner);
static int scan_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys, lane_scan scan) {
    const ag_tensor *x = &f->inputs[0]->t;
    lanes l;
    if (scan_lanes(ctx, f, &l) < 0) return -1;
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (size_t o = 0; o < l.outer; o++) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        for (size_t i = 0; i < l.inner; i++) {
            size_t at = o * l.dim * l.inner + i;
            scan(ys[0].data + at, x->data + at, l.dim, l.inner);
        }
    }
    return 0;
}

static ag_var *scan_apply(ag_ctx *ctx, const ag_op_def *op, ag_var *x, int axis) {
    ag_op_params p = {.axis = axis};
    return op_apply_row(ctx, op, &p, (ag_var *[]){x}, 1, 1, NULL);
}

/* flip: the lane reversed; gx = flip(gy) */
static void scan_flip(double *out, const double *in, size_t dim, size_t inner) {
    for (size_t j = 0; j < dim; j++) out[j * inner] = in[(dim - 1 - j) * inner];
}
ag_var *ag_flip(ag_ctx *ctx, ag_var *x, int axis) { return scan_apply(ctx, OP_ROW(AG_OP_FLIP), x, axis); }
int op_flip_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return scan_forward(ctx, f, ys, scan_flip); }
int op_flip_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_flip(ctx, gys[0], FUNC_PARAMS(f)->axis);
    RETURN_GX0;
}

/* cumsum: running sums; gx = flip(cumsum(flip(gy))) (sums from the end) */
static void scan_cumsum(double *out, const double *in, size_t dim, size_t inner) {
    double s = 0.0;
    for (size_t j = 0; j < dim; j++) out[j * inner] = s += in[j * inner];
}
ag_var *ag_cumsum(ag_ctx *ctx, ag_var *x, int axis) { return scan_apply(ctx, OP_ROW(AG_OP_CUMSUM), x, axis); }
int op_cumsum_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return scan_forward(ctx, f, ys, scan_cumsum); }
static ag_var *sum_from_end(ag_ctx *ctx, ag_var *g, int axis) {
    return ag_flip(ctx, ag_cumsum(ctx, ag_flip(ctx, g, axis), axis), axis);
}
int op_cumsum_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = sum_from_end(ctx, gys[0], FUNC_PARAMS(f)->axis);
    RETURN_GX0;
}

/* cumprod: running products; gx_j = sum_{k>=j} gy_k * y_k / x_j where x has no
 * zero (a graph); with a zero, sum_{k>=j} gy_k * prod_{i<=k, i!=j} x_i directly */
static void scan_cumprod(double *out, const double *in, size_t dim, size_t inner) {
    double s = 1.0;
    for (size_t j = 0; j < dim; j++) out[j * inner] = s *= in[j * inner];
}
ag_var *ag_cumprod(ag_ctx *ctx, ag_var *x, int axis) { return scan_apply(ctx, OP_ROW(AG_OP_CUMPROD), x, axis); }
int op_cumprod_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return scan_forward(ctx, f, ys, scan_cumprod); }
int op_cumprod_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0], *gy = gys[0];
    bool zero = false;
    for (size_t i = 0; i < x->t.size && !zero; i++) zero = x->t.data[i] == 0.0;
    if (!zero) {
        gxs[0] = ag_div(ctx, sum_from_end(ctx, ag_mul(ctx, gy, f->outputs[0]), FUNC_PARAMS(f)->axis), x);
        RETURN_GX0;
    }
    lanes l;
    if (gy == NULL || scan_lanes(ctx, f, &l) < 0) return -1;
    ag_var *g = var_uninit_like(ctx, x);
    if (g == NULL) return -1;
    for (size_t o = 0; o < l.outer; o++)
        for (size_t i = 0; i < l.inner; i++) {
            size_t at = o * l.dim * l.inner + i;
            const double *v = x->t.data + at, *gv = gy->t.data + at;
            for (size_t j = 0; j < l.dim; j++) {
                double total = 0.0, partial = 1.0; /* prod_{i<=k, i!=j} x_i */
                for (size_t k2 = 0; k2 < l.dim; k2++) {
                    if (k2 != j) partial *= v[k2 * l.inner];
                    if (k2 >= j) total += gv[k2 * l.inner] * partial;
                }
                g->t.data[at + j * l.inner] = total;
            }
        }
    gxs[0] = g;
    return 0;
}

/* ---- argsort along axis (stable; NaN last ascending, first descending, as PyTorch):
 * no gradient.  params.axis, params.n = descending ------------------------------------------ */
typedef struct keyed {
    double v;
    size_t j;
} keyed;
static int by_value_up(const void *pa, const void *pb) {
    const keyed *a = pa, *b = pb;
    bool na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->v != b->v) return a->v < b->v ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}
static int by_value_down(const void *pa, const void *pb) {
    const keyed *a = pa, *b = pb;
    bool na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na ? -1 : 1;
    if (!na && a->v != b->v) return a->v > b->v ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}
ag_var *ag_argsort(ag_ctx *ctx, ag_var *x, int axis, bool descending) {
    ag_op_params p = {.axis = axis, .n = descending};
    return op_apply(ctx, AG_OP_ARGSORT, &p, (ag_var *[]){x}, 1, 1, NULL);
}
int op_argsort_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    lanes l;
    if (scan_lanes(ctx, f, &l) < 0) return -1;
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    keyed *buf = ctx_malloc(ctx, (l.dim ? l.dim : 1) * sizeof *buf);
    if (buf == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (size_t o = 0; o < l.outer; o++)
        for (size_t i = 0; i < l.inner; i++) {
            size_t at = o * l.dim * l.inner + i;
            for (size_t j = 0; j < l.dim; j++) buf[j] = (keyed){x->data[at + j * l.inner], j};
            qsort(buf, l.dim, sizeof *buf, FUNC_PARAMS(f)->n ? by_value_down : by_value_up);
            for (size_t j = 0; j < l.dim; j++) ys[0].data[at + j * l.inner] = (double)buf[j].j;
        }
    ctx_free(ctx, buf);
    return 0;
}
int op_argsort_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) { return no_gradient(f, gxs); }

/* ---- gather(x, axis, index): y[..j..] = x[..index[..j..]..] along axis, index of x's
 * ndim and no larger than x off the axis (torch.gather); gx = scatter_add of gy ---------- */

/* The index tensor checked: whole numbers in [0, size) (negative ones count from
 * the end); into *out (malloc'd) as size_t. */
static int read_index(ag_ctx *ctx, const char *op, const ag_tensor *x, const ag_tensor *index, int axis,
                      size_t **out) {
    char xs[SHAPE_BUF], is[SHAPE_BUF];
    if (index->ndim != x->ndim)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: index has shape %s, x %s: they need the same number of axes",
                         op, shape_str(index, is), shape_str(x, xs)),
               -1;
    for (int d = 0; d < x->ndim; d++)
        if (d != axis && index->shape[d] > x->shape[d])
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: index of shape %s is larger than x %s on axis %d", op,
                             shape_str(index, is), shape_str(x, xs), d),
                   -1;
    size_t *ix = ctx_malloc(ctx, (index->size ? index->size : 1) * sizeof *ix);
    if (ix == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    double size = x->ndim ? x->shape[axis] : 1;
    for (size_t i = 0; i < index->size; i++) {
        double v = index->data[i];
        if (v != floor(v) || v < -size || v >= size) {
            ctx_free(ctx, ix);
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: index %g is not a position on axis %d (size %g)", op, v,
                             axis, size),
                   -1;
        }
        ix[i] = (size_t)(v < 0 ? v + size : v);
    }
    *out = ix;
    return 0;
}

/* For each element e of index (shape ishape), the linear position in a tensor of
 * shape tshape of e's multi-index with its axis coordinate replaced by ix[e]. */
static void positions(const ag_tensor *index, const int *tshape, int axis, const size_t *ix, size_t *pos) {
    int ndim = index->ndim, idx[AG_MAX_DIMS] = {0};
    size_t stride[AG_MAX_DIMS];
    size_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) stride[d] = s, s *= (size_t)tshape[d];
    for (size_t e = 0; e < index->size; e++) {
        size_t p = 0;
        for (int d = 0; d < ndim; d++) p += (d == axis ? ix[e] : (size_t)idx[d]) * stride[d];
        pos[e] = p;
        for (int d = ndim - 1; d >= 0; d--) {
            if (++idx[d] < index->shape[d]) break;
            idx[d] = 0;
        }
    }
}

/* axis normalized for gather/scatter_add on x of ndim (0-d: 0). */
static int gather_axis(ag_ctx *ctx, const char *op, int axis, int ndim) {
    return axis_normalize_0d(ctx, op, axis, ndim);
}

ag_var *ag_gather(ag_ctx *ctx, ag_var *x, int axis, ag_var *index) {
    ag_op_params p = {.axis = axis};
    return op_apply(ctx, AG_OP_GATHER, &p, (ag_var *[]){x, index}, 2, 1, NULL);
}
int op_gather_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t, *index = &f->inputs[1]->t;
    int axis = gather_axis(ctx, "gather", FUNC_PARAMS(f)->axis, x->ndim);
    size_t *ix, *pos;
    if (axis < 0 || read_index(ctx, "gather", x, index, axis, &ix) < 0) return -1;
    pos = ctx_malloc(ctx, (index->size ? index->size : 1) * sizeof *pos);
    if (pos == NULL || t_init_uninit(ctx, &ys[0], index->ndim, index->shape) < 0) {
        ctx_free(ctx, ix), ctx_free(ctx, pos);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    positions(index, x->shape, axis, ix, pos);
    for (size_t e = 0; e < index->size; e++) ys[0].data[e] = x->data[pos[e]];
    ctx_free(ctx, ix), ctx_free(ctx, pos);
    return 0;
}
int op_gather_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0];
    gxs[0] = ag_scatter_add(ctx, gys[0], FUNC_PARAMS(f)->axis, f->inputs[1], x->t.ndim, x->t.shape);
    gxs[1] = NULL;
    RETURN_GX0;
}

/* scatter_add: zeros(shape) with src[e] added at index[e]'s place along axis;
 * gsrc = gather(gy, axis, index) */
ag_var *ag_scatter_add(ag_ctx *ctx, ag_var *src, int axis, ag_var *index, int ndim, const int *shape) {
    if (ndim < 0 || ndim > AG_MAX_DIMS || (ndim > 0 && shape == NULL))
        return ctx_error(ctx, AG_ERR_SHAPE, "scatter_add: the shape is missing or has more than %d axes",
                         AG_MAX_DIMS);
    ag_op_params p = {.axis = axis, .ndim = ndim};
    if (ndim > 0) memcpy(p.shape, shape, (size_t)ndim * sizeof *shape);
    return op_apply(ctx, AG_OP_SCATTER_ADD, &p, (ag_var *[]){src, index}, 2, 1, NULL);
}
int op_scatter_add_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *src = &f->inputs[0]->t, *index = &f->inputs[1]->t;
    char ss[SHAPE_BUF], is[SHAPE_BUF];
    if (!shape_equal(src->ndim, src->shape, index->ndim, index->shape))
        return ctx_error(ctx, AG_ERR_SHAPE, "scatter_add: src %s and index %s differ", shape_str(src, ss),
                         shape_str(index, is)),
               -1;
    const ag_op_params *p = FUNC_PARAMS(f);
    ag_tensor target = {.ndim = p->ndim};
    memcpy(target.shape, p->shape, sizeof target.shape);
    target.size = shape_size(target.ndim, target.shape);
    int axis = gather_axis(ctx, "scatter_add", p->axis, target.ndim);
    size_t *ix, *pos;
    if (axis < 0 || read_index(ctx, "scatter_add", &target, index, axis, &ix) < 0) return -1;
    pos = ctx_malloc(ctx, (index->size ? index->size : 1) * sizeof *pos);
    if (pos == NULL || t_init(ctx, &ys[0], target.ndim, target.shape) < 0) {
        ctx_free(ctx, ix), ctx_free(ctx, pos);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    positions(index, target.shape, axis, ix, pos);
    for (size_t e = 0; e < index->size; e++) ys[0].data[pos[e]] += src->data[e];
    ctx_free(ctx, ix), ctx_free(ctx, pos);
    return 0;
}
int op_scatter_add_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_gather(ctx, gys[0], FUNC_PARAMS(f)->axis, f->inputs[1]);
    gxs[1] = NULL;
    RETURN_GX0;
}

/* ---- sort, topk: gather(x, argsort(x)) ---------------------------------------------------- */
int ag_sort(ag_ctx *ctx, ag_var *x, int axis, bool descending, ag_var **values, ag_var **indices) {
    if (ctx == NULL) return -1;
    if (values == NULL || indices == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "sort: values or indices is NULL"), -1;
    ag_var *order = ag_argsort(ctx, x, axis, descending);
    ag_var *v = ag_gather(ctx, x, axis, order);
    if (v == NULL) return -1;
    *values = v;
    *indices = order;
    return 0;
}

int ag_topk(ag_ctx *ctx, ag_var *x, int k, int axis, bool largest, ag_var **values, ag_var **indices) {
    if (ctx == NULL) return -1;
    if (values == NULL || indices == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "topk: values or indices is NULL"), -1;
    if (!op_input_ok(ctx, AG_OP_ARGSORT, x)) return -1;
    int ndim = x->t.ndim;
    int a = axis_normalize_0d(ctx, "topk", axis, ndim);
    if (a < 0) return -1;
    int size = ndim ? x->t.shape[a] : 1;
    if (k < 0 || k > size)
        return ctx_error(ctx, AG_ERR_SHAPE, "topk: k = %d is not between 0 and %d, the size of axis %d", k,
                         size, axis),
               -1;
    ag_var *order = ag_argsort(ctx, x, axis, largest);
    if (order == NULL) return -1;
    if (ndim > 0) {
        int *first = ctx_malloc(ctx, (size_t)(k ? k : 1) * sizeof *first);
        if (first == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
        for (int i = 0; i < k; i++) first[i] = i;
        order = ag_get_item(ctx, order, a, first, k);
        ctx_free(ctx, first);
    }
    ag_var *v = ag_gather(ctx, x, axis, order);
    if (v == NULL) return -1;
    *values = v;
    *indices = order;
    return 0;
}

/* ---- var and std with a correction: Variance * N/(N - correction) ------------------------ */
ag_var *ag_var_correction(ag_ctx *ctx, ag_var *x, const int *axes, int naxes, double correction) {
    if (!op_input_ok(ctx, AG_OP_VARIANCE, x)) return NULL;
    bool mask[AG_MAX_DIMS];
    if (axes_mask(ctx, "var", x->t.ndim, axes, axes ? naxes : 0, mask) < 0) return NULL;
    double n = 1;
    for (int i = 0; i < x->t.ndim; i++)
        if (mask[i]) n *= x->t.shape[i];
    ag_var *v = ag_variance(ctx, x, axes, naxes);
    if (correction == 0) return v;
    /* N <= correction: PyTorch's inf or NaN (0 * inf) */
    double scale = n - correction > 0 ? n / (n - correction) : INFINITY;
    return ag_mul(ctx, v, const_scalar(ctx, scale));
}
ag_var *ag_std(ag_ctx *ctx, ag_var *x, const int *axes, int naxes, double correction) {
    return ag_sqrt(ctx, ag_var_correction(ctx, x, axes, naxes, correction));
}
