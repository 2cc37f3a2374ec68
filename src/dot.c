/* dot.c — the graph that made a variable as Graphviz DOT text (ag_dot), as
 * DeZero's get_dot_graph writes it: what a C program draws with `dot -Tpng`
 * without the REPL's viz layer. */
#include <stdlib.h>

#include "ag_format.h"
#include "internal.h"
#include "util/array.h"
#include "util/strbuf.h"

/* The node's number, numbering it when new (*fresh then true); PTRMAP_NONE
 * when out of memory. */
static size_t node_id(ptrmap *ids, const void *node, bool *fresh) {
    size_t id = ptrmap_get(ids, node);
    *fresh = id == PTRMAP_NONE;
    if (*fresh) {
        id = ids->count;
        if (!ptrmap_put(ids, node, id)) return PTRMAP_NONE;
    }
    return id;
}

static void var_node(strbuf *out, const ag_var *v, size_t id, bool verbose) {
    strbuf lab = {0};
    if (v->name != NULL) strbuf_append_printable(&lab, v->name); /* control characters as '?' */
    if (verbose) {
        char shape[AG_SHAPEBUF];
        strbuf_appendf(&lab, "%s%s", v->name != NULL && v->name[0] != '\0' ? ": " : "",
                       ag_shape_string(v->t.ndim, v->t.shape, shape));
    }
    strbuf_appendf(out, "n%zu [label=", id);
    strbuf_append_quoted(out, lab.data != NULL ? lab.data : "");
    strbuf_append(out, ", color=orange, style=filled]\n");
    free(lab.data);
}

char *ag_dot(const ag_var *y, bool verbose) {
    if (y == NULL) return NULL;
    ag_ctx *ctx = y->ctx;
    strbuf out = {0};
    ptrmap ids = {0};
    size_t len = 0, cap = 0;
    ag_func **stack = NULL;
    bool fresh, ok = true;
    strbuf_append(&out, "digraph g {\n");
    size_t id = node_id(&ids, y, &fresh);
    if (id == PTRMAP_NONE) ok = false;
    else var_node(&out, y, id, verbose);
    for (ag_func *f = y->creator; ok && f != NULL; f = len > 0 ? stack[--len] : NULL) {
        size_t fid = node_id(&ids, f, &fresh);
        if (fid == PTRMAP_NONE) {
            ok = false;
            break;
        }
        if (!fresh) continue; /* reached again through another of its outputs */
        char label[128];
        strbuf_appendf(&out, "n%zu [label=", fid);
        strbuf shown = {0}; /* a user op's name: control characters as '?' */
        strbuf_append_printable(&shown, ag_func_label(f, label, sizeof label));
        strbuf_append_quoted(&out, shown.data != NULL ? shown.data : "");
        free(shown.data);
        strbuf_append(&out, ", color=lightblue, style=filled, shape=box]\n");
        for (int i = 0; ok && i < f->noutputs; i++) {
            size_t oid = f->outputs[i] != NULL ? node_id(&ids, f->outputs[i], &fresh) : PTRMAP_NONE;
            if (oid == PTRMAP_NONE) continue; /* a dropped output or out of memory (below) */
            if (fresh) var_node(&out, f->outputs[i], oid, verbose);
            strbuf_appendf(&out, "n%zu -> n%zu\n", fid, oid);
        }
        for (int i = 0; ok && i < f->ninputs; i++) {
            ag_var *x = f->inputs[i];
            size_t xid = node_id(&ids, x, &fresh);
            if (xid == PTRMAP_NONE) {
                ok = false;
                break;
            }
            if (fresh) var_node(&out, x, xid, verbose);
            strbuf_appendf(&out, "n%zu -> n%zu\n", xid, fid);
            if (x->creator == NULL || ptrmap_get(&ids, x->creator) != PTRMAP_NONE || !fresh) continue;
            if (!ARRAY_RESERVE(stack, cap, len, 1)) {
                ok = false;
                break;
            }
            stack[len++] = x->creator;
        }
    }
    strbuf_append(&out, "}\n");
    free(stack);
    ptrmap_free(&ids);
    char *text = strbuf_take(&out);
    if (!ok || text == NULL) {
        free(text);
        if (ctx != NULL) ctx_error(ctx, AG_ERR_NOMEM, "dot: out of memory");
        return NULL;
    }
    return text;
}
