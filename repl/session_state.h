/* session_state.h — the bottom floor of repl/: the session's struct, which
 * every floor reads, and the files below the evaluator, one section per file:
 *   user_function.c  chunks and user functions (their lifetime)
 *   names.c          the name tables
 *   text_table.c     columns of text for printed views
 *   errors.c         raising an error, the output marks
 *   session_state.c  the session's parts as the floors above read them
 *   session_files.c  the session's file rules (--no-files, --files-in)
 * It includes only the bottom's headers and repl.h (declarations only); the
 * middle's header, repl_internal.h, includes it. */
#ifndef REPL_SESSION_STATE_H
#define REPL_SESSION_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "ptrmap.h"
#include "repl.h"
#include "strbuf.h"
#include "value.h"

typedef struct signature signature;   /* repl_internal.h, builtins.c */
typedef struct repl_viz repl_viz;     /* viz_session.h */
typedef struct repl_notes repl_notes; /* graph_notes.c */
struct saved_file;                    /* repl_internal.h, commands.c */

/* ---- user_function.c: chunks and user functions -------------------------------- */

/* One parsed piece of source.  User functions keep the chunk their def came
 * from alive (reference counted), so their bodies and the text for error
 * carets stay valid after repl_run returns. */
typedef struct repl_chunk {
    int refcount;
    char *source;   /* NUL-terminated text that was parsed */
    char *filename; /* NULL when typed interactively */
    int first_line;
    ast_node *program;
} repl_chunk;


struct user_function {
    int refcount;
    char *name;
    const ast_node *def; /* an AST_DEF inside chunk->program */
    repl_chunk *chunk;
    /* Every name a call may bind in its frame: the parameters and the names
     * the body's statements bind (exec.c, def_binds), borrowed from def's
     * tree; a name not among them is never the frame's (memo_keep). */
    const char **binds;
    size_t nbinds;
};

/* Drop one reference; the last frees (user_function.c, below the session:
 * value.c calls user_function_release for VALUE_FUNCTION). */
void repl_chunk_release(repl_chunk *chunk);
void user_function_release(user_function *f);

/* ---- names.c: name tables ------------------------------------------------------
 * Open addressing, keys owned (a frame's borrowed), values owned (one
 * reference each). */
typedef struct name_entry {
    char *name; /* NULL = empty slot */
    repl_value value;
} name_entry;

typedef struct name_table {
    name_entry *entries;
    int capacity; /* power of two, or 0 */
    int count;
    /* A def call's frame (names_frames_generation), kept by names_clear.  Its keys
     * are borrowed, not copied: every name bound in a frame is a parameter's
     * or one the def's body binds, text of the def's tree, which the call
     * holds (call_user) until it clears the frame. */
    bool frame;
    const user_function *function; /* a frame's: the def it is a call of */
    /* While a call from here evaluates a default (call_user): the nodes
     * running in this frame are then another def's, and their memos do not
     * rely on this def's frames (memo_keep). */
    int hosting;
    /* entries at first: the caller's zeroed array of `capacity` (a power of
     * two), never freed here (a def call's frame on the stack); NULL for none */
    name_entry *local;
} name_table;

/* Where a name's value lives moves only when a table binds a name it did
 * not have, grows or is cleared: each of those adds one to
 * names_generation, in a session's table, or to names_frames_generation, in a
 * def call's frame (any session's), so a slot found while they had their
 * values is still that name's slot, and a name found in no table is still
 * unbound (the evaluator's per-node memos, eval.c).  A lookup outside every
 * def reads a session's table alone, so what it found holds while
 * names_generation alone is unchanged: a loop that calls a def keeps its
 * own memos across the calls' frames. */
extern unsigned long names_generation, names_frames_generation;

repl_value *names_get(const name_table *t, const char *name);
/* Binds name to value, taking the caller's reference; false when out of memory
 * (the value is released then). */
bool names_set(name_table *t, const char *name, repl_value value);
void names_clear(name_table *t);
/* The bound names sorted alphabetically, malloc'd (NULL when empty or out of
 * memory); *count gets their number.  Pointers are into the table. */
