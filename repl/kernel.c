/* kernel.c — agrepl as a Jupyter kernel: one more front end on repl.h.
 *
 * `agrepl --kernel CONNECTION_FILE` runs this program (agrepl-kernel, next
 * to agrepl or in PREFIX/lib/agrepl; agrepl itself links no ZeroMQ).  The
 * main thread owns the session and the shell socket and runs cells; a
 * second thread answers the control socket (interrupt, shutdown, kernel
 * info) while a cell runs, and watches for the front end going away; a
 * third echoes heartbeats.  The wire format is kernel_wire.c's.
 *
 * Output: the session writes to two stdio streams of ours (fopencookie).
 * Text goes out as `stream` messages (stdout, stderr) as it comes, at most
 * every 50 ms; the value a cell's last statement prints becomes its
 * `execute_result` (repl_set_marks tells it apart), an error's report its
 * `error` with the report's lines as the traceback. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <zmq.h>

#include "array.h"
#include "heap.h"
#include "kernel_history.h"
#include "kernel_wire.h"
#include "lessons.h"
#include "parser.h"
#include "repl.h"
#include "split.h"

#define STREAM_INTERVAL_MS 50.0
/* How often the idle loop and the control thread look at the parent. */
#define POLL_MS 200
/* After the front end left, how long a running cell has to stop. */
#define PARENT_GRACE_MS 2000.0

static const char usage_text[] =
    "usage: agrepl --kernel CONNECTION_FILE [--no-files] [--files-in DIR]\n"
    "       agrepl --install-kernel [--user] [--prefix DIR] [--no-files] [--files-in DIR]\n"
    "\n"
    "  --kernel FILE      run as a Jupyter kernel on the sockets FILE gives\n"
    "  --no-files         statements read and write no file (untrusted notebooks)\n"
    "  --files-in DIR     statements read and write files only inside DIR (after\n"
    "                     symbolic links and ..; a leading ~ is the user's $HOME, so\n"
    "                     --install-kernel --files-in '~' confines each student to\n"
    "                     their own home on a shared server)\n"
    "  --install-kernel   install the kernelspec 'agrepl' (kernel.json and logos) for\n"
    "                     Jupyter: into PREFIX/share/jupyter/kernels (--prefix, default\n"
    "                     /usr/local), or with --user into ~/.local/share/jupyter/kernels\n";

static kernel_wire wire;
static repl *session;
static int execution_count;
static volatile sig_atomic_t shutdown_requested;
/* A cell failed with stop_on_error: the requests already waiting on the
 * shell socket when it failed are held, and after its reply the
 * execute_requests among them are answered "aborted" without running (as
 * ipykernel does), so that Run All stops at the first error.  Requests sent
 * after the failure's reply run as usual. */
static bool aborting;
static kernel_msg *held;
static size_t held_count, held_capacity;

static void hold_waiting_requests(void) {
    for (;;) {
        zmq_pollitem_t item = {wire.shell, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 0) <= 0) return;
        if (!ARRAY_RESERVE(held, held_capacity, held_count, 1))
            return; /* the rest waits on the socket and runs */
        if (kernel_wire_recv(&wire, wire.shell, &held[held_count]) == 0) held_count++;
    }
}
static pid_t parent_pid;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* An interrupt (SIGINT, interrupt_request, shutdown) came since the running
 * cell started: its error, if it says "interrupted", is the interrupt's. */
static volatile sig_atomic_t interrupt_came;

static void interrupt_cell(void) {
    interrupt_came = 1;
    repl_interrupted = 1;
}

static void on_sigint(int sig) {
    (void)sig;
    interrupt_cell();
}

/* The front end that started us is gone: our parent changed (we were
 * re-parented) or JPY_PARENT_PID's process is no more. */
static bool parent_gone(void) {
    if (parent_pid <= 1) return false;
    return getppid() != parent_pid;
}

/* ---- output -------------------------------------------------------------------- */

typedef struct text {
    char *data;
    size_t length, capacity;
} text;

static bool text_add(text *t, const char *data, size_t n) {
    if (n == SIZE_MAX || !ARRAY_RESERVE(t->data, t->capacity, t->length, n + 1)) return false;
    memcpy(t->data + t->length, data, n);
    t->length += n;
    t->data[t->length] = '\0';
    return true;
}

static void text_clear(text *t) {
    t->length = 0;
    if (t->data) t->data[0] = '\0';
}

