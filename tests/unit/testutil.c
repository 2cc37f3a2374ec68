/* testutil.c — shared test helpers (see testutil.h). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void check_close_at(double actual, double expected, double rel, double abs, const char *file,
                    int line) {
    if (isnan(expected) && isnan(actual)) return;
    if (isinf(expected) && actual == expected) return;
    double scale = fmax(fabs(actual), fabs(expected));
    if (fabs(actual - expected) <= rel * scale + abs) return;
    print_error("%s:%d: %.17g is not close to %.17g (rel %g, abs %g)\n", file, line, actual,
                   expected, rel, abs);
    _fail(file, line);
}

void check_below_at(double value, double bound, const char *value_text, const char *bound_text,
                    const char *file, int line) {
    /* TEST_BOUNDS_LOG=FILE: every comparison appended to FILE, passed or not,
     * so that a timing bound's margin can be read off a run */
    const char *log = getenv("TEST_BOUNDS_LOG");
    FILE *out = log != NULL && *log ? fopen(log, "a") : NULL;
    if (out != NULL) {
        fprintf(out, "%s:%d %.6g %.6g %s\n", file, line, value, bound, value < bound ? "ok" : "FAIL");
        fclose(out);
    }
    if (value < bound) return;
    print_error("%s:%d: %s = %.6g is not below %s = %.6g\n", file, line, value_text, value,
                bound_text, bound);
    _fail(file, line);
}

static double clock_seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
double thread_cpu_seconds(void) { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu_seconds(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
double process_and_children_cpu_seconds(void) {
    struct rusage children;
    double reaped = 0;
    if (getrusage(RUSAGE_CHILDREN, &children) == 0)
        reaped = (double)children.ru_utime.tv_sec + children.ru_utime.tv_usec / 1e6 +
                 (double)children.ru_stime.tv_sec + children.ru_stime.tv_usec / 1e6;
    return process_cpu_seconds() + reaped;
}
double monotonic_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

void check_data_at(const ag_var *v, const double *expected, size_t n, double rel,
                   const char *file, int line) {
    if (v == NULL) {
        print_error("%s:%d: variable is NULL\n", file, line);
        _fail(file, line);
        return;
    }
    if (ag_size(v) != n) {
        print_error("%s:%d: size %zu, expected %zu\n", file, line, ag_size(v), n);
        _fail(file, line);
        return;
    }
    const double *d = ag_cdata(v);
    for (size_t i = 0; i < n; i++) check_close_at(d[i], expected[i], rel, 1e-300, file, line);
}

void check_shape_at(const ag_var *v, const int *shape, int ndim, const char *file, int line) {
    if (v == NULL) {
        print_error("%s:%d: variable is NULL\n", file, line);
        _fail(file, line);
        return;
    }
    bool same = ag_ndim(v) == ndim;
    for (int i = 0; same && i < ndim; i++) same = ag_shape(v)[i] == shape[i];
    if (!same) {
        char a[128], b[128];
        print_error("%s:%d: shape %s, expected %s\n", file, line,
                       ag_shape_string(ag_ndim(v), ag_shape(v), a), ag_shape_string(ndim, shape, b));
        _fail(file, line);
    }
}

void check_string_at(const ag_var *v, const char *text, const char *file, int line) {
    char *s = v ? ag_var_string(v, 0) : strdup("<nil>");
    if (strcmp(s, text) != 0) {
        print_error("%s:%d: printed \"%s\", expected \"%s\"\n", file, line, s, text);
        free(s);
        _fail(file, line);
        return;
    }
    free(s);
}

ag_ctx *ctx;

int ctx_setup(void **state) {
    ctx = ag_ctx_new();
    return ctx ? 0 : -1;
}

int ctx_teardown(void **state) {
    ag_ctx_free(ctx);
    ctx = NULL;
    return 0;
}

ag_var *make_var(ag_ctx *ctx, const int *shape, int ndim, const double *data) {
    return ag_new(ctx, ndim, shape, data);
}

size_t test_resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}
