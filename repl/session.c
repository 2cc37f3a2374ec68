/* session.c — the session: printing errors and traces, new/free/reset, the
 * statement driver (splitting source into ':' commands and code, running
 * each top-level statement) and the statements' entries in the :save log
 * (repl.h).  The top floor of repl/: the floors below reach the driver only
 * through r->driver (:load, :reset), which repl_new sets; the accessors and
 * the file rules they call are below them (session_state.c, session_files.c).
 *
 * Errors are raised in errors.c, below every file that raises one;
 * evaluation unwinds with -1 and run_top prints the statement's first error
 * once (report_error). */
#define _GNU_SOURCE /* O_PATH */
#include "repl_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "atomic_file.h"
#include "parser.h"
#include "split.h"

/* Idle node memory (ag_idle_node_bytes) that makes a statement's end give
 * it back (about 180,000 nodes). */
#define RELEASE_BYTES ((size_t)64 << 20)

/* A statement that replaced the binding of a variable at least this deep
 * (ag_generation: ops between it and its leaves) gives the graph back. */
#define DROPPED_DEPTH 10000

/* Whether the statement that just ran dropped a deep graph: it replaced a
 * session binding to a variable DROPPED_DEPTH deep or more and made few
 * variables itself (at most a quarter more than were alive before it).  The
 * pacing of ag_gc_auto leaves an old graph to the next full collection,
 * which after a long chain is built comes only once the session made up to
 * GC_PAUSE_MAX times as much again (`y = 0` after bench/w6_chain.ag kept
 * its 123 MB); a full collection here costs one trace of what is alive, paid
 * only by such a statement.  A loop that grows a chain replaces its binding
 * every step but makes the chain as it goes: no collection there.  A graph
 * still bound to another name is traced and kept. */
static bool dropped_deep_graph(const repl *r, size_t live_at_start) {
    return r->eval.dropped_depth >= DROPPED_DEPTH && ag_live_vars(r->ctx) <= live_at_start + live_at_start / 4;
}

/* ---- reporting errors -------------------------------------------------------------- */

/* Prints the pending error (with position, caret and trace) to the err stream
 * and clears it. */
static void report_error(repl *r) {
    if (!r->error.set) return;
    repl_mark_output(r, REPL_MARK_ERROR_BEGIN);
    if (r->error.line > 0 && r->error.file[0])
        fprintf(r->io.err, "%s:%d:%d: error: %s\n", r->error.file, r->error.line, r->error.column,
                r->error.message);
    else
        fprintf(r->io.err, "error: %s\n", r->error.message);
    if (r->error.chunk != NULL && r->error.line > 0) {
        /* the source line and caret, formatted as for parse errors */
        parse_error position = {.line = r->error.line, .column = r->error.column};
        char *text = parse_error_format(&position, r->error.chunk->source,
                                        r->error.chunk->first_line, NULL, r->io.err_columns);
        const char *caret = text ? strchr(text, '\n') : NULL;
        if (caret && caret[1]) fputs(caret + 1, r->io.err);
        free(text);
    }
    for (int i = 0; i < r->error.trace_count; i++) {
        if (r->error.trace_repeats[i] > 0)
            fprintf(r->io.err, "%s (%d times)\n", r->error.trace[i], r->error.trace_repeats[i] + 1);
        else
            fprintf(r->io.err, "%s\n", r->error.trace[i]);
    }
    fflush(r->io.err);
    repl_mark_output(r, REPL_MARK_ERROR_END);
    repl_clear_error(r);
}

/* ---- the session ---------------------------------------------------------------- */

/* The REPL, as the program, chooses OpenBLAS's threads (the library leaves
 * them alone unless asked): its contexts use AG_BLAS_THREADS_AUTO, which
 * also stops the workers OpenBLAS starts when it is loaded (src/blas.c). */
static void quiet_blas(ag_ctx *ctx) { ag_set_blas_threads(ctx, AG_BLAS_THREADS_AUTO); }

