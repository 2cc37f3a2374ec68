/* memory.c — where a context's memory comes from: its allocator and its
 * cache of tensor buffers (see "Buffer cache" in ag_core.h).
 *
 * A tensor's data buffer is taken from the context's cache when one of its
 * size class is there, and given back to it when its variable is collected,
 * up to the context's limit; past the limit, or with the cache off, buffers
 * go back to the allocator.  So a training loop that collects every step
 * reuses last step's buffers, already mapped and often still in cache,
 * instead of handing megabytes back to the system and faulting them in
 * again (a training step's time was mostly page faults before this cache).
 *
 * Size classes: 16 bytes and up, four per doubling (16, 20, 24, 28, 32, 40,
 * ...): a buffer is allocated at its class's size, so any buffer of the
 * class serves any request of it, and at most a quarter is unused.
 * Buffers above CACHE_MAX_CLASS_BYTES are not cached (allocated exactly,
 * freed at once).
 *
 * Under AG_DEBUG_NO_REUSE the cache is bypassed (every buffer is freed when
 * its variable is collected, for valgrind and AddressSanitizer); under
 * AddressSanitizer a cached buffer is poisoned until it is handed out again,
 * so a read through a stale variable is still reported. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include <stdint.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim */
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "poison.h"

/* ---- the allocator ---------------------------------------------------------- */

static void *std_malloc(void *user, size_t size) {
    (void)user;
    return malloc(size);
}
static void *std_realloc(void *user, void *ptr, size_t size) {
    (void)user;
    return realloc(ptr, size);
}
static void std_free(void *user, void *ptr) {
    (void)user;
    free(ptr);
}

const ctx_allocator ctx_std_allocator = {std_malloc, std_realloc, std_free, NULL};

/* ---- big working arrays kept between passes -----------------------------------------
 *
 * A backward pass over a long graph grows working arrays through
 * ctx_realloc (its undo log: 24 bytes an op) and frees them when it ends.
 * glibc maps a block of 32 MiB or more by itself and unmaps it when it is
 * freed, so every pass took a page fault per 4 KiB page to get the same
 * memory again: a chain of 1e7 ops differentiated in one context took
 * 59,000 faults a pass, about 15 ns an op of its 90 (bench/README.md, "The
 * chain sweep").  So a context of the C library's allocator keeps up to
 * CTX_KEPT_ARRAYS blocks of KEEP_MIN_BYTES or more that ctx_free is given,
 * and the next ctx_malloc or ctx_realloc of that size takes the smallest
 * that is big enough.  KEEP_MIN_BYTES is glibc's largest mmap threshold:
 * below it glibc raises its threshold when it unmaps a freed block and
 * serves the next one from its heap, and keeping those here as well was
 * worse (a fresh context of 1e5-1e6 ops took 0.089 faults an op instead of
 * 0.080, 3-7 % more time: freed only with the context, the blocks raised
 * glibc's threshold later).  The kept blocks are bounded by the buffer
 * cache's limit or a quarter of the context's node memory, whichever is
 * larger (the arrays of a pass are in proportion to its graph);
 * ag_gc_release, ag_set_buffer_cache and ag_ctx_free give them back.  Not
 * under AG_DEBUG_NO_REUSE or AddressSanitizer (a stale read of a freed
 * block must be reported), and only where malloc_usable_size tells a
 * block's size. */
#define KEEP_MIN_BYTES ((size_t)32 << 20)

#if defined(__GLIBC__) && !defined(AG_ASAN)
static bool keeps_arrays(const ag_ctx *ctx) {
    return ctx->mem.alloc.malloc_fn == std_malloc && !ctx->no_reuse;
}

/* The smallest kept block of at least `size` bytes, taken off the list; NULL
 * when none is. */
