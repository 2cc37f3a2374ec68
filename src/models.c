/* models.c — the model object: construction of each kind from linear units,
 * forward with its input checks, the sorted parameter list, the retained
 * hidden state of recurrent kinds, and the one-line description
 * (as upstream's model package: the Go library itsubaki/autograd). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "ag_model.h"
#include "ag_ops.h"
#include "ag_rand.h"
#include "internal.h"
#include "layers.h"
#include "memory.h"
#include "util/strbuf.h"
#include "weights_layout.h"

/* One parameter the model can have, whether it exists yet or not. */
typedef struct param_slot {
    const char *name; /* the unit's qualified name */
    ag_var **var;     /* the unit's w or b field */
} param_slot;

struct ag_model {
    ag_ctx *ctx;
    ctx_allocator alloc; /* its context's, kept to be freed after it (ag_ctx_free first) */
    ag_model_kind kind;
    int owners;
    ag_rng rng;
    ag_activation activation; /* mlp */
    int *sizes;               /* mlp: outputs of each layer */
    int nsizes;
    int hidden, out; /* recurrent and linear kinds */
    bool bias;       /* linear_layer */
    /* mlp: linear[0..n); linear_layer: one bare unit; recurrent kinds: the
     * layer's units (x2*, then h2*) and, for the models, the output unit. */
    linear_unit *units;
    int nunits;
    ag_var *h, *c;     /* hidden state between steps (retained); NULL at the start */
    int steps;         /* recurrent kinds: steps taken since the state started */
    param_slot *slots; /* every possible parameter, sorted by name */
    ag_layer_spec *specs; /* cnn, conv2d_layer, max_pool: the layers in order */
    int nspecs;
    int nslots;
    double momentum, eps; /* batch_norm_layer */
};

static const char *const activation_names[] = {"sigmoid", "relu", "tanh", "gelu"};
static const char *const kind_names[] = {"mlp",        "lstm",      "rnn",          "linear_layer", "lstm_layer",
                                         "rnn_layer", "cnn",       "conv2d_layer", "max_pool",
                                         "batch_norm_layer"};
static const char *const lstm_labels[LSTM_UNITS] = {"x2f", "x2i", "x2o", "x2u",
                                                    "h2f", "h2i", "h2o", "h2u"};

const char *ag_activation_name(ag_activation activation) {
    return (unsigned)activation < 4 ? activation_names[activation] : NULL;
}

int ag_activation_from_name(const char *name, ag_activation *out) {
    for (int i = 0; name != NULL && out != NULL && i < 4; i++) {
        if (strcmp(name, activation_names[i]) == 0) {
            *out = (ag_activation)i;
            return 0;
        }
    }
    return -1;
}

const char *ag_model_kind_name(ag_model_kind kind) {
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : NULL;
}

/* ---- construction -------------------------------------------------------- */

static bool is_recurrent(const ag_model *m) {
    return m->kind == AG_MODEL_LSTM || m->kind == AG_MODEL_RNN || m->kind == AG_MODEL_LSTM_LAYER ||
           m->kind == AG_MODEL_RNN_LAYER;
}
/* The kinds made of a list of layers (ag_cnn and its bare layers). */
static bool has_specs(const ag_model *m) { return m->specs != NULL; }
static bool is_lstm(const ag_model *m) {
    return m->kind == AG_MODEL_LSTM || m->kind == AG_MODEL_LSTM_LAYER;
}
/* The recurrent models end with an output unit after the layer's units. */
static bool has_head(const ag_model *m) {
    return m->kind == AG_MODEL_LSTM || m->kind == AG_MODEL_RNN;
}

static void destroy(ag_model *m) {
    ctx_detach(m->ctx, m);
    for (int i = 0; i < m->nunits; i++) linear_unit_release(&m->units[i]);
    ag_release(m->h);
    ag_release(m->c);
    alloc_free(&m->alloc, m->units);
    alloc_free(&m->alloc, m->slots);
    alloc_free(&m->alloc, m->sizes);
    alloc_free(&m->alloc, m->specs);
    alloc_free(&m->alloc, m);
}

/* The context is being freed (ctx_attach): its variables are gone, so the
 * model forgets them and can then only be freed. */
static void detach(void *owner) {
    ag_model *m = owner;
    for (int i = 0; i < m->nunits; i++) m->units[i].w = m->units[i].b = NULL;
    m->h = m->c = NULL;
    m->ctx = NULL;
}

static ag_model *model_alloc(ag_ctx *ctx, ag_model_kind kind, int nunits, uint64_t seed) {
    if (ctx == NULL) return NULL;
    ag_model *m = ctx_calloc(ctx, 1, sizeof *m);
    if (m != NULL) {
        m->alloc = ctx->mem.alloc;
        m->units = ctx_calloc(ctx, (size_t)nunits, sizeof *m->units);
    }
    if (m == NULL || m->units == NULL || ctx_attach(ctx, m, detach) < 0) {
        if (m != NULL) ctx_free(ctx, m->units);
        ctx_free(ctx, m);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    m->ctx = ctx;
    m->kind = kind;
    m->owners = 1;
    m->nunits = nunits;
    ag_rng_seed(&m->rng, seed);
    return m;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const param_slot *)a)->name, ((const param_slot *)b)->name);
}

/* Lists every unit's w and b (bias-less units have no b slot), sorted like
 * upstream's map keys.  Returns m, or NULL (m destroyed) when out of memory. */
