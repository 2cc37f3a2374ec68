/* graph_draw.c — what a graph's picture is made of: the libcgraph graph of a
 * finished walk (graph_walk.c), with its nodes' looks and labels, the
 * legend, the folded boxes and the graph's attributes.  graph.c turns that
 * one graph into DOT text, files and pixels; graph_digest.c hashes the same
 * labels. */
#include "graph.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cgraph.h>

#include "ag_format.h"
#include "ag_ops.h"
#include "ag_userop.h"
#include "graph_internal.h"

#define PREVIEW_ELEMENTS 4 /* tensor values shown in a node before "…" */
#define PREVIEW_DIGITS 4   /* their significant digits unless opts.digits is set */

void viz_graph_opts_default(viz_graph_opts *o) {
    *o = (viz_graph_opts){.values = true, .grads = true, .rankdir = "TB", .fold = VIZ_FOLD_AUTO};
}

/* ---- values ------------------------------------------------------------- */

void viz_format_value(const ag_var *v, int digits, char *buf, size_t n) {
    viz_format_numbers(v, ag_cdata(v), digits, buf, n);
}

void viz_format_numbers(const ag_var *v, const double *data, int digits, char *buf, size_t n) {
    char number[AG_NUMBUF];
    size_t size = ag_size(v);
    if (ag_ndim(v) == 0) {
        snprintf(buf, n, "%s", ag_format_display(data[0], digits, number));
        return;
    }
    char shape[AG_SHAPEBUF];
    ag_shape_string(ag_ndim(v), ag_shape(v), shape);
    int element_digits = digits > 0 ? digits : size == 1 ? 0 : PREVIEW_DIGITS;
    size_t shown = size <= PREVIEW_ELEMENTS ? size : PREVIEW_ELEMENTS - 1;
    size_t used = (size_t)snprintf(buf, n, "%s", shape);
    for (size_t i = 0; i < shown && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, " %s",
                                 ag_format_display(data[i], element_digits, number));
    if (shown < size && used < n) snprintf(buf + used, n - used, " …");
}

/* ---- layout cost -------------------------------------------------------- */


/* Estimates the virtual nodes dot will make: ranks by longest path from the
 * sources, then each source pulled down next to its nearest consumer (as
 * dot's ranking does), and every edge's span beyond 1 counted.  Nodes are
 * the walk's variables, then its functions.  Returns SIZE_MAX when out of memory. */
size_t viz_estimate_virtual_nodes(const viz_walk *w) {
    size_t nodes = w->nvars + w->nfuncs, nedges = 0;
    for (size_t i = 0; i < w->nfuncs; i++) {
        ag_func *f = w->funcs[i];
        for (int k = 0; k < ag_func_ninputs(f); k++) nedges += ag_func_input(f, k) != NULL;
        for (int k = 0; k < ag_func_noutputs(f); k++) nedges += ag_func_output(f, k) != NULL;
    }
    /* successors in compressed rows: node n's are successor[first[n] .. first[n + 1]) */
    size_t *tail = malloc((nedges + 1) * sizeof *tail);
    size_t *head = malloc((nedges + 1) * sizeof *head);
    size_t *successor = malloc((nedges + 1) * sizeof *successor);
    size_t *first = calloc(nodes + 1, sizeof *first);
    size_t *cursor = malloc((nodes + 1) * sizeof *cursor);
    size_t *indegree = calloc(nodes + 1, sizeof *indegree);
    size_t *queue = malloc((nodes + 1) * sizeof *queue);
    long *rank = calloc(nodes + 1, sizeof *rank);
    size_t estimate = SIZE_MAX;
    if (!tail || !head || !successor || !first || !cursor || !indegree || !queue || !rank)
        goto done;
    size_t e = 0;
    for (size_t i = 0; i < w->nfuncs; i++) {
        ag_func *f = w->funcs[i];
        for (int k = 0; k < ag_func_ninputs(f); k++) {
            if (viz_walk_input(w, i, k) == VIZ_NOT_DRAWN) continue;
            tail[e] = viz_walk_input(w, i, k);
            head[e++] = w->nvars + i;
        }
        for (int k = 0; k < ag_func_noutputs(f); k++) {
            ag_var *out = ag_func_output(f, k);
            if (out == NULL) continue;
            tail[e] = w->nvars + i;
            head[e++] = viz_walk_find(w, out);
        }
    }
    for (e = 0; e < nedges; e++) {
        first[tail[e] + 1]++;
        indegree[head[e]]++;
    }
    for (size_t n = 0; n < nodes; n++) first[n + 1] += first[n];
    for (size_t n = 0; n < nodes; n++) cursor[n] = first[n];
    for (e = 0; e < nedges; e++) successor[cursor[tail[e]]++] = head[e];
    /* longest path from the sources, in Kahn's topological order */
    size_t queued = 0;
    for (size_t n = 0; n < nodes; n++)
        if (indegree[n] == 0) queue[queued++] = n;
    for (size_t next = 0; next < queued; next++) {
        size_t n = queue[next];
        for (size_t s = first[n]; s < first[n + 1]; s++) {
            size_t m = successor[s];
            if (rank[m] < rank[n] + 1) rank[m] = rank[n] + 1;
            if (--indegree[m] == 0) queue[queued++] = m;
        }
    }
    estimate = 0;
    for (size_t n = 0; n < nodes; n++) {
        if (first[n] == first[n + 1]) continue;
        long nearest = LONG_MAX;
        for (size_t s = first[n]; s < first[n + 1]; s++)
            if (rank[successor[s]] < nearest) nearest = rank[successor[s]];
        long from = rank[n] == 0 ? nearest - 1 : rank[n]; /* a source sits just above */
        for (size_t s = first[n]; s < first[n + 1]; s++)
            if (rank[successor[s]] - from > 1) estimate += (size_t)(rank[successor[s]] - from - 1);
    }
done:
    free(tail);
    free(head);
    free(successor);
    free(first);
    free(cursor);
    free(indegree);
    free(queue);
    free(rank);
    return estimate;
}

/* ---- looks -------------------------------------------------------------- */

typedef struct look {
    const char *legend; /* its text in the legend */
    const char *fill, *border, *style, *shape;
} look;

