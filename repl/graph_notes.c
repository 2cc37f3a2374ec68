/* graph_notes.c — what the REPL knows about the graph that the engine does
 * not, for drawing it: which call of a user def or which model layer made
 * each function (a function tag, ag_func_tag, names a group here), and the
 * path of each model parameter from the model's binding ("m.linear[0].w").
 *
 * A group is made per call, so in a loop that calls a def (or a model) the
 * groups come and go: a tag no live function carries and no running call
 * holds is given out again (a sweep asks the engine which tags its
 * functions carry, ag_mark_func_tags, once the groups handed out since the
 * last sweep doubled what it kept), so the table is as big as what is
 * alive, not as the calls a session ever made.  Titles repeat (the same
 * def called in a loop): each group holds an index into a table of
 * distinct titles, and a group costs 4 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "repl_internal.h"

#define RECENT_TITLES 32 /* titles searched for a repeat before adding one */
#define FREE_GROUP UINT32_MAX /* title_of of a tag that may be given out again */
#define MIN_SWEEP 1024 /* groups in use before the first sweep */
#define LAYER_TITLES 8 /* layer titles remembered (a model's layers, every call) */
#define LAYER_NAME 48  /* the longest binding or layer name remembered */

/* A model call runs the same layers under the same binding every time: the
 * title each (binding, layer) pair was given, so a layer call neither joins
 * the title again nor searches the recent titles for it (with the binding's
 * scan, 0.9K instructions of bench/w4_mlp_small.ag's step).  Keyed by the two names' text: a
 * recurrent model's label changes each step in the same buffer, and a name
 * may be rebound to another model.  Where the texts were last seen spares
 * the comparisons: the layer's buffer picks the entry, and the binding's
 * name is the same text while it is at the same address and no table
 * bound, moved or freed a name since (names_generation): only clearing a
 * table frees a name. */
typedef struct layer_title {
    char bound[LAYER_NAME]; /* the model's binding, "" for none */
    char layer[LAYER_NAME];
    const char *layer_at, *bound_at; /* where they were seen (bound_at NULL for none) */
    unsigned long generation;        /* names_generation when bound_at was */
    unsigned title;                  /* index in titles */
} layer_title;

struct repl_notes {
    unsigned *title_of; /* group tag → index in titles, or FREE_GROUP; tag 0 is no group */
    size_t ngroups, groups_capacity; /* tags below ngroups were given out */
    unsigned *free_tags;             /* tags to give out again (room for ngroups) */
    size_t free_tags_capacity;
    size_t nfree;
    size_t sweep_at;  /* groups in use that start the next sweep */
    unsigned *open;   /* the groups of the calls running now, innermost last */
    size_t nopen, open_capacity;
    char **titles;
    size_t ntitles, titles_capacity;
    layer_title layer_titles[LAYER_TITLES]; /* valid below nlayer_titles; cleared by a sweep */
    unsigned nlayer_titles, next_layer_title;
    /* the model m(x) is running, and its binding once a layer looked it up
     * (no binding changes while the engine runs it) */
    const void *forward_model;
    const char *forward_bound;
    bool forward_bound_known;
    char path[256]; /* var_path's answer */
};

void repl_notes_free(repl_notes *n) {
    if (n == NULL) return;
    for (size_t i = 0; i < n->ntitles; i++) free(n->titles[i]);
    free(n->titles);
    free(n->title_of);
    free(n->free_tags);
    free(n->open);
    free(n);
}

/* Frees the groups no function of ctx carries and no running call holds
 * (`held`, besides the open calls: the group a model layer starts inside),
 * and the titles no group uses any more.  Nothing changes when out of
 * memory. */
static void sweep(repl_notes *n, ag_ctx *ctx, unsigned held) {
    unsigned char *in_use = calloc(n->ngroups, 1);
    unsigned *kept_as = malloc((n->ntitles ? n->ntitles : 1) * sizeof *kept_as);
    if (in_use == NULL || kept_as == NULL) {
        free(in_use);
        free(kept_as);
        return;
    }
    ag_mark_func_tags(ctx, in_use, n->ngroups);
    for (size_t i = 0; i < n->nopen; i++) in_use[n->open[i]] = 1;
    if (held < n->ngroups) in_use[held] = 1;
    size_t live = 0;
    for (size_t i = 0; i < n->ntitles; i++) kept_as[i] = FREE_GROUP;
    n->nfree = 0;
    for (size_t tag = n->ngroups; tag-- > 1;) { /* the lowest tags are given out first */
        if (n->title_of[tag] == FREE_GROUP || !in_use[tag]) {
            n->title_of[tag] = FREE_GROUP;
            n->free_tags[n->nfree++] = (unsigned)tag;
        } else {
            kept_as[n->title_of[tag]] = 0;
            live++;
        }
    }
    /* the titles still used move down, in order (the most recent stay last) */
    size_t kept = 0;
    for (size_t i = 0; i < n->ntitles; i++) {
        if (kept_as[i] == FREE_GROUP) {
            free(n->titles[i]);
            continue;
        }
        kept_as[i] = (unsigned)kept;
        n->titles[kept++] = n->titles[i];
    }
    n->ntitles = kept;
    n->nlayer_titles = n->next_layer_title = 0; /* the indices moved */
    for (size_t tag = 1; tag < n->ngroups; tag++)
        if (n->title_of[tag] != FREE_GROUP) n->title_of[tag] = kept_as[n->title_of[tag]];
    free(in_use);
    free(kept_as);
    /* the next sweep once the groups in use doubled (or the live functions
     * are many: the sweep's cost grows with them) */
    n->sweep_at = 2 * live > MIN_SWEEP ? 2 * live : MIN_SWEEP;
    if (ag_live_funcs(ctx) / 16 > n->sweep_at) n->sweep_at = ag_live_funcs(ctx) / 16;
}