static void text_free(text *t) {
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* Where the session's writes go. */
enum { TO_STREAM, TO_VALUE, TO_ERROR, TO_CAPTURE };

static struct {
    const kernel_msg *request; /* the execute_request output answers; NULL between cells */
    int mode;
    text stream;            /* not yet sent stream text ... */
    const char *stream_name; /* ... of this stream */
    double stream_since;
    text value;   /* the value the last statement printed, not yet sent */
    bool value_pending;
    text error;   /* the error's report */
    text capture; /* everything, for :help in inspect_request */
    bool cell_ended; /* the plot handed over after the cell: the last value stays the result */
    bool expression; /* a user expression runs: its stream is kept whole, for its result */
} output;

static FILE *out_stream, *err_stream;

static void send_stream(void) {
    if (output.stream.length == 0) return;
    if (output.request != NULL)
        kernel_wire_send(&wire, wire.iopub, output.request, "stream",
                         json_pack("{s:s, s:s%}", "name", output.stream_name, "text", output.stream.data,
                                   output.stream.length));
    text_clear(&output.stream);
}

/* A value that was not the last output is ordinary stdout text. */
static void demote_value(void) {
    if (!output.value_pending) return;
    output.value_pending = false;
    if (output.stream.length > 0 && strcmp(output.stream_name, "stdout") != 0) send_stream();
    if (output.stream.length == 0) output.stream_since = now_ms();
    output.stream_name = "stdout";
    text_add(&output.stream, output.value.data, output.value.length);
    text_clear(&output.value);
}

static void stream_write(const char *name, const char *data, size_t n) {
    demote_value();
    if (output.stream.length > 0 && strcmp(output.stream_name, name) != 0) send_stream();
    if (output.stream.length == 0) output.stream_since = now_ms();
    output.stream_name = name;
    text_add(&output.stream, data, n);
    if (!output.expression && (now_ms() - output.stream_since >= STREAM_INTERVAL_MS || output.stream.length >= 1 << 16))
        send_stream();
}

static ssize_t write_out(void *cookie, const char *data, size_t n) {
    (void)cookie;
    if (output.mode == TO_CAPTURE) text_add(&output.capture, data, n);
    else if (output.mode == TO_VALUE) text_add(&output.value, data, n);
    else stream_write("stdout", data, n);
    return (ssize_t)n;
}

static ssize_t write_err(void *cookie, const char *data, size_t n) {
    (void)cookie;
    if (output.mode == TO_CAPTURE) text_add(&output.capture, data, n);
    else if (output.mode == TO_ERROR) text_add(&output.error, data, n);
    else stream_write("stderr", data, n);
    return (ssize_t)n;
}

static void on_mark(void *user, int mark) {
    (void)user;
    if (output.mode == TO_CAPTURE) return;
    switch (mark) {
    case REPL_MARK_VALUE_BEGIN:
        demote_value();
        send_stream();
        text_clear(&output.value);
        output.mode = TO_VALUE;
        break;
    case REPL_MARK_VALUE_END:
        output.mode = TO_STREAM;
        output.value_pending = output.value.length > 0;
        break;
    case REPL_MARK_ERROR_BEGIN:
        demote_value();
        send_stream();
        output.mode = TO_ERROR;
        break;
    case REPL_MARK_ERROR_END: output.mode = TO_STREAM; break;
    case REPL_MARK_STATEMENT: demote_value(); break; /* the value was not the last statement's */
    }
}

/* A picture from the session (repl_set_display): display_data, or
 * update_display_data for a plot a loop redraws. */
static void on_display(void *user, const repl_display *d) {
    (void)user;
    if (output.request == NULL) return; /* silent */
    if (!output.cell_ended) demote_value();
    send_stream();
    json_t *data = json_object();
    if (d->text) json_object_set_new(data, "text/plain", json_string(d->text));
    if (d->html) json_object_set_new(data, "text/html", json_string(d->html));
    if (d->svg) json_object_set_new(data, "image/svg+xml", json_string(d->svg));
    if (d->png) {
        size_t length = 4 * ((d->png_size + 2) / 3) + 1;
        unsigned char *base64 = malloc(length);
        if (base64 != NULL) {
            EVP_EncodeBlock(base64, d->png, (int)d->png_size);
            json_object_set_new(data, "image/png", json_string((const char *)base64));
            free(base64);
        }
    }
    json_t *content = json_pack("{s:o, s:{}, s:{s:s}}", "data", data, "metadata", "transient", "display_id",
                                d->display_id ? d->display_id : "");
    kernel_wire_send(&wire, wire.iopub, output.request, d->update ? "update_display_data" : "display_data",
                     content);
}

/* A line from the front end's stdin channel (repl_set_input): an
 * input_request in reply to the running execute_request, when it allows
 * input, and its input_reply; an interrupt or shutdown ends the wait. */
static bool allow_stdin;

static int ask_input(void *user, const char *prompt, char *line, size_t n, char reason[REPL_INPUT_REASON]) {
    (void)user;
    if (output.request == NULL || !allow_stdin) {
        snprintf(reason, REPL_INPUT_REASON, "this front end takes no input (allow_stdin is false)");
        return 0;
    }
    fflush(out_stream);
    fflush(err_stream);
    demote_value();
    send_stream();
    kernel_wire_send(&wire, wire.stdin_socket, output.request, "input_request",
                     json_pack("{s:s, s:b}", "prompt", prompt, "password", 0));
    while (!repl_interrupted && !shutdown_requested) {
        zmq_pollitem_t item = {wire.stdin_socket, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 50) <= 0) continue;
        kernel_msg m;
        if (kernel_wire_recv(&wire, wire.stdin_socket, &m) != 0) continue;
        bool answer = strcmp(m.type, "input_reply") == 0;
        const char *value = json_string_value(json_object_get(m.content, "value"));
        if (answer) snprintf(line, n, "%s", value ? value : "");
        kernel_msg_free(&m);
        if (answer) return 1;
    }
    return -1;
}

