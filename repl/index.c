/* index.c — index access: x[i, [0, 2]], x[a:b:c], masks and tensors of
 * indices (PyTorch's advanced indexing), slice(...) and ... as values,
 * list[i], and x[i] = e, lst[i] = e (repl_internal.h, "index.c"). */
#include "repl_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- indexing ----------------------------------------------------------------------------- */

static int index_list(repl *r, const ast_node *at, const value_list *list, repl_value key, repl_value *out) {
    double number;
    char buf[96];
    if (!eval_scalar_of(key, &number) || number != floor(number))
        return repl_error_at(r, at, "a list index must be an integer, not %s", eval_describe_kind(key, buf, sizeof buf));
    double i = number < 0 ? number + list->count : number;
    if (i < 0 || i >= list->count)
        return repl_error_at(r, at, "index %.0f out of range for a list of %d", number, list->count);
    *out = value_copy(list->items[(int)i]);
    return 0;
}

/* An index along the original's axis `axis` (of length dim): an integer,
 * negative counting from the end. */
static int index_integer(repl *r, const ast_node *at, double number, int axis, int dim, int *out) {
    char text[AG_NUMBUF];
    if (number != floor(number)) /* NaN too */
        return repl_error_at(r, at, "index: an index must be an integer, not %s",
                          ag_format_display(number, 0, text));
    if (number < -dim || number >= dim)
        return repl_error_at(r, at, "index: index %.0f out of range for axis %d with size %d", number, axis,
                          dim);
    *out = (int)number;
    return 0;
}

/* The integers of a list index (a list of numbers, or a 1-D variable) for
 * the original's axis `axis`; *out malloc'd. */
static int index_list_ints(repl *r, const ast_node *at, repl_value key, int axis, int dim, int **out, int *count) {
    int length = key.kind == VALUE_LIST ? key.as.list->count : (int)ag_size(key.as.var);
    int *list = malloc((size_t)(length > 0 ? length : 1) * sizeof *list);
    if (list == NULL) return repl_error_at(r, at, "out of memory");
    char buf[96];
    for (int k = 0; k < length; k++) {
        double number;
        if (key.kind == VALUE_VAR) {
            number = ag_cdata(key.as.var)[k];
        } else if (!eval_scalar_of(key.as.list->items[k], &number)) {
            free(list);
            return repl_error_at(r, at, "index: a list of indices must hold integers, not %s",
                              eval_describe_kind(key.as.list->items[k], buf, sizeof buf));
        }
        if (index_integer(r, at, number, axis, dim, &list[k]) < 0) {
            free(list);
            return -1;
        }
    }
    *out = list;
    *count = length;
    return 0;
}

/* ---- slices: x[a:b:c] along one axis, as Python and PyTorch ---------------------------------
 * A slice's parts, evaluated: has[k] is false for a part left out. */
typedef struct slice_parts {
    bool has[3];
    double part[3]; /* start, stop, step */
} slice_parts;

static int eval_slice(repl *r, const ast_node *n, slice_parts *out) {
    const ast_node *parts[3] = {n->as.slice.start, n->as.slice.stop, n->as.slice.step};
    static const char *const names[3] = {"start", "stop", "step"};
    char buf[96];
    for (int k = 0; k < 3; k++) {
        out->has[k] = parts[k] != NULL;
        if (!parts[k]) continue;
        repl_value v;
        if (eval_expr(r, parts[k], &v) < 0) return -1;
        bool ok = eval_scalar_of(v, &out->part[k]);
        /* past any axis: as far as an axis can reach (a slice clamps, as in Python) */
        if (ok && fabs(out->part[k]) > 2e9 && out->part[k] == floor(out->part[k]))
            out->part[k] = copysign(2e9, out->part[k]);
        if (!ok || out->part[k] != floor(out->part[k])) {
            char text[AG_NUMBUF];
            int rc = repl_error_at(r, parts[k], "index: a slice's %s must be an integer, not %s",
                                   names[k],
                                   ok ? ag_format_display(out->part[k], 0, text)
                                      : eval_describe_kind(v, buf, sizeof buf));
            value_release(v);
            return rc;
        }
        value_release(v);
    }
    if (out->has[2] && out->part[2] == 0)
        return repl_error_at(r, n, "index: a slice's step cannot be 0");
    return 0;
}

/* The positions a slice picks from an axis of length dim, Python's rules
 * (negative parts count from the end, out-of-range parts are clamped, a
 * negative step walks backwards); *out malloc'd, *count may be 0. */
static int slice_positions(repl *r, const ast_node *at, const slice_parts *s, int dim, int **out,
                           int *count) {
    long step = s->has[2] ? (long)s->part[2] : 1;
    long start, stop;
    long low = step > 0 ? 0 : -1, high = step > 0 ? dim : dim - 1;
    if (!s->has[0]) {
        start = step > 0 ? 0 : dim - 1;
    } else {
        start = (long)s->part[0] + (s->part[0] < 0 ? dim : 0);
        start = start < low ? low : start > high ? high : start;
    }
    if (!s->has[1]) {
        stop = step > 0 ? dim : -1;
    } else {
        stop = (long)s->part[1] + (s->part[1] < 0 ? dim : 0);
        stop = stop < low ? low : stop > high ? high : stop;
    }
    int *list = malloc((size_t)(dim > 0 ? dim : 1) * sizeof *list);
    if (list == NULL) return repl_error_at(r, at, "out of memory");
    int n = 0;
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) list[n++] = (int)i;
    *out = list;
    *count = n;
    return 0;
}

/* ---- slice(...) and ... as values: get_item(x, (0, slice(0, 2))), get_item(x, (..., 2)) ---- */

