/* ops_extra.c — more of PyTorch's activations and everyday functions,
 * each made of the op table's ops so its gradient (first and second
 * order) is theirs: softsign, logsigmoid, hardsigmoid, relu6, hardswish,
 * quick_gelu, celu; normalize, masked_fill, logical_not, _and, _or, _xor; layer_norm, embedding,
 * scaled_dot_product_attention, logcumsumexp; pad's reflect, replicate and
 * circular modes, repeat_interleave. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "internal.h"

static ag_var *k(ag_ctx *ctx, double v) { return const_scalar(ctx, v); }

/* x / (1 + |x|) */
ag_var *ag_softsign(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_ABS, x)) return NULL;
    return ag_div(ctx, x, ag_add(ctx, k(ctx, 1.0), ag_abs(ctx, x)));
}

/* log(sigmoid(x)) = -softplus(-x), the stable form (no threshold shortcut) */
ag_var *ag_logsigmoid(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_SOFTPLUS, x)) return NULL;
    return ag_neg(ctx, ag_softplus(ctx, ag_neg(ctx, x), 1.0, INFINITY));
}

/* x/6 + 1/2 */
static ag_var *sixth_plus_half(ag_ctx *ctx, ag_var *x) { return ag_add(ctx, ag_div(ctx, x, k(ctx, 6.0)), k(ctx, 0.5)); }

/* relu6(x + 3) / 6 as hardtanh(x/6 + 1/2, 0, 1): gradient 1/6 strictly inside (-3, 3), 0 at
 * the ends, as PyTorch's */
ag_var *ag_hardsigmoid(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_HARDTANH, x)) return NULL;
    return ag_hardtanh(ctx, sixth_plus_half(ctx, x), 0.0, 1.0);
}

/* min(max(x, 0), 6) */
ag_var *ag_relu6(ag_ctx *ctx, ag_var *x) { return ag_hardtanh(ctx, x, 0.0, 6.0); }

/* x * hardsigmoid(x): gradient 0 below -3, 1 above 3, x/3 + 1/2 from -3 to 3 with both ends,
 * as PyTorch's: Clip's gradient keeps its ends, which gives that */
ag_var *ag_hardswish(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_CLIP, x)) return NULL;
    return ag_mul(ctx, x, ag_clip(ctx, sixth_plus_half(ctx, x), 0.0, 1.0));
}

/* x * sigmoid(1.702 x), the GELU approximation of CLIP and GPT-style code */
ag_var *ag_quick_gelu(ag_ctx *ctx, ag_var *x) {
    if (!op_input_ok(ctx, AG_OP_SIGMOID, x)) return NULL;
    return ag_mul(ctx, x, ag_sigmoid(ctx, ag_mul(ctx, k(ctx, 1.702), x)));
}

/* max(0, x) + min(0, alpha (exp(x/alpha) - 1)) = alpha * elu(x / alpha, 1) */
ag_var *ag_celu(ag_ctx *ctx, ag_var *x, double alpha) {
    if (!op_input_ok(ctx, AG_OP_ELU, x)) return NULL;
    if (alpha == 0 || !isfinite(alpha)) return ctx_error(ctx, AG_ERR_ARG, "celu: alpha must be finite and not 0");
    if (alpha == 1.0) return ag_elu(ctx, x, 1.0);
    return ag_mul(ctx, k(ctx, alpha), ag_elu(ctx, ag_div(ctx, x, k(ctx, alpha)), 1.0));
}

/* x / max(||x||_p along axis (kept), eps), F.normalize */
ag_var *ag_normalize(ag_ctx *ctx, ag_var *x, double p, int axis, double eps) {
    if (!op_input_ok(ctx, AG_OP_SUM, x)) return NULL;
    if (!(p > 0) || !isfinite(p)) return ctx_error(ctx, AG_ERR_ARG, "normalize: p must be a positive number");
    int a = axis_normalize(ctx, "normalize", axis, x->t.ndim);
    if (a < 0) return NULL;
    ag_var *powered = p == 2.0 ? ag_square(ctx, x) : p == 1.0 ? ag_abs(ctx, x) : ag_pow(ctx, ag_abs(ctx, x), p);
    ag_var *sum = ag_keepdims(ctx, ag_sum(ctx, powered, &a, 1), x, &a, 1);
    ag_var *norm = p == 2.0 ? ag_sqrt(ctx, sum) : p == 1.0 ? sum : ag_pow(ctx, sum, 1.0 / p);
    return ag_div(ctx, x, ag_maximum(ctx, norm, k(ctx, eps)));
}

