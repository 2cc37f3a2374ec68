/* builtins_ops.c — the built-ins of the ops PyTorch users reach for:
 * comparisons and selection, activations, more elementwise math, reductions
 * and scans, creation and movement, losses.  Each row calls one engine op
 * (include/autograd/ag_ops.h); the help line says where PyTorch differs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#define UNARY(name, op)                                                          \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        if (arg_var(r, a, 0, &x) < 0) return -1;                                 \
        return builtin_done_var(r, op(r->ctx, x), out);                                  \
    }
#define BINARY(name, op)                                                         \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x, *y;                                                           \
        if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;     \
        return builtin_done_var(r, op(r->ctx, x, y), out);                               \
    }

/* ---- comparisons and selection -------------------------------------------------- */

BINARY(eq, ag_eq)
BINARY(ne, ag_ne)
BINARY(lt, ag_lt)
BINARY(le, ag_le)
BINARY(gt, ag_gt)
BINARY(ge, ag_ge)
UNARY(isnan, ag_isnan)
UNARY(isinf, ag_isinf)
UNARY(isfinite, ag_isfinite)
BINARY(maximum, ag_maximum)
BINARY(minimum, ag_minimum)

static int builtin_isclose(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y;
    double rtol, atol;
    bool equal_nan;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0 || arg_number(r, a, 2, &rtol) < 0 ||
        arg_number(r, a, 3, &atol) < 0 || arg_bool(r, a, 4, &equal_nan) < 0)
        return -1;
    return builtin_done_var(r, ag_isclose(r->ctx, x, y, rtol, atol, equal_nan), out);
}

static int builtin_where(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *c, *x, *y;
    if (arg_var(r, a, 0, &c) < 0 || arg_var(r, a, 1, &x) < 0 || arg_var(r, a, 2, &y) < 0) return -1;
    return builtin_done_var(r, ag_where(r->ctx, c, x, y), out);
}

/* ---- activations and elementwise math ------------------------------------------------ */

UNARY(selu, ag_selu)
UNARY(silu, ag_silu)
UNARY(mish, ag_mish)
UNARY(sign, ag_sign)
UNARY(floor, ag_floor)
UNARY(ceil, ag_ceil)
UNARY(trunc, ag_trunc)
UNARY(rsqrt, ag_rsqrt)
UNARY(log2, ag_log2)
UNARY(log10, ag_log10)
UNARY(exp2, ag_exp2)
UNARY(asin, ag_asin)
UNARY(acos, ag_acos)
UNARY(atan, ag_atan)
UNARY(sinh, ag_sinh)
UNARY(cosh, ag_cosh)
UNARY(asinh, ag_asinh)
UNARY(acosh, ag_acosh)
UNARY(atanh, ag_atanh)
UNARY(erf, ag_erf)
BINARY(logaddexp, ag_logaddexp)
BINARY(fmod, ag_fmod)
BINARY(hypot, ag_hypot)
BINARY(copysign, ag_copysign)
BINARY(remainder, ag_remainder)
BINARY(floor_divide, ag_floor_divide)

/* NAME(x, number) */
#define UNARY_NUMBER(name, op)                                                   \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        ag_var *x;                                                               \
        double v;                                                                \
        if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &v) < 0) return -1;  \
        return builtin_done_var(r, op(r->ctx, x, v), out);                               \
    }
UNARY_NUMBER(leaky_relu, ag_leaky_relu)
UNARY_NUMBER(elu, ag_elu)

static int builtin_softplus(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double beta, threshold;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &beta) < 0 || arg_number(r, a, 2, &threshold) < 0)
        return -1;
    return builtin_done_var(r, ag_softplus(r->ctx, x, beta, threshold), out);
}

static int builtin_hardtanh(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double lo, hi;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &lo) < 0 || arg_number(r, a, 2, &hi) < 0) return -1;
    return builtin_done_var(r, ag_hardtanh(r->ctx, x, lo, hi), out);
}

static int builtin_softmin(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return builtin_done_var(r, ag_softmin(r->ctx, x, axis), out);
}

static int builtin_lerp(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y, *w;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0 || arg_var(r, a, 2, &w) < 0) return -1;
    return builtin_done_var(r, ag_lerp(r->ctx, x, y, w), out);
}

