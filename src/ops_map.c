/* ops_map.c — the elementwise kernels every pointwise op shares, in one
 * place: a unary map (the op's scalar hook, or a vectorized array kernel), a
 * broadcasting map over two or three inputs (the arithmetic ops' with
 * tensor.c's unrolled kernels), and the constant masks the backwards
 * multiply by.  A pointwise op is then its row in AG_OP_LIST, one
 * line here-and-there in its ops_*.c (forward = one of these, backward =
 * public ops) and its gradcheck row.  Each runs in blocks of INTERRUPT_BLOCK
 * elements, so a long one stops on an interrupt with "NAME: interrupted"
 * (ys[0] is freed by the caller); an element's result never depends on the
 * block it is in, so the 0-d fast path (the scalar hook) gives the same bits. */
#include <string.h>

#include "internal.h"

int map_unary(ag_ctx *ctx, ag_func *f, ag_tensor *ys) {
    const ag_tensor *x = &f->inputs[0]->t;
    ag_scalar_fn fn = f->row->scalar;
    const ag_op_params *params = FUNC_PARAMS(f);
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (size_t block = 0; block < x->size; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        size_t end = x->size - block < INTERRUPT_BLOCK ? x->size : block + INTERRUPT_BLOCK;
        for (size_t i = block; i < end; i++) ys[0].data[i] = fn(params, x->data[i], 0.0);
    }
    return 0;
}

