/* test_pictures.c — the pictures of learning, checked on the pixels of
 * saved PNGs: after training a small MLP through the REPL on two classes
 * split by a line, the boundary's colour at points known to be in each
 * class is that class's (orange for 0, blue for 1); the colour bar's ends
 * are the two colours; scatter's points are drawn in their class's colour (without classes one grey, no legend);
 * several pictures go in panels left to right (units, map, heat map,
 * images), each inside its own box, and panel= puts a picture in the
 * panel it names (two boundaries side by side, each its own model's); a heat map's cells and an image's
 * pixels are where they should be, the cells' numbers all written or none; a map's legend goes where it hides no
 * class dot, within the frame or outside it (right of it, or under it in
 * columns: an 8-class boundary beside a loss at :zoom 1.5); and drawing the grid leaves the model's
 * gradients as they were; a layer's units for the graph's inspector are the
 * layer's numbers; in a projector's small window (1004x708 at :zoom 1.5)
 * every legend name is whole and no two words overlap (pdftotext -bbox).
 * The figure's mapping comes from the session's
 * plot (viz_plot_data_to_pixel, viz_plot_panel_box). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "plot_internal.h" /* plot_draw_figure: the figure at a window's size */
#include "repl_test_util.h"
#include "viz_session.h"

static void run(session *s, const char *source) {
    int rc = repl_run(s->r, source, "<test>", 1);
    if (rc != 0) {
        fflush(s->err);
        fprintf(stderr, "%s\n", s->err_text);
    }
    assert_int_equal(rc, 0);
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
    remove(path); /* read: nothing of the test is left in /tmp */
    return p;
}

/* A CSV the session saved, open to read and already removed (its data
 * stays readable through f until fclose). */
static FILE *open_saved_csv(const char *path) {
    FILE *f = fopen(path, "r");
    remove(path);
    return f;
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

/* Ten classes (digits) get ten colours: Okabe-Ito's first seven as they
 * always were, then three more, every pair far apart (class 8 was class 0's
 * orange; test_plot checks each shows on its region). */
static void test_ten_class_colours(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "scatter([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [0, 1], [1, 1], [2, 1], [3, 1], [4, 1]], "
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])\n"
            "savefig(\"/tmp/agrepl-test-pictures-ten.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-ten.png");
    static const int okabe_ito[7][3] = {{230, 159, 0},   {0, 114, 178},  {0, 158, 115}, {213, 94, 0},
                                        {204, 121, 167}, {86, 180, 233}, {240, 228, 66}};
    int c[10][3];
    for (int k = 0; k < 10; k++) {
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, k % 5, k / 5, c[k]);
        if (k < 7)
            for (int i = 0; i < 3; i++) assert_int_equal(c[k][i], okabe_ito[k][i]);
    }
    for (int a = 0; a < 10; a++)
        for (int b = a + 1; b < 10; b++) {
            int d = abs(c[a][0] - c[b][0]) + abs(c[a][1] - c[b][1]) + abs(c[a][2] - c[b][2]);
            if (d < 80) fail_msg("classes %d and %d look alike: %d %d %d and %d %d %d", a, b, c[a][0], c[a][1],
                                 c[a][2], c[b][0], c[b][1], c[b][2]);
        }
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* How far from (x, y) up and down the column through it is not white:
 * a dot's reach above and below its centre (a grid line under it counts
 * as white). */
static void reach_up_and_down(const picture *p, double x, double y, int *up, int *down) {
    int c[3];
    for (*up = 0; *up < 20; (*up)++) {
        rgb_at(p, x, y - *up - 1, c);
        if (c[0] > 200 && c[1] > 200 && c[2] > 200) break; /* white, or a light grid line */
    }
    for (*down = 0; *down < 20; (*down)++) {
        rgb_at(p, x, y + *down + 1, c);
        if (c[0] > 200 && c[1] > 200 && c[2] > 200) break; /* white, or a light grid line */
    }
}

/* Past ten classes the colours come round again with another marker: class
 * 10 was drawn as class 0's orange disc, class 11 as class 1's blue one.
 * Now class 10 is orange too but a triangle (it reaches further above its
 * centre than below), while class 0 and class 1 stay discs (as far each way). */
static void test_classes_past_ten_take_another_marker(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "scatter([[0, 0], [1, 0], [2, 0], [3, 0]], [0, 10, 1, 11])\n"
            "savefig(\"/tmp/agrepl-test-pictures-markers.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-markers.png");
    int up[4], down[4];
    for (int i = 0; i < 4; i++) {
        double px, py;
        assert_true(viz_plot_data_to_pixel(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, i, 0, &px, &py));
        reach_up_and_down(&p, px, py, &up[i], &down[i]);
        printf("    class %d: %d px up, %d down\n", (int[]){0, 10, 1, 11}[i], up[i], down[i]);
    }
    assert_true(abs(up[0] - down[0]) <= 1 && abs(up[2] - down[2]) <= 1);
    assert_true(up[1] - down[1] >= 2 && up[3] - down[3] >= 2);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* A boundary's colour bar: three classes keep a narrow bar each, in their
 * own colours, paler toward chance; ten get one grey bar, dark at p = 1 and
 * white at chance (ten stripes of 6 px could not be told apart, and the
 * legend gives each class's colour).  An untrained model's field is enough:
 * the bar shows the scale, not the model. */
static void test_class_colour_bar(void **state) {
    (void)state;
    for (int classes = 3; classes <= 10; classes += 7) {
        session s;
        session_open(&s);
        char script[256];
        snprintf(script, sizeof script,
                 "m = mlp([8, %d], seed=0)\n"
                 "boundary(m, [-1, 1], [-1, 1])\n"
                 "savefig(\"/tmp/agrepl-test-pictures-bar.png\")\n",
                 classes);
        run(&s, script);
        picture p = load_png("/tmp/agrepl-test-pictures-bar.png");
        int left, top, right, bottom, c[3];
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
        double x = right + 16, high = top + 8 + 4, low = bottom - 8 - 4; /* BAR_GAP; inside the frame */
        if (classes == 3) {
            /* stripes of 8 px: orange, blue, green at the top, near white at the bottom */
            rgb_at(&p, x + 4, high, c);
            assert_true(orange(c));
            rgb_at(&p, x + 12, high, c);
            assert_true(blue(c));
            rgb_at(&p, x + 20, high, c);
            assert_true(c[1] > c[0] + 40 && c[1] > c[2]); /* Okabe-Ito's bluish green */
            rgb_at(&p, x + 12, low, c);
            assert_true(c[0] > 235 && c[1] > 235 && c[2] > 235);
        } else {
            /* one bar, 16 px, grey all the way down, darkest at the top */
            int last = -1;
            for (double y = high; y <= low; y += (low - high) / 8) {
                for (double dx = 3; dx <= 13; dx += 5) {
                    rgb_at(&p, x + dx, y, c);
                    if (abs(c[0] - c[1]) > 2 || abs(c[1] - c[2]) > 2)
                        fail_msg("the bar at (%.0f, %.0f) is %d %d %d, not grey", x + dx, y, c[0], c[1], c[2]);
                }
                assert_true(c[0] >= last);
                last = c[0];
            }
            rgb_at(&p, x + 8, high, c);
            assert_true(c[0] < 150);
            rgb_at(&p, x + 8, low, c);
            assert_true(c[0] > 235);
        }
        cairo_surface_destroy(p.surface);
        session_close(&s);
    }
}

/* Panels' frames (left, top, right, bottom) in the figure's order: three a
 * row left to right, none overlapping, more in rows below (as the web page
 * wraps a saved figure), each row's first at the left under the last row. */
static void assert_in_reading_order(int boxes[][4], int count) {
    for (int i = 1; i < count; i++) {
        if (i % 3 != 0) {
            assert_true(boxes[i][0] > boxes[i - 1][2]);
            assert_true(boxes[i][1] < boxes[i - 1][3] && boxes[i][3] > boxes[i - 1][1]); /* the same row */
        } else {
            for (int j = i - 3; j < i; j++) assert_true(boxes[i][1] > boxes[j][3]);
            assert_true(boxes[i][0] < boxes[i - 2][0]);
        }
    }
}

/* More than three panels wrap to rows of three (as the page's saved figure):
 * eight are three rows in a figure as wide as three panels' (it was a strip
 * 4660 wide), each panel as big as in a row of three; three stay one row. */
static void test_panels_wrap_in_rows(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "x, t = moons(40, seed=1)\n"
            "for k in range(1, 9) { scatter(x, t, panel=k) }\n"
            "savefig(\"/tmp/agrepl-test-pictures-eight.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-eight.png");
    assert_int_equal(p.width, 1860);
    assert_int_equal(p.height, 1800);
    viz_plot *plot = plot_of(&s);
    int boxes[8][4];
    for (int k = 1; k <= 8; k++) {
        int *b = boxes[k - 1];
        assert_true(viz_plot_panel_box(viz_plot_find_sheet(plot, NULL, k), VIZ_PLOT_PANEL_CONTOUR, &b[0], &b[1], &b[2],
                                       &b[3]));
        assert_true(b[2] < p.width && b[3] < p.height);
        /* every panel the size of the first (the last row's two too) */
        assert_true(abs((b[2] - b[0]) - (boxes[0][2] - boxes[0][0])) <= 2);
        assert_true(abs((b[3] - b[1]) - (boxes[0][3] - boxes[0][1])) <= 2);
    }
    assert_in_reading_order(boxes, 8);
    cairo_surface_destroy(p.surface);
    run(&s, "clearplot()\n"
            "for k in range(1, 4) { scatter(x, t, panel=k) }\n"
            "savefig(\"/tmp/agrepl-test-pictures-three.png\")\n");
    p = load_png("/tmp/agrepl-test-pictures-three.png");
    assert_int_equal(p.width, 1860);
    assert_int_equal(p.height, 600);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Each picture in its panel, in rows of three, none overlapping; a heat
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
    int boxes[5][4];
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int *b = boxes[i];
        assert_true(viz_plot_panel_box(plot, order[i], &b[0], &b[1], &b[2], &b[3]));
        assert_true(b[2] > b[0] && b[3] > b[1] && b[2] < p.width && b[3] < p.height);
    }
    assert_in_reading_order(boxes, 5);
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

