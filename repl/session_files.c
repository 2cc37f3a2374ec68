/* session_files.c — the session's file rules (session_state.h,
 * "session_files.c"): --no-files refuses every file statement, --files-in
 * keeps reads and writes inside one folder, after symbolic links and ..;
 * the one way a file statement opens a file to read and writes one.  The
 * bottom floor: below every file statement (:load, :save, savefig, load_csv,
 * ...), above errors.c only. */
#define _GNU_SOURCE /* O_PATH */
#include "session_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "confined.h"

int repl_files_allowed(repl *r, const char *who) {
    if (!r->settings.no_files) return 0;
    return repl_error(r, "%s: file access is off in this session (--no-files)", who);
}

char *repl_files_root(const char *dir, char *error, size_t n) {
    char expanded[PATH_MAX];
    const char *home = getenv("HOME");
    if (dir[0] == '~' && (dir[1] == '\0' || dir[1] == '/')) {
        if (home == NULL || *home == '\0') {
            snprintf(error, n, "--files-in %s: HOME is not set", dir);
            return NULL;
        }
        int len = snprintf(expanded, sizeof expanded, "%s%s", home, dir + 1);
        if (len < 0 || (size_t)len >= sizeof expanded) {
            snprintf(error, n, "--files-in %s: the path is too long", dir);
            return NULL;
        }
        dir = expanded;
    }
    char *real = realpath(dir, NULL);
    struct stat st;
    if (real == NULL || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(error, n, "--files-in %s: %s", dir, real ? "not a directory" : strerror(errno));
        free(real);
        return NULL;
    }
    return real;
}

/* The real path `path` names, or will name once written: realpath of the
 * file, or of its directory followed by its last name when the file does not
 * exist yet.  NULL when neither resolves, or for a symbolic link that leads
 * nowhere (writing through it could land anywhere). */
static char *path_resolved(const char *path, const char **why) {
    char *real = realpath(path, NULL);
    *why = real == NULL ? strerror(errno) : NULL;
    if (real != NULL || errno != ENOENT) return real;
    struct stat st;
    *why = "a symbolic link that leads nowhere";
    if (lstat(path, &st) == 0) return NULL;
    *why = "no such directory";
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t cut = len;
    while (cut > 0 && path[cut - 1] != '/') cut--;
    const char *base = path + cut;
    size_t base_len = len - cut;
    if (base_len == 0 || (base_len == 1 && base[0] == '.') || (base_len == 2 && base[0] == '.' && base[1] == '.'))
        return NULL;
    char *dir = cut == 0 ? strdup(".") : strndup(path, cut);
    char *real_dir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (real_dir == NULL) return NULL;
    size_t dir_len = strlen(real_dir);
    char *joined = malloc(dir_len + base_len + 2);
    if (joined != NULL) {
        memcpy(joined, real_dir, dir_len);
        joined[dir_len] = '/';
        memcpy(joined + dir_len + 1, base, base_len);
        joined[dir_len + 1 + base_len] = '\0';
    }
    free(real_dir);
    return joined;
}

/* Whether the real path `real` lies in the folder `root` (a real path). */
static bool path_inside(const char *real, const char *root) {
    size_t root_len = strlen(root);
    return strncmp(real, root, root_len) == 0 && (real[root_len] == '/' || real[root_len] == '\0' || root_len == 1);
}

/* The real path of the deepest folder above `path` that resolves (for
 * "a/b/c": a/b, else a, else the working folder; for "/a/b": /a, else /);
 * NULL when none does. */
static char *deepest_resolved_parent(const char *path) {
    char *p = strdup(path);
    if (p == NULL) return NULL;
    char *real = NULL;
    for (;;) {
        size_t len = strlen(p);
        while (len > 1 && p[len - 1] == '/') p[--len] = '\0';
        char *slash = strrchr(p, '/');
        if (slash == NULL) {
            real = realpath(".", NULL);
            break;
        }
        slash[slash == p ? 1 : 0] = '\0'; /* "/a" -> "/" */
        if ((real = realpath(p, NULL)) != NULL || strcmp(p, "/") == 0) break;
    }
    free(p);
    return real;
}

int repl_path_allowed(repl *r, const char *who, const char *path) {
    const char *root = r->settings.files_root;
    if (root == NULL) return 0;
    const char *why;
    char *real = path_resolved(path, &why);
    bool inside = real != NULL && path_inside(real, root);
    if (real == NULL) {
        /* Why a path does not resolve is told only when it fails inside the
         * folder (a missing folder of the student's own).  Beyond it, "no
         * such directory" against "is outside" (or a permission error)
         * would tell a confined session which folders exist elsewhere: an
         * outside path is refused with the same words whatever is there. */
        char *parent = deepest_resolved_parent(path);
        bool beyond = parent != NULL && !path_inside(parent, root);
        free(parent);
        if (!beyond) return repl_error(r, "%s: %s: %s (--files-in %s)", who, path, why, root);
    }
    free(real);
    if (inside) return 0;
    return repl_error(r, "%s: %s is outside this session's folder %s (--files-in)", who, path, root);
}

/* What a file statement's open or write failing with `error` means to the
 * user (a static string, or the session's folder's words). */
const char *repl_file_strerror(repl *r, const char *path, int error) {
    if (error == EXDEV && r->settings.files_root != NULL)
        return "it leads outside this session's folder (--files-in)";
    if (error == EINTR) return "interrupted"; /* Ctrl-C while a FIFO's reader did not read */
    return atomic_file_strerror(path, error);
}

/* A regular file's kind of node, for the refusal of others. */
static const char *node_kind(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISDIR(mode)) return "a directory";
    return "not a regular file";
}

int repl_open_file(repl *r, const char *who, const char *path) {
    int root_fd = r->settings.files_root_fd;
    const char *root = r->settings.files_root;
    if (root == NULL) root = "/", root_fd = confined_slash_fd();
    int fd = root_fd < 0 ? -1 : confined_open_read(root_fd, root, path);
    if (fd < 0) return repl_error(r, "%s: cannot read %s: %s", who, path, repl_file_strerror(r, path, errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int error = errno;
        close(fd);
        return repl_error(r, "%s: cannot read %s: %s", who, path, strerror(error));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        if (S_ISDIR(st.st_mode)) return repl_error(r, "%s: cannot read %s: %s", who, path, strerror(EISDIR));
        return repl_error(r, "%s: cannot read %s: it is %s, not a regular file", who, path, node_kind(st.st_mode));
    }
    return fd;
}

/* Whether path names a regular file a file statement may look at. */
static bool usable_file(const repl *r, const char *path) {
    struct stat st;
    if (r->settings.files_root != NULL && !confined_names_below(r->settings.files_root, path)) return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool repl_find_beside(const repl *r, const char *script, const char *relative, char *out, size_t size) {
    int n = snprintf(out, size, "%s", relative);
    if (n > 0 && (size_t)n < size && usable_file(r, out)) return true;
    struct stat st;
    /* a script's text came from a file of that name ("<stdin>" and "-e" are
       no files); its folder is the part before its last '/', or "." */
    if (script == NULL || stat(script, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    const char *slash = strrchr(script, '/');
    if (slash == NULL) return false; /* the current folder, looked in already */
    n = snprintf(out, size, "%.*s/%s", (int)(slash - script), script, relative);
    return n > 0 && (size_t)n < size && usable_file(r, out);
}

int repl_write_file(repl *r, const char *path, const void *data, size_t size, int flags) {
    return write_file_atomic_in(r->settings.files_root_fd, r->settings.files_root, path, data, size, flags);
}