/* value where mask is not 0, else x (mask broadcasts to x); no gradient to mask */
ag_var *ag_masked_fill(ag_ctx *ctx, ag_var *x, ag_var *mask, double value) {
    if (!op_input_ok(ctx, AG_OP_WHERE, x) || !op_input_ok(ctx, AG_OP_WHERE, mask)) return NULL;
    return ag_where(ctx, mask, ag_broadcast_to(ctx, k(ctx, value), x->t.ndim, x->t.shape), x);
}

/* 1 where x is 0, else 0; no gradient */
ag_var *ag_logical_not(ag_ctx *ctx, ag_var *x) { return ag_eq(ctx, x, k(ctx, 0.0)); }

/* torch.logical_and, _or, _xor: each input's truth (not 0), then 1 where
 * both, either or exactly one hold; bool tensors (masks), no gradient.  The
 * and is the product of two truths (a bool product is bool, function.c). */
ag_var *ag_logical_and(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return ag_mul(ctx, ag_ne(ctx, a, k(ctx, 0.0)), ag_ne(ctx, b, k(ctx, 0.0)));
}
ag_var *ag_logical_or(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return ag_ne(ctx, ag_add(ctx, ag_ne(ctx, a, k(ctx, 0.0)), ag_ne(ctx, b, k(ctx, 0.0))), k(ctx, 0.0));
}
ag_var *ag_logical_xor(ag_ctx *ctx, ag_var *a, ag_var *b) {
    return ag_ne(ctx, ag_ne(ctx, a, k(ctx, 0.0)), ag_ne(ctx, b, k(ctx, 0.0)));
}

/* F.layer_norm over the last `nnorm` axes: (x - mean) / sqrt(var + eps), population
 * variance, then * weight + bias (either may be NULL; shaped like those axes). */
ag_var *ag_layer_norm(ag_ctx *ctx, ag_var *x, int nnorm, ag_var *weight, ag_var *bias, double eps) {
    if (!op_input_ok(ctx, AG_OP_MEAN, x)) return NULL;
    int ndim = x->t.ndim;
    if (nnorm < 1 || nnorm > ndim)
        return ctx_error(ctx, AG_ERR_SHAPE, "layer_norm: %d normalized axes for a %d-D x", nnorm, ndim);
    int axes[AG_MAX_DIMS];
    for (int i = 0; i < nnorm; i++) axes[i] = ndim - nnorm + i;
    char xs[SHAPE_BUF], ws[SHAPE_BUF];
    for (int i = 0; i < 2; i++) {
        const ag_var *p = i == 0 ? weight : bias;
        if (p != NULL && !shape_equal(p->t.ndim, p->t.shape, nnorm, x->t.shape + ndim - nnorm))
            return ctx_error(ctx, AG_ERR_SHAPE, "layer_norm: %s %s does not match the last %d axes of x %s",
                             i == 0 ? "weight" : "bias", shape_str(&p->t, ws), nnorm, shape_str(&x->t, xs));
    }
    ag_var *mean = ag_keepdims(ctx, ag_mean(ctx, x, axes, nnorm), x, axes, nnorm);
    ag_var *var = ag_keepdims(ctx, ag_variance(ctx, x, axes, nnorm), x, axes, nnorm);
    ag_var *y = ag_div(ctx, ag_sub(ctx, x, mean), ag_sqrt(ctx, ag_add(ctx, var, k(ctx, eps))));
    if (weight != NULL) y = ag_mul(ctx, y, weight);
    if (bias != NULL) y = ag_add(ctx, y, bias);
    return y;
}

