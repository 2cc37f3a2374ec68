/* commands.c — the ':' commands: help generated from
 * the built-in tables, listing names and functions, loading and saving
 * scripts, reset, display settings, quit. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "atomic_file.h"
#include "confined.h"
#include "lessons.h"
#include "source.h"
#include "repl_internal.h"

#define MAX_LOAD_DEPTH 16

/* The command functions, defined below; command_table lists them. */
static int command_help_run(repl *r, const char *argument);
static int command_vars(repl *r, const char *argument);
static int command_funcs(repl *r, const char *argument);
static int command_load(repl *r, const char *argument);
static int command_lessons(repl *r, const char *argument);
static int command_save(repl *r, const char *argument);
static int command_save_over(repl *r, const char *argument);
static int command_reset(repl *r, const char *argument);
static int command_digits(repl *r, const char *argument);
static int command_time(repl *r, const char *argument);
static int command_pace(repl *r, const char *argument);
static int command_zoom(repl *r, const char *argument);
static int command_quit(repl *r, const char *argument);
static int command_seed(repl *r, const char *argument);
static int command_print(repl *r, const char *argument);
static void print_setting_text(const repl *r, char *out, size_t size);
static void record_command(repl *r, const command_def *command, const char *argument);

/* The ':' commands: dispatch, completion, suggestions and :help read this. */
const command_def command_table[] = {
    {":help", ":help [topic|name]",
     "this help; a topic, or one built-in by name (the built-in when a topic has its name too; "
     ":help topic NAME is the topic); a keyword argument (:help create_graph) lists the built-ins taking it; "
     "a word of the language (:help for) shows its syntax",
     command_help_run},
    {":vars", ":vars [NAME...]",
     "the bound names, or only those given (patterns like w* too), with kinds, shapes (scalar for a 0-d variable) and gradients",
     command_vars},
    {":funcs", ":funcs", "the functions you defined, with their definitions", command_funcs},
    {":load", ":load FILE|NAME", "run FILE as a script (stops at its first error), or the lesson NAME (on an empty figure, pace off; "
     "a lesson's data NAME_data runs as a file); the file :load NAME runs, given by its path, is that lesson",
     command_load, .files = true},
    {":lessons", ":lessons", "the lessons, one line each (:load NAME runs one)", command_lessons, .files = true},
    {":save", ":save FILE",
     "write every successful statement so far to FILE, as a script that replays the session "
     "(what a failed or interrupted statement changed, as values; :digits, :time, :pace and :zoom "
     "where they ran); it overwrites only files this session wrote, unchanged since",
     command_save, .files = true},
    {":save!", ":save! FILE", "as :save, and overwrite FILE even if this session did not write it or it changed since", command_save_over, .files = true},
    {":reset", ":reset", "forget every name and function and free all memory", command_reset},
    {":digits", ":digits N|full",
     "show numbers rounded to N significant digits (not stored rounded); full goes back (a lesson, by "
     "name or by its file's path, starts at 4, and its own :digits last to its end)",
     command_digits, .replayed = true},
    {":time", ":time on|off", "print how long each statement took", command_time, .replayed = true},
    {":pace", ":pace N|off", "slows loops that plot or track to N frames a second (as pace(N))",
     command_pace, .replayed = true},
    {":zoom", ":zoom F",
     "scale text and lines of plots and graphs by F (1.5 for a projector), in windows, notebooks and files "
     "saved after it (a plot's window and saved file grow F times with it, a notebook's plot keeps its "
     "width; a saved graph keeps its size, or grows as little as its bigger text needs, with a note)",
     command_zoom, .replayed = true},
    {":print", ":print full|N [E]",
     "print whole tensors (full), or summarize those of more than N elements to their first and "
     "last E per axis (1000 and 3 at first; set_printoptions(threshold=, edgeitems=) is the same)",
     command_print, .replayed = true},
    {":seed", ":seed N",
     "start the random numbers again from N, as seed(N): rand, randn, dropout and models made "
     "without seed= repeat after the same :seed",
     command_seed, .replayed = true},
    {":quit", ":quit", "leave (Ctrl-D too); in a notebook, end the kernel as ipykernel's exit()", command_quit},
    {0},
};

/* Other spellings of :quit, accepted but not listed. */
static const char *const quit_aliases[] = {":q", ":exit", NULL};

