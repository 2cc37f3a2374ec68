/* ops_conv.c — images: DeZero's im2col and col2im (the two primitive ops,
 * each the other's gradient), max_pool2d (its own op: it keeps the position
 * of each window's maximum), and, made of the table's ops so each gradient
 * is theirs, PyTorch's conv2d, conv1d, conv_transpose2d, avg_pool2d,
 * adaptive_avg_pool2d, interpolate, unfold and fold.
 *
 * Shapes follow PyTorch: images are (N, C, H, W), a kernel (OC, C/groups,
 * KH, KW); an output side is (H + 2*pad - dilation*(K - 1) - 1) / stride + 1.
 * The column matrix is DeZero's: one row per output pixel (n, oh, ow), one
 * column per (c, kh, kw), so a convolution is a single product
 * cols (N*OH*OW, C*KH*KW) @ W^T (C*KH*KW, OC) + b, one dgemm through Linear. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "internal.h"

/* params.ints of Im2col, Col2im and MaxPool2d: the window and the image. */
enum { K_H, K_W, S_H, S_W, P_H, P_W, D_H, D_W, IMG_H, IMG_W, WINDOW_INTS };

typedef struct {
    int kh, kw, sh, sw, ph, pw, dh, dw;
} window;

static window window_of(const int *v) {
    return (window){v[K_H], v[K_W], v[S_H], v[S_W], v[P_H], v[P_W], v[D_H], v[D_W]};
}

/* The window of the public functions' arguments: NULL stride, padding or
 * dilation take PyTorch's defaults 1, 0, 1. */
static window window_from(int kh, int kw, const int *stride, const int *padding, const int *dilation) {
    return (window){kh, kw, stride ? stride[0] : 1, stride ? stride[1] : 1, padding ? padding[0] : 0,
                    padding ? padding[1] : 0, dilation ? dilation[0] : 1, dilation ? dilation[1] : 1};
}

/* An output side for an input side `in`, or < 1 when the kernel does not fit. */
static int out_side(int in, int k, int s, int p, int d, bool ceil_mode) {
    long span = (long)in + 2L * p - (long)d * (k - 1) - 1;
    if (span < 0) return 0;
    long o = ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
    /* ceil_mode: the last window must start inside the image or its left padding */
    if (ceil_mode && (o - 1) * s >= (long)in + p) o--;
    return (int)o;
}

/* The window's numbers checked (positive kernel, stride, dilation; padding >= 0). */
static bool window_ok(ag_ctx *ctx, const char *op, const window *w) {
    if (w->kh < 1 || w->kw < 1)
        return ctx_error(ctx, AG_ERR_ARG, "%s: kernel_size (%d, %d) must be positive", op, w->kh, w->kw), false;
    if (w->sh < 1 || w->sw < 1)
        return ctx_error(ctx, AG_ERR_ARG, "%s: stride (%d, %d) must be positive", op, w->sh, w->sw), false;
    if (w->dh < 1 || w->dw < 1)
        return ctx_error(ctx, AG_ERR_ARG, "%s: dilation (%d, %d) must be positive", op, w->dh, w->dw), false;
    if (w->ph < 0 || w->pw < 0)
        return ctx_error(ctx, AG_ERR_ARG, "%s: padding (%d, %d) must not be negative", op, w->ph, w->pw), false;
    return true;
}

/* The output sides of w over an h x w image, or false with "kernel larger than
 * the padded input". */
static bool window_fits(ag_ctx *ctx, const char *op, const window *w, int h, int wd, int *oh, int *ow,
                        bool ceil_mode) {
    *oh = out_side(h, w->kh, w->sh, w->ph, w->dh, ceil_mode);
    *ow = out_side(wd, w->kw, w->sw, w->pw, w->dw, ceil_mode);
    if (*oh < 1 || *ow < 1)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "%s: kernel (%d, %d) with dilation (%d, %d) is larger than the padded input (%d, %d)",
                         op, w->kh, w->kw, w->dh, w->dw, h + 2 * w->ph, wd + 2 * w->pw),
               false;
    return true;
}

/* Graph label: "(kernel=[3 3], stride=[2 2], padding=[1 1])", the defaults left out. */
void op_label_KERNEL(const ag_op_params *p, char *buf, size_t n) {
    if (p->ints == NULL || p->n < WINDOW_INTS) {
        buf[0] = '\0';
        return;
    }
    const int *v = p->ints;
    int at = snprintf(buf, n, "(kernel=[%d %d]", v[K_H], v[K_W]);
    if (at > 0 && (size_t)at < n && (v[S_H] != 1 || v[S_W] != 1))
        at += snprintf(buf + at, n - (size_t)at, ", stride=[%d %d]", v[S_H], v[S_W]);
    if (at > 0 && (size_t)at < n && (v[P_H] != 0 || v[P_W] != 0))
        at += snprintf(buf + at, n - (size_t)at, ", padding=[%d %d]", v[P_H], v[P_W]);
    if (at > 0 && (size_t)at < n && (v[D_H] != 1 || v[D_W] != 1))
        at += snprintf(buf + at, n - (size_t)at, ", dilation=[%d %d]", v[D_H], v[D_W]);
    if (at > 0 && (size_t)at < n) snprintf(buf + at, n - (size_t)at, ")");
}

static ag_op_params window_params(int *ints, const window *w, int img_h, int img_w) {
    ints[K_H] = w->kh, ints[K_W] = w->kw, ints[S_H] = w->sh, ints[S_W] = w->sw;
    ints[P_H] = w->ph, ints[P_W] = w->pw, ints[D_H] = w->dh, ints[D_W] = w->dw;
    ints[IMG_H] = img_h, ints[IMG_W] = img_w;
    return (ag_op_params){.n = WINDOW_INTS, .ints = ints};
}

/* For each output pixel and each (c, ki, kj), the source pixel's place in its
 * channel's plane (ih*W + iw), or -1 in the padding: the one walk im2col,
 * col2im and max_pool2d share.  BODY sees row (the output pixel's row of the
 * column matrix, from 0 per image), col, plane (the channel's offset) and at. */
