/* test_generations.c — the generational collector's ages (src/context.c,
 * "generations"): a node survives one young collection young (age 1) and is
 * promoted by its second; the live lists stay ordered by age; an old
 * variable's young grad is kept through its aging and promotion (the
 * remembered set); a young collection that finds most young nodes alive
 * tenures them; chains built across collections keep their numbers and
 * gradients; a loop that keeps its step's result bound promotes nothing under
 * ag_gc_auto; stale handles are still reported; the epoch's wrap keeps ages. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

#include "internal.h" /* the ages are in each node's mark */

static ag_var *S(double v) { return ag_scalar(ctx, v); }

/* n unreferenced variables.  A young collection that finds more than half
 * the young nodes alive tenures its survivors (context.c: a structure being
 * built, not a loop's garbage), so the tests of aging make garbage first. */
static void garbage(int n) {
    for (int i = 0; i < n; i++) S(i);
}

static bool is_old(const ag_var *v) { return (v->mark & NODE_OLD) != 0; }
static bool is_aged(const ag_var *v) { return (v->mark & NODE_AGED) != 0; }
static bool is_remembered(const ag_var *v) { return (v->mark & VAR_REMEMBERED) != 0; }

/* 0, 1 or 2 (old), failing on a mark with both bits. */
static int age_of(unsigned mark) {
    assert_false((mark & NODE_OLD) && (mark & NODE_AGED));
    return (mark & NODE_OLD) ? 2 : (mark & NODE_AGED) ? 1 : 0;
}

/* Both live lists run from the youngest nodes to the old ones (a young
 * sweep stops at the first old node), and every remembered variable is old
 * with a young grad. */
static void check_ages_ordered(void) {
    int last = 0;
    for (const ag_var *v = ctx->vars; v != NULL; v = v->next_live) {
        int age = age_of(v->mark);
        assert_true(age >= last);
        last = age;
    }
    last = 0;
    for (const ag_func *f = ctx->funcs; f != NULL; f = f->next_live) {
        int age = age_of(f->mark);
        assert_true(age >= last);
        last = age;
    }
    for (size_t i = 0; i < ctx->remembered_len; i++) {
        const ag_var *v = ctx->remembered[i];
        assert_true(is_old(v) && is_remembered(v));
        assert_non_null(v->grad);
        assert_false(is_old(v->grad));
    }
}

/* A variable that survived one young collection is young still: the next
 * one frees it when it is unreachable, without a full collection. */
static void test_one_survival_stays_young(void **state) {
    ag_var *x = S(1.5);
    ag_retain(x);
    ag_var *y = ag_sin(ctx, x);
    ag_retain(y);
    ag_mul(ctx, y, y); /* garbage */
    garbage(10);
    assert_int_equal(ag_live_vars(ctx), 13);
    assert_int_equal(ag_gc_young(ctx), 12); /* the product, its function and the 10 */
    assert_true(is_aged(x) && !is_old(x));
    assert_true(is_aged(y) && !is_old(y));
    assert_true(ag_creator(y)->mark & NODE_AGED);
    assert_int_equal(ag_gc_stats(ctx).promoted_bytes, 0);
    check_ages_ordered();
    ag_release(y);
    assert_int_equal(ag_gc_young(ctx), 2); /* y and sin's function */
    assert_int_equal(ag_live_vars(ctx), 1);
    assert_int_equal(ag_live_funcs(ctx), 0);
    assert_int_equal(ag_gc_stats(ctx).full_collections, 0);
    assert_true(is_old(x)); /* its second young collection */
    assert_close(ag_item(x), 1.5);
    ag_release(x);
}

/* Two young collections make a variable old: a third no longer frees it,
 * the next full one does; what was promoted is counted for the pacing. */
static void test_two_survivals_make_old(void **state) {
    ag_var *x = S(2);
    ag_retain(x);
    garbage(4);
    ag_gc_young(ctx);
    assert_true(is_aged(x));
    garbage(4);
    ag_gc_young(ctx);
    assert_true(is_old(x) && !is_aged(x));
    assert_int_equal(ag_gc_stats(ctx).promoted_bytes, sizeof(ag_var)); /* data inline */
    assert_int_equal(ag_gc_stats(ctx).young_collections, 2);
    ag_release(x);
    assert_int_equal(ag_gc_young(ctx), 0);
    assert_int_equal(ag_live_vars(ctx), 1);
    assert_int_equal(ag_gc(ctx), 1);
    assert_int_equal(ag_live_vars(ctx), 0);
    assert_int_equal(ag_gc_stats(ctx).promoted_bytes, 0);
    assert_int_equal(ag_gc_stats(ctx).old_live_bytes, 0);
    /* a full collection makes every survivor old at once, aged or not */
    ag_var *a = S(3);
    ag_retain(a);
    garbage(4);
    ag_gc_young(ctx);
    ag_var *b = S(4);
    ag_retain(b);
    assert_true(is_aged(a) && !is_aged(b));
    ag_gc(ctx);
    assert_true(is_old(a) && !is_aged(a));
    assert_true(is_old(b) && !is_aged(b));
    assert_int_equal(ag_gc_stats(ctx).old_live_bytes, 2 * sizeof(ag_var));
    check_ages_ordered();
    ag_release(a);
    ag_release(b);
}