static const look looks[ROLE_COUNT] = {
    [ROLE_LEAF] = {"input", "#FFF59D", "#C49000", "rounded,filled", "box"},
    [ROLE_SEED] = {"seed: dy/dy = 1", "#FFFFFF", "#B71C1C", "rounded,filled,bold", "box"},
    [ROLE_PARAM] = {"parameter", "#FFB74D", "#D84315", "rounded,filled", "box"},
    [ROLE_CONST] = {"constant", "#FFFFFF", "#9E9E9E", "rounded,filled", "box"},
    [ROLE_INTERMEDIATE] = {"intermediate", "#EEEEEE", "#757575", "rounded,filled", "box"},
    [ROLE_BACKWARD] = {"made by backward", "#DCEEFF", "#1565C0", "rounded,filled,dashed", "box"},
    [ROLE_OUTPUT] = {"output", "#A5D6A7", "#2E7D32", "rounded,filled", "box"},
    [ROLE_FUNC] = {"function", "#90CAF9", "#1565C0", "filled", "box"},
    [ROLE_ACTIVE] = {"in progress", "#FFCA28", "#C62828", "filled,bold", "box"},
    [ROLE_CUT] = {"cut by depth", "#E0E0E0", "#BDBDBD", "rounded,filled", "box"},
    [ROLE_SUMMED] = {"⚠ grad of several backward\\ncalls (no cleargrad)", "#FFFFFF", "#E65100",
                     "rounded,filled,bold", "box"},
    [ROLE_MARKED] = {"✗ gradient differs\\nfrom the numeric one", "#FFFFFF", "#C62828",
                     "rounded,filled,bold", "box"},
    [ROLE_BOX] = {"folded call or layer", "#EDE7F6", "#4527A0", "filled", "box3d"},
    [ROLE_GROUP] = {"call or layer (dashed frame)", "#FFFFFF", "#4527A0", "dashed", "box"},
    [ROLE_FLOW] = {"grad⁺: from the last backward, not kept in .grad", "#FFFFFF", "#00695C", "", "box"},
};

const char *viz_mark_of(const viz_graph_opts *o, const ag_var *v) {
    for (int i = 0; o != NULL && i < o->nmarks; i++)
        if (o->marks[i].var == v) return o->marks[i].note;
    return NULL;
}

/* Whether a mark says the check passed ("✓ ..."): drawn in green, without
 * the red border and legend entry of a mismatch. */
static bool mark_passed(const char *note) {
    return note != NULL && strncmp(note, "✓", strlen("✓")) == 0;
}

/* The border of a marked node (summed grad, viz_mark). */
#define SUMMED_PENWIDTH "3"

role viz_var_role(const viz_walk *w, size_t i) {
    ag_var *v = w->vars[i];
    unsigned flags = ag_var_flags(v);
    if (i == 0) return ROLE_OUTPUT;
    if (flags & AG_VAR_PARAM) return ROLE_PARAM;
    if (flags & AG_VAR_SEED) return ROLE_SEED;
    if (flags & AG_VAR_CONST) return ROLE_CONST; /* still dashed when backward made it */
    if (flags & AG_VAR_BACKWARD) return ROLE_BACKWARD;
    return ag_creator(v) == NULL ? ROLE_LEAF : ROLE_INTERMEDIATE;
}

/* Which operand input k of f is, for the ops where order matters: the op
 * list's names (OPERANDS in ag_ops.h: "a" and "b" of Sub, "base" and "exp"
 * of Pow...); NULL for the others. */
const char *viz_operand_role(const ag_func *f, int k) {
    if (ag_func_ninputs(f) != 2) return NULL;
    return ag_op_operand(ag_func_op(f), k);
}

/* Marks in named[] every op with an input called `operand`: an edge so
 * labelled puts those ops' readings in the legend. */
static void mark_operand(bool named[AG_OP_COUNT], const char *operand) {
    for (int op = 0; op < AG_OP_COUNT; op++)
        for (int k = 0; k < 2; k++)
            if (ag_op_operand(op, k) != NULL && strcmp(ag_op_operand(op, k), operand) == 0) named[op] = true;
}

/* The legend's line on edge names, from the op list: "edges: " and the
 * readings of the marked ops, those with the same first input together in
 * the list's order ("a − b, a / b, base ^ exp"); "" when none is marked. */
static void operand_legend(const bool named[AG_OP_COUNT], char *out, size_t n) {
    out[0] = '\0';
    bool done[AG_OP_COUNT] = {false};
    for (int op = 0; op < AG_OP_COUNT; op++) {
        if (!named[op] || done[op]) continue;
        for (int other = op; other < AG_OP_COUNT; other++) {
            if (!named[other] || done[other] || strcmp(ag_op_operand(other, 0), ag_op_operand(op, 0)) != 0)
                continue;
            done[other] = true;
            size_t used = strlen(out);
            snprintf(out + used, n - used, "%s%s", used ? ", " : "edges: ", ag_op_operands_text(other));
        }
    }
}

/* ---- building the cgraph graph ------------------------------------------ */

/* cgraph predates const: its setters take char * but never write through them. */
static void set(void *object, const char *name, const char *value) {
    agsafeset(object, (char *)name, (char *)value, "");
}

/* A plain-text label from a file or a user (a call's or layer's title):
 * its control characters shown as '?' (text_printable), for the DOT file
 * and for Graphviz. */
static void set_printable(void *object, const char *name, const char *value) {
    strbuf text = {0};
    strbuf_append_printable(&text, value);
    char *shown = strbuf_take(&text);
    set(object, name, shown != NULL ? shown : "");
    free(shown);
}

static void set_default(Agraph_t *g, int kind, const char *name, const char *value) {
    agattr(g, kind, (char *)name, (char *)value);
}

/* Sets an HTML-like label; false when out of memory. */
static bool set_html_label(Agraph_t *g, void *object, strbuf *html) {
    char *text = strbuf_take(html);
    if (text == NULL) return false;
    char *label = agstrdup_html(g, text);
    free(text);
    if (label == NULL) return false;
    set(object, "label", label);
    agstrfree(g, label);
    return true;
}

static Agnode_t *new_node(Agraph_t *g, const char *name) {
    return agnode(g, (char *)name, 1);
}

static void apply_look(void *node, role r) {
    set(node, "fillcolor", looks[r].fill);
    set(node, "color", looks[r].border);
    set(node, "style", looks[r].style);
    set(node, "shape", looks[r].shape);
}

/* The rows of a variable's label: name, value, gradient, each its own row
 * with a rule between so they cannot be misread as one number. */
