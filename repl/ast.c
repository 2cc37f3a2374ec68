/* ast.c — syntax tree nodes: constructors, iterative free, child view, and
 * the S-expression printer used by tests and for debugging. */
#include "ast.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strbuf.h"

static const char *const kind_names[] = {
    [AST_NUMBER] = "number",       [AST_STRING] = "string",   [AST_BOOL] = "bool", [AST_NONE] = "none",
    [AST_ELLIPSIS] = "ellipsis",
    [AST_NAME] = "name",           [AST_LIST] = "list",       [AST_UNARY] = "unary",
    [AST_BINARY] = "binary",       [AST_CALL] = "call",       [AST_KEYWORD] = "keyword",
    [AST_ATTRIBUTE] = "attribute", [AST_INDEX] = "index", [AST_SLICE] = "slice",     [AST_ASSIGN] = "assign",
    [AST_DEF] = "def",             [AST_FOR] = "for",         [AST_IF] = "if",
    [AST_NOGRAD] = "nograd",       [AST_TESTMODE] = "testmode", [AST_BREAK] = "break",
    [AST_CONTINUE] = "continue",   [AST_RETURN] = "return",   [AST_BLOCK] = "block",
    [AST_UNPACK] = "unpack",       [AST_SET_ITEM] = "set_item", [AST_WHILE] = "while",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == AST_KIND_COUNT,
               "kind_names[] must name every node kind");

static const char *const operator_symbols[] = {
    [AST_OP_NONE] = "=",         [AST_OP_OR] = "or",          [AST_OP_AND] = "and",
    [AST_OP_EQUAL] = "==",       [AST_OP_NOT_EQUAL] = "!=",   [AST_OP_LESS] = "<",
    [AST_OP_LESS_EQUAL] = "<=",  [AST_OP_GREATER] = ">",      [AST_OP_GREATER_EQUAL] = ">=", [AST_OP_IS] = "is", [AST_OP_IS_NOT] = "is not",
    [AST_OP_ADD] = "+",          [AST_OP_SUBTRACT] = "-",     [AST_OP_MULTIPLY] = "*",
    [AST_OP_DIVIDE] = "/",       [AST_OP_MODULO] = "%",       [AST_OP_FLOOR_DIVIDE] = "//",       [AST_OP_MATMUL] = "@",
    [AST_OP_POWER] = "^",        [AST_OP_NEGATE] = "-",       [AST_OP_PLUS] = "+",
    [AST_OP_NOT] = "not",
};
_Static_assert(sizeof operator_symbols / sizeof operator_symbols[0] == AST_OP_COUNT,
               "operator_symbols[] must name every operator");

const char *ast_kind_name(ast_kind kind) {
    if ((int)kind < 0 || kind >= AST_KIND_COUNT) return "?";
    return kind_names[kind];
}

const char *ast_operator_symbol(ast_operator op) {
    if ((int)op < 0 || op >= AST_OP_COUNT) return "?";
    return operator_symbols[op];
}

/* ---- construction ---- */

ast_node *ast_new(ast_kind kind, int line, int column) {
    ast_node *node = calloc(1, sizeof *node);
    if (!node) return NULL;
    node->kind = kind;
    node->line = line;
    node->column = column;
    return node;
}

