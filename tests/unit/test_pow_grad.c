/* test_pow_grad.c — derivatives of x^p at and around x = 0, to the fourth
 * order, where p * x^(p-1) would give 0 * 0^-1 = NaN.
 *
 * Each case's k-th derivative (k nested ag_grad_of with create_graph) is
 * checked two ways:
 *   - against numbers computed independently: PyTorch 1.13 in float64
 *     (torch.autograd.grad with create_graph, Debian's python3-torch), or,
 *     where PyTorch itself gives NaN (its where() backward multiplies 0 by
 *     log(0) at second order), the analytic sum of x^p ln(x)^k over the
 *     non-zero x, computed with Python's math module;
 *   - against central differences of the (k-1)-th derivative, which the
 *     engine computes at x0 +- h. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>

#define MAX_ORDER 4
#define STEP 1e-5

typedef ag_var *(*build_fn)(ag_ctx *ctx, ag_var *x);

static ag_var *pow0(ag_ctx *c, ag_var *x) { return ag_pow(c, x, 0.0); }
static ag_var *pow1(ag_ctx *c, ag_var *x) { return ag_pow(c, x, 1.0); }
static ag_var *square(ag_ctx *c, ag_var *x) { return ag_square(c, x); }
static ag_var *pow3(ag_ctx *c, ag_var *x) { return ag_pow(c, x, 3.0); }
/* x^p with p a variable (PowV), p = 0..3 */
static ag_var *powv_p(ag_ctx *c, ag_var *x, double p) { return ag_powv(c, x, ag_scalar(c, p)); }
static ag_var *powv0(ag_ctx *c, ag_var *x) { return powv_p(c, x, 0.0); }
static ag_var *powv1(ag_ctx *c, ag_var *x) { return powv_p(c, x, 1.0); }
static ag_var *powv2(ag_ctx *c, ag_var *x) { return powv_p(c, x, 2.0); }
static ag_var *powv3(ag_ctx *c, ag_var *x) { return powv_p(c, x, 3.0); }
/* sum(xs^p) with xs = [0, 1, 2], differentiated with respect to p */
static ag_var *sum_pow_in_p(ag_ctx *c, ag_var *p) {
    return ag_sum(c, ag_powv(c, VAR(c, SHAPE(3), 0.0, 1.0, 2.0), p), NULL, 0);
}

typedef struct {
    const char *what;
    build_fn build;
    double x0;
    int orders;
    double expected[MAX_ORDER]; /* derivative 1..orders at x0 */
    bool jump;                  /* not continuous at x0: no central difference */
} pow_case;

static const pow_case cases[] = {
    /* PyTorch: torch.autograd.grad of x**0, x**1, torch.square(x), x**3 */
    {"x^0", pow0, 0.0, 3, {0, 0, 0}, false},
    {"x^0", pow0, -1.5, 3, {0, 0, 0}, false},
    {"x^1", pow1, 0.0, 3, {1, 0, 0}, false},
    {"x^1", pow1, 2.0, 3, {1, 0, 0}, false},
    {"square(x)", square, 0.0, 4, {0, 2, 0, 0}, false},
    {"square(x)", square, -1.5, 4, {-3, 2, 0, 0}, false},
    {"x^3", pow3, 0.0, 4, {0, 0, 6, 0}, false},
    {"x^3", pow3, 0.5, 4, {0.75, 3, 6, 0}, false},
    {"x^3", pow3, -1.5, 4, {6.75, -9, 6, 0}, false},
    /* x ** p with p a tensor: PyTorch gives these, except NaN at the
     * orders marked (its 0 * log(0)); there the analytic value, 0 */
    {"x^p, p = 0", powv0, 0.0, 3, {0, 0 /* torch NaN */, 0 /* NaN */}, false},
    {"x^p, p = 0", powv0, 1.5, 3, {0, 0, 0}, false},
    {"x^p, p = 1", powv1, 0.0, 3, {1, 0, 0 /* torch NaN */}, false},
    {"x^p, p = 2", powv2, 0.0, 3, {0, 2, 0}, false},
    {"x^p, p = 2", powv2, 1.5, 3, {3, 2, 0}, false},
    {"x^p, p = 3", powv3, 0.0, 3, {0, 0, 6}, false},
    {"x^p, p = 3", powv3, 1.5, 3, {6.75, 9, 6}, false},
    /* d^k/dp^k sum([0, 1, 2]^p): order 1 is PyTorch's; orders 2 and 3
     * (NaN in PyTorch) are sum over x = 1, 2 of x^p ln(x)^k */
    {"sum(xs^p) in p", sum_pow_in_p, 2.0, 3, {2.772588722239781, 1.9218120556728056, 1.3320986079557178}, false},
    /* 0^p jumps from +inf to 1 to 0 at p = 0: no central difference there */
    {"sum(xs^p) in p", sum_pow_in_p, 0.0, 3, {0.6931471805599453, 0.4804530139182014, 0.33302465198892944}, true},
    {"sum(xs^p) in p", sum_pow_in_p, 1.0, 3, {1.3862943611198906, 0.9609060278364028, 0.6660493039778589}, false},
    {"sum(xs^p) in p", sum_pow_in_p, 0.5, 3, {0.9802581434685472, 0.6794631683661498, 0.47096797944732416}, false},
};

