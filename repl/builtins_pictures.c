/* builtins_pictures.c — the pictures of learning as REPL built-ins:
 * scatter (points coloured by class), boundary (a model's output over
 * the plane), heatmap, images and neurons (every unit's map over the
 * plane).  The model is evaluated here, on the whole grid in one batched
 * call with no graph recorded; viz/plot_maps.c records and draws. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_session.h"

enum {
    BOUNDARY_GRID = 100, /* cells a side of boundary's map */
    NEURON_GRID = 32,    /* cells a side of each unit's map */
    MAX_GRID = 400,
};

static int picture_failed(repl *r, const builtin_args *a, const char *err) {
    return repl_error(r, "%s: %s", a->def->name, err[0] ? err : repl_viz_load_error());
}

/* After a picture changed: the window (at the pace, inside loops) or the
 * notebook's output shows it. */
static void picture_changed(repl *r, const char *name) {
    repl_viz_paced_draw(r, 'm', name);
    repl_viz_pump(r);
}

/* The plane the last boundary() or neurons() drew over: the graph's
 * inspector draws a layer's units over it too. */
static void remember_plane(repl *r, double xlo, double xhi, double ylo, double yhi) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL) return;
    v->plane[0] = xlo, v->plane[1] = xhi, v->plane[2] = ylo, v->plane[3] = yhi;
    v->plane_known = true;
}

static const char *shape_text(const ag_var *v, char buf[AG_SHAPEBUF]) {
    return ag_shape_string(ag_ndim(v), ag_shape(v), buf);
}

/* [lo, hi] with finite lo < hi: a list of two numbers or a 2-vector. */
static int get_range(repl *r, const builtin_args *a, int index, double *lo, double *hi) {
    repl_value v = a->values[index];
    const char *name = a->def->name, *param = index == 1 ? "xrange" : "yrange";
    double bounds[2];
    bool ok = false;
    if (v.kind == VALUE_LIST && v.as.list->count == 2) {
        ok = true;
        for (int i = 0; i < 2 && ok; i++) {
            repl_value item = v.as.list->items[i];
            if (item.kind == VALUE_NUMBER) bounds[i] = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) bounds[i] = ag_item(item.as.var);
            else ok = false;
        }
    } else if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1 && ag_size(v.as.var) == 2) {
        ok = true;
        bounds[0] = ag_cdata(v.as.var)[0];
        bounds[1] = ag_cdata(v.as.var)[1];
    }
    if (!ok) return repl_error(r, "%s: %s must be a list of two numbers [lo, hi]", name, param);
    *lo = bounds[0];
    *hi = bounds[1];
    if (!(isfinite(*lo) && isfinite(*hi) && *lo < *hi)) {
        char low[AG_NUMBUF], high[AG_NUMBUF];
        return repl_error(r, "%s: %s must be [lo, hi] with finite lo < hi, not [%s, %s]", name, param,
                          ag_format_display(*lo, 0, low), ag_format_display(*hi, 0, high));
    }
    return 0;
}

static int get_grid(repl *r, const builtin_args *a, int index, int fallback, int *grid) {
    *grid = fallback;
    if (!arg_given(a, index)) return 0;
    if (arg_int(r, a, index, grid) < 0) return -1;
    if (*grid < 2 || *grid > MAX_GRID)
        return repl_error(r, "%s: grid must be 2 to %d cells a side, not %d", a->def->name, MAX_GRID, *grid);
    return 0;
}

/* ---- scatter -------------------------------------------------------------- */

/* x (N, 2) into xs, ys; t (N) or (N, 1) whole numbers >= 0 into classes
 * (classes NULL when t is none: points without a class); a point with a
 * coordinate NaN or Inf is left out (it cannot be drawn, and its other
 * coordinate must not stretch the axes), *left_out says how many.
 * malloc'd; 0 or -1 with the error set. */
static int read_points(repl *r, const char *name, repl_value xv, repl_value tv, double **xs, double **ys,
                       int **classes, size_t *count, size_t *left_out) {
    *xs = *ys = NULL;
    *classes = NULL;
    char shape[AG_SHAPEBUF], kind[64];
    if (xv.kind != VALUE_VAR)
        return repl_error(r, "%s: x must be a variable of shape [N 2], not %s", name,
                          value_with_article(xv, kind, sizeof kind));
    ag_var *x = xv.as.var;
    if (ag_ndim(x) != 2 || ag_shape(x)[1] != 2)
        return repl_error(r, "%s: x must have shape [N 2], one point a row, not %s", name, shape_text(x, shape));
    size_t n = (size_t)ag_shape(x)[0];
    const double *t = NULL;
    if (tv.kind != VALUE_NIL) {
        if (tv.kind != VALUE_VAR)
            return repl_error(r, "%s: t must be a variable of class numbers, not %s", name,
                              value_with_article(tv, kind, sizeof kind));
        ag_var *tvar = tv.as.var;
        if ((size_t)ag_size(tvar) != n || ag_ndim(tvar) > 2 || (ag_ndim(tvar) == 2 && ag_shape(tvar)[1] != 1))
            return repl_error(r, "%s: t must hold one class per point, shape [%zu] or [%zu 1], not %s", name, n,
                              n, shape_text(tvar, shape));
        t = ag_cdata(tvar);
    }
    *xs = malloc((n ? n : 1) * sizeof **xs);
    *ys = malloc((n ? n : 1) * sizeof **ys);
    *classes = t != NULL ? malloc((n ? n : 1) * sizeof **classes) : NULL;
    if (*xs == NULL || *ys == NULL || (t != NULL && *classes == NULL)) return repl_error(r, "%s: out of memory", name);
    const double *p = ag_cdata(x);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        double c = t != NULL ? t[i] : 0; /* no classes: one grey, no legend */
        if (!(c >= 0 && c < VIZ_PLOT_MAX_CLASSES && c == floor(c))) {
            char shown[AG_NUMBUF];
            return repl_error(r, "%s: t[%zu] is %s; classes are whole numbers from 0 to %d", name, i,
                              ag_format_display(c, 0, shown), VIZ_PLOT_MAX_CLASSES - 1);
        }
        if (!isfinite(p[2 * i]) || !isfinite(p[2 * i + 1])) continue;
        (*xs)[kept] = p[2 * i];
        (*ys)[kept] = p[2 * i + 1];
        if (t != NULL) (*classes)[kept] = (int)c;
        kept++;
    }
    *count = kept;
    *left_out = n - kept;
    return 0;
}

