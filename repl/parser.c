/* parser.c — recursive descent over the token list: statements, blocks and
 * the entry points, with the parser's error reporting.  Expressions (the
 * operator table, precedence climbing, calls, indexing, literals) are in
 * parse_expr.c; what the two share is in parser_internal.h.  Every parse
 * function returns a node it owns or NULL after recording the first error;
 * partial trees are freed on the way up. */
#include "parser.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "lexer.h"
#include "parser_internal.h"
#include "strbuf.h"

/* ---- errors ---- */

static int saturating_add(int a, size_t b) {
    return b > (size_t)(INT_MAX - a) ? INT_MAX : a + (int)b;
}

/* Records the first error, at token `index`.  At a lexical error token the
 * lexer's message wins (it is what is really wrong there).  At a newline or
 * the end of input the error sits just after the last real token, where the
 * missing piece belongs. */
void parse_fail_at(parser *p, int index, const char *format, ...) {
    if (p->failed) return;
    p->failed = true;
    const token *at = &p->tokens[index];
    p->error->line = at->line;
    p->error->column = at->column;
    if (at->kind == TOKEN_ERROR) {
        snprintf(p->error->message, sizeof p->error->message, "%s", p->list->error_message);
    } else {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(p->error->message, sizeof p->error->message, format, arguments);
        va_end(arguments);
    }
    if (at->kind == TOKEN_EOF || at->kind == TOKEN_NEWLINE) {
        int before = index - 1;
        while (before >= 0 && p->tokens[before].kind == TOKEN_NEWLINE) before--;
        if (before >= 0) {
            p->error->line = p->tokens[before].line;
            p->error->column = saturating_add(p->tokens[before].column, p->tokens[before].length);
        }
    }
    p->failed_at_end = at->kind == TOKEN_EOF;
}

/* Allocation failures report at the current token, whatever it is. */
void *parse_out_of_memory(parser *p) {
    if (!p->failed) {
        p->failed = true;
        p->error->line = current(p)->line;
        p->error->column = current(p)->column;
        snprintf(p->error->message, sizeof p->error->message, "out of memory");
    }
    return NULL;
}

void parse_fail_unexpected(parser *p) {
    const token *t = current(p);
    if (t->kind == TOKEN_EOF)
        fail(p, "unexpected end of input");
    else if (t->kind == TOKEN_NEWLINE)
        fail(p, "unexpected newline");
    else if (t->kind == TOKEN_NAME && t->length == 4 && memcmp(t->start, "elif", 4) == 0)
        fail(p, "unexpected token 'elif'; Python's elif is written else if here");
    else
        fail(p, "unexpected token '%.*s%s'", SHOWN_LENGTH(t), t->start, SHOWN_MORE(t));
}

/* "expected ')' to close '(' at 1:4", at the token found instead. */
void parse_fail_unclosed(parser *p, const token *opener, token_kind closer) {
    fail(p, "expected '%s' to close '%s' at %d:%d", token_kind_spelling(closer),
         token_kind_spelling(opener->kind), opener->line, opener->column);
}

/* ---- helpers ---- */

static bool assignment_operator(token_kind kind, ast_operator *op) {
    switch (kind) {
    case TOKEN_ASSIGN: *op = AST_OP_NONE; return true;
    case TOKEN_PLUS_ASSIGN: *op = AST_OP_ADD; return true;
    case TOKEN_MINUS_ASSIGN: *op = AST_OP_SUBTRACT; return true;
    case TOKEN_STAR_ASSIGN: *op = AST_OP_MULTIPLY; return true;
    case TOKEN_SLASH_ASSIGN: *op = AST_OP_DIVIDE; return true;
    case TOKEN_PERCENT_ASSIGN: *op = AST_OP_MODULO; return true;
    case TOKEN_SLASH_SLASH_ASSIGN: *op = AST_OP_FLOOR_DIVIDE; return true;
    case TOKEN_CARET_ASSIGN: *op = AST_OP_POWER; return true;
    default: return false;
    }
}

static bool at_statement_end(const parser *p) {
    token_kind kind = current(p)->kind;
    return kind == TOKEN_NEWLINE || kind == TOKEN_SEMICOLON || kind == TOKEN_EOF ||
           kind == TOKEN_RIGHT_BRACE;
}

/* ---- statements ---- */

static ast_node *parse_statement(parser *p);

