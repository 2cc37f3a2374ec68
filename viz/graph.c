/* graph.c — a graph's drawing with Graphviz, from the walk below its output
 * (graph_walk.c): its DOT text, files and the window's pixels.
 *
 * The drawing is built as a libcgraph graph (graph_draw.c) and everything
 * else derives from that one graph: its DOT text is what agwrite() prints, images are
 * what libgvc renders from it, so dot(), render() and show() cannot
 * disagree. */
#include "graph.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cgraph.h>
#ifndef __EMSCRIPTEN__ /* the web build has no Graphviz: see render_bytes */
#include <gvc.h>
#include <gvplugin.h>
#include <gvplugin_device.h>
#endif

#include "atomic_file.h"
#include "graph_contain.h"
#include "graph_internal.h"
#ifndef __EMSCRIPTEN__
#include "graph_layered.h"
#include "graph_titles.h"
#endif

/* ---- output ------------------------------------------------------------- */

static char *dot_text(Agraph_t *g, char err[VIZ_ERRLEN]) {
    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);
    if (stream == NULL) {
        snprintf(err, VIZ_ERRLEN, "out of memory while writing DOT");
        return NULL;
    }
    int written = agwrite(g, stream);
    if (fclose(stream) != 0 || written != 0) {
        free(text);
        snprintf(err, VIZ_ERRLEN, "out of memory while writing DOT");
        return NULL;
    }
    return text;
}

/* ---- pixels for the window ------------------------------------------------
 * The window needs pixels, not a file: going through PNG costs a deflate and
 * an inflate of the whole picture (about 3/4 of a render's time, tens of ms),
 * which made a graph window that follows a running loop fall to a frame a
 * second.  So a small Graphviz output device of our own, "agrepl-pixels",
 * takes the Cairo image that Graphviz's cairo renderer draws for PNG (same
 * size, same drawing) and copies its pixels out, as Graphviz's gd and gdk
 * devices do before they encode.  Renders run one at a time on the one
 * process GVC (below), so the device hands its result over in a static. */
static struct {
    uint32_t *pixels; /* malloc'd; NULL when the copy failed */
    int width, height;
    bool called;
    viz_render_transform transform; /* layout points → these pixels */
} captured;

/* The last render_bytes drew with the fallback layout (below): after dot
 * crashed, or after it ran out of its CPU time. */
static enum { LAID_BY_DOT, FELL_BACK_CRASHED, FELL_BACK_TIMED_OUT } fell_back;
#define FALLBACK_NOTE "Graphviz's layout crashed on this graph: drawn again with a simple layered layout"
#define TIMED_OUT_NOTE                                                                                      \
    "Graphviz's layout ran out of CPU time on this graph: drawn with a simple layered layout instead"

/* The last render_bytes' layout, width and height in points (its bounding
 * box), for the note on a PNG scaled down past VIZ_MAX_IMAGE_PX; 0 when not
 * known (the web build, a failed render). */
static double drawn_width_pt, drawn_height_pt;

#ifndef __EMSCRIPTEN__

static void capture_pixels(GVJ_t *job) {
    captured.called = true;
    captured.width = (int)job->width;
    captured.height = (int)job->height;
    captured.transform = (viz_render_transform){job->scale.x, job->scale.y, job->translation.x,
                                                job->translation.y};
    size_t count = (size_t)job->width * job->height;
    captured.pixels = job->imagedata != NULL && count > 0 ? malloc(count * 4) : NULL;
    if (captured.pixels == NULL) return;
    memcpy(captured.pixels, job->imagedata, count * 4);
    /* over white: Graphviz's background covers a fractional last row or
     * column only partly (premultiplied ARGB, so white adds 255 - alpha) */
    for (size_t i = 0; i < count; i++) {
        uint32_t p = captured.pixels[i], alpha = p >> 24;
        if (alpha == 0xFF) continue;
        uint32_t white = 0xFF - alpha;
        uint32_t r = ((p >> 16) & 0xFF) + white, g = ((p >> 8) & 0xFF) + white, b = (p & 0xFF) + white;
        captured.pixels[i] = 0xFF000000u | (r > 0xFF ? 0xFF : r) << 16 | (g > 0xFF ? 0xFF : g) << 8 |
                             (b > 0xFF ? 0xFF : b);
    }
}

