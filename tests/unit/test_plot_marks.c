/* test_plot_marks.c — live plots, headless: a whole series replaced, the
 * legend's room, titles, marks and their labels, start markers and lines
 * that overlap, checked on the saved PNG as test_plot.c does. */
#include "plot_test_util.h"

/* ---- whole series, titles, marks, several paths -------------------------------- */

static void test_whole_series_is_replaced(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double xs[50], data[50], fit[50];
    for (int i = 0; i < 50; i++) {
        xs[i] = i / 49.0;
        data[i] = sin(6.283 * xs[i]) + (i % 3 - 1) * 0.2;
        fit[i] = 0;
    }
    assert_int_equal(viz_plot_series(plot, "data", xs, data, 50, true, err), 0);
    assert_int_equal(viz_plot_series(plot, "fit", xs, fit, 50, false, err), 0);
    for (int i = 0; i < 50; i++) fit[i] = sin(6.283 * xs[i]);
    assert_int_equal(viz_plot_series(plot, "fit", xs, fit, 50, false, err), 0); /* replaced */
    assert_int_equal(plot->series_count, 2);
    assert_int_equal(plot->series[1].count, 50);
    assert_int_equal(plot->series[1].colour, 1);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900); /* one panel: x, y */
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, NULL, NULL, NULL, NULL));
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    /* the fit is the new curve: its colour at sin's top, not on the old zero line */
    const SDL_Color second_series = {255, 127, 14, 255};
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[12], fit[12], &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), second_series, 20));
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[30], 0, &px, &py);
    assert_false(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), second_series, 60));
    /* data are dots with no line between them */
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[20], data[20], &px, &py);
    SDL_Color dot = pixel_at(&img, (int)floor(px), (int)floor(py));
    assert_true(dot.b > dot.r + 60); /* the first colour, blue, a little see-through */
    release(&img);
    /* appended series go beside the whole ones */
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_append(plot, "loss", 0.5, err);
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    int series_right, xy_left;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, &series_right, NULL));
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, &xy_left, NULL, NULL, NULL));
    assert_true(series_right < 700 && xy_left > 700);
    release(&img);
    viz_plot_free(plot);
}

/* A wave of eight periods and a quarter fills every corner and every place along the
 * edges with its peaks: the range grows at the top by the legend's height,
 * so the legend hides no point (lstm_sine's first peak). */
static void test_legend_makes_room_above_a_wave(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double xs[200], wave[200];
    for (int i = 0; i < 200; i++) xs[i] = 16.5 * 3.14159265358979 * i / 199, wave[i] = sin(xs[i]);
    assert_int_equal(viz_plot_series(plot, "wave", xs, wave, 200, true, err), 0);
    assert_int_equal(viz_plot_series(plot, "prediction", xs, wave, 200, false, err), 0);
    image img;
    save_and_load(plot, &img);
    const plot_axes *a = &plot->axes[VIZ_PLOT_PANEL_XY];
    assert_true(a->y_max > 1.25);          /* 1 + 5 % would be 1.1 */
    assert_true(a->y_min > -1.2);          /* the bottom as it was */
    /* the rows above the highest point are free of data (the legend's) */
    double px, top;
    pixel_of(plot, VIZ_PLOT_PANEL_XY, 0, 1.0, &px, &top);
    assert_true(top - a->top > 55);
    release(&img);
    viz_plot_free(plot);
}

/* A mark's label goes beside the cross where no path crosses it: above right
 * by default, below right when a path leaves the mark up and to the right
 * (matyas's path into its minimum), above left when paths take both right
 * sides. */
static void test_mark_label_avoids_paths(void **state) {
    for (int layout = 0; layout < 3; layout++) {
        viz_plot *plot = viz_plot_new(true);
        assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
        for (int i = 0; i <= 20 && layout > 0; i++)
            viz_plot_track(plot, "up right", 1.5 * (20 - i) / 20, 1.5 * (20 - i) / 20, err);
        for (int i = 0; i <= 20 && layout > 1; i++)
            viz_plot_track(plot, "down right", 1.5 * (20 - i) / 20, -1.5 * (20 - i) / 20, err);
        assert_int_equal(viz_plot_mark(plot, 0, 0, "minimum", err), 0);
        image img;
        save_and_load(plot, &img);
        double mx, my;
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &mx, &my);
        int x = (int)mx, y = (int)my;
        int up_right = dark_pixels(&img, x + 10, y - 32, x + 110, y - 9);
        int down_right = dark_pixels(&img, x + 10, y + 9, x + 110, y + 32);
        int up_left = dark_pixels(&img, x - 110, y - 32, x - 10, y - 9);
        printf("    layout %d: label pixels up right %d, down right %d, up left %d\n", layout, up_right, down_right,
               up_left);
        int expected[3] = {up_right, down_right, up_left}, others = 0;
        for (int k = 0; k < 3; k++) others += k != layout ? expected[k] : 0;
        assert_true(expected[layout] > 60);
        assert_true(others < 10);
        release(&img);
        viz_plot_free(plot);
    }
}

