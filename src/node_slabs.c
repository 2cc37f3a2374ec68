/* node_slabs.c — the slabs a context's nodes are carved from: the
 * allocation's slow paths (a slab's tail, a new slab), giving slabs back
 * (ag_gc_release) and freeing every node with its context. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "node_storage.h"
#include "poison.h"

/* Nodes are carved from slabs of SLAB_NODES (no malloc header per node, and
 * a 300,000-op graph is a few hundred mallocs); a slab goes back to the
 * allocator with its context, or with ag_gc_release once none of its nodes
 * is alive (ctx_release_slabs).  A new slab's nodes are handed out from its
 * unused tail, in address order, when the free list is empty (the context's
 * tail_* and end_*); only collected nodes are on the free lists.  Whatever
 * counts or walks a slab's nodes takes the newest slab's unused tail as free
 * and as never written (slab_used).
 *
 * Once a context's slabs hold BIG_SLABS_FROM bytes, each new one is a
 * 2 MiB mapping of its own advised as a transparent huge page
 * (ctx_map_pages), where the C library's allocator is used: a long chain's
 * nodes then take one page fault and one TLB entry for 2 MiB instead of 512
 * of each (bench/README.md, "The chain sweep, huge pages").  Smaller
 * contexts stay in malloc's 43 KiB blocks, and a slab records how many
 * nodes it holds.  From 1 MiB (8 MiB before): a fresh chain of 1e4 ops
 * (3.4 MB of nodes) then faults 0.009 times an op instead of 0.086 and
 * costs 51 ns an op instead of 164; a chain of 1e3 (344 KB) and the REPL's
 * transcripts (their peak RSS) are unchanged.  The price: a context of 1 to
 * about 8 MiB of nodes holds up to 4 MiB more (its last 2 MiB page of each
 * node type; a 5,000-op chain's process peaked at 7.7 MB instead of 4.2). */
#define SLAB_NODES 256
#define BIG_SLAB_BYTES ((size_t)2 << 20)
#define BIG_SLABS_FROM ((size_t)1 << 20)

typedef union slab {
    struct {
        union slab *next;
        size_t bytes; /* the whole block, header included */
        size_t nodes; /* SLAB_NODES, or what a mapped slab holds */
        bool vars;    /* of ag_var, else of ag_func */
        bool mapped;  /* ctx_map_pages's block, else the allocator's */
    } header;
    max_align_t align; /* the nodes that follow are aligned for anything */
    char line[64];     /* and start a cache line in a line-aligned block (a
                        * mapped slab): 128-byte functions are two whole lines */
} slab;
_Static_assert(sizeof(slab) % 64 == 0, "a slab's nodes start a cache line (see slab)");

/* How many of s's nodes were ever handed out: all of them, but for the
 * newest slab of its type, whose tail [tail, end) is unused (its memory is
 * as malloc or the mapping gave it: nothing to free there). */
static size_t slab_used(const ag_ctx *ctx, const slab *s) {
    if (s->header.vars) {
        const ag_var *first = (const ag_var *)(s + 1);
        return ctx->end_vars == first + s->header.nodes ? (size_t)(ctx->tail_vars - first) : s->header.nodes;
    }
    const ag_func *first = (const ag_func *)(s + 1);
    return ctx->end_funcs == first + s->header.nodes ? (size_t)(ctx->tail_funcs - first) : s->header.nodes;
}

/* A slab back to where it came from. */
static void free_slab(ag_ctx *ctx, slab *s) {
    if (s->header.mapped)
        ctx_unmap_pages(s, s->header.bytes);
    else
        ctx_free(ctx, s);
}


/* ---- node allocation -------------------------------------------------------- */

/* A new slab of nodes of `size` bytes, or NULL; how many in *nodes.  Its
 * memory is left as malloc or the mapping gives it (each node is cleared
 * when handed out: ctx_init_var, ctx_init_func), poisoned under
 * AddressSanitizer until then; the caller makes it the tail its nodes are
 * handed out from. */
static char *grow(ag_ctx *ctx, size_t size, bool vars, size_t *nodes) {
    size_t held = ctx->slab_vars * sizeof(ag_var) + ctx->slab_funcs * sizeof(ag_func);
    size_t bytes = BIG_SLAB_BYTES;
    slab *s = held >= BIG_SLABS_FROM ? ctx_map_pages(ctx, bytes) : NULL;
    bool mapped = s != NULL;
    if (!mapped) {
        bytes = sizeof(slab) + SLAB_NODES * size;
        if ((s = ctx_malloc(ctx, bytes)) == NULL) return NULL;
    }
    *nodes = mapped ? (bytes - sizeof(slab)) / size : SLAB_NODES;
    s->header.next = ctx->slabs;
    s->header.bytes = bytes;
    s->header.nodes = *nodes;
    s->header.vars = vars;
    s->header.mapped = mapped;
    ctx->slabs = s;
    if (vars)
        ctx->slab_vars += *nodes;
    else
        ctx->slab_funcs += *nodes;
    POISON(s + 1, bytes - sizeof *s);
    return (char *)(s + 1);
}

