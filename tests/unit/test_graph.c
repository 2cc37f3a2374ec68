/* test_graph.c — computation-graph drawing (SPEC §3 "Computation graphs"):
 * the DOT text read back with libcgraph (nodes, edges, labels, colours, the
 * legend), PNG/SVG/PDF files and in-memory PNG, the node limit and depth=,
 * and the text tree compared whole. */
#include "testutil.h"

#include <cairo.h>
#include <cgraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"


static ag_var *named(ag_var *v, const char *name) {
    ag_set_name(v, name);
    return v;
}

/* y = sin(x) + x^2 at x = 1, the spec's first example. */
static ag_var *sin_plus_square(ag_var **x_out) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    if (x_out) *x_out = x;
    return named(ag_add(ctx, ag_sin(ctx, x), ag_pow(ctx, x, 2)), "y");
}

static viz_graph_opts defaults(void) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    return o;
}

/* CPU seconds this process has used: the layout bounds below guard against
 * dot running for minutes.  CPU time holds on a loaded machine where wall
 * time does not, and each bound is a multiple of a calibration measured in
 * the same run (so the sanitizer build, slower throughout, scales too). */
static double seconds_now(void) { return process_cpu_seconds(); }

/* CPU seconds to render a PNG of y with the default options. */
static double seconds_to_render(ag_var *y) {
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    double start = seconds_now();
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    double elapsed = seconds_now() - start;
    if (png == NULL) fail_msg("viz_graph_png: %s", err);
    free(png);
    return elapsed;
}

/* ---- reading the DOT back ------------------------------------------------ */

static Agraph_t *read_dot(ag_var *y, const viz_graph_opts *o) {
    char err[VIZ_ERRLEN] = "";
    char *text = viz_graph_dot(y, o, err);
    if (text == NULL) fail_msg("viz_graph_dot: %s", err);
    Agraph_t *g = agmemread(text);
    free(text);
    assert_non_null(g);
    return g;
}

static const char *attr(void *object, const char *name) {
    const char *value = agget(object, (char *)name);
    return value ? value : "";
}

static bool is_legend(Agnode_t *n) { return strncmp(agnameof(n), "legend", 6) == 0; }

static int graph_nodes(Agraph_t *g) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) count += !is_legend(n);
    return count;
}

static int graph_edges(Agraph_t *g) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) count += !is_legend(n);
    return count;
}

/* The one graph node whose label contains text (fails on none or several). */
static Agnode_t *node_with(Agraph_t *g, const char *text) {
    Agnode_t *found = NULL;
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
        if (!is_legend(n) && strstr(attr(n, "label"), text)) {
            found = n;
            count++;
        }
    }
    if (count != 1) fail_msg("%d nodes have \"%s\" in their label", count, text);
    return found;
}

static int count_nodes_with(Agraph_t *g, const char *text) {
    int count = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        count += !is_legend(n) && strstr(attr(n, "label"), text) != NULL;
    return count;
}

static int in_degree(Agraph_t *g, Agnode_t *n) {
    int count = 0;
    for (Agedge_t *e = agfstin(g, n); e; e = agnxtin(g, e)) count++;
    return count;
}

static int out_degree(Agraph_t *g, Agnode_t *n) {
    int count = 0;
    for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) count++;
    return count;
}

/* The legend's entries in order, joined by ",": the text of each cell of
 * the legend node's tables (line breaks as "\n"), its title left out, the
 * edge labels last ("edges: ..."). */
static void legend_text(Agraph_t *g, char *out, size_t n) {
    Agnode_t *legend = agnode(g, "legend", 0);
    assert_non_null(legend);
    out[0] = '\0';
    const char *label = attr(legend, "label");
    for (const char *cell = strstr(label, "<TD"); cell != NULL; cell = strstr(cell + 1, "<TD")) {
        const char *end = strstr(cell, "</TD>");
        assert_non_null(end);
        const char *inner = strstr(cell, "<TABLE");
        if (inner != NULL && inner < end) continue; /* a row's table: its cells follow */
        char text[256] = "";
        size_t used = 0;
        bool in_tag = true; /* inside "<TD ...>" first */
        for (const char *c = cell; c < end && used + 3 < sizeof text; c++) {
            if (strncmp(c, "<BR/>", 5) == 0) {
                text[used++] = '\\';
                text[used++] = 'n';
            }
            if (*c == '<') in_tag = true;
            else if (*c == '>') in_tag = false;
            else if (!in_tag) text[used++] = *c;
        }
        text[used] = '\0';
        if (text[0] == '\0' || strcmp(text, "legend") == 0) continue;
        if (out[0]) strncat(out, ",", n - strlen(out) - 1);
        strncat(out, text, n - strlen(out) - 1);
    }
}

/* The whole text tree of y against expected. */
static void check_tree(ag_var *y, const viz_graph_opts *o, const char *expected) {
    char err[VIZ_ERRLEN] = "";
    char *text = viz_graph_tree(y, o, err);
    if (text == NULL) fail_msg("viz_graph_tree: %s", err);
    assert_string_equal(text, expected);
    free(text);
}

/* ---- DOT ------------------------------------------------------------------ */

static void test_dot_sin_plus_square(void **state) {
    ag_var *x;
    ag_var *y = sin_plus_square(&x);
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(y, &o);
    /* y, Add, sin(x), Sin, x^2, Pow(2), x; edges: 2 into Add, 1 out, 1+1 per unary op */
    assert_int_equal(graph_nodes(g), 7);
    assert_int_equal(graph_edges(g), 7);
    assert_true(agisdirected(g));
    assert_false(agisstrict(g));
    assert_string_equal(attr(node_with(g, "Sin"), "label"), "Sin");
    assert_string_equal(attr(node_with(g, "Pow(2)"), "label"), "Pow(2)");
    assert_string_equal(attr(node_with(g, "Add"), "label"), "Add");
    Agnode_t *ynode = node_with(g, "<B>y</B>");
    assert_non_null(strstr(attr(ynode, "label"), "<TD>1.8414709848078965</TD>"));
    assert_string_equal(attr(ynode, "fillcolor"), "#A5D6A7"); /* the output is green */
    Agnode_t *xnode = node_with(g, "<B>x</B>");
    assert_string_equal(attr(xnode, "fillcolor"), "#FFF59D"); /* a leaf is light yellow */
    assert_int_equal(out_degree(g, xnode), 2);                 /* into Sin and Pow(2) */
    assert_non_null(strstr(attr(node_with(g, "0.8414709848078965"), "label"), "grad: none"));
    /* before any backward nothing has a gradient, and none pretends to be 0 */
    assert_int_equal(count_nodes_with(g, "grad: none"), 4);
    assert_int_equal(count_nodes_with(g, "grad 0"), 0);
    char legend[256];
    legend_text(g, legend, sizeof legend);
    assert_string_equal(legend, "input,function,intermediate,output");
    /* the layout guards from DESIGN.md's pitfalls */
    assert_string_equal(attr(g, "nslimit"), "1");
    assert_string_equal(attr(g, "nslimit1"), "1");
    assert_string_equal(attr(g, "size"), "83.3333,83.3333"); /* VIZ_MAX_IMAGE_PX at 96 dpi */
    assert_string_equal(attr(g, "dpi"), "96");
    assert_string_equal(attr(g, "rankdir"), "TB");
    agclose(g);

    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.retain_grad = true}), 0);
    g = read_dot(y, &o);
    /* dy/dx = cos(1) + 2 */
    assert_non_null(strstr(attr(node_with(g, "<B>x</B>"), "label"), "grad 2.5403023058681398"));
    assert_non_null(strstr(attr(node_with(g, "<B>y</B>"), "label"), "grad 1<"));
    assert_int_equal(count_nodes_with(g, "grad: none"), 0);
    agclose(g);
}