static ag_model *finish(ag_model *m) {
    m->slots = alloc_calloc(&m->alloc, (size_t)m->nunits * 2 + 1, sizeof *m->slots);
    if (m->slots == NULL) {
        destroy(m);
        return NULL;
    }
    for (int i = 0; i < m->nunits; i++) {
        linear_unit *u = &m->units[i];
        m->slots[m->nslots++] = (param_slot){u->w_name, &u->w};
        if (u->b != NULL) m->slots[m->nslots++] = (param_slot){u->b_name, &u->b};
    }
    qsort(m->slots, (size_t)m->nslots, sizeof *m->slots, by_name);
    return m;
}

/* Initialises unit i; on failure destroys m (the units made so far are
 * released) and returns -1. */
static int add_unit(ag_model *m, int i, const char *label, int out, bool bias, int in) {
    const char *owner = ag_model_kind_name(m->kind);
    if (linear_unit_init(m->ctx, &m->units[i], owner, label, out, bias, in, &m->rng) == 0) return 0;
    m->nunits = i; /* release only the units that were set up */
    destroy(m);
    return -1;
}

static int check_size(ag_ctx *ctx, const char *model, const char *what, int value) {
    if (value >= 1) return 0;
    ctx_error(ctx, AG_ERR_ARG, "%s: %s must be at least 1 (got %d)", model, what, value);
    return -1;
}

ag_model *ag_mlp(ag_ctx *ctx, const int *sizes, int n, ag_activation activation, uint64_t seed) {
    if (ctx == NULL) return NULL;
    if (sizes == NULL || n < 1) return ctx_error(ctx, AG_ERR_ARG, "mlp: needs at least one layer size");
    if (ag_activation_name(activation) == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "mlp: unknown activation %d", (int)activation);
    for (int i = 0; i < n; i++)
        if (check_size(ctx, "mlp", "sizes", sizes[i]) < 0) return NULL;
    ag_model *m = model_alloc(ctx, AG_MODEL_MLP, n, seed);
    if (m == NULL) return NULL;
    m->sizes = alloc_malloc(&m->alloc, (size_t)n * sizeof *m->sizes);
    if (m->sizes == NULL) {
        destroy(m);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    memcpy(m->sizes, sizes, (size_t)n * sizeof *sizes);
    m->nsizes = n;
    m->activation = activation;
    for (int i = 0; i < n; i++) {
        char label[LAYER_NAME_MAX];
        snprintf(label, sizeof label, "linear[%d]", i);
        if (add_unit(m, i, label, sizes[i], true, 0) < 0) return NULL;
    }
    return finish(m);
}

ag_model *ag_linear_model(ag_ctx *ctx, int out, bool bias, uint64_t seed) {
    return ag_linear_model_in_size(ctx, out, 0, bias, seed);
}

ag_model *ag_linear_model_in_size(ag_ctx *ctx, int out, int in_size, bool bias, uint64_t seed) {
    if (ctx == NULL) return NULL;
    if (check_size(ctx, "linear_layer", "out", out) < 0) return NULL;
    if (in_size != 0 && check_size(ctx, "linear_layer", "in_size", in_size) < 0) return NULL;
    ag_model *m = model_alloc(ctx, AG_MODEL_LINEAR, 1, seed);
    if (m == NULL) return NULL;
    m->out = out;
    m->bias = bias;
    if (add_unit(m, 0, "", out, bias, in_size) < 0) return NULL;
    return finish(m);
}

/* ---- convolutional networks: a list of layers (ag_cnn), or one (the bare layers) ---- */

static int check_spec(ag_ctx *ctx, const char *name, const ag_layer_spec *l) {
    if (l->type == AG_LAYER_LINEAR) return check_size(ctx, name, "a linear layer's size", l->out);
    if (l->type != AG_LAYER_CONV2D && l->type != AG_LAYER_MAX_POOL) {
        ctx_error(ctx, AG_ERR_ARG, "%s: unknown layer type %d", name, (int)l->type);
        return -1;
    }
    if (l->type == AG_LAYER_CONV2D && check_size(ctx, name, "out_channels", l->out) < 0) return -1;
    if (check_size(ctx, name, "kernel", l->kernel) < 0) return -1;
    if (l->stride < (l->type == AG_LAYER_MAX_POOL ? 0 : 1)) {
        ctx_error(ctx, AG_ERR_ARG, "%s: stride must be at least 1 (got %d)", name, l->stride);
        return -1;
    }
    if (l->padding < 0) {
        ctx_error(ctx, AG_ERR_ARG, "%s: padding must be at least 0 (got %d)", name, l->padding);
        return -1;
    }
    return 0;
}

/* A layer as ag_model_describe writes it: "10", "conv2d(8, 3, padding=1)",
 * "max_pool(2)". */
static void spec_text(const ag_layer_spec *l, strbuf *b) {
    if (l->type == AG_LAYER_LINEAR) {
        strbuf_appendf(b, "%d", l->out);
        return;
    }
    if (l->type == AG_LAYER_CONV2D) strbuf_appendf(b, "conv2d(%d, %d", l->out, l->kernel);
    else strbuf_appendf(b, "max_pool(%d", l->kernel);
    if (l->stride != (l->type == AG_LAYER_CONV2D ? 1 : 0)) strbuf_appendf(b, ", stride=%d", l->stride);
    if (l->padding != 0) strbuf_appendf(b, ", padding=%d", l->padding);
    strbuf_appendf(b, ")");
}

int ag_cnn_misplaced_layer(const ag_layer_spec *layers, int n, int *linear, int *order) {
    if (layers == NULL || n < 1) return -1;
    if (order != NULL) { /* the conv2d and max_pool layers as they come, then the linear ones */
        int placed = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < n; k++)
                if ((layers[k].type == AG_LAYER_LINEAR) == (pass == 1)) order[placed++] = k;
    }
    int first_linear = -1;
    for (int i = 0; i < n; i++) {
        if (layers[i].type == AG_LAYER_LINEAR) {
            if (first_linear < 0) first_linear = i;
        } else if (first_linear >= 0) {
            if (linear != NULL) *linear = first_linear;
            return i;
        }
    }
    return -1;
}

