/* builtins_model.c — models as REPL built-ins.
 *
 * The model object type wraps the engine's models (ag_model.h):
 *   model       mlp/lstm/rnn/linear_layer: callable (m(x)); methods
 *               cleargrads, reset_state; attribute params
 *   m.params    a printable live view: a table of the model's parameters
 *               (name, shape, whether it has a gradient), indexable by
 *               name: m.params["linear[0].w"]
 *   m.linear[0].w  the same parameter by its path (m.linear and
 *               m.linear[0] are views of the parameters under them)
 *
 * Decisions the SPEC leaves open:
 *   - Models made without seed= draw their seed from the session's
 *     generator: a replayed session builds the same weights.
 *   - Methods are also plain built-ins (cleargrads(m)): every method
 *     is also a function of its object. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "builtins.h"
#include "repl_internal.h"
#include "strbuf.h"

#define MAX_MLP_LAYERS 64

/* ---- models ------------------------------------------------------------------------- */

static const repl_object_type model_type;
static const repl_object_type params_view_type;

static bool is_model(repl_value v) {
    return v.kind == VALUE_OBJECT && v.as.object->type == &model_type;
}

static bool is_params_view(repl_value v) {
    return v.kind == VALUE_OBJECT && v.as.object->type == &params_view_type;
}

/* The model behind a model object or its m.params view, else NULL. */
static ag_model *model_of(repl_value v) {
    if (is_model(v) || is_params_view(v)) return v.as.object->payload;
    return NULL;
}

ag_model *repl_model_of(repl_value v) { return model_of(v); }

static void model_destroy(void *payload) { ag_model_unref(payload); }

static char *model_describe(const void *payload) {
    char buf[256];
    return strdup(ag_model_describe(payload, buf, sizeof buf));
}

/* m.params as a table: name, shape, whether it has a gradient. */
static char *params_describe(const void *payload) {
    const ag_model *m = payload;
    int count = ag_model_param_count(m);
    strbuf out = {0};
    if (count == 0 && ag_model_get_kind(m) == AG_MODEL_MAX_POOL) {
        strbuf_appendf(&out, "max_pool has no parameters");
        return strbuf_take(&out);
    }
    if (count == 0) {
        strbuf_appendf(&out, "%s has no parameters yet: weights are made at the first call",
                     ag_model_kind_name(ag_model_get_kind(m)));
        return strbuf_take(&out);
    }
    text_table tb = {.columns = 3};
    for (int i = 0; i < count; i++) {
        const char *name = NULL;
        ag_var *p = ag_model_param(m, i, &name);
        char shape[AG_SHAPEBUF];
        const char *cells[3] = {name, ag_shape_string(ag_ndim(p), ag_shape(p), shape),
                                ag_grad(p) ? "grad: yes" : "grad: no"};
        text_table_add_row(&tb, cells);
    }
    if (!tb.failed) text_table_render(&tb, &out);
    else out.failed = true;
    text_table_free(&tb);
    if (!ag_model_initialized(m))
        strbuf_append(&out, "\n(more weights are made at the first call)");
    return strbuf_take(&out);
}

/* m.params["linear[0].w"]: the parameter variable of that name. */
static int params_index(repl *r, void *payload, repl_value key, repl_value *out) {
    const ag_model *m = payload;
    const char *kind = ag_model_kind_name(ag_model_get_kind(m));
    if (key.kind != VALUE_STRING) {
        const char *example = "w";
        char what[64];
        if (ag_model_param_count(m) > 0) ag_model_param(m, ag_model_param_count(m) - 1, &example);
        return repl_error(r, "%s.params: index with a parameter's name in quotes, like "
                             "m.params[\"%s\"], not %s",
                          kind, example, value_with_article(key, what, sizeof what));
    }
    ag_var *p = ag_model_param_by_name(m, key.as.string->text);
    if (p == NULL) {
        strbuf names = {0};
        for (int i = 0, n = ag_model_param_count(m); i < n; i++) {
            const char *name = NULL;
            ag_model_param(m, i, &name);
            strbuf_appendf(&names, "%s%s", i ? ", " : "", name);
        }
        const char *later = ag_model_initialized(m) ? "" : "; the rest are made at the first call";
        int status =
            names.length > 0
                ? repl_error(r, "%s.params: no parameter named '%s' (there are: %s%s)", kind,
                             key.as.string->text, names.data, later)
                : repl_error(r, "%s.params: no parameter named '%s' (it has none until its "
                                "first call)",
                             kind, key.as.string->text);
        free(names.data);
        return status;
    }
    *out = value_var(p);
    return 0;
}

/* for p in m.params: the model's own variables, in the table's order (a
 * pass made before the first call walks the weights made so far). */
static int params_start(repl *r, void *payload, void **cursor) {
    (void)payload;
    int *next = calloc(1, sizeof *next);
    if (next == NULL) return repl_error(r, "out of memory");
    *cursor = next;
    return 0;
}

static int params_next(repl *r, void *payload, void *cursor, repl_value *out) {
    (void)r;
    int *next = cursor;
    if (*next >= ag_model_param_count(payload)) return 0;
    *out = value_var(ag_model_param(payload, (*next)++, NULL));
    return 1;
}

static void params_stop(void *payload, void *cursor) {
    (void)payload;
    free(cursor);
}

