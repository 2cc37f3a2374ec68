/* graph_scene.c — the graph window's scene (graph_scene.h): node positions
 * read from Graphviz's layout, the zoom/pan arithmetic, hit-testing, the
 * layout kept while only values change.  The inspector's text is in
 * graph_inspect.c. */
#include "graph_scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "ag_format.h"
#include "array.h"
#include "ag_ops.h"
#include "ag_userop.h"
#include "graph.h"
#include "graph_internal.h"
#include "graph_open.h"

/* ---- the scene ----------------------------------------------------------- */

int viz_scene_frame_at(const viz_scene *scene, double px, double py) {
    int best = -1;
    double best_area = 0;
    for (int i = 0; i < scene->nframes; i++) {
        const viz_scene_frame *f = &scene->frames[i];
        if (px < f->x0 || px > f->x1 || py < f->y0 || py > f->y1) continue;
        double area = (f->x1 - f->x0) * (f->y1 - f->y0);
        if (best < 0 || area < best_area) best = i, best_area = area;
    }
    return best < 0 ? -1 : scene->frames[best].group;
}

int viz_scene_hit_picture(const viz_scene *scene, double px, double py) {
    int best = -1;
    double best_area = 0;
    for (int i = 0; i < scene->nnodes; i++) {
        const viz_scene_node *n = &scene->nodes[i];
        if (n->kind == VIZ_NODE_OTHER) continue;
        if (fabs(px - n->x) > n->width / 2 || fabs(py - n->y) > n->height / 2) continue;
        double area = n->width * n->height;
        if (best < 0 || area < best_area) best = i, best_area = area;
    }
    return best;
}

bool viz_scene_feeds(const viz_scene *scene, int a, int b) {
    for (int e = 0; e < scene->nedges; e++)
        if (scene->edges[e].tail == a && scene->edges[e].head == b) return true;
    return false;
}

/* ---- the view ------------------------------------------------------------ */

void viz_view_to_screen(const viz_view *view, double px, double py, double *sx, double *sy) {
    *sx = px * view->scale + view->offset_x;
    *sy = py * view->scale + view->offset_y;
}

void viz_view_to_picture(const viz_view *view, double sx, double sy, double *px, double *py) {
    *px = (sx - view->offset_x) / view->scale;
    *py = (sy - view->offset_y) / view->scale;
}

int viz_scene_hit(const viz_scene *scene, const viz_view *view, double sx, double sy) {
    double px, py;
    viz_view_to_picture(view, sx, sy, &px, &py);
    return viz_scene_hit_picture(scene, px, py);
}

void viz_view_zoom_at(viz_view *view, double factor, double sx, double sy) {
    double scale = view->scale * factor;
    if (scale < VIZ_VIEW_MIN_SCALE) scale = VIZ_VIEW_MIN_SCALE;
    if (scale > VIZ_VIEW_MAX_SCALE) scale = VIZ_VIEW_MAX_SCALE;
    double px, py;
    viz_view_to_picture(view, sx, sy, &px, &py);
    view->scale = scale;
    view->offset_x = sx - px * scale;
    view->offset_y = sy - py * scale;
}

void viz_view_pan(viz_view *view, double dx, double dy) {
    view->offset_x += dx;
    view->offset_y += dy;
}

void viz_view_fit(viz_view *view, int width, int height, int area_width, int area_height) {
    double scale = 1.0;
    if (width > 0 && area_width < width) scale = (double)area_width / width;
    if (height > 0 && height * scale > area_height) scale = (double)area_height / height;
    if (scale < VIZ_VIEW_MIN_SCALE) scale = VIZ_VIEW_MIN_SCALE;
    view->scale = scale;
    view->offset_x = (area_width - width * scale) / 2;
    view->offset_y = (area_height - height * scale) / 2;
}

