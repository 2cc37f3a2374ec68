/* graph_layered.h — "agrepl-layered", a layered layout engine of our own
 * for Graphviz (graph_layered.c): ranks, barycentre order, straight and bent
 * edges, in time linear in the graph.  Used for big graphs, where dot's
 * passes cost seconds, and as the fallback when dot crashes or runs out of
 * its CPU time.  Registered on the process GVC by graph.c.  Internal to viz/. */
#ifndef VIZ_GRAPH_LAYERED_H
#define VIZ_GRAPH_LAYERED_H

#include <gvplugin.h>

#define VIZ_LAYERED_ENGINE "agrepl-layered"

/* The engine's entry for a gvplugin_api_t of API_layout. */
extern gvplugin_installed_t viz_layered_layouts[];

#endif
