/* call.c — calls: built-ins (bound arguments, collection held off while C
 * runs), user functions (a frame of locals, the trace line on an error),
 * callable objects and methods (repl_internal.h, "call.c"). */
#include "repl_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lessons.h"

/* User function calls nested deeper than this are refused. */
#define MAX_CALL_DEPTH 400

/* Inside a call, r->eval.call is the AST_CALL node: the call's own errors (wrong
 * arguments, a failing built-in) and everything C code reports with
 * repl_error() are at that node.  eval_call sets it; a user function's body
 * runs with it cleared, its own errors carrying their nodes. */

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
    if (r->eval.call) {
        args->line = r->eval.call->line;
        args->column = r->eval.call->column;
        args->call = r->eval.call;
        args->source = r->eval.chunk != NULL ? r->eval.chunk->source : NULL;
    }
    *out = VALUE_NIL_INIT;
    r->eval.native_depth++;
    return (native_frame){r->eval.call, r->eval.chunk};
}

/* After the call into C: undoes native_enter. */
static void native_leave(repl *r, native_frame frame) {
    r->eval.call = frame.call;
    r->eval.chunk = frame.chunk;
    r->eval.native_depth--;
}

/* A built-in's fn returned -1: its own message, or "NAME failed" when it
 * set none, and the engine's error cleared for the next call; -1. */
static int builtin_failed(repl *r, const builtin_def *def) {
    if (!r->error.set) repl_error(r, "%s failed", def->name);
    ag_clear_error(r->ctx);
    return -1;
}

/* A call a user expression may not make (repl_set_changes_refused): -1. */
static int changes_refused_error(repl *r, const char *name) {
    return repl_error(r, "%s: not allowed in a user expression (it changes the session; run it in a cell)", name);
}

/* Runs def over the arguments bound in args and releases them. */
REPL_HOT static int run_builtin(repl *r, const builtin_def *def, builtin_args *args, repl_value *out) {
    native_frame frame = native_enter(r, args, out);
    int rc = 0;
    /* a front end's user expression changes nothing and writes no file */
    if (r->io.changes_refused && builtin_call_changes(def, args))
        rc = def->effect == BUILTIN_WRITES
                 ? repl_error(r, "%s: not allowed in a user expression (it writes a file; run it in a cell)", def->name)
                 : changes_refused_error(r, def->name);
    /* a call naming a file is refused whole in a --no-files session */
    if (rc == 0 && def->file_arg > 0 && arg_given(args, def->file_arg - 1)) rc = repl_files_allowed(r, def->name);
    const char *path; /* --files-in: only files inside the session's folder, and the lessons' data */
    if (rc == 0 && def->file_arg > 0 && arg_given(args, def->file_arg - 1) &&
        args->values[def->file_arg - 1].kind == VALUE_STRING) {
        path = args->values[def->file_arg - 1].as.string->text;
        /* a shipped data file passes (read_whole reads it; a write to it is
           still refused below the folder by repl_write_file) */
        if (r->settings.files_root == NULL || !lesson_data_path(path)) rc = repl_path_allowed(r, def->name, path);
    }
    if (rc == 0 && def->framed) { /* its ops drawn as a group titled with the call */
        char title[160];
        builtin_call_title(r, args, title, sizeof title);
        unsigned outer = repl_group_enter(r, title);
        rc = def->fn(r, args, out);
        repl_group_leave(r, outer);
    } else if (rc == 0) {
        rc = def->fn(r, args, out);
    }
    native_leave(r, frame);
    builtin_args_done(r, args);
    if (rc < 0) {
        value_release(*out);
        *out = VALUE_NIL_INIT;
        return builtin_failed(r, def);
    }
    return 0;
}

REPL_HOT static int call_builtin(repl *r, const builtin_def *def, int argc, const repl_value *argv, int nk,
                        const char *const *knames, const repl_value *kvalues, repl_value *out) {
    builtin_args args;
    if (repl_bind_arguments(r, def, argc, argv, nk, knames, kvalues, &args) < 0) return -1;
    return run_builtin(r, def, &args, out);
}

/* A def's arguments are gathered in arrays on the stack up to this many
 * parameters, allocated beyond. */
#define CALL_LOCAL_PARAMS 8
/* A def call's frame starts in an array on the stack of this many entries
 * (a power of two: up to 6 names before it grows onto the heap). */
