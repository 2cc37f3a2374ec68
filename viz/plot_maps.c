/* plot_maps.c — the pictures of learning (plot.h): points coloured by
 * class and a model's output over the plane in the map panel (with the
 * contour and paths), and panels of their own for a matrix as a heat map,
 * a grid of small images and the network's units, each over the plane, as
 * TensorFlow Playground lays them out.  What each call records is kept here
 * too, beside its drawing.
 *
 * Colours: classes take Okabe and Ito's palette (distinct for the common
 * colour-vision deficiencies and on a washed-out projector); a field of
 * one output is orange below its threshold and blue above, white at it, as
 * the first two classes are; a heat map of one sign goes white to blue. */
#include "plot_draw.h"
#include "unit_maps.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Okabe & Ito (2008), "Color Universal Design": orange, blue, bluish green,
 * vermillion, reddish purple, sky blue, yellow, black. */
static const colour class_palette[VIZ_PLOT_CLASS_COLOURS] = {
    RGB(230, 159, 0),  RGB(0, 114, 178),  RGB(0, 158, 115), RGB(213, 94, 0),
    RGB(204, 121, 167), RGB(86, 180, 233), RGB(240, 228, 66), RGB(0, 0, 0),
};

#define POINT_RADIUS 4.6
#define FIELD_STRENGTH 0.72 /* the most a field's colour covers the white: points stay brighter */
#define EDGE_WIDTH 2.2
#define BAR_WIDTH 16.0
#define BAR_ROOM 78.0

static colour class_colour(int k) {
    return class_palette[(unsigned)k % VIZ_PLOT_CLASS_COLOURS];
}

/* a over white by the share t (0: white, 1: a). */
static colour tint(colour a, double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    return (colour){1 + t * (a.r - 1), 1 + t * (a.g - 1), 1 + t * (a.b - 1)};
}

/* The diverging scale: -1 the first class's colour, 0 white, 1 the second's. */
static colour diverging(double t) {
    if (!isfinite(t)) return (colour)RGB(200, 200, 200);
    return t < 0 ? tint(class_palette[0], -t * FIELD_STRENGTH) : tint(class_palette[1], t * FIELD_STRENGTH);
}

static uint32_t pixel_of(colour c) {
    return 0xff000000u | (uint32_t)lround(c.r * 255) << 16 | (uint32_t)lround(c.g * 255) << 8 |
           (uint32_t)lround(c.b * 255);
}

/* ---- recording ------------------------------------------------------------- */

static void free_points(plot_points *points) {
    free(points->xs);
    free(points->ys);
    free(points->classes);
    for (int i = 0; i < points->name_count; i++) free(points->names[i]);
    free(points->names);
    memset(points, 0, sizeof *points);
}

static void free_field(plot_field *field) {
    free(field->values);
    free(field->edge.levels);
    free(field->edge.segments);
    memset(field, 0, sizeof *field);
}

void plot_maps_free(viz_plot *plot) {
    free_points(&plot->points);
    free_field(&plot->field);
    free(plot->heatmap.values);
    free(plot->heatmap.name);
    memset(&plot->heatmap, 0, sizeof plot->heatmap);
    free(plot->images.values);
    memset(&plot->images, 0, sizeof plot->images);
    free(plot->neurons.maps);
    free(plot->neurons.weights);
    memset(&plot->neurons, 0, sizeof plot->neurons);
}

/* count * size bytes copied, or NULL (count 0 gives a 1-byte block). */
static void *copy_of(const void *from, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    void *to = malloc(count > 0 ? count * size : 1);
    if (to != NULL && count > 0) memcpy(to, from, count * size);
    return to;
}

