/* blas.c — the engine's matrix products, and which code does them.
 *
 * Every product of the engine goes through t_dgemm, which runs one of:
 * - the built-in product (gemm_builtin below): blocked so a packed block of
 *   b stays in cache while packed rows of a stream past it, and each element
 *   of c summed over p in order, multiply then add, so it gives the textbook
 *   loop's numbers bit for bit on any machine and any vector width;
 * - OpenBLAS, loaded with dlopen() at the first product that needs it when
 *   the library was built with it (the default; `make lib BLAS=builtin`
 *   leaves the loader out).  Nothing is linked for it, so the library builds
 *   with a C compiler alone and a program that never multiplies a matrix
 *   never maps OpenBLAS (its 16,000 relocations were 8 of the 9.5 million
 *   instructions of `agrepl -e 1`, bench/README.md).  When it cannot be
 *   loaded (not installed, or a statically linked program, which cannot
 *   load shared libraries safely) the built-in product runs.
 * AG_BLAS=builtin in the environment at ag_ctx_new makes that context use
 * the built-in product even when OpenBLAS is there (bench/README.md
 * compares the two).  The loading happens once per process, under a mutex
 * (which valgrind's thread checkers understand, as they do not
 * pthread_once's fast path), so two threads may make their first products
 * at once. */
#ifndef AG_BLAS_BUILTIN_ONLY
#define _GNU_SOURCE /* CPU_COUNT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "dl_shared.h"
#include "memory.h"
#include "tensor.h"

/* ---- the built-in product -------------------------------------------------
 * c (n x m) = op(a) (n x k) @ op(b) (k x m) + beta c, row-major with leading
 * dimensions lda, ldb, ldc (cblas_dgemm's meaning, alpha 1).  Blocks of
 * BLOCK_K rows of op(b) are packed into panels of PANEL columns (zero
 * padded), blocks of BLOCK_N rows of op(a) into groups of ROWS rows; the
 * kernel keeps a ROWS x PANEL tile of c in registers over the block's p. */
#define BLOCK_K 256
#define BLOCK_N 128
#define ROWS 4
#define PANEL 8

/* op(x)[i][p], x stored row-major with leading dimension ld */
static inline double at(const double *x, int ld, bool trans, int i, int p) {
    return trans ? x[(size_t)p * (size_t)ld + (size_t)i] : x[(size_t)i * (size_t)ld + (size_t)p];
}

/* Whole tiles in registers: the compiler told to unroll the tile's loops
 * (GCC and Clang; -O2 alone leaves them rolled, 4x slower). */
#if defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#else
#define UNROLL
#endif

/* The ROWS x PANEL tile c += a_pack (kc x ROWS) @ b_pack (kc x PANEL).
 * With GCC on x86-64 it is also compiled for AVX2 and AVX-512 and the best
 * the CPU has is picked at load: the same operations in the same order
 * (no fused multiply-add: -ffp-contract=off), wider. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void tile(int kc, const double *restrict ap, const double *restrict bp, double acc[ROWS][PANEL]) {
    double t[ROWS][PANEL];
    memcpy(t, acc, sizeof t);
    for (int p = 0; p < kc; p++) {
        const double *a = ap + (size_t)p * ROWS, *b = bp + (size_t)p * PANEL;
        UNROLL
        for (int r = 0; r < ROWS; r++)
            UNROLL
            for (int j = 0; j < PANEL; j++) t[r][j] = t[r][j] + a[r] * b[j];
    }
    memcpy(acc, t, sizeof t);
}

/* The textbook loop (i, p, j): what the blocked product must equal, and
 * what runs when its buffers cannot be allocated. */
static void gemm_loop(bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda, const double *b,
                      int ldb, double *c, int ldc) {
    for (int i = 0; i < n; i++) {
        double *crow = c + (size_t)i * (size_t)ldc;
        for (int p = 0; p < k; p++) {
            double av = at(a, lda, trans_a, i, p);
            for (int j = 0; j < m; j++) crow[j] = crow[j] + av * at(b, ldb, trans_b, p, j);
        }
    }
}

static void gemm_blocked(ag_ctx *ctx, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
                         const double *b, int ldb, double beta, double *c, int ldc);

/* c (n x 1) = op(a) @ b (a column, stride ldb) + beta c: four rows at a
 * time, each summed over p in order. */
static void gemv(bool trans_a, int n, int k, const double *a, int lda, const double *b, int ldb, double beta,
                 double *c, int ldc) {
    for (int i = 0; i < n; i++) c[(size_t)i * (size_t)ldc] = beta == 0.0 ? 0.0 : beta * c[(size_t)i * (size_t)ldc];
    if (trans_a) { /* a's rows are c's terms: p outer, i inner, both contiguous */
        for (int p = 0; p < k; p++) {
            double bv = b[(size_t)p * (size_t)ldb];
            const double *arow = a + (size_t)p * (size_t)lda;
            for (int i = 0; i < n; i++) c[(size_t)i * (size_t)ldc] = c[(size_t)i * (size_t)ldc] + arow[i] * bv;
        }
        return;
    }
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        const double *a0 = a + (size_t)i * (size_t)lda;
        double t[4] = {c[(size_t)i * (size_t)ldc], c[(size_t)(i + 1) * (size_t)ldc], c[(size_t)(i + 2) * (size_t)ldc],
                       c[(size_t)(i + 3) * (size_t)ldc]};
        for (int p = 0; p < k; p++) {
            double bv = b[(size_t)p * (size_t)ldb];
            UNROLL
            for (int r = 0; r < 4; r++) t[r] = t[r] + a0[(size_t)r * (size_t)lda + (size_t)p] * bv;
        }
        for (int r = 0; r < 4; r++) c[(size_t)(i + r) * (size_t)ldc] = t[r];
    }
    for (; i < n; i++) {
        const double *arow = a + (size_t)i * (size_t)lda;
        double t = c[(size_t)i * (size_t)ldc];
        for (int p = 0; p < k; p++) t = t + arow[p] * b[(size_t)p * (size_t)ldb];
        c[(size_t)i * (size_t)ldc] = t;
    }
}

