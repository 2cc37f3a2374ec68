/* kernel_history.h — the cells the kernel ran (kernel.c), for
 * history_request: their execution counts, sources and results' text, kept
 * for the process's one session (kernel_history.c). */
#ifndef REPL_KERNEL_HISTORY_H
#define REPL_KERNEL_HISTORY_H

#include <jansson.h>
#include <stddef.h>

/* Keeps cell `count`'s source and its result's text (result_length bytes;
 * result NULL: none), the text cut to 2,000 bytes at a character with
 * " ..." after it.  Out of memory, the cell is left out. */
void kernel_history_add(int count, const char *input, const char *result, size_t result_length);
/* Forgets every cell. */
void kernel_history_free(void);
/* history_request's history list, as ipykernel answers it from this
 * session's cells, oldest first, for the request's content: tail (the last
 * n), range (session 0 or ours; cells start <= count < stop, a negative
 * start or stop counted back from the end, stop 0 or none the end) and
 * search (a glob pattern, * and ? and [...], over the whole source; the
 * last n matches; unique: each source once, at its last run); any other
 * type an empty list.  execution_count is the last cell's count (IPython's
 * line numbers).  A new reference. */
json_t *kernel_history_items(const json_t *content, int execution_count);

#endif
