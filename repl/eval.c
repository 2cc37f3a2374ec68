/* eval.c — the tree-walking evaluator: literals, operators and expressions
 * (repl_internal.h, "eval.c"); statements are exec.c's.
 * Its arithmetic plans are eval_plan.c's.
 *
 * Every value the evaluator holds is a repl_value, and a VALUE_VAR keeps a
 * root count on its variable, so the engine's collector may run at any
 * statement boundary: after every top-level statement, and inside loops and
 * function bodies once many nodes were made since the last collection.
 * Built-ins run with collection held off (native_depth), because their C
 * locals are plain ag_var pointers.
 *
 * Errors are raised at the node that failed (repl_error_at); evaluation
 * unwinds with -1 and the top level prints the first one. */
#include "repl_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- names -------------------------------------------------------------------------- */

const repl_constant repl_constants[] = {
    {"pi", 3.14159265358979323846},
    {"e", 2.71828182845904523536},
    {0},
};

bool eval_lookup_name(repl *r, const char *name, repl_value *out) {
    repl_value *v = names_get(r->eval.locals, name);
    if (v == NULL) v = names_get(&r->names, name);
    if (v != NULL) {
        *out = value_copy(*v);
        return true;
    }
    const builtin_def *def = builtin_find(name);
    if (def != NULL) {
        *out = value_builtin(def);
        return true;
    }
    for (const repl_constant *c = repl_constants; c->name; c++)
        if (strcmp(c->name, name) == 0) {
            *out = value_number(c->value);
            return true;
        }
    return false;
}

/* ---- memos ---------------------------------------------------------------------------
 * A loop evaluates the same nodes again and again; each node keeps in its
 * memo (ast.h) what its name meant the last time: the slot of the table that
 * held it, the built-in or the constant.  A binding memo is valid for the
 * session and frame it was found from while the tables it could have been
 * found in are unchanged (names.c counts each time a table binds a new name,
 * grows or is cleared: :reset, a name bound after its first use, a local
 * shadowing a session name, a def call's frame all do; a frame's count
 * matters only to memos made inside a def, memo_generation); rebinding a
 * name that exists keeps its slot, so a loop's steady state looks nothing up,
 * also when it calls a def (memo_valid, repl_internal.h).  Inside a def,
 * whose every call makes a new frame, a parameter's or local's memo holds
 * while its slot holds the same key (memo_frame_slot_holds), and a name
 * the def never binds keeps what was found past the frame while the
 * session's names stay (memo_keep_past_frame): a def called in a loop looks
 * up only the locals it binds anew. */

/* The table entry whose value a binding memo's slot is. */
static inline const name_entry *slot_entry(const void *binding) {
    return (const name_entry *)((const char *)binding - offsetof(name_entry, value));
}

static void memo_keep(repl *r, ast_memo *m, int what, const void *binding) {
    r->eval.memos_made++;
    m->generation = memo_generation(r->eval.locals);
    m->scope = r->eval.locals;
    m->session = r;
    m->owner = r->eval.memo_owner;
    m->what = what;
    m->binding = binding;
    m->key = NULL; /* a frame's slot: its key, for the def's next calls (memo_valid) */
    m->frame_free = false;
    if (r->eval.locals != NULL && r->eval.locals->hosting == 0 && (what == MEMO_LOCAL || what == MEMO_BIND))
        m->key = slot_entry(binding)->name;
}

/* Whether a memo of a frame's slot (MEMO_LOCAL, MEMO_BIND inside a def)
 * holds in frame t although names moved: the slot is one of t's and holds
 * the key it held when the memo was made.  Keys of a frame are borrowed
 * from the def's tree (session_state.h), and a node runs only in frames of
 * its own def, whose tree is alive while it runs (a default, which runs in
 * the caller's frame, keeps no key: memo_keep), so the same pointer is the
 * same name, and a name has one slot in a table: the name is bound in t,
 * there.  So a def's parameters and locals are found again without a
 * look-up at its next call, whose frame is new but lies at the same place
 * on the stack and fills its slots in the same order. */
static bool memo_frame_slot_holds(const name_table *t, const ast_memo *m) {
    const name_entry *e = slot_entry(m->binding);
    uintptr_t at = (uintptr_t)e, first = (uintptr_t)t->entries;
    return at >= first && at < first + (uintptr_t)t->capacity * sizeof *e && e->name == m->key;
}

bool eval_memo_valid_in_frame(const repl *r, const ast_memo *m) {
    if (m->frame_free) return m->generation == names_generation + MEMO_FRAME_GENERATION;
    return m->key != NULL && memo_frame_slot_holds(r->eval.locals, m);
}

/* memo_keep for a name found past the running def's frame (in the session,
 * a built-in, a constant): when the def never binds the name (its binds,
 * session_state.h), no call's frame can hide what was found, so the memo
 * holds while the session's names stay, over the def's calls (memo_valid). */
static void memo_keep_past_frame(repl *r, ast_memo *m, int what, const void *binding, const char *name) {
    memo_keep(r, m, what, binding);
    const user_function *f = r->eval.locals != NULL ? r->eval.locals->function : NULL;
    if (f == NULL || r->eval.locals->hosting != 0) return;
    for (size_t i = 0; i < f->nbinds; i++)
        if (strcmp(f->binds[i], name) == 0) return;
    m->frame_free = true;
    m->generation = names_generation + MEMO_FRAME_GENERATION;
}

/* What `name` (written at node n) means now, as eval_lookup_name finds it; NULL
 * when it is unknown.  The memo's `what` says which table or kind. */
