/* restore.c — what :save writes for a statement that failed or was
 * interrupted.  Such a statement is not replayed, but
 * what it did before it stopped stays done (a loop's first iterations, the
 * names it bound, x += 1 on a variable's data).  While a top-level
 * statement runs, the session names it binds or updates in place are noted;
 * when it fails, the :save log gets, in its place, statements that bind
 * those names to their values as they are then:
 *
 *   # restored: x, i (their statement failed or was interrupted)
 *   x = 6
 *   for i in [5] {}
 *
 * Numbers are written as the shortest text that reads back to the same
 * double (ag_format_double), infinities as 1e999 and NaN as 1e999 - 1e999
 * (no NaN warning on :load: the inputs are not finite); a variable as a
 * tensor literal of its shape (zeros(...) when it has no elements), a plain
 * number (a loop counter) through a one-item loop.  A variable whose data
 * changed in place (x += 1, opt.step()) may be held by more than its name
 * (an optimizer bound to it): it is set in place, `x *= 0` then `x += [...]`,
 * which gives back exactly [...] when the data before were finite and no
 * element is -0 (otherwise it is bound anew).  Models and optimizers cannot
 * be written as text: the comment names them as not restored (their
 * state, e.g. an optimizer's step count and momentum, is the replayed one). */
#include "repl_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "builtins.h"
#include "strbuf.h"

/* The running top-level statement bound `name` in the session, or changed
 * its variable's data in place. */
void restore_note(repl *r, const char *name, bool in_place) {
    if (r->eval.chunk == NULL) return; /* not inside a statement */
    for (int i = 0; i < r->save.touched_count; i++)
        if (r->save.touched[i][0] == name[0] && strcmp(r->save.touched[i], name) == 0) {
            r->save.touched_in_place[i] = r->save.touched_in_place[i] && in_place; /* bound anew wins */
            return;
        }
    size_t count = (size_t)r->save.touched_count;
    if (!ARRAY_RESERVE(r->save.touched, r->save.touched_capacity, count, 1) ||
        !ARRAY_RESERVE(r->save.touched_in_place, r->save.touched_in_place_capacity, count, 1)) {
        r->save.touched_lost = true;
        return;
    }
    char *copy = strdup(name);
    if (copy == NULL) {
        r->save.touched_lost = true;
        return;
    }
    r->save.touched_in_place[r->save.touched_count] = in_place;
    r->save.touched[r->save.touched_count++] = copy;
}

/* Each restore_forget starts a new statement for restore_note_at's memos. */
unsigned long restore_statement = 1;

REPL_HOT void restore_note_at(repl *r, const ast_node *n, const char *name, bool in_place) {
    ast_memo *m = memo_of(n);
    if (restore_noted(n, in_place)) return;
    restore_note(r, name, in_place);
    if (r->eval.chunk == NULL || r->save.touched_lost) return;
    m->noted = restore_statement;
    m->noted_in_place = in_place;
}

/* A built-in changed variables' data in place (opt.step()): every session
 * variable is written back if the statement fails. */
void restore_note_all(repl *r) { r->save.touched_all = true; }

void restore_forget(repl *r) {
    restore_statement++;
    for (int i = 0; i < r->save.touched_count; i++) free(r->save.touched[i]);
    r->save.touched_count = 0;
    r->save.touched_all = r->save.touched_lost = false;
}

static void append_number(strbuf *b, double v) {
    char buf[AG_NUMBUF];
    if (isnan(v)) strbuf_append(b, "(1e999 - 1e999)");
    else if (isinf(v)) strbuf_append(b, v < 0 ? "-1e999" : "1e999");
    else strbuf_append(b, ag_format_double(v, 0, buf));
}

/* data[*at...] as nested lists over shape[axis...]. */
static void append_nested(strbuf *b, const double *data, size_t *at, int ndim, const int *shape, int axis) {
    strbuf_append(b, "[");
    for (int i = 0; i < shape[axis]; i++) {
        if (i > 0) strbuf_append(b, ", ");
        if (axis == ndim - 1) append_number(b, data[(*at)++]);
        else append_nested(b, data, at, ndim, shape, axis + 1);
    }
    strbuf_append(b, "]");
}

/* Whether `x *= 0; x += [data]` gives back exactly data: ±0 + v is v for
 * every finite v but -0 (+0 + -0 is +0). */
static bool settable_in_place(ag_var *x) {
    const double *data = ag_cdata(x);
    size_t size = ag_size(x);
    if (size == 0) return false;
    for (size_t i = 0; i < size; i++)
        if (!isfinite(data[i]) || (data[i] == 0 && signbit(data[i]))) return false;
    return true;
}

/* The statements that give name the value v (in place when asked and
 * exact), or false when v cannot be written. */
