/* test_graph_groups.c — big recurrent graphs folded so they read:
 * an LSTM's (or RNN's) time steps are groups with their gates
 * inside, the weights the steps share fold into one box per layer with one
 * edge to each step, the indexing that feeds a step folds into it; the
 * 5-step LSTM loss opens folded with at most 60 boxes, and in the layout
 * Graphviz makes for the window no edge passes through a box it does not
 * start or end at. */
#include "testutil.h"

#include <cgraph.h>
#include <gvc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_model.h"
#include "ag_rand.h"
#include "graph.h"
#include "graph_internal.h"
#include "graph_scene.h"

/* ---- the REPL's notes, as repl/graph_notes.c makes them ----------------- */

enum { MAX_TAGS = 64 };
static char titles[MAX_TAGS][64]; /* tag → "model.lstm step 3" */
static unsigned ntags = 1;        /* tag 0 is no group */
static ag_model *the_model;

static unsigned tag_layer(void *user, const void *model, const char *layer, unsigned outer) {
    (void)user, (void)model;
    if (ntags >= MAX_TAGS) return outer;
    snprintf(titles[ntags], sizeof titles[ntags], "model.%s", layer);
    return ntags++;
}

static const char *group_title(void *user, unsigned tag) {
    (void)user;
    return tag > 0 && tag < ntags ? titles[tag] : NULL;
}

static const char *var_path(void *user, const ag_var *v) {
    static char path[96];
    (void)user;
    for (int k = 0; the_model != NULL && k < ag_model_param_count(the_model); k++) {
        const char *name;
        if (ag_model_param(the_model, k, &name) != v) continue;
        snprintf(path, sizeof path, "model.%s", name);
        return path;
    }
    return NULL;
}

static ag_var *named(ag_var *v, const char *name) {
    ag_set_name(v, name);
    return v;
}

/* The lesson's loss over `steps` steps (samples/lstm_sine.ag): a noisy wave
 * as a column, each step reads wave[[i]] and its squared error against
 * wave[[i + 1]] is added to the loss; then backward. */
static ag_var *recurrent_loss(bool lstm, int steps) {
    ntags = 1;
    ag_observe_layers(ctx, tag_layer, NULL);
    ag_keep_last_grads(ctx, true);
    the_model = lstm ? ag_lstm_model(ctx, 20, 1, 0) : ag_rnn_model(ctx, 20, 1, 0);
    assert_non_null(the_model);
    ag_var *t = named(ag_linspace(ctx, 0, 8 * M_PI, 200), "t");
    /* noise: uniform in [-0.05, 0.05) */
    ag_var *noise = named(ag_mul(ctx, ag_sub(ctx, ag_rand(ctx, 1, (int[]){200}, NULL), ag_scalar(ctx, 0.5)),
                                 ag_scalar(ctx, 0.1)),
                          "noise");
    ag_var *wave = named(ag_reshape(ctx, ag_add(ctx, ag_sin(ctx, t), noise), 2, (int[]){200, 1}), "wave");
    ag_var *loss = named(ag_scalar(ctx, 0), "loss");
    for (int i = 0; i < steps; i++) {
        ag_var *prediction = ag_model_forward(the_model, ag_get_item(ctx, wave, 0, (int[]){i}, 1));
        assert_non_null(prediction);
        loss = named(ag_add(ctx, loss, ag_mse(ctx, prediction, ag_get_item(ctx, wave, 0, (int[]){i + 1}, 1))),
                     "loss");
    }
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    ag_observe_layers(ctx, NULL, NULL);
    return loss;
}

static viz_graph_opts folded(void) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.group_title = group_title;
    o.var_path = var_path;
    return o;
}

static void finish(void) {
    ag_keep_last_grads(ctx, false);
    ag_model_unref(the_model);
    the_model = NULL;
}

/* The group of w titled `title`, or -1. */
static int group_titled(const viz_walk *w, const viz_graph_opts *o, const char *title) {
    for (size_t g = 0; g < w->ngroups; g++)
        if (strcmp(viz_group_title(w, o, g), title) == 0) return (int)g;
    return -1;
}

typedef struct edge_count {
    size_t from;     /* count edges out of this node */
    size_t edges;    /* ... all of them */
    size_t to_boxes; /* ... those into a folded box */
    size_t boxes;    /* the first box's node number (nvars + nfuncs) */
} edge_count;

static bool count_from(void *user, size_t from, size_t to, const char *operand) {
    (void)operand;
    edge_count *c = user;
    if (from != c->from) return true;
    c->edges++;
    c->to_boxes += to >= c->boxes;
    return true;
}

/* ---- the walk ------------------------------------------------------------- */

/* Folded (the default for a graph this big): one box per step with the
 * gates inside, the 12 LSTM weights in one box with one edge to each of the
 * 5 steps, the linear layer's w and b in one with one edge to each of its
 * 5 calls; the x[[i]] each step reads inside its box; at most 60 boxes. */
