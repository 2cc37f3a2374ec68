/* test_mathfn.c — the engine's own tanh and sigmoid (src/mathfn.c): their
 * accuracy against tanhl, their distance from glibc's tanh (the same fdlibm
 * algorithm, which they replaced), the special values, and that every
 * vector width and the one-element form give the same bits. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Doubles in an order where neighbours differ by one unit in the last place. */
static int64_t ordered(double d) {
    int64_t i;
    memcpy(&i, &d, sizeof i);
    return i < 0 ? INT64_MIN - i : i;
}

static uint64_t ulps_apart(double a, double b) {
    int64_t d = ordered(a) - ordered(b);
    return d < 0 ? (uint64_t)-d : (uint64_t)d;
}

static uint64_t bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* xorshift64: the arguments below, reproducible and independent of the engine. */
static uint64_t xorshift(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* n arguments over every path of the algorithm: |x| < 1 (expm1 of -2|x|,
 * k = 0, -1, -2, -3), 1 <= |x| < 22 (k = 3..63), beyond 22, and scaled
 * down to 2^-70 (the x itself below 2^-55). */
static double *arguments(size_t n) {
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        double u = (double)(xorshift(&s) >> 11) * 0x1p-53 * 2.0 - 1.0;
        switch (i % 4) {
        case 0: x[i] = u * 1.1; break;
        case 1: x[i] = u * 2.5; break;
        case 2: x[i] = u * 25.0; break;
        default: x[i] = ldexp(u, -(int)(xorshift(&s) % 70)); break;
        }
    }
    return x;
}

#define N_ARGS 400000

static void test_tanh_accuracy(void **state) {
    double *x = arguments(N_ARGS), *y = malloc(N_ARGS * sizeof *y);
    assert_non_null(y);
    fn_tanh_n(y, x, N_ARGS);
    double worst = 0.0;
    size_t differ = 0;
    uint64_t farthest = 0;
    for (size_t i = 0; i < N_ARGS; i++) {
        long double exact = tanhl((long double)x[i]);
        double ulp = nextafter(fabs((double)exact), INFINITY) - fabs((double)exact);
        double err = (double)fabsl((long double)y[i] - exact) / ulp;
        if (err > worst) worst = err;
        assert_int_equal(bits(fn_tanh(x[i])), bits(y[i])); /* the scalar form, branch by branch */
        uint64_t apart = ulps_apart(y[i], tanh(x[i]));
        if (apart > 0) differ++;
        if (apart > farthest) farthest = apart;
    }
    /* fdlibm's tanh: measured 2.1 ulp at worst here, glibc's the same */
    assert_true(worst < 2.5);
    /* glibc runs the same algorithm (with FMA on this machine): a few in
     * ten thousand differ, by a few ulp at most (measured: 0.04 %, 3) */
    assert_true(differ < N_ARGS / 1000);
    assert_true(farthest <= 4);
    free(x);
    free(y);
}

static void test_tanh_special_values(void **state) {
    assert_int_equal(bits(fn_tanh(0.0)), bits(0.0));
    assert_int_equal(bits(fn_tanh(-0.0)), bits(-0.0));
    assert_true(fn_tanh(INFINITY) == 1.0);
    assert_true(fn_tanh(-INFINITY) == -1.0);
    assert_true(isnan(fn_tanh(NAN)));
    assert_true(fn_tanh(22.0) == 1.0 && fn_tanh(-22.0) == -1.0 && fn_tanh(1e300) == 1.0);
    assert_true(fn_tanh(0x1p-56) == 0x1p-56 && fn_tanh(-0x1p-60) == -0x1p-60);
    assert_true(fn_tanh(5e-324) == 5e-324);
    /* odd, bounded, increasing and within 2.5 ulp of tanhl in 2,000 steps
     * of one ulp around every switch of the algorithm: |x| = 2^-55 (x
     * itself), where expm1's argument 2|x| crosses fdlibm's high-word
     * thresholds 0x3fd62e42 (k 0 / -1) and 0x3ff0a2b2 (k -1 / -2), 1 (the
     * other formula), where k goes 19 / 20 and 56 / 57, and 22 */
    const double edges[] = {0x1p-55,
                            0.5 * 0x1.62e43p-2, /* high word 0x3fd62e43, halved */
                            0.5 * 0x1.0a2b2p+0, /* high word 0x3ff0a2b2, halved */
                            1.0,
                            0.5 * 19.5 * 0.6931471805599453,
                            0.5 * 56.5 * 0.6931471805599453,
                            22.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        double x = edges[i];
        for (int step = 0; step < 1000; step++) x = nextafter(x, 0.0);
        double before = fn_tanh(x);
        for (int step = 0; step < 2000; step++) {
            x = nextafter(x, INFINITY);
            double y = fn_tanh(x);
            assert_true(y >= before && y <= 1.0);
            assert_true(fn_tanh(-x) == -y);
            long double exact = tanhl((long double)x);
            double ulp = nextafter((double)exact, INFINITY) - (double)exact;
            assert_true((double)fabsl((long double)y - exact) <= 2.5 * ulp);
            before = y;
        }
    }
    /* upstream's printed tanh(1) and tanh(2), to the last bit */
    assert_true(fn_tanh(1.0) == 0.7615941559557649);
    assert_true(fn_tanh(2.0) == 0.9640275800758169);
}

