/* test_graph_follow.c — the graph window following a big graph (1,001
 * nodes): its first drawing is laid out by our layered layout
 * (viz/graph_layered.c) at about the cost of a redraw, and a statement that
 * changes only gradients (the same structure) redraws into the kept layout
 * (viz/graph_scene.c) in well under 100 ms of CPU time (or, where CPU
 * time stretches on a busy machine, 5 times a fixed drawing by Cairo and
 * Pango measured in the same run). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "graph_scene.h"

static ag_var *chain(ag_var *x, int steps) {
    ag_var *y = x;
    for (int i = 0; i < steps; i++) y = ag_add(ctx, ag_sin(ctx, y), y);
    return y;
}

/* CPU time of this process and its children (a layout contained in a child). */
static double cpu_now(void) { return process_and_children_cpu_seconds(); }

/* CPU seconds Cairo and Pango take for drawing of a follow's kind, with
 * none of our code: 600 boxes with two lines of text each on a 1600 x 1600
 * picture.  On a busy machine (a build beside it on the other core's
 * sibling) every CPU second stretches, by up to 1.5-3x measured; this
 * stretches with them. */
static double drawing_seconds(void) {
    double t0 = cpu_now();
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1600, 1600);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string("DejaVu Sans 11");
    pango_layout_set_font_description(layout, font);
    char text[96];
    for (int i = 0; i < 600; i++) {
        double x = (i % 6) * 260 + 10, y = (i / 6) % 50 * 31 + 5;
        cairo_rectangle(cr, x, y, 240, 28);
        cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_stroke(cr);
        snprintf(text, sizeof text, "[16 8] %.3g %.3g %.3g …\ngrad %.4g %.4g", i * 0.013, -i * 0.07, i * 1.1,
                 i * 1e-4, -i * 3e-5);
        pango_layout_set_text(layout, text, -1);
        cairo_move_to(cr, x + 4, y + 1);
        pango_cairo_show_layout(cr, layout);
    }
    cairo_surface_flush(surface);
    pango_font_description_free(font);
    g_object_unref(layout);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return cpu_now() - t0;
}

static void test_follow_of_a_big_graph(void **state) {
    (void)state;
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.max_nodes = 5000;
    o.fold = 0;
    {
        /* a small graph first, so that the one-time costs (fonts, Cairo's
         * caches) fall outside both measurements */
        viz_layout_cache *warm = viz_layout_cache_new();
        assert_non_null(warm);
        viz_scene small = {0};
        int w0, h0;
        char err0[VIZ_ERRLEN] = "";
        uint32_t *p0 = viz_scene_render(chain(ag_scalar(ctx, 0.5), 3), &o, warm, &small, &w0, &h0, err0);
        if (p0 == NULL) fail_msg("render: %s", err0);
        free(p0);
        viz_scene_free(&small);
        viz_layout_cache_free(warm);
    }
    /* each measured at least ROUNDS times, each round a new graph without
     * gradients and a new layout cache, and the fastest of each kept: one
     * descheduled moment cannot decide either bound.  While the follow is
     * over its bound, up to MAX_ROUNDS: this host kind runs whole seconds
     * in a slow mode where every CPU time is about twice its usual one (the
     * benchmarks' alternated rounds see it), and one failure was 0.1003 s
     * with a helper's build beside it. */
    enum { ROUNDS = 3, MAX_ROUNDS = 12 };
    /* 100 ms of CPU, or on a machine where CPU time stretches, 5 times
     * what drawing_seconds takes in the same run (its 20 ms on a quiet
     * one: the 100 ms again); the sanitizer slows our code, not Cairo's */
#define FOLLOW_BOUND(calibration) (SANITIZER_SCALE * fmax(0.1, 5.0 * (calibration)))
    double fresh = 1e9, follow = 1e9, calibration = 1e9;
    int rounds = 0;
    for (int round = 0; round < MAX_ROUNDS && (round < ROUNDS || follow >= FOLLOW_BOUND(calibration)); round++) {
        rounds++;
        calibration = fmin(calibration, drawing_seconds());
        ag_var *y = chain(ag_scalar(ctx, 0.5), 250); /* 1,001 nodes */
        viz_layout_cache *cache = viz_layout_cache_new();
        assert_non_null(cache);
        viz_scene first = {0}, second = {0};
        int width, height, width2, height2;
        char err[VIZ_ERRLEN] = "";
        double t0 = cpu_now();
        uint32_t *p1 = viz_scene_render(y, &o, cache, &first, &width, &height, err);
        double t1 = cpu_now();
        if (p1 == NULL) fail_msg("render: %s", err);
        assert_int_equal(ag_backward(ctx, y, NULL), 0); /* every gradient changes */
        double t2 = cpu_now();
        uint32_t *p2 = viz_scene_render(y, &o, cache, &second, &width2, &height2, err);
        double t3 = cpu_now();
        if (p2 == NULL) fail_msg("render: %s", err);
        if (t1 - t0 < fresh) fresh = t1 - t0;
        if (t3 - t2 < follow) follow = t3 - t2;
        int pinned1 = first.pinned, pinned2 = second.pinned;
        int nodes1 = first.nnodes, nodes2 = second.nnodes;
        int redrawn = memcmp(p1, p2, (size_t)width * (size_t)height * 4) != 0;
        free(p1), free(p2); /* before the checks: a failed one leaks nothing */
        viz_scene_free(&first), viz_scene_free(&second);
        viz_layout_cache_free(cache);
        assert_false(pinned1);
        assert_true(pinned2); /* the kept layout */
        assert_int_equal(nodes2, nodes1);
        assert_int_equal(width2, width);
        assert_int_equal(height2, height);
        assert_true(redrawn); /* new gradients drawn */
    }
    print_message("fresh %.3f s, follow %.3f s of CPU (fastest of %d); Cairo's and Pango's drawing %.4f s "
                  "(follow / that %.2f)\n", fresh, follow, rounds, calibration, follow / calibration);
    /* the fresh layout costs about what a redraw does: 0.90-1.12x measured
     * (5 runs each with and without ASan, with a warm and an empty HOME,
     * idle and beside two busy loops), once the one-time costs are outside
     * (they made it 2.2x under ASan); dot's, in a child and then here,
     * cost 4.4x */
    assert_below(fresh, 2.0 * follow + 0.01);
    /* a follow: 0.048-0.060 s measured in the same runs (one round alone
     * reached 0.075 s), under the 0.1 s an interactive window needs;
     * 0.12-0.15 s under ASan, whose bound is 4x that.  Beside a bare-root
     * build and test run (fresh-check), 0.08-0.14 s with drawing_seconds
     * at 0.029-0.048 s: 2.6-3.0 times it, where a bound of 0.1 s failed */
    const double follow_bound = FOLLOW_BOUND(calibration);
    assert_below(follow, follow_bound);
#undef FOLLOW_BOUND
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_follow_of_a_big_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
