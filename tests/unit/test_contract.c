/* test_contract.c — the contract at the top of ag_core.h, one promise per
 * test: NULL and errors, sticky messages, contexts, pointers after ag_gc,
 * optimizer configs, freeing order, threads, version and the old names. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* the public ag_set_error, which errors.h forbids the library itself */
#define AG_ERRORS_PUBLIC_FORM
#include "internal.h" /* to preset a wrong seed gradient ag_set_grad refuses */

/* v is NULL and the context holds exactly `message`; clears it. */
#define assert_fails(v, message)                         \
    do {                                                 \
        assert_null(v);                                  \
        assert_true(ag_failed(ctx));                     \
        assert_string_equal(ag_errmsg(ctx), (message));  \
        ag_clear_error(ctx);                             \
    } while (0)

static void test_version(void **state) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", AG_VERSION_MAJOR, AG_VERSION_MINOR,
             AG_VERSION_PATCH);
    assert_string_equal(ag_version(), expected);
    assert_string_equal(AG_VERSION_STRING, expected);
    assert_int_equal(ag_version_number(), AG_VERSION_NUMBER);
    assert_int_equal(AG_VERSION_NUMBER,
                     AG_VERSION_MAJOR * 1000000L + AG_VERSION_MINOR * 1000L + AG_VERSION_PATCH);
#if AG_VERSION_NUMBER < 1001000
#error "AG_VERSION_NUMBER must be usable in #if"
#endif
}

/* Accessors take NULL, the result of a failed call, and answer "nothing". */
static void test_accessors_accept_null(void **state) {
    assert_true(isnan(ag_item(NULL)));
    assert_int_equal(ag_ndim(NULL), 0);
    assert_null(ag_shape(NULL));
    assert_int_equal(ag_size(NULL), 0);
    assert_null(ag_data(NULL));
    assert_null(ag_cdata(NULL));
    assert_null(ag_grad(NULL));
    assert_null(ag_creator(NULL));
    assert_null(ag_var_ctx(NULL));
    assert_string_equal(ag_name(NULL), "");
    assert_int_equal(ag_generation(NULL), 0);
    assert_false(ag_same_shape(NULL, NULL));
    assert_int_equal(ag_set_name(NULL, "x"), -1);
    assert_int_equal(ag_cleargrad(NULL), -1);
    assert_int_equal(ag_set_grad(NULL, NULL), -1);
    assert_int_equal(ag_func_ninputs(NULL), 0);
    assert_null(ag_func_input(NULL, 0));
    /* a NULL context (ag_ctx_new out of memory) says so */
    assert_true(ag_failed(NULL));
    assert_true(strstr(ag_errmsg(NULL), "out of memory") != NULL);
    assert_null(ag_scalar(NULL, 1));
    assert_null(ag_sin(NULL, NULL));
    assert_int_equal(ag_gc(NULL), 0);
}

static void test_new_rejects_null_shape(void **state) {
    assert_fails(ag_new(ctx, 2, NULL, NULL), "new: the shape is NULL but ndim is 2");
    assert_fails(ag_zeros(ctx, 1, NULL), "zeros: the shape is NULL but ndim is 1");
    assert_fails(ag_rand(ctx, 3, NULL, NULL), "rand: the shape is NULL but ndim is 3");
    ag_var *s = ag_new(ctx, 0, NULL, (const double[]){4}); /* a scalar needs no shape */
    assert_close(ag_item(s), 4);
}

/* Every NULL or -1 leaves a message; an earlier one is kept. */
static void test_every_failure_leaves_a_message(void **state) {
    assert_int_equal(ag_backward(ctx, NULL, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "backward: the output is NULL");
    ag_clear_error(ctx);
    ag_var *x = ag_scalar(ctx, 2);
    assert_fails(ag_sin(ctx, NULL), "sin: input 1 is NULL");
    assert_fails(ag_mul(ctx, x, NULL), "mul: input 2 is NULL");
    assert_fails(ag_grad_of(ctx, NULL, x, false), "grad: the output is NULL");
    assert_fails(ag_grad_of(ctx, x, NULL, false), "grad: the input is NULL");
    ag_var *parts[2];
    assert_int_equal(ag_split(ctx, NULL, (const int[]){1, 1}, 2, 0, parts), -1);
    assert_string_equal(ag_errmsg(ctx), "split: the input is NULL");
    ag_clear_error(ctx);
    /* ops that look at their input before applying it say so too */
    assert_fails(ag_reshape(ctx, NULL, 1, (const int[]){1}), "reshape: input 1 is NULL");
    assert_fails(ag_transpose(ctx, NULL, NULL, 0), "transpose: input 1 is NULL");
    assert_fails(ag_broadcast_to(ctx, NULL, 1, (const int[]){2}), "broadcast_to: input 1 is NULL");
    assert_fails(ag_sum(ctx, NULL, NULL, 0), "sum: input 1 is NULL");
    assert_fails(ag_get_item(ctx, NULL, 0, (const int[]){0}, 1), "index: input 1 is NULL");
    assert_fails(ag_dropout(ctx, NULL, 0.5), "dropout: input 1 is NULL");
    /* the first message of an expression is the one kept */
    ag_var *y = ag_add(ctx, ag_log(ctx, ag_reshape(ctx, x, 1, (const int[]){3})), x);
    assert_fails(y, "reshape: cannot reshape [] into [3]");
}

/* Errors are sticky: a call that succeeds does not clear them. */
static void test_errors_are_sticky(void **state) {
    assert_null(ag_arange(ctx, 0, 1, 0));
    assert_non_null(ag_scalar(ctx, 1));
    assert_non_null(ag_add(ctx, ag_scalar(ctx, 1), ag_scalar(ctx, 2)));
    assert_true(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), "arange: step is zero");
    ag_clear_error(ctx);
    assert_false(ag_failed(ctx));
    assert_string_equal(ag_errmsg(ctx), "");
}

