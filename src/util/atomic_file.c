/* atomic_file.c — write to a temporary file beside the target, then rename,
 * or write in place where a rename would change what `>` keeps
 * (atomic_file.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Links followed at most when looking for the file a dangling link names. */
#define MAX_LINKS 40

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
    if (af->in_place_fd >= 0) close(af->in_place_fd);
    free(af->memory);
    free(af->temp_path);
    free(af->path);
    *af = (atomic_file){.in_place_fd = -1};
}

static int fail(atomic_file *af, int error) {
    release(af);
    errno = error;
    return -1;
}

/* The missing file that the dangling symbolic link `path` ends at
 * (malloc'd), following links that lead to links; NULL with errno set. */
static char *dangling_end(const char *path) {
    char *current = strdup(path);
    for (int hops = 0; current != NULL && hops < MAX_LINKS; hops++) {
        struct stat st;
        if (lstat(current, &st) < 0) return errno == ENOENT ? current : (free(current), NULL);
        if (!S_ISLNK(st.st_mode)) { /* appeared meanwhile: write it as found */
            return current;
        }
        char target[4096];
        ssize_t n = readlink(current, target, sizeof target - 1);
        if (n < 0) {
            free(current);
            return NULL;
        }
        target[n] = '\0';
        const char *slash = strrchr(current, '/');
        size_t dir = target[0] == '/' || slash == NULL ? 0 : (size_t)(slash - current) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next != NULL) {
            memcpy(next, current, dir);
            memcpy(next + dir, target, (size_t)n + 1);
        }
        free(current);
        current = next;
    }
    if (current != NULL) {
        free(current);
        errno = ELOOP;
    } else {
        errno = ENOMEM;
    }
    return NULL;
}

/* The new file's mode when it does not exist yet: a plain fopen's. */
static mode_t new_file_mode(void) {
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Makes the temporary file fd look like `target`: owner and group first
 * (changing them may clear set-id bits), then the mode.  False when the
 * owner or group cannot be given (not root): then only a write in place
 * keeps them. */
static bool take_identity(int fd, const struct stat *target) {
    struct stat mine;
    if (fstat(fd, &mine) < 0) return false;
    if ((mine.st_uid != target->st_uid || mine.st_gid != target->st_gid) &&
        fchown(fd, target->st_uid, target->st_gid) < 0)
        return false;
    return fchmod(fd, target->st_mode & 07777) == 0;
}

/* Writes in place: the content is gathered in memory until the commit. */
static int open_in_place(atomic_file *af) {
    free(af->temp_path);
    af->temp_path = NULL;
    af->in_place_fd = open(af->path, O_WRONLY | O_CLOEXEC);
    if (af->in_place_fd < 0) return fail(af, errno);
    af->file = open_memstream(&af->memory, &af->memory_size);
    return af->file ? 0 : fail(af, errno ? errno : ENOMEM);
}

int atomic_file_open_flags(atomic_file *af, const char *path, int flags) {
    *af = (atomic_file){.in_place_fd = -1};
    if (path == NULL || path[0] == '\0') return fail(af, ENOENT);
    struct stat target, link;
    bool exists = stat(path, &target) == 0;
    int why = errno;
    bool is_link = lstat(path, &link) == 0 && S_ISLNK(link.st_mode);
    if (!exists && is_link) {
        /* a loop, or a link to nothing: only `!` creates what it names */
        if (why != ENOENT || !(flags & ATOMIC_FILE_FORCE)) return fail(af, why);
        af->path = dangling_end(path);
        if (af->path == NULL) return fail(af, errno);
    } else if (exists && S_ISDIR(target.st_mode)) {
        return fail(af, EISDIR);
    } else if (exists && !S_ISREG(target.st_mode)) {
        /* a device, pipe or socket (/dev/null, /dev/stdout): there is no
         * old content to keep and renaming over it would replace the node;
         * write to it directly */
        af->file = fopen(path, "wb");
        return af->file ? 0 : fail(af, errno);
    } else {
        /* a symbolic link: replace the file it names, not the link */
        af->path = exists ? realpath(path, NULL) : strdup(path);
        if (af->path == NULL) return fail(af, exists ? errno : ENOMEM);
    }
    if (exists) {
        bool read_only = access(af->path, W_OK) != 0 || (target.st_mode & 0222) == 0;
        if (read_only && !(flags & ATOMIC_FILE_FORCE)) return fail(af, EACCES);
    }
    af->temp_path = temp_template(af->path);
    if (af->temp_path == NULL) return fail(af, ENOMEM);
    int fd = mkstemp(af->temp_path);
    if (fd < 0) {
        /* no temporary file beside it (a read-only directory): a writable
           file is written in place, as `>` would */
        if (exists && (errno == EACCES || errno == EPERM || errno == EROFS) &&
            access(af->path, W_OK) == 0)
            return open_in_place(af);
        return fail(af, errno);
    }
    if (exists && (target.st_nlink > 1 || !take_identity(fd, &target))) {
        /* a rename would split its hard links, or give it our owner */
        close(fd);
        unlink(af->temp_path);
        return open_in_place(af);
    }
    if (!exists) (void)fchmod(fd, new_file_mode()); /* mkstemp makes it 0600 */
    af->file = fdopen(fd, "wb");
    if (af->file == NULL) {
        int saved = errno;
        close(fd);
        unlink(af->temp_path);
        return fail(af, saved);
    }
    return 0;
}

int atomic_file_open(atomic_file *af, const char *path) { return atomic_file_open_flags(af, path, 0); }

/* Writes data[0..size) at offset 0 of fd and cuts the file there; 0, or
 * -1 with errno set. */
static int write_over(int fd, const char *data, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? -1 : (errno = EIO, -1);
        done += (size_t)n;
    }
    if (ftruncate(fd, (off_t)size) < 0) return -1;
    if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) return -1;
    return 0;
}

/* The whole content of path (malloc'd, *size set), or NULL. */
static char *read_whole(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char *data = fstat(fd, &st) == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    size_t done = 0;
    while (data != NULL && done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    close(fd);
    *size = done;
    return data;
}

/* The commit of a write in place: the old content is kept in memory and
 * written back when the new cannot be written whole. */
static int commit_in_place(atomic_file *af) {
    int saved = 0;
    if (ferror(af->file)) saved = EIO;
    if (fclose(af->file) != 0 && saved == 0) saved = errno ? errno : ENOMEM;
    af->file = NULL;
    if (saved == 0) {
        size_t old_size = 0;
        char *old = read_whole(af->path, &old_size);
        if (write_over(af->in_place_fd, af->memory, af->memory_size) < 0) {
            saved = errno;
            if (old != NULL) (void)write_over(af->in_place_fd, old, old_size);
        }
        free(old);
    }
    if (close(af->in_place_fd) != 0 && saved == 0) saved = errno;
    af->in_place_fd = -1;
    release(af);
    if (saved) errno = saved;
    return saved ? -1 : 0;
}

int atomic_file_commit(atomic_file *af) {
    if (af->in_place_fd >= 0) return commit_in_place(af);
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
    af->file = NULL;
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

const char *atomic_file_strerror(const char *path, int error) {
    struct stat st;
    if (error == ENOENT && path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return "it is a symbolic link to a file that does not exist";
    if (error == EACCES && path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        (access(path, W_OK) != 0 || (st.st_mode & 0222) == 0))
        return "the file is read-only";
    return strerror(error);
}
