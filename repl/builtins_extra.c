/* builtins_extra.c — more of the functions PyTorch users reach for:
 * activations, normalize, masked_fill, logical_not/_and/_or/_xor, index_select,
 * chunk, layer_norm, embedding, scaled_dot_product_attention, logcumsumexp;
 * einsum, batch_norm, cummax, cummin, meshgrid, diagonal, scatter (torch's,
 * reached through the plot's row), scatter_add, nonzero.  Each row calls an engine function of ops_extra.c or a few of the
 * table's ops, so the gradient is theirs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#define UNARY(name, op)                                                          \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        if (arg_var(r, a, 0, &x) < 0) return -1;                                 \
        return builtin_done_var(r, op(r->ctx, x), out);                                  \
    }

UNARY(softsign, ag_softsign)
UNARY(logsigmoid, ag_logsigmoid)
UNARY(hardsigmoid, ag_hardsigmoid)
UNARY(relu6, ag_relu6)
UNARY(hardswish, ag_hardswish)
UNARY(quick_gelu, ag_quick_gelu)
UNARY(logical_not, ag_logical_not)

#define BINARY(name, op)                                                         \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x, *y;                                                           \
        if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;    \
        return builtin_done_var(r, op(r->ctx, x, y), out);                       \
    }

BINARY(logical_and, ag_logical_and)
BINARY(logical_or, ag_logical_or)
BINARY(logical_xor, ag_logical_xor)

static int builtin_celu(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double alpha;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &alpha) < 0) return -1;
    return builtin_done_var(r, ag_celu(r->ctx, x, alpha), out);
}

static int builtin_normalize(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double p, eps;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &p) < 0 || arg_int(r, a, 2, &dim) < 0 ||
        arg_number(r, a, 3, &eps) < 0)
        return -1;
    return builtin_done_var(r, ag_normalize(r->ctx, x, p, dim, eps), out);
}

static int builtin_masked_fill(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *mask;
    double value;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &mask) < 0 || arg_number(r, a, 2, &value) < 0) return -1;
    return builtin_done_var(r, ag_masked_fill(r->ctx, x, mask, value), out);
}

/* torch.index_select(x, dim, index): the entries of index along dim */
static int builtin_index_select(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *index;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0 || arg_var(r, a, 2, &index) < 0) return -1;
    if (ag_ndim(index) > 1) return repl_error(r, "index_select: index must be 0-D or 1-D, not %d-D", ag_ndim(index));
    size_t n = ag_size(index);
    int *indices = malloc((n ? n : 1) * sizeof *indices);
    if (indices == NULL) return repl_error(r, "out of memory");
    const double *v = ag_cdata(index);
    for (size_t i = 0; i < n; i++) {
        if (v[i] != (double)(int)v[i]) {
            free(indices);
            return repl_error(r, "index_select: index holds %g, not a whole number", v[i]);
        }
        indices[i] = (int)v[i];
    }
    ag_var *y = ag_get_item(r->ctx, x, dim, indices, (int)n);
    free(indices);
    return builtin_done_var(r, y, out);
}

/* torch.chunk(x, chunks, dim=0): pieces of ceil(size/chunks), fewer when they run out */
static int builtin_chunk(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int chunks, dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &chunks) < 0 || arg_int(r, a, 2, &dim) < 0) return -1;
    if (chunks < 1) return repl_error(r, "chunk: chunks must be at least 1 (got %d)", chunks);
    int ndim = ag_ndim(x), axis = dim < 0 ? dim + ndim : dim;
    if (axis < 0 || axis >= ndim) return repl_error(r, "chunk: dim %d out of range for ndim %d", dim, ndim);
    int size = ag_shape(x)[axis], piece = (size + chunks - 1) / chunks, n = piece > 0 ? (size + piece - 1) / piece : 1;
    int *sizes = malloc((size_t)n * sizeof *sizes);
    if (sizes == NULL) return repl_error(r, "out of memory");
    for (int i = 0; i < n; i++) sizes[i] = piece > 0 ? (size - i * piece < piece ? size - i * piece : piece) : 0;
    int rc = repl_split_list(r, x, sizes, n, axis, out);
    free(sizes);
    return rc;
}

