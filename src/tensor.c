/* tensor.c — storage, shape checks and kernels for the engine's n-d arrays
 * (see tensor.h).  Every tensor is contiguous and row-major, so a kernel is
 * a row-major walk over one index space where each other operand is read or
 * written through strides (0 on broadcast or reduced dims). */
#include "tensor.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage ------------------------------------------------------------ */

size_t shape_size(int ndim, const int *shape) {
    size_t size = 1;
    for (int i = 0; i < ndim; i++) size *= (size_t)shape[i];
    return size;
}

bool shape_equal(int na, const int *a, int nb, const int *b) {
    if (na != nb) return false;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static void make_empty(ag_tensor *t) {
    memset(t, 0, sizeof *t);
}

/* The shared part of t_init and t_init_uninit.  An invalid shape (rank out
 * of [0, AG_MAX_DIMS], a negative dim, a byte size that overflows) fails like
 * out-of-memory: the op layer never asks for one. */
static int init_storage(ag_ctx *ctx, ag_tensor *t, int ndim, const int *shape, bool zeroed) {
    int copy[AG_MAX_DIMS];
    if (ndim < 0 || ndim > AG_MAX_DIMS) {
        make_empty(t);
        return -1;
    }
    size_t size = 1;
    for (int i = 0; i < ndim; i++) {
        /* shape may alias t->shape, so it is read before t is touched */
        copy[i] = shape[i];
        if (copy[i] < 0) {
            make_empty(t);
            return -1;
        }
        if (copy[i] == 0) size = 0; /* empty, however big the other dims: no overflow to check */
    }
    for (int i = 0; i < ndim && size > 0; i++) {
        if (size > SIZE_MAX / sizeof(double) / (size_t)copy[i]) {
            make_empty(t);
            return -1;
        }
        size *= (size_t)copy[i];
    }
    double *data = NULL;
    if (size > 0) {
        data = ctx_buf_get(ctx, size, zeroed);
        if (data == NULL) {
            make_empty(t);
            return -1;
        }
    }
    make_empty(t);
    t->ndim = ndim;
    memcpy(t->shape, copy, (size_t)ndim * sizeof copy[0]);
    t->size = size;
    t->data = data;
    return 0;
}

int t_init(ag_ctx *ctx, ag_tensor *t, int ndim, const int *shape) {
    return init_storage(ctx, t, ndim, shape, true);
}

int t_init_uninit(ag_ctx *ctx, ag_tensor *t, int ndim, const int *shape) {
    return init_storage(ctx, t, ndim, shape, false);
}

void t_free(ag_ctx *ctx, ag_tensor *t) {
    ctx_buf_put(ctx, t->data, t->size);
    make_empty(t);
}

/* dst's previous storage (if any) is not freed: dst is treated as empty. */
int t_copy(ag_ctx *ctx, ag_tensor *dst, const ag_tensor *src) {
    if (dst == src) return 0;
    if (t_init_uninit(ctx, dst, src->ndim, src->shape) != 0) return -1;
    if (src->size > 0) memcpy(dst->data, src->data, src->size * sizeof *src->data);
    return 0;
}

/* ---- shape helpers ------------------------------------------------------ */

/* Enough for AG_MAX_DIMS dims of 11 characters each, the spaces and brackets. */
#define SHAPE_TEXT 128

/* "[2 3]", "[]" for 0-d.  Stops early (ending in "...]") rather than overflow
 * when a caller passes more dims than AG_MAX_DIMS. */
static const char *shape_text(int ndim, const int *shape, char *buf) {
    size_t used = 0;
    buf[used++] = '[';
    for (int i = 0; i < ndim; i++) {
        if (used + 16 > SHAPE_TEXT) {
            memcpy(buf + used, "...", 3);
            used += 3;
            break;
        }
        used += (size_t)snprintf(buf + used, SHAPE_TEXT - used, i ? " %d" : "%d", shape[i]);
    }
    buf[used++] = ']';
    buf[used] = '\0';
    return buf;
}

int shape_broadcast(ag_ctx *ctx, const char *op, int na, const int *a, int nb, const int *b,
                    int *nout, int *out) {
    int rank = na > nb ? na : nb;
    int result[AG_MAX_DIMS];
    for (int i = 0; i < rank; i++) {
        /* right-aligned: a missing leading dim counts as 1 */
        int da = i - (rank - na) >= 0 ? a[i - (rank - na)] : 1;
        int db = i - (rank - nb) >= 0 ? b[i - (rank - nb)] : 1;
        if (da == db || db == 1) {
            result[i] = da;
        } else if (da == 1) {
            result[i] = db;
        } else {
            char ta[SHAPE_TEXT], tb[SHAPE_TEXT];
            ctx_error(ctx, AG_ERR_SHAPE, "%s: shapes %s and %s are not compatible", op, shape_text(na, a, ta),
                      shape_text(nb, b, tb));
            return -1;
        }
    }
    /* out may alias a or b */
    memcpy(out, result, (size_t)rank * sizeof result[0]);
    *nout = rank;
    return 0;
}

int axis_normalize(ag_ctx *ctx, const char *op, int axis, int ndim) {
    int normalized = axis < 0 ? axis + ndim : axis;
    if (normalized < 0 || normalized >= ndim) {
        ctx_error(ctx, AG_ERR_SHAPE, "%s: axis %d out of range for ndim %d", op, axis, ndim);
        return -1;
    }
    return normalized;
}

int axis_normalize_0d(ag_ctx *ctx, const char *op, int axis, int ndim) {
    if (ndim > 0) return axis_normalize(ctx, op, axis, ndim);
    if (axis == 0 || axis == -1) return 0;
    ctx_error(ctx, AG_ERR_SHAPE, "%s: axis %d out of range for a 0-d value (0 or -1)", op, axis);
    return -1;
}

int axes_mask(ag_ctx *ctx, const char *op, int ndim, const int *axes, int naxes, bool *mask) {
    bool scalar_axis = false; /* a 0-d value's one pseudo-axis, as PyTorch: 0 or -1 */
    for (int i = 0; i < ndim; i++) mask[i] = naxes == 0;
    for (int i = 0; i < naxes; i++) {
        int axis = axis_normalize_0d(ctx, op, axes[i], ndim);
        if (axis < 0) return -1;
        if (ndim == 0) {
            if (scalar_axis) return ctx_error(ctx, AG_ERR_SHAPE, "%s: duplicate axis %d", op, axis), -1;
            scalar_axis = true;
            continue;
        }
        if (mask[axis]) {
            ctx_error(ctx, AG_ERR_SHAPE, "%s: duplicate axis %d", op, axis);
            return -1;
        }
        mask[axis] = true;
    }
    return 0;
}

void shape_reduce(int ndim, const int *shape, const bool *mask, bool keepdims, int *nout,
                  int *out) {
    int result[AG_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < ndim; i++) {
        if (!mask[i])
            result[n++] = shape[i];
        else if (keepdims)
            result[n++] = 1;
    }
    memcpy(out, result, (size_t)n * sizeof result[0]);
    *nout = n;
}

int shape_reshape(ag_ctx *ctx, size_t size, int ndim_in, const int *shape_in, int ndim,
                  const int *shape, int *out) {
    char tin[SHAPE_TEXT], tout[SHAPE_TEXT];
    int unknown = -1; /* position of the -1, if any */
    bool valid = ndim >= 0 && ndim <= AG_MAX_DIMS;
    size_t known = 1;
    for (int i = 0; valid && i < ndim; i++) {
        if (shape[i] == -1) {
            if (unknown >= 0) {
                ctx_error(ctx, AG_ERR_SHAPE, "reshape: more than one -1 in %s",
                          shape_text(ndim, shape, tout));
                return -1;
            }
            unknown = i;
        } else if (shape[i] < 0) {
            valid = false;
        } else if (shape[i] > 0 && known > SIZE_MAX / (size_t)shape[i]) {
            valid = false;
        } else {
            known *= (size_t)shape[i];
        }
    }
    size_t inferred = 0;
    if (valid && unknown >= 0) {
        /* a -1 next to a 0 dim could be anything: refuse, like NumPy */
        valid = known > 0 && size % known == 0 && size / known <= INT_MAX;
        inferred = valid ? size / known : 0;
    } else if (valid) {
        valid = known == size;
    }
    if (!valid) {
        ctx_error(ctx, AG_ERR_SHAPE, "reshape: cannot reshape %s into %s", shape_text(ndim_in, shape_in, tin),
                  shape_text(ndim, shape, tout));
        return -1;
    }
    for (int i = 0; i < ndim; i++) out[i] = i == unknown ? (int)inferred : shape[i];
    return 0;
}

int shape_check_broadcast_to(ag_ctx *ctx, const char *op, int nfrom, const int *from, int nto,
                             const int *to) {
    bool valid = nfrom <= nto;
    for (int i = 0; valid && i < nfrom; i++) {
        int f = from[i], t = to[nto - nfrom + i];
        valid = t >= 0 && (f == t || f == 1);
    }
    if (!valid) {
        char tf[SHAPE_TEXT], tt[SHAPE_TEXT];
        ctx_error(ctx, AG_ERR_SHAPE, "%s: cannot broadcast %s to %s", op, shape_text(nfrom, from, tf),
                  shape_text(nto, to, tt));
        return -1;
    }
    return 0;
}

/* ---- strided walks -------------------------------------------------------
 * A walk visits the index space `shape` in row-major order; the operand that
 * is iterated in that order is contiguous and needs no strides, the others
 * (up to two) have one stride per dim.  Coalescing first drops size-1 dims
 * and merges neighbours that stay linear for every operand, so the inner
 * loop (the last dim) is as long as possible. */

typedef struct walk {
    int ndim;
    int noperands;
    size_t shape[AG_MAX_DIMS];
    size_t stride[2][AG_MAX_DIMS];
} walk;

static void walk_coalesce(walk *w) {
    int n = 0;
    for (int i = 0; i < w->ndim; i++) {
        if (w->shape[i] == 1) continue;
        bool merge = n > 0;
        for (int k = 0; merge && k < w->noperands; k++)
            merge = w->stride[k][n - 1] == w->stride[k][i] * w->shape[i];
        if (merge) {
            w->shape[n - 1] *= w->shape[i];
            for (int k = 0; k < w->noperands; k++) w->stride[k][n - 1] = w->stride[k][i];
        } else {
            w->shape[n] = w->shape[i];
            for (int k = 0; k < w->noperands; k++) w->stride[k][n] = w->stride[k][i];
            n++;
        }
    }
    w->ndim = n;
}

/* Right-aligns shape into padded[rank] (missing leading dims are 1). */
static void pad_shape(int ndim, const int *shape, int rank, size_t *padded) {
    for (int i = 0; i < rank; i++) {
        int j = i - (rank - ndim);
        padded[i] = j >= 0 ? (size_t)shape[j] : 1;
    }
}

/* Strides of a contiguous tensor of the padded shape, with 0 on the dims
 * where it is 1 but the walk's dim is not (broadcast / summed dims). */
static void broadcast_strides(int rank, const size_t *padded, const size_t *walk_shape,
                              size_t *stride) {
    size_t step = 1;
    for (int i = rank - 1; i >= 0; i--) {
        stride[i] = padded[i] == walk_shape[i] ? step : 0;
        step *= padded[i];
    }
}

/* The odometer: advances index/offsets to the next inner row (dims before
 * the last). */
static void walk_next(const walk *w, size_t *index, size_t *offset) {
    for (int d = w->ndim - 2; d >= 0; d--) {
        index[d]++;
        for (int k = 0; k < w->noperands; k++) offset[k] += w->stride[k][d];
        if (index[d] < w->shape[d]) return;
        index[d] = 0;
        for (int k = 0; k < w->noperands; k++) offset[k] -= w->stride[k][d] * w->shape[d];
    }
}

/* ---- elementwise -------------------------------------------------------- */

/* One row of out = a OP b with element strides sa, sb.  Inlined with literal
 * strides by binary_row so the flat cases compile to plain loops; the switch
 * sits outside every loop.  The loops are unrolled by 4 over restrict
 * pointers because GCC's -O2 vectorizes only loops that need neither a
 * runtime overlap check nor a remainder loop, and this shape needs neither
 * (the remainder is its own short loop). */
#define BINARY_AT(EXPR, k)                            \
    do {                                              \
        double x = a[(k) * sa], y = b[(k) * sb];      \
        out[k] = (EXPR);                              \
    } while (0)
#define BINARY_LOOP(EXPR)                                                        \
    do {                                                                         \
        size_t i = 0;                                                            \
        for (; i + 4 <= n; i += 4) {                                             \
            BINARY_AT(EXPR, i);                                                  \
            BINARY_AT(EXPR, i + 1);                                              \
            BINARY_AT(EXPR, i + 2);                                              \
            BINARY_AT(EXPR, i + 3);                                              \
        }                                                                        \
        for (; i < n; i++) BINARY_AT(EXPR, i);                                   \
    } while (0)

static inline __attribute__((always_inline)) void binary_run(double *restrict out,
                                                             const double *restrict a, size_t sa,
                                                             const double *restrict b, size_t sb,
                                                             size_t n, t_binop op) {
    switch (op) {
    case T_ADD: BINARY_LOOP(x + y); break;
    case T_SUB: BINARY_LOOP(x - y); break;
    case T_MUL: BINARY_LOOP(x * y); break;
    case T_DIV: BINARY_LOOP(x / y); break;
    case T_POW: BINARY_LOOP(t_pow(x, y)); break;
    }
}

/* The same with no promise that out differs from a or b. */
static void binary_run_aliased(double *out, const double *a, size_t sa, const double *b,
                               size_t sb, size_t n, t_binop op) {
    for (size_t i = 0; i < n; i++) {
        double x = a[i * sa], y = b[i * sb];
        out[i] = op == T_ADD ? x + y : op == T_SUB ? x - y : op == T_MUL ? x * y
                 : op == T_DIV ? x / y : t_pow(x, y);
    }
}

static void binary_row(double *out, const double *a, size_t sa, const double *b, size_t sb,
                       size_t n, t_binop op) {
    if (out == a || out == b)
        binary_run_aliased(out, a, sa, b, sb, n, op);
    else if (sa == 1 && sb == 1)
        binary_run(out, a, 1, b, 1, n, op);
    else if (sa == 1 && sb == 0)
        binary_run(out, a, 1, b, 0, n, op);
    else if (sa == 0 && sb == 1)
        binary_run(out, a, 0, b, 1, n, op);
    else
        binary_run(out, a, sa, b, sb, n, op);
}

void t_binary(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, t_binop op) {
    size_t n = out->size;
    if (n == 0) return;
    if (a->size == n && b->size == n) {
        binary_row(out->data, a->data, 1, b->data, 1, n, op);
        return;
    }
    if (a->size == n && b->size == 1) {
        binary_row(out->data, a->data, 1, b->data, 0, n, op);
        return;
    }
    if (a->size == 1 && b->size == n) {
        binary_row(out->data, a->data, 0, b->data, 1, n, op);
        return;
    }
    /* general broadcast: walk out, read a and b with 0 strides on their
     * broadcast dims */
    walk w = {.ndim = out->ndim, .noperands = 2};
    size_t padded[AG_MAX_DIMS];
    for (int i = 0; i < out->ndim; i++) w.shape[i] = (size_t)out->shape[i];
    pad_shape(a->ndim, a->shape, out->ndim, padded);
    broadcast_strides(out->ndim, padded, w.shape, w.stride[0]);
    pad_shape(b->ndim, b->shape, out->ndim, padded);
    broadcast_strides(out->ndim, padded, w.shape, w.stride[1]);
    walk_coalesce(&w);
    size_t inner = w.ndim > 0 ? w.shape[w.ndim - 1] : 1;
    size_t sa = w.ndim > 0 ? w.stride[0][w.ndim - 1] : 0;
    size_t sb = w.ndim > 0 ? w.stride[1][w.ndim - 1] : 0;
    size_t index[AG_MAX_DIMS] = {0}, offset[2] = {0, 0};
    for (size_t row = 0; row < n / inner; row++) {
        binary_row(out->data + row * inner, a->data + offset[0], sa, b->data + offset[1], sb,
                   inner, op);
        walk_next(&w, index, offset);
    }
}

/* out[i] += b[i * sb], unrolled by 4 like binary_run (out and b are
 * different arrays). */
static void add_row_inplace(double *restrict out, const double *restrict b, size_t sb, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        out[i] = out[i] + b[i * sb];
        out[i + 1] = out[i + 1] + b[(i + 1) * sb];
        out[i + 2] = out[i + 2] + b[(i + 2) * sb];
        out[i + 3] = out[i + 3] + b[(i + 3) * sb];
    }
    for (; i < n; i++) out[i] = out[i] + b[i * sb];
}

