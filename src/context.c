/* context.c — contexts, errors, mode switches and the mark-and-sweep
 * collector that owns every node. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

ag_ctx *ag_ctx_new(void) {
    ag_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return NULL;
    ctx->grad_enabled = true;
    ctx->train = true;
    ag_rng_seed(&ctx->rng, 0);
    return ctx;
}

static void free_var_storage(ag_var *v) {
    t_free(&v->t);
    free(v->name);
}

static void free_func_storage(ag_func *f) {
    free(f->params.ints);
    if (f->inputs != f->inline_inputs) free(f->inputs);
    if (f->outputs != f->inline_outputs) free(f->outputs);
}

void ag_ctx_free(ag_ctx *ctx) {
    if (ctx == NULL) return;
    for (ag_var *v = ctx->vars, *next; v != NULL; v = next) {
        next = v->next_live;
        free_var_storage(v);
        free(v);
    }
    for (ag_func *f = ctx->funcs, *next; f != NULL; f = next) {
        next = f->next_live;
        free_func_storage(f);
        free(f);
    }
    for (ag_var *v = ctx->free_vars, *next; v != NULL; v = next) {
        next = v->next_live;
        free(v);
    }
    for (ag_func *f = ctx->free_funcs, *next; f != NULL; f = next) {
        next = f->next_live;
        free(f);
    }
    free(ctx->stack);
    free(ctx);
}

/* ---- errors --------------------------------------------------------------- */

const char *ag_errmsg(const ag_ctx *ctx) { return ctx->failed ? ctx->errmsg : ""; }
bool ag_failed(const ag_ctx *ctx) { return ctx->failed; }
void ag_clear_error(ag_ctx *ctx) {
    ctx->failed = false;
    ctx->errmsg[0] = '\0';
}

void *ag_set_error(ag_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->failed = true;
    return NULL;
}

/* ---- switches ------------------------------------------------------------- */

bool ag_set_grad_enabled(ag_ctx *ctx, bool enabled) {
    bool old = ctx->grad_enabled;
    ctx->grad_enabled = enabled;
    return old;
}
bool ag_grad_enabled(const ag_ctx *ctx) { return ctx->grad_enabled; }
bool ag_set_train(ag_ctx *ctx, bool train) {
    bool old = ctx->train;
    ctx->train = train;
    return old;
}
bool ag_is_train(const ag_ctx *ctx) { return ctx->train; }
void ag_set_check_finite(ag_ctx *ctx, bool on) { ctx->check_finite = on; }
const char *ag_nonfinite_op(const ag_ctx *ctx) { return ctx->nonfinite_op; }
void ag_clear_nonfinite(ag_ctx *ctx) { ctx->nonfinite_op = NULL; }
ag_rng *ag_ctx_rng(ag_ctx *ctx) { return &ctx->rng; }

/* ---- node allocation -------------------------------------------------------- */

ag_var *ctx_alloc_var(ag_ctx *ctx) {
    ag_var *v = ctx->free_vars;
    if (v != NULL) {
        ctx->free_vars = v->next_live;
    } else {
        v = malloc(sizeof *v);
        if (v == NULL) return ag_set_error(ctx, "out of memory");
    }
    memset(v, 0, sizeof *v);
    v->ctx = ctx;
    v->mark = ctx->epoch;
    if (ctx->in_backward) v->flags |= AG_VAR_BACKWARD;
    v->next_live = ctx->vars;
    ctx->vars = v;
    ctx->live_vars++;
    ctx->allocs_since_gc++;
    return v;
}

ag_func *ctx_alloc_func(ag_ctx *ctx) {
    ag_func *f = ctx->free_funcs;
    if (f != NULL) {
        ctx->free_funcs = f->next_live;
    } else {
        f = malloc(sizeof *f);
        if (f == NULL) return ag_set_error(ctx, "out of memory");
    }
    memset(f, 0, sizeof *f);
    f->mark = ctx->epoch;
    f->inputs = f->inline_inputs;
    f->outputs = f->inline_outputs;
    f->next_live = ctx->funcs;
    ctx->funcs = f;
    ctx->live_funcs++;
    ctx->allocs_since_gc++;
    return f;
}

