/* test_ops_nn.c — the neural-net functions against upstream's printed
 * values (upstream's neural-net tests and values from running it), their error messages, dropout's
 * masks and modes, and accuracy. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


static const ag_backward_opts CG = {.create_graph = true};

/* 1, 2, ..., n as a leaf of the given shape. */
static ag_var *iota(const int *shape, int ndim) {
    ag_var *v = ag_zeros(ctx, ndim, shape);
    assert_non_null(v);
    for (size_t i = 0; i < ag_size(v); i++) ag_data(v)[i] = (double)(i + 1);
    return v;
}

/* Upstream's second pass: gx = x.grad; x.cleargrad(); gx.backward().
 * Returns the new x.grad (NULL when gx does not depend on x). */
static ag_var *next_order(ag_var *x) {
    ag_var *gx = ag_grad(x);
    assert_non_null(gx);
    ag_cleargrad(x);
    assert_int_equal(ag_backward(ctx, gx, NULL), 0);
    return ag_grad(x);
}

static void assert_error(ag_var *v, const char *message) {
    assert_null(v);
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), message);
    ag_clear_error(ctx);
}

/* ---- linear (upstream's test) ---------------------------------------------------- */

static void test_linear(void **state) {
    ag_var *x = iota(SHAPE(2, 3)), *w = iota(SHAPE(3, 4));
    ag_var *y = ag_linear(ctx, x, w, NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable[2 4]([38 44 50 56 83 98 113 128])");
    assert_var_string(ag_grad(x), "variable[2 3]([10 26 42 10 26 42])");
    assert_var_string(ag_grad(w), "variable[3 4]([5 5 5 5 7 7 7 7 9 9 9 9])");
    assert_int_equal(ag_func_op(ag_creator(y)), AG_OP_LINEAR);
    assert_int_equal(ag_func_ninputs(ag_creator(y)), 2);

    x = iota(SHAPE(2, 3)), w = iota(SHAPE(3, 4));
    ag_var *b = VAR(ctx, SHAPE(1), 1.0);
    y = ag_linear(ctx, x, w, b);
    assert_int_equal(ag_func_ninputs(ag_creator(y)), 3);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable[2 4]([39 45 51 57 84 99 114 129])");
    assert_var_string(ag_grad(x), "variable[2 3]([10 26 42 10 26 42])");
    assert_var_string(ag_grad(w), "variable[3 4]([5 5 5 5 7 7 7 7 9 9 9 9])");
    assert_var_string(ag_grad(b), "variable(8)");
    assert_shape(ag_grad(b), 1);
}

/* An unrolled recurrence h = tanh(linear(h, w, b)) shares w over the steps,
 * and h feeds two linears per step: a plain backward adds those gradients
 * straight into w.grad and h.grad inside dgemm.  It must give the same bits
 * as a backward with the finite check on (which never does that: it adds
 * separately, checking the sum), agree with central differences, and a
 * second backward without cleargrad must add to the grads, not reuse them. */
static ag_var *shared_weight_net(ag_var *x, ag_var *w, ag_var *v, ag_var *b) {
    ag_var *h = x;
    for (int step = 0; step < 6; step++)
        h = ag_tanh(ctx, ag_add(ctx, ag_linear(ctx, h, w, b), ag_linear(ctx, h, v, NULL)));
    return ag_sum(ctx, ag_mul(ctx, h, h), NULL, 0);
}

static void test_linear_shared_weight_grads(void **state) {
    double xs[6], ws[9], vs[9];
    for (int i = 0; i < 9; i++) {
        if (i < 6) xs[i] = 0.1 * (i + 1) * (i % 2 ? -1 : 1);
        ws[i] = 0.3 * sin(1.0 + i);
        vs[i] = 0.2 * cos(2.0 + i);
    }
    ag_var *x = ag_new(ctx, 2, (const int[]){2, 3}, xs), *w = ag_new(ctx, 2, (const int[]){3, 3}, ws);
    ag_var *v = ag_new(ctx, 2, (const int[]){3, 3}, vs), *b = VAR(ctx, SHAPE(1, 3), 0.1, -0.2, 0.3);
    ag_var *leaves[] = {x, w, v, b};
    double direct[4][9], separate[4][9];

    assert_int_equal(ag_backward(ctx, shared_weight_net(x, w, v, b), NULL), 0);
    for (int l = 0; l < 4; l++) memcpy(direct[l], ag_data(ag_grad(leaves[l])), ag_size(leaves[l]) * sizeof(double));
    /* again without cleargrad: every gradient doubles */
    assert_int_equal(ag_backward(ctx, shared_weight_net(x, w, v, b), NULL), 0);
    for (int l = 0; l < 4; l++)
        for (size_t i = 0; i < ag_size(leaves[l]); i++)
            assert_close(ag_data(ag_grad(leaves[l]))[i], 2.0 * direct[l][i]);

    for (int l = 0; l < 4; l++) ag_cleargrad(leaves[l]);
    ag_set_check_finite(ctx, true);
    assert_int_equal(ag_backward(ctx, shared_weight_net(x, w, v, b), NULL), 0);
    ag_set_check_finite(ctx, false);
    for (int l = 0; l < 4; l++) memcpy(separate[l], ag_data(ag_grad(leaves[l])), ag_size(leaves[l]) * sizeof(double));
    for (int l = 0; l < 4; l++) {
        for (size_t i = 0; i < ag_size(leaves[l]); i++) {
            assert_true(direct[l][i] == separate[l][i]);
            /* central difference on this element */
            double keep = ag_data(leaves[l])[i], hstep = 1e-6, up, down;
            ag_data(leaves[l])[i] = keep + hstep;
            up = ag_item(shared_weight_net(x, w, v, b));
            ag_data(leaves[l])[i] = keep - hstep;
            down = ag_item(shared_weight_net(x, w, v, b));
            ag_data(leaves[l])[i] = keep;
            assert_close_tol(direct[l][i], (up - down) / (2 * hstep), 1e-6, 1e-9);
        }
    }
}

static void test_linear_batched(void **state) {
    ag_var *x = iota(SHAPE(2, 2, 3)), *w = iota(SHAPE(1, 3, 4));
    ag_var *y = ag_linear(ctx, x, w, NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(
        y, "variable[2 2 4]([38 44 50 56 83 98 113 128 128 152 176 200 173 206 239 272])");
    assert_var_string(ag_grad(x), "variable[2 2 3]([10 26 42 10 26 42 10 26 42 10 26 42])");
    assert_var_string(ag_grad(w), "variable[1 3 4]([22 22 22 22 26 26 26 26 30 30 30 30])");

    x = iota(SHAPE(2, 3)), w = iota(SHAPE(2, 3, 4));
    y = ag_linear(ctx, x, w, NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(
        y, "variable[2 2 4]([38 44 50 56 83 98 113 128 110 116 122 128 263 278 293 308])");
    assert_var_string(ag_grad(x), "variable[2 3]([68 100 132 68 100 132])");
    assert_var_string(ag_grad(w), "variable[2 3 4]([5 5 5 5 7 7 7 7 9 9 9 9 5 5 5 5 7 7 7 7 9 "
                                  "9 9 9])");
}

/* Upstream's test "double": gx.backward() and gw.backward() after a create_graph pass. */
static void test_linear_double(void **state) {
    ag_var *x = iota(SHAPE(2, 3)), *w = iota(SHAPE(3, 4));
    ag_var *y = ag_linear(ctx, x, w, NULL);
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    ag_var *gx = ag_grad(x), *gw = ag_grad(w);
    ag_cleargrad(x);
    ag_cleargrad(w);
    assert_int_equal(ag_backward(ctx, gx, NULL), 0);
    assert_int_equal(ag_backward(ctx, gw, NULL), 0);
    assert_var_string(ag_grad(x), "variable[2 3]([4 4 4 4 4 4])");
    assert_var_string(ag_grad(w), "variable[3 4]([2 2 2 2 2 2 2 2 2 2 2 2])");
}

/* A bias that widens the output: the matmul's gradient is summed back first. */
static void test_linear_wide_bias(void **state) {
    ag_var *x = VAR(ctx, SHAPE(1, 2), 1, 2), *w = VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4);
    ag_var *b = VAR(ctx, SHAPE(3, 1), 10, 20, 30);
    ag_var *y = ag_linear(ctx, x, w, b);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable[3 2]([17 20 27 30 37 40])");
    assert_var_string(ag_grad(x), "variable[1 2]([9 21])");
    assert_var_string(ag_grad(w), "variable[2 2]([3 3 6 6])");
    assert_var_string(ag_grad(b), "variable[3 1]([2 2 2])");
}

/* A bias that does not widen the product is added into it in place: every
 * layout of b (a row, a number, a whole matrix; a column goes the general
 * way) gives the bits of a separate add, and the same gradients.  With one
 * input feature (x n x 1, w 1 x m) a row or a number is added in the outer
 * product's own pass (outer_plus_row): the same bits again, zeros, negative
 * zeros and infinities among them. */
static void test_linear_bias_layouts(void **state) {
    ag_rng rng;
    ag_rng_seed(&rng, 7);
    for (int k = 3; k >= 1; k -= 2) {
        ag_var *x = ag_randn(ctx, 2, (const int[]){5, k}, &rng);
        ag_var *w = ag_randn(ctx, 2, (const int[]){k, 7}, &rng);
        if (k == 1) { /* the corners of the outer product */
            double *xd = ag_data(x), *wd = ag_data(w);
            xd[0] = 0, xd[1] = -0.0, xd[2] = INFINITY, wd[0] = 0, wd[1] = -2.5, wd[2] = 1e300;
        }
        const int shapes[][3] = {{1, 7}, {2, 1, 7}, {1, 1}, {2, 1, 1}, {2, 5, 7}, {2, 5, 1}, {0}};
        for (int i = 0; i < 7; i++) {
            int ndim = shapes[i][0];
            ag_var *b = ag_randn(ctx, ndim, ndim ? shapes[i] + 1 : NULL, &rng);
            assert_non_null(b);
            if (k == 1) ag_data(b)[0] = -0.0;
            ag_var *y = ag_linear(ctx, x, w, b);
            ag_var *sum = ag_add(ctx, ag_linear(ctx, x, w, NULL), b);
            assert_non_null(y);
            assert_non_null(sum);
            assert_int_equal(ag_size(y), 35);
            assert_memory_equal(ag_cdata(y), ag_cdata(sum), 35 * sizeof(double));
            if (k == 1) continue; /* the gradients' paths are the same for both */
            assert_int_equal(ag_backward(ctx, y, NULL), 0);
            ag_var *gb = ag_grad(b);
            assert_non_null(gb);
            double expected[35];
            assert_int_equal(ag_size(gb), ag_size(b));
            memcpy(expected, ag_cdata(gb), ag_size(gb) * sizeof(double));
            ag_cleargrad(b);
            assert_int_equal(ag_backward(ctx, sum, NULL), 0);
            assert_memory_equal(ag_cdata(ag_grad(b)), expected, ag_size(b) * sizeof(double));
        }
    }
}

static void test_linear_errors(void **state) {
    ag_var *x = iota(SHAPE(2, 3));
    assert_error(ag_linear(ctx, x, iota(SHAPE(2, 3)), NULL),
                 "linear: shapes [2 3] and [2 3] are not aligned: the input has 3 columns, the weight 2 rows");
    assert_error(ag_linear(ctx, iota(SHAPE(3)), iota(SHAPE(3, 4)), NULL),
                 "linear: x and w need at least 2 dimensions, got [3] and [3 4]");
    assert_error(ag_linear(ctx, iota(SHAPE(2, 2, 3)), iota(SHAPE(3, 3, 4)), NULL),
                 "linear: batch shapes [2] and [3] are not compatible");
    assert_error(ag_linear(ctx, x, iota(SHAPE(3, 4)), iota(SHAPE(3))),
                 "linear: shapes [2 4] and [3] are not compatible");
    /* a NULL input leaves a message when there is none, else keeps it */
    assert_error(ag_linear(ctx, NULL, x, NULL), "linear: input 1 is NULL");
    ag_set_error(ctx, "earlier");
    assert_null(ag_linear(ctx, x, NULL, x));
    assert_string_equal(ag_errmsg(ctx), "earlier");
    ag_clear_error(ctx);
}

/* ---- activations (first and second order) (upstream's tests) ------------------------ */

static void test_sigmoid(void **state) {
    const double in[] = {-4, -2, 0, 2, 4};
    const char *out[] = {"variable(0.01798620996209155)", "variable(0.11920292202211757)",
                         "variable(0.5)", "variable(0.8807970779778824)",
                         "variable(0.9820137900379085)"};
    for (int i = 0; i < 5; i++) assert_var_string(ag_sigmoid(ctx, ag_scalar(ctx, in[i])), out[i]);

    ag_var *x = VAR(ctx, SHAPE(5), -4, 2, 0, 2, 4);
    assert_int_equal(ag_backward(ctx, ag_sigmoid(ctx, x), &CG), 0);
    assert_var_string(ag_grad(x), "variable[5]([0.017662706213291107 0.10499358540350653 0.25 "
                                  "0.10499358540350653 0.017662706213291107])");
    assert_var_string(next_order(x), "variable[5]([0.01702733592838912 -0.07996250105615307 0 "
                                     "-0.07996250105615307 -0.01702733592838912])");
}

/* Upstream's test: 1 / (1 + exp(-x)) through the primitives. */
static ag_var *sigmoid_simple(ag_var *x) {
    return ag_div(ctx, ag_scalar(ctx, 1.0),
                  ag_add(ctx, ag_scalar(ctx, 1.0), ag_exp(ctx, ag_neg(ctx, x))));
}

static void test_sigmoid_simple(void **state) {
    const double in[] = {-4, -2, 0, 2, 4};
    const char *out[] = {"variable(0.01798620996209156)", "variable(0.11920292202211755)",
                         "variable(0.5)", "variable(0.8807970779778823)",
                         "variable(0.9820137900379085)"};
    for (int i = 0; i < 5; i++) assert_var_string(sigmoid_simple(ag_scalar(ctx, in[i])), out[i]);

    ag_var *x = VAR(ctx, SHAPE(5), -4, 2, 0, 2, 4);
    assert_int_equal(ag_backward(ctx, sigmoid_simple(x), &CG), 0);
    assert_var_string(ag_grad(x), "variable[5]([0.017662706213291118 0.1049935854035065 0.25 "
                                  "0.1049935854035065 0.017662706213291114])");
    assert_var_string(next_order(x), "variable[5]([0.017027335928389127 -0.07996250105615305 -0 "
                                     "-0.07996250105615305 -0.017027335928389127])");
}

static void test_relu(void **state) {
    ag_var *x = VAR(ctx, SHAPE(2, 3), 1, -2, 3, -4, 5, -6);
    ag_var *y = ag_relu(ctx, x);
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    assert_var_string(y, "variable[2 3]([1 0 3 0 5 0])");
    assert_var_string(ag_grad(x), "variable[2 3]([1 0 1 0 1 0])");
    assert_var_string(next_order(x), "<nil>");

    /* NaN stays NaN, in the unrolled body and in the tail (PyTorch does too) */
    x = VAR(ctx, SHAPE(5), NAN, -1, 2, -0.0, NAN);
    const double *d = ag_cdata(ag_relu(ctx, x));
    assert_true(isnan(d[0]) && d[1] == 0 && d[2] == 2 && isnan(d[4]));
    assert_false(signbit(d[3]));
}

static void test_gelu(void **state) {
    ag_var *x = VAR(ctx, SHAPE(1, 3), -10, 0, 10);
    ag_var *y = ag_gelu(ctx, x);
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    assert_var_string(y, "variable[1 3]([-0 0 10])");
    assert_var_string(ag_grad(x), "variable[1 3]([0 0.5 1])");
    assert_var_string(next_order(x), "variable[1 3]([0 0.7978845608028654 0])");

    /* values from a run of upstream */
    x = VAR(ctx, SHAPE(5), -1, -0.5, 0.5, 1, 2);
    y = ag_gelu(ctx, x);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable[5]([-0.15880800939172324 -0.15428599017485606 "
                         "0.34571400982514394 0.8411919906082768 1.954597694087775])");
    assert_var_string(ag_grad(x), "variable[5]([-0.08296408384578252 0.13263009646535762 "
                                  "0.8673699035346424 1.0829640838457826 1.0860992566236183])");
}

/* ---- softmax (upstream's tests) ------------------------------------------------------- */

static ag_var *softmax_input(void) { return VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 4, 8); }

static void test_softmax_last_axis(void **state) {
    for (int axis = 1; axis >= -1; axis -= 2) {
        ag_var *x = softmax_input();
        ag_var *y = ag_softmax(ctx, x, axis);
        assert_int_equal(ag_backward(ctx, y, &CG), 0);
        assert_var_string(y, "variable[2 3]([0.09003057317038046 0.24472847105479764 "
                             "0.6652409557748218 0.017668422014048047 0.017668422014048047 "
                             "0.9646631559719038])");
        assert_var_string(ag_grad(x),
                          "variable[2 3]([1.3877787807814457e-17 2.7755575615628914e-17 "
                          "1.1102230246251565e-16 3.469446951953614e-18 3.469446951953614e-18 "
                          "1.1102230246251565e-16])");
        assert_var_string(next_order(x), "variable[2 3]([0 0 0 -3.469446951953614e-18 "
                                         "-3.469446951953614e-18 -1.1102230246251565e-16])");
        char label[64];
        ag_func_label(ag_creator(y), label, sizeof label);
        assert_string_equal(label, axis == 1 ? "Softmax(axis=1)" : "Softmax(axis=-1)");
    }
}

static void test_softmax_first_axis(void **state) {
    ag_var *x = softmax_input();
    ag_var *y = ag_softmax(ctx, x, 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable[2 3]([0.04742587317756679 0.11920292202211755 "
                         "0.006692850924284856 0.9525741268224334 0.8807970779778823 "
                         "0.9933071490757153])");
    assert_var_string(ag_grad(x), "variable[2 3]([-1.3877787807814457e-17 1.3877787807814457e-17 "
                                  "-1.734723475976807e-18 -2.220446049250313e-16 "
                                  "1.1102230246251565e-16 -2.220446049250313e-16])");

    /* 1-D (values from a run of upstream) */
    assert_var_string(ag_softmax(ctx, VAR(ctx, SHAPE(3), 1, 2, 3), 0),
                      "variable[3]([0.09003057317038046 0.24472847105479764 0.6652409557748218])");
}

/* Softmax along a middle axis of a 3-D input: each lane sums to 1 and matches
 * the 2-D result of the same numbers. */
static void test_softmax_middle_axis(void **state) {
    ag_var *x = VAR(ctx, SHAPE(2, 3, 2), 1, 4, 2, 4, 3, 8, 0, 0, 0, 0, 0, 0);
    ag_var *y = ag_softmax(ctx, x, 1);
    const double *d = ag_cdata(y);
    assert_close(d[0], 0.09003057317038046);
    assert_close(d[2], 0.24472847105479764);
    assert_close(d[4], 0.6652409557748218);
    assert_close(d[1], 0.017668422014048047);
    assert_close(d[5], 0.9646631559719038);
    for (int i = 6; i < 12; i++) assert_close(d[i], 1.0 / 3.0);
}

/* Upstream's test: exp(x) / sum_to(exp(x), keepdims), no max shift. */
static void test_softmax_simple(void **state) {
    ag_var *x = softmax_input();
    ag_var *e = ag_exp(ctx, x);
    ag_var *y = ag_div(ctx, e, ag_sum_to(ctx, e, 2, (const int[]){2, 1}));
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    assert_var_string(y, "variable[2 3]([0.09003057317038046 0.24472847105479767 "
                         "0.6652409557748219 0.017668422014048047 0.017668422014048047 "
                         "0.9646631559719039])");
    assert_var_string(ag_grad(x), "variable[2 3]([0 0 0 0 0 0])");
    assert_var_string(next_order(x), "variable[2 3]([3.7723738417192525e-17 "
                                     "1.0254375264099683e-16 2.787428194260209e-16 0 0 0])");
}

static void test_softmax_errors(void **state) {
    assert_error(ag_softmax(ctx, VAR(ctx, SHAPE(3), 1, 2, 3), 1),
                 "softmax: axis 1 out of range for ndim 1");
    /* a 0-d value takes axis 0 or -1 (softmax(3.0) is 1, as PyTorch), no other */
    assert_error(ag_softmax(ctx, ag_scalar(ctx, 1), 1),
                 "softmax: axis 1 out of range for a 0-d value (0 or -1)");
    assert_error(ag_softmax(ctx, NULL, 0), "softmax: input 1 is NULL");
}

/* ---- cross-entropy (upstream's tests) -------------------------------------------------- */

static ag_var *g69_logits(void) {
    return VAR(ctx, SHAPE(2, 10), 0.1, 0.05, 0.6, 0, 0.05, 0.1, 0, 0.1, 0, 0, /* row 0 */
               0.1, 0.05, 0.1, 0, 0.05, 0.1, 0, 0.6, 0, 0);                     /* row 1 */
}

static void test_cross_entropy_g69(void **state) {
    ag_var *x = g69_logits(), *t = VAR(ctx, SHAPE(2, 1), 2, 2);
    ag_var *y = ag_cross_entropy(ctx, x, t);
    assert_scalar_shape(y); /* 0-d, as DeZero and PyTorch */
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    assert_var_string(y, "variable(2.069494302297095)");
    assert_var_string(
        ag_grad(x),
        "variable[2 10]([0.04916164744936827 0.04676400561076958 -0.41894614614756587 "
        "0.044483298144480495 0.04676400561076958 0.04916164744936827 0.044483298144480495 "
        "0.04916164744936827 0.044483298144480495 0.044483298144480495 0.04916164744936827 "
        "0.04676400561076958 -0.45083835255063176 0.044483298144480495 0.04676400561076958 "
        "0.04916164744936827 0.044483298144480495 0.08105385385243416 0.044483298144480495 "
        "0.044483298144480495])");
    assert_null(ag_grad(t));
    assert_var_string(next_order(x), "variable[2 10]([0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0])");
}

/* 1-D labels (a run of upstream); ignored rows (upstream's test). */
static void test_cross_entropy_labels(void **state) {
    ag_var *x = iota(SHAPE(2, 3));
    ag_var *y = ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 2, 0));
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable(1.4076059644443806)");
    assert_scalar_shape(y); /* 0-d, as DeZero and PyTorch */
    assert_var_string(ag_grad(x), "variable[2 3]([0.04501528658519023 0.12236423552739882 "
                                  "-0.1673795221125891 -0.4549847134148098 0.12236423552739882 "
                                  "0.3326204778874109])");

    x = iota(SHAPE(2, 3));
    y = ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 2, -100));
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable(0.4076059644443806)");
    assert_var_string(ag_grad(x), "variable[2 3]([0.09003057317038046 0.24472847105479764 "
                                  "-0.3347590442251782 0 0 0])");

    x = iota(SHAPE(2, 3));
    y = ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), -100, -100));
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable(NaN)"); /* a mean of nothing, as PyTorch; its gradient is 0 */
    assert_scalar_shape(y); /* 0-d, as DeZero and PyTorch */
    assert_var_string(ag_grad(x), "variable[2 3]([0 0 0 0 0 0])");

    /* fractional labels are errors (Go's int() truncated them silently) */
    x = iota(SHAPE(2, 3));
    assert_error(ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 2, 0.5)),
                 "cross_entropy: label 0.5 in row 1 is not a class: labels are whole numbers 0 to 2 (or -100 to ignore the row)");
}

