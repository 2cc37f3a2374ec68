/* assign.c — assignment statements: x = e, x op= e, x.data = e, x.grad = none
 * (repl_internal.h, "assign.c").
 *
 * The rule of `NAME op= e` (op one of + - * /), as `:help language` states it:
 * when NAME is a variable that no op made (a leaf: a literal, randn(...), a
 * parameter) and e is an update (e uses a gradient, x.grad, or uses no named
 * variable at all: numbers, literals, x.data, randn(3), values made under
 * nograd), the statement changes NAME's data in place and records nothing: an
 * optimizer step, `x -= lr * x.grad`, leaves x the same leaf and the graph
 * does not grow.  Otherwise (NAME is the result of an op, or e uses named
 * variables and no gradient) it is `NAME = NAME op e`: it records the op and
 * rebinds NAME to the result, so `L = 0; for i in range(3) { L += x * i }`
 * builds L's graph as micrograd and PyTorch do.  Inside nograd a leaf is
 * always updated in place.
 *
 * The rule looks at e's graph (builds_graph).  When e is arithmetic over
 * names, literals and x.grad or x.data, the same answer comes from e's
 * operands before e is evaluated (look_ahead), and an update then records
 * nothing: e of plain numbers is computed on the spot, other e evaluated
 * with the graph off. */
#include "array.h"
#include "repl_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The value an assignment binds: numbers and tensor literals become new
 * leaves; a variable without a name takes the target's. */
static inline int assignable(repl *r, const ast_node *at, const char *target, repl_value v,
                      repl_value *out) {
    /* [] stays an empty list, to append to (as Python's) */
    if (v.kind == VALUE_NUMBER || (v.kind == VALUE_LIST && v.as.list->count > 0 && value_is_tensor_literal(v))) {
        ag_var *leaf = value_to_leaf(r, v);
        value_release(v);
        if (leaf == NULL) return engine_error_at(r, at);
        v = value_var(leaf);
    }
    value_take_name(v, target);
    *out = v;
    return 0;
}

int repl_assign_value(repl *r, const ast_node *at, const char *target, repl_value v, repl_value *out) {
    return assignable(r, at, target, v, out);
}

/* a op b of two numbers, as repl_operators[op].number computes it: the four
 * operators of an update inline, without the call through the table. */
static inline double number_apply(ast_operator op, double a, double b) {
    switch (op) {
    case AST_OP_ADD: return a + b;
    case AST_OP_SUBTRACT: return a - b;
    case AST_OP_MULTIPLY: return a * b;
    case AST_OP_DIVIDE: return a / b;
    default: return repl_operators[op].number(a, b);
    }
}

/* *data op= v for a one-element x, with update_in_place's NaN note.
 * Inline: an optimizer step of scalars runs it twice a step. */
static inline void update_one(repl *r, const ast_node *at, ast_operator op, double *data, double v) {
    double before = *data;
    *data = number_apply(op, before, v);
    if (!isfinite(*data) && isfinite(before) && isfinite(v)) eval_note_nonfinite(r, at, ast_operator_symbol(op));
}

/* e's strides broadcast to the target's shape (repl_internal.h): an axis of
 * e must be 1 (stride 0) or the target's, and axes e lacks come first. */
bool repl_broadcast_strides(int e_ndim, const int *e_shape, int ndim, const int *shape,
                            size_t strides[AG_MAX_DIMS]) {
    if (e_ndim > ndim) return false;
    size_t stride = 1;
    for (int d = 0; d < ndim - e_ndim; d++) strides[d] = 0;
    for (int k = e_ndim - 1; k >= 0; k--) {
        int d = ndim - e_ndim + k;
        if (e_shape[k] != 1 && e_shape[k] != shape[d]) return false;
        strides[d] = e_shape[k] == 1 ? 0 : stride;
        stride *= (size_t)e_shape[k];
    }
    return true;
}

