/* test_graph_scene.c — the graph window's scene without a display
 * (viz/graph_scene.h): zoom about a point, pan, fit, hit-testing; node
 * positions read from Graphviz agree with the rendered picture; a graph of
 * the same structure keeps its layout; the inspector's text. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph_scene.h"

/* ---- the view -------------------------------------------------------------- */

static void test_zoom_keeps_the_point_under_the_pointer(void **state) {
    viz_view view = {1.0, 10, 20};
    double px, py, sx, sy;
    viz_view_to_picture(&view, 300, 200, &px, &py);
    assert_close(px, 290);
    assert_close(py, 180);
    viz_view_zoom_at(&view, 1.25, 300, 200);
    assert_close(view.scale, 1.25);
    viz_view_to_screen(&view, px, py, &sx, &sy);
    assert_close_tol(sx, 300, 1e-12, 1e-9);
    assert_close_tol(sy, 200, 1e-12, 1e-9);
    /* zooming out by the same factor about the same point gives the view back */
    viz_view_zoom_at(&view, 1 / 1.25, 300, 200);
    assert_close_tol(view.scale, 1, 1e-12, 1e-12);
    assert_close_tol(view.offset_x, 10, 1e-12, 1e-9);
    assert_close_tol(view.offset_y, 20, 1e-12, 1e-9);
    /* the scale stays within its limits, still about the point */
    for (int i = 0; i < 100; i++) viz_view_zoom_at(&view, 2, 50, 60);
    assert_close(view.scale, VIZ_VIEW_MAX_SCALE);
    for (int i = 0; i < 100; i++) viz_view_zoom_at(&view, 0.5, 50, 60);
    assert_close(view.scale, VIZ_VIEW_MIN_SCALE);
}

static void test_pan_and_fit(void **state) {
    viz_view view = {2.0, 0, 0};
    viz_view_pan(&view, 60, -30);
    assert_close(view.offset_x, 60);
    assert_close(view.offset_y, -30);
    assert_close(view.scale, 2);
    /* too big: shrunk to the tighter side, centred along the other */
    viz_view_fit(&view, 800, 600, 400, 400);
    assert_close(view.scale, 0.5);
    assert_close(view.offset_x, 0);
    assert_close(view.offset_y, 50);
    /* smaller than the area: 100 %, centred */
    viz_view_fit(&view, 200, 100, 400, 300);
    assert_close(view.scale, 1);
    assert_close(view.offset_x, 100);
    assert_close(view.offset_y, 100);
}

/* Three nodes by hand: a big box, a small one inside it, a legend entry. */
static void test_hit_testing(void **state) {
    viz_scene_node nodes[3] = {
        {.name = "box3", .kind = VIZ_NODE_BOX, .group = 3, .x = 100, .y = 100, .width = 200, .height = 100},
        {.name = "v0", .kind = VIZ_NODE_VAR, .group = -1, .x = 120, .y = 100, .width = 40, .height = 20},
        {.name = "legend0", .kind = VIZ_NODE_OTHER, .group = -1, .x = 400, .y = 50, .width = 80, .height = 30},
    };
    viz_scene_edge edges[1] = {{1, 0}};
    viz_scene scene = {.nodes = nodes, .nnodes = 3, .edges = edges, .nedges = 1, .width = 500, .height = 200};
    assert_int_equal(viz_scene_hit_picture(&scene, 120, 100), 1); /* the smallest wins */
    assert_int_equal(viz_scene_hit_picture(&scene, 139, 109), 1);
    assert_int_equal(viz_scene_hit_picture(&scene, 141, 100), 0); /* just outside v0, inside the box */
    assert_int_equal(viz_scene_hit_picture(&scene, 1, 51), 0);
    assert_int_equal(viz_scene_hit_picture(&scene, 0, 49), -1);
    assert_int_equal(viz_scene_hit_picture(&scene, 400, 50), -1); /* the legend is never hit */
    assert_true(viz_scene_feeds(&scene, 1, 0));
    assert_false(viz_scene_feeds(&scene, 0, 1));
    /* through a view: zoomed 2x about (0, 0) and panned by (30, -40) */
    viz_view view = {2.0, 30, -40};
    assert_int_equal(viz_scene_hit(&scene, &view, 2 * 120 + 30, 2 * 100 - 40), 1);
    assert_int_equal(viz_scene_hit(&scene, &view, 2 * 145 + 30, 2 * 100 - 40), 0);
    assert_int_equal(viz_scene_hit(&scene, &view, 120, 100), 0); /* picture (45, 70) */
    assert_int_equal(viz_scene_hit(&scene, &view, 10, 10), -1);
}

/* ---- a real graph ------------------------------------------------------------ */

static ag_var *named(ag_var *v, const char *name) {
    ag_set_name(v, name);
    return v;
}

