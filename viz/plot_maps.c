/* plot_maps.c — the pictures of learning drawn with Cairo (plot_maps.h): points
 * coloured by class and a model's output over the plane in the map panel
 * (with the contour and paths), and panels of their own for a matrix as a
 * heat map, a grid of small images and the network's units, each over the
 * plane, as TensorFlow Playground lays them out.  What each call records,
 * and every colour, scale and label computed from it, is in
 * plot_maps_data.c (no Cairo: the web page uses it too). */
#include "plot_maps.h"
#include "unit_maps.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POINT_RADIUS 4.6
#define EDGE_WIDTH 2.2
#define BAR_WIDTH 16.0
#define BAR_GAP 16.0  /* between the picture and its colour bar */
#define BAR_ROOM 78.0 /* kept right of the picture for the bar, at least */
/* a heat map's cell is at least this high and wide where the room allows:
 * a 2 x 200 matrix drew cells under 4 px, a strip with its bar's three
 * labels on top of each other; its cells are then taller than wide */
#define CELL_LEGIBLE 24.0

/* ---- the map panel: field, points, colour bar, legend ---------------------- */

/* The width of a field's bars of its classes side by side (one narrow bar
 * per class, up to PLOT_CLASS_BARS_MOST), or of its one grey bar. */
static double class_bars_width(const plot_field *field) {
    int shown = plot_class_bars_shown(field);
    return shown == 1 ? BAR_WIDTH : shown * BAR_WIDTH / 2;
}

/* From a colour bar's left edge to the right end of its labels: the bar's
 * width, the gap and the widest of the labels of `values` on a bar from
 * low to high. */
static double bar_reach(figure *f, double bar_width, double low, double high, const double *values, int count) {
    double widest = 0, w, h;
    for (int i = 0; i < count; i++) {
        char text[40];
        plot_bar_label(values[i], low, high, text, sizeof text);
        plot_text_size(f, text, TICK_TEXT, false, &w, &h);
        widest = fmax(widest, w);
    }
    return bar_width + 5 + widest;
}

/* The field's bar: one bar labelled at its ends and threshold, or the
 * classes' bars labelled 1 and chance. */
static double field_bar_reach(figure *f, const plot_field *field) {
    if (field->channels == 1)
        return bar_reach(f, BAR_WIDTH, field->low, field->high,
                         (const double[]){field->low, field->high, field->threshold}, 3);
    return bar_reach(f, class_bars_width(field), 1.0 / field->channels, 1, (const double[]){1, 1.0 / field->channels}, 2);
}

double plot_maps_colour_bar_room(figure *f) {
    if (!f->plot->field.present) return 0;
    /* the labels end PLOT_EDGE_MARGIN inside the panel's right edge, as
     * text does at its left edge (wide ones, a 1e-4 model's "-0.000254" or
     * eight classes' bars, ran off the figure) */
    return fmax(BAR_ROOM, BAR_GAP + field_bar_reach(f, &f->plot->field) + PLOT_EDGE_MARGIN - PLOT_FRAME_RIGHT_MARGIN);
}

/* Paints a width x height grid of colours (row 0 at the bottom) into the
 * rectangle; smooth (bilinear) or in blocks (nearest). */
static void paint_cells(figure *f, const uint32_t *argb, int width, int height, double x, double y,
                        double w, double h, bool smooth) {
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(image);
        return;
    }
    cairo_surface_flush(image);
    unsigned char *data = cairo_image_surface_get_data(image);
    int stride = cairo_image_surface_get_stride(image);
    for (int row = 0; row < height; row++)
        memcpy(data + (size_t)(height - 1 - row) * stride, argb + (size_t)row * width, (size_t)width * 4);
    cairo_surface_mark_dirty(image);
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / width, h / height);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_pattern_set_filter(cairo_get_source(cr), smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(image);
}

/* Lines `spacing` apart over [x, x + w] x [y, y + h] in one of six
 * directions (1 "/", 2 "\\", 3 "-", 4 "|", 5 both diagonals, 6 both
 * straight), on a lattice fixed to the figure so neighbouring cells' lines
 * meet. */
