/* ag_core.h — contexts, variables, functions, backward, memory and errors.
 *
 * THE CONTRACT
 *
 * Errors.  No call aborts or exits.  A failing call returns NULL (or -1) and
 * leaves a message in its context (ag_errmsg).  Any op given a NULL input
 * returns NULL and keeps the message already there (or leaves "mul: input 1
 * is NULL" when there is none), so a whole expression can be checked once at
 * the end.  Errors are sticky: ag_failed() and the message stay set, through
 * later calls that succeed, until ag_clear_error() (a later failure replaces
 * the message; a NULL passed along does not).
 *
 * NULL handles.  Every function accepts NULL for every handle (ag_ctx,
 * ag_var, ag_func, ag_model, ag_optim, ag_rng, ag_userop, and the variables
 * in an array) and answers "nothing" by its return type: a pointer NULL, a
 * status -1, a count or size 0, a number NaN, a bool false, a name "", a
 * void call does nothing.  When a context is at hand (a context, model or
 * optimizer argument that is not NULL), the call fails with a message
 * naming what was NULL, unless one is set already.  Exceptions, each
 * written at its function: ag_errmsg(NULL) is a message, ag_failed(NULL)
 * true, ag_func_op(NULL) and ag_model_get_kind(NULL) -1,
 * ag_model_describe and ag_optim_describe write "(no model)" /
 * "(no optimizer)", ag_func_label writes "", ag_var_string gives "<nil>",
 * ag_optim_get_config(NULL) has kind AG_OPTIM_KIND_COUNT and NaN numbers,
 * and where NULL has a meaning (ag_linear's bias, ag_rand's generator, a
 * NULL gradient for ag_set_grad or ag_func_input_grad, ag_optim_bind_model's
 * model) it is that.  tests/unit/gen_null_test.py checks all of this for every
 * function the headers declare.
 *
 * Memory.  Every node (variable or function) belongs to one context and is
 * never freed one by one.  The caller marks the variables it keeps as roots
 * (ag_retain) and calls ag_gc(), which frees every node not reachable from a
 * root, or frees the whole context.  A retained variable keeps alive its
 * gradient (and the gradient's graph) and the whole graph that made it,
 * through creator, inputs and outputs, create_graph cycles included.  AFTER
 * ag_gc, EVERY POINTER TO A VARIABLE THAT WAS NOT REACHABLE FROM A ROOT IS
 * INVALID, and its node may be handed to the next variable made, so a stale
 * pointer silently reads a new value (e.g. a loss summed over a BPTT window
 * must be retained if ag_gc runs inside the window).  Setting AG_DEBUG_NO_REUSE=1 in the
 * environment before ag_ctx_new makes every node its own malloc block, freed
 * when collected and never reused: valgrind and AddressSanitizer then report
 * the stale read.  Models and optimizers retain what they own; a recurrent
 * model's hidden state keeps every step's graph alive until
 * ag_unchain_backward or ag_model_reset_state.
 *
 * Contexts.  An op, ag_backward, ag_set_grad, a model or an optimizer given a
 * variable of another context fails with "...belongs to another context".
 * ag_ctx_free may come before ag_model_unref/ag_optim_free: the models and
 * optimizers still alive then forget their variables, and can only be freed.
 *
 * Threads.  The library changes no process-wide setting by itself, and its
 * only process-wide state is OpenBLAS's handle (below), set once and never
 * changed.  A context and everything made from it may be used by one thread
 * at a time; different contexts may be used by different threads at once
 * without locks, and give bit-identical results to a single-threaded run
 * (the random generators are per context or per model).  OpenBLAS must be a
 * thread-safe build (Debian's are).  The library never changes OpenBLAS's
 * thread count (which is process-wide) unless a context asks with
 * ag_set_blas_threads.
 *
 * Matrix products.  The library links no BLAS.  Built as usual, it loads
 * OpenBLAS (libopenblas.so.0, with dlopen) at the first product of more than
 * 16 multiply-adds, once per process, and uses it when found; otherwise, in
 * a statically linked program, in a library built with `make lib
 * BLAS=builtin`, or in a context made with AG_BLAS=builtin in the
 * environment, its own blocked product runs (within 3x of one-thread
 * OpenBLAS on an MLP's shapes, bench/README.md), which gives the textbook
 * loop's numbers bit for bit.  OpenBLAS sums in another order, so results
 * may differ between the two in the last bits.
 *
 * Interrupts.  A caller that wants long calls to stop (Ctrl-C) hands the
 * context a flag with ag_set_interrupt.  While *flag is nonzero, backward
 * (checked per function), making or filling a tensor (per block of
 * elements), the elementwise math functions and the arithmetic ops when
 * neither operand is broadcast except as a single value (per block of
 * elements), a matmul or linear of 2^30 multiply-adds or more (between bands
 * of rows; the result does not depend on the bands) and numgrad/gradcheck
 * (per element) fail with "NAME: interrupted", the file encoders
 * (ag_files.h, per row or block of numbers) with "interrupted" and a
 * model's weights written (per block) with "save: interrupted"; what they
 * were given is left as it was: an interrupted backward puts back every gradient it
 * changed, an interrupted rand the generator.  The library only reads the
 * flag; the caller clears it.  A reduction, a broadcast between two shapes
 * and the products inside one function's backward step run to their end. */