/* ---- roots and collection ----------------------------------------------------- */

void ag_retain(ag_var *v) {
    if (v != NULL) v->roots++;
}
void ag_release(ag_var *v) {
    if (v != NULL && v->roots > 0) v->roots--;
}

size_t ag_live_vars(const ag_ctx *ctx) { return ctx->live_vars; }
size_t ag_live_funcs(const ag_ctx *ctx) { return ctx->live_funcs; }
size_t ag_allocs_since_gc(const ag_ctx *ctx) { return ctx->allocs_since_gc; }

/* The mark stack holds tagged pointers: low bit 1 = function. */
static bool push(ag_ctx *ctx, void *p, bool is_func) {
    if (p == NULL) return true;
    size_t *len = (size_t *)&ctx->stack[0];
    if (*len + 1 >= ctx->stack_cap) {
        size_t cap = ctx->stack_cap * 2;
        void **grown = realloc(ctx->stack, cap * sizeof *grown);
        if (grown == NULL) return false;
        ctx->stack = grown;
        ctx->stack_cap = cap;
        len = (size_t *)&ctx->stack[0];
    }
    ctx->stack[++*len] = (void *)((uintptr_t)p | (is_func ? 1u : 0u));
    return true;
}

/* Marks everything reachable from the roots.  Returns false when the mark
 * stack could not grow (then nothing may be swept). */
static bool mark_from_roots(ag_ctx *ctx, unsigned epoch) {
    if (ctx->stack == NULL) {
        ctx->stack_cap = 1024;
        ctx->stack = malloc(ctx->stack_cap * sizeof *ctx->stack);
        if (ctx->stack == NULL) return false;
    }
    _Static_assert(sizeof(size_t) <= sizeof(void *), "stack length fits a slot");
    *(size_t *)&ctx->stack[0] = 0;
    for (ag_var *v = ctx->vars; v != NULL; v = v->next_live) {
        if (v->roots > 0 && !push(ctx, v, false)) return false;
    }
    while (*(size_t *)&ctx->stack[0] > 0) {
        size_t *len = (size_t *)&ctx->stack[0];
        uintptr_t item = (uintptr_t)ctx->stack[(*len)--];
        if (item & 1u) {
            ag_func *f = (ag_func *)(item & ~(uintptr_t)1u);
            if (f->mark == epoch) continue;
            f->mark = epoch;
            for (int i = 0; i < f->ninputs; i++)
                if (!push(ctx, f->inputs[i], false)) return false;
            for (int i = 0; i < f->noutputs; i++)
                if (!push(ctx, f->outputs[i], false)) return false;
            if (!push(ctx, f->saved, false)) return false;
        } else {
            ag_var *v = (ag_var *)item;
            if (v->mark == epoch) continue;
            v->mark = epoch;
            if (!push(ctx, v->grad, false) || !push(ctx, v->creator, true)) return false;
        }
    }
    return true;
}

size_t ag_gc(ag_ctx *ctx) {
    unsigned epoch = ++ctx->epoch;
    if (epoch == 0) epoch = ++ctx->epoch; /* 0 is the mark of nodes made before any gc */
    if (!mark_from_roots(ctx, epoch)) return 0;
    size_t freed = 0;
    for (ag_var **link = &ctx->vars; *link != NULL;) {
        ag_var *v = *link;
        if (v->mark == epoch) {
            link = &v->next_live;
            continue;
        }
        *link = v->next_live;
        free_var_storage(v);
        v->next_live = ctx->free_vars;
        ctx->free_vars = v;
        ctx->live_vars--;
        freed++;
    }
    for (ag_func **link = &ctx->funcs; *link != NULL;) {
        ag_func *f = *link;
        if (f->mark == epoch) {
            link = &f->next_live;
            continue;
        }
        *link = f->next_live;
        free_func_storage(f);
        f->next_live = ctx->free_funcs;
        ctx->free_funcs = f;
        ctx->live_funcs--;
        freed++;
    }
    ctx->allocs_since_gc = 0;
    return freed;
}
