/* ops_math.c — elementwise math: exp log sin cos tan tanh sqrt abs square
 * sigmoid relu gelu clip.  Each forward is followed by its backward, which
 * is written with public ops so create_graph can differentiate it again. */
#include <math.h>

#include "internal.h"

/* ---- exp: gx = gy * y -------------------------------------------------------- */
ag_var *ag_exp(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_EXP), op_exp_scalar, x); }
int op_exp_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_exp_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_mul(ctx, gys[0], f->outputs[0]);
    RETURN_GX0;
}
/* ag_mul(gy, y) for one element: Mul's scalar hook */
unsigned op_exp_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy * y;
    return 0;
}

/* ---- log: gx = gy / x ---------------------------------------------------------- */
ag_var *ag_log(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_LOG), op_log_scalar, x); }
int op_log_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
int op_log_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    gxs[0] = ag_div(ctx, gys[0], f->inputs[0]);
    RETURN_GX0;
}
/* ag_div(gy, x) for one element: Div's scalar hook */
unsigned op_log_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                            double *ga, double *gb) {
    *ga = gy / a;
    return 0;
}

/* ---- sin: gx = cos(x) * gy ------------------------------------------------------ */
ag_var *ag_sin(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_SIN), op_sin_scalar, x); }
int op_sin_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(sin_grad, cos(x) * gy)
SCALAR_GRAD_OF_RULE(sin, sin_grad)
int op_sin_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, sin_grad)) return 0;
    gxs[0] = ag_mul(ctx, ag_cos(ctx, f->inputs[0]), gys[0]);
    RETURN_GX0;
}

/* ---- cos: gx = -sin(x) * gy ------------------------------------------------------ */
ag_var *ag_cos(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_COS), op_cos_scalar, x); }
int op_cos_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(cos_grad, negate(sin(x)) * gy)
SCALAR_GRAD_OF_RULE(cos, cos_grad)
int op_cos_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, cos_grad)) return 0;
    gxs[0] = ag_mul(ctx, ag_neg(ctx, ag_sin(ctx, f->inputs[0])), gys[0]);
    RETURN_GX0;
}

/* ---- tan: gx = gy * (1 + y*y) ------------------------------------------------------ */
ag_var *ag_tan(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_TAN), op_tan_scalar, x); }
int op_tan_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(tan_grad, gy * (1.0 + y * y))
SCALAR_GRAD_OF_RULE(tan, tan_grad)
int op_tan_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, tan_grad)) return 0;
    ag_var *y = f->outputs[0];
    gxs[0] = ag_mul(ctx, gys[0], ag_add(ctx, const_scalar(ctx, 1.0), ag_mul(ctx, y, y)));
    RETURN_GX0;
}

/* ---- tanh: gx = gy * (1 - y*y) ------------------------------------------------------ */
ag_var *ag_tanh(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_TANH), op_tanh_scalar, x); }
int op_tanh_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_array(ctx, f, ys, fn_tanh_n);
}
DIRECT_RULE(tanh_grad, gy * (1.0 - y * y))
SCALAR_GRAD_OF_RULE(tanh, tanh_grad)
int op_tanh_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, tanh_grad)) return 0;
    ag_var *y = f->outputs[0];
    gxs[0] = ag_mul(ctx, gys[0], ag_sub(ctx, const_scalar(ctx, 1.0), ag_mul(ctx, y, y)));
    RETURN_GX0;
}

/* ---- sqrt: gx = gy / (2 y) ------------------------------------------------------------ */
ag_var *ag_sqrt(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_SQRT), op_sqrt_scalar, x); }
int op_sqrt_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(sqrt_grad, gy / (2.0 * y))
SCALAR_GRAD_OF_RULE(sqrt, sqrt_grad)
int op_sqrt_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, sqrt_grad)) return 0;
    gxs[0] = ag_div(ctx, gys[0], ag_mul(ctx, const_scalar(ctx, 2.0), f->outputs[0]));
    RETURN_GX0;
}

/* ---- abs: gx = gy * sign(x) (sign(0) = 0) ----------------------------------------------- */
static double sign_of(double x, const ag_op_params *p) { return (x > 0) - (x < 0); }
ag_var *ag_abs(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_ABS), op_abs_scalar, x); }
int op_abs_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(abs_grad, gy * sign_of(x, NULL))
SCALAR_GRAD_OF_RULE(abs, abs_grad)
int op_abs_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, abs_grad)) return 0;
    gxs[0] = ag_mul(ctx, gys[0], const_map(ctx, f->inputs[0], sign_of, NULL));
    RETURN_GX0;
}

