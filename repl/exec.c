/* exec.c — statements: assignment's dispatch, def, for, while, if, nograd and
 * testmode blocks, break/continue/return, and the boundary between
 * statements where Ctrl-C is checked and the collector may run
 * (repl_internal.h; expressions are eval.c's). */
#include "array.h"
#include "repl_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- statements ---------------------------------------------------------------------------- */

/* Adds name to f->binds (capacity: its room). */
static bool binds_add(user_function *f, size_t *capacity, const char *name) {
    if (!ARRAY_RESERVE(f->binds, *capacity, f->nbinds, 1)) return false;
    f->binds[f->nbinds++] = name;
    return true;
}

/* f->binds (session_state.h): the parameters, then every name a statement
 * of the body binds (x = e and x op= e, for's and unpacking's targets, a
 * def's name), in blocks at any depth, but not inside a def in the body,
 * whose calls have frames of their own.  Walked with a stack of its own:
 * blocks nest as deep as the parser allows. */
static bool def_binds(user_function *f) {
    const ast_node *def = f->def, **stack = NULL;
    size_t capacity = 0, depth = 0, stack_capacity = 0;
    bool ok = true;
    for (int i = 0; i < def->as.def.parameters.count && ok; i++)
        ok = binds_add(f, &capacity, def->as.def.parameters.items[i]->as.name);
    if (ok && (ok = ARRAY_RESERVE(stack, stack_capacity, depth, 1))) stack[depth++] = def->as.def.body;
    while (ok && depth > 0) {
        const ast_node *n = stack[--depth];
        const ast_list *more = NULL;
        const ast_node *one = NULL, *other = NULL;
        switch (n->kind) {
        case AST_BLOCK: more = &n->as.block; break;
        case AST_IF:
            more = &n->as.if_statement.bodies;
            one = n->as.if_statement.else_body;
            break;
        case AST_WHILE: one = n->as.while_loop.body; break;
        case AST_NOGRAD:
        case AST_TESTMODE: one = n->as.scope.body; break;
        case AST_FOR:
            one = n->as.for_loop.body;
            if (n->as.for_loop.targets != NULL) other = n->as.for_loop.targets;
            else ok = binds_add(f, &capacity, n->as.for_loop.variable);
            break;
        case AST_UNPACK: other = n->as.unpack.targets; break;
        case AST_LIST: more = &n->as.list; break; /* a pattern's */
        case AST_NAME: ok = binds_add(f, &capacity, n->as.name); break; /* a pattern's */
        case AST_ASSIGN:
            if (n->as.assign.object == NULL) ok = binds_add(f, &capacity, n->as.assign.target);
            break;
        case AST_DEF: ok = binds_add(f, &capacity, n->as.def.name); break;
        default: break; /* an expression statement, x[i] = e, return, ...: no binding */
        }
        size_t count = (more ? (size_t)more->count : 0) + (one != NULL) + (other != NULL);
        if (!ok || !(ok = ARRAY_RESERVE(stack, stack_capacity, depth, count))) break;
        for (int i = 0; more != NULL && i < more->count; i++) stack[depth++] = more->items[i];
        if (one != NULL) stack[depth++] = one;
        if (other != NULL) stack[depth++] = other;
    }
    free(stack);
    return ok;
}

static int exec_def(repl *r, const ast_node *n) {
    user_function *f = calloc(1, sizeof *f);
    if (f == NULL || (f->name = strdup(n->as.def.name)) == NULL) {
        free(f);
        return repl_error_at(r, n, "out of memory");
    }
    f->refcount = 1;
    f->def = n;
    f->chunk = r->eval.chunk;
    r->eval.chunk->refcount++;
    if (!def_binds(f)) {
        user_function_release(f);
        return repl_error_at(r, n, "out of memory");
    }
    return eval_bind_name(r, n, n->as.def.name, (repl_value){.kind = VALUE_FUNCTION, .as.function = f});
}

/* Checks Ctrl-C and collects garbage between statements, paced by
 * allocation (ag_gc_auto: a young collection per 64 KiB made, a full one
 * when what was promoted reaches what the last one kept): -1 on interrupt. */
#ifdef __EMSCRIPTEN__
int web_interrupt_pending(void); /* the web page's Ctrl-C (repl/web/web_main.c) */
#endif

/* Inline in the loops and blocks below, which pass one at every statement
 * and iteration; repl_statement_boundary for the rest. */
