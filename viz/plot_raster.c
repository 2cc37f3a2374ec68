/* plot_raster.c — anti-aliased drawing straight into a 32-bit SDL_Surface:
 * round-capped lines, discs and rings through a coverage mask, opaque and
 * translucent rectangles, and SDL2_ttf text (also turned upwards).
 *
 * Shapes of one colour go into the mask first, each pixel keeping the
 * largest coverage any shape gave it, and are then composited at once: the
 * segments of a polyline join without darker beads where they overlap.
 * SDL's software renderer is not used for shapes because its triangle path
 * has no anti-aliasing and allocates a surface per blended triangle (about
 * 20 ms for a Rosenbrock contour against 2 ms here). */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool plot_canvas_begin(plot_canvas *canvas, SDL_Surface *surface, Uint8 **mask, size_t *mask_size) {
    if (surface->format->format != SDL_PIXELFORMAT_RGB888) return false;
    size_t needed = (size_t)surface->w * (size_t)surface->h;
    if (*mask == NULL || *mask_size < needed) {
        Uint8 *grown = calloc(needed, 1);
        if (grown == NULL) return false;
        free(*mask);
        *mask = grown;
        *mask_size = needed;
    }
    memset(canvas, 0, sizeof *canvas);
    canvas->surface = surface;
    canvas->pixels = surface->pixels;
    canvas->stride = surface->pitch / 4;
    canvas->width = surface->w;
    canvas->height = surface->h;
    canvas->mask = *mask;
    plot_set_clip(canvas, 0, 0, surface->w, surface->h);
    canvas->touched_left = canvas->touched_top = 1 << 30;
    canvas->touched_right = canvas->touched_bottom = -1;
    return true;
}

void plot_set_clip(plot_canvas *canvas, int left, int top, int right, int bottom) {
    canvas->clip_left = left < 0 ? 0 : left;
    canvas->clip_top = top < 0 ? 0 : top;
    canvas->clip_right = right > canvas->width ? canvas->width : right;
    canvas->clip_bottom = bottom > canvas->height ? canvas->height : bottom;
}

static Uint32 pack(SDL_Color colour) {
    return (Uint32)colour.r << 16 | (Uint32)colour.g << 8 | colour.b;
}

/* colour over the pixel with opacity alpha (0..255) */
static void blend(Uint32 *pixel, SDL_Color colour, unsigned alpha) {
    if (alpha >= 255) {
        *pixel = pack(colour);
        return;
    }
    unsigned keep = 255 - alpha;
    unsigned r = (*pixel >> 16) & 255, g = (*pixel >> 8) & 255, b = *pixel & 255;
    r = (colour.r * alpha + r * keep + 127) / 255;
    g = (colour.g * alpha + g * keep + 127) / 255;
    b = (colour.b * alpha + b * keep + 127) / 255;
    *pixel = r << 16 | g << 8 | b;
}

void plot_fill_rect(plot_canvas *canvas, int x, int y, int w, int h, SDL_Color colour) {
    int right = x + w, bottom = y + h;
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    if (right > canvas->width) right = canvas->width;
    if (bottom > canvas->height) bottom = canvas->height;
    for (int row = y; row < bottom; row++) {
        Uint32 *line = canvas->pixels + (size_t)row * canvas->stride;
        for (int column = x; column < right; column++) blend(&line[column], colour, colour.a);
    }
}

/* ---- coverage mask ----------------------------------------------------------- */

static void cover(plot_canvas *canvas, int x, int y, double coverage) {
    if (coverage <= 0) return;
    unsigned value = coverage >= 1 ? 255 : (unsigned)(coverage * 255 + 0.5);
    Uint8 *cell = &canvas->mask[(size_t)y * canvas->width + x];
    if (value > *cell) *cell = (Uint8)value;
    if (x < canvas->touched_left) canvas->touched_left = x;
    if (x > canvas->touched_right) canvas->touched_right = x;
    if (y < canvas->touched_top) canvas->touched_top = y;
    if (y > canvas->touched_bottom) canvas->touched_bottom = y;
}