/* The input ended where a block could take another statement: the one
 * kind of error inside { } that another line of input may fix. */
static void fail_unclosed_block(parser *p, const token *opener) {
    if (!p->failed) p->failed_between_statements = true;
    parse_fail_unclosed(p, opener, TOKEN_RIGHT_BRACE);
}

/* statements := { separator } [ statement { separator { separator } statement } ] { separator }
 * up to '}' (opener given) or the end of input (opener NULL); the closer
 * is left for the caller. */
static bool parse_statements(parser *p, ast_list *list, const token *opener) {
    token_kind closer = opener ? TOKEN_RIGHT_BRACE : TOKEN_EOF;
    for (;;) {
        while (check(p, TOKEN_NEWLINE) || check(p, TOKEN_SEMICOLON)) advance(p);
        if (check(p, closer)) return true;
        if (opener && check(p, TOKEN_EOF)) {
            fail_unclosed_block(p, opener);
            return false;
        }
        ast_node *statement = parse_statement(p);
        if (!statement) return false;
        if (!ast_list_append(list, statement)) {
            parse_out_of_memory(p);
            return false;
        }
        token_kind next = current(p)->kind;
        if (next == TOKEN_NEWLINE || next == TOKEN_SEMICOLON || next == closer) continue;
        if (opener && next == TOKEN_EOF)
            fail_unclosed_block(p, opener);
        else
            parse_fail_unexpected(p);
        return false;
    }
}

/* block := '{' statements '}'    `owner` names the construct for the message. */
static ast_node *parse_block(parser *p, const char *owner) {
    int start = p->position;
    const token *opener = current(p);
    if (opener->kind == TOKEN_COLON) { /* Python's `for i in range(3):` */
        fail(p, "expected '{' after %s, not ':' (a block is { ... } here, not indented lines)", owner);
        return NULL;
    }
    if (opener->kind != TOKEN_LEFT_BRACE) {
        fail(p, "expected '{' after %s", owner);
        return NULL;
    }
    if (p->nesting >= PARSER_MAX_NESTING) {
        fail(p, "blocks nested too deeply");
        return NULL;
    }
    ast_node *block = ast_new(AST_BLOCK, opener->line, opener->column);
    if (!block) return parse_out_of_memory(p);
    advance(p);
    p->nesting++;
    p->blocks++;
    bool ok = parse_statements(p, &block->as.block, opener);
    p->blocks--;
    p->nesting--;
    if (!ok) {
        ast_free(block);
        return NULL;
    }
    advance(p);
    return finish(p, block, start);
}

/* def := 'def' NAME '(' [ parameter { ',' parameter } [ ',' ] ] ')' ( '=' expression | block )
 * parameter := NAME [ '=' expression ]   (defaults last, as in Python) */