/* layer_norm(x, normalized_shape, weight=nil, bias=nil, eps=1e-5): normalized_shape must be
 * x's last axes */
static int builtin_layer_norm(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w = NULL, *b = NULL;
    int shape[AG_MAX_DIMS], n;
    double eps;
    if (arg_var(r, a, 0, &x) < 0 || arg_ints(r, a, 1, shape, AG_MAX_DIMS, &n) < 0 ||
        arg_optional_var(r, a, 2, &w) < 0 || arg_optional_var(r, a, 3, &b) < 0 ||
        arg_number(r, a, 4, &eps) < 0)
        return -1;
    int ndim = ag_ndim(x);
    if (n < 1 || n > ndim || memcmp(shape, ag_shape(x) + ndim - n, (size_t)n * sizeof *shape) != 0) {
        char given[AG_SHAPEBUF], whole[AG_SHAPEBUF], last[AG_SHAPEBUF];
        ag_shape_string(n, shape, given);
        ag_shape_string(ndim, ag_shape(x), whole);
        if (n < 1 || n > ndim)
            return repl_error(r, "layer_norm: normalized_shape %s must be the last axes of x %s (1 to %d of them)",
                              given, whole, ndim);
        return repl_error(r, "layer_norm: normalized_shape %s must be the last axes of x %s: its last %d %s %s",
                          given, whole, n, n == 1 ? "axis is" : "axes are",
                          ag_shape_string(n, ag_shape(x) + ndim - n, last));
    }
    return builtin_done_var(r, ag_layer_norm(r->ctx, x, n, w, b, eps), out);
}

/* F.embedding; padding_idx's row (negative: from the end) is looked up from
 * a detached copy of weight, so it gets no gradient, as PyTorch's. */
static int builtin_embedding(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *indices, *weight;
    int padding_idx;
    if (arg_var(r, a, 0, &indices) < 0 || arg_var(r, a, 1, &weight) < 0) return -1;
    if (!arg_given(a, 2)) return builtin_done_var(r, ag_embedding(r->ctx, indices, weight), out);
    if (arg_int(r, a, 2, &padding_idx) < 0) return -1;
    int rows = ag_ndim(weight) == 2 ? ag_shape(weight)[0] : 0;
    if (ag_ndim(weight) == 2 && (padding_idx < -rows || padding_idx >= rows))
        return repl_error(r, "embedding: padding_idx %d is out of range for weight's %d rows (%d to %d)", padding_idx, rows,
                          -rows, rows - 1);
    if (padding_idx < 0) padding_idx += rows;
    ag_ctx *ctx = r->ctx;
    ag_var *y = ag_embedding(ctx, indices, weight);
    if (y == NULL) return engine_error(r);
    ag_var *pad = ag_unsqueeze(ctx, ag_eq(ctx, indices, ag_scalar(ctx, padding_idx)), -1);
    return builtin_done_var(r, ag_where(ctx, pad, ag_embedding(ctx, indices, ag_detach(ctx, weight)), y), out);
}

static int builtin_sdpa(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *q, *k, *v;
    bool causal;
    double scale = NAN; /* none: 1/sqrt(E) */
    if (arg_var(r, a, 0, &q) < 0 || arg_var(r, a, 1, &k) < 0 || arg_var(r, a, 2, &v) < 0 || arg_bool(r, a, 3, &causal) < 0 ||
        (arg_given(a, 4) && arg_number(r, a, 4, &scale) < 0))
        return -1;
    if (arg_given(a, 4) && !isfinite(scale)) /* NaN too: given, it is no request for the default */
        return repl_error(r, "scaled_dot_product_attention: scale must be a finite number, not %s",
                          isnan(scale) ? "NaN" : scale > 0 ? "inf" : "-inf");
    return builtin_done_var(r, ag_scaled_dot_product_attention(r->ctx, q, k, v, causal, scale), out);
}

