/* test_plot.c — live plots, headless: the series panel (axes, ticks, log
 * scale, colours), paths and contours (markers, closed level curves, the
 * levels chosen and asked for, two panels) and the tick rule; each figure is
 * saved as PNG, loaded back and checked pixel by pixel against the axis
 * mapping the module reports (plot_test_util.h).  Marks and titles are in
 * test_plot_marks.c, files, errors and timing in test_plot_files.c. */
#include "plot_test_util.h"

/* ---- the series panel --------------------------------------------------------- */

static void test_series_axes_ticks_and_curve(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_non_null(plot);
    enum { COUNT = 20 };
    for (int i = 0; i < COUNT; i++) assert_int_equal(viz_plot_append(plot, "loss", i * 0.5, err), 0);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_int_equal(img.surface->h, 600);

    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, NULL, NULL, NULL));
    assert_true(left > 40 && left < 160);
    assert_true(right > 800 && right < 900);
    assert_true(top > 5 && top < 80);
    assert_true(bottom > 450 && bottom < 560);
    /* the frame: dark along all four edges */
    for (int k = 1; k < 10; k++) {
        int y = top + (bottom - top) * k / 10, x = left + (right - left) * k / 10;
        assert_true(dark(pixel_at(&img, left, y)));
        assert_true(dark(pixel_at(&img, right, y)));
        assert_true(dark(pixel_at(&img, x, top)));
        assert_true(dark(pixel_at(&img, x, bottom)));
    }
    /* just outside the frame on the right it is white */
    assert_true(white(pixel_at(&img, right + 3, (top + bottom) / 2)));

    /* tick labels: dark text pixels left of the y axis and below the x axis */
    int text_left = 0, text_below = 0;
    for (int y = top - 8; y <= bottom + 8; y++)
        for (int x = left - 50; x < left - 8; x++) text_left += dark(pixel_at(&img, x, y));
    for (int y = bottom + 8; y < bottom + 30; y++)
        for (int x = left; x <= right; x++) text_below += dark(pixel_at(&img, x, y));
    assert_true(text_left > 100);
    assert_true(text_below > 100);

    /* the curve: rising from the lower left to the upper right */
    double ax, ay, bx, by;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 0, 0, &ax, &ay);
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, COUNT - 1, (COUNT - 1) * 0.5, &bx, &by);
    assert_true(ax < bx && ay > by);
    assert_true(ax > left && bx < right && by > top && ay < bottom);
    int near = 0, far = 0;
    for (int y = top + 1; y < bottom; y++) {
        for (int x = left + 1; x < right; x++) {
            if (!near_colour(pixel_at(&img, x, y), first_series, 12)) continue;
            if (x < left + 200 && y < top + 80) continue; /* the legend's swatch */
            if (distance_to_segment(x + 0.5, y + 0.5, ax, ay, bx, by) <= 4.5)
                near++;
            else
                far++;
        }
    }
    assert_int_equal(far, 0);
    assert_true(near > 0.9 * hypot(bx - ax, by - ay)); /* the whole length, 2 px wide */
    release(&img);
    viz_plot_free(plot);
}

static void test_log_scale_spaces_decades_evenly(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double values[] = {1, 10, 100, 1000};
    for (int i = 0; i < 4; i++) viz_plot_append(plot, "loss", values[i], err);
    viz_plot_set_log(plot, true);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    double y[4];
    for (int i = 0; i < 4; i++) {
        double x;
        pixel_of(plot, VIZ_PLOT_PANEL_SERIES, i, values[i], &x, &y[i]);
        assert_true(y[i] > top && y[i] < bottom);
    }
    double gap = y[0] - y[1];
    assert_true(gap > 50);
    assert_close_tol(y[1] - y[2], gap, 1e-9, 1e-9);
    assert_close_tol(y[2] - y[3], gap, 1e-9, 1e-9);
    /* each decade has a tick mark out of the frame at its row, and the
     * rising line passes through its point */
    for (int i = 0; i < 4; i++) {
        int row = (int)floor(y[i]);
        assert_true(dark(pixel_at(&img, left - 4, row)));
        double x;
        pixel_of(plot, VIZ_PLOT_PANEL_SERIES, i, values[i], &x, NULL);
        assert_true(near_colour(pixel_at(&img, (int)floor(x), row), first_series, 12));
    }
    /* the values in between decades are not ticked at full length: the
     * middle of two decade rows has no major tick mark */
    int middle = (int)floor((y[1] + y[2]) / 2);
    assert_false(dark(pixel_at(&img, left - 6, middle)) &&
                 dark(pixel_at(&img, left - 6, middle + 1)));
    release(&img);

    /* values <= 0 are not drawn on a log scale and do not break the range */
    viz_plot_append(plot, "loss", 0, err);
    viz_plot_append(plot, "loss", -5, err);
    viz_plot_append(plot, "loss", 10, err);
    save_and_load(plot, &img);
    double unused;
    assert_false(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_SERIES, 4, 0, &unused, &unused));
    double y1000;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 3, 1000, &unused, &y1000);
    assert_true(y1000 > top && y1000 < top + 60);
    release(&img);
    viz_plot_free(plot);
}

