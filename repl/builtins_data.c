/* builtins_data.c — data to learn from as REPL built-ins: the data sets of
 * the lessons (moons, circles, xor, gaussians, spiral, sine), random
 * orders (shuffle, randperm, randint), minibatches and the sequence
 * loader, and files of data (CSV, .npy, .npz).  The engine makes and codes
 * them (ag_data.h, ag_files.h); this file binds arguments, applies the
 * session's file rules and hands back pairs that `x, t = ...` unpacks. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "confined.h"
#include "lessons.h"
#include "repl_internal.h"

/* ---- seeds ---------------------------------------------------------------- */

/* seed= at `index`: a generator of its own seeded with it in *rng, and
 * *source pointing at it; not given: the session's generator. */
static int seeded(repl *r, const builtin_args *a, int index, ag_rng *rng, ag_rng **source) {
    *source = ag_ctx_rng(r->ctx);
    if (!arg_given(a, index)) return 0;
    double seed;
    if (arg_number(r, a, index, &seed) < 0) return -1;
    if (!(seed >= 0 && seed == floor(seed) && seed <= 18446744073709549568.0))
        return repl_error(r, "%s: seed must be a whole number >= 0", a->def->name);
    ag_rng_seed(rng, (uint64_t)seed);
    *source = rng;
    return 0;
}

/* ---- data carry no gradient ------------------------------------------------
 * A data set's or a file's numbers are constants (AG_VAR_CONST: PyTorch's
 * requires_grad=False) and data (AG_VAR_DATA): backward passes them by, so
 * x.grad stays nil and no step computes a gradient nobody reads, and an op
 * of data alone records no graph (the engine's rule).  variable(x) makes a leaf of the
 * same numbers that gets one (a saliency lesson). */

/* v flagged as data; v itself (NULL stays NULL). */
static ag_var *as_data(ag_var *v) {
    if (v != NULL) ag_var_set_flags(v, ag_var_flags(v) | AG_VAR_CONST | AG_VAR_DATA);
    return v;
}

/* Whether a gradient would reach v's numbers: PyTorch's requires_grad.  A
 * constant or a value made under nograd wants none; another leaf does; a
 * value an op made wants one when one of its inputs does.  shuffle and the
 * loaders copy rows into new leaves, which are data when x's rows are.  The
 * walk visits at most WANTS_GRAD_VISITS variables (a shared input may be
 * visited more than once) and answers true past them: a gradient kept is the
 * old, safe side. */
enum { WANTS_GRAD_VISITS = 4096 };
static bool wants_grad(const ag_var *v) {
    const ag_var *stack[64];
    int depth = 0, visits = 0;
    stack[depth++] = v;
    while (depth > 0) {
        const ag_var *x = stack[--depth];
        if (++visits > WANTS_GRAD_VISITS) return true;
        if (ag_var_flags(x) & (AG_VAR_CONST | AG_VAR_NOGRAD)) continue;
        ag_func *f = ag_creator(x);
        if (f == NULL) return true; /* a leaf that gets a gradient */
        for (int i = 0; i < ag_func_ninputs(f); i++) {
            if (depth == (int)(sizeof stack / sizeof stack[0])) return true;
            stack[depth++] = ag_func_input(f, i);
        }
    }
    return false;
}

/* The pair [x, t] a data set or loader hands back (x, t = ...). */
static int done_pair(repl *r, ag_var *x, ag_var *t, repl_value *out) {
    if (x == NULL || t == NULL) return engine_error(r);
    *out = value_list_new(2);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    out->as.list->items[0] = value_var(x);
    out->as.list->items[1] = value_var(t);
    return 0;
}

/* A count argument: a whole number from least to 1e8 ("moons: n must be
 * ..."), why naming what the least is for ("" when it is 1). */
static int arg_count_from(repl *r, const builtin_args *a, int index, const char *what, int least, const char *why,
                          int *out) {
    double v;
    if (arg_number(r, a, index, &v) < 0) return -1;
    if (!(v >= least && v == floor(v) && v <= 1e8))
        return repl_error(r, "%s: %s must be a whole number from %d to 1e8%s, not %g", a->def->name, what, least, why,
                          v);
    *out = (int)v;
    return 0;
}
static int arg_count(repl *r, const builtin_args *a, int index, const char *what, int *out) {
    return arg_count_from(r, a, index, what, 1, "", out);
}

/* ---- data sets ------------------------------------------------------------ */

