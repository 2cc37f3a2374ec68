/* test_allocator.c — a context made with the caller's allocator:
 * every block it needs comes through that allocator and nothing
 * else is allocated.  This program is linked with --wrap=malloc (calloc,
 * realloc, free, strdup, ...; see the Makefile), so every call the
 * library's code makes to the C library's allocator lands in __wrap_* here
 * and is counted; the caller's allocator below counts its own calls and
 * the blocks it has out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_posix_memalign(void **out, size_t alignment, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);

static long foreign; /* calls to the C library's allocator */
void *__wrap_malloc(size_t size) {
    foreign++;
    return __real_malloc(size);
}
void *__wrap_calloc(size_t count, size_t size) {
    foreign++;
    return __real_calloc(count, size);
}
void *__wrap_realloc(void *ptr, size_t size) {
    foreign++;
    return __real_realloc(ptr, size);
}
void __wrap_free(void *ptr) {
    if (ptr != NULL) foreign++;
    __real_free(ptr);
}
char *__wrap_strdup(const char *s) {
    foreign++;
    return __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n) {
    foreign++;
    return __real_strndup(s, n);
}
int __wrap_posix_memalign(void **out, size_t alignment, size_t size) {
    foreign++;
    return __real_posix_memalign(out, alignment, size);
}
void *__wrap_aligned_alloc(size_t alignment, size_t size) {
    foreign++;
    return __real_aligned_alloc(alignment, size);
}

/* The caller's allocator: counts calls and blocks out, and can be told to
 * fail from its Nth call on. */
typedef struct {
    long calls, live, fail_from; /* fail_from < 0: never fails */
    size_t bytes;
} counting;

static bool refuse(counting *c) {
    c->calls++;
    return c->fail_from >= 0 && c->calls > c->fail_from;
}
static void *count_malloc(void *user, size_t size) {
    counting *c = user;
    if (size == 0 || refuse(c)) return NULL;
    c->live++;
    c->bytes += size;
    return __real_malloc(size);
}
static void *count_realloc(void *user, void *ptr, size_t size) {
    counting *c = user;
    assert_non_null(ptr); /* documented: never NULL, never 0 */
    assert_true(size > 0);
    if (refuse(c)) return NULL;
    return __real_realloc(ptr, size);
}
static void count_free(void *user, void *ptr) {
    counting *c = user;
    assert_non_null(ptr);
    c->calls++;
    c->live--;
    __real_free(ptr);
}

static ag_allocator allocator_of(counting *c) {
    return (ag_allocator){count_malloc, count_realloc, count_free, c};
}

/* A few steps of a 1-64-64-1 ReLU MLP with Adam on 200 points, ag_gc every
 * step, with the library's own matrix product (OpenBLAS, when loaded, keeps
 * buffers of its own: documented).  0, or -1 at the first failing call
 * (the context's error code then in *code). */
static int train(ag_ctx *ctx, int steps, ag_err *code) {
    ag_rng rng;
    ag_rng_seed(&rng, 5);
    ag_var *x = ag_rand(ctx, 2, (const int[]){200, 1}, &rng);
    ag_var *y = ag_sin(ctx, x);
    ag_retain(x);
    ag_retain(y);
    ag_model *m = ag_mlp(ctx, (const int[]){64, 64, 1}, 3, AG_ACT_RELU, 0);
    ag_optim *opt = ag_adam(ctx, 0.01, 0.9, 0.999, 1e-8, 0);
    int status = x && y && m && opt ? 0 : -1;
    for (int i = 0; i < steps && status == 0; i++) {
        ag_var *loss = ag_mse(ctx, ag_model_forward(m, x), y);
        ag_model_cleargrad(m);
        if (loss == NULL || ag_backward(ctx, loss, NULL) < 0 || ag_optim_update_model(opt, m) < 0)
            status = -1;
        else
            ag_set_name(loss, "loss");
        ag_gc(ctx);
    }
    *code = ag_errcode(ctx);
    ag_optim_free(opt);
    ag_model_unref(m);
    return status;
}

