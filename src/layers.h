/* layers.h — the layers models are built from (not public API): a linear
 * unit holding its parameters, and the RNN and LSTM steps over such units
 * (upstream's layer package).  The steps take and return the hidden state explicitly;
 * the model (models.c) keeps it and retains it between calls. */
#ifndef AG_LAYERS_H
#define AG_LAYERS_H

#include "ag_core.h"
#include "ag_rand.h"

/* Qualified names are at most this long, terminator included. */
#define LAYER_NAME_MAX 48

/* y = x @ w (+ b).  w is [in, out], made at the first call unless drawn at
 * construction; b is zeros [1, out].  Both are retained, named "w"/"b" and
 * flagged AG_VAR_PARAM. */
typedef struct linear_unit {
    const char *owner;           /* the model kind, for messages: "lstm" */
    char label[LAYER_NAME_MAX];  /* "linear[0]", "lstm.x2f"; "" for a bare layer */
    char w_name[LAYER_NAME_MAX]; /* "linear[0].w", or "w" for a bare layer */
    char b_name[LAYER_NAME_MAX];
    int in, out; /* in is 0 until w exists */
    ag_var *w, *b; /* b is NULL without bias */
} linear_unit;

/* Sets up u with its bias (when `bias`) and, when in > 0, its weight drawn
 * now from rng.  0, or -1 with the context error set (u is then released). */
int linear_unit_init(ag_ctx *ctx, linear_unit *u, const char *owner, const char *label, int out,
                     bool bias, int in, ag_rng *rng);
/* Draws w for `in` inputs from rng when it does not exist yet; 0, or -1
 * with "lstm: a [100000 100000] weight (lstm.h2f.w) is too large" when it
 * would pass 2^27 scalars, or out of memory. */
int linear_unit_ensure(ag_ctx *ctx, linear_unit *u, int in, ag_rng *rng);
/* Releases w and b. */
void linear_unit_release(linear_unit *u);
/* x (..., in) -> (..., out); w must exist. */
ag_var *linear_unit_forward(ag_ctx *ctx, linear_unit *u, ag_var *x);

/* One RNN step: h' = tanh(x2h(x)) when h is NULL, else tanh(x2h(x) + h2h(h)). */
ag_var *rnn_step(ag_ctx *ctx, linear_unit *x2h, linear_unit *h2h, ag_var *h, ag_var *x);

/* The LSTM's units in upstream's order. */
enum { LSTM_X2F, LSTM_X2I, LSTM_X2O, LSTM_X2U, LSTM_H2F, LSTM_H2I, LSTM_H2O, LSTM_H2U,
       LSTM_UNITS };
/* One LSTM step over units[LSTM_UNITS]; h and c are NULL on the first step.
 * Returns h' and writes c' to *c_next:
 *   f = sigmoid(x2f(x) + h2f(h)), i, o likewise, u = tanh(x2u(x) + h2u(h))
 *   c' = f*c + i*u (i*u on the first step), h' = o * tanh(c'). */
ag_var *lstm_step(ag_ctx *ctx, linear_unit *units, ag_var *h, ag_var *c, ag_var *x,
                  ag_var **c_next);

#endif