static void test_dot_x_times_x_has_two_edges(void **state) {
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    ag_var *z = named(ag_mul(ctx, x, x), "z");
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(z, &o);
    assert_int_equal(graph_nodes(g), 3);
    assert_int_equal(graph_edges(g), 3);
    Agnode_t *mul = node_with(g, "Mul");
    assert_int_equal(in_degree(g, mul), 2);
    for (Agedge_t *e = agfstin(g, mul); e; e = agnxtin(g, e))
        assert_ptr_equal(agtail(e), node_with(g, "<B>x</B>"));
    agclose(g);
}

/* tanh'(x) with create_graph: upstream's cmd/dot default graph (reference §9):
 * gx ← Mul(gy, Sub(1, Mul(y, y))), y ← Tanh(x). */
static void test_dot_create_graph_tanh(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *y = named(ag_tanh(ctx, x), "y");
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.create_graph = true}), 0);
    ag_var *gx = named(ag_grad(x), "gx");
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(gx, &o);
    assert_int_equal(graph_nodes(g), 11);
    assert_int_equal(graph_edges(g), 11);
    assert_int_equal(count_nodes_with(g, "Tanh"), 1);
    assert_int_equal(count_nodes_with(g, "Sub"), 1);
    int muls = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        muls += !is_legend(n) && strcmp(attr(n, "label"), "Mul") == 0;
    assert_int_equal(muls, 2);
    /* 1 - tanh(1)^2 */
    Agnode_t *gxnode = node_with(g, "<B>gx</B>");
    assert_non_null(strstr(attr(gxnode, "label"), "0.41997434161402614"));
    assert_non_null(strstr(attr(gxnode, "style"), "dashed")); /* made by backward */
    assert_null(strstr(attr(node_with(g, "<B>y</B>"), "style"), "dashed"));
    assert_int_equal(in_degree(g, node_with(g, "Tanh")), 1);
    char legend[256];
    legend_text(g, legend, sizeof legend);
    assert_non_null(strstr(legend, "made by backward"));
    agclose(g);
}

/* The label on the edge from the variable labelled `from` into f, or "". */
static const char *edge_label(Agraph_t *g, Agnode_t *f, const char *from) {
    Agnode_t *tail = node_with(g, from);
    for (Agedge_t *e = agfstin(g, f); e; e = agnxtin(g, e))
        if (agtail(e) == tail) return attr(e, "label");
    return "";
}

/* Operand roles on the edges into non-commutative ops, listed once in the
 * legend; none on commutative ops; the seed labelled after create_graph. */
static void test_dot_operand_roles_and_seed(void **state) {
    ag_var *a = named(ag_scalar(ctx, 2.0), "a");
    ag_var *b = named(ag_scalar(ctx, 3.0), "b");
    ag_var *d = named(ag_sub(ctx, a, b), "d");
    ag_var *p = named(ag_powv(ctx, b, a), "p");
    ag_var *y = named(ag_mul(ctx, ag_div(ctx, d, p), a), "y");
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(y, &o);
    assert_string_equal(edge_label(g, node_with(g, "Sub"), "<B>a</B>"), "a");
    assert_string_equal(edge_label(g, node_with(g, "Sub"), "<B>b</B>"), "b");
    assert_string_equal(edge_label(g, node_with(g, "Pow"), "<B>b</B>"), "base");
    assert_string_equal(edge_label(g, node_with(g, "Pow"), "<B>a</B>"), "exp");
    assert_string_equal(edge_label(g, node_with(g, "Div"), "<B>d</B>"), "a");
    assert_string_equal(edge_label(g, node_with(g, "Div"), "<B>p</B>"), "b");
    assert_string_equal(edge_label(g, node_with(g, "Mul"), "<B>a</B>"), "");
    char legend[256];
    legend_text(g, legend, sizeof legend);
    assert_non_null(strstr(legend, ",edges: a − b, a / b, base ^ exp"));
    agclose(g);
    /* the names are the op list's own (ag_op_operand), not a copy kept in viz/ */
    assert_ptr_equal(viz_operand_role(ag_creator(d), 0), ag_op_operand(AG_OP_SUB, 0));
    assert_ptr_equal(viz_operand_role(ag_creator(p), 1), ag_op_operand(AG_OP_POWV, 1));
    assert_null(viz_operand_role(ag_creator(y), 0)); /* Mul: order does not matter */

    double m[4] = {1, 2, 3, 4};
    ag_var *w = named(ag_new(ctx, 2, (int[]){2, 2}, m), "w");
    ag_var *v = named(ag_new(ctx, 2, (int[]){2, 1}, m), "v");
    g = read_dot(ag_matmul(ctx, w, v), &o);
    assert_string_equal(edge_label(g, node_with(g, "MatMul"), "<B>w</B>"), "left");
    assert_string_equal(edge_label(g, node_with(g, "MatMul"), "<B>v</B>"), "right");
    agclose(g);

    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *u = named(ag_exp(ctx, x), "u");
    assert_int_equal(ag_backward(ctx, u, &(ag_backward_opts){.create_graph = true}), 0);
    assert_false(ag_var_flags(ag_grad(x)) & AG_VAR_SEED);
    g = read_dot(ag_grad(x), &o);
    assert_non_null(strstr(attr(node_with(g, "seed"), "label"), "dy/dy"));
    legend_text(g, legend, sizeof legend);
    assert_non_null(strstr(legend, "seed: dy/dy = 1"));
    assert_null(strstr(legend, "edges:"));
    agclose(g);
}

static void test_dot_roles_and_options(void **state) {
    ag_var *w = named(ag_scalar(ctx, 2.0), "w");
    ag_var_set_flags(w, AG_VAR_PARAM);
    ag_var *c = ag_scalar(ctx, 3.0);
    ag_var_set_flags(c, AG_VAR_CONST);
    ag_var *y = named(ag_mul(ctx, w, c), "y");
    viz_graph_opts o = defaults();
    o.rankdir = "LR";
    o.title = "a \"title\" & more";
    Agraph_t *g = read_dot(y, &o);
    assert_string_equal(attr(g, "rankdir"), "LR");
    assert_string_equal(attr(g, "label"), "a \"title\" & more");
    assert_string_equal(attr(node_with(g, "<B>w</B>"), "fillcolor"), "#FFB74D");
    /* a constant is small and shows its value only */
    Agnode_t *constant = node_with(g, "<TD>3</TD>");
    assert_string_equal(attr(constant, "fontsize"), "11");
    assert_null(strstr(attr(constant, "label"), "grad"));
    char legend[256];
    legend_text(g, legend, sizeof legend);
    assert_string_equal(legend, "parameter,constant,function,output");
    agclose(g);

    o = defaults();
    o.values = false;
    o.grads = false;
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "grad"), 0);
    assert_null(strstr(attr(node_with(g, "<B>y</B>"), "label"), "6"));
    agclose(g);

    o = defaults();
    o.digits = 3;
    ag_var *s = named(ag_sin(ctx, ag_scalar(ctx, 1.0)), "s");
    g = read_dot(s, &o);
    assert_non_null(strstr(attr(node_with(g, "<B>s</B>"), "label"), "<TD>0.841</TD>"));
    agclose(g);
}