static char *describe_slice(const void *payload) {
    const slice_parts *s = payload;
    char parts[3][AG_NUMBUF];
    for (int k = 0; k < 3; k++) {
        if (s->has[k]) ag_format_display(s->part[k], 0, parts[k]);
        else snprintf(parts[k], sizeof parts[k], "none");
    }
    char *text = malloc(3 * AG_NUMBUF + 16);
    if (text) sprintf(text, "slice(%s, %s, %s)", parts[0], parts[1], parts[2]);
    return text;
}

static char *describe_ellipsis(const void *payload) {
    (void)payload;
    char *text = malloc(4);
    if (text) memcpy(text, "...", 4);
    return text;
}

const repl_object_type repl_slice_type = {.name = "slice", .destroy = free, .describe = describe_slice,
                                          .used = "it picks a range inside an index: x[1:3], x[::2]"};
const repl_object_type repl_ellipsis_type = {.name = "ellipsis", .describe = describe_ellipsis,
                                             .used = "it stands for the axes an index leaves out: x[..., 0]"};

/* Checks a slice's parts: integers (far past any axis counts as that far,
 * as Python clamps) and a step other than 0.  `what` is the message's
 * start ("index" or "slice"). */
static int check_slice_parts(repl *r, const ast_node *at, const char *what, slice_parts *s) {
    static const char *const names[3] = {"start", "stop", "step"};
    for (int k = 0; k < 3; k++) {
        if (!s->has[k]) continue;
        if (fabs(s->part[k]) > 2e9 && s->part[k] == floor(s->part[k])) s->part[k] = copysign(2e9, s->part[k]);
        if (s->part[k] != floor(s->part[k])) { /* NaN too */
            char text[AG_NUMBUF];
            return repl_error_at(r, at, "%s: a slice's %s must be an integer, not %s", what, names[k],
                                 ag_format_display(s->part[k], 0, text));
        }
    }
    if (s->has[2] && s->part[2] == 0) return repl_error_at(r, at, "%s: a slice's step cannot be 0", what);
    return 0;
}

