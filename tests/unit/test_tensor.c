/* test_tensor.c — the internal tensor layer: storage, shape helpers and
 * their exact messages, and every kernel against upstream's golden values
 * (reference/upstream.md §7.4-7.6, §7.11) or a naive loop. */
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
static ag_tensor tensor_of(const int *shape, int ndim, const double *data) {
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
static ag_tensor tensor_ramp(const int *shape, int ndim, double scale, double offset) {
    ag_tensor t = tensor_of(shape, ndim, NULL);
    for (size_t i = 0; i < t.size; i++) t.data[i] = offset + scale * (double)((i * 7) % 13) - 3.0;
    return t;
}

static void check_tensor_at(const ag_tensor *t, const int *shape, int ndim, const double *data,
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

static int setup_ctx(void **state) {
    *state = ag_ctx_new();
    return *state == NULL ? -1 : 0;
}
static int teardown_ctx(void **state) {
    ag_ctx_free(*state);
    return 0;
}

/* ---- storage ---------------------------------------------------------------- */

static void test_storage(void **state) {
    assert_int_equal(shape_size(0, NULL), 1);
    assert_int_equal(shape_size(2, (const int[]){2, 3}), 6);
    assert_int_equal(shape_size(3, (const int[]){2, 0, 3}), 0);
    assert_true(shape_equal(2, (const int[]){2, 3}, 2, (const int[]){2, 3}));
    assert_false(shape_equal(2, (const int[]){2, 3}, 2, (const int[]){3, 2}));
    assert_false(shape_equal(1, (const int[]){6}, 2, (const int[]){6, 1}));
    assert_true(shape_equal(0, NULL, 0, NULL));

    ag_tensor t;
    assert_int_equal(t_init(NULL, &t, 2, (const int[]){2, 3}), 0);
    assert_int_equal(t.ndim, 2);
    assert_int_equal(t.size, 6);
    for (size_t i = 0; i < t.size; i++) assert_true(t.data[i] == 0.0);
    t.data[4] = 5;
    ag_tensor copy;
    assert_int_equal(t_copy(NULL, &copy, &t), 0);
    t.data[4] = 7;
    assert_tensor(&copy, SHAPE(2, 3), 0, 0, 0, 0, 5, 0);
    t_free(NULL, &copy);
    t_free(NULL, &t);
    assert_int_equal(t.ndim, 0);
    assert_int_equal(t.size, 0);
    assert_null(t.data);
    t_free(NULL, &t); /* an empty tensor frees again safely */

    /* 0-d: one element */
    assert_int_equal(t_init_uninit(NULL, &t, 0, NULL), 0);
    assert_int_equal(t.size, 1);
    assert_non_null(t.data);
    t_free(NULL, &t);

    /* a zero-size dim: no storage, still a valid shape */
    assert_int_equal(t_init(NULL, &t, 3, (const int[]){2, 0, 3}), 0);
    assert_int_equal(t.ndim, 3);
    assert_int_equal(t.shape[1], 0);
    assert_int_equal(t.size, 0);
    assert_int_equal(t_copy(NULL, &copy, &t), 0);
    assert_int_equal(copy.size, 0);
    t_free(NULL, &copy);
    t_free(NULL, &t);

    /* the shape argument may be the tensor's own shape */
    assert_int_equal(t_init(NULL, &t, 2, (const int[]){4, 5}), 0);
    t_free(NULL, &t);
    t.ndim = 2;
    t.shape[0] = 3;
    t.shape[1] = 2;
    assert_int_equal(t_init(NULL, &t, t.ndim, t.shape), 0);
    assert_int_equal(t.size, 6);
    t_free(NULL, &t);

    /* shapes no op asks for fail like out-of-memory and leave t empty */
    int nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(t_init(NULL, &t, 9, nine), -1);
    assert_null(t.data);
    assert_int_equal(t.size, 0);
    assert_int_equal(t_init(NULL, &t, 2, (const int[]){2, -1}), -1);
    assert_int_equal(t_init(NULL, &t, 3, (const int[]){INT_MAX, INT_MAX, INT_MAX}), -1);
    t_free(NULL, &t);
}

/* ---- shape helpers ------------------------------------------------------------ */

static void test_shape_broadcast(void **state) {
    ag_ctx *ctx = *state;
    static const struct {
        int na, a[4], nb, b[4], nout, out[4];
    } cases[] = {
        {2, {2, 3}, 1, {3}, 2, {2, 3}},
        {2, {2, 1}, 2, {1, 3}, 2, {2, 3}},
        {0, {0}, 2, {2, 2}, 2, {2, 2}},
        {2, {2, 2}, 0, {0}, 2, {2, 2}},
        {3, {5, 1, 4}, 2, {3, 1}, 3, {5, 3, 4}},
        {1, {0}, 1, {1}, 1, {0}},
        {2, {3, 1}, 1, {0}, 2, {3, 0}},
        {0, {0}, 0, {0}, 0, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nout = -1, out[AG_MAX_DIMS];
        assert_int_equal(shape_broadcast(ctx, "add", cases[i].na, cases[i].a, cases[i].nb,
                                         cases[i].b, &nout, out),
                         0);
        assert_int_equal(nout, cases[i].nout);
        assert_memory_equal(out, cases[i].out, (size_t)nout * sizeof(int));
    }
    /* out may be one of the inputs */
    int a[AG_MAX_DIMS] = {4, 1}, nout;
    assert_int_equal(shape_broadcast(ctx, "add", 2, a, 3, (const int[]){2, 1, 5}, &nout, a), 0);
    assert_int_equal(nout, 3);
    assert_memory_equal(a, ((const int[]){2, 4, 5}), 3 * sizeof(int));

    assert_false(ag_failed(ctx));
    assert_int_equal(shape_broadcast(ctx, "add", 1, (const int[]){3}, 1, (const int[]){2}, &nout, a),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "add: shapes [3] and [2] are not compatible");
    assert_int_equal(
        shape_broadcast(ctx, "mul", 2, (const int[]){2, 3}, 1, (const int[]){2}, &nout, a), -1);
    assert_string_equal(ag_errmsg(ctx), "mul: shapes [2 3] and [2] are not compatible");
    assert_int_equal(
        shape_broadcast(ctx, "sub", 3, (const int[]){4, 2, 3}, 2, (const int[]){3, 3}, &nout, a),
        -1);
    assert_string_equal(ag_errmsg(ctx), "sub: shapes [4 2 3] and [3 3] are not compatible");
    assert_int_equal(shape_broadcast(ctx, "div", 1, (const int[]){0}, 1, (const int[]){2}, &nout, a),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "div: shapes [0] and [2] are not compatible");
}

static void test_axes_mask(void **state) {
    ag_ctx *ctx = *state;
    bool mask[AG_MAX_DIMS];
    assert_int_equal(axes_mask(ctx, "sum", 2, (const int[]){0}, 1, mask), 0);
    assert_true(mask[0] && !mask[1]);
    assert_int_equal(axes_mask(ctx, "sum", 2, (const int[]){-1}, 1, mask), 0);
    assert_true(!mask[0] && mask[1]);
    assert_int_equal(axes_mask(ctx, "sum", 3, NULL, 0, mask), 0);
    assert_true(mask[0] && mask[1] && mask[2]);
    assert_int_equal(axes_mask(ctx, "sum", 3, (const int[]){0, -1}, 2, mask), 0);
    assert_true(mask[0] && !mask[1] && mask[2]);
    assert_int_equal(axes_mask(ctx, "sum", 2, (const int[]){-2, -1}, 2, mask), 0);
    assert_true(mask[0] && mask[1]);
    assert_int_equal(axes_mask(ctx, "sum", 0, NULL, 0, mask), 0);
    assert_false(ag_failed(ctx));

    assert_int_equal(axes_mask(ctx, "sum", 2, (const int[]){3}, 1, mask), -1);
    assert_string_equal(ag_errmsg(ctx), "sum: axis 3 out of range for ndim 2");
    assert_int_equal(axes_mask(ctx, "max", 2, (const int[]){0, -3}, 2, mask), -1);
    assert_string_equal(ag_errmsg(ctx), "max: axis -3 out of range for ndim 2");
    assert_int_equal(axes_mask(ctx, "sum", 2, (const int[]){1, -1}, 2, mask), -1);
    assert_string_equal(ag_errmsg(ctx), "sum: duplicate axis 1");
    assert_int_equal(axes_mask(ctx, "min", 3, (const int[]){0, 2, 0}, 3, mask), -1);
    assert_string_equal(ag_errmsg(ctx), "min: duplicate axis 0");
    /* a 0-d value takes axis 0 or -1 once, as PyTorch, reducing nothing */
    assert_int_equal(axes_mask(ctx, "sum", 0, (const int[]){-1}, 1, mask), 0);
    assert_int_equal(axes_mask(ctx, "sum", 0, (const int[]){1}, 1, mask), -1);
    assert_string_equal(ag_errmsg(ctx), "sum: axis 1 out of range for a 0-d value (0 or -1)");

    ag_clear_error(ctx);
    assert_int_equal(axis_normalize(ctx, "softmax", -1, 3), 2);
    assert_int_equal(axis_normalize(ctx, "softmax", 0, 3), 0);
    assert_int_equal(axis_normalize(ctx, "softmax", -3, 3), 0);
    assert_false(ag_failed(ctx));
    assert_int_equal(axis_normalize(ctx, "softmax", 1, 1), -1);
    assert_string_equal(ag_errmsg(ctx), "softmax: axis 1 out of range for ndim 1");
    assert_int_equal(axis_normalize(ctx, "take", -4, 3), -1);
    assert_string_equal(ag_errmsg(ctx), "take: axis -4 out of range for ndim 3");
}

static void test_shape_reduce(void **state) {
    int nout, out[AG_MAX_DIMS];
    const int shape[] = {2, 3, 4};
    shape_reduce(3, shape, (const bool[]){false, true, false}, false, &nout, out);
    assert_int_equal(nout, 2);
    assert_memory_equal(out, ((const int[]){2, 4}), 2 * sizeof(int));
    shape_reduce(3, shape, (const bool[]){false, true, false}, true, &nout, out);
    assert_int_equal(nout, 3);
    assert_memory_equal(out, ((const int[]){2, 1, 4}), 3 * sizeof(int));
    shape_reduce(3, shape, (const bool[]){true, true, true}, false, &nout, out);
    assert_int_equal(nout, 0);
    shape_reduce(3, shape, (const bool[]){true, false, true}, true, &nout, out);
    assert_int_equal(nout, 3);
    assert_memory_equal(out, ((const int[]){1, 3, 1}), 3 * sizeof(int));
}

static void test_shape_reshape(void **state) {
    ag_ctx *ctx = *state;
    int out[AG_MAX_DIMS];
    assert_int_equal(shape_reshape(ctx, 12, 3, (const int[]){2, 2, 3}, 2, (const int[]){-1, 3}, out),
                     0);
    assert_memory_equal(out, ((const int[]){4, 3}), 2 * sizeof(int));
    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 1, (const int[]){-1}, out), 0);
    assert_int_equal(out[0], 6);
    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 3, (const int[]){1, 6, 1}, out),
                     0);
    assert_memory_equal(out, ((const int[]){1, 6, 1}), 3 * sizeof(int));
    assert_int_equal(shape_reshape(ctx, 1, 0, NULL, 0, NULL, out), 0);
    assert_int_equal(shape_reshape(ctx, 1, 0, NULL, 2, (const int[]){1, -1}, out), 0);
    assert_memory_equal(out, ((const int[]){1, 1}), 2 * sizeof(int));
    assert_int_equal(shape_reshape(ctx, 0, 2, (const int[]){0, 3}, 2, (const int[]){-1, 3}, out),
                     0);
    assert_memory_equal(out, ((const int[]){0, 3}), 2 * sizeof(int));
    assert_false(ag_failed(ctx));

    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 2, (const int[]){4, -1}, out),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: cannot reshape [2 3] into [4 -1]");
    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 2, (const int[]){-1, -1}, out),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: more than one -1 in [-1 -1]");
    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 2, (const int[]){4, 2}, out),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: cannot reshape [2 3] into [4 2]");
    assert_int_equal(shape_reshape(ctx, 6, 2, (const int[]){2, 3}, 2, (const int[]){-2, -3}, out),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: cannot reshape [2 3] into [-2 -3]");
    assert_int_equal(shape_reshape(ctx, 0, 2, (const int[]){0, 3}, 2, (const int[]){0, -1}, out),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: cannot reshape [0 3] into [0 -1]");
    assert_int_equal(shape_reshape(ctx, 1, 0, NULL, 1, (const int[]){2}, out), -1);
    assert_string_equal(ag_errmsg(ctx), "reshape: cannot reshape [] into [2]");
}

static void test_check_broadcast_to(void **state) {
    ag_ctx *ctx = *state;
    assert_int_equal(shape_check_broadcast_to(ctx, "broadcast_to", 1, (const int[]){3}, 2,
                                              (const int[]){2, 3}),
                     0);
    assert_int_equal(shape_check_broadcast_to(ctx, "broadcast_to", 0, NULL, 2, (const int[]){2, 2}),
                     0);
    assert_int_equal(shape_check_broadcast_to(ctx, "broadcast_to", 3, (const int[]){1, 2, 1}, 3,
                                              (const int[]){3, 2, 4}),
                     0);
    assert_false(ag_failed(ctx));
    assert_int_equal(
        shape_check_broadcast_to(ctx, "broadcast_to", 1, (const int[]){3}, 1, (const int[]){2}), -1);
    assert_string_equal(ag_errmsg(ctx), "broadcast_to: cannot broadcast [3] to [2]");
    assert_int_equal(shape_check_broadcast_to(ctx, "broadcast_to", 2, (const int[]){2, 3}, 1,
                                              (const int[]){3}),
                     -1);
    assert_string_equal(ag_errmsg(ctx), "broadcast_to: cannot broadcast [2 3] to [3]");
    assert_int_equal(
        shape_check_broadcast_to(ctx, "expand", 1, (const int[]){2}, 0, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "expand: cannot broadcast [2] to []");
}

/* ---- elementwise ---------------------------------------------------------------- */

static double apply(double x, double y, t_binop op) {
    switch (op) {
    case T_ADD: return x + y;
    case T_SUB: return x - y;
    case T_MUL: return x * y;
    case T_DIV: return x / y;
    case T_POW: return pow(x, y);
    }
    return NAN;
}

static void test_binary_same_shape(void **state) {
    ag_tensor a = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    ag_tensor b = TENSOR(SHAPE(2, 2), 10, 20, 30, 40);
    ag_tensor out = ZEROS(SHAPE(2, 2));
    t_binary(&out, &a, &b, T_ADD);
    assert_tensor(&out, SHAPE(2, 2), 11, 22, 33, 44);
    t_binary(&out, &a, &b, T_SUB);
    assert_tensor(&out, SHAPE(2, 2), -9, -18, -27, -36);
    t_binary(&out, &a, &b, T_MUL);
    assert_tensor(&out, SHAPE(2, 2), 10, 40, 90, 160);
    t_binary(&out, &a, &b, T_DIV);
    assert_tensor(&out, SHAPE(2, 2), 0.1, 0.1, 0.1, 0.1);
    ag_tensor e = TENSOR(SHAPE(2, 2), 3, 0.5, -1, 2);
    t_binary(&out, &a, &e, T_POW);
    assert_tensor(&out, SHAPE(2, 2), 1, sqrt(2.0), 1.0 / 3.0, 16);
    /* in place: out is a */
    t_binary(&a, &a, &b, T_ADD);
    assert_tensor(&a, SHAPE(2, 2), 11, 22, 33, 44);
    t_free(NULL, &a);
    t_free(NULL, &b);
    t_free(NULL, &e);
    t_free(NULL, &out);

    /* 0-d with 0-d */
    ag_tensor x = SCALAR(3), y = SCALAR(2), z = ZEROS(NULL, 0);
    t_binary(&z, &x, &y, T_POW);
    assert_scalar_tensor(&z, 9);
    t_free(NULL, &x);
    t_free(NULL, &y);
    t_free(NULL, &z);
}

static void test_binary_broadcast(void **state) {
    /* G46: [2 3] + [3] and [2 1] * [1 3] */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor row = TENSOR(SHAPE(3), 10, 20, 30);
    ag_tensor out = ZEROS(SHAPE(2, 3));
    t_binary(&out, &a, &row, T_ADD);
    assert_tensor(&out, SHAPE(2, 3), 11, 22, 33, 14, 25, 36);
    t_binary(&out, &row, &a, T_SUB);
    assert_tensor(&out, SHAPE(2, 3), 9, 18, 27, 6, 15, 24);

    ag_tensor column = TENSOR(SHAPE(2, 1), 1, 2);
    ag_tensor line = TENSOR(SHAPE(1, 3), 10, 20, 30);
    t_binary(&out, &column, &line, T_MUL);
    assert_tensor(&out, SHAPE(2, 3), 10, 20, 30, 20, 40, 60);
    t_binary(&out, &column, &line, T_SUB);
    assert_tensor(&out, SHAPE(2, 3), -9, -19, -29, -8, -18, -28);
    t_binary(&out, &line, &column, T_DIV);
    assert_tensor(&out, SHAPE(2, 3), 10, 20, 30, 5, 10, 15);

    /* TestAdd: [1 2] + [2 2] and [2 1] + [2 2] */
    ag_tensor square = TENSOR(SHAPE(2, 2), 10, 20, 30, 40);
    ag_tensor first = TENSOR(SHAPE(1, 2), 1, 2);
    ag_tensor out2 = ZEROS(SHAPE(2, 2));
    t_binary(&out2, &first, &square, T_ADD);
    assert_tensor(&out2, SHAPE(2, 2), 11, 22, 31, 42);
    ag_tensor second = TENSOR(SHAPE(2, 1), 1, 2);
    t_binary(&out2, &second, &square, T_ADD);
    assert_tensor(&out2, SHAPE(2, 2), 11, 21, 32, 42);

    /* scalar cases: G39-G42 (b of shape [1]) and a 0-d on either side */
    ag_tensor v = TENSOR(SHAPE(5), 1, 2, 3, 4, 5);
    ag_tensor one = TENSOR(SHAPE(1), 2);
    ag_tensor out5 = ZEROS(SHAPE(5));
    t_binary(&out5, &v, &one, T_DIV);
    assert_tensor(&out5, SHAPE(5), 0.5, 1, 1.5, 2, 2.5);
    t_binary(&out5, &v, &one, T_SUB);
    assert_tensor(&out5, SHAPE(5), -1, 0, 1, 2, 3);
    ag_tensor ten = SCALAR(10);
    t_binary(&out5, &ten, &v, T_DIV);
    assert_tensor(&out5, SHAPE(5), 10, 5, 10.0 / 3.0, 2.5, 2);
    t_binary(&out5, &v, &ten, T_POW);
    assert_tensor(&out5, SHAPE(5), 1, 1024, 59049, 1048576, 9765625);
    t_binary(&out, &ten, &a, T_SUB);
    assert_tensor(&out, SHAPE(2, 3), 9, 8, 7, 6, 5, 4);

    t_free(NULL, &a);
    t_free(NULL, &row);
    t_free(NULL, &out);
    t_free(NULL, &column);
    t_free(NULL, &line);
    t_free(NULL, &square);
    t_free(NULL, &first);
    t_free(NULL, &second);
    t_free(NULL, &out2);
    t_free(NULL, &v);
    t_free(NULL, &one);
    t_free(NULL, &out5);
    t_free(NULL, &ten);
}

/* General broadcasts in 3 and 4 dims against a naive index computation. */
static void test_binary_broadcast_naive(void **state) {
    static const struct {
        int na, a[4], nb, b[4];
    } cases[] = {
        {3, {2, 1, 3}, 2, {4, 1}},
        {4, {2, 3, 1, 5}, 3, {3, 4, 1}},
        {2, {1, 7}, 3, {3, 5, 1}},
        {3, {2, 3, 4}, 3, {2, 1, 4}},
        {3, {2, 3, 4}, 1, {4}},
        {3, {1, 3, 1}, 3, {2, 3, 4}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int nout, oshape[AG_MAX_DIMS];
        assert_int_equal(shape_broadcast(NULL, "add", cases[c].na, cases[c].a, cases[c].nb,
                                         cases[c].b, &nout, oshape),
                         0);
        ag_tensor a = tensor_ramp(cases[c].a, cases[c].na, 0.5, 1);
        ag_tensor b = tensor_ramp(cases[c].b, cases[c].nb, 0.25, 5);
        ag_tensor out = ZEROS(oshape, nout);
        for (int op = T_ADD; op <= T_POW; op++) {
            t_binary(&out, &a, &b, (t_binop)op);
            for (size_t i = 0; i < out.size; i++) {
                /* unravel i, then re-ravel into each operand (1-dims read 0) */
                size_t rest = i, ia = 0, ib = 0, sa = 1, sb = 1;
                for (int d = nout - 1; d >= 0; d--) {
                    size_t coord = rest % (size_t)oshape[d];
                    rest /= (size_t)oshape[d];
                    int da = d - (nout - a.ndim), db = d - (nout - b.ndim);
                    if (da >= 0) {
                        if (a.shape[da] > 1) ia += coord * sa;
                        sa *= (size_t)a.shape[da];
                    }
                    if (db >= 0) {
                        if (b.shape[db] > 1) ib += coord * sb;
                        sb *= (size_t)b.shape[db];
                    }
                }
                assert_close(out.data[i], apply(a.data[ia], b.data[ib], (t_binop)op));
            }
        }
        t_free(NULL, &a);
        t_free(NULL, &b);
        t_free(NULL, &out);
    }
}

static void test_binary_zero_size(void **state) {
    ag_tensor a = ZEROS(SHAPE(0, 3)), b = TENSOR(SHAPE(3), 1, 2, 3), out = ZEROS(SHAPE(0, 3));
    t_binary(&out, &a, &b, T_ADD);
    assert_int_equal(out.size, 0);
    t_free(NULL, &a);
    t_free(NULL, &b);
    t_free(NULL, &out);
}

static void test_map(void **state) {
    ag_tensor a = TENSOR(SHAPE(2, 2), 1, 4, 9, 16);
    ag_tensor out = ZEROS(SHAPE(2, 2));
    t_map(&out, &a, sqrt);
    assert_tensor(&out, SHAPE(2, 2), 1, 2, 3, 4);
    t_map(&a, &a, sqrt);
    assert_tensor(&a, SHAPE(2, 2), 1, 2, 3, 4);
    t_free(NULL, &a);
    t_free(NULL, &out);
}

/* ---- reductions ------------------------------------------------------------------ */

/* Reduces a over axes (through axes_mask and shape_reduce like the op layer)
 * into a new tensor. */
static ag_tensor reduce(const ag_tensor *a, const int *axes, int naxes, bool keepdims,
                        t_reduce_op op) {
    bool mask[AG_MAX_DIMS];
    int nout, shape[AG_MAX_DIMS];
    assert_int_equal(axes_mask(NULL, "sum", a->ndim, axes, naxes, mask), 0);
    shape_reduce(a->ndim, a->shape, mask, keepdims, &nout, shape);
    ag_tensor out = tensor_of(shape, nout, NULL);
    t_reduce(&out, a, mask, op);
    return out;
}

static void test_reduce_sum(void **state) {
    /* G47 */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor r = reduce(&a, (const int[]){0}, 1, false, T_RSUM);
    assert_tensor(&r, SHAPE(3), 5, 7, 9);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){1}, 1, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), 6, 15);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){-1}, 1, true, T_RSUM);
    assert_tensor(&r, SHAPE(2, 1), 6, 15);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){-2}, 1, true, T_RSUM);
    assert_tensor(&r, SHAPE(1, 3), 5, 7, 9);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){0, 1}, 2, false, T_RSUM);
    assert_scalar_tensor(&r, 21);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){-2, -1}, 2, false, T_RSUM);
    assert_scalar_tensor(&r, 21);
    t_free(NULL, &r);
    r = reduce(&a, NULL, 0, false, T_RSUM);
    assert_scalar_tensor(&r, 21);
    t_free(NULL, &r);
    r = reduce(&a, NULL, 0, true, T_RSUM);
    assert_tensor(&r, SHAPE(1, 1), 21);
    t_free(NULL, &r);
    t_free(NULL, &a);

    /* G52 and TestSum: [2 2 2] 1..8 */
    ag_tensor c = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    r = reduce(&c, (const int[]){1, 2}, 2, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), 10, 26);
    t_free(NULL, &r);
    r = reduce(&c, (const int[]){0, 1}, 2, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), 16, 20);
    t_free(NULL, &r);
    r = reduce(&c, (const int[]){0, 2}, 2, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), 14, 22);
    t_free(NULL, &r);
    r = reduce(&c, (const int[]){2, 0}, 2, true, T_RSUM);
    assert_tensor(&r, SHAPE(1, 2, 1), 14, 22);
    t_free(NULL, &r);
    r = reduce(&c, (const int[]){1}, 1, false, T_RSUM);
    assert_tensor(&r, SHAPE(2, 2), 4, 6, 12, 14);
    t_free(NULL, &r);
    t_free(NULL, &c);

    /* a 0-d input reduces to itself */
    ag_tensor s = SCALAR(42);
    r = reduce(&s, NULL, 0, false, T_RSUM);
    assert_scalar_tensor(&r, 42);
    t_free(NULL, &r);
    t_free(NULL, &s);
}

