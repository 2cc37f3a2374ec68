/* graph_layered.c — a layered layout of our own, registered with Graphviz as
 * the layout engine "agrepl-layered" (graph_layered.h).
 *
 * dot spends most of a big graph's time in passes this drawing does not
 * need (ranking's cgraph walks, the x optimisation's network simplex, spline
 * routing), can crash on graphs with many long edges and can run for minutes
 * on tangled ones.  This engine does the plain Sugiyama steps in time
 * linear in the nodes and the edges' spans:
 *
 *   1. ranks: the longest path from the sources (Kahn's order), then every
 *      source pulled down to just above its nearest consumer, as dot does;
 *      the nodes of a rank=same subgraph (a layer's w and b beside the op
 *      that reads them, graph_draw.c) then share the lowest of their ranks,
 *      what lies below pushed down as far as that needs;
 *   2. an edge spanning k ranks gets k - 1 bend points ("dummies"), unless
 *      there are more than DUMMY_BUDGET_PER_NODE a node: the longest edges
 *      are then drawn straight;
 *   3. order within a rank: barycentre sweeps, down and up; a node that
 *      shares its rank with the node its edge goes to (a flat edge) is kept
 *      beside it, left of it, or right of it when the edge is drawn
 *      backwards (dir=back: graph_draw.c's b of a Linear);
 *   4. x: each node placed at the mean of its neighbours in the rank above
 *      (below), overlaps resolved by pushing left-to-right and right-to-left
 *      and taking the mean of the two (both keep the gaps, so does the mean);
 *   5. y: ranks stacked with each rank as tall as its tallest node.
 *
 * Node sizes come from Graphviz itself (common_init_node measures the HTML
 * labels as dot would), edges are polylines through their bend points,
 * clipped at the nodes and given arrowheads by Graphviz's clip_and_install,
 * so the renderers draw the result as any layout.  Frames of clusters are
 * not drawn (the caller uses dot for a graph that has them, except as the
 * fallback after dot failed). */
#include "graph_layered.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>
#include <gvplugin_layout.h>
#include <types.h>

/* libgvc's own functions that every layout engine calls (lib/common), not
 * in the installed headers (Graphviz 2.42-2.43). */
extern void common_init_node(node_t *n);
extern int common_init_edge(edge_t *e);
extern void gv_nodesize(node_t *n, boolean flip);
extern void gv_cleanup_node(node_t *n);
extern void gv_cleanup_edge(edge_t *e);
extern void clip_and_install(edge_t *fe, node_t *hn, pointf *ps, int pn, splineInfo *info);
extern void gv_postprocess(Agraph_t *g, int allowTranslation);
extern void setEdgeType(graph_t *g, int dflt);
#define EDGE_TYPE_LINE (1 << 1) /* ET_LINE in lib/common/const.h */

#define DUMMY_BUDGET_PER_NODE 20
#define SWEEPS 8          /* barycentre sweeps, alternately down and up */
#define PLACEMENTS 6      /* x placement passes, alternately down and up */

static boolean never_swap(edge_t *e) {
    (void)e;
    return FALSE;
}
static boolean never_merge(node_t *n) {
    (void)n;
    return FALSE;
}
static splineInfo straight_info = {never_swap, never_merge, TRUE, FALSE};

typedef struct layered {
    size_t nreal, n;          /* real nodes, then dummies: n in all */
    long *rank;               /* per node */
    double *size_along;       /* extent along the order axis (points) */
    double *size_across;      /* extent along the rank axis */
    double *pos;              /* position along the order axis */
    size_t *up_first, *up;    /* neighbours in the rank above, compressed rows */
    size_t *down_first, *down;/* and below */
    size_t nranks;
    size_t *layer_first, *layer; /* nodes of each rank, in order */
    size_t *index;            /* a node's place in its layer */
    double *key;              /* scratch */
    size_t *beside;           /* per node: the node its flat edge goes to, or NONE (NULL: no flat edges) */
    bool *right;              /* and whether it stands right of that node */
    bool *has_beside;         /* per node: some node stands beside it */
    size_t *scratch;          /* a layer's worth */
} layered;

#define NONE ((size_t)-1)

static double attr_inches(Agraph_t *g, const char *name, double fallback, double least) {
    const char *text = agget(g, (char *)name);
    double value = text != NULL && text[0] != '\0' ? atof(text) : fallback;
    return value >= least ? value : least;
}

