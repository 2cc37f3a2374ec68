/* graph_contain.h — Graphviz work in a forked child with CPU-time and memory
 * limits (graph_contain.c): a crash or abort inside the library becomes an
 * error message and the session keeps every name.  Internal to viz/. */
#ifndef VIZ_GRAPH_CONTAIN_H
#define VIZ_GRAPH_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"

/* The work done in the child: malloc'd bytes and their count, or NULL with
 * err.  It sees the parent's memory as it was at the fork; nothing it changes
 * reaches the parent, only the bytes it returns. */
typedef unsigned char *(*viz_contained_fn)(void *arg, size_t *size, char err[VIZ_ERRLEN]);

/* Runs work(arg) in a child process and returns its bytes (malloc'd, *size
 * set), or NULL with err: the work's own error, or what ended the child (a
 * signal such as SIGSEGV, the CPU-time limit, out of memory, Ctrl-C). */
unsigned char *viz_contained(viz_contained_fn work, void *arg, size_t *size, char err[VIZ_ERRLEN]);

/* The child's limits: CPU seconds (0: the default, 300 s; never more than
 * the inherited soft limit of `ulimit -t`) and address space beyond the
 * parent's current size (0: the default, 4 GiB).  For tests. */
void viz_contain_set_limits(int cpu_seconds, size_t extra_bytes);

#endif