static void test_lstm_steps_and_parameters_fold(void **state) {
    ag_var *loss = recurrent_loss(true, 5);
    viz_graph_opts o = folded();
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    size_t unfolded = w.nvars + w.nfuncs + w.ncut;
    if (w.ndrawn > 60 || unfolded < 200)
        fail_msg("%zu boxes drawn folded (%zu unfolded)", w.ndrawn, unfolded);
    char title[64];
    for (int step = 1; step <= 5; step++) {
        snprintf(title, sizeof title, "model.lstm step %d", step);
        int g = group_titled(&w, &o, title);
        assert_true(g >= 0);
        assert_true(w.group_folded[g]);
        /* the gates (four sigmoids or tanhs, their products) inside */
        int inside = 0;
        for (size_t f = 0; f < w.nfuncs; f++) inside += w.func_group[f] == g;
        if (inside < (step == 1 ? 8 : 20)) fail_msg("step %d holds %d ops", step, inside);
        /* wave[[i]] inside: the step reads wave itself */
        bool reads_wave = false;
        for (size_t j = w.inputs_start[g]; j < w.inputs_start[g + 1]; j++)
            reads_wave |= strcmp(ag_name(w.vars[w.group_inputs[j]]), "wave") == 0;
        assert_true(reads_wave);
    }
    int lstm_params = group_titled(&w, &o, "model.lstm parameters");
    int linear_params = group_titled(&w, &o, "model.linear parameters");
    assert_true(lstm_params >= 0 && linear_params >= 0);
    assert_true(w.group_folded[lstm_params] && w.group_folded[linear_params]);
    int held = 0;
    for (size_t i = 0; i < w.nvars; i++) {
        if (!(ag_var_flags(w.vars[i]) & AG_VAR_PARAM)) continue;
        held++;
        bool lstm_weight = strncmp(var_path(NULL, w.vars[i]), "model.lstm.", 11) == 0;
        assert_int_equal(w.var_group[i], lstm_weight ? lstm_params : linear_params);
        assert_int_equal(viz_walk_var_folded(&w, i), w.var_group[i]);
    }
    assert_int_equal(held, 14);
    /* the wave, made from t and the noise by five ops that read no
     * parameter, is one box "wave (data)" with its leaves inside, not ten
     * nodes above the steps */
    int data = group_titled(&w, &o, "wave (data)");
    assert_true(data >= 0 && w.group_folded[data] && !viz_group_is_params(&w, (size_t)data));
    int data_ops = 0;
    for (size_t f = 0; f < w.nfuncs; f++) data_ops += w.func_group[f] == data;
    assert_int_equal(data_ops, 5); /* Sub, Mul, Sin, Add, Reshape */
    for (size_t i = 0; i < w.nvars; i++)
        if (strcmp(ag_name(w.vars[i]), "t") == 0 || strcmp(ag_name(w.vars[i]), "noise") == 0)
            assert_int_equal(viz_walk_var_folded(&w, i), data);
    assert_int_equal(w.inputs_start[data + 1] - w.inputs_start[data], 0); /* nothing drawn feeds it */
    size_t boxes = w.nvars + w.nfuncs;
    edge_count c = {boxes + (size_t)lstm_params, 0, 0, boxes};
    viz_walk_each_edge(&w, count_from, &c);
    assert_int_equal(c.edges, 5); /* one to each step, not 12 per step */
    assert_int_equal(c.to_boxes, 5);
    c = (edge_count){boxes + (size_t)linear_params, 0, 0, boxes};
    viz_walk_each_edge(&w, count_from, &c);
    assert_int_equal(c.edges, 5);
    viz_walk_free(&w);

    /* the box's label names the weights inside the layer and their sizes */
    char *dot = viz_graph_dot(loss, &o, err);
    if (dot == NULL) fail_msg("dot: %s", err);
    assert_non_null(strstr(dot, "model.lstm parameters"));
    assert_non_null(strstr(dot, "x2f.w"));
    assert_non_null(strstr(dot, "12 parameters, 1760 numbers"));
    assert_non_null(strstr(dot, "2 parameters, 21 numbers"));
    /* no graph-wide argument order */
    Agraph_t *g = agmemread(dot);
    assert_non_null(g);
    const char *order = agget(g, "ordering");
    assert_true(order == NULL || order[0] == '\0');
    agclose(g);
    free(dot);

    /* the data opened (a click): argument order kept where it matters (the
     * noise's Sub) */
    viz_walk_build(&w, loss, &o, err);
    int opened_data = group_titled(&w, &o, "wave (data)");
    viz_walk_free(&w);
    unsigned char *open_data = calloc((size_t)opened_data + 1, 1);
    open_data[opened_data] = 1;
    o.unfolded = open_data;
    o.n_unfolded = opened_data + 1;
    dot = viz_graph_dot(loss, &o, err);
    o.unfolded = NULL;
    o.n_unfolded = 0;
    free(open_data);
    if (dot == NULL) fail_msg("dot: %s", err);
    g = agmemread(dot);
    assert_non_null(g);
    int subs = 0;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        const char *label = agget(n, "label");
        if (label == NULL || strcmp(label, "Sub") != 0) continue;
        subs++;
        assert_string_equal(agget(n, "ordering"), "in");
    }
    assert_int_equal(subs, 1);
    agclose(g);
    free(dot);

    /* opened (a click): the weights come back as nodes in the layer's frame */
    viz_walk_build(&w, loss, &o, err);
    int open = group_titled(&w, &o, "model.lstm parameters");
    viz_walk_free(&w);
    unsigned char *unfolded_groups = calloc((size_t)open + 1, 1);
    unfolded_groups[open] = 1;
    o.unfolded = unfolded_groups;
    o.n_unfolded = open + 1;
    dot = viz_graph_dot(loss, &o, err);
    if (dot == NULL) fail_msg("dot: %s", err);
    char cluster[64];
    snprintf(cluster, sizeof cluster, "subgraph cluster_group%d", open);
    const char *frame = strstr(dot, cluster);
    assert_non_null(frame);
    assert_non_null(strstr(frame, "model.lstm.h2f.w"));
    free(dot);
    free(unfolded_groups);

    /* not folded: every weight is its own node, no parameter box */
    o = folded();
    o.fold = 0;
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    assert_int_equal(group_titled(&w, &o, "model.lstm parameters"), -1);
    assert_int_equal(w.ndrawn, unfolded);
    viz_walk_free(&w);
    finish();
}