/* ---- square: Pow(2) in disguise, as upstream; gx = gy * (2 * x^1) ---------------------- */
static double squared(double x) { return pow(x, 2.0); }
ag_var *ag_square(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_SQUARE), op_square_scalar, x);
}
int op_square_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_unary(ctx, f, ys);
}
DIRECT_RULE(square_grad, gy * (2.0 * pow(x, 1.0)))
SCALAR_GRAD_OF_RULE(square, square_grad)
int op_square_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, square_grad)) return 0;
    gxs[0] = ag_mul(ctx, gys[0], ag_mul(ctx, const_scalar(ctx, 2.0), ag_pow(ctx, f->inputs[0], 1.0)));
    RETURN_GX0;
}

/* ---- sigmoid: y = 0.5 + 0.5 tanh(0.5 x); gx = gy * (y * (1 - y)) ----------------------- */
ag_var *ag_sigmoid(ag_ctx *ctx, ag_var *x) {
    return op_apply_one(ctx, OP_ROW(AG_OP_SIGMOID), op_sigmoid_scalar, x);
}
int op_sigmoid_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    return map_array(ctx, f, ys, fn_sigmoid_n);
}
DIRECT_RULE(sigmoid_grad, gy * (y * (1.0 - y)))
SCALAR_GRAD_OF_RULE(sigmoid, sigmoid_grad)
int op_sigmoid_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, sigmoid_grad)) return 0;
    ag_var *y = f->outputs[0];
    gxs[0] = ag_mul(ctx, gys[0], ag_mul(ctx, y, ag_sub(ctx, const_scalar(ctx, 1.0), y)));
    RETURN_GX0;
}

/* ---- relu: y = max(x, 0); gx = gy * (x > 0) -------------------------------------------
 * NaN stays NaN (as in PyTorch; fmax(x, 0.0) would give 0), -0 -> +0; inlined:
 * a call per element was a tenth of a 1-256-256-1 training step.  x <= 0 is
 * false for NaN, so NaN passes through. */
static double relu_of(double x) { return x <= 0.0 ? 0.0 : x; }
static double positive(double x, const ag_op_params *p) { return x > 0 ? 1.0 : 0.0; }
ag_var *ag_relu(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_RELU), op_relu_scalar, x); }
/* y = relu(x) over n elements, unrolled by 4 over restrict pointers so -O2
 * vectorizes it (a 1-256-256-1 step runs it over 512,000 elements). */
static void relu_map(double *restrict y, const double *restrict x, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        y[i] = relu_of(x[i]);
        y[i + 1] = relu_of(x[i + 1]);
        y[i + 2] = relu_of(x[i + 2]);
        y[i + 3] = relu_of(x[i + 3]);
    }
    for (; i < n; i++) y[i] = relu_of(x[i]);
}
int op_relu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_array(ctx, f, ys, relu_map); }
/* The direct rule gy * (x > 0 ? 1 : 0), written out rather than through
 * DIRECT_RULE: GCC vectorizes it only with the four masks made first. */
static void relu_grad(double *restrict g, const double *restrict gy, const double *restrict x,
                      const double *restrict y, size_t n, const ag_op_params *p) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double m0 = positive(x[i], p), m1 = positive(x[i + 1], p);
        double m2 = positive(x[i + 2], p), m3 = positive(x[i + 3], p);
        g[i] = gy[i] * m0, g[i + 1] = gy[i + 1] * m1;
        g[i + 2] = gy[i + 2] * m2, g[i + 3] = gy[i + 3] * m3;
    }
    for (; i < n; i++) g[i] = gy[i] * positive(x[i], p);
}
/* relu_grad for one element */
unsigned op_relu_scalar_grad(const ag_op_params *p, double gy, double a, double b, double y,
                             double *ga, double *gb) {
    *ga = gy * positive(a, p);
    return 0;
}
int op_relu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, relu_grad)) return 0;
    gxs[0] = ag_mul(ctx, gys[0], const_map(ctx, f->inputs[0], positive, NULL));
    RETURN_GX0;
}

/* ---- gelu (tanh approximation), upstream's evaluation order ------------------------------
 * y = 0.5 x (1 + tanh(k (x + c x^3))), k = sqrt(2/pi), c = 0.044715
 * gx = gy * (a + b * du), t = tanh(k (x + c x^3)), a = 0.5 + 0.5 t,
 *      b = 0.5 x (1 - t^2), du = k (1 + 3c x^2) */
