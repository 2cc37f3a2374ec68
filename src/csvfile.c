/* csvfile.c — tables of numbers as CSV text (ag_files.h), parsed by libcsv
 * (RFC 4180: quoted fields, "" for a quote, separators and line breaks
 * inside quotes, CRLF or LF).
 *
 * libcsv calls us back per field and per record but does not say where it
 * is; we hand it the text a line at a time and count, so an error names the
 * line a record starts on (read from its parser state between lines) and
 * the field's number (its column). */
#include "ag_files.h"
#include "data_libs.h"
#include "errors.h"
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "util/strbuf.h"

void ag_names_free(char **names, int count) {
    if (names)
        for (int i = 0; i < count; i++) free(names[i]);
    free(names);
}

static const char *shown(const char *name) { return name && name[0] ? name : "the CSV data"; }

#ifdef AG_CSV_LOADABLE
/* The reader's state between libcsv's callbacks.  The first record (the
 * header, or the first row) is kept as text until it ends: then the number
 * of columns is known, and with it which columns x and t take (names and
 * numbers checked before any row is read).  A column neither takes is never
 * parsed, so it may hold words or nothing, as with NumPy's usecols. */
typedef struct {
    ag_ctx *ctx;
    const char *file;
    const ag_csv_options *options;
    char **first;        /* the first record's fields (malloc'd, each NUL-terminated) */
    size_t *first_length; /* and their lengths (a field may hold a NUL byte) */
    int nfirst, first_capacity;
    bool resolved;       /* the columns are known: the fields below are read as numbers */
    int columns;         /* fields per record, from the first record; -1 before it */
    int *slot;           /* per field: its place in a stored row, -1 for a column not read */
    int stored;          /* numbers stored per row */
    int *keep, nkeep;    /* x's columns, as field numbers */
    int target;          /* t's column, or -1 */
    int field;           /* fields of the record being read so far */
    long line;           /* the line being fed to libcsv (from 1) */
    long record_line;    /* the line the record being read started on */
    double *values;      /* rows * stored, row-major */
    size_t count, capacity;
    long rows;
    bool failed;         /* the first error is set; the rest is skipped */
} reader;

static void fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(reader *r, const char *fmt, ...) {
    if (r->failed) return;
    r->failed = true;
    char what[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    ctx_error(r->ctx, AG_ERR_IO, "%s: line %ld, column %d: %s", r->file, r->record_line, r->field + 1, what);
}

static void out_of_memory(reader *r) {
    if (r->failed) return;
    r->failed = true;
    ctx_error(r->ctx, AG_ERR_NOMEM, "%s: out of memory", r->file);
}

/* A hint when `text` holds a tab or a ';' and the delimiter is neither:
 * such a file read with ',' has one field a line, "1\t2", and the person
 * reading the error sees a number and a space.  "" for none. */
static const char *separator_hint(const reader *r, const char *text) {
    char delimiter = r->options->delimiter ? r->options->delimiter : ',';
    if (delimiter != '\t' && strchr(text, '\t')) return "is the file separated by tabs? delimiter=\"\\t\"";
    if (delimiter != ';' && strchr(text, ';')) return "is the file separated by semicolons? delimiter=\";\"";
    return "";
}

/* separator_hint of the first record (the header, or the first row). */
static const char *first_record_hint(const reader *r) {
    for (int i = 0; i < r->nfirst; i++) {
        const char *hint = separator_hint(r, r->first[i]);
        if (hint[0]) return hint;
    }
    return "";
}

/* Whether text strtod took whole is a number NumPy's loadtxt reads too:
 * strtod also takes hexadecimal ("0x10", "0x1p3") and "nan(chars)", which
 * NumPy refuses.  Its decimal forms, "inf", "infinity" and "nan" in any
 * case and with a sign, and blanks around, are read by both. */
static bool decimal(const char *s) {
    while (isspace((unsigned char)*s)) s++;
    if (*s == '+' || *s == '-') s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return false;
    return !((s[0] == 'n' || s[0] == 'N') && s[3] == '('); /* strtod took "nan", so s[3] is there */
}

/* Field number r->field of a row, `length` bytes of text (NUL-terminated). */
static void read_number(reader *r, const char *text, size_t length) {
    int slot = r->slot[r->field];
    if (slot < 0) { /* a column not read */
        r->field++;
        return;
    }
    const char *s = text ? text : "";
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end != s && isspace((unsigned char)*end)) end++;
    if (length == 0 || end == s || *end != '\0' || (size_t)(end - s) != length || !decimal(s)) {
        const char *hint = separator_hint(r, s);
        if (length == 0) fail(r, "an empty field where a number should be");
        else if (hint[0]) fail(r, "'%.60s' is not a number (%s)", s, hint);
        else if (r->rows == 0 && !r->options->header)
            fail(r, "'%.60s' is not a number (if the first line names the columns: header=true)", s);
        else fail(r, "'%.60s' is not a number", s);
        return;
    }
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? r->capacity * 2 : 1024;
        double *grown = realloc(r->values, capacity * sizeof *grown);
        if (grown == NULL) return out_of_memory(r);
        r->values = grown;
        r->capacity = capacity;
    }
    /* the columns read are stored in the file's order (slot counts them) */
    r->values[r->count++] = v;
    r->field++;
}

