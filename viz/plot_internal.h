/* plot_internal.h — what the files of the plot module share; other modules
 * use plot.h.
 *   plot.c          the recorded figure: series, paths, contour; the API
 *   plot_contour.c  contour levels and marching squares
 *   plot_ticks.c    nice ticks and their labels, linear and log
 *   plot_pen.c      what every part is drawn with (plot_pen.h: the figure,
 *                   panels, legend entries, sizes; text by Pango, lines, clip)
 *   plot_data.c     the data inside a frame: series, level curves, paths,
 *                   marks, what a legend would hide
 *   plot_legend.c   a panel's legend: its names, its place, its drawing
 *   plot_draw.c     the figure through Cairo: its panels, frames, grid,
 *                   ticks' labels and title, each part from the files above
 *   plot_maps_data.c  the pictures of learning recorded (class points, fields,
 *                   heat maps, image grids, the network's units) and their
 *                   colours, scales and labels: no Cairo (the web page's too)
 *   plot_maps.c     the pictures of learning drawn
 *   plot_window.c   the SDL window, its events and redraws
 *   plot_save.c     savefig: PNG, SVG or PDF by the file's extension
 * Tests include this header to reach the levels and ticks directly. */
#ifndef VIZ_PLOT_INTERNAL_H
#define VIZ_PLOT_INTERNAL_H

#include <SDL.h>
#include <cairo.h>
#include <signal.h>
#include <stdio.h>

#include "plot.h"
#include "sdl_window.h"

#define PLOT_FONT_FAMILY "DejaVu Sans"
#define PLOT_ONE_PANEL_WIDTH 900
#define PLOT_TWO_PANEL_WIDTH 1400
#define PLOT_THREE_PANEL_WIDTH 1860
#define PLOT_HEIGHT 600 /* a row of panels */
/* Panels in a row: more wrap to rows below, as the web page wraps a saved
 * figure (4 to 6 panels are two rows, 7 to 9 three), each row PLOT_HEIGHT
 * high in a figure PLOT_THREE_PANEL_WIDTH wide. */
#define PLOT_PANELS_ACROSS 3
#define PLOT_PANEL_ROWS(panels) ((panels) > PLOT_PANELS_ACROSS ? ((panels) + PLOT_PANELS_ACROSS - 1) / PLOT_PANELS_ACROSS : 1)
#define PLOT_PAGE_WIDTH 1050 /* at most, on a notebook's page (plot_figure_size) */

/* One named series: values[i] is drawn at x = i, or at xs[i] for a whole
 * series set by viz_plot_series (xs is then not NULL). */
typedef struct plot_series {
    char *name;
    double *values;
    double *xs;
    size_t count;
    size_t capacity;
    int colour;  /* index into the series palette */
    bool points; /* markers only, no line */
} plot_series;

/* A labelled point over the contour panel. */
typedef struct plot_mark {
    double x, y;
    char *label;
} plot_mark;

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
    bool given_levels; /* the user listed them */
    double *levels;    /* increasing */
    int level_count;
    plot_segment *segments;
    size_t segment_count;
} plot_contour;

/* Points coloured by class (scatter). */
typedef struct plot_points {
    double *xs, *ys;
    int *classes;
    size_t count;
    char **names; /* names[k] of class k, name_count of them */
    int name_count;
    bool unlabelled;      /* no classes given: classes all 0, drawn in plot_unlabelled_colour, no legend */
    unsigned long serial; /* new at each recording (the web page is sent what changed) */
} plot_points;

/* A model's output over the plane (boundary): see viz_plot_field. */
typedef struct plot_field {
    bool present;
    double xlo, xhi, ylo, yhi;
    int columns, rows, channels;
    double *values;
    double threshold;
    double low, high; /* the colour bar's ends (one channel) */
    plot_contour edge; /* where the model decides: the threshold's level curve (one channel),
                          the borders between the classes' regions (several) */
    unsigned long serial;
} plot_field;

/* A matrix as a heat map. */
typedef struct plot_matrix {
    bool present;
    int rows, columns;
    double *values;
    char *name;
    unsigned long serial;
} plot_matrix;

/* A grid of small images. */
typedef struct plot_image_grid {
    bool present;
    int count, height, width;
    double *values;
    unsigned long serial;
} plot_image_grid;

/* The network's units over the plane: see viz_plot_neurons. */
typedef struct plot_network {
    bool present;
    int layers, grid;
    int units[VIZ_PLOT_MAX_LAYERS];
    double centres[VIZ_PLOT_MAX_LAYERS];
    double *maps;
    double *weights; /* NULL: none */
    double xlo, xhi, ylo, yhi;
    unsigned long serial;
} plot_network;

