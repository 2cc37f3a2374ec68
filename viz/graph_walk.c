/* graph_walk.c — the walk below an output that every drawing of a graph
 * starts from (graph.c's DOT and pictures, tree.c, the window's scene): the
 * variables and functions breadth-first from the output, so that `depth=`
 * cuts by the shortest distance (the function array doubles as the queue);
 * the groups (def calls, model layers) and which are folded; the edges as
 * drawn.  No Graphviz here. */
#include "graph.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_ops.h"
#include "array.h"
#include "graph_internal.h"

/* ---- walk --------------------------------------------------------------- */

size_t viz_walk_find(const viz_walk *w, const void *p) { return ptrmap_get(&w->index, p); }

size_t viz_walk_input(const viz_walk *w, size_t i, int k) { return w->slot_node[w->slot_start[i] + (size_t)k]; }

void viz_walk_free(viz_walk *w) {
    free(w->vars);
    free(w->cut);
    free(w->vars_distance);
    free(w->funcs);
    free(w->funcs_distance);
    free(w->func_group);
    free(w->var_group);
    free(w->group_tags);
    free(w->group_folded);
    for (size_t g = 0; w->group_params != NULL && g < w->ngroups; g++) free(w->group_params[g]);
    free(w->group_params);
    free(w->inputs_start);
    free(w->group_inputs);
    free(w->slot_start);
    free(w->slot_node);
    ptrmap_free(&w->index);
    *w = (viz_walk){0};
}

/* Appends a node for v (indexed by v when `indexed`); false when out of memory. */
static bool walk_append_var(viz_walk *w, ag_var *v, int distance, bool indexed) {
    if (!ARRAY_RESERVE(w->vars, w->vars_capacity, w->nvars, 1) ||
        !ARRAY_RESERVE(w->cut, w->cut_capacity, w->nvars, 1) ||
        !ARRAY_RESERVE(w->vars_distance, w->vars_distance_capacity, w->nvars, 1))
        return false;
    if (indexed && !ptrmap_put(&w->index, v, w->nvars)) return false;
    w->vars[w->nvars] = v;
    w->cut[w->nvars] = false;
    w->vars_distance[w->nvars] = distance;
    w->nvars++;
    return true;
}

/* Adds v unless already present; false when out of memory. */
static bool walk_add_var(viz_walk *w, ag_var *v, int distance) {
    return ptrmap_get(&w->index, v) != VIZ_NOT_DRAWN || walk_append_var(w, v, distance, true);
}

/* Whether x, read by a function met before, gets a node of its own there:
 * an unnamed constant leaf of no dimensions.  A loop's literal is one such
 * variable (repl/eval.c, pooled_constant), and drawn once with an edge to
 * every step's op it would pull the steps together into a tangle.  A named
 * constant (x of `x, t = moons(100)`: data) is drawn once with an edge to
 * each function that reads it, as any named variable. */
static bool copied_per_reader(const ag_var *x) {
    return (ag_var_flags(x) & AG_VAR_CONST) && ag_creator(x) == NULL && ag_ndim(x) == 0 && ag_name(x)[0] == '\0';
}

/* Adds the node for input k of function i (whose inputs before k have
 * theirs; vars_before: how many nodes there were before its first) and
 * records it.  A literal read by a function met before gets a node of its
 * own here (copied_per_reader).  The same input twice in one function
 * (2 * 2) is one node with two edges, as x*x is.  False when out of
 * memory. */
static bool walk_add_input(viz_walk *w, size_t i, int k, ag_var *x, int distance, size_t vars_before) {
    if (!ARRAY_RESERVE(w->slot_node, w->slot_node_capacity, w->nslots, 1)) return false;
    size_t node = x != NULL ? ptrmap_get(&w->index, x) : VIZ_NOT_DRAWN;
    if (x != NULL && node == VIZ_NOT_DRAWN) {
        if (!walk_append_var(w, x, distance, true)) return false;
        node = w->nvars - 1;
    } else if (node != VIZ_NOT_DRAWN && node < vars_before && node != 0 && copied_per_reader(x)) {
        /* drawn for a function met before: this function's own copy, made
         * by an earlier input of it or here */
        size_t first = w->slot_start[i], copy = VIZ_NOT_DRAWN;
        for (int j = 0; j < k && copy == VIZ_NOT_DRAWN; j++)
            if (ag_func_input(w->funcs[i], j) == x) copy = w->slot_node[first + (size_t)j];
        if (copy == VIZ_NOT_DRAWN) {
            if (!walk_append_var(w, x, distance, false)) return false;
            copy = w->nvars - 1;
        }
        node = copy;
    }
    w->slot_node[w->nslots++] = node;
    return true;
}

