/* ops_move.c — creation and movement as PyTorch has them, made of the op
 * table's ops (so each gradient is theirs): stack, flatten, unflatten, roll,
 * repeat, tril, triu, diag, pad; and constants: eye_nm, full_like, one_hot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "internal.h"

ag_var *ag_stack(ag_ctx *ctx, ag_var *const *xs, int n, int axis) {
    if (ctx == NULL) return NULL;
    if (n < 1 || xs == NULL) return ctx_error(ctx, AG_ERR_ARG, "stack: needs at least one input");
    ag_var **parts = ctx_malloc(ctx, (size_t)n * sizeof *parts);
    if (parts == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        if (!op_input_ok(ctx, AG_OP_UNSQUEEZE, xs[i])) {
            ctx_free(ctx, parts);
            return NULL;
        }
        if (!shape_equal(xs[i]->t.ndim, xs[i]->t.shape, xs[0]->t.ndim, xs[0]->t.shape)) {
            char a[SHAPE_BUF], b[SHAPE_BUF];
            ctx_free(ctx, parts);
            return ctx_error(ctx, AG_ERR_SHAPE, "stack: shapes %s and %s differ (stack needs equal shapes)",
                             shape_str(&xs[0]->t, a), shape_str(&xs[i]->t, b));
        }
        parts[i] = ag_unsqueeze(ctx, xs[i], axis);
    }
    ag_var *y = ag_concat(ctx, parts, n, axis);
    ctx_free(ctx, parts);
    return y;
}

/* The axes start..end (inclusive, negative from the end) of x folded into one. */
ag_var *ag_flatten(ag_ctx *ctx, ag_var *x, int start, int end) {
    if (!op_input_ok(ctx, AG_OP_RESHAPE, x)) return NULL;
    int ndim = x->t.ndim;
    if (ndim == 0) return ag_reshape(ctx, x, 1, (const int[]){1});
    int s = start < 0 ? start + ndim : start, e = end < 0 ? end + ndim : end;
    if (s < 0 || s >= ndim || e < 0 || e >= ndim)
        return ctx_error(ctx, AG_ERR_SHAPE, "flatten: axes %d..%d out of range for ndim %d", start, end,
                         ndim);
    if (s > e)
        return ctx_error(ctx, AG_ERR_SHAPE, "flatten: start axis %d comes after end axis %d", start, end);
    int shape[AG_MAX_DIMS], n = 0;
    for (int i = 0; i < s; i++) shape[n++] = x->t.shape[i];
    int folded = 1;
    for (int i = s; i <= e; i++) folded *= x->t.shape[i];
    shape[n++] = folded;
    for (int i = e + 1; i < ndim; i++) shape[n++] = x->t.shape[i];
    return ag_reshape(ctx, x, n, shape);
}

/* Axis split into sizes (one -1 allowed). */
ag_var *ag_unflatten(ag_ctx *ctx, ag_var *x, int axis, const int *sizes, int nsizes) {
    if (!op_input_ok(ctx, AG_OP_RESHAPE, x)) return NULL;
    int ndim = x->t.ndim;
    int a = axis_normalize(ctx, "unflatten", axis, ndim);
    if (a < 0) return NULL;
    if (nsizes < 1 || sizes == NULL || ndim - 1 + nsizes > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_ARG, "unflatten: needs 1 to %d sizes", AG_MAX_DIMS - ndim + 1);
    int shape[AG_MAX_DIMS], n = 0, known = 1, unknown = -1;
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] == -1 && unknown < 0) unknown = i;
        else if (sizes[i] < 0)
            return ctx_error(ctx, AG_ERR_ARG, "unflatten: size %d is negative", sizes[i]);
        else known *= sizes[i];
    }
    int length = x->t.shape[a];
    if ((unknown < 0 && known != length) || (unknown >= 0 && (known == 0 || length % known != 0)))
        return ctx_error(ctx, AG_ERR_SHAPE, "unflatten: sizes do not multiply to %d, the size of axis %d",
                         length, axis);
    for (int i = 0; i < a; i++) shape[n++] = x->t.shape[i];
    for (int i = 0; i < nsizes; i++) shape[n++] = i == unknown ? length / known : sizes[i];
    for (int i = a + 1; i < ndim; i++) shape[n++] = x->t.shape[i];
    return ag_reshape(ctx, x, n, shape);
}

