/* test_finite.c — the ops whose results the finite check does not scan
 * (op_keeps_finite, src/function.c): fed the extremes of the doubles, each
 * makes finite numbers forward and, with finite incoming gradients as large
 * as DBL_MAX, backward; and the check still blames the ops it scans.  Linear,
 * whose output is not scanned when its inputs bound it (linear_output_bounded),
 * still blames itself when the bound does not fit. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "internal.h"

/* 24 extremes: more than one vector of 8 lanes, and a remainder. */
static const double extremes[] = {
    -DBL_MAX, -1e308, -1e300, -1e20, -800, -710, -40, -19.1, -1, -0.5, -DBL_MIN, -5e-324,
    0,        5e-324, DBL_MIN, 0.5,  1,    19.1, 40,   710,  800, 1e20, 1e308, DBL_MAX,
};
#define N_EXTREMES ((int)(sizeof extremes / sizeof extremes[0]))

static ag_var *extremes_var(void) { return make_var(ctx, SHAPE(N_EXTREMES), extremes); }

static void assert_all_finite(const ag_var *v, const char *what) {
    if (v == NULL) fail_msg("%s: %s", what, ag_errmsg(ctx));
    for (size_t i = 0; i < ag_size(v); i++)
        if (!isfinite(ag_cdata(v)[i])) fail_msg("%s: element %zu is %g", what, i, ag_cdata(v)[i]);
}

typedef ag_var *(*unary_fn)(ag_ctx *, ag_var *);
static ag_var *clip_fn(ag_ctx *c, ag_var *x) { return ag_clip(c, x, -2, 3); }
static ag_var *hardtanh_fn(ag_ctx *c, ag_var *x) { return ag_hardtanh(c, x, -1, 1); }
static ag_var *max_fn(ag_ctx *c, ag_var *x) { return ag_max(c, x, NULL, 0); }
static ag_var *min_fn(ag_ctx *c, ag_var *x) { return ag_min(c, x, NULL, 0); }
static ag_var *transpose_fn(ag_ctx *c, ag_var *x) { return ag_transpose(c, ag_reshape(c, x, 2, (const int[]){4, 6}), NULL, 0); }

static const struct {
    int op;
    const char *name;
    unary_fn fn;
} unary[] = {
    {AG_OP_NEG, "neg", ag_neg},       {AG_OP_ABS, "abs", ag_abs},       {AG_OP_SIN, "sin", ag_sin},
    {AG_OP_COS, "cos", ag_cos},       {AG_OP_TANH, "tanh", ag_tanh},    {AG_OP_SIGMOID, "sigmoid", ag_sigmoid},
    {AG_OP_RELU, "relu", ag_relu},    {AG_OP_CLIP, "clip", clip_fn},    {AG_OP_HARDTANH, "hardtanh", hardtanh_fn},
    {AG_OP_SIGN, "sign", ag_sign},    {AG_OP_FLOOR, "floor", ag_floor}, {AG_OP_CEIL, "ceil", ag_ceil},
    {AG_OP_ROUND, "round", ag_round}, {AG_OP_TRUNC, "trunc", ag_trunc}, {AG_OP_ATAN, "atan", ag_atan},
    {AG_OP_ERF, "erf", ag_erf},       {AG_OP_MAX, "max", max_fn},       {AG_OP_MIN, "min", min_fn},
    {AG_OP_TRANSPOSE, "transpose", transpose_fn},
};

/* Forward on a tensor (the vector kernels) and on each element alone (the
 * scalar fast path): finite everywhere. */
static void test_forward_extremes(void **state) {
    (void)state;
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
        assert_true(op_keeps_finite(unary[k].op));
        assert_all_finite(unary[k].fn(ctx, extremes_var()), unary[k].name);
        for (int i = 0; i < N_EXTREMES && unary[k].fn != transpose_fn; i++)
            assert_all_finite(unary[k].fn(ctx, ag_scalar(ctx, extremes[i])), unary[k].name);
    }
    ag_var *a = extremes_var(), *b = ag_neg(ctx, extremes_var());
    assert_all_finite(ag_maximum(ctx, a, b), "maximum");
    assert_all_finite(ag_minimum(ctx, a, b), "minimum");
    assert_all_finite(ag_where(ctx, ag_gt(ctx, a, b), a, b), "where");
}