/* Every width the machine has, the one-element (scalar) form and the sigmoid
 * (0.5 + 0.5 tanh(x/2)) agree to the bit, lengths 0..37 covering every tail. */
static void test_widths_agree(void **state) {
    double *x = arguments(4096);
    double y2[4096], yw[4096], s[4096];
    fn_tanh_lanes(y2, x, 4096, 2);
    for (int lanes = 4; lanes <= 8; lanes *= 2) {
        fn_tanh_lanes(yw, x, 4096, lanes);
        assert_memory_equal(y2, yw, sizeof y2);
        fn_sigmoid_lanes(s, x, 4096, lanes);
        for (size_t i = 0; i < 4096; i++) assert_int_equal(bits(s[i]), bits(fn_sigmoid(x[i])));
    }
    for (size_t i = 0; i < 4096; i++) {
        assert_int_equal(bits(y2[i]), bits(fn_tanh(x[i])));
        if (x[i] >= SIGMOID_TAIL) /* upstream's bits where its form is accurate */
            assert_int_equal(bits(fn_sigmoid(x[i])), bits(0.5 + 0.5 * fn_tanh(0.5 * x[i])));
    }
    for (size_t n = 0; n <= 37; n++) {
        double in[37], out[37];
        memcpy(in, x + 100, n * sizeof *in);
        fn_tanh_n(out, in, n);
        for (size_t i = 0; i < n; i++) assert_int_equal(bits(out[i]), bits(y2[100 + i]));
        fn_tanh_n(in, in, n); /* in place */
        assert_memory_equal(in, out, n * sizeof *in);
    }
    assert_true(fn_lanes(2) == 2 && fn_lanes(4) >= 2 && fn_lanes(8) >= fn_lanes(4));
    free(x);
}

/* sigmoid's negative tail: PyTorch's float64 values (torch 1.13,
 * torch.sigmoid) to 4e-16 relative in the tail, against expl to 3.3e-16 from -708 to
 * the switch (where upstream's form was off by up to 100%), 0 below the
 * subnormals, and the switch point itself on both sides. */
