/* graph_ids.c — the IDs cgraph gives the objects of the graphs we lay out
 * (its ID discipline, Agiddisc_t).  cgraph keeps a graph's subgraphs, our
 * clusters (a call's group, the legend), ordered by ID, and dot lays them out
 * and the renderers write them in that order.  Its default ID for a named
 * object is the address of its copy of the name, so that order was the
 * heap's: the same graph came out two ways in the kernel, whose heap differs
 * from one show() to the next (test_clusters_in_the_order_made).  Here a
 * named object's ID counts the names in the order they were first given,
 * the legend's first (as a fresh process's heap mostly had it), and an
 * unnamed one's is odd, as cgraph's own (agnameof tells them apart so). */
#include "graph_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Agraph_t *g;    /* the root graph, whose string dictionary holds the names */
    char **names;   /* names[k] has ID 2 (k + 1): cgraph's own copies (agstrdup), as its
                     * writer reads a flag kept before each name's first byte */
    size_t count, cap;
    size_t *slots;  /* open addressing: k + 1, or 0 for an empty slot */
    size_t nslots;  /* a power of two, at least twice count */
    IDTYPE unnamed; /* the last odd ID handed out */
} id_table;

static size_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

/* The slot holding name, or the empty one where it would go. */
static size_t *find_slot(const id_table *t, const char *name) {
    size_t mask = t->nslots - 1;
    for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask)
        if (t->slots[i] == 0 || strcmp(t->names[t->slots[i] - 1], name) == 0) return &t->slots[i];
}

static bool grow(id_table *t) {
    if (t->count + 1 > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **names = realloc(t->names, cap * sizeof *names);
        if (names == NULL) return false;
        t->names = names, t->cap = cap;
    }
    if (2 * (t->count + 1) <= t->nslots) return true;
    size_t nslots = t->nslots ? 2 * t->nslots : 128;
    size_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL) return false;
    free(t->slots);
    t->slots = slots, t->nslots = nslots;
    for (size_t k = 0; k < t->count; k++) *find_slot(t, t->names[k]) = k + 1;
    return true;
}

/* name's index, added when `add`; -1 when absent (or out of memory). */
static long name_index(id_table *t, const char *name, bool add) {
    if (t->nslots > 0) {
        size_t *slot = find_slot(t, name);
        if (*slot != 0) return (long)*slot - 1;
    }
    if (!add || !grow(t)) return -1;
    char *copy = agstrdup(t->g, (char *)name); /* freed with the graph's dictionary */
    if (copy == NULL) return -1;
    t->names[t->count] = copy;
    *find_slot(t, copy) = ++t->count;
    return (long)t->count - 1;
}

static void *ids_open(Agraph_t *g, Agdisc_t *disc) {
    (void)disc;
    id_table *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->g = g;
    t->unnamed = 1;
    (void)name_index(t, "cluster_legend", true); /* the legend's cluster first */
    return t;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag) {
    (void)objtype;
    id_table *t = state;
    if (t == NULL) return 0;
    if (str == NULL) {
        *id = t->unnamed += 2; /* 1 came before: odd, never a name's */
        return 1;
    }
    long k = name_index(t, str, createflag != 0);
    if (k < 0) return 0;
    *id = 2 * ((IDTYPE)k + 1);
    return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE request) {
    (void)state, (void)objtype, (void)request;
    return 1; /* as cgraph's own: an ID asked for by number is taken */
}

static void ids_free(void *state, int objtype, IDTYPE id) {
    (void)state, (void)objtype, (void)id; /* names stay until the graph closes */
}

static char *ids_print(void *state, int objtype, IDTYPE id) {
    (void)objtype;
    const id_table *t = state;
    if (t == NULL || id % 2 != 0 || id == 0 || id / 2 > t->count) return NULL; /* unnamed */
    return t->names[id / 2 - 1];
}

static void ids_close(void *state) {
    id_table *t = state;
    if (t == NULL) return;
    free(t->names); /* (the names go with the graph's string dictionary) */
    free(t->slots);
    free(t);
}

static void ids_register(void *state, int objtype, void *obj) { (void)state, (void)objtype, (void)obj; }

static Agiddisc_t in_order = {ids_open, ids_map, ids_alloc, ids_free, ids_print, ids_close, ids_register};

Agraph_t *viz_graph_open(char *name) {
    Agdisc_t disc = {&AgMemDisc, &in_order, &AgIoDisc};
    return agopen(name, Agdirected, &disc);
}