static bool walk_add_func(viz_walk *w, ag_func *f, int distance) {
    if (!ARRAY_RESERVE(w->funcs, w->funcs_capacity, w->nfuncs, 1) ||
        !ARRAY_RESERVE(w->funcs_distance, w->funcs_distance_capacity, w->nfuncs, 1))
        return false;
    if (!ptrmap_put(&w->index, f, w->nfuncs)) return false;
    w->funcs[w->nfuncs] = f;
    w->funcs_distance[w->nfuncs] = distance;
    w->nfuncs++;
    return true;
}

/* The number of nodes a walk with depth `depth` would draw, for every depth
 * at once, from this (deeper) walk: functions and variables are drawn when
 * their distance is at most depth, and a cut marker when a drawn variable's creator
 * lies beyond it.  Returns the largest depth >= 1 that fits under limit, or 0. */
static int depth_that_fits(const viz_walk *w, size_t limit) {
    int deepest = 0;
    for (size_t i = 0; i < w->nfuncs; i++)
        if (w->funcs_distance[i] > deepest) deepest = w->funcs_distance[i];
    /* count[d] = nodes first drawn at depth d, including cut markers opened at d
     * minus cut markers closed at d (their creator becomes drawn). */
    long *count = calloc((size_t)deepest + 2, sizeof *count);
    if (count == NULL) return 0;
    for (size_t i = 0; i < w->nfuncs; i++) count[w->funcs_distance[i]]++;
    for (size_t i = 0; i < w->nvars; i++) {
        int distance = w->vars_distance[i];
        count[distance]++;
        ag_func *creator = ag_creator(w->vars[i]);
        if (creator == NULL) continue;
        size_t f = ptrmap_get(&w->index, creator);
        int creator_distance = f == VIZ_NOT_DRAWN ? deepest + 1 : w->funcs_distance[f];
        if (creator_distance > distance) {
            count[distance]++;
            count[creator_distance]--;
        }
    }
    int best = 0;
    long total = 0;
    for (int d = 0; d <= deepest; d++) {
        total += count[d];
        if (d >= 1 && total <= (long)limit) best = d;
    }
    free(count);
    return best;
}

const char *viz_var_name(const viz_graph_opts *o, const ag_var *v) {
    const char *path = o != NULL && o->var_path != NULL ? o->var_path(o->notes_user, v) : NULL;
    return path != NULL ? path : ag_name(v);
}

bool viz_group_is_params(const viz_walk *w, size_t g) {
    return w->group_params != NULL && w->group_params[g] != NULL && !(g >= w->data_start && g < w->data_end);
}

const char *viz_group_title(const viz_walk *w, const viz_graph_opts *o, size_t g) {
    if (w->group_params != NULL && w->group_params[g] != NULL) return w->group_params[g];
    const char *title = o->group_title != NULL ? o->group_title(o->notes_user, w->group_tags[g]) : NULL;
    return title != NULL ? title : "";
}

/* A convolution: DeZero's conv2d is Im2col, then the product with the
 * weight flattened (Reshape of its (OC, C, kH, kW) to 2-D), then the
 * result back in image order; images that are data leave no Im2col (data
 * in, data out records nothing), so the flattened 4-D weight read by a
 * Linear tells it too. */
const char *viz_group_kind(const viz_walk *w, size_t g) {
    bool linear = false, flat_weight = false;
    for (size_t i = 0; i < w->nfuncs; i++) {
        if (w->func_group == NULL || w->func_group[i] != (int)g) continue;
        ag_func *f = w->funcs[i];
        int op = ag_func_op(f);
        if (op == AG_OP_IM2COL) return "Conv2d";
        linear = linear || op == AG_OP_LINEAR;
        ag_var *x = op == AG_OP_RESHAPE ? ag_func_input(f, 0) : NULL, *y = ag_func_output(f, 0);
        flat_weight = flat_weight || (x != NULL && ag_creator(x) == NULL && ag_ndim(x) == 4 && y != NULL &&
                                      ag_ndim(y) == 2);
    }
    return linear && flat_weight ? "Conv2d" : NULL;
}

