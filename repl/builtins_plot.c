/* builtins_plot.c — plots as REPL built-ins: plot, title,
 * contour, track, mark, savefig, clearplot, has_window; pace's row (its
 * function is in viz_pace.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_session.h"

/* The session's figure, made (and the viz module loaded) the first time;
 * NULL when that failed (plot_failed then says why). */
static viz_plot *session_plot(repl *r) {
    repl_viz *v = repl_get_viz(r);
    return repl_viz_load(v) < 0 ? NULL : v->plot;
}

/* A session that should have windows but cannot open one (the display
 * refused, say) is told once why, and that plots are still recorded. */
static void no_window_notice(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || v->plot == NULL || !v->windows || v->told_no_window ||
        repl_vz->plot_window_open(v->plot))
        return;
    v->told_no_window = true;
    const char *why = repl_vz->window_last_error();
    fflush(repl_out(r));
    fprintf(r->io.err, "plot: no window could be opened%s%s; plots are still recorded and savefig writes them\n",
            why[0] ? ": " : "", why);
    fflush(r->io.err);
}

/* err: the message of the failed viz_plot_* call; "" when there was no
 * figure to call (the viz module missing, or out of memory making it) */
static int plot_failed(repl *r, const builtin_args *a, const char *err) {
    return repl_error(r, "%s: %s", a->def->name, err[0] ? err : repl_viz_load_error());
}

/* has_window(): true when plots are shown in a window in this session. */
static int builtin_has_window(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz *v = repl_get_viz(r);
    *out = value_bool(v != NULL && v->windows);
    return 0;
}

/* A series' numbers from a variable (any shape, read flat) or a list of
 * numbers; malloc'd into *out. */
static int series_numbers(repl *r, const char *param, repl_value v, double **out, size_t *count) {
    *out = NULL;
    *count = 0;
    if (v.kind == VALUE_VAR) {
        size_t n = ag_size(v.as.var);
        *out = malloc((n > 0 ? n : 1) * sizeof **out);
        if (*out == NULL) return repl_error(r, "plot: out of memory");
        memcpy(*out, ag_cdata(v.as.var), n * sizeof **out);
        *count = n;
        return 0;
    }
    if (v.kind == VALUE_LIST) {
        size_t n = (size_t)v.as.list->count;
        *out = malloc((n > 0 ? n : 1) * sizeof **out);
        if (*out == NULL) return repl_error(r, "plot: out of memory");
        for (size_t i = 0; i < n; i++) {
            repl_value item = v.as.list->items[i];
            if (item.kind == VALUE_NUMBER) (*out)[i] = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) (*out)[i] = ag_item(item.as.var);
            else {
                free(*out);
                *out = NULL;
                char kind[64];
                return repl_error(r, "plot: %s must be numbers; item %zu is %s", param, i + 1,
                                  value_with_article(item, kind, sizeof kind));
            }
        }
        *count = n;
        return 0;
    }
    char kind[64];
    return repl_error(r, "plot: %s must be a variable or a list of numbers, not %s", param,
                      value_with_article(v, kind, sizeof kind));
}

/* plot(xs, ys, name=, points=): the whole series at once, replacing it. */
static int plot_whole(repl *r, const builtin_args *a, viz_plot *plot, const char *name) {
    char err[VIZ_ERRLEN] = "";
    double *xs = NULL, *ys = NULL;
    size_t x_count = 0, y_count = 0;
    bool points = false;
    if (arg_given(a, 4) && arg_bool(r, a, 4, &points) < 0) return -1;
    if (arg_given(a, 3))
        return repl_error(r, "plot: log= is for series by step (plot(v, log=true)), not for plot(xs, ys)");
    if (series_numbers(r, "xs", a->values[0], &xs, &x_count) < 0) return -1;
    if (series_numbers(r, "ys", a->values[1], &ys, &y_count) < 0) {
        free(xs);
        return -1;
    }
    int rc = 0;
    if (x_count != y_count)
        rc = repl_error(r, "plot: xs has %zu numbers and ys %zu; they must match", x_count, y_count);
    else if (plot == NULL || repl_vz->plot_series(plot, name, xs, ys, x_count, points, err) < 0)
        rc = plot_failed(r, a, err);
    free(xs);
    free(ys);
    return rc;
}

/* plot(v, name=nil, log=nil): appends a scalar to the series named after v
 * (its source text when unnamed); plot(xs, ys, ...) draws a whole series. */
