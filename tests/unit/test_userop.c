/* test_userop.c — differentiable ops a C program defines (ag_userop.h):
 * forward values, gradients against central differences (first and second
 * order, through the op's own backward built from ag_ ops), the op's name in
 * function labels, the graph's DOT text (ag_dot, and the REPL's) and
 * gradient-check messages, its errors, and the names refused; ag_dot itself
 * read back with Graphviz. */
#include "testutil.h"

#include <cgraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define STEP 1e-5

/* ---- the ops ---------------------------------------------------------------------- */

/* softsign(x) = x / (1 + |x|); d/dx = 1 / (1 + |x|)^2 */
static int softsign_forward(ag_ctx *ctx, void *user, const ag_var *const *x, int n, double *y, int ndim,
                            const int *shape) {
    (void)ctx, (void)user, (void)n, (void)ndim, (void)shape;
    const double *a = ag_cdata(x[0]);
    for (size_t i = 0; i < ag_size(x[0]); i++) y[i] = a[i] / (1 + fabs(a[i]));
    return 0;
}

static int softsign_backward(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y, ag_var *gy,
                             ag_var **gx) {
    (void)user, (void)n, (void)y;
    ag_var *d = ag_add(ctx, ag_scalar(ctx, 1), ag_abs(ctx, x[0]));
    gx[0] = ag_div(ctx, gy, ag_square(ctx, d));
    return gx[0] ? 0 : -1;
}

static const ag_userop_def softsign_def = {.name = "softsign",
                                           .n_inputs = 1,
                                           .forward = softsign_forward,
                                           .backward = softsign_backward,
                                           .rule = "d/dx softsign(x) = 1/(1 + |x|)^2"};

/* sqdiff(a, b) = k*(a - b)^2 with k behind the user pointer; d/da = 2k(a - b) = -d/db */
static int sqdiff_forward(ag_ctx *ctx, void *user, const ag_var *const *x, int n, double *y, int ndim,
                          const int *shape) {
    (void)ctx, (void)n, (void)ndim, (void)shape;
    double k = *(const double *)user;
    const double *a = ag_cdata(x[0]), *b = ag_cdata(x[1]);
    for (size_t i = 0; i < ag_size(x[0]); i++) y[i] = k * (a[i] - b[i]) * (a[i] - b[i]);
    return 0;
}

static int sqdiff_backward(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y, ag_var *gy,
                           ag_var **gx) {
    (void)n, (void)y;
    double k = *(const double *)user;
    ag_var *g = ag_mul(ctx, gy, ag_mul(ctx, ag_scalar(ctx, 2 * k), ag_sub(ctx, x[0], x[1])));
    gx[0] = g;
    gx[1] = ag_neg(ctx, g);
    return gx[0] && gx[1] ? 0 : -1;
}

/* rowsumsq(x) for x [n m] = [n]: the sum of squares of each row (a shape
 * callback); d/dx = 2x times gy spread along the rows */
static int rowsumsq_shape(ag_ctx *ctx, void *user, const ag_var *const *x, int n, int *ndim, int *shape) {
    (void)user, (void)n;
    if (ag_ndim(x[0]) != 2) return ag_set_error(ctx, "x must be 2-D, got %d-D", ag_ndim(x[0])), -1;
    *ndim = 1;
    shape[0] = ag_shape(x[0])[0];
    return 0;
}

static int rowsumsq_forward(ag_ctx *ctx, void *user, const ag_var *const *x, int n, double *y, int ndim,
                            const int *shape) {
    (void)ctx, (void)user, (void)n, (void)ndim;
    const double *a = ag_cdata(x[0]);
    int cols = ag_shape(x[0])[1];
    for (int i = 0; i < shape[0]; i++) {
        y[i] = 0;
        for (int j = 0; j < cols; j++) y[i] += a[i * cols + j] * a[i * cols + j];
    }
    return 0;
}

static int rowsumsq_backward(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y, ag_var *gy,
                             ag_var **gx) {
    (void)user, (void)n, (void)y;
    int column[2] = {ag_shape(x[0])[0], 1};
    ag_var *g = ag_broadcast_to(ctx, ag_reshape(ctx, gy, 2, column), 2, ag_shape(x[0]));
    gx[0] = ag_mul(ctx, ag_mul(ctx, ag_scalar(ctx, 2), x[0]), g);
    return gx[0] ? 0 : -1;
}

