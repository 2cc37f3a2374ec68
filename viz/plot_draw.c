/* plot_draw.c — composing the figure: one panel or two side by side (losses
 * left, contour right), each with its range, frame, grid, ticks, labels,
 * data and legend.  The window and savefig both call plot_draw_figure, so
 * they produce the same pixels. */
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- look ------------------------------------------------------------------ */

enum {
    TICK_FONT_SIZE = 14,
    LABEL_FONT_SIZE = 16,
    TICK_LENGTH = 6,
    MINOR_TICK_LENGTH = 3,
    SMALL_SERIES = 40, /* series this short also get a dot per point */
    SMALL_PATH = 120,  /* paths this short get a dot per point */
    MAX_LEGEND_ENTRIES = 16,
};

#define LINE_WIDTH 2.2
#define CONTOUR_LINE_WIDTH 1.3
#define MARKER_RADIUS 6.0
#define SERIES_DOT_RADIUS 3.3
#define PATH_DOT_RADIUS 2.7
#define LEGEND_PATH_DOT_RADIUS 4.6

static const SDL_Color background = {255, 255, 255, 255};
static const SDL_Color grid_colour = {234, 234, 234, 255};
static const SDL_Color frame_colour = {38, 38, 38, 255};
static const SDL_Color text_colour = {30, 30, 30, 255};
static const SDL_Color caption_colour = {105, 105, 105, 255};
static const SDL_Color legend_fill = {255, 255, 255, 225};
static const SDL_Color legend_border = {200, 200, 200, 255};

/* Matplotlib's tab10: distinct and readable on white. */
static const SDL_Color series_palette[] = {
    {31, 119, 180, 255},  {255, 127, 14, 255}, {44, 160, 44, 255},   {214, 39, 40, 255},
    {148, 103, 189, 255}, {140, 86, 75, 255},  {227, 119, 194, 255}, {127, 127, 127, 255},
    {188, 189, 34, 255},  {23, 190, 207, 255},
};
/* Warm and dark colours that stand out over the blue-green level curves. */
static const SDL_Color path_palette[] = {
    {214, 39, 40, 255}, {255, 127, 14, 255},  {20, 20, 20, 255},   {227, 119, 194, 255},
    {140, 86, 75, 255}, {148, 103, 189, 255}, {188, 189, 34, 255},
};
/* Level curves, lowest level first: indigo through teal to a light green, so
 * the curves near the minimum, where the paths go, are the strongest. */
static const SDL_Color level_scale[] = {
    {59, 79, 154, 255},
    {58, 156, 168, 255},
    {166, 217, 106, 255},
};

static SDL_Color palette_colour(const SDL_Color *palette, size_t count, int index) {
    return palette[(size_t)index % count];
}

static SDL_Color level_colour(int level, int level_count) {
    double t = level_count <= 1 ? 0 : (double)level / (level_count - 1);
    double scaled = t * 2;
    int low = scaled >= 1 ? 1 : 0;
    double f = scaled - low;
    SDL_Color a = level_scale[low], b = level_scale[low + 1];
    return (SDL_Color){(Uint8)(a.r + f * (b.r - a.r) + 0.5), (Uint8)(a.g + f * (b.g - a.g) + 0.5),
                       (Uint8)(a.b + f * (b.b - a.b) + 0.5), 255};
}

/* ---- drawing context --------------------------------------------------------- */

typedef struct figure {
    plot_canvas canvas;
    viz_plot *plot;
    TTF_Font *tick_font;  /* NULL: no text */
    TTF_Font *label_font; /* NULL: no text */
} figure;

