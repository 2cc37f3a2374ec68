/* test_models.c — layers and models: the fixed-weight LSTM and RNN values
 * computed by running upstream (itsubaki/autograd), parameter names and shapes (upstream's tests), lazy and seeded
 * initialisation, batched inputs, gradients against central differences,
 * hidden-state retention under ag_gc, error messages, and an MLP fitting a
 * noisy sine with SGD while memory stays flat. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag_model.h"
#include "ag_optim.h"

static const double pi = 3.141592653589793;

static void assert_failed_with(const char *message) {
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), message);
    ag_clear_error(ctx);
}

static ag_var *sum_all(ag_var *x) { return ag_sum(ctx, x, NULL, 0); }

/* Checks the model's parameter names (sorted) and shapes: shapes[i] is
 * {rows, cols}. */
static void assert_params(const ag_model *m, const char *const *names, const int (*shapes)[2],
                          int n) {
    assert_int_equal(ag_model_param_count(m), n);
    for (int i = 0; i < n; i++) {
        const char *name = NULL;
        ag_var *p = ag_model_param(m, i, &name);
        assert_non_null(p);
        assert_string_equal(name, names[i]);
        check_shape_at(p, shapes[i], 2, __FILE__, __LINE__);
        assert_ptr_equal(ag_model_param_by_name(m, names[i]), p);
        assert_true(ag_var_flags(p) & AG_VAR_PARAM);
        const char *own = strrchr(names[i], '.');
        assert_string_equal(ag_name(p), own ? own + 1 : names[i]); /* "w" or "b" */
    }
    assert_null(ag_model_param(m, n, NULL));
}

/* ---- upstream's values, fixed weights ----------------------------------------------- */

/* Upstream's recipe: every parameter, taken in sorted name order i, gets
 * element k = 0.1*(k+1)*s/(i+1), s = +1 when i+k is even, else -1. */
static void set_fixed_weights(ag_model *m) {
    for (int i = 0; i < ag_model_param_count(m); i++) {
        ag_var *p = ag_model_param(m, i, NULL);
        for (size_t k = 0; k < ag_size(p); k++) {
            double s = (i + (int)k) % 2 == 0 ? 1.0 : -1.0;
            ag_data(p)[k] = 0.1 * (double)(k + 1) * s / (double)(i + 1);
        }
    }
}

/* One throw-away call makes the lazy x2* weights; then reset, set, and run
 * two steps on [[0.5]] and [[-1]], and backward from sum(h2). */
static void run_fixed_recipe(ag_model *layer, ag_var **h1, ag_var **h2, ag_var **x1,
                             ag_var **x2) {
    assert_non_null(ag_model_forward(layer, VAR(ctx, SHAPE(1, 1), 0.0)));
    ag_model_reset_state(layer);
    set_fixed_weights(layer);
    *x1 = VAR(ctx, SHAPE(1, 1), 0.5);
    *x2 = VAR(ctx, SHAPE(1, 1), -1.0);
    *h1 = ag_model_forward(layer, *x1);
    *h2 = ag_model_forward(layer, *x2);
    assert_non_null(*h2);
    assert_int_equal(ag_backward(ctx, sum_all(*h2), NULL), 0);
}

static void test_lstm_fixed_weights(void **state) {
    ag_model *lstm = ag_lstm_layer(ctx, 2, 0);
    ag_var *h1, *h2, *x1, *x2;
    run_fixed_recipe(lstm, &h1, &h2, &x1, &x2);
    static const char *const names[] = {"h2f.w", "h2i.w", "h2o.w", "h2u.w", "x2f.b", "x2f.w",
                                        "x2i.b", "x2i.w", "x2o.b", "x2o.w", "x2u.b", "x2u.w"};
    static const int shapes[][2] = {{2, 2}, {2, 2}, {2, 2}, {2, 2}, {1, 2}, {1, 2},
                                    {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}};
    assert_params(lstm, names, shapes, 12);
    assert_var_string(ag_model_param(lstm, 0, NULL), "w[2 2]([0.1 -0.2 0.30000000000000004 -0.4])");
    assert_var_string(ag_model_param(lstm, 2, NULL),
                      "w[2 2]([0.03333333333333333 -0.06666666666666667 0.10000000000000002 "
                      "-0.13333333333333333])");
    assert_var_string(ag_model_param(lstm, 6, NULL),
                      "b[1 2]([0.014285714285714287 -0.028571428571428574])");
    assert_var_string(ag_model_param(lstm, 11, NULL),
                      "w[1 2]([-0.008333333333333333 0.016666666666666666])");

    assert_data(h1, 0.0012397709347636166, -0.0024273137487019402);
    assert_data(h2, 0.005134965017608467, -0.009489888360090695);
    static const double grads[12][4] = {
        {3.869274164894911e-07, -7.398192408518659e-07, -7.575546509918277e-07, 1.4484719430983926e-06},
        {2.7510699734157916e-06, -5.306566757020017e-06, -5.386244977090426e-06, 1.0389582532175817e-05},
        {3.1498126632548644e-06, -6.006106067451805e-06, -6.166932429991002e-06, 1.1759191496506236e-05},
        {0.0003172936757064373, 0.0002947843083470039, -0.0006212206463488809, -0.0005771501690259445},
        {0.0003120958925878234, -0.0005967386555911839},
        {-0.0003120958925878234, 0.0005967386555911839},
        {0.002538965452065712, -0.004866408465139009},
        {-0.0020590393778592594, 0.003987215792076182},
        {0.0025440457598733925, -0.004850177593181776},
        {-0.0025389383729847105, 0.004841704486392033},
        {0.38640059996273735, 0.35584589241863573},
        {-0.19069361155834824, -0.17873686095482916},
    };
    for (int i = 0; i < 12; i++) {
        ag_var *g = ag_grad(ag_model_param(lstm, i, NULL));
        check_data_at(g, grads[i], i < 4 ? 4 : 2, 1e-12, __FILE__, __LINE__);
    }
    assert_close(ag_item(ag_grad(x1)), 0.0008618174615120232);
    assert_close(ag_item(ag_grad(x2)), 0.001548008236471259);
    ag_model_unref(lstm);
}

static void test_rnn_fixed_weights(void **state) {
    ag_model *rnn = ag_rnn_layer(ctx, 2, 0);
    ag_var *h1, *h2, *x1, *x2;
    run_fixed_recipe(rnn, &h1, &h2, &x1, &x2);
    static const char *const names[] = {"h2h.w", "x2h.b", "x2h.w"};
    static const int shapes[][2] = {{2, 2}, {1, 2}, {1, 2}};
    assert_params(rnn, names, shapes, 3);
    assert_data(h1, -0.03332099313882287, 0.06656807650226258);
    assert_data(h2, -0.06659629388216837, 0.14566016701536552);
    assert_data(ag_grad(ag_model_param(rnn, 0, NULL)), -0.033173212323109734, -0.03261402548413667,
                0.0662728426655947, 0.06515570932803981);
    assert_data(ag_grad(ag_model_param(rnn, 1, NULL)), 0.8994716137621208, 0.886350768938449);
    assert_data(ag_grad(ag_model_param(rnn, 2, NULL)), -1.0436115935806793, -1.0249992891483592);
    ag_model_unref(rnn);
}

