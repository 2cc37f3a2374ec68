/* repl.h — the interpreter session that every front end drives.
 *
 * main.c (command line, Readline, scripts) talks to the language only
 * through this header.  A session owns one engine context, the bound names,
 * the user's functions and the viz state.  Output goes to the session's out
 * stream (stdout), errors to its err stream (stderr). */
#ifndef REPL_H
#define REPL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* The program's version (agrepl --version, the kernel's kernel_info). */
#define AGREPL_VERSION "0.1.0"

typedef struct repl repl;

typedef struct repl_options {
    bool headless;   /* never open a window */
    FILE *out;       /* NULL = stdout */
    FILE *err;       /* NULL = stderr */
    bool interactive; /* a person is typing: step=true waits for Enter, show() opens windows */
    bool script_windows; /* stdin is a terminal: scripts open windows too, and
                          * repl_wait_for_windows keeps them at the end */
    bool no_files;   /* no file is read or written (:load, :save, :lessons, render, dot
                      * to a file, savefig): each says so with an error (--no-files, the fuzzer) */
    const char *files_in; /* NULL, or a directory: statements read and write files only inside it
                           * (after symbolic links and ..; --files-in, a classroom's kernels).
                           * A leading ~ stands for $HOME.  Lessons by name still load. */
    bool show_renders; /* render() also hands the graph it drew to the display, as show()
                        * does (the web page's graph pane) */
} repl_options;

repl *repl_new(const repl_options *opts);

/* The real path of an --files-in directory (a leading ~ is $HOME), malloc'd;
 * NULL with the reason in error when it is not a directory one can reach. */
char *repl_files_root(const char *dir, char *error, size_t n);
void repl_free(repl *r);
/* repl_free for a process about to exit: the engine's context is left to
 * the system (freed all the same in an AddressSanitizer build). */
void repl_free_at_exit(repl *r);

/* Status of repl_run. */
enum { REPL_OK = 0, REPL_ERROR = 1, REPL_INCOMPLETE = 2 };

/* Parses and runs `src`.  With a file name, error messages are prefixed
 * "FILE:LINE:COL: " and line numbers start at first_line.  A statement that
 * fails changes nothing; the rest of src is not run (REPL_ERROR).  Returns
 * REPL_INCOMPLETE, running nothing, when src ends inside an open bracket,
 * brace or parenthesis (the front end then asks for another line). */
int repl_run(repl *r, const char *src, const char *filename, int first_line);
/* repl_run of text nothing more will be added to: a statement it leaves
 * unfinished is a syntax error ("expected ')' to close '('"), reported,
 * never REPL_INCOMPLETE.  For a front end whose unfinished statement was
 * ended by a ':' command line. */
int repl_run_ended(repl *r, const char *src, const char *filename, int first_line);
/* repl_run of a script file's text (agrepl FILE), as :load runs a file: a
 * `:load NAME` in it is the file's doing, not a lesson the user ran by
 * name, and leaves how numbers show as it is. */
int repl_run_file(repl *r, const char *src, const char *path);

/* Set from a SIGINT handler: the running statement stops with
 * "interrupted", every name kept.  Loops look at it at each statement, the
 * engine inside backward and long tensor fills (ag_set_interrupt); a
 * statement that finishes first reports it itself.  A failed statement
 * clears it. */
extern volatile sig_atomic_t repl_interrupted;

/* Whether src is a whole statement list without running it: REPL_OK,
 * REPL_INCOMPLETE (it ends inside an open bracket, brace or parenthesis, as
 * at the terminal's ..> prompt) or REPL_ERROR (it cannot parse). */
int repl_check(const char *src);
/* How src (its first line numbered first_line) parses as one run of code,
 * running nothing: REPL_OK, REPL_INCOMPLETE, or REPL_ERROR with the line of
 * the syntax error in *error_line.  For a front end that reads a statement
 * line by line. */
int repl_check_lines(const char *src, int first_line, int *error_line);
/* Whether the line is a ':' command (it stands alone; no statement to parse). */
bool repl_is_command(const char *line);

/* Marks in the output for a front end that tells kinds of text apart (the
 * Jupyter kernel): called with REPL_MARK_VALUE_BEGIN before a top-level
 * expression's value is printed to the out stream and REPL_MARK_VALUE_END
 * after it (both streams flushed); REPL_MARK_ERROR_BEGIN and
 * REPL_MARK_ERROR_END around an error's report (message, source line,
 * caret, trace) on the err stream; REPL_MARK_STATEMENT before each
 * top-level statement or ':' command runs.  NULL turns them off. */
enum { REPL_MARK_VALUE_BEGIN, REPL_MARK_VALUE_END, REPL_MARK_ERROR_BEGIN, REPL_MARK_ERROR_END,
       REPL_MARK_STATEMENT };
void repl_set_marks(repl *r, void (*mark)(void *user, int mark), void *user);
/* The width in columns of the terminal the out stream and the err stream
 * show on, each 0 when it is not a terminal (the default): a front end on a
 * terminal says it before each statement, as the window may have been
 * resized.  With a width, :help wraps its lines at spaces to it and an
 * error's source line is cut so that it and its caret fit one row each;
 * without, the text is the same whatever shows it (transcripts, notebooks). */
