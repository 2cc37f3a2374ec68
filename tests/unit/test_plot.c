/* test_plot.c — live plots, headless: each figure is saved as PNG, loaded
 * back with IMG_Load and checked pixel by pixel against the axis mapping
 * the module reports (viz_plot_data_to_pixel, viz_plot_panel_box): the
 * series panel, paths and contours, clearing, errors and odd values.
 * test_plot_marks.c and test_plot_files.c check the rest. */
#include "plot_test_util.h"
#include "plot_legend.h" /* plot_legend_and_more */
#include "plot_maps.h" /* plot_maps_legend */
#include "plot_maps_data.h"

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

/* CIELAB lightness L* of an sRGB colour (components 0..1). */
static double lightness(colour c) {
    double v[3] = {c.r, c.g, c.b};
    for (int i = 0; i < 3; i++) v[i] = v[i] <= 0.04045 ? v[i] / 12.92 : pow((v[i] + 0.055) / 1.055, 2.4);
    double y = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
    return y > 216.0 / 24389 ? 116 * cbrt(y) - 16 : 24389.0 / 27 * y;
}

/* Every one of ten classes shows on its own region and the others: a
 * class's region at its surest (its colour tinted to PLOT_FIELD_STRENGTH)
 * is light enough (L* 55 at least) for the dark rim of its dots to show
 * (class 7's black made a region of L* 30 where its black dots vanished,
 * Tol's wine and indigo 50 and 45), and no two classes' colours or regions
 * are alike; the first seven are Okabe-Ito's, as the lessons show them. */
static void test_ten_classes_show_on_their_regions(void **state) {
    (void)state;
    static const int okabe_ito[7][3] = {{230, 159, 0},   {0, 114, 178},  {0, 158, 115}, {213, 94, 0},
                                        {204, 121, 167}, {86, 180, 233}, {240, 228, 66}};
    for (int k = 0; k < 7; k++) {
        colour c = plot_class_colour(k);
        assert_int_equal(lround(c.r * 255), okabe_ito[k][0]);
        assert_int_equal(lround(c.g * 255), okabe_ito[k][1]);
        assert_int_equal(lround(c.b * 255), okabe_ito[k][2]);
    }
    for (int k = 0; k < VIZ_PLOT_CLASS_COLOURS; k++) {
        colour region = plot_tint(plot_class_colour(k), PLOT_FIELD_STRENGTH), rim = {38 / 255.0, 38 / 255.0, 38 / 255.0};
        if (lightness(region) < 55 || lightness(region) - lightness(rim) < 35)
            fail_msg("class %d's region has L* %.1f: its dots' rims do not show", k, lightness(region));
        for (int j = k + 1; j < VIZ_PLOT_CLASS_COLOURS; j++) {
            colour a = plot_class_colour(k), b = plot_class_colour(j);
            double d = 255 * (fabs(a.r - b.r) + fabs(a.g - b.g) + fabs(a.b - b.b));
            if (d < 80) fail_msg("classes %d and %d look alike (%.0f apart)", k, j, d);
        }
    }
}

/* Every class scatter accepts (0 to VIZ_PLOT_MAX_CLASSES - 1) has its own
 * colour and marker (class 10 was class 0's orange disc), and its legend
 * entry shows the marker its points are drawn with. */