/* A maker that runs out of memory names itself, not the ag_zeros it calls:
 * "eye: out of memory for shape [1000 1000]", not "zeros: ...". */
static void *refuse_big_malloc(void *user, size_t size) {
    (void)user;
    return size > ((size_t)1 << 20) ? NULL : malloc(size);
}
static void *refuse_big_realloc(void *user, void *ptr, size_t size) {
    (void)user;
    return size > ((size_t)1 << 20) ? NULL : realloc(ptr, size);
}
static void plain_free(void *user, void *ptr) {
    (void)user;
    free(ptr);
}
static void test_makers_name_themselves_out_of_memory(void **state) {
    ag_ctx *small = ag_ctx_new_with_allocator(
        &(ag_allocator){refuse_big_malloc, refuse_big_realloc, plain_free, NULL});
    assert_non_null(small);
    assert_null(ag_eye(small, 1000));
    assert_string_equal(ag_errmsg(small), "eye: out of memory for shape [1000 1000]");
    ag_clear_error(small);
    assert_null(ag_eye_nm(small, 1000, 500));
    assert_string_equal(ag_errmsg(small), "eye: out of memory for shape [1000 500]");
    ag_clear_error(small);
    assert_null(ag_linspace(small, 0, 1, 1000000));
    assert_string_equal(ag_errmsg(small), "linspace: out of memory for shape [1000000]");
    ag_clear_error(small);
    assert_null(ag_arange(small, 0, 1000000, 1));
    assert_string_equal(ag_errmsg(small), "arange: out of memory for shape [1000000]");
    assert_int_equal(ag_errcode(small), AG_ERR_NOMEM);
    ag_clear_error(small);
    ag_var *big = ag_zeros(ctx, 2, (const int[]){1000, 1000}); /* ctx's allocator has room */
    assert_non_null(big);
    assert_null(ag_zeros_like(small, big));
    assert_string_equal(ag_errmsg(small), "zeros_like: out of memory for shape [1000 1000]");
    ag_clear_error(small);
    assert_null(ag_ones_like(small, big));
    assert_string_equal(ag_errmsg(small), "ones_like: out of memory for shape [1000 1000]");
    ag_clear_error(small);
    assert_null(ag_detach(small, big));
    assert_string_equal(ag_errmsg(small), "detach: out of memory for shape [1000 1000]");
    ag_clear_error(small);
    /* the count too large for any allocator, as a number one can read */
    assert_null(ag_arange(small, 0, 1e300, 1));
    assert_string_equal(ag_errmsg(small), "arange: 1e+300 elements is too many (at most 1e9)");
    ag_ctx_free(small);
}

/* A preset seed of the wrong shape is blamed, not the op it meets. */
static void test_wrong_seed_blames_the_seed(void **state) {
    ag_var *a = VAR(ctx, SHAPE(2), 1, 2), *b = VAR(ctx, SHAPE(2), 3, 4);
    ag_var *y = ag_mul(ctx, a, b);
    assert_int_equal(ag_set_grad(y, VAR(ctx, SHAPE(3), 1, 1, 1)), -1);
    assert_string_equal(ag_errmsg(ctx), "set_grad: the gradient's shape [3] is not the variable's [2]");
    ag_clear_error(ctx);
    assert_null(ag_grad(y));
    y->grad = VAR(ctx, SHAPE(3), 1, 1, 1); /* as an old caller could */
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "backward: the seed gradient (the output's grad) has shape "
                                        "[3], the output [2]");
    ag_clear_error(ctx);
    assert_int_equal(ag_set_grad(y, VAR(ctx, SHAPE(2), 1, 1)), 0);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    assert_data(ag_grad(a), 3, 4);
}