/* Backward with the incoming gradient as large as a double gets (DBL_MAX
 * and -DBL_MAX through a Mul): each direct rule multiplies it by a factor
 * of at most 1 in size, so the gradients stay finite.  Not Erf: its factor
 * reaches 2/sqrt(pi) (its backward is made of ops, which are checked). */
static void test_backward_extremes(void **state) {
    (void)state;
    double big[N_EXTREMES];
    for (int i = 0; i < N_EXTREMES; i++) big[i] = i % 2 ? DBL_MAX : -DBL_MAX;
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
        if (unary[k].op == AG_OP_ERF) continue;
        ag_var *x = extremes_var();
        ag_var *y = unary[k].fn(ctx, x);
        ag_var *w = ag_size(y) == N_EXTREMES ? make_var(ctx, SHAPE(N_EXTREMES), big) : ag_scalar(ctx, DBL_MAX);
        if (ag_ndim(y) == 2) w = ag_reshape(ctx, w, 2, (const int[]){6, 4});
        /* sum's seed is 1 and Mul's backward hands the op w exactly */
        assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, y, w), NULL, 0), NULL), 0);
        assert_all_finite(ag_grad(x), unary[k].name);
    }
}

/* The check still blames what it scans, not what it skips: Exp overflows
 * (noted), a NaN that enters through a leaf and passes Sigmoid is not
 * Sigmoid's (as before the skip: it came in that way), and Log of a
 * negative number is Log's even after a skipped op. */
static void test_check_still_names_ops(void **state) {
    (void)state;
    ag_set_check_finite(ctx, true);
    ag_sigmoid(ctx, VAR(ctx, SHAPE(9), 1, 2, 3, 4, 5, 6, 7, 8, NAN));
    assert_null(ag_nonfinite_op(ctx));
    ag_exp(ctx, extremes_var());
    assert_string_equal(ag_nonfinite_op(ctx), "Exp");
    ag_clear_nonfinite(ctx);
    ag_log(ctx, ag_neg(ctx, ag_abs(ctx, extremes_var())));
    assert_string_equal(ag_nonfinite_op(ctx), "Log");
    ag_clear_nonfinite(ctx);
    assert_false(op_keeps_finite(AG_OP_EXP));
    assert_false(op_keeps_finite(AG_OP_ADD));
    assert_false(op_keeps_finite(AG_OP_SUM));
}

/* n rows of one feature times 1 x m weights plus a row of m: the inputs,
 * n + 2m numbers, bound the output's n x m (linear_output_bounded). */
static ag_var *outer_linear(int n, int m, double x, double w, double b, int nan_row) {
    double *xs = malloc((size_t)n * sizeof *xs), *ws = malloc((size_t)m * sizeof *ws),
           *bs = malloc((size_t)m * sizeof *bs);
    for (int i = 0; i < n; i++) xs[i] = i == nan_row ? NAN : x * (i % 2 ? -1 : 1);
    for (int j = 0; j < m; j++) ws[j] = w, bs[j] = b;
    ag_var *y = ag_linear(ctx, make_var(ctx, SHAPE(n, 1), xs), make_var(ctx, SHAPE(1, m), ws),
                          make_var(ctx, SHAPE(m), bs));
    free(xs);
    free(ws);
    free(bs);
    return y;
}

/* Linear's output is not scanned when its inputs bound it; the scan still
 * runs, and blames Linear, when the bound does not fit: an overflow, and
 * a finite output above half the largest double; a NaN that comes in through
 * x is not Linear's, bound or no bound. */
