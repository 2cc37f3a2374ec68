/* test_interrupt.c — ag_set_interrupt: a backward stopped half-way puts
 * every gradient back (a preset seed too), a flag raised from another thread
 * stops a long backward, construction and long elementwise and matmul ops
 * stop with "NAME: interrupted" and leave nothing behind; the file writers
 * (CSV, .npy, .npz, safetensors) stop too, and a REPL's save_csv stopped
 * half-way leaves the old file as it was.  (Split out of test_engine.c.) */
#include "testutil.h"

#include "internal.h" /* ctx->plain_backward */

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "repl.h"

static ag_var *S(double v) { return ag_scalar(ctx, v); }
static const ag_backward_opts RG = {.retain_grad = true};
static int steps; /* the step hook's count */

static volatile sig_atomic_t interrupt_flag;
static int interrupt_after; /* the step hook raises the flag at this step */
static bool raise_at_step(void *user, ag_func *f, ag_var *const *gys, ag_var *const *gxs) {
    (void)user, (void)f, (void)gys, (void)gxs;
    if (++steps == interrupt_after) interrupt_flag = 1;
    return true;
}

/* A backward stopped half-way leaves every gradient as it was: the leaves'
 * old gradients (same variables, same values, same call counts), the
 * intermediates' retained ones, an untouched output's, and no seed on y. */
static void test_interrupted_backward_restores_grads(void **state) {
    ag_set_interrupt(ctx, &interrupt_flag);
    interrupt_flag = 0;
    ag_var *x = S(0.5), *w = S(3);
    ag_var *h = ag_mul(ctx, ag_sin(ctx, x), w);
    ag_var *y = ag_add(ctx, ag_square(ctx, h), ag_exp(ctx, x));
    assert_int_equal(ag_backward(ctx, y, &RG), 0); /* every variable now has a grad */
    ag_var *gx = ag_grad(x), *gw = ag_grad(w), *gh = ag_grad(h), *gy = ag_grad(y);
    double x_before = ag_item(gx), w_before = ag_item(gw), h_before = ag_item(gh);
    ag_cleargrad(y);
    /* a second, longer graph on the same leaves: it adds into x and w */
    ag_var *z = ag_mul(ctx, h, x);
    for (int i = 0; i < 50; i++) z = ag_sin(ctx, z);
    for (int at = 1; at <= 52; at += 10) {
        steps = 0;
        interrupt_after = at;
        interrupt_flag = 0;
        ag_backward_opts opts = {.step = raise_at_step};
        assert_int_equal(ag_backward(ctx, z, &opts), -1);
        assert_string_equal(ag_errmsg(ctx), "backward: interrupted");
        assert_int_equal(steps, at); /* it stopped at the next function */
        ag_clear_error(ctx);
        assert_ptr_equal(ag_grad(x), gx);
        assert_ptr_equal(ag_grad(w), gw);
        assert_ptr_equal(ag_grad(h), gh);
        assert_null(ag_grad(z));
        assert_null(ag_grad(y));
        assert_true(ag_item(gx) == x_before && ag_item(gw) == w_before && ag_item(gh) == h_before);
        assert_int_equal(ag_grad_calls(x), 1);
        assert_null(ag_backward_summed_data(ctx));
    }
    (void)gy;
    /* the flag down: the same backward runs whole and adds as usual */
    interrupt_flag = 0;
    assert_int_equal(ag_backward(ctx, z, NULL), 0);
    assert_int_equal(ag_grad_calls(x), 2);
    assert_true(ag_item(ag_grad(x)) != x_before);
    ag_set_interrupt(ctx, NULL);
}

