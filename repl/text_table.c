/* text_table.c — columns of text for printed views (m.params, opt.state):
 * cells padded to their column's widest, two spaces apart, no trailing
 * blanks.  Declared in session_state.h. */
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
