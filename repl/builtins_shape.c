/* builtins_shape.c — reductions (sum, mean, max, ...) and the built-ins
 * that reshape, join, split and index variables, and matmul. */
#include <stdlib.h>

#include "repl_internal.h"

#define MAX_INDICES 1000000

typedef ag_var *(*reduce_fn)(ag_ctx *, ag_var *, const int *, int);

static int reduce(repl *r, const builtin_args *a, repl_value *out, reduce_fn fn) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    bool keepdims = false;
    if (arg_given(a, 1) && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) return -1;
    if (arg_bool(r, a, 2, &keepdims) < 0) return -1;
    ag_var *y = fn(r->ctx, x, naxes ? axes : NULL, naxes);
    return builtin_done_var(r, keepdims ? ag_keepdims(r->ctx, y, x, axes, naxes) : y, out);
}

static int builtin_sum(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_is_sequence_of_values(a->values[0])) return repl_sum_items(r, a, out); /* builtins_loop.c */
    return reduce(r, a, out, ag_sum);
}
static int builtin_mean(repl *r, const builtin_args *a, repl_value *out) {
    repl_value x = a->values[0]; /* mean([]) stays the empty tensor's NaN, as NumPy's and PyTorch's */
    if (repl_is_sequence_of_values(x) && !(x.kind == VALUE_LIST && x.as.list->count == 0))
        return repl_mean_items(r, a, out); /* builtins_loop.c */
    return reduce(r, a, out, ag_mean);
}
static int builtin_variance(repl *r, const builtin_args *a, repl_value *out) {
    return reduce(r, a, out, ag_variance);
}
static int builtin_max(repl *r, const builtin_args *a, repl_value *out) { return reduce(r, a, out, ag_max); }
static int builtin_min(repl *r, const builtin_args *a, repl_value *out) { return reduce(r, a, out, ag_min); }

typedef ag_var *(*shape_fn)(ag_ctx *, ag_var *, int, const int *);

static int reshape_like(repl *r, const builtin_args *a, repl_value *out, shape_fn fn) {
    ag_var *x;
    int shape[AG_MAX_DIMS], ndim;
    if (arg_var(r, a, 0, &x) < 0 || arg_dims(r, a, 1, shape, &ndim) < 0) return -1;
    return builtin_done_var(r, fn(r->ctx, x, ndim, shape), out);
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
    if (!reverse && naxes == 2) { /* PyTorch's transpose(dim0, dim1): those two swapped */
        int ndim = ag_ndim(x), order[AG_MAX_DIMS];
        for (int i = 0; i < 2; i++) {
            int d = axes[i] < 0 ? axes[i] + ndim : axes[i];
            char shape[AG_SHAPEBUF];
            if (d < 0 || d >= ndim)
                return repl_error(r, "transpose: axis %d is out of range for x of shape %s (%d axes)", axes[i],
                                  ag_shape_string(ndim, ag_shape(x), shape), ndim);
            axes[i] = d;
        }
        for (int i = 0; i < ndim; i++) order[i] = i;
        order[axes[0]] = axes[1];
        order[axes[1]] = axes[0];
        return builtin_done_var(r, ag_transpose(r->ctx, x, order, ndim), out);
    }
    return builtin_done_var(r, ag_transpose(r->ctx, x, reverse ? NULL : axes, naxes), out);
}

static int builtin_squeeze(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (arg_given(a, 1)) { /* one axis, or a list of them (NumPy's, PyTorch 2's tuple) */
        int axes[AG_MAX_DIMS], naxes, ndim = ag_ndim(x);
        if (arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) return -1;
        if (naxes == 1) return builtin_done_var(r, ag_squeeze(r->ctx, x, axes[0]), out);
        bool seen[AG_MAX_DIMS] = {false};
        for (int i = 0; i < naxes; i++) {
            int d = axes[i] < 0 ? axes[i] + ndim : axes[i];
            if (d < 0 || d >= ndim)
                return repl_error(r, "squeeze: axis %d out of range for %d axes", axes[i], ndim);
            if (seen[d]) return repl_error(r, "squeeze: axis %d names axis %d a second time", axes[i], d);
            seen[d] = true;
        }
        for (int d = ndim - 1; d >= 0 && x != NULL; d--) /* last first: the others keep their place */
            if (seen[d]) x = ag_squeeze(r->ctx, x, d);
        return builtin_done_var(r, x, out);
    }
    /* no axis: drop every dimension of length 1, last first */
    for (int d = ag_ndim(x) - 1; d >= 0 && x != NULL; d--)
        if (ag_shape(x)[d] == 1) x = ag_squeeze(r->ctx, x, d);
    return builtin_done_var(r, x, out);
}

