/* builtins_conv.c — the built-ins of images: convolution, pooling,
 * interpolation and DeZero's im2col/col2im, with PyTorch's names, argument
 * names and defaults.  Each row calls one engine function of ops_conv.c
 * (include/autograd/ag_ops.h); a size is a number or a pair (height, width). */
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

static int builtin_conv2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride[2] = {1, 1}, padding[2] = {0, 0}, dilation[2] = {1, 1}, groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, stride, 2) < 0 || arg_sides(r, a, 4, padding, 2) < 0 || arg_sides(r, a, 5, dilation, 2) < 0 ||
        arg_int(r, a, 6, &groups) < 0)
        return -1;
    return builtin_done_var(r, ag_conv2d(r->ctx, x, w, b, stride, padding, dilation, groups), out);
}

static int builtin_conv1d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride = 1, padding = 0, dilation = 1, groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, &stride, 1) < 0 || arg_sides(r, a, 4, &padding, 1) < 0 ||
        arg_sides(r, a, 5, &dilation, 1) < 0 || arg_int(r, a, 6, &groups) < 0)
        return -1;
    return builtin_done_var(r, ag_conv1d(r->ctx, x, w, b, stride, padding, dilation, groups), out);
}

static int builtin_conv_transpose2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b;
    int stride[2] = {1, 1}, padding[2] = {0, 0}, output_padding[2] = {0, 0}, dilation[2] = {1, 1}, groups;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0 ||
        arg_sides(r, a, 3, stride, 2) < 0 || arg_sides(r, a, 4, padding, 2) < 0 ||
        arg_sides(r, a, 5, output_padding, 2) < 0 || arg_int(r, a, 6, &groups) < 0 ||
        arg_sides(r, a, 7, dilation, 2) < 0)
        return -1;
    return builtin_done_var(r, ag_conv_transpose2d(r->ctx, x, w, b, stride, padding, output_padding, groups, dilation), out);
}

static int builtin_max_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int kernel[2], stride[2] = {0, 0}, padding[2] = {0, 0}, dilation[2] = {1, 1};
    bool ceil_mode;
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || arg_sides(r, a, 2, stride, 2) < 0 ||
        arg_sides(r, a, 3, padding, 2) < 0 || arg_sides(r, a, 4, dilation, 2) < 0 || arg_bool(r, a, 5, &ceil_mode) < 0)
        return -1;
    return builtin_done_var(r, ag_max_pool2d(r->ctx, x, kernel, stride, padding, dilation, ceil_mode), out);
}

static int builtin_avg_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int kernel[2], stride[2] = {0, 0}, padding[2] = {0, 0};
    bool ceil_mode, count_include_pad;
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, kernel, 2) < 0 || arg_sides(r, a, 2, stride, 2) < 0 ||
        arg_sides(r, a, 3, padding, 2) < 0 || arg_bool(r, a, 4, &ceil_mode) < 0 ||
        arg_bool(r, a, 5, &count_include_pad) < 0)
        return -1;
    return builtin_done_var(r, ag_avg_pool2d(r->ctx, x, kernel, stride, padding, ceil_mode, count_include_pad), out);
}

static int builtin_adaptive_avg_pool2d(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int size[2];
    if (arg_var(r, a, 0, &x) < 0 || arg_sides(r, a, 1, size, 2) < 0) return -1;
    return builtin_done_var(r, ag_adaptive_avg_pool2d(r->ctx, x, size), out);
}

