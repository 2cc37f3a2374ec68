/* builtins_graph.c — graphs as REPL built-ins: dot, render,
 * tree and show (the window it opens is followed by viz_follow.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"
#include "viz_session.h"

/* Reads the drawing options that follow the fixed parameters of dot, render
 * and show (values, grads, rankdir, title, depth, max_nodes from index
 * `first`) or of tree (values, grads, depth, max_nodes).  The title points
 * into the arguments. */
static int graph_options(repl *r, const builtin_args *a, int first, bool layout, viz_graph_opts *o) {
    if (repl_viz_ready(r, a->def->name) < 0) return -1;
    repl_vz->graph_opts_default(o);
    repl_viz_session_notes(r, o);
    o->digits = repl_digits(r);
    o->zoom = r->settings.plot_zoom;
    int depth_index = layout ? first + 4 : first + 2;
    if (arg_bool(r, a, first, &o->values) < 0) return -1;
    if (a->values[first + 1].kind == VALUE_STRING) { /* grads="kept": only stored .grad */
        const char *grads;
        if (arg_string(r, a, first + 1, &grads) < 0) return -1;
        if (strcmp(grads, "kept") != 0)
            return repl_error(r, "%s: grads must be true, false or \"kept\" (only stored .grad values), "
                                 "not \"%s\"",
                              a->def->name, grads);
        o->kept_only = true;
    } else if (arg_bool(r, a, first + 1, &o->grads) < 0) {
        return -1;
    }
    if (layout) {
        const char *rankdir;
        if (arg_string(r, a, first + 2, &rankdir) < 0) return -1;
        if (strcasecmp(rankdir, "TB") == 0) o->rankdir = "TB";
        else if (strcasecmp(rankdir, "LR") == 0) o->rankdir = "LR";
        else
            return repl_error(r, "%s: rankdir must be \"TB\" (top to bottom) or \"LR\" (left to right), "
                                 "not \"%s\"",
                              a->def->name, rankdir);
        if (arg_given(a, first + 3) && arg_string(r, a, first + 3, &o->title) < 0) return -1;
    }
    if (arg_given(a, depth_index)) {
        if (arg_int(r, a, depth_index, &o->depth) < 0) return -1;
        if (o->depth < 0)
            return repl_error(r, "%s: depth must be 0 (everything) or more, not %d", a->def->name,
                              o->depth);
    }
    if (arg_given(a, depth_index + 1)) {
        if (arg_int(r, a, depth_index + 1, &o->max_nodes) < 0) return -1;
        if (o->max_nodes < 1 || o->max_nodes > VIZ_MAX_MAX_NODES)
            return repl_error(r, "%s: max_nodes must be from 1 to %d, not %d", a->def->name,
                              VIZ_MAX_MAX_NODES, o->max_nodes);
    }
    if (arg_given(a, depth_index + 2)) {
        bool fold;
        if (arg_bool(r, a, depth_index + 2, &fold) < 0) return -1;
        o->fold = fold ? 1 : 0;
    }
    return 0;
}

/* The number of nodes and edges a drawing with o has (legend excluded). */
static int graph_counts(repl *r, const builtin_args *a, ag_var *y, const viz_graph_opts *o,
                        int *nodes, int *edges) {
    viz_walk walk;
    char err[VIZ_ERRLEN];
    int rc = repl_vz->walk_build(&walk, y, o, err);
    if (rc == 0) {
        *nodes = (int)walk.ndrawn;
        *edges = (int)walk.nedges;
    }
    repl_vz->walk_free(&walk);
    return rc == 0 ? 0 : repl_error(r, "%s: %s", a->def->name, err);
}

static void print_wrote(repl *r, const char *file, int nodes, int edges) {
    char shown[PATH_MAX];
    snprintf(shown, sizeof shown, "%s", file);
    text_printable(shown, 0);
    fprintf(repl_out(r), "wrote %s (%d node%s, %d edge%s)\n", shown, nodes, nodes == 1 ? "" : "s", edges,
            edges == 1 ? "" : "s");
}

