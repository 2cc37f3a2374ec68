/* repl_internal.h — the REPL's insides above the bottom floor (the middle of
 * repl/), one section per file that defines them:
 *   eval.c      the evaluator: literals, operators, expressions
 *   eval_values.c  what it asks of values: kinds, truth, comparisons
 *   exec.c      statements: def, for, if, blocks, the statement boundary
 *   assign.c    assignments: names, attributes, the in-place rule of x op= e
 *   access.c    attributes (the variable attribute table)
 *   index.c     indexing: x[i, ...], slices, x[i] = e
 *   call.c      calls of built-ins, user functions, objects and methods
 *   builtins.c  signatures and argument binding
 *   builtins_model.c  model objects
 *   commands.c  the ':' command table (commands_help.c: :help)
 *   print.c     printing values
 *   suggest.c   "did you mean" and completion
 * The session's struct and the bottom floor's files (names, errors, user
 * functions, the accessors) are in session_state.h, which this includes.
 * Front ends use repl.h; built-ins use builtins.h. */
#ifndef REPL_INTERNAL_H
#define REPL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "builtins.h"
#include "ptrmap.h"
#include "session_state.h"
#include "strbuf.h"
#include "value.h"

/* The functions every step of a scalar loop runs (statements, expressions,
 * built-in calls): GCC puts them side by side in .text.hot, so a loop's
 * code shares fewer cache sets with everything else. */
#define REPL_HOT __attribute__((hot))

/* The kinds of a node's memo (ast.h's ast_memo; eval.c says how a binding's
 * is kept valid). */
enum memo_kind {
    MEMO_NONE,
    MEMO_LOCAL,    /* binding: a slot of the running def's frame */
    MEMO_SESSION,  /* binding: a slot of the session's table */
    MEMO_BUILTIN,  /* binding: a built-in (no table binds the name) */
    MEMO_CONSTANT, /* pi, e (no table binds the name); number */
    MEMO_BIND,     /* eval_bind_name_memo: the slot a binding goes to */
    MEMO_METHOD,   /* a call's x.NAME: the built-in NAME or NULL (static) */
    MEMO_ATTRIBUTE /* x.NAME: the variable attribute's row or NULL (static) */
};

static inline ast_memo *memo_of(const ast_node *n) { return (ast_memo *)&n->memo; }

/* The generation a binding memo found from `scope` (a def call's frame,
 * or NULL outside every def) is kept with: the frames' count joins the
 * session tables' inside a def only.  Both counts only grow, so their sum
 * is unchanged exactly when neither is. */
/* A memo made inside a def carries the top bit as well (MEMO_FRAME_GENERATION),
 * so that only a top-level memo's generation is ever names_generation itself:
 * memo_valid's first test. */
#define MEMO_FRAME_GENERATION (1UL << (sizeof(unsigned long) * 8 - 1))
static inline unsigned long memo_generation(const name_table *scope) {
    return names_generation + (scope != NULL ? names_frames_generation + MEMO_FRAME_GENERATION : 0);
}

/* Sets the running frame (NULL at top level) and the memos' owner with it. */
static inline void eval_set_locals(repl *r, name_table *locals) {
    r->eval.locals = locals;
    r->eval.memo_owner = locals != NULL ? (const void *)locals : (const void *)((const char *)r + 1);
}

/* Whether a binding memo (MEMO_LOCAL ... MEMO_CONSTANT, MEMO_BIND) still
 * holds: it is valid for the session and frame it was found from while the
 * names it could have been found in have not moved (eval.c, "memos").
 * Inside a def, when the frames moved (a call's new frame), also while
 * its frame's slot holds its key (memo_frame_slot_holds) or, for a name
 * the def never binds (frame_free), while the session's names stay: out
 * of line, so the loops at top level keep the one test. */
bool eval_memo_valid_in_frame(const repl *r, const ast_memo *m);
static inline bool memo_valid_plain(const repl *r, const ast_memo *m) {
    if (m->scope != r->eval.locals || m->session != r) return false;
    return m->generation == memo_generation(m->scope) || (m->scope != NULL && eval_memo_valid_in_frame(r, m));
}
/* memo_valid_plain with the top level's case first in two tests: the same
 * owner (the session's address + 1 at top level, odd, never a frame's: so
 * scope NULL and the session r) and names_generation, which no memo made
 * inside a def carries (MEMO_FRAME_GENERATION); a memo of a frame at the
 * same address then checks the rest as memo_valid_plain does.  The
 * session's memos' test, 14 a W1 step. */
static inline bool memo_valid(const repl *r, const ast_memo *m) {
    if (m->owner != r->eval.memo_owner) return false;
    if (m->generation == names_generation) return true;
    return m->scope != NULL && m->session == r &&
           (m->generation == memo_generation(m->scope) || eval_memo_valid_in_frame(r, m));
}

/* memo_keep (past_frame false) or memo_keep_past_frame (eval.c) of m, for
 * test_memo_valid_as_plain. */
