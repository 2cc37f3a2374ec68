/* builtins_conv.c — the built-ins of images: convolution, pooling,
 * interpolation and DeZero's im2col/col2im, with PyTorch's names, argument
 * names and defaults.  Each row calls one engine function of ops_conv.c
 * (include/autograd/ag_ops.h); a size is a number or a pair (height, width). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* The name of parameter index, read from the row's signature text. */
static const char *sizes_param(const builtin_args *a, int index) {
    static char name[32];
    const char *p = a->def ? a->def->signature : NULL;
    for (int i = 0; p != NULL && i < index; i++) {
        p = strchr(p, ',');
        if (p != NULL) p += 2;
    }
    if (p == NULL) return "argument";
    size_t n = strcspn(p, "=,");
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, p, n);
    name[n] = '\0';
    return name;
}

/* Argument index as (height, width): one number for both, or a pair; left as
 * it is when not given.  `count` entries for conv1d's single side. */
static int arg_sides(repl *r, const builtin_args *a, int index, int *out, int count) {
    if (!arg_given(a, index)) return 0;
    int v[2], n;
    if (arg_ints(r, a, index, v, count, &n) < 0) return -1;
    if (n == 1) {
        for (int i = 0; i < count; i++) out[i] = v[0];
        return 0;
    }
    if (n != count)
        return repl_error(r, "%s: %s needs %s", a->def ? a->def->name : "call", sizes_param(a, index),
                          count == 2 ? "one number or two (height, width)" : "one number");
    memcpy(out, v, (size_t)count * sizeof *v);
    return 0;
}

/* A shape as "[2 3 5]", for messages. */
static const char *shape_text(const ag_var *x, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ag_ndim(x) && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, i ? " %d" : "%d", ag_shape(x)[i]);
    if (at < size) snprintf(buf + at, size - at, "]");
    return buf;
}

/* The input (argument 0) of an image op with `batched` axes, or one fewer
 * (PyTorch's unbatched form); `sides` names the axes after the batch's,
 * for the message refusing any other count.  0, or -1 with the error set. */
/* PyTorch's unbatched form of an image op: an input (argument 0) with one
 * axis fewer than `batched` (conv2d's (C, H, W) beside (N, C, H, W)) runs
 * as a batch of one, and the result loses that axis again, so the gradient
 * comes back in the input's own shape.  `sides` names the axes after the
 * batch's, for the message refusing any other count of axes. */
static int input_axes_ok(repl *r, const builtin_args *a, int batched, const char *sides, ag_var **x) {
    char shape[64];
    if (arg_var(r, a, 0, x) < 0) return -1;
    int ndim = ag_ndim(*x);
    if (ndim != batched && ndim != batched - 1)
        return repl_error(r, "%s: input must be %d-D (%s) or %d-D (N, %s), got %s", a->def->name, batched - 1, sides,
                          batched, sides, shape_text(*x, shape, sizeof shape));
    return 0;
}

static int batch_of_one(repl *r, const builtin_args *a, repl_value *out, builtin_fn fn, int batched,
                        const char *sides) {
    ag_var *x;
    if (input_axes_ok(r, a, batched, sides, &x) < 0) return -1;
    int ndim = ag_ndim(x);
    if (a->count > BUILTIN_INLINE_ARGS) return repl_error(r, "%s: too many parameters", a->def->name);
    builtin_args one = *a;
    memcpy(one.inline_values, a->values, (size_t)a->count * sizeof *a->values);
    one.values = one.inline_values;
    one.values[0] = value_var(ndim == batched ? x : ag_unsqueeze(r->ctx, x, 0));
    if (one.values[0].kind != VALUE_VAR) return engine_error(r);
    int rc = fn(r, &one, out);
    value_release(one.values[0]);
    if (rc < 0 || ndim == batched || out->kind != VALUE_VAR) return rc;
    ag_var *y = ag_squeeze(r->ctx, out->as.var, 0);
    value_release(*out);
    *out = VALUE_NIL_INIT;
    return builtin_done_var(r, y, out);
}

