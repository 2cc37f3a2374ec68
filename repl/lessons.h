/* lessons.h — the lessons (samples/NAME.ag) found by name, installed or in
 * the source tree, for `:load NAME`, `:lessons` and `agrepl --lesson NAME`. */
#ifndef REPL_LESSONS_H
#define REPL_LESSONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when arg is a lesson name (letters, digits and '_'), not a path. */
bool lesson_is_name(const char *arg);

/* True when `name` names a lesson's data, not a lesson: NAME_data, as
 * digits_data (samples/digits_data.ag), which digits.ag reads with
 * :load digits_data.  lesson_find finds it (for that :load); :lessons,
 * completion and --lesson leave it out. */
bool lesson_is_data(const char *name);

/* The file of lesson `name` into path (n bytes), from the first directory
 * that has NAME.ag, in this order: $AGREPL_LESSONS; ../share/agrepl/lessons
 * next to the running program; the installed PREFIX/share/agrepl/lessons;
 * the source tree's samples/ (next to build/agrepl, or ./samples).
 * 0, or -1 when none has it. */
int lesson_find(const char *name, char *path, size_t n);

/* The data file `file` the lessons ship (samples/data/FILE, installed as
 * lessons/data/FILE) into path, from the same directories in the same
 * order; 0, or -1 when none has it or file is not a plain name. */
int lesson_data_find(const char *file, char *path, size_t n);

/* True when path is (after links and ..) the data file lesson_data_find
 * gives for its last name: a file the lessons ship, which a --files-in
 * session may read (not write) though it lies outside the session's folder,
 * as it may load the lessons themselves by name. */
bool lesson_data_path(const char *path);

/* Writes every lesson, one line each ("  rosenbrock      Rosenbrock:
 * gradient descent down a curved valley."), sorted by name, the first
 * directory winning for a name; returns how many (0: none found).  Files
 * are opened as lesson_open does (root NULL: unconfined), and their lines
 * printed without their control characters. */
int lesson_list(FILE *out, int root_fd, const char *root);

/* Calls each(user, NAME) for every lesson lesson_list lists, in its order
 * (the names :load NAME takes, for completion); returns how many. */
int lesson_names(void (*each)(void *user, const char *name), void *user);

/* Opens the lesson file `path` for reading: below the directory root
 * (root_fd its descriptor; confined.h) when the path names a place there
 * (./samples in a --files-in session), so a link out of it is refused;
 * else as it is (the installed lessons).  Never waits on a FIFO; only a
 * regular file is taken.  The descriptor, or -1 with errno (EXDEV: it
 * leads outside root; EINVAL: not a regular file). */
int lesson_open(const char *path, int root_fd, const char *root);

/* The running program's directory (/proc/self/exe without its last part:
 * build/ in the source tree, PREFIX/bin when installed) into dir; false when
 * it cannot be told or does not fit.  Lessons and the graph module are
 * looked for relative to it. */
bool repl_program_dir(char *dir, size_t n);
/* The directories searched, for messages: "A, B, C" into buf; returns buf. */
const char *lesson_dirs(char *buf, size_t n);

#endif
