/* builtins_optim.c — optimizers and hooks as REPL built-ins
 *.
 *
 * Two object types wrap the engine (ag_optim.h):
 *   optimizer   one per engine kind (sgd, adam, ...): methods update, step, reset_grad;
 *               attributes state, t, lr and the kind's other settings
 *               (momentum, beta1, ...), each readable and settable
 *   hook        weight_decay(lambda), clip_grad(max_norm), for hooks=[...]
 *   and a printable view: opt.state (t, then a table of each parameter's
 *               state, frozen when it was read)
 *
 * Decisions the SPEC leaves open:
 *   - The bound form puts what to bind first (sgd([x0, x1], lr=0.1)), so a
 *     number there is an error that asks for lr by name: sgd(lr=0.1).
 *   - opt.update(...) skips parameters without a gradient, as the engine
 *     does; when NONE of them has one the call is an error and nothing
 *     changes (not even t), since that is always a forgotten backward().
 *     opt.step() does the same for the bound parameters.
 *   - Methods are also plain built-ins (update(opt, x)): every method
 *     is also a function of its object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "builtins.h"
#include "repl_internal.h"
#include "strbuf.h"

/* Numbers shown per tensor cell of opt.state before "...". */
#define STATE_CELL_NUMBERS 3

/* ---- hooks ------------------------------------------------------------------------ */

typedef struct hook_object {
    ag_hook_kind kind;
    double value;
} hook_object;

static char *hook_describe(const void *payload) {
    const hook_object *h = payload;
    char number[AG_NUMBUF], buf[96];
    snprintf(buf, sizeof buf, "%s(%s)", ag_hook_kind_name(h->kind),
             ag_format_display(h->value, 0, number));
    return strdup(buf);
}

static const repl_object_type hook_type = {
    .name = "hook",
    .destroy = free,
    .describe = hook_describe,
    .used = "an optimizer applies it to the gradients before each step: sgd(params, lr=0.1, hooks=[...]) or "
            "opt.add_hook(...)",
};

