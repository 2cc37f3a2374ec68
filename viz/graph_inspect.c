/* graph_inspect.c — what the inspector says about a node of a graph's
 * scene (graph_scene.h), and a scene of a drawing's nodes without a layout
 * (viz_scene_describe), for what needs only the text: the Jupyter kernel's
 * and the web page's inline graphs (graph_html.c).  No Graphviz here, so the
 * web build (repl/web/) has the same inspector. */
#include "graph_scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_format.h"
#include "ag_ops.h"
#include "ag_userop.h"
#include "graph.h"
#include "graph_internal.h"

#define MAX_INSPECTED_ELEMENTS 10000 /* a bigger tensor's value is cut with a count */

/* ---- the scene ----------------------------------------------------------- */

void viz_scene_free(viz_scene *scene) {
    if (scene == NULL) return;
    for (int i = 0; i < scene->nnodes; i++)
        if (scene->nodes[i].var != NULL) ag_release(scene->nodes[i].var);
    free(scene->nodes);
    free(scene->edges);
    free(scene->frames);
    for (size_t i = 0; i < scene->sent_index.count; i++)
        if (scene->sent[i] != NULL) ag_release(scene->sent[i]);
    free(scene->sent);
    ptrmap_free(&scene->sent_index);
    *scene = (viz_scene){0};
}

void viz_scene_grads_from_output(viz_scene *scene) {
    if (scene->output == NULL || scene->sent != NULL) return;
    ag_ctx *ctx = ag_var_ctx(scene->output);
    if (ag_failed(ctx)) return; /* the session's error message stays as it is */
    ptrmap index = {0};
    ag_var **made = malloc(((size_t)scene->nnodes + 1) * sizeof *made);
    size_t n = 0;
    for (int i = 0; made != NULL && i < scene->nnodes; i++) {
        ag_func *f = scene->nodes[i].kind == VIZ_NODE_FUNC ? scene->nodes[i].func : NULL;
        if (f == NULL || ag_func_noutputs(f) != 1) continue;
        ag_var *v = ag_func_output(f, 0);
        if (v == NULL || ag_grad(v) != NULL || ptrmap_get(&index, v) != PTRMAP_NONE) continue;
        if (!ptrmap_put(&index, v, n)) break;
        made[n++] = v;
    }
    ag_var **sent = made != NULL && n == index.count ? calloc(n + 1, sizeof *sent) : NULL;
    if (sent == NULL || ag_grads_of(ctx, scene->output, made, (int)n, sent, false) != 0) {
        if (ag_failed(ctx)) ag_clear_error(ctx); /* each node asks for its own, as before */
        free(sent);
        free(made);
        ptrmap_free(&index);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (sent[i] != NULL) ag_retain(sent[i]);
    free(made);
    scene->sent = sent;
    scene->sent_index = index;
}

/* One node named as viz_build_graph (graph_draw.c) names it; false when out of memory. */
static bool describe(viz_scene *scene, const char *prefix, size_t number, viz_node_kind kind, ag_var *var,
                     ag_func *func, int group) {
    viz_scene_node *node = &scene->nodes[scene->nnodes++];
    *node = (viz_scene_node){.kind = kind, .group = group, .var = var, .func = func};
    snprintf(node->name, sizeof node->name, "%s%zu", prefix, number);
    if (var != NULL) ag_retain(var);
    return true;
}

/* What a folded conv or pooling layer's box says beyond its title: the
 * window of the Im2col or MaxPool2d inside (as the box's label shows it)
 * and the 4-D parameter it multiplies by, the weight (OC, C, KH, KW). */
static void box_window(const viz_walk *w, size_t group, char *out, size_t n) {
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < w->nfuncs && used == 0; i++) {
        int op = ag_func_op(w->funcs[i]);
        if (w->func_group[i] != (int)group || (op != AG_OP_IM2COL && op != AG_OP_MAX_POOL2D)) continue;
        char label[96];
        ag_func_label(w->funcs[i], label, sizeof label);
        const char *open = strchr(label, '(');
        size_t len = strlen(label);
        if (open != NULL && len > 1 && label[len - 1] == ')') {
            label[len - 1] = '\0';
            used = (size_t)snprintf(out, n, "%s", open + 1);
        }
    }
    for (size_t i = 0; i < w->nfuncs && used > 0 && used < n; i++) {
        if (w->func_group[i] != (int)group) continue;
        for (int k = 0; k < ag_func_ninputs(w->funcs[i]); k++) {
            ag_var *p = ag_func_input(w->funcs[i], k);
            if (!(ag_var_flags(p) & AG_VAR_PARAM) || ag_ndim(p) != 4) continue;
            char shape[AG_SHAPEBUF];
            snprintf(out + used, n - used, "; weight %s (out channels, in channels, kernel height, width)",
                     ag_shape_string(ag_ndim(p), ag_shape(p), shape));
            return;
        }
    }
}