/* A preset seed on y stays y's grad when the backward is interrupted. */
static void test_interrupted_backward_keeps_preset_seed(void **state) {
    ag_set_interrupt(ctx, &interrupt_flag);
    ag_var *x = S(2);
    ag_var *y = ag_sin(ctx, ag_sin(ctx, x));
    ag_var *seed = S(4);
    assert_int_equal(ag_set_grad(y, seed), 0);
    interrupt_flag = 1; /* raised before the call: nothing runs */
    assert_int_equal(ag_backward(ctx, y, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "backward: interrupted");
    ag_clear_error(ctx);
    assert_ptr_equal(ag_grad(y), seed);
    assert_null(ag_grad(x));
    steps = 0;
    interrupt_after = 1;
    interrupt_flag = 0;
    ag_backward_opts opts = {.step = raise_at_step};
    assert_int_equal(ag_backward(ctx, y, &opts), -1);
    ag_clear_error(ctx);
    assert_ptr_equal(ag_grad(y), seed);
    assert_null(ag_grad(x));
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL);
}

/* Another thread raises the flag while a 1e6-function backward runs (as a
 * SIGINT handler would): the call stops soon after and x keeps its grad.
 * "Soon" is measured in the working thread's CPU time, which a loaded
 * machine does not stretch: the raiser waits until the work has used
 * RAISE_AFTER CPU seconds, notes the worker's CPU clock and raises the flag;
 * the work done after the flag must be less than the work before it (one
 * function or one block, not the rest), besides the cost of a call stopped
 * before it began (allocating and freeing the result: under AddressSanitizer
 * that alone is 0.15 s for 16.8M elements), measured in the same run. */
#define RAISE_AFTER 0.05
struct raiser {
    volatile sig_atomic_t *flag;
    double after; /* CPU seconds before the flag goes up; 0 = RAISE_AFTER */
    clockid_t worker; /* the working thread's CPU clock */
    double started;   /* its CPU seconds when the work began */
    double raised;    /* ... when the flag went up */
    volatile sig_atomic_t done;
};
static double clock_read(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static void *raise_soon(void *arg) {
    struct raiser *r = arg;
    while (!r->done) {
        double used = clock_read(r->worker);
        if (used - r->started >= (r->after > 0 ? r->after : RAISE_AFTER)) {
            r->raised = used;
            *r->flag = 1;
            break;
        }
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    }
    return NULL;
}
/* Starts the raiser for work the calling thread begins now. */
static void raiser_start(struct raiser *r, pthread_t *thread) {
    assert_int_equal(pthread_getcpuclockid(pthread_self(), &r->worker), 0);
    r->done = 0;
    r->raised = -1;
    r->started = thread_cpu_seconds();
    assert_int_equal(pthread_create(thread, NULL, raise_soon, r), 0);
}
/* After the work: CPU seconds it ran after the flag, checked against the
 * CPU seconds before it plus the overhead of a call stopped at once. */
static void raiser_check(struct raiser *r, pthread_t thread, double overhead) {
    double ended = thread_cpu_seconds();
    r->done = 1;
    pthread_join(thread, NULL);
    assert_true(r->raised >= 0); /* the work outlasted RAISE_AFTER */
    double before = r->raised - r->started, after = ended - r->raised;
    assert_below(after, before + overhead);
}
static void test_interrupt_from_a_thread(void **state) {
    ag_set_interrupt(ctx, &interrupt_flag);
    ag_var *x = S(0.25);
    ag_var *old = S(7);
    assert_int_equal(ag_set_grad(x, old), 0);
    ag_var *y = x;
    for (int i = 0; i < 1000000; i++) y = ag_sin(ctx, y);
    /* the plain pass, then the flat one (backward.c); each takes this
     * chain in 40-60 ms of CPU here (the nodes on huge pages), so the flag
     * goes up well before either could end: after 10 and 5 ms */
    for (int flat = 0; flat <= 1; flat++) {
        interrupt_flag = 0;
        ctx->plain_backward = !flat;
        struct raiser r = {.flag = &interrupt_flag, .after = flat ? 0.005 : 0.01};
        pthread_t thread;
        raiser_start(&r, &thread);
        int rc = ag_backward(ctx, y, NULL);
        raiser_check(&r, thread, 0); /* one function's work after the flag, not the rest */
        assert_int_equal(rc, -1); /* 1e6 functions take far longer than the wait */
        assert_string_equal(ag_errmsg(ctx), "backward: interrupted");
        ag_clear_error(ctx);
        assert_ptr_equal(ag_grad(x), old);
        assert_true(ag_item(ag_grad(x)) == 7);
    }
    ctx->plain_backward = false;
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL);
}

