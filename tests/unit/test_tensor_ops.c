/* test_tensor_ops.c — the internal tensor layer's sum_to, broadcast_to,
 * transpose, matmul, indexing (take, scatter_add, slice/paste) and queries
 * against upstream's golden values or a naive loop. */
#include "tensor_test_util.h"

/* ---- sum_to / broadcast_to ------------------------------------------------------------ */

static void test_sum_to(void **state) {
    /* upstream's TestSumTo: [2 4] to [4] and more */
    ag_tensor a = TENSOR(SHAPE(2, 4), 1, 2, 3, 4, 5, 6, 7, 8);
    ag_tensor out = ZEROS(SHAPE(4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(4), 6, 8, 10, 12);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(4, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    out = ZEROS(SHAPE(4, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(4, 1), 3, 7, 11, 15);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(2, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    out = ZEROS(SHAPE(1, 2, 4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 2, 4), 10, 12, 14, 16, 18, 20, 22, 24);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(3, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
               20, 21, 22, 23, 24);
    out = ZEROS(SHAPE(3, 1, 4));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(3, 1, 4), 6, 8, 10, 12, 22, 24, 26, 28, 38, 40, 42, 44);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* ExampleSumTo */
    a = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    out = ZEROS(SHAPE(1, 2, 2));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 2, 2), 2, 4, 6, 8);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* [2 3] 1..6 to [1 3], [2 1], [1 1], [] and the same shape */
    a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    out = ZEROS(SHAPE(1, 3));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 3), 5, 7, 9);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(2, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 1), 6, 15);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(1, 1));
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 1), 21);
    t_free(NULL, &out);
    out = ZEROS(NULL, 0);
    t_sum_to(&out, &a);
    assert_scalar_tensor(&out, 21);
    t_free(NULL, &out);
    /* it accumulates into what out holds */
    out = TENSOR(SHAPE(2, 3), 100, 100, 100, 100, 100, 100);
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 3), 101, 102, 103, 104, 105, 106);
    t_free(NULL, &out);
    out = TENSOR(SHAPE(3), 0.5, 0.25, 0.125);
    t_sum_to(&out, &a);
    assert_tensor(&out, SHAPE(3), 5.5, 7.25, 9.125);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* 0-d to 0-d (TestSumTo "scalar") */
    a = SCALAR(42);
    out = ZEROS(NULL, 0);
    t_sum_to(&out, &a);
    assert_scalar_tensor(&out, 42);
    t_free(NULL, &out);
    t_free(NULL, &a);
}