/* Sorts layer entries [0, count) of L by key (stable insertion sort: layers
 * are nearly sorted after the first sweep). */
static void sort_layer(layered *L, size_t *nodes, size_t count) {
    for (size_t i = 1; i < count; i++) {
        size_t v = nodes[i];
        double k = L->key[v];
        size_t j = i;
        while (j > 0 && L->key[nodes[j - 1]] > k) {
            nodes[j] = nodes[j - 1];
            j--;
        }
        nodes[j] = v;
    }
    for (size_t i = 0; i < count; i++) L->index[nodes[i]] = i;
}

/* The nodes kept beside another (L->beside) moved next to it, in the
 * order they had: left ones before it, right ones after it. */
static void keep_beside(layered *L, size_t *nodes, size_t count) {
    if (L->beside == NULL) return;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        size_t v = nodes[i];
        if (L->beside[v] != NONE) continue; /* placed with the node it is beside */
        for (int side = 0; side < 2; side++) {
            if (side == 1) L->scratch[k++] = v;
            for (size_t j = 0; L->has_beside[v] && j < count; j++)
                if (L->beside[nodes[j]] == v && L->right[nodes[j]] == (side == 1)) L->scratch[k++] = nodes[j];
        }
    }
    memcpy(nodes, L->scratch, count * sizeof *nodes);
    for (size_t i = 0; i < count; i++) L->index[nodes[i]] = i;
}

/* The barycentres of a layer's nodes nodes[0, count), in L->key: the mean
 * over each node's neighbours in the layer before it (above when down,
 * below when up) of their place in their layer (L->index) when ordering,
 * or of their position (L->pos) when placing.  A node with no neighbour
 * there keeps its own: its place, between the others (sort_layer keeps
 * L->index up to date), or its position.  Inlined, so that each caller's
 * loop reads its one array without a test. */
static inline __attribute__((always_inline)) void barycentres(layered *L, const size_t *nodes, size_t count,
                                                             bool down, bool ordering) {
    const size_t *first = down ? L->up_first : L->down_first, *adj = down ? L->up : L->down;
    for (size_t i = 0; i < count; i++) {
        size_t v = nodes[i];
        size_t degree = first[v + 1] - first[v];
        double sum = 0;
        for (size_t k = first[v]; k < first[v + 1]; k++)
            sum += ordering ? (double)L->index[adj[k]] : L->pos[adj[k]];
        L->key[v] = degree ? sum / (double)degree : ordering ? (double)L->index[v] : L->pos[v];
    }
}

/* One barycentre sweep: each layer ordered by the mean place of its
 * neighbours in the layer before it (above when down, below when up). */
static void order_sweep(layered *L, bool down) {
    for (size_t step = 1; step < L->nranks; step++) {
        size_t r = down ? step : L->nranks - 1 - step;
        size_t *nodes = L->layer + L->layer_first[r], count = L->layer_first[r + 1] - L->layer_first[r];
        barycentres(L, nodes, count, down, true);
        sort_layer(L, nodes, count);
        keep_beside(L, nodes, count);
    }
}

/* One placement pass along the order axis (see the top of the file). */
static void place_pass(layered *L, bool down, double gap, double *left, double *right) {
    for (size_t step = 0; step < L->nranks; step++) {
        size_t r = down ? step : L->nranks - 1 - step;
        size_t *nodes = L->layer + L->layer_first[r], count = L->layer_first[r + 1] - L->layer_first[r];
        barycentres(L, nodes, count, down, false);
        for (size_t i = 0; L->beside != NULL && i < count; i++) { /* those beside a node: next to it */
            size_t h = nodes[i];
            if (!L->has_beside[h]) continue;
            double off = L->size_along[h] / 2;
            for (size_t j = i; j-- > 0 && L->beside[nodes[j]] == h;) {
                L->key[nodes[j]] = L->key[h] - off - gap - L->size_along[nodes[j]] / 2;
                off += gap + L->size_along[nodes[j]];
            }
            off = L->size_along[h] / 2;
            for (size_t j = i + 1; j < count && L->beside[nodes[j]] == h; j++) {
                L->key[nodes[j]] = L->key[h] + off + gap + L->size_along[nodes[j]] / 2;
                off += gap + L->size_along[nodes[j]];
            }
        }
        for (size_t i = 0; i < count; i++) {
            size_t v = nodes[i];
            left[i] = L->key[v];
            if (i > 0) {
                size_t u = nodes[i - 1];
                double least = left[i - 1] + (L->size_along[u] + L->size_along[v]) / 2 + gap;
                if (left[i] < least) left[i] = least;
            }
        }
        for (size_t i = count; i-- > 0;) {
            size_t v = nodes[i];
            right[i] = L->key[v];
            if (i + 1 < count) {
                size_t w = nodes[i + 1];
                double most = right[i + 1] - (L->size_along[v] + L->size_along[w]) / 2 - gap;
                if (right[i] > most) right[i] = most;
            }
        }
        for (size_t i = 0; i < count; i++) L->pos[nodes[i]] = (left[i] + right[i]) / 2;
    }
}

