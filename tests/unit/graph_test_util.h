/* graph_test_util.h — what the test_graph*.c binaries share: a small graph,
 * the drawing options, timing, and reading the DOT back with libcgraph. */
#ifndef GRAPH_TEST_UTIL_H
#define GRAPH_TEST_UTIL_H

#include "testutil.h"

#include <cairo.h>
#include <cgraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"



static inline ag_var *named(ag_var *v, const char *name) {
    ag_set_name(v, name);
    return v;
}

/* y = sin(x) + x^2 at x = 1, the spec's first example. */
static inline ag_var *sin_plus_square(ag_var **x_out) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    if (x_out) *x_out = x;
    return named(ag_add(ctx, ag_sin(ctx, x), ag_pow(ctx, x, 2)), "y");
}

static inline viz_graph_opts defaults(void) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    return o;
}

/* CPU seconds this process has used: the layout bounds below guard against
 * dot running for minutes.  CPU time holds on a loaded machine where wall
 * time does not, and each bound is a multiple of a calibration measured in
 * the same run (so the sanitizer build, slower throughout, scales too). */
static inline double seconds_now(void) { return process_cpu_seconds(); }

/* CPU seconds to render a PNG of y with the default options. */
static inline double seconds_to_render(ag_var *y) {
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    double start = seconds_now();
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    double elapsed = seconds_now() - start;
    if (png == NULL) fail_msg("viz_graph_png: %s", err);
    free(png);
    return elapsed;
}

/* ---- reading the DOT back ------------------------------------------------ */

static inline Agraph_t *read_dot(ag_var *y, const viz_graph_opts *o) {
    char err[VIZ_ERRLEN] = "";
    char *text = viz_graph_dot(y, o, err);
    if (text == NULL) fail_msg("viz_graph_dot: %s", err);
    Agraph_t *g = agmemread(text);
    free(text);
    assert_non_null(g);
    return g;
}

static inline const char *attr(void *object, const char *name) {
    const char *value = agget(object, (char *)name);
    return value ? value : "";
}

static inline bool is_legend(Agnode_t *n) { return strncmp(agnameof(n), "legend", 6) == 0; }

static inline int graph_nodes(Agraph_t *g) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) count += !is_legend(n);
    return count;
}

static inline int graph_edges(Agraph_t *g) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) count += !is_legend(n);
    return count;
}

/* The one graph node whose label contains text (fails on none or several). */
static inline Agnode_t *node_with(Agraph_t *g, const char *text) {
    Agnode_t *found = NULL;
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
        if (!is_legend(n) && strstr(attr(n, "label"), text)) {
            found = n;
            count++;
        }
    }
    if (count != 1) fail_msg("%d nodes have \"%s\" in their label", count, text);
    return found;
}

static inline int count_nodes_with(Agraph_t *g, const char *text) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        count += !is_legend(n) && strstr(attr(n, "label"), text) != NULL;
    return count;
}

static inline int in_degree(Agraph_t *g, Agnode_t *n) {
    int count = 0;
    for (Agedge_t *e = agfstin(g, n); e; e = agnxtin(g, e)) count++;
    return count;
}

static inline int out_degree(Agraph_t *g, Agnode_t *n) {
    int count = 0;
    for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) count++;
    return count;
}

/* The legend's entries in order, joined by ",": the text of each cell of
 * the legend node's tables (line breaks as "\n"), its title left out, the
 * edge labels last ("edges: ..."). */