int repl_slice_value_new(repl *r, const repl_value parts[3], int given, repl_value *out) {
    static const char *const names[3] = {"start", "stop", "step"};
    repl_value use[3] = {parts[0], parts[1], parts[2]};
    if (given == 1) { /* slice(stop), as Python's: one argument is where the slice stops */
        use[1] = parts[0];
        use[0] = (repl_value)VALUE_NIL_INIT;
    }
    slice_parts s = {{false}};
    char buf[96];
    for (int k = 0; k < 3; k++) {
        if (use[k].kind == VALUE_NIL && use[k].as.string == NULL) continue;
        if (!eval_scalar_of(use[k], &s.part[k]))
            return repl_error(r, "slice: %s must be an integer or none, not %s", names[k],
                              eval_describe_kind(use[k], buf, sizeof buf));
        s.has[k] = true;
    }
    if (check_slice_parts(r, NULL, "slice", &s) < 0) return -1;
    slice_parts *payload = malloc(sizeof *payload);
    if (payload == NULL) return repl_error(r, "out of memory");
    *payload = s;
    *out = value_object_new(&repl_slice_type, payload); /* frees payload when it fails */
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

int eval_ellipsis(repl *r, repl_value *out) {
    *out = value_object_new(&repl_ellipsis_type, NULL);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* ---- one index of many: x[k0, k1, ...] and get_item(x, (k0, k1, ...)) -------------------- */

typedef enum index_kind {
    INDEX_KEY,      /* an integer, a list of integers or a 1-D variable */
    INDEX_SLICE,    /* a:b:c or slice(a, b, c) */
    INDEX_ELLIPSIS, /* ...: every axis the others leave */
    INDEX_NEW_AXIS  /* none: a new axis of length 1 */
} index_kind;

typedef struct index_item {
    index_kind kind;
    repl_value key;    /* INDEX_KEY; nil otherwise */
    slice_parts slice; /* INDEX_SLICE */
} index_item;

/* The items of one index may number more than the axes (none adds axes). */
#define MAX_INDEX_ITEMS (2 * AG_MAX_DIMS + 1)

/* Does list hold only true and false? */
static bool bool_list(const value_list *list) {
    for (int i = 0; i < list->count; i++)
        if (list->items[i].kind != VALUE_BOOL) return false;
    return true;
}

/* Sorts the evaluated value v into *item, taking v's reference.  A nil
 * standing for a missing gradient (x[y.grad]) is an error, not a new axis. */
static int classify_index(repl *r, const ast_node *at, repl_value v, index_item *item) {
    *item = (index_item){.kind = INDEX_KEY, .key = VALUE_NIL_INIT};
    if (v.kind == VALUE_NIL) {
        if (v.as.string != NULL) {
            int rc = value_nil_error_at(r, at, "index: ", v);
            value_release(v);
            return rc;
        }
        item->kind = INDEX_NEW_AXIS;
    } else if (v.kind == VALUE_OBJECT && v.as.object->type == &repl_ellipsis_type) {
        item->kind = INDEX_ELLIPSIS;
        value_release(v);
    } else if (v.kind == VALUE_OBJECT && v.as.object->type == &repl_slice_type) {
        item->kind = INDEX_SLICE;
        item->slice = *(const slice_parts *)v.as.object->payload;
        value_release(v);
    } else if (v.kind == VALUE_LIST && v.as.list->count > 0 && bool_list(v.as.list)) {
        /* [true, false, true]: a mask, as PyTorch's bool tensor */
        int n = v.as.list->count;
        bool was = ag_set_grad_enabled(r->ctx, false);
        ag_var *t = ag_zeros(r->ctx, 1, &n), *mask = NULL;
        if (t != NULL) {
            double *data = (double *)ag_cdata(t); /* a new leaf: not an in-place change */
            for (int i = 0; i < n; i++) data[i] = v.as.list->items[i].as.boolean;
            mask = ag_ne(r->ctx, t, ag_scalar(r->ctx, 0.0));
        }
        ag_set_grad_enabled(r->ctx, was);
        value_release(v);
        if (mask == NULL) return engine_error_at(r, at);
        item->key = value_var(mask);
    } else {
        item->key = v;
    }
    return 0;
}

/* Is item a mask: a comparison's 0/1 result (AG_VAR_BOOL, PyTorch's bool
 * tensor), which selects where it is 1 rather than naming positions? */
static bool is_mask(const index_item *item) {
    return item->kind == INDEX_KEY && item->key.kind == VALUE_VAR &&
           (ag_var_flags(item->key.as.var) & AG_VAR_BOOL) != 0;
}

/* Is item one truth value: true/false, or a comparison's result of no axes
 * (x[sum(x) > 1])?  NumPy and PyTorch take it as none followed by a length
 * of 1 (true) or 0 (false) on that new axis: x[true] is x[none], x[false]
 * the same with nothing selected. */
static bool is_truth(const index_item *item) {
    return item->kind == INDEX_KEY &&
           (item->key.kind == VALUE_BOOL || (is_mask(item) && ag_ndim(item->key.as.var) == 0));
}

static bool truth_of(const index_item *item) {
    return item->key.kind == VALUE_BOOL ? item->key.as.boolean : ag_item(item->key.as.var) != 0;
}

/* Is item one integer: a number, or a variable of no axes that is no truth? */
static bool is_integer_index(const index_item *item) {
    return item->kind == INDEX_KEY && !is_mask(item) &&
           (item->key.kind == VALUE_NUMBER || (item->key.kind == VALUE_VAR && ag_ndim(item->key.as.var) == 0));
}

/* Is item a list of indices? */
static bool is_index_list(const index_item *item) {
    repl_value key = item->key;
    return item->kind == INDEX_KEY && !is_mask(item) &&
           (key.kind == VALUE_LIST || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 1));
}

/* x[mask] at x's axis `axis` (the original's `source`), as PyTorch: the
 * mask's k axes must match x's next k; they become one axis holding the
 * elements where the mask is not 0, in row-major order.  A Reshape merging
 * them and one GetItem, so the gradient flows back to the selected places. */
static ag_var *mask_select(repl *r, const ast_node *at, ag_var *x, int axis, int source, ag_var *mask) {
    int k = ag_ndim(mask), ndim = ag_ndim(x);
    const int *shape = ag_shape(x), *mshape = ag_shape(mask);
    char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
    bool fits = axis + k <= ndim;
    for (int d = 0; d < k && fits; d++) fits = mshape[d] == shape[axis + d];
    if (!fits)
        return repl_error_at(r, at, "index: the mask's shape %s does not match x's shape %s at axis %d",
                             ag_shape_string(k, mshape, a), ag_shape_string(ndim, shape, b), source),
               NULL;
    size_t size = ag_size(mask);
    const double *m = ag_cdata(mask);
    int *positions = malloc((size > 0 ? size : 1) * sizeof *positions), count = 0;
    if (positions == NULL) return repl_error_at(r, at, "out of memory"), NULL;
    for (size_t i = 0; i < size; i++)
        if (m[i] != 0) positions[count++] = (int)i;
    int merged[AG_MAX_DIMS], mdim = 0;
    for (int d = 0; d < ndim; d++) {
        if (d > axis && d < axis + k) merged[mdim - 1] *= shape[d];
        else merged[mdim++] = shape[d];
    }
    ag_var *y = ag_get_item(r->ctx, ag_reshape(r->ctx, x, mdim, merged), axis, positions, count);
    free(positions);
    if (y == NULL) engine_error_at(r, at);
    return y;
}

/* x[idx] for a variable idx of 2 or more axes at x's axis `axis`: that axis
 * replaced by idx's shape, each entry the slice at its index (a GetItem of
 * the flat list, then a Reshape). */
static ag_var *index_by_tensor(repl *r, const ast_node *at, ag_var *x, int axis, int source, ag_var *index) {
    int ndim = ag_ndim(x), k = ag_ndim(index);
    if (ndim - 1 + k > AG_MAX_DIMS)
        return repl_error_at(r, at, "index: the result would have %d axes, more than %d", ndim - 1 + k,
                             AG_MAX_DIMS),
               NULL;
    int *list = NULL, length = 0;
    if (index_list_ints(r, at, value_var(index), source, ag_shape(x)[axis], &list, &length) < 0) return NULL;
    int shape[AG_MAX_DIMS], n = 0;
    for (int d = 0; d < ndim; d++) {
        if (d == axis)
            for (int j = 0; j < k; j++) shape[n++] = ag_shape(index)[j];
        else
            shape[n++] = ag_shape(x)[d];
    }
    ag_var *y = ag_reshape(r->ctx, ag_get_item(r->ctx, x, axis, list, length), n, shape);
    free(list);
    if (y == NULL) engine_error_at(r, at);
    return y;
}

/* ---- several index arrays at once: PyTorch's advanced indexing ---------------------------
 * When an index holds two or more arrays (lists, variables of indices,
 * masks), PyTorch and NumPy take them together: their shapes broadcast to
 * one shape B, and the result holds x[.., i1[k], i2[k], ..] for each k in B
 * (a mask of k axes stands for the k arrays of its true places).  Where the
 * arrays' axes are next to each other B replaces them in place; where a
 * slice or none stands between them, B's axes come first.  An integer
 * beside them drops its axis first, as in PyTorch (NumPy broadcasts it with
 * the arrays: x[1, :, [0, 1]] is [3 2] in PyTorch, [2 3] in NumPy). */
typedef struct gather_axis {
    int axis;   /* x's axis, once the index's slices and none have been applied */
    int source; /* the original's axis, for messages */
    int ndim, shape[AG_MAX_DIMS];
    int *at; /* the indices, row-major in shape, each in [0, x's extent) */
} gather_axis;

typedef struct gather_plan {
    gather_axis axes[AG_MAX_DIMS];
    int count;
} gather_plan;

static void gather_plan_free(gather_plan *plan) {
    for (int i = 0; i < plan->count; i++) free(plan->axes[i].at);
    plan->count = 0;
}

/* A new entry of plan for x's axis `axis` (the original's `source`) of
 * length dim, the indices of `size` numbers in `shape`; NULL after an error. */
static gather_axis *gather_add(repl *r, const ast_node *at, gather_plan *plan, int axis, int source, int ndim,
                               const int *shape, size_t size) {
    if (plan->count == AG_MAX_DIMS) return repl_error_at(r, at, "index: too many index arrays"), NULL;
    gather_axis *g = &plan->axes[plan->count];
    *g = (gather_axis){.axis = axis, .source = source, .ndim = ndim};
    memcpy(g->shape, shape, (size_t)ndim * sizeof *shape);
    if ((g->at = malloc((size > 0 ? size : 1) * sizeof *g->at)) == NULL)
        return repl_error_at(r, at, "out of memory"), NULL;
    plan->count++;
    return g;
}

/* Adds item (a list, a variable of indices or a mask) at x's axis `axis`
 * to plan; the number of x's axes it takes, or -1. */
static int gather_item(repl *r, const ast_node *at, gather_plan *plan, ag_var *x, int axis, int source,
                       const index_item *item) {
    repl_value key = item->key;
    const int *xshape = ag_shape(x);
    char buf[96];
    if (is_mask(item)) { /* k arrays: the coordinates of its true places, in row-major order */
        ag_var *mask = key.as.var;
        int k = ag_ndim(mask);
        const int *mshape = ag_shape(mask);
        bool fits = axis + k <= ag_ndim(x);
        for (int d = 0; d < k && fits; d++) fits = mshape[d] == xshape[axis + d];
        if (!fits) {
            char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
            return repl_error_at(r, at, "index: the mask's shape %s does not match x's shape %s at axis %d",
                                 ag_shape_string(k, mshape, a), ag_shape_string(ag_ndim(x), xshape, b), source);
        }
        size_t size = ag_size(mask), count = 0;
        const double *m = ag_cdata(mask);
        for (size_t i = 0; i < size; i++) count += m[i] != 0;
        int length = (int)count;
        for (int d = 0; d < k; d++) {
            gather_axis *g = gather_add(r, at, plan, axis + d, source + d, 1, &length, count);
            if (g == NULL) return -1;
            size_t n = 0;
            for (size_t i = 0; i < size; i++) {
                if (m[i] == 0) continue;
                size_t rest = i;
                for (int e = k - 1; e > d; e--) rest /= (size_t)mshape[e];
                g->at[n++] = (int)(rest % (size_t)mshape[d]);
            }
        }
        return k;
    }
    int ndim = 0, shape[AG_MAX_DIMS];
    size_t size = 1;
    if (key.kind == VALUE_LIST) {
        shape[ndim++] = key.as.list->count;
        size = (size_t)key.as.list->count;
    } else if (key.kind == VALUE_VAR) {
        ndim = ag_ndim(key.as.var);
        memcpy(shape, ag_shape(key.as.var), (size_t)ndim * sizeof *shape);
        size = ag_size(key.as.var);
    } else {
        return repl_error_at(r, at, "index: an index must be an integer, a slice, a list of integers, "
                                    "... or none, not %s",
                             eval_describe_kind(key, buf, sizeof buf));
    }
    gather_axis *g = gather_add(r, at, plan, axis, source, ndim, shape, size);
    if (g == NULL) return -1;
    int dim = xshape[axis];
    for (size_t k = 0; k < size; k++) {
        double number;
        if (key.kind == VALUE_VAR) number = ag_cdata(key.as.var)[k];
        else if (!eval_scalar_of(key.as.list->items[k], &number))
            return repl_error_at(r, at, "index: a list of indices must hold integers, not %s",
                                 eval_describe_kind(key.as.list->items[k], buf, sizeof buf));
        int i;
        if (index_integer(r, at, number, source, dim, &i) < 0) return -1;
        g->at[k] = i < 0 ? i + dim : i;
    }
    return 1;
}

/* x gathered by plan: B's shape from the arrays', the axes they index merged
 * (moved first when the arrays stand apart) and taken by one GetItem, then
 * reshaped into B.  Transpose, Reshape and GetItem: differentiable. */
static ag_var *gather_apply(repl *r, const ast_node *at, ag_var *x, const gather_plan *plan) {
    int bdim = 0, bshape[AG_MAX_DIMS];
    for (int j = 0; j < plan->count; j++) { /* NumPy's broadcast, from the last axis */
        const gather_axis *g = &plan->axes[j];
        if (g->ndim > bdim) {
            memmove(bshape + (g->ndim - bdim), bshape, (size_t)bdim * sizeof *bshape);
            for (int d = 0; d < g->ndim - bdim; d++) bshape[d] = 1;
            bdim = g->ndim;
        }
        for (int d = 0; d < g->ndim; d++) {
            int *b = &bshape[bdim - g->ndim + d], e = g->shape[d];
            if (*b == 1) *b = e;
            else if (e != 1 && e != *b) {
                char text[4 * AG_SHAPEBUF] = "", one[AG_SHAPEBUF];
                for (int k = 0; k < plan->count; k++) {
                    if (k > 0) strcat(text, " ");
                    strcat(text, ag_shape_string(plan->axes[k].ndim, plan->axes[k].shape, one));
                }
                return repl_error_at(r, at, "index: the index arrays' shapes %s do not broadcast together",
                                     text),
                       NULL;
            }
        }
    }
    int ndim = ag_ndim(x), first = plan->axes[0].axis, m = plan->count;
    bool apart = false; /* a slice or none between two of the arrays' axes */
    for (int j = 1; j < m; j++) apart = apart || plan->axes[j].axis != plan->axes[j - 1].axis + 1;
    const int *xshape = ag_shape(x);
    if (ndim - m + bdim > AG_MAX_DIMS)
        return repl_error_at(r, at, "index: the result would have %d axes, more than %d", ndim - m + bdim,
                             AG_MAX_DIMS),
               NULL;
    size_t n = 1;
    for (int d = 0; d < bdim; d++) n *= (size_t)bshape[d];
    if (n > INT_MAX)
        return repl_error_at(r, at, "index: the index arrays select more than %d places", INT_MAX), NULL;
    int *flat = malloc((n > 0 ? n : 1) * sizeof *flat);
    if (flat == NULL) return repl_error_at(r, at, "out of memory"), NULL;
    for (size_t k = 0; k < n; k++) { /* the place in the merged axes of B's k-th element */
        long long place = 0;
        for (int j = 0; j < m; j++) {
            const gather_axis *g = &plan->axes[j];
            size_t rest = k, own = 0, stride = 1;
            for (int d = bdim - 1, e = g->ndim - 1; d >= 0; d--, e--) {
                size_t c = rest % (size_t)bshape[d];
                rest /= (size_t)bshape[d];
                if (e >= 0 && g->shape[e] != 1) own += c * stride;
                if (e >= 0) stride *= (size_t)g->shape[e];
            }
            place = place * xshape[g->axis] + g->at[own];
        }
        flat[k] = (int)place;
    }
    /* the arrays' axes first when they stand apart; then merged into one */
    int perm[AG_MAX_DIMS], merged[AG_MAX_DIMS], mdim = 0, at_axis = apart ? 0 : first;
    bool moved = false;
    for (int j = 0; j < m; j++) perm[j] = plan->axes[j].axis;
    for (int d = 0, k = m; d < ndim; d++) {
        bool indexed = false;
        for (int j = 0; j < m; j++) indexed = indexed || plan->axes[j].axis == d;
        if (!indexed) perm[k++] = d;
    }
    for (int d = 0; d < ndim; d++) moved = moved || perm[d] != d;
    ag_var *y = x;
    if (apart && moved) y = ag_transpose(r->ctx, y, perm, ndim);
    const int *order = apart ? perm : NULL;
    int product = 1, lo = apart ? 0 : first; /* the indexed axes are lo .. lo + m - 1 */
    for (int d = 0; d < ndim; d++) {
        int e = xshape[order ? order[d] : d];
        if (d < lo || d >= lo + m) {
            merged[mdim++] = e;
            continue;
        }
        product *= e;
        if (d == lo + m - 1) merged[mdim++] = product;
    }
    y = ag_get_item(r->ctx, ag_reshape(r->ctx, y, mdim, merged), at_axis, flat, (int)n);
    free(flat);
    if (y != NULL) { /* B's axes where the merged one was */
        int shape[AG_MAX_DIMS], sdim = 0;
        for (int d = 0; d < mdim; d++) {
            if (d == at_axis)
                for (int b = 0; b < bdim; b++) shape[sdim++] = bshape[b];
            else
                shape[sdim++] = ag_shape(y)[d];
        }
        y = ag_reshape(r->ctx, y, sdim, shape);
    }
    if (y == NULL) engine_error_at(r, at);
    return y;
}

/* x[items...] as NumPy and PyTorch index: an integer drops its axis, a slice
 * or a list keeps it, `...` stands for the axes no other item takes, none
 * inserts an axis of length 1 where it stands.  Every step is a GetItem,
 * Squeeze, Reshape or Unsqueeze, so the result is differentiable.  *out is
 * x itself when nothing changes (x[...], x[:]). */
static int index_variable(repl *r, const ast_node *n, ag_var *x, const index_item *items, int count,
                          ag_var **out) {
    ag_var *original = x;
    int ndim = ag_ndim(x), taken = 0, ellipses = 0;
    char buf[96];
    int truths = 0, arrays = 0;
    for (int i = 0; i < count; i++) {
        if (items[i].kind == INDEX_ELLIPSIS) ellipses++;
        else if (is_truth(&items[i])) truths++; /* takes no axis */
        else if (is_mask(&items[i])) taken += ag_ndim(items[i].key.as.var), arrays++;
        else if (items[i].kind == INDEX_KEY) taken++, arrays += !is_integer_index(&items[i]);
        else if (items[i].kind != INDEX_NEW_AXIS) taken++;
    }
    /* two arrays or more: taken together (gather_apply); an integer beside
     * them drops its axis first, as in PyTorch */
    bool together = arrays > 1;
    gather_plan plan = {.count = 0};
    if (ellipses > 1) return repl_error_at(r, n, "index: an index can only have one ellipsis (...)");
    /* Beside other such indices NumPy broadcasts them together and may move
     * their axis first; only the plain case is taken. */
    if (truths > 0 && (truths > 1 || arrays > 0))
        return repl_error_at(r, n, "index: a true/false index (x[sum(x) > 1]) goes with integers, slices, "
                                   "... and none only, not with %s",
                             truths > 1 ? "another true/false" : "a list or a mask");
    if (taken > ndim) {
        char shape[AG_SHAPEBUF];
        return repl_error_at(r, n, "index: too many indices (%d) for a variable of shape %s", taken,
                             ag_shape_string(ndim, ag_shape(original), shape));
    }
    int rc = 0;
    int axis = 0;   /* x's axis that items[i] applies to */
    int source = 0; /* the original's axis it applies to, for messages */
    for (int i = 0; i < count && rc == 0; i++) {
        const index_item *item = &items[i];
        repl_value key = item->key;
        if (together && item->kind == INDEX_KEY && !is_integer_index(item) && !is_truth(item)) {
            int k = gather_item(r, n, &plan, x, axis, source, item);
            if (k < 0) rc = -1;
            axis += k;
            source += k;
        } else if (item->kind == INDEX_NEW_AXIS || is_truth(item)) {
            x = ag_unsqueeze(r->ctx, x, axis);
            int none = 0;
            if (x != NULL && item->kind != INDEX_NEW_AXIS && !truth_of(item))
                x = ag_get_item(r->ctx, x, axis, &none, 0);
            if (x == NULL) rc = engine_error_at(r, n);
            axis++;
        } else if (item->kind == INDEX_ELLIPSIS) {
            axis += ndim - taken;
            source += ndim - taken;
        } else if (item->kind == INDEX_SLICE) {
            int *list = NULL, length = 0, dim = ag_shape(x)[axis];
            rc = slice_positions(r, n, &item->slice, dim, &list, &length);
            /* an empty slice gives an empty axis, as in PyTorch (x[1:1] of a [10 10] is [0 10]) */
            if (rc == 0 && !(length == dim && (dim == 0 || (list[0] == 0 && list[dim - 1] == dim - 1)))) {
                x = ag_get_item(r->ctx, x, axis, list, length);
                if (x == NULL) rc = engine_error_at(r, n);
            }
            axis++;
            source++;
            free(list);
        } else if (is_mask(item)) {
            int k = ag_ndim(key.as.var);
            x = mask_select(r, n, x, axis, source, key.as.var);
            if (x == NULL) rc = -1;
            axis++;
            source += k;
        } else if (key.kind == VALUE_NUMBER || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 0)) {
            int index;
            rc = index_integer(r, n, key.kind == VALUE_NUMBER ? key.as.number : ag_item(key.as.var), source,
                               ag_shape(x)[axis], &index);
            if (rc == 0) {
                x = ag_squeeze(r->ctx, ag_get_item(r->ctx, x, axis, &index, 1), axis);
                if (x == NULL) rc = engine_error_at(r, n);
            }
            source++;
        } else if (is_index_list(item)) {
            int *list = NULL, length = 0;
            rc = index_list_ints(r, n, key, source, ag_shape(x)[axis], &list, &length);
            if (rc == 0) {
                x = ag_get_item(r->ctx, x, axis, list, length);
                if (x == NULL) rc = engine_error_at(r, n);
                axis++;
                source++;
            }
            free(list);
        } else if (key.kind == VALUE_VAR) { /* indices of 2 or more axes */
            int k = ag_ndim(key.as.var);
            x = index_by_tensor(r, n, x, axis, source, key.as.var);
            if (x == NULL) rc = -1;
            axis += k;
            source++;
        } else {
            rc = repl_error_at(r, n, "index: an index must be an integer, a slice, a list of integers, "
                               "... or none, not %s",
                               eval_describe_kind(key, buf, sizeof buf));
        }
    }
    if (rc == 0 && together && (x = gather_apply(r, n, x, &plan)) == NULL) rc = -1;
    gather_plan_free(&plan);
    if (rc == 0) *out = x;
    return rc;
}