static ast_node *parse_def(parser *p) {
    int start = p->position;
    const token *keyword = current(p);
    advance(p);
    const token *name = current(p);
    if (name->kind != TOKEN_NAME) {
        fail(p, "expected function name after 'def'");
        return NULL;
    }
    advance(p);
    ast_node *node = ast_new_def(name->start, name->length, keyword->line, keyword->column);
    if (!node) return parse_out_of_memory(p);
    ast_list *parameters = &node->as.def.parameters;
    const token *opener = current(p);
    if (opener->kind != TOKEN_LEFT_PAREN) {
        fail(p, "expected '(' after function name");
        goto failed;
    }
    advance(p);
    while (!check(p, TOKEN_RIGHT_PAREN)) {
        const token *parameter = current(p);
        if (parameter->kind != TOKEN_NAME) {
            if (parameter->kind == TOKEN_EOF)
                parse_fail_unclosed(p, opener, TOKEN_RIGHT_PAREN);
            else
                fail(p, "expected parameter name");
            goto failed;
        }
        for (int i = 0; i < parameters->count; i++) {
            if (same_text(parameter, parameters->items[i]->as.name)) {
                fail(p, "duplicate parameter '%.*s%s'", SHOWN_LENGTH(parameter), parameter->start,
                     SHOWN_MORE(parameter));
                goto failed;
            }
        }
        ast_node *parameter_node =
            ast_new_name(parameter->start, parameter->length, parameter->line, parameter->column);
        advance(p);
        if (!ast_list_append(parameters, finish(p, parameter_node, p->position - 1))) {
            parse_out_of_memory(p);
            goto failed;
        }
        if (check(p, TOKEN_ASSIGN)) {
            int keyword_start = p->position - 1;
            advance(p);
            ast_node *value = parse_expression(p);
            if (!value) goto failed;
            ast_node *keyword = finish(p, ast_new_keyword(parameter->start, parameter->length, value,
                                                          parameter->line, parameter->column),
                                       keyword_start);
            if (!ast_list_append(&node->as.def.defaults, keyword)) {
                parse_out_of_memory(p);
                goto failed;
            }
        } else if (node->as.def.defaults.count > 0) {
            parse_fail_at(p, p->position - 1, "parameter '%.*s%s' without a default follows one with a default",
                    SHOWN_LENGTH(parameter), parameter->start, SHOWN_MORE(parameter));
            goto failed;
        }
        if (accept(p, TOKEN_COMMA)) continue;
        if (check(p, TOKEN_RIGHT_PAREN)) break;
        parse_fail_unclosed(p, opener, TOKEN_RIGHT_PAREN);
        goto failed;
    }
    advance(p);
    if (accept(p, TOKEN_ASSIGN)) {
        node->as.def.body = parse_expression(p);
    } else if (check(p, TOKEN_LEFT_BRACE)) {
        /* A def body runs later, outside the loops around the def. */
        int enclosing_loops = p->loop_depth;
        p->loop_depth = 0;
        p->def_depth++;
        node->as.def.body = parse_block(p, "def");
        p->def_depth--;
        p->loop_depth = enclosing_loops;
    } else if (check(p, TOKEN_COLON)) { /* Python's `def f(x):` */
        fail(p, "expected '=' or '{' after def parameters, not ':' (def f(x) = e, or def f(x) { ... })");
    } else {
        fail(p, "expected '=' or '{' after def parameters");
    }
    if (!node->as.def.body) goto failed;
    return finish(p, node, start);
failed:
    ast_free(node);
    return NULL;
}

/* target  := NAME | '(' targets ')'
 * targets := target { ',' target } [ ',' ]
 * A pattern to bind, as Python's `i, (xb, tb)`: an AST_LIST of names and
 * patterns.  `single`: a lone target (`i`, `(a, b)`) comes back as it is,
 * not wrapped in a list of one. */
static ast_node *parse_targets(parser *p, bool single);

static ast_node *parse_target(parser *p) {
    int start = p->position;
    const token *t = current(p);
    if (t->kind == TOKEN_NAME) {
        ast_node *node = ast_new_name(t->start, t->length, t->line, t->column);
        if (!node) return parse_out_of_memory(p);
        advance(p);
        return finish(p, node, start);
    }
    if (t->kind != TOKEN_LEFT_PAREN) {
        fail(p, "expected a name to bind");
        return NULL;
    }
    if (p->nesting >= PARSER_MAX_NESTING) {
        fail(p, "expression nested too deeply");
        return NULL;
    }
    advance(p);
    p->nesting++;
    ast_node *inner = parse_targets(p, true);
    p->nesting--;
    if (!inner) return NULL;
    if (!accept(p, TOKEN_RIGHT_PAREN)) {
        parse_fail_unclosed(p, t, TOKEN_RIGHT_PAREN);
        ast_free(inner);
        return NULL;
    }
    return inner;
}

static ast_node *parse_targets(parser *p, bool single) {
    int start = p->position;
    const token *first = current(p);
    ast_node *item = parse_target(p);
    if (!item) return NULL;
    if (single && !check(p, TOKEN_COMMA)) return item;
    ast_node *list = ast_new(AST_LIST, first->line, first->column);
    if (!list) {
        ast_free(item);
        return parse_out_of_memory(p);
    }
    if (!ast_list_append(&list->as.list, item)) goto no_memory;
    while (accept(p, TOKEN_COMMA)) {
        if (!check(p, TOKEN_NAME) && !check(p, TOKEN_LEFT_PAREN)) break; /* a, b, */
        item = parse_target(p);
        if (!item) goto failed;
        if (!ast_list_append(&list->as.list, item)) goto no_memory;
    }
    return finish(p, list, start);
no_memory:
    parse_out_of_memory(p);
failed:
    ast_free(list);
    return NULL;
}