/* x op= e on x's data in place: e broadcast to x's shape, no graph. */
REPL_HOT static int update_in_place(repl *r, const ast_node *at, const char *target, ag_var *x, ast_operator op, repl_value e) {
    double scalar;
    const double *source = NULL;
    int e_ndim = 0;
    const int *e_shape = NULL;
    ag_var *ev = NULL;
    char buf[96];
    if (e.kind == VALUE_NUMBER && ag_size(x) == 1) { /* one number into one: no shapes to fit */
        update_one(r, at, op, ag_data(x), e.as.number);
        return 0;
    }
    if (e.kind == VALUE_NUMBER) {
        scalar = e.as.number;
        source = &scalar;
    } else if (e.kind == VALUE_VAR || (e.kind == VALUE_LIST && value_is_tensor_literal(e))) {
        if (eval_operand_var(r, at, e, "update with", &ev) < 0) return -1;
        source = ag_cdata(ev);
        e_ndim = ag_ndim(ev);
        e_shape = ag_shape(ev);
    } else if (e.kind == VALUE_NIL) {
        return value_nil_error_at(r, at, "", e);
    } else {
        return repl_error_at(r, at, "%s %s= e: e must be a variable or number, not %s", target,
                          ast_operator_symbol(op), eval_describe_kind(e, buf, sizeof buf));
    }
    int ndim = ag_ndim(x);
    const int *shape = ag_shape(x);
    size_t strides[AG_MAX_DIMS];
    if (!repl_broadcast_strides(e_ndim, e_shape, ndim, shape, strides)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        return repl_error_at(r, at, "%s %s= e: e's shape %s does not broadcast to %s's shape %s", target,
                          ast_operator_symbol(op), ag_shape_string(e_ndim, e_shape, a), target,
                          ag_shape_string(ndim, shape, b));
    }
    double *data = ag_data(x);
    size_t size = ag_size(x);
    if (size == 1) { /* one number: no odometer (e fits, so it has one too) */
        update_one(r, at, op, data, source[0]);
        return 0;
    }
    int index[AG_MAX_DIMS] = {0};
    size_t offset = 0;
    bool produced_nonfinite = false; /* from finite numbers: x /= 0 */
    double (*apply)(double, double) = repl_operators[op].number;
    for (size_t i = 0; i < size; i++) {
        double v = source[offset], before = data[i];
        data[i] = apply(before, v);
        if (!isfinite(data[i]) && isfinite(before) && isfinite(v)) produced_nonfinite = true;
        for (int d = ndim - 1; d >= 0; d--) { /* odometer over x's index */
            offset += strides[d];
            if (++index[d] < shape[d]) break;
            offset -= strides[d] * (size_t)shape[d];
            index[d] = 0;
        }
    }
    if (produced_nonfinite) eval_note_nonfinite(r, at, ast_operator_symbol(op));
    return 0;
}

/* ---- does e take part in differentiation? ------------------------------------------- */

/* Whether builds_graph's walk saw f already; if not, f is added to the
 * list `few` (*nfew of 8 used) or, once that is full, to the set `seen`
 * (cleared before its first use in this walk).  *failed when the set could
 * not grow. */
static bool seen_before(ag_func **few, size_t *nfew, ptrmap *seen, bool *map_cleared, ag_func *f,
                        bool *failed) {
    for (size_t i = 0; i < *nfew; i++)
        if (few[i] == f) return true;
    if (*nfew < 8) {
        few[(*nfew)++] = f;
        return false;
    }
    if (!*map_cleared) {
        ptrmap_clear(seen);
        *map_cleared = true;
    }
    if (ptrmap_get(seen, f) != PTRMAP_NONE) return true;
    if (!ptrmap_put(seen, f, 0)) *failed = true;
    return false;
}

/* The walk of builds_graph from v: *named when v's graph reaches a named
 * leaf (x, a parameter, a bound literal), *gradient when it reaches a
 * gradient (x.grad, or a variable made by a backward), where the walk stops.
 * Leaves without a name are values made on the spot (literals, randn(3),
 * x.data); constants and values made under nograd are data.  Walks v's
 * graph depth first, each function once.  True when it could not finish
 * (out of memory). */
static bool walk_graph(repl *r, ag_var *v, bool *named, bool *gradient) {
    const unsigned data = AG_VAR_CONST | AG_VAR_NOGRAD;
    const unsigned made_by_backward = AG_VAR_BACKWARD | AG_VAR_SEED;
    /* the functions seen: the first few in a list searched in place (an
     * update's e is a few ops: `lr * x.grad`), the rest in the session's
     * pointer set, cleared the first time it is needed */
    ag_func *few[8];
    size_t nfew = 0;
    bool map_cleared = false;
    ptrmap *seen = &r->eval.walked;
    ag_var *first[32], **stack = first;
    size_t depth = 0, capacity = sizeof first / sizeof first[0];
    bool failed = false;
    ag_var *next = v;
    while (next != NULL && !*gradient && !failed) {
        unsigned flags = ag_var_flags(next);
        ag_func *f = ag_creator(next);
        if (flags & made_by_backward) {
            *gradient = true;
        } else if (flags & data) {
            /* no graph below */
        } else if (f == NULL) {
            if (ag_name(next)[0] != '\0') *named = true;
        } else if (!seen_before(few, &nfew, seen, &map_cleared, f, &failed)) {
            for (int i = 0; i < ag_func_ninputs(f) && !failed; i++) {
                if (!ARRAY_RESERVE_FROM(stack, capacity, depth, 1, first)) {
                    failed = true;
                    break;
                }
                stack[depth++] = ag_func_input(f, i);
            }
        }
        next = depth > 0 ? stack[--depth] : NULL;
    }
    if (stack != first) free(stack);
    /* the next walk clears what this one grew: not a big graph's worth */
    if (map_cleared && seen->capacity > 4096) ptrmap_free(seen);
    return failed;
}