/* Sums run in row-major order from 0: 1e16 + 1 + ... loses each 1 exactly as
 * a left-to-right loop does. */
static void test_reduce_sum_order(void **state) {
    ag_tensor a = TENSOR(SHAPE(2, 3), 1e16, 1, 1, -1e16, 1, 1);
    ag_tensor r = reduce(&a, (const int[]){1}, 1, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), ((1e16 + 1) + 1), ((-1e16 + 1) + 1));
    t_free(NULL, &r);
    r = reduce(&a, NULL, 0, false, T_RSUM);
    assert_scalar_tensor(&r, ((((((0.0 + 1e16) + 1) + 1) + -1e16) + 1) + 1));
    t_free(NULL, &r);
    t_free(NULL, &a);
}

static void test_reduce_max_min(void **state) {
    /* G50 */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 10, 6);
    ag_tensor r = reduce(&a, NULL, 0, false, T_RMAX);
    assert_scalar_tensor(&r, 10);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){0}, 1, false, T_RMAX);
    assert_tensor(&r, SHAPE(3), 4, 10, 6);
    t_free(NULL, &r);
    r = reduce(&a, (const int[]){1}, 1, false, T_RMAX);
    assert_tensor(&r, SHAPE(2), 3, 10);
    t_free(NULL, &r);
    t_free(NULL, &a);
    /* G51 */
    ag_tensor b = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, -5, 6);
    r = reduce(&b, (const int[]){-2, -1}, 2, false, T_RMIN);
    assert_scalar_tensor(&r, -5);
    t_free(NULL, &r);
    r = reduce(&b, (const int[]){0}, 1, false, T_RMIN);
    assert_tensor(&r, SHAPE(3), 1, -5, 3);
    t_free(NULL, &r);
    r = reduce(&b, (const int[]){1}, 1, false, T_RMIN);
    assert_tensor(&r, SHAPE(2), 1, -5);
    t_free(NULL, &r);
    t_free(NULL, &b);

    /* a NaN input makes max/min NaN, wherever it sits */
    ag_tensor n = TENSOR(SHAPE(2, 3), NAN, 1, 2, 3, NAN, 4);
    r = reduce(&n, (const int[]){1}, 1, false, T_RMAX);
    assert_true(isnan(r.data[0]) && isnan(r.data[1]));
    t_free(NULL, &r);
    r = reduce(&n, (const int[]){0}, 1, false, T_RMIN);
    assert_true(isnan(r.data[0]) && isnan(r.data[1]));
    assert_close(r.data[2], 2);
    t_free(NULL, &r);
    t_free(NULL, &n);

    /* upstream's starting values show through an empty reduction */
    ag_tensor empty = ZEROS(SHAPE(2, 0));
    r = reduce(&empty, (const int[]){1}, 1, false, T_RMAX);
    assert_true(r.size == 2 && r.data[0] == -DBL_MAX && r.data[1] == -DBL_MAX);
    t_free(NULL, &r);
    r = reduce(&empty, (const int[]){1}, 1, false, T_RMIN);
    assert_true(r.size == 2 && r.data[0] == DBL_MAX && r.data[1] == DBL_MAX);
    t_free(NULL, &r);
    r = reduce(&empty, (const int[]){1}, 1, false, T_RSUM);
    assert_tensor(&r, SHAPE(2), 0, 0);
    t_free(NULL, &r);
    t_free(NULL, &empty);
}

