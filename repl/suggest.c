/* suggest.c — "did you mean" for unknown names, parameters and commands,
 * Tab completion (both enumerate the names a session knows), and what a
 * session's name holds, for a front end's inspector (repl_describe_name). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "repl_internal.h"
#include "strbuf.h"
#include "lessons.h"
#include "lexer.h"

/* Methods every variable has besides the one-variable built-ins. */
static const char *const variable_methods[] = {
    "backward", "cleargrad", "unchain", "unchain_backward", NULL,
};


int repl_edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return n > m ? (int)(n - m) + 64 : (int)(m - n) + 64;
    /* rows i-2, i-1, i of the optimal-string-alignment table */
    int rows[3][65];
    for (size_t j = 0; j <= m; j++) rows[1][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int *row = rows[(i + 1) % 3], *previous = rows[i % 3], *before = rows[(i + 2) % 3];
        /* (i+1)%3 holds row i; i%3 holds row i-1; (i+2)%3 holds row i-2 */
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = previous[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (previous[j - 1] + cost < best) best = previous[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            row[j] = best;
        }
    }
    return rows[(n + 1) % 3][m];
}

/* How far a suggestion may be from what was typed. */
static int allowed_distance(const char *word) {
    size_t n = strlen(word);
    return n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

static size_t common_prefix(const char *a, const char *b) {
    size_t n = 0;
    while (a[n] != '\0' && a[n] == b[n]) n++;
    return n;
}

/* Of two candidates as far from word: the one sharing more of its start
 * ("sinn": sin, not sign), then one that word starts with or that starts
 * with word (a letter typed twice or left off: sin, not sine), then the
 * first in alphabetical order. */
static bool nearer_tie(const char *word, const char *c, const char *best) {
    size_t pc = common_prefix(word, c), pb = common_prefix(word, best);
    if (pc != pb) return pc > pb;
    bool whole_c = c[pc] == '\0' || word[pc] == '\0', whole_b = best[pb] == '\0' || word[pb] == '\0';
    if (whole_c != whole_b) return whole_c;
    return strcmp(c, best) < 0;
}

const char *repl_nearest_word(const char *word, const char *const *candidates, int n) {
    const char *best = NULL;
    int best_distance = allowed_distance(word) + 1;
    for (int i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (c == NULL || strcmp(c, word) == 0) continue;
        int d = repl_edit_distance(word, c);
        if (d >= (int)strlen(c) && d >= (int)strlen(word)) continue; /* nothing in common */
        if (d < best_distance || (d == best_distance && best && nearer_tie(word, c, best))) {
            best = c;
            best_distance = d;
        }
    }
    /* a typed prefix (`x.gr` for grad) is near enough too */
    size_t length = strlen(word);
    for (int i = 0; best == NULL && length >= 2 && i < n; i++)
        if (candidates[i] && strncmp(candidates[i], word, length) == 0) best = candidates[i];
    return best;
}

/* ---- collecting names -------------------------------------------------------- */

typedef struct word_list {
    const char **words;
    int count;
    size_t capacity;
} word_list;

static void word_add(word_list *list, const char *word) {
    if (!ARRAY_RESERVE(list->words, list->capacity, (size_t)list->count, 1)) return;
    list->words[list->count++] = word;
}

static void add_table(word_list *list, const name_table *t) {
    if (t == NULL) return;
    for (int i = 0; i < t->capacity; i++)
        if (t->entries[i].name != NULL) word_add(list, t->entries[i].name);
}

/* Where an unknown name stands, which says what it could have meant: a
 * statement of its own any name or keyword (`whil` -> while), an operand a
 * name or a keyword that begins an expression (`ture` -> true), a callee a
 * name but no keyword (a keyword is never called: `foo(1)` must not offer
 * 'for'), the target of `fo += 1` only a bound name (neither a keyword nor a
 * built-in can be updated). */
typedef enum { PLACE_STATEMENT, PLACE_OPERAND, PLACE_CALLEE, PLACE_TARGET } name_place;

/* Whether keyword `word` can begin an expression: a literal (true, none,
 * Ellipsis and their other spellings) or not, as the parser's primary and
 * unary rules take them.  The lexer names the token, so True is true. */
static bool keyword_begins_expression(const char *word) {
    token_list tokens = {0};
    bool begins = false;
    if (lexer_tokenize(word, 1, &tokens) && tokens.count > 0) {
        token_kind kind = tokens.tokens[0].kind;
        begins = kind == TOKEN_TRUE || kind == TOKEN_FALSE || kind == TOKEN_NONE || kind == TOKEN_ELLIPSIS ||
                 kind == TOKEN_NOT;
    }
    token_list_free(&tokens);
    return begins;
}

/* Every name that could stand at `place`: the bound ones, then (but for a
 * target) the built-ins and constants, then the keywords the place admits. */
static void collect_names(repl *r, word_list *list, name_place place) {
    add_table(list, r->eval.locals);
    add_table(list, &r->names);
    if (place == PLACE_TARGET) return;
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    for (int i = 0; i < count; i++) word_add(list, all[i].name);
    for (const repl_constant *k = repl_constants; k->name; k++) word_add(list, k->name);
    for (int i = 0; place != PLACE_CALLEE && lexer_keyword(i) != NULL; i++)
        if (place == PLACE_STATEMENT || keyword_begins_expression(lexer_keyword(i)))
            word_add(list, lexer_keyword(i));
}

/* The node whose child `target` is, in the tree under `root`; NULL when
 * target is not in it.  A walk with a stack of its own: a chain a + b + ...
 * nests deeper than recursion should go (ast.h). */
static const ast_node *parent_of(const ast_node *root, const ast_node *target) {
    const ast_node **stack = NULL;
    size_t capacity = 0, depth = 0;
    const ast_node *parent = NULL;
    if (root != NULL && ARRAY_RESERVE(stack, capacity, depth, 1)) stack[depth++] = root;
    while (parent == NULL && depth > 0) {
        const ast_node *node = stack[--depth];
        int count = ast_child_count(node);
        for (int i = 0; i < count && parent == NULL; i++) {
            const ast_node *child = ast_child(node, i);
            if (child == NULL) continue;
            if (child == target) parent = node;
            else if (ARRAY_RESERVE(stack, capacity, depth, 1)) stack[depth++] = child;
        }
    }
    free(stack);
    return parent;
}

/* Where node `at` of the running chunk stands (a statement when unknown). */
static name_place place_of(repl *r, const ast_node *at) {
    if (at == NULL || r->eval.chunk == NULL) return PLACE_STATEMENT;
    if (at->kind == AST_ASSIGN) return PLACE_TARGET; /* fo += 1 reports at the assignment */
    const ast_node *parent = parent_of(r->eval.chunk->program, at);
    if (parent == NULL || parent->kind == AST_BLOCK) return PLACE_STATEMENT;
    if (parent->kind == AST_CALL && parent->as.call.callee == at) return PLACE_CALLEE;
    return PLACE_OPERAND;
}

const char *suggest_name(repl *r, const ast_node *at, const char *word) {
    word_list list = {0};
    collect_names(r, &list, place_of(r, at));
    const char *best = repl_nearest_word(word, list.words, list.count);
    free(list.words);
    return best;
}

const char *suggest_bound_name(repl *r, const char *word) {
    word_list list = {0};
    collect_names(r, &list, PLACE_TARGET);
    const char *best = repl_nearest_word(word, list.words, list.count);
    free(list.words);
    return best;
}

/* ---- completion ----------------------------------------------------------------- */

/* Readline's word breaks (main.c): completion replaces the text after them. */
static bool is_break(char c) { return c != '\0' && strchr(" \t\n()[]{},;=+-*/%^@<>!&|\"", c); }

static bool starts_with(const char *word, const char *prefix, size_t n) {
    return strncmp(word, prefix, n) == 0;
}

typedef struct completion {
    void (*add)(void *user, const char *word);
    void *user;
    const char *head; /* text before the attribute ("x.") */
    size_t head_length;
    const char *prefix;
    size_t prefix_length;
    word_list seen;
} completion;

static void offer(completion *c, const char *word) {
    if (!starts_with(word, c->prefix, c->prefix_length)) return;
    for (int i = 0; i < c->seen.count; i++)
        if (strcmp(c->seen.words[i], word) == 0) return;
    char *copy = strdup(word); /* words may come from reused buffers */
    if (copy == NULL) return;
    int before = c->seen.count;
    word_add(&c->seen, copy);
    if (c->seen.count == before) free(copy);
    size_t n = strlen(word);
    char *full = malloc(c->head_length + n + 1);
    if (full == NULL) return;
    memcpy(full, c->head, c->head_length);
    memcpy(full + c->head_length, word, n + 1);
    c->add(c->user, full);
    free(full);
}

/* A built-in with a method form (builtin_method_form) whose first
 * parameter takes a variable: offered as a method of variables. */
static bool is_variable_method(const builtin_def *def) {
    static const char *const receivers[] = {"x", "y", "a", "v", "logits", "x0", NULL};
    if (def->signature == NULL || !builtin_method_form(def)) return false;
    size_t n = strcspn(def->signature, ",=");
    for (int i = 0; receivers[i]; i++)
        if (strlen(receivers[i]) == n && strncmp(def->signature, receivers[i], n) == 0) return true;
    return false;
}

/* The value a chain like "x.grad.grad" or "opt.state" names, for completion:
 * a session name, then the gradients of variables and the attributes of
 * objects (read-only look-ups; nothing is computed or recorded).  False when
 * a link is missing (x.grad is nil, say). */
static bool resolve_chain(repl *r, const char *chain, repl_value *out) {
    char *copy = strdup(chain);
    if (copy == NULL) return false;
    char *save = NULL, *part = strtok_r(copy, ".", &save);
    bool ok = part != NULL && eval_lookup_name(r, part, out);
    while (ok && (part = strtok_r(NULL, ".", &save)) != NULL) {
        repl_value next = VALUE_NIL_INIT;
        if (out->kind == VALUE_VAR && strcmp(part, "grad") == 0) {
            next = value_var(ag_grad(out->as.var));
        } else if (out->kind == VALUE_OBJECT && out->as.object->type &&
                   out->as.object->type->get_attr) {
            const repl_object_type *type = out->as.object->type;
            if (type->get_attr(r, out->as.object->payload, part, &next) != 0) {
                repl_clear_error(r);
                next = (repl_value)VALUE_NIL_INIT;
            }
        }
        value_release(*out);
        *out = next;
        ok = next.kind != VALUE_NIL;
    }
    free(copy);
    return ok;
}

/* The names only this object answers beyond its kind's attributes (a
 * model's parameter paths: m.linear), from type->attributes_of's list
 * "linear, conv". */
static void offer_own_attributes(completion *c, const repl_object_type *type, const void *payload) {
    if (type->attributes_of == NULL) return;
    char list[512] = "";
    type->attributes_of(payload, list, sizeof list);
    for (char *save = NULL, *name = strtok_r(list, ", ", &save); name != NULL; name = strtok_r(NULL, ", ", &save))
        offer(c, name);
}

static void offer_members(repl *r, completion *c, const char *object_name) {
    repl_value v;
    if (!resolve_chain(r, object_name, &v)) return;
    if (v.kind == VALUE_VAR || v.kind == VALUE_NUMBER) {
        for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++) offer(c, a->name);
        for (int i = 0; variable_methods[i]; i++) offer(c, variable_methods[i]);
        int count = 0;
        const builtin_def *all = builtins_all(&count);
        for (int i = 0; i < count; i++)
            if (is_variable_method(&all[i])) offer(c, all[i].name);
    } else if (v.kind == VALUE_OBJECT && v.as.object->type) {
        const repl_object_type *type = v.as.object->type;
        for (int i = 0; type->attributes && type->attributes[i]; i++) offer(c, type->attributes[i]);
        offer_own_attributes(c, type, v.as.object->payload);
        for (int i = 0; i < type->nmethods; i++) offer(c, type->methods[i].name);
    }
    value_release(v);
}

