/* eval_plan.c — the arithmetic plans: a loop's arithmetic tree kept flat
 * and run without the walk (repl_internal.h, "eval.c"); eval.c's
 * eval_arith_bounded runs a tree's plan first and walks the tree when the
 * plan declines. */
#include "repl_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- arithmetic plans ------------------------------------------------------------------
 * A loop evaluates the same arithmetic tree at every step.  A tree of at
 * most PLAN_STEPS nodes whose leaves are names, number literals (at most
 * one beside each op) and calls f(NAME) (sin(y)) is also kept flat, in the
 * order eval_arithmetic_at evaluates it: its steps bottom up, left before
 * right, each op after its operands.  A run first checks every leaf without
 * evaluating anything: each name's memo a valid binding of a variable
 * (bound_name_slot), each call's f a built-in of one variable's op
 * (call_unary_direct's rows).  Then, every name being a variable, the rule
 * of arith_apply is known when the plan is made: a literal beside an op is
 * the op's constant (pooled_constant, made just before the op, as
 * arith_apply makes it), a literal exponent is Pow's p.  The plan runs the
 * same engine ops in the same order on the same operands, and reports an
 * engine's failure at the same node (a call's at the call, with
 * collection held off as call_unary_direct holds it).  Nothing of the user's
 * runs between its ops (no def, no statement boundary, so no collection),
 * so no operand or intermediate result takes a root: they are borrowed as
 * arith_operand_of's borrowing operands are.  Anything else (a name bound
 * to a number, a stale memo, f rebound to a def, two literals beside an op,
 * any other node) declines, and eval_arithmetic_at walks the tree as
 * before, renewing the memos; so does a run near eval_too_deep's bounds,
 * where the walk's inner checks could answer. */

bool eval_plans_enabled = true;
unsigned long eval_plan_runs;

enum { PLAN_STEPS = 32 };
/* a step: an op of two variables, of a variable and the op's constant (on
 * the right or the left), Pow of a variable and a literal exponent, a call */
enum { PLAN_OP, PLAN_OP_CONSTANT, PLAN_CONSTANT_OP, PLAN_POW, PLAN_CALL };
/* the room a run leaves to eval_too_deep's bounds: more than the walk of
 * PLAN_STEPS nodes takes (one level and a few frames a node) */
enum { PLAN_DEPTH_ROOM = 2 * PLAN_STEPS };
#define PLAN_STACK_ROOM ((size_t)64 << 10)

/* Each step's operands are values of the run: the names' variables first
 * (values 0 ... names - 1, in the plan's order), then each step's result. */
typedef struct plan_step {
    unsigned char code;
    unsigned char a, b; /* the operands' values (a call's argument: a) */
    const ast_node *node; /* the op's binary node, or the call */
    const ast_node *literal_node; /* a literal operand's node (pooled_constant's key) */
    double number;                /*   and its value */
    ag_var *(*engine)(ag_ctx *, ag_var *, ag_var *); /* an op's but Pow's */
} plan_step;

typedef struct arith_plan {
    int names, calls, steps;
    const ast_node *name[PLAN_STEPS]; /* the names, in the walk's order */
    const ast_node *call[PLAN_STEPS]; /* the calls' nodes */
    plan_step step[PLAN_STEPS];
} arith_plan;

/* What a node keeps of its plan (made from an arith_plan): its arrays at
 * their lengths, in one block after it. */
typedef struct kept_plan {
    int names, calls, steps;
    const ast_node **name, **call;
    plan_step step[];
} kept_plan;

/* A number literal as number_literal folds one that names no constant: 2,
 * -1, +-2.5; its value in *out. */
static bool plan_literal(const ast_node *n, double *out) {
    double sign = 1;
    while (n->kind == AST_UNARY && (n->as.unary.op == AST_OP_NEGATE || n->as.unary.op == AST_OP_PLUS)) {
        if (n->as.unary.op == AST_OP_NEGATE) sign = -sign;
        n = n->as.unary.operand;
    }
    if (n->kind != AST_NUMBER) return false;
    *out = sign * n->as.number;
    return true;
}

