/* eval.c — the session and the tree-walking evaluator.
 *
 * Every value the evaluator holds is a repl_value, and a VALUE_VAR keeps a
 * root count on its variable, so the engine's collector may run at any
 * statement boundary: after every top-level statement, and inside loops and
 * function bodies once many nodes were made since the last collection.
 * Built-ins run with collection held off (native_depth), because their C
 * locals are plain ag_var pointers.
 *
 * Errors: the first repl_error() of a statement is kept with the position of
 * the node being evaluated; evaluation unwinds with -1 and the top level
 * prints it once. */
#include "eval.h"

#include <math.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parser.h"

volatile sig_atomic_t repl_interrupted = 0;

/* Evaluator recursion per statement: the parser caps trees at
 * AST_MAX_HEIGHT; nested user calls add to it. */
#define MAX_EVAL_DEPTH 6000
#define MAX_CALL_DEPTH 400
/* Collect inside long loops once this many nodes were made. */
#define GC_THRESHOLD 200000
/* ...or when this much tensor data was made (big matmuls fill memory fast). */
#define GC_BYTES_THRESHOLD ((size_t)256 << 20)
/* range() outside a for loop materializes a list; past this it refuses. */
#define MAX_RANGE_LIST 10000000

enum { EXEC_OK = 0, EXEC_ERROR = -1, EXEC_BREAK = 1, EXEC_CONTINUE = 2, EXEC_RETURN = 3 };

/* ---- name tables -------------------------------------------------------------- */

static uint32_t hash_name(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static name_entry *find_slot(const name_entry *entries, int capacity, const char *name) {
    uint32_t mask = (uint32_t)capacity - 1;
    uint32_t i = hash_name(name) & mask;
    while (entries[i].name != NULL && strcmp(entries[i].name, name) != 0) i = (i + 1) & mask;
    return (name_entry *)&entries[i];
}

repl_value *names_get(const name_table *t, const char *name) {
    if (t == NULL || t->capacity == 0) return NULL;
    name_entry *e = find_slot(t->entries, t->capacity, name);
    return e->name ? &e->value : NULL;
}

static bool names_grow(name_table *t) {
    int capacity = t->capacity ? t->capacity * 2 : 16;
    name_entry *entries = calloc((size_t)capacity, sizeof *entries);
    if (entries == NULL) return false;
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) *find_slot(entries, capacity, t->entries[i].name) = t->entries[i];
    free(t->entries);
    t->entries = entries;
    t->capacity = capacity;
    return true;
}

bool names_set(name_table *t, const char *name, repl_value value) {
    if ((t->count + 1) * 4 > t->capacity * 3 && !names_grow(t)) {
        value_release(value);
        return false;
    }
    name_entry *e = find_slot(t->entries, t->capacity, name);
    if (e->name != NULL) {
        repl_value old = e->value;
        e->value = value;
        value_release(old);
        return true;
    }
    e->name = strdup(name);
    if (e->name == NULL) {
        value_release(value);
        return false;
    }
    e->value = value;
    t->count++;
    return true;
}

void names_clear(name_table *t) {
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) {
            free(t->entries[i].name);
            value_release(t->entries[i].value);
        }
    free(t->entries);
    *t = (name_table){0};
}

static int compare_entries(const void *a, const void *b) {
    const name_entry *x = *(const name_entry *const *)a, *y = *(const name_entry *const *)b;
    return strcmp(x->name, y->name);
}

const name_entry **names_sorted(const name_table *t, int *count) {
    *count = 0;
    if (t->count == 0) return NULL;
    const name_entry **list = malloc((size_t)t->count * sizeof *list);
    if (list == NULL) return NULL;
    int n = 0;
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name) list[n++] = &t->entries[i];
    qsort(list, (size_t)n, sizeof *list, compare_entries);
    *count = n;
    return list;
}

/* ---- chunks and user functions ------------------------------------------------ */

void chunk_release(repl_chunk *chunk) {
    if (chunk == NULL || --chunk->refcount > 0) return;
    ast_free(chunk->program);
    free(chunk->source);
    free(chunk->filename);
    free(chunk);
}

void user_function_release(user_function *f) {
    if (f == NULL || --f->refcount > 0) return;
    chunk_release(f->chunk);
    free(f->name);
    free(f);
}

/* ---- errors ----------------------------------------------------------------------- */

static void set_position(repl *r) {
    const ast_node *n = r->current;
    if (n != NULL && r->chunk != NULL) {
        r->error_line = n->kind == AST_BINARY ? n->as.binary.operator_line : n->line;
        r->error_column = n->kind == AST_BINARY ? n->as.binary.operator_column : n->column;
        snprintf(r->error_file, sizeof r->error_file, "%s",
                 r->chunk->filename ? r->chunk->filename : "");
        r->error_chunk = r->chunk;
        r->chunk->refcount++;
    } else if (r->command_line > 0) {
        r->error_line = r->command_line;
        r->error_column = 1;
        snprintf(r->error_file, sizeof r->error_file, "%s", r->command_file ? r->command_file : "");
    }
}

int repl_error(repl *r, const char *fmt, ...) {
    if (r->error_set) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->error_set = true;
    set_position(r);
    return -1;
}

int engine_error(repl *r) {
    const char *message = ag_errmsg(r->ctx);
    if (message == NULL || message[0] == '\0') message = "out of memory";
    repl_error(r, "%s", message);
    ag_clear_error(r->ctx);
    return -1;
}

void clear_error(repl *r) {
    r->error_set = false;
    r->error[0] = '\0';
    r->error_line = r->error_column = 0;
    r->error_file[0] = '\0';
    chunk_release(r->error_chunk);
    r->error_chunk = NULL;
    r->trace_count = 0;
}

/* Adds "in f, called at FILE:LINE:COL" for an error leaving a user call. */
static void add_trace(repl *r, const char *function_name, const ast_node *call) {
    if (call == NULL) return;
    char line[sizeof r->trace[0]];
    const char *file = r->chunk && r->chunk->filename ? r->chunk->filename : NULL;
    if (file)
        snprintf(line, sizeof line, "  in %s, called at %s:%d:%d", function_name, file, call->line,
                 call->column);
    else
        snprintf(line, sizeof line, "  in %s, called at %d:%d", function_name, call->line,
                 call->column);
    /* endless recursion repeats one line: count it instead */
    if (r->trace_count > 0 && strcmp(r->trace[r->trace_count - 1], line) == 0) {
        r->trace_repeats[r->trace_count - 1]++;
        return;
    }
    if (r->trace_count >= REPL_MAX_TRACE) return;
    snprintf(r->trace[r->trace_count], sizeof r->trace[0], "%s", line);
    r->trace_repeats[r->trace_count++] = 0;
}

void report_error(repl *r) {
    if (!r->error_set) return;
    fflush(r->out);
    if (r->error_line > 0 && r->error_file[0])
        fprintf(r->err, "%s:%d:%d: error: %s\n", r->error_file, r->error_line, r->error_column,
                r->error);
    else
        fprintf(r->err, "error: %s\n", r->error);
    if (r->error_chunk != NULL && r->error_line > 0) {
        /* the source line and caret, formatted as for parse errors */
        parse_error position = {.line = r->error_line, .column = r->error_column};
        char *text = parse_error_format(&position, r->error_chunk->source,
                                        r->error_chunk->first_line, NULL);
        const char *caret = text ? strchr(text, '\n') : NULL;
        if (caret && caret[1]) fputs(caret + 1, r->err);
        free(text);
    }
    for (int i = 0; i < r->trace_count; i++) {
        if (r->trace_repeats[i] > 0)
            fprintf(r->err, "%s (%d times)\n", r->trace[i], r->trace_repeats[i] + 1);
        else
            fprintf(r->err, "%s\n", r->trace[i]);
    }
    fflush(r->err);
    clear_error(r);
}

/* ---- the session ---------------------------------------------------------------- */

repl *repl_new(const repl_options *opts) {
    repl *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->ctx = ag_ctx_new();
    if (r->ctx == NULL) {
        free(r);
        return NULL;
    }
    ag_set_check_finite(r->ctx, true);
    r->out = opts && opts->out ? opts->out : stdout;
    r->err = opts && opts->err ? opts->err : stderr;
    r->headless = opts ? opts->headless : true;
    r->interactive = opts ? opts->interactive : false;
    r->viz = repl_viz_new(r, r->headless);
    /* half the stack limit (or 64 MB when unlimited) for nested evaluation */
    struct rlimit limit;
    size_t budget = 4u << 20;
    if (getrlimit(RLIMIT_STACK, &limit) == 0) {
        if (limit.rlim_cur == RLIM_INFINITY) budget = 64u << 20;
        else if (limit.rlim_cur / 2 > 256u << 10) budget = (size_t)(limit.rlim_cur / 2);
    }
    r->stack_budget = budget > (64u << 20) ? (64u << 20) : budget;
    return r;
}

static void history_clear(repl *r) {
    for (int i = 0; i < r->history_count; i++) free(r->history[i]);
    free(r->history);
    r->history = NULL;
    r->history_count = r->history_capacity = 0;
}

void repl_free(repl *r) {
    if (r == NULL) return;
    names_clear(&r->names);
    value_release(r->return_value);
    history_clear(r);
    clear_error(r);
    signature_cache_free(&r->signatures);
    repl_viz_free(r->viz);
    ag_ctx_free(r->ctx);
    free(r);
}

void session_reset(repl *r) {
    names_clear(&r->names);
    history_clear(r);
    /* windows and recorded plots hold variables too: start them over */
    repl_viz_free(r->viz);
    r->viz = repl_viz_new(r, r->headless);
    ag_gc(r->ctx);
}

bool repl_quit_requested(const repl *r) { return r->quit; }
ag_ctx *repl_ctx(repl *r) { return r->ctx; }
FILE *repl_out(repl *r) { return r->out; }
int repl_digits(const repl *r) { return r->digits; }
bool repl_headless(const repl *r) { return r->headless; }
bool repl_is_interactive(const repl *r) { return r->interactive; }
repl_viz *repl_get_viz(repl *r) { return r->viz; }
void repl_idle(repl *r) {
    if (r->viz) repl_viz_idle(r->viz);
}
int repl_idle_timeout_ms(const repl *r) { return r->viz ? repl_viz_timeout_ms(r->viz) : -1; }

/* ---- names -------------------------------------------------------------------------- */

static const struct {
    const char *name;
    double value;
} constants[] = {{"pi", 3.14159265358979323846}, {"e", 2.71828182845904523536}};

bool lookup_name(repl *r, const char *name, repl_value *out) {
    repl_value *v = names_get(r->locals, name);
    if (v == NULL) v = names_get(&r->names, name);
    if (v != NULL) {
        *out = value_copy(*v);
        return true;
    }
    const builtin_def *def = builtin_find(name);
    if (def != NULL) {
        *out = value_builtin(def);
        return true;
    }
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (strcmp(constants[i].name, name) == 0) {
            *out = value_number(constants[i].value);
            return true;
        }
    return false;
}