#define WINDOW_WALK(w, C, H, W, OH, OW, ...)                                                   \
    for (int oh_ = 0; oh_ < (OH); oh_++)                                                        \
        for (int ow_ = 0; ow_ < (OW); ow_++) {                                                  \
            size_t row = (size_t)oh_ * (size_t)(OW) + (size_t)ow_;                              \
            size_t col = 0;                                                                     \
            for (int c_ = 0; c_ < (C); c_++) {                                                  \
                size_t plane = (size_t)c_ * (size_t)(H) * (size_t)(W);                          \
                for (int ki_ = 0; ki_ < (w).kh; ki_++) {                                        \
                    int ih_ = oh_ * (w).sh - (w).ph + ki_ * (w).dh;                             \
                    for (int kj_ = 0; kj_ < (w).kw; kj_++, col++) {                             \
                        int iw_ = ow_ * (w).sw - (w).pw + kj_ * (w).dw;                         \
                        long at = ih_ >= 0 && ih_ < (H) && iw_ >= 0 && iw_ < (W)                \
                                      ? (long)ih_ * (W) + iw_                                   \
                                      : -1L;                                                    \
                        (void)plane, (void)row, (void)col;                                      \
                        __VA_ARGS__;                                                                   \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
        }

/* One image's columns: the same walk as WINDOW_WALK (each output pixel's row
 * holds its window, channel by channel), by kernel rows: a row of the window
 * outside the image is zeros, one inside reads its pixels with the bounds
 * checked only where the window overhangs the sides (measured: W8's step
 * spent 9 % in the element-wise walk). */
static void im2col_image(const window *w, const double *src, double *dst, int C, int H, int W, int OH, int OW) {
    for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
            int iw0 = ow * w->sw - w->pw;
            bool inside = iw0 >= 0 && iw0 + (w->kw - 1) * w->dw < W;
            for (int c = 0; c < C; c++) {
                const double *plane = src + (size_t)c * H * W;
                for (int ki = 0; ki < w->kh; ki++, dst += w->kw) {
                    int ih = oh * w->sh - w->ph + ki * w->dh;
                    if (ih < 0 || ih >= H) {
                        for (int kj = 0; kj < w->kw; kj++) dst[kj] = 0.0;
                        continue;
                    }
                    const double *line = plane + (size_t)ih * W;
                    if (inside) {
                        for (int kj = 0; kj < w->kw; kj++) dst[kj] = line[iw0 + kj * w->dw];
                    } else {
                        for (int kj = 0; kj < w->kw; kj++) {
                            int iw = iw0 + kj * w->dw;
                            dst[kj] = iw >= 0 && iw < W ? line[iw] : 0.0;
                        }
                    }
                }
            }
        }
}

/* Its adjoint: each column entry added back at its pixel, in the same order. */
static void col2im_image(const window *w, const double *src, double *dst, int C, int H, int W, int OH, int OW) {
    for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
            int iw0 = ow * w->sw - w->pw;
            bool inside = iw0 >= 0 && iw0 + (w->kw - 1) * w->dw < W;
            for (int c = 0; c < C; c++) {
                double *plane = dst + (size_t)c * H * W;
                for (int ki = 0; ki < w->kh; ki++, src += w->kw) {
                    int ih = oh * w->sh - w->ph + ki * w->dh;
                    if (ih < 0 || ih >= H) continue;
                    double *line = plane + (size_t)ih * W;
                    if (inside) {
                        for (int kj = 0; kj < w->kw; kj++) line[iw0 + kj * w->dw] += src[kj];
                    } else {
                        for (int kj = 0; kj < w->kw; kj++) {
                            int iw = iw0 + kj * w->dw;
                            if (iw >= 0 && iw < W) line[iw] += src[kj];
                        }
                    }
                }
            }
        }
}

/* ---- im2col: x (N, C, H, W) -> cols (N*OH*OW, C*KH*KW); gx = col2im(gy) ------------------ */

ag_var *ag_im2col(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                  const int *dilation) {
    if (!op_input_ok(ctx, AG_OP_IM2COL, x)) return NULL;
    if (kernel == NULL) return ctx_error(ctx, AG_ERR_ARG, "im2col: kernel_size is missing");
    window w = window_from(kernel[0], kernel[1], stride, padding, dilation);
    int ints[WINDOW_INTS];
    ag_op_params p = window_params(ints, &w, 0, 0);
    return op_apply(ctx, AG_OP_IM2COL, &p, (ag_var *[]){x}, 1, 1, NULL);
}

int op_im2col_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    window w = window_of(FUNC_PARAMS(f)->ints);
    char xs[SHAPE_BUF];
    if (x->ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "im2col: x must be 4-D (N, C, H, W), got %s", shape_str(x, xs)), -1;
    int N = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3], OH, OW;
    if (!window_ok(ctx, "im2col", &w) || !window_fits(ctx, "im2col", &w, H, W, &OH, &OW, false)) return -1;
    /* the image's sides, for the backward's col2im (f has its own block:
     * its ints are set) */
    f->more->ints[IMG_H] = H, f->more->ints[IMG_W] = W;
    long rows = (long)N * OH * OW, cols = (long)C * w.kh * w.kw;
    if (rows > INT32_MAX || cols > INT32_MAX)
        return ctx_error(ctx, AG_ERR_NOMEM, "im2col: %ld x %ld columns are too many", rows, cols), -1;
    if (t_init_uninit(ctx, &ys[0], 2, (const int[]){(int)rows, (int)cols}) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    size_t image = (size_t)C * H * W, block = (size_t)OH * OW * (size_t)cols;
    for (int n = 0; n < N; n++) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        const double *src = x->data + (size_t)n * image;
        double *dst = ys[0].data + (size_t)n * block;
        im2col_image(&w, src, dst, C, H, W, OH, OW);
    }
    return 0;
}

int op_im2col_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (!input_wants_grad(f, 0)) { /* the images of a first layer: data */
        gxs[0] = NULL;
        return 0;
    }
    const int *ints = FUNC_PARAMS(f)->ints;
    gxs[0] = ag_col2im(ctx, gys[0], x->shape, ints + K_H, ints + S_H, ints + P_H, ints + D_H);
    RETURN_GX0;
}