static void free_layered(layered *L) {
    free(L->rank);
    free(L->size_along);
    free(L->size_across);
    free(L->pos);
    free(L->up_first);
    free(L->up);
    free(L->down_first);
    free(L->down);
    free(L->layer_first);
    free(L->layer);
    free(L->index);
    free(L->key);
    free(L->beside);
    free(L->right);
    free(L->has_beside);
    free(L->scratch);
}

/* group[v]: the rank=same subgraph node v is in (numbered from 0), or -1. */
static void same_rank_groups(Agraph_t *g, long *group, long *ngroups) {
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        const char *rank = agget(sub, "rank");
        if (rank != NULL && strcmp(rank, "same") == 0) {
            for (Agnode_t *n = agfstnode(sub); n != NULL; n = agnxtnode(sub, n)) group[ND_id(n)] = *ngroups;
            (*ngroups)++;
        }
        same_rank_groups(sub, group, ngroups);
    }
}

static bool drawn_back(Agedge_t *e) {
    const char *dir = agget(e, "dir");
    return dir != NULL && strcmp(dir, "back") == 0;
}

/* The edge's chain of bend points: the dummies made for it, in rank order. */
typedef struct edge_path {
    size_t tail, head;            /* as drawn: the head of an edge drawn backwards is its tail */
    size_t first_dummy, ndummies; /* dummies first_dummy .. + ndummies */
    bool back;
} edge_path;

/* L->beside and its companions grown from the nreal real nodes to all n
 * (dummies are beside nobody), and the scratch layer made. */
static bool beside_for_dummies(layered *L, size_t nreal, size_t n) {
    size_t *beside = realloc(L->beside, (n + 1) * sizeof *beside);
    if (beside != NULL) L->beside = beside;
    bool *right = realloc(L->right, (n + 1) * sizeof *right);
    if (right != NULL) L->right = right;
    bool *has = realloc(L->has_beside, (n + 1) * sizeof *has);
    if (has != NULL) L->has_beside = has;
    L->scratch = malloc((n + 1) * sizeof *L->scratch);
    if (beside == NULL || right == NULL || has == NULL || L->scratch == NULL) return false;
    for (size_t i = nreal; i < n; i++) L->beside[i] = NONE, L->right[i] = L->has_beside[i] = false;
    return true;
}

/* The nodes of each rank=same subgraph moved down to the lowest rank among
 * them, and what they lead to below them as far as that needs (in Kahn's
 * order, queue[0, queued)), until both hold; then each flat edge's tail is
 * kept beside its head (L->beside), unless its head is itself kept beside
 * another.  False when out of memory. */