/* bad_square(x) = x^2 with a wrong backward (x instead of 2x) */
static int square_forward(ag_ctx *ctx, void *user, const ag_var *const *x, int n, double *y, int ndim,
                          const int *shape) {
    (void)ctx, (void)user, (void)n, (void)ndim, (void)shape;
    const double *a = ag_cdata(x[0]);
    for (size_t i = 0; i < ag_size(x[0]); i++) y[i] = a[i] * a[i];
    return 0;
}

static int wrong_square_backward(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y, ag_var *gy,
                                 ag_var **gx) {
    (void)user, (void)n, (void)y;
    gx[0] = ag_mul(ctx, gy, x[0]);
    return gx[0] ? 0 : -1;
}

/* picky(x) = x for x > 0; what the callbacks do on failure is chosen by *mode */
enum { PICKY_OK, PICKY_MESSAGE, PICKY_SILENT, PICKY_BAD_SHAPE, PICKY_GC, PICKY_OP_FAILS };

static int picky_forward(ag_ctx *ctx, void *user, const ag_var *const *x, int n, double *y, int ndim,
                         const int *shape) {
    (void)n, (void)ndim, (void)shape;
    int mode = *(int *)user;
    const double *a = ag_cdata(x[0]);
    if (mode == PICKY_GC) {
        size_t freed = ag_gc(ctx);
        (void)freed;
        return -1; /* the refusal's message is the op's error */
    }
    for (size_t i = 0; i < ag_size(x[0]); i++) {
        if (a[i] <= 0) {
            if (mode == PICKY_SILENT) return -1;
            ag_set_error(ctx, "x must be positive, got %g", a[i]);
            return -1;
        }
        y[i] = a[i];
    }
    return 0;
}

