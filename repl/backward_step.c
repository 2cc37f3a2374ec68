/* backward_step.c — backward(step=...): one function per step with the chain
 * rule and its numbers.
 *
 * Each input a function feeds gets a line
 *     e.grad = d.grad × ∂d/∂e = -2 × 1 = -2
 * (tensors show shapes and their first values), and a variable that receives
 * from several uses gets, once its last contribution has arrived,
 *     x.grad = 0.76 + 0.42 + 2 = 3.18
 * The running totals are kept here, not read back from the engine, because
 * the engine's step hook runs after the whole function has accumulated: a
 * variable fed twice by one function (x*x) would otherwise show the final
 * total for both contributions. */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "ptrmap.h"
#include "repl_internal.h"
#include "strbuf.h"

#define SHOWN_VALUES 3 /* a tensor shows its shape and this many first values */
#define DEFAULT_DIGITS 4
#define SHOWN_TERMS 8 /* a sum shows this many contributions, then their count */

/* One variable that receives gradient in the pass. */
typedef struct receiver {
    ag_var *v;
    int uses;     /* edges into functions of the graph */
    int arrived;  /* contributions (or missing ones) seen so far */
    bool prior;   /* had a .grad before the pass: the first term */
    bool scalar;
    double total; /* scalar: the running sum, in the engine's order */
    strbuf terms; /* "0.76 + 0.42" so far (the first SHOWN_TERMS) */
    int nterms;
} receiver;

typedef struct stepper {
    repl *r;
    ag_var *y;
    int step;
    double pace;  /* seconds per step; 0 = wait for Enter */
    double step_began; /* when the step being shown began (seconds_now) */
    bool waiting; /* a person is at the terminal and has not typed q */
    bool print_tree;
    receiver *recv;
    int nrecv;
    size_t caprecv;
    ptrmap recv_index; /* variable -> its receiver's index in recv */
    ag_func **seen; /* functions reached from y, in the order walked */
    int nseen;
    size_t capseen;
    ptrmap seen_index; /* the functions in seen */
} stepper;

/* How a variable is called in step output: its name, or what made it. */
static void variable_label(const ag_var *v, char *buf, size_t n) {
    if (ag_name(v)[0]) {
        snprintf(buf, n, "%s", ag_name(v));
    } else if (ag_creator(v)) {
        char label[64];
        ag_func_label(ag_creator(v), label, sizeof label);
        snprintf(buf, n, "(%s output)", label);
    } else {
        snprintf(buf, n, "(unnamed leaf)");
    }
}

/* backward from a result that has no graph sets only its own .grad: say so,
 * and why, in one line (a plain leaf like x = 1.0 needs no note). */
void repl_note_no_graph(repl *r, ag_var *y) {
    if (ag_creator(y) != NULL) return;
    char name[96];
    variable_label(y, name, sizeof name);
    if (ag_var_flags(y) & AG_VAR_DATA) {
        if (!r->said_once.data_backward)
            fprintf(r->io.err, "note: %s is data (a data set, a file's numbers, a comparison's 0/1 or an op of them alone records no "
                            "graph, as PyTorch's), so backward only set %s.grad to 1; variable(x) is a copy of "
                            "data that gets a gradient (this note is shown once)\n", name, name);
        r->said_once.data_backward = true;
    } else if (ag_var_flags(y) & AG_VAR_NOGRAD)
        fprintf(r->io.err, "note: %s has no graph to go back through: it was computed inside nograd "
                        "(or with no graph recorded), so backward only set %s.grad to 1\n", name, name);
    else if (ag_var_flags(y) & AG_VAR_BACKWARD)
        fprintf(r->io.err, "note: %s is a gradient made without create_graph=true, so it has no graph: "
                        "backward only set its own .grad (make it with backward(create_graph=true) "
                        "to differentiate it again)\n", name);
}

/* The note on a data variable's gradient (no optimizer updates it) that
 * adds up several backward calls because nothing cleared it: given when such
 * a gradient is read (x.grad) or drawn, once per variable and streak (until
 * it is cleared), never for a gradient nobody looks at.  Graphs mark such
 * gradients with ⚠ every time. */
/* Whether v's .grad (summing ag_grad_calls(v) >= 2 backward calls) starts a
 * streak not noted yet: once per variable until its .grad is cleared. */