/* for := 'for' targets 'in' expression block */
static ast_node *parse_for(parser *p) {
    int start = p->position;
    const token *keyword = current(p);
    advance(p);
    const token *variable = current(p);
    if (variable->kind != TOKEN_NAME && variable->kind != TOKEN_LEFT_PAREN) {
        fail(p, "expected loop variable after 'for'");
        return NULL;
    }
    ast_node *targets = parse_targets(p, true);
    if (!targets) return NULL;
    if (!accept(p, TOKEN_IN)) {
        fail(p, "expected 'in' after loop variable");
        ast_free(targets);
        return NULL;
    }
    ast_node *iterable = parse_expression(p);
    if (!iterable) {
        ast_free(targets);
        return NULL;
    }
    bool one_name = targets->kind == AST_NAME;
    const char *name = one_name ? targets->as.name : "";
    ast_node *node = ast_new_for(name, strlen(name), iterable, keyword->line, keyword->column);
    if (!node) {
        ast_free(targets);
        return parse_out_of_memory(p);
    }
    if (one_name) ast_free(targets);
    else node->as.for_loop.targets = targets;
    p->loop_depth++;
    node->as.for_loop.body = parse_block(p, "for");
    p->loop_depth--;
    if (!node->as.for_loop.body) {
        ast_free(node);
        return NULL;
    }
    return finish(p, node, start);
}

/* while := 'while' expression block */
static ast_node *parse_while(parser *p) {
    int start = p->position;
    const token *keyword = current(p);
    advance(p);
    ast_node *condition = parse_expression(p);
    if (!condition) return NULL;
    ast_node *node = ast_new(AST_WHILE, keyword->line, keyword->column);
    if (!node) {
        ast_free(condition);
        return parse_out_of_memory(p);
    }
    node->as.while_loop.condition = condition;
    p->loop_depth++;
    node->as.while_loop.body = parse_block(p, "while");
    p->loop_depth--;
    if (!node->as.while_loop.body) {
        ast_free(node);
        return NULL;
    }
    return finish(p, node, start);
}

/* if := 'if' expression block [ 'else' ( if | block ) ]
 * An else-if chain becomes more arms of one node, built in a loop. */
static ast_node *parse_if(parser *p) {
    int start = p->position;
    const token *keyword = current(p);
    ast_node *node = ast_new(AST_IF, keyword->line, keyword->column);
    if (!node) return parse_out_of_memory(p);
    for (;;) {
        advance(p); /* 'if' */
        ast_node *condition = parse_expression(p);
        if (!condition) goto failed;
        if (!ast_list_append(&node->as.if_statement.conditions, condition)) goto no_memory;
        ast_node *body = parse_block(p, "if");
        if (!body) goto failed;
        if (!ast_list_append(&node->as.if_statement.bodies, body)) goto no_memory;
        /* `else` may start a later line: look past newlines, put them back if not. */
        int after_block = p->position;
        while (check(p, TOKEN_NEWLINE)) advance(p);
        if (!accept(p, TOKEN_ELSE)) {
            p->position = after_block;
            break;
        }
        if (check(p, TOKEN_IF)) continue;
        node->as.if_statement.else_body = parse_block(p, "else");
        if (!node->as.if_statement.else_body) goto failed;
        break;
    }
    return finish(p, node, start);
no_memory:
    parse_out_of_memory(p);
failed:
    ast_free(node);
    return NULL;
}

/* nograd := 'nograd' block      testmode := 'testmode' block */
static ast_node *parse_scope(parser *p) {
    int start = p->position;
    const token *keyword = current(p);
    bool nograd = keyword->kind == TOKEN_NOGRAD;
    ast_node *node = ast_new(nograd ? AST_NOGRAD : AST_TESTMODE, keyword->line, keyword->column);
    if (!node) return parse_out_of_memory(p);
    advance(p);
    node->as.scope.body = parse_block(p, nograd ? "nograd" : "testmode");
    if (!node->as.scope.body) {
        ast_free(node);
        return NULL;
    }
    return finish(p, node, start);
}

/* assignment := NAME assign_op expression */
static ast_node *parse_assignment(parser *p, ast_operator op) {
    int start = p->position;
    const token *target = current(p);
    advance(p);
    advance(p);
    ast_node *value = parse_expression(p);
    if (!value) return NULL;
    ast_node *node =
        ast_new_assign(target->start, target->length, op, value, target->line, target->column);
    if (!node) return parse_out_of_memory(p);
    return finish(p, node, start);
}

