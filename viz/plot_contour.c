/* plot_contour.c — level curves of a sampled grid: choosing the levels and
 * tracing them with marching squares.  Segments are kept in data
 * coordinates, so the figure can be redrawn at any size without tracing
 * again. */
#include "array.h"
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Linear levels aim at about this many curves; log levels at 1-2-5 (or
 * coarser) steps per decade. */
enum { LINEAR_LEVEL_TARGET = 12, MAX_LEVELS = VIZ_PLOT_MAX_LEVELS };

/* Automatic linear levels add these fractions of the step above the
 * minimum: the floor of a bowl, where optimizer paths end, is otherwise
 * blank (Matyas' path from (1, 1) stays below its first linear level). */
static const double floor_fractions[] = {0.02, 0.05, 0.1, 0.2, 0.5};
enum { FLOOR_LEVELS = sizeof floor_fractions / sizeof floor_fractions[0] };

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void linear_levels(plot_contour *contour, double *levels, int target) {
    double low = contour->value_min, high = contour->value_max;
    double step = plot_nice_step((high - low) / target);
    double first = floor(low / step) + 1;
    int count = 0;
    for (int i = 0; i < FLOOR_LEVELS; i++) {
        double level = low + floor_fractions[i] * step;
        if (level > low && level < first * step && level < high) levels[count++] = level;
    }
    /* bounded by tries too: far from zero, first + i may not change */
    for (int i = 0; i < 4 * MAX_LEVELS && count < MAX_LEVELS; i++) {
        double level = (first + i) * step;
        if (level >= high) break;
        if (level > low && (count == 0 || level > levels[count - 1])) levels[count++] = level;
    }
    contour->level_count = count;
}

/* Levels at value_min + m * 10^k for the mantissas m that suit the number of
 * decades between `lowest` (above the minimum) and the top of the range. */
static void log_levels(plot_contour *contour, double *levels, double lowest, int target) {
    double span = contour->value_max - contour->value_min;
    double decades = log10(span / lowest);
    static const double one_two_five[] = {1, 2, 5}, one_three[] = {1, 3}, one[] = {1};
    const double *mantissas = one;
    int mantissa_count = 1, decade_step = 1;
    /* per decade: 3 levels for the default target of 12 up to 4 decades */
    double per_decade = target / fmax(decades, 1);
    if (per_decade >= 2.5) {
        mantissas = one_two_five;
        mantissa_count = 3;
    } else if (per_decade >= 1.5) {
        mantissas = one_three;
        mantissa_count = 2;
    } else {
        decade_step = (int)ceil(decades / target);
    }
    int count = 0;
    int first = (int)floor(log10(lowest));
    int last = (int)ceil(log10(span));
    for (int decade = first; decade <= last && count < MAX_LEVELS; decade += decade_step) {
        for (int m = 0; m < mantissa_count && count < MAX_LEVELS; m++) {
            double offset = mantissas[m] * pow(10, decade);
            if (offset >= lowest && offset < span) levels[count++] = contour->value_min + offset;
        }
    }
    contour->level_count = count;
}

/* x rounded to `digits` significant digits. */
static double round_significant(double x, int digits) {
    if (x == 0 || !isfinite(x)) return x;
    double scale = pow(10, digits - 1 - (int)floor(log10(fabs(x))));
    return round(x * scale) / scale;
}

/* Exactly `count` levels, asked for with levels=N, spread over the whole
 * sampled range so that every part of the picture gets curves: with log
 * spacing at offsets above the minimum growing by one factor from `lowest`
 * to the top; with linear spacing evenly up to the top, the lowest one to
 * three of them at fractions of a step above the minimum (the floor of a
 * bowl, where an optimizer's path ends, gets rings).  Rounded to two
 * or three significant digits while that keeps them apart. */
static void counted_levels(plot_contour *contour, double *levels, int count, bool log_spacing,
                           double lowest) {
    double low = contour->value_min, span = contour->value_max - low;
    double offsets[MAX_LEVELS];
    if (log_spacing) {
        double factor = pow(span / lowest, 1.0 / count);
        for (int i = 0; i < count; i++) offsets[i] = lowest * pow(factor, i);
    } else {
        int floor_levels = count >= 12 ? 3 : count >= 8 ? 2 : count >= 4 ? 1 : 0;
        int even = count - floor_levels;
        double step = span / (even + 1);
        static const double fractions[4][3] = {{0}, {0.3}, {0.1, 0.35}, {0.04, 0.15, 0.4}};
        for (int i = 0; i < floor_levels; i++) offsets[i] = fractions[floor_levels][i] * step;
        for (int i = 0; i < even; i++) offsets[floor_levels + i] = (i + 1) * step;
    }
    for (int digits = 2; digits <= 17; digits++) {
        bool apart = true;
        for (int i = 0; i < count && apart; i++) {
            levels[i] = round_significant(low + offsets[i], digits);
            apart = levels[i] > low && levels[i] < contour->value_max &&
                    (i == 0 || levels[i] > levels[i - 1]);
        }
        if (apart) break;
        if (digits == 17)
            for (int i = 0; i < count; i++) levels[i] = low + offsets[i];
    }
    contour->level_count = count;
}

