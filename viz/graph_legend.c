/* graph_legend.c — the graph window's legend kept wholly in view
 * (graph_scene.h, "the legend"): its place in the picture, and, when the
 * view cuts it, where it is pinned inside the graph's area: slid along each
 * axis until it is inside, or moved to the other edge where it covers less
 * of the drawing.  Plain geometry on the scene and the view, with no
 * display; graph_window.c draws it there. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "graph_scene.h"

/* The legend's place in the picture (the node "legend"); false when the
 * drawing has none. */
bool viz_legend_box(const viz_scene *scene, double *x0, double *y0, double *x1, double *y1) {
    for (int i = 0; i < scene->nnodes; i++) {
        const viz_scene_node *n = &scene->nodes[i];
        if (n->kind != VIZ_NODE_OTHER || strcmp(n->name, "legend") != 0) continue;
        *x0 = n->x - n->width / 2 - 4, *y0 = n->y - n->height / 2 - 4;
        *x1 = n->x + n->width / 2 + 4, *y1 = n->y + n->height / 2 + 4;
        return true;
    }
    return false;
}

/* The area two rectangles (x, y, width, height) share. */
static double overlap(const double a[4], const double b[4]) {
    double across = fmin(a[0] + a[2], b[0] + b[2]) - fmax(a[0], b[0]);
    double down = fmin(a[1] + a[3], b[1] + b[3]) - fmax(a[1], b[1]);
    return across > 0 && down > 0 ? across * down : 0;
}

/* How much of the drawing's boxes a rectangle (x, y, width, height on
 * screen) covers: any of the output's box (with a margin) counts more than
 * all the rest. */
static double boxes_covered(const viz_scene *scene, const viz_view *view, const double at[4]) {
    double covered = 0;
    for (int i = 0; i < scene->nnodes; i++) {
        const viz_scene_node *n = &scene->nodes[i];
        if (n->kind == VIZ_NODE_OTHER) continue;
        bool output = n->kind == VIZ_NODE_VAR && scene->output != NULL && n->var == scene->output;
        double margin = output ? 12 : 0;
        double box[4] = {0, 0, n->width * view->scale + 2 * margin, n->height * view->scale + 2 * margin};
        viz_view_to_screen(view, n->x - n->width / 2, n->y - n->height / 2, &box[0], &box[1]);
        box[0] -= margin, box[1] -= margin;
        covered += (output ? 1e6 : 1) * overlap(at, box);
    }
    return covered;
}

/* Where the legend goes in the graph's area (area_width x height) when the
 * view leaves its place in the picture (screen box s[4]: x, y, width,
 * height) partly outside: at the view's scale (never above 100 %: zoomed
 * in, the graph grows, not the legend) or smaller to fit, slid along
 * each axis until it is wholly inside, as a sticky header (dragging the view
 * along that axis moves it no further, along the other it follows the
 * picture); or, along an axis, at the other edge of the area when there it
 * covers less of the boxes (never the output's, when it can).  That choice is made
 * while the view is fitted (a picture opening, a resize: choose_edges) into
 * *edge_x and *edge_y, and kept while the user drags and zooms, so the
 * legend never jumps about.  Writes the place and size into out[4]. */
void viz_legend_pin(const viz_scene *scene, const viz_view *view, bool choose_edges, int *edge_x, int *edge_y,
                    const double s[4], double picture_width, double picture_height, int area_width, int height,
                    double out[4]) {
    double scale = fmin(fmin(view->scale, 1), fmin(area_width / picture_width, height / picture_height));
    double width = picture_width * scale, tall = picture_height * scale;
    double x = fmax(0, fmin(s[0], area_width - width)), y = fmax(0, fmin(s[1], height - tall));
    if (choose_edges) { /* choose the edges again */
        double other_x = x + width / 2 < area_width / 2.0 ? area_width - width : 0;
        double other_y = y + tall / 2 < height / 2.0 ? height - tall : 0;
        const double places[4][2] = {{x, y}, {x, other_y}, {other_x, y}, {other_x, other_y}};
        double least = INFINITY;
        int best = 0;
        for (int i = 0; i < 4; i++) {
            double at[4] = {places[i][0], places[i][1], width, tall};
            double covered = boxes_covered(scene, view, at);
            /* another place only for a clear gain */
            if (covered < least - 0.02 * width * tall) least = covered, best = i;
        }
        *edge_x = best >= 2 ? (other_x > 0) : -1;
        *edge_y = best % 2 ? (other_y > 0) : -1;
    }
    if (*edge_x >= 0) x = *edge_x ? area_width - width : 0;
    if (*edge_y >= 0) y = *edge_y ? height - tall : 0;
    out[0] = x, out[1] = y, out[2] = width, out[3] = tall;
}