/* y = sin(a * b) + a */
static ag_var *example(double a_value, ag_var **a_out) {
    ag_var *a = named(ag_scalar(ctx, a_value), "a"), *b = named(ag_scalar(ctx, 3), "b");
    if (a_out != NULL) *a_out = a;
    return named(ag_add(ctx, ag_sin(ctx, ag_mul(ctx, a, b)), a), "y");
}

static int find_node(const viz_scene *scene, const char *name) {
    for (int i = 0; i < scene->nnodes; i++)
        if (strcmp(scene->nodes[i].name, name) == 0) return i;
    fail_msg("no node %s", name);
    return -1;
}

static int func_node(const viz_scene *scene, int op) {
    for (int i = 0; i < scene->nnodes; i++)
        if (scene->nodes[i].kind == VIZ_NODE_FUNC && ag_func_op(scene->nodes[i].func) == op) return i;
    fail_msg("no %s node", ag_op_name(op));
    return -1;
}

static uint32_t pixel(const uint32_t *pixels, int width, double x, double y) {
    return pixels[(size_t)lround(y) * (size_t)width + (size_t)lround(x)] & 0xFFFFFF;
}

/* Each function node's box, where the scene says it is, is filled with the
 * function colour (#90CAF9) just inside its left and right edges; the
 * picture's corner is the white background; hitting a node's centre finds it. */
static void test_positions_match_the_picture(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *y = example(2, NULL);
    viz_scene scene = {0};
    int width = 0, height = 0;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    if (pixels == NULL) fail_msg("viz_scene_render: %s", err);
    assert_int_equal(scene.width, width);
    assert_int_equal(scene.height, height);
    assert_ptr_equal(scene.output, y);
    int functions = 0;
    for (int i = 0; i < scene.nnodes; i++) {
        const viz_scene_node *n = &scene.nodes[i];
        if (n->kind == VIZ_NODE_FUNC) {
            functions++;
            assert_int_equal(pixel(pixels, width, n->x - n->width / 2 + 4, n->y), 0x90CAF9);
            assert_int_equal(pixel(pixels, width, n->x + n->width / 2 - 4, n->y), 0x90CAF9);
            assert_int_equal(pixel(pixels, width, n->x, n->y - n->height / 2 + 3), 0x90CAF9);
        }
        if (n->kind != VIZ_NODE_OTHER) {
            viz_view view = {1, 0, 0};
            assert_int_equal(viz_scene_hit(&scene, &view, n->x, n->y), i);
        }
    }
    assert_int_equal(functions, 3);
    assert_int_equal(pixel(pixels, width, 1, 1), 0xFFFFFF);
    /* the edges: a feeds Mul and Add, Mul feeds its output */
    int a = find_node(&scene, "v2"), mul = func_node(&scene, AG_OP_MUL), add = func_node(&scene, AG_OP_ADD);
    assert_string_equal(ag_name(scene.nodes[a].var), "a");
    assert_true(viz_scene_feeds(&scene, a, mul));
    assert_true(viz_scene_feeds(&scene, a, add));
    assert_false(viz_scene_feeds(&scene, mul, a));
    free(pixels);
    viz_scene_free(&scene);
}

/* A Linear's b is drawn right of it (its edge made from the op, dir=back:
 * graph_draw.c), w left of it; the scene still reads both as inputs: they
 * feed the Linear, which feeds neither. */
static void test_parameter_right_of_its_op_still_feeds_it(void **state) {
    ag_var *x = ag_randn(ctx, 2, (int[]){4, 2}, NULL);
    ag_var *w = ag_randn(ctx, 2, (int[]){2, 3}, NULL), *b = ag_randn(ctx, 2, (int[]){1, 3}, NULL);
    ag_var_set_flags(w, ag_var_flags(w) | AG_VAR_PARAM);
    ag_var_set_flags(b, ag_var_flags(b) | AG_VAR_PARAM);
    ag_set_name(x, "x");
    ag_set_name(w, "w");
    ag_set_name(b, "b");
    ag_var *y = ag_sum(ctx, ag_linear(ctx, x, w, b), NULL, 0);
    assert_non_null(y);
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    viz_scene scene = {0};
    int width = 0, height = 0;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    if (pixels == NULL) fail_msg("viz_scene_render: %s", err);
    int linear = func_node(&scene, AG_OP_LINEAR), wi = -1, bi = -1, xi = -1;
    for (int i = 0; i < scene.nnodes; i++) {
        if (scene.nodes[i].kind != VIZ_NODE_VAR) continue;
        if (scene.nodes[i].var == w) wi = i;
        if (scene.nodes[i].var == b) bi = i;
        if (scene.nodes[i].var == x) xi = i;
    }
    assert_true(wi >= 0 && bi >= 0 && xi >= 0);
    assert_true(fabs(scene.nodes[wi].y - scene.nodes[linear].y) < 1); /* beside it */
    assert_true(fabs(scene.nodes[bi].y - scene.nodes[linear].y) < 1);
    assert_true(scene.nodes[wi].x < scene.nodes[linear].x);
    assert_true(scene.nodes[bi].x > scene.nodes[linear].x);
    for (int i = 0; i < 3; i++) {
        int input = (int[]){xi, wi, bi}[i];
        assert_true(viz_scene_feeds(&scene, input, linear));
        assert_false(viz_scene_feeds(&scene, linear, input));
    }
    free(pixels);
    viz_scene_free(&scene);
}