/* A cnn's layers in an order that can never run (ag_cnn_misplaced_layer
 * finds it): names the first such layer, the linear layer before it, and
 * the order that runs, in ag_model_describe's words.  -1 with the error
 * set, else 0. */
static int check_order(ag_ctx *ctx, const ag_layer_spec *layers, int n) {
    int linear = -1;
    int i = ag_cnn_misplaced_layer(layers, n, &linear, NULL);
    if (i < 0) return 0;
    int *order = ctx_malloc(ctx, (size_t)n * sizeof *order);
    strbuf b = {.realloc_fn = ctx_array_realloc, .user = ctx};
    if (order != NULL) {
        ag_cnn_misplaced_layer(layers, n, NULL, order);
        strbuf_appendf(&b, "cnn: layer %d (", i + 1); /* counted from 1, as the ops count inputs */
        spec_text(&layers[i], &b);
        strbuf_appendf(&b, ") comes after layer %d, a linear layer of %d outputs, whose output is (N, features), "
                           "never the images (N, C, H, W) a %s layer needs; put every conv2d and max_pool layer "
                           "before the first linear size, as [",
                       linear + 1, layers[linear].out, layers[i].type == AG_LAYER_CONV2D ? "conv2d" : "max_pool");
        for (int k = 0; k < n; k++) {
            if (k > 0) strbuf_appendf(&b, ", ");
            spec_text(&layers[order[k]], &b);
        }
        strbuf_appendf(&b, "]");
    }
    if (order == NULL || b.data == NULL || b.failed)
        ctx_error(ctx, AG_ERR_ARG, "cnn: layer %d: a conv2d or max_pool layer after a linear one", i + 1);
    else ctx_error(ctx, AG_ERR_ARG, "%s", b.data);
    ctx_free(ctx, b.data);
    ctx_free(ctx, order);
    return -1;
}

/* A model of layers[0..n): conv[i] and linear[j] units (bare ones unlabelled). */
static ag_model *layered(ag_ctx *ctx, ag_model_kind kind, const ag_layer_spec *layers, int n,
                         ag_activation activation, uint64_t seed) {
    if (ctx == NULL) return NULL;
    const char *name = ag_model_kind_name(kind);
    if (layers == NULL || n < 1) return ctx_error(ctx, AG_ERR_ARG, "%s: needs at least one layer", name);
    if (ag_activation_name(activation) == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "%s: unknown activation %d", name, (int)activation);
    int units = 0;
    for (int i = 0; i < n; i++) {
        if (check_spec(ctx, name, &layers[i]) < 0) return NULL;
        units += layers[i].type != AG_LAYER_MAX_POOL;
    }
    if (kind == AG_MODEL_CNN && check_order(ctx, layers, n) < 0) return NULL;
    ag_model *m = model_alloc(ctx, kind, units > 0 ? units : 1, seed);
    if (m == NULL) return NULL;
    m->nunits = 0;
    m->specs = alloc_malloc(&m->alloc, (size_t)n * sizeof *m->specs);
    if (m->specs == NULL) {
        destroy(m);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    memcpy(m->specs, layers, (size_t)n * sizeof *layers);
    m->nspecs = n;
    m->activation = activation;
    bool bare = kind != AG_MODEL_CNN;
    int convs = 0, linears = 0;
    for (int i = 0; i < n; i++) {
        char label[LAYER_NAME_MAX] = "";
        if (layers[i].type == AG_LAYER_MAX_POOL) continue;
        int u = m->nunits;
        int status;
        if (layers[i].type == AG_LAYER_CONV2D) {
            if (!bare) snprintf(label, sizeof label, "conv[%d]", convs);
            convs++;
            status = conv_unit_init(ctx, &m->units[u], name, label, layers[i].out);
        } else {
            if (!bare) snprintf(label, sizeof label, "linear[%d]", linears);
            linears++;
            status = linear_unit_init(ctx, &m->units[u], name, label, layers[i].out, true, 0, &m->rng);
        }
        m->nunits++;
        if (status < 0) {
            destroy(m);
            return NULL;
        }
    }
    return finish(m);
}

ag_model *ag_cnn(ag_ctx *ctx, const ag_layer_spec *layers, int n, ag_activation activation, uint64_t seed) {
    return layered(ctx, AG_MODEL_CNN, layers, n, activation, seed);
}

ag_model *ag_conv2d_layer(ag_ctx *ctx, int out_channels, int kernel, int stride, int padding, uint64_t seed) {
    ag_layer_spec l = {AG_LAYER_CONV2D, out_channels, kernel, stride, padding};
    return layered(ctx, AG_MODEL_CONV2D, &l, 1, AG_ACT_RELU, seed);
}

ag_model *ag_max_pool_layer(ag_ctx *ctx, int kernel, int stride, int padding) {
    ag_layer_spec l = {AG_LAYER_MAX_POOL, 0, kernel, stride, padding};
    return layered(ctx, AG_MODEL_MAX_POOL, &l, 1, AG_ACT_RELU, 0);
}

/* ---- batch_norm_layer: two units' fields hold w, b and the running statistics ---- */

static ag_var *norm_param(ag_ctx *ctx, int channels, double value, const char *name) {
    ag_var *v = ag_zeros(ctx, 1, &channels);
    if (v == NULL) return NULL;
    double *d = ag_data_mut(v);
    for (int c = 0; c < channels; c++) d[c] = value;
    ag_set_name(v, name);
    ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_PARAM);
    ag_retain(v);
    return v;
}