/* Is e (a variable) a term of a graph, not a step of an update: does its graph
 * reach a named leaf and no gradient?  A gradient anywhere in it makes e an
 * update.  Out of memory answers true: recording the graph is the safe side. */
static bool builds_graph(repl *r, ag_var *e) {
    bool named = false, gradient = false;
    bool failed = walk_graph(r, e, &named, &gradient);
    return failed || (named && !gradient);
}

/* What compound_assign finds out about e before evaluating it (look_ahead). */
typedef struct look {
    bool named, gradient; /* what the walks from e's operands reached */
    bool scalar;          /* every operand so far one finite number of no dimensions */
    int nsummed, nlater;
    ag_var *summed[4]; /* the variables whose .grad e reads, in order */
    /* names' variables looked at (look_at_var) after the whole of e, and
     * only while no gradient was found: once one is, what they reach no
     * longer matters (`lr` of `x -= lr * x.grad`) */
    ag_var *later[4];
} look;

/* Walks the graph of an operand of e into k; false when the walk could not
 * finish.  Most operands are a gradient or a leaf: no walk. */
static inline bool look_at_var(repl *r, ag_var *v, look *k) {
    unsigned flags = ag_var_flags(v);
    if (k->gradient || (flags & (AG_VAR_CONST | AG_VAR_NOGRAD))) return true;
    if (flags & (AG_VAR_BACKWARD | AG_VAR_SEED)) {
        k->gradient = true;
        return true;
    }
    if (ag_creator(v) == NULL) {
        if (ag_name(v)[0] != '\0') k->named = true;
        return true;
    }
    return !walk_graph(r, v, &k->named, &k->gradient);
}

/* An operand's number into *value while e is all scalars. */
static inline void look_scalar(look *k, ag_var *v, double *value) {
    if (k->scalar && ag_ndim(v) == 0 && isfinite(*value = ag_item(v))) return;
    k->scalar = false;
}

/* builds_graph's answer for e before e is evaluated, when e is arithmetic
 * (+ - * / ^, unary - and +) over number literals, names bound to variables
 * or numbers, and NAME.grad or NAME.data of a variable NAME: e's graph is
 * then the ops over those operands and literal constants, so the walk of e's
 * graph reaches what the walks from its operands reach (NAME.data is a new
 * unnamed leaf: it reaches nothing).  False when e is anything else (a call,
 * an index, a name bound to a list or unknown, x.grad that is none...) or a
 * walk could not finish: then e is evaluated and its graph walked, as
 * always.
 *
 * While every operand is one finite number of no dimensions, *value is e's
 * number, computed as the ops compute it (each op's scalar rule, plain
 * arithmetic on plain numbers, the same libm pow), and k->scalar stays true
 * unless a result is not finite (whose NaN note the evaluation makes). */
static __attribute__((noinline)) bool look_ahead(repl *r, const ast_node *e, int depth, look *k, double *value);

/* look_ahead of an operand of e, or e itself: a number, NAME or NAME.grad,
 * NAME.data here (an update's e is mostly an op over two of these: `lr *
 * x.grad`), anything else by look_ahead. */