static int unknown_name(repl *r, const char *name) {
    const char *near = suggest_name(r, name);
    if (near) return repl_error(r, "unknown name '%s'; did you mean '%s'?", name, near);
    return repl_error(r, "unknown name '%s'", name);
}

/* Binds in the running def's frame, or the session at top level. */
static int bind(repl *r, const char *name, repl_value value) {
    name_table *t = r->locals ? r->locals : &r->names;
    if (!names_set(t, name, value)) return repl_error(r, "out of memory");
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------- */

static int eval(repl *r, const ast_node *n, repl_value *out);
static int exec_block(repl *r, const ast_node *block);
static int exec_statement(repl *r, const ast_node *n, bool top_level);

/* "a string", "a variable of shape [3]" for messages. */
static const char *describe_kind(repl_value v, char *buf, size_t n) {
    if (v.kind == VALUE_NIL) return "nil";
    if (v.kind == VALUE_VAR) {
        char shape[16 + 12 * AG_MAX_DIMS];
        snprintf(buf, n, "a variable of shape %s",
                 ag_shape_string(ag_ndim(v.as.var), ag_shape(v.as.var), shape));
        return buf;
    }
    const char *kind = value_kind_name(v);
    snprintf(buf, n, "%s %s", strchr("aeiou", kind[0]) ? "an" : "a", kind);
    return buf;
}

/* A scalar's number: plain numbers and one-element variables. */
static bool scalar_of(repl_value v, double *out) {
    if (v.kind == VALUE_NUMBER) {
        *out = v.as.number;
        return true;
    }
    if (v.kind == VALUE_VAR && ag_size(v.as.var) == 1) {
        *out = ag_item(v.as.var);
        return true;
    }
    return false;
}

static int truthy(repl *r, repl_value v, bool *out) {
    char buf[96];
    switch (v.kind) {
    case VALUE_NIL: *out = false; return 0;
    case VALUE_BOOL: *out = v.as.boolean; return 0;
    case VALUE_NUMBER: *out = v.as.number != 0; return 0;
    case VALUE_STRING: *out = v.as.string->length > 0; return 0;
    case VALUE_LIST: *out = v.as.list->count > 0; return 0;
    case VALUE_VAR:
        if (ag_size(v.as.var) == 1) {
            *out = ag_item(v.as.var) != 0;
            return 0;
        }
        return repl_error(r, "a condition must be true, false or a number, not %s",
                          describe_kind(v, buf, sizeof buf));
    default: *out = true; return 0;
    }
}

/* Turns an operand of arithmetic into a variable: numbers become constant
 * leaves, tensor literals plain leaves.  -1 after an error naming the op. */
int value_as_var(repl *r, repl_value v, ag_var **out) {
    if (v.kind == VALUE_VAR) {
        *out = v.as.var;
        return 0;
    }
    if (v.kind == VALUE_NUMBER) {
        ag_var *c = ag_scalar(r->ctx, v.as.number);
        if (c == NULL) return engine_error(r);
        ag_var_set_flags(c, ag_var_flags(c) | AG_VAR_CONST);
        *out = c;
        return 0;
    }
    if (v.kind == VALUE_LIST && value_is_tensor_literal(v)) {
        ag_var *leaf = value_to_leaf(r, v);
        if (leaf == NULL) return engine_error(r);
        *out = leaf;
        return 0;
    }
    return 1;
}

static int operand_var(repl *r, repl_value v, const char *verb, ag_var **out) {
    char buf[96];
    int rc = value_as_var(r, v, out);
    if (rc <= 0) return rc;
    if (v.kind == VALUE_NIL) return value_nil_error(r, "", v);
    return repl_error(r, "cannot %s %s", verb, describe_kind(v, buf, sizeof buf));
}

static int return_var(repl *r, ag_var *v, repl_value *out) {
    if (v == NULL) return engine_error(r);
    *out = value_var(v);
    return 0;
}

/* ---- literals -------------------------------------------------------------------------- */

/* The value of the constant `name` (pi, e) unless a name shadows it. */
static bool constant_value(repl *r, const char *name, double *out) {
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (strcmp(constants[i].name, name) == 0) {
            if (names_get(r->locals, name) != NULL || names_get(&r->names, name) != NULL) return false;
            *out = constants[i].value;
            return true;
        }
    return false;
}

/* A number literal: 2, 1e-3, a constant (pi, e), or unary minus or plus of
 * one (so `-1` is the constant -1, not Neg(1)); its value in *out. */
static bool number_literal(repl *r, const ast_node *n, double *out) {
    double sign = 1;
    while (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS)) {
        if (n->as.unary.op == AST_OP_NEGATE) sign = -sign;
        n = n->as.unary.operand;
    }
    if (n->kind == AST_NUMBER) {
        *out = sign * n->as.number;
        return true;
    }
    double value;
    if (n->kind == AST_NAME && constant_value(r, n->as.name, &value)) {
        *out = sign * value;
        return true;
    }
    return false;
}

/* Arithmetic on number literals only (`1/3`, `2*pi`): such an item of a list
 * literal is a number of the tensor, not an element of a list. */
static bool constant_expression(repl *r, const ast_node *n) {
    double value;
    if (number_literal(r, n, &value)) return true;
    if (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS))
        return constant_expression(r, n->as.unary.operand);
    if (n->kind != AST_BINARY) return false;
    ast_operator op = n->as.binary.op;
    if (op != AST_OP_ADD && op != AST_OP_SUBTRACT && op != AST_OP_MULTIPLY && op != AST_OP_DIVIDE &&
        op != AST_OP_POWER)
        return false;
    return constant_expression(r, n->as.binary.left) && constant_expression(r, n->as.binary.right);
}

/* A literal as a new 0-d variable (SPEC: every value is a variable).
 * `constant` flags it AG_VAR_CONST: an operand folded into an op, drawn as
 * a constant; a literal that is bound or shown stays a plain leaf. */
static int literal_var(repl *r, double value, bool constant, repl_value *out) {
    ag_var *c = ag_scalar(r->ctx, value);
    if (c == NULL) return engine_error(r);
    if (constant) ag_var_set_flags(c, ag_var_flags(c) | AG_VAR_CONST);
    *out = value_var(c);
    return 0;
}

/* How a number literal is passed on where it is used. */
typedef enum literal_use {
    LITERAL_LEAF,     /* a 0-d variable (shown, bound, an item of a list) */
    LITERAL_CONSTANT, /* a 0-d variable flagged AG_VAR_CONST (an operand of an op) */
    LITERAL_NUMBER    /* a plain number: %, comparisons, indices, built-in arguments */
} literal_use;

/* Evaluates n; a number literal becomes what `use` asks for. */
static int eval_operand(repl *r, const ast_node *n, literal_use use, repl_value *out) {
    double value;
    if (!number_literal(r, n, &value)) return eval(r, n, out);
    if (use == LITERAL_NUMBER) {
        *out = value_number(value);
        return 0;
    }
    r->current = n;
    return literal_var(r, value, use == LITERAL_CONSTANT, out);
}

/* Source text of node in the running chunk, if short enough for a message. */
static bool node_text(repl *r, const ast_node *n, char *buf, size_t size) {
    if (r->chunk == NULL || n->source_end <= n->source_start) return false;
    size_t length = n->source_end - n->source_start;
    if (length >= size || length > 40) return false;
    memcpy(buf, r->chunk->source + n->source_start, length);
    buf[length] = '\0';
    return strchr(buf, '\n') == NULL;
}

/* Remembers that r->current (an in-place update, arithmetic on plain numbers)
 * made a NaN or Inf, unless an op of this statement already did: run_top
 * warns about the first one (SPEC §4). */
static void note_nonfinite(repl *r, const char *fallback) {
    if (r->nonfinite_note[0] != '\0' || ag_nonfinite_op(r->ctx) != NULL) return;
    char text[48];
    if (r->current != NULL && node_text(r, r->current, text, sizeof text))
        snprintf(r->nonfinite_note, sizeof r->nonfinite_note, "%s", text);
    else
        snprintf(r->nonfinite_note, sizeof r->nonfinite_note, "%s", fallback);
}

/* A plain-number result, with the NaN/Inf note when finite operands made it. */
static int number_result(repl *r, double x, double y, double result, const char *symbol,
                         repl_value *out) {
    if (isfinite(x) && isfinite(y) && !isfinite(result)) note_nonfinite(r, symbol);
    *out = value_number(result);
    return 0;
}

/* ---- operators ------------------------------------------------------------------------- */

static const char *operator_verb(ast_operator op) {
    switch (op) {
    case AST_OP_ADD: return "add";
    case AST_OP_SUBTRACT: return "subtract";
    case AST_OP_MULTIPLY: return "multiply";
    case AST_OP_DIVIDE: return "divide";
    case AST_OP_POWER: return "raise to a power";
    case AST_OP_MATMUL: return "matrix-multiply";
    case AST_OP_MODULO: return "take the remainder of";
    default: return "compare";
    }
}

static int compare_values(repl *r, ast_operator op, repl_value a, repl_value b,
                          repl_value *out) {
    const char *symbol = ast_operator_symbol(op);
    char buf_a[96], buf_b[96];
    if ((a.kind == VALUE_VAR && ag_size(a.as.var) != 1) ||
        (b.kind == VALUE_VAR && ag_size(b.as.var) != 1))
        return repl_error(r, "%s works on scalars, not %s", symbol,
                          describe_kind(a.kind == VALUE_VAR && ag_size(a.as.var) != 1 ? a : b,
                                        buf_a, sizeof buf_a));
    double x, y;
    bool numeric = scalar_of(a, &x) && scalar_of(b, &y);
    if (op == AST_OP_EQUAL || op == AST_OP_NOT_EQUAL) {
        bool equal;
        if (numeric) equal = x == y;
        else if (a.kind == VALUE_STRING && b.kind == VALUE_STRING)
            equal = strcmp(a.as.string->text, b.as.string->text) == 0;
        else if (a.kind == VALUE_BOOL && b.kind == VALUE_BOOL) equal = a.as.boolean == b.as.boolean;
        else if (a.kind == VALUE_NIL && b.kind == VALUE_NIL) equal = true;
        else if (a.kind == VALUE_BUILTIN && b.kind == VALUE_BUILTIN) equal = a.as.builtin == b.as.builtin;
        else if (a.kind == VALUE_FUNCTION && b.kind == VALUE_FUNCTION)
            equal = a.as.function == b.as.function;
        else if (a.kind == VALUE_OBJECT && b.kind == VALUE_OBJECT) equal = a.as.object == b.as.object;
        else equal = false;
        *out = value_bool(op == AST_OP_EQUAL ? equal : !equal);
        return 0;
    }
    int order;
    if (numeric) {
        bool result = op == AST_OP_LESS ? x < y : op == AST_OP_LESS_EQUAL ? x <= y
                                                : op == AST_OP_GREATER   ? x > y
                                                                         : x >= y;
        *out = value_bool(result);
        return 0;
    }
    if (a.kind == VALUE_STRING && b.kind == VALUE_STRING) {
        order = strcmp(a.as.string->text, b.as.string->text);
        bool result = op == AST_OP_LESS ? order < 0 : op == AST_OP_LESS_EQUAL ? order <= 0
                                                   : op == AST_OP_GREATER     ? order > 0
                                                                              : order >= 0;
        *out = value_bool(result);
        return 0;
    }
    if (a.kind == VALUE_NIL) return value_nil_error(r, "", a);
    if (b.kind == VALUE_NIL) return value_nil_error(r, "", b);
    return repl_error(r, "%s: cannot compare %s and %s", symbol, describe_kind(a, buf_a, sizeof buf_a),
                      describe_kind(b, buf_b, sizeof buf_b));
}

