/* parser.h — agrepl source text to a syntax tree.
 *
 * Grammar (each rule is repeated above its function in parser.c):
 *
 *   program    := { statement separator } EOF        separator: newline or ';'
 *   statement  := def | for | if | nograd | testmode | 'break' | 'continue'
 *               | 'return' [ expression ] | NAME assign_op expression | expression
 *   assign_op  := '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '//=' | '^=' | '**='
 *   def        := 'def' NAME '(' [ NAME { ',' NAME } [ ',' ] ] ')' ( '=' expression | block )
 *   for        := 'for' NAME 'in' expression block
 *   if         := 'if' expression block [ 'else' ( if | block ) ]
 *   nograd     := 'nograd' block              testmode := 'testmode' block
 *   block      := '{' { statement separator } '}'
 *   expression := binary operators over unary and postfix expressions, from
 *                 the one table in parser.c; loosest first:
 *                   or | and | not (prefix) | == != < <= > >= | + - | * / % @
 *                   | unary - + | ^ (right-assoc; its right operand may be unary)
 *   postfix    := primary { '(' arguments ')' | '.' NAME | '[' expression { ',' expression } ']' }
 *   arguments  := [ argument { ',' argument } [ ',' ] ]   positional before keyword
 *   argument   := NAME '=' expression | expression
 *   primary    := NUMBER | STRING | 'true' | 'false' | NAME | '(' expression ')'
 *               | '[' [ expression { ',' expression } [ ',' ] ] ']'
 *
 * Choices the SPEC leaves open:
 *   - comparisons do not chain: `a < b < c` is an error ("comparisons cannot
 *     be chained; use 'and'"); `(a < b) < c` is allowed;
 *   - `-x^2` is -(x^2), `2^3^2` is 2^(3^2), `2^-1` is 2^(-1), `not a == b` is
 *     not (a == b), `-a * b` is (-a) * b;
 *   - only a name can be assigned (`x.data = e` is an error);
 *   - `else` may follow `}` on the same line or on a later line; `{` must be
 *     on the line of its for/if/else/def/nograd/testmode;
 *   - trailing commas are accepted in lists, calls, indexing and parameters;
 *   - break/continue outside a for loop and return outside a def body are
 *     parse errors; a def body does not see the loops around the def.
 *
 * The parser never aborts: on error it frees what it built and returns a
 * status with the first error's position and message.  Nesting deeper than
 * 200 levels, or a tree nested deeper than AST_MAX_HEIGHT, is an error
 * ("expression nested too deeply", "blocks nested too deeply"), so no input
 * overflows the stack here or in a recursive evaluator.  A flat chain of
 * left-associative operators (a sum of a million terms) is not nesting: it
 * parses in a loop, and walkers loop over its left spine. */
#ifndef PARSER_H
#define PARSER_H

#include <stdbool.h>

#include "ast.h"

/* Same values as REPL_OK, REPL_ERROR, REPL_INCOMPLETE in repl.h. */
typedef enum parse_status {
    PARSE_OK = 0,
    PARSE_ERROR = 1,
    PARSE_INCOMPLETE = 2, /* the input ended inside an open (, [ or { ; see parse_program */
} parse_status;

typedef struct parse_error {
    int line;          /* 1-based, counted from first_line */
    int column;        /* 1-based byte column */
    char message[160]; /* e.g. "expected ')' to close '(' at 1:4" */
} parse_error;

/* Parses the NUL-terminated `source` into an AST_BLOCK of its statements;
 * line numbers start at first_line (values < 1 mean 1).
 *   PARSE_OK: *program is the tree, owned by the caller (ast_free); with
 *     program NULL the tree is freed at once (a syntax check).
 *   PARSE_ERROR: *program is NULL, *error says what and where.
 *   PARSE_INCOMPLETE: like PARSE_ERROR, but the only trouble is that the
 *     input ended too soon, inside an open ( or [ (`(1 +`, `[1, 2,`), or
 *     inside { } where the next statement or the '}' would go (`for i in
 *     range(3) {`); an interactive front end asks for another line, a script
 *     reports *error as it is.
 * Everything else is PARSE_ERROR, even at the end of input: a lexical error
 * (unterminated string, invalid character), a dangling operator outside
 * brackets (`x = 1 +`) or mid-statement inside braces (`{ y = 1 +`, since
 * a newline there ends the statement).  Appending "\n" to the source never
 * changes the result. */
parse_status parse_program(const char *source, int first_line, ast_node **program,
                           parse_error *error);

/* The error as the user sees it, owned by the caller (NULL on no memory):
 *
 *   error: expected ')' to close '(' at 1:5
 *     y = (1 + 2
 *               ^
 *
 * Line 1 is "error: MESSAGE", or "FILE:LINE:COL: error: MESSAGE" when
 * filename is not NULL.  Lines 2 and 3, present when the error's line exists
 * in `source` (read with the same first_line), show that line indented by
 * two spaces and a caret under the error's column: tabs in the line are
 * copied so the caret stays aligned, and UTF-8 continuation bytes take no
 * width.  A line longer than 200 bytes is cut to 200 around the caret, with
 * "..." where it was cut.  With `columns` of at least PARSE_ERROR_MIN_COLUMNS
 * (the width of the terminal the text goes to; 0 when it goes to none) the
 * line is cut instead so that it and the caret's line each fit one row of
 * the terminal, "..." included, counting a character as one column and a
 * tab as eight.  Every line ends in '\n'. */
#define PARSE_ERROR_MIN_COLUMNS 20
char *parse_error_format(const parse_error *error, const char *source, int first_line,
                         const char *filename, int columns);

/* True when `line` is a session command: its first character other than
 * spaces and tabs is ':' (`:vars`, `  :help plot`).  NULL is not a command. */
bool parse_is_command(const char *line);

#endif
