/* test_optim.c — optimizers and hooks against upstream's values (its
 * optimizer and hook tests, and values from running it), the sgd momentum/weight_decay formula worked by
 * hand, skipping parameters without gradients, shared gradients, binding,
 * state inspection, retention under ag_gc, and the error messages. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ag_optim.h"
#include "internal.h"


/* A one-element parameter with a one-element gradient, as upstream's
 * p = New(1.0); p.Grad = New(1.0). */
static ag_var *scalar_param(double value, double grad) {
    ag_var *p = VAR(ctx, SHAPE(1), value);
    ag_set_grad(p, VAR(ctx, SHAPE(1), grad));
    return p;
}

static void update_one(ag_optim *opt, ag_var *p) {
    assert_int_equal(ag_optim_update(opt, &p, 1), 1);
}

static void assert_failed_with(const char *message) {
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), message);
    ag_clear_error(ctx);
}

/* ---- one parameter whose gradient is never cleared ----------------------------- */

static void test_sgd_g81(void **state) {
    ag_optim *opt = ag_sgd(ctx, 0.1, 0, 0);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_var_string(p, "variable(0.9)");
    ag_optim_free(opt);

    opt = ag_sgd(ctx, 0.1, 0, 0);
    assert_int_equal(ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1), 0);
    p = scalar_param(1, 1);
    update_one(opt, p);
    assert_var_string(p, "variable(0.89)");
    assert_int_equal(ag_optim_state_count(opt), 0); /* plain sgd keeps no state */
    ag_optim_free(opt);
}

static void test_momentum_g82(void **state) {
    ag_optim *opt = ag_momentum(ctx, 0.001, 0.9);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 0.999);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9971);
    ag_optim_free(opt);

    opt = ag_momentum(ctx, 0.001, 0.9);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9989);
    update_one(opt, p); /* the hook compounds: the gradient now holds 1.1 */
    assert_close(ag_item(p), 0.99671011);
    assert_close(ag_item(ag_grad(p)), 1.1 + 0.1 * 0.9989);
    ag_optim_free(opt);
}

static void test_adam_g83(void **state) {
    ag_optim *opt = ag_adam(ctx, 0.001, 0.9, 0.999, 1e-8, 0);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9990000003162277);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9980000005398904);
    ag_optim_free(opt);

    opt = ag_adam(ctx, 0.001, 0.9, 0.999, 1e-8, 0);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9990000002874797);
    update_one(opt, p);
    assert_close(ag_item(p), 0.997998680251141);
    ag_optim_free(opt);
}

static void test_adamw_g84(void **state) {
    ag_optim *opt = ag_adamw(ctx, 0.001, 0.9, 0.999, 1e-8, 0.1);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9989684091623926);
    update_one(opt, p);
    assert_close(ag_item(p), 0.9979449255202475);
    ag_optim_free(opt);
}

/* Adagrad, p = 1 with a gradient of 1 never cleared, worked by hand: s = 1,
 * p = 1 - 0.1*1/(sqrt(1) + 1e-10); then s = 2, p -= 0.1/(sqrt(2) + 1e-10).
 * With everything set: g = 1 + 0.1*p = 1.1, s = 1.21, p = 1 - 0.1*1.1/
 * (sqrt(0.5 + 1.21) + 1e-10); the second step's lr is 0.1/(1 + 0.5).  The
 * same numbers as torch.optim.Adagrad (python3-torch, float64). */
static void test_adagrad_by_hand(void **state) {
    ag_optim *opt = ag_optim_new_kind(ctx, AG_ADAGRAD);
    assert_int_equal(ag_optim_set(opt, "lr", 0.1), 0);
    assert_true(ag_optim_get(opt, "eps") == 1e-10); /* PyTorch's defaults */
    assert_true(ag_optim_get(opt, "initial_accumulator_value") == 0);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 1 - 0.1 / (1 + 1e-10));
    update_one(opt, p);
    assert_close(ag_item(p), 1 - 0.1 / (1 + 1e-10) - 0.1 / (sqrt(2) + 1e-10));
    assert_close(ag_item(p), 0.8292893218963453);
    ag_optim_free(opt);

    opt = ag_optim_new_kind(ctx, AG_ADAGRAD);
    assert_int_equal(ag_optim_set(opt, "lr", 0.1), 0);
    assert_int_equal(ag_optim_set(opt, "lr_decay", 0.5), 0);
    assert_int_equal(ag_optim_set(opt, "weight_decay", 0.1), 0);
    assert_int_equal(ag_optim_set(opt, "initial_accumulator_value", 0.5), 0);
    p = scalar_param(1, 1);
    update_one(opt, p);
    double p1 = 1 - 0.1 * 1.1 / (sqrt(0.5 + 1.21) + 1e-10), g2 = 1 + 0.1 * p1;
    assert_close(ag_item(p), p1);
    assert_close(ag_item(p), 0.9158808975872268);
    update_one(opt, p);
    assert_close(ag_item(p), p1 - 0.1 / 1.5 * g2 / (sqrt(0.5 + 1.21 + g2 * g2) + 1e-10));
    assert_close(ag_item(p), 0.8731589138351457);
    assert_close(ag_optim_state_array(opt, 0, "sum")[0], 1.21 + g2 * g2);
    ag_optim_free(opt);
}