static void test_every_class_looks_its_own(void **state) {
    (void)state;
    for (int k = 0; k < VIZ_PLOT_MAX_CLASSES; k++)
        for (int j = k + 1; j < VIZ_PLOT_MAX_CLASSES; j++) {
            colour a = plot_class_colour(k), b = plot_class_colour(j);
            if (a.r == b.r && a.g == b.g && a.b == b.b && plot_class_marker(k) == plot_class_marker(j))
                fail_msg("classes %d and %d share a colour and a marker", k, j);
        }
    double xy[PLOT_MARKER_CORNERS_MOST][2];
    assert_int_equal(plot_marker_outline(plot_class_marker(0), xy), 0); /* the first ten stay discs */
    assert_true(plot_marker_outline(plot_class_marker(10), xy) > 0);
    viz_plot *plot = viz_plot_new(true);
    const double xs[] = {0, 1, 2}, ys[] = {0, 1, 2};
    const int classes[] = {0, 10, 23};
    assert_int_equal(viz_plot_scatter(plot, xs, ys, classes, 3, NULL, 0, err), 0);
    legend_entry entries[PLOT_MAX_LEGEND_ENTRIES];
    int total;
    assert_int_equal(plot_maps_legend(plot, entries, PLOT_MAX_LEGEND_ENTRIES, &total), 3);
    assert_int_equal(total, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(entries[i].marker, plot_class_marker(classes[i]));
    viz_plot_free(plot);
}

/* A legend names at most PLOT_MAX_LEGEND_ENTRIES things: past that its last
 * entry says how many are left out (20 classes listed the first 16, the
 * other four silently missing).  The class legend takes the first classes
 * and counts them all; the last place becomes "… and 5 more", no swatch. */
static void test_legend_says_what_it_leaves_out(void **state) {
    (void)state;
    enum { N = 20 };
    double xs[N], ys[N];
    int classes[N];
    for (int i = 0; i < N; i++) xs[i] = i, ys[i] = -i, classes[i] = N - 1 - i; /* every class, last first */
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_scatter(plot, xs, ys, classes, N, NULL, 0, err), 0);
    legend_entry entries[PLOT_MAX_LEGEND_ENTRIES];
    char more[PLOT_LEGEND_MORE_BYTES];
    int total, count = plot_maps_legend(plot, entries, PLOT_MAX_LEGEND_ENTRIES, &total);
    assert_int_equal(count, PLOT_MAX_LEGEND_ENTRIES);
    assert_int_equal(total, N);
    assert_string_equal(entries[0].name, "class 0");
    assert_string_equal(entries[15].name, "class 15");
    count = plot_legend_and_more(entries, count, total, more);
    assert_int_equal(count, PLOT_MAX_LEGEND_ENTRIES);
    assert_string_equal(entries[14].name, "class 14");
    assert_string_equal(entries[15].name, "… and 5 more");
    assert_true(entries[15].dot_radius == 0 && !entries[15].line);
    /* all that fit: nothing said */
    assert_int_equal(plot_legend_and_more(entries, 3, 3, more), 3);
    /* room left over: the words go after the last entry */
    entries[0].name = "kept";
    assert_int_equal(plot_legend_and_more(entries, 1, 4, more), 2);
    assert_string_equal(entries[0].name, "kept");
    assert_string_equal(entries[1].name, "… and 3 more");
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

static double undefined_near_origin(void *user, double x, double y) {
    int *calls = user;
    (*calls)++;
    double r = x * x + y * y;
    return r < 0.25 ? NAN : r;
}

static double nowhere_finite(void *user, double x, double y) {
    (void)user;
    return NAN;
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

/* ---- clear, errors, headless --------------------------------------------------- */

static void test_clear_empties_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1, err);
    for (int i = 0; i < 10; i++) {
        viz_plot_append(plot, "loss", i, err);
        viz_plot_track(plot, "path", i * 0.1, 0.5, err);
    }
    viz_plot_set_log(plot, true);
    viz_plot_clear(plot);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, NULL, NULL, NULL));
    int coloured = 0;
    for (int y = 0; y < img.surface->h; y++) {
        for (int x = 0; x < img.surface->w; x++) {
            SDL_Color c = pixel_at(&img, x, y);
            /* only greys are left: frame, grid, labels */
            if (abs(c.r - c.g) > 6 || abs(c.g - c.b) > 6) coloured++;
        }
    }
    assert_int_equal(coloured, 0);
    release(&img);
    /* the log scale went too: a new series starts linear */
    viz_plot_append(plot, "loss", -1, err);
    viz_plot_append(plot, "loss", 1, err);
    save_and_load(plot, &img);
    double px, py;
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_SERIES, 0, -1, &px, &py));
    release(&img);
    viz_plot_free(plot);
}

