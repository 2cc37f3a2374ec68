/* builtins_loop.c — the built-ins of training loops as tutorials write them:
 * enumerate and zip (lazy sequences of pairs, iterate.c's protocol); int,
 * float, str, round and list.append with Python's meanings; the schedules;
 * progress, a tqdm-like bar over any sequence.
 *
 * A built-in that is a lazy sequence returns an object whose type has the
 * iter_* hooks (value.h): each iter_next hands back one item, a pair being
 * value_pair(a, b), which `for a, b in ...` and `a, b = ...` unpack. */
#include "builtins.h"
#include "repl_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the objects' common parts ----------------------------------------------------------- */

/* "x must be something a for loop walks (a list, a variable, a sequence), not a number". */
static int not_iterable(repl *r, const char *who, const char *param, repl_value v) {
    char buf[96];
    if (v.kind == VALUE_NIL) {
        snprintf(buf, sizeof buf, "%s: ", who);
        return value_nil_error_at(r, NULL, buf, v);
    }
    return repl_error(r, "%s: %s must be a list, a variable or a sequence a for loop walks, not %s", who, param,
                      eval_describe_kind(v, buf, sizeof buf));
}

/* ---- enumerate(x, start=0) ---------------------------------------------------------------- */

typedef struct enumerate_payload {
    repl_value source;
    double start;
} enumerate_payload;

typedef struct enumerate_cursor {
    repl_iter inner;
    double next;
} enumerate_cursor;

static void enumerate_destroy(void *payload) {
    enumerate_payload *e = payload;
    value_release(e->source);
    free(e);
}

static char *enumerate_describe(const void *payload) {
    const enumerate_payload *e = payload;
    char buf[96], text[160];
    snprintf(text, sizeof text, "enumerate(%s, start=%g): pairs (i, item), lazily",
             eval_describe_kind(e->source, buf, sizeof buf), e->start);
    return strdup(text);
}

static int enumerate_start(repl *r, void *payload, void **cursor) {
    enumerate_payload *e = payload;
    enumerate_cursor *c = malloc(sizeof *c);
    if (c == NULL) return repl_error(r, "out of memory");
    c->next = e->start;
    if (repl_iter_begin(r, NULL, e->source, &c->inner) != 0) {
        free(c);
        return -1;
    }
    *cursor = c;
    return 0;
}

static int enumerate_next(repl *r, void *payload, void *cursor, repl_value *out) {
    (void)payload;
    enumerate_cursor *c = cursor;
    repl_value item;
    int rc = repl_iter_next(r, NULL, &c->inner, &item);
    if (rc <= 0) return rc;
    *out = value_pair(value_number(c->next++), item);
    return out->kind == VALUE_LIST ? 1 : repl_error(r, "out of memory");
}

static void enumerate_stop(void *payload, void *cursor) {
    (void)payload;
    enumerate_cursor *c = cursor;
    if (c == NULL) return;
    repl_iter_end(&c->inner);
    free(c);
}

static long enumerate_length(const void *payload) {
    long n = repl_iter_length(((const enumerate_payload *)payload)->source);
    return n < 0 ? -1 : n;
}

static const repl_object_type enumerate_type = {
    .name = "enumerate",
    .destroy = enumerate_destroy,
    .describe = enumerate_describe,
    .iter_start = enumerate_start,
    .iter_next = enumerate_next,
    .iter_stop = enumerate_stop,
    .length = enumerate_length,
};

