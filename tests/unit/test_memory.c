/* test_memory.c — the context's buffer cache: a training loop
 * that collects every step reuses its buffers instead of faulting fresh
 * pages in; the cache is bounded, released on request, and bypassed under
 * AG_DEBUG_NO_REUSE. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h" /* ctx_malloc, ctx_realloc, ctx_free and the kept blocks */
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
#if defined(TEST_ASAN)
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

/* Under AG_DEBUG_NO_REUSE nothing is cached (tests/suites/lib_asan_test.sh checks
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

#if !defined(TEST_ASAN) /* (no big mappings there) */
/* The mapping of /proc/self/smaps that holds p: whether there is one, and
 * its THPeligible field (-1 when it has none). */
static bool mapping_of(const void *p, int *thp_eligible) {
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool inside = false, found = false;
    *thp_eligible = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        int field;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, ':') != NULL && line[0] != ' ') {
            if (found) break;
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            found = inside;
        } else if (inside && sscanf(line, "THPeligible: %d", &field) == 1) {
            *thp_eligible = field;
        }
    }
    fclose(f);
    return found;
}

/* Whether this kernel gives transparent huge pages to advised memory. */
static bool huge_pages_on(void) {
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL) return false;
    char mode[128] = "";
    bool on = fgets(mode, sizeof mode, f) != NULL && strstr(mode, "[never]") == NULL;
    fclose(f);
    return on;
}
#endif

/* A buffer of 2 MiB or more is a mapping of its own at a 2 MiB boundary,
 * advised for huge pages (memory.c); the cache keeps and reuses it as any
 * other, and ag_gc_release unmaps it.  Not in an AddressSanitizer build
 * (malloc's redzones) nor under AG_DEBUG_NO_REUSE. */
static void test_big_buffers_on_huge_page_boundaries(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    const int shapes[][2] = {{1000, 256}, {1000, 320}}; /* 2,048,000 and 2,560,000 bytes */
    for (int s = 0; s < 2; s++) {
        ag_var *a = ag_zeros(ctx, 2, shapes[s]);
        assert_non_null(a);
        double *data = ag_data(a);
        size_t n = ag_size(a);
        for (size_t i = 0; i < n; i++) assert_true(data[i] == 0.0);
        for (size_t i = 0; i < n; i++) data[i] = (double)i;
        ag_gc(ctx); /* cached */
        assert_true(ag_buffer_cache_bytes(ctx) >= n * sizeof(double));
        ag_var *b = ag_zeros(ctx, 2, shapes[s]); /* the same buffer, zeroed again */
        assert_ptr_equal(ag_data(b), data);
        for (size_t i = 0; i < n; i++) assert_true(data[i] == 0.0);
#if !defined(TEST_ASAN)
        assert_int_equal((uintptr_t)data % ((uintptr_t)2 << 20), 0);
        int eligible;
        assert_true(mapping_of(data, &eligible));
        if (huge_pages_on() && eligible >= 0) assert_int_equal(eligible, 1);
        ag_gc_release(ctx); /* b is garbage: its mapping goes */
        assert_int_equal(ag_buffer_cache_bytes(ctx), 0);
        assert_false(mapping_of(data, &eligible));
#else
        ag_gc_release(ctx);
#endif
    }
    ag_ctx_free(ctx);

    setenv("AG_DEBUG_NO_REUSE", "1", 1); /* from malloc: off any 2 MiB boundary */
    ctx = ag_ctx_new();
    unsetenv("AG_DEBUG_NO_REUSE");
    ag_var *a = ag_zeros(ctx, 2, shapes[0]);
    assert_non_null(a);
#if !defined(TEST_ASAN)
    assert_int_not_equal((uintptr_t)ag_data(a) % ((uintptr_t)2 << 20), 0);
#endif
    ag_ctx_free(ctx);
}

/* A big buffer in the cache is poisoned under AddressSanitizer;
 * the cache given back (ag_gc_release, as :reset does) must unpoison it, or
 * the next buffer at that address starts poisoned and the first write to it
 * (rand's) is a use-after-poison.  Seen failing under clang's ASan, where
 * the buffer was its own mapping (x = rand(600, 600); :reset; w = rand(600,
 * 600)); in every build the numbers must be written and read back. */
