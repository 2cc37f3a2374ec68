/* tensor_test_util.h — what the test_tensor*.c binaries share: tensors from
 * literals and ramps, the whole-tensor check, a context per test. */
#ifndef TENSOR_TEST_UTIL_H
#define TENSOR_TEST_UTIL_H

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"
#include "testutil.h"


/* ---- helpers --------------------------------------------------------------- */

/* A tensor of the given shape holding data (or zeros when data is NULL). */
static inline ag_tensor tensor_of(const int *shape, int ndim, const double *data) {
    ag_tensor t;
    assert_int_equal(t_init(NULL, &t, ndim, shape), 0);
    if (data != NULL && t.size > 0) memcpy(t.data, data, t.size * sizeof(double));
    return t;
}
/* TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6) */
#define TENSOR(shape, ...) tensor_of(shape, (const double[]){__VA_ARGS__})
#define ZEROS(...) tensor_of(__VA_ARGS__, NULL)
#define SCALAR(value) tensor_of(NULL, 0, (const double[]){value})

/* 0..n-1 scaled: distinct, non-integer-ish values for naive comparisons. */
static inline ag_tensor tensor_ramp(const int *shape, int ndim, double scale, double offset) {
    ag_tensor t = tensor_of(shape, ndim, NULL);
    for (size_t i = 0; i < t.size; i++) t.data[i] = offset + scale * (double)((i * 7) % 13) - 3.0;
    return t;
}

static inline void check_tensor_at(const ag_tensor *t, const int *shape, int ndim, const double *data,
                            size_t n, const char *file, int line) {
    if (!shape_equal(t->ndim, t->shape, ndim, shape)) {
        print_error("%s:%d: tensor has ndim %d, shape differs from the expected one\n", file,
                       line, t->ndim);
        _fail(file, line);
    }
    if (t->size != n) {
        print_error("%s:%d: size %zu, expected %zu\n", file, line, t->size, n);
        _fail(file, line);
    }
    for (size_t i = 0; i < n; i++) check_close_at(t->data[i], data[i], 1e-12, 1e-300, file, line);
}
/* assert_tensor(&t, SHAPE(2, 3), 1, 2, 3, 4, 5, 6) */
#define assert_tensor(t, shape, ...)                                                      \
    check_tensor_at((t), shape, (const double[]){__VA_ARGS__},                            \
                    sizeof((const double[]){__VA_ARGS__}) / sizeof(double), __FILE__, __LINE__)
#define assert_scalar_tensor(t, value) \
    check_tensor_at((t), NULL, 0, (const double[]){value}, 1, __FILE__, __LINE__)

static inline int setup_ctx(void **state) {
    *state = ag_ctx_new();
    return *state == NULL ? -1 : 0;
}
static inline int teardown_ctx(void **state) {
    ag_ctx_free(*state);
    return 0;
}

#endif