static void test_cross_entropy_errors(void **state) {
    assert_error(ag_cross_entropy(ctx, VAR(ctx, SHAPE(3), 1, 2, 3), VAR(ctx, SHAPE(1), 0)),
                 "cross_entropy: logits must be 2-D (N, C), got [3]");
    ag_var *x = iota(SHAPE(2, 3));
    assert_error(ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 7, 0)),
                 "cross_entropy: label 7 in row 0 is not a class: labels are whole numbers 0 to 2 (or -100 to ignore the row)");
    /* labels 1..C instead of 0..C-1, a student's slip: the label as written
       (the shortest form read "1e+01" for 10) */
    ag_var *ten = iota(SHAPE(2, 10));
    assert_error(ag_cross_entropy(ctx, ten, VAR(ctx, SHAPE(2), 1, 10)),
                 "cross_entropy: label 10 in row 1 is not a class: labels are whole numbers 0 to 9 (or -100 to ignore the row)");
    assert_error(ag_accuracy(ctx, ten, VAR(ctx, SHAPE(2), 200, 1)),
                 "accuracy: label 200 in row 0 is not a class: labels are whole numbers 0 to 9");
    assert_error(ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 0, -1)),
                 "cross_entropy: label -1 in row 1 is not a class: labels are whole numbers 0 to 2 (or -100 to ignore the row)");
    assert_error(ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(2), 0, NAN)),
                 "cross_entropy: label NaN in row 1 is not a class: labels are whole numbers 0 to 2 (or -100 to ignore the row)");
    assert_error(ag_cross_entropy(ctx, x, VAR(ctx, SHAPE(3), 0, 1, 2)),
                 "cross_entropy: target of shape [3] for input [2 3]: class labels of shape [2], or probabilities "
                 "shaped like the input");
    /* one_hot(t, 4) for 3 classes: probabilities of another shape, not 8 labels */
    assert_error(ag_cross_entropy(ctx, x, ag_zeros(ctx, 2, (int[]){2, 4})),
                 "cross_entropy: target of shape [2 4] for input [2 3]: class labels of shape [2], or probabilities "
                 "shaped like the input");
    /* one column is one output: the message says what to use instead */
    ag_var *one = iota(SHAPE(2, 1));
    assert_error(ag_cross_entropy(ctx, one, VAR(ctx, SHAPE(2), 0, 1)),
                 "cross_entropy: label 1 in row 1 is not a class: labels are whole numbers 0 to 0 (or -100 to "
                 "ignore the row); one column of logits is one output: for two classes use "
                 "binary_cross_entropy_with_logits(x, t)");
    assert_error(ag_accuracy(ctx, one, VAR(ctx, SHAPE(2), 0, 1)),
                 "accuracy: label 1 in row 1 is not a class: labels are whole numbers 0 to 0; y has one column, "
                 "one output: its accuracy is mean((y > 0) == t) for a score, mean((y > 0.5) == t) for a "
                 "probability");

    /* labels edited between forward and backward: an in-place change after
     * CrossEntropy used them */
    ag_var *t = VAR(ctx, SHAPE(2), 0, 1);
    ag_var *y = ag_cross_entropy(ctx, x, t);
    assert_non_null(y);
    ag_data(t)[1] = 5;
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "backward: a variable of shape [2] was changed in place (version 1) after CrossEntropy used its value; compute the graph again after the change, or change it after backward");
    ag_clear_error(ctx);
}