/* ---- names, shapes, lazy weights (upstream's tests) --------------------------------- */

static void test_mlp_names_and_lazy_shapes(void **state) {
    ag_model *m = ag_mlp(ctx, (const int[]){5, 1}, 2, AG_ACT_SIGMOID, 0);
    static const char *const biases[] = {"linear[0].b", "linear[1].b"};
    assert_params(m, biases, (const int[][2]){{1, 5}, {1, 1}}, 2); /* weights not made yet */
    assert_false(ag_model_initialized(m));
    char buf[128];
    assert_string_equal(ag_model_describe(m, buf, sizeof buf),
                        "mlp [5 1] sigmoid, weights made at the first call (their sizes come from its input)");

    ag_var *y = ag_model_forward(m, VAR(ctx, SHAPE(1, 2), 1, 2));
    assert_shape(y, 1, 1);
    static const char *const names[] = {"linear[0].b", "linear[0].w", "linear[1].b", "linear[1].w"};
    assert_params(m, names, (const int[][2]){{1, 5}, {2, 5}, {1, 1}, {5, 1}}, 4);
    assert_true(ag_model_initialized(m));
    assert_int_equal(ag_model_param_size(m), 5 + 10 + 1 + 5);
    assert_string_equal(ag_model_describe(m, buf, sizeof buf), "mlp [5 1] sigmoid, 4 parameters (21 values)");
    assert_var_string(ag_model_param(m, 0, NULL), "b[1 5]([0 0 0 0 0])");
    ag_model_unref(m);

    m = ag_mlp(ctx, (const int[]){10, 1}, 2, AG_ACT_SIGMOID, 0);
    ag_model_forward(m, VAR(ctx, SHAPE(2, 1), 1, 2));
    assert_string_equal(ag_model_describe(m, buf, sizeof buf), "mlp [10 1] sigmoid, 4 parameters (31 values)");
    assert_string_equal(ag_model_describe(m, buf, 8), "mlp [10"); /* truncated, terminated */
    ag_model_unref(m);

    m = ag_mlp(ctx, (const int[]){1, 2, 3}, 3, AG_ACT_RELU, 0);
    assert_string_equal(ag_model_describe(m, buf, sizeof buf),
                        "mlp [1 2 3] relu, weights made at the first call (their sizes come from its input)");
    assert_int_equal(ag_model_get_kind(m), AG_MODEL_MLP);
    assert_string_equal(ag_model_kind_name(ag_model_get_kind(m)), "mlp");
    ag_model_unref(m);
}

static void test_lstm_model_names_g91(void **state) {
    ag_model *m = ag_lstm_model(ctx, 100, 1, 0);
    /* before the first call: biases and the hidden weights drawn at construction */
    assert_int_equal(ag_model_param_count(m), 1 + 4 + 4);
    ag_var *y = ag_model_forward(m, VAR(ctx, SHAPE(1, 3), 1, 2, 3));
    assert_shape(y, 1, 1);
    static const char *const names[] = {
        "linear.b",   "linear.w",   "lstm.h2f.w", "lstm.h2i.w", "lstm.h2o.w", "lstm.h2u.w",
        "lstm.x2f.b", "lstm.x2f.w", "lstm.x2i.b", "lstm.x2i.w", "lstm.x2o.b", "lstm.x2o.w",
        "lstm.x2u.b", "lstm.x2u.w"};
    static const int shapes[][2] = {{1, 1},   {100, 1}, {100, 100}, {100, 100}, {100, 100},
                                    {100, 100}, {1, 100}, {3, 100}, {1, 100},   {3, 100},
                                    {1, 100},   {3, 100}, {1, 100}, {3, 100}};
    assert_params(m, names, shapes, 14);
    char buf[128];
    assert_string_equal(ag_model_describe(m, buf, sizeof buf),
                        "lstm hidden 100 out 1, 14 parameters (41701 values)");
    ag_model_unref(m);

    m = ag_rnn_model(ctx, 4, 2, 0);
    ag_model_forward(m, VAR(ctx, SHAPE(1, 3), 1, 2, 3));
    static const char *const rnn_names[] = {"linear.b", "linear.w", "rnn.h2h.w", "rnn.x2h.b",
                                            "rnn.x2h.w"};
    assert_params(m, rnn_names, (const int[][2]){{1, 2}, {4, 2}, {4, 4}, {1, 4}, {3, 4}}, 5);
    assert_string_equal(ag_model_describe(m, buf, sizeof buf), "rnn hidden 4 out 2, 5 parameters (42 values)");
    ag_model_unref(m);
}

/* Upstream's test: Linear(5) on [1 2 3], backward twice without clearing: grads add. */
static void test_linear_grads_g90(void **state) {
    ag_model *m = ag_linear_model(ctx, 5, true, 0);
    ag_var *x = VAR(ctx, SHAPE(1, 3), 1, 2, 3);
    for (int round = 1; round <= 2; round++) {
        ag_var *y = ag_model_forward(m, x);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
    }
    assert_params(m, (const char *const[]){"b", "w"}, (const int[][2]){{1, 5}, {3, 5}}, 2);
    assert_var_string(ag_grad(ag_model_param(m, 0, NULL)), "variable[1 5]([2 2 2 2 2])");
    assert_var_string(ag_grad(ag_model_param(m, 1, NULL)),
                      "variable[3 5]([2 2 2 2 2 4 4 4 4 4 6 6 6 6 6])");
    ag_model_cleargrad(m);
    assert_null(ag_grad(ag_model_param(m, 0, NULL)));
    assert_null(ag_grad(ag_model_param(m, 1, NULL)));
    char buf[128];
    assert_string_equal(ag_model_describe(m, buf, sizeof buf), "linear_layer out 5, 2 parameters (20 values)");
    ag_model_unref(m);

    m = ag_linear_model(ctx, 5, false, 0); /* WithNoBias */
    ag_model_forward(m, x);
    assert_params(m, (const char *const[]){"w"}, (const int[][2]){{3, 5}}, 1);
    assert_string_equal(ag_model_describe(m, buf, sizeof buf),
                        "linear_layer out 5 no bias, 1 parameter (15 values)");
    ag_model_unref(m);
}

/* in_size= makes w when the layer is made, from the draws a lazy layer makes
 * at its first call; in_size < 0 is refused. */