/* ---- reductions, scans, sorting --------------------------------------------------------- */

typedef ag_var *(*axes_fn)(ag_ctx *, ag_var *, const int *, int);

/* NAME(x, axis=nil, keepdims=false) over every element, one axis or several
 * (axis=(0, 2), as numpy and PyTorch). */
static int axes_reduce(repl *r, const builtin_args *a, repl_value *out, axes_fn fn) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    bool keepdims = false;
    if (arg_var(r, a, 0, &x) < 0 || (arg_given(a, 1) && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) ||
        arg_bool(r, a, 2, &keepdims) < 0)
        return -1;
    if (arg_given(a, 1) && naxes == 0)
        return repl_error(r, "%s: axis=() names no axis: leave axis out to take every element", a->def->name);
    ag_var *y = fn(r->ctx, x, axes, naxes);
    return builtin_done_var(r, keepdims ? ag_keepdims(r->ctx, y, x, axes, naxes) : y, out);
}
#define AXES(name, fn)                                                           \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        return axes_reduce(r, a, out, fn);                                       \
    }
AXES(prod, ag_prod_axes)
AXES(logsumexp, ag_logsumexp_axes)
AXES(any, ag_any_axes)
AXES(all, ag_all_axes)

/* argmax/argmin(x, axis=nil, keepdims=false): one axis, as PyTorch's (an index
 * into several axes at once is not one number). */
typedef ag_var *(*axis_fn)(ag_ctx *, ag_var *, const int *);
static int one_axis_reduce(repl *r, const builtin_args *a, repl_value *out, axis_fn fn) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    bool keepdims = false, given = arg_given(a, 1);
    if (arg_var(r, a, 0, &x) < 0 || (given && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) ||
        arg_bool(r, a, 2, &keepdims) < 0)
        return -1;
    if (given && naxes != 1)
        return repl_error(r, "%s: axis takes one axis, not %d (as PyTorch): flatten the axes into one first, "
                             "e.g. %s(flatten(x, 0, 1), axis=0)", a->def->name, naxes, a->def->name);
    ag_var *y = fn(r->ctx, x, given ? axes : NULL);
    return builtin_done_var(r, keepdims ? ag_keepdims(r->ctx, y, x, axes, given) : y, out);
}
#define ONE_AXIS(name, fn)                                                       \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        return one_axis_reduce(r, a, out, fn);                                   \
    }
ONE_AXIS(argmax, ag_argmax)
ONE_AXIS(argmin, ag_argmin)

/* var/std(x, axis=nil, correction=1, keepdims=false) */
static int corrected(repl *r, const builtin_args *a, repl_value *out, bool root) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes = 0;
    double correction;
    bool keepdims;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (arg_given(a, 1) && arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) return -1;
    if (arg_number(r, a, 2, &correction) < 0 || arg_bool(r, a, 3, &keepdims) < 0) return -1;
    ag_var *y = root ? ag_std(r->ctx, x, naxes ? axes : NULL, naxes, correction)
                     : ag_var_correction(r->ctx, x, naxes ? axes : NULL, naxes, correction);
    return builtin_done_var(r, keepdims ? ag_keepdims(r->ctx, y, x, axes, naxes) : y, out);
}
static int builtin_var(repl *r, const builtin_args *a, repl_value *out) { return corrected(r, a, out, false); }
static int builtin_std(repl *r, const builtin_args *a, repl_value *out) { return corrected(r, a, out, true); }

typedef ag_var *(*scan_fn)(ag_ctx *, ag_var *, int);
static int scan(repl *r, const builtin_args *a, repl_value *out, scan_fn fn) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return builtin_done_var(r, fn(r->ctx, x, axis), out);
}
static int builtin_cumsum(repl *r, const builtin_args *a, repl_value *out) { return scan(r, a, out, ag_cumsum); }
static int builtin_cumprod(repl *r, const builtin_args *a, repl_value *out) { return scan(r, a, out, ag_cumprod); }
static int builtin_log_softmax(repl *r, const builtin_args *a, repl_value *out) {
    return scan(r, a, out, ag_log_softmax);
}

