/* ops_loss.c — PyTorch's losses beyond mse and cross_entropy's mean: nll_loss,
 * binary_cross_entropy (with logits), and cross_entropy with reduction=,
 * label_smoothing=, weight=, probability targets and the (C) and (N, C, d...)
 * shapes.  Made of the op table's ops (log_softmax, gather, softplus, ...), so
 * each gradient is theirs.  Class weights and pos_weight are constants (no
 * gradient to them, as PyTorch's). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define IGNORE_INDEX (-100)

/* loss (one value per row) reduced: "mean" (over `count`: the kept rows, or
 * their summed class weights), "sum", or "none". */
static ag_var *reduce_rows(ag_ctx *ctx, ag_var *loss, ag_reduction reduction, double count) {
    if (reduction == AG_REDUCTION_NONE) return loss;
    ag_var *total = ag_sum(ctx, loss, NULL, 0);
    if (reduction == AG_REDUCTION_SUM) return total;
    /* a mean over no rows is NaN, as PyTorch; its gradient stays 0 as PyTorch's (not NaN) */
    if (count == 0) return ag_add(ctx, total, const_scalar(ctx, NAN));
    return ag_div(ctx, total, const_scalar(ctx, count));
}

static bool reduction_ok(ag_ctx *ctx, const char *op, ag_reduction reduction) {
    if (reduction == AG_REDUCTION_MEAN || reduction == AG_REDUCTION_SUM || reduction == AG_REDUCTION_NONE)
        return true;
    ctx_error(ctx, AG_ERR_ARG, "%s: reduction must be mean, sum or none", op);
    return false;
}

/* A constant copy of w's numbers (no gradient flows to a weight, as PyTorch). */
static ag_var *constant_of(ag_ctx *ctx, const char *op, const char *what, const ag_var *w) {
    if (w == NULL) return NULL;
    if (w->ctx != ctx) return ctx_error(ctx, AG_ERR_CONTEXT, "%s: %s belongs to another context", op, what);
    ag_var *c = ag_detach(ctx, w);
    if (c != NULL) c->flags |= AG_VAR_CONST;
    return c;
}

/* ---- the class axis: (C), (N, C) and (N, C, d1, ...) as rows (M, C) ------------------ */

typedef struct {
    ag_var *x;                   /* (M, C): the class axis last, one row per sample and position */
    ag_var *t;                   /* targets: M labels, or (M, C) probabilities */
    bool probabilities;
    int out_ndim, out_shape[AG_MAX_DIMS]; /* reduction="none": () for (C), (N), (N, d1, ...) */
} class_rows;

/* x (N, C, d...) with the class axis moved last and everything else merged
 * into rows. */
static ag_var *classes_last(ag_ctx *ctx, ag_var *x) {
    int nd = x->t.ndim, perm[AG_MAX_DIMS], n = 0;
    if (nd == 1) return ag_reshape(ctx, x, 2, (const int[]){1, x->t.shape[0]});
    if (nd == 2) return x;
    perm[n++] = 0;
    for (int i = 2; i < nd; i++) perm[n++] = i;
    perm[n++] = 1;
    size_t rows = x->t.size / (x->t.shape[1] > 0 ? (size_t)x->t.shape[1] : 1);
    if (x->t.shape[1] == 0) {
        rows = 1;
        for (int i = 0; i < nd; i++)
            if (i != 1) rows *= (size_t)x->t.shape[i];
    }
    if (rows > INT_MAX) return ctx_error(ctx, AG_ERR_NOMEM, "cross_entropy: %zu rows are too many", rows);
    return ag_reshape(ctx, ag_transpose(ctx, x, perm, nd), 2, (const int[]){(int)rows, x->t.shape[1]});
}

static int to_rows(ag_ctx *ctx, const char *op, ag_var *x, ag_var *t, class_rows *out) {
    char xs[SHAPE_BUF], ts[SHAPE_BUF];
    int nd = x->t.ndim;
    if (nd == 0)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: input of shape %s: expected (C), (N, C) or (N, C, d1, ...)",
                         op, shape_str(&x->t, xs)),
               -1;
    /* as PyTorch: a target shaped like the input holds probabilities, else class labels */
    out->probabilities = shape_equal(t->t.ndim, t->t.shape, nd, x->t.shape);
    /* the shape of reduction="none": x's without the class axis */
    out->out_ndim = 0;
    for (int i = 0; i < nd; i++)
        if (i != (nd == 1 ? 0 : 1)) out->out_shape[out->out_ndim++] = x->t.shape[i];
    if (!out->probabilities) {
        bool ok = nd <= 2 ? t->t.size == (size_t)(nd == 1 ? 1 : x->t.shape[0])
                          : shape_equal(t->t.ndim, t->t.shape, out->out_ndim, out->out_shape);
        if (!ok) {
            ag_tensor want = {.ndim = out->out_ndim};
            memcpy(want.shape, out->out_shape, sizeof want.shape);
            char ws[SHAPE_BUF];
            return ctx_error(
                       ctx, AG_ERR_SHAPE, "%s: target of shape %s for input %s: class labels of shape %s%s",
                       op, shape_str(&t->t, ts), shape_str(&x->t, xs), shape_str(&want, ws),
                       strcmp(op, "cross_entropy") == 0 ? ", or probabilities shaped like the input" : ""),
                   -1;
        }
    }
    out->x = classes_last(ctx, x);
    if (out->x == NULL) return -1;
    int rows = out->x->t.shape[0];
    out->t = out->probabilities ? classes_last(ctx, t) : ag_reshape(ctx, t, 1, &rows);
    return out->t == NULL ? -1 : 0;
}

