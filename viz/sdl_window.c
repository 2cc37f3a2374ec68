/* sdl_window.c — SDL video start/stop, per-window event pumping and
 * on-screen resizing shared by the graph and plot windows (sdl_window.h),
 * and the two SDL helpers the REPL calls through graph_window.h. */
#include "sdl_window.h"

#include <stdlib.h>

#include "graph_window.h"

enum { PUMP_INTERVAL_MS = 4 }; /* pumps closer together than this return at once */

void viz_window_hints(void) {
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
}

const char *viz_window_last_error(void) {
    return SDL_GetError();
}

bool viz_sdl_video_start(viz_sdl_video *video) {
    if (video->started) return true;
    if (video->unavailable) return false;
    /* Ask only for the drivers whose display is named: without this SDL
     * falls back to its invisible "offscreen" driver, and libwayland prints
     * an error on stderr when it is tried without a session.  An explicit
     * SDL_VIDEODRIVER in the environment still wins over the hint. */
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    bool has_x11 = x11 != NULL && x11[0] != '\0';
    bool has_wayland = wayland != NULL && wayland[0] != '\0';
    const char *forced = getenv("SDL_VIDEODRIVER");
    if (!has_x11 && !has_wayland && (forced == NULL || forced[0] == '\0')) {
        video->unavailable = true;
        return false;
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, has_x11 && has_wayland ? "x11,wayland"
                                      : has_x11              ? "x11"
                                                             : "wayland");
    viz_window_hints();
    /* Ctrl-C belongs to the REPL (it interrupts a loop); SDL must not turn it
     * into SDL_QUIT, nor post SDL_QUIT when the last window closes. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_WINDOW_NO_ACTIVATION_WHEN_SHOWN, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        video->unavailable = true;
        return false;
    }
    video->started = true;
    return true;
}

void viz_sdl_video_stop(viz_sdl_video *video) {
    if (!video->started) return;
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    video->started = false;
    /* nobody else uses SDL: free its global state too */
    if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0) SDL_Quit();
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

/* What SDL_FilterEvents hands the filter: whose events, and what they said. */
typedef struct event_filter {
    Uint32 window_id;
    viz_sdl_window_events *found;
} event_filter;

/* SDL_FilterEvents callback: notes and removes the window's events (0),
 * leaves every other event in the queue for its owner (1). */
static int SDLCALL take_own_events(void *user, SDL_Event *event) {
    event_filter *filter = user;
    Uint32 id = event_window(event);
    if (id == 0 || id != filter->window_id) return 1;
    if (event->type == SDL_WINDOWEVENT) {
        switch (event->window.event) {
        case SDL_WINDOWEVENT_CLOSE: filter->found->close_requested = true; break;
        case SDL_WINDOWEVENT_SHOWN:
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_RESIZED:
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_RESTORED:
        case SDL_WINDOWEVENT_MAXIMIZED: filter->found->exposed = true; break;
        default: break;
        }
    } else if (event->type == SDL_KEYDOWN &&
               (event->key.keysym.sym == SDLK_ESCAPE || event->key.keysym.sym == SDLK_q)) {
        filter->found->close_requested = true;
    }
    return 0;
}

bool viz_sdl_pump(Uint32 window_id, Uint32 *last_pump_ms, viz_sdl_window_events *found) {
    *found = (viz_sdl_window_events){0};
    Uint32 now = SDL_GetTicks();
    if (*last_pump_ms != 0 && now - *last_pump_ms < PUMP_INTERVAL_MS) return false;
    *last_pump_ms = now;
    SDL_PumpEvents();
    event_filter filter = {window_id, found};
    SDL_FilterEvents(take_own_events, &filter);
    /* events of no window that nobody acts on; drop them so the queue
     * cannot fill up over a long session */
    SDL_FlushEvent(SDL_KEYMAPCHANGED);
    SDL_FlushEvent(SDL_CLIPBOARDUPDATE);
    return true;
}

/* The window's events, copied out of the queue for viz_sdl_pump_each: the
 * handler runs after SDL_FilterEvents has let go of the queue, so it may
 * call SDL freely (resize the window, which queues events of its own). */
enum { EVENT_BATCH = 128 };
typedef struct event_batch {
    Uint32 window_id;
    SDL_Event events[EVENT_BATCH];
    int count;
} event_batch;

static int SDLCALL copy_own_events(void *user, SDL_Event *event) {
    event_batch *batch = user;
    Uint32 id = event_window(event);
    if (id == 0 || id != batch->window_id || batch->count == EVENT_BATCH) return 1;
    batch->events[batch->count++] = *event;
    return 0;
}

