/* optim.c — the optimizers (upstream's optimizer package, plus sgd momentum
 * and weight decay, adam's eps and weight decay, adagrad and rmsprop): their
 * hyper-parameters, per-parameter state keyed by the parameter variable,
 * binding, and the update itself.  Formulas are in ag_optim.h. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "ag_optim.h"
#include "internal.h"
#include "util/array.h"
#include "util/ptrmap.h"

#define OPTIM_MAX_PARAMS 8 /* hyper-parameters of a kind, lr included */
#define OPTIM_MAX_ARRAYS 4 /* state arrays per parameter */

/* One parameter's state; the arrays point into one block `data`. */
typedef struct state_entry {
    ag_var *param; /* retained while the entry exists */
    char *name;    /* the model's name for it, or NULL */
    size_t size;
    double *data;
    double *arrays[OPTIM_MAX_ARRAYS]; /* into data, by the kind's state names */
} state_entry;

typedef struct hook {
    ag_hook_kind kind;
    double value;
} hook;

struct ag_optim {
    ag_ctx *ctx;
    ctx_allocator alloc; /* its context's, kept to be freed after it (ag_ctx_free first) */
    ag_optim_kind kind;
    double hp[OPTIM_MAX_PARAMS]; /* hyper-parameters, in the order of the kind's row */
    long steps;
    hook *hooks;
    int nhooks;
    size_t hooks_capacity;
    state_entry *states;
    int nstates;
    size_t states_capacity;
    ptrmap state_index;     /* param -> index in states */
    ag_var **bound;          /* retained */
    int nbound;
    ag_model *bound_model; /* one owner reference */
    /* Scratch for one update, kept to avoid allocating every step. */
    ag_var **work;
    const char **work_names;
    int *work_states;
    size_t work_capacity, work_names_capacity, work_states_capacity;
    ptrmap work_seen;
};

/* ---- construction ---------------------------------------------------------- */

/* ---- the kinds: one row each ---------------------------------------------------
 * An optimizer kind is one row here (name, hyper-parameters with defaults
 * and ranges, state arrays, step) plus its step function below, its enum
 * value at the end of ag_optim_kind and its built-in row in
 * repl/builtins_optim.c (HACKING.md).  No public struct changes: settings
 * and state are reached by name (ag_optim_set, ag_optim_state_array). */

/* The values a hyper-parameter may take. */
typedef enum optim_range {
    RANGE_NONNEGATIVE, /* a finite number >= 0 */
    RANGE_BELOW_ONE,   /* in [0, 1) */
    RANGE_POSITIVE     /* a finite number > 0 (eps: 0 turns a zero gradient into 0/0) */
} optim_range;

typedef struct optim_param {
    const char *name;
    double fallback; /* its default */
    optim_range range;
} optim_param;

/* One optimizer kind (its name is AG_OPTIM_KIND_LIST's, in kind_names
 * below).  summary: its update in a line or two (agrepl's
 * `:help NAME`, ag_optim_kind_summary).  params: lr first, then the rest in the order they are
 * described; the step functions read them by these positions.  state_names:
 * the arrays each parameter's state holds, one after another in one block;
 * arrays: how many of them this configuration uses.  step_lr: the learning
 * rate of update t (NULL = lr).  step: one parameter's update with the
 * gradient g and its state block (NULL when arrays is 0). */
typedef struct optim_kind_def {
    const char *summary;
    optim_param params[OPTIM_MAX_PARAMS]; /* ends at a NULL name */
    const char *state_names[OPTIM_MAX_ARRAYS + 1]; /* ends at NULL */
    int (*arrays)(const double *hp);
    double (*step_lr)(const double *hp, long t);
    void (*step)(const double *hp, double lr_t, double *p, const double *g, double *state, size_t size);
} optim_kind_def;

/* Positions in the rows below (lr is always first). */
enum { LR = 0 };
enum { SGD_MOMENTUM = 1, SGD_WEIGHT_DECAY };
enum { MOMENTUM_FACTOR = 1 };
enum { ADAM_BETA1 = 1, ADAM_BETA2, ADAM_EPS, ADAM_WEIGHT_DECAY };
enum { ADAGRAD_LR_DECAY = 1, ADAGRAD_WEIGHT_DECAY, ADAGRAD_INITIAL, ADAGRAD_EPS };
enum { RMSPROP_ALPHA = 1, RMSPROP_EPS, RMSPROP_WEIGHT_DECAY, RMSPROP_MOMENTUM };

static int sgd_arrays(const double *hp) { return hp[SGD_MOMENTUM] != 0 ? 1 : 0; }
static int one_array(const double *hp) { return 1; }
static int two_arrays(const double *hp) { return 2; }
static double adam_lr(const double *hp, long steps);
static void sgd_step(const double *hp, double lr_t, double *p, const double *g, double *u, size_t size);
static void momentum_step(const double *hp, double lr_t, double *p, const double *g, double *v,
                          size_t size);
static void adam_step(const double *hp, double lr_t, double *p, const double *g, double *state,
                      size_t size);
static void adamw_step(const double *hp, double lr_t, double *p, const double *g, double *state,
                       size_t size);
static double adagrad_lr(const double *hp, long steps);
static void adagrad_step(const double *hp, double lr_t, double *p, const double *g, double *sum, size_t size);
static int rmsprop_arrays(const double *hp) { return hp[RMSPROP_MOMENTUM] != 0 ? 2 : 1; }
static void rmsprop_step(const double *hp, double lr_t, double *p, const double *g, double *state, size_t size);