int viz_walk_func_folded(const viz_walk *w, size_t i) {
    if (w->func_group == NULL) return -1;
    int g = w->func_group[i];
    return g >= 0 && w->group_folded[g] ? g : -1;
}

int viz_walk_var_folded(const viz_walk *w, size_t i) {
    if (i == 0 || w->var_group == NULL) return -1; /* the output is always drawn */
    int g = w->var_group[i];
    return g >= 0 && w->group_folded[g] ? g : -1;
}

/* readers[i]: the group of every drawn function that reads variable i (-1
 * for functions in no group); READ_BY_NONE when none reads it, and
 * READ_BY_SEVERAL when functions of different groups do. */
enum { READ_BY_NONE = -2, READ_BY_SEVERAL = -3 };
static void find_readers(const viz_walk *w, int *readers) {
    for (size_t i = 0; i < w->nvars; i++) readers[i] = READ_BY_NONE;
    for (size_t f = 0; f < w->nfuncs; f++)
        for (int k = 0; k < ag_func_ninputs(w->funcs[f]); k++) {
            size_t xi = viz_walk_input(w, f, k);
            if (xi == VIZ_NOT_DRAWN) continue;
            int g = w->func_group[f];
            readers[xi] = readers[xi] == READ_BY_NONE || readers[xi] == g ? g : READ_BY_SEVERAL;
        }
}

/* Each variable's group: its creator's; for a literal (the 100 of a def's
 * body) or a parameter (a layer's w) with no creator, the group of the
 * functions that read it when they are all in one group; else -1.  Data
 * (AG_VAR_DATA) joins only a data group: a layer reads it from outside. */
static bool find_var_groups(viz_walk *w) {
    w->var_group = malloc((w->nvars ? w->nvars : 1) * sizeof *w->var_group);
    if (w->var_group == NULL) return false;
    for (size_t i = 0; i < w->nvars; i++) {
        ag_func *creator = ag_creator(w->vars[i]);
        size_t f = creator != NULL ? ptrmap_get(&w->index, creator) : VIZ_NOT_DRAWN;
        w->var_group[i] = f != VIZ_NOT_DRAWN ? w->func_group[f] : -1;
    }
    int *readers = malloc((w->nvars ? w->nvars : 1) * sizeof *readers);
    if (readers == NULL) return false;
    find_readers(w, readers);
    for (size_t i = 1; i < w->nvars; i++) { /* never the output */
        unsigned flags = ag_var_flags(w->vars[i]);
        /* a parameter or a literal (the 3 of a def's y * 3, a mask its op
         * made) goes in the box of the functions that read it; data stays
         * outside, as the input it is, named (x of `x, t = moons(100)`) or
         * not (the minibatch x[0:8] or batches(...) gives a layer) */
        bool inner = (flags & AG_VAR_PARAM) ||
                     ((flags & AG_VAR_CONST) && !(flags & AG_VAR_DATA) && ag_name(w->vars[i])[0] == '\0');
        if (ag_creator(w->vars[i]) == NULL && !w->cut[i] && readers[i] >= 0 &&
            (inner || ((size_t)readers[i] >= w->data_start && (size_t)readers[i] < w->data_end)))
            w->var_group[i] = readers[i]; /* a data group's leaves too: t, a random draw */
    }
    free(readers);
    return true;
}

bool viz_op_is_view(int op) {
    return op == AG_OP_GET_ITEM || op == AG_OP_RESHAPE || op == AG_OP_TRANSPOSE || op == AG_OP_SQUEEZE ||
           op == AG_OP_UNSQUEEZE;
}

/* A view made outside any group whose result only one group reads (the
 * x[[i]] a loop feeds to an LSTM's step i) is drawn in that group: folded,
 * the step's box reads x itself rather than a GetItem and its result of
 * its own.  Repeated so a chain of views (reshape, then index) goes in
 * whole.  False when out of memory. */