bool t_add_inplace(ag_tensor *out, const ag_tensor *b) {
    size_t n = out->size;
    if (b->data == out->data) return false;
    if (n == 0) return b->ndim <= out->ndim;
    if (b->size == n) {
        if (b->ndim != out->ndim) return false; /* same size, maybe not the same layout */
        for (int i = 0; i < b->ndim; i++)
            if (b->shape[i] != out->shape[i]) return false;
        add_row_inplace(out->data, b->data, 1, n);
        return true;
    }
    if (b->size == 1) {
        if (b->ndim > out->ndim) return false;
        add_row_inplace(out->data, b->data, 0, n);
        return true;
    }
    size_t m = out->ndim > 0 ? (size_t)out->shape[out->ndim - 1] : 0;
    if (b->ndim == 0 || b->ndim > out->ndim || (size_t)b->shape[b->ndim - 1] != m || b->size != m)
        return false;
    for (size_t row = 0; row < n / m; row++) add_row_inplace(out->data + row * m, b->data, 1, m);
    return true;
}

bool t_binary_span(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, t_binop op, size_t start,
                   size_t end) {
    size_t n = out->size;
    size_t sa = a->size == n ? 1 : 0, sb = b->size == n ? 1 : 0;
    if ((sa == 0 && a->size != 1) || (sb == 0 && b->size != 1)) return false;
    if (end > start)
        binary_row(out->data + start, a->data + start * sa, sa, b->data + start * sb, sb, end - start, op);
    return true;
}