/* assignment := postfix '.' NAME assign_op expression
 * `target` is the parsed x.NAME (owned); the current token is the operator. */
static ast_node *parse_attribute_assignment(parser *p, ast_node *target, ast_operator op, int start) {
    advance(p);
    ast_node *value = parse_expression(p);
    if (!value) {
        ast_free(target);
        return NULL;
    }
    const char *name = target->as.attribute.name;
    ast_node *node = ast_new_assign(name, strlen(name), op, value, target->line, target->column);
    if (!node) {
        ast_free(target);
        return parse_out_of_memory(p);
    }
    node->as.assign.object = target->as.attribute.object;
    target->as.attribute.object = NULL;
    ast_free(target);
    return finish(p, node, start);
}

/* unpack := targets '=' expression { ',' expression } [ ',' ]
 * `a, b = f()`; a bare tuple on the right, `a, b = b, a`, is a list node. */
static ast_node *parse_unpack(parser *p) {
    int start = p->position;
    const token *first = current(p);
    ast_node *targets = parse_targets(p, false);
    if (!targets) return NULL;
    ast_operator op;
    if (!check(p, TOKEN_ASSIGN)) {
        if (assignment_operator(current(p)->kind, &op))
            fail(p, "'%.*s' cannot update several names at once; write one statement per name",
                 (int)current(p)->length, current(p)->start);
        else
            fail(p, "expected '=' after the names to unpack into");
        ast_free(targets);
        return NULL;
    }
    advance(p);
    int value_start = p->position;
    const token *value_token = current(p);
    ast_node *value = parse_expression(p);
    if (value && check(p, TOKEN_COMMA)) {
        ast_node *tuple = ast_new(AST_LIST, value_token->line, value_token->column);
        if (!tuple || !ast_list_append(&tuple->as.list, value)) {
            if (!tuple) ast_free(value);
            ast_free(tuple);
            value = parse_out_of_memory(p);
        } else {
            value = tuple;
            while (value && accept(p, TOKEN_COMMA)) {
                if (at_statement_end(p)) break;
                ast_node *item = parse_expression(p);
                if (!item || !ast_list_append(&tuple->as.list, item)) {
                    if (item) parse_out_of_memory(p);
                    ast_free(tuple);
                    value = NULL;
                }
            }
            if (value) finish(p, value, value_start);
        }
    }
    if (!value) {
        ast_free(targets);
        return NULL;
    }
    ast_node *node = ast_new(AST_UNPACK, first->line, first->column);
    if (!node) {
        ast_free(targets);
        ast_free(value);
        return parse_out_of_memory(p);
    }
    node->as.unpack.targets = targets;
    node->as.unpack.value = value;
    return finish(p, node, start);
}

/* set_item := postfix '[' indices ']' assign_op expression
 * `target` is the parsed x[...] (owned); the current token is the operator. */
static ast_node *parse_set_item(parser *p, ast_node *target, ast_operator op, int start) {
    advance(p);
    ast_node *value = parse_expression(p);
    if (!value) {
        ast_free(target);
        return NULL;
    }
    ast_node *node = ast_new(AST_SET_ITEM, target->line, target->column);
    if (!node) {
        ast_free(target);
        ast_free(value);
        return parse_out_of_memory(p);
    }
    node->as.set_item.target = target;
    node->as.set_item.op = op;
    node->as.set_item.value = value;
    return finish(p, node, start);
}

/* A token that starts an operand and is no operator: after a bare name it
 * makes `print loss`, Python 2's print statement. */
static bool starts_operand(token_kind kind) {
    return kind == TOKEN_NAME || kind == TOKEN_NUMBER || kind == TOKEN_STRING || kind == TOKEN_TRUE ||
           kind == TOKEN_FALSE || kind == TOKEN_NONE;
}

/* `print loss`, `len x`: an expression statement that is a built-in
 * function's bare name directly followed by an operand (the current token).
 * Records "unexpected token 'loss' after print; a call is written
 * print(loss)" at the operand (the operand in the call when it ends the
 * statement, else "..."), and returns true; false, recording nothing, for
 * anything else.  The parser cannot see the session's names: `len` may be
 * bound to a number there (`len = 3; len x`), so the message says how a
 * call is written, which is true either way, not that len is a function. */
