/* plot_test_util.h — what the test_plot*.c binaries share: a figure saved
 * as PNG and loaded back with IMG_Load, pixels and colours read from it, the
 * axis mapping the module reports (viz_plot_data_to_pixel) and the surfaces
 * the contour tests draw.  Each binary uses some of them (hence "unused"). */
#ifndef PLOT_TEST_UTIL_H
#define PLOT_TEST_UTIL_H

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

/* a helper a binary does not use is no warning; its own tests still are */
#define PLOT_SHARED __attribute__((unused))

/* ---- helpers ------------------------------------------------------------------ */

PLOT_SHARED static const SDL_Color first_series = {31, 119, 180, 255}; /* series palette, first */
PLOT_SHARED static const SDL_Color first_path = {214, 39, 40, 255};    /* path palette, first */

typedef struct image {
    SDL_Surface *surface; /* RGB888 */
    char directory[64];
    char path[96];
} image;

/* The message of a failed viz_plot_* call (viz_error.h). */
PLOT_SHARED static char err[VIZ_ERRLEN];

/* Saves the figure into a fresh temporary directory and loads it back. */
PLOT_SHARED static void save_and_load(viz_plot *plot, image *out) {
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

PLOT_SHARED static void release(image *img) {
    SDL_FreeSurface(img->surface);
    unlink(img->path);
    rmdir(img->directory);
}

PLOT_SHARED static SDL_Color pixel_at(const image *img, int x, int y) {
    assert_true(x >= 0 && y >= 0 && x < img->surface->w && y < img->surface->h);
    const Uint32 *row =
        (const Uint32 *)((const Uint8 *)img->surface->pixels + (size_t)y * img->surface->pitch);
    Uint32 p = row[x];
    return (SDL_Color){(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, 255};
}

PLOT_SHARED static bool near_colour(SDL_Color a, SDL_Color b, int tolerance) {
    return abs(a.r - b.r) <= tolerance && abs(a.g - b.g) <= tolerance &&
           abs(a.b - b.b) <= tolerance;
}

PLOT_SHARED static bool dark(SDL_Color c) {
    return c.r < 90 && c.g < 90 && c.b < 90;
}

PLOT_SHARED static bool white(SDL_Color c) {
    return c.r == 255 && c.g == 255 && c.b == 255;
}

/* Level curves are blue-green: clearly more blue or green than red. */
PLOT_SHARED static bool contour_colour(SDL_Color c) {
    return (c.b > c.r + 40 || c.g > c.r + 40) && !white(c);
}

PLOT_SHARED static void pixel_of(const viz_plot *plot, viz_plot_panel panel, double x, double y, double *px,
                     double *py) {
    assert_true(viz_plot_data_to_pixel(plot, panel, x, y, px, py));
}

PLOT_SHARED static double distance_to_segment(double px, double py, double ax, double ay, double bx,
                                  double by) {
    double dx = bx - ax, dy = by - ay, length_squared = dx * dx + dy * dy;
    double t = length_squared > 0 ? ((px - ax) * dx + (py - ay) * dy) / length_squared : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - ax - t * dx, py - ay - t * dy);
}

/* ---- surfaces and counts the figures are drawn from ---------------------------- */

PLOT_SHARED static double bowl(void *user, double x, double y) {
    (void)user;
    return x * x + y * y;
}

PLOT_SHARED static double rosenbrock(void *user, double x, double y) {
    (void)user;
    return 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);
}

PLOT_SHARED static double undefined_near_origin(void *user, double x, double y) {
    int *calls = user;
    (*calls)++;
    double r = x * x + y * y;
    return r < 0.25 ? NAN : r;
}

PLOT_SHARED static double nowhere_finite(void *user, double x, double y) {
    (void)user;
    return NAN;
}

/* Dark pixels in a rectangle. */
PLOT_SHARED static int dark_pixels(const image *img, int x0, int y0, int x1, int y1) {
    int count = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) count += dark(pixel_at(img, x, y));
    return count;
}

PLOT_SHARED static double matyas(void *user, double x, double y) {
    (void)user;
    return 0.26 * (x * x + y * y) - 0.48 * x * y;
}

PLOT_SHARED static double tanh_steps(void *user, double x, double y) {
    (void)user, (void)x;
    return tanh(5 * y);
}

#endif