static int make_hook(repl *r, const builtin_args *args, ag_hook_kind kind, repl_value *out) {
    double value;
    if (arg_number(r, args, 0, &value) < 0) return -1;
    if (ag_hook_validate(repl_ctx(r), kind, value) < 0) return engine_error(r);
    hook_object *h = malloc(sizeof *h);
    if (h == NULL) return repl_error(r, "out of memory");
    *h = (hook_object){kind, value};
    *out = value_object_new(&hook_type, h);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* weight_decay(lambda): a hook adding lambda*p to every gradient. */
static int fn_weight_decay(repl *r, const builtin_args *args, repl_value *out) {
    return make_hook(r, args, AG_HOOK_WEIGHT_DECAY, out);
}

/* clip_grad(max_norm): a hook scaling all gradients to a global norm <= max_norm. */
static int fn_clip_grad(repl *r, const builtin_args *args, repl_value *out) {
    return make_hook(r, args, AG_HOOK_CLIP_GRAD, out);
}

/* ---- text views: opt.state ------------------------------------------------------------ */

/* A fixed multi-line text that prints raw (describe returns a copy). */
static char *text_view_describe(const void *payload) { return strdup(payload); }

static const repl_object_type state_view_type = {
    .name = "optimizer state",
    .destroy = free,
    .describe = text_view_describe,
    .used = "opt.state is a table to read, print(opt.state); the optimizer's methods are opt.step(), "
            "opt.zero_grad(), ...",
};

/* ---- optimizers ------------------------------------------------------------------------- */

typedef struct optimizer_object {
    ag_optim *opt;
    /* What the optimizer is bound to, as the user gave it (a list of
     * variables or a model object), kept to check for gradients before a
     * step; VALUE_NIL when unbound.  The engine holds its own binding. */
    repl_value bound;
    /* An unbound optimizer's last opt.update(...) arguments (a list of
     * model or variables), so that opt.reset_grad() clears what it updates,
     * as PyTorch's zero_grad clears the optimizer's parameters. */
    repl_value updated;
    const char *kind; /* "sgd", for messages (the engine's config is a copy to make) */
} optimizer_object;

static void optimizer_destroy(void *payload) {
    optimizer_object *o = payload;
    ag_optim_free(o->opt);
    value_release(o->bound);
    value_release(o->updated);
    free(o);
}

static char *optimizer_describe(const void *payload) {
    const optimizer_object *o = payload;
    char buf[1024];
    return strdup(ag_optim_describe(o->opt, buf, sizeof buf));
}

static const char *kind_of(const optimizer_object *o) { return o->kind; }

/* "sgd.update" into buf (n > 1), for messages: joined by hand, as it is
 * made at every step of a training loop (snprintf was 1,700 instructions of
 * a small MLP's step). */
static const char *method_label(const optimizer_object *o, const char *method, char *buf, size_t n) {
    const char *kind = kind_of(o);
    size_t k = strlen(kind), m = strlen(method);
    if (k + 1 + m >= n) { /* no kind's name is that long; the kind alone, cut */
        k = k < n - 1 ? k : n - 1;
        memcpy(buf, kind, k);
        buf[k] = '\0';
        return buf;
    }
    memcpy(buf, kind, k);
    buf[k] = '.';
    memcpy(buf + k + 1, method, m + 1);
    return buf;
}

/* One cell of opt.state: a scalar as its number; a tensor as its shape and
 * first numbers ("[2 3] 0.1 0.2 0.3 ..."). */
static void state_cell(const ag_optim_state *s, const double *values, int digits, char *buf,
                       size_t n) {
    char number[AG_NUMBUF];
    if (s->size == 1) {
        snprintf(buf, n, "%s", ag_format_display(values[0], digits, number));
        return;
    }
    char shape[AG_SHAPEBUF];
    size_t used = (size_t)snprintf(buf, n, "%s",
                                   ag_shape_string(ag_ndim(s->param), ag_shape(s->param), shape));
    size_t shown = s->size <= STATE_CELL_NUMBERS + 1 ? s->size : STATE_CELL_NUMBERS;
    for (size_t k = 0; k < shown && used < n; k++)
        used += (size_t)snprintf(buf + used, n - used, " %s",
                                 ag_format_display(values[k], digits, number));
    if (shown < s->size && used < n) snprintf(buf + used, n - used, " ...");
}

/* The text of opt.state: one row per parameter with its state arrays. */
static char *state_text(const ag_optim *opt, int digits) {
    ag_optim_kind kind_id = ag_optim_get_config(opt).kind;
    const char *kind = ag_optim_kind_name(kind_id);
    long t = ag_optim_step_count(opt);
    int count = ag_optim_state_count(opt);
    strbuf out = {0};
    if (kind_id == AG_SGD && ag_optim_get(opt, "momentum") == 0) {
        strbuf_appendf(&out, "%s state, t=%ld: none (sgd without momentum keeps no state)", kind,
                     t);
        return strbuf_take(&out);
    }
    if (count == 0) {
        strbuf_appendf(&out, "%s state, t=%ld: none yet (a parameter's state is made at its "
                           "first update)",
                     kind, t);
        return strbuf_take(&out);
    }
    /* t is the optimizer's (Adam's bias correction uses it for every
     * parameter), so it heads the table rather than sitting in each row. */
    /* one column per state array, named as the kind's row names them */
    enum { MAX_ARRAYS = 4 };
    const char *header[1 + MAX_ARRAYS] = {"param"};
    int narrays = 0;
    while (narrays < MAX_ARRAYS && (header[1 + narrays] = ag_optim_state_name(kind_id, narrays)) != NULL)
        narrays++;
    /* a configuration may use fewer arrays than its kind names (rmsprop
     * keeps no momentum buffer at momentum 0): the ones it has */
    while (narrays > 0 && ag_optim_state_array(opt, 0, header[narrays]) == NULL) narrays--;
    strbuf_appendf(&out, "%s state, t=%ld\n", kind, t);
    text_table tb = {.columns = 1 + narrays};
    text_table_add_row(&tb, header);
    for (int i = 0; i < count; i++) {
        ag_optim_state s;
        if (ag_optim_state_at(opt, i, &s) < 0) continue;
        char text[MAX_ARRAYS][512];
        const char *cells[1 + MAX_ARRAYS] = {s.name && s.name[0] ? s.name : "<unnamed>"};
        for (int k = 0; k < narrays; k++) {
            state_cell(&s, ag_optim_state_array(opt, i, header[1 + k]), digits, text[k], sizeof text[k]);
            cells[1 + k] = text[k];
        }
        text_table_add_row(&tb, cells);
    }
    if (!tb.failed) text_table_render(&tb, &out);
    else out.failed = true;
    text_table_free(&tb);
    return strbuf_take(&out);
}

static int optimizer_get_attr(repl *r, void *payload, const char *name, repl_value *out) {
    optimizer_object *o = payload;
    if (strcmp(name, "state") == 0) {
        char *s = state_text(o->opt, repl_digits(r));
        if (s == NULL) return repl_error(r, "out of memory");
        *out = value_object_new(&state_view_type, s);
        return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
    }
    if (strcmp(name, "t") == 0) {
        *out = value_number((double)ag_optim_step_count(o->opt));
        return 0;
    }
    double setting = ag_optim_get(o->opt, name); /* lr, and every hyper-parameter opt.NAME = sets */
    if (isnan(setting)) return 1;
    *out = value_number(setting);
    return 0;
}

/* The kind's settings beyond lr ("momentum, weight_decay"), readable and
 * settable, for the message on a name it has not (attributes_of). */
static void optimizer_attributes_of(const void *payload, char *buf, size_t size) {
    const optimizer_object *o = payload;
    ag_optim_kind kind = ag_optim_get_config(o->opt).kind;
    size_t at = 0;
    buf[0] = '\0';
    const char *name;
    for (int i = 1; (name = ag_optim_param(kind, i, NULL)) != NULL && at < size; i++) {
        int k = snprintf(buf + at, size - at, "%s%s", i > 1 ? ", " : "", name);
        at = k < 0 ? size : at + (size_t)k;
    }
}

/* opt.lr = v, and any other hyper-parameter of the kind (opt.momentum =
 * 0.95): checked against its range by the engine, nothing changed when
 * refused. */
static int optimizer_set_attr(repl *r, void *payload, const char *name, repl_value v) {
    optimizer_object *o = payload;
    if (isnan(ag_optim_get(o->opt, name))) return 1;
    double value;
    char buf[64];
    if (!eval_scalar_of(v, &value))
        return repl_error(r, "%s.%s must be a number, not %s", ag_optim_kind_name(ag_optim_get_config(o->opt).kind), name,
                          value_with_article(v, buf, sizeof buf));
    if (ag_optim_set(o->opt, name, value) < 0) return engine_error(r);
    return 0;
}

static const repl_object_type optimizer_type;

ag_optim *repl_optimizer_of(repl_value v) {
    if (v.kind != VALUE_OBJECT || v.as.object->type != &optimizer_type) return NULL;
    return ((optimizer_object *)v.as.object->payload)->opt;
}

/* The engine's kinds, "sgd, momentum, adam, adamw, ...", for messages. */
static const char *optimizer_kinds_text(void) {
    static char text[256];
    if (text[0] == '\0')
        for (int k = 0, used = 0; k < AG_OPTIM_KIND_COUNT && used < (int)sizeof text; k++)
            used += snprintf(text + used, sizeof text - (size_t)used, "%s%s", k ? ", " : "",
                             ag_optim_kind_name((ag_optim_kind)k));
    return text;
}

/* The optimizer given as argument 0, or an error naming the method. */
static int arg_optimizer(repl *r, const builtin_args *args, const char *method,
                         optimizer_object **out) {
    repl_value v = args->values[0];
    char kind[64], text[48];
    if (v.kind != VALUE_OBJECT || v.as.object->type != &optimizer_type)
        return repl_error(r, "%s: %s must be an optimizer (%s), not %s", method,
                          builtin_receiver(r, args, "the first argument", text, sizeof text), optimizer_kinds_text(),
                          value_with_article(v, kind, sizeof kind));
    *out = v.as.object->payload;
    return 0;
}

/* Appends the variables of v (a variable, or a list of them) to *params;
 * -1 after an error naming `what` ("sgd.update"). */
static int collect_variables(repl *r, repl_value v, const char *what, ag_var ***params, int *n,
                             size_t *capacity) {
    const repl_value *items = &v;
    int count = 1;
    if (v.kind == VALUE_LIST) {
        items = v.as.list->items;
        count = v.as.list->count;
    }
    for (int i = 0; i < count; i++) {
        repl_value item = items[i];
        if (item.kind != VALUE_VAR) {
            if (item.kind == VALUE_NIL && item.as.string != NULL)
                return repl_error(r, "%s: %s is none, not a parameter", what,
                                  item.as.string->text);
            char kind[64];
            return repl_error(r, "%s: parameters must be variables (or one model), not %s",
                              what, value_with_article(item, kind, sizeof kind));
        }
        if (!ARRAY_RESERVE(*params, *capacity, (size_t)*n, 1)) return repl_error(r, "out of memory");
        (*params)[(*n)++] = item.as.var;
    }
    return 0;
}

static bool any_gradient(ag_var *const *params, int n) {
    for (int i = 0; i < n; i++)
        if (ag_grad(params[i]) != NULL) return true;
    return false;
}

static bool model_has_gradient(const ag_model *m) {
    for (int i = 0, n = ag_model_param_count(m); i < n; i++)
        if (ag_grad(ag_model_param(m, i, NULL)) != NULL) return true;
    return false;
}

/* Updates what `targets` holds: one model (or its params view), or
 * variables and lists of variables.  `what` ("sgd.update") and `none`
 * ("no parameter") start the messages. */
static int update_targets(repl *r, optimizer_object *o, const repl_value *targets, int count,
                          const char *what, const char *none) {
    restore_note_all(r); /* the parameters' data change in place (:save, restore.c) */
    ag_model *m = count == 1 ? repl_model_of(targets[0]) : NULL;
    if (m != NULL) {
        /* the parameters read once: a small model's on the stack (once a step) */
        int count = ag_model_param_count(m);
        ag_var *few[16], **params = few;
        if (count > 16 && (params = malloc((size_t)count * sizeof *params)) == NULL)
            return model_has_gradient(m) ? repl_error(r, "out of memory")
                                         : repl_error(r, "%s: %s has a gradient yet; run backward() first",
                                                      what, none);
        for (int i = 0; i < count; i++) params[i] = ag_model_param(m, i, NULL);
        if (!any_gradient(params, count)) {
            if (params != few) free(params);
            return repl_error(r, "%s: %s has a gradient yet; run backward() first", what, none);
        }
        repl_note_summed_update(r, what, params, count);
        if (params != few) free(params);
        return ag_optim_update_model(o->opt, m) < 0 ? engine_error(r) : 0;
    }
    ag_var **params = NULL;
    int n = 0, status = 0;
    size_t capacity = 0;
    if (count == 0 && o->bound.kind != VALUE_NIL) /* made with its parameters: step() is the call */
        status = repl_error(r, "%s: no parameters given; this optimizer was made with its parameters: "
                               "opt.step() updates them",
                            what);
    else if (count == 0)
        status = repl_error(r, "%s: no parameters given; use opt.update(x0, x1) or "
                               "opt.update(model)",
                            what);
    for (int i = 0; i < count && status == 0; i++) {
        if (repl_model_of(targets[i]) != NULL)
            status = repl_error(r, "%s: give one model on its own, or variables, not both", what);
        else
            status = collect_variables(r, targets[i], what, &params, &n, &capacity);
    }
    if (status == 0 && !any_gradient(params, n))
        status = repl_error(r, "%s: %s has a gradient yet; run backward() first", what, none);
    if (status == 0) repl_note_summed_update(r, what, params, n);
    if (status == 0 && ag_optim_update(o->opt, params, n) < 0) status = engine_error(r);
    free(params);
    return status;
}

/* opt.update(params...) / opt.update(model) */
static int fn_update(repl *r, const builtin_args *args, repl_value *out) {
    optimizer_object *o;
    if (arg_optimizer(r, args, "update", &o) < 0) return -1;
    char what[64];
    method_label(o, "update", what, sizeof what);
    const value_list *targets = args->values[1].as.list;
    if (update_targets(r, o, targets->items, targets->count, what, "no parameter") < 0) return -1;
    if (o->bound.kind == VALUE_NIL && (o->updated.kind != VALUE_LIST || o->updated.as.list != targets)) {
        value_release(o->updated);
        o->updated = value_copy(args->values[1]);
    }
    *out = VALUE_NIL_INIT;
    return 0;
}

static int unbound_error(repl *r, const optimizer_object *o) {
    return repl_error(r, "%s: no parameters bound; use opt.update(params...) or %s([x0, x1], "
                         "lr=...)",
                      kind_of(o), kind_of(o));
}

/* opt.step(): updates the parameters bound at construction. */
static int fn_step(repl *r, const builtin_args *args, repl_value *out) {
    optimizer_object *o;
    if (arg_optimizer(r, args, "step", &o) < 0) return -1;
    if (o->bound.kind == VALUE_NIL) return unbound_error(r, o);
    char what[64];
    method_label(o, "step", what, sizeof what);
    if (update_targets(r, o, &o->bound, 1, what, "no bound parameter") < 0) return -1;
    *out = VALUE_NIL_INIT;
    return 0;
}

/* opt.reset_grad(): clears the bound parameters' gradients; an unbound
 * optimizer's, those of what its last opt.update(...) was given. */
static int fn_reset_grad(repl *r, const builtin_args *args, repl_value *out) {
    optimizer_object *o = NULL; /* set when arg_optimizer succeeds; GCC cannot tell */
    if (arg_optimizer(r, args, "reset_grad", &o) < 0) return -1;
    *out = VALUE_NIL_INIT;
    if (o->bound.kind != VALUE_NIL) {
        ag_optim_cleargrad(o->opt);
        return 0;
    }
    /* nothing updated yet (a loop's first reset, backward, update): nothing to clear */
    if (o->updated.kind != VALUE_LIST) return 0;
    const value_list *targets = o->updated.as.list;
    ag_model *m = targets->count == 1 ? repl_model_of(targets->items[0]) : NULL;
    if (m != NULL) {
        ag_model_cleargrad(m);
        return 0;
    }
    ag_var **params = NULL;
    int n = 0, status = 0;
    size_t capacity = 0;
    char what[64];
    method_label(o, "reset_grad", what, sizeof what);
    for (int i = 0; i < targets->count && status == 0; i++)
        status = collect_variables(r, targets->items[i], what, &params, &n, &capacity);
    for (int i = 0; status == 0 && i < n; i++) ag_cleargrad(params[i]);
    free(params);
    return status;
}

/* Adds the hooks v holds (a list of hook objects, or one) to opt; `who`
 * ("sgd", "sgd.add_hook") starts the messages, which speak of hooks=[...]
 * when `keyword`. */
static int add_hooks(repl *r, repl_value v, const char *who, bool keyword, ag_optim *opt) {
    if (v.kind == VALUE_NIL) return 0;
    const repl_value *items = &v;
    int count = 1;
    if (v.kind == VALUE_LIST) {
        items = v.as.list->items;
        count = v.as.list->count;
    }
    for (int i = 0; i < count; i++) {
        repl_value item = items[i];
        char kind[64];
        if (item.kind != VALUE_OBJECT || item.as.object->type != &hook_type)
            return keyword ? repl_error(r, "%s: hooks must be a list of weight_decay(lambda) and "
                                           "clip_grad(max_norm), not one holding %s",
                                        who, value_with_article(item, kind, sizeof kind))
                           : repl_error(r, "%s: a hook is weight_decay(lambda) or clip_grad(max_norm), "
                                           "not %s",
                                        who, value_with_article(item, kind, sizeof kind));
        const hook_object *h = item.as.object->payload;
        if (ag_optim_add_hook(opt, h->kind, h->value) < 0) return engine_error(r);
    }
    return 0;
}

/* opt.add_hook(hook, ...): DeZero's optimizer.add_hook(WeightDecay(1e-4)),
 * run after the hooks already there, before every later update. */
static int fn_add_hook(repl *r, const builtin_args *args, repl_value *out) {
    optimizer_object *o;
    if (arg_optimizer(r, args, "add_hook", &o) < 0) return -1;
    char who[64];
    snprintf(who, sizeof who, "%s.add_hook", kind_of(o));
    if (args->values[1].as.list->count == 0)
        return repl_error(r, "%s: give the hook to add: opt.add_hook(weight_decay(1e-4)) or "
                             "opt.add_hook(clip_grad(1))",
                          who);
    if (add_hooks(r, args->values[1], who, false, o->opt) < 0) return -1;
    *out = VALUE_NIL_INIT;
    return 0;
}

static const builtin_def optimizer_methods[] = {
    {"update", "opt, *params", fn_update, "optimizers",
     "one update of the given parameters (or a model's) that have a gradient"},
    {"step", "opt", fn_step, "optimizers", "one update of the parameters bound at construction"},
    {"reset_grad", "opt", fn_reset_grad, "optimizers",
     "clears the gradients of the parameters bound at construction (unbound: of the last update's, none before one)"},
    {"zero_grad", "opt", fn_reset_grad, "optimizers", "the same as reset_grad (PyTorch's name)"},
    {"cleargrad", "opt", fn_reset_grad, "optimizers", "the same as reset_grad (DeZero's verb)"},
    {"add_hook", "opt, *hooks", fn_add_hook, "optimizers",
     "adds hooks run on the gradients before every later update, after those already there:\n"
     "  opt.add_hook(weight_decay(1e-4)), opt.add_hook(clip_grad(1)) (as hooks=[...] when made)"},
};

static const char *const optimizer_attributes[] = {"state", "t", "lr", NULL};

static const repl_object_type optimizer_type = {
    .name = "optimizer",
    .destroy = optimizer_destroy,
    .describe = optimizer_describe,
    .get_attr = optimizer_get_attr,
    .set_attr = optimizer_set_attr,
    .methods = optimizer_methods,
    .nmethods = (int)(sizeof optimizer_methods / sizeof optimizer_methods[0]),
    .attributes = optimizer_attributes,
    .attributes_of = optimizer_attributes_of,
};

/* Binds o to what the first argument names, keeping a copy in o->bound. */
static int bind_optimizer(repl *r, const builtin_args *args, optimizer_object *o) {
    repl_value v = args->values[0];
    const char *kind = args->def->name;
    if (v.kind == VALUE_NIL) return 0;
    if (v.kind == VALUE_NUMBER)
        return repl_error(r, "%s: the first argument is what to bind (a list of variables or a "
                             "model), not a number; give the learning rate by name: "
                             "%s(lr=0.1)",
                          kind, kind);
    ag_model *m = repl_model_of(v);
    if (m != NULL) {
        if (ag_optim_bind_model(o->opt, m) < 0) return engine_error(r);
        /* keep the model object itself, not a params view */
        o->bound = repl_model_value(ag_model_ref(m));
        return o->bound.kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
    }
    ag_var **params = NULL;
    int n = 0;
    size_t capacity = 0;
    char what[64];
    snprintf(what, sizeof what, "%s", kind);
    int status = collect_variables(r, v, what, &params, &n, &capacity);
    if (status == 0 && n == 0)
        status = repl_error(r, "%s: the list of parameters to bind is empty", kind);
    if (status == 0 && ag_optim_bind(o->opt, params, n) < 0) status = engine_error(r);
    if (status == 0) {
        o->bound = value_list_new(n);
        if (o->bound.kind != VALUE_LIST) status = repl_error(r, "out of memory");
        for (int i = 0; status == 0 && i < n; i++)
            o->bound.as.list->items[i] = value_var(params[i]);
    }
    free(params);
    return status;
}

/* Parameter positions shared by every optimizer's signature. */
enum { ARG_PARAMS = 0, ARG_LR = 1 };

/* Wraps opt (taken) with its hooks (the last argument) and binding. */
static int make_optimizer(repl *r, const builtin_args *args, ag_optim *opt, repl_value *out) {
    optimizer_object *o = malloc(sizeof *o);
    if (o == NULL) {
        ag_optim_free(opt);
        return repl_error(r, "out of memory");
    }
    *o = (optimizer_object){.opt = opt, .bound = VALUE_NIL_INIT, .updated = VALUE_NIL_INIT,
                            .kind = ag_optim_kind_name(ag_optim_get_config(opt).kind)};
    if (add_hooks(r, args->values[args->count - 1], args->def->name, true, opt) < 0 || bind_optimizer(r, args, o) < 0) {
        optimizer_destroy(o);
        return -1;
    }
    *out = value_object_new(&optimizer_type, o);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* sgd(...), momentum(...), adam(...), adamw(...): the kind named like the
 * built-in with its defaults, then every parameter between params and
 * hooks set by name (the signature's names are the engine's: lr, momentum,
 * beta1, ...; a test checks each row against the engine's table). */
static int fn_optimizer(repl *r, const builtin_args *args, repl_value *out) {
    int kind = ag_optim_kind_by_name(args->def->name);
    if (kind < 0) return repl_error(r, "%s: not an optimizer", args->def->name);
    const signature *s = builtin_signature_of(r, args->def);
    if (s == NULL) return -1;
    ag_optim *opt = ag_optim_new_kind(repl_ctx(r), (ag_optim_kind)kind);
    if (opt == NULL) return engine_error(r);
    for (int i = ARG_LR; i < args->count - 1; i++) {
        double value;
        if (arg_number(r, args, i, &value) < 0 || ag_optim_set(opt, s->params[i].name, value) < 0) {
            int rc = r->error.set ? -1 : engine_error(r);
            ag_optim_free(opt);
            return rc;
        }
    }
    return make_optimizer(r, args, opt, out);
}

/* ---- the table ------------------------------------------------------------------------- */

/* An optimizer's row is made from the engine's: one per AG_OPTIM_KIND_LIST
 * entry, its name the list's, its signature "params=nil, lr=0.01, ...,
 * hooks=[]" its hyper-parameters and defaults (ag_optim_param) and its help
 * the row's summary (ag_optim_kind_summary), or a longer text of the REPL's
 * below; both written here by builtins_optim_prepare before an optimizer's row
 * is read (builtins_all, or builtin_find finding one: a script that makes no
 * optimizer never formats their defaults, 0.29M instructions).
 * A new kind needs nothing here. */
#define OPTIMIZER_SIGNATURE_MAX 256
#define OPTIMIZER_HELP_MAX 1024
static char optimizer_signatures[AG_OPTIM_KIND_COUNT][OPTIMIZER_SIGNATURE_MAX];
static char optimizer_help[AG_OPTIM_KIND_COUNT][OPTIMIZER_HELP_MAX];

/* What :help says of a kind beyond the engine's summary: sgd's call form
 * and how it differs from torch.optim.SGD. */
static const struct {
    ag_optim_kind kind;
    const char *help;
} optimizer_notes[] = {
    {AG_SGD, "SGD with momentum as an average (the seeds' form): u = m*u + (1-m)*g, then\n"
             "  p = p*(1 - lr*wd) - lr*u (m = momentum, wd = weight_decay, g the gradient after hooks);\n"
             "  sgd([x0, x1], lr=0.1) binds x0, x1.\n"
             "  Not torch.optim.SGD: PyTorch's momentum is u = m*u + g (no 1-m; first step u = g), so\n"
             "  its steps grow to 1/(1-m) times ours (10x for m = 0.9); that form is momentum(lr, m)\n"
             "  here (the same numbers up to rounding).  PyTorch adds wd*p to g before the momentum.\n"
             "  With momentum=0 both are p - lr*(g + wd*p)."},
    {AG_ADAM, "Adam (upstream's form): lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t), p -= lr_t*m/(sqrt(v)+eps)\n"
              "  (t counts updates; weight_decay adds weight_decay*p to g first, as an L2 term).\n"
              "  Not quite torch.optim.Adam, which divides by sqrt(v_hat)+eps: ours is PyTorch's with\n"
              "  eps/sqrt(1-beta2^t) in eps's place: at eps=1e-8 the two paths part by about 1e-6 of\n"
              "  the distance moved (more where the gradients are near 0)."},
    {AG_ADAMW, "Adam with decoupled weight decay (upstream's form): the Adam step, then\n"
               "  p *= 1 - lr_t*weight_decay, with adam's bias-corrected lr_t.\n"
               "  Not torch.optim.AdamW, which decays first and by the plain lr: p *= 1 - lr*weight_decay,\n"
               "  then the step: from p = 1, one step at lr=0.1, weight_decay=0.1 gives 0.897 here,\n"
               "  0.89 in PyTorch.  With weight_decay=0 both are adam."},
};

static bool optimizer_rows_prepared;

void builtins_optim_prepare(void) {
    if (optimizer_rows_prepared) return;
    optimizer_rows_prepared = true;
    for (int k = 0; k < AG_OPTIM_KIND_COUNT; k++) {
        char *text = optimizer_signatures[k];
        size_t size = OPTIMIZER_SIGNATURE_MAX;
        int used = snprintf(text, size, "params=nil");
        double fallback;
        const char *name;
        for (int i = 0; (name = ag_optim_param((ag_optim_kind)k, i, &fallback)) != NULL; i++) {
            char number[AG_NUMBUF];
            ag_format_double(fallback, 0, number);
            char *zero = strstr(number, "e-0"); /* 1e-8 as written in code, not 1e-08 */
            if (zero != NULL) memmove(zero + 2, zero + 3, strlen(zero + 3) + 1);
            used += snprintf(text + used, size - (size_t)used, ", %s=%s", name, number);
        }
        snprintf(text + used, size - (size_t)used, ", hooks=[]");
        const char *help = ag_optim_kind_summary((ag_optim_kind)k);
        for (size_t i = 0; i < sizeof optimizer_notes / sizeof optimizer_notes[0]; i++)
            if (optimizer_notes[i].kind == (ag_optim_kind)k) help = optimizer_notes[i].help;
        snprintf(optimizer_help[k], OPTIMIZER_HELP_MAX, "%s", help);
    }
}

void builtins_optim_prepare_row(const builtin_def *def) {
    for (int k = 0; k < AG_OPTIM_KIND_COUNT && !optimizer_rows_prepared; k++)
        if (def->signature == optimizer_signatures[k] || def->help == optimizer_help[k]) builtins_optim_prepare();
}

#define OPTIMIZER_ROW(ID, name)                                                                          \
    {#name, optimizer_signatures[AG_##ID], fn_optimizer, "optimizers", optimizer_help[AG_##ID], \
     .function_only = true},

const builtin_def builtins_optim[] = {
    AG_OPTIM_KIND_LIST(OPTIMIZER_ROW)
    {"weight_decay", "lambda", fn_weight_decay, "optimizers",
     "a hook for hooks=[...]: g += lambda*p before each update", .function_only = true},
    {"clip_grad", "max_norm", fn_clip_grad, "optimizers",
     "a hook for hooks=[...]: scales all gradients so their global L2 norm is <= max_norm",
     .function_only = true},
    {"update", "opt, *params", fn_update, "optimizers",
     "opt.update(x0, x1) or opt.update(model): one update of the parameters with a gradient"},
    {"step", "opt", fn_step, "optimizers", "opt.step(): one update of the bound parameters"},
    {"reset_grad", "opt", fn_reset_grad, "optimizers",
     "opt.reset_grad(): clears the bound parameters' gradients (unbound: those opt.update(...) last updated)"},
    {0},
};
