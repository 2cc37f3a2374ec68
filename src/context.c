/* context.c — contexts, errors, mode switches and the mark-and-sweep
 * collector that owns every node (the slabs the nodes are carved from are
 * node_slabs.c's). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AG_ERRORS_PUBLIC_FORM /* defines the public ag_set_error (errors.h) */
#include "internal.h"
#include "node_storage.h"
#include "util/strbuf.h"

const char *ag_version(void) { return AG_VERSION_STRING; }
long ag_version_number(void) { return AG_VERSION_NUMBER; }

static ag_ctx *ctx_new(const ctx_allocator *alloc) {
    ag_ctx *ctx = alloc->malloc_fn(alloc->user, sizeof *ctx);
    if (ctx == NULL) return NULL;
    memset(ctx, 0, sizeof *ctx);
    ctx_memory_init(ctx, alloc);
    ctx->flow_pass = 1; /* a new variable's 0 is never a kept pass */
    ctx->blas.ctx = ctx;
    const char *no_reuse = getenv("AG_DEBUG_NO_REUSE");
    ctx->no_reuse = no_reuse != NULL && *no_reuse != '\0' && strcmp(no_reuse, "0") != 0;
    /* "builtin": never OpenBLAS; "openblas": never the AVX-512 product (src/blas.c) */
    const char *blas = getenv("AG_BLAS");
    ctx->blas.builtin = blas != NULL && strcmp(blas, "builtin") == 0;
    ctx->blas.openblas_only = blas != NULL && strcmp(blas, "openblas") == 0;
    ctx->grad_enabled = true;
    ctx->train = true;
    ctx->gc_pause = 1;
    ag_rng_seed(&ctx->rng, 0);
    return ctx;
}

ag_ctx *ag_ctx_new(void) { return ctx_new(&ctx_std_allocator); }

ag_ctx *ag_ctx_new_with_allocator(const ag_allocator *allocator) {
    if (allocator == NULL || allocator->malloc_fn == NULL || allocator->realloc_fn == NULL ||
        allocator->free_fn == NULL)
        return NULL;
    return ctx_new(allocator);
}

/* Under AddressSanitizer a dead node is poisoned (all but its free-list
 * link), and so is a data buffer in the buffer cache (memory.c), so the
 * sanitizer still catches a use of a collected or reclaimed node. */
#include "poison.h"

/* GC_CHECK(cond): an invariant the collector's fast path relies on (see
 * "the full collection's fast path"), asserted in AddressSanitizer builds
 * and with -DAG_GC_CHECKS (a test at a node visited anyway); nothing in
 * other builds. */
#if defined(AG_ASAN) || defined(AG_GC_CHECKS)
static __attribute__((noreturn, noinline, cold)) void gc_check_failed(const char *what, int line) {
    fprintf(stderr, "autograd: the collector's invariant broken (context.c:%d): %s\n", line, what);
    abort();
}
#define GC_CHECK(cond) ((cond) ? (void)0 : gc_check_failed(#cond, __LINE__))
#else
#define GC_CHECK(cond) ((void)sizeof(cond)) /* (not evaluated) */
#endif
/* Whether collect_full visits every dead function even when it could hand
 * the whole list over at once: under AddressSanitizer each is poisoned, and
 * with the checks each is checked. */
#if defined(AG_ASAN) || defined(AG_GC_CHECKS)
#define FUNCS_VISITED 1
#else
#define FUNCS_VISITED 0
#endif

#ifndef __EMSCRIPTEN__ /* wasm32's 4-byte pointers leave padding after it; no sanitizer there */
_Static_assert(offsetof(ag_func, next_live) + sizeof(ag_func *) == sizeof(ag_func),
               "next_live ends ag_func (see POISON in ag_gc)");
_Static_assert(sizeof(ag_func) == 128, "a function node is two cache lines (internal.h, struct ag_func)");
#endif

/* ---- owners ---------------------------------------------------------------- */

int ctx_attach(ag_ctx *ctx, void *owner, ctx_detach_fn detach) {
    if (!CTX_ARRAY_RESERVE(ctx, ctx->owners, ctx->owners_cap, ctx->nowners, 1))
        return ctx_error(ctx, AG_ERR_NOMEM, "out of memory"), -1;
    ctx->owners[ctx->nowners++] = (struct ctx_owner){owner, detach};
    return 0;
}

void ctx_detach(ag_ctx *ctx, void *owner) {
    for (size_t i = 0; ctx != NULL && i < ctx->nowners; i++)
        if (ctx->owners[i].owner == owner) {
            ctx->owners[i] = ctx->owners[--ctx->nowners];
            return;
        }
}

void ag_ctx_free(ag_ctx *ctx) {
    if (ctx == NULL) return;
    /* from inside a backward pass (a step callback, a user op's backward) the
       pass would go on in freed memory: refused, as ag_gc is there */
    if (ctx->in_backward) {
        ctx_error(ctx, AG_ERR_ARG,
                  "ctx_free: refused during a backward pass (called from a step callback or an "
                  "op's backward?); free the context after ag_backward returns");
        return;
    }
    /* Models and optimizers still alive forget their variables first. */
    for (size_t i = 0; i < ctx->nowners; i++) ctx->owners[i].detach(ctx->owners[i].owner);
    ctx_free(ctx, ctx->owners);
    userops_free(ctx);
    ctx_clear_flows(ctx);
    ctx_free_nodes(ctx);
    ctx_free(ctx, ctx->stack);
    ctx_free(ctx, ctx->remembered);
    ctx_memory_free(ctx);
    ctx_allocator alloc = ctx->mem.alloc;
    alloc.free_fn(alloc.user, ctx);
}

/* ---- errors --------------------------------------------------------------- */

