/* test_plot.c — live plots, headless: each figure is saved as PNG, loaded
 * back with IMG_Load and checked pixel by pixel against the axis mapping
 * the module reports (viz_plot_data_to_pixel, viz_plot_panel_box); plus
 * ticks, contour levels and the error messages. */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"
#include "plot_internal.h"

/* ---- helpers ------------------------------------------------------------------ */

static const SDL_Color first_series = {31, 119, 180, 255}; /* series palette, first */
static const SDL_Color first_path = {214, 39, 40, 255};    /* path palette, first */

typedef struct image {
    SDL_Surface *surface; /* RGB888 */
    char directory[64];
    char path[96];
} image;

/* Saves the figure into a fresh temporary directory and loads it back. */
static void save_and_load(viz_plot *plot, image *out) {
    snprintf(out->directory, sizeof out->directory, "/tmp/test_plot_XXXXXX");
    assert_non_null(mkdtemp(out->directory));
    snprintf(out->path, sizeof out->path, "%s/figure.png", out->directory);
    int status = viz_plot_savefig(plot, out->path);
    if (status != 0) fail_msg("savefig: %s", viz_plot_error(plot));
    SDL_Surface *loaded = IMG_Load(out->path);
    if (loaded == NULL) fail_msg("IMG_Load: %s", IMG_GetError());
    out->surface = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGB888, 0);
    SDL_FreeSurface(loaded);
    assert_non_null(out->surface);
}

static void release(image *img) {
    SDL_FreeSurface(img->surface);
    unlink(img->path);
    rmdir(img->directory);
}

static SDL_Color pixel_at(const image *img, int x, int y) {
    assert_true(x >= 0 && y >= 0 && x < img->surface->w && y < img->surface->h);
    const Uint32 *row =
        (const Uint32 *)((const Uint8 *)img->surface->pixels + (size_t)y * img->surface->pitch);
    Uint32 p = row[x];
    return (SDL_Color){(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, 255};
}

static bool near_colour(SDL_Color a, SDL_Color b, int tolerance) {
    return abs(a.r - b.r) <= tolerance && abs(a.g - b.g) <= tolerance &&
           abs(a.b - b.b) <= tolerance;
}

static bool dark(SDL_Color c) {
    return c.r < 90 && c.g < 90 && c.b < 90;
}

static bool white(SDL_Color c) {
    return c.r == 255 && c.g == 255 && c.b == 255;
}

/* Level curves are blue-green: clearly more blue or green than red. */
static bool contour_colour(SDL_Color c) {
    return (c.b > c.r + 40 || c.g > c.r + 40) && !white(c);
}

static void pixel_of(const viz_plot *plot, viz_plot_panel panel, double x, double y, double *px,
                     double *py) {
    assert_true(viz_plot_data_to_pixel(plot, panel, x, y, px, py));
}

static double distance_to_segment(double px, double py, double ax, double ay, double bx,
                                  double by) {
    double dx = bx - ax, dy = by - ay, length_squared = dx * dx + dy * dy;
    double t = length_squared > 0 ? ((px - ax) * dx + (py - ay) * dy) / length_squared : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - ax - t * dx, py - ay - t * dy);
}

/* ---- the series panel --------------------------------------------------------- */

static void test_series_axes_ticks_and_curve(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_non_null(plot);
    enum { COUNT = 20 };
    for (int i = 0; i < COUNT; i++) assert_int_equal(viz_plot_append(plot, "loss", i * 0.5), 0);
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
    for (int i = 0; i < 4; i++) viz_plot_append(plot, "loss", values[i]);
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
    viz_plot_append(plot, "loss", 0);
    viz_plot_append(plot, "loss", -5);
    viz_plot_append(plot, "loss", 10);
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
        viz_plot_append(plot, "train", 1.0 / (i + 1));
        viz_plot_append(plot, "test", 2.0 / (i + 1));
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
    for (int i = 0; i < 4; i++) assert_int_equal(viz_plot_track(plot, "sgd", xs[i], ys[i]), 0);
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
    /* the start is a ring: white inside, the path's colour around */
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, -1.5, 2.0, &px, &py);
    assert_true(white(pixel_at(&img, (int)px, (int)py)));
    assert_true(near_colour(pixel_at(&img, (int)floor(px - 5), (int)py), first_path, 40));
    /* halfway along the second leg the line itself */
    double qx, qy, rx, ry;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, -0.5, 1.0, &qx, &qy);
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0.5, 0.4, &rx, &ry);
    assert_true(near_colour(pixel_at(&img, (int)floor((qx + rx) / 2), (int)floor((qy + ry) / 2)),
                            first_path, 30));
    release(&img);
    viz_plot_free(plot);
}