void repl_set_terminal_width(repl *r, int out_columns, int err_columns);
/* The :save log's length, and the log cut back to such a length: what a
 * front end runs on its own behalf (the kernel's user_expressions) is not a
 * statement of the user's to replay. */
size_t repl_save_log_mark(const repl *r);
void repl_save_log_rewind(repl *r, size_t mark);

/* Rich output for a front end that shows pictures (the Jupyter kernel).
 * With a display set, show(y) hands it y's graph (text/html: the SVG with a
 * small script for hover and click, image/svg+xml, image/png and the tree()
 * text) instead of opening a window, and plots are handed over as PNG while
 * a statement draws them (at the pace, else every 250 ms) and when it ends:
 * one display per cell, updated in place (update is true after the first). */
typedef struct repl_display {
    const char *html, *svg, *text;  /* NULL when not given */
    const unsigned char *png;
    size_t png_size;
    const char *display_id;         /* names the output; updates keep it */
    bool update;                    /* replace the output display_id names */
} repl_display;
void repl_set_display(repl *r, void (*display)(void *user, const repl_display *d), void *user);
/* Hands over a plot drawn since the last display (at the end of a cell);
 * the next plot starts a new output. */
void repl_display_flush(repl *r);

/* A line of input from a front end that asks its user (the Jupyter kernel's
 * stdin channel): backward(step=true) waits on it between steps.  input
 * shows prompt and fills line (n bytes, without its newline); it returns 1
 * with a line, 0 when the front end takes no input now (why, in reason:
 * "this front end takes no input ...") and -1 when the wait was
 * interrupted.  NULL turns it off. */
#define REPL_INPUT_REASON 160
typedef int (*repl_input_fn)(void *user, const char *prompt, char *line, size_t n,
                             char reason[REPL_INPUT_REASON]);
void repl_set_input(repl *r, repl_input_fn input, void *user);

/* While refused is true, a call of a built-in that would change the session
 * or write a file (builtins.c's builtin_effects: backward, cleargrad,
 * opt.step(), plot, show, savefig, render, dot(y, FILE)...) fails before it
 * runs: "backward: not allowed in a user expression (it changes the
 * session; ...)"; readers (tree, dot(y), has_window(), pace()) run.  Random
 * numbers drawn meanwhile are undone when it is set back to false.  The
 * Jupyter kernel's user_expressions, which must leave the session, the
 * notebook's outputs and the files as they were. */
void repl_set_changes_refused(repl *r, bool refused);

/* True after :quit. */
bool repl_quit_requested(const repl *r);
/* Whether :quit was asked for, and forgets it: the session runs statements
 * again (the Jupyter kernel evaluates a cell's user_expressions after its
 * :quit, as ipykernel after exit(), then ends). */
bool repl_take_quit(repl *r);

/* Completion candidates for the word ending at `end` of `line`: names,
 * built-ins, keywords, methods after '.', ':' commands, file names after
 * :load/:save and inside a string, :help subjects, and "name=" for the
 * parameters of the call the word is in.  Calls add() for
 * each candidate (the whole word to insert). */
void repl_complete(repl *r, const char *line, int end, void (*add)(void *user, const char *word),
                   void *user);
/* The characters that end the word being completed at `end` (for Readline's
 * word-break hook): only blanks and '"' for a file name (after :load or
 * :save, inside a string) or a :help subject, else the code breaks. */
const char *repl_completion_breaks(const char *line, int end);
/* Whether the word at `end` is a file name (after :load or :save, or inside
 * a string). */
bool repl_completing_file(const char *line, int end);

/* What the session's name `name` holds, for a front end's inspector (the
 * Jupyter kernel's Shift-Tab): its kind (a variable's shape, the op that
 * made it or that it is a leaf, whether it has a gradient; a def's
 * signature), then its value as the session prints it (a def's definition;
 * a list, model or optimizer as print() shows it) and a variable's
 * gradient, tensors summarized past 100 elements, the whole cut after 30
 * lines or 4000 bytes.  malloc'd; NULL when the session binds no such name
 * (a built-in's help is :help NAME). */
char *repl_describe_name(repl *r, const char *name);

/* Keeps windows alive (plots, graph views) between keystrokes: pumps SDL
 * events and redraws what changed.  Cheap when no window is open. */
void repl_idle(repl *r);
/* A file descriptor-free hint for the front end's select() timeout in
 * milliseconds: -1 when no window is open (block), else ~33. */
int repl_idle_timeout_ms(const repl *r);

/* After the scripts of a run from a terminal (script_windows): when a
 * window is open, prints "close the window or press Enter to exit" and
 * keeps the windows live until they are all closed, Enter (or end of input)
 * is read from stdin, or Ctrl-C.  Returns at once when no window is open. */
void repl_wait_for_windows(repl *r);

/* Before a lesson run by name (:load NAME, --lesson NAME): the session
 * shows 4 significant digits unless :digits chose otherwise, and says so
 * when that changes them.  The lesson's own :digits and pace() last until
 * repl_lesson_end, after it: the digits and the pace go back to those it
 * began with. */
void repl_lesson_digits(repl *r);
void repl_lesson_end(repl *r);

/* The lesson whose name is nearest a mistyped one (:load lstm_sin,
 * --lesson lstm_sin), into out; false when none is near. */
bool repl_nearest_lesson(const char *name, char *out, size_t size);

#endif