/* Whether new_summed_streak could answer true or change anything: not for a
 * gradient of one backward (or none) while no streak is noted, which is
 * nearly every call (every x.grad and cleargrad in a loop, every parameter
 * an optimizer updates). */
static inline bool summed_streak_possible(const repl *r, const ag_var *v) {
    return r->said_once.summed_count != 0 || ag_grad_calls(v) >= 2;
}

static bool new_summed_streak(repl *r, const ag_var *v) {
    int calls = ag_grad_calls(v), found = -1;
    for (int i = 0; i < r->said_once.summed_count; i++)
        if (r->said_once.summed[i].var == v) found = i;
    if (calls < 2) { /* cleared since: the streak is over */
        if (found >= 0) r->said_once.summed[found] = r->said_once.summed[--r->said_once.summed_count];
        return false;
    }
    if (found >= 0 && calls >= r->said_once.summed[found].calls) { /* the same streak, noted */
        r->said_once.summed[found].calls = calls;
        return false;
    }
    if (found < 0) {
        if (!ARRAY_RESERVE(r->said_once.summed, r->said_once.summed_capacity,
                           (size_t)r->said_once.summed_count, 1))
            return false; /* the note is a courtesy: skipped, not an error */
        found = r->said_once.summed_count++;
    }
    r->said_once.summed[found] = (struct summed_note){v, calls};
    return true;
}

/* repl_note_summed past its inline test (summed_streak_possible). */
void repl_note_summed_streak(repl *r, const ag_var *v) {
    /* not for parameters (an optimizer's, noted when it uses them),
     * constants, backward's seeds and gradients (higher derivatives sum into
     * those by design), nor unnamed leaves (nobody can clear them by name) */
    if (v == NULL || (ag_var_flags(v) & (AG_VAR_PARAM | AG_VAR_CONST | AG_VAR_SEED | AG_VAR_BACKWARD)) ||
        (ag_name(v)[0] == '\0' && ag_creator(v) == NULL))
        return;
    if (!new_summed_streak(r, v)) return;
    int calls = ag_grad_calls(v);
    const char *name = ag_name(v);
    char label[96];
    if (name[0] == '\0') variable_label((ag_var *)v, label, sizeof label);
    fflush(r->io.out); /* the note after what the statement printed so far */
    if (name[0] != '\0')
        fprintf(r->io.err, "note: %s.grad adds up the gradients of %d backward calls: nothing cleared it", name,
                calls);
    else
        fprintf(r->io.err, "note: the .grad of %s adds up the gradients of %d backward calls: nothing cleared it",
                label, calls);
    fprintf(r->io.err, "\n  and no optimizer updates it.  cleargrad(%s) before each backward keeps only the "
                    "last one's\n  (graphs mark such gradients with ⚠)\n",
            name[0] != '\0' ? name : "it");
}

void repl_note_summed_update(repl *r, const char *what, ag_var *const *params, int n) {
    int first = -1, count = 0, most = 0;
    for (int i = 0; i < n; i++) {
        if (params[i] == NULL || !summed_streak_possible(r, params[i]) || !new_summed_streak(r, params[i]))
            continue;
        if (first < 0) first = i;
        count++;
        if (ag_grad_calls(params[i]) > most) most = ag_grad_calls(params[i]);
    }
    if (count == 0) return;
    char label[96];
    const char *name = repl_var_path(r, params[first]); /* model.linear[0].w */
    if (name == NULL || name[0] == '\0') name = ag_name(params[first]);
    if (name[0] == '\0') variable_label(params[first], label, sizeof label), name = label;
    fflush(r->io.out);
    fprintf(r->io.err, "note: %s uses %s.grad", what, name);
    if (count > 1) fprintf(r->io.err, " and %d more", count - 1);
    fprintf(r->io.err, ", the sum of %d backward calls' gradients (nothing cleared %s since the last update).\n"
                    "  To step with each backward's gradient alone, call opt.reset_grad() (or cleargrad) before "
                    "each backward.\n",
            most, count > 1 ? "them" : "it");
}

/* Adds f to the open-addressing set (capacity a power of two, at most half
 * full); false when it was there. */