/* One field (NUL-terminated by CSV_APPEND_NULL). */
static void on_field(void *text, size_t length, void *data) {
    reader *r = data;
    if (r->failed) return;
    if (!r->resolved) {
        if (r->nfirst == r->first_capacity) {
            int capacity = r->first_capacity ? 2 * r->first_capacity : 16;
            char **grown = realloc(r->first, (size_t)capacity * sizeof *grown);
            if (grown) r->first = grown;
            size_t *grown_length = grown ? realloc(r->first_length, (size_t)capacity * sizeof *grown_length) : NULL;
            if (grown_length) r->first_length = grown_length;
            if (grown == NULL || grown_length == NULL) return out_of_memory(r);
            r->first_capacity = capacity;
        }
        char *copy = malloc(length + 1);
        if (copy == NULL) return out_of_memory(r);
        if (length) memcpy(copy, text, length);
        copy[length] = '\0';
        r->first_length[r->nfirst] = length;
        r->first[r->nfirst++] = copy;
        r->field++;
        return;
    }
    if (r->field >= r->columns) {
        r->field = r->columns; /* the column named is the first one too many */
        const char *hint = separator_hint(r, text ? text : "");
        if (!hint[0]) hint = first_record_hint(r);
        fail(r, "a ragged row: more than the %d field%s of the first row%s%s%s", r->columns, r->columns == 1 ? "" : "s",
             hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
        return;
    }
    read_number(r, text, length);
}

/* Which column `spec` names: a header name, or a number from 0, or from -1
 * for the last (Python's indexing, as NumPy's usecols); -1 after an error. */
static int column_index(reader *r, const char *spec, const char *what) {
    char **header = r->options->header ? r->first : NULL;
    if (header)
        for (int i = 0; i < r->columns; i++)
            if (strcmp(header[i], spec) == 0) return i;
    const char *hint = first_record_hint(r), *hint_sep = hint[0] ? "; " : "";
    char *end;
    long k = strtol(spec, &end, 10);
    if (end != spec && *end == '\0' && k >= -(long)r->columns && k < r->columns) return (int)(k < 0 ? k + r->columns : k);
    if (end != spec && *end == '\0' && r->columns == 1)
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: column %s is out of range (the file has 1 column: 0, or -1%s%s)", r->file,
                  what, spec, hint_sep, hint);
    else if (end != spec && *end == '\0')
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: column %s is out of range (the file has %d columns: 0 to %d, or -%d to "
                  "-1%s%s)", r->file, what, spec, r->columns, r->columns - 1, r->columns, hint_sep, hint);
    else if (header == NULL)
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: no column named '%s' (the file was read without a header: "
                  "header=true if its first line names the columns, or name them by number%s%s)", r->file, what, spec,
                  hint_sep, hint);
    else {
        /* the header's names, the first 200 bytes of them: the message
         * (made printable by the error itself) shows what the file has */
        strbuf names = {0};
        for (int i = 0; i < r->columns && names.length < 200; i++)
            strbuf_appendf(&names, "%s'%s'", i > 0 ? ", " : "", header[i]);
        if (names.length >= 200) strbuf_append(&names, ", ...");
        char *list = strbuf_take(&names);
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: no column named '%s' (the header has %s%s%s)", r->file, what, spec,
                  list ? list : "?", hint_sep, hint);
        free(list);
    }
    return -1;
}

/* At the end of the first record: x's columns and t's, and where each
 * field's number goes.  The target is never one of x's columns, even when
 * columns= lists it too.  -1 after an error. */