static void test_two_series_take_two_colours(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) {
        viz_plot_append(plot, "train", 1.0 / (i + 1), err);
        viz_plot_append(plot, "test", 2.0 / (i + 1), err);
    }
    image img;
    save_and_load(plot, &img);
    const SDL_Color second_series = {255, 127, 14, 255};
    double x, y_train, y_test;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 5, 1.0 / 6, &x, &y_train);
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 5, 2.0 / 6, &x, &y_test);
    assert_true(near_colour(pixel_at(&img, (int)floor(x), (int)floor(y_train)), first_series, 12));
    assert_true(near_colour(pixel_at(&img, (int)floor(x), (int)floor(y_test)), second_series, 12));
    release(&img);
    viz_plot_free(plot);
}

/* ---- paths and contours ------------------------------------------------------- */

static void test_track_markers_at_their_points(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double xs[] = {-1.5, -0.5, 0.5, 1.0}, ys[] = {2.0, 1.0, 0.4, -0.2};
    for (int i = 0; i < 4; i++) assert_int_equal(viz_plot_track(plot, "sgd", xs[i], ys[i], err), 0);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    /* the range follows the path with a margin */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 1.0, -0.2, &px, &py);
    assert_true(px > right - 60 && px < right - 5 && py > bottom - 60 && py < bottom - 5);
    /* the current point is a filled dot of the path's colour with a dark rim */
    assert_true(near_colour(pixel_at(&img, (int)px, (int)py), first_path, 8));
    assert_true(near_colour(pixel_at(&img, (int)px + 3, (int)py - 3), first_path, 8));
    assert_true(dark(pixel_at(&img, (int)px + 7, (int)py)) ||
                dark(pixel_at(&img, (int)px + 6, (int)py)));
    /* the start is a ring in the path's colour: white between it and the line */
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, -1.5, 2.0, &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px - 6.5), (int)floor(py)), first_path, 40));
    assert_true(white(pixel_at(&img, (int)floor(px - 3.5), (int)floor(py + 2))));
    /* halfway along the second leg the line itself */
    double qx, qy, rx, ry;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, -0.5, 1.0, &qx, &qy);
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0.5, 0.4, &rx, &ry);
    assert_true(near_colour(pixel_at(&img, (int)floor((qx + rx) / 2), (int)floor((qy + ry) / 2)),
                            first_path, 30));
    release(&img);
    viz_plot_free(plot);
}

static void test_contour_of_bowl_is_closed_around_centre(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
    assert_false(plot->contour.log_levels);
    assert_true(plot->contour.level_count >= 5);
    /* the floor of the bowl gets levels at fractions of the first step */
    assert_close_tol(plot->contour.levels[0] - plot->contour.value_min, 0.01, 1e-9, 1e-12);
    int index = 0;
    while (plot->contour.levels[index] < 0.5 - 1e-9) index++;
    double first_level = plot->contour.levels[index];
    assert_close(first_level, 0.5); /* then 1-2-5 steps over 0 .. 8 */
    image img;
    save_and_load(plot, &img);
    double cx, cy, ex, ey;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &cx, &cy);
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, sqrt(first_level), 0, &ex, &ey);
    double radius = ex - cx; /* of the innermost circle, in x pixels */
    assert_true(radius > 40);
    assert_true(white(pixel_at(&img, (int)cx + 1, (int)cy + 1))); /* nothing at the minimum */
    /* every ray from the centre meets the innermost level near its radius:
     * the curve is closed */
    for (int k = 0; k < 32; k++) {
        double angle = 2 * 3.14159265358979 * k / 32;
        double ux, uy;
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, sqrt(first_level) * cos(angle),
                 sqrt(first_level) * sin(angle), &ux, &uy);
        double reach = hypot(ux - cx, uy - cy);
        int hit = -1;
        /* from just outside the floor levels (the last at radius sqrt(0.25 / 0.5)) */
        for (int step = (int)(reach * 0.78); step < (int)(reach + 6); step++) {
            int x = (int)floor(cx + (ux - cx) / reach * step);
            int y = (int)floor(cy + (uy - cy) / reach * step);
            if (contour_colour(pixel_at(&img, x, y))) {
                hit = step;
                break;
            }
        }
        if (hit < 0 || fabs(hit - reach) > 4)
            fail_msg("ray %d: level curve at %d px, expected near %.1f", k, hit, reach);
    }
    release(&img);
    viz_plot_free(plot);
}

