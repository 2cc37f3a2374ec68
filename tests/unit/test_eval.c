/* test_eval.c — the evaluator seen from C: memory stays flat over long
 * loops and :reset frees everything, the argument binder's messages, name
 * suggestions, completion, run statuses, interrupts, and a fuzz run of
 * random token soups and random bytes that must never crash. */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#ifdef TEST_ASAN
/* the sanitizer runtime's (sanitizer/allocator_interface.h, which gcc does not install) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "ag_optim.h"
#include "builtins.h"
#include "repl_internal.h"
#include "repl.h"

/* A session whose output and errors are collected in memory. */
typedef struct session {
    repl *r;
    char *out_text, *err_text;
    size_t out_length, err_length;
    FILE *out, *err;
} session;

static void session_open(session *s) {
    memset(s, 0, sizeof *s);
    s->out = open_memstream(&s->out_text, &s->out_length);
    s->err = open_memstream(&s->err_text, &s->err_length);
    assert_non_null(s->out);
    assert_non_null(s->err);
    repl_options opts = {.headless = true, .out = s->out, .err = s->err};
    s->r = repl_new(&opts);
    assert_non_null(s->r);
}

/* Runs src as typed on stdin; returns the status. */
static int run(session *s, const char *src) { return repl_run(s->r, src, "<stdin>", 1); }

static const char *out_of(session *s) {
    fflush(s->out);
    return s->out_text ? s->out_text : "";
}

static const char *err_of(session *s) {
    fflush(s->err);
    return s->err_text ? s->err_text : "";
}

static void session_close(session *s) {
    repl_free(s->r);
    fclose(s->out);
    fclose(s->err);
    free(s->out_text);
    free(s->err_text);
}

/* ---- memory ------------------------------------------------------------------------ */

/* What ag_gc_auto lets live between collections, in nodes: a nursery (64
 * KiB, and its survivors of one young collection: 256 KiB is a loose bound)
 * plus what young collections promoted since the last full one (up to 1
 * MiB, or what that one kept), with that, at 136 bytes or more a node. */
#define LIVE_NODES_BOUND (((256u << 10) + (2u << 20)) / 136u)