/* An RNN the same way: steps, its weights in one box. */
/* Two steps: the forget gate's x2f and the four h2* weights are first read
 * at step 2 (step 1 has no h, and its c is i * u), by one call only; they
 * are the layer's all the same, so its box holds all 12 (it held the 6 both
 * steps read, and the picture said an LSTM has 6 parameters). */
static void test_lstm_two_steps_every_parameter(void **state) {
    ag_var *loss = recurrent_loss(true, 2);
    viz_graph_opts o = folded();
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    int lstm_params = group_titled(&w, &o, "model.lstm parameters");
    assert_true(lstm_params >= 0);
    int held = 0;
    for (size_t i = 0; i < w.nvars; i++)
        if ((ag_var_flags(w.vars[i]) & AG_VAR_PARAM) && strncmp(var_path(NULL, w.vars[i]), "model.lstm.", 11) == 0) {
            assert_int_equal(w.var_group[i], lstm_params);
            held++;
        }
    assert_int_equal(held, 12);
    viz_walk_free(&w);
    char *dot = viz_graph_dot(loss, &o, err);
    if (dot == NULL) fail_msg("dot: %s", err);
    assert_non_null(strstr(dot, "12 parameters, 1760 numbers"));
    free(dot);
    finish();
}

static void test_rnn_steps_and_parameters_fold(void **state) {
    ag_var *loss = recurrent_loss(false, 5);
    viz_graph_opts o = folded();
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    assert_true(group_titled(&w, &o, "model.rnn step 5") >= 0);
    int params = group_titled(&w, &o, "model.rnn parameters");
    assert_true(params >= 0);
    size_t boxes = w.nvars + w.nfuncs;
    edge_count c = {boxes + (size_t)params, 0, 0, boxes};
    viz_walk_each_edge(&w, count_from, &c);
    assert_int_equal(c.edges, 5);
    if (w.ndrawn > 60) fail_msg("%zu boxes", w.ndrawn);
    viz_walk_free(&w);
    finish();
}

/* ---- the layout ----------------------------------------------------------- */

typedef struct crossing {
    int nodes, edges, crossings;
    char first[160];
    double width, height; /* the picture, pixels */
    double smallest_font; /* points, of node text */
} crossing;

/* Is p strictly inside node n's box (shrunk by 1 point at each side)? */
static bool inside_node(Agnode_t *n, pointf p) {
    double half_w = ND_width(n) * 72 / 2 - 1, half_h = ND_height(n) * 72 / 2 - 1;
    pointf c = ND_coord(n);
    return fabs(p.x - c.x) < half_w && fabs(p.y - c.y) < half_h;
}

static pointf bezier_at(const pointf *p, double t) {
    double u = 1 - t;
    pointf q = {u * u * u * p[0].x + 3 * u * u * t * p[1].x + 3 * u * t * t * p[2].x + t * t * t * p[3].x,
                u * u * u * p[0].y + 3 * u * u * t * p[1].y + 3 * u * t * t * p[2].y + t * t * t * p[3].y};
    return q;
}

/* Every edge's spline, sampled 32 times per Bézier piece, against every
 * node that is not one of its ends. */
static void check_crossings(Agraph_t *g, const viz_render_transform *t, void *user) {
    crossing *c = user;
    (void)t;
    c->width = GD_bb(g).UR.x - GD_bb(g).LL.x;
    c->height = GD_bb(g).UR.y - GD_bb(g).LL.y;
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        c->nodes++;
        const char *size = agget(n, "fontsize");
        double points = size != NULL && size[0] ? atof(size) : 14;
        if (strcmp(agnameof(n), "legend") != 0 && points < c->smallest_font) c->smallest_font = points;
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
            c->edges++;
            splines *spl = ED_spl(e);
            bool crossed = false;
            for (int b = 0; spl != NULL && b < spl->size && !crossed; b++) {
                bezier *bz = &spl->list[b];
                for (int k = 0; k + 3 < bz->size && !crossed; k += 3)
                    for (int s = 0; s <= 32 && !crossed; s++) {
                        pointf p = bezier_at(&bz->list[k], s / 32.0);
                        for (Agnode_t *m = agfstnode(g); m != NULL && !crossed; m = agnxtnode(g, m)) {
                            if (m == agtail(e) || m == aghead(e) || !inside_node(m, p)) continue;
                            crossed = true;
                            if (c->crossings == 0)
                                snprintf(c->first, sizeof c->first, "%s -> %s through %s at %.0f,%.0f",
                                         agnameof(agtail(e)), agnameof(aghead(e)), agnameof(m), p.x, p.y);
                        }
                    }
            }
            c->crossings += crossed;
        }
    }
}

/* The picture the window shows: no edge through a box; its text at the
 * scale the window opens a 1600 x 1000 screen with is at least 12 px. */
