/* test_parser.c — the lexer, parser and AST of the REPL language, and its syntax errors.
 *
 * Table-driven: {source, expected S-expression of each top-level statement
 * joined by "; "} for what parses, {source, status, line, column, message}
 * for what does not, then positions, error rendering, depth limits and a
 * seeded fuzz loop over random bytes and random token soups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka needs the three above first */
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "lexer.h"
#include "parser.h"
#include "split.h"

/* ---- helpers ---- */

/* The statements of a parsed program as S-expressions joined by "; ". */
static char *statements_sexpr(const ast_node *program) {
    size_t capacity = 64, length = 0;
    char *text = malloc(capacity);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i < program->as.block.count; i++) {
        char *one = ast_to_sexpr(program->as.block.items[i]);
        assert_non_null(one);
        size_t needed = length + strlen(one) + 3;
        if (needed > capacity) {
            while (capacity < needed) capacity *= 2;
            text = realloc(text, capacity);
            assert_non_null(text);
        }
        if (i > 0) {
            memcpy(text + length, "; ", 2);
            length += 2;
        }
        memcpy(text + length, one, strlen(one) + 1);
        length += strlen(one);
        free(one);
    }
    return text;
}

/* Parses source, which must succeed, and compares its statements' S-expressions. */
static void check_parses_to(const char *source, const char *expected) {
    ast_node *program = NULL;
    parse_error error;
    parse_status status = parse_program(source, 1, &program, &error);
    if (status != PARSE_OK)
        fail_msg("%s\n  did not parse: %d:%d %s", source, error.line, error.column, error.message);
    assert_non_null(program);
    assert_int_equal(program->kind, AST_BLOCK);
    char *actual = statements_sexpr(program);
    if (strcmp(actual, expected) != 0)
        fail_msg("%s\n  expected %s\n  actual   %s", source, expected, actual);
    free(actual);
    ast_free(program);
}

/* Parses source, which must fail with exactly this status, position and message. */
static void check_fails_with(const char *source, parse_status expected_status, int line,
                             int column, const char *message) {
    ast_node *program = (ast_node *)&program; /* must be reset to NULL */
    parse_error error;
    parse_status status = parse_program(source, 1, &program, &error);
    assert_null(program);
    if (status != expected_status || error.line != line || error.column != column ||
        strcmp(error.message, message) != 0)
        fail_msg("%s\n  expected %d %d:%d %s\n  actual   %d %d:%d %s", source,
                 (int)expected_status, line, column, message, (int)status, error.line,
                 error.column, error.message);
}

/* ---- statements and expressions that parse ---- */

typedef struct parse_case {
    const char *source;
    const char *expected;
} parse_case;

