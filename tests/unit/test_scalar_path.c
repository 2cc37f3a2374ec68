/* test_scalar_path.c — the scalar path's two ways of making a result.  An
 * op's entry (ag_add, ag_sin, ag_pow, ...) makes its usual case itself,
 * popping its two nodes from the free lists inline (internal.h's
 * scalar_quick_result); every other case goes to the plain algorithm,
 * function.c's scalar_record behind op_scalar_result.  Two contexts run
 * the same random program of scalar ops, collections, mode switches and
 * running out of memory: one through the public entries, the other
 * through op_scalar_result with the op's own scalar hook.  After every
 * step both must hold the same nodes: the same value, shape, generation,
 * flags, collector state and creator (op, parameters, inputs, generation,
 * tag, clock), the node taken from the same place of its free list, and
 * the same counts in the contexts and their allocators. */
#include "testutil.h"

#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- an allocator that refuses the calls of a window ------------------------- */
typedef struct {
    long calls, live;
    long refuse_from, refuse_until; /* calls numbered [from, until) fail */
    long refused;
} window_alloc;

static bool refuse(window_alloc *w) {
    long n = w->calls++;
    bool no = n >= w->refuse_from && n < w->refuse_until;
    w->refused += no;
    return no;
}
static void *window_malloc(void *user, size_t size) {
    window_alloc *w = user;
    if (refuse(w)) return NULL;
    w->live++;
    return malloc(size);
}
static void *window_realloc(void *user, void *ptr, size_t size) {
    window_alloc *w = user;
    return refuse(w) ? NULL : realloc(ptr, size);
}
static void window_free(void *user, void *ptr) {
    window_alloc *w = user;
    w->calls++;
    w->live--;
    free(ptr);
}

/* ---- the ops: each entry with its row -------------------------------------- */
typedef struct {
    const ag_op_def *row;
    ag_var *(*pair)(ag_ctx *, ag_var *, ag_var *); /* op_apply_pair's entries */
    ag_var *(*one)(ag_ctx *, ag_var *);            /* op_apply_one's */
    ag_var *(*one_p)(ag_ctx *, ag_var *, double);  /* op_apply_one_p's */
} scalar_entry;

static const scalar_entry entries[] = {
    {OP_ROW(AG_OP_ADD), .pair = ag_add}, {OP_ROW(AG_OP_SUB), .pair = ag_sub}, {OP_ROW(AG_OP_MUL), .pair = ag_mul},
    {OP_ROW(AG_OP_DIV), .pair = ag_div}, {OP_ROW(AG_OP_HYPOT), .pair = ag_hypot},
    {OP_ROW(AG_OP_NEG), .one = ag_neg}, {OP_ROW(AG_OP_EXP), .one = ag_exp}, {OP_ROW(AG_OP_LOG), .one = ag_log},
    {OP_ROW(AG_OP_SIN), .one = ag_sin}, {OP_ROW(AG_OP_TANH), .one = ag_tanh},
    {OP_ROW(AG_OP_POW), .one_p = ag_pow}, {OP_ROW(AG_OP_LEAKY_RELU), .one_p = ag_leaky_relu},
    {OP_ROW(AG_OP_ELU), .one_p = ag_elu},
};
#define NENTRIES (sizeof entries / sizeof entries[0])

/* The called path: the element by the row's hook, the nodes by
 * op_scalar_result (what an entry did before it had a quick case). */
static ag_var *called(ag_ctx *ctx, const scalar_entry *e, ag_var *a, ag_var *b, double p) {
    const ag_op_params params = {.p = p};
    double value = e->row->scalar(&params, a->t.data[0], b != NULL ? b->t.data[0] : 0.0);
    return e->one_p != NULL ? op_scalar_result_p(ctx, e->row, p, a, value)
                            : op_scalar_result(ctx, e->row, a, b, value);
}

/* The entry: the public op (its quick case, or its own call of
 * op_scalar_result). */
static ag_var *entry_op(ag_ctx *ctx, const scalar_entry *e, ag_var *a, ag_var *b, double p) {
    if (e->pair != NULL) return e->pair(ctx, a, b);
    return e->one != NULL ? e->one(ctx, a) : e->one_p(ctx, a, p);
}

/* ---- the two contexts ---------------------------------------------------------- */
#define POOL 48
typedef struct {
    window_alloc alloc;
    ag_allocator allocator;
    ag_ctx *ctx;
    ag_var *pool[POOL]; /* the variables ops take: leaves and results */
    bool kept[POOL];    /* retained (survive ag_gc) */
    int npool;
} side;

static void side_open(side *s) {
    memset(s, 0, sizeof *s);
    s->alloc.refuse_from = s->alloc.refuse_until = -1;
    s->allocator = (ag_allocator){window_malloc, window_realloc, window_free, &s->alloc};
    s->ctx = ag_ctx_new_with_allocator(&s->allocator);
    assert_non_null(s->ctx);
}

