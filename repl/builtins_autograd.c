/* builtins_autograd.c — backward, cleargrad, unchain, grad, numgrad and gradcheck. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "graph.h"
#include "repl_internal.h"

/* step= is false, true (wait for Enter) or a positive number of seconds per step. */
static int arg_step(repl *r, const builtin_args *a, int index, bool *step, double *pace) {
    repl_value v = a->values[index];
    *pace = 0;
    if (v.kind == VALUE_NUMBER) {
        char shown[AG_NUMBUF];
        if (!(v.as.number > 0) || !isfinite(v.as.number))
            return repl_error(r, "backward: step must be true, false or a positive number of seconds, not %s",
                              ag_format_display(v.as.number, 0, shown));
        *step = true;
        *pace = v.as.number;
        return 0;
    }
    if (v.kind == VALUE_BOOL) {
        *step = v.as.boolean;
        return 0;
    }
    char buf[64];
    return repl_error(r, "backward: step must be true, false or a number of seconds, not %s",
                      value_with_article(v, buf, sizeof buf));
}

/* y.backward(...) once its arguments are read (inline: a loop's
 * y.backward() runs it in backward_vars's frame). */
static inline __attribute__((always_inline)) int backward_of(repl *r, ag_var *y, bool retain, bool create, bool step,
                                                            double pace) {
    ag_backward_opts opts = {.retain_grad = retain, .create_graph = create};
    bool seeds_ones = ag_size(y) != 1 && ag_grad(y) == NULL;
    repl_notes_before_backward(r);
    if (step) return repl_backward_steps(r, y, &opts, pace) < 0 ? -1 : 0;
    if (ag_backward(r->ctx, y, &opts) < 0) return engine_error(r);
    if (seeds_ones && !r->said_once.nonscalar_seed) {
        char shape[AG_SHAPEBUF];
        r->said_once.nonscalar_seed = true;
        fflush(r->io.out);
        fprintf(r->io.err,
                "note: backward of a %s value seeded every element's gradient with 1: the gradients are "
                "those of sum(y) (this note is shown once)\n",
                ag_shape_string(ag_ndim(y), ag_shape(y), shape));
    }
    if (ag_creator(y) == NULL) repl_note_no_graph(r, y); /* its test inline: y has a graph, nearly always */
    return 0;
}

REPL_HOT static int builtin_backward(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    bool retain, create, step = false;
    double pace = 0;
    if (arg_var(r, a, 0, &y) < 0 || arg_bool(r, a, 1, &retain) < 0 || arg_bool(r, a, 2, &create) < 0 ||
        arg_step(r, a, 3, &step, &pace) < 0)
        return -1;
    *out = VALUE_NIL_INIT;
    return backward_of(r, y, retain, create, step, pace);
}

/* backward(y) and y.backward() with the defaults (builtin_def.vars).  y is
 * held by a root of its own while the pass runs: a hook or a user op's
 * backward may run statements that rebind its name. */
REPL_HOT static int backward_vars(repl *r, ag_var *const *xs, int count) {
    if (count != 1) return 1;
    ag_retain(xs[0]);
    int rc = backward_of(r, xs[0], false, false, false, 0);
    ag_release(xs[0]);
    return rc < 0 ? -1 : 0;
}

/* Clears the gradient of every variable given, also inside lists. */
REPL_HOT static int builtin_cleargrad(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    for (int i = 0; i < xs->count; i++) {
        repl_value v = xs->items[i];
        if (v.kind == VALUE_VAR) {
            ag_cleargrad(v.as.var);
            repl_note_summed(r, v.as.var); /* the streak is over */
        } else if (v.kind == VALUE_LIST) {
            for (int k = 0; k < v.as.list->count; k++)
                if (v.as.list->items[k].kind == VALUE_VAR) {
                    ag_cleargrad(v.as.list->items[k].as.var);
                    repl_note_summed(r, v.as.list->items[k].as.var);
                }
        } else if (v.kind != VALUE_NUMBER) {
            char buf[64];
            bool model = v.kind == VALUE_OBJECT && strcmp(v.as.object->type->name, "model") == 0;
            return repl_error(r, "cleargrad: expected variables, not %s%s", value_with_article(v, buf, sizeof buf),
                              model ? " (a model's gradients: model.cleargrads() or model.zero_grad())" : "");
        }
    }
    *out = VALUE_NIL_INIT;
    return 0;
}

/* cleargrad(x0, x1) of variables only (builtin_def.vars): as
 * builtin_cleargrad, which runs nothing else, so they stay borrowed. */
