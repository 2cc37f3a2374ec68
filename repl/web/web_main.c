/* web_main.c — the web page's front end: the session (repl.h) compiled to
 * WebAssembly, run in a Web Worker by agrepl-worker.js, which calls the
 * functions below.  The page is the console; this file hands it the text
 * (the out and err streams, as they are written), the pictures (show(y)'s
 * HTML, a plot's figure as JSON) and the completions, and takes the page's
 * Ctrl-C.  No second interpreter: every statement runs through repl_run. */
#define _GNU_SOURCE /* fopencookie */
#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "repl.h"
#include "strbuf.h"

static repl *session;
static FILE *out_stream, *err_stream;

/* text written to stream 1 (out) or 2 (err), for the page: the worker
 * (Module.agText) sends it in pieces, not a message a line */
EM_JS(void, web_post_text, (int stream, const char *text, int size), {
    var t = UTF8ToString(text, size);
    if (Module.agText) Module.agText(stream, t);
    else postMessage({type : 'text', stream : stream, text : t});
});

EM_JS(void, web_post_display, (const char *id, int update, const char *html, const char *text, const char *figure), {
    postMessage({
        type : 'display',
        id : UTF8ToString(id),
        update : !!update,
        html : html ? UTF8ToString(html) : null,
        text : text ? UTF8ToString(text) : null,
        figure : figure ? UTF8ToString(figure) : null
    });
});

/* The page's Ctrl-C: a flag in a SharedArrayBuffer the page sets
 * (Module.agInterrupt, an Int32Array), read and cleared here.  Called at
 * every statement boundary (repl/exec.c). */
EM_JS(int, web_interrupt_pending, (void), {
    if (Module.agTextDue) Module.agTextDue(); /* the text waiting, when it is due */
    var flag = Module.agInterrupt;
    return flag ? Atomics.exchange(flag, 0, 0) : 0;
});

static ssize_t write_out(void *cookie, const char *buf, size_t size) {
    web_post_text(1, buf, (int)size);
    return (ssize_t)size;
}

static ssize_t write_err(void *cookie, const char *buf, size_t size) {
    web_post_text(2, buf, (int)size);
    return (ssize_t)size;
}

/* show(y) and plots (repl_set_display): in this build a plot's picture is
 * its figure as JSON (plot_web.c), which the page draws. */
static void on_display(void *user, const repl_display *d) {
    fflush(out_stream);
    bool plot = d->display_id != NULL && strncmp(d->display_id, "agrepl-plot-", 12) == 0;
    char *figure = NULL;
    if (plot && d->png != NULL && (figure = malloc(d->png_size + 1)) != NULL) {
        memcpy(figure, d->png, d->png_size);
        figure[d->png_size] = '\0';
    }
    web_post_display(d->display_id ? d->display_id : "", d->update, d->html, d->text, figure);
    free(figure);
}

/* Makes the session; 0, or -1 when out of memory. */
EMSCRIPTEN_KEEPALIVE int web_start(void) {
    /* emscripten starts with umask 0777, which made every file written
     * unreadable (mode 0): a login shell's instead */
    umask(022);
    cookie_io_functions_t out_io = {.write = write_out}, err_io = {.write = write_err};
    out_stream = fopencookie(NULL, "w", out_io);
    err_stream = fopencookie(NULL, "w", err_io);
    if (out_stream == NULL || err_stream == NULL) return -1;
    setvbuf(out_stream, NULL, _IOLBF, 0);
    setvbuf(err_stream, NULL, _IOLBF, 0);
    /* render() draws in the graph pane too, as show() does: the page has no
     * other way to look at what it wrote */
    repl_options opts = {.headless = true, .out = out_stream, .err = err_stream, .show_renders = true};
    session = repl_new(&opts);
    if (session == NULL) return -1;
    repl_set_display(session, on_display, NULL);
    return 0;
}

/* Before a run: no Ctrl-C left over from the prompt. */
static void run_starts(void) {
    repl_interrupted = 0;
    web_interrupt_pending(); /* a Ctrl-C pressed at the prompt stops nothing */
}

/* What a run returns, its pictures and text sent first. */
static int run_ended(int rc) {
    repl_display_flush(session);
    fflush(out_stream);
    fflush(err_stream);
    return repl_quit_requested(session) ? 3 : rc;
}

/* Runs what the user typed: REPL_OK, REPL_ERROR, or REPL_INCOMPLETE (nothing
 * run: the page asks for another line); 3 after :quit. */
EMSCRIPTEN_KEEPALIVE int web_run(const char *src) {
    run_starts();
    return run_ended(repl_run(session, src, NULL, 1));
}

/* Runs a lesson page's lesson (agrepl --web-lesson) as `agrepl --lesson`
 * runs one: a lesson's digits while it runs, its own :digits (tanh_graph's
 * 3) ended with it, so the session after it prints as before. */
EMSCRIPTEN_KEEPALIVE int web_run_lesson(const char *src) {
    run_starts();
    repl_lesson_digits(session);
    int rc = repl_run(session, src, NULL, 1);
    repl_lesson_end(session);
    return run_ended(rc);
}

static void add_word(void *user, const char *word) {
    strbuf_append(user, word);
    strbuf_append(user, "\n");
}

/* The completions of the word ending at byte `end` of line, one a line
 * (malloc'd: the caller frees it), as Tab at the terminal offers them. */
EMSCRIPTEN_KEEPALIVE char *web_complete(const char *line, int end) {
    strbuf words = {0};
    strbuf_append(&words, "");
    repl_complete(session, line, end, add_word, &words);
    return strbuf_take(&words);
}

int main(void) { return 0; }
