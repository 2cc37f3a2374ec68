/* grad_of.c — the functional grad (upstream's and PyTorch's
 * torch.autograd.grad): dy/dx as new variables without touching any .grad,
 * for one input (ag_grad_of) or many in one backward pass (ag_grads_of).
 * Every .grad of y's graph is set aside, a backward with retain_grad runs,
 * the inputs' gradients are taken and every .grad is put back. */
#include <stddef.h>
#include <stdlib.h>

#include "internal.h"
#include "util/array.h"
#include "util/ptrmap.h"

/* Every variable of the graph ending at y (y included), iteratively. */
static ag_var **collect_vars(ag_ctx *ctx, ag_var *y, size_t *count) {
    ARRAY(ag_var *) vars = {0};
    ARRAY(ag_func *) stack = {0};
    if (++ctx->backward_stamp == 0) ++ctx->backward_stamp;
    if (!CTX_ARRAY_PUSH(ctx, vars, y)) goto oom;
    if (y->creator) {
        y->creator->seen = ctx->backward_stamp;
        if (!CTX_ARRAY_PUSH(ctx, stack, y->creator)) goto oom;
    }
    while (stack.count > 0) {
        ag_func *f = stack.items[--stack.count];
        for (int i = 0; i < f->ninputs + f->noutputs; i++) {
            ag_var *v = i < f->ninputs ? f->inputs[i] : f->outputs[i - f->ninputs];
            /* duplicates are harmless: saving twice restores the same */
            if (!CTX_ARRAY_PUSH(ctx, vars, v)) goto oom;
            ag_func *c = v->creator;
            if (c != NULL && c->seen != ctx->backward_stamp) {
                c->seen = ctx->backward_stamp;
                if (!CTX_ARRAY_PUSH(ctx, stack, c)) goto oom;
            }
        }
    }
    ctx_free(ctx, stack.items);
    *count = vars.count;
    return vars.items;
oom:
    ctx_free(ctx, vars.items);
    ctx_free(ctx, stack.items);
    ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    return NULL;
}

/* The pass: out[i] = dy/dxs[i] or NULL (xs[0..n) checked: this context's,
 * not NULL); in_graph[i] whether xs[i] is a variable of y's graph;
 * *blocked the symbol of an op without a gradient in the graph, or NULL.
 * 0, or -1 with the error set (out all NULL then). */
static int grads_pass(ag_ctx *ctx, ag_var *y, ag_var *const *xs, size_t n, ag_var **out, bool create_graph,
                      bool *in_graph, const char **blocked) {
    for (size_t i = 0; i < n; i++) out[i] = NULL, in_graph[i] = false;
    *blocked = NULL;
    size_t count = 0;
    ag_var **vars = collect_vars(ctx, y, &count);
    if (vars == NULL) return -1;
    ag_var **saved = ctx_malloc(ctx, (count ? count : 1) * sizeof *saved);
    int *saved_calls = saved != NULL ? ctx_malloc(ctx, (count ? count : 1) * sizeof *saved_calls) : NULL;
    /* xs by address, to find which are in the graph (one input: compared) */
    ptrmap index = {.realloc_fn = ctx_array_realloc, .user = ctx};
    bool indexed = n == 1 || ptrmap_reserve(&index, n);
    for (size_t i = 0; indexed && n > 1 && i < n; i++) ptrmap_put(&index, xs[i], i); /* reserved */
    if (saved_calls == NULL || !indexed) {
        ctx_free(ctx, saved);
        ctx_free(ctx, saved_calls);
        ctx_free(ctx, vars);
        ptrmap_free(&index);
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        return -1;
    }
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        ag_var *v = vars[i];
        saved[i] = v->grad, saved_calls[i] = v->grad_calls;
        v->grad = NULL;
        size_t at = n == 1 ? (v == xs[0] ? 0 : PTRMAP_NONE) : ptrmap_get(&index, v);
        if (at != PTRMAP_NONE) in_graph[at] = any = true; /* (a repeated input: its last entry) */
        if (*blocked == NULL && v->creator != NULL && !ag_op_has_gradient(v->creator->op))
            *blocked = func_def(v->creator)->symbol; /* to name when an input gets nothing */
    }
    int status = 0;
    if (any) {
        ag_backward_opts opts = {.create_graph = create_graph, .retain_grad = true}; /* xs may be intermediate */
        /* the last backward's record (ag_last_grad) stays that backward's:
         * grad() is not a backward call a drawing should show */
        bool keep_flows = ctx->keep_last_grads;
        ctx->keep_last_grads = false;
        status = ag_backward(ctx, y, &opts);
        ctx->keep_last_grads = keep_flows;
        /* every variable of the graph had its .grad set aside: what an
         * input of it has now is this pass's (or NULL) */
        for (size_t i = 0; status == 0 && i < n; i++) {
            in_graph[i] = in_graph[n == 1 ? 0 : ptrmap_get(&index, xs[i])];
            if (in_graph[i]) out[i] = xs[i]->grad;
        }
    }
    for (size_t i = count; i-- > 0;) { /* as they were: grad() adds to no .grad */
        var_set_grad(vars[i], saved[i]);
        vars[i]->grad_calls = saved_calls[i];
        vars[i]->grad_call = 0;
    }
    ctx_free(ctx, saved);
    ctx_free(ctx, saved_calls);
    ctx_free(ctx, vars);
    ptrmap_free(&index);
    if (status != 0)
        for (size_t i = 0; i < n; i++) out[i] = NULL;
    return status;
}

