/* text.h — the one growing string of the viz and REPL layers: labels, DOT
 * pieces, printed values and tables are all built with it.  It lives in viz/
 * because the REPL may depend on viz but not the other way round. */
#ifndef VIZ_TEXT_H
#define VIZ_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A growing string for building labels and text: appends never fail
 * loudly; on out-of-memory `failed` is set and later appends do nothing. */
typedef struct viz_text {
    char *data; /* NUL-terminated once anything was appended; owned */
    size_t length, capacity;
    bool failed;
} viz_text;

/* Appends the NUL-terminated s. */
void viz_text_append(viz_text *t, const char *s);
/* Appends the first n bytes of s (which need not be NUL-terminated). */
void viz_text_append_n(viz_text *t, const char *s, size_t n);
/* Appends c n times (indentation, column padding). */
void viz_text_append_repeat(viz_text *t, char c, size_t n);
/* Appends printf-style formatted text, however long. */
void viz_text_appendf(viz_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " escaped for Graphviz HTML-like labels. */
void viz_text_append_html(viz_text *t, const char *s);
/* Appends s in double quotes with " \ newline and tab backslash-escaped:
 * how the REPL shows a string so that it reads back. */
void viz_text_append_quoted(viz_text *t, const char *s);
/* Hands the string over (malloc'd, "" when nothing was appended), or NULL
 * when an append failed; t is empty afterwards either way. */
char *viz_text_take(viz_text *t);

#endif
