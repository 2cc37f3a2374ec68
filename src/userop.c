/* userop.c — differentiable ops a program registers (ag_userop.h): the
 * per-context registry, the row each op gets beside the built-in table, and
 * the forward and backward that call the program's callbacks. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "ag_userop.h"
#include "internal.h"

#define NAME_MAX_LEN 63

struct ag_userop {
    ag_op_def row; /* first: a function's row is its op (name and symbol are `name`) */
    ag_userop_def def; /* the caller's callbacks and user pointer */
    ag_ctx *ctx;
    int op; /* AG_OP_USER + its index in ctx->userops */
    char name[NAME_MAX_LEN + 1];
    char *rule; /* owned; the row's rule */
};

void userops_free(ag_ctx *ctx) {
    for (size_t i = 0; i < ctx->nuserops; i++) {
        ctx_free(ctx, ctx->userops[i]->rule);
        ctx_free(ctx, ctx->userops[i]);
    }
    ctx_free(ctx, ctx->userops);
    ctx->userops = NULL;
    ctx->nuserops = ctx->userops_cap = 0;
}

/* ---- calling back ---------------------------------------------------------------
 * A callback runs with the context's error cleared (what was set before is
 * put back when it succeeds), ag_gc refused, and backprop as the caller
 * says.  Its failure becomes the op's error with the name in front. */
typedef struct {
    bool failed, grad_enabled;
    ag_err code;
    char msg[sizeof ((ag_ctx *)0)->errmsg];
} callback_state;

static void callback_enter(ag_ctx *ctx, callback_state *s, bool grad_enabled) {
    s->failed = ctx->failed;
    s->code = ctx->errcode;
    if (s->failed) memcpy(s->msg, ctx->errmsg, sizeof s->msg);
    ag_clear_error(ctx);
    s->grad_enabled = ctx->grad_enabled;
    ctx->grad_enabled = grad_enabled;
    ctx->in_callback++;
}

/* 0, or -1 with "NAME: [stage: ]message" set. */
static int callback_leave(ag_ctx *ctx, callback_state *s, const struct ag_userop *u, const char *stage,
                          int rc) {
    ctx->in_callback--;
    ctx->grad_enabled = s->grad_enabled;
    if (rc == 0 && !ctx->failed) {
        if (s->failed) {
            memcpy(ctx->errmsg, s->msg, sizeof s->msg);
            ctx->failed = true;
            ctx->errcode = s->code;
        }
        return 0;
    }
    if (!ctx->failed) {
        ag_set_error_code(ctx, AG_ERR_USER, "%s: %s failed (the callback returned %d and set no message)",
                          u->name, stage, rc);
        return -1;
    }
    size_t len = strlen(u->name);
    if (strncmp(ctx->errmsg, u->name, len) == 0 && ctx->errmsg[len] == ':') return -1; /* named already */
    char msg[sizeof s->msg];
    memcpy(msg, ctx->errmsg, sizeof msg);
    bool forward = strcmp(stage, "forward") == 0;
    ag_set_error_code(ctx, ctx->errcode, "%s: %s%s%s", u->name, forward ? "" : stage, forward ? "" : ": ",
                      msg);
    return -1;
}

/* ---- the op's row: forward and backward ------------------------------------------ */

/* Without a shape callback: the inputs' one shape. */
static int same_shape(ag_ctx *ctx, const struct ag_userop *u, ag_var *const *x, int n, int *ndim,
                      int *shape) {
    for (int i = 1; i < n; i++)
        if (!ag_same_shape(x[0], x[i])) {
            char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
            ctx_error(ctx, AG_ERR_SHAPE,
                      "%s: input shapes %s and %s differ (the op was registered without a shape "
                      "callback, so its inputs must have one shape)",
                      u->name, ag_shape_string(x[0]->t.ndim, x[0]->t.shape, a),
                      ag_shape_string(x[i]->t.ndim, x[i]->t.shape, b));
            return -1;
        }
    *ndim = x[0]->t.ndim;
    memcpy(shape, x[0]->t.shape, sizeof x[0]->t.shape);
    return 0;
}

/* The user op whose row f has. */
static const struct ag_userop *userop_of(const ag_func *f) { return (const struct ag_userop *)f->row; }

