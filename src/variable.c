/* variable.c — leaf construction and variable accessors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

ag_var *var_from_tensor(ag_ctx *ctx, ag_tensor *t) {
    ag_var *v = ctx_alloc_var(ctx);
    if (v == NULL) {
        t_free(ctx, t);
        return NULL;
    }
    v->t = *t;
    ctx->bytes_since_gc += t->size * sizeof(double);
    *t = (ag_tensor){0};
    return v;
}

const char *shape_str(const ag_tensor *t, char *buf) {
    size_t n = 0;
    buf[n++] = '[';
    for (int i = 0; i < t->ndim; i++)
        n += (size_t)snprintf(buf + n, SHAPE_BUF - n, i ? " %d" : "%d", t->shape[i]);
    buf[n++] = ']';
    buf[n] = '\0';
    return buf;
}

static int check_shape(ag_ctx *ctx, const char *op, int ndim, const int *shape) {
    if (ndim < 0 || ndim > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "%s: %d dimensions (at most %d)", op, ndim, AG_MAX_DIMS), -1;
    if (shape == NULL && ndim > 0)
        return ctx_error(ctx, AG_ERR_ARG, "%s: the shape is NULL but ndim is %d", op, ndim), -1;
    bool empty = false; /* a 0 anywhere: no elements, whatever the other sizes (as PyTorch) */
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return ctx_error(ctx, AG_ERR_SHAPE, "%s: negative dimension %d", op, shape[i]), -1;
        empty = empty || shape[i] == 0;
    }
    size_t size = 1;
    for (int i = 0; i < ndim && !empty; i++) {
        if (size > SIZE_MAX / sizeof(double) / (size_t)shape[i]) {
            char text[SHAPE_BUF];
            ag_tensor t = {.ndim = ndim};
            memcpy(t.shape, shape, (size_t)ndim * sizeof *shape);
            return ctx_error(ctx, AG_ERR_NOMEM,
                             "%s: shape %s has too many elements to allocate (size overflow)", op,
                             shape_str(&t, text)),
                   -1;
        }
        size *= (size_t)shape[i];
    }
    return 0;
}

static ag_var *inline_scalar(ag_ctx *ctx, int ndim, double value) {
    return ctx != NULL ? var_new_scalar(ctx, ndim, value) : NULL;
}

ag_var *var_scalar_like(ag_ctx *ctx, const ag_var *like, double value) {
    return inline_scalar(ctx, like->t.ndim, value);
}

ag_var *var_uninit_like(ag_ctx *ctx, const ag_var *like) {
    if (like->t.size == 1) return inline_scalar(ctx, like->t.ndim, 0.0);
    ag_tensor t;
    if (t_init_uninit(ctx, &t, like->t.ndim, like->t.shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    return var_from_tensor(ctx, &t);
}

/* ag_new, with errors naming `what` ("zeros: shape [...] ..."). */
static ag_var *new_leaf(ag_ctx *ctx, const char *what, int ndim, const int *shape, const double *data) {
    if (ctx == NULL) return NULL;
    if (check_shape(ctx, what, ndim, shape) < 0) return NULL;
    if (shape_size(ndim, shape) == 1) return inline_scalar(ctx, ndim, data != NULL ? data[0] : 0.0);
    ag_tensor t;
    if (t_init(ctx, &t, ndim, shape) < 0) {
        char text[SHAPE_BUF];
        ag_tensor s = {.ndim = ndim};
        memcpy(s.shape, shape, (size_t)ndim * sizeof *shape);
        return ctx_error(ctx, AG_ERR_NOMEM, "%s: out of memory for shape %s", what, shape_str(&s, text));
    }
    if (data != NULL && t.size > 0) memcpy(t.data, data, t.size * sizeof *data);
    return var_from_tensor(ctx, &t);
}

ag_var *ag_new(ag_ctx *ctx, int ndim, const int *shape, const double *data) {
    return new_leaf(ctx, "new", ndim, shape, data);
}

ag_var *ag_scalar(ag_ctx *ctx, double value) { return inline_scalar(ctx, 0, value); }

ag_var *const_scalar(ag_ctx *ctx, double value) {
    ag_var *v = ag_scalar(ctx, value);
    if (v != NULL) v->flags |= AG_VAR_CONST;
    return v;
}

ag_var *ag_zeros(ag_ctx *ctx, int ndim, const int *shape) { return new_leaf(ctx, "zeros", ndim, shape, NULL); }
ag_var *var_zeros_named(ag_ctx *ctx, const char *what, int ndim, const int *shape) {
    return new_leaf(ctx, what, ndim, shape, NULL);
}

/* A leaf of the shape holding value everywhere; a long fill stops on an
 * interrupt with "NAME: interrupted". */
static ag_var *filled(ag_ctx *ctx, const char *name, int ndim, const int *shape, double value) {
    ag_var *v = new_leaf(ctx, name, ndim, shape, NULL);
    if (v == NULL) return NULL;
    double *data = v->t.data;
    for (size_t block = 0; block < v->t.size; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) return ctx_error(ctx, AG_ERR_INTERRUPTED, "%s: interrupted", name);
        size_t end = v->t.size - block < INTERRUPT_BLOCK ? v->t.size : block + INTERRUPT_BLOCK;
        for (size_t i = block; i < end; i++) data[i] = value;
    }
    return v;
}

ag_var *ag_full(ag_ctx *ctx, int ndim, const int *shape, double value) {
    return filled(ctx, "full", ndim, shape, value);
}

ag_var *ag_ones(ag_ctx *ctx, int ndim, const int *shape) { return filled(ctx, "ones", ndim, shape, 1.0); }

/* NULL for x NULL, with "WHAT: the input is NULL" unless a message is set. */
static ag_var *null_input(ag_ctx *ctx, const char *what) {
    return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "%s: the input is NULL", what);
}

