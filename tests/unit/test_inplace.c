/* test_inplace.c — in-place changes and backward: each
 * ag_data_mut (ag_data) call is a change that adds 1 to the variable's version, and a
 * backward that needs a value changed after its function used it stops with
 * an error naming the variable and the op (PyTorch's rule), leaving every
 * gradient as it was; ops whose backward needs no value, updates after
 * backward and optimizer steps keep working. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static ag_var *named(ag_var *v, const char *name) {
    ag_set_name(v, name);
    return v;
}

static void test_versions_count_changes(void **state) {
    (void)state;
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    assert_int_equal(ag_var_version(x), 0);
    ag_data(x)[0] -= 1;
    ag_data(x)[0] -= 1;
    assert_int_equal(ag_var_version(x), 2);
    assert_int_equal(ag_var_version(ag_zeros(ctx, 1, (int[]){3})), 0);
    assert_int_equal(ag_var_version(ag_randn(ctx, 1, (int[]){3}, NULL)), 0);
    assert_int_equal(ag_var_version(NULL), 0);
}

/* Reading is free and says so: ag_cdata changes nothing, ag_data_mut (and
 * ag_data, its old name) counts as a change even when nothing is written. */
static void test_reading_is_not_a_change(void **state) {
    (void)state;
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    ag_var *y = ag_mul(ctx, x, x);
    assert_true(ag_cdata(x)[0] == 3.0);
    assert_int_equal(ag_var_version(x), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0); /* the read did not stop it */
    assert_true(ag_cdata(ag_grad(x))[0] == 6.0);
    double *mutable_data = ag_data_mut(x);
    assert_true(mutable_data == ag_cdata(x));
    assert_int_equal(ag_var_version(x), 1);
    (void)ag_data(x);
    assert_int_equal(ag_var_version(x), 2);
    assert_null(ag_data_mut(NULL));
}

/* The reproducer of row 2: y = x*x; x -= 1; y.backward() gave 4 (the
 * gradient at the new x); now an error, and x.grad stays empty. */
static void test_changed_input_stops_backward(void **state) {
    (void)state;
    ag_var *(*ops[])(ag_ctx *, ag_var *) = {ag_sin, ag_exp, ag_tanh, ag_sqrt};
    const char *names[] = {"Sin", "Exp", "Tanh", "Sqrt"};
    for (int k = 0; k < 4; k++) {
        ag_var *x = named(ag_scalar(ctx, 3.0), "x");
        ag_var *y = ops[k](ctx, x);
        ag_data(x)[0] -= 1;
        assert_int_equal(ag_backward(ctx, y, NULL), -1);
        char want[128];
        snprintf(want, sizeof want, "backward: x was changed in place (version 1) after %s used its value",
                 names[k]);
        if (strstr(ag_errmsg(ctx), want) == NULL) fail_msg("%s: %s", names[k], ag_errmsg(ctx));
        assert_null(ag_grad(x));
        ag_clear_error(ctx);
    }
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    ag_var *y = ag_mul(ctx, x, x);
    ag_data(x)[0] -= 1;
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_non_null(strstr(ag_errmsg(ctx), "x was changed in place (version 1) after Mul"));
    ag_clear_error(ctx);
}

/* A changed output (exp's backward reads its result) and a change deep in
 * the graph; the gradients an earlier backward left stay as they were. */
static void test_changed_output_and_rollback(void **state) {
    (void)state;
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    ag_var *w = named(VAR(ctx, SHAPE(2), 1.0, 2.0), "w");
    ag_var *h = ag_exp(ctx, ag_mul(ctx, w, x)); /* unnamed: described by its shape */
    ag_var *loss = ag_sum(ctx, ag_add(ctx, h, x), NULL, 0);
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    double gx = ag_item(ag_grad(x)); /* sum(w*exp(w*x)) + 2 */
    assert_close(gx, 1.0 * exp(0.5) + 2.0 * exp(1.0) + 2.0);
    ag_data(h)[1] = 0;
    assert_int_equal(ag_backward(ctx, loss, NULL), -1);
    assert_non_null(strstr(ag_errmsg(ctx), "a variable of shape [2] was changed in place (version 1) after Exp"));
    assert_close(ag_item(ag_grad(x)), gx); /* not a half-summed gradient */
    ag_clear_error(ctx);
}

