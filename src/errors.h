/* errors.h — how the library's own code raises an error (every file of src/
 * that raises one includes this, directly or through tensor.h). */
#ifndef AG_ERRORS_H
#define AG_ERRORS_H

#include "ag_core.h"

/* Sets the message with the code the raise names, as SQLite's
 * sqlite3ErrorWithMsg: the code is chosen where the error is raised, never
 * read back from the wording.  Returns NULL, so `return ctx_error(...)`
 * fails a call that returns a pointer.  The public ag_set_error is the
 * caller's (AG_ERR_USER); src/ cannot call it (below).
 * `cold`: the paths that raise are moved out of the ops' hot code (as
 * repl_error's, repl/builtins.h). */
void *ctx_error(ag_ctx *ctx, ag_err code, const char *fmt, ...) AG_PRINTF(3, 4) __attribute__((cold));

/* The two-argument ag_set_error guessed the code from the wording: inside
 * the library, a call of it does not compile.  (context.c, which defines it
 * for callers, and tests that call it define AG_ERRORS_PUBLIC_FORM.) */
#ifndef AG_ERRORS_PUBLIC_FORM
#pragma GCC poison ag_set_error
#endif

#endif
