/* plot_pen.c — what every piece of the figure is drawn with
 * (plot_pen.h): the colour, text measured and drawn by Pango (aligned,
 * upright or upwards, with a halo, cut short with an ellipsis, wrapped into
 * centred rows), a panel's data coordinates to pixels, the frame's clip,
 * lines and discs; and the interrupt's check while drawing. */
#include "plot_pen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True once the plot's interrupt flag (viz_plot_set_interrupt) was set
 * while drawing: the rest of the drawing is skipped. */
bool plot_figure_stopped(figure *f) {
    if (!f->stopped && f->plot->interrupt != NULL && *f->plot->interrupt) f->stopped = true;
    return f->stopped;
}

void plot_set_colour(figure *f, colour c, double alpha) {
    cairo_set_source_rgba(f->cr, c.r, c.g, c.b, alpha);
}


/* Puts text (Pango markup when `markup`) of `size` units in the layout. */
static void set_text(figure *f, const char *text, double size, bool markup) {
    PangoFontDescription *font = pango_font_description_new();
    pango_font_description_set_family(font, PLOT_FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(f->layout, font);
    pango_font_description_free(font);
    if (markup) {
        pango_layout_set_markup(f->layout, text, -1);
    } else {
        pango_layout_set_attributes(f->layout, NULL); /* markup's <sup> would stay */
        pango_layout_set_text(f->layout, text, -1);
    }
}

void plot_text_size(figure *f, const char *text, double size, bool markup, double *w, double *h) {
    set_text(f, text, size, markup);
    PangoRectangle logical;
    pango_layout_get_extents(f->layout, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

const char *plot_ellipsized(figure *f, const char *text, double size, double room,
                            char out[PLOT_ELLIPSIZED_BYTES]) {
    static const char ellipsis[] = "\xe2\x80\xa6";
    double w, h;
    plot_text_size(f, text, size, false, &w, &h);
    if (w <= room) return text;
    /* the longest start of the text (whole characters, at most the buffer)
     * that fits with the ellipsis after it */
    size_t ends[PLOT_ELLIPSIZED_BYTES], starts = 0;
    for (size_t k = 1; text[k - 1] != '\0' && k + sizeof ellipsis <= PLOT_ELLIPSIZED_BYTES; k++)
        if ((text[k] & 0xc0) != 0x80) ends[starts++] = k;
    size_t lo = 0, hi = starts; /* ends[0 .. lo) fit; ends[hi ..) do not */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        snprintf(out, PLOT_ELLIPSIZED_BYTES, "%.*s%s", (int)ends[mid], text, ellipsis);
        plot_text_size(f, out, size, false, &w, &h);
        if (w <= room) lo = mid + 1;
        else hi = mid;
    }
    size_t keep = lo > 0 ? ends[lo - 1] : 0;
    while (keep > 0 && text[keep - 1] == ' ') keep--;
    snprintf(out, PLOT_ELLIPSIZED_BYTES, "%.*s%s", (int)keep, text, ellipsis);
    return out;
}

/* Draws text with its box aligned at (x, y); upwards turns it a quarter left
 * (reading bottom to top); halo > 0 outlines it in white first, to read over
 * level curves. */
void plot_draw_text_styled(figure *f, const char *text, double size, bool markup, double x,
                             double y, align horizontal, align vertical, bool upwards, colour c,
                             double halo) {
    if (text == NULL || text[0] == '\0') return;
    double w, h;
    plot_text_size(f, text, size, markup, &w, &h);
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (upwards) cairo_rotate(cr, -G_PI / 2);
    double dx = horizontal == ALIGN_START ? 0 : horizontal == ALIGN_CENTRE ? -w / 2 : -w;
    double dy = vertical == ALIGN_START ? 0 : vertical == ALIGN_CENTRE ? -h / 2 : -h;
    cairo_move_to(cr, dx, dy);
    pango_cairo_update_layout(cr, f->layout);
    if (halo > 0) {
        pango_cairo_layout_path(cr, f->layout);
        plot_set_colour(f, background, 0.9);
        cairo_set_line_width(cr, halo);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, dx, dy);
    }
    plot_set_colour(f, c, 1);
    pango_cairo_show_layout(cr, f->layout);
    cairo_restore(cr);
    pango_cairo_update_layout(cr, f->layout);
}

double plot_draw_wrapped(figure *f, const char *text, double size, double centre, double y, double room) {
    double w, h;
    plot_text_size(f, text, size, false, &w, &h);
    if (w <= room || room < size) {
        plot_draw_text(f, text, size, centre, y, ALIGN_CENTRE, ALIGN_START, false, text_colour);
        return h;
    }
    /* wider than its room (a narrow window, a big :zoom, a long name):
     * wrapped into centred lines, never cut at the window's edges */
    pango_layout_set_width(f->layout, (int)(room * PANGO_SCALE));
    pango_layout_set_wrap(f->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(f->layout, PANGO_ALIGN_CENTER);
    PangoRectangle logical;
    pango_layout_get_extents(f->layout, NULL, &logical);
    h = (double)logical.height / PANGO_SCALE;
    cairo_move_to(f->cr, centre - room / 2, y);
    pango_cairo_update_layout(f->cr, f->layout);
    plot_set_colour(f, text_colour, 1);
    pango_cairo_show_layout(f->cr, f->layout);
    pango_layout_set_width(f->layout, -1);
    pango_layout_set_alignment(f->layout, PANGO_ALIGN_LEFT);
    return h;
}

void plot_draw_text(figure *f, const char *text, double size, double x, double y,
                      align horizontal, align vertical, bool upwards, colour c) {
    plot_draw_text_styled(f, text, size, false, x, y, horizontal, vertical, upwards, c, 0);
}

double plot_to_pixel_x(const plot_axes *a, double x) {
    return a->left + (x - a->x_min) / (a->x_max - a->x_min) * (a->right - a->left);
}

double plot_to_pixel_y(const plot_axes *a, double y) {
    return a->bottom - (y - a->y_min) / (a->y_max - a->y_min) * (a->bottom - a->top);
}

/* Shows only the inside of the frame to data. */
void plot_clip_to_frame(figure *f, const plot_axes *a) {
    cairo_save(f->cr);
    cairo_rectangle(f->cr, a->left + 1, a->top + 1, a->right - a->left - 1, a->bottom - a->top - 1);
    cairo_clip(f->cr);
}

void plot_unclip(figure *f) {
    cairo_restore(f->cr);
}

void plot_stroke_lines(figure *f, colour c, double width) {
    cairo_set_line_width(f->cr, width);
    cairo_set_line_cap(f->cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(f->cr, CAIRO_LINE_JOIN_ROUND);
    plot_set_colour(f, c, 1);
    cairo_stroke(f->cr);
}

void plot_disc(figure *f, double x, double y, double radius) {
    cairo_new_sub_path(f->cr);
    cairo_arc(f->cr, x, y, radius, 0, 2 * G_PI);
}

void plot_marker_path(figure *f, plot_marker m, double x, double y, double radius) {
    double xy[PLOT_MARKER_CORNERS_MOST][2];
    int n = plot_marker_outline(m, xy);
    if (n == 0) {
        plot_disc(f, x, y, radius);
        return;
    }
    cairo_new_sub_path(f->cr);
    for (int i = 0; i < n; i++) cairo_line_to(f->cr, x + radius * xy[i][0], y + radius * xy[i][1]);
    cairo_close_path(f->cr);
}
