/* testutil.h — the one approximate comparison every test uses, plus small
 * helpers for building variables and reading their printed form. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka needs the three above first */
#include <cmocka.h>

#include "autograd.h"

/* TEST_ASAN: built with AddressSanitizer, which gcc announces with
 * __SANITIZE_ADDRESS__ and clang with __has_feature (as src/poison.h). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

/* Resident bytes of the process now (/proc/self/statm's second field; 0
 * when it cannot be read). */
size_t test_resident_bytes(void);

/* Fails the test (with both values and the call site) unless
 * |actual - expected| <= rel * max(|actual|, |expected|) + abs. */
void check_close_at(double actual, double expected, double rel, double abs, const char *file,
                    int line);
#define assert_close(actual, expected) \
    check_close_at((actual), (expected), 1e-12, 1e-300, __FILE__, __LINE__)
#define assert_close_tol(actual, expected, rel, abs) \
    check_close_at((actual), (expected), (rel), (abs), __FILE__, __LINE__)
/* Every element of v against expected[0..n), and v's size against n. */
void check_data_at(const ag_var *v, const double *expected, size_t n, double rel,
                   const char *file, int line);
#define assert_data(v, ...)                                                              \
    do {                                                                                 \
        const double expected_[] = {__VA_ARGS__};                                        \
        check_data_at((v), expected_, sizeof expected_ / sizeof expected_[0], 1e-12,     \
                      __FILE__, __LINE__);                                               \
    } while (0)
/* v's shape against the given dims. */
void check_shape_at(const ag_var *v, const int *shape, int ndim, const char *file, int line);
#define assert_shape(v, ...)                                                             \
    do {                                                                                 \
        const int shape_[] = {__VA_ARGS__};                                              \
        check_shape_at((v), shape_, sizeof shape_ / sizeof shape_[0], __FILE__, __LINE__); \
    } while (0)
#define assert_scalar_shape(v) check_shape_at((v), NULL, 0, __FILE__, __LINE__)
/* ag_var_string(v) against text. */
void check_string_at(const ag_var *v, const char *text, const char *file, int line);
#define assert_var_string(v, text) check_string_at((v), (text), __FILE__, __LINE__)

/* Measured values (times, rates, ratios) against a bound: a failure prints
 * both numbers with their expressions, not only the comparison.  Timing
 * tests compare a measurement with a calibration made in the same run (or
 * use CPU time), never with an absolute wall-clock limit. */
void check_below_at(double value, double bound, const char *value_text, const char *bound_text,
                    const char *file, int line);
#define assert_below(value, bound) check_below_at((value), (bound), #value, #bound, __FILE__, __LINE__)
#define assert_above(value, bound) check_below_at((bound), (value), #bound, #value, __FILE__, __LINE__)
/* How much slower the sanitizer build runs, for the few bounds in CPU
 * seconds (which a loaded machine does not stretch). */
#if defined(TEST_ASAN)
#define SANITIZER_SCALE 4.0
#else
#define SANITIZER_SCALE 1.0
#endif
/* Seconds: CPU time of the calling thread, of the whole process, and the
 * monotonic clock. */
double thread_cpu_seconds(void);
double process_cpu_seconds(void);
/* The process's CPU seconds and those of its children it has waited for
 * (work done in a forked child, such as savefig's drawing). */
double process_and_children_cpu_seconds(void);
double monotonic_seconds(void);

/* The per-test engine context: CTX_TEST(fn) runs fn with `ctx` new and
 * frees it afterwards. */
extern ag_ctx *ctx;
int ctx_setup(void **state);
int ctx_teardown(void **state);
#define CTX_TEST(fn) cmocka_unit_test_setup_teardown(fn, ctx_setup, ctx_teardown)

/* A leaf of the given shape and data: VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6). */
#define SHAPE(...) ((const int[]){__VA_ARGS__}), (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int))
ag_var *make_var(ag_ctx *ctx, const int *shape, int ndim, const double *data);
#define VAR(ctx, shape, ...) make_var((ctx), shape, (const double[]){__VA_ARGS__})

#endif
