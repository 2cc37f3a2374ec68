/* cairo.h (web build) — the two Cairo types viz/plot_internal.h names in the
 * recorded figure's struct.  The web build compiles the figure (viz/plot.c,
 * plot_contour.c, plot_ticks.c) but draws nothing with Cairo: the page draws
 * the figure from its data (repl/web/plot_web.c), so no Cairo function exists
 * here and none is called. */
#ifndef AGREPL_WEB_CAIRO_H
#define AGREPL_WEB_CAIRO_H
typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
#endif
