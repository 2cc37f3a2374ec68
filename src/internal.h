/* internal.h — the engine's node structures and op table (not public API).
 *
 * Ownership: every ag_var and ag_func is owned by its context and lives on
 * the context's live list until ag_gc finds it unreachable or the context is
 * freed.  Nodes point at each other freely (cycles allowed). */
#ifndef AG_INTERNAL_H
#define AG_INTERNAL_H

#include "ag_core.h"
#include <stdint.h>
#include <string.h> /* clear_node's memset (wasm) */

#include "ag_format.h"
#include "ag_ops.h"
#include "ag_rand.h"
#include "memory.h"
#include "poison.h"
#include "tensor.h"
#include "util/ptrmap.h"

struct ag_var {
    ag_tensor t; /* t.data is &scalar_storage for the one-element results of
                  * the scalar fast path, else owned heap storage */
    ag_var *grad;
    ag_func *creator;
    ag_ctx *ctx;
    char *name; /* NULL = unnamed; short_name or an owned copy */
    int generation;
    unsigned flags;
    int roots;
    unsigned mark; /* collector state: NODE_OLD, VAR_REMEMBERED and an epoch */
    ag_var *next_live, *prev_live; /* the context's live list (or free list); prev_live is
                                    * kept only during a reclaiming pass (ctx_reclaim_var) */
    /* Reclaiming backward passes (backward.c): the step of the running pass
     * that made this variable (0 = made outside one) and how many grad slots
     * refer to it; reset to 0 when the pass ends. */
    unsigned pass;
    int pass_refs;
    /* The backward call (ctx->backward_calls) that last added to grad, and
     * how many backward calls have added into grad since it was cleared or
     * set (ag_grad_calls). */
    unsigned grad_call;
    int grad_calls;
    /* In-place changes (ag_data hands out the writable data): how many, and
     * the context's change clock at the last one (0 = never changed), which
     * backward compares with the clock when a function used the value
     * (32 bits, compared modulo 2^32: see clock_after in backward.c). */
    unsigned version;
    uint32_t changed_at;
    /* The last kept backward's gradient of this variable (ag_last_grad):
     * ag_size(v) numbers at flow_numbers + flow_at, valid while flow_pass
     * is the context's flow_pass (0 = none; backward.c). */
    uint32_t flow_pass, flow_at;
    /* A name of up to 7 characters is kept here, not in a block of its own:
     * a loop that binds its result to a name names a new variable at every
     * step (W6's script: 100,000 strdups and frees). */
    char short_name[8];
    double scalar_storage;
};

/* What an op instance remembers besides its inputs: the parameters it was
 * called with.  `ints` (indices of GetItem, sizes of Split) is owned.  No op
 * uses both members of a union (that keeps ag_func small: a 300,000-op
 * chain holds 300,000 of them). */
typedef struct ag_op_params {
    union {
        double p;  /* Pow exponent or dropout ratio */
        double lo; /* Clip bounds */
    };
    double hi;
    int axis;
    int naxes;
    int ndim;
    int n;
    union {
        int axes[AG_MAX_DIMS];  /* as given by the caller (may be negative) */
        int shape[AG_MAX_DIMS]; /* target shape (reshape, broadcast_to, sum_to, get_item_grad) */
    };
    int *ints;
} ag_op_params;

/* A function node: 128 bytes, two cache lines (sizeof asserted in
 * context.c).  Its op's parameters p and hi (lo), the only ones of the ops
 * with a scalar hook, are kept inline; an op applied with any other field
 * of ag_op_params set (an axis, axes, a shape, n, ints) gets a block of its
 * own, `more`, holding all of them (p and hi too), with ints copied after it
 * in the same block; NULL for every other op.  The node owns the block
 * (free_func_storage frees it).  The ops' rules read the parameters
 * through func_params / FUNC_PARAMS. */
struct ag_func {
    union {
        double p;  /* ag_op_params.p: Pow exponent or dropout ratio */
        double lo; /* ag_op_params.lo: Clip's lower bound */
    };
    double hi;
    ag_op_params *more; /* the whole parameters, or NULL (see above) */
    int op;
    int ninputs, noutputs;
    int generation;
    unsigned mark; /* collector state: NODE_OLD and an epoch */
    unsigned seen; /* backward pass stamp */
    unsigned tag;  /* the context's func_tag when it was made (ag_func_tag) */
    uint32_t made_at; /* the context's change clock when it was made */
    ag_var **inputs, **outputs;
    ag_var *inline_inputs[3];
    ag_var *inline_outputs[1];
    ag_var *saved; /* an extra variable the backward needs (dropout mask) */
    const struct ag_op_def *row; /* the op's row: its forward, backward, label (func_def) */
    ag_func *next_live;
};

/* What a function node counts for in the collector's pacing (ag_gc_auto's
 * "node plus tensor bytes", kept and promoted bytes, ag_gc_info): 176, its
 * size until it was cut to 128 bytes, kept so that collections come where
 * they did and the statistics read as they did (every measurement of the
 * pacing, context.c, was made with it). */
#define FUNC_PACE_BYTES ((size_t)176)

/* The parameters f's op was applied with, for its rules: f's own block when
 * it has one, else *scratch filled in with f's p and hi (every other field
 * zero, as the op was given them). */
static inline const ag_op_params *func_params(const ag_func *f, ag_op_params *scratch) {
    if (f->more != NULL) return f->more;
    *scratch = (ag_op_params){.p = f->p, .hi = f->hi};
    return scratch;
}
/* func_params with a scratch block living to the end of the caller's block. */
#define FUNC_PARAMS(f) func_params((f), &(ag_op_params){.hi = 0})

/* ---- the buffer cache (memory.c): size classes of a quarter doubling, 16
 * bytes to 2^CACHE_MAX_CLASS_SHIFT ------------------------------------------------ */
#define CACHE_MAX_CLASS_SHIFT 28 /* 256 MiB */
#define CTX_BUF_CLASSES ((CACHE_MAX_CLASS_SHIFT - 4) * 4 + 1)
struct ctx_buf_class {
    void **items; /* cached buffers of the class, the last freed last */
    size_t len, cap;
};
#define CTX_KEPT_ARRAYS 4 /* big freed blocks a context keeps (memory.c) */
struct ctx_memory {
    ctx_allocator alloc;
    size_t cache_limit;  /* ag_set_buffer_cache */
    size_t cached_bytes; /* held in classes */
    struct ctx_buf_class classes[CTX_BUF_CLASSES];
    /* Blocks of 32 MiB or more freed by ctx_free, kept for the next big
     * ctx_malloc or ctx_realloc (memory.c, "big working arrays"). */
    void *kept[CTX_KEPT_ARRAYS];
    size_t kept_size[CTX_KEPT_ARRAYS]; /* each one's usable bytes */
    size_t nkept, kept_bytes;
    bool big_seen; /* a big block was handed out: ctx_free looks at sizes */
};
void ctx_memory_init(ag_ctx *ctx, const ctx_allocator *alloc);
void ctx_memory_free(ag_ctx *ctx); /* the cache back to the allocator */

