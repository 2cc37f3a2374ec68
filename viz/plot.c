/* plot.c — the recorded figure: series, paths and the sampled contour.
 * Drawing is in plot_draw.c, level curves in plot_contour.c, the window and
 * savefig in plot_window.c. */
#include "plot_internal.h"

#include "ag_format.h"
#include "array.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number in a message as the REPL shows it (NaN, +Inf, 0.1), in one of
 * four buffers so a message can hold four. */
static const char *number_text(double v, int slot) {
    static _Thread_local char buffers[4][AG_NUMBUF];
    return ag_format_display(v, 0, buffers[slot]);
}

int plot_fail(char err[VIZ_ERRLEN], const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(err, VIZ_ERRLEN, format, arguments);
    va_end(arguments);
    return -1;
}

static char *copy_string(const char *text) {
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    if (copy != NULL) memcpy(copy, text, length + 1);
    return copy;
}

bool plot_has_map(const viz_plot *plot) {
    return plot->contour.present || plot->path_count > 0 || plot->mark_count > 0 ||
           plot->points.count > 0 || plot->field.present;
}

bool plot_series_in_panel(const plot_series *s, viz_plot_panel which) {
    return (s->xs != NULL) == (which == VIZ_PLOT_PANEL_XY);
}

void plot_name_axes(const viz_plot *plot, viz_plot_panel which, plot_axis_names *names) {
    const char *given_x = plot->x_labels[which], *given_y = plot->y_labels[which];
    if (which == VIZ_PLOT_PANEL_CONTOUR) {
        snprintf(names->split[0], sizeof names->split[0], "x0");
        snprintf(names->split[1], sizeof names->split[1], "x1");
        const char *whole = plot->path_count == 1 ? plot->paths[0].name : NULL;
        const char *comma = whole != NULL ? strstr(whole, ", ") : NULL;
        if (comma != NULL && comma != whole && comma[2] != '\0' &&
            (size_t)(comma - whole) < sizeof names->split[0] && strlen(comma + 2) < sizeof names->split[1]) {
            snprintf(names->split[0], sizeof names->split[0], "%.*s", (int)(comma - whole), whole);
            snprintf(names->split[1], sizeof names->split[1], "%s", comma + 2);
        }
        names->x = given_x ? given_x : names->split[0];
        names->y = given_y ? given_y : names->split[1];
        return;
    }
    /* a loss by step (no xs) or a whole series (xs): the panel's lines */
    size_t shown = 0;
    const char *only = "";
    for (size_t k = 0; k < plot->series_count; k++)
        if (plot_series_in_panel(&plot->series[k], which)) {
            shown++;
            only = plot->series[k].name;
        }
    names->split[0][0] = names->split[1][0] = '\0';
    names->x = given_x ? given_x : which == VIZ_PLOT_PANEL_SERIES ? "step" : "x";
    names->y = given_y ? given_y : shown == 1 ? only : "";
}

/* Left to right as TensorFlow Playground reads: the losses, whole series,
 * the network's units, the map (data, boundary, paths), then the pictures. */
int plot_panel_order(const viz_plot *plot, viz_plot_panel order[VIZ_PLOT_PANEL_COUNT]) {
    bool has_steps = false, has_xy = false;
    for (size_t k = 0; k < plot->series_count; k++) {
        if (plot->series[k].xs != NULL) has_xy = true;
        else has_steps = true;
    }
    bool has_map = plot_has_map(plot);
    bool has_other = plot->neurons.present || plot->heatmap.present || plot->images.present;
    int panels = 0;
    if (has_steps || (!has_xy && !has_map && !has_other)) order[panels++] = VIZ_PLOT_PANEL_SERIES;
    if (has_xy) order[panels++] = VIZ_PLOT_PANEL_XY;
    if (plot->neurons.present) order[panels++] = VIZ_PLOT_PANEL_NEURONS;
    if (has_map) order[panels++] = VIZ_PLOT_PANEL_CONTOUR;
    if (plot->heatmap.present) order[panels++] = VIZ_PLOT_PANEL_HEATMAP;
    if (plot->images.present) order[panels++] = VIZ_PLOT_PANEL_IMAGES;
    return panels;
}

/* True when the figure holds nothing to draw (its own panels; not its sheets'). */
static bool plot_is_empty(const viz_plot *plot) {
    return plot->series_count == 0 && !plot_has_map(plot) && !plot->neurons.present && !plot->heatmap.present &&
           !plot->images.present;
}