static bool fail_call_without_parentheses(parser *p, const ast_node *expression) {
    const token *operand = current(p);
    if (expression->kind != AST_NAME || !starts_operand(operand->kind)) return false;
    const builtin_def *def = builtin_find(expression->as.name);
    if (def == NULL || def->fn == NULL) return false;
    token_kind after = peek(p, 1)->kind;
    bool alone = after == TOKEN_NEWLINE || after == TOKEN_SEMICOLON || after == TOKEN_EOF ||
                 after == TOKEN_RIGHT_BRACE;
    fail(p, "unexpected token '%.*s%s' after %s; a call is written %s(%.*s%s)", SHOWN_LENGTH(operand),
         operand->start, SHOWN_MORE(operand), def->name, def->name, alone ? SHOWN_LENGTH(operand) : 3,
         alone ? operand->start : "...", alone ? SHOWN_MORE(operand) : "");
    return true;
}

/* PyTorch's blocks typed as in Python: `with torch.no_grad():` (a name
 * `with` followed by more) and `no_grad { }`.  Records what the block is
 * here at the name and returns true; false, recording nothing, otherwise. */
static bool fail_python_block(parser *p, const ast_node *expression) {
    token_kind next = current(p)->kind;
    if (expression->kind != AST_NAME || next == TOKEN_NEWLINE || next == TOKEN_SEMICOLON || next == TOKEN_EOF ||
        next == TOKEN_RIGHT_BRACE)
        return false;
    const char *name = expression->as.name;
    if (strcmp(name, "with") == 0)
        fail(p, "there is no 'with' here: nograd { ... } is PyTorch's with torch.no_grad():, and "
                "testmode { ... } its model.eval()");
    else if (strcmp(name, "no_grad") == 0 && next == TOKEN_LEFT_BRACE)
        fail(p, "unexpected '{' after %s; the block is written nograd { ... }", name);
    else
        return false;
    return true;
}

/* statement := def | for | while | if | nograd | testmode | 'break' | 'continue'
 *            | 'return' [ expression ] | assignment | unpack | set_item | expression */
static ast_node *parse_statement(parser *p) {
    int start = p->position;
    const token *t = current(p);
    ast_operator op;
    switch (t->kind) {
    case TOKEN_DEF: return parse_def(p);
    case TOKEN_FOR: return parse_for(p);
    case TOKEN_WHILE: return parse_while(p);
    case TOKEN_IF: return parse_if(p);
    case TOKEN_NOGRAD:
    case TOKEN_TESTMODE: return parse_scope(p);
    case TOKEN_BREAK:
    case TOKEN_CONTINUE: {
        bool is_break = t->kind == TOKEN_BREAK;
        if (p->loop_depth == 0) {
            fail(p, "'%s' outside loop", is_break ? "break" : "continue");
            return NULL;
        }
        ast_node *node = ast_new(is_break ? AST_BREAK : AST_CONTINUE, t->line, t->column);
        if (!node) return parse_out_of_memory(p);
        advance(p);
        return finish(p, node, start);
    }
    case TOKEN_RETURN: {
        if (p->def_depth == 0) {
            fail(p, "'return' outside def");
            return NULL;
        }
        ast_node *node = ast_new(AST_RETURN, t->line, t->column);
        if (!node) return parse_out_of_memory(p);
        advance(p);
        if (!at_statement_end(p)) {
            node->as.return_statement.value = parse_expression(p);
            if (!node->as.return_statement.value) {
                ast_free(node);
                return NULL;
            }
        }
        return finish(p, node, start);
    }
    case TOKEN_NAME:
        if (assignment_operator(peek(p, 1)->kind, &op)) return parse_assignment(p, op);
        if (peek(p, 1)->kind == TOKEN_COMMA) return parse_unpack(p);
        break;
    default: break;
    }
    ast_node *expression = parse_expression(p);
    if (expression && assignment_operator(current(p)->kind, &op)) {
        if (expression->kind == AST_ATTRIBUTE) return parse_attribute_assignment(p, expression, op, start);
        if (expression->kind == AST_INDEX) return parse_set_item(p, expression, op, start);
        parse_fail_at(p, start, "can only assign to a name, an attribute (x.data, x.grad) or an item (x[i])");
        ast_free(expression);
        return NULL;
    }
    if (expression && (fail_call_without_parentheses(p, expression) || fail_python_block(p, expression))) {
        ast_free(expression);
        return NULL;
    }
    return expression;
}