void viz_view_fit_min(viz_view *view, int width, int height, int area_width, int area_height,
                      double min_scale) {
    viz_view_fit(view, width, height, area_width, area_height);
    if (view->scale >= min_scale) return;
    view->scale = min_scale;
    view->offset_x = width * min_scale <= area_width ? (area_width - width * min_scale) / 2 : 0;
    view->offset_y = height * min_scale <= area_height ? (area_height - height * min_scale) / 2 : 0;
}

/* A start along one axis for a view `view` long on a picture `picture`
 * long, never past the picture's ends (0 when the picture fits). */
static double clamp_start(double start, double picture, double view) {
    if (start > picture - view) start = picture - view;
    return start < 0 ? 0 : start;
}

typedef struct focus_box {
    double x0, y0, x1, y1;
} focus_box;

/* How many of boxes[0..n) lie wholly in the view starting at (x, y). */
static int boxes_seen(const focus_box *boxes, int n, double x, double y, double view_w, double view_h) {
    int seen = 0;
    for (int k = 0; k < n; k++)
        seen += boxes[k].x0 >= x && boxes[k].x1 <= x + view_w && boxes[k].y0 >= y && boxes[k].y1 <= y + view_h;
    return seen;
}


void viz_view_open(viz_view *view, const viz_scene *scene, int width, int height, int area_width,
                   int area_height, double min_scale) {
    viz_view_fit_min(view, width, height, area_width, area_height, min_scale);
    if (scene == NULL || view->scale <= 0) return;
    double view_w = area_width / view->scale, view_h = area_height / view->scale;
    if (width <= view_w && height <= view_h) return; /* it fits */
    /* the folded boxes, then the output (the last) */
    const double margin = 12;
    focus_box *boxes = malloc(((size_t)scene->nnodes + 1) * sizeof *boxes);
    if (boxes == NULL) return;
    int n = 0;
    bool output = false;
    focus_box out = {0};
    for (int i = 0; i < scene->nnodes; i++) {
        const viz_scene_node *node = &scene->nodes[i];
        focus_box b = {node->x - node->width / 2 - margin, node->y - node->height / 2 - margin,
                       node->x + node->width / 2 + margin, node->y + node->height / 2 + margin};
        if (node->kind == VIZ_NODE_BOX) boxes[n++] = b;
        else if (node->kind == VIZ_NODE_VAR && scene->output != NULL && node->var == scene->output)
            output = true, out = b;
    }
    if (n == 0 && !output) { /* neither: the top left part, as fitted */
        free(boxes);
        return;
    }
    if (output) boxes[n++] = out;
    /* the view's place: each box's edge at the view's edge, along each axis;
     * of those with the output wholly on screen (when it fits at all) the one
     * with the most boxes wholly on screen, of those the nearest the middle
     * of them all */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int k = 0; k < n; k++)
        x0 = fmin(x0, boxes[k].x0), y0 = fmin(y0, boxes[k].y0), x1 = fmax(x1, boxes[k].x1), y1 = fmax(y1, boxes[k].y1);
    double middle_x = clamp_start((x0 + x1 - view_w) / 2, width, view_w);
    double middle_y = clamp_start((y0 + y1 - view_h) / 2, height, view_h);
    double best_x = middle_x, best_y = middle_y, best_distance = INFINITY;
    int best = -1;
    for (int a = 0; a < 2 * n + 1; a++) {
        double x = clamp_start(a == 2 * n ? middle_x : a % 2 ? boxes[a / 2].x1 - view_w : boxes[a / 2].x0, width, view_w);
        for (int b = 0; b < 2 * n + 1; b++) {
            double y = clamp_start(b == 2 * n ? middle_y : b % 2 ? boxes[b / 2].y1 - view_h : boxes[b / 2].y0, height,
                                   view_h);
            int seen = boxes_seen(boxes, n, x, y, view_w, view_h);
            if (output) seen += n * boxes_seen(&out, 1, x, y, view_w, view_h); /* above any boxes without it */
            double distance = fabs(x - middle_x) + fabs(y - middle_y);
            if (seen > best || (seen == best && distance < best_distance))
                best = seen, best_x = x, best_y = y, best_distance = distance;
        }
    }
    free(boxes);
    if (width > view_w) view->offset_x = -best_x * view->scale;
    if (height > view_h) view->offset_y = -best_y * view->scale;
}