/* ---- what is being completed ------------------------------------------------------
 * A file name after :save and inside a string (render(y, "g.p<Tab>), a file
 * or a lesson's name after :load, a help subject after :help, a command
 * after ':', else code: names, members after '.', and the keywords of the
 * call the cursor is in. */
typedef enum { CONTEXT_CODE, CONTEXT_FILE, CONTEXT_LOAD, CONTEXT_HELP, CONTEXT_COMMAND, CONTEXT_NONE } context_kind;

/* The context of the word that ends at `end`, and where that word starts. */
static context_kind completion_context(const char *line, int end, int *start) {
    int first = 0;
    while (first < end && (line[first] == ' ' || line[first] == '\t')) first++;
    if (line[first] == ':') {
        int name_end = first;
        while (name_end < end && line[name_end] != ' ' && line[name_end] != '\t') name_end++;
        if (name_end >= end) return *start = first, CONTEXT_COMMAND;
        int argument = name_end;
        while (argument < end && (line[argument] == ' ' || line[argument] == '\t')) argument++;
        *start = argument;
        size_t n = (size_t)(name_end - first);
        if (n == 5 && strncmp(line + first, ":load", 5) == 0) return CONTEXT_LOAD;
        if (n == 5 && strncmp(line + first, ":save", 5) == 0) return CONTEXT_FILE;
        if (n == 5 && strncmp(line + first, ":help", 5) == 0) return CONTEXT_HELP;
        return CONTEXT_NONE;
    }
    /* inside a string: after an opening quote with no closing one */
    int quote = -1;
    for (int i = 0; i < end; i++) {
        if (quote >= 0 && line[i] == '\\' && i + 1 < end) i++;
        else if (line[i] == '"') quote = quote >= 0 ? -1 : i;
        else if (quote < 0 && line[i] == '#') return CONTEXT_NONE; /* a comment */
    }
    if (quote >= 0) return *start = quote + 1, CONTEXT_FILE;
    int s = end;
    while (s > 0 && !is_break(line[s - 1])) s--;
    *start = s;
    return CONTEXT_CODE;
}