/* RMSprop the same way: v = 0.01*1, p = 1 - 0.01*1/(sqrt(0.01) + 1e-8);
 * then v = 0.99*0.01 + 0.01.  With alpha 0.9, weight_decay 0.1 and
 * momentum 0.9: g = 1.1, v = 0.1*1.21, b = g/(sqrt(v) + 1e-8), p -= 0.01*b;
 * then b = 0.9*b + the new quotient.  torch.optim.RMSprop agrees. */
static void test_rmsprop_by_hand(void **state) {
    ag_optim *opt = ag_optim_new_kind(ctx, AG_RMSPROP);
    assert_true(ag_optim_get(opt, "lr") == 0.01); /* PyTorch's defaults */
    assert_true(ag_optim_get(opt, "alpha") == 0.99);
    assert_true(ag_optim_get(opt, "eps") == 1e-8);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    assert_close(ag_item(p), 1 - 0.01 / (0.1 + 1e-8));
    update_one(opt, p);
    assert_close(ag_item(p), 1 - 0.01 / (0.1 + 1e-8) - 0.01 / (sqrt(0.0199) + 1e-8));
    assert_close(ag_item(p), 0.8291118945242908);
    assert_null(ag_optim_state_array(opt, 0, "momentum_buffer")); /* momentum 0: no buffer */
    ag_optim_free(opt);

    opt = ag_optim_new_kind(ctx, AG_RMSPROP);
    assert_int_equal(ag_optim_set(opt, "alpha", 0.9), 0);
    assert_int_equal(ag_optim_set(opt, "weight_decay", 0.1), 0);
    assert_int_equal(ag_optim_set(opt, "momentum", 0.9), 0);
    p = scalar_param(1, 1);
    update_one(opt, p);
    double b1 = 1.1 / (sqrt(0.121) + 1e-8), p1 = 1 - 0.01 * b1, g2 = 1 + 0.1 * p1;
    double v2 = 0.9 * 0.121 + 0.1 * g2 * g2, b2 = 0.9 * b1 + g2 / (sqrt(v2) + 1e-8);
    assert_close(ag_item(p), p1);
    assert_close(ag_item(p), 0.9683772243074071);
    update_one(opt, p);
    assert_close(ag_item(p), p1 - 0.01 * b2);
    assert_close(ag_item(p), 0.9170064648926347);
    assert_close(ag_optim_state_array(opt, 0, "momentum_buffer")[0], b2);
    ag_optim_free(opt);
}

/* Adam's update of a long parameter (four elements at a time, src/optim.c
 * adam_avx2, then the rest) equals bit for bit the same update of each
 * element alone (the scalar loop): adam, adam with its L2 weight_decay,
 * adamw; three steps, gradients of several magnitudes and signs. */
static void test_adam_lanes_match_one_element(void **state) {
    enum { N = 11, STEPS = 3 };
    for (int kind = 0; kind < 3; kind++) {
        ag_optim *whole = kind == 2 ? ag_adamw(ctx, 0.01, 0.9, 0.999, 1e-8, 0.05)
                                    : ag_adam(ctx, 0.01, 0.9, 0.999, 1e-8, kind == 1 ? 0.05 : 0);
        ag_optim *alone[N];
        ag_var *p = ag_zeros(ctx, 1, (const int[]){N}), *q[N];
        double *pd = ag_data(p);
        for (int i = 0; i < N; i++) {
            pd[i] = 0.3 * i - 1.1;
            q[i] = scalar_param(pd[i], 0);
            alone[i] = kind == 2 ? ag_adamw(ctx, 0.01, 0.9, 0.999, 1e-8, 0.05)
                                 : ag_adam(ctx, 0.01, 0.9, 0.999, 1e-8, kind == 1 ? 0.05 : 0);
        }
        for (int step = 0; step < STEPS; step++) {
            ag_var *g = ag_zeros(ctx, 1, (const int[]){N});
            double *gd = ag_data(g);
            for (int i = 0; i < N; i++) {
                gd[i] = (i % 3 - 1) * pow(10.0, i % 5 - 2) + 0.01 * step;
                ag_set_grad(q[i], VAR(ctx, SHAPE(1), gd[i]));
                assert_int_equal(ag_optim_update(alone[i], &q[i], 1), 1);
            }
            ag_set_grad(p, g);
            assert_int_equal(ag_optim_update(whole, &p, 1), 1);
            for (int i = 0; i < N; i++) assert_memory_equal(&ag_cdata(p)[i], ag_cdata(q[i]), sizeof(double));
        }
        for (int i = 0; i < N; i++) ag_optim_free(alone[i]);
        ag_optim_free(whole);
    }
    (void)state;
}