static int userop_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const struct ag_userop *u = userop_of(f);
    const ag_var *const *x = (const ag_var *const *)f->inputs;
    int ndim = 0, shape[AG_MAX_DIMS] = {0};
    if (u->def.shape == NULL) {
        if (same_shape(ctx, u, f->inputs, f->ninputs, &ndim, shape) < 0) return -1;
    } else {
        callback_state s;
        callback_enter(ctx, &s, false);
        int rc = u->def.shape(ctx, u->def.user, x, f->ninputs, &ndim, shape);
        if (callback_leave(ctx, &s, u, "shape", rc) < 0) return -1;
        if (ndim < 0 || ndim > AG_MAX_DIMS)
            return ctx_error(ctx, AG_ERR_SHAPE, "%s: the shape callback gave %d dimensions (0 to %d allowed)",
                             u->name, ndim, AG_MAX_DIMS),
                   -1;
        for (int i = 0; i < ndim; i++)
            if (shape[i] < 0)
                return ctx_error(ctx, AG_ERR_SHAPE, "%s: the shape callback gave a negative dimension (%d)",
                                 u->name, shape[i]),
                       -1;
    }
    if (t_init(ctx, &ys[0], ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    callback_state s;
    callback_enter(ctx, &s, false);
    int rc = u->def.forward(ctx, u->def.user, x, f->ninputs, ys[0].data, ndim, shape);
    if (callback_leave(ctx, &s, u, "forward", rc) < 0) {
        t_free(ctx, &ys[0]);
        return -1;
    }
    return 0;
}

static int userop_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs) {
    const struct ag_userop *u = userop_of(f);
    if (gys[0] == NULL) return 0; /* nothing flows in */
    callback_state s;
    callback_enter(ctx, &s, ctx->grad_enabled);
    int rc = u->def.backward(ctx, u->def.user, f->inputs, f->ninputs, f->outputs[0], gys[0], gxs);
    if (callback_leave(ctx, &s, u, "backward", rc) < 0) {
        for (int i = 0; i < f->ninputs; i++) gxs[i] = NULL;
        return -1;
    }
    for (int i = 0; i < f->ninputs; i++) {
        ag_var *g = gxs[i], *x = f->inputs[i];
        if (g == NULL) continue;
        const char *wrong = g->ctx != ctx ? "belongs to another context" : NULL;
        ag_err code = AG_ERR_CONTEXT;
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF], text[2 * AG_SHAPEBUF + 40];
        if (wrong == NULL && !ag_same_shape(g, x)) {
            snprintf(text, sizeof text, "has shape %s, the input %s (ag_sum_to brings it back)",
                     ag_shape_string(g->t.ndim, g->t.shape, a), ag_shape_string(x->t.ndim, x->t.shape, b));
            wrong = text;
            code = AG_ERR_SHAPE;
        }
        if (wrong != NULL) {
            ctx_error(ctx, code, "%s: backward: the gradient for input %d %s", u->name, i + 1, wrong);
            for (int j = 0; j < f->ninputs; j++) gxs[j] = NULL;
            return -1;
        }
    }
    return 0;
}

/* ---- registering ---------------------------------------------------------------- */