static inline __attribute__((always_inline)) bool look_operand(repl *r, const ast_node *e, int depth, look *k, double *value) {
    switch (e->kind) {
    case AST_NUMBER: *value = e->as.number; return true;
    case AST_NAME: {
        bool in_session;
        const repl_value *v = eval_assign_slot(r, e, e->as.name, &in_session);
        if (v == NULL) return number_literal(r, e, value); /* pi, e */
        if (v->kind == VALUE_NUMBER) {
            *value = v->as.number;
            if (!isfinite(*value)) k->scalar = false;
            return true;
        }
        if (v->kind != VALUE_VAR) return false;
        look_scalar(k, v->as.var, value);
        if (k->gradient) return true; /* as look_at_var answers */
        if (k->nlater < (int)(sizeof k->later / sizeof k->later[0])) {
            k->later[k->nlater++] = v->as.var;
            return true;
        }
        return look_at_var(r, v->as.var, k);
    }
    case AST_ATTRIBUTE: {
        const ast_node *o = e->as.attribute.object;
        bool in_session;
        const repl_value *v = o->kind == AST_NAME ? eval_assign_slot(r, o, o->as.name, &in_session) : NULL;
        if (v == NULL || v->kind != VALUE_VAR) return false;
        const char *a = e->as.attribute.name;
        if (a[0] == 'd' && a[1] == 'a' && a[2] == 't' && a[3] == 'a' && a[4] == '\0') { /* data */
            look_scalar(k, v->as.var, value);
            return true;
        }
        if (!(a[0] == 'g' && a[1] == 'r' && a[2] == 'a' && a[3] == 'd' && a[4] == '\0')) return false;
        ag_var *g = ag_grad(v->as.var);
        if (g == NULL) return false;
        if (k->nsummed < (int)(sizeof k->summed / sizeof k->summed[0]))
            k->summed[k->nsummed++] = v->as.var;
        else
            k->scalar = false; /* too many to note here: the evaluation notes them */
        look_scalar(k, g, value);
        return look_at_var(r, g, k);
    }
    default: return look_ahead(r, e, depth, k, value);
    }
}

/* Whether look_operand reads e itself, without look_ahead: a number, a
 * name, an attribute. */
static inline bool look_inline(const ast_node *e) {
    return e->kind == AST_NUMBER || e->kind == AST_NAME || e->kind == AST_ATTRIBUTE;
}

/* look_ahead of a binary node e (depth: e's): its operands in order, then
 * while all is scalar its number, as the op computes it. */
static inline __attribute__((always_inline)) bool look_binary(repl *r, const ast_node *e, int depth, look *k,
                                                              double *value) {
    ast_operator op = e->as.binary.op;
    double b;
    if (op != AST_OP_ADD && op != AST_OP_SUBTRACT && op != AST_OP_MULTIPLY && op != AST_OP_DIVIDE &&
        op != AST_OP_POWER)
        return false;
    if (!look_operand(r, e->as.binary.left, depth + 1, k, value) ||
        !look_operand(r, e->as.binary.right, depth + 1, k, &b))
        return false;
    if (!k->scalar) return true;
    *value = number_apply(op, *value, b);
    if (!isfinite(*value)) k->scalar = false;
    return true;
}

/* builds_graph's answer for e before e is evaluated, when e is arithmetic
 * (+ - * / ^, unary - and +) over number literals, names bound to variables
 * or numbers, and NAME.grad or NAME.data of a variable NAME: e's graph is
 * then the ops over those operands and literal constants, so the walk of e's
 * graph reaches what the walks from its operands reach (NAME.data is a new
 * unnamed leaf: it reaches nothing).  False when e is anything else (a call,
 * an index, a name bound to a list or unknown, x.grad that is none...) or a
 * walk could not finish: then e is evaluated and its graph walked, as
 * always.  Its operands are look_operand's.
 *
 * While every operand is one finite number of no dimensions, *value is e's
 * number, computed as the ops compute it (each op's scalar rule, plain
 * arithmetic on plain numbers, the same libm pow), and k->scalar stays true
 * unless a result is not finite (whose NaN note the evaluation makes). */
REPL_HOT static __attribute__((noinline)) bool look_ahead(repl *r, const ast_node *e, int depth, look *k, double *value) {
    if (depth > 32) return false;
    switch (e->kind) {
    case AST_UNARY:
        if (e->as.unary.op != AST_OP_NEGATE && e->as.unary.op != AST_OP_PLUS) return false;
        if (number_literal(r, e, value)) return true; /* -1 */
        if (!look_operand(r, e->as.unary.operand, depth + 1, k, value)) return false;
        if (e->as.unary.op == AST_OP_NEGATE) *value = -1.0 * *value; /* Neg's rule, and -x of a number */
        return true;
    case AST_BINARY: return look_binary(r, e, depth, k, value);
    default: return false;
    }
}

/* look_operand of an update's whole e: an op of two operands that
 * look_operand reads itself (`lr * x.grad`, an optimizer step's e) is
 * looked at here, without look_ahead's call; anything else as before. */
static inline __attribute__((always_inline)) bool look_update(repl *r, const ast_node *e, look *k, double *value) {
    if (e->kind == AST_BINARY && look_inline(e->as.binary.left) && look_inline(e->as.binary.right))
        return look_binary(r, e, 0, k, value);
    return look_operand(r, e, 0, k, value);
}

/* The looks look_operand left for the end of e: false when a walk could
 * not finish. */
