/* plot_draw.c — composing the figure with Cairo, text by Pango: up to three
 * panels side by side (losses by step left, whole (x, y) series in the
 * middle, the contour with its paths and marks right), each with its range,
 * frame, grid, ticks, labels, data (plot_data.c draws it) and legend
 * (plot_legend.c places and draws it), and the title above them.
 * The window and every saved file call plot_draw_figure, so they look alike.
 *
 * Sizes below are in figure units: one unit is one device pixel at zoom 1;
 * the whole figure is scaled by the zoom, text and lines included. */
#include "plot_data.h"
#include "plot_legend.h"
#include "plot_maps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- look ------------------------------------------------------------------ */

static const colour grid_colour = RGB(232, 232, 232);
static const colour caption_colour = RGB(95, 95, 95);

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
static void plot_layout_panel(figure *f, panel *p) {
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

static void plot_draw_grid(figure *f, const panel *p) {
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

static void plot_draw_frame_and_labels(figure *f, const panel *p) {
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

/* ---- the panels -------------------------------------------------------------- */

/* The row over the frame starts right of what is over its left end. */
static double row_left_limit(figure *f, const panel *p) {
    double limit = over_frame_left_end(f, p);
    return limit > p->axes.left ? limit + 20 : limit;
}

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
    char more[PLOT_LEGEND_MORE_BYTES];
    int count = 0, total = 0;
    for (size_t k = 0; k < plot->series_count; k++) {
        const plot_series *s = &plot->series[k];
        if (!plot_series_in_panel(s, which)) continue;
        if (total++ >= PLOT_MAX_LEGEND_ENTRIES) continue;
        entries[count++] = (legend_entry){s->name, plot_series_colour(plot, s), plot_series_dot_radius(s), !s->points,
                                          plot_series_dash(plot, s)};
    }
    count = plot_legend_and_more(entries, count, total, more);
    plot_layout_panel(f, p);
    /* a frame too narrow for the names (three panels in a projector's
     * window at :zoom 1.5: the loss's legend said a lone "…") puts them in
     * one row over it, whole, when that row fits there */
    bool above = count > 0 && a->bottom > a->top && !plot_legend_names_fit(f, a, entries, count) &&
                 plot_legend_row_fits(f, a, entries, count, row_left_limit(f, p));
    if (count > 0 && a->bottom > a->top && !above) {
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
        if (plot_series_in_panel(&plot->series[k], which)) plot_draw_series(f, a, &plot->series[k]);
    plot_unclip(f);
    plot_draw_frame_and_labels(f, p);
    if (above) plot_draw_legend_above(f, a, entries, count, row_left_limit(f, p));
    else plot_draw_legend(f, a, which, entries, count);
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
    double room; /* the width its names are fitted to (0: the frame's) */
} map_legend_spot;

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
    map_legend_spot spot = {MAP_LEGEND_IN_FRAME, 0, 0, 1, 0};
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
        spot = (map_legend_spot){MAP_LEGEND_RIGHT, n->right + offset, n->top, 1, 0};
        return spot;
    }
    double width, height, room = p->w - 2 * PLOT_EDGE_MARGIN;
    spot.columns = plot_legend_columns(f, entries, count, room, &width, &height);
    spot.room = room;
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
        for (size_t k = 0; k < plot->points.count; k++) { /* only the points drawn */
            if (!isfinite(plot->points.xs[k]) || !isfinite(plot->points.ys[k])) continue;
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
    char more[PLOT_LEGEND_MORE_BYTES];
    int classes;
    int count = plot_maps_legend(plot, entries, PLOT_MAX_LEGEND_ENTRIES, &classes);
    for (size_t k = 0; k < plot->path_count && count < PLOT_MAX_LEGEND_ENTRIES; k++)
        entries[count++] = (legend_entry){
            plot->paths[k].name,
            plot_path_colour(&plot->paths[k]),
            LEGEND_PATH_DOT_RADIUS, true, plot_path_dash(&plot->paths[k])};
    count = plot_legend_and_more(entries, count, classes + (int)plot->path_count, more);
    double bar = plot_maps_colour_bar_room(f);
    p->w -= bar;
    plot_layout_panel(f, p);
    p->w += bar;
    map_legend_spot spot = map_legend_place(f, p, entries, count, bar);
    plot_draw_grid(f, p);

    plot_clip_to_frame(f, a);
    plot_maps_draw_field(f, a);
    if (plot->contour.present) plot_draw_contour_lines(f, a, &plot->contour);
    plot_maps_draw_points(f, a);
    /* marks over the paths: a path ending on a mark (an optimizer at the
     * minimum) leaves the cross and its haloed label readable on top */
    for (size_t k = 0; k < plot->path_count; k++) plot_draw_path(f, a, k);
    plot_draw_marks(f, a);
    plot_unclip(f);
    plot_draw_frame_and_labels(f, p);
    plot_maps_draw_colour_bar(f, a);
    if (plot->contour.present) contour_caption(f, &plot->contour, a, over_frame_left_end(f, p));
    if (spot.kind == MAP_LEGEND_ABOVE) plot_draw_legend_above(f, a, entries, count, row_left_limit(f, p));
    else if (spot.kind != MAP_LEGEND_IN_FRAME)
        plot_draw_legend_at(f, a, entries, count, spot.columns, spot.x, spot.y, spot.room);
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