/* Moves panel `from` to index `to` (the ones between shift by one). */
static void move_panel(const viz_plot *owners[], viz_plot_panel kinds[], int from, int to) {
    const viz_plot *owner = owners[from];
    viz_plot_panel kind = kinds[from];
    for (int i = from; i < to; i++) owners[i] = owners[i + 1], kinds[i] = kinds[i + 1];
    for (int i = from; i > to; i--) owners[i] = owners[i - 1], kinds[i] = kinds[i - 1];
    owners[to] = owner;
    kinds[to] = kind;
}

/* The map of panel="before" goes just left of the map it is compared with
 * (the first other map: the figure's own, else a panel='s), in one row:
 * when the pair would straddle two rows, the panel left of them moves
 * right of them. */
static void place_before(const viz_plot *owners[], viz_plot_panel kinds[], int count) {
    int before = -1, map = -1;
    for (int i = 0; i < count; i++) {
        if (plot_is_before_map(owners[i], kinds[i])) {
            if (before < 0) before = i;
        } else if (kinds[i] == VIZ_PLOT_PANEL_CONTOUR && map < 0) {
            map = i;
        }
    }
    if (before < 0 || map < 0) return;
    if (before > map) move_panel(owners, kinds, before, map); /* before at map, the map right of it */
    else move_panel(owners, kinds, before, --map);
    /* now before at `map`, its map at map + 1 */
    if (count > PLOT_PANELS_ACROSS && map % PLOT_PANELS_ACROSS == PLOT_PANELS_ACROSS - 1)
        move_panel(owners, kinds, map - 1, map + 1);
}

int plot_figure_panels(const viz_plot *plot, const viz_plot *owners[PLOT_MAX_FIGURE_PANELS],
                       viz_plot_panel kinds[PLOT_MAX_FIGURE_PANELS]) {
    bool sheets = false;
    for (int k = 0; k < plot->sheet_count; k++) sheets = sheets || !plot_is_empty(plot->sheets[k]);
    int count = 0;
    if (!sheets || !plot_is_empty(plot)) {
        viz_plot_panel order[VIZ_PLOT_PANEL_COUNT];
        int own = plot_panel_order(plot, order);
        for (int i = 0; i < own; i++) {
            owners[count] = plot;
            kinds[count++] = order[i];
        }
    }
    /* numbered sheets by their number, then named ones as they were made */
    for (int pass = 0; pass < 2; pass++)
        for (int number = pass == 0 ? 1 : 0; number <= (pass == 0 ? VIZ_PLOT_MAX_SHEETS : 0); number++)
            for (int k = 0; k < plot->sheet_count; k++) {
                const viz_plot *sheet = plot->sheets[k];
                if (sheet->sheet_number != number || plot_is_empty(sheet)) continue;
                viz_plot_panel order[VIZ_PLOT_PANEL_COUNT];
                int own = plot_panel_order(sheet, order); /* one kind a sheet */
                for (int i = 0; i < own && count < PLOT_MAX_FIGURE_PANELS; i++) {
                    owners[count] = sheet;
                    kinds[count++] = order[i];
                }
            }
    place_before(owners, kinds, count);
    return count;
}

bool plot_is_before_map(const viz_plot *owner, viz_plot_panel kind) {
    return kind == VIZ_PLOT_PANEL_CONTOUR && owner->parent != NULL && owner->sheet_name != NULL &&
           strcmp(owner->sheet_name, "before") == 0;
}

int plot_panel_count(const viz_plot *plot) {
    const viz_plot *owners[PLOT_MAX_FIGURE_PANELS];
    viz_plot_panel kinds[PLOT_MAX_FIGURE_PANELS];
    return plot_figure_panels(plot, owners, kinds);
}

/* What a panel of `kind` shows, for messages. */
static const char *kind_text(viz_plot_panel kind) {
    switch (kind) {
    case VIZ_PLOT_PANEL_SERIES: return "series by step (plot(v))";
    case VIZ_PLOT_PANEL_XY: return "whole series (plot(xs, ys))";
    case VIZ_PLOT_PANEL_CONTOUR: return "the map (contour, boundary, scatter, track, mark)";
    case VIZ_PLOT_PANEL_NEURONS: return "the network's units (neurons)";
    case VIZ_PLOT_PANEL_HEATMAP: return "a heat map";
    case VIZ_PLOT_PANEL_IMAGES: return "images";
    default: return "nothing";
    }
}

