/* ag_userop.h — differentiable ops a program defines itself.
 *
 * As PyTorch's autograd.Function or DeZero's Function: a program registers
 * an op by name with a forward callback (numbers in, numbers out) and a
 * backward callback (gradients built from ag_ ops), then applies it like any
 * other op.  Its functions carry the name: ag_func_label and ag_func_name
 * give it, graphs drawn from them (ag_dot, agrepl's) show it, its errors start with it
 * ("softsign: ...") and ag_userop_gradcheck names it.
 *
 *     static int softsign_fwd(ag_ctx *ctx, void *user, const ag_var *const *x, int n,
 *                             double *y, int ndim, const int *shape) {
 *         const double *a = ag_cdata(x[0]);
 *         for (size_t i = 0; i < ag_size(x[0]); i++) y[i] = a[i] / (1 + fabs(a[i]));
 *         return 0;
 *     }
 *     static int softsign_bwd(ag_ctx *ctx, void *user, ag_var *const *x, int n,
 *                             ag_var *y, ag_var *gy, ag_var **gx) {
 *         ag_var *d = ag_add(ctx, ag_scalar(ctx, 1), ag_abs(ctx, x[0]));  // 1 + |x|
 *         gx[0] = ag_div(ctx, gy, ag_square(ctx, d));                     // gy / (1 + |x|)^2
 *         return gx[0] ? 0 : -1;
 *     }
 *     ag_userop *op = ag_op_register(ctx, &(ag_userop_def){
 *         .name = "softsign", .n_inputs = 1,
 *         .forward = softsign_fwd, .backward = softsign_bwd});
 *     ag_var *y = ag_apply(ctx, op, &x, 1);
 *
 * Registration is per context (the library keeps no process-wide state): a
 * handle belongs to the context it was registered in and stays valid until
 * ag_ctx_free.  A name is an identifier of at most 63 bytes; it may not be a
 * built-in op's graph name or error symbol in any case ("sin", "Sin",
 * "MatMul"), nor one already registered in the context.
 *
 * Forward.  The library finds the output's shape (the shape callback, or by
 * default the inputs' one shape: inputs of different shapes are an error),
 * allocates it zeroed and calls forward with the inputs (read them with
 * ag_cdata, ag_shape, ag_size; do not change them) and the output's numbers
 * to fill, row-major.  Forward runs with backprop off: any ag_ op it calls
 * records no graph.
 *
 * Backward.  Called during ag_backward (and ag_grad_of, ag_gradcheck,
 * ag_func_input_grad) with the op's input variables, its output and the
 * gradient gy flowing into the output (shaped like it).  It sets gx[i] to
 * the gradient for input i, a variable shaped like that input (ag_sum_to
 * brings a broadcast one back), or leaves it NULL for none.  Built from ag_
 * ops, it is recorded when the pass has create_graph on, so second and
 * higher derivatives work through the op as through a built-in one.
 *
 * Errors.  A callback returns 0, or -1 to fail; a message it sets (with
 * ag_set_error or ag_set_error_code, or left by an ag_ op that failed)
 * becomes the op's error with the name in front: "softsign: x must be
 * positive", "softsign: backward: mul: shapes [2] and [3] ...".  A -1 with
 * no message gives "softsign: forward failed (the callback returned -1 and
 * set no message)".
 * A message set while returning 0 fails the call too.  An error that was
 * set before the op ran is kept when the callbacks succeed.  Callbacks must
 * not call ag_gc or ag_gc_young (refused with an error) or free the context.
 *
 * Functions of a user op have ag_func_op(f) == AG_OP_USER + (the op's
 * registration index in its context); ag_op_name and ag_op_rule, which take
 * no context, answer NULL for them, ag_func_name and ag_func_userop do not. */
#ifndef AG_USEROP_H
#define AG_USEROP_H

#include "ag_core.h"
#include "ag_numeric.h"

AG_BEGIN_DECLS

typedef struct ag_userop ag_userop;