static void side_close(side *s) {
    ag_ctx_free(s->ctx);
    assert_int_equal(s->alloc.live, 0);
}

/* v into the pool, in place of a random unkept entry when it is full (slot
 * chosen by the caller, the same on both sides). */
static void side_put(side *s, int slot, ag_var *v, bool keep) {
    if (slot < s->npool && s->kept[slot]) ag_release(s->pool[slot]);
    if (slot == s->npool) s->npool++;
    s->pool[slot] = v;
    s->kept[slot] = keep;
    if (keep) ag_retain(v);
}

/* After a collection only the kept entries are valid. */
static void side_forget_unkept(side *s) {
    int n = 0;
    for (int i = 0; i < s->npool; i++)
        if (s->kept[i]) {
            s->pool[n] = s->pool[i];
            s->kept[n++] = true;
        }
    s->npool = n;
}

/* ---- the comparisons ----------------------------------------------------------- */
/* The same number bit for bit; any two NaNs are alike (x86 hands on the
 * first operand's NaN, and where the hook is inlined the compiler may swap a
 * product's operands: NaN * -NaN can be either). */
static void same_bits(double a, double b) {
    if (isnan(a) && isnan(b)) return;
    assert_memory_equal(&a, &b, sizeof a);
}

static int pool_index(const side *s, const ag_var *v) {
    for (int i = 0; i < s->npool; i++)
        if (s->pool[i] == v) return i;
    return -1;
}

/* x[0..n) against y[0..n), naming what and the first index that differs. */
#define NUMBERS 24
static void same_numbers(const char *what, const long long *x, const long long *y) {
    for (int i = 0; i < NUMBERS; i++)
        if (x[i] != y[i]) fail_msg("%s, number %d: %lld != %lld", what, i, x[i], y[i]);
}

/* Every count of a context and its allocator. */
static void context_numbers(const side *s, long long *n) {
    const ag_ctx *c = s->ctx;
    const long long v[NUMBERS] = {
        (long long)c->live_vars, (long long)c->live_funcs, (long long)c->slab_vars, (long long)c->slab_funcs,
        (long long)c->allocs_since_gc, (long long)c->bytes_since_gc, c->free_vars == NULL, c->free_funcs == NULL,
        c->new_mark, c->failed, c->errcode, s->alloc.calls, s->alloc.live, s->npool};
    memcpy(n, v, sizeof v);
}

static void same_contexts(const side *a, const side *b) {
    long long x[NUMBERS], y[NUMBERS];
    context_numbers(a, x);
    context_numbers(b, y);
    same_numbers("context", x, y);
    assert_string_equal(a->ctx->errmsg, b->ctx->errmsg);
    assert_true(a->ctx->nonfinite_op == b->ctx->nonfinite_op);
}

/* What a context looked like just before an op: its lists' heads. */
typedef struct {
    ag_var *free_var, *live_var;
    ag_func *free_func, *live_func;
} heads;
static heads heads_of(const ag_ctx *ctx) {
    return (heads){ctx->free_vars, ctx->vars, ctx->free_funcs, ctx->funcs};
}

/* Where new nodes u and v went: both taken from their free list's head
 * (free_u, free_v before the op) or both not (a new slab's), both now the
 * head of their live list (live_u, live_v), linked to the head before. */
static void same_place(const void *u, const void *v, const void *free_u, const void *free_v, const void *live_u,
                       const void *live_v, const void *next_u, const void *next_v, const void *old_u,
                       const void *old_v) {
    assert_int_equal(u == free_u, v == free_v);
    assert_true(live_u == u && live_v == v);
    assert_true(next_u == old_u && next_v == old_v);
}

/* What a new scalar result v of s holds besides its value and links: its
 * shape, counts and flags, and whether each field a new variable leaves
 * empty is empty. */
static void var_numbers(const side *s, const ag_var *v, long long *n) {
    const long long w[NUMBERS] = {
        v->t.ndim, (long long)v->t.size, v->t.data == &v->scalar_storage, v->ctx == s->ctx, v->generation,
        v->flags, v->mark, v->pass, v->roots, v->grad != NULL, v->name != NULL, v->prev_live != NULL,
        v->pass_refs, v->grad_call, v->grad_calls, v->version, v->changed_at, v->flow_pass, v->flow_at,
        v->short_name[0]};
    memcpy(n, w, sizeof w);
}

/* The same of the function f that made y in s; its inputs by their place in
 * the pool. */