/* Class labels of logp (M, C): M whole numbers in [0, C) or -100 (ignored).
 * *index [M 1] (ignored rows 0) and *keep [M]: 0 for an ignored row, else
 * the label's class weight (1 without weights); *kept: their sum. */
static int read_labels(ag_ctx *ctx, const char *op, const ag_var *logp, const ag_var *labels,
                       const ag_var *weight, ag_var **index, ag_var **keep, double *kept) {
    int n = logp->t.shape[0], c = logp->t.shape[1];
    *index = ag_zeros(ctx, 2, (const int[]){n, 1});
    *keep = ag_zeros(ctx, 1, &n);
    if (*index == NULL || *keep == NULL) return -1;
    (*index)->flags |= AG_VAR_CONST, (*keep)->flags |= AG_VAR_CONST;
    *kept = 0;
    for (int i = 0; i < n; i++) {
        double v = labels->t.data[i];
        if (v == IGNORE_INDEX) continue;
        if (v != floor(v) || v < 0 || v >= c)
            return ctx_error(ctx, AG_ERR_ARG,
                             "%s: label %g in row %d is not a class: labels are whole numbers 0 to %d "
                             "(or -100 to ignore the row)",
                             op, v, i, c - 1),
                   -1;
        double w = weight != NULL ? weight->t.data[(int)v] : 1.0;
        (*index)->t.data[i] = v;
        (*keep)->t.data[i] = w;
        *kept += w;
    }
    return 0;
}

/* weight must be one number per class (C), as PyTorch's. */
static ag_var *class_weight(ag_ctx *ctx, const char *op, const ag_var *weight, int classes) {
    if (weight == NULL) return NULL;
    char ws[SHAPE_BUF];
    if (weight->t.ndim != 1 || weight->t.shape[0] != classes)
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "%s: weight of shape %s: expected one weight per class, shape [%d]", op,
                         shape_str(&weight->t, ws), classes);
    return constant_of(ctx, op, "weight", weight);
}

/* -logp[i, label_i] * keep_i per row (0 for ignored rows). */
static ag_var *picked(ag_ctx *ctx, ag_var *logp, ag_var *index, ag_var *keep) {
    int n = logp->t.shape[0];
    ag_var *p = ag_reshape(ctx, ag_gather(ctx, logp, 1, index), 1, &n);
    return ag_neg(ctx, ag_mul(ctx, p, keep));
}

/* The rows' losses back in the input's shape without the class axis. */
static ag_var *unrows(ag_ctx *ctx, ag_var *rows, ag_reduction reduction, const class_rows *cr) {
    if (reduction != AG_REDUCTION_NONE || rows == NULL) return rows;
    return ag_reshape(ctx, rows, cr->out_ndim, cr->out_shape);
}

ag_var *ag_nll_loss_weighted(ag_ctx *ctx, ag_var *logp, ag_var *labels, const ag_var *weight,
                             ag_reduction reduction) {
    if (!op_input_ok(ctx, AG_OP_GATHER, logp) || !op_input_ok(ctx, AG_OP_GATHER, labels)) return NULL;
    if (!reduction_ok(ctx, "nll_loss", reduction)) return NULL;
    class_rows cr;
    if (to_rows(ctx, "nll_loss", logp, labels, &cr) < 0) return NULL;
    if (cr.probabilities) {
        char ls[SHAPE_BUF];
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "nll_loss: target of shape %s: expected class labels (cross_entropy takes "
                         "probabilities)",
                         shape_str(&labels->t, ls));
    }
    ag_var *w = class_weight(ctx, "nll_loss", weight, cr.x->t.shape[1]), *index, *keep;
    if (weight != NULL && w == NULL) return NULL;
    double kept;
    if (read_labels(ctx, "nll_loss", cr.x, cr.t, w, &index, &keep, &kept) < 0) return NULL;
    return reduce_rows(ctx, unrows(ctx, picked(ctx, cr.x, index, keep), reduction, &cr), reduction, kept);
}