static void release_items(index_item *items, int count) {
    for (int i = 0; i < count; i++) value_release(items[i].key);
}

/* Evaluates the indices of the AST_INDEX n into items (*count of them);
 * *special when one is a slice, ... or none.  -1 after an error. */
static int eval_index_items(repl *r, const ast_node *n, index_item *items, int *count, bool *special) {
    const ast_list *indices = &n->as.index.indices;
    *count = indices->count;
    *special = false;
    if (*count > MAX_INDEX_ITEMS) return repl_error_at(r, n, "too many indices (%d)", *count);
    for (int i = 0; i < *count; i++) {
        const ast_node *item = indices->items[i];
        int rc = 0;
        if (item->kind == AST_SLICE) {
            items[i] = (index_item){.kind = INDEX_SLICE, .key = VALUE_NIL_INIT};
            rc = eval_slice(r, item, &items[i].slice);
        } else {
            repl_value v;
            rc = eval_operand(r, item, LITERAL_NUMBER, &v);
            if (rc == 0) rc = classify_index(r, item, v, &items[i]);
            else items[i] = (index_item){.kind = INDEX_KEY, .key = VALUE_NIL_INIT};
        }
        if (rc < 0) {
            release_items(items, i);
            return -1;
        }
        *special = *special || items[i].kind != INDEX_KEY;
    }
    return 0;
}

