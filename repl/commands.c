/* commands.c — the ':' commands: listing names and functions, loading and
 * saving scripts, reset, display settings, quit; :help is commands_help.c's. */
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
     repl_command_help},
    {":vars", ":vars [NAME...]",
     "the bound names, or only those given (patterns like w* too), with kinds, shapes (scalar for a 0-d variable) and gradients",
     command_vars},
    {":funcs", ":funcs", "the functions you defined, with their definitions", command_funcs},
    {":load", ":load FILE|NAME", "run FILE as a script (stops at its first error), or the lesson NAME (on an empty figure, pace off, its own pace() lasting to its end; "
     "a lesson's data NAME_data runs as a file); NAME.ag in the current folder, then beside the script running, "
     "comes before the lessons and runs as a file; the file :load NAME runs, given by its path, is that lesson",
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
    char *text, lesson[4096], beside[4096], message[512];
    int at_line, at_column;
    struct stat st;
    const char *name = NULL; /* a lesson's name */
    if (lstat(path, &st) < 0 && errno == ENOENT && lesson_is_name(path)) {
        /* NAME.ag here, or beside the file being run (a lesson copied with
           its NAME_data.ag), comes before the lessons, as a plain file */
        char file[128];
        int n = snprintf(file, sizeof file, "%s.ag", path);
        if (n > 0 && (size_t)n < sizeof file &&
            repl_find_beside(r, r->eval.command_file, file, beside, sizeof beside)) {
            path = beside;
        } else if (lesson_find(path, lesson, sizeof lesson) < 0) {
            char near[64];
            if (repl_nearest_lesson(path, near, sizeof near))
                repl_error(r, ":load: no file or lesson named %s; did you mean %s? (:lessons lists the lessons)", path,
                           near);
            else
                repl_error(r, ":load: no file or lesson named %s; :lessons lists the lessons", path);
            return REPL_ERROR;
        } else {
            name = path;
            path = lesson;
        }
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
    r->settings.lesson_pace_fps = r->settings.pace_fps; /* its pace() lasts to its end too */
}

void repl_lesson_end(repl *r) {
    if (!r->settings.in_lesson) return;
    r->settings.in_lesson = false;
    r->settings.digits = r->settings.lesson_digits;
    r->settings.pace_fps = r->settings.lesson_pace_fps;
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
