/* plot_legend.c — a panel's legend: its names fitted to the frame, its
 * place (the corner, the place along an edge or, on a map, within that
 * hides the fewest of the drawn points, plot_points_under), its drawing
 * there or at a place given (a map's, outside its frame, in one column or
 * in several: plot_draw.c's map_legend_place chooses), and the one-row
 * legend over a map's frame. */
#include "plot_data.h"
#include "plot_legend.h"

#include <math.h>
#include <stdio.h>

static const colour legend_border = RGB(200, 200, 200);

enum { LEGEND_SWATCH = 30, LEGEND_GAP = 8, LEGEND_PADDING = 9, LEGEND_INSET = PLOT_LEGEND_INSET, LEGEND_COLUMN_GAP = 16 };

/* A legend's entries with their names fitted to the frame. */
typedef struct fitted_legend {
    legend_entry entries[PLOT_MAX_LEGEND_ENTRIES];
    char names[PLOT_MAX_LEGEND_ENTRIES][PLOT_ELLIPSIZED_BYTES];
} fitted_legend;

/* The room a legend in the frame has: the frame's width inside its insets. */
static double frame_room(const plot_axes *a) { return a->right - a->left - 2 * LEGEND_INSET; }

/* The entries, each name too wide for a legend box `room` wide (beside its
 * swatch, inside the padding) cut short with an ellipsis, so the legend
 * stays inside the frame (a long series name went past its left edge, over
 * the tick labels, or into the next panel), or inside the room it has
 * outside it. */
static const legend_entry *fit_names_to(figure *f, double room, const legend_entry *entries, int count,
                                        fitted_legend *out) {
    room -= 2 * LEGEND_PADDING + LEGEND_SWATCH + LEGEND_GAP;
    if (count > PLOT_MAX_LEGEND_ENTRIES) count = PLOT_MAX_LEGEND_ENTRIES;
    for (int i = 0; i < count; i++) {
        out->entries[i] = entries[i];
        out->entries[i].name = plot_ellipsized(f, entries[i].name, TICK_TEXT, room, out->names[i]);
    }
    return out->entries;
}

static const legend_entry *fit_names(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                                     fitted_legend *out) {
    return fit_names_to(f, frame_room(a), entries, count, out);
}

bool plot_legend_names_fit(figure *f, const plot_axes *a, const legend_entry *entries, int count) {
    fitted_legend fitted;
    const legend_entry *fitted_entries = fit_names(f, a, entries, count, &fitted);
    for (int i = 0; i < count && i < PLOT_MAX_LEGEND_ENTRIES; i++)
        if (fitted_entries[i].name != entries[i].name) return false;
    return true;
}

/* The box of the entries (fitted) in `columns` columns, filled a row at a
 * time: its width and height, a row's height and a column's width (the
 * widest entry's). */
static void legend_grid_size(figure *f, const legend_entry *entries, int count, int columns, double *width,
                             double *height, double *row_out, double *column_out) {
    double widest = 0, row = 0;
    for (int i = 0; i < count; i++) {
        double w, h;
        plot_text_size(f, entries[i].name, TICK_TEXT, false, &w, &h);
        if (w > widest) widest = w;
        if (h > row) row = h;
    }
    row += 4;
    if (columns < 1) columns = 1;
    int rows = (count + columns - 1) / columns;
    double column = LEGEND_SWATCH + LEGEND_GAP + widest;
    *width = ceil(LEGEND_PADDING * 2 + column * columns + LEGEND_COLUMN_GAP * (columns - 1));
    *height = ceil(LEGEND_PADDING * 2 + row * rows - 4);
    *row_out = row;
    *column_out = column;
}

/* The box of the entries (fitted) in one column: its width and height, and
 * a row's height. */
static void legend_size(figure *f, const legend_entry *entries, int count, double *width, double *height,
                        double *row_out) {
    double column;
    legend_grid_size(f, entries, count, 1, width, height, row_out, &column);
}

