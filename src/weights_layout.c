/* weights_layout.c — the tensors a model's weights are saved as: PyTorch's
 * names and layout, so that the file loads into the same torch.nn model with
 * load_state_dict, and back.
 *
 *   agrepl                          PyTorch
 *   mlp: linear[k].w (in, out)      Sequential: "2k.weight" (out, in)
 *        linear[k].b (1, out)                   "2k.bias" (out,)
 *        (the activation after each layer but the last is Sequential's
 *        odd entries, which have no parameters)
 *   linear model: w, b              Linear: "weight", "bias"
 *   lstm layer x2i x2f x2u x2o      LSTM: "weight_ih_l0" (4h, in), rows in
 *        (.w, .b), h2i ... (.w)           PyTorch's gate order i, f, g, o
 *                                         (g is upstream's u); "weight_hh_l0"
 *                                         (4h, h); "bias_ih_l0" (4h,) our
 *                                         biases; "bias_hh_l0" (4h,) zeros,
 *                                         added to them when loaded
 *   rnn layer x2h (.w, .b), h2h.w   RNN: "weight_ih_l0", "weight_hh_l0",
 *                                         "bias_ih_l0", "bias_hh_l0" (zeros)
 *   batch_norm_layer: w, b,         BatchNorm2d: "weight", "bias",
 *        running_mean, running_var        "running_mean", "running_var"
 *   lstm/rnn model: "lstm." / "rnn." before the layer's, "linear.weight",
 *        "linear.bias" (a module with attributes lstm and linear)
 *
 * A parameter none of these rows name keeps its own name with dots
 * ("conv.0.w") and its shape.  Today's older files named every parameter
 * that way ("linear.0.w", (in, out)); layout_legacy describes those, so they
 * still load. */
#include <stdio.h>
#include <string.h>

#include "ag_model.h"
#include "memory.h"
#include "weights_layout.h"

/* "linear[0].w" -> "linear.0.w" into out (n bytes). */
void layout_dotted(const char *name, char *out, size_t n) {
    size_t j = 0;
    for (size_t i = 0; name[i] != '\0' && j + 1 < n; i++) {
        if (name[i] == '[') out[j++] = '.';
        else if (name[i] != ']') out[j++] = name[i];
    }
    out[j] = '\0';
}

/* The parameter named prefix + suffix, or -1. */
static int param_named(const ag_model *m, const char *prefix, const char *suffix) {
    char want[160];
    snprintf(want, sizeof want, "%s%s", prefix, suffix);
    int n = ag_model_param_count(m);
    for (int i = 0; i < n; i++) {
        const char *name;
        ag_model_param(m, i, &name);
        if (strcmp(name, want) == 0) return i;
    }
    return -1;
}

