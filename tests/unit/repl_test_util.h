/* repl_test_util.h — what the tests that drive the REPL as a user does share
 * (test_pictures.c, test_plot_repl.c): a session whose output and errors go
 * to memory the test reads (out_text, err_text after an fflush). */
#ifndef REPL_TEST_UTIL_H
#define REPL_TEST_UTIL_H

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

typedef struct session {
    repl *r;
    FILE *out, *err;
    char *out_text, *err_text;
    size_t out_length, err_length;
} session;

/* Opens s as a REPL with opts (their out and err replaced by s's streams). */
static inline void session_open_with(session *s, repl_options opts) {
    memset(s, 0, sizeof *s);
    s->out = open_memstream(&s->out_text, &s->out_length);
    s->err = open_memstream(&s->err_text, &s->err_length);
    opts.out = s->out;
    opts.err = s->err;
    s->r = repl_new(&opts);
    assert_non_null(s->r);
}

/* A headless session: it never opens a window. */
static inline void session_open(session *s) { session_open_with(s, (repl_options){.headless = true}); }

static inline void session_close(session *s) {
    repl_free(s->r);
    fclose(s->out);
    fclose(s->err);
    free(s->out_text);
    free(s->err_text);
}

#endif