void eval_memo_keep_for_test(repl *r, ast_memo *m, int what, const void *binding, const char *name,
                              bool past_frame);
/* The built-in NAME of a method call's x.NAME (NULL when none), remembered
 * in the attribute node's memo: the built-in table never changes. */
const builtin_def *eval_method_builtin(const ast_node *attribute);

/* ---- builtins.c: parsed signatures and argument binding ----------------------- */
typedef struct signature_param {
    char *name;
    bool has_default;
    bool collects_rest; /* *name */
    repl_value default_value;
} signature_param;

struct signature {
    const builtin_def *def;
    int count;
    signature_param *params;
    int positional; /* parameters before *rest (or all) */
    int rest;       /* index of *rest, or -1 */
    int required;   /* parameters without default before *rest */
    /* every parameter but the first `required` and *rest has a default that
     * needs no reference (a number, a bool, a built-in, nil): a call of
     * positional arguments is bound by copying them over the defaults */
    bool plain_defaults;
};

void builtin_signature_cache_free(signature_cache *cache);
/* The parsed signature of def (cached); NULL with an error reported when the
 * signature string is malformed or memory runs out. */
const signature *builtin_signature_of(repl *r, const builtin_def *def);
/* def's signature when a call before has parsed it, else NULL (nothing
 * reported): the loop's calls find it without builtin_signature_of's upkeep. */
static inline const signature *signature_cached(const signature_cache *cache, const builtin_def *def) {
    if (cache->capacity == 0) return NULL;
    size_t mask = (size_t)(cache->capacity - 1);
    for (size_t h = ((size_t)(uintptr_t)def >> 4) & mask; cache->slots[h] != NULL; h = (h + 1) & mask)
        if (cache->slots[h]->def == def) return cache->slots[h];
    return NULL;
}
/* A rest list (*xs) of count items for a call to fill at once: the spare
 * block when it has room (items to be overwritten), else a new list of nils;
 * not a list when memory runs out. */
repl_value builtin_rest_list(repl *r, int count);

/* Binds positional and keyword arguments to def's parameters.  The values
 * are borrowed; on success args->values holds one new reference per
 * parameter (free with builtin_args_free).  -1 after repl_error. */
int repl_bind_arguments(repl *r, const builtin_def *def, int argc, const repl_value *argv,
                   int nkeywords, const char *const *keyword_names,
                   const repl_value *keyword_values, builtin_args *args);
void builtin_args_free(builtin_args *args);
/* builtin_args_free after a call bound by repl_bind_arguments: a rest list that
 * the built-in kept no reference to is kept for the next call. */
void builtin_args_done(repl *r, builtin_args *args);
/* "sin(x)" / "sum(x, axis=nil)" for help, completion and printing; malloc'd. */
char *builtin_signature_text(const builtin_def *def);

/* ---- graph_notes.c: groups and parameter paths for drawing graphs ------------- */

/* Starts the engine's layer observer and its record of the last backward's
 * gradients for r's context. */
void repl_notes_start(repl *r);
/* repl_notes_before_backward's change: keep them or not from now on. */
void repl_notes_keep_last_grads(repl *r, bool keep);
/* Before a backward: the last backward's gradients (grad⁺ in graphs) are kept
 * unless the backward runs in a loop iteration that is not the loop's last
 * and no graph window follows a graph: copying every gradient of every
 * step cost a training loop 7-15 % of its time and memory (bench/README.md),
 * and only the last step's can be drawn after the loop.  Inline: a training
 * loop asks at every step, and the answer changes at most twice a loop. */
static inline void repl_notes_before_backward(repl *r) {
    bool keep = r->eval.loops_not_last == 0 || repl_viz_following(r->viz);
    if (keep != r->eval.keeping_last_grads) repl_notes_keep_last_grads(r, keep);
}
void repl_notes_free(repl_notes *n);
/* Functions made from now until repl_group_leave belong to a new group
 * titled `title` ("rosenbrock(x0, x1)"); returns the tag to restore. */
unsigned repl_group_enter(repl *r, const char *title);
void repl_group_leave(repl *r, unsigned outer);
/* Around the engine's forward of a model m(x) runs (NULL after it): its
 * layers' group titles look the model's binding up once, not per layer. */
void repl_notes_model_forward(repl *r, const void *model);
/* For viz_graph_opts (user = the repl): a group's title, NULL for none;
 * a parameter's path from the global model it belongs to ("m.linear[0].w"),
 * NULL when none (valid until the next call). */
const char *repl_group_title(void *user, unsigned tag);
const char *repl_var_path(void *user, const ag_var *v);
/* builtins_pictures.c: a model layer's units over the plane, for the graph's inspector (viz_graph_opts.unit_maps) */
struct viz_unit_maps;
int repl_unit_maps(void *user, const ag_var *v, struct viz_unit_maps *maps);

/* ---- builtins_model.c: model objects ------------------------------------------ */

/* The model behind a model value or its m.params view, else NULL. */
ag_model *repl_model_of(repl_value v);
/* A model value holding the reference m (taken); not VALUE_OBJECT when out of memory. */
repl_value repl_model_value(ag_model *m);

