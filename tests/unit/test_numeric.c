/* test_numeric.c — numerical differentiation (upstream's numerical.Diff:
 * its tests' values and those of a run of it) and gradient checking. */
#include "testutil.h"

#include <math.h>
#include <string.h>

/* ---- functions under test (ag_fn) ------------------------------------- */

static ag_var *square_exp_square(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_square(ctx, ag_exp(ctx, ag_square(ctx, xs[0])));
}
static ag_var *square_fn(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_square(ctx, xs[0]);
}
static ag_var *sin_fn(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_sin(ctx, xs[0]);
}
static ag_var *exp_fn(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_exp(ctx, xs[0]);
}
static ag_var *tanh_fn(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_tanh(ctx, xs[0]);
}
static ag_var *mul_fn(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_mul(ctx, xs[0], xs[1]);
}
/* sin(x) * exp(y): a correct composite of two inputs. */
static ag_var *sin_times_exp(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_mul(ctx, ag_sin(ctx, xs[0]), ag_exp(ctx, xs[1]));
}
/* x * detach(x): the value is x^2 but the graph only sees one factor, so
 * backward gives x where the true derivative is 2x. */
static ag_var *cut_square(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_mul(ctx, xs[0], ag_detach(ctx, xs[0]));
}
/* sin(x) * detach(y): y's gradient never arrives (missing = zeros). */
static ag_var *cut_second(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_mul(ctx, ag_sin(ctx, xs[0]), ag_detach(ctx, xs[1]));
}
/* sin(x); y is ignored, so its zero numeric gradient matches a missing grad. */
static ag_var *ignores_second(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_sin(ctx, xs[0]);
}
static ag_var *returns_nothing(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return NULL;
}
/* Fails with an error of its own on the n-th call (user points to a countdown). */
static ag_var *fails_later(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    int *calls_left = user;
    if ((*calls_left)-- <= 0) return ag_set_error(ctx, "fails_later: out of calls");
    return ag_square(ctx, xs[0]);
}

/* ---- numdiff ---------------------------------------------------------- */

static void test_numdiff_goldens(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);

    ag_var *x = ag_scalar(ctx, 0.5);
    ag_var *g2 = ag_numdiff(ctx, square_exp_square, NULL, &x, 1, 0);
    assert_scalar_shape(g2);
    assert_close_tol(ag_item(g2), 3.2974, 0, 5e-5); /* upstream's test prints %.4f */
    assert_close_tol(ag_item(g2), 3.297442541400256, 1e-7, 0); /* analytic, as upstream's test */

    ag_var *two = ag_scalar(ctx, 2.0);
    assert_data(ag_numdiff(ctx, square_fn, NULL, &two, 1, 0), 4.000000000004); /* upstream's test */

    ag_var *one = ag_scalar(ctx, 1.0);
    assert_data(ag_numdiff(ctx, sin_fn, NULL, &one, 1, 0), 0.5403023049677103);
    assert_data(ag_numdiff(ctx, tanh_fn, NULL, &one, 1, 1e-6), 0.41997434163665304);

    ag_var *pair = VAR(ctx, SHAPE(2), 1, 2);
    ag_var *e = ag_numdiff(ctx, exp_fn, NULL, &pair, 1, 0);
    assert_shape(e, 2);
    assert_data(e, 2.718281832989611, 7.389056111253289);

    /* Both inputs shifted at once: d/dt (2+t)(3+t) = 5. */
    ag_var *factors[] = {ag_scalar(ctx, 2), ag_scalar(ctx, 3)};
    assert_data(ag_numdiff(ctx, mul_fn, NULL, factors, 2, 0), 5.000000000010552);

    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

/* The inputs keep their values, no graph is recorded and the flag comes back. */
static void test_numdiff_leaves_inputs_alone(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = VAR(ctx, SHAPE(2), 1, 2);
    ag_var *d = ag_numdiff(ctx, exp_fn, NULL, &x, 1, 0);
    assert_non_null(d);
    assert_null(ag_creator(d));
    assert_data(x, 1, 2);
    assert_null(ag_grad(x));
    assert_true(ag_grad_enabled(ctx));

    ag_set_grad_enabled(ctx, false);
    assert_non_null(ag_numdiff(ctx, exp_fn, NULL, &x, 1, 0));
    assert_false(ag_grad_enabled(ctx));
    ag_ctx_free(ctx);
}

