/* value.h — what a REPL expression evaluates to.
 *
 * A repl_value is a small tagged struct passed by value.  Payloads that live
 * on the heap (strings, lists, user functions, objects) are reference
 * counted; a VALUE_VAR holds one root count on its engine variable
 * (ag_retain), so the collector never frees a variable any REPL value still
 * refers to — including temporaries on the C stack during evaluation.
 *
 * Ownership rule: a function that returns a repl_value (or fills an `out`
 * parameter) hands the caller one reference; the caller passes it on or
 * calls value_release.  value_copy adds a reference. */
#ifndef REPL_VALUE_H
#define REPL_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "autograd.h"

typedef struct repl repl;
typedef struct repl_object_type repl_object_type;
typedef struct builtin_def builtin_def;

typedef enum value_kind {
    VALUE_NIL,     /* nothing: a statement with no value, a missing gradient prints none */
    VALUE_NUMBER,  /* a plain double: loop counters, results of % and comparisons' operands */
    VALUE_BOOL,
    VALUE_STRING,
    VALUE_VAR,     /* an engine variable */
    VALUE_LIST,    /* [a, b, ...] that is not a tensor literal, and lists of variables */
    VALUE_FUNCTION,/* a user def */
    VALUE_BUILTIN, /* a built-in function (as a value: `f = sin`, activation=sigmoid) */
    VALUE_OBJECT   /* optimizers, models, hooks...: a payload with a type */
} value_kind;

typedef struct value_string {
    int refcount;
    size_t length;
    char text[];
} value_string;

typedef struct repl_value repl_value;

typedef struct value_list {
    int refcount;
    int count;
    repl_value *items; /* allocated with the list, right after it, until an
                        * append moves them to an array of their own */
    int capacity;      /* of that array; 0 while the items follow the list */
} value_list;

typedef struct value_object {
    int refcount;
    const repl_object_type *type;
    void *payload;
} value_object;

typedef struct user_function user_function; /* session_state.h (user_function.c) */

/* A VALUE_NIL may carry as.string: the text of the `.grad` it stands for
 * ("x.grad"), so arithmetic on it can say what is missing.  Always build
 * nil values with VALUE_NIL_INIT or value_nil_from(). */
struct repl_value {
    value_kind kind;
    union {
        double number;
        bool boolean;
        value_string *string;
        ag_var *var;
        value_list *list;
        user_function *function;
        const builtin_def *builtin;
        value_object *object;
    } as;
};

#define VALUE_NIL_INIT ((repl_value){.kind = VALUE_NIL})

/* The constructors without an allocation are inline: a scalar loop makes
 * several values per operation. */
static inline repl_value value_number(double v) { return (repl_value){.kind = VALUE_NUMBER, .as.number = v}; }
static inline repl_value value_bool(bool v) { return (repl_value){.kind = VALUE_BOOL, .as.boolean = v}; }
/* retains v; VALUE_NIL when v is NULL */
static inline repl_value value_var(ag_var *v) {
    if (v == NULL) return VALUE_NIL_INIT;
    ag_retain(v);
    return (repl_value){.kind = VALUE_VAR, .as.var = v};
}
static inline repl_value value_builtin(const builtin_def *def) {
    if (def == NULL) return VALUE_NIL_INIT;
    return (repl_value){.kind = VALUE_BUILTIN, .as.builtin = def};
}
/* NULL-safe constructors: on out-of-memory they return VALUE_NIL and the
 * caller reports it. */
repl_value value_string_from(const char *text, size_t length);
repl_value value_list_new(int count); /* items all VALUE_NIL, to be filled */
/* Appends item to the list (taking its reference), as Python's
 * list.append: every holder of the list sees it.  False (item released)
 * when memory runs out. */
bool value_list_append(value_list *list, repl_value item);
repl_value value_object_new(const repl_object_type *type, void *payload);
/* A nil that remembers where it came from (`what`, e.g. "x.grad"). */
repl_value value_nil_from(const char *what);

/* The payloads without a count (numbers, booleans, built-ins, nil that
 * remembers nothing) and the variables are handled inline: a loop copies
 * and releases values several times per operation. */
