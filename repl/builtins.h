/* builtins.h — the one table of built-in functions.
 *
 * Every built-in is one builtin_def: its name, a signature string, the C
 * function, a topic and a help line.  :help, Tab completion, argument
 * binding and error messages all read the table.  Tables live in several
 * files (builtins_construct.c, _math, _shape, _nn, _attributes, _autograd and
 * _output for the first ones, builtins_ops.c for the
 * PyTorch-named ops added later, builtins_optim.c for
 * optimizers, builtins_model.c for models, builtins_graph.c for graphs,
 * builtins_plot.c for plots); builtins.c joins them.
 *
 * Signature strings list parameters with optional defaults, like
 *   "x, axis=nil"   "shape, seed=nil"   "lr=0.01, momentum=0, weight_decay=0"
 *   "y, retain_grad=false, create_graph=false, step=false"   "*xs"   "f, *xs"
 * Defaults are literals: numbers, strings, true/false, nil, or lists of
 * numbers.  `*name` collects the remaining positional arguments into a list
 * (VALUE_LIST).  A method is any built-in called as x.name(...): the
 * receiver becomes the first argument. */
#ifndef REPL_BUILTINS_H
#define REPL_BUILTINS_H

#include <stdio.h>

#include "session_state.h"
#include "value.h"

/* Bound arguments, one per parameter of the signature, in signature order;
 * missing optional ones hold their default (VALUE_NIL for nil).  The
 * evaluator owns them; a built-in copies what it keeps. */
#define BUILTIN_INLINE_ARGS 8
struct builtin_args {
    int count;
    repl_value *values; /* inline_values when count <= BUILTIN_INLINE_ARGS, else malloc'd */
    repl_value inline_values[BUILTIN_INLINE_ARGS]; /* no malloc for most calls */
    const builtin_def *def;
    int line, column; /* the call, for messages */
    const struct ast_node *call; /* the AST_CALL being run, or NULL (a call from C) */
    const char *source;          /* the text call's positions index, or NULL */
    int rest;                    /* the rest parameter's index, or -1 (set by repl_bind_arguments) */
};

/* Returns 0 with one reference in *out (VALUE_NIL for "no value"), or -1
 * after repl_error(). */
typedef int (*builtin_fn)(repl *r, const builtin_args *args, repl_value *out);

/* The text argument `index` of the built-in being run was typed as: the
 * receiver a.grad of a.grad.item() for index 0, or a positional argument
 * of f(a, b) or x.f(b) (not with receiver_only); false when the call was
 * made otherwise (from C, by another name, a keyword argument) or the text
 * is long or spans lines.  Messages say what the user wrote with it. */
bool builtin_arg_text(repl *r, const builtin_args *a, int index, bool receiver_only, char *buf, size_t size);
/* A framed built-in's group title, into title[size]: its name and its
 * positional arguments where they were typed as names ("conv2d(img, w,
 * b)"), else its parameters' names ("conv2d(input, weight)"). */
void builtin_call_title(repl *r, const builtin_args *a, char *title, size_t size);
/* The receiver of x.f() as typed (builtin_arg_text), else `otherwise` (the
 * parameter's name, "the first argument"), for a message about argument 0. */
static inline const char *builtin_receiver(repl *r, const builtin_args *a, const char *otherwise, char *buf,
                                           size_t size) {
    return builtin_arg_text(r, a, 0, true, buf, size) ? buf : otherwise;
}

/* A numeric sequence a for loop may walk without building it (range):
 * start + k*step for 0 <= k < count.  0, or -1 after an error. */
typedef int (*builtin_sequence_fn)(repl *r, const builtin_args *args, double *start,
                                   double *step, double *count);

/* What a call does beyond returning its values: a front end's user
 * expression (repl_set_changes_refused) runs only calls that change
 * nothing.  Set on the joined rows from one reviewed list, builtin_effects
 * in builtins.c (a row of a table leaves it out): a new built-in that
 * changes the session or writes a file is added there. */
typedef enum builtin_effect {
    BUILTIN_READS = 0,       /* returns new values and changes nothing else (tree, dot(y), has_window) */
    BUILTIN_CHANGES,         /* changes the session: gradients, a graph, the figures or a window, a model,
                              * an optimizer, a list, a setting, the random numbers' seed */
    BUILTIN_WRITES,          /* writes the file its file_arg names, when that is given (dot(y, "g.dot")) */
    BUILTIN_CHANGES_IF_GIVEN, /* changes a setting when argument effect_arg is given (pace(30); pace() reads) */
    BUILTIN_CHANGES_IF_TRUE, /* changes its arguments when argument effect_arg is true
                              * (batch_norm(training=true) updates running_mean and running_var) */
} builtin_effect;

