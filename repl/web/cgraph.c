/* cgraph.c (web build) — the libcgraph calls viz/graph.c makes, for the web
 * build (cgraph/cgraph.h): a graph's objects and attributes in memory, and
 * agwrite()'s DOT text as libcgraph 2.42 writes it (lib/cgraph/write.c):
 * the attribute dictionaries sorted by name, each object's attributes that
 * differ from their defaults, a node written where it first appears (before
 * the edges that reach it), subgraphs first, identifiers quoted by
 * _agstrcanon's rules.  tests/python/web_test.py compares its text with the native
 * build's.  Objects keep creation order: libcgraph orders subgraphs by an
 * internal id, so with several clusters their order may differ (the graph
 * is the same). */
#include "cgraph/cgraph.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

Agdesc_t Agdirected = {1};

/* A value: its text and whether it is an HTML-like label. */
typedef struct value {
    char *text;
    bool html;
} value;

typedef struct symbol {
    char *name;
    value def;
} symbol;

typedef struct dict {
    symbol *syms;
    int count, capacity;
} dict;

/* An object's values by symbol index (NULL text: the default). */
typedef struct values {
    value *items;
    int count;
} values;

enum { OBJ_GRAPH, OBJ_NODE, OBJ_EDGE };

struct Agnode_s {
    int objtype;
    Agraph_t *root;
    char *name;
    int seq;
    values attrs;
    Agedge_t **out, **in;
    int nout, nin, out_capacity, in_capacity;
    bool written;
};

struct Agedge_s {
    int objtype;
    Agraph_t *root;
    Agnode_t *tail, *head;
    values attrs;
};

struct Agraph_s {
    int objtype;
    Agraph_t *root, *parent;
    char *name;
    dict dicts[3];       /* root: graph, node and edge attributes */
    values local;        /* a subgraph's own graph attributes (set on it) */
    Agnode_t **nodes;    /* members in creation order */
    int nnodes, nodes_capacity;
    Agraph_t **subs;
    int nsubs, subs_capacity;
    int nedges;          /* root: every edge */
    Agedge_t **edges;    /* root: owns them */
    int edges_capacity;
    char **html;         /* root: the strings agstrdup_html made */
    int nhtml, html_capacity;
    int next_seq;
};

static bool grow(void **items, int *capacity, int count, size_t size) {
    if (count < *capacity) return true;
    int next = *capacity ? *capacity * 2 : 8;
    void *p = realloc(*items, (size_t)next * size);
    if (p == NULL) return false;
    *items = p;
    *capacity = next;
    return true;
}

static char *copy(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c != NULL) memcpy(c, s, n);
    return c;
}

static Agraph_t *new_graph(Agraph_t *parent, const char *name) {
    Agraph_t *g = calloc(1, sizeof *g);
    if (g == NULL) return NULL;
    g->objtype = OBJ_GRAPH;
    g->parent = parent;
    g->root = parent ? parent->root : g;
    if ((g->name = copy(name ? name : "")) == NULL) {
        free(g);
        return NULL;
    }
    return g;
}

Agraph_t *agopen(char *name, Agdesc_t desc, void *disc) {
    (void)desc, (void)disc;
    return new_graph(NULL, name);
}

static void free_values(values *v) {
    for (int i = 0; i < v->count; i++) free(v->items[i].text);
    free(v->items);
}

static void free_graph(Agraph_t *g) {
    for (int i = 0; i < g->nsubs; i++) free_graph(g->subs[i]);
    free(g->subs);
    free(g->nodes);
    free_values(&g->local);
    free(g->name);
    free(g);
}

int agclose(Agraph_t *g) {
    if (g == NULL) return 0;
    if (g->root != g) return 0; /* graph.c closes only roots */
    for (int i = 0; i < g->nnodes; i++) {
        Agnode_t *n = g->nodes[i];
        free_values(&n->attrs);
        free(n->out);
        free(n->in);
        free(n->name);
        free(n);
    }
    for (int i = 0; i < g->nedges; i++) {
        free_values(&g->edges[i]->attrs);
        free(g->edges[i]);
    }
    free(g->edges);
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < g->dicts[k].count; i++) {
            free(g->dicts[k].syms[i].name);
            free(g->dicts[k].syms[i].def.text);
        }
        free(g->dicts[k].syms);
    }
    for (int i = 0; i < g->nhtml; i++) free(g->html[i]);
    free(g->html);
    free_graph(g);
    return 0;
}