static const ast_memo *resolve_name_again(repl *r, const ast_node *n, const char *name) {
    ast_memo *m = memo_of(n);
    repl_value *v = names_get(r->eval.locals, name);
    if (v != NULL) {
        memo_keep(r, m, MEMO_LOCAL, v);
        return m;
    }
    if ((v = names_get(&r->names, name)) != NULL) {
        memo_keep_past_frame(r, m, MEMO_SESSION, v, name);
        return m;
    }
    const builtin_def *def = builtin_find(name);
    if (def != NULL) {
        memo_keep_past_frame(r, m, MEMO_BUILTIN, def, name);
        return m;
    }
    for (const repl_constant *c = repl_constants; c->name; c++)
        if (strcmp(c->name, name) == 0) {
            memo_keep_past_frame(r, m, MEMO_CONSTANT, NULL, name);
            m->number = c->value;
            return m;
        }
    m->what = MEMO_NONE;
    m->key = NULL;
    m->frame_free = false;
    return NULL;
}

void eval_memo_keep_for_test(repl *r, ast_memo *m, int what, const void *binding, const char *name,
                              bool past_frame) {
    if (past_frame)
        memo_keep_past_frame(r, m, what, binding, name);
    else
        memo_keep(r, m, what, binding);
}

const builtin_def *eval_method_builtin(const ast_node *attribute) {
    ast_memo *m = memo_of(attribute);
    if (m->what != MEMO_METHOD) {
        m->binding = builtin_find(attribute->as.attribute.name);
        m->what = MEMO_METHOD;
    }
    return m->binding;
}

static inline const ast_memo *resolve_name(repl *r, const ast_node *n, const char *name) {
    const ast_memo *m = &n->memo;
    if (m->what >= MEMO_LOCAL && m->what <= MEMO_CONSTANT && memo_valid(r, m)) return m;
    return resolve_name_again(r, n, name);
}

repl_value *eval_assign_slot_found(repl *r, const ast_node *n, const char *name, bool *in_session) {
    const ast_memo *m = resolve_name(r, n, name);
    *in_session = m != NULL && m->what == MEMO_SESSION;
    return m != NULL && (m->what == MEMO_LOCAL || m->what == MEMO_SESSION) ? (repl_value *)m->binding : NULL;
}

int eval_unknown_name(repl *r, const ast_node *at, const char *name) {
    const char *other = eval_other_spelling(name, "");
    if (other != NULL) return repl_error_at(r, at, "unknown name '%s'; %s", name, other);
    const char *near = suggest_name(r, at, name);
    if (near) return repl_error_at(r, at, "unknown name '%s'; did you mean '%s'?", name, near);
    return repl_error_at(r, at, "unknown name '%s'", name);
}

/* A session binding to a variable is being replaced: its graph's depth is
 * noted, so the statement's end can give a deep graph's memory back when
 * the statement dropped one (session.c). */
static inline void note_dropped(repl *r, repl_value old) {
    if (old.kind != VALUE_VAR || r->eval.locals != NULL) return;
    int depth = ag_generation(old.as.var);
    if (depth > r->eval.dropped_depth) r->eval.dropped_depth = depth;
}

/* Binds in the running def's frame, or the session at top level. */
int eval_bind_name(repl *r, const ast_node *at, const char *name, repl_value value) {
    name_table *t = r->eval.locals ? r->eval.locals : &r->names;
    if (t == &r->names) {
        repl_value *old = names_get(t, name);
        if (old != NULL) note_dropped(r, *old);
    }
    if (!names_set(t, name, value)) return repl_error_at(r, at, "out of memory");
    if (t == &r->names) restore_note(r, name, false); /* for :save, if the statement fails */
    return 0;
}

/* eval_bind_name_memo (repl_internal.h) when the memo is not a valid slot:
 * bound by eval_bind_name, the slot remembered for the next time. */
int eval_bind_name_memo_found(repl *r, const ast_node *at, const ast_node *memo_node, const char *name,
                              repl_value value) {
    if (eval_bind_name(r, at, name, value) < 0) return -1;
    name_table *t = r->eval.locals ? r->eval.locals : &r->names;
    repl_value *slot = names_get(t, name);
    if (slot != NULL) memo_keep(r, memo_of(memo_node), MEMO_BIND, slot);
    return 0;
}

/* ---- literals -------------------------------------------------------------------------- */

/* The value of the constant the name node n stands for (pi, e) unless a
 * name shadows it. */
static bool constant_value(repl *r, const ast_node *n, double *out) {
    const ast_memo *m = resolve_name(r, n, n->as.name);
    if (m == NULL || m->what != MEMO_CONSTANT) return false;
    *out = m->number;
    return true;
}

/* A number literal: 2, 1e-3, a constant (pi, e), or unary minus or plus of
 * one (so `-1` is the constant -1, not Neg(1)); its value in *out. */
REPL_HOT bool eval_number_literal_folded(repl *r, const ast_node *n, double *out) {
    if (n->kind == AST_NUMBER) { /* most literals: no sign to fold */
        *out = n->as.number;
        return true;
    }
    if (n->kind != AST_UNARY && n->kind != AST_NAME) return false;
    double sign = 1;
    while (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS)) {
        if (n->as.unary.op == AST_OP_NEGATE) sign = -sign;
        n = n->as.unary.operand;
    }
    if (n->kind == AST_NUMBER) {
        *out = sign * n->as.number;
        return true;
    }
    double value;
    if (n->kind == AST_NAME && constant_value(r, n, &value)) {
        *out = sign * value;
        return true;
    }
    return false;
}

/* Arithmetic on number literals only (`1/3`, `2*pi`): such an item of a list
 * literal is a number of the tensor, not an element of a list. */
static bool constant_expression(repl *r, const ast_node *n) {
    double value;
    if (number_literal(r, n, &value)) return true;
    if (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS))
        return constant_expression(r, n->as.unary.operand);
    /* a chain's left spine in a loop: a long sum takes no stack */
    for (; n->kind == AST_BINARY; n = n->as.binary.left) {
        ast_operator op = n->as.binary.op;
        if (op != AST_OP_ADD && op != AST_OP_SUBTRACT && op != AST_OP_MULTIPLY && op != AST_OP_DIVIDE &&
            op != AST_OP_POWER)
            return false;
        if (!constant_expression(r, n->as.binary.right)) return false;
    }
    return number_literal(r, n, &value) ||
           (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS) &&
            constant_expression(r, n->as.unary.operand));
}