/* Variables of another context are refused everywhere, with a message. */
static void test_other_context_is_refused(void **state) {
    ag_ctx *other = ag_ctx_new();
    ag_var *a = VAR(ctx, SHAPE(2, 2), 1, 2, 3, 4), *b = ag_scalar(other, 3);
    ag_var *m = VAR(other, SHAPE(2, 2), 1, 0, 0, 1);
    assert_fails(ag_mul(ctx, a, b), "mul: input 2 belongs to another context");
    assert_fails(ag_add(ctx, b, a), "add: input 1 belongs to another context");
    assert_fails(ag_sin(ctx, b), "sin: input 1 belongs to another context");
    assert_fails(ag_matmul(ctx, a, m), "matmul: input 2 belongs to another context");
    assert_fails(ag_linear(ctx, a, m, NULL), "linear: input 2 belongs to another context");
    assert_fails(ag_concat(ctx, (ag_var *[]){a, m}, 2, 0), "concat: input 2 belongs to another context");
    assert_fails(ag_accuracy(ctx, a, b), "accuracy: input 2 belongs to another context");
    assert_int_equal(ag_backward(ctx, b, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "backward: the output belongs to another context");
    ag_clear_error(ctx);
    assert_fails(ag_grad_of(ctx, a, b, false), "grad: the input belongs to another context");
    assert_int_equal(ag_set_grad(a, m), -1);
    assert_string_equal(ag_errmsg(ctx), "set_grad: the gradient belongs to another context");
    ag_clear_error(ctx);
    assert_int_equal(ag_hook_clip_grad(ctx, &b, 1, 1.0), -1);
    assert_string_equal(ag_errmsg(ctx), "clip_grad: parameter 1 belongs to another context");
    ag_clear_error(ctx);
    /* a model of another context is refused by update_model as by bind_model,
     * also before its first call, when it has no parameters to blame yet */
    ag_model *lazy = ag_mlp(other, (const int[]){2, 1}, 2, AG_ACT_TANH, 0);
    ag_model *dead = ag_mlp(other, (const int[]){2, 1}, 2, AG_ACT_TANH, 0);
    ag_optim *sgd = ag_sgd(ctx, 0.1, 0, 0);
    assert_int_equal(ag_optim_update_model(sgd, lazy), -1);
    assert_string_equal(ag_errmsg(ctx), "sgd: the model belongs to another context");
    assert_int_equal(ag_errcode(ctx), AG_ERR_CONTEXT);
    ag_clear_error(ctx);
    assert_non_null(ag_model_forward(lazy, ag_ones(other, 2, (const int[]){3, 2})));
    assert_int_equal(ag_optim_update_model(sgd, lazy), -1);
    assert_string_equal(ag_errmsg(ctx), "sgd: the model belongs to another context");
    ag_clear_error(ctx);
    /* the use-after-free: nothing of `other` was kept by ctx */
    ag_ctx_free(other);
    ag_gc(ctx);
    assert_false(ag_failed(ctx));
    /* a model whose context was freed has nothing to update: an error, not 0 */
    assert_int_equal(ag_optim_update_model(sgd, dead), -1);
    assert_string_equal(ag_errmsg(ctx), "sgd: the model's context was freed");
    ag_clear_error(ctx);
    ag_optim_free(sgd);
    ag_model_unref(lazy);
    ag_model_unref(dead);
}

/* The ops' scalar entries (ag_add, ag_pow, ag_sin ... on one-element
 * variables) refuse what op_apply_row refuses, with its messages: a NULL
 * input, a variable of another context, a collected one (a stale handle,
 * whose node is on the free list), and no context at all. */
static void test_scalar_ops_check_their_inputs(void **state) {
    ag_ctx *other = ag_ctx_new();
    ag_var *x = ag_scalar(ctx, 2), *theirs = ag_scalar(other, 3);
    assert_null(ag_add(ctx, x, theirs));
    assert_int_equal(ag_errcode(ctx), AG_ERR_CONTEXT);
    assert_string_equal(ag_errmsg(ctx), "add: input 2 belongs to another context");
    ag_clear_error(ctx);
    assert_fails(ag_sub(ctx, theirs, x), "sub: input 1 belongs to another context");
    assert_fails(ag_pow(ctx, theirs, 2.0), "pow: input 1 belongs to another context");
    assert_fails(ag_exp(ctx, theirs), "exp: input 1 belongs to another context");
    assert_null(ag_add(other, x, x)); /* the other context says it of ours */
    assert_string_equal(ag_errmsg(other), "add: input 1 belongs to another context");
    assert_fails(ag_mul(ctx, NULL, x), "mul: input 1 is NULL");
    assert_fails(ag_div(ctx, x, NULL), "div: input 2 is NULL");
    assert_fails(ag_pow(ctx, NULL, 2.0), "pow: input 1 is NULL");
    assert_fails(ag_neg(ctx, NULL), "neg: input 1 is NULL");
    assert_null(ag_add(NULL, x, x));
    assert_null(ag_pow(NULL, x, 2.0));
    /* ranks that differ are the general path's: it broadcasts */
    ag_var *row = ag_add(ctx, x, VAR(ctx, SHAPE(1, 1), 5));
    assert_int_equal(ag_ndim(row), 2);
    assert_close(ag_item(row), 7);
    if (getenv("AG_DEBUG_NO_REUSE") == NULL) {
#ifndef __SANITIZE_ADDRESS__ /* there the stale read itself is reported */
        ag_retain(x);
        ag_var *dead = ag_scalar(ctx, 1);
        ag_gc(ctx);
        assert_null(ag_add(ctx, x, dead));
        assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
        assert_string_equal(ag_errmsg(ctx), "add: input 2 is a collected variable (a stale handle: "
                                            "it was not retained across ag_gc)");
        ag_clear_error(ctx);
        assert_fails(ag_pow(ctx, dead, 2.0), "pow: input 1 is a collected variable (a stale handle: "
                                             "it was not retained across ag_gc)");
        assert_fails(ag_sin(ctx, dead), "sin: input 1 is a collected variable (a stale handle: "
                                        "it was not retained across ag_gc)");
        assert_null(ag_neg(NULL, dead)); /* no context: not mistaken for one of its own */
        /* the accessors have no context to say it in: they answer "nothing"
         * (ag_core.h, ag_item), and the writable one does not crash */
        assert_true(isnan(ag_item(dead)));
        assert_int_equal(ag_size(dead), 0);
        assert_null(ag_cdata(dead));
        assert_null(ag_data_mut(dead));
        /* nor do the two setters write into the dead node: -1, as the
         * optimizer setters answer a freed context; a long name would have
         * been a block of no context's, left on the node */
        assert_int_equal(ag_cleargrad(dead), -1);
        assert_int_equal(ag_set_name(dead, "a name longer than short_name"), -1);
        assert_string_equal(ag_name(dead), "");
        assert_int_equal(ag_set_name(dead, "w"), -1);
        assert_string_equal(ag_name(dead), "");
        assert_int_equal(ag_set_grad(dead, NULL), -1); /* clearing writes nothing either */
        assert_int_equal(ag_set_grad(dead, x), -1);
        assert_false(ag_failed(ctx));
        ag_release(x);
#endif
    }
    ag_ctx_free(other);
}

/* The stale pointer of the issue: collected nodes are reused at once ... */
static void test_nodes_are_reused_by_default(void **state) {
    ag_var *loss = ag_scalar(ctx, 0.25);
    ag_gc(ctx);
    ag_var *next = ag_scalar(ctx, 99);
    assert_ptr_equal(next, loss); /* which is why the switch below exists */
}

/* ... unless AG_DEBUG_NO_REUSE=1: every node is its own block, freed when
 * collected (valgrind and ASan then see a stale read: tests/unit/stale_pointer.c),
 * and a whole training loop still runs clean. */
static void test_no_reuse_switch(void **state) {
    setenv("AG_DEBUG_NO_REUSE", "1", 1);
    ag_ctx *c = ag_ctx_new();
    unsetenv("AG_DEBUG_NO_REUSE");
    assert_true(c->no_reuse);
    ag_var *x = ag_scalar(c, 0.5);
    ag_retain(x);
    for (int step = 0; step < 50; step++) {
        ag_var *y = ag_add(c, ag_mul(c, ag_sin(c, x), x), ag_square(c, x));
        assert_int_equal(ag_backward(c, y, &(ag_backward_opts){.create_graph = step % 2 == 1}), 0);
        ag_data(x)[0] -= 0.01 * ag_item(ag_grad(x));
        ag_cleargrad(x);
        assert_true(ag_gc(c) > 0);
        assert_int_equal(ag_live_vars(c), 1);
        assert_int_equal(ag_live_funcs(c), 0);
    }
    assert_false(ag_failed(c));
    ag_ctx_free(c); /* frees the live nodes one by one (LSan/valgrind check it) */
    c = ag_ctx_new();
    assert_false(c->no_reuse);
    ag_ctx_free(c);
}

/* A zero field is taken as given: eps = 0 is refused, AG_OPTIM_INIT gives the
 * documented defaults, and a zero gradient then stays finite. */
static void test_optimizer_config(void **state) {
    ag_optim_config bare = {.kind = AG_ADAM, .lr = 0.01};
    assert_fails(ag_optim_new(ctx, &bare),
                 "adam: eps must be a finite number > 0 (got 0); start from AG_OPTIM_INIT(kind) "
                 "or ag_optim_defaults(kind)");
    assert_fails(ag_adamw(ctx, 0.01, 0.9, 0.999, 0, 0.01),
                 "adamw: eps must be a finite number > 0 (got 0); start from AG_OPTIM_INIT(kind) "
                 "or ag_optim_defaults(kind)");
    const ag_optim_config inits[] = {AG_OPTIM_INIT(AG_SGD), AG_OPTIM_INIT(AG_MOMENTUM),
                                     AG_OPTIM_INIT(AG_ADAM), AG_OPTIM_INIT(AG_ADAMW)};
    for (int k = 0; k < 4; k++) {
        ag_optim_config d = ag_optim_defaults((ag_optim_kind)k);
        assert_int_equal(inits[k].kind, d.kind);
        assert_true(inits[k].lr == d.lr && inits[k].momentum == d.momentum &&
                    inits[k].beta1 == d.beta1 && inits[k].beta2 == d.beta2 &&
                    inits[k].eps == d.eps && inits[k].weight_decay == d.weight_decay);
    }
    ag_optim_config c = AG_OPTIM_INIT(AG_ADAM);
    c.lr = 0.01;
    ag_optim *opt = ag_optim_new(ctx, &c);
    ag_var *p = ag_scalar(ctx, 1);
    assert_int_equal(ag_set_grad(p, ag_scalar(ctx, 0)), 0);
    assert_int_equal(ag_optim_update(opt, &p, 1), 1);
    assert_close(ag_item(p), 1);
    ag_optim_free(opt);
}

/* The context may go first: models and optimizers then forget their
 * variables and can only be freed (no use-after-free under ASan/valgrind). */
static void test_context_freed_before_model_and_optimizer(void **state) {
    ag_ctx *c = ag_ctx_new();
    ag_model *m = ag_lstm_model(c, 3, 1, 0);
    ag_optim *opt = ag_adam(c, 0.01, 0.9, 0.999, 1e-8, 0);
    ag_optim_bind_model(opt, m);
    ag_var *x = ag_ones(c, 2, (const int[]){1, 1});
    ag_var *loss = ag_sum(c, ag_model_forward(m, x), NULL, 0);
    assert_int_equal(ag_backward(c, loss, NULL), 0);
    assert_int_equal(ag_optim_step(opt), 8); /* the h2* weights get no gradient at step 1 */
    ag_ctx_free(c);
    assert_null(ag_model_ctx(m));
    assert_int_equal(ag_model_param_count(m), 0);
    assert_null(ag_optim_ctx(opt));
    assert_int_equal(ag_optim_step(opt), -1);
    /* nor set up again: refused as the step is, -1 and nothing changed (no
     * context is left to hold a message) */
    assert_int_equal(ag_optim_set(opt, "lr", 0.5), -1);
    assert_int_equal(ag_optim_set_lr(opt, 0.5), -1);
    assert_true(ag_optim_get(opt, "lr") == 0.01);
    assert_int_equal(ag_optim_add_hook(opt, AG_HOOK_CLIP_GRAD, 1.0), -1);
    assert_int_equal(ag_optim_hook_count(opt), 0);
    assert_int_equal(ag_optim_bind(opt, NULL, 0), -1);
    assert_int_equal(ag_optim_bind_model(opt, NULL), -1);
    assert_int_equal(ag_optim_bind_model(opt, m), -1);
    assert_true(ag_optim_is_bound(opt)); /* still to m */
    /* described as what they are now, not as a model awaiting its first call */
    char text[256];
    assert_string_equal(ag_model_describe(m, text, sizeof text),
                        "lstm hidden 3 out 1, its context was freed (it can only be freed)");
    assert_non_null(strstr(ag_optim_describe(opt, text, sizeof text),
                           ") t=1, its context was freed (it can only be freed), "));
    /* the state stays readable, its variables forgotten (ag_optim.h) */
    ag_optim_state entry;
    assert_int_equal(ag_optim_state_at(opt, 0, &entry), 0);
    assert_null(entry.param);
    assert_non_null(entry.m);
    ag_optim_free(opt);
    ag_model_unref(m);
}

/* ---- threads: one context per thread, bit-identical results ------------------- */

typedef struct {
    double params[64];
    int count;
    int ok;
} training;

/* 200 Adam steps of an MLP on fixed data, all in one new context. */
static void *train(void *out) {
    training *t = out;
    ag_ctx *c = ag_ctx_new();
    ag_rng rng;
    ag_rng_seed(&rng, 7);
    ag_var *x = ag_rand(c, 2, (const int[]){32, 2}, &rng);
    ag_var *y = ag_sin(c, ag_sum(c, x, (const int[]){1}, 1));
    ag_var *target = ag_reshape(c, y, 2, (const int[]){32, 1});
    ag_retain(x);
    ag_retain(target);
    ag_model *m = ag_mlp(c, (const int[]){8, 1}, 2, AG_ACT_TANH, 3);
    ag_optim *opt = ag_adam(c, 0.01, 0.9, 0.999, 1e-8, 0);
    for (int step = 0; step < 200; step++) {
        ag_var *loss = ag_mse(c, ag_model_forward(m, x), target);
        ag_model_cleargrad(m);
        if (ag_backward(c, loss, NULL) < 0 || ag_optim_update_model(opt, m) < 0) break;
        ag_gc(c);
    }
    t->ok = !ag_failed(c);
    t->count = 0;
    for (int i = 0; i < ag_model_param_count(m); i++) {
        ag_var *p = ag_model_param(m, i, NULL);
        for (size_t k = 0; k < ag_size(p) && t->count < 64; k++) t->params[t->count++] = ag_cdata(p)[k];
    }
    ag_optim_free(opt);
    ag_model_unref(m);
    ag_ctx_free(c);
    return NULL;
}

static void test_two_threads_two_contexts(void **state) {
    training alone, first, second;
    train(&alone);
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, train, &first), 0);
    assert_int_equal(pthread_create(&b, NULL, train, &second), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert_true(alone.ok && first.ok && second.ok);
    assert_int_equal(alone.count, 33); /* 2*8 + 8 + 8*1 + 1 */
    assert_int_equal(first.count, alone.count);
    assert_int_equal(second.count, alone.count);
    assert_memory_equal(first.params, alone.params, sizeof(double) * (size_t)alone.count);
    assert_memory_equal(second.params, alone.params, sizeof(double) * (size_t)alone.count);
}

