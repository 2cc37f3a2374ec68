/* main.c — the command line and the input loops: scripts, -e, stdin, and
 * the interactive Readline session (callback interface + select(), so plot
 * windows stay live while the user types). */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "array.h"
#include "autograd.h"
#include "lessons.h"
#include "heap.h"
#include "repl.h"
#include "source.h"
#include "split.h"
#include "web_lesson.h"

#define PROMPT "ag> "
#define CONTINUATION_PROMPT "..> "
/* ~/.agrepl_history keeps the last this many entries (lines of the file). */
#define HISTORY_LINES 1000

static const char usage_text[] =
    "usage: agrepl [options] [FILE.ag ...]\n"
    "\n"
    "  (no arguments)     interactive session on a terminal (reads a script when\n"
    "                     stdin is not a terminal); history in ~/.agrepl_history\n"
    "                     (its last 1000 lines)\n"
    "  FILE.ag ...        run the scripts in order and exit; status 1 at the first error\n"
    "  -i FILE.ag         run the script, then stay interactive with its names bound\n"
    "  -e 'STATEMENTS'    run the statements and exit (repeatable: in order, to the first error)\n"
    "  --lesson NAME      run the lesson NAME (rosenbrock, newton, ...; :lessons lists\n"
    "                     them), then stay interactive with its names bound\n"
    "  --web-lesson FILE.ag DIR  write a lesson page into DIR: the web page (make web;\n"
    "                     installed in PREFIX/share/agrepl/web) opening with FILE.ag run\n"
    "  --headless         never open a window (also AGREPL_HEADLESS=1); plots and\n"
    "                     graphs can still be saved to files\n"
    "  --no-files         statements read and write no file (:load, :save, render,\n"
    "                     savefig ... refuse) and no window opens; no history is kept\n"
    "  --files-in DIR     statements read and write files only inside DIR (after\n"
    "                     symbolic links and ..; ~ is $HOME): a classroom's setting\n"
    "  --kernel FILE      run as a Jupyter kernel on the connection file FILE\n"
    "                     (with --no-files for untrusted notebooks, --files-in DIR)\n"
    "  --install-kernel [--user] [--files-in DIR]  install the Jupyter kernelspec\n"
    "                     'agrepl' (its kernels then start with --files-in DIR)\n"
    "  --help             this text\n"
    "  --version          the version\n";

/* True while a typed statement runs (the terminal then echoes "^C" itself). */
static volatile sig_atomic_t statement_running;

static void on_sigint(int sig) {
    (void)sig;
    repl_interrupted = 1;
    if (statement_running) {
        ssize_t ignored = write(STDERR_FILENO, "\n", 1); /* end the echoed ^C line */
        (void)ignored;
    }
}

static void install_sigint(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    /* reads of a script on stdin go on; select() and poll() return EINTR
       whatever the flag says (signal(7)), so the prompt can still reset */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
}

