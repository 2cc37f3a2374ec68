/* test_gc_pacing.c — how ag_gc_auto paces full collections (src/context.c,
 * "generations"): a graph that grows step by step, every node alive, is
 * traced at every quadrupling instead of every doubling, its backward
 * through all the collections is right, and once a full collection finds
 * mostly garbage the pace is the usual one again. */
#include "testutil.h"

#include <math.h>

#include "internal.h"

/* y = sin(y) STEPS times from x, the way a REPL loop builds it: the newest
 * y is a root (a bound name), the one before it is not, and the collector
 * is asked between steps. */
#define STEPS 100000

static ag_var *grow_chain(ag_var *x) {
    ag_var *y = x;
    ag_retain(y);
    for (int i = 0; i < STEPS; i++) {
        ag_var *next = ag_sin(ctx, y);
        assert_non_null(next);
        ag_retain(next);
        ag_release(y);
        y = next;
        ag_gc_auto(ctx);
    }
    return y;
}

static void test_growing_graph(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x);
    ag_gc_info info = ag_gc_stats(ctx);
    /* the chain grows to ~33 MiB of nodes: collected at every doubling
     * from 1 MiB that was 5 full collections, at every quadrupling it is 3 */
    assert_true(info.full_collections >= 1);
    assert_below(info.full_collections, 4);
    assert_int_equal(ctx->gc_pause, 3); /* the last full one freed nothing */
    assert_int_equal(ag_live_vars(ctx), STEPS + 1); /* nothing alive was collected */
    /* the backward crosses every generation: d/dx = product of cos(y_k) */
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    double v = 0.5, d = 1;
    for (int i = 0; i < STEPS; i++) {
        d *= cos(v);
        v = sin(v);
    }
    assert_close(ag_item(y), v);
    assert_close(ag_item(ag_grad(x)), d);
    /* the chain dropped: the next full collection frees nearly all of it and
     * the pace is back to every doubling */
    ag_release(y);
    ag_release(x);
    ag_gc(ctx);
    assert_int_equal(ctx->gc_pause, 1);
    assert_int_equal(ag_live_vars(ctx), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_growing_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