static const command_def *command_find(const char *name) {
    for (const command_def *c = command_table; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    for (int i = 0; quit_aliases[i]; i++)
        if (strcmp(quit_aliases[i], name) == 0) return command_find(":quit");
    return NULL;
}

/* ---- help ------------------------------------------------------------------------- */

static const char language_help_before[] =
    "The language\n"
    "  x = 1.0                  bind a name; the literal becomes a leaf variable named x\n"
    "  y = sin(x) + x^2         operators build the graph; the result is named y\n"
    "  y                        an expression statement prints its value (at top level only)\n"
    "  x -= 0.01 * x.grad       an update: in place, on x's data, no graph (also += *= /= %= //=\n"
    "                           ^= **=; @= is not: write x = x @ e)\n"
    "  L += x * i               a term: L = L + x * i, recorded in the graph (rule below)\n"
    "  x.data = e   x.grad = none   set x's value in place (same shape) / clear its gradient\n"
    "                           a graph built before an update cannot backward through the old value\n"
    "  def f(a, b) = a*b + 1    a function; or def f(a) { ...; return e }\n"
    "  def f(x, k=2) = x * k    defaults (last), evaluated at each call that leaves them out\n"
    "  for i in range(10) { }   range(n), range(a, b), range(a, b, step) (integers); lists;\n"
    "                           a 1-D variable (i and its elements are plain numbers); a\n"
    "                           matrix's rows; any sequence (enumerate, zip, m.params, ...)\n"
    "  for a, b in pairs { }    each item unpacked: for i, (xb, tb) in enumerate(loader) { }\n"
    "  a, b = e   a, b = b, a   unpacking, as Python's (a list, a pair, rows, a sequence); a\n"
    "                           count that does not match is an error and binds nothing\n"
    "  while c { }              c checked before each pass (break, continue; Ctrl-C stops it)\n"
    "  x[i] = e   x[i, :] += e  items of x's data set in place (e broadcast to the selection),\n"
    "                           no graph, counted as x.data = e is; lst[i] = e replaces an item\n"
    "  if c { } else if d { } else { }      break, continue\n"
    "  nograd { }  testmode { } no graph inside / dropout off inside\n"
    "Operators, loosest first: or, and, not, == != < <= > >= is, + -, * / % @, unary -, ^\n"
    "  (^ is right-associative: -x^2 is -(x^2), 2^3^2 is 512; ** is the same as ^; @ is\n"
    "  matmul).  == and != on lists and shapes compare contents: x.shape == [2, 3].\n"
    "  a is b, a is not b: the same value (x.grad is none).\n"
    "  + - * / ^ @ record graph nodes; a literal operand is a constant of the op (it gets no\n"
    "  gradient, and a loop's or a def's body makes it once), and a literal exponent makes\n"
    "  Pow(p) (x^2).  Comparisons of numbers and 0-d values give true/false, and % a plain\n"
    "  number; on tensors (one element too) comparisons give 0/1 tensors, as in PyTorch\n"
    "  (x * (x > 0)); if, while, and, or, not take a one-element tensor's truth (bool(x)),\n"
    "  through which no gradient flows, except that == and != beside a list ([3, 2],\n"
    "  x.shape) compare contents: true/false (eq(x, [1, 2]) is elementwise).\n"
    "Literals are variables: 2 is variable(2), [[1, 2], [3, 4]] a tensor of shape [2 2]\n"
    "  (rows must have one length), (1 + 2) records Add.  A list holding anything but numbers\n"
    "  ([x0, x1], [x, \"a\"]) stays a list.  Plain numbers: loop counters, len(), x.size,\n"
    "  x.ndim, x.generation, x.shape's entries, % and item(); a literal beside a plain number\n"
    "  stays plain (i + 1).  Shapes, axes, indices and sizes take numbers or variables.\n"
    "  [] is an empty list: lst.append(x), lst + [y] joins lists (Python's), sum(lst) adds its\n"
    "  items, len(lst); int, float, str and round(x, ndigits) are Python's.\n"
    "  A tuple in parentheses is a list: (3, 2), (3,).  none is the missing value (a gradient\n"
    "  before any backward).  Python's True, False and None are true, false and none.\n"
    "  There are no modules: torch.NAME and np.NAME are NAME, and torch.tensor or np.array\n"
    "  is variable (an error on tensor, array, torch or np says so).\n"
    "Calls: f(a, b, key=value).  Methods: x.sum(axis=0) is sum(x, axis=0), x.transpose(1, 0)\n"
    "  is transpose(x, 1, 0), x.reshape(3, 2) is reshape(x, 3, 2).  In a signature\n"
    "  name=value is a default, [name] a parameter that may be left out (sum(x, [axis])).\n"
    "Indexing: x[i] (drops axis 0), x[i, j], x[[0, 2]] (keeps it); negative counts from the end;\n"
    "  slices as Python: x[0:2], x[1:], x[:, 1], x[::2], x[::-1]; lists side by side pair up as\n"
    "  in NumPy and PyTorch: x[[0, 1], [1, 2]] is [x[0, 1], x[1, 2]] (lists broadcast; with a\n"
    "  slice or none between them their axis comes first, as PyTorch's).  ... stands for the axes\n"
    "  no other index takes (x[..., 2] is x[:, :, 2] of a 3-D x); none adds an axis of length 1\n"
    "  where it stands (x[None], x[:, None]); a comparison's result selects where it holds\n"
    "  (x[x > 0]), and one truth is none of length 1 or 0 (x[sum(x) > 1], x[true], x[false]);\n"
    "  slice(1, 3) is 1:3 as a value, and get_item(x, (0, slice(0, 2))) is x[0, 0:2].  All\n"
    "  differentiable; an error names the axis of x the index is for.\n";
/* ...then "Attributes: x.data ..." from repl_variable_attribute_table, then: */
static const char language_help_after[] =
    "x op= e (op + - * / % // ^ **) when x is a variable: if x is a leaf (no op made it) and\n"
    "  e is an update -- e uses a gradient (x.grad), or no named variable at all (numbers,\n"
    "  literals, x.data, randn(3), values made in nograd) -- it changes x's data in place and\n"
    "  records nothing: x stays the same leaf and the graph does not grow (x -= lr * x.grad).\n"
    "  Otherwise it is x = x op e, recorded as in micrograd and PyTorch: L = 0;\n"
    "  for i in range(3) { L += x * i } builds L's graph.  nograd { x += e } is always in place.\n"
    "x.data = e replaces x's numbers in place (e of x's shape); x.grad = none clears the\n"
    "  gradient, x.grad = g sets it; x.name = \"s\" renames.  Other attributes cannot be set.\n"
    "Blocks share the session's names.  In a def, `name = e` binds a local name (a def\n"
    "cannot rebind session names); `x -= e` still updates a session variable's data in place.\n"
    "A failing statement binds nothing and the session goes on; inside a loop or block, what\n"
    "the statements before it did stays done (like Ctrl-C, which stops a loop at the next\n"
    "statement).  Constants: pi, e.  Comments start with #.\n";

static const char printing_help[] =
    "Printing\n"
    "  A variable prints as name(value) when every dimension is 1, else name[shape](values);\n"
    "  an unnamed one as variable(...).  Matrices print one row per line; tensors with more\n"
    "  than 1000 elements show the first and last 3 along each axis (:print full, or\n"
    "  set_printoptions(threshold=\"full\"), prints them whole; :print N E changes both numbers).\n"
    "  Numbers print as the shortest text that reads back to the same double (1e-05, 0.0001,\n"
    "  1e+16); whole numbers below 2^53 print whole (1868122, 1000000).  A plain number (a\n"
    "  range counter, a count) prints bare: print(\"step\", i) shows step 10000.\n"
    "  A missing gradient prints none; strings print in quotes, lists as [a b c].\n"
    "  print(a, b, ...) writes one line: strings bare, every variable (even a matrix) in the\n"
    "  one-line form name[shape](values).\n"
    "  :digits N rounds what is shown to N significant digits; :digits full goes back.\n"
    "  NaN or Inf: after a statement whose ops first produced one, a warning names that op\n"
    "  (e.g. \"warning: NaN or Inf first produced by Log\"; in a backward, with the function\n"
    "  whose rule ran it: \"Div in Sqrt's backward\"), or the in-place update or\n"
    "  plain-number arithmetic that did (\"... first produced by x /= 0\"); it is a warning,\n"
    "  not an error.\n";

static void help_language(repl *r) {
    fputs(language_help_before, r->io.out);
    fputs("Attributes:", r->io.out);
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++)
        fprintf(r->io.out, " x.%s", a->name);
    fputs("\n", r->io.out);
    fputs(language_help_after, r->io.out);
}

static const char grad_flow_help[] =
    "grad⁺ (in tree(y), show(y), render and the notebook's graphs)\n"
    "  After a backward every node shows the gradient that flowed through it in that backward.\n"
    "  A leaf keeps its gradient in .grad and shows it as grad; an intermediate value (and the\n"
    "  output's seed) does not keep one -- backward frees it unless retain_grad=true -- so the\n"
    "  drawing shows it as grad⁺: what arrived there in the last backward, not kept in .grad\n"
    "  (reading .grad on it gives none).  grads=\"kept\" draws only the kept .grad values.\n"
    "  A grad marked ⚠ was summed over several backward calls without cleargrad.\n";

