/* plot_web.c — the figure's window and files in the web build.
 *
 * viz/plot.c records the figure (series, tracks, marks, the traced contour)
 * and viz/plot_maps_data.c its pictures of learning (with their colours) as
 * natively; the page draws it (figure_svg.js, as SVG; agrepl-page.js
 * saves it as SVG or PNG).  What the native build does with SDL2 and Cairo is here: there is no
 * window, the picture handed to a display is the figure's data as JSON
 * (web_main.c's display passes it to the page), and savefig asks the page to
 * draw the figure into the file, which it keeps in the session's files and
 * offers as a link. */
#include <emscripten.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"
#include "plot_maps_data.h"
#include "strbuf.h"

void plot_window_touch(viz_plot *plot) { plot->dirty = true; }
void plot_window_fit(viz_plot *plot) { (void)plot; }
void plot_window_release(viz_plot *plot) { (void)plot; }
void viz_plot_pump(viz_plot *plot) { (void)plot; }

void viz_plot_set_interrupt(viz_plot *plot, const volatile sig_atomic_t *flag) {
    if (plot != NULL) plot->interrupt = flag;
}

static void number(strbuf *out, double v) {
    if (isfinite(v)) strbuf_appendf(out, "%.17g", v);
    else strbuf_append(out, "null");
}

static void string(strbuf *out, const char *s) {
    strbuf_append(out, "\"");
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        if (*c == '"' || *c == '\\') strbuf_appendf(out, "\\%c", *c);
        else if (*c < 0x20) strbuf_appendf(out, "\\u%04x", *c);
        else strbuf_append_n(out, (const char *)c, 1);
    }
    strbuf_append(out, "\"");
}

static void numbers(strbuf *out, const double *v, size_t n) {
    strbuf_append(out, "[");
    for (size_t i = 0; i < n; i++) {
        if (i) strbuf_append(out, ",");
        number(out, v[i]);
    }
    strbuf_append(out, "]");
}

/* ---- the pictures of learning ----------------------------------------------
 * What scatter, boundary, heatmap, images and neurons recorded, with every
 * colour computed here as the terminal's drawing does (plot_maps_data.h);
 * grids and coordinates (and the lines' numbers: line_numbers) go to the
 * page as typed arrays ("figure-bytes" messages ahead of the figure, named
 * in the JSON by key), not as JSON numbers. */

/* data's size bytes posted to the page under key (a copy, transferred) */
EM_JS(void, web_post_bytes, (int key, const void *data, int size), {
    var copy = HEAPU8.slice(data, data + size);
    postMessage({type : 'figure-bytes', key : key, bytes : copy.buffer}, [copy.buffer]);
});

static int bytes_keys;

/* The bytes posted, their key written into out. */
static void bytes_key(strbuf *out, const void *data, size_t size) {
    int key = ++bytes_keys;
    web_post_bytes(key, data, (int)size);
    strbuf_appendf(out, "%d", key);
}

/* count pictures of width x height pixels (0xffRRGGBB, row 0 at the bottom)
 * posted as RGBA bytes, top row first, one after another */
static void pixels_key(strbuf *out, const uint32_t *argb, int width, int height, int count) {
    size_t each = (size_t)width * height, n = each * (size_t)count;
    unsigned char *rgba = malloc(n > 0 ? n * 4 : 1);
    if (rgba == NULL) {
        strbuf_append(out, "null");
        return;
    }
    for (int k = 0; k < count; k++)
        for (int row = 0; row < height; row++)
            for (int column = 0; column < width; column++) {
                uint32_t p = argb[k * each + (size_t)(height - 1 - row) * width + column];
                unsigned char *to = rgba + (k * each + (size_t)row * width + column) * 4;
                to[0] = p >> 16 & 255, to[1] = p >> 8 & 255, to[2] = p & 255, to[3] = 255;
            }
    bytes_key(out, rgba, n * 4);
    free(rgba);
}

/* A line's n numbers: posted as a Float64Array, their key written into out
 * ([] for none).  As JSON text (%.17g each) they were two fifths of a
 * plotting loop's time in the worker: musl's printf of a million numbers,
 * then 20 MB of text for the page to decode and parse (bench/README.md,
 * "The page's plotting loop"). */
