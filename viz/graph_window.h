/* graph_window.h — the SDL2 window of show(y): the graph explorer.
 *
 * The REPL hands it a graph (viz_graph_window_show_graph); the window renders
 * it, sizes itself to the picture (fitted when the picture is bigger than the
 * screen) and keeps it on screen.  The user zooms with the wheel or + and -
 * around the pointer, pans by dragging or with the arrow keys, fits with 0;
 * hovering a node highlights its inputs (green) and outputs (orange);
 * clicking one opens an inspector beside the graph (graph_scene.h says what
 * it shows; PgUp/PgDn and the wheel scroll it, Esc closes it); ? shows the
 * keys.  A graph of the same structure as the one shown (a loop rebinding
 * it, a step of backward) keeps its layout, and the view the user chose; a
 * folded group clicked open keeps the rest of the layout around it
 * (graph_open.h), and folded again gets back the layout it had.
 * AGREPL_WINDOW_TRACE=FILE appends every event and the inspector's text to
 * FILE (for tests).  Like the plot window (plot.h) it starts SDL video only
 * with a DISPLAY or WAYLAND_DISPLAY, takes only its own events from SDL's
 * queue, closes on its close button, q, or Esc (when nothing else is open)
 * without ending anything, and shuts video down again when freed. */
#ifndef VIZ_GRAPH_WINDOW_H
#define VIZ_GRAPH_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"

typedef struct viz_graph_window viz_graph_window;

/* A graph bigger than the screen opens at this scale divided by :zoom at
 * least (its smallest text, 15 px at 100 % times :zoom, then 12 px),
 * showing its folded boxes and output (viz_view_open); one
 * that fits at that scale opens whole.  0 in the window fits it whole
 * however small. */
#define VIZ_WINDOW_OPEN_SCALE 0.8

/* Sets the SDL hints every agrepl window needs, before SDL video starts:
 * a window surface backed by X11 shared memory rather than a probe for an
 * OpenGL renderer, which on machines without a GPU starts software-GL
 * (llvmpipe) threads that compete with the user's loop for the CPU. */
void viz_window_hints(void);

/* The display layer's (SDL's) last error message, for telling the user why
 * no window opened; "" when there is none. */
const char *viz_window_last_error(void);

/* A closed window, or NULL when out of memory.  headless=true (or
 * AGREPL_HEADLESS set to anything but "" or "0") never opens one.  Nothing
 * touches SDL until the first picture is shown. */
viz_graph_window *viz_graph_window_new(bool headless);

/* Closes the window and frees everything; stops SDL video if this window
 * started it.  NULL is ignored. */
void viz_graph_window_free(viz_graph_window *window);

/* Shows the picture pixels[0..width*height) (as viz_graph_pixels makes it):
 * opens the window (titled `title`) or replaces its picture and title,
 * resizing the window when the picture's size changed, and draws it at once.
 * Returns 0 when it is on screen, 1 when no window can be shown here
 * (headless, no display) and -1 with a message in err when there is no
 * picture, no memory or the window cannot be made.  The pixels are copied. */
int viz_graph_window_show(viz_graph_window *window, const uint32_t *pixels, int width, int height,
                          const char *title, char err[VIZ_ERRLEN]);

/* Renders y's graph drawn with o and shows it as viz_graph_window_show does,
 * remembering where each node is (hit-testing, the inspector); a graph of
 * the structure last shown keeps its layout.  The inspector, when open,
 * follows its node (by DOT name) and shows its new values.  Returns 0 shown,
 * 1 no window here (nothing is rendered), -1 with a message in err (too many
 * nodes, no memory, no window). */
int viz_graph_window_show_graph(viz_graph_window *window, ag_var *y, const viz_graph_opts *o,
                                const char *title, char err[VIZ_ERRLEN]);

/* The digest (viz_graph_digest) of the graph the window shows, hashed while
 * viz_graph_window_show_graph drew it; false when not known (no graph shown,
 * or boxes clicked open: the caller computes it then). */
bool viz_graph_window_digest(const viz_graph_window *window, uint64_t *digest);

/* The folded groups the user clicked open (a node named box<N>):
 * unfolded[N] != 0, for N below *count; NULL when none.  Owned by the window. */
const unsigned char *viz_graph_window_unfolded(const viz_graph_window *window, int *count);

/* True once after a click changed what should be drawn (a box expanded):
 * the caller draws the graph again even though its values did not change. */
bool viz_graph_window_take_rerender(viz_graph_window *window);

/* Handles the window's events (expose, resize, close) and redraws when
 * needed; returns at once when no window is open.  Only this window's events
 * are taken from SDL's queue. */
void viz_graph_window_pump(viz_graph_window *window);

/* True while the window is shown (false after the user closed it). */
bool viz_graph_window_open(const viz_graph_window *window);

/* Closes the window (the session goes on; show opens it again). */
void viz_graph_window_close(viz_graph_window *window);

/* Test hook: the size of the picture last shown and of the window's drawable
 * area, in pixels.  False when no window is open. */
bool viz_graph_window_sizes(const viz_graph_window *window, int *picture_width,
                            int *picture_height, int *window_width, int *window_height);

/* The scale the picture is shown at, the scale that would fit it whole in
 * the graph's part of the window, and the part of the picture on screen
 * (x0, y0, x1, y1 in picture pixels).  False when no window is open. */
bool viz_graph_window_view(const viz_graph_window *window, double *scale, double *fit_scale, double visible[4]);

#endif