static int builtin_logcumsumexp(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0) return -1;
    return builtin_done_var(r, ag_logcumsumexp(r->ctx, x, dim), out);
}

static int builtin_repeat_interleave(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int repeats, dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &repeats) < 0 || (arg_given(a, 2) && arg_int(r, a, 2, &dim) < 0))
        return -1;
    return builtin_done_var(r, ag_repeat_interleave(r->ctx, x, repeats, arg_given(a, 2) ? &dim : NULL), out);
}

/* ---- initialisers by name (torch.nn.init): fans from the shape as PyTorch counts them,
 * fan_in = shape[1] * the receptive field, fan_out = shape[0] * it (a conv weight
 * (OC, C, K, K) as agrepl stores it; a linear layer's w is (in, out), PyTorch's
 * transpose, so its fans swap) ----------------------------------------------------- */

enum { INIT_KAIMING_UNIFORM, INIT_KAIMING_NORMAL, INIT_XAVIER_UNIFORM, INIT_XAVIER_NORMAL };

/* torch.nn.init.calculate_gain for the names kaiming takes */
static int init_gain(repl *r, const char *who, const char *nonlinearity, double a, double *gain) {
    if (strcmp(nonlinearity, "linear") == 0 || strcmp(nonlinearity, "sigmoid") == 0 ||
        strncmp(nonlinearity, "conv", 4) == 0)
        *gain = 1.0;
    else if (strcmp(nonlinearity, "tanh") == 0) *gain = 5.0 / 3.0;
    else if (strcmp(nonlinearity, "relu") == 0) *gain = sqrt(2.0);
    else if (strcmp(nonlinearity, "leaky_relu") == 0) *gain = sqrt(2.0 / (1.0 + a * a));
    else if (strcmp(nonlinearity, "selu") == 0) *gain = 0.75;
    else
        return repl_error(r, "%s: nonlinearity must be linear, sigmoid, tanh, relu, leaky_relu or selu, not \"%s\"", who,
                          nonlinearity);
    return 0;
}

static int initialise(repl *r, const builtin_args *a, repl_value *out, int kind) {
    const char *who = a->def->name;
    int shape[AG_MAX_DIMS], ndim;
    if (arg_ints(r, a, 0, shape, AG_MAX_DIMS, &ndim) < 0) return -1;
    if (ndim < 2) return repl_error(r, "%s: the shape needs at least 2 dimensions (fan in and fan out)", who);
    double receptive = 1;
    for (int i = 2; i < ndim; i++) receptive *= shape[i];
    double fan_in = shape[1] * receptive, fan_out = shape[0] * receptive, scale;
    bool kaiming = kind == INIT_KAIMING_UNIFORM || kind == INIT_KAIMING_NORMAL;
    int seed_at = kaiming ? 4 : 2;
    if (kaiming) {
        double slope, gain = 1;
        const char *mode, *nonlinearity;
        if (arg_number(r, a, 1, &slope) < 0 || arg_string(r, a, 2, &mode) < 0 || arg_string(r, a, 3, &nonlinearity) < 0 ||
            init_gain(r, who, nonlinearity, slope, &gain) < 0)
            return -1;
        if (strcmp(mode, "fan_in") != 0 && strcmp(mode, "fan_out") != 0)
            return repl_error(r, "%s: mode must be \"fan_in\" or \"fan_out\", not \"%s\"", who, mode);
        scale = gain / sqrt(strcmp(mode, "fan_in") == 0 ? fan_in : fan_out); /* the std */
    } else {
        double gain;
        if (arg_number(r, a, 1, &gain) < 0) return -1;
        scale = gain * sqrt(2.0 / (fan_in + fan_out));
    }
    if (!(fan_in > 0 && fan_out > 0)) return repl_error(r, "%s: the shape has an empty dimension", who);
    ag_rng rng, *source = NULL;
    if (arg_given(a, seed_at)) {
        double seed;
        if (arg_number(r, a, seed_at, &seed) < 0) return -1;
        if (!(seed >= 0 && seed == floor(seed) && seed <= 18446744073709549568.0))
            return repl_error(r, "%s: seed must be a whole number >= 0", who);
        ag_rng_seed(&rng, (uint64_t)seed);
        source = &rng;
    }
    bool uniform = kind == INIT_KAIMING_UNIFORM || kind == INIT_XAVIER_UNIFORM;
    ag_var *v = uniform ? ag_rand(r->ctx, ndim, shape, source) : ag_randn(r->ctx, ndim, shape, source);
    if (v == NULL) return engine_error(r);
    double *d = ag_data(v), bound = sqrt(3.0) * scale; /* uniform(-b, b) has std b/sqrt(3) */
    for (size_t i = 0, n = ag_size(v); i < n; i++) d[i] = uniform ? (2.0 * d[i] - 1.0) * bound : d[i] * scale;
    return builtin_done_var(r, v, out);
}