Agraph_t *agsubg(Agraph_t *g, char *name, int create) {
    for (int i = 0; i < g->nsubs; i++)
        if (strcmp(g->subs[i]->name, name) == 0) return g->subs[i];
    if (!create || !grow((void **)&g->subs, &g->subs_capacity, g->nsubs, sizeof *g->subs)) return NULL;
    Agraph_t *sub = new_graph(g, name);
    if (sub != NULL) g->subs[g->nsubs++] = sub;
    return sub;
}

Agraph_t *agfstsubg(Agraph_t *g) { return g->nsubs ? g->subs[0] : NULL; }

Agraph_t *agnxtsubg(Agraph_t *subg) {
    Agraph_t *p = subg->parent;
    for (int i = 0; p && i + 1 < p->nsubs; i++)
        if (p->subs[i] == subg) return p->subs[i + 1];
    return NULL;
}

static int member_index(const Agraph_t *g, const Agnode_t *n) {
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i] == n) return i;
    return -1;
}

static bool add_member(Agraph_t *g, Agnode_t *n) {
    if (member_index(g, n) >= 0) return true;
    if (g->parent != NULL && !add_member(g->parent, n)) return false;
    if (!grow((void **)&g->nodes, &g->nodes_capacity, g->nnodes, sizeof *g->nodes)) return false;
    /* members stay in creation order */
    int at = g->nnodes;
    while (at > 0 && g->nodes[at - 1]->seq > n->seq) at--;
    memmove(g->nodes + at + 1, g->nodes + at, (size_t)(g->nnodes - at) * sizeof *g->nodes);
    g->nodes[at] = n;
    g->nnodes++;
    return true;
}

Agnode_t *agnode(Agraph_t *g, char *name, int create) {
    Agraph_t *root = g->root;
    for (int i = 0; i < root->nnodes; i++)
        if (strcmp(root->nodes[i]->name, name) == 0) return add_member(g, root->nodes[i]) ? root->nodes[i] : NULL;
    if (!create) return NULL;
    Agnode_t *n = calloc(1, sizeof *n);
    if (n == NULL || (n->name = copy(name)) == NULL) {
        free(n);
        return NULL;
    }
    n->objtype = OBJ_NODE;
    n->root = root;
    n->seq = root->next_seq++;
    if (!add_member(g, n)) {
        free(n->name);
        free(n);
        return NULL;
    }
    return n;
}

Agnode_t *agsubnode(Agraph_t *g, Agnode_t *n, int create) {
    if (n == NULL) return NULL;
    if (member_index(g, n) >= 0) return n;
    return create && add_member(g, n) ? n : NULL;
}

Agedge_t *agedge(Agraph_t *g, Agnode_t *t, Agnode_t *h, char *name, int create) {
    (void)name;
    Agraph_t *root = g->root;
    if (!create || t == NULL || h == NULL) return NULL;
    Agedge_t *e = calloc(1, sizeof *e);
    if (e == NULL) return NULL;
    e->objtype = OBJ_EDGE;
    e->root = root;
    e->tail = t;
    e->head = h;
    if (!grow((void **)&root->edges, &root->edges_capacity, root->nedges, sizeof *root->edges) ||
        !grow((void **)&t->out, &t->out_capacity, t->nout, sizeof *t->out) ||
        !grow((void **)&h->in, &h->in_capacity, h->nin, sizeof *h->in)) {
        free(e);
        return NULL;
    }
    root->edges[root->nedges++] = e;
    t->out[t->nout++] = e;
    h->in[h->nin++] = e;
    return e;
}

Agraph_t *agraphof(void *obj) {
    switch (*(int *)obj) {
    case OBJ_GRAPH: return obj;
    case OBJ_NODE: return ((Agnode_t *)obj)->root;
    default: return ((Agedge_t *)obj)->root;
    }
}

char *agnameof(void *obj) {
    switch (*(int *)obj) {
    case OBJ_GRAPH: return ((Agraph_t *)obj)->name;
    case OBJ_NODE: return ((Agnode_t *)obj)->name;
    default: return NULL;
    }
}

int agnnodes(Agraph_t *g) { return g->nnodes; }
int agnedges(Agraph_t *g) { return g->root->nedges; }

Agnode_t *agfstnode(Agraph_t *g) { return g->nnodes ? g->nodes[0] : NULL; }

Agnode_t *agnxtnode(Agraph_t *g, Agnode_t *n) {
    int i = member_index(g, n);
    return i >= 0 && i + 1 < g->nnodes ? g->nodes[i + 1] : NULL;
}

static Agedge_t *next_in(Agedge_t **list, int count, const Agedge_t *e) {
    for (int i = 0; i + 1 < count; i++)
        if (list[i] == e) return list[i + 1];
    return NULL;
}