struct builtin_def {
    const char *name;
    const char *signature;
    builtin_fn fn;
    const char *topic; /* one of builtin_topics[] (a test checks every row) */
    const char *help;  /* one line; further lines (after \n, indented two spaces)
                        * only in :help NAME */
    /* optional, left out of most rows: */
    builtin_sequence_fn sequence; /* for x in NAME(...) without the list */
    /* No method form: the first argument is not something the call acts on
     * (x.zeros(), x.mlp(), x.sgd() or x.savefig() would only put x in a
     * slot that means something else: a shape, layer sizes, parameters to
     * bind, a file name).  Every other built-in has one: x.sum(axis=0). */
    bool function_only;
    /* The argument (1 = the first) that names a file the call writes or
     * reads, 0 for none: when it is given, a --no-files session refuses the
     * call before it runs. */
    int file_arg;
    /* Said instead of "missing argument 'NAME'" when a call leaves out an
     * argument that has no default: how the call is written ("takes the
     * model to fill and the file: load(m, ...)"); NULL for that message. */
    const char *usage;
    /* An elementwise op of one variable (sin, exp, tanh...: builtins_math.c's
     * UNARY_BUILTIN rows): fn is arg_var then this op.  A call f(x) whose x
     * is a variable runs it without binding arguments (call.c,
     * call_unary_direct); NULL in every other row. */
    ag_var *(*unary)(ag_ctx *ctx, ag_var *x);
    /* A built-in whose value is none and whose call with variables only, its
     * other parameters left at their defaults, is this run over them
     * (cleargrad(x0, x1), y.backward()): a call whose arguments (and
     * receiver) are all names bound to variables runs it without binding
     * arguments (call.c, call_vars_direct).  It returns 1 before doing
     * anything when it does not take `count` variables (the call then binds
     * its arguments the general way), else 0, or -1 after an error.  The
     * variables are borrowed from their bindings: one that runs statements
     * (a backward's hooks) holds its own roots.  NULL in most rows. */
    int (*vars)(repl *r, ag_var *const *xs, int count);
    /* The engine makes the call's result with several ops (conv2d: Im2col,
     * Linear, Reshape, Transpose; layer_norm; a loss written out): they are
     * drawn as a group titled with the call, as a def's call is
     * ("conv2d(img, w, b)": builtin_call_title), a frame or a folded box. */
    bool framed;
    /* Set by builtins_all from builtin_effects (builtins.c), never in a
     * table's row: what the call changes, and the argument (1 = the
     * first) a conditional effect looks at. */
    builtin_effect effect;
    int effect_arg;
};

/* The help topics, in :help's order (NULL-terminated): the closed set that
 * builtin_def.topic takes its values from. */
extern const char *const builtin_topics[];
/* True when topic is one of builtin_topics. */
bool builtin_topic_known(const char *topic);
/* True when this call of def (its arguments bound in args) would change the
 * session or write a file, by def->effect (repl_set_changes_refused). */
bool builtin_call_changes(const builtin_def *def, const builtin_args *args);

/* The joined table (NULL-terminated by a zero entry) and lookups. */
const builtin_def *builtins_all(int *count);
const builtin_def *builtin_find(const char *name);
/* Whether x.NAME(...) means NAME(x, ...) (false for constructors, models,
 * optimizers and the like, whose first argument is not a receiver). */
static inline bool builtin_method_form(const builtin_def *def) { return !def->function_only; }

/* Each table file provides its part. */
/* The first built-ins, one file a topic, in :help's row order: */
extern const builtin_def builtins_construct[];  /* terminated by {0} */
extern const builtin_def builtins_math[];
extern const builtin_def builtins_shape[];
extern const builtin_def builtins_nn[];
extern const builtin_def builtins_attributes[];
extern const builtin_def builtins_autograd[];
extern const builtin_def builtins_output[];
extern const builtin_def builtins_ops[];   /* builtins_ops.c: PyTorch's everyday ops */
extern const builtin_def builtins_optim[];
/* Writes the optimizer rows' signatures from the engine's table (its
 * hyper-parameters and defaults), once: builtins_all calls it, and
 * builtin_find when the row it found is an optimizer's
 * (builtins_optim_prepare_row). */