static int arithmetic(repl *r, ast_operator op, repl_value a, repl_value b, repl_value *out) {
    char buf_a[96], buf_b[96];
    if (a.kind == VALUE_NUMBER && b.kind == VALUE_NUMBER) {
        double x = a.as.number, y = b.as.number;
        switch (op) {
        case AST_OP_ADD: return number_result(r, x, y, x + y, "+", out);
        case AST_OP_SUBTRACT: return number_result(r, x, y, x - y, "-", out);
        case AST_OP_MULTIPLY: return number_result(r, x, y, x * y, "*", out);
        case AST_OP_DIVIDE: return number_result(r, x, y, x / y, "/", out);
        case AST_OP_POWER: return number_result(r, x, y, pow(x, y), "^", out);
        case AST_OP_MATMUL: return repl_error(r, "@ needs two variables of 2 or more dimensions, not numbers");
        default: break;
        }
    }
    if (op == AST_OP_MODULO) {
        double x, y;
        if (!scalar_of(a, &x) || !scalar_of(b, &y)) {
            if (a.kind == VALUE_NIL) return value_nil_error(r, "", a);
            if (b.kind == VALUE_NIL) return value_nil_error(r, "", b);
            return repl_error(r, "%% works on scalars, not %s and %s",
                              describe_kind(a, buf_a, sizeof buf_a), describe_kind(b, buf_b, sizeof buf_b));
        }
        double m = fmod(x, y);
        if (m != 0 && ((m < 0) != (y < 0))) m += y; /* the sign of the divisor, like Python */
        return number_result(r, x, y, m, "%", out);
    }
    if (op == AST_OP_ADD && a.kind == VALUE_STRING && b.kind == VALUE_STRING) {
        size_t n = a.as.string->length + b.as.string->length;
        char *joined = malloc(n + 1);
        if (joined == NULL) return repl_error(r, "out of memory");
        memcpy(joined, a.as.string->text, a.as.string->length);
        memcpy(joined + a.as.string->length, b.as.string->text, b.as.string->length + 1);
        *out = value_string_from(joined, n);
        free(joined);
        return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
    }
    bool a_ok = a.kind == VALUE_VAR || a.kind == VALUE_NUMBER ||
                (a.kind == VALUE_LIST && value_is_tensor_literal(a));
    bool b_ok = b.kind == VALUE_VAR || b.kind == VALUE_NUMBER ||
                (b.kind == VALUE_LIST && value_is_tensor_literal(b));
    if (a.kind == VALUE_NIL) return value_nil_error(r, "", a);
    if (b.kind == VALUE_NIL) return value_nil_error(r, "", b);
    if (!a_ok || !b_ok)
        return repl_error(r, "cannot %s %s and %s", operator_verb(op),
                          describe_kind(a, buf_a, sizeof buf_a), describe_kind(b, buf_b, sizeof buf_b));
    ag_var *x, *y = NULL;
    if (operand_var(r, a, operator_verb(op), &x) < 0) return -1;
    if (op == AST_OP_POWER && b.kind == VALUE_NUMBER)
        return return_var(r, ag_pow(r->ctx, x, b.as.number), out);
    if (operand_var(r, b, operator_verb(op), &y) < 0) return -1;
    ag_var *result = NULL;
    switch (op) {
    case AST_OP_ADD: result = ag_add(r->ctx, x, y); break;
    case AST_OP_SUBTRACT: result = ag_sub(r->ctx, x, y); break;
    case AST_OP_MULTIPLY: result = ag_mul(r->ctx, x, y); break;
    case AST_OP_DIVIDE: result = ag_div(r->ctx, x, y); break;
    case AST_OP_POWER: result = ag_powv(r->ctx, x, y); break;
    case AST_OP_MATMUL: result = ag_matmul(r->ctx, x, y); break;
    default: return repl_error(r, "unknown operator");
    }
    return return_var(r, result, out);
}

/* Evaluates the operands of an arithmetic op when exactly one is a number
 * literal: the other first, then the literal as a plain number beside a
 * plain number (i + 1 with a loop counter i stays a number) or as the
 * exponent of Pow(p), else as a constant of the op. */
static int eval_literal_pair(repl *r, const ast_node *n, bool left_is_literal, double literal,
                             repl_value *a, repl_value *b) {
    const ast_node *literal_node = left_is_literal ? n->as.binary.left : n->as.binary.right;
    repl_value other, constant;
    if (eval(r, left_is_literal ? n->as.binary.right : n->as.binary.left, &other) < 0) return -1;
    if (other.kind == VALUE_NUMBER || (n->as.binary.op == AST_OP_POWER && !left_is_literal)) {
        constant = value_number(literal);
    } else {
        r->current = literal_node;
        if (literal_var(r, literal, true, &constant) < 0) {
            value_release(other);
            return -1;
        }
    }
    *a = left_is_literal ? constant : other;
    *b = left_is_literal ? other : constant;
    return 0;
}

static int eval_binary(repl *r, const ast_node *n, repl_value *out) {
    ast_operator op = n->as.binary.op;
    repl_value a, b;
    /* literals are plain numbers where no graph is recorded (and/or,
     * comparisons, %) and for a literal exponent, which makes Pow(p);
     * arithmetic on literals alone records constants (1 + 2 is Add) */
    bool plain = op == AST_OP_AND || op == AST_OP_OR || op == AST_OP_MODULO ||
                 (op >= AST_OP_EQUAL && op <= AST_OP_GREATER_EQUAL);
    double left_literal, right_literal;
    bool left_is_literal = !plain && number_literal(r, n->as.binary.left, &left_literal);
    bool right_is_literal = !plain && number_literal(r, n->as.binary.right, &right_literal);
    if (left_is_literal != right_is_literal) {
        if (eval_literal_pair(r, n, left_is_literal, left_is_literal ? left_literal : right_literal,
                              &a, &b) < 0)
            return -1;
        r->current = n;
        int rc = arithmetic(r, op, a, b, out);
        value_release(a);
        value_release(b);
        return rc;
    }
    literal_use left_use = plain ? LITERAL_NUMBER : LITERAL_CONSTANT;
    literal_use right_use = plain || op == AST_OP_POWER ? LITERAL_NUMBER : LITERAL_CONSTANT;
    if (eval_operand(r, n->as.binary.left, left_use, &a) < 0) return -1;
    if (op == AST_OP_AND || op == AST_OP_OR) {
        bool t;
        r->current = n;
        int rc = truthy(r, a, &t);
        value_release(a);
        if (rc < 0) return -1;
        if ((op == AST_OP_AND && !t) || (op == AST_OP_OR && t)) {
            *out = value_bool(t);
            return 0;
        }
        if (eval_operand(r, n->as.binary.right, right_use, &b) < 0) return -1;
        r->current = n;
        rc = truthy(r, b, &t);
        value_release(b);
        if (rc < 0) return -1;
        *out = value_bool(t);
        return 0;
    }
    if (eval_operand(r, n->as.binary.right, right_use, &b) < 0) {
        value_release(a);
        return -1;
    }
    r->current = n;
    int rc = op >= AST_OP_EQUAL && op <= AST_OP_GREATER_EQUAL ? compare_values(r, op, a, b, out)
                                                              : arithmetic(r, op, a, b, out);
    value_release(a);
    value_release(b);
    return rc;
}

static int eval_unary(repl *r, const ast_node *n, repl_value *out) {
    repl_value v;
    if (eval(r, n->as.unary.operand, &v) < 0) return -1;
    r->current = n;
    int rc = 0;
    char buf[96];
    switch (n->as.unary.op) {
    case AST_OP_NOT: {
        bool t;
        rc = truthy(r, v, &t);
        if (rc == 0) *out = value_bool(!t);
        break;
    }
    case AST_OP_NEGATE:
    case AST_OP_PLUS:
        if (v.kind == VALUE_NUMBER) {
            *out = value_number(n->as.unary.op == AST_OP_NEGATE ? -v.as.number : v.as.number);
        } else if (v.kind == VALUE_NIL) {
            rc = value_nil_error(r, "", v);
        } else if (v.kind == VALUE_VAR || (v.kind == VALUE_LIST && value_is_tensor_literal(v))) {
            ag_var *x;
            rc = operand_var(r, v, "negate", &x);
            if (rc == 0) {
                if (n->as.unary.op == AST_OP_NEGATE) rc = return_var(r, ag_neg(r->ctx, x), out);
                else rc = return_var(r, x, out);
            }
        } else {
            rc = repl_error(r, "cannot %s %s", n->as.unary.op == AST_OP_NEGATE ? "negate" : "apply + to",
                            describe_kind(v, buf, sizeof buf));
        }
        break;
    default: rc = repl_error(r, "unknown operator");
    }
    value_release(v);
    return rc;
}

/* ---- attributes ------------------------------------------------------------------------- */

int variable_attribute(repl *r, ag_var *v, const char *name, const char *what, repl_value *out) {
    if (strcmp(name, "data") == 0) return return_var(r, ag_detach(r->ctx, v), out) < 0 ? -1 : 0;
    if (strcmp(name, "grad") == 0) {
        ag_var *g = ag_grad(v);
        if (g != NULL) {
            *out = value_var(g);
        } else {
            char text[96];
            snprintf(text, sizeof text, "%s.grad", what && *what ? what : ag_name(v)[0] ? ag_name(v) : "the variable");
            *out = value_nil_from(text);
        }
        return 0;
    }
    if (strcmp(name, "shape") == 0) {
        int ndim = ag_ndim(v);
        *out = value_list_new(ndim);
        if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
        for (int i = 0; i < ndim; i++) out->as.list->items[i] = value_number(ag_shape(v)[i]);
        return 0;
    }
    if (strcmp(name, "name") == 0) {
        *out = value_string_from(ag_name(v), strlen(ag_name(v)));
        return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
    }
    if (strcmp(name, "creator") == 0) {
        ag_func *f = ag_creator(v);
        if (f == NULL) {
            *out = VALUE_NIL_INIT;
            return 0;
        }
        char label[128];
        ag_func_label(f, label, sizeof label);
        *out = value_string_from(label, strlen(label));
        return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
    }
    if (strcmp(name, "generation") == 0) {
        *out = value_number(ag_generation(v));
        return 0;
    }
    if (strcmp(name, "inputs") == 0) {
        ag_func *f = ag_creator(v);
        int n = f ? ag_func_ninputs(f) : 0;
        *out = value_list_new(n);
        if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
        for (int i = 0; i < n; i++) out->as.list->items[i] = value_var(ag_func_input(f, i));
        return 0;
    }
    if (strcmp(name, "T") == 0) return return_var(r, ag_transpose(r->ctx, v, NULL, 0), out) < 0 ? -1 : 0;
    if (strcmp(name, "size") == 0) {
        *out = value_number((double)ag_size(v));
        return 0;
    }
    if (strcmp(name, "ndim") == 0) {
        *out = value_number(ag_ndim(v));
        return 0;
    }
    return 1;
}