Agedge_t *agfstout(Agraph_t *g, Agnode_t *n) { return n->nout ? n->out[0] : NULL; }
Agedge_t *agnxtout(Agraph_t *g, Agedge_t *e) { return next_in(e->tail->out, e->tail->nout, e); }
Agedge_t *agfstin(Agraph_t *g, Agnode_t *n) { return n->nin ? n->in[0] : NULL; }
Agedge_t *agnxtin(Agraph_t *g, Agedge_t *e) { return next_in(e->head->in, e->head->nin, e); }
Agnode_t *agtail(Agedge_t *e) { return e->tail; }
Agnode_t *aghead(Agedge_t *e) { return e->head; }

/* ---- attributes ---------------------------------------------------------- */

static bool is_html(const Agraph_t *root, const char *s) {
    for (int i = 0; i < root->nhtml; i++)
        if (root->html[i] == s) return true;
    return false;
}

static int find_symbol(const dict *d, const char *name) {
    for (int i = 0; i < d->count; i++)
        if (strcmp(d->syms[i].name, name) == 0) return i;
    return -1;
}

static bool set_value(value *v, const Agraph_t *root, const char *text) {
    char *c = copy(text);
    if (c == NULL) return false;
    free(v->text);
    v->text = c;
    v->html = is_html(root, text);
    return true;
}

static int declare(Agraph_t *root, int kind, const char *name, const char *def) {
    dict *d = &root->dicts[kind];
    int i = find_symbol(d, name);
    if (i >= 0) return i;
    if (!grow((void **)&d->syms, &d->capacity, d->count, sizeof *d->syms)) return -1;
    symbol *s = &d->syms[d->count];
    *s = (symbol){copy(name), {NULL, false}};
    if (s->name == NULL || !set_value(&s->def, root, def)) {
        free(s->name);
        return -1;
    }
    return d->count++;
}

static int kind_of(const void *obj) { return *(const int *)obj; }

static values *values_of(void *obj) {
    switch (kind_of(obj)) {
    case OBJ_GRAPH: return &((Agraph_t *)obj)->local;
    case OBJ_NODE: return &((Agnode_t *)obj)->attrs;
    default: return &((Agedge_t *)obj)->attrs;
    }
}

static value *slot(values *v, int i) {
    if (i >= v->count) {
        value *items = realloc(v->items, (size_t)(i + 1) * sizeof *items);
        if (items == NULL) return NULL;
        for (int k = v->count; k <= i; k++) items[k] = (value){NULL, false};
        v->items = items;
        v->count = i + 1;
    }
    return &v->items[i];
}

void *agattr(Agraph_t *g, int kind, char *name, const char *text) {
    Agraph_t *root = g->root;
    int i = declare(root, kind, name, text);
    if (i < 0) return NULL;
    if (!set_value(&root->dicts[kind].syms[i].def, root, text)) return NULL;
    return &root->dicts[kind].syms[i];
}

int agsafeset(void *obj, char *name, const char *text, const char *def) {
    Agraph_t *root = agraphof(obj)->root;
    int kind = kind_of(obj);
    if (kind == OBJ_GRAPH && obj == root) return agattr(root, AGRAPH, name, text) ? 0 : -1;
    int i = declare(root, kind, name, def);
    value *v = i < 0 ? NULL : slot(values_of(obj), i);
    return v != NULL && set_value(v, root, text) ? 0 : -1;
}

char *agget(void *obj, char *name) {
    Agraph_t *root = agraphof(obj)->root;
    int kind = kind_of(obj);
    int i = find_symbol(&root->dicts[kind], name);
    if (i < 0) return NULL;
    values *v = values_of(obj);
    if (!(kind == OBJ_GRAPH && obj == root) && i < v->count && v->items[i].text) return v->items[i].text;
    return root->dicts[kind].syms[i].def.text;
}

char *agstrdup_html(Agraph_t *g, char *s) {
    Agraph_t *root = g->root;
    char *c = copy(s);
    if (c == NULL || !grow((void **)&root->html, &root->html_capacity, root->nhtml, sizeof *root->html)) {
        free(c);
        return NULL;
    }
    return root->html[root->nhtml++] = c;
}

int agstrfree(Agraph_t *g, char *s) {
    Agraph_t *root = g->root;
    for (int i = 0; i < root->nhtml; i++)
        if (root->html[i] == s) {
            free(s);
            root->html[i] = root->html[--root->nhtml];
            return 0;
        }
    return -1;
}

/* ---- agwrite ------------------------------------------------------------- */

#define MAX_OUTPUTLINE 128

