/* ag_ops.h — every differentiable op.
 *
 * Each returns a new variable (recorded in the graph when backprop is
 * enabled) or NULL with the context error set; NULL inputs propagate without
 * changing the message.  Error messages name the op and the shapes:
 * "matmul: shapes [2 3] and [2 3] are not aligned: the left has 3 columns,
 * the right 2 rows".  Arithmetic broadcasts like NumPy.  Axes may be negative (counted from the end). */
#ifndef AG_OPS_H
#define AG_OPS_H

#include "ag_core.h"

AG_BEGIN_DECLS

/* The op list, written once: it makes the enum below and, inside the
 * library, the op table (src/ops_table.c) and the declarations of each op's
 * functions.  One row per op:
 *   X(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule)
 *   ID      the enum constant AG_OP_<ID>
 *   stem    the op's functions op_<stem>_forward / op_<stem>_backward
 *           (and op_<stem>_scalar) in one of src/ops_*.c
 *   name    what graphs print (ag_op_name): "Add", "Sin", "MatMul", ...
 *   symbol  what error messages start with: "add: ..."
 *   arity   the number of inputs; -1 = variadic (Concat, Linear)
 *   label   what follows the name in a graph label (ag_func_label), from the
 *           params: NONE, P "Pow(2)", CLIP "Clip(0, 1)", AXES "Sum(axis=0)"
 *           (only when axes were given), AXIS "Softmax(axis=1)", SHAPE
 *           "Reshape([2 3])"
 *   scalar  YES when op_<stem>_scalar computes one element, for the fast path
 *           on one-element inputs; FULL when op_<stem>_scalar_grad also gives
 *           the gradients of one element (backward's flat pass for graphs of
 *           one-element values); NO otherwise
 *   operands  OPERANDS("a", "b", "a − b"): the names of a two-input op's
 *           inputs, drawn on its graph edges, and how the op reads with them
 *           (the graph legend's "edges: a − b, a / b"; ag_op_operand), for the
 *           ops whose input order matters; INPUT_NAMES("x", "W", "b"): names
 *           of up to three inputs its rule and the inspector use, not drawn
 *           on edges; NO_OPERANDS for the others (ag_op_input_name)
 *   grad    GRAD, or NO_GRAD for an op whose result is a constant (a
 *           comparison, an index): its backward sends nothing and
 *           ag_backward/ag_grad say so (ag_op_has_gradient); a 0/1
 *           result records no node at all (see ag_eq)
 *   rule    the local derivative for each input, as the graph window's
 *           inspector shows it (ag_op_rule): "d/da a*b = b; d/db a*b = a",
 *           inputs named as in operands when it has them; "no gradient: ..."
 *           for a NO_GRAD row
 * Adding an op: one row at the END of the list (the AG_OP_* values are part
 * of the library's ABI: tests/unit/test_abi.c fails when one moves), a
 * forward/backward pair (and its gradcheck case); HACKING.md has the recipe. */
