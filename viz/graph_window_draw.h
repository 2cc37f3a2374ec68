/* graph_window_draw.h — the graph window's state and its drawing
 * (graph_window_draw.c draws it: the graph through the view, its
 * highlights, the inspector, the legend and the keys' help; graph_window.c
 * opens it, handles its events and shows each new picture): the window's
 * sizes, its struct, and what both use of it. */
#ifndef VIZ_GRAPH_WINDOW_DRAW_H
#define VIZ_GRAPH_WINDOW_DRAW_H

#include <stdarg.h>
#include <stdio.h>

#include <cairo.h>

#include "graph_scene.h"
#include "graph_window.h"
#include "sdl_window.h"
#include "unit_maps.h"

enum {
    MIN_WINDOW_SIDE = 120,
    SCREEN_MARGIN = 40,     /* room for window decorations and panels */
    INSPECTOR_WIDTH = 560,  /* the panel beside the graph, at :zoom 1 */
    PANEL_PAD = 12,
    ARROW_STEP = 60,        /* pixels an arrow key pans */
    CLICK_SLOP = 4,         /* a press and release this close is a click, not a drag */
    WHEEL_LINE = 40,        /* pixels a wheel notch scrolls the inspector */
    HANGING_INDENT = 48,    /* pixels the continuation of a wrapped inspector line stands in */
    TEXT_PIXELS = 18,       /* the inspector's and the keys' text at :zoom 1: readable on a projector */
};
#define ZOOM_STEP 1.25
#define TEXT_FONT "DejaVu Sans Mono"

struct viz_graph_window {
    bool headless;
    viz_sdl_video video;
    SDL_Window *window;
    Uint32 window_id;
    SDL_Surface *picture;          /* the rendered graph, ARGB8888 */
    cairo_surface_t *picture_cairo; /* the same pixels for Cairo */
    SDL_Surface *frame;            /* what is drawn, then copied to the window */
    viz_scene scene;
    viz_layout_cache *layout;
    viz_view view;
    bool auto_fit;                 /* the view fits each new picture until the user moves it */
    const viz_scene *opening;      /* while a new scene's picture is shown: that scene */
    bool fit_all;                  /* 0 was pressed: fit the whole picture, however small;
                                      otherwise never below VIZ_VIEW_READABLE_SCALE */
    int digits;                    /* of the inspector's numbers */
    double zoom;                   /* :zoom, of the inspector's text (1 = TEXT_PIXELS) */
    int hovered, selected;         /* scene nodes, or -1 */
    char selected_name[40];        /* kept across pictures */
    char *inspector;               /* its text, or NULL */
    viz_unit_maps maps;            /* the units' maps under the text (maps.maps NULL: none) */
    ag_var *select_after;          /* a box clicked open: its output is inspected in the next
                                      picture (retained), or NULL */
    double inspector_scroll;
    double inspector_scroll_x;     /* rows of numbers wider than the panel scroll sideways */
    int inspector_row_width;       /* the widest of them, in pixels */
    int inspector_text_height;
    int legend_height;             /* pixels the legend takes below the inspector's text (0: none) */
    bool legend_in_panel;          /* (traced when it changes) */
    bool legend_pinned;            /* drawn over the graph at legend_at, not at its place */
    double legend_at[4];           /* there: x, y, width, height on screen (no node is hit there) */
    int legend_edge_x, legend_edge_y; /* pinned at the area's left/top (0) or right/bottom (1)
                                         edge, or -1: slid only as far as needed */
    int legend_traced[6];          /* the legend's place on screen and the graph's area, as
                                      last traced ("legend at X,Y size WxH in AWxAH") */
    int help_traced[6];            /* the same of the keys' help */
    int widened_by;                /* pixels the window grew to make room for the inspector */
    bool help;
    bool pressed, dragged;
    int press_x, press_y, last_x, last_y;
    int pointer_x, pointer_y;
    bool pointer_known;
    unsigned char *unfolded;       /* groups clicked open: unfolded[N] != 0 */
    int n_unfolded;
    size_t unfolded_capacity;
    bool rerender;                 /* a click changed what should be drawn */
    bool stepped;                  /* the last drawing marked a backward's step in progress */
    bool hold_size;                /* a step-through's drawing: the window keeps its size */
    int anchor_group;              /* the group just clicked open or folded (-1 none): the
                                      next picture puts it where it was on the screen */
    FILE *trace;                   /* AGREPL_WINDOW_TRACE, or NULL */
    bool dirty;
    Uint32 last_pump_ms;
};

/* One line of the trace (when AGREPL_WINDOW_TRACE names a file). */
static inline __attribute__((format(printf, 2, 3))) void graph_window_trace(viz_graph_window *w, const char *format,
                                                                            ...) {
    if (w->trace == NULL) return;
    va_list args;
    va_start(args, format);
    vfprintf(w->trace, format, args);
    va_end(args);
    fputc('\n', w->trace);
    fflush(w->trace);
}
/* The inspector's width in a window this wide (0 when it is closed). */
static inline int graph_window_panel_width(const viz_graph_window *w, int window_width) {
    if (w->inspector == NULL) return 0;
    int width = (int)(INSPECTOR_WIDTH * w->zoom);
    if (width > window_width / 2) width = window_width / 2;
    return width;
}
/* Draws the window again: the graph through the view, its highlights, the
 * inspector and legend beside it, the keys' help over it
 * (graph_window_draw.c). */
void graph_window_redraw(viz_graph_window *w);

#endif
