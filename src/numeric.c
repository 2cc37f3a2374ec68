/* numeric.c — derivatives by central differences, and gradient checking of
 * the analytic backward against them.
 *
 * The differences evaluate f with backprop disabled, on detached copies of
 * the inputs they shift, so the caller's variables keep their values and
 * graphs (gradcheck's own backward puts the inputs' .grad back).  The
 * variables f creates stay in the context until the caller's next ag_gc. */
#include "ag_numeric.h"
#include "internal.h"

#include <math.h>
#include <stdlib.h>

#include "ag_format.h"
#include "ag_ops.h"

#define DEFAULT_STEP 1e-4

/* f(xs) with backprop off; sets a generic error when f fails silently. */
static ag_var *evaluate(ag_ctx *ctx, const char *caller, ag_fn f, void *user, ag_var *const *xs,
                        int n) {
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *y = f(user, ctx, xs, n);
    ag_set_grad_enabled(ctx, old);
    if (y == NULL && !ag_failed(ctx)) ctx_error(ctx, AG_ERR_ARG, "%s: the function returned nothing", caller);
    return y;
}

/* Sum of every element of y, in double, row-major. */
static double sum_elements(const ag_var *y) {
    const double *data = ag_cdata(y);
    size_t size = ag_size(y);
    double total = 0;
    for (size_t i = 0; i < size; i++) total += data[i];
    return total;
}

/* A malloc'd array of n detached copies of xs, each element shifted by
 * `shift`; NULL (error set) when out of memory or a copy fails. */
static ag_var **shifted_copies(ag_ctx *ctx, ag_var *const *xs, int n, double shift) {
    ag_var **copies = ctx_malloc(ctx, sizeof *copies * (size_t)(n > 0 ? n : 1));
    if (copies == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "numdiff: out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        copies[i] = ag_detach(ctx, xs[i]);
        if (copies[i] == NULL) {
            ctx_free(ctx, copies);
            return NULL;
        }
        double *data = copies[i]->t.data; /* new copies: not in-place changes */
        size_t size = ag_size(copies[i]);
        for (size_t k = 0; k < size; k++) data[k] = shift + data[k]; /* upstream's h + x */
    }
    return copies;
}

static bool any_null(ag_var *const *xs, int n) {
    for (int i = 0; i < n; i++)
        if (xs[i] == NULL) return true;
    return false;
}

/* 0 when f and xs[0..n) are there; else -1, with "WHAT: ..." unless a
 * message is set already (a NULL input passed along). */
static int check_args(ag_ctx *ctx, const char *what, ag_fn f, ag_var *const *xs, int n) {
    if (ctx == NULL) return -1;
    const char *problem = f == NULL                 ? "no function"
                          : n < 0                   ? "negative number of inputs"
                          : n > 0 && xs == NULL     ? "no input list"
                          : any_null(xs, n)         ? "an input is NULL"
                                                    : NULL;
    if (problem == NULL) return 0;
    if (!ag_failed(ctx) || f == NULL || n < 0 || xs == NULL)
        ctx_error(ctx, AG_ERR_ARG, "%s: %s", what, problem);
    return -1;
}

ag_var *ag_numdiff(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, double h) {
    if (check_args(ctx, "numdiff", f, xs, n) < 0) return NULL;
    if (h <= 0) h = DEFAULT_STEP;
    ag_var **plus = shifted_copies(ctx, xs, n, h);
    ag_var **minus = plus ? shifted_copies(ctx, xs, n, -h) : NULL;
    ag_var *y0 = minus ? evaluate(ctx, "numdiff", f, user, plus, n) : NULL;
    ag_var *y1 = y0 ? evaluate(ctx, "numdiff", f, user, minus, n) : NULL;
    ctx_free(ctx, plus);
    ctx_free(ctx, minus);
    if (y1 == NULL) return NULL;
    if (!ag_same_shape(y0, y1)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        return ctx_error(ctx, AG_ERR_SHAPE, "numdiff: f(x+h) has shape %s but f(x-h) has shape %s",
                         ag_shape_string(ag_ndim(y0), ag_shape(y0), a),
                         ag_shape_string(ag_ndim(y1), ag_shape(y1), b));
    }
    ag_var *result = ag_zeros(ctx, ag_ndim(y0), ag_shape(y0));
    if (result == NULL) return NULL;
    const double *a = ag_cdata(y0), *b = ag_cdata(y1);
    double *out = result->t.data;
    size_t size = ag_size(result);
    for (size_t k = 0; k < size; k++) out[k] = (a[k] - b[k]) / (2 * h);
    return result;
}

