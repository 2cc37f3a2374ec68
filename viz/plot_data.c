/* plot_data.c — the data inside a panel's frame (plot_data.h): segments
 * clipped to it, polylines broken where a point cannot be shown, the
 * series' lines and dots, the contour's level curves, the tracked paths
 * with their start rings, current points and labels, the marks; and how
 * much of all that a legend's box would hide.  plot_draw.c lays the panels
 * out around them. */
#include "plot_data.h"
#include "plot_maps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Level curves, lowest level first: indigo through teal to a light green, so
 * the curves near the minimum, where the paths go, are the strongest. */
static const colour level_scale[] = {RGB(59, 79, 154), RGB(58, 156, 168), RGB(166, 217, 106)};

static colour level_colour(int level, int level_count) {
    double t = level_count <= 1 ? 0 : (double)level / (level_count - 1);
    double scaled = t * 2;
    int low = scaled >= 1 ? 1 : 0;
    double f = scaled - low;
    colour a = level_scale[low], b = level_scale[low + 1];
    return (colour){a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

/* y of a value in units, or false when it cannot be shown on this axis. */
static bool value_pixel(const plot_axes *a, double value, double *pixel) {
    if (!isfinite(value)) return false;
    if (a->log_y) {
        if (!(value > 0)) return false;
        value = log10(value);
    }
    *pixel = plot_to_pixel_y(a, value);
    return true;
}

/* Liang-Barsky: clips the segment to the rectangle; false when nothing is
 * left.  Keeps far-away points (1e300) away from Cairo's fixed point. */
static bool clip_segment(double *x0, double *y0, double *x1, double *y1, double left, double top,
                         double right, double bottom) {
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {*x0 - left, right - *x0, *y0 - top, bottom - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return false;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return false;
            if (t < t1) t1 = t;
        }
    }
    double sx = *x0, sy = *y0;
    *x0 = sx + t0 * dx;
    *y0 = sy + t0 * dy;
    *x1 = sx + t1 * dx;
    *y1 = sy + t1 * dy;
    return true;
}

static bool inside(const plot_axes *a, double x, double y) {
    return x > a->left && x < a->right + 1 && y > a->top && y < a->bottom + 1;
}



/* A polyline through mapped points, broken where a point cannot be shown,
 * stroked in its colour, width and dash style every PIECE segments and by
 * polyline_end. */
typedef struct polyline {
    figure *f;
    const plot_axes *axes;
    colour colour;
    double width;
    const dash_style *dash; /* NULL: solid */
    bool have_last;
    double last_x, last_y;
    bool joined;     /* the path's current point is (last_x, last_y) */
    int segments;    /* in the current path, not yet stroked */
    double length;   /* of the segments stroked before them: the dash goes on from here */
    double pending;  /* length of the segments not yet stroked */
} polyline;

/* Strokes the segments gathered so far. */
static void polyline_stroke(polyline *line) {
    figure *f = line->f;
    if (line->segments == 0) {
        cairo_new_path(f->cr);
        return;
    }
    if (line->dash != NULL && line->dash->count > 0)
        cairo_set_dash(f->cr, line->dash->on_off, line->dash->count, line->length);
    plot_stroke_lines(f, line->colour, line->width);
    cairo_set_dash(f->cr, NULL, 0, 0);
    line->length += line->pending;
    line->pending = 0;
    line->segments = 0;
}

static void polyline_end(polyline *line) {
    polyline_stroke(line);
}

static void polyline_point(polyline *line, double x, double y, bool visible) {
    if (!visible || !isfinite(x) || !isfinite(y)) {
        line->have_last = line->joined = false;
        return;
    }
    if (line->segments >= PIECE) {
        /* the next piece starts where this one ends (round caps join them) */
        bool joined = line->joined;
        polyline_stroke(line);
        if (joined) cairo_move_to(line->f->cr, line->last_x, line->last_y);
    }
    const plot_axes *a = line->axes;
    double x0 = line->have_last ? line->last_x : x, y0 = line->have_last ? line->last_y : y;
    double x1 = x, y1 = y;
    bool start_kept = x0 == line->last_x && y0 == line->last_y && line->joined;
    if (clip_segment(&x0, &y0, &x1, &y1, a->left - 8, a->top - 8, a->right + 8, a->bottom + 8)) {
        if (!(start_kept && x0 == line->last_x && y0 == line->last_y))
            cairo_move_to(line->f->cr, x0, y0);
        cairo_line_to(line->f->cr, x1, y1); /* a lone point shows as a round cap */
        line->segments++;
        line->pending += hypot(x1 - x0, y1 - y0);
        line->joined = x1 == x && y1 == y;
    } else {
        line->joined = false;
    }
    line->have_last = true;
    line->last_x = x;
    line->last_y = y;
}



static double series_x(const plot_series *s, size_t i) {
    return s->xs != NULL ? s->xs[i] : (double)i;
}

void plot_draw_series(figure *f, const plot_axes *a, const plot_series *s) {
    colour c = plot_series_colour(f->plot, s);
    if (s->points) {
        /* the dots filled opaque in pieces into a group, then the group
         * painted translucent: overlapping dots look as in one fill.  In SVG
         * and PDF each piece is filled translucent instead: Cairo 1.16 leaks
         * a block when it destroys a group of those surfaces. */
        bool grouped = cairo_surface_get_type(cairo_get_target(f->cr)) == CAIRO_SURFACE_TYPE_IMAGE;
        if (grouped) cairo_push_group(f->cr);
        plot_set_colour(f, c, grouped ? 1 : 0.75);
        int dots = 0;
        for (size_t i = 0; i < s->count; i++) {
            if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
            double x = plot_to_pixel_x(a, s->xs[i]), y;
            if (isfinite(x) && value_pixel(a, s->values[i], &y) && inside(a, x, y)) {
                plot_disc(f, x, y, DATA_DOT_RADIUS);
                if (++dots == PIECE) {
                    cairo_fill(f->cr);
                    dots = 0;
                }
            }
        }
        cairo_fill(f->cr);
        if (grouped) {
            cairo_pop_group_to_source(f->cr);
            cairo_paint_with_alpha(f->cr, 0.75);
        }
        return;
    }
    polyline line = {.f = f, .axes = a, .colour = c, .width = LINE_WIDTH, .dash = plot_series_dash(f->plot, s)};
    double columns = a->right - a->left;
    if (s->xs != NULL || (double)s->count <= 4 * columns) {
        for (size_t i = 0; i < s->count; i++) {
            if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
            double y = 0;
            bool visible = value_pixel(a, s->values[i], &y);
            polyline_point(&line, plot_to_pixel_x(a, series_x(s, i)), y, visible);
        }
    } else {
        /* More points than pixels: per pixel column the first, lowest,
         * highest and last point, which looks the same and stays fast. */
        size_t i = 0;
        while (i < s->count && !plot_figure_stopped(f)) {
            double column = floor(plot_to_pixel_x(a, (double)i)) + 0.5;
            double first = NAN, last = NAN, lowest = INFINITY, highest = -INFINITY;
            bool broken = false;
            for (; i < s->count && floor(plot_to_pixel_x(a, (double)i)) + 0.5 == column; i++) {
                double y;
                if (!value_pixel(a, s->values[i], &y)) {
                    broken = true;
                    continue;
                }
                if (isnan(first)) first = y;
                last = y;
                if (y < lowest) lowest = y;
                if (y > highest) highest = y;
            }
            if (broken || isnan(first)) polyline_point(&line, 0, 0, false);
            if (isnan(first)) continue;
            polyline_point(&line, column, first, true);
            polyline_point(&line, column, lowest, true);
            polyline_point(&line, column, highest, true);
            polyline_point(&line, column, last, true);
        }
    }
    polyline_end(&line);
    if (s->xs == NULL && s->count <= SMALL_SERIES) {
        for (size_t i = 0; i < s->count; i++) {
            double y;
            if (value_pixel(a, s->values[i], &y)) plot_disc(f, plot_to_pixel_x(a, (double)i), y, SERIES_DOT_RADIUS);
        }
        plot_set_colour(f, c, 1);
        cairo_fill(f->cr);
    }
}

void plot_draw_contour_lines(figure *f, const plot_axes *a, const plot_contour *contour) {
    /* segments come level by level: one path and one colour per level */
    for (size_t i = 0; i < contour->segment_count; i++) {
        const plot_segment *s = &contour->segments[i];
        cairo_move_to(f->cr, plot_to_pixel_x(a, s->x0), plot_to_pixel_y(a, s->y0));
        cairo_line_to(f->cr, plot_to_pixel_x(a, s->x1), plot_to_pixel_y(a, s->y1));
        if (i + 1 == contour->segment_count || contour->segments[i + 1].level != s->level)
            plot_stroke_lines(f, level_colour(s->level, contour->level_count), CONTOUR_LINE_WIDTH);
    }
}

/* The first and last finite points of a path: false when it has none. */
static bool path_ends(const plot_path *path, size_t *first, size_t *last) {
    size_t i = 0, j = path->count;
    while (i < path->count && !(isfinite(path->xs[i]) && isfinite(path->ys[i]))) i++;
    while (j > i && !(isfinite(path->xs[j - 1]) && isfinite(path->ys[j - 1]))) j--;
    *first = i;
    *last = j;
    return i < j;
}

/* How many paths before `index` start within a marker of where it does:
 * their rings are nested, each in its own colour. */
static int earlier_starts_here(const plot_axes *a, const viz_plot *plot, size_t index) {
    size_t first, last;
    if (!path_ends(&plot->paths[index], &first, &last)) return 0;
    double x = plot_to_pixel_x(a, plot->paths[index].xs[first]);
    double y = plot_to_pixel_y(a, plot->paths[index].ys[first]);
    int count = 0;
    for (size_t k = 0; k < index; k++) {
        size_t kf, kl;
        if (!path_ends(&plot->paths[k], &kf, &kl)) continue;
        double kx = plot_to_pixel_x(a, plot->paths[k].xs[kf]), ky = plot_to_pixel_y(a, plot->paths[k].ys[kf]);
        if (hypot(kx - x, ky - y) < MARKER_RADIUS) count++;
    }
    return count;
}

void plot_draw_path(figure *f, const plot_axes *a, size_t index) {
    const plot_path *path = &f->plot->paths[index];
    colour c = plot_path_colour(path);
    cairo_t *cr = f->cr;
    polyline line = {.f = f, .axes = a, .colour = c, .width = LINE_WIDTH, .dash = plot_path_dash(path)};
    for (size_t i = 0; i < path->count; i++) {
        if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
        polyline_point(&line, plot_to_pixel_x(a, path->xs[i]), plot_to_pixel_y(a, path->ys[i]),
                       isfinite(path->xs[i]) && isfinite(path->ys[i]));
    }
    polyline_end(&line);
    if (path->count <= SMALL_PATH) {
        for (size_t i = 1; i + 1 < path->count; i++) {
            double x = plot_to_pixel_x(a, path->xs[i]), y = plot_to_pixel_y(a, path->ys[i]);
            if (isfinite(x) && isfinite(y) && inside(a, x, y)) plot_disc(f, x, y, PATH_DOT_RADIUS);
        }
        plot_set_colour(f, c, 1);
        cairo_fill(cr);
    }
    size_t first, last;
    if (!path_ends(path, &first, &last)) return;
    /* the start: a ring in the path's colour, nested around earlier ones */
    double sx = plot_to_pixel_x(a, path->xs[first]), sy = plot_to_pixel_y(a, path->ys[first]);
    if (inside(a, sx, sy)) {
        double radius = MARKER_RADIUS + 3.2 * earlier_starts_here(a, f->plot, index);
        cairo_new_sub_path(cr);
        cairo_arc(cr, sx, sy, radius, 0, 2 * G_PI);
        plot_stroke_lines(f, background, 5.2);
        cairo_new_sub_path(cr);
        cairo_arc(cr, sx, sy, radius, 0, 2 * G_PI);
        plot_stroke_lines(f, c, 2.4);
    }
    /* the current point: a disc with a dark rim */
    double cx = plot_to_pixel_x(a, path->xs[last - 1]), cy = plot_to_pixel_y(a, path->ys[last - 1]);
    if (inside(a, cx, cy)) {
        plot_disc(f, cx, cy, MARKER_RADIUS);
        plot_set_colour(f, c, 1);
        cairo_fill_preserve(cr);
        plot_set_colour(f, frame_colour, 1);
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
    }
}

/* How much of the tracked paths lies in the box [x0, x1] x [y0, y1] (in
 * pixels): points sampled along each drawn segment, 3 px apart. */
static double label_crossings(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1,
                              double y1) {
    double count = 0;
    for (size_t k = 0; k < plot->path_count; k++) {
        const plot_path *p = &plot->paths[k];
        for (size_t i = 0; i + 1 < p->count; i++) {
            double ax = plot_to_pixel_x(a, p->xs[i]), ay = plot_to_pixel_y(a, p->ys[i]);
            double bx = plot_to_pixel_x(a, p->xs[i + 1]), by = plot_to_pixel_y(a, p->ys[i + 1]);
            if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by)) continue;
            if (fmax(ax, bx) < x0 || fmin(ax, bx) > x1 || fmax(ay, by) < y0 || fmin(ay, by) > y1) continue;
            double length = hypot(bx - ax, by - ay);
            int samples = length < 3 ? 1 : length > 3000 ? 1000 : (int)(length / 3);
            for (int j = 0; j <= samples; j++) {
                double t = (double)j / samples, px = ax + t * (bx - ax), py = ay + t * (by - ay);
                count += px >= x0 && px <= x1 && py >= y0 && py <= y1;
            }
        }
    }
    return count;
}