/* x shifted by shift along axis, wrapping around (torch.roll): a take with
 * rotated indices. */
ag_var *ag_roll(ag_ctx *ctx, ag_var *x, int shift, const int *axis) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    if (axis == NULL) { /* the flattened x, shape kept */
        if (x->t.ndim == 0) return ag_reshape(ctx, x, 0, NULL);
        int zero = 0;
        ag_var *flat = ag_reshape(ctx, x, 1, (const int[]){(int)x->t.size});
        return ag_reshape(ctx, ag_roll(ctx, flat, shift, &zero), x->t.ndim, x->t.shape);
    }
    int a = axis_normalize_0d(ctx, "roll", *axis, x->t.ndim);
    if (a < 0) return NULL;
    if (x->t.ndim == 0) return ag_reshape(ctx, x, 0, NULL);
    int n = x->t.shape[a];
    if (n == 0) return ag_reshape(ctx, x, x->t.ndim, x->t.shape);
    int *order = ctx_malloc(ctx, (size_t)n * sizeof *order);
    if (order == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    int s = ((shift % n) + n) % n;
    for (int i = 0; i < n; i++) order[i] = (i - s + n) % n;
    ag_var *y = ag_get_item(ctx, x, a, order, n);
    ctx_free(ctx, order);
    return y;
}

/* torch.Tensor.repeat: x tiled counts[i] times along each axis (more counts than
 * axes put leading 1s on x): reshape to (1, d) pairs, broadcast, fold back. */
/* repeat with more counts than the one-step form's 2n axes allow (up to
 * AG_MAX_DIMS, as PyTorch takes as many as a tensor may have): x given n
 * axes (leading ones of length 1, as PyTorch prepends them), then one axis
 * at a time: (.., d, ..) -> (.., 1, d, ..) broadcast to (.., c, d, ..) and
 * merged to (.., c*d, ..), or, with no axis to spare, c copies joined. */
static ag_var *repeat_by_axis(ag_ctx *ctx, ag_var *x, const int *counts, int n) {
    if (n > AG_MAX_DIMS) return ctx_error(ctx, AG_ERR_SHAPE, "repeat: at most %d counts", AG_MAX_DIMS);
    int shape[AG_MAX_DIMS + 1];
    for (int i = 0; i < n; i++) {
        if (counts[i] < 0) return ctx_error(ctx, AG_ERR_ARG, "repeat: count %d is negative", counts[i]);
        shape[i] = i - (n - x->t.ndim) >= 0 ? x->t.shape[i - (n - x->t.ndim)] : 1;
    }
    ag_var *y = ag_reshape(ctx, x, n, shape);
    for (int i = 0; i < n && y != NULL; i++) {
        int c = counts[i], d = shape[i];
        if (c == 1) continue;
        if (n < AG_MAX_DIMS) {
            int split[AG_MAX_DIMS], wide[AG_MAX_DIMS];
            for (int k = 0, j = 0; k < n; k++) {
                if (k == i) split[j] = 1, wide[j++] = c;
                split[j] = shape[k], wide[j++] = shape[k];
            }
            y = ag_broadcast_to(ctx, ag_reshape(ctx, y, n + 1, split), n + 1, wide);
        } else if (c == 0) {
            y = ag_get_item(ctx, y, i, NULL, 0);
        } else {
            ag_var *copies[64], **xs = c <= 64 ? copies : malloc((size_t)c * sizeof *xs);
            if (xs == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "repeat: out of memory");
            for (int k = 0; k < c; k++) xs[k] = y;
            y = ag_concat(ctx, xs, c, i);
            if (xs != copies) free(xs);
        }
        shape[i] = c * d;
        if (y != NULL && n < AG_MAX_DIMS) y = ag_reshape(ctx, y, n, shape);
    }
    return y;
}

