/* lexer.c — agrepl source text to tokens.  See lexer.h for the rules. */
#include "lexer.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

/* Brackets deeper than this are counted but not remembered: the parser
 * rejects nesting past 200 levels before it could reach a token whose
 * newline handling depended on them. */
#define LEXER_BRACKET_MEMORY 256

typedef struct lexer {
    const char *cursor;
    const char *line_start;
    int line;
    token_list *list;
    int bracket_depth;
    char brackets[LEXER_BRACKET_MEMORY]; /* '(' '[' '{' for the innermost levels */
} lexer;

static const struct {
    const char *word;
    token_kind kind;
} keywords[] = {
    {"and", TOKEN_AND},       {"break", TOKEN_BREAK},   {"continue", TOKEN_CONTINUE},
    {"def", TOKEN_DEF},       {"else", TOKEN_ELSE},     {"false", TOKEN_FALSE},
    {"for", TOKEN_FOR},       {"if", TOKEN_IF},         {"in", TOKEN_IN},
    {"nograd", TOKEN_NOGRAD}, {"not", TOKEN_NOT},       {"or", TOKEN_OR},
    {"return", TOKEN_RETURN}, {"testmode", TOKEN_TESTMODE}, {"true", TOKEN_TRUE},
    {"is", TOKEN_IS},         {"none", TOKEN_NONE},     {"while", TOKEN_WHILE},
    /* Python's spellings, accepted as the same keywords */
    {"True", TOKEN_TRUE},     {"False", TOKEN_FALSE},   {"None", TOKEN_NONE},
    {"Ellipsis", TOKEN_ELLIPSIS},
};

/* Indexed by token_kind; the static assert keeps it in step with the enum. */
static const char *const spellings[] = {
    [TOKEN_EOF] = "end of input",
    [TOKEN_ERROR] = "invalid token",
    [TOKEN_NEWLINE] = "newline",
    [TOKEN_SEMICOLON] = ";",
    [TOKEN_NUMBER] = "number",
    [TOKEN_STRING] = "string",
    [TOKEN_NAME] = "name",
    [TOKEN_AND] = "and",
    [TOKEN_BREAK] = "break",
    [TOKEN_CONTINUE] = "continue",
    [TOKEN_DEF] = "def",
    [TOKEN_ELSE] = "else",
    [TOKEN_FALSE] = "false",
    [TOKEN_FOR] = "for",
    [TOKEN_IF] = "if",
    [TOKEN_IN] = "in",
    [TOKEN_IS] = "is",
    [TOKEN_NONE] = "none",
    [TOKEN_NOGRAD] = "nograd",
    [TOKEN_NOT] = "not",
    [TOKEN_OR] = "or",
    [TOKEN_RETURN] = "return",
    [TOKEN_TESTMODE] = "testmode",
    [TOKEN_TRUE] = "true",
    [TOKEN_WHILE] = "while",
    [TOKEN_LEFT_PAREN] = "(",
    [TOKEN_RIGHT_PAREN] = ")",
    [TOKEN_LEFT_BRACKET] = "[",
    [TOKEN_RIGHT_BRACKET] = "]",
    [TOKEN_LEFT_BRACE] = "{",
    [TOKEN_RIGHT_BRACE] = "}",
    [TOKEN_COMMA] = ",",
    [TOKEN_DOT] = ".",
    [TOKEN_ELLIPSIS] = "...",
    [TOKEN_COLON] = ":",
    [TOKEN_ASSIGN] = "=",
    [TOKEN_PLUS_ASSIGN] = "+=",
    [TOKEN_MINUS_ASSIGN] = "-=",
    [TOKEN_STAR_ASSIGN] = "*=",
    [TOKEN_SLASH_ASSIGN] = "/=",
    [TOKEN_PERCENT_ASSIGN] = "%=",
    [TOKEN_SLASH_SLASH_ASSIGN] = "//=",
    [TOKEN_CARET_ASSIGN] = "^=",
    [TOKEN_PLUS] = "+",
    [TOKEN_MINUS] = "-",
    [TOKEN_STAR] = "*",
    [TOKEN_SLASH] = "/",
    [TOKEN_PERCENT] = "%",
    [TOKEN_SLASH_SLASH] = "//",
    [TOKEN_AT] = "@",
    [TOKEN_CARET] = "^",
    [TOKEN_EQUAL] = "==",
    [TOKEN_NOT_EQUAL] = "!=",
    [TOKEN_LESS] = "<",
    [TOKEN_LESS_EQUAL] = "<=",
    [TOKEN_GREATER] = ">",
    [TOKEN_GREATER_EQUAL] = ">=",
};
_Static_assert(sizeof spellings / sizeof spellings[0] == TOKEN_KIND_COUNT,
               "spellings[] must name every token kind");