/* names=["a", "b"]: the classes' names, borrowed from the list. */
static int read_names(repl *r, const builtin_args *a, int index, const char **names, int *count) {
    *count = 0;
    if (!arg_given(a, index)) return 0;
    repl_value v = a->values[index];
    if (v.kind != VALUE_LIST || v.as.list->count > VIZ_PLOT_MAX_CLASSES)
        return repl_error(r, "%s: names must be a list of strings, one a class (at most %d)", a->def->name,
                          VIZ_PLOT_MAX_CLASSES);
    for (int i = 0; i < v.as.list->count; i++) {
        if (v.as.list->items[i].kind != VALUE_STRING)
            return repl_error(r, "%s: names must be strings; item %d is not", a->def->name, i + 1);
        names[i] = v.as.list->items[i].as.string->text;
    }
    *count = v.as.list->count;
    return 0;
}

static int scatter_points(repl *r, const builtin_args *a, viz_plot *plot, repl_value x, repl_value t,
                          int names_index) {
    double *xs, *ys;
    int *classes;
    size_t count = 0, left_out = 0;
    const char *names[VIZ_PLOT_MAX_CLASSES];
    int name_count = 0;
    char err[VIZ_ERRLEN] = "";
    int rc = read_points(r, a->def->name, x, t, &xs, &ys, &classes, &count, &left_out);
    if (rc == 0) rc = read_names(r, a, names_index, names, &name_count);
    if (rc == 0 && (plot == NULL || repl_vz->plot_scatter(plot, xs, ys, classes, count, names, name_count, err) < 0))
        rc = picture_failed(r, a, err);
    if (rc == 0 && left_out > 0)
        fprintf(r->io.err, "note: %s: %zu of %zu points left out: not finite (a coordinate NaN or Inf)\n",
                a->def->name, left_out, count + left_out);
    free(xs);
    free(ys);
    free(classes);
    return rc;
}

/* scatter(x, t=nil, names=nil): the points of x (N, 2) coloured by class. */
static int builtin_scatter(repl *r, const builtin_args *a, repl_value *out) {
    /* torch's form: a dim (one number, where the plot takes labels (N)) and an index tensor */
    bool dim = a->values[1].kind == VALUE_NUMBER || (a->values[1].kind == VALUE_VAR && ag_ndim(a->values[1].as.var) == 0);
    if (dim && a->values[2].kind == VALUE_VAR) {
        if (arg_given(a, 4)) return repl_error(r, "scatter: panel= is the picture's (scatter(x, t)), not torch.scatter's");
        return repl_tensor_scatter(r, a, out);
    }
    if (arg_given(a, 3)) return repl_error(r, "scatter: src is torch.scatter's: scatter(x, dim, index, src)");
    if (repl_viz_ready(r, "scatter") < 0) return -1;
    viz_plot *plot;
    if (repl_viz_panel(r, a, 4, VIZ_PLOT_PANEL_CONTOUR, &plot) < 0) return -1;
    if (scatter_points(r, a, plot, a->values[0], a->values[1], 2) < 0) return -1;
    picture_changed(r, "scatter");
    return 0;
}

/* ---- a model or def over the plane ------------------------------------------ */

static bool callable(repl_value f) {
    return f.kind == VALUE_FUNCTION || f.kind == VALUE_BUILTIN ||
           (f.kind == VALUE_OBJECT && f.as.object->type && f.as.object->type->call);
}

/* The centres of a columns x rows grid over the ranges, one point a row,
 * row 0 at ylo: (columns * rows, 2). */
static ag_var *grid_points(repl *r, int columns, int rows, double xlo, double xhi, double ylo, double yhi) {
    size_t n = (size_t)columns * rows;
    double *data = malloc(n * 2 * sizeof *data);
    if (data == NULL) return NULL;
    for (int row = 0; row < rows; row++)
        for (int column = 0; column < columns; column++) {
            size_t i = (size_t)row * columns + column;
            data[2 * i] = xlo + (xhi - xlo) * (column + 0.5) / columns;
            data[2 * i + 1] = ylo + (yhi - ylo) * (row + 0.5) / rows;
        }
    int shape[2] = {(int)n, 2};
    ag_var *points = ag_new(repl_ctx(r), 2, shape, data);
    free(data);
    return points;
}