/* pooled_constant's new constant for the literal at `at`, in its slot. */
__attribute__((noinline)) ag_var *eval_pooled_constant_made(repl *r, constant_slot *slot, const ast_node *at,
                                                            double value) {
    ag_var *c = ag_scalar(r->ctx, value);
    if (c == NULL) return NULL;
    ag_var_set_flags(c, ag_var_flags(c) | AG_VAR_CONST);
    ag_retain(c);
    if (slot->var != NULL) ag_release(slot->var);
    *slot = (constant_slot){at, value, c};
    return c;
}

void eval_constants_clear(repl *r) {
    for (int i = 0; i < CONSTANT_SLOTS; i++)
        if (r->eval.constants[i].var != NULL) ag_release(r->eval.constants[i].var);
    memset(r->eval.constants, 0, sizeof r->eval.constants);
}

/* A literal as a 0-d variable (SPEC: every value is a variable).
 * `constant`: an operand folded into an op, drawn as a constant
 * (pooled_constant); a literal that is bound or shown is a new plain leaf. */
REPL_HOT static int literal_var(repl *r, const ast_node *at, double value, bool constant, repl_value *out) {
    ag_var *c = constant ? pooled_constant(r, at, value) : ag_scalar(r->ctx, value);
    if (c == NULL) return engine_error_at(r, at);
    *out = value_var(c);
    return 0;
}

REPL_HOT int eval_operand(repl *r, const ast_node *n, literal_use use, repl_value *out) {
    double value;
    if (!number_literal(r, n, &value)) return eval_expr(r, n, out);
    if (use == LITERAL_NUMBER) {
        *out = value_number(value);
        return 0;
    }
    return literal_var(r, n, value, use == LITERAL_CONSTANT, out);
}

bool eval_node_text(repl *r, const ast_node *n, char *buf, size_t size) {
    if (r->eval.chunk == NULL || n->source_end <= n->source_start) return false;
    size_t length = n->source_end - n->source_start;
    if (length >= size || length > 40) return false;
    memcpy(buf, r->eval.chunk->source + n->source_start, length);
    buf[length] = '\0';
    return strchr(buf, '\n') == NULL;
}

/* Remembers that node `at` (an in-place update, arithmetic on plain numbers)
 * made a NaN or Inf, unless an op of this statement already did: run_top
 * warns about the first one. */
void eval_note_nonfinite(repl *r, const ast_node *at, const char *fallback) {
    if (r->eval.nonfinite_note[0] != '\0' || ag_nonfinite_op(r->ctx) != NULL) return;
    char text[48];
    if (at != NULL && eval_node_text(r, at, text, sizeof text))
        snprintf(r->eval.nonfinite_note, sizeof r->eval.nonfinite_note, "%s", text);
    else
        snprintf(r->eval.nonfinite_note, sizeof r->eval.nonfinite_note, "%s", fallback);
}

/* A plain-number result, with the NaN/Inf note when finite operands made it. */
static int number_result(repl *r, const ast_node *at, double x, double y, double result,
                         const char *symbol, repl_value *out) {
    if (isfinite(x) && isfinite(y) && !isfinite(result)) eval_note_nonfinite(r, at, symbol);
    *out = value_number(result);
    return 0;
}

/* ---- operators ------------------------------------------------------------------------- */

/* The one table from an operator to what computes it, as Lua's binopr2op:
 * the engine's op on variables, the rule on plain numbers (a comparison's
 * is 1 or 0) and the verb messages use.  Arithmetic, comparisons and the
 * in-place updates (assign.c, x[i] op= e) all read it. */
static double number_add(double a, double b) { return a + b; }
static double number_subtract(double a, double b) { return a - b; }
static double number_multiply(double a, double b) { return a * b; }
static double number_divide(double a, double b) { return a / b; }
static double number_power(double a, double b) { return pow(a, b); }
static double number_modulo(double a, double b) { /* the sign of the divisor, like Python */
    double m = fmod(a, b);
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}
static double number_floor_divide(double a, double b) { /* floored as Python's float // (via fmod) */
    if (b == 0) return a / b;
    double mod = fmod(a, b), div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
    if (div == 0) return copysign(0.0, a / b);
    double floored = floor(div);
    return div - floored > 0.5 ? floored + 1.0 : floored;
}
static double number_equal(double a, double b) { return a == b; }
static double number_not_equal(double a, double b) { return a != b; }
static double number_less(double a, double b) { return a < b; }
static double number_less_equal(double a, double b) { return a <= b; }
static double number_greater(double a, double b) { return a > b; }
static double number_greater_equal(double a, double b) { return a >= b; }

const repl_operator repl_operators[AST_OP_COUNT] = {
    [AST_OP_ADD] = {ag_add, number_add, "add"},
    [AST_OP_SUBTRACT] = {ag_sub, number_subtract, "subtract"},
    [AST_OP_MULTIPLY] = {ag_mul, number_multiply, "multiply"},
    [AST_OP_DIVIDE] = {ag_div, number_divide, "divide"},
    [AST_OP_POWER] = {ag_powv, number_power, "raise to a power"},
    [AST_OP_MATMUL] = {ag_matmul, NULL, "matrix-multiply"},
    [AST_OP_MODULO] = {NULL, number_modulo, "take the remainder of", ag_remainder},
    [AST_OP_FLOOR_DIVIDE] = {NULL, number_floor_divide, "floor-divide", ag_floor_divide},
    [AST_OP_EQUAL] = {ag_eq, number_equal, "compare"},
    [AST_OP_NOT_EQUAL] = {ag_ne, number_not_equal, "compare"},
    [AST_OP_LESS] = {ag_lt, number_less, "compare"},
    [AST_OP_LESS_EQUAL] = {ag_le, number_less_equal, "compare"},
    [AST_OP_GREATER] = {ag_gt, number_greater, "compare"},
    [AST_OP_GREATER_EQUAL] = {ag_ge, number_greater_equal, "compare"},
};

