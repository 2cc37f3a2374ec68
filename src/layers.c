/* layers.c — linear units and the RNN and LSTM steps (upstream's layer package).
 * Every op goes through the public op API, so the steps record ordinary
 * graphs that backward, gc and the graph viewer see like any other. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ag_ops.h"
#include "errors.h"
#include "layers.h"

/* Weights beyond this many scalars (1 GiB of doubles) are refused instead of
 * asking the allocator for them. */
#define MAX_WEIGHT_ELEMENTS ((size_t)1 << 27)

/* Marks v as a parameter named `name` and makes it a root. */
static ag_var *adopt_param(ag_var *v, const char *name) {
    if (v == NULL) return NULL;
    ag_set_name(v, name);
    ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_PARAM);
    ag_retain(v);
    return v;
}

/* The qualified name of one of u's parameters: "lstm.x2f" + "w". */
static void qualify(char *out, const char *label, const char *key) {
    if (label[0] == '\0')
        snprintf(out, LAYER_NAME_MAX, "%s", key);
    else
        snprintf(out, LAYER_NAME_MAX, "%s.%s", label, key);
}

int linear_unit_init(ag_ctx *ctx, linear_unit *u, const char *owner, const char *label, int out,
                     bool bias, int in, ag_rng *rng) {
    memset(u, 0, sizeof *u);
    u->owner = owner;
    snprintf(u->label, sizeof u->label, "%s", label);
    qualify(u->w_name, label, "w");
    qualify(u->b_name, label, "b");
    u->out = out;
    if (bias) {
        u->b = adopt_param(ag_zeros(ctx, 2, (int[]){1, out}), "b");
        if (u->b == NULL) return -1;
    }
    if (in > 0 && linear_unit_ensure(ctx, u, in, rng) < 0) {
        linear_unit_release(u);
        return -1;
    }
    return 0;
}

/* w = randn(in, out) * (1/sqrt(in)), upstream's MulC(1/sqrt(in), Randn). */
int linear_unit_ensure(ag_ctx *ctx, linear_unit *u, int in, ag_rng *rng) {
    if (u->w != NULL) return 0;
    if (in < 1 || (size_t)in * (size_t)u->out > MAX_WEIGHT_ELEMENTS) {
        ctx_error(ctx, AG_ERR_NOMEM, "%s: a [%d %d] weight (%s) is too large", u->owner, in, u->out,
                  u->w_name);
        return -1;
    }
    ag_var *w = ag_randn(ctx, 2, (int[]){in, u->out}, rng);
    if (w == NULL) return -1;
    double scale = 1.0 / sqrt((double)in), *data = (double *)ag_cdata(w); /* new: not a change */
    for (size_t k = 0, size = ag_size(w); k < size; k++) data[k] = scale * data[k];
    u->w = adopt_param(w, "w");
    u->in = in;
    return 0;
}

void linear_unit_release(linear_unit *u) {
    ag_release(u->w);
    ag_release(u->b);
    u->w = u->b = NULL;
    u->in = 0;
}

ag_var *linear_unit_forward(ag_ctx *ctx, linear_unit *u, ag_var *x) {
    return ag_linear(ctx, x, u->w, u->b);
}

/* x2h(x) first, then h2h(h): the order upstream evaluates them in, which
 * decides the draw order of lazy weights. */
ag_var *rnn_step(ag_ctx *ctx, linear_unit *x2h, linear_unit *h2h, ag_var *h, ag_var *x) {
    ag_var *from_x = linear_unit_forward(ctx, x2h, x);
    if (h == NULL) return ag_tanh(ctx, from_x);
    return ag_tanh(ctx, ag_add(ctx, from_x, linear_unit_forward(ctx, h2h, h)));
}

/* gate(x2g(x) + h2g(h)), or gate(x2g(x)) on the first step. */
static ag_var *gate(ag_ctx *ctx, linear_unit *from_x, linear_unit *from_h, ag_var *h, ag_var *x,
                    ag_var *(*activation)(ag_ctx *, ag_var *)) {
    ag_var *sum = linear_unit_forward(ctx, from_x, x);
    if (h != NULL) sum = ag_add(ctx, sum, linear_unit_forward(ctx, from_h, h));
    return activation(ctx, sum);
}

ag_var *lstm_step(ag_ctx *ctx, linear_unit *units, ag_var *h, ag_var *c, ag_var *x,
                  ag_var **c_next) {
    ag_var *f = gate(ctx, &units[LSTM_X2F], &units[LSTM_H2F], h, x, ag_sigmoid);
    ag_var *i = gate(ctx, &units[LSTM_X2I], &units[LSTM_H2I], h, x, ag_sigmoid);
    ag_var *o = gate(ctx, &units[LSTM_X2O], &units[LSTM_H2O], h, x, ag_sigmoid);
    ag_var *u = gate(ctx, &units[LSTM_X2U], &units[LSTM_H2U], h, x, ag_tanh);
    ag_var *cell = c == NULL ? ag_mul(ctx, i, u)
                             : ag_add(ctx, ag_mul(ctx, f, c), ag_mul(ctx, i, u));
    *c_next = cell;
    return ag_mul(ctx, o, ag_tanh(ctx, cell));
}