static void test_broadcast_to(void **state) {
    /* TestBroadcastTo */
    ag_tensor a = SCALAR(42);
    ag_tensor out = ZEROS(SHAPE(2, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2), 42, 42, 42, 42);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(1, 4), 1, 2, 3, 4);
    out = ZEROS(SHAPE(2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 4), 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    out = ZEROS(SHAPE(2, 2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2, 4), 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(4, 1), 1, 2, 3, 4);
    out = ZEROS(SHAPE(4, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(4, 2), 1, 1, 2, 2, 3, 3, 4, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    out = ZEROS(SHAPE(2, 3));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    t_free(NULL, &out);
    t_free(NULL, &a);

    a = TENSOR(SHAPE(1, 2, 1), 1, 2);
    out = ZEROS(SHAPE(3, 2, 4));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(3, 2, 4), 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1,
                  2, 2, 2, 2);
    t_free(NULL, &out);
    t_free(NULL, &a);

    /* upstream's ExampleBroadcastTo: [1 2 2] to [2 2 2] */
    a = TENSOR(SHAPE(1, 2, 2), 1, 2, 3, 4);
    out = ZEROS(SHAPE(2, 2, 2));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    t_free(NULL, &out);
    t_free(NULL, &a);
    a = TENSOR(SHAPE(1), 2);
    out = ZEROS(SHAPE(1, 3));
    t_broadcast_to(&out, &a);
    assert_tensor(&out, SHAPE(1, 3), 2, 2, 2);
    t_free(NULL, &out);
    t_free(NULL, &a);
}

/* ---- transpose ---------------------------------------------------------------------- */

static ag_tensor transpose(const ag_tensor *a, const int *perm) {
    int shape[AG_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++) shape[i] = a->shape[perm[i]];
    ag_tensor out = tensor_of(shape, a->ndim, NULL);
    t_transpose(&out, a, perm);
    return out;
}

static void test_transpose(void **state) {
    /* [2 3] transposed by (1, 0) */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor r = transpose(&a, (const int[]){1, 0});
    assert_tensor(&r, SHAPE(3, 2), 1, 4, 2, 5, 3, 6);
    t_free(NULL, &r);
    r = transpose(&a, (const int[]){0, 1});
    assert_tensor(&r, SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    t_free(NULL, &r);
    t_free(NULL, &a);

    ag_tensor b = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = transpose(&b, (const int[]){0, 2, 1});
    assert_tensor(&r, SHAPE(2, 3, 2), 1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12);
    t_free(NULL, &r);
    r = transpose(&b, (const int[]){2, 0, 1}); /* also what [-1 -3 -2] normalizes to */
    assert_tensor(&r, SHAPE(3, 2, 2), 1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12);
    t_free(NULL, &r);
    t_free(NULL, &b);

    ag_tensor s = SCALAR(42);
    r = transpose(&s, NULL);
    assert_scalar_tensor(&r, 42);
    t_free(NULL, &r);
    t_free(NULL, &s);
}

/* Big enough for the tiled path, odd sizes for its edges; checked by index. */
static void test_transpose_large(void **state) {
    const int shape[] = {70, 45};
    ag_tensor a = tensor_ramp(shape, 2, 1, 0);
    for (size_t i = 0; i < a.size; i++) a.data[i] = (double)i;
    ag_tensor r = transpose(&a, (const int[]){1, 0});
    for (int i = 0; i < 45; i++)
        for (int j = 0; j < 70; j++) assert_true(r.data[i * 70 + j] == (double)(j * 45 + i));
    t_free(NULL, &r);
    t_free(NULL, &a);

    const int shape4[] = {3, 4, 5, 6};
    ag_tensor c = tensor_ramp(shape4, 4, 1, 0);
    for (size_t i = 0; i < c.size; i++) c.data[i] = (double)i;
    const int perm[] = {2, 0, 3, 1};
    r = transpose(&c, perm);
    int idx[4];
    size_t o = 0;
    for (idx[2] = 0; idx[2] < 5; idx[2]++)
        for (idx[0] = 0; idx[0] < 3; idx[0]++)
            for (idx[3] = 0; idx[3] < 6; idx[3]++)
                for (idx[1] = 0; idx[1] < 4; idx[1]++)
                    assert_true(r.data[o++] ==
                                (double)(((idx[0] * 4 + idx[1]) * 5 + idx[2]) * 6 + idx[3]));
    t_free(NULL, &r);
    t_free(NULL, &c);
}

/* ---- matmul ---------------------------------------------------------------------------- */

/* a @ b with out's shape from the broadcast of the leading dims. */
static ag_tensor matmul(const ag_tensor *a, const ag_tensor *b) {
    int lead, shape[AG_MAX_DIMS];
    assert_int_equal(
        shape_broadcast(NULL, "matmul", a->ndim - 2, a->shape, b->ndim - 2, b->shape, &lead, shape),
        0);
    shape[lead] = a->shape[a->ndim - 2];
    shape[lead + 1] = b->shape[b->ndim - 1];
    ag_tensor out = tensor_of(shape, lead + 2, NULL);
    for (size_t i = 0; i < out.size; i++) out.data[i] = NAN; /* every entry must be written */
    t_matmul(&out, a, b);
    return out;
}

/* out against the definition: for each batch index, leading coords map into
 * a and b with broadcast dims read at 0, and sums run over p in order. */
static void check_matmul_naive(const ag_tensor *out, const ag_tensor *a, const ag_tensor *b) {
    int n = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1], m = b->shape[b->ndim - 1];
    int lead = out->ndim - 2;
    size_t batch = out->size / ((size_t)n * (size_t)m);
    for (size_t t = 0; t < batch; t++) {
        size_t rest = t, ablock = 0, bblock = 0, sa = 1, sb = 1;
        for (int d = lead - 1; d >= 0; d--) {
            size_t coord = rest % (size_t)out->shape[d];
            rest /= (size_t)out->shape[d];
            int da = d - (lead - (a->ndim - 2)), db = d - (lead - (b->ndim - 2));
            if (da >= 0) {
                if (a->shape[da] > 1) ablock += coord * sa;
                sa *= (size_t)a->shape[da];
            }
            if (db >= 0) {
                if (b->shape[db] > 1) bblock += coord * sb;
                sb *= (size_t)b->shape[db];
            }
        }
        const double *pa = a->data + ablock * (size_t)(n * k);
        const double *pb = b->data + bblock * (size_t)(k * m);
        const double *pc = out->data + t * (size_t)(n * m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += pa[i * k + p] * pb[p * m + j];
                assert_close_tol(pc[i * m + j], sum, 1e-12, 1e-10);
            }
    }
}

static void test_matmul_golden(void **state) {
    /* [2 3] 1..6 @ [3 2] 7..12 */
    ag_tensor a = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    ag_tensor b = TENSOR(SHAPE(3, 2), 7, 8, 9, 10, 11, 12);
    ag_tensor r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2), 58, 64, 139, 154);
    t_free(NULL, &r);
    t_free(NULL, &b);
    /* [2 3] 1..6 @ [3 4] 1..12 */
    b = TENSOR(SHAPE(3, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 4), 38, 44, 50, 56, 83, 98, 113, 128);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* TestMatMul (variable): [1 2 2] @ [2 2 3] and [2 2 2] @ [1 2 3] */
    a = TENSOR(SHAPE(1, 2, 2), 1, 2, 3, 4);
    b = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 3), 9, 12, 15, 19, 26, 33, 27, 30, 33, 61, 68, 75);
    check_matmul_naive(&r, &a, &b);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);
    a = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    b = TENSOR(SHAPE(1, 2, 3), 1, 2, 3, 4, 5, 6);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 3), 9, 12, 15, 19, 26, 33, 29, 40, 51, 39, 54, 69);
    check_matmul_naive(&r, &a, &b);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* TestMatMul (tensor): the 4-d batch */
    a = TENSOR(SHAPE(2, 2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 1, 0, 0, 1, 2, 3, 3, 3,
               1, 2, 3);
    b = TENSOR(SHAPE(2, 2, 3, 2), 1, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 1, 2, 3, 4, 5, 6, 0, 1, 1, 0,
               1, 1);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 2, 2, 2), 4, 5, 10, 11, 74, 74, 101, 101, 5, 8, 13, 16, 6, 6, 5, 4);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);

    /* [1 4] @ [4 1]; and the broadcasts [2 2] @ [2 2 2], [2 2 2] @ [2 2] */
    a = TENSOR(SHAPE(1, 4), 1, 2, 3, 4);
    b = TENSOR(SHAPE(4, 1), 1, 2, 3, 4);
    r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(1, 1), 30);
    t_free(NULL, &r);
    t_free(NULL, &b);
    t_free(NULL, &a);
    ag_tensor m2 = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    ag_tensor m3 = TENSOR(SHAPE(2, 2, 2), 1, 2, 3, 4, 1, 2, 3, 4);
    r = matmul(&m2, &m3);
    assert_tensor(&r, SHAPE(2, 2, 2), 7, 10, 15, 22, 7, 10, 15, 22);
    t_free(NULL, &r);
    r = matmul(&m3, &m2);
    assert_tensor(&r, SHAPE(2, 2, 2), 7, 10, 15, 22, 7, 10, 15, 22);
    t_free(NULL, &r);
    t_free(NULL, &m2);
    t_free(NULL, &m3);
}

