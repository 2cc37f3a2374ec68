/* test_gc_pacing.c — how ag_gc_auto paces full collections (src/context.c,
 * "generations", gc_pause): a graph that grows step by step, every node
 * alive, is traced fully less and less often, its backward across all the
 * collections is right, one growing collection alone (a script making its
 * data) does not change the pace, and unchaining or a full collection that
 * finds garbage puts the usual pace back. */
#include "testutil.h"

#include <math.h>

#include "internal.h"

/* context.c's PRETENURE_NURSERIES: nurseries made old before one is traced */
#define PRETENURE_NURSERIES_TESTED 15

/* y = sin(y) STEPS times from x, the way a REPL loop builds it: the newest
 * y is a root (a bound name), the one before it is not, and the collector
 * is asked between steps. */
#define STEPS 100000

static ag_var *grow_chain(ag_var *x, int steps) {
    ag_var *y = x;
    ag_retain(y);
    for (int i = 0; i < steps; i++) {
        ag_var *next = ag_sin(ctx, y);
        assert_non_null(next);
        ag_retain(next);
        ag_release(y);
        y = next;
        ag_gc_auto(ctx);
    }
    return y;
}

static void test_growing_chain(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x, STEPS);
    ag_gc_info info = ag_gc_stats(ctx);
    /* ~35 MB of nodes: a full collection at every doubling from 1 MiB was 6
     * of them (1, 2, 4, 8, 16, 32 MiB); with the pause doubled after the
     * second growing one it is 4 (1, 2, 6, 33 MiB) */
    assert_true(info.full_collections >= 2);
    assert_below(info.full_collections, 5);
    assert_int_equal(ctx->gc_pause, 4);
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

/* While the pause is raised, what was made since the last collection is
 * left to a young collection (a structure's next part, or a backward's
 * gradients hanging off it, alive): it does not bring a full collection
 * over the whole structure before it is promoted. */
static void test_growing_made_goes_young(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x, STEPS);
    assert_int_equal(ctx->gc_pause, 4);
    ag_gc_info before = ag_gc_stats(ctx);
    size_t budget = before.old_live_bytes * 4;
    assert_true(before.promoted_bytes < budget);
    /* more than the budget left, made at once and kept */
    int n = (int)((budget - before.promoted_bytes) / sizeof(double)) + 1000;
    ag_var *big = ag_zeros(ctx, 1, &n);
    assert_non_null(big);
    ag_retain(big);
    ag_gc_auto(ctx);
    ag_gc_info after = ag_gc_stats(ctx);
    assert_int_equal(after.full_collections, before.full_collections);
    assert_int_equal(after.young_collections, before.young_collections + 1);
    /* promoted now: the next call that finds a nursery made is a full one */
    ag_var *more = ag_zeros(ctx, 1, (int[]){10000});
    assert_non_null(more);
    ag_gc_auto(ctx);
    assert_int_equal(ag_gc_stats(ctx).full_collections, before.full_collections + 1);
    ag_release(big);
    ag_release(y);
    ag_release(x);
}