#define ADAM_PARAMS(weight_decay)                                                                   \
    {{"lr", 0.001, RANGE_NONNEGATIVE}, {"beta1", 0.9, RANGE_BELOW_ONE}, {"beta2", 0.999, RANGE_BELOW_ONE}, \
     {"eps", 1e-8, RANGE_POSITIVE}, {"weight_decay", weight_decay, RANGE_NONNEGATIVE}}

static const optim_kind_def optim_kinds[] = {
    [AG_SGD] = {"SGD with momentum as an average: u = m*u + (1-m)*g, then p = p*(1 - lr*wd) - lr*u\n"
                "  (m = momentum, wd = weight_decay, g the gradient after hooks)",
                {{"lr", 0.01, RANGE_NONNEGATIVE}, {"momentum", 0, RANGE_BELOW_ONE},
                 {"weight_decay", 0, RANGE_NONNEGATIVE}},
                {"velocity"}, sgd_arrays, NULL, sgd_step},
    [AG_MOMENTUM] = {"heavy-ball momentum: v = momentum*v - lr*g, p = p + v",
                     {{"lr", 0.01, RANGE_NONNEGATIVE}, {"momentum", 0.9, RANGE_BELOW_ONE}},
                     {"velocity"}, one_array, NULL, momentum_step},
    [AG_ADAM] = {"Adam: lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t), p -= lr_t*m/(sqrt(v)+eps)",
                 ADAM_PARAMS(0), {"m", "v"}, two_arrays, adam_lr, adam_step},
    [AG_ADAMW] = {"Adam with decoupled weight decay: p *= 1 - lr_t*weight_decay",
                  ADAM_PARAMS(0.01), {"m", "v"}, two_arrays, adam_lr, adamw_step},
    [AG_ADAGRAD] = {"Adagrad (torch.optim.Adagrad): s += g*g, p -= lr_t*g/(sqrt(s)+eps), "
                    "lr_t = lr/(1+(t-1)*lr_decay)",
                    {{"lr", 0.01, RANGE_NONNEGATIVE}, {"lr_decay", 0, RANGE_NONNEGATIVE},
                     {"weight_decay", 0, RANGE_NONNEGATIVE}, {"initial_accumulator_value", 0, RANGE_NONNEGATIVE},
                     {"eps", 1e-10, RANGE_POSITIVE}},
                    {"sum"}, one_array, adagrad_lr, adagrad_step},
    [AG_RMSPROP] = {"RMSprop (torch.optim.RMSprop): v = alpha*v + (1-alpha)*g*g, p -= lr*g/(sqrt(v)+eps)\n"
                    "  (with momentum m: b = m*b + g/(sqrt(v)+eps), p -= lr*b)",
                    {{"lr", 0.01, RANGE_NONNEGATIVE}, {"alpha", 0.99, RANGE_BELOW_ONE},
                     {"eps", 1e-8, RANGE_POSITIVE}, {"weight_decay", 0, RANGE_NONNEGATIVE},
                     {"momentum", 0, RANGE_BELOW_ONE}},
                    {"square_avg", "momentum_buffer"}, rmsprop_arrays, NULL, rmsprop_step},
};
#undef ADAM_PARAMS

#define OPTIM_KIND_NAME(ID, name) [AG_##ID] = #name,
static const char *const kind_names[] = {AG_OPTIM_KIND_LIST(OPTIM_KIND_NAME)};
#undef OPTIM_KIND_NAME
static const char *row_name(const optim_kind_def *d) { return kind_names[d - optim_kinds]; }

/* Fails when the last kind has no row; a kind inserted before it without
 * one leaves a hole of zeros, which tests/unit/test_optim.c finds (no
 * summary). */
_Static_assert(sizeof optim_kinds / sizeof optim_kinds[0] == AG_OPTIM_KIND_COUNT,
               "one optim_kinds row per ag_optim_kind");

/* The row of kind, or NULL when kind is out of range. */
static const optim_kind_def *kind_def(ag_optim_kind kind) {
    return (int)kind >= 0 && kind < AG_OPTIM_KIND_COUNT ? &optim_kinds[kind] : NULL;
}

const char *ag_optim_kind_name(ag_optim_kind kind) {
    return kind_def(kind) ? kind_names[kind] : NULL;
}

const char *ag_optim_kind_summary(ag_optim_kind kind) {
    const optim_kind_def *d = kind_def(kind);
    return d ? d->summary : NULL;
}

int ag_optim_kind_by_name(const char *name) {
    for (int k = 0; name && k < AG_OPTIM_KIND_COUNT; k++)
        if (strcmp(kind_names[k], name) == 0) return k;
    return -1;
}

/* The position of the hyper-parameter `name` in d's row, or -1. */
static int param_index(const optim_kind_def *d, const char *name) {
    for (int i = 0; d && name && i < OPTIM_MAX_PARAMS && d->params[i].name; i++)
        if (strcmp(d->params[i].name, name) == 0) return i;
    return -1;
}

const char *ag_optim_param(ag_optim_kind kind, int i, double *fallback) {
    const optim_kind_def *d = kind_def(kind);
    if (d == NULL || i < 0 || i >= OPTIM_MAX_PARAMS || d->params[i].name == NULL) return NULL;
    if (fallback != NULL) *fallback = d->params[i].fallback;
    return d->params[i].name;
}

const char *ag_optim_param_range(ag_optim_kind kind, int i) {
    static const char *const ranges[] = {
        [RANGE_NONNEGATIVE] = "[0, inf)", [RANGE_BELOW_ONE] = "[0, 1)", [RANGE_POSITIVE] = "(0, inf)"};
    return ag_optim_param(kind, i, NULL) != NULL ? ranges[optim_kinds[kind].params[i].range] : NULL;
}