static int session_run(repl *r, const char *src, const char *filename, int first_line);
static void session_reset(repl *r);

repl *repl_new(const repl_options *opts) {
    repl *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    eval_set_locals(r, NULL);
    if (opts && opts->files_in) { /* never a session that may write anywhere instead */
        char error[PATH_MAX + 64];
        r->settings.files_root = repl_files_root(opts->files_in, error, sizeof error);
        r->settings.files_root_fd = r->settings.files_root != NULL
                                        ? open(r->settings.files_root, O_PATH | O_DIRECTORY | O_CLOEXEC)
                                        : -1;
        if (r->settings.files_root_fd < 0) {
            free(r->settings.files_root);
            free(r);
            return NULL;
        }
    } else {
        r->settings.files_root_fd = -1;
    }
    r->ctx = ag_ctx_new();
    if (r->ctx == NULL) {
        if (r->settings.files_root_fd >= 0) close(r->settings.files_root_fd);
        free(r->settings.files_root);
        free(r);
        return NULL;
    }
    ag_set_check_finite(r->ctx, true);
    quiet_blas(r->ctx);
    ag_set_interrupt(r->ctx, &repl_interrupted); /* Ctrl-C stops long engine calls too */
    atomic_file_set_interrupt(&repl_interrupted); /* and a write waiting on a FIFO's reader */
    repl_notes_start(r);
    r->io.out = opts && opts->out ? opts->out : stdout;
    r->io.err = opts && opts->err ? opts->err : stderr;
    r->io.show_renders = opts ? opts->show_renders : false;
    r->settings.headless = opts ? opts->headless : true;
    r->settings.interactive = opts ? opts->interactive : false;
    r->settings.script_windows = opts ? opts->script_windows : false;
    r->settings.no_files = opts ? opts->no_files : false;
    r->settings.plot_zoom = 1;
    r->settings.print_threshold = 1000;
    r->settings.print_edge = 3;
    r->viz = repl_viz_new(r, r->settings.headless);
    r->driver = (repl_driver){.run = session_run, .reset = session_reset}; /* :load, :reset */
    eval_set_stack(r, 0, 0); /* measured when a statement starts: repl_stack_budget_from */
    return r;
}

static void history_clear(repl *r) {
    free(r->save.history.data);
    r->save.history = (strbuf){0};
    r->save.history_count = 0;
    restore_clear_unrestored(r);
}

/* The engine context repl_free_at_exit left to the system, still
 * reachable from here (a leak checker counts its blocks as in use, not
 * lost). */
static ag_ctx *volatile left_at_exit; /* volatile: a store never read is not dropped */

static void session_free(repl *r, bool at_exit) {
    if (r == NULL) return;
    names_clear(&r->names);
    value_release(r->eval.return_value);
    history_clear(r);
    restore_forget(r);
    free(r->save.touched);
    free(r->save.touched_in_place);
    free(r->said_once.summed);
    ptrmap_free(&r->eval.walked);
    for (int i = 0; i < r->save.saved_count; i++) free(r->save.saved_files[i].path);
    free(r->save.saved_files);
    repl_clear_error(r);
    builtin_signature_cache_free(&r->signatures);
    repl_viz_free(r->viz);
    eval_constants_clear(r);
#if defined(__SANITIZE_ADDRESS__)
    at_exit = false; /* AddressSanitizer's leak check sees the whole teardown */
#endif
    if (at_exit)
        left_at_exit = r->ctx;
    else
        ag_ctx_free(r->ctx);
    repl_notes_free(r->notes);
    if (r->settings.files_root_fd >= 0) close(r->settings.files_root_fd);
    free(r->settings.files_root);
    free(r);
}

void repl_free(repl *r) { session_free(r, false); }

