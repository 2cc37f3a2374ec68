/* test_func_params.c — a function node's parameters (internal.h, struct
 * ag_func): p and hi inline, every other field in a block of the node's own
 * (`more`), made only for an op applied with one of them set, with its ints
 * copied after it; func_params / FUNC_PARAMS giving the rules the whole
 * ag_op_params either way.  Run under valgrind and ASan (make asan-tests),
 * these also show the blocks freed with their nodes. */
#include "testutil.h"

#include "internal.h"

#include <string.h>

/* The node's size the slabs and the cache lines are laid out for. */
static void test_node_is_two_lines(void **state) {
    (void)state;
#ifndef __EMSCRIPTEN__
    assert_int_equal(sizeof(ag_func), 128);
#endif
}

/* A scalar op's node keeps p inline and has no block; its rules' params
 * read p and zeros elsewhere. */
static void test_scalar_op_has_no_block(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 3.0);
    ag_var *y = ag_pow(ctx, x, 2.5);
    assert_non_null(y);
    const ag_func *f = y->creator;
    assert_non_null(f);
    assert_null(f->more);
    assert_true(f->p == 2.5 && f->hi == 0.0);
    const ag_op_params *p = FUNC_PARAMS(f);
    assert_true(p->p == 2.5 && p->hi == 0.0);
    assert_int_equal(p->axis, 0);
    assert_int_equal(p->naxes, 0);
    assert_int_equal(p->ndim, 0);
    assert_int_equal(p->n, 0);
    assert_null(p->ints);
    for (int i = 0; i < AG_MAX_DIMS; i++) assert_int_equal(p->axes[i], 0);
    /* a tensor op with p and hi only (clip) has none either */
    ag_var *v = VAR(ctx, SHAPE(3), -2.0, 0.5, 4.0);
    ag_var *c = ag_clip(ctx, v, -1.0, 1.0);
    assert_non_null(c);
    assert_null(c->creator->more);
    assert_true(c->creator->lo == -1.0 && c->creator->hi == 1.0);
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, c, NULL, 0), NULL), 0);
    const double want[3] = {0.0, 1.0, 0.0};
    assert_memory_equal(ag_cdata(ag_grad(v)), want, sizeof want);
}

/* A shape op's node has a block holding all it was given, p and hi too;
 * the op's forward and backward read it. */
static void test_shape_op_has_its_block(void **state) {
    (void)state;
    ag_var *x = VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_var *y = ag_reshape(ctx, x, 2, (const int[]){3, 2});
    assert_non_null(y);
    const ag_func *f = y->creator;
    assert_non_null(f->more);
    assert_ptr_equal(FUNC_PARAMS(f), f->more);
    assert_int_equal(f->more->ndim, 2);
    assert_int_equal(f->more->shape[0], 3);
    assert_int_equal(f->more->shape[1], 2);
    assert_null(f->more->ints);
    ag_var *s = ag_sum(ctx, y, (const int[]){-1}, 1);
    assert_non_null(s->creator->more);
    assert_int_equal(s->creator->more->naxes, 1);
    assert_int_equal(s->creator->more->axes[0], -1);
    const double sums[3] = {3.0, 7.0, 11.0};
    assert_memory_equal(ag_cdata(s), sums, sizeof sums);
    ag_var *w = VAR(ctx, SHAPE(3), 1, 10, 100);
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, s, w), NULL, 0), NULL), 0);
    const double gx[6] = {1, 1, 10, 10, 100, 100};
    assert_memory_equal(ag_cdata(ag_grad(x)), gx, sizeof gx);
}

/* An op given an axis of 0 and nothing else (concat along the first axis)
 * holds nothing but zeros there: no block, and the zeros FUNC_PARAMS gives
 * are the axis it was given. */
static void test_all_zero_params_need_no_block(void **state) {
    (void)state;
    ag_var *a = VAR(ctx, SHAPE(1, 2), 1, 2), *b = VAR(ctx, SHAPE(2, 2), 3, 4, 5, 6);
    ag_var *y = ag_concat(ctx, (ag_var *[]){a, b}, 2, 0);
    assert_non_null(y);
    assert_null(y->creator->more);
    assert_int_equal(ag_ndim(y), 2);
    assert_int_equal(ag_shape(y)[0], 3);
    ag_var *z = ag_concat(ctx, (ag_var *[]){b, b}, 2, 1);
    assert_non_null(z->creator->more);
    assert_int_equal(z->creator->more->axis, 1);
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, ag_mul(ctx, y, y), NULL, 0), NULL), 0);
    const double ga[2] = {2, 4};
    assert_memory_equal(ag_cdata(ag_grad(a)), ga, sizeof ga);
}