static const parse_case parse_cases[] = {
    /* literals */
    {"2", "2"},
    {"-1.5", "(- 1.5)"},
    {"1e-3", "0.001"},
    {".5", "0.5"},
    {"1.", "1"},
    {"2.5E+3", "2500"},
    {"1e999", "inf"},
    {"0.1", "0.1"},
    {"1e-7", "1e-07"},
    {"\"g.png\"", "\"g.png\""},
    {"\"say \\\"hi\\\"\\n\\t\\\\\"", "\"say \\\"hi\\\"\\n\\t\\\\\""},
    {"\"\"", "\"\""},
    {"\"a # not a comment\"", "\"a # not a comment\""},
    {"true", "true"},
    {"false", "false"},
    {"pi", "pi"},
    {"e", "e"},
    {"x_1", "x_1"},
    {"[1, 2, 3]", "(list 1 2 3)"},
    {"[[1, 2], [3, 4]]", "(list (list 1 2) (list 3 4))"},
    {"[]", "(list)"},
    {"[1, 2, 3,]", "(list 1 2 3)"},
    {"[-1, +2]", "(list (- 1) (+ 2))"},
    /* the precedence: or, and, not, comparisons, + -, * / % @, unary -, ^ */
    {"-x^2", "(- (^ x 2))"},
    {"2^3^2", "(^ 2 (^ 3 2))"},
    {"2^-1", "(^ 2 (- 1))"},
    {"2^-x^2", "(^ 2 (- (^ x 2)))"},
    {"2^-1*3", "(* (^ 2 (- 1)) 3)"},
    {"a + b * c", "(+ a (* b c))"},
    {"a * b + c", "(+ (* a b) c)"},
    {"a - b - c", "(- (- a b) c)"},
    {"a / b * c", "(* (/ a b) c)"},
    {"a @ b + c", "(+ (@ a b) c)"},
    {"a + b @ c", "(+ a (@ b c))"},
    {"a % b * c", "(* (% a b) c)"},
    {"-a * b", "(* (- a) b)"},
    {"- -a", "(- (- a))"},
    {"a - -b", "(- a (- b))"},
    {"+a", "(+ a)"},
    {"(a + b) * c", "(* (+ a b) c)"},
    {"(-x)^2", "(^ (- x) 2)"},
    {"not a == b", "(not (== a b))"},
    {"not a and b", "(and (not a) b)"},
    {"not not a", "(not (not a))"},
    {"a or b and c", "(or a (and b c))"},
    {"a and b or c", "(or (and a b) c)"},
    {"a or b or c", "(or (or a b) c)"},
    {"a < b + 1", "(< a (+ b 1))"},
    {"a + 1 >= b * 2", "(>= (+ a 1) (* b 2))"},
    {"a == b and c != d", "(and (== a b) (!= c d))"},
    {"i % 1000 == 0", "(== (% i 1000) 0)"},
    {"a <= b or a > c", "(or (<= a b) (> a c))"},
    {"(a < b) < c", "(< (< a b) c)"},
    {"x^2 + y^2 < 1 and not done", "(and (< (+ (^ x 2) (^ y 2)) 1) (not done))"},
    {"100*(b - a^2)^2 + (a - 1)^2", "(+ (* 100 (^ (- b (^ a 2)) 2)) (^ (- a 1) 2))"},
    /* postfix */
    {"f()", "(call f)"},
    {"sin(x) + x^2", "(+ (call sin x) (^ x 2))"},
    {"f(a, b, k=v)", "(call f a b k=v)"},
    {"adam(lr=0.01)", "(call adam lr=0.01)"},
    {"sum(x, axis=1)", "(call sum x axis=1)"},
    {"f(a, k=v, m=[1, 2],)", "(call f a k=v m=(list 1 2))"},
    {"f(a == b)", "(call f (== a b))"},
    {"x.grad", "(. x grad)"},
    {"x.T", "(. x T)"},
    {"m.params.x", "(. (. m params) x)"},
    {"y.backward()", "(call (. y backward))"},
    {"y.backward(retain_grad=true, create_graph=false)",
     "(call (. y backward) retain_grad=true create_graph=false)"},
    {"opt.update(x0, x1)", "(call (. opt update) x0 x1)"},
    {"m(x).sum().backward()", "(call (. (call (. (call m x) sum)) backward))"},
    {"f(x)(y)", "(call (call f x) y)"},
    {"x[0]", "(index x 0)"},
    {"x[i, j]", "(index x i j)"},
    {"x[[0, 2]]", "(index x (list 0 2))"},
    /* Python's spellings */
    {"x**2", "(^ x 2)"},
    {"def f(x, k=2) = x * k", "(def f (x k=2) (* x k))"},
    {"def f(x, axis=(0, 1), s=\"a\") { return x }", "(def f (x axis=(list 0 1) s=\"a\") (block (return x)))"},
    {"x.data = 3", "(= (. x data) 3)"},
    {"m.w.data -= lr * g", "(-= (. (. m w) data) (* lr g))"},
    {"x.grad = none", "(= (. x grad) none)"},
    {"2**3**2", "(^ 2 (^ 3 2))"},
    {"-x**2", "(- (^ x 2))"},
    {"(3, 2)", "(list 3 2)"},
    {"(3,)", "(list 3)"},
    {"reshape(x, (3, 2))", "(call reshape x (list 3 2))"},
    {"((1, 2), (3, 4))", "(list (list 1 2) (list 3 4))"},
    {"(1 + 2)", "(+ 1 2)"},
    {"True or False", "(or true false)"},
    {"None", "none"},
    {"x.grad is none", "(is (. x grad) none)"},
    {"x.grad is not none", "(is not (. x grad) none)"},
    {"not a is b", "(not (is a b))"},
    {"x[-1]", "(index x (- 1))"},
    {"x[0][1]", "(index (index x 0) 1)"},
    {"x[..., 2]", "(index x ... 2)"},
    {"x[None, :, Ellipsis]", "(index x none (slice _ _ _) ...)"},
    {"get_item(x, (..., 2))", "(call get_item x (list ... 2))"},
    {"x[0:2]", "(index x (slice 0 2 _))"},
    {"x[:, 1]", "(index x (slice _ _ _) 1)"},
    {"x[1:]", "(index x (slice 1 _ _))"},
    {"x[::2]", "(index x (slice _ _ 2))"},
    {"x[-2::-1, n - 1:]", "(index x (slice (- 2) _ (- 1)) (slice (- n 1) _ _))"},
    {"x[[0, 1], [1, 2]]", "(index x (list 0 1) (list 1 2))"},
    {"x[i].grad", "(. (index x i) grad)"},
    {"-x.grad", "(- (. x grad))"},
    {"-x[0]^2", "(- (^ (index x 0) 2))"},
    {"a.b^c.d", "(^ (. a b) (. c d))"},
    {"1.T", "(. 1 T)"},
    {"mlp([10, 1], activation=sigmoid, seed=0)",
     "(call mlp (list 10 1) activation=sigmoid seed=0)"},
    {"sgd([x0, x1], lr=0.1, hooks=[weight_decay(1e-4), clip_grad(5)])",
     "(call sgd (list x0 x1) lr=0.1 hooks=(list (call weight_decay 0.0001) (call clip_grad 5)))"},
    /* assignment */
    {"x = 1.0", "(= x 1)"},
    {"y = sin(x) + x^2", "(= y (+ (call sin x) (^ x 2)))"},
    {"x -= 0.001 * x.grad", "(-= x (* 0.001 (. x grad)))"},
    {"x += 1", "(+= x 1)"},
    {"x *= 2", "(*= x 2)"},
    {"x /= 2", "(/= x 2)"},
    {"x %= 2", "(%= x 2)"},
    {"x //= 2", "(//= x 2)"},
    {"x ^= 2", "(^= x 2)"},
    {"x **= 2", "(^= x 2)"}, /* Python's spelling of ^= */
    {"x[0] **= y // 2", "(^= (index x 0) (// y 2))"},
    {"x.data //= 2", "(//= (. x data) 2)"},
    {"x = a//b ** 2", "(= x (// a (^ b 2)))"},
    {"x = y == z", "(= x (== y z))"},
    /* separators and comments */
    {"x = 1; y = 2", "(= x 1); (= y 2)"},
    {"x = 1\ny = 2\n", "(= x 1); (= y 2)"},
    {"x = 1 # a comment\n# another\n\n;;y", "(= x 1); y"},
    {"", ""},
    {"\n\n  # only a comment", ""},
    {";", ""},
    {"x = 1\r\ny = 2\r\n", "(= x 1); (= y 2)"},
    {"\tx\t=\t1", "(= x 1)"},
    /* newlines inside ( and [ continue the expression */
    {"x = (1 +\n  2)", "(= x (+ 1 2))"},
    {"f(a,\n  k=2\n)", "(call f a k=2)"},
    {"w = [[1, 2],  # first row\n     [3, 4]]", "(= w (list (list 1 2) (list 3 4)))"},
    {"x = [\n  1,\n  2,\n]", "(= x (list 1 2))"},
    {"x[\n0]", "(index x 0)"},
    /* def */
    {"def f(a, b) = 100*(b - a^2)^2 + (a - 1)^2",
     "(def f (a b) (+ (* 100 (^ (- b (^ a 2)) 2)) (^ (- a 1) 2)))"},
    {"def g() = 1", "(def g () 1)"},
    {"def f(a, b,) = a", "(def f (a b) a)"},
    {"def f(x) { y = x^2; return y }", "(def f (x) (block (= y (^ x 2)) (return y)))"},
    {"def f(x) {\n  if x > 0 { return x }\n  return -x\n}",
     "(def f (x) (block (if (> x 0) (block (return x))) (return (- x))))"},
    {"def f() { return }", "(def f () (block (return)))"},
    {"def f(x) { for i in x { if i { return i } } }",
     "(def f (x) (block (for i x (block (if i (block (return i)))))))"},
    {"def f(x) { def g(y) = y; return g(x) }",
     "(def f (x) (block (def g (y) y) (return (call g x))))"},
    /* for */
    {"for i in range(10) { x = x + i }", "(for i (call range 10) (block (= x (+ x i))))"},
    {"for i in range(3) {\n  print(i)\n}", "(for i (call range 3) (block (call print i)))"},
    {"for i in [1, 2] { }", "(for i (list 1 2) (block))"},
    {"for a, b in x { }", "(for (list a b) x (block))"},
    {"for i, (xb, tb) in enumerate(l) { }", "(for (list i (list xb tb)) (call enumerate l) (block))"},
    {"for (a, b) in x { }", "(for (list a b) x (block))"},
    {"for (a) in x { }", "(for a x (block))"},
    {"for a, in x { }", "(for (list a) x (block))"},
    {"a, b = f()", "(unpack (list a b) (call f))"},
    {"a, b = b, a", "(unpack (list a b) (list b a))"},
    {"a, (b, c), = 1, [2, 3],", "(unpack (list a (list b c)) (list 1 (list 2 3)))"},
    {"x[i] = 1", "(set (index x i) 1)"},
    {"x[i, :] -= y", "(-= (index x i (slice _ _ _)) y)"},
    {"m.w[0] = 2", "(set (index (. m w) 0) 2)"},
    {"while i < 3 { i = i + 1; break }", "(while (< i 3) (block (= i (+ i 1)) (break)))"},
    {"for i in x { break }", "(for i x (block (break)))"},
    {"for i in x { if i { continue } }", "(for i x (block (if i (block (continue)))))"},
    {"for i in x { for j in y { break }; continue }",
     "(for i x (block (for j y (block (break))) (continue)))"},
    {"for i in range(10000) { x -= 0.001 * x.grad }",
     "(for i (call range 10000) (block (-= x (* 0.001 (. x grad)))))"},
    /* if */
    {"if a { 1 }", "(if a (block 1))"},
    {"if i % 1000 == 0 { print(i, x) } else { y }",
     "(if (== (% i 1000) 0) (block (call print i x)) (else (block y)))"},
    {"if a { 1 } else if b { 2 } else { 3 }",
     "(if a (block 1) (elif b (block 2)) (else (block 3)))"},
    {"if a { 1 } else if b { 2 }", "(if a (block 1) (elif b (block 2)))"},
    {"if a {\n  1\n}\nelse {\n  2\n}", "(if a (block 1) (else (block 2)))"},
    {"if a { 1 }\n\n else if b { 2 }\nelse { 3 }",
     "(if a (block 1) (elif b (block 2)) (else (block 3)))"},
    {"if a { 1 }\nx", "(if a (block 1)); x"},
    {"if a { 1 }; else_value", "(if a (block 1)); else_value"},
    /* scopes */
    {"nograd { y = f(x) }", "(nograd (block (= y (call f x))))"},
    {"testmode { y = m(x); print(y) }", "(testmode (block (= y (call m x)) (call print y)))"},
    {"nograd {\n  testmode {\n    y = m(x)\n  }\n}",
     "(nograd (block (testmode (block (= y (call m x))))))"},
    {"for i in x {\n\n  ;a\n  b;\n}", "(for i x (block a b))"},
};

static void test_parse_cases(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++)
        check_parses_to(parse_cases[i].source, parse_cases[i].expected);
}

/* ---- errors ---- */

typedef struct error_case {
    const char *source;
    parse_status status;
    int line, column;
    const char *message;
} error_case;