static inline __attribute__((always_inline)) int statement_boundary(repl *r, const ast_node *n) {
#ifdef __EMSCRIPTEN__
    static unsigned polls; /* a call into JavaScript: every 64th boundary */
    if ((++polls & 63) == 0 && web_interrupt_pending()) repl_interrupted = 1;
#endif
    if (repl_interrupted) {
        repl_interrupted = 0;
        return repl_error_at(r, n, "interrupted");
    }
    if (r->eval.native_depth == 0) ag_gc_auto(r->ctx);
    if (r->viz_live) repl_viz_idle(r->viz); /* plot windows stay live while a loop runs */
    return 0;
}

int repl_statement_boundary(repl *r, const ast_node *n) { return statement_boundary(r, n); }

static int exec_statements(repl *r, const ast_node *block, bool first_checked);

/* Runs a loop body once (last: the loop's last iteration; first_checked:
 * the caller has just passed a statement boundary, exec_statements); *stop
 * set on break; EXEC_OK, EXEC_RETURN or EXEC_ERROR. */
REPL_HOT static int loop_body(repl *r, const ast_node *body, bool last, bool first_checked, bool *stop) {
    if (!last) r->eval.loops_not_last++;
    int status = exec_statements(r, body, first_checked);
    if (!last) r->eval.loops_not_last--;
    if (status == EXEC_BREAK) {
        *stop = true;
        return EXEC_OK;
    }
    if (status == EXEC_CONTINUE) return EXEC_OK;
    if (status != EXEC_OK) *stop = true;
    return status;
}

/* Binds a for loop's item (taken): to its one name, or unpacked into its
 * pattern.  An item that is a variable without a name (a batch, a row)
 * takes the loop variable's, as an assignment's value does (the spiral
 * lesson's graph showed its batch xb as a nameless [30 2]). */
static inline __attribute__((always_inline)) int bind_loop_item(repl *r, const ast_node *n, repl_value item) {
    const ast_node *targets = n->as.for_loop.targets;
    if (targets != NULL) return repl_bind_pattern(r, targets, targets, item, false);
    value_take_name(item, n->as.for_loop.variable);
    return eval_bind_name_memo(r, n->as.for_loop.iterable, n, n->as.for_loop.variable, item);
}

/* for NAME in f(args) where f is a built-in with a sequence hook (range):
 * the numbers one by one, without the list.  EXEC_NOT_SEQUENCE (nothing
 * evaluated but the name) when f is anything else. */
enum { EXEC_NOT_SEQUENCE = 100 };
REPL_HOT static int for_sequence(repl *r, const ast_node *n, const ast_node *iterable,
                        const ast_node *body) {
    repl_value callee;
    if (eval_expr(r, iterable->as.call.callee, &callee) < 0) return EXEC_ERROR;
    const builtin_def *def = callee.kind == VALUE_BUILTIN ? callee.as.builtin : NULL;
    value_release(callee);
    if (def == NULL || def->sequence == NULL) return EXEC_NOT_SEQUENCE;
    const ast_list *arguments = &iterable->as.call.arguments, *keywords = &iterable->as.call.keywords;
    int argc = arguments->count, nk = keywords->count;
    if (argc > 8 || nk > 8) return EXEC_NOT_SEQUENCE; /* the general path says what is wrong */
    repl_value argv[8], kvalues[8];
    const char *knames[8];
    int rc = 0, given = 0, kgiven = 0;
    for (; given < argc && rc == 0; given++)
        rc = eval_operand(r, arguments->items[given], LITERAL_NUMBER, &argv[given]);
    if (rc < 0) given--;
    for (; kgiven < nk && rc == 0; kgiven++) {
        knames[kgiven] = keywords->items[kgiven]->as.keyword.name;
        rc = eval_operand(r, keywords->items[kgiven]->as.keyword.value, LITERAL_NUMBER, &kvalues[kgiven]);
    }
    if (rc < 0 && kgiven > 0) kgiven--;
    double start = 0, step = 1, count = 0;
    if (rc == 0) {
        const ast_node *caller = r->eval.call; /* binding and the hook report at the call */
        r->eval.call = iterable;
        builtin_args args;
        rc = repl_bind_arguments(r, def, argc, argv, nk, knames, kvalues, &args);
        if (rc == 0) {
            rc = def->sequence(r, &args, &start, &step, &count);
            builtin_args_free(&args);
        }
        r->eval.call = caller;
    }
    for (int i = 0; i < given; i++) value_release(argv[i]);
    for (int k = 0; k < kgiven; k++) value_release(kvalues[k]);
    if (rc < 0) return EXEC_ERROR;
    bool stop_loop = false;
    int status = EXEC_OK;
    for (double k = 0; k < count && !stop_loop; k++) {
        if (statement_boundary(r, n) < 0) return EXEC_ERROR;
        if (bind_loop_item(r, n, value_number(start + k * step)) < 0) return EXEC_ERROR;
        status = loop_body(r, body, k + 1 >= count, true, &stop_loop);
    }
    return status;
}

