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
#include <sys/stat.h>

#include "atomic_file.h"
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

/* The pair [x, t] a data set or loader hands back (x, t = ...). */
static int done_pair(repl *r, ag_var *x, ag_var *t, repl_value *out) {
    if (x == NULL || t == NULL) return engine_error(r);
    *out = value_list_new(2);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    out->as.list->items[0] = value_var(x);
    out->as.list->items[1] = value_var(t);
    return 0;
}

/* A count argument: a whole number >= 1 ("moons: n must be ..."). */
static int arg_count(repl *r, const builtin_args *a, int index, const char *what, int *out) {
    double v;
    if (arg_number(r, a, index, &v) < 0) return -1;
    if (!(v >= 1 && v == floor(v) && v <= 1e8))
        return repl_error(r, "%s: %s must be a whole number from 1 to 1e8, not %g", a->def->name, what, v);
    *out = (int)v;
    return 0;
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
    return done_pair(r, x, t, out);
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
    return done_pair(r, x, t, out);
}

static int builtin_xor(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_xor(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

/* gaussians(n, centres=nil, classes=2, std=0.5, seed=nil): centres a list
 * of [x, y] points (then classes is their count) or a (k, 2) tensor. */
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
    } else {
        double k;
        if (arg_number(r, a, 2, &k) < 0) return -1;
        if (!(k >= 2 && k == floor(k) && k <= 1000))
            return repl_error(r, "gaussians: classes must be a whole number from 2 to 1000, not %g", k);
        classes = (int)k;
    }
    if (ag_data_gaussians(r->ctx, n, classes, centres ? ag_cdata(centres) : NULL, std, source, &x, &t) < 0)
        return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_spiral(repl *r, const builtin_args *a, repl_value *out) {
    int n, classes;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_count(r, a, 1, "classes", &classes) < 0 ||
        seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_spiral(r->ctx, n, classes, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_sine(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    double noise;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || arg_number(r, a, 1, &noise) < 0 || seeded(r, a, 2, &rng, &source) < 0)
        return -1;
    if (ag_data_sine(r->ctx, n, noise, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

static int builtin_sine_regression(repl *r, const builtin_args *a, repl_value *out) {
    int n;
    ag_rng rng, *source;
    ag_var *x, *t;
    if (arg_count(r, a, 0, "n", &n) < 0 || seeded(r, a, 1, &rng, &source) < 0) return -1;
    if (ag_data_sine_regression(r->ctx, n, source, &x, &t) < 0) return engine_error(r);
    return done_pair(r, x, t, out);
}

/* ---- files of data ------------------------------------------------------------
 * The engine codes the formats (ag_files.h); here the bytes come from the
 * file whole and go to it whole or not at all (write_file_atomic keeps the
 * target's mode and links).  The rows set .file_arg, so --no-files and
 * --files-in are applied before these run. */

/* The whole of `path` in *bytes (malloc'd) and *size; -1 after an error
 * "WHO: cannot read "PATH": why". */
static int read_whole(repl *r, const char *who, const char *path, char **bytes, size_t *size) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL) return repl_error(r, "%s: cannot read \"%s\": %s", who, path, strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return repl_error(r, "%s: cannot read \"%s\": it is a directory", who, path);
    }
    size_t capacity = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, length = 0;
    char *data = malloc(capacity);
    while (data != NULL) {
        if (length == capacity) {
            char *grown = realloc(data, capacity * 2);
            if (grown == NULL) break;
            data = grown;
            capacity *= 2;
        }
        size_t got = fread(data + length, 1, capacity - length, f);
        length += got;
        if (got == 0) break;
    }
    bool failed = data == NULL || ferror(f);
    int error = errno;
    fclose(f);
    if (failed) {
        free(data);
        return data == NULL ? repl_error(r, "%s: \"%s\" is too large to read (out of memory)", who, path)
                            : repl_error(r, "%s: cannot read \"%s\": %s", who, path, strerror(error));
    }
    *bytes = data;
    *size = length;
    return 0;
}

/* bytes as the new content of `path`, whole or not at all; frees bytes. */
static int write_whole(repl *r, const char *who, const char *path, void *bytes, size_t size) {
    errno = 0;
    int rc = write_file_atomic(path, bytes, size);
    int saved = errno;
    free(bytes);
    if (rc < 0) return repl_error(r, "%s: cannot write \"%s\": %s", who, path, atomic_file_strerror(path, saved ? saved : EIO));
    return 0;
}

/* The engine's error about the file, after "WHO: ". */
static int file_error(repl *r, const char *who) {
    const char *message = ag_errmsg(r->ctx);
    repl_error(r, "%s: %s", who, message && message[0] ? message : "out of memory");
    ag_clear_error(r->ctx);
    return -1;
}

/* A column named by a string or numbered from 0, as the engine takes it. */
static int column_spec(repl *r, const char *who, const char *what, repl_value v, char *buf, size_t size) {
    if (v.kind == VALUE_STRING) {
        snprintf(buf, size, "%s", v.as.string->text);
        return 0;
    }
    double k = v.kind == VALUE_NUMBER ? v.as.number : v.kind == VALUE_VAR && ag_size(v.as.var) == 1 ? ag_cdata(v.as.var)[0] : NAN;
    if (!(k >= 0 && k == floor(k) && k < 1e9)) {
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
    char *bytes;
    size_t size;
    if (read_whole(r, "load_csv", file, &bytes, &size) < 0) goto done;
    ag_var *x, *t;
    int rc = ag_csv_decode(r->ctx, bytes, size, file, &options, &x, &t, NULL, NULL);
    free(bytes);
    if (rc < 0) {
        file_error(r, "load_csv");
        goto done;
    }
    status = options.target ? done_pair(r, x, t, out) : (*out = value_var(x), 0);
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
    char *bytes;
    size_t size;
    if (arg_string(r, a, 0, &file) < 0 || read_whole(r, "load_npy", file, &bytes, &size) < 0) return -1;
    ag_var *x = ag_npy_decode(r->ctx, bytes, size, file);
    free(bytes);
    if (x == NULL) return file_error(r, "load_npy");
    *out = value_var(x);
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

/* load_npz(file, name=nil): the arrays in the archive's order, or the one named */
static int builtin_load_npz(repl *r, const builtin_args *a, repl_value *out) {
    const char *file, *name = NULL;
    char *bytes;
    size_t size;
    if (arg_string(r, a, 0, &file) < 0 || (arg_given(a, 1) && arg_string(r, a, 1, &name) < 0)) return -1;
    if (read_whole(r, "load_npz", file, &bytes, &size) < 0) return -1;
    ag_var **arrays;
    char **names;
    int count;
    int rc = ag_npz_decode(r->ctx, bytes, size, file, &arrays, &names, &count);
    free(bytes);
    if (rc < 0) return file_error(r, "load_npz");
    int status = 0;
    if (name != NULL) {
        int found = -1;
        for (int i = 0; i < count && found < 0; i++)
            if (strcmp(names[i], name) == 0) found = i;
        if (found < 0) {
            char listed[512] = "";
            for (int i = 0; i < count; i++)
                snprintf(listed + strlen(listed), sizeof listed - strlen(listed), "%s%s", i ? ", " : "", names[i]);
            status = repl_error(r, "load_npz: \"%s\" has no array named %s (it has: %s)", file, name, listed);
        } else {
            *out = value_var(arrays[found]);
        }
    } else {
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
        repl_error(r, "save_npz: names must be a list of %d strings, one for each array", count);
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
                repl_error(r, "save_npz: names must be a list of %d strings (without '/'), one for each array", count);
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

const builtin_def builtins_data[] = {
    /* Each help line starts with a one-line picture of the set (:help data). */
    {"moons", "n=100, noise=0.1, seed=nil", builtin_moons, "data",
     "◠◡  x, t = moons(100): two interleaving half circles, x (n, 2), t classes 0/1 (scikit-learn's make_moons)\n"
     "  n/2 points on the upper arc (class 0), the rest on the lower one moved right and down; normal\n"
     "  noise of standard deviation noise; rows shuffled",
     .function_only = true},
    {"circles", "n=100, noise=0.05, factor=0.5, seed=nil", builtin_circles, "data",
     "◎   x, t = circles(100): a ring (class 0) around a smaller ring of radius factor (class 1)\n"
     "  scikit-learn's make_circles: normal noise, rows shuffled",
     .function_only = true},
    {"xor", "n=200, noise=0, seed=nil", builtin_xor, "data",
     "▚   x, t = xor(200): points in [-1, 1)^2, class 1 where x0*x1 < 0 (TensorFlow Playground's XOR)",
     .function_only = true},
    {"gaussians", "n=100, centres=nil, classes=2, std=0.5, seed=nil", builtin_gaussians, "data",
     "∴ ∵ x, t = gaussians(100): blobs, point i of class i % k around its centre with normal noise std\n"
     "  centres=[[x, y], ...] places them; else classes=k centres evenly on a circle of radius 2",
     .function_only = true},
    {"spiral", "n=100, classes=3, seed=nil", builtin_spiral, "data",
     "@   x, t = spiral(100, classes=3): DeZero's spiral, n points per class, arms winding out\n"
     "  theta = 4j + 4i/n + 0.2*randn, radius = i/n; rows in class order (n*classes of them)",
     .function_only = true},
    {"sine", "n=1000, noise=0.05, seed=nil", builtin_sine, "data",
     "∿   x, t = sine(1000): the LSTM guide's noisy sine, n-1 pairs (y[i], y[i+1]) as (n-1, 1) columns\n"
     "  y_i = sin(2 pi i/(n-1)) + uniform noise in [-noise, noise) (itsubaki/autograd cmd/lstm)",
     .function_only = true},
    {"sine_regression", "n=100, seed=nil", builtin_sine_regression, "data",
     "∿·  x, t = sine_regression(100): x uniform in [0, 1), t = sin(2 pi x) + uniform [0, 1) (DeZero step 43)",
     .function_only = true},
    {"load_csv", "file, header=false, columns=nil, target=nil, delimiter=\",\"", builtin_load_csv, "data",
     "x = load_csv(\"f.csv\"): a table of numbers (RFC 4180, read by libcsv); x, t = ... with target=\n"
     "  header=true: the first line names the columns; columns=[...] keeps these (names or numbers\n"
     "  from 0), in order; target= is one column returned apart as t (and left out of x); a ragged row\n"
     "  or a word where a number should be is an error naming the line and column",
     .function_only = true, .file_arg = 1},
    {"save_csv", "file, x, t=nil, header=nil, delimiter=\",\"", builtin_save_csv, "data",
     "writes x (rows and columns; t as a last column) as CSV, numbers in full; header=[\"a\", ...] names them",
     .function_only = true, .file_arg = 1},
    {"load_npy", "file", builtin_load_npy, "data",
     "x = load_npy(\"x.npy\"): a NumPy array (np.save): float64/32, int8-64, uint8-64, bool; C or Fortran order",
     .function_only = true, .file_arg = 1},
    {"save_npy", "file, x", builtin_save_npy, "data",
     "writes x as NumPy's .npy (float64), byte for byte what np.save writes; np.load reads it",
     .function_only = true, .file_arg = 1},
    {"load_npz", "file, name=nil", builtin_load_npz, "data",
     "x, t = load_npz(\"d.npz\"): the arrays of np.savez / np.savez_compressed in order; name= picks one",
     .function_only = true, .file_arg = 1},
    {"save_npz", "file, *arrays, names=nil, compress=false", builtin_save_npz, "data",
     "writes the arrays as a .npz (names=[\"x\", \"t\"], else arr_0, arr_1...; compress=true deflates them)",
     .function_only = true, .file_arg = 1},
    {0},
};
