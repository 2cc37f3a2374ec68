/* tensor.h — the engine's internal n-d arrays of double (not public API).
 *
 * A tensor is always contiguous and row-major; it owns its data (heap).  The
 * kernels below assume shapes were already checked: the op layer checks
 * shapes first (with the shape helpers, which set the context error and
 * return -1), allocates the output with t_init, then calls a kernel.
 * Kernels never fail except t_init on out-of-memory. */
#ifndef AG_TENSOR_H
#define AG_TENSOR_H

#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "ag_core.h"

#include "errors.h"

typedef struct ag_tensor {
    int ndim;
    int shape[AG_MAX_DIMS];
    size_t size; /* product of shape; 1 for ndim 0 */
    double *data;
} ag_tensor;

/* The widest vector of doubles this CPU runs (mathfn.c): 8 (AVX-512F), 4
 * (AVX2) or 2 (SSE2; every build that is not x86-64 with GCC's builtins).
 * The one place the engine asks, for its kernels of several widths. */
int cpu_double_lanes(void);

/* ---- matrix products (blas.c) -------------------------------------------- */
/* How a context's products run: builtin = always the built-in product
 * (AG_BLAS=builtin at ag_ctx_new), else OpenBLAS when it can be loaded.
 * Threads (ag_set_blas_threads): threads 0 = never touch OpenBLAS's count
 * (the default); n > 0 or AG_BLAS_THREADS_AUTO (auto_max) = OpenBLAS on
 * one thread, and a product of SPLIT_MIN_MACS multiply-adds or more split
 * into bands of rows or columns over that many of the engine's threads,
 * the same bits whatever the count (blas.c).  NULL = all zero. */
typedef struct t_blas {
    int threads, auto_max;
    bool builtin;
    bool openblas_only; /* AG_BLAS=openblas: never the AVX-512 product (blas.c) */
    ag_ctx *ctx; /* whose allocator the built-in product's packing buffers come from */
} t_blas;
/* The thread count OpenBLAS chooses by itself (its count when it was
 * loaded, or before that the one it will choose); 1 without OpenBLAS. */
int t_blas_threads_now(void);
/* "openblas" or "builtin": what the context's products run on (loads
 * OpenBLAS if it was not yet). */
const char *t_blas_name(const t_blas *blas);
/* What t_dgemm runs a product of these sizes on: "avx512" (blas.c's fused
 * multiply-add product), or t_blas_name's answer. */
const char *t_dgemm_kind(const t_blas *blas, int n, int m, int k);
/* How many bands t_dgemm splits this product into over the engine's
 * threads (1: run whole, on the calling thread), and whether they are
 * bands of c's columns (*by_cols) or of its rows. */
int t_dgemm_bands(const t_blas *blas, bool trans_a, bool trans_b, int n, int m, int k, bool *by_cols);
/* c = op(a) @ op(b) + beta c, row-major (cblas_dgemm with alpha 1): c is
 * n x m, the inner dimension k.  Never fails. */
void t_dgemm(const t_blas *blas, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
             const double *b, int ldb, double beta, double *c, int ldc);
/* c = a @ b + bias, bias a row of m values added to every row of c, in one
 * pass when the AVX-512 product takes the sizes (the sums and additions are
 * t_dgemm's then a separate pass's, bit for bit); false, with nothing
 * written, when it does not (the caller multiplies and adds). */
bool t_dgemm_bias(const t_blas *blas, int n, int m, int k, const double *a, int lda, const double *b, int ldb,
                  const double *bias, double *c, int ldc);

/* ---- storage ------------------------------------------------------------ */
size_t shape_size(int ndim, const int *shape);
bool shape_equal(int na, const int *a, int nb, const int *b);
/* Storage comes from the context's buffer cache and allocator (memory.c)
 * and goes back to the same context's: a tensor is freed with the context
 * it was made with.  ctx NULL: the C library's malloc and free (tests). */
/* Allocates zeroed storage for the shape; 0, or -1 on out-of-memory (the
 * tensor is then empty and safe to t_free). */
int t_init(ag_ctx *ctx, ag_tensor *t, int ndim, const int *shape);
/* t_init without zeroing. */
int t_init_uninit(ag_ctx *ctx, ag_tensor *t, int ndim, const int *shape);
void t_free(ag_ctx *ctx, ag_tensor *t); /* frees data; leaves t empty (ndim 0, size 0, data NULL) */
int t_copy(ag_ctx *ctx, ag_tensor *dst, const ag_tensor *src);
/* A buffer of count doubles (count > 0) from ctx's cache or allocator,
 * zeroed when asked; NULL when out of memory. */