static inline bool look_later(repl *r, look *k) {
    for (int i = 0; i < k->nlater && !k->gradient; i++)
        if (!look_at_var(r, k->later[i], k)) return false;
    return true;
}

/* ---- the quick update ------------------------------------------------------------------ */

/* An optimizer step of scalars, `x -= lr * x.grad`: NAME op= A bop B, with x
 * a one-number leaf and A and B each a number literal, a NAME bound to a
 * number or a one-number variable, or NAME.grad or NAME.data of one.
 * update_quick answers it without look's bookkeeping; compound_assign's
 * look (look_update, look_later) stays the reference and takes everything
 * else: update_quick declines (UPDATE_DECLINED, nothing done) wherever the
 * look would walk a graph, find a non-finite or non-scalar number, or
 * evaluate e.  test_update_quick_matches_look runs scripts both ways. */
bool eval_update_quick_enabled = true;
unsigned long eval_update_quick_runs;
#define UPDATE_DECLINED 2

/* What update_quick learned of one operand: its number, the variable whose
 * .grad it reads (summed: noted as x.grad notes it), and a name's variable
 * to look at after both operands while no gradient is found (later). */
typedef struct quick_operand {
    double value;
    ag_var *summed, *later;
} quick_operand;

/* One finite number of no dimensions, v's; false otherwise. */
static inline bool quick_scalar(ag_var *v, double *value) {
    return ag_ndim(v) == 0 && isfinite(*value = ag_item(v));
}

/* look_at_var's answer for v without a walk: false when v's graph would be
 * walked (v made by an op, neither data nor a gradient). */
static inline bool quick_look_at(ag_var *v, bool *named, bool *gradient) {
    unsigned flags = ag_var_flags(v);
    if (flags & (AG_VAR_CONST | AG_VAR_NOGRAD)) return true;
    if (flags & (AG_VAR_BACKWARD | AG_VAR_SEED)) {
        *gradient = true;
        return true;
    }
    if (ag_creator(v) != NULL) return false;
    if (ag_name(v)[0] != '\0') *named = true;
    return true;
}

/* look_operand of e for update_quick; false to decline. */
static inline __attribute__((always_inline)) bool quick_operand_of(repl *r, const ast_node *e, quick_operand *q,
                                                                   bool *gradient) {
    bool in_session;
    q->summed = q->later = NULL;
    switch (e->kind) {
    case AST_NUMBER: q->value = e->as.number; return true;
    case AST_NAME: {
        const repl_value *v = eval_assign_slot(r, e, e->as.name, &in_session);
        if (v == NULL) return false; /* pi, e, unknown: the look says */
        if (v->kind == VALUE_NUMBER) return isfinite(q->value = v->as.number);
        if (v->kind != VALUE_VAR || !quick_scalar(v->as.var, &q->value)) return false;
        q->later = v->as.var;
        return true;
    }
    case AST_ATTRIBUTE: {
        const ast_node *o = e->as.attribute.object;
        const repl_value *v = o->kind == AST_NAME ? eval_assign_slot(r, o, o->as.name, &in_session) : NULL;
        if (v == NULL || v->kind != VALUE_VAR) return false;
        const variable_attribute_def *row = eval_attribute_row(e); /* .data or .grad */
        if (row == &repl_variable_attribute_table[ATTRIBUTE_ROW_DATA])
            return quick_scalar(v->as.var, &q->value); /* a new unnamed leaf: reaches nothing */
        if (row != &repl_variable_attribute_table[ATTRIBUTE_ROW_GRAD]) return false;
        ag_var *g = ag_grad(v->as.var);
        if (g == NULL || !quick_scalar(g, &q->value)) return false;
        q->summed = v->as.var;
        if (*gradient) return true;
        bool named = false; /* a gradient's own: only made-by-backward ones come quick */
        return quick_look_at(g, &named, gradient) && !named && *gradient;
    }
    default: return false;
    }
}

/* NAME op= A bop B as compound_assign's look and its scalar update run it:
 * 0, -1 after an error, or UPDATE_DECLINED with nothing done. */