/* A parameter without a gradient is neither changed nor given state. */
static void test_param_without_grad_g85(void **state) {
    ag_optim_kind kinds[] = {AG_SGD, AG_MOMENTUM, AG_ADAM, AG_ADAMW};
    for (int k = 0; k < 4; k++) {
        ag_optim_config config = ag_optim_defaults(kinds[k]);
        ag_optim *opt = ag_optim_new(ctx, &config);
        ag_var *p = VAR(ctx, SHAPE(1), 1.0);
        assert_int_equal(ag_optim_update(opt, &p, 1), 0);
        assert_var_string(p, "variable(1)");
        assert_int_equal(ag_optim_state_count(opt), 0);
        ag_optim_free(opt);
    }
}

/* clip_grad on one parameter, and upstream's two-parameter case. */
static void test_clip_grad_g86(void **state) {
    ag_var *p = VAR(ctx, SHAPE(4), 0, 0, 0, 0);
    ag_set_grad(p, VAR(ctx, SHAPE(4), 1, 2, 3, 4));
    assert_int_equal(ag_hook_clip_grad(ctx, &p, 1, 1.0), 0);
    assert_var_string(ag_grad(p), "variable[4]([0.18257415250172812 0.36514830500345624 "
                                  "0.5477224575051843 0.7302966100069125])");

    ag_set_grad(p, VAR(ctx, SHAPE(4), 0.1, 0.2, 0.3, 0.4));
    assert_int_equal(ag_hook_clip_grad(ctx, &p, 1, 1.0), 0);
    assert_var_string(ag_grad(p), "variable[4]([0.1 0.2 0.3 0.4])");

    ag_var *two[] = {scalar_param(0, 3), scalar_param(0, 4)};
    assert_int_equal(ag_hook_clip_grad(ctx, two, 2, 1.0), 0);
    assert_close(ag_item(ag_grad(two[0])), 0.599999880000024);
    assert_close(ag_item(ag_grad(two[1])), 0.799999840000032);
}

static void test_weight_decay_g87(void **state) {
    ag_var *p = scalar_param(1, 1);
    assert_int_equal(ag_hook_weight_decay(ctx, &p, 1, 0.1), 0);
    assert_var_string(ag_grad(p), "variable(1.1)");
    ag_var *no_grad = VAR(ctx, SHAPE(1), 1.0); /* skipped, not an error */
    assert_int_equal(ag_hook_weight_decay(ctx, &no_grad, 1, 0.1), 0);
    assert_null(ag_grad(no_grad));
}

static ag_var *square_fn(void *user, ag_ctx *c, ag_var *const *xs, int n) {
    return ag_square(c, xs[0]);
}

static void test_numdiff_g88(void **state) {
    ag_var *x = VAR(ctx, SHAPE(1), 2.0);
    ag_var *d = ag_numdiff(ctx, square_fn, NULL, &x, 1, 0);
    assert_close(ag_item(d), 4.000000000004);
}

/* ---- upstream's test: p = [1, 2] with gradients [1 -1], [0.5 2], [-3 0] ------------------- */

static const double grads[3][2] = {{1, -1}, {0.5, 2}, {-3, 0}};

/* Runs three updates with fresh gradients and checks p after each. */
static void run_three(ag_optim *opt, const double expected[3][2]) {
    ag_var *p = VAR(ctx, SHAPE(2), 1, 2);
    for (int step = 0; step < 3; step++) {
        ag_set_grad(p, VAR(ctx, SHAPE(2), grads[step][0], grads[step][1]));
        update_one(opt, p);
        assert_data(p, expected[step][0], expected[step][1]);
    }
    assert_int_equal(ag_optim_step_count(opt), 3);
    ag_optim_free(opt);
}

static void test_reference_three_steps(void **state) {
    run_three(ag_adam(ctx, 0.1, 0.9, 0.999, 1e-8, 0),
              (const double[3][2]){{0.9000000316227666, 2.0999999683772335},
                                   {0.8067820941181935, 2.063389620851652},
                                   {0.8415044413844585, 2.0350897161081782}});
    run_three(ag_adamw(ctx, 0.1, 0.9, 0.999, 1e-8, 0.01),
              (const double[3][2]){{0.8997154266233516, 2.0993358900785983},
                                   {0.8063077067706541, 2.0622401487330935},
                                   {0.840860157053239, 2.0335293665057765}});
    run_three(ag_momentum(ctx, 0.1, 0.9),
              (const double[3][2]){{0.9, 2.1}, {0.76, 1.99}, {0.934, 1.891}});
    run_three(ag_sgd(ctx, 0.1, 0, 0),
              (const double[3][2]){{0.9, 2.1}, {0.85, 1.9000000000000001}, {1.15, 1.9000000000000001}});
}

/* The same runs with hooks; expected values from the formulas in ag_optim.h
 * evaluated step by step in double precision. */
