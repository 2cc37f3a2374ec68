/* builtins_nn.c — the neural-net built-ins: linear, softmax, variable, the
 * losses (mse, cross_entropy), dropout and accuracy. */
#include <math.h>
#include <stdio.h>

#include "repl_internal.h"

static int builtin_linear(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *w, *b = NULL;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &w) < 0 || arg_optional_var(r, a, 2, &b) < 0) return -1;
    return builtin_done_var(r, ag_linear(r->ctx, x, w, b), out);
}

static int builtin_softmax(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int axis;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &axis) < 0) return -1;
    return builtin_done_var(r, ag_softmax(r->ctx, x, axis), out);
}

/* mse(y, t) of operands that broadcast to a bigger shape than either
 * (y [5 1], t [5]: [5 5], every y against every t) is rarely meant: said
 * once a session, with both shapes (PyTorch warns too). */
static void note_loss_broadcast(repl *r, const char *what, const ag_var *y, const ag_var *t) {
    if (r->said_once.loss_broadcast || y == NULL || t == NULL) return;
    int ny = ag_ndim(y), nt = ag_ndim(t), n = ny > nt ? ny : nt;
    int shape[AG_MAX_DIMS];
    size_t size = 1;
    for (int i = 0; i < n && n <= AG_MAX_DIMS; i++) {
        int dy = i - (n - ny) >= 0 ? ag_shape(y)[i - (n - ny)] : 1;
        int dt = i - (n - nt) >= 0 ? ag_shape(t)[i - (n - nt)] : 1;
        if (dy != dt && dy != 1 && dt != 1) return; /* not broadcastable: the op's error says so */
        shape[i] = dy > dt ? dy : dt;
        size *= (size_t)shape[i];
    }
    if (n > AG_MAX_DIMS || size <= ag_size(y) || size <= ag_size(t)) return;
    r->said_once.loss_broadcast = true;
    char ys[AG_SHAPEBUF], ts[AG_SHAPEBUF], bs[AG_SHAPEBUF];
    fflush(r->io.out);
    fprintf(r->io.err,
            "note: %s: y %s and t %s broadcast to %s, comparing every y with every t; give them one shape "
            "(t.reshape(...)) if that is not meant (this note is shown once)\n",
            what, ag_shape_string(ny, ag_shape(y), ys), ag_shape_string(nt, ag_shape(t), ts),
            ag_shape_string(n, shape, bs));
}

static int builtin_mse(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *y;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &y) < 0) return -1;
    ag_var *loss = ag_mse(r->ctx, x, y);
    if (loss != NULL) note_loss_broadcast(r, "mse", x, y);
    return builtin_done_var(r, loss, out);
}

/* variable(data, name=""): a new leaf holding a copy of data's numbers (DeZero's Variable). */
static int builtin_variable(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    const char *name = "";
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (arg_given(a, 1) && arg_string(r, a, 1, &name) < 0) return -1;
    ag_var *leaf = ag_detach(r->ctx, x);
    if (leaf != NULL && name[0] != '\0') ag_set_name(leaf, name);
    return builtin_done_var(r, leaf, out);
}

/* Class labels with ignore_index where the engine reads -100 (its ignored
 * label): a new leaf, or t itself for the default.  NULL after an error. */
static ag_var *labels_ignoring(repl *r, ag_var *t, int ignore_index) {
    if (ignore_index == -100) return t;
    ag_var *labels = ag_zeros(r->ctx, ag_ndim(t), ag_shape(t));
    if (labels == NULL) return engine_error(r), NULL;
    double *to = (double *)ag_cdata(labels); /* a new leaf: not an in-place change */
    const double *from = ag_cdata(t);
    for (size_t i = 0; i < ag_size(t); i++) {
        if (from[i] == -100)
            return repl_error(r, "cross_entropy: label -100 is a class index out of range (ignore_index=%d)",
                              ignore_index), NULL;
        to[i] = from[i] == ignore_index ? -100 : from[i];
    }
    return labels;
}