static void gemm_builtin(ag_ctx *ctx, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
                         const double *b, int ldb, double beta, double *c, int ldc) {
    if (m == 1) { /* op(b) is a column: b[p] at stride ldb, or 1 when transposed */
        gemv(trans_a, n, k, a, lda, b, trans_b ? 1 : ldb, beta, c, ldc);
        return;
    }
    if (n == 1 && !trans_b && (beta == 0.0 || beta == 1.0)) { /* a row times b: b's rows contiguous */
        if (beta == 0.0) memset(c, 0, (size_t)m * sizeof *c);
        gemm_loop(trans_a, false, 1, m, k, a, lda, b, ldb, c, ldc);
        return;
    }
    if (m >= PANEL || n <= m) {
        gemm_blocked(ctx, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* A narrow c (a matrix times a vector, say) would fill PANEL-wide tiles
     * mostly with padding: c^T = op(b)^T op(a)^T is wide instead. */
    double *ct = ctx_malloc(ctx, (size_t)m * (size_t)n * sizeof *ct);
    if (ct == NULL) {
        gemm_blocked(ctx, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (beta != 0.0)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) ct[(size_t)j * (size_t)n + (size_t)i] = c[(size_t)i * (size_t)ldc + (size_t)j];
    gemm_blocked(ctx, !trans_b, !trans_a, m, n, k, b, ldb, a, lda, beta, ct, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) c[(size_t)i * (size_t)ldc + (size_t)j] = ct[(size_t)j * (size_t)n + (size_t)i];
    ctx_free(ctx, ct);
}

static void gemm_blocked(ag_ctx *ctx, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
                         const double *b, int ldb, double beta, double *c, int ldc) {
    if (beta != 0.0 && beta != 1.0)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) c[(size_t)i * (size_t)ldc + (size_t)j] *= beta;
    int panels = (m + PANEL - 1) / PANEL;
    int kmax = k < BLOCK_K ? k : BLOCK_K, nmax = n < BLOCK_N ? n : BLOCK_N;
    double *bpack = ctx_malloc(ctx, (size_t)panels * PANEL * (size_t)kmax * sizeof *bpack);
    double *apack = ctx_malloc(ctx, (size_t)((nmax + ROWS - 1) / ROWS) * ROWS * (size_t)kmax * sizeof *apack);
    if (bpack == NULL || apack == NULL) {
        ctx_free(ctx, bpack);
        ctx_free(ctx, apack);
        if (beta == 0.0)
            for (int i = 0; i < n; i++) memset(c + (size_t)i * (size_t)ldc, 0, (size_t)m * sizeof *c);
        gemm_loop(trans_a, trans_b, n, m, k, a, lda, b, ldb, c, ldc);
        return;
    }
    for (int p0 = 0; p0 < k; p0 += BLOCK_K) {
        int kc = k - p0 < BLOCK_K ? k - p0 : BLOCK_K;
        /* op(b)[p0 .. p0+kc) as panels: panel q holds columns q*PANEL.. */
        for (int q = 0; q < panels; q++)
            for (int p = 0; p < kc; p++) {
                double *dst = bpack + ((size_t)q * (size_t)kc + (size_t)p) * PANEL;
                for (int j = 0; j < PANEL; j++) {
                    int col = q * PANEL + j;
                    dst[j] = col < m ? at(b, ldb, trans_b, p0 + p, col) : 0.0;
                }
            }
        for (int i0 = 0; i0 < n; i0 += BLOCK_N) {
            int nc = n - i0 < BLOCK_N ? n - i0 : BLOCK_N;
            int groups = (nc + ROWS - 1) / ROWS;
            for (int g = 0; g < groups; g++)
                for (int p = 0; p < kc; p++) {
                    double *dst = apack + ((size_t)g * (size_t)kc + (size_t)p) * ROWS;
                    for (int r = 0; r < ROWS; r++) {
                        int row = g * ROWS + r;
                        dst[r] = row < nc ? at(a, lda, trans_a, i0 + row, p0 + p) : 0.0;
                    }
                }
            for (int g = 0; g < groups; g++) {
                int rows = nc - g * ROWS < ROWS ? nc - g * ROWS : ROWS;
                const double *ap = apack + (size_t)g * (size_t)kc * ROWS;
                for (int q = 0; q < panels; q++) {
                    int cols = m - q * PANEL < PANEL ? m - q * PANEL : PANEL;
                    double acc[ROWS][PANEL] = {{0}};
                    double *c0 = c + (size_t)(i0 + g * ROWS) * (size_t)ldc + (size_t)q * PANEL;
                    if (p0 > 0 || beta != 0.0) /* else c starts from 0 */
                        for (int r = 0; r < rows; r++)
                            memcpy(acc[r], c0 + (size_t)r * (size_t)ldc, (size_t)cols * sizeof(double));
                    tile(kc, ap, bpack + (size_t)q * (size_t)kc * PANEL, acc);
                    for (int r = 0; r < rows; r++) memcpy(c0 + (size_t)r * (size_t)ldc, acc[r], (size_t)cols * sizeof(double));
                }
            }
        }
    }
    ctx_free(ctx, bpack);
    ctx_free(ctx, apack);
}

/* ---- the fused multiply-add product (AVX-512) ---------------------------------
 * For mid-sized products on a CPU with AVX-512 and one thread wanted: c's
 * FMA_ROWS x FMA_COLS tiles in 16 zmm registers over blocks of FMA_BLOCK_K
 * values of p.  op(b) is packed into panels of FMA_COLS columns (it is at
 * most FMA_MAX_COLS wide); op(a)'s rows are read where they are (a copy of
 * them took 7 % of the product's time in W5's step), FMA_BLOCK_N rows
 * passing each panel of op(b) in turn.  Each element is a fused multiply-add
 * chain over p in order, so it differs from the textbook loop by rounding
 * only (tests/unit/test_blas.c: to 1e-12; on a 116x256x256 product it gave
 * OpenBLAS's bits).  On W5's 1000x256x256 products it takes 8-9 % less time
 * than OpenBLAS 0.3.21 (its Cooperlake kernels, on a Zen 4 EPYC;
 * bench/README.md), whose copies of op(a) and op(b) were 13 % of W5's step.
 * OpenBLAS keeps the small products (its kernels without copies reach 97 %
 * of the peak there) and the large ones. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(AG_BLAS_BUILTIN_ONLY)
#define FMA_PRODUCT 1
#include <immintrin.h>
#define FMA_ROWS 8
#define FMA_COLS 16
#define FMA_BLOCK_K 256
#define FMA_BLOCK_N 120
/* how many steps of p ahead op(a) is fetched when its rows are a's columns
 * (trans_a): 32 took W5's TN product from 3.15 to 2.85 ms alone (median of
 * 80, 2 MB written between products; 8: 3.00, 64: 2.87) and 3 % less
 * inside W5's step (bench/README.md) */
#define FMA_PREFETCH_P 32
/* Measured against OpenBLAS on one thread (bench/README.md): 5-18 % ahead
 * inside these bounds; level or behind with fewer rows (its kernels without
 * copies), more columns, or more multiply-adds (1000^3). */
#define FMA_MIN_MACS ((size_t)1 << 20)
#define FMA_MAX_MACS ((size_t)1 << 27)
#define FMA_MIN_ROWS 64
#define FMA_MIN_COLS 128
#define FMA_MAX_COLS 512

/* How a tile's sum meets c: c = sum (the first block of p, beta 0); c =
 * the chain continued from c's partial sum (a later block of p); c = c +
 * sum (beta 1: one addition of the whole sum, as OpenBLAS and a separate
 * pass give, so ops_nn.c's sums into a gradient keep their bits). */
enum { TILE_STORE, TILE_CONTINUE, TILE_ADD };

/* c (FMA_ROWS x FMA_COLS, row stride ldc) meets op(a)'s rows (element
 * [r][p] at a[r * rs + p * ps]: read where they are, no copy) @ b_pack
 * (kc x FMA_COLS) as mode says; bias (FMA_COLS values, or NULL) is then
 * added to each row as it is stored: the sum rounded, then one addition, as
 * a separate pass gives. */
__attribute__((target("avx512f"))) static void fma_tile(int kc, const double *restrict a, size_t rs, size_t ps,
                                                          const double *restrict bp, double *restrict c,
                                                          size_t ldc, int mode, const double *restrict bias) {
    __m512d acc[FMA_ROWS][2];
    UNROLL
    for (int r = 0; r < FMA_ROWS; r++) {
        bool cont = mode == TILE_CONTINUE;
        acc[r][0] = cont ? _mm512_loadu_pd(c + (size_t)r * ldc) : _mm512_setzero_pd();
        acc[r][1] = cont ? _mm512_loadu_pd(c + (size_t)r * ldc + 8) : _mm512_setzero_pd();
    }
    for (int p = 0; p < kc; p++) {
        /* op(a)'s rows as a's columns: a cache line a step of p, a row of a
         * apart, which the hardware fetched too late in W5's gW = h^T g */
        if (rs == 1) _mm_prefetch((const char *)(a + FMA_PREFETCH_P * ps), _MM_HINT_T0);
        __m512d b0 = _mm512_loadu_pd(bp), b1 = _mm512_loadu_pd(bp + 8);
        UNROLL
        for (int r = 0; r < FMA_ROWS; r++) {
            __m512d av = _mm512_set1_pd(a[(size_t)r * rs]);
            acc[r][0] = _mm512_fmadd_pd(av, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_pd(av, b1, acc[r][1]);
        }
        a += ps;
        bp += FMA_COLS;
    }
    UNROLL
    for (int r = 0; r < FMA_ROWS; r++) {
        if (mode == TILE_ADD) {
            acc[r][0] = _mm512_add_pd(_mm512_loadu_pd(c + (size_t)r * ldc), acc[r][0]);
            acc[r][1] = _mm512_add_pd(_mm512_loadu_pd(c + (size_t)r * ldc + 8), acc[r][1]);
        }
        if (bias != NULL) {
            acc[r][0] = _mm512_add_pd(acc[r][0], _mm512_loadu_pd(bias));
            acc[r][1] = _mm512_add_pd(acc[r][1], _mm512_loadu_pd(bias + 8));
        }
        _mm512_storeu_pd(c + (size_t)r * ldc, acc[r][0]);
        _mm512_storeu_pd(c + (size_t)r * ldc + 8, acc[r][1]);
    }
}

/* op(b)[p0 .. p0+kc) x [0 .. m) as panels of FMA_COLS columns, the last one
 * zero padded. */
static void fma_pack_b(double *dst, bool trans_b, const double *b, int ldb, int p0, int kc, int m) {
    for (int q = 0; q * FMA_COLS < m; q++, dst += (size_t)kc * FMA_COLS) {
        int j = q * FMA_COLS, cols = m - j < FMA_COLS ? m - j : FMA_COLS;
        if (!trans_b && cols == FMA_COLS)
            for (int p = 0; p < kc; p++)
                memcpy(dst + (size_t)p * FMA_COLS, b + (size_t)(p0 + p) * (size_t)ldb + (size_t)j, sizeof(double) * FMA_COLS);
        else if (trans_b && cols == FMA_COLS)
            for (int c = 0; c < FMA_COLS; c++) {
                const double *src = b + (size_t)(j + c) * (size_t)ldb + (size_t)p0;
                for (int p = 0; p < kc; p++) dst[(size_t)p * FMA_COLS + (size_t)c] = src[p];
            }
        else
            for (int p = 0; p < kc; p++)
                for (int c = 0; c < FMA_COLS; c++)
                    dst[(size_t)p * FMA_COLS + (size_t)c] = c < cols ? at(b, ldb, trans_b, p0 + p, j + c) : 0.0;
    }
}

/* false (nothing written) when its buffers cannot be allocated, or for a
 * beta other than 0 with k over a block (c + the whole sum would need the
 * sum kept apart; OpenBLAS does those).  bias: NULL, or a row of m values
 * added to every row of c (with beta 0 only). */
static bool gemm_fma(ag_ctx *ctx, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
                     const double *b, int ldb, double beta, double *c, int ldc, const double *bias) {
    if (beta != 0.0 && (k > FMA_BLOCK_K || bias != NULL)) return false;
    int kmax = k < FMA_BLOCK_K ? k : FMA_BLOCK_K, width = (m + FMA_COLS - 1) / FMA_COLS * FMA_COLS;
    size_t bcount = (size_t)width * (size_t)kmax;
    double *bpack = ctx_malloc(ctx, bcount * sizeof *bpack);
    /* a last group short of rows, then the bias zero padded to whole panels */
    double *last = ctx_malloc(ctx, ((size_t)FMA_ROWS * (size_t)kmax + (size_t)width) * sizeof *last);
    if (bpack == NULL || last == NULL) {
        ctx_free(ctx, bpack);
        ctx_free(ctx, last);
        return false;
    }
    double *bias_pad = NULL;
    if (bias != NULL) {
        bias_pad = last + (size_t)FMA_ROWS * (size_t)kmax;
        for (int j = 0; j < width; j++) bias_pad[j] = j < m ? bias[j] : 0.0;
    }
    if (beta != 0.0 && beta != 1.0)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) c[(size_t)i * (size_t)ldc + (size_t)j] *= beta;
    size_t rs = trans_a ? 1 : (size_t)lda, ps = trans_a ? (size_t)lda : 1; /* op(a)[i][p] = a[i * rs + p * ps] */
    int whole = n - n % FMA_ROWS, groups = (n + FMA_ROWS - 1) / FMA_ROWS;
    for (int p0 = 0; p0 < k; p0 += FMA_BLOCK_K) {
        int kc = k - p0 < FMA_BLOCK_K ? k - p0 : FMA_BLOCK_K;
        int mode = beta != 0.0 ? TILE_ADD : p0 > 0 ? TILE_CONTINUE : TILE_STORE;
        bool at_end = p0 + kc == k; /* the bias goes with the last block's store */
        fma_pack_b(bpack, trans_b, b, ldb, p0, kc, m);
        if (whole < n) /* the last rows, zero padded to a group: [p][r] */
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < FMA_ROWS; r++)
                    last[(size_t)p * FMA_ROWS + (size_t)r] = whole + r < n ? at(a, lda, trans_a, whole + r, p0 + p) : 0.0;
        for (int i0 = 0; i0 < groups; i0 += FMA_BLOCK_N / FMA_ROWS) {
            int i1 = groups - i0 < FMA_BLOCK_N / FMA_ROWS ? groups : i0 + FMA_BLOCK_N / FMA_ROWS;
            /* a panel of op(b) stays in cache while a block of op(a)'s rows passes */
            for (int q = 0; q * FMA_COLS < m; q++) {
                int cols = m - q * FMA_COLS < FMA_COLS ? m - q * FMA_COLS : FMA_COLS;
                const double *bp = bpack + (size_t)q * (size_t)kc * FMA_COLS;
                const double *tile_bias = bias_pad != NULL && at_end ? bias_pad + q * FMA_COLS : NULL;
                for (int g = i0; g < i1; g++) {
                    int row = g * FMA_ROWS, rows = n - row < FMA_ROWS ? n - row : FMA_ROWS;
                    double *c0 = c + (size_t)row * (size_t)ldc + (size_t)(q * FMA_COLS);
                    if (rows == FMA_ROWS && cols == FMA_COLS) {
                        fma_tile(kc, a + (size_t)row * rs + (size_t)p0 * ps, rs, ps, bp, c0, (size_t)ldc, mode,
                                 tile_bias);
                        continue;
                    }
                    double edge[FMA_ROWS * FMA_COLS] = {0}; /* a tile over c's edge */
                    if (mode != TILE_STORE)
                        for (int r = 0; r < rows; r++)
                            memcpy(edge + r * FMA_COLS, c0 + (size_t)r * (size_t)ldc, (size_t)cols * sizeof *edge);
                    if (rows == FMA_ROWS)
                        fma_tile(kc, a + (size_t)row * rs + (size_t)p0 * ps, rs, ps, bp, edge, FMA_COLS, mode,
                                 tile_bias);
                    else
                        fma_tile(kc, last, 1, FMA_ROWS, bp, edge, FMA_COLS, mode, tile_bias);
                    for (int r = 0; r < rows; r++)
                        memcpy(c0 + (size_t)r * (size_t)ldc, edge + r * FMA_COLS, (size_t)cols * sizeof *edge);
                }
            }
        }
    }
    ctx_free(ctx, bpack);
    ctx_free(ctx, last);
    return true;
}
#endif

/* ---- OpenBLAS, loaded at the first product --------------------------------- */

#ifndef AG_BLAS_BUILTIN_ONLY
#ifndef AG_OPENBLAS_LIBRARY
#define AG_OPENBLAS_LIBRARY "libopenblas.so.0"
#endif
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 }; /* cblas.h's values */
typedef void (*dgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, double alpha, const double *a,
                         int lda, const double *b, int ldb, double beta, double *c, int ldc);

