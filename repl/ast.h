/* ast.h — the syntax tree the parser builds and the evaluator walks.
 *
 * One node type, ast_node, tagged by `kind`, with the kind's fields in the
 * union `as`.  Statements and expressions share the type: a block holds
 * statements, and an expression kind appearing directly in a block is an
 * expression statement (the evaluator prints its value at top level).
 *
 * Shape of a parsed program (parse_program in parser.h):
 *
 *   AST_BLOCK                      as.block: the statements, in order
 *
 * Expressions
 *   AST_NUMBER     2, 1.5, 1e-3    as.number.  `-1.5` is AST_UNARY(NEGATE, 1.5).
 *   AST_STRING     "a\tb"          as.string: decoded text, NUL-terminated
 *   AST_BOOL       true, false     as.boolean (True, False too)
 *   AST_NONE       none            no fields (None too)
 *   AST_ELLIPSIS   ...             no fields (Ellipsis too): the axes an index
 *                                  leaves alone, x[..., 2]; a value of its own
 *                                  for get_item(x, (..., 2))
 *   AST_NAME       x, pi, sin      as.name (pi and e are names: the evaluator
 *                                  resolves constants and built-ins)
 *   AST_LIST       [1, [2, 3]]     as.list: elements.  Nested lists of numbers
 *                                  are tensor literals; lists also carry shapes,
 *                                  axes, hooks=[...] and parameter lists.
 *   AST_UNARY      -x, +x, not x   as.unary.op (AST_OP_NEGATE, AST_OP_PLUS,
 *                                  AST_OP_NOT) and as.unary.operand
 *   AST_BINARY     a + b           as.binary.op, left, right; the node's
 *                                  position is left's, operator_line/column
 *                                  locate the operator itself
 *   AST_CALL       f(a, b, k=v)    as.call.callee, arguments (positional, in
 *                                  order), keywords (AST_KEYWORD, in order).
 *                                  A method call x.m(a) is an AST_CALL whose
 *                                  callee is AST_ATTRIBUTE(x, "m"); SPEC
 *                                  makes it the same as m(x, a).
 *   AST_KEYWORD    k=v             as.keyword.name, value; only in call.keywords
 *   AST_ATTRIBUTE  x.grad          as.attribute.object, name
 *   AST_INDEX      x[i, j]         as.index.object, indices (one or more;
 *                                  x[[0, 2]] has one index, an AST_LIST)
 *   AST_SLICE      a:b:c           as.slice.start, stop, step (each NULL when
 *                                  left out: x[:, 1], x[::2]); only as an
 *                                  index of AST_INDEX
 *
 * Statements
 *   AST_ASSIGN     x = e, x += e   as.assign.target (a name), op
 *                                  (AST_OP_NONE for '=', else ADD, SUBTRACT,
 *                                  MULTIPLY, DIVIDE), value
 *                  x.data = e      an attribute: as.assign.object is x and
 *                                  target the attribute's name
 *   AST_DEF        def f(a, b) = e as.def.name, parameters (AST_NAME nodes),
 *                  def f(a, k=2)   defaults (AST_KEYWORD nodes, one per
 *                                  parameter that has one, in order),
 *                  def f(a) { .. } body: an AST_BLOCK for the brace form,
 *                                  otherwise the single expression returned
 *   AST_FOR        for i in e {..} as.for_loop.variable, iterable, body (block)
 *                  for i, (a, b) in e {..}  as.for_loop.targets: the
 *                                  pattern (below), variable "" then; NULL
 *                                  for one name
 *   AST_UNPACK     a, b = e        as.unpack.targets (a pattern), value; a
 *                  a, b = e1, e2   bare tuple on the right is an AST_LIST
 *   AST_SET_ITEM   x[i] = e        as.set_item.target (the AST_INDEX x[i]),
 *                  x[i] += e       op (as AST_ASSIGN's), value
 *   AST_IF         if c {..} else if c2 {..} else {..}
 *                                  as.if_statement.conditions and .bodies
 *                                  (same length >= 1: the if and each else
 *                                  if, in order) and else_body (block or NULL)
 *   AST_NOGRAD     nograd {..}     as.scope.body (block)
 *   AST_TESTMODE   testmode {..}   as.scope.body (block)
 *   AST_BREAK, AST_CONTINUE        no fields (the parser checks they are in a loop)
 *   AST_RETURN     return [e]      as.return_statement.value, NULL without
 *                                  one (the parser checks it is in a def)
 *   AST_BLOCK      { s1; s2 }      as.block: the statements
 *   AST_WHILE      while c {..}    as.while_loop.condition, body (block)
 *
 * Patterns (the targets of AST_UNPACK and AST_FOR): an AST_LIST whose
 * items are AST_NAME nodes or patterns again, `i, (xb, tb)`.
 *
 * Positions: every node has the 1-based line and byte column of its first
 * token (a parenthesized expression: its '('), and source_start/source_end,
 * the byte range [start, end) of its text in the parsed source (0 for nodes
 * built by hand).  Trees from the parser are nested at most AST_MAX_HEIGHT
 * levels deep, where the left operand of a binary node that is itself a
 * binary node (a chain a + b - c ...) is not a level: a recursive walker
 * walks such a left spine in a loop and then needs at most that many levels
 * of recursion (eval_binary, constant_expression, the parser's check).
 *
 * Ownership: a node owns its children and strings; ast_free frees the whole
 * tree without recursion.  Constructors copy the strings they are given and
 * take ownership of the child nodes passed to them, freeing them on failure
 * (a NULL child makes the constructor return NULL too, so failures
 * propagate upward like tinyexpr's). */