static void test_errors_say_what_went_wrong(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_append(plot, "", 1, err), -1);
    assert_string_equal(err, "a series needs a name");
    assert_int_equal(viz_plot_append(plot, NULL, 1, err), -1);
    assert_int_equal(viz_plot_track(plot, "", 1, 2, err), -1);
    assert_string_equal(err, "a path needs a name");

    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1, err), 0);
    size_t segments = plot->contour.segment_count;
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, 2, 1, -1, 1, err), -1);
    assert_string_equal(err, "x range [2, 1] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, 0, NAN, err), -1);
    assert_string_equal(err, "y range [0, NaN] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, nowhere_finite, NULL, -1, 1, -1, 1, err), -1);
    assert_string_equal(err,
                        "the function is not finite anywhere in [-1, 1] x [-1, 1]");
    /* a failed call keeps what was there */
    assert_true(plot->contour.present);
    assert_int_equal(plot->contour.segment_count, segments);

    assert_int_equal(viz_plot_savefig(plot, "/nonexistent-directory/loss.png", err), -1);
    assert_string_equal(
        err,
        "cannot write '/nonexistent-directory/loss.png': No such file or directory");
    assert_int_equal(viz_plot_savefig(plot, "/tmp/loss.jpg", err), -1);
    assert_string_equal(err,
                        "cannot write '/tmp/loss.jpg': the name must end in .png, .svg or .pdf");
    assert_int_equal(access("/tmp/loss.jpg", F_OK), -1);
    assert_int_equal(viz_plot_mark(plot, NAN, 1, "x", err), -1);
    assert_string_equal(err, "a mark needs a finite point, not (NaN, 1)");
    viz_plot_levels too_many = {.count = VIZ_PLOT_MAX_LEVELS + 1};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -1, 1, -1, 1, &too_many, err), -1);
    assert_string_equal(err, "levels must be 1 to 40, not 41");
    const double listed_nan[] = {1, NAN};
    viz_plot_levels not_finite = {.values = listed_nan, .count = 2};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -1, 1, -1, 1, &not_finite, err), -1);
    assert_string_equal(err, "level 2 is NaN: levels must be finite");
    assert_int_equal(plot->contour.segment_count, segments);
    const double xs[] = {1, 2};
    assert_int_equal(viz_plot_series(plot, "fit", xs, xs, 2, false, err), 0);
    assert_int_equal(viz_plot_append(plot, "fit", 1, err), -1);
    assert_string_equal(err, "series 'fit' holds whole (x, y) data: a value "
                                              "cannot be appended to it (give it another name)");
    assert_int_equal(viz_plot_savefig(plot, "", err), -1);
    assert_string_equal(err, "savefig needs a file name");
    viz_plot_free(plot);
    viz_plot_free(NULL);
}

/* savefig writes beside the target and renames: a failed save keeps what
 * was there and leaves no temporary file; a good one replaces it whole. */
