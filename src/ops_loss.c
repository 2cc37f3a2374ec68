/* ops_loss.c — PyTorch's losses beyond mse and cross_entropy's mean: nll_loss,
 * binary_cross_entropy (with logits), and cross_entropy with reduction=,
 * label_smoothing= and probability targets.  Made of the op table's ops
 * (log_softmax, gather, softplus, ...), so each gradient is theirs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define IGNORE_INDEX (-100)

/* loss (one value per row) reduced: "mean" (over `count` rows, the kept ones),
 * "sum", or "none". */
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
    ag_set_error(ctx, "%s: reduction must be mean, sum or none", op);
    return false;
}

/* Class labels of logp [N C]: N whole numbers in [0, C) or -100 (ignored).
 * *index [N 1] (ignored rows 0) and *keep [N] (0 for ignored), constants. */
static int read_labels(ag_ctx *ctx, const char *op, const ag_var *logp, const ag_var *labels,
                       ag_var **index, ag_var **keep, double *kept) {
    char ls[SHAPE_BUF], ts[SHAPE_BUF];
    if (logp->t.ndim != 2)
        return ag_set_error(ctx, "%s: input of shape %s: expected (N, C)", op, shape_str(&logp->t, ls)), -1;
    int n = logp->t.shape[0], c = logp->t.shape[1];
    if ((int)labels->t.size != n)
        return ag_set_error(ctx, "%s: %zu labels for %d rows (labels of shape %s)", op, labels->t.size, n,
                            shape_str(&labels->t, ts)), -1;
    *index = ag_zeros(ctx, 2, (const int[]){n, 1});
    *keep = ag_zeros(ctx, 1, &n);
    if (*index == NULL || *keep == NULL) return -1;
    (*index)->flags |= AG_VAR_CONST, (*keep)->flags |= AG_VAR_CONST;
    *kept = 0;
    for (int i = 0; i < n; i++) {
        double v = labels->t.data[i];
        if (v == IGNORE_INDEX) continue;
        if (v != floor(v) || v < 0 || v >= c)
            return ag_set_error(ctx, "%s: label %g in row %d is not a class: labels are whole numbers 0 to %d "
                                     "(or -100 to ignore the row)", op, v, i, c - 1), -1;
        (*index)->t.data[i] = v;
        (*keep)->t.data[i] = 1.0;
        *kept += 1;
    }
    return 0;
}

/* -logp[i, label_i] per row (0 for ignored rows). */
static ag_var *picked(ag_ctx *ctx, ag_var *logp, ag_var *index, ag_var *keep) {
    int n = logp->t.shape[0];
    ag_var *p = ag_reshape(ctx, ag_gather(ctx, logp, 1, index), 1, &n);
    return ag_neg(ctx, ag_mul(ctx, p, keep));
}

ag_var *ag_nll_loss(ag_ctx *ctx, ag_var *logp, ag_var *labels, ag_reduction reduction) {
    if (!op_input_ok(ctx, AG_OP_GATHER, logp) || !op_input_ok(ctx, AG_OP_GATHER, labels)) return NULL;
    if (!reduction_ok(ctx, "nll_loss", reduction)) return NULL;
    ag_var *index, *keep;
    double kept;
    if (read_labels(ctx, "nll_loss", logp, labels, &index, &keep, &kept) < 0) return NULL;
    return reduce_rows(ctx, picked(ctx, logp, index, keep), reduction, kept);
}