static int builtin_kaiming_uniform(repl *r, const builtin_args *a, repl_value *out) {
    return initialise(r, a, out, INIT_KAIMING_UNIFORM);
}
static int builtin_kaiming_normal(repl *r, const builtin_args *a, repl_value *out) {
    return initialise(r, a, out, INIT_KAIMING_NORMAL);
}
static int builtin_xavier_uniform(repl *r, const builtin_args *a, repl_value *out) {
    return initialise(r, a, out, INIT_XAVIER_UNIFORM);
}
static int builtin_xavier_normal(repl *r, const builtin_args *a, repl_value *out) {
    return initialise(r, a, out, INIT_XAVIER_NORMAL);
}

/* ---- einsum, batch_norm, cummax/cummin, meshgrid, diagonal, scatter, nonzero ---------- */

/* The tensors of a rest parameter: einsum(eq, a, b) or einsum(eq, [a, b]);
 * *xs is the caller's to free. */
static int rest_vars(repl *r, const builtin_args *a, int index, ag_var ***xs, int *n) {
    const value_list *list = a->values[index].as.list;
    if (list->count == 1 && list->items[0].kind == VALUE_LIST) list = list->items[0].as.list;
    ag_var **vars = malloc((size_t)(list->count > 0 ? list->count : 1) * sizeof *vars);
    if (vars == NULL) return repl_error(r, "out of memory");
    for (int i = 0; i < list->count; i++) {
        repl_value v = list->items[i];
        builtin_args item = {.count = 1, .values = &v, .def = a->def};
        if (v.kind != VALUE_VAR && v.kind != VALUE_NUMBER) {
            char buf[64];
            free(vars);
            return repl_error(r, "%s: tensor %d must be a variable, not %s", a->def->name, i + 1,
                              value_with_article(v, buf, sizeof buf));
        }
        if (arg_var(r, &item, 0, &vars[i]) < 0) {
            free(vars);
            return -1;
        }
    }
    *xs = vars;
    *n = list->count;
    return 0;
}

static int builtin_einsum(repl *r, const builtin_args *a, repl_value *out) {
    const char *equation;
    ag_var **xs;
    int n;
    if (arg_string(r, a, 0, &equation) < 0 || rest_vars(r, a, 1, &xs, &n) < 0) return -1;
    if (n == 0) {
        free(xs);
        return repl_error(r, "einsum: no operands: einsum(\"ij,jk->ik\", a, b)");
    }
    int rc = builtin_done_var(r, ag_einsum(r->ctx, equation, xs, n), out);
    free(xs);
    return rc;
}

