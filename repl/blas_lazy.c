/* blas_lazy.c — OpenBLAS for agrepl, loaded at the first product.
 *
 * OpenBLAS has some 16,000 relocations: loading it was 8 of the 9.5 million
 * instructions of `agrepl -e 1` (bench/README.md), and most scripts at the
 * REPL multiply no matrix big enough to call it (t_dgemm's small products
 * stay in the engine's own loop).  So agrepl does not link OpenBLAS: this
 * file, linked into agrepl only (not into the tests or libautograd), defines
 * the four OpenBLAS functions the engine calls (src/tensor.c) and loads the
 * library with dlopen() the first time a product needs it.
 *
 * Until then the engine's thread settings are remembered and applied right
 * after the load, before the first product: the engine asks at its first
 * context how many threads OpenBLAS chose at load (to give them back to big
 * products only), then sets one and stops the workers.  Before the load the
 * answer is the count OpenBLAS will choose: its environment variables
 * (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS), else the CPUs
 * this process may run on.  A library that cannot be loaded ends agrepl
 * with a message naming it (without the lazy load agrepl would not have
 * started at all). */
#define _GNU_SOURCE /* CPU_COUNT */
#include <cblas.h>
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef AGREPL_BLAS_LIBRARY
#define AGREPL_BLAS_LIBRARY "libopenblas.so.0"
#endif

int blas_thread_shutdown_(void); /* OpenBLAS pthread builds; not in cblas.h */

typedef void (*dgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const double, const double *,
                         const blasint, const double *, const blasint, const double, double *,
                         const blasint);

static struct {
    dgemm_fn dgemm;
    int (*get_threads)(void);
    void (*set_threads)(int);
    int (*shutdown)(void); /* NULL in builds without it */
    int pending_threads;   /* set before the load: applied at it (0: none) */
    int pending_shutdown;
} blas;

static int env_threads(const char *name) {
    const char *text = getenv(name);
    int n = text != NULL ? atoi(text) : 0;
    return n > 0 ? n : 0;
}

static void blas_load(void) {
    if (blas.dgemm != NULL) return;
    void *handle = dlopen(AGREPL_BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        fprintf(stderr, "agrepl: matrix products need OpenBLAS, which could not be loaded: %s\n",
                why ? why : AGREPL_BLAS_LIBRARY);
        exit(1);
    }
    blas.get_threads = (int (*)(void))dlsym(handle, "openblas_get_num_threads");
    blas.set_threads = (void (*)(int))dlsym(handle, "openblas_set_num_threads");
    blas.shutdown = (int (*)(void))dlsym(handle, "blas_thread_shutdown_");
    dgemm_fn dgemm = (dgemm_fn)dlsym(handle, "cblas_dgemm");
    if (dgemm == NULL || blas.get_threads == NULL || blas.set_threads == NULL) {
        fprintf(stderr, "agrepl: %s lacks cblas_dgemm or the OpenBLAS thread functions\n",
                AGREPL_BLAS_LIBRARY);
        exit(1);
    }
    if (blas.pending_threads > 0) blas.set_threads(blas.pending_threads);
    if (blas.pending_shutdown && blas.shutdown != NULL) blas.shutdown();
    blas.dgemm = dgemm;
}

int openblas_get_num_threads(void) {
    if (blas.dgemm != NULL) return blas.get_threads();
    if (blas.pending_threads > 0) return blas.pending_threads;
    int n = env_threads("OPENBLAS_NUM_THREADS");
    if (n == 0) n = env_threads("GOTO_NUM_THREADS");
    if (n == 0) n = env_threads("OMP_NUM_THREADS");
    if (n == 0) {
        cpu_set_t cpus;
        n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    }
    return n > 0 ? n : 1;
}

void openblas_set_num_threads(int num_threads) {
    if (blas.dgemm != NULL) blas.set_threads(num_threads);
    else blas.pending_threads = num_threads;
}

int blas_thread_shutdown_(void) {
    if (blas.dgemm != NULL) return blas.shutdown != NULL ? blas.shutdown() : 0;
    blas.pending_shutdown = 1;
    return 0;
}

void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const blasint m, const blasint n, const blasint k,
                 const double alpha, const double *a, const blasint lda, const double *b, const blasint ldb,
                 const double beta, double *c, const blasint ldc) {
    if (blas.dgemm == NULL) blas_load();
    blas.dgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