static int builtin_enumerate(repl *r, const builtin_args *a, repl_value *out) {
    repl_value source = a->values[0];
    if (!repl_iterable(source)) return not_iterable(r, "enumerate", "x", source);
    double start;
    if (arg_number(r, a, 1, &start) < 0) return -1;
    if (!isfinite(start) || start != floor(start)) return repl_error(r, "enumerate: start must be an integer");
    enumerate_payload *e = malloc(sizeof *e);
    if (e == NULL) return repl_error(r, "out of memory");
    *e = (enumerate_payload){value_copy(source), start};
    *out = value_object_new(&enumerate_type, e);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* ---- zip(*xs) ------------------------------------------------------------------------------ */

typedef struct zip_payload {
    int count;
    repl_value sources[];
} zip_payload;

typedef struct zip_cursor {
    int started;
    repl_iter inner[];
} zip_cursor;

static void zip_destroy(void *payload) {
    zip_payload *z = payload;
    for (int i = 0; i < z->count; i++) value_release(z->sources[i]);
    free(z);
}

static char *zip_describe(const void *payload) {
    const zip_payload *z = payload;
    char text[96];
    snprintf(text, sizeof text, "zip of %d sequence%s: tuples of their items, lazily", z->count,
             z->count == 1 ? "" : "s");
    return strdup(text);
}

static void zip_stop(void *payload, void *cursor) {
    (void)payload;
    zip_cursor *c = cursor;
    if (c == NULL) return;
    for (int i = 0; i < c->started; i++) repl_iter_end(&c->inner[i]);
    free(c);
}

static int zip_start(repl *r, void *payload, void **cursor) {
    zip_payload *z = payload;
    zip_cursor *c = malloc(sizeof *c + (size_t)z->count * sizeof c->inner[0]);
    if (c == NULL) return repl_error(r, "out of memory");
    for (c->started = 0; c->started < z->count; c->started++)
        if (repl_iter_begin(r, NULL, z->sources[c->started], &c->inner[c->started]) != 0) {
            zip_stop(payload, c);
            return -1;
        }
    *cursor = c;
    return 0;
}

/* One item of each, as a list; 0 once the shortest ends (as Python's zip). */
static int zip_next(repl *r, void *payload, void *cursor, repl_value *out) {
    zip_payload *z = payload;
    zip_cursor *c = cursor;
    if (z->count == 0) return 0; /* zip() has no items, as Python's */
    repl_value tuple = value_list_new(z->count);
    if (tuple.kind != VALUE_LIST) return repl_error(r, "out of memory");
    for (int i = 0; i < z->count; i++) {
        int rc = repl_iter_next(r, NULL, &c->inner[i], &tuple.as.list->items[i]);
        if (rc <= 0) {
            tuple.as.list->items[i] = VALUE_NIL_INIT;
            value_release(tuple);
            return rc;
        }
    }
    *out = tuple;
    return 1;
}

static long zip_length(const void *payload) {
    const zip_payload *z = payload;
    long shortest = -1;
    for (int i = 0; i < z->count; i++) {
        long n = repl_iter_length(z->sources[i]);
        if (n < 0) return -1;
        if (shortest < 0 || n < shortest) shortest = n;
    }
    return z->count == 0 ? 0 : shortest;
}

static const repl_object_type zip_type = {
    .name = "zip",
    .destroy = zip_destroy,
    .describe = zip_describe,
    .iter_start = zip_start,
    .iter_next = zip_next,
    .iter_stop = zip_stop,
    .length = zip_length,
};

static int builtin_zip(repl *r, const builtin_args *a, repl_value *out) {
    const value_list *xs = a->values[0].as.list;
    for (int i = 0; i < xs->count; i++)
        if (!repl_iterable(xs->items[i])) {
            char param[32];
            snprintf(param, sizeof param, "argument %d", i + 1);
            return not_iterable(r, "zip", param, xs->items[i]);
        }
    zip_payload *z = malloc(sizeof *z + (size_t)xs->count * sizeof z->sources[0]);
    if (z == NULL) return repl_error(r, "out of memory");
    z->count = xs->count;
    for (int i = 0; i < xs->count; i++) z->sources[i] = value_copy(xs->items[i]);
    *out = value_object_new(&zip_type, z);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

/* ---- int, float, str, round: Python's conversions ----------------------------------------- */

/* The one number v holds (a number, a bool, a one-element variable), or
 * the text of a string; -1 after an error naming `who`. */
static int number_of(repl *r, const char *who, repl_value v, double *out, const char **text) {
    char buf[96];
    *text = NULL;
    if (v.kind == VALUE_STRING) {
        *text = v.as.string->text;
        return 0;
    }
    if (v.kind == VALUE_BOOL) {
        *out = v.as.boolean;
        return 0;
    }
    if (eval_scalar_of(v, out)) return 0;
    if (v.kind == VALUE_NIL) {
        snprintf(buf, sizeof buf, "%s: ", who);
        return value_nil_error_at(r, NULL, buf, v);
    }
    return repl_error(r, "%s: x must be a number, a one-element variable or a string, not %s", who,
                      eval_describe_kind(v, buf, sizeof buf));
}

/* A string as Python's float() reads it: surrounding space allowed,
 * inf/nan in any case; false when it is no number. */
static bool read_float(const char *text, double *out) {
    while (*text == ' ' || *text == '\t' || *text == '\n') text++;
    if (*text == '\0') return false;
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    if (end == text) return false;
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    return *end == '\0';
}

/* int(x): a number toward zero, or a string of a whole number ("42",
 * " -7 "), as Python's int(); a plain number. */
static int builtin_int(repl *r, const builtin_args *a, repl_value *out) {
    double x;
    const char *text;
    if (number_of(r, "int", a->values[0], &x, &text) < 0) return -1;
    if (text != NULL) {
        const char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        const char *digits = p + (*p == '-' || *p == '+');
        bool whole = *digits >= '0' && *digits <= '9';
        for (const char *q = digits; whole && *q && !(*q == ' ' || *q == '\t' || *q == '\n'); q++)
            whole = (*q >= '0' && *q <= '9') || (*q == '_' && q[1] >= '0' && q[1] <= '9' && q > digits);
        char clean[128];
        size_t n = 0;
        for (const char *q = p; whole && *q && n + 1 < sizeof clean; q++)
            if (*q != '_') clean[n++] = *q;
        clean[n] = '\0';
        if (!whole || !read_float(clean, &x)) {
            double decimal;
            if (read_float(text, &decimal))
                return repl_error(r, "int: \"%s\" is not a whole number (int(float(\"%s\")) drops the fraction)",
                                  text, text);
            return repl_error(r, "int: \"%s\" is not a number", text);
        }
    } else if (!isfinite(x)) {
        char shown[AG_NUMBUF];
        return repl_error(r, "int: cannot convert %s to an integer", ag_format_display(x, 0, shown));
    }
    *out = value_number(trunc(x));
    return 0;
}

/* float(x): the number (a plain number), or a string read as one. */
static int builtin_float(repl *r, const builtin_args *a, repl_value *out) {
    double x;
    const char *text;
    if (number_of(r, "float", a->values[0], &x, &text) < 0) return -1;
    if (text != NULL && !read_float(text, &x)) return repl_error(r, "float: \"%s\" is not a number", text);
    *out = value_number(x);
    return 0;
}

/* bool(x): x's truth as if and while take it (Python's bool; a tensor of
 * more than one element is ambiguous, as PyTorch's). */
static int builtin_bool(repl *r, const builtin_args *a, repl_value *out) {
    bool truth;
    if (eval_truthy(r, NULL, a->values[0], &truth) < 0) return -1;
    *out = value_bool(truth);
    return 0;
}

/* str(x): the text print shows for x. */
static int builtin_str(repl *r, const builtin_args *a, repl_value *out) {
    char *text = value_text_line(r, a->values[0], false);
    if (text == NULL) return repl_error(r, "out of memory");
    *out = value_string_from(text, strlen(text));
    free(text);
    return out->kind == VALUE_STRING ? 0 : repl_error(r, "out of memory");
}

/* x rounded to `digits` decimals, halves to even, as Python's round(x, n):
 * the decimal nearest to the double x is found exactly (printf's rounding
 * of the exact binary value, which is round half to even on ties), so
 * round(2.675, 2) is 2.67 (2.675 is stored as 2.67499999...). */
static double round_decimals(double x, int digits) {
    if (!isfinite(x) || x == 0) return x;
    if (digits > 350) return x;
    if (digits < -330) return copysign(0.0, x);
    if (digits >= 0) {
        char text[512];
        snprintf(text, sizeof text, "%.*f", digits, x);
        return strtod(text, NULL);
    }
    double scale = pow(10.0, -digits), y = x / scale, rounded = nearbyint(y);
    return isfinite(rounded * scale) ? rounded * scale : x;
}

/* round(x, ndigits=none): Python's for a number (halves to even; an integer
 * without ndigits), elementwise for a variable (the round op; with
 * ndigits, torch.round(x, decimals=n): no gradient either way). */
static int builtin_round_python(repl *r, const builtin_args *a, repl_value *out) {
    repl_value v = a->values[0];
    int digits = 0;
    bool given = arg_given(a, 1);
    if (given && arg_int(r, a, 1, &digits) < 0) return -1;
    if (v.kind == VALUE_NUMBER || v.kind == VALUE_BOOL) {
        double x = v.kind == VALUE_BOOL ? v.as.boolean : v.as.number;
        if (!given && !isfinite(x)) {
            char shown[AG_NUMBUF];
            return repl_error(r, "round: cannot convert %s to an integer", ag_format_display(x, 0, shown));
        }
        *out = value_number(given ? round_decimals(x, digits) : nearbyint(x) + 0.0); /* an int has no -0 */
        return 0;
    }
    ag_var *x;
    if (arg_var(r, a, 0, &x) < 0) return -1;
    if (!given) return builtin_done_var(r, ag_round(r->ctx, x), out);
    ag_var *y = ag_detach(r->ctx, x);
    if (y == NULL) return engine_error(r);
    double *data = (double *)ag_cdata(y); /* a new leaf: not an in-place change */
    for (size_t i = 0, n = ag_size(y); i < n; i++) data[i] = round_decimals(data[i], digits);
    return builtin_done_var(r, y, out);
}

/* ---- lists ---------------------------------------------------------------------------------- */

/* lst.append(x): x added at the end of the list itself (every name holding
 * it sees it), as Python's; returns nothing. */
static int builtin_append(repl *r, const builtin_args *a, repl_value *out) {
    repl_value list = a->values[0];
    char buf[96];
    if (list.kind != VALUE_LIST)
        return repl_error(r, "append: appends to a list (lst = []; lst.append(x)), not to %s%s",
                          eval_describe_kind(list, buf, sizeof buf),
                          list.kind == VALUE_VAR ? " (concat([x, y]) joins variables)" : "");
    if (!value_list_append(list.as.list, value_copy(a->values[1]))) return repl_error(r, "out of memory");
    *out = VALUE_NIL_INIT;
    return 0;
}

/* ---- sum and + of sequences, as Python's ----------------------------------------------- */

bool repl_is_sequence_of_values(repl_value v) {
    if (v.kind == VALUE_LIST) return v.as.list->count == 0 || !value_is_tensor_literal(v);
    return v.kind == VALUE_OBJECT && v.as.object->type->iter_next != NULL;
}

/* 0 + xs[0] + xs[1] + ... into *total, the items counted in *count; what
 * sum and mean (`name`) share. */
static int add_items(repl *r, const builtin_args *a, const char *name, repl_value *total, int *count) {
    if (arg_given(a, 1) && strcmp(name, "sum") == 0)
        return repl_error(r, "sum: axis= sums a variable; a list (or m.params) is summed item by item, "
                             "sum([sum(p*p) for ...]) style: sum(xs) adds xs[0] + xs[1] + ...");
    if (arg_given(a, 1))
        return repl_error(r, "%s: axis= reduces a variable; a list (or m.params) is taken item by item: "
                             "mean(xs) is (xs[0] + xs[1] + ...) / len(xs)", name);
    repl_iter it;
    if (repl_iter_begin(r, NULL, a->values[0], &it) != 0) return -1;
    repl_value item;
    int rc;
    *total = value_number(0);
    *count = 0;
    while ((rc = repl_iter_next(r, NULL, &it, &item)) > 0) {
        repl_value next;
        rc = eval_arithmetic(r, NULL, AST_OP_ADD, *total, item, &next);
        value_release(*total);
        value_release(item);
        *total = VALUE_NIL_INIT;
        if (rc < 0) break;
        *total = next;
        (*count)++;
    }
    repl_iter_end(&it);
    if (rc < 0) value_release(*total);
    return rc < 0 ? -1 : 0;
}

int repl_sum_items(repl *r, const builtin_args *a, repl_value *out) {
    int count;
    return add_items(r, a, "sum", out, &count);
}

int repl_mean_items(repl *r, const builtin_args *a, repl_value *out) {
    repl_value total;
    int count;
    if (add_items(r, a, "mean", &total, &count) < 0) return -1;
    if (count == 0) {
        value_release(total);
        return repl_error(r, "mean: the list is empty; a mean needs at least one item");
    }
    int rc = eval_arithmetic(r, NULL, AST_OP_DIVIDE, total, value_number(count), out);
    value_release(total);
    return rc < 0 ? -1 : 0;
}

/* The items a + b takes from v: a list's, or a 1-D tensor literal's numbers
 * (an unnamed leaf: [7] written beside a list); false for anything else. */
static bool concat_part(repl_value v) {
    return v.kind == VALUE_LIST || (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1 && ag_creator(v.as.var) == NULL &&
                                    ag_name(v.as.var)[0] == '\0');
}

int repl_concat_lists(repl *r, const ast_node *at, repl_value a, repl_value b, repl_value *out) {
    if (!concat_part(a) || !concat_part(b)) return 1;
    int na = a.kind == VALUE_LIST ? a.as.list->count : (int)ag_size(a.as.var);
    int nb = b.kind == VALUE_LIST ? b.as.list->count : (int)ag_size(b.as.var);
    repl_value list = value_list_new(na + nb);
    if (list.kind != VALUE_LIST) return repl_error_at(r, at, "out of memory");
    for (int k = 0; k < 2; k++) {
        repl_value v = k == 0 ? a : b;
        int n = k == 0 ? na : nb, base = k == 0 ? 0 : na;
        for (int i = 0; i < n; i++)
            list.as.list->items[base + i] =
                v.kind == VALUE_LIST ? value_copy(v.as.list->items[i]) : value_number(ag_cdata(v.as.var)[i]);
    }
    *out = list;
    return 0;
}

/* ---- learning-rate schedules: PyTorch's StepLR and CosineAnnealingLR --------------------- */

typedef struct schedule {
    repl_value optimizer; /* the optimizer object whose lr it sets */
    bool cosine;
    double base_lr;       /* the optimizer's lr when the schedule was made */
    double step_size, gamma; /* step_lr */
    double t_max, eta_min;   /* cosine_lr */
    double epoch;            /* steps taken (PyTorch's last_epoch) */
} schedule;

static void schedule_destroy(void *payload) {
    schedule *s = payload;
    value_release(s->optimizer);
    free(s);
}

static double schedule_lr(const schedule *s) {
    if (!s->cosine) return s->base_lr * pow(s->gamma, floor(s->epoch / s->step_size));
    /* the closed form, as PyTorch's _get_closed_form_lr */
    return s->eta_min + (s->base_lr - s->eta_min) * (1 + cos(3.14159265358979323846 * s->epoch / s->t_max)) / 2;
}

static char *schedule_describe(const void *payload) {
    const schedule *s = payload;
    ag_optim *opt = repl_optimizer_of(s->optimizer);
    char text[200], lr[AG_NUMBUF], base[AG_NUMBUF], a[AG_NUMBUF], b[AG_NUMBUF];
    snprintf(text, sizeof text, "%s(%s=%s, %s=%s) of %s from lr %s: %.0f steps, lr now %s",
             s->cosine ? "cosine_lr" : "step_lr", s->cosine ? "t_max" : "step_size",
             ag_format_display(s->cosine ? s->t_max : s->step_size, 0, a), s->cosine ? "eta_min" : "gamma",
             ag_format_display(s->cosine ? s->eta_min : s->gamma, 0, b),
             ag_optim_kind_name(ag_optim_get_config(opt).kind), ag_format_display(s->base_lr, 0, base), s->epoch,
             ag_format_display(ag_optim_get_config(opt).lr, 0, lr));
    return strdup(text);
}

static int schedule_get_attr(repl *r, void *payload, const char *name, repl_value *out) {
    (void)r;
    schedule *s = payload;
    if (strcmp(name, "lr") == 0) {
        *out = value_number(ag_optim_get_config(repl_optimizer_of(s->optimizer)).lr);
        return 0;
    }
    if (strcmp(name, "last_epoch") == 0) {
        *out = value_number(s->epoch);
        return 0;
    }
    return 1;
}

static const repl_object_type schedule_type;

/* sched.step(): one more epoch, and the optimizer's lr set from it. */
static int fn_schedule_step(repl *r, const builtin_args *a, repl_value *out) {
    repl_value v = a->values[0];
    char buf[96], text[48];
    if (v.kind != VALUE_OBJECT || v.as.object->type != &schedule_type)
        return repl_error(r, "step: %s must be a schedule (step_lr, cosine_lr), not %s",
                          builtin_receiver(r, a, "the first argument", text, sizeof text),
                          eval_describe_kind(v, buf, sizeof buf));
    schedule *s = v.as.object->payload;
    s->epoch++;
    if (ag_optim_set_lr(repl_optimizer_of(s->optimizer), schedule_lr(s)) < 0) {
        s->epoch--;
        return engine_error(r);
    }
    *out = VALUE_NIL_INIT;
    return 0;
}

static const builtin_def schedule_methods[] = {
    {"step", "schedule", fn_schedule_step, "optimizers",
     "one more epoch: the optimizer's lr becomes the schedule's next value (call after opt.step())"},
};

static const char *const schedule_attributes[] = {"lr", "last_epoch", NULL};

static const repl_object_type schedule_type = {
    .name = "schedule",
    .destroy = schedule_destroy,
    .describe = schedule_describe,
    .get_attr = schedule_get_attr,
    .methods = schedule_methods,
    .nmethods = (int)(sizeof schedule_methods / sizeof schedule_methods[0]),
    .attributes = schedule_attributes,
};

/* A schedule of the optimizer in argument 0, its lr now as the base. */
static int new_schedule(repl *r, const builtin_args *a, schedule *s, repl_value *out) {
    char buf[96];
    ag_optim *opt = repl_optimizer_of(a->values[0]);
    if (opt == NULL)
        return repl_error(r, "%s: opt must be an optimizer (sgd, adam, ...), not %s", a->def->name,
                          eval_describe_kind(a->values[0], buf, sizeof buf));
    schedule *made = malloc(sizeof *made);
    if (made == NULL) return repl_error(r, "out of memory");
    *made = *s;
    made->optimizer = value_copy(a->values[0]);
    made->base_lr = ag_optim_get_config(opt).lr;
    *out = value_object_new(&schedule_type, made);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

static int builtin_step_lr(repl *r, const builtin_args *a, repl_value *out) {
    schedule s = {.cosine = false};
    if (arg_number(r, a, 1, &s.step_size) < 0 || arg_number(r, a, 2, &s.gamma) < 0) return -1;
    if (!(s.step_size >= 1) || s.step_size != floor(s.step_size) || !isfinite(s.step_size))
        return repl_error(r, "step_lr: step_size must be a whole number of steps >= 1");
    if (!(s.gamma >= 0) || !isfinite(s.gamma)) return repl_error(r, "step_lr: gamma must be a finite number >= 0");
    return new_schedule(r, a, &s, out);
}

static int builtin_cosine_lr(repl *r, const builtin_args *a, repl_value *out) {
    schedule s = {.cosine = true};
    if (arg_number(r, a, 1, &s.t_max) < 0 || arg_number(r, a, 2, &s.eta_min) < 0) return -1;
    if (!(s.t_max > 0) || !isfinite(s.t_max)) return repl_error(r, "cosine_lr: t_max must be a number of steps > 0");
    if (!(s.eta_min >= 0) || !isfinite(s.eta_min)) return repl_error(r, "cosine_lr: eta_min must be a finite number >= 0");
    return new_schedule(r, a, &s, out);
}

/* ---- progress(x): a bar over a loop, as tqdm gives Python users ------------------------------
 * Where it shows: an interactive terminal, one line rewritten in place
 * (\r, on the error stream as tqdm's); a notebook, one output updated
 * (update_display_data); elsewhere (scripts, pipes) nothing unless
 * show=true, then a plain line at each tenth (count, percent, loss: no
 * times, so a run prints the same lines).  The loss shown is the value of
 * the name loss="NAME" when the bar is drawn. */

typedef struct progress_payload {
    repl_value source;
    long total;      /* -1 unknown */
    int show;        /* -1: where a person watches; 0 never; 1 always */
    char *loss_name; /* NULL without loss= */
} progress_payload;

typedef struct progress_cursor {
    repl_iter inner;
    long done;          /* iterations finished: those handed out before the current one */
    long handed;        /* items handed out */
    double start, drawn_at; /* seconds */
    int tenths;         /* tenths printed in the plain form */
    bool live_terminal, live_notebook, plain, drawn, finished, loss_checked;
    FILE *err;          /* the live terminal's stream */
    char display_id[40];
} progress_cursor;

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void progress_destroy(void *payload) {
    progress_payload *p = payload;
    value_release(p->source);
    free(p->loss_name);
    free(p);
}

static char *progress_describe(const void *payload) {
    const progress_payload *p = payload;
    char buf[96], text[200];
    snprintf(text, sizeof text, "progress over %s%s%s", eval_describe_kind(p->source, buf, sizeof buf),
             p->loss_name ? ", showing " : "", p->loss_name ? p->loss_name : "");
    return strdup(text);
}

/* "1:05" / "1:02:03" */
static void clock_text(double seconds, char *buf, size_t size) {
    long s = seconds > 0 && seconds < 1e8 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

/* The bar's line: count, bar, percent, rate, time left, loss (`timed`:
 * with rate and time). */
static void progress_line(repl *r, const progress_payload *p, const progress_cursor *c, bool timed, char *line,
                          size_t size) {
    size_t n = 0;
    double elapsed = seconds_now() - c->start, rate = elapsed > 0 ? (double)c->done / elapsed : 0;
    if (p->total >= 0) {
        double fraction = p->total > 0 ? (double)c->done / (double)p->total : 1;
        char bar[24];
        int filled = (int)(fraction * 20 + 1e-9);
        for (int i = 0; i < 20; i++) bar[i] = i < filled ? '#' : '-';
        bar[20] = '\0';
        n += (size_t)snprintf(line + n, size - n, "%ld/%ld [%s] %3.0f%%", c->done, p->total, bar, 100 * fraction);
        if (timed) {
            char left[24];
            clock_text(rate > 0 ? (double)(p->total - c->done) / rate : 0, left, sizeof left);
            n += (size_t)snprintf(line + n, size - n, "  %.3g it/s  %s left", rate, c->done > 0 ? left : "?");
        }
    } else {
        n += (size_t)snprintf(line + n, size - n, "%ld it", c->done);
        if (timed) n += (size_t)snprintf(line + n, size - n, "  %.3g it/s", rate);
    }
    repl_value loss;
    double value;
    if (p->loss_name != NULL && n < size && eval_lookup_name(r, p->loss_name, &loss)) {
        char shown[AG_NUMBUF];
        if (eval_scalar_of(loss, &value))
            snprintf(line + n, size - n, "  %s %s", p->loss_name, print_format_number(r, value, shown));
        value_release(loss);
    }
}

/* Draws the bar when it is due (at most 10 times a second live; each tenth
 * in the plain form; always at the end). */
static void progress_draw(repl *r, const progress_payload *p, progress_cursor *c, bool last) {
    char line[256];
    double now = seconds_now();
    if (c->live_terminal || c->live_notebook) {
        if (!last && c->drawn && now - c->drawn_at < (c->live_notebook ? 0.25 : 0.1)) return;
        progress_line(r, p, c, true, line, sizeof line);
        if (c->live_terminal) {
            fprintf(r->io.err, "\r%s\033[K%s", line, last ? "\n" : "");
            fflush(r->io.err);
        } else {
            repl_display d = {.text = line, .display_id = c->display_id, .update = c->drawn};
            r->io.display(r->io.display_user, &d);
        }
        c->drawn = true;
        c->drawn_at = now;
    } else if (c->plain && p->total > 0) {
        int tenths = (int)(10 * c->done / p->total);
        if (tenths <= c->tenths && !(last && !c->drawn)) return;
        c->tenths = tenths;
        progress_line(r, p, c, false, line, sizeof line);
        fprintf(r->io.out, "progress %s\n", line);
        c->drawn = true;
    } else if (c->plain && last) {
        progress_line(r, p, c, false, line, sizeof line);
        fprintf(r->io.out, "progress %s\n", line);
    }
}

static int progress_start(repl *r, void *payload, void **cursor) {
    progress_payload *p = payload;
    progress_cursor *c = calloc(1, sizeof *c);
    if (c == NULL) return repl_error(r, "out of memory");
    if (repl_iter_begin(r, NULL, p->source, &c->inner) != 0) {
        free(c);
        return -1;
    }
    bool watched = repl_is_interactive(r) && isatty(fileno(r->io.err));
    c->live_notebook = p->show != 0 && r->io.display != NULL;
    c->live_terminal = !c->live_notebook && p->show != 0 && watched;
    c->plain = !c->live_notebook && !c->live_terminal && p->show == 1;
    c->start = seconds_now();
    c->err = r->io.err;
    snprintf(c->display_id, sizeof c->display_id, "agrepl-progress-%u", ++r->io.display_count);
    if (c->live_terminal || c->live_notebook) progress_draw(r, p, c, false);
    *cursor = c;
    return 0;
}

/* loss="NAME" must name a bound value once the body has run (it may bind
 * it on its first pass, so no sooner): else an error naming it, with the
 * nearest bound name, rather than a bar that silently shows no loss. */
static int check_loss_name(repl *r, const progress_payload *p, progress_cursor *c) {
    if (p->loss_name == NULL || c->loss_checked) return 0;
    c->loss_checked = true;
    repl_value loss;
    if (eval_lookup_name(r, p->loss_name, &loss)) {
        value_release(loss);
        return 0;
    }
    const char *near = suggest_bound_name(r, p->loss_name);
    if (near != NULL)
        return repl_error(r, "progress: loss=\"%s\" names no bound value after the loop's first pass; did you "
                             "mean \"%s\"?", p->loss_name, near);
    return repl_error(r, "progress: loss=\"%s\" names no bound value after the loop's first pass; loss= takes "
                         "the name the body binds its loss to (loss=\"loss\")", p->loss_name);
}

/* An item handed out is finished when the next is asked for (the loop's
 * body ran), as tqdm counts. */
static int progress_next(repl *r, void *payload, void *cursor, repl_value *out) {
    progress_payload *p = payload;
    progress_cursor *c = cursor;
    if (c->handed > 0 && check_loss_name(r, p, c) < 0) return -1;
    int rc = repl_iter_next(r, NULL, &c->inner, out);
    if (rc < 0) return rc;
    c->done = c->handed; /* every item handed out before this call is finished */
    if (rc == 0) {
        c->finished = true;
        progress_draw(r, p, c, true);
        return 0;
    }
    if (c->handed > 0) progress_draw(r, p, c, false);
    c->handed++;
    return 1;
}

static void progress_stop(void *payload, void *cursor) {
    (void)payload;
    progress_cursor *c = cursor;
    if (c == NULL) return;
    if (c->live_terminal && c->drawn && !c->finished) fputc('\n', c->err); /* a break: the prompt on a line of its own */
    repl_iter_end(&c->inner);
    free(c);
}

static long progress_length(const void *payload) { return ((const progress_payload *)payload)->total; }

static const repl_object_type progress_type = {
    .name = "progress",
    .destroy = progress_destroy,
    .describe = progress_describe,
    .iter_start = progress_start,
    .iter_next = progress_next,
    .iter_stop = progress_stop,
    .length = progress_length,
};

static int builtin_progress(repl *r, const builtin_args *a, repl_value *out) {
    repl_value source = a->values[0];
    if (!repl_iterable(source)) return not_iterable(r, "progress", "x", source);
    long total = repl_iter_length(source);
    if (arg_given(a, 1)) {
        double given;
        if (arg_number(r, a, 1, &given) < 0) return -1;
        if (!(given >= 0) || given != floor(given) || given > 1e15)
            return repl_error(r, "progress: total must be a whole number >= 0");
        total = (long)given;
    }
    int show = -1;
    if (arg_given(a, 2)) {
        bool b;
        if (arg_bool(r, a, 2, &b) < 0) return -1;
        show = b;
    }
    const char *loss = NULL;
    if (arg_given(a, 3) && arg_string(r, a, 3, &loss) < 0) return -1;
    progress_payload *p = malloc(sizeof *p);
    if (p == NULL) return repl_error(r, "out of memory");
    *p = (progress_payload){value_copy(source), total, show, loss ? strdup(loss) : NULL};
    *out = value_object_new(&progress_type, p);
    return out->kind == VALUE_OBJECT ? 0 : repl_error(r, "out of memory");
}

const builtin_def builtins_loop[] = {
    {"enumerate", "x, start=0", builtin_enumerate, "output",
     "pairs (i, item) of a list, variable or sequence, i counting from start, lazily:\n"
     "  for i, (xb, tb) in enumerate(batches(x, t, size=32)) { ... }", .function_only = true},
    {"zip", "*xs", builtin_zip, "output",
     "tuples of the items of several sequences side by side, lazily, stopping at the shortest:\n"
     "  for a, b in zip(xs, ys) { ... }", .function_only = true},
    {"progress", "x, total=nil, show=nil, loss=nil", builtin_progress, "output",
     "x's items with a bar as tqdm's: for epoch in progress(range(100), loss=\"loss\") { ... }\n"
     "  count, rate, time left and the value of the name loss= names, one line rewritten in a\n"
     "  terminal, one output updated in a notebook; silent in scripts unless show=true (then a\n"
     "  line at each tenth: count, percent and loss, no times); show=false hides it; a loss= name\n"
     "  still unbound when the body has run once is an error (a typo would show no loss)", .function_only = true},
    {"int", "x", builtin_int, "output",
     "x as a whole number toward 0 (a plain number), or a string's whole number, as Python's int", .function_only = true},
    {"float", "x", builtin_float, "output",
     "x as a plain number (a one-element variable's value), or a string read as a number", .function_only = true},
    {"bool", "x", builtin_bool, "output",
     "x's truth as if and while take it, as Python's bool: 0, none, \"\" and [] are false; a\n"
     "  tensor of one element is its value's truth, of more an error (any(x) or all(x))", .function_only = true},
    {"str", "x", builtin_str, "output", "the text print shows for x: \"loss \" + str(loss.item())",
     .function_only = true},
    {"round", "x, ndigits=nil", builtin_round_python, "elementwise",
     "the nearest whole number, halves to even (round(2.5) = 2); round(x, n) to n decimals as Python's\n"
     "  (round(2.675, 2) is 2.67: the double is below the half); a variable elementwise; gradient 0, as PyTorch"},
    {"step_lr", "opt, step_size, gamma=0.1", builtin_step_lr, "optimizers",
     "step decay, as PyTorch's StepLR: sched.step() once an epoch sets opt.lr to\n"
     "  lr0 * gamma^floor(epoch / step_size) (lr0: opt.lr when made); sched.lr, sched.last_epoch",
     .function_only = true},
    {"cosine_lr", "opt, t_max, eta_min=0", builtin_cosine_lr, "optimizers",
     "cosine annealing, as PyTorch's CosineAnnealingLR: sched.step() sets opt.lr to\n"
     "  eta_min + (lr0 - eta_min) * (1 + cos(pi * epoch / t_max)) / 2", .function_only = true},
    {"append", "xs, x", builtin_append, "output", "lst.append(x): x added at the end of the list itself, as Python's"},
    {0},
};
