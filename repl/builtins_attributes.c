/* builtins_attributes.c — a variable's attributes as functions: data(x) is x.data,
 * shape(x) is x.shape, ..., and item(x). */
#include "repl_internal.h"

static int attribute(repl *r, const builtin_args *a, repl_value *out, const char *name) {
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    int rc = repl_variable_attribute(r, x, name, NULL, out);
    return rc == 0 ? 0 : rc < 0 ? -1 : repl_error(r, "%s: no such attribute", name);
}

#define ATTRIBUTE_BUILTIN(name)                                                  \
    static int builtin_##name(repl *r, const builtin_args *a, repl_value *out) { \
        return attribute(r, a, out, #name);                                      \
    }
ATTRIBUTE_BUILTIN(data)
ATTRIBUTE_BUILTIN(shape)
ATTRIBUTE_BUILTIN(name)
ATTRIBUTE_BUILTIN(creator)
ATTRIBUTE_BUILTIN(generation)
ATTRIBUTE_BUILTIN(inputs)
ATTRIBUTE_BUILTIN(ndim)

/* size(x): the number of elements; size(x, dim): the length of axis dim
 * (negative from the end), as PyTorch's x.size(dim) and NumPy's
 * np.size(x, axis). */
static int builtin_size(repl *r, const builtin_args *a, repl_value *out) {
    if (!arg_given(a, 1)) return attribute(r, a, out, "size");
    ag_var *x;
    int dim;
    if (arg_var(r, a, 0, &x) < 0 || arg_int(r, a, 1, &dim) < 0) return -1;
    int ndim = ag_ndim(x), axis = dim < 0 ? dim + ndim : dim;
    if (axis < 0 || axis >= ndim)
        return repl_error(r, "size: dim %d is out of range for %d ax%s (shape %s)", dim, ndim,
                          ndim == 1 ? "is" : "es", ag_shape_string(ndim, ag_shape(x), (char[AG_SHAPEBUF]){0}));
    *out = value_number((double)ag_shape(x)[axis]);
    return 0;
}

static int builtin_item(repl *r, const builtin_args *a, repl_value *out) {
    double v;
    repl_value x = a->values[0];
    if (x.kind == VALUE_VAR && ag_size(x.as.var) != 1) { /* named as typed: a.grad.item(), item(a.grad) */
        char text[48];
        size_t n = ag_size(x.as.var);
        return repl_error(r, "item: %s has %zu element%s; item() needs exactly one",
                          builtin_arg_text(r, a, 0, false, text, sizeof text) ? text : "x", n, n == 1 ? "" : "s");
    }
    if (arg_number(r, a, 0, &v) < 0) return -1;
    *out = value_number(v);
    return 0;
}

const builtin_def builtins_attributes[] = {
    {"data", "x", builtin_data, "attributes", "a detached copy of x's numbers (x.data)"},
    {"shape", "x", builtin_shape, "attributes", "the shape as a list (x.shape)"},
    {"name", "x", builtin_name, "attributes", "the label (x.name)"},
    {"creator", "x", builtin_creator, "attributes", "the op that made x, or none for a leaf (x.creator)"},
    {"generation", "x", builtin_generation, "attributes", "how deep in the graph x is (x.generation)"},
    {"inputs", "x", builtin_inputs, "attributes", "the inputs of the op that made x (x.inputs)"},
    {"ndim", "x", builtin_ndim, "attributes", "the number of axes (x.ndim)"},
    {"size", "x, dim=nil", builtin_size, "attributes",
     "the number of elements (x.size, NumPy's; PyTorch's numel()); size(x, dim): the length of axis dim,\n"
     "  as PyTorch's x.size(dim) (PyTorch's x.size() with no dim is x.shape here)"},
    {"item", "x", builtin_item, "attributes", "a one-element variable as a plain number"},
    {0},
};
