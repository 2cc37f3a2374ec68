/* viz_web.c — the viz module's table (viz/viz_module.h) in the web build.
 *
 * The page has no Graphviz library, SDL2 window or Cairo.  What the native
 * module draws from the walk comes along unchanged: the DOT text (viz/graph.c
 * over the small cgraph of cgraph.c), the text tree, the digest a followed
 * graph is compared by, the inspector's text, the recorded figure.  Pictures
 * are made from that DOT by @viz-js/viz (Graphviz compiled to WebAssembly),
 * loaded in the same worker before the first prompt (web_render_dot), so
 * show(y) and render(y, "g.svg") work; render(y, "g.png") hands the page
 * that SVG, which the browser draws into the PNG (web_graph_file_page);
 * there are no windows (a display is always set: show() hands its HTML to
 * the page) and no PDF. */
#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"
#include "graph_internal.h"
#include "viz_module.h"

/* @viz-js/viz's renderString in the worker (agrepl-worker.js sets
 * Module.agRenderDot): the picture as text, or NULL with why in *why. */
EM_JS(char *, web_viz_render, (const char *dot, const char *format, char *why, int why_size), {
    try {
        var text = Module.agRenderDot(UTF8ToString(dot), UTF8ToString(format));
        var size = lengthBytesUTF8(text) + 1;
        var out = _malloc(size);
        if (out) stringToUTF8(text, out, size);
        return out;
    } catch (e) {
        stringToUTF8(String(e && e.message ? e.message : e), why, why_size);
        return 0;
    }
});

/* graph.c's render_bytes in this build: DOT to SVG through @viz-js/viz. */
unsigned char *web_render_dot(const char *dot, const char *format, size_t *size, char err[VIZ_ERRLEN]) {
    if (strcmp(format, "svg") != 0) {
        snprintf(err, VIZ_ERRLEN, "the web page draws graphs as SVG and PNG only (use a .svg, .png or .dot file; "
                 "%s needs the terminal's agrepl)", strcmp(format, "agrepl-pixels") == 0 ? "a window" : format);
        return NULL;
    }
    char why[VIZ_ERRLEN - 40] = "";
    char *text = web_viz_render(dot, format, why, (int)sizeof why);
    if (text == NULL) {
        snprintf(err, VIZ_ERRLEN, "Graphviz (@viz-js/viz) could not draw the graph: %s", why);
        return NULL;
    }
    *size = strlen(text);
    return (unsigned char *)text;
}

/* The page's own file (agrepl-page.js, on 'render'): the picture the SVG
 * is, drawn into a PNG of the terminal's size (96 dpi), put in the session's
 * files and offered as a link. */
EM_JS(void, web_post_render, (const char *name, const char *svg), {
    postMessage({type : 'render', name : UTF8ToString(name), svg : UTF8ToString(svg)});
});

/* render(y, "g.png"): the SVG render(y, "g.svg") writes, handed to the page,
 * which has the browser draw it (no Cairo here); 0 for any other name. */
static int web_graph_file_page(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes, int *edges,
                               char err[VIZ_ERRLEN]) {
    const char *dot = strrchr(filename, '.');
    if (dot == NULL || strcasecmp(dot, ".png") != 0) return 0;
    int folder = atomic_file_folder_error(filename); /* the file is written after the statement */
    if (folder != 0) {
        snprintf(err, VIZ_ERRLEN, "cannot write \"%s\": %s", filename, atomic_file_strerror(filename, folder));
        return -1;
    }
    size_t size = 0;
    unsigned char *svg = viz_graph_file_bytes(y, o, "page.svg", &size, nodes, edges, err);
    if (svg == NULL) return -1;
    web_post_render(filename, (const char *)svg); /* web_render_dot's text: NUL-terminated */
    free(svg);
    return 1;
}

/* graph_zoom.c's, which lays a graph out to size it: the web build writes
 * files at zoom 1 and says so when :zoom is set. */
bool viz_zoom_for_file(Agraph_t *g, const viz_graph_opts *o, char note[VIZ_ERRLEN], char err[VIZ_ERRLEN]) {
    (void)g, (void)err;
    note[0] = '\0';
    if (o->zoom > 0 && o->zoom != 1) snprintf(note, VIZ_ERRLEN, "(the web page writes files at zoom 1)");
    return true;
}