static void test_linear_in_size(void **state) {
    ag_model *sized = ag_linear_model_in_size(ctx, 3, 4, false, 9);
    assert_non_null(sized);
    assert_params(sized, (const char *const[]){"w"}, (const int[][2]){{4, 3}}, 1);
    ag_model *lazy = ag_linear_model(ctx, 3, false, 9);
    assert_int_equal(ag_model_param_count(lazy), 0);
    assert_non_null(ag_model_forward(lazy, ag_ones(ctx, 2, (const int[]){1, 4})));
    const double *a = ag_cdata(ag_model_param(sized, 0, NULL)), *b = ag_cdata(ag_model_param(lazy, 0, NULL));
    for (int i = 0; i < 12; i++) assert_true(a[i] == b[i]);
    assert_null(ag_model_forward(sized, ag_ones(ctx, 2, (const int[]){1, 5})));
    assert_string_equal(ag_errmsg(ctx), "linear_layer: input has 5 features but the layer was built for 4");
    ag_clear_error(ctx);
    ag_model_unref(sized);
    ag_model_unref(lazy);
    assert_null(ag_linear_model_in_size(ctx, 3, -1, true, 0));
    assert_string_equal(ag_errmsg(ctx), "linear_layer: in_size must be at least 1 (got -1)");
    ag_clear_error(ctx);
}