plot_box plot_legend_place(figure *f, const plot_axes *a, viz_plot_panel which, const legend_entry *entries,
                           int count, bool inside, double *row_out, size_t *hidden_out) {
    const double inset = LEGEND_INSET;
    fitted_legend fitted;
    entries = fit_names(f, a, entries, count, &fitted);
    double width, height, row;
    legend_size(f, entries, count, &width, &height, &row);
    /* the corners first (a tie goes to them), then places along the top and
     * the bottom edge: a wave's peaks fill every corner, its troughs leave
     * room at the top between them */
    enum { ALONG = 7, WITHIN = 9, PLACES = 4 + 2 * ALONG + WITHIN };
    plot_box corners[PLACES] = {
        {a->right - inset - width, a->top + inset, width, height},
        {a->left + inset, a->top + inset, width, height},
        {a->right - inset - width, a->bottom - inset - height, width, height},
        {a->left + inset, a->bottom - inset - height, width, height},
    };
    int places = 4;
    double span = a->right - a->left - 2 * inset - width;
    for (int i = 1; span > 0 && i <= ALONG; i++) {
        double x = a->left + inset + span * i / (ALONG + 1);
        corners[places++] = (plot_box){x, a->top + inset, width, height};
        corners[places++] = (plot_box){x, a->bottom - inset - height, width, height};
    }
    double tall = a->bottom - a->top - 2 * inset - height;
    for (int i = 0; inside && span > 0 && tall > 0 && i < WITHIN; i++) {
        static const int at[WITHIN][2] = {{2, 2}, {1, 2}, {3, 2}, {2, 1}, {2, 3}, {1, 1}, {3, 1}, {1, 3}, {3, 3}};
        corners[places++] = (plot_box){a->left + inset + span * at[i][0] / 4, a->top + inset + tall * at[i][1] / 4,
                                  width, height};
    }
    plot_box b = corners[0];
    size_t fewest = (size_t)-1;
    for (int i = 0; i < places && fewest > 0; i++) {
        size_t hidden = plot_points_under(f->plot, a, which, corners[i]);
        if (hidden < fewest) {
            fewest = hidden;
            b = corners[i];
        }
    }
    *row_out = row;
    *hidden_out = fewest;
    return b;
}

/* The legend's box at b: its entries (fitted) in `columns` columns of
 * width `column`, a row at a time (one column: an entry a row). */