static void test_savefig_replaces_whole_or_not_at_all(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) assert_int_equal(viz_plot_append(plot, "loss", 10 - i, err), 0);
    char directory[] = "/tmp/test_plot_XXXXXX", path[96], blocked[96];
    assert_non_null(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/loss.png", directory);
    FILE *old = fopen(path, "w");
    assert_non_null(old);
    fputs("old", old);
    fclose(old);
    assert_int_equal(viz_plot_savefig(plot, path, err), 0);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_true(info.st_size > 1000); /* a whole PNG replaced the 3 bytes */
    assert_int_equal(info.st_mode & 0044, 0044); /* readable like any new file, not mkstemp's 0600 */
    /* the target is a directory holding a file: the rename fails */
    snprintf(blocked, sizeof blocked, "%s/blocked.svg", directory);
    assert_int_equal(mkdir(blocked, 0755), 0);
    char inside[128];
    snprintf(inside, sizeof inside, "%s/keep", blocked);
    fclose(fopen(inside, "w"));
    assert_int_equal(viz_plot_savefig(plot, blocked, err), -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_int_equal(stat(inside, &info), 0);
    /* nothing else in the directory: no temporary file left behind */
    DIR *listing = opendir(directory);
    assert_non_null(listing);
    int entries = 0;
    for (struct dirent *e; (e = readdir(listing)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) entries++;
    closedir(listing);
    assert_int_equal(entries, 2); /* loss.png and blocked.svg/ */
    remove(inside);
    rmdir(blocked);
    remove(path);
    rmdir(directory);
    viz_plot_free(plot);
}

/* Three classes whose scores are minus the squared distance to their
 * centres (at 90, 210 and 330 degrees on the unit circle): each wins a
 * third of the plane, the borders are the rays from the origin at 30, 150
 * and 270 degrees.  The field's edge follows them, each piece once (a
 * border traced from both its classes was kept twice), and the saved
 * picture draws them dark, as it does one score's line; inside the
 * regions it draws none.  Several scores drew no line at all. */
enum { BORDER_GRID = 60 };
static const double border_angles[3] = {30, 150, 270}, degree = 3.14159265358979 / 180;

/* How far (x, y) is from the nearest of the three borders. */
static double distance_to_a_border(double x, double y) {
    double nearest = INFINITY;
    for (int k = 0; k < 3; k++) {
        double a = border_angles[k] * degree;
        nearest = fmin(nearest, distance_to_segment(x, y, 0, 0, 5 * cos(a), 5 * sin(a)));
    }
    return nearest;
}

static void test_class_borders_drawn_between_regions(void **state) {
    (void)state;
    static double scores[BORDER_GRID * BORDER_GRID * 3];
    const double lo = -2, hi = 2, cell = (hi - lo) / BORDER_GRID;
    for (int row = 0; row < BORDER_GRID; row++)
        for (int column = 0; column < BORDER_GRID; column++) {
            double x = lo + (column + 0.5) * cell, y = lo + (row + 0.5) * cell;
            for (int k = 0; k < 3; k++) {
                double a = (90 + 120 * k) * degree;
                scores[(row * BORDER_GRID + column) * 3 + k] = -(pow(x - cos(a), 2) + pow(y - sin(a), 2));
            }
        }
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_field(plot, scores, BORDER_GRID, BORDER_GRID, 3, lo, hi, lo, hi, 0, err), 0);
    const plot_contour *edge = &plot->field.edge;
    printf("    %zu pieces of border\n", edge->segment_count);
    /* three rays of about 2 units each, one piece a cell crossed */
    assert_true(edge->segment_count > 3 * 1.5 / cell && edge->segment_count < 3 * 4 / cell);
    for (size_t i = 0; i < edge->segment_count; i++) {
        const plot_segment *s = &edge->segments[i];
        assert_true(distance_to_a_border(s->x0, s->y0) < cell && distance_to_a_border(s->x1, s->y1) < cell);
        for (size_t j = 0; j < i; j++) {
            const plot_segment *t = &edge->segments[j];
            bool same = (s->x0 == t->x0 && s->y0 == t->y0 && s->x1 == t->x1 && s->y1 == t->y1) ||
                        (s->x0 == t->x1 && s->y0 == t->y1 && s->x1 == t->x0 && s->y1 == t->y0);
            if (same) fail_msg("pieces %zu and %zu are one piece twice", j, i);
        }
    }
    image img;
    save_and_load(plot, &img);
    /* across each border at several radii: a dark pixel within 3 of it */
    for (int k = 0; k < 3; k++) {
        double a = border_angles[k] * degree;
        for (double radius = 0.3; radius < 1.9; radius += 0.4) {
            double bx, by, px, py;
            pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, radius * cos(a), radius * sin(a), &bx, &by);
            bool found = false;
            for (double across = -0.15; across <= 0.15 && !found; across += 0.005) {
                pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, radius * cos(a) - across * sin(a),
                         radius * sin(a) + across * cos(a), &px, &py);
                found = dark(pixel_at(&img, (int)floor(px), (int)floor(py))) && hypot(px - bx, py - by) <= 3;
            }
            if (!found) fail_msg("no line across the border at %g degrees, radius %g", border_angles[k], radius);
        }
    }
    /* within each region, away from its borders: no line */
    for (int k = 0; k < 3; k++) {
        double a = (90 + 120 * k) * degree, cx, cy;
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, cos(a), sin(a), &cx, &cy);
        for (int dy = -8; dy <= 8; dy++)
            for (int dx = -8; dx <= 8; dx++)
                if (dark(pixel_at(&img, (int)cx + dx, (int)cy + dy))) fail_msg("a line inside class %d's region", k);
    }
    release(&img);
    viz_plot_free(plot);
}