/* The member of the public config named `name` (the kinds of 1.0 use no
 * other names), or NULL. */
static double *config_member(ag_optim_config *c, const char *name) {
    if (strcmp(name, "lr") == 0) return &c->lr;
    if (strcmp(name, "momentum") == 0) return &c->momentum;
    if (strcmp(name, "beta1") == 0) return &c->beta1;
    if (strcmp(name, "beta2") == 0) return &c->beta2;
    if (strcmp(name, "eps") == 0) return &c->eps;
    if (strcmp(name, "weight_decay") == 0) return &c->weight_decay;
    return NULL;
}

ag_optim_config ag_optim_defaults(ag_optim_kind kind) {
    /* the members a kind has no hyper-parameter for keep these */
    ag_optim_config c = {kind, 0.001, 0, 0.9, 0.999, 1e-8, 0};
    const optim_kind_def *d = kind_def(kind);
    for (int i = 0; d && i < OPTIM_MAX_PARAMS && d->params[i].name; i++) {
        double *member = config_member(&c, d->params[i].name);
        if (member != NULL) *member = d->params[i].fallback;
    }
    return c;
}

double *ag_optim_config_field(ag_optim_config *c, const char *name) {
    if (c == NULL || name == NULL || param_index(kind_def(c->kind), name) < 0) return NULL;
    return config_member(c, name);
}

const char *ag_optim_state_name(ag_optim_kind kind, int i) {
    const optim_kind_def *d = kind_def(kind);
    return d && i >= 0 && i < OPTIM_MAX_ARRAYS ? d->state_names[i] : NULL;
}

/* value must lie in the range; else the error names the optimizer and the
 * hyper-parameter (with a hint for C callers when `hint`). */
static int check_value(ag_ctx *ctx, const char *optimizer, const optim_param *param, double value,
                       bool hint) {
    optim_range range = param->range;
    bool ok = isfinite(value) && (range == RANGE_POSITIVE ? value > 0 : value >= 0) &&
              (range != RANGE_BELOW_ONE || value < 1);
    if (ok) return 0;
    char number[AG_NUMBUF];
    ag_format_double(value, 0, number);
    ag_err code = isfinite(value) ? AG_ERR_ARG : AG_ERR_NONFINITE;
    if (range == RANGE_BELOW_ONE)
        ctx_error(ctx, code, "%s: %s must be in [0, 1) (got %s)", optimizer, param->name, number);
    else if (range == RANGE_POSITIVE)
        ctx_error(ctx, code, "%s: %s must be a finite number > 0 (got %s)%s", optimizer, param->name, number,
                  hint ? "; start from AG_OPTIM_INIT(kind) or ag_optim_defaults(kind)" : "");
    else
        ctx_error(ctx, code, "%s: %s must be a finite number >= 0 (got %s)", optimizer, param->name, number);
    return -1;
}

/* Checks hp against d's ranges: lr first, then the strictly positive ones
 * (their message is the one a config left at zero needs), then the rest. */
static int check_params_of(ag_ctx *ctx, const optim_kind_def *d, const double *hp, bool hint) {
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < OPTIM_MAX_PARAMS && d->params[i].name; i++) {
            bool positive = d->params[i].range == RANGE_POSITIVE;
            if ((pass == 0) != (i == LR) || (i != LR && (pass == 1) != positive)) continue;
            if (check_value(ctx, row_name(d), &d->params[i], hp[i], hint) < 0) return -1;
        }
    return 0;
}

/* The context is being freed (ctx_attach): the optimizer forgets its
 * variables and can then only be freed. */
static void detach(void *owner) {
    ag_optim *opt = owner;
    for (int i = 0; i < opt->nstates; i++) opt->states[i].param = NULL;
    alloc_free(&opt->alloc, opt->bound);
    opt->bound = NULL;
    opt->nbound = 0;
    opt->ctx = NULL;
}