/* `for xb, tb in batches(x, size=10)`, t forgotten: each batch is one
 * tensor, which the names would unpack row by row ("cannot unpack 10
 * values"); true after saying so.  Batches of two rows are left to unpack. */
static bool batches_without_t(repl *r, const ast_node *n, repl_value items) {
    const ast_node *targets = n->as.for_loop.targets;
    if (targets == NULL || targets->kind != AST_LIST || targets->as.list.count != 2 || items.kind != VALUE_OBJECT ||
        strcmp(items.as.object->type->name, "loader") != 0 || items.as.object->type->get_attr == NULL)
        return false;
    repl_value t, size; /* (batches of 2 rows unpack, as a list of two rows does) */
    if (items.as.object->type->get_attr(r, items.as.object->payload, "t", &t) != 0) return false;
    bool none = t.kind == VALUE_NIL;
    value_release(t);
    if (none && items.as.object->type->get_attr(r, items.as.object->payload, "size", &size) == 0)
        none = !(size.kind == VALUE_NUMBER && size.as.number == 2);
    if (none)
        repl_error_at(r, n->as.for_loop.iterable,
                      "for: these batches have no t: batches(x, size=...) gives one tensor a batch (for xb in ...); "
                      "batches(x, t, size=...) gives the pairs (xb, tb)");
    return none;
}

/* `for name, p in m.params`: m.params walks the parameters alone, each of
 * which the names would unpack row by row; true after saying so. */
static bool params_without_names(repl *r, const ast_node *n, repl_value items) {
    const ast_node *targets = n->as.for_loop.targets;
    if (targets == NULL || targets->kind != AST_LIST || targets->as.list.count != 2 || items.kind != VALUE_OBJECT ||
        strcmp(items.as.object->type->name, "parameters") != 0)
        return false;
    repl_error_at(r, n->as.for_loop.iterable,
                  "for: m.params gives the parameters alone (for p in m.params); for name, p in m.params.items() "
                  "gives their names too");
    return true;
}

static int exec_for(repl *r, const ast_node *n) {
    const ast_node *iterable = n->as.for_loop.iterable, *body = n->as.for_loop.body;
    if (iterable->kind == AST_CALL && iterable->as.call.callee->kind == AST_NAME) {
        int status = for_sequence(r, n, iterable, body);
        if (status != EXEC_NOT_SEQUENCE) return status;
    }
    repl_value items;
    if (eval_expr(r, iterable, &items) < 0) return EXEC_ERROR;
    if (batches_without_t(r, n, items) || params_without_names(r, n, items)) {
        value_release(items);
        return EXEC_ERROR;
    }
    char buf[96];
    repl_iter it;
    int rc = repl_iter_begin(r, iterable, items, &it);
    if (rc != 0) {
        if (rc > 0 && (items.kind == VALUE_NUMBER || /* `for i in 3`: the literal is a scalar variable */
                       (items.kind == VALUE_VAR && ag_ndim(items.as.var) == 0)))
            repl_error_at(r, iterable, "for: cannot loop over a number; did you mean range(n)?");
        else if (rc > 0 && items.kind == VALUE_NIL)
            value_nil_error_at(r, iterable, "for: ", items);
        else if (rc > 0)
            repl_error_at(r, iterable, "for: cannot loop over %s", eval_describe_kind(items, buf, sizeof buf));
        value_release(items);
        return EXEC_ERROR;
    }
    value_release(items);
    int status = EXEC_OK;
    bool stop_loop = false;
    for (long k = 0; !stop_loop; k++) {
        repl_value item;
        if (statement_boundary(r, n) < 0 || (rc = repl_iter_next(r, iterable, &it, &item)) < 0) {
            status = EXEC_ERROR;
            break;
        }
        if (rc == 0) break;
        if (bind_loop_item(r, n, item) < 0) {
            status = EXEC_ERROR;
            break;
        }
        bool last = it.count >= 0 && k + 1 >= it.count && !(it.kind == ITER_LIST && it.source.as.list->count > k + 1);
        status = loop_body(r, body, last, false, &stop_loop);
    }
    repl_iter_end(&it);
    return status;
}