struct ag_ctx {
    char errmsg[512];
    bool failed;
    ag_err errcode; /* AG_OK when !failed */
    t_blas blas;    /* ag_set_blas_threads; zero = OpenBLAS left alone */
    bool grad_enabled;
    bool train;
    bool check_finite;
    const char *nonfinite_op;
    volatile sig_atomic_t *interrupt; /* ag_set_interrupt; NULL = never */
    int in_backward;
    ag_rng rng;
    ag_var *vars;
    ag_func *funcs;
    /* Recycled nodes, linked through next_live; a free variable may still
     * hold its old data buffer until it is reused (context.c). */
    ag_var *free_vars;
    ag_func *free_funcs;
    /* The newest slab of each type hands its nodes out in address order
     * from its unused tail, [tail_vars, end_vars) and [tail_funcs,
     * end_funcs), once its free list is empty (node_slabs.c, "node
     * allocation"): a new slab's nodes are not linked onto the free list.
     * NULL, NULL before the first slab and after its slab is released. */
    ag_var *tail_vars, *end_vars;
    ag_func *tail_funcs, *end_funcs;
    void *slabs; /* the blocks nodes are carved from */
    size_t slab_vars, slab_funcs; /* nodes the slabs hold (live, free or in a tail) */
    /* allocs_since_gc is kept apart from the two counts: a new node adds 1
     * to its count and to allocs_since_gc, and with the three side by side
     * gcc adds {1, 2} to {live_funcs, allocs_since_gc} as one 16-byte load
     * and store just after ctx_init_var's 8-byte store to allocs_since_gc,
     * a load the store cannot be forwarded to: about half of each scalar
     * op's time (perf record, W1).  The static assertion below the struct
     * keeps them apart. */
    size_t live_vars, live_funcs;
    /* A function node not marked FUNC_SCALAR (made by op_apply_row's
     * general path, function.c: one that may own storage) may be alive: set
     * when one is made, cleared by a collection that leaves no function
     * alive.  When it is clear, a full collection that finds every function
     * dead hands the whole list to the free list at once (context.c,
     * collect_full). */
    bool general_funcs_live;
    size_t allocs_since_gc; /* nodes made since the last collection */
    size_t bytes_since_gc; /* tensor data handed to new variables since the last ag_gc */
    /* Generations (context.c): the live lists hold the young nodes first
     * (age 0: made since the last collection, then age 1: survived one young
     * collection), then the old ones.  A young collection traces the young
     * nodes only, from young roots and from the old variables whose grad is
     * a young one (remembered). */
    ag_var **remembered;
    size_t remembered_len, remembered_cap;
    bool remember_failed;   /* out of memory remembering: the next collection is full */
    size_t promoted_bytes;  /* node + tensor bytes made old since the last full collection */
    size_t old_live_bytes;  /* what the last full collection kept */
    unsigned gc_pause;      /* the next full one when promoted >= gc_pause x old_live_bytes */
    bool grew;              /* the last full one kept >= 3/4 of what came in since the one before */
    bool nursery_alive;     /* the last young collection found >= 7/8 of the young nodes alive */
    size_t aged_nodes;      /* nodes of age 1 (what the last collection aged) */
    size_t young_collections, full_collections;
    size_t young_marked; /* nodes young collections marked (what they traced) */
    unsigned epoch;
    /* The mark a new node is given: 0 (young; epochs start at 1), or
     * NODE_OLD while ag_gc_auto makes new nodes old at once (pretenures
     * them: context.c, "generations"); pretenure_left more nurseries are
     * made so after the one being made. */
    unsigned new_mark, pretenure_left;
    unsigned backward_stamp;
    unsigned backward_calls; /* ag_backward calls that ran a graph, for ag_grad_calls */
    uint32_t change_clock;   /* counts in-place changes (ag_data), for their check in backward */
    ag_var *summed_data;     /* ag_backward_summed_data */
    /* ag_keep_last_grads: the gradient each variable received in the last
     * backward, ag_size(v) numbers at flow_numbers + v->flow_at for each
     * variable whose flow_pass is this one (backward.c). */
    bool keep_last_grads;
    /* backward_flat.c's flat pass is off: every backward takes the plain pass
     * (the tests that compare the two set it). */
    bool plain_backward;
    /* backward_flat.c: the last flat pass met an older gradient, so the next one
     * skips the quick pass, which would decline at it and start over (a
     * hint: both passes leave the same). */
    bool flat_met_older;
    /* ag_gc's full collection takes its plain version (context.c,
     * collect_as) instead of collect_full's fast one: the tests that compare
     * the two set it (AG_DEBUG_NO_REUSE takes the plain one too). */
    bool plain_gc;
    /* Set by ag_conv2d around the Im2col of an image that is data, when the
     * weights record: the op is recorded all the same (function.c,
     * apply_general), so the graph's convolution starts at the image, as a
     * Linear's starts at its data x, and a conv layer's folded box names its
     * window (ops_conv.c). */
    bool record_data;
    uint32_t flow_pass;              /* the kept pass's stamp, never 0 */
    double *flow_numbers;            /* one block for a whole pass, FLOW_NUMBERS_MAX at most */
    size_t flow_numbers_len, flow_numbers_cap;
    unsigned func_tag;       /* given to every function made (ag_set_func_tag) */
    ag_layer_fn layer_fn;    /* ag_observe_layers */
    void *layer_user;
    /* Reclaiming backward passes (backward.c): every step of a pass has its
     * own stamp, counted up from reclaim_first; reclaim_step is the running
     * step's (0 = no pass running), given to each variable made meanwhile. */
    unsigned reclaim_step, reclaim_first, reclaim_counter;
    ag_func **stack; /* gc mark stack (functions only): stack_len entries of stack_cap */
    size_t stack_len, stack_cap;
    /* AG_DEBUG_NO_REUSE=1 at ag_ctx_new: every node is its own malloc block,
     * freed when collected and never reused (context.c). */
    bool no_reuse;
    /* User-defined ops registered in the context (userop.c), and how many
     * of their callbacks are running (ag_gc is refused meanwhile). */
    struct ag_userop **userops;
    size_t nuserops, userops_cap;
    int in_callback;
    /* Models and optimizers tied to the context (ctx_attach). */
    struct ctx_owner *owners;
    size_t nowners, owners_cap;
    struct ctx_memory mem; /* the allocator and the buffer cache (memory.c) */
    /* The function whose backward rule the plain pass is running (its ops
     * then blame a non-finite result on "Div in Sqrt's backward", written
     * into nonfinite_text), else NULL. */
    const ag_func *backward_of;
    char nonfinite_text[64];
};
/* allocs_since_gc is no neighbour of a node count (see live_vars). */
#define CTX_FIELDS_APART(a, b)                                                                             \
    (offsetof(ag_ctx, a) + sizeof(size_t) != offsetof(ag_ctx, b) && offsetof(ag_ctx, b) + sizeof(size_t) != offsetof(ag_ctx, a))
