/* plot_maps_data.c — the pictures of learning as recorded, without Cairo
 * (plot_maps_data.h): points coloured by class, a model's output over the
 * plane, a matrix, a grid of images and the network's units kept when they
 * are set, and everything the drawing computes from them: colours, scales,
 * labels; and the lines' colours and styles.  The native drawing
 * (plot_maps.c, plot_draw.c, plot_data.c) and the web page (repl/web/plot_web.c) both
 * use it.
 *
 * Colours: classes take Okabe and Ito's palette (distinct for the common
 * colour-vision deficiencies and on a washed-out projector), then two of
 * Paul Tol's for ten classes (digits), past ten the same colours with
 * another marker (plot_class_marker); a field of
 * one output is orange below its threshold and blue above, white at it, as
 * the first two classes are; a heat map of one sign goes white to blue. */
#include "plot_maps_data.h"

#include "ag_format.h"
#include "array.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lines: series and paths ------------------------------------------- */

/* Matplotlib's tab10: distinct and readable on white, one per series in turn. */
static const colour series_palette[] = {
    RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44),   RGB(214, 39, 40),
    RGB(148, 103, 189), RGB(140, 86, 75), RGB(227, 119, 194), RGB(127, 127, 127),
    RGB(188, 189, 34), RGB(23, 190, 207),
};
/* Warm and dark colours that stand out over the blue-green level curves. */
static const colour path_palette[] = {
    RGB(214, 39, 40),  RGB(255, 127, 14),  RGB(20, 20, 20),   RGB(227, 119, 194),
    RGB(140, 86, 75), RGB(148, 103, 189), RGB(188, 189, 34),
};
/* Line styles, one per series and path in turn; the first is solid. */
static const dash_style dash_styles[] = {
    {{0}, 0},
    {{10, 6}, 2},
    {{0.01, 5.5}, 2}, /* dots: round caps make each a disc */
    {{14, 5, 0.01, 5}, 4},
    {{5, 4}, 2},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The tracked path named as s, or NULL. */
static const plot_path *path_named(const viz_plot *plot, const plot_series *s) {
    for (size_t k = 0; k < plot->path_count; k++)
        if (strcmp(plot->paths[k].name, s->name) == 0) return &plot->paths[k];
    return NULL;
}

colour plot_series_colour(const viz_plot *plot, const plot_series *s) {
    const plot_path *path = path_named(plot, s);
    return path != NULL ? plot_path_colour(path) : series_palette[(size_t)s->colour % COUNT(series_palette)];
}

const dash_style *plot_series_dash(const viz_plot *plot, const plot_series *s) {
    const plot_path *path = path_named(plot, s);
    if (path != NULL) return plot_path_dash(path);
    size_t index = 0;
    for (size_t k = 0; k < plot->series_count && &plot->series[k] != s; k++)
        if (plot_series_in_panel(&plot->series[k], s->xs != NULL ? VIZ_PLOT_PANEL_XY : VIZ_PLOT_PANEL_SERIES) &&
            !plot->series[k].points)
            index++;
    return &dash_styles[index % COUNT(dash_styles)];
}

colour plot_path_colour(const plot_path *path) {
    return path_palette[(size_t)path->colour % COUNT(path_palette)];
}

const dash_style *plot_path_dash(const plot_path *path) {
    return &dash_styles[(size_t)path->colour % COUNT(dash_styles)];
}

/* ---- the classes and the scales ----------------------------------------------- */

/* Okabe & Ito (2008), "Color Universal Design": orange, blue, bluish green,
 * vermillion, reddish purple, sky blue, yellow; then brown, a greyish mauve
 * and sage, chosen (over a grid of sRGB) to be farthest from those seven
 * and each other by CIEDE2000, with normal vision and simulated
 * protanopia, deuteranopia and tritanopia (Machado 2009): every pair of the
 * ten at least 10.9 apart, as Okabe-Ito's own closest pair.  The last three
 * are mid-tones: a class's region is its colour tinted to
 * PLOT_FIELD_STRENGTH, and each region has a lightness L* of 55 at least,
 * so a dot's dark rim shows on it (Okabe-Ito's black, then Tol's wine and
 * indigo, made regions of L* 30 to 50 where class 7's black dots vanished). */
const colour plot_class_palette[VIZ_PLOT_CLASS_COLOURS] = {
    RGB(230, 159, 0),  RGB(0, 114, 178),  RGB(0, 158, 115), RGB(213, 94, 0),
    RGB(204, 121, 167), RGB(86, 180, 233), RGB(240, 228, 66), RGB(136, 85, 51),
    RGB(102, 85, 102), RGB(170, 187, 119),
};

static const colour no_value = RGB(200, 200, 200); /* a value that is not finite */

colour plot_class_colour(int k) {
    return plot_class_palette[(unsigned)k % VIZ_PLOT_CLASS_COLOURS];
}

plot_marker plot_class_marker(int k) {
    return (plot_marker)(((unsigned)k / VIZ_PLOT_CLASS_COLOURS) % PLOT_MARKER_COUNT);
}

int plot_marker_outline(plot_marker m, double xy[PLOT_MARKER_CORNERS_MOST][2]) {
    /* the polygons' sizes give about the unit disc's area, pi */
    static const double s = 0.886, d = 1.25, t = 1.35, arm = 0.42, reach = 1.15;
    int n = 0;
    switch (m) {
    case PLOT_MARKER_SQUARE:
        n = 4;
        memcpy(xy, (const double[4][2]){{-s, -s}, {s, -s}, {s, s}, {-s, s}}, sizeof(double[4][2]));
        break;
    case PLOT_MARKER_DIAMOND:
        n = 4;
        memcpy(xy, (const double[4][2]){{0, -d}, {d, 0}, {0, d}, {-d, 0}}, sizeof(double[4][2]));
        break;
    case PLOT_MARKER_TRIANGLE:
    case PLOT_MARKER_TRIANGLE_DOWN: { /* equilateral, about its centre */
        double flip = m == PLOT_MARKER_TRIANGLE ? 1 : -1;
        n = 3;
        memcpy(xy, (const double[3][2]){{0, -flip * t}, {t * 0.866, flip * t / 2}, {-t * 0.866, flip * t / 2}},
               sizeof(double[3][2]));
        break;
    }
    case PLOT_MARKER_STAR: /* five points, the first up */
        n = 10;
        for (int i = 0; i < n; i++) {
            double r = i % 2 == 0 ? 1.45 : 0.62, angle = (i / 10.0 - 0.25) * 2 * 3.14159265358979323846;
            xy[i][0] = r * cos(angle), xy[i][1] = r * sin(angle);
        }
        break;
    case PLOT_MARKER_PLUS:
        n = 12;
        memcpy(xy, (const double[12][2]){{-arm, -reach}, {arm, -reach}, {arm, -arm}, {reach, -arm}, {reach, arm},
                                         {arm, arm}, {arm, reach}, {-arm, reach}, {-arm, arm}, {-reach, arm},
                                         {-reach, -arm}, {-arm, -arm}},
               sizeof(double[12][2]));
        break;
    case PLOT_MARKER_CIRCLE:
    case PLOT_MARKER_COUNT:
        break;
    }
    return n;
}

const colour plot_unlabelled_colour = RGB(77, 77, 77);

colour plot_points_colour(const plot_points *points, int k) {
    return points->unlabelled ? plot_unlabelled_colour : plot_class_colour(k);
}

colour plot_tint(colour a, double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    return (colour){1 + t * (a.r - 1), 1 + t * (a.g - 1), 1 + t * (a.b - 1)};
}

colour plot_diverging(double t) {
    if (!isfinite(t)) return no_value;
    return t < 0 ? plot_tint(plot_class_palette[0], -t * PLOT_FIELD_STRENGTH)
                 : plot_tint(plot_class_palette[1], t * PLOT_FIELD_STRENGTH);
}

uint32_t plot_pixel_of(colour c) {
    return 0xff000000u | (uint32_t)lround(c.r * 255) << 16 | (uint32_t)lround(c.g * 255) << 8 |
           (uint32_t)lround(c.b * 255);
}

bool plot_colour_is_dark(colour c) {
    return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 0.55;
}

/* v at `digits` significant digits, rounding noise against the bar's span
 * (a threshold of -1e-17) read as 0. */
static void bar_number(double v, double span, int digits, char *text, size_t size) {
    snprintf(text, size, "%.*g", digits, fabs(v) < span * 1e-9 ? 0 : v);
}

void plot_bar_label(double v, double low, double high, char *text, size_t size) {
    double span = fabs(high - low);
    if (!(span > 0) || !isfinite(span)) span = fmax(fabs(low), fabs(high)) * 1e-3;
    /* three digits, or as many more as the ends and the middle need to
     * read apart (a field of ±1e-12 read 0, 0, 0; one from 0.99999 to
     * 1.00001 would read 1, 1, 1) */
    int digits = 3;
    for (; digits < 17; digits++) {
        char a[40], b[40], c[40];
        bar_number(low, span, digits, a, sizeof a);
        bar_number((low + high) / 2, span, digits, b, sizeof b);
        bar_number(high, span, digits, c, sizeof c);
        if (strcmp(a, b) != 0 && strcmp(b, c) != 0 && strcmp(a, c) != 0) break;
    }
    bar_number(v, span, digits, text, size);
    plot_tidy_exponent(text, size);
    plot_real_minus(text, size);
}

void plot_bar_colours(colour (*at)(const void *user, double v), const void *user, double low, double high,
                      int steps, colour *bands) {
    for (int i = 0; i < steps; i++) bands[i] = at(user, low + (high - low) * (i + 0.5) / steps);
}

/* ---- recording ------------------------------------------------------------- */

/* Each recording's serial number: a picture with the serial the web page
 * was last sent is sent as "same". */
static _Atomic unsigned long serials;

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
    for (size_t i = 0; classes != NULL && i < count; i++)
        if (classes[i] < 0 || classes[i] >= VIZ_PLOT_MAX_CLASSES)
            return plot_fail(err, "class %d of point %zu is not one of 0 to %d", classes[i], i + 1,
                             VIZ_PLOT_MAX_CLASSES - 1);
    if (name_count < 0 || name_count > VIZ_PLOT_MAX_CLASSES)
        return plot_fail(err, "at most %d class names", VIZ_PLOT_MAX_CLASSES);
    if (classes == NULL) name_count = 0;
    plot_points made = {.count = count, .name_count = name_count, .unlabelled = classes == NULL,
                        .serial = ++serials};
    made.xs = copy_of(xs, count, sizeof *xs);
    made.ys = copy_of(ys, count, sizeof *ys);
    made.classes = classes != NULL ? copy_of(classes, count, sizeof *classes) : calloc(count ? count : 1, sizeof *classes);
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

/* Segments in one order, each from its lower end (x, then y) to the other. */
static int compare_segments(const void *a, const void *b) {
    const plot_segment *s = a, *t = b;
    double u[4] = {s->x0, s->y0, s->x1, s->y1}, v[4] = {t->x0, t->y0, t->x1, t->y1};
    for (int i = 0; i < 4; i++)
        if (u[i] != v[i]) return u[i] < v[i] ? -1 : 1;
    return 0;
}

/* The segments, each from its lower end, sorted, each kept once: how
 * many are left. */
static size_t drop_repeated_segments(plot_segment *segments, size_t count) {
    for (size_t i = 0; i < count; i++) {
        plot_segment *s = &segments[i];
        if (s->x1 < s->x0 || (s->x1 == s->x0 && s->y1 < s->y0))
            *s = (plot_segment){s->x1, s->y1, s->x0, s->y0, s->level};
    }
    if (count > 0) qsort(segments, count, sizeof *segments, compare_segments);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (kept == 0 || compare_segments(&segments[kept - 1], &segments[i]) != 0) segments[kept++] = segments[i];
    return kept;
}

/* Class k's margin at each of cells points of channels scores:
 * s_k - max_{j != k} s_j, above 0 where k wins.  As plot_field_colour, a
 * score that is not finite takes no part: where k's is not, or k's is the
 * only finite one, the margin is not finite and no border is traced. */
static void class_margin(const double *values, size_t cells, int channels, int k, double *margin) {
    for (size_t i = 0; i < cells; i++) {
        const double *v = values + i * channels;
        double other = -INFINITY;
        for (int j = 0; j < channels; j++)
            if (j != k && isfinite(v[j]) && v[j] > other) other = v[j];
        margin[i] = isfinite(v[k]) ? v[k] - other : NAN;
    }
}

/* The borders of the classes' regions (class = the largest of channels
 * scores) into edge, whose ranges are set: for each class, the zero level
 * of its margin, the border of the region where it wins.  A border between
 * classes a and b is traced twice, once from each side, to the same bits
 * (a's margin there is b's negated, and marching squares cuts a cell and
 * its complement alike), so the copies are dropped: the SVG, the web page
 * and plot_maps_edge_in see each piece once (near a point where three
 * regions meet, the two sides' pieces differ within a cell and both stay).
 * 0, or -1 when out of memory. */
static int trace_class_borders(plot_contour *edge, const double *values, int columns, int rows, int channels) {
    size_t cells = (size_t)columns * rows, count = 0, capacity = 0;
    double *margin = malloc(cells * sizeof *margin);
    plot_segment *all = NULL;
    double zero = 0;
    viz_plot_levels level = {.values = &zero, .count = 1};
    bool ok = margin != NULL;
    edge->value_min = INFINITY;
    edge->value_max = -INFINITY;
    for (int k = 0; k < channels && ok; k++) {
        class_margin(values, cells, channels, k, margin);
        plot_contour border = *edge;
        ok = plot_contour_trace(&border, margin, columns, rows, &level) == 0 &&
             ARRAY_RESERVE(all, capacity, count, border.segment_count);
        if (ok) {
            if (border.segment_count > 0) memcpy(all + count, border.segments, border.segment_count * sizeof *all);
            count += border.segment_count;
            edge->value_min = fmin(edge->value_min, border.value_min);
            edge->value_max = fmax(edge->value_max, border.value_max);
        }
        free(border.segments);
        /* the levels, all one 0: the last class's are the edge's */
        free(edge->levels);
        edge->levels = border.levels;
        edge->level_count = border.level_count;
        edge->given_levels = true;
    }
    free(margin);
    if (!ok) {
        free(all);
        return -1; /* edge->levels: the caller's free_field */
    }
    edge->segments = all;
    edge->segment_count = drop_repeated_segments(all, count);
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
                       .columns = columns, .rows = rows, .channels = channels, .threshold = threshold,
                       .serial = ++serials};
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
    } else {
        made.low = 1.0 / channels;
        made.high = 1;
    }
    /* where the model decides, through the cell centres: the threshold's
     * level curve, or the borders between the classes' regions */
    double dx = (xhi - xlo) / columns, dy = (yhi - ylo) / rows;
    made.edge = (plot_contour){.present = true, .xlo = xlo + dx / 2, .xhi = xhi - dx / 2,
                               .ylo = ylo + dy / 2, .yhi = yhi - dy / 2};
    viz_plot_levels level = {.values = &threshold, .count = 1};
    if ((channels == 1 ? plot_contour_trace(&made.edge, values, columns, rows, &level)
                       : trace_class_borders(&made.edge, values, columns, rows, channels)) < 0) {
        free_field(&made);
        return plot_fail(err, "out of memory tracing the boundary");
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
    plot->heatmap = (plot_matrix){.present = true, .rows = rows, .columns = columns, .values = copy, .name = title,
                                  .serial = ++serials};
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
    plot->images = (plot_image_grid){.present = true, .count = count, .height = height, .width = width, .values = copy,
                                     .serial = ++serials};
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
                         .xlo = xlo, .xhi = xhi, .ylo = ylo, .yhi = yhi, .serial = ++serials};
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


