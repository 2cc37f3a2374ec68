/* builtins.c — the joined built-in table, its lookup, the signature parser,
 * the argument binder and the argument conversions built-ins use. */
#include "ast.h"
#include "builtins.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* ---- topics and the joined table ---------------------------------------------- */

const char *const builtin_topics[] = {
    "construction", "elementwise", "shape", "nn", "attributes", "autograd",
    "output", "optimizers", "models", "graphs", "plots", "data", NULL,
};

bool builtin_topic_known(const char *topic) {
    for (int i = 0; topic && builtin_topics[i]; i++)
        if (strcmp(builtin_topics[i], topic) == 0) return true;
    return false;
}

#define MAX_BUILTINS 1024

/* Every built-in that does more than return new values, reviewed row by row
 * (the rest read only: their arguments, the session's names and settings,
 * files they read).  A user expression (repl_set_changes_refused) may call
 * none of these; test_eval checks the list whole.  Random numbers are not
 * here: a user expression's draws are undone (repl_set_changes_refused). */
static const struct {
    const char *name;
    builtin_effect effect;
    int arg; /* effect_arg */
} builtin_effects[] = {
    /* gradients and graphs */
    {"backward", BUILTIN_CHANGES, 0},          /* fills .grad */
    {"cleargrad", BUILTIN_CHANGES, 0},
    {"unchain", BUILTIN_CHANGES, 0},
    {"unchain_backward", BUILTIN_CHANGES, 0},
    /* models and optimizers */
    {"cleargrads", BUILTIN_CHANGES, 0},
    {"reset_state", BUILTIN_CHANGES, 0},
    {"load", BUILTIN_CHANGES, 0},              /* reads a file into the model's weights */
    {"save", BUILTIN_WRITES, 0},
    {"update", BUILTIN_CHANGES, 0},
    {"step", BUILTIN_CHANGES, 0},              /* opt.step(), sched.step() */
    {"reset_grad", BUILTIN_CHANGES, 0},
    {"batch_norm", BUILTIN_CHANGES_IF_TRUE, 6}, /* training=true: running_mean, running_var */
    /* lists, settings, random numbers */
    {"append", BUILTIN_CHANGES, 0},
    {"set_printoptions", BUILTIN_CHANGES, 0},
    {"seed", BUILTIN_CHANGES, 0},
    {"pace", BUILTIN_CHANGES_IF_GIVEN, 1},
    /* figures, windows and pictures */
    {"plot", BUILTIN_CHANGES, 0},
    {"title", BUILTIN_CHANGES, 0},
    {"contour", BUILTIN_CHANGES, 0},
    {"track", BUILTIN_CHANGES, 0},
    {"mark", BUILTIN_CHANGES, 0},
    {"clearplot", BUILTIN_CHANGES, 0},
    {"scatter", BUILTIN_CHANGES, 0},
    {"boundary", BUILTIN_CHANGES, 0},
    {"heatmap", BUILTIN_CHANGES, 0},
    {"images", BUILTIN_CHANGES, 0},
    {"neurons", BUILTIN_CHANGES, 0},
    {"show", BUILTIN_CHANGES, 0},              /* a window (a notebook: a picture) kept current */
    /* files */
    {"savefig", BUILTIN_WRITES, 0},
    {"render", BUILTIN_WRITES, 0},
    {"dot", BUILTIN_WRITES, 0},                /* dot(y) returns the text */
    {"save_csv", BUILTIN_WRITES, 0},
    {"save_npy", BUILTIN_WRITES, 0},
    {"save_npz", BUILTIN_WRITES, 0},
};

bool builtin_call_changes(const builtin_def *def, const builtin_args *args) {
    switch (def->effect) {
    case BUILTIN_READS: return false;
    case BUILTIN_CHANGES: return true;
    case BUILTIN_WRITES: return def->file_arg > 0 && arg_given(args, def->file_arg - 1);
    case BUILTIN_CHANGES_IF_GIVEN: return arg_given(args, def->effect_arg - 1);
    case BUILTIN_CHANGES_IF_TRUE: { /* anything but false or 0 (arg_bool refuses the rest) */
        if (!arg_given(args, def->effect_arg - 1)) return false;
        repl_value v = args->values[def->effect_arg - 1];
        return !(v.kind == VALUE_BOOL && !v.as.boolean) && !(v.kind == VALUE_NUMBER && v.as.number == 0);
    }
    }
    return true;
}

/* Built once from the constant tables; read-only afterwards. */
static builtin_def joined[MAX_BUILTINS + 1];
static const builtin_def *sorted[MAX_BUILTINS];
static int joined_count = -1;

/* Every table's rows in order, duplicates included (join_tables). */
static const builtin_def *rows[MAX_BUILTINS];

/* Two indices of rows by the row's name, then by place: of the rows naming
 * one built-in, the first table's comes first. */
static int compare_rows(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    int c = strcmp(rows[i]->name, rows[j]->name);
    return c != 0 ? c : (i > j) - (i < j);
}

/* The tables' rows in order, each name once (the first table to define a
 * name wins), and the same rows sorted by name for builtin_find.  One sort
 * of the rows by name and place finds both the order and the names defined
 * twice (searching the rows joined so far for each row cost a million
 * instructions, at the first built-in a session looks up). */
static const builtin_def *find_sorted(const char *name);

