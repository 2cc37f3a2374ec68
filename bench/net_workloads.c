/* net_workloads.c — the workloads with tensors and models:
 *   W4  MLP 1-10-1 sigmoid, 100 points of sin(2 pi x) + U[0,1) noise, MSE,
 *       SGD lr 0.2, 10,000 full-batch steps
 *   W5  MLP 1-256-256-1 ReLU, 1,000 points of sin(2 pi x), MSE, Adam lr 0.001,
 *       500 full-batch steps
 *   W5m one 1000x256 @ 256x256 linear layer forward + backward through the
 *       engine, against the three cblas_dgemm calls it needs (the matmul
 *       share of W5)
 *   W7  LSTM hidden 100 on a noisy sine of 1,000 points: batches of 30
 *       consecutive samples, backward + unchain_backward every 30 batches
 *       and at the end, SGD lr 0.01, 10 epochs (one iteration = one epoch)
 * Data comes from the engine's PCG generator with fixed seeds and the
 * models are seeded, so the dump functions hand PyTorch the very same
 * numbers and initial weights. */
#define _GNU_SOURCE /* CPU_COUNT */
#include <cblas.h>
#include <sched.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PI 3.141592653589793

#define SMALL_MLP_POINTS 100
#define SMALL_MLP_STEPS 10000
#define WIDE_MLP_POINTS 1000
#define WIDE_MLP_WIDTH 256
#define WIDE_MLP_STEPS 500
#define MATMUL_REPEATS 40
#define WARMUP_STEPS 10 /* steps before page faults are counted */
/* W5 against its three products alone, in a training run
 * of its own after the timed ones: after every block of VS_DGEMM_BLOCK
 * steps, VS_DGEMM_REPS repetitions of the bare products, both in CPU time;
 * the printed vs_dgemm is the median of the blocks' ratios, so a load that
 * comes and goes weighs on both sides alike. */
#define VS_DGEMM_BLOCK 10
#define VS_DGEMM_REPS 2
#define VS_DGEMM_MAX_BLOCKS (WIDE_MLP_STEPS / VS_DGEMM_BLOCK)
#define LSTM_POINTS 1000
#define LSTM_HIDDEN 100
#define LSTM_BATCH 30
#define LSTM_BPTT 30
#define LSTM_EPOCHS 10
#define LSTM_NOISE 0.05
/* 999 (input, next value) pairs make 33 whole batches; the last 9 pairs
 * are dropped so every batch matches the hidden state's batch of 30. */
#define LSTM_BATCHES ((LSTM_POINTS - 1) / LSTM_BATCH)

static ag_var *keep(ag_var *v) {
    ag_retain(v);
    return v;
}

/* ---- data ------------------------------------------------------------------ */

/* x ~ U[0,1) (100, 1), y = sin(2 pi x) + U[0,1), drawn from seed 0 like
 * samples/train_mlp.c. */
static int small_mlp_data(ag_ctx *ctx, ag_var **x, ag_var **y) {
    ag_rng rng;
    ag_rng_seed(&rng, 0);
    *x = keep(ag_rand(ctx, 2, (const int[]){SMALL_MLP_POINTS, 1}, &rng));
    *y = keep(ag_rand(ctx, 2, (const int[]){SMALL_MLP_POINTS, 1}, &rng));
    if (*x == NULL || *y == NULL) return -1;
    for (int i = 0; i < SMALL_MLP_POINTS; i++) ag_data(*y)[i] += sin(2 * PI * ag_cdata(*x)[i]);
    return 0;
}

/* x = linspace(0, 1, 1000) as (1000, 1), y = sin(2 pi x). */
/* x is data, as PyTorch's (requires_grad=False): a constant, whose gradient
 * backward does not make (a 1000x256x1 product a step). */
static int wide_mlp_data(ag_ctx *ctx, ag_var **x, ag_var **y) {
    ag_var *points = ag_linspace(ctx, 0, 1, WIDE_MLP_POINTS);
    *x = points ? keep(ag_new(ctx, 2, (const int[]){WIDE_MLP_POINTS, 1}, ag_cdata(points))) : NULL;
    *y = keep(ag_zeros(ctx, 2, (const int[]){WIDE_MLP_POINTS, 1}));
    if (*x == NULL || *y == NULL) return -1;
    ag_var_set_flags(*x, ag_var_flags(*x) | AG_VAR_CONST);
    for (int i = 0; i < WIDE_MLP_POINTS; i++) ag_data(*y)[i] = sin(2 * PI * ag_cdata(*x)[i]);
    return 0;
}