const char *repl_completion_breaks(const char *line, int end) {
    static const char code_breaks[] = " \t\n()[]{},;=+-*/%^@<>!&|\"";
    static const char file_breaks[] = " \t\n\"";
    int start;
    if (line == NULL || end < 0 || (size_t)end > strlen(line)) return code_breaks;
    context_kind kind = completion_context(line, end, &start);
    return kind == CONTEXT_FILE || kind == CONTEXT_LOAD || kind == CONTEXT_HELP ? file_breaks : code_breaks;
}

bool repl_completing_file(const char *line, int end) {
    int start;
    if (line == NULL || end < 0 || (size_t)end > strlen(line)) return false;
    context_kind kind = completion_context(line, end, &start);
    return kind == CONTEXT_FILE || kind == CONTEXT_LOAD;
}

/* File and directory names that complete `word` (a path typed so far);
 * directories end in '/'.  Hidden entries only when the name starts with '.'. */
static void offer_files(completion *c, const char *word) {
    const char *slash = strrchr(word, '/');
    size_t dir_length = slash ? (size_t)(slash - word) + 1 : 0;
    char *dir = strndup(word, dir_length);
    if (dir == NULL) return;
    DIR *d = opendir(dir_length ? dir : ".");
    const char *base = word + dir_length;
    if (d != NULL) {
        struct dirent *entry;
        while ((entry = readdir(d)) != NULL) {
            const char *name = entry->d_name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            if (name[0] == '.' && base[0] != '.') continue;
            if (strncmp(name, base, strlen(base)) != 0) continue;
            size_t n = strlen(name);
            char *full = malloc(dir_length + n + 2);
            if (full == NULL) break;
            memcpy(full, dir, dir_length);
            memcpy(full + dir_length, name, n + 1);
            DIR *sub = opendir(full);
            if (sub != NULL) {
                closedir(sub);
                strcat(full, "/");
            }
            offer(c, full);
            free(full);
        }
        closedir(d);
    }
    free(dir);
}

