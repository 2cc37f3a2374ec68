/* ops_shape.c — reshape, transpose, broadcast_to, sum_to, squeeze,
 * unsqueeze, concat, split, get_item, get_item_grad and matmul (upstream's
 * variable package).  Each forward checks shapes and copies data into a new contiguous
 * tensor; each backward is the inverse move, written with public ops so
 * create_graph records it. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static ag_var *unary_apply(ag_ctx *ctx, const ag_op_def *op, const ag_op_params *params, ag_var *x) {
    return op_apply_row(ctx, op, params, (ag_var *[]){x}, 1, 1, NULL);
}

/* Rejects a target shape the params cannot hold, or (unless reshape's -1
 * may appear) one with a negative dim; 0 or -1 with the error. */
static int check_target_shape(ag_ctx *ctx, int op, int ndim, const int *shape) {
    const char *symbol = ag_op_table[op].symbol;
    if (ndim < 0 || ndim > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %d dimensions given, at most %d allowed", symbol, ndim,
                         AG_MAX_DIMS),
               -1;
    if (ndim > 0 && shape == NULL) return ctx_error(ctx, AG_ERR_SHAPE, "%s: no shape given", symbol), -1;
    if (op == AG_OP_RESHAPE) return 0; /* shape_reshape judges -1 and the rest */
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0) {
            char text[SHAPE_BUF];
            ag_tensor given = {.ndim = ndim};
            memcpy(given.shape, shape, (size_t)ndim * sizeof shape[0]);
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: negative dimension in %s", symbol,
                             shape_str(&given, text)),
                   -1;
        }
    return 0;
}

/* params holding a target shape (reshape, broadcast_to, sum_to). */
static ag_op_params shape_params(int ndim, const int *shape) {
    ag_op_params params = {.ndim = ndim};
    if (ndim > 0) memcpy(params.shape, shape, (size_t)ndim * sizeof shape[0]);
    return params;
}

/* ---- reshape: gx = reshape(gy, x.shape) ------------------------------------------ */
ag_var *ag_reshape(ag_ctx *ctx, ag_var *x, int ndim, const int *shape) {
    if (!op_input_ok(ctx, AG_OP_RESHAPE, x)) return NULL;
    if (check_target_shape(ctx, AG_OP_RESHAPE, ndim, shape) < 0) return NULL;
    ag_op_params params = shape_params(ndim, shape);
    return unary_apply(ctx, OP_ROW(AG_OP_RESHAPE), &params, x);
}
int op_reshape_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    int shape[AG_MAX_DIMS];
    if (shape_reshape(ctx, x->size, x->ndim, x->shape, p->ndim, p->shape, shape) < 0)
        return -1;
    if (t_init_uninit(ctx, &ys[0], p->ndim, shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (x->size > 0) memcpy(ys[0].data, x->data, x->size * sizeof *x->data);
    return 0;
}
int op_reshape_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    gxs[0] = ag_reshape(ctx, gys[0], x->ndim, x->shape);
    RETURN_GX0;
}

/* ---- transpose: gx = transpose(gy, inverse permutation) ---------------------------
 * params keep the axes as given (for the label); the normalized permutation
 * is recomputed from them, so negative axes and "no axes" (reverse all)
 * work in the backward too. */

/* perm[0..ndim) from f's params; 0, or -1 with the error set. */
static int transpose_perm(ag_ctx *ctx, const ag_func *f, int *perm) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    if (p->naxes == 0) {
        for (int i = 0; i < x->ndim; i++) perm[i] = x->ndim - 1 - i;
        return 0;
    }
    if (p->naxes != x->ndim) {
        char axes[SHAPE_BUF], shape[SHAPE_BUF];
        ag_tensor given = {.ndim = p->naxes};
        memcpy(given.shape, p->axes, sizeof given.shape);
        ctx_error(ctx, AG_ERR_SHAPE, "transpose: axes %s do not match shape %s", shape_str(&given, axes),
                  shape_str(x, shape));
        return -1;
    }
    bool seen[AG_MAX_DIMS];
    if (axes_mask(ctx, "transpose", x->ndim, p->axes, p->naxes, seen) < 0) return -1;
    for (int i = 0; i < x->ndim; i++) perm[i] = axis_normalize(ctx, "transpose", p->axes[i], x->ndim);
    return 0;
}

