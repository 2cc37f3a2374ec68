/* eval_values.c — what the evaluator asks of values (repl_internal.h,
 * "eval.c"): their kinds in messages, their truth, the variable an operand
 * stands for; and the comparisons ==, !=, <, <=, >, >= and the identity
 * `is`, which eval.c's operators hand over here (eval_binary_plain). */
#include "repl_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------------------- */

const char *eval_describe_kind(repl_value v, char *buf, size_t n) {
    if (v.kind == VALUE_VAR) {
        char shape[AG_SHAPEBUF];
        snprintf(buf, n, "a variable of shape %s",
                 ag_shape_string(ag_ndim(v.as.var), ag_shape(v.as.var), shape));
        return buf;
    }
    return value_with_article(v, buf, n);
}

bool eval_scalar_of(repl_value v, double *out) {
    if (v.kind == VALUE_NUMBER) {
        *out = v.as.number;
        return true;
    }
    if (v.kind == VALUE_VAR && ag_size(v.as.var) == 1) {
        *out = ag_item(v.as.var);
        return true;
    }
    return false;
}

/* v as a condition at node `at`. */
int eval_truthy(repl *r, const ast_node *at, repl_value v, bool *out) {
    char buf[96];
    switch (v.kind) {
    case VALUE_NIL: *out = false; return 0;
    case VALUE_BOOL: *out = v.as.boolean; return 0;
    case VALUE_NUMBER: *out = v.as.number != 0; return 0;
    case VALUE_STRING: *out = v.as.string->length > 0; return 0;
    case VALUE_LIST: *out = v.as.list->count > 0; return 0;
    case VALUE_VAR:
        if (ag_size(v.as.var) == 1) {
            *out = ag_item(v.as.var) != 0;
            return 0;
        }
        return repl_error_at(r, at, "the truth of %s is ambiguous: a condition must be true, false, a number "
                                    "or one element, as PyTorch's bool(x) (any(x) or all(x) say which you mean)",
                          eval_describe_kind(v, buf, sizeof buf));
    default: *out = true; return 0;
    }
}

/* Turns an operand of arithmetic into a variable: numbers (and true/false,
 * 1 and 0) become constant leaves, tensor literals plain leaves.  -1 after an error naming the op. */
int value_as_var(repl *r, const ast_node *at, repl_value v, ag_var **out) {
    if (v.kind == VALUE_VAR) {
        *out = v.as.var;
        return 0;
    }
    if (v.kind == VALUE_NUMBER || v.kind == VALUE_BOOL) { /* true is 1, false 0 (Python's) */
        ag_var *c = ag_scalar(r->ctx, v.kind == VALUE_BOOL ? (v.as.boolean ? 1.0 : 0.0) : v.as.number);
        if (c == NULL) return engine_error_at(r, at);
        ag_var_set_flags(c, ag_var_flags(c) | AG_VAR_CONST);
        *out = c;
        return 0;
    }
    if (v.kind == VALUE_LIST && value_is_tensor_literal(v)) {
        ag_var *leaf = value_to_leaf(r, v);
        if (leaf == NULL) return engine_error_at(r, at);
        *out = leaf;
        return 0;
    }
    return 1;
}

int eval_operand_var(repl *r, const ast_node *at, repl_value v, const char *verb, ag_var **out) {
    char buf[96];
    int rc = value_as_var(r, at, v, out);
    if (rc <= 0) return rc;
    if (v.kind == VALUE_NIL) return value_nil_error_at(r, at, "", v);
    return repl_error_at(r, at, "cannot %s %s", verb, eval_describe_kind(v, buf, sizeof buf));
}

int eval_return_var(repl *r, const ast_node *at, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error_at(r, at);
    *out = value_var(v);
    return 0;
}

/* ---- comparisons ------------------------------------------------------------------- */

const char *eval_operator_verb(ast_operator op) {
    const char *verb = repl_operators[op].verb;
    return verb != NULL ? verb : "compare";
}

/* The variable holding v's numbers: v itself, or a new leaf for a list of
 * numbers (a shape); NULL when v holds other things (strings, variables...). */
static ag_var *contents_of(repl *r, repl_value v) {
    if (v.kind == VALUE_VAR) return v.as.var;
    if (v.kind == VALUE_LIST && v.as.list->count > 0 && value_is_tensor_literal(v))
        return value_to_leaf(r, v);
    return NULL;
}