static int builtin_plot(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    /* the old form plot(v, "name") gives the name second */
    bool whole = arg_given(a, 1) && a->values[1].kind != VALUE_STRING;
    if (arg_given(a, 1) && !whole && arg_given(a, 2))
        return repl_error(r, "plot: name given twice (as the second argument and name=)");
    if (whole && a->values[0].kind == VALUE_NUMBER) {
        char kind[64];
        return repl_error(r, "plot: the second argument is a name (plot(v, \"loss\")) or ys "
                             "(plot(xs, ys) with two lists or variables), not %s",
                          value_with_article(a->values[1], kind, sizeof kind));
    }
    int name_index = whole || !arg_given(a, 1) ? 2 : 1;
    char source[128];
    const char *name = "value";
    if (arg_given(a, name_index)) {
        if (arg_string(r, a, name_index, &name) < 0) return -1;
        if (name[0] == '\0') return repl_error(r, "plot: name must not be empty");
    } else if (arg_source(a, whole ? 1 : 0, source, sizeof source)) {
        name = source;
    } else if (!whole && a->values[0].kind == VALUE_VAR && ag_name(a->values[0].as.var)[0] != '\0') {
        name = ag_name(a->values[0].as.var);
    }
    const char *labels[2] = {NULL, NULL}; /* xlabel=, ylabel= */
    for (int i = 0; i < 2; i++)
        if (arg_given(a, 5 + i) && arg_string(r, a, 5 + i, &labels[i]) < 0) return -1;
    viz_plot *plot;
    if (repl_viz_panel(r, a, 7, whole ? VIZ_PLOT_PANEL_XY : VIZ_PLOT_PANEL_SERIES, &plot) < 0) return -1;
    if (whole) {
        if (plot_whole(r, a, plot, name) < 0) return -1;
    } else {
        double value;
        if (arg_given(a, 4)) return repl_error(r, "plot: points= is for plot(xs, ys)");
        if (arg_number(r, a, 0, &value) < 0) return -1;
        bool log_scale = false;
        if (arg_given(a, 3) && arg_bool(r, a, 3, &log_scale) < 0) return -1;
        if (plot == NULL || repl_vz->plot_append(plot, name, value, err) < 0) return plot_failed(r, a, err);
        if (arg_given(a, 3)) repl_vz->plot_set_log(plot, log_scale);
    }
    if ((labels[0] != NULL || labels[1] != NULL) &&
        repl_vz->plot_set_labels(plot, whole ? VIZ_PLOT_PANEL_XY : VIZ_PLOT_PANEL_SERIES, labels[0], labels[1],
                                 err) < 0)
        return plot_failed(r, a, err);
    no_window_notice(r);
    repl_viz_paced_draw(r, 's', name);
    repl_viz_pump(r);
    return 0;
}

/* title(text): the figure's title; title("") removes it. */
static int builtin_title(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    const char *text;
    if (arg_string(r, a, 0, &text) < 0) return -1;
    if (plot == NULL || repl_vz->plot_set_title(plot, text, err) < 0) return plot_failed(r, a, err);
    repl_viz_pump(r);
    return 0;
}

/* mark(x0, x1, label=""): a labelled cross over the contour. */
static int builtin_mark(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    double x, y;
    const char *label = "";
    if (arg_number(r, a, 0, &x) < 0 || arg_number(r, a, 1, &y) < 0) return -1;
    if (arg_given(a, 2) && arg_string(r, a, 2, &label) < 0) return -1;
    viz_plot *plot;
    if (repl_viz_panel(r, a, 3, VIZ_PLOT_PANEL_CONTOUR, &plot) < 0) return -1;
    if (plot == NULL || repl_vz->plot_mark(plot, x, y, label, err) < 0) return plot_failed(r, a, err);
    no_window_notice(r);
    repl_viz_pump(r);
    return 0;
}