/* ---- mean squared error (upstream's test) ----------------------------------------------- */

static void test_mse(void **state) {
    ag_var *a = ag_ones(ctx, 2, (const int[]){2, 4}), *b = ag_full(ctx, 2, (const int[]){2, 4}, 3);
    ag_var *y = ag_mse(ctx, a, b);
    assert_scalar_shape(y); /* 0-d, as DeZero and PyTorch */
    assert_int_equal(ag_backward(ctx, y, &CG), 0);
    assert_var_string(y, "variable(4)");
    assert_var_string(ag_grad(a), "variable[2 4]([-0.5 -0.5 -0.5 -0.5 -0.5 -0.5 -0.5 -0.5])");
    assert_var_string(ag_grad(b), "variable[2 4]([0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5])");
    ag_var *ga = ag_grad(a), *gb = ag_grad(b);
    ag_cleargrad(a);
    ag_cleargrad(b);
    assert_int_equal(ag_backward(ctx, ga, NULL), 0);
    assert_int_equal(ag_backward(ctx, gb, NULL), 0);
    assert_var_string(ag_grad(a), "variable[2 4]([0 0 0 0 0 0 0 0])");
    assert_var_string(ag_grad(b), "variable[2 4]([0 0 0 0 0 0 0 0])");
}

/* Values from a run of upstream, and the gradients summed back to each input's shape (upstream leaves
 * them broadcast-shaped). */