static bool same_ranks(Agraph_t *g, layered *L, const edge_path *paths, size_t nedges, const size_t *queue,
                       size_t queued, const size_t *out_first, const size_t *out) {
    size_t nreal = (size_t)agnnodes(g);
    long ngroups = 0, *group = malloc((nreal + 1) * sizeof *group);
    if (group == NULL) return false;
    for (size_t i = 0; i < nreal; i++) group[i] = -1;
    same_rank_groups(g, group, &ngroups);
    long *lowest = ngroups > 0 ? malloc((size_t)ngroups * sizeof *lowest) : NULL;
    if (ngroups > 0 && lowest == NULL) {
        free(group);
        return false;
    }
    for (size_t round = 0; ngroups > 0 && round < nreal + 1; round++) {
        bool moved = false;
        for (long k = 0; k < ngroups; k++) lowest[k] = 0;
        for (size_t i = 0; i < nreal; i++)
            if (group[i] >= 0 && L->rank[i] > lowest[group[i]]) lowest[group[i]] = L->rank[i];
        for (size_t i = 0; i < nreal; i++)
            if (group[i] >= 0 && L->rank[i] != lowest[group[i]]) L->rank[i] = lowest[group[i]], moved = true;
        for (size_t q = 0; q < queued; q++) {
            size_t v = queue[q];
            for (size_t k = out_first[v]; k < out_first[v + 1]; k++) {
                size_t w = out[k];
                long least = L->rank[v] + (group[v] >= 0 && group[v] == group[w] ? 0 : 1);
                if (L->rank[w] < least) L->rank[w] = least, moved = true;
            }
        }
        if (!moved) break;
    }
    free(lowest);
    bool ok = true;
    for (size_t e = 0; ok && e < nedges; e++) {
        size_t t = paths[e].tail, h = paths[e].head;
        if (group[t] < 0 || group[t] != group[h] || L->rank[t] != L->rank[h]) continue;
        if (L->beside == NULL) {
            L->beside = malloc((nreal + 1) * sizeof *L->beside);
            L->right = calloc(nreal + 1, sizeof *L->right);
            L->has_beside = calloc(nreal + 1, sizeof *L->has_beside);
            if (!(ok = L->beside && L->right && L->has_beside)) break;
            for (size_t i = 0; i < nreal; i++) L->beside[i] = NONE;
        }
        if (L->beside[t] == NONE) L->beside[t] = h, L->right[t] = paths[e].back;
    }
    bool *tail = ok && L->beside != NULL ? calloc(nreal + 1, sizeof *tail) : NULL;
    if (ok && L->beside != NULL && tail == NULL) ok = false;
    for (size_t i = 0; tail != NULL && i < nreal; i++) tail[i] = L->beside[i] != NONE;
    for (size_t i = 0; tail != NULL && i < nreal; i++) /* one level: only beside a node beside none */
        if (L->beside[i] != NONE) {
            if (tail[L->beside[i]]) L->beside[i] = NONE;
            else L->has_beside[L->beside[i]] = true;
        }
    free(tail);
    free(group);
    return ok;
}