static gvdevice_engine_t pixels_engine = {NULL, capture_pixels, NULL};
/* as Graphviz's png device: true colour, no margin, VIZ_DPI */
static gvdevice_features_t pixels_features = {GVDEVICE_DOES_TRUECOLOR, {0., 0.}, {0., 0.},
                                              {VIZ_DPI, VIZ_DPI}};
static gvplugin_installed_t pixels_devices[] = {
    {1, "agrepl-pixels:cairo", 0, &pixels_engine, &pixels_features},
    {0, NULL, 0, NULL, NULL},
};
static gvplugin_api_t pixels_apis[] = {
    {API_device, pixels_devices}, {API_layout, viz_layered_layouts}, {(api_t)0, NULL}};
static gvplugin_library_t pixels_library = {"agrepl", pixels_apis};

/* Graphviz 2.43's pango plugin keeps, in a static, a pointer to a font name
 * owned by the GVC that last measured text; freeing that GVC and making another
 * reads freed memory on the next label (ASan: heap-use-after-free in
 * textspan_size).  So the process keeps one GVC, made on first use and never
 * freed: it holds Graphviz's plugin tables and font cache, no graph or engine
 * state, and is reachable (not a leak) until exit. */
static GVC_t *process_gvc(void) {
    static GVC_t *gvc;
    if (gvc == NULL && (gvc = gvContext()) != NULL) gvAddLibrary(gvc, &pixels_library);
    return gvc;
}

/* ---- the layout, contained (graph_contain.c) ------------------------------
 * Graphviz can crash on a graph it was given (a SIGSEGV in dot_layout on a
 * 601-node graph) or run for minutes, so every "dot" layout runs first in a
 * forked child with CPU and memory limits.  Without hooks the child also
 * renders and sends the bytes (or the pixels) back; with hooks, which need
 * the layout in this process, the child only shows that the layout ends
 * well, and it is repeated here. */
typedef struct render_job {
    GVC_t *gvc;
    Agraph_t *g;
    const char *format; /* NULL: the layout only */
    const char *engine; /* "dot" or VIZ_LAYERED_ENGINE */
} render_job;

/* The layout engine for g as built (graph_draw.c): our layered one for a
 * graph dot would lay out without its x optimisation (nslimit=0: past
 * BIG_GRAPH_NODES or VIRTUAL_NODE_BUDGET, viz_layout_cost), where dot's
 * other passes still cost most of a second or more, unless the graph has
 * frames of groups drawn whole, which only dot draws; dot otherwise. */
static const char *layout_engine(Agraph_t *g) {
    const char *nslimit = agget(g, "nslimit");
    if (nslimit == NULL || strcmp(nslimit, "0") != 0) return "dot";
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub))
        if (strncmp(agnameof(sub), "cluster", 7) == 0 && strcmp(agnameof(sub), "cluster_legend") != 0)
            return "dot";
    return VIZ_LAYERED_ENGINE;
}

typedef struct pixels_head {
    int width, height;
    viz_render_transform transform;
} pixels_head;

/* Before a file's bytes from the child: the layout's size in points. */
typedef struct drawn_head {
    double width_pt, height_pt;
} drawn_head;