static int builtin_moons(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_moons(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

static int builtin_circles(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise, factor;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || arg_number(r, a, 2, &factor) < 0 ||
        seeded(r, a, 3, &rng, &source) < 0)
        return -1;
    if (ag_data_circles(r->ctx, n, noise, factor, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

static int builtin_xor(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_xor(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

/* gaussians(n, centres=nil, classes=nil, std=0.5, seed=nil): centres a list
 * of [x, y] points (then classes is their count, and classes= if given must
 * be it) or a (k, 2) tensor; else classes, 2 when not given. */
static int builtin_gaussians(repl *r, const builtin_args *a, repl_value *out) {
    int n, classes;
    double std;
    ag_rng rng, *source;
    ag_var *x, *t, *centres = NULL;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 3, &std) < 0 || seeded(r, a, 4, &rng, &source) < 0)
        return -1;
    if (arg_given(a, 1)) {
        if (arg_var(r, a, 1, &centres) < 0) return -1;
        if (ag_ndim(centres) != 2 || ag_shape(centres)[1] != 2 || ag_shape(centres)[0] < 2) {
            char shape[AG_SHAPEBUF];
            return repl_error(r, "gaussians: centres must be two or more points [x, y] (a (k, 2) list), not shape %s",
                              ag_shape_string(ag_ndim(centres), ag_shape(centres), shape));
        }
        classes = ag_shape(centres)[0];
        double k = classes;
        if (arg_given(a, 2) && arg_number(r, a, 2, &k) < 0) return -1;
        if (k != classes) {
            char shown[AG_NUMBUF];
            return repl_error(r, "gaussians: classes=%s, but centres= places %d (one class each); leave classes out",
                              ag_format_display(k, 0, shown), classes);
        }
    } else {
        double k = 2;
        if (arg_given(a, 2) && arg_number(r, a, 2, &k) < 0) return -1;
        if (!(k >= 2 && k == floor(k) && k <= 1000))
            return repl_error(r, "gaussians: classes must be a whole number from 2 to 1000, not %g", k);
        classes = (int)k;
    }
    if (ag_data_gaussians(r->ctx, n, classes, centres ? ag_cdata(centres) : NULL, std, source, &x, &t) < 0)
        return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

static int builtin_spiral(repl *r, const builtin_args *a, repl_value *out) {
    int n, classes;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_count(r, a, 1, "classes", &classes) < 0 ||
        seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_spiral(r->ctx, n, classes, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

/* sine(a) typed for sin(a): the data set's error, given a variable for n,
 * names the function meant */
static int sine_error(repl *r, const builtin_args *a) {
    if (a->values[0].kind == VALUE_VAR && r->error.set) {
        size_t len = strlen(r->error.message);
        snprintf(r->error.message + len, sizeof r->error.message - len,
                 " (sine(n) makes the data set of n points; the sine function is sin(x))");
    }
    return -1;
}

static int builtin_sine(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count_from(r, a, 0, "n", 2, " (n-1 pairs)", &n) < 0) return sine_error(r, a);
    if (arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0) return -1;
    if (ag_data_sine(r->ctx, n, noise, source, &x, &t) < 0) {
        engine_error(r);
        return sine_error(r, a);
    }
    return done_pair(r, as_data(x), as_data(t), out);
}

static int builtin_sine_regression(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || seeded(r, a, 1, &rng, &source) < 0) return -1;
    if (ag_data_sine_regression(r->ctx, n, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, as_data(x), as_data(t), out);
}

/* ---- random orders ------------------------------------------------------------ */

/* A generator for a call or an object: seeded with seed= when given, else
 * seeded from the session's generator (so seed(n) before it reproduces it). */
static int own_rng(repl *r, const builtin_args *a, int index, ag_rng *rng, uint64_t *seed_used) {
    ag_rng *source;
    if (seeded(r, a, index, rng, &source) < 0) return -1;
    uint64_t seed;
    if (source == rng) {
        double given;
        arg_number(r, a, index, &given); /* seeded() read it already */
        seed = (uint64_t)given;
    } else {
        seed = (uint64_t)ag_rng_u32(source) << 32 | ag_rng_u32(source);
        ag_rng_seed(rng, seed);
    }
    if (seed_used) *seed_used = seed;
    return 0;
}

/* The rows of x in `order` (count of them) as a new leaf. */
static ag_var *take_rows(repl *r, ag_var *x, const int *order, int count) {
    int shape[AG_MAX_DIMS], ndim = ag_ndim(x);
    for (int d = 0; d < ndim; d++) shape[d] = ag_shape(x)[d];
    size_t row = ndim > 0 && shape[0] > 0 ? ag_size(x) / (size_t)shape[0] : 0;
    shape[0] = count;
    ag_var *out = ag_zeros(r->ctx, ndim, shape);
    if (out == NULL) return NULL;
    const double *from = ag_cdata(x);
    double *to = ag_data(out);
    for (int i = 0; i < count; i++) memcpy(to + (size_t)i * row, from + (size_t)order[i] * row, row * sizeof *to);
    return out;
}

/* The rows of x, needed by shuffle and the loaders: at least 1-D, and for
 * a loader (not `empty_ok`) 1 row. */
static int rows_of(repl *r, const char *who, const char *what, ag_var *x, bool empty_ok, int *rows) {
    if (ag_ndim(x) == 0) return repl_error(r, "%s: %s must have rows (at least 1-D), not a scalar", who, what);
    *rows = ag_shape(x)[0];
    if (*rows == 0 && !empty_ok) return repl_error(r, "%s: %s has 0 rows: nothing to draw from", who, what);
    return 0;
}

/* shuffle(x, seed=nil): x's rows in a random order (a new leaf: data when
 * no gradient would reach x's numbers, as a shuffled data set); of 0 rows,
 * an empty x alike, as np.random.permutation and x[torch.randperm(0)] */
static int builtin_shuffle(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *x;
    int rows;
    ag_rng rng;
    if (arg_var(r, a, 0, &x) < 0 || rows_of(r, "shuffle", "x", x, true, &rows) < 0 || own_rng(r, a, 1, &rng, NULL) < 0)
        return -1;
    int *order = malloc(((size_t)rows + 1) * sizeof *order);
    if (order == NULL) return repl_error(r, "out of memory");
    ag_permutation(&rng, rows, order);
    ag_var *y = take_rows(r, x, order, rows);
    free(order);
    if (!wants_grad(x)) as_data(y);
    return y ? (*out = value_var(y), 0) : engine_error(r);
}

/* randperm(n, seed=nil): 0..n-1 in a random order (torch.randperm) */
static int builtin_randperm(repl *r, const builtin_args *a, repl_value *out) {
    double n;
    ag_rng rng;
    if (arg_number(r, a, 0, &n) < 0) return -1;
    if (!(n >= 0 && n == floor(n) && n <= 1e8)) return repl_error(r, "randperm: n must be a whole number from 0 to 1e8, not %g", n);
    if (own_rng(r, a, 1, &rng, NULL) < 0) return -1;
    int *order = malloc(((size_t)n + 1) * sizeof *order);
    ag_var *v = order ? ag_zeros(r->ctx, 1, (int[]){(int)n}) : NULL;
    if (v != NULL) {
        ag_permutation(&rng, (int)n, order);
        for (int i = 0; i < (int)n; i++) ag_data(v)[i] = order[i];
    }
    free(order);
    return v ? (*out = value_var(as_data(v)), 0) : order ? engine_error(r) : repl_error(r, "out of memory");
}

/* randint(lo, hi, shape=[], seed=nil): whole numbers uniform in [lo, hi)
 * (torch.randint); randint(hi, shape), PyTorch's randint(high, size), when
 * the second argument is a size: a list or 1-D tensor ((4,), [2, 3]), never
 * a number or a 0-d variable, which stay hi. */
static int builtin_randint(repl *r, const builtin_args *a, repl_value *out) {
    double lo = 0, hi;
    int shape[AG_MAX_DIMS], ndim = 0;
    ag_rng rng;
    repl_value second = a->values[1];
    bool size_second = second.kind == VALUE_LIST || (second.kind == VALUE_VAR && ag_ndim(second.as.var) >= 1);
    if (size_second && arg_given(a, 2)) {
        char text[48];
        return repl_error(r, "randint: hi must be a number, not the size %s; write randint(lo, hi, size) or "
                             "randint(hi, size) (then lo = 0)",
                          builtin_arg_text(r, a, 1, false, text, sizeof text) ? text : "given");
    }
    if (size_second) {
        if (arg_number(r, a, 0, &hi) < 0 || arg_ints(r, a, 1, shape, AG_MAX_DIMS, &ndim) < 0) return -1;
        if (hi == floor(hi) && hi < 1)
            return repl_error(r, "randint: randint(hi, size) draws from [0, hi): hi must be at least 1, not %g", hi);
    } else if (arg_number(r, a, 0, &lo) < 0 || arg_number(r, a, 1, &hi) < 0) {
        return -1;
    }
    if (lo != floor(lo) || hi != floor(hi) || !(hi > lo) || hi - lo > 4294967295.0 || fabs(lo) > 9e15 || fabs(hi) > 9e15)
        return repl_error(r, "randint: lo and hi must be whole numbers with lo < hi (at most 2^32 apart), not %g and %g", lo, hi);
    if (!size_second && arg_given(a, 2) && arg_ints(r, a, 2, shape, AG_MAX_DIMS, &ndim) < 0) return -1;
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0) return repl_error(r, "randint: shape must not be negative");
    if (own_rng(r, a, 3, &rng, NULL) < 0) return -1;
    ag_var *v = ag_zeros(r->ctx, ndim, shape);
    if (v == NULL) return engine_error(r);
    uint32_t span = (uint32_t)(hi - lo);
    for (size_t i = 0; i < ag_size(v); i++) ag_data(v)[i] = lo + ag_rng_below(&rng, span);
    *out = value_var(as_data(v));
    return 0;
}

/* ---- minibatches: batches(x, t) and the sequence loader ------------------------------
 * Loader objects walked lazily by for loops (value.h's iteration hooks):
 * every loop over one loader is a new epoch, reshuffled by its own
 * generator.  A batch of data is new constant leaves (rows copied, no
 * graph), as DeZero's DataLoader hands out arrays; a batch of a variable
 * that gets gradients is the row-gather indexing records, so they reach it. */

typedef enum { LOADER_BATCHES, LOADER_CHUNKS, LOADER_JUMPS } loader_kind;

typedef struct loader {
    loader_kind kind;
    ag_var *x, *t; /* retained; t NULL: batches of x alone */
    bool x_data, t_data; /* no gradient would reach x's (t's) numbers: batches of them are data */
    int rows, size;
    bool shuffle, drop_last;
    ag_rng rng;
    uint64_t seed;
    int epochs; /* passes started */
} loader;

typedef struct loader_cursor {
    int next;  /* the batch to hand out */
    int order[]; /* this epoch's order of the rows (batches) */
} loader_cursor;

static void loader_destroy(void *payload) {
    loader *l = payload;
    ag_release(l->x);
    if (l->t) ag_release(l->t);
    free(l);
}

/* Batches in a pass. */
static long loader_length(const void *payload) {
    const loader *l = payload;
    if (l->kind != LOADER_BATCHES) return l->rows / l->size;
    return l->drop_last ? l->rows / l->size : (l->rows + l->size - 1) / l->size;
}

static char *loader_describe(const void *payload) {
    const loader *l = payload;
    char text[256];
    if (l->kind == LOADER_BATCHES)
        snprintf(text, sizeof text, "batches of %d from %d rows%s: %ld a pass%s%s", l->size, l->rows,
                 l->t ? " of (x, t)" : "", loader_length(l), l->shuffle ? ", reshuffled each pass" : ", in order",
                 l->drop_last ? ", the short last one dropped" : "");
    else
        snprintf(text, sizeof text, "sequence batches of %d from %d pairs: %ld a pass, %s", l->size, l->rows,
                 loader_length(l), l->kind == LOADER_JUMPS ? "row k of batch i is pair k*jump + i (DeZero's SeqDataLoader)"
                                                           : "batch i is pairs i*size to (i+1)*size-1 (the Go guide's DataLoader)");
    return strdup(text);
}

static int loader_start(repl *r, void *payload, void **cursor) {
    loader *l = payload;
    loader_cursor *c = malloc(sizeof *c + (size_t)l->rows * sizeof c->order[0]);
    if (c == NULL) return repl_error(r, "out of memory");
    c->next = 0;
    if (l->kind == LOADER_BATCHES && l->shuffle) ag_permutation(&l->rng, l->rows, c->order);
    else
        for (int i = 0; i < l->rows; i++) c->order[i] = i;
    l->epochs++;
    *cursor = c;
    return 0;
}

/* A batch of x's rows: of data, a new constant leaf of them (no graph); of
 * a variable a gradient reaches, the row-gather x[rows] records (GetItem),
 * so backward through the batch sums into x's gradient, as PyTorch's
 * DataLoader(TensorDataset(x, t)) batches do when x.requires_grad. */
static ag_var *batch_rows(repl *r, ag_var *x, bool data, const int *rows, int count) {
    if (!data) return ag_get_item(r->ctx, x, 0, rows, count);
    return as_data(take_rows(r, x, rows, count));
}

static int loader_next(repl *r, void *payload, void *cursor, repl_value *out) {
    loader *l = payload;
    loader_cursor *c = cursor;
    if (c->next >= loader_length(l)) return 0;
    int batch = c->next++, count, *rows = c->order + (size_t)batch * (size_t)l->size, jumped[l->kind == LOADER_JUMPS ? l->size : 1];
    if (l->kind == LOADER_JUMPS) { /* DeZero: (k * jump + i) % N for k < size */
        int jump = l->rows / l->size;
        for (int k = 0; k < l->size; k++) jumped[k] = (int)(((long)k * jump + batch) % l->rows);
        rows = jumped;
        count = l->size;
    } else {
        count = l->rows - batch * l->size < l->size ? l->rows - batch * l->size : l->size;
    }
    ag_var *xb = batch_rows(r, l->x, l->x_data, rows, count);
    ag_var *tb = xb && l->t ? batch_rows(r, l->t, l->t_data, rows, count) : NULL;
    if (xb == NULL || (l->t && tb == NULL)) return engine_error(r);
    *out = l->t ? value_pair(value_var(xb), value_var(tb)) : value_var(xb);
    return out->kind == VALUE_NIL ? repl_error(r, "out of memory") : 1;
}

static void loader_stop(void *payload, void *cursor) {
    (void)payload;
    free(cursor);
}

static int loader_get_attr(repl *r, void *payload, const char *name, repl_value *out) {
    (void)r;
    loader *l = payload;
    if (strcmp(name, "size") == 0 || strcmp(name, "batch_size") == 0) *out = value_number(l->size);
    else if (strcmp(name, "N") == 0 || strcmp(name, "rows") == 0) *out = value_number(l->rows);
    else if (strcmp(name, "epochs") == 0) *out = value_number(l->epochs);
    else if (strcmp(name, "x") == 0) *out = value_var(l->x);
    else if (strcmp(name, "t") == 0) *out = l->t ? value_var(l->t) : (repl_value)VALUE_NIL_INIT;
    else return 1;
    return 0;
}

static const char *const loader_attributes[] = {"size", "batch_size", "N", "rows", "epochs", "x", "t", NULL};

static const repl_object_type loader_type = {
    .name = "loader",
    .destroy = loader_destroy,
    .describe = loader_describe,
    .get_attr = loader_get_attr,
    .attributes = loader_attributes,
    .iter_start = loader_start,
    .iter_next = loader_next,
    .iter_stop = loader_stop,
    .length = loader_length,
};

/* A loader over x (and t): their rows checked to agree. */
static int make_loader(repl *r, const builtin_args *a, loader_kind kind, int size_index, repl_value *out,
                       loader **made) {
    const char *who = a->def->name;
    ag_var *x, *t = NULL;
    int rows, trows;
    double size;
    if (arg_var(r, a, 0, &x) < 0 || rows_of(r, who, "x", x, false, &rows) < 0) return -1;
    if (arg_given(a, 1) && (arg_var(r, a, 1, &t) < 0 || rows_of(r, who, "t", t, false, &trows) < 0)) return -1;
    if (t && trows != rows)
        return repl_error(r, "%s: x has %d rows but t has %d: each row of x needs its target", who, rows, trows);
    if (arg_number(r, a, size_index, &size) < 0) return -1;
    if (!(size >= 1 && size == floor(size) && size <= 1e8))
        return repl_error(r, "%s: size must be a whole number from 1 to 1e8 (rows in a batch), not %g", who, size);
    if (kind != LOADER_BATCHES && size > rows)
        return repl_error(r, "%s: size %g is more than the %d pairs there are", who, size, rows);
    loader *l = calloc(1, sizeof *l);
    if (l == NULL) return repl_error(r, "out of memory");
    *l = (loader){.kind = kind, .x = x, .t = t, .rows = rows, .size = (int)size, .x_data = !wants_grad(x),
                  .t_data = t != NULL && !wants_grad(t)};
    ag_retain(x);
    if (t) ag_retain(t);
    *out = value_object_new(&loader_type, l);
    if (out->kind != VALUE_OBJECT) return repl_error(r, "out of memory");
    *made = l;
    return 0;
}

/* batches(x, t=nil, size=32, shuffle=true, seed=nil, drop_last=false) */
static int builtin_batches(repl *r, const builtin_args *a, repl_value *out) {
    bool shuffle, drop_last;
    ag_rng rng;
    uint64_t seed;
    if (arg_bool(r, a, 3, &shuffle) < 0 || arg_bool(r, a, 5, &drop_last) < 0 || own_rng(r, a, 4, &rng, &seed) < 0)
        return -1;
    loader *l;
    if (make_loader(r, a, LOADER_BATCHES, 2, out, &l) < 0) return -1;
    l->shuffle = shuffle;
    l->drop_last = drop_last;
    l->rng = rng;
    l->seed = seed;
    return 0; /* drop_last with fewer rows than size: no batch, as PyTorch's DataLoader (len 0) */
}

/* seq_batches(x, t=nil, size=1, jump=false) */
static int builtin_seq_batches(repl *r, const builtin_args *a, repl_value *out) {
    bool jump;
    if (arg_bool(r, a, 3, &jump) < 0) return -1;
    loader *l;
    return make_loader(r, a, jump ? LOADER_JUMPS : LOADER_CHUNKS, 2, out, &l);
}

/* ---- files of data ------------------------------------------------------------
 * The engine codes the formats (ag_files.h); here the bytes come from the
 * file whole and go to it whole or not at all (write_file_atomic keeps the
 * target's mode and links).  The rows set .file_arg, so --no-files and
 * --files-in are applied before these run. */

/* A file's bytes, read into memory (not mapped: a file cut short by
 * another process while mapped would end the session with SIGBUS). */
typedef struct file_bytes {
    char *data;
    size_t size;
} file_bytes;

static void file_bytes_free(file_bytes *b) {
    free(b->data);
    b->data = NULL;
}

/* The whole of `path` in *b; -1 after an error "WHO: cannot read "PATH": why". */
static int read_whole(repl *r, const char *who, const char *path, file_bytes *b) {
    *b = (file_bytes){0};
    /* below the session's folder, name by name, never waiting on a FIFO
       (repl_open_file's walk, with this file's wording) */
    int root_fd = r->settings.files_root_fd;
    const char *root = r->settings.files_root;
    bool shipped = root != NULL && lesson_data_path(path); /* lesson_data(): outside the folder, not the user's */
    if (root == NULL || shipped) root = "/", root_fd = confined_slash_fd();
    int fd = root_fd >= 0 ? confined_open_read(root_fd, root, path) : -1;
    struct stat st;
    if (fd < 0) return repl_error(r, "%s: cannot read \"%s\": %s", who, path, repl_file_strerror(r, path, errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return repl_error(r, "%s: cannot read \"%s\": it is a directory", who, path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return repl_error(r, "%s: cannot read \"%s\": it is %s, not a regular file", who, path,
                          S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
    }
    /* one read of the size the file has now, and more if it grew */
    size_t capacity = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, length = 0;
    char *data = malloc(capacity);
    int error = 0;
    while (data != NULL) {
        if (length == capacity) {
            char *grown = realloc(data, capacity * 2);
            if (grown == NULL) break;
            data = grown;
            capacity *= 2;
        }
        ssize_t got = read(fd, data + length, capacity - length);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        if (got <= 0) break;
        length += (size_t)got;
    }
    close(fd);
    if (data == NULL || error) {
        free(data);
        return error ? repl_error(r, "%s: cannot read \"%s\": %s", who, path, strerror(error))
                     : repl_error(r, "%s: \"%s\" is too large to read (out of memory)", who, path);
    }
    *b = (file_bytes){data, length};
    return 0;
}

/* bytes as the new content of `path`, whole or not at all; frees bytes. */
static int write_whole(repl *r, const char *who, const char *path, void *bytes, size_t size) {
    errno = 0;
    int rc = repl_write_file(r, path, bytes, size, 0);
    int saved = errno;
    free(bytes);
    if (rc < 0) return repl_error(r, "%s: cannot write \"%s\": %s", who, path, repl_file_strerror(r, path, saved ? saved : EIO));
    return 0;
}

/* The engine's error about the file, after "WHO: ". */
static int file_error(repl *r, const char *who) {
    const char *message = ag_errmsg(r->ctx);
    repl_error(r, "%s: %s", who, message && message[0] ? message : "out of memory");
    ag_clear_error(r->ctx);
    return -1;
}

/* A column named by a string or numbered from 0 (from -1 for the last, as
 * Python's indexing and NumPy's usecols), as the engine takes it. */
static int column_spec(repl *r, const char *who, const char *what, repl_value v, char *buf, size_t size) {
    if (v.kind == VALUE_STRING) {
        snprintf(buf, size, "%s", v.as.string->text);
        return 0;
    }
    bool number = v.kind == VALUE_NUMBER || (v.kind == VALUE_VAR && ag_size(v.as.var) == 1);
    double k = v.kind == VALUE_NUMBER ? v.as.number : number ? ag_cdata(v.as.var)[0] : NAN;
    if (number && !(k == floor(k) && fabs(k) < 1e9)) /* the number itself is what is wrong: show it */
        return repl_error(r, "%s: %s: %g is not a column number (a whole number: 0 the first, -1 the last)", who,
                          what, k);
    if (!number) {
        char kind[64];
        return repl_error(r, "%s: %s must name a column by its header name or its number from 0, not %s", who, what,
                          value_with_article(v, kind, sizeof kind));
    }
    snprintf(buf, size, "%d", (int)k);
    return 0;
}

/* load_csv(file, header=false, columns=nil, target=nil, delimiter=","):
 * x, or [x, t] with target= */
static int builtin_load_csv(repl *r, const builtin_args *a, repl_value *out) {
    const char *file, *delimiter;
    bool header;
    if (arg_string(r, a, 0, &file) < 0 || arg_bool(r, a, 1, &header) < 0 || arg_string(r, a, 4, &delimiter) < 0)
        return -1;
    if (strlen(delimiter) != 1) return repl_error(r, "load_csv: delimiter must be one character, not \"%s\"", delimiter);
    ag_csv_options options = {.header = header, .delimiter = delimiter[0]};
    char target[256], (*names)[256] = NULL;
    const char **columns = NULL;
    int status = -1;
    if (arg_given(a, 3)) {
        if (column_spec(r, "load_csv", "target", a->values[3], target, sizeof target) < 0) return -1;
        options.target = target;
    }
    if (arg_given(a, 2)) {
        repl_value v = a->values[2];
        int n = v.kind == VALUE_LIST ? v.as.list->count : 1;
        names = calloc((size_t)n, sizeof *names);
        columns = calloc((size_t)n, sizeof *columns);
        if (names == NULL || columns == NULL) {
            repl_error(r, "out of memory");
            goto done;
        }
        if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1) { /* columns=[0, 2] arrives as a tensor */
            n = ag_shape(v.as.var)[0];
            free(names);
            free(columns);
            names = calloc((size_t)n + 1, sizeof *names);
            columns = calloc((size_t)n + 1, sizeof *columns);
            if (names == NULL || columns == NULL) {
                repl_error(r, "out of memory");
                goto done;
            }
            for (int i = 0; i < n; i++)
                if (column_spec(r, "load_csv", "columns", value_number(ag_cdata(v.as.var)[i]), names[i], 256) < 0) goto done;
        } else {
            for (int i = 0; i < n; i++)
                if (column_spec(r, "load_csv", "columns", v.kind == VALUE_LIST ? v.as.list->items[i] : v, names[i], 256) < 0)
                    goto done;
        }
        for (int i = 0; i < n; i++) columns[i] = names[i];
        options.columns = columns;
        options.ncolumns = n;
    }
    file_bytes bytes;
    if (read_whole(r, "load_csv", file, &bytes) < 0) goto done;
    ag_var *x, *t;
    int rc = ag_csv_decode(r->ctx, bytes.data, bytes.size, file, &options, &x, &t, NULL, NULL);
    file_bytes_free(&bytes);
    if (rc < 0) {
        file_error(r, "load_csv");
        goto done;
    }
    status = options.target ? done_pair(r, as_data(x), as_data(t), out) : (*out = value_var(as_data(x)), 0);
done:
    free(names);
    free(columns);
    return status;
}

/* save_csv(file, x, t=nil, header=nil, delimiter=","): t becomes the last column */
static int builtin_save_csv(repl *r, const builtin_args *a, repl_value *out) {
    const char *file, *delimiter;
    ag_var *x, *t = NULL;
    if (arg_string(r, a, 0, &file) < 0 || arg_var(r, a, 1, &x) < 0 || arg_string(r, a, 4, &delimiter) < 0) return -1;
    if (arg_given(a, 2) && arg_var(r, a, 2, &t) < 0) return -1;
    if (strlen(delimiter) != 1) return repl_error(r, "save_csv: delimiter must be one character, not \"%s\"", delimiter);
    if (ag_ndim(x) > 2) return repl_error(r, "save_csv: x must be 1-D (a column) or 2-D (rows and columns), not %d-D", ag_ndim(x));
    ag_var *table = x;
    if (t != NULL) {
        int rows = ag_ndim(x) == 0 ? 1 : ag_shape(x)[0];
        if (ag_size(t) != (size_t)rows)
            return repl_error(r, "save_csv: t has %zu numbers but x has %d rows", ag_size(t), rows);
        ag_var *parts[2] = {ag_ndim(x) == 2 ? x : ag_reshape(r->ctx, x, 2, (int[]){rows, 1}),
                            ag_reshape(r->ctx, t, 2, (int[]){rows, 1})};
        table = parts[0] && parts[1] ? ag_concat(r->ctx, parts, 2, 1) : NULL;
        if (table == NULL) return engine_error(r);
    }
    int columns = ag_ndim(table) == 2 ? ag_shape(table)[1] : 1;
    const char **names = NULL;
    if (arg_given(a, 3)) {
        repl_value h = a->values[3];
        if (h.kind != VALUE_LIST || h.as.list->count != columns)
            return repl_error(r, "save_csv: header must be a list of %d column names (strings)", columns);
        names = calloc((size_t)columns, sizeof *names);
        if (names == NULL) return repl_error(r, "out of memory");
        for (int j = 0; j < columns; j++) {
            if (h.as.list->items[j].kind != VALUE_STRING) {
                free(names);
                return repl_error(r, "save_csv: header must be a list of %d column names (strings)", columns);
            }
            names[j] = h.as.list->items[j].as.string->text;
        }
    }
    void *bytes;
    size_t size;
    int rc = ag_csv_encode(r->ctx, table, names, delimiter[0], false, &bytes, &size);
    free(names);
    if (rc < 0) return file_error(r, "save_csv");
    if (write_whole(r, "save_csv", file, bytes, size) < 0) return -1;
    *out = VALUE_NIL_INIT;
    return 0;
}

static int builtin_load_npy(repl *r, const builtin_args *a, repl_value *out) {
    const char *file;
    file_bytes bytes;
    if (arg_string(r, a, 0, &file) < 0 || read_whole(r, "load_npy", file, &bytes) < 0) return -1;
    ag_var *x = ag_npy_decode(r->ctx, bytes.data, bytes.size, file);
    file_bytes_free(&bytes);
    if (x == NULL) return file_error(r, "load_npy");
    *out = value_var(as_data(x));
    return 0;
}

static int builtin_save_npy(repl *r, const builtin_args *a, repl_value *out) {
    const char *file;
    ag_var *x;
    void *bytes;
    size_t size;
    if (arg_string(r, a, 0, &file) < 0 || arg_var(r, a, 1, &x) < 0) return -1;
    if (ag_npy_encode(r->ctx, x, &bytes, &size) < 0) return file_error(r, "save_npy");
    if (write_whole(r, "save_npy", file, bytes, size) < 0) return -1;
    *out = VALUE_NIL_INIT;
    return 0;
}

/* load_npz(file, name=nil): the arrays in the archive's order, or the one
 * named (alone read, as np.load reads a member when it is asked for).  An
 * archive of one array gives that array, not a list of one: x = load_npz(f)
 * reads back what save_npz(f, x) or np.savez(f, x) wrote, as x, t =
 * load_npz(f) reads back two (a list of one needed [0] where load_npy and
 * every other loader of one thing give it). */
static int builtin_load_npz(repl *r, const builtin_args *a, repl_value *out) {
    const char *file, *name = NULL;
    file_bytes bytes;
    if (arg_string(r, a, 0, &file) < 0 || (arg_given(a, 1) && arg_string(r, a, 1, &name) < 0)) return -1;
    if (read_whole(r, "load_npz", file, &bytes) < 0) return -1;
    ag_var **arrays = NULL, *one = NULL;
    char **names;
    int count;
    int rc = name ? ag_npz_decode_one(r->ctx, bytes.data, bytes.size, file, name, &one, &names, &count)
                  : ag_npz_decode(r->ctx, bytes.data, bytes.size, file, &arrays, &names, &count);
    file_bytes_free(&bytes);
    if (rc < 0) return file_error(r, "load_npz");
    int status = 0;
    if (name != NULL) {
        if (one == NULL) {
            char listed[512] = "";
            for (int i = 0; i < count; i++)
                snprintf(listed + strlen(listed), sizeof listed - strlen(listed), "%s%s", i ? ", " : "", names[i]);
            status = repl_error(r, "load_npz: \"%s\" has no array named %s (it has: %s)", file, name, listed);
        } else {
            *out = value_var(as_data(one));
        }
    } else if (count == 1) {
        *out = value_var(as_data(arrays[0]));
    } else {
        for (int i = 0; i < count; i++) as_data(arrays[i]);
        *out = value_list_new(count);
        if (out->kind != VALUE_LIST) status = repl_error(r, "out of memory");
        for (int i = 0; status == 0 && i < count; i++) out->as.list->items[i] = value_var(arrays[i]);
    }
    ag_npz_free(arrays, names, count);
    return status;
}

/* save_npz(file, *arrays, names=nil, compress=false) */
static int builtin_save_npz(repl *r, const builtin_args *a, repl_value *out) {
    const char *file;
    bool compress;
    if (arg_string(r, a, 0, &file) < 0 || arg_bool(r, a, 3, &compress) < 0) return -1;
    repl_value rest = a->values[1];
    int count = rest.kind == VALUE_LIST ? rest.as.list->count : 0;
    if (count == 0) return repl_error(r, "save_npz: no arrays to save: save_npz(file, x, t, names=[\"x\", \"t\"])");
    ag_var **arrays = calloc((size_t)count, sizeof *arrays);
    const char **names = calloc((size_t)count, sizeof *names);
    char (*made)[32] = calloc((size_t)count, sizeof *made);
    int status = -1;
    if (arrays == NULL || names == NULL || made == NULL) {
        repl_error(r, "out of memory");
        goto done;
    }
    repl_value given = a->values[2];
    if (arg_given(a, 2) && (given.kind != VALUE_LIST || given.as.list->count != count)) {
        repl_error(r, "save_npz: names must be a list of %d names (strings), one for each array", count);
        goto done;
    }
    for (int i = 0; i < count; i++) {
        repl_value v = rest.as.list->items[i];
        if (v.kind != VALUE_VAR) {
            char kind[64];
            repl_error(r, "save_npz: array %d must be a variable, not %s", i + 1, value_with_article(v, kind, sizeof kind));
            goto done;
        }
        arrays[i] = v.as.var;
        if (arg_given(a, 2)) {
            repl_value n = given.as.list->items[i];
            if (n.kind != VALUE_STRING || n.as.string->length == 0 || strchr(n.as.string->text, '/')) {
                repl_error(r, "save_npz: names must be a list of %d names (strings without '/'), one for each array", count);
                goto done;
            }
            names[i] = n.as.string->text;
        } else {
            snprintf(made[i], sizeof made[i], "arr_%d", i); /* np.savez's names for positional arrays */
            names[i] = made[i];
        }
    }
    for (int i = 0; i < count; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0) {
                repl_error(r, "save_npz: the name %s is given twice", names[i]);
                goto done;
            }
    void *bytes;
    size_t size;
    if (ag_npz_encode(r->ctx, arrays, names, count, compress, &bytes, &size) < 0) {
        file_error(r, "save_npz");
        goto done;
    }
    if (write_whole(r, "save_npz", file, bytes, size) < 0) goto done;
    *out = VALUE_NIL_INIT;
    status = 0;
done:
    free(arrays);
    free(names);
    free(made);
    return status;
}

/* lesson_data("iris.csv"): where the lessons' data file is, so a lesson
 * reads it from anywhere: data/FILE of the current folder or of the running
 * script's (a lesson copied with its data), else of the lessons
 * (samples/data/, or installed beside them) */
static int builtin_lesson_data(repl *r, const builtin_args *a, repl_value *out) {
    const char *file;
    char path[4096], dirs[2048], relative[512];
    if (arg_string(r, a, 0, &file) < 0) return -1;
    const char *script = r->eval.chunk != NULL ? r->eval.chunk->filename : NULL;
    bool plain = file[0] != '\0' && file[0] != '.' && strchr(file, '/') == NULL;
    int n = snprintf(relative, sizeof relative, "data/%s", file);
    bool beside = plain && n > 0 && (size_t)n < sizeof relative &&
                  repl_find_beside(r, script, relative, path, sizeof path);
    if (!beside && lesson_data_find(file, path, sizeof path) < 0)
        return repl_error(r, "lesson_data: no data file %s in data/ of the current folder, the script's, or %s", file,
                          lesson_dirs(dirs, sizeof dirs));
    *out = value_string_from(path, strlen(path));
    return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
}

/* The line :help NAME adds for a data set or a loaded file. */
#define CONSTANT_DATA "data: constants, as PyTorch's requires_grad=False: backward gives them no gradient (x.grad stays none),\n" \
                      "  an op of data alone records no graph; xv = variable(x) is a copy that gets one (a saliency map)"

const builtin_def builtins_data[] = {
    /* Each help line starts with a one-line picture of the set (:help data). */
    {"moons", "n=100, noise=0.1, seed=nil", builtin_moons, "data",
     "◠◡  x, t = moons(100): two interleaving half circles, x (n, 2), t classes 0/1 (scikit-learn's make_moons)\n"
     "  n/2 points on the upper arc (class 0), the rest on the lower one moved right and down; normal\n"
     "  noise of standard deviation noise; rows shuffled\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"circles", "n=100, noise=0.05, factor=0.5, seed=nil", builtin_circles, "data",
     "◎   x, t = circles(100): a ring (class 0) around a smaller ring of radius factor (class 1)\n"
     "  scikit-learn's make_circles: normal noise, rows shuffled\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"xor", "n=200, noise=0, seed=nil", builtin_xor, "data",
     "▚   x, t = xor(200): points in [-1, 1)^2, class 1 where x0*x1 < 0 (TensorFlow Playground's XOR)\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"gaussians", "n=100, centres=nil, classes=nil, std=0.5, seed=nil", builtin_gaussians, "data",
     "∴ ∵ x, t = gaussians(100): blobs, point i of class i % k around its centre with normal noise std\n"
     "  centres=[[x, y], ...] places them, a class each; else classes=k (2 unless given) centres evenly\n"
     "  on a circle of radius 2\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"spiral", "n=100, classes=3, seed=nil", builtin_spiral, "data",
     "@   x, t = spiral(100, classes=3): DeZero's spiral, n points per class, arms winding out\n"
     "  theta = 4j + 4i/n + 0.2*randn, radius = i/n; rows in class order (n*classes of them)\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"sine", "n=1000, noise=0.05, seed=nil", builtin_sine, "data",
     "∿   x, t = sine(1000): the LSTM guide's noisy sine, n-1 pairs (y[i], y[i+1]) as (n-1, 1) columns\n"
     "  y_i = sin(2 pi i/(n-1)) + uniform noise in [-noise, noise) (itsubaki/autograd cmd/lstm)\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"sine_regression", "n=100, seed=nil", builtin_sine_regression, "data",
     "∿·  x, t = sine_regression(100): x uniform in [0, 1), t = sin(2 pi x) + uniform [0, 1) (DeZero step 43)\n"
     "  " CONSTANT_DATA,
     .function_only = true},
    {"shuffle", "x, seed=nil", builtin_shuffle, "data", "x's rows in a random order (a new leaf): shuffle(x, seed=1)\n"
     "  a constant (no gradient) when no gradient would reach x's numbers: x is data; x of 0 rows gives\n"
     "  them back, as np.random.permutation"},
    {"randperm", "n, seed=nil", builtin_randperm, "data", "0, 1, ..., n-1 in a random order (torch.randperm)\n"
     "  a constant: whole numbers get no gradient",
     .function_only = true},
    {"randint", "lo, hi, shape=nil, seed=nil", builtin_randint, "data",
     "whole numbers uniform in [lo, hi) (torch.randint): randint(0, 10, [3])\n"
     "  randint(hi, size), PyTorch's randint(high, size): lo = 0 when the second argument is a size\n"
     "  (a list or 1-D tensor: randint(3, (4,)), randint(10, [2, 3])); a number there is hi\n"
     "  a constant: whole numbers get no gradient", .function_only = true},
    {"batches", "x, t=nil, size=32, shuffle=true, seed=nil, drop_last=false", builtin_batches, "data",
     "for xb, tb in batches(x, t, size=32) { }: minibatches as DeZero's DataLoader, reshuffled each loop\n"
     "  every for loop over one loader is an epoch in a new order from its own generator (seed= fixes\n"
     "  them all); the last, short batch is kept unless drop_last=true (then fewer rows than size make\n"
     "  no batch: len 0, as PyTorch's DataLoader); without t, batches of x alone; len(loader) counts a\n"
     "  pass; loader.N, loader.size, loader.epochs; batches of data (a data set, a file) are constants;\n"
     "  a batch of a variable(x) is the rows picked as x[rows] picks them, so backward through it sums\n"
     "  into x.grad (a saliency map)",
     .function_only = true},
    {"seq_batches", "x, t=nil, size=1, jump=false", builtin_seq_batches, "data",
     "for x, t in seq_batches(xs, ts, size=30) { }: consecutive batches for truncated BPTT\n"
     "  jump=false: batch i is pairs i*size .. (i+1)*size-1 in order, as the Go guide's DataLoader;\n"
     "  jump=true: row k of batch i is pair (k*(N/size) + i) % N, DeZero's SeqDataLoader, so each row\n"
     "  of a batch follows its own stretch of the sequence from one batch to the next; batches of data\n"
     "  are constants, and of a variable(x) pass gradients to x, as batches' do",
     .function_only = true},
    {"lesson_data", "file", builtin_lesson_data, "data",
     "the path of a data file the lessons ship (samples/data/): load_csv(lesson_data(\"iris.csv\"), header=true)\n"
     "  data/FILE of the current folder, then of the script running, comes first (a lesson copied with its data)",
     .function_only = true},
    {"load_csv", "file, header=false, columns=nil, target=nil, delimiter=\",\"", builtin_load_csv, "data",
     "x = load_csv(\"f.csv\"): a table of numbers (RFC 4180, read by libcsv); x, t = ... with target=\n"
     "  header=true: the first line names the columns; columns=[...] keeps these (names, or numbers\n"
     "  from 0 and from -1 for the last), in order, and the others are not read (words there are no\n"
     "  error); target= is one column returned apart as t, never in x (even when columns= lists it);\n"
     "  numbers are read as NumPy's loadtxt reads them (1e3, inf, nan; not 0x10); a ragged row or a\n"
     "  word where a number should be is an error naming the line and column; comments are skipped as\n"
     "  loadtxt skips them: from a # to the line's end (a # in quotes is text), a line of one left out\n"
     "  (header=true names the columns by the first line that is not: np.savetxt's header=\"a,b\" is a\n"
     "  comment unless comments=\"\")\n"
     "  " CONSTANT_DATA,
     .function_only = true, .file_arg = 1},
    {"save_csv", "file, x, t=nil, header=nil, delimiter=\",\"", builtin_save_csv, "data",
     "writes x (rows and columns; t as a last column) as CSV, numbers in full; header=[\"a\", ...] names them",
     .function_only = true, .file_arg = 1},
    {"load_npy", "file", builtin_load_npy, "data",
     "x = load_npy(\"x.npy\"): a NumPy array (np.save): float64/32, int8-64, uint8-64, bool; C or Fortran order\n"
     "  " CONSTANT_DATA,
     .function_only = true, .file_arg = 1},
    {"save_npy", "file, x", builtin_save_npy, "data",
     "writes x as NumPy's .npy (float64), byte for byte what np.save writes; np.load reads it",
     .function_only = true, .file_arg = 1},
    {"load_npz", "file, name=nil", builtin_load_npz, "data",
     "x, t = load_npz(\"d.npz\"): the arrays of np.savez / np.savez_compressed in order, or a lone array itself\n"
     "  (x = load_npz(\"x.npz\") reads back save_npz(\"x.npz\", x) or np.savez's arr_0, not a list of one); name= picks one\n"
     "  and reads it alone (as np.load(f)[name]: another member of a dtype not read here is no error)\n"
     "  " CONSTANT_DATA,
     .function_only = true, .file_arg = 1},
    {"save_npz", "file, *arrays, names=nil, compress=false", builtin_save_npz, "data",
     "writes the arrays as a .npz (names=[\"x\", \"t\"], else arr_0, arr_1...; compress=true deflates them)",
     .function_only = true, .file_arg = 1},
    {0},
};
