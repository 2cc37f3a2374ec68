/* backward_pass.h — what ag_backward's passes share (backward.c's plain
 * pass, backward_flat.c's flat and quick passes): the function queue, a
 * call's stamps, the change clock's test; the flat passes' entry points.
 * Private to those two files. */
#ifndef AG_BACKWARD_PASS_H
#define AG_BACKWARD_PASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Function queue ordered by (generation, insertion order): popping the max
 * gives the highest generation and, among equals, the latest added — the
 * same order as upstream's stable sort + pop-last.  The plain comparison is
 * `a.generation < b.generation || (a.generation == b.generation && a.seq <
 * b.seq)`; each entry carries it as one 64-bit key, the generation above
 * the insertion count (a pass pushes each function once: fewer than 2^32),
 * so a comparison is one compare, not two loads through the functions. */
typedef struct {
    ag_func *f;
    uint64_t key; /* generation << 32 | insertion order */
} queued;

/* Starts on `local` (most graphs fit) and moves to the heap when it grows. */
#define HEAP_LOCAL 64
typedef struct {
    ag_ctx *ctx; /* whose allocator the heap grows with */
    queued *items;
    size_t len, cap;
    uint32_t seq;
    bool has_top; /* `top` holds the queue's largest entry, outside items */
    queued top;
    queued local[HEAP_LOCAL];
} func_heap;

static inline bool before(const queued *a, const queued *b) { return a->key < b->key; }

/* An empty queue on its local entries. */
static inline void heap_init(func_heap *h, ag_ctx *ctx) {
    h->ctx = ctx;
    h->items = h->local;
    h->len = 0;
    h->cap = HEAP_LOCAL;
    h->seq = 0;
    h->has_top = false;
}

/* Out of line: the rare growth (a copy in each of the two files, which
 * both push). */
static __attribute__((noinline)) bool heap_grow(func_heap *h) {
    return CTX_ARRAY_RESERVE_FROM(h->ctx, h->items, h->cap, h->len, 1, h->local);
}

/* Puts item (its key made) on the heap. */
static inline int heap_insert(func_heap *h, queued item) {
    if (h->len == h->cap && !heap_grow(h)) return -1;
    size_t i = h->len++;
    while (i > 0) { /* sift up: the parents below item move down */
        size_t parent = (i - 1) / 2;
        if (!before(&h->items[parent], &item)) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = item;
    return 0;
}

/* Takes the largest entry off the heap (not empty). */
static inline queued heap_pop_item(func_heap *h) {
    queued top = h->items[0];
    queued last = h->items[--h->len];
    size_t i = 0, n = h->len;
    for (;;) { /* sift down: the larger child moves up until last fits */
        size_t l = 2 * i + 1, m = l;
        if (l >= n) break;
        if (l + 1 < n && before(&h->items[l], &h->items[l + 1])) m = l + 1;
        if (!before(&last, &h->items[m])) break;
        h->items[i] = h->items[m];
        i = m;
    }
    if (n > 0) h->items[i] = last;
    return top;
}

static inline ag_func *heap_pop(func_heap *h) { return heap_pop_item(h).f; }

/* A new backward call: the functions' stamp and the call count that
 * gradients' grad_call is compared with (neither is ever 0). */
static inline void begin_call(ag_ctx *ctx) {
    if (++ctx->backward_stamp == 0) ++ctx->backward_stamp;
    if (++ctx->backward_calls == 0) ++ctx->backward_calls;
}

/* The change clock wraps after 2^32 in-place changes: a change counts as
 * after a function when it is less than 2^31 ticks ahead of it. */
static inline bool clock_after(uint32_t changed, uint32_t made) {
    return changed != 0 && (int32_t)(changed - made) > 0;
}

/* Forgets the last kept pass's numbers (backward.c, "the last backward's
 * gradients"); keeps the block for the next pass unless `release`. */
void flows_reset(ag_ctx *ctx, bool release);
/* Room in the kept pass's block for n more numbers, the block grown by
 * doubling up to FLOW_NUMBERS_JUMP, then to FLOW_NUMBERS_MAX (internal.h);
 * false when that is past it or memory runs out (the numbers are then left
 * out). */
bool flows_reserve(ag_ctx *ctx, size_t n);

/* A flat pass's answer when it leaves y's backward to the plain pass. */
#define FLAT_DECLINED 1

/* The flat pass over y's graph (y made by the scalar path, its seed checked
 * by backward_check_output): 0, -1 with the error set (nothing changed), or
 * FLAT_DECLINED (backward_flat.c). */
int flat_backward(ag_ctx *ctx, ag_var *y);
/* The quick flat pass (y made by the scalar path, with no grad): the same
 * answers; FLAT_DECLINED also at the first older gradient it meets, with
 * ctx->flat_met_older set (backward_flat.c). */
int quick_backward(ag_ctx *ctx, ag_var *y);

#endif
