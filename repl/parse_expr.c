/* parse_expr.c — the parser's expressions: binary operators by precedence
 * climbing from one table (Lua's lparser.c subexpr), prefix operators, and
 * postfix calls, indexing and attributes over literals, names, tuples and
 * lists.  Statements, errors and the entry points are in parser.c; what the
 * two share is in parser_internal.h.  Every parse function returns a node it
 * owns or NULL after recording the first error; partial trees are freed on
 * the way up. */
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "parser_internal.h"

/* ---- the operator table ---- */

/* Indexed by token kind.  A binary operator is taken while its left priority
 * is above the current limit, and its right operand is parsed with the
 * right priority as the limit: equal priorities associate left, a lower
 * right priority (^) associates right.  A prefix operator parses its operand
 * with its prefix priority as the limit: `not` (3) takes a whole comparison,
 * unary minus (7) takes a power but not a product. */
typedef struct operator_entry {
    ast_operator binary; /* AST_OP_NONE: not a binary operator */
    unsigned char left, right;
    ast_operator prefix; /* AST_OP_NONE: not a prefix operator */
    unsigned char prefix_priority;
} operator_entry;

static const operator_entry operators[TOKEN_KIND_COUNT] = {
    /*                         binary                left right  prefix          priority */
    [TOKEN_OR] = {AST_OP_OR, 1, 1, AST_OP_NONE, 0},
    [TOKEN_AND] = {AST_OP_AND, 2, 2, AST_OP_NONE, 0},
    [TOKEN_NOT] = {AST_OP_NONE, 0, 0, AST_OP_NOT, 3},
    [TOKEN_EQUAL] = {AST_OP_EQUAL, 4, 4, AST_OP_NONE, 0},
    [TOKEN_NOT_EQUAL] = {AST_OP_NOT_EQUAL, 4, 4, AST_OP_NONE, 0},
    [TOKEN_LESS] = {AST_OP_LESS, 4, 4, AST_OP_NONE, 0},
    [TOKEN_LESS_EQUAL] = {AST_OP_LESS_EQUAL, 4, 4, AST_OP_NONE, 0},
    [TOKEN_GREATER] = {AST_OP_GREATER, 4, 4, AST_OP_NONE, 0},
    [TOKEN_GREATER_EQUAL] = {AST_OP_GREATER_EQUAL, 4, 4, AST_OP_NONE, 0},
    [TOKEN_IS] = {AST_OP_IS, 4, 4, AST_OP_NONE, 0}, /* 'is not' is read as one operator */
    [TOKEN_PLUS] = {AST_OP_ADD, 5, 5, AST_OP_PLUS, 7},
    [TOKEN_MINUS] = {AST_OP_SUBTRACT, 5, 5, AST_OP_NEGATE, 7},
    [TOKEN_STAR] = {AST_OP_MULTIPLY, 6, 6, AST_OP_NONE, 0},
    [TOKEN_SLASH] = {AST_OP_DIVIDE, 6, 6, AST_OP_NONE, 0},
    [TOKEN_PERCENT] = {AST_OP_MODULO, 6, 6, AST_OP_NONE, 0},
    [TOKEN_SLASH_SLASH] = {AST_OP_FLOOR_DIVIDE, 6, 6, AST_OP_NONE, 0},
    [TOKEN_AT] = {AST_OP_MATMUL, 6, 6, AST_OP_NONE, 0},
    [TOKEN_CARET] = {AST_OP_POWER, 9, 8, AST_OP_NONE, 0},
};

static bool is_comparison(ast_operator op) {
    return op >= AST_OP_EQUAL && op <= AST_OP_IS_NOT;
}

/* ---- expressions ---- */

static ast_node *parse_subexpression(parser *p, int limit);

ast_node *parse_expression(parser *p) { return parse_subexpression(p, 0); }

/* items := [ expression { ',' expression } [ ',' ] ] closer
 * The current token is the opener.  Appends to `list`; false on error. */
