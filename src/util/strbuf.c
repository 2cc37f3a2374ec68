/* strbuf.c — the growing string (strbuf.h).  Capacity doubles, so building a
 * string of n bytes costs O(n) copies whatever the size of the pieces. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for `extra` more bytes and the NUL; false (and `failed` set)
 * when the memory is not there. */
static bool text_reserve(strbuf *t, size_t extra) {
    if (t->failed) return false;
    if (t->length + extra + 1 <= t->capacity) return true;
    size_t capacity = t->capacity ? t->capacity : 256;
    while (capacity < t->length + extra + 1) capacity *= 2;
    char *data = t->realloc_fn ? t->realloc_fn(t->user, t->data, capacity) : realloc(t->data, capacity);
    if (data == NULL) {
        t->failed = true;
        return false;
    }
    t->data = data;
    t->capacity = capacity;
    return true;
}

void strbuf_append_n(strbuf *t, const char *s, size_t n) {
    if (!text_reserve(t, n)) return;
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

void strbuf_append(strbuf *t, const char *s) { strbuf_append_n(t, s, strlen(s)); }

void strbuf_append_repeat(strbuf *t, char c, size_t n) {
    if (!text_reserve(t, n)) return;
    memset(t->data + t->length, c, n);
    t->length += n;
    t->data[t->length] = '\0';
}

void strbuf_appendf(strbuf *t, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0 || !text_reserve(t, (size_t)n)) return;
    va_start(args, fmt);
    vsnprintf(t->data + t->length, (size_t)n + 1, fmt, args);
    va_end(args);
    t->length += (size_t)n;
}

/* How many bytes (1 or 2) of text, from its first, are one control
 * character text_printable replaces; 0 when it keeps them. */
static size_t control_length(const char *text, unsigned keep) {
    const unsigned char *c = (const unsigned char *)text;
    if (*c == '\n') return (keep & TEXT_KEEP_NEWLINE) ? 0 : 1;
    if (*c == '\t') return (keep & TEXT_KEEP_TAB) ? 0 : 1;
    if (*c < 0x20 || *c == 0x7f) return *c == '\0' ? 0 : 1;
    if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) return 2; /* C1 in UTF-8 (CSI is U+009B) */
    return 0;
}

/* What text_printable leaves for the control character at c (n bytes long). */
static const char *control_shown(const char *c) { return *c == '\t' || *c == '\n' ? " " : "?"; }

void strbuf_append_printable(strbuf *t, const char *s) {
    while (*s) {
        size_t n = control_length(s, 0);
        if (n > 0) {
            strbuf_append(t, control_shown(s));
            s += n;
            continue;
        }
        size_t run = 0;
        while (s[run] != '\0' && control_length(s + run, 0) == 0) run++;
        strbuf_append_n(t, s, run);
        s += run;
    }
}

/* A tab and a newline are XML text and stay: the inspector's text in the
 * notebook's page is lines in a <pre>, and in a DOT label they are spaces. */
void strbuf_append_html(strbuf *t, const char *s) {
    while (*s) {
        size_t n = control_length(s, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB);
        if (n > 0) { /* not XML either: Graphviz's parser refuses the label */
            strbuf_append(t, control_shown(s));
            s += n;
            continue;
        }
        switch (*s) {
        case '&': strbuf_append(t, "&amp;"); break;
        case '<': strbuf_append(t, "&lt;"); break;
        case '>': strbuf_append(t, "&gt;"); break;
        case '"': strbuf_append(t, "&quot;"); break;
        default: strbuf_append_n(t, s, 1);
        }
        s++;
    }
}

void strbuf_append_quoted(strbuf *t, const char *s) {
    strbuf_append(t, "\"");
    for (; *s; s++) {
        switch (*s) {
        case '"': strbuf_append(t, "\\\""); break;
        case '\\': strbuf_append(t, "\\\\"); break;
        case '\n': strbuf_append(t, "\\n"); break;
        case '\t': strbuf_append(t, "\\t"); break;
        default: strbuf_append_n(t, s, 1);
        }
    }
    strbuf_append(t, "\"");
}

char *strbuf_take(strbuf *t) {
    char *s = t->failed ? NULL : t->data;
    if (t->failed && t->data != NULL) {
        if (t->realloc_fn)
            (void)t->realloc_fn(t->user, t->data, 0);
        else
            free(t->data);
    }
    if (s == NULL && !t->failed) {
        s = t->realloc_fn ? t->realloc_fn(t->user, NULL, 1) : malloc(1);
        if (s != NULL) *s = '\0';
    }
    *t = (strbuf){.realloc_fn = t->realloc_fn, .user = t->user};
    return s;
}

void text_printable(char *text, unsigned keep) {
    if (text == NULL) return;
    char *to = text;
    for (const char *c = text; *c;) {
        size_t n = control_length(c, keep);
        if (n == 0) {
            *to++ = *c++;
        } else {
            /* a tab or newline still separates words; any other is shown
             * as '?', so that "F6?4" is not taken for "F64" */
            *to++ = *control_shown(c);
            c += n;
        }
    }
    *to = '\0';
}
