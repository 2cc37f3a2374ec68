/* plot_internal.h — what plot.c (the recorded data), plot_draw.c (the
 * rasterizer) and plot_window.c (window, events, savefig) share.  Not for
 * other modules: they use plot.h. */
#ifndef VIZ_PLOT_INTERNAL_H
#define VIZ_PLOT_INTERNAL_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "plot.h"

#define PLOT_ERROR_LENGTH 512
#define PLOT_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define PLOT_ONE_PANEL_WIDTH 900
#define PLOT_TWO_PANEL_WIDTH 1400
#define PLOT_HEIGHT 600

/* One named series: values[i] is drawn at x = i. */
typedef struct plot_series {
    char *name;
    double *values;
    size_t count;
    size_t capacity;
    int colour; /* index into the series palette */
} plot_series;

/* One named path of (x, y) points over the contour. */
typedef struct plot_path {
    char *name;
    double *xs;
    double *ys;
    size_t count;
    size_t capacity;
    int colour; /* index into the path palette */
} plot_path;

/* One piece of a level curve, in data coordinates. */
typedef struct plot_segment {
    double x0, y0, x1, y1;
    int level; /* index into plot_contour.levels */
} plot_segment;

/* The sampled function and its level curves, traced once when set. */
typedef struct plot_contour {
    bool present;
    double xlo, xhi, ylo, yhi;
    double value_min, value_max; /* over the finite samples */
    bool log_levels;
    double *levels; /* increasing */
    int level_count;
    plot_segment *segments;
    size_t segment_count;
} plot_contour;

/* Where one panel was drawn, kept for the test hooks. */
typedef struct plot_axes {
    bool present;
    int left, top, right, bottom; /* the frame lines, in pixels */
    double x_min, x_max;
    double y_min, y_max; /* log10 of the values when log_y */
    bool log_y;
} plot_axes;

struct viz_plot {
    bool headless;
    bool log_y;
    plot_series *series;
    size_t series_count;
    size_t series_capacity;
    plot_path *paths;
    size_t path_count;
    size_t path_capacity;
    plot_contour contour;
    char error[PLOT_ERROR_LENGTH];

    /* drawing */
    plot_axes axes[2]; /* indexed by viz_plot_panel */
    bool ttf_started;  /* this plot called TTF_Init */
    bool fonts_tried;
    TTF_Font *tick_font;
    TTF_Font *label_font;

    /* window */
    bool video_started;       /* this plot called SDL_InitSubSystem(VIDEO) */
    bool display_unavailable; /* video init failed once: stay headless */
    SDL_Window *window;
    SDL_Renderer *renderer;
    Uint32 window_id;
    int window_panels; /* panels shown when the window was last sized */
    bool dirty;        /* something changed since the last redraw */
    Uint32 last_draw_ms;
    Uint32 last_pump_ms;
};

/* Formats the message into plot->error; returns -1 for `return plot_fail(...)`. */
int plot_fail(viz_plot *plot, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* 1 or 2: how many panels the figure has now (an empty figure has one). */
int plot_panel_count(const viz_plot *plot);

/* Draws the whole figure onto renderer, sized width x height, and records the
 * axes mapping.  Loads the font on first use; without it draws no text. */
void plot_draw_figure(viz_plot *plot, SDL_Renderer *renderer, int width, int height);

/* Closes the fonts and TTF (when this plot started it). */
void plot_draw_release(viz_plot *plot);

/* Opens the window when one may be shown and none is open, and marks the
 * figure changed.  Called by everything that records data. */
void plot_window_touch(viz_plot *plot);

/* Destroys the window and shuts down what this plot started in SDL. */
void plot_window_release(viz_plot *plot);

/* Traces the level curves of the sampled grid (values[j * columns + i] at
 * x = xlo + i * dx, y = ylo + j * dy) into contour: picks the levels and
 * runs marching squares.  Returns 0, or -1 when out of memory. */
int plot_contour_trace(plot_contour *contour, const double *values, int columns, int rows);

#endif