/* ---- the layout cache ------------------------------------------------------
 * The positions Graphviz gave the last graph, as the attribute strings its
 * DOT output would carry (attach_attrs writes them): nodes and edges in the
 * graph's own order, then clusters.  A graph built from the same structure
 * has the same nodes, edges and clusters in the same order, so a position
 * goes back where it came from by its place in the list. */

typedef struct saved_attrs {
    uint64_t key;  /* the structure it belongs to */
    char **values; /* per object, in walk order: the values of that object's keys */
    char **ids;    /* per value: "ID KEY", ID as graph_open.h names objects */
    size_t count, capacity, ids_capacity;
} saved_attrs;

/* The layouts of the last few structures drawn, the last one first: a group
 * clicked open and folded again gets back exactly the layout it had. */
#define KEPT_LAYOUTS 8

struct viz_layout_cache {
    saved_attrs layouts[KEPT_LAYOUTS];
    int count;            /* layouts[0 .. count) are valid */
    uint64_t reserve_key; /* a structure whose values changed: laid out with room for them */
    bool reserving;       /* reserve_key is set */
};

viz_layout_cache *viz_layout_cache_new(void) { return calloc(1, sizeof(viz_layout_cache)); }

static void free_attrs(saved_attrs *a) {
    for (size_t i = 0; i < a->count; i++) {
        free(a->values[i]);
        free(a->ids[i]);
    }
    free(a->values);
    free(a->ids);
    *a = (saved_attrs){0};
}

void viz_layout_cache_free(viz_layout_cache *cache) {
    if (cache == NULL) return;
    for (int i = 0; i < cache->count; i++) free_attrs(&cache->layouts[i]);
    free(cache);
}

/* The kept layout of structure key, moved to the front; NULL when none. */
static saved_attrs *find_layout(viz_layout_cache *cache, uint64_t key) {
    for (int i = 0; i < cache->count; i++)
        if (cache->layouts[i].key == key) {
            saved_attrs found = cache->layouts[i];
            memmove(&cache->layouts[1], &cache->layouts[0], (size_t)i * sizeof found);
            cache->layouts[0] = found;
            return &cache->layouts[0];
        }
    return NULL;
}

/* Keeps a (taken over) as the layout of its structure, in front. */
static void keep_layout(viz_layout_cache *cache, saved_attrs *a) {
    for (int i = 0; i < cache->count; i++)
        if (cache->layouts[i].key == a->key) {
            free_attrs(&cache->layouts[i]);
            memmove(&cache->layouts[i], &cache->layouts[i + 1], (size_t)(cache->count - i - 1) * sizeof *a);
            cache->count--;
            break;
        }
    if (cache->count == KEPT_LAYOUTS) free_attrs(&cache->layouts[--cache->count]);
    memmove(&cache->layouts[1], &cache->layouts[0], (size_t)cache->count * sizeof *a);
    cache->layouts[0] = *a;
    cache->count++;
    *a = (saved_attrs){0};
}

/* graph_open.h's look-up in the last layout drawn (layouts[0]). */
static const char *old_attr(void *user, const char *id, const char *key) {
    const viz_layout_cache *cache = user;
    if (cache->count == 0) return NULL;
    const saved_attrs *a = &cache->layouts[0];
    size_t id_length = strlen(id);
    for (size_t i = 0; i < a->count; i++)
        if (strncmp(a->ids[i], id, id_length) == 0 && a->ids[i][id_length] == ' ' &&
            strcmp(a->ids[i] + id_length + 1, key) == 0)
            return a->values[i];
    return NULL;
}

static uint64_t hash_text(uint64_t hash, const char *text) {
    for (const char *c = text ? text : ""; *c; c++) hash = (hash ^ (unsigned char)*c) * 1099511628211u;
    return (hash ^ 0xFF) * 1099511628211u; /* a separator: "ab","c" differs from "a","bc" */
}

