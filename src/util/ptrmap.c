/* ptrmap.c — the pointer map (ptrmap.h). */
#include "ptrmap.h"

#include <stdlib.h>
#include <string.h>

/* A 64-bit finalizer (murmur3's): pointers differ mostly in their middle
 * bits, which it spreads over the low ones the mask keeps. */
static size_t slot_for(const void *key, size_t mask) {
    uint64_t x = (uint64_t)(uintptr_t)key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

/* The slot holding key, or PTRMAP_NONE. */
static size_t find(const ptrmap *m, const void *key) {
    if (m->capacity == 0) return PTRMAP_NONE;
    size_t mask = m->capacity - 1;
    for (size_t i = slot_for(key, mask);; i = (i + 1) & mask) {
        if (m->keys[i] == NULL) return PTRMAP_NONE;
        if (m->keys[i] == key) return i;
    }
}

size_t ptrmap_get(const ptrmap *m, const void *key) {
    size_t i = find(m, key);
    return i == PTRMAP_NONE ? PTRMAP_NONE : m->values[i];
}

static void *block(const ptrmap *m, size_t size) {
    return m->realloc_fn ? m->realloc_fn(m->user, NULL, size) : malloc(size);
}
static void release(const ptrmap *m, void *p) {
    if (p == NULL) return;
    if (m->realloc_fn)
        (void)m->realloc_fn(m->user, p, 0);
    else
        free(p);
}

bool ptrmap_reserve(ptrmap *m, size_t more) {
    if ((m->used + more) * 2 <= m->capacity) return true;
    size_t capacity = m->capacity ? m->capacity : 64;
    /* removed slots are dropped by the copy: room for the keys present */
    while (capacity < (m->count + more) * 2) capacity *= 2;
    ptrmap bigger = {.capacity = capacity, .realloc_fn = m->realloc_fn, .user = m->user};
    bigger.keys = block(m, capacity * sizeof *bigger.keys);
    bigger.values = block(m, capacity * sizeof *bigger.values);
    if (bigger.keys == NULL || bigger.values == NULL) {
        release(m, bigger.keys);
        release(m, bigger.values);
        return false;
    }
    memset(bigger.keys, 0, capacity * sizeof *bigger.keys);
    size_t mask = capacity - 1;
    for (size_t i = 0; i < m->capacity; i++) {
        if (!ptrmap_slot_used(m, i)) continue;
        size_t j = slot_for(m->keys[i], mask);
        while (bigger.keys[j] != NULL) j = (j + 1) & mask;
        bigger.keys[j] = m->keys[i];
        bigger.values[j] = m->values[i];
        bigger.count++;
    }
    bigger.used = bigger.count;
    release(m, m->keys);
    release(m, m->values);
    *m = bigger;
    return true;
}

bool ptrmap_put(ptrmap *m, const void *key, size_t value) {
    size_t i = find(m, key);
    if (i != PTRMAP_NONE) {
        m->values[i] = value;
        return true;
    }
    return ptrmap_put_new(m, key, value);
}

bool ptrmap_put_new(ptrmap *m, const void *key, size_t value) {
    if (!ptrmap_reserve(m, 1)) return false;
    size_t mask = m->capacity - 1;
    size_t i = slot_for(key, mask);
    while (m->keys[i] != NULL) i = (i + 1) & mask; /* a removed slot stays removed: */
    m->keys[i] = key;                             /* probes for other keys pass it */
    m->values[i] = value;
    m->count++;
    m->used++;
    return true;
}

bool ptrmap_remove(ptrmap *m, const void *key) {
    size_t i = find(m, key);
    if (i == PTRMAP_NONE) return false;
    m->keys[i] = PTRMAP_REMOVED;
    m->count--;
    return true;
}

void ptrmap_clear(ptrmap *m) {
    if (m->used == 0) return;
    memset(m->keys, 0, m->capacity * sizeof *m->keys);
    m->count = m->used = 0;
}

void ptrmap_free(ptrmap *m) {
    release(m, m->keys);
    release(m, m->values);
    *m = (ptrmap){.realloc_fn = m->realloc_fn, .user = m->user};
}