ag_model *ag_batch_norm_layer(ag_ctx *ctx, int num_features, double momentum, double eps) {
    if (ctx == NULL) return NULL;
    if (check_size(ctx, "batch_norm_layer", "num_features", num_features) < 0) return NULL;
    if (!(eps >= 0) || !isfinite(momentum))
        return ctx_error(ctx, AG_ERR_ARG, "batch_norm_layer: eps must be >= 0 and momentum a number");
    ag_model *m = model_alloc(ctx, AG_MODEL_BATCH_NORM, 2, 0);
    if (m == NULL) return NULL;
    m->momentum = momentum, m->eps = eps, m->out = num_features;
    static const char *const names[2][2] = {{"w", "b"}, {"running_mean", "running_var"}};
    static const double starts[2][2] = {{1, 0}, {0, 1}};
    for (int i = 0; i < 2; i++) {
        linear_unit *u = &m->units[i];
        u->owner = "batch_norm_layer";
        snprintf(u->w_name, sizeof u->w_name, "%s", names[i][0]);
        snprintf(u->b_name, sizeof u->b_name, "%s", names[i][1]);
        u->in = u->out = num_features;
        m->nunits = i + 1;
        u->w = norm_param(ctx, num_features, starts[i][0], names[i][0]);
        u->b = norm_param(ctx, num_features, starts[i][1], names[i][1]);
        if (u->w == NULL || u->b == NULL) {
            destroy(m);
            return NULL;
        }
    }
    return finish(m);
}

static unsigned enter_layer(ag_model *m, const char *label);
static void leave_layer(ag_model *m, unsigned outer);

/* F.batch_norm with the layer's parameters, training unless in test mode. */
static ag_var *norm_forward(ag_model *m, ag_var *x) {
    ag_ctx *ctx = m->ctx;
    if (ag_ndim(x) >= 2 && ag_shape(x)[1] != m->out)
        return ctx_error(ctx, AG_ERR_SHAPE, "batch_norm_layer: input has %d channels (axis 1) but the layer has %d",
                         ag_shape(x)[1], m->out);
    unsigned outer = enter_layer(m, "");
    linear_unit *affine = &m->units[0], *stats = &m->units[1];
    ag_var *y = ag_batch_norm(ctx, x, stats->w, stats->b, affine->w, affine->b, ag_is_train(ctx), m->momentum, m->eps);
    leave_layer(m, outer);
    return y;
}

int ag_model_layer_spec(const ag_model *m, ag_layer_spec *spec) {
    if (m == NULL) return -1;
    if (spec == NULL) return ctx_error(m->ctx, AG_ERR_ARG, "layer_spec: spec is NULL"), -1;
    if (m->kind != AG_MODEL_CONV2D && m->kind != AG_MODEL_MAX_POOL)
        return ctx_error(m->ctx, AG_ERR_ARG, "layer_spec: a %s is not a conv2d or max_pool layer",
                         ag_model_kind_name(m->kind)),
               -1;
    *spec = m->specs[0];
    return 0;
}

/* A cnn's layers in order (weights_layout.c names its tensors by them). */
int model_layer_specs(const ag_model *m, const ag_layer_spec **specs) {
    *specs = m->specs;
    return m->kind == AG_MODEL_CNN ? m->nspecs : 0;
}

/* The recurrent kinds: the layer's units under `prefix` ("lstm", or "" for a
 * bare layer), input units first (lazy), then the hidden units (drawn now,
 * in order), then the output unit for the models. */
static ag_model *recurrent(ag_ctx *ctx, ag_model_kind kind, int hidden, int out, uint64_t seed) {
    if (ctx == NULL) return NULL;
    const char *name = ag_model_kind_name(kind);
    bool lstm = kind == AG_MODEL_LSTM || kind == AG_MODEL_LSTM_LAYER;
    bool head = kind == AG_MODEL_LSTM || kind == AG_MODEL_RNN;
    if (check_size(ctx, name, "hidden", hidden) < 0) return NULL;
    if (head && check_size(ctx, name, "out", out) < 0) return NULL;
    int layer_units = lstm ? LSTM_UNITS : 2;
    ag_model *m = model_alloc(ctx, kind, layer_units + (head ? 1 : 0), seed);
    if (m == NULL) return NULL;
    m->hidden = hidden;
    m->out = out;
    const char *prefix = head ? (lstm ? "lstm." : "rnn.") : "";
    for (int i = 0; i < layer_units; i++) {
        const char *unit = lstm ? lstm_labels[i] : (i == 0 ? "x2h" : "h2h");
        bool from_hidden = lstm ? i >= LSTM_H2F : i == 1;
        char label[LAYER_NAME_MAX];
        snprintf(label, sizeof label, "%s%s", prefix, unit);
        if (add_unit(m, i, label, hidden, !from_hidden, from_hidden ? hidden : 0) < 0) return NULL;
    }
    if (head && add_unit(m, layer_units, "linear", out, true, 0) < 0) return NULL;
    return finish(m);
}