/* Block sizes on both sides of the inline/BLAS threshold, every broadcast
 * pattern, against the naive definition. */
static void test_matmul_naive(void **state) {
    static const struct {
        int na, a[5], nb, b[5];
    } cases[] = {
        {2, {17, 9}, 2, {9, 13}},              /* one BLAS block */
        {3, {4, 20, 30}, 2, {30, 10}},         /* batch folded into rows */
        {4, {3, 1, 17, 9}, 3, {2, 9, 13}},     /* both sides broadcast */
        {2, {6, 7}, 4, {2, 3, 7, 5}},          /* a reused for every block */
        {3, {3, 2, 2}, 3, {1, 2, 3}},          /* tiny blocks, b reused */
        {5, {2, 1, 3, 3, 4}, 3, {3, 4, 2}},    /* 3 leading dims */
        {3, {2, 1, 40}, 3, {2, 40, 1}},        /* vectors */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ag_tensor a = tensor_ramp(cases[c].a, cases[c].na, 0.5, 0.25);
        ag_tensor b = tensor_ramp(cases[c].b, cases[c].nb, -0.75, 2);
        ag_tensor r = matmul(&a, &b);
        check_matmul_naive(&r, &a, &b);
        t_free(NULL, &r);
        t_free(NULL, &a);
        t_free(NULL, &b);
    }
}