/* ---- builtins_optim.c: optimizer objects ------------------------------------------ */

/* The optimizer behind an optimizer object, else NULL. */
ag_optim *repl_optimizer_of(repl_value v);

/* ---- eval.c: the evaluator ----------------------------------------------------- */

/* Frees the literal constants' slots (constant_slot, session_state.h). */
void eval_constants_clear(repl *r);

/* Statement outcomes inside the evaluator. */
enum { EXEC_OK = 0, EXEC_ERROR = -1, EXEC_BREAK = 1, EXEC_CONTINUE = 2, EXEC_RETURN = 3 };

/* The constants every session knows (pi, e): the evaluator, completion and
 * suggestions read this one table (NULL-terminated by a zero entry). */
typedef struct repl_constant {
    const char *name;
    double value;
} repl_constant;
extern const repl_constant repl_constants[];

/* The literals' constants and the arithmetic's results, shared by the walk
 * (eval.c) and the flat plans (eval_plan.c). */
ag_var *eval_pooled_constant_made(repl *r, constant_slot *slot, const ast_node *at, double value);
/* The constant the literal at `at` stands for: the one it made before while
 * nothing has changed that one (no name, gradient, flag or in-place change:
 * a def that returns its argument hands it to the user, who may do any of
 * those), else a new one in the node's slot.  Only `is` sees the sharing: a
 * constant gets no gradient (AG_VAR_CONST), and a drawing gives each op that
 * reads one a box of its own (viz_walk_input).  NULL when memory runs out.
 * The check is inline in the arithmetic; making a constant is not. */
static inline __attribute__((always_inline)) ag_var *pooled_constant(repl *r, const ast_node *at, double value) {
    constant_slot *slot = &r->eval.constants[(uint32_t)((uintptr_t)at >> 4) * 2654435761u % CONSTANT_SLOTS];
    ag_var *c = slot->var;
    if (c != NULL && slot->at == at && memcmp(&slot->value, &value, sizeof value) == 0 &&
        ag_var_flags(c) == AG_VAR_CONST && ag_var_version(c) == 0 && ag_grad(c) == NULL &&
        ag_name(c)[0] == '\0')
        return c;
    return eval_pooled_constant_made(r, slot, at, value);
}

/* An op's result v into *out: with a reference of its own (0) when `root`,
 * else without one (1: the caller uses it before anything else runs). */
static inline __attribute__((always_inline)) int arith_result(repl *r, const ast_node *at, ag_var *v, bool root,
                                                              repl_value *out) {
    if (v == NULL) return engine_error_at(r, at);
    if (root) {
        *out = value_var(v);
        return 0;
    }
    *out = (repl_value){.kind = VALUE_VAR, .as.var = v};
    return 1;
}

/* The arithmetic plans (eval_plan.c): n's plan's run, 0 with a reference in
 * *out (root), 1 with none (when root is false: arith_result), -1 after an
 * error, or PLAN_DECLINED when the tree is to be walked by eval.c's
 * eval_arithmetic_at instead (nothing done). */
enum { PLAN_DECLINED = 2 };
int eval_arith_plan_run(repl *r, const ast_node *n, bool root, repl_value *out);

/* Whether arithmetic trees run their flat plans (eval_plan.c); tests turn it off to compare them with the walk, and count the
 * plans' runs. */
extern bool eval_plans_enabled;
extern unsigned long eval_plan_runs;
/* Whether an update statement of scalars (`x -= lr * x.grad`) runs the quick
 * update (assign.c, update_quick) before compound_assign's look; tests turn
 * it off to compare the two, and count its runs. */
extern bool eval_update_quick_enabled;
extern unsigned long eval_update_quick_runs;

/* Evaluates expression n into *out (one new reference); 0, or -1 after an
 * error reported at the node that failed. */
int eval_expr(repl *r, const ast_node *n, repl_value *out);

/* How a number literal is passed on where it is used. */
typedef enum literal_use {
    LITERAL_LEAF,     /* a 0-d variable (shown, bound, an item of a list) */
    LITERAL_CONSTANT, /* a 0-d variable flagged AG_VAR_CONST (an operand of an op) */
    LITERAL_NUMBER    /* a plain number: %, comparisons, indices, built-in arguments */
} literal_use;
/* Evaluates n; a number literal becomes what `use` asks for. */
int eval_operand(repl *r, const ast_node *n, literal_use use, repl_value *out);
/* v as a condition at node `at` (and/or in eval.c, if in exec.c): none,
 * false, 0, "" and [] are false, a one-element variable by its value; a
 * bigger variable is an error. */
int eval_truthy(repl *r, const ast_node *at, repl_value v, bool *out);
/* Whether n is a number literal: 2, 1e-3, a constant (pi, e) unless a name
 * shadows it, or unary minus or plus of one; its value in *out.  The common
 * answers are inline (every operand of every binary node is asked): a
 * number, anything but a sign or a name, and a name whose memo is a valid
 * binding; eval_number_literal_folded (eval.c) finds the rest. */