static void test_three_steps_with_hooks(void **state) {
    ag_optim *opt = ag_sgd(ctx, 0.1, 0, 0);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    /* step 1: g = [1 + 0.1*1, -1 + 0.1*2] = [1.1, -0.8]; p = [0.89, 2.08] */
    run_three(opt, (const double[3][2]){{0.89, 2.08}, {0.8311, 1.8592}, {1.122789, 1.840608}});

    opt = ag_momentum(ctx, 0.1, 0.9);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    run_three(opt, (const double[3][2]){{0.89, 2.08}, {0.7321, 1.9312}, {0.882669, 1.777968}});

    opt = ag_adam(ctx, 0.1, 0.9, 0.999, 1e-8, 0);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    const double adam_l2[3][2] = {{0.9000000287479705, 2.099999960471545},
                                  {0.8057718474776749, 2.052822626058288},
                                  {0.8359035425204725, 2.0109314597369026}};
    run_three(opt, adam_l2);
    /* adam's own weight_decay is the same L2 term, without touching p.grad */
    run_three(ag_adam(ctx, 0.1, 0.9, 0.999, 1e-8, 0.1), adam_l2);

    opt = ag_adamw(ctx, 0.1, 0.9, 0.999, 1e-8, 0.01);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    ag_optim_add_hook(opt, AG_HOOK_CLIP_GRAD, 1.0);
    run_three(opt, (const double[3][2]){{0.8997154340997119, 2.099335867943823},
                                        {0.8130683345950799, 2.070107948668596},
                                        {0.8182837570564913, 2.0435314718797946}});

    opt = ag_sgd(ctx, 0.1, 0, 0);
    ag_optim_add_hook(opt, AG_HOOK_CLIP_GRAD, 1.0);
    run_three(opt, (const double[3][2]){{0.9292893718813099, 2.07071062811869},
                                        {0.9050358211423768, 1.9736964251629576},
                                        {1.0050357878090546, 1.9736964251629576}});
}

/* SPEC: u = m*u + (1-m)*g; p = p*(1 - lr*wd) - lr*u, with lr 0.1, m 0.9,
 * wd 0.01, by hand:
 *   step 1: u = 0.1*[1, -1] = [0.1, -0.1]
 *           p = [1, 2]*0.999 - 0.1*u = [0.989, 2.008]
 *   step 2: u = 0.9*[0.1, -0.1] + 0.1*[0.5, 2] = [0.14, 0.11]
 *           p = [0.989, 2.008]*0.999 - [0.014, 0.011] = [0.974011, 1.994992]
 *   step 3: u = 0.9*[0.14, 0.11] + 0.1*[-3, 0] = [-0.174, 0.099]
 *           p = [0.974011, 1.994992]*0.999 + [0.0174, -0.0099]
 *             = [0.990436989, 1.983097008] */
static void test_sgd_momentum_weight_decay_by_hand(void **state) {
    ag_optim *opt = ag_sgd(ctx, 0.1, 0.9, 0.01);
    ag_var *p = VAR(ctx, SHAPE(2), 1, 2);
    const double expected_p[3][2] = {{0.989, 2.008}, {0.974011, 1.994992},
                                     {0.990436989, 1.983097008}};
    const double expected_u[3][2] = {{0.1, -0.1}, {0.14, 0.11}, {-0.174, 0.099}};
    for (int step = 0; step < 3; step++) {
        ag_set_grad(p, VAR(ctx, SHAPE(2), grads[step][0], grads[step][1]));
        update_one(opt, p);
        for (int k = 0; k < 2; k++) assert_close_tol(ag_data(p)[k], expected_p[step][k], 1e-14, 0);
        ag_optim_state st;
        assert_int_equal(ag_optim_state_at(opt, 0, &st), 0);
        assert_ptr_equal(st.param, p);
        assert_null(st.m);
        for (int k = 0; k < 2; k++) assert_close_tol(st.velocity[k], expected_u[step][k], 1e-14, 1e-17);
    }
    assert_int_equal(ag_optim_state_count(opt), 1);
    ag_optim_free(opt);
}

/* Upstream's test: {a: 1 with grad 1, b: 5 without}, lr 0.5; and no state for b. */
static void test_sgd_skips_param_without_grad(void **state) {
    ag_var *a = scalar_param(1, 1), *b = VAR(ctx, SHAPE(1), 5.0);
    ag_optim *opt = ag_sgd(ctx, 0.5, 0, 0);
    assert_int_equal(ag_optim_update(opt, (ag_var *[]){a, b}, 2), 1);
    assert_var_string(a, "variable(0.5)");
    assert_var_string(b, "variable(5)");
    ag_optim_free(opt);

    opt = ag_sgd(ctx, 0.5, 0.5, 0); /* with momentum sgd keeps state, for a only */
    ag_set_name(a, "a");
    assert_int_equal(ag_optim_update(opt, (ag_var *[]){b, a, a}, 3), 1); /* a twice: once */
    assert_close(ag_item(a), 0.5 - 0.5 * 0.5);
    assert_int_equal(ag_optim_state_count(opt), 1);
    ag_optim_state st;
    assert_int_equal(ag_optim_state_at(opt, 0, &st), 0);
    assert_ptr_equal(st.param, a);
    assert_string_equal(st.name, "a");
    assert_int_equal(ag_optim_state_at(opt, 1, &st), -1);
    ag_optim_free(opt);
}

