/* builtins_output.c — print, set_printoptions, range and len. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* The most numbers range() puts in a list (a for loop walks any number). */
#define RANGE_MAX_LIST 10000000.0

static int builtin_len(repl *r, const builtin_args *a, repl_value *out) {
    repl_value v = a->values[0];
    switch (v.kind) {
    case VALUE_LIST: *out = value_number(v.as.list->count); return 0;
    case VALUE_STRING: { /* characters, as Python: UTF-8 code points, not bytes */
        size_t count = 0;
        for (size_t i = 0; i < v.as.string->length; i++)
            count += ((unsigned char)v.as.string->text[i] & 0xC0) != 0x80;
        *out = value_number((double)count);
        return 0;
    }
    case VALUE_VAR:
        if (ag_ndim(v.as.var) == 0) return repl_error(r, "len: a 0-d variable has no length");
        *out = value_number(ag_shape(v.as.var)[0]);
        return 0;
    default: {
        char buf[64];
        long n = repl_iter_length(v); /* a sequence: m.params, enumerate(...), a loader */
        if (n >= 0) {
            *out = value_number((double)n);
            return 0;
        }
        if (n == -1) return repl_error(r, "len: this %s has no length known before it is walked", value_kind_name(v));
        char text[48];
        return repl_error(r, "len: %s must be a list, string, variable or sequence, not %s",
                          builtin_receiver(r, a, "x", text, sizeof text), value_with_article(v, buf, sizeof buf));
    }
    }
}

int repl_set_print(repl *r, double threshold, double edge, const char *who) {
    char text[AG_NUMBUF];
    if (!(threshold >= 0) || (isfinite(threshold) && threshold != floor(threshold)))
        return repl_error(r, "%s: threshold must be a whole number >= 0 or \"full\", not %s", who,
                          ag_format_display(threshold, 0, text));
    if (!(edge >= 1 && edge <= 1000 && edge == floor(edge)))
        return repl_error(r, "%s: edgeitems must be a whole number from 1 to 1000, not %s", who,
                          ag_format_display(edge, 0, text));
    r->settings.print_threshold = threshold;
    r->settings.print_edge = (int)edge;
    return 0;
}

/* set_printoptions(threshold=, edgeitems=): NumPy's and PyTorch's names for
 * when a printed tensor is summarized; what is left out keeps its value. */
static int builtin_set_printoptions(repl *r, const builtin_args *a, repl_value *out) {
    double threshold = r->settings.print_threshold, edge = r->settings.print_edge;
    repl_value given = a->values[0];
    if (given.kind == VALUE_STRING && strcmp(given.as.string->text, "full") == 0) threshold = INFINITY;
    else if (given.kind == VALUE_STRING)
        return repl_error(r, "set_printoptions: threshold must be a whole number >= 0 or \"full\", not \"%s\"",
                          given.as.string->text);
    else if (arg_given(a, 0) && arg_number(r, a, 0, &threshold) < 0) return -1;
    if (arg_given(a, 1) && arg_number(r, a, 1, &edge) < 0) return -1;
    if (repl_set_print(r, threshold, edge, "set_printoptions") < 0) return -1;
    *out = (repl_value)VALUE_NIL_INIT;
    return 0;
}