static bool absorb_views(viz_walk *w) {
    int *readers = malloc((w->nvars ? w->nvars : 1) * sizeof *readers);
    if (readers == NULL) return false;
    for (bool changed = true; changed;) {
        changed = false;
        find_readers(w, readers);
        for (size_t f = 0; f < w->nfuncs; f++) {
            ag_func *fn = w->funcs[f];
            if (w->func_group[f] >= 0 || !viz_op_is_view(ag_func_op(fn)) || ag_func_noutputs(fn) != 1) continue;
            ag_var *out = ag_func_output(fn, 0);
            size_t oi = out != NULL ? viz_walk_find(w, out) : VIZ_NOT_DRAWN;
            if (oi == VIZ_NOT_DRAWN || oi == 0 || readers[oi] < 0) continue;
            w->func_group[f] = readers[oi];
            changed = true;
        }
    }
    free(readers);
    return true;
}

/* A new group that no call made (data, a layer's parameters), titled
 * name + suffix: its number in *g. */
static bool add_titled_group(viz_walk *w, const char *name, const char *suffix, size_t *g) {
    size_t n = w->ngroups, length = strlen(name) + strlen(suffix) + 1;
    if (!ARRAY_RESERVE(w->group_tags, w->group_tags_capacity, n, 1) ||
        !ARRAY_RESERVE(w->group_folded, w->group_folded_capacity, n, 1) ||
        !ARRAY_RESERVE(w->group_params, w->group_params_capacity, n, 1) ||
        (w->group_params[n] = malloc(length)) == NULL)
        return false;
    snprintf(w->group_params[n], length, "%s%s", name, suffix);
    w->group_tags[n] = 0;
    w->group_folded[n] = false;
    *g = w->ngroups++;
    return true;
}

/* The data the layers read, made in the graph from no parameter (the
 * lesson's wave = reshape(sin(t) + noise): eight ops and four leaves above
 * the steps), goes in a group of its own per variable, "wave (data)":
 * folded, one box.  A variable qualifies when a function of a group reads
 * it and every function it comes from is drawn, in no group, and reads no
 * parameter; at least two of them.  Variables nearer the output first, so
 * data made from other data is one box.  False when out of memory. */
static bool find_data_groups(viz_walk *w) {
    w->data_start = w->data_end = w->ngroups;
    if (w->ngroups == 0) return true;
    bool *read_by_group = calloc(w->nvars ? w->nvars : 1, sizeof *read_by_group);
    size_t *stack = malloc((w->nfuncs ? w->nfuncs : 1) * sizeof *stack);
    unsigned *seen = calloc(w->nfuncs ? w->nfuncs : 1, sizeof *seen); /* the candidate that last saw it */
    bool ok = read_by_group != NULL && stack != NULL && seen != NULL;
    for (size_t f = 0; ok && f < w->nfuncs; f++)
        for (int k = 0; k < ag_func_ninputs(w->funcs[f]) && w->func_group[f] >= 0; k++) {
            size_t xi = viz_walk_input(w, f, k);
            if (xi != VIZ_NOT_DRAWN) read_by_group[xi] = true;
        }
    for (size_t i = 1; ok && i < w->nvars; i++) {
        ag_func *creator = ag_creator(w->vars[i]);
        size_t top = creator != NULL ? ptrmap_get(&w->index, creator) : VIZ_NOT_DRAWN;
        if (!read_by_group[i] || w->cut[i] || top == VIZ_NOT_DRAWN || w->func_group[top] >= 0) continue;
        /* every function the variable comes from */
        size_t n = 0, count = 0;
        bool data = true;
        unsigned mark = (unsigned)i;
        stack[n++] = top;
        seen[top] = mark;
        while (n > 0 && data) {
            size_t f = stack[--n];
            count++;
            for (int k = 0; k < ag_func_ninputs(w->funcs[f]) && data; k++) {
                ag_var *x = ag_func_input(w->funcs[f], k);
                size_t xi = viz_walk_input(w, f, k);
                if (xi == VIZ_NOT_DRAWN || w->cut[xi]) {
                    data = false;
                    break;
                }
                ag_func *c = ag_creator(x);
                if (c == NULL) {
                    data = !(ag_var_flags(x) & AG_VAR_PARAM);
                    continue;
                }
                size_t cf = ptrmap_get(&w->index, c);
                data = cf != VIZ_NOT_DRAWN && w->func_group[cf] < 0;
                if (data && seen[cf] != mark) seen[cf] = mark, stack[n++] = cf;
            }
        }
        if (!data || count < 2) continue;
        const char *name = ag_name(w->vars[i]);
        size_t g;
        if (!(ok = add_titled_group(w, name, name[0] ? " (data)" : "data", &g))) break;
        for (size_t f = 0; f < w->nfuncs; f++)
            if (seen[f] == mark) w->func_group[f] = (int)g;
    }
    w->data_end = w->ngroups;
    free(read_by_group);
    free(stack);
    free(seen);
    return ok;
}