static struct {
    dgemm_fn dgemm; /* NULL: not loaded (then the built-in product runs) */
    int (*get_threads)(void);
    void (*set_threads)(int);
    int (*shutdown)(void); /* blas_thread_shutdown_: pthread builds only */
    int threads_at_load;   /* OpenBLAS's own choice, read when loaded */
} openblas;
static pthread_mutex_t openblas_lock = PTHREAD_MUTEX_INITIALIZER;
static bool openblas_tried, workers_stopped;

/* A statically linked program has no dynamic section: dlopen there would
 * bring a second C library into the process. */
extern char _DYNAMIC[] __attribute__((weak));

static void openblas_load(void) {
    char *volatile dynamic = _DYNAMIC;
    if (dynamic == NULL) return;
    if (shared_dlopen_missing()) return;
    /* Lazy: of its ~16,000 relocations the 1,981 calls through its PLT are
     * bound when first made (a product calls a few dozen), not all at load
     * (the rest, its kernel tables, are bound at load either way) */
    void *handle = shared_dlopen(AG_OPENBLAS_LIBRARY, RTLD_LAZY | RTLD_LOCAL);
    if (handle == NULL) return;
    dgemm_fn dgemm = (dgemm_fn)dlsym(handle, "cblas_dgemm");
    openblas.get_threads = (int (*)(void))dlsym(handle, "openblas_get_num_threads");
    openblas.set_threads = (void (*)(int))dlsym(handle, "openblas_set_num_threads");
    openblas.shutdown = (int (*)(void))dlsym(handle, "blas_thread_shutdown_");
    if (dgemm == NULL || openblas.get_threads == NULL || openblas.set_threads == NULL) {
        dlclose(handle);
        return;
    }
    openblas.threads_at_load = openblas.get_threads();
    openblas.dgemm = dgemm;
}

