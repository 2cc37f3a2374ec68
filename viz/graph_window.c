/* graph_window.c — the window of show(y): a picture of the graph, kept on
 * screen, scaled down to fit when it is bigger than the screen or the window. */
#include "graph_window.h"

#include "sdl_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MIN_WINDOW_SIDE = 120,
    SCREEN_MARGIN = 40,   /* room for window decorations and panels */
};

struct viz_graph_window {
    bool headless;
    viz_sdl_video video;
    SDL_Window *window;
    Uint32 window_id;
    SDL_Surface *picture; /* the decoded PNG, ARGB8888 */
    SDL_Surface *scaled;  /* picture box-filtered to fit the window, or NULL */
    bool dirty;           /* the window needs drawing */
    Uint32 last_pump_ms;
};

static bool headless_from_environment(void) {
    const char *value = getenv("AGREPL_HEADLESS");
    return value != NULL && value[0] != '\0' && strcmp(value, "0") != 0;
}

viz_graph_window *viz_graph_window_new(bool headless) {
    viz_graph_window *window = calloc(1, sizeof *window);
    if (window != NULL) window->headless = headless || headless_from_environment();
    return window;
}

static void free_scaled(viz_graph_window *window) {
    if (window->scaled != NULL) SDL_FreeSurface(window->scaled);
    window->scaled = NULL;
}

void viz_graph_window_close(viz_graph_window *window) {
    if (window == NULL) return;
    free_scaled(window);
    if (window->picture != NULL) SDL_FreeSurface(window->picture);
    if (window->window != NULL) SDL_DestroyWindow(window->window);
    window->picture = NULL;
    window->window = NULL;
    window->window_id = 0;
}

void viz_graph_window_free(viz_graph_window *window) {
    if (window == NULL) return;
    viz_graph_window_close(window);
    viz_sdl_video_stop(&window->video);
    free(window);
}

bool viz_graph_window_open(const viz_graph_window *window) {
    return window != NULL && window->window != NULL;
}

/* ---- drawing -------------------------------------------------------------- */

/* The largest size with the picture's proportions that fits in
 * max_width x max_height, never bigger than the picture itself. */
static void fit(int width, int height, int max_width, int max_height, int *out_width,
                int *out_height) {
    double scale = 1.0;
    if (width > max_width) scale = (double)max_width / width;
    if (height * scale > max_height) scale = (double)max_height / height;
    *out_width = (int)(width * scale + 0.5);
    *out_height = (int)(height * scale + 0.5);
    if (*out_width < 1) *out_width = 1;
    if (*out_height < 1) *out_height = 1;
}

/* The picture shrunk to width x height by averaging the source pixels each
 * destination pixel covers (a box filter: thin lines and text stay legible,
 * unlike SDL_BlitScaled's nearest neighbour).  The picture is opaque, so only
 * colour is averaged, and the columns each destination pixel covers are
 * worked out once: this runs for every new picture of a window following a
 * loop.  NULL when out of memory. */
static SDL_Surface *shrink(SDL_Surface *source, int width, int height) {
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    int *first_column = malloc(((size_t)width + 1) * sizeof *first_column);
    Uint32 (*sums)[3] = calloc((size_t)width, sizeof *sums);
    if (out == NULL || first_column == NULL || sums == NULL) {
        if (out != NULL) SDL_FreeSurface(out);
        free(first_column);
        free(sums);
        return NULL;
    }
    /* destination column x averages source columns first_column[x] .. first_column[x + 1] - 1 */
    for (int x = 0; x <= width; x++) first_column[x] = (int)((long long)x * source->w / width);
    for (int x = 0; x < width; x++)
        if (first_column[x + 1] <= first_column[x]) first_column[x + 1] = first_column[x] + 1;
    SDL_LockSurface(source);
    SDL_LockSurface(out);
    for (int y = 0; y < height; y++) {
        int y0 = (int)((long long)y * source->h / height);
        int y1 = (int)((long long)(y + 1) * source->h / height);
        if (y1 <= y0) y1 = y0 + 1;
        memset(sums, 0, (size_t)width * sizeof *sums);
        for (int sy = y0; sy < y1; sy++) {
            const Uint32 *src = (const Uint32 *)((const Uint8 *)source->pixels + (size_t)sy * source->pitch);
            for (int x = 0; x < width; x++)
                for (int sx = first_column[x]; sx < first_column[x + 1]; sx++) {
                    Uint32 p = src[sx];
                    sums[x][0] += (p >> 16) & 0xFF;
                    sums[x][1] += (p >> 8) & 0xFF;
                    sums[x][2] += p & 0xFF;
                }
        }
        Uint32 *row = (Uint32 *)((Uint8 *)out->pixels + (size_t)y * out->pitch);
        for (int x = 0; x < width; x++) {
            Uint32 n = (Uint32)(y1 - y0) * (Uint32)(first_column[x + 1] - first_column[x]);
            row[x] = 0xFF000000u | (sums[x][0] / n) << 16 | (sums[x][1] / n) << 8 | sums[x][2] / n;
        }
    }
    SDL_UnlockSurface(out);
    SDL_UnlockSurface(source);
    free(first_column);
    free(sums);
    return out;
}