ag_model *ag_lstm_model(ag_ctx *ctx, int hidden, int out, uint64_t seed) {
    return recurrent(ctx, AG_MODEL_LSTM, hidden, out, seed);
}
ag_model *ag_rnn_model(ag_ctx *ctx, int hidden, int out, uint64_t seed) {
    return recurrent(ctx, AG_MODEL_RNN, hidden, out, seed);
}
ag_model *ag_lstm_layer(ag_ctx *ctx, int hidden, uint64_t seed) {
    return recurrent(ctx, AG_MODEL_LSTM_LAYER, hidden, 0, seed);
}
ag_model *ag_rnn_layer(ag_ctx *ctx, int hidden, uint64_t seed) {
    return recurrent(ctx, AG_MODEL_RNN_LAYER, hidden, 0, seed);
}

ag_model *ag_model_ref(ag_model *m) {
    if (m != NULL) m->owners++;
    return m;
}

void ag_model_unref(ag_model *m) {
    if (m != NULL && --m->owners == 0) destroy(m);
}
void ag_model_free(ag_model *m) { ag_model_unref(m); }

/* ---- forward --------------------------------------------------------------- */

/* The units that read the input: every x2* of a recurrent layer, else unit 0. */
static int input_units(const ag_model *m) {
    if (!is_recurrent(m)) return 1;
    return is_lstm(m) ? LSTM_X2U + 1 : 1;
}

/* Rejects an input the model cannot take, before anything changes. */
static int check_input(ag_model *m, ag_var *x) {
    const char *name = ag_model_kind_name(m->kind);
    char shape[AG_SHAPEBUF], state[AG_SHAPEBUF];
    int ndim = ag_ndim(x);
    if (ag_var_ctx(x) == NULL) { /* its node was collected (as check_inputs in function.c) */
        ctx_error(m->ctx, AG_ERR_STALE,
                  "%s: the input is a collected variable (a stale handle: it was not retained across ag_gc)",
                  name);
        return -1;
    }
    if (ag_var_ctx(x) != m->ctx) {
        ctx_error(m->ctx, AG_ERR_CONTEXT, "%s: the input belongs to another context", name);
        return -1;
    }
    if (ndim < 2) {
        ctx_error(m->ctx, AG_ERR_SHAPE,
                  "%s: input of shape %s needs at least 2 dimensions (samples, features)", name,
                  ag_shape_string(ndim, ag_shape(x), shape));
        return -1;
    }
    int features = ag_shape(x)[ndim - 1];
    const linear_unit *first = &m->units[0];
    if (features < 1) {
        ctx_error(m->ctx, AG_ERR_SHAPE, "%s: input has 0 features", name);
        return -1;
    }
    if (first->in != 0 && features != first->in) {
        ctx_error(m->ctx, AG_ERR_SHAPE, "%s: input has %d features but %s was built for %d", name, features,
                  first->label[0] ? first->label : "the layer", first->in);
        return -1;
    }
    /* The state carries the batch dims of the step that made it. */
    if (m->h != NULL && (ag_ndim(m->h) != ndim ||
                         memcmp(ag_shape(m->h), ag_shape(x), (size_t)(ndim - 1) * sizeof(int)))) {
        ctx_error(m->ctx, AG_ERR_SHAPE,
                  "%s: input batch %s does not match the hidden state's %s "
                  "(reset_state() starts over)",
                  name, ag_shape_string(ndim - 1, ag_shape(x), shape),
                  ag_shape_string(ag_ndim(m->h) - 1, ag_shape(m->h), state));
        return -1;
    }
    return 0;
}

/* Draws every missing weight in upstream's order: the input units, then
 * the following layers, whose inputs are known from the sizes. */
static int ensure_weights(ag_model *m, int features) {
    for (int i = 0; i < input_units(m); i++)
        if (linear_unit_ensure(m->ctx, &m->units[i], features, &m->rng) < 0) return -1;
    if (m->kind == AG_MODEL_MLP) {
        for (int i = 1; i < m->nunits; i++)
            if (linear_unit_ensure(m->ctx, &m->units[i], m->sizes[i - 1], &m->rng) < 0) return -1;
    } else if (has_head(m)) {
        if (linear_unit_ensure(m->ctx, &m->units[m->nunits - 1], m->hidden, &m->rng) < 0)
            return -1;
    }
    return 0;
}

static ag_var *activate(ag_ctx *ctx, ag_activation activation, ag_var *x) {
    switch (activation) {
    case AG_ACT_RELU: return ag_relu(ctx, x);
    case AG_ACT_TANH: return ag_tanh(ctx, x);
    case AG_ACT_GELU: return ag_gelu(ctx, x);
    case AG_ACT_SIGMOID: break;
    }
    return ag_sigmoid(ctx, x);
}

static unsigned enter_layer(ag_model *m, const char *label);
static void leave_layer(ag_model *m, unsigned outer);
static ag_var *layer_forward(ag_model *m, linear_unit *u, ag_var *x, bool activation);

/* The layers in order (ag_cnn): each conv and linear unit a layer of its own
 * for drawings ("conv[0]": the Im2col, the product, its activation), each
 * pool one too; weights made as their input arrives. */
