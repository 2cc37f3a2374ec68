/* datasets.c — the built-in data sets of the lessons (ag_data.h) and the
 * random orders minibatches are drawn in.
 *
 * Each set is a formula from the course it comes from (scikit-learn's
 * make_moons and make_circles, TensorFlow Playground's XOR and blobs,
 * DeZero's spiral and sine curves, itsubaki/autograd's LSTM guide) with
 * every random number drawn from our one generator (rand.c), so a seed
 * names the same points on every machine.  The draws' order is part of
 * each set's definition: positions first, then noise, then the shuffle. */
#include "ag_data.h"
#include "errors.h"
#include "memory.h"

#include <math.h>
#include <stdlib.h>

/* pi as NumPy has it (M_PI is not in C11). */
#define PI 3.141592653589793

uint32_t ag_rng_below(ag_rng *rng, uint32_t bound) {
    if (rng == NULL || bound == 0) return 0;
    /* 2^32 mod bound values at the bottom would come up once more often
     * than the rest: draw again when one comes (O'Neill's pcg32_boundedrand). */
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = ag_rng_u32(rng);
        if (r >= threshold) return r % bound;
    }
}

int ag_permutation(ag_rng *rng, int n, int *perm) {
    if (rng == NULL || n < 0 || (perm == NULL && n > 0)) return -1;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ag_rng_below(rng, (uint32_t)i + 1);
        int swap = perm[i];
        perm[i] = perm[j];
        perm[j] = swap;
    }
    return 0;
}

/* The outputs start NULL (a failure makes nothing); false for NULL handles
 * and for one pointer given for both (x's data would be filled through t's
 * one-column variable, past its end). */
static bool begin(ag_ctx *ctx, ag_var **x, ag_var **t) {
    if (x) *x = NULL;
    if (t) *t = NULL;
    if (ctx != NULL && (x == NULL || t == NULL)) ctx_error(ctx, AG_ERR_ARG, "data set: the output pointers are NULL");
    else if (ctx != NULL && x == t) ctx_error(ctx, AG_ERR_ARG, "data set: x and t are the same output pointer");
    return ctx != NULL && x != NULL && t != NULL && x != t;
}

/* The two leaves of a set: x (n, columns) and t (n), zeros to be filled. */
static int make_pair(ag_ctx *ctx, const char *who, int n, int columns, ag_var **x, ag_var **t) {
    *x = *t = NULL;
    if (n < 1) return ctx_error(ctx, AG_ERR_ARG, "%s: the number of points must be at least 1, not %d", who, n), -1;
    *x = ag_zeros(ctx, 2, (int[]){n, columns});
    *t = ag_zeros(ctx, 1, (int[]){n});
    if (*x == NULL || *t == NULL) {
        *x = *t = NULL;
        return -1;
    }
    return 0;
}

static int check_noise(ag_ctx *ctx, const char *who, const char *what, double noise) {
    if (noise >= 0 && noise <= 1e100) return 0;
    return ctx_error(ctx, AG_ERR_ARG, "%s: %s must be a number from 0 to 1e100, not %g", who, what, noise), -1;
}

/* Normal noise of standard deviation `noise` on every coordinate, row by row. */
static void add_noise(ag_rng *rng, double *xy, int n, double noise) {
    if (noise == 0) return;
    for (int i = 0; i < 2 * n; i++) xy[i] += noise * ag_rng_normal(rng);
}

/* The rows of x and t in a random order (x has two columns). */
static int shuffle_rows(ag_ctx *ctx, ag_rng *rng, double *xy, double *labels, int n) {
    int *perm = ctx_malloc(ctx, (size_t)n * sizeof *perm);
    double *copy = ctx_malloc(ctx, (size_t)n * 3 * sizeof *copy);
    if (perm == NULL || copy == NULL) {
        ctx_free(ctx, perm);
        ctx_free(ctx, copy);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    }
    ag_permutation(rng, n, perm);
    for (int i = 0; i < n; i++) {
        copy[3 * i] = xy[2 * i];
        copy[3 * i + 1] = xy[2 * i + 1];
        copy[3 * i + 2] = labels[i];
    }
    for (int i = 0; i < n; i++) {
        xy[2 * i] = copy[3 * perm[i]];
        xy[2 * i + 1] = copy[3 * perm[i] + 1];
        labels[i] = copy[3 * perm[i] + 2];
    }
    ctx_free(ctx, perm);
    ctx_free(ctx, copy);
    return 0;
}

/* The points k*pi/(count-1) of [0, pi] (np.linspace(0, pi, count)). */
static double arc(int k, int count) { return count > 1 ? PI * k / (count - 1) : 0; }

