/* test_engine.c — the core: backward order and accumulation, higher-order
 * gradients, nograd/testmode scopes, unchain, the functional grad, memory
 * (collector, create_graph cycles, a 1e6-op chain), error propagation and
 * the step hook (interrupts are in test_interrupt.c).
 * Expected values are upstream's (its tests: book examples, higher-order derivatives, engine behaviour; and values from running it). */
#include "testutil.h"

#include "internal.h" /* ctx->plain_backward */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static ag_var *S(double v) { return ag_scalar(ctx, v); }
static const ag_backward_opts CG = {.create_graph = true};
static const ag_backward_opts RG = {.retain_grad = true};

/* x.grad of the previous pass becomes the new output: gx = x.grad;
 * x.cleargrad(); gx.backward(opts).  Returns the new x.grad. */
static ag_var *next_order(ag_var *x, const ag_backward_opts *opts) {
    ag_var *gx = ag_grad(x);
    assert_non_null(gx);
    ag_cleargrad(x);
    assert_int_equal(ag_backward(ctx, gx, opts), 0);
    return ag_grad(x);
}

/* ag_grad_calls tells one backward's gradient (1) from gradients of several
 * backward calls summed up without a cleargrad (2, 3...): a use twice in one
 * graph is still 1; cleargrad, set_grad and the functional grad reset or
 * leave it as they leave .grad. */
static void test_grad_calls(void **state) {
    ag_var *x = S(2), *w = S(3);
    assert_int_equal(ag_grad_calls(x), 0);
    ag_var *y = ag_mul(ctx, ag_mul(ctx, x, x), w); /* x used twice */
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_grad_calls(x), 1);
    assert_int_equal(ag_grad_calls(w), 1);
    assert_close(ag_item(ag_grad(x)), 12);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_grad_calls(x), 3);
    assert_close(ag_item(ag_grad(x)), 36);
    ag_cleargrad(w);
    assert_int_equal(ag_grad_calls(w), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_grad_calls(w), 1);
    assert_int_equal(ag_grad_calls(x), 4);
    /* grad(y, x) leaves every .grad and its count as they were */
    ag_var *g = ag_grad_of(ctx, y, x, false);
    assert_non_null(g);
    assert_close(ag_item(g), 12);
    assert_int_equal(ag_grad_calls(x), 4);
    assert_close(ag_item(ag_grad(x)), 48);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_grad_calls(x), 5);
    /* a gradient set by hand is not a backward's; the next one adds to it */
    assert_int_equal(ag_set_grad(w, S(1)), 0);
    assert_int_equal(ag_grad_calls(w), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_grad_calls(w), 1);
    assert_close(ag_item(ag_grad(w)), 5);
    assert_int_equal(ag_grad_calls(NULL), 0);
}

/* ag_last_grad: what flowed into each node in the last backward, retained
 * or not, without the sums of earlier calls; nothing until asked for. */
static void test_last_grads(void **state) {
    ag_var *x = S(2), *w = S(3);
    ag_var *xx = ag_mul(ctx, x, x);
    ag_var *y = ag_mul(ctx, xx, w);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_null(ag_last_grad(x)); /* not kept by default */
    ag_keep_last_grads(ctx, true);
    ag_cleargrad(x);
    ag_cleargrad(w);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_null(ag_grad(xx)); /* .grad semantics unchanged: not retained */
    assert_non_null(ag_last_grad(xx));
    assert_close(ag_last_grad(xx)[0], 3);
    assert_close(ag_last_grad(x)[0], 12); /* both uses summed */
    assert_close(ag_last_grad(y)[0], 1);  /* the seed */
    assert_close(ag_last_grad(w)[0], 4);
    /* a second backward without cleargrad: .grad sums, the flow does not */
    ag_var *y2 = ag_mul(ctx, x, S(5));
    assert_int_equal(ag_backward(ctx, y2, NULL), 0);
    assert_close(ag_item(ag_grad(x)), 17);
    assert_close(ag_last_grad(x)[0], 5);
    assert_null(ag_last_grad(w)); /* not reached by the last backward */
    assert_null(ag_last_grad(xx));
    /* tensors: one number per element */
    ag_var *t = ag_new(ctx, 1, (int[]){3}, (double[]){1, 2, 3});
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, t, t), NULL, 0), NULL), 0);
    assert_close(ag_last_grad(t)[2], 6);
    ag_keep_last_grads(ctx, false);
    assert_null(ag_last_grad(t)); /* forgotten with the setting */
    assert_null(ag_last_grad(NULL));
}

/* The kept numbers stop at 2^23 (64 MB): later gradients of the pass are
 * left out of the drawing, .grad keeps them all. */
static void test_last_grads_capped(void **state) {
    (void)state;
    const int n = 1 << 22; /* 4M numbers a gradient: two fit, the third not */
    ag_var *x = ag_ones(ctx, 1, (int[]){n});
    ag_var *a = ag_sin(ctx, x), *b = ag_sin(ctx, a), *y = ag_sum(ctx, b, NULL, 0);
    ag_keep_last_grads(ctx, true);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_non_null(ag_last_grad(y)); /* the seed, 1 number */
    assert_non_null(ag_last_grad(b)); /* 4M: 4,194,305 kept */
    assert_null(ag_last_grad(a));     /* 4M more would pass 8,388,608 */
    assert_null(ag_last_grad(x));
    double want = cos(sin(1.0)) * cos(1.0);
    assert_close(ag_cdata(ag_grad(x))[0], want);
    assert_close(ag_cdata(ag_grad(x))[n - 1], want);
    ag_keep_last_grads(ctx, false);
}

/* Function tags: every function made gets the context's current tag; a
 * model's forward asks the layer observer for each layer's. */
static unsigned layer_tags[8];
static char layer_names[8][32];
static int layer_count;
static unsigned tag_layer(void *user, const void *model, const char *layer, unsigned outer) {
    (void)user;
    (void)model;
    snprintf(layer_names[layer_count], sizeof layer_names[0], "%s", layer);
    layer_tags[layer_count] = 100 + (unsigned)layer_count + outer;
    return layer_tags[layer_count++];
}

static void test_func_tags(void **state) {
    ag_var *x = S(2);
    ag_var *a = ag_sin(ctx, x);
    assert_int_equal(ag_func_tag(ag_creator(a)), 0);
    assert_int_equal(ag_set_func_tag(ctx, 7), 0);
    ag_var *b = ag_cos(ctx, a);
    assert_int_equal(ag_set_func_tag(ctx, 0), 7);
    assert_int_equal(ag_func_tag(ag_creator(b)), 7);
    ag_model *m = ag_mlp(ctx, (int[]){3, 1}, 2, AG_ACT_TANH, 1);
    assert_non_null(m);
    ag_observe_layers(ctx, tag_layer, NULL);
    layer_count = 0;
    ag_set_func_tag(ctx, 5);
    ag_var *out = ag_model_forward(m, ag_new(ctx, 2, (int[]){1, 2}, (double[]){1, 2}));
    assert_int_equal(ag_set_func_tag(ctx, 0), 5); /* restored after the layers */
    assert_non_null(out);
    assert_int_equal(layer_count, 2);
    assert_string_equal(layer_names[0], "linear[0]");
    assert_string_equal(layer_names[1], "linear[1]");
    assert_int_equal(ag_func_tag(ag_creator(out)), 106); /* 100 + 1 + outer 5 */
    ag_observe_layers(ctx, NULL, NULL);
    ag_model_unref(m);
}

/* The first non-parameter variable whose grad a backward summed with an
 * earlier one's; parameters (an optimizer's business) are not reported. */
static void test_backward_summed_data(void **state) {
    ag_var *data = S(2), *p = S(3);
    ag_var_set_flags(p, AG_VAR_PARAM);
    ag_var *y = ag_mul(ctx, data, p);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_null(ag_backward_summed_data(ctx));
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_ptr_equal(ag_backward_summed_data(ctx), data);
    assert_int_equal(ag_grad_calls(p), 2); /* counted, not reported */
    ag_cleargrad(data);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_null(ag_backward_summed_data(ctx));
    assert_null(ag_backward_summed_data(NULL));
}

/* y = square(exp(square(x))) at 0.5. */
static void test_composite(void **state) {
    ag_var *x = S(0.5);
    ag_var *y = ag_square(ctx, ag_exp(ctx, ag_square(ctx, x)));
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_close(ag_item(ag_grad(x)), 3.297442541400256);
    assert_close(ag_item(y), 1.648721270700128);
}

/* accumulation when a variable is used more than once. */
static void test_accumulation(void **state) {
    ag_var *x = S(2), *y = S(3);
    ag_var *z = ag_add(ctx, ag_square(ctx, x), ag_square(ctx, y));
    ag_backward(ctx, z, NULL);
    assert_close(ag_item(z), 13);
    assert_close(ag_item(ag_grad(x)), 4);
    assert_close(ag_item(ag_grad(y)), 6);

    ag_var *a = S(3);
    ag_var *r = ag_add(ctx, ag_add(ctx, a, a), a);
    ag_backward(ctx, r, NULL);
    assert_close(ag_item(r), 9);
    assert_close(ag_item(ag_grad(a)), 3);

    /* grads accumulate across passes until cleargrad */
    ag_var *c = S(3);
    ag_backward(ctx, ag_add(ctx, c, c), NULL);
    assert_close(ag_item(ag_grad(c)), 2);
    ag_cleargrad(c);
    ag_backward(ctx, ag_add(ctx, ag_add(ctx, c, c), c), NULL);
    assert_close(ag_item(ag_grad(c)), 3);

    /* generation order matters */
    ag_var *g = S(2);
    ag_var *sq = ag_square(ctx, g);
    ag_var *out = ag_add(ctx, ag_square(ctx, sq), ag_square(ctx, sq));
    ag_backward(ctx, out, NULL);
    assert_close(ag_item(out), 32);
    assert_close(ag_item(ag_grad(g)), 64);

    /* backward twice on one graph doubles the leaf grad */
    ag_var *w = S(2);
    ag_var *w2 = ag_square(ctx, w);
    ag_backward(ctx, w2, NULL);
    ag_backward(ctx, w2, NULL);
    assert_close(ag_item(ag_grad(w)), 8);

    /* a preset output grad seeds the pass */
    ag_var *p = S(2);
    ag_var *p2 = ag_square(ctx, p);
    ag_set_grad(p2, S(3));
    ag_backward(ctx, p2, NULL);
    assert_close(ag_item(ag_grad(p)), 12);
}

/* Matyas and Rosenbrock gradients. */
static void test_matyas_rosenbrock(void **state) {
    ag_var *x = S(1), *y = S(1);
    ag_var *z = ag_sub(ctx,
                       ag_mul(ctx, S(0.26), ag_add(ctx, ag_pow(ctx, x, 2), ag_pow(ctx, y, 2))),
                       ag_mul(ctx, S(0.48), ag_mul(ctx, x, y)));
    ag_backward(ctx, z, NULL);
    assert_close(ag_item(ag_grad(x)), 0.040000000000000036);
    assert_close(ag_item(ag_grad(y)), 0.040000000000000036);

    ag_var *x0 = S(0), *x1 = S(2);
    ag_var *r = ag_add(ctx,
                       ag_mul(ctx, S(100), ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2)), 2)),
                       ag_pow(ctx, ag_add(ctx, S(-1.0), x0), 2));
    ag_backward(ctx, r, NULL);
    assert_close(ag_item(ag_grad(x0)), -2);
    assert_close(ag_item(ag_grad(x1)), 400);
}