static void test_memory_stays_flat(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 0.5\n"), REPL_OK);
    assert_int_equal(run(&s, "for i in range(100000) { y = sin(x) * x; y.backward(); x.cleargrad() }\n"),
                     REPL_OK);
    /* collections are paced by allocation: at most the nursery and what
     * young collections promoted since the last full one are live, not
     * 100000 iterations' worth (700,000 nodes) */
    ag_ctx *ctx = repl_ctx(s.r);
    assert_true(ag_live_vars(ctx) + ag_live_funcs(ctx) < LIVE_NODES_BOUND);
    ag_gc(ctx); /* x, y and y's small graph: a handful of nodes */
    assert_true(ag_live_vars(ctx) < 16);
    assert_true(ag_live_funcs(ctx) < 8);
    /* inside one long statement the collector ran too */
    size_t young = ag_gc_stats(ctx).young_collections;
    assert_int_equal(run(&s, "def step(v) { z = sin(v) * v; z.backward(); v.cleargrad(); return z }\n"
                             "for i in range(60000) { w = step(x) }\n"),
                     REPL_OK);
    assert_true(ag_gc_stats(ctx).young_collections > young);
    assert_true(ag_live_vars(ctx) + ag_live_funcs(ctx) < LIVE_NODES_BOUND);
    ag_gc(ctx);
    assert_true(ag_live_vars(ctx) < 24);
    assert_int_equal(run(&s, ":reset\n"), REPL_OK);
    assert_int_equal(ag_live_vars(repl_ctx(s.r)), 0);
    assert_int_equal(ag_live_funcs(repl_ctx(s.r)), 0);
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* f(x) of a one-variable elementwise built-in runs its row's engine op
 * straight from the call (call.c, call_unary_direct); f(x=x) binds its
 * argument and runs the built-in's own function.  Both give the same value
 * and the same gradient, for every such row, and a number, a list and a
 * string still reach the built-in (a number is a constant, a list a
 * tensor, a string the built-in's error at the call). */
static void test_unary_builtins_called_directly(void **state) {
    (void)state;
    const char *names[] = {"neg", "exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "square", "sigmoid", "relu",
                           "gelu"};
    session s;
    session_open(&s);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char script[400];
        snprintf(script, sizeof script,
                 "x = 0.3\na = %s(x)\na.backward()\nga = x.grad\nx.grad = none\n"
                 "b = %s(x=x)\nb.backward()\nprint(a.item() == b.item(), ga.item() == x.grad.item())\n",
                 names[i], names[i]);
        assert_int_equal(run(&s, script), REPL_OK);
        char expected[11 * 12 + 1] = "";
        for (size_t k = 0; k <= i; k++) strcat(expected, "true true\n");
        if (strcmp(out_of(&s), expected) != 0) fail_msg("%s: %s", names[i], out_of(&s));
    }
    session_close(&s);
    session_open(&s);
    assert_int_equal(run(&s, "print(sin(0.5), sin([0.5, 1.0]).shape)\n"), REPL_OK);
    assert_string_equal(out_of(&s), "variable(0.479425538604203) [2]\n");
    assert_int_equal(run(&s, "sin(\"a\")\n"), REPL_ERROR);
    assert_string_equal(err_of(&s),
                        "<stdin>:1:1: error: sin: x must be a variable or number, not a string\n  sin(\"a\")\n  ^\n");
    session_close(&s);
}

/* A loop body's statements take short paths (exec.c, assign.c): a call
 * statement runs without exec_statement's frame, `x -= lr * x.grad` updates
 * the leaf from its binding's slot, and the summed-gradient note's common
 * answer is inline.  What the loop prints and reports stays the same:
 * cleargrad rebound mid-loop to a def is the def from then on, a .grad
 * summed over two backward calls is noted once, and an unknown function in
 * a call statement inside a def is an error at the call, with the def's
 * caller. */
static void test_loop_body_statements(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 2.0\nlr = 0.1\ndef twice(v) { print(\"cleared\", v) }\n"
                             "for i in range(3) { if i == 1 { cleargrad = twice }\n"
                             "cleargrad(x); y = x * x; y.backward(); x -= lr * x.grad }\n"
                             "print(x, x.grad)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "cleared x(1.6)\ncleared x(0.8800000000000001)\n"
                                    "x(-0.016000000000000014) variable(8.96)\n");
    assert_string_equal(err_of(&s), "note: x.grad adds up the gradients of 2 backward calls: nothing cleared it\n"
                                    "  and no optimizer updates it.  cleargrad(x) before each backward keeps only "
                                    "the last one's\n  (graphs mark such gradients with \u26a0)\n");
    session_close(&s);
    session_open(&s);
    assert_int_equal(run(&s, "w = 1.0\ndef step(n) { for i in range(n) { cleargrad(w); undefined_fn(w) } }\n"
                             "step(2)\n"),
                     REPL_ERROR);
    assert_string_equal(err_of(&s), "<stdin>:2:49: error: unknown name 'undefined_fn'\n"
                                    "  def step(n) { for i in range(n) { cleargrad(w); undefined_fn(w) } }\n"
                                    "                                                  ^\n"
                                    "  in step, called at <stdin>:3:1\n");
    assert_int_equal(run(&s, "print(w)\n"), REPL_OK);
    assert_string_equal(out_of(&s), "w(1)\n");
    session_close(&s);
}

/* An arithmetic operand's variable goes without a reference of its own
 * only when nothing can run before its op (eval.c, arith_operand_of): a
 * left operand beside a call keeps one, here through calls that make
 * enough to collect (a young collection would free an operand without a
 * root, and the values or ASan would show it). */
static void test_arithmetic_operands_beside_calls(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "a = 2.0\nb = 3.0\n"
                             "def f() { for i in range(300) { t = randn(100) }\n return 1.0 }\n"
                             "y = (a * b) + f()\nz = a * b - (a + f()) * (b * f())\nw = f() * a + b\n"
                             "v = a * (b + f())\ny.backward()\nz.backward()\n"
                             "print(y, z, w, v, a.grad, b.grad)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "y(7) z(-3) w(5) v(8) variable(3) variable(1)\n");
    session_close(&s);
}

/* NAME op= e looks at e's names last (assign.c, look_later), and not at
 * all once e reads a gradient: the rule's answer stays the same.  An
 * update (e reads x.grad, or a name bound to a gradient) changes x in
 * place; named variables and no gradient (a leaf, or an op's result whose
 * graph reaches one) record the op. */
static void test_update_rule_looks_at_names_last(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 1.0\na = 2.0\ny = x * a\ny.backward()\n"
                             "x -= a * x.grad\nprint(x, x.creator)\n"
                             "g = x.grad\nx -= a * g\nprint(x, x.creator)\n"
                             "z = a * 3\nx -= z * x.grad\nprint(x, x.creator)\n"
                             "x -= z * a\nprint(x, x.creator)\n"
                             "w = 1.5\nw += a * -a\nprint(w, w.creator)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "x(-3) none\nx(-7) none\nx(-19) none\nx(-31) Sub\nw(-2.5) Add\n");
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* An update statement of scalars (`x -= lr * x.grad`) runs the quick update
 * (assign.c, update_quick) as compound_assign's look answers it: each script
 * runs with the quick update and without (eval_update_quick_enabled), and
 * prints, notes and errors must be the same digit for digit.  Fixed scripts
 * (an optimizer loop, the summed-gradient note, a def's local and the
 * session's name, nograd, a gradient that is not finite, a recorded update)
 * and 300 random ones: targets a leaf, an op's result, a vector, a number, a
 * string; operands literals, names of leaves, of op results, of numbers, of
 * vectors, x.grad (none too), x.data, pi, an unknown name; + - * / ^. */
static void quick_run(bool quick, const char *const *chunks, int count, char **out, char **err) {
    session s;
    session_open(&s);
    eval_update_quick_enabled = quick;
    for (int i = 0; i < count; i++) run(&s, chunks[i]);
    eval_update_quick_enabled = true;
    *out = strdup(out_of(&s));
    *err = strdup(err_of(&s));
    assert_non_null(*out);
    assert_non_null(*err);
    session_close(&s);
}

static void quick_compare(const char *const *chunks, int count, bool *ran) {
    if (getenv("QUICK_DEBUG") && count > 2)
        for (int i = 0; i < count; i++) fprintf(stderr, "%s", chunks[i]);
    char *out_on, *err_on, *out_off, *err_off;
    unsigned long runs = eval_update_quick_runs;
    quick_run(true, chunks, count, &out_on, &err_on);
    if (eval_update_quick_runs != runs) *ran = true;
    runs = eval_update_quick_runs;
    quick_run(false, chunks, count, &out_off, &err_off);
    assert_int_equal(eval_update_quick_runs, runs);
    if (strcmp(out_on, out_off) != 0 || strcmp(err_on, err_off) != 0)
        fail_msg("%s\nquick:\n%s%s\nlook:\n%s%s", chunks[count - 1], out_on, err_on, out_off, err_off);
    free(out_on);
    free(err_on);
    free(out_off);
    free(err_off);
}

/* memo_valid (repl_internal.h), whose first tests compare the memo's owner
 * (the frame, or the session's address + 1) and names_generation, answers
 * as memo_valid_plain (the session, the frame and the generation compared
 * one by one) for every memo in every state: memos made by memo_keep and
 * memo_keep_past_frame (eval_memo_keep_for_test) in two sessions, at top
 * level and in two frames each session uses at the same addresses, then
 * checked from every session and frame while names come and go in the
 * frames (names_frames_generation), the session's names move
 * (names_generation, also made to reach a frame memo's generation without
 * its top bit), and a frame's slot is bound to another key. */
static void test_memo_valid_as_plain(void **state) {
    (void)state;
    session s[2];
    session_open(&s[0]);
    session_open(&s[1]);
    static const char *const keys[] = {"a", "b", "c", "d", "e", "f"};
    const char *binds[] = {"a", "b", "c"}; /* the def binds a b c, never d e f */
    user_function def = {.refcount = 1, .binds = binds, .nbinds = 3};
    name_table frames[2] = {{.frame = true, .function = &def}, {.frame = true, .function = &def}};
    name_table *places[3] = {NULL, &frames[0], &frames[1]};
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 3; k++) assert_true(names_set(&frames[f], keys[k], value_number(k)));
    enum { MEMOS = 24 };
    ast_memo memos[MEMOS];
    memset(memos, 0, sizeof memos);
    int other_binding; /* a built-in's or a session slot's stand-in */
    unsigned seed = 54;
    long fast_true = 0, fast_false = 0, frame_checked = 0;
    for (int step = 0; step < 4000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned pick = seed >> 8;
        repl *r = s[pick % 2].r;
        name_table *locals = places[(pick / 2) % 3];
        eval_set_locals(r, locals);
        switch ((pick / 6) % 6) {
        case 0:
        case 1: { /* a memo made here */
            ast_memo *m = &memos[(pick / 36) % MEMOS];
            const char *key = keys[(pick / 1000) % 6];
            if (locals != NULL && (pick / 36) % 2 == 0) {
                repl_value *slot = names_get(locals, key);
                if (slot == NULL) {
                    assert_true(names_set(locals, key, value_number(1)));
                    slot = names_get(locals, key);
                }
                eval_memo_keep_for_test(r, m, (pick / 72) % 2 ? MEMO_LOCAL : MEMO_BIND, slot, key, false);
            } else {
                eval_memo_keep_for_test(r, m, MEMO_SESSION, &other_binding, key, (pick / 72) % 2 == 0);
            }
            break;
        }
        case 2: names_generation++; break;
        case 3: { /* a frame's names move: cleared and bound again in another order, or one more */
            name_table *f = &frames[(pick / 36) % 2];
            if ((pick / 72) % 3 == 0) {
                names_clear(f);
                for (int k = 0; k < 3; k++) assert_true(names_set(f, keys[(k + pick / 216) % 6], value_number(k)));
            } else {
                assert_true(names_set(f, keys[(pick / 216) % 6], value_number(2)));
            }
            break;
        }
        case 4: { /* names_generation reaches a memo's generation without its top bit */
            unsigned long g = memos[(pick / 36) % MEMOS].generation & ~MEMO_FRAME_GENERATION;
            if (g > names_generation) names_generation = g;
            break;
        }
        default: names_frames_generation++; break;
        }
        for (int i = 0; i < 2; i++)
            for (int p = 0; p < 3; p++) {
                eval_set_locals(s[i].r, places[p]);
                for (int k = 0; k < MEMOS; k++) {
                    bool fast = memo_valid(s[i].r, &memos[k]), plain = memo_valid_plain(s[i].r, &memos[k]);
                    if (fast != plain)
                        fail_msg("step %d memo %d session %d place %d: memo_valid %d, plain %d", step, k, i, p,
                                 fast, plain);
                    if (fast)
                        fast_true++;
                    else
                        fast_false++;
                    if (fast && places[p] != NULL) frame_checked++;
                }
            }
    }
    /* both answers are common, inside frames too */
    assert_true(fast_true > 10000);
    assert_true(fast_false > 10000);
    assert_true(frame_checked > 2000);
    for (int i = 0; i < 2; i++) {
        eval_set_locals(s[i].r, NULL);
        session_close(&s[i]);
    }
    names_clear(&frames[0]);
    names_clear(&frames[1]);
    print_message("memo_valid: %ld valid, %ld not, %ld in frames\n", fast_true, fast_false, frame_checked);
}

/* eval_too_deep's one comparison (eval_stack_over, from and span set by
 * eval_set_stack) says what the plain distance test says, for addresses on
 * both sides of the base, at the budget's edges, near the address range's
 * top, and for budgets 0 to 64 MiB. */
static void test_stack_over_as_plain(void **state) {
    (void)state;
    /* (no address within 3 budgets of a base wraps around: a stack's do not) */
    const uintptr_t bases[] = {(uintptr_t)1 << 28, (uintptr_t)0x7ffd12345678ull, UINTPTR_MAX / 2,
                               UINTPTR_MAX - ((uintptr_t)1 << 28)};
    const size_t budgets[] = {0, 1, 4096, (size_t)96 << 10, (size_t)64 << 20};
    unsigned seed = 7;
    long over = 0, within = 0;
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++)
        for (size_t g = 0; g < sizeof budgets / sizeof *budgets; g++) {
            uintptr_t base = bases[b];
            size_t budget = budgets[g];
            uintptr_t from = base - budget;
            size_t span = 2 * budget;
            for (int i = 0; i < 2000; i++) {
                seed = seed * 1103515245u + 12345u;
                uintptr_t delta = i < 8 ? (uintptr_t)budget + (uintptr_t)(i % 4) - 1 /* the edges */
                                        : (uintptr_t)(seed >> 4) % ((uintptr_t)3 * budget + 3);
                uintptr_t now = i % 2 ? base + delta : base - delta;
                bool plain = eval_stack_over_plain(now, base, budget);
                assert_int_equal(eval_stack_over(now, from, span), plain);
                if (plain)
                    over++;
                else
                    within++;
            }
        }
    assert_true(over > 10000 && within > 10000);
    session s; /* a statement's own bounds */
    session_open(&s);
    assert_int_equal(run(&s, "x = 1\n"), REPL_OK);
    assert_true(s.r->eval.stack_from == s.r->eval.stack_base - s.r->eval.stack_budget);
    assert_true(s.r->eval.stack_span == 2 * s.r->eval.stack_budget && s.r->eval.stack_budget > 0);
    session_close(&s);
}

/* The quick update finds x.data and x.grad by their rows' places in the
 * attribute table (ATTRIBUTE_ROW_DATA, ATTRIBUTE_ROW_GRAD), and the row an
 * attribute node remembers is the one its name finds. */
static void test_attribute_rows(void **state) {
    (void)state;
    assert_string_equal(repl_variable_attribute_table[ATTRIBUTE_ROW_DATA].name, "data");
    assert_string_equal(repl_variable_attribute_table[ATTRIBUTE_ROW_GRAD].name, "grad");
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 2.0\ny = x * x\ny.backward()\nfor i in range(3) { x -= 0.25 * x.grad }\n"
                             "print(x, x.grad, x.data, x.shape)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "x(-1) variable(4) variable(-1) []\n"); /* as main printed it */
    session_close(&s);
}

static void test_update_quick_matches_look(void **state) {
    (void)state;
    const char *setup = "a = 0.7\nb = -1.3\nlr = 0.01\nn = 3\nbig = 1e308\nv = [1.0, 2.0]\nstr = \"s\"\n"
                        "c = a * 2\ny = a * a * b + c * sum(v * a)\ny.backward()\n";
    const char *fixed[] = {
        "for i in range(20) { cleargrad(a, b); y = 100 * (b - a^2)^2 + (a - 1)^2; y.backward()\n"
        " a -= 0.001 * a.grad\n b -= 0.001 * b.grad }\nprint(a, b, a.grad, a.creator)\n",
        "y = a * b\ny.backward()\ny.backward()\na -= lr * a.grad\nb -= b.grad / n\nprint(a, b)\n",
        "def step(p) { p -= lr * p.grad\n return p }\nq = step(a)\nprint(q, a)\n"
        "def all() { a -= lr * a.grad\n b += a.grad * 0.5 }\nall()\nprint(a, b)\n",
        "nograd { a -= lr * a.grad }\nprint(a)\na -= big * a.grad\nprint(a)\nb *= big * big\nprint(b)\n",
        "a -= lr * b\nprint(a, a.creator)\nb -= 2 * a.data\nprint(b, b.creator)\n"
        "c -= lr * a.grad\nprint(c, c.creator)\n",
        "cleargrad(a)\na -= lr * a.grad\nv -= lr * v\nprint(v)\nn -= lr * n\nprint(n)\n",
    };
    bool ran = false;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        const char *chunks[] = {setup, fixed[i]};
        quick_compare(chunks, 2, &ran);
    }
    assert_true(ran); /* the quick update ran */
    /* the fixed optimizer loop's numbers, as the look gave them */
    {
        const char *chunks[] = {setup, fixed[0]};
        char *out, *err;
        quick_run(true, chunks, 2, &out, &err);
        assert_string_equal(out,
                            "a(0.050862203834873755) b(-0.011255328198502066) variable(-1.5640655692249705) none\n");
        assert_string_equal(err, "");
        free(out);
        free(err);
    }

    const char *targets[] = {"a", "b", "c", "v", "n", "str", "a", "b"};
    const char *operands[] = {"0.5",    "-2",     "a",    "b",  "c",  "n",     "lr",     "a.grad", "b.grad",
                              "c.grad", "v.grad", "a.data", "v", "pi", "nosuch", "big", "a.grad", "lr"};
    const char *ops[] = {" + ", " - ", " * ", " / ", "^"};
    const char *updates[] = {" -= ", " += ", " *= ", " /= "};
    /* each statement a chunk of its own: an error stops only its own */
    unsigned seed = 2026;
    char lines[20][160];
    const char *chunks[21] = {setup};
    unsigned long runs = eval_update_quick_runs;
    for (int t = 0; t < 300; t++) {
        int count = 1;
        for (int k = 0; k < 6; k++) {
            unsigned pick[5];
            for (int j = 0; j < 5; j++) {
                seed = seed * 1103515245u + 12345u;
                pick[j] = (seed >> 16) & 0x7fff;
            }
            const char *target = targets[pick[0] % 8];
            if (pick[4] % 11 == 0) chunks[count++] = "y.backward()\n";
            if (pick[4] % 13 == 1) chunks[count++] = "cleargrad(a, b)\n";
            snprintf(lines[k], sizeof lines[k], "%s%s%s%s%s\nprint(%s)\n", target, updates[pick[1] % 4],
                     operands[pick[2] % 18], ops[pick[3] % 5], operands[pick[4] % 18], target);
            chunks[count++] = lines[k];
        }
        chunks[count++] = "print(a.creator, b.creator, c.creator)\n";
        quick_compare(chunks, count, &ran);
    }
    if (getenv("QUICK_DEBUG")) fprintf(stderr, "quick updates %lu\n", eval_update_quick_runs - runs);
    assert_true(eval_update_quick_runs - runs >= 100); /* many random updates took the quick path */
}

/* cleargrad(x0, x1), backward(y) and y.backward() of names bound to
 * variables run their row's `vars` without binding arguments (call.c,
 * call_vars_direct).  What they print and report is what the general
 * path gives: here beside calls that take it (a list argument, a keyword),
 * the summed-gradient note, an engine error at the call with every value
 * kept, and a number among cleargrad's arguments. */
static void test_vars_builtins_called_directly(void **state) {
    (void)state;
    assert_non_null(builtin_find("backward")->vars);
    assert_non_null(builtin_find("cleargrad")->vars);
    assert_null(builtin_find("sin")->vars);
    const char *loops[] = {
        "for i in range(3) { cleargrad(a, b); y = a * a * b; y.backward(); backward(y); a -= lr * a.grad;"
        " b -= lr * b.grad }\n",
        "for i in range(3) { cleargrad([a], b); y = a * a * b; y.backward(retain_grad=false); backward(y=y);"
        " a -= lr * a.grad; b -= lr * b.grad }\n"};
    for (int i = 0; i < 2; i++) {
        session s;
        session_open(&s);
        assert_int_equal(run(&s, "a = 1.5\nb = -0.5\nlr = 0.1\n"), REPL_OK);
        assert_int_equal(run(&s, loops[i]), REPL_OK);
        assert_int_equal(run(&s, "print(a, b, a.grad, b.grad)\n"
                                 "for i in range(2) { a.cleargrad(); y = a * b; y.backward() }\n"
                                 "print(a.grad, b.grad)\n"),
                         REPL_OK);
        if (strcmp(out_of(&s), "a(4.0717728) b(-2.8320512000000004) variable(-15.877728000000001) variable(12.340512)\n"
                               "variable(-2.8320512000000004) variable(20.4840576)\n") != 0)
            fail_msg("loop %d: %s", i, out_of(&s));
        /* cleargrad ends each streak: noted again at every iteration */
#define SUMMED(v)                                                                                                   \
    "note: " v ".grad adds up the gradients of 2 backward calls: nothing cleared it\n  and no optimizer updates "   \
    "it.  cleargrad(" v ") before each backward keeps only the last one's\n  (graphs mark such gradients with "    \
    "\u26a0)\n"
        assert_string_equal(err_of(&s), SUMMED("a") SUMMED("b") SUMMED("a") SUMMED("b") SUMMED("a") SUMMED("b"));
#undef SUMMED
        session_close(&s);
    }
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 1.0\ny = x * x\nx -= 0.5\n"), REPL_OK);
    const char *changed = "error: backward: x was changed in place (version 1) after Mul used its value; compute "
                          "the graph again after the change, or change it after backward\n";
    char expected[1024];
    assert_int_equal(run(&s, "y.backward()\n"), REPL_ERROR);
    snprintf(expected, sizeof expected, "<stdin>:1:1: %s  y.backward()\n  ^\n", changed);
    assert_string_equal(err_of(&s), expected);
    assert_int_equal(run(&s, "backward(y)\n"), REPL_ERROR);
    snprintf(expected, sizeof expected, "<stdin>:1:1: %s  y.backward()\n  ^\n<stdin>:1:1: %s  backward(y)\n  ^\n",
             changed, changed);
    assert_string_equal(err_of(&s), expected);
    assert_int_equal(run(&s, "cleargrad(x, 2, y)\nprint(x, x.grad, y)\n"), REPL_OK);
    assert_string_equal(out_of(&s), "x(0.5) none y(1)\n");
    assert_string_equal(err_of(&s), expected);
    session_close(&s);
}

/* The short paths of a scalar loop's third pass against the general ones:
 * sin(a) as an arithmetic operand hands its result up without a reference
 * (eval_call_operand) unless a call comes after it, y.backward() borrows its
 * receiver and cleargrad(a, b) runs from the call statement
 * (call_vars_named), a loop's bindings are inline (eval_bind_name_memo).
 * The same loops through the general paths (keywords, a list argument)
 * print and note the same digits; sin rebound to a def mid-loop is the def
 * from then on; a call that collects after sin(a) (h rebound to a def while
 * the memos hold) finds sin(a)'s result kept (it fails when the call
 * operand always borrows: "a collected variable"); errors name the same
 * place. */
static void test_third_pass_paths_match_general(void **state) {
    (void)state;
    const char *loops[] = {
        "for i in range(3) { cleargrad(a, b); y = sin(a) * f() + cos(b) * 1.5; y.backward();"
        " a -= 0.1 * a.grad; b.cleargrad() }\n"
        "print(a, b, y, a.grad, b.grad)\n"
        "for i in range(3) { if i == 1 { sin = twice }\n"
        " z = f() * sin(a) - exp(b) * b; z.backward() }\n"
        "print(z, a.grad, b.grad)\n",
        "for i in range(3) { cleargrad([a], b); y = sin(x=a) * f() + cos(x=b) * 1.5;"
        " y.backward(retain_grad=false); a -= 0.1 * a.grad; cleargrad([b]) }\n"
        "print(a, b, y, a.grad, b.grad)\n"
        "for i in range(3) { if i == 1 { sin = twice }\n"
        " z = f() * sin(x=a) - exp(x=b) * b; backward(y=z) }\n"
        "print(z, a.grad, b.grad)\n"};
    for (int i = 0; i < 2; i++) {
        session s;
        session_open(&s);
        assert_int_equal(run(&s, "a = 0.7\nb = -1.3\n"
                                 "def f() { for i in range(300) { t = randn(100) }\n return 1.0 }\n"
                                 "def twice(x) { return x * 2 }\n"),
                         REPL_OK);
        assert_int_equal(run(&s, loops[i]), REPL_OK);
        if (strcmp(out_of(&s), "a(0.4566820159620675) b(-1.3) y(0.9173836259249277) variable(0.85650701481528) none\n"
                               "z(1.2676553628683513) variable(5.754027590046105) variable(0.24527861373061138)\n") != 0)
            fail_msg("loops %d: %s", i, out_of(&s));
#define SUMMED(v, n)                                                                                                \
    "note: " v ".grad adds up the gradients of " n " backward calls: nothing cleared it\n  and no optimizer "        \
    "updates it.  cleargrad(" v ") before each backward keeps only the last one's\n  (graphs mark such gradients "  \
    "with \u26a0)\n"
        assert_string_equal(err_of(&s), SUMMED("a", "4") SUMMED("b", "3"));
#undef SUMMED
        session_close(&s);
    }
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "a = 0.5\ndef g() { return g() }\ny = a * 3\n"), REPL_OK);
    assert_int_equal(run(&s, "w = sin(\"s\") * 2\n"), REPL_ERROR);
    assert_int_equal(run(&s, "w = sin(a) * \"s\"\n"), REPL_ERROR);
    assert_int_equal(run(&s, "w = sin(a) * g()\n"), REPL_ERROR);
    assert_string_equal(err_of(&s), "<stdin>:1:5: error: sin: x must be a variable or number, not a string\n"
                                    "  w = sin(\"s\") * 2\n      ^\n"
                                    "<stdin>:1:12: error: cannot multiply a variable of shape [] and a string\n"
                                    "  w = sin(a) * \"s\"\n             ^\n"
                                    "<stdin>:2:18: error: g: calls nested more than 400 deep (endless recursion?)\n"
                                    "  def g() { return g() }\n                   ^\n"
                                    "  in g, called at <stdin>:2:18 (399 times)\n"
                                    "  in g, called at <stdin>:1:14\n");
    /* sin(a) beside h(a), h rebound to a def that collects once the names'
     * memos hold (y bound before the loop): sin(a)'s result keeps its root */
    assert_int_equal(run(&s, "z = 0\ndef f2(x) { randn(20000)\n randn(20000)\n return x }\nh = cos\n"
                             "for i in range(3) { z = sin(a) * h(a); if i == 0 { h = f2 } }\nprint(z)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "z(0.2397127693021015)\n");
    /* a receiver that is no name takes the general path; y's the direct one */
    assert_int_equal(run(&s, "(a * 2).backward()\nfor i in range(2) { y.backward() }\nprint(a.grad, y)\n"), REPL_OK);
    assert_string_equal(out_of(&s), "z(0.2397127693021015)\nvariable(8) y(1.5)\n");
    session_close(&s);
}

/* Arithmetic trees run their flat plans (eval_plan.c) as
 * the walk evaluates them: the same values, graphs (tree), errors and
 * notes, in loops where a plan runs and where it declines (a loop counter,
 * sin rebound to a def, an unknown name, a stale memo), and for random trees
 * over names, literals, sin(a) and + - * / ^.  Each script runs with the
 * plans and without; the fixed one is also held to the numbers the walk
 * printed before the plans existed. */
static void plans_run(bool plans, const char *const *chunks, int count, char **out, char **err) {
    session s;
    session_open(&s);
    eval_plans_enabled = plans;
    for (int i = 0; i < count; i++) run(&s, chunks[i]);
    eval_plans_enabled = true;
    *out = strdup(out_of(&s));
    *err = strdup(err_of(&s));
    assert_non_null(*out);
    assert_non_null(*err);
    session_close(&s);
}

static void test_arith_plans_match_walk(void **state) {
    (void)state;
    const char *chunks[] = {
        "a = 0.7\nb = -1.3\ndef twice(x) { return x * 2 }\n",
        "for i in range(5) { y = 100 * (b - a^2)^2 + (a - 1)^2 + 2^a - 3 / b + -1.5 * sin(a) + a / -2 }\n"
        "print(y, a.grad)\ny.backward()\nprint(a.grad, b.grad)\n",
        "for i in range(5) { z = sin(a) * 1.0001 + 0.0001 * a; if i == 1 { sin = twice } }\nprint(z)\n",
        "sin = cos\nfor i in range(5) { w = a * i + b; v = a - (b - (a - (b * 2))) }\nprint(w, v)\n",
        "u = a * 3 + a * 3\ntree(u)\n",
        "q = a @ b\n",
        "q = a * nosuch + 1\n",
        "k = 0.5\nfor i in range(2) { t = k * a; k = 2 }\nprint(t)\n",
        "for i in range(2) { t = k * a; k = \"s\" }\n",
        "m = [[1.0, 2.0]]\nfor i in range(2) { t = m * a + b; m = a }\nprint(t)\n",
        "tree(y)\n",
    };
    int count = (int)(sizeof chunks / sizeof chunks[0]);
    char *out_on, *err_on, *out_off, *err_off;
    unsigned long runs = eval_plan_runs;
    plans_run(true, chunks, count, &out_on, &err_on);
    assert_true(eval_plan_runs - runs >= 6); /* the plans ran */
    runs = eval_plan_runs;
    plans_run(false, chunks, count, &out_off, &err_off);
    assert_int_equal(eval_plan_runs, runs);
    assert_string_equal(out_on, out_off);
    assert_string_equal(err_on, err_off);
    assert_non_null(strstr(out_on, "y(323.1158705695482) none\nvariable(500.078757635948) variable(-356.2248520710059)\n"
                                   "z(1.40021)\nw(1.4999999999999998) v(5.3)\n"));
    assert_non_null(strstr(out_on, "u = 4.199999999999999 (grad: none) \u2190 Add\n"
                                   "\u251c\u2500\u2500 2.0999999999999996 (grad: none) \u2190 Mul\n"
                                   "\u2502   \u251c\u2500\u2500 a = 0.7 (grad 500.078757635948)\n"
                                   "\u2502   \u2514\u2500\u2500 3\n"));
    assert_non_null(strstr(out_on, "\u2502   \u2502   \u2514\u2500\u2500 b: -2.3076923076923075 (grad\u207a -1) \u2190 Div\n"));
    assert_non_null(strstr(err_on, "<stdin>:1:7: error: matmul: shapes [] and []: a 0-d value has no axis to multiply over (use *)\n"));
    assert_non_null(strstr(err_on, "unknown name 'nosuch'"));
    free(out_on);
    free(err_on);
    free(out_off);
    free(err_off);

    /* random trees: leaves a, b, c (a leaf, an op's result, then a
     * vector), the loop's counter i (a plain number: no plan), literals
     * (signed too) and sin(a); ops + - * / ^ */
    unsigned seed = 12345;
    char chunk[2048];
    runs = eval_plan_runs;
    for (int t = 0; t < 150; t++) {
        char expr[1024];
        int length = 0;
        /* a tree in prefix order, written out with parentheses */
        int pending = 1, depth_left = 9;
        const char *leaves[] = {"a", "b", "c", "2", "0.5", "-3", "sin(a)", "-1.5", "i", "a", "b", "c"};
        const char *ops[] = {" + ", " - ", " * ", " / ", "^"};
        int stack_close[64], top = 0;
        while (pending > 0 && length < 900) {
            seed = seed * 1103515245u + 12345u;
            unsigned pick = (seed >> 16) & 0x7fff;
            if (depth_left > 0 && pick % 3 != 0) { /* an op: "(" left OP right ")" */
                depth_left--;
                length += snprintf(expr + length, sizeof expr - (size_t)length, "(");
                stack_close[top++] = (int)(pick / 3 % 5);
                pending++; /* one operand becomes two */
                continue;
            }
            length += snprintf(expr + length, sizeof expr - (size_t)length, "%s", leaves[pick / 3 % 12]);
            pending--;
            /* close every op whose right operand is done; write the op of the one waiting for its right */
            while (top > 0) {
                if (stack_close[top - 1] >= 0) { /* its left operand is done: the operator, then the right */
                    length += snprintf(expr + length, sizeof expr - (size_t)length, "%s", ops[stack_close[top - 1]]);
                    stack_close[top - 1] = -1;
                    break;
                }
                length += snprintf(expr + length, sizeof expr - (size_t)length, ")");
                top--;
            }
        }
        snprintf(chunk, sizeof chunk,
                 "for i in range(5) { y = %s; if i == 1 { c = sin(a) }\n if i == 2 { c = [1.0, 2.0] } }\n"
                 "print(y)\ntree(y)\ny.backward()\nprint(a.grad, b.grad)\n",
                 expr);
        const char *script[] = {"a = 0.7\nb = -1.3\nc = 0.25\n", chunk};
        plans_run(true, script, 2, &out_on, &err_on);
        plans_run(false, script, 2, &out_off, &err_off);
        if (strcmp(out_on, out_off) != 0 || strcmp(err_on, err_off) != 0)
            fail_msg("%s\nplans:\n%s%s\nwalk:\n%s%s", chunk, out_on, err_on, out_off, err_off);
        if (getenv("PLAN_DEBUG")) fprintf(stderr, "%s%s", chunk, out_on);
        free(out_on);
        free(err_on);
        free(out_off);
        free(err_off);
    }
    if (getenv("PLAN_DEBUG")) fprintf(stderr, "plan runs %lu\n", eval_plan_runs - runs);

    /* a sum of 300,000 terms nests as deep to the left: its plan is refused
     * at PLAN_STEPS levels, before the recursion takes the stack (it
     * overflowed 8 MiB when it looked at the whole spine) */
    size_t terms = 300000;
    char *sum = malloc(terms * 4 + 32);
    assert_non_null(sum);
    size_t at = (size_t)sprintf(sum, "y = a");
    for (size_t i = 1; i < terms; i++) at += (size_t)sprintf(sum + at, " + a");
    sprintf(sum + at, "\nprint(y)\n");
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "a = 0.5\n"), REPL_OK);
    assert_int_equal(run(&s, sum), REPL_OK);
    assert_string_equal(out_of(&s), "y(150000)\n");
    session_close(&s);
    free(sum);
    assert_true(eval_plan_runs - runs >= 100); /* the plans ran for many (105) */
}

