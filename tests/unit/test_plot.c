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
#include <dirent.h>
#include <sys/stat.h>
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

/* The message of a failed viz_plot_* call (viz_error.h). */
static char err[VIZ_ERRLEN];

/* Saves the figure into a fresh temporary directory and loads it back. */
static void save_and_load(viz_plot *plot, image *out) {
    snprintf(out->directory, sizeof out->directory, "/tmp/test_plot_XXXXXX");
    assert_non_null(mkdtemp(out->directory));
    snprintf(out->path, sizeof out->path, "%s/figure.png", out->directory);
    int status = viz_plot_savefig(plot, out->path, err);
    if (status != 0) fail_msg("savefig: %s", err);
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
    if (many > 4 * few) fail_msg("%d points took %.3f s, %d points %.3f s", MANY, many, FEW, few);
    /* the last point is on the curve */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, MANY - 1, 1 + sin((MANY - 1) * 0.001), &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_series, 12));
    release(&img);
    viz_plot_free(plot);
}

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

/* Dark pixels in a rectangle. */
static int dark_pixels(const image *img, int x0, int y0, int x1, int y1) {
    int count = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) count += dark(pixel_at(img, x, y));
    return count;
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
static double seconds_to_save(int count, bool points) {
    viz_plot *plot = viz_plot_new(true);
    double *xs = malloc((size_t)count * sizeof *xs), *ys = malloc((size_t)count * sizeof *ys);
    assert_true(xs != NULL && ys != NULL);
    unsigned seed = 12345;
    for (int i = 0; i < count; i++) {
        seed = seed * 1103515245u + 12345u;
        xs[i] = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        ys[i] = (seed >> 8) / 16777216.0;
    }
    assert_int_equal(viz_plot_series(plot, "data", xs, ys, (size_t)count, points, err), 0);
    image img;
    snprintf(img.directory, sizeof img.directory, "/tmp/test_plot_XXXXXX");
    assert_non_null(mkdtemp(img.directory));
    snprintf(img.path, sizeof img.path, "%s/many.png", img.directory);
    double start = process_and_children_cpu_seconds(); /* (it draws in a child) */
    assert_int_equal(viz_plot_savefig(plot, img.path, err), 0);
    double spent = process_and_children_cpu_seconds() - start;
    unlink(img.path);
    rmdir(img.directory);
    free(xs);
    free(ys);
    viz_plot_free(plot);
    return spent;
}

static void test_savefig_time_is_linear_in_points(void **state) {
    for (int points = 0; points < 2; points++) {
        int small = points ? 10000 : 2000;
        double few = seconds_to_save(small, points), many = seconds_to_save(10 * small, points);
        /* linear: about 10 (less: the axes, text and PNG cost the same);
         * quadratic would be 100 */
        if (many / few > 20)
            fail_msg("%s: %d points %.3f s, %d points %.3f s of CPU", points ? "dots" : "line", small,
                     few, 10 * small, many);
    }
}

/* With the interrupt flag set savefig stops, fails and leaves the file as
 * it was: an earlier figure of that name is not replaced. */