static unsigned char *layout_and_render(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    render_job *job = arg;
    if (gvLayout(job->gvc, job->g, job->engine) != 0) {
        snprintf(err, VIZ_ERRLEN, "Graphviz could not lay out the graph");
        return NULL;
    }
    viz_place_titles(job->g);
    if (job->format == NULL) {
        *size = 0;
        return malloc(1);
    }
    bool pixels = strcmp(job->format, "agrepl-pixels") == 0;
    char *data = NULL;
    unsigned int length = 0;
    captured.called = false;
    captured.pixels = NULL;
    if (gvRenderData(job->gvc, job->g, job->format, &data, &length) != 0 || data == NULL) {
        snprintf(err, VIZ_ERRLEN, "Graphviz could not render %s", pixels ? "the picture" : job->format);
        return NULL;
    }
    unsigned char *reply;
    if (pixels) {
        if (!captured.called || captured.pixels == NULL) {
            snprintf(err, VIZ_ERRLEN, captured.called ? "out of memory while drawing the graph"
                                                      : "Graphviz could not draw the graph");
            return NULL;
        }
        pixels_head head = {captured.width, captured.height, captured.transform};
        size_t count = (size_t)captured.width * (size_t)captured.height * 4;
        if ((reply = malloc(sizeof head + count)) != NULL) {
            memcpy(reply, &head, sizeof head);
            memcpy(reply + sizeof head, captured.pixels, count);
            *size = sizeof head + count;
        }
    } else if ((reply = malloc(sizeof(drawn_head) + length)) != NULL) {
        boxf bb = GD_bb(job->g);
        drawn_head head = {bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y};
        memcpy(reply, &head, sizeof head);
        memcpy(reply + sizeof head, data, length);
        *size = sizeof head + length;
    }
    if (reply == NULL) snprintf(err, VIZ_ERRLEN, "out of memory while rendering %s", job->format);
    return reply;
}

/* ---- the fallback layout ---------------------------------------------------
 * Debian's Graphviz (2.42, 2.43) segfaults in dot's spline routing on some
 * graphs with many long edges (the 601-node y = sin(y) * x + y crashed dot,
 * after 18 s of x optimisation, or at once without it), and tangled graphs
 * can take dot longer than the child's CPU limit.  Either way the graph is
 * drawn again by our layered layout (graph_layered.c), which takes time
 * linear in the graph, rather than lost.  fell_back says that the last
 * render_bytes did so, and why, for the note the user gets. */

/* Runs job in the child; when dot crashed or ran out of CPU time there, once
 * more with the layered layout. */
static unsigned char *contained_layout(render_job *job, size_t *size, char err[VIZ_ERRLEN]) {
    unsigned char *bytes = viz_contained(layout_and_render, job, size, err);
    bool crashed = viz_contained_crashed(), timed_out = viz_contained_timed_out();
    if (bytes == NULL && (crashed || timed_out) && strcmp(job->engine, "dot") == 0) {
        err[0] = '\0';
        job->engine = VIZ_LAYERED_ENGINE;
        fell_back = crashed ? FELL_BACK_CRASHED : FELL_BACK_TIMED_OUT;
        viz_contain_fallback_cpu(true);
        bytes = viz_contained(layout_and_render, job, size, err);
        viz_contain_fallback_cpu(false);
    }
    return bytes;
}

/* g's layout in a child: the engine to lay it out with here (dot's, or the
 * layered fallback when only that one ended well), or NULL with err. */
static const char *layout_survives(GVC_t *gvc, Agraph_t *g, char err[VIZ_ERRLEN]) {
    render_job job = {gvc, g, NULL, layout_engine(g)};
    if (strcmp(job.engine, "dot") != 0) return job.engine; /* ours: no need to try it first */
    size_t unused;
    unsigned char *reply = contained_layout(&job, &unused, err);
    free(reply);
    return reply != NULL ? job.engine : NULL;
}

/* A "dot" layout of g in the child, as a file's would be: the root graph's
 * bounding box in points (x0, y0, x1, y1); false with err. */
bool viz_layout_bb(Agraph_t *g, double bb[4], char err[VIZ_ERRLEN]) {
    render_job job = {process_gvc(), g, "dot", layout_engine(g)};
    size_t size = 0;
    err[0] = '\0';
    unsigned char *laid = job.gvc != NULL ? contained_layout(&job, &size, err) : NULL;
    if (laid == NULL) {
        if (err[0] == '\0') snprintf(err, VIZ_ERRLEN, "Graphviz could not start");
        return false;
    }
    const char *at = NULL; /* the root graph's bb="x0,y0,x1,y1" comes first, after drawn_head */
    for (size_t i = sizeof(drawn_head); at == NULL && i + 4 < size; i++)
        if (memcmp(laid + i, "bb=\"", 4) == 0) at = (const char *)laid + i + 4;
    bool known = at != NULL && memchr(at, '"', size - (size_t)(at - (const char *)laid)) != NULL &&
                 sscanf(at, "%lf,%lf,%lf,%lf", &bb[0], &bb[1], &bb[2], &bb[3]) == 4 && bb[2] > bb[0] &&
                 bb[3] > bb[1];
    free(laid);
    if (!known) snprintf(err, VIZ_ERRLEN, "Graphviz could not lay out the graph");
    return known;
}