/* ---- col2im: cols (N*OH*OW, C*KH*KW) -> x (N, C, H, W), overlaps added; gx = im2col(gy) --- */

ag_var *ag_col2im(ag_ctx *ctx, ag_var *cols, const int *image_shape, const int *kernel, const int *stride,
                  const int *padding, const int *dilation) {
    if (!op_input_ok(ctx, AG_OP_COL2IM, cols)) return NULL;
    if (kernel == NULL || image_shape == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "col2im: %s is missing", kernel == NULL ? "kernel_size" : "the image shape");
    window w = window_from(kernel[0], kernel[1], stride, padding, dilation);
    int ints[WINDOW_INTS];
    ag_op_params p = window_params(ints, &w, image_shape[2], image_shape[3]);
    p.ndim = 4;
    memcpy(p.shape, image_shape, 4 * sizeof *image_shape);
    return op_apply(ctx, AG_OP_COL2IM, &p, (ag_var *[]){cols}, 1, 1, NULL);
}

int op_col2im_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    const ag_op_params *p = FUNC_PARAMS(f);
    window w = window_of(p->ints);
    const int *img = p->shape;
    int N = img[0], C = img[1], H = img[2], W = img[3], OH, OW;
    char xs[SHAPE_BUF];
    if (N < 0 || C < 0 || H < 1 || W < 1)
        return ctx_error(ctx, AG_ERR_ARG, "col2im: image shape [%d %d %d %d] is not an image", N, C, H, W), -1;
    if (!window_ok(ctx, "col2im", &w) || !window_fits(ctx, "col2im", &w, H, W, &OH, &OW, false)) return -1;
    long rows = (long)N * OH * OW, cols = (long)C * w.kh * w.kw;
    if (x->ndim != 2 || x->shape[0] != rows || x->shape[1] != cols)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "col2im: columns %s do not fit image [%d %d %d %d] with kernel (%d, %d): need [%ld %ld]",
                         shape_str(x, xs), N, C, H, W, w.kh, w.kw, rows, cols),
               -1;
    if (t_init(ctx, &ys[0], 4, img) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    size_t image = (size_t)C * H * W, block = (size_t)OH * OW * (size_t)cols;
    for (int n = 0; n < N; n++) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        const double *src = x->data + (size_t)n * block;
        double *dst = ys[0].data + (size_t)n * image;
        col2im_image(&w, src, dst, C, H, W, OH, OW);
    }
    return 0;
}

int op_col2im_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const int *ints = FUNC_PARAMS(f)->ints;
    gxs[0] = ag_im2col(ctx, gys[0], ints + K_H, ints + S_H, ints + P_H, ints + D_H);
    RETURN_GX0;
}

/* ---- max_pool2d: each window's maximum (padding is -inf; NaN wins, the first of equal
 * values wins, as PyTorch); gx = gy added at those places (a ScatterAdd of the kept
 * positions, so its own gradient is a Gather) -------------------------------------------- */

int op_max_pool2d_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    window w = window_of(FUNC_PARAMS(f)->ints);
    char xs[SHAPE_BUF];
    if (x->ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "max_pool2d: x must be 4-D (N, C, H, W), got %s", shape_str(x, xs)),
               -1;
    int N = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3], OH, OW;
    bool ceil_mode = FUNC_PARAMS(f)->axis != 0;
    if (!window_ok(ctx, "max_pool2d", &w) || !window_fits(ctx, "max_pool2d", &w, H, W, &OH, &OW, ceil_mode))
        return -1;
    int planes = N * C;
    ag_var *where = ag_zeros(ctx, 2, (const int[]){planes, OH * OW});
    if (where == NULL) return -1;
    where->flags |= AG_VAR_CONST;
    if (t_init_uninit(ctx, &ys[0], 4, (const int[]){N, C, OH, OW}) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    size_t image = (size_t)H * W, out = (size_t)OH * OW;
    for (int q = 0; q < planes; q++) {
        if ((q & 63) == 0 && ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        const double *src = x->data + (size_t)q * image;
        double *dst = ys[0].data + (size_t)q * out, *pos = where->t.data + (size_t)q * out;
        for (size_t r = 0; r < out; r++) dst[r] = -INFINITY, pos[r] = -1;
        WINDOW_WALK(w, 1, H, W, OH, OW, if (at >= 0) {
            double v = src[at];
            if (pos[row] < 0 || v > dst[row] || (isnan(v) && !isnan(dst[row]))) dst[row] = v, pos[row] = (double)at;
        });
    }
    f->saved = where;
    return 0;
}

int op_max_pool2d_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (f->saved == NULL) return ctx_error(ctx, AG_ERR_ARG, "max_pool2d: the positions are missing"), -1;
    int planes = x->shape[0] * x->shape[1];
    if (!ctx->grad_enabled) {
        /* nothing records this backward: the ScatterAdd's sums, made in one pass
         * (the same additions in the same order, without its index checks) */
        ag_var *gx = ag_zeros(ctx, x->ndim, x->shape);
        if (gx == NULL) return -1;
        size_t out = (size_t)f->saved->t.shape[1], image = (size_t)x->shape[2] * x->shape[3];
        const double *gy = gys[0]->t.data, *pos = f->saved->t.data;
        for (size_t q = 0; q < (size_t)planes; q++)
            for (size_t r = 0; r < out; r++) gx->t.data[q * image + (size_t)pos[q * out + r]] += gy[q * out + r];
        gxs[0] = gx;
        return 0;
    }
    ag_var *g = ag_reshape(ctx, gys[0], 2, (const int[]){planes, f->saved->t.shape[1]});
    g = ag_scatter_add(ctx, g, 1, f->saved, 2, (const int[]){planes, x->shape[2] * x->shape[3]});
    gxs[0] = ag_reshape(ctx, g, x->ndim, x->shape);
    RETURN_GX0;
}

/* The window of a pool: stride NULL (or 0s) is the kernel, PyTorch's default;
 * padding at most half the kernel, as PyTorch requires. */