/* Every axis subset of a 4-d tensor against a naive per-element sum. */
static void test_reduce_naive(void **state) {
    const int shape[] = {3, 1, 4, 5};
    ag_tensor a = tensor_ramp(shape, 4, 1.5, 0);
    for (int subset = 1; subset < 16; subset++) {
        int axes[4], naxes = 0;
        for (int d = 0; d < 4; d++)
            if (subset & (1 << d)) axes[naxes++] = d;
        for (int op = T_RSUM; op <= T_RMIN; op++) {
            ag_tensor r = reduce(&a, axes, naxes, true, (t_reduce_op)op);
            for (size_t o = 0; o < r.size; o++) {
                double expected = op == T_RSUM ? 0 : op == T_RMAX ? -DBL_MAX : DBL_MAX;
                for (size_t i = 0; i < a.size; i++) {
                    /* does a's element i land in output o? */
                    size_t rest = i, target = 0, step = 1;
                    for (int d = 3; d >= 0; d--) {
                        size_t coord = rest % (size_t)shape[d];
                        rest /= (size_t)shape[d];
                        if (!(subset & (1 << d))) target += coord * step;
                        step *= (size_t)r.shape[d];
                    }
                    if (target != o) continue;
                    double x = a.data[i];
                    if (op == T_RSUM) expected += x;
                    if (op == T_RMAX && x > expected) expected = x;
                    if (op == T_RMIN && x < expected) expected = x;
                }
                assert_close(r.data[o], expected);
            }
            t_free(NULL, &r);
        }
    }
    t_free(NULL, &a);
}

