/* builtins_loop.c — the built-ins of training loops as tutorials write them:
 * enumerate and zip (lazy sequences of pairs, iterate.c's protocol); int,
 * float, str, round and list.append with Python's meanings.
 *
 * A built-in that is a lazy sequence returns an object whose type has the
 * iter_* hooks (value.h): each iter_next hands back one item, a pair being
 * value_pair(a, b), which `for a, b in ...` and `a, b = ...` unpack. */
#include "builtins.h"
#include "repl_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int done_var(repl *r, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error(r);
    *out = value_var(v);
    return 0;
}

/* ---- the objects' common parts ----------------------------------------------------------- */

/* "x must be something a for loop walks (a list, a variable, a sequence), not a number". */
static int not_iterable(repl *r, const char *who, const char *param, repl_value v) {
    char buf[96];
    if (v.kind == VALUE_NIL) {
        snprintf(buf, sizeof buf, "%s: ", who);
        return value_nil_error(r, buf, v);
    }
    return repl_error(r, "%s: %s must be a list, a variable or a sequence a for loop walks, not %s", who, param,
                      describe_kind(v, buf, sizeof buf));
}

/* ---- enumerate(x, start=0) ---------------------------------------------------------------- */

typedef struct enumerate_payload {
    repl_value source;
    double start;
} enumerate_payload;

typedef struct enumerate_cursor {
    repl_iter inner;
    double next;
} enumerate_cursor;

static void enumerate_destroy(void *payload) {
    enumerate_payload *e = payload;
    value_release(e->source);
    free(e);
}

static char *enumerate_describe(const void *payload) {
    const enumerate_payload *e = payload;
    char buf[96], text[160];
    snprintf(text, sizeof text, "enumerate(%s, start=%g): pairs (i, item), lazily",
             describe_kind(e->source, buf, sizeof buf), e->start);
    return strdup(text);
}

static int enumerate_start(repl *r, void *payload, void **cursor) {
    enumerate_payload *e = payload;
    enumerate_cursor *c = malloc(sizeof *c);
    if (c == NULL) return repl_error(r, "out of memory");
    c->next = e->start;
    if (repl_iter_begin(r, NULL, e->source, &c->inner) != 0) {
        free(c);
        return -1;
    }
    *cursor = c;
    return 0;
}

static int enumerate_next(repl *r, void *payload, void *cursor, repl_value *out) {
    (void)payload;
    enumerate_cursor *c = cursor;
    repl_value item;
    int rc = repl_iter_next(r, NULL, &c->inner, &item);
    if (rc <= 0) return rc;
    *out = value_pair(value_number(c->next++), item);
    return out->kind == VALUE_LIST ? 1 : repl_error(r, "out of memory");
}

static void enumerate_stop(void *payload, void *cursor) {
    (void)payload;
    enumerate_cursor *c = cursor;
    if (c == NULL) return;
    repl_iter_end(&c->inner);
    free(c);
}

static long enumerate_length(const void *payload) {
    long n = repl_iter_length(((const enumerate_payload *)payload)->source);
    return n < 0 ? -1 : n;
}

static const repl_object_type enumerate_type = {
    .name = "enumerate",
    .destroy = enumerate_destroy,
    .describe = enumerate_describe,
    .iter_start = enumerate_start,
    .iter_next = enumerate_next,
    .iter_stop = enumerate_stop,
    .length = enumerate_length,
};