static void func_numbers(const side *s, const ag_func *f, const ag_var *y, long long *n) {
    int in[3] = {-2, -2, -2}; /* -2: none, -1: not in the pool */
    for (int i = 0; i < 3; i++) in[i] = f->inline_inputs[i] == NULL ? -2 : pool_index(s, f->inline_inputs[i]);
    const long long w[NUMBERS] = {
        f->op, f->ninputs, f->noutputs, f->generation, f->mark, f->seen, f->tag, f->made_at,
        f->inputs == f->inline_inputs, f->outputs == f->inline_outputs, f->outputs[0] == y,
        f->saved != NULL, in[0], in[1], in[2]};
    memcpy(n, w, sizeof w);
}

/* u (side a, made when a's lists had heads ha) against v (side b). */
static void same_result(const side *a, const ag_var *u, heads ha, const side *b, const ag_var *v, heads hb) {
    assert_int_equal(u == NULL, v == NULL);
    if (u == NULL) return;
    same_place(u, v, ha.free_var, hb.free_var, a->ctx->vars, b->ctx->vars, u->next_live, v->next_live,
               ha.live_var, hb.live_var);
    long long x[NUMBERS], y[NUMBERS];
    var_numbers(a, u, x);
    var_numbers(b, v, y);
    same_numbers("variable", x, y);
    assert_true(x[1] == 1 && x[2] && x[3] && !x[9] && !x[10] && !x[11]); /* one element, inline, ours; no grad */
    same_bits(u->t.data[0], v->t.data[0]);
    assert_memory_equal(u->t.shape, v->t.shape, sizeof u->t.shape);
    assert_memory_equal(u->short_name, v->short_name, sizeof u->short_name);
    const ag_func *f = u->creator, *g = v->creator;
    assert_int_equal(f == NULL, g == NULL);
    if (f == NULL) return;
    same_place(f, g, ha.free_func, hb.free_func, a->ctx->funcs, b->ctx->funcs, f->next_live, g->next_live,
               ha.live_func, hb.live_func);
    func_numbers(a, f, u, x);
    func_numbers(b, g, v, y);
    same_numbers("function", x, y);
    assert_true(x[2] == 1 && (x[4] & FUNC_SCALAR) && x[8] && x[9] && x[10] && !x[11]);
    assert_true(x[12] >= 0 && (x[1] == 1 ? x[13] == -2 : x[13] >= 0) && x[14] == -2);
    assert_memory_equal(&f->p, &g->p, sizeof f->p);
    assert_memory_equal(&f->hi, &g->hi, sizeof f->hi);
    assert_null(f->more);
    assert_null(g->more);
    assert_ptr_equal(f->row, g->row);
}

/* ---- the random program ---------------------------------------------------------- */
static uint64_t rng_state;
static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int below(int n) { return (int)(next_random() % (uint64_t)n); }
static double uniform(double lo, double hi) { return lo + (hi - lo) * (double)(next_random() >> 11) / 9007199254740992.0; }

/* What a run went through (each case must come up). */
typedef struct {
    long quick;      /* ops the entry made itself */
    long empty;      /* ops that met an empty free list (the called path) */
    long funcs_only; /* of those, ops that met a variable but no function on the lists */
    long out;        /* ops that ran out of memory */
    long nograd;     /* ops with gradients off (the called path) */
    long nonfinite;  /* ops the finite check looked at (the called path) */
} tally;

/* A new leaf of one element and 0, 1 or 2 dims (both sides). */
static void new_leaf(side *a, side *b, int slot) {
    int ndim = below(3);
    double value = below(8) == 0 ? 0.0 : uniform(-3, 3);
    bool constant = below(4) == 0, keep = below(2) == 0;
    side *sides[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        ag_ctx *ctx = sides[k]->ctx;
        ag_var *v = ndim == 0 ? ag_scalar(ctx, value) : ag_full(ctx, ndim, (const int[]){1, 1}, value);
        if (v != NULL && constant) ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_CONST);
        if (v != NULL) side_put(sides[k], slot, v, keep);
    }
}

/* One op on random operands of the pool: side a through the entry, b
 * through op_scalar_result; the results compared. */