/* lst[a:b:c]: a new list of the same items, Python's (the items shared,
 * not copied into a tensor, so a list of variables keeps its variables). */
static int slice_list(repl *r, const ast_node *at, const value_list *list, const slice_parts *s, repl_value *out) {
    int *positions, count;
    if (slice_positions(r, at, s, list->count, &positions, &count) < 0) return -1;
    repl_value result = value_list_new(count);
    if (result.kind != VALUE_LIST) {
        free(positions);
        return repl_error_at(r, at, "out of memory");
    }
    for (int i = 0; i < count; i++) result.as.list->items[i] = value_copy(list->items[positions[i]]);
    free(positions);
    *out = result;
    return 0;
}

int eval_index(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval_expr(r, n->as.index.object, &object) < 0) return -1;
    index_item items[MAX_INDEX_ITEMS];
    int count;
    bool special;
    char buf[96];
    if (eval_index_items(r, n, items, &count, &special) < 0) {
        value_release(object);
        return -1;
    }
    int rc = 0;
    if (object.kind == VALUE_LIST && count == 1 && items[0].kind == INDEX_SLICE) {
        rc = slice_list(r, n, object.as.list, &items[0].slice, out);
    } else if (special && object.kind != VALUE_VAR &&
               !(object.kind == VALUE_LIST && value_is_tensor_literal(object))) {
        rc = object.kind == VALUE_LIST
                 ? repl_error_at(r, n, "index: a list takes one index or one slice (lst[i], lst[a:b]); "
                                       "a slice beside another index, ... or none indexes a variable or "
                                       "tensor, not a list")
                 : repl_error_at(r, n, "index: a slice (a:b), ... or none indexes a variable or tensor, not %s",
                                 eval_describe_kind(object, buf, sizeof buf));
    } else if (object.kind == VALUE_LIST &&
               !(value_is_tensor_literal(object) && (count > 1 || special))) {
        repl_value item = value_copy(object);
        for (int i = 0; i < count && rc == 0; i++) {
            repl_value next = VALUE_NIL_INIT;
            if (item.kind != VALUE_LIST) rc = repl_error_at(r, n, "too many indices for a list");
            else rc = index_list(r, n, item.as.list, items[i].key, &next);
            value_release(item);
            item = next;
        }
        if (rc == 0) *out = item;
        else value_release(item);
    } else if (object.kind == VALUE_OBJECT && object.as.object->type && object.as.object->type->index) {
        if (count != 1) rc = repl_error_at(r, n, "%s takes one index", value_kind_name(object));
        else {
            const ast_node *caller = r->eval.call; /* the hook reports at n */
            r->eval.call = n;
            rc = object.as.object->type->index(r, object.as.object->payload, items[0].key, out);
            r->eval.call = caller;
        }
    } else if (object.kind == VALUE_VAR || object.kind == VALUE_LIST) {
        ag_var *x;
        rc = eval_operand_var(r, n, object, "index", &x);
        if (rc == 0) rc = index_variable(r, n, x, items, count, &x);
        if (rc == 0) rc = eval_return_var(r, n, x, out);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error_at(r, n, "", object);
    } else {
        rc = repl_error_at(r, n, "cannot index %s", eval_describe_kind(object, buf, sizeof buf));
    }
    release_items(items, count);
    value_release(object);
    return rc < 0 ? -1 : 0;
}