/* Writes the message; a cut one ends with "..." (on a UTF-8 boundary). */
static void set_message(ag_ctx *ctx, ag_err code, const char *fmt, va_list ap) {
    /* a NULL format (ag_set_error(ctx, NULL)) is a caller's slip, never vsnprintf's */
    int n = fmt != NULL ? vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap)
                        : snprintf(ctx->errmsg, sizeof ctx->errmsg, "(an error without a message: the format was NULL)");
    if (n < 0) {
        snprintf(ctx->errmsg, sizeof ctx->errmsg, "(the message could not be formatted)");
    } else if ((size_t)n >= sizeof ctx->errmsg) {
        size_t end = sizeof ctx->errmsg - 4;
        while (end > 0 && ((unsigned char)ctx->errmsg[end] & 0xC0) == 0x80) end--;
        memcpy(ctx->errmsg + end, "...", 4);
    }
    /* a file's bytes quoted (a CSV cell, a safetensors name or dtype) reach
     * a terminal without the control characters it would obey */
    text_printable(ctx->errmsg, TEXT_KEEP_NEWLINE);
    ctx->failed = true;
    ctx->errcode = code;
}

ag_err ag_errcode(const ag_ctx *ctx) {
    if (ctx == NULL) return AG_ERR_NOMEM;
    return ctx->failed ? ctx->errcode : AG_OK;
}

const char *ag_errcode_name(ag_err code) {
    static const char *const names[] = {"ok",       "out of memory", "shape",
                                        "argument", "wrong context", "stale handle",
                                        "interrupted", "non-finite", "I/O",
                                        "user", "gradient"};
    return (unsigned)code < sizeof names / sizeof names[0] ? names[code] : NULL;
}

const char *ag_errmsg(const ag_ctx *ctx) {
    if (ctx == NULL) return "no context (ag_ctx_new returned NULL: out of memory)";
    return ctx->failed ? ctx->errmsg : "";
}
bool ag_failed(const ag_ctx *ctx) { return ctx == NULL || ctx->failed; }
void ag_clear_error(ag_ctx *ctx) {
    if (ctx == NULL) return;
    ctx->failed = false;
    ctx->errcode = AG_OK;
    ctx->errmsg[0] = '\0';
}

void *ag_set_error(ag_ctx *ctx, const char *fmt, ...) {
    if (ctx == NULL) return NULL;
    va_list ap;
    va_start(ap, fmt);
    set_message(ctx, AG_ERR_USER, fmt, ap);
    va_end(ap);
    return NULL;
}

void *ag_set_error_code(ag_ctx *ctx, ag_err code, const char *fmt, ...) {
    if (ctx == NULL) return NULL;
    va_list ap;
    va_start(ap, fmt);
    set_message(ctx, code, fmt, ap);
    va_end(ap);
    return NULL;
}

void *ctx_error(ag_ctx *ctx, ag_err code, const char *fmt, ...) {
    if (ctx == NULL) return NULL;
    va_list ap;
    va_start(ap, fmt);
    set_message(ctx, code, fmt, ap);
    va_end(ap);
    return NULL;
}

/* ---- switches ------------------------------------------------------------- */

bool ag_set_grad_enabled(ag_ctx *ctx, bool enabled) {
    if (ctx == NULL) return false;
    bool old = ctx->grad_enabled;
    ctx->grad_enabled = enabled;
    return old;
}
bool ag_grad_enabled(const ag_ctx *ctx) { return ctx != NULL && ctx->grad_enabled; }
bool ag_set_train(ag_ctx *ctx, bool train) {
    if (ctx == NULL) return false;
    bool old = ctx->train;
    ctx->train = train;
    return old;
}
bool ag_is_train(const ag_ctx *ctx) { return ctx != NULL && ctx->train; }
void ag_set_check_finite(ag_ctx *ctx, bool on) {
    if (ctx != NULL) ctx->check_finite = on;
}
const char *ag_nonfinite_op(const ag_ctx *ctx) { return ctx ? ctx->nonfinite_op : NULL; }
void ag_clear_nonfinite(ag_ctx *ctx) {
    if (ctx != NULL) ctx->nonfinite_op = NULL;
}
void ag_set_interrupt(ag_ctx *ctx, volatile sig_atomic_t *flag) {
    if (ctx != NULL) ctx->interrupt = flag;
}
int ag_set_blas_threads(ag_ctx *ctx, int threads) {
    if (ctx == NULL) return -1;
    if (threads < AG_BLAS_THREADS_AUTO)
        return ctx_error(ctx, AG_ERR_ARG,
                         "blas_threads: %d is not a thread count (0 = leave OpenBLAS alone, "
                         "-1 = auto, n >= 1)",
                         threads),
               -1;
    int old = ctx->blas.threads;
    ctx->blas.threads = threads;
    if (threads == AG_BLAS_THREADS_AUTO) {
        int max = t_blas_threads_now();
        ctx->blas.auto_max = max > 1 ? max : 1;
    }
    return old;
}
int ag_blas_threads(const ag_ctx *ctx) { return ctx ? ctx->blas.threads : 0; }

ag_rng *ag_ctx_rng(ag_ctx *ctx) { return ctx ? &ctx->rng : NULL; }

/* v, owning nothing now, on the free list (and poisoned). */
static inline void link_free_var(ag_var *v, ag_var **free_list) {
    v->ctx = NULL; /* an op given this stale handle says so (function.c) */
    v->next_live = *free_list;
    *free_list = v;
    /* t.data and name (NULL) are read when the node is freed */
    POISON(&v->grad, offsetof(ag_var, name) - offsetof(ag_var, grad));
    POISON(&v->generation, offsetof(ag_var, next_live) - offsetof(ag_var, generation));
    POISON(&v->prev_live, sizeof *v - offsetof(ag_var, prev_live));
}