_Static_assert(PLOT_MARKER_COUNT == 7, "a hatch for each marker after the circle: six directions");
static void hatch_path(cairo_t *cr, int style, double x, double y, double w, double h, double spacing) {
    /* each direction as (a, b): the lines a*px + b*py = c, c a multiple of the step */
    static const double directions[6][2][2] = {
        {{1, 1}, {0, 0}}, {{1, -1}, {0, 0}}, {{0, 1}, {0, 0}}, {{1, 0}, {0, 0}}, {{1, 1}, {1, -1}}, {{0, 1}, {1, 0}},
    };
    for (int d = 0; d < 2; d++) {
        double a = directions[style - 1][d][0], b = directions[style - 1][d][1];
        if (a == 0 && b == 0) continue;
        double norm = hypot(a, b), step = spacing * norm;
        double corners[4] = {a * x + b * y, a * (x + w) + b * y, a * x + b * (y + h), a * (x + w) + b * (y + h)};
        double low = fmin(fmin(corners[0], corners[1]), fmin(corners[2], corners[3]));
        double high = fmax(fmax(corners[0], corners[1]), fmax(corners[2], corners[3]));
        for (double c = floor(low / step) * step; c <= high; c += step) {
            if (b == 0) { /* vertical: px = c / a */
                cairo_move_to(cr, c / a, y);
                cairo_line_to(cr, c / a, y + h);
            } else { /* py = (c - a*px) / b at the box's left and right */
                cairo_move_to(cr, x, (c - a * x) / b);
                cairo_line_to(cr, x + w, (c - a * (x + w)) / b);
            }
        }
    }
}

/* Past ten classes the colours come round again (class 10's region was
 * class 0's colour, told apart only by the points' markers): a region of
 * class 10 and up is hatched with lines of its class's full colour, a
 * direction a round of ten as its points take a marker a round (10 to 19
 * "/" with triangles, 20 to 29 "\\" with squares, then "-", "|", "x",
 * "+"). classes: each cell's (plot_field_class), row 0 at ylo. */
static void hatch_regions(figure *f, const plot_field *field, const int *classes, double x0, double y0, double w,
                          double h) {
    enum { HATCH_SPACING = 7 };
    cairo_t *cr = f->cr;
    double cell_w = w / field->columns, cell_h = h / field->rows;
    for (int k = VIZ_PLOT_CLASS_COLOURS; k < field->channels; k++) {
        bool any = false;
        cairo_new_path(cr);
        for (int row = 0; row < field->rows; row++) {
            const int *line = classes + (size_t)row * field->columns;
            for (int column = 0, start = -1; column <= field->columns; column++) {
                bool in = column < field->columns && line[column] == k;
                if (in && start < 0) start = column;
                if (in || start < 0) continue;
                cairo_rectangle(cr, x0 + start * cell_w, y0 + h - (row + 1) * cell_h, (column - start) * cell_w,
                                cell_h);
                any = true;
                start = -1;
            }
        }
        if (!any) continue;
        cairo_save(cr);
        cairo_clip(cr);
        hatch_path(cr, (int)plot_class_marker(k), x0, y0, w, h, HATCH_SPACING);
        plot_set_colour(f, plot_class_colour(k), 0.85);
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    cairo_new_path(cr);
}

void plot_maps_draw_field(figure *f, const plot_axes *a) {
    const plot_field *field = &f->plot->field;
    if (!field->present) return;
    size_t cells = (size_t)field->columns * field->rows;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) return;
    plot_field_pixels(field, argb);
    double x0 = plot_to_pixel_x(a, field->xlo), x1 = plot_to_pixel_x(a, field->xhi);
    double y0 = plot_to_pixel_y(a, field->yhi), y1 = plot_to_pixel_y(a, field->ylo);
    paint_cells(f, argb, field->columns, field->rows, x0, y0, x1 - x0, y1 - y0, true);
    free(argb);
    if (field->channels > VIZ_PLOT_CLASS_COLOURS) {
        int *classes = malloc(cells * sizeof *classes);
        if (classes != NULL) {
            for (size_t i = 0; i < cells; i++) classes[i] = plot_field_class(field, field->values + i * field->channels);
            hatch_regions(f, field, classes, x0, y0, x1 - x0, y1 - y0);
        }
        free(classes);
    }
    /* where the model decides: the threshold's curve or the classes' borders */
    const plot_contour *edge = &field->edge;
    for (size_t i = 0; i < edge->segment_count; i++) {
        const plot_segment *s = &edge->segments[i];
        cairo_move_to(f->cr, plot_to_pixel_x(a, s->x0), plot_to_pixel_y(a, s->y0));
        cairo_line_to(f->cr, plot_to_pixel_x(a, s->x1), plot_to_pixel_y(a, s->y1));
    }
    if (edge->segment_count > 0) plot_stroke_lines(f, frame_colour, EDGE_WIDTH);
}

