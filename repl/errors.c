/* errors.c — raising an error in the REPL, the bottom floor every file that
 * reports one calls down to: the first error of a statement is kept with its
 * position (a node of the running chunk, or the line of a ':' command) and
 * its trace of calls; evaluation unwinds with -1, and the session (above)
 * prints it once.  Also the interrupt flag and the output marks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "session_state.h"

volatile sig_atomic_t repl_interrupted = 0;

/* ---- errors ----------------------------------------------------------------------- */

/* The position of an error at node n of the running chunk, or (n NULL) the
 * line of the running ':' command. */
static void set_position(repl *r, const ast_node *n) {
    if (n != NULL && r->eval.chunk != NULL) {
        r->error.line = n->kind == AST_BINARY ? n->as.binary.operator_line : n->line;
        r->error.column = n->kind == AST_BINARY ? n->as.binary.operator_column : n->column;
        snprintf(r->error.file, sizeof r->error.file, "%s",
                 r->eval.chunk->filename ? r->eval.chunk->filename : "");
        r->error.chunk = r->eval.chunk;
        r->eval.chunk->refcount++;
    } else if (r->eval.command_line > 0) {
        r->error.line = r->eval.command_line;
        r->error.column = 1;
        snprintf(r->error.file, sizeof r->error.file, "%s", r->eval.command_file ? r->eval.command_file : "");
    }
    text_printable(r->error.file, 0);
}

static int verror_at(repl *r, const ast_node *at, const char *fmt, va_list ap) {
    if (r->error.set) return -1;
    if (at == NULL) at = r->eval.call;
    vsnprintf(r->error.message, sizeof r->error.message, fmt, ap);
    text_printable(r->error.message, TEXT_KEEP_NEWLINE); /* it may quote a file's name or bytes */
    r->error.set = true;
    set_position(r, at);
    return -1;
}

int repl_error_at(repl *r, const ast_node *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verror_at(r, at, fmt, ap);
    va_end(ap);
    return -1;
}

int repl_error(repl *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verror_at(r, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int engine_error_at(repl *r, const ast_node *at) {
    const char *message = ag_errmsg(r->ctx);
    if (message == NULL || message[0] == '\0') message = "out of memory";
    repl_error_at(r, at, "%s", message);
    ag_clear_error(r->ctx);
    return -1;
}

int engine_error(repl *r) { return engine_error_at(r, NULL); }

void repl_clear_error(repl *r) {
    r->error.set = false;
    r->error.message[0] = '\0';
    r->error.line = r->error.column = 0;
    r->error.file[0] = '\0';
    repl_chunk_release(r->error.chunk);
    r->error.chunk = NULL;
    r->error.trace_count = 0;
}

int repl_output_check(repl *r, const ast_node *at, const char *who) {
    if (!ferror(r->io.out)) return 0;
    int reason = errno ? errno : EIO;
    clearerr(r->io.out);
    return repl_error_at(r, at, "%s%serror writing to %s: %s", who ? who : "", who ? ": " : "",
                         r->io.out == stdout ? "standard output" : "the output", strerror(reason));
}

/* Adds "in f, called at FILE:LINE:COL" for an error leaving a user call. */
void repl_error_add_trace(repl *r, const char *function_name, const ast_node *call) {
    if (call == NULL) return;
    char line[sizeof r->error.trace[0]];
    const char *file = r->eval.chunk && r->eval.chunk->filename ? r->eval.chunk->filename : NULL;
    if (file)
        snprintf(line, sizeof line, "  in %s, called at %s:%d:%d", function_name, file, call->line,
                 call->column);
    else
        snprintf(line, sizeof line, "  in %s, called at %d:%d", function_name, call->line,
                 call->column);
    text_printable(line, 0); /* the file's name */
    /* endless recursion repeats one line: count it instead */
    if (r->error.trace_count > 0 && strcmp(r->error.trace[r->error.trace_count - 1], line) == 0) {
        r->error.trace_repeats[r->error.trace_count - 1]++;
        return;
    }
    if (r->error.trace_count >= REPL_MAX_TRACE) return;
    snprintf(r->error.trace[r->error.trace_count], sizeof r->error.trace[0], "%s", line);
    r->error.trace_repeats[r->error.trace_count++] = 0;
}

void repl_mark_output(repl *r, int mark) {
    if (r->io.mark == NULL) return;
    fflush(r->io.out);
    fflush(r->io.err);
    r->io.mark(r->io.mark_user, mark);
}

void repl_set_terminal_width(repl *r, int out_columns, int err_columns) {
    if (r == NULL) return;
    r->io.out_columns = out_columns > 0 ? out_columns : 0;
    r->io.err_columns = err_columns > 0 ? err_columns : 0;
}

void repl_set_marks(repl *r, void (*mark)(void *user, int mark), void *user) {
    if (r == NULL) return;
    r->io.mark = mark;
    r->io.mark_user = user;
}