static void help_printing(repl *r) { fputs(printing_help, r->io.out); }

static void help_grad_flow(repl *r) { fputs(grad_flow_help, r->io.out); }

static void help_commands(repl *r);

/* The topics :help knows besides builtin_topics. */
static const struct {
    const char *name;
    void (*show)(repl *r);
} text_topics[] = {{"language", help_language}, {"commands", help_commands}, {"printing", help_printing}, {"grad⁺", help_grad_flow}};

static void help_overview(repl *r) {
    FILE *out = r->io.out;
    fputs("agrepl: automatic differentiation, by hand.\n"
          "Type statements (x = 1.0; y = sin(x) + x^2; y.backward(); x.grad) or commands.\n"
          "Help on a topic: :help TOPIC, on one built-in: :help NAME (e.g. :help sum; :help topic\n"
          "NAME for a topic that shares a built-in's name, as shape).\n"
          "Topics:",
          out);
    for (size_t i = 0; i < sizeof text_topics / sizeof text_topics[0]; i++)
        fprintf(out, " %s", text_topics[i].name);
    for (int i = 0; builtin_topics[i]; i++) fprintf(out, " %s", builtin_topics[i]);
    fputs("\n", out);
}

static void help_commands(repl *r) {
    fputs("Commands\n", r->io.out);
    for (const command_def *c = command_table; c->name; c++)
        fprintf(r->io.out, "  %-20s %s\n", c->usage, c->help);
}

static void help_topic(repl *r, const char *topic) {
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    int width = 0;
    for (int i = 0; i < count; i++) {
        if (!all[i].topic || strcmp(all[i].topic, topic) != 0) continue;
        char *signature = builtin_signature_text(&all[i]);
        int n = signature ? (int)strlen(signature) : 0;
        free(signature);
        if (n > width) width = n;
    }
    if (width > 40) width = 40;
    fprintf(r->io.out, "Built-ins: %s\n", topic);
    for (int i = 0; i < count; i++) {
        if (!all[i].topic || strcmp(all[i].topic, topic) != 0) continue;
        char *signature = builtin_signature_text(&all[i]);
        const char *help = all[i].help ? all[i].help : "";
        fprintf(r->io.out, "  %-*s  %.*s\n", width, signature ? signature : all[i].name,
                (int)strcspn(help, "\n"), help); /* the first line; :help NAME has the rest */
        free(signature);
    }
    if (strcmp(topic, "data") == 0) /* each data set's and loader's :help NAME says it too */
        fputs("  The data sets, loaded files and their batches are constants (PyTorch's requires_grad=False):\n"
              "  backward gives them no gradient, an op of data alone records no graph (its result is data);\n"
              "  xv = variable(x) is a copy that gets one.\n",
              r->io.out);
}

static void help_builtin(repl *r, const builtin_def *def) {
    char *signature = builtin_signature_text(def);
    fprintf(r->io.out, "%s\n  %s\n  topic: %s", signature ? signature : def->name,
            def->help ? def->help : "", def->topic);
    if (builtin_method_form(def))
        fprintf(r->io.out, "; also a method: x.%s(...) is %s(x, ...)", def->name, def->name);
    fputs("\n", r->io.out);
    free(signature);
}

int repl_help_subjects(const char ***out) {
    int count = 0, ncommands = 0, ntopics = 0, k = 0;
    const builtin_def *all = builtins_all(&count);
    while (command_table[ncommands].name) ncommands++;
    while (builtin_topics[ntopics]) ntopics++;
    size_t ntext = sizeof text_topics / sizeof text_topics[0];
    const char **subjects = malloc((ntext + (size_t)(ntopics + count + ncommands)) * sizeof *subjects);
    if (subjects == NULL) return *out = NULL, 0;
    for (size_t i = 0; i < ntext; i++) subjects[k++] = text_topics[i].name;
    for (int i = 0; i < ntopics; i++) subjects[k++] = builtin_topics[i];
    for (int i = 0; i < count; i++) subjects[k++] = all[i].name;
    for (int i = 0; i < ncommands; i++) subjects[k++] = command_table[i].name;
    *out = subjects;
    return k;
}

/* Shows the topic `name` (a text topic or a built-ins' topic); false when
 * there is none. */
static bool help_show_topic(repl *r, const char *name) {
    for (size_t i = 0; i < sizeof text_topics / sizeof text_topics[0]; i++)
        if (strcmp(text_topics[i].name, name) == 0) {
            text_topics[i].show(r);
            return true;
        }
    if (!builtin_topic_known(name)) return false;
    help_topic(r, name);
    return true;
}

static bool help_topic_exists(const char *name) {
    for (size_t i = 0; i < sizeof text_topics / sizeof text_topics[0]; i++)
        if (strcmp(text_topics[i].name, name) == 0) return true;
    return builtin_topic_known(name);
}

/* The keyword arguments of a built-in's signature (the parameters with a
 * default, as create_graph=false), one a call: the next one's name from
 * *cursor (set it to the signature first; NULL is none), its length in
 * *length; NULL after the last.  :help NAME looks keywords up with it and
 * suggests the nearest. */
static const char *next_keyword(const char **cursor, size_t *length) {
    const char *p = *cursor != NULL ? *cursor : "";
    while (*p) {
        while (*p == ' ') p++;
        const char *start = p;
        size_t part = strcspn(p, ","), name = strcspn(p, "=,");
        p += part;
        if (*p == ',') p++;
        if (name < part) {
            *cursor = p;
            *length = name;
            return start;
        }
    }
    *cursor = p;
    return NULL;
}

/* Does the built-in's signature have a keyword argument named `name`? */
static bool builtin_has_keyword(const builtin_def *def, const char *name) {
    size_t n = strlen(name), length;
    const char *cursor = def->signature;
    for (const char *keyword; (keyword = next_keyword(&cursor, &length)) != NULL;)
        if (length == n && strncmp(keyword, name, n) == 0) return true;
    return false;
}

/* :help NAME where NAME is a keyword argument of built-ins (create_graph,
 * retain_grad): the built-ins that take it; false when none does. */
static bool help_parameter(repl *r, const char *name) {
    int count = 0, found = 0;
    const builtin_def *all = builtins_all(&count);
    for (int i = 0; i < count; i++) {
        if (!builtin_has_keyword(&all[i], name)) continue;
        if (found++ == 0) fprintf(r->io.out, "%s: a keyword argument of\n", name);
        char *signature = builtin_signature_text(&all[i]);
        const char *help = all[i].help ? all[i].help : "";
        fprintf(r->io.out, "  %s\n    %.*s\n", signature ? signature : all[i].name, (int)strcspn(help, "\n"),
                help);
        free(signature);
    }
    if (found > 0) fputs("  (:help NAME says more of each)\n", r->io.out);
    return found > 0;
}

