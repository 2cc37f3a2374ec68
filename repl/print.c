/* print.c — values as the session shows them (upstream's Variable.String()
 * form): variables in upstream's String() form, matrices one row
 * per line, big tensors summarized; numbers in Go's %v form. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"
#include "strbuf.h"

/* Tensors with more elements than the threshold print the first and last
 * `edge` per axis (NumPy's threshold and edgeitems; :print and
 * set_printoptions change them for a session). */
#define SUMMARY_THRESHOLD 1000
#define SUMMARY_EDGE 3
#define MAX_LIST_DEPTH 64

const char *print_format_number(const repl *r, double v, char *buf) {
    return ag_format_display(v, r ? r->settings.digits : 0, buf);
}

/* ---- variables -------------------------------------------------------------- */

/* The indices shown along an axis of length n: all, or the first and last
 * SUMMARY_EDGE with -1 marking the gap.  Returns the count; *out malloc'd. */
static int axis_selection(int n, bool summarize, int edge, int **out) {
    int count = summarize && n > 2 * edge ? 2 * edge + 1 : n;
    int *sel = malloc((size_t)(count > 0 ? count : 1) * sizeof *sel);
    if (sel == NULL) return -1;
    if (count == n) {
        for (int i = 0; i < n; i++) sel[i] = i;
    } else {
        for (int i = 0; i < edge; i++) {
            sel[i] = i;
            sel[edge + 1 + i] = n - edge + i;
        }
        sel[edge] = -1;
    }
    *out = sel;
    return count;
}

static void append_header(strbuf *t, const ag_var *v) {
    const char *name = ag_name(v);
    char shape[AG_SHAPEBUF];
    strbuf_append(t, name[0] ? name : "variable");
    strbuf_append(t, ag_shape_string(ag_ndim(v), ag_shape(v), shape));
    strbuf_append(t, "([");
}

/* A 1-D-style line of many numbers: first and last few with "..." between. */
static char *format_flat_summary(const ag_var *v, int digits, int edge) {
    size_t size = ag_size(v);
    if (size <= 2 * (size_t)edge) return ag_var_display(v, digits); /* nothing to leave out */
    strbuf t = {0};
    append_header(&t, v);
    const double *data = ag_cdata(v);
    char number[AG_NUMBUF];
    for (size_t i = 0; i < (size_t)edge; i++) {
        strbuf_append(&t, ag_format_display(data[i], digits, number));
        strbuf_append(&t, " ");
    }
    strbuf_append(&t, "...");
    for (size_t i = size - (size_t)edge; i < size; i++) {
        strbuf_append(&t, " ");
        strbuf_append(&t, ag_format_display(data[i], digits, number));
    }
    strbuf_append(&t, "])");
    return strbuf_take(&t);
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
    strbuf *out;
    size_t indent;
} row_context;

static void measure_row(void *user, const matrix_layout *m, size_t offset, bool gap, int rolled) {
    row_context *c = user;
    if (gap) return;
    int last = m->ndim - 1;
    char number[AG_NUMBUF];
    for (int j = 0; j < m->count[last]; j++) {
        int col = m->sel[last][j];
        size_t w = col < 0 ? 3 : strlen(ag_format_display(c->data[offset + (size_t)col], c->digits,
                                                         number));
        if ((int)w > m->widths[j]) m->widths[j] = (int)w;
    }
}

static void emit_row(void *user, const matrix_layout *m, size_t offset, bool gap, int rolled) {
    row_context *c = user;
    if (rolled >= 0) {
        strbuf_append(c->out, "\n");
        /* blank lines between blocks, one per axis above the rows that rolled */
        for (int i = 0; i < m->ndim - 2 - rolled; i++) strbuf_append(c->out, "\n");
        strbuf_append_repeat(c->out, ' ', c->indent);
    }
    if (gap) {
        strbuf_append(c->out, "...");
        return;
    }
    int last = m->ndim - 1;
    char number[AG_NUMBUF];
    for (int j = 0; j < m->count[last]; j++) {
        int col = m->sel[last][j];
        const char *s = col < 0 ? "..." : ag_format_display(c->data[offset + (size_t)col],
                                                           c->digits, number);
        if (j > 0) strbuf_append(c->out, " ");
        strbuf_append_repeat(c->out, ' ', (size_t)m->widths[j] - strlen(s));
        strbuf_append(c->out, s);
    }
}

