/* plot.h — live plots: named series of scalars (losses) or of whole (x, y)
 * data, level curves of a two-argument function with parameter paths and
 * labelled marks drawn over them, shown in an SDL2 window that stays current
 * while a loop runs, and saved as PNG, SVG or PDF.
 *
 * The module knows nothing about the REPL language.  The caller records data
 * (viz_plot_append, viz_plot_track, viz_plot_contour), calls viz_plot_pump()
 * often (between statements and while the user types) so the window handles
 * its events and redraws, and saves with viz_plot_savefig().  Headless, or
 * with no display, nothing is shown but everything is recorded and savefig
 * works: the window and savefig run the same Cairo drawing code (text by
 * Pango in DejaVu Sans), into an image surface the window shows, or into a
 * PNG, SVG or PDF file, so the three look like the window.  SDL video
 * starts with the first window, never without a DISPLAY or WAYLAND_DISPLAY,
 * and is shut down by free.
 *
 * Functions returning int give 0 on success and -1 on failure, with a message
 * for the user in the caller's err buffer (viz_error.h, as in graph.h), e.g.
 *   "cannot write '/nope/loss.png': No such file or directory"
 * A failed call changes nothing that was recorded. */
#ifndef VIZ_PLOT_H
#define VIZ_PLOT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "viz_error.h"

typedef struct viz_plot viz_plot;

/* A new empty figure, or NULL when out of memory.  headless=true (or the
 * environment variable AGREPL_HEADLESS set to anything but "" or "0") never
 * opens a window.  Nothing touches SDL until the first window or drawing. */
viz_plot *viz_plot_new(bool headless);

/* Closes the window, frees everything, and shuts down the SDL video subsystem
 * if this plot started it (other SDL users keep theirs).  NULL is ignored. */
void viz_plot_free(viz_plot *plot);

/* Appends value to the series named `series`, created on first use with the
 * next colour of the palette; x is the index of the value within its series.
 * NaN and ±Inf are kept (they break the line).  Opens or reopens the window
 * when one may be shown.  -1 on an empty name or out of memory. */
int viz_plot_append(viz_plot *plot, const char *series, double value, char err[VIZ_ERRLEN]);

/* Sets the series named `series` to the count points (xs[i], ys[i]) at
 * once, replacing its points if it exists (its colour stays), else making it
 * with the next colour.  points=true draws a marker per point and no line
 * (data), false a line (a fit).  -1 on an empty name or out of memory. */
int viz_plot_series(viz_plot *plot, const char *series, const double *xs, const double *ys,
                    size_t count, bool points, char err[VIZ_ERRLEN]);

/* The figure's title, drawn above the panels; NULL or "" removes it.  -1
 * when out of memory. */
int viz_plot_set_title(viz_plot *plot, const char *title, char err[VIZ_ERRLEN]);

/* Marks the point (x, y) of the contour panel with a cross and a label
 * (a minimum, say).  -1 when x or y is not finite or out of memory. */
int viz_plot_mark(viz_plot *plot, double x, double y, const char *label, char err[VIZ_ERRLEN]);

/* Scales text and line widths by zoom (0.25 .. 8) in the window (sized
 * zoom times larger) and in every figure saved after it (the same size at
 * any zoom, so the text is bigger on the same page or slide). */
void viz_plot_set_zoom(viz_plot *plot, double zoom);

/* Log scale for the y axis of the series panel (values <= 0 are then not
 * drawn).  viz_plot_clear() turns it off again. */
void viz_plot_set_log(viz_plot *plot, bool log_scale);

/* Samples f on a VIZ_PLOT_CONTOUR_GRID x VIZ_PLOT_CONTOUR_GRID grid over
 * [xlo, xhi] x [ylo, yhi] once, replacing any previous contour, and traces its
 * level curves: logarithmic levels (from the minimum) when the values span
 * more than about two decades, as Rosenbrock's 0 .. 2500 does, linear
 * otherwise.  f may return NaN or ±Inf where it is undefined (skipped).
 * -1 when a range is empty or not finite, when f is nowhere finite, or out
 * of memory. */