_Static_assert(CTX_FIELDS_APART(allocs_since_gc, live_vars) && CTX_FIELDS_APART(allocs_since_gc, live_funcs),
               "allocs_since_gc is next to a node count");
#undef CTX_FIELDS_APART

/* ---- interrupts ----------------------------------------------------------------
 * Long loops look at the flag every INTERRUPT_BLOCK elements (well under a
 * millisecond of work) and per function in backward. */
#define INTERRUPT_BLOCK 65536
static inline bool ctx_interrupted(const ag_ctx *ctx) {
    return ctx->interrupt != NULL && *ctx->interrupt != 0;
}
/* For a forward that saw the flag: "SYMBOL: interrupted" (f's op), -1. */
int op_interrupted(ag_ctx *ctx, const ag_func *f);

/* ---- owners (context.c) ---------------------------------------------------------
 * A model or optimizer attaches itself to its context; ag_ctx_free calls its
 * detach function, which must forget every variable and the context (the
 * object can then only be freed).  Detach from the context when freed. */
typedef void (*ctx_detach_fn)(void *owner);
struct ctx_owner {
    void *owner;
    ctx_detach_fn detach;
};
/* 0, or -1 with "out of memory". */
int ctx_attach(ag_ctx *ctx, void *owner, ctx_detach_fn detach);
void ctx_detach(ag_ctx *ctx, void *owner); /* ctx may be NULL (already freed) */

/* The numbers a backward keeps for drawing (ag_last_grad) at most: 2^23, 64 MB
 * (2^20 in the web page's smaller memory).  A drawing shows far fewer; past it
 * the pass's later gradients are left out, so a backward of hundreds of MB of
 * gradients does not double its memory.  The block grows by doubling up to
 * FLOW_NUMBERS_JUMP (1 MB), then at once to the most (flows_reserve): a large
 * block's pages come from the system as they are first written, and growing
 * it again would copy it, tens of MB without a look at an interrupt (a
 * backward of 640 MB of gradients stopped 0.4 s after Ctrl-C, in realloc). */
#ifdef __EMSCRIPTEN__
#define FLOW_NUMBERS_MAX ((size_t)1 << 20)
#else
#define FLOW_NUMBERS_MAX ((size_t)1 << 23)
#endif
#define FLOW_NUMBERS_JUMP ((size_t)1 << 17)
/* Forgets the last backward's gradients and frees their block (backward.c). */
void ctx_clear_flows(ag_ctx *ctx);

/* ---- collector state in `mark` (context.c) ---------------------------------
 * NODE_OLD: the node survived two young collections, or a full one, or was
 * made old (ctx->new_mark).
 * NODE_AGED: a young node that survived one young collection (age 1; a node
 * with neither bit is age 0, made since the last collection).
 * VAR_REMEMBERED: an old variable on the remembered list.
 * FUNC_SCALAR (functions only): made by the scalar path, so
 * every input and output has one element (backward.c's reclaiming).
 * The low bits hold the epoch of its last marking. */
#define NODE_OLD (1u << 31)
#define VAR_REMEMBERED (1u << 30)
#define NODE_AGED (1u << 29)
#define FUNC_SCALAR (1u << 28)
#define EPOCH_BITS (FUNC_SCALAR - 1u)

/* Records that an old variable now points at a young one (its grad, of age 0
 * or 1). */
void ctx_remember(ag_ctx *ctx, ag_var *v);
/* Every write of a grad link goes through here (the collector's write
 * barrier).  ctx_remember's common case, room in the list, is inline: a
 * step of a C loop that collects every step gives each of its old leaves a
 * young gradient (W1: four calls a step). */
static inline void var_set_grad(ag_var *v, ag_var *grad) {
    v->grad = grad;
    if ((v->mark & (NODE_OLD | VAR_REMEMBERED)) == NODE_OLD && grad != NULL && !(grad->mark & NODE_OLD)) {
        ag_ctx *ctx = v->ctx;
        if (ctx->remembered_len < ctx->remembered_cap) {
            ctx->remembered[ctx->remembered_len++] = v;
            v->mark |= VAR_REMEMBERED;
        } else {
            ctx_remember(ctx, v);
        }
    }
}

/* ---- node allocation (node_slabs.c) ----------------------------------------
 * Nodes come from per-context free lists, then from the newest slab's unused
 * tail, then from a new slab.  A new variable is
 * zeroed except ctx, mark, flags (AG_VAR_BACKWARD inside a backward pass)
 * and pass; it is put at the head of the live list.  NULL + "out of memory".
 * A new function node is zeroed except mark, tag, made_at and the inline
 * input/output arrays; at the head of the live list.  NULL + "out of memory".
 * The common case, a node on the free list, is inline here (a scalar op
 * makes a variable and a function: the calls were a tenth of their cost);
 * the slow paths, a slab's tail or a new slab, are in node_slabs.c. */
ag_var *ctx_alloc_var_slow(ag_ctx *ctx);
ag_func *ctx_alloc_func_slow(ag_ctx *ctx);
/* ag_ctx_free's part: every node's storage and every slab (node_slabs.c). */
void ctx_free_nodes(ag_ctx *ctx);