/* The keyword argument of a built-in nearest `word` (create_grap:
 * create_graph) into out; false when none is near. */
static bool help_nearest_keyword(const char *word, char *out, size_t size) {
    int count = 0;
    const builtin_def *all = builtins_all(&count);
    ARRAY(char *) names = {0};
    for (int i = 0; i < count; i++) {
        size_t length;
        const char *cursor = all[i].signature;
        for (const char *keyword; (keyword = next_keyword(&cursor, &length)) != NULL;) {
            char *copy = strndup(keyword, length);
            if (copy != NULL && !ARRAY_PUSH(names, copy)) free(copy);
        }
    }
    const char *near = names.count > 0 ? repl_nearest_word(word, (const char **)names.items, (int)names.count) : NULL;
    bool found = near != NULL && (size_t)snprintf(out, size, "%s", near) < size;
    for (size_t i = 0; i < names.count; i++) free(names.items[i]);
    free(names.items);
    return found;
}

/* The language's own words (the lexer's keywords and the constants), which
 * are neither built-ins nor topics: :help for said "did you mean 'xor'?". */
static const struct {
    const char *const words[3]; /* the words that share the entry */
    const char *usage, *help;
} language_words[] = {
    {{"if", "else"}, "if c { } else if d { } else { }",
     "runs the first block whose condition holds; c is a truth, or a one-element tensor's\n"
     "  (bool(x)), through which no gradient flows"},
    {{"for", "in"}, "for i in range(10) { }   for a, b in pairs { }",
     "range(n), range(a, b), range(a, b, step); a list; a 1-D variable's elements or a\n"
     "  matrix's rows; any sequence (enumerate, zip, m.params, batches(x, t, size=32)); each\n"
     "  item unpacked when there are several names"},
    {{"while"}, "while c { }", "runs the block while c holds, checked before each pass; Ctrl-C stops it"},
    {{"break", "continue"}, "break   continue",
     "leaves the innermost for or while / goes on with its next pass"},
    {{"def", "return"}, "def f(a, b) = a*b + 1   def f(a, k=2) { ...; return e }",
     "a function; defaults come last and are evaluated at each call that leaves them out;\n"
     "  name = e inside binds a local name; return e ends the call with e's value"},
    {{"nograd"}, "nograd { }",
     "records no graph inside (PyTorch's with torch.no_grad():); x += e there is always in place;\n"
     "  a result of data alone (a data set, a loader's batch) is data, never given a gradient, any\n"
     "  other a leaf that can get one: nograd { w2 = w - lr * w.grad }"},
    {{"testmode"}, "testmode { }", "dropout is off inside (PyTorch's model.eval())"},
    {{"and", "or", "not"}, "a and b   a or b   not a",
     "truths, as Python's (a one-element tensor's truth is bool(x)); and/or skip b when a decides"},
    {{"is"}, "a is b   a is not b", "the same value: x.grad is none"},
    {{"none"}, "none", "the missing value (Python's None): a gradient before any backward; x.grad = none clears one"},
    {{"true", "false"}, "true   false", "the truths (Python's True and False)"},
    {{"pi", "e"}, "pi   e", "the constants 3.141592653589793 and 2.718281828459045"},
};

/* Every word :help NAME answers, for completion, each to add(user, word)
 * (some twice: the caller keeps one): the subjects (repl_help_subjects),
 * the attributes, the keyword arguments of built-ins, the words of the
 * language, and "topic" (:help topic NAME). */
void repl_help_words(void (*add)(void *user, const char *word), void *user) {
    const char **subjects = NULL;
    int count = repl_help_subjects(&subjects);
    for (int i = 0; i < count; i++) add(user, subjects[i]);
    free(subjects);
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++) add(user, a->name);
    const builtin_def *all = builtins_all(&count);
    for (int i = 0; i < count; i++) {
        size_t length;
        const char *cursor = all[i].signature;
        for (const char *keyword; (keyword = next_keyword(&cursor, &length)) != NULL;) {
            char name[64];
            if (length >= sizeof name) continue;
            memcpy(name, keyword, length);
            name[length] = '\0';
            add(user, name);
        }
    }
    for (size_t i = 0; i < sizeof language_words / sizeof language_words[0]; i++)
        for (int j = 0; j < 3 && language_words[i].words[j] != NULL; j++) add(user, language_words[i].words[j]);
    add(user, "topic");
}

/* :help WORD for a word of the language: its entry, and 0; -1 when WORD
 * is none of them. */
static int help_language_word(repl *r, const char *word) {
    for (size_t i = 0; i < sizeof language_words / sizeof language_words[0]; i++)
        for (int j = 0; j < 3 && language_words[i].words[j] != NULL; j++)
            if (strcmp(word, language_words[i].words[j]) == 0) {
                fprintf(r->io.out, "%s\n  %s\n  (part of the language: :help language)\n",
                        language_words[i].usage, language_words[i].help);
                return 0;
            }
    return -1;
}

static int help_run(repl *r, const char *argument);

/* :help, wrapped at blanks to the terminal's width when out shows on one
 * (text_table_wrap): its lines are written to memory first. */
static int command_help_run(repl *r, const char *argument) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = r->io.out, *memory = r->io.out_columns >= TEXT_WRAP_MIN_COLUMNS ? open_memstream(&text, &size) : NULL;
    if (memory == NULL) return help_run(r, argument);
    r->io.out = memory;
    int status = help_run(r, argument);
    r->io.out = out;
    if (fclose(memory) == 0) {
        strbuf wrapped = {0};
        text_table_wrap(&wrapped, text, r->io.out_columns);
        fputs(!wrapped.failed && wrapped.data ? wrapped.data : text, out); /* unwrapped without the memory to wrap */
        free(wrapped.data);
    }
    free(text);
    return status;
}

/* :help NAME: a built-in first (:help shape is the shape built-in, with a
 * pointer to the topic of the same name; :help data is the topic, then the
 * built-in), then a topic, a command, an attribute, a keyword argument of
 * built-ins (the built-ins that take it), a word of the language; :help topic NAME
 * is always the topic. */
