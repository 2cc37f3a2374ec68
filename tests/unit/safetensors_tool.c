/* safetensors_tool.c — ag_model_save/ag_model_load as a C user calls them
 * (tests/suites/safetensors_test.sh drives it and reads its files with Python).
 *   safetensors_tool save FILE   an MLP [8 1] (sigmoid) run once on x,
 *                                saved; prints its loss on (x, t), %.17g
 *   safetensors_tool check FILE  a fresh MLP loads FILE and saves it again as
 *                                FILE.again (the same bytes); prints its loss
 *   safetensors_tool bad FILE    loading FILE must fail with AG_ERR_IO (AG_ERR_SHAPE
 *                                for a FILE named *wrong_shape*) and leave the
 *                                weights unchanged; prints the message
 * x (4 x 3) = sin(3i + j + 1), t (4 x 1) = cos(i). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <autograd/autograd.h>

static ag_var *inputs(ag_ctx *c, ag_var **t) {
    double x[12], y[4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 3; j++) x[i * 3 + j] = sin(3 * i + j + 1);
        y[i] = cos(i);
    }
    *t = ag_new(c, 2, (int[]){4, 1}, y);
    return ag_new(c, 2, (int[]){4, 3}, x);
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    ag_ctx *c = ag_ctx_new();
    ag_var *t, *x = inputs(c, &t);
    ag_model *m = ag_mlp(c, (int[]){8, 1}, 2, AG_ACT_SIGMOID, strcmp(argv[1], "save") == 0 ? 7 : 99);
    double before = ag_item(ag_mse(c, ag_model_forward(m, x), t));
    int status = 0;
    if (strcmp(argv[1], "save") == 0) {
        if (ag_model_save(m, argv[2]) < 0) status = 1;
        printf("%.17g\n", before);
    } else if (strcmp(argv[1], "check") == 0) {
        char again[4096];
        snprintf(again, sizeof again, "%s.again", argv[2]);
        if (ag_model_load(m, argv[2]) < 0 || ag_model_save(m, again) < 0) status = 1;
        printf("%.17g\n", ag_item(ag_mse(c, ag_model_forward(m, x), t)));
    } else {
        double w = ag_item(ag_model_param_by_name(m, "linear[0].w"));
        int rc = ag_model_load(m, argv[2]);
        double after = ag_item(ag_mse(c, ag_model_forward(m, x), t));
        ag_err want = strstr(argv[2], "wrong_shape") != NULL ? AG_ERR_SHAPE : AG_ERR_IO;
        status = rc == -1 && ag_errcode(c) == want && after == before &&
                 w == ag_item(ag_model_param_by_name(m, "linear[0].w")) ? 0 : 1;
    }
    if (ag_failed(c)) fprintf(stderr, "%s\n", ag_errmsg(c));
    ag_model_unref(m);
    ag_ctx_free(c);
    return status;
}
