/* builtins_core.c — construction, elementwise, shape and reduction, neural
 * net, attribute, autograd and output built-ins. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "repl_internal.h"

#define MAX_INDICES 1000000


static int done_var(repl *r, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error(r);
    *out = value_var(v);
    return 0;
}

/* ---- construction ------------------------------------------------------------------ */

/* A shape parameter collects the rest of the positional arguments, so a
 * shape is one list or integer (zeros([2, 3]), zeros(3)) or several
 * integers (zeros(2, 3), x.reshape(3, 2)), as in PyTorch. */
static int get_dims(repl *r, const builtin_args *a, int index, int *shape, int *ndim) {
    const value_list *rest = a->values[index].as.list;
    if (a->values[index].kind != VALUE_LIST || rest->count == 0)
        return repl_error(r, "%s: the shape is missing: %s", a->def->name,
                          index == 0 ? "give it as [2, 3] or 2, 3" : "give it as [3, 2] or 3, 2");
    /* several integers, or one argument read as the shape itself */
    if (rest->count > 1) return arg_ints(r, a, index, shape, AG_MAX_DIMS, ndim);
    return arg_ints_of(r, a, index, rest->items[0], shape, AG_MAX_DIMS, ndim);
}

/* A shape for a new leaf, from a rest parameter (zeros, rand) or a plain
 * one (full(shape, value)); no negative dimension. */
static int get_shape(repl *r, const builtin_args *a, int index, bool rest, int *shape, int *ndim) {
    if ((rest ? get_dims(r, a, index, shape, ndim) : arg_ints(r, a, index, shape, AG_MAX_DIMS, ndim)) < 0)
        return -1;
    for (int i = 0; i < *ndim; i++)
        if (shape[i] < 0)
            return repl_error(r, "%s: shape has a negative dimension %d", a->def->name, shape[i]);
    return 0;
}

static int builtin_zeros(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    return done_var(r, ag_zeros(r->ctx, ndim, shape), out);
}

static int builtin_ones(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    return done_var(r, ag_ones(r->ctx, ndim, shape), out);
}

static int builtin_full(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    double value;
    if (get_shape(r, a, 0, false, shape, &ndim) < 0 || arg_number(r, a, 1, &value) < 0) return -1;
    return done_var(r, ag_full(r->ctx, ndim, shape, value), out);
}

static int random_leaf(repl *r, const builtin_args *a, repl_value *out, bool normal) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    ag_rng rng, *source = NULL; /* no seed: the session's generator */
    if (arg_given(a, 1)) {
        double seed;
        if (arg_number(r, a, 1, &seed) < 0) return -1;
        if (seed < 0 || seed != floor(seed) || seed > 18446744073709549568.0)
            return repl_error(r, "%s: seed must be a whole number >= 0", a->def->name);
        ag_rng_seed(&rng, (uint64_t)seed);
        source = &rng;
    }
    ag_var *v = normal ? ag_randn(r->ctx, ndim, shape, source) : ag_rand(r->ctx, ndim, shape, source);
    return done_var(r, v, out);
}

int repl_seed(repl *r, double seed, const char *who) {
    if (!(seed >= 0 && seed == floor(seed) && seed <= 18446744073709549568.0)) {
        char text[AG_NUMBUF];
        return repl_error(r, "%s: the seed must be a whole number >= 0, not %s", who,
                          ag_format_display(seed, 0, text));
    }
    ag_rng_seed(ag_ctx_rng(r->ctx), (uint64_t)seed);
    return 0;
}

/* seed(n): the session's generator starts again from n, as NumPy's
 * np.random.seed and torch.manual_seed */
static int builtin_seed(repl *r, const builtin_args *a, repl_value *out) {
    double seed;
    if (arg_number(r, a, 0, &seed) < 0 || repl_seed(r, seed, "seed") < 0) return -1;
    *out = (repl_value)VALUE_NIL_INIT;
    return 0;
}

static int builtin_rand(repl *r, const builtin_args *a, repl_value *out) {
    return random_leaf(r, a, out, false);
}

static int builtin_randn(repl *r, const builtin_args *a, repl_value *out) {
    return random_leaf(r, a, out, true);
}

static int builtin_arange(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop, step;
    if (arg_number(r, a, 0, &start) < 0 || arg_number(r, a, 2, &step) < 0) return -1;
    if (arg_given(a, 1)) {
        if (arg_number(r, a, 1, &stop) < 0) return -1;
    } else {
        stop = start;
        start = 0;
    }
    return done_var(r, ag_arange(r->ctx, start, stop, step), out);
}

static int builtin_linspace(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop;
    int n;
    if (arg_number(r, a, 0, &start) < 0 || arg_number(r, a, 1, &stop) < 0 || arg_int(r, a, 2, &n) < 0)
        return -1;
    return done_var(r, ag_linspace(r->ctx, start, stop, n), out);
}

static int builtin_eye(repl *r, const builtin_args *a, repl_value *out) {
    int n, m;
    if (arg_int(r, a, 0, &n) < 0) return -1;
    if (!arg_given(a, 1)) return done_var(r, ag_eye(r->ctx, n), out);
    if (arg_int(r, a, 1, &m) < 0) return -1;
    return done_var(r, ag_eye_nm(r->ctx, n, m), out);
}

static int builtin_zeros_like(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    return done_var(r, ag_zeros_like(r->ctx, x), out);
}

static int builtin_ones_like(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    return done_var(r, ag_ones_like(r->ctx, x), out);
}

/* ---- elementwise ------------------------------------------------------------------------ */

#define UNARY_BUILTIN(name, op)                                                  \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        if (arg_var(r, a, 0, &x) < 0) return -1;                                 \
        return done_var(r, op(r->ctx, x), out);                                  \
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
    return done_var(r, ag_abs(r->ctx, x), out);
}

static int builtin_pow(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *p;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (a->values[1].kind == VALUE_NUMBER) return done_var(r, ag_pow(r->ctx, x, a->values[1].as.number), out);
    if (arg_var(r, a, 1, &p) < 0) return -1;
    return done_var(r, ag_powv(r->ctx, x, p), out);
}

static int builtin_clip(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double lo, hi;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &lo) < 0 || arg_number(r, a, 2, &hi) < 0)
        return -1;
    return done_var(r, ag_clip(r->ctx, x, lo, hi), out);
}

/* ---- reductions and shape ----------------------------------------------------------------- */

typedef ag_var *(*reduce_fn)(ag_ctx *, ag_var *, const int *, int);

static int reduce(repl *r, const builtin_args *a, repl_value *out, reduce_fn fn) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    bool keepdims = false;
    if (arg_given(a, 1) && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) return -1;
    if (arg_bool(r, a, 2, &keepdims) < 0) return -1;
    ag_var *y = fn(r->ctx, x, naxes ? axes : NULL, naxes);
    return done_var(r, keepdims ? ag_keepdims(r->ctx, y, x, axes, naxes) : y, out);
}