bool eval_number_literal_folded(repl *r, const ast_node *n, double *out);
static inline bool number_literal(repl *r, const ast_node *n, double *out) {
    if (n->kind == AST_NUMBER) {
        *out = n->as.number;
        return true;
    }
    if (n->kind != AST_UNARY && n->kind != AST_NAME) return false;
    if (n->kind == AST_NAME && (n->memo.what == MEMO_LOCAL || n->memo.what == MEMO_SESSION) &&
        memo_valid(r, &n->memo))
        return false;
    return eval_number_literal_folded(r, n, out);
}

/* A name whose memo is a valid binding of the frame or the session, or a
 * built-in (every name a loop reads after its first step): its value into
 * *out, copied, as eval_expr and eval_operand give it; false for any other
 * node, which is evaluated.  A call's callee and arguments ask it inline. */
static inline bool bound_name_value(repl *r, const ast_node *n, repl_value *out) {
    if (n->kind != AST_NAME || n->memo.what < MEMO_LOCAL || n->memo.what > MEMO_BUILTIN ||
        !memo_valid(r, &n->memo))
        return false;
    if (n->memo.what == MEMO_BUILTIN) *out = value_builtin(n->memo.binding);
    else *out = value_copy(*(const repl_value *)n->memo.binding);
    return true;
}

/* The binding a name node's valid memo holds in the frame or the session,
 * not copied (so no root is added: for a value used before anything else
 * runs); NULL for any other node. */
static inline const repl_value *bound_name_slot(const repl *r, const ast_node *n) {
    if (n->kind != AST_NAME || (n->memo.what != MEMO_LOCAL && n->memo.what != MEMO_SESSION) ||
        !memo_valid(r, &n->memo))
        return NULL;
    return n->memo.binding;
}

/* Runs the statements of a block: EXEC_OK, or the first other outcome. */
int exec_block(repl *r, const ast_node *block);
/* Runs one statement; at top level an expression statement shows its value. */
int exec_statement(repl *r, const ast_node *n, bool top_level);
/* Between statements: Ctrl-C (an error at n; -1), garbage collection when
 * enough was made, live windows.  0 otherwise. */
int repl_statement_boundary(repl *r, const ast_node *n);

/* Looks a name up the way the evaluator does (locals, session, built-ins,
 * constants); true with a new reference in *out. */
bool eval_lookup_name(repl *r, const char *name, repl_value *out);
/* Binds name in the running def's frame, or the session at top level
 * (taking value's reference); 0, or -1 after an error at `at`. */
int eval_bind_name(repl *r, const ast_node *at, const char *name, repl_value value);
/* eval_bind_name remembering the slot in memo_node's memo, so the next binding
 * of the same name by that node (a loop's) skips the table's look-up: the
 * look-up, for a memo that is not a valid slot (eval_bind_name_memo, below,
 * answers the rest inline). */
int eval_bind_name_memo_found(repl *r, const ast_node *at, const ast_node *memo_node, const char *name,
                              repl_value value);
/* The slot of the name an assignment NAME op= e updates (the frame's, else
 * the session's), remembered in n's memo; NULL when unbound.  *in_session
 * says which table holds it. */
repl_value *eval_assign_slot_found(repl *r, const ast_node *n, const char *name, bool *in_session);
/* The same, with the steady state of a loop (n's memo a valid binding of
 * the frame or the session) answered inline: an update statement asks it
 * for its target and every name its e reads. */
static inline repl_value *eval_assign_slot(repl *r, const ast_node *n, const char *name, bool *in_session) {
    const ast_memo *m = &n->memo;
    if ((m->what == MEMO_LOCAL || m->what == MEMO_SESSION) && memo_valid(r, m)) {
        *in_session = m->what == MEMO_SESSION;
        return (repl_value *)m->binding;
    }
    return eval_assign_slot_found(r, n, name, in_session);
}
/* What a PyTorch or NumPy spelling is here (spellings.c): a name (torch,
 * nn, MSELoss) when `of` is "", else x.NAME of a value of that kind
 * ("variable": x.detach(); an object type's name: "model", "optimizer"), or
 * a keyword of built-in NAME when `of` is "NAME(" (backward's gradient=): a
 * hint for its error, or NULL. */
const char *eval_other_spelling(const char *name, const char *of);
/* The names eval_other_spelling answers for x.NAME of kind `of` (not ""),
 * up to max of them into names; how many. */
int eval_other_spelling_names(const char *of, const char **names, int max);
/* "unknown name 'x'; did you mean ...?" at `at`; -1. */
int eval_unknown_name(repl *r, const ast_node *at, const char *name);
/* a OP b for + - * / ^ @ % (records the graph for variables); 0, or -1
 * after an error at `at`. */
/* What an operator computes (eval.c): the engine's op on variables (NULL for
 * %), the rule on plain numbers (NULL for @; a comparison's gives 1 or 0)
 * and the verb of messages ("add"); rows for the binary operators but
 * and, or, is. */