static void test_dot_active_function(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *s = ag_sin(ctx, x);
    ag_var *y = named(ag_exp(ctx, s), "y");
    viz_graph_opts o = defaults();
    o.active = ag_creator(s);
    Agraph_t *g = read_dot(y, &o);
    /* marked by its colours and border, its label as in any drawing (the
     * kept layout's box holds it; the legend says "in progress") */
    Agnode_t *sin = node_with(g, "Sin");
    assert_string_equal(attr(sin, "label"), "Sin");
    assert_string_equal(attr(sin, "penwidth"), "3");
    assert_string_equal(attr(sin, "fillcolor"), "#FFCA28");
    assert_string_not_equal(attr(node_with(g, "Exp"), "fillcolor"), "#FFCA28");
    bool legend_says = false; /* the legend */
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        legend_says |= is_legend(n) && strstr(attr(n, "label"), "in progress") != NULL;
    assert_true(legend_says);
    /* the edges that carry this step's gradient: x -> Sin -> s, marked;
     * s -> Exp -> y, not */
    int marked = 0, plain = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            bool red = strcmp(attr(e, "color"), "#C62828") == 0 && strcmp(attr(e, "penwidth"), "3") == 0;
            bool at_sin = agtail(e) == sin || aghead(e) == sin;
            marked += red && at_sin;
            plain += !red && !at_sin;
        }
    assert_int_equal(marked, 2);
    assert_int_equal(plain, 2);
    agclose(g);
}

static void test_dot_depth_draws_stubs(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    o.depth = 1;
    Agraph_t *g = read_dot(y, &o);
    /* y, Add, its two inputs, and a "…" stub above each */
    assert_int_equal(graph_nodes(g), 6);
    assert_int_equal(graph_edges(g), 5);
    assert_int_equal(count_nodes_with(g, "Sin"), 0);
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        if (strncmp(agnameof(n), "cut", 3) == 0) {
            assert_string_equal(attr(n, "label"), "…");
            assert_int_equal(out_degree(g, n), 1);
        }
    assert_int_equal(count_nodes_with(g, "…"), 2);
    agclose(g);
}

static void test_dot_leaf_and_errors(void **state) {
    char err[VIZ_ERRLEN] = "";
    assert_null(viz_graph_dot(NULL, NULL, err));
    assert_string_equal(err, "no variable to draw");
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(x, &o);
    assert_int_equal(graph_nodes(g), 1);
    assert_int_equal(graph_edges(g), 0);
    agclose(g);
}

/* A function with two outputs is drawn once, with an edge to each output;
 * the tree lists its inputs once and refers back the second time. */
static void test_split_outputs(void **state) {
    ag_var *x = named(VAR(ctx, SHAPE(4), 1, 2, 3, 4), "x");
    ag_var *parts[2];
    assert_int_equal(ag_split(ctx, x, (const int[]){2, 2}, 2, 0, parts), 0);
    ag_var *left = ag_sum(ctx, parts[0], NULL, 0);
    ag_var *right = ag_sum(ctx, ag_mul(ctx, parts[1], parts[1]), NULL, 0);
    ag_var *y = named(ag_add(ctx, left, right), "y");
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(y, &o);
    /* variables y, 3, 25, [9 16], [1 2], [3 4], x; functions Add, Sum, Sum, Mul, Split */
    assert_int_equal(graph_nodes(g), 12);
    assert_int_equal(graph_edges(g), 13);
    Agnode_t *split = node_with(g, "Split");
    assert_int_equal(in_degree(g, split), 1);
    assert_int_equal(out_degree(g, split), 2);
    agclose(g);
    o.grads = false;
    check_tree(y, &o,
               "y = 28 ← Add\n"
               "├── 3 ← Sum\n"
               "│   └── [2] 1 2 ← Split(axis=0)\n"
               "│       └── x = [4] 1 2 3 4\n"
               "└── 25 ← Sum\n"
               "    └── [2] 9 16 ← Mul\n"
               "        ├── [2] 3 4 ← Split(axis=0) (see above)\n"
               "        └── [2] 3 4 (see above)\n");
}

/* A gradient of several backward calls (no cleargrad between) is marked: an
 * orange border, a "⚠ summed over N backward calls" row, a legend entry; one
 * backward's gradient, and anything after cleargrad, is not. */
static void test_summed_gradient_marked(void **state) {
    ag_var *x;
    ag_var *y = sin_plus_square(&x);
    viz_graph_opts o = defaults();
    char legend[256];
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    Agraph_t *g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "summed over"), 0);
    legend_text(g, legend, sizeof legend);
    assert_null(strstr(legend, "several backward"));
    agclose(g);

    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    g = read_dot(y, &o);
    Agnode_t *xnode = node_with(g, "<B>x</B>");
    assert_non_null(strstr(attr(xnode, "label"), "⚠ summed over 3 backward calls"));
    assert_string_equal(attr(xnode, "color"), "#E65100");
    assert_string_equal(attr(xnode, "penwidth"), "3");
    assert_string_equal(attr(xnode, "fillcolor"), "#FFF59D"); /* still an input */
    assert_int_equal(count_nodes_with(g, "summed over"), 1);
    legend_text(g, legend, sizeof legend);
    assert_non_null(strstr(legend, "⚠ grad of several backward"));
    agclose(g);
    char err[VIZ_ERRLEN];
    char *tree = viz_graph_tree(y, &o, err);
    assert_non_null(tree);
    if (strstr(tree, "x = 1 (grad 7.620906917604421, ⚠ summed over 3 backward calls)") == NULL)
        fail_msg("tree without the mark:\n%s", tree);
    free(tree);

    o.grads = false; /* no gradients drawn, nothing to mark */
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "summed over"), 0);
    assert_string_not_equal(attr(node_with(g, "<B>x</B>"), "color"), "#E65100");
    agclose(g);

    o.grads = true;
    ag_cleargrad(x);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "summed over"), 0);
    agclose(g);
}

/* viz_marks (gradcheck's inputs): a mismatch has a red border, the note as a
 * row and in the tree, a legend entry; a pass (✓) only its note, in green;
 * unmarked variables keep their look. */
static void test_marked_variables(void **state) {
    ag_var *x;
    ag_var *y = sin_plus_square(&x);
    viz_graph_opts o = defaults();
    viz_mark mark = {.var = x, .note = "✗ analytic 2 numeric 3"};
    o.marks = &mark;
    o.nmarks = 1;
    assert_string_equal(viz_mark_of(&o, x), "✗ analytic 2 numeric 3");
    assert_null(viz_mark_of(&o, y));
    Agraph_t *g = read_dot(y, &o);
    Agnode_t *xnode = node_with(g, "<B>x</B>");
    assert_non_null(strstr(attr(xnode, "label"), "✗ analytic 2 numeric 3"));
    assert_string_equal(attr(xnode, "color"), "#C62828");
    assert_string_equal(attr(xnode, "penwidth"), "3");
    assert_string_equal(attr(node_with(g, "<B>y</B>"), "color"), "#2E7D32");
    assert_int_equal(count_nodes_with(g, "✗"), 1);
    char legend[256];
    legend_text(g, legend, sizeof legend);
    assert_non_null(strstr(legend, "✗ gradient differs"));
    agclose(g);
    char err[VIZ_ERRLEN];
    char *tree = viz_graph_tree(y, &o, err);
    assert_non_null(tree);
    assert_non_null(strstr(tree, "x = 1 (grad: none) ✗ analytic 2 numeric 3\n"));
    free(tree);
    o.nmarks = 0;
    g = read_dot(y, &o);
    legend_text(g, legend, sizeof legend);
    assert_null(strstr(legend, "✗"));
    const char *plain_border = attr(node_with(g, "<B>x</B>"), "color");
    char leaf_border[16];
    snprintf(leaf_border, sizeof leaf_border, "%s", plain_border);
    agclose(g);
    /* a check that passed: its ✓ in green, the input's own border, no
     * mismatch in the legend */
    viz_mark passed = {.var = x, .note = "✓ analytic = numeric"};
    o.marks = &passed;
    o.nmarks = 1;
    g = read_dot(y, &o);
    xnode = node_with(g, "<B>x</B>");
    assert_non_null(strstr(attr(xnode, "label"), "<FONT COLOR=\"#2E7D32\"><B>✓ analytic = numeric"));
    assert_string_equal(attr(xnode, "color"), leaf_border);
    legend_text(g, legend, sizeof legend);
    assert_null(strstr(legend, "✗"));
    agclose(g);
}

