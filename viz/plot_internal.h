/* plot_internal.h — what the files of the plot module share; other modules
 * use plot.h.
 *   plot.c          the recorded figure: series, paths, contour; the API
 *   plot_contour.c  contour levels and marching squares
 *   plot_ticks.c    nice ticks and their labels, linear and log
 *   plot_raster.c   anti-aliased lines, discs, rectangles, text on a surface
 *   plot_draw.c     the figure: panels, frames, grid, data, legends
 *   plot_window.c   the SDL window, its events and redraws; savefig
 * Tests include this header to reach the levels and ticks directly. */
#ifndef VIZ_PLOT_INTERNAL_H
#define VIZ_PLOT_INTERNAL_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "plot.h"
#include "sdl_window.h"

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
    const char *font_path; /* PLOT_FONT_PATH; tests point it elsewhere */
    TTF_Font *tick_font;
    TTF_Font *label_font;
    Uint8 *mask; /* coverage, one byte a pixel, all zero between drawings */
    size_t mask_size;

    /* window */
    viz_sdl_video video; /* this plot's share of SDL video */
    SDL_Window *window;
    SDL_Surface *window_canvas; /* the figure at the window's size, blitted to it */
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

/* ---- plot_contour.c ---------------------------------------------------------- */

/* Traces the level curves of the sampled grid (values[row * columns + column]
 * at x = xlo + column * dx, y = ylo + row * dy) into contour, whose ranges
 * are set: picks the levels and runs marching squares.  0, or -1 when out of
 * memory. */
int plot_contour_trace(plot_contour *contour, const double *values, int columns, int rows);

/* ---- plot_ticks.c ------------------------------------------------------------ */

enum { PLOT_MAX_TICKS = 64 };

typedef struct plot_tick {
    double position; /* in axis units: log10 of the value on a log axis */
    bool major;      /* labelled, with a grid line; minor ticks are short and bare */
    char label[32];
} plot_tick;

typedef struct plot_tick_list {
    plot_tick items[PLOT_MAX_TICKS];
    int count;
} plot_tick_list;

/* 1, 2 or 5 times a power of ten, near raw (> 0). */
double plot_nice_step(double raw);
/* Rewrites "1.5e+06" in text as "1.5e6" and "2e-05" as "2e-5". */
void plot_tidy_exponent(char *text, size_t size);
/* About `target` ticks over [low, high] at a nice step (at least 1 when
 * integers), labelled with the decimals the step needs. */
void plot_linear_ticks(plot_tick_list *list, double low, double high, double target, bool integers);
/* Ticks of a log axis over [low, high] in log10 units: labelled decades
 * ("1e-3", "0.01", "0.1", "1", "10", "1e4"), every 2nd/5th/... when more than
 * `target`, unlabelled 2..9 between them; 1-2-5 values when less than two
 * decades show. */
void plot_log_ticks(plot_tick_list *list, double low, double high, double target);

/* ---- plot_raster.c ----------------------------------------------------------- */

/* Drawing state over one SDL_PIXELFORMAT_RGB888 surface. */
typedef struct plot_canvas {
    SDL_Surface *surface;
    Uint32 *pixels;
    int stride; /* pixels per row */
    int width, height;
    Uint8 *mask; /* width * height coverage bytes */
    int clip_left, clip_top, clip_right,
        clip_bottom; /* shapes stay inside, right/bottom excluded */
    int touched_left, touched_top, touched_right, touched_bottom; /* mask cells set, inclusive */
} plot_canvas;

typedef enum { PLOT_ALIGN_START, PLOT_ALIGN_CENTRE, PLOT_ALIGN_END } plot_align;

/* Starts drawing on surface (which must be RGB888), growing *mask (kept all
 * zero) to its size.  False when the format is wrong or out of memory. */
bool plot_canvas_begin(plot_canvas *canvas, SDL_Surface *surface, Uint8 **mask, size_t *mask_size);
/* Limits the shapes (not rectangles or text) to [left, right) x [top, bottom). */
void plot_set_clip(plot_canvas *canvas, int left, int top, int right, int bottom);
/* Fills the rectangle, blending when colour.a < 255. */
void plot_fill_rect(plot_canvas *canvas, int x, int y, int w, int h, SDL_Color colour);
/* Shapes add coverage to the mask; plot_composite paints it in one colour
 * and clears it.  Coordinates are continuous: pixel (x, y) spans
 * [x, x+1) x [y, y+1). */
void plot_mask_segment(plot_canvas *canvas, double ax, double ay, double bx, double by,
                       double width);
void plot_mask_disc(plot_canvas *canvas, double cx, double cy, double radius);
void plot_mask_ring(plot_canvas *canvas, double cx, double cy, double radius, double thickness);
void plot_composite(plot_canvas *canvas, SDL_Color colour);
/* Size of text in font; 0 x 0 without a font. */
void plot_text_size(TTF_Font *font, const char *text, int *w, int *h);
/* Draws text with its box aligned at (x, y); upwards turns it a quarter
 * left (reading bottom to top).  Nothing without a font. */
void plot_draw_text(plot_canvas *canvas, TTF_Font *font, const char *text, int x, int y,
                    plot_align horizontal, plot_align vertical, bool upwards, SDL_Color colour);

/* ---- plot_draw.c ------------------------------------------------------------- */

/* Draws the whole figure onto surface (RGB888) and records the axes
 * mapping.  Loads the font on first use; without it draws no text.  False
 * when out of memory. */
bool plot_draw_figure(viz_plot *plot, SDL_Surface *surface);
/* Closes the fonts and TTF (when this plot started it), frees the mask. */
void plot_draw_release(viz_plot *plot);

/* ---- plot_window.c ----------------------------------------------------------- */

/* Marks the figure changed and opens the window when one may be shown and
 * none is open.  Called by everything that records data. */
void plot_window_touch(viz_plot *plot);
/* Destroys the window and shuts down what this plot started in SDL. */
void plot_window_release(viz_plot *plot);

#endif