int viz_scene_describe(ag_var *y, const viz_graph_opts *o, viz_scene *scene, char err[VIZ_ERRLEN]) {
    viz_scene_free(scene);
    viz_walk w;
    if (viz_walk_build(&w, y, o, err) != 0) {
        viz_walk_free(&w);
        return -1;
    }
    size_t most = w.nvars * 2 + w.nfuncs + w.ngroups;
    scene->nodes = calloc(most ? most : 1, sizeof *scene->nodes);
    if (scene->nodes == NULL) {
        viz_walk_free(&w);
        snprintf(err, VIZ_ERRLEN, "out of memory while describing the graph's nodes");
        return -1;
    }
    for (size_t i = 0; i < w.nvars; i++)
        if (viz_walk_var_folded(&w, i) < 0) describe(scene, "v", i, VIZ_NODE_VAR, w.vars[i], NULL, -1);
    for (size_t i = 0; i < w.nfuncs; i++) {
        if (viz_walk_func_folded(&w, i) >= 0) continue;
        ag_func *f = w.funcs[i];
        describe(scene, "f", i, VIZ_NODE_FUNC, ag_func_noutputs(f) > 0 ? ag_func_output(f, 0) : NULL, f, -1);
    }
    for (size_t b = 0; b < w.ngroups; b++) {
        if (!w.group_folded[b]) continue;
        describe(scene, "box", b, VIZ_NODE_BOX, viz_walk_group_output(&w, (int)b), NULL, (int)b);
        viz_scene_node *box = &scene->nodes[scene->nnodes - 1];
        snprintf(box->title, sizeof box->title, "%s", viz_group_title(&w, o, b));
        box_window(&w, b, box->window, sizeof box->window);
    }
    for (size_t i = 0; i < w.nvars; i++)
        if (w.cut[i]) describe(scene, "cut", i, VIZ_NODE_OTHER, NULL, NULL, -1);
    viz_walk_free(&w);
    scene->kept_only = o->kept_only;
    scene->var_path = o->var_path;
    scene->unit_maps = o->unit_maps;
    scene->notes_user = o->notes_user;
    for (int i = 0; i < scene->nnodes; i++)
        if (scene->nodes[i].kind == VIZ_NODE_VAR && scene->nodes[i].var == y) scene->output = y;
    return 0;
}

/* ---- the inspector ------------------------------------------------------------ */

/* How a variable is called: its name, or what made it. */
static void variable_name(const ag_var *v, char *buf, size_t n) {
    if (ag_name(v)[0] != '\0') {
        snprintf(buf, n, "%s", ag_name(v));
    } else if (ag_creator(v) != NULL) {
        char label[64];
        ag_func_label(ag_creator(v), label, sizeof label);
        snprintf(buf, n, "(%s output)", label);
    } else {
        snprintf(buf, n, "(unnamed)");
    }
}

static const char *variable_role(const viz_scene *scene, const ag_var *v) {
    unsigned flags = ag_var_flags(v);
    if (v == scene->output) return "output";
    if (flags & AG_VAR_PARAM) return "parameter";
    if (flags & AG_VAR_SEED) return "seed (dy/dy = 1)";
    if (flags & AG_VAR_CONST) return "constant";
    if (flags & AG_VAR_BACKWARD) return "made by backward";
    return ag_creator(v) == NULL ? "input" : "intermediate";
}