void plot_maps_draw_points(figure *f, const plot_axes *a) {
    const plot_points *points = &f->plot->points;
    cairo_t *cr = f->cr;
    /* class by class, each in one path: a class's colour and marker and a dark rim */
    int top = plot_points_top_class(points);
    for (int k = 0; k <= top && !plot_figure_stopped(f); k++) {
        int drawn = 0;
        plot_marker marker = points->unlabelled ? PLOT_MARKER_CIRCLE : plot_class_marker(k);
        for (size_t i = 0; i < points->count; i++) {
            if (points->classes[i] != k) continue;
            double x = plot_to_pixel_x(a, points->xs[i]), y = plot_to_pixel_y(a, points->ys[i]);
            if (!isfinite(x) || !isfinite(y) || x < a->left - 10 || x > a->right + 10 || y < a->top - 10 ||
                y > a->bottom + 10)
                continue;
            plot_marker_path(f, marker, x, y, POINT_RADIUS);
            if (++drawn % 64 == 0) {
                plot_set_colour(f, plot_points_colour(points, k), 1);
                cairo_fill_preserve(cr);
                plot_set_colour(f, frame_colour, 0.85);
                cairo_set_line_width(cr, 1.1);
                cairo_stroke(cr);
            }
        }
        plot_set_colour(f, plot_points_colour(points, k), 1);
        cairo_fill_preserve(cr);
        plot_set_colour(f, frame_colour, 0.85);
        cairo_set_line_width(cr, 1.1);
        cairo_stroke(cr);
    }
}

/* How high a bar must be for its labels (two, or three with label_mid)
 * to stand apart. */
static double bar_least_height(figure *f, bool label_mid) {
    double w, h;
    plot_text_size(f, "0", TICK_TEXT, false, &w, &h);
    return (label_mid ? 2 : 1) * (h + 6);
}

/* A vertical bar of its `steps` bands (plot_bar_colours: low at the
 * bottom, high at the top), framed, with labels at its ends (and at mid). */