static void test_interrupted_savefig_writes_nothing(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_append(plot, "loss", 1, err), 0);
    image img;
    save_and_load(plot, &img);
    struct stat before, after;
    assert_int_equal(stat(img.path, &before), 0);
    volatile sig_atomic_t flag = 1;
    viz_plot_set_interrupt(plot, &flag);
    assert_int_equal(viz_plot_append(plot, "loss", 2, err), 0);
    assert_int_equal(viz_plot_savefig(plot, img.path, err), -2);
    assert_non_null(strstr(err, "interrupted"));
    assert_non_null(strstr(err, "was not written"));
    assert_int_equal(stat(img.path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    assert_int_equal(before.st_ino, after.st_ino); /* not renamed over */
    /* a new name: no file at all, and no temporary file beside it */
    char fresh[128];
    snprintf(fresh, sizeof fresh, "%s/fresh.svg", img.directory);
    assert_int_equal(viz_plot_savefig(plot, fresh, err), -2);
    assert_int_equal(access(fresh, F_OK), -1);
    DIR *directory = opendir(img.directory);
    assert_non_null(directory);
    int entries = 0;
    for (struct dirent *e; (e = readdir(directory)) != NULL;)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(directory);
    assert_int_equal(entries, 1); /* figure.png only (and . and ..) */
    /* the flag down again: it saves */
    flag = 0;
    assert_int_equal(viz_plot_savefig(plot, fresh, err), 0);
    unlink(fresh);
    release(&img);
    viz_plot_free(plot);
}

static double matyas(void *user, double x, double y) {
    (void)user;
    return 0.26 * (x * x + y * y) - 0.48 * x * y;
}

static double tanh_steps(void *user, double x, double y) {
    (void)user, (void)x;
    return tanh(5 * y);
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

/* ---- files: PNG, SVG, PDF, zoom ------------------------------------------------- */

static char *read_all(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    char *text = malloc(1 << 24);
    *size = fread(text, 1, (1 << 24) - 1, file);
    text[*size] = '\0';
    fclose(file);
    return text;
}

/* The standard output of a shell command, NUL-terminated. */
static char *command_output(const char *command) {
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    char *text = calloc(1, 65536);
    size_t got = fread(text, 1, 65535, pipe);
    text[got] = '\0';
    assert_int_equal(pclose(pipe), 0);
    return text;
}

static void race(viz_plot *plot) {
    viz_plot_contour(plot, rosenbrock, NULL, -0.5, 1.5, -0.5, 2.5, err);
    for (int i = 0; i < 30; i++) {
        viz_plot_track(plot, "momentum", i / 30.0, 2 - i / 20.0, err);
        viz_plot_append(plot, "momentum", 100.0 / (i + 1), err);
    }
    viz_plot_mark(plot, 1, 1, "minimum", err);
    viz_plot_set_title(plot, "Race & <friends>", err);
}

/* The words of plot's PDF, spaces squeezed, between spaces (" epoch "). */
static char *pdf_words(viz_plot *plot) {
    char directory[] = "/tmp/test_plot_XXXXXX", pdf[64], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(pdf, sizeof pdf, "%s/labels.pdf", directory);
    assert_int_equal(viz_plot_savefig(plot, pdf, err), 0);
    snprintf(command, sizeof command, "(printf ' '; pdftotext %s - | tr -s ' \\n' '  '; printf ' ') | tr -s ' '; rm -r %s",
             pdf, directory);
    return command_output(command);
}

static void test_axis_labels_name_the_panels(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double t[20], wave[20];
    for (int i = 0; i < 20; i++) {
        t[i] = i * 0.3;
        wave[i] = sin(t[i]);
        viz_plot_append(plot, "loss / count", 1.0 / (i + 1), err);
    }
    assert_int_equal(viz_plot_series(plot, "wave", t, wave, 20, true, err), 0);
    char *words = pdf_words(plot); /* the defaults */
    assert_non_null(strstr(words, " step "));
    assert_non_null(strstr(words, " x "));
    assert_null(strstr(words, " epoch "));
    free(words);

    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, "epoch", "average loss", err), 0);
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_XY, "t", NULL, err), 0);
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_XY, NULL, "value", err), 0); /* t kept */
    words = pdf_words(plot);
    assert_non_null(strstr(words, " epoch "));
    assert_non_null(strstr(words, " average loss "));
    assert_non_null(strstr(words, " t "));
    assert_non_null(strstr(words, " value "));
    assert_null(strstr(words, " step "));
    assert_null(strstr(words, " x "));
    free(words);

    /* "" gives the default back, the other label stays */
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, "", NULL, err), 0);
    words = pdf_words(plot);
    assert_non_null(strstr(words, " step "));
    assert_non_null(strstr(words, " average loss "));
    free(words);

    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_COUNT, "a", "b", err), -1);
    assert_string_equal(err, "no panel 6");
    assert_int_equal(viz_plot_set_labels(NULL, VIZ_PLOT_PANEL_XY, "a", "b", err), -1);

    /* clear forgets them */
    viz_plot_clear(plot);
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_append(plot, "loss", 0.5, err);
    words = pdf_words(plot);
    assert_non_null(strstr(words, " step "));
    assert_null(strstr(words, " average loss "));
    free(words);
    viz_plot_free(plot);
}