static int picky_backward(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y, ag_var *gy,
                          ag_var **gx) {
    (void)n, (void)y;
    int mode = *(int *)user;
    if (mode == PICKY_BAD_SHAPE) {
        gx[0] = ag_sum(ctx, gy, NULL, 0); /* 0-d for a [2] input */
        return 0;
    }
    if (mode == PICKY_OP_FAILS) {
        gx[0] = ag_matmul(ctx, gy, ag_ones(ctx, 1, (int[]){3}));
        return gx[0] ? 0 : -1;
    }
    if (mode == PICKY_MESSAGE) {
        ag_set_error_code(ctx, AG_ERR_NONFINITE, "cannot differentiate here");
        return -1;
    }
    gx[0] = gy;
    (void)x;
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------- */

static ag_userop *must_register(ag_ctx *ctx, const ag_userop_def *def) {
    ag_userop *op = ag_op_register(ctx, def);
    if (op == NULL) fail_msg("ag_op_register(%s): %s", def->name, ag_errmsg(ctx));
    return op;
}

static ag_var *apply1(ag_ctx *ctx, ag_userop *op, ag_var *x) { return ag_apply(ctx, op, &x, 1); }

typedef struct {
    ag_userop *softsign, *sqdiff;
} pair;

/* sum(sqdiff(softsign(a), b) * a): both ops inside built-in ones */
static ag_var *composite(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    (void)n;
    const pair *p = user;
    ag_var *s = apply1(ctx, p->softsign, xs[0]);
    ag_var *d = ag_apply(ctx, p->sqdiff, (ag_var *[]){s, xs[1]}, 2);
    return ag_sum(ctx, ag_mul(ctx, d, xs[0]), NULL, 0);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_forward_values(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    double k = 1.5;
    ag_userop *softsign = must_register(ctx, &softsign_def);
    ag_userop *sqdiff = must_register(ctx, &(ag_userop_def){.name = "sqdiff", .n_inputs = 2,
                                                            .forward = sqdiff_forward,
                                                            .backward = sqdiff_backward, .user = &k});
    ag_userop *rows = must_register(ctx, &(ag_userop_def){.name = "rowsumsq", .n_inputs = 1,
                                                          .shape = rowsumsq_shape,
                                                          .forward = rowsumsq_forward,
                                                          .backward = rowsumsq_backward});
    ag_var *x = VAR(ctx, SHAPE(4), -2.0, -0.5, 0.0, 3.0);
    ag_var *y = apply1(ctx, softsign, x);
    assert_non_null(y);
    assert_shape(y, 4);
    assert_data(y, -2.0 / 3, -0.5 / 1.5, 0.0, 0.75);
    ag_var *b = VAR(ctx, SHAPE(4), 1.0, 1.0, 1.0, 1.0);
    ag_var *d = ag_apply(ctx, sqdiff, (ag_var *[]){x, b}, 2);
    assert_data(d, 1.5 * 9, 1.5 * 2.25, 1.5 * 1, 1.5 * 4);
    ag_var *m = VAR(ctx, SHAPE(2, 3), 1.0, 2.0, 3.0, -1.0, 0.5, 2.0);
    ag_var *r = apply1(ctx, rows, m);
    assert_shape(r, 2);
    assert_data(r, 14.0, 5.25);
    /* a 0-d input stays 0-d, and with backprop off nothing is recorded */
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *s = apply1(ctx, softsign, ag_scalar(ctx, 1.0));
    ag_set_grad_enabled(ctx, old);
    assert_scalar_shape(s);
    assert_close(ag_item(s), 0.5);
    assert_null(ag_creator(s));
    /* the handle keeps what it was registered with */
    assert_string_equal(ag_userop_name(sqdiff), "sqdiff");
    assert_ptr_equal(ag_userop_user(sqdiff), &k);
    assert_int_equal(ag_userop_ninputs(sqdiff), 2);
    assert_ptr_equal(ag_op_find(ctx, "rowsumsq"), rows);
    assert_null(ag_op_find(ctx, "Rowsumsq"));
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

static void test_gradients_match_central_differences(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    double k = 0.75;
    pair p = {must_register(ctx, &softsign_def),
              must_register(ctx, &(ag_userop_def){.name = "sqdiff", .n_inputs = 2, .forward = sqdiff_forward,
                                                  .backward = sqdiff_backward, .user = &k})};
    ag_userop *rows = must_register(ctx, &(ag_userop_def){.name = "rowsumsq", .n_inputs = 1,
                                                          .shape = rowsumsq_shape,
                                                          .forward = rowsumsq_forward,
                                                          .backward = rowsumsq_backward});
    ag_var *x = VAR(ctx, SHAPE(2, 3), -2.0, -0.5, 0.3, 3.0, 1.25, -0.8);
    ag_var *w = VAR(ctx, SHAPE(2, 3), 0.1, -0.2, 0.4, 0.9, -1.0, 0.5);
    /* the op alone: its backward against the formula and central differences */
    ag_var *y = ag_sum(ctx, apply1(ctx, p.softsign, x), NULL, 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    ag_var *numeric = ag_numgrad(ctx, composite, &p, (ag_var *[]){x, w}, 2, 0, STEP);
    assert_non_null(numeric);
    for (size_t i = 0; i < 6; i++) {
        double a = ag_cdata(x)[i];
        assert_close(ag_cdata(ag_grad(x))[i], 1 / ((1 + fabs(a)) * (1 + fabs(a))));
    }
    assert_int_equal(ag_userop_gradcheck(ctx, p.softsign, &x, 1, 1e-8, 1e-6, NULL, NULL), 1);
    assert_int_equal(ag_userop_gradcheck(ctx, p.sqdiff, (ag_var *[]){x, w}, 2, 1e-8, 1e-6, NULL, NULL), 1);
    assert_int_equal(ag_userop_gradcheck(ctx, rows, &x, 1, 1e-8, 1e-6, NULL, NULL), 1);
    /* inside a graph of built-in ops, every input against ag_numgrad */
    ag_cleargrad(x);
    ag_var *z = composite(&p, ctx, (ag_var *[]){x, w}, 2);
    assert_int_equal(ag_backward(ctx, z, NULL), 0);
    ag_var *xs[2] = {x, w};
    for (int i = 0; i < 2; i++) {
        ag_var *num = ag_numgrad(ctx, composite, &p, xs, 2, i, STEP);
        for (size_t e = 0; e < 6; e++)
            assert_close_tol(ag_cdata(ag_grad(xs[i]))[e], ag_cdata(num)[e], 1e-7, 1e-8);
    }
    assert_int_equal(ag_gradcheck(ctx, composite, &p, xs, 2, 1e-8, 1e-6, NULL, NULL), 1);
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

/* d/dx softsign'(x) = -2 sign(x) / (1 + |x|)^3, through the op's recorded backward */
static void test_second_order_through_the_op(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    ag_userop *softsign = must_register(ctx, &softsign_def);
    const double points[] = {0.7, -1.3, 2.5};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        double x0 = points[i];
        ag_var *x = ag_scalar(ctx, x0);
        ag_var *y = apply1(ctx, softsign, x);
        ag_var *g1 = ag_grad_of(ctx, y, x, true);
        assert_non_null(g1);
        assert_close(ag_item(g1), 1 / ((1 + fabs(x0)) * (1 + fabs(x0))));
        ag_var *g2 = ag_grad_of(ctx, g1, x, false);
        if (g2 == NULL) fail_msg("second order: %s", ag_errmsg(ctx));
        double expected = -2 * (x0 > 0 ? 1 : -1) / pow(1 + fabs(x0), 3);
        assert_close_tol(ag_item(g2), expected, 1e-12, 1e-15);
        /* central differences of the first derivative */
        double g[2];
        for (int s = 0; s < 2; s++) {
            ag_var *xh = ag_scalar(ctx, x0 + (s ? -STEP : STEP));
            g[s] = ag_item(ag_grad_of(ctx, apply1(ctx, softsign, xh), xh, false));
        }
        assert_close_tol(ag_item(g2), (g[0] - g[1]) / (2 * STEP), 1e-6, 1e-9);
    }
    /* and a third order: d/dx of the second = 6 / (1 + |x|)^4 */
    ag_var *x = ag_scalar(ctx, 0.4);
    ag_var *g1 = ag_grad_of(ctx, apply1(ctx, softsign, x), x, true);
    ag_var *g2 = ag_grad_of(ctx, g1, x, true);
    ag_var *g3 = ag_grad_of(ctx, g2, x, false);
    assert_non_null(g3);
    assert_close_tol(ag_item(g3), 6 / pow(1.4, 4), 1e-12, 1e-15);
    ag_ctx_free(ctx);
}

static int mismatches, first_input = -1;
static void count_mismatch(void *user, int input, size_t index, double analytic, double numeric) {
    (void)user, (void)index, (void)analytic, (void)numeric;
    if (mismatches++ == 0) first_input = input;
}

static void test_gradcheck_names_the_op(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    ag_userop *bad = must_register(ctx, &(ag_userop_def){.name = "bad_square", .n_inputs = 1,
                                                         .forward = square_forward,
                                                         .backward = wrong_square_backward});
    ag_var *x = VAR(ctx, SHAPE(2), 0.5, 2.0);
    mismatches = 0;
    assert_int_equal(ag_userop_gradcheck(ctx, bad, &x, 1, 1e-8, 1e-6, count_mismatch, NULL), 0);
    assert_int_equal(mismatches, 2);
    assert_int_equal(ag_errcode(ctx), AG_ERR_GRADIENT);
    assert_string_equal(ag_errcode_name(AG_ERR_GRADIENT), "gradient");
    /* central differences of x^2 at 0.5: 1 (to about 1e-10) */
    const char *msg = ag_errmsg(ctx);
    /* the input as the callback numbered it (the message said
       "input 1" where report was given input 0) */
    assert_int_equal(first_input, 0);
    const char *want = "bad_square: gradient check failed: x[0] element 0: backward gives 0.5, "
                       "central differences ";
    if (strncmp(msg, want, strlen(want)) != 0) fail_msg("message: %s", msg);
    assert_close_tol(strtod(msg + strlen(want), NULL), 1.0, 1e-8, 0);
    assert_null(ag_grad(x)); /* left as it was */
    ag_ctx_free(ctx);
}

static void test_graphs_show_the_name(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    double k = 2;
    ag_userop *softsign = must_register(ctx, &softsign_def);
    ag_userop *sqdiff = must_register(ctx, &(ag_userop_def){.name = "sqdiff", .n_inputs = 2,
                                                            .forward = sqdiff_forward,
                                                            .backward = sqdiff_backward, .user = &k});
    ag_var *x = ag_scalar(ctx, 0.5), *w = ag_scalar(ctx, -1);
    ag_set_name(x, "x");
    ag_var *s = apply1(ctx, softsign, x);
    ag_var *y = ag_sin(ctx, ag_apply(ctx, sqdiff, (ag_var *[]){s, w}, 2));
    ag_set_name(y, "y");
    ag_func *f = ag_creator(s);
    char label[64];
    assert_string_equal(ag_func_label(f, label, sizeof label), "softsign");
    assert_string_equal(ag_func_name(f), "softsign");
    assert_string_equal(ag_func_name(ag_creator(y)), "Sin");
    assert_ptr_equal(ag_func_userop(f), softsign);
    assert_null(ag_func_userop(ag_creator(y)));
    assert_int_equal(ag_func_op(f), AG_OP_USER);
    assert_int_equal(ag_func_op(ag_creator(ag_func_input(ag_creator(y), 0))), AG_OP_USER + 1);
    assert_null(ag_op_name(AG_OP_USER)); /* no context there */
    assert_ptr_equal(ag_func_input(f, 0), x);
    /* the library's own DOT text */
    char *text = ag_dot(y, false);
    assert_non_null(text);
    assert_non_null(strstr(text, "[label=\"softsign\", color=lightblue, style=filled, shape=box]"));
    assert_non_null(strstr(text, "[label=\"sqdiff\", color=lightblue, style=filled, shape=box]"));
    free(text);
    text = ag_dot(s, true);
    assert_string_equal(text, "digraph g {\n"
                              "n0 [label=\"[]\", color=orange, style=filled]\n"
                              "n1 [label=\"softsign\", color=lightblue, style=filled, shape=box]\n"
                              "n1 -> n0\n"
                              "n2 [label=\"x: []\", color=orange, style=filled]\n"
                              "n2 -> n1\n"
                              "}\n");
    free(text);
    /* the graph drawn from the library's functions (the REPL's DOT) */
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    char err[VIZ_ERRLEN] = "";
    char *dot = viz_graph_dot(y, &o, err);
    if (dot == NULL) fail_msg("viz_graph_dot: %s", err);
    assert_non_null(strstr(dot, "softsign"));
    assert_non_null(strstr(dot, "sqdiff"));
    assert_non_null(strstr(dot, "Sin"));
    free(dot);
    /* the graph window's inspector: the op and the rule it was registered with */
    assert_string_equal(ag_func_rule(f), "d/dx softsign(x) = 1/(1 + |x|)^2");
    assert_string_equal(ag_func_rule(ag_creator(y)), ag_op_rule(AG_OP_SIN));
    char *html = viz_graph_inspector_html(y, &o, err);
    if (html == NULL) fail_msg("viz_graph_inspector_html: %s", err);
    assert_non_null(strstr(html, "op: softsign"));
    assert_non_null(strstr(html, "d/dx softsign(x) = 1/(1 + |x|)^2"));
    assert_non_null(strstr(html, "user-defined op (its backward callback)")); /* sqdiff: no .rule */
    free(html);
    char *tree = viz_graph_tree(y, &o, err);
    if (tree == NULL) fail_msg("viz_graph_tree: %s", err);
    assert_non_null(strstr(tree, "← softsign"));
    free(tree);
    ag_ctx_free(ctx);
}

static void test_failing_callbacks_name_the_op(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    int mode = PICKY_MESSAGE;
    ag_userop *picky = must_register(ctx, &(ag_userop_def){.name = "picky", .n_inputs = 1,
                                                           .forward = picky_forward,
                                                           .backward = picky_backward, .user = &mode});
    ag_var *neg = VAR(ctx, SHAPE(2), 1.0, -1.0), *pos = VAR(ctx, SHAPE(2), 1.0, 2.0);
    assert_null(apply1(ctx, picky, neg));
    assert_string_equal(ag_errmsg(ctx), "picky: x must be positive, got -1");
    assert_int_equal(ag_errcode(ctx), AG_ERR_USER);
    /* NULL propagates through later ops with the message kept */
    assert_null(ag_sin(ctx, apply1(ctx, picky, neg)));
    assert_string_equal(ag_errmsg(ctx), "picky: x must be positive, got -1");
    ag_clear_error(ctx);
    mode = PICKY_SILENT;
    assert_null(apply1(ctx, picky, neg));
    assert_string_equal(ag_errmsg(ctx), "picky: forward failed (the callback returned -1 and set no message)");
    /* an error set before is kept when the callbacks succeed */
    ag_set_error(ctx, "earlier");
    mode = PICKY_OK;
    assert_non_null(apply1(ctx, picky, pos));
    assert_string_equal(ag_errmsg(ctx), "earlier");
    ag_clear_error(ctx);
    /* ag_gc inside a callback is refused, and that is the op's error */
    mode = PICKY_GC;
    assert_null(apply1(ctx, picky, pos));
    assert_string_equal(ag_errmsg(ctx),
                        "picky: gc: refused inside a user op's callback; collect after the op returns");
    ag_clear_error(ctx);
    /* backward: a message of the callback's, an ag_ op failing inside it,
     * a gradient of the wrong shape */
    mode = PICKY_OK;
    ag_var *y = ag_sum(ctx, apply1(ctx, picky, pos), NULL, 0);
    mode = PICKY_MESSAGE;
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "picky: backward: cannot differentiate here");
    assert_int_equal(ag_errcode(ctx), AG_ERR_NONFINITE);
    assert_null(ag_grad(pos)); /* the pass put every gradient back */
    ag_clear_error(ctx);
    mode = PICKY_OP_FAILS;
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    if (strncmp(ag_errmsg(ctx), "picky: backward: matmul: ", 25) != 0) fail_msg("%s", ag_errmsg(ctx));
    assert_int_equal(ag_errcode(ctx), AG_ERR_SHAPE);
    ag_clear_error(ctx);
    mode = PICKY_BAD_SHAPE;
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "picky: backward: the gradient for input 1 has shape [], the input "
                                        "[2] (ag_sum_to brings it back)");
    ag_clear_error(ctx);
    /* after all that the graph still works */
    mode = PICKY_OK;
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_data(ag_grad(pos), 1.0, 1.0);
    /* wrong use of ag_apply */
    assert_null(ag_apply(ctx, picky, (ag_var *[]){pos, pos}, 2));
    assert_string_equal(ag_errmsg(ctx), "picky: takes 1 input, given 2");
    ag_clear_error(ctx);
    assert_null(apply1(ctx, picky, NULL));
    assert_string_equal(ag_errmsg(ctx), "picky: input 1 is NULL");
    ag_clear_error(ctx);
    ag_ctx *other = ag_ctx_new();
    assert_null(apply1(other, picky, ag_scalar(other, 1)));
    assert_string_equal(ag_errmsg(other), "picky: the op was registered in another context");
    assert_int_equal(ag_errcode(other), AG_ERR_CONTEXT);
    assert_null(apply1(ctx, picky, ag_scalar(other, 1)));
    assert_string_equal(ag_errmsg(ctx), "picky: input 1 belongs to another context");
    ag_ctx_free(other);
    ag_ctx_free(ctx);
}

static void test_names_refused(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    ag_userop_def def = softsign_def;
    static const struct {
        const char *name, *message;
    } refused[] = {
        {"sin", "op_register: sin: the name of a built-in op (Sin); choose another"},
        {"Sin", "op_register: Sin: the name of a built-in op (Sin); choose another"},
        {"MATMUL", "op_register: MATMUL: the name of a built-in op (MatMul); choose another"},
        {"meansquarederror", "op_register: meansquarederror: the name of a built-in op (MeanSquaredError); "
                             "choose another"},
        {"index", "op_register: index: the name of a built-in op (GetItem); choose another"},
        {"2fast", "op_register: the name \"2fast\" is not an identifier of at most 63 bytes (letters, "
                  "digits and _, not starting with a digit)"},
        {"", "op_register: the name \"\" is not an identifier of at most 63 bytes (letters, digits and _, "
             "not starting with a digit)"},
        {"soft sign", "op_register: the name \"soft sign\" is not an identifier of at most 63 bytes (letters, "
                      "digits and _, not starting with a digit)"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        def.name = refused[i].name;
        assert_null(ag_op_register(ctx, &def));
        assert_string_equal(ag_errmsg(ctx), refused[i].message);
        ag_clear_error(ctx);
    }
    assert_non_null(ag_op_register(ctx, &softsign_def));
    assert_null(ag_op_register(ctx, &softsign_def));
    assert_string_equal(ag_errmsg(ctx),
                        "op_register: softsign: an op of that name is registered in this context already");
    ag_clear_error(ctx);
    def = softsign_def;
    def.name = "other";
    def.n_inputs = 0;
    assert_null(ag_op_register(ctx, &def));
    assert_string_equal(ag_errmsg(ctx), "op_register: other: n_inputs is 0 (1 to 16 allowed)");
    ag_clear_error(ctx);
    def.n_inputs = 1;
    def.backward = NULL;
    assert_null(ag_op_register(ctx, &def));
    assert_string_equal(ag_errmsg(ctx), "op_register: other: the backward callback is NULL");
    ag_clear_error(ctx);
    assert_null(ag_op_register(ctx, NULL));
    assert_string_equal(ag_errmsg(ctx), "op_register: the definition is NULL");
    ag_clear_error(ctx);
    /* a name is per context: another context may use it for another op */
    ag_ctx *other = ag_ctx_new();
    assert_null(ag_op_find(other, "softsign"));
    assert_non_null(ag_op_register(other, &softsign_def));
    ag_ctx_free(other);
    ag_ctx_free(ctx);
}

/* ag_dot of sin(x) + x^2, whole: each node once (x feeds two functions). */
static void test_dot_text(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    ag_var *x = ag_scalar(ctx, 1.0);
    ag_set_name(x, "x");
    ag_var *y = ag_add(ctx, ag_sin(ctx, x), ag_pow(ctx, x, 2));
    ag_set_name(y, "y \"out\"");
    char *text = ag_dot(y, false);
    assert_string_equal(text, "digraph g {\n"
                              "n0 [label=\"y \\\"out\\\"\", color=orange, style=filled]\n"
                              "n1 [label=\"Add\", color=lightblue, style=filled, shape=box]\n"
                              "n1 -> n0\n"
                              "n2 [label=\"\", color=orange, style=filled]\n"
                              "n2 -> n1\n"
                              "n3 [label=\"\", color=orange, style=filled]\n"
                              "n3 -> n1\n"
                              "n4 [label=\"Pow(2)\", color=lightblue, style=filled, shape=box]\n"
                              "n4 -> n3\n"
                              "n5 [label=\"x\", color=orange, style=filled]\n"
                              "n5 -> n4\n"
                              "n6 [label=\"Sin\", color=lightblue, style=filled, shape=box]\n"
                              "n6 -> n2\n"
                              "n5 -> n6\n"
                              "}\n");
    /* Graphviz reads it: 7 nodes, 7 edges, the labels as written */
    Agraph_t *g = agmemread(text);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 7);
    assert_int_equal(agnedges(g), 7);
    assert_string_equal(agget(agnode(g, "n0", 0), "label"), "y \"out\"");
    assert_string_equal(agget(agnode(g, "n4", 0), "label"), "Pow(2)");
    agclose(g);
    free(text);
    /* a leaf: one node; a split's function once though both outputs are used */
    text = ag_dot(x, true);
    assert_string_equal(text, "digraph g {\nn0 [label=\"x: []\", color=orange, style=filled]\n}\n");
    free(text);
    ag_var *parts[2];
    assert_int_equal(ag_split(ctx, VAR(ctx, SHAPE(2), 1.0, 2.0), (int[]){1, 1}, 2, 0, parts), 0);
    text = ag_dot(ag_mul(ctx, parts[0], parts[1]), false);
    size_t splits = 0;
    for (const char *p = text; (p = strstr(p, "\"Split")) != NULL; p++) splits++;
    assert_int_equal(splits, 1);
    free(text);
    ag_ctx_free(ctx);
}

/* A user op inside a long chain collected by ag_gc: nothing is lost or leaked. */
static void test_collected_like_any_op(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    ag_userop *softsign = must_register(ctx, &softsign_def);
    ag_var *x = ag_scalar(ctx, 0.3);
    ag_retain(x);
    for (int round = 0; round < 3; round++) {
        ag_var *y = x;
        for (int i = 0; i < 100; i++) y = apply1(ctx, softsign, y);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_cleargrad(x);
        ag_gc(ctx);
    }
    assert_int_equal(ag_live_funcs(ctx), 0);
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_values),
        cmocka_unit_test(test_gradients_match_central_differences),
        cmocka_unit_test(test_second_order_through_the_op),
        cmocka_unit_test(test_gradcheck_names_the_op),
        cmocka_unit_test(test_graphs_show_the_name),
        cmocka_unit_test(test_failing_callbacks_name_the_op),
        cmocka_unit_test(test_names_refused),
        cmocka_unit_test(test_collected_like_any_op),
        cmocka_unit_test(test_dot_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