/* Draws the picture centred on white, shrunk when the window is smaller. */
static void redraw(viz_graph_window *window) {
    if (window->window == NULL || window->picture == NULL) return;
    if (SDL_GetWindowFlags(window->window) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN)) return;
    SDL_Surface *screen = SDL_GetWindowSurface(window->window);
    if (screen == NULL || screen->w <= 0 || screen->h <= 0) return;
    SDL_FillRect(screen, NULL, SDL_MapRGB(screen->format, 255, 255, 255));
    int width, height;
    fit(window->picture->w, window->picture->h, screen->w, screen->h, &width, &height);
    SDL_Surface *shown = window->picture;
    if (width != window->picture->w || height != window->picture->h) {
        if (window->scaled == NULL || window->scaled->w != width || window->scaled->h != height) {
            free_scaled(window);
            window->scaled = shrink(window->picture, width, height);
        }
        if (window->scaled != NULL) shown = window->scaled;
    }
    SDL_Rect where = {(screen->w - shown->w) / 2, (screen->h - shown->h) / 2, shown->w, shown->h};
    SDL_BlitSurface(shown, NULL, screen, &where);
    SDL_UpdateWindowSurface(window->window);
    window->dirty = false;
}

/* ---- showing a picture ---------------------------------------------------- */

/* The window size for a picture: its own, or smaller to fit the usable part
 * of the display the window is (or will be) on. */
static void window_size_for(const viz_graph_window *window, const SDL_Surface *picture,
                            int *width, int *height) {
    SDL_Rect usable = {0, 0, 1600, 900};
    int display = window->window != NULL ? SDL_GetWindowDisplayIndex(window->window) : 0;
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0)
        usable = (SDL_Rect){0, 0, 1600, 900};
    int max_width = usable.w - SCREEN_MARGIN, max_height = usable.h - 2 * SCREEN_MARGIN;
    if (max_width < MIN_WINDOW_SIDE) max_width = MIN_WINDOW_SIDE;
    if (max_height < MIN_WINDOW_SIDE) max_height = MIN_WINDOW_SIDE;
    fit(picture->w, picture->h, max_width, max_height, width, height);
    if (*width < MIN_WINDOW_SIDE) *width = MIN_WINDOW_SIDE;
    if (*height < MIN_WINDOW_SIDE) *height = MIN_WINDOW_SIDE;
}

/* A copy of the pixels in a surface of the window's own. */
static SDL_Surface *picture_of(const uint32_t *pixels, int width, int height, char err[VIZ_ERRLEN]) {
    SDL_Surface *picture = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (picture == NULL) {
        snprintf(err, VIZ_ERRLEN, "out of memory showing the graph");
        return NULL;
    }
    for (int y = 0; y < height; y++)
        memcpy((Uint8 *)picture->pixels + (size_t)y * picture->pitch, pixels + (size_t)y * width,
               (size_t)width * 4);
    return picture;
}

int viz_graph_window_show(viz_graph_window *window, const uint32_t *pixels, int width, int height,
                          const char *title, char err[VIZ_ERRLEN]) {
    if (window == NULL || window->headless || !viz_sdl_video_start(&window->video)) return 1;
    if (pixels == NULL || width <= 0 || height <= 0) {
        snprintf(err, VIZ_ERRLEN, "no picture to show");
        return -1;
    }
    SDL_Surface *picture = picture_of(pixels, width, height, err);
    if (picture == NULL) return -1;
    /* a window following a loop gets pictures of one size many times a
     * second: what needs the X server (the display's bounds, a new title)
     * is done only when it changed */
    bool new_size = window->picture == NULL || window->picture->w != picture->w ||
                    window->picture->h != picture->h;
    if (window->window == NULL || new_size) window_size_for(window, picture, &width, &height);
    if (window->window == NULL) {
        window->window = SDL_CreateWindow(title ? title : "agrepl graph", SDL_WINDOWPOS_UNDEFINED,
                                          SDL_WINDOWPOS_UNDEFINED, width, height,
                                          SDL_WINDOW_RESIZABLE);
        if (window->window == NULL) {
            snprintf(err, VIZ_ERRLEN, "cannot open a window: %s", SDL_GetError());
            SDL_FreeSurface(picture);
            return -1;
        }
        SDL_SetWindowMinimumSize(window->window, MIN_WINDOW_SIDE, MIN_WINDOW_SIDE);
        window->window_id = SDL_GetWindowID(window->window);
        window->last_pump_ms = 0;
    } else {
        if (title != NULL && strcmp(title, SDL_GetWindowTitle(window->window)) != 0)
            SDL_SetWindowTitle(window->window, title);
        if (new_size && !(SDL_GetWindowFlags(window->window) &
                          (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
            viz_sdl_resize_on_screen(window->window, width, height);
    }
    free_scaled(window);
    if (window->picture != NULL) SDL_FreeSurface(window->picture);
    window->picture = picture;
    window->dirty = true;
    redraw(window);
    return 0;
}

/* ---- events --------------------------------------------------------------- */

void viz_graph_window_pump(viz_graph_window *window) {
    if (window == NULL || window->window == NULL) return;
    viz_sdl_window_events found;
    if (!viz_sdl_pump(window->window_id, &window->last_pump_ms, &found)) return;
    if (found.close_requested) {
        viz_graph_window_close(window);
        return;
    }
    if (found.exposed) window->dirty = true;
    if (window->dirty) redraw(window);
}

bool viz_graph_window_sizes(const viz_graph_window *window, int *picture_width,
                            int *picture_height, int *window_width, int *window_height) {
    if (window == NULL || window->window == NULL || window->picture == NULL) return false;
    if (picture_width) *picture_width = window->picture->w;
    if (picture_height) *picture_height = window->picture->h;
    int w = 0, h = 0;
    SDL_GetWindowSizeInPixels(window->window, &w, &h);
    if (window_width) *window_width = w;
    if (window_height) *window_height = h;
    return true;
}
