/* sin_square.c — the smallest C user of libautograd: y = sin(x) + x^2 and
 * its derivative at x = 0.5, from the installed headers and libautograd.a
 * alone.  tests/suites/lib_only_test.sh links it statically (-Wl,--gc-sections)
 * against a library built with BLAS=builtin and checks its size (under
 * 1 MB with glibc and with musl) and numbers. */
#include <math.h>
#include <stdio.h>

#include <autograd/autograd.h>

int main(void) {
    ag_ctx *c = ag_ctx_new();
    ag_var *x = ag_scalar(c, 0.5);
    ag_var *y = ag_add(c, ag_sin(c, x), ag_square(c, x));
    if (ag_backward(c, y, NULL) < 0) {
        fprintf(stderr, "%s\n", ag_errmsg(c));
        ag_ctx_free(c);
        return 1;
    }
    double dy = ag_item(ag_grad(x));
    printf("y = %.17g, dy/dx = %.17g\n", ag_item(y), dy);
    int status = fabs(dy - (cos(0.5) + 1.0)) < 1e-15 ? 0 : 1;
    ag_ctx_free(c);
    return status;
}