static inline __attribute__((always_inline)) int update_quick(repl *r, const ast_node *n) {
    const ast_node *e = n->as.assign.value;
    if (!eval_update_quick_enabled || e->kind != AST_BINARY || r->io.changes_refused) return UPDATE_DECLINED;
    ast_operator bop = e->as.binary.op;
    if (bop != AST_OP_ADD && bop != AST_OP_SUBTRACT && bop != AST_OP_MULTIPLY && bop != AST_OP_DIVIDE &&
        bop != AST_OP_POWER)
        return UPDATE_DECLINED;
    bool in_session;
    repl_value *slot = eval_assign_slot(r, n, n->as.assign.target, &in_session);
    if (slot == NULL || slot->kind != VALUE_VAR) return UPDATE_DECLINED;
    ag_var *x = slot->as.var;
    if (ag_creator(x) != NULL || !ag_grad_enabled(r->ctx)) return UPDATE_DECLINED;
    quick_operand a, b;
    bool gradient = false, named = false;
    if (!quick_operand_of(r, e->as.binary.left, &a, &gradient) ||
        !quick_operand_of(r, e->as.binary.right, &b, &gradient))
        return UPDATE_DECLINED;
    double value = number_apply(bop, a.value, b.value);
    if (!isfinite(value)) return UPDATE_DECLINED; /* the evaluation notes it */
    if (!gradient && ((a.later != NULL && !quick_look_at(a.later, &named, &gradient)) ||
                      (!gradient && b.later != NULL && !quick_look_at(b.later, &named, &gradient))))
        return UPDATE_DECLINED;
    if (!gradient && named) return UPDATE_DECLINED; /* NAME = NAME op e: recorded */
    if (ag_size(x) != 1) return UPDATE_DECLINED;
    /* the update: nothing above ran that could collect or rebind */
    eval_update_quick_runs++;
    if (a.summed != NULL) repl_note_summed(r, a.summed); /* as x.grad does */
    if (b.summed != NULL) repl_note_summed(r, b.summed);
    if (in_session && !restore_noted(n, true)) restore_note_at(r, n, n->as.assign.target, true);
    update_one(r, n, n->as.assign.op, ag_data(x), value);
    return 0;
}

/* ---- NAME = e, NAME op= e ------------------------------------------------------------- */

/* NAME op= e: in place or through the graph, by the rule at the top. */
REPL_HOT static int compound_assign(repl *r, const ast_node *n) {
    const char *target = n->as.assign.target;
    ast_operator op = n->as.assign.op;
    bool in_session;
    repl_value *slot = eval_assign_slot(r, n, target, &in_session);
    if (slot == NULL) return eval_unknown_name(r, n, target);
    name_table *table = in_session ? &r->names : r->eval.locals;
    char buf[96];
    if (slot->kind != VALUE_VAR && slot->kind != VALUE_NUMBER &&
        !(slot->kind == VALUE_STRING && op == AST_OP_ADD))
        return repl_error_at(r, n, "%s %s= e: %s is %s; only variables and numbers can be updated", target,
                             ast_operator_symbol(op), target, eval_describe_kind(*slot, buf, sizeof buf));
    const ast_node *e = n->as.assign.value;
    bool leaf = slot->kind == VALUE_VAR && ag_creator(slot->as.var) == NULL;
    if (r->io.changes_refused) { /* in a def run from a user expression */
        if (in_session)
            return repl_error_at(r, n, "%s %s= e: not allowed in a user expression (it changes the session; run it in "
                                       "a cell)",
                                 target, ast_operator_symbol(op));
        /* a local gets a new value; the variable it held, maybe the
         * session's (a parameter), is not changed in place */
        leaf = false;
    }
    /* an update found from e's operands: e all scalars is computed here,
     * other e evaluated recording nothing (the same numbers, without the
     * functions nobody would keep) */
    look k; /* summed and later are filled as far as nsummed and nlater count */
    k.named = k.gradient = false;
    k.scalar = true;
    k.nsummed = k.nlater = 0;
    double value = 0;
    bool known = leaf && ag_grad_enabled(r->ctx) && look_update(r, e, &k, &value) && look_later(r, &k);
    bool update_known = known && (k.gradient || !k.named);
    int rc;
    if (update_known && k.scalar) {
        /* nothing runs that could collect or rebind: x is used from its slot */
        ag_var *x = slot->as.var;
        for (int i = 0; i < k.nsummed; i++) repl_note_summed(r, k.summed[i]); /* as x.grad does */
        if (table == &r->names && !restore_noted(n, true)) restore_note_at(r, n, target, true);
        if (ag_size(x) != 1) return update_in_place(r, n, target, x, op, value_number(value));
        update_one(r, n, op, ag_data(x), value); /* one number into one, as update_in_place does */
        return 0;
    }
    repl_value old = value_copy(*slot), v;
    bool was = update_known ? ag_set_grad_enabled(r->ctx, false) : false;
    rc = eval_operand(r, e, LITERAL_NUMBER, &v);
    if (update_known) ag_set_grad_enabled(r->ctx, was);
    if (rc < 0) {
        value_release(old);
        return -1;
    }
    if (known ? update_known
              : leaf && (!ag_grad_enabled(r->ctx) || !(v.kind == VALUE_VAR && builds_graph(r, v.as.var)))) {
        if (table == &r->names && !restore_noted(n, true)) restore_note_at(r, n, target, true); /* data changes in place */
        rc = update_in_place(r, n, target, old.as.var, op, v);
        value_release(old);
        value_release(v);
        return rc;
    }
    repl_value result;
    rc = eval_arithmetic(r, n, op, old, v, &result);
    value_release(old);
    value_release(v);
    if (rc < 0) return -1;
    value_take_name(result, target);
    /* rebinds where NAME was found: a def updating a session name updates it */
    if (!names_set(table, target, result)) return repl_error_at(r, n, "out of memory");
    if (table == &r->names) restore_note(r, target, false);
    return 0;
}