static void join_tables(void) {
    const builtin_def *parts[] = {builtins_construct, builtins_math, builtins_shape, builtins_nn,
                                   builtins_attributes, builtins_autograd, builtins_output, builtins_ops, builtins_optim, builtins_model, builtins_graph, builtins_plot,
                                   builtins_loop, builtins_data, builtins_pictures, builtins_conv, builtins_extra};
    int total = 0;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
        for (const builtin_def *d = parts[p]; d->name != NULL && total < MAX_BUILTINS; d++) rows[total++] = d;
    static int order[MAX_BUILTINS], place[MAX_BUILTINS]; /* place: the row's index in joined, or -1 */
    for (int i = 0; i < total; i++) order[i] = i;
    qsort(order, (size_t)total, sizeof order[0], compare_rows);
    for (int k = 0; k < total; k++)
        place[order[k]] = k > 0 && strcmp(rows[order[k - 1]]->name, rows[order[k]]->name) == 0 ? -1 : 0;
    int n = 0;
    for (int i = 0; i < total; i++)
        if (place[i] == 0) {
            place[i] = n;
            joined[n++] = *rows[i];
        }
    joined[n] = (builtin_def){0};
    for (int k = 0, s = 0; k < total; k++)
        if (place[order[k]] >= 0) sorted[s++] = &joined[place[order[k]]];
    joined_count = n;
    /* each effect's row found by name in the sorted rows (a search of every
     * row for each effect cost 0.28M instructions at the first look-up) */
    for (size_t e = 0; e < sizeof builtin_effects / sizeof builtin_effects[0]; e++) {
        const builtin_def *found = find_sorted(builtin_effects[e].name);
        if (found != NULL) {
            builtin_def *row = &joined[found - joined];
            row->effect = builtin_effects[e].effect;
            row->effect_arg = builtin_effects[e].arg;
        }
    }
}

const builtin_def *builtins_all(int *count) {
    if (joined_count < 0) join_tables();
    builtins_optim_prepare(); /* every row is read from here */
    if (count) *count = joined_count;
    return joined;
}

/* The row named `name` in the joined table, by binary search. */
static const builtin_def *find_sorted(const char *name) {
    int lo = 0, hi = joined_count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(name, sorted[mid]->name);
        if (c == 0) return sorted[mid];
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return NULL;
}

const builtin_def *builtin_find(const char *name) {
    if (joined_count < 0) join_tables();
    const builtin_def *found = find_sorted(name);
    if (found != NULL) builtins_optim_prepare_row(found); /* an optimizer's row is read from here */
    return found;
}

char *builtin_signature_text(const builtin_def *def) {
    const char *signature = def->signature ? def->signature : "";
    size_t n = strlen(def->name) + strlen(signature) + 3;
    char *text = malloc(n);
    if (text == NULL) return NULL;
    /* NAME=nil (no default: the parameter may be left out) is shown as
     * [NAME], since nil is not a name anyone can type */
    size_t length = (size_t)snprintf(text, n, "%s(", def->name);
    for (const char *p = signature; *p;) {
        const char *comma = strchr(p, ',');
        size_t part = comma ? (size_t)(comma - p) + 1 : strlen(p);
        const char *name = p;
        while (*name == ' ') name++;
        size_t name_length = strcspn(name, "=,");
        if (strncmp(name + name_length, "=nil", 4) == 0 && (name[name_length + 4] == ',' || name[name_length + 4] == '\0')) {
            length += (size_t)sprintf(text + length, "%.*s[%.*s]%s", (int)(name - p), p, (int)name_length, name,
                                      comma ? "," : "");
        } else {
            memcpy(text + length, p, part);
            length += part;
        }
        p += part;
    }
    snprintf(text + length, n - length, ")");
    return text;
}

/* ---- signature parsing ---------------------------------------------------------- */

static void signature_free(signature *s) {
    if (s == NULL) return;
    for (int i = 0; i < s->count; i++) {
        free(s->params[i].name);
        value_release(s->params[i].default_value);
    }
    free(s->params);
    free(s);
}

void builtin_signature_cache_free(signature_cache *cache) {
    for (int i = 0; i < cache->capacity; i++) signature_free(cache->slots[i]);
    free(cache->slots);
    free(cache->spare_rest);
    *cache = (signature_cache){0};
}

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* A default literal at *p: number, "string", true, false, nil, a list of
 * literals, or the name of a built-in.  Advances *p; false when malformed. */