/* Zeroes a node handed out again: plainly memset(p, 0, bytes).  gcc makes
 * a memset of this size `rep stos`, which takes longer to start than the
 * whole clear (11% of a scalar loop), and a copy from a static zero node
 * loads everything it stores (22 moves for a variable).  So 16-byte stores
 * of one zeroed register, the last one overlapping the one before when
 * bytes is not a multiple of 16 (bytes >= 16); the empty asm keeps gcc from
 * turning the loop back into a memset. */
typedef long long node_chunk __attribute__((vector_size(16), aligned(8), may_alias));
static inline void clear_node(void *p, size_t bytes) {
#ifdef __EMSCRIPTEN__
    memset(p, 0, bytes); /* wasm has no `rep stos`; its memset is a loop of stores */
#else
    const node_chunk zero = {0};
    char *c = p;
#pragma GCC unroll 16
    for (size_t i = 0; i + 16 <= bytes; i += 16) {
        *(node_chunk *)(c + i) = zero;
        __asm__("" : : "r"(c) : "memory");
    }
    if (bytes % 16 != 0) *(node_chunk *)(c + bytes - 16) = zero;
#endif
}

/* v, just taken from the free list or a new slab, made a new variable. */
static inline ag_var *ctx_init_var(ag_ctx *ctx, ag_var *v) {
    clear_node(v, sizeof *v);
    v->ctx = ctx;
    v->mark = ctx->new_mark;
    unsigned step = ctx->reclaim_step;
    v->pass = step;
    if (ctx->in_backward) v->flags |= AG_VAR_BACKWARD;
    ag_var *head = ctx->vars;
    v->next_live = head;
    /* prev_live is kept only while a reclaiming pass runs (see ctx_reclaim_var) */
    if (step != 0 && head != NULL) head->prev_live = v;
    ctx->vars = v;
    ctx->live_vars++;
    ctx->allocs_since_gc++;
    return v;
}

static inline ag_func *ctx_init_func(ag_ctx *ctx, ag_func *f) {
    clear_node(f, sizeof *f);
    f->mark = ctx->new_mark;
    f->tag = ctx->func_tag;
    f->made_at = ctx->change_clock;
    f->inputs = f->inline_inputs;
    f->outputs = f->inline_outputs;
    f->next_live = ctx->funcs;
    ctx->funcs = f;
    ctx->live_funcs++;
    ctx->allocs_since_gc++;
    return f;
}

/* The free lists' pop, written once for both lists: ctx_alloc_var and
 * ctx_alloc_func take their common case through it, and so does the scalar
 * path's quick case (scalar_quick_result below).  `list` is &ctx->free_vars
 * or &ctx->free_funcs, not empty; its head, a node of `bytes` bytes whose
 * next_live is `link` bytes in, is taken off and made addressable again (a
 * free node is poisoned but for its link: context.c).  The head and the
 * link are pointers of either node type, so they are moved with memcpy (one
 * move each) rather than read through a pointer of another type.  The next
 * node is not prefetched: a prefetch of the list's NULL end is a page walk
 * that finds no page, which held back W1's every step (its last function
 * pop, in ag_add, about 2 % of the step: perf record), and with the NULL
 * case skipped it made W1 no faster than no prefetch at all, nor the chain
 * sweep's long free lists (bench/README.md, seventeenth pass). */
static inline __attribute__((always_inline)) void *free_list_pop(void *list, size_t bytes, size_t link) {
    char *node, *next;
    memcpy(&node, list, sizeof node);
    UNPOISON(node, bytes);
    memcpy(&next, node + link, sizeof next);
    memcpy(list, &next, sizeof next);
    return node;
}
static inline __attribute__((always_inline)) ag_var *free_var_pop(ag_ctx *ctx) {
    return free_list_pop(&ctx->free_vars, sizeof(ag_var), offsetof(ag_var, next_live));
}
static inline __attribute__((always_inline)) ag_func *free_func_pop(ag_ctx *ctx) {
    return free_list_pop(&ctx->free_funcs, sizeof(ag_func), offsetof(ag_func, next_live));
}

/* The next node of the newest slab's unused tail, which is not empty
 * (ctx->tail_vars != ctx->end_vars; likewise for functions): the tail is
 * poisoned until handed out (node_slabs.c, grow). */
static inline __attribute__((always_inline)) ag_var *tail_var_take(ag_ctx *ctx) {
    ag_var *v = ctx->tail_vars++;
    UNPOISON(v, sizeof *v);
    return v;
}
static inline __attribute__((always_inline)) ag_func *tail_func_take(ag_ctx *ctx) {
    ag_func *f = ctx->tail_funcs++;
    UNPOISON(f, sizeof *f);
    return f;
}

/* A collected node inline, else the call: the tail's next, or a new
 * slab's first.  (The scalar path's quick case takes the tail inline too:
 * scalar_quick_result.) */
static inline ag_var *ctx_alloc_var(ag_ctx *ctx) {
    if (__builtin_expect(ctx->free_vars == NULL, 0)) return ctx_alloc_var_slow(ctx);
    return ctx_init_var(ctx, free_var_pop(ctx));
}

static inline ag_func *ctx_alloc_func(ag_ctx *ctx) {
    if (__builtin_expect(ctx->free_funcs == NULL, 0)) return ctx_alloc_func_slow(ctx);
    return ctx_init_func(ctx, free_func_pop(ctx));
}
/* Frees every slab none of whose nodes is alive, and the mark stack; returns
 * the slab bytes freed (ag_gc_release). */
size_t ctx_release_slabs(ag_ctx *ctx);
/* Takes v (made during the running reclaiming backward pass and referred to
 * by nothing) off the live list and back to the free list; its data goes
 * when the node is reused. */
void ctx_reclaim_var(ag_ctx *ctx, ag_var *v);
/* For an op's backward in a reclaiming pass (backward.c): x's gradient when
 * the op may add its gradient for x straight into that buffer, as the pass
 * would add it in place afterwards (x.grad made by this pass, referred to by
 * x's slot only, of this shape, finite check off); NULL otherwise.  An op
 * that adds into it leaves its gxs entry NULL. */
ag_var *backward_sum_target(ag_ctx *ctx, ag_var *x, int ndim, const int *shape);
/* backward.c, for the functional grad (grad_of.c): a pass asked for from
 * inside a pass is refused, with name's error (true); y usable as the
 * output of a pass (0, or -1 with what's error). */
bool backward_refused_nested(ag_ctx *ctx, const char *name);
int backward_check_output(ag_ctx *ctx, const char *what, const ag_var *y);