static long params_length(const void *payload) { return ag_model_param_count(payload); }

/* m.params.items(), .keys(), .values(): lists, as a Python dict's (PyTorch's
 * named_parameters() is items(): for name, p in m.params.items() { }). */
enum { PARAMS_ITEMS, PARAMS_KEYS, PARAMS_VALUES };
static int params_list(repl *r, const builtin_args *args, repl_value *out, int what) {
    ag_model *m = model_of(args->values[0]);
    if (m == NULL) return repl_error(r, "%s: not a model's m.params", args->def->name);
    int count = ag_model_param_count(m);
    repl_value list = value_list_new(count);
    if (list.kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < count; i++) {
        const char *name = NULL;
        ag_var *p = ag_model_param(m, i, &name);
        repl_value item;
        if (what == PARAMS_VALUES) {
            item = value_var(p); /* a reference of its own */
        } else {
            repl_value key = value_string_from(name, strlen(name));
            item = what == PARAMS_KEYS ? key : value_list_new(2);
            if (key.kind != VALUE_STRING || item.kind == VALUE_NIL) {
                value_release(key);
                if (what == PARAMS_ITEMS) value_release(item);
                value_release(list);
                return repl_error(r, "out of memory");
            }
            if (what == PARAMS_ITEMS) {
                item.as.list->items[0] = key;
                item.as.list->items[1] = value_var(p);
            }
        }
        list.as.list->items[i] = item;
    }
    *out = list;
    return 0;
}
static int fn_params_items(repl *r, const builtin_args *args, repl_value *out) {
    return params_list(r, args, out, PARAMS_ITEMS);
}
static int fn_params_keys(repl *r, const builtin_args *args, repl_value *out) {
    return params_list(r, args, out, PARAMS_KEYS);
}
static int fn_params_values(repl *r, const builtin_args *args, repl_value *out) {
    return params_list(r, args, out, PARAMS_VALUES);
}

static const builtin_def params_methods[] = {
    {"items", "params", fn_params_items, "models",
     "the [name, parameter] pairs (PyTorch's named_parameters()): for name, p in m.params.items() { }"},
    {"keys", "params", fn_params_keys, "models", "the parameters' names, as m.params lists them"},
    {"values", "params", fn_params_values, "models", "the parameters (what for p in m.params walks)"},
};

static const repl_object_type params_view_type = {
    .name = "parameters",
    .with_article = "a model's parameter list",
    .destroy = model_destroy,
    .describe = params_describe,
    .index = params_index,
    .iter_start = params_start,
    .iter_next = params_next,
    .iter_stop = params_stop,
    .length = params_length,
    .methods = params_methods,
    .nmethods = (int)(sizeof params_methods / sizeof params_methods[0]),
};

/* ---- paths to parameters: m.linear[0].w ---------------------------------------
 * The names m.params lists (linear[0].w, lstm.x2f.b, conv[1].w) also read
 * as attributes and indexes from the model, as the graph labels them
 * ("m.linear[0].w") and as PyTorch's model.fc.weight reads: m.linear is the
 * path "linear", m.linear[0] the path "linear[0]", and m.linear[0].w the
 * parameter itself.  A path is a live view of its model: weights made at the
 * first call are found once they exist. */
typedef struct param_path {
    ag_model *m; /* a reference */
    char name[];  /* the path so far: "linear[0]" */
} param_path;

static const repl_object_type param_path_type;

/* How `path` names m's parameters: PATH_PARAM when one is called that,
 * PATH_PREFIX when some are under it (the path followed by '.' or '['),
 * else PATH_NONE. */
enum { PATH_NONE, PATH_PREFIX, PATH_PARAM };
static int path_names(const ag_model *m, const char *path) {
    size_t n = strlen(path);
    int found = PATH_NONE;
    for (int i = 0, count = ag_model_param_count(m); i < count; i++) {
        const char *name = NULL;
        ag_model_param(m, i, &name);
        if (name == NULL || strncmp(name, path, n) != 0) continue;
        if (name[n] == '\0') return PATH_PARAM;
        if (name[n] == '.' || name[n] == '[') found = PATH_PREFIX;
    }
    return found;
}

/* The parameters whose names start with prefix ("" for all), comma
 * separated, into *out (the names m.params lists). */
static void path_list(const ag_model *m, const char *prefix, strbuf *out) {
    size_t n = strlen(prefix);
    bool first = true;
    for (int i = 0, count = ag_model_param_count(m); i < count; i++) {
        const char *name = NULL;
        ag_model_param(m, i, &name);
        if (name == NULL || strncmp(name, prefix, n) != 0) continue;
        strbuf_appendf(out, "%s%s", first ? "" : ", ", name);
        first = false;
    }
}

/* The value the path names: the parameter, or a path object under which
 * there are some; 1 when there is nothing under it (nothing made). */
static int path_value(repl *r, ag_model *m, const char *path, repl_value *out) {
    switch (path_names(m, path)) {
    case PATH_PARAM:
        *out = value_var(ag_model_param_by_name(m, path));
        return out->kind == VALUE_VAR ? 0 : repl_error(r, "out of memory");
    case PATH_PREFIX: {
        size_t n = strlen(path) + 1;
        param_path *p = malloc(sizeof *p + n);
        if (p == NULL) return repl_error(r, "out of memory");
        p->m = ag_model_ref(m);
        memcpy(p->name, path, n);
        *out = value_object_new(&param_path_type, p);
        return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
    }
    default:
        return 1;
    }
}

