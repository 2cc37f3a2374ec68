/* ops_index.c — PyTorch's diagonal, meshgrid, cummax/cummin, scatter,
 * scatter_add (into a tensor) and nonzero, each made of the
 * op table's ops (Transpose, Reshape, GetItem, BroadcastTo, Gather,
 * ScatterAdd, Where, Add) so its gradient, first and second order, is
 * theirs.  Positions an op reads (cummax's arg positions, scatter's masks)
 * are worked out here on the numbers and enter the graph as constants. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "internal.h"

/* A constant leaf (no gradient flows to it) of the given shape, zeros. */
static ag_var *const_zeros(ag_ctx *ctx, int ndim, const int *shape) {
    ag_var *v = ag_zeros(ctx, ndim, shape);
    if (v != NULL) v->flags |= AG_VAR_CONST;
    return v;
}

/* ---- diagonal ---------------------------------------------------------------------
 * torch.diagonal(x, offset, dim1, dim2): the entries x[..i.., i + offset] (or
 * x[i - offset, i] below) of the planes (dim1, dim2), as a new last axis.
 * Transpose the two axes to the end, Reshape them into one, GetItem the
 * diagonal's positions: the gradient puts gy back on the diagonal. */
ag_var *ag_diagonal(ag_ctx *ctx, ag_var *x, int offset, int dim1, int dim2) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    int nd = x->t.ndim;
    if (nd < 2) return ctx_error(ctx, AG_ERR_SHAPE, "diagonal: needs at least 2 axes, x has %d", nd);
    int d1 = axis_normalize(ctx, "diagonal", dim1, nd), d2 = d1 < 0 ? -1 : axis_normalize(ctx, "diagonal", dim2, nd);
    if (d1 < 0 || d2 < 0) return NULL;
    if (d1 == d2) return ctx_error(ctx, AG_ERR_ARG, "diagonal: dim1 and dim2 are both axis %d", d1);
    int axes[AG_MAX_DIMS], shape[AG_MAX_DIMS], k = 0;
    bool moved = false;
    for (int d = 0; d < nd; d++)
        if (d != d1 && d != d2) shape[k] = x->t.shape[d], axes[k++] = d;
    axes[k] = d1, axes[k + 1] = d2;
    for (int d = 0; d < nd; d++) moved |= axes[d] != d;
    long rows = x->t.shape[d1], cols = x->t.shape[d2];
    long n = offset >= 0 ? (cols - offset < rows ? cols - offset : rows) : (rows + offset < cols ? rows + offset : cols);
    if (n < 0) n = 0;
    int *at = ctx_malloc(ctx, (size_t)(n ? n : 1) * sizeof *at);
    if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (long i = 0; i < n; i++) at[i] = (int)(offset >= 0 ? i * cols + i + offset : (i - offset) * cols + i);
    shape[k] = (int)(rows * cols);
    ag_var *t = moved ? ag_transpose(ctx, x, axes, nd) : x;
    ag_var *y = ag_get_item(ctx, ag_reshape(ctx, t, k + 1, shape), k, at, (int)n);
    ctx_free(ctx, at);
    return y;
}

/* ---- meshgrid ---------------------------------------------------------------------
 * torch.meshgrid(x_0, ..., indexing): n grids of shape (len_0, ..., len_{n-1})
 * ("xy": the first two lengths swapped), grid i holding x_i along its axis:
 * Reshape and BroadcastTo. */
int ag_meshgrid(ag_ctx *ctx, ag_var *const *xs, int n, bool xy, ag_var **out) {
    if (ctx == NULL) return -1;
    if (out == NULL || (n > 0 && xs == NULL)) return ctx_error(ctx, AG_ERR_ARG, "meshgrid: NULL list"), -1;
    if (n < 1 || n > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_ARG, "meshgrid: needs 1 to %d tensors, got %d", AG_MAX_DIMS, n), -1;
    int shape[AG_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        if (!op_input_ok(ctx, AG_OP_BROADCAST_TO, xs[i])) return -1;
        if (xs[i]->t.ndim > 1)
            return ctx_error(ctx, AG_ERR_SHAPE, "meshgrid: tensor %d has %d axes; each must be 0-d or 1-D", i + 1,
                             xs[i]->t.ndim),
                   -1;
        shape[i] = (int)xs[i]->t.size;
    }
    int at[AG_MAX_DIMS]; /* the axis of grid i */
    for (int i = 0; i < n; i++) at[i] = i;
    if (xy && n >= 2) {
        at[0] = 1, at[1] = 0;
        int s = shape[0];
        shape[0] = shape[1], shape[1] = s;
    }
    for (int i = 0; i < n; i++) {
        int one[AG_MAX_DIMS];
        for (int d = 0; d < n; d++) one[d] = d == at[i] ? shape[d] : 1;
        out[i] = ag_broadcast_to(ctx, ag_reshape(ctx, xs[i], n, one), n, shape);
        if (out[i] == NULL) return -1;
    }
    return 0;
}