static char *format_matrix(const ag_var *v, int digits, bool summarize, int edge) {
    matrix_layout m = {.ndim = ag_ndim(v), .shape = ag_shape(v)};
    char *result = NULL;
    size_t stride = 1;
    for (int a = m.ndim - 1; a >= 0; a--) {
        m.strides[a] = stride;
        stride *= (size_t)m.shape[a];
    }
    for (int a = 0; a < m.ndim; a++) {
        m.count[a] = axis_selection(m.shape[a], summarize, edge, &m.sel[a]);
        if (m.count[a] < 0) goto done;
    }
    m.widths = calloc((size_t)m.count[m.ndim - 1] + 1, sizeof *m.widths);
    if (m.widths == NULL) goto done;
    strbuf t = {0};
    append_header(&t, v);
    row_context c = {.data = ag_cdata(v), .digits = digits, .out = &t, .indent = t.length};
    each_row(&m, measure_row, &c);
    each_row(&m, emit_row, &c);
    strbuf_append(&t, "])");
    result = strbuf_take(&t);
done:
    for (int a = 0; a < m.ndim; a++)
        if (m.count[a] >= 0) free(m.sel[a]);
    free(m.widths);
    return result;
}

print_options print_options_of(const repl *r) {
    if (r == NULL) return (print_options){0, SUMMARY_THRESHOLD, SUMMARY_EDGE};
    return (print_options){r->settings.digits, r->settings.print_threshold, r->settings.print_edge};
}

char *print_format_variable_as(const ag_var *v, print_options options) {
    int ndim = ag_ndim(v), digits = options.digits;
    const int *shape = ag_shape(v);
    size_t size = ag_size(v);
    bool summarize = (double)size > options.threshold;
    size_t rows = ndim >= 2 && shape[ndim - 1] > 0 ? size / (size_t)shape[ndim - 1] : 0;
    if (ndim < 2 || size == 0 || rows <= 1) {
        if (!summarize) return ag_var_display(v, digits);
        return format_flat_summary(v, digits, options.edge);
    }
    return format_matrix(v, digits, summarize, options.edge);
}

char *print_format_variable(const ag_var *v, int digits) {
    return print_format_variable_as(v, (print_options){digits, SUMMARY_THRESHOLD, SUMMARY_EDGE});
}

/* ---- every kind ------------------------------------------------------------- */

static void append_value(repl *r, strbuf *t, repl_value v, bool quote, int depth, bool one_line);

static void append_list(repl *r, strbuf *t, const value_list *list, bool quote, int depth,
                        bool one_line) {
    if (depth > MAX_LIST_DEPTH) {
        strbuf_append(t, "[...]");
        return;
    }
    strbuf_append(t, "[");
    for (int i = 0; i < list->count; i++) {
        if (i > 0) strbuf_append(t, " ");
        append_value(r, t, list->items[i], quote, depth + 1, one_line);
    }
    strbuf_append(t, "]");
}

/* one_line: every variable on one line (print()); otherwise only inside lists,
 * as Go prints []*Variable, and matrices at the top get one row per line. */