void t_map(ag_tensor *out, const ag_tensor *a, double (*f)(double)) {
    for (size_t i = 0; i < a->size; i++) out->data[i] = f(a->data[i]);
}

/* ---- reductions --------------------------------------------------------- */

/* max/min: a NaN wins and then sticks (NaN compares false with anything). */
static inline double reduce_step(double acc, double x, t_reduce_op op) {
    switch (op) {
    case T_RSUM: return acc + x;
    case T_RMAX: return (x > acc || x != x) ? x : acc;
    case T_RMIN: return (x < acc || x != x) ? x : acc;
    }
    return acc;
}

/* dst[i] += src[i] over one contiguous row (the bias gradient's sum over a
 * batch): restrict parameters and unrolled by 4 so GCC's -O2 vectorizes it;
 * each element still adds its inputs in row order. */
static void add_row(double *restrict dst, const double *restrict src, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        dst[i] += src[i];
        dst[i + 1] += src[i + 1];
        dst[i + 2] += src[i + 2];
        dst[i + 3] += src[i + 3];
    }
    for (; i < n; i++) dst[i] += src[i];
}

/* Folds a (contiguous, walked row-major over w's shape) into out through
 * w's single stride set, so each output element accumulates its inputs in
 * row-major order. */
static void reduce_walk(double *out, const double *a, size_t size, walk *w, t_reduce_op op) {
    walk_coalesce(w);
    size_t inner = w->ndim > 0 ? w->shape[w->ndim - 1] : 1;
    size_t so = w->ndim > 0 ? w->stride[0][w->ndim - 1] : 0;
    size_t index[AG_MAX_DIMS] = {0}, offset[1] = {0};
    for (size_t row = 0; row < size / inner; row++) {
        const double *src = a + row * inner;
        double *dst = out + offset[0];
        if (so == 0) {
            /* the whole row lands in one output element */
            double acc = *dst;
            switch (op) {
            case T_RSUM:
                for (size_t i = 0; i < inner; i++) acc += src[i];
                break;
            case T_RMAX:
                for (size_t i = 0; i < inner; i++) acc = reduce_step(acc, src[i], T_RMAX);
                break;
            case T_RMIN:
                for (size_t i = 0; i < inner; i++) acc = reduce_step(acc, src[i], T_RMIN);
                break;
            }
            *dst = acc;
        } else {
            switch (op) {
            case T_RSUM:
                if (so == 1)
                    add_row(dst, src, inner);
                else
                    for (size_t i = 0; i < inner; i++) dst[i * so] += src[i];
                break;
            case T_RMAX:
                for (size_t i = 0; i < inner; i++)
                    dst[i * so] = reduce_step(dst[i * so], src[i], T_RMAX);
                break;
            case T_RMIN:
                for (size_t i = 0; i < inner; i++)
                    dst[i * so] = reduce_step(dst[i * so], src[i], T_RMIN);
                break;
            }
        }
        walk_next(w, index, offset);
    }
}