/* New values, same structure: every node stays where it was; a new
 * structure, or labels that no longer fit, are laid out afresh. */
static void test_layout_kept_while_only_values_change(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    viz_layout_cache *cache = viz_layout_cache_new();
    assert_non_null(cache);
    viz_scene first = {0}, second = {0}, third = {0}, fourth = {0};
    int width, height, width2, height2;
    char err[VIZ_ERRLEN] = "";
    uint32_t *p1 = viz_scene_render(example(2, NULL), &o, cache, &first, &width, &height, err);
    uint32_t *p2 = viz_scene_render(example(2.5, NULL), &o, cache, &second, &width2, &height2, err);
    assert_non_null(p1);
    assert_non_null(p2);
    assert_false(first.pinned);
    assert_true(second.pinned);
    assert_int_equal(width2, width);
    assert_int_equal(height2, height);
    assert_int_equal(second.nnodes, first.nnodes);
    for (int i = 0; i < first.nnodes; i++) {
        assert_string_equal(second.nodes[i].name, first.nodes[i].name);
        assert_close_tol(second.nodes[i].x, first.nodes[i].x, 0, 0.01);
        assert_close_tol(second.nodes[i].y, first.nodes[i].y, 0, 0.01);
    }
    assert_int_not_equal(memcmp(p1, p2, (size_t)width * (size_t)height * 4), 0); /* new values drawn */
    /* values whose text is much wider (24 characters, not 3) do not fit: laid out again */
    ag_var *wide = example(-1.2345678901234567e-300, NULL);
    uint32_t *p3 = viz_scene_render(wide, &o, cache, &third, &width, &height, err);
    assert_non_null(p3);
    assert_false(third.pinned);
    /* another structure: y = a * b */
    ag_var *a = named(ag_scalar(ctx, 2), "a");
    uint32_t *p4 = viz_scene_render(named(ag_mul(ctx, a, a), "y"), &o, cache, &fourth, &width, &height, err);
    assert_non_null(p4);
    assert_false(fourth.pinned);
    free(p1), free(p2), free(p3), free(p4);
    viz_scene_free(&first), viz_scene_free(&second), viz_scene_free(&third), viz_scene_free(&fourth);
    viz_layout_cache_free(cache);
}

/* A graph whose values change: laid out with room for them, so that no
 * value, however wide it prints, moves a box; and once values outgrew a
 * layout, the next one of that structure reserves room. */
static void test_layout_reserves_room_for_values(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    viz_layout_cache *cache = viz_layout_cache_new();
    assert_non_null(cache);
    static const double values[] = {2, 0.0012345678901234567, -123456.78901234567, 1.0 / 3, -2.5e-7};
    viz_scene first = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    o.reserve_values = true;
    uint32_t *p = viz_scene_render(example(values[0], NULL), &o, cache, &first, &width, &height, err);
    assert_non_null(p);
    free(p);
    for (size_t k = 1; k < sizeof values / sizeof values[0]; k++) {
        viz_scene next = {0};
        ag_var *y = example(values[k], NULL);
        assert_int_equal(ag_backward(ctx, y, NULL), 0); /* gradients printed too */
        int w2, h2;
        p = viz_scene_render(y, &o, cache, &next, &w2, &h2, err);
        assert_non_null(p);
        assert_true(next.pinned);
        assert_int_equal(w2, width);
        for (int i = 0; i < first.nnodes; i++) {
            assert_close_tol(next.nodes[i].x, first.nodes[i].x, 0, 0.01);
            assert_close_tol(next.nodes[i].y, first.nodes[i].y, 0, 0.01);
        }
        free(p);
        viz_scene_free(&next);
    }
    viz_scene_free(&first);
    /* without the hint: the first wider value lays out again, with room;
     * from then on the layout holds */
    viz_layout_cache_free(cache);
    cache = viz_layout_cache_new();
    o.reserve_values = false;
    viz_scene scenes[4] = {{0}};
    bool pinned[4];
    for (int k = 0; k < 4; k++) {
        p = viz_scene_render(example(values[k], NULL), &o, cache, &scenes[k], &width, &height, err);
        assert_non_null(p);
        pinned[k] = scenes[k].pinned;
        free(p);
    }
    assert_false(pinned[0]);
    assert_false(pinned[1]); /* 2 -> 0.0012345678901234567 */
    assert_true(pinned[2]);
    assert_true(pinned[3]);
    for (int i = 0; i < scenes[1].nnodes; i++) {
        assert_close_tol(scenes[3].nodes[i].x, scenes[1].nodes[i].x, 0, 0.01);
        assert_close_tol(scenes[3].nodes[i].y, scenes[1].nodes[i].y, 0, 0.01);
    }
    for (int k = 0; k < 4; k++) viz_scene_free(&scenes[k]);
    viz_layout_cache_free(cache);
}