/* An old variable whose grad is set to a young graph keeps that graph alive
 * through its aging and its promotion: the remembered entry stays while the
 * grad is young and goes once it is old. */
static void test_old_variable_keeps_young_grad(void **state) {
    ag_var *x = S(3);
    ag_retain(x);
    ag_gc(ctx); /* x is old */
    ag_var *a = S(2), *b = S(5);
    ag_var *g = ag_add(ctx, ag_mul(ctx, a, b), a); /* 12, reachable through x.grad only */
    assert_int_equal(ag_set_grad(x, g), 0);
    assert_true(is_remembered(x));
    garbage(20);
    assert_int_equal(ag_gc_young(ctx), 20);
    assert_true(is_aged(g));
    assert_true(is_remembered(x)); /* g is still young */
    check_ages_ordered();
    garbage(20);
    assert_int_equal(ag_gc_young(ctx), 20);
    assert_true(is_old(g) && is_old(a) && is_old(b));
    assert_false(is_remembered(x)); /* no old -> young link left */
    assert_int_equal(ag_gc_young(ctx), 0);
    check_ages_ordered();
    /* the graph behind the grad is whole: d(a*b + a)/da = b + 1 */
    assert_close(ag_item(ag_grad(x)), 12);
    assert_int_equal(ag_backward(ctx, ag_grad(x), NULL), 0);
    assert_close(ag_item(ag_grad(a)), 6);
    assert_close(ag_item(ag_grad(b)), 2);
    ag_cleargrad(x);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 1);
    assert_int_equal(ag_live_funcs(ctx), 0);
    ag_release(x);
}

/* A variable promoted by a young collection while its grad is young joins
 * the remembered set: the grad, reachable only through it, survives the
 * collections after its promotion. */
static void test_promoted_variable_with_young_grad(void **state) {
    ag_var *x = S(1);
    ag_retain(x);
    garbage(10);
    ag_gc_young(ctx); /* x is age 1 */
    ag_var *g = ag_mul(ctx, S(4), S(0.25)); /* age 0, through x.grad only */
    assert_int_equal(ag_set_grad(x, g), 0);
    assert_false(is_remembered(x)); /* x is young: nothing to remember */
    garbage(10);
    ag_gc_young(ctx);
    assert_true(is_old(x));
    assert_true(is_aged(g));
    assert_true(is_remembered(x));
    check_ages_ordered();
    size_t live = ag_live_vars(ctx);
    assert_int_equal(live, 4);
    garbage(20);
    assert_int_equal(ag_gc_young(ctx), 20); /* g and its graph stay */
    assert_int_equal(ag_live_vars(ctx), live);
    assert_true(is_old(g));
    assert_false(is_remembered(x));
    assert_close(ag_item(ag_grad(x)), 1);
    /* a grad older than its variable is no old -> young link */
    ag_var *old_grad = ag_grad(x);
    ag_var *v = S(2);
    ag_retain(v);
    assert_int_equal(ag_set_grad(v, old_grad), 0);
    garbage(10);
    ag_gc_young(ctx);
    garbage(10);
    ag_gc_young(ctx);
    assert_true(is_old(v));
    assert_false(is_remembered(v));
    assert_int_equal(ctx->remembered_len, 0);
    ag_release(v);
    ag_release(x);
}

/* A young collection that finds most young nodes alive (a chain being
 * built, bench/w6_chain.ag) tenures them at once, as aging would only trace
 * them again; an old variable's grad among them is then old too. */
static void test_live_structure_is_tenured(void **state) {
    ag_var *w = S(2);
    ag_retain(w);
    ag_gc(ctx);
    ag_var *x = S(0.5);
    ag_retain(x);
    ag_var *y = ag_sin(ctx, ag_sin(ctx, x));
    ag_retain(y);
    assert_int_equal(ag_set_grad(w, S(1)), 0);
    assert_true(is_remembered(w));
    S(3); /* 1 dead of 7 young nodes */
    assert_int_equal(ag_gc_young(ctx), 1);
    assert_true(is_old(x) && is_old(y) && is_old(ag_grad(w)));
    assert_true(ag_creator(y)->mark & NODE_OLD);
    assert_false(is_remembered(w));
    assert_int_equal(ctx->remembered_len, 0);
    assert_int_equal(ag_gc_stats(ctx).promoted_bytes, 4 * sizeof(ag_var) + 2 * FUNC_PACE_BYTES);
    check_ages_ordered();
    assert_close(ag_item(y), sin(sin(0.5)));
    ag_release(y);
    ag_release(x);
    ag_release(w);
}