/* The index of `title` in titles, added when not among the recent ones;
 * SIZE_MAX when out of memory. */
static size_t title_index(repl_notes *n, const char *title) {
    size_t found = SIZE_MAX;
    for (size_t i = n->ntitles, seen = 0; i-- > 0 && seen < RECENT_TITLES; seen++)
        if (strcmp(n->titles[i], title) == 0) found = i;
    if (found != SIZE_MAX) return found;
    if (!ARRAY_RESERVE(n->titles, n->titles_capacity, n->ntitles, 1)) return SIZE_MAX;
    char *copy = strdup(title);
    if (copy == NULL) return SIZE_MAX;
    n->titles[n->ntitles] = copy;
    return n->ntitles++;
}

/* Starts a sweep when it is due (see sweep); before a title's index is
 * taken, which a sweep moves. */
static void sweep_if_due(repl_notes *n, ag_ctx *ctx, unsigned held) {
    if (n->ngroups == 0) n->ngroups = 1; /* tag 0 stays "no group" */
    if (n->sweep_at == 0) n->sweep_at = MIN_SWEEP;
    if (n->nfree == 0 && n->ngroups - 1 >= n->sweep_at) sweep(n, ctx, held);
}

/* The tag of a new group whose title is titles[title], or 0 (no group) when
 * out of memory; sweep_if_due ran first. */
static unsigned new_group_titled(repl_notes *n, size_t title) {
    unsigned tag;
    if (n->nfree > 0) {
        tag = n->free_tags[--n->nfree];
    } else {
        if (n->ngroups >= 0xFFFFFFF0u) return 0;
        /* free_tags can come to hold every tag given out */
        if (!ARRAY_RESERVE(n->title_of, n->groups_capacity, n->ngroups, 1) ||
            !ARRAY_RESERVE(n->free_tags, n->free_tags_capacity, n->ngroups, 1))
            return 0;
        tag = (unsigned)n->ngroups++;
    }
    n->title_of[tag] = (unsigned)title;
    return tag;
}

/* The tag of a new group titled `title`, or 0 (no group) when out of memory.
 * `held`: a group in use though no function carries it yet (see sweep). */
static unsigned new_group(repl_notes *n, ag_ctx *ctx, const char *title, unsigned held) {
    sweep_if_due(n, ctx, held);
    size_t found = title_index(n, title);
    return found == SIZE_MAX ? 0 : new_group_titled(n, found);
}

static repl_notes *notes_of(repl *r) {
    if (r->notes == NULL) r->notes = calloc(1, sizeof *r->notes);
    return r->notes;
}

const char *repl_group_title(void *user, unsigned tag) {
    repl *r = user;
    repl_notes *n = r->notes;
    if (n == NULL || tag == 0 || tag >= n->ngroups || n->title_of[tag] == FREE_GROUP) return NULL;
    return n->titles[n->title_of[tag]];
}

unsigned repl_group_enter(repl *r, const char *title) {
    repl_notes *n = notes_of(r);
    unsigned tag = 0;
    if (n != NULL && ARRAY_RESERVE(n->open, n->open_capacity, n->nopen, 1)) {
        tag = new_group(n, r->ctx, title, 0);
        if (tag != 0) n->open[n->nopen++] = tag;
    }
    unsigned outer = ag_set_func_tag(r->ctx, tag);
    if (tag == 0) ag_set_func_tag(r->ctx, outer); /* out of memory: stay in the outer group */
    return outer;
}

void repl_group_leave(repl *r, unsigned outer) {
    unsigned tag = ag_set_func_tag(r->ctx, outer);
    repl_notes *n = r->notes;
    if (n != NULL && tag != outer && n->nopen > 0 && n->open[n->nopen - 1] == tag) n->nopen--;
}

/* The global name bound to model m, or NULL: the first slot of the table
 * holding it (a payload that is not m rules a slot out before the call). */
