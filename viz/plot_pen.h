/* plot_pen.h — the figure's drawing vocabulary, below every file that
 * draws a part of it (plot_data.c the data, plot_legend.c the legends,
 * plot_maps.c the pictures of learning, plot_draw.c the panels and the
 * figure): one drawing (figure), a panel, a legend's entries, a box, the
 * look's colours and sizes, and the pen plot_pen.c draws with.  Sizes are in
 * figure units: one unit is one device pixel at zoom 1. */
#ifndef VIZ_PLOT_PEN_H
#define VIZ_PLOT_PEN_H

#include <pango/pangocairo.h>

#include "plot_internal.h"
#include "plot_maps_data.h" /* colour, RGB */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const colour background = RGB(255, 255, 255);
static const colour frame_colour = RGB(38, 38, 38);
static const colour text_colour = RGB(25, 25, 25);

/* text sizes in units (pixels at zoom 1): readable from the back row */
#define TICK_TEXT 15.0
#define LABEL_TEXT 17.0
#define TITLE_TEXT 22.0
#define CAPTION_TEXT 14.0
/* text keeps this far from a panel's edges (the y label's side, the colour
 * bar's labels) */
#define PLOT_EDGE_MARGIN 14.0
#define PLOT_FRAME_RIGHT_MARGIN 28.0 /* right of a panel's frame */

/* ---- look: the sizes the data and the frames are drawn with --------------- */

enum {
    SMALL_SERIES = 40, /* series this short also get a dot per point */
    SMALL_PATH = 120,  /* paths this short get a dot per point */
    /* Cairo's cost of one stroke or fill grows faster than its size (a
     * line through 100,000 unsorted points crosses itself everywhere), so
     * long lines and many dots go in pieces of this many segments or dots:
     * drawing stays linear in the points and looks the same */
    PIECE = 32,
    /* an interrupt (Ctrl-C) is looked for every this many points */
    INTERRUPT_STRIDE = 4096,
};

#define TICK_LENGTH 6.0
#define MINOR_TICK_LENGTH 3.0
#define LINE_WIDTH 2.4
#define CONTOUR_LINE_WIDTH 1.3
#define MARKER_RADIUS 6.5
#define SERIES_DOT_RADIUS 3.4
#define DATA_DOT_RADIUS 3.6
#define PATH_DOT_RADIUS 2.7
#define LEGEND_PATH_DOT_RADIUS 4.6
#define MARK_SIZE 7.0

/* One drawing of the figure. */
typedef struct figure {
    cairo_t *cr;
    PangoLayout *layout; /* reused for every piece of text */
    viz_plot *plot;          /* the figure whose panel is being drawn (a sheet's for panel=) */
    const char *sheet_name;  /* that panel's name (panel="name"), or NULL */
    double width, height; /* in units */
    bool stopped;         /* the interrupt flag was seen: the drawing is cut short */
} figure;

typedef enum { ALIGN_START, ALIGN_CENTRE, ALIGN_END } align;

/* One panel: its share of the figure, then (plot_layout_panel) its frame,
 * ticks and labels. */
typedef struct panel {
    double x, y, w, h; /* the panel's share of the figure */
    plot_axes axes;
    plot_tick_list x_ticks, y_ticks;
    const char *x_label, *y_label;
    bool integer_x;
} panel;

typedef struct legend_entry {
    const char *name;
    colour colour;
    double dot_radius; /* > 0: the swatch carries a dot, as the data does */
    bool line;         /* the swatch has a line (points-only data has none) */
    const dash_style *dash; /* the line's style */
    plot_marker marker;     /* the dot's shape (a class's: plot_class_marker) */
} legend_entry;

/* A box in figure units: its top left corner, width and height. */
typedef struct plot_box {
    double x, y, w, h;
} plot_box;

enum {
    PLOT_MAX_LEGEND_ENTRIES = 16,
    PLOT_LEGEND_INSET = 10,      /* between a legend and its frame */
    PLOT_ELLIPSIZED_BYTES = 256, /* plot_ellipsized's text at most */
};

/* ---- the pen ---------------------------------------------------------------- */

bool plot_figure_stopped(figure *f);
void plot_set_colour(figure *f, colour c, double alpha);
void plot_text_size(figure *f, const char *text, double size, bool markup, double *w, double *h);
/* text, or its longest start (whole characters) that fits in `room` units
 * with an ellipsis after it, written into out. */
const char *plot_ellipsized(figure *f, const char *text, double size, double room,
                            char out[PLOT_ELLIPSIZED_BYTES]);
/* Text with its box aligned at (x, y); upwards reads bottom to top (the
 * alignments are then the text's own: horizontal along it, START at its
 * first letter, the bottom); halo > 0 outlines it in white first. */
void plot_draw_text_styled(figure *f, const char *text, double size, bool markup, double x, double y,
                           align horizontal, align vertical, bool upwards, colour c, double halo);
void plot_draw_text(figure *f, const char *text, double size, double x, double y, align horizontal,
                    align vertical, bool upwards, colour c);
/* Text centred on `centre` with its top at y, wrapped into centred lines
 * `room` wide when it is wider; its height. */
double plot_draw_wrapped(figure *f, const char *text, double size, double centre, double y, double room);
double plot_to_pixel_x(const plot_axes *a, double x);
double plot_to_pixel_y(const plot_axes *a, double y);
/* Shows only the inside of the frame to data (plot_unclip ends it). */
void plot_clip_to_frame(figure *f, const plot_axes *a);
void plot_unclip(figure *f);
void plot_stroke_lines(figure *f, colour c, double width);
void plot_disc(figure *f, double x, double y, double radius);
/* Adds marker m about (x, y), the size of a disc of `radius`, to the path. */
void plot_marker_path(figure *f, plot_marker m, double x, double y, double radius);

#endif
