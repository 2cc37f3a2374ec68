/* ops_table.c — the ops' rows, made from AG_OP_LIST (ag_ops.h): one object
 * per op with its name, error symbol, arity, forward, backward, label and
 * scalar hooks and derivative rule (each public op names its own, so unused
 * ones can be left out of a static program), and the table of what is known
 * by number (names, arity, rule) that error messages and ag_op_name read. */
#include <string.h>

#include "internal.h"

#define OP_SCALAR_YES(stem) op_##stem##_scalar
#define OP_SCALAR_NO(stem) NULL
#define OP_ROW_DEFINE(ID, stem, name, symbol, arity, label, scalar, operands, rule)                               \
    const ag_op_def op_row_AG_OP_##ID = {AG_OP_##ID, name, symbol, arity, op_##stem##_forward,          \
                                         op_##stem##_backward, op_label_##label, OP_SCALAR_##scalar(stem), \
                                         rule};
AG_OP_LIST(OP_ROW_DEFINE)

#define OPERANDS(first, second, text) {first, second}, text
#define NO_OPERANDS {NULL, NULL}, NULL
#define OP_INFO(ID, stem, name, symbol, arity, label, scalar, operands, rule)                       \
    [AG_OP_##ID] = {name, symbol, arity, rule, operands},
const ag_op_info ag_op_table[] = {AG_OP_LIST(OP_INFO)};

/* Table and enum are made from the same list, so they cannot disagree; that
 * the list only grows at its end is tests/test_abi.c's job. */

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
    return op >= 0 && op < AG_OP_COUNT && (k == 0 || k == 1) ? ag_op_table[op].operand[k] : NULL;
}

const char *ag_op_operands_text(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].operands_text : NULL;
}

bool op_differentiable(int op) {
    return op < 0 || op >= AG_OP_COUNT || strncmp(ag_op_table[op].rule, "no gradient", 11) != 0;
}