typedef struct writer {
    FILE *out;
    int level;
    bool failed;
} writer;

static void put(writer *w, const char *s) {
    if (fputs(s, w->out) == EOF) w->failed = true;
}

static void indent(writer *w) {
    for (int i = 0; i < w->level; i++) put(w, "\t");
}

static bool is_id_char(unsigned char c) { return isalnum(c) || c == '_' || c >= 128; }

/* libcgraph's _agstrcanon: an identifier or a number as it is, anything
 * else quoted, long strings broken with backslash-newline. */
static void put_canonical(writer *w, const char *arg, bool html) {
    if (html) {
        put(w, "<");
        put(w, arg);
        put(w, ">");
        return;
    }
    if (arg == NULL || arg[0] == '\0') {
        put(w, "\"\"");
        return;
    }
    static const char *const keywords[] = {"node", "edge", "strict", "graph", "digraph", "subgraph"};
    size_t n = strlen(arg);
    char *buf = malloc(2 * n + 3 + 2 * (n / MAX_OUTPUTLINE + 1) * 2);
    if (buf == NULL) {
        w->failed = true;
        return;
    }
    char *p = buf;
    const char *s = arg;
    int cnt = 0, dotcnt = 0;
    bool needs_quotes = false, backslash_pending = false;
    *p++ = '"';
    unsigned char uc = (unsigned char)*s++;
    bool maybe_num = isdigit(uc) || uc == '.' || uc == '-';
    while (uc) {
        if (uc == '"') {
            *p++ = '\\';
            needs_quotes = true;
        } else if (maybe_num) {
            if (uc == '-') {
                if (cnt) maybe_num = false, needs_quotes = true;
            } else if (uc == '.') {
                if (dotcnt++) maybe_num = false, needs_quotes = true;
            } else if (!isdigit(uc)) {
                maybe_num = false, needs_quotes = true;
            }
        } else if (!is_id_char(uc)) {
            needs_quotes = true;
        }
        *p++ = (char)uc;
        uc = (unsigned char)*s++;
        cnt++;
        if (uc && backslash_pending && !(is_id_char((unsigned char)p[-1]) || p[-1] == '\\') && is_id_char(uc)) {
            *p++ = '\\', *p++ = '\n';
            needs_quotes = true, backslash_pending = false, cnt = 0;
        } else if (uc && cnt >= MAX_OUTPUTLINE) {
            if (!(is_id_char((unsigned char)p[-1]) || p[-1] == '\\') && is_id_char(uc)) {
                *p++ = '\\', *p++ = '\n';
                needs_quotes = true, cnt = 0;
            } else {
                backslash_pending = true;
            }
        }
    }
    *p++ = '"';
    *p = '\0';
    bool quote = needs_quotes || (cnt == 1 && (arg[0] == '.' || arg[0] == '-'));
    for (size_t k = 0; !quote && k < sizeof keywords / sizeof keywords[0]; k++)
        if (strcasecmp(keywords[k], arg) == 0) quote = true;
    put(w, quote ? buf : arg);
    free(buf);
}

static int compare_symbols(const void *a, const void *b) {
    return strcmp((*(const symbol *const *)a)->name, (*(const symbol *const *)b)->name);
}

/* The symbols of d sorted by name, as libcgraph's dictionaries keep them;
 * malloc'd (NULL when empty or out of memory: then *count is 0). */
static const symbol **sorted(const dict *d, int *count) {
    *count = 0;
    if (d->count == 0) return NULL;
    const symbol **list = malloc((size_t)d->count * sizeof *list);
    if (list == NULL) return NULL;
    for (int i = 0; i < d->count; i++) list[i] = &d->syms[i];
    qsort(list, (size_t)d->count, sizeof *list, compare_symbols);
    *count = d->count;
    return list;
}

static void open_list(writer *w, int *cnt, const char *head) {
    if ((*cnt)++ == 0) {
        put(w, head);
        w->level++;
    } else {
        put(w, ",\n");
        indent(w);
    }
}

/* write_dict: the root's declared defaults (all but empty ones), a
 * subgraph's own graph attributes (all). */
static void write_dict(writer *w, Agraph_t *g, int kind, const char *name) {
    Agraph_t *root = g->root;
    int count, cnt = 0;
    const symbol **list = sorted(&root->dicts[kind], &count);
    char head[16];
    snprintf(head, sizeof head, "%s [", name);
    for (int i = 0; i < count; i++) {
        const symbol *s = list[i];
        const value *v = &s->def;
        if (g != root) {
            int at = (int)(s - root->dicts[kind].syms);
            if (kind != AGRAPH || at >= g->local.count || g->local.items[at].text == NULL) continue;
            v = &g->local.items[at];
        } else if (v->text[0] == '\0') {
            continue;
        }
        if (cnt == 0) indent(w);
        open_list(w, &cnt, head);
        put_canonical(w, s->name, false);
        put(w, "=");
        put_canonical(w, v->text, v->html);
    }
    if (cnt > 0) {
        w->level--;
        if (cnt > 1) {
            put(w, "\n");
            indent(w);
        }
        put(w, "];\n");
    }
    free(list);
}