static ag_var *layers_forward(ag_model *m, ag_var *x) {
    ag_ctx *ctx = m->ctx;
    int last = -1, unit = 0, pools = 0;
    for (int i = 0; i < m->nspecs; i++)
        if (m->specs[i].type != AG_LAYER_MAX_POOL) last = i;
    for (int i = 0; i < m->nspecs && x != NULL; i++) {
        const ag_layer_spec *l = &m->specs[i];
        if (l->type == AG_LAYER_MAX_POOL) {
            char label[LAYER_NAME_MAX] = "";
            if (m->kind == AG_MODEL_CNN) snprintf(label, sizeof label, "max_pool[%d]", pools++);
            unsigned outer = enter_layer(m, label);
            int k[2] = {l->kernel, l->kernel}, s[2] = {l->stride, l->stride}, p[2] = {l->padding, l->padding};
            x = ag_max_pool2d(ctx, x, k, s, p, NULL, false);
            leave_layer(m, outer);
            continue;
        }
        linear_unit *u = &m->units[unit++];
        bool activation = m->kind == AG_MODEL_CNN && i < last;
        if (l->type == AG_LAYER_LINEAR) {
            char before[AG_SHAPEBUF] = ""; /* the images' shape, flattened for the first linear layer */
            if (ag_ndim(x) > 2) {
                ag_shape_string(ag_ndim(x), ag_shape(x), before);
                x = ag_flatten(ctx, x, 1, -1);
            }
            if (x == NULL) return NULL;
            /* 2-D here: a first layer's input passed check_input, a later
             * one is flattened or a linear layer's output */
            int features = ag_shape(x)[ag_ndim(x) - 1];
            /* the weights, made at the first call or loaded, fix the
             * images' size: other ones said in the model's words, not as
             * the product's mismatch */
            if (u->w != NULL && features != u->in && before[0] != '\0')
                return ctx_error(ctx, AG_ERR_SHAPE, "%s: %s was built for %d features but gets %d (the %s before it, "
                                                    "flattened): its weights were made for images of another size",
                                 ag_model_kind_name(m->kind), u->label[0] ? u->label : "the layer", u->in, features,
                                 before);
            if (linear_unit_ensure(ctx, u, features, &m->rng) < 0) return NULL;
            x = layer_forward(m, u, x, activation);
            continue;
        }
        if (ag_ndim(x) != 4) {
            char shape[AG_SHAPEBUF];
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: %s needs images (N, C, H, W), got %s", ag_model_kind_name(m->kind),
                                u->label[0] ? u->label : "the layer", ag_shape_string(ag_ndim(x), ag_shape(x), shape));
        }
        if (u->w != NULL && ag_shape(x)[1] != u->in)
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: input has %d channels but %s was built for %d", ag_model_kind_name(m->kind),
                                ag_shape(x)[1], u->label[0] ? u->label : "the layer", u->in);
        if (conv_unit_ensure(ctx, u, ag_shape(x)[1], l->kernel, &m->rng) < 0) return NULL;
        unsigned outer = enter_layer(m, u->label);
        int s[2] = {l->stride, l->stride}, p[2] = {l->padding, l->padding};
        x = ag_conv2d(ctx, x, u->w, u->b, s, p, NULL, 1);
        if (activation && x != NULL) x = activate(ctx, m->activation, x);
        leave_layer(m, outer);
    }
    return x;
}

/* Advances the recurrent layer by one step, keeping the new state.  Each
 * step is a layer of its own for drawings ("lstm step 3": the cell's gates
 * of that step in one group). */
static ag_var *recurrent_step(ag_model *m, ag_var *x) {
    ag_var *c = NULL;
    char label[32];
    snprintf(label, sizeof label, "%s step %d", is_lstm(m) ? "lstm" : "rnn", m->steps + 1);
    unsigned outer = enter_layer(m, label);
    ag_var *h = is_lstm(m) ? lstm_step(m->ctx, m->units, m->h, m->c, x, &c)
                           : rnn_step(m->ctx, &m->units[0], &m->units[1], m->h, x);
    leave_layer(m, outer);
    if (h == NULL) return NULL;
    m->steps++;
    ag_retain(h);
    ag_retain(c);
    ag_release(m->h);
    ag_release(m->c);
    m->h = h;
    m->c = c;
    return h;
}

/* Tells the context's layer observer that the layer `label` starts: the
 * functions made until leave_layer get its tag.  Returns the tag to restore. */
static unsigned enter_layer(ag_model *m, const char *label) {
    ag_ctx *ctx = m->ctx;
    unsigned outer = ctx->func_tag;
    if (ctx->layer_fn != NULL) ctx->func_tag = ctx->layer_fn(ctx->layer_user, m, label, outer);
    return outer;
}

static void leave_layer(ag_model *m, unsigned outer) { m->ctx->func_tag = outer; }

/* One linear unit (and the activation after it) as a layer. */
static ag_var *layer_forward(ag_model *m, linear_unit *u, ag_var *x, bool activation) {
    unsigned outer = enter_layer(m, u->label);
    x = linear_unit_forward(m->ctx, u, x);
    if (activation && x != NULL) x = activate(m->ctx, m->activation, x);
    leave_layer(m, outer);
    return x;
}