/* The old names still work, for one version. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void test_deprecated_names(void **state) {
    ag_model *m = ag_linear_model(ctx, 1, true, 0);
    ag_var *x = ag_ones(ctx, 2, (const int[]){1, 2});
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_model_forward(m, x), NULL, 0), NULL), 0);
    ag_optim *opt = ag_sgd(ctx, 0.1, 0, 0);
    ag_optim_bind_model(opt, m);
    assert_int_equal(ag_optim_step(opt), 2);
    assert_int_equal(ag_optim_steps(opt), 1);
    assert_non_null(ag_grad(ag_model_param(m, 0, NULL)));
    ag_optim_zero_grad(opt);
    assert_null(ag_grad(ag_model_param(m, 0, NULL)));
    ag_backward(ctx, ag_sum(ctx, ag_model_forward(m, x), NULL, 0), NULL);
    ag_model_cleargrads(m);
    assert_null(ag_grad(ag_model_param(m, 1, NULL)));
    ag_optim_free(opt);
    ag_model_free(m);
}
#pragma GCC diagnostic pop

/* OpenBLAS's process-wide thread count changes only when a context asks. */
int openblas_get_num_threads(void);
void openblas_set_num_threads(int threads);
/* Each raise names its code (src/errors.h, ctx_error): a call that fails,
 * the start of its message and the code the raise gives it.  The old guess
 * from the wording would have got the first five wrong (the words "shape",
 * "-D", "broadcast" and "another context" in them; "finite" without "(got
 * NaN)"), so these pin the code to the raise, not to the message. */