/* Dark pixels (text) in [x0, x1) x [y0, y1). */
static int dark_pixels(const picture *p, int x0, int y0, int x1, int y1) {
    int count = 0, c[3];
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < p->height; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < p->width; x++) {
            rgb_at(p, x, y, c);
            if (c[0] < 90 && c[1] < 90 && c[2] < 90) count++;
        }
    return count;
}

/* panel= puts each picture in the panel it names: the figure's own panels
 * first, numbered ones next, then named ones as they were first drawn in,
 * but "before" just left of the map it is compared with, in its row (it
 * was alone at the end, "after" on a row below); each a box of its own
 * with its name over it; two boundaries side by side
 * each show their own model; a statement of another kind into a panel is
 * refused and changes nothing. */
static void test_named_panels_in_place(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "def right(a, b) = a\n"
            "def left(a, b) = -a\n"
            "boundary(right, [-1, 1], [-1, 1], panel=\"before\")\n"
            "boundary(left, [-1, 1], [-1, 1], panel=\"after\")\n"
            "heatmap([[-1, 1]], panel=2)\n"
            "plot(1, \"loss\")\nplot(0.5, \"loss\")\n"
            "savefig(\"/tmp/agrepl-test-pictures-named.png\")\n");
    assert_int_not_equal(repl_run(s.r, "plot(2, \"loss\", panel=\"before\")\n", "<test>", 1), 0);
    assert_int_not_equal(repl_run(s.r, "heatmap([[1]], panel=0)\n", "<test>", 1), 0);
    picture p = load_png("/tmp/agrepl-test-pictures-named.png");
    viz_plot *plot = plot_of(&s);
    viz_plot *before = viz_plot_find_sheet(plot, "before", 0), *after = viz_plot_find_sheet(plot, "after", 0),
             *second = viz_plot_find_sheet(plot, NULL, 2);
    assert_non_null(before);
    assert_non_null(after);
    assert_non_null(second);
    assert_null(viz_plot_find_sheet(plot, "none", 0));
    assert_null(viz_plot_find_sheet(plot, NULL, 1));
    /* in order: the loss (the figure's own), "before", "after", then panel 2 on a row below */
    viz_plot *owners[] = {plot, before, after, second};
    viz_plot_panel kinds[] = {VIZ_PLOT_PANEL_SERIES, VIZ_PLOT_PANEL_CONTOUR, VIZ_PLOT_PANEL_CONTOUR,
                              VIZ_PLOT_PANEL_HEATMAP};
    int boxes[4][4];
    for (int i = 0; i < 4; i++) {
        int *b = boxes[i];
        assert_true(viz_plot_panel_box(owners[i], kinds[i], &b[0], &b[1], &b[2], &b[3]));
        assert_true(b[2] > b[0] && b[3] > b[1] && b[2] < p.width && b[3] < p.height);
    }
    assert_in_reading_order(boxes, 4);
    /* the figure holds no map of its own: the boundaries went to their panels */
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, NULL, NULL, NULL));
    assert_false(viz_plot_panel_box(before, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    /* each boundary shows its own model: right() is blue right of 0, left() orange */
    int c[3];
    double px, py;
    assert_true(viz_plot_data_to_pixel(before, VIZ_PLOT_PANEL_CONTOUR, -0.8, 0.5, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(orange(c));
    assert_true(viz_plot_data_to_pixel(before, VIZ_PLOT_PANEL_CONTOUR, 0.8, 0.5, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(blue(c));
    assert_true(viz_plot_data_to_pixel(after, VIZ_PLOT_PANEL_CONTOUR, -0.8, 0.5, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(blue(c));
    assert_true(viz_plot_data_to_pixel(after, VIZ_PLOT_PANEL_CONTOUR, 0.8, 0.5, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(orange(c));
    /* the heat map in panel 2: -1 orange left, 1 blue right */
    assert_true(viz_plot_data_to_pixel(second, VIZ_PLOT_PANEL_HEATMAP, 0.3, 0.3, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(orange(c));
    assert_true(viz_plot_data_to_pixel(second, VIZ_PLOT_PANEL_HEATMAP, 1.3, 0.3, &px, &py));
    rgb_at(&p, px, py, c);
    assert_true(blue(c));
    /* a named panel's name is written over its frame's left end; the loss
     * panel, unnamed, has nothing there */
    for (int i = 1; i < 3; i++) assert_true(dark_pixels(&p, boxes[i][0], boxes[i][1] - 26, boxes[i][0] + 60, boxes[i][1] - 2) > 20);
    assert_int_equal(dark_pixels(&p, boxes[0][0], boxes[0][1] - 26, boxes[0][0] + 60, boxes[0][1] - 2), 0);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* boundary's line without threshold=: a model's one output is a raw score,
 * split at 0 (the lessons' score > 0), decided from the model and not its
 * values: an untrained mlp on moons scores 0.23 to 0.31 everywhere, all
 * class 1, and the whole plane is blue (it was split at 0.5 because every
 * value lay in [0, 1]: all orange); a def's values in [0, 1] are split at 0.5. */
static void test_boundary_threshold_from_the_model(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "x, t = moons(100, noise=0.1, seed=1)\n"
            "m = mlp([4, 1], seed=1)\n"
            "boundary(m, [-1.5, 2.5], [-1, 1.5], x, t)\n"
            "savefig(\"/tmp/agrepl-test-pictures-threshold.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-threshold.png");
    int c[3];
    double corners[][2] = {{-1.4, -0.9}, {-1.4, 1.4}, {2.4, -0.9}, {1.2, -0.95}};
    for (int i = 0; i < 4; i++) {
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, corners[i][0], corners[i][1], c);
        assert_true(blue(c));
    }
    cairo_surface_destroy(p.surface);
    run(&s, "clearplot()\ndef p(a, b) = sigmoid(4 * a)\n"
            "boundary(p, [-1, 1], [-1, 1])\nsavefig(\"/tmp/agrepl-test-pictures-threshold.png\")\n");
    p = load_png("/tmp/agrepl-test-pictures-threshold.png");
    data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, -0.8, 0, c);
    assert_true(orange(c));
    data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, 0.8, 0, c);
    assert_true(blue(c));
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* panel="before", then the trained model's boundary without panel=: the
 * "before" map sits just left of it in the same row, and the figure's own
 * map is captioned "after" (it was left of "before", uncaptioned, and with
 * three numbered panels "before" went alone to the second row). */
static void test_before_left_of_after(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "def early(a, b) = a\ndef late(a, b) = b\n"
            "boundary(early, [-1, 1], [-1, 1], panel=\"before\")\n"
            "plot(1, \"loss\", panel=1)\nplot(0.5, \"loss\", panel=1)\n"
            "plot(0.5, \"accuracy\", panel=2)\nplot(0.9, \"accuracy\", panel=2)\n"
            "boundary(late, [-1, 1], [-1, 1])\n"
            "heatmap([[-0.52, 0.63], [0.75, -0.31]], panel=3)\n"
            "savefig(\"/tmp/agrepl-test-pictures-before.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-before.png");
    viz_plot *plot = plot_of(&s), *before = viz_plot_find_sheet(plot, "before", 0);
    assert_non_null(before);
    /* before, the map, panel 1 | panel 2, panel 3 */
    viz_plot *owners[] = {before, plot, viz_plot_find_sheet(plot, NULL, 1), viz_plot_find_sheet(plot, NULL, 2),
                          viz_plot_find_sheet(plot, NULL, 3)};
    viz_plot_panel kinds[] = {VIZ_PLOT_PANEL_CONTOUR, VIZ_PLOT_PANEL_CONTOUR, VIZ_PLOT_PANEL_SERIES,
                              VIZ_PLOT_PANEL_SERIES, VIZ_PLOT_PANEL_HEATMAP};
    int boxes[5][4];
    for (int i = 0; i < 5; i++) {
        int *b = boxes[i];
        assert_true(viz_plot_panel_box(owners[i], kinds[i], &b[0], &b[1], &b[2], &b[3]));
    }
    assert_in_reading_order(boxes, 5);
    /* both maps are captioned over their frames' left ends: "before", "after" */
    for (int i = 0; i < 2; i++)
        assert_true(dark_pixels(&p, boxes[i][0], boxes[i][1] - 26, boxes[i][0] + 60, boxes[i][1] - 2) > 20);
    cairo_surface_destroy(p.surface);
    /* with the figure's own loss, units and map (moons.ag's), the pair still shares a row */
    run(&s, "clearplot()\nm = mlp([3, 1], activation=tanh, seed=1)\n"
            "boundary(early, [-1, 1], [-1, 1], panel=\"before\")\n"
            "plot(1, \"loss\")\nplot(0.5, \"loss\")\nneurons(m, [-1, 1], [-1, 1])\n"
            "boundary(late, [-1, 1], [-1, 1])\nsavefig(\"/tmp/agrepl-test-pictures-before.png\")\n");
    p = load_png("/tmp/agrepl-test-pictures-before.png");
    plot = plot_of(&s);
    before = viz_plot_find_sheet(plot, "before", 0);
    int b[4], a[4];
    assert_true(viz_plot_panel_box(before, VIZ_PLOT_PANEL_CONTOUR, &b[0], &b[1], &b[2], &b[3]));
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &a[0], &a[1], &a[2], &a[3]));
    assert_true(b[2] < a[0] && abs(b[1] - a[1]) < 10);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* :zoom 2 saves the figure of :zoom 1 at twice the size: a heat map beside
 * two panels keeps its cell numbers ("-0.34" fits a cell at both), its
 * cells twice as big (the canvas stayed 1400x600 at :zoom 2, the text grew
 * and the numbers went). */
static void test_heatmap_numbers_at_zoom_two(void **state) {
    (void)state;
    session s;
    session_open(&s);
    double cell[2][4];
    for (int z = 0; z < 2; z++) {
        run(&s, z == 0 ? ":zoom 1\n" : ":zoom 2\n");
        run(&s, "clearplot()\nplot(1, \"loss\")\nplot(0.5, \"loss\")\n"
                "heatmap([[-0.34, 0.52, -1.25, 0.07, 0.81, -0.66], [0.12, -0.93, 0.44, -0.28, 1.06, -0.17], "
                "[0.35, 0.61, -0.72, 0.29, -0.48, 0.95], [-0.84, 0.23, 0.57, -0.39, 0.18, -0.11]], name=\"w\")\n"
                "savefig(\"/tmp/agrepl-test-pictures-heat-zoom2.png\")\n");
        picture p = load_png("/tmp/agrepl-test-pictures-heat-zoom2.png");
        assert_int_equal(p.width, 1400 * (z + 1));
        assert_int_equal(p.height, 600 * (z + 1));
        viz_plot *plot = plot_of(&s);
        /* cell (0, 0), pale orange, holds a dark "-0.34" */
        assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, -0.45, -0.45, &cell[z][0], &cell[z][1]));
        assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, 0.45, 0.45, &cell[z][2], &cell[z][3]));
        int dark = dark_pixels(&p, (int)cell[z][0], (int)cell[z][1], (int)cell[z][2], (int)cell[z][3]);
        if (dark < 10) fail_msg("no number in cell (0, 0) at zoom %d", z + 1);
        cairo_surface_destroy(p.surface);
    }
    for (int i = 0; i < 4; i++) assert_true(fabs(cell[1][i] - 2 * cell[0][i]) <= 3);
    session_close(&s);
}

/* A heat map's numbers show whenever they fit their cells, at any zoom: a
 * 10x10 confusion matrix's "1" and "41" in the narrow cells of a
 * three-panel figure at :zoom 1.5 (too narrow for "-0.00"). */
static void test_heatmap_numbers_at_zoom(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, ":zoom 1.5\n");
    run(&s, "plot(1, \"loss\")\nplot(0.5, \"loss\")\n"
            "heatmap(40 * eye(10) + ones([10, 10]), name=\"confusion\")\n"
            "images(zeros([2, 3, 3]))\n"
            "savefig(\"/tmp/agrepl-test-pictures-heat-zoom.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-heat-zoom.png");
    viz_plot *plot = plot_of(&s);
    double x0, y0, x1, y1;
    /* the pale cell (0, 1) holds a dark "1"; the dark cell (0, 0) a white "41" */
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, 0.7, -0.3, &x0, &y0));
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, 1.3, 0.3, &x1, &y1));
    assert_true(dark_pixels(&p, (int)x0, (int)y0, (int)x1, (int)y1) > 5);
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, -0.35, -0.3, &x0, &y0));
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_HEATMAP, 0.35, 0.3, &x1, &y1));
    int white = 0, c[3];
    for (int y = (int)y0; y < (int)y1; y++)
        for (int x = (int)x0; x < (int)x1; x++) {
            rgb_at(&p, x, y, c);
            if (c[0] > 220 && c[1] > 220 && c[2] > 220) white++;
        }
    assert_true(white > 5);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* A panel's title longer than its panel wraps within it: digits.ag's
 * confusion matrix, named "true digit (rows) against the CNN's answer
 * (columns)", beside images at :zoom 1.5 was centred on its panel in one
 * line and ran off the figure's left edge ("igit (rows) ..."). */