static bool is_special_index(repl_value v) {
    return (v.kind == VALUE_NIL && v.as.string == NULL) ||
           (v.kind == VALUE_OBJECT &&
            (v.as.object->type == &repl_slice_type || v.as.object->type == &repl_ellipsis_type));
}

bool repl_get_item_key_is_tuple(repl_value key) {
    if (is_special_index(key)) return true;
    if (key.kind != VALUE_LIST) return false;
    for (int i = 0; i < key.as.list->count; i++)
        if (is_special_index(key.as.list->items[i])) return true;
    return false;
}

int repl_get_item_tuple(repl *r, ag_var *x, repl_value key, ag_var **out) {
    index_item items[MAX_INDEX_ITEMS] = {{0}};
    int count = key.kind == VALUE_LIST ? key.as.list->count : 1;
    if (count > MAX_INDEX_ITEMS) return repl_error(r, "get_item: too many indices (%d)", count);
    for (int i = 0; i < count; i++) {
        repl_value v = key.kind == VALUE_LIST ? key.as.list->items[i] : key;
        if (classify_index(r, r->eval.call, value_copy(v), &items[i]) < 0) {
            release_items(items, i);
            return -1;
        }
    }
    int rc = index_variable(r, r->eval.call, x, items, count, out);
    release_items(items, count);
    return rc;
}