/* A convolution's padding (argument index): a number or one per side, or
 * PyTorch's strings "valid" (none) and "same" (the output as large as the
 * input; stride 1 only).  "same" pads dilation*(K - 1) in all per side,
 * half before; an odd total leaves one more to add after, in extra[], as
 * PyTorch puts the extra row or column at the bottom or right. */
static int conv_padding(repl *r, const builtin_args *a, int index, int count, const int *stride,
                        const int *dilation, ag_var *w, int *padding, int *extra) {
    const char *name = a->def->name;
    for (int i = 0; i < count; i++) extra[i] = 0;
    if (a->values[index].kind != VALUE_STRING) return arg_sides(r, a, index, padding, count);
    const char *text = a->values[index].as.string->text;
    if (strcmp(text, "valid") == 0) return 0;
    if (strcmp(text, "same") != 0)
        return repl_error(r, "%s: padding \"%s\" is not \"same\" or \"valid\" (or a number)", name, text);
    for (int i = 0; i < count; i++)
        if (stride[i] != 1)
            return repl_error(r, "%s: padding=\"same\" needs stride 1, not %d (PyTorch has no same padding for "
                                 "strided convolutions)", name, stride[i]);
    if (ag_ndim(w) != count + 2) return 0; /* the convolution names the weight's wrong shape */
    for (int i = 0; i < count; i++) {
        int total = dilation[i] * (ag_shape(w)[2 + i] - 1);
        padding[i] = total / 2;
        extra[i] = total - padding[i] * 2;
    }
    return 0;
}

static int conv2d_call(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride[2] = {1, 1}, padding[2] = {0, 0}, dilation[2] = {1, 1}, extra[2], groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, stride, 2) < 0 || arg_sides(r, a, 5, dilation, 2) < 0 ||
        conv_padding(r, a, 4, 2, stride, dilation, w, padding, extra) < 0 || arg_int(r, a, 6, &groups) < 0)
        return -1;
    if (extra[0] != 0 || extra[1] != 0) x = ag_pad(r->ctx, x, (const int[]){0, extra[1], 0, extra[0]}, 4, 0.0);
    return builtin_done_var(r, ag_conv2d(r->ctx, x, w, b, stride, padding, dilation, groups), out);
}

static int builtin_conv2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x; /* the engine takes the unbatched form itself, and names its shape as given */
    return input_axes_ok(r, a, 4, "C, H, W", &x) < 0 ? -1 : conv2d_call(r, a, out);
}

static int conv1d_call(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride = 1, padding = 0, dilation = 1, extra, groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, &stride, 1) < 0 || arg_sides(r, a, 5, &dilation, 1) < 0 ||
        conv_padding(r, a, 4, 1, &stride, &dilation, w, &padding, &extra) < 0 || arg_int(r, a, 6, &groups) < 0)
        return -1;
    if (extra != 0) x = ag_pad(r->ctx, x, (const int[]){0, extra}, 2, 0.0);
    return builtin_done_var(r, ag_conv1d(r->ctx, x, w, b, stride, padding, dilation, groups), out);
}

static int builtin_conv1d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x; /* the engine takes the unbatched form itself, and names its shape as given */
    return input_axes_ok(r, a, 3, "C, L", &x) < 0 ? -1 : conv1d_call(r, a, out);
}

static int conv_transpose2d_call(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride[2] = {1, 1}, padding[2] = {0, 0}, output_padding[2] = {0, 0}, dilation[2] = {1, 1}, groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, stride, 2) < 0 || arg_sides(r, a, 4, padding, 2) < 0 ||
        arg_sides(r, a, 5, output_padding, 2) < 0 || arg_int(r, a, 6, &groups) < 0 ||
        arg_sides(r, a, 7, dilation, 2) < 0)
        return -1;
    return builtin_done_var(r, ag_conv_transpose2d(r->ctx, x, w, b, stride, padding, output_padding, groups, dilation), out);
}