ag_var *ag_grad_of(ag_ctx *ctx, ag_var *y, ag_var *x, bool create_graph) {
    if (ctx == NULL || backward_refused_nested(ctx, "grad") || backward_check_output(ctx, "grad", y) < 0)
        return NULL;
    if (x == NULL) return ctx->failed ? NULL : ctx_error(ctx, AG_ERR_ARG, "grad: the input is NULL");
    if (x->ctx != ctx) return ctx_error(ctx, AG_ERR_CONTEXT, "grad: the input belongs to another context");
    ag_var *result;
    bool in_graph;
    const char *blocked;
    if (grads_pass(ctx, y, &x, 1, &result, create_graph, &in_graph, &blocked) < 0) return NULL;
    if (!in_graph) return ctx_error(ctx, AG_ERR_ARG, "grad: the output does not depend on that input");
    if (result == NULL && (x->flags & AG_VAR_CONST))
        return ctx_error(ctx, AG_ERR_ARG,
                         "grad: that input is a constant (a number written in an expression, "
                         "data such as a data set or a loaded file, or a mask an op made), and a "
                         "constant gets no gradient");
    if (result == NULL && blocked != NULL)
        return ctx_error(ctx, AG_ERR_ARG,
                         "grad: the output depends on that input only through %s, which has no "
                         "gradient (its index or whole-number result is a constant)",
                         blocked);
    if (result == NULL) return ctx_error(ctx, AG_ERR_ARG, "grad: the output does not depend on that input");
    return result;
}

int ag_grads_of(ag_ctx *ctx, ag_var *y, ag_var *const *xs, int n, ag_var **out, bool create_graph) {
    if (ctx == NULL) return -1;
    if (n < 0) return ctx_error(ctx, AG_ERR_ARG, "grads: n is %d (negative)", n), -1;
    if (n > 0 && out == NULL) return ctx_error(ctx, AG_ERR_ARG, "grads: out is NULL"), -1;
    for (int i = 0; i < n; i++) out[i] = NULL;
    if (backward_refused_nested(ctx, "grads") || backward_check_output(ctx, "grads", y) < 0) return -1;
    if (n > 0 && xs == NULL) return ctx_error(ctx, AG_ERR_ARG, "grads: the inputs are NULL"), -1;
    for (int i = 0; i < n; i++) {
        if (xs[i] == NULL) return ctx_error(ctx, AG_ERR_ARG, "grads: input %d is NULL", i + 1), -1;
        if (xs[i]->ctx != ctx)
            return ctx_error(ctx, AG_ERR_CONTEXT, "grads: input %d belongs to another context", i + 1), -1;
    }
    if (n == 0) return 0;
    bool local[8], *in_graph = n <= 8 ? local : ctx_malloc(ctx, (size_t)n * sizeof *in_graph);
    if (in_graph == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    const char *blocked;
    int status = grads_pass(ctx, y, xs, (size_t)n, out, create_graph, in_graph, &blocked);
    if (in_graph != local) ctx_free(ctx, in_graph);
    return status;
}
