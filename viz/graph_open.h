/* graph_open.h — a folded group clicked open keeps the rest of the layout.
 *
 * The graph with the group open has other nodes, edges and a frame where
 * the box was, so Graphviz's "dot" lays it out afresh and every box may move.
 * viz_open_group_layout takes that fresh layout only for the opened group's
 * contents (its frame and what is inside, as dot arranged them) and puts the
 * frame where the box was; every other node, edge and frame keeps the place
 * it had in the drawing before, moved only to make room: the plane is
 * stretched across the box's extent by as much as the frame is wider and
 * taller than the box, so what lay left of (below) the box stays, what lay
 * right of (above) it moves by the growth, and what lay across it spreads.
 * Order along both axes is kept and no two nodes come closer, so nothing
 * that did not overlap before overlaps now.  Edges whose ends both kept
 * their places keep their curves, each point moved between its tail's and
 * its head's shift (so the ends stay on their nodes), unless the curve would
 * then cross the opened frame; the others (those
 * into and out of the opened group) get no position, and Graphviz's "nop2"
 * layout routes them around the nodes.  Folding a group whose frame is not
 * the last one opened (the last one folds back to the layout kept from
 * before it opened) puts the box where the frame's centre was and moves
 * nothing else: the plane is never shrunk, which could make nodes overlap.
 * Internal to viz/. */
#ifndef VIZ_GRAPH_OPEN_H
#define VIZ_GRAPH_OPEN_H

#include <stdbool.h>

#include <cgraph.h>

/* The previous drawing's placing attribute `key` ("pos", "width", "height",
 * "bb", "lp") of the object called id: "n NAME" a node, "e TAIL HEAD K" the
 * K-th edge (from 0) from node TAIL to node HEAD, "c NAME" a cluster, "g" the
 * graph; NULL when that drawing had no such object. */
typedef const char *(*viz_old_attr_fn)(void *user, const char *id, const char *key);

/* g has been laid out with "dot" and its positions attached as attributes.
 * When it is the previous drawing with exactly one folded group (node
 * box<N>) drawn open (cluster cluster_group<N>), or one open group drawn
 * folded, and every node outside that group was in the previous drawing,
 * rewrites g's pos, lp and bb attributes
 * as described above, sets splines so that "nop2" routes the edges left
 * without a position, writes the graph's bounding box ("llx,lly,urx,ury") to
 * bb and returns true: g is then to be laid out again with "nop2".  Returns
 * false, having changed nothing that matters, in every other case. */
bool viz_open_group_layout(Agraph_t *g, viz_old_attr_fn old, void *user, char bb[128]);

/* The id (as above) of edge e of g into buf; the same edge of a graph built
 * again from the same drawing gets the same id. */
void viz_edge_id(Agraph_t *g, Agedge_t *e, char *buf, size_t size);

#endif