bool viz_sdl_pump_each(Uint32 window_id, Uint32 *last_pump_ms, viz_sdl_window_events *found,
                       viz_sdl_event_fn handle, void *user) {
    *found = (viz_sdl_window_events){0};
    Uint32 now = SDL_GetTicks();
    if (*last_pump_ms != 0 && now - *last_pump_ms < PUMP_INTERVAL_MS) return false;
    *last_pump_ms = now;
    SDL_PumpEvents();
    event_batch batch;
    batch.window_id = window_id;
    batch.count = 0;
    SDL_FilterEvents(copy_own_events, &batch);
    SDL_FlushEvent(SDL_KEYMAPCHANGED);
    SDL_FlushEvent(SDL_CLIPBOARDUPDATE);
    for (int i = 0; i < batch.count; i++) {
        const SDL_Event *event = &batch.events[i];
        if (event->type == SDL_WINDOWEVENT) {
            switch (event->window.event) {
            case SDL_WINDOWEVENT_CLOSE: found->close_requested = true; break;
            case SDL_WINDOWEVENT_SHOWN:
            case SDL_WINDOWEVENT_EXPOSED:
            case SDL_WINDOWEVENT_RESIZED:
            case SDL_WINDOWEVENT_SIZE_CHANGED:
            case SDL_WINDOWEVENT_RESTORED:
            case SDL_WINDOWEVENT_MAXIMIZED: found->exposed = true; break;
            default: break;
            }
        }
        handle(user, event);
    }
    return true;
}

void viz_sdl_resize_on_screen(SDL_Window *window, int width, int height) {
    SDL_SetWindowSize(window, width, height);
    SDL_Rect usable;
    int display = SDL_GetWindowDisplayIndex(window);
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0) return;
    int x, y, top = 0;
    SDL_GetWindowPosition(window, &x, &y);
    SDL_GetWindowBordersSize(window, &top, NULL, NULL, NULL);
    int new_x = x, new_y = y;
    if (new_x + width > usable.x + usable.w) new_x = usable.x + usable.w - width;
    if (new_y + height > usable.y + usable.h) new_y = usable.y + usable.h - height;
    if (new_x < usable.x) new_x = usable.x;
    if (new_y < usable.y + top) new_y = usable.y + top;
    if (new_x != x || new_y != y) SDL_SetWindowPosition(window, new_x, new_y);
}

/* The first window of this process that is shown, or NULL.  Window ids
 * are small and counted from 1, so a short scan finds them all. */
static SDL_Window *shown_window(void) {
    for (Uint32 id = 1; id < 256; id++) {
        SDL_Window *window = SDL_GetWindowFromID(id);
        if (window != NULL && (SDL_GetWindowFlags(window) & SDL_WINDOW_SHOWN) &&
            !(SDL_GetWindowFlags(window) & SDL_WINDOW_HIDDEN))
            return window;
    }
    return NULL;
}

/* The point of a shown window that a new window must not cover (the one
 * display connection of the process holds every window, so one place). */
static struct {
    Uint32 window_id;
    int x, y;
} kept;

void viz_sdl_keep_in_sight(SDL_Window *window, int x, int y) {
    kept.window_id = window != NULL ? SDL_GetWindowID(window) : 0;
    kept.x = x;
    kept.y = y;
}

void viz_sdl_place_new_window(int *x, int *y, int *width, int *height) {
    enum { OFFSET = 56, GAP = 8, SMALLEST = 320 };
    *x = *y = SDL_WINDOWPOS_UNDEFINED;
    SDL_Window *other = shown_window();
    SDL_Rect usable;
    int display = other != NULL ? SDL_GetWindowDisplayIndex(other) : -1;
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0) return;
    int ox, oy, ow, oh, top = 0, left = 0, bottom = 0, right = 0;
    SDL_GetWindowPosition(other, &ox, &oy);
    SDL_GetWindowSize(other, &ow, &oh);
    SDL_GetWindowBordersSize(other, &top, &left, &bottom, &right); /* 0 without a window manager */
    int frame_w = left + right, end = usable.x + usable.w;
    if (ox + ow + right + GAP + frame_w + *width <= end) { /* right of it */
        *x = ox + ow + right + GAP + left;
        *y = oy;
    } else if (ox - left - GAP - frame_w - *width >= usable.x) { /* left of it */
        *x = ox - left - GAP - right - *width;
        *y = oy;
    } else { /* over it, its title and left edge in sight */
        *x = ox + OFFSET;
        *y = oy + OFFSET;
        if (*x + *width + right > end) *width = end - right - *x;
        if (*y + *height + bottom > usable.y + usable.h) *height = usable.y + usable.h - bottom - *y;
        if (*width < SMALLEST) *width = SMALLEST;
        if (*height < SMALLEST) *height = SMALLEST;
        /* the other window's point kept in sight (its output node): the new
         * window beside it, right of it or left, where that leaves room */
        int px = ox + kept.x, py = oy + kept.y, margin = 2 * OFFSET;
        bool covered = kept.window_id != 0 && kept.window_id == SDL_GetWindowID(other) &&
                       px >= *x - left && px <= *x + *width + right && py >= *y - top && py <= *y + *height + bottom;
        if (covered && end - right - (px + margin + left) >= SMALLEST) {
            *x = px + margin + left;
            *width = end - right - *x;
        } else if (covered && px - margin - right - *x >= SMALLEST) {
            *width = px - margin - right - *x;
        }
    }
}