static void test_matmul_empty(void **state) {
    /* k = 0: every entry is an empty sum */
    ag_tensor a = ZEROS(SHAPE(2, 0)), b = ZEROS(SHAPE(0, 3));
    ag_tensor r = matmul(&a, &b);
    assert_tensor(&r, SHAPE(2, 3), 0, 0, 0, 0, 0, 0);
    t_free(NULL, &r);
    t_free(NULL, &a);
    t_free(NULL, &b);
    /* n = 0 */
    a = ZEROS(SHAPE(0, 2));
    b = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    r = matmul(&a, &b);
    assert_int_equal(r.size, 0);
    t_free(NULL, &r);
    t_free(NULL, &a);
    t_free(NULL, &b);
}

/* ---- indexing ------------------------------------------------------------------------- */

static ag_tensor take(const ag_tensor *a, int axis, const int *indices, int n) {
    int shape[AG_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[axis] = n;
    ag_tensor out = tensor_of(shape, a->ndim, NULL);
    t_take(&out, a, axis, indices, n);
    return out;
}

static void test_take(void **state) {
    /* TestTake */
    ag_tensor a = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    ag_tensor r = take(&a, 0, (const int[]){0, 2}, 2);
    assert_tensor(&r, SHAPE(2, 2), 10, 11, 30, 31);
    t_free(NULL, &r);
    t_free(NULL, &a);

    ag_tensor b = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    r = take(&b, 1, (const int[]){2, 0}, 2);
    assert_tensor(&r, SHAPE(2, 2), 3, 1, 6, 4);
    t_free(NULL, &r);
    r = take(&b, 1, (const int[]){1, 1, 2}, 3); /* repeats */
    assert_tensor(&r, SHAPE(2, 3), 2, 2, 3, 5, 5, 6);
    t_free(NULL, &r);
    r = take(&b, 1, (const int[]){1}, 1);
    assert_tensor(&r, SHAPE(2, 1), 2, 5);
    t_free(NULL, &r);
    /* rows 0, 0 and 1: a repeated index */
    r = take(&b, 0, (const int[]){0, 0, 1}, 3);
    assert_tensor(&r, SHAPE(3, 3), 1, 2, 3, 1, 2, 3, 4, 5, 6);
    t_free(NULL, &r);
    r = take(&b, 0, NULL, 0);
    assert_int_equal(r.size, 0);
    t_free(NULL, &r);
    t_free(NULL, &b);

    ag_tensor c = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15);
    r = take(&c, 2, (const int[]){0, 2}, 2);
    assert_tensor(&r, SHAPE(2, 2, 2), 1, 3, 4, 6, 10, 12, 13, 15);
    t_free(NULL, &r);
    t_free(NULL, &c);
}