static int builtin_sum(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_is_sequence_of_values(a->values[0])) return repl_sum_items(r, a, out); /* builtins_loop.c */
    return reduce(r, a, out, ag_sum);
}
static int builtin_mean(repl *r, const builtin_args *a, repl_value *out) { return reduce(r, a, out, ag_mean); }
static int builtin_variance(repl *r, const builtin_args *a, repl_value *out) {
    return reduce(r, a, out, ag_variance);
}
static int builtin_max(repl *r, const builtin_args *a, repl_value *out) { return reduce(r, a, out, ag_max); }
static int builtin_min(repl *r, const builtin_args *a, repl_value *out) { return reduce(r, a, out, ag_min); }

typedef ag_var *(*shape_fn)(ag_ctx *, ag_var *, int, const int *);

static int reshape_like(repl *r, const builtin_args *a, repl_value *out, shape_fn fn) {
    ag_var *x;
    int shape[AG_MAX_DIMS], ndim;
    if (arg_var(r, a, 0, &x) < 0 || get_dims(r, a, 1, shape, &ndim) < 0) return -1;
    return done_var(r, fn(r->ctx, x, ndim, shape), out);
}

static int builtin_reshape(repl *r, const builtin_args *a, repl_value *out) {
    return reshape_like(r, a, out, ag_reshape);
}
static int builtin_broadcast_to(repl *r, const builtin_args *a, repl_value *out) {
    return reshape_like(r, a, out, ag_broadcast_to);
}
static int builtin_sum_to(repl *r, const builtin_args *a, repl_value *out) {
    return reshape_like(r, a, out, ag_sum_to);
}

static int builtin_transpose(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    /* x.transpose(1, 0), transpose(x, [1, 0]), transpose(x, axes=[1, 0]) or none (reversed) */
    repl_value given = a->values[1];
    bool reverse = given.kind == VALUE_NIL || (given.kind == VALUE_LIST && given.as.list->count == 0);
    if (!reverse && given.kind == VALUE_LIST && given.as.list->count == 1) {
        if (arg_ints_of(r, a, 1, given.as.list->items[0], axes, AG_MAX_DIMS, &naxes) < 0) return -1;
    } else if (!reverse && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) {
        return -1;
    }
    return done_var(r, ag_transpose(r->ctx, x, reverse ? NULL : axes, naxes), out);
}

static int builtin_squeeze(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (arg_given(a, 1)) {
        int axis;
        if (arg_int(r, a, 1, &axis) < 0) return -1;
        return done_var(r, ag_squeeze(r->ctx, x, axis), out);
    }
    /* no axis: drop every dimension of length 1, last first */
    for (int d = ag_ndim(x) - 1; d >= 0 && x != NULL; d--)
        if (ag_shape(x)[d] == 1) x = ag_squeeze(r->ctx, x, d);
    return done_var(r, x, out);
}

static int builtin_unsqueeze(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return done_var(r, ag_unsqueeze(r->ctx, x, axis), out);
}

/* The variables of a list argument (numbers and tensor literals become
 * leaves), or the rows of a tensor argument; *xs malloc'd. */
int arg_var_list(repl *r, const builtin_args *a, int index, ag_var ***xs, int *n) {
    repl_value v = a->values[index];
    if (v.kind == VALUE_VAR && ag_ndim(v.as.var) >= 1) {
        /* a tensor (a literal like [[[1, 2]], [[3, 4]]]) is the list of its rows */
        ag_var *x = v.as.var;
        int count = ag_shape(x)[0];
        ag_var **vars = malloc((size_t)(count > 0 ? count : 1) * sizeof *vars);
        if (vars == NULL) return repl_error(r, "out of memory");
        for (int i = 0; i < count; i++) {
            vars[i] = ag_squeeze(r->ctx, ag_get_item(r->ctx, x, 0, &i, 1), 0);
            if (vars[i] == NULL) {
                free(vars);
                return engine_error(r);
            }
        }
        *xs = vars;
        *n = count;
        return 0;
    }
    if (v.kind != VALUE_LIST) {
        char buf[64];
        return repl_error(r, "%s: %s must be a list of variables, not %s", a->def->name,
                          index == 0 ? "xs" : "the inputs", value_with_article(v, buf, sizeof buf));
    }
    const value_list *list = v.as.list;
    ag_var **vars = malloc((size_t)(list->count > 0 ? list->count : 1) * sizeof *vars);
    if (vars == NULL) return repl_error(r, "out of memory");
    for (int i = 0; i < list->count; i++) {
        builtin_args item = {.count = 1, .values = &list->items[i], .def = a->def};
        if (arg_var(r, &item, 0, &vars[i]) < 0) {
            free(vars);
            return -1;
        }
    }
    *xs = vars;
    *n = list->count;
    return 0;
}

static int builtin_concat(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n, axis;
    if (arg_int(r, a, 1, &axis) < 0 || arg_var_list(r, a, 0, &xs, &n) < 0) return -1;
    int rc = done_var(r, ag_concat(r->ctx, xs, n, axis), out);
    free(xs);
    return rc;
}

/* A list of up to MAX_INDICES integers, malloc'd into *out. */
static int arg_int_array(repl *r, const builtin_args *a, int index, int **out, int *count) {
    repl_value v = a->values[index];
    int length = v.kind == VALUE_LIST ? v.as.list->count
                 : v.kind == VALUE_VAR ? (int)(ag_size(v.as.var) < MAX_INDICES ? ag_size(v.as.var) : MAX_INDICES)
                                       : 1;
    int *ints = malloc((size_t)(length > 0 ? length : 1) * sizeof *ints);
    if (ints == NULL) return repl_error(r, "out of memory");
    if (arg_ints(r, a, index, ints, length, count) < 0) {
        free(ints);
        return -1;
    }
    *out = ints;
    return 0;
}

/* split(x, 5): PyTorch's split_size, pieces of 5 along axis, the last one
 * shorter when 5 does not divide the axis; into *sizes (malloc'd). */
static int split_pieces(repl *r, const builtin_args *a, ag_var *x, int axis, int **sizes, int *n) {
    int size;
    if (arg_int(r, a, 1, &size) < 0) return -1;
    if (size <= 0) return repl_error(r, "split: the piece size must be positive, not %d", size);
    int ndim = ag_ndim(x);
    if (axis < -ndim || axis >= ndim || ndim == 0)
        return repl_error(r, "split: axis %d out of range for ndim %d", axis, ndim);
    int length = ag_shape(x)[axis < 0 ? axis + ndim : axis];
    int count = length == 0 ? 1 : (length + size - 1) / size;
    int *pieces = malloc((size_t)count * sizeof *pieces);
    if (pieces == NULL) return repl_error(r, "out of memory");
    for (int i = 0; i < count; i++) pieces[i] = length - i * size < size ? length - i * size : size;
    *sizes = pieces;
    *n = count;
    return 0;
}

