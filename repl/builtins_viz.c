/* builtins_viz.c — graphs and plots as REPL built-ins (SPEC §3), and the
 * session's window state: the live plot (viz/plot.h), the graph window of
 * show() (viz/graph_window.h) and the step-through display of backward.
 *
 * Windows open only in a session a person watches (interactive, or a script
 * run from a terminal; not --headless; with a display).  Everywhere else
 * everything is still recorded and written to files, and show() prints the
 * graph as a text tree.  pace() slows loops that plot to a watchable speed. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "repl_internal.h"
#include "viz_load.h"

enum {
    IDLE_TIMEOUT_MS = 33, /* the front end's wait between pumps at the prompt */
    /* Inside a running statement (a loop) a service of the windows starts
     * every LOOP_SHARE times what one typically costs, but at least every
     * LOOP_SLOWEST_FRAME_MS (so a live window shows over 5 frames a second)
     * and at most every LOOP_FASTEST_FRAME_MS.  Only a service costing more
     * than 1/LOOP_MOST_SHARE of that (a big graph re-laid out at each frame
     * on a loaded machine) spaces frames further: the loop keeps the rest. */
    LOOP_FASTEST_FRAME_MS = 100,
    LOOP_SLOWEST_FRAME_MS = 150,
    LOOP_SHARE = 50,
    LOOP_MOST_SHARE = 2,
    /* "typically": the median of the last few services, so that one slow
     * service (the first frame of a window with its fonts and shared-memory
     * image, a moment the process was descheduled, the X server busy) never
     * sets how long the windows then wait */
    LOOP_COST_SAMPLES = 5
};

/* The viz layer's entry points, once loaded (repl/viz_load.h). */
static const viz_module *vz;

struct repl_viz {
    repl *r;
    bool windows;                  /* windows may open (interactive, not headless) */
    /* made with the viz module, at the first graph or plot built-in (both
     * NULL until then: a script that never draws never loads the module) */
    viz_plot *plot;
    viz_graph_window *graph_window;
    /* what show() displays, kept current after every statement */
    ag_var *shown;                 /* retained while shown */
    char *shown_name;              /* the session name it follows, or NULL */
    viz_graph_opts shown_opts;     /* title points at shown_title */
    char *shown_title;
    viz_mark *shown_marks;         /* shown_opts.marks (their variables retained), or NULL */
    char *shown_dot;               /* DOT of the picture on screen: unchanged means no re-render */
    char shown_error[VIZ_ERRLEN];  /* the last refresh failure, reported once */
    double next_loop_serve_ms;     /* inside a statement, windows wait until then */
    double loop_costs[LOOP_COST_SAMPLES]; /* ms the last in-loop services took (0: none yet) */
    unsigned loop_cost_next;       /* where the next cost goes in loop_costs */
    unsigned boundary_calls;       /* repl_viz_idle calls inside statements */
    bool told_no_window;           /* the user heard why no plot window opened */
    /* pace: a frame ends when a series or path gets its second point in it */
    double frame_start_ms;         /* 0: no frame yet */
    uint64_t frame_names[32];      /* hashes of the names drawn in this frame */
    int frame_name_count;
};

/* A display is named: windows can open there (SDL is asked later). */
static bool display_named(void) {
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    return (x11 != NULL && x11[0] != '\0') || (wayland != NULL && wayland[0] != '\0');
}

/* ---- the session's state ------------------------------------------------------ */

repl_viz *repl_viz_new(repl *r, bool headless) {
    repl_viz *v = calloc(1, sizeof *v);
    if (v == NULL) return NULL;
    v->r = r;
    /* a person at the terminal gets windows (`agrepl -i lesson.ag` too); a
     * script run from one keeps them open at its end (repl_wait_for_windows) */
    v->windows = !headless && (repl_is_interactive(r) || r->script_windows) && display_named();
    return v;
}

/* Loads the viz module and makes the session's plot and graph window, the
 * first time.  0, or -1: the module could not be loaded (viz_module_error()
 * says why) or memory ran out. */
static int viz_load(repl_viz *v) {
    if (v == NULL) return -1;
    if (v->plot != NULL) return 0;
    if ((vz = viz_module_get()) == NULL) return -1;
    if (v->windows) vz->window_hints(); /* before the plot or graph window starts SDL video */
    v->plot = vz->plot_new(!v->windows);
    v->graph_window = vz->graph_window_new(!v->windows);
    if (v->plot == NULL || v->graph_window == NULL) {
        vz->plot_free(v->plot);
        vz->graph_window_free(v->graph_window);
        v->plot = NULL;
        v->graph_window = NULL;
        return -1;
    }
    vz->plot_set_zoom(v->plot, v->r->plot_zoom);
    return 0;
}

/* Why viz_load failed, in words for the user. */
static const char *viz_load_error(void) {
    return vz == NULL && viz_module_error()[0] != '\0' ? viz_module_error() : "out of memory";
}

/* viz_load, or -1 with the reason after "what: " (repl_error). */
static int viz_ready(repl *r, const char *what) {
    return viz_load(repl_get_viz(r)) < 0 ? repl_error(r, "%s: %s", what, viz_load_error()) : 0;
}

/* Forgets what show() displays (the window itself is closed separately). */
static void forget_shown(repl_viz *v) {
    if (v->shown != NULL) ag_release(v->shown);
    v->shown = NULL;
    free(v->shown_name);
    free(v->shown_title);
    free(v->shown_dot);
    for (int i = 0; v->shown_marks != NULL && i < v->shown_opts.nmarks; i++)
        ag_release((ag_var *)v->shown_marks[i].var);
    free(v->shown_marks);
    v->shown_marks = NULL;
    v->shown_opts.marks = NULL;
    v->shown_opts.nmarks = 0;
    v->shown_name = v->shown_title = v->shown_dot = NULL;
    v->shown_error[0] = '\0';
}