/* Nothing under `path`: what is under its parent (or the model's whole
 * list), and when the model has no weights yet, that they come at the
 * first call. */
static int path_missing(repl *r, const ag_model *m, const char *parent, const char *path) {
    strbuf names = {0};
    path_list(m, parent, &names);
    const char *kind = ag_model_kind_name(ag_model_get_kind(m));
    int status = names.length > 0
                     ? repl_error(r, "%s: no parameter %s (%s%s: %s%s)", kind, path, parent[0] ? "under " : "",
                                  parent[0] ? parent : "there are", names.data,
                                  ag_model_initialized(m) ? "" : "; the rest are made at the first call")
                     : repl_error(r, "%s: no parameter %s (%s)", kind, path,
                                  ag_model_initialized(m) ? "it has none" : "it has none until its first call");
    free(names.data);
    return status;
}

static void path_destroy(void *payload) {
    param_path *p = payload;
    ag_model_unref(p->m);
    free(p);
}

/* print(m.linear[0]): the parameters under it. */
static char *path_describe(const void *payload) {
    const param_path *p = payload;
    strbuf out = {0};
    strbuf_appendf(&out, "%s's %s: ", ag_model_kind_name(ag_model_get_kind(p->m)), p->name);
    path_list(p->m, p->name, &out);
    if (!ag_model_initialized(p->m)) strbuf_append(&out, " (more are made at the first call)");
    return strbuf_take(&out);
}

/* m.linear[0].w: the path and the attribute's name, one level down. */
static int path_get_attr(repl *r, void *payload, const char *name, repl_value *out) {
    const param_path *p = payload;
    strbuf path = {0};
    strbuf_appendf(&path, "%s.%s", p->name, name);
    if (path.failed) {
        free(path.data);
        return repl_error(r, "out of memory");
    }
    int status = path_value(r, p->m, path.data, out);
    if (status == 1) status = path_missing(r, p->m, p->name, path.data);
    free(path.data);
    return status;
}

/* m.linear[0]: a whole number from 0, as the names count their layers. */
static int path_index(repl *r, void *payload, repl_value key, repl_value *out) {
    const param_path *p = payload;
    if (key.kind != VALUE_NUMBER || !(key.as.number >= 0 && key.as.number < 1e6) ||
        key.as.number != floor(key.as.number)) {
        char what[64];
        if (key.kind == VALUE_NUMBER) snprintf(what, sizeof what, "%g", key.as.number);
        return repl_error(r, "%s: index %s with a whole number from 0, like %s[0], not %s",
                          ag_model_kind_name(ag_model_get_kind(p->m)), p->name, p->name,
                          key.kind == VALUE_NUMBER ? what : value_with_article(key, what, sizeof what));
    }
    char path[256];
    if (snprintf(path, sizeof path, "%s[%d]", p->name, (int)key.as.number) >= (int)sizeof path)
        return repl_error(r, "%s: the path %s is too long", ag_model_kind_name(ag_model_get_kind(p->m)), p->name);
    int status = path_value(r, p->m, path, out);
    return status == 1 ? path_missing(r, p->m, p->name, path) : status;
}

static const repl_object_type param_path_type = {
    .name = "layer",
    .with_article = "a path to a model's parameters",
    .destroy = path_destroy,
    .describe = path_describe,
    .get_attr = path_get_attr,
    .index = path_index,
};

/* The names a model's parameters start with (linear, lstm, conv, w), each
 * once, cut into `heads`; their count. */
static int path_heads(const ag_model *m, char heads[][32], const char **names, int max) {
    int n = 0;
    for (int i = 0, count = ag_model_param_count(m); i < count && n < max; i++) {
        const char *full = NULL;
        ag_model_param(m, i, &full);
        size_t len = full != NULL ? strcspn(full, ".[") : 0;
        if (len == 0 || len >= 32) continue;
        memcpy(heads[n], full, len);
        heads[n][len] = '\0';
        bool seen = false;
        for (int j = 0; j < n && !seen; j++) seen = strcmp(heads[j], heads[n]) == 0;
        if (!seen) names[n] = heads[n], n++;
    }
    return n;
}

/* A misspelt first step of a path (m.lienar): the nearest of the names the
 * parameters start with, or NULL.  The names are cut into `heads`. */
static const char *path_nearest(const ag_model *m, const char *name, char heads[][32], int max) {
    const char *candidates[32];
    int n = path_heads(m, heads, candidates, max < 32 ? max : 32);
    return repl_nearest_word(name, candidates, n);
}

/* The paths model m answers beside params ("linear", "conv, linear") for
 * the message on a name it has not (repl_object_type.attributes_of). */
static void model_attributes_of(const void *payload, char *buf, size_t size) {
    char heads[32][32];
    const char *names[32];
    int n = path_heads(payload, heads, names, 32);
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && at < size; i++) {
        int k = snprintf(buf + at, size - at, "%s%s", i > 0 ? ", " : "", names[i]);
        at = k < 0 ? size : at + (size_t)k;
    }
}

static bool model_has_method(const char *name);
static void layer_source(const ag_layer_spec *l, strbuf *b);