/* A new optimizer of kind d with the hyper-parameters hp (checked). */
static ag_optim *make_optim(ag_ctx *ctx, ag_optim_kind kind, const double *hp, bool hint) {
    const optim_kind_def *d = kind_def(kind);
    if (d == NULL) return ctx_error(ctx, AG_ERR_ARG, "optimizer: unknown kind %d", (int)kind);
    if (check_params_of(ctx, d, hp, hint) < 0) return NULL;
    ag_optim *opt = ctx_calloc(ctx, 1, sizeof *opt);
    if (opt != NULL) opt->alloc = ctx->mem.alloc;
    if (opt == NULL || ctx_attach(ctx, opt, detach) < 0) {
        ctx_free(ctx, opt);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    opt->ctx = ctx;
    opt->state_index = (ptrmap){.realloc_fn = alloc_array_realloc, .user = &opt->alloc};
    opt->work_seen = (ptrmap){.realloc_fn = alloc_array_realloc, .user = &opt->alloc};
    opt->kind = kind;
    memcpy(opt->hp, hp, sizeof opt->hp);
    return opt;
}

ag_optim *ag_optim_new(ag_ctx *ctx, const ag_optim_config *config) {
    if (ctx == NULL) return NULL;
    if (config == NULL) return ctx_error(ctx, AG_ERR_ARG, "optimizer: the config is NULL");
    const optim_kind_def *d = kind_def(config->kind);
    if (d == NULL) return ctx_error(ctx, AG_ERR_ARG, "optimizer: unknown kind %d", (int)config->kind);
    double hp[OPTIM_MAX_PARAMS] = {0};
    ag_optim_config c = *config;
    for (int i = 0; i < OPTIM_MAX_PARAMS && d->params[i].name; i++) {
        const double *member = config_member(&c, d->params[i].name);
        hp[i] = member != NULL ? *member : d->params[i].fallback;
    }
    return make_optim(ctx, config->kind, hp, true);
}

ag_optim *ag_optim_new_kind(ag_ctx *ctx, ag_optim_kind kind) {
    if (ctx == NULL) return NULL;
    const optim_kind_def *d = kind_def(kind);
    if (d == NULL) return ctx_error(ctx, AG_ERR_ARG, "optimizer: unknown kind %d", (int)kind);
    double hp[OPTIM_MAX_PARAMS] = {0};
    for (int i = 0; i < OPTIM_MAX_PARAMS && d->params[i].name; i++) hp[i] = d->params[i].fallback;
    return make_optim(ctx, kind, hp, false);
}

ag_optim *ag_sgd(ag_ctx *ctx, double lr, double momentum, double weight_decay) {
    ag_optim_config c = ag_optim_defaults(AG_SGD);
    c.lr = lr;
    c.momentum = momentum;
    c.weight_decay = weight_decay;
    return ag_optim_new(ctx, &c);
}

ag_optim *ag_momentum(ag_ctx *ctx, double lr, double momentum) {
    ag_optim_config c = ag_optim_defaults(AG_MOMENTUM);
    c.lr = lr;
    c.momentum = momentum;
    return ag_optim_new(ctx, &c);
}

ag_optim *ag_adam(ag_ctx *ctx, double lr, double beta1, double beta2, double eps,
                  double weight_decay) {
    ag_optim_config c = {AG_ADAM, lr, 0, beta1, beta2, eps, weight_decay};
    return ag_optim_new(ctx, &c);
}

ag_optim *ag_adamw(ag_ctx *ctx, double lr, double beta1, double beta2, double eps,
                   double weight_decay) {
    ag_optim_config c = {AG_ADAMW, lr, 0, beta1, beta2, eps, weight_decay};
    return ag_optim_new(ctx, &c);
}

static void unbind(ag_optim *opt) {
    for (int i = 0; i < opt->nbound; i++) ag_release(opt->bound[i]);
    alloc_free(&opt->alloc, opt->bound);
    opt->bound = NULL;
    opt->nbound = 0;
    ag_model_unref(opt->bound_model);
    opt->bound_model = NULL;
}

void ag_optim_free(ag_optim *opt) {
    if (opt == NULL) return;
    ctx_detach(opt->ctx, opt);
    for (int i = 0; i < opt->nstates; i++) {
        ag_release(opt->states[i].param);
        alloc_free(&opt->alloc, opt->states[i].name);
        alloc_free(&opt->alloc, opt->states[i].data);
    }
    alloc_free(&opt->alloc, opt->states);
    ptrmap_free(&opt->state_index);
    unbind(opt);
    alloc_free(&opt->alloc, opt->hooks);
    alloc_free(&opt->alloc, opt->work);
    alloc_free(&opt->alloc, opt->work_names);
    alloc_free(&opt->alloc, opt->work_states);
    ptrmap_free(&opt->work_seen);
    alloc_free(&opt->alloc, opt);
}

ag_ctx *ag_optim_ctx(const ag_optim *opt) { return opt ? opt->ctx : NULL; }
/* With opt NULL, a config of kind AG_OPTIM_KIND_COUNT and every number NaN. */
ag_optim_config ag_optim_get_config(const ag_optim *opt) {
    if (opt == NULL)
        return (ag_optim_config){AG_OPTIM_KIND_COUNT, NAN, NAN, NAN, NAN, NAN, NAN};
    ag_optim_config c = ag_optim_defaults(opt->kind);
    const optim_kind_def *d = kind_def(opt->kind);
    for (int i = 0; i < OPTIM_MAX_PARAMS && d->params[i].name; i++) {
        double *member = config_member(&c, d->params[i].name);
        if (member != NULL) *member = opt->hp[i];
    }
    return c;
}
long ag_optim_step_count(const ag_optim *opt) { return opt ? opt->steps : 0; }
long ag_optim_steps(const ag_optim *opt) { return ag_optim_step_count(opt); }

int ag_optim_set(ag_optim *opt, const char *name, double value) {
    if (opt == NULL || opt->ctx == NULL) return -1; /* its context was freed: it can only be freed */
    if (name == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "optim_set: the name is NULL"), -1;
    const optim_kind_def *d = kind_def(opt->kind);
    int i = param_index(d, name);
    if (i < 0) {
        char names[160] = "";
        for (int k = 0, used = 0; k < OPTIM_MAX_PARAMS && d->params[k].name && used < (int)sizeof names; k++)
            used += snprintf(names + used, sizeof names - (size_t)used, "%s%s", k ? ", " : "",
                             d->params[k].name);
        ctx_error(opt->ctx, AG_ERR_ARG, "%s: no hyper-parameter '%s' (it has %s)", row_name(d), name, names);
        return -1;
    }
    if (check_value(opt->ctx, row_name(d), &d->params[i], value, false) < 0) return -1;
    opt->hp[i] = value;
    return 0;
}

double ag_optim_get(const ag_optim *opt, const char *name) {
    if (opt != NULL && name == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "optim_get: the name is NULL"), NAN;
    int i = opt != NULL ? param_index(kind_def(opt->kind), name) : -1;
    return i >= 0 ? opt->hp[i] : NAN;
}

int ag_optim_set_lr(ag_optim *opt, double lr) { return ag_optim_set(opt, "lr", lr); }

/* ---- hooks ------------------------------------------------------------------ */

int ag_optim_add_hook(ag_optim *opt, ag_hook_kind kind, double value) {
    if (opt == NULL || opt->ctx == NULL) return -1; /* its context was freed */
    if (ag_hook_validate(opt->ctx, kind, value) < 0) return -1;
    if (!ALLOC_ARRAY_RESERVE(&opt->alloc, opt->hooks, opt->hooks_capacity, (size_t)opt->nhooks, 1))
        return ctx_error(opt->ctx, AG_ERR_NOMEM, "out of memory"), -1;
    opt->hooks[opt->nhooks++] = (hook){kind, value};
    return 0;
}

int ag_optim_hook_count(const ag_optim *opt) { return opt ? opt->nhooks : 0; }

int ag_optim_hook(const ag_optim *opt, int i, double *value) {
    if (opt == NULL || i < 0 || i >= opt->nhooks) return -1;
    if (value != NULL) *value = opt->hooks[i].value;
    return (int)opt->hooks[i].kind;
}

/* ---- state ------------------------------------------------------------------ */

/* How many state arrays each parameter needs: sgd keeps a velocity only
 * with momentum; adam keeps m and v. */
static int arrays_per_param(const ag_optim *opt) {
    const optim_kind_def *d = kind_def(opt->kind);
    return d ? d->arrays(opt->hp) : 0;
}

/* The state index of param, made (zeroed) on first use; -1 when out of
 * memory.  The name is copied when the entry has none yet. */
static int state_for(ag_optim *opt, ag_var *param, const char *name) {
    size_t found = ptrmap_get(&opt->state_index, param);
    int index = found == PTRMAP_NONE ? -1 : (int)found;
    if (index < 0) {
        if (!ALLOC_ARRAY_RESERVE(&opt->alloc, opt->states, opt->states_capacity, (size_t)opt->nstates, 1)) return -1;
        if (!ptrmap_reserve(&opt->state_index, 1)) return -1;
        size_t size = ag_size(param);
        int arrays = arrays_per_param(opt);
        double *data = alloc_calloc(&opt->alloc, size * (size_t)arrays + 1, sizeof *data);
        if (data == NULL) return -1;
        state_entry *e = &opt->states[opt->nstates];
        *e = (state_entry){.param = param, .size = size, .data = data};
        for (int k = 0; k < arrays && k < OPTIM_MAX_ARRAYS; k++) e->arrays[k] = data + (size_t)k * size;
        ag_retain(param);
        index = opt->nstates++;
        ptrmap_put(&opt->state_index, param, (size_t)index); /* reserved: cannot fail */
    }
    state_entry *e = &opt->states[index];
    if (name != NULL && e->name == NULL) e->name = alloc_strdup(&opt->alloc, name); /* best effort */
    return index;
}

int ag_optim_state_count(const ag_optim *opt) { return opt ? opt->nstates : 0; }

const double *ag_optim_state_array(const ag_optim *opt, int i, const char *name) {
    if (opt != NULL && name == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "optim_state_array: the name is NULL");
    if (opt == NULL || name == NULL || i < 0 || i >= opt->nstates) return NULL;
    const optim_kind_def *d = kind_def(opt->kind);
    for (int k = 0; k < OPTIM_MAX_ARRAYS && d->state_names[k]; k++)
        if (strcmp(d->state_names[k], name) == 0) return opt->states[i].arrays[k];
    return NULL;
}

int ag_optim_state_at(const ag_optim *opt, int i, ag_optim_state *out) {
    if (opt != NULL && out == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "optim_state_at: out is NULL"), -1;
    if (opt == NULL || out == NULL || i < 0 || i >= opt->nstates) return -1;
    const state_entry *e = &opt->states[i];
    *out = (ag_optim_state){e->param, e->name ? e->name : ag_name(e->param), e->size,
                            ag_optim_state_array(opt, i, "velocity"), ag_optim_state_array(opt, i, "m"),
                            ag_optim_state_array(opt, i, "v")};
    return 0;
}

/* ---- update -------------------------------------------------------------------- */

static int reserve_work(ag_optim *opt, int n) {
    bool ok = ALLOC_ARRAY_RESERVE(&opt->alloc, opt->work, opt->work_capacity, 0, (size_t)n) &&
              ALLOC_ARRAY_RESERVE(&opt->alloc, opt->work_names, opt->work_names_capacity, 0, (size_t)n) &&
              ALLOC_ARRAY_RESERVE(&opt->alloc, opt->work_states, opt->work_states_capacity, 0, (size_t)n);
    return ok ? 0 : -1;
}

/* Everything that can be wrong with the arguments, checked before anything
 * changes. */
static int check_params(ag_optim *opt, ag_var *const *params, int n) {
    const char *name = ag_optim_kind_name(opt->kind);
    if (n < 0 || (n > 0 && params == NULL))
        return ctx_error(opt->ctx, AG_ERR_ARG, "%s: no parameter list", name), -1;
    for (int i = 0; i < n; i++) {
        ag_var *p = params[i];
        /* counted from 1, as the ops count their inputs ("input 1 is NULL") */
        if (p == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "%s: parameter %d is NULL", name, i + 1), -1;
        if (ag_var_ctx(p) != opt->ctx)
            return ctx_error(opt->ctx, AG_ERR_CONTEXT, "%s: parameter %d belongs to another context", name,
                             i + 1),
                   -1;
        ag_var *g = ag_grad(p);
        if (g != NULL && ag_size(g) != ag_size(p)) {
            const char *label = ag_name(p)[0] ? ag_name(p) : "without a name";
            ctx_error(opt->ctx, AG_ERR_ARG,
                      "%s: the gradient of parameter %d (%s) has %zu elements but the "
                      "parameter has %zu",
                      name, i + 1, label, ag_size(g), ag_size(p));
            return -1;
        }
    }
    return 0;
}

/* The parameters to change: those with a gradient, each once, in order;
 * with their state entries when the kind keeps state.  Returns how many, or
 * -1 when out of memory. */
static int gather(ag_optim *opt, ag_var *const *params, const char *const *names, int n) {
    ptrmap_clear(&opt->work_seen);
    if (reserve_work(opt, n) < 0 || !ptrmap_reserve(&opt->work_seen, (size_t)n)) return -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        ag_var *p = params[i];
        if (ag_grad(p) == NULL || ptrmap_get(&opt->work_seen, p) != PTRMAP_NONE) continue;
        ptrmap_put(&opt->work_seen, p, 1); /* reserved: cannot fail */
        opt->work[count] = p;
        opt->work_names[count] = names ? names[i] : NULL;
        count++;
    }
    bool stateful = arrays_per_param(opt) > 0;
    for (int i = 0; i < count; i++) {
        opt->work_states[i] = stateful ? state_for(opt, opt->work[i], opt->work_names[i]) : -1;
        if (stateful && opt->work_states[i] < 0) return -1;
    }
    return count;
}