void builtins_optim_prepare(void);
void builtins_optim_prepare_row(const builtin_def *def);
extern const builtin_def builtins_model[];
extern const builtin_def builtins_graph[];
extern const builtin_def builtins_plot[];
extern const builtin_def builtins_pictures[];
extern const builtin_def builtins_data[];  /* builtins_data.c: data sets, batches, files of data */
extern const builtin_def builtins_loop[];  /* builtins_loop.c: enumerate, zip, ... */
extern const builtin_def builtins_conv[];  /* builtins_conv.c: images */
extern const builtin_def builtins_extra[]; /* builtins_extra.c: more of PyTorch's functions */
/* torch.scatter(x, dim, index, src) (builtins_extra.c), which the `scatter` row
 * (builtins_pictures.c) runs when its third argument is a tensor of indices. */
int repl_tensor_scatter(repl *r, const builtin_args *a, repl_value *out);
/* x cut along axis into pieces of sizes[0, n): a list of them in *out and
 * 0, or -1 after an error (builtins_shape.c: split, and chunk in
 * builtins_extra.c). */
int repl_split_list(repl *r, ag_var *x, const int *sizes, int n, int axis, repl_value *out);

/* ---- helpers for built-in implementations (eval.c) ------------------------- */

/* repl_error, engine_error and the session's accessors (repl_ctx, repl_out,
 * repl_digits, the file rules) a built-in calls: session_state.h. */

/* A built-in's variable result: v into *out and 0, or engine_error when v
 * is NULL (the engine raised). */
static inline int builtin_done_var(repl *r, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error(r);
    *out = value_var(v);
    return 0;
}

/* Starts the session's generator (rand, randn, dropout, models without
 * seed=) again from `seed`, a whole number >= 0; else -1 after an error
 * "WHO: the seed must be ..." (builtins_construct.c). */
int repl_seed(repl *r, double seed, const char *who);

/* Sets when printed tensors are summarized: above `threshold` elements
 * (INFINITY: never), showing `edge` items per end of an axis; -1 after an
 * error "WHO: ..." naming the bad one (builtins_output.c). */
int repl_set_print(repl *r, double threshold, double edge, const char *who);

/* Conversions with messages naming the built-in and the parameter:
 * "sum: axis must be an integer or a list of integers, not a string". */
int arg_var(repl *r, const builtin_args *a, int index, ag_var **out);  /* numbers and tensor lists become constants */
int arg_number(repl *r, const builtin_args *a, int index, double *out);
int arg_int(repl *r, const builtin_args *a, int index, int *out);
int arg_bool(repl *r, const builtin_args *a, int index, bool *out);
int arg_string(repl *r, const builtin_args *a, int index, const char **out);
/* A list of ints (or one int): axes, shapes, indices. */
int arg_ints(repl *r, const builtin_args *a, int index, int *out, int max, int *count);
/* arg_ints on the value v standing for argument index (one item of a rest
 * parameter, say); messages name the parameter at index. */
int arg_ints_of(repl *r, const builtin_args *a, int index, repl_value v, int *out, int max,
                int *count);
bool arg_given(const builtin_args *a, int index); /* not VALUE_NIL */
/* Argument index was typed in place, not as a keyword (false when unknown:
 * a call from C, or by another name). */
bool arg_positional(repl *r, const builtin_args *a, int index);
/* An optional variable argument (bias=nil, weight=nil): *out NULL when it
 * is not given, else arg_var's. */
int arg_optional_var(repl *r, const builtin_args *a, int index, ag_var **out);
/* A shape from the rest parameter at index: one list or integer
 * (zeros([2, 3]), zeros(3)) or several integers (zeros(2, 3)). */
int arg_dims(repl *r, const builtin_args *a, int index, int *shape, int *ndim);
/* A list argument's variables (numbers and tensor literals become leaves),
 * or a tensor's rows; *xs malloc'd (builtins_shape.c). */
int arg_var_list(repl *r, const builtin_args *a, int index, ag_var ***xs, int *n);
/* A reduction= argument: "mean", "sum" or "none" (builtins_ops.c). */
int arg_reduction(repl *r, const builtin_args *a, int index, ag_reduction *out);
/* The source text of positional argument `index` as the user wrote it
 * ("loss / n"; a method's receiver is argument 0), in buf.  False when the
 * call did not come from source, the argument was not written there, or
 * it is a literal (3, -1.5, "a", true: it names nothing). */