/* A path that ends at a layer without parameters: any name asked of a bare
 * max_pool (p.w), or a cnn's max_pool (c.max_pool[0].w; the engine names
 * the pools in drawings only, and its description, "cnn [conv2d(4, 3)
 * max_pool(2) 10] relu", is how the REPL sees that a cnn has any).  Says
 * what the layer is and why it has none; 1 when the path is not one. */
static int path_without_params(repl *r, const ag_model *m, const char *name) {
    ag_model_kind kind = ag_model_get_kind(m);
    ag_layer_spec l;
    if (kind == AG_MODEL_MAX_POOL && ag_model_layer_spec(m, &l) == 0) {
        strbuf what = {0};
        layer_source(&l, &what);
        int status = what.failed ? repl_error(r, "out of memory")
                                 : repl_error(r, "max_pool: no parameter %s (%s has no parameters: it only picks "
                                                 "the largest of each %dx%d window)",
                                              name, what.data, l.kernel, l.kernel);
        free(what.data);
        return status;
    }
    char text[4096]; /* 64 layers of at most ~40 characters */
    if (kind == AG_MODEL_CNN && strcmp(name, "max_pool") == 0 &&
        strstr(ag_model_describe(m, text, sizeof text), "max_pool(") != NULL)
        return repl_error(r, "cnn: no parameter max_pool (a max_pool layer has no parameters: it only picks the "
                             "largest of each window; print the model to see its kernel)");
    return 1;
}

/* m.params, or the path to parameters a name starts (m.linear, m.w of a
 * linear_layer: its parameter). */
static int model_get_attr(repl *r, void *payload, const char *name, repl_value *out) {
    if (strcmp(name, "params") == 0) {
        *out = value_object_new(&params_view_type, ag_model_ref(payload));
        return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
    }
    int status = path_value(r, payload, name, out);
    char heads[32][32];
    const char *near = status == 1 ? path_nearest(payload, name, heads, 32) : NULL;
    if (near != NULL) return repl_error(r, "a model has no attribute '%s'; did you mean '%s'?", name, near);
    if (status == 1 && !model_has_method(name)) status = path_without_params(r, payload, name);
    return status;
}

/* One definition per model kind for m(x), so argument messages name the kind. */
static const builtin_def model_call_defs[] = {
    [AG_MODEL_MLP] = {"mlp", "x", NULL, "models", NULL},
    [AG_MODEL_LSTM] = {"lstm", "x", NULL, "models", NULL},
    [AG_MODEL_RNN] = {"rnn", "x", NULL, "models", NULL},
    [AG_MODEL_LINEAR] = {"linear_layer", "x", NULL, "models", NULL},
    [AG_MODEL_LSTM_LAYER] = {"lstm_layer", "x", NULL, "models", NULL},
    [AG_MODEL_RNN_LAYER] = {"rnn_layer", "x", NULL, "models", NULL},
    [AG_MODEL_CNN] = {"cnn", "x", NULL, "models", NULL},
    [AG_MODEL_CONV2D] = {"conv2d_layer", "x", NULL, "models", NULL},
    [AG_MODEL_MAX_POOL] = {"max_pool", "x", NULL, "models", NULL},
    [AG_MODEL_BATCH_NORM] = {"batch_norm_layer", "x", NULL, "models", NULL},
};

/* m(x): one forward step, recording the graph as any op does. */
static int model_call(repl *r, void *payload, const builtin_args *args, repl_value *out) {
    ag_model *m = payload;
    ag_model_kind kind = ag_model_get_kind(m);
    if (args->count != 1)
        return repl_error(r, "%s: a model takes one input x (samples, features), got %d arguments",
                          ag_model_kind_name(kind), args->count);
    builtin_args named = *args;
    named.def = &model_call_defs[kind];
    ag_var *x;
    if (arg_var(r, &named, 0, &x) < 0) return -1;
    repl_notes_model_forward(r, m);
    ag_var *y = ag_model_forward(m, x);
    repl_notes_model_forward(r, NULL);
    if (y == NULL) return engine_error(r);
    *out = value_var(y);
    return out->kind == VALUE_VAR ? 0 : repl_error(r, "out of memory");
}

/* The model given as argument 0, or an error naming the method. */
static int arg_model(repl *r, const builtin_args *args, const char *method, ag_model **out) {
    repl_value v = args->values[0];
    char kind[64], text[48];
    *out = model_of(v);
    if (*out == NULL)
        return repl_error(r, "%s: %s must be a model (mlp, lstm, rnn, "
                             "linear_layer), not %s",
                          method, builtin_receiver(r, args, "the first argument", text, sizeof text),
                          value_with_article(v, kind, sizeof kind));
    return 0;
}

/* m.cleargrads(): forgets every parameter's gradient. */
static int fn_cleargrads(repl *r, const builtin_args *args, repl_value *out) {
    ag_model *m;
    char text[48];
    if (args->values[0].kind == VALUE_VAR) { /* x.cleargrads(): the one-variable form is meant */
        bool typed = builtin_arg_text(r, args, 0, true, text, sizeof text);
        return repl_error(r, "cleargrads: %s must be a model, not a variable; %s.cleargrad() forgets a variable's "
                             "gradient",
                          typed ? text : "the first argument", typed ? text : "x");
    }
    if (arg_model(r, args, "cleargrads", &m) < 0) return -1;
    ag_model_cleargrad(m);
    *out = VALUE_NIL_INIT;
    return 0;
}

