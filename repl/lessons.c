/* lessons.c — finding lessons by name (see lessons.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "lessons.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "confined.h"
#include "strbuf.h"

/* Set by the Makefile from PREFIX: where `make install` puts the lessons. */
#ifndef AGREPL_LESSON_DIR
#define AGREPL_LESSON_DIR "/usr/local/share/agrepl/lessons"
#endif

#define MAX_DIRS 6
#define DIR_MAX 4096

bool lesson_is_name(const char *arg) {
    if (arg == NULL || *arg == '\0') return false;
    for (const char *c = arg; *c; c++)
        if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9')))
            return false;
    return true;
}

bool lesson_is_data(const char *name) {
    size_t n = name != NULL ? strlen(name) : 0;
    return n > 5 && strcmp(name + n - 5, "_data") == 0;
}

/* a followed by b into out; false (out cut short) when it does not fit. */
static bool join(char *out, size_t n, const char *a, const char *b) {
    int len = snprintf(out, n, "%s%s", a, b);
    return len >= 0 && (size_t)len < n;
}

bool repl_program_dir(char *dir, size_t n) {
    if (n < 2) return false;
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    if (len <= 0 || (size_t)len >= n - 1) return false; /* none, or maybe cut short */
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash == NULL) return false;
    *slash = '\0';
    return true;
}

/* The search directories, in order, into dirs[]; returns how many. */
static int search_dirs(char dirs[MAX_DIRS][DIR_MAX]) {
    int n = 0;
    const char *env = getenv("AGREPL_LESSONS");
    if (env != NULL && *env != '\0' && join(dirs[n], DIR_MAX, env, "")) n++;
    char exe[DIR_MAX];
    bool known = repl_program_dir(exe, sizeof exe); /* PREFIX/bin, or build/ in the source tree */
    if (known && join(dirs[n], DIR_MAX, exe, "/../share/agrepl/lessons")) n++;
    if (join(dirs[n], DIR_MAX, AGREPL_LESSON_DIR, "")) n++;
    if (known) {
        if (join(dirs[n], DIR_MAX, exe, "/../samples")) n++;    /* build/agrepl */
        if (join(dirs[n], DIR_MAX, exe, "/../../samples")) n++; /* build/asan/agrepl */
    }
    if (join(dirs[n], DIR_MAX, "samples", "")) n++;
    return n;
}

int lesson_open(const char *path, int root_fd, const char *root) {
    /* a lesson in a folder of the session's (./samples) is a file of the
       user's, confined like any other; the installed ones are not theirs */
    int fd = root != NULL && confined_names_below(root, path)
                 ? confined_open_read(root_fd, root, path)
                 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int error = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        close(fd);
        errno = error;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lesson_find(const char *name, char *path, size_t n) {
    if (!lesson_is_name(name)) return -1;
    char dirs[MAX_DIRS][DIR_MAX];
    int count = search_dirs(dirs);
    for (int i = 0; i < count; i++) {
        int len = snprintf(path, n, "%s/%s.ag", dirs[i], name);
        if (len > 0 && (size_t)len < n && is_file(path)) return 0;
    }
    return -1;
}

int lesson_data_find(const char *file, char *path, size_t n) {
    if (file == NULL || file[0] == '\0' || file[0] == '.' || strchr(file, '/')) return -1;
    char dirs[MAX_DIRS][DIR_MAX];
    int count = search_dirs(dirs);
    for (int i = 0; i < count; i++) {
        int len = snprintf(path, n, "%s/data/%s", dirs[i], file);
        if (len > 0 && (size_t)len < n && is_file(path)) return 0;
    }
    return -1;
}

bool lesson_data_path(const char *path) {
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    char found[DIR_MAX + 80];
    if (lesson_data_find(base, found, sizeof found) < 0) return false;
    char *real = realpath(path, NULL), *shipped = realpath(found, NULL);
    bool same = real != NULL && shipped != NULL && strcmp(real, shipped) == 0;
    free(real);
    free(shipped);
    return same;
}

const char *lesson_dirs(char *buf, size_t n) {
    char dirs[MAX_DIRS][DIR_MAX];
    int count = search_dirs(dirs);
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", dirs[i]);
    return buf;
}

typedef struct {
    char name[64];
    char path[DIR_MAX + 80];
} lesson;

static int by_name(const void *a, const void *b) {
    return strcmp(((const lesson *)a)->name, ((const lesson *)b)->name);
}

/* The first line of the file when it is a comment, without "# " and its
 * control characters. */
static void describe(const char *path, int root_fd, const char *root, char *out, size_t n) {
    out[0] = '\0';
    int fd = lesson_open(path, root_fd, root);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (f == NULL) {
        if (fd >= 0) close(fd);
        return;
    }
    char line[256];
    if (fgets(line, sizeof line, f) != NULL && line[0] == '#') {
        const char *text = line + 1;
        while (*text == ' ') text++;
        if (!join(out, n, text, "")) out[n - 1] = '\0'; /* a long line is cut */
        out[strcspn(out, "\r\n")] = '\0';
        text_printable(out, 0);
    }
    fclose(f);
}

/* Every lesson of the search directories (not a lesson's data: NAME_data), the first directory winning for
 * a name, sorted by name, into *out (malloc'd; NULL when none); how many. */
static int collect_lessons(lesson **out) {
    char dirs[MAX_DIRS][DIR_MAX];
    int ndirs = search_dirs(dirs), count = 0;
    size_t capacity = 0;
    lesson *all = NULL;
    for (int d = 0; d < ndirs; d++) {
        DIR *dir = opendir(dirs[d]);
        if (dir == NULL) continue;
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            size_t len = strlen(e->d_name);
            if (len < 4 || len - 3 >= sizeof all->name || strcmp(e->d_name + len - 3, ".ag") != 0)
                continue;
            lesson l;
            memcpy(l.name, e->d_name, len - 3);
            l.name[len - 3] = '\0';
            bool seen = !lesson_is_name(l.name) || lesson_is_data(l.name); /* data is no lesson */
            for (int i = 0; i < count && !seen; i++) seen = strcmp(all[i].name, l.name) == 0;
            char path[DIR_MAX + 80];
            if (seen || !join(path, sizeof path, dirs[d], "/") ||
                !join(l.path, sizeof l.path, path, e->d_name) || !is_file(l.path))
                continue;
            if (!ARRAY_RESERVE(all, capacity, (size_t)count, 1)) break;
            all[count++] = l;
        }
        closedir(dir);
    }
    if (count > 1) qsort(all, (size_t)count, sizeof *all, by_name); /* all is NULL when none was found */
    *out = all;
    return count;
}

int lesson_list(FILE *out, int root_fd, const char *root) {
    lesson *all = NULL;
    int count = collect_lessons(&all);
    int width = 16; /* the names' column: as wide as the longest name */
    for (int i = 0; i < count; i++)
        if ((int)strlen(all[i].name) > width) width = (int)strlen(all[i].name);
    for (int i = 0; i < count; i++) {
        char text[256];
        describe(all[i].path, root_fd, root, text, sizeof text);
        fprintf(out, "  %-*s %s\n", width, all[i].name, text);
    }
    free(all);
    return count;
}

int lesson_names(void (*each)(void *user, const char *name), void *user) {
    lesson *all = NULL;
    int count = collect_lessons(&all);
    for (int i = 0; i < count; i++) each(user, all[i].name);
    free(all);
    return count;
}
