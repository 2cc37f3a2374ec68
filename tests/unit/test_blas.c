/* test_blas.c — src/blas.c's products: the built-in one bit for bit against
 * the textbook loop, OpenBLAS and the AVX-512 fused multiply-add product to
 * 1e-12 of it, and which of them a product of each size runs on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"
#include "testutil.h"

/* c = op(a) @ op(b) + beta c by the textbook loop (i, j, then p in order) */
static void textbook(bool ta, bool tb, int n, int m, int k, const double *a, int lda, const double *b, int ldb,
                     double beta, double *c, int ldc) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double sum = beta != 0.0 ? beta * c[(size_t)i * ldc + j] : 0.0;
            for (int p = 0; p < k; p++)
                sum = sum + (ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p]) *
                                (tb ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j]);
            c[(size_t)i * ldc + j] = sum;
        }
}

/* The built-in product (src/blas.c) against the textbook loop, bit for bit:
 * each element summed over p in order, multiply then add, whatever the
 * blocks, the transposes, the leading dimensions, the narrow and one-row
 * shapes it treats apart, and beta 0 or 1; OpenBLAS (when it is there) to
 * 1e-12 of the same. */
static void test_dgemm_builtin_is_the_loop(void **state) {
    static const int shapes[][3] = {
        {1, 1, 1}, {3, 5, 2}, {4, 8, 1}, {7, 9, 300}, {130, 17, 513}, {129, 1, 600}, {1, 70, 260},
        {257, 3, 7}, {5, 300, 40}, {64, 64, 64},
    };
    t_blas builtin = {.builtin = true};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int variant = 0; variant < 8; variant++) {
            bool ta = variant & 1, tb = variant & 2, accumulate = variant & 4;
            int n = shapes[s][0], m = shapes[s][1], k = shapes[s][2];
            int lda = (ta ? n : k) + 3, ldb = (tb ? k : m) + 1, ldc = m + 2; /* padded rows */
            size_t asize = (size_t)(ta ? k : n) * lda, bsize = (size_t)(tb ? m : k) * ldb, csize = (size_t)n * ldc;
            double *a = malloc(asize * sizeof *a), *b = malloc(bsize * sizeof *b);
            double *c = malloc(csize * sizeof *c), *want = malloc(csize * sizeof *want);
            double *blas = malloc(csize * sizeof *blas);
            assert_non_null(a && b && c && want && blas);
            for (size_t i = 0; i < asize; i++) a[i] = sin(0.37 * (double)i + 1);
            for (size_t i = 0; i < bsize; i++) b[i] = cos(0.11 * (double)i) / 3;
            for (size_t i = 0; i < csize; i++) c[i] = want[i] = blas[i] = accumulate ? 0.5 - (double)(i % 7) : NAN;
            textbook(ta, tb, n, m, k, a, lda, b, ldb, accumulate ? 1.0 : 0.0, want, ldc);
            t_dgemm(&builtin, ta, tb, n, m, k, a, lda, b, ldb, accumulate ? 1.0 : 0.0, c, ldc);
            t_dgemm(NULL, ta, tb, n, m, k, a, lda, b, ldb, accumulate ? 1.0 : 0.0, blas, ldc);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++) {
                    size_t at = (size_t)i * ldc + j;
                    if (c[at] != want[at] || fabs(blas[at] - want[at]) > 1e-12 * (1 + fabs(want[at])))
                        fail_msg("%dx%dx%d ta=%d tb=%d beta=%d [%d][%d]: builtin %.17g, %s %.17g, loop %.17g", n, m,
                                 k, ta, tb, accumulate, i, j, c[at], t_blas_name(NULL), blas[at], want[at]);
                }
            for (int i = 0; i < n; i++) /* the padding between rows is not written */
                for (int j = m; j < ldc; j++) assert_true(accumulate ? c[(size_t)i * ldc + j] == want[(size_t)i * ldc + j]
                                                                     : isnan(c[(size_t)i * ldc + j]));
            free(a);
            free(b);
            free(c);
            free(want);
            free(blas);
        }
}

/* The AVX-512 product on the sizes it takes: whole tiles and edges of c
 * on both sides, k over a block and not a multiple of one, every
 * transpose, padded leading dimensions, and beta 0 (c's old values, NaN,
 * not read), 1 and 0.5.  Each element to 1e-12 of the textbook loop (only
 * the rounding of the fused multiply-adds differs), and the padding
 * between c's rows untouched. */
