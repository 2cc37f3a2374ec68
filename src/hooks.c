/* hooks.c — gradient hooks run by the optimizers before an update
 * (upstream's hook package): weight decay and global-norm clipping.  They overwrite
 * the gradients' data in place, as upstream replaces p.Grad.Data. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ag_format.h"
#include "ag_optim.h"
#include "errors.h"
#include "memory.h"

const char *ag_hook_kind_name(ag_hook_kind kind) {
    switch (kind) {
    case AG_HOOK_WEIGHT_DECAY: return "weight_decay";
    case AG_HOOK_CLIP_GRAD: return "clip_grad";
    }
    return NULL;
}

int ag_hook_validate(ag_ctx *ctx, ag_hook_kind kind, double value) {
    const char *name = ag_hook_kind_name(kind);
    if (name == NULL) return ctx_error(ctx, AG_ERR_ARG, "hook: unknown kind %d", (int)kind), -1;
    if (isfinite(value) && value >= 0) return 0;
    char number[AG_NUMBUF];
    ctx_error(ctx, isfinite(value) ? AG_ERR_ARG : AG_ERR_NONFINITE,
              "%s: %s must be a finite number >= 0 (got %s)", name,
              kind == AG_HOOK_WEIGHT_DECAY ? "lambda" : "max_norm", ag_format_double(value, 0, number));
    return -1;
}

/* Every gradient must match its parameter element for element. */
static int check_grads(ag_ctx *ctx, const char *hook, ag_var *const *params, int n) {
    if (params == NULL && n > 0) return ctx_error(ctx, AG_ERR_ARG, "%s: no parameter list", hook), -1;
    for (int i = 0; i < n; i++) {
        /* counted from 1, as the ops count their inputs ("input 1 is NULL") */
        if (params[i] == NULL) return ctx_error(ctx, AG_ERR_ARG, "%s: parameter %d is NULL", hook, i + 1), -1;
        if (ag_var_ctx(params[i]) != ctx)
            return ctx_error(ctx, AG_ERR_CONTEXT, "%s: parameter %d belongs to another context", hook, i + 1),
                   -1;
        ag_var *g = ag_grad(params[i]);
        if (g != NULL && ag_size(g) != ag_size(params[i])) {
            ctx_error(ctx, AG_ERR_ARG,
                      "%s: the gradient of parameter %d has %zu elements but the "
                      "parameter has %zu",
                      hook, i + 1, ag_size(g), ag_size(params[i]));
            return -1;
        }
    }
    return 0;
}

/* One pointer met while looking for shared gradients. */
typedef struct alias_entry {
    const ag_var *pointer;
    int index;    /* position in params */
    bool is_grad; /* params[index]'s gradient, else params[index] itself */
} alias_entry;

static int by_pointer_then_index(const void *a, const void *b) {
    const alias_entry *x = a, *y = b;
    uintptr_t px = (uintptr_t)x->pointer, py = (uintptr_t)y->pointer;
    if (px != py) return px < py ? -1 : 1;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    return (int)x->is_grad - (int)y->is_grad;
}

/* Overwriting a gradient in place must change one parameter's gradient
 * only, but backward hands the same variable to both inputs of x + y, and a
 * gradient may even be a parameter itself.  Each such gradient is replaced
 * by a private copy first (the first of several sharing parameters keeps the
 * original).  A repeated parameter is left alone: it is one parameter.
 * 0, or -1 when out of memory. */
static int unshare_grads(ag_ctx *ctx, ag_var *const *params, int n) {
    if (n < 2 && (n < 1 || ag_grad(params[0]) != params[0])) return 0;
    alias_entry *entries = ctx_malloc(ctx, (size_t)n * 2 * sizeof *entries);
    if (entries == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        entries[count++] = (alias_entry){params[i], i, false};
        ag_var *g = ag_grad(params[i]);
        if (g != NULL) entries[count++] = (alias_entry){g, i, true};
    }
    qsort(entries, (size_t)count, sizeof *entries, by_pointer_then_index);
    int status = 0;
    for (int start = 0, end; start < count && status == 0; start = end) {
        bool is_param = false;
        for (end = start; end < count && entries[end].pointer == entries[start].pointer; end++)
            is_param |= !entries[end].is_grad;
        const ag_var *owner = NULL; /* the parameter whose gradient keeps the original */
        for (int k = start; k < end && status == 0; k++) {
            if (!entries[k].is_grad) continue;
            ag_var *p = params[entries[k].index];
            if (!is_param && (owner == NULL || owner == p)) {
                owner = p;
                continue;
            }
            ag_var *copy = ag_detach(ctx, ag_grad(p));
            if (copy == NULL) status = -1;
            else if (ag_set_grad(p, copy) < 0) status = -1;
        }
    }
    ctx_free(ctx, entries);
    return status;
}

/* A repeated parameter must be changed once: true when params[i] appeared
 * before.  Quadratic, but hook lists are parameter lists of one model. */
static bool seen_before(ag_var *const *params, int i) {
    for (int k = 0; k < i; k++)
        if (params[k] == params[i]) return true;
    return false;
}

int ag_hook_weight_decay(ag_ctx *ctx, ag_var *const *params, int n, double lambda) {
    if (ag_hook_validate(ctx, AG_HOOK_WEIGHT_DECAY, lambda) < 0) return -1;
    if (check_grads(ctx, "weight_decay", params, n) < 0) return -1;
    if (unshare_grads(ctx, params, n) < 0) return -1;
    for (int i = 0; i < n; i++) {
        ag_var *g = ag_grad(params[i]);
        if (g == NULL || seen_before(params, i)) continue;
        double *grad = ag_data(g);
        const double *value = ag_cdata(params[i]);
        for (size_t k = 0, size = ag_size(g); k < size; k++) grad[k] = grad[k] + lambda * value[k];
    }
    return 0;
}

/* total = sum over parameters of (sum of g^2), summed per parameter first
 * as upstream does; rate = max_norm / (sqrt(total) + 1e-6). */
int ag_hook_clip_grad(ag_ctx *ctx, ag_var *const *params, int n, double max_norm) {
    if (ag_hook_validate(ctx, AG_HOOK_CLIP_GRAD, max_norm) < 0) return -1;
    if (check_grads(ctx, "clip_grad", params, n) < 0) return -1;
    if (unshare_grads(ctx, params, n) < 0) return -1;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        ag_var *g = ag_grad(params[i]);
        if (g == NULL || seen_before(params, i)) continue;
        const double *grad = ag_cdata(g);
        double sum = 0.0;
        for (size_t k = 0, size = ag_size(g); k < size; k++) sum += grad[k] * grad[k];
        total += sum;
    }
    double rate = max_norm / (sqrt(total) + 1e-6);
    if (!(rate < 1.0)) return 0;
    for (int i = 0; i < n; i++) {
        ag_var *g = ag_grad(params[i]);
        if (g == NULL || seen_before(params, i)) continue;
        double *grad = ag_data(g);
        for (size_t k = 0, size = ag_size(g); k < size; k++) grad[k] = rate * grad[k];
    }
    return 0;
}