/* `y = sin(y) * 1.0001` in a loop, collected as a REPL collects between
 * statements: the chain spans every age, its values are those of the same
 * loop in doubles and its backward the product of the local derivatives. */
static void test_chain_across_collections(void **state) {
    ag_var *x = S(0.5);
    ag_retain(x);
    ag_var *y = x;
    ag_retain(y);
    double value = 0.5, derivative = 1.0;
    const int steps = 3000;
    for (int i = 1; i <= steps; i++) {
        ag_var *next = ag_mul(ctx, ag_sin(ctx, y), S(1.0001));
        if ((i / 700) % 2 == 0) garbage(6); /* aged; else all alive: tenured */
        derivative *= cos(value) * 1.0001;
        value = sin(value) * 1.0001;
        ag_retain(next);
        ag_release(y);
        y = next;
        if (i % 7 == 0) ag_gc_young(ctx);
        if (i % 1000 == 500) ag_gc(ctx);
        if (i % 97 == 0) check_ages_ordered();
    }
    assert_true(ag_gc_stats(ctx).young_collections > 300);
    assert_close(ag_item(y), value);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_close_tol(ag_item(ag_grad(x)), derivative, 1e-10, 0);
    /* x is old, its grad new: kept by the remembered set */
    ag_release(y);
    ag_gc_young(ctx);
    ag_gc_young(ctx);
    ag_gc_young(ctx);
    check_ages_ordered();
    assert_close_tol(ag_item(ag_grad(x)), derivative, 1e-10, 0);
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 2); /* x and its grad */
    assert_int_equal(ag_live_funcs(ctx), 0);
    ag_release(x);
}

/* What a REPL loop does (bench/w1_rosenbrock.ag): the step's result stays
 * bound until the next step replaces it, and ag_gc_auto runs between
 * statements.  Every young collection finds one step's graph alive; aged,
 * it dies young, so nothing but the two parameters is ever promoted and no
 * full collection is needed. */
static void test_bound_result_is_not_promoted(void **state) {
    ag_var *x0 = S(0), *x1 = S(2);
    ag_retain(x0);
    ag_retain(x1);
    ag_var *y = NULL;
    double c0 = 0, c1 = 2; /* the same descent in doubles */
    const int steps = 20000;
    for (int i = 0; i < steps; i++) {
        double r = c1 - c0 * c0, g0 = -400 * r * c0 + 2 * (c0 - 1), g1 = 200 * r;
        c0 -= 0.001 * g0;
        c1 -= 0.001 * g1;
        ag_cleargrad(x0);
        ag_cleargrad(x1);
        ag_gc_auto(ctx);
        ag_var *next = ag_add(ctx, ag_mul(ctx, S(100), ag_pow(ctx, ag_sub(ctx, x1, ag_pow(ctx, x0, 2)), 2)),
                              ag_pow(ctx, ag_sub(ctx, x0, S(1)), 2));
        ag_retain(next);
        ag_release(y);
        y = next;
        ag_gc_auto(ctx);
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ag_gc_auto(ctx);
        ag_data(x0)[0] -= 0.001 * ag_item(ag_grad(x0));
        ag_data(x1)[0] -= 0.001 * ag_item(ag_grad(x1));
        ag_gc_auto(ctx);
    }
    ag_gc_info info = ag_gc_stats(ctx);
    assert_true(info.young_collections >= 100);
    assert_int_equal(info.full_collections, 0);
    /* x0, x1 (and at most a grad or two that lived across two collections) */
    assert_below((double)info.promoted_bytes, 4.0 * sizeof(ag_var));
    check_ages_ordered();
    assert_close_tol(ag_item(x0), c0, 1e-9, 0);
    assert_close_tol(ag_item(x1), c1, 1e-9, 0);
    assert_true(c0 > 0.5); /* on its way to (1, 1) */
    ag_release(y);
    ag_release(x0);
    ag_release(x1);
}

/* An op given a variable a young collection freed says so (its node is on
 * the free list, not reused yet), at age 0 and at age 1. */
