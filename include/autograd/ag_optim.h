/* ag_optim.h — optimizers (one per ag_optim_kind, each kind's update in
 * "Formulas" below) and gradient hooks (weight_decay, clip_grad).
 *
 * An optimizer is a malloc'd object tied to one context (free it with
 * ag_optim_free; if the context goes first, the optimizer forgets its
 * variables (the parameters bound with ag_optim_bind, and each state
 * entry's param, which stays readable with param NULL) and can only be
 * freed: every call that would change or use it then returns -1, with no
 * message, since no context is left to hold one (ag_optim_set,
 * ag_optim_set_lr, ag_optim_add_hook, ag_optim_bind, ag_optim_bind_model,
 * ag_optim_update, ag_optim_update_model, ag_optim_step); ag_optim_describe
 * says "its context was freed").  It keeps per-parameter state
 * (velocity; Adam's m and v) as plain arrays keyed by the parameter variable,
 * created the first time that parameter is updated, and retains each key so
 * ag_gc can neither free it nor reuse its node while the state refers to it.
 *
 * An update changes every given parameter that has a gradient and skips the
 * rest (no state is made for them).  It writes ag_data(p) in place and
 * records no graph.  Hooks run first, in the order they were added, on the
 * gradients of the parameters being updated, overwriting the gradients' data
 * as upstream does (so with gradients that are never cleared they compound).
 *
 * Formulas (g = gradient, t = number of update calls so far):
 *   sgd       u = m*u + (1-m)*g  (u = g when m = 0);  p = p*(1 - lr*wd) - lr*u
 *   momentum  v = m*v - lr*g;  p = p + v
 *   adam      g += wd*p;  m += (1-b1)*(g-m);  v += (1-b2)*(g*g-v);
 *             lr_t = lr*sqrt(1-b2^t)/(1-b1^t);  p -= lr_t*m/(sqrt(v)+eps)
 *   adamw     the adam step without the L2 term, then p *= 1 - lr_t*wd
 *   adagrad   g += wd*p;  s += g*g;  lr_t = lr/(1 + (t-1)*lr_decay);
 *             p -= lr_t*g/(sqrt(a0 + s)+eps)  (a0 = initial_accumulator_value)
 *   rmsprop   g += wd*p;  v = alpha*v + (1-alpha)*g*g;  d = g/(sqrt(v)+eps);
 *             with momentum m: b = m*b + d, p -= lr*b; else p -= lr*d
 *
 * Hooks: weight_decay(lambda) g += lambda*p; clip_grad(max) scales every
 * gradient by max/(norm+1e-6) when that is below 1, norm = the global L2
 * norm over the parameters being updated. */
#ifndef AG_OPTIM_H
#define AG_OPTIM_H

#include "ag_core.h"
#include "ag_model.h"

AG_BEGIN_DECLS

typedef struct ag_optim ag_optim;

/* The kinds, X(ID, name) each, in their order: AG_ID is the kind, "name"
 * what ag_optim_kind_name and agrepl call it.  Each is one row of the table
 * in src/optim.c; agrepl makes a built-in of each (repl/builtins_optim.c).
 * A new kind goes at the END (the values are part of the ABI). */
#define AG_OPTIM_KIND_LIST(X) \
    X(SGD, sgd)               \
    X(MOMENTUM, momentum)     \
    X(ADAM, adam)             \
    X(ADAMW, adamw)           \
    X(ADAGRAD, adagrad) /* PyTorch's torch.optim.Adagrad */ \
    X(RMSPROP, rmsprop) /* PyTorch's torch.optim.RMSprop (not centered) */

#define AG_OPTIM_KIND_ENTRY(ID, name) AG_##ID,
typedef enum ag_optim_kind { AG_OPTIM_KIND_LIST(AG_OPTIM_KIND_ENTRY) AG_OPTIM_KIND_COUNT } ag_optim_kind;
#undef AG_OPTIM_KIND_ENTRY

/* Hyper-parameters; fields a kind does not use are ignored.  A zero field is
 * taken as given, not as a default: start from AG_OPTIM_INIT(kind) (or
 * ag_optim_defaults) and change what differs.  adam and adamw reject eps = 0. */
typedef struct ag_optim_config {
    ag_optim_kind kind;
    double lr;
    double momentum;     /* sgd: EMA factor (0 = plain sgd); momentum: heavy-ball factor */
    double beta1, beta2; /* adam, adamw */
    double eps;          /* adam, adamw: added to sqrt(v) */
    double weight_decay; /* sgd: shrink p; adam: L2 on the gradient; adamw: decoupled */
} ag_optim_config;