/* ---- the map panel ------------------------------------------------------------ */

int plot_field_class(const plot_field *field, const double *v) {
    if (field->channels == 1) return -1;
    int best = 0;
    for (int k = 1; k < field->channels; k++)
        if (v[k] > v[best] || !isfinite(v[best])) best = k;
    return isfinite(v[best]) ? best : -1;
}

colour plot_field_colour(const plot_field *field, const double *v) {
    if (field->channels == 1) {
        double half = field->high - field->threshold, below = field->threshold - field->low;
        double t = *v >= field->threshold ? (*v - field->threshold) / (half > 0 ? half : 1)
                                          : (*v - field->threshold) / (below > 0 ? below : 1);
        return plot_diverging(t > 1 ? 1 : t < -1 ? -1 : t);
    }
    /* softmax: the likeliest class, as sure as its probability is above chance */
    int best = plot_field_class(field, v);
    if (best < 0) return no_value;
    double total = 0;
    for (int k = 0; k < field->channels; k++) total += isfinite(v[k]) ? exp(v[k] - v[best]) : 0;
    double p = 1 / total, chance = 1.0 / field->channels;
    return plot_tint(plot_class_colour(best), PLOT_FIELD_STRENGTH * (p - chance) / (1 - chance));
}

void plot_field_pixels(const plot_field *field, uint32_t *argb) {
    size_t cells = (size_t)field->columns * field->rows;
    for (size_t i = 0; i < cells; i++)
        argb[i] = plot_pixel_of(plot_field_colour(field, field->values + i * field->channels));
}