static void check_layout_with(ag_var *loss, const viz_graph_opts *opts, const char *what, double min_fit) {
    viz_graph_opts o = *opts;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    crossing c = {.smallest_font = 1e9};
    viz_layout_hooks hooks = {NULL, NULL, check_crossings, &c};
    int width, height;
    uint32_t *pixels = viz_walk_pixels(&w, &o, &hooks, &width, &height, err);
    if (pixels == NULL) fail_msg("pixels: %s", err);
    free(pixels);
    viz_walk_free(&w);
    if (c.nodes == 0) fail_msg("%s: the layout was not seen", what);
    if (c.crossings > 0) fail_msg("%s: %d of %d edges cross a box (first: %s)", what, c.crossings, c.edges, c.first);
    /* compact: fitted whole on the screen, the scale is at least min_fit
     * (the LSTM's was 0.36 before its data, targets and op lists were drawn
     * compactly) */
    viz_view view;
    viz_view_fit(&view, width, height, 1600, 1000);
    if (view.scale < min_fit)
        fail_msg("%s: picture %dx%d fits 1600x1000 at %.3f (< %.2f)", what, width, height, view.scale, min_fit);
    printf("    %s: fitted whole at %.3f\n", what, view.scale);
    viz_view_fit_min(&view, width, height, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    double px = c.smallest_font * VIZ_DPI / 72.0 * view.scale;
    if (px < 12) fail_msg("%s: text %.1f px at the opening scale %.3f (picture %dx%d)", what, px, view.scale, width, height);
    printf("    %s: %d boxes, %d edges, none through a box; picture %dx%d opens at %.2f, text >= %.1f px\n",
           what, c.nodes - 1, c.edges, width, height, view.scale, px);
}

static void check_layout(ag_var *loss, const char *what, double min_fit) {
    viz_graph_opts o = folded();
    check_layout_with(loss, &o, what, min_fit);
}

static void test_lstm_layout_no_edge_through_a_box(void **state) {
    check_layout(recurrent_loss(true, 5), "5-step LSTM", 0.45);
    finish();
}

static void test_rnn_layout_no_edge_through_a_box(void **state) {
    check_layout(recurrent_loss(false, 5), "5-step RNN", 0.45);
    finish();
}

/* The explorer lesson's MLP, mlp([10, 10, 1]) on 16 samples of 2
 * features, its mean squared error after backward. */
static ag_var *mlp_loss_framed(bool call) {
    ntags = 1;
    ag_observe_layers(ctx, tag_layer, NULL);
    ag_keep_last_grads(ctx, true);
    the_model = ag_mlp(ctx, (int[]){10, 10, 1}, 3, AG_ACT_SIGMOID, 0);
    assert_non_null(the_model);
    ag_var *x = named(ag_randn(ctx, 2, (int[]){16, 2}, NULL), "X");
    ag_var *y = named(ag_randn(ctx, 2, (int[]){16, 1}, NULL), "Y");
    unsigned outer = 0;
    if (call) { /* the lesson's def loss(m, X, Y) = mean((m(X) - Y)^2) */
        snprintf(titles[ntags], sizeof titles[ntags], "loss(m, X, Y)");
        outer = ag_set_func_tag(ctx, ntags++);
    }
    ag_var *loss = ag_mean(ctx, ag_pow(ctx, ag_sub(ctx, ag_model_forward(the_model, x), y), 2), NULL, 0);
    if (call) ag_set_func_tag(ctx, outer);
    loss = named(loss, "L");
    assert_non_null(loss);
    assert_int_equal(ag_backward(ctx, loss, NULL), 0);
    ag_observe_layers(ctx, NULL, NULL);
    return loss;
}

static ag_var *mlp_loss(void) { return mlp_loss_framed(false); }

/* Folded (a box per layer call, its weights inside) it fits a 1600 x 1000
 * screen whole with text of 12 px or more: fitted at 0.643 or more (14 pt
 * text at 96 dpi is 18.7 px at 100 %). */
static void test_mlp_fits_the_screen(void **state) {
    ag_var *loss = mlp_loss();
    viz_graph_opts o = folded();
    o.fold = 1;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    assert_true(w.ngroups >= 3);
    viz_walk_free(&w);
    o.fold = 1;
    check_layout_with(loss, &o, "MLP [10 10 1]", 12 / (14 * VIZ_DPI / 72.0));
    finish();
}

enum { MAX_PAIRS = 16 };
typedef struct beside {
    crossing c;
    char param[MAX_PAIRS][24], reader[MAX_PAIRS][24]; /* node names: "v6" is read by "f3" */
    int npairs;
    int off_rank; /* parameters not on their reader's rank */
    char first[96];
    int frames, frames_side_by_side; /* layers' and calls' frames; pairs sharing a height */
} beside;

static void check_beside(Agraph_t *g, const viz_render_transform *t, void *user) {
    beside *b = user;
    check_crossings(g, t, &b->c);
    for (int i = 0; i < b->npairs; i++) {
        Agnode_t *param = agnode(g, b->param[i], 0), *reader = agnode(g, b->reader[i], 0);
        if (param == NULL || reader == NULL || fabs(ND_coord(param).y - ND_coord(reader).y) > 0.5) {
            if (b->off_rank++ == 0)
                snprintf(b->first, sizeof b->first, "%s at y %.0f, its reader %s at y %.0f", b->param[i],
                         param ? ND_coord(param).y : -1, b->reader[i], reader ? ND_coord(reader).y : -1);
        }
    }
    for (Agraph_t *one = agfstsubg(g); one != NULL; one = agnxtsubg(one)) {
        if (strncmp(agnameof(one), "cluster_group", 13) != 0) continue;
        b->frames++;
        for (Agraph_t *other = agnxtsubg(one); other != NULL; other = agnxtsubg(other))
            if (strncmp(agnameof(other), "cluster_group", 13) == 0 && GD_bb(one).LL.y < GD_bb(other).UR.y &&
                GD_bb(other).LL.y < GD_bb(one).UR.y)
                b->frames_side_by_side++;
    }
}

/* Drawn whole (fold=false, the default for a graph this small), the same
 * MLP reads down the page: each layer's w and b sit on the rank of the
 * Linear that reads them, so a layer's frame starts below the frame of the
 * layer before it, and no edge crosses a box.  dot put them a rank above,
 * on the rank of the previous layer's output, and each frame stepped
 * sideways: a staircase twice as wide as it was tall (3734 x 1641 px). */
static void test_mlp_whole_reads_down(void **state) {
    ag_var *loss = mlp_loss();
    viz_graph_opts o = folded();
    o.fold = 0;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    beside b = {.c = {.smallest_font = 1e9}};
    for (size_t f = 0; f < w.nfuncs; f++)
        for (int k = 0; k < ag_func_ninputs(w.funcs[f]); k++) {
            size_t v = viz_walk_input(&w, f, k);
            if (v == VIZ_NOT_DRAWN || !(ag_var_flags(w.vars[v]) & AG_VAR_PARAM)) continue;
            assert_true(b.npairs < MAX_PAIRS);
            snprintf(b.param[b.npairs], sizeof b.param[0], "v%zu", v);
            snprintf(b.reader[b.npairs], sizeof b.reader[0], "f%zu", f);
            b.npairs++;
        }
    assert_int_equal(b.npairs, 6); /* w and b of 3 layers */
    viz_layout_hooks hooks = {NULL, NULL, check_beside, &b};
    int width, height;
    uint32_t *pixels = viz_walk_pixels(&w, &o, &hooks, &width, &height, err);
    if (pixels == NULL) fail_msg("pixels: %s", err);
    free(pixels);
    viz_walk_free(&w);
    printf("    MLP [10 10 1] whole: picture %dx%d, %d of %d parameters off their reader's rank, "
           "%d pairs of its %d frames side by side\n",
           width, height, b.off_rank, b.npairs, b.frames_side_by_side, b.frames);
    if (b.off_rank > 0) fail_msg("%d parameters off their reader's rank (first: %s)", b.off_rank, b.first);
    assert_int_equal(b.frames, 3); /* one per layer */
    if (b.frames_side_by_side > 0) fail_msg("%d pairs of frames side by side", b.frames_side_by_side);
    if (b.c.crossings > 0) fail_msg("%d of %d edges cross a box (first: %s)", b.c.crossings, b.c.edges, b.c.first);
    finish();
}

typedef struct titles_clear {
    int frames, titled, crossed; /* frames; with a title; titles an edge runs through */
    int params_left, params_right; /* a Linear's w and b, left and right of it */
    char first[160];
} titles_clear;

static void check_titles(Agraph_t *g, const viz_render_transform *t, void *user) {
    titles_clear *c = user;
    (void)t;
    for (Agraph_t *sub = agfstsubg(g); sub != NULL; sub = agnxtsubg(sub)) {
        if (strncmp(agnameof(sub), "cluster_group", 13) != 0) continue;
        c->frames++;
        textlabel_t *label = GD_label(sub);
        if (label == NULL || !label->set) continue;
        c->titled++;
        double half_w = label->dimen.x / 2 - 1, half_h = label->dimen.y / 2 - 1;
        bool crossed = false;
        for (Agnode_t *n = agfstnode(g); n != NULL && !crossed; n = agnxtnode(g, n))
            for (Agedge_t *e = agfstout(g, n); e != NULL && !crossed; e = agnxtout(g, e)) {
                splines *spl = ED_spl(e);
                for (int b = 0; spl != NULL && b < spl->size && !crossed; b++)
                    for (int k = 0; k + 3 < spl->list[b].size && !crossed; k += 3)
                        for (int s = 0; s <= 32 && !crossed; s++) {
                            pointf p = bezier_at(&spl->list[b].list[k], s / 32.0);
                            if (fabs(p.x - label->pos.x) >= half_w || fabs(p.y - label->pos.y) >= half_h) continue;
                            crossed = true;
                            if (c->crossed == 0)
                                snprintf(c->first, sizeof c->first, "%s -> %s through \"%s\" at %.0f,%.0f",
                                         agnameof(agtail(e)), agnameof(aghead(e)), label->text, p.x, p.y);
                        }
            }
        c->crossed += crossed;
    }
    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        const char *label = agget(n, "label");
        if (label == NULL || strcmp(label, "Linear") != 0) continue;
        for (Agedge_t *e = agfstedge(g, n); e != NULL; e = agnxtedge(g, e, n)) {
            Agnode_t *other = agtail(e) == n ? aghead(e) : agtail(e);
            if (fabs(ND_coord(other).y - ND_coord(n).y) > 0.5) continue; /* not beside it */
            if (ND_coord(other).x < ND_coord(n).x) c->params_left++;
            else c->params_right++;
        }
    }
}