/* ---- cummax, cummin -----------------------------------------------------------------
 * The running maximum's position along axis (a later equal value takes it,
 * and a NaN takes it and keeps it, as PyTorch's CPU kernel); the values are
 * Gather(x, those positions), so the gradient goes to the arg positions. */
static int cumulative_extreme(ag_ctx *ctx, const char *who, ag_var *x, int axis, bool largest, ag_var **values,
                              ag_var **indices) {
    if (ctx == NULL) return -1;
    if (values == NULL || indices == NULL) return ctx_error(ctx, AG_ERR_ARG, "%s: NULL out-parameter", who), -1;
    *values = *indices = NULL;
    if (!op_input_ok(ctx, AG_OP_GATHER, x)) return -1;
    int a = axis_normalize_0d(ctx, who, axis, x->t.ndim);
    if (a < 0) return -1;
    ag_var *idx = const_zeros(ctx, x->t.ndim, x->t.shape);
    if (idx == NULL) return -1;
    size_t len = x->t.ndim ? (size_t)x->t.shape[a] : 1, inner = 1;
    for (int d = a + 1; d < x->t.ndim; d++) inner *= (size_t)x->t.shape[d];
    size_t outer = len > 0 && inner > 0 ? x->t.size / (len * inner) : 0;
    const double *v = x->t.data;
    double *ix = idx->t.data;
    for (size_t o = 0; o < outer; o++)
        for (size_t in = 0; in < inner; in++) {
            size_t base = o * len * inner + in, best = 0;
            double cur = v[base];
            for (size_t j = 0; j < len; j++) {
                double e = v[base + j * inner];
                if (isnan(e) || (largest ? e >= cur : e <= cur)) cur = e, best = j;
                ix[base + j * inner] = (double)best;
            }
        }
    *values = ag_gather(ctx, x, a, idx);
    if (*values == NULL) return -1;
    *indices = idx;
    return 0;
}
int ag_cummax(ag_ctx *ctx, ag_var *x, int axis, ag_var **values, ag_var **indices) {
    return cumulative_extreme(ctx, "cummax", x, axis, true, values, indices);
}
int ag_cummin(ag_ctx *ctx, ag_var *x, int axis, ag_var **values, ag_var **indices) {
    return cumulative_extreme(ctx, "cummin", x, axis, false, values, indices);
}

/* ---- scatter, scatter_add -------------------------------------------------------------
 * PyTorch's checks: index, x and src have the same number of axes, index is
 * no larger than src on any axis nor than x off the axis; its entries are
 * whole positions on x's axis (negative ones refused, as PyTorch).  Returns
 * the normalized axis, or -1. */
static int scatter_check(ag_ctx *ctx, const char *who, const ag_var *x, int axis, const ag_var *index,
                         const ag_var *src) {
    int nd = x->t.ndim, a = axis_normalize_0d(ctx, who, axis, nd);
    if (a < 0) return -1;
    char xs[SHAPE_BUF], is[SHAPE_BUF], ss[SHAPE_BUF];
    if (index->t.ndim != nd || (src != NULL && src->t.ndim != nd))
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: x %s, index %s%s%s need the same number of axes", who,
                         shape_str(&x->t, xs), shape_str(&index->t, is), src ? " and src " : "",
                         src ? shape_str(&src->t, ss) : ""),
               -1;
    for (int d = 0; d < nd; d++) {
        if (src != NULL && index->t.shape[d] > src->t.shape[d])
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: index %s is larger than src %s on axis %d", who,
                             shape_str(&index->t, is), shape_str(&src->t, ss), d),
                   -1;
        if (d != a && index->t.shape[d] > x->t.shape[d])
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: index %s is larger than x %s on axis %d", who,
                             shape_str(&index->t, is), shape_str(&x->t, xs), d),
                   -1;
    }
    double size = nd ? x->t.shape[a] : 1;
    for (size_t i = 0; i < index->t.size; i++) {
        double v = index->t.data[i];
        if (v != floor(v) || v < 0 || v >= size)
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: index %g is out of range for axis %d of size %g", who, v, a, size),
                   -1;
    }
    return a;
}

/* src's leading block of index's shape (src itself when they agree): Split. */
static ag_var *crop_to(ag_ctx *ctx, ag_var *src, const ag_var *index) {
    ag_var *y = src;
    for (int d = 0; d < src->t.ndim && y != NULL; d++) {
        int keep = index->t.shape[d], rest = src->t.shape[d] - keep;
        if (rest == 0) continue;
        ag_var *parts[2];
        if (ag_split(ctx, y, (const int[]){keep, rest}, 2, d, parts) < 0) return NULL;
        y = parts[0];
    }
    return y;
}