colour plot_field_bar_colour(const void *field, double v) {
    return plot_field_colour(field, &v);
}

int plot_class_bars_shown(const plot_field *field) {
    return field->channels <= PLOT_CLASS_BARS_MOST ? field->channels : 1;
}

typedef struct class_bar {
    int k;
    double chance;
} class_bar;

/* the grey of the one bar of many classes: as dark as a mid-tone class colour */
static const colour class_bar_grey = RGB(96, 96, 96);

static colour class_bar_colour(const void *user, double p) {
    const class_bar *bar = user;
    colour full = bar->k < 0 ? class_bar_grey : plot_class_colour(bar->k);
    return plot_tint(full, PLOT_FIELD_STRENGTH * (p - bar->chance) / (1 - bar->chance));
}

void plot_class_bar_colours(int k, int channels, colour bands[PLOT_CLASS_BAR_STEPS]) {
    class_bar bar = {channels > PLOT_CLASS_BARS_MOST ? -1 : k, 1.0 / channels};
    plot_bar_colours(class_bar_colour, &bar, bar.chance, 1, PLOT_CLASS_BAR_STEPS, bands);
}

int plot_points_top_class(const plot_points *points) {
    int top = -1;
    for (size_t i = 0; i < points->count; i++)
        if (points->classes[i] > top) top = points->classes[i];
    return top;
}