/* offer as a callback (user is the completion): lessons, :help's words. */
static void offer_word(void *user, const char *name) { offer(user, name); }

/* The built-in (or object method) of the call whose '(' is open at `start`,
 * and whether it is called as a method (x.f(...): its receiver is given). */
static const builtin_def *open_call(repl *r, const char *line, int start, bool *as_method) {
    int depth = 0, paren = -1;
    bool in_string = false;
    for (int i = start - 1; i >= 0 && paren < 0; i--) {
        char ch = line[i];
        if (ch == '"') in_string = !in_string;
        if (in_string) continue;
        if (ch == ')' || ch == ']') depth++;
        else if ((ch == '(' || ch == '[') && depth > 0) depth--;
        else if (ch == '(') paren = i;
        else if (ch == '[') return NULL; /* inside a list or an index */
    }
    if (paren <= 0) return NULL;
    int callee = paren;
    while (callee > 0 && (line[callee - 1] == '_' || line[callee - 1] == '.' ||
                          (line[callee - 1] >= '0' && line[callee - 1] <= '9') ||
                          (line[callee - 1] >= 'a' && line[callee - 1] <= 'z') ||
                          (line[callee - 1] >= 'A' && line[callee - 1] <= 'Z')))
        callee--;
    char *text = strndup(line + callee, (size_t)(paren - callee));
    if (text == NULL) return NULL;
    char *dot = strrchr(text, '.');
    const builtin_def *def = NULL;
    *as_method = dot != NULL;
    if (dot != NULL) {
        *dot = '\0';
        repl_value object;
        if (resolve_chain(r, text, &object)) {
            if (object.kind == VALUE_OBJECT && object.as.object->type) {
                const repl_object_type *type = object.as.object->type;
                for (int i = 0; i < type->nmethods && def == NULL; i++)
                    if (strcmp(type->methods[i].name, dot + 1) == 0) def = &type->methods[i];
            }
            value_release(object);
        }
        if (def == NULL) def = builtin_find(dot + 1);
        if (def != NULL && !builtin_method_form(def) && def->fn != NULL && builtin_find(dot + 1) == def)
            def = NULL; /* x.mlp( is an error: nothing to offer */
    } else {
        def = builtin_find(text);
    }
    free(text);
    return def;
}