/* The attributes that place each kind of object. */
static const char *const node_keys[] = {"pos", "width", "height"};
static const char *const edge_keys[] = {"pos", "lp"};
static const char *const graph_keys[] = {"bb", "lp"};
#define COUNT(a) (sizeof a / sizeof a[0])

/* What one pass over a graph does with each object's placing attributes. */
typedef enum pass { PASS_HASH, PASS_SAVE, PASS_APPLY } pass;

typedef struct walker {
    pass what;
    uint64_t hash;
    saved_attrs *attrs; /* PASS_SAVE: filled; PASS_APPLY: read */
    size_t next;        /* PASS_APPLY: the next saved value */
    bool ok;
} walker;

/* id: the object's name for graph_open.h ("n v3"), for PASS_SAVE. */
static void visit(walker *w, void *object, const char *id, const char *const *keys, size_t nkeys) {
    for (size_t k = 0; k < nkeys && w->ok; k++) {
        if (w->what == PASS_SAVE) {
            saved_attrs *a = w->attrs;
            if (!ARRAY_RESERVE(a->values, a->capacity, a->count, 1) ||
                !ARRAY_RESERVE(a->ids, a->ids_capacity, a->count, 1)) {
                w->ok = false;
                return;
            }
            const char *value = agget(object, (char *)keys[k]);
            size_t length = strlen(id) + strlen(keys[k]) + 2;
            a->values[a->count] = strdup(value ? value : "");
            a->ids[a->count] = malloc(length);
            if (a->values[a->count] == NULL || a->ids[a->count] == NULL) {
                free(a->values[a->count]);
                free(a->ids[a->count]);
                w->ok = false;
                return;
            }
            snprintf(a->ids[a->count], length, "%s %s", id, keys[k]);
            a->count++;
        } else if (w->what == PASS_APPLY) {
            if (w->next >= w->attrs->count) {
                w->ok = false;
                return;
            }
            const char *value = w->attrs->values[w->next++];
            if (value[0] != '\0') agsafeset(object, (char *)keys[k], (char *)value, "");
        }
    }
}

/* Clusters and other subgraphs, depth first in Graphviz's order. */
static void visit_subgraphs(walker *w, Agraph_t *g) {
    for (Agraph_t *sub = agfstsubg(g); sub != NULL && w->ok; sub = agnxtsubg(sub)) {
        if (w->what == PASS_HASH) {
            w->hash = hash_text(w->hash, agnameof(sub));
            w->hash = hash_text(w->hash, agget(sub, "label"));
        } else if (strncmp(agnameof(sub), "cluster", 7) == 0) {
            char id[160];
            snprintf(id, sizeof id, "c %s", agnameof(sub));
            visit(w, sub, id, graph_keys, COUNT(graph_keys));
        }
        visit_subgraphs(w, sub);
    }
}

/* The structure key (PASS_HASH): node names, edges with their labels
 * (operand roles), subgraphs, and what sizes the drawing (rankdir, dpi,
 * title).  Values and gradients are not in it: only labels change with them. */
static void walk_graph(walker *w, Agraph_t *g) {
    if (w->what == PASS_HASH) {
        static const char *const graph_attrs[] = {"rankdir", "dpi", "label", "size"};
        for (size_t i = 0; i < COUNT(graph_attrs); i++)
            w->hash = hash_text(w->hash, agget(g, (char *)graph_attrs[i]));
    } else {
        visit(w, g, "g", graph_keys, COUNT(graph_keys));
    }
    char id[200];
    for (Agnode_t *n = agfstnode(g); n != NULL && w->ok; n = agnxtnode(g, n)) {
        if (w->what == PASS_HASH) {
            w->hash = hash_text(w->hash, agnameof(n));
        } else {
            snprintf(id, sizeof id, "n %s", agnameof(n));
            visit(w, n, id, node_keys, COUNT(node_keys));
        }
        for (Agedge_t *e = agfstout(g, n); e != NULL && w->ok; e = agnxtout(g, e)) {
            if (w->what == PASS_HASH) {
                w->hash = hash_text(w->hash, agnameof(aghead(e)));
                w->hash = hash_text(w->hash, agget(e, "label"));
            } else {
                if (w->what == PASS_SAVE) viz_edge_id(g, e, id, sizeof id);
                visit(w, e, id, edge_keys, COUNT(edge_keys));
            }
        }
    }
    visit_subgraphs(w, g);
}