void plot_classes_present(const plot_points *points, bool present[VIZ_PLOT_MAX_CLASSES]) {
    memset(present, 0, VIZ_PLOT_MAX_CLASSES * sizeof *present);
    for (size_t i = 0; i < points->count && !points->unlabelled; i++) present[points->classes[i]] = true;
}

const char *plot_class_name(const plot_points *points, int k, char numbered[24]) {
    if (k < points->name_count && points->names[k] != NULL) return points->names[k];
    snprintf(numbered, 24, "class %d", k);
    return numbered;
}

/* ---- a heat map --------------------------------------------------------------- */

plot_matrix_scale plot_matrix_scale_of(const plot_matrix *m) {
    plot_matrix_scale scale = {INFINITY, -INFINITY, false};
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
    return scale;
}

colour plot_matrix_colour(const void *user, double v) {
    const plot_matrix_scale *s = user;
    if (!isfinite(v)) return no_value;
    if (s->diverging) {
        double half = fmax(fabs(s->low), fabs(s->high));
        return plot_diverging(half > 0 ? v / half : 0);
    }
    double span = s->high - s->low;
    double t = span > 0 ? (v - s->low) / span : 0.5;
    return s->high <= 0 ? plot_tint(plot_class_palette[0], (1 - t) * 0.9)
                        : plot_tint(plot_class_palette[1], t * 0.9);
}