static int builtin_enumerate(repl *r, const builtin_args *a, repl_value *out) {
    repl_value source = a->values[0];
    if (!repl_iterable(source)) return not_iterable(r, "enumerate", "x", source);
    double start;
    if (arg_number(r, a, 1, &start) < 0) return -1;
    if (!isfinite(start) || start != floor(start)) return repl_error(r, "enumerate: start must be an integer");
    enumerate_payload *e = malloc(sizeof *e);
    if (e == NULL) return repl_error(r, "out of memory");
    *e = (enumerate_payload){value_copy(source), start};
    *out = value_object_new(&enumerate_type, e);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* ---- zip(*xs) ------------------------------------------------------------------------------ */

typedef struct zip_payload {
    int count;
    repl_value sources[];
} zip_payload;

typedef struct zip_cursor {
    int started;
    repl_iter inner[];
} zip_cursor;

static void zip_destroy(void *payload) {
    zip_payload *z = payload;
    for (int i = 0; i < z->count; i++) value_release(z->sources[i]);
    free(z);
}

static char *zip_describe(const void *payload) {
    const zip_payload *z = payload;
    char text[96];
    snprintf(text, sizeof text, "zip of %d sequence%s: tuples of their items, lazily", z->count,
             z->count == 1 ? "" : "s");
    return strdup(text);
}

static void zip_stop(void *payload, void *cursor) {
    (void)payload;
    zip_cursor *c = cursor;
    if (c == NULL) return;
    for (int i = 0; i < c->started; i++) repl_iter_end(&c->inner[i]);
    free(c);
}

static int zip_start(repl *r, void *payload, void **cursor) {
    zip_payload *z = payload;
    zip_cursor *c = malloc(sizeof *c + (size_t)z->count * sizeof c->inner[0]);
    if (c == NULL) return repl_error(r, "out of memory");
    for (c->started = 0; c->started < z->count; c->started++)
        if (repl_iter_begin(r, NULL, z->sources[c->started], &c->inner[c->started]) != 0) {
            zip_stop(payload, c);
            return -1;
        }
    *cursor = c;
    return 0;
}

/* One item of each, as a list; 0 once the shortest ends (as Python's zip). */
static int zip_next(repl *r, void *payload, void *cursor, repl_value *out) {
    zip_payload *z = payload;
    zip_cursor *c = cursor;
    repl_value tuple = value_list_new(z->count);
    if (tuple.kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < z->count; i++) {
        int rc = repl_iter_next(r, NULL, &c->inner[i], &tuple.as.list->items[i]);
        if (rc <= 0) {
            tuple.as.list->items[i] = VALUE_NIL_INIT;
            value_release(tuple);
            return rc;
        }
    }
    *out = tuple;
    return 1;
}

static long zip_length(const void *payload) {
    const zip_payload *z = payload;
    long shortest = -1;
    for (int i = 0; i < z->count; i++) {
        long n = repl_iter_length(z->sources[i]);
        if (n < 0) return -1;
        if (shortest < 0 || n < shortest) shortest = n;
    }
    return z->count == 0 ? 0 : shortest;
}

static const repl_object_type zip_type = {
    .name = "zip",
    .destroy = zip_destroy,
    .describe = zip_describe,
    .iter_start = zip_start,
    .iter_next = zip_next,
    .iter_stop = zip_stop,
    .length = zip_length,
};

static int builtin_zip(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    for (int i = 0; i < xs->count; i++)
        if (!repl_iterable(xs->items[i])) {
            char param[32];
            snprintf(param, sizeof param, "argument %d", i + 1);
            return not_iterable(r, "zip", param, xs->items[i]);
        }
    zip_payload *z = malloc(sizeof *z + (size_t)xs->count * sizeof z->sources[0]);
    if (z == NULL) return repl_error(r, "out of memory");
    z->count = xs->count;
    for (int i = 0; i < xs->count; i++) z->sources[i] = value_copy(xs->items[i]);
    *out = value_object_new(&zip_type, z);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* ---- int, float, str, round: Python's conversions ----------------------------------------- */

/* The one number v holds (a number, a bool, a one-element variable), or
 * the text of a string; -1 after an error naming `who`. */
static int number_of(repl *r, const char *who, repl_value v, double *out, const char **text) {
    char buf[96];
    *text = NULL;
    if (v.kind == VALUE_STRING) {
        *text = v.as.string->text;
        return 0;
    }
    if (v.kind == VALUE_BOOL) {
        *out = v.as.boolean;
        return 0;
    }
    if (scalar_of(v, out)) return 0;
    if (v.kind == VALUE_NIL) {
        snprintf(buf, sizeof buf, "%s: ", who);
        return value_nil_error(r, buf, v);
    }
    return repl_error(r, "%s: x must be a number, a one-element variable or a string, not %s", who,
                      describe_kind(v, buf, sizeof buf));
}

/* A string as Python's float() reads it: surrounding space allowed,
 * inf/nan in any case; false when it is no number. */
static bool read_float(const char *text, double *out) {
    while (*text == ' ' || *text == '\t' || *text == '\n') text++;
    if (*text == '\0') return false;
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    if (end == text) return false;
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    return *end == '\0';
}

/* int(x): a number toward zero, or a string of a whole number ("42",
 * " -7 "), as Python's int(); a plain number. */
static int builtin_int(repl *r, const builtin_args *a, repl_value *out) {
    double x;
    const char *text;
    if (number_of(r, "int", a->values[0], &x, &text) < 0) return -1;
    if (text != NULL) {
        const char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        const char *digits = p + (*p == '-' || *p == '+');
        bool whole = *digits >= '0' && *digits <= '9';
        for (const char *q = digits; whole && *q && !(*q == ' ' || *q == '\t' || *q == '\n'); q++)
            whole = (*q >= '0' && *q <= '9') || (*q == '_' && q[1] >= '0' && q[1] <= '9' && q > digits);
        char clean[128];
        size_t n = 0;
        for (const char *q = p; whole && *q && n + 1 < sizeof clean; q++)
            if (*q != '_') clean[n++] = *q;
        clean[n] = '\0';
        if (!whole || !read_float(clean, &x))
            return repl_error(r, "int: \"%s\" is not a whole number (float(\"%s\") reads decimals)", text, text);
    } else if (!isfinite(x)) {
        char shown[AG_NUMBUF];
        return repl_error(r, "int: cannot convert %s to an integer", ag_format_display(x, 0, shown));
    }
    *out = value_number(trunc(x));
    return 0;
}

/* float(x): the number (a plain number), or a string read as one. */
static int builtin_float(repl *r, const builtin_args *a, repl_value *out) {
    double x;
    const char *text;
    if (number_of(r, "float", a->values[0], &x, &text) < 0) return -1;
    if (text != NULL && !read_float(text, &x)) return repl_error(r, "float: \"%s\" is not a number", text);
    *out = value_number(x);
    return 0;
}

/* str(x): the text print shows for x. */
static int builtin_str(repl *r, const builtin_args *a, repl_value *out) {
    char *text = value_text_line(r, a->values[0], false);
    if (text == NULL) return repl_error(r, "out of memory");
    *out = value_string_from(text, strlen(text));
    free(text);
    return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
}

/* x rounded to `digits` decimals, halves to even, as Python's round(x, n):
 * the decimal nearest to the double x is found exactly (printf's rounding
 * of the exact binary value, which is round half to even on ties), so
 * round(2.675, 2) is 2.67 (2.675 is stored as 2.67499999...). */
static double round_decimals(double x, int digits) {
    if (!isfinite(x) || x == 0) return x;
    if (digits > 350) return x;
    if (digits < -330) return copysign(0.0, x);
    if (digits >= 0) {
        char text[512];
        snprintf(text, sizeof text, "%.*f", digits, x);
        return strtod(text, NULL);
    }
    double scale = pow(10.0, -digits), y = x / scale, rounded = nearbyint(y);
    return isfinite(rounded * scale) ? rounded * scale : x;
}

/* round(x, ndigits=none): Python's for a number (halves to even; an integer
 * without ndigits), elementwise for a variable (the round op; with
 * ndigits, torch.round(x, decimals=n): no gradient either way). */
static int builtin_round_python(repl *r, const builtin_args *a, repl_value *out) {
    repl_value v = a->values[0];
    int digits = 0;
    bool given = arg_given(a, 1);
    if (given && arg_int(r, a, 1, &digits) < 0) return -1;
    if (v.kind == VALUE_NUMBER || v.kind == VALUE_BOOL) {
        double x = v.kind == VALUE_BOOL ? v.as.boolean : v.as.number;
        if (!given && !isfinite(x)) {
            char shown[AG_NUMBUF];
            return repl_error(r, "round: cannot convert %s to an integer", ag_format_display(x, 0, shown));
        }
        *out = value_number(given ? round_decimals(x, digits) : nearbyint(x));
        return 0;
    }
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (!given) return done_var(r, ag_round(r->ctx, x), out);
    ag_var *y = ag_detach(r->ctx, x);
    if (y == NULL) return engine_error(r);
    double *data = (double *)ag_cdata(y); /* a new leaf: not an in-place change */
    for (size_t i = 0, n = ag_size(y); i < n; i++) data[i] = round_decimals(data[i], digits);
    return done_var(r, y, out);
}

/* ---- lists ---------------------------------------------------------------------------------- */

/* lst.append(x): x added at the end of the list itself (every name holding
 * it sees it), as Python's; returns nothing. */
static int builtin_append(repl *r, const builtin_args *a, repl_value *out) {
    repl_value list = a->values[0];
    char buf[96];
    if (list.kind != VALUE_LIST)
        return repl_error(r, "append: appends to a list (lst = []; lst.append(x)), not to %s%s",
                          describe_kind(list, buf, sizeof buf),
                          list.kind == VALUE_VAR ? " (concat([x, y]) joins variables)" : "");
    if (!value_list_append(list.as.list, value_copy(a->values[1]))) return repl_error(r, "out of memory");
    *out = VALUE_NIL_INIT;
    return 0;
}

const builtin_def builtins_loop[] = {
    {"enumerate", "x, start=0", builtin_enumerate, "output",
     "pairs (i, item) of a list, variable or sequence, i counting from start, lazily:\n"
     "  for i, (xb, tb) in enumerate(batches(x, t, size=32)) { ... }", .function_only = true},
    {"zip", "*xs", builtin_zip, "output",
     "tuples of the items of several sequences side by side, lazily, stopping at the shortest:\n"
     "  for a, b in zip(xs, ys) { ... }", .function_only = true},
    {"int", "x", builtin_int, "output",
     "x as a whole number toward 0 (a plain number), or a string's whole number, as Python's int", .function_only = true},
    {"float", "x", builtin_float, "output",
     "x as a plain number (a one-element variable's value), or a string read as a number", .function_only = true},
    {"str", "x", builtin_str, "output", "the text print shows for x: \"loss \" + str(loss.item())",
     .function_only = true},
    {"round", "x, ndigits=nil", builtin_round_python, "elementwise",
     "the nearest whole number, halves to even (round(2.5) = 2); round(x, n) to n decimals as Python's\n"
     "  (round(2.675, 2) is 2.67: the double is below the half); a variable elementwise; gradient 0, as PyTorch"},
    {"append", "xs, x", builtin_append, "output", "lst.append(x): x added at the end of the list itself, as Python's"},
    {0},
};