static int builtin_print(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    errno = 0;
    for (int i = 0; i < xs->count; i++) {
        char *text = value_text_line(r, xs->items[i], false);
        if (text == NULL) return repl_error(r, "out of memory");
        text_printable(text, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* a string may hold a file's bytes */
        if (i > 0) fputc(' ', r->io.out);
        fputs(text, r->io.out);
        free(text);
    }
    fputc('\n', r->io.out);
    *out = VALUE_NIL_INIT;
    return repl_output_check(r, NULL, "print");
}

/* range(start, stop=nil, step=1)'s bound arguments as numbers: one argument
 * is stop; every one must be a finite integer and step nonzero.  -1 after
 * an error naming the parameter ("range: stop must be an integer, not 0.5"). */
static int range_bounds(repl *r, const builtin_args *a, double *start, double *stop, double *step) {
    /* range(n) counts to n: its one argument is stop */
    bool two = arg_given(a, 1);
    const char *names[3] = {two ? "start" : "stop", "stop", "step"};
    double values[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !two) continue;
        if (arg_number(r, a, i, &values[i]) < 0) return -1;
        char number[AG_NUMBUF];
        if (!isfinite(values[i]))
            return repl_error(r, "range: %s must be a finite integer, not %s", names[i],
                              ag_format_display(values[i], 0, number));
        if (values[i] != floor(values[i]))
            return repl_error(r, "range: %s must be an integer, not %s", names[i],
                              ag_format_display(values[i], 0, number));
    }
    *start = two ? values[0] : 0;
    *stop = two ? values[1] : values[0];
    *step = values[2];
    if (*step == 0) return repl_error(r, "range: step is zero");
    /* Numbers are doubles: past 2^53 they are a power of two apart, so start and step must be
     * multiples of that spacing or the list would repeat and skip values. */
    double big = fmax(fabs(*start), fabs(*stop));
    if (big > 9007199254740992.0) {
        double spacing = nextafter(big, INFINITY) - big;
        if (fmod(*start, spacing) != 0 || fmod(*step, spacing) != 0) {
            char from[AG_NUMBUF], to[AG_NUMBUF], gap[AG_NUMBUF];
            return repl_error(r, "range: from %s to %s doubles are up to %s apart, so start and step must be "
                                 "multiples of %s (past 2^53 not every whole number exists)",
                              ag_format_display(*start, 0, from), ag_format_display(*stop, 0, to),
                              ag_format_display(spacing, 0, gap), gap);
        }
    }
    return 0;
}

/* range's sequence hook: a for loop walks the numbers without the list. */
static int range_sequence(repl *r, const builtin_args *a, double *start, double *step,
                          double *count) {
    double stop;
    if (range_bounds(r, a, start, &stop, step) < 0) return -1;
    *count = ceil((stop - *start) / *step);
    return 0;
}

static int builtin_range(repl *r, const builtin_args *a, repl_value *out) {
    double start, stop, step;
    if (range_bounds(r, a, &start, &stop, &step) < 0) return -1;
    double count = ceil((stop - start) / step);
    if (!(count <= RANGE_MAX_LIST))
        return repl_error(r, "range: %.0f numbers is too many for a list (a for loop over range "
                             "takes any number)", count);
    int n = count > 0 ? (int)count : 0;
    *out = value_list_new(n);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < n; i++) {
        if (i % 65536 == 0 && repl_interrupted) { /* a list of 1e8 numbers takes seconds */
            value_release(*out);
            *out = VALUE_NIL_INIT;
            return repl_error(r, "range: interrupted");
        }
        out->as.list->items[i] = value_number(start + i * step);
    }
    return 0;
}

const builtin_def builtins_output[] = {
    {"print", "*xs", builtin_print, "output",
     "the values on one line, separated by spaces (matrices too, in the one-line form)",
     .function_only = true},
    {"set_printoptions", "threshold=nil, edgeitems=nil", builtin_set_printoptions, "output",
     "tensors of more than threshold elements (1000) print their first and last edgeitems (3)\n"
     "  per axis, as NumPy's and PyTorch's: set_printoptions(threshold=\"full\") prints whole\n"
     "  tensors (also :print full); what is left out keeps its value", .function_only = true},
    {"range", "start, stop=nil, step=1", builtin_range, "output",
     "integers from start below stop (range(n) is 0..n-1), plain numbers; lazy in a for loop",
     .sequence = range_sequence, .function_only = true},
    {"len", "x", builtin_len, "output", "length of a list or string, or of a variable's first axis"},
    {0},
    {0},
};