/* ---- status and replies ------------------------------------------------------------ */

static void publish_status(const kernel_msg *parent, const char *state) {
    kernel_wire_send(&wire, wire.iopub, parent, "status", json_pack("{s:s}", "execution_state", state));
}

static json_t *kernel_info(void) {
    char banner[256];
    snprintf(banner, sizeof banner,
             "agrepl %s — automatic differentiation, by hand. :help for help.", AGREPL_VERSION);
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:[{s:s, s:s}]}", "status",
                     "ok", "protocol_version", "5.3", "implementation", "agrepl",
                     "implementation_version", AGREPL_VERSION, "language_info", "name", "agrepl",
                     "version", AGREPL_VERSION, "mimetype", "text/x-agrepl", "file_extension", ".ag",
                     "codemirror_mode", "python", "pygments_lexer", "python", "banner", banner, "help_links", "text",
                     "agrepl(1)", "url", "https://manpages.debian.org/agrepl");
}

static void reply(const kernel_msg *request, void *socket, const char *type, json_t *content) {
    if (kernel_wire_send(&wire, socket, request, type, content) < 0)
        fprintf(stderr, "agrepl kernel: could not send %s\n", type);
}

/* The reply type of a request type: "x_request" -> "x_reply". */
static void reply_type(const char *request_type, char *out, size_t n) {
    size_t length = strlen(request_type);
    if (length > 8 && strcmp(request_type + length - 8, "_request") == 0)
        snprintf(out, n, "%.*s_reply", (int)(length - 8), request_type);
    else
        snprintf(out, n, "%s_reply", request_type);
}

/* ---- execute ------------------------------------------------------------------------ */

/* The error's report as message (the first line without "error: ") and
 * traceback (its lines). */
static void error_parts(const char *report, char *message, size_t n, json_t *traceback) {
    const char *first_end = strchr(report, '\n');
    size_t first_length = first_end ? (size_t)(first_end - report) : strlen(report);
    const char *tag = memmem(report, first_length, "error: ", 7);
    const char *start = tag ? tag + 7 : report;
    snprintf(message, n, "%.*s", (int)(first_length - (size_t)(start - report)), start);
    const char *line = report;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        json_array_append_new(traceback, json_stringn(line, length));
        line += length + (end != NULL);
    }
}

/* The ename of an error whose message is `message`: "Interrupted" for every
 * interrupt, wherever it stopped the cell (a loop's "interrupted", an engine
 * call's "matmul: interrupted", a write's "...: interrupted"; the message
 * keeps saying where), else "Error". */
static const char *error_name(const char *message) {
    static const char tail[] = "interrupted";
    size_t n = strlen(message), t = sizeof tail - 1;
    bool says = n >= t && strcmp(message + n - t, tail) == 0;
    return interrupt_came && says ? "Interrupted" : "Error";
}

/* Runs code in the session, its streams and pictures sent in reply to
 * output.request (NULL: silent), input asked for when allow_stdin.  The last
 * statement's value is left in output.value (value_pending), an error's report
 * in output.error.  REPL_OK or REPL_ERROR. */
