/* w6_gc.c — where W6's collections go: the W6 chain y = sin(y) * 1.0001 +
 * 0.0001, 100,000 steps, with ag_gc_auto after every step as the REPL calls
 * it, and the CPU time of each call split into young and full collections
 * by ag_gc_stats (bench/README.md, "W6's engine costs"; under callgrind,
 * "The REPL's collection of a surviving chain": most of its young
 * collections find the nodes made old and trace nothing).  Built by hand:
 *   make BUILD=build/bench OPT=-O2 SAN= build/bench/libautograd.a
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Iinclude/autograd \
 *      bench/tools/w6_gc.c build/bench/libautograd.a -lm -ldl -lpthread -o /tmp/w6_gc */
#include <stdio.h>
#include <time.h>

#include "autograd.h"

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return 1;
    ag_var *y = ag_scalar(ctx, 0.5);
    ag_retain(y);
    double young_s = 0, full_s = 0;
    size_t young = 0, full = 0;
    for (int i = 0; i < 100000; i++) {
        ag_var *next = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), ag_scalar(ctx, 1.0001)),
                              ag_scalar(ctx, 0.0001));
        if (next == NULL) return 1;
        ag_retain(next);
        ag_release(y);
        y = next;
        ag_gc_info before = ag_gc_stats(ctx);
        double t0 = cpu_now();
        ag_gc_auto(ctx);
        double spent = cpu_now() - t0;
        ag_gc_info after = ag_gc_stats(ctx);
        if (after.full_collections > before.full_collections) full_s += spent, full++;
        else if (after.young_collections > before.young_collections) young_s += spent, young++;
    }
    printf("young collections %zu: %.1f ms (%.1f us each); full %zu: %.1f ms; live variables %zu\n",
           young, young_s * 1e3, young ? young_s / (double)young * 1e6 : 0.0, full, full_s * 1e3,
           ag_live_vars(ctx));
    ag_ctx_free(ctx);
    return 0;
}
