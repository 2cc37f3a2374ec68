/* stale_buffer.c — a tensor's data read through a pointer kept across
 * ag_gc.  The collected variable's buffer goes to its context's buffer
 * cache; with AG_DEBUG_NO_REUSE=1 the cache is bypassed and the
 * buffer freed, so AddressSanitizer reports the read as a heap use after
 * free; without it, in a library built with `make lib-asan`, the cached
 * buffer is poisoned and the read is reported as a use after poison
 * (tests/suites/lib_asan_test.sh). */
#include <stdio.h>

#include <autograd/autograd.h>

int main(void) {
    ag_ctx *c = ag_ctx_new();
    if (c == NULL) return 1;
    ag_var *y = ag_full(c, 1, (const int[]){1000}, 2.0); /* not retained */
    const double *data = ag_cdata(y);
    ag_gc(c);                     /* y and its buffer are gone */
    printf("%g\n", data[500]);    /* the bug under test */
    ag_ctx_free(c);
    return 0;
}
