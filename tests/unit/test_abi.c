/* test_abi.c — the public enums of libautograd.so.1 are append-only: each
 * value a program was compiled with keeps its meaning in every later
 * library of the same soname.  The lists below are the values as released,
 * written out here on purpose (not made from the headers' lists): a row
 * inserted or removed in the middle of AG_OP_LIST or of an enum renumbers
 * what follows and fails here; rows appended after the last are fine.
 * When a release ships new values, append them here too. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "ag_optim.h"

/* One released value: the constant as compiled now, its released number
 * (its index in the list) and its name as the library reports it. */
typedef struct frozen {
    const char *constant;
    int value;
    const char *name;
} frozen;

/* NULL when every frozen value still has its number and its name and the
 * enum has at least as many values as were released (count: its _COUNT,
 * or -1 when it has none); else what moved, in buf. */
static const char *check_frozen(const frozen *list, int n, int count, const char *(*name_of)(int),
                                char *buf, size_t size) {
    for (int i = 0; i < n; i++) {
        if (list[i].value != i) {
            snprintf(buf, size, "%s is %d, released as %d (a value inserted or removed before it?)",
                     list[i].constant, list[i].value, i);
            return buf;
        }
        const char *name = name_of != NULL ? name_of(i) : NULL;
        if (name_of != NULL && (name == NULL || strcmp(name, list[i].name) != 0)) {
            snprintf(buf, size, "value %d (%s) is named \"%s\", released as \"%s\"", i, list[i].constant,
                     name ? name : "(none)", list[i].name);
            return buf;
        }
    }
    if (count >= 0 && count < n) {
        snprintf(buf, size, "%d values, %d released: one was removed", count, n);
        return buf;
    }
    return NULL;
}

#define assert_frozen(list, count, name_of)                                                                do {                                                                                                       char why_[256];                                                                                        const char *failed_ = check_frozen(list, (int)(sizeof list / sizeof list[0]), count, name_of,                                            why_, sizeof why_);                                                 if (failed_ != NULL) fail_msg("%s", failed_);                                                      } while (0)

