/* plot_maps_data.h — the pictures of learning as recorded, without Cairo
 * (plot_maps_data.c): what scatter, boundary, heatmap, images and neurons
 * keep (plot.h's viz_plot_scatter and the rest) and everything computed
 * from it: the palette and each grid's colours, the colour bars' bands and
 * end labels, the classes' names, a heat map's scale and cell numbers, the
 * units' scales and the weights' strengths.  The native drawing
 * (plot_maps.c, Cairo) and the web page (repl/web/plot_web.c, which hands
 * them to the page's script) both take them from here, so the two show the
 * same colours.  Grids of colours are 0xffRRGGBB pixels, row 0 at the
 * bottom of the picture (a plane's low y; a matrix's last row). */
#ifndef VIZ_PLOT_MAPS_DATA_H
#define VIZ_PLOT_MAPS_DATA_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plot_internal.h"

typedef struct colour {
    double r, g, b;
} colour;

#define RGB(r, g, b) {(r) / 255.0, (g) / 255.0, (b) / 255.0}

/* the most a field's colour covers the white: points stay brighter */
#define PLOT_FIELD_STRENGTH 0.72

enum {
    PLOT_BAR_STEPS = 64,       /* bands of a colour bar */
    PLOT_CLASS_BAR_STEPS = 48, /* bands of each class's narrow bar (several classes) */
    PLOT_CLASS_BARS_MOST = 4,  /* past this many classes, one grey bar in place of a bar each */
    PLOT_WEIGHT_LEAST = 2,     /* weights under this percent of their layer's largest are not drawn */
    PLOT_CELL_NUMBERS = 400,   /* a heat map of more cells writes no numbers */
};

/* A line's dash pattern in units. */
typedef struct dash_style {
    double on_off[4];
    int count; /* 0: solid */
} dash_style;

/* The lines' colours and styles, as every drawing of the figure shows them
 * (the terminal's and the web page's).  A series takes the colour and the
 * style of the tracked path of its name (an optimizer's loss beside its
 * track); else the series palette's colour in turn, and the style after
 * those of the lines before it in its panel (the first solid).  A path
 * takes the path palette's colours (warm and dark, to stand out over the
 * blue-green level curves) and the styles in turn.  Where two lines run on
 * top of each other, as Adam's and AdamW's do for their first hundred
 * steps, the one beneath shows through the gaps of the one above. */
colour plot_series_colour(const viz_plot *plot, const plot_series *s);
const dash_style *plot_series_dash(const viz_plot *plot, const plot_series *s);
colour plot_path_colour(const plot_path *path);
const dash_style *plot_path_dash(const plot_path *path);

/* The classes' colours (Okabe & Ito's eight, then two of Paul Tol's): class
 * k is entry k mod VIZ_PLOT_CLASS_COLOURS. */
extern const colour plot_class_palette[VIZ_PLOT_CLASS_COLOURS];
colour plot_class_colour(int k);
/* Each class's marker: the colours come round again after
 * VIZ_PLOT_CLASS_COLOURS classes, each round with a marker of its own, so
 * every class scatter accepts looks unlike every other (class 10 was class
 * 0's orange disc): class k is drawn in colour k mod 10 with marker k / 10.
 * Their outlines (plot_marker_outline) are shared by the terminal's drawing
 * and the web page's. */
typedef enum plot_marker {
    PLOT_MARKER_CIRCLE,
    PLOT_MARKER_TRIANGLE,
    PLOT_MARKER_SQUARE,
    PLOT_MARKER_DIAMOND,
    PLOT_MARKER_TRIANGLE_DOWN,
    PLOT_MARKER_STAR,
    PLOT_MARKER_PLUS,
    PLOT_MARKER_COUNT
} plot_marker;
_Static_assert(PLOT_MARKER_COUNT * VIZ_PLOT_CLASS_COLOURS >= VIZ_PLOT_MAX_CLASSES,
               "every class needs its own colour and marker");