static char *inspect(const viz_scene *scene, int node) {
    strbuf text = {0};
    viz_scene_inspect(scene, node, 0, &text);
    char *out = strbuf_take(&text);
    assert_non_null(out);
    return out;
}

/* What a click on Mul and on a shows, after y.backward(). */
static void test_inspector(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *a;
    ag_var *y = example(2, &a);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    char *mul = inspect(&scene, func_node(&scene, AG_OP_MUL));
    /* dy/d(a*b) = cos(6) = 0.960170286650366 */
    assert_string_equal(mul, "Mul\n"
                             "role: function\n"
                             "op: Mul\n"
                             "input a = a: 2\n"
                             "input b = b: 3\n"
                             "output (Mul output): 6\n"
                             "rule:\n"
                             "  d/da a*b = b\n"
                             "  d/db a*b = a\n"
                             "here:\n"
                             "  ∂y/∂(Mul output) × ∂(Mul output)/∂a = 0.960170286650366 × 3 = 2.880510859951098\n"
                             "  ∂y/∂(Mul output) × ∂(Mul output)/∂b = 0.960170286650366 × 2 = 1.920340573300732\n");
    char *a_text = inspect(&scene, find_node(&scene, "v2"));
    assert_string_equal(a_text, "a\n"
                                "role: input\n"
                                "shape: scalar\n"
                                "value: 2\n"
                                "grad (.grad): 3.880510859951098\n"
                                "  = the sum over its 2 uses: 1 + 2.880510859951098\n"
                                "uses:\n"
                                "  Add as b: ∂y/∂y × ∂y/∂b = 1 × 1 = 1\n"
                                "  Mul as a: ∂y/∂(Mul output) × ∂(Mul output)/∂a = 0.960170286650366 × 3 = "
                                "2.880510859951098\n");
    assert_close(ag_item(ag_grad(a)), 3.880510859951098); /* inspecting touched no .grad */
    assert_false(ag_failed(ctx));
    free(mul);
    free(a_text);
    free(pixels);
    viz_scene_free(&scene);
}

/* The inspector open while backward(step=true) runs (the window redraws it
 * at each step): a node whose gradient has already passed asks for dy/dc,
 * which once ran a second pass inside the first and cut it short (3 of 5
 * steps, a.grad none).  Every step runs and the gradients are right; the
 * inspector's text still names each use. */