/* The first ag_func_op value of user ops (above every built-in ag_op). */
#define AG_OP_USER 4096
/* Inputs a user op may take. */
#define AG_USEROP_MAX_INPUTS 16

/* The output's shape from the inputs: set *ndim (0 to AG_MAX_DIMS) and
 * shape[0..*ndim); 0, or -1 to fail (with a message, say "shapes differ"). */
typedef int (*ag_userop_shape_fn)(ag_ctx *ctx, void *user, const ag_var *const *x, int n,
                                  int *ndim, int *shape);
/* Fills y (ag_size of the output: the product of shape) from x[0..n). */
typedef int (*ag_userop_forward_fn)(ag_ctx *ctx, void *user, const ag_var *const *x, int n,
                                    double *y, int ndim, const int *shape);
/* Sets gx[0..n) (each NULL on entry) from gy, x and the output y. */
typedef int (*ag_userop_backward_fn)(ag_ctx *ctx, void *user, ag_var *const *x, int n, ag_var *y,
                                     ag_var *gy, ag_var **gx);

typedef struct ag_userop_def {
    const char *name;               /* "softsign": graphs, errors (copied) */
    int n_inputs;                   /* 1 to AG_USEROP_MAX_INPUTS */
    ag_userop_shape_fn shape;       /* NULL: the inputs' one shape */
    ag_userop_forward_fn forward;   /* required */
    ag_userop_backward_fn backward; /* required */
    void *user;                     /* handed to every callback */
    const char *rule;               /* optional: the local derivative for the graph
                                     * window's inspector, "d/dx softsign(x) = 1/(1+|x|)^2"
                                     * (copied); NULL: "user-defined op" */
} ag_userop_def;

/* Registers def in ctx.  NULL with the error set ("op_register: ...") for a
 * NULL or bad definition, a name in use, or out of memory. */
ag_userop *ag_op_register(ag_ctx *ctx, const ag_userop_def *def);
/* The op registered in ctx by that name (exact case), or NULL (no error set). */
ag_userop *ag_op_find(ag_ctx *ctx, const char *name);
/* Applies op to x[0..n) (n must be the op's n_inputs): a new variable,
 * recorded in the graph when backprop is on, or NULL with the error set
 * ("softsign: ..."); NULL inputs propagate as in every op. */
ag_var *ag_apply(ag_ctx *ctx, ag_userop *op, ag_var *const *x, int n);
/* The op's name ("" for NULL), the user pointer it was registered with
 * (NULL for NULL) and its number of inputs (0 for NULL). */
const char *ag_userop_name(const ag_userop *op);
void *ag_userop_user(const ag_userop *op);
int ag_userop_ninputs(const ag_userop *op);
/* The user op a function applied, or NULL (a built-in op's function, NULL). */
ag_userop *ag_func_userop(const ag_func *f);
/* The name of any function's op: "Sin", "softsign" ("" for NULL). */
const char *ag_func_name(const ag_func *f);
/* Its local derivative rule, as ag_op_rule gives a built-in op's and the
 * user op's .rule (NULL for NULL). */
const char *ag_func_rule(const ag_func *f);
/* ag_gradcheck of y = op(x[0..n)): the backward callback's gradients of
 * sum(y) against central differences, element by element, with
 * |a - n| <= atol + rtol*|n|.  1 when all match; -1 on error (the op's
 * forward or backward failing, say); 0 when some do not: each is reported
 * through `report` when given and, unlike ag_gradcheck, the context's error
 * names the op and the first mismatch ("softsign: gradient check failed:
 * x[0] element 0: backward gives 0.5, central differences 0.25": x[i] as the
 * callbacks and `report` number the inputs), with
 * ag_errcode AG_ERR_GRADIENT. */
int ag_userop_gradcheck(ag_ctx *ctx, ag_userop *op, ag_var *const *x, int n, double atol,
                        double rtol, ag_mismatch_fn report, void *report_user);

AG_END_DECLS

#endif