static uint64_t structure_key(Agraph_t *g) {
    walker w = {.what = PASS_HASH, .hash = 1469598103934665603u, .ok = true};
    walk_graph(&w, g);
    return w.hash;
}

/* ---- rendering with a scene -------------------------------------------------- */

typedef struct render_state {
    viz_layout_cache *cache;
    const viz_graph_opts *opts;
    const viz_walk *walk;
    viz_scene *scene;
    uint64_t key;
    bool pinned;
    bool opened;  /* laid out around the last layout, a group opened (graph_open.h) */
    char bb[128]; /* the kept layout's bounding box ("llx,lly,urx,ury", points) */
    bool failed;  /* out of memory filling the scene */
} render_state;

/* The index of n in the walk's vars or funcs from its DOT name ("v3", "f0"),
 * or -1; also N of "box<N>". */
static long name_number(const char *name, const char *prefix) {
    size_t length = strlen(prefix);
    if (strncmp(name, prefix, length) != 0 || name[length] == '\0') return -1;
    char *end;
    long number = strtol(name + length, &end, 10);
    return *end == '\0' && number >= 0 ? number : -1;
}

/* ---- room for values that change ------------------------------------------
 * A node's box is as wide as its widest row; when a value or gradient later
 * prints wider, the kept layout no longer holds the box and the graph would
 * be laid out again, moving every box.  So a graph whose values change (the
 * window follows it through a loop or a backward's steps) is laid out with
 * each variable's box as wide as its rows can print at the current digits. */

#define RESERVE_POINTS_PER_CHAR 8.7 /* DejaVu Sans 14 pt: digits 8.9, '.' and '-' narrower */
#define RESERVE_MARGIN_POINTS 26.0  /* the node's margin and the table's cell padding */

/* The most characters a number prints with at `digits` (0: shortest round
 * trip, up to 17 significant digits): "-0.0012345678901234567". */
static int widest_number(int digits) { return digits > 0 ? digits + 7 : 22; }

/* The widest a variable's value or gradient row can print, in characters. */
static int reserved_chars(const ag_var *v, const viz_graph_opts *o) {
    int number;
    size_t size = ag_size(v);
    if (ag_ndim(v) == 0) {
        number = widest_number(o->digits);
    } else {
        char shape[AG_SHAPEBUF];
        int element_digits = o->digits > 0 ? o->digits : size == 1 ? 0 : 4;
        size_t shown = size <= 4 ? size : 3;
        number = (int)strlen(ag_shape_string(ag_ndim(v), ag_shape(v), shape)) +
                 (int)shown * (1 + widest_number(element_digits)) + (shown < size ? 2 : 0);
    }
    int chars = o->values ? number : 0;
    if (o->grads && number + 6 > chars) chars = number + 6; /* "grad⁺ " */
    return chars;
}

/* Widens every variable's box (not a constant's, whose value is fixed) to
 * its reserved width; Graphviz keeps a label's own width when wider. */
static void reserve_widths(Agraph_t *g, const render_state *state) {
    const viz_walk *walk = state->walk;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        long i = name_number(agnameof(n), "v");
        if (i < 0 || (size_t)i >= walk->nvars || (ag_var_flags(walk->vars[i]) & AG_VAR_CONST)) continue;
        double inches = (reserved_chars(walk->vars[i], state->opts) * RESERVE_POINTS_PER_CHAR +
                         RESERVE_MARGIN_POINTS) / 72.0;
        const char *now = agget(n, "width");
        if (now != NULL && now[0] != '\0' && atof(now) >= inches) continue;
        char text[32];
        snprintf(text, sizeof text, "%.3f", inches);
        agsafeset(n, "width", text, "");
    }
}