#define VIZ_PLOT_CONTOUR_GRID 200
int viz_plot_contour(viz_plot *plot, double (*f)(void *user, double x, double y), void *user,
                     double xlo, double xhi, double ylo, double yhi, char err[VIZ_ERRLEN]);

/* How viz_plot_contour_levels picks its levels.  values (count of them,
 * increasing or not: they are sorted) gives them outright; otherwise about
 * `count` levels (0: the automatic number) spaced by `spacing`. */
typedef enum { VIZ_PLOT_SPACING_AUTO, VIZ_PLOT_SPACING_LINEAR, VIZ_PLOT_SPACING_LOG } viz_plot_spacing;
typedef struct viz_plot_levels {
    const double *values; /* NULL: chosen from count and spacing */
    int count;            /* of values, or wanted; at most VIZ_PLOT_MAX_LEVELS */
    viz_plot_spacing spacing;
} viz_plot_levels;
#define VIZ_PLOT_MAX_LEVELS 40

/* viz_plot_contour with the choice of levels (NULL: automatic).  -1 also
 * when count is out of range. */
int viz_plot_contour_levels(viz_plot *plot, double (*f)(void *user, double x, double y), void *user,
                            double xlo, double xhi, double ylo, double yhi,
                            const viz_plot_levels *levels, char err[VIZ_ERRLEN]);

/* Appends (x, y) to the path named `path`, drawn over the contour with its
 * own colour, a legend entry, a ring at its start and a dot at its current
 * point.  Non-finite points are kept but not drawn.  -1 on an empty name or
 * out of memory. */
int viz_plot_track(viz_plot *plot, const char *path, double x, double y, char err[VIZ_ERRLEN]);

/* Writes the current figure to filename as PNG, SVG or PDF by its extension
 * (.png, .svg, .pdf, any case; no extension means PNG; others are refused).
 * The size is the window's when one is open, else 900x600 for one panel and
 * 1400x600 for two, at any zoom (pixels for PNG, points for SVG and PDF,
 * so a PDF rasterized at 72 dpi has the PNG's size).  The SVG carries the
 * title and the series' names in <title>/<desc>, the PDF in its metadata
 * and as text.  Works headless and on an empty figure (empty axes).  -1
 * with the reason on failure; -2 when the interrupt flag stopped it (the
 * file is then not touched). */
/* The bytes viz_plot_savefig would write to `filename` (PNG, SVG or PDF by
 * its extension), malloc'd, with their number in *size, for a caller that
 * writes files itself; NULL with err and *status -1, or -2 when a Ctrl-C
 * stopped the drawing (*status 0 on success). */
unsigned char *viz_plot_file_bytes(viz_plot *plot, const char *filename, size_t *size, char err[VIZ_ERRLEN],
                                   int *status);
int viz_plot_savefig(viz_plot *plot, const char *filename, char err[VIZ_ERRLEN]);
/* The figure as a notebook page shows it, a PNG in memory: what savefig
 * writes (its size at any zoom, the text zoom times bigger); malloc'd bytes and their
 * count in *size, or NULL with a message in err (the Jupyter kernel). */
unsigned char *viz_plot_png(viz_plot *plot, size_t *size, char err[VIZ_ERRLEN]);
/* While *flag is nonzero (Ctrl-C), drawing the figure stops part-way: a
 * savefig in progress writes nothing and fails, a window frame is left
 * unfinished.  NULL: never interrupted (the default). */
void viz_plot_set_interrupt(viz_plot *plot, const volatile sig_atomic_t *flag);

/* Forgets every series, path, mark, the contour, the title and the log
 * scale (not the zoom); the window,
 * if open, shows empty axes. */
void viz_plot_clear(viz_plot *plot);