/* 10,000 steps of gradient descent on Rosenbrock, collecting as we go. */
static void test_rosenbrock_descent(void **state) {
    static const double expected[][2] = {
        {0, 2},
        {0.6837118569138317, 0.4659526837427042},
        {0.8263177857050957, 0.6820311873361097},
        {0.8947837494333546, 0.8001896451930564},
        {0.9334871723401226, 0.8711213202579401},
        {0.9569899983530249, 0.9156532462021957},
        {0.9718168065095137, 0.9443132014542008},
        {0.9813809710644894, 0.9630332658658076},
        {0.9876355102559093, 0.9753740541653942},
        {0.9917613994572028, 0.9835575421346807},
        {0.9944984367782456, 0.9890050527419593},
    };
    ag_var *x0 = S(0), *x1 = S(2);
    ag_retain(x0);
    ag_retain(x1);
    size_t baseline = 0;
    for (int i = 0; i <= 10000; i++) {
        if (i % 1000 == 0) {
            assert_close(ag_item(x0), expected[i / 1000][0]);
            assert_close(ag_item(x1), expected[i / 1000][1]);
        }
        if (i == 10000) break;
        ag_cleargrad(x0);
        ag_cleargrad(x1);
        ag_var *y0 = ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2)), 2);
        ag_var *y1 = ag_pow(ctx, ag_add(ctx, S(-1.0), x0), 2);
        ag_var *y = ag_add(ctx, ag_mul(ctx, S(100), y0), y1);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_data(x0)[0] -= 0.001 * ag_item(ag_grad(x0));
        ag_data(x1)[0] -= 0.001 * ag_item(ag_grad(x1));
        ag_gc(ctx);
        if (i == 1) baseline = ag_live_vars(ctx);
        if (i > 1) assert_int_equal(ag_live_vars(ctx), baseline); /* memory stays flat */
    }
    ag_release(x0);
    ag_release(x1);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
    assert_int_equal(ag_live_funcs(ctx), 0);
}

/* f(x) = x^4 - 2x^2 */
static ag_var *newton_f(ag_var *x) {
    return ag_sub(ctx, ag_pow(ctx, x, 4), ag_mul(ctx, S(2), ag_pow(ctx, x, 2)));
}

/* Newton's method through double backprop, with the collector run
 * after every step: create_graph cycles must not leak. */
static void test_newton_double_backprop(void **state) {
    static const double expected[] = {2, 1.4545454545454546, 1.1510467893775467,
                                      1.0253259289766978, 1.0009084519430513,
                                      1.0000012353089454, 1.000000000002289, 1, 1, 1};
    ag_var *x = S(2);
    ag_retain(x);
    for (int i = 0; i < 10; i++) {
        assert_close(ag_item(x), expected[i]);
        ag_var *y = newton_f(x);
        ag_cleargrad(x);
        assert_int_equal(ag_backward(ctx, y, &CG), 0);
        ag_var *gx = ag_grad(x);
        ag_cleargrad(x);
        assert_int_equal(ag_backward(ctx, gx, NULL), 0);
        ag_var *gx2 = ag_grad(x);
        ag_data(x)[0] -= ag_item(gx) / ag_item(gx2);
        ag_cleargrad(x);
        ag_gc(ctx);
        assert_int_equal(ag_live_vars(ctx), 1);
        assert_int_equal(ag_live_funcs(ctx), 0);
    }
    /* a create_graph cycle still attached to a root: x -> x.grad -> ops -> x */
    ag_var *y = newton_f(x);
    ag_backward(ctx, y, &CG);
    ag_gc(ctx);
    assert_true(ag_live_funcs(ctx) > 0);
    ag_release(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
    assert_int_equal(ag_live_funcs(ctx), 0);
}

/* z = gx^3 + y with gx = dy/dx, y = x^2, x = 2 -> dz/dx = 100. */
static void test_double(void **state) {
    ag_var *x = S(2);
    ag_var *y = ag_pow(ctx, x, 2);
    ag_backward(ctx, y, &CG);
    ag_var *gx = ag_grad(x);
    ag_var *z = ag_add(ctx, ag_pow(ctx, gx, 3), y);
    ag_cleargrad(x);
    ag_backward(ctx, z, NULL);
    assert_close(ag_item(ag_grad(x)), 100);
}

/* sin and cos, ten derivatives deep. */
static void test_sin_cos_derivatives(void **state) {
    double s = 0.8414709848078965, c = 0.5403023058681398;
    const double sin_seq[] = {-s, -c, s, c, -s, -c, s, c, -s, -c};
    const double cos_seq[] = {-c, s, c, -s, -c, s, c, -s, -c, s};
    ag_var *x = S(1);
    ag_var *y = ag_sin(ctx, x);
    ag_backward(ctx, y, &CG);
    assert_close(ag_item(y), s);
    assert_close(ag_item(ag_grad(x)), c);
    for (int i = 0; i < 10; i++) assert_close(ag_item(next_order(x, &CG)), sin_seq[i]);

    ag_var *t = S(1);
    ag_var *u = ag_cos(ctx, t);
    ag_backward(ctx, u, &CG);
    assert_close(ag_item(u), c);
    assert_close(ag_item(ag_grad(t)), -s);
    for (int i = 0; i < 10; i++) assert_close(ag_item(next_order(t, &CG)), cos_seq[i]);
}

/* tanh, exp, log, pow, square to several orders. */
static void test_higher_orders(void **state) {
    ag_var *x = S(1);
    ag_backward(ctx, ag_tanh(ctx, x), &CG);
    assert_close(ag_item(ag_grad(x)), 0.41997434161402614);
    assert_close(ag_item(next_order(x, &CG)), -0.6397000084492246);
    assert_close(ag_item(next_order(x, &CG)), 0.6216266807712962);
    assert_close(ag_item(next_order(x, &CG)), 0.6650910447505024);

    ag_var *e = S(2);
    ag_var *ey = ag_exp(ctx, e);
    ag_backward(ctx, ey, &CG);
    assert_close(ag_item(ey), 7.38905609893065);
    assert_close(ag_item(ag_grad(e)), 7.38905609893065);
    for (int i = 0; i < 3; i++) assert_close(ag_item(next_order(e, &CG)), 7.38905609893065);

    ag_var *l = S(2);
    ag_var *ly = ag_log(ctx, l);
    ag_backward(ctx, ly, &CG);
    assert_close(ag_item(ly), 0.6931471805599453);
    assert_close(ag_item(ag_grad(l)), 0.5);
    assert_close(ag_item(next_order(l, &CG)), -0.25);
    assert_close(ag_item(next_order(l, &CG)), 0.25);
    assert_close(ag_item(next_order(l, &CG)), -0.375);

    ag_var *p = S(2);
    ag_var *py = ag_pow(ctx, p, 3);
    ag_backward(ctx, py, &CG);
    assert_close(ag_item(py), 8);
    assert_close(ag_item(ag_grad(p)), 12);
    assert_close(ag_item(next_order(p, &CG)), 12);
    assert_close(ag_item(next_order(p, &CG)), 6);
    assert_close(ag_item(next_order(p, &CG)), 0);

    ag_var *q = S(3);
    ag_var *qy = ag_square(ctx, q);
    ag_backward(ctx, qy, &CG);
    assert_close(ag_item(qy), 9);
    assert_close(ag_item(ag_grad(q)), 6);
    assert_close(ag_item(next_order(q, &CG)), 2);
    assert_close(ag_item(next_order(q, &CG)), 0);
}

/* second passes of mul/div accumulate; linear ops leave <nil>. */
static void test_second_order_binary(void **state) {
    ag_var *a = S(3), *b = S(2);
    ag_var *y = ag_mul(ctx, a, b);
    ag_backward(ctx, y, &CG);
    assert_close(ag_item(ag_grad(a)), 2);
    assert_close(ag_item(ag_grad(b)), 3);
    ag_var *ga = ag_grad(a), *gb = ag_grad(b);
    ag_cleargrad(a);
    ag_cleargrad(b);
    ag_backward(ctx, ga, NULL);
    ag_backward(ctx, gb, NULL);
    assert_close(ag_item(ag_grad(a)), 1);
    assert_close(ag_item(ag_grad(b)), 1);

    ag_var *n = S(10), *d = S(2);
    ag_var *q = ag_div(ctx, n, d);
    ag_backward(ctx, q, &CG);
    assert_close(ag_item(q), 5);
    assert_close(ag_item(ag_grad(n)), 0.5);
    assert_close(ag_item(ag_grad(d)), -2.5);
    ag_var *gn = ag_grad(n), *gd = ag_grad(d);
    ag_cleargrad(n);
    ag_cleargrad(d);
    ag_backward(ctx, gn, NULL);
    ag_backward(ctx, gd, NULL);
    assert_close(ag_item(ag_grad(n)), -0.25);
    assert_close(ag_item(ag_grad(d)), 2.25);

    /* mul by a constant, neg, add, sub: the gradient does not depend on x */
    ag_var *m = S(2);
    ag_backward(ctx, ag_mul(ctx, S(3), m), &CG);
    assert_close(ag_item(ag_grad(m)), 3);
    assert_null(next_order(m, NULL));

    ag_var *g = S(3);
    ag_backward(ctx, ag_neg(ctx, g), &CG);
    assert_close(ag_item(ag_grad(g)), -1);
    assert_null(next_order(g, NULL));
}

/* retain_grad keeps intermediate gradients (upstream's test and its example). */
static void test_retain_grad(void **state) {
    ag_var *x0 = S(1), *x1 = S(1);
    ag_var *t = ag_add(ctx, x0, x1);
    ag_var *y = ag_add(ctx, x0, t);
    ag_backward(ctx, y, &RG);
    assert_close(ag_item(ag_grad(y)), 1);
    assert_close(ag_item(ag_grad(t)), 1);
    assert_close(ag_item(ag_grad(x0)), 2);
    assert_close(ag_item(ag_grad(x1)), 1);

    ag_var *z0 = S(1), *z1 = S(1);
    ag_var *u = ag_add(ctx, z0, z1);
    ag_var *w = ag_add(ctx, z0, u);
    ag_backward(ctx, w, NULL);
    assert_null(ag_grad(w));
    assert_null(ag_grad(u));
    assert_close(ag_item(ag_grad(z0)), 2);

    ag_var *x = S(2);
    ag_var *a = ag_square(ctx, x);
    ag_var *e = ag_exp(ctx, a);
    ag_backward(ctx, e, &RG);
    assert_close(ag_item(ag_grad(e)), 1);
    assert_close(ag_item(ag_grad(a)), 54.598150033144236);
    assert_close(ag_item(ag_grad(x)), 218.39260013257694);
}

/* nograd and testmode scopes nest and restore. */
static void test_modes(void **state) {
    ag_var *x = S(3);
    bool old = ag_set_grad_enabled(ctx, false);
    assert_true(old);
    ag_var *y = ag_square(ctx, x);
    assert_null(ag_creator(y));
    bool inner = ag_set_grad_enabled(ctx, false);
    assert_false(inner);
    ag_set_grad_enabled(ctx, inner); /* leaving the inner scope keeps the outer one */
    assert_false(ag_grad_enabled(ctx));
    ag_backward(ctx, y, NULL);
    assert_null(ag_grad(x));
    ag_set_grad_enabled(ctx, old);
    assert_true(ag_grad_enabled(ctx));
    ag_var *y2 = ag_square(ctx, x);
    ag_backward(ctx, y2, NULL);
    assert_close(ag_item(ag_grad(x)), 6);

    assert_true(ag_is_train(ctx));
    bool train = ag_set_train(ctx, false);
    assert_false(ag_is_train(ctx));
    ag_set_train(ctx, train);
    assert_true(ag_is_train(ctx));

    /* backward on a graph built earlier works inside nograd */
    ag_var *p = S(2);
    ag_var *q = ag_square(ctx, p);
    old = ag_set_grad_enabled(ctx, false);
    ag_backward(ctx, q, NULL);
    ag_set_grad_enabled(ctx, old);
    assert_close(ag_item(ag_grad(p)), 4);
    assert_false(ag_creator(ag_grad(p)) != NULL);
}

/* unchain and unchain_backward (upstream's tests). */
static void test_unchain(void **state) {
    ag_var *x = S(1);
    ag_var *y = ag_pow(ctx, x, 2);
    assert_non_null(ag_creator(y));
    ag_unchain(y);
    assert_null(ag_creator(y));

    ag_var *a = S(1);
    ag_var *b = ag_pow(ctx, a, 2);
    ag_var *c = ag_sin(ctx, b);
    ag_unchain_backward(c);
    assert_null(ag_creator(b));
    assert_non_null(ag_creator(c));
    assert_int_equal(ag_func_op(ag_creator(c)), AG_OP_SIN);

    ag_var *s = S(2);
    ag_var *s2 = ag_square(ctx, s);
    ag_var *s4 = ag_square(ctx, s2);
    ag_unchain_backward(s4);
    ag_backward(ctx, s4, &RG);
    assert_close(ag_item(s4), 16);
    assert_close(ag_item(ag_grad(s2)), 8);
    assert_null(ag_grad(s));
}

/* backward of a leaf sets ones; generations count up from the inputs (upstream's test). */
static void test_leaf_and_generation(void **state) {
    ag_var *x = S(1);
    ag_backward(ctx, x, NULL);
    assert_close(ag_item(ag_grad(x)), 1);
    ag_cleargrad(x);
    ag_backward(ctx, x, NULL);
    assert_close(ag_item(ag_grad(x)), 1);

    ag_var *y = S(2);
    ag_var *z = ag_add(ctx, x, y);
    assert_int_equal(ag_generation(x), 0);
    assert_int_equal(ag_generation(z), 1);
    assert_int_equal(ag_func_generation(ag_creator(z)), 0);
    assert_int_equal(ag_generation(ag_sin(ctx, z)), 2);
    ag_var *c = S(2);
    ag_var *m = ag_mul(ctx, ag_square(ctx, ag_square(ctx, c)), c);
    assert_int_equal(ag_generation(m), 3);
    assert_int_equal(ag_func_generation(ag_creator(m)), 2);
}

/* grad(y, x) leaves every .grad alone. */
static void test_functional_grad(void **state) {
    ag_var *x = S(1);
    ag_set_grad(x, S(42));
    ag_var *y = ag_mul(ctx, ag_sin(ctx, x), x);
    ag_var *g = ag_grad_of(ctx, y, x, true);
    assert_non_null(g);
    assert_close(ag_item(g), cos(1.0) * 1.0 + sin(1.0));
    assert_close(ag_item(ag_grad(x)), 42);
    assert_null(ag_grad(y));
    /* the gradient can itself be differentiated */
    ag_var *g2 = ag_grad_of(ctx, g, x, false);
    assert_close(ag_item(g2), -sin(1.0) + 2 * cos(1.0));
    /* with respect to an intermediate value, as PyTorch's autograd.grad */
    ag_var *a = S(1);
    ag_var *t = ag_mul(ctx, a, S(3));
    ag_var *u = ag_mul(ctx, t, t);
    ag_var *gt = ag_grad_of(ctx, u, t, false);
    assert_non_null(gt);
    assert_close(ag_item(gt), 6);
    assert_null(ag_grad(t));
    assert_null(ag_grad(a));
    ag_var *other = S(5);
    assert_null(ag_grad_of(ctx, y, other, false));
    assert_string_equal(ag_errmsg(ctx), "grad: the output does not depend on that input");
}

/* grads(y, [x...]): each input's gradient as grad(y, x) gives it, from one
 * pass, NULL where y does not depend on an input, every .grad left alone. */
static void test_functional_grads(void **state) {
    ag_var *x = S(0.7), *w = S(-1.3), *unused = S(5), *c = S(2);
    ag_var_set_flags(c, AG_VAR_CONST);
    ag_set_grad(x, S(42));
    ag_var *t = ag_mul(ctx, ag_sin(ctx, x), w);          /* t = sin(x) w */
    ag_var *m = ag_floor_divide(ctx, x, S(0.5));        /* 1: a gradient into m, none through it */
    ag_var *y = ag_add(ctx, ag_mul(ctx, ag_mul(ctx, t, t), c), ag_mul(ctx, m, x)); /* 2t² + m x */
    ag_var *xs[] = {x, w, t, unused, c, m, x, y};
    ag_var *out[8];
    unsigned stamp = (unsigned)ag_grad_calls(x);
    assert_int_equal(ag_grads_of(ctx, y, xs, 8, out, false), 0);
    for (int i = 0; i < 8; i++) {
        if (xs[i] == unused || xs[i] == c) { /* not in the graph; a constant */
            assert_null(out[i]);
            continue;
        }
        ag_var *one = ag_grad_of(ctx, y, xs[i], false);
        assert_non_null(one);
        assert_non_null(out[i]);
        assert_true(ag_item(out[i]) == ag_item(one)); /* bit for bit */
    }
    assert_close(ag_item(out[0]), 4 * ag_item(t) * cos(0.7) * -1.3 + 1); /* 4t dt/dx + m */
    assert_true(out[6] == out[0]); /* the same input twice: its one gradient */
    assert_false(ag_failed(ctx));
    assert_close(ag_item(ag_grad(x)), 42); /* untouched, and its count */
    assert_int_equal((unsigned)ag_grad_calls(x), stamp);
    assert_null(ag_grad(t));
    assert_null(ag_grad(w));
    /* an input reached only through an op without a gradient gets none */
    ag_var *through[] = {x, w};
    assert_int_equal(ag_grads_of(ctx, ag_mul(ctx, m, w), through, 2, out, false), 0);
    assert_null(out[0]);
    assert_close(ag_item(out[1]), 1);
    /* with create_graph the gradients can be differentiated */
    ag_var *one[] = {x};
    assert_int_equal(ag_grads_of(ctx, ag_mul(ctx, ag_sin(ctx, x), x), one, 1, out, true), 0);
    assert_close(ag_item(ag_grad_of(ctx, out[0], x, false)), -sin(0.7) * 0.7 + 2 * cos(0.7));
    /* errors: out all NULL, the input named */
    assert_int_equal(ag_grads_of(ctx, y, xs, 0, NULL, false), 0);
    assert_int_equal(ag_grads_of(ctx, y, xs, -1, out, false), -1);
    assert_string_equal(ag_errmsg(ctx), "grads: n is -1 (negative)");
    ag_clear_error(ctx);
    ag_var *bad[] = {x, NULL};
    out[0] = x;
    assert_int_equal(ag_grads_of(ctx, y, bad, 2, out, false), -1);
    assert_null(out[0]);
    assert_string_equal(ag_errmsg(ctx), "grads: input 2 is NULL");
    ag_clear_error(ctx);
    ag_ctx *other = ag_ctx_new();
    ag_var *elsewhere[] = {x, ag_scalar(other, 1)};
    assert_int_equal(ag_grads_of(ctx, y, elsewhere, 2, out, false), -1);
    assert_string_equal(ag_errmsg(ctx), "grads: input 2 belongs to another context");
    ag_clear_error(ctx);
    ag_ctx_free(other);
    assert_int_equal(ag_grads_of(ctx, m, xs, 1, out, false), -1);
    assert_string_equal(ag_errmsg(ctx), "grads: the output is made by floor_divide, which has no gradient (its "
                                        "index or whole-number result is a constant)");
    ag_clear_error(ctx);
    /* a comparison records no node: its 0/1 is data, as PyTorch's bool tensor */
    ag_var *mask = ag_gt(ctx, x, S(0));
    assert_non_null(mask);
    assert_null(ag_creator(mask));
    assert_true((ag_var_flags(mask) & (AG_VAR_CONST | AG_VAR_DATA)) == (AG_VAR_CONST | AG_VAR_DATA));
    ag_var *masked = ag_mul(ctx, mask, w);
    assert_true(ag_func_input(ag_creator(masked), 0) == mask);
    assert_int_equal(ag_grads_of(ctx, masked, through, 2, out, false), 0);
    assert_null(out[0]);
    assert_close(ag_item(out[1]), 1);
    ag_clear_error(ctx);
}

/* Errors name the op and both shapes; NULL propagates and keeps the first
 * message; nothing half-built survives the collector. */
static void test_errors(void **state) {
    ag_var *a = VAR(ctx, SHAPE(3), 1, 2, 3);
    ag_var *b = VAR(ctx, SHAPE(2), 1, 2);
    ag_retain(a);
    ag_retain(b);
    ag_gc(ctx);
    size_t live = ag_live_vars(ctx);
    ag_var *y = ag_sin(ctx, ag_add(ctx, ag_exp(ctx, a), b));
    assert_null(y);
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), "add: shapes [3] and [2] are not compatible");
    assert_null(ag_mul(ctx, NULL, a));
    assert_string_equal(ag_errmsg(ctx), "add: shapes [3] and [2] are not compatible");
    ag_clear_error(ctx);
    assert_false(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), "");
    assert_null(ag_arange(ctx, 0, 1, 0));
    assert_string_equal(ag_errmsg(ctx), "arange: step is zero");
    assert_null(ag_linspace(ctx, 0, 1, -1));
    assert_string_equal(ag_errmsg(ctx), "linspace: n is negative (-1)");
    ag_clear_error(ctx);
    /* PyTorch's edge cases: linspace(5, 10, 1) is [5.], linspace(5, 10, 0) is empty */
    ag_var *one = ag_linspace(ctx, 5, 10, 1), *none = ag_linspace(ctx, 5, 10, 0);
    assert_non_null(one);
    assert_int_equal(ag_ndim(one), 1);
    assert_int_equal(ag_size(one), 1);
    assert_true(ag_data(one)[0] == 5.0);
    assert_non_null(none);
    assert_int_equal(ag_ndim(none), 1);
    assert_int_equal(ag_shape(none)[0], 0);
    assert_int_equal(ag_backward(ctx, NULL, NULL), -1);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), live);
    ag_release(a);
    ag_release(b);
}