/* A dead variable goes on the free list and its data buffer to the buffer
 * cache (memory.c): freeing a whole graph's buffers at once would let
 * malloc hand them back to the system, and the next step would pay a page
 * fault per page to get them again. */
static inline void retire_var_into(ag_ctx *ctx, ag_var *v, ag_var **free_list, bool no_reuse) {
    /* (its last gradient, flow_pass, goes with it: ag_last_grad looks at ctx
     * first, and a reused node is cleared) */
    free_var_storage(ctx, v);
    if (no_reuse) { /* a stale pointer now reads freed memory */
        ctx_free(ctx, v);
        return;
    }
    link_free_var(v, free_list);
}

/* Frees the nodes of a sweep's free list under AG_DEBUG_NO_REUSE (their
 * storage went when they were swept; next_live is never poisoned); NULL. */
static ag_var *free_var_list(ag_ctx *ctx, ag_var *v) {
    for (ag_var *next; v != NULL; v = next) {
        next = v->next_live;
        ctx_free(ctx, v);
    }
    return NULL;
}

static ag_func *free_func_list(ag_ctx *ctx, ag_func *f) {
    for (ag_func *next; f != NULL; f = next) {
        next = f->next_live;
        ctx_free(ctx, f);
    }
    return NULL;
}

/* retire_var_into(ctx, v, &ctx->free_vars, ...), one fewer alive.  (A sweep
 * keeps the free list's head and the count in its locals and writes them
 * back once: the compiler cannot, as every node store might change ctx.) */
static void retire_var(ag_ctx *ctx, ag_var *v) {
    retire_var_into(ctx, v, &ctx->free_vars, ctx->no_reuse);
    ctx->live_vars--;
}

/* The live list's back links (prev_live) are kept only while a reclaiming
 * backward pass runs (ctx->reclaim_step != 0): only then is a variable taken
 * off the list alone, and only one made during that pass (backward.c's
 * made_in_pass).  Every variable newer than such a one was made during the
 * pass too, and ctx_alloc_var set its back link when the next one came, or
 * left it NULL at the head; collections, refused during a pass, leave the
 * links of the variables they keep as they were (stale, never read). */
void ctx_reclaim_var(ag_ctx *ctx, ag_var *v) {
    if (v->prev_live != NULL)
        v->prev_live->next_live = v->next_live;
    else
        ctx->vars = v->next_live;
    if (v->next_live != NULL) v->next_live->prev_live = v->prev_live;
    retire_var(ctx, v); /* its buffer to the cache, hot for the next tensor of its size */
    if (ctx->allocs_since_gc > 0) ctx->allocs_since_gc--;
}

