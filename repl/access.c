/* access.c — attribute and index access: x.grad, opt.lr, x[i, [0, 2]],
 * list[i] (repl_internal.h, "access.c"). */
#include "repl_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the variable attributes ------------------------------------------------------------ */

static int attribute_data(repl *r, ag_var *v, const char *what, repl_value *out) {
    return return_var(r, NULL, ag_detach(r->ctx, v), out);
}

static int attribute_grad(repl *r, ag_var *v, const char *what, repl_value *out) {
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

static int attribute_shape(repl *r, ag_var *v, const char *what, repl_value *out) {
    int ndim = ag_ndim(v);
    *out = value_list_new(ndim);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < ndim; i++) out->as.list->items[i] = value_number(ag_shape(v)[i]);
    return 0;
}

static int attribute_name(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_string_from(ag_name(v), strlen(ag_name(v)));
    return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
}

static int attribute_creator(repl *r, ag_var *v, const char *what, repl_value *out) {
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

static int attribute_generation(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_number(ag_generation(v));
    return 0;
}

static int attribute_inputs(repl *r, ag_var *v, const char *what, repl_value *out) {
    ag_func *f = ag_creator(v);
    int n = f ? ag_func_ninputs(f) : 0;
    *out = value_list_new(n);
    if (out->kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < n; i++) out->as.list->items[i] = value_var(ag_func_input(f, i));
    return 0;
}

static int attribute_transpose(repl *r, ag_var *v, const char *what, repl_value *out) {
    return return_var(r, NULL, ag_transpose(r->ctx, v, NULL, 0), out);
}

static int attribute_size(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_number((double)ag_size(v));
    return 0;
}

static int attribute_ndim(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_number(ag_ndim(v));
    return 0;
}

const variable_attribute_def variable_attribute_table[] = {
    {"data", attribute_data, "the value without its graph (a new leaf sharing nothing)"},
    {"grad", attribute_grad, "the gradient from the last backward, or <nil>"},
    {"shape", attribute_shape, "the dimensions, a list of plain numbers"},
    {"name", attribute_name, "the name (\"\" when unnamed)"},
    {"creator", attribute_creator, "the label of the function that made it, or nil for a leaf"},
    {"generation", attribute_generation, "its depth in the graph (0 for a leaf)"},
    {"inputs", attribute_inputs, "the inputs of its creator, a list"},
    {"T", attribute_transpose, "the transpose (reverses the axes)"},
    {"size", attribute_size, "the number of elements"},
    {"ndim", attribute_ndim, "the number of dimensions"},
    {0},
};

/* Errors of the getters report at the node C code runs for (r->call). */
int variable_attribute(repl *r, ag_var *v, const char *name, const char *what, repl_value *out) {
    for (const variable_attribute_def *a = variable_attribute_table; a->name; a++)
        if (strcmp(a->name, name) == 0) return a->get(r, v, what, out) < 0 ? -1 : 0;
    return 1;
}

int no_attribute(repl *r, const ast_node *at, repl_value object, const char *name,
                 const repl_object_type *type) {
    char buf[96];
    const char *candidates[256] = {0};
    int n = 0;
    if (object.kind == VALUE_VAR)
        for (const variable_attribute_def *a = variable_attribute_table; a->name && n < 256; a++)
            candidates[n++] = a->name;
    for (int i = 0; type && type->attributes && type->attributes[i] && n < 256; i++)
        candidates[n++] = type->attributes[i];
    for (int i = 0; type && i < type->nmethods && n < 256; i++) candidates[n++] = type->methods[i].name;
    const char *near = nearest_word(name, candidates, n);
    const char *kind = object.kind == VALUE_VAR ? "a variable" : describe_kind(object, buf, sizeof buf);
    if (near) return repl_error_at(r, at, "%s has no attribute '%s'; did you mean '%s'?", kind, name, near);
    return repl_error_at(r, at, "%s has no attribute '%s'", kind, name);
}

/* `opt.step` without the call. */
static int method_not_attribute(repl *r, const ast_node *at, const char *name, const char *label) {
    return repl_error_at(r, at, "'%s' is a method, not an attribute: call it as %s.%s()", name, label,
                         name);
}

int eval_attribute(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval_expr(r, n->as.attribute.object, &object) < 0) return -1;
    const ast_node *caller = r->call; /* getters and get_attr report at n */
    r->call = n;
    const char *name = n->as.attribute.name;
    char what[48];
    const ast_node *o = n->as.attribute.object;
    const char *label = o->kind == AST_NAME ? o->as.name : node_text(r, o, what, sizeof what) ? what : NULL;
    int rc;
    if (object.kind == VALUE_VAR) {
        rc = variable_attribute(r, object.as.var, name, label, out);
        if (rc == 1) {
            if (builtin_find(name) != NULL)
                rc = method_not_attribute(r, n, name, label ? label : "x");
            else
                rc = no_attribute(r, n, object, name, NULL);
        }
    } else if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        rc = type->get_attr ? type->get_attr(r, object.as.object->payload, name, out) : 1;
        bool method = false;
        for (int i = 0; rc == 1 && i < type->nmethods && !method; i++)
            method = strcmp(type->methods[i].name, name) == 0;
        if (method)
            rc = method_not_attribute(r, n, name, label ? label : type->name);
        else if (rc == 1)
            rc = no_attribute(r, n, object, name, type);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error_at(r, n, "", object);
    } else {
        rc = no_attribute(r, n, object, name, NULL);
    }
    r->call = caller;
    value_release(object);
    return rc < 0 ? -1 : 0;
}