const char *token_kind_spelling(token_kind kind) {
    if ((int)kind < 0 || kind >= TOKEN_KIND_COUNT) return "?";
    return spellings[kind];
}

const char *lexer_keyword(int index) {
    if (index < 0 || (size_t)index >= sizeof keywords / sizeof keywords[0]) return NULL;
    return keywords[index].word;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

/* Columns come from pointer distance so a huge line cannot overflow an int. */
static int column_of(const lexer *lex, const char *at) {
    ptrdiff_t distance = at - lex->line_start;
    return distance >= INT_MAX ? INT_MAX : (int)distance + 1;
}

/* Appends a token; false when memory runs out. */
static bool emit(lexer *lex, token_kind kind, const char *start, size_t length) {
    token_list *list = lex->list;
    if (list->count == INT_MAX || !ARRAY_RESERVE(list->tokens, list->capacity, (size_t)list->count, 1))
        return false;
    token *t = &list->tokens[list->count++];
    t->kind = kind;
    t->start = start;
    t->length = length;
    t->line = lex->line;
    t->column = column_of(lex, start);
    t->number = 0.0;
    return true;
}

/* Ends the list with a TOKEN_ERROR at `start` and the formatted message. */
static bool emit_error(lexer *lex, const char *start, size_t length, const char *format,
                       const char *detail) {
    snprintf(lex->list->error_message, sizeof lex->list->error_message, format, detail);
    return emit(lex, TOKEN_ERROR, start, length);
}

/* Text of one byte for a message: the character itself when printable. */
static void describe_byte(unsigned char c, char out[8]) {
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 8, "%c", c);
    else
        snprintf(out, 8, "\\x%02x", c);
}

/* strtod reads the locale's decimal point; numbers in source always use '.',
 * so outside a '.' locale the conversion runs under the C locale. */
static double decimal_value(const char *text) {
    const struct lconv *conventions = localeconv();
    if (conventions && strcmp(conventions->decimal_point, ".") == 0) return strtod(text, NULL);
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!c_locale) return strtod(text, NULL);
    locale_t previous = uselocale(c_locale);
    double value = strtod(text, NULL);
    uselocale(previous);
    freelocale(c_locale);
    return value;
}

/* number := digits [ '.' [digits] ] [ exponent ] | '.' digits [ exponent ]
 * A '.' followed by a name character is left alone (`1.T` is an attribute). */