void t_reduce(ag_tensor *out, const ag_tensor *a, const bool *mask, t_reduce_op op) {
    double start = op == T_RSUM ? 0.0 : op == T_RMAX ? -DBL_MAX : DBL_MAX;
    for (size_t i = 0; i < out->size; i++) out->data[i] = start;
    if (a->size == 0 || out->size == 0) return;
    /* out's strides in a's index space: reduced dims step by 0 */
    walk w = {.ndim = a->ndim, .noperands = 1};
    size_t step = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        w.shape[i] = (size_t)a->shape[i];
        w.stride[0][i] = mask[i] ? 0 : step;
        if (!mask[i]) step *= w.shape[i];
    }
    reduce_walk(out->data, a->data, a->size, &w, op);
}

/* ---- broadcast, sum_to, transpose ----------------------------------------- */

/* out (contiguous, walked row-major) = src read through w's strides. */
static void gather_walk(double *out, size_t size, const double *src, walk *w) {
    walk_coalesce(w);
    size_t inner = w->ndim > 0 ? w->shape[w->ndim - 1] : 1;
    size_t ss = w->ndim > 0 ? w->stride[0][w->ndim - 1] : 0;
    size_t index[AG_MAX_DIMS] = {0}, offset[1] = {0};
    for (size_t row = 0; row < size / inner; row++) {
        double *dst = out + row * inner;
        const double *from = src + offset[0];
        if (ss == 0) {
            for (size_t i = 0; i < inner; i++) dst[i] = *from;
        } else if (ss == 1) {
            memcpy(dst, from, inner * sizeof *dst);
        } else {
            for (size_t i = 0; i < inner; i++) dst[i] = from[i * ss];
        }
        walk_next(w, index, offset);
    }
}