static void test_svg_and_pdf_look_like_the_png(void **state) {
    viz_plot *plot = viz_plot_new(true);
    race(plot);
    char directory[] = "/tmp/test_plot_XXXXXX", png[64], svg[64], pdf[64], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(png, sizeof png, "%s/race.png", directory);
    snprintf(svg, sizeof svg, "%s/race.SVG", directory);
    snprintf(pdf, sizeof pdf, "%s/race.pdf", directory);
    assert_int_equal(viz_plot_savefig(plot, png, err), 0);
    assert_int_equal(viz_plot_savefig(plot, svg, err), 0);
    assert_int_equal(viz_plot_savefig(plot, pdf, err), 0);

    size_t size = 0;
    char *text = read_all(svg, &size);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "width=\"1400px\" height=\"600px\""));
    assert_non_null(strstr(text, "<title>Race &amp; &lt;friends&gt;</title>"));
    assert_non_null(strstr(text, "<desc>series: momentum; paths: momentum; marks: minimum</desc>"));
    assert_true(strstr(text, "<path") != NULL && size > 50000); /* the curves, as vectors */
    free(text);

    /* the PDF: its words as text, and the PNG's size at 72 dpi */
    snprintf(command, sizeof command, "pdftotext %s - | tr -s ' \\n' ' '", pdf);
    text = command_output(command);
    assert_non_null(strstr(text, "momentum"));
    assert_non_null(strstr(text, "minimum"));
    assert_non_null(strstr(text, "Race & <friends>"));
    assert_non_null(strstr(text, "step"));
    free(text);
    snprintf(command, sizeof command, "pdftoppm -r 72 -png -singlefile %s %s/from_pdf", pdf,
             directory);
    free(command_output(command));
    snprintf(command, sizeof command, "%s/from_pdf.png", directory);
    SDL_Surface *from_pdf = IMG_Load(command);
    assert_non_null(from_pdf);
    SDL_Surface *from_png = IMG_Load(png);
    assert_true(abs(from_pdf->w - from_png->w) <= 2 && abs(from_pdf->h - from_png->h) <= 2);
    /* and they look alike: few pixels differ much */
    SDL_Surface *a = SDL_ConvertSurfaceFormat(from_pdf, SDL_PIXELFORMAT_RGB888, 0);
    SDL_Surface *b = SDL_ConvertSurfaceFormat(from_png, SDL_PIXELFORMAT_RGB888, 0);
    long differ = 0, total = 0;
    for (int y = 0; y < a->h && y < b->h; y++)
        for (int x = 0; x < a->w && x < b->w; x++, total++) {
            Uint32 p = ((Uint32 *)((Uint8 *)a->pixels + y * a->pitch))[x];
            Uint32 q = ((Uint32 *)((Uint8 *)b->pixels + y * b->pitch))[x];
            int dr = abs((int)(p >> 16 & 255) - (int)(q >> 16 & 255));
            int dg = abs((int)(p >> 8 & 255) - (int)(q >> 8 & 255));
            differ += dr + dg > 160;
        }
    assert_true(differ < total / 100);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(from_pdf);
    SDL_FreeSurface(from_png);
    snprintf(command, sizeof command, "rm -r %s", directory);
    assert_int_equal(system(command), 0);
    viz_plot_free(plot);
}

/* The tallest run of rows with dark pixels in the tick labels' column left
 * of the y axis (right of the axis title): the height of one label's text. */
static int text_rows(const image *img, int left, int top, int bottom) {
    int rows = 0, run = 0;
    for (int y = top; y <= bottom; y++) {
        run = dark_pixels(img, left / 2, y, left - 10, y + 1) > 0 ? run + 1 : 0;
        if (run > rows) rows = run;
    }
    return rows;
}

/* :zoom makes text and lines bigger in a figure of the same size (a slide's
 * picture keeps its place, its text reads from further away). */
