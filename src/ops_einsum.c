/* ops_einsum.c — torch.einsum: PyTorch's equation syntax,
 * implicit and explicit outputs, "..." for broadcast axes, a subscript
 * repeated in one operand for its diagonal (a trace when it is summed too),
 * made of the op table's ops (Transpose, Reshape, GetItem, BroadcastTo,
 * Sum, MatMul) so its gradient, first and second order, is theirs.
 *
 * The plan, one operand at a time then one pair at a time:
 *   1. an operand's repeated subscripts become its diagonal (ag_diagonal);
 *   2. its axes of size 1 broadcast to the size the subscript has elsewhere;
 *   3. a subscript no other operand and not the output uses is summed away;
 *   4. operands contract left to right: A (batch, a, k) @ B (batch, k, b), one
 *      batched MatMul, where batch are the shared subscripts still needed
 *      (by the output or a later operand) and k the shared ones not;
 *   5. the result's axes are transposed into the output's order. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "internal.h"

#define LABELS 64 /* subscript codes: 'A'..'Z', 'a'..'z', and 1..AG_MAX_DIMS for "..." axes */

typedef struct {
    ag_var *v;
    int n;                   /* axes of v */
    char label[AG_MAX_DIMS]; /* the subscript of each axis */
    int ell_pos, ell_axes;   /* where its "..." axes start and how many (-1, 0: none) */
} term;

typedef struct {
    int size[128];   /* the size each subscript has (-1: not seen) */
    int count[128];  /* how many operand axes carry it */
    bool in_out[128];
    char out[AG_MAX_DIMS + 1];
    int nout;
} plan;

