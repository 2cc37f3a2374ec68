/* cgraph.h (web build) — the part of Graphviz's libcgraph API that viz/graph.c
 * builds a drawing with, for the web build, which has no Graphviz library:
 * graphs, subgraphs, nodes, edges, attributes, HTML labels and agwrite()'s
 * DOT text, written as libcgraph 2.42 writes it (repl/web/cgraph.c).  The
 * page lays the DOT out and draws it with @viz-js/viz.  Only graph.c's calls
 * exist; nothing here lays anything out. */
#ifndef AGREPL_WEB_CGRAPH_H
#define AGREPL_WEB_CGRAPH_H

#include <stdio.h>

typedef struct Agraph_s Agraph_t;
typedef struct Agnode_s Agnode_t;
typedef struct Agedge_s Agedge_t;
typedef struct Agdesc_s {
    int directed;
} Agdesc_t;

enum { AGRAPH = 0, AGNODE = 1, AGEDGE = 2, AGOUTEDGE = 2, AGINEDGE = 3 };

extern Agdesc_t Agdirected;

Agraph_t *agopen(char *name, Agdesc_t desc, void *disc);
int agclose(Agraph_t *g);
Agraph_t *agsubg(Agraph_t *g, char *name, int create);
Agraph_t *agfstsubg(Agraph_t *g);
Agraph_t *agnxtsubg(Agraph_t *subg);
Agnode_t *agnode(Agraph_t *g, char *name, int create);
Agnode_t *agsubnode(Agraph_t *g, Agnode_t *n, int create);
Agedge_t *agedge(Agraph_t *g, Agnode_t *t, Agnode_t *h, char *name, int create);
Agraph_t *agraphof(void *obj);
char *agnameof(void *obj);
int agnnodes(Agraph_t *g);
int agnedges(Agraph_t *g);
Agnode_t *agfstnode(Agraph_t *g);
Agnode_t *agnxtnode(Agraph_t *g, Agnode_t *n);
Agedge_t *agfstout(Agraph_t *g, Agnode_t *n);
Agedge_t *agnxtout(Agraph_t *g, Agedge_t *e);
Agedge_t *agfstin(Agraph_t *g, Agnode_t *n);
Agedge_t *agnxtin(Agraph_t *g, Agedge_t *e);
Agnode_t *agtail(Agedge_t *e);
Agnode_t *aghead(Agedge_t *e);

/* attributes: declare a default (agattr) or set a value, declaring the
 * attribute with default def first when needed (agsafeset); NULL from agget
 * when undeclared */
void *agattr(Agraph_t *g, int kind, char *name, const char *value);
int agsafeset(void *obj, char *name, const char *value, const char *def);
char *agget(void *obj, char *name);

/* an HTML-like label: a copy of s marked as one, written <s> */
char *agstrdup_html(Agraph_t *g, char *s);
int agstrfree(Agraph_t *g, char *s);

/* the graph as DOT text, as libcgraph writes it; 0, or EOF on a write error */
int agwrite(Agraph_t *g, void *stream);

#endif