static bool parse_expression_list(parser *p, ast_list *list, token_kind closer, bool allow_empty) {
    const token *opener = current(p);
    advance(p);
    for (;;) {
        if (check(p, closer) && (allow_empty || list->count > 0)) break;
        if (check(p, TOKEN_EOF)) {
            parse_fail_unclosed(p, opener, closer);
            return false;
        }
        ast_node *item = parse_expression(p);
        if (!item) return false;
        if (!ast_list_append(list, item)) {
            parse_out_of_memory(p);
            return false;
        }
        if (accept(p, TOKEN_COMMA)) continue;
        if (check(p, closer)) break;
        parse_fail_unclosed(p, opener, closer);
        return false;
    }
    advance(p);
    return true;
}

/* One part of a slice, or NULL (and no error) when it is left out. */
static bool parse_slice_part(parser *p, ast_node **part) {
    *part = NULL;
    if (check(p, TOKEN_COLON) || check(p, TOKEN_COMMA) || check(p, TOKEN_RIGHT_BRACKET)) return true;
    *part = parse_expression(p);
    return *part != NULL;
}

/* index := expression | [ expression ] ':' [ expression ] [ ':' [ expression ] ]
 * A slice as in Python: x[1:], x[:, 1], x[::2]. */
static ast_node *parse_index_item(parser *p) {
    int start = p->position;
    const token *first = current(p);
    ast_node *start_part = NULL;
    if (!check(p, TOKEN_COLON)) {
        start_part = parse_expression(p);
        if (!start_part || !check(p, TOKEN_COLON)) return start_part;
    }
    ast_node *node = ast_new(AST_SLICE, first->line, first->column);
    if (!node) {
        ast_free(start_part);
        return parse_out_of_memory(p);
    }
    node->as.slice.start = start_part;
    advance(p); /* the first ':' */
    bool ok = parse_slice_part(p, &node->as.slice.stop);
    if (ok && accept(p, TOKEN_COLON)) ok = parse_slice_part(p, &node->as.slice.step);
    if (!ok) {
        ast_free(node);
        return NULL;
    }
    return finish(p, node, start);
}

/* indices := '[' index { ',' index } [ ',' ] ']'  (at least one) */
static bool parse_index_list(parser *p, ast_list *list) {
    const token *opener = current(p);
    advance(p);
    for (;;) {
        if (check(p, TOKEN_RIGHT_BRACKET) && list->count > 0) break;
        if (check(p, TOKEN_EOF)) {
            parse_fail_unclosed(p, opener, TOKEN_RIGHT_BRACKET);
            return false;
        }
        ast_node *item = parse_index_item(p);
        if (!item) return false;
        if (!ast_list_append(list, item)) {
            parse_out_of_memory(p);
            return false;
        }
        if (accept(p, TOKEN_COMMA)) continue;
        if (check(p, TOKEN_RIGHT_BRACKET)) break;
        parse_fail_unclosed(p, opener, TOKEN_RIGHT_BRACKET);
        return false;
    }
    advance(p);
    return true;
}

/* arguments := '(' [ argument { ',' argument } [ ',' ] ] ')'
 * argument  := NAME '=' expression | expression      (positional first) */
static bool parse_arguments(parser *p, ast_node *call) {
    const token *opener = current(p);
    advance(p);
    ast_list *keywords = &call->as.call.keywords;
    while (!check(p, TOKEN_RIGHT_PAREN)) {
        if (check(p, TOKEN_EOF)) {
            parse_fail_unclosed(p, opener, TOKEN_RIGHT_PAREN);
            return false;
        }
        const token *name = current(p);
        if (name->kind == TOKEN_NAME && peek(p, 1)->kind == TOKEN_ASSIGN) {
            for (int i = 0; i < keywords->count; i++) {
                if (same_text(name, keywords->items[i]->as.keyword.name)) {
                    fail(p, "duplicate keyword argument '%.*s%s'", SHOWN_LENGTH(name),
                         name->start, SHOWN_MORE(name));
                    return false;
                }
            }
            int start = p->position;
            advance(p);
            advance(p);
            ast_node *value = parse_expression(p);
            if (!value) return false;
            ast_node *keyword = finish(
                p, ast_new_keyword(name->start, name->length, value, name->line, name->column),
                start);
            if (!keyword || !ast_list_append(keywords, keyword)) {
                parse_out_of_memory(p);
                return false;
            }
        } else {
            if (keywords->count > 0) {
                fail(p, "positional argument after keyword argument");
                return false;
            }
            ast_node *argument = parse_expression(p);
            if (!argument) return false;
            if (!ast_list_append(&call->as.call.arguments, argument)) {
                parse_out_of_memory(p);
                return false;
            }
        }
        if (accept(p, TOKEN_COMMA)) continue;
        if (check(p, TOKEN_RIGHT_PAREN)) break;
        parse_fail_unclosed(p, opener, TOKEN_RIGHT_PAREN);
        return false;
    }
    advance(p);
    return true;
}

