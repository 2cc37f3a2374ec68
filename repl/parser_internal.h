/* parser_internal.h — what the parser's two files share, and no other file
 * uses: parser.c (statements, errors, the entry points) and parse_expr.c
 * (expressions).  The parser's state, its token cursor, its error reporting
 * and the helper that records a node's source range. */
#ifndef PARSER_INTERNAL_H
#define PARSER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ast.h"
#include "lexer.h"
#include "parser.h"

/* Brackets, prefix operators and blocks open at once; each level is a few
 * stack frames of this parser. */
#define PARSER_MAX_NESTING 200

typedef struct parser {
    const char *source;
    const token_list *list;
    const token *tokens;
    int position;   /* index of the current token */
    int nesting;    /* open levels, capped at PARSER_MAX_NESTING */
    int blocks;     /* how many of those levels are blocks (for the message) */
    int loop_depth; /* for loops around the current statement, within its def */
    int def_depth;  /* def bodies around the current statement */
    bool failed;
    bool failed_at_end; /* the first error was at the end of input */
    bool failed_between_statements; /* ... where a block wanted its next statement or '}' */
    parse_error *error;
} parser;

/* ---- tokens ---- */

static inline const token *current(const parser *p) { return &p->tokens[p->position]; }

static inline const token *peek(const parser *p, int offset) {
    int index = p->position;
    while (offset-- > 0 && p->tokens[index].kind != TOKEN_EOF &&
           p->tokens[index].kind != TOKEN_ERROR)
        index++;
    return &p->tokens[index];
}

static inline bool check(const parser *p, token_kind kind) { return current(p)->kind == kind; }

/* The last token (EOF or a lexical error) is never passed. */
static inline void advance(parser *p) {
    if (!check(p, TOKEN_EOF) && !check(p, TOKEN_ERROR)) p->position++;
}

static inline bool accept(parser *p, token_kind kind) {
    if (!check(p, kind)) return false;
    advance(p);
    return true;
}

/* ---- errors (parser.c) ---- */

/* Records the first error, at token `index` (later ones are dropped). */
void parse_fail_at(parser *p, int index, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define fail(p, ...) parse_fail_at((p), (p)->position, __VA_ARGS__)

/* Records "out of memory" at the current token; returns NULL. */
void *parse_out_of_memory(parser *p);
/* "unexpected token 'x'" (or end of input, or newline) at the current token. */
void parse_fail_unexpected(parser *p);
/* "expected ')' to close '(' at 1:4", at the token found instead. */
void parse_fail_unclosed(parser *p, const token *opener, token_kind closer);

/* At most 32 bytes of a token's text, for messages. */
#define SHOWN_LENGTH(t) ((t)->length > 32 ? 32 : (int)(t)->length)
#define SHOWN_MORE(t) ((t)->length > 32 ? "..." : "")

/* ---- helpers ---- */

/* Records the byte range from token `start` to the last token consumed. */
static inline ast_node *finish(parser *p, ast_node *node, int start) {
    if (!node) return NULL;
    const token *first = &p->tokens[start];
    const token *last = &p->tokens[p->position > start ? p->position - 1 : start];
    node->source_start = (size_t)(first->start - p->source);
    node->source_end = (size_t)(last->start - p->source) + last->length;
    return node;
}

static inline bool same_text(const token *t, const char *text) {
    return strlen(text) == t->length && memcmp(text, t->start, t->length) == 0;
}

/* ---- expressions (parse_expr.c) ---- */

/* expression := subexpression(0): the tree from the current token, owned by
 * the caller, or NULL after recording the first error. */
ast_node *parse_expression(parser *p);

#endif