enum { PLOT_MARKER_CORNERS_MOST = 12 };
plot_marker plot_class_marker(int k);
/* The corners of marker m's outline, for a disc of radius 1 about (0, 0),
 * y down, into xy (at most PLOT_MARKER_CORNERS_MOST); their count, 0 for
 * the circle.  Each covers about the disc's area, so no class looks bigger. */
int plot_marker_outline(plot_marker m, double xy[PLOT_MARKER_CORNERS_MOST][2]);
/* Points without a class (scatter(x) with no t): one dark grey. */
extern const colour plot_unlabelled_colour;
/* The colour of points's class k: plot_class_colour, or plot_unlabelled_colour. */
colour plot_points_colour(const plot_points *points, int k);
/* a over white by the share t (0: white, 1: a). */
colour plot_tint(colour a, double t);
/* The diverging scale: -1 the first class's colour, 0 white, 1 the second's. */
colour plot_diverging(double t);
/* c as a 0xffRRGGBB pixel. */
uint32_t plot_pixel_of(colour c);
/* True when text over c reads better white than dark. */
bool plot_colour_is_dark(colour c);
/* The label of v on a colour bar from low to high ("0.5", "−3.2", "1e−5"):
 * three significant digits, or more when the bar's ends and middle would
 * read alike at three (a bar of ±1e-12: "−1e−12", "0", "1e−12"); a real
 * minus sign (U+2212, UTF-8), as the axes' ticks have. */
void plot_bar_label(double v, double low, double high, char *text, size_t size);
/* The colours of a bar's `steps` bands, bottom (low) first: at(user, v) at
 * each band's middle value. */
void plot_bar_colours(colour (*at)(const void *user, double v), const void *user, double low, double high,
                      int steps, colour *bands);

/* ---- the map panel ---------------------------------------------------------- */

/* Several classes: the class whose region holds one grid point (its
 * channels' values), the likeliest; -1 for one channel or no finite value. */
int plot_field_class(const plot_field *field, const double *v);
/* The field's colour at one grid point (its channels' values). */
colour plot_field_colour(const plot_field *field, const double *v);
/* The field's columns x rows colours (row 0 at ylo). */
void plot_field_pixels(const plot_field *field, uint32_t *argb);
/* For plot_bar_colours: the field's colour of the value v (one channel). */
colour plot_field_bar_colour(const void *field, double v);
/* Several classes: how many bars the colour bar has, a narrow one a class,
 * or past PLOT_CLASS_BARS_MOST classes one grey bar (ten stripes of 6 px
 * could not be told apart on a projector; the legend gives each colour). */
int plot_class_bars_shown(const plot_field *field);
/* Class k's bar's PLOT_CLASS_BAR_STEPS bands, from chance (at the bottom)
 * to sure; past PLOT_CLASS_BARS_MOST classes the one bar's, a grey of the
 * strength every class's colour has at that p. */
void plot_class_bar_colours(int k, int channels, colour bands[PLOT_CLASS_BAR_STEPS]);
/* The largest class among the points (-1: none). */
int plot_points_top_class(const plot_points *points);
/* Which classes have points (none for points without a class: no legend). */
void plot_classes_present(const plot_points *points, bool present[VIZ_PLOT_MAX_CLASSES]);
/* Class k's name in the legend: its given name or "class k" (written into numbered). */
const char *plot_class_name(const plot_points *points, int k, char numbered[24]);

/* ---- a heat map --------------------------------------------------------------- */

/* The scale of a heat map: white to blue when every value has one sign
 * (white at 0), else the diverging scale centred on 0 (diverging). */
typedef struct plot_matrix_scale {
    double low, high;
    bool diverging;
} plot_matrix_scale;

plot_matrix_scale plot_matrix_scale_of(const plot_matrix *m);
/* For plot_bar_colours: the colour of v on the scale (a plot_matrix_scale). */
colour plot_matrix_colour(const void *scale, double v);
/* The cells' colours, the matrix's row 0 at the top (so the pixels' last row). */
void plot_matrix_pixels(const plot_matrix *m, const plot_matrix_scale *scale, uint32_t *argb);
/* The number written in a cell: whole numbers as they are, else 2 digits;
 * NaN, +Inf and −Inf as the REPL prints them; a real minus sign (U+2212,
 * plot_real_minus), as the colour bar's labels. */