static const error_case error_cases[] = {
    /* brackets: the message names the opener, the position is where the closer belongs */
    {"y = (1 + 2 3", PARSE_ERROR, 1, 12, "expected ')' to close '(' at 1:5"},
    {"print(1 2)", PARSE_ERROR, 1, 9, "expected ')' to close '(' at 1:6"},
    {"x = [1 2]", PARSE_ERROR, 1, 8, "expected ']' to close '[' at 1:5"},
    {"x[0 1]", PARSE_ERROR, 1, 5, "expected ']' to close '[' at 1:2"},
    {"f(a b=1)", PARSE_ERROR, 1, 5, "expected ')' to close '(' at 1:2"},
    {"def f(a b) = 1", PARSE_ERROR, 1, 9, "expected ')' to close '(' at 1:6"},
    {"(1 + 2))", PARSE_ERROR, 1, 8, "unexpected token ')'"},
    {"(1]", PARSE_ERROR, 1, 3, "expected ')' to close '(' at 1:1"},
    {"for i in x { a b }", PARSE_ERROR, 1, 16, "unexpected token 'b'"},
    /* expressions */
    {"x = ", PARSE_ERROR, 1, 4, "expected expression"},
    {"x = 1 +", PARSE_ERROR, 1, 8, "expected expression"},
    {"x = 1 +\ny = 2", PARSE_ERROR, 1, 8, "expected expression"},
    {"x = 1 + # comment", PARSE_ERROR, 1, 8, "expected expression"},
    {"f(x) *", PARSE_ERROR, 1, 7, "expected expression"},
    {"x = ;", PARSE_ERROR, 1, 5, "expected expression"},
    {"x[]", PARSE_ERROR, 1, 3, "expected expression"},
    {"f(,)", PARSE_ERROR, 1, 3, "expected expression"},
    {"x = )", PARSE_ERROR, 1, 5, "expected expression"},
    {"x = * 2", PARSE_ERROR, 1, 5, "unexpected token '*'"},
    {"1 + + * 2", PARSE_ERROR, 1, 7, "unexpected token '*'"},
    {"x = 1 2", PARSE_ERROR, 1, 7, "unexpected token '2'"},
    {"x = 1 }", PARSE_ERROR, 1, 7, "unexpected token '}'"},
    {"x y", PARSE_ERROR, 1, 3, "unexpected token 'y'"},
    {"else { 1 }", PARSE_ERROR, 1, 1, "unexpected token 'else'"},
    {"in = 3", PARSE_ERROR, 1, 1, "unexpected token 'in'"},
    {"{ x }", PARSE_ERROR, 1, 1, "unexpected token '{'"},
    {"x = \"abc\" \"def\"", PARSE_ERROR, 1, 11, "unexpected token '\"def\"'"},
    {"a_very_long_name_that_goes_on_and_on_and_on x", PARSE_ERROR, 1, 45,
     "unexpected token 'x'"},
    {"x a_very_long_name_that_goes_on_and_on_and_on", PARSE_ERROR, 1, 3,
     "unexpected token 'a_very_long_name_that_goes_on_an...'"},
    {"x.", PARSE_ERROR, 1, 3, "expected name after '.'"},
    {"x.1", PARSE_ERROR, 1, 2, "unexpected token '.1'"},
    {"x.(y)", PARSE_ERROR, 1, 3, "expected name after '.'"},
    {"a < b < c", PARSE_ERROR, 1, 7, "comparisons cannot be chained; use 'and'"},
    {"a == b != c", PARSE_ERROR, 1, 8, "comparisons cannot be chained; use 'and'"},
    {"not a < b + 1 >= c", PARSE_ERROR, 1, 15, "comparisons cannot be chained; use 'and'"},
    {"f(a=1, 2)", PARSE_ERROR, 1, 8, "positional argument after keyword argument"},
    {"f(k=1, k=2)", PARSE_ERROR, 1, 8, "duplicate keyword argument 'k'"},
    /* statements */
    {"f(x) += 1", PARSE_ERROR, 1, 1, "can only assign to a name, an attribute (x.data, x.grad) or an item (x[i])"},
    {"a, b += 1", PARSE_ERROR, 1, 6, "'+=' cannot update several names at once; write one statement per name"},
    {"a, b **= 1", PARSE_ERROR, 1, 6, "'**=' cannot update several names at once; write one statement per name"},
    {"x @= w", PARSE_ERROR, 1, 3, "'@=' is not supported (a matrix product changes the shape, so it is no "
                                  "update in place): write x = x @ e"},
    {"x / /= 2", PARSE_ERROR, 1, 5, "unexpected token '/='"},
    {"a, b", PARSE_ERROR, 1, 5, "expected '=' after the names to unpack into"},
    {"a, 1 = x", PARSE_ERROR, 1, 4, "expected '=' after the names to unpack into"},
    {"for a b in x { }", PARSE_ERROR, 1, 7, "expected 'in' after loop variable"},
    {"for (a, b in x { }", PARSE_ERROR, 1, 11, "expected ')' to close '(' at 1:5"},
    {"for 1 in x { }", PARSE_ERROR, 1, 5, "expected loop variable after 'for'"},
    {"while x", PARSE_ERROR, 1, 8, "expected '{' after while"},
    {"break", PARSE_ERROR, 1, 1, "'break' outside loop"},
    {"(x) = 1", PARSE_ERROR, 1, 1, "can only assign to a name, an attribute (x.data, x.grad) or an item (x[i])"},
    {"true = 1", PARSE_ERROR, 1, 1, "can only assign to a name, an attribute (x.data, x.grad) or an item (x[i])"},
    {"x = y = 1", PARSE_ERROR, 1, 7, "unexpected token '='"},
    {"def = 1", PARSE_ERROR, 1, 5, "expected function name after 'def'"},
    {"def f = 1", PARSE_ERROR, 1, 7, "expected '(' after function name"},
    {"def f(1) = 1", PARSE_ERROR, 1, 7, "expected parameter name"},
    {"def f(a, a) = 1", PARSE_ERROR, 1, 10, "duplicate parameter 'a'"},
    {"def f(a) a", PARSE_ERROR, 1, 10, "expected '=' or '{' after def parameters"},
    {"def f(a)\n{ a }", PARSE_ERROR, 1, 9, "expected '=' or '{' after def parameters"},
    {"def f(a) =", PARSE_ERROR, 1, 11, "expected expression"},
    {"for 1 in x { }", PARSE_ERROR, 1, 5, "expected loop variable after 'for'"},
    {"for i x { }", PARSE_ERROR, 1, 7, "expected 'in' after loop variable"},
    {"for i in range(3): x", PARSE_ERROR, 1, 18,
     "expected '{' after for, not ':' (a block is { ... } here, not indented lines)"},
    {"while x:", PARSE_ERROR, 1, 8, "expected '{' after while, not ':' (a block is { ... } here, not indented lines)"},
    {"def f(x): return x", PARSE_ERROR, 1, 9,
     "expected '=' or '{' after def parameters, not ':' (def f(x) = e, or def f(x) { ... })"},
    {"if x { } elif y { }", PARSE_ERROR, 1, 10, "unexpected token 'elif'; Python's elif is written else if here"},
    /* Python 2's print statement: a built-in's bare name directly followed by
     * an operand says how a call is written, at the operand; any other name
     * does not (the parser cannot see whether the session rebound the name,
     * so the message does not say it is a function) */
    {"print loss", PARSE_ERROR, 1, 7, "unexpected token 'loss' after print; a call is written print(loss)"},
    {"len x", PARSE_ERROR, 1, 5, "unexpected token 'x' after len; a call is written len(x)"},
    {"print 3; x = 1", PARSE_ERROR, 1, 7, "unexpected token '3' after print; a call is written print(3)"},
    {"print \"loss\"\n", PARSE_ERROR, 1, 7, "unexpected token '\"loss\"' after print; a call is written print(\"loss\")"},
    {"print true", PARSE_ERROR, 1, 7, "unexpected token 'true' after print; a call is written print(true)"},
    {"for i in x { print i }", PARSE_ERROR, 1, 20, "unexpected token 'i' after print; a call is written print(i)"},
    {"print \"loss\", loss", PARSE_ERROR, 1, 7, "unexpected token '\"loss\"' after print; a call is written print(...)"},
    {"print loss + 1", PARSE_ERROR, 1, 7, "unexpected token 'loss' after print; a call is written print(...)"},
    {"print a_very_long_name_that_goes_on_and_on_and_on", PARSE_ERROR, 1, 7,
     "unexpected token 'a_very_long_name_that_goes_on_an...' after print; a call is written "
     "print(a_very_long_name_that_goes_on_an...)"},
    {"loss print", PARSE_ERROR, 1, 6, "unexpected token 'print'"},
    {"print.x y", PARSE_ERROR, 1, 9, "unexpected token 'y'"},
    {"printed loss", PARSE_ERROR, 1, 9, "unexpected token 'loss'"},
    {"x = print loss", PARSE_ERROR, 1, 11, "unexpected token 'loss'"},
    {"for i in range(3)\n{ x }", PARSE_ERROR, 1, 18, "expected '{' after for"},
    {"for i in range(3)", PARSE_ERROR, 1, 18, "expected '{' after for"},
    {"if x y", PARSE_ERROR, 1, 6, "expected '{' after if"},
    {"if x { } else y", PARSE_ERROR, 1, 15, "expected '{' after else"},
    {"if x { } else", PARSE_ERROR, 1, 14, "expected '{' after else"},
    {"nograd y", PARSE_ERROR, 1, 8, "expected '{' after nograd"},
    {"testmode", PARSE_ERROR, 1, 9, "expected '{' after testmode"},
    {"break", PARSE_ERROR, 1, 1, "'break' outside loop"},
    {"if x { continue }", PARSE_ERROR, 1, 8, "'continue' outside loop"},
    {"return 1", PARSE_ERROR, 1, 1, "'return' outside def"},
    {"for i in x { return i }", PARSE_ERROR, 1, 14, "'return' outside def"},
    {"for i in x { def g() { break } }", PARSE_ERROR, 1, 24, "'break' outside loop"},
    {"def f() = 1\nreturn 2", PARSE_ERROR, 2, 1, "'return' outside def"},
    {"x = 1\ny = (2 +\nz = 3", PARSE_ERROR, 3, 3, "expected ')' to close '(' at 2:5"},
    /* lexical errors win at their token */
    {"x = $", PARSE_ERROR, 1, 5, "invalid character '$'"},
    {"x = 1 $ 2", PARSE_ERROR, 1, 7, "invalid character '$'"},
    {"x = (1 + $", PARSE_ERROR, 1, 10, "invalid character '$'"},
    {"a && b", PARSE_ERROR, 1, 3, "invalid character '&'"},
    {"a ! b", PARSE_ERROR, 1, 3, "invalid character '!'"},
    {"x = \x01", PARSE_ERROR, 1, 5, "invalid character '\\x01'"},
    {"x = \xc3\xa9", PARSE_ERROR, 1, 5, "invalid character '\\xc3'"},
    {"x = \"abc", PARSE_ERROR, 1, 5, "unterminated string"},
    {"x = \"abc\ny\"", PARSE_ERROR, 1, 5, "unterminated string"},
    {"print(\"abc", PARSE_ERROR, 1, 7, "unterminated string"},
    {"x = \"ab\\", PARSE_ERROR, 1, 5, "unterminated string"},
    {"x = \"a\\qb\"", PARSE_ERROR, 1, 7, "invalid escape '\\q' in string"},
    {"x = 2x", PARSE_ERROR, 1, 5, "invalid number '2x'"},
    {"x = 1e", PARSE_ERROR, 1, 5, "invalid number '1e'"},
    {"x = 1.5e+", PARSE_ERROR, 1, 5, "invalid number '1.5e'"},
    {"(1, 2 3)", PARSE_ERROR, 1, 7, "expected ')' to close '(' at 1:1"},
    {"(1, 2]", PARSE_ERROR, 1, 6, "expected ')' to close '(' at 1:1"},
    {"def f(a=1, b) = a", PARSE_ERROR, 1, 12, "parameter 'b' without a default follows one with a default"},
    {"def f(a=) = a", PARSE_ERROR, 1, 9, "expected expression"},
    {"(,)", PARSE_ERROR, 1, 2, "expected expression"},
    {"a is", PARSE_ERROR, 1, 5, "expected expression"},
    {"a is b is c", PARSE_ERROR, 1, 8, "comparisons cannot be chained; use 'and'"},
    {"none = 1", PARSE_ERROR, 1, 1, "can only assign to a name, an attribute (x.data, x.grad) or an item (x[i])"},
    {"x = 1 + 1 )\n\"open", PARSE_ERROR, 1, 11, "unexpected token ')'"},
    /* incomplete: the input ended inside ( [ or between statements in { } */
    {"(1 +", PARSE_INCOMPLETE, 1, 5, "expected expression"},
    {"y = (1 + 2", PARSE_INCOMPLETE, 1, 11, "expected ')' to close '(' at 1:5"},
    {"f(", PARSE_INCOMPLETE, 1, 3, "expected ')' to close '(' at 1:2"},
    {"f(x,", PARSE_INCOMPLETE, 1, 5, "expected ')' to close '(' at 1:2"},
    {"[", PARSE_INCOMPLETE, 1, 2, "expected ']' to close '[' at 1:1"},
    {"[1, 2,", PARSE_INCOMPLETE, 1, 7, "expected ']' to close '[' at 1:1"},
    {"[1, 2", PARSE_INCOMPLETE, 1, 6, "expected ']' to close '[' at 1:1"},
    {"f(a, k=", PARSE_INCOMPLETE, 1, 8, "expected expression"},
    {"x[0", PARSE_INCOMPLETE, 1, 4, "expected ']' to close '[' at 1:2"},
    {"def f(a,", PARSE_INCOMPLETE, 1, 9, "expected ')' to close '(' at 1:6"},
    {"for i in range(3) {", PARSE_INCOMPLETE, 1, 20, "expected '}' to close '{' at 1:19"},
    {"for i in range(3) {\n  x = i\n", PARSE_INCOMPLETE, 2, 8,
     "expected '}' to close '{' at 1:19"},
    {"for i in range(3) {\n  if i == 1 {\n", PARSE_INCOMPLETE, 2, 14,
     "expected '}' to close '{' at 2:13"},
    {"def f(x) {", PARSE_INCOMPLETE, 1, 11, "expected '}' to close '{' at 1:10"},
    {"if a { 1 } else {", PARSE_INCOMPLETE, 1, 18, "expected '}' to close '{' at 1:17"},
    {"nograd { y = f(x,\n", PARSE_INCOMPLETE, 1, 18, "expected ')' to close '(' at 1:15"},
    {"x = [[1, 2],\n     [3, 4]", PARSE_INCOMPLETE, 2, 12, "expected ']' to close '[' at 1:5"},
    /* ...but not mid-statement inside braces, where a newline would end it */
    {"for i in x { y = 1 +", PARSE_ERROR, 1, 21, "expected expression"},
    {"for i in x { if y", PARSE_ERROR, 1, 18, "expected '{' after if"},
    {"for i in x { if y { } else", PARSE_ERROR, 1, 27, "expected '{' after else"},
};