static int clamp_int(double value, int low, int high) {
    if (!(value > low)) return low;
    if (value > high) return high;
    return (int)value;
}

/* Squared distance from (px, py) to the segment a-b. */
static double segment_distance_squared(double px, double py, double ax, double ay, double dx,
                                       double dy, double length_squared) {
    double t = length_squared > 0 ? ((px - ax) * dx + (py - ay) * dy) / length_squared : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double ex = px - (ax + t * dx), ey = py - (ay + t * dy);
    return ex * ex + ey * ey;
}

/* A line `width` pixels wide with round ends.  Pixel (x, y) covers
 * [x, x+1) x [y, y+1); its coverage falls from 1 to 0 over the pixel either
 * side of the edge.  Walks the long axis so the work is proportional to the
 * length, not to the bounding box. */
void plot_mask_segment(plot_canvas *canvas, double ax, double ay, double bx, double by,
                       double width) {
    double radius = width / 2, reach = radius + 0.5;
    /* beyond `reach` nothing is covered, within `solid` everything */
    double reach_squared = reach * reach;
    double solid_squared = radius > 0.5 ? (radius - 0.5) * (radius - 0.5) : -1;
    double dx = bx - ax, dy = by - ay, length_squared = dx * dx + dy * dy;
    bool steep = fabs(dy) > fabs(dx);
    /* along: the long axis; across: the other */
    double a_along = steep ? ay : ax, b_along = steep ? by : bx;
    double a_across = steep ? ax : ay, d_along = steep ? dy : dx, d_across = steep ? dx : dy;
    double slope = d_along != 0 ? d_across / d_along : 0;
    double extent = reach * sqrt(1 + slope * slope) + 1;
    int along_low = steep ? canvas->clip_top : canvas->clip_left;
    int along_high = (steep ? canvas->clip_bottom : canvas->clip_right) - 1;
    int across_low = steep ? canvas->clip_left : canvas->clip_top;
    int across_high = (steep ? canvas->clip_right : canvas->clip_bottom) - 1;
    int start = clamp_int(floor(fmin(a_along, b_along) - reach), along_low, along_high + 1);
    int end = clamp_int(ceil(fmax(a_along, b_along) + reach), along_low - 1, along_high);
    for (int along = start; along <= end; along++) {
        double centre = along + 0.5;
        double t = d_along != 0 ? (centre - a_along) / d_along : 0;
        if (t < 0) t = 0;
        if (t > 1) t = 1;
        double middle = a_across + t * d_across;
        int from = clamp_int(floor(middle - extent), across_low, across_high + 1);
        int to = clamp_int(ceil(middle + extent), across_low - 1, across_high);
        for (int across = from; across <= to; across++) {
            double px = steep ? across + 0.5 : centre, py = steep ? centre : across + 0.5;
            double squared = segment_distance_squared(px, py, ax, ay, dx, dy, length_squared);
            if (squared >= reach_squared) continue;
            int x = steep ? across : along, y = steep ? along : across;
            cover(canvas, x, y, squared <= solid_squared ? 1 : radius + 0.5 - sqrt(squared));
        }
    }
}

/* A disc (inner_radius 0) or a ring between the two radii. */
static void mask_round(plot_canvas *canvas, double cx, double cy, double outer_radius,
                       double inner_radius) {
    double reach = outer_radius + 1;
    int left = clamp_int(floor(cx - reach), canvas->clip_left, canvas->clip_right);
    int right = clamp_int(ceil(cx + reach), canvas->clip_left - 1, canvas->clip_right - 1);
    int top = clamp_int(floor(cy - reach), canvas->clip_top, canvas->clip_bottom);
    int bottom = clamp_int(ceil(cy + reach), canvas->clip_top - 1, canvas->clip_bottom - 1);
    for (int y = top; y <= bottom; y++) {
        for (int x = left; x <= right; x++) {
            double ex = x + 0.5 - cx, ey = y + 0.5 - cy;
            double distance = sqrt(ex * ex + ey * ey);
            double coverage = outer_radius + 0.5 - distance;
            if (inner_radius > 0) coverage = fmin(coverage, distance - inner_radius + 0.5);
            cover(canvas, x, y, coverage);
        }
    }
}