static void line_numbers(strbuf *out, const double *v, size_t n) {
    if (n == 0) strbuf_append(out, "[]");
    else bytes_key(out, v, n * sizeof *v);
}

static void hex(strbuf *out, colour c) {
    strbuf_appendf(out, "\"#%06x\"", (unsigned)(plot_pixel_of(c) & 0xffffff));
}

/* A line's "colour" and "dash" (its on-off lengths in units, [] solid):
 * the terminal's (plot_maps_data.h). */
static void line_style(strbuf *out, colour c, const dash_style *dash) {
    strbuf_append(out, ",\"colour\":");
    hex(out, c);
    strbuf_append(out, ",\"dash\":");
    numbers(out, dash->on_off, (size_t)dash->count);
}

/* v's label on a bar from low to high (plot_bar_label). */
static void label(strbuf *out, double v, double low, double high) {
    char text[40];
    plot_bar_label(v, low, high, text, sizeof text);
    string(out, text);
}

/* A colour bar: {"bands": [[colour, ...] a bar, bottom first], "low",
 * "high", "mid" (null: none), "midAt" (mid's height, 0 to 1), "title"} */
static void bar_json(strbuf *out, const colour *bands, int bars, int steps, double low, double high, bool mid_shown,
                     double mid, const char *title) {
    strbuf_append(out, "{\"bands\":[");
    for (int k = 0; k < bars; k++) {
        strbuf_append(out, k ? ",[" : "[");
        for (int i = 0; i < steps; i++) {
            if (i) strbuf_append(out, ",");
            hex(out, bands[k * steps + i]);
        }
        strbuf_append(out, "]");
    }
    strbuf_append(out, "],\"low\":");
    label(out, low, low, high);
    strbuf_append(out, ",\"high\":");
    label(out, high, low, high);
    strbuf_append(out, ",\"mid\":");
    if (mid_shown) label(out, mid, low, high);
    else strbuf_append(out, "null");
    strbuf_append(out, ",\"midAt\":");
    number(out, high > low ? (mid - low) / (high - low) : 0.5);
    strbuf_append(out, ",\"title\":");
    if (title) string(out, title);
    else strbuf_append(out, "null");
    strbuf_append(out, "}");
}

static void palette_json(strbuf *out) {
    strbuf_append(out, "[");
    for (int k = 0; k < VIZ_PLOT_CLASS_COLOURS; k++) {
        if (k) strbuf_append(out, ",");
        hex(out, plot_class_palette[k]);
    }
    strbuf_append(out, "]");
}

/* Marker m's outline (plot_marker_outline): its corners x, y, ... for a
 * disc of radius 1, y down; [] for the circle. */
static void outline_json(strbuf *out, plot_marker m) {
    double xy[PLOT_MARKER_CORNERS_MOST][2];
    int n = plot_marker_outline(m, xy);
    numbers(out, &xy[0][0], (size_t)n * 2);
}

/* {"count", "xs", "ys" (Float64Array keys), "classes" (Uint8Array key),
 * "palette": [colour a class; points without a class: one grey], "outlines":
 * [a marker's outline a round of the palette: class k's is
 * outlines[floor(k / palette.length)]], "legend": [{"name", "colour", "outline"}]} */