static void test_released_big_buffer_is_not_left_poisoned(void **state) {
    (void)state;
    ag_ctx *c = ag_ctx_new();
    int shape[2] = {600, 600};
    for (int round = 0; round < 3; round++) {
        ag_var *x = ag_rand(c, 2, shape, NULL);
        assert_non_null(x);
        ag_gc(c);                                  /* x's buffer into the cache */
        assert_true(ag_buffer_cache_bytes(c) >= 600 * 600 * sizeof(double));
        ag_gc_release(c);                          /* the cache given back */
        assert_int_equal(ag_buffer_cache_bytes(c), 0);
    }
    ag_var *w = ag_full(c, 2, shape, 2.0);
    assert_non_null(w);
    assert_true(ag_item(ag_sum(c, w, NULL, 0)) == 2.0 * 600 * 600);
    ag_ctx_free(c);
}

/* The node memory of a collected graph goes back to the system
 * with ag_gc_release (before, a collected 200,000-op graph kept 68.9 MB until
 * ag_ctx_free).  A 200,000-op scalar chain is built, measured resident,
 * collected (ag_gc keeps its nodes for reuse: still resident), then
 * released: what the graph added must be mostly gone (under a quarter of it
 * left).  A variable kept alive across it keeps its value, and the context
 * builds and differentiates a new graph afterwards.  Not measured under
 * AddressSanitizer (its allocator keeps freed blocks in quarantine) nor
 * under AG_DEBUG_NO_REUSE (no blocks: every node freed when collected). */
static void test_release_gives_collected_graph_memory_back(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_retain(x);
    ag_gc_release(ctx);
    size_t before = test_resident_bytes();
    ag_var *y = x;
    for (int i = 0; i < 200000; i++) y = ag_add(ctx, ag_mul(ctx, y, ag_scalar(ctx, 0.999)), ag_scalar(ctx, 1e-4));
    assert_non_null(y);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    double grad = ag_item(ag_grad(x));
    assert_true(grad > 0.0 && grad < 1e-80); /* 0.999^200000 */
    size_t during = test_resident_bytes();
    size_t idle_during = ag_idle_node_bytes(ctx);
    ag_gc(ctx); /* the chain is garbage now; its nodes stay for reuse */
    size_t idle_collected = ag_idle_node_bytes(ctx);
    size_t collected = test_resident_bytes();
    assert_true(ag_gc_release(ctx) == 0); /* nothing more to collect */
    size_t released = test_resident_bytes();
    size_t idle_released = ag_idle_node_bytes(ctx);
    bool no_reuse = getenv("AG_DEBUG_NO_REUSE") != NULL && strcmp(getenv("AG_DEBUG_NO_REUSE"), "0") != 0;
    if (!no_reuse) {
        /* 200,000 x (2 constants, 2 results, 2 functions) nodes, plus grads */
        assert_true(idle_collected > idle_during + ((size_t)100 << 20));
        /* the slabs holding x and its gradient: 2 MiB mappings once the
         * context's slabs hold 1 MiB (context.c) */
        assert_true(idle_released < ((size_t)5 << 20));
    }
    print_message("      RSS above the start: %.1f MB with the graph, %.1f MB collected, %.1f MB released "
                  "(%.3f of it); idle nodes %.1f -> %.3f MB\n",
                  (double)(during - before) / 1e6, (double)(collected - before) / 1e6,
                  ((double)released - (double)before) / 1e6,
                  ((double)released - (double)before) / (double)(during - before), idle_collected / 1e6,
                  idle_released / 1e6);
#if !defined(TEST_ASAN) && defined(__GLIBC__)
    if (!no_reuse) {
        assert_true(during > before + ((size_t)100 << 20)); /* the graph was resident */
        assert_true(collected > before + (during - before) / 2);  /* ag_gc kept it */
        assert_true(released < before + (during - before) / 4);   /* ag_gc_release did not */
    }
#endif
    /* the context goes on: x kept, a new graph built and differentiated */
    assert_true(ag_item(x) == 0.5);
    ag_var *z = ag_mul(ctx, x, x);
    assert_int_equal(ag_backward(ctx, z, NULL), 0);
    assert_true(ag_item(ag_grad(x)) == 1.0);
    ag_ctx_free(ctx);
}