static const char *model_binding(const repl *r, const void *m) {
    for (int i = 0; i < r->names.capacity; i++) {
        const name_entry *e = &r->names.entries[i];
        if (e->name != NULL && e->value.kind == VALUE_OBJECT && e->value.as.object->payload == m &&
            repl_model_of(e->value) == m)
            return e->name;
    }
    return NULL;
}

/* a, then "." and b when b is given, cut to fit size bytes (as snprintf
 * would; a model call makes a title per layer every step, and snprintf was
 * 2% of a small training loop) */
static void join_title(char *title, size_t size, const char *a, const char *b) {
    size_t used = 0;
    for (const char *p = a; *p && used + 1 < size; p++) title[used++] = *p;
    if (b != NULL && used + 1 < size) title[used++] = '.';
    for (const char *p = b; p != NULL && *p && used + 1 < size; p++) title[used++] = *p;
    title[used] = '\0';
}

static bool same_binding(layer_title *c, const char *bound) {
    if (bound == c->bound_at && names_generation == c->generation) return true;
    if (strcmp(c->bound, bound != NULL ? bound : "") != 0) return false;
    c->bound_at = bound;
    c->generation = names_generation;
    return true;
}

/* The index of the title of `layer` of a model bound to `bound` (NULL:
 * none), or SIZE_MAX when out of memory: "m.linear[0]", "m" for the
 * model's one layer (layer ""), the layer's name alone when unbound. */
static size_t layer_title_index(repl_notes *n, const char *bound, const char *layer) {
    for (unsigned i = 0; i < n->nlayer_titles; i++) {
        layer_title *c = &n->layer_titles[i];
        if (c->layer_at == layer && strcmp(c->layer, layer) == 0 && same_binding(c, bound))
            return c->title;
    }
    for (unsigned i = 0; i < n->nlayer_titles; i++) { /* the same text elsewhere */
        layer_title *c = &n->layer_titles[i];
        if (strcmp(c->layer, layer) == 0 && same_binding(c, bound)) {
            c->layer_at = layer;
            return c->title;
        }
    }
    char title[160];
    if (bound == NULL) join_title(title, sizeof title, layer[0] ? layer : "layer", NULL);
    else if (layer[0] == '\0') join_title(title, sizeof title, bound, NULL);
    else join_title(title, sizeof title, bound, layer);
    size_t index = title_index(n, title);
    const char *key = bound != NULL ? bound : "";
    if (index == SIZE_MAX || strlen(key) >= LAYER_NAME || strlen(layer) >= LAYER_NAME) return index;
    layer_title *c = &n->layer_titles[n->next_layer_title];
    n->next_layer_title = (n->next_layer_title + 1) % LAYER_TITLES;
    if (n->nlayer_titles < LAYER_TITLES) n->nlayer_titles++;
    strcpy(c->bound, key);
    strcpy(c->layer, layer);
    c->layer_at = layer;
    c->bound_at = bound;
    c->generation = names_generation;
    c->title = (unsigned)index;
    return index;
}

/* The engine's layer observer: a group per layer call, "m.linear[0]". */
static unsigned layer_group(void *user, const void *model, const char *layer, unsigned outer) {
    repl *r = user;
    repl_notes *n = notes_of(r);
    if (n == NULL) return outer;
    sweep_if_due(n, r->ctx, outer);
    const char *bound;
    if (model == n->forward_model) {
        if (!n->forward_bound_known) n->forward_bound = model_binding(r, model);
        n->forward_bound_known = true;
        bound = n->forward_bound;
    } else {
        bound = model_binding(r, model);
    }
    size_t title = layer_title_index(n, bound, layer);
    unsigned tag = title != SIZE_MAX ? new_group_titled(n, title) : 0;
    return tag != 0 ? tag : outer;
}

void repl_notes_model_forward(repl *r, const void *model) {
    repl_notes *n = notes_of(r);
    if (n == NULL) return;
    n->forward_model = model;
    n->forward_bound_known = false;
}

void repl_notes_start(repl *r) {
    ag_observe_layers(r->ctx, layer_group, r);
    ag_keep_last_grads(r->ctx, true);
    r->eval.keeping_last_grads = true;
}

void repl_notes_keep_last_grads(repl *r, bool keep) {
    ag_keep_last_grads(r->ctx, keep); /* off: the last kept ones go too, never stale */
    r->eval.keeping_last_grads = keep;
}

const char *repl_var_path(void *user, const ag_var *v) {
    repl *r = user;
    repl_notes *n = notes_of(r);
    if (n == NULL || !(ag_var_flags(v) & AG_VAR_PARAM)) return NULL;
    for (int i = 0; i < r->names.capacity; i++) {
        const name_entry *e = &r->names.entries[i];
        ag_model *m = e->name != NULL ? repl_model_of(e->value) : NULL;
        if (m == NULL) continue;
        for (int k = 0; k < ag_model_param_count(m); k++) {
            const char *name;
            if (ag_model_param(m, k, &name) != v) continue;
            snprintf(n->path, sizeof n->path, "%s.%s", e->name, name);
            return n->path;
        }
    }
    return NULL;
}