static void points_json(strbuf *out, const plot_points *p) {
    unsigned char *classes = malloc(p->count > 0 ? p->count : 1);
    if (classes == NULL) {
        strbuf_append(out, "null");
        return;
    }
    for (size_t i = 0; i < p->count; i++) classes[i] = (unsigned char)p->classes[i];
    strbuf_appendf(out, "{\"count\":%zu,\"xs\":", p->count);
    bytes_key(out, p->xs, p->count * sizeof *p->xs);
    strbuf_append(out, ",\"ys\":");
    bytes_key(out, p->ys, p->count * sizeof *p->ys);
    strbuf_append(out, ",\"classes\":");
    bytes_key(out, classes, p->count);
    free(classes);
    strbuf_append(out, ",\"palette\":");
    if (p->unlabelled) { /* classes all 0: palette[0] colours them */
        strbuf_append(out, "[");
        hex(out, plot_unlabelled_colour);
        strbuf_append(out, "]");
    } else {
        palette_json(out);
    }
    strbuf_append(out, ",\"outlines\":[");
    for (int m = 0; m < (p->unlabelled ? 1 : PLOT_MARKER_COUNT); m++) {
        if (m) strbuf_append(out, ",");
        outline_json(out, (plot_marker)m);
    }
    strbuf_append(out, "],\"legend\":[");
    bool present[VIZ_PLOT_MAX_CLASSES];
    plot_classes_present(p, present);
    int count = 0;
    for (int k = 0; k < VIZ_PLOT_MAX_CLASSES; k++) {
        if (!present[k]) continue;
        char numbered[24];
        strbuf_append(out, count++ ? ",{\"name\":" : "{\"name\":");
        string(out, plot_class_name(p, k, numbered));
        strbuf_append(out, ",\"colour\":");
        hex(out, plot_class_colour(k));
        strbuf_append(out, ",\"outline\":");
        outline_json(out, plot_class_marker(k));
        strbuf_append(out, "}");
    }
    strbuf_append(out, "]}");
}

/* {"range", "columns", "rows", "channels", "pixels" (RGBA key), "edge"
 * (Float64Array key: x0, y0, x1, y1 a segment of the threshold's curve or
 * of a border between classes; null: none), "bar"} */
static void field_json(strbuf *out, const plot_field *field) {
    size_t cells = (size_t)field->columns * field->rows;
    uint32_t *argb = malloc(cells * sizeof *argb);
    if (argb == NULL) {
        strbuf_append(out, "null");
        return;
    }
    plot_field_pixels(field, argb);
    double range[4] = {field->xlo, field->xhi, field->ylo, field->yhi};
    strbuf_append(out, "{\"range\":");
    numbers(out, range, 4);
    strbuf_appendf(out, ",\"columns\":%d,\"rows\":%d,\"channels\":%d,\"pixels\":", field->columns, field->rows,
                   field->channels);
    pixels_key(out, argb, field->columns, field->rows, 1);
    free(argb);
    strbuf_append(out, ",\"edge\":");
    const plot_contour *edge = &field->edge;
    double *segments = edge->segment_count > 0 ? malloc(edge->segment_count * 4 * sizeof *segments) : NULL;
    if (segments != NULL) {
        for (size_t i = 0; i < edge->segment_count; i++) {
            const plot_segment *s = &edge->segments[i];
            segments[4 * i] = s->x0, segments[4 * i + 1] = s->y0, segments[4 * i + 2] = s->x1, segments[4 * i + 3] = s->y1;
        }
        bytes_key(out, segments, edge->segment_count * 4 * sizeof *segments);
        free(segments);
    } else {
        strbuf_append(out, "null");
    }
    strbuf_append(out, ",\"bar\":");
    if (field->channels == 1) {
        colour bands[PLOT_BAR_STEPS];
        plot_bar_colours(plot_field_bar_colour, field, field->low, field->high, PLOT_BAR_STEPS, bands);
        bar_json(out, bands, 1, PLOT_BAR_STEPS, field->low, field->high, true, field->threshold, NULL);
    } else {
        int shown = plot_class_bars_shown(field);
        colour bands[VIZ_PLOT_CLASS_COLOURS * PLOT_CLASS_BAR_STEPS];
        for (int k = 0; k < shown; k++) plot_class_bar_colours(k, field->channels, bands + k * PLOT_CLASS_BAR_STEPS);
        bar_json(out, bands, shown, PLOT_CLASS_BAR_STEPS, 1.0 / field->channels, 1, false, 0, "p");
    }
    strbuf_append(out, "}");
}

/* {"title", "rows", "columns", "pixels" (RGBA key, row 0 on top), "cells":
 * [the number written in each cell] (null: too many cells), "dark": "0110"
 * (white text over a dark cell), "bar"} */