static int builtin_conv_transpose2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x; /* the engine takes the unbatched form itself, and names its shape as given */
    return input_axes_ok(r, a, 4, "C, H, W", &x) < 0 ? -1 : conv_transpose2d_call(r, a, out);
}

/* A pool's stride (argument index): as arg_sides, but 0 refused as PyTorch
 * refuses it, since the engine reads 0 as "the kernel", which is what
 * stride=none (not given) asks for. */
static int pool_stride(repl *r, const builtin_args *a, int index, int *stride) {
    if (arg_sides(r, a, index, stride, 2) < 0) return -1;
    char got[32];
    if (stride[0] == stride[1]) snprintf(got, sizeof got, "%d", stride[0]);
    else snprintf(got, sizeof got, "(%d, %d)", stride[0], stride[1]);
    if (arg_given(a, index) && (stride[0] == 0 || stride[1] == 0))
        return repl_error(r, "%s: stride should not be zero (got %s); stride=none, the default, is the kernel "
                             "size", a->def->name, got);
    return 0;
}

static int max_pool2d_batched(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int kernel[2], stride[2] = {0, 0}, padding[2] = {0, 0}, dilation[2] = {1, 1};
    bool ceil_mode;
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || pool_stride(r, a, 2, stride) < 0 ||
        arg_sides(r, a, 3, padding, 2) < 0 || arg_sides(r, a, 4, dilation, 2) < 0 || arg_bool(r, a, 5, &ceil_mode) < 0)
        return -1;
    return builtin_done_var(r, ag_max_pool2d(r->ctx, x, kernel, stride, padding, dilation, ceil_mode), out);
}

static int builtin_max_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    return batch_of_one(r, a, out, max_pool2d_batched, 4, "C, H, W");
}

static int avg_pool2d_batched(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int kernel[2], stride[2] = {0, 0}, padding[2] = {0, 0};
    bool ceil_mode, count_include_pad;
    int divisor = 0;
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || pool_stride(r, a, 2, stride) < 0 ||
        arg_sides(r, a, 3, padding, 2) < 0 || arg_bool(r, a, 4, &ceil_mode) < 0 ||
        arg_bool(r, a, 5, &count_include_pad) < 0 || (arg_given(a, 6) && arg_int(r, a, 6, &divisor) < 0))
        return -1;
    if (arg_given(a, 6) && divisor == 0)
        return repl_error(r, "avg_pool2d: divisor_override must not be 0 (none: each window's own count)");
    return builtin_done_var(
        r, ag_avg_pool2d_ex(r->ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor), out);
}

static int builtin_avg_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    return batch_of_one(r, a, out, avg_pool2d_batched, 4, "C, H, W");
}

/* adaptive_avg_pool2d's output_size: one size, or two, a none keeping that
 * side of the input as PyTorch's (None, 7). */
static int builtin_adaptive_avg_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int size[2];
    if (arg_var(r, a, 0, &x) < 0) return -1;
    repl_value v = a->values[1];
    if (v.kind == VALUE_LIST && v.as.list->count == 2 && ag_ndim(x) >= 2) {
        for (int i = 0; i < 2; i++) {
            repl_value item = v.as.list->items[i];
            double number;
            if (item.kind == VALUE_NIL) size[i] = ag_shape(x)[ag_ndim(x) - 2 + i];
            else if (eval_scalar_of(item, &number) && number == (int)number) size[i] = (int)number;
            else return repl_error(r, "adaptive_avg_pool2d: output_size needs sizes or none, not %s", item.kind == VALUE_STRING ? "a string" : "that");
        }
    } else if (arg_sides(r, a, 1, size, 2) < 0) {
        return -1;
    }
    return builtin_done_var(r, ag_adaptive_avg_pool2d(r->ctx, x, size), out);
}

/* interpolate's scale_factor: one number for every side, or one per side
 * (a list or a tuple, which is a variable). */
