/* graph_zoom.c — :zoom in saved graphs (render() and dot()).
 *
 * On a slide a picture is shown at some size, so for text to read bigger it
 * must be bigger against the picture, not just have more pixels.  A saved
 * graph therefore keeps the size it has at zoom 1 (in inches: a PNG keeps its
 * pixels, an SVG or PDF its points) and its text, lines and arrows are zoom
 * times bigger inside it.  Each box is as wide as its text, so the boxes grow
 * with it: the room between boxes shrinks by the zoom, the legend may take
 * two entries a row, and the drawing, laid out again, is centred in the
 * zoom-1 size where it is smaller.  Where it is bigger (boxes that filled the
 * picture at zoom 1 cannot be zoom times bigger in it) the picture grows as
 * far as needed rather than the text shrinking, and the caller gets a note
 * saying so. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cgraph.h>

#include "graph_internal.h"
#include "strbuf.h"

static void set(void *object, const char *name, const char *value) {
    agsafeset(object, (char *)name, (char *)value, "");
}

/* Multiplies object's numeric attribute name by factor; an unset one counts
 * as fallback (0: left alone). */
static void scale_attribute(void *object, const char *name, double fallback, double factor) {
    const char *now = agget(object, (char *)name);
    double value = now != NULL && now[0] != '\0' ? atof(now) : fallback;
    if (value <= 0) return;
    char text[32];
    snprintf(text, sizeof text, "%.3g", value * factor);
    set(object, name, text);
}

/* Frames' titles and lines; the other subgraphs (a layer's rank=same) draw
 * nothing, and a fontsize written on them only lengthened dot()'s file. */
static void scale_clusters(Agraph_t *g, double zoom) {
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        if (strncmp(agnameof(sub), "cluster", 7) == 0) {
            scale_attribute(sub, "fontsize", 14, zoom);
            scale_attribute(sub, "penwidth", 1, zoom);
        }
        scale_clusters(sub, zoom);
    }
}

/* Text, lines and arrows zoom times bigger, the room between boxes zoom
 * times smaller, but never so small that an arrowhead (10 points times its
 * arrowsize, in Graphviz) fills the room between ranks: 8 points of its
 * line stay visible. */
static void scale_drawing(Agraph_t *g, double zoom) {
    scale_attribute(g, "nodesep", 0.25, fmin(1, 1 / zoom));
    scale_attribute(g, "ranksep", 0.5, fmin(1, 1 / zoom));
    Agsym_t *arrows = agattr(g, AGEDGE, "arrowsize", NULL);
    double arrow = (arrows != NULL && arrows->defval[0] ? atof(arrows->defval) : 1) * zoom * 10 / 72;
    const char *ranksep = agget(g, "ranksep");
    if (ranksep == NULL || ranksep[0] == '\0' || atof(ranksep) < arrow + 8.0 / 72) {
        char text[32];
        snprintf(text, sizeof text, "%.3g", arrow + 8.0 / 72);
        set(g, "ranksep", text);
    }
    scale_attribute(g, "fontsize", 14, zoom);
    scale_clusters(g, zoom);
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        scale_attribute(n, "fontsize", 14, zoom);
        scale_attribute(n, "penwidth", 1, zoom);
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
            scale_attribute(e, "fontsize", 14, zoom);
            scale_attribute(e, "penwidth", 1, zoom);
            scale_attribute(e, "arrowsize", 1, zoom);
        }
    }
}

/* Appends text (a run of the legend's HTML between tags) to out, its ", "
 * nearest the middle a line break when it is long. */
static void append_wrapped(strbuf *out, const char *text, size_t length) {
    size_t visible = 0, best = 0, best_distance = SIZE_MAX;
    for (size_t i = 0; i < length; i++) visible += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (visible > 24)
        for (size_t i = 0, seen = 0; i + 1 < length; i++) {
            seen += ((unsigned char)text[i] & 0xC0) != 0x80;
            size_t distance = seen > visible / 2 ? seen - visible / 2 : visible / 2 - seen;
            if (text[i] == ',' && text[i + 1] == ' ' && distance < best_distance) best = i + 1, best_distance = distance;
        }
    if (best_distance == SIZE_MAX) {
        strbuf_appendf(out, "%.*s", (int)length, text);
        return;
    }
    strbuf_appendf(out, "%.*s<BR/>%.*s", (int)best, text, (int)(length - best - 1), text + best + 1);
}

/* The legend (graph_draw.c's add_legend: rows of entry cells) with two entries a
 * row and its long entries on two lines: narrower, for a picture whose text
 * grew.  False when it is no HTML or there is no memory. */