typedef struct repl_operator {
    /* the op on variables; NULL for % and //, whose operands of no axes give
     * a plain number (SPEC) and whose tensors take `tensor` */
    ag_var *(*engine)(ag_ctx *ctx, ag_var *a, ag_var *b);
    double (*number)(double a, double b);
    const char *verb;
    ag_var *(*tensor)(ag_ctx *ctx, ag_var *a, ag_var *b);
} repl_operator;
extern const repl_operator repl_operators[AST_OP_COUNT];
int eval_arithmetic(repl *r, const ast_node *at, ast_operator op, repl_value a, repl_value b,
               repl_value *out);
/* Node `at` (an in-place update, arithmetic on plain numbers) made a NaN or
 * Inf: remembered for the warning after the statement unless an op did. */
void eval_note_nonfinite(repl *r, const ast_node *at, const char *fallback);

/* ---- assign.c: assignment statements ------------------------------------------------ */

/* x = e, x op= e, x.data = e, x.grad = none (the AST_ASSIGN n); 0, or -1
 * after an error. */
int exec_assign(repl *r, const ast_node *n);
/* exec_assign of NAME op= e (n->as.assign.op set, no object): a block's
 * statements call it directly. */
int exec_update(repl *r, const ast_node *n);
/* A variable without a name takes name, as a value an assignment or a
 * loop binds labels itself in graphs and prints (y(0.84...)); a named one
 * and any other value stay as they are. */
static inline void value_take_name(repl_value v, const char *name) {
    if (v.kind == VALUE_VAR && ag_name(v.as.var)[0] == '\0') ag_set_name(v.as.var, name);
}
/* The value `target = v` binds (v taken): numbers and tensor literals become
 * leaves, a variable without a name takes target's.  0 or -1. */
int repl_assign_value(repl *r, const ast_node *at, const char *target, repl_value v, repl_value *out);
/* The strides (elements; 0 along a broadcast axis) that read e, of e_ndim
 * axes e_shape, at each position of a target of ndim axes shape, as NumPy
 * broadcasts; false when e does not broadcast to it (x[i] = e, x op= e). */
bool repl_broadcast_strides(int e_ndim, const int *e_shape, int ndim, const int *shape,
                            size_t strides[AG_MAX_DIMS]);


/* "a string", "a variable of shape [3]", "nil" for messages. */
const char *eval_describe_kind(repl_value v, char *buf, size_t n);
/* A scalar's number: plain numbers and one-element variables. */
bool eval_scalar_of(repl_value v, double *out);
/* value_as_var, with "cannot VERB X" (at node `at`) when v is not one. */
int eval_operand_var(repl *r, const ast_node *at, repl_value v, const char *verb, ag_var **out);
/* *out = v, or the engine's error at `at` when v is NULL. */
int eval_return_var(repl *r, const ast_node *at, ag_var *v, repl_value *out);
/* The verb of an operator in messages ("add", "compare"; eval_values.c, as
 * the rest of this block). */
const char *eval_operator_verb(ast_operator op);
/* a OP b for ==, !=, <, <=, >, >= (contents: an operand was written as a
 * list literal), and a is b, a is not b; errors at the binary node `at`. */
int eval_compare_values(repl *r, const ast_node *at, ast_operator op, repl_value a, repl_value b,
                        bool contents, repl_value *out);
int eval_identity(repl_value a, repl_value b, ast_operator op, repl_value *out);
/* Source text of n in the running chunk, if short and on one line. */
bool eval_node_text(repl *r, const ast_node *n, char *buf, size_t size);

/* ---- iterate.c: passes over a value's items, patterns ------------------------------ */

/* One pass over a list, a variable (1-D: its numbers; more: its rows) or an
 * object with the iter_* hooks (value.h). */
typedef struct repl_iter {
    repl_value source; /* held during the pass */
    enum { ITER_LIST, ITER_NUMBERS, ITER_ROWS, ITER_OBJECT } kind;
    long index, count; /* count: -1 unknown */
    void *cursor;      /* ITER_OBJECT's */
} repl_iter;

/* Starts a pass over v (v is not taken): 0; 1 when v has no items to walk
 * (nothing reported); -1 after an error at `at` (NULL: the running call). */
int repl_iter_begin(repl *r, const ast_node *at, repl_value v, repl_iter *it);
/* The pass's next item: 1 with one reference in *out, 0 at the end, -1
 * after an error. */
int repl_iter_next(repl *r, const ast_node *at, repl_iter *it, repl_value *out);
/* Ends the pass (after the last item, a break or an error). */
void repl_iter_end(repl_iter *it);
/* The items of a pass over v: -1 unknown (a lazy sequence without a
 * length), -2 when v cannot be walked. */
long repl_iter_length(repl_value v);
bool repl_iterable(repl_value v);
/* Binds the pattern (an AST_NAME, or an AST_LIST of patterns) to v (taken):
 * every count checked before anything is bound; `assignment` names values
 * as `x = e` does (repl_assign_value).  Errors at `at`. */