/* while c { ... }: c checked before each pass, as `if` checks it. */
static int exec_while(repl *r, const ast_node *n) {
    const ast_node *condition = n->as.while_loop.condition, *body = n->as.while_loop.body;
    bool stop_loop = false;
    int status = EXEC_OK;
    while (!stop_loop) {
        if (statement_boundary(r, n) < 0) return EXEC_ERROR;
        repl_value c;
        if (eval_expr(r, condition, &c) < 0) return EXEC_ERROR;
        bool t;
        int rc = eval_truthy(r, condition, c, &t);
        value_release(c);
        if (rc < 0) return EXEC_ERROR;
        if (!t) break;
        status = loop_body(r, body, false, false, &stop_loop);
    }
    return status;
}

static int exec_if(repl *r, const ast_node *n) {
    const ast_list *conditions = &n->as.if_statement.conditions, *bodies = &n->as.if_statement.bodies;
    for (int i = 0; i < conditions->count; i++) {
        repl_value c;
        if (eval_expr(r, conditions->items[i], &c) < 0) return EXEC_ERROR;
        bool t;
        int rc = eval_truthy(r, conditions->items[i], c, &t);
        value_release(c);
        if (rc < 0) return EXEC_ERROR;
        if (t) return exec_block(r, bodies->items[i]);
    }
    const ast_node *otherwise = n->as.if_statement.else_body;
    if (otherwise == NULL) return EXEC_OK;
    return otherwise->kind == AST_BLOCK ? exec_block(r, otherwise) : exec_statement(r, otherwise, false);
}

/* An expression statement at top level shows its value; a call that returns
 * nothing shows nothing, while `x.grad` shows none. */
static int show_value(repl *r, const ast_node *n, repl_value v) {
    if (v.kind == VALUE_NIL && n->kind == AST_CALL) return 0;
    errno = 0;
    repl_mark_output(r, REPL_MARK_VALUE_BEGIN);
    repl_print_value(r, r->io.out, v);
    repl_mark_output(r, REPL_MARK_VALUE_END);
    return repl_output_check(r, n, "printing the value");
}

REPL_HOT int exec_statement(repl *r, const ast_node *n, bool top_level) {
    switch (n->kind) {
    case AST_ASSIGN: return exec_assign(r, n) < 0 ? EXEC_ERROR : EXEC_OK; /* assign.c */
    case AST_DEF: return exec_def(r, n) < 0 ? EXEC_ERROR : EXEC_OK;
    case AST_FOR: return exec_for(r, n);
    case AST_WHILE: return exec_while(r, n);
    case AST_UNPACK: return repl_exec_unpack(r, n) < 0 ? EXEC_ERROR : EXEC_OK; /* iterate.c */
    case AST_SET_ITEM: return repl_exec_set_item(r, n) < 0 ? EXEC_ERROR : EXEC_OK; /* assign.c */
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
        if (n->as.return_statement.value && eval_expr(r, n->as.return_statement.value, &v) < 0)
            return EXEC_ERROR;
        value_release(r->eval.return_value);
        r->eval.return_value = v;
        return EXEC_RETURN;
    }
    case AST_BLOCK: return exec_block(r, n);
    default: {
        repl_value v;
        if (eval_expr(r, n, &v) < 0) return EXEC_ERROR;
        int shown = top_level ? show_value(r, n, v) : 0;
        value_release(v);
        return shown < 0 ? EXEC_ERROR : EXEC_OK;
    }
    }
}

/* A block's statements, each after a statement boundary; the first one's
 * is skipped when first_checked: for_sequence passed one just before (its
 * Ctrl-C check and collection), and binding its plain-number item between
 * the two makes no graph. */
REPL_HOT static int exec_statements(repl *r, const ast_node *block, bool first_checked) {
    const ast_list *statements = &block->as.block;
    for (int i = 0; i < statements->count; i++) {
        if ((i > 0 || !first_checked) && statement_boundary(r, statements->items[i]) < 0) return EXEC_ERROR;
        const ast_node *n = statements->items[i];
        /* an assignment or a call, most loop bodies' statements, without
         * exec_statement's frame */
        int status = n->kind == AST_ASSIGN
                         ? ((n->as.assign.op != AST_OP_NONE && n->as.assign.object == NULL ? exec_update(r, n)
                                                                                            : exec_assign(r, n)) < 0
                                ? EXEC_ERROR
                                : EXEC_OK)
                     : n->kind == AST_CALL ? (eval_call_statement(r, n) < 0 ? EXEC_ERROR : EXEC_OK)
                                           : exec_statement(r, n, false);
        if (status != EXEC_OK) return status;
    }
    return EXEC_OK;
}

REPL_HOT int exec_block(repl *r, const ast_node *block) { return exec_statements(r, block, false); }