static double bowl(void *user, double x, double y) {
    (void)user;
    return x * x + y * y;
}

static double rosenbrock(void *user, double x, double y) {
    (void)user;
    return 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);
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
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2), 0);
    assert_false(plot->contour.log_levels);
    assert_true(plot->contour.level_count >= 5);
    double first_level = plot->contour.levels[0];
    assert_close(first_level, 0.5); /* 1-2-5 steps over 0 .. 8 */
    image img;
    save_and_load(plot, &img);
    double cx, cy, ex, ey;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &cx, &cy);
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, sqrt(first_level), 0, &ex, &ey);
    double radius = ex - cx; /* of the innermost circle, in x pixels */
    assert_true(radius > 40);
    assert_true(white(pixel_at(&img, (int)cx + 2, (int)cy + 2))); /* nothing at the minimum */
    /* every ray from the centre meets the innermost level near its radius:
     * the curve is closed */
    for (int k = 0; k < 32; k++) {
        double angle = 2 * 3.14159265358979 * k / 32;
        double ux, uy;
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, sqrt(first_level) * cos(angle),
                 sqrt(first_level) * sin(angle), &ux, &uy);
        double reach = hypot(ux - cx, uy - cy);
        int hit = -1;
        for (int step = 1; step < (int)(reach + 6); step++) {
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
    assert_int_equal(viz_plot_contour(plot, rosenbrock, NULL, -2, 2, -1, 3), 0);
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
    assert_int_equal(viz_plot_contour(plot, undefined_near_origin, &calls, -1, 1, -1, 1), 0);
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
    assert_int_equal(viz_plot_contour(plot, rosenbrock, NULL, -2, 2, -1, 3), 0);
    double x0 = -1, x1 = 2, last_x0 = 0, last_x1 = 0;
    for (int i = 0; i < 200; i++) {
        viz_plot_append(plot, "loss", rosenbrock(NULL, x0, x1));
        viz_plot_track(plot, "gd", x0, x1);
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
    viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1);
    for (int i = 0; i < 10; i++) {
        viz_plot_append(plot, "loss", i);
        viz_plot_track(plot, "path", i * 0.1, 0.5);
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
    viz_plot_append(plot, "loss", -1);
    viz_plot_append(plot, "loss", 1);
    save_and_load(plot, &img);
    double px, py;
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_SERIES, 0, -1, &px, &py));
    release(&img);
    viz_plot_free(plot);
}

static void test_errors_say_what_went_wrong(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_string_equal(viz_plot_error(plot), "");
    assert_int_equal(viz_plot_append(plot, "", 1), -1);
    assert_string_equal(viz_plot_error(plot), "a series needs a name");
    assert_int_equal(viz_plot_append(plot, NULL, 1), -1);
    assert_int_equal(viz_plot_track(plot, "", 1, 2), -1);
    assert_string_equal(viz_plot_error(plot), "a path needs a name");

    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1), 0);
    size_t segments = plot->contour.segment_count;
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, 2, 1, -1, 1), -1);
    assert_string_equal(viz_plot_error(plot), "x range [2, 1] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, 0, NAN), -1);
    assert_string_equal(viz_plot_error(plot), "y range [0, nan] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, nowhere_finite, NULL, -1, 1, -1, 1), -1);
    assert_string_equal(viz_plot_error(plot),
                        "the function is not finite anywhere in [-1, 1] x [-1, 1]");
    /* a failed call keeps what was there */
    assert_true(plot->contour.present);
    assert_int_equal(plot->contour.segment_count, segments);

    assert_int_equal(viz_plot_savefig(plot, "/nonexistent-directory/loss.png"), -1);
    assert_string_equal(
        viz_plot_error(plot),
        "cannot write '/nonexistent-directory/loss.png': No such file or directory");
    assert_int_equal(viz_plot_savefig(plot, "/tmp/loss.svg"), -1);
    assert_string_equal(viz_plot_error(plot),
                        "cannot write '/tmp/loss.svg': only PNG is supported (use a .png name)");
    assert_int_equal(access("/tmp/loss.svg", F_OK), -1);
    assert_int_equal(viz_plot_savefig(plot, ""), -1);
    assert_string_equal(viz_plot_error(plot), "savefig needs a file name");
    viz_plot_free(plot);
    viz_plot_free(NULL);
}

static void test_odd_values_still_draw(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double values[] = {NAN, 1, INFINITY, 2, -INFINITY, 1e300, -1e300, 3};
    for (int i = 0; i < 8; i++) assert_int_equal(viz_plot_append(plot, "odd", values[i]), 0);
    viz_plot_append(plot, "constant", 5);
    viz_plot_append(plot, "constant", 5);
    viz_plot_track(plot, "far", 0, 0);
    viz_plot_track(plot, "far", 1e300, -1e300);
    viz_plot_track(plot, "far", NAN, 1);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    release(&img);
    viz_plot_set_log(plot, true);
    save_and_load(plot, &img);
    release(&img);
    viz_plot_free(plot);
}

/* Seconds to save and load a figure of `count` points of one curve. */
static double seconds_to_draw(int count, image *img, viz_plot **plot_out) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < count; i++) viz_plot_append(plot, "loss", 1 + sin(i * 0.001));
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
    if (many > 4 * few) fail_msg("%d points took %.3f s, %d points %.3f s", MANY, many, FEW, few);
    /* the last point is on the curve */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, MANY - 1, 1 + sin((MANY - 1) * 0.001), &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_series, 12));
    release(&img);
    viz_plot_free(plot);
}