/* ---- sum_to / broadcast_to ------------------------------------------------------------ */

static void test_sum_to(void **state) {
    /* G45, TestSumTo */
    ag_tensor a = TENSOR(SHAPE(2, 4), 1, 2, 3, 4, 5, 6, 7, 8);
    ag_tensor out = ZEROS(SHAPE(4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(4), 6, 8, 10, 12);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(4, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    out = ZEROS(SHAPE(4, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(4, 1), 3, 7, 11, 15);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(2, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    out = ZEROS(SHAPE(1, 2, 4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 2, 4), 10, 12, 14, 16, 18, 20, 22, 24);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(3, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
               20, 21, 22, 23, 24);
    out = ZEROS(SHAPE(3, 1, 4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(3, 1, 4), 6, 8, 10, 12, 22, 24, 26, 28, 38, 40, 42, 44);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* ExampleSumTo */
    a = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    out = ZEROS(SHAPE(1, 2, 2));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 2, 2), 2, 4, 6, 8);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* G44 on [2 3] 1..6: to [1 3], [2 1], [1 1], [] and the same shape */
    a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    out = ZEROS(SHAPE(1, 3));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 3), 5, 7, 9);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(2, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 1), 6, 15);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(1, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 1), 21);
    t_free(NULL, &out);
    out = ZEROS(NULL, 0);
    t_sum_to(&out, &a);
    assert_scalar_tensor(&out, 21);
    t_free(NULL, &out);
    /* it accumulates into what out holds */
    out = TENSOR(SHAPE(2, 3), 100, 100, 100, 100, 100, 100);
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 3), 101, 102, 103, 104, 105, 106);
    t_free(NULL, &out);
    out = TENSOR(SHAPE(3), 0.5, 0.25, 0.125);
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(3), 5.5, 7.25, 9.125);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* 0-d to 0-d (TestSumTo "scalar") */
    a = SCALAR(42);
    out = ZEROS(NULL, 0);
    t_sum_to(&out, &a);
    assert_scalar_tensor(&out, 42);
    t_free(NULL, &out);
    t_free(NULL, &a);
}

