/* rand.c — the engine's one random generator: O'Neill's pcg32 (64-bit LCG
 * state, XSH-RR output), plus uniform and normal doubles and random leaves.
 *
 * Seeding follows pcg32_srandom_r(rng, seed, seq) with the stream fixed:
 * seq = 0xda3e39cb94b95bdb (the increment constant of the reference
 * PCG32_INITIALIZER, reused as a stream id), so inc = (seq << 1) | 1.  Only
 * integer arithmetic and exact double scaling are involved, so a seed gives
 * the same numbers on every machine. */
#include "ag_rand.h"
#include "internal.h"

#include <math.h>

#define PCG_MULTIPLIER 6364136223846793005ULL
#define PCG_STREAM 0xda3e39cb94b95bdbULL

void ag_rng_seed(ag_rng *rng, uint64_t seed) {
    if (rng == NULL) return;
    rng->state = 0;
    rng->inc = (PCG_STREAM << 1) | 1u;
    ag_rng_u32(rng);
    rng->state += seed;
    ag_rng_u32(rng);
    rng->has_spare = false;
    rng->spare = 0;
}

/* pcg32_random_r: advance the LCG, output a rotated xorshift of the old state. */
uint32_t ag_rng_u32(ag_rng *rng) {
    if (rng == NULL) return 0;
    uint64_t old = rng->state;
    rng->state = old * PCG_MULTIPLIER + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rotation = (uint32_t)(old >> 59);
    return (xorshifted >> rotation) | (xorshifted << ((-rotation) & 31));
}

/* 27 high bits of one output and 26 of the next make a 53-bit integer
 * a*2^26 + b; divided by 2^53 it is exact and lies in [0, 1). */
double ag_rng_uniform(ag_rng *rng) {
    if (rng == NULL) return NAN;
    uint32_t high = ag_rng_u32(rng) >> 5;
    uint32_t low = ag_rng_u32(rng) >> 6;
    return (high * 67108864.0 + low) / 9007199254740992.0;
}

/* Marsaglia's polar method: draws a point in the unit disc and turns it into
 * two independent normals; the second is kept for the next call. */
double ag_rng_normal(ag_rng *rng) {
    if (rng == NULL) return NAN;
    if (rng->has_spare) {
        rng->has_spare = false;
        return rng->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * ag_rng_uniform(rng) - 1.0;
        v = 2.0 * ag_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double scale = sqrt(-2.0 * log(s) / s);
    rng->spare = v * scale;
    rng->has_spare = true;
    return u * scale;
}

/* A zero leaf of the shape filled row-major by draw(rng).  On an interrupt
 * the generator is put back as it was, so the next draw is the one an
 * uninterrupted call would have started with. */
static ag_var *random_leaf(ag_ctx *ctx, const char *name, int ndim, const int *shape, ag_rng *rng,
                           double (*draw)(ag_rng *)) {
    if (ctx == NULL) return NULL;
    ag_var *v = var_zeros_named(ctx, name, ndim, shape);
    if (v == NULL) return NULL;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    ag_rng before = *rng;
    double *data = v->t.data; /* a new leaf: no in-place change */
    size_t size = ag_size(v);
    for (size_t block = 0; block < size; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) {
            *rng = before;
            return ctx_error(ctx, AG_ERR_INTERRUPTED, "%s: interrupted", name);
        }
        size_t end = size - block < INTERRUPT_BLOCK ? size : block + INTERRUPT_BLOCK;
        for (size_t i = block; i < end; i++) data[i] = draw(rng);
    }
    return v;
}

ag_var *ag_rand(ag_ctx *ctx, int ndim, const int *shape, ag_rng *rng) {
    return random_leaf(ctx, "rand", ndim, shape, rng, ag_rng_uniform);
}

ag_var *ag_randn(ag_ctx *ctx, int ndim, const int *shape, ag_rng *rng) {
    return random_leaf(ctx, "randn", ndim, shape, rng, ag_rng_normal);
}