static int run_hooks(ag_optim *opt, int count) {
    for (int h = 0; h < opt->nhooks; h++) {
        const hook *k = &opt->hooks[h];
        int status = k->kind == AG_HOOK_WEIGHT_DECAY
                         ? ag_hook_weight_decay(opt->ctx, opt->work, count, k->value)
                         : ag_hook_clip_grad(opt->ctx, opt->work, count, k->value);
        if (status < 0) return -1;
    }
    return 0;
}

/* p = p*(1 - lr*wd) - lr*u with u the EMA of g (or g itself without
 * momentum); with wd = 0 this is exactly upstream's p - lr*g. */
static void sgd_step(const double *hp, double lr_t, double *p, const double *g, double *u, size_t size) {
    double lr = hp[LR], decay = 1.0 - lr * hp[SGD_WEIGHT_DECAY], m = hp[SGD_MOMENTUM];
    for (size_t k = 0; k < size; k++) {
        double step = g[k];
        if (u != NULL) {
            u[k] = m * u[k] + (1.0 - m) * g[k];
            step = u[k];
        }
        p[k] = p[k] * decay - lr * step;
    }
}

static void momentum_step(const double *hp, double lr_t, double *p, const double *g, double *v,
                          size_t size) {
    for (size_t k = 0; k < size; k++) {
        v[k] = hp[MOMENTUM_FACTOR] * v[k] - hp[LR] * g[k];
        p[k] = p[k] + v[k];
    }
}

