/* test_memory.c — the context's buffer cache (issue 33): a training loop
 * that collects every step reuses its buffers instead of faulting fresh
 * pages in; the cache is bounded, released on request, and bypassed under
 * AG_DEBUG_NO_REUSE. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "testutil.h"

static long minor_faults(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

/* One step of a 1-128-128-1 ReLU MLP on 512 points with Adam: its
 * activations and gradients are 512 KiB each, over glibc's mmap threshold,
 * so without the cache every ag_gc gives them back to the system. */
typedef struct {
    ag_ctx *ctx;
    ag_var *x, *y;
    ag_model *m;
    ag_optim *opt;
} mlp;

static void mlp_new(mlp *n) {
    n->ctx = ag_ctx_new();
    assert_non_null(n->ctx);
    ag_rng rng;
    ag_rng_seed(&rng, 3);
    n->x = ag_rand(n->ctx, 2, (const int[]){512, 1}, &rng);
    n->y = ag_sin(n->ctx, n->x);
    ag_retain(n->x);
    ag_retain(n->y);
    n->m = ag_mlp(n->ctx, (const int[]){128, 128, 1}, 3, AG_ACT_RELU, 0);
    n->opt = ag_adam(n->ctx, 0.001, 0.9, 0.999, 1e-8, 0);
    assert_non_null(n->m);
    assert_non_null(n->opt);
}

static double mlp_step(mlp *n) {
    ag_var *loss = ag_mse(n->ctx, ag_model_forward(n->m, n->x), n->y);
    ag_model_cleargrad(n->m);
    assert_int_equal(ag_backward(n->ctx, loss, NULL), 0);
    assert_true(ag_optim_update_model(n->opt, n->m) >= 0);
    double value = ag_item(loss);
    ag_gc(n->ctx);
    return value;
}

static void mlp_free(mlp *n) {
    ag_optim_free(n->opt);
    ag_model_unref(n->m);
    ag_ctx_free(n->ctx);
}

static void test_gc_every_step_faults_only_while_warming_up(void **state) {
    (void)state;
    mlp n;
    mlp_new(&n);
    for (int i = 0; i < 10; i++) mlp_step(&n);
    long before = minor_faults();
    for (int i = 0; i < 40; i++) mlp_step(&n);
    long per_step = (minor_faults() - before) / 40;
    /* a step makes ~20 buffers of 512 KiB (128 pages each): without the
     * cache, 322 faults a step.  Under AddressSanitizer its own shadow
     * memory (unpoisoning a large region maps fresh shadow pages) and
     * quarantine fault too, ~100 a step: not the library's. */
#if defined(__SANITIZE_ADDRESS__)
    assert_below(per_step, 400);
#else
    assert_below(per_step, 10);
#endif
    assert_true(ag_buffer_cache_bytes(n.ctx) > 0);
    mlp_free(&n);
}

static void test_cache_is_bounded_and_released(void **state) {
    (void)state;
    mlp n;
    mlp_new(&n);
    assert_int_equal(ag_set_buffer_cache(n.ctx, 1 << 20), AG_BUFFER_CACHE_DEFAULT);
    for (int i = 0; i < 3; i++) mlp_step(&n);
    size_t cached = ag_buffer_cache_bytes(n.ctx);
    assert_true(cached > 0);
    assert_true(cached <= 1 << 20);
    /* ag_gc_release collects, then empties the cache */
    ag_var *garbage = ag_zeros(n.ctx, 2, (const int[]){100, 100});
    assert_non_null(garbage);
    assert_true(ag_gc_release(n.ctx) >= 1);
    assert_int_equal(ag_buffer_cache_bytes(n.ctx), 0);
    /* a smaller bound empties a fuller cache; 0 turns it off */
    mlp_step(&n);
    assert_true(ag_buffer_cache_bytes(n.ctx) > 0);
    assert_int_equal(ag_set_buffer_cache(n.ctx, 0), 1 << 20);
    assert_int_equal(ag_buffer_cache_bytes(n.ctx), 0);
    mlp_step(&n);
    assert_int_equal(ag_buffer_cache_bytes(n.ctx), 0);
    mlp_free(&n);
    assert_int_equal(ag_gc_release(NULL), 0);
    assert_int_equal(ag_set_buffer_cache(NULL, 5), 0);
    assert_int_equal(ag_buffer_cache_bytes(NULL), 0);
}

/* A reused buffer carries its last values: zeros must still be zeros, and
 * results the same as from fresh memory. */
static void test_reused_buffers_give_the_same_numbers(void **state) {
    (void)state;
    mlp a, b;
    mlp_new(&a);
    mlp_new(&b);
    ag_set_buffer_cache(b.ctx, 0); /* b: every buffer fresh */
    for (int i = 0; i < 5; i++) assert_true(mlp_step(&a) == mlp_step(&b));
    ag_ctx *ctx = a.ctx;
    ag_var *ones = ag_full(ctx, 2, (const int[]){300, 7}, 1.0);
    assert_non_null(ones);
    ag_gc(ctx); /* its buffer is cached */
    assert_true(ag_buffer_cache_bytes(ctx) >= 300 * 7 * sizeof(double));
    ag_var *zeros = ag_zeros(ctx, 2, (const int[]){300, 7}); /* the same size class */
    const double *z = ag_cdata(zeros);
    for (int i = 0; i < 300 * 7; i++) assert_true(z[i] == 0.0);
    mlp_free(&a);
    mlp_free(&b);
}

/* Under AG_DEBUG_NO_REUSE nothing is cached (tests/lib_asan_test.sh checks
 * that AddressSanitizer then reports a stale buffer read). */
static void test_no_reuse_bypasses_the_cache(void **state) {
    (void)state;
    setenv("AG_DEBUG_NO_REUSE", "1", 1);
    mlp n;
    mlp_new(&n);
    unsetenv("AG_DEBUG_NO_REUSE");
    for (int i = 0; i < 3; i++) mlp_step(&n);
    assert_int_equal(ag_buffer_cache_bytes(n.ctx), 0);
    mlp_free(&n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gc_every_step_faults_only_while_warming_up),
        cmocka_unit_test(test_cache_is_bounded_and_released),
        cmocka_unit_test(test_reused_buffers_give_the_same_numbers),
        cmocka_unit_test(test_no_reuse_bypasses_the_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