/* Drawn whole, the explorer lesson's graph keeps its edges out of the
 * frames' titles: a Linear's b sits right of it (dot drew w and b both left
 * of it, and b's edge arched over w and out through the frame's title), and
 * each title slides along its band off the edge into its frame's first op
 * (the edge into Sub ran through "loss(m, X, Y)"). */
static void test_frame_titles_clear_of_edges(void **state) {
    ag_var *loss = mlp_loss_framed(true);
    viz_graph_opts o = folded();
    o.fold = 0;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    titles_clear c = {0};
    viz_layout_hooks hooks = {NULL, NULL, check_titles, &c};
    int width, height;
    uint32_t *pixels = viz_walk_pixels(&w, &o, &hooks, &width, &height, err);
    if (pixels == NULL) fail_msg("pixels: %s", err);
    free(pixels);
    viz_walk_free(&w);
    printf("    MLP [10 10 1] in loss(m, X, Y), whole: %d frames, %d titled, %d titles crossed; "
           "parameters %d left and %d right of their Linear\n",
           c.frames, c.titled, c.crossed, c.params_left, c.params_right);
    assert_int_equal(c.frames, 4); /* three layers and the call */
    assert_int_equal(c.titled, 4);
    if (c.crossed > 0) fail_msg("%d titles crossed by an edge (first: %s)", c.crossed, c.first);
    assert_int_equal(c.params_left, 3);
    assert_int_equal(c.params_right, 3);
    finish();
}