static int run_code(const char *code) {
    output.mode = TO_STREAM;
    output.value_pending = false;
    text_clear(&output.value);
    text_clear(&output.error);
    int rc = repl_run(session, code, NULL, 1);
    output.cell_ended = true;
    repl_display_flush(session); /* the plot as the cell left it */
    output.cell_ended = false;
    fflush(out_stream);
    fflush(err_stream);
    if (rc == REPL_INCOMPLETE) {
        rc = REPL_ERROR;
        text_add(&output.error, "error: the cell ends inside an open bracket, brace or parenthesis\n", 66);
    }
    if (rc == REPL_ERROR && output.error.length == 0) /* a failure with no report of its own */
        text_add(&output.error, "error: the cell failed\n", 23);
    return rc;
}

/* The value output.value holds, without its last newlines. */
static size_t value_length(void) {
    size_t length = output.value.length;
    while (length > 0 && output.value.data[length - 1] == '\n') length--;
    return length;
}

/* An error's content for a reply: status, ename, evalue and traceback from
 * the report (output.error's text). */
static json_t *error_content(const char *report) {
    char message[1024];
    json_t *traceback = json_array();
    error_parts(report, message, sizeof message, traceback);
    json_t *content = json_pack("{s:s, s:s, s:s, s:o}", "status", "error", "ename", error_name(message), "evalue",
                                message, "traceback", traceback);
    if (content == NULL) /* a message that is not UTF-8 text (json_pack took the traceback) */
        content = json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", "Error", "evalue",
                            "(the error's text is not UTF-8)", "traceback");
    return content;
}

/* Whether text is one expression (what user_expressions may hold); if not,
 * why, as an error's report into error (n bytes). */
static bool one_expression(const char *text, char *error, size_t n) {
    parse_error problem;
    ast_node *program = NULL;
    parse_status status = parse_program(text, 1, &program, &problem);
    if (status != PARSE_OK) {
        char *report = parse_error_format(&problem, text, 1, NULL, 0);
        snprintf(error, n, "%s", report ? report : "error: it does not parse\n");
        free(report);
        return false;
    }
    const ast_list *statements = &program->as.block;
    bool expression = statements->count == 1;
    if (expression) switch (statements->items[0]->kind) {
        case AST_NUMBER: case AST_STRING: case AST_BOOL: case AST_NONE: case AST_NAME: case AST_LIST:
        case AST_UNARY: case AST_BINARY: case AST_CALL: case AST_ATTRIBUTE: case AST_INDEX: break;
        default: expression = false;
        }
    ast_free(program);
    if (!expression) snprintf(error, n, "error: a user expression is one expression, not a statement\n");
    return expression;
}

/* user_expressions: each evaluated after the cell, silently (no output, no
 * input, no execution count), as {status: ok, data: {text/plain: its
 * value}, metadata: {}} or an error's content, as ipykernel returns an
 * expression that raises.  A call of a built-in that would change the
 * session or write a file (backward, opt.step(), plot, show, savefig,
 * render, dot(y, FILE)...) is such an error (repl_set_changes_refused):
 * a front end's expression reads, as tree(y), dot(y), has_window() and
 * pace() do. */
static json_t *user_expressions(const json_t *expressions) {
    json_t *results = json_object();
    const char *key;
    json_t *value;
    size_t mark = repl_save_log_mark(session); /* the front end's, not the user's statements */
    repl_set_changes_refused(session, true);
    output.expression = true;
    json_object_foreach((json_t *)expressions, key, value) {
        const char *text = json_string_value(value);
        char problem[1024];
        json_t *result;
        if (text == NULL) {
            result = error_content("error: a user expression is a string\n");
        } else if (!one_expression(text, problem, sizeof problem)) {
            result = error_content(problem);
        } else if (run_code(text) == REPL_ERROR) {
            result = error_content(output.error.data);
        } else {
            /* the value's text; for none, what the expression printed when
             * it printed (tree(y), dot(y) and print(x) show their text so) */
            const char *data = "none";
            size_t length = 4;
            if (output.value_pending) {
                data = output.value.data;
                length = value_length();
            } else if (output.stream.length > 0 && strcmp(output.stream_name, "stdout") == 0) {
                data = output.stream.data;
                length = output.stream.length;
                while (length > 0 && data[length - 1] == '\n') length--;
            }
            result = json_pack("{s:s, s:{s:s%}, s:{}}", "status", "ok", "data", "text/plain", data, length, "metadata");
            if (result == NULL) result = error_content("error: the value's text is not UTF-8\n");
        }
        json_object_set_new(results, key, result);
        output.value_pending = false;
        text_clear(&output.stream);
        text_clear(&output.error);
    }
    output.expression = false;
    repl_set_changes_refused(session, false);
    repl_save_log_rewind(session, mark);
    return results;
}

