/* test_graph.c — computation-graph drawing:
 * the DOT text read back with libcgraph (nodes, edges, labels, colours, the
 * legend) and the text tree compared whole.  Files and images:
 * test_graph_files.c; large and folded graphs: test_graph_large.c. */
#include "graph_test_util.h"

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
    /* the layout guards against measured pitfalls (minutes-long dot layouts) */
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

/* A constant leaf read by two functions: an unnamed 0-d one (a loop's
 * pooled literal) gets a box per reader, a named one (x of `x, t =
 * moons(100)`, data) and an unnamed tensor one a single box with an edge to
 * each reader, as a variable. */
static void test_dot_constants_shared_or_copied(void **state) {
    ag_var *w = named(VAR(ctx, SHAPE(2, 1), 0.5, -1.0), "w");
    ag_var *two = ag_scalar(ctx, 2.0);
    ag_var_set_flags(two, AG_VAR_CONST);
    ag_var *h = ag_mul(ctx, ag_mul(ctx, ag_sum(ctx, w, NULL, 0), two), two); /* (sum(w) * 2) * 2 */
    viz_graph_opts o = defaults();
    Agraph_t *g = read_dot(h, &o);
    assert_int_equal(count_nodes_with(g, "<TD>2</TD>"), 2);
    assert_int_equal(graph_nodes(g), 9); /* w, Sum, its output, 2 twice, two Muls, the first one's output, h */
    assert_int_equal(graph_edges(g), 8);
    agclose(g);

    ag_var *x = named(VAR(ctx, SHAPE(3, 2), 1, 2, 3, 4, 5, 6), "x");
    ag_var_set_flags(x, AG_VAR_CONST);
    ag_var *y = ag_add(ctx, ag_sum(ctx, ag_matmul(ctx, x, w), NULL, 0), ag_sum(ctx, x, NULL, 0));
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "<B>x</B>"), 1);
    Agnode_t *data = node_with(g, "<B>x</B>");
    assert_int_equal(out_degree(g, data), 2); /* to MatMul and to Sum */
    assert_string_equal(attr(data, "fillcolor"), "#FFFFFF"); /* drawn as a constant */
    assert_null(strstr(attr(data, "label"), "grad"));
    agclose(g);

    ag_set_name(x, NULL); /* unnamed, but no number: still one box */
    g = read_dot(y, &o);
    assert_int_equal(count_nodes_with(g, "[3 2]"), 1);
    assert_int_equal(out_degree(g, node_with(g, "[3 2]")), 2);
    agclose(g);
}

/* tanh'(x) with create_graph: upstream's cmd/dot default graph (itsubaki/autograd's cmd/dot):
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

/* A window's drawing keeps room in its legend for "in progress" and grad⁺
 * (so stepping through never resizes it), drawn white on white until a
 * step runs: it said "in progress" in its colours with nothing running. */
static void test_legend_keeps_blank_room(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *s = ag_sin(ctx, x);
    ag_var *y = named(ag_exp(ctx, s), "y");
    viz_graph_opts o = defaults();
    o.reserve_values = true;
    for (int step = 0; step < 2; step++) {
        o.active = step ? ag_creator(s) : NULL;
        Agraph_t *g = read_dot(y, &o);
        const char *legend = NULL;
        for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
            if (is_legend(n)) legend = attr(n, "label");
        assert_non_null(legend);
        const char *entry = strstr(legend, "in progress");
        assert_non_null(entry); /* the room, either way */
        /* the entry's cell: the last <TD ...> before its text */
        const char *cell = legend, *next;
        while ((next = strstr(cell + 1, "<TD")) != NULL && next < entry) cell = next;
        char opening[160];
        snprintf(opening, sizeof opening, "%.*s", (int)(entry - cell), cell);
        printf("    %s: %s\n", step ? "a step" : "no step", opening);
        if (step) {
            assert_non_null(strstr(opening, "BGCOLOR=\"#FFCA28\""));
            assert_null(strstr(opening, "white"));
        } else {
            assert_non_null(strstr(opening, "BGCOLOR=\"white\""));
            assert_non_null(strstr(opening, "<FONT COLOR=\"white\">"));
        }
        agclose(g);
    }
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

/* Names and titles that came from a file or a user (a leaf named from a
 * string, a graph's title) with control characters: the tree, the DOT text
 * (HTML labels, a cluster's and the graph's plain labels) and the engine's
 * ag_dot show '?' for each (as text_printable: a terminal obeys ESC and BEL
 * when the text is printed or the file shown), a tab or newline a space, so
 * no name starts a line of its own. */
static void test_names_made_printable(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "a\x1b[31mred\a");
    ag_var *y = named(ag_sin(ctx, x), "y\nz\t\xc2\x9b");
    viz_graph_opts o = defaults();
    o.grads = false;
    check_tree(y, &o,
               "y z ? = 0.8414709848078965 ← Sin\n"
               "└── a?[31mred? = 1\n");
    o.title = "t\x1b]0;owned\a";
    char err[VIZ_ERRLEN] = "";
    char *tree = viz_graph_tree(y, &o, err);
    assert_non_null(tree);
    assert_true(strncmp(tree, "t?]0;owned?\n", 12) == 0);
    free(tree);
    char *dot = viz_graph_dot(y, &o, err);
    assert_non_null(dot);
    assert_non_null(strstr(dot, "a?[31mred?"));
    for (const char *c = dot; *c; c++)
        assert_false(*c == '\x1b' || *c == '\a' || (c[0] == '\xc2' && c[1] == '\x9b'));
    free(dot);
    o.title = NULL;
    Agraph_t *g = read_dot(y, &o);
    assert_non_null(strstr(attr(node_with(g, "a?[31mred?"), "label"), "<B>a?[31mred?</B>"));
    agclose(g);
    char *plain = ag_dot(y, true);
    assert_non_null(plain);
    assert_non_null(strstr(plain, "[label=\"a?[31mred?: []\""));
    assert_null(strchr(plain, '\x1b'));
    assert_null(strchr(plain, '\a'));
    free(plain);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_dot_sin_plus_square),
        CTX_TEST(test_dot_x_times_x_has_two_edges),
        CTX_TEST(test_dot_constants_shared_or_copied),
        CTX_TEST(test_dot_create_graph_tanh),
        CTX_TEST(test_dot_roles_and_options),
        CTX_TEST(test_legend_keeps_blank_room),
        CTX_TEST(test_dot_active_function),
        CTX_TEST(test_dot_depth_draws_stubs),
        CTX_TEST(test_dot_leaf_and_errors),
        CTX_TEST(test_split_outputs),
        CTX_TEST(test_summed_gradient_marked),
        CTX_TEST(test_marked_variables),
        CTX_TEST(test_tree_sin_plus_square),
        CTX_TEST(test_tree_marks_active_and_repeats),
        CTX_TEST(test_tree_of_tensor),
        CTX_TEST(test_dot_operand_roles_and_seed),
        CTX_TEST(test_names_made_printable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
