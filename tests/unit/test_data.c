/* test_data.c — the built-in data sets (ag_data.h) against their formulas,
 * recomputed here from the same generator draws, the random orders, and the
 * files of data from C (ag_files.h; NumPy checks them in numpy_files_test.py). */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.141592653589793

/* Without noise, moons' points lie on their arcs: class 0 on the upper unit
 * half circle, class 1 on the lower one centred at (1, 0.5); half of each. */
static void test_moons_on_their_arcs(void **state) {
    ag_var *x, *t;
    ag_rng rng;
    ag_rng_seed(&rng, 7);
    assert_int_equal(ag_data_moons(ctx, 101, 0, &rng, &x, &t), 0);
    assert_shape(x, 101, 2);
    assert_shape(t, 101);
    const double *xy = ag_cdata(x), *label = ag_cdata(t);
    int ones = 0;
    for (int i = 0; i < 101; i++) {
        double cx = label[i] == 0 ? 0 : 1, cy = label[i] == 0 ? 0 : 0.5;
        double dx = xy[2 * i] - cx, dy = xy[2 * i + 1] - cy;
        assert_close_tol(dx * dx + dy * dy, 1, 1e-12, 1e-12);
        assert_true(label[i] == 0 ? dy >= -1e-12 : dy <= 1e-12);
        ones += label[i] == 1;
    }
    assert_int_equal(ones, 51); /* n - n/2 on the lower arc */
    /* noise moves them: the same seed with noise 0.1 is off the arcs */
    ag_rng_seed(&rng, 7);
    assert_int_equal(ag_data_moons(ctx, 101, 0.1, &rng, &x, &t), 0);
    double off = 0;
    for (int i = 0; i < 101; i++) {
        const double *p = ag_cdata(x) + 2 * i;
        double cx = ag_cdata(t)[i] == 0 ? 0 : 1, cy = ag_cdata(t)[i] == 0 ? 0 : 0.5;
        off += fabs(hypot(p[0] - cx, p[1] - cy) - 1);
    }
    assert_true(off / 101 > 0.03 && off / 101 < 0.15);
}

/* The spiral is DeZero's formula with our normal draws in row order. */
static void test_spiral_formula(void **state) {
    ag_var *x, *t;
    ag_rng rng, again;
    ag_rng_seed(&rng, 1984);
    ag_rng_seed(&again, 1984);
    assert_int_equal(ag_data_spiral(ctx, 50, 3, &rng, &x, &t), 0);
    assert_shape(x, 150, 2);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 50; i++) {
            double rate = i / 50.0, theta = j * 4.0 + 4.0 * rate + ag_rng_normal(&again) * 0.2;
            int row = 50 * j + i;
            assert_true(ag_cdata(x)[2 * row] == rate * sin(theta));
            assert_true(ag_cdata(x)[2 * row + 1] == rate * cos(theta));
            assert_true(ag_cdata(t)[row] == j);
        }
}

/* circles: the rings' radii; xor: the quadrant rule; gaussians: the classes
 * in turn around the given centres; sine: the guide's pairs. */