static int builtin_split(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int *sizes = NULL, n = 0, axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 2, &axis) < 0) return -1;
    repl_value spec = a->values[1];
    bool piece_size = spec.kind == VALUE_NUMBER || (spec.kind == VALUE_VAR && ag_ndim(spec.as.var) == 0);
    if (piece_size ? split_pieces(r, a, x, axis, &sizes, &n) < 0 : arg_int_array(r, a, 1, &sizes, &n) < 0)
        return -1;
    ag_var **pieces = malloc((size_t)(n > 0 ? n : 1) * sizeof *pieces);
    int rc = -1;
    if (pieces == NULL) {
        repl_error(r, "out of memory");
    } else if (ag_split(r->ctx, x, sizes, n, axis, pieces) < 0) {
        engine_error(r);
    } else {
        *out = value_list_new(n);
        if (out->kind != VALUE_LIST) {
            repl_error(r, "out of memory");
        } else {
            for (int i = 0; i < n; i++) out->as.list->items[i] = value_var(pieces[i]);
            rc = 0;
        }
    }
    free(pieces);
    free(sizes);
    return rc;
}

static int builtin_get_item(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int *indices, n, axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 2, &axis) < 0) return -1;
    if (repl_get_item_key_is_tuple(a->values[1])) { /* DeZero's get_item(x, (0, slice(0, 2))): x[0, 0:2] */
        if (axis != 0)
            return repl_error(r, "get_item: axis= goes with a list of indices, not with a tuple of "
                                 "indices holding a slice, ... or none");
        ag_var *y;
        return repl_get_item_tuple(r, x, a->values[1], &y) < 0 ? -1 : done_var(r, y, out);
    }
    if (arg_int_array(r, a, 1, &indices, &n) < 0) return -1;
    /* one integer drops the axis, as x[i] and DeZero's get_item; a list keeps it */
    repl_value key = a->values[1];
    bool drop = key.kind == VALUE_NUMBER || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 0);
    ag_var *y = ag_get_item(r->ctx, x, axis, indices, n);
    if (drop && y != NULL) y = ag_squeeze(r->ctx, y, axis);
    int rc = done_var(r, y, out);
    free(indices);
    return rc;
}

static int builtin_slice(repl *r, const builtin_args *a, repl_value *out) {
    int given = 0;
    for (int i = 0; i < 3; i++)
        if (a->values[i].kind != VALUE_NIL) given = i + 1;
    return repl_slice_value_new(r, a->values, given, out);
}

static int builtin_matmul(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0) return -1;
    return done_var(r, ag_matmul(r->ctx, x, w), out);
}

/* ---- neural net ----------------------------------------------------------------------------- */

static int builtin_linear(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b = NULL;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0) return -1;
    if (arg_given(a, 2) && arg_var(r, a, 2, &b) < 0) return -1;
    return done_var(r, ag_linear(r->ctx, x, w, b), out);
}

static int builtin_softmax(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return done_var(r, ag_softmax(r->ctx, x, axis), out);
}

typedef ag_var *(*binary_fn)(ag_ctx *, ag_var *, ag_var *);

static int binary(repl *r, const builtin_args *a, repl_value *out, binary_fn fn) {
    ag_var *x, *y;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;
    return done_var(r, fn(r->ctx, x, y), out);
}

/* mse(y, t) of operands that broadcast to a bigger shape than either
 * (y [5 1], t [5]: [5 5], every y against every t) is rarely meant: said
 * once a session, with both shapes (PyTorch warns too). */
static void note_loss_broadcast(repl *r, const char *what, const ag_var *y, const ag_var *t) {
    if (r->said_once.loss_broadcast || y == NULL || t == NULL) return;
    int ny = ag_ndim(y), nt = ag_ndim(t), n = ny > nt ? ny : nt;
    int shape[AG_MAX_DIMS];
    size_t size = 1;
    for (int i = 0; i < n && n <= AG_MAX_DIMS; i++) {
        int dy = i - (n - ny) >= 0 ? ag_shape(y)[i - (n - ny)] : 1;
        int dt = i - (n - nt) >= 0 ? ag_shape(t)[i - (n - nt)] : 1;
        if (dy != dt && dy != 1 && dt != 1) return; /* not broadcastable: the op's error says so */
        shape[i] = dy > dt ? dy : dt;
        size *= (size_t)shape[i];
    }
    if (n > AG_MAX_DIMS || size <= ag_size(y) || size <= ag_size(t)) return;
    r->said_once.loss_broadcast = true;
    char ys[AG_SHAPEBUF], ts[AG_SHAPEBUF], bs[AG_SHAPEBUF];
    fflush(r->io.out);
    fprintf(r->io.err,
            "note: %s: y %s and t %s broadcast to %s, comparing every y with every t; give them one shape "
            "(t.reshape(...)) if that is not meant (this note is shown once)\n",
            what, ag_shape_string(ny, ag_shape(y), ys), ag_shape_string(nt, ag_shape(t), ts),
            ag_shape_string(n, shape, bs));
}

static int builtin_mse(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;
    ag_var *loss = ag_mse(r->ctx, x, y);
    if (loss != NULL) note_loss_broadcast(r, "mse", x, y);
    return done_var(r, loss, out);
}

/* add(a, b) ... div(a, b): the operators as functions (DeZero's F.add, torch.add) */
static int builtin_add(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_add); }
static int builtin_sub(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_sub); }
static int builtin_mul(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_mul); }
static int builtin_div(repl *r, const builtin_args *a, repl_value *out) { return binary(r, a, out, ag_div); }

/* variable(data, name=""): a new leaf holding a copy of data's numbers (DeZero's Variable). */
static int builtin_variable(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    const char *name = "";
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (arg_given(a, 1) && arg_string(r, a, 1, &name) < 0) return -1;
    ag_var *leaf = ag_detach(r->ctx, x);
    if (leaf != NULL && name[0] != '\0') ag_set_name(leaf, name);
    return done_var(r, leaf, out);
}

/* Class labels with ignore_index where the engine reads -100 (its ignored
 * label): a new leaf, or t itself for the default.  NULL after an error. */
static ag_var *labels_ignoring(repl *r, ag_var *t, int ignore_index) {
    if (ignore_index == -100) return t;
    ag_var *labels = ag_zeros(r->ctx, ag_ndim(t), ag_shape(t));
    if (labels == NULL) return engine_error(r), NULL;
    double *to = (double *)ag_cdata(labels); /* a new leaf: not an in-place change */
    const double *from = ag_cdata(t);
    for (size_t i = 0; i < ag_size(t); i++) {
        if (from[i] == -100)
            return repl_error(r, "cross_entropy: label -100 is a class index out of range (ignore_index=%d)",
                              ignore_index), NULL;
        to[i] = from[i] == ignore_index ? -100 : from[i];
    }
    return labels;
}

/* cross_entropy(logits, labels, reduction="mean", label_smoothing=0, weight=nil,
 * ignore_index=-100): the CrossEntropy op for the defaults with class labels
 * of (N, C) logits, else PyTorch's forms made of LogSoftmax and Gather
 * (ag_cross_entropy_weighted); the mean is over the labels not ignored. */