static layout_tensor *add_tensor(layout *l, const char *name) {
    if (l->count == l->capacity) {
        int capacity = l->capacity ? 2 * l->capacity : 16;
        layout_tensor *more = ctx_realloc(l->ctx, l->tensors, (size_t)capacity * sizeof *more);
        if (more == NULL) return NULL;
        l->tensors = more;
        l->capacity = capacity;
    }
    layout_tensor *t = &l->tensors[l->count++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    return t;
}

/* Appends a part to t and grows t's shape: a weight's parts stack as rows of
 * (out, in) (each the transpose of its (in, out) parameter), a bias's parts
 * end to end (out,). */
static void add_part(const ag_model *m, layout_tensor *t, int param, bool transposed, bool summed) {
    ag_var *p = ag_model_param(m, param, NULL);
    t->parts[t->nparts++] = (layout_part){param, transposed, summed};
    if (transposed) { /* p is (in, out): rows out, columns in */
        t->ndim = 2;
        t->shape[0] += ag_shape(p)[1];
        t->shape[1] = ag_shape(p)[0];
    } else { /* a bias (1, out) as (out,) */
        t->ndim = 1;
        t->shape[0] += (int)ag_size(p);
    }
}

/* A linear unit at prefix ("2." in an MLP's Sequential; "" or "linear."):
 * prefix+"weight" and prefix+"bias" from its w and b; false when it has no w. */
static bool linear_unit(const ag_model *m, layout *l, const char *ours, const char *theirs, bool *claimed) {
    int w = param_named(m, ours, "w"), b = param_named(m, ours, "b");
    if (w < 0 || ag_ndim(ag_model_param(m, w, NULL)) != 2) return false;
    char name[160];
    snprintf(name, sizeof name, "%sweight", theirs);
    layout_tensor *t = add_tensor(l, name);
    if (t == NULL) return false;
    add_part(m, t, w, true, false);
    claimed[w] = true;
    if (b >= 0) {
        snprintf(name, sizeof name, "%sbias", theirs);
        if ((t = add_tensor(l, name)) == NULL) return false;
        add_part(m, t, b, false, false);
        claimed[b] = true;
    }
    return true;
}

/* A recurrent layer whose parameters are ours+"x2G.w" etc. for the gates
 * G in PyTorch's order: the four tensors of torch.nn.LSTM / RNN's layer 0. */
static bool recurrent_unit(const ag_model *m, layout *l, const char *ours, const char *theirs,
                           const char *const *gates, int ngates, bool *claimed) {
    static const char *const kinds[] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"};
    static const char *const ends[] = {".w", ".w", ".b", ".b"};
    static const char *const sides[] = {"x2", "h2", "x2", "x2"};
    int index[4][4];
    for (int g = 0; g < ngates; g++)
        for (int k = 0; k < 4; k++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "%s%s%s", sides[k], gates[g], ends[k]);
            index[k][g] = param_named(m, ours, suffix);
            if (index[k][g] < 0) return false;
        }
    for (int k = 0; k < 4; k++) {
        char name[160];
        snprintf(name, sizeof name, "%s%s", theirs, kinds[k]);
        layout_tensor *t = add_tensor(l, name);
        if (t == NULL) return false;
        for (int g = 0; g < ngates; g++) {
            add_part(m, t, index[k][g], k < 2, k == 3);
            claimed[index[k][g]] = true;
        }
    }
    return true;
}

static void layout_init(layout *l, const ag_model *m) {
    memset(l, 0, sizeof *l);
    l->ctx = ag_model_ctx(m);
}

/* Every parameter not yet claimed, under its own dotted name and shape. */
static bool the_rest(const ag_model *m, layout *l, const bool *claimed) {
    int n = ag_model_param_count(m);
    for (int i = 0; i < n; i++) {
        if (claimed[i]) continue;
        const char *name;
        ag_var *p = ag_model_param(m, i, &name);
        char key[160];
        layout_dotted(name, key, sizeof key);
        layout_tensor *t = add_tensor(l, key);
        if (t == NULL) return false;
        t->parts[t->nparts++] = (layout_part){i, false, false};
        t->ndim = ag_ndim(p);
        for (int d = 0; d < t->ndim && d < LAYOUT_MAX_DIMS; d++) t->shape[d] = ag_shape(p)[d];
    }
    return true;
}