int viz_plot_scatter(viz_plot *plot, const double *xs, const double *ys, const int *classes, size_t count,
                     const char *const *names, int name_count, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    for (size_t i = 0; i < count; i++)
        if (classes[i] < 0 || classes[i] >= VIZ_PLOT_MAX_CLASSES)
            return plot_fail(err, "class %d of point %zu is not one of 0 to %d", classes[i], i + 1,
                             VIZ_PLOT_MAX_CLASSES - 1);
    if (name_count < 0 || name_count > VIZ_PLOT_MAX_CLASSES)
        return plot_fail(err, "at most %d class names", VIZ_PLOT_MAX_CLASSES);
    plot_points made = {.count = count, .name_count = name_count};
    made.xs = copy_of(xs, count, sizeof *xs);
    made.ys = copy_of(ys, count, sizeof *ys);
    made.classes = copy_of(classes, count, sizeof *classes);
    made.names = calloc(name_count > 0 ? (size_t)name_count : 1, sizeof *made.names);
    bool ok = made.xs && made.ys && made.classes && made.names;
    for (int i = 0; i < name_count && ok; i++) ok = (made.names[i] = copy_of(names[i], strlen(names[i]) + 1, 1));
    if (!ok) {
        free_points(&made);
        return plot_fail(err, "out of memory recording the points");
    }
    free_points(&plot->points);
    plot->points = made;
    plot_window_touch(plot);
    return 0;
}

static int check_range(double lo, double hi, const char *which, char err[VIZ_ERRLEN]) {
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return plot_fail(err, "%s range [%g, %g] is empty: it needs lo < hi", which, lo, hi);
    return 0;
}

int viz_plot_field(viz_plot *plot, const double *values, int columns, int rows, int channels, double xlo,
                   double xhi, double ylo, double yhi, double threshold, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (columns < 2 || rows < 2 || columns > 2000 || rows > 2000 || channels < 1 ||
        channels > VIZ_PLOT_MAX_CLASSES)
        return plot_fail(err, "a field needs 2 to 2000 columns and rows and 1 to %d channels",
                         VIZ_PLOT_MAX_CLASSES);
    if (check_range(xlo, xhi, "x", err) < 0 || check_range(ylo, yhi, "y", err) < 0) return -1;
    if (!isfinite(threshold)) return plot_fail(err, "the threshold must be finite");
    size_t n = (size_t)columns * rows * channels;
    plot_field made = {.present = true, .xlo = xlo, .xhi = xhi, .ylo = ylo, .yhi = yhi,
                       .columns = columns, .rows = rows, .channels = channels, .threshold = threshold};
    made.values = copy_of(values, n, sizeof *values);
    if (made.values == NULL) return plot_fail(err, "out of memory recording the field");
    double low = INFINITY, high = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            if (values[i] < low) low = values[i];
            if (values[i] > high) high = values[i];
        }
    if (!(low <= high)) {
        free(made.values);
        return plot_fail(err, "the model's output is not finite anywhere in the plane");
    }
    if (channels == 1) {
        /* a probability keeps its own ends; a score is centred on its threshold */
        if (threshold == 0.5 && low >= 0 && high <= 1) {
            made.low = 0;
            made.high = 1;
        } else {
            double half = fmax(fabs(high - threshold), fabs(threshold - low));
            if (!(half > 0)) half = 1;
            made.low = threshold - half;
            made.high = threshold + half;
        }
        /* the threshold's level curve, through the cell centres */
        double dx = (xhi - xlo) / columns, dy = (yhi - ylo) / rows;
        made.edge = (plot_contour){.present = true, .xlo = xlo + dx / 2, .xhi = xhi - dx / 2,
                                   .ylo = ylo + dy / 2, .yhi = yhi - dy / 2};
        viz_plot_levels level = {.values = &threshold, .count = 1};
        if (plot_contour_trace(&made.edge, values, columns, rows, &level) < 0) {
            free_field(&made);
            return plot_fail(err, "out of memory tracing the boundary");
        }
    } else {
        made.low = 1.0 / channels;
        made.high = 1;
    }
    free_field(&plot->field);
    plot->field = made;
    plot_window_touch(plot);
    return 0;
}

int viz_plot_heatmap(viz_plot *plot, const double *values, int rows, int columns, const char *name,
                     char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (rows < 1 || columns < 1 || rows > 4096 || columns > 4096)
        return plot_fail(err, "a heat map needs 1 to 4096 rows and columns");
    double *copy = copy_of(values, (size_t)rows * columns, sizeof *values);
    char *title = copy_of(name != NULL ? name : "", strlen(name != NULL ? name : "") + 1, 1);
    if (copy == NULL || title == NULL) {
        free(copy);
        free(title);
        return plot_fail(err, "out of memory recording the heat map");
    }
    free(plot->heatmap.values);
    free(plot->heatmap.name);
    plot->heatmap = (plot_matrix){.present = true, .rows = rows, .columns = columns, .values = copy, .name = title};
    plot_window_touch(plot);
    return 0;
}

