/* value.c — constructors, reference counting and kind names of repl_value. */
#include "value.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "session_state.h"

static value_string *string_new(const char *text, size_t length) {
    value_string *s = malloc(sizeof *s + length + 1);
    if (s == NULL) return NULL;
    s->refcount = 1;
    s->length = length;
    if (length > 0) memcpy(s->text, text, length);
    s->text[length] = '\0';
    return s;
}

repl_value value_string_from(const char *text, size_t length) {
    value_string *s = string_new(text, length);
    if (s == NULL) return VALUE_NIL_INIT;
    return (repl_value){.kind = VALUE_STRING, .as.string = s};
}

repl_value value_nil_from(const char *what) {
    repl_value v = VALUE_NIL_INIT;
    if (what != NULL) v.as.string = string_new(what, strlen(what));
    return v;
}

repl_value value_list_new(int count) {
    if (count < 0) return VALUE_NIL_INIT;
    /* the items right after the list, one allocation (a call's *xs is a
     * list: two mallocs a call were 1% of a scalar loop) */
    if ((size_t)count > (SIZE_MAX - sizeof(value_list)) / sizeof(repl_value)) return VALUE_NIL_INIT;
    /* malloc and a fill, not calloc: glibc's calloc skips the thread's
     * cache of small blocks that malloc takes them from */
    value_list *list = malloc(sizeof *list + (size_t)count * sizeof(repl_value));
    if (list == NULL) return VALUE_NIL_INIT;
    list->refcount = 1;
    list->count = count;
    list->capacity = 0;
    list->items = (repl_value *)(list + 1);
    for (int i = 0; i < count; i++) list->items[i] = (repl_value)VALUE_NIL_INIT; /* no payload */
    return (repl_value){.kind = VALUE_LIST, .as.list = list};
}

repl_value value_object_new(const repl_object_type *type, void *payload) {
    value_object *object = malloc(sizeof *object);
    if (object == NULL) {
        if (type && type->destroy) type->destroy(payload);
        return VALUE_NIL_INIT;
    }
    object->refcount = 1;
    object->type = type;
    object->payload = payload;
    return (repl_value){.kind = VALUE_OBJECT, .as.object = object};
}

bool value_list_append(value_list *list, repl_value item) {
    if (list->count == INT_MAX) {
        value_release(item);
        return false;
    }
    if (list->capacity == 0 || list->count == list->capacity) {
        int capacity = list->count < 4 ? 8 : list->count > INT_MAX / 2 ? INT_MAX : list->count * 2;
        repl_value *items = list->capacity > 0 ? realloc(list->items, (size_t)capacity * sizeof *items)
                                               : malloc((size_t)capacity * sizeof *items);
        if (items == NULL) {
            value_release(item);
            return false;
        }
        if (list->capacity == 0 && list->count > 0)
            memcpy(items, list->items, (size_t)list->count * sizeof *items);
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = item;
    return true;
}

repl_value value_pair(repl_value first, repl_value second) {
    repl_value pair = value_list_new(2);
    if (pair.kind != VALUE_LIST) {
        value_release(first);
        value_release(second);
        return pair;
    }
    pair.as.list->items[0] = first;
    pair.as.list->items[1] = second;
    return pair;
}

repl_value value_copy_counted(repl_value v) {
    switch (v.kind) {
    case VALUE_NIL:
        if (v.as.string) v.as.string->refcount++;
        break;
    case VALUE_STRING: v.as.string->refcount++; break;
    case VALUE_VAR: ag_retain(v.as.var); break;
    case VALUE_LIST: v.as.list->refcount++; break;
    case VALUE_FUNCTION: v.as.function->refcount++; break;
    case VALUE_OBJECT: v.as.object->refcount++; break;
    default: break;
    }
    return v;
}

/* Lists of lists are freed with an explicit stack, so a deeply nested list
 * cannot overflow the C stack. */
static void list_free_iterative(value_list *first) {
    value_list **stack = NULL;
    size_t count = 0, capacity = 0;
    value_list *list = first;
    for (;;) {
        for (int i = 0; i < list->count; i++) {
            repl_value item = list->items[i];
            if (item.kind == VALUE_LIST) {
                if (--item.as.list->refcount > 0) continue;
                if (!ARRAY_RESERVE(stack, capacity, count, 1)) continue; /* leak rather than crash */
                stack[count++] = item.as.list;
            } else {
                value_release(item);
            }
        }
        if (list->capacity > 0) free(list->items);
        free(list); /* and its items, when allocated with it */
        if (count == 0) break;
        list = stack[--count];
    }
    free(stack);
}

void value_release_counted(repl_value v) {
    switch (v.kind) {
    case VALUE_NIL:
        if (v.as.string && --v.as.string->refcount == 0) free(v.as.string);
        break;
    case VALUE_STRING:
        if (--v.as.string->refcount == 0) free(v.as.string);
        break;
    case VALUE_VAR: ag_release(v.as.var); break;
    case VALUE_LIST:
        if (--v.as.list->refcount == 0) list_free_iterative(v.as.list);
        break;
    case VALUE_FUNCTION: user_function_release(v.as.function); break;
    case VALUE_OBJECT:
        if (--v.as.object->refcount == 0) {
            if (v.as.object->type && v.as.object->type->destroy)
                v.as.object->type->destroy(v.as.object->payload);
            free(v.as.object);
        }
        break;
    default: break;
    }
}

const char *value_with_article(repl_value v, char *buf, size_t n) {
    /* always written into buf: callers may use buf and not the result */
    if (v.kind == VALUE_NIL) {
        snprintf(buf, n, "none");
    } else if (v.kind == VALUE_OBJECT && v.as.object->type && v.as.object->type->with_article) {
        snprintf(buf, n, "%s", v.as.object->type->with_article);
    } else {
        const char *kind = value_kind_name(v);
        snprintf(buf, n, "%s %s", strchr("aeiou", kind[0]) ? "an" : "a", kind);
    }
    return buf;
}

const char *value_kind_name(repl_value v) {
    switch (v.kind) {
    case VALUE_NIL: return "none";
    case VALUE_NUMBER: return "number";
    case VALUE_BOOL: return "boolean";
    case VALUE_STRING: return "string";
    case VALUE_VAR: return "variable";
    case VALUE_LIST: return "list";
    case VALUE_FUNCTION: return "function";
    case VALUE_BUILTIN: return "built-in function";
    case VALUE_OBJECT:
        return v.as.object->type && v.as.object->type->name ? v.as.object->type->name : "object";
    }
    return "value";
}