/* arithmetic but for its common cases: numbers, strings, %, lists and
 * errors.  Not inlined, so the common cases' code stays short. */
static __attribute__((noinline)) int arithmetic_other(repl *r, const ast_node *at, ast_operator op,
                                                      repl_value a, repl_value b, repl_value *out) {
    char buf_a[96], buf_b[96];
    const repl_operator *row = &repl_operators[op];
    if (a.kind == VALUE_NUMBER && b.kind == VALUE_NUMBER && op != AST_OP_MODULO && op != AST_OP_FLOOR_DIVIDE) {
        if (row->number == NULL)
            return repl_error_at(r, at, "@ needs two variables of 2 or more dimensions, not numbers");
        double x = a.as.number, y = b.as.number;
        return number_result(r, at, x, y, row->number(x, y), ast_operator_symbol(op), out);
    }
    /* % and // of two numbers or values of no axes (a bool counts as one) are
     * numbers, recording nothing (as comparisons); of a tensor (one element
     * too), Remainder and FloorDivide */
    if ((op == AST_OP_MODULO || op == AST_OP_FLOOR_DIVIDE) && a.kind != VALUE_LIST && b.kind != VALUE_LIST &&
        (a.kind != VALUE_VAR || ag_ndim(a.as.var) == 0) && (b.kind != VALUE_VAR || ag_ndim(b.as.var) == 0)) {
        double x, y;
        if (eval_scalar_of(a, &x) && eval_scalar_of(b, &y))
            return number_result(r, at, x, y, row->number(x, y), ast_operator_symbol(op), out);
    }
    if (op == AST_OP_ADD && a.kind == VALUE_STRING && b.kind == VALUE_STRING) {
        size_t n = a.as.string->length + b.as.string->length;
        char *joined = malloc(n + 1);
        if (joined == NULL) return repl_error_at(r, at, "out of memory");
        memcpy(joined, a.as.string->text, a.as.string->length);
        memcpy(joined + a.as.string->length, b.as.string->text, b.as.string->length + 1);
        *out = value_string_from(joined, n);
        free(joined);
        return out->kind == VALUE_STRING ? 0 : repl_error_at(r, at, "out of memory");
    }
    if (op == AST_OP_ADD && (a.kind == VALUE_LIST || b.kind == VALUE_LIST)) {
        int rc = repl_concat_lists(r, at, a, b, out); /* Python's list + list */
        if (rc <= 0) return rc;
    }
    bool a_ok = a.kind == VALUE_VAR || a.kind == VALUE_NUMBER ||
                (a.kind == VALUE_LIST && value_is_tensor_literal(a));
    bool b_ok = b.kind == VALUE_VAR || b.kind == VALUE_NUMBER ||
                (b.kind == VALUE_LIST && value_is_tensor_literal(b));
    if (a.kind == VALUE_NIL) return value_nil_error_at(r, at, "", a);
    if (b.kind == VALUE_NIL) return value_nil_error_at(r, at, "", b);
    if (!a_ok || !b_ok) {
        /* (p == [1, 1, 1]) * 1.0: the truth came from a comparison; its elementwise function */
        char hint[160] = "";
        const ast_node *side = at == NULL || at->kind != AST_BINARY ? NULL
                               : a.kind == VALUE_BOOL ? at->as.binary.left
                               : b.kind == VALUE_BOOL ? at->as.binary.right : NULL;
        static const char *const elementwise[AST_OP_COUNT] = {
            [AST_OP_EQUAL] = "eq", [AST_OP_NOT_EQUAL] = "ne", [AST_OP_LESS] = "lt",
            [AST_OP_LESS_EQUAL] = "le", [AST_OP_GREATER] = "gt", [AST_OP_GREATER_EQUAL] = "ge"};
        char left[48], right[48];
        if (side != NULL && side->kind == AST_BINARY && elementwise[side->as.binary.op] != NULL &&
            eval_node_text(r, side->as.binary.left, left, sizeof left) &&
            eval_node_text(r, side->as.binary.right, right, sizeof right))
            snprintf(hint, sizeof hint, "; %s(%s, %s) compares elementwise (a 0/1 tensor)",
                     elementwise[side->as.binary.op], left, right);
        return repl_error_at(r, at, "cannot %s %s and %s%s", eval_operator_verb(op),
                          eval_describe_kind(a, buf_a, sizeof buf_a), eval_describe_kind(b, buf_b, sizeof buf_b), hint);
    }
    ag_var *x, *y = NULL;
    if (eval_operand_var(r, at, a, eval_operator_verb(op), &x) < 0) return -1;
    if (op == AST_OP_POWER && b.kind == VALUE_NUMBER)
        return eval_return_var(r, at, ag_pow(r->ctx, x, b.as.number), out);
    if (eval_operand_var(r, at, b, eval_operator_verb(op), &y) < 0) return -1;
    ag_var *(*engine)(ag_ctx *, ag_var *, ag_var *) = row->engine != NULL ? row->engine : row->tensor;
    if (engine == NULL) return repl_error_at(r, at, "unknown operator");
    return eval_return_var(r, at, engine(r->ctx, x, y), out);
}

/* a OP b for arithmetic; errors (and a NaN note) at node `at`.  Inline in
 * eval_arithmetic_at's nodes, a call elsewhere.  0 with a reference in *out,
 * 1 with none (only when `root` is false: arith_result), -1 after an error. */