static int interp_scales(repl *r, const builtin_args *a, int spatial, double *scale) {
    repl_value v = a->values[2];
    int n = v.kind == VALUE_LIST ? v.as.list->count : v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1 ? (int)ag_size(v.as.var) : 0;
    if (n == 0) {
        if (arg_number(r, a, 2, &scale[0]) < 0) return -1;
        scale[1] = scale[0];
        return 0;
    }
    if (n != spatial)
        return repl_error(r, "interpolate: scale_factor has %d numbers, but input has %d spatial axes", n, spatial);
    for (int i = 0; i < n; i++) {
        if (v.kind == VALUE_VAR) {
            scale[i] = ag_cdata(v.as.var)[i];
        } else if (!eval_scalar_of(v.as.list->items[i], &scale[i])) {
            return repl_error(r, "interpolate: scale_factor must be numbers");
        }
    }
    return 0;
}

/* F.interpolate: "nearest", "nearest-exact", "linear"/"bilinear" (by the
 * input's axes), "bicubic" (4-D) through ag_interpolate; "area" is adaptive_avg_pool2d to the
 * output size.  recompute_scale_factor turns scale_factor into the size it
 * makes, so the pixels are placed by in/out as for a given size. */
static int builtin_interpolate(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    const char *mode;
    bool align_corners, recompute = false;
    if (arg_var(r, a, 0, &x) < 0 || arg_string(r, a, 3, &mode) < 0 || arg_bool(r, a, 4, &align_corners) < 0 ||
        (arg_given(a, 5) && arg_bool(r, a, 5, &recompute) < 0))
        return -1;
    int spatial = ag_ndim(x) - 2;
    if (spatial != 1 && spatial != 2) return builtin_done_var(r, ag_interpolate(r->ctx, x, NULL, NULL, AG_INTERP_NEAREST, false), out);
    ag_interp_mode m;
    bool area = false;
    if (strcmp(mode, "nearest") == 0) m = AG_INTERP_NEAREST;
    else if (strcmp(mode, "nearest-exact") == 0) m = AG_INTERP_NEAREST_EXACT;
    else if (strcmp(mode, spatial == 2 ? "bilinear" : "linear") == 0) m = AG_INTERP_LINEAR;
    else if (strcmp(mode, "area") == 0) m = AG_INTERP_NEAREST, area = true;
    else if (spatial == 2 && strcmp(mode, "bicubic") == 0) m = AG_INTERP_CUBIC;
    else
        return repl_error(r, "interpolate: mode \"%s\" is not \"nearest\", \"nearest-exact\", \"area\"%s for a %d-D input",
                          mode, spatial == 2 ? ", \"bilinear\" or \"bicubic\"" : " or \"linear\"", spatial + 2);
    if (area && align_corners)
        return repl_error(r, "interpolate: align_corners only goes with mode linear, bilinear or bicubic");
    if (recompute && arg_given(a, 1))
        return repl_error(r, "interpolate: recompute_scale_factor means nothing with a size given (it makes one from scale_factor)");
    int size[2];
    double scale[2];
    if (arg_given(a, 1) && arg_sides(r, a, 1, size, spatial) < 0) return -1;
    if (arg_given(a, 2) && interp_scales(r, a, spatial, scale) < 0) return -1;
    bool by_size = arg_given(a, 1), sized_scale = false;
    if (arg_given(a, 2) && !by_size && (recompute || area)) {
        /* the output size PyTorch computes, floor(in * scale); the engine checks the scale */
        for (int i = 0; i < spatial; i++) {
            if (!(scale[i] > 0) || !isfinite(scale[i]))
                return repl_error(r, "interpolate: scale_factor %g must be positive", scale[i]);
            size[i] = (int)floor(ag_shape(x)[2 + i] * scale[i]);
        }
        by_size = sized_scale = true;
    }
    bool by_scale = arg_given(a, 2) && !sized_scale;
    if (area) {
        if (by_size == by_scale) return repl_error(r, "interpolate: give either size or scale_factor");
        ag_var *y = spatial == 2 ? x : ag_unsqueeze(r->ctx, x, 2);
        y = ag_adaptive_avg_pool2d(r->ctx, y, spatial == 2 ? size : (const int[]){1, size[0]});
        return builtin_done_var(r, spatial == 2 || y == NULL ? y : ag_squeeze(r->ctx, y, 2), out);
    }
    return builtin_done_var(r, ag_interpolate(r->ctx, x, by_size ? size : NULL, by_scale ? scale : NULL,
                                              m, align_corners),
                            out);
}