static bool set_add(ag_func **set, size_t capacity, ag_func *f) {
    size_t i = ((uintptr_t)f >> 4) * 0x9E3779B97F4A7C15u & (capacity - 1);
    for (; set[i] != NULL; i = (i + 1) & (capacity - 1))
        if (set[i] == f) return false;
    set[i] = f;
    return true;
}

bool repl_walk_graph(ag_var *y, bool (*visit)(void *user, ag_func *f), void (*visit_var)(void *user, ag_var *v),
                       void *user) {
    if (y == NULL) return false;
    if (visit_var != NULL) visit_var(user, y);
    bool stopped = false;
    size_t count = 0, capacity = 64, set_used = 0, set_capacity = 128;
    ag_func **stack = malloc(capacity * sizeof *stack);
    ag_func **set = calloc(set_capacity, sizeof *set);
    if (stack != NULL && set != NULL && ag_creator(y) != NULL) stack[count++] = ag_creator(y);
    while (count > 0) {
        ag_func *f = stack[--count];
        if (2 * (set_used + 1) > set_capacity) { /* grow the set */
            ag_func **bigger = calloc(2 * set_capacity, sizeof *bigger);
            if (bigger == NULL) break;
            for (size_t i = 0; i < set_capacity; i++)
                if (set[i] != NULL) set_add(bigger, 2 * set_capacity, set[i]);
            free(set);
            set = bigger, set_capacity *= 2;
        }
        if (!set_add(set, set_capacity, f)) continue;
        set_used++;
        if (visit != NULL && visit(user, f)) {
            stopped = true;
            break;
        }
        for (int k = 0; k < ag_func_ninputs(f); k++) {
            ag_var *x = ag_func_input(f, k);
            if (x == NULL) continue;
            if (visit_var != NULL) visit_var(user, x);
            if (ag_creator(x) == NULL) continue;
            if (!ARRAY_RESERVE(stack, capacity, count, 1)) goto done;
            stack[count++] = ag_creator(x);
        }
    }
done:
    free(stack);
    free(set);
    return stopped;
}

static void note_summed_var(void *user, ag_var *v) { repl_note_summed(user, v); }

/* Every variable of the graph ending at y whose gradient is drawn. */
void repl_note_summed_in_graph(repl *r, ag_var *y) { repl_walk_graph(y, NULL, note_summed_var, r); }

static int digits(const repl *r) { return r->settings.digits > 0 ? r->settings.digits : DEFAULT_DIGITS; }
static void short_value(const repl *r, const ag_var *v, char *buf, size_t n);

/* A gradient on its own line: a number as :digits prints it, a tensor
 * abbreviated (its shape and first values at :digits, 4 by default). */
static void print_var_line(repl *r, const char *prefix, const ag_var *v, const char *suffix) {
    if (v != NULL && ag_size(v) != 1) {
        char text[256];
        short_value(r, v, text, sizeof text);
        fprintf(r->io.out, "%s%s%s\n", prefix, text, suffix);
        return;
    }
    char *text = v ? print_format_variable(v, r->settings.digits) : strdup("none");
    fprintf(r->io.out, "%s%s%s\n", prefix, text ? text : "?", suffix);
    free(text);
}

/* A number of a chain-rule line: as :digits shows numbers (every digit
 * unless the session asked for fewer, as the tree beside it); a tensor's
 * first values (short_value) at 4 digits unless :digits says otherwise. */
static const char *num(const repl *r, double v, char *buf) { return ag_format_display(v, r->settings.digits, buf); }
static const char *num_short(const repl *r, double v, char *buf) { return ag_format_double(v, digits(r), buf); }

/* The factor ∂d/∂e of "g × ∂ = c" when every digit shows: the shortest
 * decimal f with g × f = c exactly as the double product, not c / g, which
 * can end in noise (0.96 × 3.0000000000000004 for a product's 3). */
static const char *factor(const repl *r, double g, double c, char *buf) {
    if (r->settings.digits > 0) return num(r, c / g, buf);
    for (int k = 1; k <= 17; k++) {
        double f = strtod(ag_format_double(c / g, k, buf), NULL);
        if (g * f == c) return ag_format_display(f, 0, buf);
    }
    return ag_format_display(c / g, 0, buf);
}