static void test_long_panel_title_wraps(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, ":zoom 1.5\n");
    run(&s, "heatmap(eye(10), name=\"true digit (rows) against the CNN's answer (columns)\")\n"
            "images(zeros([2, 3, 3]))\n"
            "savefig(\"/tmp/agrepl-test-pictures-long-title.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-long-title.png");
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_HEATMAP, &left, &top, &right, &bottom));
    /* the title is written above the frame, none of it at the figure's left edge */
    assert_true(dark_pixels(&p, 0, 0, p.width / 2, top - 2) > 100);
    assert_int_equal(dark_pixels(&p, 0, 0, 6, top - 2), 0);
    /* nor over the images' panel, whose own title is the only text at the top of the right half */
    int own = dark_pixels(&p, p.width / 2, 0, p.width, top - 2);
    run(&s, "clearplot()\nheatmap(eye(10), name=\"c\")\nimages(zeros([2, 3, 3]))\n"
            "savefig(\"/tmp/agrepl-test-pictures-long-title.png\")\n");
    picture q = load_png("/tmp/agrepl-test-pictures-long-title.png");
    assert_int_equal(dark_pixels(&q, q.width / 2, 0, q.width, top - 2), own);
    cairo_surface_destroy(q.surface);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Dark pixels in the heat map's cell (row, column), its middle 0.7 x 0.6. */