/* ---- op table (ops_table.c, made from AG_OP_LIST in ag_ops.h) ---------------
 * forward: compute f's output tensors ys[0..noutputs) from f->inputs and
 *   f->params; 0, or -1 with the ctx error set (shapes are checked here).
 * backward: gradients for each input from gys (one per output, may be NULL
 *   for unused outputs), written to gxs (NULL = no gradient for that input),
 *   built from public ops so create_graph can record them; 0 or -1.
 * label (optional): writes what follows the name in a graph label, from the
 *   params, into buf[0..n) ("(2)", "(axis=0)"); NULL = the name alone.
 * scalar (optional): one element of an elementwise op from one-element
 *   inputs a (and b), computed exactly as the forward computes each element;
 *   op_apply's fast path for 0-d variables.  NULL = no fast path. */
typedef int (*ag_forward_fn)(ag_ctx *ctx, ag_func *f, ag_tensor *ys);
typedef int (*ag_backward_fn)(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs);
typedef void (*ag_label_fn)(const ag_op_params *p, char *buf, size_t n);
typedef double (*ag_scalar_fn)(const ag_op_params *p, double a, double b);
/* scalar_grad (optional): the gradients of a one-element function from its
 * output's gradient gy, its inputs a (and b) and its output y, computed
 * exactly as the op's backward computes them for one element when no graph
 * is recorded: *ga for the first input and, for two inputs, *gb for the
 * second.  Returns SCALAR_GRAD_PASSES_A / _B for a gradient that the
 * backward hands on as gy's own variable (Add's two, Sub's first), 0 when
 * each is a new one.  Backward's flat pass for graphs of one-element values
 * uses it (backward.c).  NULL = that pass does not take graphs with the op. */
#define SCALAR_GRAD_PASSES_A 1u
#define SCALAR_GRAD_PASSES_B 2u
typedef unsigned (*ag_scalar_grad_fn)(const ag_op_params *p, double gy, double a, double b, double y,
                                      double *ga, double *gb);

typedef struct ag_op_def {
    int id;             /* the op's number: AG_OP_ADD, or AG_OP_USER + n */
    const char *name;   /* graph label: "Add" */
    const char *symbol; /* for error messages: "add" */
    int arity;          /* -1 = variadic */
    ag_forward_fn forward;
    ag_backward_fn backward;
    ag_label_fn label;
    ag_scalar_fn scalar;
    ag_scalar_grad_fn scalar_grad;
    const char *rule;   /* the local derivative per input (ag_op_rule) */
} ag_op_def;

/* Each built-in op's row is its own object, op_row_AG_OP_<ID>, reached only
 * through the op's public function (op_apply(ctx, AG_OP_SIN, ...) names it),
 * and a function node keeps its row: a static program linked with
 * --gc-sections carries only the ops it calls (and the libm routines they
 * need), not the whole list. */
#define OP_ROW(op) (&op_row_##op)
#define OP_ROW_DECLARE(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule) \
    extern const ag_op_def op_row_AG_OP_##ID;
AG_OP_LIST(OP_ROW_DECLARE)
#undef OP_ROW_DECLARE

/* What is known of every built-in op by its number, without its functions
 * (names for errors and ag_op_name, arity, rule).  Sized by its rows (a
 * check in ops_table.c compares them to AG_OP_COUNT). */
#define OP_MAX_NAMED_INPUTS 3 /* Linear's x, W, b */
typedef struct ag_op_info {
    const char *name, *symbol;
    int arity;
    const char *rule;
    const char *input[OP_MAX_NAMED_INPUTS]; /* the row's OPERANDS or INPUT_NAMES, or NULLs */
    bool drawn;                             /* OPERANDS: the names are drawn on graph edges */
    const char *operands_text;              /* OPERANDS' reading "a − b", or NULL */
    bool gradient;                          /* GRAD (true) or NO_GRAD */
} ag_op_info;
extern const ag_op_info ag_op_table[];

/* The row of f's op: a built-in op's, or the one a user op was registered
 * with (userop.c). */
#define func_def(f) ((f)->row)
/* Frees the context's user ops (ag_ctx_free). */
void userops_free(ag_ctx *ctx);


/* The label hooks (function.c), named by the list's label column. */
void op_label_P(const ag_op_params *p, char *buf, size_t n);     /* "(2)" */
void op_label_CLIP(const ag_op_params *p, char *buf, size_t n);  /* "(0, 1)" */
void op_label_AXES(const ag_op_params *p, char *buf, size_t n);  /* "(axis=[0 1])" when given */
void op_label_AXIS(const ag_op_params *p, char *buf, size_t n);  /* "(axis=1)" */
void op_label_SHAPE(const ag_op_params *p, char *buf, size_t n); /* "([2 3])" */
void op_label_KERNEL(const ag_op_params *p, char *buf, size_t n); /* "(kernel=[3 3], stride=[2 2])" (ops_conv.c) */
#define op_label_NONE NULL

/* Runs op on inputs: checks for NULL inputs (returns NULL silently), runs
 * the forward, wraps the outputs in new variables, and records a function
 * node when backprop is enabled.  params may be NULL (all zero); its ints are
 * copied.  With noutputs > 1 the outputs go to outs[] and the first is
 * returned. */
ag_var *op_apply_row(ag_ctx *ctx, const ag_op_def *row, const ag_op_params *params,
                     ag_var *const *inputs, int ninputs, int noutputs, ag_var **outs);
/* op_apply(ctx, AG_OP_SIN, ...): op_apply_row with that op's row (op is the
 * enum constant's name, or a macro parameter that receives one). */
#define op_apply(ctx, op, ...) op_apply_row(ctx, OP_ROW(op), __VA_ARGS__)

/* ---- the scalar path's own entries ---------------------------------------------
 * The public functions of the common elementwise ops (ag_add .. ag_pow,
 * ag_exp, ag_sin, ...) try these first: on one-element variables of this
 * context they compute the element with the op's own scalar hook, inlined
 * where the op is defined, and hand it to op_scalar_result, without
 * op_apply_row's argument array, row look-ups and general checks.  Anything
 * else (a NULL input, a collected variable, one of another context, more
 * elements, shapes of different ranks) goes to op_apply_row, whose checks
 * name the error exactly as before. */

/* Whether x may be an input of the scalar path: a variable of ctx (ctx not
 * NULL: a collected variable's ctx is NULL) with one element. */
static inline bool scalar_operand(const ag_ctx *ctx, const ag_var *x) {
    return x != NULL && x->ctx == ctx && ctx != NULL && x->t.size == 1;
}
/* a and b together: both scalar operands with the same number of dims (all
 * of them 1), so the result has their shape and no broadcast is involved. */
