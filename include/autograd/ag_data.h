/* ag_data.h — data to learn from: the built-in data sets of the lessons and
 * random orders for minibatches (the files of data are ag_files.h).
 *
 * Data sets.  Each makes two new leaves: x, the points (one row each), and
 * t, their class indices (0, 1, ...) as doubles, or the targets.  Every
 * random number comes from `rng` (the context's generator when NULL,
 * ag_rand.h), so a seed gives the same set on every machine.  Each returns
 * 0 with *x and *t set, or -1 with the context's error (AG_ERR_ARG for a
 * bad count or noise, NULL output pointers, or one pointer given for both)
 * and *x, *t NULL. */
#ifndef AG_DATA_H
#define AG_DATA_H

#include "ag_core.h"
#include "ag_rand.h"

AG_BEGIN_DECLS

/* ---- data sets ---------------------------------------------------------- */

/* Two interleaving half circles (scikit-learn's make_moons): n/2 points
 * (rounded down) on the upper arc (class 0), the rest on the lower arc
 * shifted right and down (class 1), each moved by normal noise of standard
 * deviation `noise`, rows shuffled.  x (n, 2), t (n).  n >= 1, noise >= 0. */
int ag_data_moons(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t);
/* A ring (class 0, radius 1) around a smaller ring (class 1, radius
 * `factor`, 0 < factor < 1; scikit-learn's make_circles), n/2 points on the
 * outer one, normal noise, rows shuffled.  x (n, 2), t (n). */
int ag_data_circles(ag_ctx *ctx, int n, double noise, double factor, ag_rng *rng, ag_var **x,
                    ag_var **t);
/* TensorFlow Playground's XOR: points uniform in [-1, 1)^2, class 0 where
 * x0*x1 >= 0 (the first and third quadrants), 1 elsewhere; then normal
 * noise on the positions.  x (n, 2), t (n). */
int ag_data_xor(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t);
/* Blobs: point i belongs to class i % k and is centres[class] (k rows of 2
 * numbers) plus normal noise of standard deviation `std`.  centres NULL:
 * k centres evenly on a circle of radius 2, the first at 45 degrees
 * (k = 2: (1.41, 1.41) and (-1.41, -1.41)).  k >= 2, x (n, 2), t (n). */
int ag_data_gaussians(ag_ctx *ctx, int n, int k, const double *centres, double std, ag_rng *rng,
                      ag_var **x, ag_var **t);
/* DeZero's spiral (dezero/datasets.py get_spiral): for class j and point i
 * of n per class, rate = i/n, radius = rate, theta = 4j + 4 rate + 0.2 z
 * (z standard normal), x = (radius sin theta, radius cos theta); rows in
 * class order (row n*j + i).  x (n*classes, 2), t (n*classes). */
int ag_data_spiral(ag_ctx *ctx, int n, int classes, ag_rng *rng, ag_var **x, ag_var **t);
/* The noisy sine curve of itsubaki/autograd's LSTM guide (cmd/lstm
 * NewCurve): y_i = sin(2 pi i/(n-1)) + u_i*2*noise - noise, u_i uniform in
 * [0, 1), i < n; the n-1 pairs x = y[:-1], t = y[1:] as columns (n-1, 1).
 * n >= 2. */
int ag_data_sine(ag_ctx *ctx, int n, double noise, ag_rng *rng, ag_var **x, ag_var **t);
/* DeZero's regression set (steps 43-45): x uniform in [0, 1), t =
 * sin(2 pi x) + u with u uniform in [0, 1) (x drawn first, then u), as
 * columns (n, 1). */
int ag_data_sine_regression(ag_ctx *ctx, int n, ag_rng *rng, ag_var **x, ag_var **t);

/* ---- random orders ------------------------------------------------------- */

/* A whole number uniform in [0, bound) (bound >= 1; 0 for bound 0), by
 * rejection, so no value is favoured. */
uint32_t ag_rng_below(ag_rng *rng, uint32_t bound);
/* A random order of 0..n-1 into perm (Fisher-Yates from the last place
 * down, as NumPy's shuffle): 0, or -1 for n < 0 or a NULL perm with n > 0. */
int ag_permutation(ag_rng *rng, int n, int *perm);

AG_END_DECLS

#endif
