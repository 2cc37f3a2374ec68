/* test_tensor.c — the internal tensor layer: storage, shape helpers and
 * their exact messages, elementwise kernels and reductions against upstream's
 * golden values or a naive loop.  sum_to, broadcast_to, transpose, matmul,
 * indexing and queries: test_tensor_ops.c. */
#include "tensor_test_util.h"

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
    /* [2 3] + [3] and [2 1] * [1 3] */
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

    /* scalar cases: b of shape [1] and a 0-d on either side */
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
    /* [2 3] 1..6 summed over each axis (also negative, kept) and over both */
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

    /* [2 2 2] 1..8 (upstream's TestSum) */
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
    /* max of [2 3] over everything and each axis */
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
    /* min of [2 3] over both axes (negative) and each axis */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
