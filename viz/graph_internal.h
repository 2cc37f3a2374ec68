/* graph_internal.h — what graph.c shares with the graph window's scene
 * (graph_scene.c) and with the walk (graph_walk.c): the picture of a walk
 * already made, with hooks around its layout and render, so the window can
 * learn where Graphviz put each node (hit-testing) and pin the layout of a
 * graph whose structure has not changed (only values did).  Internal to viz/. */
#ifndef VIZ_GRAPH_INTERNAL_H
#define VIZ_GRAPH_INTERNAL_H

#include <stdbool.h>

#include <cgraph.h>

#include "graph.h"

/* How the rendered picture's pixels relate to Graphviz's layout points:
 * pixel x = scale_x * (x + translate_x), pixel y = scale_y * (-y - translate_y)
 * (the cairo renderer's page transform; y grows upwards in the layout). */
typedef struct viz_render_transform {
    double scale_x, scale_y, translate_x, translate_y;
} viz_render_transform;

/* Called by viz_walk_pixels's renderer (one render at a time: the process
 * has one GVC).  before: after the graph is built, before its layout;
 * returning true means it gave every node, edge and cluster its position
 * (pos, bb, lp attributes) and the graph is laid out with "nop2" (keep them)
 * instead of "dot".  relayout (may be NULL): after a fresh "dot" layout;
 * returning true means it set new positions from it (graph_open.h) and the
 * graph is laid out again with "nop2".  laid_out (may be NULL): after a
 * "nop2" layout; false asks for a fresh "dot" layout instead (the labels
 * outgrew the kept one, or the places around an opened group do not hold).
 * after: once the picture is rendered, before the layout is freed; the node
 * coordinates and the transform are valid then. */
typedef struct viz_layout_hooks {
    bool (*before)(Agraph_t *g, void *user);
    bool (*laid_out)(Agraph_t *g, void *user);
    void (*after)(Agraph_t *g, const viz_render_transform *transform, void *user);
    void *user;
    bool (*relayout)(Agraph_t *g, void *user);
} viz_layout_hooks;

/* viz_graph_pixels of the walk w, made with o: the window's scene passes
 * the walk it made for hit-testing, so a picture is one walk.  hooks (NULL:
 * none) are called around the layout and render as described above. */
uint32_t *viz_walk_pixels(const viz_walk *w, const viz_graph_opts *o, const viz_layout_hooks *hooks,
                          int *width, int *height, char err[VIZ_ERRLEN]);

/* Calls edge(user, from, to, operand) for every edge drawn (graph_walk.c):
 * nodes are numbered vars, then funcs, then boxes (nvars + nfuncs + g), then
 * cut markers (nvars + nfuncs + ngroups + the variable's index).  An edge out
 * of a box stands for any number of its variables (drawn once per consumer).
 * False as soon as edge returns false. */
typedef bool (*viz_edge_fn)(void *user, size_t from, size_t to, const char *operand);
bool viz_walk_each_edge(const viz_walk *w, viz_edge_fn edge, void *user);


/* ---- the drawing (graph_draw.c), shared by graph.c and graph_digest.c ---- */

/* A new directed graph whose named objects' IDs follow the order their
 * names were first given, the legend's cluster first (graph_ids.c), so that
 * its clusters are laid out and written in an order that does not depend on
 * the heap; not in the web build, whose cgraph writes DOT text. */