static bool pool_window(ag_ctx *ctx, const char *op, const int *kernel, const int *stride, const int *padding,
                        const int *dilation, window *w) {
    if (kernel == NULL) return ctx_error(ctx, AG_ERR_ARG, "%s: kernel_size is missing", op), false;
    bool default_stride = stride == NULL || (stride[0] == 0 && stride[1] == 0);
    *w = (window){kernel[0], kernel[1], default_stride ? kernel[0] : stride[0], default_stride ? kernel[1] : stride[1],
                  padding ? padding[0] : 0, padding ? padding[1] : 0, dilation ? dilation[0] : 1,
                  dilation ? dilation[1] : 1};
    if (!window_ok(ctx, op, w)) return false;
    if (w->ph > w->kh / 2 || w->pw > w->kw / 2)
        return ctx_error(ctx, AG_ERR_ARG, "%s: padding (%d, %d) must be at most half the kernel (%d, %d)", op, w->ph,
                         w->pw, w->kh, w->kw),
               false;
    return true;
}

ag_var *ag_max_pool2d(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                      const int *dilation, bool ceil_mode) {
    if (!op_input_ok(ctx, AG_OP_MAX_POOL2D, x)) return NULL;
    window w;
    if (!pool_window(ctx, "max_pool2d", kernel, stride, padding, dilation, &w)) return NULL;
    int ints[WINDOW_INTS];
    ag_op_params p = window_params(ints, &w, 0, 0);
    p.axis = ceil_mode;
    return op_apply(ctx, AG_OP_MAX_POOL2D, &p, (ag_var *[]){x}, 1, 1, NULL);
}

/* ---- compositions ---------------------------------------------------------------------- */

static bool is_4d(ag_ctx *ctx, const char *op, const char *what, const ag_var *v) {
    char s[SHAPE_BUF];
    if (v->t.ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %s must be 4-D (N, C, H, W), got %s", op, what, shape_str(&v->t, s)),
               false;
    return true;
}

/* A kernel w of ndim axes laid out as `layout`, as PyTorch names them. */
static bool weight_ok(ag_ctx *ctx, const char *op, const ag_var *w, int ndim, const char *layout) {
    char s[SHAPE_BUF];
    if (w->t.ndim != ndim)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: weight must be %d-D %s, got %s", op, ndim, layout,
                         shape_str(&w->t, s)),
               false;
    return true;
}

/* A constant leaf of the given shape and numbers (no gradient flows to it). */
static ag_var *constant(ag_ctx *ctx, int ndim, const int *shape, const double *values) {
    ag_var *v = ag_zeros(ctx, ndim, shape);
    if (v == NULL) return NULL;
    if (values != NULL) memcpy(v->t.data, values, v->t.size * sizeof *values);
    v->flags |= AG_VAR_CONST;
    return v;
}

/* groups, and w's channels (axis 1) against x's (on axis `axis`: 1, or 0
 * for PyTorch's unbatched form): false after an error naming op and the
 * shapes as given. */
static bool channels_ok(ag_ctx *ctx, const char *op, const ag_var *x, int axis, const ag_var *w, int groups) {
    char xs[SHAPE_BUF], ws[SHAPE_BUF];
    int C = x->t.shape[axis], OC = w->t.shape[0];
    if (groups < 1) return ctx_error(ctx, AG_ERR_ARG, "%s: groups %d must be positive", op, groups), false;
    if (OC % groups != 0)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: weight %s: %d output channels do not split into %d groups", op,
                         shape_str(&w->t, ws), OC, groups),
               false;
    if (w->t.shape[1] * groups != C)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: weight %s expects %d input channels (groups=%d), but x %s has %d channels",
                         op, shape_str(&w->t, ws), w->t.shape[1] * groups, groups, shape_str(&x->t, xs), C),
               false;
    return true;
}

/* b (OC) checked and shaped to add to rows of OC columns. */
static bool bias_ok(ag_ctx *ctx, const char *op, const ag_var *b, int oc) {
    char s[SHAPE_BUF];
    if (b != NULL && (b->t.ndim != 1 || b->t.shape[0] != oc))
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: bias %s must have one value per output channel (%d)", op,
                         shape_str(&b->t, s), oc),
               false;
    return true;
}

/* cols (R, G*K) times the kernel rows w2 (G*OCg, K) per group: (R, G*OCg) + b.
 * One group is one Linear (a dgemm with the bias added in); more are a batched
 * product over the groups. */
static ag_var *grouped_product(ag_ctx *ctx, ag_var *cols, ag_var *w2, ag_var *b, int groups) {
    if (cols == NULL || w2 == NULL) return NULL;
    if (groups == 1) return ag_linear(ctx, cols, ag_transpose(ctx, w2, NULL, 0), b);
    int R = cols->t.shape[0], K = cols->t.shape[1] / groups, OC = w2->t.shape[0], OCg = OC / groups;
    ag_var *c = ag_transpose(ctx, ag_reshape(ctx, cols, 3, (const int[]){R, groups, K}), (const int[]){1, 0, 2}, 3);
    ag_var *wt = ag_transpose(ctx, ag_reshape(ctx, w2, 3, (const int[]){groups, OCg, K}), (const int[]){0, 2, 1}, 3);
    ag_var *y = ag_matmul(ctx, c, wt); /* (G, R, OCg) */
    y = ag_reshape(ctx, ag_transpose(ctx, y, (const int[]){1, 0, 2}, 3), 2, (const int[]){R, OC});
    return b == NULL ? y : ag_add(ctx, y, b);
}