static inline __attribute__((always_inline)) int arithmetic_inline(repl *r, const ast_node *at, ast_operator op,
                                                                   repl_value a, repl_value b, bool root,
                                                                   repl_value *out) {
    /* the common case, as arithmetic_other without the checks (arithmetic
     * never sees a comparison: compare_values does) */
    if (a.kind == VALUE_VAR && b.kind == VALUE_VAR && repl_operators[op].engine != NULL)
        return arith_result(r, at, repl_operators[op].engine(r->ctx, a.as.var, b.as.var), root, out);
    if (a.kind == VALUE_VAR && b.kind == VALUE_NUMBER && op == AST_OP_POWER) /* x^2: Pow(2) */
        return arith_result(r, at, ag_pow(r->ctx, a.as.var, b.as.number), root, out);
    return arithmetic_other(r, at, op, a, b, out);
}

REPL_HOT int eval_arithmetic(repl *r, const ast_node *at, ast_operator op, repl_value a, repl_value b,
                        repl_value *out) {
    return arithmetic_inline(r, at, op, a, b, true, out);
}

/* The operators eval_binary_plain evaluates: and/or, comparisons, `is` and
 * %, whose literals are plain numbers; the rest (+ - * / @ ^) is arithmetic
 * (eval_arithmetic_at). */
#define PLAIN_OPERATORS                                                                                     \
    (1u << AST_OP_AND | 1u << AST_OP_OR | 1u << AST_OP_MODULO | 1u << AST_OP_FLOOR_DIVIDE | 1u << AST_OP_EQUAL | 1u << AST_OP_NOT_EQUAL |  \
     1u << AST_OP_LESS | 1u << AST_OP_LESS_EQUAL | 1u << AST_OP_GREATER | 1u << AST_OP_GREATER_EQUAL |         \
     1u << AST_OP_IS | 1u << AST_OP_IS_NOT)
_Static_assert(AST_OP_COUNT <= 32, "PLAIN_OPERATORS is a 32-bit mask");
static inline bool plain_operator(ast_operator op) { return (PLAIN_OPERATORS >> op) & 1u; }

/* A binary node of a plain operator.  `left` is NULL to evaluate n's left
 * operand here, or its value already computed (eval_binary's chains),
 * which this call releases. */
static __attribute__((noinline)) int eval_binary_plain(repl *r, const ast_node *n, repl_value *left,
                                                       repl_value *out) {
    ast_operator op = n->as.binary.op;
    repl_value a, b;
    if (left != NULL) a = *left;
    else if (eval_operand(r, n->as.binary.left, LITERAL_NUMBER, &a) < 0)
        return -1;
    if (op == AST_OP_AND || op == AST_OP_OR) {
        bool t;
        int rc = eval_truthy(r, n, a, &t);
        value_release(a);
        if (rc < 0) return -1;
        if ((op == AST_OP_AND && !t) || (op == AST_OP_OR && t)) {
            *out = value_bool(t);
            return 0;
        }
        if (eval_operand(r, n->as.binary.right, LITERAL_NUMBER, &b) < 0) return -1;
        rc = eval_truthy(r, n, b, &t);
        value_release(b);
        if (rc < 0) return -1;
        *out = value_bool(t);
        return 0;
    }
    if (eval_operand(r, n->as.binary.right, LITERAL_NUMBER, &b) < 0) {
        value_release(a);
        return -1;
    }
    bool contents = n->as.binary.left->kind == AST_LIST || n->as.binary.right->kind == AST_LIST;
    int rc = op == AST_OP_IS || op == AST_OP_IS_NOT                 ? eval_identity(a, b, op, out)
             : op >= AST_OP_EQUAL && op <= AST_OP_GREATER_EQUAL ? eval_compare_values(r, n, op, a, b, contents, out)
                                                                : eval_arithmetic(r, n, op, a, b, out);
    value_release(a);
    value_release(b);
    return rc;
}

/* ---- arithmetic trees -----------------------------------------------------------------
 * A tree of + - * / @ ^ over names, literals and other expressions (the
 * loops' `0.26 * (x0^2 + x1^2) - 0.48 * x0 * x1`) is evaluated here
 * without going back through eval_expr for the arithmetic nodes and the
 * names and literals under them: each operand is a value, or a number
 * literal (2, -1, pi) not yet made, which arith_apply makes as the rule
 * says once the other operand is known:
 * - beside a plain number it is a plain number (i + 1 with a loop counter i
 *   stays a number), and as an exponent (x^2) it is Pow(2)'s p;
 * - otherwise it is a constant of the op (pooled_constant), made after the
 *   other operand was evaluated; of two literals the left is made first.
 * Operands are evaluated left to right, as everywhere. */

typedef struct arith_operand {
    repl_value value;        /* when literal is NULL */
    const ast_node *literal; /* a number literal not made yet: its node */
    double number;           /*   and value */
    bool owned;              /* value holds a reference the operand releases */
} arith_operand;

static int eval_arithmetic_at(repl *r, const ast_node *n, int depth, bool root, repl_value *out);


/* An arithmetic node under eval_expr's bound on the depth (eval_bounded's
 * check and count), without eval_bounded's and eval_binary's frames: its
 * plan's run when it has one that runs (eval_plan.c), else
 * eval_arithmetic_at's answer. */
static inline __attribute__((always_inline)) int eval_arith_bounded(repl *r, const ast_node *n, bool root,
                                                                    repl_value *out) {
    if (eval_too_deep(r))
        return repl_error_at(r, n, "expression nested too deeply (or endless recursion)");
    if (n->plan_state != 2 && eval_plans_enabled) {
        int rc = eval_arith_plan_run(r, n, root, out);
        if (rc != PLAN_DECLINED) return rc;
    }
    r->eval.depth++;
    int rc = eval_arithmetic_at(r, n, 0, root, out);
    r->eval.depth--;
    return rc;
}

/* A call as an operand into *o (arith_operand_of, below): when it borrows,
 * a built-in's op of one variable gives its result without a reference
 * (eval_call_operand).  Not inlined: the arithmetic nodes' frames stay as
 * small as they were without it. */