/* A def call's frame moves only what names found inside defs meant
 * (memo_generation): a loop that calls defs looks its own names up once
 * (each frame made every memo look again: a Rosenbrock step through a def
 * cost 2.4 times the step written out).  Each iteration looks up only the
 * defs' locals at their first binding in a call, 2 names of the defs' 10:
 * a def's parameters and the locals it has bound are found in its frame's
 * slots as at the last call (memo_frame_slot_holds), and a session name
 * the def never binds where it was (memo_keep_past_frame).
 * What the names mean is unchanged: a def's local a and parameter x shadow
 * the session's inside it only, and a session name the loop rebinds is
 * seen from then on, inside the defs too. */
static void test_def_calls_keep_loop_memos(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "a = 1.0\nx = 0.5\nc = 0\n"
                             "def f(p, q) { a = p * q\n t = a + x\n return t + c }\n"
                             "def g(x) { return x * a }\n"),
                     REPL_OK);
    unsigned long m0 = s.r->eval.memos_made;
    assert_int_equal(run(&s, "f(x, 2.0) + g(3.0)\n"), REPL_OK);
    unsigned long made_alone = s.r->eval.memos_made - m0, m1;
    /* y and b bound first: a name bound anew moves the session's names */
    assert_int_equal(run(&s, "for i in range(2) { y = f(x, 2.0) + g(3.0); b = a + y }\n"), REPL_OK);
    m1 = s.r->eval.memos_made;
    assert_int_equal(run(&s, "for i in range(100) { y = f(x, 2.0) + g(3.0); b = a + y }\n"), REPL_OK);
    unsigned long m2 = s.r->eval.memos_made;
    assert_int_equal(run(&s, "for i in range(200) { y = f(x, 2.0) + g(3.0); b = a + y }\n"), REPL_OK);
    unsigned long m3 = s.r->eval.memos_made;
    /* f(x, 2.0) + g(3.0) alone: its names f, x and g, and the defs' 10:
     * a p q t a x t c in f, x a in g */
    assert_int_equal(made_alone, 3 + 10);
    /* again at each call: only f's a and t, bound anew in its new frame (a
     * frame's slot holds over calls, and so does a session name read by a
     * def that never binds it: x and c in f, a in g) */
    if ((m3 - m2) - (m2 - m1) != 100 * 2)
        fail_msg("100 more iterations looked up %lu names, not 200: 2 of the defs' a time", (m3 - m2) - (m2 - m1));
    assert_int_equal(run(&s, "print(a, x, y, b)\n"
                             "for i in range(3) { if i == 1 { c = 10 }\n y = f(x, 2.0) + g(3.0); b = a + y }\n"
                             "print(y, b)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "variable(4.5)\na(1) x(0.5) y(4.5) b(5.5)\ny(14.5) b(15.5)\n");
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* A memo of a frame's slot holds at the def's next call while the slot
 * holds the same key (memo_frame_slot_holds): a loop calling defs that read
 * only their parameters looks nothing up after its first steps (each call
 * looked its parameters up again: 4 names an iteration here).  The names
 * mean what they meant: a local bound on one branch only shadows the
 * session's at the calls that bind it, two defs with a parameter of the
 * same name at the same depth, recursion, a frame grown past its first
 * slots, a loop inside a def, and locals bound in either order: cond's p
 * and x want the same one of a frame's first 8 slots (names.c's hash), so
 * each takes the other's slot when the branch changes. */
static void test_frame_slots_hold_their_names(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "s = 100\n"
                             "def h(k) { if k > 0 { s = k }\n return s + 0 }\n"
                             "def f1(a) { return a * 2 }\n"
                             "def f2(b, a) { return a - b }\n"
                             "def fact(n) { if n <= 1 { return 1 }\n return n * fact(n - 1) }\n"
                             "def many(a, b) { c = a + b; d = c * 2; e1 = d + 1; f = e1 * a; g = f - b; h2 = g + c; "
                             "k = h2 * 1; m = k + d; return m }\n"
                             "def cond(k) { if k > 0 { p = 1; x = 2 } else { x = 3; p = 4 }\n return p * 10 + x }\n"
                             "def acc(n) { t = 0; for j in range(n) { t += j }\n return t }\n"
                             "def outer(x) { return inner(x) + x }\n"
                             "def inner(y) { return y * 3 }\n"
                             "for i in range(4) { print(h(i % 2), f1(i), f2(i, 10), fact(i + 2), many(i, 2), cond(i % 2), "
                             "acc(i), outer(i)) }\n"
                             "print(s)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "variable(100) 0 variable(10) variable(2) m(4) variable(43) t(0) 0\n"
                                    "variable(1) 2 variable(9) variable(6) m(14) variable(12) t(0) 4\n"
                                    "variable(100) 4 variable(8) variable(24) m(28) variable(43) t(1) 8\n"
                                    "variable(1) 6 variable(7) variable(120) m(46) variable(12) t(3) 12\n"
                                    "s(100)\n");
    assert_string_equal(err_of(&s), "");
    /* a default is evaluated in the caller's frame: its memos are not the
     * caller's def's (frame_free would say the session's w at E's call,
     * made at C's whose frame lay at the same place) */
    assert_int_equal(run(&s, "def D(k = w) { return k }\ndef C() { return D() }\n"
                             "def E() { w = 5; return D() }\ndef F() { w = 7; t = D(); return t + w }\n"
                             "w = 1\nfor i in range(3) { print(C(), E(), F(), D()) }\n"),
                     REPL_OK);
    assert_string_equal(strstr(out_of(&s), "s(100)\n") + 7, "w(1) w(5) variable(14) w(1)\nw(1) w(5) variable(14) w(1)\n"
                                                               "w(1) w(5) variable(14) w(1)\n");
    assert_string_equal(err_of(&s), "");
    /* a session name or constant read by a def that never binds it holds
     * over calls until the session rebinds it; a def binding it by for,
     * unpacking or anywhere in its body reads its own; a def inside a def
     * binds its parameter in its own frame only */
    assert_int_equal(run(&s, "w = 1\ndef q() { return pi * w }\n"
                             "def lp() { for w in range(3) { }\n return w }\n"
                             "def up() { a2, (b2, w) = 1, [2, 3]\n return w }\n"
                             "def nest() { def inner2(w) { return w }\n return inner2(4) + w }\n"
                             "for i in range(2) { print(q(), lp(), up(), nest()) }\n"
                             "pi = 3\nw = 10\nfor i in range(2) { print(q(), lp(), up(), nest()) }\n"),
                     REPL_OK);
    assert_string_equal(err_of(&s), "");
    assert_non_null(strstr(out_of(&s), "variable(3.141592653589793) 2 w(3) variable(5)\n"
                                       "variable(3.141592653589793) 2 w(3) variable(5)\n"
                                       "variable(30) 2 w(3) variable(14)\nvariable(30) 2 w(3) variable(14)\n"));
    /* each way a def binds a name, at some calls only: the session's w at
     * the others (were a binding missing from the def's binds, the memo
     * made at a call without it would hold at the next) */
    assert_int_equal(run(&s, "w = 1\ndef lp(n) { for w in range(n) { }\n return w }\n"
                             "def up(n) { if n > 0 { a2, (b2, w) = 1, [2, 3] }\n return w }\n"
                             "def nd(n) { if n > 0 { def w(z) { return 9 } }\n return w }\n"
                             "def cp(n) { if n > 0 { w = 4; w += 1 }\n return w }\n"
                             "for i in range(4) { print(lp(i % 2 * 3), up(i % 2), nd(i % 2), cp(i % 2)) }\n"),
                     REPL_OK);
    assert_string_equal(err_of(&s), "");
    assert_non_null(strstr(out_of(&s), "w(1) w(1) w(1) w(1)\n2 w(3) <function w(z)> w(5)\n"
                                       "w(1) w(1) w(1) w(1)\n2 w(3) <function w(z)> w(5)\n"));
    const char *loop = "for i in range(%d) { y = f1(i) + f2(i, 10) + inner(i) }\n";
    char text[96];
    unsigned long m[3];
    for (int k = 0; k < 3; k++) {
        snprintf(text, sizeof text, loop, k == 0 ? 2 : 100 * k);
        assert_int_equal(run(&s, text), REPL_OK);
        m[k] = s.r->eval.memos_made;
    }
    if ((m[2] - m[1]) - (m[1] - m[0]) != 0)
        fail_msg("100 more iterations looked up %lu names, not 0", (m[2] - m[1]) - (m[1] - m[0]));
    assert_int_equal(run(&s, "print(y)\n"), REPL_OK);
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* The joined built-in table (builtins.c, join_tables): each name once,
 * and builtin_find finds every row of it by its name, the rows in the
 * tables' order (construction first: zeros before sin). */
static void test_joined_builtin_table(void **state) {
    (void)state;
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    assert_true(count > 100);
    assert_null(all[count].name);
    for (int i = 0; i < count; i++) {
        if (builtin_find(all[i].name) != &all[i]) fail_msg("builtin_find(\"%s\") is not its row %d", all[i].name, i);
        for (int j = i + 1; j < count; j++)
            if (strcmp(all[i].name, all[j].name) == 0) fail_msg("%s is in the table twice", all[i].name);
    }
    assert_true(builtin_find("zeros") < builtin_find("sin"));
    assert_null(builtin_find("sinn"));
    assert_null(builtin_find(""));
}

/* The session gives a big graph's memory back to the system when it ends
 * (:reset) and when a statement drops it (`y = 0` after bench/w6_chain.ag's
 * loop, which kept 123 MB resident until the next full collection: up to
 * four times as much made again).  Each time, the chain of 100,000 steps
 * (about 120 MB of nodes) is built and differentiated, and what it added to
 * the resident memory must be under a quarter left afterwards; x keeps its
 * value and gradient.  Not measured under AddressSanitizer (its allocator
 * keeps freed blocks in quarantine) nor with AG_DEBUG_NO_REUSE. */
static void test_dropped_graph_memory_given_back(void **state) {
    (void)state;
    const char *chain = "x = 0.5\ny = x\nfor i in range(100000) { y = sin(y) * 1.0001 + 0.0001 }\n"
                        "y.backward()\n";
    const char *drops[] = {":reset\n", "y = 0\n"}, *names[] = {":reset", "y = 0"};
    for (int i = 0; i < 2; i++) {
        session s;
        session_open(&s);
        assert_int_equal(run(&s, "z = 1\n"), REPL_OK);
        size_t before = test_resident_bytes();
        assert_int_equal(run(&s, chain), REPL_OK);
        size_t during = test_resident_bytes();
        assert_int_equal(run(&s, drops[i]), REPL_OK);
        assert_int_equal(run(&s, "z = 2\n"), REPL_OK); /* a statement after it */
        size_t after = test_resident_bytes();
        print_message("      %s: RSS above the start %.1f MB with the chain, %.1f MB after\n",
                      names[i], (double)(during - before) / 1e6,
                      ((double)after - (double)before) / 1e6);
#if !defined(TEST_ASAN) && defined(__GLIBC__)
        const char *no_reuse = getenv("AG_DEBUG_NO_REUSE");
        if (no_reuse == NULL || strcmp(no_reuse, "0") == 0) {
            assert_true(during > before + ((size_t)60 << 20)); /* the chain was resident */
            if (after > before + (during - before) / 4)
                fail_msg("%s left %zu of the chain's %zu bytes resident", names[i], after - before,
                         during - before);
        }
#endif
        if (i == 1) { /* x stays, with the gradient the chain gave it */
            assert_int_equal(run(&s, "print(x, x.grad > 0)\n"), REPL_OK);
            assert_string_equal(out_of(&s), "x(0.5) true\n");
        }
        assert_string_equal(err_of(&s), "");
        session_close(&s);
    }
}

/* Bytes the heap holds for the program now (the sanitizer's count under
 * ASan: its quarantine keeps freed blocks, which mallinfo2 would count). */
static size_t heap_in_use(void) {
#ifdef TEST_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

/* The heap a loop leaves once its garbage is collected, after running it
 * `steps` times. */
static size_t heap_after(session *s, const char *body, int steps) {
    char loop[256];
    snprintf(loop, sizeof loop, "for i in range(%d) { %s }\n", steps, body);
    assert_int_equal(run(s, loop), REPL_OK);
    ag_gc(repl_ctx(s->r));
    return heap_in_use();
}

/* Each call of a def and each layer of a model's forward is a group for
 * drawing (graph_notes.c): a loop of them must not grow the session by
 * what its dead calls were.  After a first loop that brings the collector
 * to its steady state, a loop 10 times longer than another leaves the heap
 * where the shorter one left it (before groups were recycled, the table of
 * groups doubled to 2 MB here).  Peak RSS (getrusage) is not what is
 * compared: on the machine this was written on it moved by up to 1.6 MB
 * between identical runs. */
static void test_loops_of_calls_stay_flat(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "def f(v) = v * 2\nx = 0.5\nm = mlp([3, 4, 1], seed=1)\n"
                             "xs = ones([2, 3])\n"),
                     REPL_OK);
    const char *bodies[] = {"y = f(x)", "y = m(xs)"};
    int short_loop[] = {20000, 7000}, long_loop[] = {200000, 70000}; /* m(xs): 3 groups a call */
    for (int i = 0; i < 2; i++) {
        heap_after(&s, bodies[i], long_loop[i]);
        size_t first = heap_after(&s, bodies[i], short_loop[i]);
        size_t longer = heap_after(&s, bodies[i], long_loop[i]);
        if (longer > first + 64 * 1024)
            fail_msg("\"%s\": %d steps leave %zu bytes, %d steps %zu", bodies[i], short_loop[i], first,
                     long_loop[i], longer);
    }
    /* what is alive keeps its groups: every kept call of g has g's group
     * and f's inside it, also those whose f began when a sweep ran and
     * g's group had no function yet */
    assert_int_equal(run(&s, "def g(v) { a = f(v)\n return a * 3 }\n"), REPL_OK);
    char line[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "y%d = g(x)\n", i);
        assert_int_equal(run(&s, line), REPL_OK);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "y%d", i);
        repl_value *y = names_get(&s.r->names, line);
        assert_true(y != NULL && y->kind == VALUE_VAR);
        ag_func *outer = ag_creator(y->as.var);
        ag_func *inner = ag_creator(ag_func_input(outer, 0));
        const char *outer_title = repl_group_title(s.r, ag_func_tag(outer));
        const char *inner_title = repl_group_title(s.r, ag_func_tag(inner));
        if (outer_title == NULL || inner_title == NULL || strcmp(outer_title, "g(x)") != 0 ||
            strcmp(inner_title, "f(v)") != 0)
            fail_msg("y%d: groups \"%s\" and \"%s\", not g(x) and f(v)", i,
                     outer_title ? outer_title : "(none)", inner_title ? inner_title : "(none)");
    }
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* batches of a variable that gets gradients: each batch is the GetItem
 * x[rows] records, so backward reaches x; the loader keeps nothing of a
 * batch once the next one is handed out, so 3000 epochs leave what one
 * left (x, its gradient, the last batch and its small graph). */