/* "name=" for each named parameter of def (a method's receiver skipped). */
static void offer_keywords(completion *c, const builtin_def *def, bool as_method) {
    const char *p = def->signature;
    for (int index = 0; p != NULL && *p; index++) {
        while (*p == ' ' || *p == ',') p++;
        size_t n = strcspn(p, ",");
        size_t name_length = strcspn(p, "=,");
        if (!(as_method && index == 0) && p[0] != '*' && name_length > 0 && name_length < 48) {
            char word[64];
            memcpy(word, p, name_length);
            memcpy(word + name_length, "=", 2);
            offer(c, word);
        }
        p += n;
    }
}

void repl_complete(repl *r, const char *line, int end, void (*add)(void *user, const char *word),
                   void *user) {
    if (r == NULL || line == NULL || add == NULL) return;
    size_t length = strlen(line);
    if (end < 0 || (size_t)end > length) end = (int)length;
    int start = end;
    context_kind kind = completion_context(line, end, &start);
    size_t n = (size_t)(end - start);
    char *word = malloc(n + 1);
    if (word == NULL) return;
    memcpy(word, line + start, n);
    word[n] = '\0';

    completion c = {.add = add, .user = user, .head = word, .head_length = 0, .prefix = word,
                    .prefix_length = n};
    if (kind == CONTEXT_NONE) {
        /* a command's other arguments, a comment: nothing to offer */
    } else if (kind == CONTEXT_COMMAND) {
        for (const command_def *k = command_table; k->name; k++) offer(&c, k->name);
    } else if (kind == CONTEXT_FILE) {
        offer_files(&c, word);
    } else if (kind == CONTEXT_LOAD) {
        /* the lessons :load NAME runs (none under --no-files, which refuses
           :load), then the files */
        if (!r->settings.no_files && (n == 0 || lesson_is_name(word))) lesson_names(offer_word, &c);
        offer_files(&c, word);
    } else if (kind == CONTEXT_HELP) {
        repl_help_words(offer_word, &c);
    } else {
        char *dot = strrchr(word, '.');
        if (dot != NULL) {
            *dot = '\0';
            c.head_length = (size_t)(dot - word) + 1;
            c.prefix = dot + 1;
            c.prefix_length = strlen(dot + 1);
            /* c.head keeps the text up to the dot; restore it for copying */
            char *object_name = strdup(word);
            *dot = '.';
            if (object_name != NULL) offer_members(r, &c, object_name);
            free(object_name);
        } else {
            bool as_method = false;
            const builtin_def *call = open_call(r, line, start, &as_method);
            if (call != NULL) offer_keywords(&c, call, as_method);
            word_list names = {0};
            collect_names(r, &names, PLACE_STATEMENT);
            for (int i = 0; i < names.count; i++) offer(&c, names.words[i]);
            free(names.words);
        }
    }
    for (int i = 0; i < c.seen.count; i++) free((char *)c.seen.words[i]);
    free(c.seen.words);
    free(word);
}

