/* stale_pointer.c — the reproducer: a pointer kept across ag_gc
 * without ag_retain.  By default the collected node is reused at once and
 * the stale read silently prints 99; with AG_DEBUG_NO_REUSE=1 the node was
 * freed, so valgrind and AddressSanitizer report the read
 * (tests/suites/stale_pointer_test.sh). */
#include <stdio.h>

#include <autograd/autograd.h>

int main(void) {
    ag_ctx *c = ag_ctx_new();
    if (c == NULL) return 1;
    ag_var *loss = ag_scalar(c, .25); /* not retained */
    ag_gc(c);                         /* loss is now invalid */
    ag_scalar(c, 99);
    printf("%g\n", ag_item(loss));    /* the bug under test */
    ag_ctx_free(c);
    return 0;
}