#define CALL_FRAME_ENTRIES 8

/* Appends text to the title being built in title[size] at *used, cut to
 * fit as snprintf cuts (a call's group title is built at every call of a
 * def: snprintf took a thousand instructions of each). */
static void title_append(char *title, size_t size, size_t *used, const char *text) {
    size_t at = *used;
    while (*text != '\0' && at + 1 < size) title[at++] = *text++;
    title[at] = '\0';
    *used = at;
}

static int call_user(repl *r, user_function *f, int argc, const repl_value *argv, int nk,
                     const char *const *knames, const repl_value *kvalues, repl_value *out) {
    const ast_list *params = &f->def->as.def.parameters;
    int n = params->count;
    if (argc > n)
        return repl_error(r, "%s takes %d argument%s, got %d", f->name, n, n == 1 ? "" : "s", argc);
    if (r->eval.call_depth >= MAX_CALL_DEPTH)
        return repl_error(r, "%s: calls nested more than %d deep (endless recursion?)", f->name,
                          MAX_CALL_DEPTH);
    /* the arguments in parameter order: on the stack for a few */
    repl_value values_local[CALL_LOCAL_PARAMS];
    bool given_local[CALL_LOCAL_PARAMS];
    repl_value *values = values_local;
    bool *given = given_local;
    if (n > CALL_LOCAL_PARAMS) {
        values = malloc((size_t)n * sizeof *values);
        given = malloc((size_t)n * sizeof *given);
        if (values == NULL || given == NULL) {
            free(values);
            free(given);
            return repl_error(r, "out of memory");
        }
    }
    for (int i = 0; i < n; i++) {
        values[i] = VALUE_NIL_INIT;
        given[i] = false;
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
            const char *near = repl_nearest_word(knames[k], names, count);
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
    /* a default is evaluated at each call that leaves its parameter out, in
     * the caller's scope, before the body's frame exists */
    const ast_list *defaults = &f->def->as.def.defaults;
    for (int i = 0; i < n && rc == 0; i++) {
        if (given[i]) continue;
        const ast_node *fallback = NULL;
        for (int k = 0; k < defaults->count && fallback == NULL; k++)
            if (strcmp(defaults->items[k]->as.keyword.name, params->items[i]->as.name) == 0)
                fallback = defaults->items[k]->as.keyword.value;
        if (fallback == NULL) {
            rc = repl_error(r, "%s: missing argument '%s'", f->name, params->items[i]->as.name);
        } else {
            repl_chunk *caller_chunk = r->eval.chunk;
            r->eval.chunk = f->chunk; /* the default's text is in the def's source */
            if (r->eval.locals != NULL) r->eval.locals->hosting++; /* f's nodes in the caller's frame */
            rc = eval_operand(r, fallback, LITERAL_CONSTANT, &values[i]) < 0 ? -1 : 0;
            if (r->eval.locals != NULL) r->eval.locals->hosting--;
            r->eval.chunk = caller_chunk;
            given[i] = rc == 0;
        }
    }
    name_entry frame_local[CALL_FRAME_ENTRIES] = {0};
    name_table frame = {.frame = true, .function = f, .local = frame_local, .entries = frame_local,
                        .capacity = CALL_FRAME_ENTRIES};
    for (int i = 0; i < n && rc == 0; i++) {
        if (!names_set(&frame, params->items[i]->as.name, values[i])) rc = repl_error(r, "out of memory");
        values[i] = VALUE_NIL_INIT;
    }
    for (int i = 0; i < n; i++) value_release(values[i]);
    if (values != values_local) {
        free(values);
        free(given);
    }
    if (rc < 0) {
        names_clear(&frame);
        return -1;
    }

    /* the functions the call makes are drawn as a group titled with the
     * call: the arguments' names where they are names, else the parameters' */
    char title[160];
    size_t used = 0;
    title_append(title, sizeof title, &used, f->name);
    title_append(title, sizeof title, &used, "(");
    const ast_node *site = r->eval.call;
    /* a call made for another built-in (gradcheck(k, a, b) calling k) has
     * not this call's arguments at its site: then the arguments' own names */
    if (site != NULL && (site->kind != AST_CALL || site->as.call.callee == NULL ||
                         site->as.call.callee->kind != AST_NAME ||
                         strcmp(site->as.call.callee->as.name, f->name) != 0))
        site = NULL;
    for (int i = 0; i < n; i++) {
        const ast_node *arg = site != NULL && i < site->as.call.arguments.count ? site->as.call.arguments.items[i]
                                                                                : NULL;
        const char *word = arg != NULL && arg->kind == AST_NAME ? arg->as.name : params->items[i]->as.name;
        if (site == NULL) {
            repl_value *given_value = names_get(&frame, params->items[i]->as.name);
            if (given_value != NULL && given_value->kind == VALUE_VAR && ag_name(given_value->as.var)[0] != '\0')
                word = ag_name(given_value->as.var);
        }
        if (i > 0) title_append(title, sizeof title, &used, ", ");
        title_append(title, sizeof title, &used, word);
    }
    title_append(title, sizeof title, &used, ")");
    unsigned outer_group = repl_group_enter(r, title);

    f->refcount++; /* the body stays valid even if the call rebinds its name */
    name_table *saved_locals = r->eval.locals;
    repl_chunk *saved_chunk = r->eval.chunk;
    const ast_node *call = r->eval.call;
    r->eval.call = NULL;
    eval_set_locals(r, &frame);
    r->eval.chunk = f->chunk;
    r->eval.call_depth++;
    const ast_node *body = f->def->as.def.body;
    *out = VALUE_NIL_INIT;
    if (body->kind == AST_BLOCK) {
        int status = exec_block(r, body);
        if (status == EXEC_RETURN) {
            *out = r->eval.return_value;
            r->eval.return_value = VALUE_NIL_INIT;
        } else if (status == EXEC_ERROR) {
            rc = -1;
        }
    } else {
        rc = eval_expr(r, body, out);
    }
    r->eval.call_depth--;
    repl_group_leave(r, outer_group);
    eval_set_locals(r, saved_locals);
    r->eval.chunk = saved_chunk;
    r->eval.call = call;
    if (rc < 0) repl_error_add_trace(r, f->name, call);
    names_clear(&frame);
    user_function_release(f);
    return rc;
}

/* Calls any callable with positional and keyword arguments; r->eval.call is
 * the call (for messages). */
REPL_HOT static int call_value(repl *r, repl_value callee, const char *callee_name, int argc,
                      const repl_value *argv, int nk, const char *const *knames,
                      const repl_value *kvalues, repl_value *out) {
    char buf[96];
    switch (callee.kind) {
    case VALUE_BUILTIN: return call_builtin(r, callee.as.builtin, argc, argv, nk, knames, kvalues, out);
    case VALUE_FUNCTION: return call_user(r, callee.as.function, argc, argv, nk, knames, kvalues, out);
    case VALUE_OBJECT: {
        const repl_object_type *type = callee.as.object->type;
        if (type == NULL || type->call == NULL) break;
        /* m(x): a model's first call makes its weights, a step moves an lstm's
         * or rnn's state, a batch_norm_layer's running statistics move */
        if (r->io.changes_refused) return changes_refused_error(r, callee_name ? callee_name : type->name);
        if (nk > 0) return repl_error(r, "calling %s takes no keyword arguments", value_kind_name(callee));
        builtin_args args = {.count = argc, .values = (repl_value *)argv, .def = NULL};
        native_frame frame = native_enter(r, &args, out);
        int rc = type->call(r, callee.as.object->payload, &args, out);
        native_leave(r, frame);
        if (rc < 0 && !r->error.set) repl_error(r, "calling %s failed", value_kind_name(callee));
        ag_clear_error(r->ctx);
        return rc < 0 ? -1 : 0;
    }
    case VALUE_NIL:
        if (callee.as.string) return value_nil_error_at(r, NULL, "", callee);
        break;
    default: break;
    }
    if (callee_name)
        return repl_error(r, "'%s' is %s, not a function", callee_name, eval_describe_kind(callee, buf, sizeof buf));
    return repl_error(r, "%s is not a function", eval_describe_kind(callee, buf, sizeof buf));
}

int repl_call_value(repl *r, repl_value callee, int argc, const repl_value *argv, repl_value *out) {
    *out = VALUE_NIL_INIT;
    /* the C caller holds plain ag_var pointers: no collection meanwhile */
    r->eval.native_depth++;
    if (r->eval.chunk == NULL) { /* called between statements (a window redrawing) */
        char base;
        eval_set_stack(r, (uintptr_t)&base, repl_stack_budget_from(r, (uintptr_t)&base));
        r->eval.depth = 0;
    }
    int rc = call_value(r, callee, NULL, argc, argv, 0, NULL, NULL, out);
    r->eval.native_depth--;
    return rc;
}

/* x.name(args): the object's method, else the built-in or user function
 * `name` with x first (SPEC: every method is also a function). */
REPL_HOT static int call_method(repl *r, repl_value object, const char *name, const builtin_def *def, int argc,
                       repl_value *argv, int nk, const char *const *knames, const repl_value *kvalues,
                       repl_value *out) {
    /* argv[0] is reserved for the receiver */
    argv[0] = object;
    if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        for (int i = 0; i < type->nmethods; i++)
            if (strcmp(type->methods[i].name, name) == 0) {
                /* an object's own methods change it or its parameters, every
                 * one (opt.step(), opt.zero_grad(), opt.add_hook(),
                 * sched.step(), m.cleargrads(), m.reset_state()) */
                if (r->io.changes_refused) return changes_refused_error(r, name);
                return call_builtin(r, &type->methods[i], argc + 1, argv, nk, knames, kvalues, out);
            }
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
    if (def != NULL && !builtin_method_form(def)) {
        /* x.float(), x.int(): PyTorch's conversions, not Python's float(x) */
        const char *hint = object.kind == VALUE_VAR ? eval_other_spelling(name, "variable") : NULL;
        if (hint != NULL) return repl_error_at(r, NULL, "a variable has no method '%s'; %s", name, hint);
        char *signature = builtin_signature_text(def);
        int rc = repl_error_at(r, NULL, "%s is a function, not a method: call it as %s", name,
                               signature ? signature : name);
        free(signature);
        return rc;
    }
    if (def != NULL) return call_builtin(r, def, argc + 1, argv, nk, knames, kvalues, out);
    repl_value *bound = names_get(r->eval.locals, name);
    if (bound == NULL) bound = names_get(&r->names, name);
    if (bound != NULL && bound->kind == VALUE_FUNCTION)
        return call_user(r, bound->as.function, argc + 1, argv, nk, knames, kvalues, out);
    if (object.kind == VALUE_OBJECT && object.as.object->type) {
        const repl_object_type *type = object.as.object->type;
        return repl_no_method(r, NULL, object, name, type);
    }
    if (object.kind == VALUE_NIL) return value_nil_error_at(r, NULL, "", object);
    /* a variable's: among its attributes and the built-ins (access.c) */
    return repl_no_method(r, NULL, object, name, NULL);
}

/* The calls a loop makes most, f(a, b) and x.f(a) of a built-in with
 * positional arguments over plain defaults (signature.plain_defaults) whose
 * signature an earlier call has parsed: each argument is evaluated straight
 * into its parameter's slot or the rest list's item, which the call owns
 * from then on.  eval_call's general path evaluates into its own slots and
 * binds copies of them, a retain and a release more per argument beside
 * repl_bind_arguments' checks.  receiver is x of x.f(...), the first argument,
 * or NULL.  1 when the call is not one of these (nothing evaluated,
 * the receiver still the caller's); else 0, or -1 after an error, the
 * receiver consumed. */
REPL_HOT static int call_builtin_direct(repl *r, const ast_node *n, const builtin_def *def,
                                        repl_value *receiver, literal_use use, repl_value *out) {
    const ast_list *arguments = &n->as.call.arguments;
    const signature *s = signature_cached(&r->signatures, def);
    int first = receiver != NULL ? 1 : 0, argc = first + arguments->count;
    if (s == NULL || !s->plain_defaults || s->count > BUILTIN_INLINE_ARGS || argc < s->required ||
        (argc > s->positional && s->rest < 0))
        return 1; /* repl_bind_arguments says what is wrong, or binds the general way */
    int positional = argc < s->positional ? argc : s->positional, extra = argc - positional;
    repl_value list = VALUE_NIL_INIT;
    if (s->rest >= 0 && (list = builtin_rest_list(r, extra)).kind != VALUE_LIST)
        return 1; /* out of memory: the general path reports it */
    builtin_args args;
    repl_value *values = args.inline_values;
    /* argument j (the receiver first) goes to slot j, past the positional
     * parameters to the rest list's item j - positional; done counts those
     * holding a value */
    int done = 0, rc = 0;
    while (done < argc) {
        repl_value *slot = done < positional ? &values[done] : &list.as.list->items[done - positional];
        if (done < first) *slot = *receiver;
        else if (!bound_name_value(r, arguments->items[done - first], slot) &&
                 (rc = eval_operand(r, arguments->items[done - first], use, slot)) < 0)
            break;
        done++;
    }
    if (rc < 0) {
        for (int i = 0; i < done && i < positional; i++) value_release(values[i]);
        if (list.kind == VALUE_LIST) {
            list.as.list->count = done > positional ? done - positional : 0; /* the rest are not set */
            value_release(list);
        }
        return -1;
    }
    for (int i = positional; i < s->count; i++) values[i] = s->params[i].default_value;
    if (s->rest >= 0) values[s->rest] = list;
    args.def = def;
    args.values = values;
    args.count = s->count;
    args.call = NULL;
    args.source = NULL;
    args.rest = s->rest;
    const ast_node *caller = r->eval.call;
    r->eval.call = n;
    rc = run_builtin(r, def, &args, out);
    r->eval.call = caller;
    return rc;
}

/* f(x) of an elementwise built-in of one variable (its row's `unary`: sin,
 * exp, tanh...), the loops' most common call: when x is a variable, the
 * engine's op straight away, as the built-in's fn (arg_var, then the op)
 * would run it, with the call's position for an engine error and collection
 * held off, as run_builtin holds it.  Any other x (a number, a list, none)
 * goes to the built-in as call_builtin_direct would hand it over.  1 when n
 * is not such a call (nothing evaluated); else 0 with a reference in *out,
 * or -1 after an error.  When `root` is false, the op's result comes
 * without a reference (2): its caller uses it before anything else runs
 * (eval_call_operand). */
REPL_HOT static int call_unary_direct(repl *r, const ast_node *n, const builtin_def *def, bool root,
                                      repl_value *out) {
    const ast_list *arguments = &n->as.call.arguments;
    if (def->unary == NULL || arguments->count != 1) return 1;
    const ast_node *argument = arguments->items[0];
    /* a name's variable is borrowed from its binding (nothing runs before
     * the op); anything else is evaluated into a value of the call's own */
    const repl_value *bound = bound_name_slot(r, argument);
    bool borrowed = bound != NULL && bound->kind == VALUE_VAR;
    repl_value x;
    if (borrowed) x = *bound;
    else if (!bound_name_value(r, argument, &x) && eval_operand(r, argument, LITERAL_NUMBER, &x) < 0) return -1;
    const ast_node *caller = r->eval.call;
    r->eval.call = n;
    int rc = 0;
    if (x.kind == VALUE_VAR) {
        r->eval.native_depth++;
        ag_var *y = def->unary(r->ctx, x.as.var);
        r->eval.native_depth--;
        if (y == NULL) {
            rc = engine_error(r); /* at the call, as builtin_done_var reports it */
        } else if (root) {
            *out = value_var(y);
        } else {
            *out = (repl_value){.kind = VALUE_VAR, .as.var = y};
            rc = 2;
        }
    } else {
        rc = call_builtin(r, def, 1, &x, 0, NULL, NULL, out);
    }
    r->eval.call = caller;
    if (!borrowed) value_release(x);
    return rc < 0 ? -1 : rc;
}

/* The variables call_vars_direct gathers at most. */
#define VARS_DIRECT_MAX 8

/* A call of a built-in with a `vars` row (cleargrad(x0, x1), y.backward())
 * whose arguments, and receiver x of x.f(), are all variables, the
 * arguments names bound to them: the row's `vars` over the variables, as
 * run_builtin would run the built-in's fn over them and the defaults
 * (collection held off, the call's position for its errors), without
 * binding arguments: no rest list, no copies of the bindings, no defaults
 * to fill and release.  1 when n is not such a call (nothing evaluated, the
 * receiver still the caller's); else 0, or -1 after an error, the receiver
 * released unless it was `borrowed` from its binding (call_vars_named). */
static inline __attribute__((always_inline)) int call_vars_direct(repl *r, const ast_node *n,
                                                                  const builtin_def *def, repl_value *receiver,
                                                                  bool borrowed, repl_value *out) {
    /* a user expression's calls take run_builtin's path, which refuses changes */
    if (r->io.changes_refused) return 1;
    const ast_list *arguments = &n->as.call.arguments;
    int first = receiver != NULL ? 1 : 0, count = first + arguments->count;
    if (count > VARS_DIRECT_MAX || (receiver != NULL && receiver->kind != VALUE_VAR)) return 1;
    ag_var *xs[VARS_DIRECT_MAX];
    if (receiver != NULL) xs[0] = receiver->as.var;
    for (int i = first; i < count; i++) {
        const repl_value *bound = bound_name_slot(r, arguments->items[i - first]);
        if (bound == NULL || bound->kind != VALUE_VAR) return 1;
        xs[i] = bound->as.var;
    }
    /* as native_enter and native_leave around run_builtin's call */
    native_frame frame = {r->eval.call, r->eval.chunk};
    r->eval.call = n;
    r->eval.native_depth++;
    int rc = def->vars(r, xs, count);
    if (rc < 0) builtin_failed(r, def); /* at the call, as run_builtin reports it */
    native_leave(r, frame);
    if (rc == 1) return 1;
    *out = VALUE_NIL_INIT;
    if (receiver != NULL && !borrowed) value_release(*receiver);
    return rc < 0 ? -1 : 0;
}

/* A call of a built-in with a `vars` row named directly, f(a, b) or
 * x.f(), without keywords, whose receiver and arguments are names bound to
 * variables: call_vars_direct over them, the receiver borrowed from its
 * binding as the arguments are (the row's vars hold a root on what must
 * outlive a rebinding: backward_vars).  1 when n is no such call (nothing
 * evaluated): eval_call's general path then finds the same built-in and
 * binds its arguments. */
static inline __attribute__((always_inline)) int call_vars_named(repl *r, const ast_node *n, repl_value *out) {
    if (n->as.call.keywords.count != 0) return 1;
    const ast_node *callee = n->as.call.callee;
    const builtin_def *def;
    repl_value receiver;
    if (callee->kind == AST_ATTRIBUTE) {
        def = eval_method_builtin(callee);
        const repl_value *bound = bound_name_slot(r, callee->as.attribute.object);
        if (def == NULL || def->vars == NULL || bound == NULL || bound->kind != VALUE_VAR ||
            !builtin_method_form(def))
            return 1;
        receiver = *bound;
        return call_vars_direct(r, n, def, &receiver, true, out);
    }
    if (callee->kind != AST_NAME || callee->memo.what != MEMO_BUILTIN || !memo_valid(r, &callee->memo))
        return 1;
    def = callee->memo.binding;
    return def->vars != NULL ? call_vars_direct(r, n, def, NULL, true, out) : 1;
}

#define INLINE_ARGS 8

/* eval_call but for call_vars_named's calls (which it also runs, for a
 * built-in bound to a name of the user's or a receiver that is no name). */
REPL_HOT static int eval_call_general(repl *r, const ast_node *n, repl_value *out) {
    const ast_node *callee_node = n->as.call.callee;
    const ast_list *arguments = &n->as.call.arguments, *keywords = &n->as.call.keywords;
    bool method = callee_node->kind == AST_ATTRIBUTE;
    repl_value callee;
    const ast_node *callee_expr = method ? callee_node->as.attribute.object : callee_node;
    if (!bound_name_value(r, callee_expr, &callee) && eval_expr(r, callee_expr, &callee) < 0) return -1;

    /* A literal argument reaches a built-in as a plain number, exactly as
     * before literals were variables (arg_var makes it a constant, pow(x, 2)
     * is Pow(2), sgd(0.1) is refused, print(10000) shows 10000); a user
     * function gets a constant variable. */
    literal_use use = LITERAL_CONSTANT;
    const builtin_def *method_def = method ? eval_method_builtin(callee_node) : NULL; /* x.NAME's built-in */
    if (method) {
        if (callee.kind == VALUE_OBJECT || method_def != NULL) use = LITERAL_NUMBER;
    } else if (callee.kind == VALUE_BUILTIN) {
        use = LITERAL_NUMBER;
    } else if (callee.kind == VALUE_OBJECT) {
        use = LITERAL_NUMBER;
    }
    int argc = arguments->count, nk = keywords->count;
    if (nk == 0) {
        const builtin_def *def = NULL;
        if (!method && callee.kind == VALUE_BUILTIN)
            def = callee.as.builtin;
        else if (method && method_def != NULL && callee.kind != VALUE_OBJECT && builtin_method_form(method_def))
            def = method_def;
        int rc = def != NULL && def->vars != NULL ? call_vars_direct(r, n, def, method ? &callee : NULL, false, out)
                 : def != NULL && !method       ? call_unary_direct(r, n, def, true, out)
                                                : 1;
        if (rc == 1 && def != NULL) rc = call_builtin_direct(r, n, def, method ? &callee : NULL, use, out);
        if (rc <= 0) return rc; /* a built-in's callee needs no release; a receiver was consumed */
    }
    /* slot 0 is kept free for a method's receiver */
    repl_value inline_argv[INLINE_ARGS + 1], inline_kvalues[INLINE_ARGS];
    const char *inline_knames[INLINE_ARGS];
    repl_value *argv = argc < INLINE_ARGS ? inline_argv : calloc((size_t)argc + 1, sizeof *argv);
    repl_value *kvalues = nk <= INLINE_ARGS ? inline_kvalues : calloc((size_t)nk, sizeof *kvalues);
    const char **knames = nk <= INLINE_ARGS ? inline_knames : calloc((size_t)nk, sizeof *knames);
    int rc = 0;
    if (argv == NULL || kvalues == NULL || knames == NULL) rc = repl_error_at(r, n, "out of memory");
    /* slots and kslots count the values evaluated, which cleanup releases
     * (an evaluation that fails leaves no reference) */
    int slots = 0, kslots = 0;
    while (slots < argc && rc == 0)
        if ((rc = eval_operand(r, arguments->items[slots], use, &argv[slots + 1])) == 0) slots++;
    while (kslots < nk && rc == 0) {
        knames[kslots] = keywords->items[kslots]->as.keyword.name;
        if ((rc = eval_operand(r, keywords->items[kslots]->as.keyword.value, use, &kvalues[kslots])) == 0)
            kslots++;
    }
    if (rc == 0) {
        const ast_node *caller = r->eval.call;
        r->eval.call = n;
        if (method)
            rc = call_method(r, callee, callee_node->as.attribute.name, method_def, argc, argv, nk,
                             knames, kvalues, out);
        else
            rc = call_value(r, callee, callee_node->kind == AST_NAME ? callee_node->as.name : NULL,
                            argc, argv + 1, nk, knames, kvalues, out);
        r->eval.call = caller;
    }
    for (int i = 0; i < slots; i++) value_release(argv[i + 1]);
    for (int k = 0; k < kslots; k++) value_release(kvalues[k]);
    value_release(callee);
    if (argv != inline_argv) free(argv);
    if (kvalues != inline_kvalues) free(kvalues);
    if (knames != inline_knames) free((void *)knames);
    return rc < 0 ? -1 : 0;
}

REPL_HOT int eval_call(repl *r, const ast_node *n, repl_value *out) {
    int direct = call_vars_named(r, n, out);
    return direct <= 0 ? direct : eval_call_general(r, n, out);
}

REPL_HOT int eval_call_statement(repl *r, const ast_node *n) {
    if (eval_too_deep(r)) return repl_error_at(r, n, "expression nested too deeply (or endless recursion)");
    repl_value v;
    r->eval.depth++;
    /* cleargrad(x0, x1), y.backward(): no value to drop */
    int rc = call_vars_named(r, n, &v);
    if (rc == 1 && (rc = eval_call_general(r, n, &v)) == 0) value_release(v);
    r->eval.depth--;
    return rc < 0 ? -1 : 0;
}

REPL_HOT int eval_call_operand(repl *r, const ast_node *n, repl_value *out) {
    const ast_node *callee = n->as.call.callee;
    if (callee->kind == AST_NAME && callee->memo.what == MEMO_BUILTIN && memo_valid(r, &callee->memo) &&
        n->as.call.keywords.count == 0 && ((const builtin_def *)callee->memo.binding)->vars == NULL) {
        int rc = call_unary_direct(r, n, callee->memo.binding, false, out);
        if (rc != 1) return rc == 2 ? 1 : rc;
    }
    return eval_call(r, n, out); /* anything else, as eval_call's general path runs it */
}