const name_entry **names_sorted(const name_table *t, int *count);

/* ---- text_table.c: columns of text for printed views ----------------------------- */

/* A table of malloc'd cells, printed with columns padded to their widest
 * cell, two spaces apart, no trailing blanks.  Zero it but for columns
 * (at most 8); failed says a row could not be stored (out of memory). */
typedef struct text_table {
    int columns, rows;
    char **cells; /* rows * columns */
    size_t cells_capacity;
    bool failed;
} text_table;

/* Copies the row's cells (NULL cells print empty). */
void text_table_add_row(text_table *tb, const char *const *cells);
void text_table_render(const text_table *tb, strbuf *out);
void text_table_free(text_table *tb);

/* Appends text to out with each line wider than `columns` (a terminal's
 * width, counting a character as one column) broken at blanks into rows
 * that fit, where a word does: the first row keeps the line's indent, the
 * others start under the line's own text -- after its first gap of two or
 * more blanks ("  plot(v)      draws..." goes on under "draws"; two blanks
 * after '.' part sentences, not columns) when that leaves 30 columns, at
 * its indent + 2 when it does not, and at its indent (2 when it has none)
 * when it has no gap.  Below TEXT_WRAP_MIN_COLUMNS text is appended as it is. */
#define TEXT_WRAP_MIN_COLUMNS 20
void text_table_wrap(strbuf *out, const char *text, int columns);

/* ---- the session's struct ------------------------------------------------------- */

#define REPL_MAX_TRACE 8

/* The session's parts.  Front ends reach them through repl.h's functions,
 * built-ins through the accessors below (session_state.c); the files of the REPL reach a part
 * (r->settings.digits, r->error.set), not one loose field among fifty. */

/* The session's cache of parsed signatures, keyed by the def; and the block
 * of the last call's rest list (*xs) that no built-in kept, for the next
 * call's (a malloc and a free per cleargrad(x0, x1) were 1.6% of a scalar
 * loop). */
typedef struct signature_cache {
    signature **slots;
    int capacity;
    int count;
    value_list *spare_rest; /* its items nil; NULL when there is none */
    int spare_capacity;     /* how many items spare_rest has room for */
} signature_cache;

/* What the user or the front end chose (repl_options, :digits, :timing,
 * :zoom, pace()); :reset keeps it. */
typedef struct repl_settings {
    bool headless, interactive;
    bool script_windows;         /* scripts from a terminal may open windows (repl_options) */
    bool no_files;               /* repl_options.no_files: repl_files_allowed refuses */
    char *files_root;            /* repl_options.files_in, resolved (NULL: anywhere); repl_path_allowed */
    int files_root_fd;           /* files_root held open (O_PATH), -1 without: repl_open_file, repl_write_file */
    double plot_zoom;            /* :zoom, 1 by default */
    double pace_fps;             /* pace()/:pace, 0 = off */
    int digits;                  /* 0 = full */
    bool digits_chosen;          /* :digits was given outside a lesson (a lesson's default then stays away) */
    bool in_lesson;              /* a lesson run by name is running: its :digits last to its end */
    int lesson_digits;           /* digits as the lesson began, restored at its end (repl_lesson_end) */
    double lesson_pace_fps;      /* pace_fps as the lesson began, restored at its end: a lesson's pace(20) slowed the user's next loop to 20 steps a second */
    double print_threshold;      /* :print, set_printoptions: summarize above it (1000; inf = whole) */
    int print_edge;              /* set_printoptions(edgeitems=): 3 */
    bool timing;
} repl_settings;