/* ---- generations ------------------------------------------------------------
 *
 * A collection either traces everything (full) or only the young nodes
 * (young): old nodes count as reachable and are neither traced nor swept.
 * A young node has an age: 0 when made since the last collection, 1 when it
 * survived one young collection (NODE_AGED).  A young collection makes its
 * age-0 survivors age 1 and its age-1 survivors old (NODE_OLD); a full one
 * makes every survivor old.  The second chance is for loops: the REPL
 * collects between statements and a loop binds its step's result (`y = ...`),
 * so every young collection finds one step's graph alive.  Promoted at once,
 * those graphs piled up dead in the old generation until a full collection;
 * aged, each dies before its second young collection and is freed young.
 * A young collection that finds more than half the young nodes alive is
 * looking at a structure being built (a long chain, bench/w6_chain.ag), not
 * at a loop's garbage: aging would only trace its nodes again, so it makes
 * every survivor old at once (tenures them), as a full collection does.
 *
 * What the collector relies on:
 * - Order: each live list holds the age-0 nodes first, then the age-1 ones,
 *   then the old ones.  New nodes are pushed at the head; a young collection
 *   turns the age-0 survivors into age 1 and the age-1 survivors into old in
 *   place, which keeps that order, and a full one leaves only old nodes.  So
 *   a young sweep stops at the first old node.  Nodes made old (see
 *   Pretenuring below) are pushed at the head only while no node is young.
 * - Links: a function's inputs were made before it, its outputs and saved
 *   variable with it (in one op_apply, where nothing collects), and a
 *   variable's creator with it; these links are only ever cut afterwards
 *   (unchain), never set.  Every young collection ages all young survivors
 *   alike, so what a node reaches through them is at least as old as the
 *   node, and no promotion leaves an old node pointing at a young one through
 *   them.
 * - The one old -> young link is a grad, set after the variable was made:
 *   var_set_grad remembers an old variable whose grad becomes young (age 0
 *   or 1), and a young collection traces from the remembered grads.  After
 *   its sweep it keeps an entry while the grad is still young (it was age 0,
 *   now 1) and drops it when the grad was promoted or cleared; a variable it
 *   promotes whose grad stays young joins the set.  A full or tenuring
 *   collection empties the set (every survivor is old).  A remembered variable itself
 *   is only freed by a full collection, so an entry never dangles.
 * - The epoch (the low bits of `mark`) is all that next_epoch resets when it
 *   wraps; ages and VAR_REMEMBERED stay.
 *
 * ag_gc_auto paces both by allocation, as Lua's collector paces itself: a
 * young collection once NURSERY_BYTES were made (node plus tensor bytes), so
 * a loop's garbage is reused while it is still in cache instead of walking
 * through fresh pages (64 KiB, measured with aging: the REPL's Rosenbrock
 * and Matyas loops 4-5% less CPU time than at 256 KiB; 32 and 16 KiB took a
 * little more off them, and keep the loop in L1, but cost the MLP loop,
 * whose tensors fill a small nursery in a step, 1-2%); a full one once what young collections promoted since
 * the last full one (promoted_bytes, the age-1 survivors made old) reaches
 * gc_pause times what that one kept (old_live_bytes; at least
 * FULL_MIN_BYTES), so its cost, proportional to everything alive, is paid
 * once per that much allocation and a statement's cost does not grow with
 * the session.
 *
 * gc_pause is 1 (the old generation may double, half of it garbage at
 * worst) unless full collections keep finding that what came in since the
 * previous one is alive: a structure being built, such as a chain grown by a
 * loop (bench/w6_chain.ag), which every full collection at each doubling
 * traced again whole (W6's script: 8 full collections tracing 309 MB in
 * all, the last over 170 MB).  Two full collections in a row that each keep
 * at least 3/4 of what was promoted and made since the one before double
 * the pause, and so does each one after them, up to GC_PAUSE_MAX (one alone
 * is a script making its data before its loop), so such a structure is
 * traced about 1 + 1/GC_PAUSE_MAX times in all instead of twice (W6: 4
 * tracing 43 MB); one that keeps less sets it back to 1, as does unchaining
 * (ag_unchain_backward: the graph behind it is given up).  While the pause
 * is raised, what was made since the last collection is left to a young
 * one, which promotes it, instead of counting towards a full one at once:
 * it is the structure's next part, or a backward's gradients hanging off
 * it (W6's backward made 35 MB, which brought the full collection over all
 * 170 MB).  The price: a growing structure given
 * up otherwise (rebinding the only name of a long chain) can leave up to
 * GC_PAUSE_MAX times what the last full collection kept in garbage before
 * the next one, instead of 1x.  A training loop's step graph dies young or
 * in the next full collection (W5: every step; W7: within a window of
 * batches), so its pause stays 1 and its peak does not move.
 *
 * Pretenuring: even so, every node of a growing structure was traced once
 * by the young collection after it was made, which found it alive and made
 * it old: W6's script spent 42M instructions (14% of it) in 1,583 young
 * collections, about 70 a node, and freed nothing.  So while the pause is
 * raised, after a young collection that found at least 7/8 of the young
 * nodes alive (and so made them old), ag_gc_auto has the nodes of the next
 * PRETENURE_NURSERIES nurseries made old (new_mark).
 * Its young collections then find nothing young to trace and count what
 * was made as promoted, so full collections come when they did.  The
 * nursery after those is made young and traced: when it survives as well,
 * the next ones are made old again; when it does not (a loop making garbage
 * now), they stay young.  Nodes are made old only from a point where none
 * is young (every survivor of that collection is old), so the lists stay
 * ordered by age, and such a node links (inputs, creator) only to older
 * nodes, all old.  The price: garbage made meanwhile waits for a full
 * collection (it counts towards it); the nurseries traced were at most 1/8
 * garbage, and at most PRETENURE_NURSERIES nurseries (1 MiB) are made old
 * after the structure stopped growing before a traced one shows so; unchaining
 * (gc_pause back to 1) stops it at the next collection, and so does
 * ag_gc_young (a program collecting young by itself from then on would
 * otherwise never free what is made).  ag_gc leaves it be: it leaves no
 * young node either. */
#define NURSERY_BYTES ((size_t)64 << 10)
#define FULL_MIN_BYTES ((size_t)1 << 20)
#define GC_PAUSE_MAX 4 /* full collection when promoted >= gc_pause x old_live_bytes */
#define PRETENURE_NURSERIES 15 /* made old, then one traced */

void ctx_remember(ag_ctx *ctx, ag_var *v) {
    if (!CTX_ARRAY_RESERVE(ctx, ctx->remembered, ctx->remembered_cap, ctx->remembered_len, 1)) {
        ctx->remember_failed = true; /* a young collection would miss v->grad */
        return;
    }
    ctx->remembered[ctx->remembered_len++] = v;
    v->mark |= VAR_REMEMBERED;
}

static void forget_remembered(ag_ctx *ctx) {
    for (size_t i = 0; i < ctx->remembered_len; i++) ctx->remembered[i]->mark &= ~VAR_REMEMBERED;
    ctx->remembered_len = 0;
    ctx->remember_failed = false;
}

/* After a young sweep: keeps the entries whose grad is still young. */
static void keep_young_grads(ag_ctx *ctx) {
    size_t kept = 0;
    for (size_t i = 0; i < ctx->remembered_len; i++) {
        ag_var *v = ctx->remembered[i];
        if (v->grad != NULL && !(v->grad->mark & NODE_OLD))
            ctx->remembered[kept++] = v;
        else
            v->mark &= ~VAR_REMEMBERED;
    }
    ctx->remembered_len = kept;
}

static size_t var_bytes(const ag_var *v) {
    return sizeof *v + (has_heap_data(v) ? v->t.size * sizeof(double) : 0);
}

/* The epoch of a new collection: 1..EPOCH_BITS.  When it wraps, every live
 * node's epoch is reset, so an old node's stale mark never equals a new one. */
static __attribute__((noinline, cold)) unsigned epochs_wrapped(ag_ctx *ctx) {
    for (ag_var *v = ctx->vars; v != NULL; v = v->next_live) v->mark &= ~EPOCH_BITS;
    for (ag_func *f = ctx->funcs; f != NULL; f = f->next_live) f->mark &= ~EPOCH_BITS;
    return ctx->epoch = 1;
}
static inline unsigned next_epoch(ag_ctx *ctx) {
    unsigned epoch = (ctx->epoch + 1) & EPOCH_BITS;
    if (__builtin_expect(epoch == 0, 0)) return epochs_wrapped(ctx);
    return ctx->epoch = epoch;
}