static void test_batches_of_a_variable_stay_flat(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x, t = moons(64, seed=0)\nxv = variable(x)\nL = batches(xv, t, size=8, seed=1)\n"
                             "for xb, tb in L { y = sum(xb * xb); y.backward() }\n"
                             "print(all(xv.grad == 2 * x), xb.creator)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "variable(1) GetItem(axis=0)\n");
    ag_ctx *ctx = repl_ctx(s.r);
    ag_gc(ctx);
    size_t vars = ag_live_vars(ctx), funcs = ag_live_funcs(ctx);
    assert_int_equal(run(&s, "for epoch in range(3000) { cleargrad(xv); for xb, tb in L { y = sum(xb * xb); "
                             "y.backward() } }\nprint(all(xv.grad == 2 * x), L.epochs)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "variable(1) GetItem(axis=0)\nvariable(1) 3001\n");
    ag_gc(ctx);
    assert_true(ag_live_vars(ctx) <= vars + 2); /* epoch, and nothing per epoch or batch */
    assert_true(ag_live_funcs(ctx) <= funcs);
    assert_true(ag_live_vars(ctx) < 32);
    session_close(&s);
}

/* The compound-assignment rule (assign.c): a descent step `x -= lr * x.grad`
 * changes x's data in place, so x stays one leaf and the graph does not grow
 * over 20000 steps; `L += x * i` records the graph, so x gets its gradient. */
static void test_compound_assignment_rule(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 2.0\nlr = 0.5\n"
                             "for i in range(20000) { x.cleargrad(); y = (x - 1)^2; y.backward(); "
                             "x -= lr * x.grad }\n"
                             "print(x, x.creator is none)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "x(1) true\n");
    ag_ctx *ctx = repl_ctx(s.r);
    ag_gc(ctx); /* x, lr, y and y's graph of two functions: a handful of nodes */
    assert_true(ag_live_vars(ctx) < 16);
    assert_true(ag_live_funcs(ctx) < 8);
    assert_int_equal(run(&s, "w = 3.0\nL = 0\nfor i in range(4) { L += w * i }\n"
                             "L.backward()\nprint(L, w.grad, L.creator)\n"),
                     REPL_OK);
    assert_string_equal(out_of(&s), "x(1) true\nL(18) variable(6) Add\n");
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* The pacing rule (ag_gc_auto after each statement): a statement does not
 * pay a full collection for what is already alive.  Many top-level
 * statements cost a number of full collections that grows with the log of
 * what they keep (each full one waits for the survivors to double), and
 * trivial statements next to a big live graph cost none. */
static void test_collections_paced_by_allocation(void **state) {
    (void)state;
    session s;
    session_open(&s);
    ag_ctx *ctx = repl_ctx(s.r);
    char line[64];
    for (int i = 0; i < 30000; i++) {
        snprintf(line, sizeof line, "a%d = %d.5\n", i, i);
        assert_int_equal(run(&s, line), REPL_OK);
    }
    ag_gc_info after = ag_gc_stats(ctx);
    assert_true(after.young_collections >= 1);
    assert_true(after.full_collections <= 8); /* 30,000 with one per statement before */
    assert_int_equal(run(&s, "y = 0.5\nfor i in range(200000) { y = sin(y) }\n"), REPL_OK);
    ag_gc(ctx); /* the 200,000-op chain is old now */
    size_t full = ag_gc_stats(ctx).full_collections;
    for (int i = 0; i < 1000; i++) assert_int_equal(run(&s, "z = 1\n"), REPL_OK);
    assert_int_equal(ag_gc_stats(ctx).full_collections, full);
    /* and the chain's garbage goes at the next full collection */
    assert_int_equal(run(&s, "y = 1\n"), REPL_OK);
    ag_gc(ctx);
    assert_true(ag_live_vars(ctx) < 30100);
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

static void test_create_graph_cycles_are_freed(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 2.0\nfor i in range(2000) { y = x^3; y.backward(create_graph=true); "
                             "gx = x.grad; x.cleargrad(); gx.backward() }\nx.cleargrad()\n"),
                     REPL_OK);
    assert_int_equal(run(&s, ":reset\n"), REPL_OK);
    assert_int_equal(ag_live_vars(repl_ctx(s.r)), 0);
    session_close(&s);
}

static void test_failed_statement_changes_nothing(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 1.0\n"), REPL_OK);
    assert_int_equal(run(&s, "x = sin(x) + \"a\"\n"), REPL_ERROR);
    assert_int_equal(run(&s, "x\n"), REPL_OK);
    assert_string_equal(out_of(&s), "x(1)\n");
    assert_string_equal(err_of(&s),
                        "<stdin>:1:12: error: cannot add a variable of shape [] and a string\n"
                        "  x = sin(x) + \"a\"\n"
                        "             ^\n");
    session_close(&s);
}

/* A no_files session (--no-files, the fuzzer) refuses every statement that
 * would read or write a file, saying so, writes nothing, and goes on. */
static void test_no_files_touches_nothing(void **state) {
    (void)state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char dir[] = "/tmp/agrepl_nofiles_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);
    FILE *seed = fopen("s.ag", "w"); /* a script :load must not read */
    assert_non_null(seed);
    fputs("z = 1\n", seed);
    fclose(seed);
    session s;
    memset(&s, 0, sizeof s);
    s.out = open_memstream(&s.out_text, &s.out_length);
    s.err = open_memstream(&s.err_text, &s.err_length);
    repl_options opts = {.headless = true, .no_files = true, .out = s.out, .err = s.err};
    s.r = repl_new(&opts);
    assert_non_null(s.r);
    assert_int_equal(run(&s, "x = ones(2)\ny = sum(x * x)\n"), REPL_OK);
    static const char *const refused[][2] = {
        {"render(y, \"g.png\")\n", "render: file access is off in this session (--no-files)"},
        {"dot(y, \"g.dot\")\n", "dot: file access is off in this session (--no-files)"},
        {"plot(1)\nsavefig(\"p.png\")\n", "savefig: file access is off in this session (--no-files)"},
        {":save t.ag\n", ":save: file access is off in this session (--no-files)"},
        {":save! s.ag\n", ":save!: file access is off in this session (--no-files)"},
        {":load s.ag\n", ":load: file access is off in this session (--no-files)"},
        {":lessons\n", ":lessons: file access is off in this session (--no-files)"},
        {"a = load_csv(\"s.ag\")\n", "load_csv: file access is off in this session (--no-files)"},
        {"save_csv(\"d.csv\", x)\n", "save_csv: file access is off in this session (--no-files)"},
        {"a = load_npy(\"s.ag\")\n", "load_npy: file access is off in this session (--no-files)"},
        {"save_npy(\"d.npy\", x)\n", "save_npy: file access is off in this session (--no-files)"},
        {"a = load_npz(\"s.ag\")\n", "load_npz: file access is off in this session (--no-files)"},
        {"save_npz(\"d.npz\", x)\n", "save_npz: file access is off in this session (--no-files)"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(run(&s, refused[i][0]), REPL_ERROR);
        assert_non_null(strstr(err_of(&s), refused[i][1]));
    }
    assert_int_equal(run(&s, "dot(y)\nprint(y)\nz\n"), REPL_ERROR); /* z: s.ag never ran */
    assert_non_null(strstr(out_of(&s), "digraph"));
    assert_non_null(strstr(out_of(&s), "y(2)\n"));
    assert_non_null(strstr(err_of(&s), "unknown name 'z'"));
    session_close(&s);
    assert_int_equal(unlink("s.ag"), 0);
    assert_int_equal(rmdir(dir), 0); /* fails when anything else was written */
    assert_int_equal(chdir(cwd), 0);
}

/* :load NAME with no file NAME takes NAME.ag of the current folder before
 * the lessons (a lesson's data copied beside it), but not in a --files-in
 * session whose folder does not hold it. */
static void test_load_name_finds_file_here(void **state) {
    (void)state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char dir[] = "/tmp/agrepl_load_here_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(mkdir("inner", 0700), 0);
    FILE *f = fopen("here_data.ag", "w");
    assert_non_null(f);
    fputs("here_x = 7\n", f);
    fclose(f);
    session s;
    session_open(&s);
    assert_int_equal(run(&s, ":load here_data\nhere_x\n"), REPL_OK);
    assert_string_equal(out_of(&s), "here_x(7)\n");
    session_close(&s);
    memset(&s, 0, sizeof s);
    s.out = open_memstream(&s.out_text, &s.out_length);
    s.err = open_memstream(&s.err_text, &s.err_length);
    char inner[64];
    snprintf(inner, sizeof inner, "%s/inner", dir);
    repl_options opts = {.headless = true, .files_in = inner, .out = s.out, .err = s.err};
    s.r = repl_new(&opts);
    assert_non_null(s.r);
    assert_int_equal(run(&s, ":load here_data\n"), REPL_ERROR);
    assert_non_null(strstr(err_of(&s), ":load: no file or lesson named here_data"));
    session_close(&s);
    assert_int_equal(unlink("here_data.ag"), 0);
    assert_int_equal(rmdir("inner"), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- statuses ------------------------------------------------------------------------ */

static void test_incomplete_input(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(repl_run(s.r, "for i in range(3) {\n", "<stdin>", 1), REPL_INCOMPLETE);
    assert_int_equal(repl_run(s.r, "y = (1 +\n", NULL, 1), REPL_INCOMPLETE);
    assert_int_equal(repl_run(s.r, "y = (1 +\n", "file.ag", 1), REPL_ERROR);
    /* the front end says nothing follows (a ':' command came): an error */
    size_t before = strlen(err_of(&s));
    assert_int_equal(repl_run_ended(s.r, "y = (1 +\n", NULL, 1), REPL_ERROR);
    assert_non_null(strstr(err_of(&s) + before, "error: expected expression"));
    assert_string_equal(out_of(&s), "");
    assert_non_null(strstr(err_of(&s), "file.ag:"));
    /* nothing of an incomplete chunk runs, not even its first complete line */
    assert_int_equal(repl_run(s.r, "z = 1\nfor i in range(3) {\n", NULL, 1), REPL_INCOMPLETE);
    assert_int_equal(repl_run(s.r, "z\n", NULL, 1), REPL_ERROR);
    session_close(&s);
}

static void test_interrupt_keeps_names(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 1.0\n"), REPL_OK);
    repl_interrupted = 1;
    assert_int_equal(run(&s, "for i in range(1000000) { x += 1 }\n"), REPL_ERROR);
    assert_int_equal(repl_interrupted, 0);
    assert_non_null(strstr(err_of(&s), "error: interrupted"));
    assert_int_equal(run(&s, "x\n"), REPL_OK);
    assert_string_equal(out_of(&s), "x(1)\n");
    session_close(&s);
}

static void test_time_prints_a_line(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, ":time on\nx = 1\n:time off\ny = 2\n"), REPL_OK);
    const char *out = out_of(&s);
    assert_true(strncmp(out, "time: ", 6) == 0);
    assert_non_null(strstr(out, " ms\n"));
    assert_null(strstr(strstr(out, "\n") + 1, "time:")); /* one line only */
    session_close(&s);
}

static void test_help_overview_lists_topics(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, ":help\n"), REPL_OK);
    const char *out = out_of(&s);
    assert_non_null(strstr(out, "Topics: language commands printing grad⁺ construction elementwise shape nn"));
    assert_non_null(strstr(out, " autograd output"));
    session_close(&s);
}

static void check_wrap(const char *text, int columns, const char *expected) {
    strbuf out = {0};
    text_table_wrap(&out, text, columns);
    assert_false(out.failed);
    assert_string_equal(out.data ? out.data : "", expected);
    free(out.data);
}

/* The width of the longest line of text, in characters. */
static size_t widest_line(const char *text) {
    size_t widest = 0, n = 0;
    for (; *text; text++) {
        if (*text == '\n') n = 0;
        else if (((unsigned char)*text & 0xC0) != 0x80 && ++n > widest) widest = n;
    }
    return widest;
}

/* text with every run of blanks and newlines made one blank: its words. */
static char *words_of(const char *text) {
    char *words = malloc(strlen(text) + 1), *w = words;
    assert_non_null(words);
    for (; *text; text++)
        if (*text != ' ' && *text != '\n') *w++ = *text;
        else if (w > words && w[-1] != ' ') *w++ = ' ';
    *w = '\0';
    return words;
}

/* On a terminal :help wraps at blanks to its width (text_table_wrap), the rows
 * after a line's first under its text; an error's source line is cut so it
 * and the caret each fit a row.  Without a terminal both are as they were. */
static void test_terminal_width(void **state) {
    (void)state;
    check_wrap("  f(x)   the first words of a long line, longer\nshort\n", 40,
               "  f(x)   the first words of a long line,\n         longer\nshort\n");
    check_wrap("  the words of a long help text\n", 20, "  the words of a\n  long help text\n");
    check_wrap("Topics: one two three four\n", 20, "Topics: one two\n  three four\n");
    /* two blanks after '.' end a sentence; a column too far right leaves 30 */
    check_wrap("  One.  Two three four five\n", 20, "  One.  Two three\n  four five\n");
    check_wrap("  a_long_signature(x)  its text here\n", 40, "  a_long_signature(x)  its text here\n");
    check_wrap("  a_long_signature(x)  its text goes on\n", 36,
               "  a_long_signature(x)  its text goes\n    on\n");
    /* a word longer than the row stays whole; a line that fits, and text
     * narrower than TEXT_WRAP_MIN_COLUMNS, are left alone; UTF-8 counts once */
    check_wrap("  abcdefghijklmnopqrstuvwxyz0123 x\n", 20, "  abcdefghijklmnopqrstuvwxyz0123\n  x\n");
    check_wrap("  gr\xe2\x81\xba gr\xe2\x81\xba gr\xe2\x81\xba grad\n", 20,
               "  gr\xe2\x81\xba gr\xe2\x81\xba gr\xe2\x81\xba grad\n");
    check_wrap("  one two three four five six\n", 19, "  one two three four five six\n");
    check_wrap("no newline at the end of it", 20, "no newline at the\n  end of it");

    session s, t;
    session_open(&s);
    session_open(&t);
    repl_set_terminal_width(t.r, 60, 50);
    assert_int_equal(run(&s, ":help plots\n:help load_csv\n:help language\n"), REPL_OK);
    assert_int_equal(run(&t, ":help plots\n:help load_csv\n:help language\n"), REPL_OK);
    const char *plain = out_of(&s), *wrapped = out_of(&t);
    assert_true(widest_line(plain) > 100);
    assert_true(widest_line(wrapped) <= 60);
    char *plain_words = words_of(plain), *wrapped_words = words_of(wrapped);
    assert_string_equal(plain_words, wrapped_words); /* no word broken, none lost */
    free(plain_words);
    free(wrapped_words);
    /* the text's column leaves 16 of 60: the rows go on at the indent + 2 */
    assert_non_null(strstr(wrapped, "\n  title(text)                               the figure's\n"
                                    "    title (\"\" removes it)\n"));

    /* the error's line: a terminal's row each, the caret under the @ */
    const char *loop = "n = 0; for epoch in range(3) { n = n + 1; a_long_name_number_one = n * 2; "
                       "a_long_name_number_two = n * 3; zz = zeros([2, 3]) @ ones([4, 2]) }\n";
    assert_int_equal(run(&s, loop), REPL_ERROR);
    assert_int_equal(run(&t, loop), REPL_ERROR);
    assert_non_null(strstr(err_of(&s), "\n  n = 0; for epoch"));
    const char *excerpt = strstr(err_of(&t), "\n  ...");
    assert_non_null(excerpt);
    assert_true(widest_line(excerpt) <= 50);
    const char *caret = strchr(excerpt + 1, '\n') + 1;
    assert_int_equal(excerpt[1 + strcspn(caret, "^")], '@');
    /* a syntax error likewise */
    assert_int_equal(run(&t, "y = (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 14 + $ 1\n"), REPL_ERROR);
    excerpt = strstr(err_of(&t), "error: invalid character '$'\n");
    assert_non_null(excerpt);
    excerpt = strchr(excerpt, '\n');
    assert_true(widest_line(excerpt) <= 50);
    caret = strchr(excerpt + 1, '\n') + 1;
    assert_int_equal(excerpt[1 + strcspn(caret, "^")], '$');
    session_close(&s);
    session_close(&t);
}

/* Help topics are a closed set: every built-in's topic is one of
 * builtin_topics (a typo would otherwise make a new topic), and every
 * topic has built-ins. */
static void test_every_builtin_topic_is_known(void **state) {
    (void)state;
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    assert_true(count > 0);
    for (int i = 0; i < count; i++) {
        if (!builtin_topic_known(all[i].topic)) fail_msg("%s: unknown topic '%s'", all[i].name, all[i].topic);
    }
    for (int t = 0; builtin_topics[t]; t++) {
        bool used = false;
        for (int i = 0; i < count && !used; i++) used = strcmp(all[i].topic, builtin_topics[t]) == 0;
        if (!used) fail_msg("topic '%s' has no built-ins", builtin_topics[t]);
    }
    assert_false(builtin_topic_known("constructoin"));
}

/* What each built-in changes is one reviewed list (builtins.c's
 * builtin_effects): every row that does more than return new values, by
 * name, whole; the rest read only.  A user expression
 * (repl_set_changes_refused) may call none of these. */
static void test_builtin_effects_reviewed(void **state) {
    (void)state;
    static const char *const names[] = {"reads", "changes", "writes", "changes if given", "changes if true"};
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    char text[4096];
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < count; i++) {
        if (all[i].effect == BUILTIN_READS) continue;
        used += (size_t)snprintf(text + used, sizeof text - used, "%s %s", all[i].name, names[all[i].effect]);
        if (all[i].effect_arg > 0) used += (size_t)snprintf(text + used, sizeof text - used, " %d", all[i].effect_arg);
        used += (size_t)snprintf(text + used, sizeof text - used, "\n");
        assert_true(used < sizeof text);
    }
    assert_string_equal(text, "seed changes\n"
                              "backward changes\n"
                              "cleargrad changes\n"
                              "unchain changes\n"
                              "unchain_backward changes\n"
                              "set_printoptions changes\n"
                              "update changes\n"
                              "step changes\n"
                              "reset_grad changes\n"
                              "cleargrads changes\n"
                              "reset_state changes\n"
                              "save writes\n"
                              "load changes\n"
                              "dot writes\n"
                              "render writes\n"
                              "show changes\n"
                              "plot changes\n"
                              "title changes\n"
                              "contour changes\n"
                              "track changes\n"
                              "mark changes\n"
                              "pace changes if given 1\n"
                              "savefig writes\n"
                              "clearplot changes\n"
                              "append changes\n"
                              "save_csv writes\n"
                              "save_npy writes\n"
                              "save_npz writes\n"
                              "scatter changes\n"
                              "boundary changes\n"
                              "heatmap changes\n"
                              "images changes\n"
                              "neurons changes\n"
                              "batch_norm changes if true 6\n");
    /* the written file is the one file_arg names */
    for (int i = 0; i < count; i++)
        if (all[i].effect == BUILTIN_WRITES && all[i].file_arg == 0) fail_msg("%s writes no file_arg", all[i].name);
}

/* While changes are refused (a front end's user expression), what would
 * change the session or write a file fails before it runs, in a def too,
 * and changes nothing; what reads runs; random numbers drawn meanwhile are
 * drawn again after. */
static void test_changes_refused(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 3.0\ny = x * x\ny.backward()\nopt = sgd([x], lr=0.5)\nsched = step_lr(opt, 1)\n"
                             "w = [1.0, 2.0]\nm = mlp([1], seed=0)\nxb = [[1.0, 2.0], [3.0, 4.0]]\nrm = zeros(2)\n"
                             "def bw(v) = v.backward()\n"
                             "def lower(v) {\n    v -= 1\n    return v\n}\n"
                             "def first(v) {\n    v[0] = 5\n    return v\n}\n"
                             "def zero(v) {\n    v.data = 0\n    return v\n}\n"
                             "def up(k) {\n    x += k\n    return x\n}\n"
                             "def total(n) {\n    s = 0\n    for i in range(n) { s += i }\n    return s\n}\n"),
                     REPL_OK);
    repl_set_changes_refused(s.r, true);
    const char *refused[] = {"y.backward()", "backward(y)", "bw(y)", "x.cleargrad()", "cleargrad(x)", "opt.step()",
                             "opt.zero_grad()", "opt.update(x)", "sched.step()", "m(w)", "m.cleargrads()",
                             "up(1)", "first(w)", "zero(x)", "pace(5)", "plot(y)", "seed(1)",
                             "batch_norm(xb, rm, ones(2), training=true)",
                             "dot(y, \"refused.dot\")", "savefig(\"refused.svg\")"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) assert_int_equal(run(&s, refused[i]), REPL_ERROR);
    assert_int_equal(run(&s, "lower(x)\nx.grad\nx\nw\nopt.lr\npace()\nhas_window()\ntotal(4)\n"
                             "batch_norm(xb, rm, ones(2), training=false)\nrm\ntree(y)\nrand(2)\n"),
                     REPL_OK);
    repl_set_changes_refused(s.r, false);
    assert_int_equal(run(&s, "rand(2)\n"), REPL_OK);
    assert_int_equal(access("refused.dot", F_OK), -1);
    assert_int_equal(access("refused.svg", F_OK), -1);
    const char *draws = "variable[2]([0.04061594301691285 0.7509623910706638])\n";
    char expected[1024];
    snprintf(expected, sizeof expected,
             "v(2)\nvariable(6)\nx(3)\nw[2]([1 2])\n0.5\n0\nfalse\ns(6)\n"
             "variable[2 2]([0.9999950000374997 1.9999900000749995\n                2.999985000112499  3.999980000149999])\n"
             "rm[2]([0 0])\ny = 9 (grad⁺ 1) ← Mul\n├── x = 3 (grad 6)\n└── x (see above)\n%s%s", draws,
             draws);
    assert_string_equal(out_of(&s), expected);
    /* each refused before it ran, at the call or the statement in a def */
    const char *refusals =
                        "<stdin>:1:1: error: backward: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  y.backward()\n"
                        "  ^\n"
                        "<stdin>:1:1: error: backward: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  backward(y)\n"
                        "  ^\n"
                        "<stdin>:10:13: error: backward: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  def bw(v) = v.backward()\n"
                        "              ^\n"
                        "  in bw, called at <stdin>:1:1\n"
                        "<stdin>:1:1: error: cleargrad: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  x.cleargrad()\n"
                        "  ^\n"
                        "<stdin>:1:1: error: cleargrad: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  cleargrad(x)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: step: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  opt.step()\n"
                        "  ^\n"
                        "<stdin>:1:1: error: zero_grad: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  opt.zero_grad()\n"
                        "  ^\n"
                        "<stdin>:1:1: error: update: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  opt.update(x)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: step: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  sched.step()\n"
                        "  ^\n"
                        "<stdin>:1:1: error: m: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  m(w)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: cleargrads: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  m.cleargrads()\n"
                        "  ^\n"
                        "<stdin>:24:5: error: x += e: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "      x += k\n"
                        "      ^\n"
                        "  in up, called at <stdin>:1:1\n"
                        "<stdin>:16:5: error: v[0] = e: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "      v[0] = 5\n"
                        "      ^\n"
                        "  in first, called at <stdin>:1:1\n"
                        "<stdin>:20:5: error: v.data = e: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "      v.data = 0\n"
                        "      ^\n"
                        "  in zero, called at <stdin>:1:1\n"
                        "<stdin>:1:1: error: pace: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  pace(5)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: plot: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  plot(y)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: seed: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  seed(1)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: batch_norm: not allowed in a user expression (it changes the session; run it in a cell)\n"
                        "  batch_norm(xb, rm, ones(2), training=true)\n"
                        "  ^\n"
                        "<stdin>:1:1: error: dot: not allowed in a user expression (it writes a file; run it in a cell)\n"
                        "  dot(y, \"refused.dot\")\n"
                        "  ^\n"
                        "<stdin>:1:1: error: savefig: not allowed in a user expression (it writes a file; run it in a cell)\n"
                        "  savefig(\"refused.svg\")\n"
                        "  ^\n";
    assert_string_equal(err_of(&s), refusals);
    session_close(&s);
}