/* [lo, hi] with lo < hi, both finite: a list of two numbers or a 2-vector. */
static int get_range(repl *r, const builtin_args *a, int index, double *lo, double *hi) {
    repl_value v = a->values[index];
    const char *param = index == 1 ? "xrange" : "yrange";
    bool ok = false;
    if (v.kind == VALUE_LIST && v.as.list->count == 2) {
        ok = true;
        double bounds[2] = {0, 0};
        for (int i = 0; i < 2 && ok; i++) {
            repl_value item = v.as.list->items[i];
            if (item.kind == VALUE_NUMBER) bounds[i] = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) bounds[i] = ag_item(item.as.var);
            else ok = false;
        }
        *lo = bounds[0];
        *hi = bounds[1];
    } else if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1 && ag_size(v.as.var) == 2) {
        ok = true;
        *lo = ag_cdata(v.as.var)[0];
        *hi = ag_cdata(v.as.var)[1];
    }
    if (!ok) return repl_error(r, "contour: %s must be a list of two numbers [lo, hi]", param);
    if (!(isfinite(*lo) && isfinite(*hi) && *lo < *hi))
        return repl_error(r, "contour: %s must be [lo, hi] with finite lo < hi", param);
    return 0;
}

static const char *callee_name(repl_value f) {
    if (f.kind == VALUE_FUNCTION) return f.as.function->name;
    if (f.kind == VALUE_BUILTIN) return f.as.builtin->name;
    return "f";
}

/* The user's function at one grid point, for viz_plot_contour. */
typedef struct contour_call {
    repl *r;
    repl_value f;
    bool failed;
    bool interrupted;
} contour_call;

static double call_at(void *user, double x, double y) {
    contour_call *call = user;
    if (call->failed) return NAN;
    if (repl_interrupted) {
        call->failed = call->interrupted = true;
        return NAN;
    }
    repl_value argv[2] = {value_number(x), value_number(y)}, result;
    if (repl_call_value(call->r, call->f, 2, argv, &result) < 0) {
        call->failed = true;
        return NAN;
    }
    double value = NAN;
    if (result.kind == VALUE_NUMBER) {
        value = result.as.number;
    } else if (result.kind == VALUE_VAR && ag_size(result.as.var) == 1) {
        value = ag_item(result.as.var);
    } else {
        char kind[64 + 12 * AG_MAX_DIMS];
        if (result.kind == VALUE_VAR) {
            char shape[AG_SHAPEBUF];
            snprintf(kind, sizeof kind, "a variable of shape %s",
                     ag_shape_string(ag_ndim(result.as.var), ag_shape(result.as.var), shape));
        } else {
            value_with_article(result, kind, sizeof kind);
        }
        call->failed = true;
        char xs[AG_NUMBUF], ys[AG_NUMBUF];
        repl_error(call->r, "contour: f must return a number, but %s(%s, %s) returned %s",
                   callee_name(call->f), ag_format_display(x, 0, xs), ag_format_display(y, 0, ys), kind);
    }
    value_release(result);
    return value;
}

/* levels=N or [list] and log=true|false of contour into *levels. */
static int contour_levels(repl *r, const builtin_args *a, double *listed, viz_plot_levels *levels) {
    if (arg_given(a, 4)) {
        bool log_spacing;
        if (arg_bool(r, a, 4, &log_spacing) < 0) return -1;
        levels->spacing = log_spacing ? VIZ_PLOT_SPACING_LOG : VIZ_PLOT_SPACING_LINEAR;
    }
    if (!arg_given(a, 3)) return 0;
    repl_value given = a->values[3];
    if (given.kind == VALUE_NUMBER) {
        double count = given.as.number;
        char shown[AG_NUMBUF];
        if (!(count >= 1 && count <= VIZ_PLOT_MAX_LEVELS && count == floor(count)))
            return repl_error(r, "contour: levels must be a whole number from 1 to %d or a list of "
                                 "levels, not %s",
                              VIZ_PLOT_MAX_LEVELS, ag_format_display(count, 0, shown));
        levels->count = (int)count;
        return 0;
    }
    double *values = NULL;
    size_t count = 0;
    if (given.kind != VALUE_LIST && given.kind != VALUE_VAR)
        return repl_error(r, "contour: levels must be a number of levels or a list of levels");
    if (series_numbers(r, "levels", given, &values, &count) < 0) return -1;
    int rc = 0;
    if (count < 1 || count > VIZ_PLOT_MAX_LEVELS) {
        rc = repl_error(r, "contour: levels lists 1 to %d levels, not %zu", VIZ_PLOT_MAX_LEVELS, count);
    } else {
        for (size_t i = 0; i < count && rc == 0; i++) {
            char shown[AG_NUMBUF];
            if (!isfinite(values[i]))
                rc = repl_error(r, "contour: level %zu is %s; levels must be finite", i + 1,
                                ag_format_display(values[i], 0, shown));
            listed[i] = values[i];
        }
        levels->values = listed;
        levels->count = (int)count;
    }
    free(values);
    return rc;
}