/* Adam's t counts update calls, even those that change nothing (upstream). */
static void test_adam_counts_every_update(void **state) {
    ag_optim *opt = ag_adam(ctx, 0.1, 0.9, 0.999, 1e-8, 0);
    ag_var *p = VAR(ctx, SHAPE(1), 1.0);
    assert_int_equal(ag_optim_update(opt, &p, 1), 0);
    assert_int_equal(ag_optim_update(opt, NULL, 0), 0);
    assert_int_equal(ag_optim_step_count(opt), 2);
    ag_set_grad(p, VAR(ctx, SHAPE(1), 1.0));
    update_one(opt, p); /* t = 3: lr_t = 0.1*sqrt(1-0.999^3)/(1-0.9^3) */
    double lr_t = 0.1 * sqrt(1 - pow(0.999, 3)) / (1 - pow(0.9, 3));
    double m = 0.1, v = 0.001;
    assert_close(ag_item(p), 1 - lr_t * m / (sqrt(v) + 1e-8));
    ag_optim_state st;
    ag_optim_state_at(opt, 0, &st);
    assert_close(st.m[0], m);
    assert_close(st.v[0], v);
    assert_null(st.velocity);
    ag_optim_free(opt);
}

/* x + y hands both inputs the same gradient variable; a hook must change
 * each parameter's gradient once, by its own value. */
static void test_hooks_on_shared_gradient(void **state) {
    ag_var *x = VAR(ctx, SHAPE(1), 2.0), *y = VAR(ctx, SHAPE(1), 3.0);
    assert_int_equal(ag_backward(ctx, ag_add(ctx, x, y), NULL), 0);
    assert_ptr_equal(ag_grad(x), ag_grad(y)); /* the engine shares it, as upstream */
    ag_optim *opt = ag_sgd(ctx, 1.0, 0, 0);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.5);
    assert_int_equal(ag_optim_update(opt, (ag_var *[]){x, y}, 2), 2);
    assert_close(ag_item(ag_grad(x)), 1 + 0.5 * 2);
    assert_close(ag_item(ag_grad(y)), 1 + 0.5 * 3);
    assert_close(ag_item(x), 2 - 2.0);
    assert_close(ag_item(y), 3 - 2.5);
    ag_optim_free(opt);
}

/* ---- binding, models and state names ----------------------------------------- */

static void test_bind_step_zero_grad(void **state) {
    ag_var *x0 = scalar_param(1, 1), *x1 = scalar_param(2, -1);
    ag_optim *opt = ag_sgd(ctx, 0.1, 0, 0);
    assert_false(ag_optim_is_bound(opt));
    assert_int_equal(ag_optim_step(opt), -1);
    assert_failed_with("sgd: no parameters are bound");

    assert_int_equal(ag_optim_bind(opt, (ag_var *[]){x0, x1}, 2), 0);
    assert_true(ag_optim_is_bound(opt));
    assert_true(ag_var_flags(x0) & AG_VAR_PARAM);
    assert_int_equal(ag_optim_step(opt), 2);
    assert_close(ag_item(x0), 0.9);
    assert_close(ag_item(x1), 2.1);
    ag_optim_cleargrad(opt);
    assert_null(ag_grad(x0));
    assert_null(ag_grad(x1));
    assert_int_equal(ag_optim_step(opt), 0); /* nothing has a gradient now */

    /* bound variables are roots: gc keeps them though nobody else retains them */
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 2);
    assert_int_equal(ag_optim_bind(opt, NULL, 0), 0);
    assert_false(ag_optim_is_bound(opt));
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
    ag_optim_free(opt);
}

static void test_update_model_names_state(void **state) {
    ag_model *m = ag_mlp(ctx, (const int[]){3, 1}, 2, AG_ACT_SIGMOID, 7);
    ag_var *x = VAR(ctx, SHAPE(2, 1), 0.5, 1.0);
    ag_var *y = ag_sum(ctx, ag_model_forward(m, x), NULL, 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);

    ag_optim *opt = ag_adam(ctx, 0.01, 0.9, 0.999, 1e-8, 0);
    assert_int_equal(ag_optim_bind_model(opt, m), 0);
    ag_model_unref(m); /* the optimizer still owns a reference */
    ag_var *w0 = ag_model_param_by_name(m, "linear[0].w");
    double before = ag_data(w0)[0];
    assert_int_equal(ag_optim_step(opt), 4);
    assert_true(ag_data(w0)[0] != before);
    const char *names[] = {"linear[0].b", "linear[0].w", "linear[1].b", "linear[1].w"};
    assert_int_equal(ag_optim_state_count(opt), 4);
    for (int i = 0; i < 4; i++) {
        ag_optim_state st;
        assert_int_equal(ag_optim_state_at(opt, i, &st), 0);
        assert_string_equal(st.name, names[i]);
        assert_int_equal(st.size, ag_size(st.param));
        assert_non_null(st.m);
        assert_non_null(st.v);
    }
    char buf[256];
    assert_string_equal(ag_optim_describe(opt, buf, sizeof buf),
                        "adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0) t=1, "
                        "state for 4 parameters, bound to mlp [3 1] sigmoid, 4 parameters (10 values)");
    ag_optim_cleargrad(opt);
    assert_null(ag_grad(w0));
    ag_optim_free(opt); /* frees the model too (ASan checks both) */
}