static void fail_reshape_null(ag_ctx *c) { ag_reshape(c, NULL, 1, (int[]){2}); }
static void fail_changed_in_place(ag_ctx *c) {
    ag_var *x = ag_ones(c, 1, (int[]){2}), *y = ag_exp(c, x);
    ag_data(x)[0] = 5;
    ag_backward(c, ag_sum(c, y, NULL, 0), NULL);
}
static void fail_sum_to(ag_ctx *c) { ag_sum_to(c, ag_ones(c, 2, (int[]){2, 3}), 1, (int[]){4}); }
static void fail_arange_nan(ag_ctx *c) { ag_arange(c, 0, NAN, 1); }
static void fail_linspace_inf(ag_ctx *c) { ag_linspace(c, 0, INFINITY, 3); }
static void fail_one_hot_axes(ag_ctx *c) {
    int shape[AG_MAX_DIMS];
    for (int i = 0; i < AG_MAX_DIMS; i++) shape[i] = 1;
    ag_one_hot(c, ag_zeros(c, AG_MAX_DIMS, shape), 2);
}
static void fail_lstm_batch(ag_ctx *c) {
    ag_model *m = ag_lstm_model(c, 3, 1, 9);
    ag_model_forward(m, ag_ones(c, 2, (int[]){1, 2}));
    ag_model_forward(m, ag_ones(c, 2, (int[]){2, 2}));
    ag_model_unref(m);
}
static void fail_hook_nan(ag_ctx *c) { ag_hook_validate(c, AG_HOOK_CLIP_GRAD, NAN); }
static void fail_adam_beta(ag_ctx *c) { ag_adam(c, 0.001, 2, 0.999, 1e-8, 0); }
static void fail_adam_beta_nan(ag_ctx *c) { ag_adam(c, 0.001, NAN, 0.999, 1e-8, 0); }
static void fail_matmul(ag_ctx *c) {
    ag_var *a = ag_ones(c, 2, (int[]){2, 3});
    ag_matmul(c, a, a);
}
static void fail_dropout(ag_ctx *c) { ag_dropout(c, ag_ones(c, 1, (int[]){2}), 2); }
static void fail_zeros_huge(ag_ctx *c) { ag_zeros(c, 3, (int[]){1 << 30, 1 << 30, 1 << 30}); }