static void test_circles_xor_gaussians_sine(void **state) {
    ag_var *x, *t;
    assert_int_equal(ag_data_circles(ctx, 40, 0, 0.3, NULL, &x, &t), 0);
    for (int i = 0; i < 40; i++)
        assert_close_tol(hypot(ag_cdata(x)[2 * i], ag_cdata(x)[2 * i + 1]), ag_cdata(t)[i] == 0 ? 1 : 0.3, 1e-12, 1e-12);
    assert_int_equal(ag_data_xor(ctx, 200, 0, NULL, &x, &t), 0);
    for (int i = 0; i < 200; i++) {
        double a = ag_cdata(x)[2 * i], b = ag_cdata(x)[2 * i + 1];
        assert_true(a >= -1 && a < 1 && b >= -1 && b < 1);
        assert_true(ag_cdata(t)[i] == (a * b >= 0 ? 0 : 1));
    }
    const double centres[] = {0, 0, 10, 10, -10, 10};
    assert_int_equal(ag_data_gaussians(ctx, 300, 3, centres, 0.5, NULL, &x, &t), 0);
    double sum[3][2] = {{0}};
    for (int i = 0; i < 300; i++) {
        assert_true(ag_cdata(t)[i] == i % 3);
        sum[i % 3][0] += ag_cdata(x)[2 * i];
        sum[i % 3][1] += ag_cdata(x)[2 * i + 1];
    }
    for (int k = 0; k < 3; k++) {
        assert_close_tol(sum[k][0] / 100, centres[2 * k], 0, 0.2);
        assert_close_tol(sum[k][1] / 100, centres[2 * k + 1], 0, 0.2);
    }
    ag_rng rng, again;
    ag_rng_seed(&rng, 3);
    ag_rng_seed(&again, 3);
    assert_int_equal(ag_data_sine(ctx, 100, 0.05, &rng, &x, &t), 0);
    assert_shape(x, 99, 1);
    double y[100];
    for (int i = 0; i < 100; i++) y[i] = sin(2 * PI * (i / 99.0)) + ag_rng_uniform(&again) * 0.1 - 0.05;
    for (int i = 0; i < 99; i++) {
        assert_true(ag_cdata(x)[i] == y[i]);
        assert_true(ag_cdata(t)[i] == y[i + 1]);
    }
}

/* Bad arguments fail with AG_ERR_ARG, making nothing. */
static void test_bad_arguments(void **state) {
    ag_var *x = (ag_var *)1, *t = (ag_var *)1;
    assert_int_equal(ag_data_moons(ctx, 0, 0.1, NULL, &x, &t), -1);
    assert_null(x);
    assert_int_equal(ag_errcode(ctx), AG_ERR_ARG);
    assert_int_equal(ag_data_circles(ctx, 10, 0.1, 1.5, NULL, &x, &t), -1);
    assert_int_equal(ag_data_xor(ctx, 10, NAN, NULL, &x, &t), -1);
    assert_int_equal(ag_data_gaussians(ctx, 10, 1, NULL, 0.5, NULL, &x, &t), -1);
    assert_int_equal(ag_data_spiral(ctx, 10, 0, NULL, &x, &t), -1);
    assert_int_equal(ag_data_spiral(ctx, 1 << 20, 1 << 12, NULL, &x, &t), -1);
    assert_int_equal(ag_data_sine(ctx, 1, 0, NULL, &x, &t), -1);
    assert_null(t);
    ag_clear_error(ctx);
    /* one pointer for both outputs: refused before anything is made (x's
     * points were written through t's one-column variable, past its end,
     * into the next node) */
    ag_var *both = (ag_var *)1;
    int (*const sets[])(ag_ctx *, int, double, ag_rng *, ag_var **, ag_var **) = {
        ag_data_moons, ag_data_xor, ag_data_sine};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        assert_int_equal(sets[i](ctx, 10, 0.1, NULL, &both, &both), -1);
        assert_null(both);
        assert_string_equal(ag_errmsg(ctx), "data set: x and t are the same output pointer");
        ag_clear_error(ctx);
    }
    assert_int_equal(ag_data_circles(ctx, 10, 0.1, 0.5, NULL, &both, &both), -1);
    assert_int_equal(ag_data_gaussians(ctx, 10, 2, NULL, 0.5, NULL, &both, &both), -1);
    assert_int_equal(ag_data_spiral(ctx, 10, 2, NULL, &both, &both), -1);
    assert_int_equal(ag_data_sine_regression(ctx, 10, NULL, &both, &both), -1);
    assert_int_equal(ag_errcode(ctx), AG_ERR_ARG);
    assert_null(both);
    ag_clear_error(ctx);
}

/* ag_permutation is a permutation, and every order of 3 comes up about
 * equally often (ag_rng_below favours no value). */