void repl_viz_free(repl_viz *v) {
    if (v == NULL) return;
    forget_shown(v);
    if (v->plot != NULL) {
        vz->graph_window_free(v->graph_window);
        vz->plot_free(v->plot);
    }
    free(v);
}

/* A cheap clock for throttling (a few ms resolution is plenty). */
static double coarse_ms(void) {
    struct timespec now;
#ifdef CLOCK_MONOTONIC_COARSE
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
#else
    clock_gettime(CLOCK_MONOTONIC, &now);
#endif
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

static bool any_window_open(const repl_viz *v) {
    return v->plot != NULL && (vz->plot_window_open(v->plot) || vz->graph_window_open(v->graph_window));
}

static void refresh_shown(repl_viz *v);

/* Handles both windows' events and redraws what changed. */
static void serve_windows(repl_viz *v) {
    if (v->plot == NULL) return;
    if (vz->plot_window_open(v->plot)) vz->plot_pump(v->plot);
    if (vz->graph_window_open(v->graph_window)) {
        vz->graph_window_pump(v->graph_window);
        if (!vz->graph_window_open(v->graph_window)) forget_shown(v); /* the user closed it */
        if (vz->graph_window_take_rerender(v->graph_window) && v->shown != NULL) {
            free(v->shown_dot); /* a folded box was clicked open: draw it again */
            v->shown_dot = NULL;
            refresh_shown(v);
        }
    }
}

static double precise_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* Inside a running statement windows are served at the pace the enum at the
 * top sets.  True when it is time. */
static bool loop_turn(repl_viz *v) {
    return coarse_ms() >= v->next_loop_serve_ms;
}

/* The median of the recorded service costs (slots not yet used count as 0). */
static double typical_loop_cost(const repl_viz *v) {
    double sorted[LOOP_COST_SAMPLES];
    memcpy(sorted, v->loop_costs, sizeof sorted);
    for (int i = 1; i < LOOP_COST_SAMPLES; i++)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double swap = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = swap;
        }
    return sorted[LOOP_COST_SAMPLES / 2];
}

/* The time from one service's start to the next, given what one typically costs. */
static double loop_period_ms(double typical) {
    double period = LOOP_SHARE * typical;
    if (period < LOOP_FASTEST_FRAME_MS) period = LOOP_FASTEST_FRAME_MS;
    if (period > LOOP_SLOWEST_FRAME_MS) period = LOOP_SLOWEST_FRAME_MS;
    if (period < LOOP_MOST_SHARE * typical) period = LOOP_MOST_SHARE * typical;
    return period;
}

/* serve_windows from inside a statement (the graph show() follows is brought
 * up to date too: values change while a loop runs), timed for the next
 * loop_turn. */
static void serve_in_loop(repl_viz *v) {
    double start = precise_ms(), coarse_start = coarse_ms();
    serve_windows(v);
    refresh_shown(v);
    v->loop_costs[v->loop_cost_next] = precise_ms() - start;
    v->loop_cost_next = (v->loop_cost_next + 1) % LOOP_COST_SAMPLES;
    v->next_loop_serve_ms = coarse_start + loop_period_ms(typical_loop_cost(v));
}

bool repl_viz_following(const repl_viz *v) { return v != NULL && v->shown != NULL; }

void repl_viz_idle(repl_viz *v) {
    if (v == NULL || !any_window_open(v)) return;
    /* Between prompts the front end calls every ~33 ms: full-rate redraws.
     * During a statement the evaluator may call at every statement boundary
     * (a million times a second): even the clock is read only every 32nd
     * call. */
    if (v->r->chunk == NULL) {
        serve_windows(v);
    } else if ((++v->boundary_calls & 31) == 0 && loop_turn(v)) {
        serve_in_loop(v);
    }
}

int repl_viz_timeout_ms(const repl_viz *v) {
    return v != NULL && any_window_open(v) ? IDLE_TIMEOUT_MS : -1;
}

void repl_wait_for_windows(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL) return;
    serve_windows(v); /* the last drawing, and whether the user closed them already */
    if (!any_window_open(v)) return;
    fflush(repl_out(r));
    fputs("close the window or press Enter to exit\n", repl_out(r));
    fflush(repl_out(r));
    while (any_window_open(v) && !repl_interrupted) {
        fd_set in;
        FD_ZERO(&in);
        FD_SET(STDIN_FILENO, &in);
        struct timeval tv = {0, IDLE_TIMEOUT_MS * 1000};
        int ready = select(STDIN_FILENO + 1, &in, NULL, NULL, &tv);
        if (ready > 0) {
            char buffer[256];
            ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
            if (got <= 0 || memchr(buffer, '\n', (size_t)got) != NULL) break;
        }
        serve_windows(v);
    }
    repl_interrupted = 0;
}

/* ---- graphs ------------------------------------------------------------------- */

/* y's name, or the fallback when it has none: for titles. */
static const char *name_or(const ag_var *y, const char *fallback) {
    return ag_name(y)[0] != '\0' ? ag_name(y) : fallback;
}

/* Reads the drawing options that follow the fixed parameters of dot, render
 * and show (values, grads, rankdir, title, depth, max_nodes from index
 * `first`) or of tree (values, grads, depth, max_nodes).  The title points
 * into the arguments. */
/* The session's notes on groups and parameter paths, for every drawing. */
static void session_notes(repl *r, viz_graph_opts *o) {
    o->group_title = repl_group_title;
    o->var_path = repl_var_path;
    o->notes_user = r;
}