static int cell_dark_pixels(session *s, const picture *p, int row, int column) {
    double x0, y0, x1, y1;
    assert_true(viz_plot_data_to_pixel(plot_of(s), VIZ_PLOT_PANEL_HEATMAP, column - 0.35, row - 0.3, &x0, &y0));
    assert_true(viz_plot_data_to_pixel(plot_of(s), VIZ_PLOT_PANEL_HEATMAP, column + 0.35, row + 0.3, &x1, &y1));
    return dark_pixels(p, (int)fmin(x0, x1), (int)fmin(y0, y1), (int)fmax(x0, x1), (int)fmax(y0, y1));
}

/* A heat map writes all its cells' numbers or none, so a missing number
 * never reads as an empty cell (the web page's rule too, web_pictures.py,
 * which wrote each number that fitted): a 3x10 matrix of whole numbers
 * beside a loss and images shows its "0" and "1"; with one cell of -0.0012,
 * too wide for its cell there, not even those. */
static void test_heatmap_numbers_all_or_none(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "plot(1, \"loss\")\nplot(0.5, \"loss\")\nimages(zeros([2, 3, 3]))\n"
            "w = reshape(arange(30), [3, 10])\n"
            "heatmap(w, name=\"whole\")\n"
            "savefig(\"/tmp/agrepl-test-pictures-heat-all.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-heat-all.png");
    assert_true(cell_dark_pixels(&s, &p, 0, 0) > 5);
    assert_true(cell_dark_pixels(&s, &p, 0, 1) > 5);
    cairo_surface_destroy(p.surface);
    run(&s, "heatmap(w - 7.0012 * (w == 7), name=\"one wide\")\n"
            "savefig(\"/tmp/agrepl-test-pictures-heat-none.png\")\n");
    p = load_png("/tmp/agrepl-test-pictures-heat-none.png");
    assert_int_equal(cell_dark_pixels(&s, &p, 0, 0), 0);
    assert_int_equal(cell_dark_pixels(&s, &p, 0, 1), 0);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Points everywhere on the map: wherever a legend inside would go it would
 * hide some, so it goes over the frame, and every dot shows its class's
 * colour at its centre. */
static void test_legend_hides_no_points(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "g = linspace(-1, 1, 15)\n"
            "xs = reshape(ones([15, 1]) * reshape(g, [1, 15]), [225, 1])\n"
            "ys = reshape(reshape(g, [15, 1]) * ones([1, 15]), [225, 1])\n"
            "x = concat([xs, ys], axis=1)\n"
            "t = reshape(xs > 0, [225])\n"
            "scatter(x, t)\n"
            "savefig(\"/tmp/agrepl-test-pictures-legend.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-legend.png");
    viz_plot *plot = plot_of(&s);
    int c[3];
    for (int i = 0; i < 15; i++)
        for (int j = 0; j < 15; j++) {
            double a = -1 + 2.0 * i / 14, b = -1 + 2.0 * j / 14;
            data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, a, b, c);
            if (a > 0) assert_true(c[0] == 0 && c[1] == 114 && c[2] == 178);
            else assert_true(c[0] == 230 && c[1] == 159 && c[2] == 0);
        }
    /* the legend's dots are over the frame */
    int left, top, right, bottom, orange_above = 0;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    for (int y = top - 30; y < top - 2; y++)
        for (int x = left; x <= right; x++) {
            rgb_at(&p, x, y, c);
            if (c[0] == 230 && c[1] == 159 && c[2] == 0) orange_above++;
        }
    assert_true(orange_above > 10);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* The legend's border in [x0, x1) x [y0, y1): pixels of RGB(200, 200, 200)
 * in a row of at least 8 (a text's edge has the odd one). */
static int legend_border_pixels(const picture *p, int x0, int y0, int x1, int y1) {
    int count = 0, c[3];
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < p->height; y++) {
        int run = 0;
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < p->width; x++) {
            rgb_at(p, x, y, c);
            run = c[0] == 200 && c[1] == 200 && c[2] == 200 ? run + 1 : 0;
            count += run == 8 ? 8 : run > 8;
        }
    }
    return count;
}

/* Points without classes (scatter(x), no t) are one dark grey, and the map
 * has no legend (it said "class 0" in class 0's orange); with classes given
 * the same points have their legend. */
static void test_scatter_without_classes(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "scatter([[-1, -1], [1, 1], [1, -1]])\n"
            "savefig(\"/tmp/agrepl-test-pictures-plain.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-plain.png");
    int c[3], left, top, right, bottom;
    double at[][2] = {{-1, -1}, {1, 1}, {1, -1}};
    for (int i = 0; i < 3; i++) {
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, at[i][0], at[i][1], c);
        assert_int_equal(c[0], 77), assert_int_equal(c[1], 77), assert_int_equal(c[2], 77);
    }
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    assert_int_equal(legend_border_pixels(&p, 0, 0, p.width, p.height), 0);
    cairo_surface_destroy(p.surface);
    run(&s, "scatter([[-1, -1], [1, 1], [1, -1]], [0, 1, 1])\n"
            "savefig(\"/tmp/agrepl-test-pictures-plain.png\")\n");
    p = load_png("/tmp/agrepl-test-pictures-plain.png");
    assert_true(legend_border_pixels(&p, left, top, right + 1, bottom + 1) > 100);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* A series name too long for its panel is cut short with an ellipsis: the
 * legend stays inside the frame (it went past an edge, over the tick labels
 * or into the next panel), and a name that fits is written whole. */