static void test_stale_handles_reported(void **state) {
    if (getenv("AG_DEBUG_NO_REUSE") != NULL) skip(); /* the node is freed memory then */
    ag_var *kept = S(1);
    ag_retain(kept);
    ag_var *dead = ag_ones(ctx, 1, (int[]){3});
    assert_int_equal(ag_gc_young(ctx), 1);
#ifndef __SANITIZE_ADDRESS__ /* there the stale read itself is reported */
    assert_null(ag_sin(ctx, dead));
    assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
    ag_clear_error(ctx);
#else
    (void)dead;
#endif
    ag_var *aged = ag_ones(ctx, 1, (int[]){4});
    ag_retain(aged);
    garbage(10);
    ag_gc_young(ctx);
    assert_true(is_aged(aged));
    ag_release(aged);
    assert_int_equal(ag_gc_young(ctx), 1);
#ifndef __SANITIZE_ADDRESS__
    assert_null(ag_sin(ctx, aged));
    assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
    ag_clear_error(ctx);
#endif
    assert_true(is_old(kept));
    ag_release(kept);
}

/* When the epoch wraps every node's epoch is reset and its age kept: a
 * young node marked in epoch 1 long ago is not taken for marked by the
 * first collection after the wrap, whose epoch is 1 again. */
static void test_epoch_wrap_keeps_ages(void **state) {
    ag_var *old = S(1);
    ag_retain(old);
    ag_gc(ctx);
    ag_var *aged = S(2);
    ag_retain(aged);
    garbage(10);
    ag_gc_young(ctx);
    ag_var *young = S(3);
    ag_retain(young);
    ag_var *stray = S(4);
    stray->mark = (stray->mark & ~EPOCH_BITS) | 1u; /* as if made in epoch 1 */
    garbage(10);
    ctx->epoch = EPOCH_BITS; /* the next collection wraps */
    assert_int_equal(ag_gc_young(ctx), 11);
    assert_int_equal(ctx->epoch, 1);
    assert_true(is_old(old));
    assert_true(is_old(aged));
    assert_true(is_aged(young));
    check_ages_ordered();
    ag_release(young);
    assert_int_equal(ag_gc_young(ctx), 1);
    assert_int_equal(ag_live_vars(ctx), 2);
    ag_release(old);
    ag_release(aged);
}

/* The variables on the live list, each checked to be a live one of this
 * context (a collected one has none). */
static size_t vars_on_list(void) {
    size_t n = 0;
    for (const ag_var *v = ctx->vars; v != NULL && n <= ctx->live_vars; v = v->next_live) {
        assert_ptr_equal(v->ctx, ctx);
        n++;
    }
    return n;
}

/* A reclaiming backward pass takes the variables it made off the live list
 * one at a time through their back links (prev_live), which only allocation
 * during such a pass keeps; collections leave the survivors' links stale
 * (context.c, ctx_reclaim_var).  A plain pass over 2,000 sines reclaims
 * (from its 257th variable) after full and young collections that freed
 * garbage among the survivors: the live list must hold exactly the live
 * variables and the gradient be the flat pass's. */
static void test_reclaiming_pass_after_collections(void **state) {
    ag_var *x = S(0.5);
    ag_retain(x);
    for (int round = 0; round < 4; round++) {
        garbage(100);
        ag_var *y = x;
        for (int i = 0; i < 2000; i++) {
            y = ag_sin(ctx, y);
            if (i % 500 == 0) garbage(3);
        }
        ag_retain(y);
        garbage(50);
        if (round % 2 == 0)
            ag_gc(ctx);
        else
            ag_gc_young(ctx);
        check_ages_ordered();
        size_t before = ag_live_vars(ctx);
        assert_int_equal(vars_on_list(), before);
        ctx->plain_backward = true;
        assert_int_equal(ag_backward(ctx, y, NULL), 0);
        ctx->plain_backward = false;
        size_t left = ag_live_vars(ctx) - before;
        assert_true(left >= 256 && left <= 256 + 4); /* the rest were reclaimed */
        assert_int_equal(vars_on_list(), ag_live_vars(ctx));
        double plain = ag_item(ag_grad(x));
        ag_cleargrad(x);
        assert_int_equal(ag_backward(ctx, y, NULL), 0); /* the flat pass */
        assert_true(ag_item(ag_grad(x)) == plain);
        ag_release(y);
        ag_cleargrad(x);
        ag_gc(ctx);
        assert_int_equal(ag_live_vars(ctx), 1);
        assert_int_equal(ag_live_funcs(ctx), 0);
        assert_int_equal(vars_on_list(), 1);
    }
    ag_release(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_one_survival_stays_young),
        CTX_TEST(test_two_survivals_make_old),
        CTX_TEST(test_old_variable_keeps_young_grad),
        CTX_TEST(test_promoted_variable_with_young_grad),
        CTX_TEST(test_live_structure_is_tenured),
        CTX_TEST(test_chain_across_collections),
        CTX_TEST(test_bound_result_is_not_promoted),
        CTX_TEST(test_stale_handles_reported),
        CTX_TEST(test_epoch_wrap_keeps_ages),
        CTX_TEST(test_reclaiming_pass_after_collections),
    };
    return cmocka_run_group_tests_name("generations", tests, NULL, NULL);
}