static int graph_options(repl *r, const builtin_args *a, int first, bool layout, viz_graph_opts *o) {
    if (viz_ready(r, a->def->name) < 0) return -1;
    vz->graph_opts_default(o);
    session_notes(r, o);
    o->digits = repl_digits(r);
    o->zoom = r->plot_zoom;
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
    int rc = vz->walk_build(&walk, y, o, err);
    if (rc == 0) {
        *nodes = (int)walk.ndrawn;
        *edges = (int)walk.nedges;
    }
    vz->walk_free(&walk);
    return rc == 0 ? 0 : repl_error(r, "%s: %s", a->def->name, err);
}

static void print_wrote(repl *r, const char *file, int nodes, int edges) {
    fprintf(repl_out(r), "wrote %s (%d node%s, %d edge%s)\n", file, nodes, nodes == 1 ? "" : "s", edges,
            edges == 1 ? "" : "s");
}

/* dot(y) prints the DOT text; dot(y, file) writes it (whatever the name). */
static int builtin_dot(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    viz_graph_opts o;
    const char *file = NULL;
    if (arg_var(r, a, 0, &y) < 0 || (arg_given(a, 1) && arg_string(r, a, 1, &file) < 0) ||
        graph_options(r, a, 2, true, &o) < 0)
        return -1;
    char err[VIZ_ERRLEN];
    char *text = vz->graph_dot(y, &o, err);
    if (text == NULL) return repl_error(r, "dot: %s", err);
    if (file == NULL) {
        fputs(text, repl_out(r));
        free(text);
        return 0;
    }
    if (repl_files_allowed(r, "dot") < 0) {
        free(text);
        return -1;
    }
    int nodes = 0, edges = 0;
    if (graph_counts(r, a, y, &o, &nodes, &edges) < 0) {
        free(text);
        return -1;
    }
    /* whole or not at all: a failed write leaves the old file as it was */
    int rc = write_file_atomic(file, text, strlen(text));
    int saved = errno;
    free(text);
    if (rc < 0)
        return repl_error(r, "dot: cannot write \"%s\": %s", file,
                          strerror(saved ? saved : EIO));
    print_wrote(r, file, nodes, edges);
    return 0;
}

/* render(y, file): PNG, SVG, PDF (or DOT) by the file's extension. */
static int builtin_render(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    const char *file;
    viz_graph_opts o;
    if (arg_var(r, a, 0, &y) < 0 || arg_string(r, a, 1, &file) < 0 || graph_options(r, a, 2, true, &o) < 0 ||
        repl_files_allowed(r, "render") < 0)
        return -1;
    int nodes = 0, edges = 0;
    char err[VIZ_ERRLEN];
    if (vz->graph_render(y, &o, file, &nodes, &edges, err) < 0) return repl_error(r, "render: %s", err);
    print_wrote(r, file, nodes, edges);
    return 0;
}

/* tree(y): the graph as indented text. */
static int builtin_tree(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    viz_graph_opts o;
    if (arg_var(r, a, 0, &y) < 0 || graph_options(r, a, 1, false, &o) < 0) return -1;
    char err[VIZ_ERRLEN];
    char *text = vz->graph_tree(y, &o, err);
    if (text == NULL) return repl_error(r, "tree: %s", err);
    fputs(text, repl_out(r));
    free(text);
    return 0;
}

/* Renders y into the graph window.  0 shown, 1 no window here, -1 with err. */
static int show_in_window(repl_viz *v, ag_var *y, const viz_graph_opts *o, const char *title,
                          char err[VIZ_ERRLEN]) {
    viz_graph_opts drawn = *o; /* with the folded boxes the user clicked open */
    drawn.unfolded = vz->graph_window_unfolded(v->graph_window, &drawn.n_unfolded);
    return vz->graph_window_show_graph(v->graph_window, y, &drawn, title, err);
}

static void window_title(const ag_var *y, const char *what, char *buf, size_t n) {
    snprintf(buf, n, "agrepl graph: %s%s", name_or(y, "(unnamed)"), what);
}

/* Makes y, drawn with o, what the graph window follows: after each statement
 * (and while a loop runs) it is drawn again when its drawing changed, and
 * when y's name is rebound the window follows the name.  dot_on_screen
 * (taken) is the DOT of the picture the window shows; NULL: y's, as it was
 * just drawn. */
static void follow(repl_viz *v, ag_var *y, const viz_graph_opts *o, char *dot_on_screen) {
    forget_shown(v);
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
    v->shown_dot = dot_on_screen != NULL ? dot_on_screen : vz->graph_dot(y, &v->shown_opts, err);
}

static void pump(repl *r);

int repl_viz_show_marked(repl *r, ag_var *y, viz_mark *marks, int nmarks, const char *what) {
    repl_viz *v = repl_get_viz(r);
    if (viz_ready(r, what) < 0) {
        free(marks);
        return -1;
    }
    viz_graph_opts o;
    vz->graph_opts_default(&o);
    session_notes(r, &o);
    o.digits = repl_digits(r);
    o.marks = marks;
    o.nmarks = nmarks;
    char hint[96]; /* the caller (gradcheck) takes no max_nodes= */
    snprintf(hint, sizeof hint, "show(%s", ag_name(y)[0] ? ag_name(y) : "y");
    o.hint_call = hint;
    char err[VIZ_ERRLEN], title[160], suffix[64];
    snprintf(suffix, sizeof suffix, " (%s)", what);
    window_title(y, suffix, title, sizeof title);
    int rc = show_in_window(v, y, &o, title, err);
    if (rc == 0) { /* followed like show(y), the marks with it */
        follow(v, y, &o, NULL);
        for (int i = 0; i < nmarks; i++) ag_retain((ag_var *)marks[i].var);
        v->shown_marks = marks;
        return 0;
    }
    char *text = rc == 1 ? vz->graph_tree(y, &o, err) : NULL;
    free(marks);
    if (text == NULL) return repl_error(r, "%s: %s", what, err);
    fputs(text, repl_out(r));
    free(text);
    return 0;
}

