/* ops_table.c — the one table of ops: name, error symbol, arity, forward,
 * backward.  Graph labels, error messages and :help all read it. */
#include "internal.h"

#define OP(stem, name, symbol, arity) \
    {name, symbol, arity, op_##stem##_forward, op_##stem##_backward}

const ag_op_def ag_op_table[AG_OP_COUNT] = {
    [AG_OP_ADD] = OP(add, "Add", "add", 2),
    [AG_OP_SUB] = OP(sub, "Sub", "sub", 2),
    [AG_OP_MUL] = OP(mul, "Mul", "mul", 2),
    [AG_OP_DIV] = OP(div, "Div", "div", 2),
    [AG_OP_NEG] = OP(neg, "Neg", "neg", 1),
    [AG_OP_POW] = OP(pow, "Pow", "pow", 1),
    [AG_OP_POWV] = OP(powv, "Pow", "pow", 2),
    [AG_OP_EXP] = OP(exp, "Exp", "exp", 1),
    [AG_OP_LOG] = OP(log, "Log", "log", 1),
    [AG_OP_SIN] = OP(sin, "Sin", "sin", 1),
    [AG_OP_COS] = OP(cos, "Cos", "cos", 1),
    [AG_OP_TAN] = OP(tan, "Tan", "tan", 1),
    [AG_OP_TANH] = OP(tanh, "Tanh", "tanh", 1),
    [AG_OP_SQRT] = OP(sqrt, "Sqrt", "sqrt", 1),
    [AG_OP_ABS] = OP(abs, "Abs", "abs", 1),
    [AG_OP_SQUARE] = OP(square, "Square", "square", 1),
    [AG_OP_SIGMOID] = OP(sigmoid, "Sigmoid", "sigmoid", 1),
    [AG_OP_RELU] = OP(relu, "ReLU", "relu", 1),
    [AG_OP_GELU] = OP(gelu, "GELU", "gelu", 1),
    [AG_OP_CLIP] = OP(clip, "Clip", "clip", 1),
    [AG_OP_SUM] = OP(sum, "Sum", "sum", 1),
    [AG_OP_MEAN] = OP(mean, "Mean", "mean", 1),
    [AG_OP_VARIANCE] = OP(variance, "Variance", "variance", 1),
    [AG_OP_MAX] = OP(max, "Max", "max", 1),
    [AG_OP_MIN] = OP(min, "Min", "min", 1),
    [AG_OP_RESHAPE] = OP(reshape, "Reshape", "reshape", 1),
    [AG_OP_TRANSPOSE] = OP(transpose, "Transpose", "transpose", 1),
    [AG_OP_BROADCAST_TO] = OP(broadcast_to, "BroadcastTo", "broadcast_to", 1),
    [AG_OP_SUM_TO] = OP(sum_to, "SumTo", "sum_to", 1),
    [AG_OP_SQUEEZE] = OP(squeeze, "Squeeze", "squeeze", 1),
    [AG_OP_UNSQUEEZE] = OP(unsqueeze, "Unsqueeze", "unsqueeze", 1),
    [AG_OP_CONCAT] = OP(concat, "Concat", "concat", -1),
    [AG_OP_SPLIT] = OP(split, "Split", "split", 1),
    [AG_OP_GET_ITEM] = OP(get_item, "GetItem", "index", 1),
    [AG_OP_GET_ITEM_GRAD] = OP(get_item_grad, "GetItemGrad", "index", 1),
    [AG_OP_MATMUL] = OP(matmul, "MatMul", "matmul", 2),
    [AG_OP_LINEAR] = OP(linear, "Linear", "linear", -1),
    [AG_OP_SOFTMAX] = OP(softmax, "Softmax", "softmax", 1),
    [AG_OP_MSE] = OP(mse, "MeanSquaredError", "mse", 2),
    [AG_OP_CROSS_ENTROPY] = OP(cross_entropy, "CrossEntropy", "cross_entropy", 2),
    [AG_OP_DROPOUT] = OP(dropout, "Dropout", "dropout", 1),
};

_Static_assert(sizeof ag_op_table / sizeof ag_op_table[0] == AG_OP_COUNT,
               "one op table entry per ag_op");

const char *ag_op_name(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].name : NULL;
}

int ag_op_arity(int op) {
    return op >= 0 && op < AG_OP_COUNT ? ag_op_table[op].arity : 0;
}