static void execute(const kernel_msg *m) {
    const char *code = json_string_value(json_object_get(m->content, "code"));
    bool silent = json_is_true(json_object_get(m->content, "silent"));
    json_t *store = json_object_get(m->content, "store_history");
    bool store_history = silent ? false : (store == NULL || json_is_true(store));
    if (code == NULL) code = "";
    if (store_history) execution_count++;
    if (!silent)
        kernel_wire_send(&wire, wire.iopub, m, "execute_input",
                         json_pack("{s:s, s:i}", "code", code, "execution_count", execution_count));
    output.request = silent ? NULL : m;
    allow_stdin = json_is_true(json_object_get(m->content, "allow_stdin"));
    repl_interrupted = 0; /* only an interrupt from now on stops the cell */
    interrupt_came = 0;
    int rc = run_code(code);
    bool quit = repl_take_quit(session); /* the cell stopped at :quit; its user_expressions still run */
    if (rc != REPL_ERROR) send_stream();
    bool result = output.value_pending && rc != REPL_ERROR;
    if (store_history)
        kernel_history_add(execution_count, code, result ? output.value.data : NULL, result ? value_length() : 0);
    if (result) {
        if (!silent)
            kernel_wire_send(&wire, wire.iopub, m, "execute_result",
                             json_pack("{s:i, s:{s:s%}, s:{}}", "execution_count", execution_count, "data",
                                       "text/plain", output.value.data, value_length(), "metadata"));
        output.value_pending = false;
    }
    demote_value();
    send_stream();
    json_t *stop = json_object_get(m->content, "stop_on_error");
    if (rc == REPL_ERROR && !silent && (stop == NULL || json_is_true(stop))) hold_waiting_requests();
    if (rc == REPL_ERROR) {
        json_t *content = error_content(output.error.data);
        if (!silent)
            kernel_wire_send(&wire, wire.iopub, m, "error",
                             json_pack("{s:O, s:O, s:O}", "ename", json_object_get(content, "ename"), "evalue",
                                       json_object_get(content, "evalue"), "traceback",
                                       json_object_get(content, "traceback")));
        json_object_set_new(content, "execution_count", json_integer(execution_count));
        json_object_set_new(content, "user_expressions", json_object()); /* not run after an error, as ipykernel */
        json_object_set_new(content, "payload", json_array());
        reply(m, wire.shell, "execute_reply", content);
    } else {
        /* the expressions run silently, whatever the cell was */
        output.request = NULL;
        allow_stdin = false;
        json_t *expressions = json_object_get(m->content, "user_expressions");
        json_t *values = json_is_object(expressions) ? user_expressions(expressions) : json_object();
        /* :quit asks the front end to close, as ipykernel's exit() does
         * (measured with ipykernel 6.17: the user_expressions evaluated, the
         * reply's payload [{source: ask_exit, keepkernel: false}], then the
         * idle status, then the process ends with status 0) */
        json_t *payload = json_array();
        if (quit)
            json_array_append_new(payload, json_pack("{s:s, s:b}", "source", "ask_exit", "keepkernel", 0));
        reply(m, wire.shell, "execute_reply",
              json_pack("{s:s, s:i, s:o, s:o}", "status", "ok", "execution_count", execution_count,
                        "user_expressions", values, "payload", payload));
    }
    output.request = NULL;
    text_clear(&output.error);
    /* :quit ends the kernel once this request's idle status is sent */
    if (quit) shutdown_requested = 1;
}

/* ---- complete, inspect, is_complete -------------------------------------------------- */

/* Byte offset of code point `cursor` in UTF-8 code (Jupyter counts code points). */
static size_t byte_offset(const char *code, long cursor) {
    size_t i = 0;
    long points = 0;
    while (code[i] && points < cursor) {
        i++;
        while (((unsigned char)code[i] & 0xc0) == 0x80) i++;
        points++;
    }
    return i;
}

static long code_points(const char *s, size_t n) {
    long points = 0;
    for (size_t i = 0; i < n; i++) points += ((unsigned char)s[i] & 0xc0) != 0x80;
    return points;
}

static void add_match(void *user, const char *word) { json_array_append_new(user, json_string(word)); }