static int font_height(TTF_Font *font, int fallback) {
    return font == NULL ? fallback : TTF_FontHeight(font);
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

typedef struct panel {
    int x, y, w, h; /* the panel's share of the figure */
    plot_axes axes;
    plot_tick_list x_ticks, y_ticks;
    const char *x_label, *y_label;
    bool integer_x;
} panel;

static double to_pixel_x(const plot_axes *a, double x) {
    return a->left + (x - a->x_min) / (a->x_max - a->x_min) * (a->right - a->left);
}

static double to_pixel_y(const plot_axes *a, double y) {
    return a->bottom - (y - a->y_min) / (a->y_max - a->y_min) * (a->bottom - a->top);
}

/* y of a value in pixels, or false when it cannot be shown on this axis. */
static bool value_pixel(const plot_axes *a, double value, double *pixel) {
    if (!isfinite(value)) return false;
    if (a->log_y) {
        if (!(value > 0)) return false;
        value = log10(value);
    }
    *pixel = to_pixel_y(a, value);
    return true;
}

/* Places the frame inside the panel, leaving room for the tick labels (the
 * widest y label measured) and axis labels, and picks the ticks for it. */
static void layout_panel(figure *f, panel *p) {
    int tick_height = font_height(f->tick_font, 16);
    int label_height = font_height(f->label_font, 18);
    plot_axes *a = &p->axes;
    int top = p->y + 32;
    int bottom = p->y + p->h - (TICK_LENGTH + 4 + tick_height + 6 + label_height + 10);
    if (bottom - top < 40) bottom = top + 40;
    double y_target = (bottom - top) / 55.0;
    if (a->log_y)
        plot_log_ticks(&p->y_ticks, a->y_min, a->y_max, y_target);
    else
        plot_linear_ticks(&p->y_ticks, a->y_min, a->y_max, y_target, false);
    int widest = 0;
    for (int i = 0; i < p->y_ticks.count; i++) {
        int w, h;
        plot_text_size(f->tick_font, p->y_ticks.items[i].label, &w, &h);
        if (w > widest) widest = w;
    }
    int left = p->x + 14 + label_height + 10 + widest + 5 + TICK_LENGTH;
    int right = p->x + p->w - 28;
    if (right - left < 40) right = left + 40;
    a->left = left;
    a->right = right;
    a->top = top;
    a->bottom = bottom;
    plot_linear_ticks(&p->x_ticks, a->x_min, a->x_max, (right - left) / 95.0, p->integer_x);
}

static void draw_grid(figure *f, const panel *p) {
    const plot_axes *a = &p->axes;
    for (int i = 0; i < p->x_ticks.count; i++) {
        int x = (int)floor(to_pixel_x(a, p->x_ticks.items[i].position));
        if (x > a->left && x < a->right)
            plot_fill_rect(&f->canvas, x, a->top + 1, 1, a->bottom - a->top - 1, grid_colour);
    }
    for (int i = 0; i < p->y_ticks.count; i++) {
        if (!p->y_ticks.items[i].major) continue;
        int y = (int)floor(to_pixel_y(a, p->y_ticks.items[i].position));
        if (y > a->top && y < a->bottom)
            plot_fill_rect(&f->canvas, a->left + 1, y, a->right - a->left - 1, 1, grid_colour);
    }
}

static void draw_frame_and_labels(figure *f, const panel *p) {
    const plot_axes *a = &p->axes;
    plot_canvas *c = &f->canvas;
    int width = a->right - a->left + 1, height = a->bottom - a->top + 1;
    plot_fill_rect(c, a->left, a->top, width, 1, frame_colour);
    plot_fill_rect(c, a->left, a->bottom, width, 1, frame_colour);
    plot_fill_rect(c, a->left, a->top, 1, height, frame_colour);
    plot_fill_rect(c, a->right, a->top, 1, height, frame_colour);
    int tick_height = font_height(f->tick_font, 16);
    for (int i = 0; i < p->x_ticks.count; i++) {
        const plot_tick *t = &p->x_ticks.items[i];
        int x = (int)floor(to_pixel_x(a, t->position));
        if (x < a->left || x > a->right) continue;
        plot_fill_rect(c, x, a->bottom + 1, 1, TICK_LENGTH, frame_colour);
        plot_draw_text(c, f->tick_font, t->label, x, a->bottom + TICK_LENGTH + 4, PLOT_ALIGN_CENTRE,
                       PLOT_ALIGN_START, false, text_colour);
    }
    for (int i = 0; i < p->y_ticks.count; i++) {
        const plot_tick *t = &p->y_ticks.items[i];
        int y = (int)floor(to_pixel_y(a, t->position));
        if (y < a->top || y > a->bottom) continue;
        int length = t->major ? TICK_LENGTH : MINOR_TICK_LENGTH;
        plot_fill_rect(c, a->left - length, y, length, 1, frame_colour);
        if (t->major)
            plot_draw_text(c, f->tick_font, t->label, a->left - TICK_LENGTH - 5, y, PLOT_ALIGN_END,
                           PLOT_ALIGN_CENTRE, false, text_colour);
    }
    plot_draw_text(c, f->label_font, p->x_label, (a->left + a->right) / 2,
                   a->bottom + TICK_LENGTH + 4 + tick_height + 6, PLOT_ALIGN_CENTRE,
                   PLOT_ALIGN_START, false, text_colour);
    plot_draw_text(c, f->label_font, p->y_label, p->x + 14, (a->top + a->bottom) / 2,
                   PLOT_ALIGN_START, PLOT_ALIGN_CENTRE, true, text_colour);
}

/* Liang-Barsky: clips the segment to the rectangle; false when nothing is
 * left.  Keeps far-away points (1e300) away from the rasterizer. */
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

/* A segment of data in pixel coordinates, cut to a little beyond the frame
 * (the canvas clip trims the rest). */
static void data_segment(figure *f, const plot_axes *a, double x0, double y0, double x1, double y1,
                         double width) {
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1)) return;
    if (!clip_segment(&x0, &y0, &x1, &y1, a->left - 4, a->top - 4, a->right + 4, a->bottom + 4))
        return;
    plot_mask_segment(&f->canvas, x0, y0, x1, y1, width);
}