static void test_fma_product_is_the_loop(void **state) {
    (void)state;
    static const int shapes[][3] = {
        {1000, 256, 256}, {256, 256, 1000}, {130, 200, 513}, {65, 143, 1000}, {77, 129, 300}, {100, 500, 40},
    };
    t_blas one = {.threads = 1}; /* one thread: what the product needs */
    bool fma = cpu_double_lanes() >= 8;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int variant = 0; variant < 12; variant++) {
            bool ta = variant & 1, tb = variant & 2;
            double beta = variant < 4 ? 0.0 : variant < 8 ? 1.0 : 0.5;
            int n = shapes[s][0], m = shapes[s][1], k = shapes[s][2];
            if (fma)
                assert_string_equal(t_dgemm_kind(&one, n, m, k), "avx512");
            int lda = (ta ? n : k) + 3, ldb = (tb ? k : m) + 1, ldc = m + 2;
            size_t asize = (size_t)(ta ? k : n) * lda, bsize = (size_t)(tb ? m : k) * ldb, csize = (size_t)n * ldc;
            double *a = malloc(asize * sizeof *a), *b = malloc(bsize * sizeof *b);
            double *c = malloc(csize * sizeof *c), *want = malloc(csize * sizeof *want);
            assert_non_null(a && b && c && want);
            for (size_t i = 0; i < asize; i++) a[i] = sin(0.37 * (double)i + 1);
            for (size_t i = 0; i < bsize; i++) b[i] = cos(0.11 * (double)i) / 3;
            for (size_t i = 0; i < csize; i++) c[i] = want[i] = beta != 0.0 ? 0.5 - (double)(i % 7) : NAN;
            textbook(ta, tb, n, m, k, a, lda, b, ldb, beta, want, ldc);
            t_dgemm(&one, ta, tb, n, m, k, a, lda, b, ldb, beta, c, ldc);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    size_t at = (size_t)i * ldc + j;
                    if (!(fabs(c[at] - want[at]) <= 1e-12 * (1 + fabs(want[at]))))
                        fail_msg("%dx%dx%d ta=%d tb=%d beta=%g [%d][%d]: %s %.17g, loop %.17g", n, m, k, ta, tb,
                                 beta, i, j, t_dgemm_kind(&one, n, m, k), c[at], want[at]);
                }
                for (int j = m; j < ldc; j++) {
                    size_t at = (size_t)i * ldc + j;
                    assert_true(beta != 0.0 ? c[at] == want[at] : isnan(c[at]));
                }
            }
            free(a);
            free(b);
            free(c);
            free(want);
        }
}

int openblas_get_num_threads(void);
void openblas_set_num_threads(int threads);

/* Which products go to the AVX-512 product: mid-sized ones with c of 64
 * rows or more and 128 to 512 columns, on one thread, unless the context
 * asked for the built-in product or OpenBLAS alone. */
static void test_fma_product_takes_its_sizes(void **state) {
    (void)state;
    if (cpu_double_lanes() < 8) skip();
    t_blas one = {.threads = 1}, two = {.threads = 2}, builtin = {.threads = 1, .builtin = true};
    t_blas openblas_only = {.threads = 1, .openblas_only = true};
    t_blas automatic = {.threads = AG_BLAS_THREADS_AUTO, .auto_max = 2};
    const char *other = t_blas_name(&one); /* openblas, or builtin without it */
    assert_string_equal(t_dgemm_kind(&one, 1000, 256, 256), "avx512");
    assert_string_equal(t_dgemm_kind(&one, 128, 128, 64), "avx512");
    assert_string_equal(t_dgemm_kind(&one, 64, 64, 64), other);     /* small: OpenBLAS without copies */
    assert_string_equal(t_dgemm_kind(&one, 3000, 64, 700), other);  /* narrow c */
    assert_string_equal(t_dgemm_kind(&one, 300, 1024, 256), other); /* wide c */
    assert_string_equal(t_dgemm_kind(&one, 30, 256, 256), other);   /* few rows */
    assert_string_equal(t_dgemm_kind(&one, 64, 512, 256), "avx512"); /* the bounds */
    assert_string_equal(t_dgemm_kind(&one, 1000, 1000, 1000), other); /* large */
    assert_string_equal(t_dgemm_kind(&two, 1000, 256, 256), "avx512"); /* the engine's threads share it */
    assert_string_equal(t_dgemm_kind(&builtin, 1000, 256, 256), "builtin");
    assert_string_equal(t_dgemm_kind(&openblas_only, 1000, 256, 256), other);
    assert_string_equal(t_dgemm_kind(&automatic, 1000, 256, 256), "avx512");
    /* threads 0: the count OpenBLAS has now, whoever set it */
    if (strcmp(other, "openblas") == 0) {
        int before = openblas_get_num_threads();
        openblas_set_num_threads(2);
        assert_string_equal(t_dgemm_kind(NULL, 1000, 256, 256), "openblas");
        openblas_set_num_threads(1);
        assert_string_equal(t_dgemm_kind(NULL, 1000, 256, 256), "avx512");
        openblas_set_num_threads(before);
    }
}