static int help_run(repl *r, const char *argument) {
    if (argument[0] == '\0') {
        help_overview(r);
        return REPL_OK;
    }
    if (strncmp(argument, "topic", 5) == 0 && (argument[5] == ' ' || argument[5] == '\0')) {
        const char *name = argument + 5;
        while (*name == ' ') name++;
        if (help_show_topic(r, name)) return REPL_OK;
        if (name[0] == '\0') repl_error(r, ":help topic takes a topic's name; :help lists the topics");
        else repl_error(r, ":help topic: no topic '%s'; :help lists the topics", name);
        return REPL_ERROR;
    }
    const builtin_def *def = builtin_find(argument);
    if (def != NULL && strcmp(argument, "data") == 0) {
        /* the data sets are what a learner asks :help data for: the topic
         * first, then the built-in data(x) */
        help_topic(r, argument);
        fputc('\n', r->io.out);
        help_builtin(r, def);
        fputc('\n', r->io.out);
        return REPL_OK;
    }
    if (def != NULL) {
        help_builtin(r, def);
        if (help_topic_exists(argument))
            fprintf(r->io.out, "  (the topic %s: :help topic %s)\n", argument, argument);
        return REPL_OK;
    }
    if (help_show_topic(r, argument)) return REPL_OK;
    for (const command_def *c = command_table; c->name; c++)
        if (strcmp(c->name, argument) == 0) {
            fprintf(r->io.out, "%s\n  %s\n", c->usage, c->help);
            return REPL_OK;
        }
    /* an attribute that is not also a function: :help T */
    for (const variable_attribute_def *a = repl_variable_attribute_table; a->name; a++)
        if (strcmp(a->name, argument) == 0) {
            fprintf(r->io.out, "x.%s\n  %s\n", a->name, a->help);
            return REPL_OK;
        }
    if (help_language_word(r, argument) == 0) return REPL_OK;
    if (help_parameter(r, argument)) return REPL_OK;
    /* suggest among topics, built-ins, commands and keyword arguments */
    const char **candidates = NULL;
    int k = repl_help_subjects(&candidates);
    const char *near = k > 0 ? repl_nearest_word(argument, candidates, k) : NULL;
    free(candidates);
    char keyword[64];
    if (near == NULL && help_nearest_keyword(argument, keyword, sizeof keyword)) near = keyword;
    if (near == NULL) {
        const char *words[3 * sizeof language_words / sizeof language_words[0]];
        int n = 0;
        for (size_t i = 0; i < sizeof language_words / sizeof language_words[0]; i++)
            for (int j = 0; j < 3 && language_words[i].words[j] != NULL; j++) words[n++] = language_words[i].words[j];
        near = repl_nearest_word(argument, words, n);
    }
    const char *other = eval_other_spelling(argument, "");
    if (other == NULL) other = eval_other_spelling(argument, "variable");
    if (other != NULL) repl_error(r, "no help on '%s'; %s", argument, other);
    else if (near) repl_error(r, "no help on '%s'; did you mean '%s'?", argument, near);
    else repl_error(r, "no help on '%s'; :help lists the topics", argument);
    return REPL_ERROR;
}

/* ---- names ---------------------------------------------------------------------------- */

/* Does the bound name match a word of :vars NAME...?  A word with * or ?
 * is a pattern (fnmatch), else the name itself. */
static bool name_matches(const char *word, const char *name) {
    return strpbrk(word, "*?[") ? fnmatch(word, name, 0) == 0 : strcmp(word, name) == 0;
}

/* Keeps the entries that a word of `words` (blank-separated) matches; a
 * word that matches none is an error naming it (nothing is shown). */
static int select_names(repl *r, const char *words, const name_entry **entries, int *count) {
    char word[256];
    bool *keep = calloc((size_t)*count + 1, sizeof *keep);
    if (keep == NULL) return repl_error(r, ":vars: out of memory");
    for (const char *p = words; *p;) {
        while (isspace((unsigned char)*p)) p++;
        size_t n = strcspn(p, " \t");
        if (n == 0) break;
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        p += n;
        bool found = false;
        for (int i = 0; i < *count; i++)
            if (name_matches(word, entries[i]->name)) keep[i] = found = true;
        if (!found) {
            free(keep);
            if (strpbrk(word, "*?[")) return repl_error(r, ":vars: no bound name matches %s", word);
            return repl_error(r, ":vars: no name '%s' is bound", word);
        }
    }
    int kept = 0;
    for (int i = 0; i < *count; i++)
        if (keep[i]) entries[kept++] = entries[i];
    *count = kept;
    free(keep);
    return 0;
}

static int command_vars(repl *r, const char *argument) {
    int count = 0;
    const name_entry **entries = names_sorted(&r->names, &count);
    if (count == 0 && argument[0] == '\0') {
        fputs("no names bound\n", r->io.out);
        free(entries);
        return REPL_OK;
    }
    if (argument[0] != '\0' && select_names(r, argument, entries, &count) < 0) {
        free(entries);
        return REPL_ERROR;
    }
    int width = 0;
    for (int i = 0; i < count; i++)
        if ((int)strlen(entries[i]->name) > width) width = (int)strlen(entries[i]->name);
    if (width > 24) width = 24;
    for (int i = 0; i < count; i++) {
        repl_value v = entries[i]->value;
        fprintf(r->io.out, "%-*s  ", width, entries[i]->name);
        if (v.kind == VALUE_VAR) {
            char shape[AG_SHAPEBUF];
            ag_var *x = v.as.var;
            /* a 0-d variable's shape is "scalar", as Shift-Tab's "scalar
               variable" and the graph inspector's "shape: scalar" say */
            fprintf(r->io.out, "variable %-10s %s\n",
                    ag_ndim(x) == 0 ? "scalar" : ag_shape_string(ag_ndim(x), ag_shape(x), shape),
                    ag_grad(x) ? "has a gradient" : "no gradient");
        } else if (v.kind == VALUE_FUNCTION || v.kind == VALUE_BUILTIN || v.kind == VALUE_OBJECT) {
            char *text = value_text(r, v, true);
            fprintf(r->io.out, "%s\n", text ? text : value_kind_name(v));
            free(text);
        } else {
            char *text = value_text(r, v, true);
            fprintf(r->io.out, "%-8s %s\n", value_kind_name(v), text ? text : "");
            free(text);
        }
    }
    free(entries);
    return REPL_OK;
}

static int command_funcs(repl *r, const char *argument) {
    int count = 0, shown = 0;
    const name_entry **entries = names_sorted(&r->names, &count);
    for (int i = 0; i < count; i++) {
        repl_value v = entries[i]->value;
        if (v.kind != VALUE_FUNCTION) continue;
        const user_function *f = v.as.function;
        const ast_node *def = f->def;
        char *source = def->source_end > def->source_start
                           ? strndup(f->chunk->source + def->source_start, def->source_end - def->source_start)
                           : NULL;
        if (source != NULL) {
            text_printable(source, TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB); /* the def's text came from a file */
            fprintf(r->io.out, "%s\n", source);
            free(source);
        } else {
            char *text = value_text(r, v, false);
            fprintf(r->io.out, "%s\n", text ? text : f->name);
            free(text);
        }
        if (strcmp(f->name, entries[i]->name) != 0)
            fprintf(r->io.out, "  (bound to the name %s)\n", entries[i]->name);
        shown++;
    }
    if (shown == 0) fputs("no functions defined\n", r->io.out);
    free(entries);
    return REPL_OK;
}

