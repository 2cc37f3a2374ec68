/* access.c — attribute access: x.grad, opt.lr, the variable attribute
 * table, and the errors that name what an object has (repl_internal.h,
 * "access.c").  Indexing, x[i, [0, 2]] and list[i], is index.c's. */
#include "repl_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the variable attributes ------------------------------------------------------------ */

static int attribute_data(repl *r, ag_var *v, const char *what, repl_value *out) {
    return eval_return_var(r, NULL, ag_detach(r->ctx, v), out);
}

static int attribute_grad(repl *r, ag_var *v, const char *what, repl_value *out) {
    ag_var *g = ag_grad(v);
    if (g != NULL) {
        repl_note_summed(r, v);
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
    return eval_return_var(r, NULL, ag_transpose(r->ctx, v, NULL, 0), out);
}

static int attribute_size(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_number((double)ag_size(v));
    return 0;
}

static int attribute_dtype(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_string_from("float64", 7); /* every number is a double */
    return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
}

static int attribute_ndim(repl *r, ag_var *v, const char *what, repl_value *out) {
    *out = value_number(ag_ndim(v));
    return 0;
}

const variable_attribute_def repl_variable_attribute_table[] = {
    {"data", attribute_data, "the value without its graph (a new leaf sharing nothing)"},
    {"grad", attribute_grad, "the gradient from the last backward, or none"},
    {"shape", attribute_shape, "the dimensions, a list of plain numbers"},
    {"name", attribute_name, "the name (\"\" when unnamed)"},
    {"creator", attribute_creator, "the label of the function that made it, or none for a leaf"},
    {"generation", attribute_generation, "its depth in the graph (0 for a leaf)"},
    {"inputs", attribute_inputs, "the inputs of its creator, a list"},
    {"T", attribute_transpose, "the transpose (reverses the axes)"},
    {"size", attribute_size, "the number of elements"},
    {"ndim", attribute_ndim, "the number of dimensions"},
    {"dtype", attribute_dtype, "\"float64\": every number is a double"},
    {0},
};

/* Errors of the getters report at the node C code runs for (r->call). */
int repl_variable_attribute(repl *r, ag_var *v, const char *name, const char *what, repl_value *out) {
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++)
        if (strcmp(a->name, name) == 0) return a->get(r, v, what, out) < 0 ? -1 : 0;
    return 1;
}

/* The names `for` gives a walkable object's items, as a loop would be
 * written: a loader's batches (xb, tb with targets, xb without), an
 * enumerate's pairs (i, v), a model's parameters (p), else v. */
static const char *loop_names(repl *r, repl_value object, const repl_object_type *type) {
    if (strcmp(type->name, "loader") == 0) {
        repl_value targets = VALUE_NIL_INIT;
        bool pairs = type->get_attr != NULL && type->get_attr(r, object.as.object->payload, "t", &targets) == 0 &&
                     targets.kind != VALUE_NIL;
        value_release(targets);
        return pairs ? "xb, tb" : "xb";
    }
    if (strcmp(type->name, "enumerate") == 0) return "i, v";
    if (strcmp(type->name, "parameters") == 0) return "p";
    return "v";
}

/* "; its methods: step(), reset_grad()" (a call) or "; its attributes: lr;
 * its methods: step()" for a kind's message when nothing it has is near the
 * name typed: what the student can write instead (payload: the object, for
 * the names only it has).  Empty when it has none; cut with "..." at the
 * buffer's end. */
static const char *member_list(const repl_object_type *type, const void *payload, bool called, char *buf,
                               size_t size) {
    size_t at = 0;
    buf[0] = '\0';
    char own[160] = "";
    if (!called && type->attributes_of != NULL) type->attributes_of(payload, own, sizeof own);
    for (int pass = called ? 1 : 0; pass < 2; pass++) {
        int count = 0;
        while (pass == 0 ? type->attributes != NULL && type->attributes[count] != NULL : count < type->nmethods)
            count++;
        for (int i = 0; i < count + (pass == 0 && own[0] != '\0') && at < size; i++) {
            const char *name = pass == 1 ? type->methods[i].name : i < count ? type->attributes[i] : own;
            const char *before = i > 0 ? ", " : pass == 0 ? "; its attributes: " : "; its methods: ";
            int n = snprintf(buf + at, size - at, "%s%s%s", before, name, pass == 1 ? "()" : "");
            at = n < 0 ? size : at + (size_t)n;
        }
    }
    if (at >= size && size > 4) memcpy(buf + size - 4, "...", 4);
    return buf;
}