/* ---- x[i] = e, x[i] op= e ------------------------------------------------------------------ */

/* The positions in x's data (row-major) of the elements x[items...] selects,
 * in the shape x[items...] has: the same indexing run on a leaf holding
 * 0, 1, 2, ..., so every index x[...] takes selects here too. */
static int selected_positions(repl *r, const ast_node *n, ag_var *x, const index_item *items, int count,
                              ag_var **out) {
    ag_var *positions = ag_zeros(r->ctx, ag_ndim(x), ag_shape(x));
    if (positions == NULL) return engine_error_at(r, n);
    double *data = (double *)ag_cdata(positions); /* a new leaf: not an in-place change */
    size_t size = ag_size(x);
    for (size_t i = 0; i < size; i++) data[i] = (double)i;
    bool was = ag_set_grad_enabled(r->ctx, false);
    int rc = index_variable(r, n, positions, items, count, out);
    ag_set_grad_enabled(r->ctx, was);
    return rc;
}

/* x[items] op= e on x's data: e (a number or a variable whose shape
 * broadcasts to the selection's, as NumPy and PyTorch assign) written into
 * the selected elements in place, recording no graph; ag_data counts the
 * change, so a backward that saved the old value refuses to run. */
static int set_variable_items(repl *r, const ast_node *n, const char *label, ag_var *x, const index_item *items,
                              int count, ast_operator op, repl_value e) {
    char buf[96];
    ag_var *source = NULL;
    if (e.kind == VALUE_NIL) return value_nil_error_at(r, n, "", e);
    if (value_as_var(r, n, e, &source) != 0)
        return repl_error_at(r, n, "%s %s e: e must be a variable or number, not %s", label,
                             op == AST_OP_NONE ? "=" : ast_operator_symbol(op), eval_describe_kind(e, buf, sizeof buf));
    ag_var *positions;
    if (selected_positions(r, n, x, items, count, &positions) < 0) return -1;
    int ndim = ag_ndim(positions), e_ndim = ag_ndim(source);
    const int *shape = ag_shape(positions), *e_shape = ag_shape(source);
    size_t strides[AG_MAX_DIMS];
    if (!repl_broadcast_strides(e_ndim, e_shape, ndim, shape, strides)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        return repl_error_at(r, n, "%s = e: e's shape %s does not broadcast to the selection's shape %s", label,
                             ag_shape_string(e_ndim, e_shape, a), ag_shape_string(ndim, shape, b));
    }
    const double *from = ag_cdata(source), *where = ag_cdata(positions);
    size_t size = ag_size(positions);
    double *data = size > 0 ? ag_data(x) : NULL; /* counts one in-place change of x */
    int index[AG_MAX_DIMS] = {0};
    size_t offset = 0;
    bool produced_nonfinite = false;
    for (size_t i = 0; i < size; i++) {
        double v = from[offset], *slot = &data[(size_t)where[i]], before = *slot;
        *slot = op == AST_OP_NONE ? v : repl_operators[op].number(before, v);
        if (op != AST_OP_NONE && !isfinite(*slot) && isfinite(before) && isfinite(v)) produced_nonfinite = true;
        for (int d = ndim - 1; d >= 0; d--) { /* odometer over the selection */
            offset += strides[d];
            if (++index[d] < shape[d]) break;
            offset -= strides[d] * (size_t)shape[d];
            index[d] = 0;
        }
    }
    if (produced_nonfinite) eval_note_nonfinite(r, n, ast_operator_symbol(op));
    return 0;
}