ag_var *ag_repeat(ag_ctx *ctx, ag_var *x, const int *counts, int n) {
    if (!op_input_ok(ctx, AG_OP_BROADCAST_TO, x)) return NULL;
    if (n < x->t.ndim || counts == NULL)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "repeat: %d counts for a value of %d axes (give at least one per axis)", n,
                         x->t.ndim);
    if (2 * n > AG_MAX_DIMS) return repeat_by_axis(ctx, x, counts, n);
    int pairs[AG_MAX_DIMS], wide[AG_MAX_DIMS], out[AG_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        if (counts[i] < 0) return ctx_error(ctx, AG_ERR_ARG, "repeat: count %d is negative", counts[i]);
        int d = i - (n - x->t.ndim) >= 0 ? x->t.shape[i - (n - x->t.ndim)] : 1;
        pairs[2 * i] = 1, pairs[2 * i + 1] = d;
        wide[2 * i] = counts[i], wide[2 * i + 1] = d;
        out[i] = counts[i] * d;
    }
    ag_var *y = ag_reshape(ctx, x, 2 * n, pairs);
    y = ag_broadcast_to(ctx, y, 2 * n, wide);
    return ag_reshape(ctx, y, n, out);
}

/* x times a constant 0/1 mask over its last two axes: keep (i, j) when
 * lower ? j - i <= k : j - i >= k. */
static ag_var *triangle(ag_ctx *ctx, const char *op, ag_var *x, int k, bool lower) {
    if (!op_input_ok(ctx, AG_OP_MUL, x)) return NULL;
    if (x->t.ndim < 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: needs at least 2 axes, not %d", op, x->t.ndim);
    int rows = x->t.shape[x->t.ndim - 2], cols = x->t.shape[x->t.ndim - 1];
    ag_var *m = ag_zeros(ctx, 2, (const int[]){rows, cols});
    if (m == NULL) return NULL;
    m->flags |= AG_VAR_CONST;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            m->t.data[(size_t)i * (size_t)cols + (size_t)j] = (lower ? j - i <= k : j - i >= k) ? 1.0 : 0.0;
    return ag_mul(ctx, x, m);
}
ag_var *ag_tril(ag_ctx *ctx, ag_var *x, int k) { return triangle(ctx, "tril", x, k, true); }
ag_var *ag_triu(ag_ctx *ctx, ag_var *x, int k) { return triangle(ctx, "triu", x, k, false); }

/* torch.diag: a 1-D x becomes the square matrix with x on diagonal k; a 2-D x
 * gives its diagonal k as 1-D. */
ag_var *ag_diag(ag_ctx *ctx, ag_var *x, int k) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    int off = k < 0 ? -k : k;
    if (x->t.ndim == 1) {
        int n = x->t.shape[0], size = n + off;
        int *at = ctx_malloc(ctx, (size_t)(n ? n : 1) * sizeof *at);
        if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) at[i] = k >= 0 ? i * size + i + k : (i - k) * size + i;
        int total = size * size;
        ag_var *flat = ag_get_item_grad(ctx, x, 0, at, n, 1, &total);
        ctx_free(ctx, at);
        return ag_reshape(ctx, flat, 2, (const int[]){size, size});
    }
    if (x->t.ndim == 2) {
        int rows = x->t.shape[0], cols = x->t.shape[1];
        int n = k >= 0 ? (cols - k < rows ? cols - k : rows) : (rows + k < cols ? rows + k : cols);
        if (n < 0) n = 0;
        int *at = ctx_malloc(ctx, (size_t)(n ? n : 1) * sizeof *at);
        if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) at[i] = k >= 0 ? i * cols + i + k : (i - k) * cols + i;
        int total = rows * cols;
        ag_var *y = ag_get_item(ctx, ag_reshape(ctx, x, 1, &total), 0, at, n);
        ctx_free(ctx, at);
        return y;
    }
    return ctx_error(ctx, AG_ERR_SHAPE, "diag: needs a 1-D or 2-D value, not %d axes", x->t.ndim);
}

/* torch.nn.functional.pad: pad[2i], pad[2i+1] are the amounts before and after
 * the last-but-i axis, filled with value; concat of constant blocks.  A negative
 * amount crops that many from its side, as PyTorch (Split, keeping the middle). */