ag_var *ag_numgrad(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, int i, double h) {
    if (check_args(ctx, "numgrad", f, xs, n) < 0) return NULL;
    if (i < 0 || i >= n) /* i counts from 0; messages count inputs from 1, as gradcheck's */
        return ctx_error(ctx, AG_ERR_ARG, "numgrad: input %d out of range for %d inputs (i = %d counts from 0)",
                         i + 1, n, i);
    if (h <= 0) h = DEFAULT_STEP;
    /* The other inputs are passed as they are; only xs[i] is replaced by a
     * copy whose elements are nudged one at a time. */
    ag_var **args = ctx_malloc(ctx, sizeof *args * (size_t)n);
    if (args == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "numgrad: out of memory");
    for (int j = 0; j < n; j++) args[j] = xs[j];
    ag_var *copy = ag_detach(ctx, xs[i]);
    ag_var *result = copy ? ag_zeros(ctx, ag_ndim(copy), ag_shape(copy)) : NULL;
    if (result == NULL) {
        ctx_free(ctx, args);
        return NULL;
    }
    args[i] = copy;
    double *data = copy->t.data, *gradient = result->t.data; /* new: not changes */
    size_t size = ag_size(copy);
    for (size_t k = 0; k < size; k++) {
        if (ctx_interrupted(ctx)) { /* two calls of f per element: look before each pair */
            ctx_error(ctx, AG_ERR_INTERRUPTED, "numgrad: interrupted");
            result = NULL;
            break;
        }
        double original = data[k];
        data[k] = h + original;
        ag_var *y0 = evaluate(ctx, "numgrad", f, user, args, n);
        double sum0 = y0 ? sum_elements(y0) : 0;
        data[k] = -h + original;
        ag_var *y1 = y0 ? evaluate(ctx, "numgrad", f, user, args, n) : NULL;
        data[k] = original;
        if (y1 == NULL) {
            result = NULL;
            break;
        }
        gradient[k] = (sum0 - sum_elements(y1)) / (2 * h);
    }
    ctx_free(ctx, args);
    return result;
}

/* Runs backward of sum(f(xs)) with backprop on; 0, or -1 with the error set. */
static int analytic_backward(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n) {
    bool old = ag_set_grad_enabled(ctx, true);
    ag_var *y = f(user, ctx, xs, n);
    if (y == NULL && !ag_failed(ctx)) ctx_error(ctx, AG_ERR_ARG, "gradcheck: the function returned nothing");
    ag_var *z = (y != NULL && ag_size(y) != 1) ? ag_sum(ctx, y, NULL, 0) : y;
    int status = z ? ag_backward(ctx, z, &(ag_backward_opts){0}) : -1;
    ag_set_grad_enabled(ctx, old);
    return status;
}

/* Compares input i's analytic gradient (none = zeros) with the numeric one;
 * 1 all close, 0 some not (reported), -1 error. */
static int compare_input(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, int i,
                         double atol, double rtol, ag_mismatch_fn report, void *report_user) {
    ag_var *numeric = ag_numgrad(ctx, f, user, xs, n, i, DEFAULT_STEP);
    if (numeric == NULL) return -1;
    ag_var *analytic = ag_grad(xs[i]);
    if (analytic != NULL && ag_size(analytic) != ag_size(numeric)) {
        char a[AG_SHAPEBUF], b[AG_SHAPEBUF];
        ctx_error(ctx, AG_ERR_SHAPE, "gradcheck: gradient of input %d has shape %s, expected %s", i + 1,
                  ag_shape_string(ag_ndim(analytic), ag_shape(analytic), a),
                  ag_shape_string(ag_ndim(numeric), ag_shape(numeric), b));
        return -1;
    }
    const double *numbers = ag_cdata(numeric);
    const double *grads = analytic ? ag_cdata(analytic) : NULL;
    int all_close = 1;
    size_t size = ag_size(numeric);
    for (size_t k = 0; k < size; k++) {
        double a = grads ? grads[k] : 0.0;
        double expected = numbers[k];
        if (fabs(a - expected) <= atol + rtol * fabs(expected)) continue; /* NaN fails */
        all_close = 0;
        if (report) report(report_user, i, k, a, expected);
    }
    return all_close;
}

int ag_gradcheck(ag_ctx *ctx, ag_fn f, void *user, ag_var *const *xs, int n, double atol,
                 double rtol, ag_mismatch_fn report, void *report_user) {
    if (check_args(ctx, "gradcheck", f, xs, n) < 0) return -1;
    ag_var **saved = ctx_malloc(ctx, sizeof *saved * (size_t)(n > 0 ? n : 1));
    if (saved == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "gradcheck: out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        saved[i] = ag_grad(xs[i]);
        ag_cleargrad(xs[i]);
    }
    int result = analytic_backward(ctx, f, user, xs, n) == 0 ? 1 : -1;
    for (int i = 0; i < n && result != -1; i++) {
        int status = compare_input(ctx, f, user, xs, n, i, atol, rtol, report, report_user);
        if (status == -1) result = -1;
        else if (status == 0) result = 0;
    }
    /* Backwards, so an input passed twice gets back the grad it had first. */
    for (int i = n - 1; i >= 0; i--) {
        if (saved[i] != NULL) ag_set_grad(xs[i], saved[i]);
        else ag_cleargrad(xs[i]);
    }
    ctx_free(ctx, saved);
    return result;
}