/* How many of the paths' markers (a start's ring, where a path is now)
 * touch the box [x0, x1] x [y0, y1]. */
static int label_markers(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1, double y1) {
    int count = 0;
    for (size_t k = 0; k < plot->path_count; k++) {
        size_t first, last;
        if (!path_ends(&plot->paths[k], &first, &last)) continue;
        size_t ends[2] = {first, last - 1};
        for (int e = 0; e < 2; e++) {
            double px = plot_to_pixel_x(a, plot->paths[k].xs[ends[e]]);
            double py = plot_to_pixel_y(a, plot->paths[k].ys[ends[e]]);
            double dx = px - fmax(x0, fmin(px, x1)), dy = py - fmax(y0, fmin(py, y1));
            count += hypot(dx, dy) < MARKER_RADIUS + 2;
        }
    }
    return count;
}

/* A cross at each mark with its label beside it, outlined to read over
 * the level curves, where the paths cover it least: of above right, below
 * right, above left, below left, above and below the cross (each slid
 * along its row into the frame), the first with the fewest points of the
 * drawn paths in it, a path's marker counting as 50 (the page's marks()
 * in repl/web/figure_svg.js, the same rule). */
void plot_draw_marks(figure *f, const plot_axes *a) {
    cairo_t *cr = f->cr;
    for (size_t i = 0; i < f->plot->mark_count; i++) {
        const plot_mark *m = &f->plot->marks[i];
        double x = plot_to_pixel_x(a, m->x), y = plot_to_pixel_y(a, m->y);
        if (!inside(a, x, y)) continue;
        for (int pass = 0; pass < 2; pass++) {
            cairo_move_to(cr, x - MARK_SIZE, y - MARK_SIZE);
            cairo_line_to(cr, x + MARK_SIZE, y + MARK_SIZE);
            cairo_move_to(cr, x - MARK_SIZE, y + MARK_SIZE);
            cairo_line_to(cr, x + MARK_SIZE, y - MARK_SIZE);
            plot_stroke_lines(f, pass == 0 ? background : text_colour, pass == 0 ? 6 : 2.6);
        }
        if (m->label[0] == '\0') continue;
        double w, h;
        plot_text_size(f, m->label, LABEL_TEXT, false, &w, &h);
        double best_x = 0, best_y = 0, best_cost = INFINITY;
        for (int place = 0; place < 6; place++) {
            bool up = place % 2 == 0;
            double x0 = place < 2   ? x + MARK_SIZE + 5
                        : place < 4 ? x - MARK_SIZE - 5 - w
                                    : x - w / 2;
            double y0 = up ? y - MARK_SIZE - 2 - h : y + MARK_SIZE + 2;
            x0 = fmax(a->left, fmin(x0, a->right - w)); /* along its row into the frame */
            double cost = label_crossings(f->plot, a, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3) +
                          50.0 * label_markers(f->plot, a, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3);
            if (x0 < a->left || y0 < a->top || y0 + h > a->bottom) cost += 1e6;
            if (cost < best_cost) best_cost = cost, best_x = x0, best_y = y0;
        }
        plot_draw_text_styled(f, m->label, LABEL_TEXT, false, best_x, best_y, ALIGN_START, ALIGN_START, false,
                              text_colour, 4);
    }
}