static bool parse_literal(const char **p, repl_value *out, int depth) {
    const char *s = skip_space(*p);
    if (*s == '"') {
        const char *end = strchr(s + 1, '"');
        if (end == NULL) return false;
        *out = value_string_from(s + 1, (size_t)(end - s - 1));
        *p = end + 1;
        return out->kind == VALUE_STRING;
    }
    if (*s == '[') {
        if (depth > AG_MAX_DIMS) return false;
        repl_value items[64];
        int count = 0;
        s = skip_space(s + 1);
        while (*s != ']') {
            if (count == 64 || !parse_literal(&s, &items[count], depth + 1)) {
                for (int i = 0; i < count; i++) value_release(items[i]);
                return false;
            }
            count++;
            s = skip_space(s);
            if (*s == ',') s = skip_space(s + 1);
            else if (*s != ']') {
                for (int i = 0; i < count; i++) value_release(items[i]);
                return false;
            }
        }
        repl_value list = value_list_new(count);
        if (list.kind != VALUE_LIST) {
            for (int i = 0; i < count; i++) value_release(items[i]);
            return false;
        }
        for (int i = 0; i < count; i++) list.as.list->items[i] = items[i];
        *out = list;
        *p = s + 1;
        return true;
    }
    if (*s == '-' || *s == '+' || *s == '.' || isdigit((unsigned char)*s)) {
        char *end;
        double v = strtod(s, &end);
        if (end == s) return false;
        *out = value_number(v);
        *p = end;
        return true;
    }
    const char *start = s;
    while (isalnum((unsigned char)*s) || *s == '_') s++;
    size_t n = (size_t)(s - start);
    if (n == 0) return false;
    char word[64];
    if (n >= sizeof word) return false;
    memcpy(word, start, n);
    word[n] = '\0';
    *p = s;
    if (strcmp(word, "true") == 0) *out = value_bool(true);
    else if (strcmp(word, "false") == 0) *out = value_bool(false);
    else if (strcmp(word, "nil") == 0) *out = VALUE_NIL_INIT;
    else if (strcmp(word, "inf") == 0) *out = value_number(INFINITY);
    else {
        const builtin_def *def = builtin_find(word);
        if (def == NULL) return false;
        *out = value_builtin(def);
    }
    return true;
}

static signature *parse_signature(const builtin_def *def) {
    signature *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->def = def;
    s->rest = -1;
    const char *text = def->signature ? def->signature : "";
    int capacity = 1;
    for (const char *c = text; *c; c++) capacity += *c == ',';
    s->params = calloc((size_t)capacity, sizeof *s->params);
    if (s->params == NULL) goto fail;
    const char *p = skip_space(text);
    bool seen_default = false;
    while (*p) {
        signature_param *param = &s->params[s->count];
        bool rest = false;
        if (*p == '*') {
            if (s->rest >= 0) goto fail;
            rest = true;
            p++;
        }
        const char *start = p;
        while (isalnum((unsigned char)*p) || *p == '_') p++;
        if (p == start) goto fail;
        param->name = strndup(start, (size_t)(p - start));
        if (param->name == NULL) goto fail;
        s->count++;
        param->collects_rest = rest;
        p = skip_space(p);
        if (*p == '=') {
            if (rest) goto fail;
            p++;
            if (!parse_literal(&p, &param->default_value, 0)) goto fail;
            param->has_default = true;
            if (s->rest < 0) seen_default = true;
            p = skip_space(p);
        } else if (!rest && s->rest < 0) {
            if (seen_default) goto fail; /* required after optional */
            s->required++;
        }
        if (rest) s->rest = s->count - 1;
        if (*p == ',') p = skip_space(p + 1);
        else if (*p != '\0') goto fail;
    }
    s->positional = s->rest >= 0 ? s->rest : s->count;
    s->plain_defaults = true;
    for (int i = s->required; i < s->count; i++) {
        const signature_param *param = &s->params[i];
        if (param->collects_rest) continue;
        if (!param->has_default || !value_uncounted(param->default_value)) s->plain_defaults = false;
    }
    return s;
fail:
    signature_free(s);
    return NULL;
}

const signature *builtin_signature_of(repl *r, const builtin_def *def) {
    signature_cache *cache = &r->signatures;
    if (cache->count * 2 >= cache->capacity) {
        int capacity = cache->capacity ? cache->capacity * 2 : 256;
        signature **slots = calloc((size_t)capacity, sizeof *slots);
        if (slots == NULL) {
            repl_error(r, "out of memory");
            return NULL;
        }
        for (int i = 0; i < cache->capacity; i++) {
            signature *s = cache->slots[i];
            if (s == NULL) continue;
            size_t h = ((size_t)(uintptr_t)s->def >> 4) & (size_t)(capacity - 1);
            while (slots[h]) h = (h + 1) & (size_t)(capacity - 1);
            slots[h] = s;
        }
        free(cache->slots);
        cache->slots = slots;
        cache->capacity = capacity;
    }
    size_t mask = (size_t)(cache->capacity - 1);
    size_t h = ((size_t)(uintptr_t)def >> 4) & mask;
    while (cache->slots[h]) {
        if (cache->slots[h]->def == def) return cache->slots[h];
        h = (h + 1) & mask;
    }
    signature *s = parse_signature(def);
    if (s == NULL) {
        repl_error(r, "%s: malformed signature \"%s\" in the built-in table", def->name,
                   def->signature ? def->signature : "");
        return NULL;
    }
    cache->slots[h] = s;
    cache->count++;
    return s;
}

/* ---- binding ------------------------------------------------------------------- */

REPL_HOT void builtin_args_free(builtin_args *args) {
    for (int i = 0; i < args->count; i++) value_release(args->values[i]);
    if (args->values != args->inline_values) free(args->values);
    args->values = NULL;
    args->count = 0;
}

/* Rest lists of up to this many items are kept for the next call. */
#define SPARE_REST_MAX 16

/* A rest list the built-in kept no reference to: its items released, its
 * block kept for the next call's (the bigger of two). */
REPL_HOT static void keep_spare_rest(signature_cache *cache, value_list *list) {
    int count = list->count; /* room for at least this many: a spare reused has more */
    for (int i = 0; i < count; i++) value_release(list->items[i]);
    if (cache->spare_rest == NULL || cache->spare_capacity < count) {
        if (cache->spare_rest != NULL) free(cache->spare_rest);
        cache->spare_rest = list;
        cache->spare_capacity = count;
    } else {
        free(list);
    }
}