Agraph_t *viz_graph_open(char *name);
/* The libcgraph graph of the finished walk w drawn with o; NULL with err. */
Agraph_t *viz_build_graph(const viz_walk *w, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
/* Walks below y and builds its graph in one step; fills the drawn counts
 * when asked (nodes, edges may be NULL).  NULL with err. */
Agraph_t *viz_graph_of(ag_var *y, const viz_graph_opts *o, int *nodes, int *edges, char err[VIZ_ERRLEN]);

#include "strbuf.h"

#define LABEL_LEN 128
/* dot turns an edge spanning k ranks into k-1 virtual nodes, and before it
 * optimises x coordinates it builds a feasible spanning tree in time that can
 * grow like the cube of their number: a 240-node chain whose ops all read one
 * input took 50 s with nslimit=1 (Graphviz 2.43).  Above this many estimated
 * virtual nodes the x optimisation is skipped (nslimit=0): that chain then
 * takes 0.3 s, and tangled graphs under the node limit stay under ~2 s. */
#define VIRTUAL_NODE_BUDGET 2000
/* Past this many drawn nodes the x optimisation is skipped as well: on a
 * 2,001-node chain it cost 0.4-1 s of a 1.3-2.7 s layout (Graphviz 2.43,
 * growing faster than the nodes), and without it the chain is drawn as one
 * straight column instead of one drifting right. */
#define BIG_GRAPH_NODES 1000

/* How dot is told to lay w out (set_graph_attributes, the digest): */
typedef enum layout_cost {
    LAYOUT_FULL,       /* every pass */
    LAYOUT_BIG,        /* past BIG_GRAPH_NODES: no x optimisation (nslimit=0) */
    LAYOUT_LONG_EDGES, /* past VIRTUAL_NODE_BUDGET: nor that, and straight edges
                          (splines=line): dot's spline routing of such graphs ran
                          for 20 s and then crashed (the 601-node y = sin(y) * x + y) */
} layout_cost;
layout_cost viz_layout_cost(const viz_walk *w);

/* What a node is, which decides its colour; a legend entry per role present. */
typedef enum role {
    ROLE_LEAF, ROLE_SEED, ROLE_PARAM, ROLE_CONST, ROLE_INTERMEDIATE, ROLE_BACKWARD, ROLE_OUTPUT,
    ROLE_FUNC, ROLE_ACTIVE, ROLE_CUT,
    ROLE_SUMMED, /* not a role but a mark: a grad summed over several backward calls */
    ROLE_MARKED, /* nor this: a viz_mark (gradcheck's mismatching inputs) */
    ROLE_BOX,    /* a folded group */
    ROLE_GROUP,  /* a group drawn whole (a cluster) */
    ROLE_FLOW,   /* a gradient the last backward passed, not kept in .grad */
    ROLE_COUNT
} role;

/* Variable i's role in the picture of w. */
role viz_var_role(const viz_walk *w, size_t i);
/* The HTML label of a variable node drawn with role r. */
void viz_var_label_html(strbuf *html, ag_var *v, role r, const viz_graph_opts *o);
/* The HTML label of folded group `group`'s box. */
void viz_box_label_html(strbuf *html, const viz_walk *w, size_t group, const viz_graph_opts *o);
/* Indexing and reshaping (GetItem, Reshape, ...): what a loop does to its
 * data before a layer or a loss reads it. */
bool viz_op_is_view(int op);

/* viz_graph_digest of the finished walk w made with o (graph_digest.c): a
 * drawing that walked already hashes its own walk.  0, or -1 with err. */
int viz_walk_digest(const viz_walk *w, const viz_graph_opts *o, uint64_t *digest, char err[VIZ_ERRLEN]);
/* The virtual nodes dot would add for w's long edges: the layout's cost. */
size_t viz_estimate_virtual_nodes(const viz_walk *w);


/* ---- saved files: graph.c and graph_zoom.c ------------------------------ */

/* A "dot" layout of g in a forked child (graph_contain.c): the root graph's
 * bounding box in points (x0, y0, x1, y1); false with err. */
bool viz_layout_bb(Agraph_t *g, double bb[4], char err[VIZ_ERRLEN]);
/* Makes g, built with o, ready for a file at o->zoom (graph_zoom.c): the size
 * it has at zoom 1 with text, lines and arrows zoom times bigger in it.  When
 * they need more room the picture grows and note says so (else note is "").
 * False with err when a layout fails. */
bool viz_zoom_for_file(Agraph_t *g, const viz_graph_opts *o, char note[VIZ_ERRLEN], char err[VIZ_ERRLEN]);

#endif
