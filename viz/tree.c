/* tree.c — the computation graph as indented text (see viz_graph_tree).
 *
 * Each line is a variable; its children are the inputs of the function that
 * made it, so a line reads "this value ← came from this op applied to the
 * lines below".  The traversal is depth-first with an explicit stack (a chain
 * of any length cannot overflow the C stack) over the same walk the DOT
 * renderer draws, so the tree and the picture show the same nodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "array.h"
#include "graph.h"

#define VALUE_LEN 128
#define LABEL_LEN 128

/* The index of f's next input at or after k, or -1. */
static int next_input(ag_func *f, int k) {
    for (; k < ag_func_ninputs(f); k++)
        if (ag_func_input(f, k) != NULL) return k;
    return -1;
}

/* A function whose inputs are being listed; prefix_length is where its
 * children's indentation ends in the shared prefix buffer. */
typedef struct frame {
    size_t func;  /* or the group, when group is set */
    bool group;
    int next_input;
    size_t prefix_length;
} frame;

typedef struct tree {
    const viz_walk *walk;
    const viz_graph_opts *opts;
    strbuf out;
    strbuf prefix; /* "│   " and "    " segments of the current line */
    bool *printed;   /* per walk variable */
    bool *expanded;  /* per walk function */
    bool *box_listed; /* per group: its inputs were listed */
    /* per group g: the parameters folded into it (a layer's w and b),
     * box_params[box_params_start[g] .. box_params_start[g + 1]), its
     * children after its inputs */
    size_t *box_params, *box_params_start;
    frame *stack;
    size_t depth, capacity;
} tree;

/* "x = 1", "0.8414709848078965", "x", or "variable" when there is nothing else to say.
 * (Names, titles and labels may have come from a file or a user: every one
 * is appended printable, control characters shown as '?', as text_printable
 * shows them, so that printing the tree never drives the terminal.) */
static void append_name_and_value(tree *t, ag_var *v) {
    const char *name = viz_var_name(t->opts, v);
    char value[VALUE_LEN];
    if (name[0] != '\0') strbuf_append_printable(&t->out, name);
    if (t->opts->values) {
        viz_format_value(v, t->opts->digits, value, sizeof value);
        if (name[0] != '\0') strbuf_append(&t->out, " = ");
        strbuf_append(&t->out, value);
    } else if (name[0] == '\0') {
        strbuf_append(&t->out, "variable");
    }
}

/* "x (see above)": enough to find the line it refers to. */
static void append_reference(tree *t, ag_var *v) {
    char value[VALUE_LEN];
    const char *name = viz_var_name(t->opts, v);
    if (name[0] != '\0') {
        strbuf_append_printable(&t->out, name);
    } else if (t->opts->values) {
        viz_format_value(v, t->opts->digits, value, sizeof value);
        strbuf_append(&t->out, value);
    } else {
        strbuf_append(&t->out, "variable");
    }
    strbuf_append(&t->out, " (see above)");
}

static bool push(tree *t, size_t func, bool group) {
    if (!ARRAY_RESERVE(t->stack, t->capacity, t->depth, 1)) return false;
    if (group) t->box_listed[func] = true;
    else t->expanded[func] = true;
    t->stack[t->depth++] = (frame){func, group, 0, t->prefix.length};
    return true;
}

/* Prints v's line after the connector already written, then arranges for
 * its children: pushes its creator, or prints the "…" of a cut. */
static bool visit(tree *t, size_t index) {
    ag_var *v = t->walk->vars[index];
    if (t->printed[index]) {
        append_reference(t, v);
        strbuf_append(&t->out, "\n");
        return true;
    }
    t->printed[index] = true;
    append_name_and_value(t, v);
    if (ag_var_flags(v) & AG_VAR_SEED) strbuf_append(&t->out, " (seed: dy/dy)");
    if (t->opts->grads && !(ag_var_flags(v) & AG_VAR_CONST)) {
        char value[VALUE_LEN];
        ag_var *grad = ag_grad(v);
        const double *flow = t->opts->kept_only ? NULL : ag_last_grad(v);
        if (grad == NULL && flow != NULL) { /* passed by the last backward, not kept */
            viz_format_numbers(v, flow, t->opts->digits, value, sizeof value);
            strbuf_appendf(&t->out, " (grad⁺ %s)", value);
        } else if (grad == NULL) {
            strbuf_append(&t->out, " (grad: none)");
        } else {
            viz_format_value(grad, t->opts->digits, value, sizeof value);
            int calls = VIZ_SUMMED_CALLS(v);
            if (calls > 1)
                strbuf_appendf(&t->out, " (grad %s, ⚠ " VIZ_SUMMED_FMT ")", value, calls);
            else
                strbuf_appendf(&t->out, " (grad %s)", value);
        }
    }
    const char *mark = viz_mark_of(t->opts, v);
    if (mark != NULL) {
        strbuf_append(&t->out, " ");
        strbuf_append_printable(&t->out, mark);
    }
    ag_func *creator = ag_creator(v);
    size_t func = creator ? viz_walk_find(t->walk, creator) : VIZ_NOT_DRAWN;
    int box = func != VIZ_NOT_DRAWN ? viz_walk_func_folded(t->walk, func) : -1;
    if (box >= 0) { /* made in a folded call or layer: its inputs are the children */
        strbuf_append(&t->out, " ← [");
        strbuf_append_printable(&t->out, viz_group_title(t->walk, t->opts, (size_t)box));
        strbuf_append(&t->out, "]");
        if (t->box_listed[box]) strbuf_append(&t->out, " (see above)");
        strbuf_append(&t->out, "\n");
        return t->box_listed[box] ? true : push(t, (size_t)box, true);
    }
    if (func != VIZ_NOT_DRAWN) {
        char label[LABEL_LEN];
        strbuf_append(&t->out, " ← ");
        strbuf_append_printable(&t->out, ag_func_label(creator, label, sizeof label));
        if (creator == t->opts->active) strbuf_append(&t->out, " ◀ in progress");
        if (t->expanded[func]) strbuf_append(&t->out, " (see above)");
    }
    strbuf_append(&t->out, "\n");
    if (t->walk->cut[index]) {
        strbuf_appendf(&t->out, "%s└── …\n", t->prefix.data ? t->prefix.data : "");
    } else if (func != VIZ_NOT_DRAWN && !t->expanded[func]) {
        return push(t, func, false);
    }
    return true;
}