/* One pass over the values: a call's are mostly variables and plain
 * defaults. */
REPL_HOT void builtin_args_done(repl *r, builtin_args *args) {
    for (int i = 0; i < args->count; i++) {
        repl_value v = args->values[i];
        if (v.kind == VALUE_VAR)
            ag_release(v.as.var);
        else if (i == args->rest && v.kind == VALUE_LIST && v.as.list->refcount == 1 && v.as.list->capacity == 0 &&
                 v.as.list->count <= SPARE_REST_MAX)
            keep_spare_rest(&r->signatures, v.as.list);
        else
            value_release(v);
    }
    if (args->values != args->inline_values) free(args->values);
    args->values = NULL;
    args->count = 0;
}

REPL_HOT repl_value builtin_rest_list(repl *r, int count) {
    signature_cache *cache = &r->signatures;
    value_list *list = cache->spare_rest;
    if (list == NULL || count > cache->spare_capacity) return value_list_new(count);
    cache->spare_rest = NULL;
    list->refcount = 1;
    list->count = count;
    return (repl_value){.kind = VALUE_LIST, .as.list = list};
}

static const char *plural(int n) { return n == 1 ? "" : "s"; }

/* Keyword names other libraries use for ours (PyTorch, Keras), too far apart
 * for the spelling suggestion: the name to suggest when the built-in has it. */
static const char *keyword_synonym(const char *given, const char *const *names, int n) {
    static const char *const synonyms[][2] = {
        {"learning_rate", "lr"}, {"epsilon", "eps"},     {"wd", "weight_decay"},
        {"hidden_size", "hidden"}, {"output_size", "out"}, {"dim", "axis"},
        {"x", "input"}, {"indices", "input"}, /* PyTorch's F.conv2d, F.embedding... (ours said x, indices) */
    };
    for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
        if (strcmp(given, synonyms[i][0]) == 0)
            for (int j = 0; j < n; j++)
                if (strcmp(names[j], synonyms[i][1]) == 0) return names[j];
    return NULL;
}

/* The call running a's built-in (a->call, else the one being evaluated):
 * 1 when it was called as a method, x.f(...), 0 when as f(...), -1 when by
 * another name or from C. */
static int called_as_method(repl *r, const builtin_args *a) {
    const ast_node *n = a->call != NULL ? a->call : r->eval.call;
    if (n == NULL || n->kind != AST_CALL || a->def == NULL) return -1;
    const ast_node *callee = n->as.call.callee;
    if (callee->kind == AST_ATTRIBUTE && strcmp(callee->as.attribute.name, a->def->name) == 0) return 1;
    return callee->kind == AST_NAME && strcmp(callee->as.name, a->def->name) == 0 ? 0 : -1;
}

/* "f takes N arguments, got M"; called as a method, x.f(...), the count
 * leaves out the receiver x, as the call was typed ("opt.step takes no
 * arguments, got 1", not "step takes 1 argument, got 2"). */
static int too_many_arguments(repl *r, const builtin_args *args, const signature *s, int argc) {
    const char *name = args->def->name;
    char receiver[48], method[112];
    int most = s->positional;
    if (most > 0 && called_as_method(r, args) > 0) {
        if (builtin_arg_text(r, args, 0, true, receiver, sizeof receiver))
            snprintf(method, sizeof method, "%s.%s", receiver, name);
        else
            snprintf(method, sizeof method, ".%s", name); /* a receiver too long to repeat */
        name = method;
        most--, argc--;
    }
    if (most == 0) return repl_error(r, "%s takes no arguments, got %d", name, argc);
    return repl_error(r, "%s takes %s%d argument%s, got %d", name, s->required == s->positional ? "" : "at most ",
                      most, plural(most), argc);
}