bool arg_source(const builtin_args *a, int index, char *buf, size_t size);

/* Calls any callable value (user function, built-in, callable object) with
 * positional arguments; used by numgrad, gradcheck, contour.  0 or -1. */
int repl_call_value(repl *r, repl_value callee, int argc, const repl_value *argv,
                    repl_value *out);

/* Prints a value the way an expression statement does. */
void repl_print_value(repl *r, FILE *out, repl_value v);

/* The viz bridge's session state (viz_session.h), one per session. */
struct viz_mark; /* viz/graph.h */
repl_viz *repl_viz_new(repl *r, bool headless);
void repl_viz_free(repl_viz *v);
/* Between statements and while the user types: keep windows live. */
void repl_viz_idle(repl_viz *v);
/* True while the graph window follows a graph (show). */
bool repl_viz_following(const repl_viz *v);
int repl_viz_timeout_ms(const repl_viz *v); /* -1 when no window is open */
/* After each top-level statement: refresh an open show() window. */
void repl_viz_after_statement(repl_viz *v);
/* Stepping through backward (y.backward(step=true)): called before each
 * function's backward with the function about to run (NULL when the pass is
 * over); the bridge refreshes an open graph window, or prints tree(y) with
 * that function marked when asked to (print_tree). */
void repl_viz_step(repl_viz *v, ag_var *y, ag_func *active, bool print_tree);
/* Shows y's graph with marks (taken: a malloc'd array, or NULL when nmarks
 * is 0) in the graph window, which then follows y as after show(y); without
 * a window prints the text tree.  `what` ("gradcheck") names the caller in
 * the title and in errors.  0, or -1 with the error reported. */
int repl_viz_show_marked(repl *r, ag_var *y, struct viz_mark *marks, int nmarks, const char *what);
/* backward(step=...): runs ag_backward with opts, printing each function with
 * the chain rule and its numbers; pace is seconds per step when a person is at
 * the terminal, 0 to wait for Enter.  0, or -1 with the error reported. */
int repl_backward_steps(repl *r, ag_var *y, ag_backward_opts *opts, double pace);
/* After a backward from y with no graph (nograd, or a gradient made without
 * create_graph): one note on r->io.err saying why only y.grad was set. */
void repl_note_no_graph(repl *r, ag_var *y);
/* When v's gradient is read or drawn: a note on r->io.err if it is a data
 * variable's (no optimizer updates it) summed over several backward calls,
 * once per variable until it is cleared (called after a cleargrad, it
 * forgets the variable). */
void repl_note_summed_streak(repl *r, const ag_var *v);
static inline void repl_note_summed(repl *r, const ag_var *v) {
    /* nearly every call ends here, inline (every x.grad and cleargrad in a
     * loop): no streak noted and a gradient of one backward, or none */
    if (r->said_once.summed_count != 0 || ag_grad_calls(v) >= 2) repl_note_summed_streak(r, v);
}
/* The same mistake where an optimizer meets it: `what` ("sgd.step") is
 * about to update params and some .grad adds up several backward calls.
 * One note for all of them, once per variable and streak. */
void repl_note_summed_update(repl *r, const char *what, ag_var *const *params, int n);
/* repl_note_summed for every variable of the graph ending at y (it is drawn). */
void repl_note_summed_in_graph(repl *r, ag_var *y);
/* Visits every function of the graph ending at y once (and, with visit_var,
 * every variable: y first, then each function's inputs); stops when visit
 * returns true, and returns whether one did. */
bool repl_walk_graph(ag_var *y, bool (*visit)(void *user, ag_func *f), void (*visit_var)(void *user, ag_var *v),
                     void *user);
/* pace() and :pace: frames a second for loops that plot or track (0 = off).
 * 0, or -1 after repl_error when fps is out of range. */
int repl_viz_set_pace(repl *r, double fps);
/* :load NAME: a lesson starts on an empty figure at full speed, as a fresh
 * agrepl --lesson NAME does (not drawn over the last lesson's panels, nor
 * held at the pace the last lesson set). */
void repl_lesson_fresh_figure(repl *r);
/* :zoom: scale of text and lines in windows and saved figures and graphs. */
int repl_viz_set_zoom(repl *r, double zoom);

#endif
