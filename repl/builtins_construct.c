/* builtins_construct.c — the built-ins that make new leaves: zeros, ones, full,
 * rand, randn, seed, arange, linspace, eye, zeros_like, ones_like. */
#include <math.h>

#include "repl_internal.h"

/* A shape for a new leaf, from a rest parameter (zeros, rand) or a plain
 * one (full(shape, value)); no negative dimension. */
static int get_shape(repl *r, const builtin_args *a, int index, bool rest, int *shape, int *ndim) {
    if ((rest ? arg_dims(r, a, index, shape, ndim) : arg_ints(r, a, index, shape, AG_MAX_DIMS, ndim)) < 0)
        return -1;
    for (int i = 0; i < *ndim; i++)
        if (shape[i] < 0)
            return repl_error(r, "%s: shape has a negative dimension %d", a->def->name, shape[i]);
    return 0;
}

static int builtin_zeros(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    return builtin_done_var(r, ag_zeros(r->ctx, ndim, shape), out);
}

static int builtin_ones(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    return builtin_done_var(r, ag_ones(r->ctx, ndim, shape), out);
}

static int builtin_full(repl *r, const builtin_args *a, repl_value *out) {
    int shape[AG_MAX_DIMS], ndim;
    double value;
    if (get_shape(r, a, 0, false, shape, &ndim) < 0 || arg_number(r, a, 1, &value) < 0) return -1;
    return builtin_done_var(r, ag_full(r->ctx, ndim, shape, value), out);
}

static int random_leaf(repl *r, const builtin_args *a, repl_value *out, bool normal) {
    int shape[AG_MAX_DIMS], ndim;
    if (get_shape(r, a, 0, true, shape, &ndim) < 0) return -1;
    ag_rng rng, *source = NULL; /* no seed: the session's generator */
    if (arg_given(a, 1)) {
        double seed;
        if (arg_number(r, a, 1, &seed) < 0) return -1;
        if (seed < 0 || seed != floor(seed) || seed > 18446744073709549568.0)
            return repl_error(r, "%s: seed must be a whole number >= 0", a->def->name);
        ag_rng_seed(&rng, (uint64_t)seed);
        source = &rng;
    }
    ag_var *v = normal ? ag_randn(r->ctx, ndim, shape, source) : ag_rand(r->ctx, ndim, shape, source);
    return builtin_done_var(r, v, out);
}

int repl_seed(repl *r, double seed, const char *who) {
    if (!(seed >= 0 && seed == floor(seed) && seed <= 18446744073709549568.0)) {
        char text[AG_NUMBUF];
        return repl_error(r, "%s: the seed must be a whole number >= 0, not %s", who,
                          ag_format_display(seed, 0, text));
    }
    ag_rng_seed(ag_ctx_rng(r->ctx), (uint64_t)seed);
    return 0;
}

/* seed(n): the session's generator starts again from n, as NumPy's
 * np.random.seed and torch.manual_seed */
static int builtin_seed(repl *r, const builtin_args *a, repl_value *out) {
    double seed;
    if (arg_number(r, a, 0, &seed) < 0 || repl_seed(r, seed, "seed") < 0) return -1;
    *out = (repl_value)VALUE_NIL_INIT;
    return 0;
}

static int builtin_rand(repl *r, const builtin_args *a, repl_value *out) {
    return random_leaf(r, a, out, false);
}

static int builtin_randn(repl *r, const builtin_args *a, repl_value *out) {
    return random_leaf(r, a, out, true);
}

static int builtin_arange(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop, step;
    if (arg_number(r, a, 0, &start) < 0 || arg_number(r, a, 2, &step) < 0) return -1;
    if (arg_given(a, 1)) {
        if (arg_number(r, a, 1, &stop) < 0) return -1;
    } else {
        stop = start;
        start = 0;
    }
    return builtin_done_var(r, ag_arange(r->ctx, start, stop, step), out);
}

static int builtin_linspace(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop;
    int n;
    if (arg_number(r, a, 0, &start) < 0 || arg_number(r, a, 1, &stop) < 0 || arg_int(r, a, 2, &n) < 0)
        return -1;
    return builtin_done_var(r, ag_linspace(r->ctx, start, stop, n), out);
}

static int builtin_eye(repl *r, const builtin_args *a, repl_value *out) {
    int n, m;
    if (arg_int(r, a, 0, &n) < 0) return -1;
    if (!arg_given(a, 1)) return builtin_done_var(r, ag_eye(r->ctx, n), out);
    if (arg_int(r, a, 1, &m) < 0) return -1;
    return builtin_done_var(r, ag_eye_nm(r->ctx, n, m), out);
}

static int builtin_zeros_like(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    return builtin_done_var(r, ag_zeros_like(r->ctx, x), out);
}

static int builtin_ones_like(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    return builtin_done_var(r, ag_ones_like(r->ctx, x), out);
}

const builtin_def builtins_construct[] = {
    {"zeros", "*shape", builtin_zeros, "construction", "a leaf of zeros: zeros([2, 3]) or zeros(2, 3); zeros(3)",
     .function_only = true},
    {"ones", "*shape", builtin_ones, "construction", "a leaf of ones", .function_only = true},
    {"full", "shape, value", builtin_full, "construction", "a leaf filled with value", .function_only = true},
    {"rand", "*shape, seed=nil", builtin_rand, "construction",
     "uniform numbers in [0, 1); a seed gives the same numbers on every machine", .function_only = true},
    {"seed", "n", builtin_seed, "construction",
     "start the session's random numbers again from n: every later rand, randn, dropout and model\n"
     "  made without seed= repeats its numbers after the same seed(n) (also :seed N; a new session\n"
     "  starts as if from seed(0))", .function_only = true},
    {"randn", "*shape, seed=nil", builtin_randn, "construction", "standard normal numbers",
     .function_only = true},
    {"arange", "start, stop=nil, step=1", builtin_arange, "construction",
     "start, start+step, ... below stop (arange(n) counts 0..n-1)", .function_only = true},
    {"linspace", "start, stop, n", builtin_linspace, "construction", "n evenly spaced numbers from start to stop (n = 1: [start]; n = 0: empty)",
     .function_only = true},
    {"eye", "n, m=nil", builtin_eye, "construction", "the n x n identity matrix (n x m with m: ones on the diagonal)", .function_only = true},
    {"zeros_like", "x", builtin_zeros_like, "construction", "zeros shaped like x"},
    {"ones_like", "x", builtin_ones_like, "construction", "ones shaped like x"},
    {0},
};
