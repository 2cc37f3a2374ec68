/* viz_module.c — the table agrepl-viz.so exports (viz_module.h). */
#include "viz_module.h"

/* Graphviz writes every format itself: render leaves no file to a front end. */
static int no_page_files(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes, int *edges,
                         char err[VIZ_ERRLEN]) {
    (void)y, (void)o, (void)filename, (void)nodes, (void)edges;
    err[0] = '\0';
    return 0;
}

__attribute__((visibility("default"))) const viz_module agrepl_viz_module = {
    .version = VIZ_MODULE_VERSION,
    .graph_opts_default = viz_graph_opts_default,
    .graph_dot = viz_graph_dot,
    .graph_render = viz_graph_render,
    .graph_pixels = viz_graph_pixels,
    .graph_tree = viz_graph_tree,
    .walk_build = viz_walk_build,
    .walk_free = viz_walk_free,
    .window_hints = viz_window_hints,
    .window_last_error = viz_window_last_error,
    .graph_window_new = viz_graph_window_new,
    .graph_window_free = viz_graph_window_free,
    .graph_window_show = viz_graph_window_show,
    .graph_window_show_graph = viz_graph_window_show_graph,
    .graph_window_take_rerender = viz_graph_window_take_rerender,
    .graph_window_unfolded = viz_graph_window_unfolded,
    .graph_window_pump = viz_graph_window_pump,
    .graph_window_open = viz_graph_window_open,
    .graph_window_sizes = viz_graph_window_sizes,
    .plot_new = viz_plot_new,
    .plot_free = viz_plot_free,
    .plot_append = viz_plot_append,
    .plot_series = viz_plot_series,
    .plot_set_title = viz_plot_set_title,
    .plot_mark = viz_plot_mark,
    .plot_set_zoom = viz_plot_set_zoom,
    .plot_set_log = viz_plot_set_log,
    .plot_contour_levels = viz_plot_contour_levels,
    .plot_track = viz_plot_track,
    .plot_savefig = viz_plot_savefig,
    .plot_clear = viz_plot_clear,
    .plot_pump = viz_plot_pump,
    .plot_window_open = viz_plot_window_open,
    .graph_svg = viz_graph_svg,
    .graph_png = viz_graph_png,
    .plot_png = viz_plot_png,
    .plot_set_interrupt = viz_plot_set_interrupt,
    .graph_digest = viz_graph_digest,
    .graph_inspector_html = viz_graph_inspector_html,
    .graph_window_view = viz_graph_window_view,
    .plot_scatter = viz_plot_scatter,
    .plot_field = viz_plot_field,
    .plot_heatmap = viz_plot_heatmap,
    .plot_images = viz_plot_images,
    .plot_neurons = viz_plot_neurons,
    .graph_file_bytes = viz_graph_file_bytes,
    .plot_file_bytes = viz_plot_file_bytes,
    .plot_set_labels = viz_plot_set_labels,
    .graph_window_digest = viz_graph_window_digest,
    .plot_sheet = viz_plot_sheet,
    .graph_file_page = no_page_files,
};