/* Upstream's test: batch [2 2 2] inputs through every kind. */
static void test_batched_inputs(void **state) {
    struct {
        ag_model *m;
        int last;
    } cases[] = {
        {ag_linear_model(ctx, 5, true, 1), 5},
        {ag_rnn_layer(ctx, 2, 1), 2},
        {ag_lstm_layer(ctx, 2, 1), 2},
        {ag_mlp(ctx, (const int[]){3, 1}, 2, AG_ACT_TANH, 1), 1},
        {ag_lstm_model(ctx, 3, 1, 1), 1},
        {ag_rnn_model(ctx, 3, 1, 1), 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ag_var *x = VAR(ctx, SHAPE(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        for (int step = 0; step < 2; step++) { /* two steps: the hidden path too */
            ag_var *y = ag_model_forward(cases[c].m, x);
            assert_shape(y, 2, 2, cases[c].last);
            assert_int_equal(ag_backward(ctx, sum_all(y), NULL), 0);
        }
        assert_shape(ag_grad(x), 2, 2, 2);
        ag_model_unref(cases[c].m);
    }
}

/* ---- seeds -------------------------------------------------------------------------- */

/* The first weight drawn: randn(in, out)/sqrt(in) from a generator seeded
 * like the model's. */
static void test_seeded_init(void **state) {
    ag_model *a = ag_mlp(ctx, (const int[]){4, 2}, 2, AG_ACT_SIGMOID, 42);
    ag_model *b = ag_mlp(ctx, (const int[]){4, 2}, 2, AG_ACT_SIGMOID, 42);
    ag_model *c = ag_mlp(ctx, (const int[]){4, 2}, 2, AG_ACT_SIGMOID, 43);
    ag_var *x = VAR(ctx, SHAPE(1, 3), 1, 2, 3);
    ag_model_forward(a, x);
    ag_model_forward(b, x);
    ag_model_forward(c, x);
    for (int i = 0; i < ag_model_param_count(a); i++) {
        ag_var *pa = ag_model_param(a, i, NULL), *pb = ag_model_param(b, i, NULL);
        assert_memory_equal(ag_cdata(pa), ag_cdata(pb), ag_size(pa) * sizeof(double));
    }
    ag_var *wa = ag_model_param_by_name(a, "linear[0].w"), *wc = ag_model_param_by_name(c, "linear[0].w");
    assert_true(memcmp(ag_cdata(wa), ag_cdata(wc), ag_size(wa) * sizeof(double)) != 0);

    /* draw order: linear[0].w (3x4) then linear[1].w (4x2), row-major */
    ag_rng rng;
    ag_rng_seed(&rng, 42);
    for (int k = 0; k < 12; k++) assert_close(ag_cdata(wa)[k], ag_rng_normal(&rng) / sqrt(3.0));
    ag_var *w1 = ag_model_param_by_name(a, "linear[1].w");
    for (int k = 0; k < 8; k++) assert_close(ag_cdata(w1)[k], ag_rng_normal(&rng) * (1.0 / sqrt(4.0)));
    ag_model_unref(a);
    ag_model_unref(b);
    ag_model_unref(c);
}

/* LSTM draw order: h2f, h2i, h2o, h2u at construction; x2f..x2u, then
 * linear.w at the first call. */
static void test_lstm_draw_order(void **state) {
    ag_model *m = ag_lstm_model(ctx, 2, 1, 5);
    ag_rng rng;
    ag_rng_seed(&rng, 5);
    const char *order[] = {"lstm.h2f.w", "lstm.h2i.w", "lstm.h2o.w", "lstm.h2u.w"};
    for (int u = 0; u < 4; u++) {
        ag_var *w = ag_model_param_by_name(m, order[u]);
        for (int k = 0; k < 4; k++) assert_close(ag_cdata(w)[k], ag_rng_normal(&rng) / sqrt(2.0));
    }
    assert_null(ag_model_param_by_name(m, "lstm.x2f.w"));
    ag_model_forward(m, VAR(ctx, SHAPE(1, 3), 1, 2, 3));
    const char *lazy[] = {"lstm.x2f.w", "lstm.x2i.w", "lstm.x2o.w", "lstm.x2u.w"};
    for (int u = 0; u < 4; u++) {
        ag_var *w = ag_model_param_by_name(m, lazy[u]);
        for (int k = 0; k < 6; k++) assert_close(ag_cdata(w)[k], ag_rng_normal(&rng) / sqrt(3.0));
    }
    ag_var *w = ag_model_param_by_name(m, "linear.w");
    for (int k = 0; k < 2; k++) assert_close(ag_cdata(w)[k], ag_rng_normal(&rng) / sqrt(2.0));
    ag_model_unref(m);
}

/* ---- gradients against central differences ---------------------------------------- */

/* The loss used by the checks: two steps on x1 then x2 from a fresh state,
 * loss = sum(sin(y1)) + sum(y2^2), so every output element gets its own
 * incoming gradient.  Recurrent models carry h (and c) across the steps. */
static ag_var *two_step_loss(ag_model *m, ag_var *x1, ag_var *x2) {
    ag_model_reset_state(m);
    ag_var *y1 = ag_model_forward(m, x1);
    ag_var *y2 = ag_model_forward(m, x2);
    return ag_add(ctx, sum_all(ag_sin(ctx, y1)), sum_all(ag_square(ctx, y2)));
}

/* Central difference of the loss in element k of v, without recording. */
static double central_difference(ag_model *m, ag_var *x1, ag_var *x2, ag_var *v, size_t k) {
    const double h = 1e-6;
    bool old = ag_set_grad_enabled(ctx, false);
    double saved = ag_data(v)[k];
    ag_data(v)[k] = saved + h;
    double plus = ag_item(two_step_loss(m, x1, x2));
    ag_data(v)[k] = saved - h;
    double minus = ag_item(two_step_loss(m, x1, x2));
    ag_data(v)[k] = saved;
    ag_set_grad_enabled(ctx, old);
    return (plus - minus) / (2 * h);
}

/* Backward of the loss against central differences for every element of
 * every parameter and of both inputs; returns the number of elements checked. */
static int check_model_gradients(ag_model *m) {
    ag_var *x1 = VAR(ctx, SHAPE(2, 3), 0.3, -0.7, 1.1, 0.5, 0.2, -0.4);
    ag_var *x2 = VAR(ctx, SHAPE(2, 3), -0.6, 0.9, 0.1, -1.2, 0.4, 0.8);
    ag_retain(x1);
    ag_retain(x2);
    ag_model_cleargrad(m);
    ag_var *loss = two_step_loss(m, x1, x2); /* also makes the lazy weights */
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    int checked = 0;
    int n = ag_model_param_count(m);
    for (int i = 0; i < n + 2; i++) {
        ag_var *v = i < n ? ag_model_param(m, i, NULL) : (i == n ? x1 : x2);
        ag_var *g = ag_grad(v);
        assert_non_null(g);
        ag_retain(g);
        for (size_t k = 0; k < ag_size(v); k++, checked++) {
            double numeric = central_difference(m, x1, x2, v, k);
            assert_close_tol(ag_cdata(g)[k], numeric, 1e-6, 1e-8);
        }
        ag_release(g);
        ag_gc(ctx);
    }
    ag_release(x1);
    ag_release(x2);
    return checked;
}

static void test_gradients_match_central_differences(void **state) {
    ag_model *linear = ag_linear_model(ctx, 4, true, 3);
    assert_int_equal(check_model_gradients(linear), 3 * 4 + 4 + 12);
    ag_model_unref(linear);
    ag_model *rnn = ag_rnn_layer(ctx, 3, 3);
    assert_int_equal(check_model_gradients(rnn), 9 + 3 + 9 + 12);
    ag_model_unref(rnn);
    ag_model *lstm = ag_lstm_layer(ctx, 3, 3);
    assert_int_equal(check_model_gradients(lstm), 4 * (9 + 3 + 9) + 12);
    ag_model_unref(lstm);
    ag_model *mlp = ag_mlp(ctx, (const int[]){4, 2}, 2, AG_ACT_GELU, 3);
    assert_int_equal(check_model_gradients(mlp), 12 + 4 + 8 + 2 + 12);
    ag_model_unref(mlp);
    ag_model *lstm_model = ag_lstm_model(ctx, 2, 2, 3);
    assert_int_equal(check_model_gradients(lstm_model), 2 + 4 + 4 * (4 + 2 + 6) + 12);
    ag_model_unref(lstm_model);
}

/* ---- hidden state and memory --------------------------------------------------------- */

/* h and c are roots between steps: ag_gc after a step keeps them (and the
 * graph behind them, for backprop through time); reset_state lets go. */
static void test_hidden_state_survives_gc(void **state) {
    ag_model *m = ag_lstm_model(ctx, 3, 1, 9);
    ag_var *x = VAR(ctx, SHAPE(1, 2), 0.1, 0.2);
    ag_retain(x);
    ag_model_forward(m, x);
    ag_gc(ctx);
    size_t params = (size_t)ag_model_param_count(m);
    size_t with_state = ag_live_vars(ctx);
    assert_true(with_state > params + 1);
    ag_var *second = ag_model_forward(m, x); /* would read freed memory if h, c were collected */
    assert_non_null(second);
    assert_int_equal(ag_backward(ctx, sum_all(second), NULL), 0);
    assert_non_null(ag_grad(ag_model_param_by_name(m, "lstm.h2f.w"))); /* reached through h */
    ag_model_cleargrad(m);
    ag_cleargrad(x);
    ag_model_reset_state(m);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), params + 1);
    ag_release(x);
    ag_model_unref(m);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

/* An optimizer bound to a model holds it: freeing the caller's handle first
 * is safe. */
static void test_model_reference_counting(void **state) {
    ag_model *m = ag_linear_model(ctx, 1, true, 0);
    assert_ptr_equal(ag_model_ref(m), m);
    ag_model_unref(m);
    ag_var *x = VAR(ctx, SHAPE(1, 1), 2.0);
    assert_int_equal(ag_backward(ctx, ag_model_forward(m, x), NULL), 0);
    ag_model_unref(m);
    ag_model_unref(NULL);
}

/* ---- errors -------------------------------------------------------------------------- */

static void test_errors(void **state) {
    ag_model *m = ag_mlp(ctx, (const int[]){10, 1}, 2, AG_ACT_SIGMOID, 0);
    assert_non_null(ag_model_forward(m, VAR(ctx, SHAPE(2, 1), 1, 2)));
    size_t live = ag_live_vars(ctx);
    assert_null(ag_model_forward(m, VAR(ctx, SHAPE(1, 3), 1, 2, 3)));
    assert_failed_with("mlp: input has 3 features but linear[0] was built for 1");
    assert_int_equal(ag_live_vars(ctx), live + 1); /* only the input itself */
    assert_null(ag_model_forward(m, VAR(ctx, SHAPE(3), 1, 2, 3)));
    assert_failed_with("mlp: input of shape [3] needs at least 2 dimensions (samples, features)");
    assert_null(ag_model_forward(m, ag_zeros(ctx, 2, (const int[]){2, 0})));
    assert_failed_with("mlp: input has 0 features");
    assert_null(ag_model_forward(m, NULL)); /* every NULL return leaves a message */
    assert_failed_with("mlp: the input is NULL");
    ag_ctx *other = ag_ctx_new();
    assert_null(ag_model_forward(m, ag_ones(other, 2, (const int[]){1, 1})));
    assert_failed_with("mlp: the input belongs to another context");
    ag_ctx_free(other);
    ag_model_unref(m);

    m = ag_linear_model(ctx, 2, true, 0);
    ag_model_forward(m, VAR(ctx, SHAPE(1, 2), 1, 2));
    assert_null(ag_model_forward(m, VAR(ctx, SHAPE(1, 1), 1)));
    assert_failed_with("linear_layer: input has 1 features but the layer was built for 2");
    ag_model_unref(m);

    m = ag_lstm_model(ctx, 2, 1, 0);
    assert_non_null(ag_model_forward(m, VAR(ctx, SHAPE(2, 1), 1, 2)));
    assert_null(ag_model_forward(m, VAR(ctx, SHAPE(3, 1), 1, 2, 3)));
    assert_failed_with("lstm: input batch [3] does not match the hidden state's [2] "
                       "(reset_state() starts over)");
    assert_null(ag_model_forward(m, VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4)));
    assert_failed_with("lstm: input has 2 features but lstm.x2f was built for 1");
    ag_model_reset_state(m);
    assert_non_null(ag_model_forward(m, VAR(ctx, SHAPE(3, 1), 1, 2, 3)));
    ag_model_unref(m);

    assert_null(ag_mlp(ctx, (const int[]){10, 0}, 2, AG_ACT_SIGMOID, 0));
    assert_failed_with("mlp: sizes must be at least 1 (got 0)");
    assert_null(ag_mlp(ctx, NULL, 0, AG_ACT_SIGMOID, 0));
    assert_failed_with("mlp: needs at least one layer size");
    assert_null(ag_mlp(ctx, (const int[]){1}, 1, (ag_activation)7, 0));
    assert_failed_with("mlp: unknown activation 7");
    assert_null(ag_lstm_model(ctx, 0, 1, 0));
    assert_failed_with("lstm: hidden must be at least 1 (got 0)");
    assert_null(ag_rnn_model(ctx, 2, -1, 0));
    assert_failed_with("rnn: out must be at least 1 (got -1)");
    assert_null(ag_linear_model(ctx, 0, true, 0));
    assert_failed_with("linear_layer: out must be at least 1 (got 0)");
    assert_null(ag_lstm_layer(ctx, 100000, 0)); /* h2* would be 1e10 scalars */
    assert_failed_with("lstm_layer: a [100000 100000] weight (h2f.w) is too large");
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0); /* the failed constructions kept nothing */

    ag_activation act;
    assert_int_equal(ag_activation_from_name("gelu", &act), 0);
    assert_int_equal(act, AG_ACT_GELU);
    assert_int_equal(ag_activation_from_name("softmax", &act), -1);
    assert_string_equal(ag_activation_name(AG_ACT_TANH), "tanh");
}