/* show(y): a window with the rendered graph, kept current after every
 * statement (following the name y is bound to); without a window, the text
 * tree and how to get the picture. */
static int builtin_show(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz *v = repl_get_viz(r);
    ag_var *y;
    viz_graph_opts o;
    if (v == NULL) return repl_error(r, "show: out of memory");
    if (arg_var(r, a, 0, &y) < 0 || graph_options(r, a, 1, true, &o) < 0) return -1;
    if (r->chunk != NULL && v->shown != NULL && vz->graph_window_open(v->graph_window)) {
        /* the window is up: inside a statement it follows y from now on and
         * the paced window service draws it (rendering at every call would
         * stall a loop that calls show at each step) */
        char *on_screen = v->shown_dot;
        v->shown_dot = NULL;
        follow(v, y, &o, on_screen);
        pump(r);
        return 0;
    }
    char err[VIZ_ERRLEN], title[160];
    window_title(y, "", title, sizeof title);
    int rc = show_in_window(v, y, &o, title, err);
    if (rc < 0) return repl_error(r, "show: %s", err);
    if (rc == 1) {
        char *text = vz->graph_tree(y, &o, err);
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
    follow(v, y, &o, NULL);
    int picture_width, picture_height, window_width, window_height;
    if (vz->graph_window_sizes(v->graph_window, &picture_width, &picture_height, &window_width,
                               &window_height) &&
        (window_width < picture_width || window_height < picture_height)) {
        double scale = (double)window_width / picture_width;
        if ((double)window_height / picture_height < scale) scale = (double)window_height / picture_height;
        fprintf(repl_out(r),
                "show: the graph (%dx%d pixels) is shrunk to %.0f%% to fit the screen; render() writes "
                "it full size, depth=N shows the part near the output\n",
                picture_width, picture_height, 100 * scale);
    }
    return 0;
}

/* After a statement: the variable show() follows may have been rebound, and
 * values and gradients may have changed.  Re-renders only when the drawing
 * would differ (same DOT text, same picture). */
static void refresh_shown(repl_viz *v) {
    if (v->shown == NULL || !vz->graph_window_open(v->graph_window)) return;
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
    char *dot = vz->graph_dot(v->shown, &v->shown_opts, err);
    if (dot != NULL && v->shown_dot != NULL && strcmp(dot, v->shown_dot) == 0) {
        free(dot);
        return;
    }
    window_title(v->shown, "", title, sizeof title);
    int rc = dot != NULL ? show_in_window(v, v->shown, &v->shown_opts, title, err) : -1;
    if (rc != 0) {
        free(dot);
        /* the window keeps its last picture; say why once, not after every statement */
        if (rc < 0 && strcmp(err, v->shown_error) != 0) {
            fflush(repl_out(r));
            fprintf(r->err, "show: %s (the window keeps the last picture)\n", err);
            fflush(r->err);
            snprintf(v->shown_error, sizeof v->shown_error, "%s", err);
        }
        return;
    }
    free(v->shown_dot);
    v->shown_dot = dot;
    v->shown_error[0] = '\0';
}

void repl_viz_after_statement(repl_viz *v) {
    if (v == NULL) return;
    repl_viz_idle(v);
    refresh_shown(v);
}

/* Stepping through backward: an open graph window shows y's graph with the
 * function just processed marked; otherwise the text tree is printed (also
 * when only a plot window is open and print_tree is false: the tree is then
 * the only place the step can be seen). */
void repl_viz_step(repl_viz *v, ag_var *y, ag_func *active, bool print_tree) {
    (void)print_tree;
    if (v == NULL || y == NULL) return;
    repl *r = v->r;
    if (viz_load(v) < 0) {
        fprintf(repl_out(r), "    (%s)\n", viz_load_error());
        return;
    }
    viz_graph_opts o;
    vz->graph_opts_default(&o);
    session_notes(r, &o);
    if (v->shown != NULL) o = v->shown_opts;
    o.digits = repl_digits(r);
    o.zoom = r->plot_zoom;
    o.active = active;
    char hint[96]; /* backward takes no max_nodes=: name a call that does */
    snprintf(hint, sizeof hint, "tree(%s", ag_name(y)[0] ? ag_name(y) : "y");
    o.hint_call = hint;
    char err[VIZ_ERRLEN] = "";
    if (vz->graph_window_open(v->graph_window)) {
        char title[160], what[96] = " (backward done)";
        if (active != NULL) {
            char label[64];
            ag_func_label(active, label, sizeof label);
            snprintf(what, sizeof what, " (backward: %s)", label);
        }
        window_title(y, what, title, sizeof title);
        if (show_in_window(v, y, &o, title, err) < 0) {
            fflush(repl_out(r));
            fprintf(r->err, "show: %s\n", err);
            fflush(r->err);
        }
        vz->graph_window_pump(v->graph_window);
        /* the picture is y's now: the next refresh draws the shown graph again */
        free(v->shown_dot);
        v->shown_dot = NULL;
        return;
    }
    char *text = vz->graph_tree(y, &o, err);
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

/* ---- plots -------------------------------------------------------------------- */

/* The session's figure, made (and the viz module loaded) the first time;
 * NULL when that failed (plot_failed then says why). */
static viz_plot *session_plot(repl *r) {
    repl_viz *v = repl_get_viz(r);
    return viz_load(v) < 0 ? NULL : v->plot;
}

/* Keeps the windows live from inside loops, where plot and track are called. */
static void pump(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || !any_window_open(v)) return;
    if (r->chunk == NULL) serve_windows(v);
    else if (loop_turn(v)) serve_in_loop(v);
}

/* A session that should have windows but cannot open one (the display
 * refused, say) is told once why, and that plots are still recorded. */
static void no_window_notice(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || v->plot == NULL || !v->windows || v->told_no_window || vz->plot_window_open(v->plot))
        return;
    v->told_no_window = true;
    const char *why = vz->window_last_error();
    fflush(repl_out(r));
    fprintf(r->err, "plot: no window could be opened%s%s; plots are still recorded and savefig writes them\n",
            why[0] ? ": " : "", why);
    fflush(r->err);
}