/* The noisy sine, upstream's cmd/lstm: y_i = sin(2 pi i / (N-1)) + U*2*noise - noise,
 * U from seed 0.  series has LSTM_POINTS entries. */
static void lstm_series(double *series) {
    ag_rng rng;
    ag_rng_seed(&rng, 0);
    for (int i = 0; i < LSTM_POINTS; i++)
        series[i] = sin(2 * PI * i / (LSTM_POINTS - 1)) + ag_rng_uniform(&rng) * 2 * LSTM_NOISE -
                    LSTM_NOISE;
}

/* Batch b: inputs series[30b .. 30b+30) and targets one step later, (30, 1) each. */
static int lstm_batches(ag_ctx *ctx, const double *series, ag_var **inputs, ag_var **targets) {
    const int shape[2] = {LSTM_BATCH, 1};
    for (int b = 0; b < LSTM_BATCHES; b++) {
        inputs[b] = keep(ag_new(ctx, 2, shape, series + b * LSTM_BATCH));
        targets[b] = keep(ag_new(ctx, 2, shape, series + b * LSTM_BATCH + 1));
        if (inputs[b] == NULL || targets[b] == NULL) return -1;
    }
    return 0;
}

/* Makes m's lazy weights by one call on x without recording a graph, then
 * forgets any hidden state: the weights a first training step would make. */
static int init_model(ag_ctx *ctx, ag_model *m, ag_var *x) {
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *y = ag_model_forward(m, x);
    ag_set_grad_enabled(ctx, old);
    ag_model_reset_state(m);
    return y == NULL ? -1 : 0;
}

/* ---- full-batch MLP training (W4, W5) ------------------------------------------- */

typedef struct mlp_setup {
    const int *sizes;
    int nsizes;
    ag_activation activation;
    int (*data)(ag_ctx *ctx, ag_var **x, ag_var **y);
    ag_optim_config optim;
    int steps;
    bool vs_dgemm; /* interleave blocks of W5's bare products (VS_DGEMM_BLOCK): no
                    * loss or faults printed then, the step against the products */
} mlp_setup;

static const mlp_setup small_mlp = {
    (const int[]){10, 1}, 2, AG_ACT_SIGMOID, small_mlp_data,
    {.kind = AG_SGD, .lr = 0.2}, SMALL_MLP_STEPS};
static const mlp_setup wide_mlp = {
    (const int[]){WIDE_MLP_WIDTH, WIDE_MLP_WIDTH, 1}, 3, AG_ACT_RELU, wide_mlp_data,
    {.kind = AG_ADAM, .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}, WIDE_MLP_STEPS, false};

