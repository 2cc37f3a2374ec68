/* test_constants.c — a constant (AG_VAR_CONST: a literal folded into an op,
 * a mask an op made) gets no gradient: backward neither keeps nor, in the
 * binary ops, computes one, on the direct path (same shapes, no graph
 * recorded), the broadcasting path and with create_graph, nor linear for a
 * constant input (data); the other inputs' gradients are the same as when
 * the constant is a plain leaf, and grad() of
 * a constant says why there is none. */
#include "testutil.h"

#include <string.h>

typedef ag_var *(*binary_op)(ag_ctx *, ag_var *, ag_var *);

static ag_var *constant(ag_var *v) {
    ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_CONST);
    return v;
}

/* sum(op(x, c)) or sum(op(c, x)) backward, with c a constant and then a
 * plain leaf of the same value: x.grad the same both times, the constant's
 * .grad NULL, the leaf's set. */
static void check_op(binary_op op, const int *shape, int ndim, bool constant_first, bool create_graph) {
    double xs[] = {0.5, -1.25, 2.0};
    ag_var *x = make_var(ctx, shape, ndim, xs);
    ag_var *grads[2];
    for (int as_constant = 1; as_constant >= 0; as_constant--) {
        ag_var *c = ag_scalar(ctx, 3.0);
        if (as_constant) constant(c);
        ag_var *y = constant_first ? op(ctx, c, x) : op(ctx, x, c);
        ag_var *s = ag_size(y) == 1 ? y : ag_sum(ctx, y, NULL, 0);
        assert_non_null(s);
        ag_cleargrad(x);
        assert_int_equal(ag_backward(ctx, s, &(ag_backward_opts){.create_graph = create_graph}), 0);
        grads[as_constant] = ag_grad(x);
        assert_non_null(grads[as_constant]);
        if (as_constant) assert_null(ag_grad(c));
        else assert_non_null(ag_grad(c));
    }
    check_data_at(grads[1], ag_cdata(grads[0]), ag_size(grads[0]), 0, __FILE__, __LINE__);
}

static void test_binary_ops_skip_the_constant(void **state) {
    (void)state;
    binary_op ops[] = {ag_add, ag_sub, ag_mul, ag_div};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (int first = 0; first < 2; first++)
            for (int graph = 0; graph < 2; graph++) {
                check_op(ops[i], SHAPE(1), first, graph);     /* 1 element against 0-d */
                check_op(ops[i], NULL, 0, first, graph);      /* 0-d: the direct path */
                check_op(ops[i], SHAPE(3), first, graph);     /* broadcast: sum_to */
            }
}

/* With create_graph the constant's share is not recorded: x.grad of
 * y = c * x^2 is 2*c*x, and its own backward gives 2*c. */
static void test_second_derivative_through_a_constant(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 1.5);
    ag_var *c = constant(ag_scalar(ctx, 2.0));
    ag_var *y = ag_mul(ctx, c, ag_pow(ctx, x, 3));
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.create_graph = true}), 0);
    ag_var *gx = ag_grad(x);
    assert_close(ag_item(gx), 2.0 * 3.0 * 1.5 * 1.5);
    assert_null(ag_grad(c));
    ag_cleargrad(x);
    assert_int_equal(ag_backward(ctx, gx, NULL), 0);
    assert_close(ag_item(ag_grad(x)), 2.0 * 6.0 * 1.5);
    assert_null(ag_grad(c));
}

static void test_two_constants(void **state) {
    (void)state;
    ag_var *a = constant(ag_scalar(ctx, 2.0)), *b = constant(ag_scalar(ctx, 5.0));
    ag_var *y = ag_mul(ctx, a, b);
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.retain_grad = true}), 0);
    assert_null(ag_grad(a));
    assert_null(ag_grad(b));
    assert_close(ag_item(ag_grad(y)), 1.0); /* the seed */
}

static void test_grad_of_a_constant_says_so(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 2.0), *c = constant(ag_scalar(ctx, 3.0));
    ag_var *y = ag_mul(ctx, x, c);
    assert_null(ag_grad_of(ctx, y, c, false));
    assert_non_null(strstr(ag_errmsg(ctx), "constant gets no gradient"));
    ag_clear_error(ctx);
    ag_var *g = ag_grad_of(ctx, y, x, false);
    assert_non_null(g);
    assert_close(ag_item(g), 3.0);
}