static int resolve_columns(reader *r) {
    const ag_csv_options *o = r->options;
    r->columns = r->field;
    r->target = -1;
    if (o->target && (r->target = column_index(r, o->target, "target")) < 0) return -1;
    r->keep = malloc((size_t)(o->columns ? o->ncolumns : r->columns) * sizeof *r->keep + 1);
    r->slot = malloc((size_t)r->columns * sizeof *r->slot + 1);
    if (r->keep == NULL || r->slot == NULL) return ctx_error(r->ctx, AG_ERR_NOMEM, "%s: out of memory", r->file), -1;
    bool listed_target = false;
    for (int i = 0; i < (o->columns ? o->ncolumns : r->columns); i++) {
        int k = i;
        if (o->columns && (k = column_index(r, o->columns[i], "columns")) < 0) return -1;
        if (k == r->target) listed_target = true;
        else r->keep[r->nkeep++] = k;
    }
    if (r->nkeep == 0) {
        if (o->columns && listed_target)
            ctx_error(r->ctx, AG_ERR_IO, "%s: no columns are left for x: columns= lists only the target, "
                      "which is t", r->file);
        else ctx_error(r->ctx, AG_ERR_IO, "%s: no columns are left for x", r->file);
        return -1;
    }
    for (int i = 0; i < r->columns; i++) r->slot[i] = -1;
    for (int j = 0; j < r->nkeep; j++) r->slot[r->keep[j]] = 0;
    if (r->target >= 0) r->slot[r->target] = 0;
    for (int i = 0; i < r->columns; i++)
        if (r->slot[i] == 0) r->slot[i] = r->stored++;
    r->resolved = true;
    return 0;
}

