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
/* The reader's state between libcsv's callbacks. */
typedef struct {
    ag_ctx *ctx;
    const char *file;
    bool header_pending; /* the next record is the header */
    char **header;       /* its fields (malloc'd) */
    int columns;         /* fields per record, from the first record; -1 before it */
    int field;           /* fields of the record being read so far */
    long line;           /* the line being fed to libcsv (from 1) */
    long record_line;    /* the line the record being read started on */
    double *values;      /* rows * columns, row-major */
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

/* One field (NUL-terminated by CSV_APPEND_NULL). */
static void on_field(void *text, size_t length, void *data) {
    reader *r = data;
    if (r->failed) return;
    if (r->header_pending) {
        char **grown = realloc(r->header, (size_t)(r->field + 1) * sizeof *grown);
        char *copy = strndup(text ? text : "", length);
        if (grown == NULL || copy == NULL) {
            free(copy);
            if (grown) r->header = grown;
            r->failed = true;
            ctx_error(r->ctx, AG_ERR_NOMEM, "%s: out of memory", r->file);
            return;
        }
        r->header = grown;
        r->header[r->field++] = copy;
        return;
    }
    if (r->columns >= 0 && r->field >= r->columns) {
        r->field = r->columns; /* the column named is the first one too many */
        fail(r, "a ragged row: more than the %d fields of the first row", r->columns);
        return;
    }
    const char *s = text ? text : "";
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end != s && isspace((unsigned char)*end)) end++;
    if (length == 0 || end == s || *end != '\0' || (size_t)(end - s) != length) {
        if (length == 0) fail(r, "an empty field where a number should be");
        else if (r->line == 1 && r->rows == 0)
            fail(r, "'%.60s' is not a number (if the first line names the columns: header=true)", s);
        else fail(r, "'%.60s' is not a number", s);
        return;
    }
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? r->capacity * 2 : 1024;
        double *grown = realloc(r->values, capacity * sizeof *grown);
        if (grown == NULL) {
            r->failed = true;
            ctx_error(r->ctx, AG_ERR_NOMEM, "%s: out of memory", r->file);
            return;
        }
        r->values = grown;
        r->capacity = capacity;
    }
    r->values[r->count++] = v;
    r->field++;
}

/* The end of a record. */
static void on_record(int terminator, void *data) {
    (void)terminator;
    reader *r = data;
    if (!r->failed) {
        if (r->header_pending) {
            r->header_pending = false;
            r->columns = r->field;
        } else if (r->columns < 0) {
            r->columns = r->field;
            r->rows++;
        } else if (r->field < r->columns) {
            fail(r, "a ragged row: %d field%s where the first row has %d", r->field, r->field == 1 ? "" : "s", r->columns);
        } else {
            r->rows++;
        }
    }
    r->field = 0;
}

/* Which column `spec` names: a header name, or a number from 0; -1 after an
 * error. */
static int column_index(reader *r, const char *spec, const char *what) {
    if (r->header)
        for (int i = 0; i < r->columns; i++)
            if (strcmp(r->header[i], spec) == 0) return i;
    char *end;
    long k = strtol(spec, &end, 10);
    if (end != spec && *end == '\0' && k >= 0 && k < r->columns) return (int)k;
    if (end != spec && *end == '\0')
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: column %s is out of range (the file has %d columns, 0 to %d)", r->file,
                  what, spec, r->columns, r->columns - 1);
    else if (r->header == NULL)
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: no column named '%s' (the file was read without a header: "
                  "name columns by number)", r->file, what, spec);
    else {
        /* the header's names, the first 200 bytes of them: the message
         * (made printable by the error itself) shows what the file has */
        strbuf names = {0};
        for (int i = 0; i < r->columns && names.length < 200; i++)
            strbuf_appendf(&names, "%s'%s'", i > 0 ? ", " : "", r->header[i]);
        if (names.length >= 200) strbuf_append(&names, ", ...");
        char *list = strbuf_take(&names);
        ctx_error(r->ctx, AG_ERR_IO, "%s: %s: no column named '%s' (the header has %s)", r->file, what, spec,
                  list ? list : "?");
        free(list);
    }
    return -1;
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
    reader r = {.ctx = ctx, .file = shown(name), .header_pending = options->header, .columns = -1, .line = 1,
                .record_line = 1};
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
        if (parser.pstate == 0) r.record_line = r.line;
        if (csv->csv_parse(&parser, text, length, on_field, on_record, &r) != length) parse_error = 1;
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
    int *keep = NULL;
    if (r.failed) goto done;
    if (r.rows == 0) {
        ctx_error(ctx, AG_ERR_IO, "%s: %s", r.file, size == 0 ? "the file is empty" : "no rows of numbers");
        goto done;
    }
    /* the columns of x, then the target */
    int target = -1;
    if (options->target && (target = column_index(&r, options->target, "target")) < 0) goto done;
    int nkeep = 0;
    keep = malloc((size_t)(options->columns ? options->ncolumns : r.columns) * sizeof *keep + 1);
    if (keep == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "%s: out of memory", r.file);
        goto done;
    }
    if (options->columns) {
        for (int i = 0; i < options->ncolumns; i++)
            if ((keep[nkeep++] = column_index(&r, options->columns[i], "columns")) < 0) goto done;
    } else {
        for (int i = 0; i < r.columns; i++)
            if (i != target) keep[nkeep++] = i;
    }
    if (nkeep == 0) {
        ctx_error(ctx, AG_ERR_IO, "%s: no columns are left for x", r.file);
        goto done;
    }
    ag_var *xs = ag_zeros(ctx, 2, (int[]){(int)r.rows, nkeep});
    ag_var *ts = target >= 0 ? ag_zeros(ctx, 1, (int[]){(int)r.rows}) : NULL;
    if (xs == NULL || (target >= 0 && ts == NULL)) goto done;
    double *out = ag_data(xs);
    for (long i = 0; i < r.rows; i++) {
        const double *row = r.values + (size_t)i * (size_t)r.columns;
        for (int j = 0; j < nkeep; j++) out[(size_t)i * (size_t)nkeep + (size_t)j] = row[keep[j]];
        if (ts) ag_data(ts)[i] = row[target];
    }
    if (column_names && r.header) {
        char **names = calloc((size_t)nkeep, sizeof *names);
        for (int j = 0; names && j < nkeep; j++) {
            names[j] = strdup(r.header[keep[j]]);
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
    if (ncolumns) *ncolumns = nkeep;
    *x = xs;
    if (t) *t = ts;
    status = 0;
done:
    free(keep);
    free(r.values);
    if (r.header)
        for (int i = 0; i < (r.columns > 0 ? r.columns : r.field); i++) free(r.header[i]);
    free(r.header);
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
    for (int i = 0; ok && i < rows; i++) {
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
    if (!ok) {
        free(out);
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