/* Keeps the window alive: handles its events (resize, expose; closing it
 * destroys the window without ending anything, and the next append, track or
 * contour opens it again) and redraws at most ~30 times a second when
 * something changed.  Returns at once when no window is open or when called
 * again within a few milliseconds.  Only events of this plot's window are
 * taken from SDL's queue; other windows' events are left for their owners. */
void viz_plot_pump(viz_plot *plot);

/* True while the window is shown. */
bool viz_plot_window_open(const viz_plot *plot);

/* ---- pictures of learning ----------------------------------------------------
 * Class points, a model's output over the plane, heat maps, image grids and
 * the network's units.  The points and the field share the map panel with
 * the contour and paths; the others get panels of their own, right of it.
 * Each call replaces what the last call of its kind recorded. */

/* Colours per class (Okabe and Ito's palette, then two of Paul Tol's:
 * distinct on a projector and for the common colour-vision deficiencies),
 * in this order: ten classes, ten colours. */
#define VIZ_PLOT_CLASS_COLOURS 10
#define VIZ_PLOT_MAX_CLASSES 64

/* The count points (xs[i], ys[i]) coloured by classes[i] (0 to
 * VIZ_PLOT_MAX_CLASSES - 1), with a legend entry per class present: names[k]
 * when k < name_count, else "class k".  classes NULL: points without a class,
 * all in one dark grey and no legend entry (names ignored).  -1 on a class
 * out of range or out of memory. */
int viz_plot_scatter(viz_plot *plot, const double *xs, const double *ys, const int *classes, size_t count,
                     const char *const *names, int name_count, char err[VIZ_ERRLEN]);

/* A model's output sampled at the centres of a columns x rows grid over
 * [xlo, xhi] x [ylo, yhi] (row 0 at ylo): channels numbers per point,
 * values[(row * columns + column) * channels + channel].  One channel is a
 * score or probability, drawn on a diverging scale centred on threshold with
 * that level's curve; several are class scores (softmax'd), each class in its
 * colour, paler where the model is less sure, with the borders between the
 * regions where each class scores highest drawn as that curve is.  -1 on a bad size or range,
 * non-finite values everywhere, or out of memory. */
int viz_plot_field(viz_plot *plot, const double *values, int columns, int rows, int channels, double xlo,
                   double xhi, double ylo, double yhi, double threshold, char err[VIZ_ERRLEN]);

/* A rows x columns matrix as a heat map with a colour bar (the numbers in
 * the cells when every one fits, else none), titled by name.  -1 on a bad size or out of
 * memory. */
int viz_plot_heatmap(viz_plot *plot, const double *values, int rows, int columns, const char *name,
                     char err[VIZ_ERRLEN]);

/* count images of height x width (values[image][row][column]), each in
 * grey from its own smallest (black) to largest (white), in a grid.  -1 on
 * a bad size or out of memory. */
int viz_plot_images(viz_plot *plot, const double *values, int count, int height, int width,
                    char err[VIZ_ERRLEN]);

/* A network of layers (units[l] units each; layer 0 the two inputs, the last
 * the output) as columns of small heat maps, one per unit, of its value over
 * the grid x grid centres of [xlo, xhi] x [ylo, yhi]: maps holds every
 * unit's map in order (unit by unit, layer by layer), centres[l] the value
 * each layer's colours are centred on; weights (NULL: no lines) holds each
 * pair of layers' units[l] x units[l + 1] weights, drawn as lines coloured
 * by sign.  -1 on a bad size or out of memory. */
#define VIZ_PLOT_MAX_LAYERS 12
int viz_plot_neurons(viz_plot *plot, const double *maps, const int *units, int layers, int grid,
                     const double *centres, const double *weights, double xlo, double xhi, double ylo,
                     double yhi, char err[VIZ_ERRLEN]);


/* ---- test hooks: the mapping of the most recently drawn figure ---------- */