/* [values, indices] from an engine call that fills both */
static int values_indices(repl *r, int rc, ag_var *values, ag_var *indices, repl_value *out) {
    if (rc < 0) return engine_error(r);
    *out = value_list_new(2);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    out->as.list->items[0] = value_var(values);
    out->as.list->items[1] = value_var(indices);
    return 0;
}

static int builtin_cummax(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *values = NULL, *indices = NULL;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0) return -1;
    int rc = ag_cummax(r->ctx, x, dim, &values, &indices); /* before values are read */
    return values_indices(r, rc, values, indices, out);
}

static int builtin_cummin(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *values = NULL, *indices = NULL;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0) return -1;
    int rc = ag_cummin(r->ctx, x, dim, &values, &indices); /* before values are read */
    return values_indices(r, rc, values, indices, out);
}

static int builtin_meshgrid(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n;
    const char *indexing;
    if (arg_string(r, a, 1, &indexing) < 0) return -1;
    bool xy = strcmp(indexing, "xy") == 0;
    if (!xy && strcmp(indexing, "ij") != 0)
        return repl_error(r, "meshgrid: indexing must be \"ij\" or \"xy\", not \"%s\"", indexing);
    if (rest_vars(r, a, 0, &xs, &n) < 0) return -1;
    ag_var *grids[AG_MAX_DIMS];
    int rc = -1;
    if (ag_meshgrid(r->ctx, xs, n, xy, grids) < 0) {
        engine_error(r);
    } else {
        *out = value_list_new(n);
        if (out->kind != VALUE_LIST) {
            repl_error(r, "out of memory");
        } else {
            for (int i = 0; i < n; i++) out->as.list->items[i] = value_var(grids[i]);
            rc = 0;
        }
    }
    free(xs);
    return rc;
}

static int builtin_diagonal(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int offset, dim1, dim2;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &offset) < 0 || arg_int(r, a, 2, &dim1) < 0 ||
        arg_int(r, a, 3, &dim2) < 0)
        return -1;
    return builtin_done_var(r, ag_diagonal(r->ctx, x, offset, dim1, dim2), out);
}

/* torch.scatter(x, dim, index, src): src a tensor or one number (PyTorch's
 * value=).  Reached through the `scatter` row of builtins_pictures.c, whose
 * plot takes a list of names where this takes the index tensor. */
int repl_tensor_scatter(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *index, *src;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0 || arg_var(r, a, 2, &index) < 0) return -1;
    if (!arg_given(a, 3)) return repl_error(r, "scatter: src is missing: scatter(x, dim, index, src)");
    if (a->values[3].kind == VALUE_NUMBER) return builtin_done_var(r, ag_scatter_value(r->ctx, x, dim, index, a->values[3].as.number), out);
    if (arg_var(r, a, 3, &src) < 0) return -1;
    if (ag_ndim(src) == 0 && ag_ndim(x) > 0) /* a number written as a 0-d value */
        return builtin_done_var(r, ag_scatter_value(r->ctx, x, dim, index, ag_data(src)[0]), out);
    return builtin_done_var(r, ag_scatter(r->ctx, x, dim, index, src), out);
}

static int builtin_scatter_add(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *index, *src;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0 || arg_var(r, a, 2, &index) < 0 ||
        arg_var(r, a, 3, &src) < 0)
        return -1;
    return builtin_done_var(r, ag_scatter_add_to(r->ctx, x, dim, index, src), out);
}

static int builtin_nonzero(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    bool as_tuple;
    if (arg_var(r, a, 0, &x) < 0 || arg_bool(r, a, 1, &as_tuple) < 0) return -1;
    ag_var *at = ag_nonzero(r->ctx, x);
    if (at == NULL || !as_tuple) return builtin_done_var(r, at, out);
    int nd = ag_ndim(x), count = ag_shape(at)[0]; /* one 1-D tensor per axis, as PyTorch's as_tuple */
    *out = value_list_new(nd);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int d = 0; d < nd; d++) {
        ag_var *column = ag_zeros(r->ctx, 1, &count);
        if (column == NULL) return engine_error(r);
        for (int i = 0; i < count; i++) ag_data(column)[i] = ag_data(at)[(size_t)i * (size_t)nd + (size_t)d];
        out->as.list->items[d] = value_var(column);
    }
    return 0;
}