static bool before_layout(Agraph_t *g, void *user) {
    render_state *state = user;
    state->key = structure_key(g);
    viz_layout_cache *cache = state->cache;
    if (cache == NULL) return false;
    bool reserve = state->opts->reserve_values || (cache->reserving && cache->reserve_key == state->key);
    saved_attrs *kept = find_layout(cache, state->key);
    if (kept == NULL) {
        if (reserve) reserve_widths(g, state);
        return false;
    }
    walker w = {.what = PASS_APPLY, .attrs = kept, .ok = true};
    walk_graph(&w, g);
    /* a mismatch cannot happen with equal keys; if it did, lay out afresh
     * (the graph is rebuilt from scratch for every render, so nothing stays) */
    state->pinned = w.ok && w.next == kept->count;
    /* the root graph comes first in the walk, its bb first of all */
    snprintf(state->bb, sizeof state->bb, "%s", kept->count > 0 ? kept->values[0] : "");
    return state->pinned;
}

/* After a fresh layout of a graph the last one drawn differs from by one
 * group clicked open: the rest keeps its places (graph_open.h). */
static bool relayout(Agraph_t *g, void *user) {
    render_state *state = user;
    if (state->cache == NULL || state->cache->count == 0) return false;
    attach_attrs(g);
    state->opened = viz_open_group_layout(g, old_attr, state->cache, state->bb);
    return state->opened;
}

/* A node's box in layout points, with room to spare on every side. */
static boxf node_box(Agnode_t *n, double spare) {
    pointf at = ND_coord(n);
    double half_width = ND_width(n) * 36 + spare, half_height = ND_height(n) * 36 + spare;
    return (boxf){{at.x - half_width, at.y - half_height}, {at.x + half_width, at.y + half_height}};
}

static bool overlap(boxf a, boxf b) {
    return a.LL.x < b.UR.x && b.LL.x < a.UR.x && a.LL.y < b.UR.y && b.LL.y < a.UR.y;
}

/* After a "nop2" layout: the kept bounding box (neato recomputes a tighter
 * one, which would shift the picture), and whether the kept places still
 * hold the nodes: a node whose label grew may spread into free space around
 * it, but not over another node nor out of the picture. */
static bool after_pinned_layout(Agraph_t *g, void *user) {
    render_state *state = user;
    boxf bb;
    if (sscanf(state->bb, "%lf,%lf,%lf,%lf", &bb.LL.x, &bb.LL.y, &bb.UR.x, &bb.UR.y) != 4) {
        state->pinned = false;
        return false;
    }
    GD_bb(g) = bb;
    int count = agnnodes(g), i = 0;
    boxf *boxes = malloc((count ? (size_t)count : 1) * sizeof *boxes);
    bool fits = boxes != NULL;
    for (Agnode_t *n = agfstnode(g); fits && n != NULL; n = agnxtnode(g, n)) {
        boxes[i++] = node_box(n, 2);
        boxf box = node_box(n, -0.5); /* dot places the outermost nodes on the box's edge */
        fits = box.LL.x >= bb.LL.x && box.LL.y >= bb.LL.y && box.UR.x <= bb.UR.x && box.UR.y <= bb.UR.y;
    }
    for (int a = 0; fits && a < count; a++)
        for (int b = a + 1; fits && b < count; b++) fits = !overlap(boxes[a], boxes[b]);
    free(boxes);
    if (!fits && state->opened) {
        state->opened = false; /* the places around the opened group do not hold: dot's */
    } else if (!fits) {
        /* the values outgrew the layout: the fresh one reserves room, and so
         * does every later one of this structure */
        state->pinned = false;
        if (state->cache != NULL) {
            state->cache->reserving = true;
            state->cache->reserve_key = state->key;
        }
        reserve_widths(g, state);
    }
    return fits;
}