/* The ':' command table and the attribute table drive :help: every command
 * and every attribute appears, read from the tables. */
static void test_tables_drive_help(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, ":help commands\n:help language\n"), REPL_OK);
    const char *out = out_of(&s);
    for (const command_def *c = command_table; c->name; c++) assert_non_null(strstr(out, c->usage));
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++) {
        char text[32];
        snprintf(text, sizeof text, " x.%s", a->name);
        assert_non_null(strstr(out, text));
    }
    session_close(&s);
}

/* The command names the man page's COMMANDS section describes (its items:
 * ".TP", then ".B :name", ".BR :name ..." or ".BI :name ..."), joined by
 * spaces with a space at each end, into buf. */
static void man_commands(char *buf, size_t size) {
    FILE *man = fopen("man/agrepl.1", "r");
    assert_non_null(man);
    char line[512];
    bool in_commands = false, item = false;
    size_t used = (size_t)snprintf(buf, size, " ");
    while (fgets(line, sizeof line, man) != NULL) {
        bool head = item;
        item = strncmp(line, ".TP", 3) == 0;
        if (strncmp(line, ".SH", 3) == 0) in_commands = strncmp(line, ".SH COMMANDS", 12) == 0;
        if (!in_commands || !head || line[0] != '.' || line[1] != 'B') continue;
        const char *word = line + 2;
        while (*word != '\0' && *word != ' ') word++; /* the macro: .B, .BR, .BI */
        while (*word == ' ' || *word == '"') word++;
        if (*word != ':') continue;
        size_t length = strcspn(word, " \"\n");
        used += (size_t)snprintf(buf + used, size - used, "%.*s ", (int)length, word);
    }
    fclose(man);
}