static void test_long_legend_name_in_frame(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "for v in [1.1, 0.9, 0.7, 0.6, 0.5] { plot(v, \"training loss (cross entropy, mean over the batch, "
            "averaged again over the epoch)\", ylabel=\"loss\") }\n"
            "x, t = moons(50, seed=1)\n"
            "scatter(x, t)\n"
            "heatmap([[1, 2], [3, 4]])\n"
            "savefig(\"/tmp/agrepl-test-pictures-long-name.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-long-name.png");
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    assert_true(legend_border_pixels(&p, left, top, right + 1, bottom + 1) > 100); /* drawn, inside */
    assert_int_equal(legend_border_pixels(&p, 0, top, left - 1, bottom), 0);
    assert_int_equal(legend_border_pixels(&p, right + 2, top, right + 200, bottom), 0);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* Ten classes in a ring hide every place along the edges, and a one-row
 * legend is too wide for the top: the legend goes into the ring's hole, so
 * the dots still show their colours at their centres (it went in the top
 * left corner, over six of them).  (A ring of std 0.3 leaves a hole that
 * hides one dot at its edge: its legend goes outside the frame,
 * test_legend_outside_when_no_place_is_free.) */
static void test_legend_in_a_ring(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "x, t = gaussians(400, classes=10, std=0.2, seed=1)\n"
            "scatter(x, t)\n"
            "save_csv(\"/tmp/agrepl-test-pictures-ring.csv\", x, t)\n"
            "savefig(\"/tmp/agrepl-test-pictures-ring.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-ring.png");
    FILE *f = open_saved_csv("/tmp/agrepl-test-pictures-ring.csv");
    assert_non_null(f);
    double a, b, k;
    int dots = 0, hidden = 0, c[3];
    while (fscanf(f, "%lf,%lf,%lf", &a, &b, &k) == 3) {
        /* its own colour, or a neighbour's dot or outline over it: never
         * the legend's pale box (every channel 200 or more; no class's
         * colour is that pale) */
        data_rgb(&s, &p, VIZ_PLOT_PANEL_CONTOUR, a, b, c);
        hidden += c[0] >= 200 && c[1] >= 200 && c[2] >= 200;
        dots++;
        (void)k;
    }
    fclose(f);
    assert_int_equal(dots, 400);
    assert_int_equal(hidden, 0);
    /* and the legend is drawn, inside the frame, clear of its edges */
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    int third = (right - left) / 3;
    assert_true(legend_border_pixels(&p, left + third / 2, top + 20, right - third / 2, bottom - 20) > 100);
    assert_int_equal(legend_border_pixels(&p, left, top, left + third / 2, bottom), 0);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* The legend's box as drawn right of column from, from its border's runs
 * of at least `least` pixels of RGB(200, 200, 200): [x0, x1] x [y0, y1];
 * false when none is drawn. */
static bool legend_box_runs(const picture *p, int from, int least, int *x0, int *y0, int *x1, int *y1) {
    int c[3];
    *x0 = *y0 = 1 << 30;
    *x1 = *y1 = -1;
    for (int y = 0; y < p->height; y++)
        for (int x = from, run = 0; x < p->width; x++) {
            rgb_at(p, x, y, c);
            run = c[0] == 200 && c[1] == 200 && c[2] == 200 ? run + 1 : 0;
            if (run < least) continue;
            if (x - (least - 1) < *x0) *x0 = x - (least - 1);
            if (x > *x1) *x1 = x;
            if (y < *y0) *y0 = y;
            if (y > *y1) *y1 = y;
        }
    return *x1 >= 0 && *y1 > *y0;
}

/* The box from runs of 8. */
static bool legend_box(const picture *p, int from, int *x0, int *y0, int *x1, int *y1) {
    return legend_box_runs(p, from, 8, x0, y0, x1, y1);
}

/* Where every place along the frame's edges and within it hides class
 * dots and a one-row legend does not fit over the frame, the legend goes
 * outside it, right of the frame at its top (matplotlib's bbox_to_anchor),
 * the frame narrower for it: over a ring of ten classes of std 0.3 (whose
 * hole hid one dot at its edge), and over eight classes' blobs in a map
 * beside a loss (it hid ten dots in the top right corner); no dot's disc
 * (radius 4.6) touches it, and the frame keeps most of its width. */
static void test_legend_outside_when_no_place_is_free(void **state) {
    (void)state;
    static const char *const scenes[] = {
        "x, t = gaussians(400, classes=10, std=0.3, seed=1)\n",
        "x, t = gaussians(400, classes=8, std=0.6, seed=2)\n"
        "for i in range(20) { plot(1 / (i + 1), \"loss\") }\n",
    };
    for (size_t k = 0; k < sizeof scenes / sizeof scenes[0]; k++) {
        session s;
        session_open(&s);
        run(&s, scenes[k]);
        run(&s, "scatter(x, t)\n"
                "save_csv(\"/tmp/agrepl-test-pictures-outside.csv\", x, t)\n"
                "savefig(\"/tmp/agrepl-test-pictures-outside.png\")\n");
        picture p = load_png("/tmp/agrepl-test-pictures-outside.png");
        int left, top, right, bottom, x0, y0, x1, y1, panel_left = 0;
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
        if (k == 1) assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_SERIES, NULL, NULL, &panel_left, NULL));
        assert_true(legend_box(&p, panel_left, &x0, &y0, &x1, &y1)); /* the map's (not the loss's) */
        FILE *f = open_saved_csv("/tmp/agrepl-test-pictures-outside.csv");
        assert_non_null(f);
        double a, b, c;
        int dots = 0, touched = 0;
        while (fscanf(f, "%lf,%lf,%lf", &a, &b, &c) == 3) {
            double px, py;
            assert_true(viz_plot_data_to_pixel(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, a, b, &px, &py));
            double dx = fmax(fmax(x0 - px, px - (x1 + 1)), 0), dy = fmax(fmax(y0 - py, py - (y1 + 1)), 0);
            touched += hypot(dx, dy) < 4.6;
            dots++;
        }
        fclose(f);
        printf("    scene %zu: the frame %d to %d, the legend %d to %d (%d to %d down), %d of %d dots touch it\n", k,
               left, right, x0, x1, y0, y1, touched, dots);
        assert_int_equal(touched, 0);
        assert_true(x0 > right + 8 && x1 < p.width - 14); /* outside, right of the frame, inside the figure */
        assert_true(abs(y0 - top) <= 1);                    /* at the frame's top */
        assert_true(right - left > (p.width - panel_left) / 2);
        cairo_surface_destroy(p.surface);
        session_close(&s);
    }
}

/* A legend lists at most 16 entries; 20 classes listed the first 16 and the
 * last four were silently missing.  Now sixteen classes fill its 16 rows,
 * the last with class 15's marker (sky blue), and twenty show the first 15
 * and a last row of words ("… and 5 more") with no swatch: the same box,
 * its last row's swatch empty, its text there. */
static void test_legend_says_how_many_classes_it_leaves_out(void **state) {
    (void)state;
    for (int classes = 16; classes <= 20; classes += 4) {
        session s;
        session_open(&s);
        char source[256];
        snprintf(source, sizeof source,
                 "x = randn([400, 2], seed=1)\n"
                 "t = arange(0, 400) %% %d\n"
                 "scatter(x, t)\n"
                 "savefig(\"/tmp/agrepl-test-pictures-many.png\")\n",
                 classes);
        run(&s, source);
        picture p = load_png("/tmp/agrepl-test-pictures-many.png");
        int x0, y0, x1, y1;
        assert_true(legend_box(&p, 0, &x0, &y0, &x1, &y1));
        /* plot_legend.c: padding 9, swatch 30, gap 8; 16 rows of `row`, the last 4 short */
        double row = (y1 - y0 + 1 + 4 - 18) / 16.0, middle = y0 + 9 + 15 * row + (row - 4) / 2;
        assert_true(row > 12 && row < 24);
        int coloured = 0, text = 0, c[3];
        for (int y = (int)middle - 5; y <= (int)middle + 5; y++) {
            for (int x = x0 + 10; x < x0 + 38; x++) {
                rgb_at(&p, x, y, c);
                int high = c[0] > c[1] ? (c[0] > c[2] ? c[0] : c[2]) : (c[1] > c[2] ? c[1] : c[2]);
                int low = c[0] < c[1] ? (c[0] < c[2] ? c[0] : c[2]) : (c[1] < c[2] ? c[1] : c[2]);
                coloured += high - low > 60;
            }
            for (int x = x0 + 47; x < x1 - 8; x++) {
                rgb_at(&p, x, y, c);
                text += c[0] < 90 && c[1] < 90 && c[2] < 90;
            }
        }
        printf("    %d classes: the legend %d to %d (%d to %d down), its last row at %.1f: %d coloured swatch "
               "pixels, %d of text\n", classes, x0, x1, y0, y1, middle, coloured, text);
        if (classes == 16) assert_true(coloured > 20);
        else assert_int_equal(coloured, 0);
        assert_true(text > 20);
        cairo_surface_destroy(p.surface);
        session_close(&s);
    }
}