/* linear(x, w, b) with x a constant (data, as PyTorch's requires_grad=False
 * input): w's and b's gradients are those of a plain leaf x, x gets none,
 * on the direct path (dgemm with transpose flags) and with create_graph. */
static void test_linear_skips_the_constant(void **state) {
    (void)state;
    double xs[12], ws[15], bs[5] = {0.1, -0.2, 0.3, -0.4, 0.5};
    for (int i = 0; i < 12; i++) xs[i] = 0.25 * i - 1.0;
    for (int i = 0; i < 15; i++) ws[i] = 0.5 - 0.125 * i;
    for (int graph = 0; graph < 2; graph++) {
        ag_var *w = make_var(ctx, SHAPE(3, 5), ws), *b = make_var(ctx, SHAPE(5), bs);
        ag_var *gw[2], *gb[2];
        for (int as_constant = 1; as_constant >= 0; as_constant--) {
            ag_var *x = make_var(ctx, SHAPE(4, 3), xs);
            if (as_constant) constant(x);
            ag_var *y = ag_linear(ctx, x, w, b);
            ag_var *s = ag_sum(ctx, ag_mul(ctx, y, y), NULL, 0);
            assert_non_null(s);
            ag_cleargrad(w);
            ag_cleargrad(b);
            assert_int_equal(ag_backward(ctx, s, &(ag_backward_opts){.create_graph = graph}), 0);
            gw[as_constant] = ag_grad(w);
            gb[as_constant] = ag_grad(b);
            assert_non_null(gw[as_constant]);
            assert_non_null(gb[as_constant]);
            if (as_constant) assert_null(ag_grad(x));
            else assert_non_null(ag_grad(x));
        }
        check_data_at(gw[1], ag_cdata(gw[0]), 15, 0, __FILE__, __LINE__);
        check_data_at(gb[1], ag_cdata(gb[0]), 5, 0, __FILE__, __LINE__);
    }
}

/* Under nograd, a result of constants only is a constant (data reshaped
 * there stays data, as PyTorch's op on requires_grad=False tensors): no
 * gradient after a backward through it, on the general path (reshape of a
 * [2 3]) and the scalar one (a one-element product).  A result with one
 * input that is not a constant stays a nograd leaf that gets a gradient
 * (w2 = w - lr * w) exactly as before. */
static void test_nograd_result_of_constants_is_a_constant(void **state) {
    (void)state;
    ag_var *x = constant(VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6));
    ag_var *c = constant(ag_scalar(ctx, 0.5));
    ag_var *w = VAR(ctx, SHAPE(3, 1), 1, -1, 2);
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *img = ag_reshape(ctx, x, 2, (const int[]){3, 2});
    ag_var *k = ag_mul(ctx, c, ag_scalar(ctx, 4.0)); /* a plain leaf: not all constants */
    ag_var *k2 = ag_mul(ctx, c, c);
    ag_var *w2 = ag_sub(ctx, w, ag_mul(ctx, c, w));
    ag_set_grad_enabled(ctx, old);
    assert_true(ag_var_flags(img) & AG_VAR_CONST);
    assert_false(ag_var_flags(img) & AG_VAR_NOGRAD);
    assert_true(ag_var_flags(k2) & AG_VAR_CONST);
    assert_true(ag_var_flags(k) & AG_VAR_NOGRAD);
    assert_false(ag_var_flags(k) & AG_VAR_CONST);
    assert_true(ag_var_flags(w2) & AG_VAR_NOGRAD);
    assert_false(ag_var_flags(w2) & AG_VAR_CONST);
    /* s = sum(img^T @ w2) * k2 * k: img and k2 get nothing; w2 and k do */
    ag_var *p = ag_matmul(ctx, ag_transpose(ctx, img, NULL, 0), w2);
    ag_var *s = ag_mul(ctx, ag_mul(ctx, ag_sum(ctx, p, NULL, 0), k2), k);
    assert_non_null(s);
    assert_int_equal(ag_backward(ctx, s, NULL), 0);
    assert_null(ag_grad(img));
    assert_null(ag_grad(k2));
    assert_null(ag_grad(x));
    /* img = [[1 2] [3 4] [5 6]]: d s / d w2 = row sums of img * k2 * k = [3 7 11] * 0.25 * 2 */
    assert_data(ag_grad(w2), 1.5, 3.5, 5.5);
    /* d s / d k = sum(img^T @ w2) * k2, w2 = 0.5 * w = [0.5 -0.5 1]: img^T @ w2 = [4 5], 9 * 0.25 */
    assert_close(ag_item(ag_grad(k)), 2.25);
    assert_null(ag_grad(w)); /* w2 is a leaf: nothing flows back to w */
}

