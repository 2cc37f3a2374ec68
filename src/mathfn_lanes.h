/* mathfn_lanes.h — the tanh kernel of mathfn.c for one vector width.
 * Included once per width with LANES (2, 4 or 8), SUFFIX and, on x86-64,
 * TARGET (the gcc target the functions are compiled for) defined; every
 * name it makes ends in SUFFIX.  Only mathfn.c includes it. */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define vd CAT(vd, SUFFIX)
#define vu CAT(vu, SUFFIX)
#define vm CAT(vm, SUFFIX)
#define vk CAT(vk, SUFFIX)
#define pick CAT(pick, SUFFIX)
#define abs_v CAT(abs_v, SUFFIX)
#define pow2 CAT(pow2, SUFFIX)
#define trunc_small CAT(trunc_small, SUFFIX)
#define expm1_v CAT(expm1_v, SUFFIX)
#define tanh_v CAT(tanh_v, SUFFIX)
#define sigmoid_v CAT(sigmoid_v, SUFFIX)
#define sigmoid_tails_v CAT(sigmoid_tails_v, SUFFIX)
#ifdef TARGET
#define KERNEL static inline __attribute__((always_inline, target(TARGET)))
#define ENTRY static __attribute__((target(TARGET)))
#else
#define KERNEL static inline __attribute__((always_inline))
#define ENTRY static
#endif

typedef double vd __attribute__((vector_size(LANES * sizeof(double))));
typedef uint64_t vu __attribute__((vector_size(LANES * sizeof(double))));
typedef int64_t vm __attribute__((vector_size(LANES * sizeof(double)))); /* lane masks: 0 or -1 */
typedef int32_t vk __attribute__((vector_size(LANES * sizeof(int32_t))));

#define SPLAT(c) ((vd){0} + (c))

KERNEL vd pick(vm mask, vd yes, vd no) {
    return (vd)(((vu)mask & (vu)yes) | (~(vu)mask & (vu)no));
}

KERNEL vd abs_v(vd v) { return (vd)((vu)v & ABS_BITS); }

/* 2^k for integral k in the normal range: k + 1023 lands in the low
 * mantissa bits of 2^52 + 1023 + k, and moves into the exponent field. */
KERNEL vd pow2(vd k) { return (vd)((vu)(k + SPLAT(0x1p52 + 1023.0)) << 52); }

/* Truncation toward zero, as C's (int) conversion does; |v| < 2^31. */
KERNEL vd trunc_small(vd v) {
    return __builtin_convertvector(__builtin_convertvector(v, vk), vd);
}

/* expm1(a) lane by lane, for the arguments tanh gives it: -2 <= a <= -2^-54
 * or 2 <= a < 44.  So k (a ~ k ln2 + x) is 0, -1, -2, -3 or 3..63, and
 * fdlibm's k = 1 case and its overflow and underflow cases never arise. */
KERNEL vd expm1_v(vd a) {
    EXPM1_CONSTANTS
    vd aa = abs_v(a);
    vm neg = a < 0.0;
    /* k = 0 when |a| <= ln2/2; k = -1 up to 1.5 ln2 (fdlibm's thresholds,
     * on high words; only a negative a is that small); else the nearest
     * integer to a/ln2 */
    vd k = trunc_small(SPLAT(invln2) * a + pick(neg, SPLAT(-0.5), SPLAT(0.5)));
    k = pick(HIGH_BELOW(aa, 0x3ff0a2b2), SPLAT(-1.0), k);
    k = pick(HIGH_ABOVE(aa, 0x3fd62e42), k, SPLAT(0.0));
    /* a = k ln2 + x, x = hi - lo exactly up to c; with k = 0 this leaves x = a, c = 0 */
    vd hi = a - k * ln2_hi;
    vd lo = k * ln2_lo;
    vd x = hi - lo;
    vd c = (hi - x) - lo;

    vd hfx = SPLAT(0.5) * x;
    vd hxs = x * hfx;
    vd r1 = SPLAT(1.0) + hxs * q1, h2 = hxs * hxs;
    vd r2 = SPLAT(q2) + hxs * q3, h4 = h2 * h2;
    vd r3 = SPLAT(q4) + hxs * q5;
    r1 = r1 + h2 * r2 + h4 * r3;
    vd t = SPLAT(3.0) - r1 * hfx;
    vd e = hxs * ((r1 - t) / (SPLAT(6.0) - x * t));

    vd y_k0 = x - (x * e - hxs);
    e = (x * (e - c) - c) - hxs;
    vd y_km1 = SPLAT(0.5) * (x - e) - SPLAT(0.5);
    vd two_k = pow2(k), two_mk = pow2(-k);
    vd y_far = (SPLAT(1.0) - (e - x)) * two_k - SPLAT(1.0);          /* k <= -2 or k > 56 */
    vd y_low = ((SPLAT(1.0) - two_mk) - (e - x)) * two_k;            /* 3 <= k < 20 */
    vd y_high = ((x - (e + two_mk)) + SPLAT(1.0)) * two_k;           /* 20 <= k <= 56 */

    vd y = pick(k < 20.0, y_low, y_high);
    y = pick((k <= -2.0) | (k > 56.0), y_far, y);
    y = pick(k == -1.0, y_km1, y);
    return pick(k == 0.0, y_k0, y);
}