repl_value value_copy_counted(repl_value v);
void value_release_counted(repl_value v);
static inline bool value_uncounted(repl_value v) {
    return v.kind == VALUE_NUMBER || v.kind == VALUE_BOOL || v.kind == VALUE_BUILTIN ||
           (v.kind == VALUE_NIL && v.as.string == NULL);
}
static inline repl_value value_copy(repl_value v) {
    if (v.kind == VALUE_VAR) ag_retain(v.as.var);
    else if (!value_uncounted(v)) return value_copy_counted(v);
    return v;
}
static inline void value_release(repl_value v) {
    if (v.kind == VALUE_VAR) ag_release(v.as.var);
    else if (!value_uncounted(v)) value_release_counted(v);
}

/* "variable", "number", "list", "optimizer"... for messages. */
const char *value_kind_name(repl_value v);
/* "a string", "an optimizer", "none", "a model's parameter list": the kind with
 * its article, for messages ("must be ..., not X"); always written into buf,
 * which is returned. */
const char *value_with_article(repl_value v, char *buf, size_t n);

/* ---- objects ----------------------------------------------------------------
 * Optimizers, models and other host objects.  All hooks are optional. */
typedef struct builtin_args builtin_args;

struct repl_object_type {
    const char *name; /* "optimizer", "model" */
    /* The kind with its article for messages when "a"/"an" + name does not
     * read ("a model's parameter list"); NULL = the article + name. */
    const char *with_article;
    void (*destroy)(void *payload);
    /* one line for printing: "adam(lr=0.001, ...) over 2 parameters"; malloc'd */
    char *(*describe)(const void *payload);
    /* x.attr: 0 = *out filled; 1 = no such attribute (the evaluator reports it
     * with a suggestion); -1 = error already reported with repl_error. */
    int (*get_attr)(repl *r, void *payload, const char *name, repl_value *out);
    /* obj.name = v (optional; v not taken): 0 = set; 1 = no such settable
     * attribute (the evaluator reports it); -1 = error reported, nothing
     * changed. */
    int (*set_attr)(repl *r, void *payload, const char *name, repl_value v);
    /* m(x): calling the object; NULL = not callable. */
    int (*call)(repl *r, void *payload, const builtin_args *args, repl_value *out);
    /* Methods: built-in definitions whose first parameter is the object. */
    const builtin_def *methods;
    int nmethods;
    /* Attribute names for completion and :help, NULL-terminated. */
    const char *const *attributes;
    /* The names beyond `attributes` that get_attr answers for this one object
     * (a model's parameter paths: "linear, conv"), joined by ", " into buf
     * for a message naming what it has (optional). */
    void (*attributes_of)(const void *payload, char *buf, size_t size);
    /* What a kind without methods that no loop walks is for, said when a
     * method is asked of it ("a hook has no method 'nxet'; it has no
     * methods: ..."); NULL = the plain message. */
    const char *used;
    /* obj[key] (optional): 0 = *out filled; -1 = error reported. */
    int (*index)(repl *r, void *payload, repl_value key, repl_value *out);
    /* A sequence walked lazily (optional; iterate.c): `for x in obj`,
     * `a, b = obj`, enumerate, zip, progress, len and sum take it.  A pass
     * starts with iter_start (0 with its cursor in *cursor, which may stay
     * NULL; -1 after repl_error), each iter_next gives one item (1 with one
     * reference in *out: a pair is a list of two, value_pair; 0 at the end;
     * -1 after repl_error), and iter_stop ends the pass, also when the loop
     * breaks or fails.  Every loop over the object is a new pass (a loader
     * reshuffles in iter_start).  length: the items of a pass, -1 unknown. */
    int (*iter_start)(repl *r, void *payload, void **cursor);
    int (*iter_next)(repl *r, void *payload, void *cursor, repl_value *out);
    void (*iter_stop)(void *payload, void *cursor);
    long (*length)(const void *payload);
};

/* A list of two items, taking a reference of each (a sequence's pair);
 * VALUE_NIL (both released) when memory runs out. */
repl_value value_pair(repl_value first, repl_value second);

#endif