/* F.embedding: the rows of weight (num, dim) at the indices, shaped indices.shape + (dim) */
ag_var *ag_embedding(ag_ctx *ctx, ag_var *indices, ag_var *weight) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, indices) || !op_input_ok(ctx, AG_OP_GET_ITEM, weight)) return NULL;
    char ws[SHAPE_BUF];
    if (weight->t.ndim != 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got %s",
                         shape_str(&weight->t, ws));
    if (indices->t.ndim >= AG_MAX_DIMS) return ctx_error(ctx, AG_ERR_SHAPE, "embedding: indices have too many axes");
    size_t n = indices->t.size;
    int *at = ctx_malloc(ctx, (n ? n : 1) * sizeof *at);
    if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double v = indices->t.data[i];
        if (!(v >= 0 && v < weight->t.shape[0] && v == floor(v))) {
            ctx_free(ctx, at);
            return ctx_error(ctx, AG_ERR_ARG, "embedding: index %g is not a row of weight %s", v, shape_str(&weight->t, ws));
        }
        at[i] = (int)v;
    }
    ag_var *rows = ag_get_item(ctx, weight, 0, at, (int)n);
    ctx_free(ctx, at);
    int shape[AG_MAX_DIMS];
    memcpy(shape, indices->t.shape, (size_t)indices->t.ndim * sizeof *shape);
    shape[indices->t.ndim] = weight->t.shape[1];
    return ag_reshape(ctx, rows, indices->t.ndim + 1, shape);
}

/* F.scaled_dot_product_attention: softmax(q k^T * scale (+ a causal mask)) v, q (..., L, E),
 * k (..., S, E), v (..., S, Ev); scale <= 0: 1/sqrt(E).  The causal mask keeps key j <= i
 * (the lower triangle from the top-left corner, as PyTorch's is_causal). */
/* The batch axes (all but the last two) of a and b broadcast, into out (*nout axes); false if not. */
static bool batch_broadcast(const ag_tensor *a, const int *b, int nb, int *out, int *nout) {
    int na = a->ndim - 2, rank = na > nb ? na : nb;
    for (int i = 0; i < rank; i++) {
        int da = i - (rank - na) >= 0 ? a->shape[i - (rank - na)] : 1;
        int db = i - (rank - nb) >= 0 ? b[i - (rank - nb)] : 1;
        if (da != db && da != 1 && db != 1) return false;
        out[i] = da == 1 ? db : da;
    }
    *nout = rank;
    return true;
}