/* The front end's streams and hooks, and what its display was last handed. */
typedef struct repl_io {
    FILE *out, *err;
    int out_columns, err_columns; /* repl_set_terminal_width: the terminal's width, 0 = none */
    void (*mark)(void *user, int mark); /* repl_set_marks: the kernel's hook, or NULL */
    void *mark_user;
    /* repl_set_display (display.c): the kernel's pictures, or NULL */
    void (*display)(void *user, const struct repl_display *d);
    void *display_user;
    bool plot_dirty;             /* a plot changed since it was last handed over */
    double plot_shown_ms;        /* when it was */
    char plot_display_id[40];    /* the cell's plot output, "" before its first */
    char step_display_id[40];    /* backward(step=...)'s output, "" before its first step */
    repl_input_fn input;         /* repl_set_input: the kernel's stdin channel, or NULL */
    void *input_user;
    unsigned display_count;      /* numbers display ids and graph elements */
    bool show_renders;           /* repl_options.show_renders: render() shows its graph too */
    bool changes_refused;        /* repl_set_changes_refused: call.c refuses what builtin_call_changes */
    ag_rng rng_before;           /* the session's random numbers when changes_refused was set */
} repl_io;

/* The error of the statement being run (the first one reported wins). */
typedef struct repl_error_state {
    bool set;
    char message[1024];
    int line, column;            /* 0 = no position */
    char file[256];              /* "" = typed interactively */
    repl_chunk *chunk;           /* referenced, for the caret line; may be NULL */
    int trace_count;
    char trace[REPL_MAX_TRACE][160]; /* "  in f, called at 3:1" */
    int trace_repeats[REPL_MAX_TRACE];
} repl_error_state;

/* Where evaluation is and how deep it went. */
/* Literal constants (eval.c, literal_var): the constant variable a written
 * number operand made last, so a loop's or a def's body makes each once, as
 * a C loop shares its constants.  Direct-mapped by node; a slot holds a root
 * on its variable until the slot is taken or the session is reset. */
#define CONSTANT_SLOTS 256
typedef struct constant_slot {
    const ast_node *at;
    double value;
    ag_var *var;
} constant_slot;

typedef struct repl_evaluation {
    name_table *locals;        /* the running def's frame, NULL at top level */
    const void *memo_owner;    /* locals, or at top level the session's address + 1 (odd, so
                                * no frame's): eval_set_locals sets both; memos made from
                                * here carry it (ast.h, repl_internal.h's memo_valid) */
    unsigned long memos_made;  /* names looked up in the tables and remembered (eval.c's
                                * memo_keep): a test's count of the lookups memos spare */
    size_t idle_after_release; /* ag_idle_node_bytes after the last ag_gc_release (session.c) */
    int dropped_depth;         /* the deepest graph (ag_generation) whose session binding the
                                * running statement replaced (eval.c, session.c) */
    repl_chunk *chunk;         /* the chunk whose nodes are being evaluated */
    const ast_node *call;      /* the call C code is running (a built-in), where
                                * repl_error() without a node reports; NULL
                                * outside calls */
    const char *command_file;  /* position of a running ':' command */
    int command_line;
    int depth;                 /* evaluator recursion, capped */
    uintptr_t stack_base;      /* C stack address when the statement began */
    size_t stack_budget;       /* bytes of stack evaluation may use below
                                * stack_base (repl_stack_budget_from) */
    uintptr_t stack_from;      /* stack_base - stack_budget and 2 x stack_budget: the */
    size_t stack_span;         /*   addresses within the budget either way (eval_too_deep) */
    bool stack_known;          /* the running thread's stack bounds, cached: */
    pthread_t stack_thread;    /* ... for this thread */
    uintptr_t stack_low, stack_high;
    int call_depth;            /* user function calls, capped */
    int native_depth;          /* > 0 inside a built-in: no collection */
    int loops_not_last;        /* enclosing loop iterations that are not their loop's last */
    bool keeping_last_grads;   /* ag_keep_last_grads as last set (repl_notes_before_backward) */
    repl_value return_value;   /* of a `return` on its way out */
    ptrmap walked;             /* the functions builds_graph (assign.c) has
                                * walked; cleared per walk, its memory kept */
    /* what first made a NaN or Inf outside the engine's ops in this
     * statement ("x /= 0"): in-place updates, plain-number arithmetic */
    char nonfinite_note[64];
    constant_slot constants[CONSTANT_SLOTS];
} repl_evaluation;