/* A new slab of variables, its nodes the tail handed out next (the last
 * slab's tail is used up).  The plain way linked every node onto the free
 * list here, before the first was used: about 12 ns an op of a fresh
 * chain, each node's memory touched twice far apart (bench/README.md, the
 * fourteenth pass's slab pool). */
static int grow_vars(ag_ctx *ctx) {
    size_t n;
    ag_var *nodes = (ag_var *)grow(ctx, sizeof(ag_var), true, &n);
    if (nodes == NULL) return -1;
    ctx->tail_vars = nodes;
    ctx->end_vars = nodes + n;
    return 0;
}

static int grow_funcs(ag_ctx *ctx) {
    size_t n;
    ag_func *nodes = (ag_func *)grow(ctx, sizeof(ag_func), false, &n);
    if (nodes == NULL) return -1;
    ctx->tail_funcs = nodes;
    ctx->end_funcs = nodes + n;
    return 0;
}

/* ---- giving slabs back ------------------------------------------------------
 *
 * The plain algorithm: a slab can go when every one of its nodes is free: on
 * a free list (collected) or in the newest slab's unused tail (never handed
 * out).  So count the free nodes of each slab, take the whole free slabs'
 * nodes off the free lists and free those slabs.  A node's slab is found by
 * binary search in the slabs sorted by address (a slab is one block: its
 * nodes lie between its header and the next slab's). */

static int slab_order(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (slab *const *)a, y = (uintptr_t) * (slab *const *)b;
    return (x > y) - (x < y);
}

/* The index in sorted[0..n) of the slab holding node p. */
static size_t slab_of(slab *const *sorted, size_t n, const void *p) {
    size_t lo = 0, hi = n; /* the last slab starting at or below p */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)sorted[mid] <= (uintptr_t)p) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Takes the nodes of released slabs (gone[i]) off a free list of `type`
 * (ag_var or ag_func) linked through next_live from `head`. */
#define FREE_LIST_FILTER(type, head, sorted, n, gone)                                      \
    do {                                                                                   \
        type **link_ = &(head);                                                            \
        while (*link_ != NULL) {                                                           \
            if (gone[slab_of(sorted, n, *link_)]) *link_ = (*link_)->next_live;            \
            else link_ = &(*link_)->next_live;                                             \
        }                                                                                  \
    } while (0)

size_t ctx_release_slabs(ag_ctx *ctx) {
    if (ctx->no_reuse || ctx->slabs == NULL) return 0;
    size_t n = 0;
    for (slab *s = ctx->slabs; s != NULL; s = s->header.next) n++;
    slab **sorted = ctx_malloc(ctx, n * sizeof *sorted);
    size_t *free_nodes = ctx_calloc(ctx, n, sizeof *free_nodes);
    bool *gone = ctx_calloc(ctx, n, sizeof *gone);
    size_t bytes = 0, whole = 0;
    if (sorted == NULL || free_nodes == NULL || gone == NULL) goto done; /* nothing given back */
    n = 0;
    for (slab *s = ctx->slabs; s != NULL; s = s->header.next) sorted[n++] = s;
    qsort(sorted, n, sizeof *sorted, slab_order);
    /* next_live is never poisoned on a free node (retire_var, collect) */
    for (ag_var *v = ctx->free_vars; v != NULL; v = v->next_live) free_nodes[slab_of(sorted, n, v)]++;
    for (ag_func *f = ctx->free_funcs; f != NULL; f = f->next_live) free_nodes[slab_of(sorted, n, f)]++;
    /* a tail's slab holds its last node (end - 1) */
    size_t tail_vars_at = n, tail_funcs_at = n; /* n: no tail */
    if (ctx->end_vars != NULL) {
        tail_vars_at = slab_of(sorted, n, ctx->end_vars - 1);
        free_nodes[tail_vars_at] += (size_t)(ctx->end_vars - ctx->tail_vars);
    }
    if (ctx->end_funcs != NULL) {
        tail_funcs_at = slab_of(sorted, n, ctx->end_funcs - 1);
        free_nodes[tail_funcs_at] += (size_t)(ctx->end_funcs - ctx->tail_funcs);
    }
    for (size_t i = 0; i < n; i++) {
        gone[i] = free_nodes[i] == sorted[i]->header.nodes;
        whole += gone[i];
    }
    if (whole == 0) goto done;
    FREE_LIST_FILTER(ag_var, ctx->free_vars, sorted, n, gone);
    FREE_LIST_FILTER(ag_func, ctx->free_funcs, sorted, n, gone);
    for (slab **link = (slab **)&ctx->slabs; *link != NULL;) {
        slab *s = *link;
        if (!gone[slab_of(sorted, n, s)]) {
            link = &s->header.next;
            continue;
        }
        *link = s->header.next;
        UNPOISON(s, s->header.bytes);
        /* free nodes own nothing (retire_var, collect; a tail was never
         * written); cleared as ag_ctx_free would all the same */
        size_t used = slab_used(ctx, s);
        if (s->header.vars) {
            for (ag_var *v = (ag_var *)(s + 1), *end = v + used; v < end; v++) free_var_storage(ctx, v);
            ctx->slab_vars -= s->header.nodes;
        } else {
            for (ag_func *f = (ag_func *)(s + 1), *end = f + used; f < end; f++) free_func_storage(ctx, f);
            ctx->slab_funcs -= s->header.nodes;
        }
        bytes += s->header.bytes;
        free_slab(ctx, s);
    }
    /* a released slab's tail goes with it; the next node comes from a new slab */
    if (tail_vars_at < n && gone[tail_vars_at]) ctx->tail_vars = ctx->end_vars = NULL;
    if (tail_funcs_at < n && gone[tail_funcs_at]) ctx->tail_funcs = ctx->end_funcs = NULL;
done:
    ctx_free(ctx, sorted);
    ctx_free(ctx, free_nodes);
    ctx_free(ctx, gone);
    /* the mark stack grew with the biggest graph traced */
    ctx_free(ctx, ctx->stack);
    ctx->stack = NULL;
    ctx->stack_len = ctx->stack_cap = 0;
    return bytes;
}