static void test_broadcast_to(void **state) {
    /* TestBroadcastTo */
    ag_tensor a = SCALAR(42);
    ag_tensor out = ZEROS(SHAPE(2, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2), 42, 42, 42, 42);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(1, 4), 1, 2, 3, 4);
    out = ZEROS(SHAPE(2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 4), 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(2, 2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2, 4), 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(4, 1), 1, 2, 3, 4);
    out = ZEROS(SHAPE(4, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(4, 2), 1, 1, 2, 2, 3, 3, 4, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    out = ZEROS(SHAPE(2, 3));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(1, 2, 1), 1, 2);
    out = ZEROS(SHAPE(3, 2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(3, 2, 4), 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1,
                  2, 2, 2, 2);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* ExampleBroadcastTo and G43 */
    a = TENSOR(SHAPE(1, 2, 2), 1, 2, 3, 4);
    out = ZEROS(SHAPE(2, 2, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);
    a = TENSOR(SHAPE(1), 2);
    out = ZEROS(SHAPE(1, 3));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 3), 2, 2, 2);
    t_free(NULL, &out);
    t_free(NULL, &a);
}

/* ---- transpose ---------------------------------------------------------------------- */

static ag_tensor transpose(const ag_tensor *a, const int *perm) {
    int shape[AG_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++) shape[i] = a->shape[perm[i]];
    ag_tensor out = tensor_of(shape, a->ndim, NULL);
    t_transpose(&out, a, perm);
    return out;
}