int layout_torch(const ag_model *m, layout *l) {
    layout_init(l, m);
    int n = ag_model_param_count(m);
    bool *claimed = ctx_calloc(l->ctx, (size_t)n + 1, sizeof *claimed);
    if (claimed == NULL) return -1;
    static const char *const lstm_gates[] = {"i", "f", "u", "o"}; /* PyTorch's i, f, g, o */
    static const char *const rnn_gates[] = {"h"};
    bool ok = true;
    switch (ag_model_get_kind(m)) {
    case AG_MODEL_MLP:
        for (int k = 0; ok; k++) {
            char ours[48], theirs[48];
            snprintf(ours, sizeof ours, "linear[%d].", k);
            snprintf(theirs, sizeof theirs, "%d.", 2 * k);
            if (param_named(m, ours, "w") < 0) break;
            ok = linear_unit(m, l, ours, theirs, claimed);
        }
        break;
    case AG_MODEL_LSTM:
        ok = recurrent_unit(m, l, "lstm.", "lstm.", lstm_gates, 4, claimed) &&
             linear_unit(m, l, "linear.", "linear.", claimed);
        break;
    case AG_MODEL_RNN:
        ok = recurrent_unit(m, l, "rnn.", "rnn.", rnn_gates, 1, claimed) &&
             linear_unit(m, l, "linear.", "linear.", claimed);
        break;
    case AG_MODEL_BATCH_NORM: /* BatchNorm2d: weight, bias, running_mean, running_var */
        for (int i = 0; i < n && ok; i++) {
            const char *name;
            ag_model_param(m, i, &name);
            layout_tensor *t = add_tensor(l, strcmp(name, "w") == 0 ? "weight" : strcmp(name, "b") == 0 ? "bias" : name);
            if (t == NULL) ok = false;
            else add_part(m, t, i, false, false), claimed[i] = true;
        }
        break;
    default:
        /* the bare layers and the single linear model: names without a prefix */
        if (param_named(m, "", "x2i.w") >= 0) ok = recurrent_unit(m, l, "", "", lstm_gates, 4, claimed);
        else if (param_named(m, "", "x2h.w") >= 0) ok = recurrent_unit(m, l, "", "", rnn_gates, 1, claimed);
        else if (param_named(m, "", "w") >= 0) ok = linear_unit(m, l, "", "", claimed);
        break;
    }
    ok = ok && the_rest(m, l, claimed);
    ctx_free(l->ctx, claimed);
    if (!ok) {
        layout_free(l);
        return -1;
    }
    return 0;
}

int layout_legacy(const ag_model *m, layout *l) {
    layout_init(l, m);
    int n = ag_model_param_count(m);
    bool *claimed = ctx_calloc(l->ctx, (size_t)n + 1, sizeof *claimed);
    if (claimed == NULL) return -1;
    bool ok = the_rest(m, l, claimed);
    ctx_free(l->ctx, claimed);
    if (!ok) {
        layout_free(l);
        return -1;
    }
    return 0;
}

void layout_free(layout *l) {
    ctx_free(l->ctx, l->tensors);
    l->tensors = NULL;
    l->count = l->capacity = 0;
}

size_t layout_size(const layout_tensor *t) {
    size_t size = 1;
    for (int d = 0; d < t->ndim; d++) size *= (size_t)t->shape[d];
    return size;
}

/* The tensor's numbers in its row-major order: each part in turn, a
 * transposed one read column by column, a summed one (PyTorch's second
 * bias) as zeros. */
void layout_gather(const ag_model *m, const layout_tensor *t, double *out) {
    size_t at = 0;
    for (int k = 0; k < t->nparts; k++) {
        const layout_part *part = &t->parts[k];
        const ag_var *p = ag_model_param(m, part->param, NULL);
        const double *data = ag_cdata(p);
        size_t size = ag_size(p);
        if (part->summed) {
            memset(out + at, 0, size * sizeof *out);
        } else if (part->transposed) { /* (in, out) -> (out, in) */
            int rows = ag_shape(p)[0], cols = ag_shape(p)[1];
            for (int c = 0; c < cols; c++)
                for (int r = 0; r < rows; r++) out[at + (size_t)c * rows + r] = data[(size_t)r * cols + c];
        } else {
            memcpy(out + at, data, size * sizeof *out);
        }
        at += size;
    }
}

/* The inverse: the tensor's numbers into each part's parameter values
 * (values[param], as many as the parameter has); a summed part adds. */
void layout_scatter(const ag_model *m, const layout_tensor *t, const double *in, double **values) {
    size_t at = 0;
    for (int k = 0; k < t->nparts; k++) {
        const layout_part *part = &t->parts[k];
        const ag_var *p = ag_model_param(m, part->param, NULL);
        double *to = values[part->param];
        size_t size = ag_size(p);
        if (part->summed) {
            for (size_t i = 0; i < size; i++) to[i] += in[at + i];
        } else if (part->transposed) {
            int rows = ag_shape(p)[0], cols = ag_shape(p)[1];
            for (int c = 0; c < cols; c++)
                for (int r = 0; r < rows; r++) to[(size_t)r * cols + c] = in[at + (size_t)c * rows + r];
        } else {
            memcpy(to, in + at, size * sizeof *to);
        }
        at += size;
    }
}