/* Fills value_min/max, log_levels and levels from the finite samples, as
 * `wanted` asks (NULL: automatic). */
static int choose_levels(plot_contour *contour, const double *values, size_t count,
                         const viz_plot_levels *wanted) {
    double *sorted = malloc(count * sizeof *sorted);
    contour->levels = malloc(MAX_LEVELS * sizeof *contour->levels);
    if (sorted == NULL || contour->levels == NULL) {
        free(sorted);
        return -1;
    }
    size_t finite = 0;
    for (size_t i = 0; i < count; i++)
        if (isfinite(values[i])) sorted[finite++] = values[i];
    /* given levels need only the ends (a boundary's one level, redrawn live) */
    if (wanted != NULL && wanted->values != NULL && finite > 0) {
        double low = INFINITY, high = -INFINITY;
        for (size_t i = 0; i < finite; i++) {
            if (sorted[i] < low) low = sorted[i];
            if (sorted[i] > high) high = sorted[i];
        }
        sorted[0] = low;
        sorted[finite - 1] = high;
    } else {
        qsort(sorted, finite, sizeof *sorted, compare_doubles);
    }
    /* nothing finite (a class's margin where one score is NaN): no curve */
    contour->value_min = finite > 0 ? sorted[0] : NAN;
    contour->value_max = finite > 0 ? sorted[finite - 1] : NAN;
    double span = contour->value_max - contour->value_min;
    contour->level_count = 0;
    if (wanted != NULL && wanted->values != NULL) {
        /* the user's levels, sorted, once each */
        for (int i = 0; i < wanted->count; i++) contour->levels[i] = wanted->values[i];
        qsort(contour->levels, (size_t)wanted->count, sizeof *contour->levels, compare_doubles);
        int kept = 0;
        for (int i = 0; i < wanted->count; i++)
            if (kept == 0 || contour->levels[i] > contour->levels[kept - 1])
                contour->levels[kept++] = contour->levels[i];
        contour->level_count = kept;
        contour->given_levels = true;
        contour->log_levels = wanted->spacing == VIZ_PLOT_SPACING_LOG;
    } else if (span > 0) {
        int target = wanted != NULL && wanted->count > 0 ? wanted->count : LINEAR_LEVEL_TARGET;
        viz_plot_spacing spacing = wanted != NULL ? wanted->spacing : VIZ_PLOT_SPACING_AUTO;
        /* Bowls like x^2 + y^2 have a tenth of their area within a few percent
         * of the range above the minimum; valleys like Rosenbrock's have it
         * within a fraction of a percent, and only log levels show them. */
        double tenth = sorted[finite / 10] - contour->value_min;
        /* A function that goes negative, or that piles up at its top as
         * much as at its floor (tanh(5*b): two flat plateaus), is no
         * valley: log levels would all crowd one plateau's edge. */
        double top_tenth = contour->value_max - sorted[finite - 1 - finite / 10];
        bool valley = contour->value_min >= 0 && tenth > 0 && span / tenth > 100 && span / top_tenth < 100;
        contour->log_levels = spacing == VIZ_PLOT_SPACING_AUTO ? valley : spacing == VIZ_PLOT_SPACING_LOG;
        double lowest = sorted[finite / 100] - contour->value_min;
        if (!(lowest > span * 1e-9)) lowest = span * 1e-9;
        if (wanted != NULL && wanted->count > 0)
            counted_levels(contour, contour->levels, wanted->count, contour->log_levels, lowest);
        else if (contour->log_levels)
            log_levels(contour, contour->levels, lowest, target);
        else
            linear_levels(contour, contour->levels, target);
    }
    free(sorted);
    return 0;
}

typedef struct segment_list {
    plot_segment *items;
    size_t count, capacity;
} segment_list;

static bool add_segment(segment_list *list, double x0, double y0, double x1, double y1, int level) {
    if (!ARRAY_RESERVE(list->items, list->capacity, list->count, 1)) return false;
    list->items[list->count++] = (plot_segment){x0, y0, x1, y1, level};
    return true;
}

/* Marching squares on one cell.  Corners: 0 = (x0, y0), 1 = (x1, y0),
 * 2 = (x1, y1), 3 = (x0, y1); edges: 0 = bottom (corners 0-1), 1 = right
 * (1-2), 2 = top (3-2), 3 = left (0-3).  For each of the 16 above/below
 * patterns, the pairs of edges the level crosses; the two saddles (5, 10)
 * are resolved below by the cell's mean value. */