static int builtin_cross_entropy(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *t, *w = NULL;
    ag_reduction reduction;
    double smoothing;
    int ignore_index;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &t) < 0 || arg_reduction(r, a, 2, &reduction) < 0 ||
        arg_number(r, a, 3, &smoothing) < 0 || (arg_given(a, 4) && arg_var(r, a, 4, &w) < 0) ||
        arg_int(r, a, 5, &ignore_index) < 0)
        return -1;
    bool probabilities = ag_ndim(x) == ag_ndim(t) && ag_ndim(x) == 2 && ag_shape(x)[0] == ag_shape(t)[0] &&
                         ag_shape(x)[1] == ag_shape(t)[1];
    if (!probabilities && (t = labels_ignoring(r, t, ignore_index)) == NULL) return -1;
    if (reduction == AG_REDUCTION_MEAN && smoothing == 0 && !probabilities && w == NULL && ag_ndim(x) == 2)
        return done_var(r, ag_cross_entropy(r->ctx, x, t), out);
    return done_var(r, ag_cross_entropy_weighted(r->ctx, x, t, w, reduction, smoothing), out);
}
static int builtin_accuracy(repl *r, const builtin_args *a, repl_value *out) {
    return binary(r, a, out, ag_accuracy);
}

static int builtin_dropout(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double ratio;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &ratio) < 0) return -1;
    if (!(ratio >= 0 && ratio < 1)) return repl_error(r, "dropout: ratio must be in [0, 1)");
    return done_var(r, ag_dropout(r->ctx, x, ratio), out);
}

/* ---- attributes as functions ------------------------------------------------------------------ */

static int attribute(repl *r, const builtin_args *a, repl_value *out, const char *name) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    int rc = repl_variable_attribute(r, x, name, NULL, out);
    return rc == 0 ? 0 : rc < 0 ? -1 : repl_error(r, "%s: no such attribute", name);
}

#define ATTRIBUTE_BUILTIN(name)                                                  \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        return attribute(r, a, out, #name);                                      \
    }
ATTRIBUTE_BUILTIN(data)
ATTRIBUTE_BUILTIN(shape)
ATTRIBUTE_BUILTIN(name)
ATTRIBUTE_BUILTIN(creator)
ATTRIBUTE_BUILTIN(generation)
ATTRIBUTE_BUILTIN(inputs)
ATTRIBUTE_BUILTIN(ndim)
ATTRIBUTE_BUILTIN(size)

static int builtin_item(repl *r, const builtin_args *a, repl_value *out) {
    double v;
    if (arg_number(r, a, 0, &v) < 0) return -1;
    *out = value_number(v);
    return 0;
}

static int builtin_len(repl *r, const builtin_args *a, repl_value *out) {
    repl_value v = a->values[0];
    switch (v.kind) {
    case VALUE_LIST: *out = value_number(v.as.list->count); return 0;
    case VALUE_STRING: { /* characters, as Python: UTF-8 code points, not bytes */
        size_t count = 0;
        for (size_t i = 0; i < v.as.string->length; i++)
            count += ((unsigned char)v.as.string->text[i] & 0xC0) != 0x80;
        *out = value_number((double)count);
        return 0;
    }
    case VALUE_VAR:
        if (ag_ndim(v.as.var) == 0) return repl_error(r, "len: a 0-d variable has no length");
        *out = value_number(ag_shape(v.as.var)[0]);
        return 0;
    default: {
        char buf[64];
        long n = repl_iter_length(v); /* a sequence: m.params, enumerate(...), a loader */
        if (n >= 0) {
            *out = value_number((double)n);
            return 0;
        }
        if (n == -1) return repl_error(r, "len: this %s has no length known before it is walked", value_kind_name(v));
        return repl_error(r, "len: x must be a list, string, variable or sequence, not %s", value_with_article(v, buf, sizeof buf));
    }
    }
}

/* ---- autograd ---------------------------------------------------------------------------------- */

/* step= is false, true (wait for Enter) or a positive number of seconds per step. */
static int arg_step(repl *r, const builtin_args *a, int index, bool *step, double *pace) {
    repl_value v = a->values[index];
    *pace = 0;
    if (v.kind == VALUE_NUMBER) {
        char shown[AG_NUMBUF];
        if (!(v.as.number > 0) || !isfinite(v.as.number))
            return repl_error(r, "backward: step must be true, false or a positive number of seconds, not %s",
                              ag_format_display(v.as.number, 0, shown));
        *step = true;
        *pace = v.as.number;
        return 0;
    }
    if (v.kind == VALUE_BOOL) {
        *step = v.as.boolean;
        return 0;
    }
    char buf[64];
    return repl_error(r, "backward: step must be true, false or a number of seconds, not %s",
                      value_with_article(v, buf, sizeof buf));
}

REPL_HOT static int builtin_backward(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    bool retain, create, step = false;
    double pace = 0;
    if (arg_var(r, a, 0, &y) < 0 || arg_bool(r, a, 1, &retain) < 0 || arg_bool(r, a, 2, &create) < 0 ||
        arg_step(r, a, 3, &step, &pace) < 0)
        return -1;
    ag_backward_opts opts = {.retain_grad = retain, .create_graph = create};
    bool seeds_ones = ag_size(y) != 1 && ag_grad(y) == NULL;
    repl_notes_before_backward(r);
    if (step) return repl_backward_steps(r, y, &opts, pace) < 0 ? -1 : (*out = VALUE_NIL_INIT, 0);
    if (ag_backward(r->ctx, y, &opts) < 0) return engine_error(r);
    if (seeds_ones && !r->said_once.nonscalar_seed) {
        char shape[AG_SHAPEBUF];
        r->said_once.nonscalar_seed = true;
        fflush(r->io.out);
        fprintf(r->io.err,
                "note: backward of a %s value seeded every element's gradient with 1: the gradients are "
                "those of sum(y) (this note is shown once)\n",
                ag_shape_string(ag_ndim(y), ag_shape(y), shape));
    }
    repl_note_no_graph(r, y);
    *out = VALUE_NIL_INIT;
    return 0;
}

/* Clears the gradient of every variable given, also inside lists. */
REPL_HOT static int builtin_cleargrad(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    for (int i = 0; i < xs->count; i++) {
        repl_value v = xs->items[i];
        if (v.kind == VALUE_VAR) {
            ag_cleargrad(v.as.var);
            repl_note_summed(r, v.as.var); /* the streak is over */
        } else if (v.kind == VALUE_LIST) {
            for (int k = 0; k < v.as.list->count; k++)
                if (v.as.list->items[k].kind == VALUE_VAR) {
                    ag_cleargrad(v.as.list->items[k].as.var);
                    repl_note_summed(r, v.as.list->items[k].as.var);
                }
        } else if (v.kind != VALUE_NUMBER) {
            char buf[64];
            return repl_error(r, "cleargrad: expected variables, not %s", value_with_article(v, buf, sizeof buf));
        }
    }
    *out = VALUE_NIL_INIT;
    return 0;
}