double *ctx_buf_get(ag_ctx *ctx, size_t count, bool zeroed);
/* Gives back a buffer ctx_buf_get(ctx, count, ...) returned (NULL: nothing). */
void ctx_buf_put(ag_ctx *ctx, double *data, size_t count);

/* ---- shape helpers: 0 on success, -1 with "OP: ..." in ctx on failure --- */

/* NumPy broadcast of two shapes.  Error text:
 * "OP: shapes [3] and [2] are not compatible". */
int shape_broadcast(ag_ctx *ctx, const char *op, int na, const int *a, int nb, const int *b,
                    int *nout, int *out);
/* Normalizes axes (negative count from the end) into mask[ndim] (true =
 * reduced).  naxes == 0 marks every axis.  A 0-d value takes axis 0 or -1
 * (reducing nothing), as PyTorch.  Errors:
 * "OP: axis 3 out of range for ndim 2", "OP: duplicate axis 1". */
int axes_mask(ag_ctx *ctx, const char *op, int ndim, const int *axes, int naxes, bool *mask);
/* Normalizes one axis into [0, ndim); same error text; returns the axis or -1. */
int axis_normalize(ag_ctx *ctx, const char *op, int axis, int ndim);
/* axis_normalize, except that a 0-d value takes axis 0 or -1 (as PyTorch;
 * returns 0): "OP: axis 1 out of range for a 0-d value (0 or -1)". */
int axis_normalize_0d(ag_ctx *ctx, const char *op, int axis, int ndim);
/* Shape with the masked axes removed (keepdims false) or set to 1 (true). */
void shape_reduce(int ndim, const int *shape, const bool *mask, bool keepdims, int *nout,
                  int *out);
/* Resolves one -1 and checks the size.  Errors: "reshape: cannot reshape
 * [2 3] into [4 -1]", "reshape: more than one -1 in [-1 -1]". */
int shape_reshape(ag_ctx *ctx, size_t size, int ndim_in, const int *shape_in, int ndim,
                  const int *shape, int *out);
/* Can `from` be broadcast to `to`? "broadcast_to: cannot broadcast [3] to [2]". */
int shape_check_broadcast_to(ag_ctx *ctx, const char *op, int nfrom, const int *from, int nto,
                             const int *to);

/* ---- kernels ------------------------------------------------------------ */
typedef enum { T_ADD, T_SUB, T_MUL, T_DIV, T_POW } t_binop;
/* out (already shaped to the broadcast shape) = a OP b, broadcasting. */
void t_binary(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, t_binop op);
/* out += b in place, b broadcast to out without widening it: b of out's
 * size, a single element, or a row of out's last dimension (a bias).  Each
 * element is out + b, as t_binary(out, out, b, T_ADD) computes it.  False
 * (nothing done) for any other b. */
bool t_add_inplace(ag_tensor *out, const ag_tensor *b);
/* out[start, end) of t_binary when each operand is out's size or a single
 * value (no other broadcast); false, and nothing done, for other shapes. */
bool t_binary_span(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, t_binop op, size_t start,
                   size_t end);
/* out[i] = f(a[i]); out shaped like a (may be a itself). */
void t_map(ag_tensor *out, const ag_tensor *a, double (*f)(double));
typedef enum { T_RSUM, T_RMAX, T_RMIN } t_reduce_op;
/* Reduces a over the masked axes into out, whose shape is a's with those
 * axes removed or kept as 1 (same element order either way).  Sums run in
 * row-major order from 0; max/min start at -DBL_MAX/+DBL_MAX. */
void t_reduce(ag_tensor *out, const ag_tensor *a, const bool *mask, t_reduce_op op);
/* out (shape `to`, already allocated) = a broadcast to it; a's shape must be
 * broadcastable to out's (left-padded with 1s). */
void t_broadcast_to(ag_tensor *out, const ag_tensor *a);
/* out (already shaped, zeroed) += a summed down to out's shape (the inverse
 * of broadcast: left-pad out's shape to a's rank, sum dims where out has 1). */
void t_sum_to(ag_tensor *out, const ag_tensor *a);
/* out (already shaped) = a with axes permuted: out.shape[i] = a.shape[perm[i]]. */
void t_transpose(ag_tensor *out, const ag_tensor *a, const int *perm);
/* Batched matmul through cblas_dgemm: a (..., n, k) @ b (..., k, m) -> out
 * (bcast(...), n, m), already allocated with that shape.  Leading dims
 * broadcast.  Both ndim >= 2. */
