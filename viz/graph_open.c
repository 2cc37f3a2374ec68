/* graph_open.c — a folded group clicked open keeps the rest of the layout
 * (graph_open.h). */
#include "graph_open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "strbuf.h"

/* The box's extent on one axis, and how much the plane grows across it. */
typedef struct axis {
    double lo, hi, grow;
} axis;

/* What lies below lo stays, above hi moves by grow, in between spreads. */
static double stretch(const axis *a, double v) {
    if (v <= a->lo) return v;
    if (v >= a->hi) return v + a->grow;
    return a->lo + (v - a->lo) * (a->hi - a->lo + a->grow) / (a->hi - a->lo);
}

/* A stretch of the plane (the old drawing), a shift (the group's contents),
 * or for an edge's points a blend from the shift of its tail (dx, dy) to
 * that of its head (head_dx, head_dy), so its ends stay on its nodes. */
typedef struct move {
    bool stretch, blend;
    axis x, y;
    double dx, dy, head_dx, head_dy;
} move;

/* t: where a point lies along the edge (0 at its tail, 1 at its head). */
static void move_point_at(const move *m, double t, double *x, double *y) {
    if (m->blend) {
        *x += m->dx + (m->head_dx - m->dx) * t;
        *y += m->dy + (m->head_dy - m->dy) * t;
    } else if (m->stretch) {
        *x = stretch(&m->x, *x);
        *y = stretch(&m->y, *y);
    } else {
        *x += m->dx;
        *y += m->dy;
    }
}

static void move_point(const move *m, double *x, double *y) { move_point_at(m, 0.5, x, y); }

/* A frame in layout points (y grows upwards). */
typedef struct rect {
    double x0, y0, x1, y1;
} rect;

static bool inside(const rect *r, double x, double y) {
    return x > r->x0 && x < r->x1 && y > r->y0 && y < r->y1;
}

/* Writes the points of text ("x,y", or a spline "e,x,y s,x,y x,y x,y ...",
 * several separated by ';') moved by m into out.  False when text is not
 * such a list, or (avoid not NULL) when the line through the moved points
 * enters *avoid: the edge would cross the opened group's frame. */
static bool move_points(const char *text, const move *m, const rect *avoid, strbuf *out) {
    int points = 0, point = 0; /* the spline's control points (not "e," or "s,"), for blending */
    for (const char *c = text; *c != '\0'; c++)
        if ((c == text || c[-1] == ' ' || c[-1] == ';') && *c != ' ' && *c != ';' &&
            !((c[0] == 'e' || c[0] == 's') && c[1] == ','))
            points++;
    const char *c = text;
    bool have_last = false;
    double last_x = 0, last_y = 0;
    while (*c != '\0') {
        if (*c == ' ' || *c == ';') {
            strbuf_append_n(out, c, 1);
            if (*c++ == ';') have_last = false;
            continue;
        }
        bool end_point = (c[0] == 'e' || c[0] == 's') && c[1] == ',';
        char which = c[0];
        if (end_point) {
            strbuf_append_n(out, c, 2);
            c += 2;
        }
        char *end;
        double x = strtod(c, &end);
        if (end == c || *end != ',') return false;
        c = end + 1;
        double y = strtod(c, &end);
        if (end == c) return false;
        c = end;
        double t = end_point ? (which == 'e' ? 1 : 0) : points > 1 ? (double)point++ / (points - 1) : 0.5;
        move_point_at(m, t, &x, &y);
        strbuf_appendf(out, "%.3f,%.3f", x, y);
        if (avoid != NULL && !end_point) {
            for (int k = have_last ? 1 : 8; k <= 8; k++) {
                double t = k / 8.0;
                if (inside(avoid, have_last ? last_x + (x - last_x) * t : x, have_last ? last_y + (y - last_y) * t : y))
                    return false;
            }
            have_last = true, last_x = x, last_y = y;
        }
    }
    return !out->failed;
}

/* Sets obj's key to its value moved by m; an empty value stays empty.
 * False when it cannot be read or moved. */
static bool set_moved(void *obj, const char *key, const char *value, const move *m, const rect *avoid) {
    if (value == NULL || value[0] == '\0') {
        if (agget(obj, (char *)key) != NULL) agsafeset(obj, (char *)key, "", "");
        return true;
    }
    strbuf out = {0};
    bool ok = move_points(value, m, avoid, &out);
    char *text = strbuf_take(&out);
    if (ok && text != NULL) agsafeset(obj, (char *)key, text, "");
    free(text);
    return ok && text != NULL;
}

/* r grown to hold node n as placed (its pos, width and height attributes). */
static void hold_node(rect *r, Agnode_t *n) {
    double x, y;
    const char *pos = agget(n, "pos"), *w = agget(n, "width"), *h = agget(n, "height");
    if (pos == NULL || w == NULL || h == NULL || sscanf(pos, "%lf,%lf", &x, &y) != 2) return;
    double half_w = atof(w) * 36, half_h = atof(h) * 36;
    if (x - half_w < r->x0) r->x0 = x - half_w;
    if (y - half_h < r->y0) r->y0 = y - half_h;
    if (x + half_w > r->x1) r->x1 = x + half_w;
    if (y + half_h > r->y1) r->y1 = y + half_h;
}