static void test_linear_bound(void **state) {
    (void)state;
    ag_set_check_finite(ctx, true);
    assert_all_finite(outer_linear(100, 10, 3.0, -2.0, 1e300, -1), "bounded");
    assert_null(ag_nonfinite_op(ctx));
    assert_all_finite(outer_linear(100, 10, 1e154, 1e154, 0.0, -1), "above the bound, finite");
    assert_null(ag_nonfinite_op(ctx));
    ag_var *y = outer_linear(100, 10, 1e200, 1e200, 0.0, -1);
    assert_non_null(y);
    assert_false(isfinite(ag_cdata(y)[0]));
    assert_string_equal(ag_nonfinite_op(ctx), "Linear");
    ag_clear_nonfinite(ctx);
    y = outer_linear(100, 10, 1.0, 1.0, 0.0, 37);
    assert_non_null(y);
    assert_true(isnan(ag_cdata(y)[37 * 10]));
    assert_null(ag_nonfinite_op(ctx));
    y = outer_linear(100, 10, 1e200, 1e200, 0.0, 37); /* and overflows elsewhere */
    assert_non_null(y);
    assert_null(ag_nonfinite_op(ctx));
    /* inputs as big as the output: scanned as before */
    y = ag_linear(ctx, VAR(ctx, SHAPE(2, 2), 1e200, 1e200, 1, 1), VAR(ctx, SHAPE(2, 2), 1e200, 1, 1e200, 1), NULL);
    assert_non_null(y);
    assert_string_equal(ag_nonfinite_op(ctx), "Linear");
    ag_clear_nonfinite(ctx);
}

/* A second backward adds into the gradient the first left (backward.c's
 * sum_grads: made directly when the shapes agree, through ag_add when they
 * broadcast): the sum is Add's, element for element, and an overflow in it
 * is blamed on Add, as ag_add's own check would; a NaN that came in is not. */
static void test_summed_grads(void **state) {
    (void)state;
    ag_set_check_finite(ctx, true);
    const double big[] = {1e308, -1e308, 0.1, 3.0};
    for (int scalar = 0; scalar <= 1; scalar++) {
        int n = scalar ? 1 : 4;
        ag_var *x = scalar ? ag_scalar(ctx, 0.3) : make_var(ctx, SHAPE(4), (const double[]){0.3, 0.3, 0.3, 0.3});
        ag_var *w = scalar ? ag_scalar(ctx, big[2]) : make_var(ctx, SHAPE(4), big);
        ag_var *y = ag_sum(ctx, ag_mul(ctx, x, w), NULL, 0);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_var *first = ag_grad(x);
        y = ag_sum(ctx, ag_mul(ctx, x, w), NULL, 0);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        assert_true(ag_grad(x) != first); /* the first gradient is left as it was */
        for (int i = 0; i < n; i++) {
            double g = (scalar ? big[2] : big[i]);
            assert_true(ag_cdata(first)[i] == g);
            assert_true(ag_cdata(ag_grad(x))[i] == g + g);
        }
        if (scalar) {
            assert_null(ag_nonfinite_op(ctx));
        } else {
            assert_false(isfinite(ag_cdata(ag_grad(x))[0]));
            assert_string_equal(ag_nonfinite_op(ctx), "Add");
            ag_clear_nonfinite(ctx);
        }
    }
    /* a NaN in the incoming gradient is not Add's */
    ag_var *x = make_var(ctx, SHAPE(2), (const double[]){1, 2});
    ag_var *w = make_var(ctx, SHAPE(2), (const double[]){NAN, 1});
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, x, w), NULL, 0), NULL), 0);
    ag_clear_nonfinite(ctx);
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, x, w), NULL, 0), NULL), 0);
    assert_true(isnan(ag_cdata(ag_grad(x))[0]));
    assert_true(ag_cdata(ag_grad(x))[1] == 2.0);
    assert_null(ag_nonfinite_op(ctx));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_forward_extremes),
        CTX_TEST(test_backward_extremes),
        CTX_TEST(test_check_still_names_ops),
        CTX_TEST(test_linear_bound),
        CTX_TEST(test_summed_grads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