/* :help, the man page and the tables agree: every command is in the man
 * page's COMMANDS and in :help commands, the man page describes no command
 * the table lacks, and every built-in's row shows in :help NAME with its
 * method form as its row says. */
static void test_docs_match_tables(void **state) {
    (void)state;
    char documented[2048], word[80];
    man_commands(documented, sizeof documented);
    for (const command_def *c = command_table; c->name; c++) {
        snprintf(word, sizeof word, " %s ", c->name);
        if (strstr(documented, word) == NULL) fail_msg("%s is missing from man/agrepl.1's COMMANDS", c->name);
    }
    for (const char *name = strchr(documented, ':'); name != NULL; name = strchr(name + 1, ':')) {
        size_t length = strcspn(name, " ");
        bool known = false;
        for (const command_def *c = command_table; c->name && !known; c++)
            known = strlen(c->name) == length && strncmp(c->name, name, length) == 0;
        if (!known) fail_msg("man/agrepl.1 describes %.*s, which is no command", (int)length, name);
    }
    session s;
    session_open(&s);
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    char line[96];
    for (int i = 0; i < count; i++) {
        if (builtin_topic_known(all[i].name)) continue; /* :help shape is the topic */
        fflush(s.out);
        size_t before = s.out_length;
        snprintf(line, sizeof line, ":help %s\n", all[i].name);
        assert_int_equal(run(&s, line), REPL_OK);
        const char *shown = out_of(&s) + before;
        snprintf(word, sizeof word, "%s(", all[i].name);
        if (strncmp(shown, word, strlen(word)) != 0) fail_msg(":help %s shows: %s", all[i].name, shown);
        bool method = strstr(shown, "also a method") != NULL;
        if (method != !all[i].function_only)
            fail_msg(":help %s says %s method; its row says function_only = %d", all[i].name,
                     method ? "a" : "no", all[i].function_only);
    }
    assert_string_equal(err_of(&s), "");
    session_close(&s);
}