/* Lays g out with dot and renders it in `format`; closes g.  Returns malloc'd
 * bytes and their count, or NULL with err.  For "agrepl-pixels" the bytes are
 * `captured` instead (then NULL and no err means success).  hooks (NULL for
 * none) see the layout: then it runs in this process, not in the child. */
static unsigned char *render_bytes(Agraph_t *g, const char *format, const viz_layout_hooks *hooks,
                                   size_t *size, char err[VIZ_ERRLEN]) {
    unsigned char *bytes = NULL;
    err[0] = '\0';
    GVC_t *gvc = process_gvc();
    if (gvc == NULL) {
        snprintf(err, VIZ_ERRLEN, "Graphviz could not start");
        agclose(g);
        return NULL;
    }
    fell_back = LAID_BY_DOT;
    drawn_width_pt = drawn_height_pt = 0;
    bool pinned = hooks != NULL && hooks->before != NULL && hooks->before(g, hooks->user);
    if (hooks == NULL) { /* all of it in the child */
        render_job job = {gvc, g, format, layout_engine(g)};
        bytes = contained_layout(&job, size, err);
        if (bytes != NULL && strcmp(format, "agrepl-pixels") == 0) {
            pixels_head head;
            memcpy(&head, bytes, sizeof head);
            captured.called = true;
            captured.width = head.width;
            captured.height = head.height;
            captured.transform = head.transform;
            size_t count = *size - sizeof head;
            if ((captured.pixels = malloc(count ? count : 1)) != NULL)
                memcpy(captured.pixels, bytes + sizeof head, count);
            free(bytes);
            bytes = NULL;
        } else if (bytes != NULL) {
            drawn_head head;
            memcpy(&head, bytes, sizeof head);
            drawn_width_pt = head.width_pt;
            drawn_height_pt = head.height_pt;
            *size -= sizeof head;
            memmove(bytes, bytes + sizeof head, *size);
        }
        agclose(g);
        return bytes;
    }
    int laid = -1;
    const char *engine = pinned ? "nop2" : layout_survives(gvc, g, err);
    if (engine != NULL) laid = gvLayout(gvc, g, engine);
    if (laid == 0 && !pinned && hooks->relayout != NULL && hooks->relayout(g, hooks->user)) {
        gvFreeLayout(gvc, g); /* placed around the kept layout: keep those places */
        pinned = true;
        laid = gvLayout(gvc, g, "nop2");
    }
    if (laid == 0 && pinned && hooks->laid_out != NULL && !hooks->laid_out(g, hooks->user)) {
        gvFreeLayout(gvc, g); /* the kept layout no longer fits the labels */
        engine = layout_survives(gvc, g, err);
        laid = engine != NULL ? gvLayout(gvc, g, engine) : -1;
    }
    if (laid != 0 && err[0] != '\0') {
        /* the child's reason */
    } else if (laid != 0) {
        snprintf(err, VIZ_ERRLEN, "Graphviz could not lay out the graph");
    } else {
        viz_place_titles(g);
        char *data = NULL;
        unsigned int length = 0;
        bool pixels = strcmp(format, "agrepl-pixels") == 0;
        if (gvRenderData(gvc, g, format, &data, &length) != 0 || data == NULL) {
            snprintf(err, VIZ_ERRLEN, "Graphviz could not render %s", pixels ? "the picture" : format);
        } else if (pixels) {
            /* nothing was written: the device captured the image */
            if (hooks != NULL && hooks->after != NULL) hooks->after(g, &captured.transform, hooks->user);
        } else if ((bytes = malloc(length ? length : 1)) == NULL) {
            snprintf(err, VIZ_ERRLEN, "out of memory while rendering %s", format);
        } else {
            memcpy(bytes, data, length);
            *size = length;
        }
        gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    return bytes;
}

#else
/* The web build (repl/web/) has no Graphviz library: its cgraph is a small
 * one that writes the same DOT, and pictures come from that DOT through the
 * page's @viz-js/viz (SVG); there are no pixels and no PNG. */
unsigned char *web_render_dot(const char *dot, const char *format, size_t *size, char err[VIZ_ERRLEN]);

static unsigned char *render_bytes(Agraph_t *g, const char *format, const viz_layout_hooks *hooks,
                                   size_t *size, char err[VIZ_ERRLEN]) {
    (void)hooks;
    err[0] = '\0';
    char *dot = dot_text(g, err);
    agclose(g);
    if (dot == NULL) return NULL;
    unsigned char *bytes = web_render_dot(dot, format, size, err);
    free(dot);
    return bytes;
}
#endif

char *viz_graph_dot(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    Agraph_t *g = viz_graph_of(y, o, NULL, NULL, err);
    if (g == NULL) return NULL;
    char note[VIZ_ERRLEN];
    char *text = viz_zoom_for_file(g, o, note, err) ? dot_text(g, err) : NULL;
    agclose(g);
    if (text != NULL) snprintf(err, VIZ_ERRLEN, "%s", note);
    return text;
}

unsigned char *viz_graph_png(ag_var *y, const viz_graph_opts *o, size_t *size,
                             char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    Agraph_t *g = viz_graph_of(y, o, NULL, NULL, err);
    return g ? render_bytes(g, "png", NULL, size, err) : NULL;
}

char *viz_graph_svg(ag_var *y, const viz_graph_opts *o, size_t *size, char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    Agraph_t *g = viz_graph_of(y, o, NULL, NULL, err);
    if (g != NULL) agsafeset(g, "dpi", "72", ""); /* as render's: else viewers clip it */
    size_t length = 0;
    unsigned char *bytes = g ? render_bytes(g, "svg", NULL, &length, err) : NULL;
    if (bytes == NULL) return NULL;
    char *text = realloc(bytes, length + 1);
    if (text == NULL) {
        free(bytes);
        snprintf(err, VIZ_ERRLEN, "out of memory while rendering svg");
        return NULL;
    }
    text[length] = '\0';
    *size = length;
    return text;
}

uint32_t *viz_walk_pixels(const viz_walk *w, const viz_graph_opts *o, const viz_layout_hooks *hooks,
                          int *width, int *height, char err[VIZ_ERRLEN]) {
    Agraph_t *g = viz_build_graph(w, o, err);
    if (g == NULL) return NULL;
    captured.pixels = NULL;
    captured.called = false;
    err[0] = '\0';
    size_t unused;
    render_bytes(g, "agrepl-pixels", hooks, &unused, err);
    if (err[0] != '\0') {
        free(captured.pixels);
        return NULL;
    }
    if (!captured.called || captured.pixels == NULL) {
        snprintf(err, VIZ_ERRLEN, captured.called ? "out of memory while drawing the graph"
                                                  : "Graphviz could not draw the graph");
        return NULL;
    }
    *width = captured.width;
    *height = captured.height;
    uint32_t *pixels = captured.pixels;
    captured.pixels = NULL;
    return pixels;
}

uint32_t *viz_graph_pixels(ag_var *y, const viz_graph_opts *o, int *width, int *height,
                           char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    viz_walk w;
    uint32_t *pixels = NULL;
    if (viz_walk_build(&w, y, o, err) == 0) pixels = viz_walk_pixels(&w, o, NULL, width, height, err);
    viz_walk_free(&w);
    return pixels;
}

/* A PNG scaled down past VIZ_MAX_IMAGE_PX a side so far that its node text
 * (14 pt at VIZ_DPI, times :zoom) falls under VIZ_SMALLEST_TEXT_PX: the note
 * says how small, and what draws it readably, after what note holds. */
static void small_text_note(const unsigned char *png, size_t size, const viz_graph_opts *o,
                            char note[VIZ_ERRLEN]) {
    if (size < 24 || memcmp(png + 12, "IHDR", 4) != 0 || !(drawn_width_pt > 0 && drawn_height_pt > 0)) return;
    double width_px = png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];
    double height_px = png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23];
    double px_per_pt = fmax(width_px, height_px) / fmax(drawn_width_pt, drawn_height_pt);
    double text_px = 14 * (o->zoom > 0 ? o->zoom : 1) * px_per_pt;
    if (!(text_px < VIZ_SMALLEST_TEXT_PX)) return;
    size_t used = strlen(note);
    snprintf(note + used, VIZ_ERRLEN - used,
             "%sthe graph is too big for a PNG of %d px a side: scaled down to %.0f x %.0f px, its text is "
             "about %.0f px high; render it to .svg, or look at it in show(y)",
             used ? "; " : "", VIZ_MAX_IMAGE_PX, width_px, height_px, fmax(1, text_px));
}