#ifndef AG_CORE_H
#define AG_CORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ag_api.h"

AG_BEGIN_DECLS

#define AG_MAX_DIMS 8

typedef struct ag_ctx ag_ctx;
typedef struct ag_var ag_var;
typedef struct ag_func ag_func;

/* ---- context ---------------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH" (AG_VERSION_STRING of the
 * headers it was built with); static storage. */
const char *ag_version(void);
/* The library's AG_VERSION_NUMBER (MAJOR*1000000 + MINOR*1000 + PATCH): a
 * program built with newer headers than the library it runs with can tell. */
long ag_version_number(void);

/* A new context with backprop enabled, train mode on and its random
 * generator seeded with 0.  Returns NULL only when out of memory. */
ag_ctx *ag_ctx_new(void);
/* The caller's allocator, as lua_newstate takes one.  malloc_fn(user, size)
 * and realloc_fn(user, ptr, size) (ptr never NULL, size never 0) return a
 * block aligned as malloc's, or NULL when out of memory; free_fn(user, ptr)
 * (ptr never NULL) gives one back.  Calls come from the thread using the
 * context; user is passed along untouched. */
typedef struct ag_allocator {
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void (*free_fn)(void *user, void *ptr);
    void *user;
} ag_allocator;
/* ag_ctx_new, with every block the context, its nodes, tensors, models and
 * optimizers need (and the scratch memory of its calls) taken from
 * *allocator (copied; user must stay valid until the context and the
 * models and optimizers made in it are freed).  Nothing else is allocated
 * for it, except: the strings the library hands the caller to free() itself
 * (ag_var_string, ag_dot's text, ...), and OpenBLAS's own buffers when it
 * is loaded (once per process; AG_BLAS=builtin avoids it).  An allocator
 * returning NULL makes the call fail with "out of memory" (AG_ERR_NOMEM),
 * as malloc's would.  NULL (or any of the three functions NULL) when the
 * context itself cannot be made. */
ag_ctx *ag_ctx_new_with_allocator(const ag_allocator *allocator);
/* Frees the context and every node it owns (iteratively; any graph size).
 * Models and optimizers still alive forget their variables (see above).
 * Called during ag_backward (from a step callback or a user op's backward) it
 * frees nothing and sets the error "ctx_free: refused during a backward pass
 * ..." (AG_ERR_ARG); the pass goes on, and the context is freed by a call
 * after ag_backward returns. */
void ag_ctx_free(ag_ctx *ctx);

/* The latest error message since the last ag_clear_error, or "" when none.
 * Owned by the context.  With ctx NULL (ag_ctx_new out of memory), a message
 * saying so. */