/* A long graph's nodes sit on huge pages: once a context's node slabs hold
 * 1 MiB, each new slab is a 2 MiB mapping of its own advised as a
 * transparent huge page (context.c), so a 150,000-op chain (about 50 MB of
 * nodes) faults once for 2 MiB instead of once for 4 KiB beyond its first
 * 1 MiB: fewer than an eighth of the 4 KiB pages it fills there, where the
 * kernel gives huge pages (12,600 faults in all for the chain with malloc's
 * slabs; about 2,070 from 8 MiB, as before).
 * The chain's last node is in such a mapping; collected and released, the
 * mapping is gone.  Not in an AddressSanitizer build (malloc's redzones)
 * nor under AG_DEBUG_NO_REUSE (every node a block of its own). */
static void test_long_graph_nodes_on_huge_pages(void **state) {
    (void)state;
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *x = ag_scalar(ctx, 0.5), *scale = ag_scalar(ctx, 1.0001), *shift = ag_scalar(ctx, 0.0001);
    ag_retain(x);
    long faults = minor_faults();
    ag_var *y = x;
    for (int i = 0; i < 50000; i++) y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), scale), shift);
    faults = minor_faults() - faults;
    assert_non_null(y);
    size_t bytes = ag_live_vars(ctx) * 168 + ag_live_funcs(ctx) * 176; /* ag_var, ag_func */
    print_message("      a 150,000-op chain: %.1f MB of nodes, %ld minor faults\n", (double)bytes / 1e6, faults);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_true(ag_item(ag_grad(x)) > 0.0);
#if !defined(TEST_ASAN)
    bool no_reuse = getenv("AG_DEBUG_NO_REUSE") != NULL && strcmp(getenv("AG_DEBUG_NO_REUSE"), "0") != 0;
    if (!no_reuse) {
        int eligible;
        assert_true(mapping_of(y, &eligible));
        if (huge_pages_on()) {
            if (eligible >= 0) assert_int_equal(eligible, 1);
            /* the first 1 MiB in malloc's slabs, a fault a page */
            size_t small = (size_t)1 << 20;
            assert_true(faults < (long)(small / 4096 + (bytes - small) / 4096 / 8));
        }
        const void *last = y;
        ag_cleargrad(x); /* its gradient, made last, would keep its slab */
        ag_gc(ctx);
        ag_gc_release(ctx); /* every slab of the chain is free: unmapped */
        assert_false(mapping_of(last, &eligible));
    }
#endif
    assert_true(ag_item(x) == 0.5); /* x, retained, is still there */
    ag_ctx_free(ctx);
}

/* A big block freed through the context (a backward pass's undo log over a
 * long graph) is kept for the next big request instead of going back to
 * glibc, which maps a block of 32 MiB or more by itself and unmaps it when
 * freed: the next pass then faulted every page in again (a chain of 1e7 ops
 * in one context: 59,000 faults a pass).  A request takes the smallest kept
 * block that is big enough, a block handed out for less grows in place,
 * one grown past its block is copied into a kept one, and ag_gc_release and
 * ag_set_buffer_cache(ctx, 0) give the kept blocks back.  Not under
 * AddressSanitizer or AG_DEBUG_NO_REUSE (a freed block must be freed, for
 * their reports of stale reads), where nothing is kept. */