static void test_error_cases(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const error_case *c = &error_cases[i];
        check_fails_with(c->source, c->status, c->line, c->column, c->message);
    }
}

/* A trailing newline never changes the verdict, so an incomplete statement
 * stays incomplete as the front end appends lines. */
static void test_incomplete_then_complete(void **state) {
    (void)state;
    const char *lines[] = {"for i in range(3) {", "  x = f(i,", "        2)", "}"};
    char source[256] = "";
    parse_status expected[] = {PARSE_INCOMPLETE, PARSE_INCOMPLETE, PARSE_INCOMPLETE, PARSE_OK};
    for (int i = 0; i < 4; i++) {
        strcat(source, lines[i]);
        ast_node *program = NULL;
        parse_error error;
        assert_int_equal(parse_program(source, 1, &program, &error), expected[i]);
        strcat(source, "\n");
        assert_int_equal(parse_program(source, 1, NULL, &error), expected[i]);
        if (expected[i] == PARSE_OK) {
            char *text = statements_sexpr(program);
            assert_string_equal(text, "(for i (call range 3) (block (= x (call f i 2))))");
            free(text);
        }
        ast_free(program);
    }
}

/* ---- positions ---- */

static void test_positions(void **state) {
    (void)state;
    const char *source = "x = 1\n"
                         "  y = foo(a, k = b) + z\n"
                         "w = (p + q) * r.s[0]\n";
    ast_node *program = NULL;
    parse_error error;
    assert_int_equal(parse_program(source, 1, &program, &error), PARSE_OK);
    assert_int_equal(program->as.block.count, 3);

    ast_node *second = program->as.block.items[1];
    assert_int_equal(second->kind, AST_ASSIGN);
    assert_int_equal(second->line, 2);
    assert_int_equal(second->column, 3);
    assert_int_equal(second->source_start, 8);
    assert_int_equal(second->source_end, 29);
    ast_node *sum = second->as.assign.value;
    assert_int_equal(sum->kind, AST_BINARY);
    assert_int_equal(sum->as.binary.op, AST_OP_ADD);
    assert_int_equal(sum->line, 2);
    assert_int_equal(sum->column, 7); /* the first token, foo */
    assert_int_equal(sum->as.binary.operator_line, 2);
    assert_int_equal(sum->as.binary.operator_column, 21);
    ast_node *call = sum->as.binary.left;
    assert_int_equal(call->kind, AST_CALL);
    assert_int_equal(call->column, 7);
    assert_int_equal(call->as.call.arguments.count, 1);
    assert_int_equal(call->as.call.keywords.count, 1);
    ast_node *keyword = call->as.call.keywords.items[0];
    assert_int_equal(keyword->kind, AST_KEYWORD);
    assert_string_equal(keyword->as.keyword.name, "k");
    assert_int_equal(keyword->column, 14);
    assert_int_equal(keyword->as.keyword.value->column, 18);
    assert_int_equal(call->source_end - call->source_start, strlen("foo(a, k = b)"));

    ast_node *third = program->as.block.items[2];
    ast_node *product = third->as.assign.value;
    assert_int_equal(product->line, 3);
    assert_int_equal(product->column, 5); /* the '(' */
    assert_int_equal(product->as.binary.left->column, 5);
    ast_node *index = product->as.binary.right;
    assert_int_equal(index->kind, AST_INDEX);
    assert_int_equal(index->column, 15);
    assert_memory_equal(source + index->source_start, "r.s[0]", 6);
    assert_int_equal(index->source_end - index->source_start, 6);
    ast_free(program);

    /* first_line shifts every line number, errors included */
    assert_int_equal(parse_program("x = 1\ny = (", 10, &program, &error), PARSE_INCOMPLETE);
    assert_int_equal(error.line, 11);
    assert_int_equal(error.column, 6);
    assert_int_equal(parse_program("a\nb c", 41, &program, &error), PARSE_ERROR);
    assert_int_equal(error.line, 42);
    assert_int_equal(error.column, 3);
}

