/* plot_draw.c — composing the figure with Cairo, text by Pango: up to three
 * panels side by side (losses by step left, whole (x, y) series in the
 * middle, the contour with its paths and marks right), each with its range,
 * frame, grid, ticks, labels, data and legend (plot_legend.c places and
 * draws it), and the title above them.
 * The window and every saved file call plot_draw_figure, so they look alike.
 *
 * Sizes below are in figure units: one unit is one device pixel at zoom 1;
 * the whole figure is scaled by the zoom, text and lines included. */
#include "plot_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- look ------------------------------------------------------------------ */

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

static const colour grid_colour = RGB(232, 232, 232);
static const colour caption_colour = RGB(95, 95, 95);

/* Level curves, lowest level first: indigo through teal to a light green, so
 * the curves near the minimum, where the paths go, are the strongest. */
static const colour level_scale[] = {RGB(59, 79, 154), RGB(58, 156, 168), RGB(166, 217, 106)};

static colour level_colour(int level, int level_count) {
    double t = level_count <= 1 ? 0 : (double)level / (level_count - 1);
    double scaled = t * 2;
    int low = scaled >= 1 ? 1 : 0;
    double f = scaled - low;
    colour a = level_scale[low], b = level_scale[low + 1];
    return (colour){a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

/* ---- drawing context --------------------------------------------------------- */

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

/* A tick label as markup: "2e4" as 2×10⁴, "1e-3" as 10 with a superscript
 * -3 on a log axis (decades) and 1×10⁻³ on a linear one, whose labels all
 * carry their mantissa; each '-' as a real minus sign (plot_real_minus). */
static void tick_markup(const char *label, bool decades, char *out, size_t size) {
    const char *e = strchr(label, 'e');
    if (e == NULL) {
        snprintf(out, size, "%s", label);
    } else {
        int length = (int)(e - label);
        const char *exponent = e + 1 + (e[1] == '+');
        bool negative = label[0] == '-';
        if (decades && length == 1 + negative && label[negative] == '1')
            snprintf(out, size, "%s10<sup>%s</sup>", negative ? "-" : "", exponent);
        else
            snprintf(out, size, "%.*s\xc3\x97" "10<sup>%s</sup>", length, label, exponent);
    }
    plot_real_minus(out, size);
}

/* What an axis's end says of its offset and scale (plot_tick_list) as
 * markup: "×10⁻⁶ + 0.99999", "×10⁻⁵ − 1000", "+1000", "+1.2×10⁷"; "" for
 * none. */
static void offset_markup(const plot_tick_list *ticks, char *out, size_t size) {
    char value[96] = "";
    char sign = ticks->offset[0] == '-' ? '-' : '+';
    if (ticks->offset[0] != '\0') tick_markup(ticks->offset + 1, false, value, sizeof value);
    if (ticks->scale != 0 && value[0] != '\0')
        snprintf(out, size, "\xc3\x97" "10<sup>%d</sup> %c %s", ticks->scale, sign, value);
    else if (ticks->scale != 0)
        snprintf(out, size, "\xc3\x97" "10<sup>%d</sup>", ticks->scale);
    else if (value[0] != '\0')
        snprintf(out, size, "%c%s", sign, value);
    else
        out[0] = '\0';
    plot_real_minus(out, size);
}

/* ---- ranges ------------------------------------------------------------------ */

typedef struct range {
    double low, high;
    bool any;
} range;

static void include(range *r, double value) {
    if (!isfinite(value)) return;
    if (!r->any) {
        r->low = r->high = value;
        r->any = true;
    } else {
        if (value < r->low) r->low = value;
        if (value > r->high) r->high = value;
    }
}

/* Widens r by `margin` of its span on each side.  Nothing in it gives
 * [0, 1]; a single value v gives v ± half (half = 10% of |v|, at most
 * `single_half_width`, or that width when v is 0). */
static void pad(range *r, double margin, double single_half_width) {
    if (!r->any) {
        r->low = 0;
        r->high = 1;
        return;
    }
    double span = r->high - r->low;
    if (!(span > fabs(r->high) * 1e-12)) {
        double half = fabs(r->low) * 0.1;
        if (half == 0 || half > single_half_width) half = single_half_width;
        r->low -= half;
        r->high += half;
        return;
    }
    r->low -= span * margin;
    r->high += span * margin;
    if (!isfinite(r->low) || !isfinite(r->high) || !isfinite(r->high - r->low)) {
        r->low = -8e307;
        r->high = 8e307;
    }
}

/* ---- one panel --------------------------------------------------------------- */


double plot_to_pixel_x(const plot_axes *a, double x) {
    return a->left + (x - a->x_min) / (a->x_max - a->x_min) * (a->right - a->left);
}

double plot_to_pixel_y(const plot_axes *a, double y) {
    return a->bottom - (y - a->y_min) / (a->y_max - a->y_min) * (a->bottom - a->top);
}

/* y of a value in units, or false when it cannot be shown on this axis. */
static bool value_pixel(const plot_axes *a, double value, double *pixel) {
    if (!isfinite(value)) return false;
    if (a->log_y) {
        if (!(value > 0)) return false;
        value = log10(value);
    }
    *pixel = plot_to_pixel_y(a, value);
    return true;
}

static double widest_label(figure *f, const plot_tick_list *ticks) {
    double widest = 0;
    for (int i = 0; i < ticks->count; i++) {
        if (!ticks->items[i].major) continue;
        char markup[96];
        double w, h;
        tick_markup(ticks->items[i].label, ticks->decades, markup, sizeof markup);
        plot_text_size(f, markup, TICK_TEXT, true, &w, &h);
        if (w > widest) widest = w;
    }
    return widest;
}

/* Places the frame inside the panel, leaving room for the tick labels (the
 * widest y label measured) and axis labels, and picks the ticks for it.
 * Frame lines sit on whole units, so they are crisp at zoom 1. */
void plot_layout_panel(figure *f, panel *p) {
    double tick_height, label_height, w;
    plot_text_size(f, "0123456789", TICK_TEXT, false, &w, &tick_height);
    plot_text_size(f, "xy", LABEL_TEXT, false, &w, &label_height);
    plot_axes *a = &p->axes;
    double top = floor(p->y + 34);
    double bottom = floor(p->y + p->h - (TICK_LENGTH + 4 + tick_height + 6 + label_height + 10));
    if (bottom - top < 40) bottom = top + 40;
    double y_target = (bottom - top) / 55.0;
    if (a->log_y)
        plot_log_ticks(&p->y_ticks, a->y_min, a->y_max, y_target);
    else
        plot_linear_ticks(&p->y_ticks, a->y_min, a->y_max, y_target, false);
    double widest = widest_label(f, &p->y_ticks);
    double left = floor(p->x + 14 + label_height + 10 + widest + 6 + TICK_LENGTH);
    double right = floor(p->x + p->w - PLOT_FRAME_RIGHT_MARGIN);
    if (right - left < 40) right = left + 40;
    a->left = left;
    a->right = right;
    a->top = top;
    a->bottom = bottom;
    plot_linear_ticks(&p->x_ticks, a->x_min, a->x_max, (right - left) / 100.0, p->integer_x);
}

/* A horizontal or vertical 1-unit line centred on the unit at (x, y). */
static void rule(figure *f, double x0, double y0, double x1, double y1) {
    cairo_move_to(f->cr, x0 + 0.5, y0 + 0.5);
    cairo_line_to(f->cr, x1 + 0.5, y1 + 0.5);
}

void plot_draw_grid(figure *f, const panel *p) {
    const plot_axes *a = &p->axes;
    for (int i = 0; i < p->x_ticks.count; i++) {
        double x = floor(plot_to_pixel_x(a, p->x_ticks.items[i].position));
        if (x > a->left && x < a->right) rule(f, x, a->top + 1, x, a->bottom - 1);
    }
    for (int i = 0; i < p->y_ticks.count; i++) {
        if (!p->y_ticks.items[i].major) continue;
        double y = floor(plot_to_pixel_y(a, p->y_ticks.items[i].position));
        if (y > a->top && y < a->bottom) rule(f, a->left + 1, y, a->right - 1, y);
    }
    plot_set_colour(f, grid_colour, 1);
    cairo_set_line_width(f->cr, 1);
    cairo_set_line_cap(f->cr, CAIRO_LINE_CAP_BUTT);
    cairo_stroke(f->cr);
}

/* An axis's name at `across` from its side of the frame (the y label's
 * left edge, the x label's top), centred on the frame (at `centre`) and
 * moved along to stay within [low, high], the panel's side less
 * PLOT_EDGE_MARGIN at each end; cut short with an ellipsis when longer.  (A
 * y label began at the frame's middle and ran upwards, centred across its
 * left edge: a long one ran off the figure's top, at :zoom 1.5 soonest.) */
static void axis_name(figure *f, const char *text, double centre, double low, double high, double across,
                      bool upwards) {
    if (text == NULL || text[0] == '\0') return;
    char cut[PLOT_ELLIPSIZED_BYTES];
    low += PLOT_EDGE_MARGIN;
    high -= PLOT_EDGE_MARGIN;
    text = plot_ellipsized(f, text, LABEL_TEXT, high - low, cut);
    double w, h;
    plot_text_size(f, text, LABEL_TEXT, false, &w, &h);
    centre = fmax(low + w / 2, fmin(high - w / 2, centre));
    if (upwards)
        plot_draw_text(f, text, LABEL_TEXT, across, centre, ALIGN_CENTRE, ALIGN_START, true, text_colour);
    else
        plot_draw_text(f, text, LABEL_TEXT, centre, across, ALIGN_CENTRE, ALIGN_START, false, text_colour);
}

/* Where the y axis's offset goes: over the frame's left end, after a named
 * panel's name (plot_draw_figure writes it there). */
static double y_offset_left(figure *f, const panel *p) {
    double x = p->axes.left, w, h;
    if (f->sheet_name != NULL) {
        plot_text_size(f, f->sheet_name, LABEL_TEXT, false, &w, &h);
        x += w + 12;
    }
    return x;
}

/* The right end of what is written over the frame's left end: a named
 * panel's name, the y axis's offset; the frame's left when nothing is. */
static double over_frame_left_end(figure *f, const panel *p) {
    char markup[160];
    offset_markup(&p->y_ticks, markup, sizeof markup);
    double x = y_offset_left(f, p), w, h;
    if (markup[0] == '\0') return f->sheet_name != NULL ? x - 12 : p->axes.left;
    plot_text_size(f, markup, TICK_TEXT, true, &w, &h);
    return x + w;
}

void plot_draw_frame_and_labels(figure *f, const panel *p) {
    const plot_axes *a = &p->axes;
    cairo_t *cr = f->cr;
    cairo_rectangle(cr, a->left + 0.5, a->top + 0.5, a->right - a->left, a->bottom - a->top);
    double tick_height, w;
    plot_text_size(f, "0123456789", TICK_TEXT, false, &w, &tick_height);
    for (int i = 0; i < p->x_ticks.count; i++) {
        const plot_tick *t = &p->x_ticks.items[i];
        double x = floor(plot_to_pixel_x(a, t->position));
        if (x < a->left || x > a->right) continue;
        rule(f, x, a->bottom + 1, x, a->bottom + TICK_LENGTH);
    }
    for (int i = 0; i < p->y_ticks.count; i++) {
        const plot_tick *t = &p->y_ticks.items[i];
        double y = floor(plot_to_pixel_y(a, t->position));
        if (y < a->top || y > a->bottom) continue;
        double length = t->major ? TICK_LENGTH : MINOR_TICK_LENGTH;
        rule(f, a->left - length, y, a->left - 1, y);
    }
    plot_set_colour(f, frame_colour, 1);
    cairo_set_line_width(cr, 1);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    cairo_stroke(cr);
    char markup[96];
    for (int i = 0; i < p->x_ticks.count; i++) {
        const plot_tick *t = &p->x_ticks.items[i];
        double x = floor(plot_to_pixel_x(a, t->position));
        if (x < a->left || x > a->right) continue;
        tick_markup(t->label, p->x_ticks.decades, markup, sizeof markup);
        plot_draw_text_styled(f, markup, TICK_TEXT, true, x + 0.5, a->bottom + TICK_LENGTH + 4,
                         ALIGN_CENTRE, ALIGN_START, false, text_colour, 0);
    }
    for (int i = 0; i < p->y_ticks.count; i++) {
        const plot_tick *t = &p->y_ticks.items[i];
        double y = floor(plot_to_pixel_y(a, t->position));
        if (y < a->top || y > a->bottom || !t->major) continue;
        tick_markup(t->label, p->y_ticks.decades, markup, sizeof markup);
        plot_draw_text_styled(f, markup, TICK_TEXT, true, a->left - TICK_LENGTH - 6, y + 0.5,
                         ALIGN_END, ALIGN_CENTRE, false, text_colour, 0);
    }
    /* an offset (and scale) written once, as matplotlib's: the y axis's over
     * the frame's left end, the x axis's under its right end, where the
     * axis's name keeps clear of it */
    double name_row = a->bottom + TICK_LENGTH + 4 + tick_height + 6, name_right = p->x + p->w;
    offset_markup(&p->y_ticks, markup, sizeof markup);
    if (markup[0] != '\0')
        plot_draw_text_styled(f, markup, TICK_TEXT, true, y_offset_left(f, p), a->top - 5, ALIGN_START, ALIGN_END,
                              false, text_colour, 0);
    offset_markup(&p->x_ticks, markup, sizeof markup);
    if (markup[0] != '\0') {
        double h;
        plot_text_size(f, markup, TICK_TEXT, true, &w, &h);
        plot_draw_text_styled(f, markup, TICK_TEXT, true, a->right, name_row, ALIGN_END, ALIGN_START, false,
                              text_colour, 0);
        name_right = fmin(name_right, a->right - w - 12 + PLOT_EDGE_MARGIN);
    }
    axis_name(f, p->x_label, (a->left + a->right) / 2, p->x, name_right, name_row, false);
    axis_name(f, p->y_label, (a->top + a->bottom) / 2, p->y, p->y + p->h, p->x + 12, true);
}

/* Liang-Barsky: clips the segment to the rectangle; false when nothing is
 * left.  Keeps far-away points (1e300) away from Cairo's fixed point. */
static bool clip_segment(double *x0, double *y0, double *x1, double *y1, double left, double top,
                         double right, double bottom) {
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {*x0 - left, right - *x0, *y0 - top, bottom - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return false;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return false;
            if (t < t1) t1 = t;
        }
    }
    double sx = *x0, sy = *y0;
    *x0 = sx + t0 * dx;
    *y0 = sy + t0 * dy;
    *x1 = sx + t1 * dx;
    *y1 = sy + t1 * dy;
    return true;
}

static bool inside(const plot_axes *a, double x, double y) {
    return x > a->left && x < a->right + 1 && y > a->top && y < a->bottom + 1;
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

/* A polyline through mapped points, broken where a point cannot be shown,
 * stroked in its colour, width and dash style every PIECE segments and by
 * polyline_end. */
typedef struct polyline {
    figure *f;
    const plot_axes *axes;
    colour colour;
    double width;
    const dash_style *dash; /* NULL: solid */
    bool have_last;
    double last_x, last_y;
    bool joined;     /* the path's current point is (last_x, last_y) */
    int segments;    /* in the current path, not yet stroked */
    double length;   /* of the segments stroked before them: the dash goes on from here */
    double pending;  /* length of the segments not yet stroked */
} polyline;

/* Strokes the segments gathered so far. */
static void polyline_stroke(polyline *line) {
    figure *f = line->f;
    if (line->segments == 0) {
        cairo_new_path(f->cr);
        return;
    }
    if (line->dash != NULL && line->dash->count > 0)
        cairo_set_dash(f->cr, line->dash->on_off, line->dash->count, line->length);
    plot_stroke_lines(f, line->colour, line->width);
    cairo_set_dash(f->cr, NULL, 0, 0);
    line->length += line->pending;
    line->pending = 0;
    line->segments = 0;
}

static void polyline_end(polyline *line) {
    polyline_stroke(line);
}

static void polyline_point(polyline *line, double x, double y, bool visible) {
    if (!visible || !isfinite(x) || !isfinite(y)) {
        line->have_last = line->joined = false;
        return;
    }
    if (line->segments >= PIECE) {
        /* the next piece starts where this one ends (round caps join them) */
        bool joined = line->joined;
        polyline_stroke(line);
        if (joined) cairo_move_to(line->f->cr, line->last_x, line->last_y);
    }
    const plot_axes *a = line->axes;
    double x0 = line->have_last ? line->last_x : x, y0 = line->have_last ? line->last_y : y;
    double x1 = x, y1 = y;
    bool start_kept = x0 == line->last_x && y0 == line->last_y && line->joined;
    if (clip_segment(&x0, &y0, &x1, &y1, a->left - 8, a->top - 8, a->right + 8, a->bottom + 8)) {
        if (!(start_kept && x0 == line->last_x && y0 == line->last_y))
            cairo_move_to(line->f->cr, x0, y0);
        cairo_line_to(line->f->cr, x1, y1); /* a lone point shows as a round cap */
        line->segments++;
        line->pending += hypot(x1 - x0, y1 - y0);
        line->joined = x1 == x && y1 == y;
    } else {
        line->joined = false;
    }
    line->have_last = true;
    line->last_x = x;
    line->last_y = y;
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

static double series_x(const plot_series *s, size_t i) {
    return s->xs != NULL ? s->xs[i] : (double)i;
}

static void draw_series(figure *f, const plot_axes *a, const plot_series *s) {
    colour c = plot_series_colour(f->plot, s);
    if (s->points) {
        /* the dots filled opaque in pieces into a group, then the group
         * painted translucent: overlapping dots look as in one fill.  In SVG
         * and PDF each piece is filled translucent instead: Cairo 1.16 leaks
         * a block when it destroys a group of those surfaces. */
        bool grouped = cairo_surface_get_type(cairo_get_target(f->cr)) == CAIRO_SURFACE_TYPE_IMAGE;
        if (grouped) cairo_push_group(f->cr);
        plot_set_colour(f, c, grouped ? 1 : 0.75);
        int dots = 0;
        for (size_t i = 0; i < s->count; i++) {
            if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
            double x = plot_to_pixel_x(a, s->xs[i]), y;
            if (isfinite(x) && value_pixel(a, s->values[i], &y) && inside(a, x, y)) {
                plot_disc(f, x, y, DATA_DOT_RADIUS);
                if (++dots == PIECE) {
                    cairo_fill(f->cr);
                    dots = 0;
                }
            }
        }
        cairo_fill(f->cr);
        if (grouped) {
            cairo_pop_group_to_source(f->cr);
            cairo_paint_with_alpha(f->cr, 0.75);
        }
        return;
    }
    polyline line = {.f = f, .axes = a, .colour = c, .width = LINE_WIDTH, .dash = plot_series_dash(f->plot, s)};
    double columns = a->right - a->left;
    if (s->xs != NULL || (double)s->count <= 4 * columns) {
        for (size_t i = 0; i < s->count; i++) {
            if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
            double y = 0;
            bool visible = value_pixel(a, s->values[i], &y);
            polyline_point(&line, plot_to_pixel_x(a, series_x(s, i)), y, visible);
        }
    } else {
        /* More points than pixels: per pixel column the first, lowest,
         * highest and last point, which looks the same and stays fast. */
        size_t i = 0;
        while (i < s->count && !plot_figure_stopped(f)) {
            double column = floor(plot_to_pixel_x(a, (double)i)) + 0.5;
            double first = NAN, last = NAN, lowest = INFINITY, highest = -INFINITY;
            bool broken = false;
            for (; i < s->count && floor(plot_to_pixel_x(a, (double)i)) + 0.5 == column; i++) {
                double y;
                if (!value_pixel(a, s->values[i], &y)) {
                    broken = true;
                    continue;
                }
                if (isnan(first)) first = y;
                last = y;
                if (y < lowest) lowest = y;
                if (y > highest) highest = y;
            }
            if (broken || isnan(first)) polyline_point(&line, 0, 0, false);
            if (isnan(first)) continue;
            polyline_point(&line, column, first, true);
            polyline_point(&line, column, lowest, true);
            polyline_point(&line, column, highest, true);
            polyline_point(&line, column, last, true);
        }
    }
    polyline_end(&line);
    if (s->xs == NULL && s->count <= SMALL_SERIES) {
        for (size_t i = 0; i < s->count; i++) {
            double y;
            if (value_pixel(a, s->values[i], &y)) plot_disc(f, plot_to_pixel_x(a, (double)i), y, SERIES_DOT_RADIUS);
        }
        plot_set_colour(f, c, 1);
        cairo_fill(f->cr);
    }
}

static void draw_contour_lines(figure *f, const plot_axes *a, const plot_contour *contour) {
    /* segments come level by level: one path and one colour per level */
    for (size_t i = 0; i < contour->segment_count; i++) {
        const plot_segment *s = &contour->segments[i];
        cairo_move_to(f->cr, plot_to_pixel_x(a, s->x0), plot_to_pixel_y(a, s->y0));
        cairo_line_to(f->cr, plot_to_pixel_x(a, s->x1), plot_to_pixel_y(a, s->y1));
        if (i + 1 == contour->segment_count || contour->segments[i + 1].level != s->level)
            plot_stroke_lines(f, level_colour(s->level, contour->level_count), CONTOUR_LINE_WIDTH);
    }
}

/* The first and last finite points of a path: false when it has none. */
static bool path_ends(const plot_path *path, size_t *first, size_t *last) {
    size_t i = 0, j = path->count;
    while (i < path->count && !(isfinite(path->xs[i]) && isfinite(path->ys[i]))) i++;
    while (j > i && !(isfinite(path->xs[j - 1]) && isfinite(path->ys[j - 1]))) j--;
    *first = i;
    *last = j;
    return i < j;
}

/* How many paths before `index` start within a marker of where it does:
 * their rings are nested, each in its own colour. */
static int earlier_starts_here(const plot_axes *a, const viz_plot *plot, size_t index) {
    size_t first, last;
    if (!path_ends(&plot->paths[index], &first, &last)) return 0;
    double x = plot_to_pixel_x(a, plot->paths[index].xs[first]);
    double y = plot_to_pixel_y(a, plot->paths[index].ys[first]);
    int count = 0;
    for (size_t k = 0; k < index; k++) {
        size_t kf, kl;
        if (!path_ends(&plot->paths[k], &kf, &kl)) continue;
        double kx = plot_to_pixel_x(a, plot->paths[k].xs[kf]), ky = plot_to_pixel_y(a, plot->paths[k].ys[kf]);
        if (hypot(kx - x, ky - y) < MARKER_RADIUS) count++;
    }
    return count;
}

static void draw_path(figure *f, const plot_axes *a, size_t index) {
    const plot_path *path = &f->plot->paths[index];
    colour c = plot_path_colour(path);
    cairo_t *cr = f->cr;
    polyline line = {.f = f, .axes = a, .colour = c, .width = LINE_WIDTH, .dash = plot_path_dash(path)};
    for (size_t i = 0; i < path->count; i++) {
        if (i % INTERRUPT_STRIDE == 0 && plot_figure_stopped(f)) break;
        polyline_point(&line, plot_to_pixel_x(a, path->xs[i]), plot_to_pixel_y(a, path->ys[i]),
                       isfinite(path->xs[i]) && isfinite(path->ys[i]));
    }
    polyline_end(&line);
    if (path->count <= SMALL_PATH) {
        for (size_t i = 1; i + 1 < path->count; i++) {
            double x = plot_to_pixel_x(a, path->xs[i]), y = plot_to_pixel_y(a, path->ys[i]);
            if (isfinite(x) && isfinite(y) && inside(a, x, y)) plot_disc(f, x, y, PATH_DOT_RADIUS);
        }
        plot_set_colour(f, c, 1);
        cairo_fill(cr);
    }
    size_t first, last;
    if (!path_ends(path, &first, &last)) return;
    /* the start: a ring in the path's colour, nested around earlier ones */
    double sx = plot_to_pixel_x(a, path->xs[first]), sy = plot_to_pixel_y(a, path->ys[first]);
    if (inside(a, sx, sy)) {
        double radius = MARKER_RADIUS + 3.2 * earlier_starts_here(a, f->plot, index);
        cairo_new_sub_path(cr);
        cairo_arc(cr, sx, sy, radius, 0, 2 * G_PI);
        plot_stroke_lines(f, background, 5.2);
        cairo_new_sub_path(cr);
        cairo_arc(cr, sx, sy, radius, 0, 2 * G_PI);
        plot_stroke_lines(f, c, 2.4);
    }
    /* the current point: a disc with a dark rim */
    double cx = plot_to_pixel_x(a, path->xs[last - 1]), cy = plot_to_pixel_y(a, path->ys[last - 1]);
    if (inside(a, cx, cy)) {
        plot_disc(f, cx, cy, MARKER_RADIUS);
        plot_set_colour(f, c, 1);
        cairo_fill_preserve(cr);
        plot_set_colour(f, frame_colour, 1);
        cairo_set_line_width(cr, 1.4);
        cairo_stroke(cr);
    }
}

/* How much of the tracked paths lies in the box [x0, x1] x [y0, y1] (in
 * pixels): points sampled along each drawn segment, 3 px apart. */
static double label_crossings(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1,
                              double y1) {
    double count = 0;
    for (size_t k = 0; k < plot->path_count; k++) {
        const plot_path *p = &plot->paths[k];
        for (size_t i = 0; i + 1 < p->count; i++) {
            double ax = plot_to_pixel_x(a, p->xs[i]), ay = plot_to_pixel_y(a, p->ys[i]);
            double bx = plot_to_pixel_x(a, p->xs[i + 1]), by = plot_to_pixel_y(a, p->ys[i + 1]);
            if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by)) continue;
            if (fmax(ax, bx) < x0 || fmin(ax, bx) > x1 || fmax(ay, by) < y0 || fmin(ay, by) > y1) continue;
            double length = hypot(bx - ax, by - ay);
            int samples = length < 3 ? 1 : length > 3000 ? 1000 : (int)(length / 3);
            for (int j = 0; j <= samples; j++) {
                double t = (double)j / samples, px = ax + t * (bx - ax), py = ay + t * (by - ay);
                count += px >= x0 && px <= x1 && py >= y0 && py <= y1;
            }
        }
    }
    return count;
}

/* How many of the paths' markers (a start's ring, where a path is now)
 * touch the box [x0, x1] x [y0, y1]. */
static int label_markers(const viz_plot *plot, const plot_axes *a, double x0, double y0, double x1, double y1) {
    int count = 0;
    for (size_t k = 0; k < plot->path_count; k++) {
        size_t first, last;
        if (!path_ends(&plot->paths[k], &first, &last)) continue;
        size_t ends[2] = {first, last - 1};
        for (int e = 0; e < 2; e++) {
            double px = plot_to_pixel_x(a, plot->paths[k].xs[ends[e]]);
            double py = plot_to_pixel_y(a, plot->paths[k].ys[ends[e]]);
            double dx = px - fmax(x0, fmin(px, x1)), dy = py - fmax(y0, fmin(py, y1));
            count += hypot(dx, dy) < MARKER_RADIUS + 2;
        }
    }
    return count;
}

/* A cross at each mark with its label beside it, outlined to read over
 * the level curves, where the paths cover it least: of above right, below
 * right, above left, below left, above and below the cross (each slid
 * along its row into the frame), the first with the fewest points of the
 * drawn paths in it, a path's marker counting as 50 (the page's marks()
 * in repl/web/figure_svg.js, the same rule). */
static void draw_marks(figure *f, const plot_axes *a) {
    cairo_t *cr = f->cr;
    for (size_t i = 0; i < f->plot->mark_count; i++) {
        const plot_mark *m = &f->plot->marks[i];
        double x = plot_to_pixel_x(a, m->x), y = plot_to_pixel_y(a, m->y);
        if (!inside(a, x, y)) continue;
        for (int pass = 0; pass < 2; pass++) {
            cairo_move_to(cr, x - MARK_SIZE, y - MARK_SIZE);
            cairo_line_to(cr, x + MARK_SIZE, y + MARK_SIZE);
            cairo_move_to(cr, x - MARK_SIZE, y + MARK_SIZE);
            cairo_line_to(cr, x + MARK_SIZE, y - MARK_SIZE);
            plot_stroke_lines(f, pass == 0 ? background : text_colour, pass == 0 ? 6 : 2.6);
        }
        if (m->label[0] == '\0') continue;
        double w, h;
        plot_text_size(f, m->label, LABEL_TEXT, false, &w, &h);
        double best_x = 0, best_y = 0, best_cost = INFINITY;
        for (int place = 0; place < 6; place++) {
            bool up = place % 2 == 0;
            double x0 = place < 2   ? x + MARK_SIZE + 5
                        : place < 4 ? x - MARK_SIZE - 5 - w
                                    : x - w / 2;
            double y0 = up ? y - MARK_SIZE - 2 - h : y + MARK_SIZE + 2;
            x0 = fmax(a->left, fmin(x0, a->right - w)); /* along its row into the frame */
            double cost = label_crossings(f->plot, a, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3) +
                          50.0 * label_markers(f->plot, a, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3);
            if (x0 < a->left || y0 < a->top || y0 + h > a->bottom) cost += 1e6;
            if (cost < best_cost) best_cost = cost, best_x = x0, best_y = y0;
        }
        plot_draw_text_styled(f, m->label, LABEL_TEXT, false, best_x, best_y, ALIGN_START, ALIGN_START, false,
                              text_colour, 4);
    }
}

/* ---- what a legend would hide -------------------------------------------------- */

/* True when what is drawn at (x, y), a disc of `radius` (0: a line's
 * point), overlaps the box: a dot whose centre is just outside it is still
 * half under it. */
static bool in_box(plot_box b, double x, double y, double radius) {
    if (!isfinite(x) || !isfinite(y)) return false;
    if (!(radius > 0)) return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
    double dx = fmax(fmax(b.x - x, x - (b.x + b.w)), 0), dy = fmax(fmax(b.y - y, y - (b.y + b.h)), 0);
    return dx * dx + dy * dy < radius * radius;
}

/* The radius of the dots a series draws at its points; 0 for none. */
static double series_dot_radius(const plot_series *s) {
    return s->points ? DATA_DOT_RADIUS : s->xs == NULL && s->count <= SMALL_SERIES ? SERIES_DOT_RADIUS : 0;
}

size_t plot_points_under(const viz_plot *plot, const plot_axes *a, viz_plot_panel which, plot_box b) {
    size_t hidden = 0;
    if (which != VIZ_PLOT_PANEL_CONTOUR) {
        for (size_t k = 0; k < plot->series_count; k++) {
            const plot_series *s = &plot->series[k];
            if (!plot_series_in_panel(s, which)) continue;
            size_t stride = s->count / 2000 + 1;
            double dot = series_dot_radius(s);
            for (size_t i = 0; i < s->count; i += stride) {
                double y;
                if (value_pixel(a, s->values[i], &y) && in_box(b, plot_to_pixel_x(a, series_x(s, i)), y, dot))
                    hidden++;
            }
        }
    } else {
        for (size_t k = 0; k < plot->path_count; k++) {
            const plot_path *path = &plot->paths[k];
            size_t stride = path->count / 2000 + 1, first, last;
            double dot = path->count <= SMALL_PATH ? PATH_DOT_RADIUS : 0;
            for (size_t i = 0; i < path->count; i += stride)
                hidden += in_box(b, plot_to_pixel_x(a, path->xs[i]), plot_to_pixel_y(a, path->ys[i]), dot);
            if (!path_ends(path, &first, &last)) continue;
            /* its start's ring (to its halo's edge) and its current point's disc (and rim) */
            double ring = MARKER_RADIUS + 3.2 * earlier_starts_here(a, plot, k) + 2.6;
            hidden += in_box(b, plot_to_pixel_x(a, path->xs[first]), plot_to_pixel_y(a, path->ys[first]), ring);
            hidden += in_box(b, plot_to_pixel_x(a, path->xs[last - 1]), plot_to_pixel_y(a, path->ys[last - 1]),
                             MARKER_RADIUS + 0.7);
        }
        for (size_t k = 0; k < plot->mark_count; k++)
            if (in_box(b, plot_to_pixel_x(a, plot->marks[k].x), plot_to_pixel_y(a, plot->marks[k].y), MARK_SIZE + 3))
                hidden += 50;
        /* a dot whose centre is just outside the box is still half under it */
        const double dot = 6;
        hidden += plot_maps_points_in(plot, a, b.x - dot, b.y - dot, b.x + b.w + dot, b.y + b.h + dot);
        /* and the boundary's line: playground_xor's legend sat on it where
         * the classes meet at the bottom, between the points */
        hidden += plot_maps_edge_in(plot, a, b.x, b.y, b.x + b.w, b.y + b.h);
    }
    return hidden;
}

/* ---- the panels -------------------------------------------------------------- */

static void series_panel(figure *f, panel *p, viz_plot_panel which) {
    viz_plot *plot = f->plot;
    plot_axes *a = &p->axes;
    a->log_y = which == VIZ_PLOT_PANEL_SERIES && plot->log_y;
    range x = {0}, y = {0};
    size_t longest = 0;
    for (size_t k = 0; k < plot->series_count; k++) {
        const plot_series *s = &plot->series[k];
        if (!plot_series_in_panel(s, which)) continue;
        if (s->count > longest) longest = s->count;
        for (size_t i = 0; i < s->count; i++) {
            double value = s->values[i];
            if (s->xs != NULL && !isfinite(s->xs[i])) continue;
            if (a->log_y) {
                if (!(value > 0)) continue;
                value = log10(value);
            }
            include(&y, value);
            if (s->xs != NULL && isfinite(value)) include(&x, s->xs[i]);
        }
    }
    if (which == VIZ_PLOT_PANEL_SERIES && longest > 0) {
        include(&x, 0);
        include(&x, longest > 1 ? (double)(longest - 1) : 1);
    }
    pad(&x, which == VIZ_PLOT_PANEL_SERIES ? 0.03 : 0.04, 0.5);
    pad(&y, 0.05, a->log_y ? 0.5 : 1);
    a->x_min = x.low;
    a->x_max = x.high;
    a->y_min = y.low;
    a->y_max = y.high;
    plot_axis_names names;
    plot_name_axes(plot, which, &names);
    p->x_label = names.x;
    p->y_label = names.y;
    p->integer_x = which == VIZ_PLOT_PANEL_SERIES;
    legend_entry entries[PLOT_MAX_LEGEND_ENTRIES];
    int count = 0;
    for (size_t k = 0; k < plot->series_count && count < PLOT_MAX_LEGEND_ENTRIES; k++) {
        const plot_series *s = &plot->series[k];
        if (!plot_series_in_panel(s, which)) continue;
        entries[count++] = (legend_entry){s->name, plot_series_colour(plot, s), series_dot_radius(s), !s->points,
                                          plot_series_dash(plot, s)};
    }
    plot_layout_panel(f, p);
    if (count > 0 && a->bottom > a->top) {
        /* curves (a wave, a loss that swings) that leave no place for the legend: the
         * range grows at the top by the legend's height, so it sits above them */
        double row;
        size_t hidden;
        plot_box place = plot_legend_place(f, a, which, entries, count, false, &row, &hidden);
        if (hidden > 0) {
            double grow = (place.h + 2 * PLOT_LEGEND_INSET) / (a->bottom - a->top);
            a->y_max += (a->y_max - a->y_min) * grow / (1 - grow > 0.5 ? 1 - grow : 0.5);
            plot_layout_panel(f, p);
        }
    }
    plot_draw_grid(f, p);

    plot_clip_to_frame(f, a);
    for (size_t k = 0; k < plot->series_count; k++)
        if (plot_series_in_panel(&plot->series[k], which)) draw_series(f, a, &plot->series[k]);
    plot_unclip(f);
    plot_draw_frame_and_labels(f, p);
    plot_draw_legend(f, a, which, entries, count);
}

/* "11 levels, 1 to 2000 (log spacing)" above the contour panel, cut short
 * to keep clear of what is written over the frame's left end (from the
 * frame's left to left_end: a panel's name, the y axis's offset). */
static void contour_caption(figure *f, const plot_contour *contour, const plot_axes *a, double left_end) {
    char text[112], cut[PLOT_ELLIPSIZED_BYTES];
    plot_contour_caption(contour, text, sizeof text);
    if (text[0] == '\0') return;
    const char *shown = text;
    if (left_end > a->left) shown = plot_ellipsized(f, text, CAPTION_TEXT, a->right - left_end - 12, cut);
    plot_draw_text(f, shown, CAPTION_TEXT, a->right, a->top - 5, ALIGN_END, ALIGN_END, false, caption_colour);
}

/* Where a map's legend goes: in the frame, one row over it, right of it
 * or under it (x, y its top left corner, in columns). */
typedef enum { MAP_LEGEND_IN_FRAME, MAP_LEGEND_ABOVE, MAP_LEGEND_RIGHT, MAP_LEGEND_BELOW } map_legend_kind;
typedef struct map_legend_spot {
    map_legend_kind kind;
    double x, y;
    int columns;
} map_legend_spot;

/* The row over the frame starts right of what is over its left end. */
static double row_left_limit(figure *f, const panel *p) {
    double limit = over_frame_left_end(f, p);
    return limit > p->axes.left ? limit + 20 : limit;
}

/* A map's legend goes where it hides no point: a corner or a place along
 * the top or bottom edge; else one row over the frame, when it fits and no
 * level curves' caption is there (a panel's name, the y axis's offset stay
 * clear); else a place within (a ring of classes leaves a hole); else
 * outside the frame, right of it (and of the colour bar) at its top, as
 * matplotlib's bbox_to_anchor=(1.02, 1) puts it, the frame made narrower
 * for it (eight classes all over a plane of three panels hid a dozen
 * points wherever it went), when the frame keeps two thirds of its width
 * and the legend is no taller than it; else under the frame, below its x
 * axis's name, centred on it, in as many columns as the panel's width
 * takes (matplotlib's loc="upper center", bbox_to_anchor=(0.5, -0.1),
 * ncol=), the frame made shorter for it, when it keeps two thirds of its
 * height (at :zoom 1.5 an 8-class boundary's frame beside a loss, with
 * its class bars, was too narrow to give up the legend's width: the
 * legend went within, over a dozen points); else within, where it hides
 * the fewest (plot_draw_legend).  For MAP_LEGEND_RIGHT and
 * MAP_LEGEND_BELOW the panel is laid out again. */
static map_legend_spot map_legend_place(figure *f, panel *p, const legend_entry *entries, int count,
                                        double bar) {
    enum { OUTSIDE_GAP = 12, BELOW_GAP = 8 }; /* between the frame (or the bar's labels) and the legend; under it */
    map_legend_spot spot = {MAP_LEGEND_IN_FRAME, 0, 0, 1};
    plot_axes *a = &p->axes;
    if (count == 0 || a->bottom <= a->top) return spot;
    double row;
    size_t hidden;
    plot_box box = plot_legend_place(f, a, VIZ_PLOT_PANEL_CONTOUR, entries, count, false, &row, &hidden);
    if (hidden == 0) return spot;
    if (!f->plot->contour.present && plot_legend_row_fits(f, a, entries, count, row_left_limit(f, p))) {
        spot.kind = MAP_LEGEND_ABOVE;
        return spot;
    }
    plot_legend_place(f, a, VIZ_PLOT_PANEL_CONTOUR, entries, count, true, &row, &hidden);
    if (hidden == 0) return spot;
    /* the bar's labels end PLOT_EDGE_MARGIN inside its room and the frame's right margin */
    double offset = (bar > 0 ? bar + PLOT_FRAME_RIGHT_MARGIN - PLOT_EDGE_MARGIN : 0) + OUTSIDE_GAP;
    double extra = ceil(offset + box.w + PLOT_EDGE_MARGIN - PLOT_FRAME_RIGHT_MARGIN - bar);
    panel narrower = *p;
    narrower.w -= bar + extra;
    plot_layout_panel(f, &narrower);
    narrower.w += bar + extra;
    const plot_axes *n = &narrower.axes;
    if (n->right - n->left >= (a->right - a->left) * 2 / 3 && box.h <= n->bottom - n->top) {
        *p = narrower;
        spot = (map_legend_spot){MAP_LEGEND_RIGHT, n->right + offset, n->top, 1};
        return spot;
    }
    double width, height;
    spot.columns = plot_legend_columns(f, a, entries, count, p->w - 2 * PLOT_EDGE_MARGIN, &width, &height);
    panel shorter = *p;
    shorter.w -= bar;
    shorter.h -= height + BELOW_GAP;
    plot_layout_panel(f, &shorter);
    shorter.w += bar;
    shorter.h += height + BELOW_GAP;
    const plot_axes *s = &shorter.axes;
    if (width > p->w - 2 * PLOT_EDGE_MARGIN || s->bottom - s->top < (a->bottom - a->top) * 2 / 3) return spot;
    *p = shorter;
    spot.kind = MAP_LEGEND_BELOW;
    spot.x = fmin(fmax(floor((s->left + s->right - width) / 2), p->x + PLOT_EDGE_MARGIN),
                  p->x + p->w - PLOT_EDGE_MARGIN - width);
    spot.y = p->y + p->h - BELOW_GAP - height;
    return spot;
}

static void contour_panel(figure *f, panel *p) {
    viz_plot *plot = f->plot;
    plot_axes *a = &p->axes;
    a->log_y = false;
    range x = {0}, y = {0};
    if (plot->field.present) {
        include(&x, plot->field.xlo);
        include(&x, plot->field.xhi);
        include(&y, plot->field.ylo);
        include(&y, plot->field.yhi);
    } else if (plot->contour.present) {
        include(&x, plot->contour.xlo);
        include(&x, plot->contour.xhi);
        include(&y, plot->contour.ylo);
        include(&y, plot->contour.yhi);
    } else {
        for (size_t k = 0; k < plot->path_count; k++) {
            for (size_t i = 0; i < plot->paths[k].count; i++) {
                if (!isfinite(plot->paths[k].xs[i]) || !isfinite(plot->paths[k].ys[i])) continue;
                include(&x, plot->paths[k].xs[i]);
                include(&y, plot->paths[k].ys[i]);
            }
        }
        for (size_t k = 0; k < plot->mark_count; k++) {
            include(&x, plot->marks[k].x);
            include(&y, plot->marks[k].y);
        }
        for (size_t k = 0; k < plot->points.count; k++) {
            include(&x, plot->points.xs[k]);
            include(&y, plot->points.ys[k]);
        }
        pad(&x, 0.05, 1);
        pad(&y, 0.05, 1);
    }
    a->x_min = x.low;
    a->x_max = x.high;
    a->y_min = y.low;
    a->y_max = y.high;
    plot_axis_names names;
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    p->x_label = names.x;
    p->y_label = names.y;
    p->integer_x = false;
    legend_entry entries[PLOT_MAX_LEGEND_ENTRIES];
    int count = plot_maps_legend(plot, entries, PLOT_MAX_LEGEND_ENTRIES);
    for (size_t k = 0; k < plot->path_count && count < PLOT_MAX_LEGEND_ENTRIES; k++)
        entries[count++] = (legend_entry){
            plot->paths[k].name,
            plot_path_colour(&plot->paths[k]),
            LEGEND_PATH_DOT_RADIUS, true, plot_path_dash(&plot->paths[k])};
    double bar = plot_maps_colour_bar_room(f);
    p->w -= bar;
    plot_layout_panel(f, p);
    p->w += bar;
    map_legend_spot spot = map_legend_place(f, p, entries, count, bar);
    plot_draw_grid(f, p);

    plot_clip_to_frame(f, a);
    plot_maps_draw_field(f, a);
    if (plot->contour.present) draw_contour_lines(f, a, &plot->contour);
    plot_maps_draw_points(f, a);
    /* marks over the paths: a path ending on a mark (an optimizer at the
     * minimum) leaves the cross and its haloed label readable on top */
    for (size_t k = 0; k < plot->path_count; k++) draw_path(f, a, k);
    draw_marks(f, a);
    plot_unclip(f);
    plot_draw_frame_and_labels(f, p);
    plot_maps_draw_colour_bar(f, a);
    if (plot->contour.present) contour_caption(f, &plot->contour, a, over_frame_left_end(f, p));
    if (spot.kind == MAP_LEGEND_ABOVE) plot_draw_legend_above(f, a, entries, count, row_left_limit(f, p));
    else if (spot.kind != MAP_LEGEND_IN_FRAME) plot_draw_legend_at(f, a, entries, count, spot.columns, spot.x, spot.y);
    else plot_draw_legend(f, a, VIZ_PLOT_PANEL_CONTOUR, entries, count);
}

/* ---- the figure -------------------------------------------------------------- */

/* The same text shaping on every surface: no hinting, so a PDF and a PNG of
 * one figure place every glyph alike. */
static PangoLayout *new_layout(cairo_t *cr) {
    PangoLayout *layout = pango_cairo_create_layout(cr);
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pango_layout_get_context(layout), options);
    pango_layout_context_changed(layout);
    cairo_font_options_destroy(options);
    return layout;
}