/* beta 1 on the AVX-512 product is c + the whole sum, one addition, as a
 * product into a new buffer and a pass adding it give (ops_nn.c sums a
 * gradient in dgemm only because the bits are the same): bit for bit, with
 * edges on both sides of c. */
static void test_fma_beta_one_adds_the_sum_once(void **state) {
    (void)state;
    static const int shapes[][3] = {{1000, 256, 100}, {77, 130, 128}, {129, 300, 256}};
    t_blas one = {.threads = 1};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int variant = 0; variant < 4; variant++) {
            bool ta = variant & 1, tb = variant & 2;
            int n = shapes[s][0], m = shapes[s][1], k = shapes[s][2];
            if (cpu_double_lanes() >= 8) assert_string_equal(t_dgemm_kind(&one, n, m, k), "avx512");
            int lda = ta ? n : k, ldb = tb ? k : m;
            size_t asize = (size_t)n * k, bsize = (size_t)k * m, csize = (size_t)n * m;
            double *a = malloc(asize * sizeof *a), *b = malloc(bsize * sizeof *b);
            double *c = malloc(csize * sizeof *c), *product = malloc(csize * sizeof *product);
            assert_non_null(a && b && c && product);
            for (size_t i = 0; i < asize; i++) a[i] = sin(0.37 * (double)i + 1);
            for (size_t i = 0; i < bsize; i++) b[i] = cos(0.11 * (double)i) / 3;
            for (size_t i = 0; i < csize; i++) c[i] = 0.1 * (double)(i % 11) - 0.3;
            t_dgemm(&one, ta, tb, n, m, k, a, lda, b, ldb, 0.0, product, m);
            for (size_t i = 0; i < csize; i++) product[i] = c[i] + product[i]; /* the pass */
            t_dgemm(&one, ta, tb, n, m, k, a, lda, b, ldb, 1.0, c, m);
            assert_memory_equal(c, product, csize * sizeof *c);
            free(a);
            free(b);
            free(c);
            free(product);
        }
}

/* t_dgemm_bias (linear's forward) is the product, then a pass adding the
 * row: bit for bit, with edges on both sides of c, k over a block and not a
 * multiple of one, padded leading dimensions; it declines (false, c not
 * written) what the AVX-512 product does not take, and on a CPU without
 * AVX-512 everything. */
static void test_fma_bias_is_the_product_then_the_row(void **state) {
    (void)state;
    static const int shapes[][3] = {{1000, 256, 256}, {77, 130, 513}, {129, 300, 40}, {64, 500, 1000}};
    t_blas one = {.threads = 1};
    bool fma = cpu_double_lanes() >= 8;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int n = shapes[s][0], m = shapes[s][1], k = shapes[s][2];
        int lda = k + 3, ldb = m + 1, ldc = m + 2;
        size_t asize = (size_t)n * lda, bsize = (size_t)k * ldb, csize = (size_t)n * ldc;
        double *a = malloc(asize * sizeof *a), *b = malloc(bsize * sizeof *b), *bias = malloc(m * sizeof *bias);
        double *c = malloc(csize * sizeof *c), *want = malloc(csize * sizeof *want);
        assert_non_null(a && b && bias && c && want);
        for (size_t i = 0; i < asize; i++) a[i] = sin(0.37 * (double)i + 1);
        for (size_t i = 0; i < bsize; i++) b[i] = cos(0.11 * (double)i) / 3;
        for (int j = 0; j < m; j++) bias[j] = 0.25 * (double)(j % 9) - 1.0 / 3.0;
        for (size_t i = 0; i < csize; i++) c[i] = want[i] = NAN;
        t_dgemm(&one, false, false, n, m, k, a, lda, b, ldb, 0.0, want, ldc);
        for (int i = 0; i < n; i++) /* the pass */
            for (int j = 0; j < m; j++) want[(size_t)i * ldc + j] = want[(size_t)i * ldc + j] + bias[j];
        assert_int_equal(t_dgemm_bias(&one, n, m, k, a, lda, b, ldb, bias, c, ldc), fma);
        if (fma) assert_memory_equal(c, want, csize * sizeof *c); /* the padding between rows too (NaN) */
        t_blas openblas = {.threads = 1, .openblas_only = true}; /* AG_BLAS=openblas */
        c[0] = 42;
        assert_false(t_dgemm_bias(&openblas, n, m, k, a, lda, b, ldb, bias, c, ldc));
        assert_true(c[0] == 42);
        free(a);
        free(b);
        free(bias);
        free(c);
        free(want);
    }
    double x[64 * 16] = {0}, w[16 * 16] = {0}, bias[16] = {0}, c[64 * 16];
    c[0] = 42;
    assert_false(t_dgemm_bias(&one, 64, 16, 16, x, 16, w, 16, bias, c, 16)); /* too small for it */
    assert_true(c[0] == 42);
}