/* x.m() on a kind that has no methods at all but is walked by a loop (a
 * loader, enumerate, zip, progress, a model's parameters): no "did you
 * mean", what it is used for ("it has no methods: for xb, tb in d { } walks
 * it"), with x as written when it is short (the call being run is
 * r->eval.call, x.m(...)). */
static int no_methods(repl *r, const ast_node *at, repl_value object, const char *kind, const char *name,
                      const repl_object_type *type) {
    const ast_node *call = at != NULL ? at : r->eval.call;
    const ast_node *callee = call != NULL && call->kind == AST_CALL ? call->as.call.callee : call;
    char label[48];
    const char *walked = "..."; /* x too long to show */
    if (callee != NULL && callee->kind == AST_ATTRIBUTE) {
        const ast_node *o = callee->as.attribute.object;
        if (o->kind == AST_NAME) walked = o->as.name;
        else if (eval_node_text(r, o, label, sizeof label)) walked = label;
    }
    return repl_error_at(r, at, "%s has no method '%s'; it has no methods: for %s in %s { } walks it", kind, name,
                         loop_names(r, object, type), walked);
}

/* x.name or x.name(...) that x's kind does not have: the message names
 * what was asked for ("attribute", "method") and offers the nearest of the
 * kind's attributes and methods (repl_nearest_word; a variable's methods
 * are the built-ins, SPEC: every function is a method), or the nearest name
 * another library spells otherwise with what it is here (m.foward:
 * PyTorch's forward is m(x)).  An attribute offered for a call says so. */
static int no_such_member(repl *r, const ast_node *at, repl_value object, const char *name,
                          const repl_object_type *type, bool called) {
    char buf[96];
    const char *what = called ? "method" : "attribute";
    const char *kind = object.kind == VALUE_VAR ? "a variable" : eval_describe_kind(object, buf, sizeof buf);
    const char *of = object.kind == VALUE_VAR ? "variable" : type != NULL ? type->name : NULL;
    const char *other = of != NULL ? eval_other_spelling(name, of) : NULL;
    if (other != NULL) return repl_error_at(r, at, "%s has no %s '%s'; %s", kind, what, name, other);
    enum { MAX_CANDIDATES = 256 };
    int count = 0;
    const builtin_def *all = called && type == NULL ? builtins_all(&count) : NULL;
    const char *few[MAX_CANDIDATES], **candidates = few;
    int capacity = MAX_CANDIDATES + count;
    if (count > 0 && (candidates = malloc((size_t)capacity * sizeof *candidates)) == NULL) {
        candidates = few;
        capacity = MAX_CANDIDATES;
        count = 0;
    }
    int n = 0;
    if (object.kind == VALUE_VAR)
        for (const variable_attribute_def *a = repl_variable_attribute_table; a->name && n < capacity; a++)
            candidates[n++] = a->name;
    for (int i = 0; type && type->attributes && type->attributes[i] && n < capacity; i++)
        candidates[n++] = type->attributes[i];
    char own_names[160] = ""; /* this object's own, "momentum, weight_decay": split in place */
    if (!called && type != NULL && type->attributes_of != NULL && object.kind == VALUE_OBJECT)
        type->attributes_of(object.as.object->payload, own_names, sizeof own_names);
    for (char *save = NULL, *word = strtok_r(own_names, ", ", &save); word != NULL && n < capacity;
         word = strtok_r(NULL, ", ", &save))
        candidates[n++] = word;
    int attributes = n;
    for (int i = 0; type && i < type->nmethods && n < capacity; i++) candidates[n++] = type->methods[i].name;
    for (int i = 0; i < count && n < capacity; i++) candidates[n++] = all[i].name;
    int own = n;
    if (of != NULL) n += eval_other_spelling_names(of, candidates + n, capacity - n);
    const char *near = repl_nearest_word(name, candidates, n);
    int found = -1;
    for (int i = 0; near != NULL && i < n && found < 0; i++)
        if (candidates[i] == near) found = i;
    if (candidates != few) free(candidates);
    if (found < 0 && called && type != NULL && type->nmethods == 0 && type->iter_start != NULL)
        return no_methods(r, at, object, kind, name, type);
    if (found < 0 && called && type != NULL && type->nmethods == 0 && type->used != NULL)
        return repl_error_at(r, at, "%s has no method '%s'; it has no methods: %s", kind, name, type->used);
    if (found < 0 && type != NULL) {
        char members[200];
        return repl_error_at(r, at, "%s has no %s '%s'%s", kind, what, name,
                             member_list(type, object.kind == VALUE_OBJECT ? object.as.object->payload : NULL,
                                         called, members, sizeof members));
    }
    if (found < 0) return repl_error_at(r, at, "%s has no %s '%s'", kind, what, name);
    if (found >= own) /* a name PyTorch or NumPy uses, which is something else here */
        return repl_error_at(r, at, "%s has no %s '%s'; if you meant '%s': %s", kind, what, name, near,
                             eval_other_spelling(near, of));
    /* a variable's x.shape() is shape(x), its attribute as a method too */
    const builtin_def *as_method = object.kind == VALUE_VAR ? builtin_find(near) : NULL;
    if (called && found < attributes && !(as_method && strcmp(as_method->topic, "attributes") == 0))
        return repl_error_at(r, at, "%s has no method '%s'; did you mean the attribute '%s' (no call)?", kind,
                             name, near);
    return repl_error_at(r, at, "%s has no %s '%s'; did you mean '%s'?", kind, what, name, near);
}