/* Non-finite values are traced to the op that made them. */
static void test_nonfinite(void **state) {
    ag_set_check_finite(ctx, true);
    ag_var *y = ag_log(ctx, ag_sub(ctx, S(1), S(2)));
    assert_true(isnan(ag_item(y)));
    assert_string_equal(ag_nonfinite_op(ctx), "Log");
    ag_var *z = ag_exp(ctx, y); /* NaN in, NaN out: still blamed on Log */
    assert_true(isnan(ag_item(z)));
    assert_string_equal(ag_nonfinite_op(ctx), "Log");
    ag_clear_nonfinite(ctx);
    assert_null(ag_nonfinite_op(ctx));
    ag_div(ctx, S(1), S(0));
    assert_string_equal(ag_nonfinite_op(ctx), "Div");
    /* an op of a backward rule is named with the rule's function: sqrt's
     * gx = gy / (2 y) at y = 0, of one number (the scalar path) and of a
     * vector (the general one), and log's gy / x at 0 */
    ag_clear_nonfinite(ctx);
    ag_var *x = S(0), *r = ag_sqrt(ctx, x);
    assert_null(ag_nonfinite_op(ctx)); /* sqrt(0) = 0 */
    assert_int_equal(ag_backward(ctx, r, NULL), 0);
    assert_true(isinf(ag_item(ag_grad(x))));
    assert_string_equal(ag_nonfinite_op(ctx), "Div in Sqrt's backward");
    ag_clear_nonfinite(ctx);
    const double v[2] = {4, 0};
    const int shape[1] = {2};
    ag_var *xv = ag_new(ctx, 1, shape, v), *sv = ag_sum(ctx, ag_sqrt(ctx, xv), NULL, 0);
    assert_int_equal(ag_backward(ctx, sv, NULL), 0);
    assert_string_equal(ag_nonfinite_op(ctx), "Div in Sqrt's backward");
    assert_true(ag_data(ag_grad(xv))[0] == 0.25);
    ag_clear_nonfinite(ctx);
    ag_var *l = ag_log(ctx, S(0));
    assert_string_equal(ag_nonfinite_op(ctx), "Log"); /* the forward's own */
    ag_clear_nonfinite(ctx);
    assert_int_equal(ag_backward(ctx, l, NULL), 0);
    assert_string_equal(ag_nonfinite_op(ctx), "Div in Log's backward");
    ag_clear_nonfinite(ctx);
}

/* A chain of 1,000,000 ops builds, runs backward and is freed without deep
 * recursion; afterwards nothing is live. */