static inline bool scalar_pair(const ag_ctx *ctx, const ag_var *a, const ag_var *b) {
    return scalar_operand(ctx, a) && scalar_operand(ctx, b) && a->t.ndim == b->t.ndim;
}
/* The scalar path's result (function.c): a new one-element variable shaped
 * like a holding value, which row's scalar hook computed from a (and b, or
 * NULL for a one-input op); with gradients on, a function node records it.
 * As op_apply_row's scalar path: the finite check may name row; NULL + "out
 * of memory".  _p: for a one-input op with parameter p (params.p), kept
 * apart so that the others do not carry it across the allocations. */
ag_var *op_scalar_result(ag_ctx *ctx, const ag_op_def *row, ag_var *a, ag_var *b, double value);
ag_var *op_scalar_result_p(ag_ctx *ctx, const ag_op_def *row, double p, ag_var *x, double value);
/* op_apply_row(ctx, row, {.p = p}, {x}), out of the entries' line (its
 * parameters' block is not on their stack). */
ag_var *op_apply_one_p_general(ag_ctx *ctx, const ag_op_def *row, double p, ag_var *x);

/* A variable of one element, shaped (1, ..., 1) with ndim dims, stored
 * inline: no malloc for the scalars that most lessons are made of.
 * var_set_scalar makes v, just handed out by ctx_alloc_var, that variable
 * (var_new_scalar below allocates and sets it). */
static inline ag_var *var_set_scalar(ag_var *v, int ndim, double value) {
    v->t.ndim = ndim;
    for (int i = 0; i < ndim; i++) v->t.shape[i] = 1;
    v->t.size = 1;
    v->t.data = &v->scalar_storage;
    v->scalar_storage = value;
    return v;
}

/* f, a function node just made, made the record of y = row(a) or row(a, b)
 * (b NULL for one input) on the scalar path: marked FUNC_SCALAR for
 * backward.c, with params' p and hi (the only parameters of the ops with a
 * scalar hook) unless params is NULL, and y's generation one past its
 * inputs'.  A new function node is zeroed, its inputs and outputs pointing
 * at its inline arrays (ctx_init_func), so what stays zero is not stored.
 * Both ways of making a scalar result use it: function.c's scalar_record and
 * scalar_quick_result below. */
static inline __attribute__((always_inline)) void scalar_func_record(ag_func *f, const ag_op_def *row,
                                                                     const ag_op_params *params, ag_var *a,
                                                                     ag_var *b, ag_var *y) {
    f->mark |= FUNC_SCALAR;
    f->op = row->id;
    f->row = row;
    if (params != NULL) {
        f->p = params->p;
        f->hi = params->hi;
    }
    int generation = a->generation;
    f->inputs[0] = a;
    if (b != NULL) {
        f->inputs[1] = b;
        if (b->generation > generation) generation = b->generation;
    }
    f->ninputs = b != NULL ? 2 : 1;
    f->noutputs = 1;
    f->generation = generation;
    f->outputs[0] = y;
    y->creator = f;
    y->generation = generation + 1;
}

/* The scalar path's usual case, made inside each entry with no call on its
 * path: gradients on, an input that is no constant, a node of each type on
 * its free list or else in its slab's unused tail (a fresh graph's case:
 * nothing collected yet), and the value finite or the finite check off.  Then scalar_quick_result takes the
 * two nodes (free_list_pop, as ctx_alloc_var and ctx_alloc_func do, else
 * tail_*_take, as their slow paths do), makes them new (ctx_init_var,
 * ctx_init_func) and fills them in as op_scalar_result does.  The plain
 * algorithm is function.c's scalar_record, which takes every other case (a
 * list and its tail empty, an allocation that may fail, gradients
 * off, constants alone, the finite check's verdict); both leave the same nodes and counts
 * (tests/unit/test_scalar_path.c compares them).  The row, the number of
 * inputs and the parameters are the entry's constants.  input_flags: the
 * flags every input has (a & b). */
static inline __attribute__((always_inline)) bool scalar_quick(const ag_ctx *ctx, unsigned input_flags, double value) {
    return ctx->grad_enabled && !(input_flags & AG_VAR_CONST) &&
           (ctx->free_vars != NULL || ctx->tail_vars != ctx->end_vars) &&
           (ctx->free_funcs != NULL || ctx->tail_funcs != ctx->end_funcs) &&
           !(ctx->check_finite && !isfinite(value));
}
static inline __attribute__((always_inline)) ag_var *scalar_quick_result(ag_ctx *ctx, const ag_op_def *row,
                                                                         const ag_op_params *params,
                                                                         ag_var *a, ag_var *b, double value) {
    ag_var *y = __builtin_expect(ctx->free_vars != NULL, 1) ? free_var_pop(ctx) : tail_var_take(ctx);
    ag_func *f = __builtin_expect(ctx->free_funcs != NULL, 1) ? free_func_pop(ctx) : tail_func_take(ctx);
    ctx_init_var(ctx, y);
    ctx_init_func(ctx, f);
    var_set_scalar(y, a->t.ndim, value);
    scalar_func_record(f, row, params, a, b, y);
    return y;
}

/* op_apply_row(ctx, row, NULL, {a, b}) for a two-input op without
 * parameters whose scalar hook is `hook` (a function of the calling file,
 * which the compiler inlines here). */
static inline ag_var *op_apply_pair(ag_ctx *ctx, const ag_op_def *row, ag_scalar_fn hook, ag_var *a,
                                    ag_var *b) {
    if (scalar_pair(ctx, a, b)) {
        double value = hook(&(const ag_op_params){0}, a->t.data[0], b->t.data[0]);
        if (__builtin_expect(scalar_quick(ctx, a->flags & b->flags, value), 1))
            return scalar_quick_result(ctx, row, NULL, a, b, value);
        return op_scalar_result(ctx, row, a, b, value);
    }
    return op_apply_row(ctx, row, NULL, (ag_var *[]){a, b}, 2, 1, NULL);
}
/* op_apply_row(ctx, row, NULL, {x}) for a one-input op without parameters. */
static inline ag_var *op_apply_one(ag_ctx *ctx, const ag_op_def *row, ag_scalar_fn hook, ag_var *x) {
    if (scalar_operand(ctx, x)) {
        double value = hook(&(const ag_op_params){0}, x->t.data[0], 0.0);
        if (__builtin_expect(scalar_quick(ctx, x->flags, value), 1))
            return scalar_quick_result(ctx, row, NULL, x, NULL, value);
        return op_scalar_result(ctx, row, x, NULL, value);
    }
    return op_apply_row(ctx, row, NULL, (ag_var *[]){x}, 1, 1, NULL);
}
/* op_apply_row(ctx, row, {.p = p}, {x}) for a one-input op whose one
 * parameter is p (pow's exponent, leaky_relu's slope). */
