/* graph_notes.c — what the REPL knows about the graph that the engine does
 * not, for drawing it: which call of a user def or which model layer made
 * each function (a function tag, ag_func_tag, names a group here), and the
 * path of each model parameter from the model's binding ("m.linear[0].w").
 *
 * A group is made per call, so the table grows with the calls a session
 * makes; titles repeat (the same def called in a loop), so each group holds
 * an index into a table of distinct titles, and a group costs 4 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#define RECENT_TITLES 32 /* titles searched for a repeat before adding one */

struct repl_notes {
    unsigned *title_of; /* group tag → index in titles; tag 0 is no group */
    size_t ngroups, groups_capacity;
    char **titles;
    size_t ntitles, titles_capacity;
    char path[256]; /* var_path's answer */
};

void repl_notes_free(repl_notes *n) {
    if (n == NULL) return;
    for (size_t i = 0; i < n->ntitles; i++) free(n->titles[i]);
    free(n->titles);
    free(n->title_of);
    free(n);
}

/* The tag of a new group titled `title`, or 0 (no group) when out of memory. */
static unsigned new_group(repl_notes *n, const char *title) {
    size_t found = SIZE_MAX;
    for (size_t i = n->ntitles, seen = 0; i-- > 0 && seen < RECENT_TITLES; seen++)
        if (strcmp(n->titles[i], title) == 0) found = i;
    if (found == SIZE_MAX) {
        if (n->ntitles == n->titles_capacity) {
            size_t capacity = n->titles_capacity ? n->titles_capacity * 2 : 16;
            char **bigger = realloc(n->titles, capacity * sizeof *bigger);
            if (bigger == NULL) return 0;
            n->titles = bigger;
            n->titles_capacity = capacity;
        }
        char *copy = strdup(title);
        if (copy == NULL) return 0;
        found = n->ntitles;
        n->titles[n->ntitles++] = copy;
    }
    if (n->ngroups == 0) n->ngroups = 1; /* tag 0 stays "no group" */
    if (n->ngroups >= 0xFFFFFFF0u) return 0;
    if (n->ngroups >= n->groups_capacity) {
        size_t capacity = n->groups_capacity ? n->groups_capacity * 2 : 64;
        unsigned *bigger = realloc(n->title_of, capacity * sizeof *bigger);
        if (bigger == NULL) return 0;
        n->title_of = bigger;
        n->groups_capacity = capacity;
    }
    n->title_of[n->ngroups] = (unsigned)found;
    return (unsigned)n->ngroups++;
}

static repl_notes *notes_of(repl *r) {
    if (r->notes == NULL) r->notes = calloc(1, sizeof *r->notes);
    return r->notes;
}

const char *repl_group_title(void *user, unsigned tag) {
    repl *r = user;
    repl_notes *n = r->notes;
    if (n == NULL || tag == 0 || tag >= n->ngroups) return NULL;
    return n->titles[n->title_of[tag]];
}

unsigned repl_group_enter(repl *r, const char *title) {
    repl_notes *n = notes_of(r);
    unsigned tag = n != NULL ? new_group(n, title) : 0;
    unsigned outer = ag_set_func_tag(r->ctx, tag);
    if (tag == 0) ag_set_func_tag(r->ctx, outer); /* out of memory: stay in the outer group */
    return outer;
}

void repl_group_leave(repl *r, unsigned outer) { ag_set_func_tag(r->ctx, outer); }

/* The global name bound to model m, or NULL. */
static const char *model_binding(const repl *r, const void *m) {
    for (int i = 0; i < r->names.capacity; i++) {
        const name_entry *e = &r->names.entries[i];
        if (e->name != NULL && repl_model_of(e->value) == m) return e->name;
    }
    return NULL;
}

/* The engine's layer observer: a group per layer call, "m.linear[0]". */
static unsigned layer_group(void *user, const void *model, const char *layer, unsigned outer) {
    repl *r = user;
    const char *bound = model_binding(r, model);
    char title[160];
    if (bound == NULL) snprintf(title, sizeof title, "%s", layer[0] ? layer : "layer");
    else if (layer[0] == '\0') snprintf(title, sizeof title, "%s", bound);
    else snprintf(title, sizeof title, "%s.%s", bound, layer);
    repl_notes *n = notes_of(r);
    unsigned tag = n != NULL ? new_group(n, title) : 0;
    return tag != 0 ? tag : outer;
}

void repl_notes_start(repl *r) {
    ag_observe_layers(r->ctx, layer_group, r);
    ag_keep_last_grads(r->ctx, true);
    r->keeping_last_grads = true;
}

void repl_notes_before_backward(repl *r) {
    bool keep = r->loops_not_last == 0 || repl_viz_following(r->viz);
    if (keep == r->keeping_last_grads) return;
    ag_keep_last_grads(r->ctx, keep); /* off: the last kept ones go too, never stale */
    r->keeping_last_grads = keep;
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
