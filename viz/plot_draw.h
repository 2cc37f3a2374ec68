/* plot_draw.h — what the figure's drawing files share: plot_draw.c the
 * panels of series, level curves and paths, their frames, ticks and text;
 * plot_data.c the data inside a frame; plot_legend.c the legends;
 * plot_maps.c the pictures of learning (heat fields and class points over
 * the map panel, heat maps, image grids, the network's units, their colours
 * from plot_maps_data.h).  Sizes are in figure units: one unit is one device
 * pixel at zoom 1. */
#ifndef VIZ_PLOT_DRAW_H
#define VIZ_PLOT_DRAW_H

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

/* ---- look: the sizes plot_draw.c and plot_data.c draw with -------------- */

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

/* ---- plot_draw.c: the pieces every panel is made of ------------------------- */

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
/* Places the frame in the panel for its axes' ranges and picks the ticks. */
void plot_layout_panel(figure *f, panel *p);
void plot_draw_grid(figure *f, const panel *p);
void plot_draw_frame_and_labels(figure *f, const panel *p);

/* ---- plot_data.c: the data inside a frame ------------------------------------ */

/* Shows only the inside of the frame to data (plot_unclip ends it). */
void plot_clip_to_frame(figure *f, const plot_axes *a);
void plot_unclip(figure *f);
void plot_stroke_lines(figure *f, colour c, double width);
void plot_disc(figure *f, double x, double y, double radius);
/* How many of the drawn points the box would hide (sampled on long data;
 * on a map also the pieces of a boundary's threshold line): the legend goes
 * where it hides the fewest. */
size_t plot_points_under(const viz_plot *plot, const plot_axes *a, viz_plot_panel which, plot_box b);
/* Series s's line or dots (plot(), scatter's points), in its colour. */
void plot_draw_series(figure *f, const plot_axes *a, const plot_series *s);
/* The contour's level curves, coloured lowest (indigo) to highest (light green). */
void plot_draw_contour_lines(figure *f, const plot_axes *a, const plot_contour *contour);
/* Tracked path `index` of f's plot: its line, start ring and current point. */
void plot_draw_path(figure *f, const plot_axes *a, size_t index);
/* The marks (mark()): a cross each, its label where the paths do not run. */
void plot_draw_marks(figure *f, const plot_axes *a);
/* The radius of the dots a series draws at its points; 0 for none. */
double plot_series_dot_radius(const plot_series *s);

/* ---- plot_legend.c: a panel's legend ----------------------------------------- */

/* The legend's place: the corner, or else the place along the top or
 * bottom edge, that hides the fewest points, or with `inside` (a map, where
 * data may leave a hole: ten classes in a ring) one of nine places within,
 * the middle first, when every edge hides some; *hidden says how many,
 * *row the height of a row of it. */
plot_box plot_legend_place(figure *f, const plot_axes *a, viz_plot_panel which, const legend_entry *entries,
                           int count, bool inside, double *row, size_t *hidden);
/* The legend in the corner of the frame that hides the fewest points. */
void plot_draw_legend(figure *f, const plot_axes *a, viz_plot_panel which, const legend_entry *entries,
                      int count);
/* The legend as one row over the frame's right end, outside the data, for a
 * map whose every place inside would hide points (the moons, the spiral's
 * arms); from no further left than left_limit.  False when the row does not
 * fit there (plot_legend_row_fits). */
bool plot_draw_legend_above(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                            double left_limit);
bool plot_legend_row_fits(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                          double left_limit);
/* The legend's box with its top left corner at (x, y), its entries in
 * `columns` columns a row at a time: outside the frame, right of a map's
 * frame and colour bar (one column) or under it (plot_draw.c,
 * map_legend_place). */
void plot_draw_legend_at(figure *f, const plot_axes *a, const legend_entry *entries, int count, int columns,
                         double x, double y);
/* The most columns (up to count) whose legend is at most room wide, then as
 * few as keep its rows (8 entries: 4 columns of 2 rows, not 5 and 3); the
 * box's *width and *height in them. */
int plot_legend_columns(figure *f, const plot_axes *a, const legend_entry *entries, int count, double room,
                        double *width, double *height);

/* ---- plot_maps.c: the pictures of learning ---------------------------------- */

/* Units to keep free right of the map panel's frame for the field's colour bar
 * (its labels measured: they end PLOT_EDGE_MARGIN inside the panel). */
double plot_maps_colour_bar_room(figure *f);
/* Under everything else in the map panel: the field (a boundary's heat map)
 * and where the model decides (the threshold's curve, the classes' borders). */
void plot_maps_draw_field(figure *f, const plot_axes *a);
/* Over the level curves: the class-coloured points (scatter). */
void plot_maps_draw_points(figure *f, const plot_axes *a);
/* Right of the frame: the field's colour bar. */
void plot_maps_draw_colour_bar(figure *f, const plot_axes *a);
/* The classes' legend entries (at most `room`); their count. */
int plot_maps_legend(const viz_plot *plot, legend_entry *entries, int room);
/* How many of the class points fall in [x0, x1] x [y0, y1] (pixels). */
size_t plot_maps_points_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1,
                           double y1);
/* How many pieces of the boundary's threshold curve (the line where the
 * model decides) pass through [x0, x1] x [y0, y1] (pixels): a legend there
 * hides where the classes meet. */
size_t plot_maps_edge_in(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1, double y1);
/* The panels of their own: a heat map of a matrix, a grid of images, the
 * network's units over the plane. */
void plot_maps_heatmap_panel(figure *f, panel *p);
void plot_maps_images_panel(figure *f, panel *p);
void plot_maps_neurons_panel(figure *f, panel *p);

#endif