/* OpenBLAS's cblas_dgemm, loaded at the first call; NULL when it cannot be. */
static dgemm_fn openblas_dgemm(void) {
    pthread_mutex_lock(&openblas_lock);
    if (!openblas_tried) openblas_load();
    openblas_tried = true;
    dgemm_fn dgemm = openblas.dgemm;
    pthread_mutex_unlock(&openblas_lock);
    return dgemm;
}

/* How many threads OpenBLAS uses by itself: its count at load, or before
 * the load the count it will choose (its environment variables, else the
 * CPUs this process may run on), so asking does not load it. */
static int env_threads(const char *name) {
    const char *text = getenv(name);
    int n = text != NULL ? atoi(text) : 0;
    return n > 0 ? n : 0;
}

/* How many threads a context that asked for them (threads != 0) splits a
 * product over: n, or AUTO's count (OpenBLAS's own choice when it was
 * set: OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, else the CPUs). */
static int threads_asked(const t_blas *blas) {
    int n = blas->threads > 0 ? blas->threads : blas->auto_max;
    return n > 1 ? n : 1;
}

static void stop_workers(void) {
    if (openblas.shutdown != NULL) openblas.shutdown();
}

/* Before a product of a context that asked for threads: OpenBLAS itself
 * always runs on one (the engine splits the big products, split_product
 * below), and OpenBLAS's workers, started when it was loaded, are stopped
 * once per process (idle, they spin in sched_yield). */
