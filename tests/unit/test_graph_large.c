/* test_graph_large.c — large and folded graphs: the node limit and depth=,
 * the digest against the DOT, folded groups (calls, conv boxes, MLP layers),
 * the last backward's gradients, long edges and long chains drawn fast. */
#include "graph_test_util.h"
#include <gvc.h>
#include "graph_internal.h"

#define BIG_GRAPH_NODES_FOR_TEST BIG_GRAPH_NODES

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
    /* the text tree keeps the limit of 400; a drawing takes what lays out in
     * under a second, which for a chain (our layered layout) is up to
     * VIZ_MAX_MAX_NODES */
    assert_null(viz_graph_tree(y, &o, err));
    assert_string_equal(err, refusal);
    char *whole = viz_graph_dot(y, &o, err);
    assert_non_null(whole);
    free(whole);
    ag_var *longer = sin_chain(2600); /* 5201 nodes */
    assert_null(viz_graph_dot(longer, &o, err));
    assert_string_equal(err, "graph has 5201 nodes (limit 5000): draw the part near the output with depth=2499");
    char path[128];
    snprintf(path, sizeof path, "/tmp/test_graph_refused_%ld.png", (long)getpid());
    unlink(path);
    assert_int_equal(viz_graph_render(longer, &o, path, NULL, NULL, err), -1);
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

/* The clusters' order in the SVG (and in the layout, which takes them in
 * that order) is the order they were made in, whatever the heap looks like:
 * cgraph's default IDs were the addresses of its copies of their names, so
 * the same graph came out in two ways in the kernel, whose heap differs
 * from call to call.  Here the heap is made to hand out blocks of the names'
 * sizes at falling addresses (malloc's per-size caches give back the last
 * block freed first), which flipped the order. */
static size_t cluster_order(const char *svg, char *order, size_t size) {
    size_t n = 0;
    for (const char *p = svg; (p = strstr(p, "<title>cluster_")) != NULL && n + 2 < size; p++)
        order[n++] = p[15] == 'l' ? 'L' : p[strlen("<title>cluster_group")];
    order[n] = '\0';
    return n;
}
static void test_clusters_in_the_order_made(void **state) {
    ag_var *z = two_calls();
    viz_graph_opts o = defaults();
    o.group_title = test_group_title;
    char err[VIZ_ERRLEN] = "", first[16], again[16];
    size_t size = 0;
    char *svg = viz_graph_svg(z, &o, &size, err);
    if (svg == NULL) fail_msg("%s", err);
    assert_int_equal(cluster_order(svg, first, sizeof first), 3);
    free(svg);
    enum { BLOCKS = 24 };
    for (size_t bytes = 24; bytes <= 200; bytes += 8) {
        void *blocks[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) blocks[i] = malloc(bytes);
        for (int i = 0; i < BLOCKS; i++) free(blocks[i]); /* the highest comes back first */
    }
    svg = viz_graph_svg(z, &o, &size, err);
    if (svg == NULL) fail_msg("%s", err);
    cluster_order(svg, again, sizeof again);
    free(svg);
    assert_string_equal(again, first);
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

/* A conv layer's box: Im2col and MaxPool2d under a layer's tag
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
 * so the boxes step down to the right; each box lists its w and b with
 * their gradients in one row: a row each made it 1,240 px high). */
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
    unsigned width, height;
    png_size_of(loss, &o, &width, &height);
    if (width > 3200 || height > 1200) fail_msg("folded MLP loss PNG %ux%u", width, height);
    char *svg = svg_of(loss, &o, "mlp");
    double pt_width, pt_height;
    bool shrunk;
    svg_points(svg, &pt_width, &pt_height, &shrunk);
    assert_false(shrunk);
    const char *scale = strstr(svg, "scale(");
    double factor = strtod(scale + strlen("scale("), NULL) * width / pt_width;
    double smallest = 1e9;
    int texts = 0;
    for (const char *p = strstr(svg, "font-size=\""); p; p = strstr(p + 1, "font-size=\"")) {
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

/* Counts the occurrences of needle in text. */
static size_t count_of(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle)) n++;
    return n;
}

/* Big graphs are drawn, not refused or lost, when max_nodes allows them:
 * a 2,001-node chain as a PNG (scaled to VIZ_MAX_IMAGE_PX on its long side,
 * the x optimisation skipped: one straight column, where it drifted 1264 px
 * wide) and a 4,999-node one as SVG with every node in it.  The layout runs
 * in a child, so its CPU time is counted with the children's: the 2,001-node
 * PNG within 15 times a 201-node SVG (4-6 times here, 8-11 with the x
 * optimisation; a runaway layout takes hundreds). */