/* A tensor in one short phrase: "[2 3] (0.1, 0.2, 0.3, …)"; a scalar as its number. */
static void short_value(const repl *r, const ag_var *v, char *buf, size_t n) {
    char nb[AG_NUMBUF];
    if (ag_size(v) == 1) {
        snprintf(buf, n, "%s", num(r, ag_item(v), nb));
        return;
    }
    size_t used = 0;
    used += (size_t)snprintf(buf + used, n - used, "[");
    for (int d = 0; d < ag_ndim(v) && used < n; d++)
        used += (size_t)snprintf(buf + used, n - used, d ? " %d" : "%d", ag_shape(v)[d]);
    used += used < n ? (size_t)snprintf(buf + used, n - used, "] (") : 0;
    size_t shown = ag_size(v) < SHOWN_VALUES ? ag_size(v) : SHOWN_VALUES;
    for (size_t i = 0; i < shown && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %s" : "%s", num_short(r, ag_cdata(v)[i], nb));
    if (used < n) snprintf(buf + used, n - used, ag_size(v) > shown ? ", …)" : ")");
}

static receiver *find_receiver(stepper *s, const ag_var *v) {
    size_t i = ptrmap_get(&s->recv_index, v);
    return i == PTRMAP_NONE ? NULL : &s->recv[i];
}

static bool seen_func(const stepper *s, const ag_func *f) { return ptrmap_get(&s->seen_index, f) != PTRMAP_NONE; }

/* Marks f seen and pushes it on the walk's stack (seen doubles as the stack:
 * functions are taken from *next onwards).  -1 when out of memory. */
static int see(stepper *s, ag_func *f) {
    if (!ARRAY_RESERVE(s->seen, s->capseen, (size_t)s->nseen, 1) ||
        !ptrmap_put(&s->seen_index, f, (size_t)s->nseen))
        return -1;
    s->seen[s->nseen++] = f;
    return 0;
}

/* Records one use of x (a new receiver the first time, with any .grad it
 * already has as the first term).  -1 when out of memory. */
static int add_use(stepper *s, ag_var *x) {
    receiver *rc = find_receiver(s, x);
    if (rc == NULL) {
        if (!ARRAY_RESERVE(s->recv, s->caprecv, (size_t)s->nrecv, 1) ||
            !ptrmap_put(&s->recv_index, x, (size_t)s->nrecv))
            return -1;
        rc = &s->recv[s->nrecv++];
        *rc = (receiver){.v = x, .scalar = ag_size(x) == 1};
        const ag_var *g = ag_grad(x);
        if (g != NULL) {
            rc->prior = true;
            if (rc->scalar) rc->total = ag_item(g);
            char text[256];
            short_value(s->r, g, text, sizeof text);
            strbuf_appendf(&rc->terms, "%s (kept from before)", text);
            rc->nterms = 1;
        }
    }
    rc->uses++;
    return 0;
}

/* Counts, for every variable, the uses backward will send gradient through:
 * every input slot of every function reachable from root (iterative, so a
 * long chain cannot overflow the stack).  -1 when out of memory. */
static int count_uses(stepper *s, ag_func *root) {
    if (see(s, root) < 0) return -1;
    for (int next = 0; next < s->nseen; next++) {
        ag_func *f = s->seen[next];
        for (int i = 0; i < ag_func_ninputs(f); i++) {
            ag_var *x = ag_func_input(f, i);
            if (x == NULL || (ag_var_flags(x) & AG_VAR_CONST)) continue;
            if (add_use(s, x) < 0) return -1;
            ag_func *creator = ag_creator(x);
            if (creator && !seen_func(s, creator) && see(s, creator) < 0) return -1;
        }
    }
    return 0;
}

/* The line for input i of f, whose output is d and whose incoming gradient is gy. */
static void chain_line(stepper *s, ag_func *f, int i, const ag_var *gy, const ag_var *gx) {
    repl *r = s->r;
    ag_var *x = ag_func_input(f, i);
    receiver *rc = find_receiver(s, x);
    char e[96], d[96], nb[3][AG_NUMBUF];
    variable_label(x, e, sizeof e);
    variable_label(ag_func_output(f, 0), d, sizeof d);
    bool several = rc && (rc->uses > 1 || rc->prior);
    const char *op = several ? "+=" : "=";
    char term[256];
    short_value(r, gx, term, sizeof term);
    if (ag_size(gx) == 1 && gy && ag_size(gy) == 1) {
        double g = ag_item(gy), c = ag_item(gx);
        if (g != 0)
            fprintf(r->io.out, "  %s.grad %s %s.grad × ∂%s/∂%s = %s × %s = %s", e, op, d, d, e, num(r, g, nb[0]),
                    factor(r, g, c, nb[1]), num(r, c, nb[2]));
        else
            fprintf(r->io.out, "  %s.grad %s %s.grad × ∂%s/∂%s = 0 × ∂%s/∂%s = %s", e, op, d, d, e, d, e,
                    num(r, c, nb[2]));
    } else {
        char incoming[256];
        if (gy) short_value(r, gy, incoming, sizeof incoming);
        else snprintf(incoming, sizeof incoming, "none");
        fprintf(r->io.out, "  %s.grad %s %s.grad × ∂%s/∂%s: %s → %s", e, op, d, d, e, incoming, term);
    }
    if (rc == NULL) {
        fputc('\n', r->io.out);
        return;
    }
    if (rc->nterms < SHOWN_TERMS) {
        if (rc->terms.length && ag_size(gx) == 1 && ag_item(gx) < 0) { /* a − b, not a + -b */
            char positive[AG_NUMBUF];
            strbuf_appendf(&rc->terms, " − %s", num(r, -ag_item(gx), positive));
        } else {
            if (rc->terms.length) strbuf_append(&rc->terms, " + ");
            strbuf_append(&rc->terms, term);
        }
    }
    rc->nterms++;
    bool more_here = false; /* x also feeds a later input of this same function */
    for (int j = i + 1; j < ag_func_ninputs(f); j++)
        if (ag_func_input(f, j) == x) more_here = true;
    if (rc->scalar && ag_size(gx) == 1) {
        rc->total = rc->arrived == 0 && !rc->prior ? ag_item(gx) : rc->total + ag_item(gx);
        if (several) fprintf(r->io.out, " (so far %s)", num(r, rc->total, nb[0]));
    } else if (several && !more_here && ag_grad(x)) {
        char now[256];
        short_value(r, ag_grad(x), now, sizeof now);
        fprintf(r->io.out, " (so far %s)", now);
    }
    fputc('\n', r->io.out);
    rc->arrived++;
    if (rc->arrived == rc->uses && several) {
        char final[256];
        if (rc->scalar && ag_size(gx) == 1) num(r, rc->total, final);
        else if (ag_grad(x)) short_value(r, ag_grad(x), final, sizeof final);
        else snprintf(final, sizeof final, "?");
        fprintf(r->io.out, "  %s.grad = %s", e, rc->terms.data ? rc->terms.data : "");
        if (rc->nterms > SHOWN_TERMS) fprintf(r->io.out, " + … (%d terms)", rc->nterms);
        fprintf(r->io.out, " = %s\n", final);
    }
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In a front end with its own input (the Jupyter kernel): pace seconds,
 * or a line asked for through it (Enter goes on, q runs to the end); an
 * interrupt stops the waiting, and the statement after the pass. */
static void wait_in_front_end(stepper *s) {
    repl *r = s->r;
    if (s->pace > 0) { /* a step every pace seconds, its drawing's time included */
        struct timespec slice = {0, 10 * 1000 * 1000};
        while (seconds_now() - s->step_began < s->pace && !repl_interrupted) nanosleep(&slice, NULL);
    } else {
        char line[64], reason[REPL_INPUT_REASON] = "";
        int got = r->io.input(r->io.input_user, "[Enter: go on, q: run to the end] ", line, sizeof line, reason);
        if (got == 0) {
            fflush(r->io.out);
            fprintf(r->io.err, "note: step=true waits for Enter after each step, but %s; the steps run to the end "
                               "(step=0.5 plays them at 0.5 s each)\n", reason);
            fflush(r->io.err);
        }
        if (got == 1 && line[0] != 'q') return;
        s->waiting = false;
    }
    if (repl_interrupted) s->waiting = false;
}

/* Waits for Enter (pace 0) or pace seconds, either ended early by a line;
 * a line starting with q stops all further waiting. */
static void wait_for_next(stepper *s) {
    repl *r = s->r;
    if (r->io.input != NULL) {
        wait_in_front_end(s);
        return;
    }
    if (s->pace <= 0) {
        fputs("  [Enter: go on, q: run to the end] ", r->io.out);
        fflush(r->io.out);
    }
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int ms = s->pace > 0 ? (int)(s->pace * 1000) : -1;
    if (poll(&p, 1, ms) <= 0) return; /* the step's time is up */
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL || line[0] == 'q') s->waiting = false;
}

static bool on_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    stepper *s = user;
    repl *r = s->r;
    char label[128];
    ag_func_label(f, label, sizeof label);
    s->step_began = seconds_now();
    fprintf(r->io.out, "step %d: %s\n", ++s->step, label);
    int noutputs = ag_func_noutputs(f);
    for (int i = 0; i < noutputs; i++) {
        char prefix[48];
        if (noutputs == 1) snprintf(prefix, sizeof prefix, "  incoming grad: ");
        else snprintf(prefix, sizeof prefix, "  incoming grad %d: ", i + 1);
        print_var_line(r, prefix, gys[i], "");
    }
    for (int i = 0; i < ag_func_ninputs(f); i++) {
        ag_var *x = ag_func_input(f, i);
        if (ag_var_flags(x) & AG_VAR_CONST) continue;
        if (gxs[i] == NULL) {
            receiver *rc = find_receiver(s, x);
            if (rc) rc->arrived++;
            continue;
        }
        if (noutputs == 1) {
            chain_line(s, f, i, gys[0], gxs[i]);
        } else {
            char name[96], prefix[128];
            variable_label(x, name, sizeof name);
            snprintf(prefix, sizeof prefix, "  %s += ", name);
            print_var_line(r, prefix, gxs[i], "");
        }
    }
    fflush(r->io.out);
    repl_viz_step(r->viz, s->y, f, s->print_tree);
    if (s->waiting) wait_for_next(s);
    return !repl_interrupted; /* an interrupt: no more steps shown, the pass ends */
}