REPL_HOT int repl_bind_arguments(repl *r, const builtin_def *def, int argc, const repl_value *argv,
                   int nkeywords, const char *const *keyword_names,
                   const repl_value *keyword_values, builtin_args *args) {
    const signature *s = builtin_signature_of(r, def);
    if (s == NULL) return -1;
    args->def = def;
    args->count = 0;
    args->call = NULL;
    args->source = NULL;
    args->values = NULL;
    args->rest = s->rest;
    if (argc > s->positional && s->rest < 0) return too_many_arguments(r, args, s, argc);
    /* most built-ins have a few parameters: their arguments live in args
     * itself (a calloc and free per call were 2% of a scalar loop) */
    bool small = s->count <= BUILTIN_INLINE_ARGS;
    if (small && nkeywords == 0 && argc >= s->required && s->plain_defaults) {
        /* the common call, positional arguments over plain defaults: no
         * bookkeeping of what was given (y.backward(), cleargrad(x0, x1)) */
        repl_value *values = args->inline_values;
        int positional = argc < s->positional ? argc : s->positional;
        for (int i = 0; i < positional; i++) values[i] = value_copy(argv[i]);
        for (int i = positional; i < s->count; i++) values[i] = s->params[i].default_value;
        if (s->rest >= 0) {
            int extra = argc - positional;
            repl_value list = builtin_rest_list(r, extra);
            if (list.kind != VALUE_LIST) {
                for (int i = 0; i < positional; i++) value_release(values[i]);
                return repl_error(r, "out of memory");
            }
            for (int i = 0; i < extra; i++) list.as.list->items[i] = value_copy(argv[positional + i]);
            values[s->rest] = list;
        }
        args->values = values;
        args->count = s->count;
        return 0;
    }
    bool inline_given[BUILTIN_INLINE_ARGS] = {false};
    repl_value *values = small ? args->inline_values : calloc((size_t)s->count, sizeof *values);
    bool *given = small ? inline_given : calloc((size_t)s->count, sizeof *given);
    if (values == NULL || given == NULL) {
        if (!small) {
            free(values);
            free(given);
        }
        return repl_error(r, "out of memory");
    }
    if (small)
        for (int i = 0; i < s->count; i++) values[i] = VALUE_NIL_INIT;
    int positional = argc < s->positional ? argc : s->positional;
    for (int i = 0; i < positional; i++) {
        values[i] = value_copy(argv[i]);
        given[i] = true;
    }
    if (s->rest >= 0) {
        int extra = argc - positional;
        repl_value list = builtin_rest_list(r, extra);
        if (list.kind != VALUE_LIST) goto out_of_memory;
        for (int i = 0; i < extra; i++) list.as.list->items[i] = value_copy(argv[positional + i]);
        values[s->rest] = list;
        given[s->rest] = true;
    }
    for (int k = 0; k < nkeywords; k++) {
        int found = -1;
        for (int i = 0; i < s->count && found < 0; i++)
            if (strcmp(s->params[i].name, keyword_names[k]) == 0) found = i;
        if (found >= 0 && s->params[found].collects_rest) {
            /* transpose(x, axes=[1, 0]): the rest given whole, as one item */
            if (values[found].as.list->count > 0) {
                repl_error(r, "%s: argument '%s' given twice", def->name, keyword_names[k]);
                goto fail;
            }
            repl_value list = value_list_new(1);
            if (list.kind != VALUE_LIST) goto out_of_memory;
            list.as.list->items[0] = value_copy(keyword_values[k]);
            value_release(values[found]);
            values[found] = list;
            continue;
        }
        if (found < 0) {
            const char *names[64];
            int n = 0;
            for (int i = 0; i < s->count && n < 64; i++)
                if (!s->params[i].collects_rest) names[n++] = s->params[i].name;
            const char *near = repl_nearest_word(keyword_names[k], names, n);
            if (near == NULL) near = keyword_synonym(keyword_names[k], names, n);
            char of[64];
            snprintf(of, sizeof of, "%s(", def->name);
            const char *hint = eval_other_spelling(keyword_names[k], of); /* before a near name: it is not */
            if (hint)
                repl_error(r, "%s: no parameter named '%s'; %s", def->name, keyword_names[k], hint);
            else if (near)
                repl_error(r, "%s: no parameter named '%s'; did you mean '%s'?", def->name,
                           keyword_names[k], near);
            else
                repl_error(r, "%s: no parameter named '%s'", def->name, keyword_names[k]);
            goto fail;
        }
        if (given[found]) {
            repl_error(r, "%s: argument '%s' given twice", def->name, keyword_names[k]);
            goto fail;
        }
        values[found] = value_copy(keyword_values[k]);
        given[found] = true;
    }
    for (int i = 0; i < s->count; i++) {
        if (given[i]) continue;
        if (!s->params[i].has_default) {
            if (def->usage != NULL)
                repl_error(r, "%s: %s", def->name, def->usage);
            else
                repl_error(r, "%s: missing argument '%s'", def->name, s->params[i].name);
            goto fail;
        }
        values[i] = value_copy(s->params[i].default_value);
    }
    if (!small) free(given);
    args->values = values;
    args->count = s->count;
    return 0;
out_of_memory:
    repl_error(r, "out of memory");
fail:
    for (int i = 0; i < s->count; i++) value_release(values[i]);
    if (!small) {
        free(values);
        free(given);
    }
    return -1;
}

/* ---- conversions ---------------------------------------------------------------- */

/* The node of argument index as typed in the call running this built-in
 * (x of x.f() for index 0 of a method call), or NULL: see builtin_arg_text. */
static const ast_node *arg_node(repl *r, const builtin_args *a, int index, bool receiver_only) {
    /* only the call that runs this built-in, by its own name: not f = item;
     * f(x), nor map(item, xs), whose node is another call's */
    int method = called_as_method(r, a);
    if (method < 0 || index < 0 || (method == 0 && receiver_only)) return NULL;
    const ast_node *n = a->call != NULL ? a->call : r->eval.call;
    const ast_list *arguments = &n->as.call.arguments;
    if (method == 1) {
        if (index == 0) return n->as.call.callee->as.attribute.object;
        index--;
    }
    /* a positional argument (a rest parameter's items come after: not these) */
    if (index >= arguments->count || (a->rest >= 0 && index >= a->rest)) return NULL;
    return arguments->items[index];
}

bool builtin_arg_text(repl *r, const builtin_args *a, int index, bool receiver_only, char *buf, size_t size) {
    const ast_node *n = arg_node(r, a, index, receiver_only);
    return n != NULL && eval_node_text(r, n, buf, size);
}

/* What a title shows as typed: a name (x, m.w, x[0]) or a short number or
 * list ([4], 0.5), not a call, arithmetic or a string. */
static bool title_word(const char *text) {
    size_t n = strlen(text);
    if (n == 0 || n > 24) return false;
    for (const char *c = text; *c; c++)
        if (!(isalnum((unsigned char)*c) || strchr("_.[], -", *c) != NULL)) return false;
    return n <= 12 || isalpha((unsigned char)text[0]) || text[0] == '_'; /* a literal: short */
}