static void threads_for(const t_blas *blas) {
    if (blas == NULL || blas->threads == 0) return;
    if (openblas.get_threads() != 1) openblas.set_threads(1);
    /* read before the lock: once stopped, every later product (five a step
     * of a small MLP) skips a lock and an unlock */
    if (!__atomic_load_n(&workers_stopped, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&openblas_lock);
        if (!workers_stopped) stop_workers();
        __atomic_store_n(&workers_stopped, true, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&openblas_lock);
    }
}
#endif

int t_blas_threads_now(void) {
#ifndef AG_BLAS_BUILTIN_ONLY
    pthread_mutex_lock(&openblas_lock);
    int at_load = openblas.dgemm != NULL ? openblas.threads_at_load : 0;
    pthread_mutex_unlock(&openblas_lock);
    if (at_load > 0) return at_load;
    int n = env_threads("OPENBLAS_NUM_THREADS");
    if (n == 0) n = env_threads("GOTO_NUM_THREADS");
    if (n == 0) n = env_threads("OMP_NUM_THREADS");
    if (n == 0) {
        cpu_set_t cpus;
        n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    }
    return n > 0 ? n : 1;
#else
    return 1;
#endif
}

#ifdef FMA_PRODUCT
/* Whether a product goes to gemm_fma: one inside its bounds, on a CPU with
 * AVX-512, unless the context asked for OpenBLAS alone (AG_BLAS=openblas)
 * or, leaving OpenBLAS's threads alone (threads 0), OpenBLAS has more than
 * one (its threads are faster with the cores free).  A context that asked
 * for threads gets it by the product's sizes alone, however many threads
 * share the product (split_product). */