int repl_backward_steps(repl *r, ag_var *y, ag_backward_opts *opts, double pace) {
    stepper s = {.r = r, .y = y, .pace = pace, .waiting = r->settings.interactive || r->io.input != NULL,
                 .print_tree = repl_viz_timeout_ms(r->viz) < 0};
    char name[96];
    variable_label(y, name, sizeof name);
    bool seeded = ag_grad(y) != NULL;
    r->io.step_display_id[0] = '\0'; /* the steps of this pass play in a new output */
    fprintf(r->io.out, "backward from %s, one function per step\n", name);
    if (s.waiting && pace > 0 && r->io.input != NULL) {
        char nb[AG_NUMBUF];
        fprintf(r->io.out, "  playing a step every %s s; Interrupt stops\n", ag_format_double(pace, 0, nb));
    } else if (s.waiting && pace > 0) {
        char nb[AG_NUMBUF];
        fprintf(r->io.out, "  playing a step every %s s; q then Enter runs to the end\n", ag_format_double(pace, 0, nb));
    }
    if (seeded) {
        print_var_line(r, "  seed (preset grad): ", ag_grad(y), "");
    } else {
        /* what ag_backward will seed with: ones shaped like y */
        ag_var *ones = ag_ones_like(r->ctx, y);
        print_var_line(r, "  seed: ", ones, "");
    }
    int rc = 0;
    if (ag_creator(y) == NULL) fputs("  (a leaf: nothing to step through)\n", r->io.out);
    else if (count_uses(&s, ag_creator(y)) < 0) rc = repl_error(r, "backward: out of memory");
    if (rc == 0) {
        opts->step = on_step;
        opts->step_user = &s;
        if (ag_backward(r->ctx, y, opts) < 0) rc = engine_error(r);
    }
    if (rc == 0) {
        repl_note_no_graph(r, y);
        repl_viz_step(r->viz, y, NULL, s.print_tree);
        fprintf(r->io.out, "done: %d step%s\n", s.step, s.step == 1 ? "" : "s");
    }
    if (rc == 0 && repl_interrupted) { /* the gradients of the whole pass are kept */
        repl_interrupted = 0;
        rc = repl_error(r, "interrupted");
    }
    for (int i = 0; i < s.nrecv; i++) free(s.recv[i].terms.data);
    free(s.recv);
    free(s.seen);
    ptrmap_free(&s.seen_index);
    ptrmap_free(&s.recv_index);
    return rc;
}