void t_matmul(ag_tensor *out, const ag_tensor *a, const ag_tensor *b);
/* t_matmul that reads *stop (when not NULL) between bands of a large
 * product (2^30 multiply-adds or more): false, out half written, when it
 * was set.  The result does not depend on the bands. */
bool t_matmul_until(ag_tensor *out, const ag_tensor *a, const ag_tensor *b, volatile sig_atomic_t *stop,
                    const t_blas *blas);
/* out = a taken at indices along axis (indices already normalized to
 * [0, dim)); out already shaped (a's shape with shape[axis] = n). */
void t_take(ag_tensor *out, const ag_tensor *a, int axis, const int *indices, int n);
/* out (full shape, already holding values) += src's slices at indices along
 * axis; duplicates accumulate. */
void t_scatter_add(ag_tensor *out, const ag_tensor *src, int axis, const int *indices, int n);
/* out = a[..., start:start+len, ...] along axis; out already shaped. */
void t_slice(ag_tensor *out, const ag_tensor *a, int axis, int start, int len);
/* out[..., start:start+len, ...] = a along axis (the inverse of t_slice). */
void t_paste(ag_tensor *out, const ag_tensor *a, int axis, int start);
/* Index of the first maximum along the last axis for each row; rows =
 * size / shape[ndim-1].  idx has rows entries. */
void t_argmax_rows(const ag_tensor *a, int *idx);
/* true when any element is NaN or +-Inf.  One element (a scalar lesson's
 * every result, checked forward and backward) inline; the blocks in
 * tensor.c. */
bool t_has_nonfinite_blocks(const ag_tensor *a);
/* *max = the largest |x| of a's elements (0 when a is empty); false, with
 * *max NaN or infinite, when some element is NaN or infinite. */
bool t_max_abs(const ag_tensor *a, double *max);
static inline bool t_has_nonfinite(const ag_tensor *a) {
    if (a->size == 1) return !isfinite(a->data[0]);
    return t_has_nonfinite_blocks(a);
}

/* ---- pow as upstream's Go computes it --------------------------------------
 *
 * The Pow op is upstream's math.Pow(x, p) (SPEC: where the page is silent,
 * do what the Go library does).  For a small integer p Go does not use exp
 * and log: it multiplies, x^|p| by repeated squaring, and takes 1 / that
 * for p < 0.  So x^2 is x * x, x^3 (x * x) * x, x^4 (x * x) * (x * x) and
 * x^-2 1 / (x * x), as NumPy's and PyTorch's x ** 2 and x ** 3 are too.
 * glibc's pow, which the engine used before, is not always correctly
 * rounded: pow(x, 2) differs from x * x in about 8 of 10,000 random x
 * (optimizer_race's momentum ended 3 ULP from upstream's after 1,000
 * steps), and the page's pow (emscripten's musl, without fma) differs from
 * both.  Go's releases multiply the same factors in the same order for
 * |p| <= 6 (older ones through frexp, newer ones for |p| <= 127 in another
 * order from 7 on), so this takes those p and leaves larger ones to libm.
 * test_pow_as_upstream in tests/unit/test_mathfn.c holds it against values
 * Go's math.Pow printed.
 *
 * p = 0.5 and -0.5 are sqrt(x) and 1 / sqrt(x) in Go, after its answers
 * for a zero or infinite x (libm's, too).  A NaN goes to libm's pow as
 * before (pow(NaN, 0) = 1 as in Go; a NaN's sign as it was), and so does a
 * negative x to the power +-0.5 (a NaN either way).  Every other p is
 * libm's pow, as it is Go's exp and log. */
static inline double t_libm_pow(double x, double p) {
    volatile double e = p; /* libm's even where the exponent is a constant GCC would fold */
    return pow(x, e);
}
static inline double t_pow_int(double x, unsigned n) { /* x^n, n >= 1: Go's order of products */
    double r = 1.0;
    while (n > 1) {
        double t = x;
        unsigned c = 1;
        while (c <= n / 2) t *= t, c *= 2;
        n -= c;
        r *= t;
    }
    return n == 1 ? r * x : r;
}
static inline double t_pow(double x, double p) {
    if (isnan(x)) return t_libm_pow(x, p);
    if (p == 2.0) return x * x;
    if (p == 1.0) return x;
    if (p == 0.0) return 1.0;
    if (p >= -6.0 && p <= 6.0 && p == (double)(int)p) {
        double r = t_pow_int(x, (unsigned)fabs(p));
        return p < 0 ? 1.0 / r : r;
    }
    if ((p == 0.5 || p == -0.5) && x > 0.0 && x < INFINITY) return p > 0 ? sqrt(x) : 1.0 / sqrt(x);
    return pow(x, p);
}

#endif