ag_var *ag_cross_entropy_ex(ag_ctx *ctx, ag_var *logits, ag_var *target, ag_reduction reduction,
                            double label_smoothing) {
    if (!op_input_ok(ctx, AG_OP_LOG_SOFTMAX, logits) || !op_input_ok(ctx, AG_OP_GATHER, target)) return NULL;
    if (!reduction_ok(ctx, "cross_entropy", reduction)) return NULL;
    if (!(label_smoothing >= 0 && label_smoothing <= 1))
        return ag_set_error(ctx, "cross_entropy: label_smoothing must be in [0, 1]");
    char ls[SHAPE_BUF];
    if (logits->t.ndim != 2)
        return ag_set_error(ctx, "cross_entropy: logits of shape %s: expected (N, C)", shape_str(&logits->t, ls));
    int n = logits->t.shape[0], c = logits->t.shape[1];
    double eps = label_smoothing;
    ag_var *logp = ag_log_softmax(ctx, logits, 1);
    if (shape_equal(target->t.ndim, target->t.shape, logits->t.ndim, logits->t.shape)) {
        /* probabilities: -sum_c t'_c logp_c, t' = (1 - eps) t + eps/C; mean over N */
        ag_var *t = target;
        if (eps > 0)
            t = ag_add(ctx, ag_mul(ctx, const_scalar(ctx, 1.0 - eps), t), const_scalar(ctx, eps / c));
        ag_var *rows = ag_neg(ctx, ag_sum(ctx, ag_mul(ctx, t, logp), (const int[]){1}, 1));
        return reduce_rows(ctx, rows, reduction, n);
    }
    ag_var *index, *keep;
    double kept;
    if (read_labels(ctx, "cross_entropy", logits, target, &index, &keep, &kept) < 0) return NULL;
    ag_var *rows = picked(ctx, logp, index, keep);
    if (eps > 0) { /* (1 - eps) nll + eps * mean over classes of -logp */
        ag_var *uniform = ag_mul(ctx, ag_mul(ctx, ag_mean(ctx, logp, (const int[]){1}, 1), keep),
                                 const_scalar(ctx, -eps));
        rows = ag_add(ctx, ag_mul(ctx, rows, const_scalar(ctx, 1.0 - eps)), uniform);
    }
    return reduce_rows(ctx, rows, reduction, kept);
}

/* -(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch */
ag_var *ag_binary_cross_entropy(ag_ctx *ctx, ag_var *p, ag_var *t, ag_reduction reduction) {
    if (!op_input_ok(ctx, AG_OP_LOG, p) || !op_input_ok(ctx, AG_OP_MUL, t)) return NULL;
    if (!reduction_ok(ctx, "binary_cross_entropy", reduction)) return NULL;
    char ps[SHAPE_BUF], ts[SHAPE_BUF];
    if (!shape_equal(p->t.ndim, p->t.shape, t->t.ndim, t->t.shape))
        return ag_set_error(ctx, "binary_cross_entropy: input %s and target %s differ in shape",
                            shape_str(&p->t, ps), shape_str(&t->t, ts));
    for (size_t i = 0; i < p->t.size; i++)
        if (!(p->t.data[i] >= 0 && p->t.data[i] <= 1))
            return ag_set_error(ctx, "binary_cross_entropy: input %g is not a probability in [0, 1] "
                                     "(binary_cross_entropy_with_logits takes logits)", p->t.data[i]);
    ag_var *one = const_scalar(ctx, 1.0);
    ag_var *lp = ag_clip(ctx, ag_log(ctx, p), -100.0, INFINITY);
    ag_var *lq = ag_clip(ctx, ag_log(ctx, ag_sub(ctx, one, p)), -100.0, INFINITY);
    ag_var *loss = ag_neg(ctx, ag_add(ctx, ag_mul(ctx, t, lp), ag_mul(ctx, ag_sub(ctx, one, t), lq)));
    return reduce_rows(ctx, loss, reduction, (double)p->t.size);
}

/* softplus(x) - x t = max(x, 0) - x t + log(1 + exp(-|x|)), without overflow */
ag_var *ag_binary_cross_entropy_with_logits(ag_ctx *ctx, ag_var *x, ag_var *t, ag_reduction reduction) {
    if (!op_input_ok(ctx, AG_OP_SOFTPLUS, x) || !op_input_ok(ctx, AG_OP_MUL, t)) return NULL;
    if (!reduction_ok(ctx, "binary_cross_entropy_with_logits", reduction)) return NULL;
    char xs[SHAPE_BUF], ts[SHAPE_BUF];
    if (!shape_equal(x->t.ndim, x->t.shape, t->t.ndim, t->t.shape))
        return ag_set_error(ctx, "binary_cross_entropy_with_logits: input %s and target %s differ in shape",
                            shape_str(&x->t, xs), shape_str(&t->t, ts));
    ag_var *loss = ag_sub(ctx, ag_softplus(ctx, x, 1.0, INFINITY), ag_mul(ctx, x, t));
    return reduce_rows(ctx, loss, reduction, (double)x->t.size);
}
