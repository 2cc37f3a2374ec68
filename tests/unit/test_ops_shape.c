/* test_ops_shape.c — reductions (sum mean variance max min) and shape ops
 * (reshape transpose broadcast_to sum_to squeeze unsqueeze concat split
 * get_item get_item_grad matmul): values, gradients, second-order
 * gradients and error messages.  Expected values are upstream's (its tests'
 * broadcasting, reductions and shape ops, and what it does at ties and with
 * an unused split output); a few cases cover upstream panics that we fix. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>


static const ag_backward_opts CG = {.create_graph = true};
static const ag_backward_opts RG = {.retain_grad = true};
static const ag_backward_opts CG_RG = {.create_graph = true, .retain_grad = true};

static void backward(ag_var *y, const ag_backward_opts *opts) {
    assert_non_null(y);
    assert_int_equal(ag_backward(ctx, y, opts), 0);
}

/* gx = x.grad; x.cleargrad(); gx.backward() — returns the new x.grad. */
static ag_var *next_order(ag_var *x) {
    ag_var *gx = ag_grad(x);
    assert_non_null(gx);
    ag_cleargrad(x);
    backward(gx, NULL);
    return ag_grad(x);
}

/* (ndim, shape) arguments, the order the ops take. */
#define DIMS(...) (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)), ((const int[]){__VA_ARGS__})

/* A leaf holding 1, 2, 3, ... in the given shape. */
static ag_var *seq(int ndim, const int *shape) {
    ag_var *v = ag_zeros(ctx, ndim, shape);
    for (size_t i = 0; i < ag_size(v); i++) ag_data(v)[i] = (double)(i + 1);
    return v;
}
#define SEQ(...) seq(DIMS(__VA_ARGS__))
#define AXES(...) ((const int[]){__VA_ARGS__}), (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

static void assert_error(const char *message) {
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), message);
    ag_clear_error(ctx);
}

static void assert_label(ag_var *y, const char *label) {
    char buf[128];
    assert_non_null(ag_creator(y));
    assert_string_equal(ag_func_label(ag_creator(y), buf, sizeof buf), label);
}

/* ---- broadcasting ----------------------------------------------------------- */