static void test_nothing_allocated_elsewhere(void **state) {
    (void)state;
    setenv("AG_BLAS", "builtin", 1);
    counting c = {.fail_from = -1};
    ag_allocator a = allocator_of(&c);
    long before = foreign;
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    assert_non_null(ctx);
    ag_err code;
    assert_int_equal(train(ctx, 20, &code), 0);
    assert_int_equal(code, AG_OK);
    assert_true(ag_buffer_cache_bytes(ctx) > 0);
    ag_gc_release(ctx);
    ag_ctx_free(ctx);
    unsetenv("AG_BLAS");
    assert_int_equal(foreign - before, 0);
    assert_true(c.calls > 100);
    assert_int_equal(c.live, 0); /* every block given back through it */

    /* the same with the C library's allocator: the wrap does see it */
    before = foreign;
    ctx = ag_ctx_new();
    assert_int_equal(train(ctx, 2, &code), 0);
    ag_ctx_free(ctx);
    assert_true(foreign - before > 100);
}

/* A buffer of 2 MiB or more, which a context of the C library's allocator
 * maps by itself (memory.c), comes from the caller's allocator here too,
 * and goes back through it. */
static void test_big_buffers_through_it(void **state) {
    (void)state;
    counting c = {.fail_from = -1};
    ag_allocator a = allocator_of(&c);
    long before = foreign;
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    assert_non_null(ctx);
    size_t bytes = c.bytes;
    ag_var *big = ag_zeros(ctx, 2, (const int[]){1000, 256}); /* 2,048,000 bytes */
    assert_non_null(big);
    assert_true(c.bytes - bytes >= 1000 * 256 * sizeof(double));
    ag_gc_release(ctx);
    ag_ctx_free(ctx);
    assert_int_equal(foreign - before, 0);
    assert_int_equal(c.live, 0);
}

/* Models and optimizers freed after their context still give their blocks
 * back through the context's allocator. */
static void test_models_outliving_the_context(void **state) {
    (void)state;
    counting c = {.fail_from = -1};
    ag_allocator a = allocator_of(&c);
    long before = foreign;
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    ag_model *m = ag_mlp(ctx, (const int[]){4, 1}, 2, AG_ACT_TANH, 1);
    ag_optim *opt = ag_sgd(ctx, 0.1, 0.9, 0);
    ag_var *x = ag_ones(ctx, 2, (const int[]){3, 2});
    ag_var *loss = ag_sum(ctx, ag_model_forward(m, x), NULL, 0);
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    assert_true(ag_optim_update_model(opt, m) >= 0);
    ag_ctx_free(ctx);
    ag_optim_free(opt);
    ag_model_unref(m);
    assert_int_equal(foreign - before, 0);
    assert_int_equal(c.live, 0);
}

/* An allocator that runs out at every possible point of a training run:
 * each call fails with "out of memory" (AG_ERR_NOMEM) or succeeds, nothing
 * crashes, and every block is given back. */
static void test_allocator_running_out(void **state) {
    (void)state;
    setenv("AG_BLAS", "builtin", 1);
    counting probe = {.fail_from = -1};
    ag_allocator a = allocator_of(&probe);
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    ag_err code;
    assert_int_equal(train(ctx, 2, &code), 0);
    ag_ctx_free(ctx);
    long total = probe.calls;
    int failures = 0;
    for (long n = 0; n < total; n += 1 + n / 64) {
        counting c = {.fail_from = n};
        a = allocator_of(&c);
        ctx = ag_ctx_new_with_allocator(&a);
        if (ctx == NULL) {
            assert_int_equal(n, 0); /* only when its very first block is refused */
            continue;
        }
        if (train(ctx, 2, &code) < 0) {
            failures++;
            assert_int_equal(code, AG_ERR_NOMEM);
        }
        ag_ctx_free(ctx);
        assert_int_equal(c.live, 0);
    }
    unsetenv("AG_BLAS");
    assert_true(failures > 10);
}

/* A chain of scalar ops (the ops' own scalar entries: each makes a variable
 * and a function node, from slabs that come through the allocator) and one
 * backward.  0 with y and x's gradient in *value, or -1 (the error code in
 * *code). */