static bool stack_legend(Agnode_t *legend) {
    Agraph_t *g = agroot(legend);
    const char *label = agget(legend, "label");
    if (label == NULL || !aghtmlstr((char *)label)) return false;
    strbuf html = {0};
    int in_row = 1;
    for (const char *c = label; *c;) {
        if (strncmp(c, "<TR>", 4) == 0) {
            in_row = 1;
            strbuf_append(&html, "<TR>");
            c += 4;
        } else if (strncmp(c, "</TD><TD", 8) == 0) { /* the next entry in a row: two a row */
            strbuf_append(&html, ++in_row > 2 ? "</TD></TR><TR><TD" : "</TD><TD");
            if (in_row > 2) in_row = 1;
            c += 8;
        } else if (*c == '>') {
            const char *end = strchr(c + 1, '<');
            size_t length = end != NULL ? (size_t)(end - c - 1) : strlen(c + 1);
            strbuf_append(&html, ">");
            append_wrapped(&html, c + 1, length);
            c += 1 + length;
        } else {
            strbuf_appendf(&html, "%c", *c++);
        }
    }
    char *text = strbuf_take(&html);
    char *stacked = text != NULL ? agstrdup_html(g, text) : NULL;
    free(text);
    if (stacked == NULL) return false;
    set(legend, "label", stacked);
    agstrfree(g, stacked);
    return true;
}

bool viz_zoom_for_file(Agraph_t *g, const viz_graph_opts *o, char note[VIZ_ERRLEN], char err[VIZ_ERRLEN]) {
    note[0] = '\0';
    double zoom = o->zoom;
    if (!(zoom > 0) || zoom == 1) return true;
    char text[64];
    snprintf(text, sizeof text, "%d", VIZ_DPI); /* the zoom is no longer in the dpi */
    set(g, "dpi", text);
    double most = (double)VIZ_MAX_IMAGE_PX / VIZ_DPI;
    snprintf(text, sizeof text, "%g,%g", most, most);
    set(g, "size", text);
    /* the drawing's size at zoom 1, in inches */
    double bb[4];
    if (!viz_layout_bb(g, bb, err)) return false;
    double width = (bb[2] - bb[0]) / 72, height = (bb[3] - bb[1]) / 72;
    /* the same drawing zoomed, laid out for the room it needs */
    scale_drawing(g, zoom);
    if (!viz_layout_bb(g, bb, err)) return false;
    double needs_width = (bb[2] - bb[0]) / 72, needs_height = (bb[3] - bb[1]) / 72;
    /* too big: the legend in two columns may need less room (a graph drawn
     * top down grows taller; its legend, beside the inputs, wider) */
    if (needs_width > width + 1.0 / 72 || needs_height > height + 1.0 / 72) {
        Agraph_t *frame = agsubg(g, "cluster_legend", 0);
        Agnode_t *legend = frame != NULL ? agnode(frame, "legend", 0) : NULL;
        char *wide = legend != NULL ? agstrdup_html(g, agget(legend, "label")) : NULL;
        if (wide != NULL && stack_legend(legend)) {
            double stacked[4];
            if (!viz_layout_bb(g, stacked, err)) {
                agstrfree(g, wide);
                return false;
            }
            double stacked_width = (stacked[2] - stacked[0]) / 72, stacked_height = (stacked[3] - stacked[1]) / 72;
            if (fmax(width, stacked_width) * fmax(height, stacked_height) <
                fmax(width, needs_width) * fmax(height, needs_height))
                needs_width = stacked_width, needs_height = stacked_height;
            else
                set(legend, "label", wide);
        }
        if (wide != NULL) agstrfree(g, wide);
    }
    /* a smaller drawing is centred in the zoom-1 size by a wider pad (so
     * no scaling touches its text): Graphviz adds a point on each side and
     * the pad, and scales the whole down only past the longest side */
    double fill_width = fmax(width, needs_width), fill_height = fmax(height, needs_height);
    double pad = atof(agget(g, "pad") ? agget(g, "pad") : "0");
    snprintf(text, sizeof text, "%.4f,%.4f", pad + (fill_width - needs_width) / 2,
             pad + (fill_height - needs_height) / 2);
    set(g, "pad", text);
    double margin = 2 * pad + 2.0 / 72;
    double cut = fmin(1, fmin(most / (fill_width + margin), most / (fill_height + margin)));
    double cut_at_1 = fmin(1, fmin(most / (width + margin), most / (height + margin)));
    /* 1/72 in: Graphviz rounds a drawing's size to points */
    if (fill_width > width + 1.0 / 72 || fill_height > height + 1.0 / 72) {
        snprintf(note, VIZ_ERRLEN,
                 "at :zoom %g the graph's text is %.3g times as big and needs %.1f x %.1f in, more than its "
                 "%.1f x %.1f in at :zoom 1: the picture grows to hold it",
                 zoom, zoom * cut / cut_at_1, (fill_width + margin) * cut, (fill_height + margin) * cut,
                 (width + margin) * cut_at_1, (height + margin) * cut_at_1);
        if (cut < 1)
            snprintf(note + strlen(note), VIZ_ERRLEN - strlen(note), " (scaled down to %d px a side)",
                     VIZ_MAX_IMAGE_PX);
    }
    return true;
}