static inline ag_var *op_apply_one_p(ag_ctx *ctx, const ag_op_def *row, ag_scalar_fn hook, double p,
                                     ag_var *x) {
    if (scalar_operand(ctx, x)) {
        const ag_op_params params = {.p = p};
        double value = hook(&params, x->t.data[0], 0.0);
        if (__builtin_expect(scalar_quick(ctx, x->flags, value), 1))
            return scalar_quick_result(ctx, row, &params, x, NULL, value);
        return op_scalar_result_p(ctx, row, p, x, value);
    }
    return op_apply_one_p_general(ctx, row, p, x);
}

/* Whether x may be an input of op: false, leaving "reshape: input 1 is NULL"
 * (unless a message is already set) or "...belongs to another context",
 * when it may not.  For ops that look at x before op_apply does. */
bool op_input_ok(ag_ctx *ctx, int op, const ag_var *x);

/* A new leaf variable taking ownership of t's storage (t is left empty).
 * NULL on out-of-memory (t is freed then). */
ag_var *var_from_tensor(ag_ctx *ctx, ag_tensor *t);
/* ag_zeros, with errors naming `what` ("rand: shape [...] ..."). */
ag_var *var_zeros_named(ag_ctx *ctx, const char *what, int ndim, const int *shape);
/* A new leaf of one element shaped like `like` (which has one element),
 * stored inline.  NULL + "out of memory". */
ag_var *var_scalar_like(ag_ctx *ctx, const ag_var *like, double value);
/* A new one-element variable of ndim dims holding value (var_set_scalar
 * above), inline for the scalar path's every op (var_scalar_like is the
 * same); NULL + "out of memory". */
static inline ag_var *var_new_scalar(ag_ctx *ctx, int ndim, double value) {
    ag_var *v = ctx_alloc_var(ctx);
    return v != NULL ? var_set_scalar(v, ndim, value) : NULL;
}
/* A new leaf shaped like `like` with uninitialized data (inline when it has
 * one element).  NULL + "out of memory". */
ag_var *var_uninit_like(ag_ctx *ctx, const ag_var *like);
/* A 0-d constant leaf flagged AG_VAR_CONST. */
ag_var *const_scalar(ag_ctx *ctx, double value);

/* ---- elementwise kernels, one home (ops_map.c) ------------------------------------
 * Forwards: 0, or -1 with the error set ("out of memory", "NAME: interrupted"). */
/* ys[0] = the row's scalar hook on each element of f's one input. */
int map_unary(ag_ctx *ctx, ag_func *f, ag_tensor *ys);
/* ys[0] = fn over f's one input (mathfn.c's vectorized kernels), a block at a time. */
int map_array(ag_ctx *ctx, ag_func *f, ag_tensor *ys, void (*fn)(double *, const double *, size_t));
/* ys[0] over f's inputs (up to 3) broadcast together: fn(v) with v[k] the
 * element of input k, or, when fn is NULL, the row's scalar hook on the
 * elements of the (one or two) inputs. */
int map_broadcast(ag_ctx *ctx, ag_func *f, ag_tensor *ys, double (*fn)(const double *v));
/* map_broadcast with the scalar hook: the forward of a pointwise op of one or two inputs that broadcast. */
int map_broadcast_hook(ag_ctx *ctx, ag_func *f, ag_tensor *ys);
/* ys[0] = a OP b for f's two inputs broadcast together, by tensor.c's
 * t_binary (the arithmetic ops' kernels, unrolled so -O2 vectorizes them;
 * each element as the row's scalar hook computes it): Add, Sub, Mul, Div
 * and Pow with a variable exponent.  Same shapes or a single value run a
 * block at a time, looking for an interrupt. */
int map_arith(ag_ctx *ctx, ag_func *f, ag_tensor *ys, t_binop op);
/* The op of row `op` applied to x, or to a and b (params p may be NULL). */
ag_var *op_unary(ag_ctx *ctx, const ag_op_def *op, const ag_op_params *p, ag_var *x);
ag_var *op_binary(ag_ctx *ctx, const ag_op_def *op, const ag_op_params *p, ag_var *a, ag_var *b);
/* A constant leaf shaped like x holding rule(x[i], p): the 0/1 (or sign)
 * masks backwards multiply by.  NULL + the error when out of memory. */
ag_var *const_map(ag_ctx *ctx, const ag_var *x, double (*rule)(double, const ag_op_params *),
                  const ag_op_params *p);
/* The same over f's two inputs broadcast together: a constant, 1 where
 * pred(a, b) holds, else 0; *any says whether it holds anywhere. */
ag_var *const_map2(ag_ctx *ctx, const ag_func *f, bool (*pred)(double, double), bool *any);
/* Neg's element rule (its forward, and inside cos's and div's gradients). */
static inline double negate(double x) { return -1.0 * x; }
/* g summed down to x's shape when they differ, else g itself. */
ag_var *reduce_to_shape(ag_ctx *ctx, ag_var *g, const ag_var *x);
/* reduce_to_shape, with the 0-d case (both 0-d: g itself) answered inline. */
static inline ag_var *reduce_to(ag_ctx *ctx, ag_var *g, const ag_var *x) {
    if (g != NULL && x != NULL && g->t.ndim == 0 && x->t.ndim == 0) return g;
    return reduce_to_shape(ctx, g, x);
}
/* ---- direct backwards ----------------------------------------------------------
 * Without create_graph nothing records the backward's ops, so a gradient like
 * gy * (1 - y*y) can be computed in one pass into one new variable instead of
 * four ops, three temporaries and a constant.  The loop evaluates exactly the
 * expression the ops would, in the same order, so the numbers are identical.
 * It applies when gy is shaped like x (else the ops' broadcasting decides the
 * result's shape).  With the finite check on, a non-finite result falls back
 * to the ops, so the check still names the op that produced it. */

/* Whether input i of f gets a gradient: a constant (AG_VAR_CONST) gets none
 * (ag_backward drops one anyway), so an op's backward may skip making it. */
