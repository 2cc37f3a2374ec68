/* plot_window.c — the live window (lazy SDL video start, events, rate-limited
 * redraws) and savefig.  Both draw the figure with plot_draw_figure into an
 * SDL_Surface in memory: savefig writes it as PNG, the window copies it to
 * its window surface, so the saved PNG is what is on screen. */
#include "plot_internal.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    REDRAW_INTERVAL_MS = 33, /* at most ~30 redraws a second */
    MIN_WINDOW_WIDTH = 360,
    MIN_WINDOW_HEIGHT = 260,
};

static int default_width(int panels) {
    return panels == 2 ? PLOT_TWO_PANEL_WIDTH : PLOT_ONE_PANEL_WIDTH;
}

static void destroy_window(viz_plot *plot) {
    if (plot->window_canvas != NULL) SDL_FreeSurface(plot->window_canvas);
    if (plot->window != NULL) SDL_DestroyWindow(plot->window);
    plot->window_canvas = NULL;
    plot->window = NULL;
    plot->window_id = 0;
}

static void open_window(viz_plot *plot) {
    if (!viz_sdl_video_start(&plot->video)) return;
    int panels = plot_panel_count(plot);
    plot->window = SDL_CreateWindow("agrepl plot", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                    default_width(panels), PLOT_HEIGHT, SDL_WINDOW_RESIZABLE);
    if (plot->window == NULL) {
        plot->video.unavailable = true; /* keep recording, headless */
        return;
    }
    SDL_SetWindowMinimumSize(plot->window, MIN_WINDOW_WIDTH, MIN_WINDOW_HEIGHT);
    plot->window_id = SDL_GetWindowID(plot->window);
    plot->window_panels = panels;
    plot->last_draw_ms = 0;
    plot->last_pump_ms = 0;
}

void plot_window_touch(viz_plot *plot) {
    plot->dirty = true;
    if (plot->headless || plot->video.unavailable) return;
    if (plot->window == NULL) {
        open_window(plot);
        return;
    }
    /* a contour next to the losses needs the wider window */
    int panels = plot_panel_count(plot);
    if (panels != plot->window_panels) {
        plot->window_panels = panels;
        if (!(SDL_GetWindowFlags(plot->window) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
            viz_sdl_resize_on_screen(plot->window, default_width(panels), PLOT_HEIGHT);
    }
}

void plot_window_release(viz_plot *plot) {
    destroy_window(plot);
    viz_sdl_video_stop(&plot->video);
}

/* The figure at the size of `screen`, in a surface kept for the window. */
static SDL_Surface *window_canvas(viz_plot *plot, const SDL_Surface *screen) {
    SDL_Surface *canvas = plot->window_canvas;
    if (canvas != NULL && canvas->w == screen->w && canvas->h == screen->h) return canvas;
    if (canvas != NULL) SDL_FreeSurface(canvas);
    plot->window_canvas =
        SDL_CreateRGBSurfaceWithFormat(0, screen->w, screen->h, 32, SDL_PIXELFORMAT_RGB888);
    return plot->window_canvas;
}

static void redraw(viz_plot *plot, Uint32 now) {
    if (SDL_GetWindowFlags(plot->window) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN)) return;
    /* the window surface is remade by SDL after a resize */
    SDL_Surface *screen = SDL_GetWindowSurface(plot->window);
    if (screen == NULL || screen->w <= 0 || screen->h <= 0) return;
    SDL_Surface *canvas = window_canvas(plot, screen);
    if (canvas == NULL || !plot_draw_figure(plot, canvas)) return;
    SDL_BlitSurface(canvas, NULL, screen, NULL);
    SDL_UpdateWindowSurface(plot->window);
    plot->dirty = false;
    plot->last_draw_ms = now;
}

void viz_plot_pump(viz_plot *plot) {
    if (plot == NULL || plot->window == NULL) return;
    viz_sdl_window_events found;
    if (!viz_sdl_pump(plot->window_id, &plot->last_pump_ms, &found)) return;
    if (found.close_requested) {
        destroy_window(plot); /* the session goes on; the next append reopens it */
        return;
    }
    if (found.exposed) {
        plot->dirty = true;
        plot->last_draw_ms = 0; /* the window is blank until redrawn: now */
    }
    Uint32 now = SDL_GetTicks();
    if (plot->dirty && (plot->last_draw_ms == 0 || now - plot->last_draw_ms >= REDRAW_INTERVAL_MS))
        redraw(plot, now);
}

/* ---- savefig ------------------------------------------------------------- */

static bool has_other_extension(const char *filename) {
    const char *dot = strrchr(filename, '.');
    const char *slash = strrchr(filename, '/');
    if (dot == NULL || (slash != NULL && dot < slash) || dot == filename ||
        (slash != NULL && dot == slash + 1))
        return false;
    return strcasecmp(dot, ".png") != 0;
}

int viz_plot_savefig(viz_plot *plot, const char *filename) {
    if (plot == NULL) return -1;
    if (filename == NULL || filename[0] == '\0')
        return plot_fail(plot, "savefig needs a file name");
    if (has_other_extension(filename))
        return plot_fail(plot, "cannot write '%s': only PNG is supported (use a .png name)",
                         filename);
    int width = default_width(plot_panel_count(plot)), height = PLOT_HEIGHT;
    if (plot->window != NULL) {
        int w = 0, h = 0;
        SDL_GetWindowSizeInPixels(plot->window, &w, &h);
        if (w >= MIN_WINDOW_WIDTH / 2 && h >= MIN_WINDOW_HEIGHT / 2) {
            width = w;
            height = h;
        }
    }
    SDL_Surface *surface =
        SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_RGB888);
    if (surface == NULL) return plot_fail(plot, "out of memory drawing the figure");
    if (!plot_draw_figure(plot, surface)) {
        SDL_FreeSurface(surface);
        return plot_fail(plot, "out of memory drawing the figure");
    }

    /* open the file ourselves for an errno message the user understands */
    FILE *file = fopen(filename, "wb");
    if (file == NULL) {
        int error = errno;
        SDL_FreeSurface(surface);
        return plot_fail(plot, "cannot write '%s': %s", filename, strerror(error));
    }
    SDL_RWops *stream = SDL_RWFromFP(file, SDL_TRUE);
    if (stream == NULL) {
        fclose(file);
        SDL_FreeSurface(surface);
        return plot_fail(plot, "cannot write '%s': %s", filename, SDL_GetError());
    }
    int status = IMG_SavePNG_RW(surface, stream, 1);
    SDL_FreeSurface(surface);
    if (status != 0) {
        remove(filename);
        return plot_fail(plot, "cannot write '%s': %s", filename, IMG_GetError());
    }
    return 0;
}