void t_broadcast_to(ag_tensor *out, const ag_tensor *a) {
    if (out->size == 0 || a->size == 0) return;
    if (a->size == out->size) {
        memcpy(out->data, a->data, out->size * sizeof *out->data);
        return;
    }
    /* a with more dims than out can only have extra leading 1s */
    int rank = out->ndim > a->ndim ? out->ndim : a->ndim;
    walk w = {.ndim = rank, .noperands = 1};
    size_t padded[AG_MAX_DIMS];
    pad_shape(out->ndim, out->shape, rank, w.shape);
    pad_shape(a->ndim, a->shape, rank, padded);
    broadcast_strides(rank, padded, w.shape, w.stride[0]);
    gather_walk(out->data, out->size, a->data, &w);
}

void t_sum_to(ag_tensor *out, const ag_tensor *a) {
    if (out->size == 0 || a->size == 0) return;
    if (a->size == out->size) {
        for (size_t i = 0; i < out->size; i++) out->data[i] += a->data[i];
        return;
    }
    int rank = out->ndim > a->ndim ? out->ndim : a->ndim;
    walk w = {.ndim = rank, .noperands = 1};
    size_t padded[AG_MAX_DIMS];
    pad_shape(a->ndim, a->shape, rank, w.shape);
    pad_shape(out->ndim, out->shape, rank, padded);
    broadcast_strides(rank, padded, w.shape, w.stride[0]);
    reduce_walk(out->data, a->data, a->size, &w, T_RSUM);
}

/* Tile edge for the 2-D transpose: two 32x32 blocks of doubles stay in L1. */
#define TRANSPOSE_TILE 32

/* out (rows x cols) = a (cols x rows) transposed, one tile: 4x4 blocks are
 * moved as 16 loads and 16 stores the compiler can pair into vector
 * shuffles; the ragged edges go element by element. */
static void transpose_tile(double *restrict out, const double *restrict a, size_t rows,
                           size_t cols, size_t i0, size_t i1, size_t j0, size_t j1) {
    size_t i = i0;
    for (; i + 4 <= i1; i += 4) {
        size_t j = j0;
        for (; j + 4 <= j1; j += 4) {
            const double *s0 = a + j * rows + i, *s1 = s0 + rows, *s2 = s1 + rows, *s3 = s2 + rows;
            double *o0 = out + i * cols + j, *o1 = o0 + cols, *o2 = o1 + cols, *o3 = o2 + cols;
            o0[0] = s0[0], o0[1] = s1[0], o0[2] = s2[0], o0[3] = s3[0];
            o1[0] = s0[1], o1[1] = s1[1], o1[2] = s2[1], o1[3] = s3[1];
            o2[0] = s0[2], o2[1] = s1[2], o2[2] = s2[2], o2[3] = s3[2];
            o3[0] = s0[3], o3[1] = s1[3], o3[2] = s2[3], o3[3] = s3[3];
        }
        for (size_t ii = i; ii < i + 4; ii++)
            for (size_t jj = j; jj < j1; jj++) out[ii * cols + jj] = a[jj * rows + ii];
    }
    for (; i < i1; i++)
        for (size_t j = j0; j < j1; j++) out[i * cols + j] = a[j * rows + i];
}

void t_transpose(ag_tensor *out, const ag_tensor *a, const int *perm) {
    if (out->size == 0) return;
    size_t a_stride[AG_MAX_DIMS];
    size_t step = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        a_stride[i] = step;
        step *= (size_t)a->shape[i];
    }
    walk w = {.ndim = out->ndim, .noperands = 1};
    for (int i = 0; i < out->ndim; i++) {
        w.shape[i] = (size_t)out->shape[i];
        w.stride[0][i] = a_stride[perm[i]];
    }
    walk_coalesce(&w);
    if (w.ndim == 2 && w.stride[0][1] == w.shape[0] && w.stride[0][0] == 1) {
        /* a plain matrix transpose (rows x cols of a become cols x rows):
         * tiled so neither side is read with a cache-line stride throughout */
        size_t rows = w.shape[0], cols = w.shape[1]; /* out is rows x cols */
        for (size_t i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE)
            for (size_t j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
                size_t i1 = i0 + TRANSPOSE_TILE < rows ? i0 + TRANSPOSE_TILE : rows;
                size_t j1 = j0 + TRANSPOSE_TILE < cols ? j0 + TRANSPOSE_TILE : cols;
                transpose_tile(out->data, a->data, rows, cols, i0, i1, j0, j1);
            }
        return;
    }
    gather_walk(out->data, out->size, a->data, &w);
}