/* ---- no windows ---------------------------------------------------------- */

static void no_hints(void) {}
static const char *no_window_error(void) { return "the web page has no windows: graphs and plots are drawn in the page"; }
/* The session's graph window, which never opens: a headless one as the
 * native module makes without a display. */
struct viz_graph_window {
    bool headless;
};
static viz_graph_window *no_window(bool headless) { return calloc(1, sizeof(viz_graph_window)); }
static void no_window_free(viz_graph_window *window) { free(window); }
static int no_window_show(viz_graph_window *window, const uint32_t *pixels, int width, int height,
                          const char *title, char err[VIZ_ERRLEN]) {
    snprintf(err, VIZ_ERRLEN, "%s", no_window_error());
    return -1;
}
static int no_window_show_graph(viz_graph_window *window, ag_var *y, const viz_graph_opts *o, const char *title,
                                char err[VIZ_ERRLEN]) {
    snprintf(err, VIZ_ERRLEN, "%s", no_window_error());
    return -1;
}
static bool no_rerender(viz_graph_window *window) { return false; }
static const unsigned char *no_unfolded(const viz_graph_window *window, int *count) {
    *count = 0;
    return NULL;
}
static bool no_digest(const viz_graph_window *window, uint64_t *digest) { return false; }
static void no_pump(viz_graph_window *window) {}
static bool no_open(const viz_graph_window *window) { return false; }
static bool no_sizes(const viz_graph_window *window, int *pw, int *ph, int *ww, int *wh) { return false; }
static bool no_view(const viz_graph_window *window, double *scale, double *fit_scale, double visible[4]) {
    return false;
}

const viz_module agrepl_viz_module = {
    .version = VIZ_MODULE_VERSION,
    .graph_opts_default = viz_graph_opts_default,
    .graph_dot = viz_graph_dot,
    .graph_render = viz_graph_render,
    .graph_pixels = viz_graph_pixels,
    .graph_tree = viz_graph_tree,
    .walk_build = viz_walk_build,
    .walk_free = viz_walk_free,
    .window_hints = no_hints,
    .window_last_error = no_window_error,
    .graph_window_new = no_window,
    .graph_window_free = no_window_free,
    .graph_window_show = no_window_show,
    .graph_window_show_graph = no_window_show_graph,
    .graph_window_take_rerender = no_rerender,
    .graph_window_unfolded = no_unfolded,
    .graph_window_pump = no_pump,
    .graph_window_open = no_open,
    .graph_window_sizes = no_sizes,
    .plot_new = viz_plot_new,
    .plot_free = viz_plot_free,
    .plot_append = viz_plot_append,
    .plot_series = viz_plot_series,
    .plot_set_title = viz_plot_set_title,
    .plot_mark = viz_plot_mark,
    .plot_set_zoom = viz_plot_set_zoom,
    .plot_set_log = viz_plot_set_log,
    .plot_contour_levels = viz_plot_contour_levels,
    .plot_track = viz_plot_track,
    .plot_savefig = viz_plot_savefig,
    .plot_clear = viz_plot_clear,
    .plot_pump = viz_plot_pump,
    .plot_window_open = viz_plot_window_open,
    .graph_svg = viz_graph_svg,
    .graph_png = NULL, /* no PNG in the page: display.c then hands over the HTML and SVG */
    .plot_png = viz_plot_png,
    .plot_set_interrupt = viz_plot_set_interrupt,
    .graph_digest = viz_graph_digest,
    .graph_inspector_html = viz_graph_inspector_html,
    .graph_window_view = no_view,
    .graph_file_bytes = viz_graph_file_bytes,
    .plot_file_bytes = NULL, /* no Cairo: savefig goes to the page (plot_savefig) */
    .plot_set_labels = viz_plot_set_labels, /* sent with the figure (plot_web.c): the page draws them */
    .graph_window_digest = no_digest,
    .plot_scatter = viz_plot_scatter, /* the page draws them: plot_web.c hands them over, pictures.js draws */
    .plot_field = viz_plot_field,
    .plot_heatmap = viz_plot_heatmap,
    .plot_images = viz_plot_images,
    .plot_neurons = viz_plot_neurons,
    .plot_sheet = viz_plot_sheet, /* recorded as natively; plot_web.c sends each panel's figure */
    .graph_file_page = web_graph_file_page,
};