static void test_each_raise_names_its_code(void **state) {
    static const struct {
        void (*call)(ag_ctx *);
        const char *message; /* how the message starts */
        ag_err code;
    } cases[] = {
        {fail_reshape_null, "reshape: input 1 is NULL", AG_ERR_ARG},
        {fail_changed_in_place, "backward: a variable of shape [2] was changed in place", AG_ERR_ARG},
        {fail_sum_to, "sum_to: cannot sum [2 3] to [4]", AG_ERR_SHAPE},
        {fail_arange_nan, "arange: bounds and step must be finite", AG_ERR_NONFINITE},
        {fail_linspace_inf, "linspace: start and stop must be finite", AG_ERR_NONFINITE},
        {fail_one_hot_axes, "one_hot: too many axes", AG_ERR_SHAPE},
        {fail_lstm_batch, "lstm: input batch", AG_ERR_SHAPE},
        {fail_hook_nan, "clip_grad: max_norm must be a finite number >= 0 (got NaN)", AG_ERR_NONFINITE},
        {fail_adam_beta, "adam: beta1 must be in [0, 1) (got 2)", AG_ERR_ARG},
        {fail_adam_beta_nan, "adam: beta1 must be in [0, 1) (got NaN)", AG_ERR_NONFINITE},
        {fail_matmul, "matmul: shapes [2 3] and [2 3] are not aligned: the left has 3 columns, the right 2 rows", AG_ERR_SHAPE},
        {fail_dropout, "dropout: ratio 2 is outside [0, 1)", AG_ERR_ARG},
        {fail_zeros_huge, "zeros: shape [1073741824 1073741824 1073741824] has too many", AG_ERR_NOMEM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cases[i].call(ctx);
        if (strncmp(ag_errmsg(ctx), cases[i].message, strlen(cases[i].message)) != 0 ||
            ag_errcode(ctx) != cases[i].code)
            fail_msg("case %zu: \"%s\" has code %s; expected \"%s...\" with %s", i, ag_errmsg(ctx),
                     ag_errcode_name(ag_errcode(ctx)), cases[i].message, ag_errcode_name(cases[i].code));
        ag_clear_error(ctx);
    }
    /* a collected input to a model, as to an op: a stale handle (not "another context") */
    if (getenv("AG_DEBUG_NO_REUSE") == NULL) {
        ag_model *m = ag_linear_model(ctx, 2, true, 1);
        ag_var *kept = ag_scalar(ctx, 1);
        ag_retain(kept);
        ag_var *dead = ag_ones(ctx, 2, (int[]){1, 3});
        ag_gc(ctx);
#ifndef __SANITIZE_ADDRESS__ /* there the stale read itself is reported */
        assert_null(ag_model_forward(m, dead));
        assert_int_equal(ag_errcode(ctx), AG_ERR_STALE);
        assert_string_equal(ag_errmsg(ctx), "linear_layer: the input is a collected variable (a stale handle: "
                                            "it was not retained across ag_gc)");
        ag_clear_error(ctx);
#else
        (void)dead;
#endif
        ag_release(kept);
        ag_model_unref(m);
    }
}

static void test_blas_threads_only_when_asked(void **state) {
    openblas_set_num_threads(2);
    int shape[2] = {300, 300};
    ag_var *a = ag_ones(ctx, 2, shape);
    ag_ctx *other = ag_ctx_new();
    assert_int_equal(ag_blas_threads(other), 0);
    assert_non_null(ag_matmul(ctx, a, a));
    assert_int_equal(openblas_get_num_threads(), 2); /* untouched */
    assert_int_equal(ag_set_blas_threads(ctx, 1), 0);
    assert_non_null(ag_matmul(ctx, a, a));
    assert_int_equal(openblas_get_num_threads(), 1); /* asked */
    openblas_set_num_threads(2);
    assert_int_equal(ag_set_blas_threads(ctx, AG_BLAS_THREADS_AUTO), 1);
    assert_non_null(ag_matmul(ctx, a, a)); /* 2.7e7 multiply-adds: one thread */
    assert_int_equal(openblas_get_num_threads(), 1);
    assert_int_equal(ag_set_blas_threads(ctx, -2), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_ARG);
    assert_int_equal(ag_blas_threads(ctx), AG_BLAS_THREADS_AUTO);
    ag_clear_error(ctx);
    ag_ctx_free(other);
}

/* ag_errcode: the kind of each error, AG_OK once cleared. */
#define assert_code(v, code)                                      \
    do {                                                          \
        assert_null(v);                                           \
        assert_int_equal(ag_errcode(ctx), (code));                \
        ag_clear_error(ctx);                                      \
        assert_int_equal(ag_errcode(ctx), AG_OK);                 \
    } while (0)

static void test_error_codes(void **state) {
    assert_int_equal(ag_errcode(ctx), AG_OK);
    assert_int_equal(ag_errcode(NULL), AG_ERR_NOMEM);
    ag_var *a = ag_ones(ctx, 2, (int[]){2, 3});
    assert_code(ag_matmul(ctx, a, a), AG_ERR_SHAPE);
    assert_code(ag_sum(ctx, a, (int[]){5}, 1), AG_ERR_SHAPE);
    assert_code(ag_sin(ctx, NULL), AG_ERR_ARG);
    assert_code(ag_arange(ctx, 0, 1, 0), AG_ERR_ARG);
    assert_code(ag_adam(ctx, 0.001, 2, 0.999, 1e-8, 0), AG_ERR_ARG);
    assert_code(ag_sgd(ctx, NAN, 0, 0), AG_ERR_NONFINITE);
    ag_ctx *other = ag_ctx_new();
    assert_code(ag_add(ctx, a, ag_scalar(other, 1)), AG_ERR_CONTEXT);
    ag_ctx_free(other);
    volatile sig_atomic_t flag = 1;
    ag_set_interrupt(ctx, &flag);
    assert_code(ag_ones(ctx, 1, (int[]){100000}), AG_ERR_INTERRUPTED);
    ag_set_interrupt(ctx, NULL);
    /* a size overflow names the op and the shape */
    int huge[3] = {1 << 30, 1 << 30, 1 << 30};
    assert_null(ag_zeros(ctx, 3, huge));
    assert_int_equal(ag_errcode(ctx), AG_ERR_NOMEM);
    assert_string_equal(ag_errmsg(ctx), "zeros: shape [1073741824 1073741824 1073741824] has too many "
                                        "elements to allocate (size overflow)");
    ag_clear_error(ctx);
    /* a 0 anywhere: empty, however far the other sizes multiply past size_t (as PyTorch) */
    ag_var *none = ag_zeros(ctx, 5, (int[]){65536, 65536, 65536, 65536, 0});
    assert_non_null(none);
    assert_int_equal(ag_size(none), 0);
    assert_int_equal(ag_size(ag_softmax(ctx, none, 3)), 0);
    /* a collected variable passed to an op (its node not reused yet) */
    if (!ag_failed(ctx) && getenv("AG_DEBUG_NO_REUSE") == NULL) {
        ag_var *kept = ag_scalar(ctx, 1);
        ag_retain(kept);
        ag_var *dead = ag_ones(ctx, 1, (int[]){3});
        ag_gc(ctx);
#ifndef __SANITIZE_ADDRESS__ /* there the stale read itself is reported */
        assert_code(ag_sin(ctx, dead), AG_ERR_STALE);
#else
        (void)dead;
#endif
        ag_release(kept);
    }
    /* the caller's own errors */
    ag_set_error(ctx, "mine: %d", 7);
    assert_int_equal(ag_errcode(ctx), AG_ERR_USER);
    assert_string_equal(ag_errmsg(ctx), "mine: 7");
    ag_set_error_code(ctx, AG_ERR_IO, "cannot read %s", "w.bin");
    assert_int_equal(ag_errcode(ctx), AG_ERR_IO);
    ag_clear_error(ctx);
    assert_string_equal(ag_errcode_name(AG_ERR_CONTEXT), "wrong context");
    assert_null(ag_errcode_name((ag_err)99));
    /* a message cut at the buffer's size ends with a mark */
    char longer[700];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ag_set_error(ctx, "%s", longer);
    size_t n = strlen(ag_errmsg(ctx));
    assert_true(n < sizeof longer - 1 && n > 400);
    assert_string_equal(ag_errmsg(ctx) + n - 3, "...");
    ag_clear_error(ctx);
}

/* Names: short ones (kept in the variable) and long ones (a block of their
 * own) set, replaced by each other, by the variable's own name and cleared;
 * a collected name does not outlive its variable (the leak checkers). */
static void test_names(void **state) {
    (void)state;
    const char *names[] = {"y", "1234567", "12345678", "a_much_longer_name_for_a_variable", "x0", ""};
    ag_var *v = ag_scalar(ctx, 1);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ag_set_name(v, names[i]);
        assert_string_equal(ag_name(v), names[i]);
        ag_set_name(v, ag_name(v)); /* its own name, short or long */
        assert_string_equal(ag_name(v), names[i]);
    }
    ag_set_name(v, "long enough to need a block");
    ag_set_name(v, "w");
    assert_string_equal(ag_name(v), "w");
    ag_set_name(v, NULL);
    assert_string_equal(ag_name(v), "");
    for (int i = 0; i < 1000; i++) ag_set_name(ag_scalar(ctx, i), i % 2 ? "loss" : "a name longer than seven");
    ag_gc(ctx);
    assert_int_equal(ag_live_vars(ctx), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_version),
        CTX_TEST(test_names),
        CTX_TEST(test_accessors_accept_null),
        CTX_TEST(test_new_rejects_null_shape),
        CTX_TEST(test_every_failure_leaves_a_message),
        CTX_TEST(test_errors_are_sticky),
        CTX_TEST(test_makers_name_themselves_out_of_memory),
        CTX_TEST(test_wrong_seed_blames_the_seed),
        CTX_TEST(test_other_context_is_refused),
        CTX_TEST(test_scalar_ops_check_their_inputs),
        CTX_TEST(test_nodes_are_reused_by_default),
        CTX_TEST(test_no_reuse_switch),
        CTX_TEST(test_optimizer_config),
        CTX_TEST(test_context_freed_before_model_and_optimizer),
        CTX_TEST(test_two_threads_two_contexts),
        CTX_TEST(test_deprecated_names),
        CTX_TEST(test_error_codes),
        CTX_TEST(test_each_raise_names_its_code),
        CTX_TEST(test_blas_threads_only_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
