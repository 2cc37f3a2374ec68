/* graph_scene.h — what the graph window knows about its picture: where each
 * node is (from Graphviz's layout), which edges join them, how the picture is
 * zoomed and panned on screen, and what the inspector says about a node.
 *
 * The geometry (viz_view_*, viz_scene_hit) is plain arithmetic with no
 * display, so it is unit-tested directly.  viz_scene_render draws a graph as
 * viz_graph_pixels does and fills a scene; a viz_layout_cache keeps the
 * layout of the last graph drawn so that a graph with the same structure
 * (same nodes and edges, only values or gradients changed) keeps every node
 * where it was.  Internal to viz/. */
#ifndef VIZ_GRAPH_SCENE_H
#define VIZ_GRAPH_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "graph.h"
#include "graph_window.h"
#include "ptrmap.h"
#include "strbuf.h"

typedef enum viz_node_kind {
    VIZ_NODE_VAR,   /* a variable (DOT name v<i>) */
    VIZ_NODE_FUNC,  /* a function (f<i>) */
    VIZ_NODE_BOX,   /* a folded group drawn as one box (box<N>): a click expands it */
    VIZ_NODE_OTHER  /* cut markers, legend entries: not inspected */
} viz_node_kind;

typedef struct viz_scene_node {
    char name[40];     /* the DOT node name */
    viz_node_kind kind;
    int group;         /* VIZ_NODE_BOX: N of box<N>; else -1 */
    ag_var *var;       /* VAR: the variable; FUNC: its first output; BOX: what leaves the
                          box (its output nearest the graph's), for the inspector once
                          it is opened (retained by the scene) */
    ag_func *func;     /* FUNC: the function; else NULL */
    double x, y;       /* centre, in picture pixels (origin top left) */
    double width, height;
    /* BOX: the call or layer it folds ("m.conv[0]"), and for a conv or pooling
     * layer its window and weight ("kernel=[3 3], stride=[1 1]; weight [2 1 3 3]") */
    char title[96];
    char window[160];
} viz_scene_node;

typedef struct viz_scene_edge {
    int tail, head;    /* node indices: tail feeds head */
} viz_scene_edge;

typedef struct viz_scene_frame {
    int group;         /* N of the expanded group drawn in cluster_group<N> */
    double x0, y0, x1, y1; /* its frame, in picture pixels */
    char title[96];        /* the call or layer it draws: "rosenbrock(x0, x1)" */
} viz_scene_frame;

typedef struct viz_scene {
    viz_scene_node *nodes;
    int nnodes;
    viz_scene_frame *frames; /* groups drawn expanded */
    int nframes;
    size_t frames_capacity;
    viz_scene_edge *edges;
    int nedges;
    int width, height; /* the picture, in pixels */
    ag_var *output;    /* the variable the graph ends at (held by its node), or NULL */
    bool pinned;       /* laid out from the cache (same structure as before) */
    bool opened;       /* laid out around the last picture's layout, a group opened (graph_open.h) */
    bool kept_only;    /* drawn with grads="kept": no grad⁺ (the inspector agrees) */
    uint64_t key;      /* the graph's structure (equal for the same graph with new values) */
    uint64_t digest;   /* viz_graph_digest of the drawing, hashed from the drawing's own walk, */
    bool digested;     /* when known: when no box the user clicked open changed the walk */
    /* a parameter's path ("m.linear[1].w", the drawing's var_path), for the inspector */
    const char *(*var_path)(void *user, const ag_var *v);
    /* a layer's units over the plane (the drawing's unit_maps), for the inspector */
    int (*unit_maps)(void *user, const ag_var *v, viz_unit_maps *maps);
    void *notes_user;
    /* ∂output/∂v for the inspector's chain rule, made in one backward for
     * every node (viz_scene_grads_from_output) when the whole scene is
     * described at once: the drawn functions' outputs, each retained, and
     * their index there (NULL, empty: each is asked for alone) */
    ag_var **sent;
    ptrmap sent_index;
} viz_scene;

/* The expanded group whose frame holds picture point (px, py), the
 * innermost when nested, or -1. */
int viz_scene_frame_at(const viz_scene *scene, double px, double py);

/* Works out ∂output/∂v for every drawn function's output v without a .grad
 * in one backward pass (ag_grads_of), for viz_scene_inspect of every node:
 * asked for one at a time, a graph of N nodes took N passes (a 2,000-node
 * show() in the kernel ran for minutes and took gigabytes).  When it fails
 * nothing is kept and each node asks for its own, as without it. */
void viz_scene_grads_from_output(viz_scene *scene);

/* Frees the arrays and releases the variables the scene retains; leaves an
 * empty scene.  NULL is ignored. */
void viz_scene_free(viz_scene *scene);

/* The node under picture point (px, py), or -1: the smallest VAR, FUNC or
 * BOX node whose box holds the point (others are never hit). */
int viz_scene_hit_picture(const viz_scene *scene, double px, double py);

/* Whether node a feeds node b directly (an edge a → b). */
bool viz_scene_feeds(const viz_scene *scene, int a, int b);

/* ---- the view: screen = picture * scale + offset ------------------------- */

#define VIZ_VIEW_MIN_SCALE 0.05
#define VIZ_VIEW_MAX_SCALE 8.0