REPL_HOT static int cleargrad_vars(repl *r, ag_var *const *xs, int count) {
    for (int i = 0; i < count; i++) {
        /* the streak is over: repl_note_summed, whose ag_grad_calls is 0
         * once a clear worked (asked only when it did not) */
        if (ag_cleargrad(xs[i]) < 0 || r->said_once.summed_count != 0) repl_note_summed(r, xs[i]);
    }
    return 0;
}

static int builtin_unchain(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    if (arg_var(r, a, 0, &y) < 0) return -1;
    ag_unchain(y);
    *out = VALUE_NIL_INIT;
    return 0;
}

static int builtin_unchain_backward(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y;
    if (arg_var(r, a, 0, &y) < 0) return -1;
    ag_unchain_backward(y);
    *out = VALUE_NIL_INIT;
    return 0;
}

/* dy/dx for grad(). */
static int grad_of_one(repl *r, ag_var *y, ag_var *x, bool create, repl_value *out) {
    /* a gradient made without create_graph is a leaf: say how to get one
     * that can be differentiated again */
    if (ag_creator(y) == NULL && y != x) {
        if (ag_var_flags(y) & AG_VAR_DATA)
            return repl_error(r, "grad: the output is data (a comparison's 0/1, a data set's or a file's "
                                 "numbers, or an op of them alone), which records no graph: it depends on no "
                                 "variable");
        if (ag_var_flags(y) & AG_VAR_BACKWARD)
            return repl_error(r, "grad: the output is a gradient made without create_graph, which has no "
                                 "graph (to differentiate a gradient again, make it with create_graph=true)");
        return repl_error(r, "grad: the output does not depend on that input");
    }
    return builtin_done_var(r, ag_grad_of(r->ctx, y, x, create), out);
}

/* grad(y, [a, b]): the list [dy/da, dy/db], as torch.autograd.grad. */
static int grad_of_each(repl *r, const builtin_args *a, ag_var *y, bool create, repl_value *out) {
    const value_list *xs = a->values[1].as.list;
    char buf[96];
    if (xs->count == 0) return repl_error(r, "grad: x is an empty list; give the inputs, like grad(y, [a, b])");
    for (int i = 0; i < xs->count; i++)
        if (xs->items[i].kind != VALUE_VAR)
            return repl_error(r, "grad: x[%d] must be a variable, not %s", i,
                              eval_describe_kind(xs->items[i], buf, sizeof buf));
    repl_value list = value_list_new(xs->count);
    if (list.kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < xs->count; i++) {
        if (grad_of_one(r, y, xs->items[i].as.var, create, &list.as.list->items[i]) < 0) {
            value_release(list);
            return -1;
        }
    }
    *out = list;
    return 0;
}

static int builtin_grad(repl *r, const builtin_args *a, repl_value *out) {
    ag_var *y, *x;
    bool create;
    if (arg_var(r, a, 0, &y) < 0 || arg_bool(r, a, 2, &create) < 0) return -1;
    if (!arg_given(a, 1)) return repl_variable_attribute(r, y, "grad", NULL, out) < 0 ? -1 : 0;
    if (a->values[1].kind == VALUE_LIST) return grad_of_each(r, a, y, create, out);
    if (arg_var(r, a, 1, &x) < 0) return -1;
    return grad_of_one(r, y, x, create, out);
}

/* Calls a REPL callable from the engine's numeric code. */
typedef struct engine_call {
    repl *r;
    repl_value f;
    const char *caller;
    bool failed;
} engine_call;