/* ---- matmul --------------------------------------------------------------- */

/* Below this many multiply-adds a plain loop beats the cblas call overhead
 * (measured with OpenBLAS on x86-64: 1x1x1 and 3x1x3 blocks ~3x and 1.2x
 * faster inline, 2x2x2 even, 3x3x3 and up already faster through cblas). */
#define MATMUL_LOOP_LIMIT 16

/* c (n x m) = a (n x k) @ b (k x m), all contiguous row-major, k > 0. */
static void matmul_block(double *c, const double *a, const double *b, int n, int k, int m,
                         const t_blas *blas);

/* A product of MATMUL_SPLIT multiply-adds or more (a tenth of a second and
 * up) runs in bands of rows of about MATMUL_BAND multiply-adds, the flag
 * read before each: every element of c is the same dot product, summed in
 * the same order, whichever band it is in.  False when the flag stopped it. */
#define MATMUL_SPLIT ((size_t)1 << 30)
#define MATMUL_BAND ((size_t)1 << 27)
static bool matmul_rows(double *c, const double *a, const double *b, int n, int k, int m,
                        volatile sig_atomic_t *stop, const t_blas *blas) {
    size_t row_cost = (size_t)k * (size_t)m;
    if (stop == NULL || (size_t)n * row_cost < MATMUL_SPLIT) {
        matmul_block(c, a, b, n, k, m, blas);
        return true;
    }
    int band = row_cost >= MATMUL_BAND ? 1 : (int)(MATMUL_BAND / row_cost);
    /* the whole product would go to OpenBLAS (blas.c's AVX-512 product
     * takes none this large): so do its bands, the last one too */
    t_blas whole = blas != NULL ? *blas : (t_blas){0};
    whole.openblas_only = true;
    for (int first = 0; first < n; first += band) {
        if (*stop) return false;
        int rows = n - first < band ? n - first : band;
        matmul_block(c + (size_t)first * (size_t)m, a + (size_t)first * (size_t)k, b, rows, k, m, &whole);
    }
    return true;
}

static void matmul_block(double *c, const double *a, const double *b, int n, int k, int m,
                         const t_blas *blas) {
    if ((size_t)n * (size_t)k * (size_t)m < MATMUL_LOOP_LIMIT) {
        /* upstream's order i, p, j: each c[i][j] sums over p from 0 */
        for (int i = 0; i < n; i++) {
            double *crow = c + (size_t)i * (size_t)m;
            for (int j = 0; j < m; j++) crow[j] = 0.0;
            for (int p = 0; p < k; p++) {
                double av = a[(size_t)i * (size_t)k + (size_t)p];
                const double *brow = b + (size_t)p * (size_t)m;
                for (int j = 0; j < m; j++) crow[j] += av * brow[j];
            }
        }
        return;
    }
    t_dgemm(blas, false, false, n, m, k, a, k, b, m, 0.0, c, m);
}

void t_matmul(ag_tensor *out, const ag_tensor *a, const ag_tensor *b) { t_matmul_until(out, a, b, NULL, NULL); }

bool t_matmul_until(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, volatile sig_atomic_t *stop,
                    const t_blas *blas) {
    int n = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1], m = b->shape[b->ndim - 1];
    if (out->size == 0) return true;
    if (k == 0) {
        memset(out->data, 0, out->size * sizeof *out->data);
        return true;
    }
    /* leading (batch) dims: out's are the broadcast of a's and b's */
    int lead = out->ndim - 2;
    size_t a_block = (size_t)n * (size_t)k, b_block = (size_t)k * (size_t)m;
    size_t c_block = (size_t)n * (size_t)m;
    walk w = {.ndim = lead, .noperands = 2};
    size_t padded[AG_MAX_DIMS];
    for (int i = 0; i < lead; i++) w.shape[i] = (size_t)out->shape[i];
    pad_shape(a->ndim - 2, a->shape, lead, padded);
    broadcast_strides(lead, padded, w.shape, w.stride[0]);
    pad_shape(b->ndim - 2, b->shape, lead, padded);
    broadcast_strides(lead, padded, w.shape, w.stride[1]);
    size_t batch = out->size / c_block;
    if (batch > 1 && b->size == b_block && batch * (size_t)n <= INT_MAX) {
        /* (batch, n, k) @ (k, m): b is one block, so out's batch dims are
         * a's own and a's blocks are consecutive rows of one gemm */
        return matmul_rows(out->data, a->data, b->data, (int)(batch * (size_t)n), k, m, stop, blas);
    }
    /* one block per batch entry; a broadcast operand reuses its block */
    size_t index[AG_MAX_DIMS] = {0}, offset[2] = {0, 0};
    bool big = (size_t)n * (size_t)k * (size_t)m * batch >= MATMUL_SPLIT;
    for (size_t i = 0; i < batch; i++) {
        if (big && stop != NULL && *stop) return false;
        if (!matmul_rows(out->data + i * c_block, a->data + offset[0] * a_block,
                         b->data + offset[1] * b_block, n, k, m, stop, blas))
            return false;
        /* walk_next advances dims before the last; here every lead dim
         * counts, so step a one-longer walk */
        for (int d = lead - 1; d >= 0; d--) {
            index[d]++;
            offset[0] += w.stride[0][d];
            offset[1] += w.stride[1][d];
            if (index[d] < w.shape[d]) break;
            index[d] = 0;
            offset[0] -= w.stride[0][d] * w.shape[d];
            offset[1] -= w.stride[1][d] * w.shape[d];
        }
    }
    return true;
}