static void test_permutation(void **state) {
    (void)state;
    ag_rng rng;
    ag_rng_seed(&rng, 5);
    int perm[1000], seen[1000] = {0};
    assert_int_equal(ag_permutation(&rng, 1000, perm), 0);
    for (int i = 0; i < 1000; i++) seen[perm[i]]++;
    for (int i = 0; i < 1000; i++) assert_int_equal(seen[i], 1);
    int counts[6] = {0};
    for (int k = 0; k < 6000; k++) {
        int p[3];
        ag_permutation(&rng, 3, p);
        counts[p[0] * 2 + (p[1] > p[2])]++;
    }
    for (int i = 0; i < 6; i++) assert_true(counts[i] > 850 && counts[i] < 1150);
    assert_int_equal(ag_permutation(&rng, -1, perm), -1);
    assert_int_equal(ag_permutation(&rng, 0, NULL), 0);
    for (int k = 0; k < 1000; k++) assert_true(ag_rng_below(&rng, 7) < 7);
    assert_int_equal(ag_rng_below(&rng, 0), 0);
}

/* .npy from C: our bytes decode to the same bits; a version 2.0 header,
 * big-endian int16 in Fortran order; a truncated file makes nothing. */
static void test_npy_from_c(void **state) {
    (void)state;
    ag_var *x = ag_new(ctx, 2, (int[]){2, 3}, (double[]){1.5, -0.0, 1e-300, 3, 4, 5});
    void *bytes;
    size_t size;
    assert_int_equal(ag_npy_encode(ctx, x, &bytes, &size), 0);
    assert_int_equal(size % 64, (6 * 8) % 64); /* the header pads the data to 64 bytes */
    ag_var *y = ag_npy_decode(ctx, bytes, size, "x.npy");
    assert_non_null(y);
    assert_shape(y, 2, 3);
    assert_memory_equal(ag_cdata(x), ag_cdata(y), 6 * sizeof(double));
    assert_null(ag_npy_decode(ctx, bytes, size - 1, "x.npy"));
    assert_int_equal(ag_errcode(ctx), AG_ERR_IO);
    assert_non_null(strstr(ag_errmsg(ctx), "x.npy: truncated"));
    ag_clear_error(ctx);
    free(bytes);
    /* version 2.0 (4-byte header length), '>i2', Fortran order: [[1, 2], [3, -4]] */
    const char dict[] = "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 2), }";
    unsigned char file[128] = "\x93NUMPY\x02\x00";
    size_t hl = sizeof dict - 1;
    file[8] = (unsigned char)hl;
    memcpy(file + 12, dict, hl);
    const unsigned char data[] = {0, 1, 0, 3, 0, 2, 0xff, 0xfc}; /* column by column */
    memcpy(file + 12 + hl, data, sizeof data);
    y = ag_npy_decode(ctx, file, 12 + hl + sizeof data, NULL);
    assert_non_null(y);
    assert_data(y, 1, 2, 3, -4);
}

/* ag_npz_decode_one reads the member named and no other: with the second
 * member's bytes damaged (its CRC no longer matches) the first still reads,
 * a name no member has gives NULL and the names, and ag_npz_decode, which
 * reads them all, fails. */
static void test_npz_one_member(void **state) {
    (void)state;
    ag_var *a = ag_new(ctx, 1, (int[]){2}, (double[]){1.5, -2});
    ag_var *h = ag_new(ctx, 1, (int[]){3}, (double[]){7, 8, 9});
    void *bytes;
    size_t size;
    assert_int_equal(ag_npz_encode(ctx, (ag_var *[]){a, h}, (const char *[]){"a", "h"}, 2, false, &bytes, &size), 0);
    unsigned char *p = bytes, *last = NULL;
    for (size_t i = 0; i + 4 <= size; i++)
        if (memcmp(p + i, "<f8'", 4) == 0) last = p + i;
    assert_non_null(last); /* h.npy's descr, stored as it is */
    last[2] = '2';         /* '<f2', and a CRC that no longer matches */
    ag_var *one;
    char **names;
    int count;
    assert_int_equal(ag_npz_decode_one(ctx, bytes, size, "d.npz", "a", &one, &names, &count), 0);
    assert_non_null(one);
    assert_data(one, 1.5, -2);
    assert_int_equal(count, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "h");
    ag_npz_free(NULL, names, count);
    assert_int_equal(ag_npz_decode_one(ctx, bytes, size, "d.npz", "zz", &one, &names, &count), 0);
    assert_null(one);
    assert_int_equal(count, 2);
    ag_npz_free(NULL, names, count);
    ag_var **arrays;
    assert_int_equal(ag_npz_decode(ctx, bytes, size, "d.npz", &arrays, &names, &count), -1);
    assert_non_null(strstr(ag_errmsg(ctx), "d.npz: h.npy"));
    ag_clear_error(ctx);
    free(bytes);
}