static void heatmap_json(strbuf *out, const plot_matrix *m) {
    size_t n = (size_t)m->rows * m->columns;
    uint32_t *argb = malloc(n * sizeof *argb);
    if (argb == NULL) {
        strbuf_append(out, "null");
        return;
    }
    plot_matrix_scale scale = plot_matrix_scale_of(m);
    plot_matrix_pixels(m, &scale, argb);
    char title[160];
    plot_matrix_title(m, title, sizeof title);
    strbuf_append(out, "{\"title\":");
    string(out, title);
    strbuf_appendf(out, ",\"rows\":%d,\"columns\":%d,\"pixels\":", m->rows, m->columns);
    pixels_key(out, argb, m->columns, m->rows, 1);
    free(argb);
    strbuf_append(out, ",\"cells\":");
    if (n <= PLOT_CELL_NUMBERS) {
        strbuf_append(out, "[");
        for (size_t i = 0; i < n; i++) {
            char text[32];
            plot_matrix_cell_text(m->values[i], text, sizeof text);
            if (i) strbuf_append(out, ",");
            string(out, text);
        }
        strbuf_append(out, "],\"dark\":\"");
        for (size_t i = 0; i < n; i++)
            strbuf_append(out, plot_colour_is_dark(plot_matrix_colour(&scale, m->values[i])) ? "1" : "0");
        strbuf_append(out, "\"");
    } else {
        strbuf_append(out, "null,\"dark\":\"\"");
    }
    colour bands[PLOT_BAR_STEPS];
    plot_bar_colours(plot_matrix_colour, &scale, scale.low, scale.high, PLOT_BAR_STEPS, bands);
    strbuf_append(out, ",\"bar\":");
    bar_json(out, bands, 1, PLOT_BAR_STEPS, scale.low, scale.high, scale.diverging, 0, NULL);
    strbuf_append(out, "}");
}

/* {"title", "count", "height", "width", "columns" (images a row), "pixels"
 * (RGBA key: the images one after another)} */
static void images_json(strbuf *out, const plot_image_grid *g) {
    size_t each = (size_t)g->height * g->width;
    uint32_t *argb = malloc(each * g->count * sizeof *argb);
    if (argb == NULL) {
        strbuf_append(out, "null");
        return;
    }
    for (int i = 0; i < g->count; i++) plot_image_pixels(g, i, argb + each * i);
    char title[96];
    plot_images_title(g, title, sizeof title);
    strbuf_append(out, "{\"title\":");
    string(out, title);
    strbuf_appendf(out, ",\"count\":%d,\"height\":%d,\"width\":%d,\"columns\":%d,\"pixels\":", g->count, g->height,
                   g->width, plot_images_columns(g));
    pixels_key(out, argb, g->width, g->height, g->count);
    free(argb);
    strbuf_append(out, "}");
}

/* {"layers", "grid", "units": [a layer], "labels": [a layer], "range",
 * "pixels" (RGBA key: every unit's map in order), "weights" (Float64Array
 * key: each pair of layers' strengths, signed, 0 not drawn; null: none),
 * "palette"} */
