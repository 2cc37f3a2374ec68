/* builtins_data.c — data to learn from as REPL built-ins: the data sets of
 * the lessons (moons, circles, xor, gaussians, spiral, sine), random
 * orders (shuffle, randperm, randint), minibatches and the sequence
 * loader, and files of data (CSV, .npy, .npz).  The engine makes and codes
 * them (ag_data.h, ag_files.h); this file binds arguments, applies the
 * session's file rules and hands back pairs that `x, t = ...` unpacks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* ---- seeds ---------------------------------------------------------------- */

/* seed= at `index`: a generator of its own seeded with it in *rng, and
 * *source pointing at it; not given: the session's generator. */
static int seeded(repl *r, const builtin_args *a, int index, ag_rng *rng, ag_rng **source) {
    *source = ag_ctx_rng(r->ctx);
    if (!arg_given(a, index)) return 0;
    double seed;
    if (arg_number(r, a, index, &seed) < 0) return -1;
    if (!(seed >= 0 && seed == floor(seed) && seed <= 18446744073709549568.0))
        return repl_error(r, "%s: seed must be a whole number >= 0", a->def->name);
    ag_rng_seed(rng, (uint64_t)seed);
    *source = rng;
    return 0;
}

/* The pair [x, t] a data set or loader hands back (x, t = ...). */
static int done_pair(repl *r, ag_var *x, ag_var *t, repl_value *out) {
    if (x == NULL || t == NULL) return engine_error(r);
    *out = value_list_new(2);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    out->as.list->items[0] = value_var(x);
    out->as.list->items[1] = value_var(t);
    return 0;
}

/* A count argument: a whole number >= 1 ("moons: n must be ..."). */
static int arg_count(repl *r, const builtin_args *a, int index, const char *what, int *out) {
    double v;
    if (arg_number(r, a, index, &v) < 0) return -1;
    if (!(v >= 1 && v == floor(v) && v <= 1e8))
        return repl_error(r, "%s: %s must be a whole number from 1 to 1e8, not %g", a->def->name, what, v);
    *out = (int)v;
    return 0;
}

/* ---- data sets ------------------------------------------------------------ */

static int builtin_moons(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_moons(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_circles(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise, factor;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || arg_number(r, a, 2, &factor) < 0 ||
        seeded(r, a, 3, &rng, &source) < 0)
        return -1;
    if (ag_data_circles(r->ctx, n, noise, factor, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_xor(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_xor(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

/* gaussians(n, centres=nil, classes=2, std=0.5, seed=nil): centres a list
 * of [x, y] points (then classes is their count) or a (k, 2) tensor. */
static int builtin_gaussians(repl *r, const builtin_args *a, repl_value *out) {
    int n, classes;
    double std;
    ag_rng rng, *source;
    ag_var *x, *t, *centres = NULL;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 3, &std) < 0 || seeded(r, a, 4, &rng, &source) < 0)
        return -1;
    if (arg_given(a, 1)) {
        if (arg_var(r, a, 1, &centres) < 0) return -1;
        if (ag_ndim(centres) != 2 || ag_shape(centres)[1] != 2 || ag_shape(centres)[0] < 2) {
            char shape[AG_SHAPEBUF];
            return repl_error(r, "gaussians: centres must be two or more points [x, y] (a (k, 2) list), not shape %s",
                              ag_shape_string(ag_ndim(centres), ag_shape(centres), shape));
        }
        classes = ag_shape(centres)[0];
    } else {
        double k;
        if (arg_number(r, a, 2, &k) < 0) return -1;
        if (!(k >= 2 && k == floor(k) && k <= 1000))
            return repl_error(r, "gaussians: classes must be a whole number from 2 to 1000, not %g", k);
        classes = (int)k;
    }
    if (ag_data_gaussians(r->ctx, n, classes, centres ? ag_cdata(centres) : NULL, std, source, &x, &t) < 0)
        return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_spiral(repl *r, const builtin_args *a, repl_value *out) {
    int n, classes;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_count(r, a, 1, "classes", &classes) < 0 ||
        seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_spiral(r->ctx, n, classes, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_sine(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_sine(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_sine_regression(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || seeded(r, a, 1, &rng, &source) < 0) return -1;
    if (ag_data_sine_regression(r->ctx, n, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

const builtin_def builtins_data[] = {
    /* Each help line starts with a one-line picture of the set (:help data). */
    {"moons", "n=100, noise=0.1, seed=nil", builtin_moons, "data",
     "◠◡  x, t = moons(100): two interleaving half circles, x (n, 2), t classes 0/1 (scikit-learn's make_moons)\n"
     "  n/2 points on the upper arc (class 0), the rest on the lower one moved right and down; normal\n"
     "  noise of standard deviation noise; rows shuffled",
     .function_only = true},
    {"circles", "n=100, noise=0.05, factor=0.5, seed=nil", builtin_circles, "data",
     "◎   x, t = circles(100): a ring (class 0) around a smaller ring of radius factor (class 1)\n"
     "  scikit-learn's make_circles: normal noise, rows shuffled",
     .function_only = true},
    {"xor", "n=200, noise=0, seed=nil", builtin_xor, "data",
     "▚   x, t = xor(200): points in [-1, 1)^2, class 1 where x0*x1 < 0 (TensorFlow Playground's XOR)",
     .function_only = true},
    {"gaussians", "n=100, centres=nil, classes=2, std=0.5, seed=nil", builtin_gaussians, "data",
     "∴ ∵ x, t = gaussians(100): blobs, point i of class i % k around its centre with normal noise std\n"
     "  centres=[[x, y], ...] places them; else classes=k centres evenly on a circle of radius 2",
     .function_only = true},
    {"spiral", "n=100, classes=3, seed=nil", builtin_spiral, "data",
     "@   x, t = spiral(100, classes=3): DeZero's spiral, n points per class, arms winding out\n"
     "  theta = 4j + 4i/n + 0.2*randn, radius = i/n; rows in class order (n*classes of them)",
     .function_only = true},
    {"sine", "n=1000, noise=0.05, seed=nil", builtin_sine, "data",
     "∿   x, t = sine(1000): the LSTM guide's noisy sine, n-1 pairs (y[i], y[i+1]) as (n-1, 1) columns\n"
     "  y_i = sin(2 pi i/(n-1)) + uniform noise in [-noise, noise) (itsubaki/autograd cmd/lstm)",
     .function_only = true},
    {"sine_regression", "n=100, seed=nil", builtin_sine_regression, "data",
     "∿·  x, t = sine_regression(100): x uniform in [0, 1), t = sin(2 pi x) + uniform [0, 1) (DeZero step 43)",
     .function_only = true},
    {0},
};