/* ints are copied into the block, after the parameters: the caller's
 * array may change afterwards, and im2col's forward writes the image's
 * sides into its node's copy for the backward. */
static void test_ints_live_in_the_block(void **state) {
    (void)state;
    ag_var *x = VAR(ctx, SHAPE(4), 10, 20, 30, 40);
    int indices[3] = {3, 0, 3};
    ag_var *y = ag_get_item(ctx, x, 0, indices, 3);
    assert_non_null(y);
    indices[0] = indices[1] = indices[2] = 1;
    const ag_func *f = y->creator;
    assert_non_null(f->more);
    assert_int_equal(f->more->n, 3);
    assert_ptr_equal(f->more->ints, (const int *)(f->more + 1));
    assert_int_equal(f->more->ints[0], 3);
    assert_int_equal(f->more->ints[1], 0);
    assert_int_equal(f->more->ints[2], 3);
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, y, NULL, 0), NULL), 0);
    const double gx[4] = {1, 0, 0, 2};
    assert_memory_equal(ag_cdata(ag_grad(x)), gx, sizeof gx);

    ag_var *img = ag_zeros(ctx, 4, (const int[]){1, 1, 3, 4});
    for (size_t i = 0; i < ag_size(img); i++) ag_data(img)[i] = (double)i;
    ag_var *cols = ag_im2col(ctx, img, (const int[]){2, 2}, NULL, NULL, NULL);
    assert_non_null(cols);
    const ag_op_params *p = cols->creator->more;
    assert_non_null(p);
    assert_non_null(p->ints);
    assert_int_equal(p->ints[0], 2); /* the kernel's height */
    assert_int_equal(ag_backward(ctx, ag_sum(ctx, cols, NULL, 0), NULL), 0);
    /* how many windows cover each pixel of the 3x4 image */
    const double cover[12] = {1, 2, 2, 1, 2, 4, 4, 2, 1, 2, 2, 1};
    assert_memory_equal(ag_cdata(ag_grad(img)), cover, sizeof cover);
}

/* With gradients off a node is not kept: the parameters (ints or not) are
 * still seen by the forward, and nothing is left behind (valgrind, ASan). */
static void test_unrecorded_ops_read_their_params(void **state) {
    (void)state;
    bool old = ag_set_grad_enabled(ctx, false);
    ag_var *x = VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_var *t = ag_transpose(ctx, x, (const int[]){1, 0}, 2);
    assert_int_equal(ag_shape(t)[0], 3);
    assert_true(ag_cdata(t)[1] == 4.0);
    ag_var *g = ag_get_item(ctx, x, 1, (const int[]){2, 2, 0}, 3);
    const double want[6] = {3, 3, 1, 6, 6, 4};
    assert_memory_equal(ag_cdata(g), want, sizeof want);
    ag_set_grad_enabled(ctx, old);
}

/* Nodes with blocks are collected and reused: the blocks go with them
 * (valgrind and LeakSanitizer see any left), and a reused node made for a
 * scalar op has none. */
static void test_blocks_go_with_their_nodes(void **state) {
    (void)state;
    ag_var *x = VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_retain(x);
    for (int i = 0; i < 2000; i++) {
        ag_var *y = ag_get_item(ctx, ag_reshape(ctx, x, 1, (const int[]){6}), 0, (const int[]){i % 6}, 1);
        assert_true(ag_item(y) == (double)(i % 6 + 1));
        if (i % 500 == 0) ag_gc(ctx);
    }
    ag_gc(ctx);
    for (int i = 0; i < 100; i++) {
        ag_var *s = ag_sin(ctx, ag_scalar(ctx, 0.5));
        assert_null(s->creator->more);
    }
    ag_release(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_node_is_two_lines),
        CTX_TEST(test_scalar_op_has_no_block),
        CTX_TEST(test_shape_op_has_its_block),
        CTX_TEST(test_all_zero_params_need_no_block),
        CTX_TEST(test_ints_live_in_the_block),
        CTX_TEST(test_unrecorded_ops_read_their_params),
        CTX_TEST(test_blocks_go_with_their_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