/* c = op(a) @ op(b) + beta c on one thread and split over 2, 3 and 5: the
 * same bits, or a failure naming the product. */
static void threads_match_one(bool builtin, bool ta, bool tb, double beta, int n, int m, int k) {
    int lda = ta ? n : k, ldb = tb ? k : m;
    size_t asize = (size_t)n * k, bsize = (size_t)k * m, csize = (size_t)n * m;
    double *a = malloc(asize * sizeof *a), *b = malloc(bsize * sizeof *b);
    double *one = malloc(csize * sizeof *one), *many = malloc(csize * sizeof *many);
    assert_non_null(a && b && one && many);
    for (size_t i = 0; i < asize; i++) a[i] = sin(0.37 * (double)i + 1);
    for (size_t i = 0; i < bsize; i++) b[i] = cos(0.11 * (double)i) / 3;
    for (size_t i = 0; i < csize; i++) one[i] = 0.1 * (double)(i % 11) - 0.3;
    t_blas single = {.threads = 1, .builtin = builtin};
    t_dgemm(&single, ta, tb, n, m, k, a, lda, b, ldb, beta, one, m);
    static const int counts[] = {2, 3, 5};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        t_blas threads = {.threads = counts[c], .builtin = builtin};
        for (size_t i = 0; i < csize; i++) many[i] = 0.1 * (double)(i % 11) - 0.3;
        t_dgemm(&threads, ta, tb, n, m, k, a, lda, b, ldb, beta, many, m);
        bool by_cols;
        int bands = t_dgemm_bands(&threads, ta, tb, n, m, k, &by_cols);
        if (memcmp(one, many, csize * sizeof *one) != 0)
            fail_msg("%dx%dx%d ta=%d tb=%d beta=%g on %s: %d threads (%d bands of %s) differ from one", n, m, k, ta,
                     tb, beta, t_dgemm_kind(&single, n, m, k), counts[c], bands, by_cols ? "columns" : "rows");
    }
    free(a);
    free(b);
    free(one);
    free(many);
}

/* A context that asked for threads splits a big product into bands of
 * rows or columns over them (blas.c): every element the same bits as on
 * one thread, whatever the count, on each of the three products (AVX-512
 * when the CPU has it, OpenBLAS, built-in), either operand transposed or
 * not, beta 0 and 1, and the AVX-512 product's bias.  Then the 1-W-W-1
 * MLP benchmarks' own products (W5's, W = 1024's: the forward x w, the
 * input's gradient gy w^T and the weight's x^T gy, beta 0 and 1). */
