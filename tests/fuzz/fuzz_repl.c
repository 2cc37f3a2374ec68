/* fuzz_repl.c — the libFuzzer target for parse and eval (`make fuzz`).
 *
 * Each input is a script: it is normalized as agrepl normalizes a script file
 * (source_normalize: a byte-order mark, CR line ends, a NUL byte refused) and
 * run in a fresh session by repl_run, the entry point of every front end,
 * statement by statement as agrepl runs stdin.
 * The session reads and writes no file and opens no window (no_files,
 * headless); its output goes to /dev/null.  An input still running after
 * FUZZ_SECONDS of CPU time is interrupted at its next check (repl_interrupted,
 * as Ctrl-C does) and its remaining lines are not run, so a long loop is not
 * reported as a hang.
 *
 * An input with a NUL byte among its first 8 bytes is a weights file instead
 * (a script never has one: source_normalize refuses NUL, and a safetensors
 * file starts with its header's length as 8 little-endian bytes): it is
 * loaded with ag_model_load into the MLP of tests/unit/safetensors_tool.c, which
 * must either take it or fail with AG_ERR_IO (AG_ERR_SHAPE for a tensor of
 * another shape than its parameter's) and its weights unchanged, then into
 * the same MLP never run, which must take it (its weights made from the
 * file's shapes) or refuse it and stay without weights (anything else
 * aborts, so the fuzzer reports it).
 *
 * tests/fuzz/replay.c calls the same LLVMFuzzerTestOneInput for each file of
 * tests/fuzz_corpus/ in `make test`'s sanitizer pass. */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <autograd/autograd.h>

#include "repl.h"
#include "source.h"

#define FUZZ_SECONDS 1

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile sig_atomic_t timed_out;

static void on_timer(int sig) {
    (void)sig;
    timed_out = 1;
    repl_interrupted = 1;
}

/* CPU time (ITIMER_VIRTUAL, SIGVTALRM): libFuzzer keeps SIGALRM for its own
 * -timeout. */
static void arm_timer(int seconds) {
    static int installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_timer;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGVTALRM, &sa, NULL);
        installed = 1;
    }
    struct itimerval t = {{0, 0}, {seconds, 0}};
    setitimer(ITIMER_VIRTUAL, &t, NULL);
}

/* As agrepl reads stdin: line by line, each statement run once complete,
 * the session going on after an error (so one error early in an input does
 * not hide the rest of it).  A statement still open at the end is dropped. */
static void run_lines(repl *r, char *text) {
    char *start = text; /* the pending statement's first line */
    int first_line = 1, line = 1;
    for (char *p = text; *p != '\0'; line++) {
        char *end = strchr(p, '\n');
        char *next = end ? end + 1 : p + strlen(p);
        char saved = *next;
        *next = '\0'; /* the pending lines, up to this one */
        int rc = repl_run(r, start, "<stdin>", first_line);
        *next = saved;
        if (rc != REPL_INCOMPLETE || repl_quit_requested(r)) {
            if (repl_quit_requested(r) || timed_out) return; /* the time is for the whole input */
            start = next;
            first_line = line + 1;
        }
        p = next;
    }
}

/* The bytes as a file ag_model_load can open by name: an anonymous memory
 * file (memfd) reached through /proc/self/fd, so nothing is left on disk. */
static int load_weights(ag_model *m, const uint8_t *data, size_t size) {
    int fd = memfd_create("fuzz.safetensors", 0);
    if (fd < 0) abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) abort();
        done += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int rc = ag_model_load(m, path);
    close(fd);
    return rc;
}

static void run_weights(const uint8_t *data, size_t size) {
    ag_ctx *c = ag_ctx_new();
    if (c == NULL) abort();
    double x[12], y[4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 3; j++) x[i * 3 + j] = sin(3 * i + j + 1);
        y[i] = cos(i);
    }
    ag_var *xs = ag_new(c, 2, (int[]){4, 3}, x), *t = ag_new(c, 2, (int[]){4, 1}, y);
    ag_model *m = ag_mlp(c, (int[]){8, 1}, 2, AG_ACT_SIGMOID, 7);
    double before = ag_item(ag_mse(c, ag_model_forward(m, xs), t));
    double w = ag_item(ag_model_param_by_name(m, "linear[0].w"));
    if (ag_failed(c)) abort();
    if (load_weights(m, data, size) == 0) {
        ag_item(ag_mse(c, ag_model_forward(m, xs), t)); /* the loaded weights in use */
        if (ag_failed(c)) abort();
    } else {
        double after = ag_item(ag_mse(c, ag_model_forward(m, xs), t));
        if ((ag_errcode(c) != AG_ERR_IO && ag_errcode(c) != AG_ERR_SHAPE) || after != before ||
            w != ag_item(ag_model_param_by_name(m, "linear[0].w")))
            abort(); /* a refused file must change nothing */
    }
    ag_clear_error(c);
    /* the same file into a model that never ran: its weights made from the
     * file's shapes, or, refused, the model left without them */
    ag_model *fresh = ag_mlp(c, (int[]){8, 1}, 2, AG_ACT_SIGMOID, 7);
    if (fresh == NULL) abort();
    if (load_weights(fresh, data, size) == 0) {
        if (!ag_model_initialized(fresh)) abort();
    } else if ((ag_errcode(c) != AG_ERR_IO && ag_errcode(c) != AG_ERR_SHAPE && ag_errcode(c) != AG_ERR_NOMEM) ||
               ag_model_initialized(fresh) || ag_model_param_by_name(fresh, "linear[0].w") != NULL) {
        abort();
    }
    ag_clear_error(c);
    ag_model_unref(fresh);
    ag_model_unref(m);
    ag_ctx_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 0 && memchr(data, 0, size < 8 ? size : 8) != NULL) {
        run_weights(data, size);
        return 0;
    }
    static FILE *sink;
    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL) abort();
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int line = 0, column = 0;
    size_t length = size;
    if (source_normalize(text, &length, 1, 1, &line, &column) == 0) {
        repl_options opts = {.headless = true, .no_files = true, .out = sink, .err = sink};
        repl *r = repl_new(&opts);
        if (r != NULL) {
            repl_interrupted = timed_out = 0;
            arm_timer(FUZZ_SECONDS);
            run_lines(r, text);
            arm_timer(0);
            repl_interrupted = 0;
            repl_free(r);
        }
    }
    free(text);
    return 0;
}