void builtin_call_title(repl *r, const builtin_args *a, char *title, size_t size) {
    const signature *s = builtin_signature_of(r, a->def);
    int method = called_as_method(r, a), given = s != NULL ? s->required : 0;
    if (method >= 0) {
        const ast_node *n = a->call != NULL ? a->call : r->eval.call;
        given = n->as.call.arguments.count + method;
    }
    if (s != NULL && given > s->count) given = s->count;
    if (s != NULL && a->rest >= 0 && given > a->rest) given = a->rest;
    size_t used = (size_t)snprintf(title, size, "%s(", a->def->name);
    for (int i = 0; s != NULL && i < given && used < size; i++) {
        char text[48];
        const char *word = builtin_arg_text(r, a, i, false, text, sizeof text) && title_word(text)
                               ? text : s->params[i].name;
        used += (size_t)snprintf(title + used, size - used, "%s%s", i ? ", " : "", word);
    }
    if (used < size) snprintf(title + used, size - used, ")");
}

/* The name of parameter `index` of the built-in being called, for its
 * messages; the receiver of a method call x.f() as typed (a.grad.item():
 * "a.grad", not item's own "x", which the call never showed), into buf. */
static const char *param_name_of(repl *r, const builtin_args *a, int index, char *buf, size_t size) {
    if (a->def == NULL) return "argument";
    /* (not a plain none: "none must be a number, not none" says less than "x must") */
    bool plain_none = a->values != NULL && a->count > 0 && a->values[0].kind == VALUE_NIL;
    if (index == 0 && !plain_none && builtin_arg_text(r, a, 0, true, buf, size)) return buf;
    const signature *s = builtin_signature_of(r, a->def);
    if (s == NULL || index < 0 || index >= s->count) return "argument";
    return s->params[index].name;
}
/* (the buffer lives until the end of the statement that names it) */
#define param_name(a, index) param_name_of(r, (a), (index), (char[48]){0}, 48)

static const char *builtin_name(const builtin_args *a) { return a->def ? a->def->name : "call"; }


/* The message for a nil that stands for a missing gradient, or NULL. */
static int nil_gradient_error(repl *r, const ast_node *at, const char *prefix, repl_value v) {
    const char *what = v.as.string->text;
    /* "x.grad" -> the variable is "x" */
    size_t n = strlen(what);
    int base = n > 5 && strcmp(what + n - 5, ".grad") == 0 ? (int)(n - 5) : (int)n;
    return repl_error_at(r, at, "%s%s is none (no backward has reached %.*s yet; run backward() first)",
                      prefix, what, base, what);
}

int value_nil_error_at(repl *r, const ast_node *at, const char *prefix, repl_value v) {
    if (v.kind == VALUE_NIL && v.as.string != NULL) return nil_gradient_error(r, at, prefix, v);
    return repl_error_at(r, at, "%suse of none", prefix);
}

/* value_nil_error_at at the call being run. */
__attribute__((cold)) static int value_nil_error(repl *r, const char *prefix, repl_value v) {
    return value_nil_error_at(r, NULL, prefix, v);
}

/* The shape of a nested-list literal, read down its first items: the number
 * of axes, or -1 when the nesting is deeper than AG_MAX_DIMS or does not end
 * in a number (or an empty list). */
static int literal_shape(repl_value v, int shape[AG_MAX_DIMS]) {
    int ndim = 0;
    repl_value probe = v;
    while (probe.kind == VALUE_LIST) {
        if (ndim == AG_MAX_DIMS) return -1;
        shape[ndim++] = probe.as.list->count;
        if (probe.as.list->count == 0) break;
        probe = probe.as.list->items[0];
    }
    if (probe.kind != VALUE_NUMBER && !(probe.kind == VALUE_LIST && probe.as.list->count == 0))
        return -1;
    return ndim;
}

/* Walks the nested lists row-major, checking every list against shape and
 * that numbers stand exactly at the last level; with data non-NULL it also
 * copies the numbers there.  Iterative, one index per level, so deep or big
 * literals cannot overflow the stack. */
static bool walk_literal(const value_list *top, int ndim, const int *shape, double *data) {
    const value_list *stack[AG_MAX_DIMS];
    int position[AG_MAX_DIMS];
    int level = 0;
    size_t at = 0;
    stack[0] = top;
    position[0] = 0;
    while (level >= 0) {
        const value_list *list = stack[level];
        if (list->count != shape[level]) return false;
        if (position[level] == list->count) {
            level--;
            if (level >= 0) position[level]++;
            continue;
        }
        repl_value item = list->items[position[level]];
        if (level == ndim - 1) {
            if (item.kind != VALUE_NUMBER) return false;
            if (data != NULL) data[at++] = item.as.number;
            position[level]++;
        } else {
            if (item.kind != VALUE_LIST) return false;
            stack[level + 1] = item.as.list;
            position[level + 1] = 0;
            level++;
        }
    }
    return true;
}

bool value_is_tensor_literal(repl_value v) {
    if (v.kind == VALUE_NUMBER) return true;
    if (v.kind != VALUE_LIST) return false;
    int shape[AG_MAX_DIMS];
    int ndim = literal_shape(v, shape);
    return ndim > 0 && walk_literal(v.as.list, ndim, shape, NULL);
}