/* m.reset_state(): forgets the hidden state of a recurrent model. */
static int fn_reset_state(repl *r, const builtin_args *args, repl_value *out) {
    ag_model *m;
    if (arg_model(r, args, "reset_state", &m) < 0) return -1;
    ag_model_reset_state(m);
    *out = VALUE_NIL_INIT;
    return 0;
}

/* save(m, FILE) / load(m, FILE): the weights as a safetensors file
 * (ag_model_save, ag_model_load), which PyTorch and NumPy read. */
static int fn_save(repl *r, const builtin_args *args, repl_value *out) {
    ag_model *m;
    const char *file;
    if (arg_model(r, args, "save", &m) < 0 || arg_string(r, args, 1, &file) < 0) return -1;
    size_t size;
    unsigned char *bytes = ag_model_save_bytes(m, &size);
    if (bytes == NULL) return engine_error(r);
    /* as dot, render and :save!: links followed, hard links and mode kept */
    int rc = repl_write_file(r, file, bytes, size, 0);
    int saved = errno;
    free(bytes);
    if (rc < 0) return repl_error(r, "save: cannot write %s: %s", file, repl_file_strerror(r, file, saved));
    size_t length = strlen(file);
    if ((length >= 3 && strcmp(file + length - 3, ".pt") == 0) || (length >= 4 && strcmp(file + length - 4, ".pth") == 0)) {
        /* torch.load reads torch.save's pickles, not this */
        fflush(r->io.out);
        fprintf(r->io.err, "note: %s holds safetensors, whatever its name: PyTorch reads it with "
                           "safetensors.torch.load_file, not torch.load (name it .safetensors)\n",
                file);
    }
    *out = VALUE_NIL_INIT;
    return 0;
}

static int fn_load(repl *r, const builtin_args *args, repl_value *out) {
    ag_model *m;
    const char *file;
    if (arg_model(r, args, "load", &m) < 0 || arg_string(r, args, 1, &file) < 0) return -1;
    /* opened below the session's folder, never waiting on a FIFO */
    int fd = repl_open_file(r, "load", file);
    if (fd < 0) return -1;
    size_t size = 0, capacity = 0;
    unsigned char *bytes = NULL;
    int error = 0;
    for (;;) {
        if (!ARRAY_RESERVE(bytes, capacity, size, 65536)) {
            error = ENOMEM;
            break;
        }
        ssize_t got = read(fd, bytes + size, capacity - size);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        if (got <= 0) break;
        size += (size_t)got;
    }
    close(fd);
    if (error) {
        free(bytes);
        return repl_error(r, "load: cannot read %s: %s", file, strerror(error));
    }
    int rc = ag_model_load_bytes(m, bytes, size, file);
    free(bytes);
    if (rc < 0) return engine_error(r);
    *out = VALUE_NIL_INIT;
    return 0;
}

static const builtin_def model_methods[] = {
    {"cleargrads", "model", fn_cleargrads, "models", "forgets every parameter's gradient"},
    {"zero_grad", "model", fn_cleargrads, "models", "the same as cleargrads (PyTorch's name)"},
    {"reset_state", "model", fn_reset_state, "models",
     "forgets the hidden state (h, c) of an lstm or rnn; a no-op for other models"},
};

static const char *const model_attributes[] = {"params", NULL};

/* Whether name is one of model_methods (m.cleargrads without the call). */
static bool model_has_method(const char *name) {
    for (size_t i = 0; i < sizeof model_methods / sizeof model_methods[0]; i++)
        if (strcmp(model_methods[i].name, name) == 0) return true;
    return false;
}

static const repl_object_type model_type = {
    .name = "model",
    .destroy = model_destroy,
    .describe = model_describe,
    .get_attr = model_get_attr,
    .call = model_call,
    .methods = model_methods,
    .nmethods = (int)(sizeof model_methods / sizeof model_methods[0]),
    .attributes = model_attributes,
    .attributes_of = model_attributes_of,
};

/* seed= when given (a whole number >= 0), else one drawn from the session's
 * generator, so unseeded models differ but a replayed session repeats. */
static int arg_seed(repl *r, const builtin_args *args, int index, uint64_t *seed) {
    if (!arg_given(args, index)) {
        ag_rng *rng = ag_ctx_rng(repl_ctx(r));
        uint64_t high = ag_rng_u32(rng);
        *seed = high << 32 | ag_rng_u32(rng);
        return 0;
    }
    double value;
    if (arg_number(r, args, index, &value) < 0) return -1;
    if (!(value >= 0 && value <= 9007199254740992.0 && value == floor(value))) {
        char number[AG_NUMBUF];
        return repl_error(r, "%s: seed must be a whole number >= 0 (got %s)", args->def->name,
                          ag_format_display(value, 0, number));
    }
    *seed = (uint64_t)value;
    return 0;
}

repl_value repl_model_value(ag_model *m) { return value_object_new(&model_type, m); }