ag_var *ag_conv2d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, const int *stride, const int *padding,
                  const int *dilation, int groups) {
    if (!op_input_ok(ctx, AG_OP_IM2COL, x) || !op_input_ok(ctx, AG_OP_LINEAR, w)) return NULL;
    char s[SHAPE_BUF];
    if (x->t.ndim != 3 && x->t.ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "conv2d: x must be 3-D (C, H, W) or 4-D (N, C, H, W), got %s",
                         shape_str(&x->t, s));
    if (!weight_ok(ctx, "conv2d", w, 4, "(out_channels, in_channels/groups, kH, kW)")) return NULL;
    int batched = x->t.ndim == 4; /* 0: PyTorch's unbatched (C, H, W) */
    int N = x->t.shape[0], OC = w->t.shape[0], KH = w->t.shape[2], KW = w->t.shape[3];
    if (!channels_ok(ctx, "conv2d", x, batched, w, groups) || !bias_ok(ctx, "conv2d", b, OC)) return NULL;
    window wd = window_from(KH, KW, stride, padding, dilation);
    int OH, OW;
    if (!window_ok(ctx, "conv2d", &wd) ||
        !window_fits(ctx, "conv2d", &wd, x->t.shape[batched + 1], x->t.shape[batched + 2], &OH, &OW, false))
        return NULL;
    if (!batched) { /* a batch of one, checked above as the user gave it ([C H W], not [1 C H W]) */
        ag_var *y = ag_conv2d(ctx, ag_unsqueeze(ctx, x, 0), w, b, stride, padding, dilation, groups);
        return y == NULL ? NULL : ag_squeeze(ctx, y, 0);
    }
    /* An image that is data records no Im2col by the data rule, and the
     * graph would start at its columns ("[256 9] 0 0 0"); while the weights
     * record, it is recorded all the same, as a constant image's is: the
     * graph starts at the image, and a conv layer's folded box names its
     * window.  Its columns are a constant (function.c): no gradient flows
     * into them, nor into the data. */
    bool weights_record = !(w->flags & AG_VAR_CONST) || (b != NULL && !(b->flags & AG_VAR_CONST));
    ctx->record_data = weights_record && (x->flags & AG_VAR_DATA);
    ag_var *cols = ag_im2col(ctx, x, (const int[]){KH, KW}, stride, padding, dilation);
    ctx->record_data = false;
    if (cols != NULL && cols->creator == NULL && cols != x && (cols->flags & AG_VAR_DATA)) {
        /* columns of data, unrecorded (the weights are data too): a
         * constant named for what it is (not "[256 9] 0 0 0") */
        char name[64];
        snprintf(name, sizeof name, "im2col(%.40s)", x->name != NULL && x->name[0] != '\0' ? x->name : "x");
        ag_set_name(cols, name);
    }
    ag_var *w2 = ag_reshape(ctx, w, 2, (const int[]){OC, w->t.shape[1] * KH * KW});
    ag_var *y = grouped_product(ctx, cols, w2, b, groups); /* (N*OH*OW, OC) */
    y = ag_reshape(ctx, y, 4, (const int[]){N, OH, OW, OC});
    return ag_transpose(ctx, y, (const int[]){0, 3, 1, 2}, 4);
}

ag_var *ag_conv1d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, int stride, int padding, int dilation, int groups) {
    if (!op_input_ok(ctx, AG_OP_IM2COL, x) || !op_input_ok(ctx, AG_OP_LINEAR, w)) return NULL;
    char s[SHAPE_BUF];
    if (x->t.ndim != 2 && x->t.ndim != 3)
        return ctx_error(ctx, AG_ERR_SHAPE, "conv1d: x must be 2-D (C, L) or 3-D (N, C, L), got %s",
                         shape_str(&x->t, s));
    if (!weight_ok(ctx, "conv1d", w, 3, "(out_channels, in_channels/groups, kW)")) return NULL;
    /* checked here, in 1-D terms and on x as given: conv2d's own checks
     * would name conv2d and the [N C 1 L] shapes it is given, and the
     * unbatched [C L] run as [1 C L] */
    char ws[SHAPE_BUF];
    int batched = x->t.ndim == 3;
    int L = x->t.shape[batched + 1], OC = w->t.shape[0], K = w->t.shape[2];
    if (!channels_ok(ctx, "conv1d", x, batched, w, groups) || !bias_ok(ctx, "conv1d", b, OC)) return NULL;
    if (K < 1) return ctx_error(ctx, AG_ERR_ARG, "conv1d: kernel_size %d (weight %s) must be positive", K, shape_str(&w->t, ws));
    if (stride < 1) return ctx_error(ctx, AG_ERR_ARG, "conv1d: stride %d must be positive", stride);
    if (dilation < 1) return ctx_error(ctx, AG_ERR_ARG, "conv1d: dilation %d must be positive", dilation);
    if (padding < 0) return ctx_error(ctx, AG_ERR_ARG, "conv1d: padding %d must not be negative", padding);
    if (out_side(L, K, stride, padding, dilation, false) < 1)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "conv1d: kernel %d with dilation %d is larger than the padded input %d (length %d, padding %d)",
                         K, dilation, L + 2 * padding, L, padding);
    ag_var *y = ag_conv2d(ctx, ag_unsqueeze(ctx, x, batched + 1), ag_unsqueeze(ctx, w, 2), b,
                          (const int[]){1, stride}, (const int[]){0, padding}, (const int[]){1, dilation}, groups);
    return y == NULL ? NULL : ag_squeeze(ctx, y, batched + 1);
}