/* flip(x, axis): one axis or a list of them (torch.flip's dims) */
static int builtin_flip(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axes[AG_MAX_DIMS], naxes;
    if (arg_var(r, a, 0, &x) < 0 || arg_ints(r, a, 1, axes, AG_MAX_DIMS, &naxes) < 0) return -1;
    int ndim = ag_ndim(x);
    for (int i = 0; i < naxes; i++) /* an axis twice is refused, as PyTorch's flip refuses it */
        for (int j = 0; j < i; j++) {
            int p = axes[i] < 0 ? axes[i] + ndim : axes[i], q = axes[j] < 0 ? axes[j] + ndim : axes[j];
            if (p == q && p >= 0 && p < ndim)
                return repl_error(r, "flip: axis %d is given twice (as %d and %d)", p, axes[j], axes[i]);
        }
    for (int i = 0; i < naxes && x != NULL; i++) x = ag_flip(r->ctx, x, axes[i]);
    return builtin_done_var(r, x, out);
}

static int builtin_argsort(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    bool descending;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0 || arg_bool(r, a, 2, &descending) < 0) return -1;
    return builtin_done_var(r, ag_argsort(r->ctx, x, axis, descending), out);
}

/* [values, indices] */
static int pair(repl *r, int rc, ag_var *values, ag_var *indices, repl_value *out) {
    if (rc < 0) return engine_error(r);
    *out = value_list_new(2);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    out->as.list->items[0] = value_var(values);
    out->as.list->items[1] = value_var(indices);
    return 0;
}

static int builtin_sort(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *values = NULL, *indices = NULL;
    int axis;
    bool descending;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0 || arg_bool(r, a, 2, &descending) < 0) return -1;
    int rc = ag_sort(r->ctx, x, axis, descending, &values, &indices);
    return pair(r, rc, values, indices, out);
}

static int builtin_topk(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *values = NULL, *indices = NULL;
    int k, axis;
    bool largest;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &k) < 0 || arg_int(r, a, 2, &axis) < 0 ||
        arg_bool(r, a, 3, &largest) < 0)
        return -1;
    int rc = ag_topk(r->ctx, x, k, axis, largest, &values, &indices);
    return pair(r, rc, values, indices, out);
}

static int builtin_gather(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *index;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0 || arg_var(r, a, 2, &index) < 0) return -1;
    return builtin_done_var(r, ag_gather(r->ctx, x, axis, index), out);
}

/* ---- creation and movement -------------------------------------------------------------- */

static int builtin_stack(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n, axis;
    if (arg_int(r, a, 1, &axis) < 0 || arg_var_list(r, a, 0, &xs, &n) < 0) return -1;
    int rc = builtin_done_var(r, ag_stack(r->ctx, xs, n, axis), out);
    free(xs);
    return rc;
}

static int builtin_flatten(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int start, end;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &start) < 0 || arg_int(r, a, 2, &end) < 0) return -1;
    return builtin_done_var(r, ag_flatten(r->ctx, x, start, end), out);
}

static int builtin_unflatten(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis, sizes[AG_MAX_DIMS], n;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0 || arg_ints(r, a, 2, sizes, AG_MAX_DIMS, &n) < 0)
        return -1;
    return builtin_done_var(r, ag_unflatten(r->ctx, x, axis, sizes, n), out);
}

/* roll(x, shifts, axis=nil): a number each, or lists of equal length */
static int builtin_roll(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int shifts[AG_MAX_DIMS], axes[AG_MAX_DIMS], ns, na = 0;
    if (arg_var(r, a, 0, &x) < 0 || arg_ints(r, a, 1, shifts, AG_MAX_DIMS, &ns) < 0) return -1;
    if (arg_given(a, 2) && arg_ints(r, a, 2, axes, AG_MAX_DIMS, &na) < 0) return -1;
    if (na == 0) {
        if (ns != 1) return repl_error(r, "roll: several shifts need as many axes");
        return builtin_done_var(r, ag_roll(r->ctx, x, shifts[0], NULL), out);
    }
    if (na != ns) return repl_error(r, "roll: %d shifts for %d axes", ns, na);
    for (int i = 0; i < na && x != NULL; i++) x = ag_roll(r->ctx, x, shifts[i], &axes[i]);
    return builtin_done_var(r, x, out);
}