/* ---- indexing along one axis ------------------------------------------------
 * Seen as (outer, dim, inner) with outer = product of dims before the axis
 * and inner = product after, every op is a loop of inner-long block copies. */

static size_t dims_product(const int *shape, int from, int to) {
    size_t product = 1;
    for (int i = from; i < to; i++) product *= (size_t)shape[i];
    return product;
}

void t_take(ag_tensor *out, const ag_tensor *a, int axis, const int *indices, int n) {
    if (out->size == 0) return;
    size_t outer = dims_product(a->shape, 0, axis);
    size_t inner = dims_product(a->shape, axis + 1, a->ndim);
    size_t dim = (size_t)a->shape[axis];
    for (size_t o = 0; o < outer; o++)
        for (int j = 0; j < n; j++)
            memcpy(out->data + (o * (size_t)n + (size_t)j) * inner,
                   a->data + (o * dim + (size_t)indices[j]) * inner, inner * sizeof(double));
}

void t_scatter_add(ag_tensor *out, const ag_tensor *src, int axis, const int *indices, int n) {
    if (out->size == 0 || src->size == 0) return;
    size_t outer = dims_product(out->shape, 0, axis);
    size_t inner = dims_product(out->shape, axis + 1, out->ndim);
    size_t dim = (size_t)out->shape[axis];
    for (size_t o = 0; o < outer; o++)
        for (int j = 0; j < n; j++) {
            double *dst = out->data + (o * dim + (size_t)indices[j]) * inner;
            const double *from = src->data + (o * (size_t)n + (size_t)j) * inner;
            for (size_t i = 0; i < inner; i++) dst[i] += from[i];
        }
}

void t_slice(ag_tensor *out, const ag_tensor *a, int axis, int start, int len) {
    if (out->size == 0) return;
    size_t outer = dims_product(a->shape, 0, axis);
    size_t inner = dims_product(a->shape, axis + 1, a->ndim);
    size_t dim = (size_t)a->shape[axis], block = (size_t)len * inner;
    for (size_t o = 0; o < outer; o++)
        memcpy(out->data + o * block, a->data + (o * dim + (size_t)start) * inner,
               block * sizeof(double));
}

void t_paste(ag_tensor *out, const ag_tensor *a, int axis, int start) {
    if (a->size == 0) return;
    size_t outer = dims_product(out->shape, 0, axis);
    size_t inner = dims_product(out->shape, axis + 1, out->ndim);
    size_t dim = (size_t)out->shape[axis], block = (size_t)a->shape[axis] * inner;
    for (size_t o = 0; o < outer; o++)
        memcpy(out->data + (o * dim + (size_t)start) * inner, a->data + o * block,
               block * sizeof(double));
}

/* ---- queries ------------------------------------------------------------- */

/* A 0-d tensor is one row of one element; rows of length 0 get -1. */
void t_argmax_rows(const ag_tensor *a, int *idx) {
    size_t cols = a->ndim > 0 ? (size_t)a->shape[a->ndim - 1] : 1;
    size_t rows = a->ndim > 0 ? dims_product(a->shape, 0, a->ndim - 1) : 1;
    for (size_t r = 0; r < rows; r++) {
        if (cols == 0) {
            idx[r] = -1;
            continue;
        }
        const double *row = a->data + r * cols;
        size_t best = 0;
        for (size_t j = 1; j < cols; j++)
            if (row[j] > row[best]) best = j;
        idx[r] = (int)best;
    }
}

/* x * 0 is NaN exactly when x is NaN or infinite, and a sum of zeros stays
 * zero, so one NaN check per block of NONFINITE_BLOCK elements tells
 * whether any is.  Four running sums, unrolled over a restrict pointer (see
 * DIRECT_RULE), so gcc -O2 vectorizes it, unlike isfinite's early exit: the
 * REPL checks every op's result, and this was 9% of its LSTM benchmark. */
#define NONFINITE_BLOCK 256
static bool block_has_nonfinite(const double *restrict x, size_t n) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 = s0 + x[i] * 0.0;
        s1 = s1 + x[i + 1] * 0.0;
        s2 = s2 + x[i + 2] * 0.0;
        s3 = s3 + x[i + 3] * 0.0;
    }
    for (; i < n; i++) s0 = s0 + x[i] * 0.0;
    double sum = (s0 + s1) + (s2 + s3);
    return sum != sum;
}

/* The same over four vectors of running sums, compiled for AVX2 (4 lanes)
 * and AVX-512F (8 lanes) and picked by the CPU: the check was still 12% of
 * the LSTM script's instructions at two lanes (SSE2).  Four vectors, not
 * one: each add waits for the one before it in its lane, so one vector of
 * sums ran at an add's latency (3-4 cycles a vector), 2% of a small MLP's
 * step under the REPL (a 100x10 result and seven of 100 elements checked
 * each step; 68 -> 50 ns for 1000 elements in L1 at 8 lanes).  The
 * answer is the same at any width (NaN exactly when some x is NaN or
 * infinite; sums of zeros are zero in any order). */