ag_var *ag_transpose(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    if (!op_input_ok(ctx, AG_OP_TRANSPOSE, x)) return NULL;
    if (axes == NULL || naxes < 0) naxes = 0;
    if (naxes > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "transpose: %d axes given, at most %d allowed", naxes,
                         AG_MAX_DIMS);
    ag_op_params params = {.naxes = naxes};
    if (naxes > 0) memcpy(params.axes, axes, (size_t)naxes * sizeof axes[0]);
    return unary_apply(ctx, OP_ROW(AG_OP_TRANSPOSE), &params, x);
}
int op_transpose_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    int perm[AG_MAX_DIMS], shape[AG_MAX_DIMS];
    if (transpose_perm(ctx, f, perm) < 0) return -1;
    for (int i = 0; i < x->ndim; i++) shape[i] = x->shape[perm[i]];
    if (t_init_uninit(ctx, &ys[0], x->ndim, shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_transpose(&ys[0], x, perm);
    return 0;
}
int op_transpose_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    int ndim = f->inputs[0]->t.ndim, perm[AG_MAX_DIMS], inverse[AG_MAX_DIMS];
    if (transpose_perm(ctx, f, perm) < 0) return -1;
    for (int i = 0; i < ndim; i++) inverse[perm[i]] = i;
    gxs[0] = ag_transpose(ctx, gys[0], inverse, ndim);
    RETURN_GX0;
}

/* ---- broadcast_to: gx = sum_to(gy, x.shape) ------------------------------------ */
ag_var *ag_broadcast_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape) {
    if (!op_input_ok(ctx, AG_OP_BROADCAST_TO, x)) return NULL;
    if (check_target_shape(ctx, AG_OP_BROADCAST_TO, ndim, shape) < 0) return NULL;
    ag_op_params params = shape_params(ndim, shape);
    return unary_apply(ctx, OP_ROW(AG_OP_BROADCAST_TO), &params, x);
}
int op_broadcast_to_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    if (shape_check_broadcast_to(ctx, "broadcast_to", x->ndim, x->shape, p->ndim, p->shape) < 0)
        return -1;
    if (t_init_uninit(ctx, &ys[0], p->ndim, p->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_broadcast_to(&ys[0], x);
    return 0;
}
int op_broadcast_to_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    gxs[0] = ag_sum_to(ctx, gys[0], x->ndim, x->shape);
    RETURN_GX0;
}

/* ---- sum_to: gx = broadcast_to(gy, x.shape) ------------------------------------
 * The inverse of broadcasting: right-aligned, each target dim equals x's or
 * is 1 (summed); missing dims on either side count as 1. */
ag_var *ag_sum_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape) {
    if (!op_input_ok(ctx, AG_OP_SUM_TO, x)) return NULL;
    if (check_target_shape(ctx, AG_OP_SUM_TO, ndim, shape) < 0) return NULL;
    ag_op_params params = shape_params(ndim, shape);
    return unary_apply(ctx, OP_ROW(AG_OP_SUM_TO), &params, x);
}
int op_sum_to_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    int rank = x->ndim > p->ndim ? x->ndim : p->ndim;
    bool valid = true;
    for (int i = 0; valid && i < rank; i++) {
        int from = i - (rank - x->ndim) >= 0 ? x->shape[i - (rank - x->ndim)] : 1;
        int to = i - (rank - p->ndim) >= 0 ? p->shape[i - (rank - p->ndim)] : 1;
        valid = to == from || (to == 1 && from >= 0);
    }
    if (!valid) {
        char from_text[SHAPE_BUF], to_text[SHAPE_BUF];
        ag_tensor target = {.ndim = p->ndim};
        memcpy(target.shape, p->shape, sizeof target.shape);
        ctx_error(ctx, AG_ERR_SHAPE, "sum_to: cannot sum %s to %s", shape_str(x, from_text),
                  shape_str(&target, to_text));
        return -1;
    }
    if (t_init(ctx, &ys[0], p->ndim, p->shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_sum_to(&ys[0], x);
    return 0;
}
int op_sum_to_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    gxs[0] = ag_broadcast_to(ctx, gys[0], x->ndim, x->shape);
    RETURN_GX0;
}