int viz_plot_images(viz_plot *plot, const double *values, int count, int height, int width,
                    char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (count < 1 || height < 1 || width < 1 || count > 4096 || height > 1024 || width > 1024)
        return plot_fail(err, "images needs 1 to 4096 images of 1 to 1024 rows and columns");
    double *copy = copy_of(values, (size_t)count * height * width, sizeof *values);
    if (copy == NULL) return plot_fail(err, "out of memory recording the images");
    free(plot->images.values);
    plot->images = (plot_image_grid){.present = true, .count = count, .height = height, .width = width, .values = copy};
    plot_window_touch(plot);
    return 0;
}

int viz_plot_neurons(viz_plot *plot, const double *maps, const int *units, int layers, int grid,
                     const double *centres, const double *weights, double xlo, double xhi, double ylo,
                     double yhi, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (layers < 2 || layers > VIZ_PLOT_MAX_LAYERS || grid < 2 || grid > 512)
        return plot_fail(err, "a network needs 2 to %d layers and a grid of 2 to 512", VIZ_PLOT_MAX_LAYERS);
    if (check_range(xlo, xhi, "x", err) < 0 || check_range(ylo, yhi, "y", err) < 0) return -1;
    size_t unit_count = 0, weight_count = 0;
    for (int l = 0; l < layers; l++) {
        if (units[l] < 1 || units[l] > 1024) return plot_fail(err, "a layer needs 1 to 1024 units");
        unit_count += (size_t)units[l];
        if (l + 1 < layers) weight_count += (size_t)units[l] * units[l + 1];
    }
    plot_network made = {.present = true, .layers = layers, .grid = grid,
                         .xlo = xlo, .xhi = xhi, .ylo = ylo, .yhi = yhi};
    memcpy(made.units, units, (size_t)layers * sizeof *units);
    memcpy(made.centres, centres, (size_t)layers * sizeof *centres);
    made.maps = copy_of(maps, unit_count * grid * grid, sizeof *maps);
    made.weights = weights != NULL ? copy_of(weights, weight_count, sizeof *weights) : NULL;
    if (made.maps == NULL || (weights != NULL && made.weights == NULL)) {
        free(made.maps);
        free(made.weights);
        return plot_fail(err, "out of memory recording the network");
    }
    free(plot->neurons.maps);
    free(plot->neurons.weights);
    plot->neurons = made;
    plot_window_touch(plot);
    return 0;
}

/* ---- the map panel: field, points, colour bar, legend ---------------------- */

double plot_maps_colour_bar_room(const viz_plot *plot) {
    return plot->field.present ? BAR_ROOM : 0;
}