void plot_matrix_pixels(const plot_matrix *m, const plot_matrix_scale *scale, uint32_t *argb) {
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->columns; c++)
            argb[(size_t)(m->rows - 1 - r) * m->columns + c] =
                plot_pixel_of(plot_matrix_colour(scale, m->values[(size_t)r * m->columns + c]));
}

void plot_matrix_cell_text(double v, char *text, size_t size) {
    char shown[AG_NUMBUF];
    if (!isfinite(v)) snprintf(text, size, "%s", ag_format_display(v, 0, shown)); /* NaN, +Inf, -Inf: the REPL's words */
    else if (v == floor(v) && fabs(v) < 1e5) snprintf(text, size, "%.0f", v);
    else snprintf(text, size, "%.2g", v);
    plot_tidy_exponent(text, size);
    plot_real_minus(text, size);
}

void plot_matrix_title(const plot_matrix *m, char *title, size_t size) {
    snprintf(title, size, "%s%s[%d %d]", m->name, m->name[0] ? " " : "", m->rows, m->columns);
}

/* ---- a grid of images ----------------------------------------------------------- */

void plot_image_pixels(const plot_image_grid *g, int i, uint32_t *argb) {
    size_t pixels = (size_t)g->height * g->width;
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
            argb[(size_t)(g->height - 1 - r) * g->width + c] = plot_pixel_of((colour){t, t, t});
        }
}