/* ---- files ------------------------------------------------------------------------------ */

/* Whether the file open on fd, named `path`, is a lesson loaded by its path:
 * the very file `:load NAME` runs for the path's last part without .ag
 * (compared by device and inode), so samples/newton.ag is the lesson newton
 * and a copy of it elsewhere is a plain file.  Its name into out (size bytes). */
static bool lesson_at_path(int fd, const char *path, char *out, size_t size) {
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t n = strlen(base);
    if (n <= 3 || strcmp(base + n - 3, ".ag") != 0 || n - 3 >= size) return false;
    memcpy(out, base, n - 3);
    out[n - 3] = '\0';
    char found[4096];
    struct stat opened, lesson;
    return lesson_is_name(out) && lesson_find(out, found, sizeof found) == 0 && fstat(fd, &opened) == 0 &&
           stat(found, &lesson) == 0 && opened.st_dev == lesson.st_dev && opened.st_ino == lesson.st_ino;
}

static int command_load(repl *r, const char *path) {
    if (path[0] == '\0') {
        repl_error(r, ":load needs a file name");
        return REPL_ERROR;
    }
    if (r->save.load_depth >= MAX_LOAD_DEPTH) {
        repl_error(r, ":load: files load each other more than %d deep", MAX_LOAD_DEPTH);
        return REPL_ERROR;
    }
    char *text, lesson[4096], message[512];
    int at_line, at_column;
    struct stat st;
    const char *name = NULL; /* a lesson's name */
    if (lstat(path, &st) < 0 && errno == ENOENT && lesson_is_name(path)) {
        if (lesson_find(path, lesson, sizeof lesson) < 0) {
            char near[64];
            if (repl_nearest_lesson(path, near, sizeof near))
                repl_error(r, ":load: no file or lesson named %s; did you mean %s? (:lessons lists the lessons)", path,
                           near);
            else
                repl_error(r, ":load: no file or lesson named %s; :lessons lists the lessons", path);
            return REPL_ERROR;
        }
        name = path;
        path = lesson;
    }
    int fd;
    if (name != NULL) { /* checked like any path when it lies in the session's folder */
        fd = lesson_open(path, r->settings.files_root_fd, r->settings.files_root);
        if (fd < 0) {
            repl_error(r, ":load: lesson %s (%s): %s", name, path,
                       errno == EINVAL ? "not a regular file" : repl_file_strerror(r, path, errno));
            return REPL_ERROR;
        }
    } else if ((fd = repl_open_file(r, ":load", path)) < 0) {
        return REPL_ERROR;
    }
    /* a lesson by its path (:load samples/newton.ag) runs as by its name */
    char path_lesson[64];
    const char *lesson_name = name;
    if (name == NULL && lesson_at_path(fd, path, path_lesson, sizeof path_lesson)) lesson_name = path_lesson;
    if (source_read_fd(fd, path, &text, &at_line, &at_column, message, sizeof message) < 0) {
        if (name != NULL) repl_error(r, ":load: lesson %s (%s): %s", name, path, message);
        else if (at_line > 0) repl_error(r, ":load: %s:%d:%d: %s", path, at_line, at_column, message);
        else repl_error(r, ":load: %s", message);
        return REPL_ERROR;
    }
    /* a lesson opens with a comment saying what it shows (HACKING.md); any
       other file found by a lesson's name is refused before a line of it can
       appear in an error */
    if (name != NULL && text[0] != '#') {
        free(text);
        repl_error(r, ":load: %s is not a lesson (a lesson's first line is a comment saying what it shows)", path);
        return REPL_ERROR;
    }
    /* only a file accepted as a lesson, and asked for by the user, changes
       how numbers show: not one a file loads (digits.ag's :load digits_data),
       nor a lesson's data loaded by hand (:load digits_data: no lesson); by
       its path, a lesson's file not opening with its comment is a plain file */
    bool as_lesson = lesson_name != NULL && r->save.load_depth == 0 && !lesson_is_data(lesson_name) &&
                     text[0] == '#';
    bool outer = as_lesson && !r->settings.in_lesson; /* not one --lesson's file loads */
    if (as_lesson) {
        if (outer) repl_lesson_digits(r);
        repl_lesson_fresh_figure(r);
    }
    /* the loaded file reports its own errors (FILE:LINE:COL) */
    const char *file = r->eval.command_file;
    int line = r->eval.command_line;
    r->save.load_depth++;
    int status = r->driver.run(r, text, path, 1);
    r->save.load_depth--;
    if (outer) repl_lesson_end(r);
    r->eval.command_file = file;
    r->eval.command_line = line;
    free(text);
    if (status == REPL_INCOMPLETE) status = REPL_ERROR;
    return status;
}

/* The entry of the file :save wrote at path (compared by real path), or NULL. */
static struct saved_file *saved_entry(const repl *r, const char *path) {
    char *real = realpath(path, NULL);
    struct saved_file *found = NULL;
    for (int i = 0; real && !found && i < r->save.saved_count; i++)
        if (strcmp(real, r->save.saved_files[i].path) == 0) found = &r->save.saved_files[i];
    free(real);
    return found;
}

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull
static uint64_t fnv1a(uint64_t hash, const void *data, size_t size) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) hash = (hash ^ bytes[i]) * FNV_PRIME;
    return hash;
}

/* Whether the file at path still holds what :save wrote there (a FIFO
 * put in its place does not, and is not waited on). */
static bool unchanged_since_saved(const repl *r, const struct saved_file *f, const char *path) {
    int root_fd = r->settings.files_root_fd;
    const char *root = r->settings.files_root;
    if (root == NULL) root = "/", root_fd = confined_slash_fd();
    int fd = root_fd >= 0 ? confined_open_read(root_fd, root, path) : -1;
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        return false;
    }
    FILE *in = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (in == NULL) {
        if (fd >= 0) close(fd);
        return false;
    }
    char buffer[8192];
    uint64_t hash = FNV_OFFSET, size = 0;
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        hash = fnv1a(hash, buffer, got);
        size += got;
    }
    bool same = !ferror(in) && size == f->size && hash == f->hash;
    fclose(in);
    return same;
}

/* Notes that :save just wrote `size` bytes hashing to `hash` at path. */
static void remember_saved(repl *r, const char *path, uint64_t size, uint64_t hash) {
    struct saved_file *entry = saved_entry(r, path);
    if (entry == NULL) {
        char *real = realpath(path, NULL);
        if (real == NULL ||
            !ARRAY_RESERVE(r->save.saved_files, r->save.saved_capacity, (size_t)r->save.saved_count, 1)) {
            free(real);
            return;
        }
        entry = &r->save.saved_files[r->save.saved_count++];
        entry->path = real;
    }
    entry->size = size;
    entry->hash = hash;
}

