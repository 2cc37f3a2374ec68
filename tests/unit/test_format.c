/* test_format.c — Go's %v of float64, shapes and variable strings
 * (reference §2.1, §2.2). */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct number_case {
    double value;
    const char *expected;
} number_case;

static const number_case number_cases[] = {
    {0.8414709848078965, "0.8414709848078965"},
    {1e6, "1e+06"},
    {1e-5, "1e-05"},
    {1e-4, "0.0001"},
    {100000, "100000"},
    {999999, "999999"},
    {123456.7, "123456.7"},
    {100000.5, "100000.5"},
    {123456789, "1.23456789e+08"},
    {3.7723738417192525e-17, "3.7723738417192525e-17"},
    {5e-324, "5e-324"},
    {1.7976931348623157e+308, "1.7976931348623157e+308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {1e21, "1e+21"},
    {1e-7, "1e-07"},
    {1e100, "1e+100"},
    {1.5e-100, "1.5e-100"},
    {0.1 + 0.2, "0.30000000000000004"},
    {0.1, "0.1"},
    {0.5, "0.5"},
    {1, "1"},
    {-2, "-2"},
    {10, "10"},
    {0.00012345, "0.00012345"},
    {-0.000012345, "-1.2345e-05"},
    {9007199254740992.0, "9.007199254740992e+15"},
    {3.297442541400256, "3.297442541400256"},
    {0.040000000000000036, "0.040000000000000036"},
    {1.3877787807814457e-17, "1.3877787807814457e-17"},
    {0.0, "0"},
    {-0.0, "-0"},
    {INFINITY, "+Inf"},
    {-INFINITY, "-Inf"},
    {NAN, "NaN"},
    {-NAN, "NaN"},
};

static void test_number_table(void **state) {
    char buf[AG_NUMBUF];
    for (size_t i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
        const char *got = ag_format_double(number_cases[i].value, 0, buf);
        if (strcmp(got, number_cases[i].expected) != 0)
            fail_msg("case %zu (%.17g): got \"%s\", expected \"%s\"", i, number_cases[i].value, got,
                     number_cases[i].expected);
    }
}

/* splitmix64: a test-local stream of bit patterns. */
static uint64_t next_bits(uint64_t *seed) {
    uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Significant digits in a Go-formatted finite nonzero number. */
static int significant_digits(const char *text) {
    int count = 0, leading = 1, trailing_zeros = 0;
    for (const char *p = text; *p && *p != 'e'; p++) {
        if (*p < '0' || *p > '9') continue;
        if (leading && *p == '0') continue;
        leading = 0;
        count++;
        trailing_zeros = *p == '0' ? trailing_zeros + 1 : 0;
    }
    /* "100000" has one significant digit; "100000.5" has no trailing zeros. */
    return count - trailing_zeros;
}

/* For random doubles: the text reads back to the same bits, and the
 * correctly rounded decimal one digit shorter does not. */
static void test_round_trip_property(void **state) {
    uint64_t seed = 12345;
    char buf[AG_NUMBUF], shorter[64];
    int checked = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = next_bits(&seed);
        if (i % 4 == 1) bits &= 0x3fffffffffffffffULL; /* more numbers near 1 */
        if (i % 4 == 2) bits = (bits & 0x800fffffffffffffULL) | (uint64_t)(1023 + i % 40 - 20) << 52;
        double v;
        memcpy(&v, &bits, sizeof v);
        const char *text = ag_format_double(v, 0, buf);
        if (isnan(v)) {
            assert_string_equal(text, "NaN");
            continue;
        }
        double back = strtod(text, NULL);
        uint64_t back_bits;
        memcpy(&back_bits, &back, sizeof back);
        if (back_bits != bits) fail_msg("%016llx printed \"%s\"", (unsigned long long)bits, text);
        if (isinf(v) || v == 0) continue;
        int digits = significant_digits(text);
        assert_true(digits >= 1 && digits <= 17);
        if (digits > 1) {
            snprintf(shorter, sizeof shorter, "%.*e", digits - 2, v);
            if (strtod(shorter, NULL) == v)
                fail_msg("%.17g printed \"%s\" but \"%s\" is shorter", v, text, shorter);
        }
        checked++;
    }
    assert_true(checked > 99000);
}

typedef struct digits_case {
    double value;
    int digits;
    const char *expected;
} digits_case;

static const digits_case digits_cases[] = {
    {3.14159, 3, "3.14"},
    {123456, 3, "123000"},
    {1234567, 3, "1.23e+06"},
    {999.96, 3, "1000"},
    {2.0 / 3.0, 4, "0.6667"},
    {0.000123456, 2, "0.00012"},
    {0.1 + 0.2, 15, "0.3"},
    {0.1 + 0.2, 17, "0.30000000000000004"},
    {0.1 + 0.2, 40, "0.30000000000000004"},
    {-1.5, 1, "-2"},
    {2.5, 1, "2"},
    {-0.0, 3, "-0"},
    {INFINITY, 3, "+Inf"},
    {NAN, 3, "NaN"},
    {0.8414709848078965, 0, "0.8414709848078965"},
    {1.23456e-320, 3, "1.23e-320"}, /* subnormal: still at most 3 digits */
    /* Rounding up past the largest double shows the rounded digits, not +Inf. */
    {1.7976931348623157e+308, 3, "1.8e+308"},
    {-1.7976931348623157e+308, 2, "-1.8e+308"},
    {1.7976931348623157e+308, 17, "1.7976931348623157e+308"},
};

static void test_digits_rounding(void **state) {
    char buf[AG_NUMBUF];
    for (size_t i = 0; i < sizeof digits_cases / sizeof digits_cases[0]; i++) {
        const digits_case *c = &digits_cases[i];
        const char *got = ag_format_double(c->value, c->digits, buf);
        if (strcmp(got, c->expected) != 0)
            fail_msg("case %zu (%.17g, %d digits): got \"%s\", expected \"%s\"", i, c->value,
                     c->digits, got, c->expected);
    }
}

/* SPEC §2's departure from Go, for what the REPL and graphs show: whole
 * numbers below 2^53 print whole; everything else as the table above. */
static void test_display_whole_numbers(void **state) {
    static const struct { double value; int digits; const char *expected; } cases[] = {
        {1868122, 0, "1868122"},   {1e6, 0, "1000000"},       {-3628800, 0, "-3628800"},
        {9007199254740991.0, 0, "9007199254740991"},           {9007199254740992.0, 0, "9.007199254740992e+15"},
        {1e16, 0, "1e+16"},        {123456.7, 0, "123456.7"}, {1e-5, 0, "1e-05"},
        {-0.0, 0, "-0"},           {0.0, 0, "0"},             {NAN, 0, "NaN"},
        {INFINITY, 0, "+Inf"},     {1234567, 3, "1230000"},   {3.14159, 3, "3.14"},
        {1.7976931348623157e+308, 3, "1.8e+308"},
    };
    char buf[AG_NUMBUF];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = ag_format_display(cases[i].value, cases[i].digits, buf);
        if (strcmp(got, cases[i].expected) != 0)
            fail_msg("case %zu (%.17g): got \"%s\", expected \"%s\"", i, cases[i].value, got,
                     cases[i].expected);
    }
    ag_ctx *ctx = ag_ctx_new();
    char *s = ag_var_display(VAR(ctx, SHAPE(3), 1e6, 0.5, 1e21), 0);
    assert_string_equal(s, "variable[3]([1000000 0.5 1e+21])");
    free(s);
    s = ag_var_string(VAR(ctx, SHAPE(1), 1e6), 0); /* upstream's String() itself is Go's */
    assert_string_equal(s, "variable(1e+06)");
    free(s);
    ag_ctx_free(ctx);
}

