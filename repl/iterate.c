/* iterate.c — walking a value's items, and binding them to patterns
 * (repl_internal.h, "iterate.c").
 *
 * One pass over a value (repl_iter) is what `for`, `a, b = e`, enumerate,
 * zip, progress, len and sum walk:
 *   - a list: its items;
 *   - a 1-D variable: its numbers, as plain numbers (a loop counter);
 *   - a variable of more dimensions: its rows x[0], x[1], ... (each a
 *     differentiable GetItem, as iterating a PyTorch tensor);
 *   - an object whose type has the iter_* hooks (value.h): lazily, one
 *     item per iter_next, so `for xb, tb in batches(...)` never holds every
 *     batch, and enumerate(...) of a loader stays lazy.
 *
 * A pattern (ast.h) is a name or a list of patterns: `i, (xb, tb)`.
 * Binding one first collects every (name, value) pair and checks every
 * count, then binds them all: a mismatch binds nothing. */
#include "repl_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- passes ----------------------------------------------------------------------------- */

int repl_iter_begin(repl *r, const ast_node *at, repl_value v, repl_iter *it) {
    *it = (repl_iter){.source = VALUE_NIL_INIT, .count = -1};
    if (v.kind == VALUE_LIST) {
        it->kind = ITER_LIST;
        it->count = v.as.list->count;
    } else if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1) {
        it->kind = ITER_NUMBERS;
        it->count = (long)ag_size(v.as.var);
    } else if (v.kind == VALUE_VAR && ag_ndim(v.as.var) > 1) {
        it->kind = ITER_ROWS;
        it->count = ag_shape(v.as.var)[0];
    } else if (v.kind == VALUE_OBJECT && v.as.object->type && v.as.object->type->iter_next) {
        const repl_object_type *type = v.as.object->type;
        it->kind = ITER_OBJECT;
        it->count = type->length ? type->length(v.as.object->payload) : -1;
        const ast_node *caller = r->eval.call; /* the hook reports at `at` */
        if (at != NULL) r->eval.call = at;
        int rc = type->iter_start ? type->iter_start(r, v.as.object->payload, &it->cursor) : 0;
        r->eval.call = caller;
        if (rc < 0) return -1;
    } else {
        return 1;
    }
    it->source = value_copy(v);
    return 0;
}

int repl_iter_next(repl *r, const ast_node *at, repl_iter *it, repl_value *out) {
    repl_value v = it->source;
    switch (it->kind) {
    case ITER_LIST:
        /* a list the body appends to grows the loop, as in Python */
        if (it->index >= v.as.list->count) return 0;
        *out = value_copy(v.as.list->items[it->index++]);
        return 1;
    case ITER_NUMBERS:
        if (it->index >= it->count) return 0;
        *out = value_number(ag_cdata(v.as.var)[it->index++]);
        return 1;
    case ITER_ROWS: {
        if (it->index >= it->count) return 0;
        int i = (int)it->index++;
        ag_var *row = ag_squeeze(r->ctx, ag_get_item(r->ctx, v.as.var, 0, &i, 1), 0);
        if (row == NULL) return engine_error_at(r, at);
        *out = value_var(row);
        return 1;
    }
    case ITER_OBJECT: {
        const ast_node *caller = r->eval.call;
        if (at != NULL) r->eval.call = at;
        r->eval.native_depth++; /* the hook holds plain ag_var pointers */
        int rc = v.as.object->type->iter_next(r, v.as.object->payload, it->cursor, out);
        r->eval.native_depth--;
        r->eval.call = caller;
        return rc < 0 ? -1 : rc > 0 ? 1 : 0;
    }
    }
    return 0;
}

void repl_iter_end(repl_iter *it) {
    repl_value v = it->source;
    if (it->kind == ITER_OBJECT && v.kind == VALUE_OBJECT && v.as.object->type->iter_stop)
        v.as.object->type->iter_stop(v.as.object->payload, it->cursor);
    value_release(v);
    *it = (repl_iter){.source = VALUE_NIL_INIT, .count = -1};
}

long repl_iter_length(repl_value v) {
    if (v.kind == VALUE_LIST) return v.as.list->count;
    if (v.kind == VALUE_VAR && ag_ndim(v.as.var) >= 1) return ag_shape(v.as.var)[0];
    if (v.kind == VALUE_OBJECT && v.as.object->type && v.as.object->type->iter_next)
        return v.as.object->type->length ? v.as.object->type->length(v.as.object->payload) : -1;
    return -2;
}

bool repl_iterable(repl_value v) { return repl_iter_length(v) != -2; }

/* ---- patterns ---------------------------------------------------------------------------- */

/* The pairs a pattern binds, collected before any is bound. */
typedef struct pattern_binding {
    const ast_node *name; /* an AST_NAME of the pattern */
    repl_value value;
} pattern_binding;

typedef struct pattern_bindings {
    pattern_binding *items;
    int count, capacity;
} pattern_bindings;