static void complete(const kernel_msg *m) {
    const char *code = json_string_value(json_object_get(m->content, "code"));
    if (code == NULL) code = "";
    json_t *cursor = json_object_get(m->content, "cursor_pos");
    long cursor_pos = json_is_integer(cursor) ? (long)json_integer_value(cursor) : code_points(code, strlen(code));
    size_t end = byte_offset(code, cursor_pos);
    /* repl_complete reads the line the cursor is on */
    size_t line_start = end;
    while (line_start > 0 && code[line_start - 1] != '\n') line_start--;
    char *line = strndup(code + line_start, end - line_start);
    json_t *matches = json_array();
    size_t word_start = end;
    if (line != NULL) {
        int at = (int)(end - line_start);
        repl_complete(session, line, at, add_match, matches);
        const char *breaks = repl_completion_breaks(line, at);
        int start = at;
        while (start > 0 && strchr(breaks, line[start - 1]) == NULL) start--;
        word_start = line_start + (size_t)start;
        free(line);
    }
    long start_points = code_points(code, word_start);
    reply(m, wire.shell, "complete_reply",
          json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", matches, "cursor_start",
                    (json_int_t)start_points, "cursor_end", (json_int_t)cursor_pos, "metadata"));
}

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* inspect_request: for a name the session binds, what it holds
 * (repl_describe_name: a variable's kind, value and gradient, a def's
 * signature and text, what print() shows of the rest); for a built-in, a
 * topic or a command, its :help text.  The name is the one the cursor is in
 * or just after; after a '.' it is an attribute, whose help that is. */
static void inspect(const kernel_msg *m) {
    const char *code = json_string_value(json_object_get(m->content, "code"));
    if (code == NULL) code = "";
    json_t *cursor = json_object_get(m->content, "cursor_pos");
    long cursor_pos = json_is_integer(cursor) ? (long)json_integer_value(cursor) : 0;
    size_t at = byte_offset(code, cursor_pos), start = at, end = at;
    while (start > 0 && name_char(code[start - 1])) start--;
    while (code[end] && name_char(code[end])) end++;
    json_t *data = json_object();
    bool found = false;
    if (end > start && !(code[start] >= '0' && code[start] <= '9') && end - start < 200) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(end - start), code + start);
        char *description = start > 0 && code[start - 1] == '.' ? NULL : repl_describe_name(session, name);
        json_t *text = description ? json_string(description) : NULL; /* NULL too if not UTF-8 */
        free(description);
        if (text != NULL) {
            found = true;
            json_object_set_new(data, "text/plain", text);
        } else {
            char command[256 + 8];
            snprintf(command, sizeof command, ":help %s", name);
            text_clear(&output.capture);
            output.mode = TO_CAPTURE;
            int rc = repl_run(session, command, NULL, 1);
            fflush(out_stream);
            fflush(err_stream);
            output.mode = TO_STREAM;
            if (rc == REPL_OK && output.capture.length > 0) {
                found = true;
                json_object_set_new(data, "text/plain", json_string(output.capture.data));
            }
            text_clear(&output.capture);
        }
    }
    reply(m, wire.shell, "inspect_reply",
          json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", found, "data", data, "metadata"));
}

/* The indent of the line after code, which ends inside brackets: 4 spaces
 * for each bracket, brace or parenthesis left open by its last run of code
 * (':' command lines stand alone), as deep as INDENT_MAX. */
#define INDENT_MAX 16
static void next_indent(const char *code, char indent[4 * INDENT_MAX + 1]) {
    size_t start = 0, at = 0, length = strlen(code);
    while (at < length) {
        const char *newline = strchr(code + at, '\n');
        size_t next = newline ? (size_t)(newline - code) + 1 : length;
        if (repl_is_command(code + at)) start = next;
        at = next;
    }
    bracket_scan scan = {0};
    split_bracket_scan_text(&scan, code + start, length - start);
    long depth = scan.depth < 0 ? 0 : scan.depth > INDENT_MAX ? INDENT_MAX : scan.depth;
    memset(indent, ' ', (size_t)(4 * depth));
    indent[4 * depth] = '\0';
}

static void is_complete(const kernel_msg *m) {
    const char *code = json_string_value(json_object_get(m->content, "code"));
    if (code == NULL) code = "";
    int rc = repl_check(code);
    if (rc == REPL_INCOMPLETE) {
        char indent[4 * INDENT_MAX + 1];
        next_indent(code, indent);
        reply(m, wire.shell, "is_complete_reply", json_pack("{s:s, s:s}", "status", "incomplete", "indent", indent));
    } else {
        reply(m, wire.shell, "is_complete_reply",
              json_pack("{s:s}", "status", rc == REPL_OK ? "complete" : "invalid"));
    }
}

/* ---- requests on either socket ---------------------------------------------------------- */

/* kernel_info, shutdown, interrupt and comm_info: on control (and on shell,
 * for older clients).  True when the type is one of them. */