static void test_million_chain(void **state) {
    ag_var *x = S(0.5);
    ag_retain(x);
    ag_var *y = x;
    for (int i = 0; i < 1000000; i++) y = ag_sin(ctx, y);
    assert_non_null(y);
    assert_int_equal(ag_generation(y), 1000000);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    double g = ag_item(ag_grad(x));
    assert_true(g > 0 && g < 1);
    ag_gc(ctx); /* the chain hangs off nothing but y's C pointer: all of it goes */
    assert_int_equal(ag_live_vars(ctx), 2); /* x and its grad */
    assert_int_equal(ag_live_funcs(ctx), 0);
    ag_release(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

/* Live variables made by a backward of y (y's graph and x alive, collected
 * before), after the pass and before any collection. */
static size_t left_by_backward(ag_var *y) {
    size_t before = ag_live_vars(ctx);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    return ag_live_vars(ctx) - before;
}

/* A pass gives its temporaries back as it goes (backward.c, reclaiming)
 * only once that pays: a small graph of scalars leaves them to the
 * collector; a long chain of scalars turns it on after RECLAIM_AFTER (256)
 * variables, so at most that many are left however long it is; a function
 * with an operand of more than one element turns it on at once.  A graph of
 * scalars takes that plain pass only when the flat pass is off
 * (ctx->plain_backward); the flat pass makes a variable only for each
 * gradient a leaf is left with.  Every gradient is the same either way. */
static void test_backward_reclaims_when_it_pays(void **state) {
    ag_var *x = S(0.5), *c = S(3.0);
    ag_retain(x);
    ag_retain(c);
    /* (x * 3 - x)^2: the seed, Pow's gx, Sub's two, Mul's gx, x's sum */
    ag_var *y = ag_pow(ctx, ag_sub(ctx, ag_mul(ctx, x, c), x), 2.0);
    ag_retain(y);
    ag_gc(ctx);
    ctx->plain_backward = true;
    assert_int_equal(left_by_backward(y), 6); /* reclaiming would leave 3 */
    double plain = ag_item(ag_grad(x));
    assert_true(plain == 2.0 * (0.5 * 3.0 - 0.5) * (3.0 - 1.0));
    ctx->plain_backward = false;
    ag_cleargrad(x);
    ag_cleargrad(c);
    ag_gc(ctx);
    assert_int_equal(left_by_backward(y), 2); /* the flat pass: x's sum and c's gradient */
    assert_true(ag_item(ag_grad(x)) == plain);
    ag_release(y);
    ag_cleargrad(x);
    ag_cleargrad(c);
    ag_gc(ctx);
    /* 2,000 sines: without reclaiming about 2,000 gradients would stay */
    ctx->plain_backward = true;
    y = x;
    for (int i = 0; i < 2000; i++) y = ag_sin(ctx, y);
    ag_retain(y);
    ag_gc(ctx);
    size_t left = left_by_backward(y);
    assert_true(left >= 256 && left <= 256 + 4);
    double g = ag_item(ag_grad(x));
    ctx->plain_backward = false;
    ag_cleargrad(x);
    ag_gc(ctx);
    /* the same chain, flat: x's gradient alone, the same bit for bit */
    assert_int_equal(left_by_backward(y), 1);
    assert_true(ag_item(ag_grad(x)) == g);
    ag_release(y);
    ag_cleargrad(x);
    ag_gc(ctx);
    /* vectors: reclaimed from the first function (sum's gx, then sin's
     * gx given back once Sum's slot no longer needs it: the seed, x's grad) */
    ag_var *v = ag_ones(ctx, 1, (int[]){4});
    ag_retain(v);
    y = ag_sum(ctx, ag_sin(ctx, ag_sin(ctx, v)), NULL, 0);
    ag_retain(y);
    ag_gc(ctx);
    assert_int_equal(left_by_backward(y), 2);
    ag_release(y);
    ag_release(v);
    ag_release(x);
    ag_release(c);
}

/* ---- the flat pass against the plain one ------------------------------------
 * The same random graph of one-element values is built twice in one context,
 * with the same older gradients; the plain pass (ctx->plain_backward) runs
 * on one and the flat pass on the other.  Everything a caller can see must
 * match: each gradient bit for bit, which variables share one gradient
 * variable, its flags (the seed's), the call counts, ag_backward_summed_data,
 * the kept gradients (ag_last_grad), the finite check's op and the error of
 * a value changed in place. */
#define FLAT_NODES 41
typedef struct {
    ag_var *v[FLAT_NODES];
    int n;
    ag_var *y;
} flat_case;

static uint32_t flat_rand(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* A random graph from seed: 4 leaves (one a constant in some cases), 30 ops
 * the flat pass takes (the 4 ops before the last may be taken from ones it
 * does not take), older gradients on some nodes and on y. */
static void flat_build(flat_case *c, uint32_t seed, bool odd_op, bool older) {
    uint32_t s = seed;
    c->n = 0;
    for (int i = 0; i < 4; i++) c->v[c->n++] = S(0.3 + 0.4 * i - (double)(flat_rand(&s) % 7) * 0.1);
    if (seed % 3 == 0) ag_var_set_flags(c->v[1], AG_VAR_CONST);
    while (c->n < 34) {
        ag_var *a = c->v[flat_rand(&s) % (uint32_t)c->n], *b = c->v[flat_rand(&s) % (uint32_t)c->n];
        ag_var *r;
        switch (flat_rand(&s) % 48) {
        case 0: r = ag_add(ctx, a, b); break;
        case 1: r = ag_sub(ctx, a, b); break;
        case 2: r = ag_mul(ctx, a, b); break;
        case 3: r = ag_mul(ctx, a, a); break;
        case 4: r = fabs(ag_item(b)) > 0.1 ? ag_div(ctx, a, b) : ag_neg(ctx, a); break;
        case 5: r = ag_pow(ctx, a, (double)(flat_rand(&s) % 4)); break;
        case 6: r = ag_exp(ctx, ag_tanh(ctx, a)); break;
        case 7: r = ag_item(a) > 0.1 ? ag_log(ctx, a) : ag_cos(ctx, a); break;
        case 8: r = ag_sin(ctx, a); break;
        case 9: r = ag_cos(ctx, a); break;
        case 10: r = ag_tan(ctx, ag_tanh(ctx, a)); break;
        case 11: r = ag_item(a) > 0.1 ? ag_sqrt(ctx, a) : ag_square(ctx, a); break;
        case 12: r = ag_sigmoid(ctx, a); break;
        case 13: r = ag_square(ctx, a); break;
        case 14: r = ag_neg(ctx, a); break;
        case 15: r = ag_add(ctx, a, a); break;
        case 17: r = ag_abs(ctx, a); break;
        case 18: r = ag_relu(ctx, ag_sub(ctx, a, b)); break;
        case 19: r = ag_gelu(ctx, a); break;
        case 20: r = ag_clip(ctx, a, -0.5, 0.5); break;
        /* ops_act.c's one-input ops (their scalar gradients mirror the
         * derivative's ops), inside their domains */
        case 21: r = ag_leaky_relu(ctx, a, 0.1); break;
        case 22: r = ag_elu(ctx, a, 1.5); break;
        case 23: r = ag_selu(ctx, a); break;
        case 24: r = ag_silu(ctx, a); break;
        case 25: r = flat_rand(&s) % 2 ? ag_softplus(ctx, a, 1.0, 20.0) : ag_softplus(ctx, a, 2.0, 0.5); break;
        case 26: r = ag_mish(ctx, a); break;
        case 27: r = ag_hardtanh(ctx, a, -0.5, 0.5); break;
        case 28: {
            ag_var *(*step[])(ag_ctx *, ag_var *) = {ag_sign, ag_floor, ag_ceil, ag_round, ag_trunc};
            r = ag_add(ctx, step[flat_rand(&s) % 5](ctx, a), a);
            break;
        }
        case 29: r = ag_item(a) > 0.1 ? ag_rsqrt(ctx, a) : ag_exp2(ctx, a); break;
        case 30: r = ag_item(a) > 0.1 ? (flat_rand(&s) % 2 ? ag_log2(ctx, a) : ag_log10(ctx, a)) : ag_atan(ctx, a); break;
        case 31: r = ag_asin(ctx, ag_mul(ctx, ag_tanh(ctx, a), S(0.9))); break;
        case 32: r = ag_acos(ctx, ag_mul(ctx, ag_tanh(ctx, a), S(0.9))); break;
        case 33: r = ag_atan(ctx, a); break;
        case 34: r = ag_sinh(ctx, ag_tanh(ctx, a)); break;
        case 35: r = ag_cosh(ctx, ag_tanh(ctx, a)); break;
        case 36: r = ag_asinh(ctx, a); break;
        case 37: r = ag_acosh(ctx, ag_add(ctx, S(1.25), ag_square(ctx, a))); break;
        case 38: r = ag_atanh(ctx, ag_mul(ctx, ag_tanh(ctx, a), S(0.5))); break;
        case 39: r = ag_erf(ctx, a); break;
        /* two inputs (ties, a zero base or exponent sometimes) */
        case 40: r = flat_rand(&s) % 3 ? ag_maximum(ctx, a, b) : ag_maximum(ctx, a, a); break;
        case 41: r = flat_rand(&s) % 3 ? ag_minimum(ctx, a, b) : ag_minimum(ctx, b, b); break;
        case 42: r = ag_logaddexp(ctx, a, b); break;
        case 43: r = fabs(ag_item(a)) + fabs(ag_item(b)) > 0.1 ? ag_hypot(ctx, a, b) : ag_neg(ctx, a); break;
        case 44: r = ag_copysign(ctx, a, b); break;
        case 45: r = fabs(ag_item(b)) > 0.1 ? (flat_rand(&s) % 2 ? ag_fmod(ctx, a, b) : ag_remainder(ctx, a, b))
                                            : ag_neg(ctx, b);
            break;
        case 46: {
            ag_var *base = ag_abs(ctx, a), *e = b;
            if (flat_rand(&s) % 4 == 0) base = ag_mul(ctx, base, S(0.0)); /* 0^b: d/db masked */
            if (flat_rand(&s) % 4 == 0) e = ag_mul(ctx, e, S(0.0));       /* b = 0: d/da masked at 0 */
            r = ag_item(base) > 0.05 || ag_item(e) >= 0 ? ag_powv(ctx, base, e) : ag_neg(ctx, e);
            break;
        }
        case 47: r = ag_maximum(ctx, ag_relu(ctx, a), S(0.0)); break;
        default: r = ag_sub(ctx, a, a); break;
        }
        if (fabs(ag_item(r)) > 100) r = ag_tanh(ctx, r); /* keep it finite */
        c->v[c->n++] = r;
    }
    bool adds = seed % 4 == 0; /* the seed handed on to leaves: shared gradients */
    if (adds) c->v[c->n++] = ag_sub(ctx, ag_add(ctx, c->v[0], c->v[2]), c->v[3]);
    ag_var *y = c->v[c->n - 1];
    for (int k = 2; k <= 6; k++) {
        ag_var *t = c->v[c->n - k];
        if (odd_op && k == 4) /* where has no scalar hook: the flat pass declines */
            t = ag_where(ctx, ag_gt(ctx, t, S(0.0)), t, ag_neg(ctx, t));
        y = adds || k % 2 ? ag_add(ctx, y, t) : ag_mul(ctx, y, t);
    }
    c->y = y;
    c->v[c->n++] = y;
    for (int i = 0; i < c->n; i++)
        if (flat_rand(&s) % 6 == 0) {
            double g = 0.25 * (double)(flat_rand(&s) % 9);
            if (older) ag_set_grad(c->v[i], S(g));
        }
}

/* Index in c of the variable whose grad is g, -1 when none. */
static int flat_holder(const flat_case *c, const ag_var *g) {
    for (int i = 0; i < c->n; i++)
        if (g != NULL && ag_grad(c->v[i]) == g) return i;
    return -1;
}

static void flat_compare(uint32_t seed, bool odd_op, bool changed, bool finite_check, bool older) {
    flat_case plain, flat;
    int rc[2];
    const char *err[2] = {NULL, NULL}, *nonfinite[2];
    char msg[2][256];
    int summed[2];
    size_t made[2];
    double flows[2][FLAT_NODES];
    bool keep = seed % 3 == 1;
    for (int run = 0; run < 2; run++) {
        flat_case *c = run == 0 ? &plain : &flat;
        ctx->plain_backward = run == 0;
        ag_keep_last_grads(ctx, keep);
        ag_set_check_finite(ctx, finite_check);
        flat_build(c, seed, odd_op, older);
        if (changed) ag_data(c->v[0])[0] += 0.5;
        size_t before = ag_live_vars(ctx);
        ctx->flat_met_older = false; /* the quick pass first, whatever ran before */
        rc[run] = ag_backward(ctx, c->y, NULL);
        /* a second call adds to the leaves' gradients (call counts of 2,
         * ag_backward_summed_data) */
        if (rc[run] == 0 && seed % 2) rc[run] = ag_backward(ctx, c->y, NULL);
        made[run] = ag_live_vars(ctx) - before;
        err[run] = rc[run] < 0 ? strncpy(msg[run], ag_errmsg(ctx), sizeof msg[run] - 1) : NULL;
        msg[run][sizeof msg[run] - 1] = '\0';
        if (rc[run] < 0) ag_clear_error(ctx);
        nonfinite[run] = ag_nonfinite_op(ctx);
        ag_set_check_finite(ctx, false);
        summed[run] = -1;
        for (int i = 0; i < c->n; i++) {
            if (ag_backward_summed_data(ctx) == c->v[i]) summed[run] = i;
            const double *kept = ag_last_grad(c->v[i]);
            flows[run][i] = kept != NULL ? kept[0] : -999.0;
        }
    }
    ctx->plain_backward = false;
    ag_keep_last_grads(ctx, false);
    assert_memory_equal(flows[0], flows[1], (size_t)plain.n * sizeof flows[0][0]);
    if (keep && rc[0] == 0) {
        int reached = 0;
        for (int i = 0; i < plain.n; i++) reached += flows[0][i] != -999.0;
        assert_true(reached > 0);
    }
    assert_int_equal(rc[0], rc[1]);
    if (err[0] != NULL) assert_string_equal(msg[0], msg[1]);
    assert_true(nonfinite[0] == nonfinite[1] ||
                (nonfinite[0] != NULL && nonfinite[1] != NULL && strcmp(nonfinite[0], nonfinite[1]) == 0));
    assert_int_equal(summed[0], summed[1]);
    for (int i = 0; i < plain.n; i++) {
        ag_var *gp = ag_grad(plain.v[i]), *gf = ag_grad(flat.v[i]);
        assert_int_equal(gp == NULL, gf == NULL);
        assert_int_equal(ag_grad_calls(plain.v[i]), ag_grad_calls(flat.v[i]));
        if (gp == NULL) continue;
        double a = ag_item(gp), b = ag_item(gf);
        assert_memory_equal(&a, &b, sizeof a); /* bit for bit, NaN included */
        assert_int_equal(ag_var_flags(gp), ag_var_flags(gf));
        assert_int_equal(flat_holder(&plain, gp), flat_holder(&flat, gf)); /* the same sharing */
    }
    if (!odd_op && !changed && !finite_check) assert_true(made[1] <= made[0]);
}

/* Every op with a gradient and a scalar hook has a scalar gradient (FULL,
 * not YES in AG_OP_LIST): one without it in a graph of one-element values
 * sends the whole backward to the plain pass. */
static void test_scalar_ops_have_scalar_gradients(void **state) {
    (void)state;
    int missing = 0;
#define SCALAR_GRAD_ROW(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule)            \
    if (strcmp(#scalar, "YES") == 0 && strcmp(#grad, "GRAD") == 0) {                                    \
        print_message("%s has a scalar hook and a gradient but no scalar gradient\n", name);           \
        missing++;                                                                                     \
    }
    AG_OP_LIST(SCALAR_GRAD_ROW)
#undef SCALAR_GRAD_ROW
    assert_int_equal(missing, 0);
}

/* Each two-input op with a scalar gradient in y = op(a, b) + c, both
 * passes: the same bits in a.grad and b.grad, and the same sharing (fmod's
 * and remainder's d/da is gy's own variable, which c.grad holds too), at
 * inputs with ties, zeros, signs and a zero base or exponent. */
static void test_flat_two_input_ops(void **state) {
    ag_var *(*ops[])(ag_ctx *, ag_var *, ag_var *) = {ag_fmod,     ag_remainder, ag_maximum, ag_minimum,
                                                      ag_logaddexp, ag_hypot,    ag_copysign, ag_powv};
    const double pairs[][2] = {{1.5, 0.4}, {-1.5, 0.4}, {0.7, 0.7}, {0.0, 2.0}, {0.0, 0.0}, {2.0, 0.0}, {0.3, -1.2}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (size_t j = 0; j < sizeof pairs / sizeof pairs[0]; j++) {
            double ga[2], gb[2];
            bool shared[2];
            for (int run = 0; run < 2; run++) {
                ctx->plain_backward = run == 0;
                ag_var *a = S(pairs[j][0]), *b = S(pairs[j][1]), *c = S(-0.5);
                ag_var *y = ag_add(ctx, ops[k](ctx, a, b), c);
                assert_int_equal(ag_backward(ctx, y, NULL), 0);
                ga[run] = ag_item(ag_grad(a)), gb[run] = ag_item(ag_grad(b));
                shared[run] = ag_grad(a) == ag_grad(c);
                ag_gc(ctx);
            }
            ctx->plain_backward = false;
            if (memcmp(&ga[0], &ga[1], sizeof ga[0]) != 0 || memcmp(&gb[0], &gb[1], sizeof gb[0]) != 0 ||
                shared[0] != shared[1])
                fail_msg("op %zu at (%g, %g): plain %.17g %.17g (shared %d), flat %.17g %.17g (shared %d)", k,
                         pairs[j][0], pairs[j][1], ga[0], gb[0], shared[0], ga[1], gb[1], shared[1]);
        }
}

static void test_flat_pass_as_plain(void **state) {
    for (uint32_t seed = 1; seed <= 300; seed++) {
        /* with older gradients (the flat pass), and without (its quick pass,
         * whose second call, seed % 2, has them) */
        for (int older = 1; older >= 0; older--) {
            flat_compare(seed, false, false, false, older);
            if (seed % 10 == 0) flat_compare(seed, true, false, false, older);
            if (seed % 10 == 1) flat_compare(seed, false, true, false, older);
            if (seed % 10 == 2) flat_compare(seed, false, false, true, older);
        }
        ag_gc(ctx);
    }
    /* the finite check names the op as the plain pass does: log's gradient at 0 */
    ag_set_check_finite(ctx, true);
    ag_var *x = S(0.0);
    assert_int_equal(ag_backward(ctx, ag_log(ctx, ag_add(ctx, x, S(1e-320))), NULL), 0);
    const char *op = ag_nonfinite_op(ctx);
    ag_set_check_finite(ctx, false);
    assert_non_null(op);
    assert_true(isinf(ag_item(ag_grad(x))));
}

/* The quick pass (backward_flat.c) frees a variable's slot once its creator
 * has run and no slot's `from` names it, and gives it to the next variable
 * reached.  Random graphs where that happens often, against the plain pass:
 * long chains of Adds and Subs handing their gy on (a constant beside),
 * Muls, sines and squares, diamonds (a node used again further up, x + x,
 * x - x), leaves shared by many functions, some constants, leaves used
 * only by the first functions (reached last, long after the slots around
 * them were freed), and y = ... + leaf now and then (the seed handed to a
 * leaf).  The quick pass is called itself (it must not decline: no older
 * gradient, every op its own); every variable's gradient the same bit for
 * bit, its call count and flags, which variables share one gradient
 * variable, and the kept gradients (ag_keep_last_grads) every third seed. */
int quick_backward(ag_ctx *ctx, ag_var *y); /* src/backward_pass.h */

#define QS_NODES 1000
typedef struct {
    ag_var *v[QS_NODES];
    int n, leaves;
} qs_case;

static void qs_build(qs_case *c, uint32_t seed) {
    uint32_t s = seed * 2654435761u;
    c->n = 0;
    c->leaves = 1 + (int)(flat_rand(&s) % 6);
    for (int i = 0; i < c->leaves; i++) {
        c->v[c->n++] = S(0.25 * (double)(flat_rand(&s) % 9) - 1.0);
        if (i > 0 && flat_rand(&s) % 5 == 0) ag_var_set_flags(c->v[i], AG_VAR_CONST);
    }
    int len = 10 + (int)(flat_rand(&s) % 300);
    for (int k = 0; k < len; k++) {
        ag_var *ab[2];
        for (int j = 0; j < 2; j++) {
            unsigned r = flat_rand(&s) % 10;
            ab[j] = r < 6   ? c->v[c->n - 1]                           /* the chain */
                    : r < 8 ? c->v[flat_rand(&s) % (unsigned)c->n]     /* a diamond */
                            : c->v[flat_rand(&s) % (unsigned)c->leaves]; /* a leaf */
        }
        ag_var *a = ab[0], *b = ab[1], *r;
        if (k < 2 * c->leaves && k / 2 < c->leaves) a = c->v[k / 2]; /* each leaf used at the bottom */
        ag_var *one = S(0.5);
        ag_var_set_flags(one, AG_VAR_CONST);
        switch (flat_rand(&s) % 13) {
        case 0: r = ag_add(ctx, a, b); break;
        case 1: r = ag_sub(ctx, a, b); break;
        case 2: /* a run of Adds and Subs of constants: one number handed on */
        case 3:
            r = a;
            for (int m = (int)(flat_rand(&s) % 8); m >= 0; m--) r = m % 3 ? ag_add(ctx, r, one) : ag_sub(ctx, r, one);
            break;
        case 4: r = ag_mul(ctx, a, b); break;
        case 5: r = ag_sin(ctx, a); break;
        case 6: r = ag_add(ctx, a, a); break;
        case 7: r = ag_sub(ctx, a, a); break;
        case 8: r = ag_sub(ctx, b, a); break;
        case 9: r = ag_pow(ctx, a, 2); break;
        case 10: r = ag_add(ctx, one, a); break;
        default: { /* two new leaves, one number handed on to both (sometimes through a Sub) */
            ag_var *l1 = S(0.125 * (double)(flat_rand(&s) % 9)), *l2 = S(-0.5);
            c->v[c->n++] = l1;
            c->v[c->n++] = l2;
            ag_var *t = ag_add(ctx, l1, l2);
            if (flat_rand(&s) % 2) t = ag_sub(ctx, t, one);
            r = flat_rand(&s) % 2 ? ag_add(ctx, a, t) : ag_add(ctx, t, b);
            break;
        }
        }
        if (fabs(ag_item(r)) > 100) r = ag_tanh(ctx, r); /* keep it finite */
        c->v[c->n++] = r;
    }
    if (flat_rand(&s) % 3 == 0) c->v[c->n - 1] = ag_add(ctx, c->v[c->n - 1], c->v[flat_rand(&s) % (unsigned)c->leaves]);
}

static void test_quick_slots_as_plain(void **state) {
    (void)state;
    static double g[2][QS_NODES], flows[2][QS_NODES];
    static int calls[2][QS_NODES], holder[2][QS_NODES], flags[2][QS_NODES];
    int n = 0, shared = 0, handed_seed = 0;
    for (uint32_t seed = 1; seed <= 400; seed++) {
        bool keep = seed % 3 == 0;
        for (int run = 0; run < 2; run++) {
            qs_case c;
            ag_keep_last_grads(ctx, keep);
            qs_build(&c, seed);
            ag_var *y = c.v[c.n - 1];
            if (ag_creator(y) == NULL) continue; /* every op a constant's */
            if (run == 0) {
                ctx->plain_backward = true;
                assert_int_equal(ag_backward(ctx, y, NULL), 0);
                ctx->plain_backward = false;
            } else {
                assert_int_equal(quick_backward(ctx, y), 0);
            }
            n = c.n;
            for (int i = 0; i < c.n; i++) {
                ag_var *gi = ag_grad(c.v[i]);
                const double *kept = ag_last_grad(c.v[i]);
                flows[run][i] = kept != NULL ? kept[0] : -999.0;
                calls[run][i] = ag_grad_calls(c.v[i]);
                g[run][i] = gi != NULL ? ag_item(gi) : -777.0;
                flags[run][i] = gi != NULL ? (int)ag_var_flags(gi) : -1;
                holder[run][i] = -1;
                for (int j = 0; j < c.n && gi != NULL; j++)
                    if (ag_grad(c.v[j]) == gi) {
                        holder[run][i] = j;
                        break;
                    }
                if (run == 1 && holder[1][i] >= 0 && holder[1][i] != i) shared++;
                if (run == 1 && gi != NULL && (ag_var_flags(gi) & AG_VAR_SEED)) handed_seed++;
            }
        }
        ag_keep_last_grads(ctx, false);
        assert_memory_equal(g[0], g[1], (size_t)n * sizeof g[0][0]); /* bit for bit */
        assert_memory_equal(calls[0], calls[1], (size_t)n * sizeof calls[0][0]);
        assert_memory_equal(flags[0], flags[1], (size_t)n * sizeof flags[0][0]);
        assert_memory_equal(holder[0], holder[1], (size_t)n * sizeof holder[0][0]); /* the same sharing */
        assert_memory_equal(flows[0], flows[1], (size_t)n * sizeof flows[0][0]);
        ag_gc(ctx);
    }
    /* the graphs did share gradients, the seed's among them */
    assert_true(shared > 100);
    assert_true(handed_seed > 10);
}

/* A million training steps (Rosenbrock descent, collected every 100 steps):
 * the live node count after each collection never changes. */
static void test_million_steps_flat(void **state) {
    ag_var *x0 = S(0), *x1 = S(2);
    ag_retain(x0);
    ag_retain(x1);
    size_t baseline = 0;
    for (int i = 0; i < 1000000; i++) {
        ag_cleargrad(x0);
        ag_cleargrad(x1);
        ag_var *y = ag_add(ctx, ag_mul(ctx, S(100), ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2)), 2)),
                           ag_pow(ctx, ag_add(ctx, S(-1.0), x0), 2));
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_data(x0)[0] -= 0.001 * ag_item(ag_grad(x0));
        ag_data(x1)[0] -= 0.001 * ag_item(ag_grad(x1));
        if (i % 100 == 99) {
            ag_gc(ctx);
            if (baseline == 0) baseline = ag_live_vars(ctx);
            assert_int_equal(ag_live_vars(ctx), baseline);
            assert_int_equal(ag_live_funcs(ctx), 0);
        }
    }
    assert_close_tol(ag_item(x0), 1, 1e-6, 1e-6); /* a million steps reach the minimum */
    ag_release(x0);
    ag_release(x1);
}

/* A young collection traces only what was made since the last one, from
 * young roots and from the grads that backward gave old variables (the
 * remembered set): an old x's new gradient and the create_graph graph
 * behind it survive it, the unreferenced rest of the step goes, and what
 * it kept is freed by the next full collection once unreachable. */
static void test_young_collection_keeps_remembered_grads(void **state) {
    ag_var *x = S(3);
    ag_retain(x);
    ag_gc(ctx); /* x is old now */
    ag_var *y = ag_mul(ctx, ag_mul(ctx, x, x), x);
    assert_int_equal(ag_backward(ctx, y, &CG), 0); /* x.grad = 3x^2, with its graph */
    ag_gc_info before = ag_gc_stats(ctx);
    assert_true(ag_gc_young(ctx) > 0); /* y's forward graph is unreachable */
    assert_int_equal(ag_gc_stats(ctx).young_collections, before.young_collections + 1);
    assert_int_equal(ag_gc_stats(ctx).full_collections, before.full_collections);
    /* the survivors are old after two young collections at the latest
     * (tests/unit/test_generations.c tests the ages) */
    ag_gc_young(ctx);
    assert_true(ag_gc_stats(ctx).promoted_bytes > before.promoted_bytes);
    ag_var *gx = ag_grad(x);
    assert_close(ag_item(gx), 27);
    ag_cleargrad(x);
    assert_int_equal(ag_backward(ctx, gx, NULL), 0); /* through the kept graph: 6x */
    assert_close(ag_item(ag_grad(x)), 18);
    /* a grad set by hand on an old variable is remembered too */
    ag_var *g = ag_add(ctx, S(1), S(2));
    ag_set_grad(x, g);
    ag_gc_young(ctx);
    assert_close(ag_item(ag_grad(x)), 3);
    ag_cleargrad(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 1);
    assert_int_equal(ag_live_funcs(ctx), 0);
    ag_release(x);
    ag_gc_young(ctx); /* x is old: only a full collection frees it */
    assert_int_equal(ag_live_vars(ctx), 1);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

/* collect_full's fast path (context.c: dead scalar nodes freed without the
 * tests of what they own, the functions all freed at once when the roots
 * reach none) against the plain full collection (ctx->plain_gc), on two
 * contexts fed the same random steps: scalars and vectors, named ones, ops,
 * backward with and without create_graph, cleargrad, retains and releases,
 * young and paced collections in between, and now and then the plain
 * collection in the fast context.  After each ag_gc: the same count freed,
 * and the same live lists node for node (roots, age, size, values, names,
 * grads), the same free lists' lengths and the same pacing statistics.  It
 * fails when the fast path frees a function still reached, keeps a dead
 * node, or leaves a freed node's storage (named, vector) to leak (ASan). */
typedef struct {
    ag_ctx *c;
    ag_var *pool[24];
} gc_twin;

static unsigned gc_rand(unsigned *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static size_t list_len_vars(ag_var *v) {
    size_t n = 0;
    for (; v != NULL; v = v->next_live) n++;
    return n;
}
static size_t list_len_funcs(ag_func *f) {
    size_t n = 0;
    for (; f != NULL; f = f->next_live) n++;
    return n;
}

static void gc_twins_same(gc_twin *a, gc_twin *b) {
    ag_var *u = a->c->vars, *v = b->c->vars;
    for (; u != NULL && v != NULL; u = u->next_live, v = v->next_live) {
        assert_int_equal(u->roots, v->roots);
        assert_int_equal(u->mark & (NODE_OLD | NODE_AGED | VAR_REMEMBERED), v->mark & (NODE_OLD | NODE_AGED | VAR_REMEMBERED));
        assert_int_equal(u->t.size, v->t.size);
        assert_int_equal(u->flags, v->flags);
        assert_memory_equal(u->t.data, v->t.data, u->t.size * sizeof(double));
        assert_true((u->name == NULL) == (v->name == NULL));
        if (u->name != NULL) assert_string_equal(u->name, v->name);
        assert_true((u->grad == NULL) == (v->grad == NULL));
        assert_true((u->creator == NULL) == (v->creator == NULL));
    }
    assert_null(u);
    assert_null(v);
    assert_int_equal(list_len_funcs(a->c->funcs), list_len_funcs(b->c->funcs));
    assert_int_equal(ag_live_vars(a->c), ag_live_vars(b->c));
    assert_int_equal(ag_live_funcs(a->c), ag_live_funcs(b->c));
    assert_int_equal(ag_live_vars(a->c), list_len_vars(a->c->vars));
    assert_int_equal(ag_live_funcs(a->c), list_len_funcs(a->c->funcs));
    /* the flag collect_full's hand-over relies on: set while a function not
     * marked FUNC_SCALAR is alive */
    size_t general = 0;
    for (ag_func *f = a->c->funcs; f != NULL; f = f->next_live) general += !(f->mark & FUNC_SCALAR);
    assert_true(general == 0 || a->c->general_funcs_live);
    assert_true(a->c->funcs != NULL || !a->c->general_funcs_live);
    assert_int_equal(list_len_vars(a->c->free_vars), list_len_vars(b->c->free_vars));
    assert_int_equal(list_len_funcs(a->c->free_funcs), list_len_funcs(b->c->free_funcs));
    assert_int_equal(a->c->remembered_len, b->c->remembered_len);
    ag_gc_info x = ag_gc_stats(a->c), y = ag_gc_stats(b->c);
    assert_int_equal(x.full_collections, y.full_collections);
    assert_int_equal(x.young_collections, y.young_collections);
    assert_int_equal(x.old_live_bytes, y.old_live_bytes);
    assert_int_equal(x.promoted_bytes, y.promoted_bytes);
    assert_int_equal(a->c->gc_pause, b->c->gc_pause);
}

static ag_var *gc_twin_new(ag_ctx *c, unsigned r, double value) {
    ag_var *v;
    if (r % 5 == 0) {
        v = ag_ones(c, 1, (const int[]){3});
        if (v != NULL) ag_data(v)[1] = value;
    } else {
        v = ag_scalar(c, value);
    }
    if (v != NULL && r % 7 == 0) ag_set_name(v, r % 2 ? "a" : "a name longer than eight");
    return v;
}

static ag_var *gc_twin_op(ag_ctx *c, unsigned r, ag_var *x, ag_var *y) {
    switch (r % 5) {
    case 0: return ag_add(c, x, y);
    case 1: return ag_mul(c, x, y);
    case 2: return ag_sub(c, x, y);
    case 3: return ag_pow(c, x, 2.0);
    default: return ag_sin(c, x);
    }
}

static void test_full_gc_fast_as_plain(void **state) {
    (void)state;
    gc_twin t[2] = {{ag_ctx_new(), {0}}, {ag_ctx_new(), {0}}};
    assert_non_null(t[0].c);
    assert_non_null(t[1].c);
    t[1].c->plain_gc = true;
    int rooted[24] = {0};
    unsigned seed = 12345, all_funcs_dead = 0, some_funcs_kept = 0, handed_over = 0;
    for (int round = 0; round < 1500; round++) {
        int actions = 4 + (int)(gc_rand(&seed) % 16);
        for (int k = 0; k < actions; k++) {
            unsigned r = gc_rand(&seed), i = gc_rand(&seed) % 24, j = gc_rand(&seed) % 24;
            double value = (double)(r % 1000) / 250.0 - 2.0;
            int what = (int)(r % 100);
            for (int w = 0; w < 2; w++) {
                ag_ctx *c = t[w].c;
                ag_var **p = t[w].pool;
                if (what < 25) { /* a new leaf into an unrooted slot */
                    if (rooted[i] == 0) p[i] = gc_twin_new(c, r / 100, value);
                } else if (what < 55) { /* an op */
                    if (p[i] != NULL && p[j] != NULL && rooted[(i + 1) % 24] == 0) {
                        p[(i + 1) % 24] = gc_twin_op(c, r / 100, p[i], p[j]);
                        ag_clear_error(c);
                    }
                } else if (what < 65) {
                    if (p[i] != NULL) ag_retain(p[i]);
                } else if (what < 77) {
                    if (p[i] != NULL && rooted[i] > 0) ag_release(p[i]);
                } else if (what < 85) {
                    if (p[i] != NULL) {
                        ag_backward(c, p[i], r % 3 == 0 ? &CG : NULL);
                        ag_clear_error(c);
                    }
                } else if (what < 93) {
                    if (p[i] != NULL) ag_cleargrad(p[i]);
                } else if (what < 97) {
                    ag_gc_young(c);
                } else {
                    ag_gc_auto(c);
                }
            }
            if (what >= 93) /* collected: only the roots are sure to be alive */
                for (int m = 0; m < 24; m++)
                    if (rooted[m] == 0) t[0].pool[m] = t[1].pool[m] = NULL;
            if (what >= 55 && what < 65 && t[0].pool[i] != NULL) rooted[i]++;
            if (what >= 65 && what < 77 && t[0].pool[i] != NULL && rooted[i] > 0) rooted[i]--;
        }
        /* now and then the fast context's collection is the plain one (as
         * under AG_DEBUG_NO_REUSE): the fast one goes on from what it left */
        bool fast = gc_rand(&seed) % 8 != 0;
        t[0].c->plain_gc = !fast;
        size_t funcs_before = ag_live_funcs(t[0].c);
        /* (the case where the whole list is handed over at once) */
        bool hand_over = t[0].c->free_funcs == NULL && !t[0].c->general_funcs_live;
        size_t fa = ag_gc(t[0].c), fb = ag_gc(t[1].c);
        assert_int_equal(fa, fb);
        gc_twins_same(&t[0], &t[1]);
        if (fast && funcs_before > 0) {
            all_funcs_dead += ag_live_funcs(t[0].c) == 0;
            some_funcs_kept += ag_live_funcs(t[0].c) > 0;
            handed_over += hand_over && ag_live_funcs(t[0].c) == 0;
        }
        /* only what is surely alive stays in the pools: the roots, and
         * their gradients */
        for (int i = 0; i < 24; i++)
            if (rooted[i] == 0) t[0].pool[i] = t[1].pool[i] = NULL;
        for (int i = 0; i < 24; i++) {
            int s = (i + 7) % 24;
            if (rooted[i] > 0 && rooted[s] == 0 && ag_grad(t[0].pool[i]) != NULL) {
                t[0].pool[s] = ag_grad(t[0].pool[i]);
                t[1].pool[s] = ag_grad(t[1].pool[i]);
            }
        }
    }
    /* the fast path freed every function at once (143 rounds), and swept
     * them (786) */
    assert_true(all_funcs_dead > 100);
    assert_true(some_funcs_kept > 500);
    assert_true(handed_over > 0);
    for (int i = 0; i < 24; i++)
        for (; rooted[i] > 0; rooted[i]--) {
            ag_release(t[0].pool[i]);
            ag_release(t[1].pool[i]);
        }
    assert_int_equal(ag_gc(t[0].c), ag_gc(t[1].c));
    gc_twins_same(&t[0], &t[1]);
    assert_int_equal(ag_live_vars(t[0].c), 0);
    ag_ctx_free(t[0].c);
    ag_ctx_free(t[1].c);
}

/* ag_gc_auto after every step of 200,000 Rosenbrock steps: young
 * collections do the work, full ones are rare, and the live node count
 * stays under the nursery plus the promoted budget all along. */
static void test_gc_auto_paces_by_allocation(void **state) {
    ag_var *x0 = S(0), *x1 = S(2);
    ag_retain(x0);
    ag_retain(x1);
    size_t most = 0;
    const int steps = 200000;
    for (int i = 0; i < steps; i++) {
        ag_cleargrad(x0);
        ag_cleargrad(x1);
        ag_var *y = ag_add(ctx, ag_mul(ctx, S(100), ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2)), 2)),
                           ag_pow(ctx, ag_add(ctx, S(-1.0), x0), 2));
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_data(x0)[0] -= 0.001 * ag_item(ag_grad(x0));
        ag_data(x1)[0] -= 0.001 * ag_item(ag_grad(x1));
        ag_gc_auto(ctx);
        size_t live = ag_live_vars(ctx) + ag_live_funcs(ctx);
        if (live > most) most = live;
    }
    ag_gc_info info = ag_gc_stats(ctx);
    /* a step makes about 40 nodes of 152-168 bytes: a young collection
     * every ~10 steps; each keeps only x0's and x1's new grads (about 300
     * bytes, promoted by none: they die before their second), so a full
     * one (due once 1 MiB was promoted, the nursery's bytes counted) is
     * needed once at most in 200,000 steps */
    assert_true(info.young_collections >= (size_t)steps / 200);
    assert_true(info.full_collections <= 1);
    assert_true(most < ((256u << 10) + (2u << 20)) / 136u);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 4); /* x0, x1 and their grads */
    ag_release(x0);
    ag_release(x1);
}