/* ---- files and images ---------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)n + 1);
    assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
    bytes[n] = 0;
    fclose(f);
    *size = (size_t)n;
    return bytes;
}

static unsigned read_be32(const unsigned char *p) {
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* A PNG of at most VIZ_MAX_IMAGE_PX a side; its size goes to *width, *height. */
static void check_png_size(const unsigned char *bytes, size_t size, unsigned *width,
                           unsigned *height) {
    assert_true(size > 1000);
    assert_memory_equal(bytes, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(bytes + 12, "IHDR", 4);
    *width = read_be32(bytes + 16);
    *height = read_be32(bytes + 20);
    assert_in_range(*width, 100, VIZ_MAX_IMAGE_PX);
    assert_in_range(*height, 100, VIZ_MAX_IMAGE_PX);
}

static void check_png(const unsigned char *bytes, size_t size) {
    unsigned width, height;
    check_png_size(bytes, size, &width, &height);
}

/* The SVG's own size in points ("<svg width="123pt" height="456pt""), and
 * whether Graphviz scaled the drawing to fit its size limit (a transform
 * "scale(s s)" with s below 1). */
static void svg_points(const char *svg, double *width, double *height, bool *shrunk) {
    const char *w = strstr(svg, "<svg width=\""), *h = strstr(svg, "height=\"");
    assert_non_null(w);
    assert_non_null(h);
    *width = strtod(w + strlen("<svg width=\""), NULL);
    *height = strtod(h + strlen("height=\""), NULL);
    const char *scale = strstr(svg, "scale(");
    assert_non_null(scale);
    *shrunk = strtod(scale + strlen("scale("), NULL) < 0.999;
}

/* A graph taller than the old 16-inch cap is drawn at 100 %: not scaled, its
 * PNG as big as its SVG, so 14-point node text stays
 * 14 * 96 / 72 ~ 19 px and the 11-point legend ~15 px, over the 12 px a
 * projected lesson needs.  A chain too tall for VIZ_MAX_IMAGE_PX is scaled
 * down to exactly that. */
static void test_big_graphs_grow_at_full_size(void **state) {
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    ag_var *y = x;
    for (int i = 0; i < 30; i++) y = ag_sin(ctx, y); /* 61 nodes in one column */
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "", path[128];
    size_t size = 0;
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    assert_non_null(png);
    unsigned width, height;
    check_png_size(png, size, &width, &height);
    free(png);
    assert_true(height > 16 * 96); /* the old cap */

    snprintf(path, sizeof path, "/tmp/test_graph_full_%ld.svg", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    unsigned char *svg = slurp(path, &size);
    unlink(path);
    double pt_width, pt_height;
    bool shrunk;
    svg_points((char *)svg, &pt_width, &pt_height, &shrunk);
    free(svg);
    assert_false(shrunk);
    /* the SVG in points, the PNG at 96 pixels an inch */
    assert_in_range(height, (unsigned)(pt_height * 96 / 72) - 2, (unsigned)(pt_height * 96 / 72) + 2);
    assert_in_range(width, (unsigned)(pt_width * 96 / 72) - 2, (unsigned)(pt_width * 96 / 72) + 2);

    for (int i = 0; i < 170; i++) y = ag_sin(ctx, y); /* 401 nodes, ~260 inches tall */
    o.max_nodes = 401;
    snprintf(path, sizeof path, "/tmp/test_graph_tall_%ld.svg", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    svg = slurp(path, &size);
    unlink(path);
    svg_points((char *)svg, &pt_width, &pt_height, &shrunk);
    free(svg);
    assert_true(shrunk);
    assert_in_range(pt_height, VIZ_MAX_IMAGE_PX * 0.75 - 2, VIZ_MAX_IMAGE_PX * 0.75);
}

/* The box holding every pixel that is not (nearly) white, alpha over white. */
static void content_bounds(cairo_surface_t *image, int box[4]) {
    int width = cairo_image_surface_get_width(image), height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *data = cairo_image_surface_get_data(image);
    box[0] = width, box[1] = height, box[2] = -1, box[3] = -1;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint32_t p = *(const uint32_t *)(data + (size_t)y * stride + (size_t)x * 4);
            unsigned a = p >> 24, dark = 0; /* premultiplied: over white, a channel is c + 255 - a */
            for (int shift = 0; shift < 24; shift += 8) {
                unsigned c = ((p >> shift) & 0xFF) + 255 - a;
                if (c < 230) dark = 1;
            }
            if (!dark) continue;
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
        }
}

/* An SVG export drawn by librsvg (rsvg-convert, as a browser or Inkscape
 * would at 96 px an inch) is the whole graph: the PNG's size, and what is
 * drawn spans the same box within a pixel or two, at :zoom 1 and 2. */
static void test_svg_whole_in_librsvg(void **state) {
    if (system("command -v rsvg-convert >/dev/null 2>&1") != 0)
        fail_msg("rsvg-convert is missing: make deps installs librsvg2-bin");
    ag_var *y = sin_plus_square(NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    for (int zoomed = 0; zoomed < 2; zoomed++) { /* at :zoom 2 too */
        viz_graph_opts o = defaults();
        o.zoom = zoomed ? 2 : 1;
        char err[VIZ_ERRLEN] = "", svg[128], png[128], drawn[128], command[512];
        long pid = (long)getpid();
        snprintf(svg, sizeof svg, "/tmp/test_graph_whole_%ld.svg", pid);
        snprintf(png, sizeof png, "/tmp/test_graph_whole_%ld.png", pid);
        snprintf(drawn, sizeof drawn, "/tmp/test_graph_whole_%ld_svg.png", pid);
        assert_int_equal(viz_graph_render(y, &o, svg, NULL, NULL, err), 0);
        assert_int_equal(viz_graph_render(y, &o, png, NULL, NULL, err), 0);
        snprintf(command, sizeof command, "rsvg-convert '%s' -o '%s'", svg, drawn);
        assert_int_equal(system(command), 0);
        cairo_surface_t *a = cairo_image_surface_create_from_png(png);
        cairo_surface_t *b = cairo_image_surface_create_from_png(drawn);
        unlink(svg), unlink(png), unlink(drawn);
        assert_int_equal(cairo_surface_status(a), CAIRO_STATUS_SUCCESS);
        assert_int_equal(cairo_surface_status(b), CAIRO_STATUS_SUCCESS);
        int width = cairo_image_surface_get_width(a), height = cairo_image_surface_get_height(a);
        assert_in_range(cairo_image_surface_get_width(b), width - 1, width + 1);
        assert_in_range(cairo_image_surface_get_height(b), height - 1, height + 1);
        int png_box[4], svg_box[4];
        content_bounds(a, png_box);
        content_bounds(b, svg_box);
        assert_true(png_box[2] > width / 2 && png_box[3] > height / 2); /* a drawing, not a blank */
        for (int i = 0; i < 4; i++) {
            if (abs(png_box[i] - svg_box[i]) > 2)
                fail_msg("content bounds: PNG %d,%d-%d,%d, SVG %d,%d-%d,%d", png_box[0], png_box[1], png_box[2],
                         png_box[3], svg_box[0], svg_box[1], svg_box[2], svg_box[3]);
        }
        cairo_surface_destroy(a);
        cairo_surface_destroy(b);
    }
}

/* The height in pixels of the text in the lowest function box of a PNG:
 * the rows of near-black ink inside the box's light blue fill (#90CAF9),
 * found from its lowest pixel. */
static int lowest_function_text(const char *path) {
    cairo_surface_t *image = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
    int width = cairo_image_surface_get_width(image), height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *data = cairo_image_surface_get_data(image);
#define PIXEL(x, y) (*(const uint32_t *)(data + (size_t)(y) * stride + (size_t)(x) * 4))
#define NEAR(p, shift, c) (abs((int)((p) >> (shift) & 255) - (c)) <= 6)
#define BLUE(p) (NEAR(p, 16, 0x90) && NEAR(p, 8, 0xCA) && NEAR(p, 0, 0xF9))
    int seed = -1;
    for (int y = height - 1; y >= 0 && seed < 0; y--)
        for (int x = 0; x < width && seed < 0; x++)
            if (BLUE(PIXEL(x, y))) seed = y * width + x;
    assert_true(seed >= 0);
    unsigned char *seen = calloc((size_t)width * height, 1);
    int *stack = malloc(sizeof *stack * (size_t)width * height);
    assert_true(seen != NULL && stack != NULL);
    int top = 0, box[4] = {width, height, -1, -1};
    stack[top++] = seed, seen[seed] = 1;
    while (top > 0) { /* the fill, 4-connected */
        int at = stack[--top], x = at % width, y = at / width;
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
        int next[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
        for (int k = 0; k < 4; k++) {
            int nx = next[k][0], ny = next[k][1];
            if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[ny * width + nx]) continue;
            if (!BLUE(PIXEL(nx, ny))) continue;
            seen[ny * width + nx] = 1;
            stack[top++] = ny * width + nx;
        }
    }
    int rows = 0;
    for (int y = box[1]; y <= box[3]; y++) {
        bool ink = false;
        for (int x = box[0]; x <= box[2] && !ink; x++) {
            uint32_t p = PIXEL(x, y);
            ink = (p >> 16 & 255) + (p >> 8 & 255) + (p & 255) < 150;
        }
        rows += ink;
    }
#undef BLUE
#undef NEAR
#undef PIXEL
    free(seen);
    free(stack);
    cairo_surface_destroy(image);
    return rows;
}

/* :zoom in a saved graph makes its text zoom times bigger (measured in the
 * PNG's pixels: the ink of a function box's label) at the size it has at
 * zoom 1; where the bigger boxes need more room the picture grows, much less
 * than zoom times, and the note says so. */
static void test_zoom_makes_saved_text_bigger(void **state) {
    ag_var *y = sin_plus_square(NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    static const double zooms[] = {1, 1.5, 2, 0.75};
    int text[4];
    unsigned width[4], height[4];
    char notes[4][VIZ_ERRLEN], path[128];
    for (int k = 0; k < 4; k++) {
        viz_graph_opts o = defaults();
        o.zoom = zooms[k];
        snprintf(path, sizeof path, "/tmp/test_graph_zoom_%ld_%d.png", (long)getpid(), k);
        assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, notes[k]), 0);
        size_t size;
        unsigned char *png = slurp(path, &size);
        check_png_size(png, size, &width[k], &height[k]);
        free(png);
        text[k] = lowest_function_text(path);
        unlink(path);
        print_message("zoom %g: %ux%u, text %d px; %s\n", zooms[k], width[k], height[k], text[k], notes[k]);
    }
    assert_true(text[0] >= 9);
    assert_string_equal(notes[0], "");
    for (int k = 1; k < 4; k++) {
        double grew = (double)text[k] / text[0];
        /* within a pixel of the rounding of each glyph row */
        if (fabs(grew - zooms[k]) > 0.1 * zooms[k] + 1.0 / text[0])
            fail_msg("zoom %g: text %d px against %d px at zoom 1 (%.2fx)", zooms[k], text[k], text[0], grew);
        bool bigger = width[k] > width[0] + 2 || height[k] > height[0] + 2;
        if (bigger != (strstr(notes[k], "the picture grows") != NULL))
            fail_msg("zoom %g: %ux%u against %ux%u, note \"%s\"", zooms[k], width[k], height[k], width[0],
                     height[0], notes[k]);
        /* the picture never shrinks, and grows less than the text would */
        assert_true(width[k] + 2 >= width[0] && height[k] + 2 >= height[0]);
        assert_true((double)width[k] * height[k] < 0.75 * zooms[k] * zooms[k] * width[0] * height[0] ||
                    zooms[k] < 1);
    }
    /* smaller text always fits: the same size */
    assert_in_range(width[3], width[0] - 2, width[0] + 2);
    assert_in_range(height[3], height[0] - 2, height[0] + 2);
}

static void test_render_files(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "", path[128];
    size_t size;
    unsigned char *bytes;
    int nodes = -1, edges = -1;

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.png", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, &nodes, &edges, err), 0);
    assert_int_equal(nodes, 7);
    assert_int_equal(edges, 7);
    bytes = slurp(path, &size);
    check_png(bytes, size);
    free(bytes);
    unlink(path);

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.SVG", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    assert_non_null(strstr((char *)bytes, "<svg"));
    assert_non_null(strstr((char *)bytes, ">Pow(2)</text>"));
    assert_non_null(strstr((char *)bytes, ">grad: none</text>"));
    free(bytes);
    unlink(path);

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.pdf", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    assert_true(size > 1000);
    assert_memory_equal(bytes, "%PDF-", 5);
    free(bytes);
    unlink(path);

    /* the .dot file is exactly what dot() prints */
    snprintf(path, sizeof path, "/tmp/test_graph_%ld.dot", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    char *text = viz_graph_dot(y, &o, err);
    assert_string_equal((char *)bytes, text);
    free(text);
    free(bytes);
    unlink(path);

    assert_int_equal(viz_graph_render(y, &o, "g.jpg", NULL, NULL, err), -1);
    assert_string_equal(err, "cannot tell the format of \"g.jpg\": use .dot, .png, .svg or .pdf");
    assert_int_equal(viz_graph_render(y, &o, "/nonexistent-dir/g.png", NULL, NULL, err), -1);
    assert_string_equal(err, "cannot write \"/nonexistent-dir/g.png\": No such file or directory");
}

static void test_png_in_memory(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *y = named(ag_tanh(ctx, x), "y");
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.create_graph = true}), 0);
    viz_graph_opts o = defaults();
    o.title = "tanh'(x)";
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_png(named(ag_grad(x), "gx"), &o, &size, err);
    assert_non_null(png);
    check_png(png, size);
    free(png);
}