static void test_contour_levels_follow_the_range(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, rosenbrock, NULL, -2, 2, -1, 3, err), 0);
    const plot_contour *contour = &plot->contour;
    assert_true(contour->log_levels);
    assert_true(contour->value_max > 2500 && contour->value_max < 2510);
    assert_true(contour->level_count >= 8 && contour->level_count <= 20);
    /* levels at 1-2-5 steps above the minimum, a constant ratio apart */
    for (int i = 0; i < contour->level_count; i++) {
        double offset = contour->levels[i] - contour->value_min;
        double mantissa = offset / pow(10, floor(log10(offset) + 1e-9));
        assert_true(fabs(mantissa - 1) < 1e-6 || fabs(mantissa - 2) < 1e-6 ||
                    fabs(mantissa - 5) < 1e-6);
        if (i > 0) assert_true(contour->levels[i] > contour->levels[i - 1]);
    }
    assert_true(contour->levels[contour->level_count - 1] < contour->value_max);
    assert_true(contour->segment_count > 1000);
    /* every segment lies within one grid cell */
    double cell = 4.0 / (VIZ_PLOT_CONTOUR_GRID - 1);
    for (size_t i = 0; i < contour->segment_count; i++) {
        const plot_segment *s = &contour->segments[i];
        assert_true(fabs(s->x1 - s->x0) <= cell * 1.000001 &&
                    fabs(s->y1 - s->y0) <= cell * 1.000001);
    }

    /* NaN where f is undefined: skipped, the rest is traced */
    int calls = 0;
    assert_int_equal(viz_plot_contour(plot, undefined_near_origin, &calls, -1, 1, -1, 1, err), 0);
    assert_int_equal(calls, VIZ_PLOT_CONTOUR_GRID * VIZ_PLOT_CONTOUR_GRID);
    assert_true(plot->contour.value_min >= 0.25);
    for (size_t i = 0; i < plot->contour.segment_count; i++) {
        const plot_segment *s = &plot->contour.segments[i];
        assert_true(s->x0 * s->x0 + s->y0 * s->y0 > 0.2);
    }
    viz_plot_free(plot);
}

static void test_two_panels_side_by_side(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, rosenbrock, NULL, -2, 2, -1, 3, err), 0);
    double x0 = -1, x1 = 2, last_x0 = 0, last_x1 = 0;
    for (int i = 0; i < 200; i++) {
        viz_plot_append(plot, "loss", rosenbrock(NULL, x0, x1), err);
        viz_plot_track(plot, "gd", x0, x1, err);
        last_x0 = x0;
        last_x1 = x1;
        double g0 = -400 * x0 * (x1 - x0 * x0) - 2 * (1 - x0), g1 = 200 * (x1 - x0 * x0);
        x0 -= 0.001 * g0;
        x1 -= 0.001 * g1;
    }
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    assert_int_equal(img.surface->h, 600);
    int series_left, series_right, contour_left, contour_right, top, bottom;
    assert_true(
        viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &series_left, NULL, &series_right, NULL));
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &contour_left, &top,
                                   &contour_right, &bottom));
    assert_true(series_left < series_right && series_right < 700);
    assert_true(contour_left > 700 && contour_left < contour_right && contour_right < 1400);
    /* the contour panel spans exactly the function's range */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, -2, -1, &px, &py);
    assert_close_tol(px, contour_left, 0, 1e-9);
    assert_close_tol(py, bottom, 0, 1e-9);
    /* level curves in the right panel, none in the left */
    int contour_pixels = 0;
    for (int y = top + 1; y < bottom; y += 2)
        for (int x = contour_left + 1; x < contour_right; x += 2)
            contour_pixels += contour_colour(pixel_at(&img, x, y));
    assert_true(contour_pixels > 500);
    /* the path's current point, the last one tracked */
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, last_x0, last_x1, &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_path, 8));
    release(&img);
    viz_plot_free(plot);
}

/* tanh(5*b) is flat at -1 below and at +1 above: most samples sit near its
 * minimum, as in a valley, but it goes negative and piles up at its top as
 * much, so the automatic levels are linear and both halves get curves. */