static void test_mse_broadcast(void **state) {
    ag_var *a = VAR(ctx, SHAPE(3), 1, 2, 3), *b = VAR(ctx, SHAPE(1), 0);
    ag_var *y = ag_mse(ctx, a, b);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_var_string(y, "variable(4.666666666666667)");
    assert_scalar_shape(y); /* 0-d, as DeZero and PyTorch */
    assert_shape(ag_grad(a), 3);
    assert_data(ag_grad(a), 2.0 / 3.0, 2.0 / 3.0 * 2, 2.0 / 3.0 * 3);
    assert_shape(ag_grad(b), 1);
    assert_close(ag_item(ag_grad(b)), -4);

    ag_var *s = ag_scalar(ctx, 2), *m = VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4);
    y = ag_mse(ctx, m, s);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_close(ag_item(y), (1 + 0 + 1 + 4) / 4.0);
    assert_scalar_shape(ag_grad(s));
    assert_close(ag_item(ag_grad(s)), -1.0);
    assert_data(ag_grad(m), -0.5, 0, 0.5, 1);

    /* what ag_mse's comment warns of: outputs [N 1] against targets [N] make
     * an [N N] difference, every output with every target (sum (i-j)^2 = 40
     * over 16), not the 0 of the 4 pairs */
    y = ag_mse(ctx, VAR(ctx, SHAPE(4, 1), 1, 2, 3, 4), VAR(ctx, SHAPE(4), 1, 2, 3, 4));
    assert_close(ag_item(y), 40.0 / 16);
    assert_close(ag_item(ag_mse(ctx, VAR(ctx, SHAPE(4, 1), 1, 2, 3, 4), VAR(ctx, SHAPE(4, 1), 1, 2, 3, 4))), 0);

    assert_error(ag_mse(ctx, VAR(ctx, SHAPE(3), 1, 2, 3), VAR(ctx, SHAPE(2), 1, 2)),
                 "mse: shapes [3] and [2] are not compatible");
}