/* The window's pixels are the PNG's picture: same size, opaque white paper,
 * dark text and lines on it; a refused graph gives the same message. */
static void test_pixels_for_the_window(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    assert_non_null(png);
    int width = 0, height = 0;
    uint32_t *pixels = viz_graph_pixels(y, &o, &width, &height, err);
    assert_non_null(pixels);
    assert_int_equal(width, (int)read_be32(png + 16));
    assert_int_equal(height, (int)read_be32(png + 20));
    free(png);
    assert_int_equal(pixels[0], 0xFFFFFFFFu);
    assert_int_equal(pixels[(size_t)width * height - 1], 0xFFFFFFFFu);
    size_t opaque = 0, dark = 0, count = (size_t)width * height;
    for (size_t i = 0; i < count; i++) {
        uint32_t p = pixels[i];
        opaque += p >> 24 == 0xFF;
        dark += ((p >> 16) & 0xFF) < 0x60 && ((p >> 8) & 0xFF) < 0x60 && (p & 0xFF) < 0x60;
    }
    free(pixels);
    assert_int_equal(opaque, count);
    assert_true(dark > count / 1000 && dark < count / 4);

    o.max_nodes = 5;
    assert_null(viz_graph_pixels(y, &o, &width, &height, err));
    assert_string_equal(err,
                        "graph has 7 nodes (limit 5), too many even with depth=1: draw it with "
                        "max_nodes=7");
}