static int builtin_repeat(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int counts[AG_MAX_DIMS], n;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    const value_list *rest = a->values[1].as.list;
    if (a->values[1].kind != VALUE_LIST || rest->count == 0)
        return repl_error(r, "repeat: the counts are missing: repeat(x, 2, 3) or repeat(x, [2, 3])");
    if (rest->count > 1 ? arg_ints(r, a, 1, counts, AG_MAX_DIMS, &n) < 0
                        : arg_ints_of(r, a, 1, rest->items[0], counts, AG_MAX_DIMS, &n) < 0)
        return -1;
    return builtin_done_var(r, ag_repeat(r->ctx, x, counts, n), out);
}

typedef ag_var *(*diag_fn)(ag_ctx *, ag_var *, int);
static int with_diagonal(repl *r, const builtin_args *a, repl_value *out, diag_fn fn) {
    ag_var *x;
    int k;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &k) < 0) return -1;
    return builtin_done_var(r, fn(r->ctx, x, k), out);
}
static int builtin_tril(repl *r, const builtin_args *a, repl_value *out) { return with_diagonal(r, a, out, ag_tril); }
static int builtin_triu(repl *r, const builtin_args *a, repl_value *out) { return with_diagonal(r, a, out, ag_triu); }
static int builtin_diag(repl *r, const builtin_args *a, repl_value *out) { return with_diagonal(r, a, out, ag_diag); }

static int builtin_pad(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int pad[2 * AG_MAX_DIMS], n;
    double value;
    const char *mode = "constant";
    if (arg_var(r, a, 0, &x) < 0 || arg_ints(r, a, 1, pad, 2 * AG_MAX_DIMS, &n) < 0 || arg_number(r, a, 3, &value) < 0)
        return -1;
    /* PyTorch's order, pad(input, pad, mode, value); a number third is the
     * value, as pad(x, [1, 1], 5) has always meant here */
    if (a->values[2].kind == VALUE_NUMBER && arg_positional(r, a, 2) && value == 0) {
        if (arg_number(r, a, 2, &value) < 0) return -1;
    } else if (arg_string(r, a, 2, &mode) < 0) {
        return -1;
    }
    static const char *const modes[] = {"reflect", "replicate", "circular"};
    for (int m = 0; m < 3; m++)
        if (strcmp(mode, modes[m]) == 0) return builtin_done_var(r, ag_pad_mode(r->ctx, x, pad, n, (ag_pad_kind)m), out);
    if (strcmp(mode, "constant") != 0)
        return repl_error(r, "pad: mode must be \"constant\", \"reflect\", \"replicate\" or \"circular\", not \"%s\"", mode);
    return builtin_done_var(r, ag_pad(r->ctx, x, pad, n, value), out);
}

static int builtin_full_like(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double value;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &value) < 0) return -1;
    return builtin_done_var(r, ag_full_like(r->ctx, x, value), out);
}

static int builtin_one_hot(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int n;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &n) < 0) return -1;
    return builtin_done_var(r, ag_one_hot(r->ctx, x, n), out);
}

/* ---- losses -------------------------------------------------------------------------------- */

int arg_reduction(repl *r, const builtin_args *a, int index, ag_reduction *out) {
    const char *text;
    if (arg_string(r, a, index, &text) < 0) return -1;
    if (strcmp(text, "mean") == 0) *out = AG_REDUCTION_MEAN;
    else if (strcmp(text, "sum") == 0) *out = AG_REDUCTION_SUM;
    else if (strcmp(text, "none") == 0) *out = AG_REDUCTION_NONE;
    else return repl_error(r, "%s: reduction must be \"mean\", \"sum\" or \"none\", not \"%s\"", a->def->name, text);
    return 0;
}

