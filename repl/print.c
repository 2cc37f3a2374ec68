/* print.c — values as the session shows them (SPEC §2 "Values and printing",
 * reference §2.2): variables in upstream's String() form, matrices one row
 * per line, big tensors summarized; numbers in Go's %v form. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

/* Tensors with more elements than this print the first and last few per axis. */
#define SUMMARY_THRESHOLD 1000
#define SUMMARY_EDGE 3
#define MAX_LIST_DEPTH 64

typedef struct text {
    char *data;
    size_t length, capacity;
    bool failed;
} text;

static void append_n(text *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 64;
        while (t->length + n + 1 > capacity) capacity *= 2;
        char *data = realloc(t->data, capacity);
        if (data == NULL) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static void append(text *t, const char *s) { append_n(t, s, strlen(s)); }

static void append_repeat(text *t, char c, size_t n) {
    for (size_t i = 0; i < n; i++) append_n(t, &c, 1);
}

static char *finish(text *t) {
    if (t->failed) {
        free(t->data);
        return NULL;
    }
    if (t->data == NULL) return strdup("");
    return t->data;
}

const char *format_number(const repl *r, double v, char *buf) {
    return ag_format_double(v, r ? r->digits : 0, buf);
}

/* ---- variables -------------------------------------------------------------- */

/* The indices shown along an axis of length n: all, or the first and last
 * SUMMARY_EDGE with -1 marking the gap.  Returns the count; *out malloc'd. */
static int axis_selection(int n, bool summarize, int **out) {
    int count = summarize && n > 2 * SUMMARY_EDGE ? 2 * SUMMARY_EDGE + 1 : n;
    int *sel = malloc((size_t)(count > 0 ? count : 1) * sizeof *sel);
    if (sel == NULL) return -1;
    if (count == n) {
        for (int i = 0; i < n; i++) sel[i] = i;
    } else {
        for (int i = 0; i < SUMMARY_EDGE; i++) {
            sel[i] = i;
            sel[SUMMARY_EDGE + 1 + i] = n - SUMMARY_EDGE + i;
        }
        sel[SUMMARY_EDGE] = -1;
    }
    *out = sel;
    return count;
}

static void append_header(text *t, const ag_var *v) {
    const char *name = ag_name(v);
    char shape[16 + 12 * AG_MAX_DIMS];
    append(t, name[0] ? name : "variable");
    append(t, ag_shape_string(ag_ndim(v), ag_shape(v), shape));
    append(t, "([");
}

/* A 1-D-style line of many numbers: first and last few with "..." between. */
static char *format_flat_summary(const ag_var *v, int digits) {
    text t = {0};
    append_header(&t, v);
    size_t size = ag_size(v);
    const double *data = ag_cdata(v);
    char number[AG_NUMBUF];
    for (size_t i = 0; i < SUMMARY_EDGE; i++) {
        append(&t, ag_format_double(data[i], digits, number));
        append(&t, " ");
    }
    append(&t, "...");
    for (size_t i = size - SUMMARY_EDGE; i < size; i++) {
        append(&t, " ");
        append(&t, ag_format_double(data[i], digits, number));
    }
    append(&t, "])");
    return finish(&t);
}

typedef struct matrix_layout {
    int ndim;
    const int *shape;
    size_t strides[AG_MAX_DIMS];
    int *sel[AG_MAX_DIMS];
    int count[AG_MAX_DIMS];
    int *widths; /* per shown column */
} matrix_layout;

/* Calls row() for every shown row (or gap) in order; `rolled` is the axis
 * that advanced before it (-1 for the first row). */
typedef void (*row_fn)(void *user, const matrix_layout *m, size_t offset, bool gap, int rolled);

static void each_row(const matrix_layout *m, row_fn row, void *user) {
    int lead = m->ndim - 1; /* axes 0..lead-1 pick the row */
    int pos[AG_MAX_DIMS] = {0};
    int rolled = -1;
    for (;;) {
        int gap_axis = -1;
        for (int a = 0; a < lead && gap_axis < 0; a++)
            if (m->sel[a][pos[a]] < 0) gap_axis = a;
        if (gap_axis >= 0) {
            row(user, m, 0, true, rolled);
            for (int b = gap_axis + 1; b < lead; b++) pos[b] = m->count[b] - 1;
        } else {
            size_t offset = 0;
            for (int a = 0; a < lead; a++) offset += (size_t)m->sel[a][pos[a]] * m->strides[a];
            row(user, m, offset, false, rolled);
        }
        int b = lead - 1;
        while (b >= 0) {
            if (++pos[b] < m->count[b]) break;
            pos[b] = 0;
            b--;
        }
        if (b < 0) return;
        rolled = b;
    }
}

typedef struct row_context {
    const double *data;
    int digits;
    text *out;
    size_t indent;
} row_context;

static void measure_row(void *user, const matrix_layout *m, size_t offset, bool gap, int rolled) {
    row_context *c = user;
    if (gap) return;
    int last = m->ndim - 1;
    char number[AG_NUMBUF];
    for (int j = 0; j < m->count[last]; j++) {
        int col = m->sel[last][j];
        size_t w = col < 0 ? 3 : strlen(ag_format_double(c->data[offset + (size_t)col], c->digits,
                                                         number));
        if ((int)w > m->widths[j]) m->widths[j] = (int)w;
    }
}

static void emit_row(void *user, const matrix_layout *m, size_t offset, bool gap, int rolled) {
    row_context *c = user;
    if (rolled >= 0) {
        append(c->out, "\n");
        /* blank lines between blocks, one per axis above the rows that rolled */
        for (int i = 0; i < m->ndim - 2 - rolled; i++) append(c->out, "\n");
        append_repeat(c->out, ' ', c->indent);
    }
    if (gap) {
        append(c->out, "...");
        return;
    }
    int last = m->ndim - 1;
    char number[AG_NUMBUF];
    for (int j = 0; j < m->count[last]; j++) {
        int col = m->sel[last][j];
        const char *s = col < 0 ? "..." : ag_format_double(c->data[offset + (size_t)col],
                                                           c->digits, number);
        if (j > 0) append(c->out, " ");
        append_repeat(c->out, ' ', (size_t)m->widths[j] - strlen(s));
        append(c->out, s);
    }
}

static char *format_matrix(const ag_var *v, int digits, bool summarize) {
    matrix_layout m = {.ndim = ag_ndim(v), .shape = ag_shape(v)};
    char *result = NULL;
    size_t stride = 1;
    for (int a = m.ndim - 1; a >= 0; a--) {
        m.strides[a] = stride;
        stride *= (size_t)m.shape[a];
    }
    for (int a = 0; a < m.ndim; a++) {
        m.count[a] = axis_selection(m.shape[a], summarize, &m.sel[a]);
        if (m.count[a] < 0) goto done;
    }
    m.widths = calloc((size_t)m.count[m.ndim - 1] + 1, sizeof *m.widths);
    if (m.widths == NULL) goto done;
    text t = {0};
    append_header(&t, v);
    row_context c = {.data = ag_cdata(v), .digits = digits, .out = &t, .indent = t.length};
    each_row(&m, measure_row, &c);
    each_row(&m, emit_row, &c);
    append(&t, "])");
    result = finish(&t);
done:
    for (int a = 0; a < m.ndim; a++)
        if (m.count[a] >= 0) free(m.sel[a]);
    free(m.widths);
    return result;
}

char *format_variable(const ag_var *v, int digits) {
    int ndim = ag_ndim(v);
    const int *shape = ag_shape(v);
    size_t size = ag_size(v);
    bool summarize = size > SUMMARY_THRESHOLD;
    size_t rows = ndim >= 2 && shape[ndim - 1] > 0 ? size / (size_t)shape[ndim - 1] : 0;
    if (ndim < 2 || size == 0 || rows <= 1) {
        if (!summarize) return ag_var_string(v, digits);
        return format_flat_summary(v, digits);
    }
    return format_matrix(v, digits, summarize);
}

/* ---- every kind ------------------------------------------------------------- */

static void append_quoted(text *t, const char *s) {
    append(t, "\"");
    for (; *s; s++) {
        switch (*s) {
        case '"': append(t, "\\\""); break;
        case '\\': append(t, "\\\\"); break;
        case '\n': append(t, "\\n"); break;
        case '\t': append(t, "\\t"); break;
        default: append_n(t, s, 1);
        }
    }
    append(t, "\"");
}

static void append_value(repl *r, text *t, repl_value v, bool quote, int depth, bool one_line);

static void append_list(repl *r, text *t, const value_list *list, bool quote, int depth,
                        bool one_line) {
    if (depth > MAX_LIST_DEPTH) {
        append(t, "[...]");
        return;
    }
    append(t, "[");
    for (int i = 0; i < list->count; i++) {
        if (i > 0) append(t, " ");
        append_value(r, t, list->items[i], quote, depth + 1, one_line);
    }
    append(t, "]");
}

/* one_line: every variable on one line (print()); otherwise only inside lists,
 * as Go prints []*Variable, and matrices at the top get one row per line. */
static void append_value(repl *r, text *t, repl_value v, bool quote, int depth, bool one_line) {
    char number[AG_NUMBUF];
    switch (v.kind) {
    case VALUE_NIL: append(t, "<nil>"); break;
    case VALUE_NUMBER: append(t, format_number(r, v.as.number, number)); break;
    case VALUE_BOOL: append(t, v.as.boolean ? "true" : "false"); break;
    case VALUE_STRING:
        if (quote) append_quoted(t, v.as.string->text);
        else append(t, v.as.string->text);
        break;
    case VALUE_VAR: {
        int digits = r ? r->digits : 0;
        bool flat = depth > 0 || one_line;
        char *s = flat && ag_size(v.as.var) <= SUMMARY_THRESHOLD ? ag_var_string(v.as.var, digits)
                  : flat ? format_flat_summary(v.as.var, digits)
                         : format_variable(v.as.var, digits);
        if (s == NULL) t->failed = true;
        else append(t, s);
        free(s);
        break;
    }
    case VALUE_LIST: append_list(r, t, v.as.list, quote, depth, one_line); break;
    case VALUE_FUNCTION: {
        const user_function *f = v.as.function;
        append(t, "<function ");
        append(t, f->name);
        append(t, "(");
        const ast_list *params = &f->def->as.def.parameters;
        for (int i = 0; i < params->count; i++) {
            if (i > 0) append(t, ", ");
            append(t, params->items[i]->as.name);
        }
        append(t, ")>");
        break;
    }
    case VALUE_BUILTIN: {
        char *s = builtin_signature_text(v.as.builtin);
        append(t, "<built-in ");
        append(t, s ? s : v.as.builtin->name);
        append(t, ">");
        free(s);
        break;
    }
    case VALUE_OBJECT: {
        const repl_object_type *type = v.as.object->type;
        char *s = type && type->describe ? type->describe(v.as.object->payload) : NULL;
        if (s != NULL) {
            append(t, s);
        } else {
            append(t, "<");
            append(t, value_kind_name(v));
            append(t, ">");
        }
        free(s);
        break;
    }
    }
}

char *value_text(repl *r, repl_value v, bool quote_strings) {
    text t = {0};
    append_value(r, &t, v, quote_strings, 0, false);
    return finish(&t);
}

char *value_text_line(repl *r, repl_value v, bool quote_strings) {
    text t = {0};
    append_value(r, &t, v, quote_strings, 0, true);
    return finish(&t);
}

void repl_print_value(repl *r, FILE *out, repl_value v) {
    char *s = value_text(r, v, true);
    if (s == NULL) {
        fputs("<out of memory>\n", out);
        return;
    }
    fputs(s, out);
    fputc('\n', out);
    free(s);
}