static void neurons_json(strbuf *out, const plot_network *net) {
    size_t cells = (size_t)net->grid * net->grid, units = 0, weights = 0;
    for (int l = 0; l < net->layers; l++) {
        units += (size_t)net->units[l];
        if (l + 1 < net->layers) weights += (size_t)net->units[l] * net->units[l + 1];
    }
    uint32_t *argb = malloc(cells * units * sizeof *argb);
    double *shares = net->weights != NULL ? malloc((weights > 0 ? weights : 1) * sizeof *shares) : NULL;
    if (argb == NULL || (net->weights != NULL && shares == NULL)) {
        free(argb);
        free(shares);
        strbuf_append(out, "null");
        return;
    }
    const double *map = net->maps;
    uint32_t *to = argb;
    for (int l = 0; l < net->layers; l++) {
        size_t layer_cells = cells * net->units[l];
        double half = plot_units_half(map, layer_cells, net->centres[l]);
        for (int u = 0; u < net->units[l]; u++) plot_unit_pixels(map + cells * u, net->grid, net->centres[l], half, to + cells * u);
        map += layer_cells;
        to += layer_cells;
    }
    strbuf_appendf(out, "{\"layers\":%d,\"grid\":%d,\"units\":[", net->layers, net->grid);
    for (int l = 0; l < net->layers; l++) strbuf_appendf(out, l ? ",%d" : "%d", net->units[l]);
    strbuf_append(out, "],\"labels\":[");
    for (int l = 0; l < net->layers; l++) {
        char text[32];
        plot_layer_label(net, l, text, sizeof text);
        if (l) strbuf_append(out, ",");
        string(out, text);
    }
    double range[4] = {net->xlo, net->xhi, net->ylo, net->yhi};
    strbuf_append(out, "],\"range\":");
    numbers(out, range, 4);
    strbuf_append(out, ",\"pixels\":");
    pixels_key(out, argb, net->grid, net->grid, (int)units);
    free(argb);
    strbuf_append(out, ",\"weights\":");
    if (shares != NULL) {
        const double *w = net->weights;
        size_t at = 0;
        for (int l = 0; l + 1 < net->layers; l++) {
            plot_weight_shares(net, l, w + at, shares + at);
            at += (size_t)net->units[l] * net->units[l + 1];
        }
        bytes_key(out, shares, weights * sizeof *shares);
        free(shares);
    } else {
        strbuf_append(out, "null");
    }
    strbuf_append(out, ",\"palette\":");
    palette_json(out);
    strbuf_append(out, "}");
}

/* What the page holds of one figure (the display's own, or a panel chosen
 * by panel=, by its key): the serial of each picture it was sent last (0:
 * none; a picture recorded since is sent, an unchanged one is "same"), its
 * series and paths (see sent_from) and its contour's segments. */
typedef struct sent_line {
    char *name;
    size_t count;
    double last, last_x; /* the page's last point (compared bit for bit) */
} sent_line;
typedef struct sent_state {
    bool used, seen;
    char key[VIZ_PLOT_MAX_SHEET_NAME + 8]; /* "n3" (panel=3), "s:before" (panel="before"); "" the display's */
    unsigned long points, field, heatmap, images, neurons;
    sent_line *series, *paths;
    size_t series_n, paths_n;
    const plot_segment *segments;
    size_t segment_count;
} sent_state;
static sent_state states[1 + VIZ_PLOT_MAX_SHEETS];

static void state_forget(sent_state *st) {
    for (size_t i = 0; i < st->series_n; i++) free(st->series[i].name);
    for (size_t i = 0; i < st->paths_n; i++) free(st->paths[i].name);
    free(st->series);
    free(st->paths);
    *st = (sent_state){0};
}

/* The state of the panel keyed key (made on first use; NULL: no room). */
static sent_state *state_of(const char *key) {
    sent_state *free_one = NULL;
    for (int k = 1; k <= VIZ_PLOT_MAX_SHEETS; k++) {
        if (states[k].used && strcmp(states[k].key, key) == 0) return &states[k];
        if (!states[k].used && free_one == NULL) free_one = &states[k];
    }
    if (free_one != NULL) {
        free_one->used = true;
        snprintf(free_one->key, sizeof free_one->key, "%s", key);
    }
    return free_one;
}

/* ,"name":null, "same" or the picture */
static void picture_json(strbuf *out, const char *name, bool present, unsigned long serial, unsigned long *sent,
                         bool whole, void (*write)(strbuf *, const void *), const void *picture) {
    strbuf_appendf(out, ",\"%s\":", name);
    if (!present) {
        strbuf_append(out, "null");
        if (!whole) *sent = 0;
    } else if (!whole && serial == *sent) {
        strbuf_append(out, "\"same\"");
    } else {
        write(out, picture);
        if (!whole) *sent = serial;
    }
}

static void write_points(strbuf *out, const void *p) { points_json(out, p); }
static void write_field(strbuf *out, const void *p) { field_json(out, p); }
static void write_heatmap(strbuf *out, const void *p) { heatmap_json(out, p); }
static void write_images(strbuf *out, const void *p) { images_json(out, p); }
static void write_neurons(strbuf *out, const void *p) { neurons_json(out, p); }