#define GELU_C 0.044715
#define GELU_K 0.7978845608028654
static double gelu_of(double x) {
    return 0.5 * x * (1.0 + fn_tanh(GELU_K * (x + GELU_C * x * x * x)));
}
/* The backward's value at one element, in the order the ops below compute it. */
static double gelu_gradient(double gy, double x) {
    double t = fn_tanh(GELU_K * (x + GELU_C * t_pow(x, 3.0)));
    double a = 0.5 + 0.5 * t;
    double b = 0.5 * (x * (1.0 - pow(t, 2.0)));
    double du = GELU_K * (1.0 + (3.0 * GELU_C) * pow(x, 2.0));
    return gy * (a + b * du);
}
ag_var *ag_gelu(ag_ctx *ctx, ag_var *x) { return op_apply_one(ctx, OP_ROW(AG_OP_GELU), op_gelu_scalar, x); }
/* gelu_of over n elements, its tanh through fn_tanh_n: the same bits. */
static void gelu_map(double *y, const double *in, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = GELU_K * (in[i] + GELU_C * in[i] * in[i] * in[i]);
    fn_tanh_n(y, y, n);
    for (size_t i = 0; i < n; i++) y[i] = 0.5 * in[i] * (1.0 + y[i]);
}
int op_gelu_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_array(ctx, f, ys, gelu_map); }
DIRECT_RULE(gelu_grad, gelu_gradient(gy, x))
SCALAR_GRAD_OF_RULE(gelu, gelu_grad)
int op_gelu_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, gelu_grad)) return 0;
    ag_var *x = f->inputs[0];
    ag_var *x2 = ag_pow(ctx, x, 2.0), *x3 = ag_pow(ctx, x, 3.0);
    ag_var *t = ag_tanh(ctx, ag_mul(ctx, const_scalar(ctx, GELU_K),
                                    ag_add(ctx, x, ag_mul(ctx, const_scalar(ctx, GELU_C), x3))));
    ag_var *a = ag_add(ctx, const_scalar(ctx, 0.5), ag_mul(ctx, const_scalar(ctx, 0.5), t));
    ag_var *b = ag_mul(ctx, const_scalar(ctx, 0.5),
                       ag_mul(ctx, x, ag_sub(ctx, const_scalar(ctx, 1.0), ag_pow(ctx, t, 2.0))));
    ag_var *du = ag_mul(ctx, const_scalar(ctx, GELU_K),
                        ag_add(ctx, const_scalar(ctx, 1.0),
                               ag_mul(ctx, const_scalar(ctx, 3.0 * GELU_C), x2)));
    gxs[0] = ag_mul(ctx, gys[0], ag_add(ctx, a, ag_mul(ctx, b, du)));
    RETURN_GX0;
}

/* ---- clip: y = min(max(x, lo), hi); gx = gy * (lo <= x <= hi), 1 at the bounds as PyTorch -- */
static double inside(double x, const ag_op_params *p) { return p->lo <= x && x <= p->hi ? 1.0 : 0.0; }
/* min(max(x, lo), hi) as PyTorch's clamp: hi everywhere when lo > hi; NaN stays NaN. */
static double clip_of(double x, double lo, double hi) {
    double v = x < lo ? lo : x;
    return v > hi ? hi : v;
}
ag_var *ag_clip(ag_ctx *ctx, ag_var *x, double lo, double hi) {
    ag_op_params params = {.lo = lo, .hi = hi};
    return op_apply(ctx, AG_OP_CLIP, &params, (ag_var *[]){x}, 1, 1, NULL);
}
int op_clip_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_unary(ctx, f, ys); }
DIRECT_RULE(clip_grad, gy * inside(x, p))
SCALAR_GRAD_OF_RULE(clip, clip_grad)
int op_clip_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    if (direct_grad(ctx, f, gys, gxs, clip_grad)) return 0;
    gxs[0] = ag_mul(ctx, gys[0], const_map(ctx, f->inputs[0], inside, FUNC_PARAMS(f)));
    RETURN_GX0;
}

/* ---- one element, for op_apply's scalar fast path ------------------------------------- */

/* The scalar hooks (ag_op_def.scalar): each forward's element rule. */
double op_exp_scalar(const ag_op_params *p, double x, double b) { return exp(x); }
double op_log_scalar(const ag_op_params *p, double x, double b) { return log(x); }
double op_sin_scalar(const ag_op_params *p, double x, double b) { return sin(x); }
double op_cos_scalar(const ag_op_params *p, double x, double b) { return cos(x); }
double op_tan_scalar(const ag_op_params *p, double x, double b) { return tan(x); }
double op_tanh_scalar(const ag_op_params *p, double x, double b) { return fn_tanh(x); }
double op_sqrt_scalar(const ag_op_params *p, double x, double b) { return sqrt(x); }
double op_abs_scalar(const ag_op_params *p, double x, double b) { return fabs(x); }
double op_square_scalar(const ag_op_params *p, double x, double b) { return squared(x); }
double op_sigmoid_scalar(const ag_op_params *p, double x, double b) { return fn_sigmoid(x); }
double op_relu_scalar(const ag_op_params *p, double x, double b) { return relu_of(x); }
double op_gelu_scalar(const ag_op_params *p, double x, double b) { return gelu_of(x); }
double op_clip_scalar(const ag_op_params *p, double x, double b) { return clip_of(x, p->lo, p->hi); }