/* a == b for lists and shapes: the same items in the same order (shapes as
 * lists of numbers equal a 1-D variable with those numbers, `x.shape == [3, 2]`).
 * Lists holding other things compare item by item. */
static bool contents_equal(repl *r, repl_value a, repl_value b) {
    if (a.kind == VALUE_LIST && b.kind == VALUE_LIST) {
        if (a.as.list->count != b.as.list->count) return false;
        for (int i = 0; i < a.as.list->count; i++) {
            repl_value x = a.as.list->items[i], y = b.as.list->items[i];
            double p, q;
            if (eval_scalar_of(x, &p) && eval_scalar_of(y, &q)) {
                if (p != q) return false;
            } else if (x.kind == VALUE_LIST || y.kind == VALUE_LIST) {
                if (!contents_equal(r, x, y)) return false;
            } else if (x.kind == VALUE_STRING && y.kind == VALUE_STRING) {
                if (strcmp(x.as.string->text, y.as.string->text) != 0) return false;
            } else if (x.kind == VALUE_BOOL && y.kind == VALUE_BOOL) {
                if (x.as.boolean != y.as.boolean) return false;
            } else if (x.kind != y.kind || x.kind == VALUE_NUMBER ||
                       (x.kind == VALUE_VAR && x.as.var != y.as.var) ||
                       (x.kind == VALUE_OBJECT && x.as.object != y.as.object) ||
                       (x.kind == VALUE_FUNCTION && x.as.function != y.as.function) ||
                       (x.kind == VALUE_BUILTIN && x.as.builtin != y.as.builtin)) {
                return false;
            }
        }
        return true;
    }
    ag_var *x = contents_of(r, a), *y = contents_of(r, b);
    bool equal = x != NULL && y != NULL && ag_ndim(x) == ag_ndim(y);
    for (int d = 0; equal && d < ag_ndim(x); d++) equal = ag_shape(x)[d] == ag_shape(y)[d];
    size_t size = equal ? ag_size(x) : 0;
    for (size_t i = 0; i < size && equal; i++) equal = ag_cdata(x)[i] == ag_cdata(y)[i];
    return equal;
}

/* a OP b elementwise when either is a tensor (one element included): a 0/1
 * variable of the broadcast shape, as PyTorch's comparisons (no gradient
 * flows through it). */
static int compare_tensors(repl *r, const ast_node *at, ast_operator op, repl_value a, repl_value b,
                           repl_value *out) {
    char buf[96];
    for (int k = 0; k < 2; k++) {
        repl_value v = k == 0 ? a : b;
        if (v.kind == VALUE_NIL) return value_nil_error_at(r, at, "", v);
        if (!(v.kind == VALUE_VAR || v.kind == VALUE_NUMBER || v.kind == VALUE_BOOL ||
              (v.kind == VALUE_LIST && value_is_tensor_literal(v))))
            return repl_error_at(r, at, "%s: cannot compare a variable with %s", ast_operator_symbol(op),
                                 eval_describe_kind(v, buf, sizeof buf));
    }
    ag_var *x, *y;
    repl_value va = a.kind == VALUE_BOOL ? value_number(a.as.boolean) : a;
    repl_value vb = b.kind == VALUE_BOOL ? value_number(b.as.boolean) : b;
    if (eval_operand_var(r, at, va, "compare", &x) < 0 || eval_operand_var(r, at, vb, "compare", &y) < 0) return -1;
    return eval_return_var(r, at, repl_operators[op].engine(r->ctx, x, y), out);
}

/* a OP b for a comparison; errors at the binary node `at`.  `contents`:
 * an operand was written as a list literal, so == compares contents unless
 * both sides are single numbers (x == [3] for a scalar x is true). */