ag_var *ag_scaled_dot_product_attention(ag_ctx *ctx, ag_var *q, ag_var *key, ag_var *v, bool is_causal, double scale) {
    if (!op_input_ok(ctx, AG_OP_MATMUL, q) || !op_input_ok(ctx, AG_OP_MATMUL, key) || !op_input_ok(ctx, AG_OP_MATMUL, v))
        return NULL;
    /* PyTorch's shapes, checked here in its words: query (..., L, E), key
     * (..., S, E), value (..., S, Ev), the batch axes broadcasting */
    char qs[SHAPE_BUF], ks[SHAPE_BUF], vs[SHAPE_BUF];
    const ag_var *args[3] = {q, key, v};
    static const char *const names[3] = {"query", "key", "value"}, *const layouts[3] = {"(..., L, E)", "(..., S, E)",
                                                                                       "(..., S, Ev)"};
    for (int i = 0; i < 3; i++)
        if (args[i]->t.ndim < 2)
            return ctx_error(ctx, AG_ERR_SHAPE, "scaled_dot_product_attention: %s %s must have at least 2 dimensions %s",
                             names[i], shape_str(&args[i]->t, qs), layouts[i]);
    shape_str(&q->t, qs), shape_str(&key->t, ks), shape_str(&v->t, vs);
    if (q->t.shape[q->t.ndim - 1] != key->t.shape[key->t.ndim - 1])
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "scaled_dot_product_attention: query %s and key %s must have the same last dimension E "
                         "(query (..., L, E), key (..., S, E))",
                         qs, ks);
    if (key->t.shape[key->t.ndim - 2] != v->t.shape[v->t.ndim - 2])
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "scaled_dot_product_attention: key %s and value %s must have the same length S "
                         "(key (..., S, E), value (..., S, Ev))",
                         ks, vs);
    int batch[AG_MAX_DIMS], nbatch = 0;
    if (!batch_broadcast(&q->t, NULL, 0, batch, &nbatch) || !batch_broadcast(&key->t, batch, nbatch, batch, &nbatch) ||
        !batch_broadcast(&v->t, batch, nbatch, batch, &nbatch))
        return ctx_error(ctx, AG_ERR_SHAPE,
                         "scaled_dot_product_attention: the batch dimensions (all but the last two) of query %s, "
                         "key %s and value %s do not broadcast",
                         qs, ks, vs);
    int E = q->t.shape[q->t.ndim - 1], L = q->t.shape[q->t.ndim - 2], S = key->t.shape[key->t.ndim - 2];
    if (isinf(scale))
        return ctx_error(ctx, AG_ERR_ARG, "scaled_dot_product_attention: scale must be finite, not %s",
                         scale > 0 ? "inf" : "-inf");
    double s = isnan(scale) ? 1.0 / sqrt((double)E) : scale;
    int kt[AG_MAX_DIMS];
    for (int i = 0; i < key->t.ndim; i++) kt[i] = i;
    kt[key->t.ndim - 2] = key->t.ndim - 1, kt[key->t.ndim - 1] = key->t.ndim - 2;
    ag_var *scores = ag_mul(ctx, ag_matmul(ctx, q, ag_transpose(ctx, key, kt, key->t.ndim)), k(ctx, s));
    if (is_causal) {
        ag_var *keep = ag_zeros(ctx, 2, (const int[]){L, S});
        if (keep == NULL) return NULL;
        keep->flags |= AG_VAR_CONST;
        for (int i = 0; i < L; i++)
            for (int j = 0; j <= i && j < S; j++) keep->t.data[(size_t)i * S + j] = 1.0;
        scores = ag_where(ctx, keep, scores, k(ctx, -INFINITY));
    }
    return ag_matmul(ctx, ag_softmax(ctx, scores, -1), v);
}

/* torch.logcumsumexp: y_j = logaddexp(y_{j-1}, x_j) along axis, a LogAddExp per step (each
 * stable on its own, so a prefix far below a later maximum keeps its value, as PyTorch's) */
ag_var *ag_logcumsumexp(ag_ctx *ctx, ag_var *x, int axis) {
    if (!op_input_ok(ctx, AG_OP_LOGADDEXP, x)) return NULL;
    int a = axis_normalize_0d(ctx, "logcumsumexp", axis, x->t.ndim);
    if (a < 0) return NULL;
    if (x->t.ndim == 0 || x->t.shape[a] <= 1) return ag_add(ctx, x, k(ctx, 0.0));
    int n = x->t.shape[a];
    ag_var **parts = ctx_malloc(ctx, (size_t)n * sizeof *parts);
    int *ones = ctx_malloc(ctx, (size_t)n * sizeof *ones);
    if (parts == NULL || ones == NULL) {
        ctx_free(ctx, parts), ctx_free(ctx, ones);
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) ones[i] = 1;
    ag_var *y = NULL;
    if (ag_split(ctx, x, ones, n, a, parts) == 0) {
        for (int i = 1; i < n; i++) parts[i] = ag_logaddexp(ctx, parts[i - 1], parts[i]);
        y = ag_concat(ctx, parts, n, a);
    }
    ctx_free(ctx, parts), ctx_free(ctx, ones);
    return y;
}

/* F.pad with mode reflect, replicate or circular: each padded axis is a GetItem of
 * the positions the mode names (so the gradient adds each copy back).  reflect
 * mirrors without repeating the edge (pad < size), replicate repeats the edge,
 * circular wraps (pad <= size), as PyTorch. */