static void test_big_arrays_kept_between_passes(void **state) {
    (void)state;
    bool no_reuse = getenv("AG_DEBUG_NO_REUSE") != NULL && strcmp(getenv("AG_DEBUG_NO_REUSE"), "0") != 0;
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    const size_t big = (size_t)96 << 20, small = (size_t)40 << 20, grown = (size_t)64 << 20;
    char *p = ctx_malloc(ctx, big);
    char *b = ctx_malloc(ctx, small);
    assert_non_null(p);
    assert_non_null(b);
    memset(p, 7, big);
    for (size_t i = 0; i < small; i += 509) b[i] = (char)(i % 251);
    ctx_free(ctx, p);
#if defined(__GLIBC__) && !defined(TEST_ASAN)
    bool kept = !no_reuse;
#else
    bool kept = false; /* nothing is kept under AddressSanitizer */
    (void)no_reuse;
#endif
    assert_int_equal(ctx->mem.nkept, kept ? 1 : 0);
    /* b grown past its block: copied into the kept one, and b kept */
    char *b2 = ctx_realloc(ctx, b, grown);
    assert_non_null(b2);
    if (kept) assert_ptr_equal(b2, p);
    size_t differ = 0;
    for (size_t i = 0; i < small; i += 509) differ += b2[i] != (char)(i % 251);
    assert_int_equal(differ, 0);
    assert_int_equal(ctx->mem.nkept, kept ? 1 : 0);
    ctx_free(ctx, b2);
    assert_int_equal(ctx->mem.nkept, kept ? 2 : 0);
    /* the smallest that is big enough: b's block for 40 MiB, p's for 64 */
    char *q = ctx_malloc(ctx, small);
    assert_non_null(q);
    if (kept) assert_ptr_equal(q, b);
    ctx_free(ctx, q);
    /* taken again and grown in place, without faulting its pages in */
    long faults = minor_faults();
    char *r = ctx_malloc(ctx, grown);
    assert_non_null(r);
    char *r2 = ctx_realloc(ctx, r, big);
    assert_non_null(r2);
    memset(r2, 1, big);
    faults = minor_faults() - faults;
    if (kept) {
        assert_ptr_equal(r, p);
        assert_ptr_equal(r2, p);
        assert_true(faults < 100); /* 24,576 pages: all were resident */
    }
    print_message("      96 MiB taken again through the context: %ld minor faults\n", faults);
    ctx_free(ctx, r2);
    assert_int_equal(ctx->mem.nkept, kept ? 2 : 0);
    ag_set_buffer_cache(ctx, 0); /* no cache: the kept blocks go too */
    assert_int_equal(ctx->mem.nkept, 0);
    ctx_free(ctx, ctx_malloc(ctx, big)); /* with the cache off, nothing is kept */
    assert_int_equal(ctx->mem.nkept, 0);
    ag_set_buffer_cache(ctx, AG_BUFFER_CACHE_DEFAULT);
    ctx_free(ctx, ctx_malloc(ctx, big));
    assert_int_equal(ctx->mem.nkept, kept ? 1 : 0);
    assert_true(!kept || ctx->mem.kept_bytes >= big);
    ag_gc_release(ctx);
    assert_int_equal(ctx->mem.nkept, 0);
    assert_int_equal(ctx->mem.kept_bytes, 0);
    ag_ctx_free(ctx);
}

/* An allocator that counts the bytes it has out (each block carries its
 * size in front), for the slab tests below. */
typedef struct {
    size_t bytes;
} byte_count;
typedef union {
    size_t size;
    max_align_t align;
} block_head;
static void *bytes_malloc(void *user, size_t size) {
    block_head *h = malloc(sizeof *h + size);
    if (h == NULL) return NULL;
    h->size = size;
    ((byte_count *)user)->bytes += size;
    return h + 1;
}
static void *bytes_realloc(void *user, void *ptr, size_t size) {
    block_head *h = (block_head *)ptr - 1;
    size_t old = h->size;
    h = realloc(h, sizeof *h + size);
    if (h == NULL) return NULL;
    h->size = size;
    ((byte_count *)user)->bytes += size - old;
    return h + 1;
}
static void bytes_free(void *user, void *ptr) {
    block_head *h = (block_head *)ptr - 1;
    ((byte_count *)user)->bytes -= h->size;
    free(h);
}

/* A new slab's nodes are handed out from its unused tail, not linked onto
 * the free list first (context.c): the tail counts as idle, a slab whose
 * handed-out nodes are all collected goes back with ag_gc_release, tail
 * and all (its bytes back to the allocator), and a slab with a live node
 * stays, its tail handed out next.  ag_ctx_free then walks only the nodes
 * handed out (under AddressSanitizer or valgrind, a walk into the never
 * written tail is reported).  White-box: the slab of 256 nodes is
 * context.c's SLAB_NODES. */