/* At the end of the process the graph is not taken apart node by node: the
 * system takes the pages back at once.  ag_ctx_free's pass over every node
 * was 7.6% of bench/w6_chain.ag's script (300,000 functions and their
 * variables); everything else the session holds is still freed. */
void repl_free_at_exit(repl *r) { session_free(r, true); }

/* Drops every name, function and the :save log; collects everything (:reset). */
static void session_reset(repl *r) {
    names_clear(&r->names);
    history_clear(r);
    /* windows and recorded plots hold variables too: start them over */
    repl_viz_free(r->viz);
    r->viz = repl_viz_new(r, r->settings.headless);
    eval_constants_clear(r);
    ag_gc_release(r->ctx); /* the session's memory back to the system */
    r->eval.idle_after_release = ag_idle_node_bytes(r->ctx);
}

bool repl_quit_requested(const repl *r) { return r->quit; }

bool repl_take_quit(repl *r) {
    bool quit = r->quit;
    r->quit = false;
    return quit;
}
void repl_idle(repl *r) {
    if (r->viz) repl_viz_idle(r->viz);
}
int repl_idle_timeout_ms(const repl *r) { return r->viz ? repl_viz_timeout_ms(r->viz) : -1; }

/* ---- top level ------------------------------------------------------------------------------- */

/* Appends text (taken over; NULL does nothing) to the :save log. */
static void history_push(repl *r, char *text) {
    if (text == NULL) return;
    repl_history_append(r, text, strlen(text));
    free(text);
}