viz_plot *viz_plot_find_sheet(const viz_plot *plot, const char *name, int number) {
    if (plot == NULL) return NULL;
    for (int k = 0; k < plot->sheet_count; k++) {
        viz_plot *sheet = plot->sheets[k];
        if (number > 0 ? sheet->sheet_number == number
                       : sheet->sheet_name != NULL && name != NULL && strcmp(sheet->sheet_name, name) == 0)
            return sheet;
    }
    return NULL;
}

viz_plot *viz_plot_sheet(viz_plot *plot, const char *name, int number, viz_plot_panel kind, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure"), NULL;
    if ((unsigned)kind >= VIZ_PLOT_PANEL_COUNT) return plot_fail(err, "no panel kind %d", (int)kind), NULL;
    char shown[16] = "";
    if (number != 0) {
        if (number < 1 || number > VIZ_PLOT_MAX_SHEETS)
            return plot_fail(err, "panel must be a name or a whole number from 1 to %d, not %d", VIZ_PLOT_MAX_SHEETS,
                             number),
                   NULL;
        snprintf(shown, sizeof shown, "%d", number);
    } else {
        if (name == NULL || name[0] == '\0')
            return plot_fail(err, "panel must be a name or a whole number from 1 to %d, not \"\"", VIZ_PLOT_MAX_SHEETS),
                   NULL;
        if (strlen(name) > VIZ_PLOT_MAX_SHEET_NAME)
            return plot_fail(err, "a panel's name is at most %d bytes, not %zu", VIZ_PLOT_MAX_SHEET_NAME,
                             strlen(name)),
                   NULL;
        for (const char *c = name; *c; c++)
            if ((unsigned char)*c < 32 || *c == 127)
                return plot_fail(err, "a panel's name must not hold control characters"), NULL;
    }
    viz_plot *sheet = viz_plot_find_sheet(plot, name, number);
    if (sheet != NULL) {
        viz_plot_panel order[VIZ_PLOT_PANEL_COUNT];
        if (!plot_is_empty(sheet) && plot_panel_order(sheet, order) >= 1 && order[0] != kind) {
            if (number > 0)
                return plot_fail(err, "panel %d holds %s; %s cannot go there (choose another panel=)", number,
                                 kind_text(order[0]), kind_text(kind)),
                       NULL;
            return plot_fail(err, "panel \"%s\" holds %s; %s cannot go there (choose another panel=)", name,
                             kind_text(order[0]), kind_text(kind)),
                   NULL;
        }
        return sheet;
    }
    if (plot->sheet_count >= VIZ_PLOT_MAX_SHEETS)
        return plot_fail(err, "at most %d panels chosen by panel= (clearplot() forgets them)", VIZ_PLOT_MAX_SHEETS),
               NULL;
    sheet = viz_plot_new(true);
    char *copy = number > 0 ? NULL : copy_string(name);
    if (sheet == NULL || (number == 0 && copy == NULL)) {
        viz_plot_free(sheet);
        free(copy);
        return plot_fail(err, "out of memory making panel %s", number > 0 ? shown : name), NULL;
    }
    sheet->parent = plot;
    sheet->sheet_name = copy;
    sheet->sheet_number = number;
    sheet->zoom = plot->zoom;
    plot->sheets[plot->sheet_count++] = sheet;
    return sheet;
}

static bool headless_from_environment(void) {
    const char *value = getenv("AGREPL_HEADLESS");
    return value != NULL && value[0] != '\0' && strcmp(value, "0") != 0;
}

viz_plot *viz_plot_new(bool headless) {
    viz_plot *plot = calloc(1, sizeof *plot);
    if (plot == NULL) return NULL;
    plot->headless = headless || headless_from_environment();
    plot->zoom = 1;
    /* for the window tests: when each redraw started and what it cost */
    const char *trace = getenv("AGREPL_PLOT_TRACE");
    if (!plot->headless && trace != NULL && trace[0] != '\0') plot->trace = fopen(trace, "w");
    return plot;
}

static void free_contour(plot_contour *contour) {
    free(contour->levels);
    free(contour->segments);
    memset(contour, 0, sizeof *contour);
}

