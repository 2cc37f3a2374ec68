/* plot_ticks.c — where the ticks of an axis go and how they are labelled:
 * 1-2-5 steps on linear axes (relative to an offset when far from zero
 * against their span), evenly spaced decades on log axes. */
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void add_tick(plot_tick_list *list, double position, bool major, const char *label) {
    if (list->count >= PLOT_MAX_TICKS) return;
    plot_tick *tick = &list->items[list->count++];
    tick->position = position;
    tick->major = major;
    snprintf(tick->label, sizeof tick->label, "%s", label);
}

double plot_nice_step(double raw) {
    if (!(raw > 0) || !isfinite(raw)) return 1;
    double magnitude = pow(10, floor(log10(raw)));
    double fraction = raw / magnitude;
    double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
    return nice * magnitude;
}

void plot_tidy_exponent(char *text, size_t size) {
    char *e = strchr(text, 'e');
    if (e == NULL) return;
    const char *digits = e + 1;
    bool negative = *digits == '-';
    if (*digits == '+' || *digits == '-') digits++;
    while (*digits == '0' && digits[1] != '\0') digits++;
    char exponent[16];
    snprintf(exponent, sizeof exponent, "%s%s", negative ? "-" : "", digits);
    snprintf(e + 1, size - (size_t)(e + 1 - text), "%s", exponent);
}

void plot_real_minus(char *text, size_t size) {
    static const char minus[] = "\xe2\x88\x92";
    for (char *c = strchr(text, '-'); c != NULL; c = strchr(c, '-')) {
        size_t rest = strlen(c + 1);
        if ((size_t)(c - text) + 3 + rest + 1 > size) return;
        memmove(c + 3, c + 1, rest + 1);
        memcpy(c, minus, 3);
    }
}

/* Labels of one linear axis: fixed decimals enough for the step, or, for
 * very large or very fine numbers, every label in exponent form with the
 * axis' one exponent (that of its largest tick) and one count of decimals,
 * as matplotlib's ScalarFormatter writes them: "0.5e6", "1.0e6", "1.5e6",
 * never "5e5" beside "1.0e6".  With bare, the mantissa alone ("0.5"): the
 * exponent is written once at the axis's end. */
static void format_linear(char *out, size_t size, double value, double step, int exponent,
                          bool exponent_form, bool bare) {
    int step_digit = (int)floor(log10(step) + 1e-9);
    if (value == 0) {
        snprintf(out, size, "0");
    } else if (exponent_form) {
        int decimals = exponent - step_digit;
        if (decimals < 0) decimals = 0;
        if (decimals > 15) decimals = 15;
        /* scaled by an exact power of ten, as the web page's mirror does */
        double mantissa = exponent >= 0 ? value / pow(10, exponent) : value * pow(10, -exponent);
        if (bare) snprintf(out, size, "%.*f", decimals, mantissa);
        else snprintf(out, size, "%.*fe%d", decimals, mantissa, exponent);
    } else {
        int decimals = -step_digit;
        if (decimals < 0) decimals = 0;
        snprintf(out, size, "%.*f", decimals, value);
    }
}

/* ---- an axis's offset --------------------------------------------------------- */

/* Ticks far from zero against their span are written relative to an
 * offset, by matplotlib's rule (ScalarFormatter._compute_offset, its
 * offset_threshold 4): the ticks are n x 10^k, n whole, so the rule runs
 * on whole numbers and its divisions are exact (in doubles 0.99999 // 1e-5
 * is 99998 and 1.0 // 1e-5 is 99999, as Python gives them). */

/* The value a x 10^e as strtod reads the decimal (e < 0 divides). */
static double scaled(long long a, int e) {
    return e >= 0 ? (double)a * pow(10, e) : (double)a / pow(10, -e);
}

/* a's digits from 10^d up: a // 10^d, or a x 10^-d for d < 0 (a >= 0). */
static long long digits_from(long long a, int d) {
    for (; d > 0 && a > 0; d--) a /= 10;
    for (; d < 0; d++) a *= 10;
    return a;
}

static int digit_count(long long a) {
    int count = 1;
    while (a >= 10) a /= 10, count++;
    return count;
}

/* The offset of ticks from low_n x 10^k to high_n x 10^k (low_n <
 * high_n): q x 10^oom with the ticks' sign, or false for none.  Ticks of
 * both signs (or a zero) get none; otherwise oom is the lowest power of ten
 * down to which the smallest and largest ticks' digits agree, or, when they
 * straddle a multiple of a larger power (0.99999 to 1.00001), the lowest at
 * which they are more than one apart; and the offset is those digits when
 * they are at least 4 (q >= 1000), so it saves as many. */