static void test_big_graphs_are_drawn(void **state) {
    viz_graph_opts o = defaults();
    o.max_nodes = VIZ_MAX_MAX_NODES;
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    ag_var *small = sin_chain(100), *big = sin_chain(1000);
    double small_seconds = 0, start;
    unsigned char *png;
    for (int round = 0; round < 2; round++) { /* the second, with fonts and plugins loaded */
        start = process_and_children_cpu_seconds();
        char *svg = viz_graph_svg(small, &o, &size, err);
        small_seconds = process_and_children_cpu_seconds() - start;
        if (svg == NULL) fail_msg("viz_graph_svg: %s", err);
        free(svg);
    }
    start = process_and_children_cpu_seconds();
    png = viz_graph_png(big, &o, &size, err);
    double big_seconds = process_and_children_cpu_seconds() - start;
    if (png == NULL) fail_msg("viz_graph_png: %s", err);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    unsigned width = read_be32(png + 16), height = read_be32(png + 20);
    free(png);
    assert_int_equal(height, VIZ_MAX_IMAGE_PX); /* 2,000 ranks: the long side at the cap */
    assert_in_range(width, 10, 400);             /* a column, not a drift to the right */
    print_message("2,001-node PNG: %.3f s of CPU, 201-node SVG: %.3f s\n", big_seconds, small_seconds);
    assert_below(big_seconds, 15 * small_seconds);

    char *svg = viz_graph_svg(sin_chain(2499), &o, &size, err);
    if (svg == NULL) fail_msg("viz_graph_svg: %s", err);
    assert_int_equal(count_of(svg, "class=\"node\""), 4999 + 1); /* and the legend */
    assert_int_equal(count_of(svg, "class=\"edge\""), 4998);
    free(svg);
}

/* Refusing a 100001-node graph walks it once: well under 2 s of CPU time
 * (which a loaded machine does not stretch; scaled for the sanitizers). */
/* Counts occurrences of needle in text. */
static int occurrences(const char *text, const char *needle) {
    int count = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle)) count++;
    return count;
}

/* The layered layout (past 1,000 nodes) draws what dot draws: every node,
 * every edge, and the operand names on the edges into a subtraction and a
 * division (y = sin(y - x) / x + y, 300 times: 2,401 nodes; x is read by
 * 600 ops, its long edges drawn straight or bent), with the default limit. */
static void test_layered_layout_draws_everything(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.5), "x"), *y = x;
    for (int i = 0; i < 300; i++) y = ag_add(ctx, ag_div(ctx, ag_sin(ctx, ag_sub(ctx, y, x)), x), y);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    char *dot = viz_graph_dot(y, &o, err);
    size_t size = 0;
    char *svg = viz_graph_svg(y, &o, &size, err);
    if (dot == NULL || svg == NULL) fail_msg("%s", err);
    int labelled = occurrences(dot, "label=a]") + occurrences(dot, "label=b]");
    assert_in_range(labelled, 600, 1300); /* operands of y - x and sin(...) / x named */
    assert_int_equal(occurrences(svg, "class=\"node\""), 2401 + 1); /* and the legend */
    assert_int_equal(occurrences(svg, "class=\"edge\""), 3300);
    assert_int_equal(occurrences(svg, "fill=\"#6a1b9a\">"), labelled + 1); /* and the legend's line */
    free(dot);
    free(svg);
}

typedef struct beside_check {
    ag_var *w, *b;
    bool seen;
    double w_x, b_x, linear_x, w_y, b_y, linear_y; /* points */
    int between;      /* nodes on Linear's rank between w and b, Linear not counted */
    bool arrow_at_linear; /* b's edge: its arrowhead at the Linear */
} beside_check;

static void check_layered_beside(Agraph_t *g, const viz_render_transform *t, void *user) {
    beside_check *c = user;
    (void)t;
    char w_name[32], b_name[32];
    Agnode_t *w = NULL, *b = NULL, *linear = NULL;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        const char *label = agget(n, "label");
        if (label != NULL && strcmp(label, "Linear") == 0) linear = n;
        if (label != NULL && strstr(label, "<B>w</B>") != NULL) w = n;
        if (label != NULL && strstr(label, "<B>b</B>") != NULL) b = n;
    }
    if (w == NULL || b == NULL || linear == NULL) return;
    snprintf(w_name, sizeof w_name, "%s", agnameof(w));
    snprintf(b_name, sizeof b_name, "%s", agnameof(b));
    c->seen = true;
    c->w_x = ND_coord(w).x, c->w_y = ND_coord(w).y;
    c->b_x = ND_coord(b).x, c->b_y = ND_coord(b).y;
    c->linear_x = ND_coord(linear).x, c->linear_y = ND_coord(linear).y;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        if (n != w && n != b && n != linear && fabs(ND_coord(n).y - c->linear_y) < 0.5 &&
            ND_coord(n).x > fmin(c->w_x, c->b_x) && ND_coord(n).x < fmax(c->w_x, c->b_x))
            c->between++;
    for (Agedge_t *e = agfstedge(g, b); e != NULL; e = agnxtedge(g, e, b)) {
        splines *spl = ED_spl(e);
        if (spl == NULL || spl->size < 1) continue;
        const bezier *bz = &spl->list[0];
        /* the arrowhead's tip, at whichever end it is, on Linear's side */
        pointf tip = bz->sflag ? bz->sp : bz->eflag ? bz->ep : (pointf){-1e9, -1e9};
        c->arrow_at_linear = fabs(tip.x - c->linear_x) < fabs(tip.x - c->b_x);
    }
}