static void free_data(viz_plot *plot) {
    for (size_t i = 0; i < plot->series_count; i++) {
        free(plot->series[i].name);
        free(plot->series[i].values);
        free(plot->series[i].xs);
    }
    free(plot->series);
    plot->series = NULL;
    plot->series_count = plot->series_capacity = 0;
    for (size_t i = 0; i < plot->path_count; i++) {
        free(plot->paths[i].name);
        free(plot->paths[i].xs);
        free(plot->paths[i].ys);
    }
    free(plot->paths);
    plot->paths = NULL;
    plot->path_count = plot->path_capacity = 0;
    for (size_t i = 0; i < plot->mark_count; i++) free(plot->marks[i].label);
    free(plot->marks);
    plot->marks = NULL;
    plot->mark_count = plot->mark_capacity = 0;
    free(plot->title);
    plot->title = NULL;
    for (int i = 0; i < VIZ_PLOT_PANEL_COUNT; i++) {
        free(plot->x_labels[i]);
        free(plot->y_labels[i]);
        plot->x_labels[i] = plot->y_labels[i] = NULL;
    }
    free_contour(&plot->contour);
    plot_maps_free(plot);
    for (int k = 0; k < plot->sheet_count; k++) viz_plot_free(plot->sheets[k]);
    plot->sheet_count = 0;
}

void viz_plot_free(viz_plot *plot) {
    if (plot == NULL) return;
    plot_window_release(plot);
    free_data(plot);
    if (plot->trace != NULL) fclose(plot->trace);
    free(plot->sheet_name);
    free(plot);
}

void viz_plot_clear(viz_plot *plot) {
    if (plot == NULL) return;
    free_data(plot);
    plot->log_y = false;
    memset(plot->axes, 0, sizeof plot->axes);
    plot->dirty = true;
}

void viz_plot_set_log(viz_plot *plot, bool log_scale) {
    if (plot == NULL || plot->log_y == log_scale) return;
    plot->log_y = log_scale;
    plot->dirty = true;
}


/* The series named `name`, created (with the next colour) when new; NULL when
 * out of memory. */
static plot_series *find_or_add_series(viz_plot *plot, const char *name) {
    for (size_t i = 0; i < plot->series_count; i++)
        if (strcmp(plot->series[i].name, name) == 0) return &plot->series[i];
    if (!ARRAY_RESERVE(plot->series, plot->series_capacity, plot->series_count, 1)) return NULL;
    char *copy = copy_string(name);
    if (copy == NULL) return NULL;
    plot_series *series = &plot->series[plot->series_count];
    memset(series, 0, sizeof *series);
    series->name = copy;
    series->colour = (int)plot->series_count;
    plot->series_count++;
    return series;
}

int viz_plot_append(viz_plot *plot, const char *series_name, double value, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (series_name == NULL || series_name[0] == '\0')
        return plot_fail(err, "a series needs a name");
    plot_series *series = find_or_add_series(plot, series_name);
    if (series != NULL && series->xs != NULL)
        return plot_fail(err,
                         "series '%s' holds whole (x, y) data: a value cannot be appended to it "
                         "(give it another name)",
                         series_name);
    if (series == NULL || !ARRAY_RESERVE(series->values, series->capacity, series->count, 1))
        return plot_fail(err, "out of memory adding to series '%s'", series_name);
    series->values[series->count++] = value;
    plot_window_touch(plot);
    return 0;
}

int viz_plot_series(viz_plot *plot, const char *series_name, const double *xs, const double *ys,
                    size_t count, bool points, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (series_name == NULL || series_name[0] == '\0')
        return plot_fail(err, "a series needs a name");
    if (count > SIZE_MAX / 2 / sizeof(double))
        return plot_fail(err, "out of memory setting series '%s'", series_name);
    size_t bytes = (count > 0 ? count : 1) * sizeof(double);
    double *new_xs = malloc(bytes), *new_ys = malloc(bytes);
    plot_series *series = new_xs && new_ys ? find_or_add_series(plot, series_name) : NULL;
    if (series == NULL) {
        free(new_xs);
        free(new_ys);
        return plot_fail(err, "out of memory setting series '%s'", series_name);
    }
    if (count > 0) {
        memcpy(new_xs, xs, count * sizeof(double));
        memcpy(new_ys, ys, count * sizeof(double));
    }
    free(series->xs);
    free(series->values);
    series->xs = new_xs;
    series->values = new_ys;
    series->count = series->capacity = count;
    series->points = points;
    plot_window_touch(plot);
    return 0;
}