/* Column `which` of points (n, 2) as a vector (n); NULL when out of memory. */
static ag_var *column_of(ag_ctx *ctx, ag_var *points, int which) {
    int n = ag_shape(points)[0];
    double *data = malloc((size_t)(n > 0 ? n : 1) * sizeof *data);
    if (data == NULL) return NULL;
    for (int i = 0; i < n; i++) data[i] = ag_cdata(points)[2 * i + which];
    ag_var *column = ag_new(ctx, 1, &n, data);
    free(data);
    return column;
}

/* f over the points (n, 2) in one call, no graph recorded: a model or a def
 * of one parameter gets the points, a def of two gets the columns x0, x1.
 * The result (retained; the caller releases it) or NULL with the error set. */
static ag_var *evaluate(repl *r, const builtin_args *a, repl_value f, ag_var *points) {
    int parameters = f.kind == VALUE_FUNCTION ? f.as.function->def->as.def.parameters.count : 1;
    if (parameters != 1 && parameters != 2) {
        repl_error(r, "%s: a def takes the points (one argument, shape [N 2]) or x0, x1 (two); %s takes %d",
                   a->def->name, f.as.function->name, parameters);
        return NULL;
    }
    ag_ctx *ctx = repl_ctx(r);
    bool grad_enabled = ag_set_grad_enabled(ctx, false);
    bool nonfinite_before = ag_nonfinite_op(ctx) != NULL;
    repl_value argv[2] = {VALUE_NIL_INIT, VALUE_NIL_INIT}, result = VALUE_NIL_INIT;
    int argc = parameters;
    if (parameters == 1) {
        argv[0] = value_var(points);
    } else {
        argv[0] = value_var(column_of(ctx, points, 0));
        argv[1] = value_var(column_of(ctx, points, 1));
    }
    int rc = argv[argc - 1].kind == VALUE_VAR ? repl_call_value(r, f, argc, argv, &result) : engine_error(r);
    for (int i = 0; i < argc; i++) value_release(argv[i]);
    ag_set_grad_enabled(ctx, grad_enabled);
    if (!nonfinite_before) ag_clear_nonfinite(ctx); /* a NaN here is the picture's, not the session's */
    if (rc < 0 && f.kind == VALUE_OBJECT && r->error.set) {
        /* a model that refuses the plane's points says why in its own
         * words ("mlp: input has 2 features but linear[0] was built for
         * 3"): say which picture gave it them */
        char inner[sizeof r->error.message];
        snprintf(inner, sizeof inner, "%s", r->error.message);
        snprintf(r->error.message, sizeof r->error.message, "%s: the model was given the plane's points, "
                 "shape [N 2]: %.900s", a->def->name, inner);
    }
    if (rc < 0) return NULL;
    if (result.kind != VALUE_VAR) {
        char kind[64];
        repl_error(r, "%s: the model must return a variable, not %s", a->def->name,
                   value_with_article(result, kind, sizeof kind));
        value_release(result);
        return NULL;
    }
    return result.as.var; /* the reference result held */
}

/* Where boundary splits one number a point when threshold= is not given,
 * decided before looking at the values for a model: two scores become the
 * second class's probability, split at 0.5; one output of a model (mlp,
 * linear_layer, cnn: each ends in a linear layer, no sigmoid) is a raw
 * score, split at 0 as the lessons' `score > 0`.  A def's output is split
 * at 0.5 when every value lies in [0, 1] (a probability), else at 0. */
static double default_threshold(repl_value f, const double *values, size_t n, bool probabilities) {
    if (probabilities) return 0.5;
    if (repl_model_of(f) != NULL) return 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] < 0 || values[i] > 1) return 0;
    return 0.5;
}

/* threshold= splits the map's one number a point; where it cannot lie
 * among the values that number can take, the map was one colour and its
 * bar ran to twice the threshold around values it never reached: two
 * scores become a probability, in (0, 1); three or more have no one number
 * to split (the lines run between the classes' regions).  0, or -1 with
 * the error set. */
static int check_threshold(repl *r, double threshold, int scores) {
    char shown[AG_NUMBUF];
    ag_format_display(threshold, 0, shown);
    if (scores >= 3)
        return repl_error(r, "boundary: threshold=%s: the model gives %d scores a point, and the lines run "
                             "between the classes' regions; threshold= splits one number or two scores a point",
                          shown, scores);
    if (scores == 2 && !(threshold > 0 && threshold < 1))
        return repl_error(r, "boundary: threshold=%s cannot split the map: two scores a point are drawn as class "
                             "1's probability (softmax), which lies between 0 and 1, never at either end; give a "
                             "threshold between 0 and 1",
                          shown);
    return 0;
}

/* A threshold that lies outside every value of a one-number map draws it
 * in one colour with no line: said, not refused (a score's values depend on
 * the plane asked for). */