static int train_mlp(const mlp_setup *setup, double *seconds, char *values) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_var *x, *y;
    ag_model *model = NULL;
    ag_optim *optim = NULL;
    int status = setup->data(ctx, &x, &y);
    if (status == 0) {
        model = ag_mlp(ctx, setup->sizes, setup->nsizes, setup->activation, 0);
        optim = ag_optim_new(ctx, &setup->optim);
        if (model == NULL || optim == NULL) status = -1;
    }
    if (status < 0) {
        status = bench_fail(ctx, "mlp setup");
        setup = NULL;
    }
    bench_dgemm3 products = {0};
    bool vs_dgemm = setup != NULL && setup->vs_dgemm;
    if (vs_dgemm && bench_dgemm3_init(&products) < 0) {
        status = bench_fail(NULL, "dgemm buffers");
        setup = NULL;
    }
    double ratios[VS_DGEMM_MAX_BLOCKS], dgemm_cpu[VS_DGEMM_MAX_BLOCKS];
    int blocks = 0;
    double loss_value = NAN, t0 = bench_now(), cpu0 = bench_cpu_now();
    double paused = 0, paused_cpu = 0, block_cpu0 = cpu0; /* the products' blocks, not W5's */
    long faults_warm = 0; /* page faults after the warm-up steps (under 10 a step) */
    for (int step = 0; setup != NULL && step < setup->steps; step++) {
        if (step == WARMUP_STEPS) faults_warm = bench_minor_faults();
        ag_var *loss = ag_mse(ctx, ag_model_forward(model, x), y);
        ag_model_cleargrad(model);
        if (loss == NULL || ag_backward(ctx, loss, NULL) < 0 ||
            ag_optim_update_model(optim, model) < 0) {
            status = bench_fail(ctx, "mlp step");
            break;
        }
        loss_value = ag_item(loss);
        ag_gc(ctx);
        if (vs_dgemm && (step + 1) % VS_DGEMM_BLOCK == 0 && blocks < VS_DGEMM_MAX_BLOCKS) {
            double w0 = bench_now(), c0 = bench_cpu_now();
            double per_rep = bench_dgemm3_cpu(&products, VS_DGEMM_REPS);
            ratios[blocks] = (c0 - block_cpu0) / VS_DGEMM_BLOCK / per_rep;
            dgemm_cpu[blocks++] = per_rep;
            block_cpu0 = bench_cpu_now();
            paused += bench_now() - w0;
            paused_cpu += block_cpu0 - c0;
        }
    }
    *seconds = bench_now() - t0 - paused;
    double step_cpu = bench_cpu_now() - cpu0 - paused_cpu;
    long faults_end = bench_minor_faults();
    if (!vs_dgemm) bench_value(values, "loss", loss_value);
    if (setup != NULL && !vs_dgemm && setup->steps > WARMUP_STEPS)
        bench_value(values, "faults/step",
                    round((double)(faults_end - faults_warm) / (setup->steps - WARMUP_STEPS) * 100) / 100);
    if (blocks > 0) {
        bench_value(values, "cpu_us", round(step_cpu / setup->steps * 1e6));
        bench_value(values, "dgemm_us", round(bench_median(dgemm_cpu, blocks) * 1e6));
        bench_value(values, "vs_dgemm", round(bench_median(ratios, blocks) * 1000) / 1000);
    }
    bench_dgemm3_free(&products);
    ag_optim_free(optim);
    ag_model_unref(model);
    ag_ctx_free(ctx);
    return status;
}

static int dump_mlp(const mlp_setup *setup, FILE *out) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_var *x, *y;
    ag_model *model = NULL;
    int status = setup->data(ctx, &x, &y);
    if (status == 0) model = ag_mlp(ctx, setup->sizes, setup->nsizes, setup->activation, 0);
    if (model == NULL || init_model(ctx, model, x) < 0) {
        status = bench_fail(ctx, "mlp dump");
    } else {
        bench_dump_array(out, "x", ag_ndim(x), ag_shape(x), ag_cdata(x));
        bench_dump_array(out, "y", ag_ndim(y), ag_shape(y), ag_cdata(y));
        bench_dump_model(out, model);
    }
    ag_model_unref(model);
    ag_ctx_free(ctx);
    return status;
}

static int run_small_mlp(double *seconds, char *values) {
    return train_mlp(&small_mlp, seconds, values);
}
static int dump_small_mlp(FILE *out) { return dump_mlp(&small_mlp, out); }
static int run_wide_mlp(double *seconds, char *values) {
    return train_mlp(&wide_mlp, seconds, values);
}
static int dump_wide_mlp(FILE *out) { return dump_mlp(&wide_mlp, out); }
static int wide_mlp_vs_dgemm(char *values) {
    mlp_setup sampled = wide_mlp;
    sampled.vs_dgemm = true;
    double seconds;
    return train_mlp(&sampled, &seconds, values);
}

/* ---- W5's three products alone (bench.h) -------------------------------------------- */

