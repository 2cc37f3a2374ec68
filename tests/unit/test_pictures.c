/* test_pictures.c — the pictures of learning, checked on the pixels of
 * saved PNGs: after training a small MLP through the REPL on two classes
 * split by a line, the boundary's colour at points known to be in each
 * class is that class's (orange for 0, blue for 1); the colour bar's ends
 * are the two colours; scatter's points are drawn in their class's colour;
 * several pictures go in panels left to right (units, map, heat map,
 * images), each inside its own box; a heat map's cells and an image's
 * pixels are where they should be; and drawing the grid leaves the model's
 * gradients as they were.  The figure's mapping comes from the session's
 * plot (viz_plot_data_to_pixel, viz_plot_panel_box). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "testutil.h"

#include "repl.h"
#include "viz_session.h"

typedef struct session {
    repl *r;
    FILE *out, *err;
    char *out_text, *err_text;
    size_t out_length, err_length;
} session;

static void session_open(session *s) {
    memset(s, 0, sizeof *s);
    s->out = open_memstream(&s->out_text, &s->out_length);
    s->err = open_memstream(&s->err_text, &s->err_length);
    repl_options opts = {.headless = true, .out = s->out, .err = s->err};
    s->r = repl_new(&opts);
    assert_non_null(s->r);
}

static void run(session *s, const char *source) {
    int rc = repl_run(s->r, source, "<test>", 1);
    if (rc != 0) {
        fflush(s->err);
        fprintf(stderr, "%s\n", s->err_text);
    }
    assert_int_equal(rc, 0);
}

static void session_close(session *s) {
    repl_free(s->r);
    fclose(s->out);
    fclose(s->err);
    free(s->out_text);
    free(s->err_text);
}

static viz_plot *plot_of(session *s) {
    repl_viz *v = repl_get_viz(s->r);
    assert_non_null(v);
    assert_non_null(v->plot);
    return v->plot;
}

typedef struct picture {
    cairo_surface_t *surface;
    unsigned char *data;
    int width, height, stride;
} picture;

static picture load_png(const char *path) {
    picture p = {cairo_image_surface_create_from_png(path)};
    assert_int_equal(cairo_surface_status(p.surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(p.surface);
    p.data = cairo_image_surface_get_data(p.surface);
    p.width = cairo_image_surface_get_width(p.surface);
    p.height = cairo_image_surface_get_height(p.surface);
    p.stride = cairo_image_surface_get_stride(p.surface);
    return p;
}

static void rgb_at(const picture *p, double x, double y, int rgb[3]) {
    int i = (int)floor(x), j = (int)floor(y);
    assert_true(i >= 0 && i < p->width && j >= 0 && j < p->height);
    uint32_t pixel = *(const uint32_t *)(p->data + (size_t)j * p->stride + (size_t)i * 4);
    rgb[0] = (pixel >> 16) & 0xff;
    rgb[1] = (pixel >> 8) & 0xff;
    rgb[2] = pixel & 0xff;
}

/* Okabe-Ito's orange (230, 159, 0) and blue (0, 114, 178), over white. */
static bool orange(const int c[3]) { return c[0] > c[2] + 40 && c[1] > c[2] + 20; }
static bool blue(const int c[3]) { return c[2] > c[0] + 40; }

static void data_rgb(session *s, const picture *p, viz_plot_panel panel, double x, double y, int rgb[3]) {
    double px, py;
    assert_true(viz_plot_data_to_pixel(plot_of(s), panel, x, y, &px, &py));
    rgb_at(p, px, py, rgb);
}

/* Two classes split by x0 = 0: class 1 on the right.  After training, the
 * boundary is orange well left of the split and blue well right of it. */
static void test_boundary_after_training(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "x = randn([200, 2], seed=5)\n"
            "t = x[:, 0] > 0\n"
            "m = mlp([8, 1], activation=tanh, seed=1)\n"
            "opt = adam(m, lr=0.05)\n"
            "target = reshape(t, [200, 1])\n"
            "for i in range(150) { y = sigmoid(m(x)); loss = mean(-(target * log(y) + (1 - target) * log(1 - y))); "
            "m.cleargrads(); loss.backward(); opt.step() }\n"
            "def p(q) = sigmoid(m(q))\n"
            "boundary(p, [-3, 3], [-3, 3], x, t)\n"
            "savefig(\"/tmp/agrepl-test-pictures-boundary.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-boundary.png");
    int c[3];
    /* points known to be in each class, away from the data points' dots */
    double left[][2] = {{-2.7, 2.7}, {-2.2, -2.8}, {-2.6, 0.1}};
    double right[][2] = {{2.7, 1.4}, {2.2, -2.8}, {2.6, 0.1}};
    for (int i = 0; i < 3; i++) {
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, left[i][0], left[i][1], c);
        assert_true(orange(c));
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, right[i][0], right[i][1], c);
        assert_true(blue(c));
    }
    /* the colour bar right of the frame: blue at its top end, orange at its bottom */
    int left_px, top, right_px, bottom;
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left_px, &top, &right_px, &bottom));
    rgb_at(&p, right_px + 16 + 8, top + 8 + 3, c);
    assert_true(blue(c));
    assert_true(c[2] > 150);
    rgb_at(&p, right_px + 16 + 8, bottom - 8 - 3, c);
    assert_true(orange(c));
    /* the bar's middle is the threshold: near white */
    rgb_at(&p, right_px + 16 + 8, (top + bottom) / 2.0 + 4, c);
    assert_true(c[0] > 200 && c[1] > 200 && c[2] > 200);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* A scatter's dots are their class's colour at their centres. */