static void test_threads_give_one_thread_bits(void **state) {
    (void)state;
    static const int shapes[][3] = {{200, 256, 130}, {130, 600, 70}, {1000, 64, 80}};
    for (int kernel = 0; kernel < 2; kernel++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int variant = 0; variant < 8; variant++) {
                bool builtin = kernel == 1;
                if (builtin && variant != 0 && variant != 7) continue; /* the slow one: two variants */
                threads_match_one(builtin, variant & 1, variant & 2, variant & 4 ? 1.0 : 0.0, shapes[s][0],
                                  shapes[s][1], shapes[s][2]);
            }
    static const int mlp[][5] = {/* n m k, ta tb: x w, gy w^T, x^T gy */
                                 {1000, 256, 256, 0, 0},   {1000, 256, 256, 0, 1},   {256, 256, 1000, 1, 0},
                                 {1000, 1024, 1024, 0, 0}, {1000, 1024, 1024, 0, 1}, {1024, 1024, 1000, 1, 0}};
    for (size_t s = 0; s < sizeof mlp / sizeof mlp[0]; s++)
        for (int beta = 0; beta < 2; beta++)
            threads_match_one(false, mlp[s][3], mlp[s][4], beta, mlp[s][0], mlp[s][1], mlp[s][2]);
    /* the bias (W5's forward): the bands add it as the whole product does */
    int n = 1000, m = 256, k = 256;
    double *a = malloc((size_t)n * k * sizeof *a), *b = malloc((size_t)k * m * sizeof *b), bias[256];
    double *one = malloc((size_t)n * m * sizeof *one), *many = malloc((size_t)n * m * sizeof *many);
    assert_non_null(a && b && one && many);
    for (int i = 0; i < n * k; i++) a[i] = sin(0.37 * i + 1);
    for (int i = 0; i < k * m; i++) b[i] = cos(0.11 * i) / 3;
    for (int j = 0; j < m; j++) bias[j] = 0.01 * j;
    t_blas single = {.threads = 1}, threads = {.threads = 3};
    bool took = t_dgemm_bias(&single, n, m, k, a, k, b, m, bias, one, m);
    assert_int_equal(t_dgemm_bias(&threads, n, m, k, a, k, b, m, bias, many, m), took);
    if (took) assert_memory_equal(one, many, (size_t)n * m * sizeof *one);
    free(a);
    free(b);
    free(one);
    free(many);
}

/* Which products are split, and how (t_dgemm_bands): each of the MLP
 * benchmarks' big products on 2 threads, the weight's gradient x^T gy
 * among them, in 4 bands (2 a thread, the last not much longer than the
 * others): of columns for the AVX-512 product (W5's on a CPU with it), of
 * rows for OpenBLAS's and the built-in one (W = 1024's); a product under
 * 2^22 multiply-adds, one thread, or the default (threads 0) runs whole. */
static void test_split_ways(void **state) {
    (void)state;
    t_blas two = {.threads = 2}, one = {.threads = 1}, unset = {0}, builtin = {.threads = 2, .builtin = true};
    static const int big[][5] = {/* n m k, ta tb: x w, gy w^T, x^T gy */
                                 {1000, 256, 256, 0, 0},   {1000, 256, 256, 0, 1},   {256, 256, 1000, 1, 0},
                                 {1000, 1024, 1024, 0, 0}, {1000, 1024, 1024, 0, 1}, {1024, 1024, 1000, 1, 0}};
    for (size_t s = 0; s < sizeof big / sizeof big[0]; s++) {
        int n = big[s][0], m = big[s][1], k = big[s][2];
        bool ta = big[s][3], tb = big[s][4], by_cols;
        bool fma = strcmp(t_dgemm_kind(&two, n, m, k), "avx512") == 0;
        assert_int_equal(t_dgemm_bands(&two, ta, tb, n, m, k, &by_cols), 4);
        assert_int_equal(by_cols, fma);
        assert_int_equal(t_dgemm_bands(&builtin, ta, tb, n, m, k, &by_cols), 4);
        assert_false(by_cols);
        assert_int_equal(t_dgemm_bands(&one, ta, tb, n, m, k, &by_cols), 1);
        assert_int_equal(t_dgemm_bands(&unset, ta, tb, n, m, k, &by_cols), 1);
    }
    bool by_cols;
    assert_int_equal(t_dgemm_bands(&two, true, false, 64, 64, 1000, &by_cols), 1); /* W = 64's: 4.1e6 */
    assert_int_equal(t_dgemm_bands(&two, false, false, 1000, 64, 64, &by_cols), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dgemm_builtin_is_the_loop),
        cmocka_unit_test(test_fma_product_is_the_loop),
        cmocka_unit_test(test_fma_product_takes_its_sizes),
        cmocka_unit_test(test_fma_beta_one_adds_the_sum_once),
        cmocka_unit_test(test_fma_bias_is_the_product_then_the_row),
        cmocka_unit_test(test_threads_give_one_thread_bits),
        cmocka_unit_test(test_split_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