/* write_nondefault_attrs: "\t[a=1,\n\t\tb=2]" */
static void write_object_attrs(writer *w, Agraph_t *root, int kind, values *v) {
    int count, cnt = 0;
    const symbol **list = sorted(&root->dicts[kind], &count);
    for (int i = 0; i < count; i++) {
        int at = (int)(list[i] - root->dicts[kind].syms);
        if (at >= v->count || v->items[at].text == NULL) continue;
        const value *x = &v->items[at];
        if (strcmp(x->text, list[i]->def.text) == 0 && x->html == list[i]->def.html) continue;
        open_list(w, &cnt, "\t[");
        put_canonical(w, list[i]->name, false);
        put(w, "=");
        put_canonical(w, x->text, x->html);
    }
    if (cnt > 0) {
        put(w, "]");
        w->level--;
    }
    free(list);
}

static void write_node(writer *w, Agnode_t *n) {
    indent(w);
    put_canonical(w, n->name, false);
    write_object_attrs(w, n->root, AGNODE, &n->attrs);
    put(w, ";\n");
    n->written = true;
}

static void write_edge(writer *w, Agedge_t *e) {
    indent(w);
    put_canonical(w, e->tail->name, false);
    put(w, " -> ");
    put_canonical(w, e->head->name, false);
    write_object_attrs(w, e->root, AGEDGE, &e->attrs);
    put(w, ";\n");
}

static bool in_subgraph(const Agraph_t *g, const Agnode_t *n) {
    for (int i = 0; i < g->nsubs; i++)
        if (member_index(g->subs[i], n) >= 0) return true;
    return false;
}

/* Edges live in the root graph only (graph.c puts none in a subgraph). */
static bool has_no_predecessor_below(const Agraph_t *g, const Agnode_t *n, int seq) {
    if (n->seq < seq) return false;
    for (int i = 0; g == g->root && i < n->nin; i++)
        if (n->in[i]->tail->seq < seq) return false;
    return true;
}

static bool not_default_attrs(const Agnode_t *n) {
    const dict *d = &n->root->dicts[AGNODE];
    for (int i = 0; i < n->attrs.count && i < d->count; i++)
        if (n->attrs.items[i].text != NULL && strcmp(n->attrs.items[i].text, d->syms[i].def.text) != 0) return true;
    return false;
}

static bool write_node_test(const Agraph_t *g, const Agnode_t *n, int seq) {
    bool no_edges = g != g->root || (n->nin == 0 && n->nout == 0);
    return !in_subgraph(g, n) && has_no_predecessor_below(g, n, seq) && (no_edges || not_default_attrs(n));
}

static void write_graph(writer *w, Agraph_t *g);

static void write_body(writer *w, Agraph_t *g) {
    for (int i = 0; i < g->nsubs; i++) write_graph(w, g->subs[i]);
    for (int i = 0; i < g->nnodes; i++) {
        Agnode_t *n = g->nodes[i];
        if (write_node_test(g, n, n->seq)) write_node(w, n);
        Agnode_t *prev = n;
        if (g != g->root) continue; /* edges belong to the root graph */
        for (int k = 0; k < n->nout; k++) {
            Agedge_t *e = n->out[k];
            if (prev != e->head && write_node_test(g, e->head, n->seq)) {
                write_node(w, e->head);
                prev = e->head;
            }
            write_edge(w, e);
        }
    }
}

static void write_graph(writer *w, Agraph_t *g) {
    indent(w);
    if (g == g->root) {
        put(w, "digraph ");
    } else {
        put(w, "subgraph ");
    }
    put_canonical(w, g->name, false);
    put(w, " {\n");
    w->level++;
    write_dict(w, g, AGRAPH, "graph");
    if (g == g->root) {
        write_dict(w, g, AGNODE, "node");
        write_dict(w, g, AGEDGE, "edge");
    }
    write_body(w, g);
    w->level--;
    indent(w);
    put(w, "}\n");
}

int agwrite(Agraph_t *g, void *stream) {
    writer w = {stream, 0, false};
    write_graph(&w, g);
    return w.failed ? EOF : 0;
}