/* The end of a record. */
static void on_record(int terminator, void *data) {
    (void)terminator;
    reader *r = data;
    if (r->failed) {
        r->field = 0;
        return;
    }
    if (!r->resolved) {
        if (resolve_columns(r) < 0) {
            r->failed = true;
            return;
        }
        if (r->options->header) {
            r->field = 0;
            return;
        }
        /* without a header the first record is the first row */
        r->field = 0;
        for (int i = 0; i < r->nfirst && !r->failed; i++) read_number(r, r->first[i], r->first_length[i]);
        if (!r->failed) r->rows++;
    } else if (r->field < r->columns) {
        const char *hint = first_record_hint(r);
        fail(r, "a ragged row: %d field%s where the first row has %d%s%s%s", r->field, r->field == 1 ? "" : "s",
             r->columns, hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
    } else {
        r->rows++;
    }
    r->field = 0;
}

/* libcsv's parser states (libcsv.c): between records, and inside a field */
enum { CSV_ROW_NOT_BEGUN = 0, CSV_FIELD_BEGUN = 2 };

/* One line of text (its '\n' last, but for the file's last line) to
 * libcsv, less its comment: from a '#' outside quotes to the line's end, as
 * np.loadtxt's comments='#' (and its quotechar: a '#' in a quoted field is
 * text).  A line of only a comment ends up empty, and is skipped as one.
 * false when libcsv stops at an error. */
static bool feed_line(const csv_library *csv, struct csv_parser *parser, const char *text, size_t length,
                      reader *r) {
    const char *end = text + length;
    while (text < end) {
        const char *hash = memchr(text, '#', (size_t)(end - text));
        size_t piece = (size_t)((hash ? hash : end) - text);
        if (piece > 0 && csv->csv_parse(parser, text, piece, on_field, on_record, r) != piece) return false;
        if (hash == NULL) break;
        text = hash + 1;
        if (!(parser->pstate == CSV_FIELD_BEGUN && parser->quoted)) /* a comment: the line ends here */
            return end[-1] != '\n' || csv->csv_parse(parser, "\n", 1, on_field, on_record, r) == 1;
        if (csv->csv_parse(parser, "#", 1, on_field, on_record, r) != 1) return false; /* in quotes: text */
    }
    return true;
}

int ag_csv_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const ag_csv_options *options,
                  ag_var **x, ag_var **t, char ***column_names, int *ncolumns) {
    if (ctx == NULL) return -1;
    if (x == NULL || (bytes == NULL && size > 0)) return ctx_error(ctx, AG_ERR_ARG, "csv: an argument is NULL"), -1;
    *x = NULL;
    if (t) *t = NULL;
    if (column_names) *column_names = NULL;
    if (ncolumns) *ncolumns = 0;
    ag_csv_options none = {0};
    if (options == NULL) options = &none;
    if (options->target && t == NULL) return ctx_error(ctx, AG_ERR_ARG, "csv: a target needs somewhere to go (t is NULL)"), -1;
    const csv_library *csv = csv_library_get(ctx, shown(name));
    if (csv == NULL) return -1;
    reader r = {.ctx = ctx, .file = shown(name), .options = options, .columns = -1, .line = 1, .record_line = 1};
    struct csv_parser parser;
    if (csv->csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return ctx_error(ctx, AG_ERR_NOMEM, "%s: out of memory", r.file), -1;
    if (options->delimiter) csv->csv_set_delim(&parser, (unsigned char)options->delimiter);
    const char *text = bytes, *end = text + size;
    int parse_error = 0; /* 1: in the text, 2: at its end */
    while (text < end && !r.failed && !parse_error) {
        const char *newline = memchr(text, '\n', (size_t)(end - text));
        size_t length = newline ? (size_t)(newline - text) + 1 : (size_t)(end - text);
        /* between records (libcsv's ROW_NOT_BEGUN), a record starts on this line at the
         * earliest: a quoted field's line breaks then keep its first line */
        if (parser.pstate == CSV_ROW_NOT_BEGUN) r.record_line = r.line;
        if (!feed_line(csv, &parser, text, length, &r)) parse_error = 1;
        else {
            text += length;
            r.line++;
        }
        if (ctx_interrupted(ctx)) {
            r.failed = true;
            ctx_error(ctx, AG_ERR_INTERRUPTED, "interrupted");
        }
    }
    if (!r.failed && !parse_error && csv->csv_fini(&parser, on_field, on_record, &r) != 0) parse_error = 2;
    if (parse_error && !r.failed) {
        r.failed = true;
        if (csv->csv_error(&parser) != CSV_EPARSE)
            ctx_error(ctx, AG_ERR_NOMEM, "%s: line %ld: %s", r.file, r.line, csv->csv_strerror(csv->csv_error(&parser)));
        else if (parse_error == 2) /* strict csv_fini: the text ended inside quotes */
            ctx_error(ctx, AG_ERR_IO, "%s: line %ld, column %d: a quoted field that never ends (no closing \")",
                      r.file, r.field > 0 ? r.record_line : r.line - 1, r.field + 1);
        else
            ctx_error(ctx, AG_ERR_IO, "%s: line %ld, column %d: a quote inside an unquoted field, or text after "
                                      "a closing quote (RFC 4180: quote the whole field, and write a quote inside "
                                      "it as \"\")",
                      r.file, r.line, r.field + 1);
    }
    csv->csv_free(&parser);
    int status = -1;
    if (r.failed) goto done;
    if (r.rows == 0) {
        ctx_error(ctx, AG_ERR_IO, "%s: %s", r.file, size == 0 ? "the file is empty" : "no rows of numbers");
        goto done;
    }
    ag_var *xs = ag_zeros(ctx, 2, (int[]){(int)r.rows, r.nkeep});
    ag_var *ts = r.target >= 0 ? ag_zeros(ctx, 1, (int[]){(int)r.rows}) : NULL;
    if (xs == NULL || (r.target >= 0 && ts == NULL)) goto done;
    double *out = ag_data(xs);
    for (long i = 0; i < r.rows; i++) {
        const double *row = r.values + (size_t)i * (size_t)r.stored;
        for (int j = 0; j < r.nkeep; j++) out[(size_t)i * (size_t)r.nkeep + (size_t)j] = row[r.slot[r.keep[j]]];
        if (ts) ag_data(ts)[i] = row[r.slot[r.target]];
    }
    if (column_names && options->header) {
        char **names = calloc((size_t)r.nkeep, sizeof *names);
        for (int j = 0; names && j < r.nkeep; j++) {
            names[j] = strdup(r.first[r.keep[j]]);
            if (names[j] == NULL) {
                ag_names_free(names, j);
                names = NULL;
            }
        }
        if (names == NULL) {
            ctx_error(ctx, AG_ERR_NOMEM, "%s: out of memory", r.file);
            goto done;
        }
        *column_names = names;
    }
    if (ncolumns) *ncolumns = r.nkeep;
    *x = xs;
    if (t) *t = ts;
    status = 0;
done:
    free(r.keep);
    free(r.slot);
    free(r.values);
    ag_names_free(r.first, r.nfirst);
    free(r.first_length);
    return status;
}

/* A field as CSV writes it: quoted (libcsv's csv_write2) when it holds the
 * delimiter, a quote, a line break or blanks at its ends. */
static bool append_field(const csv_library *csv, char **out, size_t *length, size_t *capacity, const char *text,
                         char delimiter) {
    size_t n = strlen(text);
    bool quote = n == 0 || strchr(text, delimiter) || strpbrk(text, "\"\r\n") || isspace((unsigned char)text[0]) ||
                 isspace((unsigned char)text[n - 1]);
    size_t need = quote ? 2 * n + 3 : n;
    if (*length + need + 4 > *capacity) {
        size_t capacity2 = (*capacity + need + 4) * 2;
        char *grown = realloc(*out, capacity2);
        if (grown == NULL) return false;
        *out = grown;
        *capacity = capacity2;
    }
    if (quote) *length += csv->csv_write2(*out + *length, *capacity - *length, text, n, '"');
    else {
        memcpy(*out + *length, text, n);
        *length += n;
    }
    return true;
}

int ag_csv_encode(ag_ctx *ctx, const ag_var *x, const char *const *names, char delimiter, bool crlf, void **bytes,
                  size_t *size) {
    if (ctx == NULL) return -1;
    if (x == NULL || bytes == NULL || size == NULL) return ctx_error(ctx, AG_ERR_ARG, "csv: an argument is NULL"), -1;
    *bytes = NULL;
    *size = 0;
    int ndim = ag_ndim(x);
    if (ndim > 2)
        return ctx_error(ctx, AG_ERR_SHAPE, "csv: a table has rows and columns: x must be 1-D or 2-D, not %d-D", ndim), -1;
    if (delimiter == 0) delimiter = ',';
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '.' || delimiter == '-' ||
        isdigit((unsigned char)delimiter))
        return ctx_error(ctx, AG_ERR_ARG, "csv: '%c' cannot separate fields of numbers", delimiter), -1;
    const csv_library *csv = csv_library_get(ctx, "csv");
    if (csv == NULL) return -1;
    int rows = ndim == 0 ? 1 : ag_shape(x)[0], columns = ndim == 2 ? ag_shape(x)[1] : 1;
    const char *eol = crlf ? "\r\n" : "\n";
    size_t length = 0, capacity = 64 + (size_t)rows * (size_t)columns * 26;
    char *out = malloc(capacity);
    bool ok = out != NULL;
    for (int j = 0; ok && names && j < columns; j++) {
        if (j > 0) out[length++] = delimiter;
        ok = names[j] && append_field(csv, &out, &length, &capacity, names[j], delimiter);
        if (!names[j]) {
            free(out);
            return ctx_error(ctx, AG_ERR_ARG, "csv: the name of column %d is NULL", j), -1;
        }
    }
    if (ok && names) length += (size_t)sprintf(out + length, "%s", eol);
    const double *data = ag_cdata(x);
    bool interrupted = false;
    for (int i = 0; ok && i < rows; i++) {
        if (ctx_interrupted(ctx)) { /* a row's numbers at a time: 2e6 of them take seconds */
            interrupted = true;
            break;
        }
        for (int j = 0; j < columns; j++) {
            if (length + AG_NUMBUF + 4 > capacity) {
                char *grown = realloc(out, capacity * 2);
                if (grown == NULL) {
                    ok = false;
                    break;
                }
                out = grown;
                capacity *= 2;
            }
            if (j > 0) out[length++] = delimiter;
            char number[AG_NUMBUF];
            ag_format_double(data[(size_t)i * (size_t)columns + (size_t)j], 0, number);
            size_t n = strlen(number);
            memcpy(out + length, number, n);
            length += n;
        }
        if (ok) length += (size_t)sprintf(out + length, "%s", eol);
    }
    if (!ok || interrupted) {
        free(out);
        if (interrupted) return ctx_error(ctx, AG_ERR_INTERRUPTED, "interrupted"), -1;
        return ctx_error(ctx, AG_ERR_NOMEM, "csv: out of memory"), -1;
    }
    *bytes = out;
    *size = length;
    return 0;
}
#else
int ag_csv_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const ag_csv_options *options,
                  ag_var **x, ag_var **t, char ***column_names, int *ncolumns) {
    (void)bytes, (void)size, (void)options;
    if (x) *x = NULL;
    if (t) *t = NULL;
    if (column_names) *column_names = NULL;
    if (ncolumns) *ncolumns = 0;
    return ctx_error(ctx, AG_ERR_IO, "%s: this libautograd was built without libcsv (libcsv-dev): CSV files cannot "
                                     "be read",
                     shown(name)), -1;
}

int ag_csv_encode(ag_ctx *ctx, const ag_var *x, const char *const *names, char delimiter, bool crlf, void **bytes,
                  size_t *size) {
    (void)x, (void)names, (void)delimiter, (void)crlf;
    if (bytes) *bytes = NULL;
    if (size) *size = 0;
    return ctx_error(ctx, AG_ERR_IO, "csv: this libautograd was built without libcsv (libcsv-dev): CSV files cannot "
                                     "be written"), -1;
}
#endif
