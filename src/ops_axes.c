/* ops_axes.c — the one axis convention of the public API, for the ops first
 * written another way.
 *
 *   (const int *axes, int naxes)  an op that may act over several axes or
 *                                 all of them (naxes 0: every element):
 *                                 sum, mean, max, ..., logsumexp_axes
 *   int axis                      an op along exactly one axis: softmax,
 *                                 concat, cumsum, flip, gather
 *
 * ag_logsumexp, ag_prod, ag_any, ag_all, ag_argmax, ag_argmin and ag_roll
 * took `const int *axis` (NULL: every element); they stay, as aliases of the
 * forms below, until 2.0. */
#include "internal.h"

/* argmax and argmin pick along one axis, or over every element: naxes is 0
 * or 1 (PyTorch's dim=None or an int). */
static ag_var *one_or_all(ag_ctx *ctx, const char *name, ag_var *(*fn)(ag_ctx *, ag_var *, const int *),
                          ag_var *x, const int *axes, int naxes) {
    if (ctx == NULL) return NULL;
    if (naxes < 0 || naxes > 1 || (naxes == 1 && axes == NULL))
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: one axis or none (every element), not %d", name, naxes);
    return fn(ctx, x, naxes == 1 ? axes : NULL);
}

ag_var *ag_argmax_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return one_or_all(ctx, "argmax", ag_argmax, x, axes, naxes);
}
ag_var *ag_argmin_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes) {
    return one_or_all(ctx, "argmin", ag_argmin, x, axes, naxes);
}

/* PyTorch's roll(x, shifts, dims): shifts[i] along axes[i] in turn; naxes 0
 * rolls the flattened x by shifts[0] and keeps its shape. */
ag_var *ag_roll_axes(ag_ctx *ctx, ag_var *x, const int *shifts, const int *axes, int naxes) {
    if (ctx == NULL) return NULL;
    if (shifts == NULL) return ctx_error(ctx, AG_ERR_ARG, "roll: shifts is NULL");
    if (naxes < 0 || (naxes > 0 && axes == NULL))
        return ctx_error(ctx, AG_ERR_ARG, "roll: %d axes and no list of them", naxes);
    if (naxes == 0) return ag_roll(ctx, x, shifts[0], NULL);
    ag_var *y = x;
    for (int i = 0; i < naxes; i++) y = ag_roll(ctx, y, shifts[i], &axes[i]); /* NULL propagates */
    return y;
}