static ag_var *call_from_engine(void *user, ag_ctx *ctx, ag_var *const *xs, int n) {
    engine_call *c = user;
    if (c->failed) return NULL;
    repl_value stack_argv[8] = {VALUE_NIL_INIT};
    repl_value *argv = n <= 8 ? stack_argv : malloc((size_t)n * sizeof *argv);
    if (argv == NULL) {
        c->failed = true;
        repl_error(c->r, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) argv[i] = value_var(xs[i]);
    repl_value result;
    int rc = repl_call_value(c->r, c->f, n, argv, &result);
    for (int i = 0; i < n; i++) value_release(argv[i]);
    if (argv != stack_argv) free(argv);
    if (rc < 0) {
        c->failed = true;
        return NULL;
    }
    ag_var *y = NULL;
    if (result.kind == VALUE_VAR) {
        y = result.as.var; /* stays alive: no collection inside a built-in */
    } else if (result.kind == VALUE_NUMBER) {
        y = ag_scalar(ctx, result.as.number);
    } else {
        char buf[64];
        repl_error(c->r, "%s: f must return a variable or number, not %s", c->caller,
                   value_with_article(result, buf, sizeof buf));
        c->failed = true;
    }
    value_release(result);
    return y;
}

static int check_callable(repl *r, const builtin_args *a) {
    repl_value f = a->values[0];
    if (f.kind == VALUE_FUNCTION || f.kind == VALUE_BUILTIN ||
        (f.kind == VALUE_OBJECT && f.as.object->type && f.as.object->type->call))
        return 0;
    char buf[64];
    return repl_error(r, "%s: f must be a function, not %s", a->def->name, value_with_article(f, buf, sizeof buf));
}

static int builtin_numgrad(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n;
    if (check_callable(r, a) < 0 || arg_var_list(r, a, 1, &xs, &n) < 0) return -1;
    if (n == 0) {
        free(xs);
        return repl_error(r, "numgrad: give the inputs after f: numgrad(f, x)");
    }
    engine_call c = {.r = r, .f = a->values[0], .caller = "numgrad"};
    repl_value result = n == 1 ? VALUE_NIL_INIT : value_list_new(n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        ag_var *g = ag_numgrad(r->ctx, call_from_engine, &c, xs, n, i, 1e-4);
        if (g == NULL) {
            rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
        } else if (n == 1) {
            result = value_var(g);
        } else {
            result.as.list->items[i] = value_var(g);
        }
    }
    free(xs);
    if (rc < 0) {
        value_release(result);
        return -1;
    }
    *out = result;
    return 0;
}

typedef struct mismatch_report {
    repl *r;
    ag_var **xs;
    viz_mark *marks; /* show=true: the first mismatch of each input, else NULL */
    int nmarks;
} mismatch_report;

static void report_mismatch(void *user, int input, size_t index, double analytic, double numeric) {
    mismatch_report *m = user;
    repl *r = m->r;
    const ag_var *x = m->xs[input];
    char name[96], where[32 * AG_MAX_DIMS] = "", a[AG_NUMBUF], b[AG_NUMBUF];
    if (ag_name(x)[0]) snprintf(name, sizeof name, "%s", ag_name(x));
    else snprintf(name, sizeof name, "input %d", input + 1);
    int ndim = ag_ndim(x);
    if (ndim > 0) {
        /* the flat index as one index per axis */
        size_t rest = index;
        int coords[AG_MAX_DIMS];
        for (int d = ndim - 1; d >= 0; d--) {
            int length = ag_shape(x)[d] > 0 ? ag_shape(x)[d] : 1;
            coords[d] = (int)(rest % (size_t)length);
            rest /= (size_t)length;
        }
        size_t at = 0;
        at += (size_t)snprintf(where + at, sizeof where - at, "[");
        for (int d = 0; d < ndim; d++)
            at += (size_t)snprintf(where + at, sizeof where - at, d ? ", %d" : "%d", coords[d]);
        snprintf(where + at, sizeof where - at, "]");
    }
    fprintf(r->io.out, "gradcheck: %s%s analytic %s numeric %s\n", name, where,
            print_format_number(r, analytic, a), print_format_number(r, numeric, b));
    bool marked = false;
    for (int i = 0; i < m->nmarks; i++) marked |= m->marks[i].var == x;
    if (m->marks != NULL && !marked) {
        viz_mark *mark = &m->marks[m->nmarks++];
        mark->var = x;
        snprintf(mark->note, sizeof mark->note, "✗ analytic %s numeric %s%s%s", a, b,
                 where[0] ? " at " : "", where);
    }
}

/* A backward of sum(y) for gradcheck's drawing: every node of y's graph
 * gets the gradient that flowed through it (drawn as grad⁺), and the inputs
 * keep the .grad they had before, as ag_gradcheck leaves them.  0, or -1
 * with the engine's error set. */
static int shown_backward(repl *r, ag_var *y, ag_var **xs, int n) {
    ag_var **saved = calloc((size_t)(n > 0 ? n : 1), sizeof *saved);
    if (saved == NULL) return repl_error(r, "gradcheck: out of memory");
    for (int i = 0; i < n; i++) {
        saved[i] = ag_grad(xs[i]);
        if (saved[i] != NULL) ag_retain(saved[i]);
        ag_cleargrad(xs[i]);
    }
    ag_keep_last_grads(r->ctx, true); /* the drawing's numbers, also inside a loop */
    r->eval.keeping_last_grads = true;
    ag_var *z = ag_size(y) != 1 ? ag_sum(r->ctx, y, NULL, 0) : y;
    int rc = z != NULL ? ag_backward(r->ctx, z, &(ag_backward_opts){0}) : -1;
    for (int i = n - 1; i >= 0; i--) { /* backwards: an input passed twice gets its first grad */
        if (saved[i] != NULL) ag_set_grad(xs[i], saved[i]);
        else ag_cleargrad(xs[i]);
    }
    for (int i = 0; i < n; i++)
        if (saved[i] != NULL) ag_release(saved[i]);
    free(saved);
    return rc;
}

static int builtin_gradcheck(repl *r, const builtin_args *a, repl_value *out) {
    ag_var **xs;
    int n;
    double atol, rtol;
    bool show;
    if (check_callable(r, a) < 0 || arg_number(r, a, 2, &atol) < 0 || arg_number(r, a, 3, &rtol) < 0 ||
        arg_bool(r, a, 4, &show) < 0 || arg_var_list(r, a, 1, &xs, &n) < 0)
        return -1;
    /* a number given (gradcheck(f, 0.5)) arrives as a constant, which gets
     * no gradient: check f at a plain leaf of its value */
    for (int i = 0; i < n; i++)
        if ((ag_var_flags(xs[i]) & AG_VAR_CONST) && (xs[i] = ag_detach(r->ctx, xs[i])) == NULL) {
            free(xs);
            return engine_error(r);
        }
    engine_call c = {.r = r, .f = a->values[0], .caller = "gradcheck"};
    mismatch_report m = {.r = r, .xs = xs};
    if (show && n > 0 && (m.marks = calloc((size_t)n, sizeof *m.marks)) == NULL) {
        free(xs);
        return repl_error(r, "gradcheck: out of memory");
    }
    int result = ag_gradcheck(r->ctx, call_from_engine, &c, xs, n, atol, rtol, report_mismatch, &m);
    if (result < 0) {
        free(xs);
        free(m.marks);
        int rc = r->error.set ? -1 : engine_error(r);
        ag_clear_error(r->ctx);
        return rc;
    }
    if (show) { /* the graph of f(xs), each checked input marked ✗ (its first mismatch) or ✓ */
        for (int i = 0; i < n && m.marks != NULL; i++) {
            bool marked = false;
            for (int k = 0; k < m.nmarks; k++) marked |= m.marks[k].var == xs[i];
            if (marked) continue;
            m.marks[m.nmarks].var = xs[i];
            snprintf(m.marks[m.nmarks++].note, sizeof m.marks[0].note, "✓ analytic = numeric");
        }
        ag_var *y = call_from_engine(&c, r->ctx, xs, n);
        if (y == NULL) {
            free(xs);
            free(m.marks);
            int rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
            return rc;
        }
        /* the drawn graph carries its gradients (grad⁺ on every node, as the
         * analytic side computed them); the inputs' .grad stay as they were */
        if (shown_backward(r, y, xs, n) < 0) {
            free(xs);
            free(m.marks);
            int rc = r->error.set ? -1 : engine_error(r);
            ag_clear_error(r->ctx);
            return rc;
        }
        free(xs);
        if (repl_viz_show_marked(r, y, m.marks, m.nmarks, "gradcheck") < 0) return -1;
    } else {
        free(xs);
    }
    *out = value_bool(result == 1);
    return 0;
}

const builtin_def builtins_autograd[] = {
    {"backward", "y, retain_grad=false, create_graph=false, step=false", builtin_backward, "autograd",
     "fill .grad of everything y depends on; step=true (or seconds per step) shows each function\n"
     "  Step-through: y.backward(step=true) runs one function per Enter, highest generation first.\n"
     "  Each step prints the function, then the chain rule with this graph's numbers for each of\n"
     "  its inputs (e.grad = d.grad × ∂d/∂e = -2 × 1 = -2); a variable used twice gets the sum of\n"
     "  its contributions.  The graph window (show(y) first) or tree(y) marks the function in\n"
     "  progress and the edges that carry gradient, and fills the gradients as they arrive.\n"
     "  q then Enter runs to the end; step=0.5 plays a step every 0.5 s; in a script the same\n"
     "  lines print without waiting.  Nodes then show grad⁺ (:help grad⁺).",
     .vars = backward_vars},
    {"cleargrad", "*xs", builtin_cleargrad, "autograd",
     "forget the gradients of xs (without it the next backward adds to them; graphs mark such sums ⚠)",
     .vars = cleargrad_vars},
    {"unchain", "y", builtin_unchain, "autograd", "cut y from the op that made it"},
    {"unchain_backward", "y", builtin_unchain_backward, "autograd", "cut every op below y (y keeps its own)"},
    {"grad", "y, x=nil, create_graph=false", builtin_grad, "autograd",
     "dy/dx as a new variable, without touching .grad (grad(y) is y.grad); grad(y, [a, b]) gives "
     "the list [dy/da, dy/db]; to take grad of it again, make it with create_graph=true"},
    {"numgrad", "f, *xs", builtin_numgrad, "autograd",
     "central-difference gradient of sum(f(xs)), h = 1e-4 (a list for several inputs)",
     .function_only = true},
    {"gradcheck", "f, *xs, atol=1e-6, rtol=1e-4, show=false", builtin_gradcheck, "autograd",
     "backward against central differences, element by element; prints mismatches", .function_only = true},
    {0},
};