/* ---- squeeze / unsqueeze: each one's backward is the other ------------------------ */

/* out = shape with the dim at axis removed (remove) or a 1 inserted there. */
static void shape_edit(int ndim, const int *shape, int axis, bool remove, int *nout, int *out) {
    int n = 0, result[AG_MAX_DIMS + 1];
    for (int i = 0; i < ndim; i++) {
        if (i == axis && !remove) result[n++] = 1;
        if (i != axis || !remove) result[n++] = shape[i];
    }
    if (axis == ndim && !remove) result[n++] = 1;
    memcpy(out, result, (size_t)n * sizeof result[0]);
    *nout = n;
}

/* ys[0] = x's data under a new shape. */
static int copy_as(ag_ctx *ctx, const ag_tensor *x, int ndim, const int *shape, ag_tensor *y) {
    if (t_init_uninit(ctx, y, ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (x->size > 0) memcpy(y->data, x->data, x->size * sizeof *x->data);
    return 0;
}

/* The squeezed axis in [0, ndim); *drop is false when that axis does not
 * have size 1 (PyTorch leaves x as it is then) or x is 0-d (axis 0 or -1
 * accepted, as sum accepts them).  -1 with the error set. */
static int squeeze_axis(ag_ctx *ctx, const ag_func *f, bool *drop) {
    const ag_tensor *x = &f->inputs[0]->t;
    int given = FUNC_PARAMS(f)->axis;
    *drop = false;
    if (x->ndim == 0) {
        if (given == 0 || given == -1) return 0;
        ctx_error(ctx, AG_ERR_SHAPE, "squeeze: axis %d out of range for a 0-d value (0 or -1)", given);
        return -1;
    }
    int axis = axis_normalize(ctx, "squeeze", given, x->ndim);
    if (axis < 0) return -1;
    *drop = x->shape[axis] == 1;
    return axis;
}

ag_var *ag_squeeze(ag_ctx *ctx, ag_var *x, int axis) {
    ag_op_params params = {.axis = axis};
    return unary_apply(ctx, OP_ROW(AG_OP_SQUEEZE), &params, x);
}
int op_squeeze_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    bool drop;
    int axis = squeeze_axis(ctx, f, &drop);
    if (axis < 0) return -1;
    if (!drop) return copy_as(ctx, x, x->ndim, x->shape, &ys[0]);
    int ndim, shape[AG_MAX_DIMS];
    shape_edit(x->ndim, x->shape, axis, true, &ndim, shape);
    return copy_as(ctx, x, ndim, shape, &ys[0]);
}
int op_squeeze_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    bool drop;
    int axis = squeeze_axis(ctx, f, &drop);
    if (axis < 0) return -1;
    gxs[0] = drop ? ag_unsqueeze(ctx, gys[0], axis) : gys[0];
    RETURN_GX0;
}

/* The position of the new axis in [0, ndim] (negative counts from the end
 * of the result); -1 with the error set. */
static int unsqueeze_axis(ag_ctx *ctx, const ag_func *f) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (x->ndim >= AG_MAX_DIMS) {
        ctx_error(ctx, AG_ERR_SHAPE, "unsqueeze: result would have more than %d dimensions", AG_MAX_DIMS);
        return -1;
    }
    int given = FUNC_PARAMS(f)->axis;
    int axis = given < 0 ? given + x->ndim + 1 : given;
    if (axis < 0 || axis > x->ndim) {
        ctx_error(ctx, AG_ERR_SHAPE, "unsqueeze: axis %d out of range for ndim %d", given, x->ndim);
        return -1;
    }
    return axis;
}

