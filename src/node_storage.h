/* node_storage.h — what a node owns besides itself (a variable's data
 * buffer and name, a function's spilled arrays), given back when the node
 * dies: by the collector (context.c) and with its slab (node_slabs.c). */
#ifndef AG_NODE_STORAGE_H
#define AG_NODE_STORAGE_H

#include "internal.h"

static bool has_heap_data(const ag_var *v) {
    return v->t.data != NULL && v->t.data != &v->scalar_storage;
}

static inline void free_var_storage(ag_ctx *ctx, ag_var *v) {
    if (has_heap_data(v)) ctx_buf_put(ctx, v->t.data, v->t.size);
    /* empty, not only without data: a stale handle read by ag_item then
     * finds no element (NaN) rather than following a NULL pointer, so under
     * AG_DEBUG_NO_REUSE valgrind reports the read and the program goes on */
    v->t.data = NULL;
    v->t.size = 0;
    if (v->name != NULL) { /* most have none: no store then */
        if (v->name != v->short_name) ctx_free(ctx, v->name);
        v->name = NULL;
    }
}

/* Leaves f owning nothing, so freeing it again (ag_ctx_free's pass over the
 * slabs meets the free list's functions too) does nothing. */
static inline void free_func_storage(ag_ctx *ctx, ag_func *f) {
    /* most own none of the three: tested, not stored */
    if (f->more != NULL) {
        ctx_free(ctx, f->more);
        f->more = NULL;
    }
    if (f->inputs != f->inline_inputs) {
        ctx_free(ctx, f->inputs);
        f->inputs = f->inline_inputs;
    }
    if (f->outputs != f->inline_outputs) {
        ctx_free(ctx, f->outputs);
        f->outputs = f->inline_outputs;
    }
}

#endif
