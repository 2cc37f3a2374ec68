/* commands_help.c — :help: the overview and topics, generated from the
 * built-in tables (builtins, commands, attributes, keyword arguments), the
 * language's words, and the nearest subject for a word it does not know
 * (repl_internal.h, "commands.c"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "repl_internal.h"

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
    "                           (an item without a name takes the loop's: graphs show xb)\n"
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
    "  Pow(p) (x^2).  Comparisons of numbers and 0-d values give true/false, which are 1\n"
    "  and 0 in arithmetic and as a built-in's variable (Python's: x * (x > 0) of a 0-d x),\n"
    "  and % a plain number; on tensors (one element too) comparisons give 0/1 tensors, as\n"
    "  in PyTorch (x * (x > 0)); if, while, and, or, not take a one-element tensor's truth\n"
    "  (bool(x)), through which no gradient flows; a tensor beside a list literal too\n"
    "  (p == [1, 0, 1], as PyTorch), but == and != of lists, shapes and two literals\n"
    "  compare contents: true/false (x.shape == [2, 3]).\n"
    "Literals are variables: 2 is variable(2), [[1, 2], [3, 4]] a tensor of shape [2 2]\n"
    "  (rows must have one length), (1 + 2) records Add.  A list holding anything but numbers\n"
    "  ([x0, x1], [x, \"a\"]) stays a list.  Plain numbers: loop counters, len(), x.size,\n"
    "  x.ndim, x.generation, x.shape's entries, % and item(); a literal beside a plain number\n"
    "  stays plain (i + 1).  Shapes, axes, indices and sizes take numbers or variables.\n"
    "  [] is an empty list: lst.append(x), lst + [y] joins lists (Python's), sum(lst) adds its\n"
    "  items, mean(lst) is sum(lst) / len(lst), len(lst); int, float, str and round(x, ndigits)\n"
    "  are Python's.\n"
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
    "  differentiable; an error names the axis of x the index is for.  A list (lst = [];\n"
    "  lst.append(v)) follows Python: lst[i] is an item, lst[a:b] and lst[::-1] new lists of the\n"
    "  same items (a list of variables stays one; a list of numbers bound to a name, s =\n"
    "  lst[0:2], becomes a tensor, as s = [1, 2] does).\n";
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
    "  an unnamed one as variable(...); a bound model's parameter by its path, as the graph\n"
    "  labels it (m.linear[0].w[2 3](...)).  Matrices print one row per line; tensors with more\n"
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
    fputs("A command is a line of its own.  Typed while a statement is still open (at ..>, a bracket\n"
          "not closed), it ends that statement, which fails and is not run (a note says which lines\n"
          "it held); then the command runs.\n",
          r->io.out);
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
              "  xv = variable(x) is a copy that gets one.\n"
              "  The lessons' files, for lesson_data(file): iris.csv (150 flowers, 4 measures and the\n"
              "  species, a header line) and digits_shuffled.csv (1,797 handwritten 8x8 digits: 64 grey\n"
              "  levels 0-16, then the digit); :load digits_data loads it as digits_x, digits_t.\n",
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
int repl_command_help(repl *r, const char *argument) {
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