static bool parse_box(const char *text, rect *r) {
    return text != NULL && sscanf(text, "%lf,%lf,%lf,%lf", &r->x0, &r->y0, &r->x1, &r->y1) == 4;
}

/* A bounding box of graph sub moved by m (its two corners), grown to hold
 * sub's nodes (a node outside the opened group whose label changed, as the
 * legend's does when it gains an entry, keeps its centre but not its size),
 * written back as "llx,lly,urx,ury". */
static void set_moved_box(Agraph_t *sub, const rect *r, const move *m, char *text, size_t size) {
    rect moved = *r;
    move_point(m, &moved.x0, &moved.y0);
    move_point(m, &moved.x1, &moved.y1);
    for (Agnode_t *n = agfstnode(sub); n != NULL; n = agnxtnode(sub, n)) hold_node(&moved, n);
    snprintf(text, size, "%.3f,%.3f,%.3f,%.3f", moved.x0, moved.y0, moved.x1, moved.y1);
    agsafeset(sub, "bb", text, "");
}

void viz_edge_id(Agraph_t *g, Agedge_t *e, char *buf, size_t size) {
    int k = 0;
    for (Agedge_t *before = agfstout(g, agtail(e)); before != NULL && before != e; before = agnxtout(g, before))
        if (aghead(before) == aghead(e)) k++;
    snprintf(buf, size, "e %s %s %d", agnameof(agtail(e)), agnameof(aghead(e)), k);
}

/* The cluster cluster_group<N> of a group that was a folded box in the old
 * drawing and is not one now; *count says how many there are. */
static Agraph_t *opened_cluster(Agraph_t *root, Agraph_t *g, viz_old_attr_fn old, void *user, int *count) {
    Agraph_t *found = NULL;
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        int group;
        char rest;
        if (sscanf(agnameof(sub), "cluster_group%d%c", &group, &rest) == 1) {
            char name[40], id[48];
            snprintf(name, sizeof name, "box%d", group);
            snprintf(id, sizeof id, "n %s", name);
            if (agnode(root, name, 0) == NULL && old(user, id, "pos") != NULL) found = sub, ++*count;
        }
        Agraph_t *inner = opened_cluster(root, sub, old, user, count);
        if (inner != NULL) found = inner;
    }
    return found;
}

/* The node box<N> of a group that was drawn open in the old drawing (a
 * cluster cluster_group<N>) and is folded now; *count says how many. */
static Agnode_t *folded_box(Agraph_t *g, viz_old_attr_fn old, void *user, int *count) {
    Agnode_t *found = NULL;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        int group;
        char rest, id[160];
        if (sscanf(agnameof(n), "box%d%c", &group, &rest) != 1) continue;
        snprintf(id, sizeof id, "n %s", agnameof(n));
        if (old(user, id, "pos") != NULL) continue;
        snprintf(id, sizeof id, "c cluster_group%d", group);
        if (old(user, id, "bb") != NULL) found = n, ++*count;
    }
    return found;
}

typedef struct opening {
    Agraph_t *opened;  /* the opened group's cluster, or NULL when */
    Agnode_t *box;     /* a group was folded: its box */
    move plane, group; /* the old drawing's stretch, the group's shift */
    rect frame;        /* where the opened frame goes */
    viz_old_attr_fn old;
    void *user;
} opening;

static bool in_group(const opening *o, Agnode_t *n) {
    return o->opened != NULL ? agsubnode(o->opened, n, 0) != NULL : n == o->box;
}

/* How far node n (outside the group, already placed) moved from its old place. */
static bool shift_of(const opening *o, Agnode_t *n, double *dx, double *dy) {
    char id[160];
    snprintf(id, sizeof id, "n %s", agnameof(n));
    const char *was = o->old(o->user, id, "pos"), *now = agget(n, "pos");
    double x0, y0, x1, y1;
    if (was == NULL || now == NULL || sscanf(was, "%lf,%lf", &x0, &y0) != 2 || sscanf(now, "%lf,%lf", &x1, &y1) != 2)
        return false;
    *dx = x1 - x0, *dy = y1 - y0;
    return true;
}

/* Clusters: the opened one and those inside it shift with it; the others
 * keep their old frames, stretched. */
static bool place_clusters(const opening *o, Agraph_t *g, bool in_opened) {
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        bool opened = in_opened || sub == o->opened;
        if (strncmp(agnameof(sub), "cluster", 7) == 0) {
            char id[160], text[160];
            snprintf(id, sizeof id, "c %s", agnameof(sub));
            rect box;
            const char *lp = opened ? agget(sub, "lp") : o->old(o->user, id, "lp");
            if (!parse_box(opened ? agget(sub, "bb") : o->old(o->user, id, "bb"), &box)) return false;
            set_moved_box(sub, &box, opened ? &o->group : &o->plane, text, sizeof text);
            if (!set_moved(sub, "lp", lp, opened ? &o->group : &o->plane, NULL)) return false;
        }
        if (!place_clusters(o, sub, opened)) return false;
    }
    return true;
}