static bool find_offset(long long low_n, long long high_n, int k, long long *q, int *oom) {
    if (low_n <= 0 && high_n >= 0) return false;
    long long small = low_n > 0 ? low_n : -high_n, large = low_n > 0 ? high_n : -low_n;
    if (large >= 100000000000000000LL) return false; /* its digits x 10 must stay a long long */
    int top = k + digit_count(large);                /* 10^top > the largest */
    int j = top;
    while (digits_from(small, j - k) == digits_from(large, j - k)) j--;
    int at = j + 1;
    if ((double)(large - small) * 100 <= pow(10, at - k)) {
        /* (large - small) / 10^at <= 1e-2: they straddle a multiple of 10^at */
        j = top;
        while (digits_from(large, j - k) - digits_from(small, j - k) <= 1) j--;
        at = j + 1;
    }
    *q = digits_from(large, at - k);
    *oom = at;
    return *q >= 1000;
}

/* The offset written as the axis's end shows it: its sign, then plain
 * decimals between 1e-4 and 1e6 ("+0.99999", "-1000"), else exponent
 * form ("+1.2345e7"). */
static void format_offset(char *out, size_t size, bool negative, long long q, int oom) {
    char sign = negative ? '-' : '+';
    double value = scaled(q, oom);
    if (value >= 1e-4 && value < 1e6) {
        snprintf(out, size, "%c%.*f", sign, oom < 0 ? -oom : 0, value);
        if (strchr(out, '.') != NULL) {
            size_t end = strlen(out);
            while (out[end - 1] == '0') out[--end] = '\0';
            if (out[end - 1] == '.') out[--end] = '\0';
        }
        return;
    }
    while (q % 10 == 0) q /= 10, oom++;
    int decimals = digit_count(q) - 1;
    snprintf(out, size, "%c%.*fe%d", sign, decimals, scaled(q, -decimals), oom + decimals);
}

void plot_linear_ticks(plot_tick_list *list, double low, double high, double target,
                       bool integers) {
    list->count = 0;
    list->decades = false;
    list->offset[0] = '\0';
    list->scale = 0;
    if (!(high > low) || !isfinite(high - low)) return;
    if (target < 2) target = 2;
    double step = plot_nice_step((high - low) / target);
    if (integers && step < 1) step = 1;
    /* at least two labels, or the axis has no scale to read: a narrow map
     * at :zoom 1.5 over [-1.5, 1.5] had a step of 2 and only "0" */
    for (int k = 0; k < 4 && floor(high / step + 1e-9) - ceil(low / step - 1e-9) < 1; k++) {
        double magnitude = pow(10, floor(log10(step) + 1e-9));
        double smaller = step / magnitude < 1.5 ? magnitude / 2 : step / magnitude < 3 ? magnitude : 2 * magnitude;
        if (integers && smaller < 1) break;
        step = smaller;
    }
    double largest = fmax(fabs(low), fabs(high));
    bool exponent_form = largest >= 1e6 || step < 1e-4;
    double first = ceil(low / step - 1e-9), biggest = 0;
    for (int i = 0; i < PLOT_MAX_TICKS; i++) {
        double value = (first + i) * step;
        if (value > high + step * 1e-9) break;
        if (list->count > 0 && value <= list->items[list->count - 1].position) break;
        if (fabs(value) < step * 1e-9) value = 0;
        add_tick(list, value, true, "");
        biggest = fmax(biggest, fabs(value));
    }
    /* tick i is (first + i) x step = n x 10^k: the offset's whole numbers */
    int k = (int)floor(log10(step) + 1e-9);
    long long s = llround(step / pow(10, k)), q;
    int oom;
    double values[PLOT_MAX_TICKS];
    bool offset = list->count >= 2 && fabs(first) + list->count < 1e14 &&
                  find_offset((long long)first * s, ((long long)first + list->count - 1) * s, k, &q, &oom);
    if (offset) {
        /* each tick less the offset, exactly: a whole number x 10^e */
        bool negative = first < 0;
        int e = k < oom ? k : oom;
        long long whole = digits_from(q, e - oom); /* the offset in units of 10^e */
        biggest = 0;
        for (int i = 0; i < list->count; i++) {
            long long n = digits_from(((long long)first + i) * s * (negative ? -1 : 1), e - k);
            values[i] = scaled((n - whole) * (negative ? -1 : 1), e);
            biggest = fmax(biggest, fabs(values[i]));
        }
        format_offset(list->offset, sizeof list->offset, negative, q, oom);
        exponent_form = biggest >= 1e6 || step < 1e-4;
    } else {
        for (int i = 0; i < list->count; i++) values[i] = list->items[i].position;
    }
    int exponent = biggest > 0 ? (int)floor(log10(biggest) + 1e-9) : 0;
    if (offset && exponent_form) list->scale = exponent;
    for (int i = 0; i < list->count; i++)
        format_linear(list->items[i].label, sizeof list->items[i].label, values[i], step, exponent, exponent_form,
                      offset);
}