/* ---- training: MLP 1-10-1 on sin(2 pi x) + noise ------------------------------------ */

/* DeZero's step-45 example: x ~ U[0,1), y = sin(2 pi x) + U[0,1) noise,
 * 100 points, full batch, sigmoid MLP [10 1], SGD lr 0.2, 10000 steps.  The
 * noise alone has variance 1/12, so a loss below 0.1 means the curve was
 * fitted.  ag_gc runs every step with only data and model retained: the
 * number of live variables must not grow. */
static void test_mlp_fits_sine(void **state) {
    ag_rng rng;
    ag_rng_seed(&rng, 0);
    ag_var *x = ag_rand(ctx, 2, (const int[]){100, 1}, &rng);
    ag_var *y = ag_rand(ctx, 2, (const int[]){100, 1}, &rng);
    for (int i = 0; i < 100; i++) ag_data(y)[i] += sin(2 * pi * ag_data(x)[i]);
    ag_retain(x);
    ag_retain(y);
    ag_model *m = ag_mlp(ctx, (const int[]){10, 1}, 2, AG_ACT_SIGMOID, 0);
    ag_optim *opt = ag_sgd(ctx, 0.2, 0, 0);
    double first = 0, last = 0;
    size_t live_after_first = 0;
    for (int step = 0; step < 10000; step++) {
        ag_var *loss = ag_mse(ctx, ag_model_forward(m, x), y);
        assert_non_null(loss);
        ag_model_cleargrad(m);
        assert_int_equal(ag_backward(ctx, loss, NULL), 0);
        assert_int_equal(ag_optim_update_model(opt, m), 4);
        if (step == 0) first = ag_item(loss);
        last = ag_item(loss);
        ag_gc(ctx);
        if (step == 0) live_after_first = ag_live_vars(ctx);
        else if (ag_live_vars(ctx) != live_after_first) fail_msg("live variables grew at step %d", step);
    }
    /* x, y and their grads (both are leaves of the loss), the parameters and theirs */
    assert_int_equal(live_after_first, 2 + 2 + 4 + 4);
    assert_true(first > 0.3);
    if (!(last < 0.1)) fail_msg("loss ended at %g", last);
    ag_optim_free(opt);
    ag_model_unref(m);
    ag_release(x);
    ag_release(y);
}

/* cnn: conv[i] and linear[j] made at the first call from the
 * input's channels and flattened size, named and shaped as PyTorch's Conv2d
 * (OC, C, K, K); the forward is exactly conv2d, relu, max_pool2d and linear
 * with those parameters; a bare conv2d_layer has "w" and "b"; a weight file
 * round trip; what is refused. */