/* The field's colour at one grid point. */
static colour field_colour(const plot_field *field, const double *v) {
    if (field->channels == 1) {
        double half = field->high - field->threshold, below = field->threshold - field->low;
        double t = *v >= field->threshold ? (*v - field->threshold) / (half > 0 ? half : 1)
                                          : (*v - field->threshold) / (below > 0 ? below : 1);
        return diverging(t > 1 ? 1 : t < -1 ? -1 : t);
    }
    /* softmax: the likeliest class, as sure as its probability is above chance */
    int best = 0;
    for (int k = 1; k < field->channels; k++)
        if (v[k] > v[best] || !isfinite(v[best])) best = k;
    if (!isfinite(v[best])) return (colour)RGB(200, 200, 200);
    double total = 0;
    for (int k = 0; k < field->channels; k++) total += isfinite(v[k]) ? exp(v[k] - v[best]) : 0;
    double p = 1 / total, chance = 1.0 / field->channels;
    return tint(class_colour(best), FIELD_STRENGTH * (p - chance) / (1 - chance));
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

void plot_maps_draw_field(figure *f, const plot_axes *a) {
    const plot_field *field = &f->plot->field;
    if (!field->present) return;
    size_t cells = (size_t)field->columns * field->rows;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) return;
    for (size_t i = 0; i < cells; i++) argb[i] = pixel_of(field_colour(field, field->values + i * field->channels));
    double x0 = plot_to_pixel_x(a, field->xlo), x1 = plot_to_pixel_x(a, field->xhi);
    double y0 = plot_to_pixel_y(a, field->yhi), y1 = plot_to_pixel_y(a, field->ylo);
    paint_cells(f, argb, field->columns, field->rows, x0, y0, x1 - x0, y1 - y0, true);
    free(argb);
    /* the threshold's curve: where the model decides */
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
    /* class by class, each in one path: a class's colour and a dark rim */
    int top = -1;
    for (size_t i = 0; i < points->count; i++)
        if (points->classes[i] > top) top = points->classes[i];
    for (int k = 0; k <= top && !plot_figure_stopped(f); k++) {
        int drawn = 0;
        for (size_t i = 0; i < points->count; i++) {
            if (points->classes[i] != k) continue;
            double x = plot_to_pixel_x(a, points->xs[i]), y = plot_to_pixel_y(a, points->ys[i]);
            if (!isfinite(x) || !isfinite(y) || x < a->left - 10 || x > a->right + 10 || y < a->top - 10 ||
                y > a->bottom + 10)
                continue;
            plot_disc(f, x, y, POINT_RADIUS);
            if (++drawn % 64 == 0) {
                plot_set_colour(f, class_colour(k), 1);
                cairo_fill_preserve(cr);
                plot_set_colour(f, frame_colour, 0.85);
                cairo_set_line_width(cr, 1.1);
                cairo_stroke(cr);
            }
        }
        plot_set_colour(f, class_colour(k), 1);
        cairo_fill_preserve(cr);
        plot_set_colour(f, frame_colour, 0.85);
        cairo_set_line_width(cr, 1.1);
        cairo_stroke(cr);
    }
}

/* A tick label of the colour bar ("0.5", "-3.2"). */
static void bar_label(double v, char *text, size_t size) {
    snprintf(text, size, "%.3g", fabs(v) < 1e-12 ? 0 : v);
    plot_tidy_exponent(text, size);
}

/* A vertical bar of `steps` bands from colour(low) at the bottom to
 * colour(high) at the top, framed, with labels at its ends (and at mid). */