static __attribute__((noinline)) int arith_call_operand(repl *r, const ast_node *n, arith_operand *o, bool borrow) {
    int rc = borrow ? eval_call_operand(r, n, &o->value) : eval_call(r, n, &o->value);
    o->owned = rc == 0;
    return rc < 0 ? -1 : 0;
}

/* An operand of an arithmetic node into *o.  A right operand that is
 * itself arithmetic recurses with eval_expr's bound on the depth
 * (eval_arith_bounded; a left one is walked in a loop, eval_arithmetic_at).
 * `borrow`: nothing runs between this operand and its op (it is the right
 * operand, or the right one is a name or a number), so a name's variable is
 * borrowed from its binding and an arithmetic operand's result gets no
 * reference of its own (arith_result): no retain and release around the
 * op.  Collection waits for a statement boundary, and none comes between. */
static inline __attribute__((always_inline)) int arith_operand_of(repl *r, const ast_node *n, arith_operand *o,
                                                                  bool borrow) {
    o->literal = NULL;
    o->owned = true;
    switch (n->kind) {
    case AST_NUMBER:
        o->literal = n;
        o->number = n->as.number;
        o->owned = false;
        return 0;
    case AST_NAME: {
        const ast_memo *m = resolve_name(r, n, n->as.name);
        if (m == NULL) return eval_unknown_name(r, n, n->as.name);
        if (m->what == MEMO_CONSTANT) { /* pi, e */
            o->literal = n;
            o->number = m->number;
            o->owned = false;
        } else if (m->what == MEMO_BUILTIN) {
            o->value = value_builtin(m->binding);
        } else if (borrow && ((const repl_value *)m->binding)->kind == VALUE_VAR) {
            o->value = *(const repl_value *)m->binding;
            o->owned = false;
        } else {
            o->value = value_copy(*(const repl_value *)m->binding);
        }
        return 0;
    }
    case AST_UNARY:
        if (number_literal(r, n, &o->number)) { /* -1 */
            o->literal = n;
            o->owned = false;
            return 0;
        }
        break;
    case AST_CALL: /* sin(x) * 2: its arguments' evaluation (eval_expr) bounds the depth */
        return arith_call_operand(r, n, o, borrow);
    case AST_BINARY: /* (x0 - 1)^2 */
        if (!plain_operator(n->as.binary.op)) {
            int rc = eval_arith_bounded(r, n, !borrow, &o->value);
            o->owned = rc == 0;
            return rc < 0 ? -1 : 0;
        }
        break;
    default: break;
    }
    return eval_expr(r, n, &o->value);
}

/* The literal o made as a constant of the op at n: literal_var's constant,
 * its pooled_constant called here, not through literal_var's frame.  The
 * value holds no root of its own (value_var would add one, and arith_apply
 * take it off again after the op): the pool's slot holds one, and nothing
 * between here and the op can collect (collection waits for a statement
 * boundary; the engine frees nothing else). */
static inline int arith_constant(repl *r, arith_operand *o) {
    ag_var *c = pooled_constant(r, o->literal, o->number);
    if (c == NULL) return engine_error_at(r, o->literal);
    o->value = (repl_value){.kind = VALUE_VAR, .as.var = c};
    return 0;
}

/* Releases an operand's value: one that was a literal holds nothing (a
 * plain number, or a constant arith_constant made), nor does a borrowed one. */
static inline void arith_release(arith_operand *o) {
    if (o->owned) value_release(o->value);
}

/* a op b at node n, a literal among them made by the rule above; releases
 * both.  arithmetic_inline's answer. */
static inline __attribute__((always_inline)) int arith_apply(repl *r, const ast_node *n, arith_operand *a,
                                                             arith_operand *b, bool root, repl_value *out) {
    ast_operator op = n->as.binary.op;
    if (a->literal != NULL) {
        if (b->literal == NULL && b->value.kind == VALUE_NUMBER) {
            a->value = value_number(a->number);
        } else if (arith_constant(r, a) < 0) {
            arith_release(b);
            return -1;
        }
    }
    if (b->literal != NULL) {
        if ((a->literal == NULL && a->value.kind == VALUE_NUMBER) || op == AST_OP_POWER) {
            b->value = value_number(b->number);
        } else if (arith_constant(r, b) < 0) {
            arith_release(a);
            return -1;
        }
    }
    int rc = arithmetic_inline(r, n, op, a->value, b->value, root, out);
    arith_release(a);
    arith_release(b);
    return rc;
}

/* An operand whose evaluation runs nothing of the user's (no call, no
 * statement that could rebind a name or collect): a name or a number. */
static inline bool inert_operand(const ast_node *n) { return n->kind == AST_NAME || n->kind == AST_NUMBER; }

/* Arithmetic nodes nested in a left operand deeper than this are walked in
 * a loop (arith_spine), not recursed into. */
#define ARITH_LEFT_DEPTH 8

static int arith_spine(repl *r, const ast_node *n, repl_value *out);

/* An arithmetic node, `depth` levels down its tree's left spine: a left
 * operand that is an arithmetic node is evaluated by recursion while depth
 * is below ARITH_LEFT_DEPTH, then by arith_spine.  0 with a reference in
 * *out; 1 with none, when `root` is false and the op made a variable
 * (arith_result); -1 after an error. */
REPL_HOT static int eval_arithmetic_at(repl *r, const ast_node *n, int depth, bool root, repl_value *out) {
    arith_operand a, b;
    const ast_node *left = n->as.binary.left;
    /* the left operand borrows when the right one is inert_operand */
    if (left->kind == AST_BINARY && !plain_operator(left->as.binary.op)) {
        if (depth >= ARITH_LEFT_DEPTH) return arith_spine(r, n, out);
        a.literal = NULL;
        int rc = eval_arithmetic_at(r, left, depth + 1, !inert_operand(n->as.binary.right), &a.value);
        if (rc < 0) return -1;
        a.owned = rc == 0;
    } else if (arith_operand_of(r, left, &a, inert_operand(n->as.binary.right)) < 0) {
        return -1;
    }
    if (arith_operand_of(r, n->as.binary.right, &b, true) < 0) {
        arith_release(&a);
        return -1;
    }
    return arith_apply(r, n, &a, &b, root, out);
}

