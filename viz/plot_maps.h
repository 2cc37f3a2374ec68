/* plot_maps.h — the pictures of learning drawn with Cairo (plot_maps.c):
 * the boundary's field and colour bar, the class points, heat maps, image
 * grids and the network's units, from what plot_maps_data.h records. */
#ifndef VIZ_PLOT_MAPS_H
#define VIZ_PLOT_MAPS_H

#include "plot_pen.h"

/* Units to keep free right of the map panel's frame for the field's colour bar
 * (its labels measured: they end PLOT_EDGE_MARGIN inside the panel). */
double plot_maps_colour_bar_room(figure *f);
/* Under everything else in the map panel: the field (a boundary's heat map)
 * and where the model decides (the threshold's curve, the classes' borders). */
void plot_maps_draw_field(figure *f, const plot_axes *a);
/* Over the level curves: the class-coloured points (scatter). */
void plot_maps_draw_points(figure *f, const plot_axes *a);
/* Right of the frame: the field's colour bar. */
void plot_maps_draw_colour_bar(figure *f, const plot_axes *a);
/* The classes' legend entries (the first `room` of them); their count, and
 * in *total how many classes the points hold. */
int plot_maps_legend(const viz_plot *plot, legend_entry *entries, int room, int *total);
/* How many of the class points fall in [x0, x1] x [y0, y1] (pixels). */
size_t plot_maps_points_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1,
                           double y1);
/* How many pieces of the boundary's threshold curve (the line where the
 * model decides) pass through [x0, x1] x [y0, y1] (pixels): a legend there
 * hides where the classes meet. */
size_t plot_maps_edge_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1, double y1);
/* The panels of their own: a heat map of a matrix, a grid of images, the
 * network's units over the plane. */
void plot_maps_heatmap_panel(figure *f, panel *p);
void plot_maps_images_panel(figure *f, panel *p);
void plot_maps_neurons_panel(figure *f, panel *p);

#endif