static inline void legend_text(Agraph_t *g, char *out, size_t n) {
    Agnode_t *legend = agnode(g, "legend", 0);
    assert_non_null(legend);
    out[0] = '\0';
    const char *label = attr(legend, "label");
    for (const char *cell = strstr(label, "<TD"); cell != NULL; cell = strstr(cell + 1, "<TD")) {
        const char *end = strstr(cell, "</TD>");
        assert_non_null(end);
        const char *inner = strstr(cell, "<TABLE");
        if (inner != NULL && inner < end) continue; /* a row's table: its cells follow */
        char text[256] = "";
        size_t used = 0;
        bool in_tag = true; /* inside "<TD ...>" first */
        for (const char *c = cell; c < end && used + 3 < sizeof text; c++) {
            if (strncmp(c, "<BR/>", 5) == 0) {
                text[used++] = '\\';
                text[used++] = 'n';
            }
            if (*c == '<') in_tag = true;
            else if (*c == '>') in_tag = false;
            else if (!in_tag) text[used++] = *c;
        }
        text[used] = '\0';
        if (text[0] == '\0' || strcmp(text, "legend") == 0) continue;
        if (out[0]) strncat(out, ",", n - strlen(out) - 1);
        strncat(out, text, n - strlen(out) - 1);
    }
}

/* The whole text tree of y against expected. */
static inline void check_tree(ag_var *y, const viz_graph_opts *o, const char *expected) {
    char err[VIZ_ERRLEN] = "";
    char *text = viz_graph_tree(y, o, err);
    if (text == NULL) fail_msg("viz_graph_tree: %s", err);
    assert_string_equal(text, expected);
    free(text);
}

/* ---- files ---------------------------------------------------------------- */

static inline unsigned char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)n + 1);
    assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
    bytes[n] = 0;
    fclose(f);
    *size = (size_t)n;
    return bytes;
}

static inline unsigned read_be32(const unsigned char *p) {
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* A PNG of at most VIZ_MAX_IMAGE_PX a side; its size goes to *width, *height. */
static inline void check_png_size(const unsigned char *bytes, size_t size, unsigned *width,
                           unsigned *height) {
    assert_true(size > 1000);
    assert_memory_equal(bytes, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(bytes + 12, "IHDR", 4);
    *width = read_be32(bytes + 16);
    *height = read_be32(bytes + 20);
    assert_in_range(*width, 100, VIZ_MAX_IMAGE_PX);
    assert_in_range(*height, 100, VIZ_MAX_IMAGE_PX);
}

static inline void check_png(const unsigned char *bytes, size_t size) {
    unsigned width, height;
    check_png_size(bytes, size, &width, &height);
}

/* The SVG's own size in points ("<svg width="123pt" height="456pt""), and
 * whether Graphviz scaled the drawing to fit its size limit (a transform
 * "scale(s s)" with s below 1). */
static inline void svg_points(const char *svg, double *width, double *height, bool *shrunk) {
    const char *w = strstr(svg, "<svg width=\""), *h = strstr(svg, "height=\"");
    assert_non_null(w);
    assert_non_null(h);
    *width = strtod(w + strlen("<svg width=\""), NULL);
    *height = strtod(h + strlen("height=\""), NULL);
    const char *scale = strstr(svg, "scale(");
    assert_non_null(scale);
    *shrunk = strtod(scale + strlen("scale("), NULL) < 0.999;
}

/* y drawn as a PNG in memory (check_png_size): its size in pixels. */
static inline void png_size_of(ag_var *y, const viz_graph_opts *o, unsigned *width, unsigned *height) {
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_png(y, o, &size, err);
    if (png == NULL) fail_msg("viz_graph_png: %s", err);
    check_png_size(png, size, width, height);
    free(png);
}

/* y drawn to an SVG file /tmp/test_graph_NAME_PID.svg, read back and
 * removed: its text, malloc'd. */
static inline char *svg_of(ag_var *y, const viz_graph_opts *o, const char *name) {
    char err[VIZ_ERRLEN] = "", path[128];
    snprintf(path, sizeof path, "/tmp/test_graph_%s_%ld.svg", name, (long)getpid());
    int rc = viz_graph_render(y, o, path, NULL, NULL, err);
    if (rc != 0) fail_msg("viz_graph_render: %s", err);
    size_t size;
    unsigned char *svg = slurp(path, &size);
    unlink(path);
    return (char *)svg;
}

#endif
