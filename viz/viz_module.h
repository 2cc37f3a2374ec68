/* viz_module.h — the viz layer as agrepl loads it: one table of the entry
 * points the REPL calls.
 *
 * Graphviz, SDL2, Cairo and Pango pull in some 80 shared libraries, and
 * mapping and relocating them was most of agrepl's start-up
 * (bench/README.md).  So agrepl does not link viz/: it is built into its own
 * module, agrepl-viz.so, which the REPL dlopen()s the first time a graph or
 * plot built-in runs (repl/viz_load.c); a script that never draws never
 * loads it.  The module exports one symbol, VIZ_MODULE_SYMBOL, this table.
 * Programs that link viz/ as an archive (the unit tests) get the same table
 * linked in, and the REPL then uses it without loading anything. */
#ifndef VIZ_MODULE_H
#define VIZ_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "graph_window.h"
#include "plot.h"

#define VIZ_MODULE_SYMBOL "agrepl_viz_module"
/* Bumped whenever the table changes: a module of another version is refused.
 * New entries go at the end of the table, and into tests/unit/test_viz_module.c's
 * list with the new version (the test fails otherwise). */
#define VIZ_MODULE_VERSION 12

typedef struct viz_module {
    int version; /* VIZ_MODULE_VERSION */
    /* graph.h */
    void (*graph_opts_default)(viz_graph_opts *o);
    char *(*graph_dot)(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
    int (*graph_render)(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes, int *edges,
                        char err[VIZ_ERRLEN]);
    uint32_t *(*graph_pixels)(ag_var *y, const viz_graph_opts *o, int *width, int *height,
                              char err[VIZ_ERRLEN]);
    char *(*graph_tree)(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
    int (*walk_build)(viz_walk *w, ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
    void (*walk_free)(viz_walk *w);
    /* graph_window.h */
    void (*window_hints)(void);
    const char *(*window_last_error)(void);
    viz_graph_window *(*graph_window_new)(bool headless);
    void (*graph_window_free)(viz_graph_window *window);
    int (*graph_window_show)(viz_graph_window *window, const uint32_t *pixels, int width, int height,
                             const char *title, char err[VIZ_ERRLEN]);
    int (*graph_window_show_graph)(viz_graph_window *window, ag_var *y, const viz_graph_opts *o,
                                   const char *title, char err[VIZ_ERRLEN]);
    bool (*graph_window_take_rerender)(viz_graph_window *window);
    const unsigned char *(*graph_window_unfolded)(const viz_graph_window *window, int *count);
    void (*graph_window_pump)(viz_graph_window *window);
    bool (*graph_window_open)(const viz_graph_window *window);
    bool (*graph_window_sizes)(const viz_graph_window *window, int *picture_width, int *picture_height,
                               int *window_width, int *window_height);
    /* plot.h */
    viz_plot *(*plot_new)(bool headless);
    void (*plot_free)(viz_plot *plot);
    int (*plot_append)(viz_plot *plot, const char *series, double value, char err[VIZ_ERRLEN]);
    int (*plot_series)(viz_plot *plot, const char *series, const double *xs, const double *ys, size_t count,
                       bool points, char err[VIZ_ERRLEN]);
    int (*plot_set_title)(viz_plot *plot, const char *title, char err[VIZ_ERRLEN]);
    int (*plot_mark)(viz_plot *plot, double x, double y, const char *label, char err[VIZ_ERRLEN]);
    void (*plot_set_zoom)(viz_plot *plot, double zoom);
    void (*plot_set_log)(viz_plot *plot, bool log_scale);
    int (*plot_contour_levels)(viz_plot *plot, double (*f)(void *user, double x, double y), void *user,
                               double xlo, double xhi, double ylo, double yhi, const viz_plot_levels *levels,
                               char err[VIZ_ERRLEN]);
    int (*plot_track)(viz_plot *plot, const char *path, double x, double y, char err[VIZ_ERRLEN]);
    int (*plot_savefig)(viz_plot *plot, const char *filename, char err[VIZ_ERRLEN]);
    void (*plot_clear)(viz_plot *plot);
    void (*plot_pump)(viz_plot *plot);
    bool (*plot_window_open)(const viz_plot *plot);
    /* version 2: pictures in memory for the Jupyter kernel */
    char *(*graph_svg)(ag_var *y, const viz_graph_opts *o, size_t *size, char err[VIZ_ERRLEN]);
    unsigned char *(*graph_png)(ag_var *y, const viz_graph_opts *o, size_t *size, char err[VIZ_ERRLEN]);
    unsigned char *(*plot_png)(viz_plot *plot, size_t *size, char err[VIZ_ERRLEN]);
    /* version 3: Ctrl-C stops drawing a figure */
    void (*plot_set_interrupt)(viz_plot *plot, const volatile sig_atomic_t *flag);
    /* version 4: whether a followed graph's picture changed, without its DOT text */
    int (*graph_digest)(ag_var *y, const viz_graph_opts *o, uint64_t *digest, char err[VIZ_ERRLEN]);
    /* version 5: the inspector's text of every node, for the kernel's inline graphs */
    char *(*graph_inspector_html)(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
    /* version 6: the scale a graph window opened at and the part it shows */
    bool (*graph_window_view)(const viz_graph_window *window, double *scale, double *fit_scale, double visible[4]);
    /* version 7: pictures of learning */
    int (*plot_scatter)(viz_plot *plot, const double *xs, const double *ys, const int *classes, size_t count,
                        const char *const *names, int name_count, char err[VIZ_ERRLEN]);
    int (*plot_field)(viz_plot *plot, const double *values, int columns, int rows, int channels, double xlo,
                      double xhi, double ylo, double yhi, double threshold, char err[VIZ_ERRLEN]);
    int (*plot_heatmap)(viz_plot *plot, const double *values, int rows, int columns, const char *name,
                        char err[VIZ_ERRLEN]);
    int (*plot_images)(viz_plot *plot, const double *values, int count, int height, int width,
                       char err[VIZ_ERRLEN]);
    int (*plot_neurons)(viz_plot *plot, const double *maps, const int *units, int layers, int grid,
                        const double *centres, const double *weights, double xlo, double xhi, double ylo,
                        double yhi, char err[VIZ_ERRLEN]);
    /* version 8: the bytes of render() and savefig() files, which the REPL
       writes itself (confined to --files-in, whole or not at all) */
    unsigned char *(*graph_file_bytes)(ag_var *y, const viz_graph_opts *o, const char *filename, size_t *size,
                                       int *nodes, int *edges, char err[VIZ_ERRLEN]);
    unsigned char *(*plot_file_bytes)(viz_plot *plot, const char *filename, size_t *size, char err[VIZ_ERRLEN],
                                      int *status);
    /* version 9: axis labels (plot(..., xlabel=, ylabel=)) */
    int (*plot_set_labels)(viz_plot *plot, viz_plot_panel panel, const char *x_label, const char *y_label,
                           char err[VIZ_ERRLEN]);
    /* version 10: the digest of the graph a window shows, hashed while drawing it */
    bool (*graph_window_digest)(const viz_graph_window *window, uint64_t *digest);
    /* version 11: the panel a statement draws in (panel=) */
    viz_plot *(*plot_sheet)(viz_plot *plot, const char *name, int number, viz_plot_panel kind,
                            char err[VIZ_ERRLEN]);
    /* version 12: a render() file the front end makes itself (the web page's
       .png, drawn in the browser from the graph's SVG), NULL where
       graph_file_bytes makes them all: 1 when it took filename (nodes and
       edges counted, a note in err or ""), 0 when the REPL writes
       graph_file_bytes' as for any other, -1 with err */
    int (*graph_file_page)(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes, int *edges,
                           char err[VIZ_ERRLEN]);
} viz_module;

/* The table (viz/viz_module.c); visible from the module whatever the build's
 * visibility settings. */
extern const viz_module agrepl_viz_module;

#endif