/* DeZero's im2col(x, kernel_size, stride=1, pad=0, to_matrix=True): the
 * matrix (N*OH*OW, C*KH*KW), or (N, C, KH, KW, OH, OW) with to_matrix=false. */
static int builtin_im2col(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int kernel[2], stride[2] = {1, 1}, pad[2] = {0, 0};
    bool to_matrix;
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || arg_sides(r, a, 2, stride, 2) < 0 ||
        arg_sides(r, a, 3, pad, 2) < 0 || arg_bool(r, a, 4, &to_matrix) < 0)
        return -1;
    ag_ctx *ctx = r->ctx;
    ag_var *cols = ag_im2col(ctx, x, kernel, stride, pad, NULL);
    if (cols == NULL || to_matrix) return builtin_done_var(r, cols, out);
    const int *s = ag_shape(x);
    int N = s[0], C = s[1];
    int OH = (s[2] + 2 * pad[0] - kernel[0]) / stride[0] + 1, OW = (s[3] + 2 * pad[1] - kernel[1]) / stride[1] + 1;
    ag_var *y = ag_reshape(ctx, cols, 6, (const int[]){N, OH, OW, C, kernel[0], kernel[1]});
    return builtin_done_var(r, ag_transpose(ctx, y, (const int[]){0, 3, 4, 5, 1, 2}, 6), out);
}

/* DeZero's col2im(col, input_shape, kernel_size, stride=1, pad=0, to_matrix=True). */
static int builtin_col2im(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *col;
    int shape[4], n, kernel[2], stride[2] = {1, 1}, pad[2] = {0, 0};
    bool to_matrix;
    if (arg_var(r, a, 0, &col) < 0 || arg_ints(r, a, 1, shape, 4, &n) < 0 || arg_sides(r, a, 2, kernel, 2) < 0 ||
        arg_sides(r, a, 3, stride, 2) < 0 || arg_sides(r, a, 4, pad, 2) < 0 || arg_bool(r, a, 5, &to_matrix) < 0)
        return -1;
    if (n != 4) return repl_error(r, "col2im: input_shape needs 4 sizes (N, C, H, W), got %d", n);
    ag_ctx *ctx = r->ctx;
    if (!to_matrix) {
        if (ag_ndim(col) != 6)
            return repl_error(r, "col2im: with to_matrix=false col must be 6-D (N, C, KH, KW, OH, OW), not %d-D",
                              ag_ndim(col));
        const int *s = ag_shape(col);
        col = ag_transpose(ctx, col, (const int[]){0, 4, 5, 1, 2, 3}, 6);
        col = ag_reshape(ctx, col, 2, (const int[]){s[0] * s[4] * s[5], s[1] * s[2] * s[3]});
    }
    return builtin_done_var(r, ag_col2im(ctx, col, shape, kernel, stride, pad, NULL), out);
}

/* Tensor.unfold(dimension, size, step): the windows of `size` elements every
 * `step` along one axis, that axis becoming their count and a last axis of
 * `size` added (x [.., L, ..] -> [.., (L - size)/step + 1, .., size]).  One
 * GetItem of the windows' positions, a Reshape and a Transpose, so the
 * gradient adds back where windows overlap. */
