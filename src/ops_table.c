/* ops_table.c — the ops' rows, made from AG_OP_LIST (ag_ops.h): one object
 * per op with its name, error symbol, arity, forward, backward, label and
 * scalar hooks and derivative rule (each public op names its own, so unused
 * ones can be left out of a static program), and the table of what is known
 * by number (names, arity, rule) that error messages and ag_op_name read. */
#include <string.h>

#include "internal.h"

#define OP_SCALAR_YES(stem) op_##stem##_scalar, NULL
#define OP_SCALAR_FULL(stem) op_##stem##_scalar, op_##stem##_scalar_grad
#define OP_SCALAR_NO(stem) NULL, NULL
#define OP_ROW_DEFINE(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule)                               \
    const ag_op_def op_row_AG_OP_##ID = {AG_OP_##ID, name, symbol, arity, op_##stem##_forward,          \
                                         op_##stem##_backward, op_label_##label, OP_SCALAR_##scalar(stem), \
                                         rule};
AG_OP_LIST(OP_ROW_DEFINE)

#define OPERANDS(first, second, text) {first, second}, true, text
#define INPUT_NAMES(...) {__VA_ARGS__}, false, NULL
#define NO_OPERANDS {NULL}, false, NULL
#define OP_GRAD_GRAD true
#define OP_GRAD_NO_GRAD false
#define OP_INFO(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule) \
    [AG_OP_##ID] = {name, symbol, arity, rule, operands, OP_GRAD_##grad},
const ag_op_info ag_op_table[] = {AG_OP_LIST(OP_INFO)};

/* Table and enum are made from the same list, so they cannot disagree; that
 * the list only grows at its end is tests/unit/test_abi.c's job. */

const char *ag_op_name(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].name : NULL;
}

int ag_op_arity(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].arity : 0;
}

const char *ag_op_rule(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].rule : NULL;
}

const char *ag_op_operand(int op, int k) {
    return op >= 0 && op < AG_OP_COUNT && (k == 0 || k == 1) && ag_op_table[op].drawn ? ag_op_table[op].input[k]
                                                                                      : NULL;
}

const char *ag_op_input_name(int op, int k) {
    return op >= 0 && op < AG_OP_COUNT && k >= 0 && k < OP_MAX_NAMED_INPUTS ? ag_op_table[op].input[k] : NULL;
}

const char *ag_op_operands_text(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].operands_text : NULL;
}

bool ag_op_has_gradient(int op) { return op < 0 || op >= AG_OP_COUNT || ag_op_table[op].gradient; }