static void pictures_json(strbuf *out, const viz_plot *plot, bool whole, sent_state *st) {
    picture_json(out, "points", plot->points.count > 0, plot->points.serial, &st->points, whole, write_points,
                 &plot->points);
    picture_json(out, "field", plot->field.present, plot->field.serial, &st->field, whole, write_field, &plot->field);
    picture_json(out, "heatmap", plot->heatmap.present, plot->heatmap.serial, &st->heatmap, whole, write_heatmap,
                 &plot->heatmap);
    picture_json(out, "images", plot->images.present, plot->images.serial, &st->images, whole, write_images,
                 &plot->images);
    picture_json(out, "neurons", plot->neurons.present, plot->neurons.serial, &st->neurons, whole, write_neurons,
                 &plot->neurons);
}

/* What the page holds of each series and path (the figures handed over
 * before): a loop that plots appends to them, so the next figure sends only
 * the points added since, "from" the count the page has.  A series counts as
 * the one sent when it has its name, at least as many points, and the same
 * last point the page got (else, after clearplot, it is sent whole). */
static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* How many of the n points of line i (name, values ys, xs or NULL) the page
 * has already; then records that it will have all n.  0 when whole. */
static size_t sent_from(sent_line **lines, size_t *count, size_t i, const char *name, const double *ys,
                        const double *xs, size_t n, bool whole) {
    if (whole) return 0;
    if (i >= *count) {
        sent_line *more = realloc(*lines, (i + 1) * sizeof *more);
        if (more == NULL) return 0;
        for (size_t k = *count; k <= i; k++) more[k] = (sent_line){0};
        *lines = more, *count = i + 1;
    }
    sent_line *l = &(*lines)[i];
    const char *label = name ? name : "";
    size_t from = 0;
    if (l->name != NULL && strcmp(l->name, label) == 0 && l->count > 0 && n >= l->count &&
        same_bits(ys[l->count - 1], l->last) && (xs == NULL || same_bits(xs[l->count - 1], l->last_x)))
        from = l->count;
    if (l->name == NULL || strcmp(l->name, label) != 0) {
        free(l->name);
        l->name = strdup(label);
    }
    l->count = l->name != NULL ? n : 0;
    if (n > 0) l->last = ys[n - 1], l->last_x = xs ? xs[n - 1] : 0;
    return from;
}

/* One figure's object, without its closing brace, as st says the page
 * holds it: {"title", "log", "labels": {"series", "xy", "contour": [x, y]}
 * (each panel's axis names, as the terminal writes them: plot_name_axes),
 * "series": [{"name", "from", "values",
 * "xs" (null: 0, 1, ...), "points", "colour", "dash"}], "paths": [{"name",
 * "from", "xs", "ys", "colour", "dash"}] (each line's colour and dash as the
 * terminal's: plot_series_colour and the rest; its numbers Float64Array
 * keys, see line_numbers, or [] for none)
 * (the points from index "from": the page has the ones before), "marks":
 * [{"x", "y", "label"}], "contour": null, "same" (as last handed over) or
 * {"range": [xlo, xhi, ylo, yhi], "levels": [...], "caption" (the terminal's
 * "11 levels, ..." over the panel), "segments": [x0, y0, x1,
 * y1, level, ...]} (the contour is traced once, when contour() sets it: a
 * loop that tracks a path over it sends it once), and the pictures of
 * learning "points", "field", "heatmap", "images", "neurons" (null, "same"
 * or the picture: see pictures_json).  whole: never "same" (a file). */