int ag_data_moons(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (check_noise(ctx, "moons", "noise", noise) < 0 || make_pair(ctx, "moons", n, 2, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xy = ag_data(*x), *labels = ag_data(*t);
    int outer = n / 2, inner = n - outer;
    for (int i = 0; i < outer; i++) { /* class 0: the upper arc */
        xy[2 * i] = cos(arc(i, outer));
        xy[2 * i + 1] = sin(arc(i, outer));
    }
    for (int i = 0; i < inner; i++) { /* class 1: the lower arc, moved right and down */
        double *row = xy + 2 * (outer + i);
        row[0] = 1 - cos(arc(i, inner));
        row[1] = 1 - sin(arc(i, inner)) - 0.5;
        labels[outer + i] = 1;
    }
    add_noise(rng, xy, n, noise);
    return shuffle_rows(ctx, rng, xy, labels, n) < 0 ? (*x = *t = NULL, -1) : 0;
}

int ag_data_circles(ag_ctx *ctx, int n, double noise, double factor, ag_rng *rng, ag_var **x,
                    ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (!(factor > 0 && factor < 1))
        return ctx_error(ctx, AG_ERR_ARG, "circles: factor (the inner ring's radius) must lie between 0 and 1, not %g",
                         factor), -1;
    if (check_noise(ctx, "circles", "noise", noise) < 0 || make_pair(ctx, "circles", n, 2, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xy = ag_data(*x), *labels = ag_data(*t);
    int outer = n / 2, inner = n - outer;
    for (int i = 0; i < outer; i++) { /* np.linspace(0, 2 pi, outer, endpoint=False) */
        double angle = 2 * PI * i / outer;
        xy[2 * i] = cos(angle);
        xy[2 * i + 1] = sin(angle);
    }
    for (int i = 0; i < inner; i++) {
        double angle = 2 * PI * i / inner;
        xy[2 * (outer + i)] = factor * cos(angle);
        xy[2 * (outer + i) + 1] = factor * sin(angle);
        labels[outer + i] = 1;
    }
    add_noise(rng, xy, n, noise);
    return shuffle_rows(ctx, rng, xy, labels, n) < 0 ? (*x = *t = NULL, -1) : 0;
}

int ag_data_xor(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (check_noise(ctx, "xor", "noise", noise) < 0 || make_pair(ctx, "xor", n, 2, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xy = ag_data(*x), *labels = ag_data(*t);
    for (int i = 0; i < n; i++) {
        xy[2 * i] = 2 * ag_rng_uniform(rng) - 1;
        xy[2 * i + 1] = 2 * ag_rng_uniform(rng) - 1;
        labels[i] = xy[2 * i] * xy[2 * i + 1] >= 0 ? 0 : 1;
    }
    add_noise(rng, xy, n, noise);
    return 0;
}

int ag_data_gaussians(ag_ctx *ctx, int n, int k, const double *centres, double std, ag_rng *rng,
                      ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (k < 2) return ctx_error(ctx, AG_ERR_ARG, "gaussians: there must be at least 2 classes, not %d", k), -1;
    if (check_noise(ctx, "gaussians", "std", std) < 0 || make_pair(ctx, "gaussians", n, 2, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xy = ag_data(*x), *labels = ag_data(*t);
    for (int i = 0; i < n; i++) {
        int class = i % k;
        double angle = PI / 4 + 2 * PI * class / k;
        xy[2 * i] = centres ? centres[2 * class] : 2 * cos(angle);
        xy[2 * i + 1] = centres ? centres[2 * class + 1] : 2 * sin(angle);
        labels[i] = class;
    }
    add_noise(rng, xy, n, std);
    return 0;
}

int ag_data_spiral(ag_ctx *ctx, int n, int classes, ag_rng *rng, ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (classes < 1) return ctx_error(ctx, AG_ERR_ARG, "spiral: classes must be at least 1, not %d", classes), -1;
    if (n >= 1 && classes > INT32_MAX / n)
        return ctx_error(ctx, AG_ERR_ARG, "spiral: %d points for each of %d classes is too many", n, classes), -1;
    if (make_pair(ctx, "spiral", n * classes, 2, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xy = ag_data(*x), *labels = ag_data(*t);
    for (int j = 0; j < classes; j++)
        for (int i = 0; i < n; i++) {
            double rate = (double)i / n, radius = 1.0 * rate;
            double theta = j * 4.0 + 4.0 * rate + ag_rng_normal(rng) * 0.2;
            int row = n * j + i;
            xy[2 * row] = radius * sin(theta);
            xy[2 * row + 1] = radius * cos(theta);
            labels[row] = j;
        }
    return 0;
}

/* Two columns (rows, 1) to be filled. */
static int make_columns(ag_ctx *ctx, const char *who, int rows, ag_var **x, ag_var **t) {
    *x = *t = NULL;
    if (rows < 1) return ctx_error(ctx, AG_ERR_ARG, "%s: too few points", who), -1;
    *x = ag_zeros(ctx, 2, (int[]){rows, 1});
    *t = ag_zeros(ctx, 2, (int[]){rows, 1});
    if (*x == NULL || *t == NULL) return *x = *t = NULL, -1;
    return 0;
}

int ag_data_sine(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (n < 2) return *x = *t = NULL, ctx_error(ctx, AG_ERR_ARG, "sine: n must be at least 2 (n-1 pairs), not %d", n), -1;
    if (check_noise(ctx, "sine", "noise", noise) < 0 || make_columns(ctx, "sine", n - 1, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *data = ag_data(*x), *label = ag_data(*t);
    for (int i = 0; i < n; i++) {
        double y = sin(2 * PI * ((double)i / (n - 1))) + ag_rng_uniform(rng) * (2 * noise) - noise;
        if (i > 0) label[i - 1] = y;
        if (i < n - 1) data[i] = y;
    }
    return 0;
}

int ag_data_sine_regression(ag_ctx *ctx, int n, ag_rng *rng, ag_var **x, ag_var **t) {
    if (!begin(ctx, x, t)) return -1;
    if (n < 1) return *x = *t = NULL, ctx_error(ctx, AG_ERR_ARG, "sine_regression: n must be at least 1, not %d", n), -1;
    if (make_columns(ctx, "sine_regression", n, x, t) < 0) return -1;
    if (rng == NULL) rng = ag_ctx_rng(ctx);
    double *xs = ag_data(*x), *ts = ag_data(*t);
    for (int i = 0; i < n; i++) xs[i] = ag_rng_uniform(rng);
    for (int i = 0; i < n; i++) ts[i] = sin(2 * PI * xs[i]) + ag_rng_uniform(rng);
    return 0;
}