size_t ag_idle_node_bytes(const ag_ctx *ctx) {
    if (ctx == NULL || ctx->no_reuse) return 0;
    return (ctx->slab_vars - ctx->live_vars) * sizeof(ag_var) + (ctx->slab_funcs - ctx->live_funcs) * sizeof(ag_func);
}

/* The node for a new variable when the free list is empty (ctx_alloc_var
 * took it otherwise): a block of its own under AG_DEBUG_NO_REUSE (whose
 * free lists stay empty: a collected node is freed), else the next of the
 * newest slab's tail, a new slab grown first when that is used up; NULL +
 * "out of memory". */
static ag_var *alloc_var_slow(ag_ctx *ctx) {
    if (ctx->no_reuse) {
        ag_var *v = ctx_malloc(ctx, sizeof *v);
        return v != NULL ? v : ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    if (ctx->tail_vars == ctx->end_vars && grow_vars(ctx) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    return tail_var_take(ctx);
}

static ag_func *alloc_func_slow(ag_ctx *ctx) {
    if (ctx->no_reuse) {
        ag_func *f = ctx_malloc(ctx, sizeof *f);
        return f != NULL ? f : ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    }
    if (ctx->tail_funcs == ctx->end_funcs && grow_funcs(ctx) < 0) return ctx_error(ctx, AG_ERR_NOMEM, "out of memory");
    return tail_func_take(ctx);
}

ag_var *ctx_alloc_var_slow(ag_ctx *ctx) {
    ag_var *v = alloc_var_slow(ctx);
    return v != NULL ? ctx_init_var(ctx, v) : NULL;
}

ag_func *ctx_alloc_func_slow(ag_ctx *ctx) {
    ag_func *f = alloc_func_slow(ctx);
    return f != NULL ? ctx_init_func(ctx, f) : NULL;
}

/* ag_ctx_free's part: every node's storage, then every slab (or, under
 * AG_DEBUG_NO_REUSE, every node's own block). */
void ctx_free_nodes(ag_ctx *ctx) {
    if (ctx->no_reuse) { /* every node is a block of its own, on a live list */
        for (ag_var *v = ctx->vars, *next; v != NULL; v = next) {
            next = v->next_live;
            free_var_storage(ctx, v);
            ctx_free(ctx, v);
        }
        for (ag_func *f = ctx->funcs, *next; f != NULL; f = next) {
            next = f->next_live;
            free_func_storage(ctx, f);
            ctx_free(ctx, f);
        }
    }
    /* Every node is in a slab: alive, on a free list or in a slab's unused
     * tail (never written: not walked), and each of the others owns only
     * what free_*_storage frees.  One pass over the slabs in address order
     * (walking the live lists chased a pointer per node: 14% of W6's
     * script, which ends with 800,000 nodes). */
    for (slab *s = ctx->slabs; s != NULL; s = s->header.next) {
        UNPOISON(s + 1, s->header.bytes - sizeof *s);
        size_t used = slab_used(ctx, s);
        if (s->header.vars)
            for (ag_var *v = (ag_var *)(s + 1), *end = v + used; v < end; v++) free_var_storage(ctx, v);
        else
            for (ag_func *f = (ag_func *)(s + 1), *end = f + used; f < end; f++) free_func_storage(ctx, f);
    }
    for (slab *s = ctx->slabs, *next; s != NULL; s = next) {
        next = s->header.next;
        UNPOISON(s, s->header.bytes);
        free_slab(ctx, s);
    }
}