/* The rest of a tuple after its first item, at the ',': a list node.  The
 * closer is ')'. */
static ast_node *parse_tuple(parser *p, ast_node *first, const token *opener, int start) {
    ast_node *node = ast_new(AST_LIST, opener->line, opener->column);
    if (!node || !ast_list_append(&node->as.list, first)) {
        if (!node) ast_free(first);
        ast_free(node);
        return parse_out_of_memory(p);
    }
    while (accept(p, TOKEN_COMMA)) {
        if (check(p, TOKEN_RIGHT_PAREN)) break; /* (3,) */
        if (check(p, TOKEN_EOF)) break;
        ast_node *item = parse_expression(p);
        if (!item) goto failed;
        if (!ast_list_append(&node->as.list, item)) {
            parse_out_of_memory(p);
            goto failed;
        }
    }
    if (!check(p, TOKEN_RIGHT_PAREN)) {
        parse_fail_unclosed(p, opener, TOKEN_RIGHT_PAREN);
        goto failed;
    }
    advance(p);
    return finish(p, node, start);
failed:
    ast_free(node);
    return NULL;
}

/* primary := NUMBER | STRING | 'true' | 'false' | 'none' | '...' | NAME | '(' expression ')'
 *          | '(' ')' | '(' expression ',' [ expression { ',' expression } [ ',' ] ] ')'
 *          | '[' [ expression { ',' expression } [ ',' ] ] ']'
 * A parenthesised tuple, (3, 2), (3,) or (), is a list, as Python's tuples are
 * wherever agrepl takes a list. */
static ast_node *parse_primary(parser *p) {
    int start = p->position;
    const token *t = current(p);
    ast_node *node;
    switch (t->kind) {
    case TOKEN_NUMBER: node = ast_new_number(t->number, t->line, t->column); break;
    case TOKEN_STRING: {
        char *text = lexer_string_value(t);
        node = text ? ast_new_string(text, strlen(text), t->line, t->column) : NULL;
        free(text);
        break;
    }
    case TOKEN_TRUE:
    case TOKEN_FALSE: node = ast_new_bool(t->kind == TOKEN_TRUE, t->line, t->column); break;
    case TOKEN_NONE: node = ast_new(AST_NONE, t->line, t->column); break;
    case TOKEN_ELLIPSIS: node = ast_new(AST_ELLIPSIS, t->line, t->column); break;
    case TOKEN_NAME: node = ast_new_name(t->start, t->length, t->line, t->column); break;
    case TOKEN_LEFT_PAREN:
        advance(p);
        if (check(p, TOKEN_RIGHT_PAREN)) { /* (): the empty tuple, an empty list */
            advance(p);
            node = ast_new(AST_LIST, t->line, t->column);
            return node ? finish(p, node, start) : parse_out_of_memory(p);
        }
        node = parse_expression(p);
        if (!node) return NULL;
        if (check(p, TOKEN_COMMA)) return parse_tuple(p, node, t, start);
        if (!check(p, TOKEN_RIGHT_PAREN)) {
            parse_fail_unclosed(p, t, TOKEN_RIGHT_PAREN);
            ast_free(node);
            return NULL;
        }
        advance(p);
        /* No node for the parentheses: the inner node starts at '(' instead. */
        node->line = t->line;
        node->column = t->column;
        return finish(p, node, start);
    case TOKEN_LEFT_BRACKET:
        node = ast_new(AST_LIST, t->line, t->column);
        if (!node) return parse_out_of_memory(p);
        if (!parse_expression_list(p, &node->as.list, TOKEN_RIGHT_BRACKET, true)) {
            ast_free(node);
            return NULL;
        }
        return finish(p, node, start);
    case TOKEN_EOF:
    case TOKEN_NEWLINE:
    case TOKEN_SEMICOLON:
    case TOKEN_COMMA:
    case TOKEN_RIGHT_PAREN:
    case TOKEN_RIGHT_BRACKET:
    case TOKEN_RIGHT_BRACE: fail(p, "expected expression"); return NULL;
    default: parse_fail_unexpected(p); return NULL;
    }
    if (!node) return parse_out_of_memory(p);
    advance(p);
    return finish(p, node, start);
}

