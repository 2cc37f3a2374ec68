/* graph_html.c — what the graph window's inspector says about every node of
 * a graph, as HTML data for the Jupyter kernel's inline graphs (repl/display.c):
 * the page's script shows a node's text when it is clicked, as the window
 * does.  The text is viz_scene_inspect's, of the scene of the same drawing
 * (same options, so the same DOT node names as the SVG's <title>s), whose
 * nodes need no layout (viz_scene_describe).  The output's node is marked
 * data-output="1". */
#include <stdio.h>
#include <stdlib.h>

#include "graph.h"
#include "graph_scene.h"
#include "strbuf.h"

char *viz_graph_inspector_html(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
    viz_scene scene = {0};
    if (viz_scene_describe(y, o, &scene, err) != 0) return NULL;
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
        strbuf_append(&html, "</pre>");
        free(inspected);
    }
    viz_scene_free(&scene);
    char *result = strbuf_take(&html);
    if (result == NULL) snprintf(err, VIZ_ERRLEN, "out of memory while describing the graph's nodes");
    return result;
}