/* The next child of frame top at or after k: its function's input index,
 * or its group's input position; -1 when none is left. */
static int next_child(const tree *t, const frame *top, int k) {
    if (top->group) {
        size_t count = t->walk->inputs_start[top->func + 1] - t->walk->inputs_start[top->func] +
                       t->box_params_start[top->func + 1] - t->box_params_start[top->func];
        return (size_t)k < count ? k : -1;
    }
    return next_input(t->walk->funcs[top->func], k);
}


static bool draw(tree *t) {
    if (t->opts->title && t->opts->title[0]) {
        strbuf_append_printable(&t->out, t->opts->title);
        strbuf_append(&t->out, "\n");
    }
    strbuf_append(&t->prefix, "");
    if (!visit(t, 0)) return false; /* y */
    while (t->depth > 0) {
        frame *top = &t->stack[t->depth - 1];
        int k = next_child(t, top, top->next_input);
        if (k < 0) {
            t->depth--;
            continue;
        }
        top->next_input = k + 1;
        bool last = next_child(t, top, k + 1) < 0;
        t->prefix.length = top->prefix_length;
        t->prefix.data[t->prefix.length] = '\0';
        strbuf_appendf(&t->out, "%s%s", t->prefix.data, last ? "└── " : "├── ");
        size_t child;
        if (top->group) {
            size_t inputs = t->walk->inputs_start[top->func + 1] - t->walk->inputs_start[top->func];
            child = (size_t)k < inputs ? t->walk->group_inputs[t->walk->inputs_start[top->func] + (size_t)k]
                                       : t->box_params[t->box_params_start[top->func] + (size_t)k - inputs];
        } else {
            ag_func *f = t->walk->funcs[top->func];
            const char *operand = viz_operand_role(f, k);
            if (operand != NULL) {
                strbuf_append_printable(&t->out, operand);
                strbuf_append(&t->out, ": ");
            }
            child = viz_walk_input(t->walk, top->func, k);
        }
        strbuf_append(&t->prefix, last ? "    " : "│   ");
        if (!visit(t, child)) return false;
    }
    return !t->prefix.failed;
}

/* Fills t's box_params (above); false when out of memory. */
static bool find_box_params(tree *t) {
    const viz_walk *w = t->walk;
    t->box_params_start = calloc(w->ngroups + 1, sizeof *t->box_params_start);
    t->box_params = malloc((w->nvars ? w->nvars : 1) * sizeof *t->box_params);
    if (t->box_params_start == NULL || t->box_params == NULL) return false;
    for (size_t i = 1; i < w->nvars; i++) { /* never the output */
        int g = viz_walk_var_folded(w, i);
        if (g >= 0 && ag_creator(w->vars[i]) == NULL && (ag_var_flags(w->vars[i]) & AG_VAR_PARAM))
            t->box_params_start[g + 1]++;
    }
    for (size_t g = 0; g < w->ngroups; g++) t->box_params_start[g + 1] += t->box_params_start[g];
    size_t *next = calloc(w->ngroups ? w->ngroups : 1, sizeof *next);
    if (next == NULL) return false;
    for (size_t i = 1; i < w->nvars; i++) {
        int g = viz_walk_var_folded(w, i);
        if (g >= 0 && ag_creator(w->vars[i]) == NULL && (ag_var_flags(w->vars[i]) & AG_VAR_PARAM))
            t->box_params[t->box_params_start[g] + next[g]++] = i;
    }
    free(next);
    return true;
}

char *viz_graph_tree(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
    viz_graph_opts defaults;
    if (o == NULL) viz_graph_opts_default(&defaults), o = &defaults;
    viz_graph_opts limited = *o; /* no layout: the text keeps the old default limit */
    if (limited.max_nodes <= 0) limited.max_nodes = VIZ_DEFAULT_MAX_NODES;
    viz_walk walk;
    if (viz_walk_build(&walk, y, &limited, err) != 0) {
        viz_walk_free(&walk);
        return NULL;
    }
    tree t = {.walk = &walk, .opts = o};
    t.printed = calloc(walk.nvars, sizeof *t.printed);
    t.expanded = calloc(walk.nfuncs ? walk.nfuncs : 1, sizeof *t.expanded);
    t.box_listed = calloc(walk.ngroups ? walk.ngroups : 1, sizeof *t.box_listed);
    bool ok = t.printed != NULL && t.expanded != NULL && t.box_listed != NULL && find_box_params(&t) && draw(&t);
    char *text = strbuf_take(&t.out);
    free(strbuf_take(&t.prefix));
    free(t.printed);
    free(t.expanded);
    free(t.box_listed);
    free(t.box_params);
    free(t.box_params_start);
    free(t.stack);
    viz_walk_free(&walk);
    if (!ok || text == NULL) {
        free(text);
        snprintf(err, VIZ_ERRLEN, "out of memory while drawing the tree");
        return NULL;
    }
    return text;
}