static void test_odd_values_still_draw(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double values[] = {NAN, 1, INFINITY, 2, -INFINITY, 1e300, -1e300, 3};
    for (int i = 0; i < 8; i++) assert_int_equal(viz_plot_append(plot, "odd", values[i], err), 0);
    viz_plot_append(plot, "constant", 5, err);
    viz_plot_append(plot, "constant", 5, err);
    viz_plot_track(plot, "far", 0, 0, err);
    viz_plot_track(plot, "far", 1e300, -1e300, err);
    viz_plot_track(plot, "far", NAN, 1, err);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    release(&img);
    viz_plot_set_log(plot, true);
    save_and_load(plot, &img);
    release(&img);
    viz_plot_free(plot);
}

/* The map's axes fit the points drawn: a point with a coordinate NaN or Inf
 * is not drawn, so its other coordinate (x = 3, y = 2 here) must not
 * stretch them (they ran to 3 and 2 around two points at 0 and 1). */
static void test_scatter_axes_fit_the_points_drawn(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double xs[] = {0, 1, NAN, 3}, ys[] = {0, 1, 2, INFINITY};
    const int classes[] = {0, 1, 0, 1};
    assert_int_equal(viz_plot_scatter(plot, xs, ys, classes, 4, NULL, 0, err), 0);
    image img;
    save_and_load(plot, &img);
    const plot_axes *a = &plot->axes[VIZ_PLOT_PANEL_CONTOUR];
    printf("    x from %g to %g, y from %g to %g\n", a->x_min, a->x_max, a->y_min, a->y_max);
    assert_true(a->x_min < 0 && a->x_max > 1 && a->x_max < 1.5);
    assert_true(a->y_min < 0 && a->y_max > 1 && a->y_max < 1.5);
    release(&img);
    viz_plot_free(plot);
}

/* Seconds to save and load a figure of `count` points of one curve. */
static double seconds_to_draw(int count, image *img, viz_plot **plot_out) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < count; i++) viz_plot_append(plot, "loss", 1 + sin(i * 0.001), err);
    Uint64 start = SDL_GetPerformanceCounter();
    save_and_load(plot, img);
    *plot_out = plot;
    return (double)(SDL_GetPerformanceCounter() - start) / SDL_GetPerformanceFrequency();
}

/* 200,000 points cost about what 2,000 do (more points than pixel columns
 * are drawn per column): a ratio of two drawings in one run, not a duration,
 * so it holds under ASan and on a loaded machine.  Each size is drawn three
 * times and its fastest taken, so one descheduled moment cannot decide. */
static void test_many_points_stay_fast_and_drawn(void **state) {
    enum { FEW = 2000, MANY = 200000 };
    double few = 1e9, many = 1e9;
    image img;
    viz_plot *plot;
    for (int round = 0; round < 3; round++) {
        double seconds = seconds_to_draw(FEW, &img, &plot);
        if (seconds < few) few = seconds;
        release(&img);
        viz_plot_free(plot);
        seconds = seconds_to_draw(MANY, &img, &plot);
        if (seconds < many) many = seconds;
        if (round < 2) {
            release(&img);
            viz_plot_free(plot);
        }
    }
    assert_below(many, 4 * few);
    /* the last point is on the curve */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, MANY - 1, 1 + sin((MANY - 1) * 0.001), &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_series, 12));
    release(&img);
    viz_plot_free(plot);
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
        cmocka_unit_test(test_clear_empties_the_figure),
        cmocka_unit_test(test_errors_say_what_went_wrong),
        cmocka_unit_test(test_savefig_replaces_whole_or_not_at_all),
        cmocka_unit_test(test_odd_values_still_draw),
        cmocka_unit_test(test_every_class_looks_its_own),
        cmocka_unit_test(test_legend_says_what_it_leaves_out),
        cmocka_unit_test(test_scatter_axes_fit_the_points_drawn),
        cmocka_unit_test(test_many_points_stay_fast_and_drawn),
        cmocka_unit_test(test_ten_classes_show_on_their_regions),
        cmocka_unit_test(test_class_borders_drawn_between_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