/* Pixels of class 0's full orange (230, 159, 0) in a box of 2*half + 1 px
 * around data (x, y), and how many of them go on up-right ("/") and how
 * many down-right ("\\") to another: the hatch's direction.  A region's
 * own tint never reaches it (blue stays above 70 at PLOT_FIELD_STRENGTH). */
static int orange_hatch(session *s, const picture *p, double x, double y, int half, int *slash, int *back) {
    double px, py;
    assert_true(viz_plot_data_to_pixel(plot_of(s), VIZ_PLOT_PANEL_CONTOUR, x, y, &px, &py));
    int count = 0, c[3];
    *slash = *back = 0;
#define ORANGE(i, j) (rgb_at(p, i, j, c), c[0] > 190 && c[1] > 120 && c[1] < 200 && c[2] < 60)
    for (int j = (int)py - half; j <= (int)py + half; j++)
        for (int i = (int)px - half; i <= (int)px + half; i++) {
            if (!ORANGE(i, j)) continue;
            count++;
            *slash += ORANGE(i + 1, j - 1);
            *back += ORANGE(i + 1, j + 1);
        }
#undef ORANGE
    return count;
}

/* Past ten classes a region's colour comes round again: class 10's and
 * class 20's regions were class 0's flat orange, told apart only by the
 * points' markers.  Now they are hatched in their colour, class 10's "/"
 * (its points are triangles), class 20's "\\" (squares), and class 0's
 * region stays flat.  24 classes, class k's region the sector around
 * angle 2 pi k / 24 (scores p @ W, W's columns the sectors' directions). */
static void test_regions_past_ten_classes_are_hatched(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "th = 2 * pi * arange(0, 24) / 24\n"
            "W = concat([reshape(cos(th), [1, 24]), reshape(sin(th), [1, 24])], axis=0)\n"
            "def sectors(q) = q @ W\n"
            "boundary(sectors, [-3, 3], [-3, 3])\n"
            "savefig(\"/tmp/agrepl-test-pictures-hatch.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-hatch.png");
    int counts[3], slash[3], back[3];
    const int classes[3] = {0, 10, 20};
    for (int i = 0; i < 3; i++) {
        double angle = 2 * 3.14159265358979323846 * classes[i] / 24;
        counts[i] = orange_hatch(&s, &p, 2.2 * cos(angle), 2.2 * sin(angle), 10, &slash[i], &back[i]);
        printf("    class %d's region: %d pixels of orange lines, %d going on up-right, %d down-right\n", classes[i],
               counts[i], slash[i], back[i]);
    }
    assert_int_equal(counts[0], 0);
    assert_true(counts[1] > 30 && slash[1] > 2 * back[1]);
    assert_true(counts[2] > 30 && back[2] > 2 * slash[2]);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* The model m's class (argmax of its outputs) at a 12 x 12 grid over the
 * map's pixels [x0, x1] x [y0, y1]: how many of the 144 fall in class 0. */
static int class_zero_under(session *s, int x0, int y0, int x1, int y1) {
    double ax, ay, bx, by;
    assert_true(viz_plot_data_to_pixel(plot_of(s), VIZ_PLOT_PANEL_CONTOUR, 0, 0, &ax, &ay));
    assert_true(viz_plot_data_to_pixel(plot_of(s), VIZ_PLOT_PANEL_CONTOUR, 1, 1, &bx, &by));
    char source[1024];
    snprintf(source, sizeof source,
             "under_x = linspace(%.17g, %.17g, 12)\n"
             "under_y = linspace(%.17g, %.17g, 12)\n"
             "under = concat([reshape(ones([12, 1]) * reshape(under_x, [1, 12]), [144, 1]), "
             "reshape(reshape(under_y, [12, 1]) * ones([1, 12]), [144, 1])], axis=1)\n"
             "save_csv(\"/tmp/agrepl-test-pictures-under.csv\", under, argmax(m(under), axis=1))\n",
             (x0 - ax) / (bx - ax), (x1 - ax) / (bx - ax), (y0 - ay) / (by - ay), (y1 - ay) / (by - ay));
    run(s, source);
    FILE *f = open_saved_csv("/tmp/agrepl-test-pictures-under.csv");
    assert_non_null(f);
    double a, b, k;
    int points = 0, zero = 0;
    while (fscanf(f, "%lf,%lf,%lf", &a, &b, &k) == 3) {
        zero += k == 0;
        points++;
    }
    fclose(f);
    assert_int_equal(points, 144);
    return zero;
}

/* A boundary's legend never sits on its threshold line, where the classes
 * meet.  playground_xor's points fill all four quadrants, so every corner
 * and every place along the frame's edges hid some but the bottom's
 * middle, where the two lower quadrants meet: the legend went there, over
 * the line (a teacher's pass).  The line's pieces now count as hidden
 * too: the legend goes over the frame in one row.  Beside it,
 * playground_circle's legend stays in a corner, and the model gives one
 * class at every point under it. */
static void test_legend_off_the_boundary_line(void **state) {
    (void)state;
    static const char *const lessons[] = {
        "x, t = xor(200, seed=1)\n"
        "m = mlp([8, 4, 2], activation=tanh, seed=1)\n"
        "xr = [-1.2, 1.2]\n",
        "x, t = circles(200, noise=0.05, factor=0.5, seed=1)\n"
        "m = mlp([6, 2], activation=tanh, seed=1)\n"
        "xr = [-1.5, 1.5]\n",
    };
    for (size_t k = 0; k < sizeof lessons / sizeof lessons[0]; k++) {
        session s;
        session_open(&s);
        run(&s, lessons[k]);
        run(&s, "opt = adam(m, lr=0.05)\n"
                "for step in range(200) { loss = cross_entropy(m(x), t); m.cleargrads(); loss.backward(); opt.step(); "
                "plot(loss, \"loss\") }\n"
                "boundary(m, xr, xr, x, t)\n"
                "neurons(m, xr, xr)\n"
                "savefig(\"/tmp/agrepl-test-pictures-line.png\")\n");
        picture p = load_png("/tmp/agrepl-test-pictures-line.png");
        int left, top, right, bottom, x0, y0, x1, y1, panel_left, c[3];
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_NEURONS, NULL, NULL, &panel_left, NULL));
        bool inside = legend_box(&p, panel_left + 2, &x0, &y0, &x1, &y1) && x0 >= left && x1 <= right &&
                      y0 >= top && y1 <= bottom;
        int orange_above = 0, blue_above = 0;
        for (int y = top - 30; y < top - 2; y++)
            for (int x = left; x <= right; x++) {
                rgb_at(&p, x, y, c);
                orange_above += c[0] == 230 && c[1] == 159 && c[2] == 0;
                blue_above += c[0] == 0 && c[1] == 114 && c[2] == 178;
            }
        int zero = inside ? class_zero_under(&s, x0, y0, x1, y1) : -1;
        printf("    lesson %zu: the frame %d to %d (%d to %d down); legend %s %d to %d (%d to %d down), "
               "%d of 144 under it in class 0; class dots above the frame: %d and %d pixels\n",
               k, left, right, top, bottom, inside ? "inside" : "not inside", x0, x1, y0, y1, zero, orange_above,
               blue_above);
        if (k == 0) {
            assert_false(inside);
            assert_true(orange_above > 10 && blue_above > 10);
        } else {
            assert_true(inside);
            assert_true(zero == 0 || zero == 144);
        }
        cairo_surface_destroy(p.surface);
        session_close(&s);
    }
}

