/* chain_sweep.c — the cost of a chain of scalar ops against its length: y =
 * sin(y) * 1.0001 + 0.0001 (3 ops a step) from y = 0.5, then one backward,
 * timed together; CPU time (user + sys from getrusage, page faults included)
 * per op, the best of the repetitions, and the minor faults of that one.
 * Two ways of running the repetitions (bench/README.md, "The chain sweep"):
 *   fresh  a new context for each repetition, freed after it
 *   one    one context for all of them, the chain collected (ag_gc) between
 *          them, so its nodes are reused
 * Usage: chain_sweep fresh|one OPS REPS [OPS REPS ...]; prints one line per
 * length and, last, the worst length's cost over the best's.  Built by hand:
 *   make BUILD=build/bench OPT=-O2 SAN= build/bench/libautograd.a
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Iinclude/autograd \
 *      bench/tools/chain_sweep.c build/bench/libautograd.a -lm -ldl -lpthread -o /tmp/chain_sweep
 * and run as `/tmp/chain_sweep fresh 1000 300 10000 300 100000 300 1000000 30 3000000 10 10000000 3`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "autograd.h"

/* The process's CPU seconds (user and system) and its minor faults so far.
 * The seconds come from clock_gettime's process CPU clock, in nanoseconds:
 * getrusage's microseconds, split into user and system time by ticks, moved
 * a 1e3-op chain's best of 300 by several microseconds either way (21 to 34
 * ns an op from one run to the next), and the best of a noisy clock is
 * biased low. */
static double cpu_now(long *faults) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    *faults = r.ru_minflt;
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One chain of `steps` steps and its backward in ctx; the CPU seconds it
 * took and its minor faults, or -1 on an error. */
static double chain(ag_ctx *ctx, long steps, long *faults, double *grad) {
    long f0, f1;
    double c0 = cpu_now(&f0);
    ag_var *x = ag_scalar(ctx, 0.5), *scale = ag_scalar(ctx, 1.0001), *shift = ag_scalar(ctx, 0.0001), *y = x;
    for (long s = 0; s < steps; s++) y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), scale), shift);
    if (y == NULL || ag_backward(ctx, y, NULL) < 0) return -1;
    double c = cpu_now(&f1) - c0;
    *faults = f1 - f0;
    *grad = ag_item(ag_grad(x));
    return c;
}

int main(int argc, char **argv) {
    if (argc < 4 || argc % 2 != 0 || (strcmp(argv[1], "fresh") != 0 && strcmp(argv[1], "one") != 0)) {
        fprintf(stderr, "usage: chain_sweep fresh|one OPS REPS [OPS REPS ...]\n");
        return 2;
    }
    bool fresh = strcmp(argv[1], "fresh") == 0;
    double best_of_all = 1e99, worst_of_all = 0;
    for (int a = 2; a + 1 < argc; a += 2) {
        long steps = atol(argv[a]) / 3;
        int reps = atoi(argv[a + 1]);
        double best = 1e99, grad = 0;
        long best_faults = 0;
        ag_ctx *ctx = fresh ? NULL : ag_ctx_new();
        for (int r = 0; r < reps; r++) {
            if (fresh) ctx = ag_ctx_new();
            long faults;
            double c = ctx != NULL ? chain(ctx, steps, &faults, &grad) : -1;
            if (c < 0) {
                fprintf(stderr, "chain_sweep: %s\n", ag_errmsg(ctx));
                return 1;
            }
            if (c < best) best = c, best_faults = faults;
            if (fresh) ag_ctx_free(ctx);
            else ag_gc(ctx);
        }
        if (!fresh) ag_ctx_free(ctx);
        double per_op = best / (double)(steps * 3) * 1e9;
        if (per_op < best_of_all) best_of_all = per_op;
        if (per_op > worst_of_all) worst_of_all = per_op;
        printf("%s ops=%ld reps=%d cpu_ns/op=%.1f faults/op=%.4f dx=%.17g\n", argv[1], steps * 3, reps, per_op,
               (double)best_faults / (double)(steps * 3), grad);
    }
    printf("%s worst/best=%.2f\n", argv[1], worst_of_all / best_of_all);
    return 0;
}