const char *ag_errmsg(const ag_ctx *ctx);
/* True from a failing call until ag_clear_error (true for NULL). */
bool ag_failed(const ag_ctx *ctx);
/* Forgets the error: ag_failed is false and ag_errmsg "" again. */
void ag_clear_error(ag_ctx *ctx);
/* What kind of error the context holds: a stable number to branch on, as
 * sqlite3_errcode gives.  The values never change meaning; new ones may be
 * added at the end. */
typedef enum ag_err {
    AG_OK = 0,              /* no error since the last ag_clear_error */
    AG_ERR_NOMEM = 1,       /* out of memory, or a size beyond what can be allocated */
    AG_ERR_SHAPE = 2,       /* shapes that do not fit the op ("not aligned", an axis),
                             * or a weight file's tensor of another shape than its
                             * parameter's (ag_model_load) */
    AG_ERR_ARG = 3,         /* a bad argument: a NULL input, a value out of range */
    AG_ERR_CONTEXT = 4,     /* a variable, model or optimizer of another context */
    AG_ERR_STALE = 5,       /* a variable collected by ag_gc (detected when its node
                             * is not reused yet; AG_DEBUG_NO_REUSE + ASan for all) */
    AG_ERR_INTERRUPTED = 6, /* the interrupt flag was set (ag_set_interrupt) */
    AG_ERR_NONFINITE = 7,   /* a NaN or infinity where a finite number is needed */
    AG_ERR_IO = 8,          /* reading or writing a file */
    AG_ERR_USER = 9,        /* set by the caller with ag_set_error */
    AG_ERR_GRADIENT = 10    /* a user op's backward disagrees with central
                             * differences (ag_userop_gradcheck) */
} ag_err;

/* The kind of the error ag_errmsg describes: AG_OK when ag_failed is false;
 * AG_ERR_NOMEM for NULL (as ag_errmsg(NULL) says). */
ag_err ag_errcode(const ag_ctx *ctx);
/* "ok", "out of memory", "shape", "argument", "wrong context", "stale
 * handle", "interrupted", "non-finite", "I/O", "user", "gradient"; NULL when out
 * of range. */
const char *ag_errcode_name(ag_err code);

/* Sets the context's error message (printf format) with code AG_ERR_USER.
 * Always returns NULL so callers can write `return ag_set_error(ctx, ...)`.
 * A message longer than ag_errmsg's buffer (511 bytes) is cut and ends with
 * "...". */
void *ag_set_error(ag_ctx *ctx, const char *fmt, ...) AG_PRINTF(2, 3);
/* The same with the given code (a callback reporting AG_ERR_SHAPE, say). */
void *ag_set_error_code(ag_ctx *ctx, ag_err code, const char *fmt, ...) AG_PRINTF(3, 4);

/* Backprop switch (nograd) and train switch (testmode).  Each setter returns
 * the previous value, so scopes nest: `bool old = ag_set_grad_enabled(c, false);
 * ...; ag_set_grad_enabled(c, old);`. */
bool ag_set_grad_enabled(ag_ctx *ctx, bool enabled);
bool ag_grad_enabled(const ag_ctx *ctx);
bool ag_set_train(ag_ctx *ctx, bool train);
bool ag_is_train(const ag_ctx *ctx);

/* When on, every op checks its output for NaN/Inf; the first op that turns
 * finite inputs into a non-finite output is remembered (op label, e.g. "Log")
 * until ag_clear_nonfinite().  Off by default. */
void ag_set_check_finite(ag_ctx *ctx, bool on);
const char *ag_nonfinite_op(const ag_ctx *ctx); /* NULL when none */
void ag_clear_nonfinite(ag_ctx *ctx);

/* Long calls look at *flag (set by a signal handler, say) and fail with
 * "NAME: interrupted" while it is nonzero (see Interrupts above).  The flag
 * stays the caller's; NULL (the default) turns the checks off. */
void ag_set_interrupt(ag_ctx *ctx, volatile sig_atomic_t *flag);