/* neurons() of a 30-unit layer drew every map 14 pixels wide, the
 * inputs' and outputs' too: the output's first map (the panel's recorded
 * box) is now 36 pixels or more (the layout itself: test_plot_files's
 * test_unit_blocks). */
static void test_wide_layer_maps_readable(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "m = mlp([30, 2], activation=tanh, seed=1)\n"
            "neurons(m, [-1, 1], [-1, 1])\n"
            "savefig(\"/tmp/agrepl-test-pictures-wide.png\")\n");
    picture p = load_png("/tmp/agrepl-test-pictures-wide.png");
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_NEURONS, &left, &top, &right, &bottom));
    printf("    the output's first map: %d x %d pixels\n", right - left, bottom - top);
    assert_true(right - left >= 36 && bottom - top >= 36);
    cairo_surface_destroy(p.surface);
    session_close(&s);
}

/* The box from long runs (at least 30 pixels): a colour bar's pale grey
 * band of a class or a field's grey never runs that long. */
static bool legend_box_long(const picture *p, int from, int *x0, int *y0, int *x1, int *y1) {
    return legend_box_runs(p, from, 30, x0, y0, x1, y1);
}

/* An 8-class model's boundary with its points and its class bars beside
 * its loss, at :zoom 1 and 1.5: the legend covers no point.  At 1 it goes
 * right of the frame and the bars; at 1.5 the frame would keep less than
 * two thirds of its width for that, and the legend went within, over a
 * dozen points: it goes under the frame, in columns (4 of 2 rows), the
 * frame keeping its width. */
static void test_eight_class_boundary_legend_at_zoom(void **state) {
    (void)state;
    static const double zooms[] = {1, 1.5};
    for (size_t k = 0; k < sizeof zooms / sizeof zooms[0]; k++) {
        session s;
        session_open(&s);
        char command[32];
        snprintf(command, sizeof command, ":zoom %g\n", zooms[k]);
        run(&s, command);
        run(&s, "x, t = gaussians(400, classes=8, std=0.6, seed=2)\n"
                "m = mlp([16, 8], activation=tanh, seed=1)\n"
                "opt = adam(m, lr=0.03)\n"
                "for step in range(60) { loss = cross_entropy(m(x), t); m.cleargrads(); loss.backward(); opt.step(); "
                "plot(loss, \"loss\") }\n"
                "boundary(m, [-3, 3], [-3, 3], x, t)\n"
                "save_csv(\"/tmp/agrepl-test-pictures-eight.csv\", x, t)\n"
                "savefig(\"/tmp/agrepl-test-pictures-eight.png\")\n");
        picture p = load_png("/tmp/agrepl-test-pictures-eight.png");
        int left, top, right, bottom, x0, y0, x1, y1, panel_left;
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
        assert_true(viz_plot_panel_box(plot_of(&s), VIZ_PLOT_PANEL_SERIES, NULL, NULL, &panel_left, NULL));
        assert_true(legend_box_long(&p, panel_left + 2, &x0, &y0, &x1, &y1)); /* the map's (not the loss's) */
        FILE *f = open_saved_csv("/tmp/agrepl-test-pictures-eight.csv");
        assert_non_null(f);
        double a, b, c, radius = 4.6 * zooms[k];
        int dots = 0, touched = 0;
        while (fscanf(f, "%lf,%lf,%lf", &a, &b, &c) == 3) {
            double px, py;
            assert_true(viz_plot_data_to_pixel(plot_of(&s), VIZ_PLOT_PANEL_CONTOUR, a, b, &px, &py));
            if (px < left || px > right || py < top || py > bottom) continue; /* outside the plane drawn */
            double dx = fmax(fmax(x0 - px, px - (x1 + 1)), 0), dy = fmax(fmax(y0 - py, py - (y1 + 1)), 0);
            touched += hypot(dx, dy) < radius;
            dots++;
        }
        fclose(f);
        printf("    zoom %g: the frame %d to %d (%d to %d down), the legend %d to %d (%d to %d down), %d of %d dots "
               "touch it\n", zooms[k], left, right, top, bottom, x0, x1, y0, y1, touched, dots);
        assert_true(dots > 350);
        assert_int_equal(touched, 0);
        assert_true(x0 > right || y0 > bottom); /* outside the frame */
        assert_true(x1 < p.width && y1 < p.height);
        cairo_surface_destroy(p.surface);
        session_close(&s);
    }
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

/* A layer's units in the graph's inspector (repl_unit_maps): for the first
 * layer's output they are tanh(x W0 + b0) at the centres of a 32 x 32 grid
 * over the last boundary's plane, unit by unit, row 0 at its bottom; the
 * last layer's output has its one unit; a value no layer made has none. */
static void test_unit_maps_of_a_layer(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "m = mlp([3, 1], activation=tanh, seed=1)\nx = randn(5, 2, seed=2)\ny = m(x)\n"
            "boundary(m, [-2, 1], [0, 3])\nz = y * 2\n");
    ag_var *y = names_get(&s.r->names, "y")->as.var, *z = names_get(&s.r->names, "z")->as.var;
    ag_model *m = repl_model_of(*names_get(&s.r->names, "m"));
    const double *w = ag_cdata(ag_model_param_by_name(m, "linear[0].w"));
    const double *b = ag_cdata(ag_model_param_by_name(m, "linear[0].b"));
    ag_var *hidden = ag_func_input(ag_creator(y), 0); /* the Linear of layer 1 reads layer 0's Tanh */
    assert_int_equal(ag_func_op(ag_creator(hidden)), AG_OP_TANH);
    viz_unit_maps maps = {0};
    assert_int_equal(repl_unit_maps(s.r, hidden, &maps), 0);
    assert_int_equal(maps.units, 3);
    assert_int_equal(maps.grid, 32);
    assert_close(maps.centre, 0);
    assert_close(maps.xlo, -2);
    assert_close(maps.yhi, 3);
    assert_non_null(strstr(maps.what, "m.linear[0]: 3 units"));
    const int cells[][2] = {{0, 0}, {5, 17}, {31, 31}, {20, 3}};
    for (int u = 0; u < 3; u++)
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
            int row = cells[c][0], column = cells[c][1];
            double px = -2 + 3 * (column + 0.5) / 32, py = 0 + 3 * (row + 0.5) / 32;
            assert_close(maps.maps[(size_t)u * 32 * 32 + (size_t)row * 32 + column],
                         tanh(px * w[u] + py * w[3 + u] + b[u]));
        }
    viz_unit_maps_free(&maps);
    assert_int_equal(repl_unit_maps(s.r, y, &maps), 0);
    assert_int_equal(maps.units, 1);
    assert_non_null(strstr(maps.what, "m.linear[1]: 1 unit over x0")); /* not "1 units" */
    viz_unit_maps_free(&maps);
    assert_int_equal(repl_unit_maps(s.r, z, &maps), -1);
    assert_null(maps.maps);
    session_close(&s);
}

/* Without a boundary() drawn, a layer's units are drawn over the plane of
 * the points the model read (each column's range and a tenth of it on each
 * side), which a minibatch's slice reaches back to: they were drawn over
 * -2..2 whatever the data. */