static void note_threshold_outside(repl *r, double threshold, const double *values, size_t n) {
    double low = INFINITY, high = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) low = fmin(low, values[i]), high = fmax(high, values[i]);
    if (!(low <= high) || (threshold >= low && threshold <= high)) return;
    char shown[3][AG_NUMBUF];
    fprintf(r->io.err, "note: boundary: threshold=%s is outside the map's values (%s to %s): one colour, no line\n",
            ag_format_display(threshold, 0, shown[0]), ag_format_display(low, 4, shown[1]),
            ag_format_display(high, 4, shown[2]));
}

/* boundary(f, xrange, yrange, x=nil, t=nil, threshold=nil, grid=100, names=nil) */
static int builtin_boundary(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_viz_ready(r, "boundary") < 0) return -1;
    repl_value f = a->values[0];
    char kind[64], err[VIZ_ERRLEN] = "", shape[AG_SHAPEBUF];
    if (!callable(f))
        return repl_error(r, "boundary: %s must be a model or a def, not %s",
                          builtin_receiver(r, a, "the first argument", shape, sizeof shape),
                          value_with_article(f, kind, sizeof kind));
    double xlo, xhi, ylo, yhi, threshold = 0;
    int grid;
    if (get_range(r, a, 1, &xlo, &xhi) < 0 || get_range(r, a, 2, &ylo, &yhi) < 0) return -1;
    if (get_grid(r, a, 6, BOUNDARY_GRID, &grid) < 0) return -1;
    remember_plane(r, xlo, xhi, ylo, yhi);
    bool threshold_given = arg_given(a, 5);
    if (threshold_given && arg_number(r, a, 5, &threshold) < 0) return -1;
    if (arg_given(a, 4) && !arg_given(a, 3)) return repl_error(r, "boundary: t= needs the points x= too");
    viz_plot *plot;
    if (repl_viz_panel(r, a, 8, VIZ_PLOT_PANEL_CONTOUR, &plot) < 0) return -1;
    if (plot == NULL) return picture_failed(r, a, err);
    ag_var *points = grid_points(r, grid, grid, xlo, xhi, ylo, yhi);
    if (points == NULL) return engine_error(r);
    ag_retain(points);
    ag_var *y = evaluate(r, a, f, points);
    ag_release(points);
    if (y == NULL) return -1;
    size_t n = (size_t)grid * grid;
    int channels = ag_size(y) == n ? 1 : ag_ndim(y) == 2 && (size_t)ag_shape(y)[0] == n ? ag_shape(y)[1] : 0;
    int rc = 0;
    if (channels < 1 || channels > VIZ_PLOT_MAX_CLASSES) {
        rc = repl_error(r, "boundary: for %zu points the model gave shape %s; it must give one number a "
                           "point, or one score a class [N K] with K up to %d",
                        n, shape_text(y, shape), VIZ_PLOT_MAX_CLASSES);
    } else if (threshold_given && check_threshold(r, threshold, channels) < 0) {
        rc = -1;
    } else {
        const double *values = ag_cdata(y);
        double *two = NULL;
        if (channels == 2) {
            /* two classes: the probability of the second (a softmax of two
             * scores), on the diverging scale around 0.5 */
            two = malloc(n * sizeof *two);
            if (two == NULL) {
                ag_release(y);
                return repl_error(r, "boundary: out of memory");
            }
            for (size_t i = 0; i < n; i++) two[i] = 1 / (1 + exp(values[2 * i] - values[2 * i + 1]));
            values = two;
            channels = 1;
        }
        if (!threshold_given) threshold = default_threshold(f, values, n, two != NULL);
        if (repl_vz->plot_field(plot, values, grid, grid, channels, xlo, xhi, ylo, yhi, threshold, err) < 0)
            rc = picture_failed(r, a, err);
        else if (threshold_given && channels == 1)
            note_threshold_outside(r, threshold, values, n);
        free(two);
    }
    ag_release(y);
    if (rc == 0 && arg_given(a, 3)) rc = scatter_points(r, a, plot, a->values[3], a->values[4], 7);
    if (rc < 0) return -1;
    picture_changed(r, "boundary");
    return 0;
}

/* ---- heatmap, images ---------------------------------------------------------- */

/* heatmap(t, name=nil): any 2-D tensor as a heat map. */
static int builtin_heatmap(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_viz_ready(r, "heatmap") < 0) return -1;
    char err[VIZ_ERRLEN] = "", shape[AG_SHAPEBUF], kind[64], source[96];
    repl_value v = a->values[0];
    if (v.kind != VALUE_VAR)
        return repl_error(r, "heatmap: t must be a 2-D variable, not %s", value_with_article(v, kind, sizeof kind));
    ag_var *t = v.as.var;
    if (ag_ndim(t) != 2)
        return repl_error(r, "heatmap: t must be 2-D [rows columns], not of shape %s", shape_text(t, shape));
    const char *name = "";
    if (arg_given(a, 1)) {
        if (arg_string(r, a, 1, &name) < 0) return -1;
    } else if (arg_source(a, 0, source, sizeof source)) {
        name = source;
    } else if (ag_name(t)[0] != '\0') {
        name = ag_name(t);
    }
    viz_plot *plot;
    if (repl_viz_panel(r, a, 2, VIZ_PLOT_PANEL_HEATMAP, &plot) < 0) return -1;
    if (plot == NULL ||
        repl_vz->plot_heatmap(plot, ag_cdata(t), ag_shape(t)[0], ag_shape(t)[1], name, err) < 0)
        return picture_failed(r, a, err);
    picture_changed(r, "heatmap");
    return 0;
}

