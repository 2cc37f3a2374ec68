/* graph_window.h — an SDL2 window that shows one rendered graph picture.
 *
 * The REPL's show(y) renders the graph as pixels (viz_graph_pixels) and
 * hands them here; the window sizes itself to the picture (scaled down, box-filtered, when the picture is bigger than the
 * screen or the window) and keeps it on screen.  Like the plot window
 * (plot.h) it starts SDL video only with a DISPLAY or WAYLAND_DISPLAY, takes
 * only its own events from SDL's queue, closes on its close button, Esc or q
 * without ending anything, and shuts video down again when freed. */
#ifndef VIZ_GRAPH_WINDOW_H
#define VIZ_GRAPH_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"

typedef struct viz_graph_window viz_graph_window;

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

#endif
