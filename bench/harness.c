/* harness.c — clock, median, peak memory, result lines and the data file
 * (see bench.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *values, int n) {
    qsort(values, (size_t)n, sizeof *values, by_value);
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

long bench_minor_faults(void) {
    struct rusage usage;
    return getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_minflt : -1;
}

long bench_peak_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

void bench_print(const char *id, const char *name, const char *runner, long iters,
                 double us_per_iter, int runs, long peak_kib, const char *values) {
    /* enough digits that a sub-microsecond step still shows three figures */
    int decimals = us_per_iter < 10 ? 4 : us_per_iter < 1000 ? 2 : 0;
    printf("%-3s %-10s %-6s iters=%-6ld us/iter=%.*f runs=%d peak=%.1fMiB | %s\n", id, name, runner,
           iters, decimals, us_per_iter, runs, peak_kib < 0 ? -1.0 : (double)peak_kib / 1024.0,
           values);
    fflush(stdout);
}

void bench_dump_array(FILE *out, const char *name, int ndim, const int *shape,
                      const double *data) {
    size_t size = 1;
    fprintf(out, "array %s %d", name, ndim);
    for (int i = 0; i < ndim; i++) {
        fprintf(out, " %d", shape[i]);
        size *= (size_t)shape[i];
    }
    fputc('\n', out);
    for (size_t i = 0; i < size; i++) fprintf(out, i ? " %.17g" : "%.17g", data[i]);
    fputc('\n', out);
}

void bench_dump_model(FILE *out, const ag_model *m) {
    for (int i = 0; i < ag_model_param_count(m); i++) {
        const char *name = NULL;
        ag_var *p = ag_model_param(m, i, &name);
        bench_dump_array(out, name, ag_ndim(p), ag_shape(p), ag_cdata(p));
    }
}

int bench_fail(ag_ctx *ctx, const char *what) {
    fprintf(stderr, "bench: %s: %s\n", what, ctx ? ag_errmsg(ctx) : "out of memory");
    return -1;
}

void bench_value(char *values, const char *name, double value) {
    char number[AG_NUMBUF];
    size_t used = strlen(values);
    snprintf(values + used, BENCH_VALUES - used, "%s%s=%s", used ? " " : "", name,
             ag_format_double(value, 0, number));
}