static bool append_binding(strbuf *b, const char *name, repl_value v, bool in_place) {
    if (in_place && v.kind == VALUE_VAR && settable_in_place(v.as.var)) {
        ag_var *x = v.as.var;
        strbuf_appendf(b, "%s *= 0\n%s += ", name, name);
        size_t at = 0;
        if (ag_ndim(x) == 0) append_number(b, ag_item(x));
        else append_nested(b, ag_cdata(x), &at, ag_ndim(x), ag_shape(x), 0);
        strbuf_append(b, "\n");
        return true;
    }
    switch (v.kind) {
    case VALUE_NUMBER: /* only a loop binds a plain number */
        strbuf_appendf(b, "for %s in [", name);
        append_number(b, v.as.number);
        strbuf_append(b, "] {}\n");
        return true;
    case VALUE_BOOL: strbuf_appendf(b, "%s = %s\n", name, v.as.boolean ? "true" : "false"); return true;
    case VALUE_STRING:
        strbuf_appendf(b, "%s = ", name);
        strbuf_append_quoted(b, v.as.string->text);
        strbuf_append(b, "\n");
        return true;
    case VALUE_BUILTIN: strbuf_appendf(b, "%s = %s\n", name, v.as.builtin->name); return true;
    case VALUE_VAR: {
        ag_var *x = v.as.var;
        int ndim = ag_ndim(x);
        const int *shape = ag_shape(x);
        strbuf_appendf(b, "%s = ", name);
        if (ndim == 0) {
            append_number(b, ag_item(x));
        } else if (ag_size(x) == 0) {
            strbuf_append(b, "zeros([");
            for (int i = 0; i < ndim; i++) strbuf_appendf(b, i ? ", %d" : "%d", shape[i]);
            strbuf_append(b, "])");
        } else {
            size_t at = 0;
            append_nested(b, ag_cdata(x), &at, ndim, shape, 0);
        }
        strbuf_append(b, "\n");
        return true;
    }
    default: return false; /* functions, models, optimizers, lists */
    }
}

/* Where name stands in the ", "-separated list, or NULL. */
static char *find_listed(const strbuf *list, const char *name) {
    size_t n = strlen(name);
    for (char *at = list->data; at != NULL && *at;) {
        char *end = strstr(at, ", ");
        size_t length = end ? (size_t)(end - at) : strlen(at);
        if (length == n && strncmp(at, name, n) == 0) return at;
        at = end ? end + 2 : NULL;
    }
    return NULL;
}

static void note_unrestored(repl *r, const char *name) {
    if (find_listed(&r->save.unrestored, name) != NULL) return;
    strbuf_appendf(&r->save.unrestored, "%s%s", r->save.unrestored.length ? ", " : "", name);
}

void restore_rebound(repl *r) {
    for (int i = 0; i < r->save.touched_count && r->save.unrestored.length > 0; i++) {
        if (r->save.touched_in_place[i]) continue;
        char *at = find_listed(&r->save.unrestored, r->save.touched[i]);
        if (at == NULL) continue;
        size_t n = strlen(r->save.touched[i]), start = (size_t)(at - r->save.unrestored.data);
        /* the name and the separator after it, or before it when last */
        size_t end = start + n;
        if (end < r->save.unrestored.length) end += 2;
        else if (start >= 2) start -= 2;
        memmove(r->save.unrestored.data + start, r->save.unrestored.data + end, r->save.unrestored.length - end + 1);
        r->save.unrestored.length -= end - start;
    }
}

const char *restore_unrestored(repl *r) { return r->save.unrestored.data ? r->save.unrestored.data : ""; }

void restore_clear_unrestored(repl *r) {
    free(r->save.unrestored.data);
    r->save.unrestored = (strbuf){0};
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The restoring statements for what the failed statement touched (NULL when
 * it touched nothing); malloc'd. */
char *restore_text(repl *r) {
    int count = 0;
    char **names = NULL; /* sorted, each once; in_place[k] says how names[k] changed */
    if (r->save.touched_all) { /* every session variable, and the names noted */
        int n = 0;
        const name_entry **sorted = names_sorted(&r->names, &n);
        names = malloc((size_t)(n + r->save.touched_count + 1) * sizeof *names);
        for (int i = 0; names && sorted && i < n; i++) /* objects: named as not restored */
            if (sorted[i]->value.kind == VALUE_VAR || sorted[i]->value.kind == VALUE_OBJECT)
                names[count++] = sorted[i]->name;
        free((void *)sorted);
    } else {
        names = malloc((size_t)(r->save.touched_count + 1) * sizeof *names);
    }
    if (names == NULL) return NULL;
    for (int i = 0; i < r->save.touched_count; i++) {
        bool seen = false;
        for (int k = 0; k < count && !seen; k++) seen = strcmp(names[k], r->save.touched[i]) == 0;
        if (!seen) names[count++] = r->save.touched[i];
    }
    qsort(names, (size_t)count, sizeof *names, by_name);
    strbuf done = {0}, skipped = {0}, lines = {0};
    for (int i = 0; i < count; i++) {
        repl_value *v = names_get(&r->names, names[i]);
        if (v == NULL) continue;
        bool in_place = true; /* changed only through its data, unless it was bound anew */
        for (int k = 0; k < r->save.touched_count; k++)
            if (strcmp(r->save.touched[k], names[i]) == 0) in_place = r->save.touched_in_place[k];
        strbuf *list = append_binding(&lines, names[i], *v, in_place) ? &done : &skipped;
        strbuf_appendf(list, "%s%s", list->length ? ", " : "", names[i]);
        if (list == &skipped) note_unrestored(r, names[i]);
    }
    free(names);
    strbuf text = {0};
    if (done.length)
        strbuf_appendf(&text, "# restored: %s (their statement failed or was interrupted)\n", done.data);
    if (skipped.length)
        strbuf_appendf(&text, "# not restored: %s (changed by a statement that failed or was "
                              "interrupted; such a value cannot be written as a statement)\n",
                       skipped.data);
    if (r->save.touched_lost)
        strbuf_append(&text, "# not restored: some names (out of memory noting them)\n");
    strbuf_append(&text, lines.data ? lines.data : "");
    free(done.data);
    free(skipped.data);
    free(lines.data);
    if (text.length == 0) {
        free(text.data);
        return NULL;
    }
    while (text.length > 0 && text.data[text.length - 1] == '\n') text.data[--text.length] = '\0';
    return strbuf_take(&text);
}