static const signed char cell_edges[16][4] = {
    {-1, -1, -1, -1}, {0, 3, -1, -1}, {0, 1, -1, -1}, {1, 3, -1, -1},
    {1, 2, -1, -1},   {0, 3, 1, 2},   {0, 2, -1, -1}, {2, 3, -1, -1},
    {2, 3, -1, -1},   {0, 2, -1, -1}, {0, 1, 2, 3},   {1, 2, -1, -1},
    {1, 3, -1, -1},   {0, 1, -1, -1}, {0, 3, -1, -1}, {-1, -1, -1, -1},
};

static void edge_point(int edge, const double corner[4], double level, double x0, double y0,
                       double x1, double y1, double *x, double *y) {
    static const int from[4] = {0, 1, 3, 0}, to[4] = {1, 2, 2, 3};
    double a = corner[from[edge]], b = corner[to[edge]];
    double t = (level - a) / (b - a);
    switch (edge) {
    case 0:
        *x = x0 + t * (x1 - x0);
        *y = y0;
        break;
    case 1:
        *x = x1;
        *y = y0 + t * (y1 - y0);
        break;
    case 2:
        *x = x0 + t * (x1 - x0);
        *y = y1;
        break;
    default:
        *x = x0;
        *y = y0 + t * (y1 - y0);
        break;
    }
}

static bool trace_level(segment_list *list, const plot_contour *contour, const double *values,
                        int columns, int rows, int level_index) {
    double level = contour->levels[level_index];
    double dx = (contour->xhi - contour->xlo) / (columns - 1);
    double dy = (contour->yhi - contour->ylo) / (rows - 1);
    for (int row = 0; row + 1 < rows; row++) {
        for (int column = 0; column + 1 < columns; column++) {
            const double *low = values + (size_t)row * columns + column;
            const double *high = low + columns;
            double corner[4] = {low[0], low[1], high[1], high[0]};
            if (!isfinite(corner[0]) || !isfinite(corner[1]) || !isfinite(corner[2]) ||
                !isfinite(corner[3]))
                continue;
            int pattern = 0;
            for (int c = 0; c < 4; c++)
                if (corner[c] > level) pattern |= 1 << c;
            const signed char *edges = cell_edges[pattern];
            if (edges[0] < 0) continue;
            signed char resolved[4] = {edges[0], edges[1], edges[2], edges[3]};
            if (pattern == 5 || pattern == 10) {
                /* centre above: the above corners join through it, so the
                 * curves cut off the below corners, and the other way round */
                bool centre_above = (corner[0] + corner[1] + corner[2] + corner[3]) / 4 > level;
                bool cut_corners_0_2 = (pattern == 5) != centre_above;
                static const signed char around_0_2[4] = {0, 3, 1, 2};
                static const signed char around_1_3[4] = {0, 1, 2, 3};
                memcpy(resolved, cut_corners_0_2 ? around_0_2 : around_1_3, 4);
            }
            double x0 = contour->xlo + column * dx, x1 = x0 + dx;
            double y0 = contour->ylo + row * dy, y1 = y0 + dy;
            for (int pair = 0; pair < 4 && resolved[pair] >= 0; pair += 2) {
                double ax, ay, bx, by;
                edge_point(resolved[pair], corner, level, x0, y0, x1, y1, &ax, &ay);
                edge_point(resolved[pair + 1], corner, level, x0, y0, x1, y1, &bx, &by);
                if (!add_segment(list, ax, ay, bx, by, level_index)) return false;
            }
        }
    }
    return true;
}

int plot_contour_trace(plot_contour *contour, const double *values, int columns, int rows,
                       const viz_plot_levels *levels) {
    if (choose_levels(contour, values, (size_t)columns * rows, levels) != 0) return -1;
    segment_list list = {0};
    for (int level = 0; level < contour->level_count; level++) {
        if (!trace_level(&list, contour, values, columns, rows, level)) {
            free(list.items);
            return -1;
        }
    }
    contour->segments = list.items;
    contour->segment_count = list.count;
    return 0;
}

void plot_contour_caption(const plot_contour *contour, char *text, size_t size) {
    text[0] = '\0';
    if (contour->level_count == 0) return;
    /* three digits, more when the ends would read alike (levels from 1 to
     * 1.00002 read "1 to 1") */
    char low[32], high[32];
    double first = contour->levels[0], last = contour->levels[contour->level_count - 1];
    for (int digits = 3; digits <= 17; digits++) {
        snprintf(low, sizeof low, "%.*g", digits, first);
        snprintf(high, sizeof high, "%.*g", digits, last);
        if (first == last || strcmp(low, high) != 0) break;
    }
    plot_tidy_exponent(low, sizeof low);
    plot_tidy_exponent(high, sizeof high);
    plot_real_minus(low, sizeof low);
    plot_real_minus(high, sizeof high);
    snprintf(text, size, "%d level%s, %s to %s (%s)", contour->level_count, contour->level_count == 1 ? "" : "s",
             low, high,
             contour->given_levels ? "given"
             : contour->log_levels ? "log spacing"
                                   : "linear spacing");
}