/* ---- indexing ----------------------------------------------------------------------------- */

static int index_list(repl *r, const ast_node *at, const value_list *list, repl_value key, repl_value *out) {
    double number;
    char buf[96];
    if (!scalar_of(key, &number) || number != floor(number))
        return repl_error_at(r, at, "a list index must be an integer, not %s", describe_kind(key, buf, sizeof buf));
    double i = number < 0 ? number + list->count : number;
    if (i < 0 || i >= list->count)
        return repl_error_at(r, at, "index %.0f out of range for a list of %d", number, list->count);
    *out = value_copy(list->items[(int)i]);
    return 0;
}

/* An index along the original's axis `axis` (of length dim): an integer,
 * negative counting from the end. */
static int index_integer(repl *r, const ast_node *at, double number, int axis, int dim, int *out) {
    char text[AG_NUMBUF];
    if (number != floor(number) || fabs(number) > 2e9)
        return repl_error_at(r, at, "index: an index must be an integer, not %s",
                          ag_format_double(number, 0, text));
    if (number < -dim || number >= dim)
        return repl_error_at(r, at, "index: index %.0f out of range for axis %d with size %d", number, axis,
                          dim);
    *out = (int)number;
    return 0;
}

/* The integers of a list index (a list of numbers, or a 1-D variable) for
 * the original's axis `axis`; *out malloc'd. */
static int index_list_ints(repl *r, const ast_node *at, repl_value key, int axis, int dim, int **out, int *count) {
    int length = key.kind == VALUE_LIST ? key.as.list->count : (int)ag_size(key.as.var);
    int *list = malloc((size_t)(length > 0 ? length : 1) * sizeof *list);
    if (list == NULL) return repl_error_at(r, at, "out of memory");
    char buf[96];
    for (int k = 0; k < length; k++) {
        double number;
        if (key.kind == VALUE_VAR) {
            number = ag_cdata(key.as.var)[k];
        } else if (!scalar_of(key.as.list->items[k], &number)) {
            free(list);
            return repl_error_at(r, at, "index: a list of indices must hold integers, not %s",
                              describe_kind(key.as.list->items[k], buf, sizeof buf));
        }
        if (index_integer(r, at, number, axis, dim, &list[k]) < 0) {
            free(list);
            return -1;
        }
    }
    *out = list;
    *count = length;
    return 0;
}