static char *copy_text(const char *text, size_t length) {
    char *copy = malloc(length + 1);
    if (!copy) return NULL;
    if (length) memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

ast_node *ast_new_number(double value, int line, int column) {
    ast_node *node = ast_new(AST_NUMBER, line, column);
    if (node) node->as.number = value;
    return node;
}

ast_node *ast_new_bool(bool value, int line, int column) {
    ast_node *node = ast_new(AST_BOOL, line, column);
    if (node) node->as.boolean = value;
    return node;
}

/* AST_STRING and AST_NAME keep their text in the same union slot type. */
static ast_node *new_text_node(ast_kind kind, const char *text, size_t length, int line,
                               int column) {
    ast_node *node = ast_new(kind, line, column);
    if (!node) return NULL;
    char *copy = copy_text(text, length);
    if (!copy) {
        free(node);
        return NULL;
    }
    if (kind == AST_STRING)
        node->as.string = copy;
    else
        node->as.name = copy;
    return node;
}

ast_node *ast_new_string(const char *text, size_t length, int line, int column) {
    return new_text_node(AST_STRING, text, length, line, column);
}

ast_node *ast_new_name(const char *name, size_t length, int line, int column) {
    return new_text_node(AST_NAME, name, length, line, column);
}

ast_node *ast_new_unary(ast_operator op, ast_node *operand, int line, int column) {
    ast_node *node = operand ? ast_new(AST_UNARY, line, column) : NULL;
    if (!node) {
        ast_free(operand);
        return NULL;
    }
    node->as.unary.op = op;
    node->as.unary.operand = operand;
    return node;
}

ast_node *ast_new_binary(ast_operator op, ast_node *left, ast_node *right, int operator_line,
                         int operator_column) {
    ast_node *node = left && right ? ast_new(AST_BINARY, left->line, left->column) : NULL;
    if (!node) {
        ast_free(left);
        ast_free(right);
        return NULL;
    }
    node->as.binary.op = op;
    node->as.binary.left = left;
    node->as.binary.right = right;
    node->as.binary.operator_line = operator_line;
    node->as.binary.operator_column = operator_column;
    return node;
}

ast_node *ast_new_call(ast_node *callee) {
    ast_node *node = callee ? ast_new(AST_CALL, callee->line, callee->column) : NULL;
    if (!node) {
        ast_free(callee);
        return NULL;
    }
    node->as.call.callee = callee;
    return node;
}

ast_node *ast_new_keyword(const char *name, size_t length, ast_node *value, int line,
                          int column) {
    ast_node *node = value ? ast_new(AST_KEYWORD, line, column) : NULL;
    char *copy = node ? copy_text(name, length) : NULL;
    if (!copy) {
        free(node);
        ast_free(value);
        return NULL;
    }
    node->as.keyword.name = copy;
    node->as.keyword.value = value;
    return node;
}

ast_node *ast_new_attribute(ast_node *object, const char *name, size_t length) {
    ast_node *node = object ? ast_new(AST_ATTRIBUTE, object->line, object->column) : NULL;
    char *copy = node ? copy_text(name, length) : NULL;
    if (!copy) {
        free(node);
        ast_free(object);
        return NULL;
    }
    node->as.attribute.object = object;
    node->as.attribute.name = copy;
    return node;
}

ast_node *ast_new_index(ast_node *object) {
    ast_node *node = object ? ast_new(AST_INDEX, object->line, object->column) : NULL;
    if (!node) {
        ast_free(object);
        return NULL;
    }
    node->as.index.object = object;
    return node;
}

ast_node *ast_new_assign(const char *target, size_t length, ast_operator op, ast_node *value,
                         int line, int column) {
    ast_node *node = value ? ast_new(AST_ASSIGN, line, column) : NULL;
    char *copy = node ? copy_text(target, length) : NULL;
    if (!copy) {
        free(node);
        ast_free(value);
        return NULL;
    }
    node->as.assign.target = copy;
    node->as.assign.op = op;
    node->as.assign.value = value;
    return node;
}

ast_node *ast_new_def(const char *name, size_t length, int line, int column) {
    ast_node *node = ast_new(AST_DEF, line, column);
    char *copy = node ? copy_text(name, length) : NULL;
    if (!copy) {
        free(node);
        return NULL;
    }
    node->as.def.name = copy;
    return node;
}

ast_node *ast_new_for(const char *variable, size_t length, ast_node *iterable, int line,
                      int column) {
    ast_node *node = iterable ? ast_new(AST_FOR, line, column) : NULL;
    char *copy = node ? copy_text(variable, length) : NULL;
    if (!copy) {
        free(node);
        ast_free(iterable);
        return NULL;
    }
    node->as.for_loop.variable = copy;
    node->as.for_loop.iterable = iterable;
    return node;
}

bool ast_list_append(ast_list *list, ast_node *item) {
    if (!item) return false;
    if (list->count == INT_MAX || !ARRAY_RESERVE(list->items, list->capacity, (size_t)list->count, 1)) {
        ast_free(item);
        return false;
    }
    list->items[list->count++] = item;
    return true;
}

/* ---- children ---- */

/* Where a node keeps its children, in source order: up to two single
 * children (NULL when absent), then up to two lists, then one trailing
 * child.  AST_IF's interleaved arms are handled apart. */
typedef struct child_slots {
    ast_node *leading[2];
    const ast_list *lists[2];
    ast_node *trailing;
} child_slots;

static child_slots slots_of(const ast_node *node) {
    child_slots s = {{NULL, NULL}, {NULL, NULL}, NULL};
    switch (node->kind) {
    case AST_LIST: s.lists[0] = &node->as.list; break;
    case AST_UNARY: s.leading[0] = node->as.unary.operand; break;
    case AST_BINARY:
        s.leading[0] = node->as.binary.left;
        s.leading[1] = node->as.binary.right;
        break;
    case AST_CALL:
        s.leading[0] = node->as.call.callee;
        s.lists[0] = &node->as.call.arguments;
        s.lists[1] = &node->as.call.keywords;
        break;
    case AST_KEYWORD: s.leading[0] = node->as.keyword.value; break;
    case AST_ATTRIBUTE: s.leading[0] = node->as.attribute.object; break;
    case AST_INDEX:
        s.leading[0] = node->as.index.object;
        s.lists[0] = &node->as.index.indices;
        break;
    case AST_SLICE:
        s.leading[0] = node->as.slice.start;
        s.leading[1] = node->as.slice.stop;
        s.trailing = node->as.slice.step;
        break;
    case AST_ASSIGN:
        s.leading[0] = node->as.assign.object; /* NULL for a name */
        s.leading[1] = node->as.assign.value;
        break;
    case AST_DEF:
        s.lists[0] = &node->as.def.parameters;
        s.lists[1] = &node->as.def.defaults;
        s.trailing = node->as.def.body;
        break;
    case AST_FOR: /* targets (NULL for one name), iterable, body */
        s.leading[0] = node->as.for_loop.targets;
        s.leading[1] = node->as.for_loop.iterable;
        s.trailing = node->as.for_loop.body;
        break;
    case AST_UNPACK:
        s.leading[0] = node->as.unpack.targets;
        s.leading[1] = node->as.unpack.value;
        break;
    case AST_SET_ITEM:
        s.leading[0] = node->as.set_item.target;
        s.leading[1] = node->as.set_item.value;
        break;
    case AST_WHILE:
        s.leading[0] = node->as.while_loop.condition;
        s.leading[1] = node->as.while_loop.body;
        break;
    case AST_IF: s.trailing = node->as.if_statement.else_body; break; /* arms: see below */
    case AST_NOGRAD:
    case AST_TESTMODE: s.leading[0] = node->as.scope.body; break;
    case AST_RETURN: s.leading[0] = node->as.return_statement.value; break;
    case AST_BLOCK: s.lists[0] = &node->as.block; break;
    default: break;
    }
    return s;
}

/* The if arms interleave two lists (condition, body, condition, body).  A
 * half-built node (parse error between a condition and its body) has one
 * more condition than bodies; that condition still counts as a child. */
static int if_arm_count(const ast_node *node) {
    int conditions = node->as.if_statement.conditions.count;
    int bodies = node->as.if_statement.bodies.count;
    return conditions < bodies ? conditions : bodies;
}

static ast_node *if_arm_child(const ast_node *node, int index) {
    const ast_list *conditions = &node->as.if_statement.conditions;
    const ast_list *bodies = &node->as.if_statement.bodies;
    int paired = if_arm_count(node);
    if (index < 2 * paired) return (index % 2 == 0 ? conditions : bodies)->items[index / 2];
    index -= 2 * paired;
    const ast_list *longer = conditions->count > paired ? conditions : bodies;
    return index < longer->count - paired ? longer->items[paired + index] : NULL;
}

int ast_child_count(const ast_node *node) {
    if (!node) return 0;
    child_slots s = slots_of(node);
    int count = (s.leading[0] != NULL) + (s.leading[1] != NULL) + (s.trailing != NULL);
    for (int i = 0; i < 2; i++)
        if (s.lists[i]) count += s.lists[i]->count;
    if (node->kind == AST_IF)
        count += node->as.if_statement.conditions.count + node->as.if_statement.bodies.count;
    return count;
}

ast_node *ast_child(const ast_node *node, int index) {
    if (!node || index < 0) return NULL;
    child_slots s = slots_of(node);
    for (int i = 0; i < 2; i++) {
        if (!s.leading[i]) continue;
        if (index == 0) return s.leading[i];
        index--;
    }
    if (node->kind == AST_IF) {
        int arms = node->as.if_statement.conditions.count + node->as.if_statement.bodies.count;
        if (index < arms) return if_arm_child(node, index);
        index -= arms;
    }
    for (int i = 0; i < 2; i++) {
        if (!s.lists[i]) continue;
        if (index < s.lists[i]->count) return s.lists[i]->items[index];
        index -= s.lists[i]->count;
    }
    if (s.trailing && index == 0) return s.trailing;
    return NULL;
}

/* ---- freeing ---- */

/* Frees the node's own strings and arrays, not its children. */
static void free_own_storage(ast_node *node) {
    switch (node->kind) {
    case AST_STRING: free(node->as.string); break;
    case AST_NAME: free(node->as.name); break;
    case AST_LIST: free(node->as.list.items); break;
    case AST_CALL:
        free(node->as.call.arguments.items);
        free(node->as.call.keywords.items);
        break;
    case AST_KEYWORD: free(node->as.keyword.name); break;
    case AST_ATTRIBUTE: free(node->as.attribute.name); break;
    case AST_INDEX: free(node->as.index.indices.items); break;
    case AST_ASSIGN: free(node->as.assign.target); break;
    case AST_DEF:
        free(node->as.def.name);
        free(node->as.def.parameters.items);
        free(node->as.def.defaults.items);
        break;
    case AST_FOR: free(node->as.for_loop.variable); break;
    case AST_IF:
        free(node->as.if_statement.conditions.items);
        free(node->as.if_statement.bodies.items);
        break;
    case AST_BLOCK: free(node->as.block.items); break;
    default: break;
    }
    free(node->plan);
    free(node);
}

/* A work list threaded through next_to_free: no recursion and no allocation,
 * so a million-deep chain frees like a flat one. */
void ast_free(ast_node *node) {
    if (!node) return;
    node->next_to_free = NULL;
    ast_node *pending = node;
    while (pending) {
        ast_node *current = pending;
        pending = current->next_to_free;
        int count = ast_child_count(current);
        for (int i = 0; i < count; i++) {
            ast_node *child = ast_child(current, i);
            if (!child) continue;
            child->next_to_free = pending;
            pending = child;
        }
        free_own_storage(current);
    }
}

/* ---- S-expressions ---- */

/* The shortest text that reads back to exactly `value`: plain decimals for
 * ordinary magnitudes (100, 0.001), exponent form outside them (1e-07). */
static void append_number(strbuf *buffer, double value) {
    char text[48];
    double magnitude = fabs(value);
    if (value == 0 || (magnitude >= 1e-5 && magnitude < 1e16)) {
        for (int decimals = 0; decimals <= 17 + 5; decimals++) {
            snprintf(text, sizeof text, "%.*f", decimals, value);
            if (strtod(text, NULL) == value) {
                strbuf_append(buffer, text);
                return;
            }
        }
    }
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (isnan(value) || strtod(text, NULL) == value) break;
    }
    strbuf_append(buffer, text);
}

