/* text_table.c — columns of text for printed views (m.params, opt.state):
 * cells padded to their column's widest, two spaces apart, no trailing
 * blanks; and text wrapped to a terminal's width (:help).  Declared in
 * session_state.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "session_state.h"

void text_table_add_row(text_table *tb, const char *const *cells) {
    if (tb->failed) return;
    if (!ARRAY_RESERVE(tb->cells, tb->cells_capacity, (size_t)tb->rows * (size_t)tb->columns,
                       (size_t)tb->columns)) {
        tb->failed = true;
        return;
    }
    char **row = &tb->cells[(size_t)tb->rows * (size_t)tb->columns];
    for (int c = 0; c < tb->columns; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "");
        if (row[c] == NULL) tb->failed = true;
    }
    tb->rows++;
}

void text_table_render(const text_table *tb, strbuf *out) {
    size_t widths[8] = {0};
    for (int i = 0; i < tb->rows; i++)
        for (int c = 0; c < tb->columns && c < 8; c++) {
            const char *cell = tb->cells[(size_t)i * (size_t)tb->columns + (size_t)c];
            size_t n = cell ? strlen(cell) : 0;
            if (n > widths[c]) widths[c] = n;
        }
    for (int i = 0; i < tb->rows; i++) {
        if (i > 0) strbuf_append(out, "\n");
        for (int c = 0; c < tb->columns && c < 8; c++) {
            const char *cell = tb->cells[(size_t)i * (size_t)tb->columns + (size_t)c];
            if (cell == NULL) cell = "";
            if (c > 0) strbuf_append(out, "  ");
            strbuf_append(out, cell);
            if (c + 1 < tb->columns) strbuf_append_repeat(out, ' ', widths[c] - strlen(cell));
        }
    }
}

void text_table_free(text_table *tb) {
    for (size_t i = 0; i < (size_t)tb->rows * (size_t)tb->columns; i++) free(tb->cells[i]);
    free(tb->cells);
}

/* The columns text[0..n) takes: a character one (UTF-8 continuation bytes none). */
static size_t text_columns(const char *text, size_t n) {
    size_t columns = 0;
    for (size_t i = 0; i < n; i++) columns += ((unsigned char)text[i] & 0xC0) != 0x80;
    return columns;
}

/* Where the rows after the first of line[0..n) start (text_table_wrap). */
static size_t hanging_indent(const char *line, size_t n, size_t columns) {
    size_t indent = strspn(line, " ");
    if (indent > n) indent = n;
    for (size_t i = indent + 1; i + 1 < n; i++) {
        if (line[i] != ' ' || line[i + 1] != ' ' || line[i - 1] == ' ') continue;
        size_t gap = strspn(line + i, " ");
        if (i + gap >= n || (gap == 2 && line[i - 1] == '.')) continue; /* a sentence's end */
        size_t text = text_columns(line, i + gap);
        return text + 30 <= columns ? text : indent + 2;
    }
    return indent > 0 ? indent : 2;
}

void text_table_wrap(strbuf *out, const char *text, int columns) {
    size_t width = columns >= TEXT_WRAP_MIN_COLUMNS ? (size_t)columns : SIZE_MAX;
    while (*text) {
        size_t n = strcspn(text, "\n");
        if (text_columns(text, n) <= width) {
            strbuf_append_n(out, text, n);
        } else {
            size_t indent = hanging_indent(text, n, width), start = 0, used = 0; /* the first row's own */
            while (start < n) {
                if (start > 0) {
                    strbuf_append(out, "\n");
                    strbuf_append_repeat(out, ' ', indent);
                    used = indent;
                }
                /* the row ends at the last word's end that fits, or after its first word */
                size_t end = 0, at = start + strspn(text + start, " ");
                while (at < n) {
                    size_t word_end = at + strcspn(text + at, " \n");
                    if (word_end > n) word_end = n;
                    if (end > 0 && used + text_columns(text + start, word_end - start) > width) break;
                    end = word_end;
                    at = end + strspn(text + end, " ");
                }
                strbuf_append_n(out, text + start, end - start);
                start = end + strspn(text + end, " ");
            }
        }
        text += n;
        if (*text == '\n') strbuf_append(out, "\n"), text++;
    }
}
