/* graph_contain.h — Graphviz work (and plots drawn for a file) in a forked
 * child with CPU-time and memory limits (graph_contain.c): a crash or abort
 * inside the library becomes an error message and the session keeps every
 * name.  Internal to viz/. */
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

/* Whether the last viz_contained child crashed inside the library (ended by a
 * signal that is not Ctrl-C, the CPU-time limit or memory running out under a
 * tight limit): a layout that may succeed with other settings. */
bool viz_contained_crashed(void);

/* Whether the last viz_contained child was stopped by its CPU-time limit
 * (SIGXCPU): a layout that a cheaper one may still draw. */
bool viz_contained_timed_out(void);

/* The same for a figure drawn by Cairo and Pango (savefig, the kernel's
 * inline plots): GLib aborts the process when an allocation fails, so a
 * child ended by SIGTRAP, SIGABRT or SIGKILL is "out of memory drawing the
 * figure ...", other deaths are worded for the drawing, not Graphviz. */
unsigned char *viz_contained_drawing(viz_contained_fn work, void *arg, size_t *size, char err[VIZ_ERRLEN]);

/* Whether the drawing libraries have room to run: GLib (under Pango and
 * Graphviz's renderers) aborts the process when it cannot start a thread or
 * allocate, where Cairo would return an error.  So before drawing, a thread
 * is started and joined and 64 MiB are allocated and freed: 0, or -1 with
 * "out of memory ..." in err (under `ulimit -v`, say), and nothing drawn. */
int viz_library_headroom(char err[VIZ_ERRLEN]);

/* The child's limits: CPU seconds (0: the default, 300 s; never more than
 * the inherited soft limit of `ulimit -t`) and address space beyond the
 * parent's current size (0: the default, 4 GiB).  For tests. */
void viz_contain_set_limits(int cpu_seconds, size_t extra_bytes);

/* While on, children get the default CPU time (still within `ulimit -t`)
 * whatever viz_contain_set_limits asked: the layered fallback after dot ran
 * out of its time takes time linear in the graph, and is the last chance
 * of a picture. */
void viz_contain_fallback_cpu(bool on);

#endif