/* y of dot, render, tree and show: a variable (or a number).  A model or a
 * def has no graph of its own until it is called, and the message says so
 * with the call to write (show(m) only said "not a model"). */
static int graph_target(repl *r, const builtin_args *a, ag_var **y) {
    repl_value v = a->values[0];
    bool model = repl_model_of(v) != NULL;
    if (model || v.kind == VALUE_FUNCTION) {
        char name[64];
        /* its name as typed; m or f for anything longer than a name */
        if (!arg_source(a, 0, name, sizeof name) || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] != '\0')
            snprintf(name, sizeof name, model ? "m" : "f");
        const char *call = a->def ? a->def->name : "show";
        char receiver[64];
        return repl_error(r, "%s: %s must be a variable, not a %s: its graph is the one a call makes, so call it "
                             "first, as %s(%s(%s)%s)", call, builtin_receiver(r, a, "y", receiver, sizeof receiver),
                          model ? "model" : "function", call, name,
                          model ? "x" : "...", arg_positional(r, a, 1) ? ", ..." : "");
    }
    return arg_var(r, a, 0, y);
}

/* dot(y) prints the DOT text; dot(y, file) writes it (whatever the name). */
static int builtin_dot(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    viz_graph_opts o;
    const char *file = NULL;
    if (graph_target(r, a, &y) < 0 || (arg_given(a, 1) && arg_string(r, a, 1, &file) < 0) ||
        graph_options(r, a, 2, true, &o) < 0)
        return -1;
    char err[VIZ_ERRLEN];
    char *text = repl_vz->graph_dot(y, &o, err);
    if (text == NULL) return repl_error(r, "dot: %s", err);
    if (err[0] != '\0') fprintf(r->io.err, "note: %s\n", err); /* the picture grew at :zoom */
    if (file == NULL) {
        fputs(text, repl_out(r));
        free(text);
        return 0;
    }
    int nodes = 0, edges = 0;
    if (graph_counts(r, a, y, &o, &nodes, &edges) < 0) {
        free(text);
        return -1;
    }
    /* whole or not at all: a failed write leaves the old file as it was */
    int rc = repl_write_file(r, file, text, strlen(text), 0);
    int saved = errno;
    free(text);
    if (rc < 0)
        return repl_error(r, "dot: cannot write \"%s\": %s", file, repl_file_strerror(r, file, saved ? saved : EIO));
    print_wrote(r, file, nodes, edges);
    return 0;
}

/* render(y, file): PNG, SVG, PDF (or DOT) by the file's extension. */
static int builtin_render(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    const char *file;
    viz_graph_opts o;
    if (graph_target(r, a, &y) < 0 || arg_string(r, a, 1, &file) < 0 || graph_options(r, a, 2, true, &o) < 0)
        return -1;
    int nodes = 0, edges = 0;
    char err[VIZ_ERRLEN];
    /* a file the front end makes itself (the web page's PNG), or none */
    int taken = repl_vz->graph_file_page(y, &o, file, &nodes, &edges, err);
    if (taken < 0) return repl_error(r, "render: %s", err);
    if (taken == 0) {
        size_t size = 0;
        unsigned char *bytes = repl_vz->graph_file_bytes(y, &o, file, &size, &nodes, &edges, err);
        if (bytes == NULL) return repl_error(r, "render: %s", err);
        /* whole or not at all, through the session's one write path */
        int rc = repl_write_file(r, file, bytes, size, 0);
        int saved = errno;
        free(bytes);
        if (rc < 0)
            return repl_error(r, "render: cannot write \"%s\": %s", file,
                              repl_file_strerror(r, file, saved ? saved : EIO));
    }
    if (err[0] != '\0') fprintf(r->io.err, "note: %s\n", err); /* the picture grew at :zoom */
    if (o.grads) repl_note_summed_in_graph(r, y);
    print_wrote(r, file, nodes, edges);
    /* the web page: in its graph pane too (a .dot file is text, no picture) */
    const char *dot = strrchr(file, '.');
    if (r->io.show_renders && r->io.display != NULL && !(dot != NULL && strcasecmp(dot, ".dot") == 0) &&
        repl_display_graph_as(r, y, &o, NULL, false, err) < 0)
        fprintf(r->io.err, "note: render: the graph is written but not shown: %s\n", err);
    return 0;
}