ag_var *ag_unsqueeze(ag_ctx *ctx, ag_var *x, int axis) {
    ag_op_params params = {.axis = axis};
    return unary_apply(ctx, OP_ROW(AG_OP_UNSQUEEZE), &params, x);
}
int op_unsqueeze_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    int axis = unsqueeze_axis(ctx, f);
    if (axis < 0) return -1;
    int ndim, shape[AG_MAX_DIMS];
    shape_edit(x->ndim, x->shape, axis, false, &ndim, shape);
    return copy_as(ctx, x, ndim, shape, &ys[0]);
}
int op_unsqueeze_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    int axis = unsqueeze_axis(ctx, f);
    if (axis < 0) return -1;
    gxs[0] = ag_squeeze(ctx, gys[0], axis);
    RETURN_GX0;
}

/* ---- concat: gxs = split(gy, each input's size along axis) ------------------------ */
ag_var *ag_concat(ag_ctx *ctx, ag_var *const *xs, int n, int axis) {
    if (n < 1 || xs == NULL) return ctx_error(ctx, AG_ERR_ARG, "concat: needs at least one input");
    ag_op_params params = {.axis = axis};
    return op_apply(ctx, AG_OP_CONCAT, &params, xs, n, 1, NULL);
}
int op_concat_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *first = &f->inputs[0]->t;
    int given = FUNC_PARAMS(f)->axis;
    int axis = axis_normalize(ctx, "concat", given, first->ndim);
    if (axis < 0) return -1;
    int shape[AG_MAX_DIMS];
    memcpy(shape, first->shape, sizeof shape);
    shape[axis] = 0;
    for (int i = 0; i < f->ninputs; i++) {
        const ag_tensor *x = &f->inputs[i]->t;
        bool same = x->ndim == first->ndim;
        for (int d = 0; same && d < x->ndim; d++) same = d == axis || x->shape[d] == first->shape[d];
        if (!same) {
            char a[SHAPE_BUF], b[SHAPE_BUF];
            ctx_error(ctx, AG_ERR_SHAPE, "concat: shapes %s and %s differ outside axis %d",
                      shape_str(first, a), shape_str(x, b), given);
            return -1;
        }
        shape[axis] += x->shape[axis];
    }
    if (t_init_uninit(ctx, &ys[0], first->ndim, shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    int start = 0;
    for (int i = 0; i < f->ninputs; i++) {
        t_paste(&ys[0], &f->inputs[i]->t, axis, start);
        start += f->inputs[i]->t.shape[axis];
    }
    return 0;
}
int op_concat_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    int n = f->ninputs;
    int axis = axis_normalize(ctx, "concat", FUNC_PARAMS(f)->axis, f->inputs[0]->t.ndim);
    if (axis < 0) return -1;
    int *sizes = ctx_malloc(ctx, (size_t)n * sizeof *sizes);
    if (sizes == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (int i = 0; i < n; i++) sizes[i] = f->inputs[i]->t.shape[axis];
    int status = ag_split(ctx, gys[0], sizes, n, axis, gxs);
    ctx_free(ctx, sizes);
    return status;
}

/* ---- split: gx = concat(gys, with zeros for unused outputs) ------------------------ */
int ag_split(ag_ctx *ctx, ag_var *x, const int *sizes, int n, int axis, ag_var **out) {
    for (int i = 0; out != NULL && i < n; i++) out[i] = NULL;
    if (ctx == NULL) return -1;
    if (x == NULL) {
        if (!ctx->failed) ctx_error(ctx, AG_ERR_ARG, "split: the input is NULL");
        return -1;
    }
    if (n < 1 || sizes == NULL || out == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "split: needs at least one size"), -1;
    ag_op_params params = {.axis = axis, .n = n, .ints = (int *)sizes};
    if (op_apply(ctx, AG_OP_SPLIT, &params, (ag_var *[]){x}, 1, n, out) != NULL) return 0;
    /* a failure after some outputs were made leaves them unreachable */
    for (int i = 0; i < n; i++) out[i] = NULL;
    return -1;
}
int op_split_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    int axis = axis_normalize(ctx, "split", p->axis, x->ndim);
    if (axis < 0) return -1;
    long long total = 0;
    bool valid = true;
    for (int i = 0; i < p->n; i++) {
        valid = valid && p->ints[i] >= 0;
        total += p->ints[i];
    }
    if (!valid || total != x->shape[axis]) {
        char sizes[SHAPE_BUF], shape[SHAPE_BUF];
        ag_tensor given = {.ndim = p->n <= AG_MAX_DIMS ? p->n : AG_MAX_DIMS};
        memcpy(given.shape, p->ints, (size_t)given.ndim * sizeof p->ints[0]);
        ctx_error(ctx, AG_ERR_SHAPE, "split: sizes %s%s do not add up to %d, the size of axis %d of %s",
                  shape_str(&given, sizes), p->n > AG_MAX_DIMS ? "..." : "", x->shape[axis], p->axis,
                  shape_str(x, shape));
        return -1;
    }
    int start = 0;
    for (int i = 0; i < p->n; i++) {
        int shape[AG_MAX_DIMS];
        memcpy(shape, x->shape, sizeof shape);
        shape[axis] = p->ints[i];
        if (t_init_uninit(ctx, &ys[i], x->ndim, shape) < 0)
            return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
        t_slice(&ys[i], x, axis, start, p->ints[i]);
        start += p->ints[i];
    }
    return 0;
}
int op_split_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    int n = f->noutputs;
    ag_var **parts = ctx_malloc(ctx, (size_t)n * sizeof *parts);
    if (parts == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (int i = 0; i < n; i++)
        parts[i] = gys[i] != NULL ? gys[i] : ag_zeros_like(ctx, f->outputs[i]);
    bool complete = true;
    for (int i = 0; i < n; i++) complete = complete && parts[i] != NULL;
    gxs[0] = complete ? ag_concat(ctx, parts, n, FUNC_PARAMS(f)->axis) : NULL;
    ctx_free(ctx, parts);
    RETURN_GX0;
}