/* Upstream's Adam with the bias correction folded into lr_t; adam adds wd*p
 * to the gradient, adamw shrinks p by (1 - lr_t*wd) after the step. */
static double adam_lr(const double *hp, long steps) {
    double t = (double)steps;
    return hp[LR] * sqrt(1.0 - pow(hp[ADAM_BETA2], t)) / (1.0 - pow(hp[ADAM_BETA1], t));
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_WIDE_ADAM 1
/* The loop below, four elements at a time with AVX2 (gcc 12 leaves it
 * scalar: sqrt may set errno).  The same operations in the same order, and
 * no FMA (the target is avx2 alone), while IEEE square root and division
 * round each lane as they round one number: the parameters and the state
 * come out bit for bit the same.  Returns how many elements it did. */
__attribute__((target("avx2"))) static size_t adam_avx2(double *restrict p, const double *restrict g,
                                                       double *restrict m, double *restrict v, size_t size,
                                                       double lr_t, double beta1, double beta2, double eps,
                                                       double wd, bool l2, bool decoupled, double decay) {
    const __m256d lr = _mm256_set1_pd(lr_t), keep1 = _mm256_set1_pd(1.0 - beta1),
                  keep2 = _mm256_set1_pd(1.0 - beta2), epsilon = _mm256_set1_pd(eps),
                  weight_decay = _mm256_set1_pd(wd), shrink = _mm256_set1_pd(decay);
    size_t k = 0;
    for (; k + 4 <= size; k += 4) {
        __m256d pk = _mm256_loadu_pd(p + k), grad = _mm256_loadu_pd(g + k);
        if (l2) grad = _mm256_add_pd(grad, _mm256_mul_pd(weight_decay, pk));
        __m256d mk = _mm256_loadu_pd(m + k), vk = _mm256_loadu_pd(v + k);
        mk = _mm256_add_pd(mk, _mm256_mul_pd(keep1, _mm256_sub_pd(grad, mk)));
        vk = _mm256_add_pd(vk, _mm256_mul_pd(keep2, _mm256_sub_pd(_mm256_mul_pd(grad, grad), vk)));
        __m256d step = _mm256_div_pd(_mm256_mul_pd(lr, mk), _mm256_add_pd(_mm256_sqrt_pd(vk), epsilon));
        pk = _mm256_sub_pd(pk, step);
        if (decoupled) pk = _mm256_mul_pd(pk, shrink);
        _mm256_storeu_pd(m + k, mk);
        _mm256_storeu_pd(v + k, vk);
        _mm256_storeu_pd(p + k, pk);
    }
    return k;
}
#endif

static void adam_or_adamw(const double *hp, double lr_t, double *p, const double *g, double *state,
                          size_t size, bool decoupled) {
    double *m = state, *v = state + size;
    double wd = hp[ADAM_WEIGHT_DECAY], beta1 = hp[ADAM_BETA1], beta2 = hp[ADAM_BETA2], eps = hp[ADAM_EPS];
    bool l2 = !decoupled && wd != 0;
    double decay = 1.0 - lr_t * wd;
    size_t k = 0;
#ifdef HAVE_WIDE_ADAM
    if (size >= 4 && cpu_double_lanes() >= 4)
        k = adam_avx2(p, g, m, v, size, lr_t, beta1, beta2, eps, wd, l2, decoupled, decay);
#endif
    for (; k < size; k++) {
        double grad = l2 ? g[k] + wd * p[k] : g[k];
        m[k] = m[k] + (1.0 - beta1) * (grad - m[k]);
        v[k] = v[k] + (1.0 - beta2) * (grad * grad - v[k]);
        p[k] = p[k] - lr_t * m[k] / (sqrt(v[k]) + eps);
        if (decoupled) p[k] = p[k] * decay;
    }
}

static void adam_step(const double *hp, double lr_t, double *p, const double *g, double *state,
                      size_t size) {
    adam_or_adamw(hp, lr_t, p, g, state, size, false);
}

static void adamw_step(const double *hp, double lr_t, double *p, const double *g, double *state,
                       size_t size) {
    adam_or_adamw(hp, lr_t, p, g, state, size, true);
}

/* torch.optim.Adagrad: the sum of squared gradients (past
 * initial_accumulator_value, which the state starts above) divides each
 * step; lr decays with the update count t. */
static double adagrad_lr(const double *hp, long steps) {
    return hp[LR] / (1.0 + (double)(steps - 1) * hp[ADAGRAD_LR_DECAY]);
}

static void adagrad_step(const double *hp, double lr_t, double *p, const double *g, double *sum, size_t size) {
    for (size_t k = 0; k < size; k++) {
        double gk = g[k] + hp[ADAGRAD_WEIGHT_DECAY] * p[k];
        sum[k] += gk * gk;
        p[k] -= lr_t * (gk / (sqrt(hp[ADAGRAD_INITIAL] + sum[k]) + hp[ADAGRAD_EPS]));
    }
}

/* torch.optim.RMSprop (centered=False): a running mean of squared
 * gradients divides each step; with momentum the divided steps are
 * accumulated in a buffer (the state's second array). */
static void rmsprop_step(const double *hp, double lr_t, double *p, const double *g, double *state, size_t size) {
    double alpha = hp[RMSPROP_ALPHA], m = hp[RMSPROP_MOMENTUM];
    double *square_avg = state, *buffer = m != 0 ? state + size : NULL;
    for (size_t k = 0; k < size; k++) {
        double gk = g[k] + hp[RMSPROP_WEIGHT_DECAY] * p[k];
        square_avg[k] = alpha * square_avg[k] + (1.0 - alpha) * gk * gk;
        double d = gk / (sqrt(square_avg[k]) + hp[RMSPROP_EPS]);
        if (buffer != NULL) d = buffer[k] = m * buffer[k] + d;
        p[k] -= lr_t * d;
    }
}

static int update_named(ag_optim *opt, ag_var *const *params, const char *const *names, int n) {
    if (opt->ctx == NULL) return -1; /* its context was freed: no variable is left */
    if (check_params(opt, params, n) < 0) return -1;
    int count = gather(opt, params, names, n);
    if (count < 0) return ctx_error(opt->ctx, AG_ERR_NOMEM, "out of memory"), -1;
    if (run_hooks(opt, count) < 0) return -1;
    opt->steps++;
    const optim_kind_def *d = kind_def(opt->kind);
    double lr_t = d->step_lr ? d->step_lr(opt->hp, opt->steps) : opt->hp[LR];
    for (int i = 0; i < count; i++) {
        ag_var *param = opt->work[i];
        state_entry *e = opt->work_states[i] >= 0 ? &opt->states[opt->work_states[i]] : NULL;
        double *p = ag_data(param);
        const double *g = ag_cdata(ag_grad(param));
        size_t size = ag_size(param);
        d->step(opt->hp, lr_t, p, g, e ? e->data : NULL, size);
        ag_var_set_flags(param, ag_var_flags(param) | AG_VAR_PARAM);
    }
    return count;
}

int ag_optim_update(ag_optim *opt, ag_var *const *params, int n) {
    if (opt == NULL) return -1;
    return update_named(opt, params, NULL, n);
}

/* An optimizer NULL (ag_optim_new failed) with a model at hand: -1, and a
 * message in the model's context unless one is there already. */
static int no_optim(ag_model *m, const char *what) {
    ag_ctx *ctx = ag_model_ctx(m);
    if (ctx != NULL && !ag_failed(ctx)) ctx_error(ctx, AG_ERR_ARG, "%s: the optimizer is NULL", what);
    return -1;
}

int ag_optim_update_model(ag_optim *opt, ag_model *m) {
    if (opt == NULL) return no_optim(m, "optim_update_model");
    if (m == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "%s: no model", ag_optim_kind_name(opt->kind)), -1;
    if (ag_model_ctx(m) != opt->ctx) /* as bind_model; a freed one has no parameters to blame */
        return ctx_error(opt->ctx, AG_ERR_CONTEXT,
                         ag_model_ctx(m) == NULL ? "%s: the model's context was freed"
                                                 : "%s: the model belongs to another context",
                         ag_optim_kind_name(opt->kind)),
               -1;
    int n = ag_model_param_count(m);
    ag_var **params = alloc_malloc(&opt->alloc, ((size_t)n + 1) * sizeof *params);
    const char **names = alloc_malloc(&opt->alloc, ((size_t)n + 1) * sizeof *names);
    int status = -1;
    if (params == NULL || names == NULL) {
        ctx_error(opt->ctx, AG_ERR_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < n; i++) params[i] = ag_model_param(m, i, &names[i]);
        status = update_named(opt, params, names, n);
    }
    alloc_free(&opt->alloc, params);
    alloc_free(&opt->alloc, names);
    return status;
}

/* ---- binding ------------------------------------------------------------------ */

int ag_optim_bind(ag_optim *opt, ag_var *const *params, int n) {
    if (opt == NULL || opt->ctx == NULL) return -1; /* its context was freed */
    ag_var **copy = NULL;
    if (n > 0) {
        const char *name = ag_optim_kind_name(opt->kind);
        if (params == NULL) return ctx_error(opt->ctx, AG_ERR_ARG, "%s: no parameter list", name), -1;
        for (int i = 0; i < n; i++) {
            if (params[i] == NULL)
                return ctx_error(opt->ctx, AG_ERR_ARG, "%s: parameter %d is NULL", name, i + 1), -1;
            if (ag_var_ctx(params[i]) != opt->ctx)
                return ctx_error(opt->ctx, AG_ERR_CONTEXT, "%s: parameter %d belongs to another context",
                                 name, i + 1),
                       -1;
        }
        copy = alloc_malloc(&opt->alloc, (size_t)n * sizeof *copy);
        if (copy == NULL) return ctx_error(opt->ctx, AG_ERR_NOMEM, "out of memory"), -1;
        for (int i = 0; i < n; i++) {
            copy[i] = params[i];
            ag_retain(copy[i]);
            ag_var_set_flags(copy[i], ag_var_flags(copy[i]) | AG_VAR_PARAM);
        }
    }
    unbind(opt);
    opt->bound = copy;
    opt->nbound = n > 0 ? n : 0;
    return 0;
}

int ag_optim_bind_model(ag_optim *opt, ag_model *m) {
    if (opt == NULL) return no_optim(m, "optim_bind_model");
    if (opt->ctx == NULL) return -1; /* its context was freed */
    if (m != NULL && ag_model_ctx(m) != opt->ctx)
        return ctx_error(opt->ctx, AG_ERR_CONTEXT, "%s: the model belongs to another context",
                         ag_optim_kind_name(opt->kind)),
               -1;
    ag_model_ref(m);
    unbind(opt);
    opt->bound_model = m;
    return 0;
}

bool ag_optim_is_bound(const ag_optim *opt) { return opt && (opt->bound_model || opt->nbound > 0); }

int ag_optim_step(ag_optim *opt) {
    if (opt == NULL) return -1;
    if (opt->bound_model != NULL) return ag_optim_update_model(opt, opt->bound_model);
    if (opt->nbound > 0) return ag_optim_update(opt, opt->bound, opt->nbound);
    ctx_error(opt->ctx, AG_ERR_ARG, "%s: no parameters are bound", ag_optim_kind_name(opt->kind));
    return -1;
}

void ag_optim_cleargrad(ag_optim *opt) {
    if (opt == NULL) return;
    if (opt->bound_model != NULL) ag_model_cleargrad(opt->bound_model);
    for (int i = 0; i < opt->nbound; i++) ag_cleargrad(opt->bound[i]);
}
void ag_optim_zero_grad(ag_optim *opt) { ag_optim_cleargrad(opt); }

/* ---- description ----------------------------------------------------------------- */

char *ag_optim_describe(const ag_optim *opt, char *buf, size_t n) {
    if (buf == NULL) return opt != NULL ? ctx_error(opt->ctx, AG_ERR_ARG, "describe: the buffer is NULL") : NULL;
    if (n == 0) return buf;
    if (opt == NULL) return snprintf(buf, n, "(no optimizer)"), buf;
    const optim_kind_def *d = kind_def(opt->kind);
    size_t used = 0;
    char a[AG_NUMBUF], b[AG_NUMBUF];
#define APPEND(...)                                                                  \
    do {                                                                             \
        if (used < n) used += (size_t)snprintf(buf + used, n - used, __VA_ARGS__);   \
    } while (0)
    APPEND("%s(", row_name(d));
    for (int i = 0; i < OPTIM_MAX_PARAMS && d->params[i].name; i++)
        APPEND("%s%s=%s", i ? ", " : "", d->params[i].name, ag_format_double(opt->hp[i], 0, b));
    if (opt->nhooks > 0) {
        APPEND(", hooks=[");
        for (int i = 0; i < opt->nhooks; i++)
            APPEND("%s%s(%s)", i ? ", " : "", ag_hook_kind_name(opt->hooks[i].kind),
                   ag_format_double(opt->hooks[i].value, 0, a));
        APPEND("]");
    }
    APPEND(") t=%ld", opt->steps);
    if (opt->ctx == NULL) APPEND(", its context was freed (it can only be freed)");
    if (arrays_per_param(opt) > 0)
        APPEND(", state for %d parameter%s", opt->nstates, opt->nstates == 1 ? "" : "s");
    if (opt->bound_model != NULL) {
        char model[160];
        APPEND(", bound to %s", ag_model_describe(opt->bound_model, model, sizeof model));
    } else if (opt->nbound > 0) {
        APPEND(", bound to %d parameter%s", opt->nbound, opt->nbound == 1 ? "" : "s");
    }
#undef APPEND
    return buf;
}