/* The :save log (restore.c). */
typedef struct repl_save_log {
    /* the text of every successful top-level statement, as the file: each
     * entry, then a newline (one buffer: a script of a million lines keeps
     * 7 MB, not a million allocations) */
    strbuf history;
    int history_count;
    /* the session names the running top-level statement bound or updated
     * in place (touched_all: a built-in changed variables in place); if it
     * fails, :save writes their values instead of replaying it */
    char **touched;
    bool *touched_in_place; /* only its data changed (x += 1), same variable */
    int touched_count;
    size_t touched_capacity, touched_in_place_capacity;
    bool touched_all, touched_lost;
    /* names whose values the :save log cannot give back (a model or an
     * optimizer a failed statement changed) until a statement binds them
     * anew: :save names them when it writes */
    strbuf unrestored; /* ", "-separated */
    int load_depth;
    /* the files :save wrote in this session: it overwrites only these
     * without :save!, and only while they are as it left them (kept over
     * :reset) */
    struct saved_file *saved_files;
    int saved_count;
    size_t saved_capacity;
} repl_save_log;

/* Notes the session gives once, not after every statement. */
typedef struct repl_said_once {
    /* variables the note on summed gradients was given for, with their
     * ag_grad_calls then: one note per variable per streak (repl_note_summed) */
    struct summed_note { const ag_var *var; int calls; } *summed;
    int summed_count;
    size_t summed_capacity;
    bool loss_broadcast;   /* mse's operands broadcast to a bigger shape */
    bool nonscalar_seed;   /* backward of a non-scalar seeds ones */
    bool data_backward;    /* backward of data: it has no graph */
} repl_said_once;

/* The statement driver, session.c, which sits above every file that reaches
 * it through here: :load runs a file's text with run, :reset starts the
 * session over with reset.  repl_new sets both. */
typedef struct repl_driver {
    /* runs src (':' commands and statements) as repl_run does */
    int (*run)(repl *r, const char *src, const char *filename, int first_line);
    /* drops every name, function and the :save log; collects everything */
    void (*reset)(repl *r);
} repl_driver;

struct repl {
    ag_ctx *ctx;
    repl_io io;
    repl_settings settings;
    name_table names;            /* the session's variables and functions */
    signature_cache signatures;
    repl_error_state error;
    repl_evaluation eval;
    repl_save_log save;
    repl_said_once said_once;
    repl_viz *viz;               /* the viz session (viz_session.h) */
    /* The viz session has made its plot and graph window (viz_session.c
     * sets it once they are made, repl_viz_free clears it).  Until then a
     * statement boundary does not call repl_viz_idle, which would find
     * nothing to serve (exec.c): a script that never draws pays nothing. */
    bool viz_live;
    repl_notes *notes;           /* graph_notes.c; NULL until needed */
    repl_driver driver;          /* session.c's, for :load and :reset */
    bool quit;
};

/* ---- errors.c: raising an error ---------------------------------------------------- */

/* Reports an error for the statement being run: "NAME: message" is the
 * convention (e.g. "sum: axis 3 out of range for ndim 2").  Returns -1.
 * The error functions are `cold`: GCC then moves the paths that end in one
 * out of line, so a loop's hot code spans fewer cache lines (W1's script:
 * L1 instruction misses 1.83M -> 1.23M, cachegrind). */
int repl_error(repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3), cold));
/* The engine context's pending error (or "out of memory" when it has none)
 * as the statement's error; clears it; -1. */
int engine_error(repl *r) __attribute__((cold));
/* Reports an error at node `at` of the running chunk (the first error of a
 * statement wins; a binary node reports at its operator).  With `at` NULL:
 * at the call C code is running (r->eval.call), else at the running ':'
 * command's line, else without a position (what repl_error does).  -1. */
int repl_error_at(repl *r, const ast_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));
/* The engine context's pending error (or "out of memory" when it has none)
 * as the statement's error at `at`; clears it; -1. */