/* err: the message of the failed viz_plot_* call; "" when there was no
 * figure to call (the viz module missing, or out of memory making it) */
static int plot_failed(repl *r, const builtin_args *a, const char *err) {
    return repl_error(r, "%s: %s", a->def->name, err[0] ? err : viz_load_error());
}

/* ---- pace ------------------------------------------------------------------------ */

static uint64_t name_hash(char kind, const char *name) {
    uint64_t hash = (1469598103934665603u ^ (unsigned char)kind) * 1099511628211u; /* FNV-1a */
    for (; *name != '\0'; name++) hash = (hash ^ (unsigned char)*name) * 1099511628211u;
    return hash;
}

/* Waits until `deadline_ms`, keeping the windows drawn and live, in short
 * sleeps that a Ctrl-C cuts short (the statement then stops as usual). */
static void wait_until(repl_viz *v, double deadline_ms) {
    bool served = false;
    while (!repl_interrupted) {
        double remaining = deadline_ms - precise_ms();
        if (remaining <= 0) break;
        if (!served && any_window_open(v)) {
            serve_windows(v); /* the frame that just ended is shown while we wait */
            served = true;
            continue;
        }
        if (remaining > 10) remaining = 10;
        struct timespec pause = {0, (long)(remaining * 1e6)};
        nanosleep(&pause, NULL); /* EINTR on Ctrl-C: the loop sees the flag */
    }
}

/* With a pace of N frames a second, called by plot ('s') and track ('p')
 * with the series' or path's name: a frame ends when one comes back (a
 * loop's next step), and the next may start only 1/N s after the last. */
static void paced_draw(repl *r, char kind, const char *name) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || !(r->pace_fps > 0)) return;
    uint64_t hash = name_hash(kind, name);
    bool repeated = false;
    for (int i = 0; i < v->frame_name_count && !repeated; i++) repeated = v->frame_names[i] == hash;
    double interval = 1000.0 / r->pace_fps, now = precise_ms();
    if (v->frame_start_ms == 0 || now - v->frame_start_ms > interval + 1000) {
        /* the first frame, or the loop paused (a prompt, a long step): no wait */
        v->frame_start_ms = now;
        v->frame_name_count = 0;
    } else if (repeated || v->frame_name_count == (int)(sizeof v->frame_names / sizeof v->frame_names[0])) {
        double deadline = v->frame_start_ms + interval;
        wait_until(v, deadline);
        now = precise_ms();
        /* steady frames: the next is timed from this one's deadline, unless late */
        v->frame_start_ms = now - deadline < interval ? deadline : now;
        v->frame_name_count = 0;
    }
    v->frame_names[v->frame_name_count++] = hash;
}

/* pace(fps): plot and track loops draw at most fps frames a second; 0 or
 * false turns it off. */
static int builtin_pace(repl *r, const builtin_args *a, repl_value *out) {
    double fps = 0;
    if (a->values[0].kind == VALUE_BOOL) {
        if (a->values[0].as.boolean)
            return repl_error(r, "pace: give frames a second (pace(30)), or 0 or false for off");
    } else if (arg_number(r, a, 0, &fps) < 0) {
        return -1;
    }
    return repl_viz_set_pace(r, fps) < 0 ? -1 : 0;
}

int repl_viz_set_pace(repl *r, double fps) {
    char shown[AG_NUMBUF];
    if (!isfinite(fps) || fps < 0 || fps > 1000)
        return repl_error(r, "pace: frames a second must be from 0 (off) to 1000, not %s",
                          ag_format_display(fps, 0, shown));
    r->pace_fps = fps;
    repl_viz *v = repl_get_viz(r);
    if (v != NULL) v->frame_start_ms = 0;
    return 0;
}

int repl_viz_set_zoom(repl *r, double zoom) {
    char shown[AG_NUMBUF];
    if (!isfinite(zoom) || zoom < 0.5 || zoom > 4)
        return repl_error(r, ":zoom takes a factor from 0.5 to 4 (1 is the default), not %s",
                          ag_format_display(zoom, 0, shown));
    r->plot_zoom = zoom;
    repl_viz *v = repl_get_viz(r);
    if (v != NULL) {
        if (v->plot != NULL) vz->plot_set_zoom(v->plot, zoom);
        v->shown_opts.zoom = zoom; /* the shown graph is drawn again after this statement */
        serve_windows(v);
    }
    return 0;
}

/* has_window(): true when plots are shown in a window in this session. */
static int builtin_has_window(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz *v = repl_get_viz(r);
    *out = value_bool(v != NULL && v->windows);
    return 0;
}

/* ---- plots -------------------------------------------------------------------------- */

/* A series' numbers from a variable (any shape, read flat) or a list of
 * numbers; malloc'd into *out. */