/* Tensor construction stops too; an interrupted rand leaves the generator
 * where it was, so the next draw is the one it would have started with. */
static void test_interrupted_construction(void **state) {
    ag_set_interrupt(ctx, &interrupt_flag);
    int big[1] = {1 << 20};
    interrupt_flag = 1;
    ag_rng before = *ag_ctx_rng(ctx);
    assert_null(ag_rand(ctx, 1, big, NULL));
    assert_string_equal(ag_errmsg(ctx), "rand: interrupted");
    assert_null(ag_randn(ctx, 1, big, NULL));
    assert_string_equal(ag_errmsg(ctx), "randn: interrupted");
    assert_memory_equal(ag_ctx_rng(ctx), &before, sizeof before);
    assert_null(ag_ones(ctx, 1, big));
    assert_string_equal(ag_errmsg(ctx), "ones: interrupted");
    assert_null(ag_full(ctx, 1, big, 2.5));
    assert_string_equal(ag_errmsg(ctx), "full: interrupted");
    assert_null(ag_arange(ctx, 0, 1 << 20, 1));
    assert_string_equal(ag_errmsg(ctx), "arange: interrupted");
    ag_clear_error(ctx);
    interrupt_flag = 0;
    ag_var *a = ag_rand(ctx, 1, big, NULL);
    assert_non_null(a);
    ag_rng again = before;
    assert_true(ag_cdata(a)[0] == ag_rng_uniform(&again)); /* the first draw as if never interrupted */
    assert_true(ag_cdata(ag_full(ctx, 1, big, 2.5))[big[0] - 1] == 2.5);
    ag_set_interrupt(ctx, NULL);
    interrupt_flag = 1; /* no flag handed over: never interrupted */
    assert_non_null(ag_ones(ctx, 1, big));
    interrupt_flag = 0;
}

/* Elementwise ops on long tensors look at the flag a block at a time (map,
 * the vectorized kernels, binary ops without broadcast); the blocks do not
 * change a single bit of the result. */