/* contour(f, [x_lo, x_hi], [y_lo, y_hi], levels=, log=): level curves of f(a, b). */
static int builtin_contour(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    repl_value f = a->values[0];
    bool callable = f.kind == VALUE_FUNCTION || f.kind == VALUE_BUILTIN ||
                    (f.kind == VALUE_OBJECT && f.as.object->type && f.as.object->type->call);
    char kind[64];
    if (!callable)
        return repl_error(r, "contour: f must be a function of two numbers (def f(a, b) = ...), not %s",
                          value_with_article(f, kind, sizeof kind));
    if (f.kind == VALUE_OBJECT) /* a model takes its points as one (N, 2) input */
        return repl_error(r, "contour: f must be a function of two numbers (def f(a, b) = ...), not %s; "
                             "boundary(m, xrange, yrange) draws a model's output over the plane",
                          value_with_article(f, kind, sizeof kind));
    if (f.kind == VALUE_FUNCTION && f.as.function->def->as.def.parameters.count != 2) {
        int count = f.as.function->def->as.def.parameters.count;
        return repl_error(r, "contour: f must take two arguments (a, b); %s takes %d", f.as.function->name,
                          count);
    }
    double xlo, xhi, ylo, yhi;
    if (get_range(r, a, 1, &xlo, &xhi) < 0 || get_range(r, a, 2, &ylo, &yhi) < 0) return -1;
    double listed[VIZ_PLOT_MAX_LEVELS];
    viz_plot_levels levels = {.spacing = VIZ_PLOT_SPACING_AUTO};
    if (contour_levels(r, a, listed, &levels) < 0) return -1;
    viz_plot *plot;
    if (repl_viz_panel(r, a, 5, VIZ_PLOT_PANEL_CONTOUR, &plot) < 0) return -1;
    contour_call call = {.r = r, .f = f};
    /* only the values are needed: recording 40,000 graphs would be slow */
    bool grad_enabled = ag_set_grad_enabled(repl_ctx(r), false);
    bool nonfinite_before = ag_nonfinite_op(repl_ctx(r)) != NULL;
    int rc = repl_vz->plot_contour_levels(plot, call_at, &call, xlo, xhi, ylo, yhi, &levels, err);
    ag_set_grad_enabled(repl_ctx(r), grad_enabled);
    /* f may be undefined in part of the range (log, sqrt): those points are
     * skipped, not a NaN the user should hear about */
    if (!nonfinite_before) ag_clear_nonfinite(repl_ctx(r));
    if (call.interrupted) {
        repl_interrupted = 0;
        return repl_error(r, "interrupted");
    }
    if (call.failed) return -1; /* the call reported why */
    if (rc < 0) return plot_failed(r, a, err);
    repl_viz_pump(r);
    return 0;
}

/* track(x0, x1, name=nil): the current point of two parameters on a path. */
static int builtin_track(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    double x, y;
    if (arg_number(r, a, 0, &x) < 0 || arg_number(r, a, 1, &y) < 0) return -1;
    if (!isfinite(x) || !isfinite(y)) {
        char sx[AG_NUMBUF], sy[AG_NUMBUF];
        return repl_error(r, "track: a point needs finite coordinates, not (%s, %s)",
                          ag_format_display(x, 0, sx), ag_format_display(y, 0, sy));
    }
    char name[160] = "path";
    if (arg_given(a, 2)) {
        const char *given;
        if (arg_string(r, a, 2, &given) < 0) return -1;
        if (given[0] == '\0') return repl_error(r, "track: name must not be empty");
        snprintf(name, sizeof name, "%s", given);
    } else {
        char first[72], second[72];
        if (arg_source(a, 0, first, sizeof first) && arg_source(a, 1, second, sizeof second))
            snprintf(name, sizeof name, "%s, %s", first, second);
        else if (a->values[0].kind == VALUE_VAR && a->values[1].kind == VALUE_VAR &&
                 ag_name(a->values[0].as.var)[0] && ag_name(a->values[1].as.var)[0])
            snprintf(name, sizeof name, "%s, %s", ag_name(a->values[0].as.var),
                     ag_name(a->values[1].as.var));
    }
    viz_plot *plot;
    if (repl_viz_panel(r, a, 3, VIZ_PLOT_PANEL_CONTOUR, &plot) < 0) return -1;
    if (plot == NULL || repl_vz->plot_track(plot, name, x, y, err) < 0) return plot_failed(r, a, err);
    no_window_notice(r);
    repl_viz_paced_draw(r, 'p', name);
    repl_viz_pump(r);
    return 0;
}

