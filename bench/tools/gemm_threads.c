/* gemm_threads.c — a matrix product on one thread against all of them, on
 * the product shapes that matter (W7's 30x100x100, the 1-W-W-1 MLPs'
 * products for W = 16, 64, 256, 1024 on 1,000 points, up to 1000^3):
 *   - the engine's t_dgemm (src/blas.c) with one thread against split into
 *     bands of c's rows and into bands of its columns over THREADS threads
 *     (split_product forced at every size here, either way), and
 *   - OpenBLAS's own threads, 1 against THREADS,
 * interleaved (one round times each of the five once, best of ROUNDS
 * rounds; OpenBLAS's workers stopped after each round, so its N-thread
 * time includes starting them), so a load that comes and goes weighs on
 * all alike; and the CPU
 * time of all the process's threads the two splits take against one
 * thread's (best of ROUNDS each): the work a split adds, which a load does
 * not hide.  How
 * src/blas.c's SPLIT_MIN_MACS was chosen (bench/README.md).  Not part of
 * the build (after `make build-all`):
 *   cc -O2 -pthread -Isrc -Iinclude/autograd $(pkg-config --cflags openblas) \
 *      bench/tools/gemm_threads.c -o /tmp/gemm_threads build/libautograd-internal.a \
 *      $(pkg-config --libs openblas) -lm -ldl && /tmp/gemm_threads [THREADS [ROUNDS]] */
#define SPLIT_MIN_MACS 1 /* split every product with two bands or more */
#include "../../src/blas.c"

#include <cblas.h>
#include <stdio.h>
#include <time.h>

static double clock_of(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now(void) { return clock_of(CLOCK_MONOTONIC); }

/* what t_dgemm passes split_product: the AVX-512 product or not */
static bool fma_for(const t_blas *blas, int n, int m, int k) {
#ifdef FMA_PRODUCT
    return fma_wanted(blas, n, m, k);
#else
    (void)blas, (void)n, (void)m, (void)k;
    return false;
#endif
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : t_blas_threads_now(), rounds = argc > 2 ? atoi(argv[2]) : 7;
    if (threads < 2) threads = 2;
    /* n k m ta tb: c (n x m) = op(a) (n x k) op(b) (k x m) */
    static const int shapes[][5] = {
        {30, 100, 100, 0, 0},                                              /* W7 */
        {1000, 16, 16, 0, 0},     {1000, 16, 16, 0, 1},     {16, 1000, 16, 1, 0},     /* W = 16 */
        {1000, 64, 64, 0, 0},     {1000, 64, 64, 0, 1},     {64, 1000, 64, 1, 0},     /* W = 64 */
        {100, 100, 100, 0, 0},    {128, 128, 128, 0, 0},    {200, 200, 200, 0, 0},
        {1000, 256, 256, 0, 0},   {1000, 256, 256, 0, 1},   {256, 1000, 256, 1, 0},   /* W = 256 (W5) */
        {1000, 1024, 1024, 0, 0}, {1000, 1024, 1024, 0, 1}, {1024, 1000, 1024, 1, 0}, /* W = 1024 */
        {1000, 1000, 1000, 0, 0}};
    t_blas one = {.threads = 1}, many = {.threads = threads};
    printf("%d threads against 1, best of %d interleaved rounds; load %s", threads, rounds, "");
    FILE *load = fopen("/proc/loadavg", "r");
    char text[64] = "?\n";
    if (load != NULL) {
        if (fgets(text, sizeof text, load) == NULL) text[0] = 0;
        fclose(load);
    }
    printf("%s", text);
    printf("%-16s %-7s %10s %10s %6s %10s %6s %9s %9s   %10s %10s %6s\n", "n x k x m", "kind", "engine 1", "rows N",
           "gain", "cols N", "gain", "rows cpu", "cols cpu", "openblas 1", "openblas N", "gain");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int n = shapes[s][0], k = shapes[s][1], m = shapes[s][2];
        bool ta = shapes[s][3], tb = shapes[s][4];
        int lda = ta ? n : k, ldb = tb ? k : m;
        double *a = malloc((size_t)n * k * sizeof *a), *b = malloc((size_t)k * m * sizeof *b);
        double *c = malloc((size_t)n * m * sizeof *c);
        if (a == NULL || b == NULL || c == NULL) return 1;
        for (int i = 0; i < n * k; i++) a[i] = i % 7 * 0.1;
        for (int i = 0; i < k * m; i++) b[i] = i % 5 * 0.1;
        double macs = (double)n * k * m, best[5] = {1e9, 1e9, 1e9, 1e9, 1e9}, cpu[3] = {1e9, 1e9, 1e9};
        int reps = macs < 1e7 ? (int)(2e7 / macs) + 1 : macs < 1e8 ? 10 : 2;
        t_dgemm(&one, ta, tb, n, m, k, a, lda, b, ldb, 0.0, c, m); /* loads OpenBLAS */
        for (int round = 0; round < rounds; round++)
            for (int way = 0; way < 5; way++) {
                double t0 = now(), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
                for (int i = 0; i < reps; i++) {
                    if (way == 0) {
                        t_dgemm(&one, ta, tb, n, m, k, a, lda, b, ldb, 0.0, c, m);
                    } else if (way < 3) {
                        split_product(&many, way == 1 ? SPLIT_ROWS : SPLIT_COLS, fma_for(&many, n, m, k), ta, tb,
                                      n, m, k, a, lda, b, ldb, 0.0, c, m, NULL);
                    } else {
                        openblas.set_threads(way == 3 ? 1 : threads);
                        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, n,
                                    m, k, 1.0, a, lda, b, ldb, 0.0, c, m);
                    }
                }
                double dt = (now() - t0) / reps, dc = (clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0) / reps;
                /* OpenBLAS's workers stopped: spinning after their product,
                 * they would add to the next round's CPU times */
                if (way == 4) {
                    openblas.set_threads(1);
                    if (openblas.shutdown != NULL) openblas.shutdown();
                }
                if (dt < best[way]) best[way] = dt;
                if (way < 3 && dc < cpu[way]) cpu[way] = dc;
            }
        char name[32];
        snprintf(name, sizeof name, "%dx%dx%d%s", n, k, m, ta ? " TN" : tb ? " NT" : "");
        printf("%-16s %-7s %8.1fus %8.1fus %5.2fx %8.1fus %5.2fx %8.2fx %8.2fx   %8.1fus %8.1fus %5.2fx\n", name,
               t_dgemm_kind(&one, n, m, k), best[0] * 1e6, best[1] * 1e6, best[0] / best[1], best[2] * 1e6,
               best[0] / best[2], cpu[1] / cpu[0], cpu[2] / cpu[0], best[3] * 1e6, best[4] * 1e6, best[3] / best[4]);
        fflush(stdout);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