int repl_bind_pattern(repl *r, const ast_node *at, const ast_node *pattern, repl_value v, bool assignment);
/* a, b = e */
int repl_exec_unpack(repl *r, const ast_node *n);

/* ---- builtins_loop.c: Python's sum and + of sequences ------------------------------ */

/* A list that is no tensor literal ([loss1, loss2], [p1, p2]) or a lazy
 * sequence (m.params): what Python's sum adds item by item. */
bool repl_is_sequence_of_values(repl_value v);
/* sum(xs) of such a sequence: 0 + xs[0] + xs[1] + ..., each + the operator's
 * (a graph over variables); axis= is refused. */
int repl_sum_items(repl *r, const builtin_args *a, repl_value *out);
/* mean(xs) of such a sequence: that sum divided by the number of items (the
 * gradient of each is 1/n); an empty one is an error. */
int repl_mean_items(repl *r, const builtin_args *a, repl_value *out);
/* a + b when either is a list: Python's concatenation, a new list (a
 * tensor literal beside a list, `x.shape + [1]`, gives its numbers).  1 when
 * neither is a list (nothing done). */
int repl_concat_lists(repl *r, const ast_node *at, repl_value a, repl_value b, repl_value *out);

/* ---- access.c: attributes -------------------------------------------------------- */

/* One attribute every variable has: x.NAME.  The evaluator, completion and
 * :help read this table. */
typedef struct variable_attribute_def {
    const char *name;
    /* 0 with *out filled, -1 after an error; `what` names x ("x"). */
    int (*get)(repl *r, ag_var *v, const char *what, repl_value *out);
    const char *help;
} variable_attribute_def;
extern const variable_attribute_def repl_variable_attribute_table[]; /* ends with {0} */
/* The rows of x.data and x.grad in the table (test_attribute_rows checks). */
enum { ATTRIBUTE_ROW_DATA = 0, ATTRIBUTE_ROW_GRAD = 1 };
/* The attribute node n's row (NULL when no variable has the attribute),
 * found by name the first time and remembered in n's memo (MEMO_ATTRIBUTE). */
const variable_attribute_def *eval_attribute_row_found(const ast_node *n);
static inline const variable_attribute_def *eval_attribute_row(const ast_node *n) {
    return n->memo.what == MEMO_ATTRIBUTE ? n->memo.binding : eval_attribute_row_found(n);
}

/* x.NAME for a variable.  `what` names x in messages about a missing
 * gradient ("x").  0 = *out filled, 1 = no such attribute, -1 = error
 * reported. */
int repl_variable_attribute(repl *r, ag_var *v, const char *name, const char *what, repl_value *out);
/* x.name for the node n (AST_ATTRIBUTE). */
int eval_attribute(repl *r, const ast_node *n, repl_value *out);
/* "X has no attribute 'name'; did you mean ...?" at node `at`; -1. */
int repl_no_attribute(repl *r, const ast_node *at, repl_value object, const char *name,
                 const repl_object_type *type);
/* The same for x.name(...): "X has no method 'name'; did you mean ...?"; -1. */
int repl_no_method(repl *r, const ast_node *at, repl_value object, const char *name,
                   const repl_object_type *type);

/* ---- index.c: indexing ------------------------------------------------------------- */

/* x[i, ...] for the node n (AST_INDEX). */
int eval_index(repl *r, const ast_node *n, repl_value *out);
/* x[i] = e, x[i] op= e on a variable (its data, in place) or a list */
int repl_exec_set_item(repl *r, const ast_node *n);
/* The values slice(start, stop, step) and ... make, for get_item's tuples
 * and x[slice(1, 3)].  repl_slice_value_new reads parts[0..2] (nil = left out;
 * given == 1 means slice(stop), as Python's); 0 with *out, or -1 after
 * repl_error.  eval_ellipsis likewise. */
extern const repl_object_type repl_slice_type, repl_ellipsis_type;
int repl_slice_value_new(repl *r, const repl_value parts[3], int given, repl_value *out);
int eval_ellipsis(repl *r, repl_value *out);
/* Whether get_item's key is a tuple of indices (a slice, ..., none, or a
 * list holding one), and x[k0, k1, ...] of its items into *out (0, or -1
 * after an error reported at the call being run). */
bool repl_get_item_key_is_tuple(repl_value key);
int repl_get_item_tuple(repl *r, ag_var *x, repl_value key, ag_var **out);

/* ---- call.c: calls ------------------------------------------------------------------ */

/* Evaluator recursion per statement: the parser caps trees at
 * AST_MAX_HEIGHT; nested user calls add to it. */
#define MAX_EVAL_DEPTH 6000
/* Whether evaluating one more level would pass eval_expr's bound: the
 * depth count, or the bytes of C stack used since the top-level statement
 * began.  Frame sizes vary (sanitizers make them several times larger), so
 * recursion is bounded by the stack actually used, not only by a count.
 * The caller then reports "expression nested too deeply". */