/* ---- what a name holds ------------------------------------------------------------
 * For a front end's inspector (the Jupyter kernel's Shift-Tab on a name of
 * the session): what it is, then its value as the session prints it, its
 * numbers summarized sooner than a print does, and the text cut short. */

/* A tensor with more elements shows the first and last few per axis. */
#define DESCRIBE_THRESHOLD 100
#define DESCRIBE_EDGE 3
/* The description ends after this many lines or bytes ("..." says so). */
#define DESCRIBE_LINES 30
#define DESCRIBE_BYTES 4000

/* value_text (or value_text_line, one_line) with tensors summarized past
 * DESCRIBE_THRESHOLD elements (or the session's own, when smaller). */
static char *describe_value_text(repl *r, repl_value v, bool one_line) {
    double threshold = r->settings.print_threshold;
    int edge = r->settings.print_edge;
    if (!(threshold <= DESCRIBE_THRESHOLD)) r->settings.print_threshold = DESCRIBE_THRESHOLD;
    if (edge > DESCRIBE_EDGE) r->settings.print_edge = DESCRIBE_EDGE;
    char *text = one_line ? value_text_line(r, v, true) : value_text(r, v, true);
    r->settings.print_threshold = threshold;
    r->settings.print_edge = edge;
    return text;
}

/* "label: text" when text is one line, else "label:" and text below it. */
static void describe_labelled(strbuf *t, const char *label, const char *text) {
    strbuf_append(t, label);
    strbuf_append(t, strchr(text, '\n') ? ":\n" : ": ");
    strbuf_append(t, text);
    strbuf_append(t, "\n");
}

/* "x: variable [2 3], a leaf, with a gradient", its value and its gradient;
 * a 0-d variable is a "scalar variable", as the graph window's inspector
 * says "shape: scalar" (viz/graph_inspect.c) where a shape would be "[]". */
static void describe_variable(repl *r, strbuf *t, const char *name, ag_var *x) {
    char shape[AG_SHAPEBUF];
    if (ag_ndim(x) == 0)
        strbuf_appendf(t, "%s: scalar variable", name);
    else
        strbuf_appendf(t, "%s: variable %s", name, ag_shape_string(ag_ndim(x), ag_shape(x), shape));
    ag_func *creator = ag_creator(x);
    if (creator != NULL) {
        char label[128];
        ag_func_label(creator, label, sizeof label);
        strbuf_appendf(t, ", made by %s", label);
    } else {
        strbuf_append(t, ", a leaf");
    }
    ag_var *grad = ag_grad(x);
    strbuf_append(t, grad ? ", with a gradient\n" : ", no gradient\n");
    repl_value xv = value_var(x);
    char *text = describe_value_text(r, xv, false);
    value_release(xv);
    if (text != NULL) strbuf_appendf(t, "%s\n", text);
    free(text);
    if (grad != NULL) {
        repl_value g = value_var(grad);
        text = describe_value_text(r, g, false);
        value_release(g);
        if (text != NULL) describe_labelled(t, "grad", text);
        free(text);
    }
}