/* The same long chain kept alive by a root is freed by ag_ctx_free. */
static void test_free_big_graph(void **state) {
    ag_ctx *c = ag_ctx_new();
    ag_var *y = ag_scalar(c, 0.1);
    for (int i = 0; i < 200000; i++) y = ag_add(c, y, y);
    ag_retain(y);
    ag_ctx_free(c);
}

/* Rebinding a name in a loop: the old values go away. */
static void test_rebinding(void **state) {
    ag_var *x = S(1);
    ag_retain(x);
    size_t base = 0;
    for (int i = 0; i < 1000; i++) {
        ag_var *next = ag_add(ctx, ag_mul(ctx, x, S(0.5)), S(1));
        ag_release(x);
        x = next;
        ag_retain(x);
        ag_unchain(x); /* like x = x.data: the history is dropped */
        ag_gc(ctx);
        if (i == 0) base = ag_live_vars(ctx);
        assert_int_equal(ag_live_vars(ctx), base);
    }
    assert_close_tol(ag_item(x), 2, 1e-12, 1e-12);
    ag_release(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

/* The op table is complete: every op has a name, forward and backward. */
static void test_op_table(void **state) {
    for (int op = 0; op < AG_OP_COUNT; op++) {
        assert_non_null(ag_op_name(op));
        assert_true(strlen(ag_op_name(op)) > 0);
    }
    assert_null(ag_op_name(AG_OP_COUNT));
    /* every op states its rule, one "d/d..." per input (variadic: at least one) */
    for (int op = 0; op < AG_OP_COUNT; op++) {
        const char *rule = ag_op_rule(op);
        assert_non_null(rule);
        int parts = 0;
        for (const char *p = rule; (p = strstr(p, "d/d")) != NULL; p += 3) parts++;
        if (ag_op_arity(op) > 0) assert_int_equal(parts, ag_op_arity(op));
        else assert_true(parts >= 1);
    }
    assert_string_equal(ag_op_rule(AG_OP_MUL), "d/da a*b = b; d/db a*b = a");
    assert_null(ag_op_rule(-1));
    /* an op's operand names (OPERANDS in the op list) agree with its own
     * rule and reading: two inputs, each rule part "d/dNAME ...", the
     * reading "NAME ... NAME" */
    int named_ops = 0;
    for (int op = 0; op < AG_OP_COUNT; op++) {
        const char *first = ag_op_operand(op, 0), *second = ag_op_operand(op, 1);
        const char *text = ag_op_operands_text(op);
        if (first == NULL) {
            assert_null(second);
            assert_null(text);
            continue;
        }
        named_ops++;
        assert_non_null(second);
        assert_non_null(text);
        assert_int_equal(ag_op_arity(op), 2);
        char part[64];
        snprintf(part, sizeof part, "d/d%s %s", first, first);
        assert_ptr_equal(strstr(ag_op_rule(op), part), ag_op_rule(op)); /* the first part */
        snprintf(part, sizeof part, "; d/d%s ", second);
        assert_non_null(strstr(ag_op_rule(op), part));
        assert_memory_equal(text, first, strlen(first));
        assert_string_equal(text + strlen(text) - strlen(second), second);
        assert_int_equal(text[strlen(first)], ' ');
    }
    assert_int_equal(named_ops, 4); /* Sub, Div, Pow(base, exp), MatMul */
    assert_string_equal(ag_op_operand(AG_OP_POWV, 1), "exp");
    assert_string_equal(ag_op_operands_text(AG_OP_MATMUL), "left @ right");
    assert_null(ag_op_operand(AG_OP_ADD, 0));
    assert_null(ag_op_operand(AG_OP_SUB, 2));
    assert_null(ag_op_operand(-1, 0));
    assert_null(ag_op_operands_text(AG_OP_COUNT));
    /* every input name a row gives (OPERANDS or INPUT_NAMES) is a "d/dNAME"
     * of its rule; Linear's and CrossEntropy's are not drawn on edges */
    for (int op = 0; op < AG_OP_COUNT; op++)
        for (int k = 0; ag_op_input_name(op, k) != NULL; k++) {
            char part[64];
            snprintf(part, sizeof part, "d/d%s ", ag_op_input_name(op, k));
            assert_non_null(strstr(ag_op_rule(op), part));
        }
    /* and the other way: every input a rule names ("d/dNAME", NAME up to a
     * subscript's '_') is one its row gives, or, for a row naming none, the
     * inspector's default (x of one input, a and b of two, xi of Concat's
     * x1, x2, ...): a rule naming cond, index or cols needs them in its row */
    for (int op = 0; op < AG_OP_COUNT; op++) {
        for (const char *p = ag_op_rule(op); (p = strstr(p, "d/d")) != NULL;) {
            p += 3;
            char name[16];
            size_t len = 0;
            while (isalnum((unsigned char)p[len]) && len + 1 < sizeof name) len++;
            memcpy(name, p, len);
            name[len] = '\0';
            bool known = false;
            int arity = ag_op_arity(op);
            for (int k = 0; k < (arity < 0 ? 3 : arity); k++) {
                const char *given = ag_op_input_name(op, k);
                const char *fallback = arity == 1 ? "x" : arity == 2 ? (k == 0 ? "a" : "b") : "xi";
                if (strcmp(name, given != NULL ? given : fallback) == 0) known = true;
            }
            if (!known) fail_msg("%s's rule names d/d%s, which its row does not", ag_op_name(op), name);
        }
    }
    assert_string_equal(ag_op_input_name(AG_OP_WHERE, 0), "cond");
    assert_string_equal(ag_op_input_name(AG_OP_GATHER, 1), "index");
    assert_string_equal(ag_op_input_name(AG_OP_SCATTER_ADD, 0), "src");
    assert_string_equal(ag_op_input_name(AG_OP_COL2IM, 0), "cols");
    assert_string_equal(ag_op_input_name(AG_OP_GET_ITEM_GRAD, 0), "g");
    assert_string_equal(ag_op_input_name(AG_OP_LINEAR, 2), "b");
    assert_string_equal(ag_op_input_name(AG_OP_CROSS_ENTROPY, 1), "t");
    assert_string_equal(ag_op_input_name(AG_OP_SUB, 1), "b");
    assert_null(ag_op_operand(AG_OP_LINEAR, 0));
    assert_null(ag_op_input_name(AG_OP_ADD, 0));
    assert_null(ag_op_input_name(AG_OP_LINEAR, 3));
    assert_null(ag_op_input_name(-1, 0));
    /* the gradient column: a comparison and an index have none, and their
     * rule says so; a user op's number (past the list) has one */
    for (int op = 0; op < AG_OP_COUNT; op++)
        assert_int_equal(ag_op_has_gradient(op), strncmp(ag_op_rule(op), "no gradient", 11) != 0);
    assert_false(ag_op_has_gradient(AG_OP_LT));
    assert_false(ag_op_has_gradient(AG_OP_ARGMAX));
    assert_true(ag_op_has_gradient(AG_OP_MUL));
    assert_true(ag_op_has_gradient(AG_OP_COUNT));
    char label[64];
    ag_var *y = ag_pow(ctx, S(2), 2);
    assert_string_equal(ag_func_label(ag_creator(y), label, sizeof label), "Pow(2)");
    ag_var *z = ag_sin(ctx, y);
    assert_string_equal(ag_func_label(ag_creator(z), label, sizeof label), "Sin");
    ag_var *c = ag_clip(ctx, y, 0, 0.5);
    assert_string_equal(ag_func_label(ag_creator(c), label, sizeof label), "Clip(0, 0.5)");
}

/* One function's backward alone: the local derivative (no gy) and a
 * contribution (gy given), no .grad touched; bad requests are errors. */
static void test_func_input_grad(void **state) {
    ag_var *a = S(3), *b = S(4);
    ag_var *z = ag_mul(ctx, a, b);
    ag_func *f = ag_creator(z);
    assert_close(ag_item(ag_func_input_grad(ctx, f, 0, NULL)), 4);
    assert_close(ag_item(ag_func_input_grad(ctx, f, 1, S(2))), 6);
    assert_null(ag_grad(a));
    assert_null(ag_grad(z));
    assert_null(ag_func_input_grad(ctx, f, 2, NULL));
    assert_string_equal(ag_errmsg(ctx), "input_grad: Mul has no input 3");
    ag_clear_error(ctx);
    int shape[1] = {2};
    assert_null(ag_func_input_grad(ctx, f, 0, ag_ones(ctx, 1, shape)));
    assert_string_equal(ag_errmsg(ctx), "input_grad: the gradient is not shaped like Mul's output");
    ag_clear_error(ctx);
    ag_var *s = ag_sin(ctx, a);
    assert_close(ag_item(ag_func_input_grad(ctx, ag_creator(s), 0, NULL)), cos(3.0));
    assert_true(ag_grad_enabled(ctx));
}

/* Variables made by a create_graph backward are flagged for the graph view. */
static void test_backward_flags(void **state) {
    ag_var *x = S(1);
    ag_var *y = ag_tanh(ctx, x);
    assert_false(ag_var_flags(y) & AG_VAR_BACKWARD);
    ag_backward(ctx, y, &CG);
    assert_true(ag_var_flags(ag_grad(x)) & AG_VAR_BACKWARD);
    assert_non_null(ag_creator(ag_grad(x)));
}

/* The step hook sees each function once, in upstream's order. */
static int steps;
static int step_ops[8];
static bool count_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    if (steps < 8) step_ops[steps] = ag_func_op(f);
    steps++;
    return true;
}
static void test_step_hook(void **state) {
    ag_var *x = S(1);
    ag_var *y = ag_add(ctx, ag_sin(ctx, x), ag_square(ctx, x));
    ag_backward_opts opts = {.step = count_step};
    steps = 0;
    ag_backward(ctx, y, &opts);
    assert_int_equal(steps, 3);
    assert_int_equal(step_ops[0], AG_OP_ADD);
    assert_int_equal(step_ops[1], AG_OP_SQUARE); /* added last, popped first */
    assert_int_equal(step_ops[2], AG_OP_SIN);
    assert_close(ag_item(ag_grad(x)), cos(1.0) + 2.0);
}

/* ag_gc from a step callback: the pass's own gradients are
 * not roots, so a collection there freed them under it (heap-use-after-free
 * under ASan, a NaN gradient otherwise).  It is refused with a message, the
 * young and paced collections too, and the pass ends with the right numbers. */
static size_t gc_freed_in_step;
static ag_err gc_code_in_step;
static char gc_release_message[512];
static bool collect_in_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    ag_ctx *c = user;
    /* ag_gc_release is refused too, naming itself (not the ag_gc it calls) */
    gc_freed_in_step += ag_gc_release(c);
    snprintf(gc_release_message, sizeof gc_release_message, "%s", ag_errmsg(c));
    gc_freed_in_step += ag_gc(c) + ag_gc_young(c) + ag_gc_auto(c);
    gc_code_in_step = ag_errcode(c);
    steps++;
    return true;
}
static void test_gc_refused_during_backward(void **state) {
    ag_var *x = S(0.7);
    ag_retain(x);
    for (int i = 0; i < 100; i++) ag_exp(ctx, S(i)); /* garbage a collection would free */
    ag_var *y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, x), x), ag_square(ctx, x));
    ag_backward_opts opts = {.step = collect_in_step, .step_user = ctx};
    steps = 0;
    gc_freed_in_step = 0;
    gc_code_in_step = AG_OK;
    assert_int_equal(ag_backward(ctx, y, &opts), 0);
    assert_int_equal(steps, 4);
    assert_int_equal(gc_freed_in_step, 0);
    assert_int_equal(gc_code_in_step, AG_ERR_ARG);
    assert_true(strncmp(ag_errmsg(ctx), "gc_young: refused during a backward pass", 40) == 0);
    assert_string_equal(gc_release_message,
                        "gc_release: refused during a backward pass (called from a step callback or an "
                        "op's backward?); collect after ag_backward returns");
    assert_close(ag_item(ag_grad(x)), cos(0.7) * 0.7 + sin(0.7) + 2 * 0.7);
    ag_clear_error(ctx);
    /* after the pass it collects as usual, and x and its gradient stay */
    assert_true(ag_gc(ctx) >= 200);
    assert_false(ag_failed(ctx));
    assert_close(ag_item(ag_grad(x)), cos(0.7) * 0.7 + sin(0.7) + 2 * 0.7);
    ag_release(x);
}