static void test_transpose(void **state) {
    /* G54 */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor r = transpose(&a, (const int[]){1, 0});
    assert_tensor(&r, SHAPE(3, 2), 1, 4, 2, 5, 3, 6);
    t_free(NULL, &r);
    r = transpose(&a, (const int[]){0, 1});
    assert_tensor(&r, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    t_free(NULL, &r);
    t_free(NULL, &a);

    ag_tensor b = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = transpose(&b, (const int[]){0, 2, 1});
    assert_tensor(&r, SHAPE(2, 3, 2), 1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12);
    t_free(NULL, &r);
    r = transpose(&b, (const int[]){2, 0, 1}); /* also what [-1 -3 -2] normalizes to */
    assert_tensor(&r, SHAPE(3, 2, 2), 1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12);
    t_free(NULL, &r);
    t_free(NULL, &b);

    ag_tensor s = SCALAR(42);
    r = transpose(&s, NULL);
    assert_scalar_tensor(&r, 42);
    t_free(NULL, &r);
    t_free(NULL, &s);
}

/* Big enough for the tiled path, odd sizes for its edges; checked by index. */
static void test_transpose_large(void **state) {
    const int shape[] = {70, 45};
    ag_tensor a = tensor_ramp(shape, 2, 1, 0);
    for (size_t i = 0; i < a.size; i++) a.data[i] = (double)i;
    ag_tensor r = transpose(&a, (const int[]){1, 0});
    for (int i = 0; i < 45; i++)
        for (int j = 0; j < 70; j++) assert_true(r.data[i * 70 + j] == (double)(j * 45 + i));
    t_free(NULL, &r);
    t_free(NULL, &a);

    const int shape4[] = {3, 4, 5, 6};
    ag_tensor c = tensor_ramp(shape4, 4, 1, 0);
    for (size_t i = 0; i < c.size; i++) c.data[i] = (double)i;
    const int perm[] = {2, 0, 3, 1};
    r = transpose(&c, perm);
    int idx[4];
    size_t o = 0;
    for (idx[2] = 0; idx[2] < 5; idx[2]++)
        for (idx[0] = 0; idx[0] < 3; idx[0]++)
            for (idx[3] = 0; idx[3] < 6; idx[3]++)
                for (idx[1] = 0; idx[1] < 4; idx[1]++)
                    assert_true(r.data[o++] ==
                                (double)(((idx[0] * 4 + idx[1]) * 5 + idx[2]) * 6 + idx[3]));
    t_free(NULL, &r);
    t_free(NULL, &c);
}

/* ---- matmul ---------------------------------------------------------------------------- */

/* a @ b with out's shape from the broadcast of the leading dims. */
static ag_tensor matmul(const ag_tensor *a, const ag_tensor *b) {
    int lead, shape[AG_MAX_DIMS];
    assert_int_equal(
        shape_broadcast(NULL, "matmul", a->ndim - 2, a->shape, b->ndim - 2, b->shape, &lead, shape),
        0);
    shape[lead] = a->shape[a->ndim - 2];
    shape[lead + 1] = b->shape[b->ndim - 1];
    ag_tensor out = tensor_of(shape, lead + 2, NULL);
    for (size_t i = 0; i < out.size; i++) out.data[i] = NAN; /* every entry must be written */
    t_matmul(&out, a, b);
    return out;
}

/* out against the definition: for each batch index, leading coords map into
 * a and b with broadcast dims read at 0, and sums run over p in order. */
static void check_matmul_naive(const ag_tensor *out, const ag_tensor *a, const ag_tensor *b) {
    int n = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1], m = b->shape[b->ndim - 1];
    int lead = out->ndim - 2;
    size_t batch = out->size / ((size_t)n * (size_t)m);
    for (size_t t = 0; t < batch; t++) {
        size_t rest = t, ablock = 0, bblock = 0, sa = 1, sb = 1;
        for (int d = lead - 1; d >= 0; d--) {
            size_t coord = rest % (size_t)out->shape[d];
            rest /= (size_t)out->shape[d];
            int da = d - (lead - (a->ndim - 2)), db = d - (lead - (b->ndim - 2));
            if (da >= 0) {
                if (a->shape[da] > 1) ablock += coord * sa;
                sa *= (size_t)a->shape[da];
            }
            if (db >= 0) {
                if (b->shape[db] > 1) bblock += coord * sb;
                sb *= (size_t)b->shape[db];
            }
        }
        const double *pa = a->data + ablock * (size_t)(n * k);
        const double *pb = b->data + bblock * (size_t)(k * m);
        const double *pc = out->data + t * (size_t)(n * m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += pa[i * k + p] * pb[p * m + j];
                assert_close_tol(pc[i * m + j], sum, 1e-12, 1e-10);
            }
    }
}

static void test_matmul_golden(void **state) {
    /* G60 */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor b = TENSOR(SHAPE(3, 2), 7, 8, 9, 10, 11, 12);
    ag_tensor r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2), 58, 64, 139, 154);
    t_free(NULL, &r);
    t_free(NULL, &b);
    /* G59 */
    b = TENSOR(SHAPE(3, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 4), 38, 44, 50, 56, 83, 98, 113, 128);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* TestMatMul (variable): [1 2 2] @ [2 2 3] and [2 2 2] @ [1 2 3] */
    a = TENSOR(SHAPE(1, 2, 2), 1, 2, 3, 4);
    b = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 3), 9, 12, 15, 19, 26, 33, 27, 30, 33, 61, 68, 75);
    check_matmul_naive(&r, &a, &b);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);
    a = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    b = TENSOR(SHAPE(1, 2, 3), 1, 2, 3, 4, 5, 6);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 3), 9, 12, 15, 19, 26, 33, 29, 40, 51, 39, 54, 69);
    check_matmul_naive(&r, &a, &b);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* TestMatMul (tensor): the 4-d batch */
    a = TENSOR(SHAPE(2, 2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 1, 0, 0, 1, 2, 3, 3, 3,
               1, 2, 3);
    b = TENSOR(SHAPE(2, 2, 3, 2), 1, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 1, 2, 3, 4, 5, 6, 0, 1, 1, 0,
               1, 1);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 2, 2), 4, 5, 10, 11, 74, 74, 101, 101, 5, 8, 13, 16, 6, 6, 5, 4);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* [1 4] @ [4 1]; and the broadcasts [2 2] @ [2 2 2], [2 2 2] @ [2 2] */
    a = TENSOR(SHAPE(1, 4), 1, 2, 3, 4);
    b = TENSOR(SHAPE(4, 1), 1, 2, 3, 4);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(1, 1), 30);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);
    ag_tensor m2 = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    ag_tensor m3 = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    r = matmul(&m2, &m3);
    assert_tensor(&r, SHAPE(2, 2, 2), 7, 10, 15, 22, 7, 10, 15, 22);
    t_free(NULL, &r);
    r = matmul(&m3, &m2);
    assert_tensor(&r, SHAPE(2, 2, 2), 7, 10, 15, 22, 7, 10, 15, 22);
    t_free(NULL, &r);
    t_free(NULL, &m2);
    t_free(NULL, &m3);
}

