/* names.c — the open-addressing name tables (session_state.h, "names.c"): the
 * session's bindings and each running def's frame; completion and :vars read
 * them too.  Keys and values are owned (one reference each); a def call's
 * frame borrows its keys (session_state.h). */
#include "session_state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

unsigned long names_generation = 1, names_frames_generation = 0;

/* A binding in t moved or came or went (session_state.h). */
static void names_moved(const name_table *t) {
    if (t->frame)
        names_frames_generation++;
    else
        names_generation++;
}

static uint32_t hash_name(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static name_entry *find_slot(const name_entry *entries, int capacity, const char *name) {
    uint32_t mask = (uint32_t)capacity - 1;
    uint32_t i = hash_name(name) & mask;
    while (entries[i].name != NULL && strcmp(entries[i].name, name) != 0) i = (i + 1) & mask;
    return (name_entry *)&entries[i];
}

repl_value *names_get(const name_table *t, const char *name) {
    if (t == NULL || t->capacity == 0) return NULL;
    name_entry *e = find_slot(t->entries, t->capacity, name);
    return e->name ? &e->value : NULL;
}

static bool names_grow(name_table *t) {
    int capacity = t->capacity ? t->capacity * 2 : 16;
    name_entry *entries = calloc((size_t)capacity, sizeof *entries);
    if (entries == NULL) return false;
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) *find_slot(entries, capacity, t->entries[i].name) = t->entries[i];
    if (t->entries != t->local) free(t->entries);
    t->entries = entries;
    t->capacity = capacity;
    names_moved(t); /* every slot moved */
    return true;
}

bool names_set(name_table *t, const char *name, repl_value value) {
    if ((t->count + 1) * 4 > t->capacity * 3 && !names_grow(t)) {
        value_release(value);
        return false;
    }
    name_entry *e = find_slot(t->entries, t->capacity, name);
    if (e->name != NULL) {
        repl_value old = e->value;
        e->value = value;
        value_release(old);
        return true;
    }
    e->name = t->frame ? (char *)name : strdup(name); /* a frame's keys are borrowed (session_state.h) */
    if (e->name == NULL) {
        value_release(value);
        return false;
    }
    e->value = value;
    t->count++;
    names_moved(t); /* the name may shadow another table's, or was unbound */
    return true;
}

void names_clear(name_table *t) {
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) {
            if (!t->frame) free(t->entries[i].name);
            value_release(t->entries[i].value);
        }
    if (t->entries != t->local) free(t->entries);
    *t = (name_table){.frame = t->frame, .function = t->function}; /* the local array may hold old entries: not again */
    names_moved(t); /* every slot is gone */
}

static int compare_entries(const void *a, const void *b) {
    const name_entry *x = *(const name_entry *const *)a, *y = *(const name_entry *const *)b;
    return strcmp(x->name, y->name);
}

const name_entry **names_sorted(const name_table *t, int *count) {
    *count = 0;
    if (t->count == 0) return NULL;
    const name_entry **list = malloc((size_t)t->count * sizeof *list);
    if (list == NULL) return NULL;
    int n = 0;
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) list[n++] = &t->entries[i];
    qsort(list, (size_t)n, sizeof *list, compare_entries);
    *count = n;
    return list;
}