static void test_numdiff_errors(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 1);

    assert_null(ag_numdiff(ctx, returns_nothing, NULL, &x, 1, 0));
    assert_string_equal(ag_errmsg(ctx), "numdiff: the function returned nothing");
    assert_true(ag_grad_enabled(ctx));

    ag_clear_error(ctx);
    int calls_left = 1; /* f(x+h) works, f(x-h) fails */
    assert_null(ag_numdiff(ctx, fails_later, &calls_left, &x, 1, 0));
    assert_string_equal(ag_errmsg(ctx), "fails_later: out of calls");

    /* A NULL input propagates and keeps the earlier message. */
    ag_var *missing = NULL;
    assert_null(ag_numdiff(ctx, square_fn, NULL, &missing, 1, 0));
    assert_string_equal(ag_errmsg(ctx), "fails_later: out of calls");
    ag_ctx_free(ctx);
}

/* ---- numgrad ---------------------------------------------------------- */

static void test_numgrad(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);

    /* d/dx sum(x^2) = 2x, element by element (not a directional derivative). */
    ag_var *x = VAR(ctx, SHAPE(3), 1, 2, -3);
    ag_var *g = ag_numgrad(ctx, square_fn, NULL, &x, 1, 0, 0);
    assert_shape(g, 3);
    for (int i = 0; i < 3; i++) assert_close_tol(ag_cdata(g)[i], 2 * ag_cdata(x)[i], 1e-9, 0);
    assert_null(ag_creator(g));
    assert_data(x, 1, 2, -3);

    /* d/db sum(a * b) with b broadcast over rows = column sums of a. */
    ag_var *ab[] = {VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6), VAR(ctx, SHAPE(3), 10, 20, 30)};
    ag_var *gb = ag_numgrad(ctx, mul_fn, NULL, ab, 2, 1, 0);
    assert_shape(gb, 3);
    const double column_sums[] = {5, 7, 9};
    for (int i = 0; i < 3; i++) assert_close_tol(ag_cdata(gb)[i], column_sums[i], 1e-9, 0);
    ag_var *ga = ag_numgrad(ctx, mul_fn, NULL, ab, 2, 0, 0);
    assert_shape(ga, 2, 3);
    const double b_per_row[] = {10, 20, 30, 10, 20, 30};
    for (int i = 0; i < 6; i++) assert_close_tol(ag_cdata(ga)[i], b_per_row[i], 1e-9, 0);

    /* A 0-d input gives a 0-d gradient: d/dx sin x = cos x. */
    ag_var *one = ag_scalar(ctx, 1);
    ag_var *cosine = ag_numgrad(ctx, sin_fn, NULL, &one, 1, 0, 0);
    assert_scalar_shape(cosine);
    assert_close_tol(ag_item(cosine), cos(1.0), 1e-8, 0);
    assert_false(ag_failed(ctx));

    /* i counts from 0, the message from 1 as every other position (gradcheck's
     * "gradient of input 2", input_grad's "has no input 2") */
    assert_null(ag_numgrad(ctx, mul_fn, NULL, ab, 2, 2, 0));
    assert_string_equal(ag_errmsg(ctx), "numgrad: input 3 out of range for 2 inputs (i = 2 counts from 0)");
    ag_clear_error(ctx);
    assert_null(ag_numgrad(ctx, mul_fn, NULL, ab, 2, -1, 0));
    assert_string_equal(ag_errmsg(ctx), "numgrad: input 0 out of range for 2 inputs (i = -1 counts from 0)");
    ag_clear_error(ctx);
    int calls_left = 3; /* fails on the second element */
    assert_null(ag_numgrad(ctx, fails_later, &calls_left, &x, 1, 0, 0));
    assert_string_equal(ag_errmsg(ctx), "fails_later: out of calls");
    assert_data(x, 1, 2, -3);
    ag_ctx_free(ctx);
}

/* ---- gradcheck -------------------------------------------------------- */

typedef struct mismatch {
    int input;
    size_t index;
    double analytic, numeric;
} mismatch;

typedef struct mismatch_log {
    mismatch items[16];
    int count;
} mismatch_log;

static void record_mismatch(void *user, int input, size_t index, double analytic, double numeric) {
    mismatch_log *log = user;
    if (log->count < 16) log->items[log->count] = (mismatch){input, index, analytic, numeric};
    log->count++;
}