static void draw_bar(figure *f, double x, double top, double bottom, double low, double high, double mid,
                     const colour *bands, int steps, bool label_mid) {
    double band = (bottom - top) / steps;
    for (int i = 0; i < steps; i++) {
        cairo_rectangle(f->cr, x, bottom - (i + 1) * band, BAR_WIDTH, band + 0.6);
        plot_set_colour(f, bands[i], 1);
        cairo_fill(f->cr);
    }
    cairo_rectangle(f->cr, x + 0.5, top + 0.5, BAR_WIDTH - 1, bottom - top - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    char text[40];
    plot_bar_label(high, low, high, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, top, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    plot_bar_label(low, low, high, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, bottom, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    if (label_mid) {
        double y = bottom - (mid - low) / (high - low) * (bottom - top);
        plot_bar_label(mid, low, high, text, sizeof text);
        cairo_move_to(f->cr, x - 3, floor(y) + 0.5);
        cairo_line_to(f->cr, x + BAR_WIDTH + 3, floor(y) + 0.5);
        plot_set_colour(f, frame_colour, 1);
        cairo_set_line_width(f->cr, 1.6);
        cairo_stroke(f->cr);
        plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, y, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    }
}

void plot_maps_draw_colour_bar(figure *f, const plot_axes *a) {
    const plot_field *field = &f->plot->field;
    if (!field->present) return;
    double x = a->right + BAR_GAP, top = a->top + 8, bottom = a->bottom - 8;
    if (field->channels == 1) {
        colour bands[PLOT_BAR_STEPS];
        plot_bar_colours(plot_field_bar_colour, field, field->low, field->high, PLOT_BAR_STEPS, bands);
        draw_bar(f, x, top, bottom, field->low, field->high, field->threshold, bands, PLOT_BAR_STEPS, true);
        return;
    }
    /* one narrow bar per class, chance to sure, labelled once; past
     * PLOT_CLASS_BARS_MOST classes one grey bar (plot_class_bars_shown) */
    int shown = plot_class_bars_shown(field);
    double width = class_bars_width(field) / shown;
    for (int k = 0; k < shown; k++) {
        colour bands[PLOT_CLASS_BAR_STEPS];
        plot_class_bar_colours(k, field->channels, bands);
        const int steps = PLOT_CLASS_BAR_STEPS;
        double band = (bottom - top) / steps;
        for (int i = 0; i < steps; i++) {
            cairo_rectangle(f->cr, x + k * width, bottom - (i + 1) * band, width, band + 0.6);
            plot_set_colour(f, bands[i], 1);
            cairo_fill(f->cr);
        }
    }
    cairo_rectangle(f->cr, x + 0.5, top + 0.5, shown * width - 1, bottom - top - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    char text[40];
    double chance = 1.0 / field->channels;
    plot_bar_label(1, chance, 1, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + shown * width + 5, top, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    plot_bar_label(chance, chance, 1, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + shown * width + 5, bottom, ALIGN_START, ALIGN_CENTRE, false,
                   text_colour);
    plot_draw_text(f, "p", TICK_TEXT, x + shown * width / 2, top - 4, ALIGN_CENTRE, ALIGN_END, false, text_colour);
}

int plot_maps_legend(const viz_plot *plot, legend_entry *entries, int room, int *total) {
    static char numbered[VIZ_PLOT_MAX_CLASSES][24];
    const plot_points *points = &plot->points;
    bool present[VIZ_PLOT_MAX_CLASSES];
    plot_classes_present(points, present);
    int count = 0;
    *total = 0;
    for (int k = 0; k < VIZ_PLOT_MAX_CLASSES; k++) {
        if (!present[k]) continue;
        ++*total;
        if (count == room) continue;
        const char *name = plot_class_name(points, k, numbered[k]);
        entries[count++] = (legend_entry){name, plot_class_colour(k), POINT_RADIUS, false, NULL, plot_class_marker(k)};
    }
    return count;
}

size_t plot_maps_points_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1,
                           double y1) {
    const plot_points *points = &plot->points;
    size_t hidden = 0, stride = points->count / 2000 + 1;
    for (size_t i = 0; i < points->count; i += stride) {
        double x = plot_to_pixel_x(a, points->xs[i]), y = plot_to_pixel_y(a, points->ys[i]);
        if (x >= x0 && x < x1 && y >= y0 && y < y1) hidden++;
    }
    return hidden;
}

size_t plot_maps_edge_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1, double y1) {
    const plot_contour *edge = &plot->field.edge;
    if (!plot->field.present) return 0;
    /* a piece lies within one cell of the field's grid: its midpoint, the
     * line's half width around the box, says whether it is under it */
    const double half = EDGE_WIDTH / 2;
    size_t hidden = 0;
    for (size_t i = 0; i < edge->segment_count; i++) {
        const plot_segment *s = &edge->segments[i];
        double x = plot_to_pixel_x(a, (s->x0 + s->x1) / 2), y = plot_to_pixel_y(a, (s->y0 + s->y1) / 2);
        if (x >= x0 - half && x < x1 + half && y >= y0 - half && y < y1 + half) hidden++;
    }
    return hidden;
}

/* ---- panels of their own ---------------------------------------------------- */

/* The panel's title over its top and the room below it: the box the picture
 * may fill. */
static void panel_title(figure *f, panel *p, const char *title, double *top) {
    char named[VIZ_PLOT_MAX_SHEET_NAME + 200];
    if (f->sheet_name != NULL) { /* panel="before": its name first */
        snprintf(named, sizeof named, "%s: %s", f->sheet_name, title);
        title = named;
    }
    /* wrapped within the panel (a confusion matrix's long name beside
     * another panel at :zoom 1.5 ran off the figure's left edge) */
    double h = plot_draw_wrapped(f, title, LABEL_TEXT, p->x + p->w / 2, p->y + 14, p->w - 2 * PLOT_EDGE_MARGIN);
    *top = p->y + 14 + h + 10;
}

static void record_axes(panel *p, double left, double top, double right, double bottom, double x_min,
                        double x_max, double y_min, double y_max) {
    p->axes = (plot_axes){.left = left, .top = top, .right = right, .bottom = bottom,
                          .x_min = x_min, .x_max = x_max, .y_min = y_min, .y_max = y_max};
}

void plot_maps_heatmap_panel(figure *f, panel *p) {
    const plot_matrix *m = &f->plot->heatmap;
    char title[160];
    plot_matrix_title(m, title, sizeof title);
    double top;
    panel_title(f, p, title, &top);
    plot_matrix_scale scale = plot_matrix_scale_of(m);
    size_t n = (size_t)m->rows * m->columns;
    /* square cells as large as fit, row 0 at the top, with index labels;
     * a side CELL_LEGIBLE at least where it fits (a very wide or tall
     * matrix's cells are then oblong); the bar's labels end
     * PLOT_EDGE_MARGIN inside the panel (wide ones ran off a wide matrix's
     * figure): more room for them when they would not */
    double reach = bar_reach(f, BAR_WIDTH, scale.low, scale.high, (const double[]){scale.low, scale.high, 0},
                             scale.diverging ? 3 : 2);
    double bar_room = BAR_ROOM, room_w, room_h = p->y + p->h - top - 36, cell, cell_w, cell_h, w, h, left;
    for (int pass = 0; pass < 4; pass++) {
        room_w = p->w - 40 - bar_room;
        cell = fmin(room_w / m->columns, room_h / m->rows);
        if (cell > 80) cell = 80;
        cell_w = fmax(cell, fmin(CELL_LEGIBLE, room_w / m->columns));
        cell_h = fmax(cell, fmin(CELL_LEGIBLE, room_h / m->rows));
        w = cell_w * m->columns;
        h = cell_h * m->rows;
        left = floor(p->x + 34 + (room_w - w) / 2);
        double over = left + w + BAR_GAP + reach - (p->x + p->w - PLOT_EDGE_MARGIN);
        if (over <= 0) break;
        /* narrower cells move the bar as much; else the centred picture moves by half */
        bar_room += (cell_w == room_w / m->columns ? 1 : 2) * ceil(over);
    }
    double y0 = floor(top + (room_h - h) / 2);
    uint32_t *argb = malloc(n * sizeof *argb);
    if (argb != NULL) {
        plot_matrix_pixels(m, &scale, argb); /* the last row first: paint_cells puts row 0 at the bottom */
        paint_cells(f, argb, m->columns, m->rows, left, y0, w, h, false);
        free(argb);
    }
    cairo_rectangle(f->cr, left + 0.5, y0 + 0.5, w - 1, h - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    record_axes(p, left, y0, left + w, y0 + h, -0.5, m->columns - 0.5, m->rows - 0.5, -0.5);
    /* the numbers, when every cell holds its own (measured as written, so a
     * confusion matrix's "41" shows in cells too narrow for "-0.00", at any
     * zoom); all or none, so a missing number never reads as an empty cell */
    double tw, th, widest = 0, tallest = 0;
    for (size_t i = 0; i < n && n <= PLOT_CELL_NUMBERS; i++) {
        char text[32];
        plot_matrix_cell_text(m->values[i], text, sizeof text);
        plot_text_size(f, text, CAPTION_TEXT, false, &tw, &th);
        widest = fmax(widest, tw);
        tallest = fmax(tallest, th);
    }
    if (n <= PLOT_CELL_NUMBERS && cell_w >= widest + 6 && cell_h >= tallest + 2) {
        for (int r = 0; r < m->rows; r++)
            for (int c = 0; c < m->columns; c++) {
                double v = m->values[(size_t)r * m->columns + c];
                char text[32];
                plot_matrix_cell_text(v, text, sizeof text);
                bool dark = plot_colour_is_dark(plot_matrix_colour(&scale, v));
                plot_draw_text(f, text, CAPTION_TEXT, left + (c + 0.5) * cell_w, y0 + (r + 0.5) * cell_h, ALIGN_CENTRE,
                               ALIGN_CENTRE, false, dark ? background : text_colour);
            }
    }
    /* row and column numbers, every few when many */
    int every_column = 1, every_row = 1;
    while (cell_w * every_column < 22) every_column *= 2;
    while (cell_h * every_row < 22) every_row *= 2;
    char text[16];
    for (int c = 0; c < m->columns; c += every_column) {
        snprintf(text, sizeof text, "%d", c);
        plot_draw_text(f, text, CAPTION_TEXT, left + (c + 0.5) * cell_w, y0 + h + 4, ALIGN_CENTRE, ALIGN_START,
                       false, text_colour);
    }
    for (int r = 0; r < m->rows; r += every_row) {
        snprintf(text, sizeof text, "%d", r);
        plot_draw_text(f, text, CAPTION_TEXT, left - 5, y0 + (r + 0.5) * cell_h, ALIGN_END, ALIGN_CENTRE, false,
                       text_colour);
    }
    /* the bar beside the cells, as high as they are or, when they are
     * lower (a matrix of one row), as its labels need, centred on them */
    colour bands[PLOT_BAR_STEPS];
    plot_bar_colours(plot_matrix_colour, &scale, scale.low, scale.high, PLOT_BAR_STEPS, bands);
    double bar_h = fmax(h, bar_least_height(f, scale.diverging)), bar_top = floor(y0 + (h - bar_h) / 2);
    draw_bar(f, left + w + BAR_GAP, bar_top, bar_top + bar_h, scale.low, scale.high, 0, bands, PLOT_BAR_STEPS,
             scale.diverging);
}

void plot_maps_images_panel(figure *f, panel *p) {
    const plot_image_grid *g = &f->plot->images;
    char title[96];
    plot_images_title(g, title, sizeof title);
    double top;
    panel_title(f, p, title, &top);
    int columns = plot_images_columns(g);
    int rows = (g->count + columns - 1) / columns;
    double gap = 4, room_w = p->w - 40, room_h = p->y + p->h - top - 20;
    double scale = fmin((room_w - gap * (columns - 1)) / (columns * g->width),
                        (room_h - gap * (rows - 1)) / (rows * g->height));
    if (scale > 60) scale = 60;
    double cell_w = g->width * scale, cell_h = g->height * scale;
    double total_w = columns * cell_w + (columns - 1) * gap, total_h = rows * cell_h + (rows - 1) * gap;
    double left = floor(p->x + 20 + (room_w - total_w) / 2), y0 = floor(top + (room_h - total_h) / 2);
    size_t pixels = (size_t)g->height * g->width;
    uint32_t *argb = malloc(pixels * sizeof *argb);
    if (argb == NULL) return;
    for (int i = 0; i < g->count && !plot_figure_stopped(f); i++) {
        plot_image_pixels(g, i, argb);
        double x = left + (i % columns) * (cell_w + gap), y = y0 + (i / columns) * (cell_h + gap);
        paint_cells(f, argb, g->width, g->height, x, y, cell_w, cell_h, false);
        cairo_rectangle(f->cr, x - 0.5, y - 0.5, cell_w + 1, cell_h + 1);
        plot_set_colour(f, frame_colour, 0.5);
        cairo_set_line_width(f->cr, 1);
        cairo_stroke(f->cr);
    }
    free(argb);
    record_axes(p, left, y0, left + total_w, y0 + total_h, -0.5, columns - 0.5, rows - 0.5, -0.5);
}

/* ---- the network's units ------------------------------------------------------ */

/* Whether the layers' names under their maps take two rows: when two
 * neighbours' would touch in one (a 2-16-16-1 network's, in three panels of
 * a projector's window at :zoom 1.5, ran together as "inputlayer 1ayer
 * 2output"), every other name goes a row lower; *line is a row's height. */
static bool layer_labels_staggered(figure *f, const plot_network *net, double spacing, double *line) {
    enum { LABEL_GAP = 8 }; /* at least between two names in one row */
    double previous = 0, h;
    bool staggered = false;
    *line = 0;
    for (int l = 0; l < net->layers; l++) {
        char label[32];
        double w;
        plot_layer_label(net, l, label, sizeof label);
        plot_text_size(f, label, CAPTION_TEXT, false, &w, &h);
        if (h > *line) *line = h;
        if (l > 0 && (previous + w) / 2 + LABEL_GAP > spacing) staggered = true;
        previous = w;
    }
    return staggered;
}

void plot_maps_neurons_panel(figure *f, panel *p) {
    const plot_network *net = &f->plot->neurons;
    double top;
    panel_title(f, p, "units over the plane", &top);
    double line;
    /* the layers' columns are (w - 30) / layers apart (plot_unit_blocks) */
    bool staggered = layer_labels_staggered(f, net, (p->w - 30) / net->layers, &line);
    double bottom = p->y + p->h - 30 - (staggered ? line : 0);
    plot_unit_block blocks[VIZ_PLOT_MAX_LAYERS];
    plot_unit_blocks(net, p->x, p->w, top, bottom, blocks);
    /* the weights first, under the maps: blue positive, orange negative */
    if (net->weights != NULL) {
        const double *w = net->weights;
        for (int l = 0; l + 1 < net->layers; l++) {
            size_t count = (size_t)net->units[l] * net->units[l + 1];
            double *shares = malloc(count * sizeof *shares);
            if (shares == NULL) break;
            plot_weight_shares(net, l, w, shares);
            const plot_unit_block *from = &blocks[l], *to = &blocks[l + 1];
            for (int i = 0; i < net->units[l]; i++)
                for (int j = 0; j < net->units[l + 1]; j++) {
                    double share = shares[(size_t)i * net->units[l + 1] + j];
                    if (share == 0) continue;
                    cairo_move_to(f->cr, plot_unit_x(from, i) + from->size, plot_unit_y(from, i) + from->size / 2);
                    cairo_line_to(f->cr, plot_unit_x(to, j), plot_unit_y(to, j) + to->size / 2);
                    plot_set_colour(f, plot_class_palette[share < 0 ? 0 : 1], 0.25 + 0.6 * fabs(share));
                    cairo_set_line_width(f->cr, 0.6 + 3 * fabs(share));
                    cairo_stroke(f->cr);
                }
            free(shares);
            w += count;
        }
    }
    size_t cells = (size_t)net->grid * net->grid;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) return;
    const double *map = net->maps;
    for (int l = 0; l < net->layers && !plot_figure_stopped(f); l++) {
        const plot_unit_block *b = &blocks[l];
        size_t layer_cells = cells * net->units[l];
        double half = plot_units_half(map, layer_cells, net->centres[l]);
        for (int u = 0; u < net->units[l]; u++) {
            plot_unit_pixels(map + cells * u, net->grid, net->centres[l], half, argb);
            double x = plot_unit_x(b, u), y = plot_unit_y(b, u);
            paint_cells(f, argb, net->grid, net->grid, x, y, b->size, b->size, true);
            cairo_rectangle(f->cr, x + 0.5, y + 0.5, b->size - 1, b->size - 1);
            plot_set_colour(f, frame_colour, 0.8);
            cairo_set_line_width(f->cr, 1);
            cairo_stroke(f->cr);
            if (l + 1 == net->layers && u == 0)
                record_axes(p, x, y, x + b->size, y + b->size, net->xlo, net->xhi, net->ylo, net->yhi);
        }
        map += layer_cells;
        char label[32];
        plot_layer_label(net, l, label, sizeof label);
        double across = b->columns * b->size + (b->columns - 1) * b->gap_x;
        plot_draw_text(f, label, CAPTION_TEXT, b->x + across / 2, bottom + 6 + (staggered && l % 2 ? line : 0),
                       ALIGN_CENTRE, ALIGN_START, false, text_colour);
    }
    free(argb);
}

/* ---- a layer's units, for the graph's inspector ------------------------------ */

enum { UNIT_COLUMNS = 4 };

static double unit_text(cairo_t *cr, const char *text, double x, double y, double pixels, bool bold, double width) {
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string(PLOT_FONT_FAMILY);
    pango_font_description_set_absolute_size(font, pixels * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    if (width > 0) pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_text(layout, text, -1);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return h;
}

double viz_draw_unit_maps(cairo_t *cr, const viz_unit_maps *maps, double x, double y, double width, double pixels) {
    if (maps == NULL || maps->maps == NULL || maps->units <= 0 || maps->grid <= 0) return 0;
    size_t cells = (size_t)maps->grid * maps->grid;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) return 0;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.10, 0.10, 0.10);
    double top = y;
    y += unit_text(cr, maps->what, x, y, pixels, true, width) + pixels * 0.4;
    double half = plot_units_half(maps->maps, cells * (size_t)maps->units, maps->centre);
    int columns = maps->units < UNIT_COLUMNS ? maps->units : UNIT_COLUMNS;
    double gap = pixels * 0.6, number = pixels * 0.75;
    double size = fmin((width - (columns - 1) * gap) / columns, pixels * 7);
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, maps->grid, maps->grid);
    for (int u = 0; u < maps->units && cairo_surface_status(image) == CAIRO_STATUS_SUCCESS; u++) {
        double cx = x + (u % columns) * (size + gap), cy = y + (u / columns) * (size + gap + number * 1.3);
        plot_unit_pixels(maps->maps + cells * (size_t)u, maps->grid, maps->centre, half, argb);
        cairo_surface_flush(image);
        unsigned char *data = cairo_image_surface_get_data(image);
        int stride = cairo_image_surface_get_stride(image);
        for (int row = 0; row < maps->grid; row++) /* row 0 is the plane's bottom */
            memcpy(data + (size_t)(maps->grid - 1 - row) * stride, argb + (size_t)row * maps->grid,
                   (size_t)maps->grid * 4);
        cairo_surface_mark_dirty(image);
        cairo_save(cr);
        cairo_rectangle(cr, cx, cy, size, size);
        cairo_clip(cr);
        cairo_translate(cr, cx, cy);
        cairo_scale(cr, size / maps->grid, size / maps->grid);
        cairo_set_source_surface(cr, image, 0, 0);
        cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, floor(cx) + 0.5, floor(cy) + 0.5, floor(size) - 1, floor(size) - 1);
        cairo_stroke(cr);
        char label[16];
        snprintf(label, sizeof label, "%d", u);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        unit_text(cr, label, cx, cy + size + 1, number, false, 0);
    }
    cairo_surface_destroy(image);
    free(argb);
    int rows = (maps->units + columns - 1) / columns;
    y += rows * (size + number * 1.3) + (rows - 1) * gap;
    cairo_restore(cr);
    return y - top;
}