/* Block sizes on both sides of the inline/BLAS threshold, every broadcast
 * pattern, against the naive definition. */
static void test_matmul_naive(void **state) {
    static const struct {
        int na, a[5], nb, b[5];
    } cases[] = {
        {2, {17, 9}, 2, {9, 13}},              /* one BLAS block */
        {3, {4, 20, 30}, 2, {30, 10}},         /* batch folded into rows */
        {4, {3, 1, 17, 9}, 3, {2, 9, 13}},     /* both sides broadcast */
        {2, {6, 7}, 4, {2, 3, 7, 5}},          /* a reused for every block */
        {3, {3, 2, 2}, 3, {1, 2, 3}},          /* tiny blocks, b reused */
        {5, {2, 1, 3, 3, 4}, 3, {3, 4, 2}},    /* 3 leading dims */
        {3, {2, 1, 40}, 3, {2, 40, 1}},        /* vectors */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ag_tensor a = tensor_ramp(cases[c].a, cases[c].na, 0.5, 0.25);
        ag_tensor b = tensor_ramp(cases[c].b, cases[c].nb, -0.75, 2);
        ag_tensor r = matmul(&a, &b);
        check_matmul_naive(&r, &a, &b);
        t_free(NULL, &r);
        t_free(NULL, &a);
        t_free(NULL, &b);
    }
}

static void test_matmul_empty(void **state) {
    /* k = 0: every entry is an empty sum */
    ag_tensor a = ZEROS(SHAPE(2, 0)), b = ZEROS(SHAPE(0, 3));
    ag_tensor r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 3), 0, 0, 0, 0, 0, 0);
    t_free(NULL, &r);
    t_free(NULL, &a);
    t_free(NULL, &b);
    /* n = 0 */
    a = ZEROS(SHAPE(0, 2));
    b = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    r = matmul(&a, &b);
    assert_int_equal(r.size, 0);
    t_free(NULL, &r);
    t_free(NULL, &a);
    t_free(NULL, &b);
}

/* ---- indexing ------------------------------------------------------------------------- */

static ag_tensor take(const ag_tensor *a, int axis, const int *indices, int n) {
    int shape[AG_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[axis] = n;
    ag_tensor out = tensor_of(shape, a->ndim, NULL);
    t_take(&out, a, axis, indices, n);
    return out;
}

static void test_take(void **state) {
    /* TestTake */
    ag_tensor a = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    ag_tensor r = take(&a, 0, (const int[]){0, 2}, 2);
    assert_tensor(&r, SHAPE(2, 2), 10, 11, 30, 31);
    t_free(NULL, &r);
    t_free(NULL, &a);

    ag_tensor b = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    r = take(&b, 1, (const int[]){2, 0}, 2);
    assert_tensor(&r, SHAPE(2, 2), 3, 1, 6, 4);
    t_free(NULL, &r);
    r = take(&b, 1, (const int[]){1, 1, 2}, 3); /* repeats */
    assert_tensor(&r, SHAPE(2, 3), 2, 2, 3, 5, 5, 6);
    t_free(NULL, &r);
    r = take(&b, 1, (const int[]){1}, 1);
    assert_tensor(&r, SHAPE(2, 1), 2, 5);
    t_free(NULL, &r);
    /* G56 */
    r = take(&b, 0, (const int[]){0, 0, 1}, 3);
    assert_tensor(&r, SHAPE(3, 3), 1, 2, 3, 1, 2, 3, 4, 5, 6);
    t_free(NULL, &r);
    r = take(&b, 0, NULL, 0);
    assert_int_equal(r.size, 0);
    t_free(NULL, &r);
    t_free(NULL, &b);

    ag_tensor c = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15);
    r = take(&c, 2, (const int[]){0, 2}, 2);
    assert_tensor(&r, SHAPE(2, 2, 2), 1, 3, 4, 6, 10, 12, 13, 15);
    t_free(NULL, &r);
    t_free(NULL, &c);
}

static void test_scatter_add(void **state) {
    /* ExampleScatterAdd (reference 7.11) */
    ag_tensor out = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    ag_tensor src = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    t_scatter_add(&out, &src, 0, (const int[]){0, 2}, 2);
    assert_tensor(&out, SHAPE(3, 2), 11, 13, 20, 21, 33, 35);
    t_free(NULL, &out);
    t_free(NULL, &src);

    /* ExampleScatterAdd_axis1: duplicate indices accumulate */
    out = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    src = TENSOR(SHAPE(3, 2), 1, 2, 2, 3, 3, 6);
    t_scatter_add(&out, &src, 1, (const int[]){0, 0}, 2);
    assert_tensor(&out, SHAPE(3, 2), 13, 11, 25, 21, 39, 31);
    t_free(NULL, &out);
    t_free(NULL, &src);

    /* TestScatterAdd */
    out = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    src = TENSOR(SHAPE(2, 3), 10, 20, 30, 40, 50, 60);
    t_scatter_add(&out, &src, 1, (const int[]){1, 1, 2}, 3);
    assert_tensor(&out, SHAPE(2, 3), 1, 32, 33, 4, 95, 66);
    t_free(NULL, &out);
    t_free(NULL, &src);

    out = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15);
    src = TENSOR(SHAPE(2, 2, 2), 100, 200, 300, 400, 1000, 1100, 1200, 1300);
    t_scatter_add(&out, &src, 2, (const int[]){0, 2}, 2);
    assert_tensor(&out, SHAPE(2, 2, 3), 101, 2, 203, 304, 5, 406, 1010, 11, 1112, 1213, 14, 1315);
    t_free(NULL, &out);
    t_free(NULL, &src);

    out = ZEROS(SHAPE(4, 3));
    src = TENSOR(SHAPE(4, 3), 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4);
    t_scatter_add(&out, &src, 0, (const int[]){0, 1, 0, 1}, 4);
    assert_tensor(&out, SHAPE(4, 3), 4, 4, 4, 6, 6, 6, 0, 0, 0, 0, 0, 0);
    t_free(NULL, &out);
    t_free(NULL, &src);
}