/* ---- roots and collection ----------------------------------------------------- */

void ag_retain(ag_var *v) {
    if (v != NULL) v->roots++;
}
void ag_release(ag_var *v) {
    if (v != NULL && v->roots > 0) v->roots--;
}

size_t ag_live_vars(const ag_ctx *ctx) { return ctx ? ctx->live_vars : 0; }
size_t ag_live_funcs(const ag_ctx *ctx) { return ctx ? ctx->live_funcs : 0; }
size_t ag_allocs_since_gc(const ag_ctx *ctx) { return ctx ? ctx->allocs_since_gc : 0; }
size_t ag_bytes_since_gc(const ag_ctx *ctx) { return ctx ? ctx->bytes_since_gc : 0; }

ag_gc_info ag_gc_stats(const ag_ctx *ctx) {
    if (ctx == NULL) return (ag_gc_info){0};
    return (ag_gc_info){.young_collections = ctx->young_collections,
                        .full_collections = ctx->full_collections,
                        .old_live_bytes = ctx->old_live_bytes,
                        .promoted_bytes = ctx->promoted_bytes};
}

/* The mark stack holds functions already marked whose links are still to
 * be followed.  A node is marked when it is reached, so each function is
 * pushed once and a link back to a node already seen (a function's outputs,
 * a shared input) costs a test, not a push and a pop.  Variables are never
 * pushed: a variable's links are its grad and its creator, so mark_var
 * follows the chain of grads at once and pushes the creators (a leaf with
 * its gradient, the common root, costs no stack traffic). */
static bool grow_stack(ag_ctx *ctx) {
    return CTX_ARRAY_RESERVE(ctx, ctx->stack, ctx->stack_cap, ctx->stack_len, 1);
}

/* Whether a node with this mark is still to be marked in this collection:
 * not marked with `epoch` and none of the `skip` bits (old, in a young one). */
static inline bool unmarked(unsigned mark, unsigned epoch, unsigned skip) {
    return (mark & EPOCH_BITS) != epoch && !(mark & skip);
}

static inline bool push_func(ag_ctx *ctx, ag_func *f, unsigned epoch, unsigned skip) {
    if (f == NULL || !unmarked(f->mark, epoch, skip)) return true;
    if (ctx->stack_len == ctx->stack_cap && !grow_stack(ctx)) return false;
    f->mark = (f->mark & ~EPOCH_BITS) | epoch;
    ctx->stack[ctx->stack_len++] = f;
    return true;
}

/* Marks v, its grad, that one's grad and so on, and pushes their creators;
 * counts the variables marked in *count. */
static inline bool mark_var(ag_ctx *ctx, ag_var *v, unsigned epoch, unsigned skip, size_t *count) {
    for (; v != NULL && unmarked(v->mark, epoch, skip); v = v->grad) {
        v->mark = (v->mark & ~EPOCH_BITS) | epoch;
        ++*count;
        if (!push_func(ctx, v->creator, epoch, skip)) return false;
    }
    return true;
}

/* The mark stack, empty; false when it could not be made. */
static inline bool stack_ready(ag_ctx *ctx) {
    if (ctx->stack == NULL) {
        ctx->stack_cap = 1024;
        ctx->stack = ctx_malloc(ctx, ctx->stack_cap * sizeof *ctx->stack);
        if (ctx->stack == NULL) return false;
    }
    ctx->stack_len = 0;
    return true;
}

/* Follows the links of the functions on the mark stack until it is empty,
 * marking what they reach (but nodes with a `skip` bit); the nodes marked
 * are counted in *count.  False when the stack could not grow. */
static inline __attribute__((always_inline)) bool trace_stack(ag_ctx *ctx, unsigned epoch, unsigned skip,
                                                               size_t *count) {
    while (ctx->stack_len > 0) {
        ag_func *f = ctx->stack[--ctx->stack_len];
        ++*count; /* each function is pushed once, when it is marked */
        for (int i = 0; i < f->ninputs; i++)
            if (!mark_var(ctx, f->inputs[i], epoch, skip, count)) return false;
        /* f was pushed for a variable it created, one of its outputs (only
         * function.c sets a creator, with the output beside it): a lone
         * output is marked already */
        if (f->noutputs > 1)
            for (int i = 0; i < f->noutputs; i++)
                if (!mark_var(ctx, f->outputs[i], epoch, skip, count)) return false;
        if (!mark_var(ctx, f->saved, epoch, skip, count)) return false;
    }
    return true;
}

/* Marks everything reachable from the roots (full), or the young nodes
 * reachable from young roots and remembered grads (young; old nodes are
 * neither marked nor traced); how many in *marked.  Returns false when the
 * mark stack could not grow (then nothing may be swept). */
static inline __attribute__((always_inline)) bool mark_from_roots(ag_ctx *ctx, unsigned epoch, bool full,
                                                                   size_t *marked) {
    if (!stack_ready(ctx)) return false;
    size_t count = 0;
    unsigned skip = full ? 0u : NODE_OLD; /* nodes with these bits are not traced */
    /* the roots: every variable with roots > 0 (young ones only in a young
     * collection, which stops at the first old one); a full collection's
     * walk does not test for age */
    if (full) {
        for (ag_var *v = ctx->vars; v != NULL; v = v->next_live)
            if (v->roots > 0 && !mark_var(ctx, v, epoch, 0, &count)) return false;
    } else {
        for (ag_var *v = ctx->vars; v != NULL && !(v->mark & NODE_OLD); v = v->next_live)
            if (v->roots > 0 && !mark_var(ctx, v, epoch, NODE_OLD, &count)) return false;
    }
    if (!full)
        for (size_t i = 0; i < ctx->remembered_len; i++)
            if (!mark_var(ctx, ctx->remembered[i]->grad, epoch, skip, &count)) return false;
    if (!trace_stack(ctx, epoch, skip, &count)) return false;
    *marked = count;
    return true;
}