static void test_cnn(void **state) {
    (void)state;
    ag_layer_spec layers[] = {{AG_LAYER_CONV2D, 4, 3, 1, 1}, {AG_LAYER_MAX_POOL, 0, 2, 0, 0}, {AG_LAYER_LINEAR, 5, 0, 0, 0}};
    ag_model *m = ag_cnn(ctx, layers, 3, AG_ACT_RELU, 3);
    assert_non_null(m);
    assert_int_equal(ag_model_get_kind(m), AG_MODEL_CNN);
    assert_string_equal(ag_model_kind_name(AG_MODEL_CNN), "cnn");
    assert_false(ag_model_initialized(m));
    assert_int_equal(ag_model_param_count(m), 2); /* the biases exist from the start */
    ag_var *x = ag_rand(ctx, 4, (const int[]){2, 3, 6, 6}, NULL);
    ag_retain(x);
    ag_var *y = ag_model_forward(m, x);
    assert_non_null(y);
    assert_shape(y, 2, 5);
    assert_true(ag_model_initialized(m));
    ag_var *w = ag_model_param_by_name(m, "conv[0].w"), *b = ag_model_param_by_name(m, "conv[0].b");
    ag_var *lw = ag_model_param_by_name(m, "linear[0].w"), *lb = ag_model_param_by_name(m, "linear[0].b");
    assert_shape(w, 4, 3, 3, 3);
    assert_shape(b, 4);
    assert_shape(lw, 36, 5);
    assert_shape(lb, 1, 5);
    ag_var *h = ag_relu(ctx, ag_conv2d(ctx, x, w, b, NULL, (const int[]){1, 1}, NULL, 1));
    h = ag_max_pool2d(ctx, h, (const int[]){2, 2}, NULL, NULL, NULL, false);
    ag_var *want = ag_linear(ctx, ag_flatten(ctx, h, 1, -1), lw, lb);
    for (size_t i = 0; i < 10; i++) assert_true(ag_cdata(y)[i] == ag_cdata(want)[i]);
    char text[160];
    assert_string_equal(ag_model_describe(m, text, sizeof text),
                        "cnn [conv2d(4, 3, padding=1) max_pool(2) 5] relu, 4 parameters (297 values)");
    /* a file round trip into a model drawn from another seed */
    ag_model *other = ag_cnn(ctx, layers, 3, AG_ACT_RELU, 9);
    assert_non_null(ag_model_forward(other, x));
    assert_int_equal(ag_model_save(m, "test_models_cnn.safetensors"), 0);
    assert_int_equal(ag_model_load(other, "test_models_cnn.safetensors"), 0);
    ag_var *again = ag_model_forward(other, x);
    for (size_t i = 0; i < 10; i++) assert_true(ag_cdata(again)[i] == ag_cdata(y)[i]);
    /* a file of another shape is a shape error (AG_ERR_SHAPE, naming the
     * parameter and both shapes), its weights untouched; a file that is
     * not there is AG_ERR_IO */
    ag_layer_spec wider[] = {{AG_LAYER_CONV2D, 6, 3, 1, 1}, {AG_LAYER_MAX_POOL, 0, 2, 0, 0}, {AG_LAYER_LINEAR, 5, 0, 0, 0}};
    ag_model *wide = ag_cnn(ctx, wider, 3, AG_ACT_RELU, 5);
    assert_non_null(ag_model_forward(wide, x));
    double w0 = ag_cdata(ag_model_param_by_name(wide, "conv[0].w"))[0];
    assert_int_equal(ag_model_load(wide, "test_models_cnn.safetensors"), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("load: test_models_cnn.safetensors: tensor 0.weight (conv[0].w) has shape [4 3 3 3], "
                       "the model's is [6 3 3 3]");
    assert_true(ag_cdata(ag_model_param_by_name(wide, "conv[0].w"))[0] == w0);
    remove("test_models_cnn.safetensors");
    assert_int_equal(ag_model_load(wide, "test_models_cnn.safetensors"), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_IO);
    ag_clear_error(ctx);
    ag_model_unref(wide);
    /* refused */
    assert_null(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){2, 1, 6, 6}, NULL)));
    assert_failed_with("cnn: input has 1 channels but conv[0] was built for 3");
    /* images of another size: the linear layer's weights fix its width */
    assert_null(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){2, 3, 8, 8}, NULL)));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("cnn: linear[0] was built for 36 features but gets 64 (the [2 4 4 4] before it, flattened): "
                       "its weights were made for images of another size");
    assert_null(ag_model_forward(m, ag_rand(ctx, 2, (const int[]){2, 6}, NULL)));
    assert_failed_with("cnn: conv[0] needs images (N, C, H, W), got [2 6]");
    assert_null(ag_cnn(ctx, layers, 0, AG_ACT_RELU, 0));
    assert_failed_with("cnn: needs at least one layer");
    /* a conv2d or max_pool layer after a linear one can never run (the
     * linear output is (N, features)): refused when built, naming it */
    ag_layer_spec late_conv[] = {{AG_LAYER_LINEAR, 10, 0, 0, 0}, {AG_LAYER_CONV2D, 8, 3, 1, 0}};
    assert_null(ag_cnn(ctx, late_conv, 2, AG_ACT_RELU, 0));
    assert_int_equal(ag_errcode(ctx), AG_ERR_ARG);
    assert_failed_with("cnn: layer 2 (conv2d(8, 3)) comes after layer 1, a linear layer of 10 outputs, whose output "
                       "is (N, features), never the images (N, C, H, W) a conv2d layer needs; put every conv2d and "
                       "max_pool layer before the first linear size, as [conv2d(8, 3), 10]");
    ag_layer_spec late_pool[] = {{AG_LAYER_CONV2D, 4, 3, 1, 1}, {AG_LAYER_LINEAR, 16, 0, 0, 0},
                                 {AG_LAYER_MAX_POOL, 0, 2, 0, 0}, {AG_LAYER_LINEAR, 5, 0, 0, 0}};
    assert_null(ag_cnn(ctx, late_pool, 4, AG_ACT_RELU, 0));
    assert_failed_with("cnn: layer 3 (max_pool(2)) comes after layer 2, a linear layer of 16 outputs, whose output "
                       "is (N, features), never the images (N, C, H, W) a max_pool layer needs; put every conv2d and "
                       "max_pool layer before the first linear size, as [conv2d(4, 3, padding=1), max_pool(2), 16, 5]");
    ag_layer_spec linears[] = {{AG_LAYER_LINEAR, 6, 0, 0, 0}, {AG_LAYER_LINEAR, 5, 0, 0, 0}};
    /* the same check for a caller that words it its own way (agrepl's cnn):
     * the layer, the linear one before it, and an order that runs */
    int linear = -2, order[4] = {-1, -1, -1, -1};
    assert_int_equal(ag_cnn_misplaced_layer(late_pool, 4, &linear, order), 2);
    assert_int_equal(linear, 1);
    assert_memory_equal(order, ((const int[]){0, 2, 1, 3}), sizeof order);
    assert_int_equal(ag_cnn_misplaced_layer(late_conv, 2, &linear, NULL), 1);
    assert_int_equal(linear, 0);
    assert_int_equal(ag_cnn_misplaced_layer(linears, 2, NULL, order), -1);
    assert_memory_equal(order, ((const int[]){0, 1}), 2 * sizeof *order);
    assert_int_equal(ag_cnn_misplaced_layer(layers, 0, &linear, order), -1);
    ag_model *dense = ag_cnn(ctx, linears, 2, AG_ACT_RELU, 0); /* runs: still taken */
    assert_non_null(dense);
    /* a first linear layer takes (samples, features): a vector is refused
     * before a weight is made from it */
    assert_null(ag_model_forward(dense, ag_ones(ctx, 1, (const int[]){7})));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("cnn: input of shape [7] needs at least 2 dimensions (samples, features)");
    assert_false(ag_model_initialized(dense));
    assert_shape(ag_model_forward(dense, x), 2, 5);
    ag_model_unref(dense);
    ag_layer_spec bad = {AG_LAYER_CONV2D, 4, 3, 0, 0};
    assert_null(ag_cnn(ctx, &bad, 1, AG_ACT_RELU, 0));
    assert_failed_with("cnn: stride must be at least 1 (got 0)");
    /* the bare layers */
    ag_model *conv = ag_conv2d_layer(ctx, 2, 2, 2, 0, 1), *pool = ag_max_pool_layer(ctx, 3, 1, 1);
    ag_layer_spec spec;
    assert_int_equal(ag_model_layer_spec(conv, &spec), 0);
    assert_int_equal(spec.type, AG_LAYER_CONV2D);
    assert_int_equal(ag_model_layer_spec(m, &spec), -1);
    assert_shape(ag_model_forward(conv, x), 2, 2, 3, 3);
    assert_non_null(ag_model_param_by_name(conv, "w"));
    assert_shape(ag_model_forward(pool, x), 2, 3, 6, 6);
    assert_int_equal(ag_model_param_count(pool), 0);
    ag_model_unref(conv);
    ag_model_unref(pool);
    ag_model_unref(other);
    ag_model_unref(m);
    ag_release(x);
}

/* m has no weight yet, only the nbiases biases made with it. */
static void assert_uninitialised(const ag_model *m, int nbiases) {
    assert_false(ag_model_initialized(m));
    assert_int_equal(ag_model_param_count(m), nbiases);
    for (int i = 0; i < nbiases; i++) {
        const char *name = NULL;
        assert_non_null(ag_model_param(m, i, &name));
        const char *dot = strrchr(name, '.');
        assert_string_equal(dot ? dot + 1 : name, "b");
    }
}

/* Every parameter of a and b equal, by name and value. */
static void assert_same_params(const ag_model *a, const ag_model *b) {
    assert_int_equal(ag_model_param_count(a), ag_model_param_count(b));
    for (int i = 0; i < ag_model_param_count(a); i++) {
        const char *na = NULL, *nb = NULL;
        ag_var *pa = ag_model_param(a, i, &na), *pb = ag_model_param(b, i, &nb);
        assert_string_equal(na, nb);
        assert_int_equal(ag_size(pa), ag_size(pb));
        assert_memory_equal(ag_cdata(pa), ag_cdata(pb), ag_size(pa) * sizeof(double));
    }
}

/* A first call that fails changes nothing (a failing statement changes
 * nothing): whichever layer refuses, the weights it or the layers before it
 * made are dropped again and the generator rewound, so the model is
 * uninitialised and the next good call makes the weights a first call makes. */