static void draw_bar(figure *f, double x, double top, double bottom, double low, double high, double mid,
                     colour (*at)(const void *user, double v), const void *user, bool label_mid) {
    const int steps = 64;
    double band = (bottom - top) / steps;
    for (int i = 0; i < steps; i++) {
        double v = low + (high - low) * (i + 0.5) / steps;
        cairo_rectangle(f->cr, x, bottom - (i + 1) * band, BAR_WIDTH, band + 0.6);
        plot_set_colour(f, at(user, v), 1);
        cairo_fill(f->cr);
    }
    cairo_rectangle(f->cr, x + 0.5, top + 0.5, BAR_WIDTH - 1, bottom - top - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    char text[32];
    bar_label(high, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, top, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    bar_label(low, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, bottom, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    if (label_mid) {
        double y = bottom - (mid - low) / (high - low) * (bottom - top);
        bar_label(mid, text, sizeof text);
        cairo_move_to(f->cr, x - 3, floor(y) + 0.5);
        cairo_line_to(f->cr, x + BAR_WIDTH + 3, floor(y) + 0.5);
        plot_set_colour(f, frame_colour, 1);
        cairo_set_line_width(f->cr, 1.6);
        cairo_stroke(f->cr);
        plot_draw_text(f, text, TICK_TEXT, x + BAR_WIDTH + 5, y, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    }
}

static colour field_bar_colour(const void *user, double v) {
    const plot_field *field = user;
    return field_colour(field, &v);
}

typedef struct class_bar {
    int k;
    double chance;
} class_bar;

static colour class_bar_colour(const void *user, double p) {
    const class_bar *bar = user;
    return tint(class_colour(bar->k), FIELD_STRENGTH * (p - bar->chance) / (1 - bar->chance));
}

void plot_maps_draw_colour_bar(figure *f, const plot_axes *a) {
    const plot_field *field = &f->plot->field;
    if (!field->present) return;
    double x = a->right + 16, top = a->top + 8, bottom = a->bottom - 8;
    if (field->channels == 1) {
        draw_bar(f, x, top, bottom, field->low, field->high, field->threshold, field_bar_colour, field, true);
        return;
    }
    /* one narrow bar per class (up to eight), chance to sure, labelled once */
    int shown = field->channels < VIZ_PLOT_CLASS_COLOURS ? field->channels : VIZ_PLOT_CLASS_COLOURS;
    double width = BAR_WIDTH / 2;
    for (int k = 0; k < shown; k++) {
        class_bar bar = {k, 1.0 / field->channels};
        const int steps = 48;
        double band = (bottom - top) / steps;
        for (int i = 0; i < steps; i++) {
            double p = bar.chance + (1 - bar.chance) * (i + 0.5) / steps;
            cairo_rectangle(f->cr, x + k * width, bottom - (i + 1) * band, width, band + 0.6);
            plot_set_colour(f, class_bar_colour(&bar, p), 1);
            cairo_fill(f->cr);
        }
    }
    cairo_rectangle(f->cr, x + 0.5, top + 0.5, shown * width - 1, bottom - top - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    char text[32];
    bar_label(1, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + shown * width + 5, top, ALIGN_START, ALIGN_CENTRE, false, text_colour);
    bar_label(1.0 / field->channels, text, sizeof text);
    plot_draw_text(f, text, TICK_TEXT, x + shown * width + 5, bottom, ALIGN_START, ALIGN_CENTRE, false,
                   text_colour);
    plot_draw_text(f, "p", TICK_TEXT, x + shown * width / 2, top - 4, ALIGN_CENTRE, ALIGN_END, false, text_colour);
}

int plot_maps_legend(const viz_plot *plot, legend_entry *entries, int room) {
    static char numbered[VIZ_PLOT_MAX_CLASSES][24];
    const plot_points *points = &plot->points;
    bool present[VIZ_PLOT_MAX_CLASSES] = {false};
    for (size_t i = 0; i < points->count; i++) present[points->classes[i]] = true;
    int count = 0;
    for (int k = 0; k < VIZ_PLOT_MAX_CLASSES && count < room; k++) {
        if (!present[k]) continue;
        const char *name = k < points->name_count ? points->names[k] : NULL;
        if (name == NULL) {
            snprintf(numbered[k], sizeof numbered[k], "class %d", k);
            name = numbered[k];
        }
        entries[count++] = (legend_entry){name, class_colour(k), POINT_RADIUS, false, NULL};
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

/* ---- panels of their own ---------------------------------------------------- */

/* The panel's title over its top and the room below it: the box the picture
 * may fill. */
static void panel_title(figure *f, panel *p, const char *title, double *top) {
    char named[VIZ_PLOT_MAX_SHEET_NAME + 200];
    if (f->sheet_name != NULL) { /* panel="before": its name first */
        snprintf(named, sizeof named, "%s: %s", f->sheet_name, title);
        title = named;
    }
    plot_draw_text(f, title, LABEL_TEXT, p->x + p->w / 2, p->y + 14, ALIGN_CENTRE, ALIGN_START, false,
                   text_colour);
    double w, h;
    plot_text_size(f, title, LABEL_TEXT, false, &w, &h);
    *top = p->y + 14 + h + 10;
}

static void record_axes(panel *p, double left, double top, double right, double bottom, double x_min,
                        double x_max, double y_min, double y_max) {
    p->axes = (plot_axes){.left = left, .top = top, .right = right, .bottom = bottom,
                          .x_min = x_min, .x_max = x_max, .y_min = y_min, .y_max = y_max};
}

/* A heat map's colour: white to blue when every value has one sign (white
 * at 0), else the diverging scale centred on 0. */
typedef struct matrix_scale {
    double low, high;
    bool diverging;
} matrix_scale;

static colour matrix_colour(const void *user, double v) {
    const matrix_scale *s = user;
    if (!isfinite(v)) return (colour)RGB(200, 200, 200);
    if (s->diverging) {
        double half = fmax(fabs(s->low), fabs(s->high));
        return diverging(half > 0 ? v / half : 0);
    }
    double span = s->high - s->low;
    double t = span > 0 ? (v - s->low) / span : 0.5;
    return s->high <= 0 ? tint(class_palette[0], (1 - t) * 0.9) : tint(class_palette[1], t * 0.9);
}

void plot_maps_heatmap_panel(figure *f, panel *p) {
    const plot_matrix *m = &f->plot->heatmap;
    char title[160];
    snprintf(title, sizeof title, "%s%s[%d %d]", m->name, m->name[0] ? " " : "", m->rows, m->columns);
    double top;
    panel_title(f, p, title, &top);
    matrix_scale scale = {INFINITY, -INFINITY, false};
    size_t n = (size_t)m->rows * m->columns;
    for (size_t i = 0; i < n; i++)
        if (isfinite(m->values[i])) {
            scale.low = fmin(scale.low, m->values[i]);
            scale.high = fmax(scale.high, m->values[i]);
        }
    if (!(scale.low <= scale.high)) scale.low = scale.high = 0;
    scale.diverging = scale.low < 0 && scale.high > 0;
    if (scale.diverging) {
        double half = fmax(-scale.low, scale.high);
        scale.low = -half;
        scale.high = half;
    } else if (scale.low >= 0) {
        scale.low = 0;
    } else {
        scale.high = 0;
    }
    if (scale.low == scale.high) scale.high = scale.low + 1;
    /* square cells as large as fit, row 0 at the top, with index labels */
    double room_w = p->w - 40 - BAR_ROOM, room_h = p->y + p->h - top - 36;
    double cell = fmin(room_w / m->columns, room_h / m->rows);
    if (cell > 80) cell = 80;
    double w = cell * m->columns, h = cell * m->rows;
    double left = floor(p->x + 34 + (room_w - w) / 2), y0 = floor(top + (room_h - h) / 2);
    uint32_t *argb = malloc(n * sizeof *argb);
    if (argb != NULL) {
        /* paint_cells puts row 0 at the bottom: give it the last row first */
        for (int r = 0; r < m->rows; r++)
            for (int c = 0; c < m->columns; c++)
                argb[(size_t)(m->rows - 1 - r) * m->columns + c] =
                    pixel_of(matrix_colour(&scale, m->values[(size_t)r * m->columns + c]));
        paint_cells(f, argb, m->columns, m->rows, left, y0, w, h, false);
        free(argb);
    }
    cairo_rectangle(f->cr, left + 0.5, y0 + 0.5, w - 1, h - 1);
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_stroke(f->cr);
    record_axes(p, left, y0, left + w, y0 + h, -0.5, m->columns - 0.5, m->rows - 0.5, -0.5);
    /* the numbers, when a cell holds them */
    double tw, th;
    plot_text_size(f, "-0.00", CAPTION_TEXT, false, &tw, &th);
    if (cell >= tw + 6 && cell >= th + 4 && n <= 400) {
        for (int r = 0; r < m->rows; r++)
            for (int c = 0; c < m->columns; c++) {
                double v = m->values[(size_t)r * m->columns + c];
                char text[32];
                if (v == floor(v) && fabs(v) < 1e5) snprintf(text, sizeof text, "%.0f", v);
                else snprintf(text, sizeof text, "%.2g", v);
                plot_tidy_exponent(text, sizeof text);
                plot_text_size(f, text, CAPTION_TEXT, false, &tw, &th);
                if (tw + 4 > cell) continue;
                colour under = matrix_colour(&scale, v);
                bool dark = 0.299 * under.r + 0.587 * under.g + 0.114 * under.b < 0.55;
                plot_draw_text(f, text, CAPTION_TEXT, left + (c + 0.5) * cell, y0 + (r + 0.5) * cell, ALIGN_CENTRE,
                               ALIGN_CENTRE, false, dark ? background : text_colour);
            }
    }
    /* row and column numbers, every few when many */
    int every = 1;
    while (cell * every < 22) every *= 2;
    char text[16];
    for (int c = 0; c < m->columns; c += every) {
        snprintf(text, sizeof text, "%d", c);
        plot_draw_text(f, text, CAPTION_TEXT, left + (c + 0.5) * cell, y0 + h + 4, ALIGN_CENTRE, ALIGN_START,
                       false, text_colour);
    }
    for (int r = 0; r < m->rows; r += every) {
        snprintf(text, sizeof text, "%d", r);
        plot_draw_text(f, text, CAPTION_TEXT, left - 5, y0 + (r + 0.5) * cell, ALIGN_END, ALIGN_CENTRE, false,
                       text_colour);
    }
    draw_bar(f, left + w + 16, y0, y0 + h, scale.low, scale.high, 0, matrix_colour, &scale, scale.diverging);
}

void plot_maps_images_panel(figure *f, panel *p) {
    const plot_image_grid *g = &f->plot->images;
    char title[96];
    snprintf(title, sizeof title, "%d image%s, %dx%d", g->count, g->count == 1 ? "" : "s", g->height, g->width);
    double top;
    panel_title(f, p, title, &top);
    int columns = (int)ceil(sqrt((double)g->count * g->height / g->width));
    if (columns < 1) columns = 1;
    if (columns > g->count) columns = g->count;
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
        const double *image = g->values + (size_t)i * pixels;
        double low = INFINITY, high = -INFINITY;
        for (size_t j = 0; j < pixels; j++)
            if (isfinite(image[j])) {
                low = fmin(low, image[j]);
                high = fmax(high, image[j]);
            }
        for (int r = 0; r < g->height; r++)
            for (int c = 0; c < g->width; c++) {
                double v = image[(size_t)r * g->width + c];
                double t = high > low ? (v - low) / (high - low) : 0.5;
                if (!isfinite(t)) t = 0;
                argb[(size_t)(g->height - 1 - r) * g->width + c] = pixel_of((colour){t, t, t});
            }
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

/* The colour of a unit's value: diverging around its layer's centre, the
 * layer's largest distance from it at full strength. */
static void unit_pixels(const double *map, int grid, double centre, double half, uint32_t *argb) {
    for (int i = 0; i < grid * grid; i++) {
        double t = (map[i] - centre) / half;
        argb[i] = pixel_of(diverging(t > 1 ? 1 : t < -1 ? -1 : t));
    }
}

void plot_maps_neurons_panel(figure *f, panel *p) {
    const plot_network *net = &f->plot->neurons;
    double top;
    panel_title(f, p, "units over the plane", &top);
    int most = 0;
    for (int l = 0; l < net->layers; l++)
        if (net->units[l] > most) most = net->units[l];
    double bottom = p->y + p->h - 30;
    double column_w = (p->w - 30) / net->layers;
    double size = fmin((bottom - top) / most * 0.82, column_w * 0.45);
    if (size > 90) size = 90;
    double gap = fmin((bottom - top - size * most) / (most > 1 ? most - 1 : 1), size * 0.5);
    /* where each unit's map sits */
    double xs[VIZ_PLOT_MAX_LAYERS];
    for (int l = 0; l < net->layers; l++) xs[l] = floor(p->x + 15 + column_w * (l + 0.5) - size / 2);
#define UNIT_Y(l, u) floor(top + ((bottom - top) - (net->units[l] * size + (net->units[l] - 1) * gap)) / 2 + \
                           (u) * (size + gap))
    /* the weights first, under the maps: blue positive, orange negative */
    if (net->weights != NULL) {
        const double *w = net->weights;
        for (int l = 0; l + 1 < net->layers; l++) {
            double largest = 0;
            size_t count = (size_t)net->units[l] * net->units[l + 1];
            for (size_t i = 0; i < count; i++) largest = fmax(largest, fabs(w[i]));
            for (int i = 0; i < net->units[l]; i++)
                for (int j = 0; j < net->units[l + 1]; j++) {
                    double weight = w[(size_t)i * net->units[l + 1] + j];
                    double share = largest > 0 ? fabs(weight) / largest : 0;
                    if (!isfinite(share) || share < 0.02) continue;
                    cairo_move_to(f->cr, xs[l] + size, UNIT_Y(l, i) + size / 2);
                    cairo_line_to(f->cr, xs[l + 1], UNIT_Y(l + 1, j) + size / 2);
                    plot_set_colour(f, weight < 0 ? class_palette[0] : class_palette[1], 0.25 + 0.6 * share);
                    cairo_set_line_width(f->cr, 0.6 + 3 * share);
                    cairo_stroke(f->cr);
                }
            w += count;
        }
    }
    size_t cells = (size_t)net->grid * net->grid;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) return;
    const double *map = net->maps;
    for (int l = 0; l < net->layers && !plot_figure_stopped(f); l++) {
        double half = 0;
        size_t layer_cells = cells * net->units[l];
        for (size_t i = 0; i < layer_cells; i++)
            if (isfinite(map[i])) half = fmax(half, fabs(map[i] - net->centres[l]));
        if (!(half > 0)) half = 1;
        for (int u = 0; u < net->units[l]; u++) {
            unit_pixels(map + cells * u, net->grid, net->centres[l], half, argb);
            double y = UNIT_Y(l, u);
            paint_cells(f, argb, net->grid, net->grid, xs[l], y, size, size, true);
            cairo_rectangle(f->cr, xs[l] + 0.5, y + 0.5, size - 1, size - 1);
            plot_set_colour(f, frame_colour, 0.8);
            cairo_set_line_width(f->cr, 1);
            cairo_stroke(f->cr);
            if (l + 1 == net->layers && u == 0)
                record_axes(p, xs[l], y, xs[l] + size, y + size, net->xlo, net->xhi, net->ylo, net->yhi);
        }
        map += layer_cells;
        char label[32];
        if (l == 0) snprintf(label, sizeof label, "input");
        else if (l + 1 == net->layers) snprintf(label, sizeof label, "output");
        else snprintf(label, sizeof label, "layer %d", l);
        plot_draw_text(f, label, CAPTION_TEXT, xs[l] + size / 2, bottom + 6, ALIGN_CENTRE, ALIGN_START, false,
                       text_colour);
    }
#undef UNIT_Y
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
    double half = 0;
    for (size_t i = 0; i < cells * (size_t)maps->units; i++)
        if (isfinite(maps->maps[i])) half = fmax(half, fabs(maps->maps[i] - maps->centre));
    if (!(half > 0)) half = 1;
    int columns = maps->units < UNIT_COLUMNS ? maps->units : UNIT_COLUMNS;
    double gap = pixels * 0.6, number = pixels * 0.75;
    double size = fmin((width - (columns - 1) * gap) / columns, pixels * 7);
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, maps->grid, maps->grid);
    for (int u = 0; u < maps->units && cairo_surface_status(image) == CAIRO_STATUS_SUCCESS; u++) {
        double cx = x + (u % columns) * (size + gap), cy = y + (u / columns) * (size + gap + number * 1.3);
        unit_pixels(maps->maps + cells * (size_t)u, maps->grid, maps->centre, half, argb);
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
    if (maps == NULL || maps->maps == NULL || maps->units <= 0 || maps->grid <= 0) return NULL;
    /* a cell a pixel, UNIT_GAP between maps (the page scales it up smoothly) */
    enum { UNIT_GAP = 2, PNG_COLUMNS = 8 };
    int across = maps->units < PNG_COLUMNS ? maps->units : PNG_COLUMNS, down = (maps->units + across - 1) / across;
    int cell = maps->grid + UNIT_GAP;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, across * cell - UNIT_GAP,
                                                          down * cell - UNIT_GAP);
    size_t cells = (size_t)maps->grid * maps->grid;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        free(argb);
        cairo_surface_destroy(surface);
        return NULL;
    }
    double half = 0;
    for (size_t i = 0; i < cells * (size_t)maps->units; i++)
        if (isfinite(maps->maps[i])) half = fmax(half, fabs(maps->maps[i] - maps->centre));
    if (!(half > 0)) half = 1;
    cairo_surface_flush(surface);
    unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    memset(data, 0xff, (size_t)stride * cairo_image_surface_get_height(surface));
    for (int u = 0; u < maps->units; u++) {
        unit_pixels(maps->maps + cells * (size_t)u, maps->grid, maps->centre, half, argb);
        int x = (u % across) * cell, y = (u / across) * cell;
        for (int row = 0; row < maps->grid; row++) /* row 0 is the plane's bottom */
            memcpy(data + (size_t)(y + maps->grid - 1 - row) * stride + (size_t)x * 4, argb + (size_t)row * maps->grid,
                   (size_t)maps->grid * 4);
    }
    cairo_surface_mark_dirty(surface);
    free(argb);
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