/* list[i] op= e: the item replaced in the list itself, so every name
 * holding the list sees it, as in Python. */
static int set_list_item(repl *r, const ast_node *n, value_list *list, const index_item *items, int count,
                         ast_operator op, repl_value e) {
    char buf[96];
    double number;
    if (count != 1) return repl_error_at(r, n, "a list takes one index (lst[i][j] for a list of lists)");
    if (items[0].kind != INDEX_KEY || !eval_scalar_of(items[0].key, &number) || number != floor(number))
        return repl_error_at(r, n, "a list index must be an integer, not %s",
                             items[0].kind == INDEX_KEY ? eval_describe_kind(items[0].key, buf, sizeof buf) : "a slice");
    double i = number < 0 ? number + list->count : number;
    if (i < 0 || i >= list->count)
        return repl_error_at(r, n, "index %.0f out of range for a list of %d", number, list->count);
    repl_value value;
    if (op == AST_OP_NONE) {
        value = value_copy(e);
    } else if (eval_arithmetic(r, n, op, list->items[(int)i], e, &value) < 0) {
        return -1;
    }
    repl_value old = list->items[(int)i];
    list->items[(int)i] = value;
    value_release(old);
    return 0;
}

int repl_exec_set_item(repl *r, const ast_node *n) {
    const ast_node *target = n->as.set_item.target, *o = target->as.index.object;
    ast_operator op = n->as.set_item.op;
    char text[48], buf[96];
    const char *label = eval_node_text(r, target, text, sizeof text) ? text : "x[...]";
    if (r->io.changes_refused) /* a def's body run from a user expression */
        return repl_error_at(r, n, "%s = e: not allowed in a user expression (it changes the session; run it in a cell)",
                             label);
    repl_value object;
    if (eval_expr(r, o, &object) < 0) return -1;
    if (object.kind != VALUE_VAR && object.kind != VALUE_LIST) {
        int rc = object.kind == VALUE_NIL ? value_nil_error_at(r, n, "", object)
                                          : repl_error_at(r, n, "cannot assign to an item of %s",
                                                          eval_describe_kind(object, buf, sizeof buf));
        value_release(object);
        return rc;
    }
    index_item items[MAX_INDEX_ITEMS];
    int count;
    bool special;
    if (eval_index_items(r, target, items, &count, &special) < 0) {
        value_release(object);
        return -1;
    }
    /* a value, not a graph: evaluated as x.data = e's is */
    repl_value e;
    bool var = object.kind == VALUE_VAR;
    bool was = var ? ag_set_grad_enabled(r->ctx, false) : ag_grad_enabled(r->ctx);
    int rc = eval_operand(r, n->as.set_item.value, LITERAL_NUMBER, &e);
    if (var) ag_set_grad_enabled(r->ctx, was);
    if (rc == 0) {
        rc = var ? set_variable_items(r, n, label, object.as.var, items, count, op, e)
                 : set_list_item(r, n, object.as.list, items, count, op, e);
        value_release(e);
    }
    if (rc == 0) { /* for :save: which name's value changed in place */
        if (o->kind == AST_NAME && names_get(r->eval.locals, o->as.name) == NULL)
            restore_note(r, o->as.name, true);
        else
            restore_note_all(r);
    }
    release_items(items, count);
    value_release(object);
    return rc < 0 ? -1 : 0;
}