static bool lex_number(lexer *lex) {
    const char *start = lex->cursor;
    const char *p = start;
    while (is_digit(*p)) p++;
    if (*p == '.' && !is_name_start(p[1])) {
        p++;
        while (is_digit(*p)) p++;
    }
    if ((*p == 'e' || *p == 'E') &&
        (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
        p += 2;
        while (is_digit(*p)) p++;
    }
    size_t length = (size_t)(p - start);
    if (is_name_char(*p)) {
        const char *end = p;
        while (is_name_char(*end)) end++;
        char shown[48];
        size_t bad_length = (size_t)(end - start);
        snprintf(shown, sizeof shown, "%.*s%s", bad_length > 32 ? 32 : (int)bad_length, start,
                 bad_length > 32 ? "..." : "");
        return emit_error(lex, start, bad_length, "invalid number '%s'", shown);
    }
    char small[64];
    char *text = length < sizeof small ? small : malloc(length + 1);
    if (!text) return false;
    memcpy(text, start, length);
    text[length] = '\0';
    double value = decimal_value(text);
    if (text != small) free(text);
    if (!emit(lex, TOKEN_NUMBER, start, length)) return false;
    lex->list->tokens[lex->list->count - 1].number = value;
    lex->cursor = p;
    return true;
}

/* string := '"' { character | '\' ( '"' | '\' | 'n' | 't' ) } '"'  on one line */
static bool lex_string(lexer *lex) {
    const char *start = lex->cursor;
    const char *p = start + 1;
    for (;;) {
        char c = *p;
        if (c == '\0' || c == '\n') return emit_error(lex, start, 1, "%s", "unterminated string");
        if (c == '"') break;
        if (c == '\\') {
            char escaped = p[1];
            if (escaped == '\0' || escaped == '\n')
                return emit_error(lex, start, 1, "%s", "unterminated string");
            if (escaped != '"' && escaped != '\\' && escaped != 'n' && escaped != 't') {
                char shown[8];
                describe_byte((unsigned char)escaped, shown);
                /* the error points at the backslash */
                return emit_error(lex, p, 2, "invalid escape '\\%s' in string", shown);
            }
            p += 2;
            continue;
        }
        p++;
    }
    p++;
    if (!emit(lex, TOKEN_STRING, start, (size_t)(p - start))) return false;
    lex->cursor = p;
    return true;
}

char *lexer_string_value(const token *string_token) {
    /* The token text is '"' ... '"' and was validated by lex_string. */
    size_t length = string_token->length >= 2 ? string_token->length - 2 : 0;
    const char *in = string_token->start + 1;
    char *out = malloc(length + 1);
    if (!out) return NULL;
    size_t written = 0;
    for (size_t i = 0; i < length; i++) {
        char c = in[i];
        if (c == '\\' && i + 1 < length) {
            char escaped = in[++i];
            c = escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
        }
        out[written++] = c;
    }
    out[written] = '\0';
    return out;
}

static bool lex_name(lexer *lex) {
    const char *start = lex->cursor;
    const char *p = start;
    while (is_name_char(*p)) p++;
    size_t length = (size_t)(p - start);
    token_kind kind = TOKEN_NAME;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (strlen(keywords[i].word) == length && memcmp(keywords[i].word, start, length) == 0) {
            kind = keywords[i].kind;
            break;
        }
    }
    lex->cursor = p;
    return emit(lex, kind, start, length);
}

static void open_bracket(lexer *lex, char bracket) {
    if (lex->bracket_depth < LEXER_BRACKET_MEMORY) lex->brackets[lex->bracket_depth] = bracket;
    if (lex->bracket_depth < INT_MAX) lex->bracket_depth++;
}

/* A closer pops whatever is open; a mismatch is the parser's error to report. */
static void close_bracket(lexer *lex) {
    if (lex->bracket_depth > 0) lex->bracket_depth--;
}

/* Newlines separate statements at top level and directly inside { }. */
static bool newline_is_significant(const lexer *lex) {
    if (lex->bracket_depth == 0) return true;
    if (lex->bracket_depth > LEXER_BRACKET_MEMORY) return false;
    return lex->brackets[lex->bracket_depth - 1] == '{';
}

static void record_open_brackets(lexer *lex) {
    lex->list->open_brackets = lex->bracket_depth;
    if (lex->bracket_depth == 0)
        lex->list->innermost_open = 0;
    else if (lex->bracket_depth > LEXER_BRACKET_MEMORY)
        lex->list->innermost_open = '('; /* forgotten; the parser fails earlier anyway */
    else
        lex->list->innermost_open = lex->brackets[lex->bracket_depth - 1];
}

/* Operators and punctuation: three- and two-character forms first, longest
 * first ("//=" before "//", "**" before "*="). */