/* tree(y): the graph as indented text. */
static int builtin_tree(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    viz_graph_opts o;
    if (graph_target(r, a, &y) < 0 || graph_options(r, a, 1, false, &o) < 0) return -1;
    char err[VIZ_ERRLEN];
    char *text = repl_vz->graph_tree(y, &o, err);
    if (text == NULL) return repl_error(r, "tree: %s", err);
    if (o.grads) repl_note_summed_in_graph(r, y);
    fputs(text, repl_out(r));
    free(text);
    return 0;
}

/* show(y): a window with the rendered graph, kept current after every
 * statement (following the name y is bound to); without a window, the text
 * tree and how to get the picture. */
static bool in_a_group(void *user, ag_func *f) {
    const viz_graph_opts *o = user;
    unsigned tag = ag_func_tag(f);
    return tag != 0 && o->group_title(o->notes_user, tag) != NULL;
}

/* Whether a function of the graph ending at y is in a group o draws (a
 * call of a def, a model's layer): what fold=true folds. */
static bool has_groups(ag_var *y, const viz_graph_opts *o) {
    return o->group_title != NULL && repl_walk_graph(y, in_a_group, NULL, (void *)o);
}

/* The part of a picture of width x height that the rectangle seen
 * (x0, y0, x1, y1) shows: "top left", "bottom middle", "right"... by where
 * its middle lies in thirds of the picture, along the sides that do not fit. */
static void part_seen(const double seen[4], int width, int height, char *part, size_t size) {
    static const char *const across[] = {"left", "middle", "right"}, *const down[] = {"top", "middle", "bottom"};
    bool wide = seen[0] > 0.5 || seen[2] < width - 0.5, tall = seen[1] > 0.5 || seen[3] < height - 0.5;
    int h = (int)(3 * (seen[0] + seen[2]) / 2 / width), v = (int)(3 * (seen[1] + seen[3]) / 2 / height);
    h = h < 0 ? 0 : h > 2 ? 2 : h;
    v = v < 0 ? 0 : v > 2 ? 2 : v;
    if (wide && tall && !(h == 1 && v == 1)) snprintf(part, size, "%s %s", down[v], across[h]);
    else snprintf(part, size, "%s", wide && tall ? "middle" : wide ? across[h] : down[v]);
}

/* After show opened a picture bigger than the window: the scale the window
 * actually shows it at, and which part (the window opens a picture too big
 * for a readable scale on its output, with the most folded boxes beside it
 * on screen). */
static void say_opening_view(repl *r, repl_viz *v, ag_var *y, const viz_graph_opts *o) {
    int picture_width, picture_height;
    double scale, fit_scale, seen[4];
    if (!repl_vz->graph_window_sizes(v->graph_window, &picture_width, &picture_height, NULL, NULL) ||
        !repl_vz->graph_window_view(v->graph_window, &scale, &fit_scale, seen) || fit_scale >= 1)
        return;
    if (seen[0] <= 0.5 && seen[1] <= 0.5 && seen[2] >= picture_width - 0.5 && seen[3] >= picture_height - 0.5) {
        fprintf(repl_out(r),
                "show: the graph (%dx%d pixels) is shrunk to %.0f%% to fit the screen; render() writes "
                "it full size, depth=N shows the part near the output\n",
                picture_width, picture_height, 100 * scale);
        return;
    }
    char part[40];
    part_seen(seen, picture_width, picture_height, part, sizeof part);
    fprintf(repl_out(r),
            "show: the graph (%dx%d pixels) opens at %.0f%% (readable text) on its output, its %s part; drag to see "
            "the rest, 0 fits it whole (%.0f%%), %sdepth=N draws less\n",
            picture_width, picture_height, 100 * scale, part, 100 * fit_scale,
            /* not to a show(y, fold=true), folded already, nor for a graph
               with nothing to fold (tanh_graph.ag's derivatives) */
            o->fold != 1 && has_groups(y, o) ? "fold=true or " : "");
}