/* The k-th derivative of build at x0 (k = 0: the value).  A derivative that
 * came out as a constant (no creator) has only zeros after it. */
static double derivative(const pow_case *c, double x0, int k) {
    ag_var *x = ag_scalar(ctx, x0);
    ag_var *y = c->build(ctx, x);
    assert_non_null(y);
    for (int i = 0; i < k; i++) {
        if (ag_creator(y) == NULL) return 0.0;
        y = ag_grad_of(ctx, y, x, true);
        if (y == NULL) fail_msg("%s: order %d: %s", c->what, i + 1, ag_errmsg(ctx));
    }
    return ag_item(y);
}

static void test_pow_derivatives_at_zero(void **state) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pow_case *c = &cases[i];
        for (int k = 1; k <= c->orders; k++) {
            double d = derivative(c, c->x0, k);
            if (!isfinite(d) || fabs(d - c->expected[k - 1]) > 1e-12 * (1 + fabs(d)))
                fail_msg("%s at %g, order %d: %.17g, expected %.17g", c->what, c->x0, k, d,
                         c->expected[k - 1]);
            if (c->jump) continue;
            double central =
                (derivative(c, c->x0 + STEP, k - 1) - derivative(c, c->x0 - STEP, k - 1)) / (2 * STEP);
            if (fabs(d - central) > 1e-6 * (1 + fabs(d)))
                fail_msg("%s at %g, order %d: %.17g, central difference %.17g", c->what, c->x0, k,
                         d, central);
        }
    }
}

/* Without create_graph (the direct backward path): the same first
 * derivatives, elementwise over a tensor holding 0. */
static void test_pow_first_order_direct(void **state) {
    ag_var *x = VAR(ctx, SHAPE(3), 0.0, 1.0, -2.0);
    ag_var *g = ag_grad_of(ctx, ag_sum(ctx, ag_pow(ctx, x, 0.0), NULL, 0), x, false);
    assert_non_null(g);
    assert_data(g, 0, 0, 0);
    g = ag_grad_of(ctx, ag_sum(ctx, ag_pow(ctx, x, 1.0), NULL, 0), x, false);
    assert_data(g, 1, 1, 1);
    ag_var *p = ag_scalar(ctx, 0.0);
    ag_var *y = ag_sum(ctx, ag_powv(ctx, x, p), NULL, 0);
    assert_data(ag_grad_of(ctx, y, x, false), 0, 0, 0);
    /* 0^0 = 1 contributes 0, 1^0 0, (-2)^0 ln(-2) = NaN as in PyTorch */
    assert_true(isnan(ag_item(ag_grad_of(ctx, y, p, false))));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_pow_derivatives_at_zero),
        CTX_TEST(test_pow_first_order_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
