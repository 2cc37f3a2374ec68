/* sdl_window.h — the SDL plumbing the graph window (graph_window.c) and the
 * plot window (plot_window.c) share: starting and stopping SDL video, taking
 * only one window's events from SDL's shared queue, and keeping a resized
 * window on screen.  Internal to viz/; the REPL sees graph_window.h and plot.h. */
#ifndef VIZ_SDL_WINDOW_H
#define VIZ_SDL_WINDOW_H

#include <SDL.h>
#include <stdbool.h>

/* One window owner's share of SDL video. */
typedef struct viz_sdl_video {
    bool started;     /* this owner called SDL_InitSubSystem(VIDEO) */
    bool unavailable; /* no display, or the start failed once: stay headless */
} viz_sdl_video;

/* Starts SDL video for this owner once; true when it runs.  Only the drivers
 * whose display is named are asked for, SDL never takes Ctrl-C nor posts
 * SDL_QUIT when the last window closes.  With no display it returns false
 * and keeps returning false without retrying.  SDL counts
 * SDL_InitSubSystem calls, so owners start and stop their shares independently. */
bool viz_sdl_video_start(viz_sdl_video *video);

/* Gives back this owner's share of SDL video (nothing when it has none), and
 * frees SDL's global state when no other part of SDL is in use. */
void viz_sdl_video_stop(viz_sdl_video *video);

/* What one pump found in the window's events. */
typedef struct viz_sdl_window_events {
    bool close_requested; /* close button, Esc or q */
    bool exposed;         /* shown, exposed, resized, restored: draw again */
} viz_sdl_window_events;

/* Takes the events of window window_id from SDL's queue (every other event
 * stays for its owner) and reports them in *found.  Calls closer together
 * than a few ms return false at once without looking; *last_pump_ms is the
 * caller's record of the last look (0 = never). */
bool viz_sdl_pump(Uint32 window_id, Uint32 *last_pump_ms, viz_sdl_window_events *found);

/* Like viz_sdl_pump, but hands each of the window's events (keys, mouse,
 * window events) to handle, in order, after taking them from the queue; a
 * close request (close button) is reported in *found as well, keys are not
 * interpreted.  False, without looking, as viz_sdl_pump. */
typedef void (*viz_sdl_event_fn)(void *user, const SDL_Event *event);
bool viz_sdl_pump_each(Uint32 window_id, Uint32 *last_pump_ms, viz_sdl_window_events *found,
                       viz_sdl_event_fn handle, void *user);

/* Resizes the window, moving it up or left when it would now stick out of
 * the usable part of its display. */
void viz_sdl_resize_on_screen(SDL_Window *window, int width, int height);

/* Where a new window of *width x *height opens so that it never hides the
 * process's window already shown (the plot and the graph window): beside it
 * when both fit on its display, else moved right and down by a title bar
 * and a margin (so both titles stay in sight) and made smaller to stay on
 * the display, and narrower still to leave its point kept in sight
 * (viz_sdl_keep_in_sight) uncovered.  *x and *y are SDL_WINDOWPOS_UNDEFINED when no other window
 * is shown (the window manager places it). */
void viz_sdl_place_new_window(int *x, int *y, int *width, int *height);

/* Point (x, y) of window (its drawable area) must stay in sight when a new
 * window opens over it (the graph's output node): viz_sdl_place_new_window
 * then puts the new window beside the point, not on it, where it fits at
 * least 320 px wide.  The latest call wins. */
void viz_sdl_keep_in_sight(SDL_Window *window, int x, int y);

#endif