ag_var *ag_conv_transpose2d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, const int *stride, const int *padding,
                            const int *output_padding, int groups, const int *dilation) {
    if (!op_input_ok(ctx, AG_OP_COL2IM, x) || !op_input_ok(ctx, AG_OP_LINEAR, w)) return NULL;
    char xs[SHAPE_BUF], ws[SHAPE_BUF];
    if (x->t.ndim != 3 && x->t.ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "conv_transpose2d: x must be 3-D (C, H, W) or 4-D (N, C, H, W), got %s",
                         shape_str(&x->t, xs));
    if (!weight_ok(ctx, "conv_transpose2d", w, 4, "(in_channels, out_channels/groups, kH, kW)")) return NULL;
    int batched = x->t.ndim == 4; /* 0: PyTorch's unbatched (C, H, W), checked as given */
    int N = batched ? x->t.shape[0] : 1, C = x->t.shape[batched], H = x->t.shape[batched + 1],
        W = x->t.shape[batched + 2];
    int KH = w->t.shape[2], KW = w->t.shape[3];
    if (groups < 1) return ctx_error(ctx, AG_ERR_ARG, "conv_transpose2d: groups %d must be positive", groups);
    if (w->t.shape[0] != C || C % groups != 0)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "conv_transpose2d: weight %s expects %d input channels (groups=%d), but x %s has %d channels",
                         shape_str(&w->t, ws), w->t.shape[0], groups, shape_str(&x->t, xs), C);
    int OC = w->t.shape[1] * groups;
    if (!bias_ok(ctx, "conv_transpose2d", b, OC)) return NULL;
    int s[2] = {stride ? stride[0] : 1, stride ? stride[1] : 1}, p[2] = {padding ? padding[0] : 0, padding ? padding[1] : 0};
    int d[2] = {dilation ? dilation[0] : 1, dilation ? dilation[1] : 1};
    int op[2] = {output_padding ? output_padding[0] : 0, output_padding ? output_padding[1] : 0};
    window wd = {KH, KW, s[0], s[1], p[0], p[1], d[0], d[1]};
    if (!window_ok(ctx, "conv_transpose2d", &wd)) return NULL;
    for (int i = 0; i < 2; i++)
        if (op[i] < 0 || (op[i] >= s[i] && op[i] >= d[i]))
            return ctx_error(ctx, AG_ERR_ARG,
                             "conv_transpose2d: output_padding (%d, %d) must be smaller than the stride or the dilation",
                             op[0], op[1]);
    int OH = (H - 1) * s[0] - 2 * p[0] + d[0] * (KH - 1) + op[0] + 1;
    int OW = (W - 1) * s[1] - 2 * p[1] + d[1] * (KW - 1) + op[1] + 1;
    if (OH < 1 || OW < 1)
        return ctx_error(ctx, AG_ERR_SHAPE, "conv_transpose2d: the output (%d, %d) would be empty: padding (%d, %d) is too large",
                         OH, OW, p[0], p[1]);
    if (!batched) {
        ag_var *y = ag_conv_transpose2d(ctx, ag_unsqueeze(ctx, x, 0), w, b, stride, padding, output_padding, groups,
                                        dilation);
        return y == NULL ? NULL : ag_squeeze(ctx, y, 0);
    }
    /* x as rows of pixels (N*H*W, C) times w (C, OC/groups*KH*KW) per group */
    ag_var *xr = ag_reshape(ctx, ag_transpose(ctx, x, (const int[]){0, 2, 3, 1}, 4), 2, (const int[]){N * H * W, C});
    ag_var *cols;
    int K = w->t.shape[1] * KH * KW;
    if (groups == 1) {
        cols = ag_matmul(ctx, xr, ag_reshape(ctx, w, 2, (const int[]){C, K}));
    } else {
        int Cg = C / groups, R = N * H * W;
        ag_var *xg = ag_transpose(ctx, ag_reshape(ctx, xr, 3, (const int[]){R, groups, Cg}), (const int[]){1, 0, 2}, 3);
        ag_var *wg = ag_reshape(ctx, w, 3, (const int[]){groups, Cg, K});
        cols = ag_matmul(ctx, xg, wg); /* (G, R, K) */
        cols = ag_reshape(ctx, ag_transpose(ctx, cols, (const int[]){1, 0, 2}, 3), 2, (const int[]){R, groups * K});
    }
    ag_var *y;
    if (op[0] < s[0] && op[1] < s[1]) {
        /* col2im's windows over the output, padding p, are exactly x's H x W pixels */
        y = ag_col2im(ctx, cols, (const int[]){N, OC, OH, OW}, (const int[]){KH, KW}, s, p, d);
    } else {
        /* an output_padding of a stride or more adds windows col2im would
         * count: scatter into the whole unpadded extent (FH, FW), then crop p
         * from the start and crop or pad with zeros at the end to (OH, OW) */
        int FH = (H - 1) * s[0] + d[0] * (KH - 1) + 1, FW = (W - 1) * s[1] + d[1] * (KW - 1) + 1;
        int ch = p[0] < FH ? p[0] : FH, cw = p[1] < FW ? p[1] : FW; /* a padding past it leaves zeros */
        y = ag_col2im(ctx, cols, (const int[]){N, OC, FH, FW}, (const int[]){KH, KW}, s, (const int[]){0, 0}, d);
        y = ag_pad(ctx, y, (const int[]){-cw, OW - (FW - cw), -ch, OH - (FH - ch)}, 4, 0.0);
    }
    if (y == NULL || b == NULL) return y;
    return ag_add(ctx, y, ag_reshape(ctx, b, 3, (const int[]){OC, 1, 1}));
}

/* x padded on the right and bottom by (eh, ew) zeros when either is not 0. */
static ag_var *pad_end(ag_ctx *ctx, ag_var *x, int eh, int ew) {
    if (eh == 0 && ew == 0) return x;
    return ag_pad(ctx, x, (const int[]){0, ew, 0, eh}, 4, 0.0);
}

/* avg_pool2d: window sums (im2col of every channel as its own image) divided by
 * how many places each window counts: with count_include_pad, those inside the
 * padded image (a window ceil_mode lets run past it counts fewer), else the
 * image's own pixels (PyTorch's divisors); or every sum by divisor_override
 * when it is not 0. */