int viz_plot_set_title(viz_plot *plot, const char *title, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    char *copy = NULL;
    if (title != NULL && title[0] != '\0' && (copy = copy_string(title)) == NULL)
        return plot_fail(err, "out of memory setting the title");
    free(plot->title);
    plot->title = copy;
    plot_window_touch(plot);
    return 0;
}

int viz_plot_set_labels(viz_plot *plot, viz_plot_panel panel, const char *x_label, const char *y_label,
                        char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if ((int)panel < 0 || (int)panel >= VIZ_PLOT_PANEL_COUNT) return plot_fail(err, "no panel %d", (int)panel);
    char *x_copy = NULL, *y_copy = NULL;
    if ((x_label != NULL && x_label[0] != '\0' && (x_copy = copy_string(x_label)) == NULL) ||
        (y_label != NULL && y_label[0] != '\0' && (y_copy = copy_string(y_label)) == NULL)) {
        free(x_copy);
        return plot_fail(err, "out of memory setting the axis labels");
    }
    if (x_label != NULL) {
        free(plot->x_labels[panel]);
        plot->x_labels[panel] = x_copy;
    }
    if (y_label != NULL) {
        free(plot->y_labels[panel]);
        plot->y_labels[panel] = y_copy;
    }
    plot_window_touch(plot);
    return 0;
}

int viz_plot_mark(viz_plot *plot, double x, double y, const char *label, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (!isfinite(x) || !isfinite(y))
        return plot_fail(err, "a mark needs a finite point, not (%s, %s)", number_text(x, 0),
                         number_text(y, 1));
    if (!ARRAY_RESERVE(plot->marks, plot->mark_capacity, plot->mark_count, 1))
        return plot_fail(err, "out of memory adding a mark");
    char *copy = copy_string(label != NULL ? label : "");
    if (copy == NULL) return plot_fail(err, "out of memory adding a mark");
    plot->marks[plot->mark_count++] = (plot_mark){x, y, copy};
    plot_window_touch(plot);
    return 0;
}

void viz_plot_set_zoom(viz_plot *plot, double zoom) {
    if (plot == NULL || !(zoom >= 0.25 && zoom <= 8) || plot->zoom == zoom) return;
    plot->zoom = zoom;
    plot->dirty = true;
    plot_window_fit(plot);
}

static plot_path *find_or_add_path(viz_plot *plot, const char *name) {
    for (size_t i = 0; i < plot->path_count; i++)
        if (strcmp(plot->paths[i].name, name) == 0) return &plot->paths[i];
    if (!ARRAY_RESERVE(plot->paths, plot->path_capacity, plot->path_count, 1)) return NULL;
    char *copy = copy_string(name);
    if (copy == NULL) return NULL;
    plot_path *path = &plot->paths[plot->path_count];
    memset(path, 0, sizeof *path);
    path->name = copy;
    path->colour = (int)plot->path_count;
    plot->path_count++;
    return path;
}

int viz_plot_track(viz_plot *plot, const char *path_name, double x, double y, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (path_name == NULL || path_name[0] == '\0') return plot_fail(err, "a path needs a name");
    plot_path *path = find_or_add_path(plot, path_name);
    if (path == NULL) return plot_fail(err, "out of memory adding to path '%s'", path_name);
    /* xs and ys grow together: capacity is shared, so grow a copy of it for each */
    if (path->count == path->capacity) {
        size_t capacity_x = path->capacity, capacity_y = path->capacity;
        if (!ARRAY_RESERVE(path->xs, capacity_x, path->count, 1) ||
            !ARRAY_RESERVE(path->ys, capacity_y, path->count, 1))
            return plot_fail(err, "out of memory adding to path '%s'", path_name);
        path->capacity = capacity_x < capacity_y ? capacity_x : capacity_y;
    }
    path->xs[path->count] = x;
    path->ys[path->count] = y;
    path->count++;
    plot_window_touch(plot);
    return 0;
}

int viz_plot_contour(viz_plot *plot, double (*f)(void *user, double x, double y), void *user,
                     double xlo, double xhi, double ylo, double yhi, char err[VIZ_ERRLEN]) {
    return viz_plot_contour_levels(plot, f, user, xlo, xhi, ylo, yhi, NULL, err);
}