static void test_failed_first_call_changes_nothing(void **state) {
    (void)state;
    ag_var *good = ag_rand(ctx, 4, (const int[]){1, 3, 5, 5}, NULL);
    ag_retain(good);
    /* the conv itself refuses: its kernel is larger than the image */
    ag_layer_spec layers[] = {{AG_LAYER_CONV2D, 2, 3, 1, 0}, {AG_LAYER_LINEAR, 4, 0, 0, 0}, {AG_LAYER_LINEAR, 2, 0, 0, 0}};
    ag_model *m = ag_cnn(ctx, layers, 3, AG_ACT_RELU, 7), *fresh = ag_cnn(ctx, layers, 3, AG_ACT_RELU, 7);
    assert_null(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){1, 1, 2, 2}, NULL)));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("conv2d: kernel (3, 3) with dilation (1, 1) is larger than the padded input (2, 2)");
    assert_uninitialised(m, 3);
    assert_null(ag_model_param_by_name(m, "conv[0].w"));
    /* the next call takes 3 channels (the failed one had 1) */
    ag_var *y = ag_model_forward(m, good), *want = ag_model_forward(fresh, good);
    assert_non_null(y);
    assert_shape(y, 1, 2);
    assert_true(ag_model_initialized(m));
    assert_shape(ag_model_param_by_name(m, "conv[0].w"), 2, 3, 3, 3);
    assert_same_params(m, fresh);
    assert_memory_equal(ag_cdata(y), ag_cdata(want), 2 * sizeof(double));
    ag_model_unref(m);
    ag_model_unref(fresh);
    /* a max_pool refuses after the conv made its weight */
    ag_layer_spec pooled[] = {{AG_LAYER_CONV2D, 2, 3, 1, 0}, {AG_LAYER_MAX_POOL, 0, 4, 0, 0}, {AG_LAYER_LINEAR, 3, 0, 0, 0}};
    m = ag_cnn(ctx, pooled, 3, AG_ACT_RELU, 7), fresh = ag_cnn(ctx, pooled, 3, AG_ACT_RELU, 7);
    assert_null(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){1, 1, 4, 4}, NULL)));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("max_pool2d: kernel (4, 4) with dilation (1, 1) is larger than the padded input (2, 2)");
    assert_uninitialised(m, 2);
    ag_var *big = ag_rand(ctx, 4, (const int[]){1, 3, 6, 6}, NULL);
    assert_non_null(ag_model_forward(m, big));
    assert_non_null(ag_model_forward(fresh, big));
    assert_same_params(m, fresh);
    ag_model_unref(m);
    ag_model_unref(fresh);
    /* a linear layer refuses (its weight would be too large) after the conv made its own */
    ag_layer_spec wide[] = {{AG_LAYER_CONV2D, 1, 1, 1, 0}, {AG_LAYER_LINEAR, 100000, 0, 0, 0}};
    m = ag_cnn(ctx, wide, 2, AG_ACT_RELU, 7);
    assert_null(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){1, 1, 40, 40}, NULL)));
    assert_int_equal(ag_errcode(ctx), AG_ERR_NOMEM);
    assert_failed_with("cnn: a [1600 100000] weight (linear[0].w) is too large");
    assert_uninitialised(m, 2);
    assert_shape(ag_model_forward(m, ag_rand(ctx, 4, (const int[]){1, 2, 2, 2}, NULL)), 1, 100000);
    assert_shape(ag_model_param_by_name(m, "conv[0].w"), 1, 2, 1, 1);
    ag_model_unref(m);
    /* an mlp whose second layer is too large once the first is made */
    m = ag_mlp(ctx, (const int[]){100000, 100000}, 2, AG_ACT_RELU, 7);
    assert_null(ag_model_forward(m, ag_rand(ctx, 2, (const int[]){1, 2}, NULL)));
    assert_failed_with("mlp: a [100000 100000] weight (linear[1].w) is too large");
    assert_uninitialised(m, 2);
    ag_model_unref(m);
    ag_release(good);
}

/* A collected input is a stale handle, AG_ERR_STALE, as ag_add
 * says it, not AG_ERR_CONTEXT ("belongs to another context"). */
static void test_collected_input_is_stale(void **state) {
    (void)state;
    ag_model *m = ag_mlp(ctx, (int[]){3, 1}, 2, AG_ACT_TANH, 1);
    ag_var *x = ag_ones(ctx, 2, (int[]){2, 2});
    ag_retain(x);
    assert_non_null(ag_model_forward(m, x)); /* the weights made */
    ag_release(x);
#ifndef __SANITIZE_ADDRESS__ /* there the stale read itself is reported */
    ag_gc(ctx); /* x collected: a stale handle from here on */
    assert_null(ag_add(ctx, x, x));
    assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
    ag_clear_error(ctx);
    assert_null(ag_model_forward(m, x));
    assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
    if (strstr(ag_errmsg(ctx), "collected") == NULL) fail_msg("message: %s", ag_errmsg(ctx));
    ag_clear_error(ctx);
#endif
    ag_model_unref(m);
}

/* The file's whole content (malloc'd, *size set), or NULL. */
static unsigned char *file_bytes(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char *data = malloc(1 << 16);
    *size = data ? fread(data, 1, 1 << 16, f) : 0;
    fclose(f);
    return data;
}

/* ag_model_save writes as the shell's `>` would: through a symbolic link
 * to the file it names (the link stays a link), into the one inode of a
 * file with two hard links, keeping a 0640 mode; a new file gets the
 * umask's mode (not mkstemp's 0600).  Each file then holds exactly what
 * ag_model_save_bytes makes. */
static void test_save_follows_links_keeps_mode(void **state) {
    (void)state;
    ag_model *m = ag_mlp(ctx, (int[]){3, 1}, 2, AG_ACT_TANH, 1);
    assert_non_null(ag_model_forward(m, ag_ones(ctx, 2, (int[]){2, 2})));
    size_t want_size;
    unsigned char *want = ag_model_save_bytes(m, &want_size);
    assert_non_null(want);
    char dir[] = "/tmp/test_models_save_XXXXXX", target[96], link_path[96], other[96], fresh[96];
    assert_non_null(mkdtemp(dir));
    snprintf(target, sizeof target, "%s/target.st", dir);
    snprintf(link_path, sizeof link_path, "%s/link.st", dir);
    snprintf(other, sizeof other, "%s/other.st", dir);
    snprintf(fresh, sizeof fresh, "%s/fresh.st", dir);
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fputs("old weights\n", f);
    fclose(f);
    assert_int_equal(chmod(target, 0640), 0);
    assert_int_equal(symlink("target.st", link_path), 0);
    assert_int_equal(link(target, other), 0);
    struct stat before, st;
    assert_int_equal(stat(target, &before), 0);

    assert_int_equal(ag_model_save(m, link_path), 0);
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode)); /* still a link */
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_ino, before.st_ino); /* the same file: hard link kept */
    assert_int_equal(st.st_nlink, 2);
    assert_int_equal(st.st_mode & 07777, 0640);
    const char *paths[] = {target, other};
    for (int i = 0; i < 2; i++) {
        size_t size;
        unsigned char *got = file_bytes(paths[i], &size);
        assert_non_null(got);
        assert_int_equal(size, want_size);
        assert_memory_equal(got, want, want_size);
        free(got);
    }

    /* a new file: the mode a plain fopen gives under this umask */
    mode_t mask = umask(022);
    assert_int_equal(ag_model_save(m, fresh), 0);
    umask(mask);
    assert_int_equal(stat(fresh, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);

    /* a link to nothing is refused, the link left as it was */
    assert_int_equal(unlink(target), 0);
    assert_int_equal(ag_model_save(m, link_path), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_IO);
    if (strstr(ag_errmsg(ctx), "symbolic link to a file that does not exist") == NULL)
        fail_msg("message: %s", ag_errmsg(ctx));
    ag_clear_error(ctx);
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));

    unlink(link_path);
    unlink(other);
    unlink(fresh);
    assert_int_equal(rmdir(dir), 0); /* no temporary file left */
    free(want);
    ag_model_unref(m);
}

