/* source.h — script text read whole or refused: the readers of
 * scripts (agrepl FILE, :load, stdin) share these, so every one accepts the
 * same input and refuses the same with the same words. */
#ifndef REPL_SOURCE_H
#define REPL_SOURCE_H

#include <stddef.h>
#include <stdio.h>

/* Makes text[0..*length) ready for the lexer, in place: a UTF-8 byte-order
 * mark at the start is skipped when `at_start`, CRLF and CR-only line ends
 * become LF, and text is NUL-terminated at its new *length.  A NUL byte is
 * refused: -1 with its 1-based line and column (counting lines from
 * first_line, columns in bytes) in *line / *column; else 0. */
int source_normalize(char *text, size_t *length, int at_start, int first_line, int *line,
                     int *column);

/* Reads the whole file `path` and normalizes it: 0 and the text (malloc'd)
 * in *text; or -1, *text NULL and what is wrong in message[0..size):
 * "cannot read F: Is a directory", "out of memory reading F (N bytes)", or,
 * with its position in *line / *column (else 0), "a NUL byte is not allowed
 * in a script".  Read errors are checked (ferror): a file is never run
 * halfway. */
int source_read_file(const char *path, char **text, int *line, int *column, char *message,
                     size_t size);
/* source_read_file from the descriptor fd, already open on `path` (which
 * names it in messages); fd is closed either way. */
int source_read_fd(int fd, const char *path, char **text, int *line, int *column, char *message, size_t size);

#endif