/* A full collection's pacing statistics, kept_bytes being what it kept
 * (see ag_gc_auto's pacing above). */
static inline void full_collection_counted(ag_ctx *ctx, size_t kept_bytes) {
    /* what came in since the last full collection: promoted since, and made
     * since the last young one */
    size_t came = ctx->promoted_bytes + ctx->allocs_since_gc * FUNC_PACE_BYTES + ctx->bytes_since_gc;
    bool growing = kept_bytes > ctx->old_live_bytes && kept_bytes - ctx->old_live_bytes >= came / 4 * 3;
    if (!growing) ctx->gc_pause = 1;
    else if (ctx->grew && ctx->gc_pause < GC_PAUSE_MAX) ctx->gc_pause *= 2;
    ctx->grew = growing;
    ctx->old_live_bytes = kept_bytes;
    ctx->promoted_bytes = 0;
    ctx->full_collections++;
}

/* One collection; returns how many nodes it freed.  Inlined into a full and
 * a young version (collect, below), so that neither sweep tests for the
 * other's case at every node. */
static inline __attribute__((always_inline)) size_t collect_as(ag_ctx *ctx, bool full) {
    unsigned epoch = next_epoch(ctx);
    size_t marked = 0;
    if (!mark_from_roots(ctx, epoch, full, &marked)) return 0;
    /* a young collection that found most young nodes alive is looking at a
     * structure being built (a long chain), not at a loop's garbage: aging
     * its nodes would only trace them again, so they are tenured */
    size_t young = ctx->allocs_since_gc + ctx->aged_nodes;
    bool tenure = full || marked > young / 2;
    if (!full) {
        ctx->young_marked += marked;
        ctx->nursery_alive = tenure && marked >= young - young / 8;
    }
    if (tenure) forget_remembered(ctx); /* every survivor becomes old */
    unsigned stop = full ? 0u : NODE_OLD; /* a young sweep ends at the first old node */
    size_t freed = 0, kept_bytes = 0, promoted_bytes = 0, aged = 0;
    ag_var **vlink = &ctx->vars;
    ag_var *free_vars = ctx->free_vars; /* ctx->free_vars, written back after the sweep */
    size_t freed_vars = 0;
    bool no_reuse = ctx->no_reuse;
    /* v is held in a register rather than reread through vlink, which a
     * store through a node might change as far as the compiler knows */
    for (ag_var *v = *vlink, *next; v != NULL && !(v->mark & stop); v = next) {
        next = v->next_live;
        if ((v->mark & EPOCH_BITS) == epoch) {
            size_t bytes = var_bytes(v);
            kept_bytes += bytes;
            if (tenure) { /* a young sweep meets young nodes only: all promoted */
                v->mark = (v->mark & ~NODE_AGED) | NODE_OLD;
            } else if (v->mark & NODE_AGED) {
                v->mark ^= NODE_AGED | NODE_OLD;
                promoted_bytes += bytes;
                /* old now with a young grad: the one old -> young link */
                if (v->grad != NULL && !(v->grad->mark & NODE_OLD)) ctx_remember(ctx, v);
            } else {
                v->mark |= NODE_AGED;
                aged++;
            }
            vlink = &v->next_live;
            continue;
        }
        *vlink = next;
        retire_var_into(ctx, v, &free_vars, false);
        freed_vars++;
    }
    /* Under AG_DEBUG_NO_REUSE the free lists are empty before a sweep (a
     * collected node is freed, never reused), so the sweep links the dead
     * nodes as always and they are freed here: no test at every node. */
    if (no_reuse) free_vars = free_var_list(ctx, free_vars);
    ctx->free_vars = free_vars;
    ctx->live_vars -= freed_vars;
    freed += freed_vars;
    /* (a grad met above before it aged may have been promoted after its
     * variable was remembered: the entry goes here) */
    if (!tenure) keep_young_grads(ctx);
    ag_func *free_funcs = ctx->free_funcs; /* as free_vars above */
    size_t freed_funcs = 0;
    ag_func **link = &ctx->funcs;
    for (ag_func *f = *link, *next; f != NULL && !(f->mark & stop); f = next) {
        next = f->next_live;
        if ((f->mark & EPOCH_BITS) == epoch) {
            kept_bytes += FUNC_PACE_BYTES;
            if (tenure) {
                f->mark = (f->mark & ~NODE_AGED) | NODE_OLD;
            } else if (f->mark & NODE_AGED) {
                f->mark ^= NODE_AGED | NODE_OLD;
                promoted_bytes += FUNC_PACE_BYTES;
            } else {
                f->mark |= NODE_AGED;
                aged++;
            }
            link = &f->next_live;
            continue;
        }
        *link = next;
        free_func_storage(ctx, f);
        freed_funcs++;
        f->next_live = free_funcs;
        free_funcs = f;
        POISON(f, offsetof(ag_func, next_live)); /* next_live is the last field */
    }
    if (no_reuse) free_funcs = free_func_list(ctx, free_funcs);
    ctx->free_funcs = free_funcs;
    ctx->live_funcs -= freed_funcs;
    if (ctx->funcs == NULL) ctx->general_funcs_live = false; /* (none alive) */
    freed += freed_funcs;
    if (full) {
        full_collection_counted(ctx, kept_bytes);
    } else {
        ctx->promoted_bytes += tenure ? kept_bytes : promoted_bytes;
        ctx->young_collections++;
    }
    ctx->aged_nodes = aged;
    ctx->allocs_since_gc = 0;
    ctx->bytes_since_gc = 0;
    return freed;
}