static bool fma_wanted(const t_blas *blas, int n, int m, int k) {
    if (blas != NULL && (blas->builtin || blas->openblas_only)) return false;
    size_t macs = (size_t)n * (size_t)m * (size_t)k;
    if (macs < FMA_MIN_MACS || macs >= FMA_MAX_MACS || n < FMA_MIN_ROWS || m < FMA_MIN_COLS || m > FMA_MAX_COLS ||
        k < FMA_COLS)
        return false;
    if (cpu_double_lanes() < 8) return false;
    if (blas != NULL && blas->threads != 0) return true;
    /* the count the program (or OPENBLAS_NUM_THREADS) left OpenBLAS with now;
     * without OpenBLAS, the built-in product runs on one thread too */
    return openblas_dgemm() == NULL || openblas.get_threads() == 1;
}
#endif

/* The product on the calling thread: the AVX-512 product when fma says so
 * (fma_wanted of the whole product's sizes), else OpenBLAS (on one thread
 * when the context asked for threads), else the built-in product.  With a
 * bias (t_dgemm_bias) only the AVX-512 product adds it: false, nothing
 * written, when it did not run.  ctx: whose allocator the packing buffers
 * come from (NULL on the engine's own threads: malloc). */
static bool one_product(const t_blas *blas, ag_ctx *ctx, bool fma, bool trans_a, bool trans_b, int n, int m, int k,
                        const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc,
                        const double *bias) {
#ifdef FMA_PRODUCT
    if (fma) {
#ifndef AG_BLAS_BUILTIN_ONLY
        if (blas != NULL && blas->threads != 0 && openblas_dgemm() != NULL) threads_for(blas);
#endif
        if (gemm_fma(ctx, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc, bias)) return true;
    }
#else
    (void)fma;
#endif
    if (bias != NULL) return false;
#ifndef AG_BLAS_BUILTIN_ONLY
    if (blas == NULL || !blas->builtin) {
        dgemm_fn dgemm = openblas_dgemm();
        if (dgemm != NULL) {
            threads_for(blas);
            dgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, n, m, k, 1.0, a, lda, b, ldb,
                  beta, c, ldc);
            return true;
        }
    }
#endif
    gemm_builtin(ctx, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc);
    return true;
}

/* ---- the engine's threads ----------------------------------------------------
 * A context that asked for threads (ag_set_blas_threads: AUTO, what agrepl
 * uses, or n) has a product of SPLIT_MIN_MACS multiply-adds or more split
 * into bands of c's rows or of its columns (split_way), which the calling
 * thread and up to count - 1 workers of the process's pool take in turn;
 * each band is the one-thread product (one_product) of its rows (columns).
 * Each element of c is then the same sum in the same order whichever band
 * it falls in and however many threads there are: by construction in the
 * AVX-512 and built-in products (each element's chain over p is its own),
 * and in OpenBLAS's because its kernels compute an element of c from its
 * row of op(a) and column of op(b) the same way at any row or column
 * (bands of 8 to 128 rows gave the whole product's bits on every shape
 * tried; tests/unit/test_blas.c checks 1 to 5 threads, both ways, on the
 * MLP benchmarks' products too).  So what a session prints
 * does not depend on the thread count; OpenBLAS's own threads would change
 * it (its 3-thread 1000x256x256 product differs from its 1-thread one in
 * the last bits).  Idle workers sleep on a condition variable, unlike
 * OpenBLAS's, which spin in sched_yield after each threaded call. */
#ifndef AG_BLAS_BUILTIN_ONLY
/* Measured with bench/tools/gemm_threads.c (bench/README.md): below this a
 * second thread gained too little to pay for waking it. */
#ifndef SPLIT_MIN_MACS /* bench/tools/gemm_threads.c sets it to 1 */
#define SPLIT_MIN_MACS ((size_t)1 << 22)
#endif
/* bands are whole multiples of this many rows or columns (the AVX-512
 * product's groups of 8 rows and panels of 16 columns, OpenBLAS's
 * unrolls); at least two bands to split */
#define SPLIT_ALIGN 16
/* the fewest multiply-adds a band has: twice OpenBLAS's largest
 * small-matrix bound (100^3, its AVX-512 kernels) */
#define SPLIT_BAND_MIN_MACS ((size_t)1 << 21)
/* bands a thread: more than one, so a thread the scheduler delays (the
 * machine shared) leaves its later bands to the others */
#ifndef SPLIT_BANDS_PER_THREAD /* bench tools may set it */
#define SPLIT_BANDS_PER_THREAD 2
#endif
#define POOL_MAX 64

typedef struct split_job {
    const t_blas *blas;
    bool fma, trans_a, trans_b;
    bool by_cols; /* bands of c's columns, else of its rows */
    int n, m, k, lda, ldb, ldc;
    const double *a, *b, *bias;
    double beta, *c;
    int units, bands; /* SPLIT_ALIGNs of rows (columns) shared out, in bands */
    int next;    /* the next band to take (atomic) */
    int done;    /* bands finished (under pool.lock) */
    bool failed; /* a band with a bias the AVX-512 product did not take */
} split_job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, finished;
    int started;              /* workers made (they live as long as the process) */
    int helpers;              /* workers 0 .. helpers-1 take part in job */
    int inside;               /* workers in job now */
    unsigned long generation; /* one more each job */
    split_job *job;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL};