/* The layer a group belongs to: its title up to the first space
 * ("model.lstm step 3" → "model.lstm"). */
static size_t layer_length(const char *title) { return strcspn(title, " "); }

/* The parameters several calls of one layer share (an LSTM's weights, read
 * by every time step; a linear layer called once a step) go in a group of
 * their own per layer, "model.lstm parameters": folded, one box with one
 * edge to each call instead of one edge per weight per call, the edges that
 * crossed the steps' boxes.  A parameter goes there when every function
 * that reads it is in a call of that layer and its path (var_path) is
 * inside the layer's ("model.lstm.x2f.w").  False when out of memory. */
static bool find_param_groups(viz_walk *w, const viz_graph_opts *o) {
    if (o->var_path == NULL || w->ngroups == 0) return true;
    size_t ncalls = w->ngroups;
    /* each call's layer, numbered by its first call */
    size_t *layer = malloc(ncalls * sizeof *layer);
    char **names = calloc(ncalls, sizeof *names);
    size_t *param_group = malloc(ncalls * sizeof *param_group);
    const size_t unset = SIZE_MAX, mixed = SIZE_MAX - 1;
    size_t *reader = malloc((w->nvars ? w->nvars : 1) * sizeof *reader); /* per variable: its layer */
    bool ok = layer != NULL && names != NULL && param_group != NULL && reader != NULL;
    for (size_t g = 0; g < ncalls && ok; g++) {
        const char *title = viz_group_title(w, o, g);
        size_t n = layer_length(title);
        layer[g] = g;
        for (size_t h = 0; h < g; h++)
            if (names[h] != NULL && strlen(names[h]) == n && strncmp(names[h], title, n) == 0) {
                layer[g] = h;
                break;
            }
        param_group[g] = unset;
        if (layer[g] == g) ok = (names[g] = strndup(title, n)) != NULL;
    }
    for (size_t i = 0; ok && i < w->nvars; i++) reader[i] = unset;
    for (size_t f = 0; ok && f < w->nfuncs; f++)
        for (int k = 0; k < ag_func_ninputs(w->funcs[f]); k++) {
            size_t xi = viz_walk_input(w, f, k);
            if (xi == VIZ_NOT_DRAWN) continue;
            size_t l = w->func_group[f] >= 0 ? layer[w->func_group[f]] : mixed;
            reader[xi] = reader[xi] == unset || reader[xi] == l ? l : mixed;
        }
    /* calls per layer: a weight only one of several calls reads (an LSTM's
     * h2f.w, first read at step 2) is the layer's all the same, so its box
     * lists every weight (it said 6 parameters of an LSTM's 12) */
    size_t *calls = calloc(ncalls ? ncalls : 1, sizeof *calls);
    ok = ok && calls != NULL;
    for (size_t g = 0; ok && g < ncalls; g++) calls[layer[g]]++;
    for (size_t i = 1; ok && i < w->nvars; i++) {
        ag_var *v = w->vars[i];
        if (w->cut[i] || ag_creator(v) != NULL || !(ag_var_flags(v) & AG_VAR_PARAM) || reader[i] >= mixed) continue;
        int in = w->var_group[i];
        if (in >= 0 && !((size_t)in < ncalls && layer[in] == reader[i] && calls[reader[i]] >= 2)) continue;
        size_t l = reader[i];
        const char *path = o->var_path(o->notes_user, v);
        size_t n = strlen(names[l]);
        if (path == NULL || n == 0 || strncmp(path, names[l], n) != 0 || path[n] != '.') continue;
        if (param_group[l] == unset) {
            size_t g;
            if (!(ok = add_titled_group(w, names[l], " parameters", &g))) break;
            param_group[l] = g;
        }
        w->var_group[i] = (int)param_group[l];
    }
    for (size_t g = 0; names != NULL && g < ncalls; g++) free(names[g]);
    free(names);
    free(calls);
    free(layer);
    free(param_group);
    free(reader);
    return ok;
}