/* v flagged as data, as the REPL's data sets and loaded files are. */
static ag_var *as_data(ag_var *v) {
    ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_CONST | AG_VAR_DATA);
    return v;
}

/* With gradients on, an op whose inputs are all constants, one of them
 * data, records nothing: its result is data (no creator), on the general
 * path (reshape, matmul, sub of tensors) and the scalar one (a one-element
 * product with a literal constant).  Literal constants alone still record
 * (DeZero's (1 + 2).creator is Add), and an op of data and a variable
 * records as always, the data getting no gradient.  Under nograd, a result
 * of data stays data. */
static void test_ops_of_data_record_nothing(void **state) {
    (void)state;
    ag_var *x = as_data(VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6));
    ag_var *one = as_data(ag_scalar(ctx, 3.0));
    ag_var *c = constant(ag_scalar(ctx, 0.5)), *c2 = constant(ag_scalar(ctx, 2.0));
    ag_var *w = VAR(ctx, SHAPE(3, 1), 1, -1, 2);
    ag_var *img = ag_reshape(ctx, x, 2, (const int[]){3, 2});
    ag_var *centred = ag_sub(ctx, x, ag_mul(ctx, c, x));
    ag_var *scaled = ag_mul(ctx, one, c);   /* scalar path, data and a literal */
    ag_var *scaled2 = ag_mul(ctx, one, one); /* scalar path, data alone */
    ag_var *literal = ag_add(ctx, c, c2);    /* literals alone: recorded */
    ag_var *bigger = ag_mul(ctx, ag_ones_like(ctx, x), x);
    ag_var *vars[] = {img, centred, scaled, scaled2};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        assert_non_null(vars[i]);
        assert_null(ag_creator(vars[i]));
        assert_int_equal(ag_var_flags(vars[i]) & (AG_VAR_CONST | AG_VAR_DATA | AG_VAR_NOGRAD),
                         AG_VAR_CONST | AG_VAR_DATA);
    }
    assert_data(centred, 0.5, 1, 1.5, 2, 2.5, 3);
    assert_close(ag_item(scaled), 1.5);
    assert_close(ag_item(scaled2), 9);
    assert_non_null(ag_creator(literal));
    assert_false(ag_var_flags(literal) & AG_VAR_DATA);
    assert_non_null(ag_creator(bigger)); /* ones_like makes a plain leaf */
    /* s = sum(centred @ w) * scaled: only w gets a gradient */
    ag_var *s = ag_mul(ctx, ag_sum(ctx, ag_matmul(ctx, centred, w), NULL, 0), scaled);
    assert_non_null(ag_creator(s));
    assert_int_equal(ag_backward(ctx, s, NULL), 0);
    /* column sums of centred = [2.5 3.5 4.5], times 1.5 */
    assert_data(ag_grad(w), 3.75, 5.25, 6.75);
    assert_null(ag_grad(centred));
    assert_null(ag_grad(x));
    assert_null(ag_grad(scaled));
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *kept = ag_transpose(ctx, img, NULL, 0);
    ag_set_grad_enabled(ctx, old);
    assert_int_equal(ag_var_flags(kept) & (AG_VAR_CONST | AG_VAR_DATA | AG_VAR_NOGRAD), AG_VAR_CONST | AG_VAR_DATA);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_binary_ops_skip_the_constant),
        CTX_TEST(test_second_derivative_through_a_constant),
        CTX_TEST(test_two_constants),
        CTX_TEST(test_grad_of_a_constant_says_so),
        CTX_TEST(test_linear_skips_the_constant),
        CTX_TEST(test_nograd_result_of_constants_is_a_constant),
        CTX_TEST(test_ops_of_data_record_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