static void figure_body(strbuf *out, const viz_plot *plot, bool whole, sent_state *st) {
    if (!whole) /* lines the figure no longer has: sent whole when they come back */
        for (size_t i = plot->series_count; i < st->series_n; i++) st->series[i].count = 0;
    if (!whole)
        for (size_t i = plot->path_count; i < st->paths_n; i++) st->paths[i].count = 0;
    strbuf_append(out, "{\"title\":");
    if (plot->title) string(out, plot->title);
    else strbuf_append(out, "null");
    strbuf_appendf(out, ",\"log\":%s,\"labels\":{", plot->log_y ? "true" : "false");
    const struct {
        const char *key;
        viz_plot_panel panel;
    } labelled[] = {{"series", VIZ_PLOT_PANEL_SERIES}, {"xy", VIZ_PLOT_PANEL_XY}, {"contour", VIZ_PLOT_PANEL_CONTOUR}};
    for (size_t i = 0; i < sizeof labelled / sizeof labelled[0]; i++) {
        strbuf_appendf(out, "%s\"%s\":[", i ? "," : "", labelled[i].key);
        plot_axis_names names;
        plot_name_axes(plot, labelled[i].panel, &names);
        string(out, names.x);
        strbuf_append(out, ",");
        string(out, names.y);
        strbuf_append(out, "]");
    }
    strbuf_append(out, "},\"series\":[");
    for (size_t i = 0; i < plot->series_count; i++) {
        const plot_series *s = &plot->series[i];
        size_t from = sent_from(&st->series, &st->series_n, i, s->name, s->values, s->xs, s->count, whole);
        strbuf_append(out, i ? ",{\"name\":" : "{\"name\":");
        string(out, s->name);
        strbuf_appendf(out, ",\"from\":%zu,\"values\":", from);
        line_numbers(out, s->values + from, s->count - from);
        strbuf_append(out, ",\"xs\":");
        if (s->xs) line_numbers(out, s->xs + from, s->count - from);
        else strbuf_append(out, "null");
        strbuf_appendf(out, ",\"points\":%s", s->points ? "true" : "false");
        line_style(out, plot_series_colour(plot, s), plot_series_dash(plot, s));
        strbuf_append(out, "}");
    }
    strbuf_append(out, "],\"paths\":[");
    for (size_t i = 0; i < plot->path_count; i++) {
        const plot_path *p = &plot->paths[i];
        size_t from = sent_from(&st->paths, &st->paths_n, i, p->name, p->ys, p->xs, p->count, whole);
        strbuf_append(out, i ? ",{\"name\":" : "{\"name\":");
        string(out, p->name);
        strbuf_appendf(out, ",\"from\":%zu,\"xs\":", from);
        line_numbers(out, p->xs + from, p->count - from);
        strbuf_append(out, ",\"ys\":");
        line_numbers(out, p->ys + from, p->count - from);
        line_style(out, plot_path_colour(p), plot_path_dash(p));
        strbuf_append(out, "}");
    }
    strbuf_append(out, "],\"marks\":[");
    for (size_t i = 0; i < plot->mark_count; i++) {
        strbuf_append(out, i ? ",{\"x\":" : "{\"x\":");
        number(out, plot->marks[i].x);
        strbuf_append(out, ",\"y\":");
        number(out, plot->marks[i].y);
        strbuf_append(out, ",\"label\":");
        string(out, plot->marks[i].label);
        strbuf_append(out, "}");
    }
    strbuf_append(out, "],\"contour\":");
    const plot_contour *c = &plot->contour;
    if (!c->present) {
        strbuf_append(out, "null");
        if (!whole) st->segments = NULL, st->segment_count = 0;
    } else if (!whole && c->segments == st->segments && c->segment_count == st->segment_count) {
        strbuf_append(out, "\"same\"");
    } else {
        if (!whole) st->segments = c->segments, st->segment_count = c->segment_count;
        double range[4] = {c->xlo, c->xhi, c->ylo, c->yhi};
        strbuf_append(out, "{\"range\":");
        numbers(out, range, 4);
        strbuf_append(out, ",\"levels\":");
        numbers(out, c->levels, (size_t)c->level_count);
        char caption[112];
        plot_contour_caption(c, caption, sizeof caption);
        strbuf_append(out, ",\"caption\":");
        string(out, caption);
        strbuf_append(out, ",\"segments\":[");
        for (size_t i = 0; i < c->segment_count; i++) {
            const plot_segment *s = &c->segments[i];
            strbuf_append(out, i ? "," : "");
            number(out, s->x0), strbuf_append(out, ","), number(out, s->y0), strbuf_append(out, ",");
            number(out, s->x1), strbuf_append(out, ","), number(out, s->y1);
            strbuf_appendf(out, ",%d", s->level);
        }
        strbuf_append(out, "]}");
    }
    pictures_json(out, plot, whole, st);
}