int repl_no_attribute(repl *r, const ast_node *at, repl_value object, const char *name,
                 const repl_object_type *type) {
    return no_such_member(r, at, object, name, type, false);
}

int repl_no_method(repl *r, const ast_node *at, repl_value object, const char *name,
                   const repl_object_type *type) {
    return no_such_member(r, at, object, name, type, true);
}

/* `opt.step` without the call. */
static int method_not_attribute(repl *r, const ast_node *at, const char *name, const char *label) {
    return repl_error_at(r, at, "'%s' is a method, not an attribute: call it as %s.%s()", name, label,
                         name);
}

const variable_attribute_def *eval_attribute_row_found(const ast_node *n) {
    ast_memo *m = memo_of(n);
    m->binding = NULL;
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name && !m->binding; a++)
        if (strcmp(a->name, n->as.attribute.name) == 0) m->binding = a;
    m->what = MEMO_ATTRIBUTE;
    return m->binding;
}

int eval_attribute(repl *r, const ast_node *n, repl_value *out) {
    repl_value object;
    if (eval_expr(r, n->as.attribute.object, &object) < 0) return -1;
    const ast_node *caller = r->eval.call; /* getters and get_attr report at n */
    r->eval.call = n;
    const char *name = n->as.attribute.name;
    char what[48];
    const ast_node *o = n->as.attribute.object;
    const char *label = o->kind == AST_NAME ? o->as.name : eval_node_text(r, o, what, sizeof what) ? what : NULL;
    int rc;
    if (object.kind == VALUE_VAR) {
        const variable_attribute_def *row = eval_attribute_row(n); /* found once per node */
        rc = row == NULL ? 1 : row->get(r, object.as.var, label, out) < 0 ? -1 : 0;
        if (rc == 1) {
            if (builtin_find(name) != NULL)
                rc = method_not_attribute(r, n, name, label ? label : "x");
            else
                rc = repl_no_attribute(r, n, object, name, NULL);
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
            rc = repl_no_attribute(r, n, object, name, type);
    } else if (object.kind == VALUE_NIL) {
        rc = value_nil_error_at(r, n, "", object);
    } else {
        rc = repl_no_attribute(r, n, object, name, NULL);
    }
    r->eval.call = caller;
    value_release(object);
    return rc < 0 ? -1 : 0;
}