/* ag_grad_of and ag_backward from a step callback (a drawing's inspector
 * asked for dy/dc while backward(step=true) ran): the nested pass restamped
 * the functions the running one had queued, which then ended after 3 of its
 * 5 steps with no gradient for x.  Both are refused with a message, and the
 * pass runs every step to the right numbers. */
static ag_var *nested_y, *nested_x;
static int nested_refusals;
static bool nested_in_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    ag_ctx *c = user;
    if (ag_grad_of(c, nested_y, nested_x, false) == NULL && ag_errcode(c) == AG_ERR_ARG &&
        strncmp(ag_errmsg(c), "grad: refused during a backward pass", 36) == 0)
        nested_refusals++;
    ag_clear_error(c);
    if (ag_backward(c, nested_y, NULL) < 0 && strncmp(ag_errmsg(c), "backward: refused during a backward pass", 40) == 0)
        nested_refusals++;
    ag_clear_error(c);
    steps++;
    return true;
}
static void test_nested_backward_refused(void **state) {
    ag_var *x = nested_x = S(0.7), *b = S(1.5);
    /* rosenbrock's shape: x feeds two branches */
    ag_var *y = nested_y = ag_add(ctx, ag_mul(ctx, S(100), ag_square(ctx, ag_sub(ctx, b, ag_square(ctx, x)))),
                                  ag_square(ctx, ag_sub(ctx, x, S(1))));
    ag_backward_opts opts = {.step = nested_in_step, .step_user = ctx};
    steps = 0;
    nested_refusals = 0;
    assert_int_equal(ag_backward(ctx, y, &opts), 0);
    assert_int_equal(steps, 7);
    assert_int_equal(nested_refusals, 14);
    double inner = 1.5 - 0.49;
    assert_close(ag_item(ag_grad(x)), -400 * 0.7 * inner + 2 * (0.7 - 1));
    assert_close(ag_item(ag_grad(b)), 200 * inner);
    assert_int_equal(ag_grad_calls(x), 1);
    /* after the pass both work as usual */
    ag_var *dx = ag_grad_of(ctx, y, x, false);
    assert_non_null(dx);
    assert_close(ag_item(dx), -400 * 0.7 * inner + 2 * (0.7 - 1));
    assert_close(ag_item(ag_grad(x)), -400 * 0.7 * inner + 2 * (0.7 - 1)); /* untouched */
    assert_false(ag_failed(ctx));
}