static void layered_layout(graph_t *g) {
    const char *rankdir = agget(g, "rankdir");
    bool sideways = rankdir != NULL && (strcmp(rankdir, "LR") == 0 || strcmp(rankdir, "RL") == 0);
    bool reversed = rankdir != NULL && (strcmp(rankdir, "BT") == 0 || strcmp(rankdir, "RL") == 0);
    setEdgeType(g, EDGE_TYPE_LINE);
    layered L = {0};
    size_t nreal = (size_t)agnnodes(g), nedges = (size_t)agnedges(g);
    Agnode_t **real = malloc((nreal + 1) * sizeof *real);
    edge_path *paths = malloc((nedges + 1) * sizeof *paths);
    Agedge_t **edges = malloc((nedges + 1) * sizeof *edges);
    size_t i = 0;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        agbindrec(n, "Agnodeinfo_t", sizeof(Agnodeinfo_t), TRUE);
        common_init_node(n);
        gv_nodesize(n, GD_flip(g));
        if (real != NULL) real[i] = n;
        ND_id(n) = (int)i++;
    }
    size_t e = 0;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        for (Agedge_t *edge = agfstout(g, n); edge != NULL; edge = agnxtout(g, edge)) {
            agbindrec(edge, "Agedgeinfo_t", sizeof(Agedgeinfo_t), TRUE);
            common_init_edge(edge);
            if (paths != NULL && edges != NULL && aghead(edge) != agtail(edge)) {
                edges[e] = edge;
                size_t from = (size_t)ND_id(agtail(edge)), to = (size_t)ND_id(aghead(edge));
                bool back = drawn_back(edge);
                paths[e++] = (edge_path){back ? to : from, back ? from : to, 0, 0, back};
            }
        }
    nedges = e;
    /* ---- 1. ranks ---- */
    size_t *indegree = calloc(nreal + 1, sizeof *indegree), *queue = malloc((nreal + 1) * sizeof *queue);
    size_t *out_first = calloc(nreal + 2, sizeof *out_first), *out = malloc((nedges + 1) * sizeof *out);
    L.rank = calloc(nreal + 1, sizeof *L.rank);
    bool ok = real && paths && edges && indegree && queue && out_first && out && L.rank;
    if (ok) {
        for (e = 0; e < nedges; e++) out_first[paths[e].tail + 2]++, indegree[paths[e].head]++;
        for (i = 0; i < nreal; i++) out_first[i + 2] += out_first[i + 1];
        for (e = 0; e < nedges; e++) out[out_first[paths[e].tail + 1]++] = paths[e].head;
        size_t queued = 0;
        for (i = 0; i < nreal; i++)
            if (indegree[i] == 0) queue[queued++] = i;
        for (size_t next = 0; next < queued; next++) {
            size_t v = queue[next];
            for (size_t k = out_first[v]; k < out_first[v + 1]; k++) {
                size_t w = out[k];
                if (L.rank[w] < L.rank[v] + 1) L.rank[w] = L.rank[v] + 1;
                if (--indegree[w] == 0) queue[queued++] = w;
            }
        }
        /* a source sits just above its nearest consumer; nodes on a cycle
           (none in a graph of ops) keep the rank they reached */
        for (size_t next = 0; next < queued; next++) {
            size_t v = queue[next];
            if (L.rank[v] != 0 || out_first[v] == out_first[v + 1]) continue;
            long nearest = -1;
            for (size_t k = out_first[v]; k < out_first[v + 1]; k++)
                if (nearest < 0 || L.rank[out[k]] < nearest) nearest = L.rank[out[k]];
            if (nearest > 0) L.rank[v] = nearest - 1;
        }
        ok = same_ranks(g, &L, paths, nedges, queue, queued, out_first, out);
    }
    free(indegree);
    free(queue);
    free(out_first);
    free(out);
    /* ---- 2. bend points, within the budget: the longest spans go straight ---- */
    size_t budget = DUMMY_BUDGET_PER_NODE * nreal + 1000, longest_bent = 0, ndummies = 0;
    if (ok) {
        size_t most = 0;
        for (e = 0; e < nedges; e++) {
            long span = L.rank[paths[e].head] - L.rank[paths[e].tail];
            if (span > 1 && (size_t)span > most) most = (size_t)span;
        }
        size_t *count = calloc(most + 2, sizeof *count);
        ok = count != NULL;
        for (e = 0; ok && e < nedges; e++) {
            long span = L.rank[paths[e].head] - L.rank[paths[e].tail];
            if (span > 1) count[span]++;
        }
        for (size_t span = 2; ok && span <= most; span++) {
            if (ndummies + count[span] * (span - 1) > budget) break;
            ndummies += count[span] * (span - 1);
            longest_bent = span;
        }
        free(count);
    }
    L.nreal = nreal;
    L.n = nreal + ndummies;
    size_t n = L.n;
    long *rank = ok ? realloc(L.rank, (n + 1) * sizeof *L.rank) : NULL;
    if (rank != NULL) L.rank = rank;
    L.size_along = calloc(n + 1, sizeof(double));
    L.size_across = calloc(n + 1, sizeof(double));
    L.pos = calloc(n + 1, sizeof(double));
    L.index = calloc(n + 1, sizeof(size_t));
    L.key = calloc(n + 1, sizeof(double));
    L.up_first = calloc(n + 2, sizeof(size_t));
    L.down_first = calloc(n + 2, sizeof(size_t));
    ok = ok && rank && L.size_along && L.size_across && L.pos && L.index && L.key && L.up_first && L.down_first;
    /* segments between adjacent ranks: (upper, lower) */
    size_t nsegments = 0;
    if (ok) {
        size_t d = nreal;
        for (e = 0; e < nedges; e++) {
            long span = L.rank[paths[e].head] - L.rank[paths[e].tail];
            if (span > 1 && (size_t)span <= longest_bent) {
                paths[e].first_dummy = d;
                paths[e].ndummies = (size_t)span - 1;
                for (long k = 1; k < span; k++) L.rank[d++] = L.rank[paths[e].tail] + k;
                nsegments += (size_t)span;
            } else if (span == 1) {
                nsegments++;
            }
        }
    }
    size_t *seg_upper = ok ? malloc((nsegments + 1) * sizeof(size_t)) : NULL;
    size_t *seg_lower = ok ? malloc((nsegments + 1) * sizeof(size_t)) : NULL;
    L.up = ok ? malloc((nsegments + 1) * sizeof(size_t)) : NULL;
    L.down = ok ? malloc((nsegments + 1) * sizeof(size_t)) : NULL;
    ok = ok && seg_upper && seg_lower && L.up && L.down;
    if (ok) {
        size_t s = 0;
        for (e = 0; e < nedges; e++) {
            if (paths[e].ndummies == 0 && L.rank[paths[e].head] - L.rank[paths[e].tail] != 1) continue;
            size_t from = paths[e].tail;
            for (size_t k = 0; k < paths[e].ndummies; k++) {
                seg_upper[s] = from, seg_lower[s++] = paths[e].first_dummy + k;
                from = paths[e].first_dummy + k;
            }
            seg_upper[s] = from, seg_lower[s++] = paths[e].head;
        }
        for (s = 0; s < nsegments; s++) L.up_first[seg_lower[s] + 2]++, L.down_first[seg_upper[s] + 2]++;
        for (i = 0; i < n; i++) L.up_first[i + 2] += L.up_first[i + 1], L.down_first[i + 2] += L.down_first[i + 1];
        for (s = 0; s < nsegments; s++) {
            L.up[L.up_first[seg_lower[s] + 1]++] = seg_upper[s];
            L.down[L.down_first[seg_upper[s] + 1]++] = seg_lower[s];
        }
    }
    free(seg_upper);
    free(seg_lower);
    /* ---- 3. layers and their order ---- */
    if (ok) {
        for (i = 0; i < n; i++)
            if ((size_t)L.rank[i] + 1 > L.nranks) L.nranks = (size_t)L.rank[i] + 1;
        L.layer_first = calloc(L.nranks + 2, sizeof(size_t));
        L.layer = malloc((n + 1) * sizeof(size_t));
        ok = L.layer_first && L.layer;
    }
    if (ok) {
        for (i = 0; i < n; i++) L.layer_first[L.rank[i] + 2]++;
        for (size_t r = 0; r < L.nranks; r++) L.layer_first[r + 2] += L.layer_first[r + 1];
        /* first order: the graph's own (the walk's: output first), dummies after */
        for (i = 0; i < n; i++) {
            size_t at = L.layer_first[L.rank[i] + 1]++;
            L.layer[at] = i;
        }
        for (size_t r = 0; r < L.nranks; r++)
            for (size_t k = L.layer_first[r]; k < L.layer_first[r + 1]; k++) L.index[L.layer[k]] = k - L.layer_first[r];
        if (L.beside != NULL && !beside_for_dummies(&L, nreal, n)) {
            free(L.beside); /* out of memory: nobody kept beside anybody */
            L.beside = NULL;
        }
        for (size_t r = 0; L.beside != NULL && r < L.nranks; r++)
            keep_beside(&L, L.layer + L.layer_first[r], L.layer_first[r + 1] - L.layer_first[r]);
        for (int sweep = 0; sweep < SWEEPS; sweep++) order_sweep(&L, sweep % 2 == 0);
    }
    /* ---- 4. places along the order axis, 5. ranks stacked ---- */
    double nodesep = attr_inches(g, "nodesep", 0.25, 0.02) * 72;
    double ranksep = attr_inches(g, "ranksep", 0.5, 0.02) * 72;
    double *left = ok ? malloc((n + 1) * sizeof(double)) : NULL, *right = ok ? malloc((n + 1) * sizeof(double)) : NULL;
    double *rank_at = ok ? calloc(L.nranks + 1, sizeof(double)) : NULL;
    ok = ok && left && right && rank_at;
    double extent_along = 0, extent_across = 0;
    if (ok) {
        for (i = 0; i < nreal; i++) {
            Agnode_t *v = real[i];
            double width = ND_width(v) * 72, height = ND_height(v) * 72;
            L.size_along[i] = sideways ? height : width;
            L.size_across[i] = sideways ? width : height;
        }
        for (size_t r = 0; r < L.nranks; r++) {
            double at = 0;
            for (size_t k = L.layer_first[r]; k < L.layer_first[r + 1]; k++) {
                size_t v = L.layer[k];
                L.pos[v] = at + L.size_along[v] / 2;
                at += L.size_along[v] + nodesep;
            }
            for (size_t k = L.layer_first[r]; k < L.layer_first[r + 1]; k++) L.pos[L.layer[k]] -= at / 2;
        }
        for (int pass = 0; pass < PLACEMENTS; pass++) place_pass(&L, pass % 2 == 0, nodesep, left, right);
        double least = 0, most = 0;
        for (i = 0; i < n; i++) {
            double lo = L.pos[i] - L.size_along[i] / 2, hi = L.pos[i] + L.size_along[i] / 2;
            if (i == 0 || lo < least) least = lo;
            if (i == 0 || hi > most) most = hi;
        }
        for (i = 0; i < n; i++) L.pos[i] -= least;
        extent_along = most - least;
        /* rank r's centre, from the first rank's side */
        double at = 0;
        for (size_t r = 0; r < L.nranks; r++) {
            double tallest = 0;
            for (size_t k = L.layer_first[r]; k < L.layer_first[r + 1]; k++)
                if (L.size_across[L.layer[k]] > tallest) tallest = L.size_across[L.layer[k]];
            rank_at[r] = at + tallest / 2;
            at += tallest + (r + 1 < L.nranks ? ranksep : 0);
        }
        extent_across = at;
    }
    /* layout points (y grows upwards): ranks go down (TB), up (BT), right
       (LR) or left (RL); the order axis runs left to right (top to bottom) */