static void test_slice_paste(void **state) {
    /* G57 Split([1 2], 0) and Split([1 2], 1) of [3 3] 1..9 */
    ag_tensor a = TENSOR(SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    ag_tensor top = ZEROS(SHAPE(1, 3)), bottom = ZEROS(SHAPE(2, 3));
    t_slice(&top, &a, 0, 0, 1);
    t_slice(&bottom, &a, 0, 1, 2);
    assert_tensor(&top, SHAPE(1, 3), 1, 2, 3);
    assert_tensor(&bottom, SHAPE(2, 3), 4, 5, 6, 7, 8, 9);
    ag_tensor left = ZEROS(SHAPE(3, 1)), right = ZEROS(SHAPE(3, 2));
    t_slice(&left, &a, 1, 0, 1);
    t_slice(&right, &a, 1, 1, 2);
    assert_tensor(&left, SHAPE(3, 1), 1, 4, 7);
    assert_tensor(&right, SHAPE(3, 2), 2, 3, 5, 6, 8, 9);

    /* pasting the pieces back rebuilds a */
    ag_tensor rebuilt = ZEROS(SHAPE(3, 3));
    t_paste(&rebuilt, &top, 0, 0);
    t_paste(&rebuilt, &bottom, 0, 1);
    assert_tensor(&rebuilt, SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    t_free(NULL, &rebuilt);
    rebuilt = ZEROS(SHAPE(3, 3));
    t_paste(&rebuilt, &right, 1, 1);
    assert_tensor(&rebuilt, SHAPE(3, 3), 0, 2, 3, 0, 5, 6, 0, 8, 9);
    t_paste(&rebuilt, &left, 1, 0);
    assert_tensor(&rebuilt, SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    t_free(NULL, &rebuilt);

    /* a middle axis of a 3-d tensor */
    ag_tensor c = TENSOR(SHAPE(2, 3, 2), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    ag_tensor mid = ZEROS(SHAPE(2, 1, 2));
    t_slice(&mid, &c, 1, 1, 1);
    assert_tensor(&mid, SHAPE(2, 1, 2), 3, 4, 9, 10);
    ag_tensor back = ZEROS(SHAPE(2, 3, 2));
    t_paste(&back, &mid, 1, 1);
    assert_tensor(&back, SHAPE(2, 3, 2), 0, 0, 3, 4, 0, 0, 0, 0, 9, 10, 0, 0);

    t_free(NULL, &a);
    t_free(NULL, &top);
    t_free(NULL, &bottom);
    t_free(NULL, &left);
    t_free(NULL, &right);
    t_free(NULL, &c);
    t_free(NULL, &mid);
    t_free(NULL, &back);
}

/* ---- queries ---------------------------------------------------------------------------- */

static void test_argmax_rows(void **state) {
    /* G52 */
    ag_tensor a = TENSOR(SHAPE(2, 2, 3), 1, 5, 2, 9, 3, 0, 4, 6, 7, 1, 2, 8);
    int idx[4] = {-9, -9, -9, -9};
    t_argmax_rows(&a, idx);
    assert_memory_equal(idx, ((const int[]){1, 0, 2, 2}), sizeof idx);
    t_free(NULL, &a);

    /* ties: the first maximum wins */
    ag_tensor b = TENSOR(SHAPE(3), 5, 5, 5);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 0);
    t_free(NULL, &b);
    b = TENSOR(SHAPE(4), -10, -5, -20, -5);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 1);
    t_free(NULL, &b);
    b = TENSOR(SHAPE(2, 4), 1, 7, 3, 7, 2, 2, 9, 9);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    t_free(NULL, &b);

    b = SCALAR(3);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 0);
    t_free(NULL, &b);
    b = ZEROS(SHAPE(2, 0));
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], -1);
    assert_int_equal(idx[1], -1);
    t_free(NULL, &b);
}

static void test_has_nonfinite(void **state) {
    ag_tensor a = TENSOR(SHAPE(3), 1, -DBL_MAX, DBL_MAX);
    assert_false(t_has_nonfinite(&a));
    a.data[1] = INFINITY;
    assert_true(t_has_nonfinite(&a));
    a.data[1] = -INFINITY;
    assert_true(t_has_nonfinite(&a));
    a.data[1] = NAN;
    assert_true(t_has_nonfinite(&a));
    t_free(NULL, &a);
    ag_tensor empty = ZEROS(SHAPE(0));
    assert_false(t_has_nonfinite(&empty));
    t_free(NULL, &empty);

    /* every length through the vector kernels' four-vector loop, their
     * one-vector loop, the scalar tail and blocks past the first, with the
     * bad element at each place: finite extremes never read as bad */
    ag_tensor b = ZEROS(SHAPE(600));
    const double finite[] = {DBL_MAX, -DBL_MAX, DBL_MIN, 4.9e-324, -0.0};
    const double bad[] = {INFINITY, -INFINITY, NAN};
    for (int n = 1; n <= 600; n++) {
        b.size = (size_t)n;
        b.shape[0] = n;
        for (int i = 0; i < n; i++) b.data[i] = finite[i % 5];
        assert_false(t_has_nonfinite(&b));
        for (int at = 0; at < n; at++) {
            b.data[at] = bad[(n + at) % 3];
            assert_true(t_has_nonfinite(&b));
            b.data[at] = finite[at % 5];
        }
    }
    b.size = 600;
    b.shape[0] = 600;
    t_free(NULL, &b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage),
        cmocka_unit_test_setup_teardown(test_shape_broadcast, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(test_axes_mask, setup_ctx, teardown_ctx),
        cmocka_unit_test(test_shape_reduce),
        cmocka_unit_test_setup_teardown(test_shape_reshape, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(test_check_broadcast_to, setup_ctx, teardown_ctx),
        cmocka_unit_test(test_binary_same_shape),
        cmocka_unit_test(test_binary_broadcast),
        cmocka_unit_test(test_binary_broadcast_naive),
        cmocka_unit_test(test_binary_zero_size),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_reduce_sum),
        cmocka_unit_test(test_reduce_sum_order),
        cmocka_unit_test(test_reduce_max_min),
        cmocka_unit_test(test_reduce_naive),
        cmocka_unit_test(test_sum_to),
        cmocka_unit_test(test_broadcast_to),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_transpose_large),
        cmocka_unit_test(test_matmul_golden),
        cmocka_unit_test(test_matmul_naive),
        cmocka_unit_test(test_matmul_empty),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_scatter_add),
        cmocka_unit_test(test_slice_paste),
        cmocka_unit_test(test_argmax_rows),
        cmocka_unit_test(test_has_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