static void append_node(strbuf *buffer, const ast_node *node, int depth);

/* " child" for each child of a list. */
static void append_each(strbuf *buffer, const ast_list *list, int depth) {
    for (int i = 0; i < list->count; i++) {
        strbuf_append(buffer, " ");
        append_node(buffer, list->items[i], depth);
    }
}

/* Recursion is bounded: below AST_MAX_HEIGHT levels the printer writes "..."
 * (parsed trees never get there). */
static void append_node(strbuf *buffer, const ast_node *node, int depth) {
    if (!node) {
        strbuf_append(buffer, "<null>");
        return;
    }
    if (depth > AST_MAX_HEIGHT) {
        strbuf_append(buffer, "...");
        return;
    }
    depth++;
    switch (node->kind) {
    case AST_NUMBER: append_number(buffer, node->as.number); break;
    case AST_STRING: strbuf_append_quoted(buffer, node->as.string); break;
    case AST_BOOL: strbuf_append(buffer, node->as.boolean ? "true" : "false"); break;
    case AST_NONE: strbuf_append(buffer, "none"); break;
    case AST_ELLIPSIS: strbuf_append(buffer, "..."); break;
    case AST_NAME: strbuf_append(buffer, node->as.name); break;
    case AST_LIST:
        strbuf_append(buffer, "(list");
        append_each(buffer, &node->as.list, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_UNARY:
        strbuf_append(buffer, "(");
        strbuf_append(buffer, ast_operator_symbol(node->as.unary.op));
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.unary.operand, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_BINARY:
        strbuf_append(buffer, "(");
        strbuf_append(buffer, ast_operator_symbol(node->as.binary.op));
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.binary.left, depth);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.binary.right, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_CALL:
        strbuf_append(buffer, "(call ");
        append_node(buffer, node->as.call.callee, depth);
        append_each(buffer, &node->as.call.arguments, depth);
        append_each(buffer, &node->as.call.keywords, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_KEYWORD:
        strbuf_append(buffer, node->as.keyword.name);
        strbuf_append(buffer, "=");
        append_node(buffer, node->as.keyword.value, depth);
        break;
    case AST_ATTRIBUTE:
        strbuf_append(buffer, "(. ");
        append_node(buffer, node->as.attribute.object, depth);
        strbuf_append(buffer, " ");
        strbuf_append(buffer, node->as.attribute.name);
        strbuf_append(buffer, ")");
        break;
    case AST_INDEX:
        strbuf_append(buffer, "(index ");
        append_node(buffer, node->as.index.object, depth);
        append_each(buffer, &node->as.index.indices, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_SLICE: /* (slice start stop step), _ for a part left out */
        strbuf_append(buffer, "(slice");
        for (int i = 0; i < 3; i++) {
            const ast_node *part = i == 0 ? node->as.slice.start : i == 1 ? node->as.slice.stop
                                                                          : node->as.slice.step;
            strbuf_append(buffer, " ");
            if (part) append_node(buffer, part, depth);
            else strbuf_append(buffer, "_");
        }
        strbuf_append(buffer, ")");
        break;
    case AST_ASSIGN:
        strbuf_append(buffer, "(");
        strbuf_append(buffer, ast_operator_symbol(node->as.assign.op));
        if (node->as.assign.op != AST_OP_NONE) strbuf_append(buffer, "=");
        strbuf_append(buffer, " ");
        if (node->as.assign.object) {
            strbuf_append(buffer, "(. ");
            append_node(buffer, node->as.assign.object, depth);
            strbuf_append(buffer, " ");
            strbuf_append(buffer, node->as.assign.target);
            strbuf_append(buffer, ")");
        } else {
            strbuf_append(buffer, node->as.assign.target);
        }
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.assign.value, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_DEF:
        strbuf_append(buffer, "(def ");
        strbuf_append(buffer, node->as.def.name);
        strbuf_append(buffer, " (");
        for (int i = 0; i < node->as.def.parameters.count; i++) {
            if (i) strbuf_append(buffer, " ");
            const ast_node *parameter = node->as.def.parameters.items[i];
            for (int k = 0; k < node->as.def.defaults.count; k++)
                if (strcmp(node->as.def.defaults.items[k]->as.keyword.name, parameter->as.name) == 0)
                    parameter = node->as.def.defaults.items[k];
            append_node(buffer, parameter, depth);
        }
        strbuf_append(buffer, ") ");
        append_node(buffer, node->as.def.body, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_FOR:
        strbuf_append(buffer, "(for ");
        if (node->as.for_loop.targets) append_node(buffer, node->as.for_loop.targets, depth);
        else strbuf_append(buffer, node->as.for_loop.variable);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.for_loop.iterable, depth);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.for_loop.body, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_IF: {
        int arms = if_arm_count(node);
        strbuf_append(buffer, "(if");
        for (int i = 0; i < arms; i++) {
            strbuf_append(buffer, i == 0 ? " " : " (elif ");
            append_node(buffer, node->as.if_statement.conditions.items[i], depth);
            strbuf_append(buffer, " ");
            append_node(buffer, node->as.if_statement.bodies.items[i], depth);
            if (i > 0) strbuf_append(buffer, ")");
        }
        if (node->as.if_statement.else_body) {
            strbuf_append(buffer, " (else ");
            append_node(buffer, node->as.if_statement.else_body, depth);
            strbuf_append(buffer, ")");
        }
        strbuf_append(buffer, ")");
        break;
    }
    case AST_NOGRAD:
    case AST_TESTMODE:
        strbuf_append(buffer, node->kind == AST_NOGRAD ? "(nograd " : "(testmode ");
        append_node(buffer, node->as.scope.body, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_BREAK: strbuf_append(buffer, "(break)"); break;
    case AST_CONTINUE: strbuf_append(buffer, "(continue)"); break;
    case AST_RETURN:
        strbuf_append(buffer, "(return");
        if (node->as.return_statement.value) {
            strbuf_append(buffer, " ");
            append_node(buffer, node->as.return_statement.value, depth);
        }
        strbuf_append(buffer, ")");
        break;
    case AST_BLOCK:
        strbuf_append(buffer, "(block");
        append_each(buffer, &node->as.block, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_UNPACK:
        strbuf_append(buffer, "(unpack ");
        append_node(buffer, node->as.unpack.targets, depth);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.unpack.value, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_SET_ITEM:
        strbuf_append(buffer, "(");
        if (node->as.set_item.op == AST_OP_NONE) {
            strbuf_append(buffer, "set");
        } else {
            strbuf_append(buffer, ast_operator_symbol(node->as.set_item.op));
            strbuf_append(buffer, "=");
        }
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.set_item.target, depth);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.set_item.value, depth);
        strbuf_append(buffer, ")");
        break;
    case AST_WHILE:
        strbuf_append(buffer, "(while ");
        append_node(buffer, node->as.while_loop.condition, depth);
        strbuf_append(buffer, " ");
        append_node(buffer, node->as.while_loop.body, depth);
        strbuf_append(buffer, ")");
        break;
    default: strbuf_append(buffer, "<?>"); break;
    }
}

char *ast_to_sexpr(const ast_node *node) {
    strbuf buffer = {0};
    append_node(&buffer, node, 0);
    return strbuf_take(&buffer);
}
