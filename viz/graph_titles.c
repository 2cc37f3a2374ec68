/* graph_titles.c — frame titles kept clear of the edges, after the layout.
 *
 * dot puts a cluster's label in a band at the top of its frame, centred,
 * and routes edges through that band without looking at it: the edge into
 * the first op of a frame, usually at the frame's middle, ran through its
 * title ("loss(m, X, Y)" in mlp_explorer's whole graph).  After the layout
 * each title slides along its band to the free stretch nearest where dot
 * put it: free of every edge's line and arrowhead and of edge labels, inside
 * the frame.  When no stretch is wide enough it goes where it overlaps the
 * least.  Only the title moves, so nothing else of the layout changes.
 * Top-to-bottom layouts only (every graph agrepl draws); the web page's
 * pictures are laid out by @viz-js/viz and keep dot's places. */
#include "graph_titles.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>
#include <types.h>

#include "array.h"

#define CLEARANCE 4.0 /* points between a title and an edge */
#define FRAME_PAD 6.0 /* and between a title and its frame's side */
#define SAMPLES 12    /* points along each Bézier piece */

typedef struct span {
    double lo, hi;
} span;

typedef struct spans {
    span *at;
    size_t n, cap;
    bool failed;
} spans;

static void add_span(spans *s, double lo, double hi) {
    if (!ARRAY_RESERVE(s->at, s->cap, s->n, 1)) {
        s->failed = true;
        return;
    }
    s->at[s->n++] = (span){lo - CLEARANCE, hi + CLEARANCE};
}

/* The x extent of segment a-b within the band y0 <= y <= y1, if it meets it. */
static void segment_in_band(spans *s, pointf a, pointf b, double y0, double y1) {
    if (a.y > b.y) {
        pointf t = a;
        a = b;
        b = t;
    }
    if (b.y < y0 || a.y > y1) return;
    double xa = a.x, xb = b.x;
    if (b.y > a.y) { /* clipped to the band */
        double ta = a.y < y0 ? (y0 - a.y) / (b.y - a.y) : 0, tb = b.y > y1 ? (y1 - a.y) / (b.y - a.y) : 1;
        xa = a.x + (b.x - a.x) * ta;
        xb = a.x + (b.x - a.x) * tb;
    }
    add_span(s, fmin(xa, xb), fmax(xa, xb));
}

static pointf bezier_at(const pointf *p, double t) {
    double u = 1 - t;
    double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
    return (pointf){a * p[0].x + b * p[1].x + c * p[2].x + d * p[3].x, a * p[0].y + b * p[1].y + c * p[2].y + d * p[3].y};
}

/* Where the edges of g (lines, arrowheads, labels) cross the band. */
static void edges_in_band(Agraph_t *g, double y0, double y1, spans *s) {
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
            splines *spl = ED_spl(e);
            for (int i = 0; spl != NULL && i < spl->size; i++) {
                const bezier *bz = &spl->list[i];
                for (int k = 0; k + 3 < bz->size; k += 3) {
                    pointf from = bz->list[k];
                    for (int j = 1; j <= SAMPLES; j++) {
                        pointf to = bezier_at(bz->list + k, (double)j / SAMPLES);
                        segment_in_band(s, from, to, y0, y1);
                        from = to;
                    }
                }
                if (bz->sflag && bz->size > 0) segment_in_band(s, bz->sp, bz->list[0], y0, y1);
                if (bz->eflag && bz->size > 0) segment_in_band(s, bz->list[bz->size - 1], bz->ep, y0, y1);
            }
            textlabel_t *label = ED_label(e);
            if (label != NULL && label->set && label->pos.y + label->dimen.y / 2 >= y0 &&
                label->pos.y - label->dimen.y / 2 <= y1)
                add_span(s, label->pos.x - label->dimen.x / 2, label->pos.x + label->dimen.x / 2);
        }
}

/* How much of [x - half, x + half] the spans cover (overlaps counted once
 * per span). */
static double overlap(const spans *s, double x, double half) {
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        double lo = fmax(s->at[i].lo, x - half), hi = fmin(s->at[i].hi, x + half);
        if (hi > lo) sum += hi - lo;
    }
    return sum;
}

/* The title's centre: the free place nearest dot's (at), else the least
 * covered one, nearest at among equals.  The candidates are at and each
 * span's two sides, as far as the frame [left, right] allows. */
static double title_x(const spans *s, double at, double half, double left, double right) {
    if (right - left < 2 * half) return at;
    double lo = left + half, hi = right - half;
    double best = fmin(fmax(at, lo), hi), best_cover = overlap(s, best, half);
    for (size_t i = 0; i < 2 * s->n; i++) {
        double x = i % 2 ? s->at[i / 2].hi + half : s->at[i / 2].lo - half;
        if (x < lo || x > hi) continue;
        double cover = overlap(s, x, half);
        if (cover < best_cover || (cover == best_cover && fabs(x - at) < fabs(best - at))) best = x, best_cover = cover;
    }
    return best;
}

static void place_in(Agraph_t *root, Agraph_t *g, spans *s) {
    for (int c = 1; c <= GD_n_cluster(g); c++) {
        Agraph_t *cluster = GD_clust(g)[c];
        textlabel_t *label = GD_label(cluster);
        if (label != NULL && label->set && label->dimen.x > 0) {
            boxf bb = GD_bb(cluster);
            double half = label->dimen.x / 2;
            s->n = 0;
            edges_in_band(root, label->pos.y - label->dimen.y / 2, label->pos.y + label->dimen.y / 2, s);
            if (!s->failed && overlap(s, label->pos.x, half) > 0)
                label->pos.x = title_x(s, label->pos.x, half, bb.LL.x + FRAME_PAD, bb.UR.x - FRAME_PAD);
        }
        place_in(root, cluster, s);
    }
}

void viz_place_titles(Agraph_t *g) {
    const char *rankdir = agget(g, "rankdir");
    if (rankdir != NULL && rankdir[0] != '\0' && strcmp(rankdir, "TB") != 0) return;
    if (aggetrec(g, "Agraphinfo_t", 0) == NULL) return; /* not laid out */
    spans s = {0};
    place_in(g, g, &s);
    free(s.at);
}
