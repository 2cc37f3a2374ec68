/* plot_data.h — the data inside a panel's frame (plot_data.c): series,
 * level curves, tracked paths, marks, and how much a legend's box would
 * hide of them. */
#ifndef VIZ_PLOT_DATA_H
#define VIZ_PLOT_DATA_H

#include "plot_pen.h"

/* How many of the drawn points the box would hide (sampled on long data;
 * on a map also the pieces of a boundary's threshold line): the legend goes
 * where it hides the fewest. */
size_t plot_points_under(const viz_plot *plot, const plot_axes *a, viz_plot_panel which, plot_box b);
/* Series s's line or dots (plot(), scatter's points), in its colour. */
void plot_draw_series(figure *f, const plot_axes *a, const plot_series *s);
/* The contour's level curves, coloured lowest (indigo) to highest (light green). */
void plot_draw_contour_lines(figure *f, const plot_axes *a, const plot_contour *contour);
/* Tracked path `index` of f's plot: its line, start ring and current point. */
void plot_draw_path(figure *f, const plot_axes *a, size_t index);
/* The marks (mark()): a cross each, its label where the paths do not run. */
void plot_draw_marks(figure *f, const plot_axes *a);
/* The radius of the dots a series draws at its points; 0 for none. */
double plot_series_dot_radius(const plot_series *s);

#endif