static void test_interrupted_elementwise(void **state) {
    ag_set_interrupt(ctx, &interrupt_flag);
    int big[1] = {1 << 20}, small[1] = {1000};
    ag_var *a = ag_rand(ctx, 1, big, NULL);
    ag_var *b = ag_rand(ctx, 1, big, NULL);
    ag_var *c = S(3);
    interrupt_flag = 1;
    assert_null(ag_sin(ctx, a));
    assert_string_equal(ag_errmsg(ctx), "sin: interrupted");
    assert_null(ag_tanh(ctx, a));
    assert_string_equal(ag_errmsg(ctx), "tanh: interrupted");
    assert_null(ag_mul(ctx, a, b));
    assert_string_equal(ag_errmsg(ctx), "mul: interrupted");
    assert_null(ag_add(ctx, a, c));
    assert_string_equal(ag_errmsg(ctx), "add: interrupted");
    assert_null(ag_relu(ctx, a));
    assert_string_equal(ag_errmsg(ctx), "relu: interrupted");
    assert_null(ag_gelu(ctx, a));
    assert_string_equal(ag_errmsg(ctx), "gelu: interrupted");
    assert_null(ag_clip(ctx, a, 0.25, 0.75));
    assert_string_equal(ag_errmsg(ctx), "clip: interrupted");
    assert_null(ag_neg(ctx, a));
    assert_string_equal(ag_errmsg(ctx), "neg: interrupted");
    assert_null(ag_pow(ctx, a, 3));
    assert_string_equal(ag_errmsg(ctx), "pow: interrupted");
    ag_clear_error(ctx);
    interrupt_flag = 0;
    ag_var *s = ag_sin(ctx, a), *t = ag_tanh(ctx, a), *m = ag_mul(ctx, a, b), *d = ag_div(ctx, c, a);
    assert_true(s && t && m && d);
    ag_var *head = ag_new(ctx, 1, small, ag_cdata(a)); /* short: one block, as before */
    ag_var *t_head = ag_tanh(ctx, head);
    ag_var *g = ag_gelu(ctx, a), *g_head = ag_gelu(ctx, head);
    assert_true(g && g_head);
    for (int i = 0; i < big[0]; i++) {
        double x = ag_cdata(a)[i], y = ag_cdata(b)[i];
        if (ag_cdata(s)[i] != sin(x) || ag_cdata(m)[i] != x * y || ag_cdata(d)[i] != 3 / x)
            fail_msg("element %d differs", i);
        if (i < small[0] && memcmp(&ag_cdata(t)[i], &ag_cdata(t_head)[i], sizeof(double)) != 0)
            fail_msg("tanh element %d differs from the one-block result", i);
        if (i < small[0] && memcmp(&ag_cdata(g)[i], &ag_cdata(g_head)[i], sizeof(double)) != 0)
            fail_msg("gelu element %d differs from the one-block result", i);
    }
    /* raised by another thread while a long sin runs: it stops within a block */
    int huge[1] = {1 << 24};
    ag_var *h = ag_full(ctx, 1, huge, 0.5);
    assert_non_null(h);
    interrupt_flag = 1; /* stopped at once: what it costs besides the work */
    double start = thread_cpu_seconds();
    assert_null(ag_sin(ctx, h));
    double overhead = thread_cpu_seconds() - start;
    ag_clear_error(ctx);
    interrupt_flag = 0;
    struct raiser r = {.flag = &interrupt_flag};
    pthread_t thread;
    raiser_start(&r, &thread);
    ag_var *y = ag_sin(ctx, h);
    raiser_check(&r, thread, overhead); /* one block's work after the flag */
    assert_null(y); /* 16.8M sines take far longer than RAISE_AFTER */
    assert_string_equal(ag_errmsg(ctx), "sin: interrupted");
    ag_clear_error(ctx);
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL);
}

/* A product of 2^30 multiply-adds runs in bands of rows, the flag read
 * before each: raised, matmul and linear stop; lowered, the banded result is
 * the unbanded one bit for bit. */
static void test_interrupted_matmul(void **state) {
    int side[2] = {1024, 1024}, bias[2] = {1, 1024};
    ag_var *a = ag_rand(ctx, 2, side, NULL), *b = ag_rand(ctx, 2, side, NULL);
    ag_var *bb = ag_rand(ctx, 2, bias, NULL);
    ag_set_interrupt(ctx, &interrupt_flag);
    interrupt_flag = 0;
    ag_var *banded = ag_matmul(ctx, a, b), *banded_linear = ag_linear(ctx, a, b, bb);
    assert_true(banded && banded_linear);
    interrupt_flag = 1;
    assert_null(ag_matmul(ctx, a, b));
    assert_string_equal(ag_errmsg(ctx), "matmul: interrupted");
    assert_null(ag_linear(ctx, a, b, bb));
    assert_string_equal(ag_errmsg(ctx), "linear: interrupted");
    assert_null(ag_linear(ctx, a, b, NULL));
    assert_string_equal(ag_errmsg(ctx), "linear: interrupted");
    ag_clear_error(ctx);
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL); /* no flag: one call of the whole product */
    ag_var *whole = ag_matmul(ctx, a, b), *whole_linear = ag_linear(ctx, a, b, bb);
    assert_true(whole && whole_linear);
    assert_memory_equal(ag_cdata(banded), ag_cdata(whole), sizeof(double) * 1024 * 1024);
    assert_memory_equal(ag_cdata(banded_linear), ag_cdata(whole_linear), sizeof(double) * 1024 * 1024);
}

/* On one thread, where mid-sized products run on blas.c's AVX-512 product:
 * a banded product of 8,292 x 512 @ 512 x 256 (2^30 multiply-adds and more)
 * is still the unbanded one bit for bit, though its last band, 100 rows, is
 * of a size the AVX-512 product takes on its own (and it sums a k over
 * OpenBLAS's block of 384 in another order). */