static void test_title_marks_and_start_markers(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
    /* two paths from one start: both rings show, each in its own colour */
    const SDL_Color second_path = {255, 127, 14, 255};
    viz_plot_track(plot, "a", 1.5, 1.5, err);
    viz_plot_track(plot, "a", 1.0, 0.5, err);
    viz_plot_track(plot, "b", 1.5, 1.5, err);
    viz_plot_track(plot, "b", 0.5, 1.0, err);
    assert_int_equal(viz_plot_mark(plot, 0, 0, "minimum", err), 0);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    assert_int_equal(dark_pixels(&img, 300, 0, 600, top - 20), 0); /* no title yet */
    double sx, sy;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 1.5, 1.5, &sx, &sy);
    int first = 0, second = 0;
    for (int y = (int)sy - 14; y <= (int)sy + 14; y++)
        for (int x = (int)sx - 14; x <= (int)sx + 14; x++) {
            first += near_colour(pixel_at(&img, x, y), first_path, 30);
            second += near_colour(pixel_at(&img, x, y), second_path, 30);
        }
    assert_true(first > 20 && second > 20);
    /* the mark: a dark cross at the point, its label above right */
    double mx, my;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &mx, &my);
    assert_true(dark(pixel_at(&img, (int)floor(mx), (int)floor(my))));
    assert_true(dark(pixel_at(&img, (int)floor(mx + 4), (int)floor(my + 4))));
    assert_true(dark_pixels(&img, (int)mx + 8, (int)my - 30, (int)mx + 100, (int)my - 5) > 60);
    release(&img);

    assert_int_equal(viz_plot_set_title(plot, "Bowl", err), 0);
    save_and_load(plot, &img);
    int titled_top;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, &titled_top, NULL, NULL));
    assert_true(titled_top > top); /* room for the title */
    assert_true(dark_pixels(&img, 380, 0, 520, titled_top - 20) > 80);
    release(&img);
    viz_plot_clear(plot);
    assert_null(plot->title);
    assert_int_equal(plot->mark_count, 0);
    viz_plot_free(plot);
}

/* Two series with the same values, and two paths with the same points (as
 * Adam's and AdamW's for their first steps): the one drawn first still
 * shows along the line, through the gaps of the other's dashes. */
static void test_overlapping_lines_stay_visible(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 150; i++) { /* long enough to draw no dot per point */
        assert_int_equal(viz_plot_append(plot, "adam", i, err), 0);
        assert_int_equal(viz_plot_append(plot, "adamw", i, err), 0);
        assert_int_equal(viz_plot_track(plot, "p", i, i, err), 0);
        assert_int_equal(viz_plot_track(plot, "q", i, i, err), 0);
    }
    image img;
    save_and_load(plot, &img);
    const SDL_Color second_series = {255, 127, 14, 255}, second_path = {255, 127, 14, 255};
    struct {
        viz_plot_panel panel;
        SDL_Color under, over;
    } cases[] = {{VIZ_PLOT_PANEL_SERIES, first_series, second_series},
                 {VIZ_PLOT_PANEL_CONTOUR, first_path, second_path}};
    for (int c = 0; c < 2; c++) {
        int under = 0, over = 0;
        for (int k = 0; k < 400; k++) {
            double t = 10 + 120 * k / 400.0, px, py;
            pixel_of(plot, cases[c].panel, t, t, &px, &py);
            SDL_Color seen = pixel_at(&img, (int)floor(px), (int)floor(py));
            under += near_colour(seen, cases[c].under, 40);
            over += near_colour(seen, cases[c].over, 40);
        }
        if (under < 40 || over < 40)
            fail_msg("panel %d: %d samples of the line beneath, %d of the one above", c, under, over);
    }
    release(&img);
    viz_plot_free(plot);
}

/* savefig's time grows linearly with the points (CPU time of 2,000 and
 * 20,000, in this run): a line through unsorted points crosses itself
 * everywhere, and 1e6 dots once took minutes and gigabytes. */

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_series_is_replaced),
        cmocka_unit_test(test_title_marks_and_start_markers),
        cmocka_unit_test(test_mark_label_avoids_paths),
        cmocka_unit_test(test_legend_makes_room_above_a_wave),
        cmocka_unit_test(test_overlapping_lines_stay_visible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
