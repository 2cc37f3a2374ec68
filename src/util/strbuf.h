/* strbuf.h — the one growing string of the viz and REPL layers: labels, DOT
 * pieces, printed values, the parser's tree dump and tables are all built
 * with it, and the engine's variables as text (src/format.c).  It belongs
 * to the shared utility layer (src/util/, built as build/libagutil.a),
 * below both repl/ and viz/; libautograd links its own copy with hidden
 * symbols (the Makefile's ENGINE_UTIL_SRC). */
#ifndef AGUTIL_STRBUF_H
#define AGUTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/* A growing string for building labels and text: appends never fail
 * loudly; on out-of-memory `failed` is set and later appends do nothing. */
typedef struct strbuf {
    char *data; /* NUL-terminated once anything was appended; owned */
    size_t length, capacity;
    bool failed;
    /* Where data comes from: realloc_fn(user, ptr, n) as realloc, size 0
     * frees; NULL (a zeroed strbuf) = the C library's (free data with free). */
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void *user;
} strbuf;

/* Appends the NUL-terminated s. */
void strbuf_append(strbuf *t, const char *s);
/* Appends the first n bytes of s (which need not be NUL-terminated). */
void strbuf_append_n(strbuf *t, const char *s, size_t n);
/* Appends c n times (indentation, column padding). */
void strbuf_append_repeat(strbuf *t, char c, size_t n);
/* Appends printf-style formatted text, however long. */
void strbuf_appendf(strbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " escaped for Graphviz HTML-like labels, and its
 * control characters shown as text_printable shows them. */
void strbuf_append_html(strbuf *t, const char *s);
/* Appends s as text_printable(s, 0) leaves it: a name or title that came
 * from a file or a user, in a drawing's text (the tree, DOT labels). */
void strbuf_append_printable(strbuf *t, const char *s);
/* Appends s in double quotes with " \ newline and tab backslash-escaped:
 * how the REPL shows a string so that it reads back. */
void strbuf_append_quoted(strbuf *t, const char *s);
/* Hands the string over (malloc'd, "" when nothing was appended), or NULL
 * when an append failed; t is empty afterwards either way. */
char *strbuf_take(strbuf *t);

/* Text that came from a file (a lesson's first line, a file name, a CSV
 * cell, a safetensors name, a script's line quoted in an error) made safe
 * to print: strips, in place, every control character a terminal would
 * obey (C0 such as ESC and BEL, DEL, and C1 written in UTF-8, U+0080 to
 * U+009F), leaving a '?' where each was (as `ls -q`; "F6?4" is not "F64").
 * A tab or newline becomes a space unless `keep` says to keep it.  The one
 * place the REPL and the engine do this. */
enum { TEXT_KEEP_NEWLINE = 1, TEXT_KEEP_TAB = 2 };
void text_printable(char *text, unsigned keep);

#endif
