// cxx_user.cpp — libautograd from C++: the installed header has C linkage
// (extern "C" guards), so this links against libautograd.so or .a.
#include <autograd/autograd.h>

#include <cmath>
#include <cstdio>

int main() {
    ag_ctx *c = ag_ctx_new();
    ag_var *x = ag_scalar(c, 1.0);
    ag_var *y = ag_add(c, ag_sin(c, x), ag_mul(c, x, x)); // sin(x) + x^2
    if (ag_backward(c, y, nullptr) != 0) {
        std::fprintf(stderr, "cxx_user: %s\n", ag_errmsg(c));
        return 1;
    }
    double dy = ag_item(ag_grad(x)), want = std::cos(1.0) + 2.0;
    std::printf("libautograd %s from C++: d/dx (sin x + x^2) at 1 = %.15g\n", ag_version(), dy);
    // the optimizer initializer is plain aggregate initialization in C++ too
    ag_optim_config config = AG_OPTIM_INIT(AG_ADAM);
    ag_optim_config defaults = ag_optim_defaults(AG_ADAM);
    bool same = config.kind == defaults.kind && config.lr == defaults.lr && config.eps == defaults.eps &&
                config.weight_decay == defaults.weight_decay;
    ag_ctx_free(c);
    return std::fabs(dy - want) < 1e-15 && AG_VERSION_MAJOR >= 1 && same ? 0 : 1;
}