static int no_attribute(repl *r, repl_value object, const char *name,
                        const char *const *attributes, const builtin_def *methods, int nmethods) {
    char buf[96];
    const char *candidates[256];
    int n = 0;
    for (int i = 0; attributes && attributes[i] && n < 256; i++) candidates[n++] = attributes[i];
    for (int i = 0; i < nmethods && n < 256; i++) candidates[n++] = methods[i].name;
    const char *near = nearest_word(name, candidates, n);
    const char *kind = object.kind == VALUE_VAR ? "a variable" : describe_kind(object, buf, sizeof buf);
    if (near) return repl_error(r, "%s has no attribute '%s'; did you mean '%s'?", kind, name, near);
    return repl_error(r, "%s has no attribute '%s'", kind, name);
}

/* `opt.step` without the call. */
static int method_not_attribute(repl *r, const char *name, const char *label) {
    return repl_error(r, "'%s' is a method, not an attribute: call it as %s.%s()", name, label, name);
}

static int eval_attribute(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval(r, n->as.attribute.object, &object) < 0) return -1;
    r->current = n;
    const char *name = n->as.attribute.name;
    char what[48];
    const ast_node *o = n->as.attribute.object;
    const char *label = o->kind == AST_NAME ? o->as.name : node_text(r, o, what, sizeof what) ? what : NULL;
    int rc;
    if (object.kind == VALUE_VAR) {
        rc = variable_attribute(r, object.as.var, name, label, out);
        if (rc == 1) {
            if (builtin_find(name) != NULL)
                rc = method_not_attribute(r, name, label ? label : "x");
            else
                rc = no_attribute(r, object, name, variable_attributes, NULL, 0);
        }
    } else if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        rc = type->get_attr ? type->get_attr(r, object.as.object->payload, name, out) : 1;
        bool method = false;
        for (int i = 0; rc == 1 && i < type->nmethods && !method; i++)
            method = strcmp(type->methods[i].name, name) == 0;
        if (method)
            rc = method_not_attribute(r, name, label ? label : type->name);
        else if (rc == 1)
            rc = no_attribute(r, object, name, type->attributes, type->methods, type->nmethods);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error(r, "", object);
    } else {
        rc = no_attribute(r, object, name, NULL, NULL, 0);
    }
    value_release(object);
    return rc < 0 ? -1 : 0;
}

/* ---- indexing ----------------------------------------------------------------------------- */

static int index_list(repl *r, const value_list *list, repl_value key, repl_value *out) {
    double number;
    char buf[96];
    if (!scalar_of(key, &number) || number != floor(number))
        return repl_error(r, "a list index must be an integer, not %s", describe_kind(key, buf, sizeof buf));
    double i = number < 0 ? number + list->count : number;
    if (i < 0 || i >= list->count)
        return repl_error(r, "index %.0f out of range for a list of %d", number, list->count);
    *out = value_copy(list->items[(int)i]);
    return 0;
}

/* An index along the original's axis `axis` (of length dim): an integer,
 * negative counting from the end. */
static int index_integer(repl *r, double number, int axis, int dim, int *out) {
    char text[AG_NUMBUF];
    if (number != floor(number) || fabs(number) > 2e9)
        return repl_error(r, "index: an index must be an integer, not %s",
                          ag_format_display(number, 0, text));
    if (number < -dim || number >= dim)
        return repl_error(r, "index: index %.0f out of range for axis %d with size %d", number, axis,
                          dim);
    *out = (int)number;
    return 0;
}

/* The integers of a list index (a list of numbers, or a 1-D variable) for
 * the original's axis `axis`; *out malloc'd. */
static int index_list_ints(repl *r, repl_value key, int axis, int dim, int **out, int *count) {
    int length = key.kind == VALUE_LIST ? key.as.list->count : (int)ag_size(key.as.var);
    int *list = malloc((size_t)(length > 0 ? length : 1) * sizeof *list);
    if (list == NULL) return repl_error(r, "out of memory");
    char buf[96];
    for (int k = 0; k < length; k++) {
        double number;
        if (key.kind == VALUE_VAR) {
            number = ag_cdata(key.as.var)[k];
        } else if (!scalar_of(key.as.list->items[k], &number)) {
            free(list);
            return repl_error(r, "index: a list of indices must hold integers, not %s",
                              describe_kind(key.as.list->items[k], buf, sizeof buf));
        }
        if (index_integer(r, number, axis, dim, &list[k]) < 0) {
            free(list);
            return -1;
        }
    }
    *out = list;
    *count = length;
    return 0;
}

/* ---- slices: x[a:b:c] along one axis, as Python and PyTorch ---------------------------------
 * A slice's parts, evaluated: has[k] is false for a part left out. */
typedef struct slice_parts {
    bool has[3];
    double part[3]; /* start, stop, step */
} slice_parts;

static int eval_slice(repl *r, const ast_node *n, slice_parts *out) {
    const ast_node *parts[3] = {n->as.slice.start, n->as.slice.stop, n->as.slice.step};
    static const char *const names[3] = {"start", "stop", "step"};
    char buf[96];
    for (int k = 0; k < 3; k++) {
        out->has[k] = parts[k] != NULL;
        if (!parts[k]) continue;
        repl_value v;
        if (eval(r, parts[k], &v) < 0) return -1;
        bool ok = scalar_of(v, &out->part[k]);
        r->current = parts[k];
        if (!ok || out->part[k] != floor(out->part[k]) || fabs(out->part[k]) > 2e9) {
            char text[AG_NUMBUF];
            int rc = repl_error(r, "index: a slice's %s must be an integer, not %s", names[k],
                                ok ? ag_format_display(out->part[k], 0, text)
                                   : describe_kind(v, buf, sizeof buf));
            value_release(v);
            return rc;
        }
        value_release(v);
    }
    r->current = n;
    if (out->has[2] && out->part[2] == 0) return repl_error(r, "index: a slice's step cannot be 0");
    return 0;
}

/* The positions a slice picks from an axis of length dim, Python's rules
 * (negative parts count from the end, out-of-range parts are clamped, a
 * negative step walks backwards); *out malloc'd, *count may be 0. */
static int slice_positions(repl *r, const slice_parts *s, int dim, int **out, int *count) {
    long step = s->has[2] ? (long)s->part[2] : 1;
    long start, stop;
    long low = step > 0 ? 0 : -1, high = step > 0 ? dim : dim - 1;
    if (!s->has[0]) {
        start = step > 0 ? 0 : dim - 1;
    } else {
        start = (long)s->part[0] + (s->part[0] < 0 ? dim : 0);
        start = start < low ? low : start > high ? high : start;
    }
    if (!s->has[1]) {
        stop = step > 0 ? dim : -1;
    } else {
        stop = (long)s->part[1] + (s->part[1] < 0 ? dim : 0);
        stop = stop < low ? low : stop > high ? high : stop;
    }
    int *list = malloc((size_t)(dim > 0 ? dim : 1) * sizeof *list);
    if (list == NULL) return repl_error(r, "out of memory");
    int n = 0;
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) list[n++] = (int)i;
    *out = list;
    *count = n;
    return 0;
}

/* Is key (an evaluated index) a list of indices? */
static bool is_index_list(repl_value key) {
    return key.kind == VALUE_LIST || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 1);
}

/* x indexed by `count` adjacent lists of equal length n, starting at x's axis
 * `axis` (the original's axis `first`), paired as NumPy and PyTorch do:
 * result[k] = x[.., l1[k], l2[k], ..], those axes replaced by one of length n.
 * Done as a Reshape merging the axes and one GetItem of the flat positions,
 * so it is differentiable like every index. */
static ag_var *paired_lists(repl *r, ag_var *x, int axis, int first, const repl_value *keys,
                            int count) {
    const int *shape = ag_shape(x);
    int n = -1, *flat = NULL;
    for (int j = 0; j < count; j++) {
        int *list = NULL, length = 0, dim = shape[axis + j];
        if (index_list_ints(r, keys[j], first + j, dim, &list, &length) < 0) {
            free(flat);
            return NULL;
        }
        if (j == 0) {
            n = length;
            flat = calloc((size_t)(n > 0 ? n : 1), sizeof *flat);
        } else if (length != n) {
            free(list);
            free(flat);
            return repl_error(r, "index: paired index lists must have the same length, not %d and %d",
                              n, length), NULL;
        }
        if (flat == NULL) {
            free(list);
            return repl_error(r, "out of memory"), NULL;
        }
        for (int k = 0; k < n; k++) flat[k] = flat[k] * dim + (list[k] < 0 ? list[k] + dim : list[k]);
        free(list);
    }
    int merged[AG_MAX_DIMS], ndim = 0, product = 1;
    for (int i = 0; i < ag_ndim(x); i++) {
        if (i >= axis && i < axis + count) {
            product *= shape[i];
            if (i == axis + count - 1) merged[ndim++] = product;
        } else {
            merged[ndim++] = shape[i];
        }
    }
    ag_var *y = ag_get_item(r->ctx, ag_reshape(r->ctx, x, ndim, merged), axis, flat, n);
    free(flat);
    if (y == NULL) engine_error(r);
    return y;
}