/* Where one panel was drawn, kept for the test hooks. */
typedef struct plot_axes {
    bool present;
    double left, top, right, bottom; /* the frame lines, in figure units */
    double scale;                    /* device pixels per figure unit (the zoom) */
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
    plot_mark *marks;
    size_t mark_count, mark_capacity;
    plot_points points;
    plot_field field;
    plot_matrix heatmap;
    plot_image_grid images;
    plot_network neurons;
    char *title; /* NULL: none */
    /* the panels chosen by statements (viz_plot_sheet), in the order made */
    viz_plot *sheets[VIZ_PLOT_MAX_SHEETS];
    int sheet_count;
    viz_plot *parent; /* a sheet's figure: the one it is drawn in; NULL otherwise */
    char *sheet_name; /* a named sheet's name (NULL when numbered) */
    int sheet_number; /* a numbered sheet's number (0 when named) */
    char *x_labels[VIZ_PLOT_PANEL_COUNT], *y_labels[VIZ_PLOT_PANEL_COUNT]; /* NULL: the default */
    double zoom; /* text and line scale, 1 by default */
    const volatile sig_atomic_t *interrupt; /* nonzero: stop drawing (NULL: none) */

    /* drawing */
    plot_axes axes[VIZ_PLOT_PANEL_COUNT]; /* indexed by viz_plot_panel */

    /* window */
    viz_sdl_video video; /* this plot's share of SDL video */
    SDL_Window *window;
    cairo_surface_t *window_canvas; /* the figure at the window's size, blitted to it */
    Uint32 window_id;
    int window_panels; /* panels shown when the window was last sized */
    bool dirty;        /* something changed since the last redraw */
    FILE *trace;       /* AGREPL_PLOT_TRACE: a line per redraw (when and how long), or NULL */
    Uint32 last_draw_ms;
    Uint32 last_pump_ms;
};

/* Formats the message into the caller's err (viz_error.h); returns -1 for
 * `return plot_fail(err, ...)`. */
int plot_fail(char err[VIZ_ERRLEN], const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* How many panels the figure has now, its sheets' included (an empty
 * figure has one). */
int plot_panel_count(const viz_plot *plot);
/* Whether panel (owner, kind) is the map of panel="before"; the map right
 * of it is captioned "after" when it has no name of its own. */
bool plot_is_before_map(const viz_plot *owner, viz_plot_panel kind);
/* The panels the figure itself has now, left to right, into order; their
 * count (its sheets' are not among them). */
int plot_panel_order(const viz_plot *plot, viz_plot_panel order[VIZ_PLOT_PANEL_COUNT]);
/* Every panel of the figure, left to right: its own, then its sheets'
 * (numbered ones first); owners[i] is the figure that holds panel i's data,
 * kinds[i] its kind.  Their count, at most PLOT_MAX_FIGURE_PANELS. */
#define PLOT_MAX_FIGURE_PANELS (VIZ_PLOT_PANEL_COUNT + VIZ_PLOT_MAX_SHEETS)
/* (A map drawn with panel="before" is put just left of the first other map,
 * both in one row: plot_is_before_map.) */
int plot_figure_panels(const viz_plot *plot, const viz_plot *owners[PLOT_MAX_FIGURE_PANELS],
                       viz_plot_panel kinds[PLOT_MAX_FIGURE_PANELS]);
/* True when the map panel (contour, paths, marks, points, field) has anything. */
bool plot_has_map(const viz_plot *plot);
/* The series of one panel: appended ones (a loss by step) or whole ones
 * (plot(xs, ys)). */
bool plot_series_in_panel(const plot_series *s, viz_plot_panel which);
/* The names under and beside a panel's axes, as every drawing of the figure
 * (the terminal's, savefig's, the web page's) writes them: those xlabel= and
 * ylabel= gave the panel; else "step" under a loss by step ("x" under
 * plot(xs, ys)) and the one line's name beside it ("" for several); on the
 * map, the two names of a single path tracked as "a, b", else x0 and x1.
 * x and y point into the plot or into names->split: use them in place, while
 * the plot lives. */
typedef struct {
    const char *x, *y;
    char split[2][64];
} plot_axis_names;
void plot_name_axes(const viz_plot *plot, viz_plot_panel which, plot_axis_names *names);

/* ---- plot_maps_data.c -------------------------------------------------------- */

/* Frees what the pictures of learning recorded (points, field, heat map,
 * images, units) and forgets them. */
void plot_maps_free(viz_plot *plot);