static void bindings_free(pattern_bindings *b) {
    for (int i = 0; i < b->count; i++) value_release(b->items[i].value);
    free(b->items);
}

/* How a pattern reads in messages: "a, (b, c)". */
static void pattern_text(const ast_node *pattern, char *buf, size_t size) {
    size_t used = strlen(buf);
    if (used + 1 >= size) return;
    if (pattern->kind == AST_NAME) {
        snprintf(buf + used, size - used, "%s", pattern->as.name);
        return;
    }
    for (int i = 0; i < pattern->as.list.count; i++) {
        const ast_node *item = pattern->as.list.items[i];
        used = strlen(buf);
        if (i > 0 && used + 2 < size) snprintf(buf + used, size - used, ", ");
        used = strlen(buf);
        if (item->kind == AST_LIST && used + 1 < size) snprintf(buf + used, size - used, "(");
        pattern_text(item, buf, size);
        used = strlen(buf);
        if (item->kind == AST_LIST && used + 1 < size) snprintf(buf + used, size - used, ")");
    }
}

/* Collects v (taken) into b for `pattern`; errors at `at`. */
static int collect(repl *r, const ast_node *at, const ast_node *pattern, repl_value v, pattern_bindings *b) {
    if (pattern->kind == AST_NAME) {
        if (b->count == b->capacity) {
            int capacity = b->capacity ? 2 * b->capacity : 8;
            pattern_binding *items = realloc(b->items, (size_t)capacity * sizeof *items);
            if (items == NULL) {
                value_release(v);
                return repl_error_at(r, at, "out of memory");
            }
            b->items = items;
            b->capacity = capacity;
        }
        b->items[b->count++] = (pattern_binding){pattern, v};
        return 0;
    }
    int wanted = pattern->as.list.count;
    char names[128] = "", buf[96];
    pattern_text(pattern, names, sizeof names);
    repl_iter it;
    int rc = repl_iter_begin(r, at, v, &it);
    if (rc != 0) {
        if (rc > 0)
            rc = repl_error_at(r, at, "cannot unpack %s into %s",
                               v.kind == VALUE_NIL && v.as.string != NULL ? v.as.string->text
                                                                           : eval_describe_kind(v, buf, sizeof buf),
                               names);
        value_release(v);
        return -1;
    }
    if (it.count >= 0 && it.count != wanted) {
        long count = it.count;
        repl_iter_end(&it);
        value_release(v);
        return repl_error_at(r, at, "cannot unpack %ld value%s into %d names (%s)", count, count == 1 ? "" : "s",
                             wanted, names);
    }
    int got = 0;
    for (;;) {
        repl_value item;
        rc = repl_iter_next(r, at, &it, &item);
        if (rc <= 0) break;
        if (got == wanted) { /* a sequence of unknown length with more */
            value_release(item);
            rc = repl_error_at(r, at, "cannot unpack more than %d values into %d names (%s)", wanted, wanted,
                               names);
            break;
        }
        rc = collect(r, at, pattern->as.list.items[got++], item, b);
        if (rc < 0) break;
    }
    repl_iter_end(&it);
    value_release(v);
    if (rc < 0) return -1;
    if (got != wanted)
        return repl_error_at(r, at, "cannot unpack %d value%s into %d names (%s)", got, got == 1 ? "" : "s",
                             wanted, names);
    return 0;
}

int repl_bind_pattern(repl *r, const ast_node *at, const ast_node *pattern, repl_value v, bool assignment) {
    pattern_bindings b = {0};
    if (collect(r, at, pattern, v, &b) < 0) {
        bindings_free(&b);
        return -1;
    }
    int rc = 0, i = 0;
    for (; i < b.count && rc == 0; i++) {
        const ast_node *name = b.items[i].name;
        repl_value value = b.items[i].value;
        b.items[i].value = VALUE_NIL_INIT;
        if (assignment) rc = repl_assign_value(r, at, name->as.name, value, &value);
        else /* a loop's: as bind_loop_item */
            value_take_name(value, name->as.name);
        if (rc == 0) rc = eval_bind_name_memo(r, at, name, name->as.name, value);
    }
    bindings_free(&b);
    return rc;
}

/* a, b = e.  A list written on the right, `a, b = b, a` or `[1, 2]`, is
 * unpacked item by item as written (not made a tensor first). */
int repl_exec_unpack(repl *r, const ast_node *n) {
    const ast_node *e = n->as.unpack.value, *pattern = n->as.unpack.targets;
    repl_value v;
    if (e->kind == AST_LIST) {
        const ast_list *items = &e->as.list;
        v = value_list_new(items->count);
        if (v.kind != VALUE_LIST) return repl_error_at(r, n, "out of memory");
        for (int i = 0; i < items->count; i++)
            if (eval_expr(r, items->items[i], &v.as.list->items[i]) < 0) {
                v.as.list->items[i] = VALUE_NIL_INIT;
                value_release(v);
                return -1;
            }
    } else if (eval_expr(r, e, &v) < 0) {
        return -1;
    }
    return repl_bind_pattern(r, n, pattern, v, true);
}