void plot_matrix_cell_text(double v, char *text, size_t size);
/* The panel's title: "name [rows columns]". */
void plot_matrix_title(const plot_matrix *m, char *title, size_t size);

/* ---- a grid of images ----------------------------------------------------------- */

/* Image i in grey, black at its least value and white at its largest. */
void plot_image_pixels(const plot_image_grid *g, int i, uint32_t *argb);
/* How many images a row of the grid holds (about square overall). */
int plot_images_columns(const plot_image_grid *g);
/* "N images, HxW". */
void plot_images_title(const plot_image_grid *g, char *title, size_t size);

/* ---- the network's units -------------------------------------------------------- */

/* The largest distance from centre among the count values (1 when none). */
double plot_units_half(const double *maps, size_t count, double centre);
/* A unit's grid x grid colours: diverging around the centre, half at full strength. */
void plot_unit_pixels(const double *map, int grid, double centre, double half, uint32_t *argb);
/* A layer's units' maps side by side, a cell a pixel, PLOT_UNIT_SHEET_GAP
 * white pixels between maps, up to PLOT_UNIT_SHEET_COLUMNS a row: malloc'd
 * 0xffRRGGBB pixels, top row first, *width x *height of them, *columns maps a
 * row; NULL when out of memory or there is nothing to draw.  The graph's
 * inspector shows it (a PNG natively, the page's canvas in the web build). */
enum { PLOT_UNIT_SHEET_GAP = 2, PLOT_UNIT_SHEET_COLUMNS = 8 };
uint32_t *plot_unit_sheet(const double *maps, int units, int grid, double centre, int *columns, int *width,
                          int *height);
/* The units of the widest layer. */
int plot_network_widest(const plot_network *net);
/* Where a layer's units sit in the neurons panel: maps of `size` pixels
 * in `columns` columns, filled a row at a time from (x, y), gap_x and
 * gap_y apart (plot_unit_x, plot_unit_y: a unit's left and top). */
typedef struct plot_unit_block {
    double size, x, y, gap_x, gap_y;
    int columns;
} plot_unit_block;
enum {
    PLOT_UNIT_MAP_LARGEST = 90,  /* a map's size at most */
    PLOT_UNIT_MAP_READABLE = 36, /* one size and one column for every layer while it is at least this */
    PLOT_UNIT_MAP_TARGET = 44,   /* else each layer's maps aim at this, in up to PLOT_UNIT_MAP_COLUMNS */
    PLOT_UNIT_MAP_COLUMNS = 4,
};
/* Each layer's block of maps in a panel at x, w wide, its maps between
 * top and bottom: a column of maps a layer, all of one size, while the
 * widest layer's can be PLOT_UNIT_MAP_READABLE pixels or more; else a wide
 * layer's maps in up to four columns (a 30-unit layer drew 14-pixel maps,
 * and the inputs' and outputs' were as small), each layer's as near
 * PLOT_UNIT_MAP_TARGET as it fits.  The web page's script lays them out
 * the same way (repl/web/pictures.js, unitBlocks). */
void plot_unit_blocks(const plot_network *net, double x, double w, double top, double bottom,
                      plot_unit_block *blocks);
static inline double plot_unit_x(const plot_unit_block *b, int u) {
    return floor(b->x + (u % b->columns) * (b->size + b->gap_x));
}
static inline double plot_unit_y(const plot_unit_block *b, int u) {
    return floor(b->y + (u / b->columns) * (b->size + b->gap_y));
}
/* The strength of each weight between layers l and l + 1, (units[l],
 * units[l + 1]), into share: its size against the layer's largest, signed
 * as the weight, 0 when under PLOT_WEIGHT_LEAST percent or not finite.
 * weights points at layer l's first. */
void plot_weight_shares(const plot_network *net, int l, const double *weights, double *share);
/* "input", "layer l", "output". */
void plot_layer_label(const plot_network *net, int l, char *label, size_t size);

#endif