ag_var *value_to_leaf(repl *r, repl_value v) {
    if (v.kind == VALUE_NUMBER) return ag_scalar(r->ctx, v.as.number);
    if (v.kind != VALUE_LIST) return NULL;
    int shape[AG_MAX_DIMS];
    int ndim = literal_shape(v, shape);
    if (ndim <= 0 || !walk_literal(v.as.list, ndim, shape, NULL)) return NULL;
    ag_var *leaf = ag_zeros(r->ctx, ndim, shape);
    if (leaf == NULL || ag_size(leaf) == 0) return leaf;
    /* filling a new leaf is not an in-place change (ag_data would count one) */
    walk_literal(v.as.list, ndim, shape, (double *)ag_cdata(leaf));
    return leaf;
}

/* "f: x.grad is none (no backward has reached x yet; ...)" for a none that
 * knows where it came from (x.grad); -1.  The argument checks share it, so
 * x.grad.item() says what sum(x.grad) says. */
__attribute__((cold)) static int arg_nil_error(repl *r, const builtin_args *a, repl_value v) {
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s: ", builtin_name(a));
    return value_nil_error(r, prefix, v);
}

int arg_var(repl *r, const builtin_args *a, int index, ag_var **out) {
    repl_value v = a->values[index];
    char buf[64];
    int rc = value_as_var(r, NULL, v, out);
    if (rc <= 0) return rc;
    if (v.kind == VALUE_NIL && v.as.string != NULL) return arg_nil_error(r, a, v);
    if (v.kind == VALUE_LIST)
        return repl_error(r, "%s: %s must be a variable or number, not a list that is not a "
                             "tensor (nested lists of numbers of one shape)",
                          builtin_name(a), param_name(a, index));
    return repl_error(r, "%s: %s must be a variable or number, not %s", builtin_name(a),
                      param_name(a, index), value_with_article(v, buf, sizeof buf));
}

int arg_number(repl *r, const builtin_args *a, int index, double *out) {
    repl_value v = a->values[index];
    char buf[64];
    if (v.kind == VALUE_NUMBER) {
        *out = v.as.number;
        return 0;
    }
    if (v.kind == VALUE_VAR && ag_size(v.as.var) == 1) {
        *out = ag_item(v.as.var);
        return 0;
    }
    if (v.kind == VALUE_VAR) {
        char shape[AG_SHAPEBUF];
        return repl_error(r, "%s: %s must be a number, not a variable of shape %s",
                          builtin_name(a), param_name(a, index),
                          ag_shape_string(ag_ndim(v.as.var), ag_shape(v.as.var), shape));
    }
    if (v.kind == VALUE_NIL && v.as.string != NULL) return arg_nil_error(r, a, v);
    return repl_error(r, "%s: %s must be a number, not %s", builtin_name(a), param_name(a, index),
                      value_with_article(v, buf, sizeof buf));
}

/* An integral double in int range, for messages with the parameter. */
static int to_int(repl *r, const builtin_args *a, int index, double v, int *out) {
    char number[AG_NUMBUF];
    if (!(v == floor(v)))
        return repl_error(r, "%s: %s must be an integer, not %s", builtin_name(a),
                          param_name(a, index), ag_format_display(v, 0, number));
    if (v > INT_MAX) /* an integer, only too big: say so, with the limit */
        return repl_error(r, "%s: %s %s is too large (the limit is %d)", builtin_name(a),
                          param_name(a, index), ag_format_display(v, 0, number), INT_MAX);
    if (v < INT_MIN)
        return repl_error(r, "%s: %s %s is too small (the limit is %d)", builtin_name(a),
                          param_name(a, index), ag_format_display(v, 0, number), INT_MIN);
    *out = (int)v;
    return 0;
}

int arg_int(repl *r, const builtin_args *a, int index, int *out) {
    double v;
    repl_value value = a->values[index];
    char buf[64];
    if (value.kind == VALUE_NIL && value.as.string != NULL) return arg_nil_error(r, a, value);
    if (value.kind != VALUE_NUMBER && !(value.kind == VALUE_VAR && ag_size(value.as.var) == 1))
        return repl_error(r, "%s: %s must be an integer, not %s", builtin_name(a),
                          param_name(a, index), value_with_article(value, buf, sizeof buf));
    if (arg_number(r, a, index, &v) < 0) return -1;
    return to_int(r, a, index, v, out);
}

int arg_bool(repl *r, const builtin_args *a, int index, bool *out) {
    repl_value v = a->values[index];
    char buf[64];
    if (v.kind == VALUE_BOOL) {
        *out = v.as.boolean;
        return 0;
    }
    return repl_error(r, "%s: %s must be true or false, not %s", builtin_name(a),
                      param_name(a, index), value_with_article(v, buf, sizeof buf));
}

int arg_string(repl *r, const builtin_args *a, int index, const char **out) {
    repl_value v = a->values[index];
    char buf[64];
    if (v.kind == VALUE_STRING) {
        *out = v.as.string->text;
        return 0;
    }
    return repl_error(r, "%s: %s must be a string, not %s", builtin_name(a), param_name(a, index),
                      value_with_article(v, buf, sizeof buf));
}

int arg_ints(repl *r, const builtin_args *a, int index, int *out, int max, int *count) {
    return arg_ints_of(r, a, index, a->values[index], out, max, count);
}