int engine_error_at(repl *r, const ast_node *at) __attribute__((cold));
/* After `who` wrote to the output stream: 0 when every write since errno
 * was last cleared went through; else, at the first failed write (a closed
 * pipe with SIGPIPE ignored, a full disk), the error at `at` (NULL: the
 * running call) "WHO: error writing to standard output: REASON" (without
 * "WHO: " when who is NULL), -1, and the stream's error flag cleared so a
 * later statement's output is tried afresh.  Callers set errno = 0 before
 * writing so the reason is the write's own. */
int repl_output_check(repl *r, const ast_node *at, const char *who);
/* Adds "  in f, called at FILE:LINE:COL" to the pending error's trace as it
 * leaves a call of the user function `function_name` made at `call`. */
void repl_error_add_trace(repl *r, const char *function_name, const ast_node *call);
void repl_clear_error(repl *r);
/* Calls the front end's mark hook (repl_set_marks), both streams flushed first. */
void repl_mark_output(repl *r, int mark);

/* ---- session_state.c: the session's parts as the floors above read them ---------- */

/* The session's engine context. */
ag_ctx *repl_ctx(repl *r);
/* Output stream (stdout or what the options gave). */
FILE *repl_out(repl *r);
/* Digits to show (0 = full precision), from :digits. */
int repl_digits(const repl *r);
bool repl_headless(const repl *r);
bool repl_is_interactive(const repl *r);
/* The viz session (viz_session.h). */
repl_viz *repl_get_viz(repl *r);
/* Bytes of C stack evaluation may use below `base`, the first frame of what
 * runs now: from the running thread's real stack, less a safety margin. */
size_t repl_stack_budget_from(repl *r, uintptr_t base);
/* Appends a copy of text (a command line) to the :save log; repl_history_append
 * text[0..length) and a newline (a statement's text). */
void repl_history_record(repl *r, const char *text);
void repl_history_append(repl *r, const char *text, size_t length);

/* ---- session_files.c: the session's file rules (--no-files, --files-in) --------- */

/* 0 when the session may read and write files; else -1 with the error
 * "WHO: file access is off in this session (--no-files)". */
int repl_files_allowed(repl *r, const char *who);
/* 0 when the session may read or write `path` (--files-in: it lies inside the
 * session's folder once symbolic links and .. are resolved; a file that does
 * not exist yet counts by its directory); else -1 with the error "WHO: PATH
 * is outside this session's folder DIR (--files-in)". */
int repl_path_allowed(repl *r, const char *who, const char *path);
/* Opens `path` for a file statement to read: below the session's folder
 * (--files-in), each name on the way opened relative to the last
 * (src/util/confined.h, so the file checked is the file read), without
 * waiting for a FIFO's writer.  Only a regular file is taken.  The
 * descriptor (the caller closes it), or -1 after the error "WHO: cannot
 * read PATH: WHY" (WHY "it is a FIFO, not a regular file", ...). */
int repl_open_file(repl *r, const char *who, const char *path);
/* Where `relative` (digits_data.ag, data/iris.csv) is, for what a lesson
 * reads by name: in the current folder, else in the folder of `script`
 * (the file whose statement or command is running; NULL, "<stdin>" or
 * "-e": none), a regular file either way; a place outside the session's
 * folder (--files-in) is passed by.  The path into out (size bytes): true,
 * or false when neither has it. */
bool repl_find_beside(const repl *r, const char *script, const char *relative, char *out, size_t size);
/* The one way a file statement writes a file: data[0..size) whole or not
 * at all (atomic_file.h: links followed, hard links, owner and mode kept;
 * flags ATOMIC_FILE_FORCE for `!`), below the session's folder.  0, or -1
 * with errno set (EXDEV: it leads outside the folder); no error is raised,
 * the caller words it (repl_file_strerror). */
int repl_write_file(repl *r, const char *path, const void *data, size_t size, int flags);
/* Why a file statement's open or write of `path` failed with `error`. */
const char *repl_file_strerror(repl *r, const char *path, int error);

#endif