bool viz_open_group_layout(Agraph_t *g, viz_old_attr_fn old, void *user, char bb[128]) {
    int count = 0;
    opening o = {.old = old, .user = user};
    char id[200];
    rect was, now, old_bb; /* the group's extent in the old drawing, and as laid out now */
    o.opened = opened_cluster(g, g, old, user, &count);
    if (o.opened != NULL && count == 1) { /* opened: was a box, now a frame */
        int group;
        sscanf(agnameof(o.opened), "cluster_group%d", &group);
        snprintf(id, sizeof id, "n box%d", group);
        double bx, by;
        const char *at = old(user, id, "pos"), *w = old(user, id, "width"), *h = old(user, id, "height");
        if (at == NULL || sscanf(at, "%lf,%lf", &bx, &by) != 2 || w == NULL || h == NULL ||
            !parse_box(agget(o.opened, "bb"), &now))
            return false;
        was = (rect){bx - atof(w) * 36, by - atof(h) * 36, bx + atof(w) * 36, by + atof(h) * 36};
    } else if (count == 0 && (o.box = folded_box(g, old, user, &count)) != NULL && count == 1) {
        /* folded (another group opened later is still open): was a frame, now a box */
        int group;
        sscanf(agnameof(o.box), "box%d", &group);
        snprintf(id, sizeof id, "c cluster_group%d", group);
        double x, y;
        if (!parse_box(old(user, id, "bb"), &was) || sscanf(agget(o.box, "pos"), "%lf,%lf", &x, &y) != 2)
            return false;
        now = (rect){x, y, x, y};
        hold_node(&now, o.box);
    } else {
        return false;
    }
    if (was.x1 - was.x0 <= 0 || was.y1 - was.y0 <= 0 || !parse_box(old(user, "g", "bb"), &old_bb)) return false;
    /* every node outside the group was drawn before */
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        snprintf(id, sizeof id, "n %s", agnameof(n));
        if (!in_group(&o, n) && old(user, id, "pos") == NULL) return false;
    }
    /* the plane grows across the group's old extent by as much as the group
     * is now wider and taller; it never shrinks (that could make nodes
     * overlap): a folded box sits in the middle of its frame's old room */
    double nw = now.x1 - now.x0, nh = now.y1 - now.y0, ww = was.x1 - was.x0, wh = was.y1 - was.y0;
    double grow_x = nw > ww ? nw - ww : 0, grow_y = nh > wh ? nh - wh : 0;
    o.plane.stretch = true;
    o.plane.x = (axis){was.x0, was.x1, grow_x};
    o.plane.y = (axis){was.y0, was.y1, grow_y};
    double cx = was.x0 + (ww + grow_x) / 2, cy = was.y0 + (wh + grow_y) / 2; /* the old centre, moved */
    o.group.dx = cx - (now.x0 + now.x1) / 2;
    o.group.dy = cy - (now.y0 + now.y1) / 2;
    o.frame = (rect){cx - nw / 2 - 1, cy - nh / 2 - 1, cx + nw / 2 + 1, cy + nh / 2 + 1};
    /* nodes */
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        snprintf(id, sizeof id, "n %s", agnameof(n));
        bool mine = in_group(&o, n);
        if (!set_moved(n, "pos", mine ? agget(n, "pos") : old(user, id, "pos"), mine ? &o.group : &o.plane, NULL))
            return false;
    }
    /* edges: inside the group as dot drew them, between two nodes that kept
     * their places as before, stretched; the rest routed afresh by nop2 */
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
            bool tail_in = in_group(&o, agtail(e)), head_in = in_group(&o, aghead(e));
            viz_edge_id(g, e, id, sizeof id);
            const char *pos = old(user, id, "pos"), *lp = old(user, id, "lp");
            bool kept = false;
            if (tail_in && head_in) {
                kept = set_moved(e, "pos", agget(e, "pos"), &o.group, NULL) &&
                       set_moved(e, "lp", agget(e, "lp"), &o.group, NULL);
            } else if (!tail_in && !head_in && pos != NULL && pos[0] != '\0') {
                move ends = {.blend = true};
                kept = shift_of(&o, agtail(e), &ends.dx, &ends.dy) && shift_of(&o, aghead(e), &ends.head_dx, &ends.head_dy) &&
                       set_moved(e, "pos", pos, &ends, &o.frame) && set_moved(e, "lp", lp, &ends, NULL);
            }
            if (!kept) {
                agsafeset(e, "pos", "", "");
                if (agget(e, "lp") != NULL) agsafeset(e, "lp", "", "");
            }
        }
    if (!place_clusters(&o, g, false)) return false;
    const char *lp = old(user, "g", "lp");
    if (!set_moved(g, "lp", lp, &o.plane, NULL)) return false;
    set_moved_box(g, &old_bb, &o.plane, bb, 128);
    agsafeset(g, "splines", "true", "");
    return true;
}