static int wrap_model(repl *r, ag_model *m, repl_value *out) {
    if (m == NULL) return engine_error(r);
    *out = repl_model_value(m);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* activation= as the built-in itself (activation=relu) or its name ("relu"). */
static int arg_activation(repl *r, const builtin_args *args, int index, ag_activation *out) {
    repl_value v = args->values[index];
    const char *name = v.kind == VALUE_BUILTIN ? v.as.builtin->name
                       : v.kind == VALUE_STRING ? v.as.string->text
                                                : NULL;
    if (name != NULL && ag_activation_from_name(name, out) == 0) return 0;
    if (name != NULL)
        return repl_error(r, "%s: activation must be one of sigmoid, relu, tanh, gelu, not %s",
                          args->def->name, name);
    char kind[64];
    return repl_error(r, "%s: activation must be one of sigmoid, relu, tanh, gelu, not %s",
                      args->def->name, value_with_article(v, kind, sizeof kind));
}

/* mlp(sizes, activation=sigmoid, seed=nil) */
static int fn_mlp(repl *r, const builtin_args *args, repl_value *out) {
    int sizes[MAX_MLP_LAYERS], count;
    ag_activation activation;
    uint64_t seed;
    if (arg_ints(r, args, 0, sizes, MAX_MLP_LAYERS, &count) < 0) return -1;
    repl_value first_size = args->values[0];
    bool one_number = first_size.kind == VALUE_NUMBER || (first_size.kind == VALUE_VAR && ag_ndim(first_size.as.var) == 0);
    if (one_number && arg_positional(r, args, 1) &&
        (args->values[1].kind == VALUE_NUMBER || args->values[1].kind == VALUE_VAR)) {
        /* mlp(8, 2): the sizes as separate arguments, the second read as the activation */
        char first[AG_NUMBUF];
        return repl_error(r, "mlp: the layers' sizes go in one list, mlp([%s, ...]); the second argument is the "
                             "activation",
                          ag_format_display(sizes[0], 0, first));
    }
    if (arg_activation(r, args, 1, &activation) < 0) return -1;
    if (arg_seed(r, args, 2, &seed) < 0) return -1;
    return wrap_model(r, ag_mlp(repl_ctx(r), sizes, count, activation, seed), out);
}

/* lstm(hidden, out, seed=nil) and rnn(hidden, out, seed=nil) */
static int recurrent_model(repl *r, const builtin_args *args, bool lstm, repl_value *out) {
    int hidden, outputs;
    uint64_t seed;
    if (arg_int(r, args, 0, &hidden) < 0 || arg_int(r, args, 1, &outputs) < 0) return -1;
    if (arg_seed(r, args, 2, &seed) < 0) return -1;
    ag_ctx *ctx = repl_ctx(r);
    return wrap_model(r, lstm ? ag_lstm_model(ctx, hidden, outputs, seed)
                              : ag_rnn_model(ctx, hidden, outputs, seed),
                      out);
}

static int fn_lstm(repl *r, const builtin_args *args, repl_value *out) {
    return recurrent_model(r, args, true, out);
}

static int fn_rnn(repl *r, const builtin_args *args, repl_value *out) {
    return recurrent_model(r, args, false, out);
}

/* linear_layer(out, seed=nil, in_size=nil, nobias=false): y = x @ w + b, as
 * DeZero's L.Linear(out_size, nobias=, in_size=) */
static int fn_linear_layer(repl *r, const builtin_args *args, repl_value *out) {
    int outputs, in_size = 0;
    uint64_t seed;
    bool nobias;
    if (arg_int(r, args, 0, &outputs) < 0) return -1;
    if (arg_seed(r, args, 1, &seed) < 0) return -1;
    if (arg_given(args, 2) && arg_int(r, args, 2, &in_size) < 0) return -1;
    if (arg_given(args, 2) && in_size < 1)
        return repl_error(r, "linear_layer: in_size must be at least 1 (got %d); leave it out to size w "
                             "from the first input", in_size);
    if (arg_bool(r, args, 3, &nobias) < 0) return -1;
    return wrap_model(r, ag_linear_model_in_size(repl_ctx(r), outputs, in_size, !nobias, seed), out);
}

#define MAX_CNN_LAYERS 64 /* the layers a cnn([...]) call takes */

/* A cnn layer as the user writes it: 10, conv2d_layer(8, 3, padding=1), max_pool(2). */
static void layer_source(const ag_layer_spec *l, strbuf *b) {
    if (l->type == AG_LAYER_LINEAR) {
        strbuf_appendf(b, "%d", l->out);
        return;
    }
    if (l->type == AG_LAYER_CONV2D) strbuf_appendf(b, "conv2d_layer(%d, %d", l->out, l->kernel);
    else strbuf_appendf(b, "max_pool(%d", l->kernel);
    if (l->stride != (l->type == AG_LAYER_CONV2D ? 1 : 0)) strbuf_appendf(b, ", stride=%d", l->stride);
    if (l->padding != 0) strbuf_appendf(b, ", padding=%d", l->padding);
    strbuf_appendf(b, ")");
}

/* Refuses a layer list that can never run (ag_cnn_misplaced_layer, the
 * engine's check; ag_cnn words it in the engine's terms), in the user's
 * words: a conv2d_layer or max_pool after a linear layer, whose output is
 * (N, features), not images (cnn has no reshape).  Names the layer, the
 * linear layer before it and the list reordered to run as a call to paste. */
static int check_cnn_order(repl *r, const ag_layer_spec *layers, int n) {
    int linear = -1, order[MAX_CNN_LAYERS];
    int i = n <= MAX_CNN_LAYERS ? ag_cnn_misplaced_layer(layers, n, &linear, order) : -1;
    if (i < 0) return 0; /* (more layers than a call takes are refused before) */
    strbuf b = {0};
    const char *what = layers[i].type == AG_LAYER_CONV2D ? "conv2d_layer" : "max_pool";
    strbuf_appendf(&b, "cnn: layer %d, ", i + 1); /* counted from 1, as the ops count inputs */
    layer_source(&layers[i], &b);
    strbuf_appendf(&b, ", comes after layer %d, a linear layer of %d outputs, whose output is (N, features), "
                       "never the images (N, C, H, W) a %s needs (a cnn does not reshape back); put every "
                       "conv2d_layer and max_pool before the first size: cnn([",
                   linear + 1, layers[linear].out, what);
    for (int k = 0; k < n; k++) {
        if (k > 0) strbuf_appendf(&b, ", ");
        layer_source(&layers[order[k]], &b);
    }
    strbuf_appendf(&b, "])");
    char *text = strbuf_take(&b);
    int status = text != NULL ? repl_error(r, "%s", text) : repl_error(r, "out of memory");
    free(text);
    return status;
}

/* cnn()'s model of layers[0..n), its order checked, with the call's activation= and seed=. */
static int cnn_of_layers(repl *r, const builtin_args *args, const ag_layer_spec *layers, int n, repl_value *out) {
    if (check_cnn_order(r, layers, n) < 0) return -1;
    ag_activation activation;
    uint64_t seed;
    if (arg_activation(r, args, 1, &activation) < 0 || arg_seed(r, args, 2, &seed) < 0) return -1;
    return wrap_model(r, ag_cnn(repl_ctx(r), layers, n, activation, seed), out);
}

/* cnn(layers, activation=relu, seed=nil): layers is a list of conv2d_layer(...)
 * and max_pool(...) values (their settings are copied) and numbers (linear
 * layers of that many outputs). */
static int fn_cnn(repl *r, const builtin_args *args, repl_value *out) {
    repl_value v = args->values[0];
    char kind[64];
    ag_layer_spec layers[MAX_CNN_LAYERS];
    if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1) {
        /* cnn([16, 10]): a list of numbers only is a tensor by now; its
           entries are linear layers' sizes, as mlp's */
        size_t n = ag_size(v.as.var);
        if (n < 1 || n > MAX_CNN_LAYERS)
            return repl_error(r, "cnn: needs 1 to %d layers, got %zu", MAX_CNN_LAYERS, n);
        const double *sizes = ag_cdata(v.as.var);
        for (size_t i = 0; i < n; i++) {
            char number[AG_NUMBUF];
            if (!(sizes[i] >= 1 && sizes[i] <= 1e9 && sizes[i] == floor(sizes[i])))
                return repl_error(r, "cnn: layer %zu must be conv2d_layer(...), max_pool(...) or a linear layer's "
                                     "size, not %s", i, ag_format_display(sizes[i], 0, number));
            layers[i] = (ag_layer_spec){AG_LAYER_LINEAR, (int)sizes[i], 0, 0, 0};
        }
        return cnn_of_layers(r, args, layers, (int)n, out);
    }
    if (v.kind != VALUE_LIST)
        return repl_error(r, "cnn: layers must be a list of conv2d_layer(...), max_pool(...) and sizes, not %s",
                          value_with_article(v, kind, sizeof kind));
    int n = v.as.list->count;
    if (n < 1 || n > MAX_CNN_LAYERS) return repl_error(r, "cnn: needs 1 to %d layers, got %d", MAX_CNN_LAYERS, n);
    for (int i = 0; i < n; i++) {
        repl_value item = v.as.list->items[i];
        ag_model *m = model_of(item);
        if (m != NULL) {
            if (ag_model_layer_spec(m, &layers[i]) == 0) continue;
            ag_clear_error(ag_model_ctx(m)); /* not a layer: the message below says what is wrong */
        }
        double size = item.kind == VALUE_NUMBER ? item.as.number
                      : item.kind == VALUE_VAR && ag_size(item.as.var) == 1 ? ag_item(item.as.var)
                                                                           : NAN;
        if (!(size >= 1 && size <= 1e9 && size == floor(size)))
            return repl_error(r, "cnn: layer %d must be conv2d_layer(...), max_pool(...) or a linear layer's size, "
                                 "not %s", i + 1, value_with_article(item, kind, sizeof kind));
        layers[i] = (ag_layer_spec){AG_LAYER_LINEAR, (int)size, 0, 0, 0};
    }
    return cnn_of_layers(r, args, layers, n, out);
}