/* Upstream's tests: a [n] with b [1]; b's gradient is summed back to [1]. */
static void test_binary_broadcast(void **state) {
    ag_var *a = VAR(ctx, SHAPE(3), 1, 2, 3), *b = VAR(ctx, SHAPE(1), 10);
    ag_var *y = ag_add(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[3]([11 12 13])");
    assert_var_string(ag_grad(a), "variable[3]([1 1 1])");
    assert_var_string(ag_grad(b), "variable(3)");
    assert_shape(ag_grad(b), 1);

    a = SEQ(5);
    b = VAR(ctx, SHAPE(1), 1);
    y = ag_sub(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[5]([0 1 2 3 4])");
    assert_var_string(ag_grad(a), "variable[5]([1 1 1 1 1])");
    assert_var_string(ag_grad(b), "variable(-5)");

    a = VAR(ctx, SHAPE(5), 2, 2, 2, 2, 2);
    b = VAR(ctx, SHAPE(1), 3);
    y = ag_mul(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[5]([6 6 6 6 6])");
    assert_var_string(ag_grad(a), "variable[5]([3 3 3 3 3])");
    assert_var_string(ag_grad(b), "variable(10)");

    a = SEQ(5);
    b = VAR(ctx, SHAPE(1), 2);
    y = ag_div(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[5]([0.5 1 1.5 2 2.5])");
    assert_var_string(ag_grad(a), "variable[5]([0.5 0.5 0.5 0.5 0.5])");
    assert_var_string(ag_grad(b), "variable(-3.75)");
}

/* Upstream's test: two-dimensional broadcasts on both sides. */
static void test_binary_broadcast_2d(void **state) {
    ag_var *a = SEQ(2, 3), *b = VAR(ctx, SHAPE(3), 10, 20, 30);
    ag_var *y = ag_add(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([11 22 33 14 25 36])");
    assert_var_string(ag_grad(a), "variable[2 3]([1 1 1 1 1 1])");
    assert_var_string(ag_grad(b), "variable[3]([2 2 2])");

    a = VAR(ctx, SHAPE(2, 1), 1, 2);
    b = VAR(ctx, SHAPE(1, 3), 10, 20, 30);
    y = ag_mul(ctx, a, b);
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([10 20 30 20 40 60])");
    assert_var_string(ag_grad(a), "variable[2 1]([60 60])");
    assert_var_string(ag_grad(b), "variable[1 3]([3 3 3])");
}

/* Upstream's test: broadcast_to and its gradient; the gradient of the gradient is nil. */
static void test_broadcast_to(void **state) {
    ag_var *x = VAR(ctx, SHAPE(1), 2);
    ag_var *y = ag_broadcast_to(ctx, x, DIMS(1, 3));
    backward(y, &CG);
    assert_var_string(y, "variable[1 3]([2 2 2])");
    assert_var_string(ag_grad(x), "variable(3)");
    assert_shape(ag_grad(x), 1);
    assert_null(next_order(x));
    assert_label(y, "BroadcastTo([1 3])");
}

/* Upstream's test: tensor-level broadcasts through the op. */
static void test_broadcast_to_table(void **state) {
    ag_var *y = ag_broadcast_to(ctx, SEQ(1, 2, 2), DIMS(2, 2, 2));
    assert_shape(y, 2, 2, 2);
    assert_data(y, 1, 2, 3, 4, 1, 2, 3, 4);

    y = ag_broadcast_to(ctx, SEQ(1, 2, 1), DIMS(3, 2, 4));
    assert_shape(y, 3, 2, 4);
    assert_data(y, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2);

    y = ag_broadcast_to(ctx, ag_scalar(ctx, 42), DIMS(2, 2));
    assert_var_string(y, "variable[2 2]([42 42 42 42])");

    /* more leading dims, and the gradient summed over them */
    ag_var *x = VAR(ctx, SHAPE(2), 1, 2);
    y = ag_broadcast_to(ctx, x, DIMS(3, 2));
    ag_set_grad(y, SEQ(3, 2));
    backward(y, NULL);
    assert_var_string(y, "variable[3 2]([1 2 1 2 1 2])");
    assert_var_string(ag_grad(x), "variable[2]([9 12])");
}

/* Upstream's test: sum_to and its gradient. */
static void test_sum_to(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_sum_to(ctx, x, DIMS(1, 3));
    backward(y, &CG);
    assert_var_string(y, "variable[1 3]([5 7 9])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_null(next_order(x));
    assert_label(y, "SumTo([1 3])");

    assert_var_string(ag_sum_to(ctx, x, DIMS(2, 1)), "variable[2 1]([6 15])");
    y = ag_sum_to(ctx, x, DIMS(1, 1));
    assert_var_string(y, "variable(21)");
    assert_shape(y, 1, 1);
}

/* Upstream's test: tensor-level SumTo table. */
static void test_sum_to_table(void **state) {
    assert_data(ag_sum_to(ctx, SEQ(2, 4), DIMS(4)), 6, 8, 10, 12);
    assert_data(ag_sum_to(ctx, SEQ(4, 2), DIMS(4, 1)), 3, 7, 11, 15);
    ag_var *y = ag_sum_to(ctx, SEQ(2, 2, 4), DIMS(1, 2, 4));
    assert_shape(y, 1, 2, 4);
    assert_data(y, 10, 12, 14, 16, 18, 20, 22, 24);
    y = ag_sum_to(ctx, SEQ(3, 2, 4), DIMS(3, 1, 4));
    assert_shape(y, 3, 1, 4);
    assert_data(y, 6, 8, 10, 12, 22, 24, 26, 28, 38, 40, 42, 44);
    y = ag_sum_to(ctx, SEQ(2, 3), 0, NULL);
    assert_scalar_shape(y);
    assert_data(y, 21);
    y = ag_sum_to(ctx, VAR(ctx, SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4), DIMS(1, 2, 2));
    assert_shape(y, 1, 2, 2);
    assert_data(y, 2, 4, 6, 8);
    /* a target with extra leading 1s is the inverse of broadcasting it */
    y = ag_sum_to(ctx, SEQ(3), DIMS(1, 3));
    assert_var_string(y, "variable[1 3]([1 2 3])");
}

static void test_broadcast_errors(void **state) {
    assert_null(ag_broadcast_to(ctx, SEQ(3), DIMS(2)));
    assert_error("broadcast_to: cannot broadcast [3] to [2]");
    assert_null(ag_broadcast_to(ctx, SEQ(2, 3), DIMS(3)));
    assert_error("broadcast_to: cannot broadcast [2 3] to [3]");
    assert_null(ag_broadcast_to(ctx, SEQ(3), DIMS(-2, 3)));
    assert_error("broadcast_to: negative dimension in [-2 3]");
    assert_null(ag_sum_to(ctx, SEQ(2, 3), DIMS(4)));
    assert_error("sum_to: cannot sum [2 3] to [4]");
    assert_null(ag_sum_to(ctx, SEQ(3), DIMS(2, 3)));
    assert_error("sum_to: cannot sum [3] to [2 3]");
    assert_null(ag_sum_to(ctx, SEQ(3), DIMS(1, 1, 1, 1, 1, 1, 1, 1, 1)));
    assert_error("sum_to: 9 dimensions given, at most 8 allowed");
}

/* ---- reductions -------------------------------------------------------------- */

/* Upstream's test: sum over nothing, everything, and single axes. */
static void test_sum(void **state) {
    ag_var *x = SEQ(6);
    ag_var *y = ag_sum(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(y, "variable(21)");
    assert_scalar_shape(y);
    assert_var_string(ag_grad(x), "variable[6]([1 1 1 1 1 1])");

    struct {
        int axes[2], naxes;
        const char *value;
    } cases[] = {
        {{0, 1}, 2, "variable(21)"},
        {{0}, 1, "variable[3]([5 7 9])"},
        {{1}, 1, "variable[2]([6 15])"},
        {{-2, -1}, 2, "variable(21)"},
        {{-1}, 1, "variable[2]([6 15])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        x = SEQ(2, 3);
        y = ag_sum(ctx, x, cases[i].axes, cases[i].naxes);
        backward(y, &CG);
        assert_var_string(y, cases[i].value);
        assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
        assert_null(next_order(x));
    }
    assert_label(ag_sum(ctx, x, AXES(-2, -1)), "Sum(axis=[-2 -1])");
    assert_label(ag_sum(ctx, x, NULL, 0), "Sum");
}

/* The backward puts each gy element back where its group came from. */
static void test_sum_gradient_layout(void **state) {
    ag_var *x = SEQ(2, 3, 2);
    ag_var *y = ag_sum(ctx, x, AXES(1));
    assert_var_string(y, "variable[2 2]([9 12 27 30])");
    ag_set_grad(y, VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4));
    backward(y, NULL);
    assert_var_string(ag_grad(x), "variable[2 3 2]([1 2 1 2 1 2 3 4 3 4 3 4])");
}

/* Upstream's test: sums of a [2 2 2] over pairs of axes. */
static void test_sum_table(void **state) {
    ag_var *x = SEQ(2, 2, 2);
    assert_var_string(ag_sum(ctx, x, AXES(1, 2)), "variable[2]([10 26])");
    assert_var_string(ag_sum(ctx, x, AXES(0, 1)), "variable[2]([16 20])");
    assert_var_string(ag_sum(ctx, x, AXES(0, 2)), "variable[2]([14 22])");
    assert_var_string(ag_sum(ctx, ag_scalar(ctx, 4), NULL, 0), "variable(4)");
}

/* Upstream's test: mean; the gradient is 1/N everywhere. */
static void test_mean(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_mean(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(y, "variable(3.5)");
    assert_data(ag_grad(x), 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6);

    x = SEQ(2, 3);
    y = ag_mean(ctx, x, AXES(0, 1));
    backward(y, &CG);
    assert_var_string(y, "variable(3.5)");
    assert_data(ag_grad(x), 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6);
    assert_null(next_order(x));

    x = SEQ(2, 3);
    y = ag_mean(ctx, x, AXES(0));
    backward(y, NULL);
    assert_var_string(y, "variable[3]([2.5 3.5 4.5])");
    assert_var_string(ag_grad(x), "variable[2 3]([0.5 0.5 0.5 0.5 0.5 0.5])");

    x = SEQ(2, 3);
    y = ag_mean(ctx, x, AXES(1));
    backward(y, NULL);
    assert_var_string(y, "variable[2]([2 5])");
    assert_data(ag_grad(x), 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3);

    /* Upstream's test: the mean of a 0-d value is itself */
    assert_var_string(ag_mean(ctx, ag_scalar(ctx, 42), NULL, 0), "variable(42)");
}

/* Upstream panics on negative axes in Mean's backward; we count from the end. */
static void test_mean_negative_axis(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_mean(ctx, x, AXES(-1));
    ag_set_grad(y, VAR(ctx, SHAPE(2), 3, 6));
    backward(y, NULL);
    assert_var_string(y, "variable[2]([2 5])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 2 2 2])");

    x = SEQ(2, 3);
    y = ag_mean(ctx, x, AXES(-2));
    backward(y, NULL);
    assert_var_string(y, "variable[3]([2.5 3.5 4.5])");
    assert_var_string(ag_grad(x), "variable[2 3]([0.5 0.5 0.5 0.5 0.5 0.5])");
}

/* Upstream's test: population variance and its gradient (2/N)(x - mean) * gy. */
static void test_variance(void **state) {
    const double third = 2.0 / 6.0;
    ag_var *x = VAR(ctx, SHAPE(2, 3), -1, 0, 1, -1, 0, 1);
    ag_var *y = ag_variance(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(y, "variable(0.6666666666666666)");
    assert_data(ag_grad(x), -third, 0, third, -third, 0, third);

    x = VAR(ctx, SHAPE(2, 3), -1, 0, 1, -1, 0, 1);
    y = ag_variance(ctx, x, AXES(0, 1));
    backward(y, NULL);
    assert_var_string(y, "variable(0.6666666666666666)");
    assert_data(ag_grad(x), -third, 0, third, -third, 0, third);

    x = SEQ(2, 3);
    y = ag_variance(ctx, x, AXES(0));
    backward(y, NULL);
    assert_var_string(y, "variable[3]([2.25 2.25 2.25])");
    assert_var_string(ag_grad(x), "variable[2 3]([-1.5 -1.5 -1.5 1.5 1.5 1.5])");

    x = VAR(ctx, SHAPE(2, 3), -3, 0, 3, -3, 0, 3);
    y = ag_variance(ctx, x, AXES(1));
    backward(y, &CG);
    assert_var_string(y, "variable[2]([6 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([-2 0 2 -2 0 2])");
    assert_var_string(next_order(x), "variable[2 3]([0 0 0 0 0 0])");
}

/* Upstream's variance table, plus negative axes (an upstream panic in backward). */
static void test_variance_table(void **state) {
    ag_var *y = ag_variance(ctx, SEQ(2, 3), AXES(1));
    assert_data(y, 2.0 / 3, 2.0 / 3);
    assert_var_string(ag_variance(ctx, SEQ(2, 2, 2), NULL, 0), "variable(5.25)");
    assert_var_string(ag_variance(ctx, SEQ(2, 2, 2), AXES(1, 2)), "variable[2]([1.25 1.25])");
    assert_var_string(ag_variance(ctx, SEQ(5), AXES(0)), "variable(2)");
    assert_var_string(ag_variance(ctx, ag_scalar(ctx, 7), NULL, 0), "variable(0)");

    ag_var *x = VAR(ctx, SHAPE(2, 3), -3, 0, 3, -3, 0, 3);
    y = ag_variance(ctx, x, AXES(-1));
    ag_set_grad(y, VAR(ctx, SHAPE(2), 1, 2));
    backward(y, NULL);
    assert_var_string(y, "variable[2]([6 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([-2 0 2 -4 0 4])");
}

/* Upstream's test: max, with the gradient going to the maximum's position. */
static void test_max(void **state) {
    struct {
        int axes[2], naxes;
        const char *value, *grad;
    } cases[] = {
        {{0}, 0, "variable(10)", "variable[2 3]([0 0 0 0 1 0])"},
        {{0, 1}, 2, "variable(10)", "variable[2 3]([0 0 0 0 1 0])"},
        {{-2, -1}, 2, "variable(10)", "variable[2 3]([0 0 0 0 1 0])"},
        {{0}, 1, "variable[3]([4 10 6])", "variable[2 3]([0 0 0 1 1 1])"},
        {{1}, 1, "variable[2]([3 10])", "variable[2 3]([0 0 1 0 1 0])"},
        {{-1}, 1, "variable[2]([3 10])", "variable[2 3]([0 0 1 0 1 0])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ag_var *x = VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 10, 6);
        ag_var *y = ag_max(ctx, x, cases[i].axes, cases[i].naxes);
        backward(y, &CG);
        assert_var_string(y, cases[i].value);
        assert_var_string(ag_grad(x), cases[i].grad);
        assert_null(next_order(x));
    }
}

/* Upstream's test: min. */
static void test_min(void **state) {
    struct {
        int axes[2], naxes;
        const char *value, *grad;
    } cases[] = {
        {{0}, 0, "variable(-5)", "variable[2 3]([0 0 0 0 1 0])"},
        {{0}, 1, "variable[3]([1 -5 3])", "variable[2 3]([1 0 1 0 1 0])"},
        {{1}, 1, "variable[2]([1 -5])", "variable[2 3]([1 0 0 0 1 0])"},
        {{0, 1}, 2, "variable(-5)", "variable[2 3]([0 0 0 0 1 0])"},
        {{-2, -1}, 2, "variable(-5)", "variable[2 3]([0 0 0 0 1 0])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ag_var *x = VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, -5, 6);
        ag_var *y = ag_min(ctx, x, cases[i].axes, cases[i].naxes);
        backward(y, &CG);
        assert_var_string(y, cases[i].value);
        assert_var_string(ag_grad(x), cases[i].grad);
        assert_null(next_order(x));
    }
}

/* Ties and near-ties each get the full gradient (upstream's max does not split it). */
static void test_max_ties(void **state) {
    ag_var *x = VAR(ctx, SHAPE(3), 3, 1, 3);
    ag_var *y = ag_max(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(y, "variable(3)");
    assert_var_string(ag_grad(x), "variable[3]([1 0 1])");

    x = VAR(ctx, SHAPE(2, 3), 3, 1, 3, 2, 2, 0);
    y = ag_max(ctx, x, AXES(1));
    ag_set_grad(y, VAR(ctx, SHAPE(2), 5, 7));
    backward(y, NULL);
    assert_var_string(y, "variable[2]([3 2])");
    assert_var_string(ag_grad(x), "variable[2 3]([5 0 5 7 7 0])");

    /* within 1e-8 + 1e-5 * max(|a|, |b|) counts as equal; 1e-3 does not */
    x = VAR(ctx, SHAPE(3), 1000, 1000.001, 999);
    y = ag_max(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(ag_grad(x), "variable[3]([1 1 0])");
    x = VAR(ctx, SHAPE(2), 1, 1.001);
    y = ag_min(ctx, x, NULL, 0);
    backward(y, NULL);
    assert_var_string(ag_grad(x), "variable[2]([1 0])");
}

static void test_reduce_errors(void **state) {
    ag_var *x = SEQ(2, 3);
    assert_null(ag_sum(ctx, x, AXES(2)));
    assert_error("sum: axis 2 out of range for ndim 2");
    assert_null(ag_mean(ctx, x, AXES(-3)));
    assert_error("mean: axis -3 out of range for ndim 2");
    assert_null(ag_max(ctx, x, AXES(1, -1)));
    assert_error("max: duplicate axis 1");
    assert_null(ag_variance(ctx, x, AXES(0, 0)));
    assert_error("variance: duplicate axis 0");
    assert_null(ag_min(ctx, ag_scalar(ctx, 1), AXES(1))); /* 0 and -1 are fine, as PyTorch */
    assert_error("min: axis 1 out of range for a 0-d value (0 or -1)");
    assert_null(ag_sum(ctx, x, AXES(0, 1, 0, 1, 0, 1, 0, 1, 0)));
    assert_error("sum: 9 axes given, at most 8 allowed");
}

/* ---- shape ops ----------------------------------------------------------------- */

/* Upstream's test: reshape with retain_grad, then the nil second-order gradient. */
static void test_reshape(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_reshape(ctx, x, DIMS(1, 6));
    backward(y, &RG);
    assert_var_string(x, "variable[2 3]([1 2 3 4 5 6])");
    assert_var_string(y, "variable[1 6]([1 2 3 4 5 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_var_string(ag_grad(y), "variable[1 6]([1 1 1 1 1 1])");

    x = SEQ(2, 3);
    y = ag_reshape(ctx, x, DIMS(1, 6));
    backward(y, &CG_RG);
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_null(next_order(x));

    /* -1 is inferred; the label shows the shape as given */
    y = ag_reshape(ctx, x, DIMS(3, -1));
    assert_shape(y, 3, 2);
    assert_label(y, "Reshape([3 -1])");
    y = ag_reshape(ctx, SEQ(6), 0, NULL);
    assert_null(y);
    assert_error("reshape: cannot reshape [6] into []");
    assert_var_string(ag_reshape(ctx, VAR(ctx, SHAPE(1, 1), 5), 0, NULL), "variable(5)");
}

static void test_reshape_errors(void **state) {
    assert_null(ag_reshape(ctx, SEQ(2, 3), DIMS(4, -1)));
    assert_error("reshape: cannot reshape [2 3] into [4 -1]");
    assert_null(ag_reshape(ctx, SEQ(2, 3), DIMS(-1, -1)));
    assert_error("reshape: more than one -1 in [-1 -1]");
    assert_null(ag_reshape(ctx, SEQ(2, 3), DIMS(5)));
    assert_error("reshape: cannot reshape [2 3] into [5]");
}

/* Upstream's test: transposes by explicit (and negative) axes. */
static void test_transpose(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_transpose(ctx, x, AXES(-1, -2));
    backward(y, NULL);
    assert_var_string(y, "variable[3 2]([1 4 2 5 3 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_label(y, "Transpose(axis=[-1 -2])");

    x = SEQ(2, 2, 3);
    y = ag_transpose(ctx, x, AXES(0, 2, 1));
    assert_shape(y, 2, 3, 2);
    assert_data(y, 1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12);
    y = ag_transpose(ctx, x, AXES(2, 0, 1));
    assert_shape(y, 3, 2, 2);
    assert_data(y, 1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12);
    y = ag_transpose(ctx, x, AXES(-1, -3, -2));
    assert_shape(y, 3, 2, 2);
    assert_data(y, 1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12);

    /* the backward applies the inverse permutation: x.grad[j,k,i] = gy[i,j,k] */
    ag_set_grad(y, ag_reshape(ctx, ag_arange(ctx, 0, 12, 1), DIMS(3, 2, 2)));
    backward(y, NULL);
    assert_var_string(ag_grad(x), "variable[2 2 3]([0 4 8 1 5 9 2 6 10 3 7 11])");
}

/* No axes reverses them all; upstream's backward panics here on ndim >= 2. */
static void test_transpose_reverse(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_transpose(ctx, x, NULL, 0);
    backward(y, &CG);
    assert_var_string(y, "variable[3 2]([1 4 2 5 3 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_null(next_order(x));
    assert_label(y, "Transpose");

    x = SEQ(2, 2, 3);
    y = ag_transpose(ctx, x, NULL, 0);
    assert_shape(y, 3, 2, 2);
    assert_data(y, 1, 7, 4, 10, 2, 8, 5, 11, 3, 9, 6, 12);
    ag_set_grad(y, ag_reshape(ctx, ag_arange(ctx, 0, 12, 1), DIMS(3, 2, 2)));
    backward(y, NULL);
    assert_var_string(ag_grad(x), "variable[2 2 3]([0 4 8 2 6 10 1 5 9 3 7 11])");

    assert_var_string(ag_transpose(ctx, ag_scalar(ctx, 3), NULL, 0), "variable(3)");
    assert_var_string(ag_transpose(ctx, SEQ(3), NULL, 0), "variable[3]([1 2 3])");
}

static void test_transpose_errors(void **state) {
    assert_null(ag_transpose(ctx, SEQ(2, 3), AXES(0)));
    assert_error("transpose: axes [0] do not match shape [2 3]");
    assert_null(ag_transpose(ctx, SEQ(2, 3), AXES(0, 0)));
    assert_error("transpose: duplicate axis 0");
    assert_null(ag_transpose(ctx, SEQ(2, 3), AXES(0, 2)));
    assert_error("transpose: axis 2 out of range for ndim 2");
}

/* Upstream's test: squeeze and unsqueeze undo each other, values and gradients. */
static void test_squeeze_unsqueeze(void **state) {
    ag_var *x = SEQ(3, 1, 3);
    ag_var *y = ag_squeeze(ctx, x, 1);
    backward(y, &CG);
    assert_var_string(x, "variable[3 1 3]([1 2 3 4 5 6 7 8 9])");
    assert_var_string(y, "variable[3 3]([1 2 3 4 5 6 7 8 9])");
    assert_var_string(ag_grad(x), "variable[3 1 3]([1 1 1 1 1 1 1 1 1])");
    assert_null(next_order(x));
    assert_label(y, "Squeeze(axis=1)");

    x = SEQ(3, 3);
    y = ag_unsqueeze(ctx, x, 1);
    backward(y, NULL);
    assert_var_string(x, "variable[3 3]([1 2 3 4 5 6 7 8 9])");
    assert_var_string(y, "variable[3 1 3]([1 2 3 4 5 6 7 8 9])");
    assert_var_string(ag_grad(x), "variable[3 3]([1 1 1 1 1 1 1 1 1])");

    /* negative axes count from the end (of the result, for unsqueeze) */
    x = SEQ(3, 1);
    y = ag_squeeze(ctx, x, -1);
    backward(y, NULL);
    assert_shape(y, 3);
    assert_shape(ag_grad(x), 3, 1);
    x = SEQ(3, 3);
    y = ag_unsqueeze(ctx, x, -1);
    backward(y, NULL);
    assert_shape(y, 3, 3, 1);
    assert_shape(ag_grad(x), 3, 3);
    assert_shape(ag_unsqueeze(ctx, x, 2), 3, 3, 1);
    assert_shape(ag_unsqueeze(ctx, x, -3), 1, 3, 3);
    assert_shape(ag_unsqueeze(ctx, ag_scalar(ctx, 1), 0), 1);
    assert_scalar_shape(ag_squeeze(ctx, VAR(ctx, SHAPE(1), 4), 0));
}

static void test_squeeze_errors(void **state) {
    /* PyTorch: squeezing an axis whose size is not 1 leaves x as it is */
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_squeeze(ctx, x, 0);
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([1 2 3 4 5 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 1 1 1 1 1])");
    assert_shape(ag_squeeze(ctx, SEQ(2, 3), -1), 2, 3);
    /* a 0-d value takes axis 0 and -1, as sum does */
    x = ag_scalar(ctx, 4);
    y = ag_squeeze(ctx, x, -1);
    backward(y, NULL);
    assert_scalar_shape(y);
    assert_var_string(ag_grad(x), "variable(1)");
    assert_scalar_shape(ag_squeeze(ctx, ag_scalar(ctx, 4), 0));
    assert_null(ag_squeeze(ctx, ag_scalar(ctx, 4), 1));
    assert_error("squeeze: axis 1 out of range for a 0-d value (0 or -1)");
    assert_null(ag_squeeze(ctx, SEQ(2, 1), 2));
    assert_error("squeeze: axis 2 out of range for ndim 2");
    assert_null(ag_unsqueeze(ctx, SEQ(2, 3), 3));
    assert_error("unsqueeze: axis 3 out of range for ndim 2");
    assert_null(ag_unsqueeze(ctx, SEQ(2, 3), -4));
    assert_error("unsqueeze: axis -4 out of range for ndim 2");
    assert_null(ag_unsqueeze(ctx, SEQ(1, 1, 1, 1, 1, 1, 1, 1), 0));
    assert_error("unsqueeze: result would have more than 8 dimensions");
}

/* Upstream's test: take along an axis; repeated indices accumulate in the gradient. */
static void test_get_item(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_get_item(ctx, x, 0, (const int[]){1}, 1);
    backward(y, &CG);
    assert_var_string(y, "variable[1 3]([4 5 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([0 0 0 1 1 1])");
    assert_null(next_order(x));
    assert_label(y, "GetItem(axis=0)");

    x = SEQ(2, 3);
    y = ag_get_item(ctx, x, 0, (const int[]){0, 0, 1}, 3);
    backward(y, &CG);
    assert_var_string(y, "variable[3 3]([1 2 3 1 2 3 4 5 6])");
    assert_var_string(ag_grad(x), "variable[2 3]([2 2 2 1 1 1])");
    assert_null(next_order(x));

    /* negative axis and indices */
    x = SEQ(2, 3);
    y = ag_get_item(ctx, x, -1, (const int[]){-1, 0}, 2);
    ag_set_grad(y, VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4));
    backward(y, NULL);
    assert_var_string(y, "variable[2 2]([3 1 6 4])");
    assert_var_string(ag_grad(x), "variable[2 3]([2 0 1 4 0 3])");

    /* no indices: the axis keeps its place with length 0 */
    y = ag_get_item(ctx, x, 0, NULL, 0);
    assert_shape(y, 0, 3);
}

/* Upstream's test: GetItemGrad forward is a scatter-add; its gradient is a take. */
static void test_get_item_grad(void **state) {
    ag_var *gy = ag_ones(ctx, DIMS(3, 3));
    ag_var *y = ag_get_item_grad(ctx, gy, 0, (const int[]){0, 0, 1}, 3, DIMS(2, 3));
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([2 2 2 1 1 1])");
    assert_var_string(ag_grad(gy), "variable[3 3]([1 1 1 1 1 1 1 1 1])");
    assert_label(y, "GetItemGrad(axis=0)");

    gy = SEQ(2, 2);
    y = ag_get_item_grad(ctx, gy, 1, (const int[]){2, -3}, 2, DIMS(2, 3));
    ag_set_grad(y, SEQ(2, 3));
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([2 0 1 4 0 3])");
    assert_var_string(ag_grad(gy), "variable[2 2]([3 1 6 4])");
}

static void test_get_item_errors(void **state) {
    ag_var *x = SEQ(3, 2);
    assert_null(ag_get_item(ctx, x, 0, (const int[]){5}, 1));
    assert_error("index: index 5 out of range for axis 0 with size 3");
    assert_null(ag_get_item(ctx, x, 1, (const int[]){0, -3}, 2));
    assert_error("index: index -3 out of range for axis 1 with size 2");
    assert_null(ag_get_item(ctx, x, 2, (const int[]){0}, 1));
    assert_error("index: axis 2 out of range for ndim 2");
    assert_null(ag_get_item(ctx, ag_scalar(ctx, 1), 0, (const int[]){0}, 1));
    assert_error("index: axis 0 out of range for ndim 0");
    assert_null(ag_get_item_grad(ctx, SEQ(2, 3), 0, (const int[]){0, 1, 1}, 3, DIMS(2, 3)));
    assert_error("index: gradient shape [2 3] does not fit 3 indices along axis 0 of [2 3]");
    assert_null(ag_get_item_grad(ctx, SEQ(1, 3), 0, (const int[]){2}, 1, DIMS(2, 3)));
    assert_error("index: index 2 out of range for axis 0 with size 2");
}

/* Upstream's test: concat along either axis, gradients split back. */
static void test_concat(void **state) {
    ag_var *a = SEQ(2, 3), *b = VAR(ctx, SHAPE(2, 2), 7, 8, 9, 10);
    ag_var *y = ag_concat(ctx, (ag_var *[]){a, b}, 2, 1);
    backward(y, NULL);
    assert_var_string(y, "variable[2 5]([1 2 3 7 8 4 5 6 9 10])");
    assert_var_string(ag_grad(a), "variable[2 3]([1 1 1 1 1 1])");
    assert_var_string(ag_grad(b), "variable[2 2]([1 1 1 1])");
    assert_label(y, "Concat(axis=1)");

    a = SEQ(2, 3);
    b = VAR(ctx, SHAPE(1, 3), 7, 8, 9);
    y = ag_concat(ctx, (ag_var *[]){a, b}, 2, 0);
    ag_set_grad(y, SEQ(3, 3));
    backward(y, NULL);
    assert_var_string(y, "variable[3 3]([1 2 3 4 5 6 7 8 9])");
    assert_var_string(ag_grad(a), "variable[2 3]([1 2 3 4 5 6])");
    assert_var_string(ag_grad(b), "variable[1 3]([7 8 9])");

    /* more inputs than fit inline, one used twice, negative axis */
    ag_var *c = VAR(ctx, SHAPE(1), 5);
    ag_var *parts[] = {c, VAR(ctx, SHAPE(2), 1, 2), c, VAR(ctx, SHAPE(1), 9)};
    y = ag_concat(ctx, parts, 4, -1);
    backward(y, &CG);
    assert_var_string(y, "variable[5]([5 1 2 5 9])");
    assert_var_string(ag_grad(c), "variable(2)");
    assert_var_string(ag_grad(parts[1]), "variable[2]([1 1])");
    assert_null(next_order(c));

    /* a single input is a copy */
    assert_var_string(ag_concat(ctx, (ag_var *[]){a}, 1, 0), "variable[2 3]([1 2 3 4 5 6])");
}

static void test_concat_errors(void **state) {
    assert_null(ag_concat(ctx, (ag_var *[]){SEQ(2, 3), SEQ(2, 2)}, 2, 0));
    assert_error("concat: shapes [2 3] and [2 2] differ outside axis 0");
    assert_null(ag_concat(ctx, (ag_var *[]){SEQ(2, 3), SEQ(3)}, 2, 0));
    assert_error("concat: shapes [2 3] and [3] differ outside axis 0");
    assert_null(ag_concat(ctx, NULL, 0, 0));
    assert_error("concat: needs at least one input");
    assert_null(ag_concat(ctx, (ag_var *[]){SEQ(2, 3), SEQ(2, 3)}, 2, 2));
    assert_error("concat: axis 2 out of range for ndim 2");
}

/* Upstream's test: split; an unused output contributes zeros to the gradient. */
static void test_split(void **state) {
    ag_var *x = SEQ(3, 3), *y[2];
    assert_int_equal(ag_split(ctx, x, (const int[]){1, 2}, 2, 0, y), 0);
    assert_var_string(y[0], "variable[1 3]([1 2 3])");
    assert_var_string(y[1], "variable[2 3]([4 5 6 7 8 9])");
    assert_label(y[0], "Split(axis=0)");
    assert_ptr_equal(ag_creator(y[0]), ag_creator(y[1]));
    assert_int_equal(ag_func_noutputs(ag_creator(y[0])), 2);
    backward(y[0], NULL);
    assert_var_string(ag_grad(x), "variable[3 3]([1 1 1 0 0 0 0 0 0])");
    ag_cleargrad(x);
    backward(y[1], NULL);
    assert_var_string(ag_grad(x), "variable[3 3]([0 0 0 1 1 1 1 1 1])");
    ag_cleargrad(x);
    backward(ag_add(ctx, ag_sum(ctx, y[0], NULL, 0), ag_sum(ctx, y[1], NULL, 0)), NULL);
    assert_var_string(ag_grad(x), "variable[3 3]([1 1 1 1 1 1 1 1 1])");

    x = SEQ(3, 3);
    assert_int_equal(ag_split(ctx, x, (const int[]){1, 2}, 2, 1, y), 0);
    assert_var_string(y[0], "variable[3 1]([1 4 7])");
    assert_var_string(y[1], "variable[3 2]([2 3 5 6 8 9])");
    backward(y[0], NULL);
    assert_var_string(ag_grad(x), "variable[3 3]([1 0 0 1 0 0 1 0 0])");

    /* z = y0 * 5 with y1 unused: its slice of the gradient is zeros, as upstream's */
    x = SEQ(2, 2);
    assert_int_equal(ag_split(ctx, x, (const int[]){1, 1}, 2, -1, y), 0);
    backward(ag_mul(ctx, y[0], VAR(ctx, SHAPE(1), 5)), NULL);
    assert_var_string(ag_grad(x), "variable[2 2]([5 0 5 0])");

    /* second order through split: the gradient is constant, so nil */
    x = SEQ(4);
    assert_int_equal(ag_split(ctx, x, (const int[]){3, 1}, 2, 0, y), 0);
    backward(y[1], &CG);
    assert_var_string(ag_grad(x), "variable[4]([0 0 0 1])");
    assert_null(next_order(x));
}

/* Many outputs, with backprop off (no graph node is kept). */
static void test_split_nograd(void **state) {
    ag_var *x = SEQ(6), *y[6];
    bool old = ag_set_grad_enabled(ctx, false);
    assert_int_equal(ag_split(ctx, x, (const int[]){1, 1, 1, 1, 2, 0}, 6, 0, y), 0);
    ag_set_grad_enabled(ctx, old);
    assert_var_string(y[3], "variable(4)");
    assert_var_string(y[4], "variable[2]([5 6])");
    assert_shape(y[5], 0);
    assert_null(ag_creator(y[0]));
}

static void test_split_errors(void **state) {
    ag_var *y[3] = {SEQ(1), SEQ(1), SEQ(1)};
    assert_int_equal(ag_split(ctx, SEQ(3, 3), (const int[]){1, 1}, 2, 0, y), -1);
    assert_error("split: sizes [1 1] do not add up to 3, the size of axis 0 of [3 3]");
    assert_null(y[0]);
    assert_null(y[1]);
    assert_int_equal(ag_split(ctx, SEQ(3), (const int[]){4, -1}, 2, 0, y), -1);
    assert_error("split: sizes [4 -1] do not add up to 3, the size of axis 0 of [3]");
    assert_int_equal(ag_split(ctx, SEQ(3), (const int[]){3}, 1, 1, y), -1);
    assert_error("split: axis 1 out of range for ndim 1");
    assert_int_equal(ag_split(ctx, SEQ(3), NULL, 0, 0, y), -1);
    assert_error("split: needs at least one size");
}

/* Upstream's test: clip's gradient is 1 inside the bounds and at them (PyTorch), 0 outside. */
static void test_clip(void **state) {
    ag_var *x = VAR(ctx, SHAPE(8), -2, -1, 0, 1, 2, 4, 6, 8);
    ag_var *y = ag_clip(ctx, x, 0, 5);
    backward(y, NULL);
    assert_var_string(y, "variable[8]([0 0 0 1 2 4 5 5])");
    assert_var_string(ag_grad(x), "variable[8]([0 0 1 1 1 1 0 0])");
}

/* Upstream's test: matmul, its gradients and their gradients. */
static void test_matmul(void **state) {
    ag_var *x = SEQ(2, 3), *w = SEQ(3, 4);
    ag_var *y = ag_matmul(ctx, x, w);
    backward(y, &CG);
    assert_var_string(y, "variable[2 4]([38 44 50 56 83 98 113 128])");
    assert_var_string(ag_grad(x), "variable[2 3]([10 26 42 10 26 42])");
    assert_var_string(ag_grad(w), "variable[3 4]([5 5 5 5 7 7 7 7 9 9 9 9])");
    ag_var *gx = ag_grad(x), *gw = ag_grad(w);
    ag_cleargrad(x);
    ag_cleargrad(w);
    backward(gx, NULL);
    backward(gw, NULL);
    assert_var_string(ag_grad(x), "variable[2 3]([4 4 4 4 4 4])");
    assert_var_string(ag_grad(w), "variable[3 4]([2 2 2 2 2 2 2 2 2 2 2 2])");

    /* Upstream's test */
    y = ag_matmul(ctx, SEQ(2, 3), VAR(ctx, SHAPE(3, 2), 7, 8, 9, 10, 11, 12));
    assert_var_string(y, "variable[2 2]([58 64 139 154])");
}

/* Upstream's test: batched matmul with broadcast leading dims; gradients summed back. */
static void test_matmul_batched(void **state) {
    ag_var *x = SEQ(1, 2, 2), *w = SEQ(2, 2, 3);
    ag_var *y = ag_matmul(ctx, x, w);
    backward(y, NULL);
    assert_shape(y, 2, 2, 3);
    assert_data(y, 9, 12, 15, 19, 26, 33, 27, 30, 33, 61, 68, 75);
    assert_shape(ag_grad(x), 1, 2, 2);
    assert_data(ag_grad(x), 30, 48, 30, 48);
    assert_shape(ag_grad(w), 2, 2, 3);
    assert_data(ag_grad(w), 4, 4, 4, 6, 6, 6, 4, 4, 4, 6, 6, 6);

    x = SEQ(2, 2, 2);
    w = SEQ(1, 2, 3);
    y = ag_matmul(ctx, x, w);
    backward(y, NULL);
    assert_shape(y, 2, 2, 3);
    assert_data(y, 9, 12, 15, 19, 26, 33, 29, 40, 51, 39, 54, 69);
    assert_shape(ag_grad(x), 2, 2, 2);
    assert_data(ag_grad(x), 6, 15, 6, 15, 6, 15, 6, 15);
    assert_shape(ag_grad(w), 1, 2, 3);
    assert_data(ag_grad(w), 16, 16, 16, 20, 20, 20);

    /* a 2-D operand against a batch: its gradient sums over the batch */
    x = SEQ(2, 1, 2);
    w = VAR(ctx, SHAPE(2, 1), 1, 1);
    y = ag_matmul(ctx, x, w);
    backward(y, NULL);
    assert_var_string(y, "variable[2 1 1]([3 7])");
    assert_var_string(ag_grad(w), "variable[2 1]([4 6])");
    assert_var_string(ag_grad(x), "variable[2 1 2]([1 1 1 1])");
}

/* 1-D operands as in PyTorch and NumPy (values from torch.matmul in
 * float64): vector @ vector is 0-d, matrix @ vector and vector @ matrix
 * drop the vector's axis, batches broadcast; gradients have the vectors'
 * shapes, and create_graph differentiates them again. */
static void test_matmul_vectors(void **state) {
    ag_var *a = SEQ(3), *m = SEQ(2, 3);
    ag_var *y = ag_matmul(ctx, a, a);
    backward(y, &CG);
    assert_scalar_shape(y);
    assert_data(y, 14);
    assert_var_string(ag_grad(a), "variable[3]([2 4 6])");
    assert_var_string(next_order(a), "variable[3]([2 2 2])");

    ag_cleargrad(a);
    y = ag_matmul(ctx, m, a); /* [2 3] @ [3] -> [2] */
    backward(y, NULL);
    assert_var_string(y, "variable[2]([14 32])");
    assert_var_string(ag_grad(a), "variable[3]([5 7 9])");
    assert_var_string(ag_grad(m), "variable[2 3]([1 2 3 1 2 3])");

    ag_var *v = VAR(ctx, SHAPE(2), 1, -1);
    ag_cleargrad(m);
    y = ag_matmul(ctx, v, m); /* [2] @ [2 3] -> [3] */
    backward(y, NULL);
    assert_var_string(y, "variable[3]([-3 -3 -3])");
    assert_var_string(ag_grad(v), "variable[2]([6 15])");
    assert_var_string(ag_grad(m), "variable[2 3]([1 1 1 -1 -1 -1])");

    ag_var *batch = SEQ(2, 2, 3);
    ag_cleargrad(a);
    y = ag_matmul(ctx, batch, a); /* [2 2 3] @ [3] -> [2 2] */
    backward(y, NULL);
    assert_var_string(y, "variable[2 2]([14 32 50 68])");
    assert_var_string(ag_grad(a), "variable[3]([22 26 30])");
    ag_cleargrad(v);
    y = ag_matmul(ctx, v, batch); /* [2] @ [2 2 3] -> [2 3] */
    backward(y, NULL);
    assert_var_string(y, "variable[2 3]([-3 -3 -3 -3 -3 -3])");
    assert_var_string(ag_grad(v), "variable[2]([30 48])");
}

/* keepdims: every reduction's result reshaped back to x's rank, the
 * gradient flowing through the reshape; 0-d values take axis 0 or -1
 * (as torch.sum(torch.tensor(2.), 0) and torch.softmax(t, -1)). */
static void test_keepdims_and_0d_axes(void **state) {
    ag_var *x = SEQ(2, 3);
    ag_var *y = ag_keepdims(ctx, ag_sum(ctx, x, AXES(1)), x, AXES(1));
    assert_shape(y, 2, 1);
    assert_data(y, 6, 15);
    y = ag_keepdims(ctx, ag_mean(ctx, x, AXES(-2)), x, AXES(-2));
    assert_shape(y, 1, 3);
    assert_data(y, 2.5, 3.5, 4.5);
    y = ag_keepdims(ctx, ag_max(ctx, x, NULL, 0), x, NULL, 0);
    assert_shape(y, 1, 1);
    backward(ag_mul(ctx, y, VAR(ctx, SHAPE(2, 1), 1, 2)), NULL); /* broadcasts as [2 1] */
    assert_var_string(ag_grad(x), "variable[2 3]([0 0 0 0 0 3])");
    y = ag_keepdims(ctx, ag_variance(ctx, x, AXES(0, 1)), x, AXES(0, 1));
    assert_shape(y, 1, 1);
    assert_null(ag_keepdims(ctx, NULL, x, AXES(0)));
    assert_error("keepdims: input 1 is NULL");
    assert_null(ag_keepdims(ctx, ag_sum(ctx, x, AXES(0)), x, AXES(2)));
    assert_error("keepdims: axis 2 out of range for ndim 2");

    ag_var *s = ag_scalar(ctx, 2.0);
    assert_data(ag_sum(ctx, s, AXES(0)), 2);
    assert_data(ag_min(ctx, s, AXES(-1)), 2);
    assert_scalar_shape(ag_keepdims(ctx, ag_sum(ctx, s, AXES(0)), s, AXES(0)));
    assert_null(ag_sum(ctx, s, AXES(1)));
    assert_error("sum: axis 1 out of range for a 0-d value (0 or -1)");
    assert_null(ag_sum(ctx, s, AXES(0, -1)));
    assert_error("sum: duplicate axis 0");
    y = ag_softmax(ctx, s, -1);
    assert_scalar_shape(y);
    assert_data(y, 1);
    backward(y, &CG);
    assert_data(ag_grad(s), 0);
    assert_null(ag_softmax(ctx, s, 1));
    assert_error("softmax: axis 1 out of range for a 0-d value (0 or -1)");
}

static void test_matmul_errors(void **state) {
    assert_null(ag_matmul(ctx, SEQ(2, 3), SEQ(2, 3)));
    assert_error("matmul: shapes [2 3] and [2 3] are not aligned: the left has 3 columns, the right 2 rows");
    assert_null(ag_matmul(ctx, SEQ(3), SEQ(2)));
    assert_error("matmul: shapes [3] and [2] are not aligned: the left has 3 columns, the right 2 rows");
    assert_null(ag_matmul(ctx, SEQ(2, 3), SEQ(2)));
    assert_error("matmul: shapes [2 3] and [2] are not aligned: the left has 3 columns, the right 2 rows");
    assert_null(ag_matmul(ctx, SEQ(3), SEQ(2, 3)));
    assert_error("matmul: shapes [3] and [2 3] are not aligned: the left has 3 columns, the right 2 rows");
    /* the batched form names the inner dimensions too; one of each is singular */
    assert_null(ag_matmul(ctx, SEQ(2, 4, 1), SEQ(2, 2, 5)));
    assert_error("matmul: shapes [2 4 1] and [2 2 5] are not aligned: the left has 1 column, the right 2 rows");
    assert_null(ag_matmul(ctx, SEQ(2, 3), SEQ(1, 3)));
    assert_error("matmul: shapes [2 3] and [1 3] are not aligned: the left has 3 columns, the right 1 row");
    assert_null(ag_matmul(ctx, ag_scalar(ctx, 2), SEQ(3)));
    assert_error("matmul: shapes [] and [3]: a 0-d value has no axis to multiply over (use *)");
    assert_null(ag_matmul(ctx, SEQ(2, 2, 3), SEQ(3, 3, 2)));
    assert_error("matmul: batch shapes [2] and [3] are not compatible");
    assert_null(ag_matmul(ctx, SEQ(4, 2, 2, 3), SEQ(3, 3, 2)));
    assert_error("matmul: batch shapes [4 2] and [3] are not compatible");
}

/* A NULL input gives NULL and leaves the earlier message alone. */
static void test_null_propagation(void **state) {
    ag_var *x = SEQ(2, 3), *out[2] = {x, x};
    ag_set_error(ctx, "earlier");
    assert_null(ag_sum(ctx, NULL, NULL, 0));
    assert_null(ag_mean(ctx, NULL, AXES(5)));
    assert_null(ag_variance(ctx, NULL, NULL, 0));
    assert_null(ag_max(ctx, NULL, NULL, 0));
    assert_null(ag_min(ctx, NULL, AXES(0, 0)));
    assert_null(ag_reshape(ctx, NULL, DIMS(-1, -1)));
    assert_null(ag_transpose(ctx, NULL, AXES(0)));
    assert_null(ag_broadcast_to(ctx, NULL, DIMS(-3)));
    assert_null(ag_sum_to(ctx, NULL, DIMS(4)));
    assert_null(ag_squeeze(ctx, NULL, 7));
    assert_null(ag_unsqueeze(ctx, NULL, 7));
    assert_null(ag_concat(ctx, (ag_var *[]){x, NULL}, 2, 0));
    assert_int_equal(ag_split(ctx, NULL, (const int[]){1}, 1, 0, out), -1);
    assert_null(out[0]);
    assert_null(ag_get_item(ctx, NULL, 0, (const int[]){99}, 1));
    assert_null(ag_get_item_grad(ctx, NULL, 0, (const int[]){99}, 1, DIMS(2)));
    assert_null(ag_matmul(ctx, x, NULL));
    assert_null(ag_matmul(ctx, NULL, x));
    assert_string_equal(ag_errmsg(ctx), "earlier");
}

/* The one axis convention: the (axes, naxes) forms give what the older
 * `const int *axis` forms give, and roll_axes rolls along several axes as
 * PyTorch's roll(x, shifts, dims): x = arange(6) as [2 3]. */
static void test_axes_convention(void **state) {
    (void)state;
    double six[] = {0, 5, 2, 3, 1, 4};
    ag_var *x = ag_new(ctx, 2, (int[]){2, 3}, six);
    int one = 1;
    assert_close(ag_item(ag_argmax_axes(ctx, x, NULL, 0)), 1); /* flattened */
    ag_var *rows = ag_argmax_axes(ctx, x, &one, 1);
    assert_close(ag_cdata(rows)[0], 1);
    assert_close(ag_cdata(rows)[1], 2);
    assert_close(ag_item(ag_argmin_axes(ctx, x, NULL, 0)), ag_item(ag_argmin(ctx, x, NULL)));
    assert_null(ag_argmax_axes(ctx, x, (int[]){0, 1}, 2));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    ag_clear_error(ctx);
    /* roll([[0 5 2] [3 1 4]], shifts=(1, 1), dims=(0, 1)) = [[4 3 1] [2 0 5]] */
    ag_var *r = ag_roll_axes(ctx, x, (int[]){1, 1}, (int[]){0, 1}, 2);
    double want[] = {4, 3, 1, 2, 0, 5};
    for (int i = 0; i < 6; i++) assert_close(ag_cdata(r)[i], want[i]);
    ag_var *flat = ag_roll_axes(ctx, x, (int[]){2}, NULL, 0); /* [[1 4 0] [5 2 3]] */
    double want_flat[] = {1, 4, 0, 5, 2, 3};
    for (int i = 0; i < 6; i++) assert_close(ag_cdata(flat)[i], want_flat[i]);
    assert_int_equal(ag_ndim(flat), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_binary_broadcast),
        CTX_TEST(test_binary_broadcast_2d),
        CTX_TEST(test_broadcast_to),
        CTX_TEST(test_broadcast_to_table),
        CTX_TEST(test_sum_to),
        CTX_TEST(test_sum_to_table),
        CTX_TEST(test_broadcast_errors),
        CTX_TEST(test_sum),
        CTX_TEST(test_sum_gradient_layout),
        CTX_TEST(test_sum_table),
        CTX_TEST(test_mean),
        CTX_TEST(test_mean_negative_axis),
        CTX_TEST(test_variance),
        CTX_TEST(test_variance_table),
        CTX_TEST(test_max),
        CTX_TEST(test_min),
        CTX_TEST(test_max_ties),
        CTX_TEST(test_reduce_errors),
        CTX_TEST(test_reshape),
        CTX_TEST(test_reshape_errors),
        CTX_TEST(test_transpose),
        CTX_TEST(test_transpose_reverse),
        CTX_TEST(test_transpose_errors),
        CTX_TEST(test_squeeze_unsqueeze),
        CTX_TEST(test_squeeze_errors),
        CTX_TEST(test_get_item),
        CTX_TEST(test_get_item_grad),
        CTX_TEST(test_get_item_errors),
        CTX_TEST(test_concat),
        CTX_TEST(test_concat_errors),
        CTX_TEST(test_split),
        CTX_TEST(test_split_nograd),
        CTX_TEST(test_split_errors),
        CTX_TEST(test_clip),
        CTX_TEST(test_matmul),
        CTX_TEST(test_matmul_batched),
        CTX_TEST(test_matmul_vectors),
        CTX_TEST(test_keepdims_and_0d_axes),
        CTX_TEST(test_matmul_errors),
        CTX_TEST(test_null_propagation),
        CTX_TEST(test_axes_convention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