/* ---- the full collection's fast path -----------------------------------------
 *
 * collect_as(ctx, true) above is the plain full collection, the reference.
 * collect_full does the same with less work per dead node, for a C loop
 * calling ag_gc after every step (bench W1: a step's 9 variables and 7
 * functions die, 6 variables stay), and leaves exactly what the plain one
 * leaves: the same nodes freed in the same order, the same live lists,
 * marks and statistics (test_full_gc_fast_as_plain compares the two node by
 * node over random rounds).  Its marking and its sweep of the survivors
 * are the plain ones.  What it saves, and what each saving relies on
 * (GC_CHECK asserts the last two in AddressSanitizer builds and with
 * -DAG_GC_CHECKS):
 * - A dead variable of the scalar path (its data the inline scalar, no
 *   name) is emptied by two stores instead of free_var_storage, which
 *   frees heap data and an owned name, the two things a variable owns: the
 *   sweep tests for both, so this one relies on nothing.
 * - A dead function marked FUNC_SCALAR skips free_func_storage: function.c's
 *   scalar_record, the one maker of such functions, leaves its `more` NULL
 *   and the inputs and outputs in the inline arrays.  Checked at each.
 * - When the roots pushed no function on the mark stack, every function is
 *   dead: functions are marked only when pushed (push_func), and only the
 *   roots and the functions on the stack push.  Then the functions are
 *   freed without a look at their marks.  Checked at each.
 * - When, besides, none of them can be a general one (ctx->general_funcs_live
 *   is clear: none was made since a collection left no function alive; every
 *   other function is FUNC_SCALAR and owns nothing) and the free list is
 *   empty (a C loop's step took back every function the last collection
 *   freed), the live list becomes the free list as it is: no function is
 *   visited (W1: 7 a step, 53 instructions).  The free list then holds them
 *   newest first where the sweep would have pushed them oldest first; the
 *   nodes, their contents and the counts are the same.  AddressSanitizer
 *   builds (each dead node poisoned) and -DAG_GC_CHECKS visit them.
 * A rooted tail (the last collection's roots at the list's end, neither
 * searched for roots nor swept; branch gcx) was measured and dropped:
 * without a flag written by every ag_retain the search for roots must walk
 * the whole list anyway, and the tail then cost W1's C run 14 instructions
 * a step more than it saved. */

/* trace_stack for collect_full, in a function of its own: its loop has the
 * registers to itself (inlined into collect_full, it kept its index on the
 * stack: W6's script 0.4 % slower than the plain collection). */
static __attribute__((noinline)) bool trace_full(ag_ctx *ctx, unsigned epoch) {
    size_t count = 0; /* (not needed) */
    return trace_stack(ctx, epoch, 0, &count);
}

/* A dead function on the free list; mark is f's. */
static inline void retire_func_fast(ag_ctx *ctx, ag_func *f, unsigned mark, ag_func **free_list) {
    if (!(mark & FUNC_SCALAR))
        free_func_storage(ctx, f);
    else /* (owning nothing: see above) */
        GC_CHECK(f->more == NULL && f->inputs == f->inline_inputs && f->outputs == f->inline_outputs);
    f->next_live = *free_list;
    *free_list = f;
    POISON(f, offsetof(ag_func, next_live)); /* next_live is the last field */
}

/* The plain full collection, in a function of its own too. */
static __attribute__((noinline)) size_t collect_full_plain(ag_ctx *ctx) { return collect_as(ctx, true); }

static size_t collect_full(ag_ctx *ctx) {
    if (ctx->plain_gc || ctx->no_reuse) return collect_full_plain(ctx);
    unsigned epoch = next_epoch(ctx);
    if (!stack_ready(ctx)) return 0;
    size_t count = 0; /* (not needed) */
    for (ag_var *v = ctx->vars; v != NULL; v = v->next_live)
        if (v->roots > 0 && !mark_var(ctx, v, epoch, 0, &count)) return 0;
    bool funcs_alive = ctx->stack_len > 0; /* (see above) */
    if (funcs_alive && !trace_full(ctx, epoch)) return 0;
    forget_remembered(ctx); /* every survivor becomes old */
    size_t kept_bytes = 0, freed_vars = 0;
    ag_var **vlink = &ctx->vars, *free_vars = ctx->free_vars;
    for (ag_var *v = ctx->vars, *next; v != NULL; v = next) {
        next = v->next_live;
        unsigned mark = v->mark;
        if ((mark & EPOCH_BITS) == epoch) {
            v->mark = (mark & ~NODE_AGED) | NODE_OLD;
            /* var_bytes(v), its usual case (an inline scalar) tested first */
            kept_bytes += __builtin_expect(v->t.data == &v->scalar_storage, 1) ? sizeof *v : var_bytes(v);
            vlink = &v->next_live;
            continue;
        }
        *vlink = next;
        if (__builtin_expect(v->t.data == &v->scalar_storage && v->name == NULL, 1)) {
            v->t.data = NULL; /* empty, as free_var_storage leaves it */
            v->t.size = 0;
            link_free_var(v, &free_vars);
        } else {
            retire_var_into(ctx, v, &free_vars, false);
        }
        freed_vars++;
    }
    ctx->free_vars = free_vars;
    ctx->live_vars -= freed_vars;
    ag_func *free_funcs = ctx->free_funcs;
    size_t freed_funcs = 0;
    if (!funcs_alive && !ctx->general_funcs_live && free_funcs == NULL && !FUNCS_VISITED) {
        /* every function dead and owning nothing, and no free one: the live
         * list becomes the free list as it is (see above) */
        free_funcs = ctx->funcs;
        freed_funcs = ctx->live_funcs;
        ctx->funcs = NULL;
    } else if (!funcs_alive) {
        size_t general = 0;
        for (ag_func *f = ctx->funcs, *next; f != NULL; f = next) {
            next = f->next_live;
            unsigned mark = f->mark;
            GC_CHECK((mark & EPOCH_BITS) != epoch);
            general += !(mark & FUNC_SCALAR);
            retire_func_fast(ctx, f, mark, &free_funcs);
        }
        GC_CHECK(general == 0 || ctx->general_funcs_live);
        (void)general;
        freed_funcs = ctx->live_funcs;
        ctx->funcs = NULL;
    } else {
        ag_func **flink = &ctx->funcs;
        for (ag_func *f = ctx->funcs, *next; f != NULL; f = next) {
            next = f->next_live;
            unsigned mark = f->mark;
            if ((mark & EPOCH_BITS) == epoch) {
                f->mark = (mark & ~NODE_AGED) | NODE_OLD;
                kept_bytes += FUNC_PACE_BYTES;
                flink = &f->next_live;
                continue;
            }
            *flink = next;
            retire_func_fast(ctx, f, mark, &free_funcs);
            freed_funcs++;
        }
    }
    ctx->free_funcs = free_funcs;
    ctx->live_funcs -= freed_funcs;
    if (ctx->funcs == NULL) ctx->general_funcs_live = false; /* (none alive) */
    full_collection_counted(ctx, kept_bytes);
    ctx->aged_nodes = 0;
    ctx->allocs_since_gc = 0;
    ctx->bytes_since_gc = 0;
    return freed_vars + freed_funcs;
}
static size_t collect_young(ag_ctx *ctx) { return collect_as(ctx, false); }
static size_t collect(ag_ctx *ctx, bool full) { return full ? collect_full(ctx) : collect_young(ctx); }

