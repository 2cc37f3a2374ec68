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
    PUMP_INTERVAL_MS = 4,    /* calls closer together than this return at once */
    MIN_WINDOW_WIDTH = 360,
    MIN_WINDOW_HEIGHT = 260,
};

static int default_width(int panels) {
    return panels == 2 ? PLOT_TWO_PANEL_WIDTH : PLOT_ONE_PANEL_WIDTH;
}

/* Starts SDL video once per plot.  SDL counts SDL_InitSubSystem calls, so
 * the graph window can start and stop its own share independently.  With no
 * display the start fails and the plot stays headless for good rather than
 * retrying on every append. */
static bool start_video(viz_plot *plot) {
    if (plot->video_started) return true;
    if (plot->display_unavailable) return false;
    /* Ask only for the drivers whose display is named: without this SDL
     * falls back to its invisible "offscreen" driver, and libwayland prints
     * an error on stderr when it is tried without a session.  An explicit
     * SDL_VIDEODRIVER in the environment still wins over the hint. */
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    bool has_x11 = x11 != NULL && x11[0] != '\0';
    bool has_wayland = wayland != NULL && wayland[0] != '\0';
    const char *forced = getenv("SDL_VIDEODRIVER");
    if (!has_x11 && !has_wayland && (forced == NULL || forced[0] == '\0')) {
        plot->display_unavailable = true;
        return false;
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, has_x11 && has_wayland ? "x11,wayland"
                                      : has_x11              ? "x11"
                                                             : "wayland");
    /* Ctrl-C belongs to the REPL (it interrupts a loop); SDL must not turn it
     * into SDL_QUIT, nor post SDL_QUIT when the last window closes. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_WINDOW_NO_ACTIVATION_WHEN_SHOWN, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        plot->display_unavailable = true;
        return false;
    }
    plot->video_started = true;
    return true;
}

static void destroy_window(viz_plot *plot) {
    if (plot->window_canvas != NULL) SDL_FreeSurface(plot->window_canvas);
    if (plot->window != NULL) SDL_DestroyWindow(plot->window);
    plot->window_canvas = NULL;
    plot->window = NULL;
    plot->window_id = 0;
}

static void open_window(viz_plot *plot) {
    if (!start_video(plot)) return;
    int panels = plot_panel_count(plot);
    plot->window = SDL_CreateWindow("agrepl plot", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                    default_width(panels), PLOT_HEIGHT, SDL_WINDOW_RESIZABLE);
    if (plot->window == NULL) {
        plot->display_unavailable = true; /* keep recording, headless */
        return;
    }
    SDL_SetWindowMinimumSize(plot->window, MIN_WINDOW_WIDTH, MIN_WINDOW_HEIGHT);
    plot->window_id = SDL_GetWindowID(plot->window);
    plot->window_panels = panels;
    plot->last_draw_ms = 0;
    plot->last_pump_ms = 0;
}

/* Resizes the window, moving it left when it would now stick out of the
 * usable part of its display. */
static void resize_on_screen(SDL_Window *window, int width, int height) {
    SDL_SetWindowSize(window, width, height);
    SDL_Rect usable;
    int display = SDL_GetWindowDisplayIndex(window);
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0) return;
    int x, y;
    SDL_GetWindowPosition(window, &x, &y);
    if (x + width > usable.x + usable.w) {
        x = usable.x + usable.w - width;
        if (x < usable.x) x = usable.x;
        SDL_SetWindowPosition(window, x, y);
    }
}

void plot_window_touch(viz_plot *plot) {
    plot->dirty = true;
    if (plot->headless || plot->display_unavailable) return;
    if (plot->window == NULL) {
        open_window(plot);
        return;
    }
    /* a contour next to the losses needs the wider window */
    int panels = plot_panel_count(plot);
    if (panels != plot->window_panels) {
        plot->window_panels = panels;
        if (!(SDL_GetWindowFlags(plot->window) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
            resize_on_screen(plot->window, default_width(panels), PLOT_HEIGHT);
    }
}

void plot_window_release(viz_plot *plot) {
    destroy_window(plot);
    if (plot->video_started) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        plot->video_started = false;
        /* nobody else uses SDL: free its global state too */
        if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0) SDL_Quit();
    }
}

/* The window an event belongs to, 0 for events of no window. */
static Uint32 event_window(const SDL_Event *event) {
    switch (event->type) {
    case SDL_WINDOWEVENT: return event->window.windowID;
    case SDL_KEYDOWN:
    case SDL_KEYUP: return event->key.windowID;
    case SDL_TEXTEDITING: return event->edit.windowID;
    case SDL_TEXTINPUT: return event->text.windowID;
    case SDL_MOUSEMOTION: return event->motion.windowID;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: return event->button.windowID;
    case SDL_MOUSEWHEEL: return event->wheel.windowID;
    case SDL_DROPFILE:
    case SDL_DROPTEXT:
    case SDL_DROPBEGIN:
    case SDL_DROPCOMPLETE: return event->drop.windowID;
    default: return 0;
    }
}

/* SDL_FilterEvents callback: handles and removes this window's events (0),
 * leaves every other event in the queue for its owner (1). */
static int SDLCALL take_own_events(void *user, SDL_Event *event) {
    viz_plot *plot = user;
    Uint32 window = event_window(event);
    if (window == 0 || window != plot->window_id) return 1;
    if (event->type == SDL_WINDOWEVENT) {
        switch (event->window.event) {
        case SDL_WINDOWEVENT_CLOSE: plot->close_requested = true; break;
        case SDL_WINDOWEVENT_SHOWN:
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_RESIZED:
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_RESTORED:
        case SDL_WINDOWEVENT_MAXIMIZED:
            plot->dirty = true;
            plot->last_draw_ms = 0; /* the window is blank until redrawn: now */
            break;
        default: break;
        }
    } else if (event->type == SDL_KEYDOWN &&
               (event->key.keysym.sym == SDLK_ESCAPE || event->key.keysym.sym == SDLK_q)) {
        plot->close_requested = true;
    }
    return 0;
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
    Uint32 now = SDL_GetTicks();
    if (plot->last_pump_ms != 0 && now - plot->last_pump_ms < PUMP_INTERVAL_MS) return;
    plot->last_pump_ms = now;
    SDL_PumpEvents();
    SDL_FilterEvents(take_own_events, plot);
    /* events of no window that nobody acts on; drop them so the queue
     * cannot fill up over a long session */
    SDL_FlushEvent(SDL_KEYMAPCHANGED);
    SDL_FlushEvent(SDL_CLIPBOARDUPDATE);
    if (plot->close_requested) {
        plot->close_requested = false;
        destroy_window(plot); /* the session goes on; the next append reopens it */
        return;
    }
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