static void append_value(repl *r, strbuf *t, repl_value v, bool quote, int depth, bool one_line) {
    char number[AG_NUMBUF];
    switch (v.kind) {
    case VALUE_NIL: strbuf_append(t, "none"); break;
    case VALUE_NUMBER: strbuf_append(t, print_format_number(r, v.as.number, number)); break;
    case VALUE_BOOL: strbuf_append(t, v.as.boolean ? "true" : "false"); break;
    case VALUE_STRING:
        if (quote) strbuf_append_quoted(t, v.as.string->text);
        else strbuf_append(t, v.as.string->text);
        break;
    case VALUE_VAR: {
        print_options options = print_options_of(r);
        bool flat = depth > 0 || one_line;
        char *s = flat && (double)ag_size(v.as.var) <= options.threshold
                      ? ag_var_display(v.as.var, options.digits)
                  : flat ? format_flat_summary(v.as.var, options.digits, options.edge)
                         : print_format_variable_as(v.as.var, options);
        if (s == NULL) {
            t->failed = true;
        } else {
            /* a model's parameter by its path, as the graph names it
             * (m.linear[0].b[1 8](...)): `for p in m.params` printed three
             * b's alike */
            const char *path = ag_var_flags(v.as.var) & AG_VAR_PARAM ? repl_var_path(r, v.as.var) : NULL;
            size_t name = strlen(ag_name(v.as.var));
            if (path != NULL && name > 0 && strncmp(s, ag_name(v.as.var), name) == 0 &&
                (s[name] == '[' || s[name] == '(')) {
                /* a matrix's rows stay under its first one: each later
                 * line indented by what the path adds to the name */
                size_t more = strlen(path) - name;
                strbuf_append(t, path);
                for (const char *line = s + name, *end; *line != '\0'; line = end) {
                    end = strchr(line, '\n');
                    end = end != NULL ? end + 1 : line + strlen(line);
                    strbuf_append_n(t, line, (size_t)(end - line));
                    if (end[-1] == '\n' && *end != '\0') strbuf_append_repeat(t, ' ', more);
                }
            } else {
                strbuf_append(t, s);
            }
        }
        free(s);
        break;
    }
    case VALUE_LIST: append_list(r, t, v.as.list, quote, depth, one_line); break;
    case VALUE_FUNCTION: {
        const user_function *f = v.as.function;
        strbuf_append(t, "<function ");
        strbuf_append(t, f->name);
        strbuf_append(t, "(");
        const ast_list *params = &f->def->as.def.parameters;
        for (int i = 0; i < params->count; i++) {
            if (i > 0) strbuf_append(t, ", ");
            strbuf_append(t, params->items[i]->as.name);
            const ast_list *defaults = &f->def->as.def.defaults;
            for (int k = 0; k < defaults->count; k++)
                if (strcmp(defaults->items[k]->as.keyword.name, params->items[i]->as.name) == 0) {
                    const ast_node *value = defaults->items[k]->as.keyword.value;
                    size_t length = value->source_end - value->source_start;
                    strbuf_append(t, "=");
                    if (f->chunk != NULL && value->source_end > value->source_start && length <= 40)
                        strbuf_append_n(t, f->chunk->source + value->source_start, length);
                    else
                        strbuf_append(t, "...");
                }
        }
        strbuf_append(t, ")>");
        break;
    }
    case VALUE_BUILTIN: {
        char *s = builtin_signature_text(v.as.builtin);
        strbuf_append(t, "<built-in ");
        strbuf_append(t, s ? s : v.as.builtin->name);
        strbuf_append(t, ">");
        free(s);
        break;
    }
    case VALUE_OBJECT: {
        const repl_object_type *type = v.as.object->type;
        char *s = type && type->describe ? type->describe(v.as.object->payload) : NULL;
        if (s != NULL) {
            strbuf_append(t, s);
        } else {
            strbuf_append(t, "<");
            strbuf_append(t, value_kind_name(v));
            strbuf_append(t, ">");
        }
        free(s);
        break;
    }
    }
}

char *value_text(repl *r, repl_value v, bool quote_strings) {
    strbuf t = {0};
    append_value(r, &t, v, quote_strings, 0, false);
    char *text = strbuf_take(&t);
    text_printable(text, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* a string may hold a file's bytes */
    return text;
}

char *value_text_line(repl *r, repl_value v, bool quote_strings) {
    strbuf t = {0};
    append_value(r, &t, v, quote_strings, 0, true);
    return strbuf_take(&t);
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