static void test_unit_maps_over_the_data(void **state) {
    (void)state;
    session s;
    session_open(&s);
    run(&s, "m = mlp([3, 1], activation=tanh, seed=1)\nx = 5 * randn(6, 2, seed=2) + 10\ny = m(x[0:4])\n");
    ag_var *x = names_get(&s.r->names, "x")->as.var, *y = names_get(&s.r->names, "y")->as.var;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < 6; i++)
        for (int c = 0; c < 2; c++) {
            lo[c] = fmin(lo[c], ag_cdata(x)[2 * i + c]);
            hi[c] = fmax(hi[c], ag_cdata(x)[2 * i + c]);
        }
    viz_unit_maps maps = {0};
    assert_int_equal(repl_unit_maps(s.r, ag_func_input(ag_creator(y), 0), &maps), 0);
    printf("    over x0 %g..%g, x1 %g..%g: %s\n", maps.xlo, maps.xhi, maps.ylo, maps.yhi, maps.what);
    assert_close(maps.xlo, lo[0] - (hi[0] - lo[0]) / 10);
    assert_close(maps.xhi, hi[0] + (hi[0] - lo[0]) / 10);
    assert_close(maps.ylo, lo[1] - (hi[1] - lo[1]) / 10);
    assert_close(maps.yhi, hi[1] + (hi[1] - lo[1]) / 10);
    viz_unit_maps_free(&maps);
    run(&s, "boundary(m, [-2, 1], [0, 3])\n"); /* a boundary's plane, once drawn, wins */
    assert_int_equal(repl_unit_maps(s.r, y, &maps), 0);
    assert_close(maps.xlo, -2);
    assert_close(maps.yhi, 3);
    viz_unit_maps_free(&maps);
    session_close(&s);
}

/* A word of a PDF and its box (pdftotext -bbox). */
typedef struct pdf_word {
    double x0, y0, x1, y1;
    char text[32];
} pdf_word;

/* The figure drawn as the window draws it, width x height pixels (the
 * session's zoom applied), into a PDF, and its words with their boxes, at
 * most `room`; their count. */
static int window_words(session *s, int width, int height, pdf_word *words, int room) {
    char directory[] = "/tmp/agrepl-test-pictures-XXXXXX", pdf[96], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(pdf, sizeof pdf, "%s/window.pdf", directory);
    cairo_surface_t *surface = cairo_pdf_surface_create(pdf, width, height);
    cairo_t *cr = cairo_create(surface);
    assert_true(plot_draw_figure(plot_of(s), cr, width, height));
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    snprintf(command, sizeof command, "pdftotext -bbox %s - | grep '<word '; rm -r %s", pdf, directory);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    char line[512];
    int count = 0;
    while (count < room && fgets(line, sizeof line, pipe) != NULL) {
        pdf_word *w = &words[count];
        if (sscanf(line, " <word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%31[^<]", &w->x0, &w->y0, &w->x1,
                   &w->y1, w->text) == 5)
            count++;
    }
    pclose(pipe);
    return count;
}

static int words_equal_to(const pdf_word *words, int count, const char *text) {
    int found = 0;
    for (int i = 0; i < count; i++) found += strcmp(words[i].text, text) == 0;
    return found;
}

/* The moons lesson on a projector: a 1024x768 screen at :zoom 1.5 (what
 * :help zoom advises for one) holds the plot window at 1004x708, 669 x 472
 * units for the loss, the units and the boundary.  Every legend name is
 * written whole (the loss's legend said a lone "…", and the classes' two
 * "…"), and no two words overlap (the units' layer names ran together:
 * "inputlayer 1ayer 2output"); likewise in a window narrowed to 800x500 at
 * :zoom 1. */
static void test_projector_window_keeps_its_words(void **state) {
    (void)state;
    static const struct {
        const char *zoom;
        int width, height;
    } windows[] = {{":zoom 1.5\n", 1004, 708}, {":zoom 1\n", 800, 500}};
    for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
        session s;
        session_open(&s);
        run(&s, windows[k].zoom);
        run(&s, "x, t = moons(100, noise=0.1, seed=1)\n"
                "m = mlp([16, 16, 1], activation=tanh, seed=1)\n"
                "for v in [1.2, 0.6, 0.3, 0.1] { plot(v, \"loss\") }\n"
                "boundary(m, [-1.5, 2.5], [-1, 1.5], x, t)\n"
                "neurons(m, [-1.5, 2.5], [-1, 1.5])\n");
        static pdf_word words[512];
        int count = window_words(&s, windows[k].width, windows[k].height, words, 512);
        printf("    %dx%d at %s", windows[k].width, windows[k].height, windows[k].zoom);
        for (int i = 0; i < count; i++) {
            if (strstr(words[i].text, "\xe2\x80\xa6") != NULL)
                fail_msg("a name cut to '%s' at (%.0f, %.0f)", words[i].text, words[i].x0, words[i].y0);
            for (int j = i + 1; j < count; j++) {
                const pdf_word *u = &words[i], *v = &words[j];
                double across = fmin(u->x1, v->x1) - fmax(u->x0, v->x0), down = fmin(u->y1, v->y1) - fmax(u->y0, v->y0);
                if (across > 0.5 && down > 0.5)
                    fail_msg("'%s' (%.1f, %.1f to %.1f, %.1f) overlaps '%s' (%.1f, %.1f to %.1f, %.1f)", u->text, u->x0,
                             u->y0, u->x1, u->y1, v->text, v->x0, v->y0, v->x1, v->y1);
            }
        }
        /* the legends' names and the layers' (the y axis says loss too) */
        assert_true(words_equal_to(words, count, "loss") >= 2);
        assert_int_equal(words_equal_to(words, count, "class"), 2);
        assert_int_equal(words_equal_to(words, count, "input"), 1);
        assert_int_equal(words_equal_to(words, count, "output"), 1);
        session_close(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_after_training),
        cmocka_unit_test(test_scatter_colours),
        cmocka_unit_test(test_scatter_without_classes),
        cmocka_unit_test(test_ten_class_colours),
        cmocka_unit_test(test_classes_past_ten_take_another_marker),
        cmocka_unit_test(test_class_colour_bar),
        cmocka_unit_test(test_panels_in_place),
        cmocka_unit_test(test_panels_wrap_in_rows),
        cmocka_unit_test(test_named_panels_in_place),
        cmocka_unit_test(test_boundary_threshold_from_the_model),
        cmocka_unit_test(test_before_left_of_after),
        cmocka_unit_test(test_heatmap_numbers_at_zoom_two),
        cmocka_unit_test(test_heatmap_numbers_at_zoom),
        cmocka_unit_test(test_heatmap_numbers_all_or_none),
        cmocka_unit_test(test_long_panel_title_wraps),
        cmocka_unit_test(test_legend_hides_no_points),
        cmocka_unit_test(test_long_legend_name_in_frame),
        cmocka_unit_test(test_legend_in_a_ring),
        cmocka_unit_test(test_legend_outside_when_no_place_is_free),
        cmocka_unit_test(test_legend_says_how_many_classes_it_leaves_out),
        cmocka_unit_test(test_regions_past_ten_classes_are_hatched),
        cmocka_unit_test(test_eight_class_boundary_legend_at_zoom),
        cmocka_unit_test(test_legend_off_the_boundary_line),
        cmocka_unit_test(test_wide_layer_maps_readable),
        cmocka_unit_test(test_drawing_leaves_gradients),
        cmocka_unit_test(test_unit_maps_of_a_layer),
        cmocka_unit_test(test_unit_maps_over_the_data),
        cmocka_unit_test(test_projector_window_keeps_its_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