static int series_numbers(repl *r, const char *param, repl_value v, double **out, size_t *count) {
    *out = NULL;
    *count = 0;
    if (v.kind == VALUE_VAR) {
        size_t n = ag_size(v.as.var);
        *out = malloc((n > 0 ? n : 1) * sizeof **out);
        if (*out == NULL) return repl_error(r, "plot: out of memory");
        memcpy(*out, ag_cdata(v.as.var), n * sizeof **out);
        *count = n;
        return 0;
    }
    if (v.kind == VALUE_LIST) {
        size_t n = (size_t)v.as.list->count;
        *out = malloc((n > 0 ? n : 1) * sizeof **out);
        if (*out == NULL) return repl_error(r, "plot: out of memory");
        for (size_t i = 0; i < n; i++) {
            repl_value item = v.as.list->items[i];
            if (item.kind == VALUE_NUMBER) (*out)[i] = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) (*out)[i] = ag_item(item.as.var);
            else {
                free(*out);
                *out = NULL;
                char kind[64];
                return repl_error(r, "plot: %s must be numbers; item %zu is %s", param, i + 1,
                                  value_with_article(item, kind, sizeof kind));
            }
        }
        *count = n;
        return 0;
    }
    char kind[64];
    return repl_error(r, "plot: %s must be a variable or a list of numbers, not %s", param,
                      value_with_article(v, kind, sizeof kind));
}

/* plot(xs, ys, name=, points=): the whole series at once, replacing it. */
static int plot_whole(repl *r, const builtin_args *a, viz_plot *plot, const char *name) {
    char err[VIZ_ERRLEN] = "";
    double *xs = NULL, *ys = NULL;
    size_t x_count = 0, y_count = 0;
    bool points = false;
    if (arg_given(a, 4) && arg_bool(r, a, 4, &points) < 0) return -1;
    if (arg_given(a, 3))
        return repl_error(r, "plot: log= is for series by step (plot(v, log=true)), not for plot(xs, ys)");
    if (series_numbers(r, "xs", a->values[0], &xs, &x_count) < 0) return -1;
    if (series_numbers(r, "ys", a->values[1], &ys, &y_count) < 0) {
        free(xs);
        return -1;
    }
    int rc = 0;
    if (x_count != y_count)
        rc = repl_error(r, "plot: xs has %zu numbers and ys %zu; they must match", x_count, y_count);
    else if (plot == NULL || vz->plot_series(plot, name, xs, ys, x_count, points, err) < 0)
        rc = plot_failed(r, a, err);
    free(xs);
    free(ys);
    return rc;
}

/* plot(v, name=nil, log=nil): appends a scalar to the series named after v
 * (its source text when unnamed); plot(xs, ys, ...) draws a whole series. */
static int builtin_plot(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    /* the old form plot(v, "name") gives the name second */
    bool whole = arg_given(a, 1) && a->values[1].kind != VALUE_STRING;
    if (arg_given(a, 1) && !whole && arg_given(a, 2))
        return repl_error(r, "plot: name given twice (as the second argument and name=)");
    if (whole && a->values[0].kind == VALUE_NUMBER) {
        char kind[64];
        return repl_error(r, "plot: the second argument is a name (plot(v, \"loss\")) or ys "
                             "(plot(xs, ys) with two lists or variables), not %s",
                          value_with_article(a->values[1], kind, sizeof kind));
    }
    int name_index = whole || !arg_given(a, 1) ? 2 : 1;
    char source[128];
    const char *name = "value";
    if (arg_given(a, name_index)) {
        if (arg_string(r, a, name_index, &name) < 0) return -1;
        if (name[0] == '\0') return repl_error(r, "plot: name must not be empty");
    } else if (arg_source(a, whole ? 1 : 0, source, sizeof source)) {
        name = source;
    } else if (!whole && a->values[0].kind == VALUE_VAR && ag_name(a->values[0].as.var)[0] != '\0') {
        name = ag_name(a->values[0].as.var);
    }
    if (whole) {
        if (plot_whole(r, a, plot, name) < 0) return -1;
    } else {
        double value;
        if (arg_given(a, 4)) return repl_error(r, "plot: points= is for plot(xs, ys)");
        if (arg_number(r, a, 0, &value) < 0) return -1;
        bool log_scale = false;
        if (arg_given(a, 3) && arg_bool(r, a, 3, &log_scale) < 0) return -1;
        if (plot == NULL || vz->plot_append(plot, name, value, err) < 0) return plot_failed(r, a, err);
        if (arg_given(a, 3)) vz->plot_set_log(plot, log_scale);
    }
    no_window_notice(r);
    paced_draw(r, 's', name);
    pump(r);
    return 0;
}

/* title(text): the figure's title; title("") removes it. */
static int builtin_title(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    const char *text;
    if (arg_string(r, a, 0, &text) < 0) return -1;
    if (plot == NULL || vz->plot_set_title(plot, text, err) < 0) return plot_failed(r, a, err);
    pump(r);
    return 0;
}

/* mark(x0, x1, label=""): a labelled cross over the contour. */
static int builtin_mark(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    double x, y;
    const char *label = "";
    if (arg_number(r, a, 0, &x) < 0 || arg_number(r, a, 1, &y) < 0) return -1;
    if (arg_given(a, 2) && arg_string(r, a, 2, &label) < 0) return -1;
    if (plot == NULL || vz->plot_mark(plot, x, y, label, err) < 0) return plot_failed(r, a, err);
    no_window_notice(r);
    pump(r);
    return 0;
}