#ifndef AST_H
#define AST_H

#include <stdbool.h>
#include <stddef.h>

/* The parser refuses trees nested deeper than this, chains not counted
 * (`expression nested too deeply`). */
#define AST_MAX_HEIGHT 1000

typedef enum ast_kind {
    AST_NUMBER,
    AST_STRING,
    AST_BOOL,
    AST_NONE,
    AST_ELLIPSIS,
    AST_NAME,
    AST_LIST,
    AST_UNARY,
    AST_BINARY,
    AST_CALL,
    AST_KEYWORD,
    AST_ATTRIBUTE,
    AST_INDEX,
    AST_SLICE,
    AST_ASSIGN,
    AST_DEF,
    AST_FOR,
    AST_IF,
    AST_NOGRAD,
    AST_TESTMODE,
    AST_BREAK,
    AST_CONTINUE,
    AST_RETURN,
    AST_BLOCK,
    AST_UNPACK,
    AST_SET_ITEM,
    AST_WHILE,
    AST_KIND_COUNT
} ast_kind;

typedef enum ast_operator {
    AST_OP_NONE, /* plain '=' in AST_ASSIGN */
    /* binary, loosest first */
    AST_OP_OR,
    AST_OP_AND,
    AST_OP_EQUAL,
    AST_OP_NOT_EQUAL,
    AST_OP_LESS,
    AST_OP_LESS_EQUAL,
    AST_OP_GREATER,
    AST_OP_GREATER_EQUAL,
    AST_OP_IS,     /* a is b: the same value (none is none) */
    AST_OP_IS_NOT,
    AST_OP_ADD,
    AST_OP_SUBTRACT,
    AST_OP_MULTIPLY,
    AST_OP_DIVIDE,
    AST_OP_MODULO,
    AST_OP_FLOOR_DIVIDE, /* a // b, floored as Python and torch.floor_divide */
    AST_OP_MATMUL,
    AST_OP_POWER,
    /* unary */
    AST_OP_NEGATE,
    AST_OP_PLUS,
    AST_OP_NOT,
    AST_OP_COUNT
} ast_operator;

typedef struct ast_node ast_node;

/* What the evaluator learnt about a node, kept for its next evaluation
 * (repl/eval.c, "memos"): where a name was found, which attribute or
 * built-in a name means.  Zero from the constructors; only the evaluator
 * reads and writes it (through a const node: it is a cache, not part of the
 * tree). */
typedef struct ast_memo {
    unsigned long generation; /* of the name tables when a binding was found; 0 = none */
    const void *session;      /* the session and the frame (NULL at top level) */
    const void *scope;        /*   it was found from */
    const void *owner;        /* the two as one (repl_internal.h, memo_valid): the frame, or
                               * the session's address + 1 at top level */
    const void *binding;      /* what was found: a bound value's slot, a built-in, ... */
    const char *key;          /* a frame's slot: the key it held (memo_valid; else NULL) */
    bool frame_free;          /* found past a frame that never binds the name (memo_valid) */
    double number;            /* a constant's value (pi, e) */
    int what;                 /* which of those: eval.c's memo_kind */
    unsigned long noted;      /* the statement (restore.c) in which the node noted */
    bool noted_in_place;      /*   its name for :save, and how */
} ast_memo;

/* A growable array of owned child nodes. */
typedef struct ast_list {
    ast_node **items;
    int count;
    size_t capacity;
} ast_list;