/* ---- accuracy (upstream's test) ---------------------------------------------------------- */

static void test_accuracy(void **state) {
    ag_var *y = VAR(ctx, SHAPE(3, 3), 0.2, 0.8, 0, 0.1, 0.9, 0, 0.8, 0.1, 0.1);
    ag_var *a = ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), 1, 2, 0));
    assert_var_string(a, "variable(0.6666666666666666)");
    assert_scalar_shape(a);
    assert_null(ag_creator(a));

    a = ag_accuracy(ctx, VAR(ctx, SHAPE(2, 2), 0.1, 0.9, 0.8, 0.2), VAR(ctx, SHAPE(2), 1, 1));
    assert_var_string(a, "variable(0.5)");
    assert_scalar_shape(a);
    /* labels of any shape with N entries; ties go to the first maximum */
    a = ag_accuracy(ctx, VAR(ctx, SHAPE(2, 2), 0.5, 0.5, 0.8, 0.2), VAR(ctx, SHAPE(2, 1), 0, 0));
    assert_var_string(a, "variable(1)");

    assert_error(ag_accuracy(ctx, VAR(ctx, SHAPE(3), 1, 2, 3), VAR(ctx, SHAPE(1), 0)),
                 "accuracy: y must be 2-D (N, C), got [3]");
    assert_error(ag_accuracy(ctx, y, VAR(ctx, SHAPE(2), 1, 2)), "accuracy: 2 labels for 3 rows");
    assert_error(ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), 1, 2, 1.5)),
                 "accuracy: label 1.5 in row 2 is not a class: labels are whole numbers 0 to 2");
    assert_error(ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), 9, 2, 0)),
                 "accuracy: label 9 in row 0 is not a class: labels are whole numbers 0 to 2");
    assert_error(ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), 1, NAN, 0)),
                 "accuracy: label NaN in row 1 is not a class: labels are whole numbers 0 to 2");
    /* no rows, or all ignored: NaN, a mean of nothing as PyTorch's (and cross_entropy's) */
    assert_var_string(ag_accuracy(ctx, ag_zeros(ctx, 2, (const int[]){0, 3}), ag_zeros(ctx, 1, (const int[]){0})),
                      "variable(NaN)");
    assert_var_string(ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), -100, -100, -100)), "variable(NaN)");
    /* an ignored row is left out: 1 hit of the 2 kept rows */
    assert_var_string(ag_accuracy(ctx, y, VAR(ctx, SHAPE(3), -100, 2, 0)), "variable(0.5)");
    assert_error(ag_accuracy(ctx, NULL, y), "accuracy: input 1 is NULL");
}

