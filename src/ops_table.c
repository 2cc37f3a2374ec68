/* ops_table.c — the one table of ops, made from AG_OP_LIST (ag_ops.h): name,
 * error symbol, arity, forward, backward, label and scalar hooks, derivative rule.  Graph
 * labels, error messages and :help all read it. */
#include <string.h>

#include "internal.h"

#define OP_SCALAR_YES(stem) op_##stem##_scalar
#define OP_SCALAR_NO(stem) NULL
#define OP_ROW(ID, stem, name, symbol, arity, label, scalar, rule) \
    [AG_OP_##ID] = {name, symbol, arity, op_##stem##_forward, op_##stem##_backward, op_label_##label, \
                    OP_SCALAR_##scalar(stem), rule},

const ag_op_def ag_op_table[] = {AG_OP_LIST(OP_ROW)};

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

bool op_differentiable(int op) {
    return op < 0 || op >= AG_OP_COUNT || strncmp(ag_op_table[op].rule, "no gradient", 11) != 0;
}