/* The forward of ag_model_forward, which undoes what a failed one made. */
static ag_var *forward(ag_model *m, ag_var *x) {
    if (m == NULL) return NULL;
    if (m->ctx == NULL) return ctx_error(ag_var_ctx(x), AG_ERR_CONTEXT, "model: its context was freed");
    if (x == NULL)
        return ag_failed(m->ctx)
                   ? NULL
                   : ctx_error(m->ctx, AG_ERR_ARG, "%s: the input is NULL", ag_model_kind_name(m->kind));
    if (has_specs(m) && m->specs[0].type == AG_LAYER_LINEAR) /* (samples, features), checked as an mlp's */
        return check_input(m, x) < 0 ? NULL : layers_forward(m, x);
    if (has_specs(m))
        return ag_var_ctx(x) != m->ctx
                   ? ctx_error(m->ctx, AG_ERR_CONTEXT, "%s: the input belongs to another context", ag_model_kind_name(m->kind))
                   : layers_forward(m, x);
    if (m->kind == AG_MODEL_BATCH_NORM)
        return ag_var_ctx(x) != m->ctx
                   ? ctx_error(m->ctx, AG_ERR_CONTEXT, "%s: the input belongs to another context", ag_model_kind_name(m->kind))
                   : norm_forward(m, x);
    if (check_input(m, x) < 0) return NULL;
    if (ensure_weights(m, ag_shape(x)[ag_ndim(x) - 1]) < 0) return NULL;
    switch (m->kind) {
    case AG_MODEL_MLP:
        for (int i = 0; i < m->nunits && x != NULL; i++)
            x = layer_forward(m, &m->units[i], x, i + 1 < m->nunits);
        return x;
    case AG_MODEL_LINEAR: return layer_forward(m, &m->units[0], x, false);
    case AG_MODEL_LSTM_LAYER:
    case AG_MODEL_RNN_LAYER: return recurrent_step(m, x);
    case AG_MODEL_CNN:
    case AG_MODEL_CONV2D:
    case AG_MODEL_MAX_POOL: return layers_forward(m, x);
    case AG_MODEL_LSTM:
    case AG_MODEL_RNN: {
        ag_var *h = recurrent_step(m, x);
        return h ? layer_forward(m, &m->units[m->nunits - 1], h, false) : NULL;
    }
    case AG_MODEL_BATCH_NORM: break; /* above */
    }
    return NULL;
}

/* A call that fails changes nothing: the weights it made (a cnn makes each
 * layer's as its input arrives, so a later layer's refusal finds the earlier
 * ones made) are dropped again and the generator rewound, so the next call
 * draws them as a first call does. */
ag_var *ag_model_forward(ag_model *m, ag_var *x) {
    if (m == NULL || m->ctx == NULL || ag_model_initialized(m)) return forward(m, x);
    bool *lazy = ctx_calloc(m->ctx, (size_t)m->nunits, sizeof *lazy);
    if (lazy == NULL) return ctx_error(m->ctx, AG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < m->nunits; i++) lazy[i] = m->units[i].w == NULL;
    ag_rng rng = m->rng;
    ag_var *y = forward(m, x);
    if (y == NULL) {
        for (int i = 0; i < m->nunits; i++)
            if (lazy[i] && m->units[i].w != NULL) model_unit_unmake(m, i);
        m->rng = rng;
    }
    ctx_free(m->ctx, lazy);
    return y;
}

/* ---- parameters and state -------------------------------------------------- */

int ag_model_param_count(const ag_model *m) {
    int count = 0;
    for (int i = 0; m != NULL && i < m->nslots; i++) count += *m->slots[i].var != NULL;
    return count;
}

ag_var *ag_model_param(const ag_model *m, int i, const char **name) {
    for (int s = 0; m != NULL && s < m->nslots && i >= 0; s++) {
        if (*m->slots[s].var == NULL) continue;
        if (i-- == 0) {
            if (name != NULL) *name = m->slots[s].name;
            return *m->slots[s].var;
        }
    }
    return NULL;
}

ag_var *ag_model_param_by_name(const ag_model *m, const char *name) {
    if (m != NULL && name == NULL) return ctx_error(m->ctx, AG_ERR_ARG, "param_by_name: the name is NULL");
    for (int s = 0; m != NULL && name != NULL && s < m->nslots; s++)
        if (strcmp(m->slots[s].name, name) == 0) return *m->slots[s].var;
    return NULL;
}

size_t ag_model_param_size(const ag_model *m) {
    size_t total = 0;
    for (int s = 0; m != NULL && s < m->nslots; s++)
        if (*m->slots[s].var != NULL) total += ag_size(*m->slots[s].var);
    return total;
}

bool ag_model_initialized(const ag_model *m) {
    if (m == NULL) return false;
    for (int i = 0; i < m->nunits; i++)
        if (m->units[i].w == NULL) return false;
    return true;
}

void ag_model_cleargrad(ag_model *m) {
    for (int s = 0; m != NULL && s < m->nslots; s++) ag_cleargrad(*m->slots[s].var);
}
void ag_model_cleargrads(ag_model *m) { ag_model_cleargrad(m); }

void ag_model_reset_state(ag_model *m) {
    if (m == NULL) return;
    ag_release(m->h);
    ag_release(m->c);
    m->h = m->c = NULL;
    m->steps = 0;
}

ag_model_kind ag_model_get_kind(const ag_model *m) { return m ? m->kind : (ag_model_kind)-1; }
ag_ctx *ag_model_ctx(const ag_model *m) { return m ? m->ctx : NULL; }