/* How input k of f is called in its op's rule: its row's name ("a", "base",
 * "x", "W"), else a or b of two inputs, x of one, x1, x2, ... */
static void input_role(const ag_func *f, int k, char *buf, size_t n) {
    const char *role = ag_op_input_name(ag_func_op(f), k);
    int inputs = ag_func_ninputs(f);
    if (role == NULL && inputs == 2) role = k == 0 ? "a" : "b";
    if (role == NULL && inputs == 1) role = "x";
    if (role != NULL) snprintf(buf, n, "%s", role);
    else snprintf(buf, n, "x%d", k + 1);
}

/* A value in full: a number, or its shape then its rows (the last axis), each
 * row numbered and its numbers in columns of one width.  Tensor elements
 * show TENSOR_DIGITS significant digits unless digits is set. */
#define TENSOR_DIGITS 6
static void append_numbers(strbuf *out, const ag_var *v, const double *data, int digits, const char *indent) {
    char number[AG_NUMBUF];
    size_t size = ag_size(v);
    if (ag_ndim(v) == 0) {
        strbuf_appendf(out, "%s\n", ag_format_display(data[0], digits, number));
        return;
    }
    char shape[AG_SHAPEBUF];
    strbuf_appendf(out, "shape %s\n", ag_shape_string(ag_ndim(v), ag_shape(v), shape));
    int element_digits = digits > 0 ? digits : size == 1 ? 0 : TENSOR_DIGITS;
    size_t row = (size_t)ag_shape(v)[ag_ndim(v) - 1];
    if (row == 0) row = 1;
    size_t shown = size < MAX_INSPECTED_ELEMENTS ? size : MAX_INSPECTED_ELEMENTS;
    int width = 1;
    for (size_t i = 0; i < shown; i++) {
        int length = (int)strlen(ag_format_display(data[i], element_digits, number));
        if (length > width) width = length;
    }
    bool numbered = ag_ndim(v) >= 2;
    for (size_t i = 0; i < shown; i++) {
        if (i % row == 0) {
            strbuf_append(out, indent);
            if (numbered) strbuf_appendf(out, "[%zu] ", i / row);
        }
        strbuf_appendf(out, "%*s", width, ag_format_display(data[i], element_digits, number));
        strbuf_append(out, (i + 1) % row == 0 || i + 1 == shown ? "\n" : "  ");
    }
    if (shown < size) strbuf_appendf(out, "%s… (%zu more)\n", indent, size - shown);
}

static void append_value(strbuf *out, const ag_var *v, int digits, const char *indent) {
    append_numbers(out, v, ag_cdata(v), digits, indent);
}

static void append_short(strbuf *out, const ag_var *v, int digits) {
    char text[256];
    viz_format_value(v, digits, text, sizeof text);
    strbuf_append(out, text);
}

/* The numbers of the chain rule at f's input k:
 *     c.grad × ∂c/∂a = 2 × 3 = 6
 * with c.grad the gradient of f's output: kept in .grad (retain_grad), else
 * what a backward from the graph's output sends it now (∂y/∂c, computed
 * without touching any .grad).  Tensors show the gradient sent. */
