/* viz_session.h — the session's windows, shared by the files of the viz
 * bridge (private to them; the rest of the REPL uses builtins.h):
 *   viz_session.c     the session's state: loading the viz module, serving
 *                     the windows at the prompt and from inside loops, :zoom
 *   viz_follow.c      what the graph window shows: show()'s followed graph,
 *                     marked graphs (gradcheck), backward's steps
 *   viz_pace.c        pace(): loops that plot are slowed to N frames a second
 *   builtins_graph.c  dot, render, tree, show
 *   builtins_plot.c   plot, title, contour, track, mark, savefig, ...
 *
 * Windows open only in a session a person watches (interactive, or a script
 * run from a terminal; not --headless; with a display).  Everywhere else
 * everything is still recorded and written to files, and show() prints the
 * graph as a text tree. */
#ifndef REPL_VIZ_SESSION_H
#define REPL_VIZ_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "repl_internal.h"
#include "viz_load.h"

/* "typically": the median of the last few services, so that one slow
 * service (the first frame of a window with its fonts and shared-memory
 * image, a moment the process was descheduled, the X server busy) never
 * sets how long the windows then wait (viz_session.c) */
enum { LOOP_COST_SAMPLES = 5 };

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
    bool shown_drawn;              /* shown_digest is the picture on screen's: */
    uint64_t shown_digest;         /* unchanged means no re-render (viz_graph_digest) */
    char shown_error[VIZ_ERRLEN];  /* the last refresh failure, reported once */
    double next_loop_serve_ms;     /* inside a statement, windows wait until then */
    double loop_costs[LOOP_COST_SAMPLES]; /* ms the last in-loop services took (0: none yet) */
    unsigned loop_cost_next;       /* where the next cost goes in loop_costs */
    unsigned boundary_calls;       /* repl_viz_idle calls inside statements */
    FILE *trace;                   /* AGREPL_WINDOW_TRACE: each in-loop service's CPU time, or NULL */
    bool told_no_window;           /* the user heard why no plot window opened */
    double plane[4];               /* xlo, xhi, ylo, yhi of the last boundary() or neurons() */
    bool plane_known;
    /* pace: a frame ends when a series or path gets its second point in it */
    double frame_start_ms;         /* 0: no frame yet */
    uint64_t frame_names[32];      /* hashes of the names drawn in this frame */
    int frame_name_count;
};

/* The viz layer's entry points, once loaded (repl/viz_load.h); NULL before. */
extern const viz_module *repl_vz;

/* ---- display.c: pictures for a front end's display (repl_set_display) ---- */

/* show(y) with a display: y's graph as HTML, SVG, PNG and text.  0 or -1 (error set). */
int repl_display_graph(repl *r, ag_var *y, const viz_graph_opts *o);
/* The same as the output display_id names (a new one when NULL), replacing
 * it when update is true: backward's steps play in one output.  0, or -1
 * with the reason in err (no session error is set). */
int repl_display_graph_as(repl *r, ag_var *y, const viz_graph_opts *o, const char *display_id, bool update,
                          char err[VIZ_ERRLEN]);
/* A plot built-in changed the figure: hand it over when the pace allows. */
void repl_display_plot_changed(repl *r);
/* The figure changed since it was last handed over: hand it over now
 * (savefig in the web page: the pane shows the figure saved). */
void repl_display_plot_now(repl *r);

/* ---- viz_session.c ---------------------------------------------------------------- */

/* Loads the viz module and makes the session's plot and graph window, the
 * first time.  0, or -1: the module could not be loaded
 * (repl_viz_load_error() says why) or memory ran out. */
int repl_viz_load(repl_viz *v);
/* Why repl_viz_load failed, in words for the user. */
const char *repl_viz_load_error(void);
/* repl_viz_load, or -1 with the reason after "what: " (repl_error). */
int repl_viz_ready(repl *r, const char *what);
/* The figure a statement draws in: the session's, or the panel its panel=
 * (argument `index` of a: a name or a number 1 to VIZ_PLOT_MAX_SHEETS)
 * chooses for a picture of `kind`, made on first use.  0, or -1 with the
 * error set (a bad panel value, another kind in that panel, no viz). */
int repl_viz_panel(repl *r, const builtin_args *a, int index, viz_plot_panel kind, viz_plot **out);
/* Forgets what show() displays (the window itself is closed separately). */
void repl_viz_forget_shown(repl_viz *v);
bool repl_viz_any_window_open(const repl_viz *v);
/* Handles both windows' events and redraws what changed. */
void repl_viz_serve_windows(repl_viz *v);
/* A precise monotonic clock in ms. */
double repl_viz_precise_ms(void);
/* clearplot(): the figure starts over (nothing when none was made yet). */
void repl_viz_clear_figure(repl *r);
/* Keeps the windows live from inside loops, where plot and track are called. */
void repl_viz_pump(repl *r);
/* serve_windows from inside a statement, with the graph show() follows
 * brought up to date, timed for the next in-loop service. */
void repl_viz_serve_in_loop(repl_viz *v);

/* ---- viz_follow.c ----------------------------------------------------------------- */

/* The session's notes on groups and parameter paths, for every drawing. */
void repl_viz_session_notes(repl *r, viz_graph_opts *o);
/* Renders y into the graph window.  0 shown, 1 no window here, -1 with err. */
int repl_viz_show_in_window(repl_viz *v, ag_var *y, const viz_graph_opts *o, const char *title,
                            char err[VIZ_ERRLEN]);
/* "agrepl graph: NAME" and what, for the graph window's title. */
void repl_viz_window_title(const ag_var *y, const char *what, char *buf, size_t n);
/* Makes y, drawn with o, what the graph window follows (see viz_follow.c);
 * on_screen is the digest of the picture the window shows, NULL: y's, as
 * it was just drawn. */
void repl_viz_follow(repl_viz *v, ag_var *y, const viz_graph_opts *o, const uint64_t *on_screen);
/* Draws the followed graph again when its drawing changed; false when the
 * window keeps its last picture instead (too many nodes, a failed layout). */
bool repl_viz_refresh_shown(repl_viz *v);

/* ---- viz_pace.c ------------------------------------------------------------------- */

/* Called by plot ('s') and track ('p') with the series' or path's name:
 * waits out the frame when a pace is set. */
void repl_viz_paced_draw(repl *r, char kind, const char *name);
/* True while a pace times a loop's frames: their ends draw the windows, so
 * the in-loop services do not. */
bool repl_viz_pacing(const repl *r, const repl_viz *v);
/* pace(fps), the built-in (its row is in builtins_plot.c's table). */
int repl_builtin_pace(repl *r, const builtin_args *a, repl_value *out);

#endif