static bool lex_symbol(lexer *lex) {
    static const struct {
        const char text[4];
        token_kind kind;
    } forms[] = {
        {"...", TOKEN_ELLIPSIS},   {"//=", TOKEN_SLASH_SLASH_ASSIGN}, {"**=", TOKEN_CARET_ASSIGN}, /* Python's */
        {"==", TOKEN_EQUAL},       {"!=", TOKEN_NOT_EQUAL},    {"<=", TOKEN_LESS_EQUAL},
        {">=", TOKEN_GREATER_EQUAL}, {"+=", TOKEN_PLUS_ASSIGN}, {"-=", TOKEN_MINUS_ASSIGN},
        {"*=", TOKEN_STAR_ASSIGN}, {"/=", TOKEN_SLASH_ASSIGN}, {"%=", TOKEN_PERCENT_ASSIGN},
        {"^=", TOKEN_CARET_ASSIGN}, {"**", TOKEN_CARET}, /* Python's power */
        {"//", TOKEN_SLASH_SLASH},
    };
    const char *start = lex->cursor;
    if (start[0] == '@' && start[1] == '=')
        return emit_error(lex, start, 2, "%s", "'@=' is not supported (a matrix product changes the shape, "
                                               "so it is no update in place): write x = x @ e");
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t n = strlen(forms[i].text);
        if (strncmp(start, forms[i].text, n) == 0) {
            lex->cursor += n;
            return emit(lex, forms[i].kind, start, n);
        }
    }
    token_kind kind;
    switch (*start) {
    case '(': kind = TOKEN_LEFT_PAREN; open_bracket(lex, '('); break;
    case '[': kind = TOKEN_LEFT_BRACKET; open_bracket(lex, '['); break;
    case '{': kind = TOKEN_LEFT_BRACE; open_bracket(lex, '{'); break;
    case ')': kind = TOKEN_RIGHT_PAREN; close_bracket(lex); break;
    case ']': kind = TOKEN_RIGHT_BRACKET; close_bracket(lex); break;
    case '}': kind = TOKEN_RIGHT_BRACE; close_bracket(lex); break;
    case ',': kind = TOKEN_COMMA; break;
    case '.': kind = TOKEN_DOT; break;
    case ':': kind = TOKEN_COLON; break;
    case ';': kind = TOKEN_SEMICOLON; break;
    case '=': kind = TOKEN_ASSIGN; break;
    case '+': kind = TOKEN_PLUS; break;
    case '-': kind = TOKEN_MINUS; break;
    case '*': kind = TOKEN_STAR; break;
    case '/': kind = TOKEN_SLASH; break;
    case '%': kind = TOKEN_PERCENT; break;
    case '@': kind = TOKEN_AT; break;
    case '^': kind = TOKEN_CARET; break;
    case '<': kind = TOKEN_LESS; break;
    case '>': kind = TOKEN_GREATER; break;
    case '\'': {
        /* Python's other quotes: say how a string is written here */
        const char *end = start + 1;
        while (*end != '\0' && *end != '\'' && *end != '\n' && *end != '"' && end - start <= 40) end++;
        char text[112];
        if (*end == '\'')
            snprintf(text, sizeof text, "strings take double quotes: \"%.*s\", not '%.*s'", (int)(end - start - 1),
                     start + 1, (int)(end - start - 1), start + 1);
        else
            snprintf(text, sizeof text, "invalid character '''; strings take double quotes (\"a.csv\")");
        return emit_error(lex, start, 1, "%s", text);
    }
    default: {
        char shown[8];
        describe_byte((unsigned char)*start, shown);
        return emit_error(lex, start, 1, "invalid character '%s'", shown);
    }
    }
    lex->cursor++;
    return emit(lex, kind, start, 1);
}

bool lexer_tokenize(const char *source, int first_line, token_list *list) {
    memset(list, 0, sizeof *list);
    lexer lex = {.cursor = source, .line_start = source, .list = list};
    /* Leave room so line numbers cannot overflow on any input that fits in memory. */
    lex.line = first_line < 1 ? 1 : first_line > INT_MAX / 2 ? INT_MAX / 2 : first_line;
    for (;;) {
        char c = *lex.cursor;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lex.cursor++;
            continue;
        }
        if (c == '#') {
            while (*lex.cursor != '\0' && *lex.cursor != '\n') lex.cursor++;
            continue;
        }
        if (c == '\0') {
            record_open_brackets(&lex);
            return emit(&lex, TOKEN_EOF, lex.cursor, 0);
        }
        bool ok;
        if (c == '\n') {
            ok = true;
            bool repeated = list->count > 0 && list->tokens[list->count - 1].kind == TOKEN_NEWLINE;
            if (newline_is_significant(&lex) && !repeated) ok = emit(&lex, TOKEN_NEWLINE, lex.cursor, 1);
            lex.cursor++;
            if (lex.line < INT_MAX) lex.line++;
            lex.line_start = lex.cursor;
        } else if (is_digit(c) || (c == '.' && is_digit(lex.cursor[1]))) {
            ok = lex_number(&lex);
        } else if (c == '"') {
            ok = lex_string(&lex);
        } else if (is_name_start(c)) {
            ok = lex_name(&lex);
        } else {
            ok = lex_symbol(&lex);
        }
        if (!ok) return false;
        if (list->count > 0 && list->tokens[list->count - 1].kind == TOKEN_ERROR) {
            record_open_brackets(&lex);
            return true;
        }
    }
}

void token_list_free(token_list *list) {
    free(list->tokens);
    memset(list, 0, sizeof *list);
}