static void describe_node(const render_state *state, viz_scene_node *node) {
    const viz_walk *walk = state->walk;
    long i;
    node->kind = VIZ_NODE_OTHER;
    node->group = -1;
    if ((i = name_number(node->name, "v")) >= 0 && (size_t)i < walk->nvars) {
        node->kind = VIZ_NODE_VAR;
        node->var = walk->vars[i];
    } else if ((i = name_number(node->name, "f")) >= 0 && (size_t)i < walk->nfuncs) {
        node->kind = VIZ_NODE_FUNC;
        node->func = walk->funcs[i];
        node->var = ag_func_noutputs(node->func) > 0 ? ag_func_output(node->func, 0) : NULL;
    } else if ((i = name_number(node->name, "box")) >= 0 && i <= INT32_MAX) {
        node->kind = VIZ_NODE_BOX;
        node->group = (int)i;
        if ((size_t)i < walk->ngroups) node->var = viz_walk_group_output(walk, (int)i);
    }
    if (node->var != NULL) ag_retain(node->var);
}

/* The frames of the groups drawn expanded (clusters "cluster_group<N>"). */
static void collect_frames(Agraph_t *g, const viz_render_transform *t, viz_scene *scene, render_state *state) {
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        long group = name_number(agnameof(sub), "cluster_group");
        if (group >= 0 && group <= INT32_MAX) {
            if (!ARRAY_RESERVE(scene->frames, scene->frames_capacity, (size_t)scene->nframes, 1)) {
                state->failed = true;
                return;
            }
            boxf bb = GD_bb(sub);
            viz_scene_frame *f = &scene->frames[scene->nframes++];
            f->group = (int)group;
            f->x0 = t->scale_x * (bb.LL.x + t->translate_x);
            f->x1 = t->scale_x * (bb.UR.x + t->translate_x);
            f->y0 = t->scale_y * (-bb.UR.y - t->translate_y);
            f->y1 = t->scale_y * (-bb.LL.y - t->translate_y);
            const char *label = agget(sub, "label");
            snprintf(f->title, sizeof f->title, "%s", label != NULL ? label : "");
        }
        collect_frames(sub, t, scene, state);
    }
}

static void after_render(Agraph_t *g, const viz_render_transform *t, void *user) {
    render_state *state = user;
    viz_scene *scene = state->scene;
    if (!state->pinned && state->cache != NULL) {
        attach_attrs(g); /* the positions as attributes: pos, bb, lp, width, height */
        saved_attrs attrs = {.key = state->key};
        walker w = {.what = PASS_SAVE, .attrs = &attrs, .ok = true};
        walk_graph(&w, g);
        if (w.ok) keep_layout(state->cache, &attrs);
        free_attrs(&attrs);
    }
    int count = agnnodes(g), edges = agnedges(g);
    int most_seq = 0;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        if ((int)AGSEQ(n) > most_seq) most_seq = (int)AGSEQ(n);
    scene->nodes = calloc(count ? (size_t)count : 1, sizeof *scene->nodes);
    scene->edges = calloc(edges ? (size_t)edges : 1, sizeof *scene->edges);
    int *index_of_seq = calloc((size_t)most_seq + 1, sizeof *index_of_seq);
    if (scene->nodes == NULL || scene->edges == NULL || index_of_seq == NULL) {
        state->failed = true;
        free(index_of_seq);
        return;
    }
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        viz_scene_node *node = &scene->nodes[scene->nnodes];
        index_of_seq[AGSEQ(n)] = scene->nnodes++;
        snprintf(node->name, sizeof node->name, "%s", agnameof(n));
        pointf at = ND_coord(n);
        node->x = t->scale_x * (at.x + t->translate_x);
        node->y = t->scale_y * (-at.y - t->translate_y);
        node->width = ND_width(n) * 72 * t->scale_x;
        node->height = ND_height(n) * 72 * t->scale_y;
        describe_node(state, node);
    }
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
            const char *style = agget(e, "style");
            if (style != NULL && strstr(style, "invis") != NULL) continue;
            const char *dir = agget(e, "dir"); /* a parameter right of its op (graph_draw.c) */
            bool back = dir != NULL && strcmp(dir, "back") == 0;
            Agnode_t *from = back ? aghead(e) : agtail(e), *to = back ? agtail(e) : aghead(e);
            scene->edges[scene->nedges++] = (viz_scene_edge){index_of_seq[AGSEQ(from)], index_of_seq[AGSEQ(to)]};
        }
    free(index_of_seq);
    collect_frames(g, t, scene, state);
}