typedef struct png_bytes {
    unsigned char *data;
    size_t size, capacity;
    bool failed;
} png_bytes;

static cairo_status_t png_append(void *closure, const unsigned char *data, unsigned int length) {
    png_bytes *b = closure;
    if (b->size + length > b->capacity) {
        size_t capacity = (b->capacity ? b->capacity * 2 : 8192) + length;
        unsigned char *grown = realloc(b->data, capacity);
        if (grown == NULL) return b->failed = true, CAIRO_STATUS_NO_MEMORY;
        b->data = grown, b->capacity = capacity;
    }
    memcpy(b->data + b->size, data, length);
    b->size += length;
    return CAIRO_STATUS_SUCCESS;
}

unsigned char *viz_unit_maps_png(const viz_unit_maps *maps, int *columns, size_t *size) {
    if (maps == NULL) return NULL;
    /* a cell a pixel, the maps side by side (the page scales it up smoothly) */
    int across = 1, width = 0, height = 0;
    uint32_t *sheet = plot_unit_sheet(maps->maps, maps->units, maps->grid, maps->centre, &across, &width, &height);
    cairo_surface_t *surface = sheet ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height) : NULL;
    if (surface == NULL || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        free(sheet);
        if (surface != NULL) cairo_surface_destroy(surface);
        return NULL;
    }
    cairo_surface_flush(surface);
    unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    for (int row = 0; row < height; row++)
        memcpy(data + (size_t)row * stride, sheet + (size_t)row * width, (size_t)width * 4);
    cairo_surface_mark_dirty(surface);
    free(sheet);
    png_bytes bytes = {0};
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, png_append, &bytes);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS || bytes.failed) {
        free(bytes.data);
        return NULL;
    }
    *columns = across;
    *size = bytes.size;
    return bytes.data;
}
