/* errors.h — how the library's own code sets an error (every file of src/
 * that calls ag_set_error includes this, directly or through tensor.h). */
#ifndef AG_ERRORS_H
#define AG_ERRORS_H

#include "ag_core.h"

/* Inside the library every message goes through ctx_set_error, which gives
 * it a code from its wording (context.c, classify); the public ag_set_error
 * is the caller's (AG_ERR_USER).  `cold`: the paths that set an error are
 * moved out of the ops' hot code (as repl_error's, repl/builtins.h). */
void *ctx_set_error(ag_ctx *ctx, const char *fmt, ...) AG_PRINTF(2, 3) __attribute__((cold));
#define ag_set_error(...) ctx_set_error(__VA_ARGS__)

/* Sets the message with the code the raise names (as SQLite's
 * sqlite3ErrorWithMsg): new code raises its errors this way. */
void *ctx_error(ag_ctx *ctx, ag_err code, const char *fmt, ...) AG_PRINTF(3, 4) __attribute__((cold));

#endif