static int builtin_unchain(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    if (arg_var(r, a, 0, &y) < 0) return -1;
    ag_unchain(y);
    *out = VALUE_NIL_INIT;
    return 0;
}

static int builtin_unchain_backward(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    if (arg_var(r, a, 0, &y) < 0) return -1;
    ag_unchain_backward(y);
    *out = VALUE_NIL_INIT;
    return 0;
}

/* dy/dx for grad(). */
static int grad_of_one(repl *r, ag_var *y, ag_var *x, bool create, repl_value *out) {
    /* a gradient made without create_graph is a leaf: say how to get one
     * that can be differentiated again */
    if (ag_creator(y) == NULL && y != x)
        return repl_error(r, "grad: the output does not depend on that input (to differentiate a "
                             "gradient again, make it with create_graph=true)");
    return done_var(r, ag_grad_of(r->ctx, y, x, create), out);
}

/* grad(y, [a, b]): the list [dy/da, dy/db], as torch.autograd.grad. */
static int grad_of_each(repl *r, const builtin_args *a, ag_var *y, bool create, repl_value *out) {
    const value_list *xs = a->values[1].as.list;
    char buf[96];
    if (xs->count == 0) return repl_error(r, "grad: x is an empty list; give the inputs, like grad(y, [a, b])");
    for (int i = 0; i < xs->count; i++)
        if (xs->items[i].kind != VALUE_VAR)
            return repl_error(r, "grad: x[%d] must be a variable, not %s", i,
                              describe_kind(xs->items[i], buf, sizeof buf));
    repl_value list = value_list_new(xs->count);
    if (list.kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < xs->count; i++) {
        if (grad_of_one(r, y, xs->items[i].as.var, create, &list.as.list->items[i]) < 0) {
            value_release(list);
            return -1;
        }
    }
    *out = list;
    return 0;
}

static int builtin_grad(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y, *x;
    bool create;
    if (arg_var(r, a, 0, &y) < 0 || arg_bool(r, a, 2, &create) < 0) return -1;
    if (!arg_given(a, 1)) return repl_variable_attribute(r, y, "grad", NULL, out) < 0 ? -1 : 0;
    if (a->values[1].kind == VALUE_LIST) return grad_of_each(r, a, y, create, out);
    if (arg_var(r, a, 1, &x) < 0) return -1;
    return grad_of_one(r, y, x, create, out);
}

/* Calls a REPL callable from the engine's numeric code. */
typedef struct engine_call {
    repl *r;
    repl_value f;
    const char *caller;
    bool failed;
} engine_call;