/* one split product at a time: another thread's product meanwhile runs its
 * bands alone (the same bits) */
static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;

/* Where band `band` of `bands` starts: the units shared out as evenly as
 * whole units go (the last band also takes the rows, or columns, past the
 * last whole unit). */
static int band_start(int units, int bands, int band) {
    return (int)((long long)band * units / bands) * SPLIT_ALIGN;
}

/* Takes bands until none is left; how many it did. */
static int split_run(split_job *job) {
    int did = 0;
    for (;;) {
        int band = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (band >= job->bands) break;
        int first = band_start(job->units, job->bands, band);
        int width = (band == job->bands - 1 ? (job->by_cols ? job->m : job->n) : band_start(job->units, job->bands, band + 1)) - first;
        const double *a = job->a, *b = job->b, *bias = job->bias;
        double *c;
        int rows = job->n, cols = job->m;
        if (job->by_cols) { /* op(b)'s columns first.., the bias's values first.. */
            b += job->trans_b ? (size_t)first * (size_t)job->ldb : (size_t)first;
            if (bias != NULL) bias += first;
            c = job->c + first;
            cols = width;
        } else { /* op(a)'s rows first.. */
            a += job->trans_a ? (size_t)first : (size_t)first * (size_t)job->lda;
            c = job->c + (size_t)first * (size_t)job->ldc;
            rows = width;
        }
        if (!one_product(job->blas, NULL, job->fma, job->trans_a, job->trans_b, rows, cols, job->k, a, job->lda, b,
                         job->ldb, job->beta, c, job->ldc, bias))
            __atomic_store_n(&job->failed, true, __ATOMIC_RELAXED);
        did++;
    }
    return did;
}

static void *pool_worker(void *arg) {
    int index = (int)(intptr_t)arg;
    unsigned long seen = 0;
    pthread_setname_np(pthread_self(), "ag-gemm"); /* as ps and /proc show it */
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.job == NULL || seen == pool.generation || index >= pool.helpers)
            pthread_cond_wait(&pool.wake, &pool.lock);
        seen = pool.generation;
        split_job *job = pool.job;
        pool.inside++;
        pthread_mutex_unlock(&pool.lock);
        int did = split_run(job);
        pthread_mutex_lock(&pool.lock);
        job->done += did;
        pool.inside--;
        pthread_cond_signal(&pool.finished);
    }
    return NULL;
}

/* How a product is split: not at all (the calling thread alone), into
 * bands of c's rows, or into bands of its columns, whichever costs the
 * product's kernel less work in all (CPU time of all threads, measured
 * with bench/tools/gemm_threads.c, bench/README.md):
 * - the AVX-512 product (fma): columns.  A band packs only its columns of
 *   op(b) and reads op(a) where it is; in bands of rows every band packs
 *   the whole of op(b) again (W5's 256x1000x256 x^T gy took 7-21 % more
 *   CPU than one thread in rows, 0-13 % more in columns, and less time);
 * - OpenBLAS and the built-in product: rows (OpenBLAS's 1000x1024x1024
 *   products took 1-6 % more CPU in rows, 12-30 % more in columns: a band
 *   of 256 columns is a short block of its kernel's rows).
 * A product of a's transpose (a weight's gradient, x^T gy) is split as any
 * other. */
enum { SPLIT_NONE, SPLIT_ROWS, SPLIT_COLS };
static int split_way(const t_blas *blas, bool fma, int n, int m, int k) {
    if (blas == NULL || blas->threads == 0 || threads_asked(blas) < 2 || (size_t)n * (size_t)m * (size_t)k < SPLIT_MIN_MACS)
        return SPLIT_NONE;
    int way = fma ? SPLIT_COLS : SPLIT_ROWS;
    return (way == SPLIT_COLS ? m : n) >= 2 * SPLIT_ALIGN ? way : SPLIT_NONE;
}

/* How split_product shares out a product split `way` among up to
 * *threads threads: its rows (columns) in whole SPLIT_ALIGNs, *units of
 * them, as evenly as they go into SPLIT_BANDS_PER_THREAD bands a thread
 * (1,000 rows on 2 threads: 256, 256, 240 and 248; bands of 256 rows and a
 * last one taking the rest, 488, kept one thread busy for 744 of the
 * 1,000); how many bands, 0 when it runs whole (fewer than two of the
 * least size).  *threads is lowered to the bands. */
static int split_plan(const t_blas *blas, int way, int n, int m, int k, int *threads, int *units) {
    *threads = threads_asked(blas);
    if (*threads > POOL_MAX + 1) *threads = POOL_MAX + 1;
    bool by_cols = way == SPLIT_COLS;
    int length = by_cols ? m : n; /* c's rows, or its columns, shared out */
    size_t line_macs = by_cols ? (size_t)n * (size_t)k : (size_t)m * (size_t)k; /* a row's (column's) */
    /* every band big enough for OpenBLAS's usual kernels: below about 10^6
     * multiply-adds its small-matrix kernels (AVX-512 CPUs) sum in another
     * order, so a small band, or a short last one, would change the bits
     * (with OpenBLAS's Cooper Lake kernels, 130x600x70 in bands of 32 rows
     * and a last one of 2 did; test_blas runs it) */
    size_t band_min = line_macs > 0 ? (SPLIT_BAND_MIN_MACS + line_macs - 1) / line_macs : 1;
    size_t min_units = (band_min + SPLIT_ALIGN - 1) / SPLIT_ALIGN;
    *units = length / SPLIT_ALIGN;
    size_t bands = (size_t)*units / min_units, want = (size_t)*threads * SPLIT_BANDS_PER_THREAD;
    if (bands > want) bands = want;
    if (bands < 2) return 0;
    if ((size_t)*threads > bands) *threads = (int)bands;
    return (int)bands;
}