/* ---- get_item (take along an axis) and its gradient, scatter-add --------------------
 * The public functions normalize the axis and the indices (negatives count
 * from the end) and check their range; params keep the caller's axis for the
 * label and the normalized indices. */

/* indices normalized against dim into a new array (caller frees); NULL
 * with the error set.  n == 0 gives a 1-element dummy array. */
static int *normalize_indices(ag_ctx *ctx, const int *indices, int n, int axis, int dim) {
    int *normalized = ctx_malloc(ctx, (size_t)(n > 0 ? n : 1) * sizeof *normalized);
    if (normalized == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int index = indices[i] < 0 ? indices[i] + dim : indices[i];
        if (index < 0 || index >= dim) {
            ctx_error(ctx, AG_ERR_SHAPE, "index: index %d out of range for axis %d with size %d", indices[i],
                      axis, dim);
            ctx_free(ctx, normalized);
            return NULL;
        }
        normalized[i] = index;
    }
    return normalized;
}

/* Runs GetItem or GetItemGrad on x once its axis (against ndim/shape) and
 * indices check out. */
static ag_var *indexed_apply(ag_ctx *ctx, const ag_op_def *op, ag_var *x, int axis, const int *indices, int n,
                             int ndim, const int *shape, ag_op_params *params) {
    if (n < 0 || (n > 0 && indices == NULL)) return ctx_error(ctx, AG_ERR_ARG, "index: no indices given");
    int normalized_axis = axis_normalize(ctx, "index", axis, ndim);
    if (normalized_axis < 0) return NULL;
    int *normalized = normalize_indices(ctx, indices, n, axis, shape[normalized_axis]);
    if (normalized == NULL) return NULL;
    params->axis = axis;
    params->n = n;
    params->ints = normalized;
    ag_var *y = unary_apply(ctx, op, params, x);
    ctx_free(ctx, normalized);
    return y;
}

