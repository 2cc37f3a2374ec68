/* viz_follow.c — what the graph window shows (viz_session.h): the graph
 * show() follows, kept current after every statement and while a loop
 * runs; a graph shown with marks (gradcheck); backward's step-through
 * display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_session.h"

/* y's name, or the fallback when it has none: for titles. */
static const char *name_or(const ag_var *y, const char *fallback) {
    return ag_name(y)[0] != '\0' ? ag_name(y) : fallback;
}

/* The session's notes on groups and parameter paths, for every drawing. */
void repl_viz_session_notes(repl *r, viz_graph_opts *o) {
    o->group_title = repl_group_title;
    o->var_path = repl_var_path;
    o->unit_maps = repl_unit_maps;
    o->notes_user = r;
}

/* Renders y into the graph window.  0 shown, 1 no window here, -1 with err. */
int repl_viz_show_in_window(repl_viz *v, ag_var *y, const viz_graph_opts *o, const char *title,
                          char err[VIZ_ERRLEN]) {
    viz_graph_opts drawn = *o; /* with the folded boxes the user clicked open */
    drawn.unfolded = repl_vz->graph_window_unfolded(v->graph_window, &drawn.n_unfolded);
    /* the window lays out with room for values that change (viz_graph_window_show_graph) */
    return repl_vz->graph_window_show_graph(v->graph_window, y, &drawn, title, err);
}

void repl_viz_window_title(const ag_var *y, const char *what, char *buf, size_t n) {
    snprintf(buf, n, "agrepl graph: %s%s", name_or(y, "(unnamed)"), what);
}

/* Makes y, drawn with o, what the graph window follows: after each statement
 * (and while a loop runs) it is drawn again when its drawing changed, and
 * when y's name is rebound the window follows the name.  on_screen is the
 * digest of the picture the window shows; NULL: y's, as it was just drawn. */
void repl_viz_follow(repl_viz *v, ag_var *y, const viz_graph_opts *o, const uint64_t *on_screen) {
    repl_viz_forget_shown(v);
    ag_retain(y);
    v->shown = y;
    v->shown_opts = *o;
    v->shown_opts.hint_call = NULL; /* the caller's buffer; a followed graph is show()'s */
    if (o->title != NULL && (v->shown_title = strdup(o->title)) == NULL) v->shown_opts.title = NULL;
    else v->shown_opts.title = v->shown_title;
    repl *r = v->r;
    repl_value *bound = ag_name(y)[0] ? names_get(&r->names, ag_name(y)) : NULL;
    if (bound != NULL && bound->kind == VALUE_VAR && bound->as.var == y) v->shown_name = strdup(ag_name(y));
    char err[VIZ_ERRLEN];
    if (on_screen != NULL) {
        v->shown_digest = *on_screen;
        v->shown_drawn = true;
    } else {
        v->shown_drawn = repl_vz->graph_digest(y, &v->shown_opts, &v->shown_digest, err) == 0;
    }
}

int repl_viz_show_marked(repl *r, ag_var *y, viz_mark *marks, int nmarks, const char *what) {
    repl_viz *v = repl_get_viz(r);
    if (repl_viz_ready(r, what) < 0) {
        free(marks);
        return -1;
    }
    viz_graph_opts o;
    repl_vz->graph_opts_default(&o);
    repl_viz_session_notes(r, &o);
    o.digits = repl_digits(r);
    o.marks = marks;
    o.nmarks = nmarks;
    char hint[96]; /* the caller (gradcheck) takes no max_nodes= */
    snprintf(hint, sizeof hint, "show(%s", ag_name(y)[0] ? ag_name(y) : "y");
    o.hint_call = hint;
    char err[VIZ_ERRLEN], title[160], suffix[64];
    snprintf(suffix, sizeof suffix, " (%s)", what);
    repl_viz_window_title(y, suffix, title, sizeof title);
    int rc = repl_viz_show_in_window(v, y, &o, title, err);
    if (rc == 0) { /* followed like show(y), the marks with it */
        uint64_t drawn; /* the digest the window hashed while drawing y */
        repl_viz_follow(v, y, &o, repl_vz->graph_window_digest(v->graph_window, &drawn) ? &drawn : NULL);
        for (int i = 0; i < nmarks; i++) ag_retain((ag_var *)marks[i].var);
        v->shown_marks = marks;
        return 0;
    }
    char *text = rc == 1 ? repl_vz->graph_tree(y, &o, err) : NULL;
    free(marks);
    if (text == NULL) return repl_error(r, "%s: %s", what, err);
    fputs(text, repl_out(r));
    free(text);
    return 0;
}

/* After a statement: the variable show() follows may have been rebound, and
 * values and gradients may have changed.  Re-renders only when the drawing
 * would differ (same digest, same picture).  True when the window shows the
 * followed graph as it is now; false when it keeps its last picture (or
 * there is none). */