static size_t var_source(const viz_walk *w, size_t i) {
    int g = viz_walk_var_folded(w, i);
    return g < 0 ? i : w->nvars + w->nfuncs + (size_t)g;
}

bool viz_walk_each_edge(const viz_walk *w, viz_edge_fn edge, void *user) {
    size_t boxes = w->nvars + w->nfuncs;
    for (size_t i = 0; i < w->nfuncs; i++) {
        if (viz_walk_func_folded(w, i) >= 0) continue;
        ag_func *f = w->funcs[i];
        for (int k = 0; k < ag_func_ninputs(f); k++) {
            if (viz_walk_input(w, i, k) == VIZ_NOT_DRAWN) continue;
            size_t from = var_source(w, viz_walk_input(w, i, k));
            bool repeat = false; /* one edge per box, however many of its variables */
            for (int j = 0; j < k && from >= boxes && !repeat; j++)
                repeat = viz_walk_input(w, i, j) != VIZ_NOT_DRAWN && var_source(w, viz_walk_input(w, i, j)) == from;
            if (!repeat && !edge(user, from, w->nvars + i, from >= boxes ? NULL : viz_operand_role(f, k)))
                return false;
        }
        for (int k = 0; k < ag_func_noutputs(f); k++) {
            ag_var *out = ag_func_output(f, k);
            if (out != NULL && !edge(user, w->nvars + i, viz_walk_find(w, out), NULL)) return false;
        }
    }
    for (size_t g = 0; g < w->ngroups; g++) {
        if (!w->group_folded[g]) continue;
        for (size_t j = w->inputs_start[g]; j < w->inputs_start[g + 1]; j++) {
            size_t from = var_source(w, w->group_inputs[j]);
            bool repeat = false;
            for (size_t k = w->inputs_start[g]; k < j && from >= boxes && !repeat; k++)
                repeat = var_source(w, w->group_inputs[k]) == from;
            if (!repeat && !edge(user, from, boxes + g, NULL)) return false;
        }
        if (viz_walk_var_folded(w, 0) < 0 && ag_creator(w->vars[0]) != NULL) {
            size_t f = ptrmap_get(&w->index, ag_creator(w->vars[0]));
            if (f != VIZ_NOT_DRAWN && w->func_group[f] == (int)g && !edge(user, boxes + g, 0, NULL))
                return false;
        }
    }
    for (size_t i = 0; i < w->nvars; i++)
        if (w->cut[i] && !edge(user, boxes + w->ngroups + i, i, NULL)) return false;
    return true;
}

static bool count_edge(void *user, size_t from, size_t to, const char *operand) {
    (void)from, (void)to, (void)operand;
    (*(size_t *)user)++;
    return true;
}

/* Finds the groups of w's functions, decides which are folded (o->fold,
 * o->unfolded) and counts what is drawn.  False when out of memory. */