typedef struct viz_view {
    double scale;
    double offset_x, offset_y;
} viz_view;

/* Picture point → screen point and back. */
void viz_view_to_screen(const viz_view *view, double px, double py, double *sx, double *sy);
void viz_view_to_picture(const viz_view *view, double sx, double sy, double *px, double *py);

/* The node under screen point (sx, sy), or -1 (viz_scene_hit_picture). */
int viz_scene_hit(const viz_scene *scene, const viz_view *view, double sx, double sy);

/* Zooms by factor keeping the picture point under screen point (sx, sy)
 * where it is; the scale stays within [VIZ_VIEW_MIN_SCALE, VIZ_VIEW_MAX_SCALE]. */
void viz_view_zoom_at(viz_view *view, double factor, double sx, double sy);

/* Moves the picture by (dx, dy) screen pixels. */
void viz_view_pan(viz_view *view, double dx, double dy);

/* The whole picture (width x height) centred in an area of area_width x
 * area_height pixels, at 100 % or smaller when it does not fit. */
void viz_view_fit(viz_view *view, int width, int height, int area_width, int area_height);

/* The scale below which a graph's smallest text (15 px at 100 %) would be
 * under 12 px. */
#define VIZ_VIEW_READABLE_SCALE VIZ_WINDOW_OPEN_SCALE

/* As viz_view_fit, but never below min_scale: a picture that then does not
 * fit shows its top or left part (pan to see the rest), centred where it fits. */
void viz_view_fit_min(viz_view *view, int width, int height, int area_width, int area_height,
                      double min_scale);

/* The view a window opens a picture with: as viz_view_fit_min, but a
 * picture that does not fit at min_scale shows the part that matters rather
 * than its top left: the output (the loss) wholly on screen when it fits,
 * with the most folded boxes (a recurrent model's steps, the layers) wholly
 * on screen beside it, of those places the nearest the middle of them.  A scene with
 * neither (NULL, or no box and no output drawn) opens at its top left part. */
void viz_view_open(viz_view *view, const viz_scene *scene, int width, int height, int area_width,
                   int area_height, double min_scale);

/* ---- the legend, wholly in view (graph_legend.c) ------------------------- */

/* Where a new drawing of the window's graph is put so that what the user
 * looked at stays put (graph_scene.c): the centre of group g (its folded
 * box or its expanded frame), the centre of the output's node, in picture
 * pixels, false when the scene has neither; whether two drawings have the
 * same nodes by DOT name (only values and marks differ). */
bool viz_scene_group_centre(const viz_scene *scene, int g, double *x, double *y);
bool viz_scene_output_centre(const viz_scene *scene, double *x, double *y);
bool viz_scene_same_nodes(const viz_scene *a, const viz_scene *b);

/* The legend's place in the picture (the node "legend": x0, y0 to x1, y1 in
 * picture pixels, with a margin); false when the drawing has none. */
bool viz_legend_box(const viz_scene *scene, double *x0, double *y0, double *x1, double *y1);

/* Where the legend is pinned in the graph's area (area_width x height) when
 * the view cuts its place in the picture (screen box s[4]: x, y, width,
 * height; the picture's legend picture_width x picture_height): x, y,
 * width, height on screen into out[4].  *edge_x, *edge_y: the edge of the
 * area it keeps to along each axis (0 left/top, 1 right/bottom, -1 slid only
 * as far as needed), chosen again when choose_edges, else kept. */
void viz_legend_pin(const viz_scene *scene, const viz_view *view, bool choose_edges, int *edge_x, int *edge_y,
                    const double s[4], double picture_width, double picture_height, int area_width, int height,
                    double out[4]);

/* ---- drawing ------------------------------------------------------------- */

/* The layout of the last graph drawn, keyed by its structure. */
typedef struct viz_layout_cache viz_layout_cache;
viz_layout_cache *viz_layout_cache_new(void); /* NULL when out of memory */
void viz_layout_cache_free(viz_layout_cache *cache);

/* viz_graph_pixels with a scene: the picture (malloc'd, the caller frees it)
 * and, in *scene (freed first), where its nodes are.  With a cache (may be
 * NULL) a graph of the same structure as the last one keeps its layout.
 * NULL with a message in err, as viz_graph_pixels. */
uint32_t *viz_scene_render(ag_var *y, const viz_graph_opts *o, viz_layout_cache *cache,
                           viz_scene *scene, int *width, int *height, char err[VIZ_ERRLEN]);

/* The scene's nodes (names, kinds, variables and functions) of the drawing
 * of y with o, without a layout: no positions, no edges or frames; what the
 * inspector needs (graph_inspect.c).  0, or -1 with a message in err. */
int viz_scene_describe(ag_var *y, const viz_graph_opts *o, viz_scene *scene, char err[VIZ_ERRLEN]);

/* Appends to out what the inspector shows about node i, one line each:
 * name and role, op, shape, the whole value and gradient; for a function its
 * local derivative rule and numbers; for a variable every use it feeds with
 * its gradient contribution.  digits as viz_format_value (0 = in full). */
void viz_scene_inspect(const viz_scene *scene, int i, int digits, strbuf *out);

#endif