static int builtin_interpolate(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    const char *mode;
    bool align_corners;
    if (arg_var(r, a, 0, &x) < 0 || arg_string(r, a, 3, &mode) < 0 || arg_bool(r, a, 4, &align_corners) < 0) return -1;
    int spatial = ag_ndim(x) - 2;
    if (spatial != 1 && spatial != 2) return builtin_done_var(r, ag_interpolate(r->ctx, x, NULL, NULL, AG_INTERP_NEAREST, false), out);
    ag_interp_mode m;
    if (strcmp(mode, "nearest") == 0) m = AG_INTERP_NEAREST;
    else if (strcmp(mode, spatial == 2 ? "bilinear" : "linear") == 0) m = AG_INTERP_LINEAR;
    else
        return repl_error(r, "interpolate: mode \"%s\" is not \"nearest\" or \"%s\" for a %d-D x", mode,
                          spatial == 2 ? "bilinear" : "linear", spatial + 2);
    int size[2];
    double scale[2];
    if (arg_given(a, 1) && arg_sides(r, a, 1, size, spatial) < 0) return -1;
    if (arg_given(a, 2)) {
        const repl_value v = a->values[2];
        if (v.kind == VALUE_LIST && v.as.list->count == spatial) {
            for (int i = 0; i < spatial; i++) {
                repl_value item = v.as.list->items[i];
                if (item.kind != VALUE_NUMBER && !(item.kind == VALUE_VAR && ag_size(item.as.var) == 1))
                    return repl_error(r, "interpolate: scale_factor must be numbers");
                scale[i] = item.kind == VALUE_NUMBER ? item.as.number : ag_item(item.as.var);
            }
        } else {
            if (arg_number(r, a, 2, &scale[0]) < 0) return -1;
            scale[1] = scale[0];
        }
    }
    return builtin_done_var(r, ag_interpolate(r->ctx, x, arg_given(a, 1) ? size : NULL, arg_given(a, 2) ? scale : NULL, m,
                                      align_corners),
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
    {"conv2d", "x, weight, bias=nil, stride=1, padding=0, dilation=1, groups=1", builtin_conv2d, "nn",
     "F.conv2d: x (N, C, H, W), weight (OC, C/groups, KH, KW), bias (OC) -> (N, OC, OH, OW); sizes are a number "
     "or (height, width)"},
    {"conv1d", "x, weight, bias=nil, stride=1, padding=0, dilation=1, groups=1", builtin_conv1d, "nn",
     "F.conv1d: x (N, C, L), weight (OC, C/groups, K) -> (N, OC, OL)"},
    {"conv_transpose2d", "x, weight, bias=nil, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
     builtin_conv_transpose2d, "nn",
     "F.conv_transpose2d: x (N, C, H, W), weight (C, OC/groups, KH, KW) -> (N, OC, (H-1)*stride - 2*padding + "
     "dilation*(KH-1) + output_padding + 1, ...); output_padding below the stride or the dilation"},
    {"max_pool2d", "x, kernel_size, stride=nil, padding=0, dilation=1, ceil_mode=false", builtin_max_pool2d, "nn",
     "F.max_pool2d: each window's maximum (stride defaults to the kernel; padding at most half the kernel); the "
     "gradient goes to the first maximum"},
    {"avg_pool2d", "x, kernel_size, stride=nil, padding=0, ceil_mode=false, count_include_pad=true", builtin_avg_pool2d,
     "nn", "F.avg_pool2d: each window's mean (count_include_pad: the padding's zeros count)"},
    {"adaptive_avg_pool2d", "x, output_size", builtin_adaptive_avg_pool2d, "nn",
     "F.adaptive_avg_pool2d: (N, C, H, W) averaged down to output_size windows"},
    {"interpolate", "x, size=nil, scale_factor=nil, mode=\"nearest\", align_corners=false", builtin_interpolate, "nn",
     "F.interpolate of (N, C, L) or (N, C, H, W) to size or by scale_factor: mode \"nearest\", \"linear\" (3-D) or "
     "\"bilinear\" (4-D)"},
    {"im2col", "x, kernel_size, stride=1, pad=0, to_matrix=true", builtin_im2col, "nn",
     "DeZero's im2col: every window of x (N, C, H, W) as a row, (N*OH*OW, C*KH*KW); to_matrix=false: (N, C, KH, KW, "
     "OH, OW)"},
    {"col2im", "col, input_shape, kernel_size, stride=1, pad=0, to_matrix=true", builtin_col2im, "nn",
     "DeZero's col2im: im2col's columns back to an image of input_shape, overlaps added (im2col's gradient)"},
    {"unfold", "x, kernel_size, dilation=1, padding=0, stride=1", builtin_unfold, "nn",
     "F.unfold: the windows of x (N, C, H, W) as columns, (N, C*KH*KW, L); the method x.unfold(dimension, size, "
     "step) is Tensor.unfold: windows along one axis, a last axis of size added (gradient added back)"},
    {"fold", "x, output_size, kernel_size, dilation=1, padding=0, stride=1", builtin_fold, "nn",
     "F.fold: columns (N, C*KH*KW, L) back to (N, C, H, W), overlaps added"},
    {0},
};
