/* graph_digest.c — the drawing's digest: a 64-bit hash of everything
 * graph_draw.c's viz_build_graph would put into a graph's picture, so the REPL learns
 * whether a followed graph changed without building its DOT text. */
#include "graph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "ag_ops.h"
#include "graph_internal.h"

/* ---- the drawing's digest ---------------------------------------------- */

/* FNV-1a, 64 bits, over everything build_graph puts into the picture. */
typedef struct digest {
    uint64_t hash;
    strbuf label; /* reused for each label */
    bool failed;  /* a label could not be built (out of memory) */
} digest;

static void mix_bytes(digest *d, const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++) d->hash = (d->hash ^ p[i]) * 0x100000001b3u;
}

static void mix_number(digest *d, uint64_t x) { mix_bytes(d, &x, sizeof x); }

static void mix_text(digest *d, const char *text) {
    mix_bytes(d, text ? text : "", text ? strlen(text) + 1 : 1);
}

/* The label built into d->label, then mixed in and cleared. */
static void mix_label(digest *d) {
    d->failed |= d->label.failed;
    mix_bytes(d, d->label.data ? d->label.data : "", d->label.length);
    mix_number(d, d->label.length);
    d->label.length = 0;
    d->label.failed = false;
    if (d->label.data) d->label.data[0] = '\0';
}

static bool mix_edge(void *user, size_t from, size_t to, const char *operand) {
    digest *d = user;
    mix_number(d, from);
    mix_number(d, to);
    mix_text(d, operand);
    return true;
}

int viz_walk_digest(const viz_walk *w, const viz_graph_opts *o, uint64_t *out, char err[VIZ_ERRLEN]) {
    digest d = {.hash = 0xcbf29ce484222325u};
    /* the graph's attributes (set_graph_attributes) */
    mix_text(&d, o->rankdir);
    mix_text(&d, o->title);
    mix_bytes(&d, &o->zoom, sizeof o->zoom);
    mix_number(&d, viz_layout_cost(w));
    mix_number(&d, w->nvars);
    mix_number(&d, w->nfuncs);
    mix_number(&d, w->ngroups);
    for (size_t i = 0; i < w->nvars; i++) { /* as build_graph's nodes */
        int folded = viz_walk_var_folded(w, i);
        mix_number(&d, (uint64_t)folded);
        mix_number(&d, w->cut[i]);
        if (folded >= 0) continue;
        ag_var *v = w->vars[i];
        role r = viz_var_role(w, i);
        mix_number(&d, r);
        mix_number(&d, ag_var_flags(v) & (AG_VAR_BACKWARD | AG_VAR_CONST));
        mix_number(&d, o->grads && VIZ_SUMMED_CALLS(v) > 1);
        mix_number(&d, o->grads && !o->kept_only && ag_grad(v) == NULL && ag_last_grad(v) != NULL);
        viz_var_label_html(&d.label, v, r, o);
        mix_label(&d);
    }
    char label[LABEL_LEN];
    for (size_t i = 0; i < w->nfuncs; i++) {
        mix_number(&d, (uint64_t)(w->func_group ? w->func_group[i] : -1));
        mix_number(&d, (uint64_t)viz_walk_func_folded(w, i));
        mix_number(&d, o->active != NULL && w->funcs[i] == o->active);
        ag_func_label(w->funcs[i], label, sizeof label);
        mix_text(&d, label);
    }
    for (size_t b = 0; b < w->ngroups; b++) {
        mix_number(&d, w->group_folded[b]);
        mix_text(&d, viz_group_title(w, o, b));
        if (!w->group_folded[b]) continue;
        viz_box_label_html(&d.label, w, b, o);
        mix_label(&d);
    }
    viz_walk_each_edge(w, mix_edge, &d);
    free(d.label.data);
    if (d.failed) {
        snprintf(err, VIZ_ERRLEN, "out of memory while looking at the graph");
        return -1;
    }
    *out = d.hash;
    return 0;
}

int viz_graph_digest(ag_var *y, const viz_graph_opts *o, uint64_t *out, char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    viz_walk w;
    int rc = viz_walk_build(&w, y, o, err) == 0 ? viz_walk_digest(&w, o, out, err) : -1;
    viz_walk_free(&w);
    return rc;
}