ag_var *ag_pad(ag_ctx *ctx, ag_var *x, const int *pad, int npad, double value) {
    if (!op_input_ok(ctx, AG_OP_CONCAT, x)) return NULL;
    if (npad % 2 != 0 || npad / 2 > x->t.ndim || (npad > 0 && pad == NULL))
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "pad: %d amounts for %d axes: give pairs (before, after), last axis first", npad,
                         x->t.ndim);
    ag_var *y = x;
    for (int i = 0; i < npad / 2 && y != NULL; i++) {
        int axis = x->t.ndim - 1 - i, before = pad[2 * i], after = pad[2 * i + 1];
        if (before < 0 || after < 0) {
            long long size = y->t.shape[axis], cut_before = before < 0 ? -(long long)before : 0,
                      cut_after = after < 0 ? -(long long)after : 0;
            if (cut_before + cut_after > size)
                return ctx_error(ctx, AG_ERR_SHAPE,
                                 "pad: (%d, %d) crops %lld from axis %d of size %lld: at most %lld", before,
                                 after, cut_before + cut_after, axis, size, size);
            int sizes[3], n = 0, middle;
            if (cut_before > 0) sizes[n++] = (int)cut_before;
            middle = n;
            sizes[n++] = (int)(size - cut_before - cut_after);
            if (cut_after > 0) sizes[n++] = (int)cut_after;
            ag_var *pieces[3];
            if (ag_split(ctx, y, sizes, n, axis, pieces) < 0) return NULL;
            y = pieces[middle];
            before = before > 0 ? before : 0;
            after = after > 0 ? after : 0;
        }
        ag_var *parts[3];
        int n = 0, shape[AG_MAX_DIMS];
        memcpy(shape, y->t.shape, sizeof shape);
        if (before > 0) {
            shape[axis] = before;
            ag_var *b = ag_full(ctx, y->t.ndim, shape, value);
            if (b == NULL) return NULL;
            b->flags |= AG_VAR_CONST;
            parts[n++] = b;
        }
        parts[n++] = y;
        if (after > 0) {
            shape[axis] = after;
            ag_var *b = ag_full(ctx, y->t.ndim, shape, value);
            if (b == NULL) return NULL;
            b->flags |= AG_VAR_CONST;
            parts[n++] = b;
        }
        if (n > 1) y = ag_concat(ctx, parts, n, axis);
    }
    return y;
}

ag_var *ag_eye_nm(ag_ctx *ctx, int n, int m) {
    if (ctx == NULL) return NULL;
    if (n < 0 || m < 0) return ctx_error(ctx, AG_ERR_ARG, "eye: negative size %d", n < 0 ? n : m);
    ag_var *v = var_zeros_named(ctx, "eye", 2, (int[]){n, m});
    if (v == NULL) return NULL;
    for (int i = 0; i < n && i < m; i++) v->t.data[(size_t)i * (size_t)m + (size_t)i] = 1.0;
    return v;
}

ag_var *ag_full_like(ag_ctx *ctx, const ag_var *x, double value) {
    if (ctx == NULL) return NULL;
    if (x == NULL) return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "full_like: input 1 is NULL");
    return ag_full(ctx, x->t.ndim, x->t.shape, value);
}

/* torch.nn.functional.one_hot: labels (whole numbers >= 0) to a new last axis of
 * num_classes (-1: the largest label + 1) holding 0/1.  A constant leaf. */
ag_var *ag_one_hot(ag_ctx *ctx, const ag_var *labels, int num_classes) {
    if (ctx == NULL) return NULL;
    if (labels == NULL) return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "one_hot: input 1 is NULL");
    if (labels->t.ndim >= AG_MAX_DIMS) return ctx_error(ctx, AG_ERR_SHAPE, "one_hot: too many axes");
    double top = -1;
    for (size_t i = 0; i < labels->t.size; i++) {
        double v = labels->t.data[i];
        if (v != floor(v) || v < 0)
            return ctx_error(ctx, AG_ERR_ARG, "one_hot: label %g is not a class (a whole number >= 0)", v);
        if (v > top) top = v;
    }
    if (num_classes < 0) num_classes = (int)top + 1;
    else if (top >= num_classes)
        return ctx_error(ctx, AG_ERR_ARG, "one_hot: label %g is not below num_classes %d", top, num_classes);
    int shape[AG_MAX_DIMS];
    memcpy(shape, labels->t.shape, (size_t)labels->t.ndim * sizeof *shape);
    shape[labels->t.ndim] = num_classes;
    ag_var *y = ag_zeros(ctx, labels->t.ndim + 1, shape);
    if (y == NULL) return NULL;
    for (size_t i = 0; i < labels->t.size; i++)
        y->t.data[i * (size_t)num_classes + (size_t)labels->t.data[i]] = 1.0;
    return y;
}
