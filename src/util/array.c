/* array.c — the growable array (array.h). */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *std_realloc(void *user, void *ptr, size_t size) {
    (void)user;
    return realloc(ptr, size);
}

bool array_reserve_from(void *items_address, size_t *capacity, size_t count, size_t more, size_t size,
                        const void *local) {
    return array_reserve_with(items_address, capacity, count, more, size, local, std_realloc, NULL);
}

bool array_reserve_with(void *items_address, size_t *capacity, size_t count, size_t more, size_t size,
                        const void *local, void *(*realloc_fn)(void *user, void *ptr, size_t size),
                        void *user) {
    if (size == 0 || count > SIZE_MAX - more) return false;
    size_t needed = count + more;
    if (needed <= *capacity) return true;
    size_t limit = (size_t)PTRDIFF_MAX / size; /* most elements a block may hold */
    if (needed > limit) return false;
    size_t grown = *capacity < 4 ? 8 : *capacity <= limit / 2 ? *capacity * 2 : limit;
    if (grown < needed) grown = needed;
    void *items;
    memcpy(&items, items_address, sizeof items);
    void *bigger = realloc_fn(user, items != NULL && items == local ? NULL : items, grown * size);
    if (bigger == NULL) return false;
    if (items != NULL && items == local) memcpy(bigger, local, count * size);
    memcpy(items_address, &bigger, sizeof bigger);
    *capacity = grown;
    return true;
}

bool array_reserve(void *items_address, size_t *capacity, size_t count, size_t more, size_t size) {
    return array_reserve_from(items_address, capacity, count, more, size, NULL);
}