static void test_node_fields(void **state) {
    (void)state;
    ast_node *program = NULL;
    parse_error error;
    assert_int_equal(
        parse_program("def f(a, b) { return a }\nfor i in r { }\nx += \"s\\n\"", 1, &program,
                      &error),
        PARSE_OK);
    ast_node *def = program->as.block.items[0];
    assert_int_equal(def->kind, AST_DEF);
    assert_string_equal(def->as.def.name, "f");
    assert_int_equal(def->as.def.parameters.count, 2);
    assert_string_equal(def->as.def.parameters.items[1]->as.name, "b");
    assert_int_equal(def->as.def.parameters.items[1]->column, 10);
    assert_int_equal(def->as.def.body->kind, AST_BLOCK);
    ast_node *loop = program->as.block.items[1];
    assert_string_equal(loop->as.for_loop.variable, "i");
    assert_int_equal(loop->as.for_loop.body->as.block.count, 0);
    ast_node *update = program->as.block.items[2];
    assert_int_equal(update->as.assign.op, AST_OP_ADD);
    assert_string_equal(update->as.assign.target, "x");
    assert_string_equal(update->as.assign.value->as.string, "s\n");
    /* the uniform child view walks source order */
    assert_int_equal(ast_child_count(def), 3);
    assert_ptr_equal(ast_child(def, 2), def->as.def.body);
    assert_null(ast_child(def, 3));
    ast_free(program);

    assert_int_equal(parse_program("if a { 1 } else if b { 2 } else { 3 }\nf(x, k=1)", 1,
                                   &program, &error),
                     PARSE_OK);
    ast_node *branch = program->as.block.items[0];
    assert_int_equal(ast_child_count(branch), 5);
    assert_string_equal(ast_child(branch, 0)->as.name, "a");
    assert_int_equal(ast_child(branch, 1)->kind, AST_BLOCK);
    assert_string_equal(ast_child(branch, 2)->as.name, "b");
    assert_ptr_equal(ast_child(branch, 4), branch->as.if_statement.else_body);
    ast_node *call = program->as.block.items[1];
    assert_int_equal(ast_child_count(call), 3);
    assert_string_equal(ast_child(call, 1)->as.name, "x");
    assert_int_equal(ast_child(call, 2)->kind, AST_KEYWORD);
    ast_free(program);

    assert_string_equal(ast_kind_name(AST_ATTRIBUTE), "attribute");
    assert_string_equal(ast_operator_symbol(AST_OP_MATMUL), "@");
    assert_string_equal(token_kind_spelling(TOKEN_PLUS_ASSIGN), "+=");
    assert_string_equal(lexer_keyword(0), "and");
    int keywords = 0;
    while (lexer_keyword(keywords)) keywords++;
    assert_int_equal(keywords, 22);
}

/* ---- rendering errors for the user ---- */