static bool append_contribution(strbuf *out, const viz_scene *scene, ag_func *f, int k, int digits,
                                double *scalar_sent) {
    ag_var *made = ag_func_output(f, 0);
    ag_ctx *ctx = ag_var_ctx(made);
    if (ag_failed(ctx)) return false; /* the session's error message stays as it is */
    bool found = false;
    char role[16], name[96], top[96], incoming[200], number[AG_NUMBUF];
    input_role(f, k, role, sizeof role);
    variable_name(made, name, sizeof name);
    ag_var *gy = ag_grad(made);
    if (gy != NULL) {
        snprintf(incoming, sizeof incoming, "%s.grad", name);
    } else if (scene->output != NULL) {
        size_t at = scene->sent != NULL ? ptrmap_get(&scene->sent_index, made) : PTRMAP_NONE;
        gy = at != PTRMAP_NONE ? scene->sent[at] : ag_grad_of(ctx, scene->output, made, false);
        variable_name(scene->output, top, sizeof top);
        snprintf(incoming, sizeof incoming, "∂%s/∂%s", top, name);
    }
    bool scalar = ag_size(made) == 1 && ag_size(ag_func_input(f, k)) == 1;
    ag_var *local = scalar ? ag_func_input_grad(ctx, f, k, NULL) : NULL;
    ag_var *sent = gy != NULL ? ag_func_input_grad(ctx, f, k, gy) : NULL;
    if (local != NULL && sent != NULL) {
        strbuf_appendf(out, "%s × ∂%s/∂%s = %s", incoming, name, role,
                       ag_format_display(ag_item(gy), digits, number));
        strbuf_appendf(out, " × %s", ag_format_display(ag_item(local), digits, number));
        strbuf_appendf(out, " = %s", ag_format_display(ag_item(sent), digits, number));
        *scalar_sent = ag_item(sent);
        found = true;
    } else if (sent != NULL) {
        strbuf_appendf(out, "%s through ∂%s/∂%s: ", incoming, name, role);
        append_short(out, sent, digits);
    } else if (local != NULL) {
        strbuf_appendf(out, "∂%s/∂%s = %s", name, role, ag_format_display(ag_item(local), digits, number));
    } else {
        strbuf_append(out, "no gradient flows here");
    }
    if (ag_failed(ctx)) ag_clear_error(ctx), found = false;
    return found;
}

static void inspect_variable(const viz_scene *scene, const viz_scene_node *node, int digits, strbuf *out) {
    ag_var *v = node->var;
    char name[160], shape[AG_SHAPEBUF];
    const char *path = scene->var_path != NULL ? scene->var_path(scene->notes_user, v) : NULL;
    if (path != NULL && path[0] != '\0') snprintf(name, sizeof name, "%s", path); /* model.linear[1].w */
    else variable_name(v, name, sizeof name);
    strbuf_appendf(out, "%s\nrole: %s\n", name, variable_role(scene, v));
    if (ag_creator(v) != NULL) {
        char label[64];
        strbuf_appendf(out, "made by: %s\n", ag_func_label(ag_creator(v), label, sizeof label));
    }
    strbuf_appendf(out, "shape: %s\n", ag_ndim(v) == 0 ? "scalar" : ag_shape_string(ag_ndim(v), ag_shape(v), shape));
    strbuf_append(out, "value: ");
    append_value(out, v, digits, "  ");
    /* every use: each input slot of a drawn function that v fills, with the
     * gradient it sends back (its part of v's gradient) */
    strbuf uses = {0};
    int count = 0, scalar_parts = 0;
    double parts[8];
    for (int i = 0; i < scene->nnodes; i++) {
        const viz_scene_node *user = &scene->nodes[i];
        if (user->kind != VIZ_NODE_FUNC) continue;
        for (int k = 0; k < ag_func_ninputs(user->func); k++) {
            if (ag_func_input(user->func, k) != v) continue;
            count++;
            char label[64], role[16];
            input_role(user->func, k, role, sizeof role);
            strbuf_appendf(&uses, "  %s as %s: ", ag_func_label(user->func, label, sizeof label), role);
            double sent;
            if (ag_func_noutputs(user->func) == 1 &&
                append_contribution(&uses, scene, user->func, k, digits, &sent) && scalar_parts < 8)
                parts[scalar_parts++] = sent;
            strbuf_append(&uses, "\n");
        }
    }
    /* the gradient as the node shows it: .grad, or grad⁺ (what the last
     * backward passed here without keeping it) */
    ag_var *grad = ag_grad(v);
    const double *flow = scene->kept_only ? NULL : ag_last_grad(v);
    int calls = VIZ_SUMMED_CALLS(v);
    if (grad != NULL) {
        strbuf_append(out, calls > 1 ? "grad (.grad, ⚠ " : "grad (.grad): ");
        if (calls > 1) strbuf_appendf(out, VIZ_SUMMED_FMT "): ", calls);
        append_value(out, grad, digits, "  ");
        if (calls > 1 && flow != NULL) {
            strbuf_append(out, "  of which the last backward's: ");
            append_numbers(out, v, flow, digits, "    ");
        }
    } else if (flow != NULL) {
        strbuf_append(out, "grad⁺ (not kept in .grad): ");
        append_numbers(out, v, flow, digits, "  ");
    } else if (ag_var_flags(v) & AG_VAR_CONST) {
        /* a literal or data: the uses below are what a variable there would get */
        strbuf_append(out, "grad: none (a constant: backward gives it none)\n");
    } else {
        strbuf_append(out, "grad: none\n");
    }
    if ((grad != NULL || flow != NULL) && count >= 2 && scalar_parts == count) {
        /* a gradient summed over several uses: its parts */
        char number[AG_NUMBUF];
        strbuf_appendf(out, "  = the sum over its %d uses: ", count);
        for (int i = 0; i < scalar_parts; i++) {
            bool minus = i > 0 && signbit(parts[i]); /* a − b, not a + -b (nor a + -0) */
            if (i > 0) strbuf_append(out, minus ? " − " : " + ");
            double shown = minus ? -parts[i] : parts[i];
            strbuf_append(out, ag_format_display(shown, digits, number));
        }
        strbuf_append(out, "\n");
    }
    if (count == 0) {
        strbuf_append(out, "uses: none drawn\n");
    } else {
        strbuf_append(out, "uses:\n");
        if (uses.data != NULL) strbuf_append(out, uses.data);
    }
    free(strbuf_take(&uses));
}