/* The flat position in x of index's entry e along axis a. */
static size_t target_of(const ag_var *x, const ag_var *index, int a, size_t e) {
    size_t pos = 0, rem = e;
    int nd = index->t.ndim, coord[AG_MAX_DIMS];
    for (int d = nd - 1; d >= 0; d--) coord[d] = (int)(rem % (size_t)index->t.shape[d]), rem /= (size_t)index->t.shape[d];
    coord[a] = (int)index->t.data[e];
    for (int d = 0; d < nd; d++) pos = pos * (size_t)x->t.shape[d] + (size_t)coord[d];
    return pos;
}

/* torch.scatter(x, dim, index, src): x with src[e] written at index[e]'s
 * place along dim; where index repeats a place, the last write wins (PyTorch's
 * CPU order).  Where(written, ScatterAdd(src * kept), x): the gradient is gy
 * to x where nothing was written and gy's gathered entries to the src entries
 * that were written last (a src entry overwritten gets 0, its true derivative;
 * PyTorch's formula gives it gy's entry too). */
static ag_var *scatter(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, ag_var *src, double value) {
    const char *who = "scatter";
    if (!op_input_ok(ctx, AG_OP_WHERE, x) || !op_input_ok(ctx, AG_OP_SCATTER_ADD, index)) return NULL;
    if (src != NULL && !op_input_ok(ctx, AG_OP_SCATTER_ADD, src)) return NULL;
    int a = scatter_check(ctx, who, x, axis, index, src);
    if (a < 0) return NULL;
    ag_var *written = const_zeros(ctx, x->t.ndim, x->t.shape);
    ag_var *kept = src ? const_zeros(ctx, index->t.ndim, index->t.shape) : NULL;
    size_t *last = written ? ctx_malloc(ctx, (x->t.size ? x->t.size : 1) * sizeof *last) : NULL;
    if (written == NULL || (src != NULL && kept == NULL) || last == NULL) {
        ctx_free(ctx, last);
        return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    bool repeats = false;
    for (size_t e = 0; e < index->t.size; e++) {
        size_t p = target_of(x, index, a, e);
        if (written->t.data[p] != 0) repeats = true;
        written->t.data[p] = 1, last[p] = e;
    }
    ag_var *y;
    if (src == NULL) {
        y = ag_masked_fill(ctx, x, written, value);
    } else {
        ag_var *s = crop_to(ctx, src, index);
        if (repeats) {
            for (size_t p = 0; p < x->t.size; p++)
                if (written->t.data[p] != 0) kept->t.data[last[p]] = 1;
            s = ag_mul(ctx, s, kept);
        }
        y = ag_where(ctx, written, ag_scatter_add(ctx, s, a, index, x->t.ndim, x->t.shape), x);
    }
    ctx_free(ctx, last);
    return y;
}
ag_var *ag_scatter(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, ag_var *src) {
    if (ctx == NULL) return NULL;
    if (src == NULL) return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "scatter: input 4 is NULL");
    return scatter(ctx, x, axis, index, src, 0);
}
ag_var *ag_scatter_value(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, double value) {
    return scatter(ctx, x, axis, index, NULL, value);
}

/* torch.scatter_add(x, dim, index, src): x + ScatterAdd(src): repeated places
 * add up; gradient gy to x, gy's gathered entries to src. */
ag_var *ag_scatter_add_to(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, ag_var *src) {
    if (!op_input_ok(ctx, AG_OP_ADD, x) || !op_input_ok(ctx, AG_OP_SCATTER_ADD, index) ||
        !op_input_ok(ctx, AG_OP_SCATTER_ADD, src))
        return NULL;
    int a = scatter_check(ctx, "scatter_add", x, axis, index, src);
    if (a < 0) return NULL;
    return ag_add(ctx, x, ag_scatter_add(ctx, crop_to(ctx, src, index), a, index, x->t.ndim, x->t.shape));
}

/* ---- nonzero ---------------------------------------------------------------------------
 * torch.nonzero(x): (count, ndim) positions of the entries that are not 0
 * (NaN counts), in row-major order; a leaf, no gradient. */
ag_var *ag_nonzero(ag_ctx *ctx, const ag_var *x) {
    if (ctx == NULL) return NULL;
    if (x == NULL) return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "nonzero: input 1 is NULL");
    size_t count = 0;
    for (size_t i = 0; i < x->t.size; i++) count += x->t.data[i] != 0;
    if (count > INT32_MAX) return ctx_error(ctx, AG_ERR_NOMEM, "nonzero: %zu positions are too many", count);
    int nd = x->t.ndim;
    ag_var *y = ag_zeros(ctx, 2, (const int[]){(int)count, nd});
    if (y == NULL) return NULL;
    double *out = y->t.data;
    for (size_t i = 0; i < x->t.size; i++) {
        if (x->t.data[i] == 0) continue;
        size_t rem = i;
        for (int d = nd - 1; d >= 0; d--) out[d] = (double)(rem % (size_t)x->t.shape[d]), rem /= (size_t)x->t.shape[d];
        out += nd;
    }
    return y;
}