/* ---- large graphs -------------------------------------------------------- */

static ag_var *sin_chain(int ops) {
    ag_var *y = named(ag_scalar(ctx, 0.5), "x");
    for (int i = 0; i < ops; i++) y = ag_sin(ctx, y);
    return y;
}

static void test_node_limit_and_depth(void **state) {
    ag_var *y = sin_chain(2000);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    /* 2001 variables + 2000 functions; depth d draws 2d + 1 nodes and a stub */
    const char *refusal =
        "graph has 4001 nodes (limit 400): draw the part near the output with depth=199, "
        "or all of it with max_nodes=4001";
    assert_null(viz_graph_dot(y, &o, err));
    assert_string_equal(err, refusal);
    assert_null(viz_graph_tree(y, &o, err));
    assert_string_equal(err, refusal);
    char path[128];
    snprintf(path, sizeof path, "/tmp/test_graph_refused_%ld.png", (long)getpid());
    unlink(path);
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), -1);
    assert_int_equal(access(path, F_OK), -1);

    o.depth = 199; /* the suggestion fits */
    char *text = viz_graph_dot(y, &o, err);
    assert_non_null(text);
    free(text);

    o.depth = 5;
    snprintf(path, sizeof path, "/tmp/test_graph_depth_%ld.png", (long)getpid());
    int nodes, edges;
    double start = seconds_now();
    assert_int_equal(viz_graph_render(y, &o, path, &nodes, &edges, err), 0);
    double elapsed = seconds_now() - start;
    /* no slower than a graph of its own size: the rest is never laid out */
    double small = seconds_to_render(sin_chain(5));
    assert_below(elapsed, 10 * small);
    assert_int_equal(nodes, 12);
    assert_int_equal(edges, 11);
    unlink(path);

    /* depth=1 draws y, Add, its two inputs and their two stubs */
    o.depth = 0;
    o.max_nodes = 6;
    assert_null(viz_graph_dot(sin_plus_square(NULL), &o, err));
    assert_string_equal(err,
                        "graph has 7 nodes (limit 6): draw the part near the output with depth=1, "
                        "or all of it with max_nodes=7");
    o.max_nodes = 5;
    assert_null(viz_graph_dot(sin_plus_square(NULL), &o, err));
    assert_string_equal(err,
                        "graph has 7 nodes (limit 5), too many even with depth=1: draw it with "
                        "max_nodes=7");
}

/* Groups for the fold tests: tag 1 is "f(x)", tag 2 "g(u)", tags from 10
 * are layers "m.linear[N]" (N = tag - 10), the rest are not groups. */
static const char *test_group_title(void *user, unsigned tag) {
    static char title[32];
    (void)user;
    if (tag == 1) return "f(x)";
    if (tag == 2) return "g(u)";
    if (tag >= 10 && tag < 20) {
        snprintf(title, sizeof title, "m.linear[%u]", tag - 10);
        return title;
    }
    return NULL;
}

/* u = f(x) = sin(x) * x made under tag 1, y = g(u) = exp(u) + u under tag 2,
 * z = y * 3 outside any group. */
static ag_var *two_calls(void) {
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    unsigned outer = ag_set_func_tag(ctx, 1);
    ag_var *u = ag_mul(ctx, ag_sin(ctx, x), x);
    ag_set_func_tag(ctx, 2);
    ag_var *y = ag_add(ctx, ag_exp(ctx, u), u);
    ag_set_func_tag(ctx, outer);
    return named(ag_mul(ctx, y, ag_scalar(ctx, 3)), "z");
}

static bool has_subgraph(Agraph_t *g, const char *name, const char *label) {
    Agraph_t *sub = agsubg(g, (char *)name, 0);
    return sub != NULL && strcmp(attr(sub, "label"), label) == 0;
}

/* Clusters titled with the call unfolded; fold=true one box per group,
 * numbered as the walk meets them from the output (g's is box0); unfolded[]
 * opens chosen boxes; the default folds only graphs above VIZ_FOLD_NODES. */
/* The digest a window following a graph compares (viz_graph_digest): the
 * same for drawings whose DOT text is the same, also of another graph of the
 * same shape and numbers, and different wherever the DOT text differs. */
static void test_digest_agrees_with_the_dot(void **state) {
    enum { DRAWINGS = 9 };
    char *dots[DRAWINGS];
    uint64_t digests[DRAWINGS];
    char err[VIZ_ERRLEN] = "";
    ag_var *x, *y = sin_plus_square(&x), *twin = sin_plus_square(NULL), *z = two_calls();
    viz_graph_opts o = defaults(), o_digits = defaults(), o_active = defaults(), o_title = defaults(),
                   o_groups = defaults(), o_folded = defaults();
    o_digits.digits = 3;
    o_active.active = ag_creator(y);
    o_title.title = "a title";
    o_groups.group_title = o_folded.group_title = test_group_title;
    o_folded.fold = 1;
    struct { ag_var *y; const viz_graph_opts *o; } drawings[DRAWINGS] = {
        {y, &o}, {y, &o}, {twin, &o}, {y, &o_digits}, {y, &o_active}, {y, &o_title},
        {z, &o_groups}, {z, &o_folded}, {y, &o} /* after backward: gradients */
    };
    for (int i = 0; i < DRAWINGS; i++) {
        if (i == DRAWINGS - 1)
            assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.retain_grad = true}), 0);
        dots[i] = viz_graph_dot(drawings[i].y, drawings[i].o, err);
        if (dots[i] == NULL) fail_msg("viz_graph_dot: %s", err);
        if (viz_graph_digest(drawings[i].y, drawings[i].o, &digests[i], err) != 0)
            fail_msg("viz_graph_digest: %s", err);
    }
    assert_string_equal(dots[0], dots[2]); /* the twin is drawn alike */
    for (int i = 0; i < DRAWINGS; i++)
        for (int j = 0; j < DRAWINGS; j++) {
            bool same_text = strcmp(dots[i], dots[j]) == 0, same_digest = digests[i] == digests[j];
            if (same_text != same_digest)
                fail_msg("drawings %d and %d: DOT text %s, digest %s", i, j, same_text ? "same" : "differs",
                         same_digest ? "same" : "differs");
        }
    for (int i = 0; i < DRAWINGS; i++) free(dots[i]);
    assert_int_equal(viz_graph_digest(NULL, &o, &digests[0], err), -1);
    assert_true(err[0] != '\0');
}

/* A conv layer's box (issue 50): Im2col and MaxPool2d under a layer's tag
 * show their window in the box, the kernel the inspector of a folded layer
 * would otherwise hide. */
static void test_fold_conv_box_shows_the_kernel(void **state) {
    (void)state;
    ag_var *x = named(ag_rand(ctx, 4, (const int[]){1, 1, 5, 5}, NULL), "x");
    ag_var *w = named(ag_rand(ctx, 4, (const int[]){2, 1, 3, 3}, NULL), "w");
    unsigned outer = ag_set_func_tag(ctx, 10);
    ag_var *h = ag_conv2d(ctx, x, w, NULL, (const int[]){2, 2}, (const int[]){1, 1}, NULL, 1);
    ag_set_func_tag(ctx, 11);
    h = ag_max_pool2d(ctx, h, (const int[]){2, 2}, NULL, NULL, NULL, false);
    ag_set_func_tag(ctx, outer);
    ag_var *z = named(ag_sum(ctx, h, NULL, 0), "z");
    viz_graph_opts o = defaults();
    o.group_title = test_group_title;
    o.fold = 1;
    Agraph_t *g = read_dot(z, &o);
    const char *conv = attr(node_with(g, "m.linear[0]"), "label"), *pool = attr(node_with(g, "m.linear[1]"), "label");
    assert_non_null(strstr(conv, "<TD>kernel=[3 3], stride=[2 2], padding=[1 1]</TD>"));
    assert_non_null(strstr(pool, "<TD>kernel=[2 2], stride=[2 2]</TD>"));
    agclose(g);
}