bool plot_draw_figure(viz_plot *plot, cairo_t *cr, double width, double height) {
    double zoom = plot->zoom > 0 ? plot->zoom : 1;
    cairo_save(cr);
    cairo_scale(cr, zoom, zoom);
    figure f = {.cr = cr, .layout = new_layout(cr), .plot = plot};
    f.width = width / zoom;
    f.height = height / zoom;
    cairo_rectangle(cr, 0, 0, f.width, f.height);
    plot_set_colour(&f, background, 1);
    cairo_fill(cr);

    double top = 0;
    if (plot->title != NULL) {
        double h = plot_draw_wrapped(&f, plot->title, TITLE_TEXT, f.width / 2, 12, f.width - 24);
        top = 12 + h - 6; /* the panels' own top margin does the rest, a line's gap below the title */
    }

    const viz_plot *owners[PLOT_MAX_FIGURE_PANELS];
    viz_plot_panel order[PLOT_MAX_FIGURE_PANELS];
    int panels = plot_figure_panels(plot, owners, order);

    /* equal shares of a row, but a boundary's map (with its colour bar) is
     * the picture a class looks at: half as wide again; past three panels
     * they wrap to rows of three (PLOT_PANELS_ACROSS), and a last row of
     * fewer is as wide a share as the row above, its panels from the left */
    double share[PLOT_MAX_FIGURE_PANELS], shares[PLOT_MAX_FIGURE_PANELS] = {0}, before = 0;
    int rows = PLOT_PANEL_ROWS(panels);
    for (int i = 0; i < panels; i++) {
        share[i] = order[i] == VIZ_PLOT_PANEL_CONTOUR && owners[i]->field.present && panels > 1 ? 1.5 : 1;
        shares[i / PLOT_PANELS_ACROSS] += share[i];
    }
    if (rows > 1 && panels % PLOT_PANELS_ACROSS != 0 && shares[rows - 1] < shares[rows - 2])
        shares[rows - 1] = shares[rows - 2];
    double row_height = (f.height - top) / rows;
    memset(plot->axes, 0, sizeof plot->axes);
    for (int k = 0; k < plot->sheet_count; k++) memset(plot->sheets[k]->axes, 0, sizeof plot->sheets[k]->axes);
    for (int i = 0; i < panels && !plot_figure_stopped(&f); i++) {
        int r = rows > 1 ? i / PLOT_PANELS_ACROSS : 0;
        if (rows > 1 && i % PLOT_PANELS_ACROSS == 0) before = 0;
        double x0 = floor(f.width * before / shares[r]), x1 = floor(f.width * (before + share[i]) / shares[r]);
        before += share[i];
        double y0 = floor(top + r * row_height), y1 = r == rows - 1 ? f.height : floor(top + (r + 1) * row_height);
        panel p = {.x = x0, .y = y0, .w = x1 - x0, .h = y1 - y0};
        /* a panel chosen by panel= is drawn from its own figure's data */
        viz_plot *owner = (viz_plot *)owners[i];
        owner->interrupt = plot->interrupt;
        f.plot = owner;
        f.sheet_name = owner->sheet_name;
        if (f.sheet_name == NULL && i > 0 && order[i] == VIZ_PLOT_PANEL_CONTOUR &&
            plot_is_before_map(owners[i - 1], order[i - 1]))
            f.sheet_name = "after"; /* the map "before" is compared with */
        switch (order[i]) {
        case VIZ_PLOT_PANEL_CONTOUR: contour_panel(&f, &p); break;
        case VIZ_PLOT_PANEL_NEURONS: plot_maps_neurons_panel(&f, &p); break;
        case VIZ_PLOT_PANEL_HEATMAP: plot_maps_heatmap_panel(&f, &p); break;
        case VIZ_PLOT_PANEL_IMAGES: plot_maps_images_panel(&f, &p); break;
        default: series_panel(&f, &p, order[i]); break;
        }
        bool framed = order[i] == VIZ_PLOT_PANEL_CONTOUR || order[i] == VIZ_PLOT_PANEL_SERIES ||
                      order[i] == VIZ_PLOT_PANEL_XY;
        if (f.sheet_name != NULL && framed && !f.stopped)
            /* a named panel's name over its frame's left end (the map's
             * caption is at the right end) */
            plot_draw_text(&f, f.sheet_name, LABEL_TEXT, p.axes.left, p.axes.top - 5, ALIGN_START, ALIGN_END,
                           false, text_colour);
        owner->axes[order[i]] = p.axes;
        owner->axes[order[i]].present = true;
        owner->axes[order[i]].scale = zoom;
    }
    f.plot = plot;
    g_object_unref(f.layout);
    cairo_restore(cr);
    return !f.stopped;
}