void viz_var_label_html(strbuf *html, ag_var *v, role r, const viz_graph_opts *o) {
    char value[LABEL_LEN];
    int rows = 0;
    strbuf_append(html, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\""
                           " CELLPADDING=\"2\">");
    if (r == ROLE_SEED) { /* said in words, not only by colour */
        strbuf_append(html, "<TR><TD><FONT COLOR=\"#B71C1C\"><B>seed</B> dy/dy</FONT></TD></TR>");
        rows++;
    }
    const char *name = viz_var_name(o, v);
    if (name[0] != '\0') {
        strbuf_append(html, rows ? "<HR/><TR><TD><B>" : "<TR><TD><B>");
        strbuf_append_html(html, name);
        strbuf_append(html, "</B></TD></TR>");
        rows++;
    }
    if (o->values) {
        viz_format_value(v, o->digits, value, sizeof value);
        strbuf_append(html, rows ? "<HR/><TR><TD>" : "<TR><TD>");
        strbuf_append_html(html, value);
        strbuf_append(html, "</TD></TR>");
        rows++;
    }
    ag_var *grad = ag_grad(v);
    if (o->grads && !(ag_var_flags(v) & AG_VAR_CONST)) {
        strbuf_append(html, rows ? "<HR/><TR><TD>" : "<TR><TD>");
        const double *flow = o->kept_only ? NULL : ag_last_grad(v);
        if (grad == NULL && flow != NULL) { /* passed by the last backward, not kept */
            viz_format_numbers(v, flow, o->digits, value, sizeof value);
            strbuf_append(html, "<FONT COLOR=\"#00695C\"><I>grad⁺ ");
            strbuf_append_html(html, value);
            strbuf_append(html, "</I></FONT>");
        } else if (grad == NULL) {
            strbuf_append(html, "<FONT COLOR=\"#616161\"><I>grad: none</I></FONT>");
        } else {
            viz_format_value(grad, o->digits, value, sizeof value);
            strbuf_append(html, "<FONT COLOR=\"#B71C1C\">grad ");
            strbuf_append_html(html, value);
            strbuf_append(html, "</FONT>");
            int calls = VIZ_SUMMED_CALLS(v);
            if (calls > 1) { /* in words too, not only by the border */
                strbuf_appendf(html, "</TD></TR><TR><TD><FONT COLOR=\"#E65100\">⚠ " VIZ_SUMMED_FMT
                                      "</FONT>",
                               calls);
            }
        }
        strbuf_append(html, "</TD></TR>");
        rows++;
    }
    const char *mark = viz_mark_of(o, v);
    if (mark != NULL) {
        strbuf_append(html, rows ? "<HR/><TR><TD>" : "<TR><TD>");
        strbuf_append(html, mark_passed(mark) ? "<FONT COLOR=\"#2E7D32\"><B>" : "<FONT COLOR=\"#C62828\"><B>");
        strbuf_append_html(html, mark);
        strbuf_append(html, "</B></FONT></TD></TR>");
        rows++;
    }
    if (rows == 0) strbuf_append(html, "<TR><TD> </TD></TR>");
    strbuf_append(html, "</TABLE>");
}

static bool label_var(Agraph_t *g, Agnode_t *node, ag_var *v, role r, const viz_graph_opts *o) {
    strbuf html = {0};
    viz_var_label_html(&html, v, r, o);
    return set_html_label(g, node, &html);
}

/* A function's label; the one backward is processing (step-through) keeps
 * the same text, so its box has the size the kept layout gave it (its
 * incoming arrow stays clear of the label): its colours and thick border
 * mark it, and the legend says "in progress". */
static bool label_func(Agnode_t *node, ag_func *f) {
    char label[LABEL_LEN];
    ag_func_label(f, label, sizeof label);
    set(node, "label", label);
    return true;
}

/* Appends a legend entry's text: "\\n" in the looks is a line break. */
static void append_legend_text(strbuf *html, const char *text) {
    for (const char *c = text; *c; c++) {
        if (c[0] == '\\' && c[1] == 'n') {
            strbuf_append(html, "<BR/>");
            c++;
        } else {
            char one[2] = {*c, '\0'};
            strbuf_append_html(html, one);
        }
    }
}

/* The legend: one node, "legend" over two rows with an entry per role that
 * appears in this drawing (in its colours), the edge labels present last.  Two rows are no taller than a variable's box,
 * so beside the inputs (it has no edges: it sits on the top rank) it makes
 * the picture neither taller nor much wider.  An entry `blank` keeps its
 * room, drawn white on white: a window's drawing keeps room for "in progress"
 * and grad⁺ (below), which said "in progress" with no step running.  False
 * when out of memory. */
static bool add_legend(Agraph_t *g, const bool present[ROLE_COUNT], const bool blank[ROLE_COUNT],
                       const char *operands) {
    static const role order[] = {ROLE_LEAF, ROLE_PARAM, ROLE_CONST, ROLE_FUNC, ROLE_ACTIVE,
                                 ROLE_INTERMEDIATE, ROLE_BACKWARD, ROLE_OUTPUT, ROLE_CUT, ROLE_SEED,
                                 ROLE_BOX, ROLE_GROUP, ROLE_FLOW, ROLE_SUMMED, ROLE_MARKED};
    enum { ORDER = sizeof order / sizeof order[0] };
    const role *shown[ORDER + 1];
    int count = 0;
    for (int i = 0; i < ORDER; i++)
        if (present[order[i]]) shown[count++] = &order[i];
    int total = count + (operands != NULL);
    /* the rows split where their widths (in characters of the widest line
     * of each entry, plus a cell's margin) are closest */
    int width[ORDER + 1], all = 0;
    for (int i = 0; i < total; i++) {
        const char *text = i == count ? operands : looks[*shown[i]].legend;
        int longest = 0, line = 0;
        for (const char *c = text; *c; c++) {
            if (c[0] == '\\' && c[1] == 'n') line = 0, c++;
            else if ((*c & 0xC0) != 0x80 && ++line > longest) longest = line;
        }
        all += width[i] = longest + 2;
    }
    int first_row = 0, best = all + 1;
    for (int split = 0, sum = 0; split <= total; sum += split < total ? width[split] : 0, split++) {
        int widest = sum > all - sum ? sum : all - sum;
        if (widest < best) best = widest, first_row = split;
    }
    /* each row a table of its own, so a long entry widens no column of the other */
    strbuf html = {0};
    strbuf_append(&html, "<TABLE BORDER=\"1\" COLOR=\"#BDBDBD\" CELLBORDER=\"0\" CELLSPACING=\"0\""
                         " CELLPADDING=\"1\">");
    strbuf_append(&html, "<TR><TD><B>legend</B></TD></TR>");
    for (int row = 0; row < 2; row++) {
        strbuf_append(&html, "<TR>");
        strbuf_append(&html, "<TD ALIGN=\"LEFT\"><TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"2\""
                             " CELLPADDING=\"1\"><TR>");
        int from = row == 0 ? 0 : first_row, to = row == 0 ? first_row : total;
        if (from == to) strbuf_append(&html, "<TD BORDER=\"0\"></TD>");
        for (int i = from; i < to; i++) {
            if (i == count) { /* the edge labels present, as plain text */
                strbuf_append(&html, "<TD BORDER=\"0\"><FONT COLOR=\"#6A1B9A\">");
                strbuf_append_html(&html, operands);
                strbuf_append(&html, "</FONT></TD>");
            } else if (*shown[i] == ROLE_FLOW) {
                strbuf_appendf(&html, "<TD BORDER=\"0\"><FONT COLOR=\"%s\"><I>",
                               blank[ROLE_FLOW] ? "white" : looks[ROLE_FLOW].border);
                append_legend_text(&html, looks[ROLE_FLOW].legend);
                strbuf_append(&html, "</I></FONT></TD>");
            } else {
                role r = *shown[i];
                bool bold = r == ROLE_SUMMED || r == ROLE_MARKED || r == ROLE_OUTPUT || r == ROLE_ACTIVE ||
                            r == ROLE_BOX;
                strbuf_appendf(&html, "<TD BGCOLOR=\"%s\" COLOR=\"%s\"%s>%s", blank[r] ? "white" : looks[r].fill,
                               blank[r] ? "white" : looks[r].border, bold ? " BORDER=\"2\"" : "",
                               blank[r] ? "<FONT COLOR=\"white\">" : "");
                append_legend_text(&html, looks[r].legend);
                strbuf_append(&html, blank[r] ? "</FONT></TD>" : "</TD>");
            }
        }
        strbuf_append(&html, "</TR></TABLE></TD></TR>");
    }
    strbuf_append(&html, "</TABLE>");
    /* in a cluster of its own (no frame): dot's layout of a graph with a
     * cluster is twice as fast here (a 200-node graph with long edges: 0.8 s
     * instead of 1.6 s), as with the legend before it was one node */
    Agraph_t *frame = agsubg(g, "cluster_legend", 1);
    if (frame == NULL) {
        free(strbuf_take(&html));
        return false;
    }
    set(frame, "peripheries", "0");
    set(frame, "margin", "0");
    set(frame, "label", ""); /* not the graph's title (a cluster inherits it) */
    Agnode_t *node = new_node(frame, "legend");
    if (node == NULL) {
        free(strbuf_take(&html));
        return false;
    }
    set(node, "shape", "plaintext");
    set(node, "fontsize", "11");
    set(node, "margin", "0");
    return set_html_label(g, node, &html);
}

