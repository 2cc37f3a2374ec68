/* stale_pointer.c — the reproducer: a pointer kept across ag_gc
 * without ag_retain.  By default the collected node is reused at once and
 * the stale read silently prints 99; with AG_DEBUG_NO_REUSE=1 the node was
 * freed, so valgrind and AddressSanitizer report the read
 * (tests/suites/stale_pointer_test.sh).
 * `stale_pointer setters`: ag_cleargrad and ag_set_name given the stale
 * handle before its node is reused print their answers, -1 -1 (they
 * write nothing into the free list's node); with AG_DEBUG_NO_REUSE=1 the
 * read of the freed node is reported as above. */
#include <stdio.h>
#include <string.h>

#include <autograd/autograd.h>

int main(int argc, char **argv) {
    ag_ctx *c = ag_ctx_new();
    if (c == NULL) return 1;
    ag_var *loss = ag_scalar(c, .25); /* not retained */
    ag_gc(c);                         /* loss is now invalid */
    if (argc > 1 && strcmp(argv[1], "setters") == 0) {
        int cleared = ag_cleargrad(loss);                      /* the bug under test */
        int named = ag_set_name(loss, "a name of its own block"); /* and its twin */
        printf("%d %d\n", cleared, named);
    } else {
        ag_scalar(c, 99);
        printf("%g\n", ag_item(loss)); /* the bug under test */
    }
    ag_ctx_free(c);
    return 0;
}