/* Add, Sum and the shape ops need no values: a change is not an error. */
static void test_value_free_ops_go_on(void **state) {
    (void)state;
    ag_var *x = named(VAR(ctx, SHAPE(2), 1.0, 2.0), "x");
    ag_var *y = ag_sum(ctx, ag_reshape(ctx, ag_add(ctx, x, ag_scalar(ctx, 1.0)), 2, (int[]){2, 1}),
                       NULL, 0);
    ag_data(x)[0] = 10;
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_data(ag_grad(x), 1.0, 1.0);
}

/* x * c and x / c with c a constant read c only (PyTorch saves no more),
 * so changing x after them is no error and the gradient is c's; c / x and
 * x * w with w a variable read x, and still stop. */
static void test_constant_factor_reads_no_input(void **state) {
    (void)state;
    ag_var *c = ag_scalar(ctx, 4.0);
    ag_var_set_flags(c, ag_var_flags(c) | AG_VAR_CONST);
    ag_var *x = named(ag_scalar(ctx, 2.0), "x");
    ag_var *y = ag_add(ctx, ag_mul(ctx, x, c), ag_div(ctx, x, c));
    ag_data(x)[0] -= 1;
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_true(ag_item(ag_grad(x)) == 4.0 + 0.25);
    ag_var *w = named(ag_scalar(ctx, 5.0), "w");
    ag_var *(*ops[])(ag_ctx *, ag_var *, ag_var *) = {ag_mul, ag_div};
    for (int k = 0; k < 2; k++) {
        ag_var *z = named(ag_scalar(ctx, 2.0), "z");
        ag_var *v = k == 0 ? ops[k](ctx, z, w) : ops[k](ctx, c, z);
        ag_data(z)[0] -= 1;
        assert_int_equal(ag_backward(ctx, v, NULL), -1);
        assert_non_null(strstr(ag_errmsg(ctx), k == 0 ? "z was changed in place (version 1) after Mul"
                                                       : "z was changed in place (version 1) after Div"));
        ag_clear_error(ctx);
    }
    ag_var *d = ag_div(ctx, x, c); /* a changed divisor is read */
    ag_data(c)[0] = 8.0;
    assert_int_equal(ag_backward(ctx, d, NULL), -1);
    ag_clear_error(ctx);
}

/* The documented idiom: backward, then update (by hand or an optimizer),
 * then a new graph: every step's gradient is at the current value. */
static void test_update_after_backward(void **state) {
    (void)state;
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    ag_retain(x);
    ag_optim *opt = ag_sgd(ctx, 0.1, 0.0, 0.0);
    assert_non_null(opt);
    for (int i = 0; i < 5; i++) {
        ag_cleargrad(x);
        double before = ag_item(x);
        ag_var *y = ag_mul(ctx, x, x);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        assert_close(ag_item(ag_grad(x)), 2 * before);
        if (i % 2 == 0)
            assert_int_equal(ag_optim_update(opt, &x, 1), 1);
        else
            ag_data(x)[0] -= 0.1 * ag_item(ag_grad(x));
        assert_close(ag_item(x), 0.8 * before);
    }
    assert_int_equal(ag_var_version(x), 5);
    ag_optim_free(opt);
    ag_release(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_versions_count_changes),
        CTX_TEST(test_reading_is_not_a_change),
        CTX_TEST(test_changed_input_stops_backward),
        CTX_TEST(test_changed_output_and_rollback),
        CTX_TEST(test_value_free_ops_go_on),
        CTX_TEST(test_constant_factor_reads_no_input),
        CTX_TEST(test_update_after_backward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