static void test_missing_font_draws_without_text(void **state) {
    viz_plot *plot = viz_plot_new(true);
    plot->font_path = "/nonexistent/DejaVuSans.ttf";
    for (int i = 0; i < 5; i++) viz_plot_append(plot, "loss", i);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    assert_true(dark(pixel_at(&img, left, (top + bottom) / 2)));
    assert_true(dark(pixel_at(&img, (left + right) / 2, bottom)));
    /* tick marks, but no labels beside them */
    int text = 0;
    for (int y = 0; y < img.surface->h; y++)
        for (int x = 0; x < left - 8; x++) text += !white(pixel_at(&img, x, y));
    assert_int_equal(text, 0);
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 4, 4, &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_series, 12));
    release(&img);
    viz_plot_free(plot);
}

static void test_headless_never_opens_a_window(void **state) {
    const char *before = getenv("AGREPL_HEADLESS");
    char *saved = before == NULL ? NULL : strdup(before);
    setenv("AGREPL_HEADLESS", "1", 1);
    viz_plot *plot = viz_plot_new(false);
    viz_plot_append(plot, "loss", 1);
    viz_plot_track(plot, "path", 1, 2);
    viz_plot_pump(plot);
    assert_false(viz_plot_window_open(plot));
    viz_plot_free(plot);
    if (saved != NULL) {
        setenv("AGREPL_HEADLESS", saved, 1);
        free(saved);
    } else {
        unsetenv("AGREPL_HEADLESS");
    }
    plot = viz_plot_new(true);
    viz_plot_append(plot, "loss", 1);
    viz_plot_pump(plot);
    assert_false(viz_plot_window_open(plot));
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

    plot_log_ticks(&list, -3.2, 3.1, 10);
    check_labels(&list, (const char *const[]){"1e-3", "0.01", "0.1", "1", "10", "100", "1000"}, 7);
    int first_major = 0;
    while (!list.items[first_major].major) first_major++;
    assert_close(list.items[first_major].position, -3);
    plot_log_ticks(&list, -8.5, 4.5, 7); /* many decades: every other one */
    check_labels(&list, (const char *const[]){"1e-8", "1e-6", "1e-4", "0.01", "1", "100", "1e4"},
                 7);
    plot_log_ticks(&list, -10, 10, 5);
    check_labels(&list, (const char *const[]){"1e-10", "1e-5", "1", "1e5", "1e10"}, 5);
    plot_log_ticks(&list, log10(0.15), log10(0.9), 6); /* within a decade: 1-2-5 */
    check_labels(&list, (const char *const[]){"0.2", "0.5"}, 2);
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
        cmocka_unit_test(test_odd_values_still_draw),
        cmocka_unit_test(test_many_points_stay_fast_and_drawn),
        cmocka_unit_test(test_missing_font_draws_without_text),
        cmocka_unit_test(test_headless_never_opens_a_window),
        cmocka_unit_test(test_ticks_are_nice_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