static void test_banded_matmul_is_one_product(void **state) {
    (void)state;
    ag_set_blas_threads(ctx, 1);
    int side[2] = {8292, 512}, right[2] = {512, 256};
    ag_var *a = ag_rand(ctx, 2, side, NULL), *b = ag_rand(ctx, 2, right, NULL);
    ag_set_interrupt(ctx, &interrupt_flag);
    interrupt_flag = 0;
    ag_var *banded = ag_matmul(ctx, a, b);
    ag_set_interrupt(ctx, NULL);
    ag_var *whole = ag_matmul(ctx, a, b);
    assert_true(banded && whole);
    assert_memory_equal(ag_cdata(banded), ag_cdata(whole), sizeof(double) * 8292 * 256);
    ag_set_blas_threads(ctx, 0);
}

/* The file formats' encoders look at the flag as they go: raised, each
 * fails with AG_ERR_INTERRUPTED and hands back no bytes; lowered, the same
 * calls succeed. */
static void test_interrupted_encoders(void **state) {
    (void)state;
    ag_var *x = ag_rand(ctx, 2, (int[]){1000, 10}, NULL);
    ag_model *m = ag_mlp(ctx, (int[]){3, 1}, 2, AG_ACT_TANH, 1);
    assert_non_null(ag_model_forward(m, ag_ones(ctx, 2, (int[]){2, 2})));
    ag_var *arrays[1] = {x};
    const char *names[1] = {"x"};
    ag_set_interrupt(ctx, &interrupt_flag);
    for (int raised = 1; raised >= 0; raised--) {
        interrupt_flag = raised;
        void *bytes = (void *)1;
        size_t size = 1;
        int expected = raised ? -1 : 0;
        assert_int_equal(ag_csv_encode(ctx, x, NULL, ',', false, &bytes, &size), expected);
        assert_true(raised ? bytes == NULL && size == 0 : bytes != NULL && size > 0);
        free(bytes);
        assert_int_equal(ag_npy_encode(ctx, x, &bytes, &size), expected);
        assert_true(raised ? bytes == NULL : bytes != NULL);
        free(bytes);
        for (int compress = 0; compress <= 1; compress++) {
            assert_int_equal(ag_npz_encode(ctx, arrays, names, 1, compress, &bytes, &size), expected);
            assert_true(raised ? bytes == NULL : bytes != NULL);
            free(bytes);
        }
        unsigned char *weights = ag_model_save_bytes(m, &size);
        assert_true(raised ? weights == NULL : weights != NULL);
        free(weights);
        if (raised) {
            assert_int_equal(ag_errcode(ctx), AG_ERR_INTERRUPTED);
            assert_string_equal(ag_errmsg(ctx), "save: interrupted");
            ag_clear_error(ctx);
        }
    }
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL);
    ag_model_unref(m);
}

/* np.savez_compressed of 32 MB of random doubles: libzip deflates them for
 * far longer than the .npy encoding before it takes.  The flag goes up
 * after twice that encoding's CPU time, inside the deflating, which stops
 * within one of libzip's blocks. */
static void test_interrupted_npz_compression(void **state) {
    (void)state;
    ag_var *x = ag_rand(ctx, 1, (int[]){1 << 22}, NULL);
    ag_var *arrays[1] = {x};
    const char *names[1] = {"x"};
    void *bytes;
    size_t size;
    double start = thread_cpu_seconds();
    assert_int_equal(ag_npy_encode(ctx, x, &bytes, &size), 0);
    double encoding = thread_cpu_seconds() - start;
    free(bytes);
    ag_set_interrupt(ctx, &interrupt_flag);
    interrupt_flag = 0;
    struct raiser r = {.flag = &interrupt_flag, .after = 2 * encoding + 0.02};
    pthread_t thread;
    raiser_start(&r, &thread);
    bytes = (void *)1;
    int rc = ag_npz_encode(ctx, arrays, names, 1, true, &bytes, &size);
    raiser_check(&r, thread, encoding); /* a block, and the archive freed, after the flag */
    assert_int_equal(rc, -1);
    assert_null(bytes);
    assert_int_equal(ag_errcode(ctx), AG_ERR_INTERRUPTED);
    ag_clear_error(ctx);
    interrupt_flag = 0;
    ag_set_interrupt(ctx, NULL);
}

