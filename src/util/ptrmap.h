/* ptrmap.h — the one map from pointers to numbers: the graph walk's index
 * of variables and functions and its groups (viz/graph_walk.c), an
 * optimizer's state per parameter (src/optim.c), the last backward's
 * gradients per variable (src/backward.c).  Open addressing with
 * linear probing, kept at most half full so probes stay short; any number
 * of keys.  Part of src/util/ (the engine links its own copy with hidden
 * symbols, see strbuf.h). */
#ifndef AGUTIL_PTRMAP_H
#define AGUTIL_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What ptrmap_get returns for a key that is not there. */
#define PTRMAP_NONE SIZE_MAX

/* Zero it to start.  keys[i] is NULL for an empty slot, PTRMAP_REMOVED for
 * a removed key; anything else is a key with its value in values[i]. */
typedef struct ptrmap {
    const void **keys;
    size_t *values;
    size_t capacity; /* a power of two, or 0 */
    size_t count;    /* keys present */
    size_t used;     /* slots not empty: keys present and removed */
    /* Where its blocks come from: realloc_fn(user, NULL, n) allocates,
     * realloc_fn(user, p, 0) frees; NULL (a zeroed map) = the C library's. */
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void *user;
} ptrmap;

#define PTRMAP_REMOVED ((const void *)1)

/* The value stored for key, or PTRMAP_NONE. */
size_t ptrmap_get(const ptrmap *m, const void *key);
/* Room for `more` keys not yet present, so that as many ptrmap_put calls
 * cannot fail; false when out of memory (the map unchanged). */
bool ptrmap_reserve(ptrmap *m, size_t more);
/* Stores key (neither NULL nor PTRMAP_REMOVED, that is not 0 nor 1: a
 * number used as a key is shifted left first) -> value, replacing a value
 * stored before; false when out of memory (the map unchanged). */
bool ptrmap_put(ptrmap *m, const void *key, size_t value);
/* The same for a key the caller knows is not in the map (no search for it
 * first); false when out of memory (the map unchanged). */
bool ptrmap_put_new(ptrmap *m, const void *key, size_t value);
/* Forgets key; false when it was not there. */
bool ptrmap_remove(ptrmap *m, const void *key);
/* Forgets every key, keeping the memory for the next use. */
void ptrmap_clear(ptrmap *m);
/* Frees the memory; the map is empty (zeroed) after. */
void ptrmap_free(ptrmap *m);
/* Whether slot i (< capacity) holds a key: for going over all of them. */
static inline bool ptrmap_slot_used(const ptrmap *m, size_t i) {
    return m->keys[i] != NULL && m->keys[i] != PTRMAP_REMOVED;
}

#endif