static void test_slab_tail_counted_and_released(void **state) {
    (void)state;
    byte_count count = {0};
    ag_allocator a = {bytes_malloc, bytes_realloc, bytes_free, &count};
    ag_ctx *c = ag_ctx_new_with_allocator(&a);
    assert_non_null(c);
    if (c->no_reuse) { /* every node a block of its own: no slabs, no tail */
        ag_ctx_free(c);
        return;
    }
    assert_null(c->tail_vars);
    assert_int_equal(c->slab_vars, 0);
    size_t empty = count.bytes;

    /* 100 variables and 40 functions: one slab of each, partly used */
    ag_var *x = ag_scalar(c, 0.5);
    for (int i = 0; i < 59; i++) ag_scalar(c, i);
    ag_var *y = x;
    for (int i = 0; i < 40; i++) y = ag_add(c, y, y);
    assert_true(ag_item(y) == 0.5 * 1099511627776.0); /* 0.5 * 2^40 */
    assert_int_equal(c->slab_vars, 256);
    assert_int_equal(c->slab_funcs, 256);
    assert_int_equal(c->live_vars, 100);
    assert_int_equal(c->live_funcs, 40);
    assert_null(c->free_vars); /* nothing collected yet: the free lists are empty */
    assert_null(c->free_funcs);
    assert_int_equal(c->end_vars - c->tail_vars, 156);
    assert_int_equal(c->end_funcs - c->tail_funcs, 216);
    assert_true(y == c->tail_vars - 1); /* handed out in address order */
    assert_int_equal(ag_idle_node_bytes(c), 156 * sizeof(ag_var) + 216 * sizeof(ag_func));
    size_t two_slabs = count.bytes - empty;
    assert_true(two_slabs >= 256 * (sizeof(ag_var) + sizeof(ag_func)));

    /* x kept: its slab stays, and the next variable is the tail's next */
    ag_retain(x);
    ag_gc(c);
    assert_int_equal(c->live_vars, 1);
    assert_int_equal(ag_idle_node_bytes(c), 255 * sizeof(ag_var) + 256 * sizeof(ag_func));
    ag_gc_release(c);
    assert_int_equal(c->slab_vars, 256);      /* x's slab, its tail with it */
    assert_int_equal(c->slab_funcs, 0);       /* every function collected: its slab went */
    assert_null(c->tail_funcs);
    assert_null(c->end_funcs);
    assert_int_equal(c->end_vars - c->tail_vars, 156);
    assert_true(count.bytes - empty < two_slabs);
    ag_var *next_tail = c->tail_vars;
    ag_var *z = ag_add(c, x, x); /* a collected node first (the free list), a new function slab */
    assert_true(z != next_tail);
    assert_int_equal(c->slab_funcs, 256);
    assert_int_equal(c->end_funcs - c->tail_funcs, 255);
    assert_true(ag_item(z) == 1.0);
    for (int i = 0; i < 98; i++) assert_true(ag_scalar(c, i) != next_tail); /* the other collected ones */
    assert_null(c->free_vars);
    assert_true(ag_scalar(c, 7.0) == next_tail); /* then the tail, where it stopped */
    assert_int_equal(c->end_vars - c->tail_vars, 155);

    /* everything collected: both slabs go back, tail and all */
    ag_release(x);
    ag_gc(c);
    assert_int_equal(c->live_vars, 0);
    ag_gc_release(c);
    assert_int_equal(c->slab_vars, 0);
    assert_int_equal(c->slab_funcs, 0);
    assert_null(c->slabs);
    assert_null(c->tail_vars);
    assert_null(c->end_vars);
    assert_int_equal(ag_idle_node_bytes(c), 0);
    assert_true(count.bytes <= empty); /* no node memory left out */

    /* and the context goes on from a new slab */
    ag_var *w = ag_mul(c, ag_scalar(c, 3.0), ag_scalar(c, 4.0));
    assert_true(ag_item(w) == 12.0);
    assert_int_equal(c->slab_vars, 256);
    assert_int_equal(c->end_vars - c->tail_vars, 253);

    /* two slabs of variables, the older full: the newer's tail goes with it */
    for (int i = 0; i < 300; i++) ag_scalar(c, i);
    assert_int_equal(c->slab_vars, 512);
    assert_int_equal(c->end_vars - c->tail_vars, 512 - 303);
    ag_gc(c);
    ag_gc_release(c);
    assert_int_equal(c->slab_vars, 0);
    assert_null(c->tail_vars);
    ag_ctx_free(c);
    assert_int_equal(count.bytes, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gc_every_step_faults_only_while_warming_up),
        cmocka_unit_test(test_cache_is_bounded_and_released),
        cmocka_unit_test(test_reused_buffers_give_the_same_numbers),
        cmocka_unit_test(test_no_reuse_bypasses_the_cache),
        cmocka_unit_test(test_big_buffers_on_huge_page_boundaries),
        cmocka_unit_test(test_released_big_buffer_is_not_left_poisoned),
        cmocka_unit_test(test_release_gives_collected_graph_memory_back),
        cmocka_unit_test(test_long_graph_nodes_on_huge_pages),
        cmocka_unit_test(test_big_arrays_kept_between_passes),
        cmocka_unit_test(test_slab_tail_counted_and_released),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
