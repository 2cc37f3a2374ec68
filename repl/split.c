/* split.c — source text cut into top-level pieces (split.h). */
#include "split.h"

#include <string.h>

void split_bracket_scan_text(bracket_scan *scan, const char *text, size_t length) {
    long depth = scan->depth;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == '#') { /* a comment: to the end of the line */
            while (i + 1 < length && text[i + 1] != '\n') i++;
        } else if (c == '"') { /* a string: to its closing quote, on its line */
            while (i + 1 < length && text[i + 1] != '\n') {
                i++;
                if (text[i] == '\\' && i + 1 < length && text[i + 1] != '\n') i++;
                else if (text[i] == '"') break;
            }
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            depth--;
        }
    }
    scan->depth = depth;
}

static bool is_name_char(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool split_starts_with_else(const char *line) {
    while (*line == ' ' || *line == '\t') line++;
    return strncmp(line, "else", 4) == 0 && !is_name_char(line[4]);
}

/* The end of the line starting at `at` (the offset of its '\n', or length). */
static size_t line_end(const char *text, size_t at, size_t length) {
    const char *newline = memchr(text + at, '\n', length - at);
    return newline ? (size_t)(newline - text) : length;
}

/* Whether the line at `at` holds only spaces, tabs and a comment. */
static bool blank_line(const char *text, size_t at, size_t end) {
    while (at < end && (text[at] == ' ' || text[at] == '\t')) at++;
    return at == end || text[at] == '#';
}

size_t split_piece_end(const char *text, size_t start, size_t length, int *lines) {
    bracket_scan scan = {0};
    size_t at = start;
    int count = 0;
    while (at < length) {
        size_t end = line_end(text, at, length);
        split_bracket_scan_text(&scan, text + at, end - at);
        if (end == length) {
            *lines = count;
            return length;
        }
        at = end + 1;
        count++;
        if (scan.depth > 0) continue;
        /* the line closes every bracket: the piece ends here unless an
           `else` comes next */
        size_t next = at;
        int skipped = 0;
        while (next < length) {
            size_t next_end = line_end(text, next, length);
            if (!blank_line(text, next, next_end)) break;
            next = next_end < length ? next_end + 1 : length;
            skipped++;
        }
        if (next < length && split_starts_with_else(text + next)) {
            at = next;
            count += skipped;
            scan.depth = 0;
            continue;
        }
        break;
    }
    *lines = count;
    return at;
}