/* ---- x.data = e, x.grad = none ---------------------------------------------------------- */

/* The attributes an assignment may set, for its messages. */
static const char settable[] = "x.data (its value, same shape), x.grad (none or a gradient) and x.name";

/* x.data = e: e's numbers into x's data, same shape (a plain number for a
 * one-element x); e is evaluated without recording a graph. */
static int set_data(repl *r, const ast_node *n, const char *label, ag_var *x, repl_value e) {
    char buf[96];
    ag_var *source;
    if (e.kind == VALUE_NIL && e.as.string != NULL) return value_nil_error_at(r, n, "", e);
    if (value_as_var(r, n, e, &source) != 0)
        return repl_error_at(r, n, "%s.data = e: e must be a variable or number, not %s", label,
                             eval_describe_kind(e, buf, sizeof buf));
    bool number = e.kind == VALUE_NUMBER || (ag_ndim(source) == 0 && ag_size(x) == 1);
    if (!number && !ag_same_shape(source, x)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        return repl_error_at(r, n, "%s.data = e: e's shape %s is not %s's shape %s (x.data keeps x's "
                                   "shape; x = e binds a new variable)",
                             label, ag_shape_string(ag_ndim(source), ag_shape(source), a), label,
                             ag_shape_string(ag_ndim(x), ag_shape(x), b));
    }
    size_t size = ag_size(x);
    if (size > 0 && source != x) memmove(ag_data(x), ag_cdata(source), size * sizeof(double));
    return 0;
}

/* x.grad = e: none clears it, else a variable of x's shape becomes it. */
static int set_grad(repl *r, const ast_node *n, const char *label, ag_var *x, repl_value e) {
    char buf[96];
    if (e.kind == VALUE_NIL) {
        ag_cleargrad(x);
        return 0;
    }
    ag_var *g;
    if (value_as_var(r, n, e, &g) != 0)
        return repl_error_at(r, n, "%s.grad = e: e must be none or a variable of %s's shape, not %s", label,
                             label, eval_describe_kind(e, buf, sizeof buf));
    if (!ag_same_shape(g, x)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        return repl_error_at(r, n, "%s.grad = e: e's shape %s is not %s's shape %s", label,
                             ag_shape_string(ag_ndim(g), ag_shape(g), a), label,
                             ag_shape_string(ag_ndim(x), ag_shape(x), b));
    }
    if (ag_set_grad(x, g) < 0) return engine_error_at(r, n);
    return 0;
}

/* OBJECT.NAME = e, OBJECT.NAME op= e for an object with a set_attr hook
 * (opt.lr = opt.lr * 0.99); releases object. */
static int set_object_attribute(repl *r, const ast_node *n, const char *label, repl_value object) {
    const char *name = n->as.assign.target;
    const repl_object_type *type = object.as.object->type;
    void *payload = object.as.object->payload;
    repl_value e, value;
    int rc = eval_operand(r, n->as.assign.value, LITERAL_NUMBER, &e);
    const ast_node *caller = r->eval.call; /* the hooks report at n */
    r->eval.call = n;
    if (rc == 0 && n->as.assign.op != AST_OP_NONE) {
        repl_value old;
        rc = type->get_attr ? type->get_attr(r, payload, name, &old) : 1;
        if (rc == 0) {
            rc = eval_arithmetic(r, n, n->as.assign.op, old, e, &value);
            value_release(old);
        }
        value_release(e);
    } else if (rc == 0) {
        value = e;
    }
    if (rc == 0) {
        rc = type->set_attr(r, payload, name, value);
        value_release(value);
    }
    if (rc == 1) {
        char buf[96];
        if (type->get_attr && type->get_attr(r, payload, name, &value) == 0) { /* readable, not settable */
            value_release(value);
            rc = repl_error_at(r, n, "%s.%s cannot be set (%s)", label, name, eval_describe_kind(object, buf, sizeof buf));
        } else {
            rc = repl_no_attribute(r, n, object, name, type);
        }
    }
    r->eval.call = caller;
    value_release(object);
    return rc < 0 ? -1 : 0;
}