static int tensor_unfold(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int dimension, size, step;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dimension) < 0) return -1;
    if (arg_int(r, a, 2, &size) < 0 || arg_int(r, a, 3, &step) < 0) return -1;
    int ndim = ag_ndim(x), axis = dimension < 0 ? dimension + ndim : dimension;
    if (axis < 0 || axis >= (ndim > 0 ? ndim : 1))
        return repl_error(r, "unfold: dimension %d out of range for %d axes", dimension, ndim);
    char text[48];
    if (ndim + 1 > AG_MAX_DIMS)
        return repl_error(r, "unfold: %s has %d axes already", builtin_receiver(r, a, "x", text, sizeof text), ndim);
    int length = ndim > 0 ? ag_shape(x)[axis] : 1;
    if (size < 0 || size > length)
        return repl_error(r, "unfold: size %d does not fit axis %d of length %d", size, dimension, length);
    if (step < 1) return repl_error(r, "unfold: step must be at least 1, not %d (x.unfold(dimension, size, step))", step);
    int windows = (length - size) / step + 1;
    int *positions = malloc((size_t)(windows * size > 0 ? windows * size : 1) * sizeof *positions);
    if (positions == NULL) return repl_error(r, "out of memory");
    for (int i = 0; i < windows; i++)
        for (int j = 0; j < size; j++) positions[i * size + j] = i * step + j;
    if (ndim == 0) x = ag_reshape(r->ctx, x, 1, (const int[]){1}); /* torch: a 0-d x acts as [1] */
    int shape[AG_MAX_DIMS], order[AG_MAX_DIMS], n = 0;
    for (int d = 0; d < (ndim > 0 ? ndim : 1); d++) {
        if (d == axis) {
            shape[n++] = windows;
            shape[n++] = size;
        } else {
            shape[n++] = ag_shape(x)[d];
        }
    }
    for (int d = 0, k = 0; d < n; d++)
        if (d != axis + 1) order[k++] = d;
    order[n - 1] = axis + 1;
    ag_var *y = ag_get_item(r->ctx, x, axis, positions, windows * size);
    free(positions);
    y = ag_transpose(r->ctx, ag_reshape(r->ctx, y, n, shape), order, n);
    if (y != NULL && ndim == 0) y = ag_reshape(r->ctx, y, 1, (const int[]){size});
    return builtin_done_var(r, y, out);
}

/* unfold(x, kernel_size, ...) is F.unfold; x.unfold(dimension, size, step)
 * is Tensor.unfold, as in PyTorch, where the method and the function differ. */
static int builtin_unfold(repl *r, const builtin_args *a, repl_value *out) {
    if (a->call != NULL && a->call->kind == AST_CALL && a->call->as.call.callee->kind == AST_ATTRIBUTE)
        return tensor_unfold(r, a, out);
    ag_var *x;
    int kernel[2], dilation[2] = {1, 1}, padding[2] = {0, 0}, stride[2] = {1, 1};
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || arg_sides(r, a, 2, dilation, 2) < 0 ||
        arg_sides(r, a, 3, padding, 2) < 0 || arg_sides(r, a, 4, stride, 2) < 0)
        return -1;
    return builtin_done_var(r, ag_unfold(r->ctx, x, kernel, dilation, padding, stride), out);
}

static int builtin_fold(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int size[2], kernel[2], dilation[2] = {1, 1}, padding[2] = {0, 0}, stride[2] = {1, 1};
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, size, 2) < 0 || arg_sides(r, a, 2, kernel, 2) < 0 ||
        arg_sides(r, a, 3, dilation, 2) < 0 || arg_sides(r, a, 4, padding, 2) < 0 || arg_sides(r, a, 5, stride, 2) < 0)
        return -1;
    return builtin_done_var(r, ag_fold(r->ctx, x, size, kernel, dilation, padding, stride), out);
}