static void test_scatter_add(void **state) {
    /* ExampleScatterAdd (reference 7.11) */
    ag_tensor out = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    ag_tensor src = TENSOR(SHAPE(2, 2), 1, 2, 3, 4);
    t_scatter_add(&out, &src, 0, (const int[]){0, 2}, 2);
    assert_tensor(&out, SHAPE(3, 2), 11, 13, 20, 21, 33, 35);
    t_free(NULL, &out);
    t_free(NULL, &src);

    /* ExampleScatterAdd_axis1: duplicate indices accumulate */
    out = TENSOR(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);
    src = TENSOR(SHAPE(3, 2), 1, 2, 2, 3, 3, 6);
    t_scatter_add(&out, &src, 1, (const int[]){0, 0}, 2);
    assert_tensor(&out, SHAPE(3, 2), 13, 11, 25, 21, 39, 31);
    t_free(NULL, &out);
    t_free(NULL, &src);

    /* TestScatterAdd */
    out = TENSOR(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    src = TENSOR(SHAPE(2, 3), 10, 20, 30, 40, 50, 60);
    t_scatter_add(&out, &src, 1, (const int[]){1, 1, 2}, 3);
    assert_tensor(&out, SHAPE(2, 3), 1, 32, 33, 4, 95, 66);
    t_free(NULL, &out);
    t_free(NULL, &src);

    out = TENSOR(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15);
    src = TENSOR(SHAPE(2, 2, 2), 100, 200, 300, 400, 1000, 1100, 1200, 1300);
    t_scatter_add(&out, &src, 2, (const int[]){0, 2}, 2);
    assert_tensor(&out, SHAPE(2, 2, 3), 101, 2, 203, 304, 5, 406, 1010, 11, 1112, 1213, 14, 1315);
    t_free(NULL, &out);
    t_free(NULL, &src);

    out = ZEROS(SHAPE(4, 3));
    src = TENSOR(SHAPE(4, 3), 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4);
    t_scatter_add(&out, &src, 0, (const int[]){0, 1, 0, 1}, 4);
    assert_tensor(&out, SHAPE(4, 3), 4, 4, 4, 6, 6, 6, 0, 0, 0, 0, 0, 0);
    t_free(NULL, &out);
    t_free(NULL, &src);
}

static void test_slice_paste(void **state) {
    /* Split([1 2], 0) and Split([1 2], 1) of [3 3] 1..9 */
    ag_tensor a = TENSOR(SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    ag_tensor top = ZEROS(SHAPE(1, 3)), bottom = ZEROS(SHAPE(2, 3));
    t_slice(&top, &a, 0, 0, 1);
    t_slice(&bottom, &a, 0, 1, 2);
    assert_tensor(&top, SHAPE(1, 3), 1, 2, 3);
    assert_tensor(&bottom, SHAPE(2, 3), 4, 5, 6, 7, 8, 9);
    ag_tensor left = ZEROS(SHAPE(3, 1)), right = ZEROS(SHAPE(3, 2));
    t_slice(&left, &a, 1, 0, 1);
    t_slice(&right, &a, 1, 1, 2);
    assert_tensor(&left, SHAPE(3, 1), 1, 4, 7);
    assert_tensor(&right, SHAPE(3, 2), 2, 3, 5, 6, 8, 9);

    /* pasting the pieces back rebuilds a */
    ag_tensor rebuilt = ZEROS(SHAPE(3, 3));
    t_paste(&rebuilt, &top, 0, 0);
    t_paste(&rebuilt, &bottom, 0, 1);
    assert_tensor(&rebuilt, SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    t_free(NULL, &rebuilt);
    rebuilt = ZEROS(SHAPE(3, 3));
    t_paste(&rebuilt, &right, 1, 1);
    assert_tensor(&rebuilt, SHAPE(3, 3), 0, 2, 3, 0, 5, 6, 0, 8, 9);
    t_paste(&rebuilt, &left, 1, 0);
    assert_tensor(&rebuilt, SHAPE(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    t_free(NULL, &rebuilt);

    /* a middle axis of a 3-d tensor */
    ag_tensor c = TENSOR(SHAPE(2, 3, 2), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    ag_tensor mid = ZEROS(SHAPE(2, 1, 2));
    t_slice(&mid, &c, 1, 1, 1);
    assert_tensor(&mid, SHAPE(2, 1, 2), 3, 4, 9, 10);
    ag_tensor back = ZEROS(SHAPE(2, 3, 2));
    t_paste(&back, &mid, 1, 1);
    assert_tensor(&back, SHAPE(2, 3, 2), 0, 0, 3, 4, 0, 0, 0, 0, 9, 10, 0, 0);

    t_free(NULL, &a);
    t_free(NULL, &top);
    t_free(NULL, &bottom);
    t_free(NULL, &left);
    t_free(NULL, &right);
    t_free(NULL, &c);
    t_free(NULL, &mid);
    t_free(NULL, &back);
}

/* ---- queries ---------------------------------------------------------------------------- */

static void test_argmax_rows(void **state) {
    /* the argmax of each row of a [2 2 3] */
    ag_tensor a = TENSOR(SHAPE(2, 2, 3), 1, 5, 2, 9, 3, 0, 4, 6, 7, 1, 2, 8);
    int idx[4] = {-9, -9, -9, -9};
    t_argmax_rows(&a, idx);
    assert_memory_equal(idx, ((const int[]){1, 0, 2, 2}), sizeof idx);
    t_free(NULL, &a);

    /* ties: the first maximum wins */
    ag_tensor b = TENSOR(SHAPE(3), 5, 5, 5);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 0);
    t_free(NULL, &b);
    b = TENSOR(SHAPE(4), -10, -5, -20, -5);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 1);
    t_free(NULL, &b);
    b = TENSOR(SHAPE(2, 4), 1, 7, 3, 7, 2, 2, 9, 9);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    t_free(NULL, &b);

    b = SCALAR(3);
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], 0);
    t_free(NULL, &b);
    b = ZEROS(SHAPE(2, 0));
    t_argmax_rows(&b, idx);
    assert_int_equal(idx[0], -1);
    assert_int_equal(idx[1], -1);
    t_free(NULL, &b);
}

static void test_has_nonfinite(void **state) {
    ag_tensor a = TENSOR(SHAPE(3), 1, -DBL_MAX, DBL_MAX);
    assert_false(t_has_nonfinite(&a));
    a.data[1] = INFINITY;
    assert_true(t_has_nonfinite(&a));
    a.data[1] = -INFINITY;
    assert_true(t_has_nonfinite(&a));
    a.data[1] = NAN;
    assert_true(t_has_nonfinite(&a));
    t_free(NULL, &a);
    ag_tensor empty = ZEROS(SHAPE(0));
    assert_false(t_has_nonfinite(&empty));
    t_free(NULL, &empty);

    /* every length through the vector kernels' four-vector loop, their
     * one-vector loop, the scalar tail and blocks past the first, with the
     * bad element at each place: finite extremes never read as bad */
    ag_tensor b = ZEROS(SHAPE(600));
    const double finite[] = {DBL_MAX, -DBL_MAX, DBL_MIN, 4.9e-324, -0.0};
    const double bad[] = {INFINITY, -INFINITY, NAN};
    for (int n = 1; n <= 600; n++) {
        b.size = (size_t)n;
        b.shape[0] = n;
        for (int i = 0; i < n; i++) b.data[i] = finite[i % 5];
        assert_false(t_has_nonfinite(&b));
        for (int at = 0; at < n; at++) {
            b.data[at] = bad[(n + at) % 3];
            assert_true(t_has_nonfinite(&b));
            b.data[at] = finite[at % 5];
        }
    }
    b.size = 600;
    b.shape[0] = 600;
    t_free(NULL, &b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_to),
        cmocka_unit_test(test_broadcast_to),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_transpose_large),
        cmocka_unit_test(test_matmul_golden),
        cmocka_unit_test(test_matmul_naive),
        cmocka_unit_test(test_matmul_empty),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_scatter_add),
        cmocka_unit_test(test_slice_paste),
        cmocka_unit_test(test_argmax_rows),
        cmocka_unit_test(test_has_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