int bench_dgemm3_init(bench_dgemm3 *d) {
    const size_t n = WIDE_MLP_POINTS, k = WIDE_MLP_WIDTH;
    d->x = malloc(n * k * sizeof *d->x);
    d->gy = malloc(n * k * sizeof *d->gy);
    d->out = malloc(n * k * sizeof *d->out);
    d->w = malloc(k * k * sizeof *d->w);
    d->gw = malloc(k * k * sizeof *d->gw);
    if (!d->x || !d->gy || !d->out || !d->w || !d->gw) {
        bench_dgemm3_free(d);
        return -1;
    }
    ag_rng rng;
    ag_rng_seed(&rng, 1);
    for (size_t i = 0; i < n * k; i++) {
        d->x[i] = ag_rng_uniform(&rng) - 0.5;
        d->gy[i] = ag_rng_uniform(&rng) - 0.5;
    }
    for (size_t i = 0; i < k * k; i++) d->w[i] = ag_rng_uniform(&rng) - 0.5;
    bench_dgemm3_cpu(d, 1);
    return 0;
}

void bench_dgemm3_free(bench_dgemm3 *d) {
    free(d->x);
    free(d->gy);
    free(d->out);
    free(d->w);
    free(d->gw);
    *d = (bench_dgemm3){0};
}

double bench_dgemm3_cpu(bench_dgemm3 *d, int reps) {
    const int n = WIDE_MLP_POINTS, k = WIDE_MLP_WIDTH, m = WIDE_MLP_WIDTH;
    double c0 = bench_cpu_now();
    for (int i = 0; i < reps; i++) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0, d->x, k, d->w, m, 0.0,
                    d->out, m);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, k, m, 1.0, d->gy, m, d->w, m, 0.0,
                    d->out, k);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, m, n, 1.0, d->x, k, d->gy, m, 0.0,
                    d->gw, m);
    }
    return (bench_cpu_now() - c0) / reps;
}

/* ---- the matmul share of W5 ------------------------------------------------------- */

/* One iteration: y = linear(x, w, b) for x (1000, 256), w (256, 256), then
 * backward from y with a preset gradient: three 1000x256x256 products.
 * The values report the engine's GFLOP/s against cblas_dgemm doing just
 * those products (y = x w, gx = gy w^T, gw = x^T gy) on the same shapes. */
static int run_matmul(double *seconds, char *values) {
    const int n = WIDE_MLP_POINTS, k = WIDE_MLP_WIDTH, m = WIDE_MLP_WIDTH;
    const double flops = 3.0 * 2.0 * n * k * m * MATMUL_REPEATS;
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_rng rng;
    ag_rng_seed(&rng, 1);
    ag_var *x = keep(ag_randn(ctx, 2, (const int[]){n, k}, &rng));
    ag_var *w = keep(ag_randn(ctx, 2, (const int[]){k, m}, &rng));
    ag_var *b = keep(ag_zeros(ctx, 2, (const int[]){1, m}));
    ag_var *gy = keep(ag_randn(ctx, 2, (const int[]){n, m}, &rng));
    if (x == NULL || w == NULL || b == NULL || gy == NULL) {
        bench_fail(ctx, "matmul setup");
        ag_ctx_free(ctx);
        return -1;
    }
    int status = 0;
    double t0 = bench_now();
    for (int i = 0; i < MATMUL_REPEATS && status == 0; i++) {
        ag_cleargrad(x);
        ag_cleargrad(w);
        ag_cleargrad(b);
        ag_var *y = ag_linear(ctx, x, w, b);
        if (y != NULL) ag_set_grad(y, gy);
        if (y == NULL || ag_backward(ctx, y, NULL) < 0) status = bench_fail(ctx, "linear");
        ag_gc(ctx);
    }
    *seconds = bench_now() - t0;
    double engine = flops / *seconds * 1e-9;

    /* the same three products straight through cblas */
    double *out = malloc((size_t)n * (size_t)m * sizeof *out);
    double *gw = malloc((size_t)k * (size_t)m * sizeof *gw);
    double blas_seconds = 0;
    if (out != NULL && gw != NULL) {
        double t1 = bench_now();
        for (int i = 0; i < MATMUL_REPEATS; i++) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0, ag_cdata(x), k,
                        ag_cdata(w), m, 0.0, out, m);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, k, m, 1.0, ag_cdata(gy), m,
                        ag_cdata(w), m, 0.0, out, k);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, m, n, 1.0, ag_cdata(x), k,
                        ag_cdata(gy), m, 0.0, gw, m);
        }
        blas_seconds = bench_now() - t1;
    }
    free(out);
    free(gw);
    double blas = blas_seconds > 0 ? flops / blas_seconds * 1e-9 : NAN;
    bench_value(values, "engine_gflops", round(engine * 100) / 100);
    bench_value(values, "dgemm_gflops", round(blas * 100) / 100);
    bench_value(values, "share", round(engine / blas * 1000) / 1000);
    /* what W5's step is compared with (at most 1.3x of it) */
    bench_value(values, "dgemm_us", round(blas_seconds / MATMUL_REPEATS * 1e6 * 10) / 10);
    ag_ctx_free(ctx);
    return status;
}