static void *take_kept(ag_ctx *ctx, size_t size) {
    struct ctx_memory *m = &ctx->mem;
    size_t best = m->nkept;
    for (size_t i = 0; i < m->nkept; i++)
        if (m->kept_size[i] >= size && (best == m->nkept || m->kept_size[i] < m->kept_size[best])) best = i;
    if (best == m->nkept) return NULL;
    void *p = m->kept[best];
    m->kept_bytes -= m->kept_size[best];
    m->nkept--;
    m->kept[best] = m->kept[m->nkept];
    m->kept_size[best] = m->kept_size[m->nkept];
    return p;
}

/* Keeps ptr (a block of the C library's allocator) when it is big and
 * there is room; false when the caller must free it. */
static bool keep_block(ag_ctx *ctx, void *ptr) {
    size_t size = malloc_usable_size(ptr);
    if (size < KEEP_MIN_BYTES || ctx->mem.cache_limit == 0) return false;
    struct ctx_memory *m = &ctx->mem;
    size_t nodes = ctx->slab_vars * sizeof(ag_var) + ctx->slab_funcs * sizeof(ag_func);
    size_t bound = m->cache_limit > nodes / 4 ? m->cache_limit : nodes / 4;
    size_t slot = m->nkept;
    if (slot == CTX_KEPT_ARRAYS) { /* full: this one replaces the smallest, if it is bigger */
        slot = 0;
        for (size_t i = 1; i < m->nkept; i++)
            if (m->kept_size[i] < m->kept_size[slot]) slot = i;
        if (m->kept_size[slot] >= size) return false;
    }
    size_t replaced = slot < m->nkept ? m->kept_size[slot] : 0;
    if (m->kept_bytes - replaced > bound || size > bound - (m->kept_bytes - replaced)) return false;
    if (slot < m->nkept) m->alloc.free_fn(m->alloc.user, m->kept[slot]);
    else m->nkept++;
    m->kept[slot] = ptr;
    m->kept_size[slot] = size;
    m->kept_bytes += size - replaced;
    return true;
}
#endif

/* Gives the kept blocks back to the allocator. */
static void release_kept(ag_ctx *ctx) {
    struct ctx_memory *m = &ctx->mem;
    for (size_t i = 0; i < m->nkept; i++) m->alloc.free_fn(m->alloc.user, m->kept[i]);
    m->nkept = 0;
    m->kept_bytes = 0;
}

void *ctx_malloc(ag_ctx *ctx, size_t size) {
    if (ctx == NULL) return malloc(size ? size : 1);
#if defined(__GLIBC__) && !defined(AG_ASAN)
    if (size >= KEEP_MIN_BYTES && keeps_arrays(ctx)) {
        void *kept = take_kept(ctx, size);
        if (kept != NULL) return kept;
        ctx->mem.big_seen = true;
    }
#endif
    return ctx->mem.alloc.malloc_fn(ctx->mem.alloc.user, size ? size : 1);
}

void *ctx_calloc(ag_ctx *ctx, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    if (ctx == NULL || ctx->mem.alloc.malloc_fn == std_malloc) return calloc(count ? count : 1, size ? size : 1);
    void *p = ctx_malloc(ctx, count * size);
    if (p != NULL) memset(p, 0, count * size);
    return p;
}

void *ctx_realloc(ag_ctx *ctx, void *ptr, size_t size) {
    if (ctx == NULL) return realloc(ptr, size ? size : 1);
    if (ptr == NULL) return ctx_malloc(ctx, size);
#if defined(__GLIBC__) && !defined(AG_ASAN)
    if (size >= KEEP_MIN_BYTES && keeps_arrays(ctx)) {
        /* a kept block handed out for less grows in place; glibc would
         * unmap the part of a mapped block a smaller size leaves over */
        size_t have = malloc_usable_size(ptr);
        if (have >= size) return ptr;
        void *kept = take_kept(ctx, size);
        if (kept != NULL) {
            memcpy(kept, ptr, have);
            ctx_free(ctx, ptr);
            return kept;
        }
        ctx->mem.big_seen = true;
    }
#endif
    return ctx->mem.alloc.realloc_fn(ctx->mem.alloc.user, ptr, size ? size : 1);
}