void plot_mask_disc(plot_canvas *canvas, double cx, double cy, double radius) {
    mask_round(canvas, cx, cy, radius, 0);
}

void plot_mask_ring(plot_canvas *canvas, double cx, double cy, double radius, double thickness) {
    mask_round(canvas, cx, cy, radius, radius - thickness);
}

void plot_composite(plot_canvas *canvas, SDL_Color colour) {
    for (int y = canvas->touched_top; y <= canvas->touched_bottom; y++) {
        Uint8 *cells = canvas->mask + (size_t)y * canvas->width;
        Uint32 *line = canvas->pixels + (size_t)y * canvas->stride;
        for (int x = canvas->touched_left; x <= canvas->touched_right; x++) {
            /* most of the box is empty: skip it eight cells at a time */
            if (x + 8 <= canvas->touched_right + 1) {
                Uint64 eight;
                memcpy(&eight, cells + x, sizeof eight);
                if (eight == 0) {
                    x += 7;
                    continue;
                }
            }
            if (cells[x] == 0) continue;
            blend(&line[x], colour, (unsigned)cells[x] * colour.a / 255);
            cells[x] = 0;
        }
    }
    canvas->touched_left = canvas->touched_top = 1 << 30;
    canvas->touched_right = canvas->touched_bottom = -1;
}

/* ---- text -------------------------------------------------------------------- */

void plot_text_size(TTF_Font *font, const char *text, int *w, int *h) {
    *w = *h = 0;
    if (font == NULL || text[0] == '\0' || TTF_SizeUTF8(font, text, w, h) != 0) *w = *h = 0;
}

/* The text surface turned a quarter left, reading upwards. */
static SDL_Surface *turn_upwards(SDL_Surface *text) {
    SDL_Surface *source = SDL_ConvertSurfaceFormat(text, SDL_PIXELFORMAT_ARGB8888, 0);
    if (source == NULL) return NULL;
    SDL_Surface *turned =
        SDL_CreateRGBSurfaceWithFormat(0, source->h, source->w, 32, SDL_PIXELFORMAT_ARGB8888);
    if (turned != NULL) {
        for (int y = 0; y < source->h; y++) {
            const Uint32 *row = (const Uint32 *)((const Uint8 *)source->pixels + y * source->pitch);
            for (int x = 0; x < source->w; x++) {
                Uint32 *target =
                    (Uint32 *)((Uint8 *)turned->pixels + (source->w - 1 - x) * turned->pitch) + y;
                *target = row[x];
            }
        }
        SDL_SetSurfaceBlendMode(turned, SDL_BLENDMODE_BLEND);
    }
    SDL_FreeSurface(source);
    return turned;
}

void plot_draw_text(plot_canvas *canvas, TTF_Font *font, const char *text, int x, int y,
                    plot_align horizontal, plot_align vertical, bool upwards, SDL_Color colour) {
    if (font == NULL || text[0] == '\0') return;
    SDL_Surface *surface = TTF_RenderUTF8_Blended(font, text, colour);
    if (surface == NULL) return;
    if (upwards) {
        SDL_Surface *turned = turn_upwards(surface);
        SDL_FreeSurface(surface);
        if (turned == NULL) return;
        surface = turned;
    }
    int w = surface->w, h = surface->h;
    int left = horizontal == PLOT_ALIGN_START    ? x
               : horizontal == PLOT_ALIGN_CENTRE ? x - w / 2
                                                 : x - w;
    int top = vertical == PLOT_ALIGN_START ? y : vertical == PLOT_ALIGN_CENTRE ? y - h / 2 : y - h;
    SDL_Rect where = {left, top, w, h};
    SDL_BlitSurface(surface, NULL, canvas->surface, &where);
    SDL_FreeSurface(surface);
}