/* ---- dropout ---------------------------------------------------------------------------- */

static void test_dropout(void **state) {
    const int shape[] = {4, 5};
    ag_var *x = ag_zeros(ctx, 2, shape);
    for (int i = 0; i < 20; i++) ag_data(x)[i] = i + 1;
    ag_rng_seed(ag_ctx_rng(ctx), 11);
    ag_var *u = ag_rand(ctx, 2, shape, NULL);
    ag_rng_seed(ag_ctx_rng(ctx), 11);
    ag_var *y = ag_dropout(ctx, x, 0.4);
    assert_int_equal(ag_func_op(ag_creator(y)), AG_OP_DROPOUT);
    char label[64];
    assert_string_equal(ag_func_label(ag_creator(y), label, sizeof label), "Dropout(0.4)");
    int kept = 0;
    for (int i = 0; i < 20; i++) {
        bool keep = ag_cdata(u)[i] > 0.4;
        kept += keep;
        assert_true(ag_cdata(y)[i] == (keep ? (i + 1) * (1.0 / (1.0 - 0.4)) : 0.0));
    }
    assert_true(kept > 0 && kept < 20); /* the seed gives a real mix */

    /* the mask survives a collection through the node and drives the backward */
    ag_retain(x);
    ag_retain(y);
    ag_retain(u);
    ag_gc(ctx);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    for (int i = 0; i < 20; i++)
        assert_true(ag_cdata(ag_grad(x))[i] == (ag_cdata(u)[i] > 0.4 ? 1.0 / (1.0 - 0.4) : 0.0));
    ag_release(x);
    ag_release(y);
    ag_release(u);
}

