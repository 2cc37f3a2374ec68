/* scalar_workloads.c — the workloads made of 0-d variables, where per-op
 * overhead is everything:
 *   W1 Rosenbrock descent from (0, 2), lr 0.001, 10,000 steps
 *   W2 Matyas descent from (10, -7), lr 0.1, 10,000 steps
 *   W3 the 4th derivative of tanh at 1 by repeated create_graph backward, 100 times
 *   W6 y = sin(y) * 1.0001 + 0.0001, 100,000 steps from 0.5, then one backward
 * Each step is what a C user writes: cleargrad, forward, backward, update,
 * and ag_gc so memory stays flat.  Constants are made once and retained. */
#include "bench.h"

#define DESCENT_STEPS 10000
#define TANH_REPEATS 100
#define TANH_ORDER 4
#define CHAIN_STEPS 100000

/* Retains v (so ag_gc keeps it) and returns it; NULL passes through. */
static ag_var *keep(ag_var *v) {
    ag_retain(v);
    return v;
}

/* v flagged as a constant, which backward gives no gradient: the objective's
 * numbers (100, 1; 0.26, 0.48; 1.0001, 0.0001) are upstream's MulC and AddC
 * operands, PyTorch's Python floats (torch_bench.py) and the REPL's
 * literals (bench/w*.ag), none of which gets one.  NULL passes through. */
static ag_var *constant(ag_var *v) {
    if (v != NULL) ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_CONST);
    return v;
}

typedef ag_var *(*objective_fn)(ag_ctx *ctx, ag_var *x0, ag_var *x1, ag_var *const *constants);

/* 100 * (x1 - x0^2)^2 + (x0 - 1)^2; constants {100, 1}. */
static ag_var *rosenbrock(ag_ctx *ctx, ag_var *x0, ag_var *x1, ag_var *const *constants) {
    ag_var *a = ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2.0)), 2.0);
    ag_var *b = ag_pow(ctx, ag_sub(ctx, x0, constants[1]), 2.0);
    return ag_add(ctx, ag_mul(ctx, constants[0], a), b);
}

/* 0.26 * (x0^2 + x1^2) - 0.48 * x0 * x1; constants {0.26, 0.48}. */
static ag_var *matyas(ag_ctx *ctx, ag_var *x0, ag_var *x1, ag_var *const *constants) {
    ag_var *a = ag_mul(ctx, constants[0], ag_add(ctx, ag_pow(ctx, x0, 2.0), ag_pow(ctx, x1, 2.0)));
    return ag_sub(ctx, a, ag_mul(ctx, ag_mul(ctx, constants[1], x0), x1));
}

/* Plain gradient descent on a two-argument objective. */
static int descend(objective_fn objective, const double *start, const double *constant_values,
                   double lr, double *seconds, char *values) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_var *x0 = keep(ag_scalar(ctx, start[0])), *x1 = keep(ag_scalar(ctx, start[1]));
    ag_var *constants[2] = {keep(constant(ag_scalar(ctx, constant_values[0]))),
                            keep(constant(ag_scalar(ctx, constant_values[1])))};
    int status = 0;
    double t0 = bench_now();
    for (int step = 0; step < DESCENT_STEPS && status == 0; step++) {
        ag_cleargrad(x0);
        ag_cleargrad(x1);
        ag_var *y = objective(ctx, x0, x1, constants);
        if (y == NULL || ag_backward(ctx, y, NULL) < 0) {
            status = bench_fail(ctx, "descent step");
            break;
        }
        ag_data(x0)[0] -= lr * ag_item(ag_grad(x0));
        ag_data(x1)[0] -= lr * ag_item(ag_grad(x1));
        ag_gc(ctx);
    }
    *seconds = bench_now() - t0;
    bench_value(values, "x0", ag_item(x0));
    bench_value(values, "x1", ag_item(x1));
    ag_ctx_free(ctx);
    return status;
}

static int run_rosenbrock(double *seconds, char *values) {
    return descend(rosenbrock, (const double[]){0.0, 2.0}, (const double[]){100.0, 1.0}, 0.001,
                   seconds, values);
}

static int run_matyas(double *seconds, char *values) {
    return descend(matyas, (const double[]){10.0, -7.0}, (const double[]){0.26, 0.48}, 0.1,
                   seconds, values);
}

/* d^4/dx^4 tanh(x) at 1: backward with create_graph, then three times
 * gx = x.grad; x.cleargrad(); gx.backward(create_graph). */
static int run_tanh_derivatives(double *seconds, char *values) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_var *x = keep(ag_scalar(ctx, 1.0));
    ag_backward_opts opts = {.create_graph = true};
    double derivative = 0;
    int status = 0;
    double t0 = bench_now();
    for (int repeat = 0; repeat < TANH_REPEATS && status == 0; repeat++) {
        ag_cleargrad(x);
        ag_var *y = ag_tanh(ctx, x);
        if (y == NULL || ag_backward(ctx, y, &opts) < 0) status = bench_fail(ctx, "tanh backward");
        for (int order = 2; order <= TANH_ORDER && status == 0; order++) {
            ag_var *gx = ag_grad(x);
            ag_cleargrad(x);
            if (ag_backward(ctx, gx, &opts) < 0) status = bench_fail(ctx, "higher backward");
        }
        if (status == 0) derivative = ag_item(ag_grad(x));
        ag_cleargrad(x);
        ag_gc(ctx);
    }
    *seconds = bench_now() - t0;
    bench_value(values, "d4", derivative);
    ag_ctx_free(ctx);
    return status;
}

/* A 300,000-op chain and one backward through it (no ag_gc inside). */
static int run_chain(double *seconds, char *values) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return bench_fail(NULL, "context");
    ag_var *x = ag_scalar(ctx, 0.5), *scale = constant(ag_scalar(ctx, 1.0001));
    ag_var *shift = constant(ag_scalar(ctx, 0.0001)), *y = x;
    int status = 0;
    double t0 = bench_now();
    for (int step = 0; step < CHAIN_STEPS; step++)
        y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), scale), shift);
    if (y == NULL || ag_backward(ctx, y, NULL) < 0) status = bench_fail(ctx, "chain");
    *seconds = bench_now() - t0;
    if (status == 0) {
        bench_value(values, "y", ag_item(y));
        bench_value(values, "dy/dx", ag_item(ag_grad(x)));
    }
    ag_ctx_free(ctx);
    return status;
}

const bench_workload bench_scalar_workloads[] = {
    {"W1", "rosenbrock", DESCENT_STEPS, 5, "Rosenbrock descent from (0, 2), lr 0.001",
     run_rosenbrock, NULL},
    {"W2", "matyas", DESCENT_STEPS, 5, "Matyas descent from (10, -7), lr 0.1", run_matyas, NULL},
    {"W3", "tanh4", TANH_REPEATS, 5, "4th derivative of tanh at 1 by create_graph backward",
     run_tanh_derivatives, NULL},
    {"W6", "chain", CHAIN_STEPS, 5, "y = sin(y)*1.0001 + 0.0001 from 0.5, then one backward",
     run_chain, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