/* How this context's matrix products use threads.  0 (the default): the
 * library never calls OpenBLAS's thread functions, so products run with
 * whatever the program (or OPENBLAS_NUM_THREADS) set, on OpenBLAS's own
 * threads.  n >= 1 or AG_BLAS_THREADS_AUTO (what agrepl uses: n is then the
 * count OpenBLAS would choose when this is called: OPENBLAS_NUM_THREADS,
 * else OMP_NUM_THREADS, else the CPUs the process may run on): OpenBLAS
 * runs on one thread (its idle workers spin after each threaded call, so
 * the first product also stops, once per process, the workers it started
 * when it was loaded) and a product of 2^22 multiply-adds or more is split
 * into bands of rows or columns over n of the library's own threads (a pool made at
 * the first such product; idle, they sleep), smaller ones staying on the
 * calling thread.  Every element of the result is then the same bits
 * whatever n is (autograd(3), Threads).  A mid-sized product (2^20 to 2^27
 * multiply-adds, a result of 64 rows or more and 128 to 512 columns) runs
 * on the library's own AVX-512 product when the CPU has it (AG_BLAS in
 * autograd(3)); with threads 0, only when OpenBLAS has one thread.
 * OpenBLAS's count is process-wide.  Returns the previous setting, or -1
 * with the error set for a value below -1. */
#define AG_BLAS_THREADS_AUTO (-1)
int ag_set_blas_threads(ag_ctx *ctx, int threads);
int ag_blas_threads(const ag_ctx *ctx);

/* ---- creation (leaf variables) ---------------------------------------- */

/* A leaf of the given shape (ndim 0 = scalar), data copied from `data`
 * (row-major, the product of shape doubles), or zeros when data is NULL.
 * shape may be NULL only when ndim is 0 ("new: the shape is NULL..."). */
ag_var *ag_new(ag_ctx *ctx, int ndim, const int *shape, const double *data);
ag_var *ag_scalar(ag_ctx *ctx, double value); /* 0-d */
ag_var *ag_zeros(ag_ctx *ctx, int ndim, const int *shape);
ag_var *ag_ones(ag_ctx *ctx, int ndim, const int *shape);
ag_var *ag_full(ag_ctx *ctx, int ndim, const int *shape, double value);
ag_var *ag_zeros_like(ag_ctx *ctx, const ag_var *x);
ag_var *ag_ones_like(ag_ctx *ctx, const ag_var *x);
/* [a, a+step, ...) like NumPy; error "arange: step is zero". */
ag_var *ag_arange(ag_ctx *ctx, double start, double stop, double step);
/* n points from a to b inclusive; as PyTorch, n = 1 gives [a] and n = 0 an
 * empty [0]; errors "linspace: n is negative (-1)" and, for a NaN or
 * infinite a or b, "linspace: start and stop must be finite, not NaN and 1". */
ag_var *ag_linspace(ag_ctx *ctx, double start, double stop, int n);
ag_var *ag_eye(ag_ctx *ctx, int n);
/* A leaf holding a copy of x's data (no graph). */
ag_var *ag_detach(ag_ctx *ctx, const ag_var *x);

/* ---- variable accessors ----------------------------------------------- */

ag_ctx *ag_var_ctx(const ag_var *v);
int ag_ndim(const ag_var *v);
const int *ag_shape(const ag_var *v); /* ag_ndim(v) ints; owned by v */
size_t ag_size(const ag_var *v);
/* Row-major contiguous data, writable: writing changes the value in place
 * and records no graph (the optimizers' and the REPL's `x -= e`).  Each call
 * counts as an in-place change, whether or not the caller then writes: it
 * adds 1 to v's version, and a backward that needs v's value as a function
 * of the graph used it before the change fails ("backward: x was changed in
 * place (version 1) after Mul used its value; compute the graph again after
 * the change, or change it after backward"), as PyTorch does; update after
 * backward, as the optimizers do.  To read, use ag_cdata, which changes
 * nothing.  NULL for a collected variable whose node is not reused yet (a
 * stale handle; see ag_item). */
double *ag_data_mut(ag_var *v);
/* The same as ag_data_mut: its name before 1.2, kept until 2.0.  Not a
 * read: it counts as an in-place change (read through ag_cdata). */