ag_var *ag_get_item(ag_ctx *ctx, ag_var *x, int axis, const int *indices, int n) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    ag_op_params params = {0};
    return indexed_apply(ctx, OP_ROW(AG_OP_GET_ITEM), x, axis, indices, n, x->t.ndim, x->t.shape, &params);
}
int op_get_item_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    int axis = axis_normalize(ctx, "index", p->axis, x->ndim);
    if (axis < 0) return -1;
    int shape[AG_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[axis] = p->n;
    if (t_init_uninit(ctx, &ys[0], x->ndim, shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_take(&ys[0], x, axis, p->ints, p->n);
    return 0;
}
int op_get_item_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    gxs[0] = ag_get_item_grad(ctx, gys[0], p->axis, p->ints, p->n, x->ndim, x->shape);
    RETURN_GX0;
}

ag_var *ag_get_item_grad(ag_ctx *ctx, ag_var *gy, int axis, const int *indices, int n, int ndim,
                         const int *shape) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM_GRAD, gy)) return NULL;
    if (check_target_shape(ctx, AG_OP_GET_ITEM_GRAD, ndim, shape) < 0) return NULL;
    ag_op_params params = shape_params(ndim, shape);
    return indexed_apply(ctx, OP_ROW(AG_OP_GET_ITEM_GRAD), gy, axis, indices, n, ndim, shape, &params);
}
int op_get_item_grad_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *gy = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    int axis = axis_normalize(ctx, "index", p->axis, p->ndim);
    if (axis < 0) return -1;
    /* gy must be the target shape with n slices along axis */
    bool fits = gy->ndim == p->ndim;
    for (int d = 0; fits && d < p->ndim; d++) fits = gy->shape[d] == (d == axis ? p->n : p->shape[d]);
    if (!fits) {
        char got[SHAPE_BUF], target[SHAPE_BUF];
        ag_tensor full = {.ndim = p->ndim};
        memcpy(full.shape, p->shape, sizeof full.shape);
        ctx_error(ctx, AG_ERR_SHAPE, "index: gradient shape %s does not fit %d indices along axis %d of %s",
                  shape_str(gy, got), p->n, p->axis, shape_str(&full, target));
        return -1;
    }
    if (t_init(ctx, &ys[0], p->ndim, p->shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    t_scatter_add(&ys[0], gy, axis, p->ints, p->n);
    return 0;
}
int op_get_item_grad_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_op_params *p = FUNC_PARAMS(f);
    gxs[0] = ag_get_item(ctx, gys[0], p->axis, p->ints, p->n);
    RETURN_GX0;
}

/* ---- matmul: gx = gy @ swap_last2(w), gw = swap_last2(x) @ gy ------------------------
 * Each gradient is summed back to its input's shape when the leading
 * (batch) dims were broadcast. */

/* x with its last two axes swapped, as a graph op. */
static ag_var *swap_last2(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_TRANSPOSE, x)) return NULL;
    int ndim = x->t.ndim, perm[AG_MAX_DIMS];
    for (int i = 0; i < ndim; i++) perm[i] = i;
    perm[ndim - 2] = ndim - 1;
    perm[ndim - 1] = ndim - 2;
    return ag_transpose(ctx, x, perm, ndim);
}

/* The error of a product whose inner dimensions differ, naming both, as
 * NumPy and PyTorch do: "matmul: shapes [2 2] and [3] are not aligned: the
 * left has 2 columns, the right 3 rows".  A 1-D left is a row (its one
 * dimension its columns), a 1-D right a column (its one dimension its
 * rows), as ag_matmul multiplies them; -1. */
int matmul_not_aligned(ag_ctx *ctx, const char *op, const char *left, const char *right, const ag_tensor *a,
                       const ag_tensor *b) {
    char ta[SHAPE_BUF], tb[SHAPE_BUF];
    int columns = a->shape[a->ndim - 1], rows = b->shape[b->ndim == 1 ? 0 : b->ndim - 2];
    ctx_error(ctx, AG_ERR_SHAPE, "%s: shapes %s and %s are not aligned: %s has %d column%s, %s %d row%s", op,
              shape_str(a, ta), shape_str(b, tb), left, columns, columns == 1 ? "" : "s", right, rows,
              rows == 1 ? "" : "s");
    return -1;
}

/* PyTorch's and NumPy's 1-D rules on top of the 2-D op: a vector on the
 * left is a row [1 n], on the right a column [n 1], and the added axis is
 * reshaped away afterwards (vector @ vector is 0-d).  Reshape records its
 * own node, so the gradient flows back to the vector's shape. */
