/* conv_workloads.c — the convolutional workloads:
 *   W8  one training step of a LeNet-sized network on a batch of 64 8x8
 *       images: conv 1->6 5x5 padding 2, relu, max_pool 2, conv 6->16 5x5
 *       padding 2, relu, max_pool 2, linear 64->120, relu, 120->84, relu,
 *       84->10, cross_entropy, SGD lr 0.01 (one iteration = one step)
 *   W9  the same on 28x28 images (LeNet-5 itself: the second conv without
 *       padding, linear 400->120)
 * Images, labels and weights are drawn from the engine's generator with a
 * fixed seed; PyTorch (torch_bench.py) times the same shapes on its own
 * numbers: the rows compare time, not values. */
#include <math.h>

#include "bench.h"

#define CNN_BATCH 64
#define CNN_STEPS_SMALL 200
#define CNN_STEPS_LARGE 20

typedef struct cnn {
    ag_var *w1, *b1, *w2, *b2, *f1, *c1, *f2, *c2, *f3, *c3;
} cnn;

/* randn(shape) / sqrt(fan_in), retained, a parameter. */
static ag_var *param(ag_ctx *ctx, ag_rng *rng, int ndim, const int *shape, int fan_in) {
    ag_var *v = ag_randn(ctx, ndim, shape, rng);
    if (v == NULL) return NULL;
    double *d = ag_data(v);
    for (size_t i = 0; i < ag_size(v); i++) d[i] /= sqrt((double)fan_in);
    ag_retain(v);
    return v;
}

static ag_var *bias(ag_ctx *ctx, int n) {
    ag_var *v = ag_zeros(ctx, 1, &n);
    ag_retain(v);
    return v;
}

static ag_var *forward(ag_ctx *ctx, const cnn *m, ag_var *x, int pad2) {
    static const int pool[2] = {2, 2};
    ag_var *h = ag_conv2d(ctx, x, m->w1, m->b1, NULL, (const int[]){2, 2}, NULL, 1);
    h = ag_max_pool2d(ctx, ag_relu(ctx, h), pool, NULL, NULL, NULL, false);
    h = ag_conv2d(ctx, h, m->w2, m->b2, NULL, (const int[]){pad2, pad2}, NULL, 1);
    h = ag_max_pool2d(ctx, ag_relu(ctx, h), pool, NULL, NULL, NULL, false);
    h = ag_flatten(ctx, h, 1, -1);
    h = ag_relu(ctx, ag_linear(ctx, h, m->f1, m->c1));
    h = ag_relu(ctx, ag_linear(ctx, h, m->f2, m->c2));
    return ag_linear(ctx, h, m->f3, m->c3);
}

static int train_cnn(int side, int steps, double *seconds, char *values) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_rng rng;
    ag_rng_seed(&rng, 8);
    int pad2 = side == 8 ? 2 : 0, flat = side == 8 ? 16 * 2 * 2 : 16 * 5 * 5;
    cnn m = {
        param(ctx, &rng, 4, (const int[]){6, 1, 5, 5}, 25),    bias(ctx, 6),
        param(ctx, &rng, 4, (const int[]){16, 6, 5, 5}, 150),  bias(ctx, 16),
        param(ctx, &rng, 2, (const int[]){flat, 120}, flat),   bias(ctx, 120),
        param(ctx, &rng, 2, (const int[]){120, 84}, 120),      bias(ctx, 84),
        param(ctx, &rng, 2, (const int[]){84, 10}, 84),        bias(ctx, 10),
    };
    ag_var *params[] = {m.w1, m.b1, m.w2, m.b2, m.f1, m.c1, m.f2, m.c2, m.f3, m.c3};
    ag_var *x = ag_rand(ctx, 4, (const int[]){CNN_BATCH, 1, side, side}, &rng);
    ag_var *t = ag_zeros(ctx, 1, (const int[]){CNN_BATCH});
    ag_optim *opt = ag_sgd(ctx, 0.01, 0, 0);
    int status = 0;
    if (x == NULL || t == NULL || opt == NULL || m.c3 == NULL) status = bench_fail(ctx, "cnn setup");
    ag_retain(x), ag_retain(t);
    if (x != NULL) ag_var_set_flags(x, ag_var_flags(x) | AG_VAR_CONST); /* data: no gradient, as in PyTorch */
    if (status == 0) {
        double *labels = ag_data(t);
        for (int i = 0; i < CNN_BATCH; i++) labels[i] = (double)(ag_rng_u32(&rng) % 10);
    }
    double loss_value = NAN, t0 = bench_now(), cpu0 = bench_cpu_now();
    for (int step = 0; status == 0 && step < steps; step++) {
        ag_var *loss = ag_cross_entropy(ctx, forward(ctx, &m, x, pad2), t);
        for (int i = 0; i < 10; i++) ag_cleargrad(params[i]);
        if (loss == NULL || ag_backward(ctx, loss, NULL) < 0 || ag_optim_update(opt, params, 10) < 0) {
            status = bench_fail(ctx, "cnn step");
            break;
        }
        loss_value = ag_item(loss);
        ag_gc(ctx);
    }
    *seconds = bench_now() - t0;
    bench_value(values, "loss", loss_value);
    bench_value(values, "cpu_us", round((bench_cpu_now() - cpu0) / steps * 1e6));
    ag_optim_free(opt);
    ag_ctx_free(ctx);
    return status;
}

static int run_cnn_small(double *seconds, char *values) { return train_cnn(8, CNN_STEPS_SMALL, seconds, values); }
static int run_cnn_large(double *seconds, char *values) { return train_cnn(28, CNN_STEPS_LARGE, seconds, values); }

const bench_workload bench_conv_workloads[] = {
    {"W8", "lenet-8", CNN_STEPS_SMALL, 5, "LeNet-sized CNN step, batch 64 of 8x8, SGD lr 0.01", run_cnn_small, NULL},
    {"W9", "lenet-28", CNN_STEPS_LARGE, 5, "LeNet-5 step, batch 64 of 28x28, SGD lr 0.01", run_cnn_large, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