static void test_contour_levels_of_a_step_are_linear(void **state) {
    viz_plot *plot = viz_plot_new(true);
    viz_plot_levels nine = {.count = 9, .spacing = VIZ_PLOT_SPACING_AUTO};
    assert_int_equal(viz_plot_contour_levels(plot, tanh_steps, NULL, -1, 1, -1, 1, &nine, err), 0);
    assert_false(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 9);
    int above = 0, below = 0;
    for (int i = 0; i < plot->contour.level_count; i++)
        above += plot->contour.levels[i] > 0.1, below += plot->contour.levels[i] < -0.1;
    assert_true(above >= 3 && below >= 3);
    /* segments traced in the upper half of the plane too */
    size_t upper = 0;
    for (size_t i = 0; i < plot->contour.segment_count; i++) upper += plot->contour.segments[i].y0 > 0.05;
    assert_true(upper > 20);
    /* and without a count */
    assert_int_equal(viz_plot_contour(plot, tanh_steps, NULL, -1, 1, -1, 1, err), 0);
    assert_false(plot->contour.log_levels);
    viz_plot_free(plot);
}

static void test_contour_levels_as_asked(void **state) {
    viz_plot *plot = viz_plot_new(true);
    /* Matyas from (1, 1) (f = 0.04) slides down the diagonal to 0: the
     * automatic levels cross that path several times */
    assert_int_equal(viz_plot_contour(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, err), 0);
    int below = 0;
    for (int i = 0; i < plot->contour.level_count; i++) below += plot->contour.levels[i] < 0.04;
    assert_true(below >= 3);
    /* a count: exactly that many, over the whole range 0 .. 8, the lowest
     * close to the minimum (the bowl's floor gets a ring) */
    viz_plot_levels six = {.count = 6, .spacing = VIZ_PLOT_SPACING_LINEAR};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &six, err), 0);
    assert_false(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 6);
    assert_close(plot->contour.levels[0], 0.4);   /* 0.3 of a step of 8/6 */
    assert_close(plot->contour.levels[1], 1.3);   /* then evenly, to two digits */
    assert_close(plot->contour.levels[5], 6.7);
    /* levels=12 on Matyas (0 .. 2.25): rings inside the box around the
     * minimum, below f(1, 1) = 0.04 */
    viz_plot_levels twelve = {.count = 12, .spacing = VIZ_PLOT_SPACING_AUTO};
    assert_int_equal(viz_plot_contour_levels(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, &twelve, err), 0);
    assert_int_equal(plot->contour.level_count, 12);
    assert_true(plot->contour.levels[0] < 0.04);
    assert_true(plot->contour.levels[11] > 0.75 * plot->contour.value_max);
    /* a count with log spacing: exactly that many, one factor apart */
    viz_plot_levels twenty = {.count = 20, .spacing = VIZ_PLOT_SPACING_LOG};
    assert_int_equal(viz_plot_contour_levels(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, &twenty, err), 0);
    assert_true(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 20);
    double first_factor = plot->contour.levels[1] / plot->contour.levels[0];
    double last_factor = plot->contour.levels[19] / plot->contour.levels[18];
    assert_true(first_factor > 1.2 && fabs(first_factor / last_factor - 1) < 0.25);
    assert_true(plot->contour.levels[19] > 0.5 * plot->contour.value_max);
    /* log spacing asked for a bowl */
    viz_plot_levels log_spacing = {.spacing = VIZ_PLOT_SPACING_LOG};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &log_spacing, err), 0);
    assert_true(plot->contour.log_levels);
    assert_true(plot->contour.levels[1] / plot->contour.levels[0] < 3);
    /* a list: sorted, once each */
    const double listed[] = {2, 0.5, 1, 2};
    viz_plot_levels given = {.values = listed, .count = 4};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &given, err), 0);
    assert_int_equal(plot->contour.level_count, 3);
    assert_close(plot->contour.levels[0], 0.5);
    assert_close(plot->contour.levels[2], 2);
    assert_true(plot->contour.given_levels);
    /* every segment of level 1 (x^2 + y^2 = 1) is on the unit circle */
    for (size_t i = 0; i < plot->contour.segment_count; i++) {
        const plot_segment *g = &plot->contour.segments[i];
        if (g->level == 1) assert_true(fabs(hypot(g->x0, g->y0) - 1) < 0.01);
    }
    viz_plot_free(plot);
}

/* ---- ticks -------------------------------------------------------------------- */