int viz_plot_contour_levels(viz_plot *plot, double (*f)(void *user, double x, double y), void *user,
                            double xlo, double xhi, double ylo, double yhi,
                            const viz_plot_levels *levels, char err[VIZ_ERRLEN]) {
    if (plot == NULL) return plot_fail(err, "no figure");
    if (f == NULL) return plot_fail(err, "contour needs a function");
    if (levels != NULL && (levels->count < 0 || levels->count > VIZ_PLOT_MAX_LEVELS ||
                           (levels->values != NULL && levels->count < 1)))
        return plot_fail(err, "levels must be 1 to %d, not %d", VIZ_PLOT_MAX_LEVELS,
                         levels->count);
    if (levels != NULL && levels->values != NULL)
        for (int i = 0; i < levels->count; i++)
            if (!isfinite(levels->values[i]))
                return plot_fail(err, "level %d is %s: levels must be finite", i + 1,
                                 number_text(levels->values[i], 0));
    if (!isfinite(xlo) || !isfinite(xhi) || !(xlo < xhi))
        return plot_fail(err, "x range [%s, %s] is empty: it needs lo < hi", number_text(xlo, 0),
                         number_text(xhi, 1));
    if (!isfinite(ylo) || !isfinite(yhi) || !(ylo < yhi))
        return plot_fail(err, "y range [%s, %s] is empty: it needs lo < hi", number_text(ylo, 0),
                         number_text(yhi, 1));
    const int grid = VIZ_PLOT_CONTOUR_GRID;
    double *values = malloc((size_t)grid * grid * sizeof *values);
    if (values == NULL) return plot_fail(err, "out of memory sampling the contour");
    size_t finite = 0;
    for (int row = 0; row < grid; row++) {
        double y = ylo + (yhi - ylo) * row / (grid - 1);
        for (int column = 0; column < grid; column++) {
            double x = xlo + (xhi - xlo) * column / (grid - 1);
            double value = f(user, x, y);
            values[(size_t)row * grid + column] = value;
            if (isfinite(value)) finite++;
        }
    }
    if (finite == 0) {
        free(values);
        return plot_fail(err, "the function is not finite anywhere in [%s, %s] x [%s, %s]",
                         number_text(xlo, 0), number_text(xhi, 1), number_text(ylo, 2),
                         number_text(yhi, 3));
    }
    plot_contour traced = {.present = true, .xlo = xlo, .xhi = xhi, .ylo = ylo, .yhi = yhi};
    int status = plot_contour_trace(&traced, values, grid, grid, levels);
    free(values);
    if (status != 0) {
        free_contour(&traced);
        return plot_fail(err, "out of memory tracing the contour");
    }
    free_contour(&plot->contour);
    plot->contour = traced;
    plot_window_touch(plot);
    return 0;
}

bool viz_plot_window_open(const viz_plot *plot) {
    return plot != NULL && plot->window != NULL;
}

bool viz_plot_data_to_pixel(const viz_plot *plot, viz_plot_panel panel, double x, double y,
                            double *pixel_x, double *pixel_y) {
    if (plot == NULL || (unsigned)panel >= VIZ_PLOT_PANEL_COUNT)
        return false;
    const plot_axes *axes = &plot->axes[panel];
    if (!axes->present) return false;
    if (axes->log_y) {
        if (!(y > 0)) return false;
        y = log10(y);
    }
    if (pixel_x != NULL)
        *pixel_x = axes->scale * (axes->left + (x - axes->x_min) / (axes->x_max - axes->x_min) *
                                                   (axes->right - axes->left));
    if (pixel_y != NULL)
        *pixel_y = axes->scale * (axes->bottom - (y - axes->y_min) / (axes->y_max - axes->y_min) *
                                                     (axes->bottom - axes->top));
    return true;
}

bool viz_plot_panel_box(const viz_plot *plot, viz_plot_panel panel, int *left, int *top, int *right,
                        int *bottom) {
    if (plot == NULL || (unsigned)panel >= VIZ_PLOT_PANEL_COUNT)
        return false;
    const plot_axes *axes = &plot->axes[panel];
    if (!axes->present) return false;
    if (left != NULL) *left = (int)floor(axes->left * axes->scale);
    if (top != NULL) *top = (int)floor(axes->top * axes->scale);
    if (right != NULL) *right = (int)floor(axes->right * axes->scale);
    if (bottom != NULL) *bottom = (int)floor(axes->bottom * axes->scale);
    return true;
}