ag_var *ag_avg_pool2d_ex(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                         bool ceil_mode, bool count_include_pad, int divisor_override) {
    if (!op_input_ok(ctx, AG_OP_IM2COL, x)) return NULL;
    window w;
    if (!pool_window(ctx, "avg_pool2d", kernel, stride, padding, NULL, &w) || !is_4d(ctx, "avg_pool2d", "x", x))
        return NULL;
    int N = x->t.shape[0], C = x->t.shape[1], H = x->t.shape[2], W = x->t.shape[3], OH, OW;
    if (!window_fits(ctx, "avg_pool2d", &w, H, W, &OH, &OW, ceil_mode)) return NULL;
    /* ceil_mode's last windows may reach past the padding: zeros there, not counted */
    int eh = (OH - 1) * w.sh + w.kh - (H + 2 * w.ph), ew = (OW - 1) * w.sw + w.kw - (W + 2 * w.pw);
    eh = eh > 0 ? eh : 0, ew = ew > 0 ? ew : 0;
    int kernel2[2] = {w.kh, w.kw}, stride2[2] = {w.sh, w.sw}, pad2[2] = {w.ph, w.pw};
    /* the divisors, one per output place */
    double *count = ctx_malloc(ctx, (size_t)OH * OW * sizeof *count);
    if (count == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++) {
            int h0 = i * w.sh - w.ph, w0 = j * w.sw - w.pw, h1 = h0 + w.kh, w1 = w0 + w.kw;
            int lo_h = count_include_pad ? -w.ph : 0, hi_h = count_include_pad ? H + w.ph : H;
            int lo_w = count_include_pad ? -w.pw : 0, hi_w = count_include_pad ? W + w.pw : W;
            int hh = (h1 < hi_h ? h1 : hi_h) - (h0 > lo_h ? h0 : lo_h), ww = (w1 < hi_w ? w1 : hi_w) - (w0 > lo_w ? w0 : lo_w);
            count[i * OW + j] = divisor_override != 0 ? divisor_override : (double)(hh > 0 ? hh : 0) * (ww > 0 ? ww : 0);
        }
    ag_var *divisor = constant(ctx, 2, (const int[]){OH, OW}, count);
    ctx_free(ctx, count);
    ag_var *planes = ag_reshape(ctx, x, 4, (const int[]){N * C, 1, H, W});
    ag_var *cols = ag_im2col(ctx, pad_end(ctx, planes, eh, ew), kernel2, stride2, pad2, NULL);
    ag_var *sums = ag_sum(ctx, cols, (const int[]){1}, 1);
    return ag_div(ctx, ag_reshape(ctx, sums, 4, (const int[]){N, C, OH, OW}), divisor);
}

ag_var *ag_avg_pool2d(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                      bool ceil_mode, bool count_include_pad) {
    return ag_avg_pool2d_ex(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, 0);
}

/* y = A x B^T over the last two axes with constant A (OH, H) and B (OW, W):
 * how adaptive pooling and interpolation mix pixels. */
static ag_var *mix_rows_cols(ag_ctx *ctx, ag_var *x, ag_var *a, ag_var *b) {
    ag_var *y = a == NULL ? x : ag_matmul(ctx, a, x);
    return b == NULL ? y : ag_matmul(ctx, y, ag_transpose(ctx, b, NULL, 0));
}

/* The (out, in) averaging matrix of adaptive pooling: row i averages
 * [floor(i*in/out), ceil((i+1)*in/out)). */
static ag_var *adaptive_matrix(ag_ctx *ctx, int out, int in) {
    ag_var *m = constant(ctx, 2, (const int[]){out, in}, NULL);
    if (m == NULL) return NULL;
    for (int i = 0; i < out; i++) {
        long lo = (long)i * in / out, hi = ((long)(i + 1) * in + out - 1) / out;
        for (long j = lo; j < hi; j++) m->t.data[(size_t)i * in + (size_t)j] = 1.0 / (double)(hi - lo);
    }
    return m;
}

ag_var *ag_adaptive_avg_pool2d(ag_ctx *ctx, ag_var *x, const int *output_size) {
    if (!op_input_ok(ctx, AG_OP_MATMUL, x)) return NULL;
    char s[SHAPE_BUF];
    if (x->t.ndim != 3 && x->t.ndim != 4)
        return ctx_error(ctx, AG_ERR_SHAPE, "adaptive_avg_pool2d: x must be (N, C, H, W) or (C, H, W), got %s",
                         shape_str(&x->t, s));
    if (output_size == NULL || output_size[0] < 1 || output_size[1] < 1)
        return ctx_error(ctx, AG_ERR_ARG, "adaptive_avg_pool2d: output_size must be two positive sizes");
    int H = x->t.shape[x->t.ndim - 2], W = x->t.shape[x->t.ndim - 1];
    if (H < 1 || W < 1)
        return ctx_error(ctx, AG_ERR_SHAPE, "adaptive_avg_pool2d: x %s has an empty image", shape_str(&x->t, s));
    return mix_rows_cols(ctx, x, adaptive_matrix(ctx, output_size[0], H), adaptive_matrix(ctx, output_size[1], W));
}

/* Keys' cubic convolution kernel, A = -0.75 (PyTorch's bicubic): the weights
 * of the 4 pixels around a point t of the way from the second to the third. */
static void cubic_weights(double t, double w[4]) {
    const double A = -0.75;
    double far = t + 1.0, near = t, near2 = 1.0 - t, far2 = 2.0 - t;
    w[0] = ((A * far - 5 * A) * far + 8 * A) * far - 4 * A;
    w[1] = ((A + 2) * near - (A + 3)) * near * near + 1;
    w[2] = ((A + 2) * near2 - (A + 3)) * near2 * near2 + 1;
    w[3] = ((A * far2 - 5 * A) * far2 + 8 * A) * far2 - 4 * A;
}

/* The (out, in) matrix of one axis of interpolate: nearest takes pixel
 * floor(i*scale) (scale = in/out, or 1/scale_factor when one was given, as
 * PyTorch), nearest-exact floor((i + 0.5)*scale); linear mixes the two neighbours of (i + 0.5)*scale - 0.5 (clamped
 * at 0), or of i*(in-1)/(out-1) with align_corners; cubic the 4 around the
 * same point (not clamped: a weight past an edge goes to the edge pixel). */
static ag_var *interp_matrix(ag_ctx *ctx, int out, int in, double scale_factor, ag_interp_mode mode,
                             bool align_corners) {
    ag_var *m = constant(ctx, 2, (const int[]){out, in}, NULL);
    if (m == NULL) return NULL;
    double scale = scale_factor > 0 ? 1.0 / scale_factor : (double)in / out;
    for (int i = 0; i < out; i++) {
        double *row = m->t.data + (size_t)i * in;
        if (mode == AG_INTERP_NEAREST || mode == AG_INTERP_NEAREST_EXACT) {
            long j = (long)floor(mode == AG_INTERP_NEAREST ? i * scale : (i + 0.5) * scale);
            row[j < in - 1 ? j : in - 1] = 1.0;
            continue;
        }
        double src = align_corners ? (out > 1 ? (double)i * (in - 1) / (out - 1) : 0.0) : (i + 0.5) * scale - 0.5;
        if (mode == AG_INTERP_CUBIC) {
            double floor_src = floor(src), w[4];
            cubic_weights(src - floor_src, w);
            for (int k = 0; k < 4; k++) {
                long j = (long)floor_src - 1 + k;
                row[j < 0 ? 0 : j > in - 1 ? in - 1 : j] += w[k];
            }
            continue;
        }
        if (src < 0) src = 0;
        int j0 = (int)src;
        if (j0 > in - 1) j0 = in - 1;
        int j1 = j0 + 1 < in ? j0 + 1 : in - 1;
        double l1 = src - j0, l0 = 1.0 - l1;
        row[j0] += l0, row[j1] += l1;
    }
    return m;
}

