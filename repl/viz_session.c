/* viz_session.c — the session's windows (viz_session.h): the viz module
 * loaded at the first graph or plot built-in, the live plot (viz/plot.h)
 * and graph window (viz/graph_window.h), served between prompts and, paced,
 * from inside running statements; :zoom. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "viz_session.h"

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
    LOOP_MOST_SHARE = 2
};

const viz_module *repl_vz;

/* A display is named: windows can open there (SDL is asked later). */
static bool display_named(void) {
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    return (x11 != NULL && x11[0] != '\0') || (wayland != NULL && wayland[0] != '\0');
}

repl_viz *repl_viz_new(repl *r, bool headless) {
    repl_viz *v = calloc(1, sizeof *v);
    if (v == NULL) return NULL;
    v->r = r;
    /* a person at the terminal gets windows (`agrepl -i lesson.ag` too); a
     * script run from one keeps them open at its end (repl_wait_for_windows) */
    v->windows = !headless && (repl_is_interactive(r) || r->settings.script_windows) && display_named();
    return v;
}

/* Loads the viz module and makes the session's plot and graph window, the
 * first time.  0, or -1: the module could not be loaded (viz_module_error()
 * says why) or memory ran out. */
int repl_viz_load(repl_viz *v) {
    if (v == NULL) return -1;
    if (v->plot != NULL) return 0;
    if ((repl_vz = viz_module_get()) == NULL) return -1;
    if (v->windows) {
        repl_vz->window_hints(); /* before the plot or graph window starts SDL video */
        const char *trace = getenv("AGREPL_WINDOW_TRACE");
        if (trace != NULL && trace[0] != '\0' && v->trace == NULL) v->trace = fopen(trace, "a");
    }
    v->plot = repl_vz->plot_new(!v->windows);
    v->graph_window = repl_vz->graph_window_new(!v->windows);
    repl_vz->plot_set_interrupt(v->plot, &repl_interrupted); /* Ctrl-C stops a long savefig */
    if (v->plot == NULL || v->graph_window == NULL) {
        repl_vz->plot_free(v->plot);
        repl_vz->graph_window_free(v->graph_window);
        v->plot = NULL;
        v->graph_window = NULL;
        return -1;
    }
    repl_vz->plot_set_zoom(v->plot, v->r->settings.plot_zoom);
    v->r->viz_live = true;
    return 0;
}

/* Why viz_load failed, in words for the user. */
const char *repl_viz_load_error(void) {
    return repl_vz == NULL && viz_module_error()[0] != '\0' ? viz_module_error() : "out of memory";
}

/* viz_load, or -1 with the reason after "what: " (repl_error). */
int repl_viz_ready(repl *r, const char *what) {
    return repl_viz_load(repl_get_viz(r)) < 0 ? repl_error(r, "%s: %s", what, repl_viz_load_error()) : 0;
}

int repl_viz_panel(repl *r, const builtin_args *a, int index, viz_plot_panel kind, viz_plot **out) {
    const char *what = a->def->name;
    *out = NULL;
    if (repl_viz_ready(r, what) < 0) return -1;
    viz_plot *plot = repl_get_viz(r)->plot;
    if (!arg_given(a, index) || a->values[index].kind == VALUE_NIL) {
        *out = plot;
        return 0;
    }
    repl_value v = a->values[index];
    const char *name = NULL;
    int number = 0;
    if (v.kind == VALUE_STRING) {
        name = v.as.string->text;
    } else if (v.kind == VALUE_NUMBER || (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 0)) {
        double given = v.kind == VALUE_NUMBER ? v.as.number : ag_item(v.as.var);
        if (!(given >= 1 && given <= VIZ_PLOT_MAX_SHEETS && given == floor(given))) {
            char shown[AG_NUMBUF];
            return repl_error(r, "%s: panel must be a name or a whole number from 1 to %d, not %s", what,
                              VIZ_PLOT_MAX_SHEETS, ag_format_display(given, 0, shown));
        }
        number = (int)given;
    } else {
        char kind_text[64];
        return repl_error(r, "%s: panel must be a name (\"before\") or a whole number from 1 to %d, not %s", what,
                          VIZ_PLOT_MAX_SHEETS, value_with_article(v, kind_text, sizeof kind_text));
    }
    if (repl_vz->plot_sheet == NULL)
        return repl_error(r, "%s: panel= is not drawn in this build (its viz module has no panels)",
                          what);
    char err[VIZ_ERRLEN] = "";
    *out = repl_vz->plot_sheet(plot, name, number, kind, err);
    return *out != NULL ? 0 : repl_error(r, "%s: %s", what, err);
}

/* Forgets what show() displays (the window itself is closed separately). */
void repl_viz_forget_shown(repl_viz *v) {
    if (v->shown != NULL) ag_release(v->shown);
    v->shown = NULL;
    free(v->shown_name);
    free(v->shown_title);
    for (int i = 0; v->shown_marks != NULL && i < v->shown_opts.nmarks; i++)
        ag_release((ag_var *)v->shown_marks[i].var);
    free(v->shown_marks);
    v->shown_marks = NULL;
    v->shown_opts.marks = NULL;
    v->shown_opts.nmarks = 0;
    v->shown_name = v->shown_title = NULL;
    v->shown_drawn = false;
    v->shown_error[0] = '\0';
}