/* A left spine of any length (a + b - c * d ... nests to the left) in a
 * loop, bottom up, each node applied to the value so far, so a flat sum of
 * any length takes no more C stack than one term. */
static __attribute__((noinline)) int arith_spine(repl *r, const ast_node *n, repl_value *out) {
    const ast_node *local[16], **spine = local, *bottom = n;
    size_t count = 0;
    for (const ast_node *k = n; k->kind == AST_BINARY && !plain_operator(k->as.binary.op); k = k->as.binary.left) {
        bottom = k;
        count++;
    }
    if (count > sizeof local / sizeof local[0] && (spine = malloc(count * sizeof *spine)) == NULL)
        return repl_error_at(r, n, "out of memory");
    size_t i = count;
    for (const ast_node *k = n; k->kind == AST_BINARY && !plain_operator(k->as.binary.op); k = k->as.binary.left)
        spine[--i] = k;
    repl_value value;
    int rc = eval_arithmetic_at(r, bottom, 0, true, &value); /* its left is no arithmetic node */
    for (i = 1; i < count && rc == 0; i++) {
        arith_operand a = {.value = value, .owned = true}, b;
        if ((rc = arith_operand_of(r, spine[i]->as.binary.right, &b, true)) < 0) {
            value_release(value);
            break;
        }
        rc = arith_apply(r, spine[i], &a, &b, true, &value);
    }
    if (spine != local) free((void *)spine);
    if (rc == 0) *out = value;
    return rc < 0 ? -1 : 0;
}

/* A binary node: arithmetic, or a chain of plain operators walked as
 * eval_arithmetic_at walks its spine. */
REPL_HOT static int eval_binary(repl *r, const ast_node *n, repl_value *out) {
    if (!plain_operator(n->as.binary.op)) return eval_arithmetic_at(r, n, 0, true, out);
    const ast_node *local[16], **spine = local, *bottom = n;
    size_t count = 0;
    for (const ast_node *k = n; k->kind == AST_BINARY && plain_operator(k->as.binary.op); k = k->as.binary.left)
        count++;
    if (count > sizeof local / sizeof local[0] && (spine = malloc(count * sizeof *spine)) == NULL)
        return repl_error_at(r, n, "out of memory");
    size_t i = count;
    for (const ast_node *k = n; k->kind == AST_BINARY && plain_operator(k->as.binary.op); k = k->as.binary.left)
        spine[--i] = bottom = k;
    repl_value value; /* bottom is spine[0], the chain's first operator */
    int rc = eval_binary_plain(r, bottom, NULL, &value);
    for (i = 1; i < count && rc == 0; i++) {
        repl_value next;
        rc = eval_binary_plain(r, spine[i], &value, &next);
        if (rc == 0) value = next;
    }
    if (spine != local) free((void *)spine);
    if (rc == 0) *out = value;
    return rc;
}

/* Not inlined into eval_bounded (nor eval_list): the frame every
 * expression node goes through stays small. */
static __attribute__((noinline)) int eval_unary(repl *r, const ast_node *n, repl_value *out) {
    repl_value v;
    if (eval_expr(r, n->as.unary.operand, &v) < 0) return -1;
    int rc = 0;
    char buf[96];
    switch (n->as.unary.op) {
    case AST_OP_NOT: {
        bool t;
        rc = eval_truthy(r, n, v, &t);
        if (rc == 0) *out = value_bool(!t);
        break;
    }
    case AST_OP_NEGATE:
    case AST_OP_PLUS:
        if (v.kind == VALUE_NUMBER) {
            *out = value_number(n->as.unary.op == AST_OP_NEGATE ? -v.as.number : v.as.number);
        } else if (v.kind == VALUE_NIL) {
            rc = value_nil_error_at(r, n, "", v);
        } else if (v.kind == VALUE_VAR || (v.kind == VALUE_LIST && value_is_tensor_literal(v))) {
            ag_var *x;
            rc = eval_operand_var(r, n, v, "negate", &x);
            if (rc == 0) {
                if (n->as.unary.op == AST_OP_NEGATE) rc = eval_return_var(r, n, ag_neg(r->ctx, x), out);
                else rc = eval_return_var(r, n, x, out);
            }
        } else {
            rc = repl_error_at(r, n, "cannot %s %s", n->as.unary.op == AST_OP_NEGATE ? "negate" : "apply + to",
                            eval_describe_kind(v, buf, sizeof buf));
        }
        break;
    default: rc = repl_error_at(r, n, "unknown operator");
    }
    value_release(v);
    return rc;
}
/* ---- expressions -------------------------------------------------------------------------- */

/* Builds the tensor of a list literal from its items (plain numbers, or
 * tensors of at most AG_MAX_DIMS - 1 dimensions), which must all have one
 * shape: -1 after "tensor literal: rows have different lengths ([2] and [1])". */