const builtin_def builtins_conv[] = {
    {"conv2d", "input, weight, bias=nil, stride=1, padding=0, dilation=1, groups=1", builtin_conv2d, "nn",
     "F.conv2d: input (N, C, H, W) or unbatched (C, H, W), weight (OC, C/groups, KH, KW), bias (OC) -> (N, OC, OH, OW);\n"
     "  sizes are a number or (height, width); padding=\"same\" (stride 1: the output keeps H, W, an odd total's\n"
     "  extra row and column at the bottom and right) or \"valid\" (0)", .framed = true},
    {"conv1d", "input, weight, bias=nil, stride=1, padding=0, dilation=1, groups=1", builtin_conv1d, "nn",
     "F.conv1d: input (N, C, L) or unbatched (C, L), weight (OC, C/groups, K) -> (N, OC, OL); padding=\"same\" or \"valid\"", .framed = true},
    {"conv_transpose2d", "input, weight, bias=nil, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
     builtin_conv_transpose2d, "nn",
     "F.conv_transpose2d: input (N, C, H, W) or (C, H, W), weight (C, OC/groups, KH, KW) -> (N, OC, (H-1)*stride - 2*padding + "
     "dilation*(KH-1) + output_padding + 1, ...); output_padding below the stride or the dilation", .framed = true},
    {"max_pool2d", "input, kernel_size, stride=nil, padding=0, dilation=1, ceil_mode=false", builtin_max_pool2d, "nn",
     "F.max_pool2d of (N, C, H, W) or (C, H, W): each window's maximum (stride defaults to the kernel, 0 is refused; padding at most half the kernel); the "
     "gradient goes to the first maximum"},
    {"avg_pool2d", "input, kernel_size, stride=nil, padding=0, ceil_mode=false, count_include_pad=true, divisor_override=nil",
     builtin_avg_pool2d, "nn",
     "F.avg_pool2d of (N, C, H, W) or (C, H, W): each window's mean (count_include_pad: the padding's zeros count)\n"
     "  divisor_override=d: each window's sum divided by d instead; stride defaults to the kernel, 0 is refused", .framed = true},
    {"adaptive_avg_pool2d", "input, output_size", builtin_adaptive_avg_pool2d, "nn",
     "F.adaptive_avg_pool2d: (N, C, H, W) or (C, H, W) averaged down to output_size windows (a none in\n"
     "  (none, 2) keeps that side)", .framed = true},
    {"interpolate", "input, size=nil, scale_factor=nil, mode=\"nearest\", align_corners=false, recompute_scale_factor=nil", builtin_interpolate, "nn",
     "F.interpolate of (N, C, L) or (N, C, H, W) to size or by scale_factor (one, or one per side): mode \"nearest\",\n"
     "  \"nearest-exact\", \"area\" (adaptive_avg_pool2d), \"linear\" (3-D), \"bilinear\" or \"bicubic\" (4-D);\n"
     "  recompute_scale_factor=true places pixels by the size scale_factor makes", .framed = true},
    {"im2col", "x, kernel_size, stride=1, pad=0, to_matrix=true", builtin_im2col, "nn",
     "DeZero's im2col: every window of x (N, C, H, W) as a row, (N*OH*OW, C*KH*KW); to_matrix=false: (N, C, KH, KW, "
     "OH, OW)"},
    {"col2im", "col, input_shape, kernel_size, stride=1, pad=0, to_matrix=true", builtin_col2im, "nn",
     "DeZero's col2im: im2col's columns back to an image of input_shape, overlaps added (im2col's gradient)"},
    {"unfold", "input, kernel_size, dilation=1, padding=0, stride=1", builtin_unfold, "nn",
     "F.unfold: the windows of input (N, C, H, W) as columns, (N, C*KH*KW, L); the method x.unfold(dimension, size, "
     "step) is Tensor.unfold: windows along one axis, a last axis of size added (gradient added back)", .framed = true},
    {"fold", "input, output_size, kernel_size, dilation=1, padding=0, stride=1", builtin_fold, "nn",
     "F.fold: columns (N, C*KH*KW, L) back to (N, C, H, W), overlaps added", .framed = true},
    {0},
};