static ag_var *call_from_engine(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    engine_call *c = user;
    if (c->failed) return NULL;
    repl_value stack_argv[8] = {VALUE_NIL_INIT};
    repl_value *argv = n <= 8 ? stack_argv : malloc((size_t)n * sizeof *argv);
    if (argv == NULL) {
        c->failed = true;
        repl_error(c->r, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) argv[i] = value_var(xs[i]);
    repl_value result;
    int rc = repl_call_value(c->r, c->f, n, argv, &result);
    for (int i = 0; i < n; i++) value_release(argv[i]);
    if (argv != stack_argv) free(argv);
    if (rc < 0) {
        c->failed = true;
        return NULL;
    }
    ag_var *y = NULL;
    if (result.kind == VALUE_VAR) {
        y = result.as.var; /* stays alive: no collection inside a built-in */
    } else if (result.kind == VALUE_NUMBER) {
        y = ag_scalar(ctx, result.as.number);
    } else {
        char buf[64];
        repl_error(c->r, "%s: f must return a variable or number, not %s", c->caller,
                   value_with_article(result, buf, sizeof buf));
        c->failed = true;
    }
    value_release(result);
    return y;
}

static int check_callable(repl *r, const builtin_args *a) {
    repl_value f = a->values[0];
    if (f.kind == VALUE_FUNCTION || f.kind == VALUE_BUILTIN ||
        (f.kind == VALUE_OBJECT && f.as.object->type && f.as.object->type->call))
        return 0;
    char buf[64];
    return repl_error(r, "%s: f must be a function, not %s", a->def->name, value_with_article(f, buf, sizeof buf));
}

static int builtin_numgrad(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n;
    if (check_callable(r, a) < 0 || arg_var_list(r, a, 1, &xs, &n) < 0) return -1;
    if (n == 0) {
        free(xs);
        return repl_error(r, "numgrad: give the inputs after f: numgrad(f, x)");
    }
    engine_call c = {.r = r, .f = a->values[0], .caller = "numgrad"};
    repl_value result = n == 1 ? VALUE_NIL_INIT : value_list_new(n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        ag_var *g = ag_numgrad(r->ctx, call_from_engine, &c, xs, n, i, 1e-4);
        if (g == NULL) {
            rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
        } else if (n == 1) {
            result = value_var(g);
        } else {
            result.as.list->items[i] = value_var(g);
        }
    }
    free(xs);
    if (rc < 0) {
        value_release(result);
        return -1;
    }
    *out = result;
    return 0;
}

typedef struct mismatch_report {
    repl *r;
    ag_var **xs;
    viz_mark *marks; /* show=true: the first mismatch of each input, else NULL */
    int nmarks;
} mismatch_report;

static void report_mismatch(void *user, int input, size_t index, double analytic, double numeric) {
    mismatch_report *m = user;
    repl *r = m->r;
    const ag_var *x = m->xs[input];
    char name[96], where[32 * AG_MAX_DIMS] = "", a[AG_NUMBUF], b[AG_NUMBUF];
    if (ag_name(x)[0]) snprintf(name, sizeof name, "%s", ag_name(x));
    else snprintf(name, sizeof name, "input %d", input + 1);
    int ndim = ag_ndim(x);
    if (ndim > 0) {
        /* the flat index as one index per axis */
        size_t rest = index;
        int coords[AG_MAX_DIMS];
        for (int d = ndim - 1; d >= 0; d--) {
            int length = ag_shape(x)[d] > 0 ? ag_shape(x)[d] : 1;
            coords[d] = (int)(rest % (size_t)length);
            rest /= (size_t)length;
        }
        size_t at = 0;
        at += (size_t)snprintf(where + at, sizeof where - at, "[");
        for (int d = 0; d < ndim; d++)
            at += (size_t)snprintf(where + at, sizeof where - at, d ? ", %d" : "%d", coords[d]);
        snprintf(where + at, sizeof where - at, "]");
    }
    fprintf(r->io.out, "gradcheck: %s%s analytic %s numeric %s\n", name, where,
            format_number(r, analytic, a), format_number(r, numeric, b));
    bool marked = false;
    for (int i = 0; i < m->nmarks; i++) marked |= m->marks[i].var == x;
    if (m->marks != NULL && !marked) {
        viz_mark *mark = &m->marks[m->nmarks++];
        mark->var = x;
        snprintf(mark->note, sizeof mark->note, "✗ analytic %s numeric %s%s%s", a, b,
                 where[0] ? " at " : "", where);
    }
}

/* A backward of sum(y) for gradcheck's drawing: every node of y's graph
 * gets the gradient that flowed through it (drawn as grad⁺), and the inputs
 * keep the .grad they had before, as ag_gradcheck leaves them.  0, or -1
 * with the engine's error set. */
static int shown_backward(repl *r, ag_var *y, ag_var **xs, int n) {
    ag_var **saved = calloc((size_t)(n > 0 ? n : 1), sizeof *saved);
    if (saved == NULL) return repl_error(r, "gradcheck: out of memory");
    for (int i = 0; i < n; i++) {
        saved[i] = ag_grad(xs[i]);
        if (saved[i] != NULL) ag_retain(saved[i]);
        ag_cleargrad(xs[i]);
    }
    ag_keep_last_grads(r->ctx, true); /* the drawing's numbers, also inside a loop */
    r->eval.keeping_last_grads = true;
    ag_var *z = ag_size(y) != 1 ? ag_sum(r->ctx, y, NULL, 0) : y;
    int rc = z != NULL ? ag_backward(r->ctx, z, &(ag_backward_opts){0}) : -1;
    for (int i = n - 1; i >= 0; i--) { /* backwards: an input passed twice gets its first grad */
        if (saved[i] != NULL) ag_set_grad(xs[i], saved[i]);
        else ag_cleargrad(xs[i]);
    }
    for (int i = 0; i < n; i++)
        if (saved[i] != NULL) ag_release(saved[i]);
    free(saved);
    return rc;
}

static int builtin_gradcheck(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n;
    double atol, rtol;
    bool show;
    if (check_callable(r, a) < 0 || arg_number(r, a, 2, &atol) < 0 || arg_number(r, a, 3, &rtol) < 0 ||
        arg_bool(r, a, 4, &show) < 0 || arg_var_list(r, a, 1, &xs, &n) < 0)
        return -1;
    /* a number given (gradcheck(f, 0.5)) arrives as a constant, which gets
     * no gradient: check f at a plain leaf of its value */
    for (int i = 0; i < n; i++)
        if ((ag_var_flags(xs[i]) & AG_VAR_CONST) && (xs[i] = ag_detach(r->ctx, xs[i])) == NULL) {
            free(xs);
            return engine_error(r);
        }
    engine_call c = {.r = r, .f = a->values[0], .caller = "gradcheck"};
    mismatch_report m = {.r = r, .xs = xs};
    if (show && n > 0 && (m.marks = calloc((size_t)n, sizeof *m.marks)) == NULL) {
        free(xs);
        return repl_error(r, "gradcheck: out of memory");
    }
    int result = ag_gradcheck(r->ctx, call_from_engine, &c, xs, n, atol, rtol, report_mismatch, &m);
    if (result < 0) {
        free(xs);
        free(m.marks);
        int rc = r->error.set ? -1 : engine_error(r);
        ag_clear_error(r->ctx);
        return rc;
    }
    if (show) { /* the graph of f(xs), each checked input marked ✗ (its first mismatch) or ✓ */
        for (int i = 0; i < n && m.marks != NULL; i++) {
            bool marked = false;
            for (int k = 0; k < m.nmarks; k++) marked |= m.marks[k].var == xs[i];
            if (marked) continue;
            m.marks[m.nmarks].var = xs[i];
            snprintf(m.marks[m.nmarks++].note, sizeof m.marks[0].note, "✓ analytic = numeric");
        }
        ag_var *y = call_from_engine(&c, r->ctx, xs, n);
        if (y == NULL) {
            free(xs);
            free(m.marks);
            int rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
            return rc;
        }
        /* the drawn graph carries its gradients (grad⁺ on every node, as the
         * analytic side computed them); the inputs' .grad stay as they were */
        if (shown_backward(r, y, xs, n) < 0) {
            free(xs);
            free(m.marks);
            int rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
            return rc;
        }
        free(xs);
        if (repl_viz_show_marked(r, y, m.marks, m.nmarks, "gradcheck") < 0) return -1;
    } else {
        free(xs);
    }
    *out = value_bool(result == 1);
    return 0;
}

/* ---- output and utilities ---------------------------------------------------------------------- */

int repl_set_print(repl *r, double threshold, double edge, const char *who) {
    char text[AG_NUMBUF];
    if (!(threshold >= 0) || (isfinite(threshold) && threshold != floor(threshold)))
        return repl_error(r, "%s: threshold must be a whole number >= 0 or \"full\", not %s", who,
                          ag_format_display(threshold, 0, text));
    if (!(edge >= 1 && edge <= 1000 && edge == floor(edge)))
        return repl_error(r, "%s: edgeitems must be a whole number from 1 to 1000, not %s", who,
                          ag_format_display(edge, 0, text));
    r->settings.print_threshold = threshold;
    r->settings.print_edge = (int)edge;
    return 0;
}

/* set_printoptions(threshold=, edgeitems=): NumPy's and PyTorch's names for
 * when a printed tensor is summarized; what is left out keeps its value. */
static int builtin_set_printoptions(repl *r, const builtin_args *a, repl_value *out) {
    double threshold = r->settings.print_threshold, edge = r->settings.print_edge;
    repl_value given = a->values[0];
    if (given.kind == VALUE_STRING && strcmp(given.as.string->text, "full") == 0) threshold = INFINITY;
    else if (given.kind == VALUE_STRING)
        return repl_error(r, "set_printoptions: threshold must be a whole number >= 0 or \"full\", not \"%s\"",
                          given.as.string->text);
    else if (arg_given(a, 0) && arg_number(r, a, 0, &threshold) < 0) return -1;
    if (arg_given(a, 1) && arg_number(r, a, 1, &edge) < 0) return -1;
    if (repl_set_print(r, threshold, edge, "set_printoptions") < 0) return -1;
    *out = (repl_value)VALUE_NIL_INIT;
    return 0;
}

static int builtin_print(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    errno = 0;
    for (int i = 0; i < xs->count; i++) {
        char *text = value_text_line(r, xs->items[i], false);
        if (text == NULL) return repl_error(r, "out of memory");
        text_printable(text, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* a string may hold a file's bytes */
        if (i > 0) fputc(' ', r->io.out);
        fputs(text, r->io.out);
        free(text);
    }
    fputc('\n', r->io.out);
    *out = VALUE_NIL_INIT;
    return repl_output_check(r, NULL, "print");
}

/* range(start, stop=nil, step=1)'s bound arguments as numbers: one argument
 * is stop; every one must be a finite integer and step nonzero.  -1 after
 * an error naming the parameter ("range: stop must be an integer, not 0.5"). */
static int range_bounds(repl *r, const builtin_args *a, double *start, double *stop, double *step) {
    /* range(n) counts to n: its one argument is stop */
    bool two = arg_given(a, 1);
    const char *names[3] = {two ? "start" : "stop", "stop", "step"};
    double values[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !two) continue;
        if (arg_number(r, a, i, &values[i]) < 0) return -1;
        char number[AG_NUMBUF];
        if (!isfinite(values[i]))
            return repl_error(r, "range: %s must be a finite integer, not %s", names[i],
                              ag_format_display(values[i], 0, number));
        if (values[i] != floor(values[i]))
            return repl_error(r, "range: %s must be an integer, not %s", names[i],
                              ag_format_display(values[i], 0, number));
    }
    *start = two ? values[0] : 0;
    *stop = two ? values[1] : values[0];
    *step = values[2];
    if (*step == 0) return repl_error(r, "range: step is zero");
    /* Numbers are doubles: past 2^53 they are a power of two apart, so start and step must be
     * multiples of that spacing or the list would repeat and skip values. */
    double big = fmax(fabs(*start), fabs(*stop));
    if (big > 9007199254740992.0) {
        double spacing = nextafter(big, INFINITY) - big;
        if (fmod(*start, spacing) != 0 || fmod(*step, spacing) != 0) {
            char from[AG_NUMBUF], to[AG_NUMBUF], gap[AG_NUMBUF];
            return repl_error(r, "range: from %s to %s doubles are up to %s apart, so start and step must be "
                                 "multiples of %s (past 2^53 not every whole number exists)",
                              ag_format_display(*start, 0, from), ag_format_display(*stop, 0, to),
                              ag_format_display(spacing, 0, gap), gap);
        }
    }
    return 0;
}

/* range's sequence hook: a for loop walks the numbers without the list. */
static int range_sequence(repl *r, const builtin_args *a, double *start, double *step,
                          double *count) {
    double stop;
    if (range_bounds(r, a, start, &stop, step) < 0) return -1;
    *count = ceil((stop - *start) / *step);
    return 0;
}

static int builtin_range(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop, step;
    if (range_bounds(r, a, &start, &stop, &step) < 0) return -1;
    double count = ceil((stop - start) / step);
    if (!(count <= MAX_INDICES * 10.0))
        return repl_error(r, "range: %.0f numbers is too many for a list (a for loop over range "
                             "takes any number)", count);
    int n = count > 0 ? (int)count : 0;
    *out = value_list_new(n);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < n; i++) {
        if (i % 65536 == 0 && repl_interrupted) { /* a list of 1e8 numbers takes seconds */
            value_release(*out);
            *out = VALUE_NIL_INIT;
            return repl_error(r, "range: interrupted");
        }
        out->as.list->items[i] = value_number(start + i * step);
    }
    return 0;
}