static bool find_groups(viz_walk *w, const viz_graph_opts *o) {
    size_t unfolded_nodes = w->nvars + w->nfuncs + w->ncut;
    w->ndrawn = unfolded_nodes;
    if (o->group_title == NULL || w->nfuncs == 0) return true;
    w->func_group = malloc(w->nfuncs * sizeof *w->func_group);
    if (w->func_group == NULL) return false;
    ptrmap tags = {0}; /* tag → group, keyed by the tag as a pointer */
    bool ok = true;
    for (size_t i = 0; i < w->nfuncs && ok; i++) {
        unsigned tag = ag_func_tag(w->funcs[i]);
        w->func_group[i] = -1;
        if (tag == 0 || o->group_title(o->notes_user, tag) == NULL) continue;
        const void *key = (const void *)((uintptr_t)tag << 1); /* not 1: PTRMAP_REMOVED */
        size_t g = ptrmap_get(&tags, key);
        if (g == VIZ_NOT_DRAWN) {
            ok = ARRAY_RESERVE(w->group_tags, w->group_tags_capacity, w->ngroups, 1) &&
                 ARRAY_RESERVE(w->group_folded, w->group_folded_capacity, w->ngroups, 1);
            if (!ok) break;
            g = w->ngroups++;
            w->group_tags[g] = tag;
            ok = ptrmap_put(&tags, key, g);
        }
        w->func_group[i] = (int)g;
    }
    ptrmap_free(&tags);
    if (!ok) return false;
    bool fold = o->fold == 1 || (o->fold == VIZ_FOLD_AUTO && unfolded_nodes > VIZ_FOLD_NODES);
    w->group_params = calloc(w->ngroups ? w->ngroups : 1, sizeof *w->group_params);
    if (w->group_params == NULL) return false;
    w->group_params_capacity = w->ngroups ? w->ngroups : 1;
    if (fold && !absorb_views(w)) return false;
    if (fold && !find_data_groups(w)) return false;
    if (!find_var_groups(w)) return false;
    if (fold && !find_param_groups(w, o)) return false;
    for (size_t g = 0; g < w->ngroups; g++)
        w->group_folded[g] = fold && !(o->unfolded != NULL && g < (size_t)(o->n_unfolded > 0 ? o->n_unfolded : 0) &&
                                       o->unfolded[g]);
    /* each group's inputs: variables its functions read that are not inside it */
    w->inputs_start = calloc(w->ngroups + 1, sizeof *w->inputs_start);
    size_t *last_group = malloc((w->nvars ? w->nvars : 1) * sizeof *last_group);
    size_t ninputs = 0;
    ok = w->inputs_start != NULL && last_group != NULL;
    for (size_t g = 0; g < w->ngroups && ok; g++) {
        w->inputs_start[g] = ninputs;
        for (size_t i = 0; i < w->nvars; i++) last_group[i] = SIZE_MAX;
        for (size_t i = 0; i < w->nfuncs && ok; i++) {
            if (w->func_group[i] != (int)g) continue;
            ag_func *f = w->funcs[i];
            for (int k = 0; k < ag_func_ninputs(f) && ok; k++) {
                size_t xi = viz_walk_input(w, i, k);
                if (xi == VIZ_NOT_DRAWN) continue;
                if (w->var_group[xi] == (int)g || last_group[xi] == g) continue; /* inside it */
                last_group[xi] = g;
                ok = ARRAY_RESERVE(w->group_inputs, w->group_inputs_capacity, ninputs, 1);
                if (!ok) break;
                w->group_inputs[ninputs++] = xi;
            }
        }
    }
    free(last_group);
    if (!ok) return false;
    w->inputs_start[w->ngroups] = ninputs;
    size_t drawn = w->ncut;
    for (size_t i = 0; i < w->nvars; i++) drawn += viz_walk_var_folded(w, i) < 0;
    for (size_t i = 0; i < w->nfuncs; i++) drawn += viz_walk_func_folded(w, i) < 0;
    for (size_t g = 0; g < w->ngroups; g++) drawn += w->group_folded[g];
    w->ndrawn = drawn;
    w->nedges = 0;
    viz_walk_each_edge(w, count_edge, &w->nedges);
    return true;
}

/* The default node limit: what lays out in under a second (graph.h).  The
 * layered layout draws a graph that dot would lay out without its x
 * optimisation (viz_layout_cost) when no group is drawn whole (graph.c's
 * layout_engine); dot takes the rest. */
static size_t default_node_limit(const viz_walk *w) {
    bool framed = false;
    for (size_t g = 0; g < w->ngroups; g++) framed = framed || !w->group_folded[g];
    if (!framed && w->ndrawn > VIZ_DOT_MAX_NODES) return VIZ_MAX_MAX_NODES;
    if (!framed && viz_layout_cost(w) != LAYOUT_FULL) return VIZ_MAX_MAX_NODES;
    return VIZ_DOT_MAX_NODES;
}