static void test_unchain_sets_pace_back(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x, STEPS / 4);
    assert_true(ctx->gc_pause > 1);
    ag_unchain_backward(y);
    assert_int_equal(ctx->gc_pause, 1);
    y->creator = NULL; /* (already) */
    ag_var *z = grow_chain(x, 10);
    ag_unchain(z);
    assert_int_equal(ctx->gc_pause, 1);
    ag_release(y);
    ag_release(z);
    ag_release(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

/* A script that makes its data and then trains, each step's graph alive
 * until the next step's is bound (as the REPL's `loss = ...` does): the
 * data and the first graph grow the heap, after which every full collection
 * finds a step's worth of garbage, so the pace is 1 and the step graphs are
 * collected at every doubling as before. */
static void test_data_then_loop_keeps_pace(void **state) {
    (void)state;
    ag_var *data = ag_zeros(ctx, 1, (int[]){300000}); /* 2.4 MB: over FULL_MIN_BYTES */
    assert_non_null(data);
    ag_retain(data);
    ag_gc_auto(ctx);
    assert_int_equal(ag_gc_stats(ctx).full_collections, 1);
    assert_int_equal(ctx->gc_pause, 1); /* one growing collection alone: no change */
    ag_var *loss = NULL;
    size_t fulls_at_5 = 0;
    for (int step = 0; step < 50; step++) {
        ag_var *next = ag_sum(ctx, ag_mul(ctx, data, data), NULL, 0);
        assert_non_null(next);
        ag_retain(next);
        ag_release(loss);
        loss = next;
        ag_gc_auto(ctx);
        if (step == 5) fulls_at_5 = ag_gc_stats(ctx).full_collections;
        if (step >= 5) assert_int_equal(ctx->gc_pause, 1);
    }
    /* a step makes 2.4 MB beside 4.8 MB kept: a full collection every
     * other step at least */
    assert_true(ag_gc_stats(ctx).full_collections - fulls_at_5 >= 22);
    assert_below(ag_gc_stats(ctx).old_live_bytes, (size_t)6 << 20);
    ag_release(loss);
    ag_release(data);
}

/* Both live lists run from the young nodes to the old ones: no young node
 * after an old one (a young sweep stops at the first old node). */
static void check_young_first(void) {
    bool old_seen = false;
    for (const ag_var *v = ctx->vars; v != NULL; v = v->next_live) {
        if (v->mark & NODE_OLD) old_seen = true;
        else assert_false(old_seen);
    }
    old_seen = false;
    for (const ag_func *f = ctx->funcs; f != NULL; f = f->next_live) {
        if (f->mark & NODE_OLD) old_seen = true;
        else assert_false(old_seen);
    }
}

/* Once full collections found the chain growing and a young collection
 * found its nursery alive, the next nurseries are made old as they are
 * made (pretenured), and one in PRETENURE_NURSERIES + 1 is traced to see
 * that the chain still grows: the young collections trace a small part of
 * the chain instead of every node once (200,000 before).  Nothing alive is
 * collected and the chain's backward is right. */
static void test_growing_chain_is_made_old(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x, STEPS);
    ag_gc_info info = ag_gc_stats(ctx);
    /* 2 nodes a step: the young collections traced the first steps, until
     * the second full collection raised the pause, then a 16th of them
     * (23,561 nodes; 198,219 when every nursery was traced) */
    assert_true(info.young_collections > 500);
    assert_below(ctx->young_marked, (size_t)STEPS / 3);
    assert_true(info.full_collections >= 2);
    assert_below(info.full_collections, 5);
    assert_int_equal(ag_live_vars(ctx), STEPS + 1);
    assert_int_equal(ag_live_funcs(ctx), STEPS);
    assert_true(ctx->vars->mark & NODE_OLD); /* the newest step, made old */
    check_young_first();
    /* the backward's gradients are made old too; a young collection after
     * it, made young by its name, frees none of them */
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    double v = 0.5, d = 1;
    for (int i = 0; i < STEPS; i++) {
        d *= cos(v);
        v = sin(v);
    }
    assert_close(ag_item(ag_grad(x)), d);
    /* what was made old since the last collection counts as promoted */
    assert_int_equal(ctx->new_mark, NODE_OLD);
    size_t promoted = ag_gc_stats(ctx).promoted_bytes;
    size_t made = ag_allocs_since_gc(ctx) * FUNC_PACE_BYTES + ag_bytes_since_gc(ctx);
    assert_true(made > 0);
    ag_gc_young(ctx);
    assert_int_equal(ag_gc_stats(ctx).promoted_bytes, promoted + made);
    assert_int_equal(ctx->new_mark, 0);
    ag_var *young = ag_sin(ctx, y);
    assert_false(young->mark & NODE_OLD);
    check_young_first();
    assert_close(ag_item(ag_grad(x)), d);
    assert_close(ag_item(y), v);
    ag_gc(ctx);
    assert_close(ag_item(ag_grad(x)), d);
    assert_int_equal(ag_live_vars(ctx), STEPS + 2); /* the chain and x's grad */
    ag_release(y);
    ag_release(x);
}

/* A loop that makes only garbage after a chain was grown: the first
 * nursery traced after the ones made old finds it dead, so nodes are made
 * young again and young collections free the garbage; what was made old
 * meanwhile (at most PRETENURE_NURSERIES nurseries) waits for the next
 * full collection. */
static void test_garbage_after_growing_is_young(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = grow_chain(x, STEPS);
    assert_int_equal(ctx->gc_pause, 4);
    size_t fulls = ag_gc_stats(ctx).full_collections;
    for (int i = 0; i < STEPS; i++) {
        assert_non_null(ag_sin(ctx, x)); /* unreferenced */
        ag_gc_auto(ctx);
    }
    assert_int_equal(ctx->new_mark, 0);
    assert_int_equal(ag_gc_stats(ctx).full_collections, fulls); /* none was needed */
    /* a nursery is 64 KiB, about 186 steps of a variable and a function
     * (2,012 left: 98 when no nursery was made old) */
    size_t garbage = ag_live_vars(ctx) - (STEPS + 1);
    assert_below(garbage, (size_t)(PRETENURE_NURSERIES_TESTED + 2) * 190);
    check_young_first();
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), STEPS + 1);
    assert_int_equal(ag_live_funcs(ctx), STEPS);
    ag_release(y);
    ag_release(x);
}

/* A chain grown beside garbage (a third of what each step makes): young
 * collections tenure what they find (2/3 alive) and full collections find
 * the heap growing, but no nursery is made old (a traced one must be 7/8
 * alive), so the garbage is still freed young, step by step. */
static void test_growing_beside_garbage_stays_young(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_var *y = x;
    ag_retain(y);
    for (int i = 0; i < STEPS; i++) {
        ag_var *next = ag_sin(ctx, y);
        assert_non_null(next);
        ag_retain(next);
        ag_release(y);
        y = next;
        assert_non_null(ag_scalar(ctx, i)); /* garbage */
        ag_gc_auto(ctx);
        assert_int_equal(ctx->new_mark, 0);
    }
    assert_true(ctx->gc_pause > 1);
    /* one nursery (64 KiB) holds about 124 steps' garbage */
    assert_below(ag_live_vars(ctx) - (STEPS + 1), (size_t)200);
    ag_release(y);
    ag_release(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_growing_chain),
        CTX_TEST(test_growing_made_goes_young),
        CTX_TEST(test_unchain_sets_pace_back),
        CTX_TEST(test_data_then_loop_keeps_pace),
        CTX_TEST(test_growing_chain_is_made_old),
        CTX_TEST(test_garbage_after_growing_is_young),
        CTX_TEST(test_growing_beside_garbage_stays_young),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