double *ag_data(ag_var *v);
/* How many in-place changes (ag_data_mut calls) v has had; 0 for NULL. */
unsigned ag_var_version(const ag_var *v);
/* Row-major contiguous data, read-only: reading changes nothing (no
 * version); owned by v, valid until v's value changes or v is collected. */
const double *ag_cdata(const ag_var *v);
/* The first element; NaN for NULL and for a variable ag_gc collected, while
 * its node is not reused yet (a stale handle: ag_size is 0 and ag_cdata
 * NULL then, and an op given it fails with AG_ERR_STALE, but an accessor
 * has no context left to report it in, and the library keeps no
 * process-wide error).  Once reused, it reads the new variable (see Memory). */
double ag_item(const ag_var *v);
bool ag_same_shape(const ag_var *a, const ag_var *b);

ag_var *ag_grad(const ag_var *v); /* NULL when none */
/* Sets v's gradient (NULL clears it; so does ag_cleargrad).  0, or -1 with
 * v's context error set when grad belongs to another context or its shape
 * differs from v's (v unchanged); -1 without an error for a collected
 * variable (as ag_cleargrad: nothing written). */
int ag_set_grad(ag_var *v, ag_var *grad);
/* Forgets v's gradient.  0, or -1 for NULL and for a variable ag_gc
 * collected, while its node is not reused yet (a stale handle, as ag_item
 * tells it): the node is left alone. */
int ag_cleargrad(ag_var *v);
/* How many backward calls have added into v's gradient since it was last
 * cleared or set: 1 after one backward, 2 or more when gradients of several
 * backward calls have summed up (usually a missing cleargrad); 0 when v has
 * no gradient or one set by ag_set_grad that no backward has added to. */
int ag_grad_calls(const ag_var *v);
const char *ag_name(const ag_var *v); /* "" when unnamed */
/* Names v (a copy of name; NULL or "" unnames it).  0, or -1 for NULL, for a
 * collected variable (as ag_cleargrad: nothing written) and when memory runs
 * out (the old name kept). */
int ag_set_name(ag_var *v, const char *name);
ag_func *ag_creator(const ag_var *v); /* NULL for a leaf */
int ag_generation(const ag_var *v);

/* Flags for graph drawing, models and backward (AG_VAR_CONST). */
enum {
    AG_VAR_PARAM = 1u << 0,    /* a model or optimizer parameter */
    AG_VAR_BACKWARD = 1u << 1, /* made by a backward pass (create_graph) */
    AG_VAR_CONST = 1u << 2,    /* a constant: a literal folded into an op, data,
                                * a mask an op made; backward gives it no
                                * gradient (PyTorch's requires_grad=False) */
    AG_VAR_NOGRAD = 1u << 3,   /* an op's result made while no graph was recorded
                                * (nograd), outside a backward pass, from an input
                                * that is no constant: no creator */
    AG_VAR_SEED = 1u << 4,     /* the ones ag_backward seeded y.grad with (dy/dy) */
    AG_VAR_BOOL = 1u << 5,     /* the 0/1 result of a comparison, an is* test, any
                                * or all: PyTorch's bool tensor, which the REPL's
                                * x[mask] selects by */
    AG_VAR_DATA = 1u << 6      /* data (with AG_VAR_CONST): a data set, a file's
                                * numbers.  An op whose inputs are all constants,
                                * one of them data, records no graph: its result
                                * is data too (PyTorch's op on tensors without
                                * requires_grad); literals alone still record
                                * (DeZero's (1 + 2).creator is Add), and so does
                                * ag_conv2d's Im2col of a data image while its
                                * weights record (the graph starts at the image;
                                * the columns are a constant, not data) */
};
unsigned ag_var_flags(const ag_var *v);
void ag_var_set_flags(ag_var *v, unsigned flags);