/* images(x, shape=nil): one small image a row of x (N, h*w) with shape=[h, w],
 * or one a slice of x (N, h, w). */
static int builtin_images(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_viz_ready(r, "images") < 0) return -1;
    char err[VIZ_ERRLEN] = "", shape[AG_SHAPEBUF], kind[64];
    repl_value v = a->values[0];
    if (v.kind != VALUE_VAR)
        return repl_error(r, "images: %s must be a variable, one image a row, not %s",
                          builtin_receiver(r, a, "x", shape, sizeof shape), value_with_article(v, kind, sizeof kind));
    ag_var *x = v.as.var;
    int count, height, width;
    if (arg_given(a, 1)) {
        int hw[2], given;
        if (arg_ints(r, a, 1, hw, 2, &given) < 0) return -1;
        if (given != 2 || hw[0] < 1 || hw[1] < 1)
            return repl_error(r, "images: shape must be [height, width] of whole numbers >= 1");
        if (ag_ndim(x) < 1 || ag_ndim(x) > 2)
            return repl_error(r, "images: x must be [N height*width] with shape=, not of shape %s", shape_text(x, shape));
        int row = ag_ndim(x) == 2 ? ag_shape(x)[1] : ag_shape(x)[0];
        if ((long long)hw[0] * hw[1] != row)
            return repl_error(r, "images: shape [%d %d] holds %lld values but each row of x has %d", hw[0], hw[1],
                              (long long)hw[0] * hw[1], row);
        count = ag_ndim(x) == 2 ? ag_shape(x)[0] : 1;
        height = hw[0];
        width = hw[1];
    } else if (ag_ndim(x) == 3) {
        count = ag_shape(x)[0];
        height = ag_shape(x)[1];
        width = ag_shape(x)[2];
    } else if (ag_ndim(x) == 2) {
        count = 1;
        height = ag_shape(x)[0];
        width = ag_shape(x)[1];
    } else if (ag_ndim(x) == 4) { /* conv filters (OC, C, KH, KW), feature maps (N, C, H, W): one a channel */
        const int *s = ag_shape(x);
        return repl_error(r, "images: x of shape %s is 4-D: give images as [N height width], one a channel "
                             "here with reshape(x, [%lld, %d, %d])",
                          shape_text(x, shape), (long long)s[0] * s[1], s[2], s[3]);
    } else if (ag_ndim(x) > 4) {
        return repl_error(r, "images: x of shape %s is not images: give [N height width], or [N height*width] "
                             "with shape=[height, width]",
                          shape_text(x, shape));
    } else {
        return repl_error(r, "images: x of shape %s needs shape=[height, width] (a row is one image)",
                          shape_text(x, shape));
    }
    if (count < 1) return repl_error(r, "images: x holds no images");
    viz_plot *plot;
    if (repl_viz_panel(r, a, 2, VIZ_PLOT_PANEL_IMAGES, &plot) < 0) return -1;
    if (plot == NULL || repl_vz->plot_images(plot, ag_cdata(x), count, height, width, err) < 0)
        return picture_failed(r, a, err);
    picture_changed(r, "images");
    return 0;
}

/* ---- neurons --------------------------------------------------------------------- */

/* The layers of an mlp (or a linear layer) and its activation's centre. */
typedef struct network {
    int layers; /* linear units */
    ag_var *w[VIZ_PLOT_MAX_LAYERS], *b[VIZ_PLOT_MAX_LAYERS];
    ag_activation activation;
} network;

/* -1, with the reason written into why (256 bytes). */
static int refuse(char why[256], const char *format, ...) __attribute__((format(printf, 2, 3)));
static int refuse(char why[256], const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(why, 256, format, args);
    va_end(args);
    return -1;
}

/* 0, or -1 with why the model is not one neurons() draws in why. */
static int read_network(ag_model *m, network *net, char why[256]) {
    memset(net, 0, sizeof *net);
    ag_model_kind kind = ag_model_get_kind(m);
    if (kind != AG_MODEL_MLP && kind != AG_MODEL_LINEAR)
        return refuse(why, "draws mlp(...) and linear_layer(...) models, not %s(...)", ag_model_kind_name(kind));
    char text[256], name[48];
    net->activation = AG_ACT_SIGMOID;
    if (kind == AG_MODEL_MLP) {
        /* "mlp [16 16 1] tanh, ..." */
        ag_model_describe(m, text, sizeof text);
        const char *close = strchr(text, ']');
        char activation[16] = "";
        if (close != NULL) sscanf(close + 1, " %15[a-z]", activation);
        if (ag_activation_from_name(activation, &net->activation) < 0)
            return refuse(why, "cannot tell the model's activation from \"%s\"", text);
        for (int i = 0;; i++) {
            snprintf(name, sizeof name, "linear[%d].w", i);
            ag_var *w = ag_model_param_by_name(m, name);
            if (w == NULL) break;
            if (i + 1 >= VIZ_PLOT_MAX_LAYERS)
                return refuse(why, "at most %d layers", VIZ_PLOT_MAX_LAYERS - 1);
            net->w[i] = w;
            snprintf(name, sizeof name, "linear[%d].b", i);
            net->b[i] = ag_model_param_by_name(m, name);
            net->layers = i + 1;
        }
    } else {
        net->w[0] = ag_model_param_by_name(m, "w");
        net->b[0] = ag_model_param_by_name(m, "b");
        net->layers = net->w[0] != NULL;
    }
    if (net->layers == 0) return refuse(why, "the model has no weights yet");
    int inputs = ag_shape(net->w[0])[0];
    if (inputs != 2)
        return refuse(why, "the model takes %d input%s; neurons draws a model of two inputs (x0, x1) "
                                           "over the plane",
                                 inputs, inputs == 1 ? "" : "s");
    for (int l = 0; l < net->layers; l++)
        if (ag_shape(net->w[l])[1] > 1024) return refuse(why, "a layer of more than 1024 units");
    return 0;
}