ag_var *ag_matmul(ag_ctx *ctx, ag_var *a, ag_var *b) {
    char ta[SHAPE_BUF], tb[SHAPE_BUF];
    if (a != NULL && b != NULL && (a->t.ndim == 0 || b->t.ndim == 0))
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "matmul: shapes %s and %s: a 0-d value has no axis to multiply over (use *)",
                         shape_str(&a->t, ta), shape_str(&b->t, tb));
    if (a == NULL || b == NULL || (a->t.ndim != 1 && b->t.ndim != 1))
        return op_apply(ctx, AG_OP_MATMUL, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
    int ka = a->t.shape[a->t.ndim - 1], kb = b->t.shape[b->t.ndim == 1 ? 0 : b->t.ndim - 2];
    if (ka != kb) return matmul_not_aligned(ctx, "matmul", "the left", "the right", &a->t, &b->t), NULL;
    ag_var *a2 = a->t.ndim == 1 ? ag_reshape(ctx, a, 2, (int[]){1, ka}) : a;
    ag_var *b2 = b->t.ndim == 1 ? ag_reshape(ctx, b, 2, (int[]){kb, 1}) : b;
    ag_var *y = op_apply(ctx, AG_OP_MATMUL, NULL, (ag_var *[]){a2, b2}, 2, 1, NULL);
    if (y == NULL) return NULL;
    /* drop the axes the vectors gained: a's row (second from last), b's column (last) */
    int ndim = 0, shape[AG_MAX_DIMS];
    for (int i = 0; i < y->t.ndim; i++) {
        if (a->t.ndim == 1 && i == y->t.ndim - 2) continue;
        if (b->t.ndim == 1 && i == y->t.ndim - 1) continue;
        shape[ndim++] = y->t.shape[i];
    }
    return ag_reshape(ctx, y, ndim, shape);
}
int op_matmul_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *a = &f->inputs[0]->t, *b = &f->inputs[1]->t;
    char ta[SHAPE_BUF], tb[SHAPE_BUF];
    if (a->ndim < 2 || b->ndim < 2) {
        ctx_error(ctx, AG_ERR_SHAPE, "matmul: shapes %s and %s need at least 2 dimensions", shape_str(a, ta),
                  shape_str(b, tb));
        return -1;
    }
    if (a->shape[a->ndim - 1] != b->shape[b->ndim - 2])
        return matmul_not_aligned(ctx, "matmul", "the left", "the right", a, b);
    int ndim, shape[AG_MAX_DIMS];
    if (shape_broadcast(ctx, "matmul", a->ndim - 2, a->shape, b->ndim - 2, b->shape, &ndim, shape) <
        0) {
        /* the same check, in matmul's words: only the batch dims broadcast */
        ag_tensor batch_a = {.ndim = a->ndim - 2}, batch_b = {.ndim = b->ndim - 2};
        memcpy(batch_a.shape, a->shape, sizeof batch_a.shape);
        memcpy(batch_b.shape, b->shape, sizeof batch_b.shape);
        ctx_error(ctx, AG_ERR_SHAPE, "matmul: batch shapes %s and %s are not compatible",
                  shape_str(&batch_a, ta), shape_str(&batch_b, tb));
        return -1;
    }
    shape[ndim++] = a->shape[a->ndim - 2];
    shape[ndim++] = b->shape[b->ndim - 1];
    if (t_init_uninit(ctx, &ys[0], ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (!t_matmul_until(&ys[0], a, b, ctx->interrupt, &ctx->blas)) return op_interrupted(ctx, f);
    return 0;
}
int op_matmul_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    ag_var *x = f->inputs[0], *w = f->inputs[1];
    gxs[0] = reduce_to(ctx, ag_matmul(ctx, gys[0], swap_last2(ctx, w)), x);
    gxs[1] = reduce_to(ctx, ag_matmul(ctx, swap_last2(ctx, x), gys[0]), w);
    return gxs[0] && gxs[1] ? 0 : -1;
}