/* The kind's defaults, from the engine's table (each is in one place:
 * ag_optim_param lists them, and agrepl's `:help adam` shows them). */
ag_optim_config ag_optim_defaults(ag_optim_kind kind);
/* The same defaults as an initializer, valid C and C++11 (members in order,
 * no designators): `ag_optim_config c = AG_OPTIM_INIT(AG_ADAM);`.  For the
 * four kinds above; a test checks it against the engine's table. */
#define AG_OPTIM_INIT(k)                                                              \
    {(k), (k) == AG_SGD || (k) == AG_MOMENTUM ? 0.01 : 0.001,                        \
     (k) == AG_MOMENTUM ? 0.9 : 0.0, 0.9, 0.999, 1e-8, (k) == AG_ADAMW ? 0.01 : 0.0}

/* A new optimizer, or NULL with the context error set when a value is out
 * of range: "adam: beta1 must be in [0, 1) (got 1)", "sgd: lr must be a
 * finite number >= 0 (got -1)". */
ag_optim *ag_optim_new(ag_ctx *ctx, const ag_optim_config *config);
/* Shorthands for ag_optim_new with every field given. */
ag_optim *ag_sgd(ag_ctx *ctx, double lr, double momentum, double weight_decay);
ag_optim *ag_momentum(ag_ctx *ctx, double lr, double momentum);
ag_optim *ag_adam(ag_ctx *ctx, double lr, double beta1, double beta2, double eps,
                  double weight_decay);
ag_optim *ag_adamw(ag_ctx *ctx, double lr, double beta1, double beta2, double eps,
                   double weight_decay);
/* Releases the state keys and bound parameters and frees opt; NULL ignored. */
void ag_optim_free(ag_optim *opt);

/* ---- any kind, settings by name ------------------------------------------- */

/* A new optimizer of the kind with its defaults, or NULL with the context
 * error set; change settings with ag_optim_set.  Every kind, also those
 * added after ag_optim_config was fixed, is made this way. */
ag_optim *ag_optim_new_kind(ag_ctx *ctx, ag_optim_kind kind);
/* Sets the hyper-parameter `name` ("lr", "beta1", ...): 0, or -1 with the
 * error set when the kind has no such parameter or the value is out of its
 * range ("adam: beta1 must be in [0, 1) (got 1)"); -1 (nothing set, no
 * message) once the optimizer's context was freed. */
int ag_optim_set(ag_optim *opt, const char *name, double value);
/* The hyper-parameter `name`, or NaN when the kind has none of that name. */
double ag_optim_get(const ag_optim *opt, const char *name);
/* The kind's hyper-parameter i (lr is 0): its name, with its default in
 * *fallback (when not NULL); NULL past the last. */
const char *ag_optim_param(ag_optim_kind kind, int i, double *fallback);
/* Its valid values: "[0, inf)", "[0, 1)" or "(0, inf)"; NULL past the last. */
const char *ag_optim_param_range(ag_optim_kind kind, int i);

/* The kind's name in AG_OPTIM_KIND_LIST ("sgd", "adam", ...); NULL when out
 * of range. */
const char *ag_optim_kind_name(ag_optim_kind kind);
/* The kind's update in a line or two, as agrepl's `:help NAME` shows it
 * ("heavy-ball momentum: v = momentum*v - lr*g, p = p + v"); NULL when out
 * of range. */
const char *ag_optim_kind_summary(ag_optim_kind kind);
/* The kind named name ("adam"), or -1. */
int ag_optim_kind_by_name(const char *name);
/* The hyper-parameter `name` of c's kind ("lr", "momentum", "beta1", ...):
 * a pointer into c, or NULL when c's kind has no such parameter. */
double *ag_optim_config_field(ag_optim_config *c, const char *name);
/* The name of the kind's state array i ("velocity"; "m", "v"), or NULL past
 * the last: which of ag_optim_state's arrays the kind fills. */
const char *ag_optim_state_name(ag_optim_kind kind, int i);
ag_ctx *ag_optim_ctx(const ag_optim *opt);
ag_optim_config ag_optim_get_config(const ag_optim *opt);
/* Changes the learning rate (schedules); 0, or -1 as ag_optim_set. */
int ag_optim_set_lr(ag_optim *opt, double lr);
/* One line: "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08,
 * weight_decay=0, hooks=[clip_grad(1)]) t=3, state for 2 parameters",
 * with ", its context was freed (it can only be freed)" after t= once
 * ag_ctx_free freed its context.
 * Writes at most n bytes into buf and returns buf. */
char *ag_optim_describe(const ag_optim *opt, char *buf, size_t n);

/* ---- hooks -------------------------------------------------------------- */