ag_var *ag_pad_mode(ag_ctx *ctx, ag_var *x, const int *pad, int npad, ag_pad_kind mode) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    static const char *const names[] = {"reflect", "replicate", "circular"};
    if ((unsigned)mode > AG_PAD_CIRCULAR) return ctx_error(ctx, AG_ERR_ARG, "pad: unknown mode %d", (int)mode);
    if (npad % 2 != 0 || npad / 2 > x->t.ndim || (npad > 0 && pad == NULL))
        return ctx_error(ctx, AG_ERR_ARG, "pad: %d amounts for %d axes: give pairs (before, after), last axis first",
                         npad, x->t.ndim);
    ag_var *y = x;
    for (int i = 0; i < npad / 2 && y != NULL; i++) {
        int axis = x->t.ndim - 1 - i, before = pad[2 * i], after = pad[2 * i + 1], size = y->t.shape[axis];
        if (before < 0 || after < 0)
            return ctx_error(ctx, AG_ERR_ARG, "pad: mode %s takes amounts of at least 0, not (%d, %d)", names[mode],
                             before, after);
        int most = mode == AG_PAD_REFLECT ? size - 1 : mode == AG_PAD_CIRCULAR ? size : (size > 0 ? 1 << 30 : 0);
        if (before > most || after > most)
            return ctx_error(ctx, AG_ERR_SHAPE, "pad: mode %s pads axis %d of size %d by at most %d, not (%d, %d)",
                             names[mode], axis, size, most, before, after);
        if (before == 0 && after == 0) continue;
        int n = before + size + after;
        int *at = ctx_malloc(ctx, (size_t)n * sizeof *at);
        if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        for (int j = 0; j < n; j++) {
            int p = j - before; /* the position in y, possibly outside it */
            if (mode == AG_PAD_REPLICATE) p = p < 0 ? 0 : p >= size ? size - 1 : p;
            else if (mode == AG_PAD_CIRCULAR) p = ((p % size) + size) % size;
            else p = p < 0 ? -p : p >= size ? 2 * (size - 1) - p : p;
            at[j] = p;
        }
        y = ag_get_item(ctx, y, axis, at, n);
        ctx_free(ctx, at);
    }
    return y == x ? ag_add(ctx, x, k(ctx, 0.0)) : y;
}

/* torch.repeat_interleave(x, repeats, dim): each entry along axis repeated
 * `repeats` times in place (a GetItem); axis NULL: of the flattened x. */