static void test_fold_groups(void **state) {
    ag_var *z = two_calls();
    viz_graph_opts o = defaults();
    o.group_title = test_group_title;
    char err[VIZ_ERRLEN] = "";

    Agraph_t *g = read_dot(z, &o); /* 12 nodes: not folded by default */
    assert_int_equal(graph_nodes(g), 12);
    assert_true(has_subgraph(g, "cluster_group0", "g(u)"));
    assert_true(has_subgraph(g, "cluster_group1", "f(x)"));
    assert_null(agnode(g, "box0", 0));
    agclose(g);

    o.fold = 1;
    g = read_dot(z, &o);
    /* z, Mul, 3, the boxes and x: u and y and the ops inside are hidden */
    assert_int_equal(graph_nodes(g), 6);
    Agnode_t *box0 = agnode(g, "box0", 0), *box1 = agnode(g, "box1", 0);
    assert_non_null(box0);
    assert_non_null(box1);
    assert_non_null(strstr(attr(box0, "label"), "g(u)"));
    assert_non_null(strstr(attr(box0, "label"), "Exp, Add (2 ops)"));
    assert_non_null(strstr(attr(box1, "label"), "f(x)"));
    assert_non_null(strstr(attr(box1, "label"), "Sin, Mul (2 ops)"));
    /* x feeds f once however often it is read; f's box feeds g's once */
    assert_int_equal(in_degree(g, box1), 1);
    assert_int_equal(out_degree(g, box1), 1);
    assert_non_null(agedge(g, box1, box0, NULL, 0));
    assert_non_null(agedge(g, node_with(g, "<B>x</B>"), box1, NULL, 0));
    assert_int_equal(graph_edges(g), 5); /* x→f, f→g, g→Mul, 3→Mul, Mul→z */
    agclose(g);
    int nodes = 0, edges = 0;
    char path[128];
    snprintf(path, sizeof path, "/tmp/test_graph_fold_%ld.dot", (long)getpid());
    assert_int_equal(viz_graph_render(z, &o, path, &nodes, &edges, err), 0);
    unlink(path);
    assert_int_equal(nodes, 6);
    assert_int_equal(edges, 5);
    /* the limit counts what is drawn after folding */
    o.max_nodes = 6;
    char *text = viz_graph_dot(z, &o, err);
    assert_non_null(text);
    free(text);
    o.fold = 0;
    assert_null(viz_graph_dot(z, &o, err));
    assert_string_equal(err, "graph has 12 nodes (limit 6): draw the part near the output with "
                             "depth=1, or all of it with max_nodes=12");
    o.max_nodes = 0;

    /* unfolded[1] opens f's box: its cluster comes back, g stays a box */
    unsigned char open_f[2] = {0, 1};
    o.fold = 1;
    o.unfolded = open_f;
    o.n_unfolded = 2;
    g = read_dot(z, &o);
    assert_non_null(agnode(g, "box0", 0));
    assert_null(agnode(g, "box1", 0));
    assert_true(has_subgraph(g, "cluster_group1", "f(x)"));
    assert_int_equal(graph_nodes(g), 9); /* box1 gives way to Sin, Mul, sin(x), u */
    agclose(g);
    o.n_unfolded = 1; /* entries past n_unfolded do not count */
    g = read_dot(z, &o);
    assert_non_null(agnode(g, "box1", 0));
    agclose(g);

    /* the folded tree: a variable made in a box lists the box's inputs */
    o.unfolded = NULL;
    o.n_unfolded = 0;
    o.values = false;
    o.grads = false;
    text = viz_graph_tree(z, &o, err);
    assert_non_null(text);
    assert_string_equal(text, "z ← Mul\n"
                              "├── variable ← [g(u)]\n"
                              "│   └── variable ← [f(x)]\n"
                              "│       └── x\n"
                              "└── variable\n");
    free(text);

    /* the default folds a graph of more than VIZ_FOLD_NODES nodes */
    o = defaults();
    o.group_title = test_group_title;
    ag_var *y = z;
    unsigned outer = ag_set_func_tag(ctx, 1);
    for (int i = 0; i < 30; i++) y = ag_sin(ctx, y); /* 12 + 60 nodes */
    ag_set_func_tag(ctx, outer);
    g = read_dot(y, &o);
    assert_non_null(agnode(g, "box0", 0));
    agclose(g);
}

/* The last backward's gradients: drawn on nodes whose .grad was not kept,
 * in their own colour with a legend entry; grads="kept" (kept_only) hides them. */
static void test_last_backward_gradients(void **state) {
    ag_keep_last_grads(ctx, true);
    ag_var *x;
    ag_var *y = sin_plus_square(&x);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "grad⁺"), 3); /* y, sin(x), x^2 */
    assert_int_equal(count_nodes_with(g, "grad: none"), 0);
    assert_non_null(strstr(attr(node_with(g, "<B>y</B>"), "label"), "grad⁺ 1"));
    assert_non_null(strstr(attr(node_with(g, "<B>x</B>"), "label"), "grad 2.5403023058681398"));
    assert_non_null(strstr(attr(agnode(g, "legend", 0), "label"), "from the last backward, not kept in .grad"));
    agclose(g);
    o.kept_only = true;
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "grad⁺"), 0);
    assert_int_equal(count_nodes_with(g, "grad: none"), 3);
    assert_null(strstr(attr(agnode(g, "legend", 0), "label"), "grad⁺"));
    agclose(g);
    o.kept_only = false;
    char err[VIZ_ERRLEN];
    char *text = viz_graph_tree(y, &o, err);
    assert_non_null(strstr(text, "y = 1.8414709848078965 (grad⁺ 1) ← Add"));
    free(text);
    ag_keep_last_grads(ctx, false);
}

/* A model's layers tagged by the layer observer, as the REPL does. */
static unsigned tag_layers(void *user, const void *model, const char *layer, unsigned outer) {
    (void)user, (void)model, (void)outer;
    return 10u + (unsigned)atoi(layer + strlen("linear["));
}

/* A folded MLP loss over a batch is readable in a PNG at 100 %: not scaled
 * down, no text under 12 px (measured from its SVG: the smallest font size
 * times the drawing's scale), one screen high and two across at most
 * (3200 x 1200 px: each layer's parameters sit right of the layer before,
 * so the boxes step down to the right). */