/* cross_entropy(logits, labels, reduction="mean", label_smoothing=0, weight=nil,
 * ignore_index=-100): the CrossEntropy op for the defaults with class labels
 * of (N, C) logits, else PyTorch's forms made of LogSoftmax and Gather
 * (ag_cross_entropy_weighted); the mean is over the labels not ignored. */
static int builtin_cross_entropy(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x, *t, *w = NULL;
    ag_reduction reduction;
    double smoothing;
    int ignore_index;
    if (arg_var(r, a, 0, &x) < 0 || arg_var(r, a, 1, &t) < 0 || arg_reduction(r, a, 2, &reduction) < 0 ||
        arg_number(r, a, 3, &smoothing) < 0 || arg_optional_var(r, a, 4, &w) < 0 ||
        arg_int(r, a, 5, &ignore_index) < 0)
        return -1;
    bool probabilities = ag_ndim(x) == ag_ndim(t) && ag_ndim(x) == 2 && ag_shape(x)[0] == ag_shape(t)[0] &&
                         ag_shape(x)[1] == ag_shape(t)[1];
    if (!probabilities && (t = labels_ignoring(r, t, ignore_index)) == NULL) return -1;
    if (reduction == AG_REDUCTION_MEAN && smoothing == 0 && !probabilities && w == NULL && ag_ndim(x) == 2)
        return builtin_done_var(r, ag_cross_entropy(r->ctx, x, t), out);
    return builtin_done_var(r, ag_cross_entropy_weighted(r->ctx, x, t, w, reduction, smoothing), out);
}

static int builtin_accuracy(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y, *t;
    if (arg_var(r, a, 0, &y) < 0 || arg_var(r, a, 1, &t) < 0) return -1;
    return builtin_done_var(r, ag_accuracy(r->ctx, y, t), out);
}

static int builtin_dropout(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    double ratio;
    if (arg_var(r, a, 0, &x) < 0 || arg_number(r, a, 1, &ratio) < 0) return -1;
    if (!(ratio >= 0 && ratio < 1)) return repl_error(r, "dropout: ratio must be in [0, 1)");
    return builtin_done_var(r, ag_dropout(r->ctx, x, ratio), out);
}

const builtin_def builtins_nn[] = {
    {"linear", "x, W, b=nil", builtin_linear, "nn", "x @ W + b"},
    {"softmax", "x, axis=-1", builtin_softmax, "nn", "exp(x) / sum(exp(x)) along axis"},
    {"variable", "data, name=nil", builtin_variable, "attributes",
     "a new leaf with a copy of data's numbers, as DeZero's Variable: variable([1, 2], name=\"x\")"},
    {"mse", "y, t", builtin_mse, "nn", "mean squared error, 0-d"},
    {"mean_squared_error", "y, t", builtin_mse, "nn", "the same as mse (DeZero's name)"},
    {"cross_entropy", "logits, labels, reduction=\"mean\", label_smoothing=0, weight=nil, ignore_index=-100",
     builtin_cross_entropy, "nn",
     "softmax cross-entropy, mean over rows, 0-d; logits (N, C), (C) or (N, C, d...); labels are class indices "
     "(ignore_index, -100 by default, ignores a row: the mean is over the others) or probabilities shaped like "
     "logits; reduction \"mean\", \"sum\" or \"none\"; label_smoothing and weight (one per class) as PyTorch"},
    {"softmax_cross_entropy", "logits, labels, reduction=\"mean\", label_smoothing=0, weight=nil, ignore_index=-100",
     builtin_cross_entropy, "nn",
     "the same as cross_entropy"},
    {"dropout", "x, ratio=0.5", builtin_dropout, "nn", "zero a random fraction, scale the rest (off in testmode)"},
    {"accuracy", "y, t", builtin_accuracy, "nn", "fraction of rows whose argmax is the label, rows labelled -100 left out; NaN for no rows (no graph)"},
    {0},
};