/* A backward pass holds the variables it is working on (the incoming and
 * produced gradients, the queue of functions) in its own locals, which are
 * not roots: a collection from inside it (a step callback, a user op's
 * backward) would free them under the pass.  So it is refused. */
static bool collect_refused(ag_ctx *ctx, const char *name) {
    if (ctx->in_callback > 0) {
        ctx_error(ctx, AG_ERR_ARG, "%s: refused inside a user op's callback; collect after the op returns",
                  name);
        return true;
    }
    if (ctx->in_backward == 0) return false;
    ctx_error(ctx, AG_ERR_ARG,
              "%s: refused during a backward pass (called from a step callback or an op's "
              "backward?); collect after ag_backward returns",
              name);
    return true;
}

size_t ag_gc(ag_ctx *ctx) {
    if (ctx == NULL || collect_refused(ctx, "gc")) return 0;
    return collect(ctx, true);
}

/* (the nodes made after it are young: a program that goes on with young
 * collections of its own would never see them free anything made old) */
size_t ag_gc_young(ag_ctx *ctx) {
    if (ctx == NULL || collect_refused(ctx, "gc_young")) return 0;
    bool full = ctx->remember_failed;
    /* nodes made old since the last collection: promoted as they were made
     * (as in collect_paced) */
    size_t made_old = ctx->new_mark != 0 && !full ? ctx->allocs_since_gc * FUNC_PACE_BYTES + ctx->bytes_since_gc : 0;
    size_t freed = collect(ctx, full);
    if (ctx->allocs_since_gc == 0 && ctx->bytes_since_gc == 0) ctx->promoted_bytes += made_old; /* (it ran) */
    ctx->new_mark = 0;
    ctx->pretenure_left = 0;
    return freed;
}

/* ag_gc_auto's collection once a nursery was made, and whether the next
 * nodes are made old (see "Pretenuring" above). */
static __attribute__((noinline)) size_t collect_paced(ag_ctx *ctx, size_t made) {
    size_t budget = ctx->old_live_bytes * ctx->gc_pause;
    if (budget < FULL_MIN_BYTES) budget = FULL_MIN_BYTES;
    /* what was made since the last collection counts as promoted already,
     * so that a full collection comes instead of a young one just before
     * it; not while a structure grows, where what was made is alive and a
     * young collection promotes it for less */
    size_t promoted = ctx->promoted_bytes + (ctx->gc_pause > 1 ? 0 : made);
    bool full = ctx->remember_failed || promoted >= budget;
    bool made_old = ctx->new_mark != 0;
    size_t freed = collect(ctx, full);
    if (ctx->gc_pause == 1 && !made_old) return freed; /* young ones next, as they are */
    /* a collection resets what was made since; it did not run when the mark
     * stack could not grow, and then young nodes may be left, so the next
     * ones must be young too */
    bool ran = ctx->allocs_since_gc == 0 && ctx->bytes_since_gc == 0;
    /* what a young one found made old was promoted as it was made */
    if (ran && !full && made_old) ctx->promoted_bytes += made;
    unsigned left = 0; /* nurseries to make old from now on */
    if (ran && ctx->gc_pause > 1) left = made_old ? ctx->pretenure_left : !full && ctx->nursery_alive ? PRETENURE_NURSERIES : 0;
    ctx->new_mark = left > 0 ? NODE_OLD : 0;
    ctx->pretenure_left = left > 0 ? left - 1 : 0;
    return freed;
}

size_t ag_gc_auto(ag_ctx *ctx) {
    if (ctx == NULL) return 0;
    size_t made = ctx->allocs_since_gc * FUNC_PACE_BYTES + ctx->bytes_since_gc;
    /* (the nursery first: most calls stop there) during a backward or a
     * user op's callback it is never warranted: nothing collected, no error */
    if (made < NURSERY_BYTES || ctx->in_backward || ctx->in_callback) return 0;
    return collect_paced(ctx, made);
}