/* State keys are roots: a parameter nobody else retains survives ag_gc
 * while the optimizer keeps state for it, and goes with the optimizer. */
static void test_state_keys_are_retained(void **state) {
    ag_optim *opt = ag_momentum(ctx, 0.1, 0.9);
    ag_var *p = scalar_param(1, 1);
    update_one(opt, p);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 2); /* p and its gradient */
    update_one(opt, p);
    assert_close(ag_item(p), 0.9 + (0.9 * -0.1 - 0.1));
    ag_optim_free(opt);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

static void test_describe(void **state) {
    char buf[256];
    ag_optim_config config = ag_optim_defaults(AG_SGD);
    ag_optim *opt = ag_optim_new(ctx, &config);
    assert_string_equal(ag_optim_describe(opt, buf, sizeof buf),
                        "sgd(lr=0.01, momentum=0, weight_decay=0) t=0");
    ag_optim_free(opt);
    config = ag_optim_defaults(AG_MOMENTUM);
    opt = ag_optim_new(ctx, &config);
    assert_string_equal(ag_optim_describe(opt, buf, sizeof buf),
                        "momentum(lr=0.01, momentum=0.9) t=0, state for 0 parameters");
    ag_optim_free(opt);
    config = ag_optim_defaults(AG_ADAMW);
    opt = ag_optim_new(ctx, &config);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    ag_optim_add_hook(opt, AG_HOOK_CLIP_GRAD, 1);
    ag_var *p = scalar_param(1, 1);
    ag_optim_bind(opt, &p, 1);
    ag_optim_step(opt);
    assert_string_equal(ag_optim_describe(opt, buf, sizeof buf),
                        "adamw(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01, "
                        "hooks=[weight_decay(0.1), clip_grad(1)]) t=1, state for 1 parameter, "
                        "bound to 1 parameter");
    assert_int_equal(ag_optim_hook_count(opt), 2);
    double value = 0;
    assert_int_equal(ag_optim_hook(opt, 1, &value), AG_HOOK_CLIP_GRAD);
    assert_close(value, 1.0);
    assert_int_equal(ag_optim_hook(opt, 2, &value), -1);
    ag_optim_free(opt);
}

static void test_config_accessors(void **state) {
    ag_optim *opt = ag_adam(ctx, 0.01, 0.8, 0.99, 1e-6, 0.5);
    ag_optim_config c = ag_optim_get_config(opt);
    assert_int_equal(c.kind, AG_ADAM);
    assert_close(c.lr, 0.01);
    assert_close(c.beta1, 0.8);
    assert_close(c.beta2, 0.99);
    assert_close(c.eps, 1e-6);
    assert_close(c.weight_decay, 0.5);
    assert_ptr_equal(ag_optim_ctx(opt), ctx);
    assert_int_equal(ag_optim_set_lr(opt, 0.5), 0);
    assert_close(ag_optim_get_config(opt).lr, 0.5);
    assert_int_equal(ag_optim_set_lr(opt, -1), -1);
    assert_failed_with("adam: lr must be a finite number >= 0 (got -1)");
    assert_close(ag_optim_get_config(opt).lr, 0.5);
    assert_string_equal(ag_optim_kind_name(AG_MOMENTUM), "momentum");
    assert_string_equal(ag_hook_kind_name(AG_HOOK_CLIP_GRAD), "clip_grad");
    /* every kind has its row: a summary (what :help shows) and a step */
    for (int k = 0; k < AG_OPTIM_KIND_COUNT; k++) {
        const char *summary = ag_optim_kind_summary((ag_optim_kind)k);
        if (summary == NULL || summary[0] == '\0') fail_msg("%s has no summary", ag_optim_kind_name((ag_optim_kind)k));
    }
    assert_string_equal(ag_optim_kind_summary(AG_MOMENTUM), "heavy-ball momentum: v = momentum*v - lr*g, p = p + v");
    assert_null(ag_optim_kind_summary(AG_OPTIM_KIND_COUNT));
    assert_null(ag_optim_kind_summary((ag_optim_kind)-1));
    ag_optim_free(opt);
}

/* ---- errors --------------------------------------------------------------------- */