static ag_var *activate(ag_ctx *ctx, ag_activation activation, ag_var *x) {
    switch (activation) {
    case AG_ACT_RELU: return ag_relu(ctx, x);
    case AG_ACT_TANH: return ag_tanh(ctx, x);
    case AG_ACT_GELU: return ag_gelu(ctx, x);
    default: return ag_sigmoid(ctx, x);
    }
}

/* neurons(model, xrange, yrange, grid=32): every unit's value over the plane. */
static int builtin_neurons(repl *r, const builtin_args *a, repl_value *out) {
    if (repl_viz_ready(r, "neurons") < 0) return -1;
    char err[VIZ_ERRLEN] = "", kind[64];
    ag_model *m = repl_model_of(a->values[0]);
    if (m == NULL)
        return repl_error(r, "neurons: %s must be a model of two inputs (mlp(...)), not %s",
                          builtin_receiver(r, a, "the first argument", err, sizeof err),
                          value_with_article(a->values[0], kind, sizeof kind));
    double xlo, xhi, ylo, yhi;
    int grid;
    if (get_range(r, a, 1, &xlo, &xhi) < 0 || get_range(r, a, 2, &ylo, &yhi) < 0) return -1;
    if (get_grid(r, a, 3, NEURON_GRID, &grid) < 0) return -1;
    viz_plot *plot;
    if (repl_viz_panel(r, a, 4, VIZ_PLOT_PANEL_NEURONS, &plot) < 0) return -1;
    remember_plane(r, xlo, xhi, ylo, yhi);
    ag_ctx *ctx = repl_ctx(r);
    ag_var *points = grid_points(r, grid, grid, xlo, xhi, ylo, yhi);
    if (points == NULL) return engine_error(r);
    ag_retain(points);
    network net;
    int rc = 0;
    ag_model_kind model_kind = ag_model_get_kind(m);
    if (model_kind != AG_MODEL_MLP && model_kind != AG_MODEL_LINEAR) /* before a first call that would fail */
        rc = repl_error(r, "neurons: draws mlp(...) and linear_layer(...) models, not %s(...)",
                        ag_model_kind_name(model_kind));
    if (rc == 0 && !ag_model_initialized(m)) {
        /* the weights are made at the first call: make them from the plane's two inputs */
        bool grad_enabled = ag_set_grad_enabled(ctx, false);
        if (ag_model_forward(m, points) == NULL) rc = engine_error(r);
        ag_set_grad_enabled(ctx, grad_enabled);
    }
    char why[256];
    if (rc == 0 && read_network(m, &net, why) < 0) rc = repl_error(r, "neurons: %s", why);
    size_t cells = (size_t)grid * grid, unit_count = 2, weight_count = 0;
    int units[VIZ_PLOT_MAX_LAYERS] = {2};
    double centres[VIZ_PLOT_MAX_LAYERS] = {0};
    for (int l = 0; rc == 0 && l < net.layers; l++) {
        units[l + 1] = ag_shape(net.w[l])[1];
        unit_count += (size_t)units[l + 1];
        weight_count += ag_size(net.w[l]);
        bool last = l + 1 == net.layers;
        centres[l + 1] = last || net.activation == AG_ACT_TANH ? 0 : net.activation == AG_ACT_SIGMOID ? 0.5 : 0;
    }
    double *maps = rc == 0 ? malloc(unit_count * cells * sizeof *maps) : NULL;
    double *weights = rc == 0 ? malloc((weight_count ? weight_count : 1) * sizeof *weights) : NULL;
    if (rc == 0 && (maps == NULL || weights == NULL)) rc = repl_error(r, "neurons: out of memory");
    if (rc == 0) {
        /* the inputs, then each layer's units (maps unit by unit) */
        const double *p = ag_cdata(points);
        for (size_t i = 0; i < cells; i++) {
            maps[i] = p[2 * i];
            maps[cells + i] = p[2 * i + 1];
        }
        double *map = maps + 2 * cells, *weight = weights;
        bool grad_enabled = ag_set_grad_enabled(ctx, false);
        bool nonfinite_before = ag_nonfinite_op(ctx) != NULL;
        ag_var *h = points;
        for (int l = 0; l < net.layers && rc == 0; l++) {
            h = ag_matmul(ctx, h, net.w[l]);
            if (net.b[l] != NULL) h = ag_add(ctx, h, net.b[l]);
            if (l + 1 < net.layers && h != NULL) h = activate(ctx, net.activation, h);
            if (h == NULL) {
                rc = engine_error(r);
                break;
            }
            int k = units[l + 1];
            const double *v = ag_cdata(h);
            for (int u = 0; u < k; u++)
                for (size_t i = 0; i < cells; i++) map[(size_t)u * cells + i] = v[i * k + u];
            map += (size_t)k * cells;
            memcpy(weight, ag_cdata(net.w[l]), ag_size(net.w[l]) * sizeof *weight);
            weight += ag_size(net.w[l]);
        }
        ag_set_grad_enabled(ctx, grad_enabled);
        if (!nonfinite_before) ag_clear_nonfinite(ctx);
        if (rc == 0 && (plot == NULL || repl_vz->plot_neurons(plot, maps, units, net.layers + 1, grid, centres,
                                                              weights, xlo, xhi, ylo, yhi, err) < 0))
            rc = picture_failed(r, a, err);
    }
    free(maps);
    free(weights);
    ag_release(points);
    if (rc < 0) return -1;
    picture_changed(r, "neurons");
    return 0;
}