/* Every optimizer kind of the engine's table has a built-in of its name
 * whose parameters between params and hooks are hyper-parameters of the
 * kind, defaulting to the engine's defaults: the REPL's rows and the
 * engine's table cannot drift apart. */
static void test_optimizer_rows_match_engine(void **state) {
    (void)state;
    session s;
    session_open(&s);
    for (int k = 0; k < AG_OPTIM_KIND_COUNT; k++) {
        const char *name = ag_optim_kind_name((ag_optim_kind)k);
        assert_non_null(name);
        assert_int_equal(ag_optim_kind_by_name(name), k);
        const builtin_def *def = builtin_find(name);
        if (def == NULL) fail_msg("optimizer '%s' has no built-in", name);
        const signature *sig = builtin_signature_of(s.r, def);
        assert_non_null(sig);
        assert_true(sig->count >= 3);
        assert_string_equal(sig->params[0].name, "params");
        assert_string_equal(sig->params[1].name, "lr");
        assert_string_equal(sig->params[sig->count - 1].name, "hooks");
        /* between params and hooks: the engine's hyper-parameters, in its order */
        int i = 1;
        double fallback;
        for (const char *param; (param = ag_optim_param((ag_optim_kind)k, i - 1, &fallback)) != NULL; i++) {
            if (i >= sig->count - 1) fail_msg("%s: the REPL's row lacks '%s'", name, param);
            if (strcmp(sig->params[i].name, param) != 0)
                fail_msg("%s: parameter %d is '%s' in the REPL, '%s' in the engine", name, i,
                         sig->params[i].name, param);
            repl_value d = sig->params[i].default_value;
            assert_int_equal(d.kind, VALUE_NUMBER);
            if (d.as.number != fallback)
                fail_msg("%s: %s defaults to %g in the REPL, %g in the engine", name, param, d.as.number,
                         fallback);
        }
        if (i != sig->count - 1) fail_msg("%s: '%s' is not a hyper-parameter", name, sig->params[i].name);
    }
    ag_optim_config c = ag_optim_defaults(AG_SGD);
    assert_null(ag_optim_config_field(&c, "beta1"));
    assert_null(ag_optim_kind_name(AG_OPTIM_KIND_COUNT));
    session_close(&s);
}

/* ---- the binder ---------------------------------------------------------------------- */

static int dummy(repl *r, const builtin_args *a, repl_value *out) {
    *out = VALUE_NIL_INIT;
    return 0;
}

static const builtin_def test_def = {"fit", "x, lr=0.01, *rest, verbose=false", dummy, "test", "help"};
static const builtin_def broken_def = {"broken", "a=1, b", dummy, "test", "help"};

static void test_binder(void **state) {
    (void)state;
    session s;
    session_open(&s);
    repl *r = s.r;
    repl_value argv[4] = {value_number(1), value_number(2), value_number(3), value_number(4)};
    builtin_args args;
    const char *names[] = {"verbose"};
    repl_value values[] = {value_bool(true)};
    assert_int_equal(repl_bind_arguments(r, &test_def, 4, argv, 1, names, values, &args), 0);
    assert_int_equal(args.count, 4);
    assert_close(args.values[0].as.number, 1);
    assert_close(args.values[1].as.number, 2);
    assert_int_equal(args.values[2].kind, VALUE_LIST);
    assert_int_equal(args.values[2].as.list->count, 2);
    assert_close(args.values[2].as.list->items[1].as.number, 4);
    assert_true(args.values[3].as.boolean);
    builtin_args_free(&args);

    /* defaults */
    assert_int_equal(repl_bind_arguments(r, &test_def, 1, argv, 0, NULL, NULL, &args), 0);
    assert_close(args.values[1].as.number, 0.01);
    assert_int_equal(args.values[2].as.list->count, 0);
    assert_false(args.values[3].as.boolean);
    builtin_args_free(&args);

    const char *wrong[] = {"lrr"};
    assert_int_equal(repl_bind_arguments(r, &test_def, 1, argv, 1, wrong, values, &args), -1);
    assert_string_equal(r->error.message, "fit: no parameter named 'lrr'; did you mean 'lr'?");
    repl_clear_error(r);
    const char *twice[] = {"x"};
    assert_int_equal(repl_bind_arguments(r, &test_def, 1, argv, 1, twice, values, &args), -1);
    assert_string_equal(r->error.message, "fit: argument 'x' given twice");
    repl_clear_error(r);
    assert_int_equal(repl_bind_arguments(r, &test_def, 0, argv, 0, NULL, NULL, &args), -1);
    assert_string_equal(r->error.message, "fit: missing argument 'x'");
    repl_clear_error(r);
    assert_int_equal(repl_bind_arguments(r, &broken_def, 0, argv, 0, NULL, NULL, &args), -1);
    assert_string_equal(r->error.message, "broken: malformed signature \"a=1, b\" in the built-in table");
    repl_clear_error(r);
    session_close(&s);
}

static void test_signature_defaults(void **state) {
    (void)state;
    static const builtin_def def = {"f", "a=-1.5e-3, b=\"s\", c=[1, 2], d=nil, e=true, g=sin",
                                    dummy, "test", "help"};
    session s;
    session_open(&s);
    builtin_args args;
    assert_int_equal(repl_bind_arguments(s.r, &def, 0, NULL, 0, NULL, NULL, &args), 0);
    assert_close(args.values[0].as.number, -1.5e-3);
    assert_string_equal(args.values[1].as.string->text, "s");
    assert_int_equal(args.values[2].as.list->count, 2);
    assert_int_equal(args.values[3].kind, VALUE_NIL);
    assert_true(args.values[4].as.boolean);
    assert_ptr_equal(args.values[5].as.builtin, builtin_find("sin"));
    builtin_args_free(&args);
    char *text = builtin_signature_text(&def);
    /* no default (nil) is shown as [d]: nil is not a name one can type */
    assert_string_equal(text, "f(a=-1.5e-3, b=\"s\", c=[1, 2], [d], e=true, g=sin)");
    free(text);
    static const builtin_def nils = {"g", "x=nil, *rest, y=nil, nilly=1, z=nil", dummy, "test", "help"};
    text = builtin_signature_text(&nils);
    assert_string_equal(text, "g([x], *rest, [y], nilly=1, [z])");
    free(text);
    session_close(&s);
}

/* ---- suggestions and completion ---------------------------------------------------------- */