#define POINT_OF(along, across)                                                                  \
    (sideways ? (pointf){reversed ? extent_across - (across) : (across), extent_along - (along)} \
              : (pointf){(along), reversed ? (across) : extent_across - (across)})
    if (ok) {
        for (i = 0; i < nreal; i++) ND_coord(real[i]) = POINT_OF(L.pos[i], rank_at[L.rank[i]]);
    } else { /* out of memory: every node at the origin, still drawable */
        for (Agnode_t *v = agfstnode(g); v != NULL; v = agnxtnode(g, v)) ND_coord(v) = (pointf){0, 0};
    }
    /* ---- edges: polylines through the bend points ---- */
    size_t most_points = 0;
    for (e = 0; ok && e < nedges; e++)
        if (paths[e].ndummies > most_points) most_points = paths[e].ndummies;
    pointf *points = ok ? malloc((3 * (most_points + 1) + 1) * sizeof *points) : NULL;
    for (e = 0; points != NULL && e < nedges; e++) {
        pointf from = ND_coord(real[paths[e].tail]);
        size_t count = 0;
        points[count++] = from;
        for (size_t k = 0; k <= paths[e].ndummies; k++) {
            size_t d = paths[e].first_dummy + k;
            pointf to = k < paths[e].ndummies ? POINT_OF(L.pos[d], rank_at[L.rank[d]]) : ND_coord(real[paths[e].head]);
            points[count++] = (pointf){from.x + (to.x - from.x) / 3, from.y + (to.y - from.y) / 3};
            points[count++] = (pointf){from.x + 2 * (to.x - from.x) / 3, from.y + 2 * (to.y - from.y) / 3};
            points[count++] = to;
            from = to;
        }
        for (size_t k = 0; paths[e].back && k < count / 2; k++) { /* from the edge's own tail */
            pointf t = points[k];
            points[k] = points[count - 1 - k];
            points[count - 1 - k] = t;
        }
        clip_and_install(edges[e], aghead(edges[e]), points, (int)count, &straight_info);
        textlabel_t *label = ED_label(edges[e]);
        if (label != NULL) { /* beside the middle of the middle segment, to its right */
            size_t segment = (count / 3) / 2;
            pointf a = points[3 * segment], b = points[3 * segment + 3];
            label->pos = (pointf){(a.x + b.x) / 2 + label->dimen.x / 2 + 2, (a.y + b.y) / 2};
            label->set = TRUE;
        }
    }
#undef POINT_OF
    free(points);
    GD_bb(g) = (boxf){{0, 0}, sideways ? (pointf){extent_across, extent_along} : (pointf){extent_along, extent_across}};
    free(left);
    free(right);
    free(rank_at);
    free_layered(&L);
    free(real);
    free(paths);
    free(edges);
    gv_postprocess(g, 0);
}

static void layered_cleanup(graph_t *g) {
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) gv_cleanup_edge(e);
        gv_cleanup_node(n);
    }
}

static gvlayout_engine_t layered_engine = {layered_layout, layered_cleanup};
static gvlayout_features_t layered_features = {0};

gvplugin_installed_t viz_layered_layouts[] = {
    {0, VIZ_LAYERED_ENGINE, 0, &layered_engine, &layered_features},
    {0, NULL, 0, NULL, NULL},
};