/* ---- plot_contour.c ---------------------------------------------------------- */

/* Traces the level curves of the sampled grid (values[row * columns + column]
 * at x = xlo + column * dx, y = ylo + row * dy) into contour, whose ranges
 * are set: picks the levels and runs marching squares.  0, or -1 when out of
 * memory. */
int plot_contour_trace(plot_contour *contour, const double *values, int columns, int rows,
                       const viz_plot_levels *levels);

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
    bool decades; /* a log axis's: "1e-3" reads 10^-3, not 1x10^-3 as on a linear axis */
    /* An axis whose ticks lie far from zero against their span (a loss from
     * 0.99999 to 1, x from 1000.001 to 1000.002) is labelled relative to an
     * offset written once at its end, as matplotlib's ScalarFormatter does:
     * "+1000" (each label then the tick less 1000), "" for none; its labels
     * in units of 10^scale when they would need exponents (scale 0: none),
     * the axis's end reading "×10^-6 + 0.99999". */
    char offset[32];
    int scale;
} plot_tick_list;

/* The contour's caption, "11 levels, 1 to 2000 (log spacing)", "3 levels,
 * −6 to −4 (given)" (the window, files and the web page draw it over the
 * contour panel; a real minus sign, plot_real_minus); "" when it has no
 * levels. */
void plot_contour_caption(const plot_contour *contour, char *text, size_t size);
/* 1, 2 or 5 times a power of ten, near raw (> 0). */
double plot_nice_step(double raw);
/* Rewrites "1.5e+06" in text as "1.5e6" and "2e-05" as "2e-5". */
void plot_tidy_exponent(char *text, size_t size);
/* Each '-' in text as a real minus sign (U+2212, UTF-8; matplotlib's), while
 * it fits in size bytes: every number the figure writes (ticks and the
 * axes' offsets, colour bars' labels, a heat map's cells, the level curves'
 * caption) goes through here. */
void plot_real_minus(char *text, size_t size);
/* About `target` ticks over [low, high] at a nice step (at least 1 when
 * integers), labelled with the decimals the step needs; past 1e6, or at
 * steps under 1e-4, every label in exponent form with one exponent and one
 * count of decimals ("0.5e6", "1.0e6", "1.5e6").  Ticks all of one sign
 * whose whole values would take at least 4 digits more than their
 * differences from a round offset get that offset (matplotlib's rule,
 * offset_threshold 4): labels relative to it, and in units of 10^scale
 * where they would need exponents (list->offset, list->scale). */
void plot_linear_ticks(plot_tick_list *list, double low, double high, double target, bool integers);
/* Ticks of a log axis over [low, high] in log10 units: labelled decades,
 * every 2nd/5th/... when more than `target`, unlabelled 2..9 between them;
 * 1-2-5 mantissas when fewer than three decades are labelled, and 3 too
 * when that still labels fewer than three.  One style per axis: plain
 * decimals ("0.001", "0.2", "1", "500") when every label is between 0.001
 * and 9000, otherwise every label in exponent form ("1e-4", "2e-2", "1e0"). */
void plot_log_ticks(plot_tick_list *list, double low, double high, double target);

/* ---- plot_draw.c ------------------------------------------------------------- */

/* Draws the whole figure with cr over width x height device pixels (the
 * figure is laid out at width / zoom x height / zoom units and scaled by
 * the zoom) and records the axes mapping.  Every target (the window's image
 * surface, PNG, SVG, PDF) goes through here, so they look alike.  False
 * when the interrupt flag cut the drawing short. */
bool plot_draw_figure(viz_plot *plot, cairo_t *cr, double width, double height);

/* The figure's size in device pixels (or PDF/SVG points) when saved: the
 * window's when one is open (sized for the zoom), else the default for its
 * panels times the zoom, so a file at :zoom 2 is the one of :zoom 1 at
 * twice the size; a notebook's page
 * (for_page) gets it narrower, at most PLOT_PAGE_WIDTH (three quarters of
 * the default at least) and as much lower, so its text, the same size, is
 * shrunk less where the page shows it about 1000 px wide. */
void plot_figure_size(const viz_plot *plot, bool for_page, int *width, int *height);

/* ---- plot_window.c ----------------------------------------------------------- */

/* Marks the figure changed and opens the window when one may be shown and
 * none is open.  Called by everything that records data. */
void plot_window_touch(viz_plot *plot);
/* Sizes an open window (not maximized) for the figure's panels and zoom. */
void plot_window_fit(viz_plot *plot);
/* Destroys the window and shuts down what this plot started in SDL. */
void plot_window_release(viz_plot *plot);

#endif