/* A name's value in p (a new one at each of its places: each is checked). */
static int plan_name(arith_plan *p, const ast_node *n) {
    if (p->names >= PLAN_STEPS) return -1;
    p->name[p->names] = n;
    return p->names++;
}

static int plan_binary(arith_plan *p, const ast_node *n, int depth, int *value);

/* Appends the steps of operand n, `depth` levels down the tree: 1 with its
 * value in *value, 0 for a literal (its number in *number), -1 when n has
 * no plan.  Values are numbered names first: a step's value is made final
 * in arith_plan_make. */
static int plan_operand(arith_plan *p, const ast_node *n, int depth, int *value, double *number) {
    if (plan_literal(n, number)) return 0;
    switch (n->kind) {
    case AST_NAME: return (*value = plan_name(p, n)) < 0 ? -1 : 1;
    case AST_CALL: {
        if (n->as.call.callee->kind != AST_NAME || n->as.call.arguments.count != 1 ||
            n->as.call.keywords.count != 0 || n->as.call.arguments.items[0]->kind != AST_NAME ||
            p->steps >= PLAN_STEPS)
            return -1;
        int argument = plan_name(p, n->as.call.arguments.items[0]);
        if (argument < 0) return -1;
        p->call[p->calls++] = n;
        p->step[p->steps] = (plan_step){.code = PLAN_CALL, .a = (unsigned char)argument, .node = n};
        *value = PLAN_STEPS + p->steps++; /* a step's value: renumbered at the end */
        return 1;
    }
    case AST_BINARY: return plan_binary(p, n, depth, value);
    default: return -1;
    }
}

/* Appends the steps of the arithmetic node n, `depth` levels down the
 * tree: 1 with its value in *value, or -1 when it has none.  A tree deeper
 * than PLAN_STEPS has more nodes than a plan holds: it is refused before
 * recursing further (a sum of 300,000 terms nests as deep to the left). */
static int plan_binary(arith_plan *p, const ast_node *n, int depth, int *value) {
    ast_operator op = n->as.binary.op;
    if (depth > PLAN_STEPS || (op != AST_OP_ADD && op != AST_OP_SUBTRACT && op != AST_OP_MULTIPLY &&
                               op != AST_OP_DIVIDE && op != AST_OP_POWER && op != AST_OP_MATMUL))
        return -1;
    double left_number = 0, right_number = 0;
    int a = 0, b = 0;
    int left = plan_operand(p, n->as.binary.left, depth + 1, &a, &left_number);
    if (left < 0) return -1;
    int right = plan_operand(p, n->as.binary.right, depth + 1, &b, &right_number);
    if (right < 0 || (left == 0 && right == 0) || p->steps >= PLAN_STEPS) return -1;
    plan_step s = {.code = PLAN_OP, .a = (unsigned char)a, .b = (unsigned char)b, .node = n,
                   .engine = repl_operators[op].engine};
    if (left == 0) {
        s.code = PLAN_CONSTANT_OP;
        s.a = (unsigned char)b; /* the variable operand */
        s.literal_node = n->as.binary.left;
        s.number = left_number;
    } else if (right == 0) {
        s.code = op == AST_OP_POWER ? PLAN_POW : PLAN_OP_CONSTANT;
        s.literal_node = n->as.binary.right;
        s.number = right_number;
    }
    if (s.code != PLAN_POW && s.engine == NULL) return -1;
    p->step[p->steps] = s;
    *value = PLAN_STEPS + p->steps++;
    ((ast_node *)n)->plan_state = 2; /* a node inside the plan has none of its own */
    return 1;
}

/* n's plan, made at its first evaluation (n->plan_state 1), or NULL when
 * its tree has none (2). */
