/* mathfn.c — tanh (and the sigmoid built on it) over whole arrays.
 *
 * glibc's tanh is a scalar call of about 8 ns here; an LSTM step makes
 * five tanh-based gates over a batch, so in W7 (bench/README.md) it was
 * 30% of the time.  This is the algorithm glibc uses — fdlibm's tanh on
 * top of glibc's version of fdlibm's expm1 (argument reduction by ln 2 split
 * in hi/lo, the rational approximation with Q1..Q5 evaluated in glibc's
 * grouping, the same reconstruction for each k)
 * — written over vectors with every branch turned into a select
 * (mathfn_lanes.h), compiled for 2 lanes (SSE2, any x86-64) and, on
 * x86-64, for 4 (AVX2) and 8 (AVX-512F), picked by what the CPU has.  A
 * tail shorter than a vector goes through the same code, padded; a single
 * element through a branchy scalar form of the same operations.  Its
 * error is fdlibm's (measured up to 2.1 ulp, as glibc's); the unit tests
 * compare it with tanhl and with glibc's tanh over 400,000 arguments.
 *
 * Only +, -, *, / and exact bit operations are used and nothing is
 * contracted into an FMA (-ffp-contract=off in the Makefile, and the pragma
 * below whatever the flags, e.g. -march=native with GNU C), so every
 * width and every machine computes the same bits — unlike glibc, whose
 * expm1 has an FMA variant picked at run time (which is why about 0.04% of
 * arguments differ from glibc's tanh here, by at most 3 ulp). */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#ifdef __clang__
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* The vector values never cross a call boundary (the kernels are inlined
 * into the tanh_n_* loops), so the AVX-vs-SSE argument ABI does not matter. */
#pragma GCC diagnostic ignored "-Wpsabi"

#define ABS_BITS 0x7fffffffffffffffULL
#define SIGN_BITS 0x8000000000000000ULL

/* fdlibm compares the high 32 bits of |v| with thresholds; for a
 * non-negative double the bit order is the value order, so "high word
 * < H" is |v| < bits(H << 32).  Compared as doubles: SSE2 has no 64-bit
 * integer compare. */
static inline double high_word(uint32_t h) {
    uint64_t b = (uint64_t)h << 32;
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}
/* fdlibm's expm1 constants: ln 2 in two parts, 1/ln 2, and the rational
 * approximation's coefficients; the vector kernels and the scalar form
 * below share them. */
#define EXPM1_CONSTANTS                                                                            \
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;          \
    const double invln2 = 1.44269504088896338700e+00;                                              \
    const double q1 = -3.33333333333331316428e-02, q2 = 1.58730158725481460165e-03,                \
                 q3 = -7.93650757867487942473e-05, q4 = 4.00821782732936239552e-06,                \
                 q5 = -2.01099218183624371326e-07;

#define HIGH_BELOW(absv, h) ((absv) < high_word(h))
#define HIGH_ABOVE(absv, h) ((absv) >= high_word((h) + 1))

/* sigmoid's negative tail (below), for the kernels' lanes there. */
static double sigmoid_tail(double x);

/* One kernel per vector width.  Every width does the same operations lane
 * by lane, so they agree to the bit (tests/unit/test_mathfn.c checks it). */
#define LANES 2
#define SUFFIX _2
#include "mathfn_lanes.h"
#undef LANES
#undef SUFFIX

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_WIDE_KERNELS 1
#define LANES 4
#define SUFFIX _4
#define TARGET "avx2"
#include "mathfn_lanes.h"
#undef LANES
#undef SUFFIX
#undef TARGET

#define LANES 8
#define SUFFIX _8
#define TARGET "avx512f"
#include "mathfn_lanes.h"
#undef LANES
#undef SUFFIX
#undef TARGET
#endif

typedef void (*lanes_fn)(double *, const double *, size_t);

/* internal.h.  valgrind reports no AVX-512, and gets the 4-lane kernels.
 * libgcc reads the CPU's features once at start-up; asking is a load and a
 * test. */
int cpu_double_lanes(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx512f") ? 8 : __builtin_cpu_supports("avx2") ? 4 : 2;
#else
    return 2;
#endif
}

static lanes_fn pick_kernel(int lanes, bool sigmoid) {
#ifdef HAVE_WIDE_KERNELS
    if (lanes >= 8 && cpu_double_lanes() >= 8) return sigmoid ? sigmoid_n_8 : tanh_n_8;
    if (lanes >= 4 && cpu_double_lanes() >= 4) return sigmoid ? sigmoid_n_4 : tanh_n_4;
#endif
    return sigmoid ? sigmoid_n_2 : tanh_n_2;
}

int fn_lanes(int lanes) {
    if (lanes >= 8 && cpu_double_lanes() >= 8) return 8;
    if (lanes >= 4 && cpu_double_lanes() >= 4) return 4;
    return 2;
}