/* [lo, hi] with lo < hi, both finite: a list of two numbers or a 2-vector. */
static int get_range(repl *r, const builtin_args *a, int index, double *lo, double *hi) {
    repl_value v = a->values[index];
    const char *param = index == 1 ? "xrange" : "yrange";
    bool ok = false;
    if (v.kind == VALUE_LIST && v.as.list->count == 2) {
        ok = true;
        double bounds[2] = {0, 0};
        for (int i = 0; i < 2 && ok; i++) {
            repl_value item = v.as.list->items[i];
            if (item.kind == VALUE_NUMBER) bounds[i] = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) bounds[i] = ag_item(item.as.var);
            else ok = false;
        }
        *lo = bounds[0];
        *hi = bounds[1];
    } else if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1 && ag_size(v.as.var) == 2) {
        ok = true;
        *lo = ag_cdata(v.as.var)[0];
        *hi = ag_cdata(v.as.var)[1];
    }
    if (!ok) return repl_error(r, "contour: %s must be a list of two numbers [lo, hi]", param);
    if (!(isfinite(*lo) && isfinite(*hi) && *lo < *hi))
        return repl_error(r, "contour: %s must be [lo, hi] with finite lo < hi", param);
    return 0;
}

static const char *callee_name(repl_value f) {
    if (f.kind == VALUE_FUNCTION) return f.as.function->name;
    if (f.kind == VALUE_BUILTIN) return f.as.builtin->name;
    return "f";
}

/* The user's function at one grid point, for viz_plot_contour. */
typedef struct contour_call {
    repl *r;
    repl_value f;
    bool failed;
    bool interrupted;
} contour_call;

static double call_at(void *user, double x, double y) {
    contour_call *call = user;
    if (call->failed) return NAN;
    if (repl_interrupted) {
        call->failed = call->interrupted = true;
        return NAN;
    }
    repl_value argv[2] = {value_number(x), value_number(y)}, result;
    if (repl_call_value(call->r, call->f, 2, argv, &result) < 0) {
        call->failed = true;
        return NAN;
    }
    double value = NAN;
    if (result.kind == VALUE_NUMBER) {
        value = result.as.number;
    } else if (result.kind == VALUE_VAR && ag_size(result.as.var) == 1) {
        value = ag_item(result.as.var);
    } else {
        char kind[64 + 12 * AG_MAX_DIMS];
        if (result.kind == VALUE_VAR) {
            char shape[AG_SHAPEBUF];
            snprintf(kind, sizeof kind, "a variable of shape %s",
                     ag_shape_string(ag_ndim(result.as.var), ag_shape(result.as.var), shape));
        } else {
            value_with_article(result, kind, sizeof kind);
        }
        call->failed = true;
        char xs[AG_NUMBUF], ys[AG_NUMBUF];
        repl_error(call->r, "contour: f must return a number, but %s(%s, %s) returned %s",
                   callee_name(call->f), ag_format_display(x, 0, xs), ag_format_display(y, 0, ys), kind);
    }
    value_release(result);
    return value;
}

/* levels=N or [list] and log=true|false of contour into *levels. */
static int contour_levels(repl *r, const builtin_args *a, double *listed, viz_plot_levels *levels) {
    if (arg_given(a, 4)) {
        bool log_spacing;
        if (arg_bool(r, a, 4, &log_spacing) < 0) return -1;
        levels->spacing = log_spacing ? VIZ_PLOT_SPACING_LOG : VIZ_PLOT_SPACING_LINEAR;
    }
    if (!arg_given(a, 3)) return 0;
    repl_value given = a->values[3];
    if (given.kind == VALUE_NUMBER) {
        double count = given.as.number;
        char shown[AG_NUMBUF];
        if (!(count >= 1 && count <= VIZ_PLOT_MAX_LEVELS && count == floor(count)))
            return repl_error(r, "contour: levels must be a whole number from 1 to %d or a list of "
                                 "levels, not %s",
                              VIZ_PLOT_MAX_LEVELS, ag_format_display(count, 0, shown));
        levels->count = (int)count;
        return 0;
    }
    double *values = NULL;
    size_t count = 0;
    if (given.kind != VALUE_LIST && given.kind != VALUE_VAR)
        return repl_error(r, "contour: levels must be a number of levels or a list of levels");
    if (series_numbers(r, "levels", given, &values, &count) < 0) return -1;
    int rc = 0;
    if (count < 1 || count > VIZ_PLOT_MAX_LEVELS) {
        rc = repl_error(r, "contour: levels lists 1 to %d levels, not %zu", VIZ_PLOT_MAX_LEVELS, count);
    } else {
        for (size_t i = 0; i < count && rc == 0; i++) {
            char shown[AG_NUMBUF];
            if (!isfinite(values[i]))
                rc = repl_error(r, "contour: level %zu is %s; levels must be finite", i + 1,
                                ag_format_display(values[i], 0, shown));
            listed[i] = values[i];
        }
        levels->values = listed;
        levels->count = (int)count;
    }
    free(values);
    return rc;
}

/* contour(f, [x_lo, x_hi], [y_lo, y_hi], levels=, log=): level curves of f(a, b). */
static int builtin_contour(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    repl_value f = a->values[0];
    bool callable = f.kind == VALUE_FUNCTION || f.kind == VALUE_BUILTIN ||
                    (f.kind == VALUE_OBJECT && f.as.object->type && f.as.object->type->call);
    char kind[64];
    if (!callable)
        return repl_error(r, "contour: f must be a function of two numbers (def f(a, b) = ...), not %s",
                          value_with_article(f, kind, sizeof kind));
    if (f.kind == VALUE_FUNCTION && f.as.function->def->as.def.parameters.count != 2) {
        int count = f.as.function->def->as.def.parameters.count;
        return repl_error(r, "contour: f must take two arguments (a, b); %s takes %d", f.as.function->name,
                          count);
    }
    double xlo, xhi, ylo, yhi;
    if (get_range(r, a, 1, &xlo, &xhi) < 0 || get_range(r, a, 2, &ylo, &yhi) < 0) return -1;
    if (plot == NULL) return plot_failed(r, a, err);
    double listed[VIZ_PLOT_MAX_LEVELS];
    viz_plot_levels levels = {.spacing = VIZ_PLOT_SPACING_AUTO};
    if (contour_levels(r, a, listed, &levels) < 0) return -1;
    contour_call call = {.r = r, .f = f};
    /* only the values are needed: recording 40,000 graphs would be slow */
    bool grad_enabled = ag_set_grad_enabled(repl_ctx(r), false);
    bool nonfinite_before = ag_nonfinite_op(repl_ctx(r)) != NULL;
    int rc = vz->plot_contour_levels(plot, call_at, &call, xlo, xhi, ylo, yhi, &levels, err);
    ag_set_grad_enabled(repl_ctx(r), grad_enabled);
    /* f may be undefined in part of the range (log, sqrt): those points are
     * skipped, not a NaN the user should hear about */
    if (!nonfinite_before) ag_clear_nonfinite(repl_ctx(r));
    if (call.interrupted) {
        repl_interrupted = 0;
        return repl_error(r, "interrupted");
    }
    if (call.failed) return -1; /* the call reported why */
    if (rc < 0) return plot_failed(r, a, err);
    pump(r);
    return 0;
}