/* The width of the terminal on fd, 0 when fd is not one (or says none). */
static int terminal_columns(int fd) {
    struct winsize size;
    return isatty(fd) && ioctl(fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
}

/* Tells the session how wide stdout's and stderr's terminals are now. */
static void tell_terminal_width(repl *r) {
    repl_set_terminal_width(r, terminal_columns(STDOUT_FILENO), terminal_columns(STDERR_FILENO));
}

/* Runs one script file; REPL_OK or REPL_ERROR.  An unfinished bracket at the
 * end of a file is reported by repl_run as an error in script mode. */
static int run_file(repl *r, const char *path) {
    char *src, message[512];
    int line, column;
    if (source_read_file(path, &src, &line, &column, message, sizeof message) < 0) {
        fflush(stdout);
        if (line > 0) fprintf(stderr, "%s:%d:%d: error: %s\n", path, line, column, message);
        else fprintf(stderr, "agrepl: %s\n", message);
        return REPL_ERROR;
    }
    int status = repl_run_file(r, src, path);
    if (status == REPL_INCOMPLETE) {
        fprintf(stderr, "%s: error: the file ends inside an open bracket or brace\n", path);
        status = REPL_ERROR;
    }
    free(src);
    return status;
}

/* A growable text buffer for statements that span lines. */
typedef struct {
    char *text;
    size_t len, cap;
    int first_line;   /* line number of the statement's first line */
    int lines;        /* lines in text */
    int next_check;   /* parse even with brackets open at this many lines */
    int eager_lines;  /* parse after every line up to this many (the terminal:
                         errors show as they are typed; kept by pending_reset) */
    bracket_scan scan; /* brackets open at the end of text (split.h) */
} pending;

static bool pending_append(pending *p, const char *line) {
    size_t n = strlen(line);
    if (!ARRAY_RESERVE(p->text, p->cap, p->len, n + 2)) return false;
    memcpy(p->text + p->len, line, n);
    p->len += n;
    p->text[p->len++] = '\n';
    p->text[p->len] = '\0';
    return true;
}

static void pending_reset(pending *p) {
    p->len = 0;
    p->lines = 0;
    p->next_check = 1;
    p->scan = (bracket_scan){0};
    if (p->text) p->text[0] = '\0';
}

/* Lines of stdin to read again before new ones: what followed a syntax error
 * found late (settle_pending).  `text` holds whole lines, each ending in
 * '\n'; `at` is the next one. */
typedef struct {
    char *text;
    size_t at, len;
} replay;

/* When to parse an unfinished statement of p->lines lines again: after the
 * next line while it is short (p->eager_lines), else once it has twice as
 * many lines, so a statement of N lines is parsed about twice over, not N
 * times. */
static int next_check_after(const pending *p) {
    return p->lines < p->eager_lines ? p->lines + 1 : 2 * p->lines;
}

/* The pending text has brackets open (or the input ended): parse it to tell
 * unfinished from wrong.  Unfinished, it waits (next_check_after), unless
 * `ended` (a ':' command line came): then it is wrong where it stops.
 * Wrong, the lines up to the error's line run alone (they report what a
 * parse after each line would have reported) and the lines after it are
 * read again as new statements.  Returns REPL_INCOMPLETE, or the result of
 * the statements run. */
static int settle_open_pending(repl *r, pending *p, const char *source, replay *again, int *line_number,
                               bool ended) {
    int error_line = 0;
    int ps = repl_check_lines(p->text, p->first_line, &error_line);
    if (ps == REPL_INCOMPLETE && !ended) {
        p->next_check = next_check_after(p);
        return REPL_INCOMPLETE;
    }
    size_t cut = p->len;
    if (ps == REPL_ERROR && error_line >= p->first_line && error_line < p->first_line + p->lines - 1) {
        cut = 0;
        for (int k = p->first_line; k <= error_line; k++) cut = (size_t)((char *)memchr(p->text + cut, '\n', p->len - cut) - p->text) + 1;
    }
    char kept = p->text[cut];
    p->text[cut] = '\0';
    int rc = ended ? repl_run_ended(r, p->text, source, p->first_line) : repl_run(r, p->text, source, p->first_line);
    p->text[cut] = kept;
    if (ended && ps == REPL_INCOMPLETE) { /* which lines the command ended, and that they did not run */
        fflush(stdout);
        int last = p->first_line + p->lines - 1;
        char lines[48];
        if (last > p->first_line) snprintf(lines, sizeof lines, "lines %d-%d", p->first_line, last);
        else snprintf(lines, sizeof lines, "line %d", last);
        if (source != NULL)
            fprintf(stderr, "%s:%d: note: this ':' command ended the unfinished statement above (%s), which was not run\n",
                    source, last + 1, lines);
        else
            fprintf(stderr, "note: the ':' command ended the unfinished statement above, which was not run\n");
        fflush(stderr);
    }
    if (rc == REPL_INCOMPLETE && cut < p->len) /* the cut text parses otherwise: all of it, then */
        rc = repl_run(r, p->text, source, p->first_line);
    else if (cut < p->len) { /* the lines after the error, then what was left to read again */
        size_t rest = p->len - cut, left = again->len - again->at;
        char *text = malloc(rest + left + 1);
        if (text == NULL) return REPL_ERROR; /* those lines are lost; said by the caller */
        memcpy(text, p->text + cut, rest);
        if (left) memcpy(text + rest, again->text + again->at, left);
        text[rest + left] = '\0';
        free(again->text);
        *again = (replay){.text = text, .len = rest + left};
        *line_number = error_line;
    }
    pending_reset(p);
    return rc == REPL_INCOMPLETE ? REPL_ERROR : rc;
}

/* Puts the line `text` back in front of what is left to read again; false
 * when out of memory. */
static bool replay_put_back(replay *again, const char *text) {
    size_t n = strlen(text), left = again->len - again->at;
    char *joined = malloc(n + 1 + left + 1);
    if (joined == NULL) return false;
    memcpy(joined, text, n);
    joined[n] = '\n';
    if (left) memcpy(joined + n + 1, again->text + again->at, left);
    joined[n + 1 + left] = '\0';
    free(again->text);
    *again = (replay){.text = joined, .len = n + 1 + left};
    return true;
}

/* pending_take's result when the line did not fit in memory. */
#define PENDING_NOMEM (-100)

/* Takes the next line of a statement into p (text: `lines` lines, without
 * the last '\n'; *line_number is the number of its first line, left at its
 * last) and runs what it completes, from `source` (NULL: the terminal).  A
 * line that leaves a bracket open (split.h) is not parsed yet, only counted
 * (settle_open_pending), so the time to read a statement is linear in its
 * length, on stdin and at the terminal alike.  Lines found after a syntax
 * error are put in *again, to be taken again.  Returns REPL_INCOMPLETE (the
 * statement goes on), the result of the statements run, or PENDING_NOMEM. */
static int pending_take(repl *r, pending *p, const char *source, const char *text, int lines,
                        replay *again, int *line_number) {
    if (p->len > 0 && repl_is_command(text)) {
        /* a ':' command never continues a statement (it stands alone, as
           the first word of its line): the unfinished one ends before it,
           wrong where it stops, and the command line is read again after
           it (and after any lines that follow the statement's error) */
        if (!replay_put_back(again, text)) return PENDING_NOMEM;
        (*line_number)--;
        return settle_open_pending(r, p, source, again, line_number, true);
    }
    if (p->len == 0) p->first_line = *line_number;
    *line_number += lines - 1;
    if (!pending_append(p, text)) return PENDING_NOMEM;
    p->lines += lines;
    split_bracket_scan_text(&p->scan, text, strlen(text));
    if (p->scan.depth > 0 && !repl_is_command(text)) {
        if (p->lines < p->next_check) return REPL_INCOMPLETE;
        return settle_open_pending(r, p, source, again, line_number, false);
    }
    int rc = repl_run(r, p->text, source, p->first_line);
    if (rc == REPL_INCOMPLETE) { /* the scan saw no open bracket, the parser did */
        p->next_check = next_check_after(p);
        return REPL_INCOMPLETE;
    }
    pending_reset(p);
    return rc;
}

/* The next line to take again (replay), NUL-ended in place; NULL when none. */
static char *replay_next(replay *again) {
    if (again->at >= again->len) return NULL;
    char *start = again->text + again->at;
    char *end = strchr(start, '\n');
    *end = '\0';
    again->at = (size_t)(end - again->text) + 1;
    return start;
}

/* stdin is not a terminal: read line by line, run each complete statement as
 * it arrives (output interleaves as in a session), keep going after errors;
 * status 1 when any statement failed (pending_take: linear time). */
static int run_stdin(repl *r) {
    pending p = {0};
    replay again = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int line_number = 0, status = 0;
    bool out_of_memory = false, unfinished = false;
    pending_reset(&p);
    p.first_line = 1;
    while (!repl_quit_requested(r)) {
        const char *text;
        int lines = 1;
        if ((text = replay_next(&again)) != NULL) { /* a line read again after a syntax error */
            line_number++;
        } else {
            errno = 0;
            if ((got = getline(&line, &cap, stdin)) < 0) {
                out_of_memory = errno == ENOMEM;
                if (out_of_memory || ferror(stdin) || p.len == 0) break;
                /* the input ended with brackets open: unfinished, or wrong */
                int rc = settle_open_pending(r, &p, "<stdin>", &again, &line_number, false);
                if (rc == REPL_INCOMPLETE) {
                    unfinished = true;
                    break;
                }
                if (rc == REPL_ERROR) status = 1;
                continue;
            }
            /* a Ctrl-C while waiting for this line interrupted nothing: the
               statement it completes has not started (statements that ran
               before used up their own) */
            repl_interrupted = 0;
            line_number++;
            /* CRLF and CR-only line ends, a BOM on the first line; a NUL byte
               is an error at its position and the line is dropped */
            size_t length = (size_t)got;
            int nul_line, nul_column;
            if (source_normalize(line, &length, line_number == 1, line_number, &nul_line, &nul_column) < 0) {
                fflush(stdout);
                fprintf(stderr, "<stdin>:%d:%d: error: a NUL byte is not allowed in a script\n", nul_line,
                        nul_column);
                status = 1;
                continue;
            }
            if (length > 0 && line[length - 1] == '\n') line[--length] = '\0';
            for (size_t i = 0; i < length; i++) lines += line[i] == '\n'; /* a CR-only file is one line */
            text = line;
        }
        int rc = pending_take(r, &p, "<stdin>", text, lines, &again, &line_number);
        if (rc == PENDING_NOMEM) {
            out_of_memory = true;
            break;
        }
        if (rc == REPL_ERROR) status = 1;
    }
    fflush(stdout);
    if (out_of_memory) {
        fprintf(stderr, "<stdin>:%d: error: out of memory reading standard input\n", line_number + 1);
        status = 1;
    } else if (ferror(stdin)) {
        fprintf(stderr, "agrepl: cannot read standard input: %s\n", errno ? strerror(errno) : "read error");
        status = 1;
    } else if (unfinished && !repl_quit_requested(r)) {
        fprintf(stderr, "<stdin>:%d: error: input ends inside an open bracket or brace\n",
                p.first_line);
        status = 1;
    }
    free(line);
    free(p.text);
    free(again.text);
    return status;
}

/* ---- the interactive session ------------------------------------------------ */

static repl *session;
/* The statement being typed (pending_take, as on stdin: linear in its
 * length even when thousands of lines are pasted; parsed after every line
 * while it is short, so an error shows as it is typed), lines typed after
 * a syntax error found late (taken again as new statements), the number of
 * the line in the statement, and every line typed since the prompt was
 * last ag> (one history entry). */
#define TYPED_EAGER_LINES 64
static pending typed = {.eager_lines = TYPED_EAGER_LINES};
static replay typed_again;
static int typed_line;
static pending typed_entry;
static bool eof_seen;

/* Drops the statement being typed (Ctrl-C, Ctrl-D at ..>). */
static void typed_drop(void) {
    pending_reset(&typed);
    pending_reset(&typed_entry);
    typed_again.at = typed_again.len = 0;
}

/* Takes one typed line (or one taken again); REPL_INCOMPLETE, a statement's
 * result, or PENDING_NOMEM. */
static int typed_take(const char *line) {
    if (typed.len == 0) typed_line = 0; /* a statement's lines count from 1 */
    typed_line++;
    return pending_take(session, &typed, NULL, line, 1, &typed_again, &typed_line);
}
/* Readline is loaded when a session turns interactive, not linked: its
 * libraries (libreadline and libtinfo, both bound at load) took a quarter
 * of a script's start-up, 0.22 of 0.89 ms of CPU.  The table holds every
 * function and variable the session uses, typed by Readline's own header. */
#ifndef AGREPL_READLINE_LIBRARY
#define AGREPL_READLINE_LIBRARY "libreadline.so.8"
#endif
#define READLINE_NAMES(X)                                                                            \
    X(callback_handler_install, rl_callback_handler_install)                                         \
    X(callback_handler_remove, rl_callback_handler_remove)                                           \
    X(callback_read_char, rl_callback_read_char)                                                     \
    X(callback_sigcleanup, rl_callback_sigcleanup)                                                   \
    X(replace_line, rl_replace_line)                                                                 \
    X(completion_matches, rl_completion_matches)                                                     \
    X(add_history, add_history)                                                                      \
    X(append_history, append_history)                                                                \
    X(history_truncate_file, history_truncate_file)                                                  \
    X(read_history, read_history)                                                                    \
    X(stifle_history, stifle_history)                                                                \
    X(line_buffer, rl_line_buffer)                                                                   \
    X(point, rl_point)                                                                               \
    X(attempted_completion_over, rl_attempted_completion_over)                                       \
    X(filename_completion_desired, rl_filename_completion_desired)                                   \
    X(completion_append_character, rl_completion_append_character)                                   \
    X(readline_name, rl_readline_name)                                                               \
    X(catch_signals, rl_catch_signals)                                                               \
    X(completer_word_break_characters, rl_completer_word_break_characters)                           \
    X(completion_word_break_hook, rl_completion_word_break_hook)                                     \
    X(attempted_completion_function, rl_attempted_completion_function)
/* __typeof__ names each declaration's type without referring to the symbol */
#define READLINE_FIELD(field, name) __typeof__(&name) field;
static struct {
    READLINE_NAMES(READLINE_FIELD)
} rl;

/* Loads Readline into rl; false after saying why on stderr. */
static bool readline_load(void) {
    void *handle = dlopen(AGREPL_READLINE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        fprintf(stderr, "agrepl: no line editing (Readline could not be loaded: %s)\n", dlerror());
        return false;
    }
#define READLINE_FIND(field, name)                                                                   \
    if ((*(void **)&rl.field = dlsym(handle, #name)) == NULL) {                                      \
        fprintf(stderr, "agrepl: no line editing (%s has no %s)\n", AGREPL_READLINE_LIBRARY, #name);  \
        dlclose(handle);                                                                             \
        return false;                                                                                \
    }
    READLINE_NAMES(READLINE_FIND)
    return true;
}

static char history_path[4096];

static void on_line(char *line) {
    if (line == NULL && typed.len > 0) { /* Ctrl-D at ..>: drop the statement, say so */
        typed_drop();
        rl.callback_handler_remove();
        printf("\n(the unfinished statement was dropped, not run; Ctrl-D at ag> leaves)\n");
        rl.callback_handler_install(PROMPT, on_line);
        return;
    }
    if (line == NULL) { /* Ctrl-D */
        eof_seen = true;
        rl.callback_handler_remove();
        putchar('\n');
        return;
    }
    if (typed.len == 0 && line[0] == '\0') {
        free(line);
        return;
    }
    bool entry_kept = pending_append(&typed_entry, line);
    /* the statement runs inside the callback: stop Readline from owning the
     * terminal meanwhile so output and Ctrl-C behave */
    rl.callback_handler_remove();
    tell_terminal_width(session); /* the window may have been resized since */
    statement_running = 1;
    repl_interrupted = 0; /* interactive: only a Ctrl-C from now on stops it */
    int rc = typed_take(line);
    free(line);
    char *again; /* lines typed after a syntax error found late */
    while (rc != PENDING_NOMEM && !repl_quit_requested(session) && (again = replay_next(&typed_again)) != NULL)
        rc = typed_take(again);
    statement_running = 0;
    if (rc == PENDING_NOMEM) {
        typed_drop();
        fflush(stdout);
        fprintf(stderr, "error: out of memory reading the statement; it was dropped, not run\n");
    } else if (typed.len > 0) {
        rl.callback_handler_install(CONTINUATION_PROMPT, on_line);
        return;
    }
    /* history keeps the whole statement on one entry */
    if (entry_kept && typed_entry.len > 0) {
        size_t n = typed_entry.len;
        while (n > 0 && typed_entry.text[n - 1] == '\n') typed_entry.text[--n] = '\0';
        rl.add_history(typed_entry.text);
        if (history_path[0] && rl.append_history(1, history_path) == 0)
            rl.history_truncate_file(history_path, HISTORY_LINES);
    }
    pending_reset(&typed_entry);
    repl_interrupted = 0;
    if (repl_quit_requested(session)) return;
    rl.callback_handler_install(PROMPT, on_line);
}

/* Completion: collect candidates from the session, hand them out one by one. */
static char **candidates;
static size_t ncandidates, candidates_cap;

static void add_candidate(void *user, const char *word) {
    (void)user;
    if (!ARRAY_RESERVE(candidates, candidates_cap, ncandidates, 1)) return;
    char *copy = strdup(word);
    if (copy) candidates[ncandidates++] = copy;
}

static char *next_candidate(const char *text, int state) {
    static size_t index;
    (void)text;
    if (state == 0) index = 0;
    return index < ncandidates ? strdup(candidates[index++]) : NULL;
}

/* File names and :help subjects keep their '/', '-', '.' ...: the breaks
 * depend on where the cursor is (repl_completion_breaks). */
static char *word_breaks(void) {
    return (char *)repl_completion_breaks(*rl.line_buffer, *rl.point);
}

static char **complete(const char *text, int start, int end) {
    (void)text;
    (void)start;
    for (size_t i = 0; i < ncandidates; i++) free(candidates[i]);
    ncandidates = 0;
    repl_complete(session, *rl.line_buffer, end, add_candidate, NULL);
    *rl.attempted_completion_over = 1; /* never fall back to Readline's own file names */
    /* our file names: list them by their last part, as a shell does */
    *rl.filename_completion_desired = repl_completing_file(*rl.line_buffer, end);
    *rl.completion_append_character = '\0'; /* `sin` is followed by `(`, not a space */
    if (ncandidates == 0) return NULL;
    return rl.completion_matches(text, next_candidate);
}

/* --no-files: no history file either. */
static bool files_off;

static int run_interactive(repl *r) {
    session = r;
    const char *home = getenv("HOME");
    if (home && *home && !files_off) {
        snprintf(history_path, sizeof history_path, "%s/.agrepl_history", home);
        rl.stifle_history(HISTORY_LINES);
        rl.read_history(history_path);
        rl.history_truncate_file(history_path, HISTORY_LINES);
        FILE *touch = fopen(history_path, "a"); /* append_history needs the file */
        if (touch) fclose(touch);
    }
    *rl.readline_name = "agrepl";
    *rl.catch_signals = 0;
    *rl.completer_word_break_characters = " \t\n()[]{},;=+-*/%^@<>!&|\"";
    *rl.completion_word_break_hook = word_breaks;
    *rl.attempted_completion_function = complete;
    printf("agrepl %s — automatic differentiation, by hand. :help for help, Ctrl-D to leave.\n",
           AGREPL_VERSION);
    rl.callback_handler_install(PROMPT, on_line);
    while (!eof_seen && !repl_quit_requested(r)) {
        int timeout_ms = repl_idle_timeout_ms(r);
        fd_set in;
        FD_ZERO(&in);
        FD_SET(STDIN_FILENO, &in);
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        int ready = select(STDIN_FILENO + 1, &in, NULL, NULL, timeout_ms < 0 ? NULL : &tv);
        if (ready < 0 && errno == EINTR) {
            if (repl_interrupted) { /* Ctrl-C at the prompt: drop the line */
                repl_interrupted = 0;
                typed_drop();
                rl.replace_line("", 0);
                rl.callback_sigcleanup();
                printf("^C\n");
                rl.callback_handler_remove();
                rl.callback_handler_install(PROMPT, on_line);
            }
            continue;
        }
        if (ready > 0) rl.callback_read_char();
        repl_idle(r);
    }
    rl.callback_handler_remove();
    for (size_t i = 0; i < ncandidates; i++) free(candidates[i]);
    free(candidates);
    free(typed.text);
    free(typed_entry.text);
    free(typed_again.text);
    return 0;
}

#ifndef AGREPL_KERNEL_PATH
#define AGREPL_KERNEL_PATH "/usr/local/lib/agrepl/agrepl-kernel"
#endif

/* --kernel and --install-kernel run the kernel program (repl/kernel.c),
 * which links ZeroMQ, jansson and libcrypto so that agrepl does not: the
 * one next to agrepl (build/), else the installed one.  Returns only when
 * neither runs. */
static int run_kernel_program(char **argv) {
    char dir[4096], path[4200], self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        setenv("AGREPL_PROGRAM", self, 1); /* the kernelspec starts agrepl */
    }
    if (repl_program_dir(dir, sizeof dir)) { /* build/, or PREFIX/bin beside PREFIX/lib/agrepl */
        snprintf(path, sizeof path, "%s/agrepl-kernel", dir);
        argv[0] = path;
        execv(path, argv);
        snprintf(path, sizeof path, "%s/../lib/agrepl/agrepl-kernel", dir);
        execv(path, argv);
    }
    argv[0] = (char *)AGREPL_KERNEL_PATH;
    execv(AGREPL_KERNEL_PATH, argv);
    fprintf(stderr, "agrepl: cannot run the Jupyter kernel program (%s/agrepl-kernel, %s): %s\n",
            repl_program_dir(dir, sizeof dir) ? dir : "?", AGREPL_KERNEL_PATH, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    heap_keep_hot();
    for (int i = 1; i < argc && argv[i][0] == '-'; i++) { /* among the options */
        if (strcmp(argv[i], "--kernel") == 0 || strcmp(argv[i], "--install-kernel") == 0)
            return run_kernel_program(argv);
        if (strcmp(argv[i], "--web-lesson") == 0) {
            if (i + 2 >= argc || i + 3 != argc) {
                fprintf(stderr, "agrepl: --web-lesson needs a script and a directory, and nothing after them\n%s",
                        usage_text);
                return 2;
            }
            return web_lesson_write(argv[i + 1], argv[i + 2], stderr);
        }
        if (strcmp(argv[i], "-e") == 0 || strcmp(argv[i], "--lesson") == 0 || strcmp(argv[i], "--files-in") == 0)
            i++;
    }
    bool headless = false, interactive_after = false, no_files = false;
    const char *files_in = NULL;
    int n_statements = 0; /* every -e, in command-line order */
    const char **statements = calloc((size_t)argc, sizeof *statements);
    if (statements == NULL) {
        fprintf(stderr, "agrepl: out of memory\n");
        return 1;
    }
    static char lesson[4096];
    bool have_lesson = false;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            free((void *)statements);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("agrepl %s (libautograd %s)\n", AGREPL_VERSION, ag_version());
            free((void *)statements);
            return 0;
        } else if (strcmp(a, "--headless") == 0) {
            headless = true;
        } else if (strcmp(a, "--no-files") == 0) {
            headless = no_files = files_off = true;
        } else if (strcmp(a, "--files-in") == 0) {
            char error[4200];
            char *root = i + 1 < argc ? repl_files_root(argv[i + 1], error, sizeof error) : NULL;
            if (root == NULL) {
                if (i + 1 >= argc) fprintf(stderr, "agrepl: --files-in needs a directory\n%s", usage_text);
                else fprintf(stderr, "agrepl: %s\n", error);
                free((void *)statements);
                return 2;
            }
            free(root);
            files_in = argv[++i];
        } else if (strcmp(a, "-i") == 0) {
            interactive_after = true;
        } else if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "agrepl: -e needs statements\n%s", usage_text);
                free((void *)statements);
                return 2;
            }
            statements[n_statements++] = argv[++i];
        } else if (strcmp(a, "--lesson") == 0) {
            char dirs[4096];
            if (i + 1 >= argc) {
                fprintf(stderr, "agrepl: --lesson needs a name\n%s", usage_text);
                free((void *)statements);
                return 2;
            }
            if (lesson_find(argv[++i], lesson, sizeof lesson) < 0) {
                char near[64];
                if (repl_nearest_lesson(argv[i], near, sizeof near))
                    fprintf(stderr, "agrepl: no lesson named '%s'; did you mean %s? (looked in %s)\n", argv[i], near,
                            lesson_dirs(dirs, sizeof dirs));
                else
                    fprintf(stderr, "agrepl: no lesson named '%s' (looked in %s)\n", argv[i],
                            lesson_dirs(dirs, sizeof dirs));
                free((void *)statements);
                return 2;
            }
            if (lesson_is_data(argv[i])) { /* digits_data: what digits.ag loads */
                char owner[64];
                int n = snprintf(owner, sizeof owner, "%.*s", (int)strlen(argv[i]) - 5, argv[i]);
                if (n > 0 && (size_t)n < sizeof owner && !lesson_is_data(owner) &&
                    lesson_find(owner, lesson, sizeof lesson) == 0)
                    fprintf(stderr, "agrepl: %s is a lesson's data, not a lesson (the lesson %s loads it: agrepl --lesson %s)\n",
                            argv[i], owner, owner);
                else
                    fprintf(stderr, "agrepl: %s is a lesson's data, not a lesson (:lessons lists the lessons)\n",
                            argv[i]);
                free((void *)statements);
                return 2;
            }
            have_lesson = interactive_after = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "agrepl: unknown option '%s'\n%s", a, usage_text);
            free((void *)statements);
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    const char *env = getenv("AGREPL_HEADLESS");
    if (env && *env && strcmp(env, "0") != 0) headless = true;
    bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (interactive_after && first_file >= argc && !have_lesson) {
        fprintf(stderr, "agrepl: -i needs a script\n%s", usage_text);
        free((void *)statements);
        return 2;
    }

    bool will_interact = (first_file >= argc && n_statements == 0) || interactive_after;
    /* a script run from a terminal shows its windows and keeps them at the end */
    bool script_windows = !will_interact && isatty(STDIN_FILENO);
    repl_options opts = {.headless = headless,
                         .interactive = will_interact && tty,
                         .script_windows = script_windows,
                         .no_files = no_files,
                         .files_in = files_in};
    repl *r = repl_new(&opts);
    if (r == NULL) {
        fprintf(stderr, "agrepl: out of memory\n");
        free((void *)statements);
        return 1;
    }
    install_sigint(); /* Ctrl-C stops the running statement of a script too */
    tell_terminal_width(r);
    /* a file size limit (ulimit -f) makes a write fail with EFBIG, which
       the writer reports, instead of killing the session */
    signal(SIGXFSZ, SIG_IGN);
    int status = 0;
    /* options come before file names, so every -e runs first, in order; the
       first that fails stops the rest, like a failing script */
    for (int k = 0; k < n_statements && status == 0 && !repl_quit_requested(r); k++) {
        int rc = repl_run(r, statements[k], "-e", 1);
        if (rc == REPL_INCOMPLETE) {
            fprintf(stderr, "-e: error: the statements end inside an open bracket or brace\n");
            rc = REPL_ERROR;
        }
        if (rc != REPL_OK) status = 1;
    }
    free((void *)statements);
    if (have_lesson && status == 0) repl_lesson_digits(r);
    if (have_lesson && status == 0) {
        if (run_file(r, lesson) != REPL_OK) status = 1;
        repl_lesson_end(r);
    }
    for (int i = first_file; i < argc && status == 0 && !repl_quit_requested(r); i++) {
        if (run_file(r, argv[i]) != REPL_OK) status = 1;
        if (repl_quit_requested(r)) break;
    }
    if (script_windows && !repl_quit_requested(r)) repl_wait_for_windows(r);
    if (will_interact && !repl_quit_requested(r) && (status == 0 || interactive_after)) {
        if (tty && readline_load())
            status = run_interactive(r) || status;
        else
            status = run_stdin(r) || status;
    }
    repl_free_at_exit(r);
    /* output that never arrived is a failure: disk full, closed pipe (with
       SIGPIPE ignored) -- say so on stderr and exit 1 */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "agrepl: error writing to standard output: %s\n",
                e ? strerror(e) : "write failed");
        status = 1;
    }
    return status;
}