int plot_images_columns(const plot_image_grid *g) {
    int columns = (int)ceil(sqrt((double)g->count * g->height / g->width));
    if (columns < 1) columns = 1;
    if (columns > g->count) columns = g->count;
    return columns;
}

void plot_images_title(const plot_image_grid *g, char *title, size_t size) {
    snprintf(title, size, "%d image%s, %dx%d", g->count, g->count == 1 ? "" : "s", g->height, g->width);
}

/* ---- the network's units -------------------------------------------------------- */

double plot_units_half(const double *maps, size_t count, double centre) {
    double half = 0;
    for (size_t i = 0; i < count; i++)
        if (isfinite(maps[i])) half = fmax(half, fabs(maps[i] - centre));
    if (!(half > 0)) half = 1;
    return half;
}

void plot_unit_pixels(const double *map, int grid, double centre, double half, uint32_t *argb) {
    for (int i = 0; i < grid * grid; i++) {
        double t = (map[i] - centre) / half;
        argb[i] = plot_pixel_of(plot_diverging(t > 1 ? 1 : t < -1 ? -1 : t));
    }
}

uint32_t *plot_unit_sheet(const double *maps, int units, int grid, double centre, int *columns, int *width,
                          int *height) {
    if (maps == NULL || units <= 0 || grid <= 0) return NULL;
    int across = units < PLOT_UNIT_SHEET_COLUMNS ? units : PLOT_UNIT_SHEET_COLUMNS, down = (units + across - 1) / across;
    int cell = grid + PLOT_UNIT_SHEET_GAP, w = across * cell - PLOT_UNIT_SHEET_GAP, h = down * cell - PLOT_UNIT_SHEET_GAP;
    size_t cells = (size_t)grid * grid;
    uint32_t *sheet = malloc((size_t)w * h * sizeof *sheet), *argb = malloc(cells * sizeof *argb);
    if (sheet == NULL || argb == NULL) {
        free(sheet);
        free(argb);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)w * h; i++) sheet[i] = 0xffffffffu;
    double half = plot_units_half(maps, cells * (size_t)units, centre);
    for (int u = 0; u < units; u++) {
        plot_unit_pixels(maps + cells * (size_t)u, grid, centre, half, argb);
        int x = (u % across) * cell, y = (u / across) * cell;
        for (int row = 0; row < grid; row++) /* row 0 is the plane's bottom */
            memcpy(sheet + (size_t)(y + grid - 1 - row) * w + x, argb + (size_t)row * grid, (size_t)grid * sizeof *argb);
    }
    free(argb);
    *columns = across, *width = w, *height = h;
    return sheet;
}