typedef enum ag_hook_kind { AG_HOOK_WEIGHT_DECAY, AG_HOOK_CLIP_GRAD } ag_hook_kind;

/* "weight_decay", "clip_grad"; NULL when out of range. */
const char *ag_hook_kind_name(ag_hook_kind kind);
/* Checks a hook's value before it is used: 0, or -1 with the error set
 * ("clip_grad: max_norm must be a finite number >= 0 (got -1)",
 * "weight_decay: lambda must be ..."). */
int ag_hook_validate(ag_ctx *ctx, ag_hook_kind kind, double value);
/* Appends a hook run before every update; 0, or -1 with the error set (-1
 * and no message once the optimizer's context was freed). */
int ag_optim_add_hook(ag_optim *opt, ag_hook_kind kind, double value);
int ag_optim_hook_count(const ag_optim *opt);
/* Hook i's kind, with its lambda or max_norm in *value (when value is not
 * NULL); -1 when out of range. */
int ag_optim_hook(const ag_optim *opt, int i, double *value);

/* The hooks on their own, over params[0..n) (those without a gradient are
 * skipped, a repeated one counts once): they overwrite the gradients' data.
 * A gradient variable shared by two parameters (backward gives x + y's
 * inputs the same one) is first replaced by a private copy, so each
 * parameter's gradient changes once.  0, or -1 with the error set when a
 * parameter is NULL or a gradient's size differs from its parameter's. */
int ag_hook_weight_decay(ag_ctx *ctx, ag_var *const *params, int n, double lambda);
int ag_hook_clip_grad(ag_ctx *ctx, ag_var *const *params, int n, double max_norm);

/* ---- updates ------------------------------------------------------------ */

/* One update of params[0..n) (repeats count once).  Returns how many
 * parameters were changed, or -1 with the error set (nothing changed) when a
 * parameter is NULL, belongs to another context or has a gradient of another
 * size. */
int ag_optim_update(ag_optim *opt, ag_var *const *params, int n);
/* ag_optim_update over the model's parameters; state entries take the
 * model's names ("linear[0].w").  -1 (AG_ERR_CONTEXT) for a model of
 * another context ("adam: the model belongs to another context") or whose
 * context was freed ("adam: the model's context was freed"). */
int ag_optim_update_model(ag_optim *opt, ag_model *m);

/* Binds the optimizer to a parameter list (retained) or to a model (whose
 * parameters are looked up at each step, so lazy weights are included), as
 * PyTorch-style frameworks do; replaces any earlier binding; n = 0 unbinds.
 * 0, or -1 with the error set (-1 and no message, the binding unchanged,
 * once the optimizer's context was freed). */
int ag_optim_bind(ag_optim *opt, ag_var *const *params, int n);
int ag_optim_bind_model(ag_optim *opt, ag_model *m);
bool ag_optim_is_bound(const ag_optim *opt);
/* Updates the bound parameters: as ag_optim_update; -1 with "sgd: no
 * parameters are bound" when there is no binding. */
int ag_optim_step(ag_optim *opt);
/* Clears the bound parameters' gradients (no-op when unbound). */
void ag_optim_cleargrad(ag_optim *opt);
void ag_optim_zero_grad(ag_optim *opt) AG_DEPRECATED("ag_optim_cleargrad");

/* ---- state, for teaching --------------------------------------------------- */

/* Update calls so far (Adam's t; counted for every kind). */
long ag_optim_step_count(const ag_optim *opt);
long ag_optim_steps(const ag_optim *opt) AG_DEPRECATED("ag_optim_step_count");

/* One parameter's state.  The arrays hold `size` doubles (row-major like the
 * parameter) and stay owned by the optimizer; NULL when the kind has no such
 * state.  name is the model's name for the parameter when it was updated
 * through a model, else the variable's own name ("" when unnamed). */
typedef struct ag_optim_state {
    ag_var *param;
    const char *name;
    size_t size;
    /* the arrays of the kinds of 1.0 (any kind's: ag_optim_state_array) */
    const double *velocity; /* sgd with momentum (u), momentum (v) */
    const double *m, *v;    /* adam, adamw */
} ag_optim_state;

/* Entries in the order their parameters were first updated.  Plain sgd
 * (momentum 0) keeps none. */
int ag_optim_state_count(const ag_optim *opt);
/* Entry i's state array `name` (ag_optim_state_name: "velocity", "m", ...),
 * `size` doubles owned by the optimizer; NULL when there is none. */
const double *ag_optim_state_array(const ag_optim *opt, int i, const char *name);
/* Fills *out with entry i; 0, or -1 when i is out of range. */
int ag_optim_state_at(const ag_optim *opt, int i, ag_optim_state *out);

AG_END_DECLS

#endif