/* The gradient that flowed into v during the context's most recent backward
 * call, kept or not in .grad (an intermediate's is dropped unless
 * retain_grad; a leaf's .grad may also hold earlier calls' sums): ag_size(v)
 * numbers in v's shape, valid until the next backward or v's collection.
 * NULL when v received none in that call, when the context does not keep
 * them (ag_keep_last_grads), and past the first 2^23 numbers (64 MB) the
 * call kept.  For drawing graphs; .grad is untouched. */
const double *ag_last_grad(const ag_var *v);
/* From now on every backward of ctx copies each gradient it passes to a
 * variable (about one extra copy of the gradients per backward). */
void ag_keep_last_grads(ag_ctx *ctx, bool keep);

/* ---- functions (graph nodes) ------------------------------------------ */

int ag_func_op(const ag_func *f); /* an ag_op value */
int ag_func_ninputs(const ag_func *f);
ag_var *ag_func_input(const ag_func *f, int i);
int ag_func_noutputs(const ag_func *f);
ag_var *ag_func_output(const ag_func *f, int i);
int ag_func_generation(const ag_func *f);
/* Tags group functions for drawing (a call of a user function, a model
 * layer): each function made gets the context's current tag, 0 at first.
 * ag_set_func_tag sets it and returns the previous one. */
unsigned ag_func_tag(const ag_func *f);
unsigned ag_set_func_tag(ag_ctx *ctx, unsigned tag);
/* Sets in_use[tag] = 1 for the tag (below n) of every function ctx has not
 * collected yet, and leaves the rest of in_use as it was: a tag no function
 * carries any more may be given to new functions again. */
void ag_mark_func_tags(const ag_ctx *ctx, unsigned char *in_use, size_t n);
/* Called by a model's forward as it enters one of its layers (`layer` is
 * the layer's path in the model, "linear[0]", or "" for a model that is
 * one layer; outer the tag in force); the
 * layer's functions get the tag it returns, and the outer tag is restored
 * after the layer.  NULL fn: none (the default). */
typedef unsigned (*ag_layer_fn)(void *user, const void *model, const char *layer, unsigned outer);
void ag_observe_layers(ag_ctx *ctx, ag_layer_fn fn, void *user);
/* The op's display label with its parameters: "Sin", "Pow(2)", "Sum(axis=1)", "Sum(axis=[0 1])".
 * Writes at most n bytes into buf and returns buf. */
char *ag_func_label(const ag_func *f, char *buf, size_t n);

/* ---- autograd ---------------------------------------------------------- */

/* Called after each function's backward during ag_backward: gys are the
 * incoming gradients (one per output, entries may be NULL), gxs what it
 * produced for each input (NULL = no gradient).  Return false to stop being
 * called (the rest of the pass still runs). */
typedef bool (*ag_step_fn)(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs);

typedef struct ag_backward_opts {
    bool retain_grad;  /* keep the gradients of intermediate variables */
    bool create_graph; /* record the backward ops so grads can be differentiated */
    ag_step_fn step;   /* optional; see ag_step_fn */
    void *step_user;
} ag_backward_opts;

/* Backward from y exactly as upstream: seed ones (or y's preset grad), walk
 * functions by generation, accumulate grad = grad + gx.  Returns 0, or -1 with
 * the context error set (the graph is left usable): y NULL or of another
 * context, a preset seed y.grad not shaped like y, or a failing op.  Called
 * during ag_backward (from a step callback or a user op's backward) it is
 * refused, as ag_grad_of is: "backward: refused during a backward pass ...". */
int ag_backward(ag_ctx *ctx, ag_var *y, const ag_backward_opts *opts);

/* The options of ag_backward_with, a struct that can grow without breaking
 * compiled callers: `size` is the sizeof the caller was compiled with (start
 * from AG_BACKWARD_OPTIONS_INIT, which sets it, then change what differs).
 * The library reads the fields that fit in `size` (an older, smaller struct:
 * the rest are their defaults, false or NULL) and refuses a newer, larger
 * one whose fields past its own are not all zero (options it does not
 * know).  Fields are only ever added at the end. */