static void test_shape_string(void **state) {
    char buf[AG_SHAPEBUF];
    assert_string_equal(ag_shape_string(2, (const int[]){2, 3}, buf), "[2 3]");
    assert_string_equal(ag_shape_string(0, NULL, buf), "[]");
    assert_string_equal(ag_shape_string(1, (const int[]){0}, buf), "[0]");
    const int widest[AG_MAX_DIMS] = {-2147483647 - 1, -2147483647 - 1, -2147483647 - 1,
                                     -2147483647 - 1, -2147483647 - 1, -2147483647 - 1,
                                     -2147483647 - 1, -2147483647 - 1};
    ag_shape_string(AG_MAX_DIMS, widest, buf);
    assert_int_equal(strlen(buf), 2 + 8 * 11 + 7);
}

static void test_var_strings(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    assert_var_string(ag_scalar(ctx, 0.8414709848078965), "variable(0.8414709848078965)");
    assert_var_string(VAR(ctx, SHAPE(4), 1, 2, 3, 4), "variable[4]([1 2 3 4])");
    ag_var *named = VAR(ctx, SHAPE(4), 1, 2, 3, 4);
    ag_set_name(named, "v");
    assert_var_string(named, "v[4]([1 2 3 4])");
    assert_var_string(VAR(ctx, SHAPE(2, 3), 1, 2, 3, 4, 5, 6), "variable[2 3]([1 2 3 4 5 6])");
    assert_var_string(VAR(ctx, SHAPE(1), 2.5), "variable(2.5)");
    assert_var_string(VAR(ctx, SHAPE(1, 1), 2.5), "variable(2.5)");
    ag_var *x = ag_scalar(ctx, 0.5);
    ag_set_name(x, "x");
    assert_var_string(x, "x(0.5)");
    assert_var_string(ag_zeros(ctx, 1, (const int[]){0}), "variable[0]([])");
    assert_var_string(ag_zeros(ctx, 2, (const int[]){1, 0}), "variable[1 0]([])");
    assert_var_string(ag_scalar(ctx, INFINITY), "variable(+Inf)");
    assert_var_string(VAR(ctx, SHAPE(6), INFINITY, -INFINITY, NAN, 1e21, 1e-7, 123456789),
                      "variable[6]([+Inf -Inf NaN 1e+21 1e-07 1.23456789e+08])");
    assert_var_string(VAR(ctx, SHAPE(1, 3), -0.0, 0, 10), "variable[1 3]([-0 0 10])");
    assert_var_string(NULL, "<nil>");

    char *rounded = ag_var_string(VAR(ctx, SHAPE(2), 3.14159, 2.71828), 3);
    assert_string_equal(rounded, "variable[2]([3.14 2.72])");
    free(rounded);
    assert_false(ag_failed(ctx));
    ag_ctx_free(ctx);
}

/* A large tensor: the buffer grows past many doublings. */
static void test_var_string_large(void **state) {
    ag_ctx *ctx = ag_ctx_new();
    assert_non_null(ctx);
    ag_var *v = ag_full(ctx, 2, (const int[]){100, 1000}, 0.1 + 0.2);
    assert_non_null(v);
    ag_data(v)[99999] = 7;
    char *text = ag_var_string(v, 0);
    assert_non_null(text);
    const char *prefix = "variable[100 1000]([0.30000000000000004 0.30000000000000004 ";
    assert_memory_equal(text, prefix, strlen(prefix));
    size_t expected_length = strlen("variable[100 1000]([])") + 99999 * strlen("0.30000000000000004 ") + 1;
    assert_int_equal(strlen(text), expected_length);
    assert_string_equal(text + strlen(text) - 4, " 7])");
    free(text);
    ag_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_table),
        cmocka_unit_test(test_round_trip_property),
        cmocka_unit_test(test_digits_rounding),
        cmocka_unit_test(test_display_whole_numbers),
        cmocka_unit_test(test_shape_string),
        cmocka_unit_test(test_var_strings),
        cmocka_unit_test(test_var_string_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