void ctx_free(ag_ctx *ctx, void *ptr) {
    if (ptr == NULL) return;
    if (ctx == NULL) {
        free(ptr);
        return;
    }
#if defined(__GLIBC__) && !defined(AG_ASAN)
    if (ctx->mem.big_seen && keep_block(ctx, ptr)) return; /* big_seen: only where keeps_arrays */
#endif
    ctx->mem.alloc.free_fn(ctx->mem.alloc.user, ptr);
}

/* ---- size classes ------------------------------------------------------------ */

#define MIN_CLASS_SHIFT 4 /* 16 bytes */
#define CACHE_MAX_CLASS_BYTES ((size_t)1 << CACHE_MAX_CLASS_SHIFT)
_Static_assert(CTX_BUF_CLASSES == (CACHE_MAX_CLASS_SHIFT - MIN_CLASS_SHIFT) * 4 + 1,
               "one class per quarter doubling from 16 bytes to the largest cached");

/* The class of a buffer of `bytes` (> 0), and the class's size in *class_bytes;
 * -1 (and *class_bytes = bytes) above the largest cached class. */
static int size_class(size_t bytes, size_t *class_bytes) {
    if (bytes <= ((size_t)1 << MIN_CLASS_SHIFT)) {
        *class_bytes = (size_t)1 << MIN_CLASS_SHIFT;
        return 0;
    }
    if (bytes > CACHE_MAX_CLASS_BYTES) {
        *class_bytes = bytes;
        return -1;
    }
    /* bytes in (2^b, 2^(b+1)]: steps of 2^(b-2) above 2^b */
    int b = 63 - __builtin_clzll((unsigned long long)(bytes - 1));
    size_t base = (size_t)1 << b, step = base >> 2;
    size_t sub = (bytes - base + step - 1) / step; /* 1..4 */
    *class_bytes = base + sub * step;
    return (b - MIN_CLASS_SHIFT) * 4 + (int)sub;
}

/* The size of class c (the inverse of size_class). */
static size_t class_size(int c) {
    if (c == 0) return (size_t)1 << MIN_CLASS_SHIFT;
    size_t base = (size_t)1 << ((c - 1) / 4 + MIN_CLASS_SHIFT);
    return base + (size_t)((c - 1) % 4 + 1) * (base >> 2);
}

/* ---- big buffers: mappings of their own on 2 MiB boundaries ------------------------
 *
 * A buffer of 2 MiB or more (W5's 1000x256 activations and gradients) is
 * mapped by itself at a 2 MiB boundary and advised MADV_HUGEPAGE, so where
 * the kernel has transparent huge pages (Debian's `madvise` mode) each
 * 2 MiB of it is one page.  The AVX-512 product reads op(a) a row of a
 * apart at every step of p when it is a's transpose (gW = h^T g): two steps
 * to a 4 KiB page, which neither the TLB nor the hardware's prefetch (it
 * stops at a 4 KiB page's end) kept up with.  On huge pages W5's step in C
 * took 5 % less (median of 16 interleaved pairs, 15 of them faster;
 * bench/README.md).  malloc could not give this: its 2 MiB block starts
 * past a header, across two huge pages, and only agrepl advises its heap
 * (repl/heap.c).
 *
 * Only with the standard allocator (a caller's allocator sees every
 * allocation), not under AG_DEBUG_NO_REUSE (valgrind and AddressSanitizer
 * report a stale read of a freed heap block by where it was freed) and not in
 * an AddressSanitizer build (malloc's redzones around each block). */
#define BIG_BYTES ((size_t)2 << 20)

static bool maps_big(const ag_ctx *ctx, size_t bytes) {
#ifdef AG_ASAN /* poison.h: gcc's __SANITIZE_ADDRESS__ and clang's __has_feature alike */
    (void)ctx, (void)bytes;
    return false;
#else
    return bytes >= BIG_BYTES && ctx->mem.alloc.malloc_fn == std_malloc && !ctx->no_reuse;
#endif
}

static size_t page_round(size_t bytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (bytes + page - 1) / page * page;
}