/* nll_loss(logp, labels, reduction="mean", weight=nil) */
static int builtin_nll_loss(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *t, *w;
    ag_reduction reduction;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &t) < 0 || arg_reduction(r, a, 2, &reduction) < 0 ||
        arg_optional_var(r, a, 3, &w) < 0)
        return -1;
    return builtin_done_var(r, ag_nll_loss_weighted(r->ctx, x, t, w, reduction), out);
}
/* binary_cross_entropy(p, t, reduction="mean", weight=nil) */
static int builtin_bce(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *t, *w;
    ag_reduction reduction;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &t) < 0 || arg_reduction(r, a, 2, &reduction) < 0 ||
        arg_optional_var(r, a, 3, &w) < 0)
        return -1;
    return builtin_done_var(r, ag_binary_cross_entropy_weighted(r->ctx, x, t, w, reduction), out);
}
/* binary_cross_entropy_with_logits(x, t, reduction="mean", weight=nil, pos_weight=nil) */
static int builtin_bce_logits(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *t, *w, *pw;
    ag_reduction reduction;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &t) < 0 || arg_reduction(r, a, 2, &reduction) < 0 ||
        arg_optional_var(r, a, 3, &w) < 0 || arg_optional_var(r, a, 4, &pw) < 0)
        return -1;
    return builtin_done_var(r, ag_binary_cross_entropy_with_logits_weighted(r->ctx, x, t, w, pw, reduction), out);
}

#define NOGRAD "; no gradient (a 0/1 result)"
#define ZEROGRAD "; gradient 0, as PyTorch"

