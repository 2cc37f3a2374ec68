/* atomic_file.c — write to a temporary file beside the target, then rename
 * (atomic_file.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<dir>/.<base>.XXXXXX" for path "<dir>/<base>" (or ".<base>.XXXXXX"). */
static char *temp_template(const char *path) {
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir;
    size_t n = dir + 1 + strlen(base) + sizeof ".XXXXXX";
    char *t = malloc(n);
    if (t == NULL) return NULL;
    memcpy(t, path, dir);
    snprintf(t + dir, n - dir, ".%s.XXXXXX", base);
    return t;
}

static void release(atomic_file *af) {
    free(af->temp_path);
    free(af->path);
    *af = (atomic_file){0};
}

int atomic_file_open(atomic_file *af, const char *path) {
    *af = (atomic_file){0};
    if (path == NULL || path[0] == '\0') {
        errno = ENOENT;
        return -1;
    }
    struct stat target;
    if (stat(path, &target) == 0 && S_ISDIR(target.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (stat(path, &target) == 0 && !S_ISREG(target.st_mode)) {
        /* a device, pipe or socket (/dev/null, /dev/stdout): there is no
         * old content to keep and renaming over it would replace the node;
         * write to it directly */
        af->file = fopen(path, "wb");
        return af->file ? 0 : -1;
    }
    /* a symbolic link: replace the file it names, not the link */
    char *resolved = realpath(path, NULL);
    af->path = resolved ? resolved : strdup(path);
    af->temp_path = temp_template(af->path);
    if (af->path == NULL || af->temp_path == NULL) {
        release(af);
        errno = ENOMEM;
        return -1;
    }
    int fd = mkstemp(af->temp_path);
    if (fd < 0) {
        int saved = errno;
        release(af);
        errno = saved;
        return -1;
    }
    /* mkstemp makes the file 0600: give it the mode a plain fopen would
     * (the target's own mode when it exists) */
    struct stat st;
    mode_t mode;
    if (stat(af->path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(fd, mode);
    af->file = fdopen(fd, "wb");
    if (af->file == NULL) {
        int saved = errno;
        close(fd);
        unlink(af->temp_path);
        release(af);
        errno = saved;
        return -1;
    }
    return 0;
}

int atomic_file_commit(atomic_file *af) {
    int failed = 0, saved = 0;
    if (ferror(af->file) || fflush(af->file) != 0) failed = 1, saved = errno ? errno : EIO;
    if (!failed && fsync(fileno(af->file)) != 0 && errno != EINVAL && errno != EROFS)
        failed = 1, saved = errno; /* EINVAL: a file system without fsync (pipes, some FUSE) */
    if (fclose(af->file) != 0 && !failed) failed = 1, saved = errno;
    af->file = NULL;
    if (af->temp_path == NULL) { /* written directly (not a regular file) */
        release(af);
        if (failed) errno = saved;
        return failed ? -1 : 0;
    }
    if (!failed && rename(af->temp_path, af->path) != 0) failed = 1, saved = errno;
    if (failed) unlink(af->temp_path);
    release(af);
    if (failed) errno = saved;
    return failed ? -1 : 0;
}

void atomic_file_abort(atomic_file *af) {
    if (af->file) fclose(af->file);
    if (af->temp_path) unlink(af->temp_path);
    release(af);
}

int write_file_atomic(const char *path, const void *data, size_t size) {
    atomic_file af;
    if (atomic_file_open(&af, path) < 0) return -1;
    if (size > 0 && fwrite(data, 1, size, af.file) != size) {
        int saved = errno ? errno : EIO;
        atomic_file_abort(&af);
        errno = saved;
        return -1;
    }
    return atomic_file_commit(&af);
}