static int builtin_unsqueeze(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return builtin_done_var(r, ag_unsqueeze(r->ctx, x, axis), out);
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
    int rc = builtin_done_var(r, ag_concat(r->ctx, xs, n, axis), out);
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

int repl_split_list(repl *r, ag_var *x, const int *sizes, int n, int axis, repl_value *out) {
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
    return rc;
}

static int builtin_split(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int *sizes = NULL, n = 0, axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 2, &axis) < 0) return -1;
    repl_value spec = a->values[1];
    bool piece_size = spec.kind == VALUE_NUMBER || (spec.kind == VALUE_VAR && ag_ndim(spec.as.var) == 0);
    if (piece_size ? split_pieces(r, a, x, axis, &sizes, &n) < 0 : arg_int_array(r, a, 1, &sizes, &n) < 0)
        return -1;
    int rc = repl_split_list(r, x, sizes, n, axis, out);
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
        return repl_get_item_tuple(r, x, a->values[1], &y) < 0 ? -1 : builtin_done_var(r, y, out);
    }
    if (arg_int_array(r, a, 1, &indices, &n) < 0) return -1;
    /* one integer drops the axis, as x[i] and DeZero's get_item; a list keeps it */
    repl_value key = a->values[1];
    bool drop = key.kind == VALUE_NUMBER || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 0);
    ag_var *y = ag_get_item(r->ctx, x, axis, indices, n);
    if (drop && y != NULL) y = ag_squeeze(r->ctx, y, axis);
    int rc = builtin_done_var(r, y, out);
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
    return builtin_done_var(r, ag_matmul(r->ctx, x, w), out);
}

const builtin_def builtins_shape[] = {
    {"sum", "x, axis=nil, keepdims=false", builtin_sum, "shape", "sum over all elements, or over axis (a number or a list)"},
    {"mean", "x, axis=nil, keepdims=false", builtin_mean, "shape",
     "mean over all elements or over axis; mean(lst) of a list of variables is sum(lst) / len(lst)"},
    {"variance", "x, axis=nil, keepdims=false", builtin_variance, "shape", "population variance over all or over axis"},
    {"max", "x, axis=nil, keepdims=false", builtin_max, "shape", "maximum over all elements or over axis; ties: each tied element gets the whole gradient, as upstream (PyTorch splits it: 0.5 each for two)"},
    {"min", "x, axis=nil, keepdims=false", builtin_min, "shape", "minimum over all elements or over axis; ties: each tied element gets the whole gradient, as upstream (PyTorch splits it: 0.5 each for two)"},
    {"reshape", "x, *shape", builtin_reshape, "shape", "the same numbers in a new shape (one -1 allowed): reshape(x, [3, 2]) or x.reshape(3, 2)"},
    {"transpose", "x, *axes", builtin_transpose, "shape", "two axes swapped, as PyTorch's x.transpose(0, 1) or x.transpose(-2, -1); the new order of every axis\n"
     "  of three or more, as NumPy's (PyTorch's permute): x.transpose(2, 0, 1) or transpose(x, [2, 0, 1]);\n"
     "  no axes reverses them (x.T)"},
    {"broadcast_to", "x, *shape", builtin_broadcast_to, "shape", "x repeated to shape, NumPy rules"},
    {"sum_to", "x, *shape", builtin_sum_to, "shape", "x summed down to shape (broadcast_to's gradient)"},
    {"squeeze", "x, axis=nil", builtin_squeeze, "shape", "drop a length-1 axis, or each of a list of axes (all of them without axis); an axis whose size is not 1 is left as it is, as in PyTorch"},
    {"unsqueeze", "x, axis", builtin_unsqueeze, "shape", "insert a length-1 axis"},
    {"concat", "xs, axis=0", builtin_concat, "shape",
     "join a list of variables along axis (a tensor xs: its rows, as NumPy does)"},
    {"split", "x, sizes, axis=0", builtin_split, "shape", "pieces along axis: a list gives their sizes, a number n pieces of n (the last shorter), as PyTorch's split"},
    {"get_item", "x, indices, axis=0", builtin_get_item, "shape", "take indices along axis: one integer drops the axis (x[0]), a list keeps it (x[[0, 2]])\n"
     "  A slice, ... or none, or a tuple holding one, indexes several axes as x[...] does:\n"
     "  get_item(x, (0, slice(0, 2))) is x[0, 0:2], get_item(x, (..., 2)) is x[..., 2]."},
    {"slice", "start=nil, stop=nil, step=nil", builtin_slice, "shape", "a slice as a value, Python's slice(start, stop, step): x[slice(1, 3)] is x[1:3]; slice(3) stops at 3", .function_only = true},
    {"matmul", "a, b", builtin_matmul, "shape", "matrix product a @ b (batched over leading axes)"},
    {0},
};