void repl_viz_free(repl_viz *v) {
    if (v == NULL) return;
    v->r->viz_live = false;
    repl_viz_forget_shown(v);
    if (v->plot != NULL) {
        repl_vz->graph_window_free(v->graph_window);
        repl_vz->plot_free(v->plot);
    }
    if (v->trace != NULL) fclose(v->trace);
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

bool repl_viz_any_window_open(const repl_viz *v) {
    return v->plot != NULL &&
           (repl_vz->plot_window_open(v->plot) || repl_vz->graph_window_open(v->graph_window));
}

/* Handles both windows' events and redraws what changed. */
void repl_viz_serve_windows(repl_viz *v) {
    if (v->plot == NULL) return;
    if (repl_vz->plot_window_open(v->plot)) repl_vz->plot_pump(v->plot);
    if (repl_vz->graph_window_open(v->graph_window)) {
        repl_vz->graph_window_pump(v->graph_window);
        if (!repl_vz->graph_window_open(v->graph_window)) repl_viz_forget_shown(v); /* the user closed it */
        if (repl_vz->graph_window_take_rerender(v->graph_window) && v->shown != NULL) {
            v->shown_drawn = false; /* a folded box was clicked open: draw it again */
            repl_viz_refresh_shown(v);
        }
    }
}

double repl_viz_precise_ms(void) {
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
void repl_viz_serve_in_loop(repl_viz *v) {
    double start = repl_viz_precise_ms(), coarse_start = coarse_ms();
    struct timespec cpu_start, cpu_end;
    if (v->trace != NULL) clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
    repl_viz_serve_windows(v);
    repl_viz_refresh_shown(v);
    if (v->trace != NULL) { /* what the window costs a loop, whatever else the machine runs */
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
        fprintf(v->trace, "loop service: %.3f ms of CPU\n",
                (double)(cpu_end.tv_sec - cpu_start.tv_sec) * 1e3 + (double)(cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e6);
        fflush(v->trace);
    }
    v->loop_costs[v->loop_cost_next] = repl_viz_precise_ms() - start;
    v->loop_cost_next = (v->loop_cost_next + 1) % LOOP_COST_SAMPLES;
    v->next_loop_serve_ms = coarse_start + loop_period_ms(typical_loop_cost(v));
}

bool repl_viz_following(const repl_viz *v) { return v != NULL && v->shown != NULL; }

REPL_HOT void repl_viz_idle(repl_viz *v) {
    /* no plot yet: no window (most scripts, at every statement boundary) */
    if (v == NULL || v->plot == NULL || !repl_viz_any_window_open(v)) return;
    /* Between prompts the front end calls every ~33 ms: full-rate redraws.
     * During a statement the evaluator may call at every statement boundary
     * (a million times a second): even the clock is read only every 32nd
     * call. */
    if (v->r->eval.chunk == NULL) {
        repl_viz_serve_windows(v);
    } else if ((++v->boundary_calls & 31) == 0 && loop_turn(v) && !repl_viz_pacing(v->r, v)) {
        repl_viz_serve_in_loop(v);
    }
}

int repl_viz_timeout_ms(const repl_viz *v) {
    return v != NULL && repl_viz_any_window_open(v) ? IDLE_TIMEOUT_MS : -1;
}

void repl_wait_for_windows(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL) return;
    repl_viz_serve_windows(v); /* the last drawing, and whether the user closed them already */
    if (!repl_viz_any_window_open(v)) return;
    fflush(repl_out(r));
    fputs("close the window or press Enter to exit\n", repl_out(r));
    fflush(repl_out(r));
    while (repl_viz_any_window_open(v) && !repl_interrupted) {
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
        repl_viz_serve_windows(v);
    }
    repl_interrupted = 0;
}

/* Keeps the windows live from inside loops, where plot and track are called. */
void repl_viz_pump(repl *r) {
    if (r->io.display != NULL) { /* the kernel: no windows, pictures in the notebook */
        repl_display_plot_changed(r);
        return;
    }
    repl_viz *v = repl_get_viz(r);
    /* no plot yet: no window (most scripts, at every statement boundary) */
    if (v == NULL || v->plot == NULL || !repl_viz_any_window_open(v)) return;
    if (r->eval.chunk == NULL) repl_viz_serve_windows(v);
    else if (loop_turn(v) && !repl_viz_pacing(r, v)) repl_viz_serve_in_loop(v); /* else the pace draws */
}

int repl_viz_set_zoom(repl *r, double zoom) {
    char shown[AG_NUMBUF];
    if (!isfinite(zoom) || zoom < 0.5 || zoom > 4)
        return repl_error(r, ":zoom takes a factor from 0.5 to 4 (1 is the default), not %s",
                          ag_format_display(zoom, 0, shown));
    r->settings.plot_zoom = zoom;
    repl_viz *v = repl_get_viz(r);
    if (v != NULL) {
        if (v->plot != NULL) repl_vz->plot_set_zoom(v->plot, zoom);
        v->shown_opts.zoom = zoom; /* the shown graph is drawn again after this statement */
        repl_viz_serve_windows(v);
    }
    return 0;
}