uint32_t *viz_scene_render(ag_var *y, const viz_graph_opts *o, viz_layout_cache *cache,
                           viz_scene *scene, int *width, int *height, char err[VIZ_ERRLEN]) {
    viz_scene_free(scene);
    viz_walk walk;
    if (viz_walk_build(&walk, y, o, err) != 0) {
        viz_walk_free(&walk);
        return NULL;
    }
    /* the digest a followed graph is compared by (graph_digest.c), from this
     * walk; it is of the drawing without the boxes clicked open in the
     * window, as the REPL computes it after each statement */
    bool opened = false;
    for (int g = 0; o->unfolded != NULL && g < o->n_unfolded; g++) opened |= o->unfolded[g] != 0;
    uint64_t digest = 0;
    bool digested = !opened && viz_walk_digest(&walk, o, &digest, err) == 0;
    render_state state = {.cache = cache, .opts = o, .walk = &walk, .scene = scene};
    viz_layout_hooks hooks = {before_layout, after_pinned_layout, after_render, &state, relayout};
    uint32_t *pixels = viz_walk_pixels(&walk, o, &hooks, width, height, err);
    viz_walk_free(&walk);
    if (pixels != NULL && state.failed) {
        free(pixels);
        pixels = NULL;
        snprintf(err, VIZ_ERRLEN, "out of memory while drawing the graph");
    }
    if (pixels == NULL) {
        viz_scene_free(scene);
        return NULL;
    }
    scene->width = *width;
    scene->height = *height;
    scene->pinned = state.pinned;
    scene->opened = state.opened && !state.pinned;
    scene->kept_only = o->kept_only;
    scene->key = state.key;
    scene->digest = digest;
    scene->digested = digested;
    scene->var_path = o->var_path;
    scene->unit_maps = o->unit_maps;
    scene->notes_user = o->notes_user;
    for (int i = 0; i < scene->nnodes; i++)
        if (scene->nodes[i].kind == VIZ_NODE_VAR && scene->nodes[i].var == y) scene->output = y;
    return pixels;
}

/* The centre of group g in scene, in picture pixels: its folded box or
 * its expanded frame.  False when the scene has neither. */
bool viz_scene_group_centre(const viz_scene *scene, int g, double *x, double *y) {
    for (int i = 0; i < scene->nnodes; i++)
        if (scene->nodes[i].kind == VIZ_NODE_BOX && scene->nodes[i].group == g) {
            *x = scene->nodes[i].x, *y = scene->nodes[i].y;
            return true;
        }
    for (int i = 0; i < scene->nframes; i++)
        if (scene->frames[i].group == g) {
            *x = (scene->frames[i].x0 + scene->frames[i].x1) / 2;
            *y = (scene->frames[i].y0 + scene->frames[i].y1) / 2;
            return true;
        }
    return false;
}

/* Whether two drawings have the same nodes (by DOT name): only values and
 * marks differ between them. */
bool viz_scene_same_nodes(const viz_scene *a, const viz_scene *b) {
    if (a->nnodes != b->nnodes) return false;
    for (int i = 0; i < a->nnodes; i++)
        if (strcmp(a->nodes[i].name, b->nodes[i].name) != 0) return false;
    return true;
}

/* The centre of the node that draws the scene's output, in picture pixels. */
bool viz_scene_output_centre(const viz_scene *scene, double *x, double *y) {
    for (int i = 0; scene->output != NULL && i < scene->nnodes; i++)
        if (scene->nodes[i].kind == VIZ_NODE_VAR && scene->nodes[i].var == scene->output) {
            *x = scene->nodes[i].x, *y = scene->nodes[i].y;
            return true;
        }
    return false;
}