static void draw_box(figure *f, plot_box b, double row, const legend_entry *entries, int count, int columns,
                     double column) {
    cairo_t *cr = f->cr;
    const double swatch = LEGEND_SWATCH, gap = LEGEND_GAP, padding = LEGEND_PADDING;
    b.x = floor(b.x);
    b.y = floor(b.y);
    cairo_rectangle(cr, b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
    plot_set_colour(f, background, 0.9);
    cairo_fill_preserve(cr);
    plot_set_colour(f, legend_border, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    if (columns < 1) columns = 1;
    for (int i = 0; i < count; i++) {
        double left = b.x + (i % columns) * (column + LEGEND_COLUMN_GAP);
        double middle = b.y + padding + (i / columns) * row + (row - 4) / 2.0;
        double x0 = left + padding + 1, x1 = left + padding + swatch - 1;
        if (entries[i].line) {
            cairo_move_to(cr, x0, middle);
            cairo_line_to(cr, x1, middle);
            if (entries[i].dash != NULL && entries[i].dash->count > 0)
                cairo_set_dash(cr, entries[i].dash->on_off, entries[i].dash->count, 0);
            plot_stroke_lines(f, entries[i].colour, 2.8);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        if (entries[i].dot_radius > 0) {
            plot_marker_path(f, entries[i].marker, (x0 + x1) / 2, middle, entries[i].dot_radius);
            plot_set_colour(f, entries[i].colour, 1);
            cairo_fill(cr);
        }
        plot_draw_text(f, entries[i].name, TICK_TEXT, left + padding + swatch + gap, middle, ALIGN_START,
                  ALIGN_CENTRE, false, text_colour);
    }
}

void plot_draw_legend(figure *f, const plot_axes *a, viz_plot_panel which,
                      const legend_entry *entries, int count) {
    if (count == 0) return;
    double row;
    size_t hidden;
    fitted_legend fitted;
    entries = fit_names(f, a, entries, count, &fitted);
    plot_box b = plot_legend_place(f, a, which, entries, count, which == VIZ_PLOT_PANEL_CONTOUR, &row, &hidden);
    draw_box(f, b, row, entries, count, 1, 0);
}

int plot_legend_columns(figure *f, const legend_entry *entries, int count, double room, double *width,
                        double *height) {
    fitted_legend fitted;
    entries = fit_names_to(f, room, entries, count, &fitted);
    double row, column;
    int columns = count < 1 ? 1 : count;
    legend_grid_size(f, entries, count, columns, width, height, &row, &column);
    while (columns > 1 && *width > room) {
        columns--;
        legend_grid_size(f, entries, count, columns, width, height, &row, &column);
    }
    /* as few columns as keep that many rows: 8 entries in 4 columns, not 5 and 3 */
    int rows = (count + columns - 1) / columns;
    if (rows > 0 && (count + rows - 1) / rows < columns) {
        columns = (count + rows - 1) / rows;
        legend_grid_size(f, entries, count, columns, width, height, &row, &column);
    }
    return columns;
}

void plot_draw_legend_at(figure *f, const plot_axes *a, const legend_entry *entries, int count, int columns,
                         double x, double y, double room) {
    if (count == 0) return;
    fitted_legend fitted;
    entries = fit_names_to(f, room > 0 ? room : frame_room(a), entries, count, &fitted);
    double width, height, row, column;
    legend_grid_size(f, entries, count, columns, &width, &height, &row, &column);
    draw_box(f, (plot_box){x, y, width, height}, row, entries, count, columns, column);
}

int plot_legend_and_more(legend_entry *entries, int count, int total, char more[PLOT_LEGEND_MORE_BYTES]) {
    if (count > PLOT_MAX_LEGEND_ENTRIES) count = PLOT_MAX_LEGEND_ENTRIES;
    if (total <= count) return count;
    if (count == PLOT_MAX_LEGEND_ENTRIES) count--; /* the last place says what is not listed */
    snprintf(more, PLOT_LEGEND_MORE_BYTES, "… and %d more", total - count);
    entries[count++] = (legend_entry){.name = more, .colour = text_colour};
    return count;
}

/* The one-row legend's parts: its swatch, the gap after it, the space
 * between entries; its width and row's height. */
enum { ROW_SWATCH = 22, ROW_GAP = 6, ROW_SPACING = 16 };
static double row_width(figure *f, const legend_entry *entries, int count, double *widths, double *row) {
    double width = 0;
    *row = 0;
    for (int i = 0; i < count; i++) {
        double w, h;
        plot_text_size(f, entries[i].name, TICK_TEXT, false, &w, &h);
        widths[i] = w;
        width += (i > 0 ? ROW_SPACING : 0) + ROW_SWATCH + ROW_GAP + w;
        if (h > *row) *row = h;
    }
    return width;
}

bool plot_legend_row_fits(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                          double left_limit) {
    double widths[PLOT_MAX_LEGEND_ENTRIES], row;
    return a->right - row_width(f, entries, count, widths, &row) >= left_limit;
}

bool plot_draw_legend_above(figure *f, const plot_axes *a, const legend_entry *entries, int count,
                            double left_limit) {
    const double swatch = ROW_SWATCH, gap = ROW_GAP, spacing = ROW_SPACING;
    double widths[PLOT_MAX_LEGEND_ENTRIES], row;
    double width = row_width(f, entries, count, widths, &row);
    if (a->right - width < left_limit) return false;
    double x = a->right - width, middle = a->top - 6 - row / 2;
    for (int i = 0; i < count; i++) {
        if (entries[i].line) {
            cairo_move_to(f->cr, x + 1, middle);
            cairo_line_to(f->cr, x + swatch - 1, middle);
            if (entries[i].dash != NULL && entries[i].dash->count > 0)
                cairo_set_dash(f->cr, entries[i].dash->on_off, entries[i].dash->count, 0);
            plot_stroke_lines(f, entries[i].colour, 2.8);
            cairo_set_dash(f->cr, NULL, 0, 0);
        }
        if (entries[i].dot_radius > 0) {
            plot_marker_path(f, entries[i].marker, x + swatch / 2, middle, entries[i].dot_radius);
            plot_set_colour(f, entries[i].colour, 1);
            cairo_fill(f->cr);
        }
        plot_draw_text(f, entries[i].name, TICK_TEXT, x + swatch + gap, middle, ALIGN_START, ALIGN_CENTRE, false,
                       text_colour);
        x += swatch + gap + widths[i] + spacing;
    }
    return true;
}