/* Writes the history to path whole or not at all (atomic_file.h): a failed
 * write leaves the old file as it was.  Without `over`, an existing file
 * :save did not write in this session is refused. */
static int save_history(repl *r, const char *command, const char *path, bool over) {
    if (path[0] == '\0') {
        repl_error(r, "%s needs a file name", command);
        return REPL_ERROR;
    }
    if (!over && access(path, F_OK) == 0) {
        const struct saved_file *saved = saved_entry(r, path);
        if (saved == NULL) {
            repl_error(r, "%s: %s exists and was not written by :save in this session; :save! %s overwrites it",
                       command, path, path);
            return REPL_ERROR;
        }
        if (!unchanged_since_saved(r, saved, path)) {
            repl_error(r, "%s: %s changed since :save wrote it (edited or replaced); :save! %s overwrites it",
                       command, path, path);
            return REPL_ERROR;
        }
    }
    if (r->save.history.failed) {
        repl_error(r, "%s: the session's statements could not all be kept (out of memory); nothing written",
                   command);
        return REPL_ERROR;
    }
    uint64_t size = r->save.history.length, hash = fnv1a(FNV_OFFSET, r->save.history.data, r->save.history.length);
    if (repl_write_file(r, path, r->save.history.data, size, over ? ATOMIC_FILE_FORCE : 0) < 0) {
        int error = errno;
        struct stat st;
        /* a read-only file, or a link to nothing: what :save! would do */
        bool forcible = !over && (error == EACCES || error == ENOENT) && lstat(path, &st) == 0;
        repl_error(r, "%s: cannot write %s: %s%s%s%s", command, path, repl_file_strerror(r, path, error),
                   forcible ? "; :save! " : "", forcible ? path : "", forcible ? " writes it" : "");
        return REPL_ERROR;
    }
    remember_saved(r, path, size, hash);
    char shown[PATH_MAX];
    snprintf(shown, sizeof shown, "%s", path);
    text_printable(shown, 0);
    fprintf(r->io.out, "saved %d statement%s to %s\n", r->save.history_count,
            r->save.history_count == 1 ? "" : "s", shown);
    const char *lost = restore_unrestored(r);
    if (lost[0])
        fprintf(r->io.out, "note: :load of %s will not give back %s as they are now: a statement that failed "
                        "or was interrupted changed them, and such values (models, optimizers) cannot be written as "
                        "statements\n", shown, lost);
    return REPL_OK;
}

static int command_save(repl *r, const char *path) { return save_history(r, ":save", path, false); }
static int command_save_over(repl *r, const char *path) { return save_history(r, ":save!", path, true); }

static int command_lessons(repl *r, const char *argument) {
    fputs("Lessons (:load NAME, or agrepl --lesson NAME):\n", r->io.out);
    if (lesson_list(r->io.out, r->settings.files_root_fd, r->settings.files_root) == 0) fputs("  none found\n", r->io.out);
    return REPL_OK;
}

static int command_reset(repl *r, const char *argument) {
    r->driver.reset(r);
    /* the settings stay: a script saved from here on sets them first */
    char value[64];
    if (r->settings.digits != 0) {
        snprintf(value, sizeof value, "%d", r->settings.digits);
        record_command(r, command_find(":digits"), value);
    }
    if (r->settings.timing) record_command(r, command_find(":time"), "on");
    if (r->settings.pace_fps > 0) {
        snprintf(value, sizeof value, "%.17g", r->settings.pace_fps);
        record_command(r, command_find(":pace"), value);
    }
    if (r->settings.print_threshold != 1000 || r->settings.print_edge != 3) {
        print_setting_text(r, value, sizeof value);
        record_command(r, command_find(":print"), value);
    }
    if (r->settings.plot_zoom != 1) {
        snprintf(value, sizeof value, "%.17g", r->settings.plot_zoom);
        record_command(r, command_find(":zoom"), value);
    }
    return REPL_OK;
}

static int command_quit(repl *r, const char *argument) {
    r->quit = true;
    return REPL_OK;
}

/* ---- settings ---------------------------------------------------------------------------- */

static int command_digits(repl *r, const char *argument) {
    if (argument[0] == '\0') {
        if (r->settings.digits == 0) fputs("digits: full\n", r->io.out);
        else fprintf(r->io.out, "digits: %d\n", r->settings.digits);
        return REPL_OK;
    }
    if (strcmp(argument, "full") == 0) {
        r->settings.digits = 0;
        r->settings.digits_chosen |= !r->settings.in_lesson;
        return REPL_OK;
    }
    char *end;
    long n = strtol(argument, &end, 10);
    if (*end != '\0' || n < 1 || n > 17) {
        repl_error(r, ":digits takes a number of significant digits from 1 to 17, or full; not '%s'",
                   argument);
        return REPL_ERROR;
    }
    r->settings.digits = (int)n;
    r->settings.digits_chosen |= !r->settings.in_lesson;
    return REPL_OK;
}

/* A class reads numbers from the back row: a lesson shows LESSON_DIGITS
 * significant digits, as NumPy and PyTorch print 4 to 8, unless the session
 * asked for its own; full precision is one command away. */
void repl_lesson_digits(repl *r) {
    if (!r->settings.digits_chosen && r->settings.digits != LESSON_DIGITS) {
        r->settings.digits = LESSON_DIGITS;
        fprintf(r->io.out, "(a lesson: numbers show %d significant digits; :digits full shows every digit)\n",
                LESSON_DIGITS);
    }
    /* a lesson's own :digits (newton.ag's full) is not the user's choice:
       it lasts to the lesson's end, and the next lesson starts at 4 again */
    r->settings.in_lesson = true;
    r->settings.lesson_digits = r->settings.digits;
}

void repl_lesson_end(repl *r) {
    if (!r->settings.in_lesson) return;
    r->settings.in_lesson = false;
    r->settings.digits = r->settings.lesson_digits;
}

/* The setting as :print's argument: "full" or "N", then " E" when not 3. */
static void print_setting_text(const repl *r, char *out, size_t size) {
    int n = isinf(r->settings.print_threshold)
                ? snprintf(out, size, "full")
                : snprintf(out, size, "%.17g", r->settings.print_threshold);
    if (r->settings.print_edge != 3 && n >= 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, " %d", r->settings.print_edge);
}