/* m * 10^decade in one axis' style: "0.01", "20", or "1e-3", "2e4", "1e0". */
static void format_power(char *out, size_t size, int mantissa, int decade, bool exponent_form) {
    if (!exponent_form)
        snprintf(out, size, "%.*f", decade < 0 ? -decade : 0, mantissa * pow(10, decade));
    else
        snprintf(out, size, "%de%d", mantissa, decade);
}

/* Plain decimals read best between 0.001 and 9000; beyond, every label of
 * the axis takes exponent form, so one axis never mixes "0.01" and "1e-4". */
static bool plain_decade(int decade) {
    return decade >= -3 && decade <= 3;
}

/* Labelled ticks at mantissas[] x 10^k within [low, high]; with count_only
 * nothing is added.  Returns how many. */
static int mantissa_ticks(plot_tick_list *list, double low, double high, const int *mantissas,
                          int mantissa_count, bool count_only) {
    bool exponent_form = false;
    int labels = 0;
    for (int pass = 0; pass < 2; pass++) {
        labels = 0;
        for (int decade = (int)floor(low); decade <= (int)ceil(high); decade++) {
            for (int m = 0; m < mantissa_count; m++) {
                double position = decade + log10(mantissas[m]);
                if (position < low - 1e-9 || position > high + 1e-9) continue;
                labels++;
                if (pass == 0) {
                    if (!plain_decade(decade)) exponent_form = true;
                } else if (!count_only) {
                    char label[32];
                    format_power(label, sizeof label, mantissas[m], decade, exponent_form);
                    add_tick(list, position, true, label);
                }
            }
        }
    }
    return labels;
}

/* Unlabelled ticks at 2..9 x 10^k that carry no label yet. */
static void minor_ticks(plot_tick_list *list, double low, double high) {
    int labelled = list->count;
    for (int decade = (int)floor(low); decade <= (int)ceil(high); decade++) {
        for (int m = 2; m <= 9; m++) {
            double position = decade + log10(m);
            if (position <= low || position >= high) continue;
            bool taken = false;
            for (int i = 0; i < labelled && !taken; i++)
                taken = fabs(list->items[i].position - position) < 1e-9;
            if (!taken) add_tick(list, position, false, "");
        }
    }
}

void plot_log_ticks(plot_tick_list *list, double low, double high, double target) {
    list->count = 0;
    list->decades = true;
    list->offset[0] = '\0';
    list->scale = 0;
    if (!(high > low) || !isfinite(high - low) || fabs(low) > 400 || fabs(high) > 400) return;
    int first = (int)ceil(low - 1e-9), last = (int)floor(high + 1e-9);
    if (last - first >= 2) {
        /* three decades or more: label the decades, every 2nd/5th/... when many */
        int decade_step = 1;
        while ((last - first) / decade_step + 1 > (int)fmax(target, 3))
            decade_step = decade_step == 1 ? 2 : decade_step == 2 ? 5 : decade_step * 2;
        bool exponent_form = false;
        for (int decade = first; decade <= last; decade++)
            if (decade % decade_step == 0 && !plain_decade(decade)) exponent_form = true;
        for (int decade = first; decade <= last; decade++) {
            if (decade % decade_step != 0) continue;
            char label[32];
            format_power(label, sizeof label, 1, decade, exponent_form);
            add_tick(list, decade, true, label);
        }
        if (decade_step == 1 && high - low <= 8) minor_ticks(list, low, high);
        return;
    }
    /* fewer than three decades: 1-2-5 mantissas, and 3 when that labels fewer than three */
    static const int one_two_five[] = {1, 2, 5}, one_two_three_five[] = {1, 2, 3, 5};
    const int *mantissas = one_two_five;
    int mantissa_count = 3;
    if (mantissa_ticks(list, low, high, mantissas, mantissa_count, true) < 3) {
        mantissas = one_two_three_five;
        mantissa_count = 4;
    }
    if (mantissa_ticks(list, low, high, mantissas, mantissa_count, true) >= 2) {
        mantissa_ticks(list, low, high, mantissas, mantissa_count, false);
        minor_ticks(list, low, high);
        return;
    }
    /* less than a factor 1.5 between the ends: plain steps of the values */
    plot_tick_list values;
    plot_linear_ticks(&values, pow(10, low), pow(10, high), target, false);
    list->decades = false; /* the labels are the values' */
    memcpy(list->offset, values.offset, sizeof list->offset);
    list->scale = values.scale;
    for (int i = 0; i < values.count; i++)
        if (values.items[i].position > 0)
            add_tick(list, log10(values.items[i].position), true, values.items[i].label);
}