static int scalar_chain(ag_ctx *ctx, int steps, double value[2], ag_err *code) {
    ag_var *x = ag_scalar(ctx, 0.5), *a = ag_scalar(ctx, 1.0001), *y = x;
    for (int i = 0; i < steps && y != NULL; i++)
        y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), a), ag_pow(ctx, ag_sub(ctx, y, x), 2.0));
    int status = y != NULL && ag_backward(ctx, y, NULL) == 0 ? 0 : -1;
    if (status == 0) value[0] = ag_item(y), value[1] = ag_item(ag_grad(x));
    *code = ag_errcode(ctx);
    return status;
}

/* The same for the scalar path: wherever its allocations are refused, the
 * op gives NULL with "out of memory", nothing crashes, every block is given
 * back, and a run that is not refused computes what the first one did. */
static void test_scalar_ops_running_out(void **state) {
    (void)state;
    counting probe = {.fail_from = -1};
    ag_allocator a = allocator_of(&probe);
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    double expected[2], value[2];
    ag_err code;
    assert_int_equal(scalar_chain(ctx, 2000, expected, &code), 0);
    ag_ctx_free(ctx);
    assert_int_equal(probe.live, 0);
    int failures = 0;
    for (long n = 1; n < probe.calls; n++) {
        counting c = {.fail_from = n};
        a = allocator_of(&c);
        ctx = ag_ctx_new_with_allocator(&a);
        if (ctx == NULL) continue;
        if (scalar_chain(ctx, 2000, value, &code) < 0) {
            failures++;
            assert_int_equal(code, AG_ERR_NOMEM);
            assert_string_equal(ag_errmsg(ctx), "out of memory");
        } else {
            assert_memory_equal(value, expected, sizeof value);
        }
        ag_ctx_free(ctx);
        assert_int_equal(c.live, 0);
    }
    assert_true(failures > 5);
}

static void test_bad_allocators(void **state) {
    (void)state;
    counting c = {.fail_from = -1};
    ag_allocator a = allocator_of(&c);
    assert_null(ag_ctx_new_with_allocator(NULL));
    ag_allocator missing = a;
    missing.free_fn = NULL;
    assert_null(ag_ctx_new_with_allocator(&missing));
    missing = a;
    missing.realloc_fn = NULL;
    assert_null(ag_ctx_new_with_allocator(&missing));
    assert_int_equal(c.calls, 0);
}

/* Bytes asked of an allocator (by malloc_fn and realloc_fn) while it is
 * watched: what a backward pass's working arrays take. */
typedef struct {
    size_t asked;
} asking;
static void *ask_malloc(void *user, size_t size) {
    ((asking *)user)->asked += size;
    return __real_malloc(size);
}
static void *ask_realloc(void *user, void *ptr, size_t size) {
    ((asking *)user)->asked += size;
    return __real_realloc(ptr, size);
}
static void ask_free(void *user, void *ptr) {
    (void)user;
    __real_free(ptr);
}

/* Bytes asked for by the backward of a chain of 2n one-element functions
 * from x: sin twice per link, or sin and then Add of a constant (which hands
 * its gy on to its input as the same gradient).  With `older` x has an older
 * gradient: the flat pass runs (the quick pass declines at x); without, the
 * quick pass alone. */
static size_t chain_backward_bytes(int n, bool adds, bool older) {
    asking a = {0};
    ag_allocator al = {ask_malloc, ask_realloc, ask_free, &a};
    ag_ctx *ctx = ag_ctx_new_with_allocator(&al);
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 0.5), *c = ag_scalar(ctx, 0.001), *y = x;
    ag_var_set_flags(c, AG_VAR_CONST);
    if (older) ag_set_grad(x, ag_scalar(ctx, 0.25));
    for (int i = 0; i < n; i++) y = adds ? ag_add(ctx, ag_sin(ctx, y), c) : ag_sin(ctx, ag_sin(ctx, y));
    assert_non_null(y);
    size_t before = a.asked;
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    size_t asked = a.asked - before;
    assert_non_null(ag_grad(x));
    ag_ctx_free(ctx);
    return asked;
}

/* Backward's flat pass (a graph of one-element values) stands for a gradient
 * that several slots share (Add's gy, handed to its input as it is) with a
 * record it uses again once no slot refers to it: down a chain where every
 * Add shares one, a couple of records are in use at a time, so the pass
 * asks for no more memory than down a chain of as many sines, which shares
 * none.  Records never reused would grow their array with the chain, one
 * per Add (tried: 144,384 bytes asked instead of 96,768). */