/* Whether a and b (made by one model each on the same input) are equal
 * number for number. */
static void assert_same_outputs(ag_var *a, ag_var *b) {
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(ag_size(a), ag_size(b));
    for (size_t i = 0; i < ag_size(a); i++) assert_true(ag_cdata(a)[i] == ag_cdata(b)[i]);
}

/* Loads the file into a fresh model of each kind whose weights are made at
 * its first call (mlp, lstm, cnn): load makes them from the file's shapes,
 * and the model then gives the saved model's outputs bit for bit.  A file
 * that disagrees with the model's sizes is refused naming the tensor and
 * both shapes, the model left lazy as it was. */
static void test_load_into_fresh_model(void **state) {
    (void)state;
    const char *file = "test_models_fresh.safetensors";
    ag_var *x = ag_rand(ctx, 2, (const int[]){5, 4}, NULL);
    ag_retain(x);
    /* mlp([10, 3]) on 4 inputs */
    ag_model *mi = ag_mlp(ctx, (const int[]){10, 3}, 2, AG_ACT_SIGMOID, 2);
    ag_var *y = ag_model_forward(mi, x);
    assert_int_equal(ag_model_save(mi, file), 0);
    ag_model *m2 = ag_mlp(ctx, (const int[]){10, 3}, 2, AG_ACT_SIGMOID, 5);
    assert_false(ag_model_initialized(m2));
    assert_int_equal(ag_model_load(m2, file), 0);
    assert_true(ag_model_initialized(m2));
    assert_shape(ag_model_param_by_name(m2, "linear[0].w"), 4, 10);
    assert_same_outputs(ag_model_forward(m2, x), y);
    /* other sizes, other layer counts: refused, the model still lazy */
    ag_model *wide = ag_mlp(ctx, (const int[]){20, 3}, 2, AG_ACT_SIGMOID, 5);
    int before = ag_model_param_count(wide);
    assert_int_equal(ag_model_load(wide, file), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("load: test_models_fresh.safetensors: tensor 0.weight (linear[0].w) has shape [10 4], "
                       "the model's is [20 4]");
    assert_false(ag_model_initialized(wide));
    assert_int_equal(ag_model_param_count(wide), before);
    assert_null(ag_model_param_by_name(wide, "linear[0].w"));
    ag_model *deep = ag_mlp(ctx, (const int[]){10, 3, 2}, 3, AG_ACT_SIGMOID, 5);
    assert_int_equal(ag_model_load(deep, file), -1);
    assert_failed_with("load: test_models_fresh.safetensors: no tensor 4.weight (the file has 4 of the 6 parameters)");
    assert_false(ag_model_initialized(deep));
    /* the refused model still draws its weights at its first call, as one
     * never loaded: the same numbers as a twin of the same seed */
    ag_model *twin = ag_mlp(ctx, (const int[]){20, 3}, 2, AG_ACT_SIGMOID, 5);
    assert_same_outputs(ag_model_forward(wide, x), ag_model_forward(twin, x));
    /* lstm(6, 2): its four input units made from weight_ih_l0 */
    ag_model *l = ag_lstm_model(ctx, 6, 2, 1);
    ag_var *h = ag_model_forward(l, x);
    assert_int_equal(ag_model_save(l, file), 0);
    ag_model *l2 = ag_lstm_model(ctx, 6, 2, 9);
    assert_int_equal(ag_model_load(l2, file), 0);
    assert_same_outputs(ag_model_forward(l2, x), h);
    /* cnn: each conv's channels and the linear's flattened size from the file */
    ag_layer_spec layers[] = {{AG_LAYER_CONV2D, 2, 3, 1, 0}, {AG_LAYER_CONV2D, 3, 2, 1, 0},
                              {AG_LAYER_MAX_POOL, 0, 2, 0, 0}, {AG_LAYER_LINEAR, 5, 0, 0, 0},
                              {AG_LAYER_LINEAR, 4, 0, 0, 0}};
    ag_var *images = ag_rand(ctx, 4, (const int[]){2, 3, 7, 7}, NULL);
    ag_model *c = ag_cnn(ctx, layers, 5, AG_ACT_RELU, 1);
    ag_var *yc = ag_model_forward(c, images);
    assert_int_equal(ag_model_save(c, file), 0);
    ag_model *c2 = ag_cnn(ctx, layers, 5, AG_ACT_RELU, 7);
    assert_int_equal(ag_model_load(c2, file), 0);
    assert_shape(ag_model_param_by_name(c2, "conv[0].w"), 2, 3, 3, 3);
    assert_shape(ag_model_param_by_name(c2, "linear[0].w"), 12, 5);
    assert_same_outputs(ag_model_forward(c2, images), yc);
    /* an mlp's file into a fresh cnn: its 0.weight is not a conv's */
    assert_int_equal(ag_model_save(mi, file), 0);
    ag_model *c3 = ag_cnn(ctx, layers, 5, AG_ACT_RELU, 7);
    assert_int_equal(ag_model_load(c3, file), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    assert_failed_with("load: test_models_fresh.safetensors: tensor 0.weight (conv[0].w) has 2 dimensions, "
                       "the model's 4");
    assert_false(ag_model_initialized(c3));
    assert_null(ag_model_param_by_name(c3, "conv[0].w"));
    remove(file);
    ag_model *models[] = {mi, m2, wide, deep, twin, l, l2, c, c2, c3};
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) ag_model_unref(models[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) CTX_TEST(name)
        T(test_lstm_fixed_weights),
        T(test_rnn_fixed_weights),
        T(test_mlp_names_and_lazy_shapes),
        T(test_lstm_model_names_g91),
        T(test_linear_grads_g90),
        T(test_linear_in_size),
        T(test_batched_inputs),
        T(test_seeded_init),
        T(test_lstm_draw_order),
        T(test_gradients_match_central_differences),
        T(test_hidden_state_survives_gc),
        T(test_model_reference_counting),
        T(test_errors),
        T(test_mlp_fits_sine),
        T(test_cnn),
        T(test_failed_first_call_changes_nothing),
        T(test_collected_input_is_stale),
        T(test_save_follows_links_keeps_mode),
        T(test_load_into_fresh_model),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