static int builtin_show(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz *v = repl_get_viz(r);
    ag_var *y;
    viz_graph_opts o;
    if (v == NULL) return repl_error(r, "show: out of memory");
    if (graph_target(r, a, &y) < 0 || graph_options(r, a, 1, true, &o) < 0) return -1;
    if (o.grads) repl_note_summed_in_graph(r, y);
    if (r->io.display != NULL) return repl_display_graph(r, y, &o); /* the Jupyter kernel */
    if (r->eval.chunk != NULL && v->shown != NULL && repl_vz->graph_window_open(v->graph_window)) {
        /* the window is up: inside a statement it follows y from now on and
         * the paced window service draws it (rendering at every call would
         * stall a loop that calls show at each step) */
        uint64_t on_screen = v->shown_digest;
        /* another graph at the prompt (show(z) after show(y), not a loop's
         * next y): drawn now, so the note on a part too big is said for it */
        bool another = v->shown_name == NULL || strcmp(v->shown_name, ag_name(y)) != 0;
        repl_viz_follow(v, y, &o, v->shown_drawn ? &on_screen : NULL);
        repl_viz_pump(r);
        /* what the window opens on, said only of y's picture: one refused
         * (too many nodes) leaves the last one up, and "opens at 80%" about
         * that read as if y had been drawn */
        if (another && ag_name(y)[0] != '\0' && repl_viz_refresh_shown(v)) say_opening_view(r, v, y, &o);
        return 0;
    }
    char err[VIZ_ERRLEN], title[160];
    repl_viz_window_title(y, "", title, sizeof title);
    int rc = repl_viz_show_in_window(v, y, &o, title, err);
    if (rc < 0) return repl_error(r, "show: %s", err);
    if (rc == 1) {
        char *text = repl_vz->graph_tree(y, &o, err);
        if (text == NULL) return repl_error(r, "show: %s", err);
        fputs(text, repl_out(r));
        free(text);
        if (ag_name(y)[0] != '\0')
            fprintf(repl_out(r), "(no window here: render(%s, \"graph.png\") writes the picture)\n",
                    ag_name(y));
        else
            fputs("(no window here: render with a .png file name writes the picture)\n", repl_out(r));
        return 0;
    }
    uint64_t drawn; /* the digest the window hashed while drawing y: no second walk */
    repl_viz_follow(v, y, &o, repl_vz->graph_window_digest(v->graph_window, &drawn) ? &drawn : NULL);
    say_opening_view(r, v, y, &o);
    return 0;
}

#define GRAPH_OPTIONS \
    "values=true, grads=true, rankdir=\"TB\", title=nil, depth=nil, max_nodes=nil, fold=nil"

const builtin_def builtins_graph[] = {
    {"dot", "y, file=nil, " GRAPH_OPTIONS, builtin_dot, "graphs",
     "the Graphviz DOT text of the graph ending at y; dot(y, \"g.dot\") writes it", .file_arg = 2},
    {"render", "y, file, " GRAPH_OPTIONS, builtin_render, "graphs",
     "draws the graph ending at y into a .png, .svg, .pdf (or .dot) file; fold=true draws each "
     "def call, model layer, recurrent step and built-in made of several ops (conv2d, layer_norm) as "
     "one box (a layer's lists its w and b with their "
     "gradients), a layer's shared weights as one (default: "
     "above 60 nodes); grads=\"kept\" only stored .grad; a PNG is at most 8000 px a side, and a "
     "note says when a bigger graph's text is scaled too small to read",
     .file_arg = 2},
    {"show", "y, " GRAPH_OPTIONS, builtin_show, "graphs",
     "a window with y's graph, kept current after every statement and while a loop runs "
     "(text tree without a display); in it: wheel, + and - zoom, drag and arrows pan, 0 fits, "
     "a click inspects a node, opens a folded box or, on an open group's frame, folds it again, "
     "? shows the keys"},
    {"tree", "y, values=true, grads=true, depth=nil, max_nodes=nil, fold=nil", builtin_tree, "graphs",
     "the graph ending at y as an indented text tree"},
    {0},
};