static bool is_identifier(const char *s) {
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (const char *p = s; *p != '\0'; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return false;
    return true;
}

static int strcase_equal(const char *a, const char *b) {
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

ag_userop *ag_op_register(ag_ctx *ctx, const ag_userop_def *def) {
    if (ctx == NULL) return NULL;
    if (def == NULL) return ctx_error(ctx, AG_ERR_ARG, "op_register: the definition is NULL");
    const char *name = def->name;
    if (name == NULL) return ctx_error(ctx, AG_ERR_ARG, "op_register: the op's name is NULL");
    if (strlen(name) > NAME_MAX_LEN || !is_identifier(name))
        return ctx_error(ctx, AG_ERR_ARG,
                         "op_register: the name \"%.*s\" is not an identifier of at most %d bytes "
                         "(letters, digits and _, not starting with a digit)",
                         NAME_MAX_LEN + 1, name, NAME_MAX_LEN);
    for (int op = 0; op < AG_OP_COUNT; op++)
        if (strcase_equal(name, ag_op_table[op].name) || strcase_equal(name, ag_op_table[op].symbol))
            return ctx_error(ctx, AG_ERR_ARG,
                             "op_register: %s: the name of a built-in op (%s); choose another", name,
                             ag_op_table[op].name);
    if (ag_op_find(ctx, name) != NULL)
        return ctx_error(ctx, AG_ERR_ARG,
                         "op_register: %s: an op of that name is registered in this context already", name);
    if (def->n_inputs < 1 || def->n_inputs > AG_USEROP_MAX_INPUTS)
        return ctx_error(ctx, AG_ERR_ARG, "op_register: %s: n_inputs is %d (1 to %d allowed)", name,
                         def->n_inputs, AG_USEROP_MAX_INPUTS);
    if (def->forward == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "op_register: %s: the forward callback is NULL", name);
    if (def->backward == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "op_register: %s: the backward callback is NULL", name);
    if (!CTX_ARRAY_RESERVE(ctx, ctx->userops, ctx->userops_cap, ctx->nuserops, 1))
        return ctx_error(ctx, AG_ERR_NOMEM, "op_register: out of memory");
    struct ag_userop *u = ctx_calloc(ctx, 1, sizeof *u);
    const char *rule = def->rule != NULL ? def->rule : "user-defined op (its backward callback)";
    char *rule_copy = ctx_malloc(ctx, strlen(rule) + 1);
    if (u == NULL || rule_copy == NULL) {
        ctx_free(ctx, u);
        ctx_free(ctx, rule_copy);
        return ctx_error(ctx, AG_ERR_NOMEM, "op_register: out of memory");
    }
    strcpy(rule_copy, rule);
    strcpy(u->name, name);
    u->def = *def;
    u->def.name = u->name;
    u->def.rule = rule_copy;
    u->rule = rule_copy;
    u->ctx = ctx;
    u->op = AG_OP_USER + (int)ctx->nuserops;
    u->row = (ag_op_def){.id = u->op,
                         .name = u->name,
                         .symbol = u->name,
                         .arity = def->n_inputs,
                         .forward = userop_forward,
                         .backward = userop_backward,
                         .rule = rule_copy};
    ctx->userops[ctx->nuserops++] = u;
    return u;
}

ag_userop *ag_op_find(ag_ctx *ctx, const char *name) {
    if (ctx == NULL) return NULL;
    if (name == NULL) return ctx_error(ctx, AG_ERR_ARG, "op_find: the name is NULL");
    for (size_t i = 0; i < ctx->nuserops; i++)
        if (strcmp(ctx->userops[i]->name, name) == 0) return ctx->userops[i];
    return NULL;
}

/* ---- applying and asking -------------------------------------------------------- */

ag_var *ag_apply(ag_ctx *ctx, ag_userop *op, ag_var *const *x, int n) {
    if (ctx == NULL) return NULL;
    if (op == NULL) {
        if (!ctx->failed) ctx_error(ctx, AG_ERR_ARG, "apply: the op is NULL");
        return NULL;
    }
    if (op->ctx != ctx)
        return ctx_error(ctx, AG_ERR_CONTEXT, "%s: the op was registered in another context", op->name);
    if (x == NULL) return ctx_error(ctx, AG_ERR_ARG, "%s: the inputs are NULL", op->name);
    if (n != op->def.n_inputs)
        return ctx_error(ctx, AG_ERR_ARG, "%s: takes %d input%s, given %d", op->name, op->def.n_inputs,
                         op->def.n_inputs == 1 ? "" : "s", n);
    return op_apply_row(ctx, &op->row, NULL, x, n, 1, NULL);
}

const char *ag_userop_name(const ag_userop *op) { return op ? op->name : ""; }
void *ag_userop_user(const ag_userop *op) { return op ? op->def.user : NULL; }
int ag_userop_ninputs(const ag_userop *op) { return op ? op->def.n_inputs : 0; }

ag_userop *ag_func_userop(const ag_func *f) {
    return f != NULL && f->op >= AG_OP_USER ? (ag_userop *)userop_of(f) : NULL;
}

const char *ag_func_name(const ag_func *f) { return f ? func_def(f)->name : ""; }
const char *ag_func_rule(const ag_func *f) { return f ? func_def(f)->rule : NULL; }

/* ---- gradient check ------------------------------------------------------------- */

typedef struct {
    ag_userop *op;
    bool seen;
    int input;
    size_t index;
    double analytic, numeric;
    ag_mismatch_fn report;
    void *report_user;
} check_state;

static ag_var *apply_for_check(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    return ag_apply(ctx, ((check_state *)user)->op, xs, n);
}

static void note_mismatch(void *user, int input, size_t index, double analytic, double numeric) {
    check_state *s = user;
    if (!s->seen) {
        s->seen = true;
        s->input = input;
        s->index = index;
        s->analytic = analytic;
        s->numeric = numeric;
    }
    if (s->report != NULL) s->report(s->report_user, input, index, analytic, numeric);
}

int ag_userop_gradcheck(ag_ctx *ctx, ag_userop *op, ag_var *const *x, int n, double atol, double rtol,
                        ag_mismatch_fn report, void *report_user) {
    if (ctx == NULL) return -1;
    if (op == NULL) return ctx_error(ctx, AG_ERR_ARG, "userop_gradcheck: the op is NULL"), -1;
    if (op->ctx != ctx)
        return ctx_error(ctx, AG_ERR_CONTEXT, "%s: the op was registered in another context", op->name), -1;
    check_state s = {.op = op, .report = report, .report_user = report_user};
    int result = ag_gradcheck(ctx, apply_for_check, &s, x, n, atol, rtol, note_mismatch, &s);
    if (result == 0 && s.seen) {
        char a[AG_NUMBUF], b[AG_NUMBUF];
        ag_set_error_code(ctx, AG_ERR_GRADIENT,
                          "%s: gradient check failed: x[%d] element %zu: backward gives %s, central "
                          "differences %s",
                          op->name, s.input, s.index, ag_format_double(s.analytic, 0, a),
                          ag_format_double(s.numeric, 0, b));
    }
    return result;
}
