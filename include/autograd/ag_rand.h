/* ag_rand.h — the one random generator: PCG32 (O'Neill's pcg32, XSH-RR
 * output, 64-bit LCG state).  Seeding: state = 0, inc = (seq << 1) | 1, step,
 * state += seed, step.  uniform = (u32 >> 5, u32 >> 6) combined into 53 bits
 * in [0, 1); normal = Marsaglia's polar method, pairs cached.  Same seed, same
 * numbers on every machine. */
#ifndef AG_RAND_H
#define AG_RAND_H

#include "ag_core.h"

AG_BEGIN_DECLS

typedef struct ag_rng {
    uint64_t state, inc;
    bool has_spare;
    double spare;
} ag_rng;

void ag_rng_seed(ag_rng *rng, uint64_t seed);
uint32_t ag_rng_u32(ag_rng *rng);
double ag_rng_uniform(ag_rng *rng); /* [0, 1) */
double ag_rng_normal(ag_rng *rng);  /* N(0, 1) */

/* The context's own generator (seed 0 at creation). */
ag_rng *ag_ctx_rng(ag_ctx *ctx);

/* Leaves of uniform [0,1) / standard normal numbers drawn row-major from rng
 * (the context's generator when rng is NULL). */
ag_var *ag_rand(ag_ctx *ctx, int ndim, const int *shape, ag_rng *rng);
ag_var *ag_randn(ag_ctx *ctx, int ndim, const int *shape, ag_rng *rng);

AG_END_DECLS

#endif
