/* bench.h — the benchmark harness shared by the workloads: a clock, the
 * median of several runs, the process's peak memory, one printed line per
 * workload, and the data file the PyTorch side reads.
 *
 * Every result line has the same fields so bench/compare.sh can pair ours
 * with PyTorch's by workload id:
 *   W1 rosenbrock C iters=10000 us/iter=1.234 runs=5 peak=2.1MiB | x0=... x1=... */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "autograd.h"

/* One workload: `run` does the whole timed loop once on a fresh context and
 * returns 0 (or -1 after printing why).  It writes its final values, as text
 * ("x0=0.9 x1=0.8"), into values[0..BENCH_VALUES). */
#define BENCH_VALUES 256
typedef struct bench_workload {
    const char *id;   /* "W1" */
    const char *name; /* "rosenbrock" */
    long iters;       /* what one time/iter divides by */
    int runs;         /* how many times run() is repeated; the median is printed */
    const char *what; /* one line for --list */
    int (*run)(double *seconds, char *values);
    /* Writes the workload's data and initial weights for the PyTorch side;
     * NULL when the workload has none. 0 or -1. */
    int (*dump)(FILE *out);
    /* Run once after the timed runs, appending to the printed values; NULL
     * for none (W5: its step against its bare products, in a run of its own:
     * interleaved with the timed steps the products' blocks cooled the
     * caches for the step after each, 1-4 % of W5's time). 0 or -1. */
    int (*after)(char *values);
} bench_workload;

/* Seconds on a monotonic clock. */
double bench_now(void);
/* This process's CPU seconds so far (all threads, user + system): what a
 * ratio of two measurements taken in one run on a loaded machine compares,
 * since waiting for a core does not count. */
double bench_cpu_now(void);
/* The median of values[0..n) (sorts them in place); n >= 1. */
double bench_median(double *values, int n);
/* This process's minor page faults so far (getrusage's ru_minflt). */
long bench_minor_faults(void);
/* This process's peak resident set (VmHWM) in KiB, or -1 when unreadable. */
long bench_peak_kib(void);
/* The result line on stdout, in the format above. */
void bench_print(const char *id, const char *name, const char *runner, long iters,
                 double us_per_iter, int runs, long peak_kib, const char *values);

/* Writes "array NAME NDIM D0 D1 ...\n" then the values (%.17g) on one line:
 * the format bench/torch_bench.py reads. */
void bench_dump_array(FILE *out, const char *name, int ndim, const int *shape,
                      const double *data);
/* Writes every parameter of m under its model name (after its first call). */
void bench_dump_model(FILE *out, const ag_model *m);

/* Prints "bench: WHAT: <context error>" on stderr and returns -1. */
int bench_fail(ag_ctx *ctx, const char *what);
/* Appends "name=value" (shortest round-trip form) to values. */
void bench_value(char *values, const char *name, double value);

/* W5's three big products alone (the target: a W5 step within 1.3x of
 * them): y = x w, gx = gy w^T and gw = x^T gy for x, gy (1000, 256) and w
 * (256, 256), straight through cblas_dgemm into buffers of their own. */
typedef struct bench_dgemm3 {
    double *x, *w, *gy, *out, *gw;
} bench_dgemm3;
/* Allocates and fills the operands and runs the products once (OpenBLAS's
 * own buffers and the pages exist before anything is timed).  0 or -1. */
int bench_dgemm3_init(bench_dgemm3 *d);
void bench_dgemm3_free(bench_dgemm3 *d);
/* The three products `reps` times; CPU seconds per repetition. */
double bench_dgemm3_cpu(bench_dgemm3 *d, int reps);

/* The width sweep (net_workloads.c): 1-W-W-1 MLPs on one thread against
 * agrepl's count, `rounds` interleaved blocks each, then a large product's
 * rate on every core.  One result line each; 0 or -1. */
int bench_sweep(int rounds);

/* The workload tables of each family, terminated by an entry with id NULL. */
extern const bench_workload bench_scalar_workloads[];
extern const bench_workload bench_net_workloads[];
extern const bench_workload bench_conv_workloads[]; /* conv_workloads.c: W8, W9 */

#endif