static bool inside(const plot_axes *a, double x, double y) {
    return x > a->left && x < a->right + 1 && y > a->top && y < a->bottom + 1;
}

/* Shows only the inside of the frame to data shapes. */
static void clip_to_frame(figure *f, const plot_axes *a) {
    plot_set_clip(&f->canvas, a->left + 1, a->top + 1, a->right, a->bottom);
}

static void clip_to_figure(figure *f) {
    plot_set_clip(&f->canvas, 0, 0, f->canvas.width, f->canvas.height);
}

/* A polyline through mapped points, broken where a point cannot be shown. */
typedef struct polyline {
    figure *f;
    const plot_axes *axes;
    double width;
    bool have_last;
    double last_x, last_y;
} polyline;

static void polyline_point(polyline *line, double x, double y, bool visible) {
    if (!visible || !isfinite(x) || !isfinite(y)) {
        line->have_last = false;
        return;
    }
    if (line->have_last)
        data_segment(line->f, line->axes, line->last_x, line->last_y, x, y, line->width);
    else
        data_segment(line->f, line->axes, x, y, x, y, line->width); /* a lone point shows */
    line->have_last = true;
    line->last_x = x;
    line->last_y = y;
}

/* A series drawn in the colour of the path with the same name, when there
 * is one (an optimizer's loss and its path match); else its own colour. */
static SDL_Color series_colour(const viz_plot *plot, const plot_series *s) {
    for (size_t k = 0; k < plot->path_count; k++)
        if (strcmp(plot->paths[k].name, s->name) == 0)
            return palette_colour(path_palette, SDL_arraysize(path_palette), plot->paths[k].colour);
    return palette_colour(series_palette, SDL_arraysize(series_palette), s->colour);
}