/* ag_ctx_free from a step callback: the pass would go on in freed memory
 * (heap-use-after-free under ASan).  It is refused with a message, the pass
 * ends with the right gradient, and the context is freed after it. */
static ag_err free_code_in_step;
static bool free_in_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    ag_ctx *c = user;
    ag_ctx_free(c);
    free_code_in_step = ag_errcode(c);
    steps++;
    return true;
}
static void test_ctx_free_refused_during_backward(void **state) {
    (void)state;
    ag_ctx *c = ag_ctx_new();
    assert_non_null(c);
    ag_var *x = ag_scalar(c, 0.7);
    ag_var *y = ag_mul(c, ag_sin(c, x), ag_square(c, x));
    ag_backward_opts opts = {.step = free_in_step, .step_user = c};
    steps = 0;
    free_code_in_step = AG_OK;
    assert_int_equal(ag_backward(c, y, &opts), 0);
    assert_int_equal(steps, 3);
    assert_int_equal(free_code_in_step, AG_ERR_ARG);
    assert_true(strncmp(ag_errmsg(c), "ctx_free: refused during a backward pass", 40) == 0);
    assert_close(ag_item(ag_grad(x)), cos(0.7) * 0.49 + sin(0.7) * 2 * 0.7);
    ag_ctx_free(c); /* after the pass it frees (ASan and valgrind see no leak) */
}