static void check_labels(const plot_tick_list *list, const char *const *expected, int count) {
    int labelled = 0;
    for (int i = 0; i < list->count; i++) {
        if (!list->items[i].major) continue;
        if (labelled >= count) fail_msg("extra tick '%s'", list->items[i].label);
        assert_string_equal(list->items[i].label, expected[labelled]);
        labelled++;
    }
    assert_int_equal(labelled, count);
}

static void test_ticks_are_nice_numbers(void **state) {
    plot_tick_list list;
    plot_linear_ticks(&list, -0.3, 10.2, 5, false);
    check_labels(&list, (const char *const[]){"0", "2", "4", "6", "8", "10"}, 6);
    plot_linear_ticks(&list, 0, 1, 5, false);
    check_labels(&list, (const char *const[]){"0", "0.2", "0.4", "0.6", "0.8", "1.0"}, 6);
    plot_linear_ticks(&list, -1.05, 1.05, 4, false);
    check_labels(&list, (const char *const[]){"-1.0", "-0.5", "0", "0.5", "1.0"}, 5);
    plot_linear_ticks(&list, 0, 3, 8, true); /* steps: whole numbers */
    check_labels(&list, (const char *const[]){"0", "1", "2", "3"}, 4);
    plot_linear_ticks(&list, 1e7, 2.4e7, 4, false);
    check_labels(&list, (const char *const[]){"1.0e7", "1.5e7", "2.0e7"}, 3);
    plot_linear_ticks(&list, 0, 0.0001, 2, false);
    check_labels(&list, (const char *const[]){"0", "5e-5", "1.0e-4"}, 3);

    /* log axes: one style per axis; decimals only between 0.001 and 9000 */
    plot_log_ticks(&list, -3.2, 3.1, 10);
    check_labels(&list, (const char *const[]){"0.001", "0.01", "0.1", "1", "10", "100", "1000"}, 7);
    int first_major = 0;
    while (!list.items[first_major].major) first_major++;
    assert_close(list.items[first_major].position, -3);
    plot_log_ticks(&list, -4.2, 2.1, 10);
    check_labels(&list, (const char *const[]){"1e-4", "1e-3", "1e-2", "1e-1", "1e0", "1e1", "1e2"},
                 7);
    plot_log_ticks(&list, -8.5, 4.5, 7); /* many decades: every other one */
    check_labels(&list, (const char *const[]){"1e-8", "1e-6", "1e-4", "1e-2", "1e0", "1e2", "1e4"},
                 7);
    plot_log_ticks(&list, -10, 10, 5);
    check_labels(&list, (const char *const[]){"1e-10", "1e-5", "1e0", "1e5", "1e10"}, 5);
    plot_log_ticks(&list, -0.05, 1.05, 6); /* two decades: 1-2-5 */
    check_labels(&list, (const char *const[]){"1", "2", "5", "10"}, 4);
    plot_log_ticks(&list, log10(0.15), log10(0.9), 6); /* within a decade: 1-2-3-5 */
    check_labels(&list, (const char *const[]){"0.2", "0.3", "0.5"}, 3);
    plot_log_ticks(&list, log10(0.00012), log10(0.00061), 6);
    check_labels(&list, (const char *const[]){"2e-4", "3e-4", "5e-4"}, 3);
    /* never "0.01" beside "1e-3", over many ranges */
    for (double low = -6; low < 4; low += 0.37) {
        for (double span = 0.2; span < 9; span *= 1.7) {
            plot_log_ticks(&list, low, low + span, 8);
            int exponent = 0, plain = 0;
            for (int i = 0; i < list.count; i++) {
                if (!list.items[i].major) continue;
                if (strchr(list.items[i].label, 'e') != NULL) exponent++;
                else plain++;
            }
            if (exponent > 0 && plain > 0)
                fail_msg("[%g, %g]: both styles on one axis", low, low + span);
            if (exponent + plain < 2) fail_msg("[%g, %g]: %d labels", low, low + span, exponent + plain);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_axes_ticks_and_curve),
        cmocka_unit_test(test_log_scale_spaces_decades_evenly),
        cmocka_unit_test(test_two_series_take_two_colours),
        cmocka_unit_test(test_track_markers_at_their_points),
        cmocka_unit_test(test_contour_of_bowl_is_closed_around_centre),
        cmocka_unit_test(test_contour_levels_follow_the_range),
        cmocka_unit_test(test_two_panels_side_by_side),
        cmocka_unit_test(test_contour_levels_as_asked),
        cmocka_unit_test(test_contour_levels_of_a_step_are_linear),
        cmocka_unit_test(test_ticks_are_nice_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