/* ---- entry points ---- */

/* The first node nested deeper than AST_MAX_HEIGHT, or NULL; the recursion
 * stops there, so it is bounded too. */
static const ast_node *too_deep(const ast_node *node, int depth) {
    if (depth > AST_MAX_HEIGHT) return node;
    /* a chain a + b - c ... is flat, not nested: its left spine stays at this
     * depth and is walked in a loop */
    while (node->kind == AST_BINARY && node->as.binary.left && node->as.binary.left->kind == AST_BINARY) {
        const ast_node *found = node->as.binary.right ? too_deep(node->as.binary.right, depth + 1) : NULL;
        if (found) return found;
        node = node->as.binary.left;
    }
    int count = ast_child_count(node);
    for (int i = 0; i < count; i++) {
        const ast_node *child = ast_child(node, i);
        const ast_node *found = child ? too_deep(child, depth + 1) : NULL;
        if (found) return found;
    }
    return NULL;
}

/* Incomplete means another line could still make the input parse: it ended
 * inside ( or [ (where newlines are skipped), or inside { } between
 * statements.  Mid-statement inside { } a newline ends the statement, so
 * `{ y = 1 +` is already an error, as is anything outside brackets. */
static bool is_incomplete(const parser *p) {
    if (!p->failed_at_end || p->list->open_brackets == 0) return false;
    return p->list->innermost_open != '{' || p->failed_between_statements;
}

parse_status parse_program(const char *source, int first_line, ast_node **program,
                           parse_error *error) {
    parse_error unused;
    if (!error) error = &unused;
    memset(error, 0, sizeof *error);
    if (program) *program = NULL;
    if (!source) source = "";
    int line = first_line < 1 ? 1 : first_line > INT_MAX / 2 ? INT_MAX / 2 : first_line;

    token_list list;
    if (!lexer_tokenize(source, line, &list)) {
        token_list_free(&list);
        error->line = line;
        error->column = 1;
        snprintf(error->message, sizeof error->message, "out of memory");
        return PARSE_ERROR;
    }
    parser p = {.source = source, .list = &list, .tokens = list.tokens, .error = error};
    ast_node *block = ast_new(AST_BLOCK, line, 1);
    if (!block)
        parse_out_of_memory(&p);
    else if (parse_statements(&p, &block->as.block, NULL)) {
        const ast_node *deep = too_deep(block, 1);
        if (deep) {
            p.failed = true;
            error->line = deep->line;
            error->column = deep->column;
            snprintf(error->message, sizeof error->message, "expression nested too deeply");
        }
    }
    parse_status status = PARSE_OK;
    if (p.failed) {
        ast_free(block);
        block = NULL;
        status = is_incomplete(&p) ? PARSE_INCOMPLETE : PARSE_ERROR;
    } else {
        block->source_start = 0;
        block->source_end = strlen(source);
    }
    token_list_free(&list);
    if (program)
        *program = block;
    else
        ast_free(block);
    return status;
}

/* The most bytes of a source line an error echoes (parse_error_format). */
#define ERROR_ECHO_WIDTH 200

/* The columns line[i] takes at a terminal, counted high: a tab 8, a UTF-8
 * continuation byte none, any other byte 1. */
static size_t byte_columns(const char *line, size_t i) {
    unsigned char c = (unsigned char)line[i];
    return c == '\t' ? 8 : (c & 0xC0) == 0x80 ? 0 : 1;
}

/* The bytes [*from, *to) of line[0..length) that fit a terminal row of
 * `columns` as "  " + line or "  ..." + part + "...", with the caret's
 * row, "  " + blanks + '^', too: `room` columns between the marks, half of
 * it before the caret.  A line that fits is whole. */
static void error_echo_window(const char *line, size_t length, size_t caret_at, int columns, size_t *from,
                              size_t *to) {
    size_t total = caret_at >= length ? 1 : 0, room = (size_t)columns - 2 - 6; /* the caret past the end */
    for (size_t i = 0; i < length; i++) total += byte_columns(line, i);
    *from = 0, *to = length;
    if (total <= (size_t)columns - 2) return;
    size_t used = 0, start = caret_at < length ? caret_at : length, end;
    while (start > 0 && used + byte_columns(line, start - 1) <= room / 2) used += byte_columns(line, --start);
    if (start == 0) room += 3; /* no mark before */
    used = 0;
    for (end = start; end < length && used + byte_columns(line, end) <= room; end++) used += byte_columns(line, end);
    if (end == length) { /* no mark after: the room ends at the line's end, the caret's too */
        room += 3;
        used = caret_at >= length ? 1 : 0;
        for (start = length; start > 0 && used + byte_columns(line, start - 1) <= room; start--)
            used += byte_columns(line, start - 1);
    }
    while (start < length && ((unsigned char)line[start] & 0xC0) == 0x80) start++; /* whole characters */
    *from = start, *to = end;
}