static bool common_request(const kernel_msg *m, void *socket) {
    if (strcmp(m->type, "kernel_info_request") == 0) {
        reply(m, socket, "kernel_info_reply", kernel_info());
    } else if (strcmp(m->type, "shutdown_request") == 0) {
        bool restart = json_is_true(json_object_get(m->content, "restart"));
        reply(m, socket, "shutdown_reply", json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
        shutdown_requested = 1;
        interrupt_cell(); /* a running cell stops */
    } else if (strcmp(m->type, "interrupt_request") == 0) {
        interrupt_cell();
        reply(m, socket, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(m->type, "comm_info_request") == 0) {
        reply(m, socket, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
    } else {
        return false;
    }
    return true;
}

static void shell_request(const kernel_msg *m) {
    publish_status(m, "busy");
    if (common_request(m, wire.shell)) {
    } else if (strcmp(m->type, "execute_request") == 0 && aborting) {
        reply(m, wire.shell, "execute_reply", json_pack("{s:s}", "status", "aborted"));
    } else if (strcmp(m->type, "execute_request") == 0) {
        execute(m);
    } else if (strcmp(m->type, "complete_request") == 0) {
        complete(m);
    } else if (strcmp(m->type, "inspect_request") == 0) {
        inspect(m);
    } else if (strcmp(m->type, "is_complete_request") == 0) {
        is_complete(m);
    } else if (strcmp(m->type, "history_request") == 0) {
        reply(m, wire.shell, "history_reply",
              json_pack("{s:s, s:o}", "status", "ok", "history", kernel_history_items(m->content, execution_count)));
    } else if (strncmp(m->type, "comm_", 5) == 0) {
        /* no comms: comm_open, comm_msg and comm_close have no target here */
    } else {
        char type[128];
        reply_type(m->type, type, sizeof type);
        fprintf(stderr, "agrepl kernel: unknown request '%s'\n", m->type);
        if (strstr(m->type, "_request"))
            reply(m, wire.shell, type,
                  json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", "Error", "evalue",
                            "unknown request", "traceback"));
    }
    publish_status(m, "idle");
}

/* ---- threads: control and heartbeat ------------------------------------------------------ */

static void *control_thread(void *unused) {
    (void)unused;
    double gone_since = 0;
    for (;;) {
        zmq_pollitem_t item = {wire.control, 0, ZMQ_POLLIN, 0};
        int ready = zmq_poll(&item, 1, POLL_MS);
        if (ready < 0 && zmq_errno() == ETERM) break;
        if (ready > 0 && (item.revents & ZMQ_POLLIN)) {
            kernel_msg m;
            if (kernel_wire_recv(&wire, wire.control, &m) == 0) {
                publish_status(&m, "busy");
                if (!common_request(&m, wire.control)) {
                    char type[128];
                    reply_type(m.type, type, sizeof type);
                    if (strstr(m.type, "_request"))
                        reply(&m, wire.control, type,
                              json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", "Error",
                                        "evalue", "unknown request", "traceback"));
                }
                publish_status(&m, "idle");
                kernel_msg_free(&m);
            } else if (zmq_errno() == ETERM) {
                break;
            }
        }
        if (shutdown_requested == 2) break; /* the main thread is closing the sockets */
        if (parent_gone()) {
            if (gone_since == 0) {
                fprintf(stderr, "agrepl kernel: the front end is gone; shutting down\n");
                gone_since = now_ms();
                shutdown_requested = 1;
                interrupt_cell();
            } else if (now_ms() - gone_since > PARENT_GRACE_MS) {
                _exit(0); /* a cell that does not stop must not keep running alone */
            }
        }
    }
    return NULL;
}

static void *heartbeat_thread(void *unused) {
    (void)unused;
    zmq_proxy(wire.heartbeat, wire.heartbeat, NULL); /* echoes until the context ends */
    return NULL;
}

/* ---- main ------------------------------------------------------------------------- */

int kernel_install(bool user, const char *prefix, bool no_files, const char *files_in);

static int run_kernel(const char *connection_file, bool no_files, const char *files_in) {
    char error[512];
    if (kernel_wire_open(&wire, connection_file, error, sizeof error) < 0) {
        fprintf(stderr, "agrepl: %s\n", error);
        return 1;
    }
    const char *jpy = getenv("JPY_PARENT_PID");
    parent_pid = jpy && atoi(jpy) > 1 ? (pid_t)atoi(jpy) : getppid();
    if (parent_pid > 1 && getppid() != parent_pid) parent_pid = getppid();
    cookie_io_functions_t out_io = {.write = write_out}, err_io = {.write = write_err};
    out_stream = fopencookie(NULL, "w", out_io);
    err_stream = fopencookie(NULL, "w", err_io);
    if (out_stream == NULL || err_stream == NULL) {
        fprintf(stderr, "agrepl: out of memory\n");
        return 1;
    }
    setvbuf(out_stream, NULL, _IOLBF, 0);
    setvbuf(err_stream, NULL, _IOLBF, 0);
    repl_options opts = {
        .headless = true, .out = out_stream, .err = err_stream, .no_files = no_files, .files_in = files_in};
    session = repl_new(&opts);
    if (session == NULL) {
        fprintf(stderr, "agrepl: out of memory\n");
        return 1;
    }
    repl_set_marks(session, on_mark, NULL);
    repl_set_display(session, on_display, NULL);
    repl_set_input(session, ask_input, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit is a write error (EFBIG), not the end */
    /* the threads must not take SIGINT: the main thread runs the cells */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t control, heartbeat;
    bool control_started = pthread_create(&control, NULL, control_thread, NULL) == 0;
    bool heartbeat_started = pthread_create(&heartbeat, NULL, heartbeat_thread, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!control_started || !heartbeat_started) {
        fprintf(stderr, "agrepl: cannot start the kernel's threads\n");
        _exit(1);
    }
    publish_status(NULL, "starting");
    while (!shutdown_requested) {
        zmq_pollitem_t items[2] = {{wire.shell, 0, ZMQ_POLLIN, 0}, {wire.stdin_socket, 0, ZMQ_POLLIN, 0}};
        int ready = zmq_poll(items, 2, POLL_MS);
        if (ready < 0) {
            if (zmq_errno() == EINTR) continue;
            break;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            kernel_msg m;
            if (kernel_wire_recv(&wire, wire.shell, &m) == 0) {
                shell_request(&m);
                kernel_msg_free(&m);
            }
            aborting = true; /* what waited behind a failed cell */
            for (size_t i = 0; i < held_count; i++) {
                shell_request(&held[i]);
                kernel_msg_free(&held[i]);
            }
            held_count = 0;
            aborting = false;
        }
        if (items[1].revents & ZMQ_POLLIN) { /* no input is asked for: drop stray replies */
            kernel_msg m;
            if (kernel_wire_recv(&wire, wire.stdin_socket, &m) == 0) kernel_msg_free(&m);
        }
    }
    shutdown_requested = 2;
    pthread_join(control, NULL);
    repl_free(session);
    fclose(out_stream);
    fclose(err_stream);
    text_free(&output.stream);
    text_free(&output.value);
    text_free(&output.error);
    text_free(&output.capture);
    kernel_history_free();
    free(held);
    /* the heartbeat's proxy returns when the context is shut down; its
     * socket is closed only after that thread has ended (a ZeroMQ socket
     * is not to be closed while another thread is inside a call on it: it
     * was, and once in 30 runs of kernel_test.py the kernel was still alive
     * 60 s after its shutdown_reply) */
    kernel_wire_stop(&wire);
    pthread_join(heartbeat, NULL);
    kernel_wire_close(&wire);
    return 0;
}

int main(int argc, char **argv) {
    heap_keep_hot();
    const char *connection_file = NULL, *prefix = NULL, *files_in = NULL;
    bool no_files = false, install = false, user = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--kernel") == 0 || strcmp(a, "-f") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "agrepl: --kernel needs a connection file\n%s", usage_text);
                return 2;
            }
            connection_file = argv[++i];
        } else if (strcmp(a, "--no-files") == 0) {
            no_files = true;
        } else if (strcmp(a, "--files-in") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "agrepl: --files-in needs a directory\n%s", usage_text);
                return 2;
            }
            files_in = argv[++i];
        } else if (strcmp(a, "--headless") == 0) {
            /* a kernel never opens a window */
        } else if (strcmp(a, "--install-kernel") == 0) {
            install = true;
        } else if (strcmp(a, "--user") == 0) {
            user = true;
        } else if (strcmp(a, "--prefix") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "agrepl: --prefix needs a directory\n%s", usage_text);
                return 2;
            }
            prefix = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else {
            fprintf(stderr, "agrepl: unknown kernel option '%s'\n%s", a, usage_text);
            return 2;
        }
    }
    if (install) return kernel_install(user, prefix, no_files, files_in);
    if (files_in != NULL) { /* a kernel that cannot confine its files does not start */
        char error[4200];
        char *root = repl_files_root(files_in, error, sizeof error);
        if (root == NULL) {
            fprintf(stderr, "agrepl: %s\n", error);
            return 2;
        }
        free(root);
    }
    if (connection_file == NULL) {
        fprintf(stderr, "agrepl: --kernel needs a connection file\n%s", usage_text);
        return 2;
    }
    return run_kernel(connection_file, no_files, files_in);
}
