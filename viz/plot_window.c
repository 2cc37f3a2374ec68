/* plot_window.c — the live window (lazy SDL video start, events, rate-limited
 * redraws).  The figure is drawn by plot_draw_figure into a Cairo image
 * surface, which is copied to the window's surface; savefig (plot_save.c)
 * draws the same way into its file. */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>

enum {
    REDRAW_INTERVAL_MS = 33, /* at most ~30 redraws a second */
    MIN_WINDOW_WIDTH = 360,
    MIN_WINDOW_HEIGHT = 260,
};

/* The default size for the panels: a row of up to three, more in rows of
 * three (PLOT_PANELS_ACROSS). */
static int default_width(int panels) {
    return panels >= 3 ? PLOT_THREE_PANEL_WIDTH : panels == 2 ? PLOT_TWO_PANEL_WIDTH : PLOT_ONE_PANEL_WIDTH;
}

static int default_height(int panels) {
    return PLOT_PANEL_ROWS(panels) * PLOT_HEIGHT;
}

void plot_figure_size(const viz_plot *plot, bool for_page, int *width, int *height) {
    int panels = plot_panel_count(plot), wide = default_width(panels);
    /* a page shows a figure at most about 1000 px wide (a notebook on a
     * 1280-px screen): one made narrower there, with its text at the same
     * size, shows that text less shrunk (three quarters of the width at
     * least, so the panels keep their room) */
    double narrow = for_page && wide > PLOT_PAGE_WIDTH ? fmax((double)PLOT_PAGE_WIDTH / wide, 0.75) : 1;
    /* a file grows with the zoom, its text and lines with it: at :zoom 2 it
     * is the figure of :zoom 1 at twice the size (a page keeps its width,
     * where a larger image would be shrunk back, its text as small) */
    double zoom = !for_page && plot->zoom > 0 ? plot->zoom : 1;
    *width = (int)lround(wide * narrow * zoom);
    *height = (int)lround(default_height(panels) * narrow * zoom);
    if (plot->window != NULL) {
        int w = 0, h = 0;
        SDL_GetWindowSizeInPixels(plot->window, &w, &h);
        if (w >= MIN_WINDOW_WIDTH / 2 && h >= MIN_WINDOW_HEIGHT / 2) {
            *width = w;
            *height = h;
        }
    }
}

static void destroy_window(viz_plot *plot) {
    if (plot->window_canvas != NULL) cairo_surface_destroy(plot->window_canvas);
    if (plot->window != NULL) SDL_DestroyWindow(plot->window);
    plot->window_canvas = NULL;
    plot->window = NULL;
    plot->window_id = 0;
}

static void redraw(viz_plot *plot, Uint32 now);

/* The window's size for the figure: the default for its panels times the
 * zoom, at most the usable part of `display`. */
static void window_size(const viz_plot *plot, int display, int *width, int *height) {
    int panels = plot_panel_count(plot);
    *width = (int)lround(default_width(panels) * plot->zoom);
    *height = (int)lround(default_height(panels) * plot->zoom);
    SDL_Rect usable;
    if (display >= 0 && SDL_GetDisplayUsableBounds(display, &usable) == 0) {
        if (*width > usable.w - 20) *width = usable.w - 20;
        if (*height > usable.h - 60) *height = usable.h - 60;
    }
    if (*width < MIN_WINDOW_WIDTH) *width = MIN_WINDOW_WIDTH;
    if (*height < MIN_WINDOW_HEIGHT) *height = MIN_WINDOW_HEIGHT;
}