static int eval_index(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval(r, n->as.index.object, &object) < 0) return -1;
    const ast_list *indices = &n->as.index.indices;
    repl_value keys[AG_MAX_DIMS];
    int count = indices->count;
    char buf[96];
    if (count > AG_MAX_DIMS) {
        value_release(object);
        r->current = n;
        return repl_error(r, "too many indices (%d)", count);
    }
    slice_parts slices[AG_MAX_DIMS]; /* where keys[i] is nil and the index a slice */
    bool any_slice = false;
    for (int i = 0; i < count; i++) {
        const ast_node *item = indices->items[i];
        int rc = 0;
        keys[i] = (repl_value)VALUE_NIL_INIT;
        if (item->kind == AST_SLICE) rc = eval_slice(r, item, &slices[i]), any_slice = true;
        else rc = eval_operand(r, item, LITERAL_NUMBER, &keys[i]);
        if (rc < 0) {
            for (int k = 0; k < i; k++) value_release(keys[k]);
            value_release(object);
            return -1;
        }
    }
    r->current = n;
    int rc = 0;
    if (any_slice && object.kind != VALUE_VAR && !(object.kind == VALUE_LIST && value_is_tensor_literal(object))) {
        rc = repl_error(r, "index: a slice (a:b) takes part of a variable or tensor, not of %s",
                        describe_kind(object, buf, sizeof buf));
    } else if (object.kind == VALUE_LIST && !(value_is_tensor_literal(object) && (count > 1 || any_slice))) {
        repl_value item = value_copy(object);
        for (int i = 0; i < count && rc == 0; i++) {
            repl_value next = VALUE_NIL_INIT;
            if (item.kind != VALUE_LIST) rc = repl_error(r, "too many indices for a list");
            else rc = index_list(r, item.as.list, keys[i], &next);
            value_release(item);
            item = next;
        }
        if (rc == 0) *out = item;
        else value_release(item);
    } else if (object.kind == VALUE_OBJECT && object.as.object->type && object.as.object->type->index) {
        if (count != 1) rc = repl_error(r, "%s takes one index", value_kind_name(object));
        else rc = object.as.object->type->index(r, object.as.object->payload, keys[0], out);
    } else if (object.kind == VALUE_VAR || object.kind == VALUE_LIST) {
        ag_var *x;
        rc = operand_var(r, object, "index", &x);
        ag_var *original = rc == 0 ? x : NULL;
        int axis = 0; /* x's axis that keys[i] (the original's axis i) applies to */
        for (int i = 0; i < count && rc == 0; i++) {
            repl_value key = keys[i];
            if (axis >= ag_ndim(x)) {
                char shape[16 + 12 * AG_MAX_DIMS];
                rc = repl_error(r, "index: too many indices (%d) for a variable of shape %s", count,
                                ag_shape_string(ag_ndim(original), ag_shape(original), shape));
            } else if (key.kind == VALUE_NUMBER || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 0)) {
                int index;
                rc = index_integer(r, key.kind == VALUE_NUMBER ? key.as.number : ag_item(key.as.var),
                                   i, ag_shape(x)[axis], &index);
                if (rc == 0) {
                    x = ag_squeeze(r->ctx, ag_get_item(r->ctx, x, axis, &index, 1), axis);
                    if (x == NULL) rc = engine_error(r);
                }
            } else if (indices->items[i]->kind == AST_SLICE) {
                int *list = NULL, length = 0, dim = ag_shape(x)[axis];
                rc = slice_positions(r, &slices[i], dim, &list, &length);
                if (rc == 0 && length == 0)
                    rc = repl_error(r, "index: the slice selects nothing from axis %d with size %d",
                                    i, dim);
                if (rc == 0 && !(length == dim && list[0] == 0 && list[dim - 1] == dim - 1)) {
                    x = ag_get_item(r->ctx, x, axis, list, length);
                    if (x == NULL) rc = engine_error(r);
                }
                axis++;
                free(list);
            } else if (is_index_list(key) && i + 1 < count && is_index_list(keys[i + 1])) {
                int lists = 1;
                while (i + lists < count && is_index_list(keys[i + lists])) lists++;
                for (int j = i + lists; j < count && rc == 0; j++)
                    if (is_index_list(keys[j]))
                        rc = repl_error(r, "index: index lists are paired only when next to each "
                                           "other (x[[0, 1], [1, 2]])");
                if (rc == 0 && axis + lists > ag_ndim(x)) {
                    char shape[16 + 12 * AG_MAX_DIMS];
                    rc = repl_error(r, "index: too many indices (%d) for a variable of shape %s",
                                    count, ag_shape_string(ag_ndim(original), ag_shape(original), shape));
                }
                if (rc == 0) {
                    x = paired_lists(r, x, axis, i, keys + i, lists);
                    if (x == NULL) rc = -1;
                    axis++;
                    i += lists - 1;
                }
            } else if (is_index_list(key)) {
                int *list = NULL, length = 0;
                rc = index_list_ints(r, key, i, ag_shape(x)[axis], &list, &length);
                if (rc == 0) {
                    x = ag_get_item(r->ctx, x, axis, list, length);
                    if (x == NULL) rc = engine_error(r);
                    axis++;
                }
                free(list);
            } else if (key.kind == VALUE_VAR) {
                char shape[16 + 12 * AG_MAX_DIMS];
                rc = repl_error(r, "index: a list of indices must be flat (integers taken along one "
                                   "axis), not a variable of shape %s",
                                ag_shape_string(ag_ndim(key.as.var), ag_shape(key.as.var), shape));
            } else {
                rc = repl_error(r, "index: an index must be an integer or a list of integers, not %s",
                                describe_kind(key, buf, sizeof buf));
            }
        }
        if (rc == 0) rc = return_var(r, x, out);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error(r, "", object);
    } else {
        rc = repl_error(r, "cannot index %s", describe_kind(object, buf, sizeof buf));
    }
    for (int i = 0; i < count; i++) value_release(keys[i]);
    value_release(object);
    return rc < 0 ? -1 : 0;
}

/* ---- calls -------------------------------------------------------------------------------- */

/* What a call into C (a built-in or a callable object) must restore: the
 * C code may run statements of its own (callbacks) that move these. */
typedef struct native_frame {
    const ast_node *call;
    repl_chunk *chunk;
} native_frame;

/* Before a call into C: gives args the call's position, clears *out and
 * holds off collection (the C code keeps plain ag_var pointers). */
static native_frame native_enter(repl *r, builtin_args *args, repl_value *out) {
    if (r->current) {
        args->line = r->current->line;
        args->column = r->current->column;
    }
    *out = VALUE_NIL_INIT;
    r->native_depth++;
    return (native_frame){r->current, r->chunk};
}

/* After the call into C: undoes native_enter. */
static void native_leave(repl *r, native_frame frame) {
    r->current = frame.call;
    r->chunk = frame.chunk;
    r->native_depth--;
}

static int call_builtin(repl *r, const builtin_def *def, int argc, const repl_value *argv, int nk,
                        const char *const *knames, const repl_value *kvalues, repl_value *out) {
    builtin_args args;
    if (bind_arguments(r, def, argc, argv, nk, knames, kvalues, &args) < 0) return -1;
    native_frame frame = native_enter(r, &args, out);
    int rc = def->fn(r, &args, out);
    native_leave(r, frame);
    builtin_args_free(&args);
    if (rc < 0) {
        value_release(*out);
        *out = VALUE_NIL_INIT;
        if (!r->error_set) repl_error(r, "%s failed", def->name);
        ag_clear_error(r->ctx);
        return -1;
    }
    return 0;
}

static int call_user(repl *r, user_function *f, int argc, const repl_value *argv, int nk,
                     const char *const *knames, const repl_value *kvalues, repl_value *out) {
    const ast_list *params = &f->def->as.def.parameters;
    int n = params->count;
    if (argc > n)
        return repl_error(r, "%s takes %d argument%s, got %d", f->name, n, n == 1 ? "" : "s", argc);
    if (r->call_depth >= MAX_CALL_DEPTH)
        return repl_error(r, "%s: calls nested more than %d deep (endless recursion?)", f->name,
                          MAX_CALL_DEPTH);
    repl_value *values = calloc((size_t)(n > 0 ? n : 1), sizeof *values);
    bool *given = calloc((size_t)(n > 0 ? n : 1), sizeof *given);
    if (values == NULL || given == NULL) {
        free(values);
        free(given);
        return repl_error(r, "out of memory");
    }
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        values[i] = value_copy(argv[i]);
        given[i] = true;
    }
    for (int k = 0; k < nk && rc == 0; k++) {
        int found = -1;
        for (int i = 0; i < n && found < 0; i++)
            if (strcmp(params->items[i]->as.name, knames[k]) == 0) found = i;
        if (found < 0) {
            const char *names[64];
            int count = 0;
            for (int i = 0; i < n && count < 64; i++) names[count++] = params->items[i]->as.name;
            const char *near = nearest_word(knames[k], names, count);
            if (near)
                rc = repl_error(r, "%s: no parameter named '%s'; did you mean '%s'?", f->name, knames[k], near);
            else
                rc = repl_error(r, "%s: no parameter named '%s'", f->name, knames[k]);
        } else if (given[found]) {
            rc = repl_error(r, "%s: argument '%s' given twice", f->name, knames[k]);
        } else {
            values[found] = value_copy(kvalues[k]);
            given[found] = true;
        }
    }
    for (int i = 0; i < n && rc == 0; i++)
        if (!given[i]) rc = repl_error(r, "%s: missing argument '%s'", f->name, params->items[i]->as.name);
    name_table frame = {0};
    for (int i = 0; i < n && rc == 0; i++) {
        if (!names_set(&frame, params->items[i]->as.name, values[i])) rc = repl_error(r, "out of memory");
        values[i] = VALUE_NIL_INIT;
    }
    for (int i = 0; i < n; i++) value_release(values[i]);
    free(values);
    free(given);
    if (rc < 0) {
        names_clear(&frame);
        return -1;
    }

    f->refcount++; /* the body stays valid even if the call rebinds its name */
    name_table *saved_locals = r->locals;
    repl_chunk *saved_chunk = r->chunk;
    const ast_node *call = r->current;
    r->locals = &frame;
    r->chunk = f->chunk;
    r->call_depth++;
    const ast_node *body = f->def->as.def.body;
    *out = VALUE_NIL_INIT;
    if (body->kind == AST_BLOCK) {
        int status = exec_block(r, body);
        if (status == EXEC_RETURN) {
            *out = r->return_value;
            r->return_value = VALUE_NIL_INIT;
        } else if (status == EXEC_ERROR) {
            rc = -1;
        }
    } else {
        rc = eval(r, body, out);
    }
    r->call_depth--;
    r->locals = saved_locals;
    r->chunk = saved_chunk;
    r->current = call;
    if (rc < 0) add_trace(r, f->name, call);
    names_clear(&frame);
    user_function_release(f);
    return rc;
}

/* Calls any callable with positional and keyword arguments; r->current is
 * the call (for messages). */
static int call_value(repl *r, repl_value callee, const char *callee_name, int argc,
                      const repl_value *argv, int nk, const char *const *knames,
                      const repl_value *kvalues, repl_value *out) {
    char buf[96];
    switch (callee.kind) {
    case VALUE_BUILTIN: return call_builtin(r, callee.as.builtin, argc, argv, nk, knames, kvalues, out);
    case VALUE_FUNCTION: return call_user(r, callee.as.function, argc, argv, nk, knames, kvalues, out);
    case VALUE_OBJECT: {
        const repl_object_type *type = callee.as.object->type;
        if (type == NULL || type->call == NULL) break;
        if (nk > 0) return repl_error(r, "calling %s takes no keyword arguments", value_kind_name(callee));
        builtin_args args = {.count = argc, .values = (repl_value *)argv, .def = NULL};
        native_frame frame = native_enter(r, &args, out);
        int rc = type->call(r, callee.as.object->payload, &args, out);
        native_leave(r, frame);
        if (rc < 0 && !r->error_set) repl_error(r, "calling %s failed", value_kind_name(callee));
        ag_clear_error(r->ctx);
        return rc < 0 ? -1 : 0;
    }
    case VALUE_NIL:
        if (callee.as.string) return value_nil_error(r, "", callee);
        break;
    default: break;
    }
    if (callee_name)
        return repl_error(r, "'%s' is %s, not a function", callee_name, describe_kind(callee, buf, sizeof buf));
    return repl_error(r, "%s is not a function", describe_kind(callee, buf, sizeof buf));
}