/* ---- a layer's units in the graph's inspector ----------------------------------- */

/* The layer of the model that made v: its binding's model and the layer's
 * number from the group title ("m.linear[1]", or "m" for a linear_layer);
 * NULL when v was made by no layer of a bound model. */
static ag_model *layer_of(repl *r, const ag_var *v, int *layer) {
    ag_func *f = ag_creator(v);
    const char *title = f != NULL ? repl_group_title(r, ag_func_tag(f)) : NULL;
    if (title == NULL) return NULL;
    char binding[64];
    const char *dot = strstr(title, ".linear[");
    size_t length = dot != NULL ? (size_t)(dot - title) : strlen(title);
    if (length == 0 || length >= sizeof binding) return NULL;
    memcpy(binding, title, length);
    binding[length] = '\0';
    *layer = 0;
    if (dot != NULL && sscanf(dot, ".linear[%d]", layer) != 1) return NULL;
    repl_value *bound = names_get(&r->names, binding);
    return bound != NULL ? repl_model_of(*bound) : NULL;
}

/* The plane of the points the model read to make v, when no boundary() or
 * neurons() has drawn one: v's first inputs followed down to the op that
 * reads the first layer's weight w0 (its Linear), whose input holds the
 * points (N, 2) (or is sliced from the data holding them); each column's finite range widened by a tenth of it on
 * each side (half a unit for a column of one value).  False when there is
 * no such op. */
static bool data_plane(const ag_var *v, const ag_var *w0, double plane[4]) {
    enum { DEPTH = 256 }; /* a deep model's layers, with their views */
    const ag_var *x = v;
    for (int depth = 0; depth < DEPTH && x != NULL && ag_creator(x) != NULL; depth++) {
        ag_func *f = ag_creator(x);
        x = ag_func_input(f, 0);
        if (ag_func_ninputs(f) >= 2 && ag_func_input(f, 1) == w0) break;
    }
    /* a minibatch sliced from the data (x[0:8]): the data's whole plane */
    while (x != NULL && ag_creator(x) != NULL && ag_func_op(ag_creator(x)) == AG_OP_GET_ITEM) {
        const ag_var *whole = ag_func_input(ag_creator(x), 0);
        if (whole == NULL || ag_ndim(whole) != 2 || ag_shape(whole)[1] != 2) break;
        x = whole;
    }
    if (x == NULL || ag_ndim(x) != 2 || ag_shape(x)[1] != 2) return false;
    const double *data = ag_cdata(x);
    int n = ag_shape(x)[0];
    for (int c = 0; c < 2; c++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < n; i++) {
            double value = data[2 * i + c];
            if (isfinite(value)) lo = fmin(lo, value), hi = fmax(hi, value);
        }
        if (!(lo <= hi)) return false;
        double margin = hi > lo ? (hi - lo) / 10 : 0.5;
        plane[2 * c] = lo - margin;
        plane[2 * c + 1] = hi + margin;
    }
    return true;
}