static void test_gradcheck_passes_correct_function(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *xs[] = {VAR(ctx, SHAPE(2, 3), 0.1, -0.2, 0.3, 1.4, -1.5, 2.6),
                    VAR(ctx, SHAPE(2, 3), 0.5, 0.4, -0.3, 0.2, -0.1, 1.0)};
    mismatch_log log = {0};
    assert_int_equal(ag_gradcheck(ctx, sin_times_exp, NULL, xs, 2, 1e-6, 1e-5, record_mismatch, &log), 1);
    assert_int_equal(log.count, 0);

    /* 0-d output: backward straight from y. */
    ag_var *x = ag_scalar(ctx, 0.7);
    assert_int_equal(ag_gradcheck(ctx, square_exp_square, NULL, &x, 1, 1e-6, 1e-5, NULL, NULL), 1);

    /* An input the function ignores: no grad (zeros) against numeric zeros. */
    assert_int_equal(ag_gradcheck(ctx, ignores_second, NULL, xs, 2, 1e-6, 1e-5, record_mismatch, &log), 1);
    assert_int_equal(log.count, 0);
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

static void test_gradcheck_reports_mismatches(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = VAR(ctx, SHAPE(3), 1, 2, -3);
    mismatch_log log = {0};
    assert_int_equal(ag_gradcheck(ctx, cut_square, NULL, &x, 1, 1e-6, 1e-5, record_mismatch, &log), 0);
    assert_int_equal(log.count, 3);
    for (int i = 0; i < 3; i++) {
        double value = ag_cdata(x)[i];
        assert_int_equal(log.items[i].input, 0);
        assert_int_equal(log.items[i].index, (size_t)i);
        assert_close(log.items[i].analytic, value);
        assert_close_tol(log.items[i].numeric, 2 * value, 1e-9, 0);
    }

    /* A missing analytic gradient counts as zeros. */
    ag_var *xy[] = {VAR(ctx, SHAPE(2), 0.5, 1), VAR(ctx, SHAPE(2), 3, 0)};
    log.count = 0;
    assert_int_equal(ag_gradcheck(ctx, cut_second, NULL, xy, 2, 1e-6, 1e-5, record_mismatch, &log), 0);
    /* d/dy sin(x)*y = sin(x): element 0 differs, element 1 (sin 1) too. */
    assert_int_equal(log.count, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(log.items[i].input, 1);
        assert_int_equal(log.items[i].index, (size_t)i);
        assert_true(log.items[i].analytic == 0.0);
        assert_close_tol(log.items[i].numeric, sin(ag_cdata(xy[0])[i]), 1e-8, 0);
    }
    /* Without a reporter the answer is the same. */
    assert_int_equal(ag_gradcheck(ctx, cut_square, NULL, &x, 1, 1e-6, 1e-5, NULL, NULL), 0);
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

/* The inputs' .grad after gradcheck is what it was before, set or not. */
static void test_gradcheck_restores_grads(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *xs[] = {VAR(ctx, SHAPE(2), 0.5, 1), VAR(ctx, SHAPE(2), 3, 0)};
    ag_var *preset = VAR(ctx, SHAPE(2), 100, 200);
    ag_set_grad(xs[0], preset);
    assert_int_equal(ag_gradcheck(ctx, sin_times_exp, NULL, xs, 2, 1e-6, 1e-5, NULL, NULL), 1);
    assert_ptr_equal(ag_grad(xs[0]), preset);
    assert_data(preset, 100, 200);
    assert_null(ag_grad(xs[1]));
    assert_data(xs[0], 0.5, 1);
    assert_data(xs[1], 3, 0);

    ag_set_grad_enabled(ctx, false);
    assert_int_equal(ag_gradcheck(ctx, sin_times_exp, NULL, xs, 2, 1e-6, 1e-5, NULL, NULL), 1);
    assert_false(ag_grad_enabled(ctx));
    assert_ptr_equal(ag_grad(xs[0]), preset);
    ag_ctx_free(ctx);
}

static void test_gradcheck_errors(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 2);
    ag_var *preset = ag_scalar(ctx, 9);
    ag_set_grad(x, preset);

    assert_int_equal(ag_gradcheck(ctx, returns_nothing, NULL, &x, 1, 1e-6, 1e-5, NULL, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "gradcheck: the function returned nothing");
    assert_ptr_equal(ag_grad(x), preset);
    assert_true(ag_grad_enabled(ctx));

    ag_clear_error(ctx);
    int calls_left = 2; /* backward's call and f(x+h) work, f(x-h) fails */
    assert_int_equal(ag_gradcheck(ctx, fails_later, &calls_left, &x, 1, 1e-6, 1e-5, NULL, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "fails_later: out of calls");
    assert_ptr_equal(ag_grad(x), preset);

    ag_var *missing = NULL;
    assert_int_equal(ag_gradcheck(ctx, square_fn, NULL, &missing, 1, 1e-6, 1e-5, NULL, NULL), -1);
    ag_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numdiff_goldens),
        cmocka_unit_test(test_numdiff_leaves_inputs_alone),
        cmocka_unit_test(test_numdiff_errors),
        cmocka_unit_test(test_numgrad),
        cmocka_unit_test(test_gradcheck_passes_correct_function),
        cmocka_unit_test(test_gradcheck_reports_mismatches),
        cmocka_unit_test(test_gradcheck_restores_grads),
        cmocka_unit_test(test_gradcheck_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