static bool is_subscript(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* One side's subscripts from text[0..len) (spaces removed) into labels,
 * "..." as `ellipsis` (0 when absent).  Returns the number of subscripts
 * or -1 with the error set. */
static int read_subscripts(ag_ctx *ctx, const char *text, int len, int start, char *labels, int cap, int *ellipsis) {
    int n = 0;
    *ellipsis = -1;
    for (int i = 0; i < len; i++) {
        char c = text[i];
        if (c == '.') {
            if (i + 2 >= len || text[i + 1] != '.' || text[i + 2] != '.' || *ellipsis >= 0)
                return ctx_error(ctx, AG_ERR_ARG, "einsum: '.' at position %d is not part of one \"...\"", start + i),
                       -1;
            *ellipsis = n;
            i += 2;
            continue;
        }
        if (!is_subscript(c))
            return ctx_error(ctx, AG_ERR_ARG, "einsum: '%c' at position %d is not a subscript (letters a-z, A-Z)", c,
                             start + i),
                   -1;
        if (n >= cap) return ctx_error(ctx, AG_ERR_SHAPE, "einsum: more than %d subscripts in one term", cap), -1;
        labels[n++] = c;
    }
    return n;
}

/* Sums away the axes of t whose subscript `drop` says, in place. */
static int sum_away(ag_ctx *ctx, term *t, const bool *drop) {
    int axes[AG_MAX_DIMS], n = 0, k = 0;
    for (int d = 0; d < t->n; d++)
        if (drop[(unsigned char)t->label[d]]) axes[n++] = d;
        else t->label[k++] = t->label[d];
    if (n == 0) return 0;
    t->v = ag_sum(ctx, t->v, axes, n);
    t->n = k;
    return t->v ? 0 : -1;
}

/* t's axes in the order of `order` (a permutation of its subscripts). */
static int permute(ag_ctx *ctx, term *t, const char *order) {
    int axes[AG_MAX_DIMS];
    bool moved = false;
    for (int i = 0; i < t->n; i++) {
        for (int d = 0; d < t->n; d++)
            if (t->label[d] == order[i]) axes[i] = d;
        moved |= axes[i] != i;
    }
    if (moved) t->v = ag_transpose(ctx, t->v, axes, t->n);
    memcpy(t->label, order, (size_t)t->n);
    return t->v ? 0 : -1;
}

static int product(const plan *p, const char *labels, int n) {
    long s = 1;
    for (int i = 0; i < n; i++) s *= p->size[(unsigned char)labels[i]];
    return s > INT32_MAX ? -1 : (int)s;
}

/* v reshaped, or v itself when it has that shape already (fewer boxes in the graph). */
static ag_var *reshape_if(ag_ctx *ctx, ag_var *v, int n, const int *shape) {
    if (v != NULL && shape_equal(v->t.ndim, v->t.shape, n, shape)) return v;
    return ag_reshape(ctx, v, n, shape);
}

/* a := a contracted with b; `needed` marks the subscripts the output or a
 * later operand still uses. */
static int contract(ag_ctx *ctx, const plan *p, term *a, term *b, const bool *needed) {
    bool in_a[128] = {0}, in_b[128] = {0}, drop[128] = {0};
    for (int d = 0; d < a->n; d++) in_a[(unsigned char)a->label[d]] = true;
    for (int d = 0; d < b->n; d++) in_b[(unsigned char)b->label[d]] = true;
    for (int c = 0; c < 128; c++) drop[c] = !needed[c] && (in_a[c] != in_b[c]);
    if (sum_away(ctx, a, drop) < 0 || sum_away(ctx, b, drop) < 0) return -1;
    char batch[AG_MAX_DIMS], left[AG_MAX_DIMS], right[AG_MAX_DIMS], shared[AG_MAX_DIMS];
    int nb = 0, nl = 0, nr = 0, ns = 0;
    for (int d = 0; d < a->n; d++) {
        unsigned char c = (unsigned char)a->label[d];
        if (!in_b[c]) left[nl++] = (char)c;
        else if (needed[c]) batch[nb++] = (char)c;
        else shared[ns++] = (char)c;
    }
    for (int d = 0; d < b->n; d++)
        if (!in_a[(unsigned char)b->label[d]]) right[nr++] = b->label[d];
    if (nb + nl + nr > AG_MAX_DIMS)
        return ctx_error(ctx, AG_ERR_SHAPE, "einsum: an intermediate result needs more than %d axes", AG_MAX_DIMS), -1;
    char order[AG_MAX_DIMS];
    memcpy(order, batch, (size_t)nb), memcpy(order + nb, left, (size_t)nl), memcpy(order + nb + nl, shared, (size_t)ns);
    if (permute(ctx, a, order) < 0) return -1;
    memcpy(order, batch, (size_t)nb), memcpy(order + nb, shared, (size_t)ns), memcpy(order + nb + ns, right, (size_t)nr);
    if (permute(ctx, b, order) < 0) return -1;
    int sb = product(p, batch, nb), sl = product(p, left, nl), ss = product(p, shared, ns), sr = product(p, right, nr);
    if (sb < 0 || sl < 0 || ss < 0 || sr < 0) return ctx_error(ctx, AG_ERR_NOMEM, "einsum: too many elements"), -1;
    int nm = nb > 0 ? 3 : 2, first = nb > 0 ? 0 : 1; /* no batch: a plain (M, K) @ (K, N) */
    ag_var *m = ag_matmul(ctx, reshape_if(ctx, a->v, nm, (const int[]){sb, sl, ss} + first),
                          reshape_if(ctx, b->v, nm, (const int[]){sb, ss, sr} + first));
    int shape[AG_MAX_DIMS], n = 0;
    for (int i = 0; i < nb; i++) shape[n] = p->size[(unsigned char)batch[i]], a->label[n++] = batch[i];
    for (int i = 0; i < nl; i++) shape[n] = p->size[(unsigned char)left[i]], a->label[n++] = left[i];
    for (int i = 0; i < nr; i++) shape[n] = p->size[(unsigned char)right[i]], a->label[n++] = right[i];
    a->v = reshape_if(ctx, m, n, shape);
    a->n = n;
    return a->v ? 0 : -1;
}

/* Steps 1 and 2 for operand i: diagonals of repeated subscripts, size-1 axes broadcast. */
static int prepare(ag_ctx *ctx, const plan *p, term *t) {
    for (int d1 = 0; d1 < t->n; d1++)
        for (int d2 = d1 + 1; d2 < t->n; d2++) {
            if (t->label[d1] != t->label[d2]) continue;
            char c = t->label[d1];
            t->v = ag_diagonal(ctx, t->v, 0, d1, d2);
            if (t->v == NULL) return -1;
            int k = 0;
            for (int d = 0; d < t->n; d++)
                if (d != d1 && d != d2) t->label[k++] = t->label[d];
            t->label[k] = c;
            t->n = k + 1;
            d1 = -1; /* start over on the new axes */
            break;
        }
    int shape[AG_MAX_DIMS];
    bool grow = false;
    for (int d = 0; d < t->n; d++) {
        shape[d] = p->size[(unsigned char)t->label[d]];
        grow |= shape[d] != t->v->t.shape[d];
    }
    if (grow) t->v = ag_broadcast_to(ctx, t->v, t->n, shape);
    return t->v ? 0 : -1;
}

/* Checks and records the size of subscript c on an operand's axis; -1 with the error set. */
static int see_size(ag_ctx *ctx, plan *p, const int *local, char c, int s, int operand) {
    unsigned char u = (unsigned char)c;
    char name[16];
    if (u < 'A') snprintf(name, sizeof name, "\"...\" axis %d", u);
    else snprintf(name, sizeof name, "%c", c);
    if (local[u] >= 0 && local[u] != s)
        return ctx_error(ctx, AG_ERR_SHAPE, "einsum: subscript %s is repeated in operand %d with sizes %d and %d",
                         name, operand + 1, local[u], s),
               -1;
    if (p->size[u] < 0 || p->size[u] == 1) p->size[u] = s;
    else if (s != 1 && s != p->size[u])
        return ctx_error(ctx, AG_ERR_SHAPE, "einsum: subscript %s has size %d in operand %d but %d before", name, s,
                         operand + 1, p->size[u]),
               -1;
    return 0;
}

/* Reads the equation (spaces allowed) into terms and the plan; -1 with the error set. */
static int read_equation(ag_ctx *ctx, const char *text, ag_var *const *xs, int n, term *terms, plan *p) {
    int len = (int)strlen(text);
    const char *arrow = strstr(text, "->");
    int lhs_len = arrow ? (int)(arrow - text) : len;
    for (int c = 0; c < 128; c++) p->size[c] = -1, p->count[c] = 0, p->in_out[c] = false;
    int width = 0, start = 0, operand = 0;
    char letters[AG_MAX_DIMS];
    for (int i = 0; i <= lhs_len; i++) {
        if (i < lhs_len && text[i] != ',') continue;
        if (operand >= n)
            return ctx_error(ctx, AG_ERR_ARG, "einsum: the equation has more operands than the %d given", n), -1;
        term *t = &terms[operand];
        int e, k = read_subscripts(ctx, text + start, i - start, start, letters, AG_MAX_DIMS, &e);
        if (k < 0) return -1;
        int nd = xs[operand]->t.ndim, extra = nd - k;
        if (extra < 0 || (e < 0 && extra != 0))
            return ctx_error(ctx, AG_ERR_SHAPE, "einsum: operand %d has %d axes but its term \"%.*s\" names %d",
                             operand + 1, nd, i - start, text + start, k),
                   -1;
        t->ell_pos = e, t->ell_axes = e < 0 ? 0 : extra;
        if (e >= 0 && extra > width) width = extra;
        t->v = xs[operand];
        t->n = nd;
        int d = 0;
        for (int j = 0; j < k; j++) {
            if (j == e) d += extra;
            t->label[d++] = letters[j];
        }
        operand++;
        start = i + 1;
    }
    if (operand < n)
        return ctx_error(ctx, AG_ERR_ARG, "einsum: the equation names %d operands but %d were given", operand, n), -1;
    for (int o = 0; o < n; o++) {
        term *t = &terms[o];
        int local[128], extra = t->ell_axes;
        for (int c = 0; c < 128; c++) local[c] = -1;
        for (int j = 0; j < extra; j++) t->label[t->ell_pos + j] = (char)(1 + width - extra + j);
        for (int d = 0; d < t->n; d++) {
            unsigned char c = (unsigned char)t->label[d];
            if (see_size(ctx, p, local, (char)c, t->v->t.shape[d], o) < 0) return -1;
            local[c] = t->v->t.shape[d];
            p->count[c]++;
        }
    }
    p->nout = 0;
    if (arrow) {
        int e, k = read_subscripts(ctx, arrow + 2, len - lhs_len - 2, lhs_len + 2, letters, AG_MAX_DIMS, &e);
        if (k < 0) return -1;
        if (k + (e >= 0 ? width : 0) > AG_MAX_DIMS)
            return ctx_error(ctx, AG_ERR_SHAPE, "einsum: the output has more than %d axes", AG_MAX_DIMS), -1;
        for (int j = 0; j <= k; j++) {
            if (j == e)
                for (int w = 0; w < width; w++) p->out[p->nout++] = (char)(1 + w);
            if (j == k) break;
            unsigned char c = (unsigned char)letters[j];
            if (p->count[c] == 0)
                return ctx_error(ctx, AG_ERR_ARG, "einsum: output subscript %c is in no operand's term", c), -1;
            if (p->in_out[c])
                return ctx_error(ctx, AG_ERR_ARG, "einsum: output subscript %c appears more than once", c), -1;
            p->in_out[c] = true;
            p->out[p->nout++] = (char)c;
        }
        for (int w = 0; w < width && e >= 0; w++) p->in_out[1 + w] = true;
    } else { /* implicit: the "..." axes, then the subscripts used once, in ASCII order */
        for (int w = 0; w < width; w++) p->out[p->nout++] = (char)(1 + w), p->in_out[1 + w] = true;
        for (int c = 'A'; c <= 'z'; c++)
            if (is_subscript((char)c) && p->count[c] == 1) {
                if (p->nout >= AG_MAX_DIMS)
                    return ctx_error(ctx, AG_ERR_SHAPE, "einsum: the output has more than %d axes", AG_MAX_DIMS), -1;
                p->out[p->nout++] = (char)c, p->in_out[c] = true;
            }
    }
    return 0;
}

/* torch.einsum(equation, xs...) */
ag_var *ag_einsum(ag_ctx *ctx, const char *equation, ag_var *const *xs, int n) {
    if (ctx == NULL) return NULL;
    if (equation == NULL) return ag_failed(ctx) ? NULL : ctx_error(ctx, AG_ERR_ARG, "einsum: the equation is NULL");
    if (n < 1 || xs == NULL) return ctx_error(ctx, AG_ERR_ARG, "einsum: needs at least one operand");
    for (int i = 0; i < n; i++)
        if (!op_input_ok(ctx, AG_OP_MATMUL, xs[i])) return NULL;
    size_t len = strlen(equation);
    char *text = ctx_malloc(ctx, len + 1);
    term *terms = ctx_malloc(ctx, (size_t)n * sizeof *terms);
    plan *p = ctx_malloc(ctx, sizeof *p);
    ag_var *y = NULL;
    if (text == NULL || terms == NULL || p == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < len; i++)
        if (equation[i] != ' ') text[m++] = equation[i];
    text[m] = 0;
    if (read_equation(ctx, text, xs, n, terms, p) < 0) goto done;
    for (int i = 0; i < n; i++) {
        bool drop[128];
        for (int c = 0; c < 128; c++) drop[c] = p->count[c] == 1 && !p->in_out[c];
        if (prepare(ctx, p, &terms[i]) < 0 || sum_away(ctx, &terms[i], drop) < 0) goto done;
    }
    for (int i = 1; i < n; i++) {
        bool needed[128];
        memcpy(needed, p->in_out, sizeof needed);
        for (int j = i + 1; j < n; j++)
            for (int d = 0; d < terms[j].n; d++) needed[(unsigned char)terms[j].label[d]] = true;
        if (contract(ctx, p, &terms[0], &terms[i], needed) < 0) goto done;
    }
    bool drop[128];
    for (int c = 0; c < 128; c++) drop[c] = !p->in_out[c];
    if (sum_away(ctx, &terms[0], drop) < 0 || permute(ctx, &terms[0], p->out) < 0) goto done;
    y = terms[0].v;
    if (y == xs[0]) y = ag_reshape(ctx, y, y->t.ndim, y->t.shape); /* a node of its own, as a view is */
done:
    ctx_free(ctx, text), ctx_free(ctx, terms), ctx_free(ctx, p);
    return y;
}