static int fn_conv2d_layer(repl *r, const builtin_args *args, repl_value *out) {
    int channels, kernel, stride, padding;
    uint64_t seed;
    repl_value k = args->values[1];
    if (k.kind == VALUE_VAR && ag_size(k.as.var) != 1) { /* PyTorch's Conv2d also takes (kH, kW): say why not */
        char shape[AG_SHAPEBUF];
        return repl_error(r, "conv2d_layer: kernel must be one integer, the side of a square kernel x kernel window "
                             "(a pair (kH, kW) is not taken; conv2d() takes one), not a variable of shape %s",
                          ag_shape_string(ag_ndim(k.as.var), ag_shape(k.as.var), shape));
    }
    if (arg_int(r, args, 0, &channels) < 0 || arg_int(r, args, 1, &kernel) < 0 || arg_int(r, args, 2, &stride) < 0 ||
        arg_int(r, args, 3, &padding) < 0 || arg_seed(r, args, 4, &seed) < 0)
        return -1;
    return wrap_model(r, ag_conv2d_layer(repl_ctx(r), channels, kernel, stride, padding, seed), out);
}

static int fn_max_pool(repl *r, const builtin_args *args, repl_value *out) {
    int kernel, stride = 0, padding;
    if (arg_int(r, args, 0, &kernel) < 0 || (arg_given(args, 1) && arg_int(r, args, 1, &stride) < 0) ||
        arg_int(r, args, 2, &padding) < 0)
        return -1;
    if (arg_given(args, 1) && stride == 0) /* the engine's 0 is the kernel, which stride=none asks for */
        return repl_error(r, "max_pool: stride should not be zero; stride=none, the default, is the kernel size");
    return wrap_model(r, ag_max_pool_layer(repl_ctx(r), kernel, stride, padding), out);
}

