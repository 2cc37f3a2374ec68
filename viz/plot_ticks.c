/* plot_ticks.c — where the ticks of an axis go and how they are labelled:
 * 1-2-5 steps on linear axes, evenly spaced decades on log axes. */
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

/* Labels of one linear axis: fixed decimals enough for the step, or, for
 * very large or very fine numbers, every label in exponent form with the
 * axis' one exponent (that of its largest tick) and one count of decimals,
 * as matplotlib's ScalarFormatter writes them: "0.5e6", "1.0e6", "1.5e6",
 * never "5e5" beside "1.0e6". */
static void format_linear(char *out, size_t size, double value, double step, int exponent,
                          bool exponent_form) {
    int step_digit = (int)floor(log10(step) + 1e-9);
    if (value == 0) {
        snprintf(out, size, "0");
    } else if (exponent_form) {
        int decimals = exponent - step_digit;
        if (decimals < 0) decimals = 0;
        if (decimals > 15) decimals = 15;
        /* scaled by an exact power of ten, as the web page's mirror does */
        double mantissa = exponent >= 0 ? value / pow(10, exponent) : value * pow(10, -exponent);
        snprintf(out, size, "%.*fe%d", decimals, mantissa, exponent);
    } else {
        int decimals = -step_digit;
        if (decimals < 0) decimals = 0;
        snprintf(out, size, "%.*f", decimals, value);
    }
}

void plot_linear_ticks(plot_tick_list *list, double low, double high, double target,
                       bool integers) {
    list->count = 0;
    list->decades = false;
    if (!(high > low) || !isfinite(high - low)) return;
    if (target < 2) target = 2;
    double step = plot_nice_step((high - low) / target);
    if (integers && step < 1) step = 1;
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
    int exponent = biggest > 0 ? (int)floor(log10(biggest) + 1e-9) : 0;
    for (int i = 0; i < list->count; i++)
        format_linear(list->items[i].label, sizeof list->items[i].label, list->items[i].position, step, exponent,
                      exponent_form);
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
    for (int i = 0; i < values.count; i++)
        if (values.items[i].position > 0)
            add_tick(list, log10(values.items[i].position), true, values.items[i].label);
}