ag_var *ag_nll_loss(ag_ctx *ctx, ag_var *logp, ag_var *labels, ag_reduction reduction) {
    return ag_nll_loss_weighted(ctx, logp, labels, NULL, reduction);
}

ag_var *ag_cross_entropy_weighted(ag_ctx *ctx, ag_var *logits, ag_var *target, const ag_var *weight,
                                  ag_reduction reduction, double label_smoothing) {
    if (!op_input_ok(ctx, AG_OP_LOG_SOFTMAX, logits) || !op_input_ok(ctx, AG_OP_GATHER, target)) return NULL;
    if (!reduction_ok(ctx, "cross_entropy", reduction)) return NULL;
    if (!(label_smoothing >= 0 && label_smoothing <= 1))
        return ctx_error(ctx, AG_ERR_ARG, "cross_entropy: label_smoothing must be in [0, 1]");
    class_rows cr;
    if (to_rows(ctx, "cross_entropy", logits, target, &cr) < 0) return NULL;
    int n = cr.x->t.shape[0], c = cr.x->t.shape[1];
    ag_var *w = class_weight(ctx, "cross_entropy", weight, c);
    if (weight != NULL && w == NULL) return NULL;
    double eps = label_smoothing;
    ag_var *logp = ag_log_softmax(ctx, cr.x, 1);
    if (cr.probabilities) {
        /* -sum_c w_c t'_c logp_c, t' = (1 - eps) t + eps/C; the mean is over the rows (not the weights) */
        ag_var *t = cr.t;
        if (eps > 0)
            t = ag_add(ctx, ag_mul(ctx, const_scalar(ctx, 1.0 - eps), t), const_scalar(ctx, eps / c));
        ag_var *terms = ag_mul(ctx, t, logp);
        if (w != NULL) terms = ag_mul(ctx, terms, w);
        ag_var *rows = ag_neg(ctx, ag_sum(ctx, terms, (const int[]){1}, 1));
        return reduce_rows(ctx, unrows(ctx, rows, reduction, &cr), reduction, n);
    }
    ag_var *index, *keep;
    double kept;
    if (read_labels(ctx, "cross_entropy", cr.x, cr.t, w, &index, &keep, &kept) < 0) return NULL;
    ag_var *rows = picked(ctx, logp, index, keep);
    if (eps > 0) {
        /* (1 - eps) nll + eps/C * sum_c w_c (-logp_c) over the kept rows; the mean of both
         * parts divides by the kept rows' label weights, as PyTorch */
        ag_var *all = w != NULL ? ag_mul(ctx, logp, w) : logp;
        ag_var *mask = keep;
        if (w != NULL) { /* 0/1: which rows count */
            mask = ag_zeros(ctx, 1, &n);
            if (mask == NULL) return NULL;
            mask->flags |= AG_VAR_CONST;
            for (int i = 0; i < n; i++) mask->t.data[i] = cr.t->t.data[i] != IGNORE_INDEX;
        }
        ag_var *uniform = ag_mul(ctx, ag_mul(ctx, ag_sum(ctx, all, (const int[]){1}, 1), mask),
                                 const_scalar(ctx, -eps / c));
        rows = ag_add(ctx, ag_mul(ctx, rows, const_scalar(ctx, 1.0 - eps)), uniform);
    }
    return reduce_rows(ctx, unrows(ctx, rows, reduction, &cr), reduction, kept);
}

ag_var *ag_cross_entropy_ex(ag_ctx *ctx, ag_var *logits, ag_var *target, ag_reduction reduction,
                            double label_smoothing) {
    return ag_cross_entropy_weighted(ctx, logits, target, NULL, reduction, label_smoothing);
}

/* weight broadcast to the input's shape (PyTorch: "a manual rescaling weight
 * given to the loss of each batch element"). */
static bool broadcasts_to(const ag_tensor *w, const ag_tensor *x) {
    if (w->ndim > x->ndim) return false;
    for (int i = 1; i <= w->ndim; i++) {
        int a = w->shape[w->ndim - i], b = x->shape[x->ndim - i];
        if (a != 1 && a != b) return false;
    }
    return true;
}
static ag_var *element_weight(ag_ctx *ctx, const char *op, const char *what, const ag_var *weight,
                              const ag_var *x) {
    if (weight == NULL) return NULL;
    if (!broadcasts_to(&weight->t, &x->t)) {
        char ws[SHAPE_BUF], xs[SHAPE_BUF];
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %s of shape %s does not broadcast to the input's %s%s", op,
                         what, shape_str(&weight->t, ws), shape_str(&x->t, xs),
                         strcmp(what, "pos_weight") == 0 ? " (one weight per class: the last axis)" : "");
    }
    return constant_of(ctx, op, what, weight);
}