int eval_index(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval_expr(r, n->as.index.object, &object) < 0) return -1;
    const ast_list *indices = &n->as.index.indices;
    repl_value keys[AG_MAX_DIMS];
    int count = indices->count;
    char buf[96];
    if (count > AG_MAX_DIMS) {
        value_release(object);
        return repl_error_at(r, n, "too many indices (%d)", count);
    }
    for (int i = 0; i < count; i++)
        if (eval_operand(r, indices->items[i], LITERAL_NUMBER, &keys[i]) < 0) {
            for (int k = 0; k < i; k++) value_release(keys[k]);
            value_release(object);
            return -1;
        }
    int rc = 0;
    if (object.kind == VALUE_LIST && !(value_is_tensor_literal(object) && count > 1)) {
        repl_value item = value_copy(object);
        for (int i = 0; i < count && rc == 0; i++) {
            repl_value next = VALUE_NIL_INIT;
            if (item.kind != VALUE_LIST) rc = repl_error_at(r, n, "too many indices for a list");
            else rc = index_list(r, n, item.as.list, keys[i], &next);
            value_release(item);
            item = next;
        }
        if (rc == 0) *out = item;
        else value_release(item);
    } else if (object.kind == VALUE_OBJECT && object.as.object->type && object.as.object->type->index) {
        if (count != 1) rc = repl_error_at(r, n, "%s takes one index", value_kind_name(object));
        else {
            const ast_node *caller = r->call; /* the hook reports at n */
            r->call = n;
            rc = object.as.object->type->index(r, object.as.object->payload, keys[0], out);
            r->call = caller;
        }
    } else if (object.kind == VALUE_VAR || object.kind == VALUE_LIST) {
        ag_var *x;
        rc = operand_var(r, n, object, "index", &x);
        ag_var *original = rc == 0 ? x : NULL;
        int axis = 0; /* x's axis that keys[i] (the original's axis i) applies to */
        for (int i = 0; i < count && rc == 0; i++) {
            repl_value key = keys[i];
            if (axis >= ag_ndim(x)) {
                char shape[AG_SHAPEBUF];
                rc = repl_error_at(r, n, "index: too many indices (%d) for a variable of shape %s", count,
                                ag_shape_string(ag_ndim(original), ag_shape(original), shape));
            } else if (key.kind == VALUE_NUMBER || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 0)) {
                int index;
                rc = index_integer(r, n, key.kind == VALUE_NUMBER ? key.as.number : ag_item(key.as.var),
                                   i, ag_shape(x)[axis], &index);
                if (rc == 0) {
                    x = ag_squeeze(r->ctx, ag_get_item(r->ctx, x, axis, &index, 1), axis);
                    if (x == NULL) rc = engine_error_at(r, n);
                }
            } else if (key.kind == VALUE_LIST || (key.kind == VALUE_VAR && ag_ndim(key.as.var) == 1)) {
                int *list = NULL, length = 0;
                rc = index_list_ints(r, n, key, i, ag_shape(x)[axis], &list, &length);
                if (rc == 0) {
                    x = ag_get_item(r->ctx, x, axis, list, length);
                    if (x == NULL) rc = engine_error_at(r, n);
                    axis++;
                }
                free(list);
            } else if (key.kind == VALUE_VAR) {
                char shape[AG_SHAPEBUF];
                rc = repl_error_at(r, n, "index: a list of indices must be flat (integers taken along one "
                                   "axis), not a variable of shape %s",
                                ag_shape_string(ag_ndim(key.as.var), ag_shape(key.as.var), shape));
            } else {
                rc = repl_error_at(r, n, "index: an index must be an integer or a list of integers, not %s",
                                describe_kind(key, buf, sizeof buf));
            }
        }
        if (rc == 0) rc = return_var(r, n, x, out);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error_at(r, n, "", object);
    } else {
        rc = repl_error_at(r, n, "cannot index %s", describe_kind(object, buf, sizeof buf));
    }
    for (int i = 0; i < count; i++) value_release(keys[i]);
    value_release(object);
    return rc < 0 ? -1 : 0;
}