/* track(x0, x1, name=nil): the current point of two parameters on a path. */
static int builtin_track(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    double x, y;
    if (arg_number(r, a, 0, &x) < 0 || arg_number(r, a, 1, &y) < 0) return -1;
    char name[160] = "path";
    if (arg_given(a, 2)) {
        const char *given;
        if (arg_string(r, a, 2, &given) < 0) return -1;
        if (given[0] == '\0') return repl_error(r, "track: name must not be empty");
        snprintf(name, sizeof name, "%s", given);
    } else {
        char first[72], second[72];
        if (arg_source(a, 0, first, sizeof first) && arg_source(a, 1, second, sizeof second))
            snprintf(name, sizeof name, "%s, %s", first, second);
        else if (a->values[0].kind == VALUE_VAR && a->values[1].kind == VALUE_VAR &&
                 ag_name(a->values[0].as.var)[0] && ag_name(a->values[1].as.var)[0])
            snprintf(name, sizeof name, "%s, %s", ag_name(a->values[0].as.var),
                     ag_name(a->values[1].as.var));
    }
    if (plot == NULL || vz->plot_track(plot, name, x, y, err) < 0) return plot_failed(r, a, err);
    no_window_notice(r);
    paced_draw(r, 'p', name);
    pump(r);
    return 0;
}

/* savefig(file): the current figure as PNG, SVG or PDF by the file's
 * extension, window or not. */
static int builtin_savefig(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    const char *file;
    if (arg_string(r, a, 0, &file) < 0 || repl_files_allowed(r, "savefig") < 0) return -1;
    if (plot == NULL || vz->plot_savefig(plot, file, err) < 0) return plot_failed(r, a, err);
    fprintf(repl_out(r), "wrote %s\n", file);
    return 0;
}

static int builtin_clearplot(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz *v = repl_get_viz(r);
    if (v != NULL && v->plot != NULL) vz->plot_clear(v->plot); /* no figure yet: nothing to clear */
    pump(r);
    return 0;
}

#define GRAPH_OPTIONS \
    "values=true, grads=true, rankdir=\"TB\", title=nil, depth=nil, max_nodes=nil, fold=nil"

const builtin_def builtins_viz[] = {
    {"dot", "y, file=nil, " GRAPH_OPTIONS, builtin_dot, "graphs",
     "the Graphviz DOT text of the graph ending at y; dot(y, \"g.dot\") writes it"},
    {"render", "y, file, " GRAPH_OPTIONS, builtin_render, "graphs",
     "draws the graph ending at y into a .png, .svg, .pdf (or .dot) file; fold=true draws each "
     "def call and model layer as one box (default: above 60 nodes); grads=\"kept\" only stored .grad"},
    {"show", "y, " GRAPH_OPTIONS, builtin_show, "graphs",
     "a window with y's graph, kept current after every statement and while a loop runs "
     "(text tree without a display); in it: wheel, + and - zoom, drag and arrows pan, 0 fits, "
     "a click inspects a node, ? shows the keys"},
    {"tree", "y, values=true, grads=true, depth=nil, max_nodes=nil, fold=nil", builtin_tree, "graphs",
     "the graph ending at y as an indented text tree"},
    {"plot", "v, ys=nil, name=nil, log=nil, points=nil", builtin_plot, "plots",
     "plot(v) appends the scalar v to the series named as written (or name; log=true: log y "
     "axis); plot(xs, ys) draws a whole series, replaced on each call (points=true: dots)"},
    {"title", "text", builtin_title, "plots", "the figure's title (\"\" removes it)"},
    {"contour", "f, xrange, yrange, levels=nil, log=nil", builtin_contour, "plots",
     "level curves of f(a, b) over [x_lo, x_hi] x [y_lo, y_hi]; levels=N or [list], log=true|false"},
    {"track", "x0, x1, name=nil", builtin_track, "plots",
     "adds the point (x0, x1) to a path drawn over the contour"},
    {"mark", "x0, x1, label=\"\"", builtin_mark, "plots",
     "marks the point (x0, x1) over the contour with a cross and a label (a minimum, say)"},
    {"pace", "fps", builtin_pace, "plots",
     "loops that plot or track draw at most fps frames a second (0 or false: off, the default)"},
    {"has_window", "", builtin_has_window, "plots", "true when plots are shown in a window here"},
    {"savefig", "file", builtin_savefig, "plots",
     "saves the current plot as PNG, SVG or PDF by the file's extension (works headless)"},
    {"clearplot", "", builtin_clearplot, "plots",
     "forgets every series, path, mark, the contour and the title"},
    {0},
};