static inline bool input_wants_grad(const ag_func *f, int i) { return !(f->inputs[i]->flags & AG_VAR_CONST); }

/* Whether the direct path applies to f (one output) with incoming gradient
 * gy, and if so a new gradient variable shaped like f's first input (NULL
 * when memory runs out or it does not apply). */
bool direct_applies(const ag_ctx *ctx, const ag_func *f, const ag_var *gy);
ag_var *direct_target(ag_ctx *ctx, const ag_func *f, const ag_var *gy);
/* True when g, just computed directly, may stand (see above). */
bool direct_accept(const ag_ctx *ctx, const ag_var *g);
/* Whether op's results are finite whenever its inputs are (function.c). */
bool op_keeps_finite(int op);

/* A unary op's gradient rule over whole arrays: g[i] from gy[i], x[i] (the
 * input) and y[i] (the output). */
typedef void (*direct_rule)(double *restrict g, const double *restrict gy,
                            const double *restrict x, const double *restrict y, size_t n,
                            const ag_op_params *p);
/* Computes gxs[0] of f by rule when the direct path applies; false (nothing
 * set) when the caller must build it from ops. */
bool direct_grad(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs, direct_rule rule);

/* Defines `static void NAME(...)`, a direct_rule computing g[i] = EXPR, where
 * EXPR may use gy, x, y and p.  Unrolled by 4 over restrict parameters, the
 * four results computed before any is stored: the shape GCC's -O2
 * vectorizes (no overlap check, no remainder inside the loop, no branch). */
#define DIRECT_RULE(NAME, EXPR)                                                        \
    static inline double NAME##_at(double gy, double x, double y,                      \
                                   const ag_op_params *p) {                            \
        (void)gy, (void)x, (void)y, (void)p;                                           \
        return (EXPR);                                                                 \
    }                                                                                  \
    static void NAME(double *restrict g, const double *restrict gy,                    \
                     const double *restrict x, const double *restrict y, size_t n,     \
                     const ag_op_params *p) {                                          \
        size_t i = 0;                                                                  \
        for (; i + 4 <= n; i += 4) {                                                   \
            double r0 = NAME##_at(gy[i], x[i], y[i], p);                               \
            double r1 = NAME##_at(gy[i + 1], x[i + 1], y[i + 1], p);                   \
            double r2 = NAME##_at(gy[i + 2], x[i + 2], y[i + 2], p);                   \
            double r3 = NAME##_at(gy[i + 3], x[i + 3], y[i + 3], p);                   \
            g[i] = r0, g[i + 1] = r1, g[i + 2] = r2, g[i + 3] = r3;                    \
        }                                                                              \
        for (; i < n; i++) g[i] = NAME##_at(gy[i], x[i], y[i], p);                     \
    }


/* Defines op_<stem>_scalar_grad from the DIRECT_RULE `rule`: a one-input
 * op's gradient for one element is its direct rule's (the rule its backward
 * uses whenever no graph is recorded). */
#define SCALAR_GRAD_OF_RULE(stem, rule)                                                \
    unsigned op_##stem##_scalar_grad(const ag_op_params *p, double gy, double a,       \
                                     double b, double y, double *ga, double *gb) {     \
        (void)b, (void)gb;                                                             \
        *ga = rule##_at(gy, a, y, p);                                                  \
        return 0;                                                                      \
    }

/* sigmoid is upstream's 0.5 + 0.5 tanh(x/2) from here up and e/(1+e),
 * e = exp(x), below.  Upstream's form loses digits to cancellation as
 * sigmoid(x) -> 0: measured over 20,000 arguments per half unit, its worst
 * relative error is 2.7e-16 on [-1, -0.5), 6.1e-13 on [-10, -9.5), 1.0e-12
 * on [-10.5, -10), 1.7e-4 at -30, and 100% below -37.5 (it gives 0).  The
 * switch keeps it where it is within 1e-12 (a thousandth of the 1e-9 the
 * PyTorch conformance run allows); the tail form is within 3.3e-16. */
#define SIGMOID_TAIL (-10.0)

/* mathfn.c: tanh and sigmoid (upstream's form, tail above) over arrays, vectorized,
 * the same bits on every machine and at every width; y may equal x.
 * The _lanes forms run a given width (2, 4 or 8, capped at what the CPU
 * has) for the tests; fn_lanes says which width a request gets. */
void fn_tanh_n(double *y, const double *x, size_t n);
void fn_sigmoid_n(double *y, const double *x, size_t n);
double fn_tanh(double x);
double fn_sigmoid(double x);
void fn_tanh_lanes(double *y, const double *x, size_t n, int lanes);
void fn_sigmoid_lanes(double *y, const double *x, size_t n, int lanes);
int fn_lanes(int lanes);

/* "[2 3]" for messages; buf of SHAPE_BUF (AG_SHAPEBUF) bytes. */
#define SHAPE_BUF AG_SHAPEBUF
const char *shape_str(const ag_tensor *t, char *buf);
/* "op: shapes A and B are not aligned: LEFT has n columns, RIGHT m rows"
 * (ops_shape.c), for matmul and linear; -1. */
int matmul_not_aligned(ag_ctx *ctx, const char *op, const char *left, const char *right, const ag_tensor *a,
                       const ag_tensor *b);

/* Declarations of every op's functions (ops_*.c), from the op list. */
#define OP_DECLARE_SCALAR_YES(stem) double op_##stem##_scalar(const ag_op_params *p, double a, double b);
#define OP_DECLARE_SCALAR_FULL(stem)                                                   \
    OP_DECLARE_SCALAR_YES(stem)                                                        \
    unsigned op_##stem##_scalar_grad(const ag_op_params *p, double gy, double a, double b,     \
                                     double y, double *ga, double *gb);
#define OP_DECLARE_SCALAR_NO(stem)
#define OP_DECLARE(ID, stem, name, symbol, arity, label, scalar, operands, grad, rule)                    \
    int op_##stem##_forward(ag_ctx *ctx, ag_func *f, ag_tensor *ys);                 \
    int op_##stem##_backward(ag_ctx *ctx, ag_func *f, ag_var *const *gys, ag_var **gxs); \
    OP_DECLARE_SCALAR_##scalar(stem)
AG_OP_LIST(OP_DECLARE)
#undef OP_DECLARE

/* A backward whose one gradient is gxs[0]: 0, or -1 when making it failed. */
#define RETURN_GX0 return gxs[0] ? 0 : -1

#endif