int eval_compare_values(repl *r, const ast_node *at, ast_operator op, repl_value a, repl_value b,
                        bool contents, repl_value *out) {
    const char *symbol = ast_operator_symbol(op);
    char buf_a[96], buf_b[96];
    bool scalars = (a.kind != VALUE_VAR || ag_size(a.as.var) == 1) &&
                   (b.kind != VALUE_VAR || ag_size(b.as.var) == 1);
    /* a tensor beside a list literal (which made a tensor) compares
     * elementwise, as PyTorch's and NumPy's (p == [1, 0, 1] is a 0/1
     * tensor); a list or shape beside one, or two literals, compare contents */
    bool left_literal = at != NULL && at->kind == AST_BINARY && at->as.binary.left->kind == AST_LIST;
    bool right_literal = at != NULL && at->kind == AST_BINARY && at->as.binary.right->kind == AST_LIST;
    if (!scalars && left_literal != right_literal && a.kind == VALUE_VAR && b.kind == VALUE_VAR)
        return compare_tensors(r, at, op, a, b, out);
    if ((op == AST_OP_EQUAL || op == AST_OP_NOT_EQUAL) &&
        ((contents && !scalars) || a.kind == VALUE_LIST || b.kind == VALUE_LIST)) {
        bool equal = contents_equal(r, a, b);
        *out = value_bool(op == AST_OP_EQUAL ? equal : !equal);
        return 0;
    }
    /* a tensor (one element too: [0.0] < [1.0]) compares elementwise; plain
     * numbers and 0-d values (a loss, x[0], a loop counter) give true/false,
     * and so does a number beside a list literal (x == [3] for a 0-d x) */
    if (((a.kind == VALUE_VAR && ag_ndim(a.as.var) > 0) || (b.kind == VALUE_VAR && ag_ndim(b.as.var) > 0)) &&
        !(contents && scalars))
        return compare_tensors(r, at, op, a, b, out);
    double x, y;
    bool numeric = eval_scalar_of(a, &x) && eval_scalar_of(b, &y);
    if (op == AST_OP_EQUAL || op == AST_OP_NOT_EQUAL) {
        bool equal;
        if (numeric) equal = x == y;
        else if (a.kind == VALUE_STRING && b.kind == VALUE_STRING)
            equal = strcmp(a.as.string->text, b.as.string->text) == 0;
        else if (a.kind == VALUE_BOOL && b.kind == VALUE_BOOL) equal = a.as.boolean == b.as.boolean;
        else if (a.kind == VALUE_NIL && b.kind == VALUE_NIL) equal = true;
        else if (a.kind == VALUE_BUILTIN && b.kind == VALUE_BUILTIN) equal = a.as.builtin == b.as.builtin;
        else if (a.kind == VALUE_FUNCTION && b.kind == VALUE_FUNCTION)
            equal = a.as.function == b.as.function;
        else if (a.kind == VALUE_OBJECT && b.kind == VALUE_OBJECT) equal = a.as.object == b.as.object;
        else equal = false;
        *out = value_bool(op == AST_OP_EQUAL ? equal : !equal);
        return 0;
    }
    if (numeric) {
        *out = value_bool(repl_operators[op].number(x, y) != 0);
        return 0;
    }
    if (a.kind == VALUE_STRING && b.kind == VALUE_STRING) { /* strings in order: as their strcmp is to 0 */
        int order = strcmp(a.as.string->text, b.as.string->text);
        *out = value_bool(repl_operators[op].number(order, 0) != 0);
        return 0;
    }
    if (a.kind == VALUE_NIL) return value_nil_error_at(r, at, "", a);
    if (b.kind == VALUE_NIL) return value_nil_error_at(r, at, "", b);
    return repl_error_at(r, at, "%s: cannot compare %s and %s", symbol, eval_describe_kind(a, buf_a, sizeof buf_a),
                      eval_describe_kind(b, buf_b, sizeof buf_b));
}

/* a is b, a is not b: the same value.  none is none; a variable, list or
 * object is only itself; numbers, booleans and strings are compared by
 * value (Python's small-value caching made the same rule hard to see). */
int eval_identity(repl_value a, repl_value b, ast_operator op, repl_value *out) {
    bool same = a.kind == b.kind;
    if (same) {
        switch (a.kind) {
        case VALUE_NIL: break;
        case VALUE_NUMBER: same = a.as.number == b.as.number; break;
        case VALUE_BOOL: same = a.as.boolean == b.as.boolean; break;
        case VALUE_STRING: same = strcmp(a.as.string->text, b.as.string->text) == 0; break;
        case VALUE_VAR: same = a.as.var == b.as.var; break;
        case VALUE_LIST: same = a.as.list == b.as.list; break;
        case VALUE_FUNCTION: same = a.as.function == b.as.function; break;
        case VALUE_BUILTIN: same = a.as.builtin == b.as.builtin; break;
        case VALUE_OBJECT: same = a.as.object == b.as.object; break;
        }
    }
    *out = value_bool(op == AST_OP_IS ? same : !same);
    return 0;
}