#define OP(id, name) {"AG_OP_" #id, AG_OP_##id, name}
static const frozen released_ops[] = {
    OP(ADD, "Add"),
    OP(SUB, "Sub"),
    OP(MUL, "Mul"),
    OP(DIV, "Div"),
    OP(NEG, "Neg"),
    OP(POW, "Pow"),
    OP(POWV, "Pow"),
    OP(EXP, "Exp"),
    OP(LOG, "Log"),
    OP(SIN, "Sin"),
    OP(COS, "Cos"),
    OP(TAN, "Tan"),
    OP(TANH, "Tanh"),
    OP(SQRT, "Sqrt"),
    OP(ABS, "Abs"),
    OP(SQUARE, "Square"),
    OP(SIGMOID, "Sigmoid"),
    OP(RELU, "ReLU"),
    OP(GELU, "GELU"),
    OP(CLIP, "Clip"),
    OP(SUM, "Sum"),
    OP(MEAN, "Mean"),
    OP(VARIANCE, "Variance"),
    OP(MAX, "Max"),
    OP(MIN, "Min"),
    OP(RESHAPE, "Reshape"),
    OP(TRANSPOSE, "Transpose"),
    OP(BROADCAST_TO, "BroadcastTo"),
    OP(SUM_TO, "SumTo"),
    OP(SQUEEZE, "Squeeze"),
    OP(UNSQUEEZE, "Unsqueeze"),
    OP(CONCAT, "Concat"),
    OP(SPLIT, "Split"),
    OP(GET_ITEM, "GetItem"),
    OP(GET_ITEM_GRAD, "GetItemGrad"),
    OP(MATMUL, "MatMul"),
    OP(LINEAR, "Linear"),
    OP(SOFTMAX, "Softmax"),
    OP(MSE, "MeanSquaredError"),
    OP(CROSS_ENTROPY, "CrossEntropy"),
    OP(DROPOUT, "Dropout"),
    OP(EQ, "Equal"),
    OP(NE, "NotEqual"),
    OP(LT, "Less"),
    OP(LE, "LessEqual"),
    OP(GT, "Greater"),
    OP(GE, "GreaterEqual"),
    OP(ISNAN, "IsNaN"),
    OP(ISINF, "IsInf"),
    OP(ISFINITE, "IsFinite"),
    OP(ISCLOSE, "IsClose"),
    OP(WHERE, "Where"),
    OP(MAXIMUM, "Maximum"),
    OP(MINIMUM, "Minimum"),
    OP(LEAKY_RELU, "LeakyReLU"),
    OP(ELU, "ELU"),
    OP(SELU, "SELU"),
    OP(SILU, "SiLU"),
    OP(SOFTPLUS, "Softplus"),
    OP(MISH, "Mish"),
    OP(HARDTANH, "Hardtanh"),
    OP(SIGN, "Sign"),
    OP(FLOOR, "Floor"),
    OP(CEIL, "Ceil"),
    OP(ROUND, "Round"),
    OP(TRUNC, "Trunc"),
    OP(RSQRT, "Rsqrt"),
    OP(LOG2, "Log2"),
    OP(LOG10, "Log10"),
    OP(EXP2, "Exp2"),
    OP(ASIN, "Asin"),
    OP(ACOS, "Acos"),
    OP(ATAN, "Atan"),
    OP(SINH, "Sinh"),
    OP(COSH, "Cosh"),
    OP(ASINH, "Asinh"),
    OP(ACOSH, "Acosh"),
    OP(ATANH, "Atanh"),
    OP(ERF, "Erf"),
    OP(LOGADDEXP, "LogAddExp"),
    OP(FMOD, "Fmod"),
    OP(LOG_SOFTMAX, "LogSoftmax"),
    OP(LOGSUMEXP, "LogSumExp"),
    OP(PROD, "Prod"),
    OP(ARGMAX, "ArgMax"),
    OP(ARGMIN, "ArgMin"),
    OP(ANY, "Any"),
    OP(ALL, "All"),
    OP(CUMSUM, "CumSum"),
    OP(CUMPROD, "CumProd"),
    OP(FLIP, "Flip"),
    OP(ARGSORT, "ArgSort"),
    OP(GATHER, "Gather"),
    OP(SCATTER_ADD, "ScatterAdd"),
    OP(HYPOT, "Hypot"),
    OP(IM2COL, "Im2col"),
    OP(COL2IM, "Col2im"),
    OP(MAX_POOL2D, "MaxPool2d"),
    OP(COPYSIGN, "Copysign"),
    OP(REMAINDER, "Remainder"),
    OP(FLOOR_DIVIDE, "FloorDivide"),
};
#undef OP

static void test_op_values_are_append_only(void **state) {
    (void)state;
    assert_frozen(released_ops, AG_OP_COUNT, ag_op_name);
}

static const char *optim_kind_name(int kind) { return ag_optim_kind_name((ag_optim_kind)kind); }
static const char *hook_kind_name(int kind) { return ag_hook_kind_name((ag_hook_kind)kind); }
static const char *activation_name(int kind) { return ag_activation_name((ag_activation)kind); }