/* A minibatch (x[0:8] of the data, batches(...)'s xb: data with no name)
 * is what the first layer reads from outside: drawn outside its frame and,
 * folded, as an input of its box (it was drawn inside the frame, and folded
 * it was gone).  A literal the ops of a call use (the 3 of `y * 3` in a def)
 * stays inside the call. */
static void test_minibatch_outside_its_layer(void **state) {
    ntags = 1;
    ag_observe_layers(ctx, tag_layer, NULL);
    the_model = ag_mlp(ctx, (int[]){4, 2}, 2, AG_ACT_TANH, 0);
    assert_non_null(the_model);
    ag_var *batch = ag_randn(ctx, 2, (int[]){8, 2}, NULL); /* [8 2], as the REPL flags data */
    ag_var_set_flags(batch, ag_var_flags(batch) | AG_VAR_CONST | AG_VAR_DATA);
    ag_var *out = ag_model_forward(the_model, batch);
    assert_non_null(out);
    ag_observe_layers(ctx, NULL, NULL);
    snprintf(titles[ntags], sizeof titles[ntags], "scaled(y)");
    unsigned outer = ag_set_func_tag(ctx, ntags++);
    ag_var *three = ag_scalar(ctx, 3);
    ag_var_set_flags(three, ag_var_flags(three) | AG_VAR_CONST);
    ag_var *loss = named(ag_sum(ctx, ag_mul(ctx, out, three), NULL, 0), "L");
    ag_set_func_tag(ctx, outer);
    assert_non_null(loss);
    for (int fold = 0; fold < 2; fold++) {
        viz_graph_opts o = folded();
        o.fold = fold;
        viz_walk w;
        char err[VIZ_ERRLEN] = "";
        if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
        int first = group_titled(&w, &o, "model.linear[0]"), call = group_titled(&w, &o, "scaled(y)");
        assert_true(first >= 0 && call >= 0);
        size_t b = viz_walk_find(&w, batch), t = viz_walk_find(&w, three);
        assert_true(b != VIZ_NOT_DRAWN && t != VIZ_NOT_DRAWN);
        assert_int_equal(w.var_group[b], -1);
        assert_int_equal(w.var_group[t], call);
        assert_true(viz_walk_var_folded(&w, b) < 0); /* drawn */
        bool input = false;
        for (size_t j = w.inputs_start[first]; j < w.inputs_start[first + 1]; j++)
            input = input || w.group_inputs[j] == b;
        assert_true(input);
        viz_walk_free(&w);
    }
    finish();
}

/* The ops row of group `title`'s box in loss's folded drawing, in *row. */
static void box_ops_row(ag_var *loss, const char *title, char *row, size_t n) {
    viz_graph_opts o = folded();
    o.fold = 1;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    int g = group_titled(&w, &o, title);
    assert_true(g >= 0);
    strbuf html = {0};
    viz_box_label_html(&html, &w, (size_t)g, &o);
    char *label = strbuf_take(&html);
    assert_non_null(label);
    const char *start = strstr(label, "#4527A0\">"), *end = start ? strstr(start, "</FONT>") : NULL;
    assert_true(start != NULL && end != NULL);
    start += strlen("#4527A0\">");
    snprintf(row, n, "%.*s", (int)(end - start), start);
    free(label);
    viz_walk_free(&w);
}

/* A conv layer's box says it is one: its ops are an Im2col, a Linear and
 * reshapes.  On data images (digits.ag's img_train) the Im2col was not
 * recorded (an op on data records nothing), so the box read "Linear,
 * Reshape, Transpose, ReLU (6 ops)" without its window, fed by the
 * columns ("im2col(x) [128 9]"), not the image.  Now ag_conv2d records it
 * while the weights record: the same box and window row either way, the
 * image its input, and still no gradient for data.  Weights that are data
 * too record nothing, and the columns are named for what they are. */
static void test_conv_box_says_conv2d(void **state) {
    for (int data = 0; data < 2; data++) {
        ntags = 1;
        ag_observe_layers(ctx, tag_layer, NULL);
        ag_layer_spec layers[] = {{AG_LAYER_CONV2D, 4, 3, 1, 1}, {AG_LAYER_LINEAR, 10, 0, 0, 0}};
        the_model = ag_cnn(ctx, layers, 2, AG_ACT_RELU, 0);
        assert_non_null(the_model);
        ag_var *images = named(ag_randn(ctx, 4, (int[]){2, 1, 8, 8}, NULL), "img");
        if (data) ag_var_set_flags(images, ag_var_flags(images) | AG_VAR_CONST | AG_VAR_DATA);
        ag_var *loss = named(ag_sum(ctx, ag_model_forward(the_model, images), NULL, 0), "L");
        assert_non_null(loss);
        ag_observe_layers(ctx, NULL, NULL);
        char row[256];
        box_ops_row(loss, "model.conv[0]", row, sizeof row);
        printf("    %s images: %s\n", data ? "data" : "variable", row);
        assert_string_equal(row, "Conv2d: Im2col, Linear, Reshape, Transpose, ReLU (7 ops)");
        box_ops_row(loss, "model.linear[0]", row, sizeof row);
        assert_string_equal(row, "Reshape, Linear (2 ops)"); /* no kind where the ops say it */
        /* the box's window row, and the image (not its columns) feeding it */
        viz_graph_opts o = folded();
        char err[VIZ_ERRLEN] = "";
        char *dot = viz_graph_dot(loss, &o, err);
        if (dot == NULL) fail_msg("%s", err);
        assert_non_null(strstr(dot, "kernel=[3 3], padding=[1 1]"));
        assert_non_null(strstr(dot, "<B>img</B>"));
        assert_null(strstr(dot, "im2col("));
        free(dot);
        ag_keep_last_grads(ctx, true);
        assert_int_equal(ag_backward(ctx, loss, NULL), 0);
        assert_true((ag_grad(images) != NULL) == !data); /* data gets none */
        /* the Im2col's columns: of data, a constant no gradient flows into
         * (the Linear's rule would make one, [128 9], to be dropped) */
        ag_var *columns = NULL;
        for (ag_var *v = loss; v != NULL && ag_creator(v) != NULL && columns == NULL;) {
            ag_func *f = ag_creator(v);
            if (ag_func_op(f) == AG_OP_IM2COL) columns = ag_func_output(f, 0);
            else v = ag_func_input(f, 0); /* down the first inputs: Linear's columns */
        }
        assert_non_null(columns);
        assert_int_equal((ag_var_flags(columns) & AG_VAR_CONST) != 0, data);
        assert_int_equal(ag_last_grad(columns) == NULL, data);
        ag_keep_last_grads(ctx, false);
        if (data) {
            /* weights of data too: nothing recorded, the columns named */
            ag_var *w = ag_randn(ctx, 4, (int[]){4, 1, 3, 3}, NULL);
            ag_var_set_flags(w, ag_var_flags(w) | AG_VAR_CONST | AG_VAR_DATA);
            ag_var *y = ag_conv2d(ctx, images, w, NULL, NULL, NULL, NULL, 1);
            assert_non_null(y);
            assert_null(ag_creator(y));
            assert_true(ag_var_flags(y) & AG_VAR_DATA);
        }
        finish();
    }
}