int repl_unit_maps(void *user, const ag_var *v, viz_unit_maps *out) {
    repl *r = user;
    repl_viz *viz = repl_get_viz(r);
    int layer;
    ag_model *m = layer_of(r, v, &layer);
    network net;
    char why[256];
    if (m == NULL || viz == NULL || read_network(m, &net, why) < 0 || layer < 0 || layer >= net.layers) return -1;
    int units = ag_shape(net.w[layer])[1];
    if (ag_ndim(v) != 2 || ag_shape(v)[1] != units) return -1;
    /* the layer's output (its activation's, or the last layer's) or the sum
     * before the activation (the Linear inside an opened layer) */
    int op = ag_func_op(ag_creator(v));
    bool activated = layer + 1 < net.layers &&
                     (op == AG_OP_TANH || op == AG_OP_SIGMOID || op == AG_OP_RELU || op == AG_OP_GELU);
    double plane[4] = {-2, 2, -2, 2}; /* the last boundary's, else the data's, else this */
    if (viz->plane_known) memcpy(plane, viz->plane, sizeof plane);
    else data_plane(v, net.w[0], plane);
    ag_ctx *ctx = repl_ctx(r);
    ag_var *points = grid_points(r, NEURON_GRID, NEURON_GRID, plane[0], plane[1], plane[2], plane[3]);
    if (points == NULL) return -1;
    ag_retain(points);
    bool grad_enabled = ag_set_grad_enabled(ctx, false);
    bool nonfinite_before = ag_nonfinite_op(ctx) != NULL;
    ag_var *h = points;
    for (int l = 0; l <= layer && h != NULL; l++) {
        h = ag_matmul(ctx, h, net.w[l]);
        if (net.b[l] != NULL && h != NULL) h = ag_add(ctx, h, net.b[l]);
        if ((l < layer || activated) && h != NULL) h = activate(ctx, net.activation, h);
    }
    ag_set_grad_enabled(ctx, grad_enabled);
    if (!nonfinite_before) ag_clear_nonfinite(ctx);
    size_t cells = (size_t)NEURON_GRID * NEURON_GRID;
    double *maps = h != NULL ? malloc((size_t)units * cells * sizeof *maps) : NULL;
    if (maps != NULL) {
        const double *data = ag_cdata(h);
        for (int u = 0; u < units; u++)
            for (size_t i = 0; i < cells; i++) maps[(size_t)u * cells + i] = data[i * units + u];
        *out = (viz_unit_maps){.maps = maps, .units = units, .grid = NEURON_GRID,
                               .centre = activated && net.activation == AG_ACT_SIGMOID ? 0.5 : 0,
                               .xlo = plane[0], .xhi = plane[1], .ylo = plane[2], .yhi = plane[3]};
        ag_func *f = ag_creator(v);
        const char *kind = activated || layer + 1 == net.layers ? "unit" : "sum";
        snprintf(out->what, sizeof out->what, "%s: %d %s%s over x0 %.3g..%.3g, x1 %.3g..%.3g",
                 repl_group_title(r, ag_func_tag(f)), units, kind, units == 1 ? "" : "s", plane[0], plane[1],
                 plane[2], plane[3]);
    }
    if (h == NULL) ag_clear_error(ctx); /* nothing the user asked for failed */
    ag_release(points);
    return maps != NULL ? 0 : -1;
}

const builtin_def builtins_pictures[] = {
    {"scatter", "x, t=nil, names=nil, src=nil, panel=nil", builtin_scatter, "plots",
     "the points of x (N, 2) coloured by their class t (whole numbers, up to 63; past ten classes the colours "
     "come round again with another marker: triangles, squares...; the legend's 16 rows list the first 15 "
     "past 16 classes and say \"... and K more\"), on the map with the contour "
     "and boundary (without t: all one grey, no legend); a point with a coordinate NaN or Inf is left out, "
     "and a note says how many; names=[...] names the classes; panel=: that panel's map\n"
     "  scatter(x, dim, index, src), an index tensor third: torch.scatter, x with src (a tensor or a number)\n"
     "  written at index along dim (a place written twice keeps the last write)",
     .function_only = true},
    {"boundary", "f, xrange, yrange, x=nil, t=nil, threshold=nil, grid=nil, names=nil, panel=nil", builtin_boundary, "plots",
     "a model's (or def's) output over [x_lo, x_hi] x [y_lo, y_hi] as a heat map with its decision "
     "line and a colour bar (several classes: the probability, a bar a class up to four, one grey bar past "
     "that); x=, t=: the points over it, as scatter; one batched call, no graph recorded; "
     "the line: one score a point from a model split at 0 (score > 0 is class 1), two scores at the "
     "second's probability 0.5, three or more (each class's region where its score is the largest) "
     "along every border between two classes' regions (past ten classes the colours come round again: "
     "a region of class 10 or more is hatched in its colour, a direction a round of ten as its points take "
     "a marker: / for 10 to 19, \\ for 20 to 29, then -, |, x, +; the web page draws them flat); a def's one "
     "number split at 0.5 when every "
     "value is in [0, 1], else at 0; threshold= sets it (one number or two scores: the probability's, "
     "between 0 and 1; a note says when it lies outside every value of the map); "
     "panel=\"before\" or 1..8: the panel it draws in (a \"before\" map drawn just left of the "
     "figure's own, captioned \"after\": two boundaries side by side)",
     .function_only = true},
    {"heatmap", "t, name=nil, panel=nil", builtin_heatmap, "plots",
     "any 2-D tensor (weights, a confusion matrix) as a heat map with a colour bar, the numbers in the "
     "cells when every one fits (else none); panel=: the panel it draws in",
     .function_only = true},
    {"images", "x, shape=nil, panel=nil", builtin_images, "plots",
     "a grid of small images, one a row of x (N, h*w) with shape=[h, w], one a slice of x (N, h, w), "
     "or a 2-D x without shape= as one image (a batch of rows needs shape=); panel=: the panel it draws in\n"
     "  each image in grey over its own range, as matplotlib's imshow: black its least, white its most (an\n"
     "  image of one value mid-grey, a number that is not finite black)",
     .function_only = true},
    {"neurons", "model, xrange, yrange, grid=nil, panel=nil", builtin_neurons, "plots",
     "every unit of a two-input model as a small map over the plane, laid out by layer with the "
     "weights between them (as TensorFlow Playground; a wide layer's maps in up to four columns); "
     "panel=: the panel it draws in",
     .function_only = true},
    {0},
};