static viz_scene *stepping_scene;
static int stepping_node, stepping_steps;
static bool inspect_in_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    (void)user, (void)f, (void)gys, (void)gxs;
    char *text = inspect(stepping_scene, stepping_node);
    assert_non_null(strstr(text, "uses:\n"));
    free(text);
    stepping_steps++;
    return true;
}
static void test_inspector_during_step_through(void **state) {
    ag_keep_last_grads(ctx, true);
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *a;
    ag_var *y = example(2, &a); /* sin(a*b) + a */
    ag_var *b = ag_func_input(ag_creator(ag_func_input(ag_creator(ag_func_input(ag_creator(y), 0)), 0)), 1);
    ag_var *z = named(ag_mul(ctx, y, ag_sub(ctx, y, ag_scalar(ctx, 1))), "z"); /* y*(y - 1) */
    assert_int_equal(ag_backward(ctx, z, NULL), 0);
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(z, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    for (int i = 0; i < scene.nnodes; i++)
        if (scene.nodes[i].var == a) stepping_node = i;
    stepping_scene = &scene;
    stepping_steps = 0;
    ag_cleargrad(a);
    ag_cleargrad(b);
    ag_backward_opts step = {.step = inspect_in_step};
    assert_int_equal(ag_backward(ctx, z, &step), 0);
    assert_int_equal(stepping_steps, 5); /* Mul, Sub, Add, Sin, Mul */
    double yv = sin(6) + 2, dz = 2 * yv - 1;
    assert_non_null(ag_grad(a));
    assert_close(ag_item(ag_grad(a)), dz * (cos(6) * 3 + 1));
    assert_close(ag_item(ag_grad(b)), dz * cos(6) * 2);
    ag_clear_error(ctx);
    free(pixels);
    viz_scene_free(&scene);
}

/* A summed gradient's negative parts are subtracted, as in step mode:
 * a − b, never a + -b, and a part of -0 (an upstream -400 times 0, as in
 * rosenbrock at x0 = 0) reads − 0. */
static void test_inspector_sum_subtracts_negative_parts(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *a;
    ag_var *y = example(1, &a); /* sin(3a) + a: parts 1 and 3 cos(3) < 0 */
    ag_var *x = named(ag_scalar(ctx, 0), "x");
    ag_var *z = named(ag_sub(ctx, x, ag_mul(ctx, ag_scalar(ctx, 400), ag_mul(ctx, x, x))), "z");
    ag_var *both = named(ag_add(ctx, y, z), "both");
    assert_int_equal(ag_backward(ctx, both, NULL), 0);
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(both, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    char *a_text = NULL, *x_text = NULL;
    for (int i = 0; i < scene.nnodes; i++) {
        if (scene.nodes[i].var == a) a_text = inspect(&scene, i);
        if (scene.nodes[i].var == x) x_text = inspect(&scene, i);
    }
    assert_non_null(a_text);
    assert_non_null(x_text);
    if (strstr(a_text, "  = the sum over its 2 uses: 1 − 2.96997748980") == NULL)
        fail_msg("a's inspector:\n%s", a_text);
    /* x: Sub as a 1, Mul as a and as b -400 × 0 = -0 each */
    if (strstr(x_text, "  = the sum over its 3 uses: 1 − 0 − 0\n") == NULL) fail_msg("x's inspector:\n%s", x_text);
    assert_null(strstr(a_text, "+ -"));
    assert_null(strstr(x_text, "+ -"));
    free(a_text);
    free(x_text);
    free(pixels);
    viz_scene_free(&scene);
}

/* The inspector names the gradient as the node does: grad⁺ for what the
 * last backward passed without keeping it, a .grad summed over backward
 * calls with the warning and the last call's part. */
static void test_inspector_gradient_as_drawn(void **state) {
    ag_keep_last_grads(ctx, true);
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *a;
    ag_var *y = example(2, &a);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0); /* no cleargrad: a.grad sums two calls */
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    char *a_text = inspect(&scene, find_node(&scene, "v2"));
    assert_non_null(strstr(a_text, "\ngrad (.grad, ⚠ summed over 2 backward calls): 7.761021719902196\n"
                                   "  of which the last backward's: 3.880510859951098\n"));
    int product = -1;
    for (int i = 0; i < scene.nnodes; i++)
        if (scene.nodes[i].kind == VIZ_NODE_VAR && ag_creator(scene.nodes[i].var) != NULL &&
            ag_func_op(ag_creator(scene.nodes[i].var)) == AG_OP_MUL)
            product = i;
    assert_true(product >= 0);
    char *p_text = inspect(&scene, product);
    assert_non_null(strstr(p_text, "\ngrad⁺ (not kept in .grad): 0.960170286650366\n"));
    free(a_text);
    free(p_text);
    free(pixels);
    viz_scene_free(&scene);
    /* grads="kept" draws no grad⁺, and the inspector says none either */
    o.kept_only = true;
    pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    for (int i = 0; i < scene.nnodes; i++)
        if (scene.nodes[i].kind == VIZ_NODE_VAR && ag_creator(scene.nodes[i].var) != NULL &&
            ag_func_op(ag_creator(scene.nodes[i].var)) == AG_OP_MUL)
            product = i;
    p_text = inspect(&scene, product);
    assert_non_null(strstr(p_text, "\ngrad: none\n"));
    free(p_text);
    free(pixels);
    viz_scene_free(&scene);
}

/* Inspecting a node computes gradients without disturbing the record of the
 * last backward (grad⁺ in graphs): neither this graph's nor a later one's. */
static void test_inspector_keeps_the_last_backward(void **state) {
    ag_keep_last_grads(ctx, true);
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *a;
    ag_var *y = example(2, &a);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    ag_var *product = ag_func_input(ag_creator(ag_func_input(ag_creator(y), 0)), 0);
    assert_non_null(ag_last_grad(product));
    double before = ag_last_grad(product)[0];
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    free(inspect(&scene, find_node(&scene, "v2")));
    free(inspect(&scene, func_node(&scene, AG_OP_MUL)));
    assert_non_null(ag_last_grad(product));
    assert_close(ag_last_grad(product)[0], before);
    assert_non_null(ag_last_grad(y));
    assert_close(ag_last_grad(y)[0], 1);
    /* a later graph's backward is recorded as usual */
    ag_var *p = named(ag_scalar(ctx, 5), "p");
    ag_var *q = named(ag_add(ctx, ag_mul(ctx, p, p), ag_scalar(ctx, 1)), "q");
    assert_int_equal(ag_backward(ctx, q, NULL), 0);
    /* the window, still showing y, refreshes its inspector */
    free(inspect(&scene, func_node(&scene, AG_OP_MUL)));
    assert_null(ag_last_grad(product));
    assert_non_null(ag_last_grad(q));
    assert_close(ag_last_grad(q)[0], 1);
    assert_non_null(ag_last_grad(p));
    assert_close(ag_last_grad(p)[0], 10);
    assert_false(ag_failed(ctx));
    free(pixels);
    viz_scene_free(&scene);
}

/* A tensor's whole value, row by row. */
static void test_inspector_tensor(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *x = named(VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6), "x");
    ag_var *v = named(VAR(ctx, SHAPE(3), 0.5, -12.25, 1.0 / 3), "v");
    ag_var *y = named(ag_sum(ctx, x, NULL, 0), "s");
    viz_scene scene = {0};
    int width, height;
    char err[VIZ_ERRLEN] = "";
    uint32_t *pixels = viz_scene_render(y, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    int node = -1;
    for (int i = 0; i < scene.nnodes; i++)
        if (scene.nodes[i].var == x && scene.nodes[i].kind == VIZ_NODE_VAR) node = i;
    char *text = inspect(&scene, node);
    assert_string_equal(text, "x\n"
                              "role: input\n"
                              "shape: [2 3]\n"
                              "value: shape [2 3]\n"
                              "  [0] 1  2  3\n"
                              "  [1] 4  5  6\n"
                              "grad: none\n"
                              "uses:\n"
                              "  Sum as x: ∂s/∂s through ∂s/∂x: [2 3] 1 1 1 …\n");
    free(text);
    /* a vector: one row, six digits, columns of one width */
    strbuf value = {0};
    viz_scene_inspect(&scene, -1, 0, &value); /* no node: nothing */
    assert_int_equal(value.length, 0);
    free(pixels);
    viz_scene_free(&scene);
    ag_var *w = named(ag_sum(ctx, v, NULL, 0), "w");
    pixels = viz_scene_render(w, &o, NULL, &scene, &width, &height, err);
    assert_non_null(pixels);
    for (int i = 0; i < scene.nnodes; i++)
        if (scene.nodes[i].var == v && scene.nodes[i].kind == VIZ_NODE_VAR) node = i;
    text = inspect(&scene, node);
    assert_non_null(strstr(text, "value: shape [3]\n"
                                 "       0.5    -12.25  0.333333\n"));
    free(text);
    free(pixels);
    viz_scene_free(&scene);
}

/* Data (a named constant, x of `x, t = moons(100)`) read by two functions is
 * one node of the window's scene, as in the DOT drawing; its inspector says
 * it is a constant that backward gives no gradient and lists both uses.  A
 * loop's literal, an unnamed 0-d constant, is a node per reader. */
static void test_inspector_data_constant(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    ag_var *x = named(VAR(ctx, SHAPE(3, 2), 1, 2, 3, 4, 5, 6), "x");
    ag_var_set_flags(x, AG_VAR_CONST);
    ag_var *w = named(VAR(ctx, SHAPE(2, 1), 0.5, -1.0), "w");
    ag_var *two = ag_scalar(ctx, 2.0);
    ag_var_set_flags(two, AG_VAR_CONST);
    ag_var *h = ag_mul(ctx, ag_mul(ctx, ag_sum(ctx, ag_matmul(ctx, x, w), NULL, 0), two), two);
    ag_var *y = named(ag_add(ctx, h, ag_sum(ctx, x, NULL, 0)), "y");
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_null(ag_grad(x));
    assert_non_null(ag_grad(w));
    viz_scene scene = {0};
    char err[VIZ_ERRLEN] = "";
    assert_int_equal(viz_scene_describe(y, &o, &scene, err), 0);
    int node = -1, x_nodes = 0, two_nodes = 0;
    for (int i = 0; i < scene.nnodes; i++) {
        if (scene.nodes[i].kind != VIZ_NODE_VAR) continue;
        if (scene.nodes[i].var == x) node = i, x_nodes++;
        if (scene.nodes[i].var == two) two_nodes++;
    }
    assert_int_equal(x_nodes, 1);
    assert_int_equal(two_nodes, 2);
    char *text = inspect(&scene, node);
    assert_non_null(strstr(text, "x\nrole: constant\nshape: [3 2]\n"));
    assert_non_null(strstr(text, "grad: none (a constant: backward gives it none)\nuses:\n"));
    assert_non_null(strstr(text, "\n  MatMul as "));
    assert_non_null(strstr(text, "\n  Sum as x: "));
    free(text);
    viz_scene_free(&scene);
}

/* The kernel's and the page's inline graphs describe every node at once
 * (viz_graph_inspector_html): ∂y/∂v for all of them comes from one backward
 * (viz_scene_grads_from_output), and each node's text is the one asked for
 * alone.  A pass per node made a 1,003-node show() take 11 s and 2.7 GB. */
static void test_inspector_all_nodes_in_one_pass(void **state) {
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.max_nodes = 5000;
    /* a bit of everything: shared uses, a constant, a comparison, a kept
     * .grad (retain_grad), a tensor summed, then a long chain */
    ag_var *x = named(ag_scalar(ctx, 0.4), "x"), *c = named(ag_scalar(ctx, 3), "c");
    ag_var_set_flags(c, AG_VAR_CONST);
    ag_var *v = named(VAR(ctx, SHAPE(3), 0.5, -1.0, 2.0), "v");
    ag_var *t = named(ag_mul(ctx, ag_sin(ctx, x), c), "t");
    ag_var *u = ag_add(ctx, ag_mul(ctx, t, t), ag_mul(ctx, ag_gt(ctx, x, t), x));
    ag_var *s = ag_sum(ctx, ag_mul(ctx, v, u), NULL, 0);
    ag_backward_opts keep = {.retain_grad = true};
    assert_int_equal(ag_backward(ctx, s, &keep), 0); /* t, u, s keep their .grad */
    ag_var *y = s;
    for (int i = 0; i < 150; i++) y = ag_mul(ctx, ag_tanh(ctx, y), ag_scalar(ctx, 1.01));
    named(y, "y");
    viz_scene one = {0}, each = {0};
    char err[VIZ_ERRLEN] = "";
    assert_int_equal(viz_scene_describe(y, &o, &one, err), 0);
    assert_int_equal(viz_scene_describe(y, &o, &each, err), 0);
    assert_int_equal(one.nnodes, each.nnodes);
    assert_true(one.nnodes > 600);
    ag_gc(ctx);
    viz_scene_grads_from_output(&one);
    assert_non_null(one.sent);
    strbuf all = {0};
    for (int i = 0; i < one.nnodes; i++) viz_scene_inspect(&one, i, 0, &all);
    size_t made = ag_allocs_since_gc(ctx);
    /* the old way made a pass for each function's output: ~N² variables */
    if (made > 20 * (size_t)one.nnodes) fail_msg("%zu nodes made for %d nodes' texts", made, one.nnodes);
    assert_false(ag_failed(ctx));
    int from_output = 0;
    for (int i = 0; i < one.nnodes; i++) {
        char *memo = inspect(&one, i), *alone = inspect(&each, i);
        assert_string_equal(memo, alone);
        from_output += strstr(memo, "∂y/∂") != NULL;
        free(memo);
        free(alone);
    }
    assert_true(from_output > 300); /* the chain's nodes say what y sends them */
    free(all.data);
    viz_scene_free(&one);
    viz_scene_free(&each);
}

/* A picture too big for the area opens at the readable scale, its top left
 * part shown; one that fits at that scale is centred like viz_view_fit. */
static void test_fit_never_below_readable(void **state) {
    viz_view view;
    viz_view_fit_min(&view, 2000, 800, 1000, 800, VIZ_VIEW_READABLE_SCALE);
    assert_close_tol(view.scale, 0.8, 0, 1e-12); /* fitting whole would be 0.5 */
    assert_close_tol(view.offset_x, 0, 0, 1e-12);
    assert_close_tol(view.offset_y, (800 - 800 * 0.8) / 2, 0, 1e-12);
    viz_view_fit_min(&view, 1100, 500, 1000, 800, VIZ_VIEW_READABLE_SCALE);
    viz_view whole;
    viz_view_fit(&whole, 1100, 500, 1000, 800);
    assert_close_tol(view.scale, whole.scale, 0, 1e-12); /* 0.909: above the bound, as fitted */
    assert_close_tol(view.offset_x, whole.offset_x, 0, 1e-12);
    assert_close_tol(view.offset_y, whole.offset_y, 0, 1e-12);
    viz_view_fit_min(&view, 2000, 800, 1000, 800, VIZ_VIEW_MIN_SCALE);
    assert_close_tol(view.scale, 0.5, 0, 1e-12); /* the key 0: the whole picture */
}

/* A picture too big opens on the part that matters, not its top left: its
 * folded boxes and its output (the loss) on screen when they fit, centred;
 * one with neither opens at its top left; one that fits as viz_view_fit_min. */
static void test_open_on_boxes_and_output(void **state) {
    (void)state;
    ag_var *output = (ag_var *)&output; /* only compared, never read */
    viz_scene_node nodes[] = {
        {.name = "v9", .kind = VIZ_NODE_VAR, .x = 100, .y = 100, .width = 80, .height = 40},  /* data, top left */
        {.name = "box1", .kind = VIZ_NODE_BOX, .group = 1, .x = 2000, .y = 1600, .width = 400, .height = 100},
        {.name = "box2", .kind = VIZ_NODE_BOX, .group = 2, .x = 2400, .y = 1800, .width = 400, .height = 100},
        {.name = "v0", .kind = VIZ_NODE_VAR, .var = output, .x = 1500, .y = 2700, .width = 200, .height = 60},
    };
    viz_scene scene = {.nodes = nodes, .nnodes = 4, .width = 3600, .height = 2800, .output = output};
    viz_view view;
    viz_view_open(&view, &scene, 3600, 2800, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    assert_close_tol(view.scale, 0.8, 0, 1e-12);
    double x0, y0, x1, y1; /* the part of the picture on screen */
    viz_view_to_picture(&view, 0, 0, &x0, &y0);
    viz_view_to_picture(&view, 1600, 1000, &x1, &y1);
    /* across: the boxes and the output (1400..2600) centred */
    assert_close_tol((x0 + x1) / 2, 2000, 0, 1e-9);
    /* down: the output's box (2670..2730) on screen, with the boxes above it */
    assert_true(y1 >= 2730 && y0 <= 1550);
    assert_true(x0 > 0 && y0 > 0); /* not the top left */
    /* no box and no output drawn: the top left part */
    scene.nnodes = 1;
    viz_view_open(&view, &scene, 3600, 2800, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    assert_close_tol(view.offset_x, 0, 0, 1e-12);
    assert_close_tol(view.offset_y, 0, 0, 1e-12);
    /* a picture that fits at a readable scale: fitted and centred */
    scene.nnodes = 4;
    viz_view fitted;
    viz_view_fit_min(&fitted, 1800, 1100, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    viz_view_open(&view, &scene, 1800, 1100, 1600, 1000, VIZ_VIEW_READABLE_SCALE);
    assert_close_tol(view.scale, fitted.scale, 0, 1e-12);
    assert_close_tol(view.offset_x, fitted.offset_x, 0, 1e-12);
    assert_close_tol(view.offset_y, fitted.offset_y, 0, 1e-12);
}

static const char *conv_title(void *user, unsigned tag) {
    (void)user;
    return tag == 10 ? "m.conv[0]" : tag == 11 ? "m.max_pool[0]" : NULL;
}

/* A folded conv layer's box, inspected (what the graph window and
 * the notebook show for it): its title, its window and its weight's shape;
 * a pooling layer's box its window only. */
static void test_inspector_conv_box(void **state) {
    (void)state;
    ag_var *x = named(ag_rand(ctx, 4, (const int[]){1, 1, 5, 5}, NULL), "x");
    ag_var *w = named(ag_rand(ctx, 4, (const int[]){2, 1, 3, 3}, NULL), "w");
    ag_var_set_flags(w, ag_var_flags(w) | AG_VAR_PARAM);
    unsigned outer = ag_set_func_tag(ctx, 10);
    ag_var *h = ag_conv2d(ctx, x, w, NULL, (const int[]){2, 2}, (const int[]){1, 1}, NULL, 1);
    ag_set_func_tag(ctx, 11);
    h = ag_max_pool2d(ctx, h, (const int[]){2, 2}, NULL, NULL, NULL, false);
    ag_set_func_tag(ctx, outer);
    ag_var *z = named(ag_sum(ctx, h, NULL, 0), "z");
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.group_title = conv_title;
    o.fold = 1;
    viz_scene scene = {0};
    char err[VIZ_ERRLEN] = "";
    assert_int_equal(viz_scene_describe(z, &o, &scene, err), 0);
    int conv = -1, pool = -1;
    for (int i = 0; i < scene.nnodes; i++) {
        if (scene.nodes[i].kind != VIZ_NODE_BOX) continue;
        if (strcmp(scene.nodes[i].title, "m.conv[0]") == 0) conv = i;
        if (strcmp(scene.nodes[i].title, "m.max_pool[0]") == 0) pool = i;
    }
    assert_true(conv >= 0 && pool >= 0);
    /* its title, window and weight shape, then what leaves the box */
    const char *conv_head = "folded group 1: m.conv[0]\n"
                            "  kernel=[3 3], stride=[2 2], padding=[1 1]; weight [2 1 3 3] (out channels, in "
                            "channels, kernel height, width)\n"
                            "click to expand\n"
                            "its output: (Transpose(axis=[0 3 1 2]) output)\n";
    char *text = inspect(&scene, conv);
    assert_memory_equal(text, conv_head, strlen(conv_head));
    assert_non_null(strstr(text, "shape: [1 2 3 3]\n"));
    free(text);
    const char *pool_head = "folded group 0: m.max_pool[0]\n"
                            "  kernel=[2 2], stride=[2 2]\n"
                            "click to expand\n"
                            "its output: ";
    text = inspect(&scene, pool);
    assert_memory_equal(text, pool_head, strlen(pool_head));
    free(text);
    viz_scene_free(&scene);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_never_below_readable),
        cmocka_unit_test(test_open_on_boxes_and_output),
        cmocka_unit_test(test_zoom_keeps_the_point_under_the_pointer),
        cmocka_unit_test(test_pan_and_fit),
        cmocka_unit_test(test_hit_testing),
        CTX_TEST(test_positions_match_the_picture),
        CTX_TEST(test_parameter_right_of_its_op_still_feeds_it),
        CTX_TEST(test_layout_kept_while_only_values_change),
        CTX_TEST(test_layout_reserves_room_for_values),
        CTX_TEST(test_inspector),
        CTX_TEST(test_inspector_keeps_the_last_backward),
        CTX_TEST(test_inspector_gradient_as_drawn),
        CTX_TEST(test_inspector_sum_subtracts_negative_parts),
        CTX_TEST(test_inspector_during_step_through),
        CTX_TEST(test_inspector_tensor),
        CTX_TEST(test_inspector_data_constant),
        CTX_TEST(test_inspector_conv_box),
        CTX_TEST(test_inspector_all_nodes_in_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