/* OBJECT.NAME = e and OBJECT.data op= e. */
static int assign_attribute(repl *r, const ast_node *n) {
    const char *name = n->as.assign.target;
    ast_operator op = n->as.assign.op;
    const ast_node *o = n->as.assign.object;
    char text[48], buf[96];
    const char *label = o->kind == AST_NAME ? o->as.name : eval_node_text(r, o, text, sizeof text) ? text : "x";
    if (r->io.changes_refused) /* a def's body run from a user expression */
        return repl_error_at(r, n, "%s.%s = e: not allowed in a user expression (it changes the session; run it in a cell)",
                             label, name);
    repl_value object;
    if (eval_expr(r, o, &object) < 0) return -1;
    if (object.kind == VALUE_OBJECT && object.as.object->type->set_attr != NULL)
        return set_object_attribute(r, n, label, object);
    int rc = 0;
    bool data = strcmp(name, "data") == 0, grad = strcmp(name, "grad") == 0, named = strcmp(name, "name") == 0;
    if (object.kind == VALUE_NIL) {
        rc = value_nil_error_at(r, n, "", object);
    } else if (object.kind != VALUE_VAR) {
        rc = repl_error_at(r, n, "cannot set attributes of %s; a variable's settable attributes are %s",
                           eval_describe_kind(object, buf, sizeof buf), settable);
    } else if (!data && !grad && !named) {
        bool known = false;
        for (const variable_attribute_def *a = repl_variable_attribute_table; a->name && !known; a++)
            known = strcmp(a->name, name) == 0;
        rc = repl_error_at(r, n, "%s.%s %s: the settable attributes are %s", label, name,
                           known ? "cannot be set" : "is not an attribute", settable);
    } else if (op != AST_OP_NONE && !data) {
        rc = repl_error_at(r, n, "%s.%s %s= e: only x.data can be updated in place (x.%s = e sets it)", label,
                           name, ast_operator_symbol(op), name);
    }
    if (rc < 0) {
        value_release(object);
        return -1;
    }
    ag_var *x = object.as.var;
    repl_value e;
    /* a value, not a graph: evaluated as the in-place update's e is */
    bool old = data ? ag_set_grad_enabled(r->ctx, false) : ag_grad_enabled(r->ctx);
    rc = eval_operand(r, n->as.assign.value, LITERAL_NUMBER, &e);
    if (data) ag_set_grad_enabled(r->ctx, old);
    if (rc == 0) {
        if (data && op != AST_OP_NONE) {
            char what[64];
            snprintf(what, sizeof what, "%s.data", label);
            rc = update_in_place(r, n, what, x, op, e);
        } else if (data) {
            rc = set_data(r, n, label, x, e);
        } else if (grad) {
            rc = set_grad(r, n, label, x, e);
        } else if (e.kind == VALUE_STRING) {
            ag_set_name(x, e.as.string->text);
        } else {
            rc = repl_error_at(r, n, "%s.name = e: e must be a string, not %s", label,
                               eval_describe_kind(e, buf, sizeof buf));
        }
        value_release(e);
    }
    if (rc == 0 && data) { /* for :save: which variable's data changed */
        if (o->kind == AST_NAME && names_get(r->eval.locals, o->as.name) == NULL)
            restore_note(r, o->as.name, true);
        else
            restore_note_all(r);
    }
    value_release(object);
    return rc < 0 ? -1 : 0;
}

/* NAME op= e: the quick update, else compound_assign (each in a frame of
 * its own, so that neither `y = e` nor the quick update pays for the other's
 * registers and stack). */
static __attribute__((noinline)) int compound_assign_out(repl *r, const ast_node *n) { return compound_assign(r, n); }
REPL_HOT int exec_update(repl *r, const ast_node *n) {
    int rc = update_quick(r, n);
    return rc != UPDATE_DECLINED ? rc : compound_assign_out(r, n);
}

REPL_HOT int exec_assign(repl *r, const ast_node *n) {
    if (n->as.assign.object != NULL) return assign_attribute(r, n);
    if (n->as.assign.op != AST_OP_NONE) return exec_update(r, n);
    repl_value v, bound;
    if (eval_expr(r, n->as.assign.value, &v) < 0) return -1;
    if (assignable(r, n, n->as.assign.target, v, &bound) < 0) return -1;
    return eval_bind_name_memo(r, n, n, n->as.assign.target, bound);
}