static void describe_function(repl *r, strbuf *t, const char *name, repl_value v) {
    const user_function *f = v.as.function;
    char *signature = value_text(r, v, false); /* "<function f(a, b=2)>" */
    size_t n = signature ? strlen(signature) : 0;
    if (n > 11 && strncmp(signature, "<function ", 10) == 0)
        strbuf_appendf(t, "%s: function %.*s, defined in this session\n", name, (int)(n - 11), signature + 10);
    else
        strbuf_appendf(t, "%s: function %s\n", name, f->name);
    free(signature);
    const ast_node *def = f->def;
    if (f->chunk != NULL && def->source_end > def->source_start) {
        char *source = strndup(f->chunk->source + def->source_start, def->source_end - def->source_start);
        if (source != NULL) {
            text_printable(source, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* the def's text came from a file */
            strbuf_appendf(t, "%s\n", source);
        }
        free(source);
    }
}

/* text (taken) cut after DESCRIBE_LINES lines or DESCRIBE_BYTES bytes: whole
 * lines, and of the line that would pass the bytes its start, then "...". */
static char *describe_shortened(char *text) {
    size_t length = strlen(text), at = 0;
    int lines = 0;
    while (at < length && lines < DESCRIBE_LINES) {
        const char *newline = memchr(text + at, '\n', length - at);
        size_t end = newline ? (size_t)(newline - text) + 1 : length;
        if (end > DESCRIBE_BYTES) break;
        at = end;
        lines++;
    }
    if (at >= length) return text;
    strbuf t = {0};
    strbuf_append_n(&t, text, at);
    if (lines < DESCRIBE_LINES) { /* the start of the long line, cut at a character */
        size_t cut = DESCRIBE_BYTES;
        while (cut > at && ((unsigned char)text[cut] & 0xc0) == 0x80) cut--;
        strbuf_append_n(&t, text + at, cut - at);
        strbuf_append(&t, " ...\n");
    } else {
        strbuf_append(&t, "...\n");
    }
    free(text);
    return strbuf_take(&t);
}

char *repl_describe_name(repl *r, const char *name) {
    if (r == NULL || name == NULL) return NULL;
    const repl_value *slot = names_get(&r->names, name);
    if (slot == NULL) return NULL;
    repl_value v = value_copy(*slot);
    strbuf t = {0};
    char *text = NULL;
    switch (v.kind) {
    case VALUE_VAR: describe_variable(r, &t, name, v.as.var); break;
    case VALUE_FUNCTION: describe_function(r, &t, name, v); break;
    case VALUE_STRING:
        strbuf_appendf(&t, "%s: string of %zu bytes\n", name, v.as.string->length);
        text = describe_value_text(r, v, true);
        break;
    case VALUE_LIST:
        strbuf_appendf(&t, "%s: list of %d item%s\n", name, v.as.list->count, v.as.list->count == 1 ? "" : "s");
        text = describe_value_text(r, v, true); /* as print() shows it */
        break;
    case VALUE_BUILTIN:
        strbuf_appendf(&t, "%s: built-in function\n", name);
        text = describe_value_text(r, v, true);
        if (text != NULL && v.as.builtin->help != NULL) {
            strbuf_appendf(&t, "%s\n  %s\n", text, v.as.builtin->help);
            free(text);
            text = NULL;
        }
        break;
    default: /* numbers, booleans, none, objects (models, optimizers, loaders...) */
        strbuf_appendf(&t, "%s: %s\n", name, value_kind_name(v));
        text = describe_value_text(r, v, true);
        break;
    }
    if (text != NULL) strbuf_appendf(&t, "%s\n", text);
    free(text);
    value_release(v);
    char *description = strbuf_take(&t);
    if (description == NULL) return NULL;
    text_printable(description, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* names and strings from files */
    return describe_shortened(description);
}

/* ---- a lesson's name ---------------------------------------------------------- */

static void add_lesson_copy(void *user, const char *name) {
    char *copy = strdup(name);
    if (copy != NULL) word_add(user, copy);
}

bool repl_nearest_lesson(const char *name, char *out, size_t size) {
    word_list names = {0};
    lesson_names(add_lesson_copy, &names);
    const char *near = names.count > 0 ? repl_nearest_word(name, names.words, names.count) : NULL;
    bool found = near != NULL && (size_t)snprintf(out, size, "%s", near) < size;
    for (int i = 0; i < names.count; i++) free((char *)names.words[i]);
    free(names.words);
    return found;
}