/* CSV from C: RFC 4180 quoting and CRLF, columns by name, a target; a
 * ragged row names its line and column and makes nothing. */
static void test_csv_from_c(void **state) {
    (void)state;
    const char text[] = "a,\"b, \"\"c\"\"\",t\r\n1,2,0\r\n\r\n3,\"4\",1\r\n";
    ag_csv_options options = {.header = true, .columns = (const char *[]){"b, \"c\"", "0"}, .ncolumns = 2,
                              .target = "t"};
    ag_var *x, *t;
    char **names;
    int n;
    assert_int_equal(ag_csv_decode(ctx, text, sizeof text - 1, "d.csv", &options, &x, &t, &names, &n), 0);
    assert_shape(x, 2, 2);
    assert_data(x, 2, 1, 4, 3);
    assert_data(t, 0, 1);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "b, \"c\"");
    assert_string_equal(names[1], "a");
    ag_names_free(names, n);
    void *bytes;
    size_t size;
    assert_int_equal(ag_csv_encode(ctx, x, (const char *[]){"b, \"c\"", "a"}, ',', true, &bytes, &size), 0);
    assert_int_equal(size, strlen("\"b, \"\"c\"\"\",a\r\n2,1\r\n4,3\r\n"));
    assert_memory_equal(bytes, "\"b, \"\"c\"\"\",a\r\n2,1\r\n4,3\r\n", size);
    free(bytes);
    const char ragged[] = "1,2\n3\n";
    x = (ag_var *)1;
    assert_int_equal(ag_csv_decode(ctx, ragged, sizeof ragged - 1, "r.csv", NULL, &x, NULL, NULL, NULL), -1);
    assert_null(x);
    assert_string_equal(ag_errmsg(ctx), "r.csv: line 2, column 2: a ragged row: 1 field where the first row has 2");
    ag_clear_error(ctx);
}

/* Columns x and t do not take are never read as numbers (a word or an
 * empty field there is no error), the target stays out of x when columns=
 * lists it, and a name the header lacks is reported before any row. */
static void test_csv_columns_not_read(void **state) {
    (void)state;
    const char text[] = "a,name,t\n1,foo,0\n2,,1\n";
    ag_csv_options options = {.header = true, .columns = (const char *[]){"t", "a"}, .ncolumns = 2, .target = "t"};
    ag_var *x, *t;
    char **names;
    int n;
    assert_int_equal(ag_csv_decode(ctx, text, sizeof text - 1, "w.csv", &options, &x, &t, &names, &n), 0);
    assert_shape(x, 2, 1);
    assert_data(x, 1, 2);
    assert_data(t, 0, 1);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "a");
    ag_names_free(names, n);
    options = (ag_csv_options){.header = true, .target = "zz"};
    assert_int_equal(ag_csv_decode(ctx, text, sizeof text - 1, "w.csv", &options, &x, &t, NULL, NULL), -1);
    assert_string_equal(ag_errmsg(ctx), "w.csv: target: no column named 'zz' (the header has 'a', 'name', 't')");
    ag_clear_error(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moons_on_their_arcs, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_spiral_formula, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_circles_xor_gaussians_sine, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, ctx_setup, ctx_teardown),
        cmocka_unit_test(test_permutation),
        cmocka_unit_test_setup_teardown(test_npy_from_c, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_npz_one_member, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_csv_from_c, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_csv_columns_not_read, ctx_setup, ctx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