static const frozen released_optim_kinds[] = {
    {"AG_SGD", AG_SGD, "sgd"},
    {"AG_MOMENTUM", AG_MOMENTUM, "momentum"},
    {"AG_ADAM", AG_ADAM, "adam"},
    {"AG_ADAMW", AG_ADAMW, "adamw"},
    {"AG_ADAGRAD", AG_ADAGRAD, "adagrad"},
    {"AG_RMSPROP", AG_RMSPROP, "rmsprop"},
};
static const frozen released_hook_kinds[] = {
    {"AG_HOOK_WEIGHT_DECAY", AG_HOOK_WEIGHT_DECAY, "weight_decay"},
    {"AG_HOOK_CLIP_GRAD", AG_HOOK_CLIP_GRAD, "clip_grad"},
};
static const frozen released_activations[] = {
    {"AG_ACT_SIGMOID", AG_ACT_SIGMOID, "sigmoid"},
    {"AG_ACT_RELU", AG_ACT_RELU, "relu"},
    {"AG_ACT_TANH", AG_ACT_TANH, "tanh"},
    {"AG_ACT_GELU", AG_ACT_GELU, "gelu"},
};
static const frozen released_model_kinds[] = {
    {"AG_MODEL_MLP", AG_MODEL_MLP, NULL},
    {"AG_MODEL_LSTM", AG_MODEL_LSTM, NULL},
    {"AG_MODEL_RNN", AG_MODEL_RNN, NULL},
    {"AG_MODEL_LINEAR", AG_MODEL_LINEAR, NULL},
    {"AG_MODEL_LSTM_LAYER", AG_MODEL_LSTM_LAYER, NULL},
    {"AG_MODEL_RNN_LAYER", AG_MODEL_RNN_LAYER, NULL},
};

static void test_other_enums_are_append_only(void **state) {
    (void)state;
    assert_frozen(released_optim_kinds, AG_OPTIM_KIND_COUNT, optim_kind_name);
    assert_frozen(released_hook_kinds, -1, hook_kind_name);
    assert_frozen(released_activations, -1, activation_name);
    assert_frozen(released_model_kinds, -1, NULL);
    /* flags are bits: each keeps its bit */
    assert_int_equal(AG_VAR_PARAM, 1);
    assert_int_equal(AG_VAR_BACKWARD, 2);
    assert_int_equal(AG_VAR_CONST, 4);
    assert_int_equal(AG_VAR_NOGRAD, 8);
    assert_int_equal(AG_VAR_SEED, 16);
    assert_int_equal(AG_VAR_BOOL, 32);
}

/* Every kind below the count has its row in the engine's table: a kind
 * inserted without one would have no name (the table is indexed by kind). */
static void test_every_kind_has_a_row(void **state) {
    (void)state;
    for (int k = 0; k < AG_OPTIM_KIND_COUNT; k++) {
        const char *name = ag_optim_kind_name((ag_optim_kind)k);
        assert_non_null(name);
        assert_int_equal(ag_optim_kind_by_name(name), k);
    }
    assert_null(ag_optim_kind_name(AG_OPTIM_KIND_COUNT));
    for (int op = 0; op < AG_OP_COUNT; op++) {
        assert_non_null(ag_op_name(op));
        assert_non_null(ag_op_rule(op));
    }
    assert_null(ag_op_name(AG_OP_COUNT));
}

/* The check itself catches a value inserted in the middle, a renamed one and
 * a removed one, and accepts one appended. */
static const char *renamed(int op) { return op == 1 ? "Subtract" : ag_op_name(op); }
static void test_the_check_can_fail(void **state) {
    (void)state;
    char why[256];
    frozen shifted[] = {{"AG_OP_ADD", AG_OP_ADD, "Add"}, {"AG_OP_MUL", AG_OP_MUL, "Mul"}};
    assert_non_null(check_frozen(shifted, 2, AG_OP_COUNT, ag_op_name, why, sizeof why));
    assert_string_equal(why, "AG_OP_MUL is 2, released as 1 (a value inserted or removed before it?)");
    assert_non_null(check_frozen(released_ops, 2, AG_OP_COUNT, renamed, why, sizeof why));
    assert_string_equal(why, "value 1 (AG_OP_SUB) is named \"Subtract\", released as \"Sub\"");
    assert_non_null(check_frozen(released_ops, 3, 2, ag_op_name, why, sizeof why));
    assert_null(check_frozen(released_ops, 2, AG_OP_COUNT, ag_op_name, why, sizeof why)); /* appended */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_op_values_are_append_only),
        cmocka_unit_test(test_other_enums_are_append_only),
        cmocka_unit_test(test_every_kind_has_a_row),
        cmocka_unit_test(test_the_check_can_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