static void record_statement(repl *r, const repl_chunk *chunk, const ast_node *n) {
    if (n->source_end <= n->source_start) return;
    repl_history_append(r, chunk->source + n->source_start, n->source_end - n->source_start);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one top-level statement: evaluation, then collection, the NaN
 * warning, the viz refresh and the timing line.  0 or -1 (reported). */
static int run_top(repl *r, repl_chunk *chunk, const ast_node *n) {
    repl_clear_error(r);
    ag_clear_error(r->ctx);
    ag_clear_nonfinite(r->ctx);
    r->eval.nonfinite_note[0] = '\0';
    r->eval.chunk = chunk;
    r->eval.call = NULL;
    eval_set_locals(r, NULL);
    r->eval.depth = r->eval.call_depth = r->eval.native_depth = 0;
    r->eval.command_line = 0;
    restore_forget(r);
    repl_mark_output(r, REPL_MARK_STATEMENT);
    char base;
    eval_set_stack(r, (uintptr_t)&base, repl_stack_budget_from(r, (uintptr_t)&base));
    double start = r->settings.timing ? now_ms() : 0;
    r->eval.dropped_depth = 0;
    size_t live_at_start = ag_live_vars(r->ctx);
    bool grad_enabled = ag_grad_enabled(r->ctx), train = ag_is_train(r->ctx);
    /* a Ctrl-C that arrived between statements stops a script here */
    int status = repl_statement_boundary(r, n) < 0 ? EXEC_ERROR : exec_statement(r, n, true);
    ag_set_grad_enabled(r->ctx, grad_enabled);
    ag_set_train(r->ctx, train);
    value_release(r->eval.return_value);
    r->eval.return_value = VALUE_NIL_INIT;
    if (status != EXEC_OK && !r->error.set)
        repl_error_at(r, n, status == EXEC_ERROR ? "statement failed" : "break or continue outside a loop");
    if (!r->error.set) { /* output that never arrived fails the statement that wrote it */
        errno = 0;
        fflush(r->io.out);
        repl_output_check(r, n, NULL);
    }
    /* a Ctrl-C that came while it ran and that nothing inside noticed (a
       short call): the statement that was running reports it, not the next */
    if (status == EXEC_OK && !r->error.set && repl_interrupted) repl_error_at(r, n, "interrupted");
    int rc = r->error.set ? -1 : 0;
    if (rc < 0) {
        repl_interrupted = 0; /* the failed statement used up any pending Ctrl-C */
        report_error(r);
    }
    /* the REPL's note was taken while the engine had none: it came first */
    const char *nonfinite = r->eval.nonfinite_note[0] ? r->eval.nonfinite_note : ag_nonfinite_op(r->ctx);
    if (nonfinite != NULL) {
        fflush(r->io.out);
        if (chunk->filename)
            fprintf(r->io.err, "%s:%d:%d: warning: NaN or Inf first produced by %s\n", chunk->filename,
                    n->line, n->column, nonfinite);
        else
            fprintf(r->io.err, "warning: NaN or Inf first produced by %s\n", nonfinite);
        fflush(r->io.err);
        ag_clear_nonfinite(r->ctx);
        r->eval.nonfinite_note[0] = '\0';
    }
    r->eval.chunk = NULL;
    ag_gc_auto(r->ctx); /* not a full collection: its cost grows with the session */
    /* a big graph collected: its node memory back to the system, once per
     * RELEASE_BYTES more idle (a session whose live nodes are scattered over
     * the blocks does not pay a full collection every statement) */
    size_t idle = ag_idle_node_bytes(r->ctx);
    if (dropped_deep_graph(r, live_at_start)) {
        ag_gc_release(r->ctx); /* a full collection: the dropped graph's nodes, then its slabs */
        r->eval.idle_after_release = ag_idle_node_bytes(r->ctx);
    } else if (idle >= r->eval.idle_after_release + RELEASE_BYTES) {
        ag_gc_release(r->ctx);
        r->eval.idle_after_release = ag_idle_node_bytes(r->ctx);
    } else if (idle < r->eval.idle_after_release) {
        r->eval.idle_after_release = idle; /* nodes taken up again */
    }
    if (r->viz) repl_viz_after_statement(r->viz);
    if (r->settings.timing) fprintf(r->io.out, "time: %.3f ms\n", now_ms() - start);
    fflush(r->io.out);
    if (rc == 0) record_statement(r, chunk, n);
    else history_push(r, restore_text(r)); /* what it did before it stopped stays done */
    if (rc == 0) restore_rebound(r);
    restore_forget(r);
    return rc;
}

/* ---- splitting source into commands and code ---------------------------------------------------- */

typedef struct segment {
    bool command;
    size_t start, end; /* byte range in the source */
    int line;          /* first line number */
} segment;

static bool interactive_name(const char *filename) {
    return filename == NULL || strcmp(filename, "<stdin>") == 0;
}

/* Prints a parse error (or, without the memory to format it, its first line). */
static void print_parse_error(repl *r, const parse_error *error, const char *source, int line,
                              const char *filename) {
    char *message = parse_error_format(error, source, line, filename, r->io.err_columns);
    repl_mark_output(r, REPL_MARK_ERROR_BEGIN);
    if (message) fputs(message, r->io.err);
    else if (filename) fprintf(r->io.err, "%s:%d:%d: error: %s\n", filename, error->line, error->column, error->message);
    else fprintf(r->io.err, "error: %s\n", error->message);
    fflush(r->io.err);
    repl_mark_output(r, REPL_MARK_ERROR_END);
    free(message);
}

static int out_of_memory_at(repl *r, const char *filename, int line) {
    parse_error error = {.line = line, .column = 1};
    snprintf(error.message, sizeof error.message, "out of memory");
    print_parse_error(r, &error, NULL, line, filename);
    return REPL_ERROR;
}

/* Parses the piece src[start..end) (split.h), which starts at `line`: into a
 * new chunk in *chunk when chunk is not NULL, else only checked.
 * REPL_OK; REPL_INCOMPLETE when it is unfinished and `last` in an
 * interactive input; else REPL_ERROR, the error printed. */
static int parse_piece(repl *r, const char *src, size_t start, size_t end, int line,
                       const char *filename, bool last, repl_chunk **chunk) {
    char *text = strndup(src + start, end - start);
    if (text == NULL) return out_of_memory_at(r, filename, line);
    parse_error error;
    ast_node *program = NULL;
    parse_status ps = parse_program(text, line, chunk ? &program : NULL, &error);
    if (ps == PARSE_INCOMPLETE && last && interactive_name(filename)) {
        free(text);
        return REPL_INCOMPLETE;
    }
    if (ps != PARSE_OK) {
        print_parse_error(r, &error, text, line, filename);
        free(text);
        return REPL_ERROR;
    }
    if (chunk == NULL) {
        free(text);
        return REPL_OK;
    }
    repl_chunk *c = calloc(1, sizeof *c);
    if (c == NULL || (filename && (c->filename = strdup(filename)) == NULL)) {
        free(c);
        ast_free(program);
        free(text);
        return out_of_memory_at(r, filename, line);
    }
    text_printable(c->filename, 0); /* only messages show it */
    c->refcount = 1;
    c->source = text;
    c->first_line = line;
    c->program = program;
    *chunk = c;
    return REPL_OK;
}

/* Runs the code src[start..end), which starts at `line`, one piece at a
 * time: parsed, run, and freed before the next is parsed (a def keeps its
 * piece).  REPL_OK or REPL_ERROR. */
static int run_code(repl *r, const char *src, size_t start, size_t end, int line,
                    const char *filename) {
    while (start < end && !r->quit) {
        int lines;
        size_t piece_end = split_piece_end(src, start, end, &lines);
        repl_chunk *chunk = NULL;
        if (parse_piece(r, src, start, piece_end, line, filename, false, &chunk) != REPL_OK)
            return REPL_ERROR;
        const ast_list *statements = &chunk->program->as.block;
        int status = REPL_OK;
        for (int k = 0; k < statements->count && !r->quit && status == REPL_OK; k++)
            if (run_top(r, chunk, statements->items[k]) < 0) status = REPL_ERROR;
        repl_chunk_release(chunk);
        if (status != REPL_OK) return status;
        start = piece_end;
        line += lines;
    }
    return REPL_OK;
}

/* Source text is cut into segments: each ':' command line alone, and each
 * run of other lines (code).  Every piece of code is checked first, so a
 * syntax error anywhere runs nothing; then the segments run in order, the
 * code one piece at a time (split.h), so memory does not grow with the
 * length of a script and no piece is parsed more than twice.  `ended`:
 * nothing follows src, so an unfinished last statement is a syntax error
 * even at the terminal (repl_run_ended). */
static int run_source(repl *r, const char *src, const char *filename, int first_line, bool ended) {
    if (first_line < 1) first_line = 1;
    int count = 0;
    size_t capacity = 0;
    segment *segments = NULL;
    if (!ARRAY_RESERVE(segments, capacity, 0, 8)) return out_of_memory_at(r, filename, first_line);
    size_t at = 0, length = strlen(src);
    int line = first_line;
    while (at < length) {
        const char *newline = memchr(src + at, '\n', length - at);
        size_t end = newline ? (size_t)(newline - src) : length;
        bool command = parse_is_command(src + at); /* it looks no further than the ':' */
        size_t next = end < length ? end + 1 : end;
        if (count > 0 && !command && !segments[count - 1].command) {
            segments[count - 1].end = next;
        } else {
            if (!ARRAY_RESERVE(segments, capacity, (size_t)count, 1)) {
                free(segments);
                return out_of_memory_at(r, filename, line);
            }
            segments[count++] = (segment){.command = command, .start = at, .end = next, .line = line};
        }
        at = next;
        line++;
    }

    int status = REPL_OK;
    for (int i = 0; i < count && status == REPL_OK; i++) {
        const segment *s = &segments[i];
        if (s->command) continue;
        size_t start = s->start;
        int piece_line = s->line;
        while (start < s->end && status == REPL_OK) {
            int lines;
            size_t end = split_piece_end(src, start, s->end, &lines);
            status = parse_piece(r, src, start, end, piece_line, filename, !ended && i == count - 1 && end >= s->end,
                                 NULL);
            start = end;
            piece_line += lines;
        }
    }
    for (int i = 0; i < count && status == REPL_OK && !r->quit; i++) {
        segment *s = &segments[i];
        if (!s->command) {
            status = run_code(r, src, s->start, s->end, s->line, filename);
            continue;
        }
        char *text = strndup(src + s->start, s->end - s->start);
        if (text == NULL) {
            status = out_of_memory_at(r, filename, s->line);
            break;
        }
        size_t n = strlen(text);
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
        repl_clear_error(r);
        r->eval.chunk = NULL;
        r->eval.call = NULL;
        r->eval.command_file = filename;
        r->eval.command_line = s->line;
        repl_mark_output(r, REPL_MARK_STATEMENT);
        int rc = command_run(r, text);
        if (r->error.set) report_error(r);
        if (r->viz) repl_viz_after_statement(r->viz); /* :digits, :zoom: open windows at once */
        r->eval.command_line = 0;
        r->eval.command_file = NULL;
        free(text);
        fflush(r->io.out);
        if (rc != REPL_OK) status = REPL_ERROR;
    }
    free(segments);
    return status;
}

/* run_source of text that may go on (a statement left unfinished at its end
 * is REPL_INCOMPLETE at the terminal and on stdin): repl_run, :load. */
static int session_run(repl *r, const char *src, const char *filename, int first_line) {
    return run_source(r, src, filename, first_line, false);
}

int repl_check_lines(const char *src, int first_line, int *error_line) {
    parse_error error;
    parse_status ps = parse_program(src, first_line, NULL, &error);
    if (ps == PARSE_ERROR && error_line != NULL) *error_line = error.line;
    return ps == PARSE_INCOMPLETE ? REPL_INCOMPLETE : ps == PARSE_ERROR ? REPL_ERROR : REPL_OK;
}

bool repl_is_command(const char *line) { return parse_is_command(line); }

int repl_check(const char *src) {
    if (src == NULL) return REPL_ERROR;
    /* the same split as session_run: ':' command lines stand alone, only
       the last run of code may be unfinished */
    size_t at = 0, length = strlen(src), start = 0;
    int status = REPL_OK;
    while (at <= length && status != REPL_ERROR) {
        size_t end = at;
        while (end < length && src[end] != '\n') end++;
        char *line = strndup(src + at, end - at);
        if (line == NULL) return REPL_ERROR;
        bool command = parse_is_command(line);
        free(line);
        if (command || end >= length) {
            size_t code_end = command ? at : length;
            status = REPL_OK;
            if (code_end > start) {
                char *code = strndup(src + start, code_end - start);
                ast_node *program = NULL;
                parse_error error;
                if (code == NULL) return REPL_ERROR;
                parse_status ps = parse_program(code, 1, &program, &error);
                ast_free(program);
                free(code);
                status = ps == PARSE_OK ? REPL_OK : ps == PARSE_INCOMPLETE && !command ? REPL_INCOMPLETE
                                                                                     : REPL_ERROR;
            }
            start = end + 1;
        }
        if (end >= length) break;
        at = end + 1;
    }
    return status;
}

int repl_run(repl *r, const char *src, const char *filename, int first_line) {
    if (r == NULL || src == NULL) return REPL_ERROR;
    return session_run(r, src, filename, first_line);
}

int repl_run_ended(repl *r, const char *src, const char *filename, int first_line) {
    if (r == NULL || src == NULL) return REPL_ERROR;
    return run_source(r, src, filename, first_line, true);
}

int repl_run_file(repl *r, const char *src, const char *path) {
    if (r == NULL || src == NULL) return REPL_ERROR;
    r->save.load_depth++; /* as :load runs a file */
    int status = session_run(r, src, path, 1);
    r->save.load_depth--;
    return status;
}