static int builtin_batch_norm(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *stats[2] = {NULL, NULL}, *affine[2] = {NULL, NULL};
    bool training;
    double momentum, eps;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (arg_optional_var(r, a, 1 + i, &stats[i]) < 0 || arg_optional_var(r, a, 3 + i, &affine[i]) < 0)
            return -1;
    }
    if (arg_bool(r, a, 5, &training) < 0 || arg_number(r, a, 6, &momentum) < 0 || arg_number(r, a, 7, &eps) < 0)
        return -1;
    return builtin_done_var(r, ag_batch_norm(r->ctx, x, stats[0], stats[1], affine[0], affine[1], training, momentum, eps),
                    out);
}

const builtin_def builtins_extra[] = {
    {"einsum", "equation, *operands", builtin_einsum, "shape",
     "torch.einsum: \"ij,jk->ik\" sums the products over the subscripts left out of the output (no \"->\": the ones\n"
     "  used once, in ASCII order); a subscript repeated in one term takes its diagonal (\"ii\" is the trace); \"...\" broadcasts",
     .function_only = true},
    {"batch_norm", "input, running_mean, running_var, weight=nil, bias=nil, training=false, momentum=0.1, eps=1e-05",
     builtin_batch_norm, "nn",
     "F.batch_norm per channel (axis 1): with training, the batch's statistics, and running_mean/var (or none)\n"
     "  updated in place, r = (1 - momentum)*r + momentum*s (the unbiased variance); else the running ones", .framed = true},
    {"cummax", "x, dim", builtin_cummax, "shape",
     "[values, indices]: the running maximum along dim and where it is (gradient to those positions)"},
    {"cummin", "x, dim", builtin_cummin, "shape",
     "[values, indices]: the running minimum along dim and where it is (gradient to those positions)"},
    {"meshgrid", "*tensors, indexing=\"ij\"", builtin_meshgrid, "construction",
     "torch.meshgrid: a list of grids, grid i holding tensor i along axis i (\"xy\": the first two axes swapped)",
     .function_only = true},
    {"diagonal", "x, offset=0, dim1=0, dim2=1", builtin_diagonal, "shape",
     "torch.diagonal: the entries (i, i + offset) of the planes (dim1, dim2), as a new last axis"},
    {"scatter_add", "x, dim, index, src", builtin_scatter_add, "shape",
     "torch.scatter_add: x with src's entries added at index along dim (repeated places add up)"},
    {"nonzero", "x, as_tuple=false", builtin_nonzero, "shape",
     "torch.nonzero: the positions of the entries that are not 0, (count, ndim) (as_tuple: a list per axis); no gradient"},
    {"kaiming_uniform", "shape, a=0, mode=\"fan_in\", nonlinearity=\"leaky_relu\", seed=nil", builtin_kaiming_uniform,
     "construction",
     "a leaf uniform in (-b, b), b = gain*sqrt(3/fan) (torch.nn.init.kaiming_uniform_); fans as PyTorch counts them\n"
     "  from the shape: fan_in = shape[1]*K*K for a conv weight (OC, C, K, K); a linear layer's w here is (in, out),\n"
     "  so PyTorch's fan_in is its mode=\"fan_out\"",
     .function_only = true},
    {"kaiming_normal", "shape, a=0, mode=\"fan_in\", nonlinearity=\"leaky_relu\", seed=nil", builtin_kaiming_normal,
     "construction", "a leaf normal with std gain/sqrt(fan) (torch.nn.init.kaiming_normal_; fans as kaiming_uniform)",
     .function_only = true},
    {"xavier_uniform", "shape, gain=1, seed=nil", builtin_xavier_uniform, "construction",
     "a leaf uniform in (-b, b), b = gain*sqrt(6/(fan_in + fan_out)) (torch.nn.init.xavier_uniform_)",
     .function_only = true},
    {"xavier_normal", "shape, gain=1, seed=nil", builtin_xavier_normal, "construction",
     "a leaf normal with std gain*sqrt(2/(fan_in + fan_out)) (torch.nn.init.xavier_normal_)", .function_only = true},
    {"repeat_interleave", "x, repeats, dim=nil", builtin_repeat_interleave, "shape",
     "torch.repeat_interleave: each entry along dim repeated in place (without dim: of the flattened x)"},
    {"layer_norm", "input, normalized_shape, weight=nil, bias=nil, eps=1e-05", builtin_layer_norm, "nn",
     "F.layer_norm: (input - mean) / sqrt(var + eps) over the last axes (normalized_shape), then * weight + bias", .framed = true},
    {"embedding", "input, weight, padding_idx=nil", builtin_embedding, "nn",
     "F.embedding: the rows of weight (num, dim) at the indices in input, shaped input.shape + (dim);\n"
     "  row padding_idx gets no gradient"},
    {"scaled_dot_product_attention", "query, key, value, is_causal=false, scale=nil", builtin_sdpa, "nn",
     "softmax(query @ key^T * scale) @ value (scale none: 1/sqrt(E); any finite number, 0 weighs keys alike); query (..., L, E), key (..., S, E), value "
     "(..., S, Ev), batch axes broadcast; is_causal: query i sees keys 0..i", .framed = true},
    {"logcumsumexp", "x, dim", builtin_logcumsumexp, "shape", "log(cumsum(exp(x))) along dim, computed stably"},
    {"softsign", "x", builtin_softsign, "elementwise", "x / (1 + |x|)"},
    {"logsigmoid", "x", builtin_logsigmoid, "elementwise", "log(sigmoid(x)), computed stably as -softplus(-x)"},
    {"hardsigmoid", "x", builtin_hardsigmoid, "elementwise", "relu6(x + 3) / 6: 0 below -3, 1 above 3"},
    {"relu6", "x", builtin_relu6, "elementwise", "min(max(x, 0), 6)"},
    {"hardswish", "x", builtin_hardswish, "elementwise", "x * hardsigmoid(x)"},
    {"quick_gelu", "x", builtin_quick_gelu, "elementwise", "x * sigmoid(1.702 x), GELU's quick approximation"},
    {"celu", "x, alpha=1", builtin_celu, "elementwise", "max(0, x) + min(0, alpha*(exp(x/alpha) - 1))"},
    {"logical_not", "x", builtin_logical_not, "elementwise", "1 where x is 0, else 0; no gradient"},
    {"logical_and", "a, b", builtin_logical_and, "elementwise",
     "1 where a and b are both not 0, else 0: a mask (x[logical_and(x > 0, x < 1)]); no gradient"},
    {"logical_or", "a, b", builtin_logical_or, "elementwise", "1 where a or b is not 0, else 0: a mask; no gradient"},
    {"logical_xor", "a, b", builtin_logical_xor, "elementwise",
     "1 where exactly one of a and b is not 0, else 0: a mask; no gradient"},
    {"normalize", "input, p=2, dim=1, eps=1e-12", builtin_normalize, "nn",
     "F.normalize: input divided by its p-norm along dim (at least eps)", .framed = true},
    {"masked_fill", "x, mask, value", builtin_masked_fill, "shape",
     "x with value where mask (broadcast to x) is not 0; gradient to x elsewhere"},
    {"index_select", "x, dim, index", builtin_index_select, "shape", "torch.index_select: the entries of index along dim"},
    {"chunk", "x, chunks, dim=0", builtin_chunk, "shape",
     "torch.chunk: a list of up to chunks pieces of ceil(size/chunks) along dim"},
    {0},
};