static void test_flat_pass_reuses_shared_gradients(void **state) {
    (void)state;
    size_t sines = chain_backward_bytes(1000, false, true), adds = chain_backward_bytes(1000, true, true);
    assert_true(sines > 0); /* the slots of 2,001 variables outgrow the pass's local ones */
    assert_int_equal(adds, sines);
}

/* The quick pass frees a slot once its variable's creator has run and no
 * slot's `from` names it, and takes a new slot from the freed ones first:
 * down a chain a handful are in use at a time, all in the pass's own array,
 * so its backward asks for nothing, of sines or of Adds handing their gy on,
 * at any length (before: the slots of every variable, 64 KiB of blocks for
 * 2,001 variables and 640 KiB for 20,001, each doubling a copy). */
static void test_quick_pass_chain_asks_nothing(void **state) {
    (void)state;
    assert_int_equal(chain_backward_bytes(1000, false, false), 0);
    assert_int_equal(chain_backward_bytes(1000, true, false), 0);
    assert_int_equal(chain_backward_bytes(10000, false, false), 0);
    assert_int_equal(chain_backward_bytes(10000, true, false), 0);
}

/* Backward's flat pass with an allocator that runs out at each of the
 * pass's calls in turn: it fails with "out of memory" and leaves x's
 * gradient and call count as they were, or, given enough, gives the
 * gradient of a run that never ran out, bit for bit.  With `older` x has
 * an older gradient (the flat pass; its quick pass declines at x), without
 * it none (the quick pass alone).  Each link adds a leaf of its own, whose
 * slot stays to the end, as does the slot its `from` names (Add's output,
 * which hands its gy on): the quick pass keeps about 400 slots and the flat
 * pass 601, outgrowing the passes' own arrays. */
static double flat_chain_grad(long fail_after, bool older_grad, bool *failed) {
    counting c = {.fail_from = -1};
    ag_allocator a = allocator_of(&c);
    ag_ctx *ctx = ag_ctx_new_with_allocator(&a);
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 0.5), *y = x;
    ag_var *older = older_grad ? ag_scalar(ctx, 0.25) : NULL;
    if (older_grad) ag_set_grad(x, older);
    for (int i = 0; i < 200; i++) y = ag_add(ctx, ag_sin(ctx, y), ag_scalar(ctx, 0.001));
    assert_non_null(y);
    c.fail_from = fail_after < 0 ? -1 : c.calls + fail_after;
    int rc = ag_backward(ctx, y, NULL);
    c.fail_from = -1;
    *failed = rc < 0;
    double g = ag_item(ag_grad(x));
    if (rc < 0) {
        assert_int_equal(ag_errcode(ctx), AG_ERR_NOMEM);
        assert_ptr_equal(ag_grad(x), older);
        assert_int_equal(ag_grad_calls(x), 0);
    } else {
        assert_int_equal(ag_grad_calls(x), 1);
    }
    ag_ctx_free(ctx);
    assert_int_equal(c.live, 0);
    return g;
}

static void test_flat_pass_running_out(void **state) {
    (void)state;
    for (int older = 1; older >= 0; older--) {
        bool failed;
        double want = flat_chain_grad(-1, older, &failed);
        assert_false(failed);
        long fail = 0;
        double got;
        while ((got = flat_chain_grad(fail, older, &failed)), failed) fail++;
        assert_true(fail >= 4); /* the slots' blocks of 64, 128, 256 and 512 */
        assert_memory_equal(&got, &want, sizeof got);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_allocated_elsewhere),
        cmocka_unit_test(test_big_buffers_through_it),
        cmocka_unit_test(test_models_outliving_the_context),
        cmocka_unit_test(test_allocator_running_out),
        cmocka_unit_test(test_scalar_ops_running_out),
        cmocka_unit_test(test_bad_allocators),
        cmocka_unit_test(test_flat_pass_reuses_shared_gradients),
        cmocka_unit_test(test_quick_pass_chain_asks_nothing),
        cmocka_unit_test(test_flat_pass_running_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