char *ag_model_describe(const ag_model *m, char *buf, size_t n) {
    if (buf == NULL) return m != NULL ? ctx_error(m->ctx, AG_ERR_ARG, "describe: the buffer is NULL") : NULL;
    if (n == 0) return buf;
    if (m == NULL) return snprintf(buf, n, "(no model)"), buf;
    size_t used = 0;
    /* Appends while there is room; snprintf truncates the rest. */
#define APPEND(...)                                                              \
    do {                                                                         \
        if (used < n) used += (size_t)snprintf(buf + used, n - used, __VA_ARGS__); \
    } while (0)
    APPEND("%s", ag_model_kind_name(m->kind));
    switch (m->kind) {
    case AG_MODEL_MLP:
        APPEND(" [");
        for (int i = 0; i < m->nsizes; i++) APPEND(i ? " %d" : "%d", m->sizes[i]);
        APPEND("] %s", ag_activation_name(m->activation));
        break;
    case AG_MODEL_LINEAR: APPEND(" out %d%s", m->out, m->bias ? "" : " no bias"); break;
    case AG_MODEL_LSTM:
    case AG_MODEL_RNN: APPEND(" hidden %d out %d", m->hidden, m->out); break;
    case AG_MODEL_LSTM_LAYER:
    case AG_MODEL_RNN_LAYER: APPEND(" hidden %d", m->hidden); break;
    case AG_MODEL_CNN:
    case AG_MODEL_CONV2D:
    case AG_MODEL_MAX_POOL:
        APPEND(m->kind == AG_MODEL_CNN ? " [" : " ");
        for (int i = 0; i < m->nspecs; i++) {
            const ag_layer_spec *l = &m->specs[i];
            if (i > 0) APPEND(" ");
            if (l->type == AG_LAYER_LINEAR) APPEND("%d", l->out);
            else if (l->type == AG_LAYER_CONV2D) APPEND("conv2d(%d, %d", l->out, l->kernel);
            else APPEND("max_pool(%d", l->kernel);
            if (l->type != AG_LAYER_LINEAR && l->stride != (l->type == AG_LAYER_CONV2D ? 1 : 0))
                APPEND(", stride=%d", l->stride);
            if (l->type != AG_LAYER_LINEAR && l->padding != 0) APPEND(", padding=%d", l->padding);
            if (l->type != AG_LAYER_LINEAR) APPEND(")");
        }
        if (m->kind == AG_MODEL_CNN) APPEND("] %s", ag_activation_name(m->activation));
        break;
    case AG_MODEL_BATCH_NORM: APPEND(" %d features, momentum %g, eps %g", m->out, m->momentum, m->eps); break;
    }
    /* parameters are variables (as PyTorch's m.parameters() and the
     * optimizers count them); their values are counted apart */
    if (m->kind == AG_MODEL_MAX_POOL) {
        APPEND(", no parameters");
    } else if (m->ctx == NULL) {
        APPEND(", its context was freed (it can only be freed)"); /* no weights, no first call */
    } else if (ag_model_initialized(m)) {
        int count = ag_model_param_count(m);
        size_t values = ag_model_param_size(m);
        APPEND(", %d parameter%s (%zu value%s)", count, count == 1 ? "" : "s", values,
               values == 1 ? "" : "s");
    } else {
        APPEND(", weights made at the first call (their sizes come from its input)");
    }
#undef APPEND
    return buf;
}

/* ---- lazy weights made from a file (safetensors.c) ------------------------- */

int model_unit_count(const ag_model *m) { return m->nunits; }

ag_var *model_unit_weight(const ag_model *m, int i) { return m->units[i].w; }

/* The layer spec of unit i of a model made of specs (pools have no unit). */
static int unit_spec(const ag_model *m, int i) {
    for (int s = 0; s < m->nspecs; s++)
        if (m->specs[s].type != AG_LAYER_MAX_POOL && i-- == 0) return s;
    return -1;
}

/* Unit i's input size when the model's own sizes fix it: an mlp's later
 * layers, a recurrent model's head, a cnn layer right after one of its type
 * (pools between convs keep the channels); else 0, the input decides. */
int model_unit_known_in(const ag_model *m, int i) {
    if (m->kind == AG_MODEL_MLP) return i > 0 ? m->sizes[i - 1] : 0;
    if (is_recurrent(m)) return i < input_units(m) ? 0 : m->hidden;
    if (!has_specs(m) || i == 0) return 0;
    int s = unit_spec(m, i), p = unit_spec(m, i - 1);
    if (s < 0 || p < 0 || m->specs[s].type != m->specs[p].type) return 0;
    if (s > p + 1 && m->specs[s].type == AG_LAYER_LINEAR) return 0; /* a flatten between */
    return m->units[i - 1].out;
}

/* Makes unit i's missing weight for `in` inputs, as its first call would
 * (a conv's kernel from its spec); 0, or -1 with the error set. */
int model_unit_make(ag_model *m, int i, int in) {
    int s = has_specs(m) ? unit_spec(m, i) : -1;
    if (s >= 0 && m->specs[s].type == AG_LAYER_CONV2D)
        return conv_unit_ensure(m->ctx, &m->units[i], in, m->specs[s].kernel, &m->rng);
    return linear_unit_ensure(m->ctx, &m->units[i], in, &m->rng);
}

/* Drops unit i's weight again: the unit is lazy as before it was made. */
void model_unit_unmake(ag_model *m, int i) {
    ag_release(m->units[i].w);
    m->units[i].w = NULL;
    m->units[i].in = 0;
}

ag_rng *model_rng(ag_model *m) { return &m->rng; }