/* Our layered layout (a graph past 1,000 nodes, no frames) keeps a layer's
 * parameters on the rank of the Linear that reads them, as dot does with
 * rank=same: w left of it and b right of it (its edge drawn backwards),
 * nothing between, the arrowhead at the Linear.  It put both a rank above
 * the Linear, ignoring rank=same. */
static void test_layered_layout_keeps_parameters_beside(void **state) {
    ag_var *x = named(ag_randn(ctx, 2, (int[]){4, 2}, NULL), "x");
    for (int i = 0; i < 600; i++) x = ag_sin(ctx, x);
    ag_var *w = named(ag_randn(ctx, 2, (int[]){2, 3}, NULL), "w"), *b = named(ag_randn(ctx, 2, (int[]){1, 3}, NULL), "b");
    ag_var_set_flags(w, ag_var_flags(w) | AG_VAR_PARAM);
    ag_var_set_flags(b, ag_var_flags(b) | AG_VAR_PARAM);
    ag_var *y = named(ag_sum(ctx, ag_linear(ctx, x, w, b), NULL, 0), "y");
    assert_non_null(y);
    viz_graph_opts o = defaults();
    viz_walk walk;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&walk, y, &o, err) != 0) fail_msg("walk: %s", err);
    assert_true(walk.ndrawn > BIG_GRAPH_NODES_FOR_TEST);
    beside_check c = {.w = w, .b = b};
    viz_layout_hooks hooks = {NULL, NULL, check_layered_beside, &c};
    int width, height;
    uint32_t *pixels = viz_walk_pixels(&walk, &o, &hooks, &width, &height, err);
    if (pixels == NULL) fail_msg("pixels: %s", err);
    free(pixels);
    viz_walk_free(&walk);
    assert_true(c.seen);
    print_message("w at %.0f,%.0f, Linear at %.0f,%.0f, b at %.0f,%.0f; %d between\n", c.w_x, c.w_y, c.linear_x,
                  c.linear_y, c.b_x, c.b_y, c.between);
    assert_true(fabs(c.w_y - c.linear_y) < 0.5 && fabs(c.b_y - c.linear_y) < 0.5);
    assert_true(c.w_x < c.linear_x && c.linear_x < c.b_x);
    assert_int_equal(c.between, 0);
    assert_true(c.arrow_at_linear);
}

static void test_walk_of_a_long_chain(void **state) {
    ag_var *y = sin_chain(50000);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    double start = seconds_now();
    assert_null(viz_graph_dot(y, &o, err));
    assert_below(seconds_now() - start, 2.0 * SANITIZER_SCALE);
    assert_string_equal( /* the default for a chain: what the layered layout takes */
        err, "graph has 100001 nodes (limit 5000): draw the part near the output with depth=2499");
    o.max_nodes = VIZ_MAX_MAX_NODES;
    assert_null(viz_graph_dot(y, &o, err));
    assert_string_equal(
        err, "graph has 100001 nodes (limit 5000): draw the part near the output with depth=2499");
}

/* A PNG scaled down so far that its text is unreadable says so: a 601-node
 * chain fills the 8000 px cap with its node text about 5 px high, and the
 * note names the picture's size as written and what draws it readably; a
 * 41-node chain, drawn at full size, has no note. */
static void test_scaled_down_png_says_so(void **state) {
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_file_bytes(sin_chain(300), &o, "chain.png", &size, NULL, NULL, err);
    if (png == NULL) fail_msg("viz_graph_file_bytes: %s", err);
    unsigned width = read_be32(png + 16), height = read_be32(png + 20);
    free(png);
    assert_int_equal(height, VIZ_MAX_IMAGE_PX);
    char size_text[64];
    snprintf(size_text, sizeof size_text, "scaled down to %u x %u px", width, height);
    if (strstr(err, size_text) == NULL || strstr(err, "render it to .svg") == NULL)
        fail_msg("note \"%s\" lacks \"%s\"", err, size_text);
    const char *about = strstr(err, "its text is about ");
    assert_non_null(about);
    assert_in_range(atoi(about + strlen("its text is about ")), 2, VIZ_SMALLEST_TEXT_PX - 1);

    png = viz_graph_file_bytes(sin_chain(20), &o, "chain.png", &size, NULL, NULL, err);
    assert_non_null(png);
    assert_true(read_be32(png + 20) < VIZ_MAX_IMAGE_PX);
    free(png);
    assert_string_equal(err, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_node_limit_and_depth),
        CTX_TEST(test_long_edges_render_fast),
        CTX_TEST(test_walk_of_a_long_chain),
        CTX_TEST(test_layered_layout_draws_everything),
        CTX_TEST(test_big_graphs_are_drawn),
        CTX_TEST(test_digest_agrees_with_the_dot),
        CTX_TEST(test_fold_conv_box_shows_the_kernel),
        CTX_TEST(test_fold_groups),
        CTX_TEST(test_clusters_in_the_order_made),
        CTX_TEST(test_last_backward_gradients),
        CTX_TEST(test_folded_mlp_png_readable),
        CTX_TEST(test_scaled_down_png_says_so),
        CTX_TEST(test_layered_layout_keeps_parameters_beside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