void fn_tanh_lanes(double *y, const double *x, size_t n, int lanes) { pick_kernel(lanes, false)(y, x, n); }
void fn_sigmoid_lanes(double *y, const double *x, size_t n, int lanes) { pick_kernel(lanes, true)(y, x, n); }
void fn_tanh_n(double *y, const double *x, size_t n) { pick_kernel(8, false)(y, x, n); }
void fn_sigmoid_n(double *y, const double *x, size_t n) { pick_kernel(8, true)(y, x, n); }

/* One element at a time (the scalar fast path, gelu): the same algorithm
 * with branches, computing only the lane's own path — the vector kernels
 * compute every path and select, a long chain for one element (48 ns
 * against 10 here).  Each path is the kernels' operations in their order,
 * so the bits are the same (tests/unit/test_mathfn.c compares them). */
static double pow2_scalar(double k) {
    double v = k + (0x1p52 + 1023.0);
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    b <<= 52;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* fdlibm expm1's rational correction for a reduced argument x (and
 * x^2/2 in *hxs), in the kernels' order. */
static double expm1_rational(double x, double *hxs_out) {
    EXPM1_CONSTANTS
    (void)ln2_hi, (void)ln2_lo, (void)invln2;
    double hfx = 0.5 * x;
    double hxs = x * hfx;
    double r1 = 1.0 + hxs * q1, h2 = hxs * hxs;
    double r2 = q2 + hxs * q3, h4 = h2 * h2;
    double r3 = q4 + hxs * q5;
    r1 = r1 + h2 * r2 + h4 * r3;
    double t = 3.0 - r1 * hfx;
    *hxs_out = hxs;
    return hxs * ((r1 - t) / (6.0 - x * t));
}

static double expm1_scalar(double a) {
    EXPM1_CONSTANTS
    (void)q1, (void)q2, (void)q3, (void)q4, (void)q5;
    double aa = a < 0.0 ? -a : a, k;
    if (!HIGH_ABOVE(aa, 0x3fd62e42))
        k = 0.0;
    else if (HIGH_BELOW(aa, 0x3ff0a2b2))
        k = -1.0;
    else
        k = (double)(int32_t)(invln2 * a + (a < 0.0 ? -0.5 : 0.5));
    double hi = a - k * ln2_hi;
    double lo = k * ln2_lo;
    double x = hi - lo;
    double c = (hi - x) - lo;
    double hxs;
    double e = expm1_rational(x, &hxs);
    if (k == 0.0) return x - (x * e - hxs);
    e = (x * (e - c) - c) - hxs;
    if (k == -1.0) return 0.5 * (x - e) - 0.5;
    double two_k = pow2_scalar(k);
    if (k <= -2.0 || k > 56.0) return (1.0 - (e - x)) * two_k - 1.0;
    double two_mk = pow2_scalar(-k);
    if (k < 20.0) return ((1.0 - two_mk) - (e - x)) * two_k;
    return ((x - (e + two_mk)) + 1.0) * two_k;
}

double fn_tanh(double x) {
    if (x != x) return x + x;
    double ax = x < 0.0 ? -x : x, z;
    if (HIGH_BELOW(ax, 0x3c800000)) return x; /* also +-0 */
    if (ax >= high_word(0x40360000)) {
        z = 1.0;
    } else if (ax >= high_word(0x3ff00000)) {
        double t = expm1_scalar(2.0 * ax);
        z = 1.0 - 2.0 / (t + 2.0);
    } else {
        double t = expm1_scalar(-2.0 * ax);
        z = -t / (t + 2.0);
    }
    return x < 0.0 ? -z : z;
}

/* exp(x) for -746 < x < -2 ln 2 by fdlibm's expm1 reduction, reconstructed
 * without its final "- 1" (which is what loses the digits of a small exp):
 * (1 - (e - x)) 2^k, scaled in two steps where 2^k alone would be
 * subnormal.  Plain +, -, *, / : the same bits on every machine. */
static double exp_negative(double a) {
    EXPM1_CONSTANTS
    (void)q1, (void)q2, (void)q3, (void)q4, (void)q5;
    double k = (double)(int32_t)(invln2 * a - 0.5);
    double hi = a - k * ln2_hi;
    double lo = k * ln2_lo;
    double x = hi - lo;
    double c = (hi - x) - lo;
    double hxs;
    double e = (x * (expm1_rational(x, &hxs) - c) - c) - hxs;
    double m = 1.0 - (e - x);
    if (k < -1000.0) return m * pow2_scalar(k + 200.0) * 0x1p-200;
    return m * pow2_scalar(k);
}

/* sigmoid(x) below SIGMOID_TAIL: e / (1 + e), e = exp(x), whose relative
 * error stays near 2 ulp all the way down; 0 below -746 (and at -inf), where
 * even the smallest subnormal is more than twice the value. */
static double sigmoid_tail(double x) {
    if (x < -746.0) return 0.0;
    double e = exp_negative(x);
    return e / (1.0 + e);
}

/* Upstream's 0.5 + 0.5 tanh(x/2) where that form is accurate, the tail form
 * below SIGMOID_TAIL (see internal.h for how the switch was chosen). */
double fn_sigmoid(double x) {
    return x < SIGMOID_TAIL ? sigmoid_tail(x) : 0.5 + 0.5 * fn_tanh(0.5 * x);
}
