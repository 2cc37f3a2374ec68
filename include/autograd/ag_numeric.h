/* ag_numeric.h — numerical differentiation and gradient checking. */
#ifndef AG_NUMERIC_H
#define AG_NUMERIC_H

#include "ag_core.h"

AG_BEGIN_DECLS

/* A function of n variables returning one variable (NULL + error on failure). */
typedef ag_var *(*ag_fn)(void *user, ag_ctx *ctx, ag_var *const *xs, int n);

/* Upstream's numerical.Diff: (f(x + h) - f(x - h)) / 2h with every element of
 * every input shifted at once (a directional derivative).  h <= 0 means 1e-4. */
ag_var *ag_numdiff(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, double h);

/* Central-difference gradient of sum(f(xs)) with respect to xs[i], element by
 * element, as a new leaf shaped like xs[i].  h <= 0 means 1e-4. */
ag_var *ag_numgrad(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, int i, double h);

/* Reports one mismatch: input i, flat element index, analytic and numeric. */
typedef void (*ag_mismatch_fn)(void *user, int input, size_t index, double analytic,
                               double numeric);

/* Backward of sum(f(xs)) against ag_numgrad for every input, element by
 * element, |a - n| <= atol + rtol*|n|.  Returns 1 when all match, 0 when some
 * do not (each reported through `report` when given), -1 on error.  Leaves the
 * inputs' .grad as it found them. */
int ag_gradcheck(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, double atol,
                 double rtol, ag_mismatch_fn report, void *report_user);

AG_END_DECLS

#endif