static void open_window(viz_plot *plot) {
    if (!viz_sdl_video_start(&plot->video)) return;
    int panels = plot_panel_count(plot), width, height;
    window_size(plot, 0, &width, &height);
    int x, y;
    viz_sdl_place_new_window(&x, &y, &width, &height); /* never over the graph window */
    plot->window = SDL_CreateWindow("agrepl plot", x, y, width, height, SDL_WINDOW_RESIZABLE);
    if (plot->window == NULL) {
        plot->video.unavailable = true; /* keep recording, headless */
        return;
    }
    SDL_SetWindowMinimumSize(plot->window, MIN_WINDOW_WIDTH, MIN_WINDOW_HEIGHT);
    plot->window_id = SDL_GetWindowID(plot->window);
    plot->window_panels = panels;
    plot->last_pump_ms = 0;
    /* drawn as it opens: the first drawing loads the fonts (~100 ms on a
     * fresh machine), a cost the window's later, cheap redraws must not be
     * paced by */
    redraw(plot, SDL_GetTicks());
    plot->last_draw_ms = 0;
}

void plot_window_touch(viz_plot *plot) {
    plot->dirty = true;
    if (plot->parent != NULL) { /* a panel chosen by panel=: its figure's window shows it */
        plot_window_touch(plot->parent);
        return;
    }
    if (plot->headless || plot->video.unavailable) return;
    if (plot->window == NULL) {
        open_window(plot);
        return;
    }
    /* a contour next to the losses needs the wider window */
    int panels = plot_panel_count(plot);
    if (panels != plot->window_panels) {
        plot->window_panels = panels;
        plot_window_fit(plot);
    }
}

void plot_window_fit(viz_plot *plot) {
    if (plot->window == NULL ||
        (SDL_GetWindowFlags(plot->window) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
        return;
    int width, height;
    window_size(plot, SDL_GetWindowDisplayIndex(plot->window), &width, &height);
    viz_sdl_resize_on_screen(plot->window, width, height);
}

void plot_window_release(viz_plot *plot) {
    destroy_window(plot);
    viz_sdl_video_stop(&plot->video);
}

/* A Cairo image surface at the size of `screen`, kept for the window. */
static cairo_surface_t *window_canvas(viz_plot *plot, const SDL_Surface *screen) {
    cairo_surface_t *canvas = plot->window_canvas;
    if (canvas != NULL && cairo_image_surface_get_width(canvas) == screen->w &&
        cairo_image_surface_get_height(canvas) == screen->h)
        return canvas;
    if (canvas != NULL) cairo_surface_destroy(canvas);
    canvas = cairo_image_surface_create(CAIRO_FORMAT_RGB24, screen->w, screen->h);
    if (cairo_surface_status(canvas) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(canvas);
        canvas = NULL;
    }
    plot->window_canvas = canvas;
    return canvas;
}

static void redraw(viz_plot *plot, Uint32 now) {
    if (SDL_GetWindowFlags(plot->window) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN)) return;
    /* the window surface is remade by SDL after a resize */
    SDL_Surface *screen = SDL_GetWindowSurface(plot->window);
    if (screen == NULL || screen->w <= 0 || screen->h <= 0) return;
    cairo_surface_t *canvas = window_canvas(plot, screen);
    if (canvas == NULL) return;
    Uint64 start = SDL_GetPerformanceCounter();
    cairo_t *cr = cairo_create(canvas);
    bool whole = plot_draw_figure(plot, cr, screen->w, screen->h);
    cairo_destroy(cr);
    if (!whole) return; /* interrupted: drawn whole at the next pump */
    cairo_surface_flush(canvas);
    /* Cairo's RGB24 is SDL's RGB888: 32-bit xRGB in native order */
    SDL_Surface *pixels = SDL_CreateRGBSurfaceWithFormatFrom(
        cairo_image_surface_get_data(canvas), screen->w, screen->h, 32,
        cairo_image_surface_get_stride(canvas), SDL_PIXELFORMAT_RGB888);
    if (pixels == NULL) return;
    SDL_BlitSurface(pixels, NULL, screen, NULL);
    SDL_FreeSurface(pixels);
    SDL_UpdateWindowSurface(plot->window);
    plot->dirty = false;
    plot->last_draw_ms = now;
    if (plot->trace != NULL) {
        double frequency = (double)SDL_GetPerformanceFrequency();
        fprintf(plot->trace, "draw %.3f %.3f\n", (double)start / frequency * 1e3,
                (double)(SDL_GetPerformanceCounter() - start) / frequency * 1e3);
        fflush(plot->trace);
    }
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