int viz_walk_build(viz_walk *w, ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]) {
    *w = (viz_walk){0};
    if (y == NULL) {
        snprintf(err, VIZ_ERRLEN, "no variable to draw");
        return -1;
    }
    int depth = o->depth > 0 ? o->depth : 0;
    bool ok = walk_add_var(w, y, 0);
    ag_func *top = ag_creator(y);
    if (ok && top != NULL) ok = walk_add_func(w, top, 1);
    for (size_t i = 0; ok && i < w->nfuncs; i++) {
        ag_func *f = w->funcs[i];
        int distance = w->funcs_distance[i];
        ok = ARRAY_RESERVE(w->slot_start, w->slot_start_capacity, i, 1);
        if (ok) w->slot_start[i] = w->nslots;
        size_t vars_before = w->nvars;
        for (int k = 0; ok && k < ag_func_ninputs(f); k++) {
            ag_var *x = ag_func_input(f, k);
            ok = walk_add_input(w, i, k, x, distance, vars_before);
            if (x == NULL) continue;
            w->nedges++;
            ag_func *creator = ag_creator(x);
            if (ok && creator != NULL && (depth == 0 || distance < depth) &&
                ptrmap_get(&w->index, creator) == VIZ_NOT_DRAWN)
                ok = walk_add_func(w, creator, distance + 1);
        }
        for (int k = 0; ok && k < ag_func_noutputs(f); k++) {
            ag_var *out = ag_func_output(f, k);
            if (out == NULL) continue;
            w->nedges++;
            ok = walk_add_var(w, out, distance);
        }
    }
    if (!ok) {
        snprintf(err, VIZ_ERRLEN, "out of memory while walking the graph");
        return -1;
    }
    for (size_t i = 0; i < w->nvars; i++) {
        ag_func *creator = ag_creator(w->vars[i]);
        if (creator != NULL && ptrmap_get(&w->index, creator) == VIZ_NOT_DRAWN) {
            w->cut[i] = true;
            w->ncut++;
        }
    }
    w->nedges += w->ncut;
    if (!find_groups(w, o)) {
        snprintf(err, VIZ_ERRLEN, "out of memory while walking the graph");
        return -1;
    }
    size_t limit = o->max_nodes > 0 ? (size_t)o->max_nodes : default_node_limit(w);
    size_t nodes = w->ndrawn;
    if (nodes <= limit) return 0;
    int fits = depth_that_fits(w, limit);
    if (o->hint_call != NULL) { /* the caller takes neither option: name a call that does */
        int n = snprintf(err, VIZ_ERRLEN, "graph has %zu nodes (limit %zu)", nodes, limit);
        size_t at = n > 0 && n < VIZ_ERRLEN ? (size_t)n : 0;
        if (fits > 0)
            at += (size_t)snprintf(err + at, VIZ_ERRLEN - at, ": %s, depth=%d) draws the part near the output",
                                   o->hint_call, fits);
        if (nodes <= VIZ_MAX_MAX_NODES && at < VIZ_ERRLEN)
            snprintf(err + at, VIZ_ERRLEN - at, "%s %s, max_nodes=%zu) all of it", fits > 0 ? "," : ":",
                     o->hint_call, nodes);
        return -1;
    }
    if (nodes <= VIZ_MAX_MAX_NODES && fits > 0)
        snprintf(err, VIZ_ERRLEN,
                 "graph has %zu nodes (limit %zu): draw the part near the output with depth=%d, "
                 "or all of it with max_nodes=%zu",
                 nodes, limit, fits, nodes);
    else if (fits > 0)
        snprintf(err, VIZ_ERRLEN,
                 "graph has %zu nodes (limit %zu): draw the part near the output with depth=%d",
                 nodes, limit, fits);
    else if (nodes <= VIZ_MAX_MAX_NODES)
        snprintf(err, VIZ_ERRLEN,
                 "graph has %zu nodes (limit %zu), too many even with depth=1: draw it with "
                 "max_nodes=%zu",
                 nodes, limit, nodes);
    else
        snprintf(err, VIZ_ERRLEN,
                 "graph has %zu nodes, too many to draw even with depth=1 (at most %d)", nodes,
                 VIZ_MAX_MAX_NODES);
    return -1;
}

ag_var *viz_walk_group_output(const viz_walk *w, int g) {
    for (size_t i = 0; i < w->nvars; i++) {
        ag_func *creator = ag_creator(w->vars[i]);
        size_t made_by = creator != NULL ? viz_walk_find(w, creator) : VIZ_NOT_DRAWN;
        if (made_by == VIZ_NOT_DRAWN || w->func_group[made_by] != g) continue;
        if (i == 0) return w->vars[i];
        for (size_t f = 0; f < w->nfuncs; f++) {
            if (w->func_group[f] == g) continue;
            for (int k = 0; k < ag_func_ninputs(w->funcs[f]); k++)
                if (ag_func_input(w->funcs[f], k) == w->vars[i]) return w->vars[i];
        }
    }
    return NULL;
}

void viz_unit_maps_free(viz_unit_maps *maps) {
    if (maps == NULL) return;
    free(maps->maps);
    *maps = (viz_unit_maps){0};
}
