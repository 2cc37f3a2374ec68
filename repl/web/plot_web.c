/* plot_web.c — the figure's window and files in the web build.
 *
 * viz/plot.c records the figure (series, tracks, marks, the traced contour)
 * as natively; the page draws it (agrepl-page.js, as SVG, saved as SVG or
 * PNG).  What the native build does with SDL2 and Cairo is here: there is no
 * window, the picture handed to a display is the figure's data as JSON
 * (web_main.c's display passes it to the page), and savefig asks the page to
 * draw the figure and download the file. */
#include <emscripten.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot_internal.h"
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

/* What the page holds of each series and path (the figures handed over
 * before): a loop that plots appends to them, so the next figure sends only
 * the points added since, "from" the count the page has.  A series counts as
 * the one sent when it has its name, at least as many points, and the same
 * last point the page got (else, after clearplot, it is sent whole). */
typedef struct sent_line {
    char *name;
    size_t count;
    double last, last_x; /* the page's last point (compared bit for bit) */
} sent_line;
static sent_line *sent_series, *sent_paths;
static size_t sent_series_n, sent_paths_n;

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

/* The contour last handed over (its level curves are traced once, when
 * contour() sets them): the page keeps it, so a loop that tracks a path over
 * it sends only what changed. */
static const plot_segment *sent_segments;
static size_t sent_count;

/* The figure as JSON: {"title", "log", "series": [{"name", "from", "values",
 * "xs" (null: 0, 1, ...), "points"}], "paths": [{"name", "from", "xs", "ys"}]
 * (the points from index "from": the page has the ones before), "marks":
 * [{"x", "y", "label"}], "contour": null, "same" (as last handed over) or
 * {"range": [xlo, xhi, ylo, yhi], "levels": [...], "segments": [x0, y0, x1,
 * y1, level, ...]}}; malloc'd.  whole: never "same" (a file). */
static char *figure_json(const viz_plot *plot, bool whole) {
    if (!whole) /* lines the figure no longer has: sent whole when they come back */
        for (size_t i = plot->series_count; i < sent_series_n; i++) sent_series[i].count = 0;
    if (!whole)
        for (size_t i = plot->path_count; i < sent_paths_n; i++) sent_paths[i].count = 0;
    strbuf out = {0};
    strbuf_append(&out, "{\"title\":");
    if (plot->title) string(&out, plot->title);
    else strbuf_append(&out, "null");
    strbuf_appendf(&out, ",\"log\":%s,\"series\":[", plot->log_y ? "true" : "false");
    for (size_t i = 0; i < plot->series_count; i++) {
        const plot_series *s = &plot->series[i];
        size_t from = sent_from(&sent_series, &sent_series_n, i, s->name, s->values, s->xs, s->count, whole);
        strbuf_append(&out, i ? ",{\"name\":" : "{\"name\":");
        string(&out, s->name);
        strbuf_appendf(&out, ",\"from\":%zu,\"values\":", from);
        numbers(&out, s->values + from, s->count - from);
        strbuf_append(&out, ",\"xs\":");
        if (s->xs) numbers(&out, s->xs + from, s->count - from);
        else strbuf_append(&out, "null");
        strbuf_appendf(&out, ",\"points\":%s}", s->points ? "true" : "false");
    }
    strbuf_append(&out, "],\"paths\":[");
    for (size_t i = 0; i < plot->path_count; i++) {
        const plot_path *p = &plot->paths[i];
        size_t from = sent_from(&sent_paths, &sent_paths_n, i, p->name, p->ys, p->xs, p->count, whole);
        strbuf_append(&out, i ? ",{\"name\":" : "{\"name\":");
        string(&out, p->name);
        strbuf_appendf(&out, ",\"from\":%zu,\"xs\":", from);
        numbers(&out, p->xs + from, p->count - from);
        strbuf_append(&out, ",\"ys\":");
        numbers(&out, p->ys + from, p->count - from);
        strbuf_append(&out, "}");
    }
    strbuf_append(&out, "],\"marks\":[");
    for (size_t i = 0; i < plot->mark_count; i++) {
        strbuf_append(&out, i ? ",{\"x\":" : "{\"x\":");
        number(&out, plot->marks[i].x);
        strbuf_append(&out, ",\"y\":");
        number(&out, plot->marks[i].y);
        strbuf_append(&out, ",\"label\":");
        string(&out, plot->marks[i].label);
        strbuf_append(&out, "}");
    }
    strbuf_append(&out, "],\"contour\":");
    const plot_contour *c = &plot->contour;
    if (!c->present) {
        strbuf_append(&out, "null");
        if (!whole) sent_segments = NULL, sent_count = 0;
    } else if (!whole && c->segments == sent_segments && c->segment_count == sent_count) {
        strbuf_append(&out, "\"same\"");
    } else {
        if (!whole) sent_segments = c->segments, sent_count = c->segment_count;
        double range[4] = {c->xlo, c->xhi, c->ylo, c->yhi};
        strbuf_append(&out, "{\"range\":");
        numbers(&out, range, 4);
        strbuf_append(&out, ",\"levels\":");
        numbers(&out, c->levels, (size_t)c->level_count);
        strbuf_append(&out, ",\"segments\":[");
        for (size_t i = 0; i < c->segment_count; i++) {
            const plot_segment *s = &c->segments[i];
            strbuf_append(&out, i ? "," : "");
            number(&out, s->x0), strbuf_append(&out, ","), number(&out, s->y0), strbuf_append(&out, ",");
            number(&out, s->x1), strbuf_append(&out, ","), number(&out, s->y1);
            strbuf_appendf(&out, ",%d", s->level);
        }
        strbuf_append(&out, "]}");
    }
    strbuf_append(&out, "}");
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
    char *json = figure_json(plot, true);
    if (json == NULL) return plot_fail(err, "out of memory");
    web_post_savefig(filename, json); /* the page draws it and downloads the file */
    free(json);
    return 0;
}

