/* unit_maps.h — a layer's units over the input plane drawn into any Cairo
 * surface with the neurons panel's colours (plot_maps.c): the graph
 * window's inspector draws them under a layer's value and gradient, the
 * kernel's inline graph gets them as a PNG.  Internal to viz/. */
#ifndef VIZ_UNIT_MAPS_H
#define VIZ_UNIT_MAPS_H

#include <cairo.h>

#include "graph.h"

/* Draws maps' units as a grid of small heat maps (a caption line, then up
 * to four a row, each numbered) at (x, y), `width` wide, text `pixels`
 * high; returns the height drawn.  Each unit's colour is diverging around
 * the centre, the layer's largest distance from it at full strength, as
 * neurons() draws it. */
double viz_draw_unit_maps(cairo_t *cr, const viz_unit_maps *maps, double x, double y, double width, double pixels);

/* The maps alone as a small PNG, a cell a pixel, up to 8 maps a row (their
 * number in *columns), for a page to scale up: malloc'd bytes and their
 * count in *size, or NULL when out of memory. */
unsigned char *viz_unit_maps_png(const viz_unit_maps *maps, int *columns, size_t *size);

#endif
