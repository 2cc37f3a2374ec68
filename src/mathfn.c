/* mathfn.c — tanh (and the sigmoid built on it) over whole arrays.
 *
 * glibc's tanh is a scalar call of about 8 ns here; an LSTM step makes
 * five tanh-based gates over a batch, so in W7 (bench/README.md) it was
 * 30% of the time.  This is the algorithm glibc uses — fdlibm's tanh on
 * top of fdlibm's expm1 (argument reduction by ln 2 split in hi/lo, the
 * rational approximation with Q1..Q5, the same reconstruction for each k)
 * — written over vectors with every branch turned into a select
 * (mathfn_lanes.h), compiled for 2 lanes (SSE2, any x86-64) and, on
 * x86-64, for 4 (AVX2) and 8 (AVX-512F), picked by what the CPU has.  A
 * tail shorter than a vector goes through the same code, padded.  Its
 * error is fdlibm's (measured up to 2.1 ulp, as glibc's); the unit tests
 * compare it with tanhl and with glibc's tanh over 400,000 arguments.
 *
 * Only +, -, *, / and exact bit operations are used and nothing is
 * contracted into an FMA (the Makefile says -ffp-contract=off), so every
 * width and every machine computes the same bits — unlike glibc, whose
 * expm1 has an FMA variant picked at run time (which is why about 0.04% of
 * arguments differ from glibc's tanh here, by at most 3 ulp). */
#include <stdint.h>
#include <string.h>

#include "internal.h"

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
#define HIGH_BELOW(absv, h) ((absv) < high_word(h))
#define HIGH_ABOVE(absv, h) ((absv) >= high_word((h) + 1))

/* One kernel per vector width.  Every width does the same operations lane
 * by lane, so they agree to the bit (tests/test_mathfn.c checks it). */
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

/* The widest kernel this CPU runs (valgrind reports no AVX-512, and gets
 * the 4-lane one).  libgcc reads the CPU's features once at start-up;
 * asking is a load and a test. */
static int widest(void) {
#ifdef HAVE_WIDE_KERNELS
    return __builtin_cpu_supports("avx512f") ? 8 : __builtin_cpu_supports("avx2") ? 4 : 2;
#else
    return 2;
#endif
}

static lanes_fn pick_kernel(int lanes, bool sigmoid) {
#ifdef HAVE_WIDE_KERNELS
    if (lanes >= 8 && widest() >= 8) return sigmoid ? sigmoid_n_8 : tanh_n_8;
    if (lanes >= 4 && widest() >= 4) return sigmoid ? sigmoid_n_4 : tanh_n_4;
#endif
    return sigmoid ? sigmoid_n_2 : tanh_n_2;
}

int fn_lanes(int lanes) { return lanes <= 2 ? 2 : lanes <= 4 ? (widest() >= 4 ? 4 : 2) : widest(); }

void fn_tanh_lanes(double *y, const double *x, size_t n, int lanes) { pick_kernel(lanes, false)(y, x, n); }
void fn_sigmoid_lanes(double *y, const double *x, size_t n, int lanes) { pick_kernel(lanes, true)(y, x, n); }
void fn_tanh_n(double *y, const double *x, size_t n) { pick_kernel(8, false)(y, x, n); }
void fn_sigmoid_n(double *y, const double *x, size_t n) { pick_kernel(8, true)(y, x, n); }

/* One element: the 2-lane kernel (the same bits as every width), padded. */
double fn_tanh(double x) {
    tanh_n_2(&x, &x, 1);
    return x;
}

double fn_sigmoid(double x) {
    sigmoid_n_2(&x, &x, 1);
    return x;
}
