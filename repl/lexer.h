/* lexer.h — turns agrepl source text into a list of tokens.
 *
 * The whole source is tokenized up front so the parser can look ahead
 * freely (`name =` vs `name ==`, `}` newline `else`).  Rules:
 *   - '#' starts a comment that runs to the end of the line;
 *   - a newline is a token (TOKEN_NEWLINE) except inside ( ) or [ ], where
 *     it is skipped so expressions can continue on the next line; inside
 *     { } newlines separate statements again; runs of newlines collapse;
 *   - numbers: digits, an optional fraction, an optional exponent (`2`,
 *     `1.5`, `.5`, `1.`, `1e-3`); a sign is never part of a number (`-1.5`
 *     is unary minus applied to 1.5); a number running into letters (`2x`)
 *     is an error; values too large for a double become +Inf;
 *   - strings are in double quotes on one line, escapes \" \\ \n \t;
 *   - lines and columns are 1-based; a column counts bytes (a tab is 1).
 *
 * The first lexical error ends the list with a TOKEN_ERROR (message in
 * token_list.error_message); otherwise the list ends with TOKEN_EOF. */
#ifndef LEXER_H
#define LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum token_kind {
    TOKEN_EOF,
    TOKEN_ERROR, /* a lexical error; always the last token */
    TOKEN_NEWLINE,
    TOKEN_SEMICOLON,
    TOKEN_NUMBER,
    TOKEN_STRING, /* text includes the quotes; see lexer_string_value */
    TOKEN_NAME,
    /* keywords */
    TOKEN_AND,
    TOKEN_BREAK,
    TOKEN_CONTINUE,
    TOKEN_DEF,
    TOKEN_ELSE,
    TOKEN_FALSE,
    TOKEN_FOR,
    TOKEN_IF,
    TOKEN_IN,
    TOKEN_IS,
    TOKEN_NONE,
    TOKEN_NOGRAD,
    TOKEN_NOT,
    TOKEN_OR,
    TOKEN_RETURN,
    TOKEN_TESTMODE,
    TOKEN_TRUE,
    TOKEN_WHILE,
    /* brackets and punctuation */
    TOKEN_LEFT_PAREN,
    TOKEN_RIGHT_PAREN,
    TOKEN_LEFT_BRACKET,
    TOKEN_RIGHT_BRACKET,
    TOKEN_LEFT_BRACE,
    TOKEN_RIGHT_BRACE,
    TOKEN_COMMA,
    TOKEN_DOT,
    TOKEN_ELLIPSIS, /* ... (and Python's name Ellipsis): every axis not indexed, in x[..., 2] */
    TOKEN_COLON, /* never valid in the grammar; lexed so `for i in x:` gets a parse error */
    /* assignment */
    TOKEN_ASSIGN,
    TOKEN_PLUS_ASSIGN,
    TOKEN_MINUS_ASSIGN,
    TOKEN_STAR_ASSIGN,
    TOKEN_SLASH_ASSIGN,
    TOKEN_PERCENT_ASSIGN,
    TOKEN_SLASH_SLASH_ASSIGN,
    TOKEN_CARET_ASSIGN, /* ^= and Python's **= */
    /* operators */
    TOKEN_PLUS,
    TOKEN_MINUS,
    TOKEN_STAR,
    TOKEN_SLASH,
    TOKEN_PERCENT,
    TOKEN_SLASH_SLASH,
    TOKEN_AT,
    TOKEN_CARET,
    TOKEN_EQUAL,
    TOKEN_NOT_EQUAL,
    TOKEN_LESS,
    TOKEN_LESS_EQUAL,
    TOKEN_GREATER,
    TOKEN_GREATER_EQUAL,
    TOKEN_KIND_COUNT
} token_kind;

typedef struct token {
    token_kind kind;
    const char *start; /* into the source; not NUL-terminated */
    size_t length;     /* bytes of source text (0 for EOF) */
    int line;          /* 1-based, counted from first_line */
    int column;        /* 1-based byte column */
    double number;     /* value of a TOKEN_NUMBER */
} token;

typedef struct token_list {
    token *tokens;      /* owned; ends with TOKEN_EOF or TOKEN_ERROR */
    int count;
    size_t capacity;
    int open_brackets;  /* ( [ { still open at the end of input (incomplete input) */
    char innermost_open; /* '(' '[' '{' innermost of those, 0 when none */
    char error_message[128]; /* message of the TOKEN_ERROR, "" without one */
} token_list;

/* Tokenizes the NUL-terminated `source`; line numbers start at first_line.
 * Fills *list (free with token_list_free even on failure).  Returns false
 * only when memory runs out; lexical errors end the list with TOKEN_ERROR. */
bool lexer_tokenize(const char *source, int first_line, token_list *list);

/* Frees the tokens of *list and empties it. */
void token_list_free(token_list *list);

/* The decoded text of a TOKEN_STRING (quotes removed, escapes applied),
 * NUL-terminated, owned by the caller; NULL when memory runs out. */
char *lexer_string_value(const token *string_token);

/* How a token kind is written in source ("(", "+=", "for"), or a word for
 * kinds without fixed text ("number", "end of input"). */
const char *token_kind_spelling(token_kind kind);

/* The keywords, for completion: index 0.. returns each, then NULL. */
const char *lexer_keyword(int index);

#endif