/* bytes of zeros at a 2 MiB boundary, or NULL */
static double *map_big(size_t bytes) {
    size_t len = page_round(bytes), span = len + BIG_BYTES;
    if (len < bytes || span < len) return NULL;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    char *start = (char *)(((uintptr_t)p + BIG_BYTES - 1) & ~(uintptr_t)(BIG_BYTES - 1));
    size_t head = (size_t)(start - p), tail = span - head - len;
    if (head > 0) (void)munmap(p, head);
    if (tail > 0) (void)munmap(start + len, tail);
    (void)madvise(start, len, MADV_HUGEPAGE); /* advice: refused harmlessly where there are none */
    return (double *)start;
}

void *ctx_map_pages(ag_ctx *ctx, size_t bytes) {
    return ctx != NULL && maps_big(ctx, bytes > BIG_BYTES ? bytes : BIG_BYTES) ? map_big(bytes) : NULL;
}

void ctx_unmap_pages(void *block, size_t bytes) { (void)munmap(block, page_round(bytes)); }

/* A buffer of class_bytes (a class's size, or the exact size above the
 * largest class) back to where it came from. */
static void buf_free(ag_ctx *ctx, double *data, size_t class_bytes) {
    /* a cached buffer is poisoned (ctx_buf_put): the shadow of an unmapped
       range outlives it, and a new mapping at the same address would start
       poisoned (as w's in x = rand(600, 600); :reset; w = rand(600, 600)) */
    UNPOISON(data, class_bytes);
    if (maps_big(ctx, class_bytes))
        (void)munmap(data, page_round(class_bytes));
    else
        ctx_free(ctx, data);
}

/* ---- the cache ---------------------------------------------------------------- */

void ctx_memory_init(ag_ctx *ctx, const ctx_allocator *alloc) {
    ctx->mem.alloc = *alloc;
    ctx->mem.cache_limit = AG_BUFFER_CACHE_DEFAULT;
}

double *ctx_buf_get(ag_ctx *ctx, size_t count, bool zeroed) {
    size_t bytes = count * sizeof(double), class_bytes;
    if (ctx == NULL) return zeroed ? calloc(count, sizeof(double)) : malloc(bytes);
    int c = size_class(bytes, &class_bytes);
    struct ctx_buf_class *cls = c >= 0 ? &ctx->mem.classes[c] : NULL;
    double *data;
    if (cls != NULL && cls->len > 0) {
        data = cls->items[--cls->len];
        ctx->mem.cached_bytes -= class_bytes;
        UNPOISON(data, class_bytes);
        if (zeroed) memset(data, 0, bytes);
        return data;
    }
    if (maps_big(ctx, class_bytes)) return map_big(class_bytes); /* fresh pages: zeros */
    data = zeroed ? ctx_calloc(ctx, class_bytes / sizeof(double), sizeof(double)) : ctx_malloc(ctx, class_bytes);
    return data;
}

/* Makes room in cls for one more item (the list itself comes from the
 * allocator); false when it cannot grow. */
static bool class_room(ag_ctx *ctx, struct ctx_buf_class *cls) {
    return cls->len < cls->cap || CTX_ARRAY_RESERVE(ctx, cls->items, cls->cap, cls->len, 1);
}

void ctx_buf_put(ag_ctx *ctx, double *data, size_t count) {
    if (data == NULL) return;
    if (ctx == NULL) {
        free(data);
        return;
    }
    size_t class_bytes;
    int c = size_class(count * sizeof(double), &class_bytes);
    if (c < 0 || ctx->no_reuse || ctx->mem.cached_bytes + class_bytes > ctx->mem.cache_limit ||
        !class_room(ctx, &ctx->mem.classes[c])) {
        buf_free(ctx, data, class_bytes);
        return;
    }
    struct ctx_buf_class *cls = &ctx->mem.classes[c];
    cls->items[cls->len++] = data;
    ctx->mem.cached_bytes += class_bytes;
    POISON(data, class_bytes);
}