/* -w (t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch */
ag_var *ag_binary_cross_entropy_weighted(ag_ctx *ctx, ag_var *p, ag_var *t, const ag_var *weight,
                                         ag_reduction reduction) {
    if (!op_input_ok(ctx, AG_OP_LOG, p) || !op_input_ok(ctx, AG_OP_MUL, t)) return NULL;
    if (!reduction_ok(ctx, "binary_cross_entropy", reduction)) return NULL;
    char ps[SHAPE_BUF], ts[SHAPE_BUF];
    if (!shape_equal(p->t.ndim, p->t.shape, t->t.ndim, t->t.shape))
        return ctx_error(ctx, AG_ERR_SHAPE, "binary_cross_entropy: input %s and target %s differ in shape",
                         shape_str(&p->t, ps), shape_str(&t->t, ts));
    for (size_t i = 0; i < p->t.size; i++)
        if (!(p->t.data[i] >= 0 && p->t.data[i] <= 1))
            return ctx_error(ctx, AG_ERR_ARG,
                             "binary_cross_entropy: input %g is not a probability in [0, 1] "
                             "(binary_cross_entropy_with_logits takes logits)",
                             p->t.data[i]);
    ag_var *w = element_weight(ctx, "binary_cross_entropy", "weight", weight, p);
    if (weight != NULL && w == NULL) return NULL;
    ag_var *one = const_scalar(ctx, 1.0);
    ag_var *lp = ag_clip(ctx, ag_log(ctx, p), -100.0, INFINITY);
    ag_var *lq = ag_clip(ctx, ag_log(ctx, ag_sub(ctx, one, p)), -100.0, INFINITY);
    ag_var *loss = ag_neg(ctx, ag_add(ctx, ag_mul(ctx, t, lp), ag_mul(ctx, ag_sub(ctx, one, t), lq)));
    if (w != NULL) loss = ag_mul(ctx, loss, w);
    return reduce_rows(ctx, loss, reduction, (double)p->t.size);
}

ag_var *ag_binary_cross_entropy(ag_ctx *ctx, ag_var *p, ag_var *t, ag_reduction reduction) {
    return ag_binary_cross_entropy_weighted(ctx, p, t, NULL, reduction);
}

/* w (pos_weight t softplus(-x) + (1 - t) softplus(x)): -log sigmoid(x) =
 * softplus(-x) and -log(1 - sigmoid(x)) = softplus(x), without overflow;
 * pos_weight broadcasts along the last (class) axis, as PyTorch's. */
ag_var *ag_binary_cross_entropy_with_logits_weighted(ag_ctx *ctx, ag_var *x, ag_var *t, const ag_var *weight,
                                                     const ag_var *pos_weight, ag_reduction reduction) {
    const char *op = "binary_cross_entropy_with_logits";
    if (!op_input_ok(ctx, AG_OP_SOFTPLUS, x) || !op_input_ok(ctx, AG_OP_MUL, t)) return NULL;
    if (!reduction_ok(ctx, op, reduction)) return NULL;
    char xs[SHAPE_BUF], ts[SHAPE_BUF];
    if (!shape_equal(x->t.ndim, x->t.shape, t->t.ndim, t->t.shape))
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: input %s and target %s differ in shape", op,
                         shape_str(&x->t, xs), shape_str(&t->t, ts));
    ag_var *w = element_weight(ctx, op, "weight", weight, x);
    if (weight != NULL && w == NULL) return NULL;
    ag_var *pw = element_weight(ctx, op, "pos_weight", pos_weight, x);
    if (pos_weight != NULL && pw == NULL) return NULL;
    ag_var *loss;
    if (pw == NULL) {
        /* softplus(x) - x t, the form without pos_weight */
        loss = ag_sub(ctx, ag_softplus(ctx, x, 1.0, INFINITY), ag_mul(ctx, x, t));
    } else {
        ag_var *pos = ag_mul(ctx, ag_mul(ctx, pw, t), ag_softplus(ctx, ag_neg(ctx, x), 1.0, INFINITY));
        ag_var *neg = ag_mul(ctx, ag_sub(ctx, const_scalar(ctx, 1.0), t), ag_softplus(ctx, x, 1.0, INFINITY));
        loss = ag_add(ctx, pos, neg);
    }
    if (w != NULL) loss = ag_mul(ctx, loss, w);
    return reduce_rows(ctx, loss, reduction, (double)x->t.size);
}

ag_var *ag_binary_cross_entropy_with_logits(ag_ctx *ctx, ag_var *x, ag_var *t, ag_reduction reduction) {
    return ag_binary_cross_entropy_with_logits_weighted(ctx, x, t, NULL, NULL, reduction);
}