/* A layer's folded box lists the parameters folded into it, each by its
 * name inside the layer with its gradient (grad: none before a backward),
 * and the folded tree lists them under the layer: both drew the layer's
 * ops and output only, its w and b nowhere. */
static void test_box_lists_its_parameters(void **state) {
    ntags = 1;
    ag_observe_layers(ctx, tag_layer, NULL);
    the_model = ag_mlp(ctx, (int[]){4, 1}, 2, AG_ACT_TANH, 0);
    assert_non_null(the_model);
    ag_var *x = named(ag_randn(ctx, 2, (int[]){5, 3}, NULL), "x");
    ag_var *loss = named(ag_sum(ctx, ag_model_forward(the_model, x), NULL, 0), "L");
    assert_non_null(loss);
    ag_observe_layers(ctx, NULL, NULL);
    ag_var *w = NULL, *b = NULL;
    for (int k = 0; k < ag_model_param_count(the_model); k++) {
        const char *name;
        ag_var *p = ag_model_param(the_model, k, &name);
        if (strcmp(name, "linear[0].w") == 0) w = p;
        if (strcmp(name, "linear[0].b") == 0) b = p;
    }
    assert_non_null(w);
    assert_non_null(b);
    viz_graph_opts o = folded();
    o.fold = 1;
    char err[VIZ_ERRLEN] = "";
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) assert_int_equal(ag_backward(ctx, loss, NULL), 0);
        char *dot = viz_graph_dot(loss, &o, err);
        if (dot == NULL) fail_msg("%s", err);
        /* one row for both: w's first two numbers and "…", b's likewise */
        char row[512], number[2][4][AG_NUMBUF];
        for (int k = 0; k < 2; k++) {
            const double *g = pass ? ag_cdata(ag_grad(k ? b : w)) : NULL;
            for (int i = 0; g != NULL && i < 2; i++) ag_format_display(g[i], 4, number[k][i]);
        }
        if (pass == 0)
            snprintf(row, sizeof row,
                     "<TR><TD><FONT COLOR=\"#BF360C\"><B>w</B></FONT> <FONT COLOR=\"#616161\"><I>grad: none</I></FONT>"
                     "  <FONT COLOR=\"#BF360C\"><B>b</B></FONT> <FONT COLOR=\"#616161\"><I>grad: none</I></FONT></TD></TR>");
        else
            snprintf(row, sizeof row,
                     "<TR><TD><FONT COLOR=\"#BF360C\"><B>w</B></FONT> <FONT COLOR=\"#B71C1C\">grad %s %s …</FONT>"
                     "  <FONT COLOR=\"#BF360C\"><B>b</B></FONT> <FONT COLOR=\"#B71C1C\">grad %s %s …</FONT></TD></TR>",
                     number[0][0], number[0][1], number[1][0], number[1][1]);
        if (strstr(dot, row) == NULL) fail_msg("no row '%s' in\n%s", row, dot);
        free(dot);
    }
    char *tree = viz_graph_tree(loss, &o, err);
    if (tree == NULL) {
        fail_msg("%s", err);
        return;
    }
    printf("%s", tree);
    assert_non_null(strstr(tree, "← [model.linear[0]]\n"));
    assert_non_null(strstr(tree, "├── model.linear[0].w = [3 4]"));
    assert_non_null(strstr(tree, "└── model.linear[0].b = [1 4]"));
    free(tree);
    finish();
}

/* A box lists six kinds of op and says when there are more: a call of
 * eight kinds listed six and dropped two without a word. */
static void test_box_says_more_ops(void **state) {
    ntags = 1;
    snprintf(titles[ntags], sizeof titles[ntags], "wavy(x)");
    unsigned outer = ag_set_func_tag(ctx, ntags++);
    ag_var *x = named(ag_randn(ctx, 1, (int[]){3}, NULL), "x");
    ag_var *y = ag_sum(ctx, ag_exp(ctx, ag_tanh(ctx, ag_cos(ctx, ag_sin(ctx, ag_neg(ctx, ag_mul(ctx, x, x)))))),
                       NULL, 0);
    y = named(ag_log(ctx, ag_add(ctx, y, y)), "y");
    ag_set_func_tag(ctx, outer);
    assert_non_null(y);
    char row[256];
    box_ops_row(y, "wavy(x)", row, sizeof row);
    printf("    %s\n", row);
    assert_string_equal(row, "Mul, Neg, Sin, Cos, Tanh, Exp, … (9 ops)");
}