ag_var *ag_repeat_interleave(ag_ctx *ctx, ag_var *x, int repeats, const int *axis) {
    if (!op_input_ok(ctx, AG_OP_GET_ITEM, x)) return NULL;
    if (repeats < 0) return ctx_error(ctx, AG_ERR_ARG, "repeat_interleave: repeats must be at least 0 (got %d)", repeats);
    ag_var *y = axis == NULL ? ag_reshape(ctx, x, 1, (const int[]){-1}) : x;
    if (y == NULL) return NULL;
    int a = axis == NULL ? 0 : axis_normalize(ctx, "repeat_interleave", *axis, y->t.ndim);
    if (a < 0) return NULL;
    long n = (long)y->t.shape[a] * repeats;
    if (n > INT32_MAX) return ctx_error(ctx, AG_ERR_NOMEM, "repeat_interleave: %ld entries are too many", n);
    int *at = ctx_malloc(ctx, (size_t)(n > 0 ? n : 1) * sizeof *at);
    if (at == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    for (long j = 0; j < n; j++) at[j] = (int)(j / repeats);
    ag_var *r = ag_get_item(ctx, y, a, at, (int)n);
    ctx_free(ctx, at);
    return r;
}

/* A constant (C) as (1, C, 1, ...) for an x of nd axes: a copy, so no
 * gradient reaches the running statistics (PyTorch's buffers). */
static ag_var *channel_const(ag_ctx *ctx, const ag_var *v, int nd) {
    int shape[AG_MAX_DIMS];
    for (int d = 0; d < nd; d++) shape[d] = d == 1 ? (int)v->t.size : 1;
    ag_var *c = ag_zeros(ctx, nd, shape);
    if (c == NULL) return NULL;
    memcpy(c->t.data, v->t.data, v->t.size * sizeof *c->t.data);
    c->flags |= AG_VAR_CONST;
    return c;
}

/* F.batch_norm over every axis but 1 (the channels) of x (N, C, ...): in
 * training the batch's mean and population variance, and the running
 * statistics (when given) updated in place as PyTorch's, with the unbiased
 * variance: r = (1 - momentum) r + momentum s; in evaluation the running
 * statistics.  Then * weight + bias per channel (NULL: none). */
ag_var *ag_batch_norm(ag_ctx *ctx, ag_var *x, ag_var *running_mean, ag_var *running_var, ag_var *weight,
                      ag_var *bias, bool training, double momentum, double eps) {
    if (!op_input_ok(ctx, AG_OP_MEAN, x)) return NULL;
    int nd = x->t.ndim;
    char xs[SHAPE_BUF], ps[SHAPE_BUF];
    if (nd < 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "batch_norm: x %s needs a batch and a channel axis (N, C, ...)",
                         shape_str(&x->t, xs));
    int channels = x->t.shape[1];
    static const char *const names[] = {"running_mean", "running_var", "weight", "bias"};
    ag_var *given[] = {running_mean, running_var, weight, bias};
    for (int i = 0; i < 4; i++) {
        if (given[i] == NULL) continue;
        if (!op_input_ok(ctx, AG_OP_MUL, given[i])) return NULL;
        if (given[i]->t.ndim != 1 || given[i]->t.shape[0] != channels)
            return ctx_error(ctx, AG_ERR_SHAPE, "batch_norm: %s %s does not match x %s's %d channels (axis 1)",
                             names[i], shape_str(&given[i]->t, ps), shape_str(&x->t, xs), channels);
    }
    if (!training && (running_mean == NULL || running_var == NULL))
        return ctx_error(ctx, AG_ERR_ARG, "batch_norm: running_mean and running_var are needed when not training");
    if ((running_mean == NULL) != (running_var == NULL))
        return ctx_error(ctx, AG_ERR_ARG, "batch_norm: give both running_mean and running_var, or neither");
    ag_var *centred, *var;
    if (training) {
        size_t count = channels ? x->t.size / (size_t)channels : 0;
        if (count == 1)
            return ctx_error(ctx, AG_ERR_SHAPE, "batch_norm: x %s has 1 value per channel: training needs more",
                             shape_str(&x->t, xs));
        int axes[AG_MAX_DIMS], n = 0;
        for (int d = 0; d < nd; d++)
            if (d != 1) axes[n++] = d;
        ag_var *mean = ag_keepdims(ctx, ag_mean(ctx, x, axes, n), x, axes, n);
        var = ag_keepdims(ctx, ag_variance(ctx, x, axes, n), x, axes, n);
        centred = ag_sub(ctx, x, mean);
        if (var == NULL || centred == NULL) return NULL;
        if (running_mean != NULL) {
            double *rm = ag_data_mut(running_mean), *rv = ag_data_mut(running_var);
            double unbias = count > 1 ? (double)count / (double)(count - 1) : NAN;
            for (int c = 0; c < channels; c++) {
                rm[c] = (1 - momentum) * rm[c] + momentum * mean->t.data[c];
                rv[c] = (1 - momentum) * rv[c] + momentum * var->t.data[c] * unbias;
            }
        }
    } else {
        centred = ag_sub(ctx, x, channel_const(ctx, running_mean, nd));
        var = channel_const(ctx, running_var, nd);
    }
    ag_var *y = ag_div(ctx, centred, ag_sqrt(ctx, ag_add(ctx, var, k(ctx, eps))));
    int shape[AG_MAX_DIMS];
    for (int d = 0; d < nd; d++) shape[d] = d == 1 ? channels : 1;
    if (weight != NULL) y = ag_mul(ctx, y, ag_reshape(ctx, weight, nd, shape));
    if (bias != NULL) y = ag_add(ctx, y, ag_reshape(ctx, bias, nd, shape));
    return y;
}
