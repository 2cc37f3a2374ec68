/* gemm_threads.c — cblas_dgemm with 1 and 2 OpenBLAS threads on the
 * product shapes that matter (W7's 30x100x100 up to 1000^3): best of 7
 * each, and the speed-up.  How src/tensor.c's BLAS_THREADS_MIN_MACS was
 * chosen (bench/README.md).  Not part of the build:
 *   cc -O2 $(pkg-config --cflags openblas) bench/tools/gemm_threads.c \
 *      -o /tmp/gemm_threads $(pkg-config --libs openblas) && /tmp/gemm_threads */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
    static const int sizes[][3] = {{30, 100, 100},   {64, 64, 64},    {100, 100, 100},
                                   {128, 128, 128},  {200, 200, 200}, {256, 256, 256},
                                   {1000, 256, 256}, {512, 512, 512}, {1000, 1000, 1000}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s][0], k = sizes[s][1], m = sizes[s][2];
        double *a = calloc((size_t)n * k, sizeof *a), *b = calloc((size_t)k * m, sizeof *b);
        double *c = calloc((size_t)n * m, sizeof *c);
        if (a == NULL || b == NULL || c == NULL) return 1;
        for (int i = 0; i < n * k; i++) a[i] = i % 7 * 0.1;
        for (int i = 0; i < k * m; i++) b[i] = i % 5 * 0.1;
        double best[3] = {1e9, 1e9, 1e9};
        int reps = (double)n * k * m < 1e7 ? 200 : 5;
        for (int rep = 0; rep < 7; rep++)
            for (int t = 1; t <= 2; t++) {
                openblas_set_num_threads(t);
                double t0 = now();
                for (int i = 0; i < reps; i++)
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0, a, k, b, m,
                                0.0, c, m);
                double dt = (now() - t0) / reps;
                if (dt < best[t]) best[t] = dt;
            }
        printf("%dx%dx%d: 1 thread %.1f us, 2 threads %.1f us, speed-up %.2f\n", n, k, m,
               best[1] * 1e6, best[2] * 1e6, best[1] / best[2]);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