static void test_dropout_modes(void **state) {
    ag_var *x = VAR(ctx, SHAPE(3), 1, 2, 3);
    bool old = ag_set_train(ctx, false);
    assert_ptr_equal(ag_dropout(ctx, x, 0.5), x);
    ag_set_train(ctx, old);

    /* ratio 0 keeps everything (a uniform draw is > 0 but for 2^-53) */
    ag_var *y = ag_dropout(ctx, x, 0.0);
    assert_data(y, 1, 2, 3);

    /* under nograd: values, no node */
    old = ag_set_grad_enabled(ctx, false);
    y = ag_dropout(ctx, x, 0.5);
    ag_set_grad_enabled(ctx, old);
    assert_non_null(y);
    assert_null(ag_creator(y));

    assert_error(ag_dropout(ctx, x, 1.0), "dropout: ratio 1 is outside [0, 1)");
    assert_error(ag_dropout(ctx, x, -0.5), "dropout: ratio -0.5 is outside [0, 1)");
    assert_error(ag_dropout(ctx, x, NAN), "dropout: ratio NaN is outside [0, 1)");
    assert_error(ag_dropout(ctx, NULL, 0.5), "dropout: input 1 is NULL");
}

/* ---- conv1d's errors: its own name and the 3-D shapes given, not conv2d's [N C 1 L] ---- */