layout_cost viz_layout_cost(const viz_walk *w) {
    if (viz_estimate_virtual_nodes(w) > VIRTUAL_NODE_BUDGET) return LAYOUT_LONG_EDGES;
    return w->ndrawn > BIG_GRAPH_NODES ? LAYOUT_BIG : LAYOUT_FULL;
}

static void set_graph_attributes(Agraph_t *g, const viz_graph_opts *o, layout_cost cost, bool folded) {
    const char *rankdir = o->rankdir && o->rankdir[0] ? o->rankdir : "TB";
    set_default(g, AGRAPH, "rankdir", rankdir);
    /* A measured pitfall: network simplex can run for minutes on graphs
     * with many long edges, and grows fast with the nodes: a big or costly
     * graph drops it to 0 (see VIRTUAL_NODE_BUDGET, BIG_GRAPH_NODES). */
    set_default(g, AGRAPH, "nslimit", cost == LAYOUT_FULL ? "1" : "0");
    set_default(g, AGRAPH, "nslimit1", "1");
    if (cost == LAYOUT_LONG_EDGES) set_default(g, AGRAPH, "splines", "line");
    /* inputs left to right in argument order, so a - b and a / b read right;
     * with folded boxes only on the nodes where order matters (build_graph):
     * on the whole graph it tangles the edges into the boxes of an LSTM's
     * steps, each reading the data, the weights and the step before */
    if (!folded) set_default(g, AGRAPH, "ordering", "in");
    /* Drawn at 100 % (times :zoom), so node text (14 pt) stays ~19 px high: a
     * big graph makes a big image, scaled down only beyond VIZ_MAX_IMAGE_PX a side. */
    double dpi = o->zoom > 0 ? VIZ_DPI * o->zoom : VIZ_DPI;
    char size[32];
    snprintf(size, sizeof size, "%g,%g", VIZ_MAX_IMAGE_PX / dpi, VIZ_MAX_IMAGE_PX / dpi);
    set_default(g, AGRAPH, "size", size);
    snprintf(size, sizeof size, "%g", dpi);
    set_default(g, AGRAPH, "dpi", size);
    set_default(g, AGRAPH, "fontname", "DejaVu Sans");
    set_default(g, AGRAPH, "fontsize", "18");
    set_default(g, AGRAPH, "bgcolor", "white");
    set_default(g, AGRAPH, "pad", "0.2");
    set_default(g, AGRAPH, "nodesep", "0.3");
    set_default(g, AGRAPH, "ranksep", "0.35");
    if (o->title && o->title[0]) {
        /* backslashes are escapes in Graphviz labels; keep the user's literally */
        strbuf title = {0};
        strbuf printable = {0};
        strbuf_append_printable(&printable, o->title); /* control characters as '?' */
        for (const char *c = printable.data != NULL ? printable.data : ""; *c; c++) {
            char one[2] = {*c, '\0'};
            strbuf_append(&title, *c == '\\' ? "\\\\" : one);
        }
        free(strbuf_take(&printable));
        char *text = strbuf_take(&title);
        if (text != NULL) {
            set_default(g, AGRAPH, "label", text);
            set_default(g, AGRAPH, "labelloc", "t");
            free(text);
        }
    }
    set_default(g, AGNODE, "fontname", "DejaVu Sans");
    set_default(g, AGNODE, "fontsize", "14");
    set_default(g, AGNODE, "margin", "0.1,0.04");
    set_default(g, AGNODE, "height", "0.3");
    set_default(g, AGEDGE, "color", "#424242");
    set_default(g, AGEDGE, "arrowsize", "0.7");
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows of a folded box of a layer's parameters (after its title): the
 * parameters' names inside the layer in order, three to a row, and how many
 * numbers they hold. */
static void params_label_html(strbuf *html, const viz_walk *w, size_t group, const viz_graph_opts *o) {
    strbuf_append(html, "</B></TD></TR>");
    size_t prefix = strlen(viz_group_title(w, o, group)) - strlen(" parameters") + 1; /* and the dot */
    size_t count = 0;
    long numbers = 0;
    for (size_t i = 0; i < w->nvars; i++) count += w->var_group[i] == (int)group;
    char **names = calloc(count ? count : 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < w->nvars && names != NULL; i++) {
        if (w->var_group[i] != (int)group) continue;
        const char *name = viz_var_name(o, w->vars[i]); /* the path, in a buffer reused by the next */
        if ((names[n] = strdup(strlen(name) > prefix ? name + prefix : name)) == NULL) {
            html->failed = true;
            break;
        }
        n++;
        numbers += (long)ag_size(w->vars[i]);
    }
    if (names == NULL) html->failed = true;
    if (n > 1) qsort(names, n, sizeof *names, compare_names);
    for (size_t k = 0; k < n; k++) {
        strbuf_append(html, k % 3 == 0 ? (k ? "</FONT></TD></TR><TR><TD><FONT COLOR=\"#BF360C\">"
                                             : "<TR><TD><FONT COLOR=\"#BF360C\">")
                                       : ", ");
        strbuf_append_html(html, names[k]);
        free(names[k]);
    }
    free(names);
    if (n > 0) strbuf_append(html, "</FONT></TD></TR>");
    strbuf_appendf(html, "<TR><TD>%zu parameters, %ld numbers</TD></TR></TABLE>", count, numbers);
}

/* The parameters folded into a layer's box (its w and b; a whole graph
 * draws them beside its ops), two to a row: the name inside the layer and
 * the first numbers of its gradient (of its value when gradients are not
 * drawn), in the colours their own boxes have.  A row for both, not one
 * each: each row made the projector's folded MLP too tall to show whole
 * (tests/suites/window_scale_test.sh). */
#define BOX_PARAM_NUMBERS 2 /* numbers of each shown before "…" */
#define BOX_PARAMS_A_ROW 2

/* The first BOX_PARAM_NUMBERS of data (v's size of them) and "…" past them. */
static void param_preview(strbuf *html, const ag_var *v, const double *data, int digits) {
    char number[AG_NUMBUF];
    size_t size = ag_size(v), shown = size < BOX_PARAM_NUMBERS ? size : BOX_PARAM_NUMBERS;
    int element_digits = digits > 0 ? digits : size == 1 ? 0 : PREVIEW_DIGITS;
    for (size_t i = 0; i < shown; i++) {
        strbuf_append(html, i ? " " : "");
        strbuf_append_html(html, ag_format_display(data[i], element_digits, number));
    }
    if (shown < size) strbuf_append(html, " …");
}

static void params_rows_html(strbuf *html, const viz_walk *w, size_t group, const viz_graph_opts *o) {
    const char *title = viz_group_title(w, o, group);
    size_t prefix = strlen(title);
    int in_row = 0;
    for (size_t i = 0; i < w->nvars; i++) {
        if (viz_walk_var_folded(w, i) != (int)group || viz_var_role(w, i) != ROLE_PARAM) continue;
        ag_var *v = w->vars[i];
        const char *name = viz_var_name(o, v); /* "m.linear[0].w": "w" inside m.linear[0] */
        if (prefix > 0 && strncmp(name, title, prefix) == 0 && name[prefix] == '.') name += prefix + 1;
        strbuf_append(html, in_row == 0 ? "<TR><TD>" : "  ");
        strbuf_append(html, "<FONT COLOR=\"#BF360C\"><B>");
        strbuf_append_html(html, name[0] != '\0' ? name : "parameter");
        strbuf_append(html, "</B></FONT> ");
        if (!o->grads) {
            param_preview(html, v, ag_cdata(v), o->digits);
        } else if (ag_grad(v) != NULL) {
            strbuf_append(html, "<FONT COLOR=\"#B71C1C\">grad ");
            param_preview(html, ag_grad(v), ag_cdata(ag_grad(v)), o->digits);
            strbuf_append(html, "</FONT>");
        } else {
            strbuf_append(html, "<FONT COLOR=\"#616161\"><I>grad: none</I></FONT>");
        }
        if (++in_row == BOX_PARAMS_A_ROW) {
            strbuf_append(html, "</TD></TR>");
            in_row = 0;
        }
    }
    if (in_row > 0) strbuf_append(html, "</TD></TR>");
}

#define BOX_OP_CHARS 8     /* longer op labels are listed by name in a box */
#define BOX_OP_KINDS 6     /* distinct ops a box lists before "…" (an LSTM step has six) */
#define BOX_LABELS_SEEN 16 /* distinct ops looked for: past this many, there are more */

/* A folded group's box: its title, the ops inside, the names of its
 * inputs, and the value and gradient of what leaves it. */
void viz_box_label_html(strbuf *html, const viz_walk *w, size_t group, const viz_graph_opts *o) {
    strbuf_append(html, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\">"
                         "<TR><TD><B>");
    strbuf_append_html(html, viz_group_title(w, o, group));
    if (viz_group_is_params(w, group)) {
        params_label_html(html, w, group, o);
        return;
    }
    strbuf_append(html, "</B></TD></TR><TR><TD><FONT COLOR=\"#4527A0\">");
    /* what the layer is when its ops do not say it (a conv layer's are a
     * Linear and reshapes), then the distinct ops from the input on: the
     * walk meets them from the output, so they are kept in that order and
     * listed backwards, the first BOX_OP_KINDS and "…" for the rest */
    const char *kind = viz_group_kind(w, group);
    if (kind != NULL) {
        strbuf_append_html(html, kind);
        strbuf_append(html, ": ");
    }
    char labels[BOX_LABELS_SEEN][LABEL_LEN];
    int nlabels = 0, nfuncs = 0;
    bool more = false; /* kinds beyond those in labels */
    for (size_t i = 0; i < w->nfuncs; i++) {
        if (w->func_group[i] != (int)group) continue;
        nfuncs++;
        /* a short label keeps its argument (Pow(2)), a long one is its
         * name (GetItem(axis=0), Reshape([200 1])): a box is as wide as its
         * widest row, and an LSTM step lists six ops */
        char label[LABEL_LEN];
        ag_func_label(w->funcs[i], label, sizeof label);
        if (strlen(label) > BOX_OP_CHARS && ag_func_name(w->funcs[i]) != NULL)
            snprintf(label, sizeof label, "%s", ag_func_name(w->funcs[i]));
        bool seen = false;
        for (int k = 0; k < nlabels && !seen; k++) seen = strcmp(labels[k], label) == 0;
        if (seen) continue;
        if (nlabels < BOX_LABELS_SEEN)
            snprintf(labels[nlabels++], LABEL_LEN, "%s", label);
        else
            more = true;
    }
    int listed = 0;
    for (int k = nlabels; k-- > 0 && listed < BOX_OP_KINDS; listed++) {
        if (listed > 0) strbuf_append(html, ", ");
        strbuf_append_html(html, labels[k]);
    }
    if (more || nlabels > BOX_OP_KINDS) strbuf_append(html, ", …");
    strbuf_appendf(html, " (%d op%s)</FONT></TD></TR>", nfuncs, nfuncs == 1 ? "" : "s");
    /* a conv or pooling layer's window: its kernel (and stride, padding) from the
     * Im2col or MaxPool2d inside, which the ops row names only */
    for (size_t i = 0; i < w->nfuncs; i++) {
        int op = ag_func_op(w->funcs[i]);
        if (w->func_group[i] != (int)group || (op != AG_OP_IM2COL && op != AG_OP_MAX_POOL2D)) continue;
        char label[LABEL_LEN];
        ag_func_label(w->funcs[i], label, sizeof label);
        const char *open = strchr(label, '(');
        size_t len = strlen(label);
        if (open == NULL || len < 2 || label[len - 1] != ')') break;
        label[len - 1] = '\0';
        strbuf_append(html, "<TR><TD>");
        strbuf_append_html(html, open + 1);
        strbuf_append(html, "</TD></TR>");
        break;
    }
    params_rows_html(html, w, group, o);
    char value[LABEL_LEN];
    /* what leaves the box: the variables its functions made that a
     * function outside reads (or the output) */
    int shown = 0;
    for (size_t i = 0; i < w->nvars && shown < 2; i++) {
        if (viz_walk_var_folded(w, i) != (int)group && !(i == 0 && ag_creator(w->vars[0]) &&
                                                          w->func_group[viz_walk_find(w, ag_creator(w->vars[0]))] == (int)group))
            continue;
        bool leaves = i == 0;
        for (size_t f = 0; f < w->nfuncs && !leaves; f++) {
            if (w->func_group[f] == (int)group) continue;
            for (int k = 0; k < ag_func_ninputs(w->funcs[f]) && !leaves; k++)
                leaves = ag_func_input(w->funcs[f], k) == w->vars[i];
        }
        if (!leaves) continue;
        shown++;
        ag_var *v = w->vars[i];
        if (o->values) {
            viz_format_value(v, o->digits, value, sizeof value);
            strbuf_append(html, "<HR/><TR><TD>out ");
            strbuf_append_html(html, value);
            strbuf_append(html, "</TD></TR>");
        }
        if (o->grads) {
            const double *flow = o->kept_only ? NULL : ag_last_grad(v);
            if (ag_grad(v) != NULL) {
                viz_format_value(ag_grad(v), o->digits, value, sizeof value);
                strbuf_append(html, "<TR><TD><FONT COLOR=\"#B71C1C\">grad ");
            } else if (flow != NULL) {
                viz_format_numbers(v, flow, o->digits, value, sizeof value);
                strbuf_append(html, "<TR><TD><FONT COLOR=\"#00695C\"><I>grad⁺ ");
            } else {
                snprintf(value, sizeof value, "none");
                strbuf_append(html, "<TR><TD><FONT COLOR=\"#616161\"><I>grad: ");
            }
            strbuf_append_html(html, value);
            strbuf_append(html, ag_grad(v) != NULL ? "</FONT></TD></TR>" : "</I></FONT></TD></TR>");
        }
    }
    strbuf_append(html, "</TABLE>");
}

static bool label_box(Agraph_t *g, Agnode_t *node, const viz_walk *w, size_t group,
                      const viz_graph_opts *o) {
    strbuf html = {0};
    viz_box_label_html(&html, w, group, o);
    return set_html_label(g, node, &html);
}

/* Which parameters are drawn beside the op that reads them (plan_params_beside,
 * below): beside[v] is the function (index into w->funcs) variable v is drawn
 * beside, or -1; right[v] when right of it. */
typedef struct params_plan {
    long *beside;
    bool *right;
} params_plan;

typedef struct edge_builder {
    Agraph_t *g;
    Agnode_t **nodes;
    bool *operand_named; /* per op: an edge showed one of its input names */
    const viz_walk *w;
    const params_plan *plan; /* parameters drawn right of their op: edges made backwards */
} edge_builder;

static bool add_edge(void *user, size_t from, size_t to, const char *operand) {
    edge_builder *b = user;
    bool back = from < b->w->nvars && to >= b->w->nvars && to < b->w->nvars + b->w->nfuncs &&
                b->plan->right[from] && b->plan->beside[from] == (long)(to - b->w->nvars);
    Agedge_t *e = back ? agedge(b->g, b->nodes[to], b->nodes[from], NULL, 1)
                       : agedge(b->g, b->nodes[from], b->nodes[to], NULL, 1);
    if (e == NULL) return false;
    if (back) set(e, "dir", "back");
    if (operand != NULL) {
        mark_operand(b->operand_named, operand);
        set(e, "label", operand);
        set(e, "fontname", "DejaVu Sans");
        set(e, "fontsize", "12");
        set(e, "fontcolor", "#6A1B9A");
    }
    return true;
}

/* A view of a folded box's output (the target wave[[i + 1]] a loss reads
 * of the data box) is drawn beside what reads it rather than in a row under
 * the box: its edges to its result and on to the readers weigh more, so
 * Graphviz shortens them and lets the one from the box grow.  In a row,
 * the five targets of the 5-step LSTM lesson made the picture 350 px wider. */
static void keep_views_near_readers(const viz_walk *w, Agnode_t **nodes) {
    for (size_t f = 0; f < w->nfuncs; f++) {
        ag_func *fn = w->funcs[f];
        if (viz_walk_func_folded(w, f) >= 0 || !viz_op_is_view(ag_func_op(fn)) || ag_func_ninputs(fn) != 1 ||
            ag_func_noutputs(fn) != 1)
            continue;
        size_t in = viz_walk_input(w, f, 0);
        size_t out = ag_func_output(fn, 0) != NULL ? viz_walk_find(w, ag_func_output(fn, 0)) : VIZ_NOT_DRAWN;
        if (in == VIZ_NOT_DRAWN || out == VIZ_NOT_DRAWN || viz_walk_var_folded(w, in) < 0 ||
            viz_walk_var_folded(w, out) >= 0)
            continue;
        Agnode_t *view = nodes[w->nvars + f], *result = nodes[out];
        for (Agedge_t *e = agfstout(agraphof(view), view); e != NULL; e = agnxtout(agraphof(view), e))
            set(e, "weight", "8");
        for (Agedge_t *e = agfstout(agraphof(result), result); e != NULL; e = agnxtout(agraphof(result), e))
            set(e, "weight", "8");
    }
}

/* A layer's parameters (its w and b) are drawn on the rank of the op that
 * reads them, beside it.  dot puts a source on the rank just above its
 * reader, which is the rank of the previous layer's output: each layer's
 * frame then shared a rank with the frame before it and was pushed
 * sideways, and mlp([2, 8, 1]) drew as a staircase 3497 x 1680 px; with
 * the parameters beside each Linear it reads down the page, 1602 x 1792 px
 * (test_mlp_whole_reads_down).  Only a parameter that one op reads, when
 * that op also reads something else (the data it is beside), and in the
 * op's frame: dot keeps a rank=same subgraph inside one cluster.  Weights
 * several ops share stay where dot puts them.
 *
 * dot puts a flat edge's tail left of its head, so w and b both went left
 * of their Linear and b's edge arched over w and out of the frame, through
 * its title.  The last of two or more is therefore drawn right of the op:
 * its edge is made from the op to it, drawn backwards (dir=back: the
 * arrowhead still at the op).  Whoever reads the edges as inputs (the
 * window's scene, graph_scene.c; our layered layout) takes dir=back into
 * account.
 *
 * The plan (params_plan, above), made before the edges. */
static bool plan_params_beside(const viz_walk *w, params_plan *plan) {
    enum { SEVERAL = -2, NONE = -1 };
    size_t n = w->nvars ? w->nvars : 1;
    long *reader = malloc(n * sizeof *reader); /* per variable: its one reader */
    plan->beside = malloc(n * sizeof *plan->beside);
    plan->right = calloc(n, sizeof *plan->right);
    if (reader == NULL || plan->beside == NULL || plan->right == NULL) {
        free(reader);
        return false;
    }
    for (size_t i = 0; i < w->nvars; i++) reader[i] = NONE, plan->beside[i] = -1;
    for (size_t f = 0; f < w->nfuncs; f++) {
        if (viz_walk_func_folded(w, f) >= 0) continue;
        for (int k = 0; k < ag_func_ninputs(w->funcs[f]); k++) {
            size_t v = viz_walk_input(w, f, k);
            if (v != VIZ_NOT_DRAWN) reader[v] = reader[v] == NONE || reader[v] == (long)f ? (long)f : SEVERAL;
        }
    }
    for (size_t b = 0; b < w->ngroups; b++) { /* a folded box reads it too */
        if (!w->group_folded[b]) continue;
        for (size_t j = w->inputs_start[b]; j < w->inputs_start[b + 1]; j++) reader[w->group_inputs[j]] = SEVERAL;
    }
    for (size_t f = 0; f < w->nfuncs; f++) {
        if (viz_walk_func_folded(w, f) >= 0) continue;
        ag_func *fn = w->funcs[f];
        bool data = false;
        for (int k = 0; k < ag_func_ninputs(fn); k++) {
            size_t v = viz_walk_input(w, f, k);
            data |= v != VIZ_NOT_DRAWN && viz_var_role(w, v) != ROLE_PARAM;
        }
        int frame = w->func_group != NULL ? w->func_group[f] : -1;
        size_t last = VIZ_NOT_DRAWN;
        int count = 0;
        for (int k = 0; data && k < ag_func_ninputs(fn); k++) {
            size_t v = viz_walk_input(w, f, k);
            if (v == VIZ_NOT_DRAWN || reader[v] != (long)f || viz_var_role(w, v) != ROLE_PARAM ||
                (w->var_group != NULL ? w->var_group[v] : -1) != frame || plan->beside[v] >= 0)
                continue;
            plan->beside[v] = (long)f;
            last = v;
            count++;
        }
        if (count >= 2) plan->right[last] = true;
    }
    free(reader);
    return true;
}

static void free_params_plan(params_plan *plan) {
    free(plan->beside);
    free(plan->right);
}

/* The plan's rank=same subgraphs, one per op (found again by its name),
 * in the op's frame (made before this): the op, then its parameters. */
static bool params_beside_readers(Agraph_t *g, const viz_walk *w, Agnode_t **nodes, const params_plan *plan) {
    char name[48];
    for (size_t v = 0; v < w->nvars; v++) {
        if (plan->beside[v] < 0 || nodes[v] == NULL) continue;
        size_t f = (size_t)plan->beside[v];
        int frame = w->func_group != NULL ? w->func_group[f] : -1;
        snprintf(name, sizeof name, "cluster_group%d", frame);
        Agraph_t *parent = frame >= 0 ? agsubg(g, name, 0) : g;
        if (parent == NULL) continue;
        snprintf(name, sizeof name, "rank_f%zu", f);
        Agraph_t *rank = agsubg(parent, name, 1);
        if (rank == NULL) return false;
        set(rank, "rank", "same");
        agsubnode(rank, nodes[w->nvars + f], 1);
        agsubnode(rank, nodes[v], 1);
    }
    return true;
}

/* Step-through: the edges of the function in progress (or of the folded
 * box it is in) carry this step's gradient, from its output back to its
 * inputs: drawn in the colour of "in progress", thicker.  Only colours and
 * widths change, so the layout stays. */
static void mark_active_edges(Agraph_t *g, const viz_walk *w, Agnode_t **nodes, const ag_func *active) {
    Agnode_t *node = NULL;
    for (size_t i = 0; i < w->nfuncs && node == NULL; i++) {
        if (w->funcs[i] != active) continue;
        int box = viz_walk_func_folded(w, i);
        node = box >= 0 ? nodes[w->nvars + w->nfuncs + (size_t)box] : nodes[w->nvars + i];
    }
    if (node == NULL) return;
    for (Agedge_t *e = agfstin(g, node); e != NULL; e = agnxtin(g, e)) {
        set(e, "color", looks[ROLE_ACTIVE].border);
        set(e, "penwidth", "3");
    }
    for (Agedge_t *e = agfstout(g, node); e != NULL; e = agnxtout(g, e)) {
        set(e, "color", looks[ROLE_ACTIVE].border);
        set(e, "penwidth", "3");
    }
}

Agraph_t *viz_build_graph(const viz_walk *w, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
#ifdef __EMSCRIPTEN__
    Agraph_t *g = agopen("g", Agdirected, NULL);
#else
    Agraph_t *g = viz_graph_open("g");
#endif
    size_t boxes = w->nvars + w->nfuncs, total = boxes + w->ngroups + w->nvars;
    Agnode_t **nodes = calloc(total ? total : 1, sizeof *nodes);
    bool ok = g != NULL && nodes != NULL;
    bool present[ROLE_COUNT] = {false};
    bool operand_named[AG_OP_COUNT] = {false};
    bool flows = false;
    char name[48];
    bool any_folded = false;
    for (size_t b = 0; b < w->ngroups; b++) any_folded |= w->group_folded[b];
    if (ok) set_graph_attributes(g, o, viz_layout_cost(w), any_folded);
    /* After any layout gvc declares this default globally, and agwrite then
     * prints it: declare it always so DOT text never depends on history. */
    if (ok) set_default(g, AGNODE, "label", "\\N");
    for (size_t i = 0; ok && i < w->nvars; i++) {
        if (viz_walk_var_folded(w, i) >= 0) continue;
        snprintf(name, sizeof name, "v%zu", i);
        Agnode_t *node = nodes[i] = new_node(g, name);
        role r = viz_var_role(w, i);
        present[r] = true;
        ok = node != NULL && label_var(g, node, w->vars[i], r, o);
        if (!ok) break;
        apply_look(node, r);
        if (o->grads && !o->kept_only && ag_grad(w->vars[i]) == NULL && ag_last_grad(w->vars[i]) != NULL &&
            !(ag_var_flags(w->vars[i]) & AG_VAR_CONST))
            flows = true;
        if (ag_var_flags(w->vars[i]) & AG_VAR_BACKWARD) {
            set(node, "style", looks[ROLE_BACKWARD].style);
            present[ROLE_BACKWARD] = true;
        }
        if (r == ROLE_CONST) {
            set(node, "fontsize", "11");
            set(node, "width", "0.3");
        }
        if (r == ROLE_OUTPUT) set(node, "penwidth", "2");
        if (o->grads && VIZ_SUMMED_CALLS(w->vars[i]) > 1) {
            set(node, "color", looks[ROLE_SUMMED].border);
            set(node, "penwidth", SUMMED_PENWIDTH);
            present[ROLE_SUMMED] = true;
        }
        if (viz_mark_of(o, w->vars[i]) != NULL && !mark_passed(viz_mark_of(o, w->vars[i]))) {
            set(node, "color", looks[ROLE_MARKED].border);
            set(node, "penwidth", SUMMED_PENWIDTH);
            present[ROLE_MARKED] = true;
        }
    }
    for (size_t i = 0; ok && i < w->nfuncs; i++) {
        if (viz_walk_func_folded(w, i) >= 0) continue;
        snprintf(name, sizeof name, "f%zu", i);
        Agnode_t *node = nodes[w->nvars + i] = new_node(g, name);
        bool active = o->active != NULL && w->funcs[i] == o->active;
        role r = active ? ROLE_ACTIVE : ROLE_FUNC;
        present[r] = true;
        ok = node != NULL && label_func(node, w->funcs[i]);
        if (!ok) break;
        apply_look(node, r);
        if (any_folded && viz_operand_role(w->funcs[i], 0) != NULL) set(node, "ordering", "in");
        if (active) set(node, "penwidth", "3");
    }
    for (size_t b = 0; ok && b < w->ngroups; b++) {
        if (!w->group_folded[b]) continue;
        snprintf(name, sizeof name, "box%zu", b);
        Agnode_t *node = nodes[boxes + b] = new_node(g, name);
        ok = node != NULL && label_box(g, node, w, b, o);
        if (!ok) break;
        apply_look(node, ROLE_BOX);
        set(node, "penwidth", "2");
        if (viz_group_is_params(w, b)) { /* a layer's parameters: their colours */
            set(node, "fillcolor", looks[ROLE_PARAM].fill);
            set(node, "color", looks[ROLE_PARAM].border);
            present[ROLE_PARAM] = true;
        }

        present[ROLE_BOX] = true;
        /* the active function hidden in a box: the box is in progress */
        for (size_t i = 0; o->active != NULL && i < w->nfuncs; i++)
            if (w->funcs[i] == o->active && w->func_group[i] == (int)b) {
                set(node, "color", looks[ROLE_ACTIVE].border);
                set(node, "penwidth", "3");
                present[ROLE_ACTIVE] = true;
            }
    }
    for (size_t i = 0; ok && i < w->nvars; i++) {
        if (!w->cut[i]) continue;
        snprintf(name, sizeof name, "cut%zu", i);
        Agnode_t *marker = nodes[boxes + w->ngroups + i] = new_node(g, name);
        ok = marker != NULL;
        if (!ok) break;
        present[ROLE_CUT] = true;
        apply_look(marker, ROLE_CUT);
        set(marker, "label", "…");
        set(marker, "fontsize", "12");
        set(marker, "fontcolor", "#616161");
        set(marker, "width", "0.3");
        set(marker, "height", "0.2");
    }
    /* One edge per input slot (x*x draws two: anonymous edges in a non-strict
     * graph are never merged), then one per output; a box's once per reader. */
    params_plan plan = {0};
    ok = ok && plan_params_beside(w, &plan);
    edge_builder builder = {g, nodes, operand_named, w, &plan};
    if (ok) ok = viz_walk_each_edge(w, add_edge, &builder);
    if (ok) keep_views_near_readers(w, nodes);
    if (ok && o->active != NULL) mark_active_edges(g, w, nodes, o->active);
    for (size_t i = 0; ok && i < w->nvars; i++) { /* cut markers' edges look cut */
        if (!w->cut[i]) continue;
        Agedge_t *e = agfstin(g, nodes[i]);
        for (; e != NULL; e = agnxtin(g, e))
            if (agtail(e) == nodes[boxes + w->ngroups + i]) {
                set(e, "style", "dashed");
                set(e, "color", "#9E9E9E");
            }
    }
    /* groups drawn whole: a cluster each, titled with the call or layer */
    for (size_t b = 0; ok && b < w->ngroups; b++) {
        if (w->group_folded[b]) continue;
        snprintf(name, sizeof name, "cluster_group%zu", b);
        Agraph_t *cluster = agsubg(g, name, 1);
        ok = cluster != NULL;
        if (!ok) break;
        set_printable(cluster, "label", viz_group_title(w, o, b));
        set(cluster, "style", "rounded,dashed");
        set(cluster, "color", "#4527A0");
        set(cluster, "fontcolor", "#4527A0");
        set(cluster, "fontsize", "14");
        for (size_t i = 0; i < w->nfuncs; i++)
            if (w->func_group[i] == (int)b) agsubnode(cluster, nodes[w->nvars + i], 1);
        for (size_t i = 1; i < w->nvars; i++) /* outputs, its constants and parameters */
            if (w->var_group[i] == (int)b) agsubnode(cluster, nodes[i], 1);
        present[ROLE_GROUP] = true;
    }
    if (ok) ok = params_beside_readers(g, w, nodes, &plan);
    free_params_plan(&plan);
    present[ROLE_FLOW] = flows;
    /* a window's drawings (reserve_values) keep room for what a backward's
     * steps add to the legend, "in progress" and grad⁺, as they keep room for
     * the widest numbers: stepping through never widens the picture */
    bool blank[ROLE_COUNT] = {false};
    if (o->reserve_values && o->grads && !o->kept_only && w->nfuncs > 0) {
        blank[ROLE_ACTIVE] = !present[ROLE_ACTIVE];
        blank[ROLE_FLOW] = !present[ROLE_FLOW];
        present[ROLE_ACTIVE] = present[ROLE_FLOW] = true;
    }
    char operands[256];
    operand_legend(operand_named, operands, sizeof operands);
    if (ok) ok = add_legend(g, present, blank, operands[0] ? operands : NULL);
    free(nodes);
    if (!ok) {
        snprintf(err, VIZ_ERRLEN, "out of memory while building the graph");
        if (g != NULL) agclose(g);
        return NULL;
    }
    return g;
}

Agraph_t *viz_graph_of(ag_var *y, const viz_graph_opts *o, int *nodes, int *edges, char err[VIZ_ERRLEN]) {
    viz_walk w;
    Agraph_t *g = NULL;
    if (viz_walk_build(&w, y, o, err) == 0) {
        g = viz_build_graph(&w, o, err);
        if (nodes) *nodes = (int)w.ndrawn;
        if (edges) *edges = (int)w.nedges;
    }
    viz_walk_free(&w);
    return g;
}