struct ast_node {
    ast_kind kind;
    int line;   /* 1-based line of the node's first token */
    int column; /* 1-based byte column of that token */
    size_t source_start, source_end; /* byte range in the parsed source */
    union {
        double number;
        char *string;
        bool boolean;
        char *name;
        ast_list list;
        struct {
            ast_operator op;
            ast_node *operand;
        } unary;
        struct {
            ast_operator op;
            ast_node *left, *right;
            int operator_line, operator_column;
        } binary;
        struct {
            ast_node *callee;
            ast_list arguments; /* positional, in source order */
            ast_list keywords;  /* AST_KEYWORD nodes, in source order */
        } call;
        struct {
            char *name;
            ast_node *value;
        } keyword;
        struct {
            ast_node *object;
            char *name;
        } attribute;
        struct {
            ast_node *object;
            ast_list indices;
        } index;
        struct {
            ast_node *start, *stop, *step;
        } slice;
        struct {
            char *target;     /* the name, or the attribute's name when object is set */
            ast_node *object; /* x of `x.data = e`, NULL for a name */
            ast_operator op;
            ast_node *value;
        } assign;
        struct {
            char *name;
            ast_list parameters; /* AST_NAME nodes */
            ast_list defaults;   /* AST_KEYWORD nodes: a parameter's default, `k=2` */
            ast_node *body;      /* AST_BLOCK, or the expression of `= e` */
        } def;
        struct {
            char *variable;    /* "" when targets is set */
            ast_node *targets; /* a pattern, or NULL for one name */
            ast_node *iterable;
            ast_node *body;
        } for_loop;
        struct {
            ast_node *targets; /* a pattern */
            ast_node *value;
        } unpack;
        struct {
            ast_node *target; /* the AST_INDEX */
            ast_operator op;
            ast_node *value;
        } set_item;
        struct {
            ast_node *condition;
            ast_node *body;
        } while_loop;
        struct {
            ast_list conditions;
            ast_list bodies;
            ast_node *else_body; /* NULL without else */
        } if_statement;
        struct {
            ast_node *body;
        } scope; /* AST_NOGRAD, AST_TESTMODE */
        struct {
            ast_node *value; /* NULL for a bare return */
        } return_statement;
        ast_list block;
    } as;
    ast_node *next_to_free; /* private to ast_free */
    ast_memo memo;          /* the evaluator's, see above */
    /* The evaluator's flat form of an arithmetic tree rooted here (eval_plan.c,
     * a plan): NULL until it is first evaluated; one malloc'd
     * block, freed with the node. */
    void *plan;
    int plan_state; /* 0 not tried, 1 plan holds one, 2 the tree has none */
};

/* A node of `kind` with every field zeroed (empty lists, NULL children);
 * NULL when memory runs out.  The specific constructors below are usually
 * more convenient. */
ast_node *ast_new(ast_kind kind, int line, int column);

/* Leaves.  Text arguments are `length` bytes, copied.  NULL on no memory. */
ast_node *ast_new_number(double value, int line, int column);
ast_node *ast_new_string(const char *text, size_t length, int line, int column);
ast_node *ast_new_bool(bool value, int line, int column);
ast_node *ast_new_name(const char *name, size_t length, int line, int column);

/* Inner nodes; they own the children passed in, and free them (returning
 * NULL) when a child is NULL or memory runs out.  Positions default to the
 * first child's where the syntax starts with it. */
ast_node *ast_new_unary(ast_operator op, ast_node *operand, int line, int column);
ast_node *ast_new_binary(ast_operator op, ast_node *left, ast_node *right, int operator_line,
                         int operator_column);
ast_node *ast_new_call(ast_node *callee); /* arguments appended afterwards */
ast_node *ast_new_keyword(const char *name, size_t length, ast_node *value, int line, int column);
ast_node *ast_new_attribute(ast_node *object, const char *name, size_t length);
ast_node *ast_new_index(ast_node *object); /* indices appended afterwards */
ast_node *ast_new_assign(const char *target, size_t length, ast_operator op, ast_node *value,
                         int line, int column);
/* A def with no parameters and no body yet (append parameters, set body). */
ast_node *ast_new_def(const char *name, size_t length, int line, int column);
/* A for loop without its body yet (set as.for_loop.body). */
ast_node *ast_new_for(const char *variable, size_t length, ast_node *iterable, int line,
                      int column);

/* Appends `item` to `list`, taking ownership.  Returns false (and frees
 * item) when item is NULL or memory runs out. */
bool ast_list_append(ast_list *list, ast_node *item);

/* Frees a node and everything below it, iteratively (any depth).  NULL is a no-op. */
void ast_free(ast_node *node);

/* Uniform view of a node's children, for generic walkers (NULL children of
 * optional slots are skipped).  Order: the source order of the syntax, e.g.
 * call: callee, arguments, keywords; if: condition, body, ..., else body. */
int ast_child_count(const ast_node *node);
ast_node *ast_child(const ast_node *node, int index);

/* Names for messages and debugging: "binary", "+", "not".  Never NULL. */
const char *ast_kind_name(ast_kind kind);
const char *ast_operator_symbol(ast_operator op);

/* An S-expression of the tree, owned by the caller (NULL on no memory):
 *   number 1.5 | "string" | true | x | (list 1 2) | (- x) | (+ a b)
 *   (call f a k=v) | (. x grad) | (index x i j) | (= x e) | (+= x e)
 *   (def f (a b) body) | (for i e body) | (for (list i (list a b)) e body)
 *   (unpack (list a b) e) | (set (index x i) e) | (+= (index x i) e) | (while c body)
 *   (if c body (elif c body) (else body))
 *   (nograd body) | (testmode body) | (break) | (continue) | (return [e])
 *   (block s1 s2)
 * Numbers print as the shortest text that reads back to the same double. */
char *ast_to_sexpr(const ast_node *node);

#endif