typedef enum viz_plot_panel {
    VIZ_PLOT_PANEL_SERIES,  /* the series (loss) panel: x = index, y = value */
    VIZ_PLOT_PANEL_CONTOUR, /* the contour/path panel: x = x0, y = x1 */
    VIZ_PLOT_PANEL_XY,      /* whole series (viz_plot_series): x, y as given */
    VIZ_PLOT_PANEL_NEURONS, /* the network's units (viz_plot_neurons): x, y of the output's map */
    VIZ_PLOT_PANEL_HEATMAP, /* a matrix (viz_plot_heatmap): x = column, y = row, cell centres */
    VIZ_PLOT_PANEL_IMAGES,  /* a grid of images (viz_plot_images): x = column, y = row of images */
    VIZ_PLOT_PANEL_COUNT
} viz_plot_panel;

/* Where data point (x, y) of `panel` was drawn by the last savefig or
 * window redraw (y is the value itself on a log scale, not its logarithm),
 * in continuous device pixel coordinates: pixel (i, j) spans [i, i+1) x [j, j+1).
 * False when nothing was drawn yet, the panel was not shown, or y <= 0 on a
 * log scale. */
bool viz_plot_data_to_pixel(const viz_plot *plot, viz_plot_panel panel, double x, double y,
                            double *pixel_x, double *pixel_y);

/* The axes box of `panel` in the last drawn figure: the frame lines are the
 * pixel columns left and right and the pixel rows top and bottom (rounded
 * down, in device pixels).  False when the panel was not drawn. */
bool viz_plot_panel_box(const viz_plot *plot, viz_plot_panel panel, int *left, int *top, int *right,
                        int *bottom);

/* ---- panels chosen by the statement ----------------------------------------
 * A statement may say which panel it draws in: a name ("before") or a number
 * (1 to VIZ_PLOT_MAX_SHEETS).  Each such panel is one set of axes of one
 * kind (the map takes the contour, boundary, class points, paths and marks
 * together; the others are each a kind of their own), recorded in a figure
 * of its own (a sheet) and drawn right of the figure's own panels: numbered
 * ones in their order, then named ones in the order they were first drawn
 * in, a named one with its name over it.  One window, one savefig file.
 * viz_plot_clear forgets them all. */
#define VIZ_PLOT_MAX_SHEETS 8
#define VIZ_PLOT_MAX_SHEET_NAME 40

/* The figure a statement of `kind` records into for the panel named `name`
 * (number 0) or numbered `number` (name ignored), made on first use; record
 * into it with the calls above as into the figure itself.  NULL with err
 * when the name is empty, too long or holds a control character, the
 * number is out of range, VIZ_PLOT_MAX_SHEETS panels exist already, or the
 * panel already shows another kind, e.g.
 *   panel "before" holds the map (contour, boundary, scatter, track, mark);
 *   series by step (plot(v)) cannot go there (choose another panel=) */
viz_plot *viz_plot_sheet(viz_plot *plot, const char *name, int number, viz_plot_panel kind,
                         char err[VIZ_ERRLEN]);

/* The panel named `name` (number 0) or numbered `number`, or NULL when there
 * is none (for the test hooks: its viz_plot_panel_box). */
viz_plot *viz_plot_find_sheet(const viz_plot *plot, const char *name, int number);

/* ---- axis labels ---------------------------------------------------------- */

/* The axis labels of `panel` ("epoch" and "loss", "t" and "wave"), drawn under
 * its x axis and beside its y axis in place of the defaults ("step" and the
 * series' name for the series panel, "x" for whole series, the tracked
 * path's names for the contour).  NULL leaves a label as it is, "" gives its
 * default back; viz_plot_clear() forgets them.  -1 when panel is not one of
 * viz_plot_panel's or out of memory (nothing changed then). */
int viz_plot_set_labels(viz_plot *plot, viz_plot_panel panel, const char *x_label, const char *y_label,
                        char err[VIZ_ERRLEN]);

#endif