#define AG_OP_LIST(X) \
    X(ADD, add, "Add", "add", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da a+b = 1; d/db a+b = 1") \
    X(SUB, sub, "Sub", "sub", 2, NONE, FULL, OPERANDS("a", "b", "a − b"), GRAD, "d/da a-b = 1; d/db a-b = -1") \
    X(MUL, mul, "Mul", "mul", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da a*b = b; d/db a*b = a") \
    X(DIV, div, "Div", "div", 2, NONE, FULL, OPERANDS("a", "b", "a / b"), GRAD, "d/da a/b = 1/b; d/db a/b = -a/b^2") \
    X(NEG, neg, "Neg", "neg", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx -x = -1") \
    X(POW, pow, "Pow", "pow", 1, P, FULL, NO_OPERANDS, GRAD, "d/dx x^p = p*x^(p-1)") \
    X(POWV, powv, "Pow", "pow", 2, NONE, FULL, OPERANDS("base", "exp", "base ^ exp"), GRAD, "d/dbase base^exp = exp*base^(exp-1); d/dexp base^exp = base^exp*log(base)") \
    X(EXP, exp, "Exp", "exp", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx exp(x) = exp(x)") \
    X(LOG, log, "Log", "log", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx log(x) = 1/x") \
    X(SIN, sin, "Sin", "sin", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx sin(x) = cos(x)") \
    X(COS, cos, "Cos", "cos", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx cos(x) = -sin(x)") \
    X(TAN, tan, "Tan", "tan", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx tan(x) = 1 + tan(x)^2") \
    X(TANH, tanh, "Tanh", "tanh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx tanh(x) = 1 - tanh(x)^2") \
    X(SQRT, sqrt, "Sqrt", "sqrt", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx sqrt(x) = 1/(2*sqrt(x))") \
    X(ABS, abs, "Abs", "abs", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx |x| = sign(x)") \
    X(SQUARE, square, "Square", "square", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx x^2 = 2*x") \
    X(SIGMOID, sigmoid, "Sigmoid", "sigmoid", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx sigmoid(x) = sigmoid(x)*(1 - sigmoid(x))") \
    X(RELU, relu, "ReLU", "relu", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx relu(x) = 1 where x > 0, else 0") \
    X(GELU, gelu, "GELU", "gelu", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx gelu(x) = 0.5*(1 + t) + 0.5*x*(1 - t^2)*u', t = tanh(u), u = 0.7979*(x + 0.044715*x^3)") \
    X(CLIP, clip, "Clip", "clip", 1, CLIP, FULL, NO_OPERANDS, GRAD, "d/dx clip(x, lo, hi) = 1 where lo <= x <= hi, else 0") \
    X(SUM, sum, "Sum", "sum", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx sum(x) = 1 for each element (gy spread back over x)") \
    X(MEAN, mean, "Mean", "mean", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx mean(x) = 1/n for each element (n summed elements)") \
    X(VARIANCE, variance, "Variance", "variance", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx var(x) = 2*(x - mean(x))/n") \
    X(MAX, max, "Max", "max", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx max(x) = 1 where x is the maximum, else 0") \
    X(MIN, min, "Min", "min", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx min(x) = 1 where x is the minimum, else 0") \
    X(RESHAPE, reshape, "Reshape", "reshape", 1, SHAPE, NO, NO_OPERANDS, GRAD, "d/dx reshape(x) = gy reshaped back to x's shape") \
    X(TRANSPOSE, transpose, "Transpose", "transpose", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx transpose(x) = gy transposed back") \
    X(BROADCAST_TO, broadcast_to, "BroadcastTo", "broadcast_to", 1, SHAPE, NO, NO_OPERANDS, GRAD, "d/dx broadcast_to(x) = gy summed back to x's shape") \
    X(SUM_TO, sum_to, "SumTo", "sum_to", 1, SHAPE, NO, NO_OPERANDS, GRAD, "d/dx sum_to(x) = gy broadcast back to x's shape") \
    X(SQUEEZE, squeeze, "Squeeze", "squeeze", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx squeeze(x) = gy reshaped back to x's shape") \
    X(UNSQUEEZE, unsqueeze, "Unsqueeze", "unsqueeze", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx unsqueeze(x) = gy reshaped back to x's shape") \
    X(CONCAT, concat, "Concat", "concat", -1, AXIS, NO, NO_OPERANDS, GRAD, "d/dxi concat(x1, x2, ...) = the slice of gy where xi went") \
    X(SPLIT, split, "Split", "split", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx split(x) = the parts' gradients concatenated") \
    X(GET_ITEM, get_item, "GetItem", "index", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx x[i] = gy at i, 0 elsewhere") \
    X(GET_ITEM_GRAD, get_item_grad, "GetItemGrad", "index", 1, AXIS, NO, INPUT_NAMES("g"), GRAD, "d/dg (g placed at i) = gy[i]") \
    X(MATMUL, matmul, "MatMul", "matmul", 2, NONE, NO, OPERANDS("left", "right", "left @ right"), GRAD, "d/dleft left@right = gy@rightᵀ; d/dright left@right = leftᵀ@gy") \
    X(LINEAR, linear, "Linear", "linear", -1, NONE, NO, INPUT_NAMES("x", "W", "b"), GRAD, "d/dx x@W + b = gy@Wᵀ; d/dW x@W + b = xᵀ@gy; d/db x@W + b = gy summed over rows") \
    X(SOFTMAX, softmax, "Softmax", "softmax", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx softmax(x) = y*(gy - sum(gy*y)) along the axis, y = softmax(x)") \
    X(MSE, mse, "MeanSquaredError", "mse", 2, NONE, NO, NO_OPERANDS, GRAD, "d/da mse(a, b) = 2*(a - b)/n; d/db mse(a, b) = -2*(a - b)/n") \
    X(CROSS_ENTROPY, cross_entropy, "CrossEntropy", "cross_entropy", 2, NONE, NO, INPUT_NAMES("x", "t"), GRAD, "d/dx cross_entropy(x, t) = (softmax(x) - onehot(t))/n; d/dt cross_entropy(x, t): none (class labels)") \
    X(DROPOUT, dropout, "Dropout", "dropout", 1, P, NO, NO_OPERANDS, GRAD, "d/dx dropout(x) = mask/(1 - p) (the elements kept)") \
    X(EQ, eq, "Equal", "eq", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(NE, ne, "NotEqual", "ne", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(LT, lt, "Less", "lt", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(LE, le, "LessEqual", "le", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(GT, gt, "Greater", "gt", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(GE, ge, "GreaterEqual", "ge", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(ISNAN, isnan, "IsNaN", "isnan", 1, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its 0/1 result is a constant)") \
    X(ISINF, isinf, "IsInf", "isinf", 1, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its 0/1 result is a constant)") \
    X(ISFINITE, isfinite, "IsFinite", "isfinite", 1, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its 0/1 result is a constant)") \
    X(ISCLOSE, isclose, "IsClose", "isclose", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (its 0/1 result is a constant)") \
    X(WHERE, where, "Where", "where", 3, NONE, NO, INPUT_NAMES("cond", "a", "b"), GRAD, "d/dcond where(cond, a, b): none (a condition); d/da where(cond, a, b) = 1 where cond, else 0; d/db where(cond, a, b) = 1 where not cond, else 0") \
    X(MAXIMUM, maximum, "Maximum", "maximum", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da maximum(a, b) = 1 where a > b, 0.5 where a == b, else 0; d/db maximum(a, b) = 1 where b > a, 0.5 where a == b, else 0") \
    X(MINIMUM, minimum, "Minimum", "minimum", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da minimum(a, b) = 1 where a < b, 0.5 where a == b, else 0; d/db minimum(a, b) = 1 where b < a, 0.5 where a == b, else 0") \
    X(LEAKY_RELU, leaky_relu, "LeakyReLU", "leaky_relu", 1, P, FULL, NO_OPERANDS, GRAD, "d/dx leaky_relu(x) = 1 where x > 0, else negative_slope") \
    X(ELU, elu, "ELU", "elu", 1, P, FULL, NO_OPERANDS, GRAD, "d/dx elu(x) = 1 where x > 0, else alpha*exp(x)") \
    X(SELU, selu, "SELU", "selu", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx selu(x) = scale where x > 0, else scale*alpha*exp(x)") \
    X(SILU, silu, "SiLU", "silu", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx silu(x) = s*(1 + x*(1 - s)), s = sigmoid(x)") \
    X(SOFTPLUS, softplus, "Softplus", "softplus", 1, P, FULL, NO_OPERANDS, GRAD, "d/dx softplus(x) = sigmoid(beta*x), 1 where beta*x > threshold") \
    X(MISH, mish, "Mish", "mish", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx mish(x) = t + x*sigmoid(x)*(1 - t^2), t = tanh(softplus(x))") \
    X(HARDTANH, hardtanh, "Hardtanh", "hardtanh", 1, CLIP, FULL, NO_OPERANDS, GRAD, "d/dx hardtanh(x) = 1 where min_val < x < max_val, else 0") \
    X(SIGN, sign, "Sign", "sign", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx sign(x) = 0") \
    X(FLOOR, floor, "Floor", "floor", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx floor(x) = 0") \
    X(CEIL, ceil, "Ceil", "ceil", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx ceil(x) = 0") \
    X(ROUND, round, "Round", "round", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx round(x) = 0") \
    X(TRUNC, trunc, "Trunc", "trunc", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx trunc(x) = 0") \
    X(RSQRT, rsqrt, "Rsqrt", "rsqrt", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx rsqrt(x) = -0.5*rsqrt(x)^3") \
    X(LOG2, log2, "Log2", "log2", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx log2(x) = 1/(x*ln 2)") \
    X(LOG10, log10, "Log10", "log10", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx log10(x) = 1/(x*ln 10)") \
    X(EXP2, exp2, "Exp2", "exp2", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx exp2(x) = exp2(x)*ln 2") \
    X(ASIN, asin, "Asin", "asin", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx asin(x) = 1/sqrt(1 - x^2)") \
    X(ACOS, acos, "Acos", "acos", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx acos(x) = -1/sqrt(1 - x^2)") \
    X(ATAN, atan, "Atan", "atan", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx atan(x) = 1/(1 + x^2)") \
    X(SINH, sinh, "Sinh", "sinh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx sinh(x) = cosh(x)") \
    X(COSH, cosh, "Cosh", "cosh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx cosh(x) = sinh(x)") \
    X(ASINH, asinh, "Asinh", "asinh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx asinh(x) = 1/sqrt(x^2 + 1)") \
    X(ACOSH, acosh, "Acosh", "acosh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx acosh(x) = 1/sqrt(x^2 - 1)") \
    X(ATANH, atanh, "Atanh", "atanh", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx atanh(x) = 1/(1 - x^2)") \
    X(ERF, erf, "Erf", "erf", 1, NONE, FULL, NO_OPERANDS, GRAD, "d/dx erf(x) = 2/sqrt(pi)*exp(-x^2)") \
    X(LOGADDEXP, logaddexp, "LogAddExp", "logaddexp", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da logaddexp(a, b) = exp(a - y); d/db logaddexp(a, b) = exp(b - y), y = logaddexp(a, b)") \
    X(FMOD, fmod, "Fmod", "fmod", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da fmod(a, b) = 1; d/db fmod(a, b) = -trunc(a/b)") \
    X(LOG_SOFTMAX, log_softmax, "LogSoftmax", "log_softmax", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx log_softmax(x) = gy - exp(y)*sum(gy) along the axis, y = log_softmax(x)") \
    X(LOGSUMEXP, logsumexp, "LogSumExp", "logsumexp", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx logsumexp(x) = exp(x - y), y = logsumexp(x)") \
    X(PROD, prod, "Prod", "prod", 1, AXES, NO, NO_OPERANDS, GRAD, "d/dx prod(x) = the product of the other elements") \
    X(ARGMAX, argmax, "ArgMax", "argmax", 1, AXES, NO, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its result holds indices or 0/1)") \
    X(ARGMIN, argmin, "ArgMin", "argmin", 1, AXES, NO, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its result holds indices or 0/1)") \
    X(ANY, any, "Any", "any", 1, AXES, NO, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its result holds indices or 0/1)") \
    X(ALL, all, "All", "all", 1, AXES, NO, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its result holds indices or 0/1)") \
    X(CUMSUM, cumsum, "CumSum", "cumsum", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx cumsum(x) = gy summed from the end along the axis") \
    X(CUMPROD, cumprod, "CumProd", "cumprod", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx_j cumprod(x) = sum over k >= j of gy_k*y_k/x_j") \
    X(FLIP, flip, "Flip", "flip", 1, AXIS, NO, NO_OPERANDS, GRAD, "d/dx flip(x) = gy flipped back") \
    X(ARGSORT, argsort, "ArgSort", "argsort", 1, AXIS, NO, NO_OPERANDS, NO_GRAD, "no gradient: d/dx is none (its result holds indices or 0/1)") \
    X(GATHER, gather, "Gather", "gather", 2, AXIS, NO, INPUT_NAMES("x", "index"), GRAD, "d/dx gather(x, index) = gy added back at the indices; d/dindex gather(x, index): none (indices)") \
    X(SCATTER_ADD, scatter_add, "ScatterAdd", "scatter_add", 2, AXIS, NO, INPUT_NAMES("src", "index"), GRAD, "d/dsrc scatter_add(src, index) = gy gathered at the indices; d/dindex scatter_add(src, index): none (indices)") \
    X(HYPOT, hypot, "Hypot", "hypot", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da hypot(a, b) = a/y; d/db hypot(a, b) = b/y, y = hypot(a, b)") \
    X(IM2COL, im2col, "Im2col", "im2col", 1, KERNEL, NO, NO_OPERANDS, GRAD, "d/dx im2col(x) = col2im(gy): each column's entries added back at their pixels") \
    X(COL2IM, col2im, "Col2im", "col2im", 1, KERNEL, NO, INPUT_NAMES("cols"), GRAD, "d/dcols col2im(cols) = im2col(gy)") \
    X(MAX_POOL2D, max_pool2d, "MaxPool2d", "max_pool2d", 1, KERNEL, NO, NO_OPERANDS, GRAD, "d/dx max_pool2d(x) = gy at each window's (first) maximum, 0 elsewhere") \
    X(COPYSIGN, copysign, "Copysign", "copysign", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da copysign(a, b) = y/a (0 where a = 0); d/db copysign(a, b) = 0") \
    X(REMAINDER, remainder, "Remainder", "remainder", 2, NONE, FULL, NO_OPERANDS, GRAD, "d/da a % b = 1; d/db a % b = -(a // b)") \
    X(FLOOR_DIVIDE, floor_divide, "FloorDivide", "floor_divide", 2, NONE, YES, NO_OPERANDS, NO_GRAD, "no gradient: d/da and d/db are none (PyTorch defines none)")

/* The op table's kinds, in the list's order. */
#define AG_OP_ENUM_ENTRY(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule) AG_OP_##ID,
typedef enum ag_op { AG_OP_LIST(AG_OP_ENUM_ENTRY) AG_OP_COUNT } ag_op;
#undef AG_OP_ENUM_ENTRY

const char *ag_op_name(int op); /* "Add"; NULL when out of range */
int ag_op_arity(int op);        /* inputs; -1 = variadic (Concat) */
/* The op's local derivative rule, one "d/dINPUT expression = derivative" per
 * input separated by "; ": "d/da a*b = b; d/db a*b = a".  NULL when out of range. */
const char *ag_op_rule(int op);
/* The name of input k (0 or 1) of a two-input op whose input order matters,
 * as graph edges show it: "a" and "b" of Sub and Div, "base" and "exp" of
 * Pow with a variable exponent, "left" and "right" of MatMul.  NULL for the
 * other ops and out of range. */
const char *ag_op_operand(int op, int k);
/* How such an op reads with its inputs named: "a − b"; NULL for the others. */
const char *ag_op_operands_text(int op);
/* The name input k of op has in its rule, from its row for any number of
 * inputs: "a" and "b" of Sub, "x", "W" and "b" of Linear, "x" and "t" of
 * CrossEntropy; NULL when the row names none (or out of range). */
const char *ag_op_input_name(int op, int k);
/* False for an op whose result is a constant (a comparison, an index: its
 * row's NO_GRAD); true for the others and out of range (a user op). */
bool ag_op_has_gradient(int op);
/* The gradient f's backward sends to its input k when its (only) output's
 * gradient is gy (NULL: ones, which gives the local derivative itself for
 * one-element values): a new variable, no graph recorded, no .grad touched.
 * NULL with the context error set when f has several outputs, k is out of
 * range, gy is not shaped like the output, or the input gets no gradient. */
ag_var *ag_func_input_grad(ag_ctx *ctx, ag_func *f, int k, ag_var *gy);

/* ---- elementwise (broadcasting) ---------------------------------------- */
ag_var *ag_add(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_sub(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_mul(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_div(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_neg(ag_ctx *ctx, ag_var *x);
ag_var *ag_pow(ag_ctx *ctx, ag_var *x, double p);     /* x^p, p a constant: Pow(p) */
ag_var *ag_powv(ag_ctx *ctx, ag_var *a, ag_var *b);   /* a^b, both differentiable */
ag_var *ag_exp(ag_ctx *ctx, ag_var *x);
ag_var *ag_log(ag_ctx *ctx, ag_var *x);
ag_var *ag_sin(ag_ctx *ctx, ag_var *x);
ag_var *ag_cos(ag_ctx *ctx, ag_var *x);
ag_var *ag_tan(ag_ctx *ctx, ag_var *x);
ag_var *ag_tanh(ag_ctx *ctx, ag_var *x);
ag_var *ag_sqrt(ag_ctx *ctx, ag_var *x);
ag_var *ag_abs(ag_ctx *ctx, ag_var *x);
ag_var *ag_square(ag_ctx *ctx, ag_var *x);
ag_var *ag_sigmoid(ag_ctx *ctx, ag_var *x); /* 0.5 + 0.5*tanh(0.5x) */
ag_var *ag_relu(ag_ctx *ctx, ag_var *x);
ag_var *ag_gelu(ag_ctx *ctx, ag_var *x);    /* tanh approximation */
ag_var *ag_clip(ag_ctx *ctx, ag_var *x, double lo, double hi);

/* ---- reductions: axes == NULL / naxes == 0 reduce everything to 0-d ----- */
ag_var *ag_sum(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_mean(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_variance(ag_ctx *ctx, ag_var *x, const int *axes, int naxes); /* population */
ag_var *ag_max(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_min(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
/* keepdims: y, the result of one of the reductions above applied to x with
 * these axes, reshaped (a Reshape node) so the reduced axes stay as 1s:
 * sum of a [2 3] over axis 1 becomes [2 1].  NULL inputs give NULL
 * ("keepdims: input 1 is NULL" unless a message is already set). */
ag_var *ag_keepdims(ag_ctx *ctx, ag_var *y, const ag_var *x, const int *axes, int naxes);

/* ---- shape -------------------------------------------------------------- */
ag_var *ag_reshape(ag_ctx *ctx, ag_var *x, int ndim, const int *shape); /* one -1 allowed */
/* axes == NULL reverses all axes. */
ag_var *ag_transpose(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_broadcast_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape);
ag_var *ag_sum_to(ag_ctx *ctx, ag_var *x, int ndim, const int *shape);
ag_var *ag_squeeze(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_unsqueeze(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_concat(ag_ctx *ctx, ag_var *const *xs, int n, int axis);
/* Splits x along axis into n pieces of the given sizes, written to out[0..n).
 * Returns 0, or -1 with the error set. */
int ag_split(ag_ctx *ctx, ag_var *x, const int *sizes, int n, int axis, ag_var **out);
/* Take along axis (negative and repeated indices allowed); the axis keeps
 * its place with length n. */
ag_var *ag_get_item(ag_ctx *ctx, ag_var *x, int axis, const int *indices, int n);
/* zeros(shape) with gy's slices added at indices along axis (duplicates add). */
ag_var *ag_get_item_grad(ag_ctx *ctx, ag_var *gy, int axis, const int *indices, int n,
                         int ndim, const int *shape);
/* Batched matmul; leading dims broadcast.  A 1-D operand follows PyTorch:
 * on the left a row, on the right a column, that axis dropped from the
 * result (vector @ vector is 0-d); 0-d operands are an error. */
ag_var *ag_matmul(ag_ctx *ctx, ag_var *a, ag_var *b);

/* ---- neural net --------------------------------------------------------- */
ag_var *ag_linear(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b); /* b may be NULL */
ag_var *ag_softmax(ag_ctx *ctx, ag_var *x, int axis);
/* Mean squared error, 0-d: the mean of (y - t)^2 over the difference
 * broadcast as ag_sub broadcasts (PyTorch's mse_loss, which warns when the
 * shapes differ; this cannot).  A model's output [N 1] against targets of
 * shape [N] is thus the mean over an [N N] difference of every output with
 * every target, not over the N pairs: give t the shape [N 1]. */
ag_var *ag_mse(ag_ctx *ctx, ag_var *y, ag_var *t);
/* Softmax cross-entropy of logits (N, C) against N class indices (any shape
 * with N entries; -100 = ignore), mean over the kept rows (NaN when none is
 * kept, as PyTorch); 0-d. */
ag_var *ag_cross_entropy(ag_ctx *ctx, ag_var *logits, ag_var *labels);
/* Inverted dropout with the context's generator; identity in test mode. */
ag_var *ag_dropout(ag_ctx *ctx, ag_var *x, double ratio);
/* Fraction of rows whose argmax equals the label, over the rows not ignored
 * (-100); NaN when there is none; 0-d, no graph. */
ag_var *ag_accuracy(ag_ctx *ctx, ag_var *y, ag_var *t);

/* ---- comparisons and selection (no gradient through a comparison) ------- */
/* 1 where a OP b holds, else 0, broadcasting; NaN compares unequal.  A 0/1
 * result (these, the is* tests, ag_isclose, ag_any, ag_all) records no
 * node: it is data (AG_VAR_CONST | AG_VAR_DATA), as PyTorch's bool tensor
 * has no grad_fn, so ag_mul(x, mask) gets x's gradient and none flows
 * into the mask. */
ag_var *ag_eq(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_ne(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_lt(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_le(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_gt(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_ge(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_isnan(ag_ctx *ctx, ag_var *x);
ag_var *ag_isinf(ag_ctx *ctx, ag_var *x);
ag_var *ag_isfinite(ag_ctx *ctx, ag_var *x);
/* 1 where |a - b| <= atol + rtol*|b| (PyTorch's defaults: 1e-5, 1e-8); equal
 * infinities are close; NaN is close to NaN only with equal_nan. */
ag_var *ag_isclose(ag_ctx *ctx, ag_var *a, ag_var *b, double rtol, double atol, bool equal_nan);
/* a where cond is not 0, else b; the three broadcast together.  No gradient
 * to cond. */
ag_var *ag_where(ag_ctx *ctx, ag_var *cond, ag_var *a, ag_var *b);
/* Elementwise max/min of a and b (NaN if either is); a tie gives each 0.5
 * of the gradient, as PyTorch. */
ag_var *ag_maximum(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_minimum(ag_ctx *ctx, ag_var *a, ag_var *b);

/* ---- activations and more elementwise math (PyTorch's names and defaults) */
ag_var *ag_leaky_relu(ag_ctx *ctx, ag_var *x, double negative_slope); /* PyTorch: 0.01 */
ag_var *ag_elu(ag_ctx *ctx, ag_var *x, double alpha);                 /* PyTorch: 1 */
ag_var *ag_selu(ag_ctx *ctx, ag_var *x);
ag_var *ag_silu(ag_ctx *ctx, ag_var *x); /* x * sigmoid(x) */
/* log(1 + exp(beta*x))/beta; x itself where beta*x > threshold (PyTorch: 1, 20) */
ag_var *ag_softplus(ag_ctx *ctx, ag_var *x, double beta, double threshold);
ag_var *ag_mish(ag_ctx *ctx, ag_var *x); /* x * tanh(softplus(x)) */
/* x limited to [min_val, max_val] (PyTorch: -1, 1); gradient 1 strictly inside */
ag_var *ag_hardtanh(ag_ctx *ctx, ag_var *x, double min_val, double max_val);
ag_var *ag_softmin(ag_ctx *ctx, ag_var *x, int axis); /* softmax(-x): Neg and Softmax nodes */
/* sign floor ceil round (halves to even) trunc: gradient 0, as PyTorch */
ag_var *ag_sign(ag_ctx *ctx, ag_var *x);
ag_var *ag_floor(ag_ctx *ctx, ag_var *x);
ag_var *ag_ceil(ag_ctx *ctx, ag_var *x);
ag_var *ag_round(ag_ctx *ctx, ag_var *x);
ag_var *ag_trunc(ag_ctx *ctx, ag_var *x);
ag_var *ag_rsqrt(ag_ctx *ctx, ag_var *x);
ag_var *ag_log2(ag_ctx *ctx, ag_var *x);
ag_var *ag_log10(ag_ctx *ctx, ag_var *x);
ag_var *ag_exp2(ag_ctx *ctx, ag_var *x);
ag_var *ag_asin(ag_ctx *ctx, ag_var *x);
ag_var *ag_acos(ag_ctx *ctx, ag_var *x);
ag_var *ag_atan(ag_ctx *ctx, ag_var *x);
ag_var *ag_sinh(ag_ctx *ctx, ag_var *x);
ag_var *ag_cosh(ag_ctx *ctx, ag_var *x);
ag_var *ag_asinh(ag_ctx *ctx, ag_var *x);
ag_var *ag_acosh(ag_ctx *ctx, ag_var *x);
ag_var *ag_atanh(ag_ctx *ctx, ag_var *x);
ag_var *ag_erf(ag_ctx *ctx, ag_var *x);
ag_var *ag_logaddexp(ag_ctx *ctx, ag_var *a, ag_var *b); /* log(exp(a) + exp(b)), stable */
ag_var *ag_fmod(ag_ctx *ctx, ag_var *a, ag_var *b);      /* C's fmod: the sign of a */
ag_var *ag_hypot(ag_ctx *ctx, ag_var *a, ag_var *b);     /* sqrt(a^2 + b^2) without overflow */
ag_var *ag_copysign(ag_ctx *ctx, ag_var *a, ag_var *b);  /* |a| with the sign (bit) of b */
/* a % b and a // b as Python and PyTorch: the remainder takes the divisor's
 * sign, the quotient is floored; floor_divide has no gradient */
ag_var *ag_remainder(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_floor_divide(ag_ctx *ctx, ag_var *a, ag_var *b);
/* a + w*(b - a): Sub, Mul and Add nodes; w broadcasts (a constant or a variable) */
ag_var *ag_lerp(ag_ctx *ctx, ag_var *a, ag_var *b, ag_var *w);

/* ---- along one axis (axis NULL: over every element, a 0-d result) ------- */
ag_var *ag_log_softmax(ag_ctx *ctx, ag_var *x, int axis); /* x - logsumexp(x) along axis */
ag_var *ag_logsumexp(ag_ctx *ctx, ag_var *x, const int *axis);
ag_var *ag_prod(ag_ctx *ctx, ag_var *x, const int *axis);
/* Indices (as numbers) of the first maximum/minimum; NaN counts as the
 * extreme; over every element: the index into the flattened x.  No gradient. */
ag_var *ag_argmax(ag_ctx *ctx, ag_var *x, const int *axis);
ag_var *ag_argmin(ag_ctx *ctx, ag_var *x, const int *axis);
ag_var *ag_any(ag_ctx *ctx, ag_var *x, const int *axis); /* 1 if any is not 0; no gradient */
ag_var *ag_all(ag_ctx *ctx, ag_var *x, const int *axis); /* 1 if none is 0; no gradient */
/* The same over several axes at once (numpy's and PyTorch's tuple axes; no
 * axes: every element); argmax and argmin take one axis, as PyTorch's. */
ag_var *ag_logsumexp_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_prod_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_any_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_all_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
/* The one axis convention (since 1.2): an op that may act over several
 * axes, or every element, takes (axes, naxes), naxes 0 for every element;
 * an op along exactly one axis takes int axis.  The `const int *axis` forms
 * above (NULL: every element) are aliases kept until 2.0:
 * ag_logsumexp(c, x, a) is ag_logsumexp_axes(c, x, a, a ? 1 : 0). */
/* argmax/argmin over one axis (naxes 1) or every element (naxes 0). */
ag_var *ag_argmax_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
ag_var *ag_argmin_axes(ag_ctx *ctx, ag_var *x, const int *axes, int naxes);
/* PyTorch's roll(x, shifts, dims): by shifts[i] along axes[i]; naxes 0
 * rolls the flattened x by shifts[0], keeping its shape. */
ag_var *ag_roll_axes(ag_ctx *ctx, ag_var *x, const int *shifts, const int *axes, int naxes);
/* Variance with PyTorch's correction (N - correction in the denominator; 1 =
 * unbiased): Variance times N/(N - correction); std is its sqrt. */
ag_var *ag_var_correction(ag_ctx *ctx, ag_var *x, const int *axes, int naxes, double correction);
ag_var *ag_std(ag_ctx *ctx, ag_var *x, const int *axes, int naxes, double correction);
ag_var *ag_cumsum(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_cumprod(ag_ctx *ctx, ag_var *x, int axis);
ag_var *ag_flip(ag_ctx *ctx, ag_var *x, int axis);
/* The positions that sort each lane along axis (stable; NaN last, or first
 * when descending), as numbers.  No gradient. */
ag_var *ag_argsort(ag_ctx *ctx, ag_var *x, int axis, bool descending);
/* torch.gather: y[i][j] = x[index[i][j]][j] along axis 0 (and so on);
 * index has x's ndim, no larger than x off the axis.  No gradient to index. */
ag_var *ag_gather(ag_ctx *ctx, ag_var *x, int axis, ag_var *index);
/* zeros(shape) with src added at index along axis (gather's gradient). */
ag_var *ag_scatter_add(ag_ctx *ctx, ag_var *src, int axis, ag_var *index, int ndim, const int *shape);
/* Sorted values (gather(x, argsort(x))) and the indices; 0 or -1. */
int ag_sort(ag_ctx *ctx, ag_var *x, int axis, bool descending, ag_var **values, ag_var **indices);
/* The k largest (or smallest) along axis, in order, and their indices; 0 or -1. */
int ag_topk(ag_ctx *ctx, ag_var *x, int k, int axis, bool largest, ag_var **values, ag_var **indices);

/* ---- creation and movement (made of the ops above; their gradients) ----- */
ag_var *ag_stack(ag_ctx *ctx, ag_var *const *xs, int n, int axis); /* equal shapes, a new axis */
ag_var *ag_flatten(ag_ctx *ctx, ag_var *x, int start, int end);  /* axes start..end into one */
ag_var *ag_unflatten(ag_ctx *ctx, ag_var *x, int axis, const int *sizes, int nsizes);
/* Shifted by shift along *axis, wrapping (axis NULL: the flattened x). */
ag_var *ag_roll(ag_ctx *ctx, ag_var *x, int shift, const int *axis);
ag_var *ag_repeat(ag_ctx *ctx, ag_var *x, const int *counts, int n); /* torch.Tensor.repeat */
ag_var *ag_tril(ag_ctx *ctx, ag_var *x, int k); /* zero above diagonal k (last two axes) */
ag_var *ag_triu(ag_ctx *ctx, ag_var *x, int k); /* zero below diagonal k */
ag_var *ag_diag(ag_ctx *ctx, ag_var *x, int k); /* 1-D -> matrix, 2-D -> its diagonal */
/* F.pad: (before, after) pairs from the last axis back, filled with value;
 * a negative amount crops that many from its side (as PyTorch). */
ag_var *ag_pad(ag_ctx *ctx, ag_var *x, const int *pad, int npad, double value);
ag_var *ag_eye_nm(ag_ctx *ctx, int n, int m); /* n x m, ones on the diagonal */
ag_var *ag_full_like(ag_ctx *ctx, const ag_var *x, double value);
/* Labels (whole numbers >= 0) to 0/1 along a new last axis of num_classes
 * (-1: the largest label + 1); a leaf. */
ag_var *ag_one_hot(ag_ctx *ctx, const ag_var *labels, int num_classes);

/* ---- losses with PyTorch's reduction= (made of the ops above) ------------ */
typedef enum ag_reduction { AG_REDUCTION_MEAN, AG_REDUCTION_SUM, AG_REDUCTION_NONE } ag_reduction;
/* -logp[i, label_i] for logp (N, C) and N labels (-100 ignores a row; mean
 * over the kept rows); also (C) with one label and (N, C, d1, ...) with
 * labels (N, d1, ...), as PyTorch. */
ag_var *ag_nll_loss(ag_ctx *ctx, ag_var *logp, ag_var *labels, ag_reduction reduction);
/* cross_entropy with class-index targets (as ag_cross_entropy) or
 * probability targets shaped like logits, label smoothing in [0, 1]; logits
 * (C), (N, C) or (N, C, d1, ...) as nll_loss. */
ag_var *ag_cross_entropy_ex(ag_ctx *ctx, ag_var *logits, ag_var *target, ag_reduction reduction,
                            double label_smoothing);
/* -(t log p + (1 - t) log(1 - p)), logs clamped at -100; p in [0, 1]. */
ag_var *ag_binary_cross_entropy(ag_ctx *ctx, ag_var *p, ag_var *t, ag_reduction reduction);
/* The same on logits x, computed stably: softplus(x) - x t. */
ag_var *ag_binary_cross_entropy_with_logits(ag_ctx *ctx, ag_var *x, ag_var *t, ag_reduction reduction);
/* The same with PyTorch's weight= (NULL: none).  nll_loss and cross_entropy:
 * one weight per class, shape (C); a row's loss is scaled by its label's
 * weight and the mean divides by the kept rows' weights (probability targets:
 * by the rows).  The binary losses: weight broadcasts to the input, and
 * pos_weight (the positive term's, along the last axis) as PyTorch's.  The
 * weights are constants: no gradient flows to them, as in PyTorch. */
ag_var *ag_nll_loss_weighted(ag_ctx *ctx, ag_var *logp, ag_var *labels, const ag_var *weight,
                             ag_reduction reduction);
ag_var *ag_cross_entropy_weighted(ag_ctx *ctx, ag_var *logits, ag_var *target, const ag_var *weight,
                                  ag_reduction reduction, double label_smoothing);
ag_var *ag_binary_cross_entropy_weighted(ag_ctx *ctx, ag_var *p, ag_var *t, const ag_var *weight,
                                         ag_reduction reduction);
ag_var *ag_binary_cross_entropy_with_logits_weighted(ag_ctx *ctx, ag_var *x, ag_var *t, const ag_var *weight,
                                                     const ag_var *pos_weight, ag_reduction reduction);

/* ---- images (N, C, H, W), PyTorch's names and defaults (ops_conv.c) -------
 * Pairs of ints are (height, width); NULL stride, padding, dilation mean
 * PyTorch's defaults (1, 0, 1; a pool's stride defaults to its kernel).  An
 * output side is (H + 2*padding - dilation*(K - 1) - 1) / stride + 1; a
 * kernel larger than the padded input is an AG_ERR_SHAPE error, as are
 * channel counts that do not match. */
/* DeZero's im2col as a matrix: one row per output pixel (n, oh, ow), one
 * column per (c, kh, kw): (N*OH*OW, C*KH*KW).  Its gradient is col2im. */
ag_var *ag_im2col(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                  const int *dilation);
/* The adjoint: such columns back to an image of image_shape (N, C, H, W),
 * overlapping entries added. */
ag_var *ag_col2im(ag_ctx *ctx, ag_var *cols, const int *image_shape, const int *kernel, const int *stride,
                  const int *padding, const int *dilation);
/* F.conv2d: x (N, C, H, W), w (OC, C/groups, KH, KW), b (OC) or NULL ->
 * (N, OC, OH, OW); an unbatched x (C, H, W) gives (OC, OH, OW), its errors
 * naming x as given (it runs as a batch of one): Im2col, one Linear product (a batched MatMul per group
 * when groups > 1), Reshape, Transpose.  The Im2col of an x that is data
 * (AG_VAR_DATA) is recorded while w or b records: its columns are then a
 * constant, which no gradient reaches. */
ag_var *ag_conv2d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, const int *stride, const int *padding,
                  const int *dilation, int groups);
/* F.conv1d: x (N, C, L) or unbatched (C, L), w (OC, C/groups, K): conv2d
 * on a one-pixel-high image, checked (and its errors named) in 1-D terms. */
ag_var *ag_conv1d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, int stride, int padding, int dilation, int groups);
/* F.conv_transpose2d: x (N, C, H, W) or unbatched (C, H, W) (its output
 * without N), w (C, OC/groups, KH, KW) -> (N, OC,
 * (H-1)*stride - 2*padding + dilation*(KH-1) + output_padding + 1, ...),
 * output_padding below the stride or the dilation: a product and Col2im
 * (conv2d's gradient with respect to its input); an output_padding of a
 * stride or more, a Col2im over the whole unpadded output and a Pad. */
ag_var *ag_conv_transpose2d(ag_ctx *ctx, ag_var *x, ag_var *w, ag_var *b, const int *stride, const int *padding,
                            const int *output_padding, int groups, const int *dilation);
/* F.max_pool2d: padding at most half the kernel, counted as -inf; ceil_mode
 * rounds the output sides up.  A MaxPool2d node. */
ag_var *ag_max_pool2d(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                      const int *dilation, bool ceil_mode);
/* F.avg_pool2d: window sums over PyTorch's divisors (count_include_pad: the
 * padded places count too). */
ag_var *ag_avg_pool2d(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                      bool ceil_mode, bool count_include_pad);
/* The same with PyTorch's divisor_override: every window's sum divided by
 * it when it is not 0 (0: the divisors above). */
ag_var *ag_avg_pool2d_ex(ag_ctx *ctx, ag_var *x, const int *kernel, const int *stride, const int *padding,
                         bool ceil_mode, bool count_include_pad, int divisor_override);
/* F.adaptive_avg_pool2d: (N, C, H, W) or (C, H, W) to output_size, window i
 * of a side [floor(i*H/OH), ceil((i+1)*H/OH)); two products with constants. */
ag_var *ag_adaptive_avg_pool2d(ag_ctx *ctx, ag_var *x, const int *output_size);
typedef enum ag_interp_mode { AG_INTERP_NEAREST, AG_INTERP_LINEAR, AG_INTERP_NEAREST_EXACT, AG_INTERP_CUBIC } ag_interp_mode;
/* F.interpolate of (N, C, L) or (N, C, H, W): size (one per spatial axis) or
 * scale_factor (the other NULL); nearest (pixel floor(i*scale)), nearest-exact
 * (floor((i + 0.5)*scale)), linear/bilinear (align_corners as PyTorch), or
 * cubic (bicubic, (N, C, H, W) only: Keys' cubic convolution with A = -0.75
 * over the 4 nearest pixels, indices clamped at the edges, as PyTorch's).
 * Products with constant matrices, so the gradient is theirs. */
ag_var *ag_interpolate(ag_ctx *ctx, ag_var *x, const int *size, const double *scale_factor, ag_interp_mode mode,
                       bool align_corners);
/* F.unfold: (N, C, H, W) -> (N, C*KH*KW, L), and F.fold back (overlaps added);
 * im2col's columns transposed. */
ag_var *ag_unfold(ag_ctx *ctx, ag_var *x, const int *kernel, const int *dilation, const int *padding,
                  const int *stride);
ag_var *ag_fold(ag_ctx *ctx, ag_var *x, const int *output_size, const int *kernel, const int *dilation,
                const int *padding, const int *stride);

/* ---- more of PyTorch's functions, made of the ops above (ops_extra.c) ----- */
ag_var *ag_softsign(ag_ctx *ctx, ag_var *x);     /* x / (1 + |x|) */
ag_var *ag_logsigmoid(ag_ctx *ctx, ag_var *x);   /* log(sigmoid(x)), stable: -softplus(-x) */
ag_var *ag_hardsigmoid(ag_ctx *ctx, ag_var *x);  /* clip(x/6 + 1/2, 0, 1) */
ag_var *ag_relu6(ag_ctx *ctx, ag_var *x);        /* hardtanh(x, 0, 6) */
ag_var *ag_hardswish(ag_ctx *ctx, ag_var *x);    /* x * hardsigmoid(x) */
ag_var *ag_quick_gelu(ag_ctx *ctx, ag_var *x);   /* x * sigmoid(1.702 x) */
ag_var *ag_celu(ag_ctx *ctx, ag_var *x, double alpha); /* alpha * elu(x/alpha); PyTorch: alpha 1 */
/* F.normalize: x / max(||x||_p along axis, eps) (PyTorch: p 2, axis 1, eps 1e-12) */
ag_var *ag_normalize(ag_ctx *ctx, ag_var *x, double p, int axis, double eps);
/* x with value where mask (broadcast to x) is not 0; no gradient to mask */
ag_var *ag_masked_fill(ag_ctx *ctx, ag_var *x, ag_var *mask, double value);
ag_var *ag_logical_not(ag_ctx *ctx, ag_var *x); /* 1 where x == 0, else 0; no gradient */
/* 1 where a != 0 and (or, xor) b != 0, else 0, broadcast; a mask (AG_VAR_BOOL), no gradient */
ag_var *ag_logical_and(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_logical_or(ag_ctx *ctx, ag_var *a, ag_var *b);
ag_var *ag_logical_xor(ag_ctx *ctx, ag_var *a, ag_var *b);
/* F.layer_norm over the last nnorm axes (population variance), then * weight + bias
 * (NULL for none; shaped like those axes). */
ag_var *ag_layer_norm(ag_ctx *ctx, ag_var *x, int nnorm, ag_var *weight, ag_var *bias, double eps);
/* F.embedding: weight's rows at the indices: indices.shape + (embedding_dim). */
ag_var *ag_embedding(ag_ctx *ctx, ag_var *indices, ag_var *weight);
/* F.scaled_dot_product_attention(q, k, v): softmax(q k^T scale) v, scale NaN meaning
 * 1/sqrt(E) (any finite scale is taken, 0 giving uniform weights, as PyTorch's; an
 * infinite one is refused); is_causal keeps key j <= query i.  q (..., L, E), k (..., S, E), v
 * (..., S, Ev), the batch axes broadcasting; other shapes are refused in those words. */
ag_var *ag_scaled_dot_product_attention(ag_ctx *ctx, ag_var *q, ag_var *k, ag_var *v, bool is_causal, double scale);
/* torch.logcumsumexp along axis: y_j = logaddexp(y_{j-1}, x_j) (LogAddExp nodes). */
ag_var *ag_logcumsumexp(ag_ctx *ctx, ag_var *x, int axis);
/* F.pad's other modes: (before, after) pairs from the last axis back, as ag_pad;
 * reflect (amounts below the size), replicate, circular (at most the size). */
typedef enum ag_pad_kind { AG_PAD_REFLECT, AG_PAD_REPLICATE, AG_PAD_CIRCULAR } ag_pad_kind;
ag_var *ag_pad_mode(ag_ctx *ctx, ag_var *x, const int *pad, int npad, ag_pad_kind mode);
/* torch.repeat_interleave: each entry along *axis repeated in place (axis NULL:
 * the flattened x). */
ag_var *ag_repeat_interleave(ag_ctx *ctx, ag_var *x, int repeats, const int *axis);
/* F.batch_norm of x (N, C, ...) per channel (axis 1): with training, the
 * batch's mean and population variance, and running_mean/running_var (C) (NULL:
 * none) updated in place, r = (1 - momentum) r + momentum s (s the unbiased
 * variance for running_var), as PyTorch; without, the running statistics
 * (constants: no gradient reaches them).  Then * weight + bias (C) (NULL: none). */
ag_var *ag_batch_norm(ag_ctx *ctx, ag_var *x, ag_var *running_mean, ag_var *running_var, ag_var *weight,
                      ag_var *bias, bool training, double momentum, double eps);

/* ---- einsum and indexing, made of the ops above (ops_einsum.c, ops_index.c) */
/* torch.einsum: equation as PyTorch's ("ij,jk->ik"; without "->" the output is
 * the subscripts used once, in ASCII order; "..." for broadcast axes; a
 * subscript repeated in one term takes the diagonal).  Spaces are ignored. */
ag_var *ag_einsum(ag_ctx *ctx, const char *equation, ag_var *const *xs, int n);
/* torch.diagonal: the entries (i, i + offset) of the planes (dim1, dim2) as a
 * new last axis (offset < 0: below the main diagonal). */
ag_var *ag_diagonal(ag_ctx *ctx, ag_var *x, int offset, int dim1, int dim2);
/* torch.meshgrid of n 0-d or 1-D tensors into out[0..n): grids of shape
 * (len_0, ..., len_{n-1}), or with xy the first two lengths swapped
 * (indexing="xy").  0 or -1 with the error set. */
int ag_meshgrid(ag_ctx *ctx, ag_var *const *xs, int n, bool xy, ag_var **out);
/* torch.cummax/cummin along axis: *values (gradient to the arg positions) and
 * *indices (a constant); a later equal value takes the position, a NaN takes
 * it and keeps it, as PyTorch.  0 or -1 with the error set. */
int ag_cummax(ag_ctx *ctx, ag_var *x, int axis, ag_var **values, ag_var **indices);
int ag_cummin(ag_ctx *ctx, ag_var *x, int axis, ag_var **values, ag_var **indices);
/* torch.scatter(x, axis, index, src): x with src's entries written at index
 * along axis (index no larger than src, nor than x off the axis; a place
 * written twice keeps the last write, and the overwritten entry gets no
 * gradient).  ag_scatter_value writes one number. */
ag_var *ag_scatter(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, ag_var *src);
ag_var *ag_scatter_value(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, double value);
/* torch.scatter_add(x, axis, index, src): x with src's entries added at index
 * (repeated places add up).  (ag_scatter_add is gather's gradient, into zeros.) */
ag_var *ag_scatter_add_to(ag_ctx *ctx, ag_var *x, int axis, ag_var *index, ag_var *src);
/* torch.nonzero: the positions of x's entries that are not 0, (count, ndim), in
 * order; a leaf without gradient. */
ag_var *ag_nonzero(ag_ctx *ctx, const ag_var *x);

AG_END_DECLS

#endif