/* Is node n of the scene wholly on a 1600 x 1000 screen seen through view? */
static bool on_screen(const viz_scene_node *n, const viz_view *view) {
    double x0, y0, x1, y1;
    viz_view_to_screen(view, n->x - n->width / 2, n->y - n->height / 2, &x0, &y0);
    viz_view_to_screen(view, n->x + n->width / 2, n->y + n->height / 2, &x1, &y1);
    return x0 >= 0 && y0 >= 0 && x1 <= 1600 && y1 <= 1000;
}

/* The window opens the LSTM's picture (laid out as the window lays it out,
 * with room for changing values) at the readable scale on the part that
 * matters: the loss and the boxes beside it on screen, not the top left
 * corner (the targets). */
static void test_lstm_opens_on_the_loss(void **state) {
    ag_var *loss = recurrent_loss(true, 5);
    viz_graph_opts o = folded();
    o.reserve_values = true;
    viz_walk w;
    char err[VIZ_ERRLEN] = "";
    if (viz_walk_build(&w, loss, &o, err) != 0) fail_msg("walk: %s", err);
    int last_step = group_titled(&w, &o, "model.lstm step 5");
    viz_walk_free(&w);
    viz_scene scene = {0};
    int width, height;
    uint32_t *pixels = viz_scene_render(loss, &o, NULL, &scene, &width, &height, err);
    if (pixels == NULL) fail_msg("render: %s", err);
    free(pixels);
    viz_view view;
    viz_view_open(&view, &scene, width, height, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    assert_true(view.scale >= VIZ_VIEW_READABLE_SCALE - 1e-12);
    bool output_seen = false, step_seen = false;
    int boxes_seen = 0, boxes = 0;
    for (int i = 0; i < scene.nnodes; i++) {
        const viz_scene_node *n = &scene.nodes[i];
        if (n->kind == VIZ_NODE_VAR && n->var == loss) output_seen = on_screen(n, &view);
        if (n->kind == VIZ_NODE_BOX && n->group == last_step) step_seen = on_screen(n, &view);
        boxes_seen += n->kind == VIZ_NODE_BOX && on_screen(n, &view);
        boxes += n->kind == VIZ_NODE_BOX;
    }
    printf("    picture %dx%d opens at %.2f showing %.0f,%.0f on: the loss %s, step 5 %s, %d of %d boxes\n", width,
           height, view.scale, -view.offset_x / view.scale, -view.offset_y / view.scale,
           output_seen ? "seen" : "not seen", step_seen ? "seen" : "not seen", boxes_seen, boxes);
    /* the loss on screen (a graph too big opens on its output),
     * with the folded boxes that fit beside it (the loss's sum chain is
     * below the steps, so not all of them do) */
    assert_true(output_seen);
    assert_true(boxes_seen >= 3);
    assert_true(boxes >= 13);
    (void)step_seen;
    assert_true(view.offset_x < 0 || view.offset_y < 0); /* not the top left corner */
    viz_scene_free(&scene);
    finish();
}

/* The digest show() follows a graph by is hashed from the drawing's own walk
 * (no second walk): it is viz_graph_digest's, for the options the REPL
 * keeps (without the window's reserve_values), folded or not; with a box
 * clicked open the window's walk is another one and no digest is claimed. */
static void test_drawing_hashes_the_followed_digest(void **state) {
    ag_var *loss = recurrent_loss(true, 3);
    char err[VIZ_ERRLEN] = "";
    for (int fold = 0; fold < 2; fold++) {
        viz_graph_opts o = folded();
        if (!fold) o.fold = 0;
        uint64_t expected;
        if (viz_graph_digest(loss, &o, &expected, err) != 0) fail_msg("digest: %s", err);
        viz_graph_opts drawn = o;
        drawn.reserve_values = true;
        unsigned char none_open[4] = {0};
        drawn.unfolded = none_open;
        drawn.n_unfolded = 4;
        viz_scene scene = {0};
        int width, height;
        uint32_t *pixels = viz_scene_render(loss, &drawn, NULL, &scene, &width, &height, err);
        if (pixels == NULL) fail_msg("render: %s", err);
        free(pixels);
        assert_true(scene.digested);
        assert_true(scene.digest == expected);
        if (fold) {
            unsigned char one_open[1] = {1};
            drawn.unfolded = one_open;
            drawn.n_unfolded = 1;
            pixels = viz_scene_render(loss, &drawn, NULL, &scene, &width, &height, err);
            if (pixels == NULL) fail_msg("render: %s", err);
            free(pixels);
            assert_false(scene.digested);
        }
        viz_scene_free(&scene);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_lstm_steps_and_parameters_fold),
        CTX_TEST(test_lstm_two_steps_every_parameter),
        CTX_TEST(test_rnn_steps_and_parameters_fold),
        CTX_TEST(test_lstm_layout_no_edge_through_a_box),
        CTX_TEST(test_rnn_layout_no_edge_through_a_box),
        CTX_TEST(test_lstm_opens_on_the_loss),
        CTX_TEST(test_mlp_fits_the_screen),
        CTX_TEST(test_mlp_whole_reads_down),
        CTX_TEST(test_frame_titles_clear_of_edges),
        CTX_TEST(test_minibatch_outside_its_layer),
        CTX_TEST(test_conv_box_says_conv2d),
        CTX_TEST(test_box_lists_its_parameters),
        CTX_TEST(test_box_says_more_ops),
        CTX_TEST(test_drawing_hashes_the_followed_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