/* Lines of the folder's entries besides . and .., as "NAME\n" each. */
static int folder_entries(const char *dir, char *names, size_t size) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    names[0] = '\0';
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
            snprintf(names + strlen(names), size - strlen(names), "%s\n", e->d_name);
        }
    closedir(d);
    return n;
}

/* The REPL's save_csv, stopped by Ctrl-C (the session's flag raised by
 * another thread while 2e6 numbers are formatted): the statement fails
 * with "interrupted" soon after the flag, the file it would have replaced
 * holds its old text, no temporary file is left beside it, and the session
 * goes on with x as it was.  (A flag up while the bytes are written is
 * test_util.c's test_atomic_write_interrupted.) */
static void test_interrupted_save_keeps_the_old_file(void **state) {
    (void)state;
    char dir[] = "/tmp/test_interrupt_XXXXXX", path[96], src[256], listed[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/keep.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("9,9\n", f);
    fclose(f);
    char *out_text = NULL, *err_text = NULL;
    size_t out_length = 0, err_length = 0;
    FILE *out = open_memstream(&out_text, &out_length), *err = open_memstream(&err_text, &err_length);
    repl_options opts = {.headless = true, .out = out, .err = err};
    repl *r = repl_new(&opts);
    assert_non_null(r);
    assert_int_equal(repl_run(r, "x = rand([200000, 10], seed=1)\n", "<stdin>", 1), REPL_OK);
    snprintf(src, sizeof src, "save_csv(\"%s\", x)\n", path);
    repl_interrupted = 0;
    /* 2e6 numbers take seconds to format: the flag goes up well before */
    struct raiser raiser = {.flag = &repl_interrupted, .after = 0.2};
    pthread_t thread;
    raiser_start(&raiser, &thread);
    int rc = repl_run(r, src, "<stdin>", 1);
    raiser_check(&raiser, thread, 0); /* a row's numbers after the flag, not the rest */
    assert_int_equal(rc, REPL_ERROR);
    assert_int_equal(repl_interrupted, 0); /* the failed statement took it */
    fflush(err);
    assert_non_null(strstr(err_text, "error: save_csv: interrupted"));
    char *text = NULL;
    size_t length = 0;
    f = fopen(path, "r");
    assert_non_null(f);
    assert_true(getline(&text, &length, f) > 0);
    fclose(f);
    assert_string_equal(text, "9,9\n");
    free(text);
    assert_int_equal(folder_entries(dir, listed, sizeof listed), 1);
    assert_string_equal(listed, "keep.csv\n");
    /* the flag down: the session goes on, x as it was, and a write is whole */
    fflush(out);
    size_t before = out_length;
    snprintf(src, sizeof src, "x.shape\nsave_csv(\"%s\", x[0:2])\n", path);
    assert_int_equal(repl_run(r, src, "<stdin>", 1), REPL_OK);
    fflush(out);
    assert_string_equal(out_text + before, "[200000 10]\n");
    assert_int_equal(folder_entries(dir, listed, sizeof listed), 1);
    repl_free(r);
    fclose(out);
    fclose(err);
    free(out_text);
    free(err_text);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_interrupted_elementwise),
        CTX_TEST(test_interrupted_matmul),
        CTX_TEST(test_banded_matmul_is_one_product),
        CTX_TEST(test_interrupted_backward_restores_grads),
        CTX_TEST(test_interrupted_backward_keeps_preset_seed),
        CTX_TEST(test_interrupt_from_a_thread),
        CTX_TEST(test_interrupted_construction),
        CTX_TEST(test_interrupted_encoders),
        CTX_TEST(test_interrupted_npz_compression),
        cmocka_unit_test(test_interrupted_save_keeps_the_old_file),
    };
    return cmocka_run_group_tests_name("interrupt", tests, NULL, NULL);
}
