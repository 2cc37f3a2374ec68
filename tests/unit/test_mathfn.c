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
    /* upstream's tensor tests: tanh(1) and tanh(2) */
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

/* t_pow (tensor.h), the Pow op's element: upstream's math.Pow.
 *
 * First against numbers Go's math.Pow printed (go 1.19.8, Debian's
 * golang-go: math.Float64bits(math.Pow(x, p)) for each x), x picked where
 * glibc's pow, the engine's before, gives another double: so each row fails
 * on the old code.  Then against Go's algorithm for integer p as its older
 * releases write it (frexp, repeated squaring of the mantissa, ldexp; newer
 * ones multiply the same factors for |p| <= 6), over random x whose powers
 * stay normal; sqrt for p = +-0.5; libm's pow for every other p; and Go's
 * special cases (zeros, infinities, NaN, 1 and -1) as IEEE's pow gives them. */
static const struct {
    double p;
    uint64_t x, go;
} go_pow_printed[] = {
        {2, 0xbfc032354366a3c6ull, 0x3f9065081463d8b0ull},
        {2, 0xc06fde03f2203cfaull, 0x40efbc2bfbde7200ull},
        {2, 0x400127486c86a6e0ull, 0x401263da58f706a6ull},
        {3, 0xbf7eef07ae8c2b5aull, 0xbe9ce81303744152ull},
        {3, 0x40894c2f257000f4ull, 0x41bf9ed43a3c50c7ull},
        {3, 0xbed6f32f3c6dfa9full, 0xbca79bdd07dc7619ull},
        {4, 0x4003bfd1a6eb7d8eull, 0x404291f7b2d77e38ull},
        {4, 0x40f983e1b51bc35aull, 0x4419de5e8da1a459ull},
        {4, 0xbfe03feca585e43bull, 0x3fb105bef71a56f0ull},
        {5, 0xbfc8b331c6eaf4b0ull, 0xbf318908bb3e3e91ull},
        {5, 0x40728bda16a6e8cdull, 0x4280bda4b767ee22ull},
        {5, 0x4077775992c7cb32ull, 0x429b24e176ca895aull},
        {6, 0x40835cf1e366f201ull, 0x4369219c6cb2ee2cull},
        {6, 0x40bea25746794eadull, 0x44c8a192cda7e9ddull},
        {6, 0x3ff0a20f7572ac34ull, 0x3ff431c4ebdd1842ull},
        {-1, 0x3f0f042c2a6acfc2ull, 0x40d081e83c5a5a3dull},
        {-1, 0x3fd6933b69f569b1ull, 0x4006ae09532e1e45ull},
        {-1, 0xc092c5e93f98fd4cull, 0xbf4b45e896ecf97full},
        {-2, 0x3f26563f86d799fcull, 0x41806b3c959bcf37ull},
        {-2, 0x3edc793743bb745aull, 0x4214356cf60f602eull},
        {-2, 0xc0b87be05f895a4cull, 0x3e5b54cad1abab07ull},
        {-3, 0x3ee9cab7a030f88aull, 0x42fe8eca3d9f536dull},
        {-3, 0xbefa5e4e7e6049c7ull, 0xc2cc98cffa6073daull},
        {-3, 0xc074906eb79653c3ull, 0xbe5e24f089cf7671ull},
        {0.5, 0x40be8cf2940c728dull, 0x40561be969cf5b03ull},
        {0.5, 0x3f8fdd22386323d2ull, 0x3fbfee8c59f05f25ull},
        {0.5, 0x3ff4975eebfec302ull, 0x3ff226ab515d4c08ull},
        {-0.5, 0x40a8a85299059a3bull, 0x3f923a2ae1c29fc1ull},
        {-0.5, 0x4047fd7f3fa4b469ull, 0x3fc27a9df8f18cf0ull},
        {-0.5, 0x40a31202d9e5b0e6ull, 0x3f94b9db610df652ull},
};

/* Go's math.Pow(x, y) for an integer y and a finite x != 0 (its loop
 * "ans *= x**yi by multiplying in successive squarings of x"). */
static double go_pow_integer(double x, int y) {
    int xe, ae = 0;
    double x1 = frexp(x, &xe), a1 = 1.0;
    for (int i = abs(y); i != 0; i >>= 1) {
        if (i & 1) a1 *= x1, ae += xe;
        x1 *= x1;
        xe *= 2; /* Go's xe <<= 1 */
        if (x1 < 0.5) x1 += x1, xe--;
    }
    if (y < 0) a1 = 1.0 / a1, ae = -ae;
    return ldexp(a1, ae);
}

static void test_pow_as_upstream(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof go_pow_printed / sizeof go_pow_printed[0]; i++) {
        double x, p = go_pow_printed[i].p;
        memcpy(&x, &go_pow_printed[i].x, sizeof x);
        volatile double e = p; /* libm's, not GCC's folding */
        assert_true(bits(pow(x, e)) != go_pow_printed[i].go);
        assert_true(bits(t_pow(x, p)) == go_pow_printed[i].go);
    }
    uint64_t s = 88172645463325252ull;
    size_t n = 1000000, libm_differs = 0;
    const double other[] = {1.5, -2.5, 0.25, 7.0, -7.0, 8.0, 0.5000000000000001, 1e-3};
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        /* |x| from 2^-100 to 2^100: x^6 and x^-6 normal */
        uint64_t b = (s & 0x800fffffffffffffull) | ((uint64_t)(0x3ff - 100 + (s >> 20) % 200) << 52);
        double x;
        memcpy(&x, &b, sizeof x);
        for (int p = -6; p <= 6; p++) {
            double want = p == 0 ? 1.0 : go_pow_integer(x, p);
            assert_true(bits(t_pow(x, p)) == bits(want));
        }
        volatile double two = 2.0;
        libm_differs += bits(pow(x, two)) != bits(x * x);
        double ax = fabs(x);
        assert_true(bits(t_pow(ax, 0.5)) == bits(sqrt(ax)));
        assert_true(bits(t_pow(ax, -0.5)) == bits(1.0 / sqrt(ax)));
        volatile double q = other[i % (sizeof other / sizeof other[0])];
        assert_true(bits(t_pow(ax, q)) == bits(pow(ax, q)));
    }
    assert_true(libm_differs > n / 5000); /* glibc's pow(x, 2) is not x * x: the check can fail */
    /* Go's special cases, which IEEE's pow (libm's) answers alike */
    const double special[] = {0.0, -0.0, INFINITY, -INFINITY, 1.0, -1.0, 0x1p-1074, 0x1p1023};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        for (int p = -6; p <= 6; p++) {
            volatile double e = p;
            assert_true(bits(t_pow(special[i], p)) == bits(pow(special[i], e)));
        }
    for (size_t i = 0; i < 4; i++) { /* zeros and infinities to the power +-0.5 */
        volatile double h = 0.5, mh = -0.5;
        assert_true(bits(t_pow(special[i], 0.5)) == bits(pow(special[i], h)));
        assert_true(bits(t_pow(special[i], -0.5)) == bits(pow(special[i], mh)));
    }
    assert_true(isnan(t_pow(NAN, 2.0)) && isnan(t_pow(-2.0, 0.5)) && t_pow(NAN, 0.0) == 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_accuracy),
        cmocka_unit_test(test_tanh_special_values),
        cmocka_unit_test(test_widths_agree),
        cmocka_unit_test(test_sigmoid_tails),
        cmocka_unit_test(test_pow_as_upstream),
        CTX_TEST(test_ops_use_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