/* Whether the stack address now is more than budget bytes from base, either
 * way (the plain test). */
static inline bool eval_stack_over_plain(uintptr_t now, uintptr_t base, size_t budget) {
    size_t used = base > now ? (size_t)(base - now) : (size_t)(now - base);
    return used > budget;
}
/* The same in one comparison, from = base - budget and span = 2 x budget
 * (eval_set_stack; budget at most 64 MiB): now - base + budget, taken
 * modulo 2^64, is more than 2 x budget exactly when now - base is more than
 * budget either way (for addresses that do not wrap around the address
 * space, as a stack's do not).  test_stack_over_as_plain compares the two. */
static inline bool eval_stack_over(uintptr_t now, uintptr_t from, size_t span) { return now - from > span; }
/* Sets the statement's stack base and budget (and eval_stack_over's bounds). */
static inline void eval_set_stack(repl *r, uintptr_t base, size_t budget) {
    r->eval.stack_base = base;
    r->eval.stack_budget = budget;
    r->eval.stack_from = base - budget;
    r->eval.stack_span = 2 * budget;
}
static inline bool eval_too_deep(const repl *r) {
    char here;
    return r->eval.depth >= MAX_EVAL_DEPTH || eval_stack_over((uintptr_t)&here, r->eval.stack_from, r->eval.stack_span);
}

/* f(args) and x.name(args) for the AST_CALL n. */
int eval_call(repl *r, const ast_node *n, repl_value *out);
/* eval_call of a call whose value an arithmetic op uses before anything
 * else runs (eval.c's arith_operand_of): f(x) of a built-in's op of one
 * variable (sin(y) * 1.0001) hands its result up without a reference of its
 * own (1), as a nested op's result is; any other call is eval_call's (0
 * with a reference, -1 after an error). */
int eval_call_operand(repl *r, const ast_node *n, repl_value *out);
/* A call statement of a block (cleargrad(x), y.backward()): eval_expr's
 * bound on the depth and eval_call, its value dropped, as exec_statement
 * runs it below the top level, without exec_statement's and eval_expr's
 * frames; 0, or -1 after an error. */
int eval_call_statement(repl *r, const ast_node *n);

/* ---- builtins.c (value_as_var: eval.c): values as operands and arguments ---------- */

/* Reports arithmetic or an argument on nil at node `at` (NULL: at the call
 * being run, as repl_error): "x.grad is none (no backward has reached x
 * yet; ...)" for a missing gradient.  prefix starts the message ("sin: ",
 * "" ...).  Returns -1. */
int value_nil_error_at(repl *r, const ast_node *at, const char *prefix, repl_value v)
    __attribute__((cold));

/* Converts a number or a rectangular list of numbers to a new leaf; NULL
 * when v is neither (no error reported). */
ag_var *value_to_leaf(repl *r, repl_value v);
/* A variable for v: itself, a constant leaf for a number, a leaf for a
 * tensor literal.  0 with *out set, 1 when v is none of those (nothing
 * reported), -1 after an error. */
int value_as_var(repl *r, const ast_node *at, repl_value v, ag_var **out);
/* True when v is a (nested, rectangular) list of numbers. */
bool value_is_tensor_literal(repl_value v);

/* ---- print.c: printing -------------------------------------------------------- */

/* The text an expression statement shows (variables in full, matrices one
 * row per line), without control characters but newlines and tabs
 * (text_printable); malloc'd. */
char *value_text(repl *r, repl_value v, bool quote_strings);
/* The same on one line, as print() shows it: every variable in upstream's
 * one-line String() form (summarized past 1000 elements); a string's bytes
 * as they are (str(); print() makes them printable itself); malloc'd. */
char *value_text_line(repl *r, repl_value v, bool quote_strings);
/* A variable as the session shows it: one line, or a matrix with one row per
 * line, summarized past 1000 elements; malloc'd. */
/* The significant digits a lesson run by name starts at (repl_lesson_digits). */
enum { LESSON_DIGITS = 4 };
char *print_format_variable(const ag_var *v, int digits);
/* How a session prints variables: its digits, and NumPy's threshold (more
 * elements than this are summarized; +inf prints whole tensors) and
 * edgeitems (the first and last shown per axis of a summary). */
typedef struct print_options {
    int digits;
    double threshold;
    int edge;
} print_options;
print_options print_options_of(const repl *r); /* r's settings; the defaults for NULL */
char *print_format_variable_as(const ag_var *v, print_options options);
/* A number in Go's %v form with the session's digits, into buf (AG_NUMBUF). */
const char *print_format_number(const repl *r, double v, char *buf);

/* ---- suggest.c: suggestions and completion ------------------------------------ */

/* Damerau-Levenshtein (optimal string alignment) distance. */
int repl_edit_distance(const char *a, const char *b);
/* The closest of candidates[0..n) to word within a small distance, or NULL. */
const char *repl_nearest_word(const char *word, const char *const *candidates, int n);
/* The closest known name that could stand where node `at` of the running
 * chunk is: bound names, locals, built-ins, constants and keywords, but no
 * keyword for a callee (f(1)) and only bound names for a target (f += 1);
 * at NULL: any.  NULL when none is close. Points into session data or tables. */