char *parse_error_format(const parse_error *error, const char *source, int first_line,
                         const char *filename, int columns) {
    char header[512];
    if (filename)
        snprintf(header, sizeof header, "%s:%d:%d: error: %s\n", filename, error->line,
                 error->column, error->message);
    else
        snprintf(header, sizeof header, "error: %s\n", error->message);
    text_printable(header, TEXT_KEEP_NEWLINE); /* a file's name, a token of its text */

    /* Find the error's line in source. */
    const char *line_text = NULL;
    size_t line_length = 0;
    int line = first_line < 1 ? 1 : first_line > INT_MAX / 2 ? INT_MAX / 2 : first_line;
    if (source && error->line >= line) {
        const char *p = source;
        while (line < error->line && *p) {
            if (*p == '\n') line++;
            p++;
        }
        if (line == error->line) {
            line_text = p;
            while (p[line_length] && p[line_length] != '\n') line_length++;
            if (line_length > 0 && p[line_length - 1] == '\r') line_length--;
        }
    }

    /* A long line is cut around the caret, "..." marking each end that was
     * cut: to fit a terminal's row, else to ERROR_ECHO_WIDTH bytes. */
    size_t caret_at = error->column > 1 ? (size_t)error->column - 1 : 0;
    size_t from = 0, to = line_length;
    if (line_text && columns >= PARSE_ERROR_MIN_COLUMNS) {
        if (caret_at > line_length) caret_at = line_length; /* one past the end at most */
        error_echo_window(line_text, line_length, caret_at, columns, &from, &to);
    } else if (line_text && line_length > ERROR_ECHO_WIDTH) {
        from = caret_at > ERROR_ECHO_WIDTH / 2 ? caret_at - ERROR_ECHO_WIDTH / 2 : 0;
        if (from + ERROR_ECHO_WIDTH > line_length)
            from = line_length > ERROR_ECHO_WIDTH ? line_length - ERROR_ECHO_WIDTH : 0;
        to = from + ERROR_ECHO_WIDTH;
        while (from > 0 && ((unsigned char)line_text[from] & 0xC0) == 0x80) from--; /* whole characters */
        while (to < line_length && ((unsigned char)line_text[to] & 0xC0) == 0x80) to++;
    }
    const char *cut_before = from > 0 ? "..." : "", *cut_after = to < line_length ? "..." : "";
    size_t header_length = strlen(header);
    size_t caret_width = caret_at > from ? caret_at - from : 0;
    size_t total = header_length + 1;
    if (line_text) total += 2 + 3 + (to - from) + 3 + 1 + 2 + 3 + caret_width + 2;
    char *text = malloc(total);
    if (!text) return NULL;
    memcpy(text, header, header_length);
    size_t length = header_length;
    if (line_text) {
        length += (size_t)sprintf(text + length, "  %s", cut_before);
        memcpy(text + length, line_text + from, to - from);
        text[length + (to - from)] = '\0';
        text_printable(text + length, TEXT_KEEP_TAB); /* the line came from a file: '?' for each control character, one column as before */
        length += strlen(text + length);
        length += (size_t)sprintf(text + length, "%s\n  %s", cut_after, cut_before[0] ? "   " : "");
        for (size_t i = 0; i < caret_width; i++) {
            unsigned char c = from + i < line_length ? (unsigned char)line_text[from + i] : ' ';
            if (c == '\t')
                text[length++] = '\t';
            else if ((c & 0xC0) != 0x80)
                text[length++] = ' ';
        }
        text[length++] = '^';
        text[length++] = '\n';
    }
    text[length] = '\0';
    return text;
}

bool parse_is_command(const char *line) {
    if (!line) return false;
    while (*line == ' ' || *line == '\t') line++;
    return *line == ':';
}