static void inspect_function(const viz_scene *scene, const viz_scene_node *node, int digits, strbuf *out) {
    ag_func *f = node->func;
    char label[64], role[16], name[96];
    strbuf_appendf(out, "%s\nrole: function\nop: %s\n", ag_func_label(f, label, sizeof label),
                   ag_func_name(f));
    for (int k = 0; k < ag_func_ninputs(f); k++) {
        ag_var *x = ag_func_input(f, k);
        if (x == NULL) continue;
        input_role(f, k, role, sizeof role);
        variable_name(x, name, sizeof name);
        strbuf_appendf(out, "input %s = %s: ", role, name);
        append_short(out, x, digits);
        strbuf_append(out, "\n");
    }
    for (int k = 0; k < ag_func_noutputs(f); k++) {
        ag_var *y = ag_func_output(f, k);
        if (y == NULL) continue;
        variable_name(y, name, sizeof name);
        strbuf_appendf(out, "output %s: ", name);
        append_short(out, y, digits);
        strbuf_append(out, "\n");
    }
    strbuf_append(out, "rule:\n");
    const char *rule = ag_func_rule(f);
    for (const char *part = rule; part != NULL && *part != '\0';) {
        const char *end = strstr(part, "; ");
        size_t length = end ? (size_t)(end - part) : strlen(part);
        strbuf_appendf(out, "  %.*s\n", (int)length, part);
        part = end ? end + 2 : NULL;
    }
    if (ag_func_noutputs(f) != 1) return;
    strbuf_append(out, "here:\n");
    for (int k = 0; k < ag_func_ninputs(f); k++) {
        if (ag_func_input(f, k) == NULL) continue;
        strbuf_append(out, "  ");
        double sent;
        append_contribution(out, scene, f, k, digits, &sent);
        strbuf_append(out, "\n");
    }
}

void viz_scene_inspect(const viz_scene *scene, int i, int digits, strbuf *out) {
    if (scene == NULL || i < 0 || i >= scene->nnodes) return;
    const viz_scene_node *node = &scene->nodes[i];
    switch (node->kind) {
    case VIZ_NODE_VAR: inspect_variable(scene, node, digits, out); break;
    case VIZ_NODE_FUNC: inspect_function(scene, node, digits, out); break;
    case VIZ_NODE_BOX:
        strbuf_appendf(out, "folded group %d: %s\n", node->group, node->title);
        if (node->window[0] != '\0') strbuf_appendf(out, "  %s\n", node->window);
        strbuf_append(out, "click to expand\n");
        if (node->var != NULL) { /* what leaves it: a layer's output, with its gradient */
            strbuf_append(out, "its output: ");
            inspect_variable(scene, node, digits, out);
        }
        break;
    default: break;
    }
}