int repl_call_value(repl *r, repl_value callee, int argc, const repl_value *argv, repl_value *out) {
    *out = VALUE_NIL_INIT;
    /* the C caller holds plain ag_var pointers: no collection meanwhile */
    r->native_depth++;
    if (r->chunk == NULL) { /* called between statements (a window redrawing) */
        char base;
        r->stack_base = (uintptr_t)&base;
        r->depth = 0;
    }
    int rc = call_value(r, callee, NULL, argc, argv, 0, NULL, NULL, out);
    r->native_depth--;
    return rc;
}

/* x.name(args): the object's method, else the built-in or user function
 * `name` with x first (SPEC: every method is also a function). */
static int call_method(repl *r, repl_value object, const char *name, int argc, repl_value *argv,
                       int nk, const char *const *knames, const repl_value *kvalues,
                       repl_value *out) {
    /* argv[0] is reserved for the receiver */
    argv[0] = object;
    if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        for (int i = 0; i < type->nmethods; i++)
            if (strcmp(type->methods[i].name, name) == 0)
                return call_builtin(r, &type->methods[i], argc + 1, argv, nk, knames, kvalues, out);
        if (type->get_attr) {
            repl_value attribute;
            int rc = type->get_attr(r, object.as.object->payload, name, &attribute);
            if (rc < 0) return -1;
            if (rc == 0) {
                rc = call_value(r, attribute, name, argc, argv + 1, nk, knames, kvalues, out);
                value_release(attribute);
                return rc;
            }
        }
    }
    const builtin_def *def = builtin_find(name);
    if (def != NULL && !builtin_method_form(def)) {
        char *signature = builtin_signature_text(def);
        int rc = repl_error(r, "%s is a function, not a method: call it as %s", name,
                            signature ? signature : name);
        free(signature);
        return rc;
    }
    if (def != NULL) return call_builtin(r, def, argc + 1, argv, nk, knames, kvalues, out);
    repl_value *bound = names_get(r->locals, name);
    if (bound == NULL) bound = names_get(&r->names, name);
    if (bound != NULL && bound->kind == VALUE_FUNCTION)
        return call_user(r, bound->as.function, argc + 1, argv, nk, knames, kvalues, out);
    if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        return no_attribute(r, object, name, type->attributes, type->methods, type->nmethods);
    }
    if (object.kind == VALUE_NIL) return value_nil_error(r, "", object);
    /* suggest among attributes and built-ins */
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    const char **candidates = malloc((size_t)(count + 16) * sizeof *candidates);
    const char *near = NULL;
    if (candidates != NULL) {
        int n = 0;
        for (int i = 0; variable_attributes[i]; i++) candidates[n++] = variable_attributes[i];
        for (int i = 0; i < count; i++) candidates[n++] = all[i].name;
        near = nearest_word(name, candidates, n);
        free(candidates);
    }
    char buf[96];
    const char *kind = object.kind == VALUE_VAR ? "a variable" : describe_kind(object, buf, sizeof buf);
    if (near) return repl_error(r, "%s has no method '%s'; did you mean '%s'?", kind, name, near);
    return repl_error(r, "%s has no method '%s'", kind, name);
}

#define INLINE_ARGS 8

static int eval_call(repl *r, const ast_node *n, repl_value *out) {
    const ast_node *callee_node = n->as.call.callee;
    const ast_list *arguments = &n->as.call.arguments, *keywords = &n->as.call.keywords;
    bool method = callee_node->kind == AST_ATTRIBUTE;
    repl_value callee;
    if (eval(r, method ? callee_node->as.attribute.object : callee_node, &callee) < 0) return -1;

    /* A literal argument reaches a built-in as a plain number, exactly as
     * before literals were variables (arg_var makes it a constant, pow(x, 2)
     * is Pow(2), sgd(0.1) is refused); print shows it as the variable it is;
     * a user function gets a constant variable. */
    literal_use use = LITERAL_CONSTANT;
    if (method) {
        if (callee.kind == VALUE_OBJECT || builtin_find(callee_node->as.attribute.name) != NULL)
            use = LITERAL_NUMBER;
    } else if (callee.kind == VALUE_BUILTIN) {
        use = strcmp(callee.as.builtin->name, "print") == 0 ? LITERAL_LEAF : LITERAL_NUMBER;
    } else if (callee.kind == VALUE_OBJECT) {
        use = LITERAL_NUMBER;
    }
    int argc = arguments->count, nk = keywords->count;
    /* slot 0 is kept free for a method's receiver */
    repl_value inline_argv[INLINE_ARGS + 1], inline_kvalues[INLINE_ARGS];
    const char *inline_knames[INLINE_ARGS];
    repl_value *argv = argc < INLINE_ARGS ? inline_argv : calloc((size_t)argc + 1, sizeof *argv);
    repl_value *kvalues = nk <= INLINE_ARGS ? inline_kvalues : calloc((size_t)nk, sizeof *kvalues);
    const char **knames = nk <= INLINE_ARGS ? inline_knames : calloc((size_t)nk, sizeof *knames);
    int rc = 0;
    if (argv == NULL || kvalues == NULL || knames == NULL) {
        r->current = n;
        rc = repl_error(r, "out of memory");
    }
    /* every slot starts nil, so cleanup can release them all */
    for (int i = 0; i < argc && rc == 0; i++) argv[i + 1] = VALUE_NIL_INIT;
    for (int k = 0; k < nk && rc == 0; k++) kvalues[k] = VALUE_NIL_INIT;
    int slots = rc == 0 ? argc : 0, kslots = rc == 0 ? nk : 0;
    for (int i = 0; i < argc && rc == 0; i++) rc = eval_operand(r, arguments->items[i], use, &argv[i + 1]);
    for (int k = 0; k < nk && rc == 0; k++) {
        knames[k] = keywords->items[k]->as.keyword.name;
        rc = eval_operand(r, keywords->items[k]->as.keyword.value, use, &kvalues[k]);
    }
    if (rc == 0) {
        r->current = n;
        if (method)
            rc = call_method(r, callee, callee_node->as.attribute.name, argc, argv, nk, knames,
                             kvalues, out);
        else
            rc = call_value(r, callee, callee_node->kind == AST_NAME ? callee_node->as.name : NULL,
                            argc, argv + 1, nk, knames, kvalues, out);
    }
    for (int i = 0; i < slots; i++) value_release(argv[i + 1]);
    for (int k = 0; k < kslots; k++) value_release(kvalues[k]);
    value_release(callee);
    if (argv != inline_argv) free(argv);
    if (kvalues != inline_kvalues) free(kvalues);
    if (knames != inline_knames) free((void *)knames);
    return rc < 0 ? -1 : 0;
}

/* ---- expressions -------------------------------------------------------------------------- */

/* Builds the tensor of a list literal from its items (plain numbers, or
 * tensors of at most AG_MAX_DIMS - 1 dimensions), which must all have one
 * shape: -1 after "tensor literal: rows have different lengths ([2] and [1])". */
static int stack_items(repl *r, const ast_node *n, const repl_value *items, int count,
                       repl_value *out) {
    int item_ndim = items[0].kind == VALUE_VAR ? ag_ndim(items[0].as.var) : 0;
    const int *item_shape = items[0].kind == VALUE_VAR ? ag_shape(items[0].as.var) : NULL;
    r->current = n;
    for (int i = 1; i < count; i++) {
        int ndim = items[i].kind == VALUE_VAR ? ag_ndim(items[i].as.var) : 0;
        const int *shape = items[i].kind == VALUE_VAR ? ag_shape(items[i].as.var) : NULL;
        bool same = ndim == item_ndim;
        for (int d = 0; d < ndim && same; d++) same = shape[d] == item_shape[d];
        if (!same) {
            char a[16 + 12 * AG_MAX_DIMS], b[16 + 12 * AG_MAX_DIMS];
            return repl_error(r, "tensor literal: rows have different lengths (%s and %s)",
                              ag_shape_string(item_ndim, item_shape, a),
                              ag_shape_string(ndim, shape, b));
        }
    }
    int shape[AG_MAX_DIMS];
    shape[0] = count;
    for (int d = 0; d < item_ndim; d++) shape[d + 1] = item_shape[d];
    ag_var *tensor = ag_zeros(r->ctx, item_ndim + 1, shape);
    if (tensor == NULL) return engine_error(r);
    double *data = ag_data(tensor);
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        if (items[i].kind == VALUE_NUMBER) {
            data[at++] = items[i].as.number;
        } else {
            size_t size = ag_size(items[i].as.var);
            if (size > 0) memcpy(data + at, ag_cdata(items[i].as.var), size * sizeof *data);
            at += size;
        }
    }
    *out = value_var(tensor);
    return 0;
}

/* [a, b, ...]: a tensor variable when every item is a number (a literal, a
 * plain number, arithmetic on literals) or a nested tensor literal, all of
 * one shape; otherwise a list (of variables, strings, ...) whose literal
 * items are plain numbers.  [] is a list. */
static int eval_list(repl *r, const ast_node *n, repl_value *out) {
    const ast_list *items = &n->as.list;
    repl_value list = value_list_new(items->count);
    if (list.kind != VALUE_LIST) {
        r->current = n;
        return repl_error(r, "out of memory");
    }
    repl_value *values = list.as.list->items;
    bool numeric = items->count > 0;
    for (int i = 0; i < items->count; i++) {
        const ast_node *item = items->items[i];
        if (eval_operand(r, item, LITERAL_NUMBER, &values[i]) < 0) {
            values[i] = VALUE_NIL_INIT;
            value_release(list);
            return -1;
        }
        repl_value v = values[i];
        if (v.kind == VALUE_NUMBER) continue;
        if (v.kind == VALUE_VAR && item->kind == AST_LIST) continue; /* a nested tensor literal */
        if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 0 && constant_expression(r, item)) {
            double number = ag_item(v.as.var); /* 1/3: a number, not its graph */
            value_release(v);
            values[i] = value_number(number);
            continue;
        }
        numeric = false;
    }
    /* deeper than a tensor can be: a list of lists, as before */
    if (numeric && values[0].kind == VALUE_VAR && ag_ndim(values[0].as.var) >= AG_MAX_DIMS)
        numeric = false;
    if (numeric) {
        int rc = stack_items(r, n, values, items->count, out);
        value_release(list);
        return rc;
    }
    /* a list that is not a tensor keeps its number items as plain numbers: it
     * is a container (sgd([p, 2]) is refused, hooks=[1] says "a number") */
    *out = list;
    return 0;
}

static int eval_inner(repl *r, const ast_node *n, repl_value *out) {
    switch (n->kind) {
    case AST_NUMBER:
        r->current = n;
        return literal_var(r, n->as.number, false, out);
    case AST_BOOL: *out = value_bool(n->as.boolean); return 0;
    case AST_STRING:
        *out = value_string_from(n->as.string, strlen(n->as.string));
        if (out->kind == VALUE_STRING) return 0;
        r->current = n;
        return repl_error(r, "out of memory");
    case AST_NAME: {
        double constant;
        if (constant_value(r, n->as.name, &constant)) {
            r->current = n;
            return literal_var(r, constant, false, out);
        }
        if (lookup_name(r, n->as.name, out)) return 0;
        r->current = n;
        return unknown_name(r, n->as.name);
    }
    case AST_LIST: return eval_list(r, n, out);
    case AST_UNARY: {
        double literal;
        if (!number_literal(r, n, &literal)) return eval_unary(r, n, out);
        r->current = n;
        return literal_var(r, literal, false, out);
    }
    case AST_BINARY: return eval_binary(r, n, out);
    case AST_CALL: return eval_call(r, n, out);
    case AST_ATTRIBUTE: return eval_attribute(r, n, out);
    case AST_INDEX: return eval_index(r, n, out);
    default:
        r->current = n;
        return repl_error(r, "a %s statement is not an expression", ast_kind_name(n->kind));
    }
}