unsigned char *viz_graph_file_bytes(ag_var *y, const viz_graph_opts *o, const char *filename, size_t *file_size,
                                    int *nodes, int *edges, char err[VIZ_ERRLEN]) {
    static const char *const formats[] = {"dot", "png", "svg", "pdf"};
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    const char *format = NULL;
    for (size_t i = 0; dot && i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(dot + 1, formats[i]) == 0) format = formats[i];
    if (format == NULL) {
        snprintf(err, VIZ_ERRLEN, "cannot tell the format of \"%s\": use .dot, .png, .svg or .pdf",
                 filename ? filename : "");
        return NULL;
    }
    Agraph_t *g = viz_graph_of(y, o, nodes, edges, err);
    if (g == NULL) return NULL;
    char note[VIZ_ERRLEN];
    if (!viz_zoom_for_file(g, o, note, err)) {
        agclose(g);
        return NULL;
    }
    unsigned char *bytes;
    size_t size = 0;
    if (strcmp(format, "dot") == 0) {
        bytes = (unsigned char *)dot_text(g, err);
        if (bytes) size = strlen((char *)bytes);
        agclose(g);
    } else {
        /* Graphviz's SVG writer (2.43) gives width and height in points but
         * a viewBox of dpi/72 times less with a scale(dpi/72): viewers show only
         * the top left part.  At 72 dpi all three agree; a viewer at 96 px a
         * inch then shows the PNG's size (node text 14 pt in both). */
        if (strcmp(format, "svg") == 0) agsafeset(g, "dpi", "72", "");
        bytes = render_bytes(g, format, NULL, &size, err);
    }
    if (bytes == NULL) return NULL;
    if (strcmp(format, "png") == 0) small_text_note(bytes, size, o, note);
    snprintf(err, VIZ_ERRLEN, "%s", note);
    if (fell_back != LAID_BY_DOT && strcmp(format, "dot") != 0) {
        size_t used = strlen(err);
        snprintf(err + used, VIZ_ERRLEN - used, "%s%s", used ? "; " : "",
                 fell_back == FELL_BACK_CRASHED ? FALLBACK_NOTE : TIMED_OUT_NOTE);
    }
    *file_size = size;
    return bytes;
}

int viz_graph_render(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes,
                     int *edges, char err[VIZ_ERRLEN]) {
    size_t size = 0;
    unsigned char *bytes = viz_graph_file_bytes(y, o, filename, &size, nodes, edges, err);
    if (bytes == NULL) return -1;
    char note[VIZ_ERRLEN];
    snprintf(note, sizeof note, "%s", err);
    /* whole or not at all: a failed write leaves the old file as it was */
    int rc = write_file_atomic(filename, bytes, size);
    int saved = errno;
    free(bytes);
    if (rc < 0) {
        snprintf(err, VIZ_ERRLEN, "cannot write \"%s\": %s", filename,
                 atomic_file_strerror(filename, saved ? saved : EIO));
        return -1;
    }
    snprintf(err, VIZ_ERRLEN, "%s", note);
    return 0;
}