static void test_bad_hyper_parameters(void **state) {
    assert_null(ag_sgd(ctx, -0.1, 0, 0));
    assert_failed_with("sgd: lr must be a finite number >= 0 (got -0.1)");
    assert_null(ag_sgd(ctx, NAN, 0, 0));
    assert_failed_with("sgd: lr must be a finite number >= 0 (got NaN)");
    assert_null(ag_sgd(ctx, 0.1, 1, 0));
    assert_failed_with("sgd: momentum must be in [0, 1) (got 1)");
    assert_null(ag_sgd(ctx, 0.1, 0, -1));
    assert_failed_with("sgd: weight_decay must be a finite number >= 0 (got -1)");
    assert_null(ag_momentum(ctx, 0.1, -0.5));
    assert_failed_with("momentum: momentum must be in [0, 1) (got -0.5)");
    assert_null(ag_adam(ctx, 0.1, 1, 0.999, 1e-8, 0));
    assert_failed_with("adam: beta1 must be in [0, 1) (got 1)");
    assert_null(ag_adam(ctx, 0.1, 0.9, 1.5, 1e-8, 0));
    assert_failed_with("adam: beta2 must be in [0, 1) (got 1.5)");
    assert_null(ag_adam(ctx, 0.1, 0.9, 0.999, -1e-8, 0));
    assert_failed_with("adam: eps must be a finite number > 0 (got -1e-08); start from "
                       "AG_OPTIM_INIT(kind) or ag_optim_defaults(kind)");
    assert_null(ag_adamw(ctx, 0.1, 0.9, 0.999, 1e-8, INFINITY));
    assert_failed_with("adamw: weight_decay must be a finite number >= 0 (got +Inf)");
    ag_optim_config config = ag_optim_defaults(AG_SGD);
    config.kind = (ag_optim_kind)9;
    assert_null(ag_optim_new(ctx, &config));
    assert_failed_with("optimizer: unknown kind 9");

    ag_optim *opt = ag_sgd(ctx, 0.1, 0, 0);
    assert_int_equal(ag_optim_add_hook(opt, AG_HOOK_CLIP_GRAD, -1), -1);
    assert_failed_with("clip_grad: max_norm must be a finite number >= 0 (got -1)");
    assert_int_equal(ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, NAN), -1);
    assert_failed_with("weight_decay: lambda must be a finite number >= 0 (got NaN)");
    assert_int_equal(ag_optim_hook_count(opt), 0);
    ag_optim_free(opt);
}

/* A bad parameter list fails before anything changes: no hook runs, no
 * parameter moves, t stays. */
static void test_bad_update_changes_nothing(void **state) {
    ag_optim *opt = ag_adam(ctx, 0.1, 0.9, 0.999, 1e-8, 0);
    ag_optim_add_hook(opt, AG_HOOK_WEIGHT_DECAY, 0.1);
    ag_var *good = scalar_param(1, 1);
    ag_var *bad = VAR(ctx, SHAPE(2), 1, 2);
    ag_set_name(bad, "w");
    /* ag_set_grad refuses the wrong shape; the optimizer checks anyway */
    assert_int_equal(ag_set_grad(bad, VAR(ctx, SHAPE(3), 1, 1, 1)), -1);
    assert_failed_with("set_grad: the gradient's shape [3] is not the variable's [2]");
    bad->grad = VAR(ctx, SHAPE(3), 1, 1, 1);
    assert_int_equal(ag_optim_update(opt, (ag_var *[]){good, bad}, 2), -1);
    assert_failed_with("adam: the gradient of parameter 2 (w) has 3 elements but the parameter has 2");
    assert_var_string(good, "variable(1)");
    assert_var_string(ag_grad(good), "variable(1)");
    assert_int_equal(ag_optim_step_count(opt), 0);
    assert_int_equal(ag_optim_state_count(opt), 0);

    assert_int_equal(ag_optim_update(opt, (ag_var *[]){good, NULL}, 2), -1);
    assert_failed_with("adam: parameter 2 is NULL");

    ag_ctx *other = ag_ctx_new();
    ag_var *foreign = ag_scalar(other, 1.0);
    assert_int_equal(ag_optim_update(opt, &foreign, 1), -1);
    assert_failed_with("adam: parameter 1 belongs to another context");
    assert_int_equal(ag_optim_bind(opt, &foreign, 1), -1);
    assert_failed_with("adam: parameter 1 belongs to another context");
    assert_int_equal(ag_optim_bind(opt, (ag_var *[]){good, NULL}, 2), -1);
    assert_failed_with("adam: parameter 2 is NULL");
    ag_ctx_free(other);

    assert_int_equal(ag_hook_clip_grad(ctx, &bad, 1, 1.0), -1);
    assert_failed_with("clip_grad: the gradient of parameter 1 has 3 elements but the parameter has 2");
    ag_optim_free(opt);
}

/* Settings by name: every kind is made from its row's defaults, set and
 * read by name, with the row's ranges; the C initializer and the config
 * struct of the kinds of 1.0 agree with the row. */