static int fn_batch_norm_layer(repl *r, const builtin_args *args, repl_value *out) {
    int features;
    double momentum, eps;
    if (arg_int(r, args, 0, &features) < 0 || arg_number(r, args, 1, &momentum) < 0 || arg_number(r, args, 2, &eps) < 0)
        return -1;
    return wrap_model(r, ag_batch_norm_layer(repl_ctx(r), features, momentum, eps), out);
}

/* ---- the table ------------------------------------------------------------------------- */

const builtin_def builtins_model[] = {
    {"mlp", "sizes, activation=sigmoid, seed=nil", fn_mlp, "models",
     "layers of sizes outputs, each but the last followed by the activation; m(x) runs it\n"
     "  m.params lists the weights; each is also read by the path the graph labels it with:\n"
     "  m.linear[0].w, m.linear[0].b, ... (an lstm's m.lstm.x2f.w, a linear_layer's m.w).",
     .function_only = true},
    {"lstm", "hidden, out, seed=nil", fn_lstm, "models",
     "an LSTM layer of hidden units, then a linear layer of out; m(x) is one time step",
     .function_only = true},
    {"rnn", "hidden, out, seed=nil", fn_rnn, "models",
     "a tanh RNN layer of hidden units, then a linear layer of out; m(x) is one time step",
     .function_only = true},
    {"linear_layer", "out, seed=nil, in_size=nil, nobias=false", fn_linear_layer, "models",
     "one linear layer y = x @ w + b; w is made at the first call from x's features\n"
     "  in_size=N makes w [N out] at once (m.params lists it before any call); nobias=true\n"
     "  leaves b out (y = x @ w), as DeZero's L.Linear(out_size, nobias=, in_size=).",
     .function_only = true},
    {"cnn", "layers, activation=relu, seed=nil", fn_cnn, "models",
     "a convolutional network: layers is a list of conv2d_layer(...), max_pool(...) and sizes of linear layers;\n"
     "  every conv and linear layer but the last is followed by the activation, images are flattened\n"
     "  before the first linear layer (so conv2d_layer and max_pool come before every size: a list\n"
     "  with one after a size is refused when built); parameters m.conv[0].w (OC, C, K, K), m.conv[0].b, m.linear[0].w...\n"
     "  made at the first call (or by load; a call that fails makes none): the first linear layer is as wide\n"
     "  as those images' features, so later calls take images of their size",
     .function_only = true},
    {"conv2d_layer", "out_channels, kernel, stride=1, padding=0, seed=nil", fn_conv2d_layer, "models",
     "a conv2d layer (N, C, H, W) -> (N, out_channels, OH, OW) with its own w (out_channels, C, kernel, kernel)\n"
     "  made at the first call (randn / sqrt(C*kernel*kernel)) and b zeros; alone, or in cnn([...]);\n"
     "  kernel is one integer (square windows; conv2d() takes a pair)",
     .function_only = true},
    {"max_pool", "kernel, stride=nil, padding=0", fn_max_pool, "models",
     "a max_pool2d layer (stride defaults to the kernel; 0 is refused), without parameters: it picks the largest of each\n"
     "  window; alone, or in cnn([...])", .function_only = true},
    {"batch_norm_layer", "num_features, momentum=0.1, eps=1e-05", fn_batch_norm_layer, "models",
     "nn.BatchNorm2d (or 1d): batch_norm over the channels (axis 1) with its own w (ones) and b (zeros);\n"
     "  each call updates m.params' running_mean and running_var (no gradient), testmode { } uses them",
     .function_only = true},
    {"cleargrads", "model", fn_cleargrads, "models",
     "m.cleargrads(): forgets every parameter's gradient"},
    {"reset_state", "model", fn_reset_state, "models",
     "m.reset_state(): forgets the hidden state of an lstm or rnn"},
    {"save", "model, file", fn_save, "models",
     "writes the model's weights to file as safetensors (PyTorch reads it; names like linear.0.w)",
     .file_arg = 2},
    {"load", "model, file", fn_load, "models",
     "reads weights save wrote into the model; weights made at the first call are made from the file's shapes",
     .file_arg = 2,
     .usage = "takes the model to fill and the file: load(m, \"m.safetensors\"), as save(m, \"m.safetensors\") wrote it"},
    {0},
};