/* ---- the width sweep ----------------------------------------------------------------- */

/* 1-W-W-1 MLPs as W5 (ReLU, Adam lr 0.001, MSE, 1,000 points of sin(2 pi x),
 * seed 0) for W = 16, 64, 256 (W5 itself) and 1024, each trained by two
 * contexts side by side: one on one thread (ag_set_blas_threads 1), one as
 * agrepl runs (AG_BLAS_THREADS_AUTO: the count from OPENBLAS_NUM_THREADS,
 * OMP_NUM_THREADS, else the CPUs).  Blocks of steps alternate between the
 * two, `rounds` blocks each; a row's time is its best block's per step, so
 * a load that comes and goes weighs on both alike.  Both have run the same
 * steps at the end: their losses must be the same bits (same=1).  With
 * W = 1024's blocks, a third side interleaved: the rate a large product
 * reaches on every core (OpenBLAS's own threads on 2000^3, best of
 * `rounds`, its workers stopped after each so their spinning takes no
 * core from the next block), against which W = 1024's step counts its
 * three big products' flops. */
typedef struct sweep_side {
    ag_ctx *ctx;
    ag_var *x, *y;
    ag_model *model;
    ag_optim *optim;
    double best, loss;
} sweep_side;

static int sweep_side_new(sweep_side *side, int width, int threads) {
    memset(side, 0, sizeof *side);
    side->best = INFINITY;
    side->ctx = ag_ctx_new();
    if (side->ctx == NULL) return bench_fail(NULL, "context");
    ag_set_blas_threads(side->ctx, threads);
    if (wide_mlp_data(side->ctx, &side->x, &side->y) < 0) return bench_fail(side->ctx, "sweep data");
    side->model = ag_mlp(side->ctx, (const int[]){width, width, 1}, 3, AG_ACT_RELU, 0);
    side->optim = ag_optim_new(side->ctx, &wide_mlp.optim);
    if (side->model == NULL || side->optim == NULL) return bench_fail(side->ctx, "sweep model");
    return 0;
}

static void sweep_side_free(sweep_side *side) {
    ag_optim_free(side->optim);
    ag_model_unref(side->model);
    ag_ctx_free(side->ctx);
}

/* steps of side's training, timed into side->best (per step); 0 or -1 */
static int sweep_block(sweep_side *side, int steps) {
    double t0 = bench_now();
    for (int step = 0; step < steps; step++) {
        ag_var *loss = ag_mse(side->ctx, ag_model_forward(side->model, side->x), side->y);
        ag_model_cleargrad(side->model);
        if (loss == NULL || ag_backward(side->ctx, loss, NULL) < 0 || ag_optim_update_model(side->optim, side->model) < 0)
            return bench_fail(side->ctx, "sweep step");
        side->loss = ag_item(loss);
        ag_gc(side->ctx);
    }
    double per_step = (bench_now() - t0) / steps;
    if (per_step < side->best) side->best = per_step;
    return 0;
}

/* The count AG_BLAS_THREADS_AUTO takes (src/blas.c's t_blas_threads_now,
 * OpenBLAS's rule): OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS,
 * else the CPUs this process may run on. */
static int auto_threads(void) {
    static const char *names[] = {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *text = getenv(names[i]);
        if (text != NULL && atoi(text) > 0) return atoi(text);
    }
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
}

/* OpenBLAS's pthread build stops its workers with this (they spin in
 * sched_yield for a while after a threaded call); weak: other builds lack it */
extern int blas_thread_shutdown_(void) __attribute__((weak));

/* The large product on `threads` of OpenBLAS's own threads, n^3: its best
 * time so far into *best; its workers stopped after it. */
typedef struct big_product {
    int n, threads;
    double *a, *c, best;
} big_product;