/* postfix := primary { '(' arguments ')' | '.' NAME | indices }
 * A loop, not recursion, so `a.b.c...` of any length costs no stack. */
static ast_node *parse_postfix(parser *p) {
    int start = p->position;
    ast_node *node = parse_primary(p);
    while (node) {
        token_kind kind = current(p)->kind;
        if (kind == TOKEN_LEFT_PAREN) {
            node = ast_new_call(node);
            if (!node) return parse_out_of_memory(p);
            if (!parse_arguments(p, node)) break;
        } else if (kind == TOKEN_DOT) {
            advance(p);
            const token *name = current(p);
            if (name->kind != TOKEN_NAME) {
                fail(p, "expected name after '.'");
                break;
            }
            advance(p);
            node = ast_new_attribute(node, name->start, name->length);
            if (!node) return parse_out_of_memory(p);
        } else if (kind == TOKEN_LEFT_BRACKET) {
            node = ast_new_index(node);
            if (!node) return parse_out_of_memory(p);
            if (!parse_index_list(p, &node->as.index.indices)) break;
        } else {
            return node;
        }
        finish(p, node, start);
    }
    ast_free(node);
    return NULL;
}

/* subexpression := ( prefix_op subexpression(prefix priority) | postfix )
 *                  { binary_op subexpression(right priority) }   while left priority > limit */
static ast_node *parse_subexpression_levels(parser *p, int limit) {
    int start = p->position;
    const token *first = current(p);
    const operator_entry *entry = &operators[first->kind];
    ast_node *left;
    if (entry->prefix != AST_OP_NONE) {
        advance(p);
        ast_node *operand = parse_subexpression(p, entry->prefix_priority);
        if (!operand) return NULL;
        left = ast_new_unary(entry->prefix, operand, first->line, first->column);
        if (!left) return parse_out_of_memory(p);
        finish(p, left, start);
    } else {
        left = parse_postfix(p);
        if (!left) return NULL;
    }
    bool left_is_comparison = false;
    for (;;) {
        const token *op_token = current(p);
        entry = &operators[op_token->kind];
        if (entry->binary == AST_OP_NONE || entry->left <= limit) break;
        bool comparison = is_comparison(entry->binary);
        if (comparison && left_is_comparison) {
            fail(p, "comparisons cannot be chained; use 'and'");
            ast_free(left);
            return NULL;
        }
        advance(p);
        ast_operator binary = entry->binary;
        if (binary == AST_OP_IS && accept(p, TOKEN_NOT)) binary = AST_OP_IS_NOT;
        ast_node *right = parse_subexpression(p, entry->right);
        if (!right) {
            ast_free(left);
            return NULL;
        }
        left = ast_new_binary(binary, left, right, op_token->line, op_token->column);
        if (!left) return parse_out_of_memory(p);
        finish(p, left, start);
        left_is_comparison = comparison;
    }
    return left;
}

/* Every bracket, prefix operator and operand goes through here, so this
 * one counter bounds the parser's recursion. */
static ast_node *parse_subexpression(parser *p, int limit) {
    if (p->nesting >= PARSER_MAX_NESTING) {
        fail(p, "%s nested too deeply", 2 * p->blocks > p->nesting ? "blocks" : "expression");
        return NULL;
    }
    p->nesting++;
    ast_node *node = parse_subexpression_levels(p, limit);
    p->nesting--;
    return node;
}