static void test_settings_by_name(void **state) {
    const ag_optim_config inits[] = {AG_OPTIM_INIT(AG_SGD), AG_OPTIM_INIT(AG_MOMENTUM),
                                     AG_OPTIM_INIT(AG_ADAM), AG_OPTIM_INIT(AG_ADAMW)};
    for (int k = 0; k < AG_OPTIM_KIND_COUNT; k++) {
        ag_optim *opt = ag_optim_new_kind(ctx, (ag_optim_kind)k);
        assert_non_null(opt);
        double fallback;
        const char *name;
        int i = 0;
        for (; (name = ag_optim_param((ag_optim_kind)k, i, &fallback)) != NULL; i++) {
            assert_true(ag_optim_get(opt, name) == fallback);
            assert_non_null(ag_optim_param_range((ag_optim_kind)k, i));
            if (k < 4) { /* the config struct and AG_OPTIM_INIT hold the same default */
                ag_optim_config init = inits[k];
                const double *member = ag_optim_config_field(&init, name);
                assert_non_null(member);
                assert_true(*member == fallback);
            }
        }
        assert_true(i >= 1);
        assert_string_equal(ag_optim_param((ag_optim_kind)k, 0, NULL), "lr");
        assert_null(ag_optim_param_range((ag_optim_kind)k, i));
        assert_true(isnan(ag_optim_get(opt, "rho")));
        assert_int_equal(ag_optim_set(opt, "lr", 0.5), 0);
        assert_true(ag_optim_get(opt, "lr") == 0.5);
        assert_true(ag_optim_get_config(opt).lr == 0.5);
        ag_optim_free(opt);
    }
    ag_optim *adam = ag_optim_new_kind(ctx, AG_ADAM);
    assert_int_equal(ag_optim_set(adam, "beta1", 1), -1);
    assert_string_equal(ag_errmsg(ctx), "adam: beta1 must be in [0, 1) (got 1)");
    ag_clear_error(ctx);
    assert_int_equal(ag_optim_set(adam, "eps", 0), -1);
    assert_string_equal(ag_errmsg(ctx), "adam: eps must be a finite number > 0 (got 0)");
    ag_clear_error(ctx);
    assert_int_equal(ag_optim_set(adam, "momentum", 0.9), -1);
    assert_string_equal(ag_errmsg(ctx),
                        "adam: no hyper-parameter 'momentum' (it has lr, beta1, beta2, eps, weight_decay)");
    ag_clear_error(ctx);
    assert_string_equal(ag_optim_param_range(AG_ADAM, 3), "(0, inf)");
    assert_string_equal(ag_optim_param_range(AG_ADAM, 1), "[0, 1)");
    assert_string_equal(ag_optim_param_range(AG_ADAM, 0), "[0, inf)");
    /* state by name: one update makes m and v */
    assert_int_equal(ag_optim_set(adam, "lr", 0.1), 0);
    ag_var *p = ag_scalar(ctx, 1);
    assert_int_equal(ag_set_grad(p, ag_scalar(ctx, 2)), 0);
    assert_int_equal(ag_optim_update(adam, &p, 1), 1);
    const double *m = ag_optim_state_array(adam, 0, "m"), *v = ag_optim_state_array(adam, 0, "v");
    assert_non_null(m);
    assert_non_null(v);
    assert_close(m[0], 0.1 * 2);          /* (1 - beta1) * g */
    assert_close(v[0], (1 - 0.999) * 4); /* (1 - beta2) * g^2 */
    assert_close_tol(ag_item(p), 1 - 0.1, 1e-7, 0); /* lr_t * m / (sqrt(v) + eps): lr at t = 1, eps aside */
    assert_null(ag_optim_state_array(adam, 0, "velocity"));
    assert_null(ag_optim_state_array(adam, 1, "m"));
    ag_optim_state st;
    assert_int_equal(ag_optim_state_at(adam, 0, &st), 0);
    assert_ptr_equal(st.m, m);
    ag_optim_free(adam);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) CTX_TEST(name)
        T(test_sgd_g81),
        T(test_settings_by_name),
        T(test_momentum_g82),
        T(test_adam_g83),
        T(test_adamw_g84),
        T(test_adagrad_by_hand),
        T(test_rmsprop_by_hand),
        T(test_adam_lanes_match_one_element),
        T(test_param_without_grad_g85),
        T(test_clip_grad_g86),
        T(test_weight_decay_g87),
        T(test_numdiff_g88),
        T(test_reference_three_steps),
        T(test_three_steps_with_hooks),
        T(test_sgd_momentum_weight_decay_by_hand),
        T(test_sgd_skips_param_without_grad),
        T(test_adam_counts_every_update),
        T(test_hooks_on_shared_gradient),
        T(test_bind_step_zero_grad),
        T(test_update_model_names_state),
        T(test_state_keys_are_retained),
        T(test_describe),
        T(test_config_accessors),
        T(test_bad_hyper_parameters),
        T(test_bad_update_changes_nothing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
