/* plot_legend.h — a panel's legend (plot_legend.c): its place, where it
 * hides the fewest of the drawn points, and its drawing, in the frame, in a
 * row over a map or in a box outside it. */
#ifndef VIZ_PLOT_LEGEND_H
#define VIZ_PLOT_LEGEND_H

#include "plot_pen.h"

/* The legend's place: the corner, or else the place along the top or
 * bottom edge, that hides the fewest points, or with `inside` (a map, where
 * data may leave a hole: ten classes in a ring) one of nine places within,
 * the middle first, when every edge hides some; *hidden says how many,
 * *row the height of a row of it. */
plot_box plot_legend_place(figure *f, const plot_axes *a, viz_plot_panel which, const legend_entry *entries,
                           int count, bool inside, double *row, size_t *hidden);
/* The legend in the corner of the frame that hides the fewest points. */
void plot_draw_legend(figure *f, const plot_axes *a, viz_plot_panel which, const legend_entry *entries,
                      int count);
/* The legend as one row over the frame's right end, outside the data, for a
 * map whose every place inside would hide points (the moons, the spiral's
 * arms); from no further left than left_limit.  False when the row does not
 * fit there (plot_legend_row_fits). */
bool plot_draw_legend_above(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                            double left_limit);
bool plot_legend_row_fits(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                          double left_limit);
/* The legend's box with its top left corner at (x, y), its entries in
 * `columns` columns a row at a time: outside the frame, right of a map's
 * frame and colour bar (one column) or under it (plot_draw.c,
 * map_legend_place); its names fitted to a box `room` wide (0: as in the
 * frame), as plot_legend_columns fitted them. */
void plot_draw_legend_at(figure *f, const plot_axes *a, const legend_entry *entries, int count, int columns,
                         double x, double y, double room);
/* The most columns (up to count) whose legend is at most room wide, then as
 * few as keep its rows (8 entries: 4 columns of 2 rows, not 5 and 3); the
 * box's *width and *height in them.  Names are cut to fit room, not the
 * frame: the box is outside it (under a narrow map on a projector the
 * classes' names were cut to a lone "…" each). */
int plot_legend_columns(figure *f, const legend_entry *entries, int count, double room, double *width,
                        double *height);
/* Whether every name fits whole in a legend inside the frame (else
 * plot_draw_legend cuts it short). */
bool plot_legend_names_fit(figure *f, const plot_axes *a, const legend_entry *entries, int count);
/* entries holds the first count (at most PLOT_MAX_LEGEND_ENTRIES) of total
 * things a legend names; when some are left out (total > count) the last
 * entry becomes "… and K more", without a swatch, K counting it too, so
 * none is dropped unsaid (20 classes listed 16, the rest silently
 * missing).  more holds its text.  Returns the entries' count. */
enum { PLOT_LEGEND_MORE_BYTES = 40 };
int plot_legend_and_more(legend_entry *entries, int count, int total, char more[PLOT_LEGEND_MORE_BYTES]);

#endif