const char *suggest_name(repl *r, const ast_node *at, const char *word);
/* The closest bound name (a local or the session's) to word, or NULL: what
 * a name given as text (progress's loss="NAME") may have meant. */
const char *suggest_bound_name(repl *r, const char *word);

/* ---- commands.c: the ':' commands ------------------------------------------------ */

/* One ':' command: dispatch, completion, suggestions and :help read this
 * table.  run gets the text after the name (spaces trimmed); REPL_OK or
 * REPL_ERROR after an error. */
typedef struct command_def {
    const char *name;  /* ":help" */
    const char *usage; /* ":help [topic|name]" */
    const char *help;  /* one line */
    int (*run)(repl *r, const char *argument);
    /* optional: */
    bool files;    /* reads or writes files: refused in a --no-files session */
    bool replayed; /* a setting: with an argument, written to the :save log
                    * where it ran (and after :reset, which keeps it) */
} command_def;
extern const command_def command_table[]; /* ends with {0} */
/* A file :save wrote: its real path (malloc'd), and the size and a hash
 * (64-bit FNV-1a) of what it wrote there: a file replaced or edited since
 * differs in one of them (a check of content, so an edit within the file
 * system's timestamp granularity counts too). */
struct saved_file {
    char *path;
    uint64_t size, hash;
};

/* Runs a ':' command line; REPL_OK or REPL_ERROR (error already reported). */
int command_run(repl *r, const char *line);
/* :help [topic|name] (commands_help.c), command_table's row. */
int repl_command_help(repl *r, const char *argument);
/* What :help takes: its topics (language, commands, printing, the built-in
 * topics), the built-ins' names and the commands; *out is malloc'd (the
 * strings are not), NULL and 0 when out of memory. */
int repl_help_subjects(const char ***out);
/* Every word :help NAME answers (the subjects, attributes, keyword
 * arguments, the language's words, "topic"), each to add: for completion. */
void repl_help_words(void (*add)(void *user, const char *word), void *user);

/* ---- restore.c: :save for a statement that failed or was interrupted ----------- */
/* The running statement bound the session name `name` (in_place false) or
 * changed the data of the variable it names (x += 1). */
void restore_note(repl *r, const char *name, bool in_place);
/* restore_note for the name node n binds or updates: once per statement
 * and node (a loop's later notes change nothing; the node's memo says). */
void restore_note_at(repl *r, const ast_node *n, const char *name, bool in_place);
/* The statement restore_note_at's memos are of: counted by restore_forget
 * (one count for every session: a node belongs to one). */
extern unsigned long restore_statement;
/* Whether restore_note_at(r, n, name, in_place) would change nothing: n
 * noted its name in this statement already, and a note can only turn "in
 * place" off.  Asked inline before the call by a loop's bindings. */
static inline bool restore_noted(const ast_node *n, bool in_place) {
    return n->memo.noted == restore_statement && (in_place || !n->memo.noted_in_place);
}
/* eval_bind_name_memo_found with the steady state of a loop's binding
 * inline (memo_node's memo a valid slot): the value into the slot, the
 * replaced variable's depth noted for the statement's end (session.c), the
 * replaced value released, and the name noted for :save once per statement
 * and node.  A loop binds its item and each assignment's result here. */
static inline int eval_bind_name_memo(repl *r, const ast_node *at, const ast_node *memo_node, const char *name,
                                      repl_value value) {
    const ast_memo *m = &memo_node->memo;
    if (m->what != MEMO_BIND || !memo_valid(r, m)) return eval_bind_name_memo_found(r, at, memo_node, name, value);
    repl_value *slot = (repl_value *)m->binding, old = *slot;
    *slot = value;
    if (old.kind == VALUE_VAR && r->eval.locals == NULL) { /* as eval_bind_name notes what it drops */
        int depth = ag_generation(old.as.var);
        if (depth > r->eval.dropped_depth) r->eval.dropped_depth = depth;
    }
    value_release(old);
    if (r->eval.locals == NULL && !restore_noted(memo_node, false)) restore_note_at(r, memo_node, name, false);
    return 0;
}
/* The running statement changed variables' data in place through a built-in. */
void restore_note_all(repl *r);
/* Forgets what was noted (at each statement's start and end). */
void restore_forget(repl *r);
/* Statements binding what the failed statement touched to its values now,
 * after a '# restored: ...' comment; malloc'd, or NULL when it touched
 * nothing. */
char *restore_text(repl *r);
/* After a statement that succeeded: the names it bound anew come back. */
void restore_rebound(repl *r);
/* The names :load of the log would not give back as they are now, ", "
 * separated ("" when none); owned by the session. */
const char *restore_unrestored(repl *r);
/* Forgets them (the :save log was cleared). */
void restore_clear_unrestored(repl *r);

#endif