/* Gives every cached buffer (and the lists) back to the allocator. */
static size_t release_cache(ag_ctx *ctx) {
    size_t released = ctx->mem.cached_bytes;
    for (int c = 0; c < CTX_BUF_CLASSES; c++) {
        struct ctx_buf_class *cls = &ctx->mem.classes[c];
        for (size_t i = 0; i < cls->len; i++) buf_free(ctx, cls->items[i], class_size(c));
        ctx_free(ctx, cls->items);
        *cls = (struct ctx_buf_class){0};
    }
    ctx->mem.cached_bytes = 0;
    release_kept(ctx);
    return released;
}

void ctx_memory_free(ag_ctx *ctx) { (void)release_cache(ctx); }

/* Collects, gives the cached buffers and the slabs of dead nodes back to
 * the allocator, and, with the C library's allocator, asks glibc to hand
 * the free pages inside its heap back to the system (malloc_trim): the
 * slabs are 60-90 KiB blocks within the heap, which free alone keeps. */
size_t ag_gc_release(ag_ctx *ctx) {
    if (ctx == NULL) return 0;
    if (ctx->in_backward || ctx->in_callback) { /* refused as ag_gc is, under this call's name */
        if (ctx->in_callback)
            ctx_error(ctx, AG_ERR_ARG,
                      "gc_release: refused inside a user op's callback; collect after the op returns");
        else
            ctx_error(ctx, AG_ERR_ARG,
                      "gc_release: refused during a backward pass (called from a step callback or an op's "
                      "backward?); collect after ag_backward returns");
        (void)release_cache(ctx); /* only the buffer cache is emptied */
        return 0;
    }
    size_t freed = ag_gc(ctx);
    (void)release_cache(ctx);
    (void)ctx_release_slabs(ctx);
    release_kept(ctx); /* the mark stack freed just now may have been kept */
#if defined(__GLIBC__) && !defined(AG_ASAN)
    if (ctx->mem.alloc.malloc_fn == std_malloc) (void)malloc_trim(0);
#endif
    return freed;
}

size_t ag_set_buffer_cache(ag_ctx *ctx, size_t max_bytes) {
    if (ctx == NULL) return 0;
    size_t old = ctx->mem.cache_limit;
    ctx->mem.cache_limit = max_bytes;
    if (ctx->mem.cached_bytes > max_bytes || ctx->mem.kept_bytes > max_bytes) (void)release_cache(ctx);
    return old;
}

size_t ag_buffer_cache_bytes(const ag_ctx *ctx) { return ctx ? ctx->mem.cached_bytes : 0; }

void *alloc_malloc(const ctx_allocator *alloc, size_t size) { return alloc->malloc_fn(alloc->user, size ? size : 1); }
void *alloc_calloc(const ctx_allocator *alloc, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    void *p = alloc_malloc(alloc, count * size);
    if (p != NULL) memset(p, 0, count * size);
    return p;
}
void *alloc_realloc(const ctx_allocator *alloc, void *ptr, size_t size) {
    if (ptr == NULL) return alloc_malloc(alloc, size);
    return alloc->realloc_fn(alloc->user, ptr, size ? size : 1);
}
void alloc_free(const ctx_allocator *alloc, void *ptr) {
    if (ptr != NULL) alloc->free_fn(alloc->user, ptr);
}

void *ctx_array_realloc(void *ctx, void *ptr, size_t size) {
    if (size == 0) { /* free (the ptrmap's convention) */
        ctx_free(ctx, ptr);
        return NULL;
    }
    return ctx_realloc(ctx, ptr, size);
}
void *alloc_array_realloc(void *alloc, void *ptr, size_t size) {
    if (size == 0) {
        alloc_free(alloc, ptr);
        return NULL;
    }
    return alloc_realloc(alloc, ptr, size);
}

char *alloc_strdup(const ctx_allocator *alloc, const char *s) {
    size_t len = strlen(s) + 1;
    char *copy = alloc_malloc(alloc, len);
    if (copy != NULL) memcpy(copy, s, len);
    return copy;
}