const builtin_def builtins_ops[] = {
    {"eq", "a, b", builtin_eq, "elementwise", "1 where a == b, else 0 (a == b on tensors)" NOGRAD},
    {"ne", "a, b", builtin_ne, "elementwise", "1 where a != b, else 0 (a != b on tensors)" NOGRAD},
    {"lt", "a, b", builtin_lt, "elementwise", "1 where a < b, else 0 (a < b on tensors)" NOGRAD},
    {"le", "a, b", builtin_le, "elementwise", "1 where a <= b, else 0 (a <= b on tensors)" NOGRAD},
    {"gt", "a, b", builtin_gt, "elementwise", "1 where a > b, else 0 (a > b on tensors)" NOGRAD},
    {"ge", "a, b", builtin_ge, "elementwise", "1 where a >= b, else 0 (a >= b on tensors)" NOGRAD},
    {"isnan", "x", builtin_isnan, "elementwise", "1 where x is NaN, else 0" NOGRAD},
    {"isinf", "x", builtin_isinf, "elementwise", "1 where x is +Inf or -Inf, else 0" NOGRAD},
    {"isfinite", "x", builtin_isfinite, "elementwise", "1 where x is neither NaN nor infinite, else 0" NOGRAD},
    {"isclose", "a, b, rtol=1e-05, atol=1e-08, equal_nan=false", builtin_isclose, "elementwise",
     "1 where |a - b| <= atol + rtol*|b|, as torch.isclose" NOGRAD},
    {"where", "cond, a, b", builtin_where, "elementwise",
     "a where cond is not 0, else b (the three broadcast); gradient to a and b, none to cond"},
    {"maximum", "a, b", builtin_maximum, "elementwise",
     "elementwise larger of a and b (NaN if either is); a tie gives each half the gradient, as PyTorch"},
    {"minimum", "a, b", builtin_minimum, "elementwise",
     "elementwise smaller of a and b (NaN if either is); a tie gives each half the gradient, as PyTorch"},
    {"leaky_relu", "x, negative_slope=0.01", builtin_leaky_relu, "nn",
     "x where x > 0, else negative_slope*x (the gradient at 0 is negative_slope, as PyTorch)"},
    {"elu", "x, alpha=1", builtin_elu, "nn", "x where x > 0, else alpha*(exp(x) - 1)"},
    {"selu", "x", builtin_selu, "nn", "scale*elu(x, alpha), PyTorch's constants (scale 1.0507..., alpha 1.6733...)"},
    {"silu", "x", builtin_silu, "nn", "x * sigmoid(x) (swish)"},
    {"softplus", "x, beta=1, threshold=20", builtin_softplus, "nn",
     "log(1 + exp(beta*x))/beta, x itself where beta*x > threshold"},
    {"mish", "x", builtin_mish, "nn", "x * tanh(softplus(x))"},
    {"hardtanh", "x, min_val=-1, max_val=1", builtin_hardtanh, "nn",
     "x limited to [min_val, max_val]; gradient 1 strictly inside, 0 at the bounds and outside"},
    {"softmin", "x, axis=-1", builtin_softmin, "nn", "softmax(-x) along axis", .framed = true},
    {"sign", "x", builtin_sign, "elementwise", "-1, 0 or 1 (NaN stays NaN)" ZEROGRAD},
    {"floor", "x", builtin_floor, "elementwise", "the largest whole number <= x" ZEROGRAD},
    {"ceil", "x", builtin_ceil, "elementwise", "the smallest whole number >= x" ZEROGRAD},
    {"trunc", "x", builtin_trunc, "elementwise", "x without its fraction, toward 0" ZEROGRAD},
    {"rsqrt", "x", builtin_rsqrt, "elementwise", "1 / sqrt(x)"},
    {"log2", "x", builtin_log2, "elementwise", "base-2 logarithm"},
    {"log10", "x", builtin_log10, "elementwise", "base-10 logarithm"},
    {"exp2", "x", builtin_exp2, "elementwise", "2 to the x"},
    {"asin", "x", builtin_asin, "elementwise", "arcsine (NaN outside [-1, 1])"},
    {"acos", "x", builtin_acos, "elementwise", "arccosine (NaN outside [-1, 1])"},
    {"atan", "x", builtin_atan, "elementwise", "arctangent"},
    {"sinh", "x", builtin_sinh, "elementwise", "hyperbolic sine"},
    {"cosh", "x", builtin_cosh, "elementwise", "hyperbolic cosine"},
    {"asinh", "x", builtin_asinh, "elementwise", "inverse hyperbolic sine"},
    {"acosh", "x", builtin_acosh, "elementwise", "inverse hyperbolic cosine (NaN below 1)"},
    {"atanh", "x", builtin_atanh, "elementwise", "inverse hyperbolic tangent (+-Inf at +-1)"},
    {"erf", "x", builtin_erf, "elementwise", "the error function"},
    {"lerp", "a, b, weight", builtin_lerp, "elementwise", "a + weight*(b - a); weight a number or a variable"},
    {"logaddexp", "a, b", builtin_logaddexp, "elementwise", "log(exp(a) + exp(b)) without overflow"},
    {"fmod", "a, b", builtin_fmod, "elementwise",
     "the remainder of a/b with the sign of a (C's fmod, torch.fmod; % takes b's sign)"},
    {"remainder", "a, b", builtin_remainder, "elementwise",
     "a % b: the remainder with the sign of b (torch.remainder); gradient 1 to a, -(a // b) to b"},
    {"floor_divide", "a, b", builtin_floor_divide, "elementwise",
     "a // b: the quotient floored (torch.floor_divide); no gradient, as PyTorch"},
    {"copysign", "a, b", builtin_copysign, "elementwise",
     "|a| with the sign of b, -0 included (torch.copysign); gradient sign(a)*sign(b) to a, 0 to b"},
    {"hypot", "a, b", builtin_hypot, "elementwise", "sqrt(a^2 + b^2) without overflow (torch.hypot)"},
    {"prod", "x, axis=nil, keepdims=false", builtin_prod, "shape",
     "product over all elements, one axis or several (axis=(0, 2)); gradient: the product of the others (zeros included)"},
    {"logsumexp", "x, axis=nil, keepdims=false", builtin_logsumexp, "shape",
     "log(sum(exp(x))) over all elements, one axis or several (axis=(0, 2)), without overflow"},
    {"argmax", "x, axis=nil, keepdims=false", builtin_argmax, "shape",
     "index of the first maximum along one axis (of the flattened x without axis); NaN counts as the maximum; no gradient"},
    {"argmin", "x, axis=nil, keepdims=false", builtin_argmin, "shape",
     "index of the first minimum along one axis (of the flattened x without axis); NaN counts as the minimum; no gradient"},
    {"any", "x, axis=nil, keepdims=false", builtin_any, "shape", "1 if any element (over all, one axis or several) is not 0, else 0; no gradient"},
    {"all", "x, axis=nil, keepdims=false", builtin_all, "shape", "1 if no element (over all, one axis or several) is 0, else 0; no gradient"},
    {"var", "x, axis=nil, correction=1, keepdims=false", builtin_var, "shape",
     "variance dividing by N - correction (PyTorch's default 1: unbiased; variance() divides by N)"},
    {"std", "x, axis=nil, correction=1, keepdims=false", builtin_std, "shape", "sqrt(var(x, axis, correction))", .framed = true},
    {"cumsum", "x, axis", builtin_cumsum, "shape", "running sums along axis"},
    {"cumprod", "x, axis", builtin_cumprod, "shape", "running products along axis (gradient right with zeros too)"},
    {"flip", "x, axis", builtin_flip, "shape", "x reversed along axis (a number or a list of axes)"},
    {"log_softmax", "x, axis=-1", builtin_log_softmax, "nn", "log(softmax(x)) along axis, computed as x - logsumexp(x)"},
    {"argsort", "x, axis=-1, descending=false", builtin_argsort, "shape",
     "the positions that sort x along axis (stable; NaN last); no gradient"},
    {"sort", "x, axis=-1, descending=false", builtin_sort, "shape",
     "[values, indices]: x sorted along axis (values = gather(x, axis, indices), differentiable)"},
    {"topk", "x, k, axis=-1, largest=true", builtin_topk, "shape",
     "[values, indices]: the k largest (smallest with largest=false) along axis, in order"},
    {"gather", "x, axis, index", builtin_gather, "shape",
     "torch.gather: y[i][j] = x[index[i][j]][j] for axis 0 (index has x's ndim); gradient to x, none to index"},
    {"stack", "xs, axis=0", builtin_stack, "shape", "the variables of xs (equal shapes) joined along a new axis"},
    {"flatten", "x, start_axis=0, end_axis=-1", builtin_flatten, "shape", "axes start_axis..end_axis folded into one"},
    {"unflatten", "x, axis, sizes", builtin_unflatten, "shape", "axis split into sizes (one -1 allowed)"},
    {"roll", "x, shifts, axis=nil", builtin_roll, "shape",
     "x shifted along axis, wrapping around (without axis: the flattened x); lists roll several axes"},
    {"repeat", "x, *counts", builtin_repeat, "shape",
     "x tiled counts times along each axis, as torch's x.repeat(2, 3) (more counts add leading axes)"},
    {"tril", "x, diagonal=0", builtin_tril, "shape", "x with the elements above the diagonal set to 0"},
    {"triu", "x, diagonal=0", builtin_triu, "shape", "x with the elements below the diagonal set to 0"},
    {"diag", "x, diagonal=0", builtin_diag, "shape", "a 1-D x as the diagonal of a square matrix; a matrix's diagonal as 1-D"},
    {"pad", "input, pad, mode=\"constant\", value=0", builtin_pad, "shape",
     "F.pad: pad = [before, after, ...] pairs for the last axis, then the one before it; filled with value; a negative amount crops;\n"
     "  mode=\"reflect\", \"replicate\" or \"circular\" fills from the input itself, as PyTorch's modes (a number\n"
     "  third is the value: pad(x, [1, 1], 5))"},
    {"full_like", "x, value", builtin_full_like, "construction", "a leaf shaped like x filled with value"},
    {"one_hot", "labels, num_classes=-1", builtin_one_hot, "nn",
     "0/1 along a new last axis, 1 at each label (num_classes -1: the largest label + 1); no gradient"},
    {"nll_loss", "logp, labels, reduction=\"mean\", weight=nil", builtin_nll_loss, "nn",
     "-weight[label_i] * logp[i, label_i] for log-probabilities (N, C), also (C) or (N, C, d...); -100 ignores "
     "a row; mean over the kept rows' weights", .framed = true},
    {"binary_cross_entropy", "p, t, reduction=\"mean\", weight=nil", builtin_bce, "nn",
     "-weight * (t log p + (1 - t) log(1 - p)) for probabilities p, each log at least -100 as PyTorch", .framed = true},
    {"binary_cross_entropy_with_logits", "x, t, reduction=\"mean\", weight=nil, pos_weight=nil", builtin_bce_logits,
     "nn", "binary_cross_entropy(sigmoid(x), t) computed from logits without overflow; pos_weight scales the "
     "positive term per class (last axis)", .framed = true},
    {0},
};