typedef struct ag_backward_options {
    size_t size;
    bool retain_grad;  /* keep the gradients of intermediate variables */
    bool create_graph; /* record the backward ops so grads can be differentiated */
    ag_step_fn step;   /* optional; see ag_step_fn */
    void *step_user;
} ag_backward_options;
#define AG_BACKWARD_OPTIONS_INIT {sizeof(ag_backward_options), false, false, NULL, NULL}
/* ag_backward with the sized options (NULL: the defaults).  -1 with
 * AG_ERR_ARG for a size below the first field's end ("backward: options.size
 * is 0: start from AG_BACKWARD_OPTIONS_INIT") or unknown fields set. */
int ag_backward_with(ag_ctx *ctx, ag_var *y, const ag_backward_options *opts);
/* After ag_backward: the first variable not marked AG_VAR_PARAM or _CONST whose
 * gradient that call added to one left by an earlier call (ag_grad_calls now
 * 2 or more: no cleargrad between them), or NULL.  Data such as a training
 * set's inputs are the usual case: no optimizer clears or uses their .grad.
 * Valid until the next ag_backward or collection. */
ag_var *ag_backward_summed_data(ag_ctx *ctx);
/* dy/dx as a new variable without touching any .grad; NULL + error when y
 * does not depend on x ("grad: the output does not depend on that input"), or when called
 * during ag_backward (a nested pass would cut the running one short). */
ag_var *ag_grad_of(ag_ctx *ctx, ag_var *y, ag_var *x, bool create_graph);
/* dy/dx for every x of xs[0..n) in one backward pass (PyTorch's
 * torch.autograd.grad(y, xs), ag_grad_of for many inputs at the cost of
 * one), without touching any .grad: out[i] the gradient as a new variable,
 * or NULL where y does not depend on xs[i] (or only through a constant or an
 * op without a gradient).  0, or -1 with the error set and out all NULL (y
 * or an input NULL or of another context, "grads: input 2 is NULL"; n
 * negative; called during ag_backward; a failure of the pass itself). */
int ag_grads_of(ag_ctx *ctx, ag_var *y, ag_var *const *xs, int n, ag_var **out, bool create_graph);
void ag_unchain(ag_var *v);          /* creator = NULL */
void ag_unchain_backward(ag_var *v); /* cut every creator below v */

/* ---- memory ------------------------------------------------------------ */

/* Root counting: a variable with a positive count (and all it reaches) is
 * kept by ag_gc. */
void ag_retain(ag_var *v);
void ag_release(ag_var *v);
/* Frees every node not reachable from a root; returns how many were freed.
 * Every pointer to a freed variable or function is invalid afterwards (see
 * Memory above).  Iterative: safe for graphs of any depth.  Called during
 * ag_backward (from a step callback or a user op's backward) it collects
 * nothing: returns 0 and sets the error "gc: refused during a backward
 * pass ..." (AG_ERR_ARG); the pass goes on unharmed.  The same inside a user
 * op's callbacks (ag_userop.h): "gc: refused inside a user op's callback". */
size_t ag_gc(ag_ctx *ctx);
/* A young collection: frees the unreachable nodes among the young ones, in
 * time proportional to them (not to everything alive).  A node is young
 * until it survived two young collections (one when the collection finds
 * most young nodes alive) or a full one, or it was made old by ag_gc_auto
 * (below); then it is old and waits for a full ag_gc.  Returns how many
 * were freed.  Refused during ag_backward as ag_gc is ("gc_young: refused
 * ..."). */
size_t ag_gc_young(ag_ctx *ctx);
/* Collects when allocation since the last collection warrants it (call it
 * as often as you like, e.g. after every step or statement): a young
 * collection once about 64 KiB of nodes and tensor data were made, a full
 * one once the young collections since the last full one kept as much as
 * that one did (at least 1 MiB), or up to 4 times as much while full
 * collections keep finding what was made since the one before alive (a
 * graph being built: traced whole less often; ag_unchain and
 * ag_unchain_backward, or a full collection that finds garbage, set the pace
 * back).  While a graph is being built that way, once a young collection
 * finds most of what was made alive, the nodes of the next 15 young collections' worth
 * are made old at once (their young collections trace nothing), then one
 * more is traced: if it lives too, the next ones are made old again; if not,
 * nodes are young again (ag_gc_young also makes them young).  What is made
 * old waits for a full collection.  Returns how many nodes were freed (0 when
 * it did not collect; it never collects during ag_backward, and sets no
 * error then). */