static void test_folded_mlp_png_readable(void **state) {
    ag_observe_layers(ctx, tag_layers, NULL);
    ag_keep_last_grads(ctx, true);
    ag_model *m = ag_mlp(ctx, (int[]){8, 8, 1}, 3, AG_ACT_TANH, 0);
    double data[32];
    for (int i = 0; i < 32; i++) data[i] = (i % 7) * 0.25 - 0.75;
    ag_var *X = named(ag_new(ctx, 2, (int[]){16, 2}, data), "X");
    ag_var *Y = named(ag_new(ctx, 2, (int[]){16, 1}, data), "Y");
    ag_var *out = ag_model_forward(m, X);
    assert_non_null(out);
    ag_var *d = ag_sub(ctx, out, Y);
    ag_var *loss = named(ag_mean(ctx, ag_mul(ctx, d, d), NULL, 0), "loss");
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    ag_observe_layers(ctx, NULL, NULL);
    viz_graph_opts o = defaults();
    o.group_title = test_group_title;
    o.fold = 1;
    o.digits = 3;
    char err[VIZ_ERRLEN] = "", path[128];
    size_t size = 0;
    unsigned char *png = viz_graph_png(loss, &o, &size, err);
    assert_non_null(png);
    unsigned width, height;
    check_png_size(png, size, &width, &height);
    free(png);
    if (width > 3200 || height > 1200) fail_msg("folded MLP loss PNG %ux%u", width, height);
    snprintf(path, sizeof path, "/tmp/test_graph_mlp_%ld.svg", (long)getpid());
    assert_int_equal(viz_graph_render(loss, &o, path, NULL, NULL, err), 0);
    unsigned char *svg = slurp(path, &size);
    unlink(path);
    double pt_width, pt_height;
    bool shrunk;
    svg_points((char *)svg, &pt_width, &pt_height, &shrunk);
    assert_false(shrunk);
    const char *scale = strstr((char *)svg, "scale(");
    double factor = strtod(scale + strlen("scale("), NULL) * width / pt_width;
    double smallest = 1e9;
    int texts = 0;
    for (const char *p = strstr((char *)svg, "font-size=\""); p; p = strstr(p + 1, "font-size=\"")) {
        double points = strtod(p + strlen("font-size=\""), NULL);
        if (points < smallest) smallest = points;
        texts++;
    }
    free(svg);
    assert_true(texts > 20);
    if (smallest * factor < 12) fail_msg("text %.1f px high (%.1f pt x %.3f)", smallest * factor, smallest, factor);
    ag_keep_last_grads(ctx, false);
    ag_model_unref(m);
}

/* Every op reads x again (Horner-like): many long edges, the shape that made
 * dot's x-coordinate pass run for minutes.  Must stay interactive. */
static void test_long_edges_render_fast(void **state) {
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    ag_var *y = x;
    for (int i = 0; i < 65; i++) y = i % 2 ? ag_add(ctx, y, x) : ag_sin(ctx, ag_mul(ctx, y, x));
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    double start = seconds_now();
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    double elapsed = seconds_now() - start;
    assert_non_null(png);
    check_png(png, size);
    free(png);
    /* about ten times a chain of as many functions (98) without the long
     * edges; dot's slow pass took thousands of times as long */
    double chain = seconds_to_render(sin_chain(98));
    assert_below(elapsed, 50 * chain);
}

/* Refusing a 100001-node graph walks it once: well under 2 s of CPU time
 * (which a loaded machine does not stretch; scaled for the sanitizers). */
static void test_walk_of_a_long_chain(void **state) {
    ag_var *y = sin_chain(50000);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    double start = seconds_now();
    assert_null(viz_graph_dot(y, &o, err));
    assert_below(seconds_now() - start, 2.0 * SANITIZER_SCALE);
    assert_string_equal(
        err, "graph has 100001 nodes (limit 400): draw the part near the output with depth=199");
    o.max_nodes = VIZ_MAX_MAX_NODES;
    assert_null(viz_graph_dot(y, &o, err));
    assert_string_equal(
        err, "graph has 100001 nodes (limit 5000): draw the part near the output with depth=2499");
}

/* ---- text tree ----------------------------------------------------------- */

static void test_tree_sin_plus_square(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    check_tree(y, &o,
               "y = 1.8414709848078965 (grad: none) ← Add\n"
               "├── 0.8414709848078965 (grad: none) ← Sin\n"
               "│   └── x = 1 (grad: none)\n"
               "└── 1 (grad: none) ← Pow(2)\n"
               "    └── x (see above)\n");
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.retain_grad = true}), 0);
    check_tree(y, &o,
               "y = 1.8414709848078965 (grad 1) ← Add\n"
               "├── 0.8414709848078965 (grad 1) ← Sin\n"
               "│   └── x = 1 (grad 2.5403023058681398)\n"
               "└── 1 (grad 1) ← Pow(2)\n"
               "    └── x (see above)\n");
    o.values = false;
    o.grads = false;
    o.title = "y = sin(x) + x^2";
    check_tree(y, &o,
               "y = sin(x) + x^2\n"
               "y ← Add\n"
               "├── variable ← Sin\n"
               "│   └── x\n"
               "└── variable ← Pow(2)\n"
               "    └── x (see above)\n");
    o = defaults();
    o.depth = 1;
    o.digits = 4;
    check_tree(y, &o,
               "y = 1.841 (grad 1) ← Add\n"
               "├── 0.8415 (grad 1)\n"
               "│   └── …\n"
               "└── 1 (grad 1)\n"
               "    └── …\n");
}

static void test_tree_marks_active_and_repeats(void **state) {
    ag_var *x = named(ag_scalar(ctx, 3.0), "x");
    ag_var *z = named(ag_mul(ctx, x, x), "z");
    ag_var *w = named(ag_exp(ctx, z), "w");
    viz_graph_opts o = defaults();
    o.grads = false;
    o.active = ag_creator(z);
    check_tree(w, &o,
               "w = 8103.083927575384 ← Exp\n"
               "└── z = 9 ← Mul ◀ in progress\n"
               "    ├── x = 3\n"
               "    └── x (see above)\n");
    check_tree(x, &o, "x = 3\n");
}

static void test_tree_of_tensor(void **state) {
    ag_var *a = named(VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6), "a");
    ag_var *s = named(ag_sum(ctx, a, NULL, 0), "s");
    viz_graph_opts o = defaults();
    check_tree(s, &o,
               "s = 21 (grad: none) ← Sum\n"
               "└── a = [2 3] 1 2 3 … (grad: none)\n");
    char buf[128];
    viz_format_value(VAR(ctx, SHAPE(4), 0.5, 1.25, -2, 1.0 / 3), 0, buf, sizeof buf);
    assert_string_equal(buf, "[4] 0.5 1.25 -2 0.3333");
    viz_format_value(VAR(ctx, SHAPE(1), 1.0 / 3), 0, buf, sizeof buf);
    assert_string_equal(buf, "[1] 0.3333333333333333");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_dot_sin_plus_square),
        CTX_TEST(test_dot_x_times_x_has_two_edges),
        CTX_TEST(test_dot_create_graph_tanh),
        CTX_TEST(test_dot_roles_and_options),
        CTX_TEST(test_dot_active_function),
        CTX_TEST(test_dot_depth_draws_stubs),
        CTX_TEST(test_dot_leaf_and_errors),
        CTX_TEST(test_split_outputs),
        CTX_TEST(test_summed_gradient_marked),
        CTX_TEST(test_marked_variables),
        CTX_TEST(test_render_files),
        CTX_TEST(test_svg_whole_in_librsvg),
        CTX_TEST(test_zoom_makes_saved_text_bigger),
        CTX_TEST(test_big_graphs_grow_at_full_size),
        CTX_TEST(test_png_in_memory),
        CTX_TEST(test_pixels_for_the_window),
        CTX_TEST(test_node_limit_and_depth),
        CTX_TEST(test_long_edges_render_fast),
        CTX_TEST(test_walk_of_a_long_chain),
        CTX_TEST(test_tree_sin_plus_square),
        CTX_TEST(test_tree_marks_active_and_repeats),
        CTX_TEST(test_tree_of_tensor),
        CTX_TEST(test_dot_operand_roles_and_seed),
        CTX_TEST(test_digest_agrees_with_the_dot),
        CTX_TEST(test_fold_conv_box_shows_the_kernel),
        CTX_TEST(test_fold_groups),
        CTX_TEST(test_last_backward_gradients),
        CTX_TEST(test_folded_mlp_png_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