static void draw_series(figure *f, const plot_axes *a, const plot_series *s) {
    polyline line = {.f = f, .axes = a, .width = LINE_WIDTH};
    double columns = a->right - a->left;
    if ((double)s->count <= 4 * columns) {
        for (size_t i = 0; i < s->count; i++) {
            double y = 0;
            bool visible = value_pixel(a, s->values[i], &y);
            polyline_point(&line, to_pixel_x(a, (double)i), y, visible);
        }
    } else {
        /* More points than pixels: per pixel column the first, lowest,
         * highest and last point, which looks the same and stays fast. */
        size_t i = 0;
        while (i < s->count) {
            double column = floor(to_pixel_x(a, (double)i)) + 0.5;
            double first = NAN, last = NAN, lowest = INFINITY, highest = -INFINITY;
            bool broken = false;
            for (; i < s->count && floor(to_pixel_x(a, (double)i)) + 0.5 == column; i++) {
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
    if (s->count <= SMALL_SERIES) {
        for (size_t i = 0; i < s->count; i++) {
            double y;
            if (value_pixel(a, s->values[i], &y))
                plot_mask_disc(&f->canvas, to_pixel_x(a, (double)i), y, SERIES_DOT_RADIUS);
        }
    }
    plot_composite(&f->canvas, series_colour(f->plot, s));
}

static void draw_contour_lines(figure *f, const plot_axes *a, const plot_contour *contour) {
    /* segments come level by level: one mask and one colour per level */
    for (size_t i = 0; i < contour->segment_count; i++) {
        const plot_segment *s = &contour->segments[i];
        data_segment(f, a, to_pixel_x(a, s->x0), to_pixel_y(a, s->y0), to_pixel_x(a, s->x1),
                     to_pixel_y(a, s->y1), CONTOUR_LINE_WIDTH);
        if (i + 1 == contour->segment_count || contour->segments[i + 1].level != s->level)
            plot_composite(&f->canvas, level_colour(s->level, contour->level_count));
    }
}

static void draw_path(figure *f, const plot_axes *a, const plot_path *path) {
    SDL_Color colour = palette_colour(path_palette, SDL_arraysize(path_palette), path->colour);
    plot_canvas *c = &f->canvas;
    polyline line = {.f = f, .axes = a, .width = LINE_WIDTH};
    for (size_t i = 0; i < path->count; i++)
        polyline_point(&line, to_pixel_x(a, path->xs[i]), to_pixel_y(a, path->ys[i]),
                       isfinite(path->xs[i]) && isfinite(path->ys[i]));
    if (path->count <= SMALL_PATH) {
        for (size_t i = 1; i + 1 < path->count; i++) {
            double x = to_pixel_x(a, path->xs[i]), y = to_pixel_y(a, path->ys[i]);
            if (isfinite(x) && isfinite(y) && inside(a, x, y))
                plot_mask_disc(c, x, y, PATH_DOT_RADIUS);
        }
    }
    plot_composite(c, colour);
    /* the start and the current point: the first and last finite ones */
    size_t first = 0, last = path->count;
    while (first < path->count && !(isfinite(path->xs[first]) && isfinite(path->ys[first])))
        first++;
    while (last > first && !(isfinite(path->xs[last - 1]) && isfinite(path->ys[last - 1]))) last--;
    if (first >= last) return;
    double sx = to_pixel_x(a, path->xs[first]), sy = to_pixel_y(a, path->ys[first]);
    if (inside(a, sx, sy)) {
        plot_mask_disc(c, sx, sy, MARKER_RADIUS);
        plot_composite(c, background);
        plot_mask_ring(c, sx, sy, MARKER_RADIUS, 2.2);
        plot_composite(c, colour);
    }
    double cx = to_pixel_x(a, path->xs[last - 1]), cy = to_pixel_y(a, path->ys[last - 1]);
    if (inside(a, cx, cy)) {
        plot_mask_disc(c, cx, cy, MARKER_RADIUS + 1.3);
        plot_composite(c, frame_colour);
        plot_mask_disc(c, cx, cy, MARKER_RADIUS);
        plot_composite(c, colour);
    }
}

/* ---- legend ------------------------------------------------------------------ */

typedef struct legend_entry {
    const char *name;
    SDL_Color colour;
    double dot_radius; /* > 0: the swatch carries a dot, as the data does */
} legend_entry;

static bool in_box(SDL_Rect box, double x, double y) {
    return x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
}

/* How many of the drawn points the box would hide (sampled on long data):
 * the legend goes in the corner that hides the fewest. */
static size_t points_in_box(const viz_plot *plot, const plot_axes *a, bool series_panel,
                            SDL_Rect box) {
    size_t hidden = 0;
    if (series_panel) {
        for (size_t k = 0; k < plot->series_count; k++) {
            const plot_series *s = &plot->series[k];
            size_t stride = s->count / 2000 + 1;
            for (size_t i = 0; i < s->count; i += stride) {
                double y;
                if (value_pixel(a, s->values[i], &y) && in_box(box, to_pixel_x(a, (double)i), y))
                    hidden++;
            }
        }
    } else {
        for (size_t k = 0; k < plot->path_count; k++) {
            const plot_path *path = &plot->paths[k];
            size_t stride = path->count / 2000 + 1;
            for (size_t i = 0; i < path->count; i += stride)
                if (in_box(box, to_pixel_x(a, path->xs[i]), to_pixel_y(a, path->ys[i]))) hidden++;
        }
    }
    return hidden;
}

static void draw_legend(figure *f, const plot_axes *a, bool series_panel,
                        const legend_entry *entries, int count) {
    if (count == 0) return;
    plot_canvas *c = &f->canvas;
    const int swatch = 28, gap = 8, padding = 9, inset = 10;
    int row = font_height(f->tick_font, 16) + 5;
    int widest = 0;
    for (int i = 0; i < count; i++) {
        int w, h;
        plot_text_size(f->tick_font, entries[i].name, &w, &h);
        if (w > widest) widest = w;
    }
    int width = padding * 2 + swatch + (widest > 0 ? gap + widest : 0);
    int height = padding * 2 + row * count - 5;
    SDL_Rect corners[4] = {
        {a->right - inset - width, a->top + inset, width, height},
        {a->left + inset, a->top + inset, width, height},
        {a->right - inset - width, a->bottom - inset - height, width, height},
        {a->left + inset, a->bottom - inset - height, width, height},
    };
    SDL_Rect box = corners[0];
    size_t fewest = (size_t)-1;
    for (int i = 0; i < 4; i++) {
        size_t hidden = points_in_box(f->plot, a, series_panel, corners[i]);
        if (hidden < fewest) {
            fewest = hidden;
            box = corners[i];
        }
    }
    plot_fill_rect(c, box.x, box.y, box.w, box.h, legend_fill);
    plot_fill_rect(c, box.x, box.y, box.w, 1, legend_border);
    plot_fill_rect(c, box.x, box.y + box.h - 1, box.w, 1, legend_border);
    plot_fill_rect(c, box.x, box.y, 1, box.h, legend_border);
    plot_fill_rect(c, box.x + box.w - 1, box.y, 1, box.h, legend_border);
    for (int i = 0; i < count; i++) {
        double middle = box.y + padding + i * row + (row - 5) / 2.0;
        double x0 = box.x + padding + 1, x1 = box.x + padding + swatch - 1;
        plot_mask_segment(c, x0, middle, x1, middle, 2.6);
        if (entries[i].dot_radius > 0)
            plot_mask_disc(c, (x0 + x1) / 2, middle, entries[i].dot_radius);
        plot_composite(c, entries[i].colour);
        plot_draw_text(c, f->tick_font, entries[i].name, box.x + padding + swatch + gap,
                       (int)middle, PLOT_ALIGN_START, PLOT_ALIGN_CENTRE, false, text_colour);
    }
}

/* ---- the panels -------------------------------------------------------------- */

static void series_panel(figure *f, panel *p) {
    viz_plot *plot = f->plot;
    plot_axes *a = &p->axes;
    a->log_y = plot->log_y;
    range x = {0}, y = {0};
    size_t longest = 0;
    for (size_t k = 0; k < plot->series_count; k++) {
        const plot_series *s = &plot->series[k];
        if (s->count > longest) longest = s->count;
        for (size_t i = 0; i < s->count; i++) {
            double value = s->values[i];
            if (a->log_y) {
                if (!(value > 0)) continue;
                value = log10(value);
            }
            include(&y, value);
        }
    }
    if (longest > 0) {
        include(&x, 0);
        include(&x, longest > 1 ? (double)(longest - 1) : 1);
    }
    pad(&x, 0.03, 0.5);
    pad(&y, 0.05, a->log_y ? 0.5 : 1);
    a->x_min = x.low;
    a->x_max = x.high;
    a->y_min = y.low;
    a->y_max = y.high;
    p->x_label = "step";
    p->y_label = plot->series_count == 1 ? plot->series[0].name : "";
    p->integer_x = true;
    layout_panel(f, p);
    draw_grid(f, p);

    clip_to_frame(f, a);
    for (size_t k = 0; k < plot->series_count; k++) draw_series(f, a, &plot->series[k]);
    clip_to_figure(f);
    draw_frame_and_labels(f, p);

    legend_entry entries[MAX_LEGEND_ENTRIES];
    int count = 0;
    for (size_t k = 0; k < plot->series_count && count < MAX_LEGEND_ENTRIES; k++)
        entries[count++] = (legend_entry){
            plot->series[k].name,
            series_colour(plot, &plot->series[k]),
            plot->series[k].count <= SMALL_SERIES ? SERIES_DOT_RADIUS : 0};
    draw_legend(f, a, true, entries, count);
}

/* "11 levels, 1 to 2000 (log spacing)" above the contour panel. */
static void contour_caption(figure *f, const plot_contour *contour, const plot_axes *a) {
    if (contour->level_count == 0) return;
    char low[32], high[32], text[112];
    snprintf(low, sizeof low, "%.4g", contour->levels[0]);
    snprintf(high, sizeof high, "%.4g", contour->levels[contour->level_count - 1]);
    plot_tidy_exponent(low, sizeof low);
    plot_tidy_exponent(high, sizeof high);
    snprintf(text, sizeof text, "%d levels, %s to %s (%s spacing)", contour->level_count, low, high,
             contour->log_levels ? "log" : "linear");
    plot_draw_text(&f->canvas, f->tick_font, text, a->right, a->top - 5, PLOT_ALIGN_END,
                   PLOT_ALIGN_END, false, caption_colour);
}

static void contour_panel(figure *f, panel *p) {
    viz_plot *plot = f->plot;
    plot_axes *a = &p->axes;
    a->log_y = false;
    range x = {0}, y = {0};
    if (plot->contour.present) {
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
        pad(&x, 0.05, 1);
        pad(&y, 0.05, 1);
    }
    a->x_min = x.low;
    a->x_max = x.high;
    a->y_min = y.low;
    a->y_max = y.high;
    /* a single path tracked as "x, y" names the axes; otherwise x0 and x1 */
    char x_label[64] = "x0", y_label[64] = "x1";
    const char *comma = plot->path_count == 1 ? strstr(plot->paths[0].name, ", ") : NULL;
    if (comma != NULL && (size_t)(comma - plot->paths[0].name) < sizeof x_label &&
        strlen(comma + 2) < sizeof y_label && comma[2] != '\0' && comma != plot->paths[0].name) {
        snprintf(x_label, sizeof x_label, "%.*s", (int)(comma - plot->paths[0].name),
                 plot->paths[0].name);
        snprintf(y_label, sizeof y_label, "%s", comma + 2);
    }
    p->x_label = x_label;
    p->y_label = y_label;
    p->integer_x = false;
    layout_panel(f, p);
    draw_grid(f, p);

    clip_to_frame(f, a);
    if (plot->contour.present) draw_contour_lines(f, a, &plot->contour);
    for (size_t k = 0; k < plot->path_count; k++) draw_path(f, a, &plot->paths[k]);
    clip_to_figure(f);
    draw_frame_and_labels(f, p);
    if (plot->contour.present) contour_caption(f, &plot->contour, a);

    legend_entry entries[MAX_LEGEND_ENTRIES];
    int count = 0;
    for (size_t k = 0; k < plot->path_count && count < MAX_LEGEND_ENTRIES; k++)
        entries[count++] = (legend_entry){
            plot->paths[k].name,
            palette_colour(path_palette, SDL_arraysize(path_palette), plot->paths[k].colour),
            LEGEND_PATH_DOT_RADIUS};
    draw_legend(f, a, false, entries, count);
}

/* ---- fonts and the figure ---------------------------------------------------- */

static void load_fonts(viz_plot *plot) {
    if (plot->fonts_tried) return;
    plot->fonts_tried = true;
    if (TTF_Init() != 0) return;
    plot->ttf_started = true;
    plot->tick_font = TTF_OpenFont(plot->font_path, TICK_FONT_SIZE);
    plot->label_font = TTF_OpenFont(plot->font_path, LABEL_FONT_SIZE);
    if (plot->tick_font == NULL || plot->label_font == NULL) {
        /* draw without text rather than fail */
        if (plot->tick_font != NULL) TTF_CloseFont(plot->tick_font);
        if (plot->label_font != NULL) TTF_CloseFont(plot->label_font);
        plot->tick_font = plot->label_font = NULL;
    }
}

void plot_draw_release(viz_plot *plot) {
    if (plot->tick_font != NULL) TTF_CloseFont(plot->tick_font);
    if (plot->label_font != NULL) TTF_CloseFont(plot->label_font);
    plot->tick_font = plot->label_font = NULL;
    if (plot->ttf_started) TTF_Quit();
    plot->ttf_started = false;
    plot->fonts_tried = false;
    free(plot->mask);
    plot->mask = NULL;
    plot->mask_size = 0;
}

bool plot_draw_figure(viz_plot *plot, SDL_Surface *surface) {
    load_fonts(plot);
    figure f = {.plot = plot, .tick_font = plot->tick_font, .label_font = plot->label_font};
    if (!plot_canvas_begin(&f.canvas, surface, &plot->mask, &plot->mask_size)) return false;
    SDL_FillRect(surface, NULL,
                 SDL_MapRGB(surface->format, background.r, background.g, background.b));

    bool has_series = plot->series_count > 0;
    bool has_map = plot->contour.present || plot->path_count > 0;
    memset(plot->axes, 0, sizeof plot->axes);
    panel left = {.x = 0, .y = 0, .w = surface->w, .h = surface->h};
    if (has_series && has_map) {
        left.w = surface->w / 2;
        panel right = {.x = left.w, .y = 0, .w = surface->w - left.w, .h = surface->h};
        series_panel(&f, &left);
        contour_panel(&f, &right);
        plot->axes[VIZ_PLOT_PANEL_SERIES] = left.axes;
        plot->axes[VIZ_PLOT_PANEL_CONTOUR] = right.axes;
        plot->axes[VIZ_PLOT_PANEL_SERIES].present = true;
        plot->axes[VIZ_PLOT_PANEL_CONTOUR].present = true;
    } else if (has_map) {
        contour_panel(&f, &left);
        plot->axes[VIZ_PLOT_PANEL_CONTOUR] = left.axes;
        plot->axes[VIZ_PLOT_PANEL_CONTOUR].present = true;
    } else {
        series_panel(&f, &left); /* empty axes when there is nothing */
        plot->axes[VIZ_PLOT_PANEL_SERIES] = left.axes;
        plot->axes[VIZ_PLOT_PANEL_SERIES].present = true;
    }
    return true;
}