ag_var *ag_zeros_like(ag_ctx *ctx, const ag_var *x) {
    return x ? var_zeros_named(ctx, "zeros_like", x->t.ndim, x->t.shape) : null_input(ctx, "zeros_like");
}

ag_var *ag_ones_like(ag_ctx *ctx, const ag_var *x) {
    return x ? filled(ctx, "ones_like", x->t.ndim, x->t.shape, 1.0) : null_input(ctx, "ones_like");
}

ag_var *ag_arange(ag_ctx *ctx, double start, double stop, double step) {
    if (step == 0) return ctx_error(ctx, AG_ERR_ARG, "arange: step is zero");
    if (!isfinite(start) || !isfinite(stop) || !isfinite(step))
        return ctx_error(ctx, AG_ERR_NONFINITE, "arange: bounds and step must be finite");
    double count = ceil((stop - start) / step);
    if (count < 0) count = 0;
    if (count > 1e9) {
        char number[AG_NUMBUF];
        return ctx_error(ctx, AG_ERR_NOMEM, "arange: %s elements is too many (at most 1e9)",
                         ag_format_double(count, 0, number));
    }
    int n = (int)count;
    ag_var *v = var_zeros_named(ctx, "arange", 1, &n);
    if (v == NULL) return NULL;
    double x = start; /* accumulate like upstream: x += step */
    for (int i = 0; i < n; i++, x += step) {
        if (i % INTERRUPT_BLOCK == 0 && ctx_interrupted(ctx))
            return ctx_error(ctx, AG_ERR_INTERRUPTED, "arange: interrupted");
        v->t.data[i] = x;
    }
    return v;
}

ag_var *ag_linspace(ag_ctx *ctx, double start, double stop, int n) {
    if (n < 0) return ctx_error(ctx, AG_ERR_ARG, "linspace: n is negative (%d)", n);
    if (!isfinite(start) || !isfinite(stop)) {
        char a[AG_NUMBUF], b[AG_NUMBUF];
        return ctx_error(ctx, AG_ERR_NONFINITE, "linspace: start and stop must be finite, not %s and %s",
                         ag_format_display(start, 0, a), ag_format_display(stop, 0, b));
    }
    ag_var *v = var_zeros_named(ctx, "linspace", 1, &n);
    if (v == NULL) return NULL;
    if (n == 1) v->t.data[0] = start; /* PyTorch: [start]; n = 0 is empty */
    if (n < 2) return v;
    double step = (stop - start) / (double)(n - 1);
    for (int i = 0; i < n; i++) {
        if (i % INTERRUPT_BLOCK == 0 && ctx_interrupted(ctx))
            return ctx_error(ctx, AG_ERR_INTERRUPTED, "linspace: interrupted");
        v->t.data[i] = start + (double)i * step;
    }
    return v;
}

ag_var *ag_eye(ag_ctx *ctx, int n) {
    if (n < 0) return ctx_error(ctx, AG_ERR_ARG, "eye: negative size %d", n);
    ag_var *v = var_zeros_named(ctx, "eye", 2, (int[]){n, n});
    if (v == NULL) return NULL;
    for (int i = 0; i < n; i++) v->t.data[(size_t)i * (size_t)n + (size_t)i] = 1.0;
    return v;
}

