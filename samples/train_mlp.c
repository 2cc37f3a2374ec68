/* train_mlp.c — libautograd from C without the REPL: a sigmoid MLP [10 1]
 * fits y = sin(2 pi x) + noise with plain SGD (DeZero's step 45).
 *
 *   x ~ U[0, 1), y = sin(2 pi x) + U[0, 1)    100 points, full batch
 *   loss = mse(model(x), y); backward; p -= 0.2 * p.grad     10000 steps
 *
 * Prints the loss every 1000 steps and the fitted curve at a few points;
 * exits 1 if anything fails or the loss does not end below 0.1 (the noise
 * alone has variance 1/12, about 0.083).
 *
 * Build, once libautograd is installed (make install):
 *   cc -std=c11 train_mlp.c $(pkg-config --cflags --libs autograd) -lm
 * or in the source tree: cc -std=c11 -Iinclude samples/train_mlp.c build/libautograd.a -lm
 * (the library links no BLAS: it loads OpenBLAS at run time when installed). */
#include <math.h>
#include <stdio.h>

#include <autograd/autograd.h>

#define POINTS 100
#define STEPS 10000

static int fail(ag_ctx *ctx, const char *what) {
    fprintf(stderr, "train_mlp: %s: %s\n", what, ag_errmsg(ctx));
    return 1;
}

int main(void) {
    const double pi = 3.141592653589793;
    ag_ctx *ctx = ag_ctx_new();
    if (ctx == NULL) return 1;

    /* The data, from our own seeded generator: the same numbers everywhere. */
    ag_rng rng;
    ag_rng_seed(&rng, 0);
    ag_var *x = ag_rand(ctx, 2, (const int[]){POINTS, 1}, &rng);
    ag_var *y = ag_rand(ctx, 2, (const int[]){POINTS, 1}, &rng);
    if (x == NULL || y == NULL) return fail(ctx, "data");
    /* ag_data_mut writes (an in-place change, before any graph uses y);
     * ag_cdata only reads. */
    double *ys = ag_data_mut(y);
    for (int i = 0; i < POINTS; i++) ys[i] += sin(2 * pi * ag_cdata(x)[i]);
    /* Roots: ag_gc below frees each step's graph but keeps the data.  The
     * model and the optimizer retain what they own themselves. */
    ag_retain(x);
    ag_retain(y);

    ag_model *model = ag_mlp(ctx, (const int[]){10, 1}, 2, AG_ACT_SIGMOID, 0);
    ag_optim *sgd = ag_sgd(ctx, 0.2, 0, 0);
    if (model == NULL || sgd == NULL) return fail(ctx, "setup");

    double loss_value = NAN;
    char number[AG_NUMBUF];
    for (int step = 0; step < STEPS; step++) {
        ag_var *loss = ag_mse(ctx, ag_model_forward(model, x), y);
        if (loss == NULL) return fail(ctx, "forward");
        ag_model_cleargrad(model);
        if (ag_backward(ctx, loss, NULL) < 0) return fail(ctx, "backward");
        if (ag_optim_update_model(sgd, model) < 0) return fail(ctx, "update");
        loss_value = ag_item(loss);
        if (step % 1000 == 0)
            printf("step %5d  loss %s\n", step, ag_format_double(loss_value, 0, number));
        ag_gc(ctx); /* everything but the data and the model's parameters */
    }
    printf("step %5d  loss %s\n", STEPS, ag_format_double(loss_value, 0, number));

    /* The fitted curve, with no graph recorded. */
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *grid = ag_reshape(ctx, ag_linspace(ctx, 0, 1, 5), 2, (const int[]){5, 1});
    ag_var *fitted = ag_model_forward(model, grid);
    ag_set_grad_enabled(ctx, old);
    if (fitted == NULL) return fail(ctx, "predict");
    for (int i = 0; i < 5; i++)
        printf("x %-5g model %-9.5f sin(2 pi x) + 0.5 %.5f\n", ag_cdata(grid)[i],
               ag_cdata(fitted)[i], sin(2 * pi * ag_cdata(grid)[i]) + 0.5);

    char description[128];
    printf("%s, %zu live variables\n", ag_model_describe(model, description, sizeof description),
           ag_live_vars(ctx));
    ag_optim_free(sgd);
    ag_model_unref(model);
    ag_ctx_free(ctx);
    return loss_value < 0.1 ? 0 : 1;
}