/* The size of the PNG viz_plot_png makes for a notebook's page. */
static void page_png_size(viz_plot *plot, int *width, int *height) {
    size_t size = 0;
    unsigned char *png = viz_plot_png(plot, &size, err);
    assert_non_null(png);
    SDL_Surface *surface = IMG_Load_RW(SDL_RWFromConstMem(png, (int)size), 1);
    assert_non_null(surface);
    *width = surface->w;
    *height = surface->h;
    SDL_FreeSurface(surface);
    free(png);
}

/* A notebook shows a figure about 1000 px wide: its page PNG of two panels
 * is 1050x450 (savefig's 1400x600 would show its text at 68 %), one panel
 * stays 900x600, a file keeps savefig's size, and :zoom changes no size. */
static void test_page_png_is_narrower_for_two_panels(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) viz_plot_append(plot, "loss", 1.0 / (i + 1), err);
    int width, height;
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 900);
    assert_int_equal(height, 600);
    double xs[3] = {0, 1, 2}, ys[3] = {1, 0, 1};
    viz_plot_series(plot, "data", xs, ys, 3, true, err);
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 1050);
    assert_int_equal(height, 450);
    viz_plot_set_zoom(plot, 1.5);
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 1050);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    assert_int_equal(img.surface->h, 600);
    release(&img);
    viz_plot_free(plot);
}

static void test_zoom_scales_text_and_lines_not_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) viz_plot_append(plot, "loss", i, err);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    int rows = text_rows(&img, left, top, bottom);
    release(&img);
    viz_plot_set_zoom(plot, 2);
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_int_equal(img.surface->h, 600);
    int zleft, ztop, zright, zbottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &zleft, &ztop, &zright, &zbottom));
    assert_true(abs(zleft - 2 * left) <= 2); /* the margin holds the tick labels, twice as wide */
    assert_true(zbottom - ztop < bottom - top); /* less room for the plot itself */
    int zoomed_rows = text_rows(&img, zleft, ztop, zbottom);
    if (!(zoomed_rows > 1.8 * rows && zoomed_rows < 2.2 * rows)) fail_msg("label text %d rows at zoom 1, %d at 2", rows, zoomed_rows);
    /* the line is twice as thick: count its pixels down one column */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 4.5, 4.5, &px, &py);
    int thick = 0;
    for (int y = (int)py - 20; y <= (int)py + 20; y++)
        thick += near_colour(pixel_at(&img, (int)px, y), first_series, 40);
    assert_true(thick >= 5 && thick <= 10);
    release(&img);
    viz_plot_free(plot);
}

static void test_headless_never_opens_a_window(void **state) {
    const char *before = getenv("AGREPL_HEADLESS");
    char *saved = before == NULL ? NULL : strdup(before);
    setenv("AGREPL_HEADLESS", "1", 1);
    viz_plot *plot = viz_plot_new(false);
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_track(plot, "path", 1, 2, err);
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
    viz_plot_append(plot, "loss", 1, err);
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
        cmocka_unit_test(test_clear_empties_the_figure),
        cmocka_unit_test(test_errors_say_what_went_wrong),
        cmocka_unit_test(test_savefig_replaces_whole_or_not_at_all),
        cmocka_unit_test(test_odd_values_still_draw),
        cmocka_unit_test(test_many_points_stay_fast_and_drawn),
        cmocka_unit_test(test_whole_series_is_replaced),
        cmocka_unit_test(test_title_marks_and_start_markers),
        cmocka_unit_test(test_mark_label_avoids_paths),
        cmocka_unit_test(test_contour_levels_as_asked),
        cmocka_unit_test(test_contour_levels_of_a_step_are_linear),
        cmocka_unit_test(test_legend_makes_room_above_a_wave),
        cmocka_unit_test(test_overlapping_lines_stay_visible),
        cmocka_unit_test(test_savefig_time_is_linear_in_points),
        cmocka_unit_test(test_interrupted_savefig_writes_nothing),
        cmocka_unit_test(test_svg_and_pdf_look_like_the_png),
        cmocka_unit_test(test_axis_labels_name_the_panels),
        cmocka_unit_test(test_zoom_scales_text_and_lines_not_the_figure),
        cmocka_unit_test(test_page_png_is_narrower_for_two_panels),
        cmocka_unit_test(test_headless_never_opens_a_window),
        cmocka_unit_test(test_ticks_are_nice_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