static void test_scatter_colours(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "scatter([[-1, -1], [1, 1], [1, -1]], [0, 1, 2], names=[\"a\", \"b\", \"c\"])\n"
            "savefig(\"/tmp/agrepl-test-pictures-scatter.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-scatter.png");
    int c[3];
    data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, -1, -1, c);
    assert_int_equal(c[0], 230), assert_int_equal(c[1], 159), assert_int_equal(c[2], 0);
    data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, 1, 1, c);
    assert_int_equal(c[0], 0), assert_int_equal(c[1], 114), assert_int_equal(c[2], 178);
    data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, 1, -1, c);
    assert_int_equal(c[0], 0), assert_int_equal(c[1], 158), assert_int_equal(c[2], 115);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Each picture in its panel, left to right, none overlapping; a heat
 * map's cells and an image's pixels where they belong. */
static void test_panels_in_place(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "m = mlp([3, 1], activation=tanh, seed=2)\n"
            "boundary(m, [-1, 1], [-1, 1])\n"
            "neurons(m, [-1, 1], [-1, 1])\n"
            "heatmap([[-1, 1], [1, -1]])\n"
            "images([[0, 1, 1, 0]], shape=[2, 2])\n"
            "plot(1, \"loss\")\nplot(0.5, \"loss\")\n"
            "savefig(\"/tmp/agrepl-test-pictures-panels.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-panels.png");
    viz_plot *plot = plot_of(&s);
    viz_plot_panel order[] = {VIZ_PLOT_PANEL_SERIES, VIZ_PLOT_PANEL_NEURONS, VIZ_PLOT_PANEL_CONTOUR,
                              VIZ_PLOT_PANEL_HEATMAP, VIZ_PLOT_PANEL_IMAGES};
    int last_right = -1;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int left, top, right, bottom;
        assert_true(viz_plot_panel_box(plot, order[i], &left, &top, &right, &bottom));
        assert_true(left > last_right);
        assert_true(right > left && bottom > top && right < p.width && bottom < p.height);
        last_right = right;
    }
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, NULL, NULL, NULL, NULL));
    /* the heat map: row 0 on top, -1 orange and 1 blue */
    int c[3];
    data_rgb(&s, &p, VIZ_PLOT_PANEL_HEATMAP, 0.3, 0.3, c); /* off the numbers */
    assert_true(orange(c));
    data_rgb(&s, &p, VIZ_PLOT_PANEL_HEATMAP, 1.3, 0.3, c);
    assert_true(blue(c));
    data_rgb(&s, &p, VIZ_PLOT_PANEL_HEATMAP, 0.3, 1.3, c);
    assert_true(blue(c));
    data_rgb(&s, &p, VIZ_PLOT_PANEL_HEATMAP, 1.3, 1.3, c);
    assert_true(orange(c));
    /* the image: 0 black, 1 white, at a quarter of each of its pixels */
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_IMAGES, &left, &top, &right, &bottom));
    rgb_at(&p, left + (right - left) * 0.25, top + (bottom - top) * 0.25, c);
    assert_true(c[0] < 10 && c[1] < 10 && c[2] < 10);
    rgb_at(&p, left + (right - left) * 0.75, top + (bottom - top) * 0.25, c);
    assert_true(c[0] > 245 && c[1] > 245 && c[2] > 245);
    rgb_at(&p, left + (right - left) * 0.25, top + (bottom - top) * 0.75, c);
    assert_true(c[0] > 245);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Drawing the grid records no graph and leaves every gradient as it was,
 * even between a forward and its backward. */
static void test_drawing_leaves_gradients(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "x = randn([5, 2], seed=1)\n"
            "m = mlp([4, 1], activation=tanh, seed=3)\n"
            "loss = sum(m(x) ^ 2)\n"
            "loss.backward()\n"
            "g = m.params[\"linear[0].w\"].grad.data\n"
            "loss2 = sum(m(x) ^ 2)\n"
            "boundary(m, [-2, 2], [-2, 2])\n"
            "neurons(m, [-2, 2], [-2, 2])\n"
            "loss2.backward()\n"
            "print(sum(abs(m.params[\"linear[0].w\"].grad - 2 * g)).data)\n");
    fflush(s.out);
    /* the second backward added exactly the first's gradient again */
    assert_non_null(strstr(s.out_text, "variable(0)\n"));
    session_close(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_after_training),
        cmocka_unit_test(test_scatter_colours),
        cmocka_unit_test(test_panels_in_place),
        cmocka_unit_test(test_drawing_leaves_gradients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