/* ag_backward_with's sized options: an older, smaller struct gets the
 * defaults for what it lacks; a newer one is taken when what this library
 * does not know is zero and refused otherwise; a size of 0 is refused. */
static void test_backward_options_grow(void **state) {
    (void)state;
    typedef struct { /* a caller compiled before step and step_user */
        size_t size;
        bool retain_grad;
        bool create_graph;
    } older;
    typedef struct { /* a caller compiled with a field this library lacks */
        ag_backward_options known;
        double newer_field;
    } newer;
    ag_var *x = ag_scalar(ctx, 3.0);
    ag_var *h = ag_mul(ctx, x, x);
    ag_var *y = ag_sin(ctx, h);
    older small = {sizeof small, true, false};
    assert_int_equal(ag_backward_with(ctx, y, (const ag_backward_options *)&small), 0);
    assert_close(ag_item(ag_grad(x)), cos(9.0) * 6.0);
    assert_non_null(ag_grad(h)); /* retain_grad was read */
    ag_cleargrad(x);
    ag_cleargrad(h);
    ag_cleargrad(y);
    newer big = {AG_BACKWARD_OPTIONS_INIT, 0.0};
    big.known.size = sizeof big;
    big.known.create_graph = true;
    assert_int_equal(ag_backward_with(ctx, y, &big.known), 0);
    assert_non_null(ag_creator(ag_grad(x))); /* create_graph was read */
    big.newer_field = 1.0;
    assert_int_equal(ag_backward_with(ctx, y, &big.known), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_ARG);
    assert_non_null(strstr(ag_errmsg(ctx), "does not know"));
    ag_clear_error(ctx);
    ag_backward_options zero = {0};
    assert_int_equal(ag_backward_with(ctx, y, &zero), -1);
    assert_non_null(strstr(ag_errmsg(ctx), "AG_BACKWARD_OPTIONS_INIT"));
    ag_clear_error(ctx);
    ag_backward_options defaults = AG_BACKWARD_OPTIONS_INIT;
    assert_int_equal(defaults.size, sizeof defaults);
    assert_int_equal(ag_backward_with(ctx, y, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_composite),
        CTX_TEST(test_grad_calls),
        CTX_TEST(test_backward_summed_data),
        CTX_TEST(test_last_grads),
        CTX_TEST(test_last_grads_capped),
        CTX_TEST(test_func_tags),
        CTX_TEST(test_accumulation),
        CTX_TEST(test_matyas_rosenbrock),
        CTX_TEST(test_rosenbrock_descent),
        CTX_TEST(test_newton_double_backprop),
        CTX_TEST(test_double),
        CTX_TEST(test_sin_cos_derivatives),
        CTX_TEST(test_higher_orders),
        CTX_TEST(test_second_order_binary),
        CTX_TEST(test_retain_grad),
        CTX_TEST(test_modes),
        CTX_TEST(test_unchain),
        CTX_TEST(test_leaf_and_generation),
        CTX_TEST(test_functional_grad),
        CTX_TEST(test_functional_grads),
        CTX_TEST(test_errors),
        CTX_TEST(test_nonfinite),
        CTX_TEST(test_million_chain),
        CTX_TEST(test_million_steps_flat),
        CTX_TEST(test_young_collection_keeps_remembered_grads),
        cmocka_unit_test(test_full_gc_fast_as_plain),
        CTX_TEST(test_gc_auto_paces_by_allocation),
        CTX_TEST(test_free_big_graph),
        CTX_TEST(test_rebinding),
        CTX_TEST(test_op_table),
        CTX_TEST(test_func_input_grad),
        CTX_TEST(test_backward_flags),
        CTX_TEST(test_step_hook),
        CTX_TEST(test_gc_refused_during_backward),
        CTX_TEST(test_nested_backward_refused),
        CTX_TEST(test_backward_options_grow),
        CTX_TEST(test_backward_reclaims_when_it_pays),
        CTX_TEST(test_flat_pass_as_plain),
        CTX_TEST(test_quick_slots_as_plain),
        CTX_TEST(test_flat_two_input_ops),
        cmocka_unit_test(test_scalar_ops_have_scalar_gradients),
        cmocka_unit_test(test_ctx_free_refused_during_backward),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