static void check_format(const char *source, int first_line, const char *filename,
                         const char *expected) {
    parse_error error;
    parse_status status = parse_program(source, first_line, NULL, &error);
    assert_int_not_equal(status, PARSE_OK);
    char *text = parse_error_format(&error, source, first_line, filename, 0);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static char *repeat(const char *prefix, const char *piece, int count, const char *middle,
                    const char *closing, const char *suffix);

static void test_error_format(void **state) {
    (void)state;
    check_format("y = (1 + 2", 1, NULL,
                 "error: expected ')' to close '(' at 1:5\n"
                 "  y = (1 + 2\n"
                 "            ^\n");
    check_format("x = 1\ny = (1 2)\n", 1, "lesson.ag",
                 "lesson.ag:2:8: error: expected ')' to close '(' at 2:5\n"
                 "  y = (1 2)\n"
                 "         ^\n");
    check_format("a = 1\n\tb = $\r\n", 7, "s.ag",
                 "s.ag:8:6: error: invalid character '$'\n"
                 "  \tb = $\n"
                 "  \t    ^\n");
    /* UTF-8 in a string takes one column of width per character */
    check_format("print(\"h\xc3\xa9\") )", 1, NULL,
                 "error: unexpected token ')'\n"
                 "  print(\"h\xc3\xa9\") )\n"
                 "              ^\n");

    /* a long line is cut to 200 bytes around the caret, "..." where cut */
    char *line = repeat("y = ", "1 + ", 150, "(", "", "");
    char expected[1024];
    snprintf(expected, sizeof expected,
             "error: expected expression\n  ...%s\n  %*s^\n", line + strlen(line) - 200, 3 + 200, "");
    check_format(line, 1, NULL, expected);
    free(line);
    line = repeat("y = ", "1 + ", 150, "1", "", "");
    memcpy(line + 300, "$", 1);
    snprintf(expected, sizeof expected, "error: invalid character '$'\n  ...%.200s...\n  %*s^\n",
             line + 200, 3 + 100, "");
    check_format(line, 1, NULL, expected);
    free(line);
    line = repeat("$", " ", 500, "", "", "");
    snprintf(expected, sizeof expected, "error: invalid character '$'\n  %.200s...\n  ^\n", line);
    check_format(line, 1, NULL, expected);
    free(line);

    /* a line outside the source is left out */
    parse_error made_up = {.line = 9, .column = 3, .message = "boom"};
    char *text = parse_error_format(&made_up, "x\n", 1, NULL, 0);
    assert_string_equal(text, "error: boom\n");
    free(text);
    text = parse_error_format(&made_up, NULL, 1, "f.ag", 0);
    assert_string_equal(text, "f.ag:9:3: error: boom\n");
    free(text);
}

/* The error at `column` of the one-line `source` as a terminal of `columns`
 * shows it: its excerpt and caret lines (malloc'd, without '\n'). */
static void format_at(const char *source, int column, int columns, char **excerpt, char **caret) {
    parse_error error = {.line = 1, .column = column, .message = "m"};
    char *text = parse_error_format(&error, source, 1, NULL, columns);
    assert_non_null(text);
    char *first = strchr(text, '\n'), *second = first ? strchr(first + 1, '\n') : NULL;
    assert_non_null(second);
    assert_int_equal(second[1 + strcspn(second + 1, "\n")], '\n');
    *excerpt = strndup(first + 1, (size_t)(second - first - 1));
    *caret = strndup(second + 1, strcspn(second + 1, "\n"));
    free(text);
}

/* Characters in s (UTF-8 continuation bytes take none). */
static size_t text_columns(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void test_error_format_terminal(void **state) {
    (void)state;
    char *excerpt, *caret;
    /* the QA case: a 170-character loop at 100 columns, the error on the @ */
    const char *loop = "for epoch in range(100000000) { n = n + 1; a_long_name_number_one = n * 2; "
                       "a_long_name_number_two = n * 3; a_long_name_number_three = n * 4; "
                       "zz = zeros([2, 3]) @ ones([4, 2]) }";
    int at = (int)(strchr(loop, '@') - loop) + 1;
    format_at(loop, at, 100, &excerpt, &caret);
    assert_string_equal(excerpt, "  ..._name_number_two = n * 3; a_long_name_number_three = n * 4; "
                                 "zz = zeros([2, 3]) @ ones([4, 2]) }");
    assert_string_equal(caret, "                                                                  "
                               "                  ^");
    free(excerpt), free(caret);
    /* a cut at both ends: half the room before the caret */
    format_at(loop, 50, 40, &excerpt, &caret);
    assert_string_equal(excerpt, "  ... = n + 1; a_long_name_number_one...");
    assert_string_equal(caret, "                     ^");
    free(excerpt), free(caret);
    /* near the start: no mark before, the room is the row's */
    format_at(loop, 3, 30, &excerpt, &caret);
    assert_string_equal(excerpt, "  for epoch in range(100000...");
    assert_string_equal(caret, "    ^");
    free(excerpt), free(caret);
    /* a line that fits the row, caret after its end included, is whole */
    format_at("y = (1 + 2", 11, 22, &excerpt, &caret);
    assert_string_equal(excerpt, "  y = (1 + 2");
    assert_string_equal(caret, "            ^");
    free(excerpt), free(caret);
    format_at("y = (1 + 2 + 3 + 4 + 5", 23, 25, &excerpt, &caret); /* 22 + the caret past it: 25 */
    assert_string_equal(excerpt, "  y = (1 + 2 + 3 + 4 + 5");
    free(excerpt), free(caret);
    format_at("y = (1 + 2 + 3 + 4 + 5", 23, 24, &excerpt, &caret); /* one column short: cut */
    assert_string_equal(excerpt, "  ...(1 + 2 + 3 + 4 + 5");
    assert_string_equal(caret, "                       ^");
    free(excerpt), free(caret);
    /* a narrower width than PARSE_ERROR_MIN_COLUMNS is no terminal: the 200-byte rule */
    format_at(loop, at, 19, &excerpt, &caret);
    assert_string_equal(excerpt + 2, loop);
    free(excerpt), free(caret);

    /* every position and width: both lines fit the row, the caret is under
     * the error's character, "..." where cut; UTF-8 characters stay whole */
    const char *lines[] = {loop, "s = \"\xc3\xa9t\xc3\xa9 \xe2\x88\xbf \xc3\xa9t\xc3\xa9 \xe2\x88\xbf "
                                 "\xc3\xa9t\xc3\xa9\" + $ + \"\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9\""};
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        const char *line = lines[k];
        size_t length = strlen(line);
        for (int columns = PARSE_ERROR_MIN_COLUMNS; columns <= 120; columns++)
            for (size_t c = 0; c <= length; c++) {
                if (c < length && ((unsigned char)line[c] & 0xC0) == 0x80) continue;
                format_at(line, (int)c + 1, columns, &excerpt, &caret);
                if (text_columns(excerpt) > (size_t)columns || text_columns(caret) > (size_t)columns)
                    fail_msg("at %d columns, column %zu: '%s' / '%s' do not fit", columns, c + 1, excerpt, caret);
                size_t under = strlen(caret) - 1; /* blanks, one for each character before the caret */
                bool cut_before = strncmp(excerpt, "  ...", 5) == 0 && strncmp(line, "...", 3) != 0;
                const char *shown = excerpt + (cut_before ? 5 : 2);
                assert_int_equal(caret[under], '^');
                size_t shown_length = strlen(shown);
                bool cut_after = shown_length >= 3 && strcmp(shown + shown_length - 3, "...") == 0;
                if (cut_after) shown_length -= 3;
                /* where the shown part is in line: the last place at or before the caret */
                const char *p = NULL;
                for (size_t i = 0; i <= c && i + shown_length <= length; i++)
                    if (memcmp(line + i, shown, shown_length) == 0) p = line + i;
                assert_non_null(p);
                assert_true(strspn(caret, " ") == under);
                assert_true(((unsigned char)p[0] & 0xC0) != 0x80 && ((unsigned char)p[shown_length] & 0xC0) != 0x80);
                assert_true(cut_before == (p > line));
                assert_true(cut_after == (p + shown_length < line + length));
                size_t before = 0; /* characters of the shown part before the caret's */
                for (const char *q = p; q < line + c; q++) before += ((unsigned char)*q & 0xC0) != 0x80;
                if (before + (cut_before ? 5 : 2) != under)
                    fail_msg("at %d columns, column %zu: the caret under character %zu, not %zu: '%s' / '%s'",
                             columns, c + 1, under, before + (cut_before ? 5 : 2), excerpt, caret);
                free(excerpt), free(caret);
            }
    }
}

static void test_is_command(void **state) {
    (void)state;
    assert_true(parse_is_command(":vars"));
    assert_true(parse_is_command("  :help plot"));
    assert_true(parse_is_command("\t:quit"));
    assert_false(parse_is_command("x = 1"));
    assert_false(parse_is_command("x = 1 # :vars"));
    assert_false(parse_is_command(""));
    assert_false(parse_is_command(NULL));
}

/* ---- limits: no input overflows the stack ---- */

/* A string of `count` copies of `piece` between prefix and suffix; caller frees. */
static char *repeat(const char *prefix, const char *piece, int count, const char *middle,
                    const char *closing, const char *suffix) {
    size_t size = strlen(prefix) + (strlen(piece) + strlen(closing)) * (size_t)count +
                  strlen(middle) + strlen(suffix) + 1;
    char *text = malloc(size);
    assert_non_null(text);
    char *p = text;
    p += sprintf(p, "%s", prefix);
    for (int i = 0; i < count; i++) p += sprintf(p, "%s", piece);
    p += sprintf(p, "%s", middle);
    for (int i = 0; i < count; i++) p += sprintf(p, "%s", closing);
    sprintf(p, "%s", suffix);
    return text;
}

static parse_status parse_quietly(const char *source, parse_error *error) {
    ast_node *program = NULL;
    parse_status status = parse_program(source, 1, &program, error);
    ast_free(program);
    return status;
}

static void test_nesting_limits(void **state) {
    (void)state;
    parse_error error;
    char *text = repeat("x = ", "(", 150, "1", ")", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);

    text = repeat("x = ", "(", 100000, "1", ")", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    assert_int_equal(error.line, 1);
    /* 200 levels: the statement's expression and 199 parentheses; the
     * expression inside the 200th '(' is one too many */
    assert_int_equal(error.column, 5 + 200);
    free(text);

    /* deep but unfinished is still an error, not incomplete */
    text = repeat("", "[", 5000, "", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    text = repeat("", "-", 100000, "x", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    text = repeat("", "f(", 100000, "", ")", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    text = repeat("", "2^", 100000, "2", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    text = repeat("", "if x {", 100, "y", "}", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);

    text = repeat("", "for i in x {\n", 100000, "y", "}", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "blocks nested too deeply");
    free(text);
}

/* Flat syntax that builds a tall tree: the parser loops, then refuses the
 * tree so that recursive walkers stay safe -- except a chain of binary
 * operators, which is flat (walkers loop over its left spine). */
static void test_height_limit(void **state) {
    (void)state;
    parse_error error;
    char *text = repeat("x = 1", "+1", 500, "", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);

    text = repeat("x = 1", "+1", 200000, "", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);
    text = repeat("x = a", " * b - c", 100000, " and d or e", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);
    /* a chain inside each of 60 parentheses: nested 60 deep, fine */
    text = repeat("x = ", "(1 + 2 - ", 60, "3", ")", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_OK);
    free(text);
    /* the right operand nests: 1 + (1 + (1 + ...)) is deep */
    text = repeat("x = ", "1 + (", 100000, "1", ")", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    text = repeat("m", ".p", 200000, "", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expression nested too deeply");
    free(text);

    /* a syntax error at the end of a huge chain frees the partial tree */
    text = repeat("m", "[0]", 200000, " +", "", "");
    assert_int_equal(parse_quietly(text, &error), PARSE_ERROR);
    assert_string_equal(error.message, "expected expression");
    free(text);

    /* an else-if chain is flat: one node with many arms */
    text = repeat("if a { 0 }", " else if b { 1 }", 5000, " else { 2 }", "", "");
    ast_node *program = NULL;
    assert_int_equal(parse_program(text, 1, &program, &error), PARSE_OK);
    assert_int_equal(program->as.block.items[0]->as.if_statement.conditions.count, 5001);
    ast_free(program);
    free(text);

    /* many statements are siblings */
    text = repeat("", "x = x + 1\n", 100000, "", "", "");
    assert_int_equal(parse_program(text, 1, &program, &error), PARSE_OK);
    assert_int_equal(program->as.block.count, 100000);
    ast_free(program);
    free(text);
}

/* ast_free and ast_to_sexpr on a hand-built million-deep chain. */
static void test_deep_tree_by_hand(void **state) {
    (void)state;
    ast_node *chain = ast_new_name("x", 1, 1, 1);
    for (int i = 0; i < 1000000; i++) chain = ast_new_unary(AST_OP_NEGATE, chain, 1, 1);
    assert_non_null(chain);
    char *text = ast_to_sexpr(chain);
    assert_non_null(text);
    assert_true(strstr(text, "...") != NULL);
    assert_true(strncmp(text, "(- (- (- ", 9) == 0);
    free(text);
    ast_free(chain);

    /* NULL children propagate: the constructor frees what it was given */
    assert_null(ast_new_binary(AST_OP_ADD, ast_new_number(1, 1, 1), NULL, 1, 1));
    assert_null(ast_new_call(NULL));
    ast_free(NULL);
}

/* ---- fuzzing ---- */

/* splitmix64: seeded, the same sequence everywhere. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Parses source and source + "\n", which must agree exactly, and checks the
 * invariants of each status.  Returns the status. */
static parse_status check_fuzz_input(const char *source) {
    ast_node *program = NULL;
    parse_error error;
    parse_status status = parse_program(source, 1, &program, &error);
    size_t length = strlen(source);
    char *with_newline = malloc(length + 2);
    assert_non_null(with_newline);
    memcpy(with_newline, source, length);
    memcpy(with_newline + length, "\n", 2);
    ast_node *program_again = NULL;
    parse_error error_again;
    parse_status status_again = parse_program(with_newline, 1, &program_again, &error_again);
    if (status != status_again) fail_msg("status %d vs %d for [%s]", status, status_again, source);
    if (status == PARSE_OK) {
        assert_non_null(program);
        assert_int_equal(program->kind, AST_BLOCK);
        char *text = ast_to_sexpr(program);
        char *text_again = ast_to_sexpr(program_again);
        assert_non_null(text);
        assert_string_equal(text, text_again);
        free(text);
        free(text_again);
    } else {
        assert_null(program);
        assert_true(error.message[0] != '\0');
        assert_true(error.line >= 1);
        assert_true(error.column >= 1);
        if (error.line != error_again.line || error.column != error_again.column ||
            strcmp(error.message, error_again.message) != 0)
            fail_msg("[%s]: %d:%d %s vs %d:%d %s", source, error.line, error.column,
                     error.message, error_again.line, error_again.column, error_again.message);
        char *shown = parse_error_format(&error, source, 1, "fuzz.ag", 0);
        assert_non_null(shown);
        assert_true(strncmp(shown, "fuzz.ag:", 8) == 0);
        free(shown);
    }
    ast_free(program);
    ast_free(program_again);
    free(with_newline);
    return status;
}

static void test_fuzz_random_bytes(void **state) {
    (void)state;
    /* Bytes are drawn from a mix: anything, or the characters the lexer cares about. */
    static const char interesting[] = "()[]{},.;:=+-*/%@^<>!\"\\#\n\t eE0123456789._xyzif";
    uint64_t seed = 20240611;
    char source[96];
    int counts[3] = {0, 0, 0};
    for (int round = 0; round < 10000; round++) {
        int length = (int)(next_random(&seed) % 80);
        for (int i = 0; i < length; i++) {
            uint64_t r = next_random(&seed);
            char c = (r & 1) ? interesting[(r >> 8) % (sizeof interesting - 1)]
                             : (char)(1 + (r >> 8) % 255);
            source[i] = c;
        }
        source[length] = '\0';
        counts[check_fuzz_input(source)]++;
    }
    assert_int_equal(counts[0] + counts[1] + counts[2], 10000);
    assert_true(counts[PARSE_ERROR] > 0);
}

static void test_fuzz_token_soup(void **state) {
    (void)state;
    static const char *const vocabulary[] = {
        "x", "y", "f", "m", "1", "2.5", "1e-3", ".5", "\"s\"", "true", "false", "pi",
        "(", ")", "[", "]", "{", "}", ",", ".", ";", "\n", "=", "+=", "-=", "*=", "/=",
        "+", "-", "*", "/", "%", "@", "^", "==", "!=", "<", "<=", ">", ">=", "and", "or",
        "not", "def", "for", "in", "if", "else", "nograd", "testmode", "break", "continue",
        "return", "#c\n", "k=", "range(3)", "x.grad", "$", "\"open",
    };
    const int words = (int)(sizeof vocabulary / sizeof vocabulary[0]);
    uint64_t seed = 77;
    char source[1024];
    int counts[3] = {0, 0, 0};
    for (int round = 0; round < 10000; round++) {
        int tokens = (int)(next_random(&seed) % 40);
        size_t length = 0;
        source[0] = '\0';
        for (int i = 0; i < tokens; i++) {
            uint64_t r = next_random(&seed);
            const char *word = vocabulary[r % (uint64_t)words];
            length += (size_t)snprintf(source + length, sizeof source - length, "%s%s", word,
                                       (r >> 32) % 3 == 0 ? "" : " ");
        }
        counts[check_fuzz_input(source)]++;
    }
    /* The soup reaches every outcome, so the invariants above were exercised. */
    assert_true(counts[PARSE_OK] > 0);
    assert_true(counts[PARSE_ERROR] > 0);
    assert_true(counts[PARSE_INCOMPLETE] > 0);
}

/* Valid programs built at random from the grammar must all parse. */
static void test_fuzz_grammar(void **state) {
    (void)state;
    static const char *const atoms[] = {"x", "1", "2.5", "\"s\"", "true", "[1, 2]", "f(x)",
                                        "m.p", "x[0]", "g(a, k=1)"};
    static const char *const operators[] = {" + ", " - ", " * ", " / ", " % ", " @ ", " ^ ",
                                            " == ", " < ", " and ", " or "};
    uint64_t seed = 4242;
    char source[2048];
    for (int round = 0; round < 2000; round++) {
        size_t length = (size_t)snprintf(source, sizeof source, "y = ");
        int terms = 1 + (int)(next_random(&seed) % 8);
        int open = 0;
        bool comparison_at_level[16] = {false};
        for (int i = 0; i < terms; i++) {
            uint64_t r = next_random(&seed);
            if (r % 4 == 0 && open < 15) {
                length += (size_t)snprintf(source + length, sizeof source - length, "%s",
                                           r % 8 == 0 ? "-(" : "(");
                open++;
                comparison_at_level[open] = false;
            }
            length += (size_t)snprintf(source + length, sizeof source - length, "%s",
                                       atoms[(r >> 8) % 10]);
            if ((r >> 16) % 3 == 0 && open > 0) {
                length += (size_t)snprintf(source + length, sizeof source - length, ")");
                open--;
            }
            if (i + 1 < terms) {
                int op = (int)((r >> 24) % 11);
                /* == and < are non-associative: never two at one level */
                if ((op == 7 || op == 8) && comparison_at_level[open]) op = 0;
                if (op == 7 || op == 8 || op == 9 || op == 10) comparison_at_level[open] = true;
                length += (size_t)snprintf(source + length, sizeof source - length, "%s",
                                           operators[op]);
            }
        }
        while (open-- > 0) length += (size_t)snprintf(source + length, sizeof source - length, ")");
        ast_node *program = NULL;
        parse_error error;
        parse_status status = parse_program(source, 1, &program, &error);
        if (status != PARSE_OK)
            fail_msg("[%s] %d:%d %s", source, error.line, error.column, error.message);
        ast_free(program);
    }
}

/* Parses source the way session_run does, one piece (split.h) at a time:
 * the first status other than PARSE_OK with its error, and every statement
 * of the pieces as S-expressions, one a line, in *statements. */
static parse_status parse_by_pieces(const char *source, parse_error *error, char *statements, size_t size) {
    size_t at = 0, length = strlen(source), used = 0;
    int line = 1;
    statements[0] = '\0';
    while (at < length) {
        int lines;
        size_t end = split_piece_end(source, at, length, &lines);
        assert_true(end > at);
        char *piece = strndup(source + at, end - at);
        ast_node *program = NULL;
        parse_status status = parse_program(piece, line, &program, error);
        free(piece);
        if (status != PARSE_OK) return status;
        for (int i = 0; i < program->as.block.count; i++) {
            char *text = ast_to_sexpr(program->as.block.items[i]);
            used += (size_t)snprintf(statements + used, size - used, "%s\n", text);
            free(text);
        }
        ast_free(program);
        at = end;
        line += lines;
    }
    return PARSE_OK;
}

/* Whether parsing source by pieces says what parsing it whole says: the
 * same statements, or the same first error at the same place, or unfinished
 * the same.  Returns the whole's status; fails the test otherwise. */
static parse_status check_pieces(const char *source) {
    static char whole[8192], pieces[8192];
    ast_node *program = NULL;
    parse_error whole_error, piece_error;
    parse_status whole_status = parse_program(source, 1, &program, &whole_error);
    size_t used = 0;
    whole[0] = '\0';
    for (int i = 0; program && i < program->as.block.count; i++) {
        char *text = ast_to_sexpr(program->as.block.items[i]);
        used += (size_t)snprintf(whole + used, sizeof whole - used, "%s\n", text);
        free(text);
    }
    ast_free(program);
    parse_status piece_status = parse_by_pieces(source, &piece_error, pieces, sizeof pieces);
    if (piece_status != whole_status)
        fail_msg("[%s]: whole %d, by pieces %d (%d:%d %s)", source, whole_status, piece_status,
                 piece_error.line, piece_error.column, piece_error.message);
    if (whole_status == PARSE_OK && strcmp(whole, pieces) != 0)
        fail_msg("[%s]: whole\n%s\nby pieces\n%s", source, whole, pieces);
    if (whole_status != PARSE_OK &&
        (whole_error.line != piece_error.line || whole_error.column != piece_error.column ||
         strcmp(whole_error.message, piece_error.message) != 0))
        fail_msg("[%s]: whole %d:%d %s, by pieces %d:%d %s", source, whole_error.line, whole_error.column,
                 whole_error.message, piece_error.line, piece_error.column, piece_error.message);
    return whole_status;
}

/* Cutting source into pieces changes nothing the parser says: cases where a
 * wrong cut would show (an else on a later line, brackets in strings and
 * comments, escaped quotes), each with the pieces it must make, then
 * random token soups with newlines, brackets, strings, comments and else. */
static void test_pieces_parse_as_the_whole(void **state) {
    (void)state;
    static const struct {
        const char *source;
        int pieces;
    } cases[] = {
        {"x = 1\ny = 2\n", 2},
        {"if x {\n  y\n}\nelse {\n  z\n}\nw\n", 2},
        {"if x { y }\n\n# a note\n  else { z }\nw\n", 2},
        {"if x { y }\nelsewhere = 2\n", 2},
        {"f(1, \"}\"\n, 2)\nz\n", 2},
        {"f(1, \"\\\"}\"\n, 2)\nz\n", 2},
        {"f(1, \"\\\\\" # )\n, 2)\nz\n", 2},
        {"f(1, # )\n 2)\nz\n", 2},
        {"for i in range(2) {\n  y = [1,\n 2]\n}\nz\n", 2},
        {"x = 1 +\n2\n", 2},
        {"}\nx\n", 2},
        {"x = (1,\n2 3\ny = 3\n", 1},
        {"s = \"open\nt = (\n", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_pieces(cases[i].source);
        size_t at = 0, length = strlen(cases[i].source);
        int count = 0, lines;
        while (at < length) at = split_piece_end(cases[i].source, at, length, &lines), count++;
        if (count != cases[i].pieces)
            fail_msg("[%s]: %d pieces, want %d", cases[i].source, count, cases[i].pieces);
    }
    static const char *const vocabulary[] = {
        "x", "y", "f", "1", "\"s\"", "\"(\"", "\"}\\\"\"", "(", ")", "[", "]", "{", "}", ",", ";",
        "\n", "\n", "\n", "=", "+", "-", "*", "if", "else", "for", "in", "def", "#c(\n", "#\n",
        "k=", "range(3)", "\"open", "x.grad", "  ", "\n\n",
    };
    const int words = (int)(sizeof vocabulary / sizeof vocabulary[0]);
    uint64_t seed = 3003;
    char source[1024];
    int counts[3] = {0, 0, 0};
    for (int round = 0; round < 20000; round++) {
        int tokens = (int)(next_random(&seed) % 40);
        size_t length = 0;
        source[0] = '\0';
        for (int i = 0; i < tokens; i++) {
            uint64_t r = next_random(&seed);
            length += (size_t)snprintf(source + length, sizeof source - length, "%s%s",
                                       vocabulary[r % (uint64_t)words], (r >> 32) % 3 == 0 ? "" : " ");
        }
        counts[check_pieces(source)]++;
    }
    assert_true(counts[PARSE_OK] > 100 && counts[PARSE_ERROR] > 100 && counts[PARSE_INCOMPLETE] > 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_parse_as_the_whole),
        cmocka_unit_test(test_parse_cases),
        cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_error_format_terminal),
        cmocka_unit_test(test_incomplete_then_complete),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_node_fields),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_is_command),
        cmocka_unit_test(test_nesting_limits),
        cmocka_unit_test(test_height_limit),
        cmocka_unit_test(test_deep_tree_by_hand),
        cmocka_unit_test(test_fuzz_random_bytes),
        cmocka_unit_test(test_fuzz_token_soup),
        cmocka_unit_test(test_fuzz_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