/* "wrote FILE", the name without control characters; 0. */
static int print_wrote(repl *r, const char *file) {
    char shown[PATH_MAX];
    snprintf(shown, sizeof shown, "%s", file);
    text_printable(shown, 0);
    fprintf(repl_out(r), "wrote %s\n", shown);
    return 0;
}

/* savefig(file): the current figure as PNG, SVG or PDF by the file's
 * extension, window or not. */
static int builtin_savefig(repl *r, const builtin_args *a, repl_value *out) {
    char err[VIZ_ERRLEN] = "";
    viz_plot *plot = session_plot(r);
    const char *file;
    if (arg_string(r, a, 0, &file) < 0) return -1;
    /* interrupted (-2): the file is untouched, and the error says so */
    if (plot == NULL) return plot_failed(r, a, err);
    if (repl_vz->plot_file_bytes == NULL) { /* the web page draws and offers the file itself */
        if (repl_vz->plot_savefig(plot, file, err) < 0) return plot_failed(r, a, err);
        repl_display_plot_now(r); /* and shows in its pane the figure saved */
        return print_wrote(r, file);
    }
    size_t size = 0;
    int status;
    unsigned char *bytes = repl_vz->plot_file_bytes(plot, file, &size, err, &status);
    if (bytes == NULL) return plot_failed(r, a, err);
    /* whole or not at all, through the session's one write path */
    int rc = repl_write_file(r, file, bytes, size, 0);
    int saved = errno;
    free(bytes);
    if (rc < 0)
        return repl_error(r, "savefig: cannot write '%s': %s", file, repl_file_strerror(r, file, saved ? saved : EIO));
    return print_wrote(r, file);
}

void repl_viz_clear_figure(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v != NULL && v->plot != NULL) repl_vz->plot_clear(v->plot); /* no figure yet: nothing to clear */
    repl_viz_pump(r);
}

static int builtin_clearplot(repl *r, const builtin_args *a, repl_value *out) {
    repl_viz_clear_figure(r);
    return 0;
}

void repl_lesson_fresh_figure(repl *r) {
    repl_viz_clear_figure(r);
    repl_viz_set_pace(r, 0);
}

const builtin_def builtins_plot[] = {
    {"plot", "v, ys=nil, name=nil, log=nil, points=nil, xlabel=nil, ylabel=nil, panel=nil", builtin_plot, "plots",
     "plot(v) appends the scalar v to the series named as written (or name; log=true: log y "
     "axis); plot(xs, ys) draws a whole series, replaced on each call (points=true: dots); "
     "xlabel=, ylabel= name that panel's axes (\"\": the default); panel=\"name\" or 1..8: the panel "
     "it draws in (one kind of picture a panel, right of the default ones)"},
    {"title", "text", builtin_title, "plots", "the figure's title (\"\" removes it)", .function_only = true},
    {"contour", "f, xrange, yrange, levels=nil, log=nil, panel=nil", builtin_contour, "plots",
     "level curves of f(a, b) over [x_lo, x_hi] x [y_lo, y_hi]; levels=N or [list], log=true|false; "
     "panel=: the map it draws in",
     .function_only = true},
    {"track", "x0, x1, name=nil, panel=nil", builtin_track, "plots",
     "adds the point (x0, x1) to a path drawn over the contour (panel=: over that panel's map)"},
    {"mark", "x0, x1, label=\"\", panel=nil", builtin_mark, "plots",
     "marks the point (x0, x1) over the contour with a cross and a label (a minimum, say); panel=: "
     "on that panel's map"},
    {"pace", "fps=nil", repl_builtin_pace, "plots",
     "slows loops that plot or track to fps frames a second (so each frame can be seen), 0.1 to 1000, where a window or "
     "notebook shows them (0 or false: off, the default); pace() is the pace set, 0 for off",
     .function_only = true},
    {"has_window", "", builtin_has_window, "plots", "true when plots are shown in a window here"},
    {"savefig", "file", builtin_savefig, "plots",
     "saves the current plot as PNG, SVG or PDF by the file's extension (works headless)",
     .function_only = true, .file_arg = 1},
    {"clearplot", "", builtin_clearplot, "plots",
     "forgets every series, path, mark, picture, the contour, the title and the panels panel= made",
     .function_only = true},
    {0},
};
