/* graph_html.c — what the graph window's inspector says about every node of
 * a graph, as HTML data for the Jupyter kernel's inline graphs (repl/display.c):
 * the page's script shows a node's text when it is clicked, as the window
 * does.  The text is viz_scene_inspect's, of the scene of the same drawing
 * (same options, so the same DOT node names as the SVG's <title>s), whose
 * nodes need no layout (viz_scene_describe).  The output's node is marked
 * data-output="1".  A variable a layer of a two-input model made carries
 * its units' maps as a PNG (<img> after the text, its caption the title; the
 * page shows them above the value); so does a folded layer's box (the
 * inspector says what leaves it), which the page shows when the box is
 * clicked open (the web page makes that PNG itself from the pixels). */
#include <stdio.h>
#include <stdlib.h>

#include "graph.h"
#include "graph_scene.h"
#include "strbuf.h"
#ifdef __EMSCRIPTEN__ /* no Cairo in the web page: its script makes the PNG */
#include "plot_maps_data.h"
#else
#include "unit_maps.h"
#endif

static void append_base64(strbuf *out, const unsigned char *data, size_t size) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < size; i += 3) {
        unsigned long triple = (unsigned long)data[i] << 16 | (i + 1 < size ? (unsigned long)data[i + 1] << 8 : 0) |
                               (i + 2 < size ? data[i + 2] : 0);
        char four[5] = {digits[triple >> 18 & 63], digits[triple >> 12 & 63],
                        i + 1 < size ? digits[triple >> 6 & 63] : '=', i + 2 < size ? digits[triple & 63] : '=', 0};
        strbuf_append(out, four);
    }
}

/* The maps of the layer that made v, as an <img> (nothing when none): a PNG
 * natively; in the web build the same pixels as RGB bytes in data-rgb
 * (data-width x data-height), which the page turns into the PNG
 * (agrepl-page.js) before its script shows them. */
static void append_maps(strbuf *html, const viz_scene *scene, const ag_var *v) {
    viz_unit_maps maps = {0};
    if (v == NULL || scene->unit_maps == NULL || scene->unit_maps(scene->notes_user, v, &maps) != 0) return;
    int columns = 1;
#ifdef __EMSCRIPTEN__
    int width = 0, height = 0;
    uint32_t *sheet = plot_unit_sheet(maps.maps, maps.units, maps.grid, maps.centre, &columns, &width, &height);
    size_t size = sheet ? (size_t)width * height * 3 : 0;
    unsigned char *rgb = sheet ? malloc(size) : NULL;
    for (size_t i = 0; rgb != NULL && i < (size_t)width * height; i++)
        rgb[3 * i] = sheet[i] >> 16 & 255, rgb[3 * i + 1] = sheet[i] >> 8 & 255, rgb[3 * i + 2] = sheet[i] & 255;
    free(sheet);
    unsigned char *png = rgb;
#else
    size_t size = 0;
    unsigned char *png = viz_unit_maps_png(&maps, &columns, &size);
#endif
    if (png != NULL) {
        strbuf_append(html, "<img class=\"agrepl-maps\" title=\"");
        strbuf_append_html(html, maps.what);
        strbuf_appendf(html, "\" alt=\"the layer's units over the plane\" "
                             "style=\"display:block;width:%dpx;max-width:100%%;margin:4px 0\" ", columns * 68);
#ifdef __EMSCRIPTEN__
        strbuf_appendf(html, "data-width=\"%d\" data-height=\"%d\" data-rgb=\"", width, height);
#else
        strbuf_append(html, "src=\"data:image/png;base64,");
#endif
        append_base64(html, png, size);
        strbuf_append(html, "\">");
    }
    viz_unit_maps_free(&maps);
    free(png);
}

char *viz_graph_inspector_html(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
    viz_scene scene = {0};
    if (viz_scene_describe(y, o, &scene, err) != 0) return NULL;
    viz_scene_grads_from_output(&scene); /* every node's ∂y/∂v in one pass */
    strbuf html = {0};
    for (int i = 0; i < scene.nnodes; i++) {
        const viz_scene_node *node = &scene.nodes[i];
        if (node->kind == VIZ_NODE_OTHER) continue;
        strbuf text = {0};
        viz_scene_inspect(&scene, i, o->digits, &text);
        char *inspected = strbuf_take(&text);
        strbuf_append(&html, "<pre data-node=\"");
        strbuf_append_html(&html, node->name);
        if (node->kind == VIZ_NODE_BOX) strbuf_appendf(&html, "\" data-group=\"%d", node->group);
        if (node->kind == VIZ_NODE_VAR && scene.output != NULL && node->var == scene.output)
            strbuf_append(&html, "\" data-output=\"1"); /* the page opens a big graph on it */
        strbuf_append(&html, "\">");
        strbuf_append_html(&html, inspected ? inspected : "");
        if (node->kind != VIZ_NODE_OTHER) append_maps(&html, &scene, node->var);
        strbuf_append(&html, "</pre>");
        free(inspected);
    }
    viz_scene_free(&scene);
    char *result = strbuf_take(&html);
    if (result == NULL) snprintf(err, VIZ_ERRLEN, "out of memory while describing the graph's nodes");
    return result;
}