/* Bytes of C stack used since the top-level statement began.  Frame sizes
 * vary (sanitizers make them several times larger), so recursion is bounded
 * by the stack actually used, not only by a count. */
static size_t stack_used(const repl *r) {
    char here;
    uintptr_t now = (uintptr_t)&here, base = r->stack_base;
    return base > now ? (size_t)(base - now) : (size_t)(now - base);
}

static int eval(repl *r, const ast_node *n, repl_value *out) {
    if (r->depth >= MAX_EVAL_DEPTH || stack_used(r) > r->stack_budget) {
        r->current = n;
        return repl_error(r, "expression nested too deeply (or endless recursion)");
    }
    r->depth++;
    int rc = eval_inner(r, n, out);
    r->depth--;
    return rc;
}

/* ---- statements ---------------------------------------------------------------------------- */

/* The value an assignment binds: numbers and tensor literals become new
 * leaves; a variable without a name takes the target's. */
static int assignable(repl *r, const char *target, repl_value v, repl_value *out) {
    if (v.kind == VALUE_NUMBER || (v.kind == VALUE_LIST && value_is_tensor_literal(v))) {
        ag_var *leaf = value_to_leaf(r, v);
        value_release(v);
        if (leaf == NULL) return engine_error(r);
        v = value_var(leaf);
    }
    if (v.kind == VALUE_VAR && ag_name(v.as.var)[0] == '\0') ag_set_name(v.as.var, target);
    *out = v;
    return 0;
}

/* x op= e on x's data in place: e broadcast to x's shape, no graph. */
static int update_in_place(repl *r, const char *target, ag_var *x, ast_operator op, repl_value e) {
    double scalar;
    const double *source = NULL;
    int e_ndim = 0;
    const int *e_shape = NULL;
    ag_var *ev = NULL;
    char buf[96];
    if (e.kind == VALUE_NUMBER) {
        scalar = e.as.number;
        source = &scalar;
    } else if (e.kind == VALUE_VAR || (e.kind == VALUE_LIST && value_is_tensor_literal(e))) {
        if (operand_var(r, e, "update with", &ev) < 0) return -1;
        source = ag_cdata(ev);
        e_ndim = ag_ndim(ev);
        e_shape = ag_shape(ev);
    } else if (e.kind == VALUE_NIL) {
        return value_nil_error(r, "", e);
    } else {
        return repl_error(r, "%s %s= e: e must be a variable or number, not %s", target,
                          ast_operator_symbol(op), describe_kind(e, buf, sizeof buf));
    }
    int ndim = ag_ndim(x);
    const int *shape = ag_shape(x);
    size_t strides[AG_MAX_DIMS] = {0};
    bool fits = e_ndim <= ndim;
    size_t stride = 1;
    for (int k = e_ndim - 1; k >= 0 && fits; k--) {
        int d = ndim - e_ndim + k;
        if (e_shape[k] != 1 && e_shape[k] != shape[d]) fits = false;
        strides[d] = e_shape[k] == 1 ? 0 : stride;
        stride *= (size_t)e_shape[k];
    }
    if (!fits) {
        char a[16 + 12 * AG_MAX_DIMS], b[16 + 12 * AG_MAX_DIMS];
        return repl_error(r, "%s %s= e: e's shape %s does not broadcast to %s's shape %s", target,
                          ast_operator_symbol(op), ag_shape_string(e_ndim, e_shape, a), target,
                          ag_shape_string(ndim, shape, b));
    }
    double *data = ag_data(x);
    size_t size = ag_size(x);
    int index[AG_MAX_DIMS] = {0};
    size_t offset = 0;
    bool produced_nonfinite = false; /* from finite numbers: x /= 0 */
    for (size_t i = 0; i < size; i++) {
        double v = source[offset], before = data[i];
        switch (op) {
        case AST_OP_ADD: data[i] = before + v; break;
        case AST_OP_SUBTRACT: data[i] = before - v; break;
        case AST_OP_MULTIPLY: data[i] = before * v; break;
        default: data[i] = before / v; break;
        }
        if (!isfinite(data[i]) && isfinite(before) && isfinite(v)) produced_nonfinite = true;
        for (int d = ndim - 1; d >= 0; d--) { /* odometer over x's index */
            offset += strides[d];
            if (++index[d] < shape[d]) break;
            offset -= strides[d] * (size_t)shape[d];
            index[d] = 0;
        }
    }
    if (produced_nonfinite) note_nonfinite(r, ast_operator_symbol(op));
    return 0;
}

static int exec_assign(repl *r, const ast_node *n) {
    const char *target = n->as.assign.target;
    ast_operator op = n->as.assign.op;
    repl_value v;
    if (op == AST_OP_NONE) {
        if (eval(r, n->as.assign.value, &v) < 0) return -1;
        r->current = n;
        repl_value bound;
        if (assignable(r, target, v, &bound) < 0) return -1;
        return bind(r, target, bound);
    }
    repl_value *slot = names_get(r->locals, target);
    if (slot == NULL) slot = names_get(&r->names, target);
    if (slot == NULL) {
        r->current = n;
        return unknown_name(r, target);
    }
    if (slot->kind == VALUE_VAR) {
        repl_value x = value_copy(*slot);
        bool old = ag_set_grad_enabled(r->ctx, false);
        int rc = eval_operand(r, n->as.assign.value, LITERAL_NUMBER, &v);
        ag_set_grad_enabled(r->ctx, old);
        if (rc == 0) {
            r->current = n;
            rc = update_in_place(r, target, x.as.var, op, v);
            value_release(v);
        }
        value_release(x);
        return rc;
    }
    char buf[96];
    if (slot->kind != VALUE_NUMBER && !(slot->kind == VALUE_STRING && op == AST_OP_ADD)) {
        r->current = n;
        return repl_error(r, "%s %s= e: %s is %s; only variables and numbers can be updated", target,
                          ast_operator_symbol(op), target, describe_kind(*slot, buf, sizeof buf));
    }
    repl_value old = value_copy(*slot);
    if (eval_operand(r, n->as.assign.value, LITERAL_NUMBER, &v) < 0) {
        value_release(old);
        return -1;
    }
    r->current = n;
    repl_value result;
    int rc = arithmetic(r, op, old, v, &result);
    value_release(old);
    value_release(v);
    if (rc < 0) return -1;
    if (result.kind == VALUE_VAR && ag_name(result.as.var)[0] == '\0') ag_set_name(result.as.var, target);
    return bind(r, target, result);
}

static int exec_def(repl *r, const ast_node *n) {
    user_function *f = calloc(1, sizeof *f);
    if (f == NULL || (f->name = strdup(n->as.def.name)) == NULL) {
        free(f);
        r->current = n;
        return repl_error(r, "out of memory");
    }
    f->refcount = 1;
    f->def = n;
    f->chunk = r->chunk;
    r->chunk->refcount++;
    return bind(r, n->as.def.name, (repl_value){.kind = VALUE_FUNCTION, .as.function = f});
}

/* Checks Ctrl-C and collects garbage between statements; -1 on interrupt. */
static int statement_boundary(repl *r, const ast_node *n) {
    if (repl_interrupted) {
        repl_interrupted = 0;
        r->current = n;
        return repl_error(r, "interrupted");
    }
    if (r->native_depth == 0 && (ag_allocs_since_gc(r->ctx) > GC_THRESHOLD ||
                                 ag_bytes_since_gc(r->ctx) > GC_BYTES_THRESHOLD))
        ag_gc(r->ctx);
    repl_viz_idle(r->viz); /* plot windows stay live while a loop runs */
    return 0;
}

/* Runs a loop body once; *stop set on break; EXEC_OK, EXEC_RETURN or EXEC_ERROR. */
static int loop_body(repl *r, const ast_node *body, bool *stop) {
    int status = exec_block(r, body);
    if (status == EXEC_BREAK) {
        *stop = true;
        return EXEC_OK;
    }
    if (status == EXEC_CONTINUE) return EXEC_OK;
    if (status != EXEC_OK) *stop = true;
    return status;
}

static int exec_for(repl *r, const ast_node *n) {
    const char *variable = n->as.for_loop.variable;
    const ast_node *iterable = n->as.for_loop.iterable, *body = n->as.for_loop.body;
    /* range(...) runs lazily unless the name was rebound */
    if (iterable->kind == AST_CALL && iterable->as.call.callee->kind == AST_NAME &&
        strcmp(iterable->as.call.callee->as.name, "range") == 0 &&
        names_get(r->locals, "range") == NULL && names_get(&r->names, "range") == NULL) {
        repl_value range;
        if (eval(r, iterable->as.call.callee, &range) < 0) return EXEC_ERROR;
        const ast_list *arguments = &iterable->as.call.arguments;
        int argc = arguments->count;
        repl_value argv[3] = {VALUE_NIL_INIT, VALUE_NIL_INIT, VALUE_NIL_INIT};
        int rc = 0;
        if (argc > 3 || iterable->as.call.keywords.count > 0) {
            r->current = iterable;
            rc = argc > 3 ? repl_error(r, "range takes at most 3 arguments, got %d", argc)
                          : repl_error(r, "range takes no keyword arguments");
        }
        for (int i = 0; i < argc && rc == 0; i++)
            if (eval_operand(r, arguments->items[i], LITERAL_NUMBER, &argv[i]) < 0) rc = -1;
        double start = 0, stop = 0, step = 1;
        if (rc == 0) {
            r->current = iterable;
            builtin_args args;
            rc = bind_arguments(r, range.as.builtin, argc, argv, 0, NULL, NULL, &args);
            if (rc == 0) {
                rc = range_bounds(r, &args, &start, &stop, &step);
                builtin_args_free(&args);
            }
        }
        for (int i = 0; i < 3; i++) value_release(argv[i]);
        value_release(range);
        if (rc < 0) return EXEC_ERROR;
        double count = ceil((stop - start) / step);
        bool stop_loop = false;
        int status = EXEC_OK;
        for (double k = 0; k < count && !stop_loop; k++) {
            if (statement_boundary(r, n) < 0) return EXEC_ERROR;
            if (bind(r, variable, value_number(start + k * step)) < 0) return EXEC_ERROR;
            status = loop_body(r, body, &stop_loop);
        }
        return status;
    }

    repl_value items;
    if (eval(r, iterable, &items) < 0) return EXEC_ERROR;
    r->current = iterable;
    char buf[96];
    int status = EXEC_OK;
    bool stop_loop = false;
    if (items.kind == VALUE_LIST) {
        for (int i = 0; i < items.as.list->count && !stop_loop; i++) {
            if (statement_boundary(r, n) < 0 ||
                bind(r, variable, value_copy(items.as.list->items[i])) < 0) {
                status = EXEC_ERROR;
                break;
            }
            status = loop_body(r, body, &stop_loop);
        }
    } else if (items.kind == VALUE_VAR && ag_ndim(items.as.var) == 1) {
        size_t size = ag_size(items.as.var);
        for (size_t i = 0; i < size && !stop_loop; i++) {
            if (statement_boundary(r, n) < 0 ||
                bind(r, variable, value_number(ag_cdata(items.as.var)[i])) < 0) {
                status = EXEC_ERROR;
                break;
            }
            status = loop_body(r, body, &stop_loop);
        }
    } else if (items.kind == VALUE_VAR) {
        repl_error(r, "for: can loop over a 1-D variable's elements, not %s; use range(len(x)) and x[i]",
                   describe_kind(items, buf, sizeof buf));
        status = EXEC_ERROR;
    } else if (items.kind == VALUE_NUMBER) {
        repl_error(r, "for: cannot loop over a number; did you mean range(n)?");
        status = EXEC_ERROR;
    } else {
        repl_error(r, "for: cannot loop over %s", describe_kind(items, buf, sizeof buf));
        status = EXEC_ERROR;
    }
    value_release(items);
    return status;
}

