/* session_state.c — the session's parts as the floors above read them: the
 * accessors built-ins use (its engine context, output, digits, viz session),
 * the stack budget of evaluation and the :save log's appends (session_state.h,
 * "session_state.c").  The bottom floor: it reads and writes the session's
 * struct and calls nothing of repl/. */
#define _GNU_SOURCE /* pthread_getattr_np */
#include "session_state.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

ag_ctx *repl_ctx(repl *r) { return r->ctx; }
FILE *repl_out(repl *r) { return r->io.out; }
int repl_digits(const repl *r) { return r->settings.digits; }
bool repl_headless(const repl *r) { return r->settings.headless; }
bool repl_is_interactive(const repl *r) { return r->settings.interactive; }
repl_viz *repl_get_viz(repl *r) { return r->viz; }

/* The recursion budget: bytes of C stack evaluation may use below `base`
 * (the running statement's first frame).  Measured on the running thread's
 * real stack (pthread_getattr_np: a thread's own size, the main thread's
 * ulimit -s), less a margin for the deepest frames between two checks
 * (built-ins, printing, the error path; several times larger under the
 * sanitizers); capped at 64 MiB.  The bounds are cached per thread. */
#define STACK_MARGIN ((size_t)96 << 10)
#define STACK_BUDGET_MAX ((size_t)64 << 20)

size_t repl_stack_budget_from(repl *r, uintptr_t base) {
    pthread_t self = pthread_self();
    if (!r->eval.stack_known || !pthread_equal(self, r->eval.stack_thread)) {
        r->eval.stack_known = false;
        pthread_attr_t attr;
        if (pthread_getattr_np(self, &attr) == 0) {
            void *low;
            size_t size;
            if (pthread_attr_getstack(&attr, &low, &size) == 0 && size > 0) {
                r->eval.stack_low = (uintptr_t)low;
                r->eval.stack_high = (uintptr_t)low + size;
                r->eval.stack_thread = self;
                r->eval.stack_known = true;
            }
            pthread_attr_destroy(&attr);
        }
    }
    size_t room;
    if (r->eval.stack_known && base > r->eval.stack_low && base <= r->eval.stack_high) {
        room = (size_t)(base - r->eval.stack_low); /* the stack grows down */
    } else { /* unknown bounds: a quarter of the limit, at most 1 MiB */
        struct rlimit limit;
        room = (size_t)1 << 20;
        if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
            limit.rlim_cur / 4 < room)
            room = (size_t)(limit.rlim_cur / 4);
    }
    /* keep the margin, but never less than a quarter of the room */
    size_t margin = STACK_MARGIN < room / 4 ? room / 4 : STACK_MARGIN;
    size_t budget = room > margin ? room - margin : 0;
    return budget > STACK_BUDGET_MAX ? STACK_BUDGET_MAX : budget;
}

/* Appends text[0..length) and a newline to the :save log. */
void repl_history_append(repl *r, const char *text, size_t length) {
    strbuf_append_n(&r->save.history, text, length);
    strbuf_append_n(&r->save.history, "\n", 1);
    r->save.history_count++;
}

void repl_history_record(repl *r, const char *text) { repl_history_append(r, text, strlen(text)); }

size_t repl_save_log_mark(const repl *r) { return r->save.history.length; }

void repl_save_log_rewind(repl *r, size_t mark) {
    strbuf *log = &r->save.history;
    if (mark >= log->length) return;
    for (size_t i = mark; i < log->length; i++) r->save.history_count -= log->data[i] == '\n';
    log->length = mark;
    log->data[mark] = '\0';
}
