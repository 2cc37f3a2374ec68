/* array.h — the one growable array: the engine's stacks and lists, the
 * REPL's token, statement and word lists, the viz layer's scene frames and
 * plot marks all grow through array_reserve.  Growth doubles (amortized
 * O(1) per element), every size computation is checked for overflow, and
 * running out of memory returns false with the array unchanged: the caller
 * reports it, nothing aborts.  Part of src/util/ (the engine links its own
 * copy with hidden symbols, see strbuf.h).
 *
 * Two ways to use it:
 *   - fields of one's own struct, any names:
 *         if (!ARRAY_RESERVE(ctx->stack, ctx->stack_capacity, ctx->depth, 1)) return oom;
 *         ctx->stack[ctx->depth++] = frame;
 *   - a typed array, ARRAY(type), with ARRAY_PUSH:
 *         ARRAY(ag_var *) vars = {0};
 *         if (!ARRAY_PUSH(vars, v)) goto oom;
 *         ... vars.items[i] for i < vars.count ...
 *         free(vars.items);
 * The capacity is a size_t (the element count the block holds). */
#ifndef AGUTIL_ARRAY_H
#define AGUTIL_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for `more` elements after the first `count` in the block whose
 * pointer is stored at items_address (any object pointer type: the pointer
 * is read and written with memcpy), holding *capacity elements of `size`
 * bytes.  Grows to at least double (and at least 8 elements) when it must.
 * Returns true when count + more elements fit; false, with the block and
 * *capacity unchanged, when count + more or its size in bytes would
 * overflow (more than PTRDIFF_MAX bytes) or the memory is not there. */
bool array_reserve(void *items_address, size_t *capacity, size_t count, size_t more, size_t size);

/* array_reserve for an array that starts in storage of the caller's own
 * (`local`, e.g. a small array inside a struct or on the stack, which is
 * never freed or reallocated): while the block is `local`, growing copies it
 * into a new allocation.  Free the block only when it is not `local`. */
bool array_reserve_from(void *items_address, size_t *capacity, size_t count, size_t more, size_t size,
                        const void *local);

/* array_reserve_from through the caller's realloc (realloc_fn(user, NULL,
 * n) allocates, as realloc(NULL, n) does): the engine's arrays come from
 * their context's allocator (src/memory.h). */
bool array_reserve_with(void *items_address, size_t *capacity, size_t count, size_t more, size_t size,
                        const void *local, void *(*realloc_fn)(void *user, void *ptr, size_t size),
                        void *user);

/* Whether count + more elements fit in capacity, without overflow. */
static inline bool array_has_room(size_t capacity, size_t count, size_t more) {
    return count <= capacity && more <= capacity - count;
}

/* array_reserve for an lvalue `items` (a pointer to the element type) and
 * an lvalue `capacity` of type size_t; true when it fits.  The macros test
 * the room there is inline, so a loop that
 * reserves before every append calls out only to grow; their arguments may
 * be evaluated twice. */
#define ARRAY_RESERVE(items, capacity, count, more)                                          \
    ((void)sizeof(char[sizeof(items) == sizeof(void *) ? 1 : -1]),                           \
     array_has_room((capacity), (count), (more)) || array_reserve(&(items), &(capacity), (count), (more), sizeof *(items)))

/* array_reserve_from for lvalues, as ARRAY_RESERVE; local is the starting storage. */
#define ARRAY_RESERVE_FROM(items, capacity, count, more, local)                              \
    ((void)sizeof(char[sizeof(items) == sizeof(void *) ? 1 : -1]),                           \
     array_has_room((capacity), (count), (more)) ||                                                       \
         array_reserve_from(&(items), &(capacity), (count), (more), sizeof *(items), (local)))

/* A typed growable array: items[0 .. count-1] in use, room for capacity.
 * Zero it to start; free(a.items) when done. */
#define ARRAY(type)                                                                          \
    struct {                                                                                 \
        type *items;                                                                         \
        size_t count, capacity;                                                              \
    }

/* Appends value to the ARRAY a; true, or false when out of memory (a unchanged). */
#define ARRAY_PUSH(a, value)                                                                 \
    (ARRAY_RESERVE((a).items, (a).capacity, (a).count, 1) ? ((a).items[(a).count++] = (value), true) \
                                                          : false)

#endif