static void big_product_run(big_product *big) {
    openblas_set_num_threads(big->threads);
    double t0 = bench_now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, big->n, big->n, big->n, 1.0, big->a, big->n, big->a,
                big->n, 0.0, big->c, big->n);
    double dt = bench_now() - t0;
    if (dt < big->best) big->best = dt;
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_ != NULL) blas_thread_shutdown_();
}

int bench_sweep(int rounds) {
    static const int widths[] = {16, 64, 256, 1024}, steps[] = {100, 40, 10, 2};
    int status = 0, threads = auto_threads();
    double w1024_rate = NAN;
    big_product big = {.n = 2000, .threads = threads, .best = INFINITY};
    big.a = malloc((size_t)big.n * big.n * sizeof *big.a);
    big.c = malloc((size_t)big.n * big.n * sizeof *big.c);
    if (big.a == NULL || big.c == NULL) status = bench_fail(NULL, "dgemm buffers");
    for (size_t i = 0; status == 0 && i < (size_t)big.n * big.n; i++) big.a[i] = (double)(i % 7) * 0.1;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0] && status == 0; w++) {
        sweep_side one, all;
        bool with_big = widths[w] == 1024;
        status = sweep_side_new(&one, widths[w], 1);
        if (status == 0) status = sweep_side_new(&all, widths[w], AG_BLAS_THREADS_AUTO);
        else all.ctx = NULL, all.model = NULL, all.optim = NULL;
        /* a first block each, untimed: weights made, buffers and pages there */
        if (status == 0) status = sweep_block(&one, 1) < 0 || sweep_block(&all, 1) < 0 ? -1 : 0;
        if (status == 0 && with_big) {
            big_product_run(&big);
            big.best = INFINITY;
        }
        one.best = all.best = INFINITY;
        for (int r = 0; r < rounds && status == 0; r++) {
            status = sweep_block(&one, steps[w]) < 0 || sweep_block(&all, steps[w]) < 0 ? -1 : 0;
            if (status == 0 && with_big) big_product_run(&big);
        }
        if (status == 0) {
            char id[16], name[16], runner[16], values[BENCH_VALUES];
            snprintf(id, sizeof id, "M%d", widths[w]);
            snprintf(name, sizeof name, "mlp-w%d", widths[w]);
            long iters = (long)steps[w] * rounds;
            values[0] = '\0';
            bench_value(values, "loss", one.loss);
            bench_value(values, "threads", 1);
            bench_print(id, name, "C-1t", iters, one.best * 1e6, rounds, bench_peak_kib(), values);
            values[0] = '\0';
            bench_value(values, "loss", all.loss);
            bench_value(values, "threads", threads);
            bench_value(values, "same", memcmp(&one.loss, &all.loss, sizeof one.loss) == 0);
            bench_value(values, "gain", round(one.best / all.best * 100) / 100);
            if (with_big) w1024_rate = 3.0 * 2.0 * WIDE_MLP_POINTS * 1024.0 * 1024.0 / all.best;
            snprintf(runner, sizeof runner, "C-%dt", threads);
            bench_print(id, name, runner, iters, all.best * 1e6, rounds, bench_peak_kib(), values);
        }
        sweep_side_free(&one);
        sweep_side_free(&all);
    }
    if (status == 0 && isfinite(big.best)) {
        double big_rate = 2.0 * big.n * big.n * big.n / big.best;
        char values[BENCH_VALUES] = "";
        bench_value(values, "gflops", round(big_rate * 1e-9 * 100) / 100);
        bench_value(values, "threads", threads);
        bench_value(values, "w1024_gflops", round(w1024_rate * 1e-9 * 100) / 100);
        bench_value(values, "w1024_share", round(w1024_rate / big_rate * 1000) / 1000);
        bench_print("DG", "dgemm2000", "openblas", 1, big.best * 1e6, rounds, bench_peak_kib(), values);
    }
    free(big.a);
    free(big.c);
    return status;
}

/* ---- LSTM with truncated backprop (W7) ------------------------------------------------ */

typedef struct lstm_setup {
    ag_ctx *ctx;
    ag_model *model;
    ag_var *inputs[LSTM_BATCHES], *targets[LSTM_BATCHES];
} lstm_setup;

