/* threads_ctx.c — two threads make their first contexts at once and use
 * them (ops, a product through OpenBLAS, backward, gc), while the host
 * program's OpenBLAS thread count must stay what it set: the library has no
 * global state and changes no process-wide setting unless asked
 * (ag_set_blas_threads).  Run plain, and under helgrind and DRD by
 * tests/suites/threads_test.sh.  Prints the two results and the thread counts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <autograd/autograd.h>

int openblas_get_num_threads(void);
void openblas_set_num_threads(int threads);

static pthread_barrier_t start;

static void *work(void *arg) {
    double *result = arg;
    pthread_barrier_wait(&start); /* both make their context at the same moment */
    ag_ctx *c = ag_ctx_new();
    if (c == NULL) return NULL;
    int shape[2] = {64, 64};
    ag_var *a = ag_randn(c, 2, shape, NULL), *b = ag_randn(c, 2, shape, NULL);
    ag_var *y = ag_sum(c, ag_tanh(c, ag_matmul(c, a, b)), NULL, 0);
    if (ag_backward(c, y, NULL) == 0) *result = ag_item(y) + ag_item(ag_sum(c, ag_grad(a), NULL, 0));
    ag_retain(y);
    ag_gc(c);
    ag_ctx_free(c);
    return NULL;
}

int main(int argc, char **argv) {
    int host = argc > 1 ? atoi(argv[1]) : 2;
    openblas_set_num_threads(host);
    int before = openblas_get_num_threads();
    pthread_barrier_init(&start, NULL, 2);
    double r[2] = {0, 0};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, &r[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    int after = openblas_get_num_threads();
    printf("results %.17g %.17g; OpenBLAS threads before %d, after %d\n", r[0], r[1], before, after);
    return r[0] == r[1] && r[0] != 0 && before == after ? 0 : 1;
}