int plot_network_widest(const plot_network *net) {
    int most = 0;
    for (int l = 0; l < net->layers; l++)
        if (net->units[l] > most) most = net->units[l];
    return most;
}

/* The size of a layer's maps, n of them in `columns` columns, in a column
 * of the panel column_w wide and height tall: a column of maps takes at
 * most 0.45 of its width (as one always has), several 0.72 with 0.3 of a
 * map between them. */
static double unit_fit(int n, int columns, double column_w, double height) {
    int rows = (n + columns - 1) / columns;
    double across = columns == 1 ? column_w * 0.45 : column_w * 0.72 / (columns + 0.3 * (columns - 1));
    return fmin(fmin(height / rows * 0.82, across), PLOT_UNIT_MAP_LARGEST);
}

void plot_unit_blocks(const plot_network *net, double x, double w, double top, double bottom,
                      plot_unit_block *blocks) {
    int most = plot_network_widest(net);
    double height = bottom - top, column_w = (w - 30) / net->layers;
    double uniform = unit_fit(most, 1, column_w, height);
    double uniform_gap = fmin((height - uniform * most) / (most > 1 ? most - 1 : 1), uniform * 0.5);
    for (int l = 0; l < net->layers; l++) {
        int n = net->units[l], columns = 1;
        double size = uniform, gap_y = uniform_gap;
        if (uniform < PLOT_UNIT_MAP_READABLE) {
            double target = fmin(PLOT_UNIT_MAP_TARGET, unit_fit(1, 1, column_w, height));
            size = unit_fit(n, 1, column_w, height);
            for (int c = 2; c <= PLOT_UNIT_MAP_COLUMNS && c <= n && size < target; c++) {
                double fit = unit_fit(n, c, column_w, height);
                if (fit > size) size = fit, columns = c;
            }
            if (size > target) size = target;
            int rows = (n + columns - 1) / columns;
            gap_y = fmin((height - size * rows) / (rows > 1 ? rows - 1 : 1), size * 0.5);
        }
        plot_unit_block *b = &blocks[l];
        int rows = (n + columns - 1) / columns;
        b->size = size;
        b->columns = columns;
        b->gap_x = size * 0.3;
        b->gap_y = gap_y;
        b->x = floor(x + 15 + column_w * (l + 0.5) - (columns * size + (columns - 1) * b->gap_x) / 2);
        b->y = top + (height - (rows * size + (rows - 1) * gap_y)) / 2; /* floored at each unit (plot_unit_y) */
    }
}

void plot_weight_shares(const plot_network *net, int l, const double *w, double *share) {
    double largest = 0;
    size_t count = (size_t)net->units[l] * net->units[l + 1];
    for (size_t i = 0; i < count; i++) largest = fmax(largest, fabs(w[i]));
    for (size_t i = 0; i < count; i++) {
        double s = largest > 0 ? fabs(w[i]) / largest : 0;
        share[i] = !isfinite(s) || s < PLOT_WEIGHT_LEAST / 100.0 ? 0 : w[i] < 0 ? -s : s;
    }
}

void plot_layer_label(const plot_network *net, int l, char *label, size_t size) {
    if (l == 0) snprintf(label, size, "input");
    else if (l + 1 == net->layers) snprintf(label, size, "output");
    else snprintf(label, size, "layer %d", l);
}