#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_WIDE_NONFINITE 1
typedef double nonfinite_v4 __attribute__((vector_size(32)));
typedef double nonfinite_v8 __attribute__((vector_size(64)));
#define WIDE_NONFINITE(name, isa, vec)                                                        \
    __attribute__((target(isa))) static bool name(const double *restrict x, size_t n) {      \
        enum { L = sizeof(vec) / sizeof(double) };                                           \
        vec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, v0, v1, v2, v3;                           \
        size_t i = 0;                                                                        \
        for (; i + 4 * L <= n; i += 4 * L) {                                                 \
            memcpy(&v0, x + i, sizeof v0);                                                   \
            memcpy(&v1, x + i + L, sizeof v1);                                               \
            memcpy(&v2, x + i + 2 * L, sizeof v2);                                           \
            memcpy(&v3, x + i + 3 * L, sizeof v3);                                           \
            s0 = s0 + v0 * 0.0;                                                              \
            s1 = s1 + v1 * 0.0;                                                              \
            s2 = s2 + v2 * 0.0;                                                              \
            s3 = s3 + v3 * 0.0;                                                              \
        }                                                                                    \
        for (; i + L <= n; i += L) {                                                         \
            memcpy(&v0, x + i, sizeof v0);                                                   \
            s0 = s0 + v0 * 0.0;                                                              \
        }                                                                                    \
        double tail = 0.0, lane[L];                                                          \
        for (; i < n; i++) tail = tail + x[i] * 0.0;                                         \
        vec s = (s0 + s1) + (s2 + s3);                                                       \
        memcpy(lane, &s, sizeof lane);                                                       \
        _Pragma("GCC unroll 4") /* a tree of adds, log2(L) deep, not a chain of L */         \
        for (int w = L / 2; w >= 1; w /= 2)                                                  \
            _Pragma("GCC unroll 4") for (int k = 0; k < w; k++) lane[k] = lane[k] + lane[k + w]; \
        return lane[0] + tail != lane[0] + tail;                                             \
    }
WIDE_NONFINITE(block_has_nonfinite_avx2, "avx2", nonfinite_v4)
WIDE_NONFINITE(block_has_nonfinite_avx512, "avx512f", nonfinite_v8)
#endif

typedef bool (*nonfinite_fn)(const double *restrict, size_t);

static nonfinite_fn nonfinite_kernel(void) {
#ifdef HAVE_WIDE_NONFINITE
    if (cpu_double_lanes() >= 8) return block_has_nonfinite_avx512;
    if (cpu_double_lanes() >= 4) return block_has_nonfinite_avx2;
#endif
    return block_has_nonfinite;
}

/* The largest |x| of x[0..n) as its bits with the sign cleared: doubles'
 * bits order as their magnitudes do, and NaN and the infinities come above
 * every finite number (from 0x7ff0000000000000). */
static int64_t max_abs_bits(const double *restrict x, size_t n) {
    int64_t best = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t b;
        memcpy(&b, x + i, sizeof b);
        b &= INT64_MAX;
        best = b > best ? b : best;
    }
    return best;
}

/* The same two vectors at a time, for AVX2 (4 lanes) and AVX-512F (8),
 * picked by the CPU; the remainder as above. */
#ifdef HAVE_WIDE_NONFINITE
typedef int64_t bits_v4 __attribute__((vector_size(32)));
typedef int64_t bits_v8 __attribute__((vector_size(64)));
#define WIDE_MAX_ABS(name, isa, vec)                                                          \
    __attribute__((target(isa))) static int64_t name(const double *restrict x, size_t n) {   \
        enum { L = sizeof(vec) / sizeof(int64_t) };                                          \
        vec m0 = {0}, m1 = {0}, v0, v1, above;                                               \
        size_t i = 0;                                                                        \
        for (; i + 2 * L <= n; i += 2 * L) {                                                 \
            memcpy(&v0, x + i, sizeof v0);                                                   \
            memcpy(&v1, x + i + L, sizeof v1);                                               \
            v0 &= INT64_MAX;                                                                 \
            v1 &= INT64_MAX;                                                                 \
            above = v0 > m0;                                                                 \
            m0 = (v0 & above) | (m0 & ~above);                                               \
            above = v1 > m1;                                                                 \
            m1 = (v1 & above) | (m1 & ~above);                                               \
        }                                                                                    \
        int64_t lane[2 * L], best = max_abs_bits(x + i, n - i);                              \
        memcpy(lane, &m0, sizeof m0);                                                        \
        memcpy(lane + L, &m1, sizeof m1);                                                    \
        for (int k = 0; k < 2 * L; k++) best = lane[k] > best ? lane[k] : best;              \
        return best;                                                                         \
    }
WIDE_MAX_ABS(max_abs_bits_avx2, "avx2", bits_v4)
WIDE_MAX_ABS(max_abs_bits_avx512, "avx512f", bits_v8)
#endif

bool t_max_abs(const ag_tensor *a, double *max) {
    int64_t (*kernel)(const double *restrict, size_t) = max_abs_bits;
#ifdef HAVE_WIDE_NONFINITE
    if (cpu_double_lanes() >= 8) kernel = max_abs_bits_avx512;
    else if (cpu_double_lanes() >= 4) kernel = max_abs_bits_avx2;
#endif
    int64_t bits = kernel(a->data, a->size);
    memcpy(max, &bits, sizeof *max);
    return isfinite(*max);
}

bool t_has_nonfinite_blocks(const ag_tensor *a) {
    if (a->size < 8) return a->size > 0 && block_has_nonfinite(a->data, a->size);
    nonfinite_fn block = nonfinite_kernel();
    if (a->size <= NONFINITE_BLOCK) return block(a->data, a->size); /* most results */
    for (size_t i = 0; i < a->size; i += NONFINITE_BLOCK) {
        size_t n = a->size - i < NONFINITE_BLOCK ? a->size - i : NONFINITE_BLOCK;
        if (block(a->data + i, n)) return true;
    }
    return false;
}