static void one_op(side *a, side *b, tally *t) {
    const scalar_entry *e = &entries[below((int)NENTRIES)];
    int i = below(a->npool), j = -1;
    if (e->pair != NULL) { /* an operand of the same number of dims (or a itself) */
        j = i;
        for (int tries = 0; tries < 8; tries++) {
            int k = below(a->npool);
            if (a->pool[k]->t.ndim == a->pool[i]->t.ndim) j = k;
        }
    }
    static const double ps[] = {2, 3, -1, 0.5, -0.5, 0, 1.5, 7, 0.01};
    double p = ps[below((int)(sizeof ps / sizeof ps[0]))];
    /* the op meets an empty free list: run it out of memory now and then */
    bool empty = a->ctx->free_vars == NULL || a->ctx->free_funcs == NULL;
    if (empty && below(2) == 0) {
        a->alloc.refuse_from = b->alloc.refuse_from = a->alloc.calls;
        a->alloc.refuse_until = b->alloc.refuse_until = a->alloc.calls + 1 + below(2);
    }
    ag_var *xa = a->pool[i], *ya = j >= 0 ? a->pool[j] : NULL;
    ag_var *xb = b->pool[i], *yb = j >= 0 ? b->pool[j] : NULL;
    const ag_op_params params = {.p = p};
    double value = e->row->scalar(&params, xa->t.data[0], ya != NULL ? ya->t.data[0] : 0.0);
    bool nograd = !a->ctx->grad_enabled, nonfinite = a->ctx->check_finite && !isfinite(value);
    heads ha = heads_of(a->ctx), hb = heads_of(b->ctx);
    long refused = a->alloc.refused;
    ag_var *u = entry_op(a->ctx, e, xa, ya, p);
    ag_var *v = called(b->ctx, e, xb, yb, p);
    a->alloc.refuse_from = b->alloc.refuse_from = a->alloc.refuse_until = b->alloc.refuse_until = -1;
    if (u == NULL) {
        assert_true(a->alloc.refused > refused);
        assert_int_equal(ag_errcode(a->ctx), AG_ERR_NOMEM);
        t->out++;
    } else if (nograd || nonfinite) {
        t->nograd += nograd;
        t->nonfinite += nonfinite;
    } else if (empty) {
        t->empty++;
        t->funcs_only += ha.free_var != NULL;
    } else {
        t->quick++;
    }
    same_result(a, u, ha, b, v, hb);
    /* the pool keeps moderate numbers (a chain of exps and powers would
     * soon hold only infinities and NaNs) */
    if (u != NULL && fabs(u->t.data[0]) < 1e6) {
        int slot = a->npool < POOL ? a->npool : below(POOL);
        bool keep = below(6) == 0;
        side_put(a, slot, u, keep);
        side_put(b, slot, v, keep);
    }
}

/* Anything else a program does between ops, the same on both sides. */
static void other_step(side *a, side *b, int what) {
    side *sides[2] = {a, b};
    size_t freed[2];
    int r = below(1 << 20);
    for (int k = 0; k < 2; k++) {
        ag_ctx *ctx = sides[k]->ctx;
        switch (what) {
        case 0: /* a collection: only what the pool keeps survives */
            freed[k] = r % 3 == 0 ? ag_gc_young(ctx) : r % 3 == 1 ? ag_gc_auto(ctx) : ag_gc(ctx);
            if (freed[k] > 0) side_forget_unkept(sides[k]); /* (nothing freed: all still valid) */
            break;
        case 1: ag_set_grad_enabled(ctx, r % 4 != 0); break;
        case 2:
            ag_set_check_finite(ctx, r % 4 == 0);
            if (r % 3 == 0) ag_clear_nonfinite(ctx);
            break;
        case 3: ag_set_func_tag(ctx, (unsigned)r); break;
        case 4: ag_data(sides[k]->pool[r % sides[k]->npool]); break; /* ticks the change clock */
        case 5: ag_clear_error(ctx); break;
        }
    }
    if (what == 0) assert_int_equal(freed[0], freed[1]);
}

/* One run of `steps` steps from seed. */
static void run_program(uint64_t seed, int steps, tally *t) {
    rng_state = seed * 0x9E3779B97F4A7C15u;
    side a, b;
    side_open(&a);
    side_open(&b);
    for (int i = 0; i < 4; i++) new_leaf(&a, &b, a.npool);
    /* collections now and then or rarely: a rare one lets new slabs be
     * carved (the free lists run empty every 256 nodes) */
    int collect_every = (int[]){30, 400, 3000}[seed % 3];
    for (int step = 0; step < steps; step++) {
        int dice = below(100);
        if (below(collect_every) == 0)
            other_step(&a, &b, 0);
        else if (a.npool == 0 || dice < 4)
            new_leaf(&a, &b, a.npool < POOL ? a.npool : below(POOL));
        else if (dice < 94)
            one_op(&a, &b, t);
        else
            other_step(&a, &b, 1 + (dice - 94) % 5);
        same_contexts(&a, &b);
    }
    side_close(&a);
    side_close(&b);
}

static void test_quick_and_called_paths_agree(void **state) {
    (void)state;
    tally t = {0};
    for (uint64_t seed = 1; seed <= 24; seed++) run_program(seed, 6000, &t);
    print_message("scalar path: %ld quick, %ld met an empty list (%ld only the functions'), %ld ran out of memory, "
                  "%ld without gradients, %ld not finite under the check\n",
                  t.quick, t.empty, t.funcs_only, t.out, t.nograd, t.nonfinite);
    assert_true(t.quick > 10000);
    assert_true(t.empty > 100);
    assert_true(t.funcs_only > 20);
    assert_true(t.out > 50);
    assert_true(t.nograd > 1000);
    assert_true(t.nonfinite > 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_and_called_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