static int stack_items(repl *r, const ast_node *n, const repl_value *items, int count,
                       repl_value *out) {
    int item_ndim = items[0].kind == VALUE_VAR ? ag_ndim(items[0].as.var) : 0;
    const int *item_shape = items[0].kind == VALUE_VAR ? ag_shape(items[0].as.var) : NULL;
    for (int i = 1; i < count; i++) {
        int ndim = items[i].kind == VALUE_VAR ? ag_ndim(items[i].as.var) : 0;
        const int *shape = items[i].kind == VALUE_VAR ? ag_shape(items[i].as.var) : NULL;
        bool same = ndim == item_ndim;
        for (int d = 0; d < ndim && same; d++) same = shape[d] == item_shape[d];
        if (!same) {
            char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
            return repl_error_at(r, n, "tensor literal: rows have different lengths (%s and %s)",
                              ag_shape_string(item_ndim, item_shape, a),
                              ag_shape_string(ndim, shape, b));
        }
    }
    int shape[AG_MAX_DIMS];
    shape[0] = count;
    for (int d = 0; d < item_ndim; d++) shape[d + 1] = item_shape[d];
    ag_var *tensor = ag_zeros(r->ctx, item_ndim + 1, shape);
    if (tensor == NULL) return engine_error_at(r, n);
    /* filling a new leaf is not an in-place change (ag_data would count one) */
    double *data = (double *)ag_cdata(tensor);
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        if (items[i].kind == VALUE_NUMBER) {
            data[at++] = items[i].as.number;
        } else {
            size_t size = ag_size(items[i].as.var);
            if (size > 0) memcpy(data + at, ag_cdata(items[i].as.var), size * sizeof *data);
            at += size;
        }
    }
    *out = value_var(tensor);
    return 0;
}

/* [a, b, ...]: a tensor variable when every item is a number (a literal, a
 * plain number, arithmetic on literals) or a nested tensor literal, all of
 * one shape; otherwise a list (of variables, strings, ...) whose literal
 * items are plain numbers.  [] is a list. */
static __attribute__((noinline)) int eval_list(repl *r, const ast_node *n, repl_value *out) {
    const ast_list *items = &n->as.list;
    repl_value list = value_list_new(items->count);
    if (list.kind != VALUE_LIST) return repl_error_at(r, n, "out of memory");
    repl_value *values = list.as.list->items;
    bool numeric = items->count > 0;
    for (int i = 0; i < items->count; i++) {
        const ast_node *item = items->items[i];
        if (eval_operand(r, item, LITERAL_NUMBER, &values[i]) < 0) {
            values[i] = VALUE_NIL_INIT;
            value_release(list);
            return -1;
        }
        repl_value v = values[i];
        if (v.kind == VALUE_NUMBER) continue;
        if (v.kind == VALUE_VAR && item->kind == AST_LIST) continue; /* a nested tensor literal */
        if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 0 && constant_expression(r, item)) {
            double number = ag_item(v.as.var); /* 1/3: a number, not its graph */
            value_release(v);
            values[i] = value_number(number);
            continue;
        }
        numeric = false;
    }
    /* deeper than a tensor can be: a list of lists, as before */
    if (numeric && values[0].kind == VALUE_VAR && ag_ndim(values[0].as.var) >= AG_MAX_DIMS)
        numeric = false;
    if (numeric) {
        int rc = stack_items(r, n, values, items->count, out);
        value_release(list);
        return rc;
    }
    /* a list that is not a tensor keeps its number items as plain numbers: it
     * is a container (sgd([p, 2]) is refused, hooks=[1] says "a number") */
    *out = list;
    return 0;
}

/* A name's value: what its memo says it is bound to. */
static __attribute__((noinline)) int eval_name(repl *r, const ast_node *n, repl_value *out) {
    const ast_memo *m = resolve_name(r, n, n->as.name);
    if (m == NULL) return eval_unknown_name(r, n, n->as.name);
    switch (m->what) {
    case MEMO_CONSTANT: return literal_var(r, n, m->number, false, out);
    case MEMO_BUILTIN: *out = value_builtin(m->binding); return 0;
    default: *out = value_copy(*(const repl_value *)m->binding); return 0;
    }
}

static int eval_inner(repl *r, const ast_node *n, repl_value *out) {
    switch (n->kind) {
    case AST_NUMBER: return literal_var(r, n, n->as.number, false, out);
    case AST_BOOL: *out = value_bool(n->as.boolean); return 0;
    case AST_NONE: *out = (repl_value)VALUE_NIL_INIT; return 0;
    case AST_ELLIPSIS: return eval_ellipsis(r, out);
    case AST_STRING:
        *out = value_string_from(n->as.string, strlen(n->as.string));
        if (out->kind == VALUE_STRING) return 0;
        return repl_error_at(r, n, "out of memory");
    case AST_NAME: return eval_name(r, n, out);
    case AST_LIST: return eval_list(r, n, out);
    case AST_UNARY: {
        double literal;
        if (!number_literal(r, n, &literal)) return eval_unary(r, n, out);
        return literal_var(r, n, literal, false, out);
    }
    case AST_BINARY: return eval_binary(r, n, out);
    case AST_CALL: return eval_call(r, n, out);
    case AST_ATTRIBUTE: return eval_attribute(r, n, out);
    case AST_INDEX: return eval_index(r, n, out);
    default:
        return repl_error_at(r, n, "a %s statement is not an expression", ast_kind_name(n->kind));
    }
}

/* eval_expr of anything but a name, its recursion bounded.  Not inlined:
 * a name's evaluation, most of them, then skips this frame's set-up. */
REPL_HOT __attribute__((noinline)) static int eval_bounded(repl *r, const ast_node *n, repl_value *out) {
    if (eval_too_deep(r))
        return repl_error_at(r, n, "expression nested too deeply (or endless recursion)");
    r->eval.depth++;
    int rc = eval_inner(r, n, out);
    r->eval.depth--;
    return rc;
}

REPL_HOT int eval_expr(repl *r, const ast_node *n, repl_value *out) {
    if (n->kind == AST_NAME) return eval_name(r, n, out); /* a leaf: no recursion to bound */
    /* an assignment's arithmetic (y = 100 * (x1 - x0^2)^2 + ...): bounded
     * as eval_bounded bounds it, without its and eval_binary's frames */
    if (n->kind == AST_BINARY && !plain_operator(n->as.binary.op)) return eval_arith_bounded(r, n, true, out);
    return eval_bounded(r, n, out);
}