static int lstm_setup_new(lstm_setup *s) {
    memset(s, 0, sizeof *s);
    s->ctx = ag_ctx_new();
    if (s->ctx == NULL) return bench_fail(NULL, "context");
    double series[LSTM_POINTS];
    lstm_series(series);
    if (lstm_batches(s->ctx, series, s->inputs, s->targets) < 0) return bench_fail(s->ctx, "data");
    s->model = ag_lstm_model(s->ctx, LSTM_HIDDEN, 1, 0);
    if (s->model == NULL) return bench_fail(s->ctx, "lstm");
    return 0;
}

static void lstm_setup_free(lstm_setup *s) {
    ag_model_unref(s->model);
    ag_ctx_free(s->ctx);
}

/* Clears the gradients, backpropagates the loss so far, cuts the graph
 * below it and updates: upstream's cmd/lstm at each BPTT boundary. */
static int lstm_update(lstm_setup *s, ag_optim *sgd, ag_var *loss) {
    ag_model_cleargrad(s->model);
    if (ag_backward(s->ctx, loss, NULL) < 0) return -1;
    ag_unchain_backward(loss);
    if (ag_optim_update_model(sgd, s->model) < 0) return -1;
    ag_retain(loss); /* the next batches add to it */
    ag_gc(s->ctx);
    ag_release(loss);
    return 0;
}

static int run_lstm(double *seconds, char *values) {
    lstm_setup s;
    ag_optim *sgd = NULL;
    int status = lstm_setup_new(&s);
    if (status == 0 && (sgd = ag_sgd(s.ctx, 0.01, 0, 0)) == NULL) status = bench_fail(s.ctx, "sgd");
    double epoch_loss = NAN, t0 = bench_now();
    for (int epoch = 0; epoch < LSTM_EPOCHS && status == 0; epoch++) {
        ag_model_reset_state(s.model);
        ag_var *loss = NULL;
        int count = 0;
        for (int b = 0; b < LSTM_BATCHES && status == 0; b++) {
            ag_var *batch_loss = ag_mse(s.ctx, ag_model_forward(s.model, s.inputs[b]), s.targets[b]);
            loss = loss == NULL ? batch_loss : ag_add(s.ctx, loss, batch_loss);
            count++;
            if (loss == NULL) status = bench_fail(s.ctx, "lstm forward");
            else if ((count % LSTM_BPTT == 0 || b == LSTM_BATCHES - 1) && lstm_update(&s, sgd, loss) < 0)
                status = bench_fail(s.ctx, "lstm update");
        }
        if (status == 0) epoch_loss = ag_item(loss) / count;
        ag_gc(s.ctx);
    }
    *seconds = bench_now() - t0;
    bench_value(values, "loss", epoch_loss);
    ag_optim_free(sgd);
    lstm_setup_free(&s);
    return status;
}

static int dump_lstm(FILE *out) {
    lstm_setup s;
    int status = lstm_setup_new(&s);
    if (status == 0 && init_model(s.ctx, s.model, s.inputs[0]) < 0)
        status = bench_fail(s.ctx, "lstm init");
    if (status == 0) {
        double series[LSTM_POINTS];
        lstm_series(series);
        bench_dump_array(out, "series", 1, (const int[]){LSTM_POINTS}, series);
        bench_dump_model(out, s.model);
    }
    lstm_setup_free(&s);
    return status;
}

const bench_workload bench_net_workloads[] = {
    {"W4", "mlp-small", SMALL_MLP_STEPS, 5, "MLP 1-10-1 sigmoid, SGD lr 0.2, 100 points",
     run_small_mlp, dump_small_mlp},
    {"W5", "mlp-wide", WIDE_MLP_STEPS, 3, "MLP 1-256-256-1 relu, Adam lr 0.001, 1000 points",
     run_wide_mlp, dump_wide_mlp, wide_mlp_vs_dgemm},
    {"W5m", "matmul", MATMUL_REPEATS, 3, "linear 1000x256 @ 256x256 fwd+bwd vs cblas_dgemm",
     run_matmul, NULL},
    {"W7", "lstm", LSTM_EPOCHS, 5, "LSTM 100 hidden, TBPTT 30, SGD lr 0.01 (iter = epoch)",
     run_lstm, dump_lstm},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
