/* memory.h — how the library's own code allocates (memory.c): everything a
 * context owns comes from its allocator (ag_ctx_new_with_allocator, or the
 * C library's malloc), and tensor data from its buffer cache (tensor.h). */
#ifndef AG_MEMORY_H
#define AG_MEMORY_H

#include <stddef.h>

#include "ag_core.h"

typedef ag_allocator ctx_allocator; /* the caller's, or the C library's */
extern const ctx_allocator ctx_std_allocator;
/* malloc, calloc, realloc and free through the context's allocator (NULL
 * ctx: the C library's).  A size of 0 asks for 1 byte. */
void *ctx_malloc(ag_ctx *ctx, size_t size);
void *ctx_calloc(ag_ctx *ctx, size_t count, size_t size);
void *ctx_realloc(ag_ctx *ctx, void *ptr, size_t size);
void ctx_free(ag_ctx *ctx, void *ptr);

/* A block of `bytes` zeroed pages of its own mapping at a 2 MiB boundary,
 * advised as transparent huge pages, for a context of the C library's
 * allocator (not under AddressSanitizer or AG_DEBUG_NO_REUSE); NULL where
 * the context does not map or the mapping failed (then allocate as usual).
 * ctx_unmap_pages gives it back. */
void *ctx_map_pages(ag_ctx *ctx, size_t bytes);
void ctx_unmap_pages(void *block, size_t bytes);

/* The same through a copied allocator, for objects (models, optimizers)
 * that may outlive their context. */
void *alloc_malloc(const ctx_allocator *alloc, size_t size);
void *alloc_calloc(const ctx_allocator *alloc, size_t count, size_t size);
void *alloc_realloc(const ctx_allocator *alloc, void *ptr, size_t size);
void alloc_free(const ctx_allocator *alloc, void *ptr);

/* The growable array (src/util/array.h) through the context's allocator:
 * ARRAY_RESERVE, ARRAY_RESERVE_FROM and ARRAY_PUSH with a context first;
 * free the block with ctx_free. */
#include "util/array.h"
/* realloc through ctx's allocator; size 0 frees (for ptrmap's realloc_fn) */
void *ctx_array_realloc(void *ctx, void *ptr, size_t size);
#define CTX_ARRAY_RESERVE_FROM(ctx, items, capacity, count, more, local)                     \
    ((void)sizeof(char[sizeof(items) == sizeof(void *) ? 1 : -1]),                           \
     array_has_room((capacity), (count), (more)) ||                                                       \
         array_reserve_with(&(items), &(capacity), (count), (more), sizeof *(items), (local),\
                            ctx_array_realloc, (ctx)))
#define CTX_ARRAY_RESERVE(ctx, items, capacity, count, more)                                 \
    CTX_ARRAY_RESERVE_FROM(ctx, items, capacity, count, more, NULL)
#define CTX_ARRAY_PUSH(ctx, a, value)                                                        \
    (CTX_ARRAY_RESERVE(ctx, (a).items, (a).capacity, (a).count, 1)                           \
         ? ((a).items[(a).count++] = (value), true)                                          \
         : false)
/* the same through a copied allocator (user: a const ctx_allocator *) */
void *alloc_array_realloc(void *alloc, void *ptr, size_t size);
#define ALLOC_ARRAY_RESERVE(alloc, items, capacity, count, more)                             \
    ((void)sizeof(char[sizeof(items) == sizeof(void *) ? 1 : -1]),                           \
     array_reserve_with(&(items), &(capacity), (count), (more), sizeof *(items), NULL,       \
                        alloc_array_realloc, (void *)(alloc)))
/* A copy of s through alloc, or NULL. */
char *alloc_strdup(const ctx_allocator *alloc, const char *s);

#endif