/* one_product of the whole, in bands of rows or columns (way) on up to
 * threads_asked threads; false as one_product's */
static bool split_product(const t_blas *blas, int way, bool fma, bool trans_a, bool trans_b, int n, int m, int k,
                          const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc,
                          const double *bias) {
    int threads, units, bands = split_plan(blas, way, n, m, k, &threads, &units);
    if (bands == 0) return one_product(blas, NULL, fma, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc, bias);
    split_job job = {.blas = blas, .fma = fma, .trans_a = trans_a, .trans_b = trans_b, .n = n, .m = m, .k = k,
                     .lda = lda, .ldb = ldb, .ldc = ldc, .a = a, .b = b, .bias = bias, .beta = beta, .c = c,
                     .by_cols = way == SPLIT_COLS, .units = units, .bands = bands};
    /* OpenBLAS set to one thread (and its workers stopped) before a worker
     * calls it */
    if (!blas->builtin && openblas_dgemm() != NULL) threads_for(blas);
    bool shared = pthread_mutex_trylock(&pool_busy) == 0;
    if (shared) {
        pthread_mutex_lock(&pool.lock);
        while (pool.started < threads - 1) {
            pthread_t worker;
            pthread_attr_t attr;
            /* signals (agrepl's Ctrl-C) stay the program's threads' to take */
            sigset_t all, old;
            sigfillset(&all);
            pthread_sigmask(SIG_SETMASK, &all, &old);
            bool made = pthread_attr_init(&attr) == 0;
            if (made) {
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                made = pthread_create(&worker, &attr, pool_worker, (void *)(intptr_t)pool.started) == 0;
                pthread_attr_destroy(&attr);
            }
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            if (!made) break; /* fewer threads, same bits */
            pool.started++;
        }
        pool.helpers = threads - 1 < pool.started ? threads - 1 : pool.started;
        pool.job = &job;
        pool.generation++;
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    int did = split_run(&job);
    if (shared) {
        pthread_mutex_lock(&pool.lock);
        job.done += did;
        while (job.done < job.bands || pool.inside > 0) pthread_cond_wait(&pool.finished, &pool.lock);
        pool.job = NULL;
        pthread_mutex_unlock(&pool.lock);
        pthread_mutex_unlock(&pool_busy);
    }
    return !job.failed;
}
#endif

void t_dgemm(const t_blas *blas, bool trans_a, bool trans_b, int n, int m, int k, const double *a, int lda,
             const double *b, int ldb, double beta, double *c, int ldc) {
    bool fma = false;
#ifdef FMA_PRODUCT
    fma = fma_wanted(blas, n, m, k);
#endif
#ifndef AG_BLAS_BUILTIN_ONLY
    int way = split_way(blas, fma, n, m, k);
    if (way != SPLIT_NONE && split_product(blas, way, fma, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc, NULL))
        return;
#endif
    one_product(blas, blas ? blas->ctx : NULL, fma, trans_a, trans_b, n, m, k, a, lda, b, ldb, beta, c, ldc, NULL);
}

bool t_dgemm_bias(const t_blas *blas, int n, int m, int k, const double *a, int lda, const double *b, int ldb,
                  const double *bias, double *c, int ldc) {
#ifdef FMA_PRODUCT
    if (!fma_wanted(blas, n, m, k)) return false;
#ifndef AG_BLAS_BUILTIN_ONLY
    /* a band the AVX-512 product did not take (no memory for its buffers)
     * is left unwritten: the caller then multiplies and adds the whole */
    int way = split_way(blas, true, n, m, k);
    if (way != SPLIT_NONE) return split_product(blas, way, true, false, false, n, m, k, a, lda, b, ldb, 0.0, c, ldc, bias);
#endif
    return one_product(blas, blas ? blas->ctx : NULL, true, false, false, n, m, k, a, lda, b, ldb, 0.0, c, ldc, bias);
#else
    (void)blas, (void)n, (void)m, (void)k, (void)a, (void)lda, (void)b, (void)ldb, (void)bias, (void)c, (void)ldc;
    return false;
#endif
}

const char *t_dgemm_kind(const t_blas *blas, int n, int m, int k) {
#ifdef FMA_PRODUCT
    if (fma_wanted(blas, n, m, k)) return "avx512";
#endif
    (void)n, (void)m, (void)k;
    return t_blas_name(blas);
}

int t_dgemm_bands(const t_blas *blas, bool trans_a, bool trans_b, int n, int m, int k, bool *by_cols) {
    *by_cols = false;
    (void)trans_a, (void)trans_b; /* either way split alike (split_way) */
#ifndef AG_BLAS_BUILTIN_ONLY
    bool fma = false;
#ifdef FMA_PRODUCT
    fma = fma_wanted(blas, n, m, k);
#endif
    int way = split_way(blas, fma, n, m, k), threads, units;
    if (way == SPLIT_NONE) return 1;
    int bands = split_plan(blas, way, n, m, k, &threads, &units);
    if (bands == 0) return 1;
    *by_cols = way == SPLIT_COLS;
    return bands;
#else
    (void)blas, (void)n, (void)m, (void)k;
    return 1;
#endif
}

const char *t_blas_name(const t_blas *blas) {
#ifndef AG_BLAS_BUILTIN_ONLY
    if (blas == NULL || !blas->builtin) {
        if (openblas_dgemm() != NULL) return "openblas";
    }
#endif
    return "builtin";
}