ag_var *ag_interpolate(ag_ctx *ctx, ag_var *x, const int *size, const double *scale_factor, ag_interp_mode mode,
                       bool align_corners) {
    if (!op_input_ok(ctx, AG_OP_MATMUL, x)) return NULL;
    char s[SHAPE_BUF];
    int spatial = x->t.ndim - 2;
    if (spatial != 1 && spatial != 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "interpolate: x must be (N, C, L) or (N, C, H, W), got %s",
                         shape_str(&x->t, s));
    if (mode != AG_INTERP_NEAREST && mode != AG_INTERP_LINEAR && mode != AG_INTERP_NEAREST_EXACT &&
        mode != AG_INTERP_CUBIC)
        return ctx_error(ctx, AG_ERR_ARG, "interpolate: unknown mode %d", (int)mode);
    if (mode == AG_INTERP_CUBIC && spatial != 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "interpolate: bicubic needs (N, C, H, W), got %s", shape_str(&x->t, s));
    if ((size == NULL) == (scale_factor == NULL))
        return ctx_error(ctx, AG_ERR_ARG, "interpolate: give either size or scale_factor");
    if (align_corners && mode != AG_INTERP_LINEAR && mode != AG_INTERP_CUBIC)
        return ctx_error(ctx, AG_ERR_ARG, "interpolate: align_corners only goes with mode linear, bilinear or bicubic");
    ag_var *mats[2] = {NULL, NULL};
    for (int i = 0; i < spatial; i++) {
        int in = x->t.shape[2 + i], out;
        double sf = 0;
        if (size != NULL) {
            out = size[i];
        } else {
            sf = scale_factor[i];
            if (!(sf > 0) || !isfinite(sf))
                return ctx_error(ctx, AG_ERR_ARG, "interpolate: scale_factor %g must be positive", sf);
            out = (int)floor(in * sf);
        }
        if (out < 1 || in < 1)
            return ctx_error(ctx, AG_ERR_SHAPE, "interpolate: x %s cannot become %d pixels along axis %d",
                             shape_str(&x->t, s), out, 2 + i);
        mats[i] = interp_matrix(ctx, out, in, sf, mode, align_corners);
        if (mats[i] == NULL) return NULL;
    }
    if (spatial == 1) return mix_rows_cols(ctx, x, NULL, mats[0]);
    return mix_rows_cols(ctx, x, mats[0], mats[1]);
}

/* ---- PyTorch's unfold and fold: im2col's columns as (N, C*KH*KW, L) ------------------- */

ag_var *ag_unfold(ag_ctx *ctx, ag_var *x, const int *kernel, const int *dilation, const int *padding,
                  const int *stride) {
    if (!op_input_ok(ctx, AG_OP_IM2COL, x)) return NULL;
    if (!is_4d(ctx, "unfold", "x", x)) return NULL;
    if (kernel == NULL) return ctx_error(ctx, AG_ERR_ARG, "unfold: kernel_size is missing");
    window w = window_from(kernel[0], kernel[1], stride, padding, dilation);
    int oh, ow;
    if (!window_ok(ctx, "unfold", &w) || !window_fits(ctx, "unfold", &w, x->t.shape[2], x->t.shape[3], &oh, &ow, false))
        return NULL;
    ag_var *cols = ag_im2col(ctx, x, kernel, stride, padding, dilation);
    if (cols == NULL) return NULL;
    int N = x->t.shape[0], K = cols->t.shape[1], L = oh * ow;
    return ag_transpose(ctx, ag_reshape(ctx, cols, 3, (const int[]){N, L, K}), (const int[]){0, 2, 1}, 3);
}

ag_var *ag_fold(ag_ctx *ctx, ag_var *x, const int *output_size, const int *kernel, const int *dilation,
                const int *padding, const int *stride) {
    if (!op_input_ok(ctx, AG_OP_COL2IM, x)) return NULL;
    char s[SHAPE_BUF];
    if (x->t.ndim != 3)
        return ctx_error(ctx, AG_ERR_SHAPE, "fold: x must be 3-D (N, C*KH*KW, L), got %s", shape_str(&x->t, s));
    if (kernel == NULL || output_size == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "fold: %s is missing", kernel == NULL ? "kernel_size" : "output_size");
    int N = x->t.shape[0], K = x->t.shape[1], L = x->t.shape[2], kk = kernel[0] * kernel[1];
    if (kk < 1 || K % kk != 0)
        return ctx_error(ctx, AG_ERR_SHAPE, "fold: x %s: %d rows are not a whole number of %dx%d kernels",
                         shape_str(&x->t, s), K, kernel[0], kernel[1]);
    window w = window_from(kernel[0], kernel[1], stride, padding, dilation);
    int oh, ow;
    if (!window_ok(ctx, "fold", &w) || !window_fits(ctx, "fold", &w, output_size[0], output_size[1], &oh, &ow, false))
        return NULL;
    if (oh * ow != L)
        return ctx_error(ctx, AG_ERR_SHAPE, "fold: x %s has %d blocks, but output_size (%d, %d) with this kernel makes %d",
                         shape_str(&x->t, s), L, output_size[0], output_size[1], oh * ow);
    ag_var *cols = ag_reshape(ctx, ag_transpose(ctx, x, (const int[]){0, 2, 1}, 3), 2, (const int[]){N * L, K});
    return ag_col2im(ctx, cols, (const int[]){N, K / kk, output_size[0], output_size[1]}, kernel, stride, padding,
                     dilation);
}