/* tanh lane by lane: x for |x| < 2^-55 (and +-0), +-1 from 22 on,
 * -t/(t+2) with t = expm1(-2|x|) below 1, 1 - 2/(t+2) with t = expm1(2|x|)
 * from 1 on; the sign of x put back; NaN stays NaN. */
KERNEL vd tanh_v(vd x) {
    vd ax = abs_v(x);
    vm tiny = HIGH_BELOW(ax, 0x3c800000), nan = x != x;
    vm huge = ax >= high_word(0x40360000), big = ax >= high_word(0x3ff00000);
    vd a = pick(big, SPLAT(2.0) * ax, SPLAT(-2.0) * ax);
    a = pick(tiny | huge | nan, SPLAT(1.0), a); /* lanes answered below: keep expm1 in range */
    vd t = expm1_v(a);
    vd q = pick(big, SPLAT(2.0), -t) / (t + SPLAT(2.0));
    vd z = pick(big, SPLAT(1.0) - q, q);
    z = pick(huge, SPLAT(1.0), z);
    z = pick(tiny, ax, z);
    z = (vd)((vu)z | ((vu)x & SIGN_BITS));
    return pick(nan, x + x, z);
}

KERNEL vd sigmoid_v(vd x) { return SPLAT(0.5) + SPLAT(0.5) * tanh_v(SPLAT(0.5) * x); }

/* y[i] = fn(x[i]); y may be x.  Full blocks straight from memory, the
 * tail through a zero-padded block. */
#define MAP_LANES(y, x, n, fn)                                                                     \
    do {                                                                                           \
        size_t i_ = 0;                                                                             \
        for (; i_ + LANES <= (n); i_ += LANES) {                                                   \
            vd v_;                                                                                 \
            memcpy(&v_, (x) + i_, sizeof v_);                                                      \
            v_ = fn(v_);                                                                           \
            memcpy((y) + i_, &v_, sizeof v_);                                                      \
        }                                                                                          \
        if (i_ < (n)) {                                                                            \
            vd v_ = SPLAT(0.0);                                                                    \
            memcpy(&v_, (x) + i_, ((n) - i_) * sizeof(double));                                    \
            v_ = fn(v_);                                                                           \
            memcpy((y) + i_, &v_, ((n) - i_) * sizeof(double));                                    \
        }                                                                                          \
    } while (0)

ENTRY void CAT(tanh_n, SUFFIX)(double *y, const double *x, size_t n) { MAP_LANES(y, x, n, tanh_v); }
/* Upstream's form in every lane, then the few lanes below SIGMOID_TAIL
 * (one test per block when there are none) through the scalar tail form. */
KERNEL vd sigmoid_tails_v(vd x) {
    vd y = sigmoid_v(x);
    vm tail = x < SPLAT(SIGMOID_TAIL);
    bool any = false;
    for (int j = 0; j < LANES; j++) any |= tail[j] != 0;
    if (any)
        for (int j = 0; j < LANES; j++)
            if (tail[j]) y[j] = sigmoid_tail(x[j]);
    return y;
}

ENTRY void CAT(sigmoid_n, SUFFIX)(double *y, const double *x, size_t n) { MAP_LANES(y, x, n, sigmoid_tails_v); }

#undef MAP_LANES
#undef SPLAT
#undef KERNEL
#undef ENTRY
#undef vd
#undef vu
#undef vm
#undef vk
#undef pick
#undef abs_v
#undef pow2
#undef trunc_small
#undef expm1_v
#undef tanh_v
#undef sigmoid_v
#undef sigmoid_tails_v
#undef CAT
#undef CAT_