static __attribute__((noinline)) const kept_plan *arith_plan_make(const ast_node *n) {
    ast_node *node = (ast_node *)n; /* the plan is a cache of the tree, as the memos are */
    arith_plan p;
    kept_plan *kept = NULL;
    int value;
    p.names = p.calls = p.steps = 0;
    if (plan_binary(&p, n, 0, &value) == 1) {
        for (int i = 0; i < p.steps; i++) { /* a step's value follows the names' */
            plan_step *s = &p.step[i];
            if (s->a >= PLAN_STEPS) s->a = (unsigned char)(s->a - PLAN_STEPS + p.names);
            if (s->b >= PLAN_STEPS) s->b = (unsigned char)(s->b - PLAN_STEPS + p.names);
        }
        size_t steps = (size_t)p.steps * sizeof(plan_step), nodes = (size_t)(p.names + p.calls) * sizeof(ast_node *);
        if ((kept = malloc(sizeof *kept + steps + nodes)) != NULL) {
            kept->names = p.names;
            kept->calls = p.calls;
            kept->steps = p.steps;
            memcpy(kept->step, p.step, steps);
            kept->name = (const ast_node **)((char *)kept->step + steps);
            kept->call = kept->name + p.names;
            memcpy(kept->name, p.name, (size_t)p.names * sizeof(ast_node *));
            memcpy(kept->call, p.call, (size_t)p.calls * sizeof(ast_node *));
        }
    }
    node->plan = kept;
    node->plan_state = kept != NULL ? 1 : 2;
    return kept;
}

/* Runs n's plan (repl_internal.h, eval_arith_plan_run). */
REPL_HOT __attribute__((noinline)) int eval_arith_plan_run(repl *r, const ast_node *n, bool root, repl_value *out) {
    char here;
    uintptr_t now = (uintptr_t)&here, base = r->eval.stack_base;
    size_t used = base > now ? (size_t)(base - now) : (size_t)(now - base);
    if (r->eval.depth + PLAN_DEPTH_ROOM >= MAX_EVAL_DEPTH || used + PLAN_STACK_ROOM > r->eval.stack_budget)
        return PLAN_DECLINED;
    const kept_plan *p = n->plan_state == 1 ? n->plan : arith_plan_make(n);
    if (p == NULL) return PLAN_DECLINED;
    /* every leaf checked before anything runs: names bound to variables
     * (bound_name_slot), calls of a built-in's op of one variable */
    ag_var *value[2 * PLAN_STEPS];
    int names = p->names;
    for (int i = 0; i < names; i++) {
        const repl_value *bound = bound_name_slot(r, p->name[i]);
        if (bound == NULL || bound->kind != VALUE_VAR) return PLAN_DECLINED;
        value[i] = bound->as.var;
    }
    for (int i = 0; i < p->calls; i++) {
        const ast_node *callee = p->call[i]->as.call.callee;
        if (callee->memo.what != MEMO_BUILTIN || !memo_valid(r, &callee->memo)) return PLAN_DECLINED;
        const builtin_def *def = callee->memo.binding;
        if (def->vars != NULL || def->unary == NULL) return PLAN_DECLINED;
    }
    eval_plan_runs++;
    ag_var **result = value + names, *v = NULL, *c;
    for (const plan_step *s = p->step, *end = s + p->steps; s < end; s++) {
        switch (s->code) {
        case PLAN_OP: v = s->engine(r->ctx, value[s->a], value[s->b]); break;
        case PLAN_OP_CONSTANT:
            if ((c = pooled_constant(r, s->literal_node, s->number)) == NULL)
                return engine_error_at(r, s->literal_node);
            v = s->engine(r->ctx, value[s->a], c);
            break;
        case PLAN_CONSTANT_OP:
            if ((c = pooled_constant(r, s->literal_node, s->number)) == NULL)
                return engine_error_at(r, s->literal_node);
            v = s->engine(r->ctx, c, value[s->a]);
            break;
        case PLAN_POW: v = ag_pow(r->ctx, value[s->a], s->number); break; /* x^2: Pow(2) */
        default: { /* PLAN_CALL, as call_unary_direct runs it */
            const builtin_def *def = s->node->as.call.callee->memo.binding;
            const ast_node *caller = r->eval.call;
            r->eval.call = s->node;
            r->eval.native_depth++;
            v = def->unary(r->ctx, value[s->a]);
            r->eval.native_depth--;
            if (v == NULL) engine_error(r); /* at the call */
            r->eval.call = caller;
            if (v == NULL) return -1;
            *result++ = v;
            continue;
        }
        }
        if (v == NULL) return engine_error_at(r, s->node);
        *result++ = v;
    }
    return arith_result(r, n, v, root, out);
}