bool repl_viz_refresh_shown(repl_viz *v) {
    if (v->shown == NULL || !repl_vz->graph_window_open(v->graph_window)) return false;
    repl *r = v->r;
    if (v->shown_name != NULL) {
        repl_value *bound = names_get(&r->names, v->shown_name);
        if (bound != NULL && bound->kind == VALUE_VAR && bound->as.var != v->shown) {
            ag_retain(bound->as.var);
            ag_release(v->shown);
            v->shown = bound->as.var;
        }
    }
    v->shown_opts.digits = repl_digits(r);
    v->shown_opts.active = NULL;
    char err[VIZ_ERRLEN] = "", title[160];
    uint64_t digest;
    bool known = repl_vz->graph_digest(v->shown, &v->shown_opts, &digest, err) == 0;
    if (known && v->shown_drawn && digest == v->shown_digest) return true;
    repl_viz_window_title(v->shown, "", title, sizeof title);
    int rc = known ? repl_viz_show_in_window(v, v->shown, &v->shown_opts, title, err) : -1;
    if (rc != 0) {
        /* the window keeps its last picture; say why once, not after every statement */
        if (rc < 0 && strcmp(err, v->shown_error) != 0) {
            fflush(repl_out(r));
            fprintf(r->io.err, "show: %s (the window keeps the last picture)\n", err);
            fflush(r->io.err);
            snprintf(v->shown_error, sizeof v->shown_error, "%s", err);
        }
        return false;
    }
    v->shown_digest = digest;
    v->shown_drawn = true;
    v->shown_error[0] = '\0';
    return true;
}

void repl_viz_after_statement(repl_viz *v) {
    if (v == NULL) return;
    repl_viz_idle(v);
    repl_viz_refresh_shown(v);
}

/* Stepping through backward: an open graph window shows y's graph with the
 * function just processed marked; otherwise the text tree is printed (also
 * when only a plot window is open and print_tree is false: the tree is then
 * the only place the step can be seen). */
void repl_viz_step(repl_viz *v, ag_var *y, ag_func *active, bool print_tree) {
    (void)print_tree;
    if (v == NULL || y == NULL) return;
    repl *r = v->r;
    if (repl_viz_load(v) < 0) {
        fprintf(repl_out(r), "    (%s)\n", repl_viz_load_error());
        return;
    }
    viz_graph_opts o;
    repl_vz->graph_opts_default(&o);
    repl_viz_session_notes(r, &o);
    if (v->shown != NULL) o = v->shown_opts;
    o.digits = repl_digits(r);
    o.zoom = r->settings.plot_zoom;
    o.active = active;
    o.reserve_values = true; /* each step changes gradients: no box moves */
    char hint[96]; /* backward takes no max_nodes=: name a call that does */
    snprintf(hint, sizeof hint, "tree(%s", ag_name(y)[0] ? ag_name(y) : "y");
    o.hint_call = hint;
    char err[VIZ_ERRLEN] = "";
    if (r->io.display != NULL) { /* the kernel: the steps play in one output */
        bool update = r->io.step_display_id[0] != '\0';
        if (!update) snprintf(r->io.step_display_id, sizeof r->io.step_display_id, "agrepl-steps-%u", r->io.display_count + 1);
        if (repl_display_graph_as(r, y, &o, r->io.step_display_id, update, err) < 0) {
            fflush(repl_out(r));
            fprintf(r->io.err, "show: %s\n", err); /* the steps go on without the picture */
            fflush(r->io.err);
        }
        return;
    }
    if (repl_vz->graph_window_open(v->graph_window)) {
        char title[160], what[96] = " (backward done)";
        if (active != NULL) {
            char label[64];
            ag_func_label(active, label, sizeof label);
            snprintf(what, sizeof what, " (backward: %s)", label);
        }
        repl_viz_window_title(y, what, title, sizeof title);
        if (repl_viz_show_in_window(v, y, &o, title, err) < 0) {
            fflush(repl_out(r));
            fprintf(r->io.err, "show: %s\n", err);
            fflush(r->io.err);
        }
        repl_vz->graph_window_pump(v->graph_window);
        /* the picture is y's now: the next refresh draws the shown graph again */
        v->shown_drawn = false;
        return;
    }
    char *text = repl_vz->graph_tree(y, &o, err);
    FILE *out = repl_out(r);
    if (text == NULL) {
        fprintf(out, "    (%s)\n", err);
        return;
    }
    /* indented under the step's lines; the last tree shows what the pass left */
    if (active == NULL) fputs("  graph after the pass:\n", out);
    for (char *line = text; *line != '\0';) {
        char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        fprintf(out, "    %.*s\n", (int)length, line);
        line += length + (end != NULL);
    }
    free(text);
    fflush(out);
}
