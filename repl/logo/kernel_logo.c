/* kernel_logo.c — draws the Jupyter kernelspec's logos with Cairo:
 * `kernel_logo SIZE FILE.png` writes a SIZE x SIZE PNG: a small computation
 * graph (two inputs feeding one node) behind a white ∂ on a dark-blue
 * rounded square.  Built and run by the Makefile (build/logo-32x32.png,
 * build/logo-64x64.png), installed with the kernelspec. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cairo.h>

static void rounded_square(cairo_t *cr, double size, double radius) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, size - radius, radius, radius, -M_PI / 2, 0);
    cairo_arc(cr, size - radius, size - radius, radius, 0, M_PI / 2);
    cairo_arc(cr, radius, size - radius, radius, M_PI / 2, M_PI);
    cairo_arc(cr, radius, radius, radius, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) < 16 || atoi(argv[1]) > 1024) {
        fprintf(stderr, "usage: kernel_logo SIZE FILE.png (SIZE 16..1024)\n");
        return 2;
    }
    int size = atoi(argv[1]);
    double s = size;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size, size);
    cairo_t *cr = cairo_create(surface);
    rounded_square(cr, s, s * 0.18);
    cairo_set_source_rgb(cr, 0.09, 0.20, 0.42);
    cairo_fill(cr);
    /* the graph: two inputs below, one node above, in light blue */
    double nodes[3][2] = {{0.25, 0.78}, {0.75, 0.78}, {0.5, 0.24}};
    cairo_set_source_rgb(cr, 0.45, 0.70, 0.95);
    cairo_set_line_width(cr, s * 0.045);
    for (int i = 0; i < 2; i++) {
        cairo_move_to(cr, nodes[i][0] * s, nodes[i][1] * s);
        cairo_line_to(cr, nodes[2][0] * s, nodes[2][1] * s);
    }
    cairo_stroke(cr);
    for (int i = 0; i < 3; i++) {
        cairo_arc(cr, nodes[i][0] * s, nodes[i][1] * s, s * 0.09, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    /* the partial-derivative sign, centred */
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, s * 0.62);
    cairo_text_extents_t e;
    const char *glyph = "\xe2\x88\x82"; /* U+2202 */
    cairo_text_extents(cr, glyph, &e);
    cairo_move_to(cr, (s - e.width) / 2 - e.x_bearing, (s - e.height) / 2 - e.y_bearing);
    cairo_text_path(cr, glyph);
    cairo_set_source_rgb(cr, 0.09, 0.20, 0.42);
    cairo_set_line_width(cr, s * 0.06);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_status_t status = cairo_surface_write_to_png(surface, argv[2]);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "kernel_logo: cannot write %s: %s\n", argv[2], cairo_status_to_string(status));
        return 1;
    }
    return 0;
}