int map_array(ag_ctx *ctx, ag_func *f, ag_tensor *ys, void (*fn)(double *, const double *, size_t)) {
    const ag_tensor *x = &f->inputs[0]->t;
    if (t_init_uninit(ctx, &ys[0], x->ndim, x->shape) < 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    for (size_t block = 0; block < x->size; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        size_t n = x->size - block < INTERRUPT_BLOCK ? x->size - block : INTERRUPT_BLOCK;
        fn(ys[0].data + block, x->data + block, n);
    }
    return 0;
}

/* in, or in broadcast to (ndim, shape) in *tmp (freed by the caller): the
 * data to read one element per output element from.  NULL when out of memory. */
static const double *expanded(ag_ctx *ctx, const ag_tensor *in, int ndim, const int *shape, ag_tensor *tmp) {
    *tmp = (ag_tensor){0};
    if (shape_equal(in->ndim, in->shape, ndim, shape)) return in->data;
    if (t_init_uninit(ctx, tmp, ndim, shape) < 0) return NULL;
    t_broadcast_to(tmp, in);
    return tmp->data;
}

/* The shape f's inputs broadcast to, in *ndim and shape; -1 with the error
 * ("hypot: cannot broadcast ...", the op's symbol) when they do not. */
static int broadcast_shape(ag_ctx *ctx, const ag_func *f, int *ndim, int *shape) {
    *ndim = f->inputs[0]->t.ndim;
    memcpy(shape, f->inputs[0]->t.shape, sizeof(int) * AG_MAX_DIMS);
    for (int k = 1; k < f->ninputs; k++) {
        const ag_tensor *t = &f->inputs[k]->t;
        if (shape_broadcast(ctx, ag_op_table[f->op].symbol, *ndim, shape, t->ndim, t->shape, ndim, shape) < 0)
            return -1;
    }
    return 0;
}

int map_broadcast(ag_ctx *ctx, ag_func *f, ag_tensor *ys, double (*fn)(const double *v)) {
    int n = f->ninputs, ndim, shape[AG_MAX_DIMS];
    if (broadcast_shape(ctx, f, &ndim, shape) < 0) return -1;
    ag_scalar_fn hook = f->row->scalar;
    const ag_op_params *params = FUNC_PARAMS(f);
    ag_tensor tmp[3];
    const double *data[3] = {0};
    int rc = 0;
    for (int k = 0; k < n; k++) {
        data[k] = expanded(ctx, &f->inputs[k]->t, ndim, shape, &tmp[k]);
        if (data[k] == NULL && shape_size(ndim, shape) > 0) rc = -1;
    }
    if (rc == 0 && t_init_uninit(ctx, &ys[0], ndim, shape) < 0) rc = -1;
    for (size_t block = 0; rc == 0 && block < ys[0].size; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) {
            rc = -2;
            break;
        }
        size_t end = ys[0].size - block < INTERRUPT_BLOCK ? ys[0].size : block + INTERRUPT_BLOCK;
        if (fn == NULL && n == 1) /* the hook, without gathering v */
            for (size_t i = block; i < end; i++) ys[0].data[i] = hook(params, data[0][i], 0.0);
        else if (fn == NULL)
            for (size_t i = block; i < end; i++) ys[0].data[i] = hook(params, data[0][i], data[1][i]);
        else
            for (size_t i = block; i < end; i++) {
                double v[3] = {data[0][i], n > 1 ? data[1][i] : 0.0, n > 2 ? data[2][i] : 0.0};
                ys[0].data[i] = fn(v);
            }
    }
    for (int k = 0; k < n; k++) t_free(ctx, &tmp[k]);
    if (rc == -2) return op_interrupted(ctx, f);
    if (rc < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    return 0;
}

int map_broadcast_hook(ag_ctx *ctx, ag_func *f, ag_tensor *ys) { return map_broadcast(ctx, f, ys, NULL); }

int map_arith(ag_ctx *ctx, ag_func *f, ag_tensor *ys, t_binop op) {
    const ag_tensor *a = &f->inputs[0]->t, *b = &f->inputs[1]->t;
    int ndim, shape[AG_MAX_DIMS];
    if (broadcast_shape(ctx, f, &ndim, shape) < 0) return -1;
    if (t_init_uninit(ctx, &ys[0], ndim, shape) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    size_t n = ys[0].size;
    if (n <= INTERRUPT_BLOCK || !t_binary_span(&ys[0], a, b, op, 0, 0)) {
        t_binary(&ys[0], a, b, op);
        return 0;
    }
    /* same shapes or a single value: a block at a time, looking for an interrupt */
    for (size_t block = 0; block < n; block += INTERRUPT_BLOCK) {
        if (ctx_interrupted(ctx)) return op_interrupted(ctx, f);
        t_binary_span(&ys[0], a, b, op, block, n - block < INTERRUPT_BLOCK ? n : block + INTERRUPT_BLOCK);
    }
    return 0;
}

ag_var *op_unary(ag_ctx *ctx, const ag_op_def *op, const ag_op_params *p, ag_var *x) {
    return op_apply_row(ctx, op, p, (ag_var *[]){x}, 1, 1, NULL);
}

ag_var *op_binary(ag_ctx *ctx, const ag_op_def *op, const ag_op_params *p, ag_var *a, ag_var *b) {
    return op_apply_row(ctx, op, p, (ag_var *[]){a, b}, 2, 1, NULL);
}

ag_var *const_map(ag_ctx *ctx, const ag_var *x, double (*rule)(double, const ag_op_params *),
                  const ag_op_params *p) {
    ag_var *m = ag_zeros(ctx, x->t.ndim, x->t.shape);
    if (m == NULL) return NULL;
    m->flags |= AG_VAR_CONST;
    for (size_t i = 0; i < x->t.size; i++) m->t.data[i] = rule(x->t.data[i], p);
    return m;
}

ag_var *const_map2(ag_ctx *ctx, const ag_func *f, bool (*pred)(double, double), bool *any) {
    const ag_var *a = f->inputs[0], *b = f->inputs[1];
    int ndim, shape[AG_MAX_DIMS];
    *any = false;
    if (broadcast_shape(ctx, f, &ndim, shape) < 0) return NULL;
    ag_tensor tmp[2];
    const double *wide_a = expanded(ctx, &a->t, ndim, shape, &tmp[0]);
    const double *wide_b = expanded(ctx, &b->t, ndim, shape, &tmp[1]);
    ag_var *m = ag_zeros(ctx, ndim, shape);
    if (m != NULL && ((wide_a != NULL && wide_b != NULL) || m->t.size == 0)) {
        m->flags |= AG_VAR_CONST;
        for (size_t i = 0; i < m->t.size; i++) {
            m->t.data[i] = pred(wide_a[i], wide_b[i]) ? 1.0 : 0.0;
            *any |= m->t.data[i] != 0.0;
        }
    } else if (m != NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        m = NULL; /* left to the collector */
    }
    t_free(ctx, &tmp[0]);
    t_free(ctx, &tmp[1]);
    return m;
}