static void test_conv1d_errors_say_conv1d(void **state) {
    ag_var *x = ag_zeros(ctx, 3, (const int[]){2, 4, 5});
    ag_var *w = ag_zeros(ctx, 3, (const int[]){3, 4, 3});
    static const struct {
        int wshape[3], bias, stride, padding, dilation, groups;
        const char *message;
    } cases[] = {
        {{3, 2, 3}, 0, 1, 0, 1, 1, "conv1d: weight [3 2 3] expects 2 input channels (groups=1), but x [2 4 5] has 4 channels"},
        {{3, 4, 7}, 0, 1, 0, 1, 1, "conv1d: kernel 7 with dilation 1 is larger than the padded input 5 (length 5, padding 0)"},
        {{3, 4, 3}, 0, 0, 0, 1, 1, "conv1d: stride 0 must be positive"},
        {{3, 4, 3}, 0, 1, -1, 1, 1, "conv1d: padding -1 must not be negative"},
        {{3, 4, 3}, 0, 1, 0, 0, 1, "conv1d: dilation 0 must be positive"},
        {{3, 4, 3}, 2, 1, 0, 1, 1, "conv1d: bias [2] must have one value per output channel (3)"},
        {{3, 2, 3}, 0, 1, 0, 1, 2, "conv1d: weight [3 2 3]: 3 output channels do not split into 2 groups"},
        {{3, 4, 3}, 0, 1, 0, 1, 0, "conv1d: groups 0 must be positive"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ag_var *wi = ag_zeros(ctx, 3, cases[i].wshape);
        ag_var *b = cases[i].bias ? ag_zeros(ctx, 1, &cases[i].bias) : NULL;
        assert_error(ag_conv1d(ctx, x, wi, b, cases[i].stride, cases[i].padding, cases[i].dilation, cases[i].groups),
                     cases[i].message);
    }
    /* what the checks let through still runs: [2 4 5] * [3 4 3], padding 1 -> [2 3 5] */
    ag_var *y = ag_conv1d(ctx, x, w, NULL, 1, 1, 1, 1);
    assert_non_null(y);
    assert_int_equal(ag_ndim(y), 3);
    assert_int_equal(ag_shape(y)[2], 5);
}

/* PyTorch's unbatched forms, taken by the engine itself: conv1d's [C L],
 * conv2d's and conv_transpose2d's [C H W].  An error names x as given (it
 * said x [1 2 5], the batch of one it ran as, for a [2 5] the user gave),
 * and the result is the batched one's first, without the batch axis. */
static void test_conv_unbatched_named_as_given(void **state) {
    assert_error(ag_conv1d(ctx, ag_zeros(ctx, 2, (const int[]){2, 5}), ag_zeros(ctx, 3, (const int[]){4, 3, 2}), NULL,
                           1, 0, 1, 1),
                 "conv1d: weight [4 3 2] expects 3 input channels (groups=1), but x [2 5] has 2 channels");
    assert_error(ag_conv2d(ctx, ag_zeros(ctx, 3, (const int[]){2, 5, 5}), ag_zeros(ctx, 4, (const int[]){4, 3, 2, 2}),
                           NULL, NULL, NULL, NULL, 1),
                 "conv2d: weight [4 3 2 2] expects 3 input channels (groups=1), but x [2 5 5] has 2 channels");
    assert_error(ag_conv_transpose2d(ctx, ag_zeros(ctx, 3, (const int[]){2, 5, 5}),
                                     ag_zeros(ctx, 4, (const int[]){3, 4, 2, 2}), NULL, NULL, NULL, NULL, 1, NULL),
                 "conv_transpose2d: weight [3 4 2 2] expects 3 input channels (groups=1), but x [2 5 5] has 2 channels");
    assert_error(ag_conv2d(ctx, ag_zeros(ctx, 2, (const int[]){5, 5}), ag_zeros(ctx, 4, (const int[]){4, 3, 2, 2}),
                           NULL, NULL, NULL, NULL, 1),
                 "conv2d: x must be 3-D (C, H, W) or 4-D (N, C, H, W), got [5 5]");
    assert_error(ag_conv1d(ctx, ag_zeros(ctx, 1, (const int[]){5}), ag_zeros(ctx, 3, (const int[]){4, 3, 2}), NULL, 1,
                           0, 1, 1),
                 "conv1d: x must be 2-D (C, L) or 3-D (N, C, L), got [5]");
    /* the numbers: unbatched against the batch of one */
    ag_rng rng;
    ag_rng_seed(&rng, 3);
    ag_var *x = ag_randn(ctx, 3, (const int[]){1, 3, 6}, &rng), *w = ag_randn(ctx, 3, (const int[]){2, 3, 3}, &rng);
    ag_var *one = ag_conv1d(ctx, ag_squeeze(ctx, x, 0), w, NULL, 2, 1, 1, 1), *batch = ag_conv1d(ctx, x, w, NULL, 2, 1, 1, 1);
    assert_non_null(one);
    assert_int_equal(ag_ndim(one), 2);
    assert_int_equal(ag_size(one), ag_size(batch));
    for (size_t i = 0; i < ag_size(one); i++) assert_true(ag_cdata(one)[i] == ag_cdata(batch)[i]);
    ag_var *x2 = ag_randn(ctx, 4, (const int[]){1, 2, 4, 4}, &rng), *w2 = ag_randn(ctx, 4, (const int[]){3, 2, 2, 2}, &rng);
    ag_var *one2 = ag_conv2d(ctx, ag_squeeze(ctx, x2, 0), w2, NULL, NULL, NULL, NULL, 1);
    ag_var *batch2 = ag_conv2d(ctx, x2, w2, NULL, NULL, NULL, NULL, 1);
    assert_non_null(one2);
    assert_int_equal(ag_ndim(one2), 3);
    for (size_t i = 0; i < ag_size(one2); i++) assert_true(ag_cdata(one2)[i] == ag_cdata(batch2)[i]);
    ag_var *t = ag_conv_transpose2d(ctx, ag_squeeze(ctx, x2, 0), ag_randn(ctx, 4, (const int[]){2, 3, 2, 2}, &rng), NULL,
                                    NULL, NULL, NULL, 1, NULL);
    assert_non_null(t);
    assert_int_equal(ag_ndim(t), 3);
    assert_int_equal(ag_shape(t)[0], 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_conv_unbatched_named_as_given),
        CTX_TEST(test_linear),
        CTX_TEST(test_linear_shared_weight_grads),
        CTX_TEST(test_linear_batched),
        CTX_TEST(test_linear_double),
        CTX_TEST(test_linear_wide_bias),
        CTX_TEST(test_linear_bias_layouts),
        CTX_TEST(test_linear_errors),
        CTX_TEST(test_sigmoid),
        CTX_TEST(test_sigmoid_simple),
        CTX_TEST(test_relu),
        CTX_TEST(test_gelu),
        CTX_TEST(test_softmax_last_axis),
        CTX_TEST(test_softmax_first_axis),
        CTX_TEST(test_softmax_middle_axis),
        CTX_TEST(test_softmax_simple),
        CTX_TEST(test_softmax_errors),
        CTX_TEST(test_cross_entropy_g69),
        CTX_TEST(test_cross_entropy_labels),
        CTX_TEST(test_cross_entropy_errors),
        CTX_TEST(test_mse),
        CTX_TEST(test_mse_broadcast),
        CTX_TEST(test_accuracy),
        CTX_TEST(test_dropout),
        CTX_TEST(test_dropout_modes),
        CTX_TEST(test_conv1d_errors_say_conv1d),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