static int command_print(repl *r, const char *argument) {
    char text[64];
    if (argument[0] == '\0') {
        print_setting_text(r, text, sizeof text);
        if (isinf(r->settings.print_threshold))
            fprintf(r->io.out, "print: %s (whole tensors)\n", text);
        else
            fprintf(r->io.out, "print: %s (tensors of more than %.17g elements show the first and last %d of each axis)\n",
                    text, r->settings.print_threshold, r->settings.print_edge);
        return REPL_OK;
    }
    char word[64] = "";
    double edge = r->settings.print_edge, threshold;
    char *end;
    size_t length = strcspn(argument, " \t");
    if (length < sizeof word) memcpy(word, argument, length), word[length] = '\0';
    const char *rest = argument + length;
    while (*rest == ' ' || *rest == '\t') rest++;
    if (strcmp(word, "full") == 0) {
        threshold = INFINITY;
    } else {
        threshold = strtod(word, &end);
        if (word[0] == '\0' || *end != '\0' || !isdigit((unsigned char)word[0])) {
            repl_error(r, ":print takes full or a number of elements (then edge items, :print 20 2), not '%s'",
                       argument);
            return REPL_ERROR;
        }
    }
    if (*rest != '\0') {
        edge = strtod(rest, &end);
        if (*end != '\0' || !isdigit((unsigned char)rest[0])) {
            repl_error(r, ":print: edge items must be a whole number, not '%s'", rest);
            return REPL_ERROR;
        }
    }
    return repl_set_print(r, threshold, edge, ":print") < 0 ? REPL_ERROR : REPL_OK;
}

static int command_seed(repl *r, const char *argument) {
    char *end;
    double seed = strtod(argument, &end);
    if (argument[0] == '\0') {
        repl_error(r, ":seed takes a whole number >= 0: :seed 42");
        return REPL_ERROR;
    }
    if (*end != '\0' || !isdigit((unsigned char)argument[0])) {
        repl_error(r, ":seed takes a whole number >= 0 (:seed 42), not '%s'", argument);
        return REPL_ERROR;
    }
    return repl_seed(r, seed, ":seed") < 0 ? REPL_ERROR : REPL_OK;
}

static int command_time(repl *r, const char *argument) {
    if (argument[0] == '\0') {
        fprintf(r->io.out, "time: %s\n", r->settings.timing ? "on" : "off");
        return REPL_OK;
    }
    if (strcmp(argument, "on") == 0 || strcmp(argument, "off") == 0) {
        r->settings.timing = strcmp(argument, "on") == 0;
        return REPL_OK;
    }
    repl_error(r, ":time takes on or off, not '%s'", argument);
    return REPL_ERROR;
}

static int command_pace(repl *r, const char *argument) {
    if (argument[0] == '\0') {
        if (r->settings.pace_fps > 0) fprintf(r->io.out, "pace: %g frames a second\n", r->settings.pace_fps);
        else fputs("pace: off\n", r->io.out);
        return REPL_OK;
    }
    double fps = 0;
    char *end = NULL;
    if (strcmp(argument, "off") != 0) {
        fps = strtod(argument, &end);
        if (end == argument || *end != '\0' || !(fps >= 0)) {
            repl_error(r, ":pace takes frames a second (0 is off) or off, not '%s'", argument);
            return REPL_ERROR;
        }
    }
    return repl_viz_set_pace(r, fps) < 0 ? REPL_ERROR : REPL_OK;
}

static int command_zoom(repl *r, const char *argument) {
    if (argument[0] == '\0') {
        fprintf(r->io.out, "zoom: %g\n", r->settings.plot_zoom);
        return REPL_OK;
    }
    char *end = NULL;
    double zoom = strtod(argument, &end);
    if (end == argument || *end != '\0') {
        repl_error(r, ":zoom takes a factor such as 1.5 (1 is the default), not '%s'", argument);
        return REPL_ERROR;
    }
    return repl_viz_set_zoom(r, zoom) < 0 ? REPL_ERROR : REPL_OK;
}

/* ---- dispatch --------------------------------------------------------------------------- */

/* Writes ":NAME ARGUMENT" to the :save log. */
static void record_command(repl *r, const command_def *command, const char *argument) {
    char line[1100];
    snprintf(line, sizeof line, "%s %s", command->name, argument);
    repl_history_record(r, line);
}

static int command_dispatch(repl *r, const char *name, char *argument);

int command_run(repl *r, const char *line) {
    while (*line == ' ' || *line == '\t') line++;
    const char *name_end = line + 1;
    while (*name_end && !isspace((unsigned char)*name_end)) name_end++;
    char name[64];
    size_t n = (size_t)(name_end - line);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, line, n);
    name[n] = '\0';
    /* the argument: the rest, trimmed, without surrounding quotes */
    const char *arg_start = name_end;
    while (isspace((unsigned char)*arg_start)) arg_start++;
    /* any length the line has: a long path is never cut */
    char *argument = strdup(arg_start);
    if (argument == NULL) {
        repl_error(r, "out of memory");
        return REPL_ERROR;
    }
    int rc = command_dispatch(r, name, argument);
    free(argument);
    return rc;
}

static int command_dispatch(repl *r, const char *name, char *argument) {
    size_t length = strlen(argument);
    while (length > 0 && isspace((unsigned char)argument[length - 1])) argument[--length] = '\0';
    if (length >= 2 && argument[0] == '"' && argument[length - 1] == '"') {
        memmove(argument, argument + 1, length - 2);
        argument[length - 2] = '\0';
    }

    const command_def *command = command_find(name);
    if (command != NULL && argument[0] != '\0' && strspn(argument, " \t") == strlen(argument)) {
        repl_error(r, "%s: the argument is blank", command->name); /* :save "   " */
        return REPL_ERROR;
    }
    if (command != NULL && argument[0] != '\0' && strchr(command->usage, ' ') == NULL) {
        repl_error(r, "%s takes no argument, not '%s'", command->name, argument);
        return REPL_ERROR;
    }
    if (command != NULL && command->files && repl_files_allowed(r, command->name) < 0) return REPL_ERROR;
    /* --files-in: the file must lie in the session's folder; :load of a lesson
       by name (no such file here) reads the installed lessons */
    bool lesson = command != NULL && command->run == command_load && lesson_is_name(argument) &&
                  access(argument, F_OK) != 0;
    if (command != NULL && command->files && argument[0] != '\0' && !lesson &&
        repl_path_allowed(r, command->name, argument) < 0)
        return REPL_ERROR;
    if (command != NULL) {
        int rc = command->run(r, argument);
        if (rc == REPL_OK && command->replayed && argument[0] != '\0') record_command(r, command, argument);
        return rc;
    }
    int ncommands = 0;
    const char *names[64];
    for (const command_def *c = command_table; c->name && ncommands < 64; c++) names[ncommands++] = c->name;
    const char *near = repl_nearest_word(name, names, ncommands);
    if (near) repl_error(r, "unknown command '%s'; did you mean '%s'?", name, near);
    else repl_error(r, "unknown command '%s'; :help commands lists them", name);
    return REPL_ERROR;
}
