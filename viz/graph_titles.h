/* graph_titles.h — frame titles kept clear of the edges (graph_titles.c). */
#ifndef VIZ_GRAPH_TITLES_H
#define VIZ_GRAPH_TITLES_H

#include <cgraph.h>

/* After a layout of g: each cluster's title slides along its band to the
 * free place nearest dot's (top-to-bottom layouts only). */
void viz_place_titles(Agraph_t *g);

#endif