static void test_sigmoid_tails(void **state) {
    static const struct { double x, torch, tolerance; } cases[] = {
        {-40.0, 4.248354255291589e-18, 4e-16},  {-30.0, 9.357622968839299e-14, 4e-16},
        {-20.0, 2.0611536181902037e-09, 4e-16}, {-10.5, 2.7535691114583473e-05, 4e-16},
        /* from the switch up: upstream's bits, within 1e-12 */
        {-10.0, 4.5397868702434395e-05, 1e-12}, {-9.5, 7.484622751061124e-05, 1e-12},
        {-5.0, 0.0066928509242848554, 1e-12},   {0.5, 0.6224593312018546, 4e-16},
        {30.0, 0.9999999999999065, 4e-16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double y = fn_sigmoid(cases[i].x);
        assert_true(fabs(y - cases[i].torch) <= cases[i].tolerance * cases[i].torch);
    }
    assert_true(fn_sigmoid(-800.0) == 0.0 && fn_sigmoid(-INFINITY) == 0.0);
    assert_true(isnan(fn_sigmoid(NAN)));
    uint64_t s = 12345;
    for (int i = 0; i < N_ARGS / 4; i++) {
        double x = -708.0 + (708.0 + SIGMOID_TAIL) * (double)(xorshift(&s) >> 11) * 0x1p-53;
        long double exact = 1.0L / (1.0L + expl(-(long double)x));
        assert_true(fabsl(fn_sigmoid(x) - exact) <= 3.3e-16L * exact);
    }
    /* just above the switch, upstream's form itself is within 1e-12 */
    for (double x = SIGMOID_TAIL; x < SIGMOID_TAIL + 0.5; x += 1.0 / 1024) {
        long double exact = 1.0L / (1.0L + expl(-(long double)x));
        assert_true(fabsl(fn_sigmoid(x) - exact) <= 1e-12L * exact);
    }
    /* every width agrees with the scalar form across the switch, in place too */
    double x[64], y[64];
    for (int i = 0; i < 64; i++) x[i] = SIGMOID_TAIL + (i - 32) * 0.01 - (i % 3 == 0 ? 30.0 : 0.0);
    for (int lanes = 2; lanes <= 8; lanes *= 2) {
        fn_sigmoid_lanes(y, x, 64, lanes);
        for (int i = 0; i < 64; i++) assert_int_equal(bits(y[i]), bits(fn_sigmoid(x[i])));
    }
    memcpy(y, x, sizeof y);
    fn_sigmoid_n(y, y, 37);
    for (int i = 0; i < 37; i++) assert_int_equal(bits(y[i]), bits(fn_sigmoid(x[i])));
}

/* The ops use it: tanh, sigmoid and gelu of a tensor equal the element
 * function, and the scalar fast path (one element) the same bits. */
static void test_ops_use_it(void **state) {
    double *x = arguments(64);
    ag_var *v = ag_new(ctx, 2, (const int[]){8, 8}, x);
    ag_var *t = ag_tanh(ctx, v), *s = ag_sigmoid(ctx, v), *g = ag_gelu(ctx, v);
    assert_non_null(t);
    assert_non_null(s);
    assert_non_null(g);
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal(bits(t->t.data[i]), bits(fn_tanh(x[i])));
        assert_int_equal(bits(s->t.data[i]), bits(fn_sigmoid(x[i])));
        ag_var *one = ag_tanh(ctx, ag_scalar(ctx, x[i])); /* the scalar fast path */
        assert_int_equal(bits(one->t.data[0]), bits(t->t.data[i]));
        one = ag_gelu(ctx, ag_scalar(ctx, x[i]));
        assert_int_equal(bits(one->t.data[0]), bits(g->t.data[i]));
        double u = 0.7978845608028654 * (x[i] + 0.044715 * x[i] * x[i] * x[i]);
        assert_int_equal(bits(g->t.data[i]), bits(0.5 * x[i] * (1.0 + fn_tanh(u))));
    }
    free(x);
}

/* t_pow (tensor.h), the Pow op's element: libm's pow bit for bit, for p = 2
 * through x * x where the exact square is far from a rounding boundary,
 * p = 1 and 0 without pow.  Random doubles of every exponent, plus squares
 * near the subnormals and the overflow, NaNs (signaling too), infinities,
 * zeros, powers of two; x * x alone differs from pow(x, 2) in about 6 of
 * 10,000 of them, so the check can fail. */
static void test_pow_keeps_libm_bits(void **state) {
    (void)state;
    volatile double two = 2.0, one = 1.0, zero = 0.0, half = 0.5; /* libm's, not GCC's folding */
    uint64_t s = 88172645463325252ull;
    size_t differs_from_product = 0, n = 2000000;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t b = s;
        if (i % 4 == 0) b = (b & 0x800fffffffffffffull) | ((uint64_t)(0x1ff + (s >> 20) % 0x100) << 52);
        if (i % 4 == 1) b = (b & 0x800fffffffffffffull) | ((uint64_t)(0x3ff - 30 + (s >> 20) % 60) << 52);
        if (i % 64 == 2) b |= 0x7ff0000000000000ull; /* infinities and NaNs */
        if (i % 64 == 3) b &= 0xfff0000000000000ull; /* powers of two, zeros */
        double x;
        memcpy(&x, &b, sizeof x);
        assert_true(bits(t_pow(x, 2.0)) == bits(pow(x, two)));
        assert_true(bits(t_pow(x, 1.0)) == bits(pow(x, one)));
        assert_true(bits(t_pow(x, 0.0)) == bits(pow(x, zero)));
        assert_true(bits(t_pow(x, 0.5)) == bits(pow(x, half)));
        differs_from_product += bits(x * x) != bits(pow(x, two));
    }
    assert_true(differs_from_product > 0); /* the plain product would not do */
    const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, -NAN, 0x1p-1074, 0x1p-537, 0x1p511,
                              0x1p512, 0x1.fffffffffffffp1023, 1.0, -1.0, 0x1.6d3e124f84d8p+450};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        assert_true(bits(t_pow(special[i], 2.0)) == bits(pow(special[i], two)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_accuracy),
        cmocka_unit_test(test_tanh_special_values),
        cmocka_unit_test(test_widths_agree),
        cmocka_unit_test(test_sigmoid_tails),
        cmocka_unit_test(test_pow_keeps_libm_bits),
        CTX_TEST(test_ops_use_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