static void test_edit_distance(void **state) {
    (void)state;
    static const struct {
        const char *a, *b;
        int distance;
    } cases[] = {
        {"sni", "sin", 1}, {"axes", "axis", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
        {"ca", "abc", 3},  {"grad", "grad", 0}, {"backwrad", "backward", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(repl_edit_distance(cases[i].a, cases[i].b), cases[i].distance);
    const char *words[] = {"sin", "sinh", "cos", "sum"};
    assert_string_equal(repl_nearest_word("sni", words, 4), "sin");
    assert_string_equal(repl_nearest_word("cso", words, 4), "cos");
    assert_null(repl_nearest_word("zzzzzz", words, 4));
    /* ties: the longer shared start, then a letter typed twice or left off,
     * then alphabetical */
    const char *ties[] = {"sign", "sine", "sin", "exp2", "exp", "lr", "lt"};
    assert_string_equal(repl_nearest_word("sinn", ties, 7), "sin");
    assert_string_equal(repl_nearest_word("expp", ties, 7), "exp");
    assert_string_equal(repl_nearest_word("sigg", ties, 7), "sign");
    assert_string_equal(repl_nearest_word("lx", ties, 7), "lr");
}

typedef struct collected {
    char words[64][64];
    int count;
} collected;

static void collect(void *user, const char *word) {
    collected *c = user;
    if (c->count < 64) snprintf(c->words[c->count++], 64, "%s", word);
}

static bool has_word(const collected *c, const char *word) {
    for (int i = 0; i < c->count; i++)
        if (strcmp(c->words[i], word) == 0) return true;
    return false;
}

static void test_completion(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "weight = 1.0\n"), REPL_OK);
    collected c = {0};
    repl_complete(s.r, "y = weight.gr", 13, collect, &c);
    assert_true(has_word(&c, "weight.grad"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, "weight.back", 11, collect, &c);
    assert_true(has_word(&c, "weight.backward"));
    c.count = 0;
    repl_complete(s.r, "print(wei", 9, collect, &c);
    assert_true(has_word(&c, "weight"));
    c.count = 0;
    repl_complete(s.r, ":he", 3, collect, &c);
    assert_true(has_word(&c, ":help"));
    c.count = 0;
    repl_complete(s.r, "nog", 3, collect, &c);
    assert_true(has_word(&c, "nograd"));
    c.count = 0;
    repl_complete(s.r, "x = sq", 6, collect, &c);
    assert_true(has_word(&c, "sqrt"));
    assert_true(has_word(&c, "square"));
    assert_true(has_word(&c, "squeeze"));
    /* chains: a gradient's members once backward has made it, an
     * optimizer's attributes; nothing while x.grad is nil */
    c.count = 0;
    repl_complete(s.r, "weight.grad.da", 14, collect, &c);
    assert_int_equal(c.count, 0);
    assert_int_equal(run(&s, "y = weight * weight\ny.backward(create_graph=true)\n"), REPL_OK);
    c.count = 0;
    repl_complete(s.r, "weight.grad.da", 14, collect, &c);
    assert_true(has_word(&c, "weight.grad.data"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, "print(weight.grad.grad.cre", 26, collect, &c);
    assert_int_equal(c.count, 0); /* weight.grad.grad is nil: no second backward yet */
    c.count = 0;
    repl_complete(s.r, "weight.grad.cre", 15, collect, &c);
    assert_true(has_word(&c, "weight.grad.creator"));
    assert_int_equal(run(&s, "opt = sgd([weight])\n"), REPL_OK);
    c.count = 0;
    repl_complete(s.r, "opt.st", 6, collect, &c);
    assert_true(has_word(&c, "opt.state"));
    assert_true(has_word(&c, "opt.step"));
    c.count = 0;
    repl_complete(s.r, "opt.nothing.x", 13, collect, &c);
    assert_int_equal(c.count, 0);

    /* file names after :load and :save and inside a string (not names:
     * "samples/ma" once offered matmul and max) */
    c.count = 0;
    repl_complete(s.r, ":load tests/scripts/pytorch_ind", 32, collect, &c);
    assert_true(has_word(&c, "tests/scripts/pytorch_indexing.ag"));
    assert_true(has_word(&c, "tests/scripts/pytorch_indexing.out"));
    assert_int_equal(c.count, 2);
    c.count = 0;
    repl_complete(s.r, ":save tests/scr", 15, collect, &c);
    assert_true(has_word(&c, "tests/scripts/"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, "render(y, \"tests/scripts/pytorch_ind", 36, collect, &c);
    assert_true(has_word(&c, "tests/scripts/pytorch_indexing.ag"));
    assert_false(has_word(&c, "matmul"));
    assert_int_equal(strcmp(repl_completion_breaks(":load samples/ma", 16), " \t\n\""), 0);
    assert_true(repl_completing_file("x = \"sam", 8));
    assert_false(repl_completing_file("x = \"a\" + sam", 13));
    /* help subjects after :help: topics, built-ins and commands */
    c.count = 0;
    repl_complete(s.r, ":help opt", 9, collect, &c);
    assert_true(has_word(&c, "optimizers"));
    c.count = 0;
    repl_complete(s.r, ":help pri", 9, collect, &c);
    assert_true(has_word(&c, "printing"));
    assert_true(has_word(&c, "print"));
    c.count = 0;
    repl_complete(s.r, ":help :lo", 9, collect, &c);
    assert_true(has_word(&c, ":load"));
    /* every word :help answers: the language's words, attributes and
       keyword arguments too */
    c.count = 0;
    repl_complete(s.r, ":help nogr", 10, collect, &c);
    assert_true(has_word(&c, "nograd"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, ":help fo", 8, collect, &c);
    assert_true(has_word(&c, "fold"));
    assert_true(has_word(&c, "for"));
    assert_int_equal(c.count, 2);
    c.count = 0;
    repl_complete(s.r, ":help create_gr", 15, collect, &c);
    assert_true(has_word(&c, "create_graph"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, ":help ndi", 9, collect, &c);
    assert_true(has_word(&c, "ndim"));
    c.count = 0;
    repl_complete(s.r, ":help topi", 10, collect, &c);
    assert_true(has_word(&c, "topic"));
    /* the keyword arguments of the call the word is in */
    c.count = 0;
    repl_complete(s.r, "y.backward(cre", 14, collect, &c);
    assert_true(has_word(&c, "create_graph="));
    assert_true(has_word(&c, "creator")); /* an argument may be any expression too */
    assert_int_equal(c.count, 2);
    c.count = 0;
    repl_complete(s.r, "sum(weight, ke", 14, collect, &c);
    assert_true(has_word(&c, "keepdims="));
    c.count = 0;
    repl_complete(s.r, "adam(lr=0.1, be", 15, collect, &c);
    assert_true(has_word(&c, "beta1="));
    assert_true(has_word(&c, "beta2="));
    c.count = 0;
    repl_complete(s.r, "opt.update(", 11, collect, &c);
    assert_false(has_word(&c, "opt="));
    c.count = 0;
    repl_complete(s.r, "sum(x[cre", 9, collect, &c); /* inside an index: no keywords */
    assert_false(has_word(&c, "create_graph="));
    c.count = 0;
    repl_complete(s.r, "sin(sum(weight), ax", 19, collect, &c); /* sum( is closed: sin's */
    assert_false(has_word(&c, "axis="));
    /* methods: only the built-ins with a method form */
    c.count = 0;
    repl_complete(s.r, "weight.ml", 9, collect, &c);
    assert_int_equal(c.count, 0);
    c.count = 0;
    repl_complete(s.r, "weight.su", 9, collect, &c);
    assert_true(has_word(&c, "weight.sum"));
    /* a model's parameter paths beside its attributes and methods */
    assert_int_equal(run(&s, "m = mlp([3, 1], seed=1)\nm(rand(2, 2))\nc = cnn([conv2d_layer(2, 3), 4])\n"), REPL_OK);
    c.count = 0;
    repl_complete(s.r, "m.li", 4, collect, &c);
    assert_true(has_word(&c, "m.linear"));
    assert_int_equal(c.count, 1);
    c.count = 0;
    repl_complete(s.r, "m.", 2, collect, &c);
    assert_true(has_word(&c, "m.linear"));
    assert_true(has_word(&c, "m.params"));
    c.count = 0;
    repl_complete(s.r, "c.", 2, collect, &c);
    assert_true(has_word(&c, "c.linear")); /* its biases exist before the first call */
    assert_true(has_word(&c, "c.conv"));
    session_close(&s);
}

/* ---- fuzz -------------------------------------------------------------------------------- */

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ull;

static uint32_t fuzz_next(void) {
    fuzz_state = fuzz_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(fuzz_state >> 33);
}

/* Endless recursion is a clean error in a thread with a small stack: the
 * recursion budget comes from the running thread's stack, not the main
 * thread's ulimit (the session was used on the main thread first,
 * so cached bounds must not carry over). */
static void *recurse_in_thread(void *arg) {
    session *s = arg;
    int status = run(s, "def f(n) = f(n + 1)\nf(0)\n");
    /* the session is intact afterwards, on the same small stack */
    if (run(s, "print(\"still here\", x)\n") != 0) status = 99;
    return (void *)(intptr_t)status;
}

static void test_endless_recursion_in_small_thread(void **state) {
    (void)state;
    session s;
    session_open(&s);
    assert_int_equal(run(&s, "x = 1\n"), 0);
    pthread_attr_t attr;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 512u << 10), 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, &attr, recurse_in_thread, &s), 0);
    void *status;
    assert_int_equal(pthread_join(thread, &status), 0);
    pthread_attr_destroy(&attr);
    assert_int_not_equal((int)(intptr_t)status, 0);
    assert_int_not_equal((int)(intptr_t)status, 99);
    assert_non_null(strstr(err_of(&s), "endless recursion"));
    assert_non_null(strstr(err_of(&s), "in f, called at"));
    assert_non_null(strstr(out_of(&s), "still here"));
    /* and the main thread still has its own, larger budget */
    assert_int_equal(run(&s, "def g(n) {\n  if n == 0 { return 0 }\n  return g(n - 1)\n}\nprint(g(150))\n"), 0);
    session_close(&s);
}

static void test_fuzz_never_crashes(void **state) {
    (void)state;
    /* small numbers only, so no soup can ask for gigabytes or hours */
    static const char *const tokens[] = {
        "x", "y", "f", "g", "i", "a", "=", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "%", "@", "^",
        "==", "<", ">=", "and", "or", "not", "(", ")", "[", "]", "{", "}", ",", ".", ";", "\n",
        "for", "in", "if", "else", "def", "return", "break", "continue", "nograd", "testmode",
        "range", "sin", "exp", "log", "sum", "reshape", "backward", "grad", "cleargrad", "print",
        "numgrad", "gradcheck", "zeros", "ones", "linspace", "matmul", "softmax", "concat", "split",
        "data", "shape", "creator", "inputs", "T", "axis=", "create_graph=true", "step=true",
        "0", "1", "2", "3", "0.5", "-1", "\"s\"", "true", "false", "pi", "x.grad", "[1, 2]",
        "[[1, 2], [3, 4]]",
    };
    const int ntokens = (int)(sizeof tokens / sizeof tokens[0]);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char dir[] = "/tmp/agrepl_fuzz_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0); /* anything a soup writes lands here */
    FILE *null_out = fopen("/dev/null", "w");
    assert_non_null(null_out);
    repl_options opts = {.headless = true, .out = null_out, .err = null_out};
    repl *r = repl_new(&opts);
    assert_non_null(r);
    char text[512];
    for (int round = 0; round < 3000; round++) {
        size_t length = 0;
        if (round % 2 == 0) {
            int n = 1 + (int)(fuzz_next() % 24);
            for (int k = 0; k < n; k++) {
                const char *t = tokens[fuzz_next() % (uint32_t)ntokens];
                size_t tl = strlen(t);
                if (length + tl + 2 >= sizeof text) break;
                memcpy(text + length, t, tl);
                length += tl;
                text[length++] = ' ';
            }
        } else {
            int n = (int)(fuzz_next() % 64);
            for (int k = 0; k < n; k++) {
                char byte = (char)(fuzz_next() % 255 + 1);
                if (byte == ':') byte = ';'; /* never a command: no :load/:save of junk */
                text[length++] = byte;
            }
        }
        text[length] = '\0';
        int status = repl_run(r, text, round % 3 == 0 ? NULL : "<stdin>", 1);
        assert_true(status == REPL_OK || status == REPL_ERROR || status == REPL_INCOMPLETE);
        if (round % 500 == 499) repl_run(r, ":reset\n", NULL, 1);
    }
    repl_free(r);
    fclose(null_out);
    assert_int_equal(chdir(cwd), 0);
    /* remove whatever the soups wrote */
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_stays_flat),
        cmocka_unit_test(test_batches_of_a_variable_stay_flat),
        cmocka_unit_test(test_def_calls_keep_loop_memos),
        cmocka_unit_test(test_frame_slots_hold_their_names),
        cmocka_unit_test(test_loops_of_calls_stay_flat),
        cmocka_unit_test(test_compound_assignment_rule),
        cmocka_unit_test(test_collections_paced_by_allocation),
        cmocka_unit_test(test_create_graph_cycles_are_freed),
        cmocka_unit_test(test_failed_statement_changes_nothing),
        cmocka_unit_test(test_incomplete_input),
        cmocka_unit_test(test_interrupt_keeps_names),
        cmocka_unit_test(test_time_prints_a_line),
        cmocka_unit_test(test_help_overview_lists_topics),
        cmocka_unit_test(test_terminal_width),
        cmocka_unit_test(test_every_builtin_topic_is_known),
        cmocka_unit_test(test_builtin_effects_reviewed),
        cmocka_unit_test(test_changes_refused),
        cmocka_unit_test(test_tables_drive_help),
        cmocka_unit_test(test_docs_match_tables),
        cmocka_unit_test(test_optimizer_rows_match_engine),
        cmocka_unit_test(test_binder),
        cmocka_unit_test(test_signature_defaults),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_completion),
        cmocka_unit_test(test_unary_builtins_called_directly),
        cmocka_unit_test(test_loop_body_statements),
        cmocka_unit_test(test_vars_builtins_called_directly),
        cmocka_unit_test(test_third_pass_paths_match_general),
        cmocka_unit_test(test_arith_plans_match_walk),
        cmocka_unit_test(test_update_rule_looks_at_names_last),
        cmocka_unit_test(test_update_quick_matches_look),
        cmocka_unit_test(test_memo_valid_as_plain),
        cmocka_unit_test(test_stack_over_as_plain),
        cmocka_unit_test(test_attribute_rows),
        cmocka_unit_test(test_arithmetic_operands_beside_calls),
        cmocka_unit_test(test_joined_builtin_table),
        cmocka_unit_test(test_dropped_graph_memory_given_back),
        cmocka_unit_test(test_endless_recursion_in_small_thread),
        cmocka_unit_test(test_fuzz_never_crashes),
        cmocka_unit_test(test_no_files_touches_nothing),
        cmocka_unit_test(test_load_name_finds_file_here),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