int arg_ints_of(repl *r, const builtin_args *a, int index, repl_value v, int *out, int max,
                int *count) {
    char buf[64];
    *count = 0;
    if (v.kind == VALUE_NUMBER || (v.kind == VALUE_VAR && ag_size(v.as.var) == 1 &&
                                   ag_ndim(v.as.var) == 0)) {
        if (max < 1) return repl_error(r, "%s: %s takes no entries", builtin_name(a), param_name(a, index));
        double number = v.kind == VALUE_NUMBER ? v.as.number : ag_item(v.as.var);
        if (to_int(r, a, index, number, &out[0]) < 0) return -1;
        *count = 1;
        return 0;
    }
    if (v.kind == VALUE_LIST) {
        const value_list *list = v.as.list;
        if (list->count > max)
            return repl_error(r, "%s: %s has %d entries (at most %d)", builtin_name(a),
                              param_name(a, index), list->count, max);
        for (int i = 0; i < list->count; i++) {
            repl_value item = list->items[i];
            double number;
            if (item.kind == VALUE_NUMBER) number = item.as.number;
            else if (item.kind == VALUE_VAR && ag_size(item.as.var) == 1) number = ag_item(item.as.var);
            else
                return repl_error(r, "%s: %s must be an integer or a list of integers, not a list "
                                     "holding %s",
                                  builtin_name(a), param_name(a, index),
                                  value_with_article(item, buf, sizeof buf));
            if (to_int(r, a, index, number, &out[i]) < 0) return -1;
        }
        *count = list->count;
        return 0;
    }
    if (v.kind == VALUE_VAR && ag_ndim(v.as.var) == 1) {
        size_t size = ag_size(v.as.var);
        if (size > (size_t)max)
            return repl_error(r, "%s: %s has %zu entries (at most %d)", builtin_name(a),
                              param_name(a, index), size, max);
        const double *data = ag_cdata(v.as.var);
        for (size_t i = 0; i < size; i++)
            if (to_int(r, a, index, data[i], &out[i]) < 0) return -1;
        *count = (int)size;
        return 0;
    }
    return repl_error(r, "%s: %s must be an integer or a list of integers, not %s",
                      builtin_name(a), param_name(a, index), value_with_article(v, buf, sizeof buf));
}

/* A shape parameter collects the rest of the positional arguments, so a
 * shape is one list or integer (zeros([2, 3]), zeros(3)) or several
 * integers (zeros(2, 3), x.reshape(3, 2)), as in PyTorch. */
int arg_dims(repl *r, const builtin_args *a, int index, int *shape, int *ndim) {
    const value_list *rest = a->values[index].as.list;
    if (a->values[index].kind != VALUE_LIST || rest->count == 0)
        return repl_error(r, "%s: the shape is missing: %s", a->def->name,
                          index == 0 ? "give it as [2, 3] or 2, 3" : "give it as [3, 2] or 3, 2");
    /* several integers, or one argument read as the shape itself */
    if (rest->count > 1) return arg_ints(r, a, index, shape, AG_MAX_DIMS, ndim);
    return arg_ints_of(r, a, index, rest->items[0], shape, AG_MAX_DIMS, ndim);
}

/* An optional variable (bias=nil, weight=nil): NULL when not given. */
int arg_optional_var(repl *r, const builtin_args *a, int index, ag_var **out) {
    *out = NULL;
    return arg_given(a, index) ? arg_var(r, a, index, out) : 0;
}

bool arg_given(const builtin_args *a, int index) {
    return index >= 0 && index < a->count && a->values[index].kind != VALUE_NIL;
}

bool arg_positional(repl *r, const builtin_args *a, int index) {
    int method = called_as_method(r, a);
    if (method < 0 || index < 0) return false;
    const ast_node *n = a->call != NULL ? a->call : r->eval.call;
    return index - method < n->as.call.arguments.count;
}

bool arg_source(const builtin_args *a, int index, char *buf, size_t size) {
    const ast_node *call = a->call;
    if (call == NULL || a->source == NULL || call->kind != AST_CALL || a->def == NULL || size == 0)
        return false;
    /* only the call of this built-in by name: not one made from C (contour's f) */
    const ast_node *callee = call->as.call.callee;
    const ast_node *argument = NULL;
    if (callee->kind == AST_NAME && strcmp(callee->as.name, a->def->name) == 0) {
        if (index < call->as.call.arguments.count) argument = call->as.call.arguments.items[index];
    } else if (callee->kind == AST_ATTRIBUTE && strcmp(callee->as.attribute.name, a->def->name) == 0) {
        if (index == 0) argument = callee->as.attribute.object;
        else if (index - 1 < call->as.call.arguments.count)
            argument = call->as.call.arguments.items[index - 1];
    }
    if (argument == NULL || argument->source_end <= argument->source_start) return false;
    /* a literal names nothing: plot(3) is not a series called "3" */
    const ast_node *literal = argument;
    while (literal->kind == AST_UNARY && literal->as.unary.op == AST_OP_NEGATE)
        literal = literal->as.unary.operand;
    if (literal->kind == AST_NUMBER || literal->kind == AST_STRING || literal->kind == AST_BOOL)
        return false;
    /* as written, with a line break or a run of spaces as one space */
    size_t length = 0;
    for (size_t i = argument->source_start; i < argument->source_end; i++) {
        char c = a->source[i];
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (space && (length == 0 || buf[length - 1] == ' ')) continue;
        if (length + 1 >= size) return false;
        buf[length++] = space ? ' ' : c;
    }
    buf[length] = '\0';
    return length > 0;
}