size_t ag_gc_auto(ag_ctx *ctx);
typedef struct ag_gc_info {
    size_t young_collections, full_collections; /* since the context was made */
    size_t old_live_bytes; /* node + tensor bytes the last full collection kept */
    size_t promoted_bytes; /* node + tensor bytes young collections made old since */
} ag_gc_info; /* (node bytes weigh a function node as 176, its size before 1.3 cut it
               * to 128: the collector's pacing unit, so collections come where they did) */
ag_gc_info ag_gc_stats(const ag_ctx *ctx);
size_t ag_live_vars(const ag_ctx *ctx);
size_t ag_live_funcs(const ag_ctx *ctx);
size_t ag_allocs_since_gc(const ag_ctx *ctx); /* nodes made since the last collection */
/* Bytes of tensor data given to variables made since the last collection: with
 * ag_allocs_since_gc, tells a caller when collecting is worth it. */
size_t ag_bytes_since_gc(const ag_ctx *ctx);

/* Buffer cache.  The data buffer of a collected variable is kept by its
 * context for the next tensor of the same size class (sizes rounded up to
 * a quarter of a power of two: at most 25% unused), so a loop that collects
 * every step reuses last step's memory instead of giving it back to the
 * system and taking a page fault per 4 KiB page to get it again.  What the
 * cache holds is bounded: AG_BUFFER_CACHE_DEFAULT bytes unless set with
 * ag_set_buffer_cache; a buffer that would pass the bound, or is larger
 * than 256 MiB, is freed at once.  Cached memory goes back to the allocator
 * with ag_gc_release, ag_set_buffer_cache(ctx, 0) or ag_ctx_free.  With
 * AG_DEBUG_NO_REUSE=1 (see Memory above) nothing is cached: every buffer
 * is freed when its variable is collected.  A context of the C library's
 * allocator (ag_ctx_new) maps each buffer of 2 MiB or more by itself at a
 * 2 MiB boundary and advises it for transparent huge pages (madvise), and
 * unmaps it when it is freed; ag_ctx_new_with_allocator's allocator gets
 * those too, as every other block.  Such a context also keeps up to four
 * freed working arrays of 32 MiB or more (a backward pass's over a long
 * graph) for its next pass, within this bound or a quarter of its node
 * memory, whichever is larger; they go back with the cached buffers. */
#define AG_BUFFER_CACHE_DEFAULT ((size_t)256 << 20)
/* ag_gc, then every cached buffer back to the allocator, and the node
 * memory of dead graphs too: each block of 256 nodes none of which is alive
 * is freed; with the C library's allocator (ag_ctx_new) glibc is then asked
 * to return the heap's free pages to the system (malloc_trim), so a
 * collected 200,000-op graph's memory leaves the process.  Returns how many
 * nodes ag_gc freed.  Refused during ag_backward as ag_gc is, with
 * "gc_release: refused ..." (then only the buffer cache is emptied). */
size_t ag_gc_release(ag_ctx *ctx);
/* Bytes of node memory the context holds for reuse (collected nodes on its
 * free lists, and room never used yet), which ag_gc_release can give back
 * in whole blocks; 0 under AG_DEBUG_NO_REUSE (every node freed when
 * collected). */
size_t ag_idle_node_bytes(const ag_ctx *ctx);
/* Sets the most bytes the cache may hold (0 = no cache) and returns the
 * previous bound (0 for NULL).  When the cache holds more, it is emptied. */
size_t ag_set_buffer_cache(ag_ctx *ctx, size_t max_bytes);
/* Bytes of buffers the cache holds now. */
size_t ag_buffer_cache_bytes(const ag_ctx *ctx);

AG_END_DECLS

#endif
