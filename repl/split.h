/* split.h — source text cut into top-level pieces: a piece is whole lines
 * that end at a newline outside every bracket, so each parses on its own and
 * gives the statements and errors the whole text would.  A script then
 * parses and runs one piece at a time (its memory is freed statement by
 * statement), and standard input hands a line to the parser only when it can
 * end a statement (no re-parse of the pending text after every line).
 *
 * The scan knows the lexer's rules that matter here (lexer.h): brackets
 * ( [ { and their closes, strings in double quotes on one line with
 * backslash escapes, comments from '#' to the end of the line. */
#ifndef REPL_SPLIT_H
#define REPL_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

/* Brackets open after the text scanned so far. */
typedef struct bracket_scan {
    long depth; /* open brackets; below 0 after a close that opens nothing */
} bracket_scan;

/* Scans text[0..length) (whole lines, or the start of text) into *scan. */
void split_bracket_scan_text(bracket_scan *scan, const char *text, size_t length);

/* The end (just after its '\n', or length) of the first piece of
 * text[start..length): lines up to one that leaves no bracket open and is
 * not followed, past blank and comment lines, by one starting with `else`
 * (which continues an `if`).  *lines gets the number of newlines in it. */
size_t split_piece_end(const char *text, size_t start, size_t length, int *lines);

/* Whether the text line (NUL- or newline-ended) starts with the keyword
 * `else` after spaces and tabs. */
bool split_starts_with_else(const char *line);

#endif