static int exec_if(repl *r, const ast_node *n) {
    const ast_list *conditions = &n->as.if_statement.conditions, *bodies = &n->as.if_statement.bodies;
    for (int i = 0; i < conditions->count; i++) {
        repl_value c;
        if (eval(r, conditions->items[i], &c) < 0) return EXEC_ERROR;
        bool t;
        r->current = conditions->items[i];
        int rc = truthy(r, c, &t);
        value_release(c);
        if (rc < 0) return EXEC_ERROR;
        if (t) return exec_block(r, bodies->items[i]);
    }
    const ast_node *otherwise = n->as.if_statement.else_body;
    if (otherwise == NULL) return EXEC_OK;
    return otherwise->kind == AST_BLOCK ? exec_block(r, otherwise) : exec_statement(r, otherwise, false);
}

/* An expression statement at top level shows its value; a call that returns
 * nothing shows nothing, while `x.grad` shows <nil>. */
static void show_value(repl *r, const ast_node *n, repl_value v) {
    if (v.kind == VALUE_NIL && n->kind == AST_CALL) return;
    repl_print_value(r, r->out, v);
}

static int exec_statement(repl *r, const ast_node *n, bool top_level) {
    r->current = n;
    switch (n->kind) {
    case AST_ASSIGN: return exec_assign(r, n) < 0 ? EXEC_ERROR : EXEC_OK;
    case AST_DEF: return exec_def(r, n) < 0 ? EXEC_ERROR : EXEC_OK;
    case AST_FOR: return exec_for(r, n);
    case AST_IF: return exec_if(r, n);
    case AST_NOGRAD: {
        bool old = ag_set_grad_enabled(r->ctx, false);
        int status = exec_block(r, n->as.scope.body);
        ag_set_grad_enabled(r->ctx, old);
        return status;
    }
    case AST_TESTMODE: {
        bool old = ag_set_train(r->ctx, false);
        int status = exec_block(r, n->as.scope.body);
        ag_set_train(r->ctx, old);
        return status;
    }
    case AST_BREAK: return EXEC_BREAK;
    case AST_CONTINUE: return EXEC_CONTINUE;
    case AST_RETURN: {
        repl_value v = VALUE_NIL_INIT;
        if (n->as.return_statement.value && eval(r, n->as.return_statement.value, &v) < 0)
            return EXEC_ERROR;
        value_release(r->return_value);
        r->return_value = v;
        return EXEC_RETURN;
    }
    case AST_BLOCK: return exec_block(r, n);
    default: {
        repl_value v;
        if (eval(r, n, &v) < 0) return EXEC_ERROR;
        if (top_level) show_value(r, n, v);
        value_release(v);
        return EXEC_OK;
    }
    }
}

static int exec_block(repl *r, const ast_node *block) {
    const ast_list *statements = &block->as.block;
    for (int i = 0; i < statements->count; i++) {
        if (statement_boundary(r, statements->items[i]) < 0) return EXEC_ERROR;
        int status = exec_statement(r, statements->items[i], false);
        if (status != EXEC_OK) return status;
    }
    return EXEC_OK;
}

/* ---- top level ------------------------------------------------------------------------------- */

static void record_statement(repl *r, const repl_chunk *chunk, const ast_node *n) {
    if (n->source_end <= n->source_start) return;
    if (r->history_count == r->history_capacity) {
        int capacity = r->history_capacity ? r->history_capacity * 2 : 64;
        char **grown = realloc(r->history, (size_t)capacity * sizeof *grown);
        if (grown == NULL) return;
        r->history = grown;
        r->history_capacity = capacity;
    }
    char *text = strndup(chunk->source + n->source_start, n->source_end - n->source_start);
    if (text) r->history[r->history_count++] = text;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one top-level statement: evaluation, then collection, the NaN
 * warning, the viz refresh and the timing line.  0 or -1 (reported). */
static int run_top(repl *r, repl_chunk *chunk, const ast_node *n) {
    clear_error(r);
    ag_clear_error(r->ctx);
    ag_clear_nonfinite(r->ctx);
    r->nonfinite_note[0] = '\0';
    r->chunk = chunk;
    r->locals = NULL;
    r->depth = r->call_depth = r->native_depth = 0;
    r->command_line = 0;
    char base;
    r->stack_base = (uintptr_t)&base;
    double start = r->timing ? now_ms() : 0;
    bool grad_enabled = ag_grad_enabled(r->ctx), train = ag_is_train(r->ctx);
    /* a Ctrl-C that arrived between statements stops a script here */
    int status = statement_boundary(r, n) < 0 ? EXEC_ERROR : exec_statement(r, n, true);
    ag_set_grad_enabled(r->ctx, grad_enabled);
    ag_set_train(r->ctx, train);
    value_release(r->return_value);
    r->return_value = VALUE_NIL_INIT;
    if (status != EXEC_OK && !r->error_set) {
        r->current = n;
        repl_error(r, status == EXEC_ERROR ? "statement failed" : "break or continue outside a loop");
    }
    r->current = NULL;
    int rc = r->error_set ? -1 : 0;
    if (rc < 0) report_error(r);
    /* the REPL's note was taken while the engine had none: it came first */
    const char *nonfinite = r->nonfinite_note[0] ? r->nonfinite_note : ag_nonfinite_op(r->ctx);
    if (nonfinite != NULL) {
        fflush(r->out);
        if (chunk->filename)
            fprintf(r->err, "%s:%d:%d: warning: NaN or Inf first produced by %s\n", chunk->filename,
                    n->line, n->column, nonfinite);
        else
            fprintf(r->err, "warning: NaN or Inf first produced by %s\n", nonfinite);
        fflush(r->err);
        ag_clear_nonfinite(r->ctx);
        r->nonfinite_note[0] = '\0';
    }
    r->chunk = NULL;
    ag_gc(r->ctx);
    if (r->viz) repl_viz_after_statement(r->viz);
    if (r->timing) fprintf(r->out, "time: %.3f ms\n", now_ms() - start);
    fflush(r->out);
    if (rc == 0) record_statement(r, chunk, n);
    return rc;
}

/* ---- splitting source into commands and code ---------------------------------------------------- */

typedef struct segment {
    bool command;
    size_t start, end; /* byte range in the source */
    int line;          /* first line number */
    repl_chunk *chunk; /* parsed code */
} segment;

static bool interactive_name(const char *filename) {
    return filename == NULL || strcmp(filename, "<stdin>") == 0;
}

int session_run(repl *r, const char *src, const char *filename, int first_line) {
    if (first_line < 1) first_line = 1;
    /* one segment per command line and per run of other lines */
    int capacity = 8, count = 0;
    segment *segments = malloc((size_t)capacity * sizeof *segments);
    if (segments == NULL) return REPL_ERROR;
    size_t at = 0, length = strlen(src);
    int line = first_line;
    while (at < length) {
        size_t end = at;
        while (end < length && src[end] != '\n') end++;
        char *text = strndup(src + at, end - at);
        bool command = text && parse_is_command(text);
        free(text);
        size_t next = end < length ? end + 1 : end;
        if (count > 0 && !command && !segments[count - 1].command) {
            segments[count - 1].end = next;
        } else {
            if (count == capacity) {
                segment *grown = realloc(segments, (size_t)(capacity *= 2) * sizeof *grown);
                if (grown == NULL) {
                    free(segments);
                    return REPL_ERROR;
                }
                segments = grown;
            }
            segments[count++] = (segment){.command = command, .start = at, .end = next, .line = line};
        }
        at = next;
        line++;
    }

    int status = REPL_OK;
    for (int i = 0; i < count && status == REPL_OK; i++) {
        segment *s = &segments[i];
        if (s->command) continue;
        repl_chunk *chunk = calloc(1, sizeof *chunk);
        if (chunk == NULL || (chunk->source = strndup(src + s->start, s->end - s->start)) == NULL ||
            (filename && (chunk->filename = strdup(filename)) == NULL)) {
            if (chunk) free(chunk->source);
            free(chunk);
            status = REPL_ERROR;
            break;
        }
        chunk->refcount = 1;
        chunk->first_line = s->line;
        s->chunk = chunk;
        parse_error error;
        parse_status ps = parse_program(chunk->source, s->line, &chunk->program, &error);
        if (ps == PARSE_INCOMPLETE && i == count - 1 && interactive_name(filename)) {
            status = REPL_INCOMPLETE;
        } else if (ps != PARSE_OK) {
            char *message = parse_error_format(&error, chunk->source, s->line, filename);
            fflush(r->out);
            if (message) fputs(message, r->err);
            fflush(r->err);
            free(message);
            status = REPL_ERROR;
        }
    }
    for (int i = 0; i < count && status == REPL_OK && !r->quit; i++) {
        segment *s = &segments[i];
        if (s->command) {
            char *text = strndup(src + s->start, s->end - s->start);
            if (text == NULL) {
                status = REPL_ERROR;
                break;
            }
            size_t n = strlen(text);
            while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
            clear_error(r);
            r->current = NULL;
            r->chunk = NULL;
            r->command_file = filename;
            r->command_line = s->line;
            int rc = command_run(r, text);
            if (r->error_set) report_error(r);
            r->command_line = 0;
            r->command_file = NULL;
            free(text);
            fflush(r->out);
            if (rc != REPL_OK) status = REPL_ERROR;
            continue;
        }
        const ast_list *statements = &s->chunk->program->as.block;
        for (int k = 0; k < statements->count && !r->quit; k++)
            if (run_top(r, s->chunk, statements->items[k]) < 0) {
                status = REPL_ERROR;
                break;
            }
    }
    for (int i = 0; i < count; i++) chunk_release(segments[i].chunk);
    free(segments);
    return status;
}

int repl_run(repl *r, const char *src, const char *filename, int first_line) {
    if (r == NULL || src == NULL) return REPL_ERROR;
    return session_run(r, src, filename, first_line);
}