const builtin_def builtins_core[] = {
    /* construction */
    {"zeros", "*shape", builtin_zeros, "construction", "a leaf of zeros: zeros([2, 3]) or zeros(2, 3); zeros(3)",
     .function_only = true},
    {"ones", "*shape", builtin_ones, "construction", "a leaf of ones", .function_only = true},
    {"full", "shape, value", builtin_full, "construction", "a leaf filled with value", .function_only = true},
    {"rand", "*shape, seed=nil", builtin_rand, "construction",
     "uniform numbers in [0, 1); a seed gives the same numbers on every machine", .function_only = true},
    {"seed", "n", builtin_seed, "construction",
     "start the session's random numbers again from n: every later rand, randn, dropout and model\n"
     "  made without seed= repeats its numbers after the same seed(n) (also :seed N; a new session\n"
     "  starts as if from seed(0))", .function_only = true},
    {"randn", "*shape, seed=nil", builtin_randn, "construction", "standard normal numbers",
     .function_only = true},
    {"arange", "start, stop=nil, step=1", builtin_arange, "construction",
     "start, start+step, ... below stop (arange(n) counts 0..n-1)", .function_only = true},
    {"linspace", "start, stop, n", builtin_linspace, "construction", "n evenly spaced numbers from start to stop (n = 1: [start]; n = 0: empty)",
     .function_only = true},
    {"eye", "n, m=nil", builtin_eye, "construction", "the n x n identity matrix (n x m with m: ones on the diagonal)", .function_only = true},
    {"zeros_like", "x", builtin_zeros_like, "construction", "zeros shaped like x"},
    {"ones_like", "x", builtin_ones_like, "construction", "ones shaped like x"},
    /* elementwise */
    {"neg", "x", builtin_neg, "elementwise", "-x"},
    {"add", "a, b", builtin_add, "elementwise", "a + b as a function (broadcasting)"},
    {"sub", "a, b", builtin_sub, "elementwise", "a - b as a function"},
    {"mul", "a, b", builtin_mul, "elementwise", "a * b as a function (elementwise)"},
    {"div", "a, b", builtin_div, "elementwise", "a / b as a function"},
    {"exp", "x", builtin_exp, "elementwise", "e to the x"},
    {"log", "x", builtin_log, "elementwise", "natural logarithm"},
    {"sin", "x", builtin_sin, "elementwise", "sine"},
    {"cos", "x", builtin_cos, "elementwise", "cosine"},
    {"tan", "x", builtin_tan, "elementwise", "tangent"},
    {"tanh", "x", builtin_tanh, "elementwise", "hyperbolic tangent"},
    {"sqrt", "x", builtin_sqrt, "elementwise", "square root"},
    {"abs", "x", builtin_abs, "elementwise", "absolute value (a plain number stays a number)"},
    {"square", "x", builtin_square, "elementwise", "x^2"},
    {"pow", "x, p", builtin_pow, "elementwise", "x^p; a number p is a constant exponent"},
    {"sigmoid", "x", builtin_sigmoid, "elementwise", "1 / (1 + exp(-x)), computed as 0.5 + 0.5*tanh(0.5x)"},
    {"relu", "x", builtin_relu, "elementwise", "max(x, 0)"},
    {"gelu", "x", builtin_gelu, "elementwise", "GELU, tanh approximation"},
    {"clip", "x, lo, hi", builtin_clip, "elementwise", "x limited to [lo, hi] (min(max(x, lo), hi): hi everywhere when lo > hi, as PyTorch); gradient 1 inside and at lo and hi themselves (as PyTorch), 0 outside"},
    /* shape and reduction */
    {"sum", "x, axis=nil, keepdims=false", builtin_sum, "shape", "sum over all elements, or over axis (a number or a list)"},
    {"mean", "x, axis=nil, keepdims=false", builtin_mean, "shape", "mean over all elements or over axis"},
    {"variance", "x, axis=nil, keepdims=false", builtin_variance, "shape", "population variance over all or over axis"},
    {"max", "x, axis=nil, keepdims=false", builtin_max, "shape", "maximum over all elements or over axis; ties: each tied element gets the whole gradient, as upstream (PyTorch splits it: 0.5 each for two)"},
    {"min", "x, axis=nil, keepdims=false", builtin_min, "shape", "minimum over all elements or over axis; ties: each tied element gets the whole gradient, as upstream (PyTorch splits it: 0.5 each for two)"},
    {"reshape", "x, *shape", builtin_reshape, "shape", "the same numbers in a new shape (one -1 allowed): reshape(x, [3, 2]) or x.reshape(3, 2)"},
    {"transpose", "x, *axes", builtin_transpose, "shape", "axes permuted: transpose(x, [1, 0]) or x.transpose(1, 0); no axes reverses them (x.T)"},
    {"broadcast_to", "x, *shape", builtin_broadcast_to, "shape", "x repeated to shape, NumPy rules"},
    {"sum_to", "x, *shape", builtin_sum_to, "shape", "x summed down to shape (broadcast_to's gradient)"},
    {"squeeze", "x, axis=nil", builtin_squeeze, "shape", "drop a length-1 axis (all of them without axis); an axis whose size is not 1 is left as it is, as in PyTorch"},
    {"unsqueeze", "x, axis", builtin_unsqueeze, "shape", "insert a length-1 axis"},
    {"concat", "xs, axis=0", builtin_concat, "shape",
     "join a list of variables along axis (a tensor xs: its rows, as NumPy does)"},
    {"split", "x, sizes, axis=0", builtin_split, "shape", "pieces along axis: a list gives their sizes, a number n pieces of n (the last shorter), as PyTorch's split"},
    {"get_item", "x, indices, axis=0", builtin_get_item, "shape", "take indices along axis: one integer drops the axis (x[0]), a list keeps it (x[[0, 2]])\n"
     "  A slice, ... or none, or a tuple holding one, indexes several axes as x[...] does:\n"
     "  get_item(x, (0, slice(0, 2))) is x[0, 0:2], get_item(x, (..., 2)) is x[..., 2]."},
    {"slice", "start=nil, stop=nil, step=nil", builtin_slice, "shape", "a slice as a value, Python's slice(start, stop, step): x[slice(1, 3)] is x[1:3]; slice(3) stops at 3", .function_only = true},
    {"matmul", "a, b", builtin_matmul, "shape", "matrix product a @ b (batched over leading axes)"},
    /* neural net */
    {"linear", "x, W, b=nil", builtin_linear, "nn", "x @ W + b"},
    {"softmax", "x, axis=-1", builtin_softmax, "nn", "exp(x) / sum(exp(x)) along axis"},
    {"variable", "data, name=nil", builtin_variable, "attributes",
     "a new leaf with a copy of data's numbers, as DeZero's Variable: variable([1, 2], name=\"x\")"},
    {"mse", "y, t", builtin_mse, "nn", "mean squared error, 0-d"},
    {"mean_squared_error", "y, t", builtin_mse, "nn", "the same as mse (DeZero's name)"},
    {"cross_entropy", "logits, labels, reduction=\"mean\", label_smoothing=0, weight=nil, ignore_index=-100",
     builtin_cross_entropy, "nn",
     "softmax cross-entropy, mean over rows, 0-d; logits (N, C), (C) or (N, C, d...); labels are class indices "
     "(ignore_index, -100 by default, ignores a row: the mean is over the others) or probabilities shaped like "
     "logits; reduction \"mean\", \"sum\" or \"none\"; label_smoothing and weight (one per class) as PyTorch"},
    {"softmax_cross_entropy", "logits, labels, reduction=\"mean\", label_smoothing=0, weight=nil, ignore_index=-100",
     builtin_cross_entropy, "nn",
     "the same as cross_entropy"},
    {"dropout", "x, ratio=0.5", builtin_dropout, "nn", "zero a random fraction, scale the rest (off in testmode)"},
    {"accuracy", "y, t", builtin_accuracy, "nn", "fraction of rows whose argmax is the label, rows labelled -100 left out; NaN for no rows (no graph)"},
    /* attributes */
    {"data", "x", builtin_data, "attributes", "a detached copy of x's numbers (x.data)"},
    {"shape", "x", builtin_shape, "attributes", "the shape as a list (x.shape)"},
    {"name", "x", builtin_name, "attributes", "the label (x.name)"},
    {"creator", "x", builtin_creator, "attributes", "the op that made x, or <nil> for a leaf (x.creator)"},
    {"generation", "x", builtin_generation, "attributes", "how deep in the graph x is (x.generation)"},
    {"inputs", "x", builtin_inputs, "attributes", "the inputs of the op that made x (x.inputs)"},
    {"ndim", "x", builtin_ndim, "attributes", "the number of axes (x.ndim)"},
    {"size", "x", builtin_size, "attributes", "the number of elements (x.size)"},
    {"item", "x", builtin_item, "attributes", "a one-element variable as a plain number"},
    /* autograd */
    {"backward", "y, retain_grad=false, create_graph=false, step=false", builtin_backward, "autograd",
     "fill .grad of everything y depends on; step=true (or seconds per step) shows each function\n"
     "  Step-through: y.backward(step=true) runs one function per Enter, highest generation first.\n"
     "  Each step prints the function, then the chain rule with this graph's numbers for each of\n"
     "  its inputs (e.grad = d.grad × ∂d/∂e = -2 × 1 = -2); a variable used twice gets the sum of\n"
     "  its contributions.  The graph window (show(y) first) or tree(y) marks the function in\n"
     "  progress and the edges that carry gradient, and fills the gradients as they arrive.\n"
     "  q then Enter runs to the end; step=0.5 plays a step every 0.5 s; in a script the same\n"
     "  lines print without waiting.  Nodes then show grad⁺ (:help grad⁺)."},
    {"cleargrad", "*xs", builtin_cleargrad, "autograd",
     "forget the gradients of xs (without it the next backward adds to them; graphs mark such sums ⚠)"},
    {"unchain", "y", builtin_unchain, "autograd", "cut y from the op that made it"},
    {"unchain_backward", "y", builtin_unchain_backward, "autograd", "cut every op below y (y keeps its own)"},
    {"grad", "y, x=nil, create_graph=false", builtin_grad, "autograd",
     "dy/dx as a new variable, without touching .grad (grad(y) is y.grad); grad(y, [a, b]) gives "
     "the list [dy/da, dy/db]; to take grad of it again, make it with create_graph=true"},
    {"numgrad", "f, *xs", builtin_numgrad, "autograd",
     "central-difference gradient of sum(f(xs)), h = 1e-4 (a list for several inputs)",
     .function_only = true},
    {"gradcheck", "f, *xs, atol=1e-6, rtol=1e-4, show=false", builtin_gradcheck, "autograd",
     "backward against central differences, element by element; prints mismatches", .function_only = true},
    /* output and utilities */
    {"print", "*xs", builtin_print, "output",
     "the values on one line, separated by spaces (matrices too, in the one-line form)",
     .function_only = true},
    {"set_printoptions", "threshold=nil, edgeitems=nil", builtin_set_printoptions, "output",
     "tensors of more than threshold elements (1000) print their first and last edgeitems (3)\n"
     "  per axis, as NumPy's and PyTorch's: set_printoptions(threshold=\"full\") prints whole\n"
     "  tensors (also :print full); what is left out keeps its value", .function_only = true},
    {"range", "start, stop=nil, step=1", builtin_range, "output",
     "integers from start below stop (range(n) is 0..n-1), plain numbers; lazy in a for loop",
     .sequence = range_sequence, .function_only = true},
    {"len", "x", builtin_len, "output", "length of a list or string, or of a variable's first axis"},
    {0},
};