/* The figure as JSON: figure_body's object (its own panels) with "zoom" and "sheets":
 * [{"key", "name" (null: numbered), "number", "figure": figure_body's object
 * of that panel}], the panels chosen by panel= in the order the terminal
 * draws them (numbered, then named); malloc'd.  whole: never "same" (a file). */
static char *figure_json(const viz_plot *plot, bool whole) {
    strbuf out = {0};
    if (!whole)
        for (int k = 0; k <= VIZ_PLOT_MAX_SHEETS; k++) states[k].seen = false;
    figure_body(&out, plot, whole, &states[0]);
    /* :zoom, which a file's size follows as the terminal's (plot_figure_size) */
    strbuf_appendf(&out, ",\"zoom\":%g,\"sheets\":[", plot->zoom > 0 ? plot->zoom : 1);
    const viz_plot *owners[PLOT_MAX_FIGURE_PANELS];
    viz_plot_panel kinds[PLOT_MAX_FIGURE_PANELS];
    int panels = plot_figure_panels(plot, owners, kinds), written = 0;
    for (int i = 0; i < panels; i++) {
        const viz_plot *sheet = owners[i];
        if (sheet == plot || (i > 0 && owners[i - 1] == sheet)) continue;
        char key[VIZ_PLOT_MAX_SHEET_NAME + 8];
        if (sheet->sheet_name != NULL) snprintf(key, sizeof key, "s:%s", sheet->sheet_name);
        else snprintf(key, sizeof key, "n%d", sheet->sheet_number);
        sent_state scratch = {0}, *st = whole ? &scratch : state_of(key);
        if (st == NULL) st = &scratch; /* no room: this one whole */
        st->seen = true;
        strbuf_append(&out, written++ ? ",{\"key\":" : "{\"key\":");
        string(&out, key);
        strbuf_append(&out, ",\"name\":");
        if (sheet->sheet_name != NULL) string(&out, sheet->sheet_name);
        else strbuf_append(&out, "null");
        strbuf_appendf(&out, ",\"number\":%d,\"figure\":", sheet->sheet_number);
        figure_body(&out, sheet, whole || st == &scratch, st);
        strbuf_append(&out, "}}");
        if (st == &scratch) state_forget(&scratch);
    }
    strbuf_append(&out, "]}");
    if (!whole) /* panels gone (clearplot): the page forgets them too */
        for (int k = 1; k <= VIZ_PLOT_MAX_SHEETS; k++)
            if (states[k].used && !states[k].seen) state_forget(&states[k]);
    return strbuf_take(&out);
}

/* The display's picture of the figure: its JSON (see the opening comment). */
unsigned char *viz_plot_png(viz_plot *plot, size_t *size, char err[VIZ_ERRLEN]) {
    if (plot == NULL) {
        plot_fail(err, "no figure");
        return NULL;
    }
    char *json = figure_json(plot, false);
    if (json == NULL) {
        plot_fail(err, "out of memory");
        return NULL;
    }
    *size = strlen(json);
    return (unsigned char *)json;
}

EM_JS(void, web_post_savefig, (const char *name, const char *json), {
    postMessage({type : 'savefig', name : UTF8ToString(name), figure : UTF8ToString(json)});
});

int viz_plot_savefig(viz_plot *plot, const char *filename, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (filename == NULL || filename[0] == '\0') return plot_fail(err, "savefig needs a file name");
    const char *dot = strrchr(filename, '.');
    if (dot == NULL || (strcasecmp(dot, ".png") != 0 && strcasecmp(dot, ".svg") != 0))
        return plot_fail(err, "cannot write '%s': the web page saves figures as .png or .svg", filename);
    int folder = atomic_file_folder_error(filename); /* the page writes it after the statement */
    if (folder != 0) return plot_fail(err, "cannot write '%s': %s", filename, atomic_file_strerror(filename, folder));
    char *json = figure_json(plot, true);
    if (json == NULL) return plot_fail(err, "out of memory");
    web_post_savefig(filename, json); /* the page draws it and offers the file */
    free(json);
    return 0;
}

