/* format.c — numbers, shapes and variables as text, in upstream's (Go's) formats.
 *
 * Go prints a float64 with %v as strconv.FormatFloat(v, 'g', -1, 64): the
 * shortest decimal that reads back to the same double, in exponent form when
 * the decimal exponent is < -4 or >= 6.  We find those digits by asking libc
 * for 1, 2, ... 17 correctly rounded significant digits until strtod gives
 * the value back, then lay them out the way Go does.  The _display forms
 * are our one departure from Go, for what the REPL and the graphs show:
 * whole numbers below 2^53 print whole (1000000, not 1e+06). */
#include "ag_format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* The most significant digits a double ever needs to round-trip. */
#define MAX_DIGITS 17

/* A decimal as significant digits (no leading or trailing zeros) and the
 * decimal exponent of the first digit: value = 0.d1d2d3... * 10^(exponent+1). */
typedef struct decimal {
    char digits[MAX_DIGITS + 2];
    int count;
    int exponent;
} decimal;

/* Parses "d.ddde±XX" (snprintf's %e of a finite positive value) into dec,
 * dropping trailing zeros. */
static void parse_e_format(const char *text, decimal *dec) {
    dec->count = 0;
    const char *p = text;
    for (; *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9' && dec->count < MAX_DIGITS + 1) dec->digits[dec->count++] = *p;
    }
    dec->exponent = (int)strtol(p + 1, NULL, 10);
    while (dec->count > 1 && dec->digits[dec->count - 1] == '0') dec->count--;
    dec->digits[dec->count] = '\0';
}

/* Does "%.*e" of v with `precision` significant digits read back as v?
 * Leaves the text in `text` (64 bytes). */
static bool round_trips(double v, int precision, char *text) {
    snprintf(text, 64, "%.*e", precision - 1, v);
    return strtod(text, NULL) == v;
}

/* The shortest decimal that reads back as v (finite, > 0).  At each length
 * libc's correctly rounded digits are the nearest candidate, so if any
 * decimal of that length round-trips, they do, and so do all longer ones:
 * the smallest round-tripping precision can be found by bisection (big
 * tensors print in ~5 tries per number instead of up to 17).  The one doubt,
 * the lopsided round-trip interval at an exact power of two, was checked for
 * all 2046 of them against a shortest-digits reference. */
static void shortest_decimal(double v, decimal *dec) {
    char text[64], best[64] = "";
    int low = 1, high = MAX_DIGITS; /* 17 digits always round-trip */
    /* the first probe at 15 digits: a result of arithmetic (a random draw,
     * a weight) needs 16 or 17, so it is found in two probes rather than
     * five (save_csv of 2e6 such numbers took 6.3 s), and a number typed or
     * made round (0.5, 1e-3) bisects below as before */
    for (int middle = 15; low < high; middle = (low + high) / 2) {
        if (round_trips(v, middle, text)) high = middle, memcpy(best, text, sizeof best);
        else low = middle + 1;
    }
    if (best[0] == '\0') round_trips(v, high, best); /* 17 digits, never probed */
    parse_e_format(best, dec);
}

/* Lays dec out as Go's %v into out (sign already written by the caller). */
static void layout_decimal(const decimal *dec, char *out) {
    int exponent = dec->exponent;
    if (exponent < -4 || exponent >= 6) {
        *out++ = dec->digits[0];
        if (dec->count > 1) {
            *out++ = '.';
            memcpy(out, dec->digits + 1, (size_t)dec->count - 1);
            out += dec->count - 1;
        }
        sprintf(out, "e%c%02d", exponent < 0 ? '-' : '+', abs(exponent));
        return;
    }
    if (exponent < 0) {
        *out++ = '0';
        *out++ = '.';
        for (int i = 0; i < -exponent - 1; i++) *out++ = '0';
        memcpy(out, dec->digits, (size_t)dec->count);
        out[dec->count] = '\0';
        return;
    }
    for (int i = 0; i <= exponent; i++) *out++ = i < dec->count ? dec->digits[i] : '0';
    if (dec->count > exponent + 1) {
        *out++ = '.';
        memcpy(out, dec->digits + exponent + 1, (size_t)(dec->count - exponent - 1));
        out += dec->count - exponent - 1;
    }
    *out = '\0';
}

char *ag_format_double(double v, int digits, char *buf) {
    if (buf == NULL) return NULL;
    if (isnan(v)) return strcpy(buf, "NaN");
    if (isinf(v)) return strcpy(buf, v > 0 ? "+Inf" : "-Inf");
    char *out = buf;
    if (signbit(v)) *out++ = '-';
    decimal dec;
    if (digits > 0) {
        /* Round to `digits` significant digits, then print that double. */
        char text[64];
        snprintf(text, sizeof text, "%.*e", (digits > MAX_DIGITS ? MAX_DIGITS : digits) - 1, v);
        double rounded = strtod(text, NULL);
        if (isinf(rounded)) {
            /* Rounded up past the largest double: show the rounded digits. */
            parse_e_format(text, &dec);
            layout_decimal(&dec, out);
            return buf;
        }
        v = rounded;
    }
    if (v == 0) {
        strcpy(out, "0");
        return buf;
    }
    shortest_decimal(fabs(v), &dec);
    layout_decimal(&dec, out);
    return buf;
}

char *ag_format_display(double v, int digits, char *buf) {
    if (ag_format_double(v, digits, buf) == NULL) return NULL;
    /* a whole number below 2^53 (after any rounding to digits) is exact: its
     * integer digits are the shortest form too, written out */
    double shown = digits > 0 && isfinite(v) ? strtod(buf, NULL) : v;
    if (shown != 0 && fabs(shown) < 0x1p53 && shown == floor(shown))
        sprintf(buf, "%s%.0f", signbit(shown) ? "-" : "", fabs(shown));
    return buf;
}

char *ag_shape_string(int ndim, const int *shape, char *buf) {
    if (buf == NULL || (shape == NULL && ndim > 0) || ndim < 0 || ndim > AG_MAX_DIMS) return NULL;
    char *out = buf;
    *out++ = '[';
    for (int i = 0; i < ndim; i++) out += sprintf(out, i ? " %d" : "%d", shape[i]);
    strcpy(out, "]");
    return buf;
}

static char *var_string(const ag_var *v, int digits,
                        char *(*format)(double, int, char *)) {
    if (v == NULL) return strdup("<nil>");
    strbuf text = {0};
    const char *name = ag_name(v);
    strbuf_append(&text, name[0] ? name : "variable");

    int ndim = ag_ndim(v);
    const int *shape = ag_shape(v);
    bool all_ones = true;
    for (int i = 0; i < ndim; i++) all_ones = all_ones && shape[i] == 1;

    char number[AG_NUMBUF];
    const double *data = ag_cdata(v);
    if (all_ones) {
        strbuf_append(&text, "(");
        strbuf_append(&text, format(data[0], digits, number));
        strbuf_append(&text, ")");
    } else {
        char shape_text[AG_SHAPEBUF];
        strbuf_append(&text, ag_shape_string(ndim, shape, shape_text));
        strbuf_append(&text, "([");
        size_t size = ag_size(v);
        for (size_t i = 0; i < size; i++) {
            if (i > 0) strbuf_append(&text, " ");
            strbuf_append(&text, format(data[i], digits, number));
        }
        strbuf_append(&text, "])");
    }
    return strbuf_take(&text); /* NULL when memory ran out */
}

char *ag_var_string(const ag_var *v, int digits) { return var_string(v, digits, ag_format_double); }
char *ag_var_display(const ag_var *v, int digits) { return var_string(v, digits, ag_format_display); }