ag_var *ag_detach(ag_ctx *ctx, const ag_var *x) {
    return x ? new_leaf(ctx, "detach", x->t.ndim, x->t.shape, x->t.data) : null_input(ctx, "detach");
}

/* ---- accessors ------------------------------------------------------------ */

/* Every accessor takes NULL (the result of a failed call) and answers as
 * for "nothing": NaN, 0, NULL or "". */
ag_ctx *ag_var_ctx(const ag_var *v) { return v ? v->ctx : NULL; }
int ag_ndim(const ag_var *v) { return v ? v->t.ndim : 0; }
const int *ag_shape(const ag_var *v) { return v ? v->t.shape : NULL; }
size_t ag_size(const ag_var *v) { return v ? v->t.size : 0; }
/* The writable data: an in-place change, which backward checks against the
 * values the graph's functions used (see changed_since in backward.c). */
double *ag_data_mut(ag_var *v) {
    if (v == NULL || v->ctx == NULL) return NULL; /* collected: no data, and no context to count the change in */
    v->version++;
    if (++v->ctx->change_clock == 0) v->ctx->change_clock = 1; /* 0 = never changed */
    v->changed_at = v->ctx->change_clock;
    return v->t.data;
}
double *ag_data(ag_var *v) { return ag_data_mut(v); }
unsigned ag_var_version(const ag_var *v) { return v ? v->version : 0; }
const double *ag_cdata(const ag_var *v) { return v ? v->t.data : NULL; }
double ag_item(const ag_var *v) { return v && v->t.size > 0 ? v->t.data[0] : NAN; }
bool ag_same_shape(const ag_var *a, const ag_var *b) {
    return a && b && shape_equal(a->t.ndim, a->t.shape, b->t.ndim, b->t.shape);
}
ag_var *ag_grad(const ag_var *v) { return v ? v->grad : NULL; }
int ag_set_grad(ag_var *v, ag_var *grad) {
    if (v == NULL || v->ctx == NULL) return -1; /* collected: as ag_cleargrad */
    if (grad != NULL && grad->ctx != v->ctx)
        return ctx_error(v->ctx, AG_ERR_CONTEXT, "set_grad: the gradient belongs to another context"), -1;
    if (grad != NULL && !ag_same_shape(v, grad)) {
        char vs[SHAPE_BUF], gs[SHAPE_BUF];
        return ctx_error(v->ctx, AG_ERR_SHAPE, "set_grad: the gradient's shape %s is not the variable's %s",
                         shape_str(&grad->t, gs), shape_str(&v->t, vs)),
               -1;
    }
    var_set_grad(v, grad);
    v->grad_calls = 0; /* set, not made by a backward */
    v->grad_call = 0;
    return 0;
}
int ag_cleargrad(ag_var *v) {
    if (v == NULL || v->ctx == NULL) return -1; /* collected: its node is the free list's, not v's */
    v->grad = NULL, v->grad_calls = 0, v->grad_call = 0;
    return 0;
}

int ag_grad_calls(const ag_var *v) { return v != NULL && v->grad != NULL ? v->grad_calls : 0; }
const char *ag_name(const ag_var *v) { return v && v->name ? v->name : ""; }
int ag_set_name(ag_var *v, const char *name) {
    if (v == NULL || v->ctx == NULL) return -1; /* collected: a name would outlive the variable */
    char *old = v->name != v->short_name ? v->name : NULL;
    /* A name that fits short_name (a loop binds its result's name at every
     * step: W2's script) is copied byte by byte through a local, since name
     * may be v's own, without libc's strlen and memmove calls. */
    char local[sizeof v->short_name];
    size_t n = 0;
    if (name != NULL)
        while (n < sizeof local && (local[n] = name[n]) != '\0') n++;
    if (n == 0) {
        v->name = NULL;
    } else if (n < sizeof local) {
        for (size_t i = 0; i <= n; i++) v->short_name[i] = local[i];
        v->name = v->short_name;
    } else {
        size_t len = strlen(name) + 1;
        char *copy = ctx_malloc(v->ctx, len);
        if (copy == NULL) return -1; /* out of memory: keep the old name */
        memcpy(copy, name, len);
        v->name = copy;
    }
    if (old != NULL) ctx_free(v->ctx, old);
    return 0;
}
ag_func *ag_creator(const ag_var *v) { return v ? v->creator : NULL; }
int ag_generation(const ag_var *v) { return v ? v->generation : 0; }
unsigned ag_var_flags(const ag_var *v) { return v ? v->flags : 0; }
void ag_var_set_flags(ag_var *v, unsigned flags) {
    if (v != NULL) v->flags = flags;
}