/* ---- what a legend would hide -------------------------------------------------- */

/* True when what is drawn at (x, y), a disc of `radius` (0: a line's
 * point), overlaps the box: a dot whose centre is just outside it is still
 * half under it. */
static bool in_box(plot_box b, double x, double y, double radius) {
    if (!isfinite(x) || !isfinite(y)) return false;
    if (!(radius > 0)) return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
    double dx = fmax(fmax(b.x - x, x - (b.x + b.w)), 0), dy = fmax(fmax(b.y - y, y - (b.y + b.h)), 0);
    return dx * dx + dy * dy < radius * radius;
}

double plot_series_dot_radius(const plot_series *s) {
    return s->points ? DATA_DOT_RADIUS : s->xs == NULL && s->count <= SMALL_SERIES ? SERIES_DOT_RADIUS : 0;
}

size_t plot_points_under(const viz_plot *plot, const plot_axes *a, viz_plot_panel which, plot_box b) {
    size_t hidden = 0;
    if (which != VIZ_PLOT_PANEL_CONTOUR) {
        for (size_t k = 0; k < plot->series_count; k++) {
            const plot_series *s = &plot->series[k];
            if (!plot_series_in_panel(s, which)) continue;
            size_t stride = s->count / 2000 + 1;
            double dot = plot_series_dot_radius(s);
            for (size_t i = 0; i < s->count; i += stride) {
                double y;
                if (value_pixel(a, s->values[i], &y) && in_box(b, plot_to_pixel_x(a, series_x(s, i)), y, dot))
                    hidden++;
            }
        }
    } else {
        for (size_t k = 0; k < plot->path_count; k++) {
            const plot_path *path = &plot->paths[k];
            size_t stride = path->count / 2000 + 1, first, last;
            double dot = path->count <= SMALL_PATH ? PATH_DOT_RADIUS : 0;
            for (size_t i = 0; i < path->count; i += stride)
                hidden += in_box(b, plot_to_pixel_x(a, path->xs[i]), plot_to_pixel_y(a, path->ys[i]), dot);
            if (!path_ends(path, &first, &last)) continue;
            /* its start's ring (to its halo's edge) and its current point's disc (and rim) */
            double ring = MARKER_RADIUS + 3.2 * earlier_starts_here(a, plot, k) + 2.6;
            hidden += in_box(b, plot_to_pixel_x(a, path->xs[first]), plot_to_pixel_y(a, path->ys[first]), ring);
            hidden += in_box(b, plot_to_pixel_x(a, path->xs[last - 1]), plot_to_pixel_y(a, path->ys[last - 1]),
                             MARKER_RADIUS + 0.7);
        }
        for (size_t k = 0; k < plot->mark_count; k++)
            if (in_box(b, plot_to_pixel_x(a, plot->marks[k].x), plot_to_pixel_y(a, plot->marks[k].y), MARK_SIZE + 3))
                hidden += 50;
        /* a dot whose centre is just outside the box is still half under it */
        const double dot = 6;
        hidden += plot_maps_points_in(plot, a, b.x - dot, b.y - dot, b.x + b.w + dot, b.y + b.h + dot);
        /* and the boundary's line: playground_xor's legend sat on it where
         * the classes meet at the bottom, between the points */
        hidden += plot_maps_edge_in(plot, a, b.x, b.y, b.x + b.w, b.y + b.h);
    }
    return hidden;
}
