/* atomic_file.c — write to a temporary file beside the target, then rename,
 * or write in place where a rename would change what `>` keeps
 * (atomic_file.h). */
#define _GNU_SOURCE /* O_NOFOLLOW, openat and the *at calls, open_memstream */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "confined.h"

/* A new temporary file ".<name>.XXXXXX" in dir (O_EXCL, mode 0600), its
 * name in *temp (malloc'd); the descriptor, or -1 with errno set. */
static int make_temp(int dir, const char *name, char **temp) {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static unsigned long counter;
    size_t n = strlen(name) + sizeof "..XXXXXX";
    *temp = malloc(n);
    if (*temp == NULL) return errno = ENOMEM, -1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned long long seed = (unsigned long long)now.tv_nsec ^ ((unsigned long long)getpid() << 32) ^
                              (unsigned long long)(++counter * 0x9E3779B97F4A7C15ull);
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            suffix[i] = letters[(seed >> 33) % (sizeof letters - 1)];
        }
        suffix[6] = '\0';
        snprintf(*temp, n, ".%s.%s", name, suffix);
        int fd = openat(dir, *temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) {
            if (fd < 0) {
                int saved = errno;
                free(*temp);
                *temp = NULL;
                errno = saved;
            }
            return fd;
        }
    }
    free(*temp);
    *temp = NULL;
    return errno = EEXIST, -1;
}

static void release(atomic_file *af) {
    if (af->in_place_fd >= 0) close(af->in_place_fd);
    if (af->direct_fd >= 0) close(af->direct_fd);
    if (af->dir_fd >= 0) close(af->dir_fd);
    free(af->memory);
    free(af->temp_name);
    free(af->name);
    *af = (atomic_file){.in_place_fd = -1, .direct_fd = -1, .dir_fd = -1};
}

static int fail(atomic_file *af, int error) {
    release(af);
    errno = error;
    return -1;
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

/* The flag a write to a FIFO or device looks at while it waits
 * (atomic_file_set_interrupt); NULL: none. */
static const volatile sig_atomic_t *interrupt_flag;

void atomic_file_set_interrupt(const volatile sig_atomic_t *flag) { interrupt_flag = flag; }

/* How long one wait for a FIFO's reader lasts before the interrupt flag is
 * looked at again: a signal's handler installed with SA_RESTART would not
 * end the poll, so the flag is polled too. */
#define WAIT_SLICE_MS 100

/* Writes data[0..size) to fd, a FIFO or device opened O_NONBLOCK: a full
 * pipe is waited on in slices, and the wait ends with EINTR once the
 * interrupt flag is set.  SIGPIPE is blocked meanwhile, so a reader that
 * leaves is EPIPE, not the death of the process, and a SIGPIPE raised here
 * is taken back.  0, or -1 with errno set. */
static int write_direct(int fd, const char *data, size_t size) {
    sigset_t pipe_only, before;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
    sigset_t pending;
    bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    size_t done = 0;
    int error = 0;
    while (done < size && error == 0) {
        if (interrupt_flag != NULL && *interrupt_flag) {
            error = EINTR;
            break;
        }
        ssize_t n = write(fd, data + done, size - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, WAIT_SLICE_MS) < 0 && errno != EINTR) error = errno;
        } else if (n < 0 && errno != EINTR) {
            error = errno;
        } else if (n == 0) {
            error = EIO;
        }
    }
    if (error == EPIPE && !was_pending) { /* the SIGPIPE this write raised */
        struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (error) errno = error;
    return error ? -1 : 0;
}

/* Writes in place: the content is gathered in memory until the commit. */
static int open_in_place(atomic_file *af) {
    free(af->temp_name);
    af->temp_name = NULL;
    af->in_place_fd = openat(af->dir_fd, af->name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (af->in_place_fd < 0) return fail(af, errno);
    af->file = open_memstream(&af->memory, &af->memory_size);
    return af->file ? 0 : fail(af, errno ? errno : ENOMEM);
}

/* Whether the caller may write the file name in dir (as access(W_OK)). */
static bool writable(int dir, const char *name) { return faccessat(dir, name, W_OK, 0) == 0; }

int atomic_file_open_in(atomic_file *af, int root_fd, const char *root, const char *path, int flags) {
    *af = (atomic_file){.in_place_fd = -1, .direct_fd = -1, .dir_fd = -1};
    if (path == NULL || path[0] == '\0') return fail(af, ENOENT);
    if (root == NULL) {
        /* unconfined, a name for an open pipe or device such as /dev/stdout
           (a link to /proc/self/fd/1, itself a link to "pipe:[N]" that no
           walk by names can follow) is opened as the kernel resolves it */
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 && errno == ENXIO) return fail(af, ENXIO); /* a FIFO with no reader */
        if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            af->direct_fd = fd;
            af->file = open_memstream(&af->memory, &af->memory_size);
            return af->file ? 0 : fail(af, errno ? errno : ENOMEM);
        }
        if (fd >= 0) close(fd);
        root = "/";
        root_fd = confined_slash_fd();
        if (root_fd < 0) return fail(af, errno);
    }
    /* the target as named; a symbolic link is followed (below root) to the
       file it names, which is the one replaced */
    if (confined_resolve(root_fd, root, path, false, &af->dir_fd, &af->name) < 0) return fail(af, errno);
    if (strcmp(af->name, ".") == 0) return fail(af, EISDIR);
    struct stat target;
    bool exists = fstatat(af->dir_fd, af->name, &target, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) return fail(af, errno);
    if (exists && S_ISLNK(target.st_mode)) {
        close(af->dir_fd);
        free(af->name);
        af->dir_fd = -1;
        af->name = NULL;
        if (confined_resolve(root_fd, root, path, true, &af->dir_fd, &af->name) < 0) return fail(af, errno);
        if (strcmp(af->name, ".") == 0) return fail(af, EISDIR);
        exists = fstatat(af->dir_fd, af->name, &target, AT_SYMLINK_NOFOLLOW) == 0;
        /* a link to nothing: only `!` creates what it names */
        if (!exists && (errno != ENOENT || !(flags & ATOMIC_FILE_FORCE))) return fail(af, errno);
        if (exists && S_ISLNK(target.st_mode)) return fail(af, ELOOP); /* swapped meanwhile */
    }
    if (exists && S_ISDIR(target.st_mode)) return fail(af, EISDIR);
    if (exists && !S_ISREG(target.st_mode)) {
        /* a device, pipe or socket (/dev/null, /dev/stdout): there is no
         * old content to keep and renaming over it would replace the node;
         * it is written directly at the commit, never waiting in open() for
         * a reader (a FIFO nobody reads is ENXIO) and never in write() for
         * one that does not read (write_direct) */
        af->direct_fd = openat(af->dir_fd, af->name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (af->direct_fd < 0) return fail(af, errno);
        af->file = open_memstream(&af->memory, &af->memory_size);
        return af->file ? 0 : fail(af, errno ? errno : ENOMEM);
    }
    if (exists) {
        bool read_only = !writable(af->dir_fd, af->name) || (target.st_mode & 0222) == 0;
        if (read_only && !(flags & ATOMIC_FILE_FORCE)) return fail(af, EACCES);
    }
    int fd = make_temp(af->dir_fd, af->name, &af->temp_name);
    if (fd < 0) {
        /* no temporary file beside it (a read-only directory): a writable
           file is written in place, as `>` would */
        if (exists && (errno == EACCES || errno == EPERM || errno == EROFS) && writable(af->dir_fd, af->name))
            return open_in_place(af);
        return fail(af, errno);
    }
    if (exists && (target.st_nlink > 1 || !take_identity(fd, &target))) {
        /* a rename would split its hard links, or give it our owner */
        close(fd);
        unlinkat(af->dir_fd, af->temp_name, 0);
        return open_in_place(af);
    }
    if (!exists) (void)fchmod(fd, new_file_mode()); /* made 0600 */
    af->file = fdopen(fd, "wb");
    if (af->file == NULL) {
        int saved = errno;
        close(fd);
        unlinkat(af->dir_fd, af->temp_name, 0);
        return fail(af, saved);
    }
    return 0;
}

int atomic_file_open_flags(atomic_file *af, const char *path, int flags) {
    return atomic_file_open_in(af, -1, NULL, path, flags);
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

/* The whole content of name in dir (malloc'd, *size set), or NULL. */
static char *read_whole(int dir, const char *name, size_t *size) {
    int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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

/* Whether the interrupt flag is up: a commit that sees it gives up (EINTR),
 * since the statement that wrote will fail, and a failed statement changes
 * no file. */
static bool interrupted(void) { return interrupt_flag != NULL && *interrupt_flag; }

/* The commit of a write in place: the old content is kept in memory and
 * written back when the new cannot be written whole. */
static int commit_in_place(atomic_file *af) {
    int saved = 0;
    if (ferror(af->file)) saved = EIO;
    if (fclose(af->file) != 0 && saved == 0) saved = errno ? errno : ENOMEM;
    af->file = NULL;
    if (saved == 0 && interrupted()) saved = EINTR;
    if (saved == 0) {
        size_t old_size = 0;
        char *old = read_whole(af->dir_fd, af->name, &old_size);
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

/* The commit of a write to a FIFO or device: what was gathered, written
 * through write_direct. */
static int commit_direct(atomic_file *af) {
    int saved = 0;
    if (ferror(af->file)) saved = EIO;
    if (fclose(af->file) != 0 && saved == 0) saved = errno ? errno : ENOMEM;
    af->file = NULL;
    if (saved == 0 && write_direct(af->direct_fd, af->memory, af->memory_size) < 0) saved = errno;
    if (close(af->direct_fd) != 0 && saved == 0 && errno != EINTR) saved = errno;
    af->direct_fd = -1;
    release(af);
    if (saved) errno = saved;
    return saved ? -1 : 0;
}

int atomic_file_commit(atomic_file *af) {
    if (af->in_place_fd >= 0) return commit_in_place(af);
    if (af->direct_fd >= 0) return commit_direct(af);
    int failed = 0, saved = 0;
    if (ferror(af->file) || fflush(af->file) != 0) failed = 1, saved = errno ? errno : EIO;
    if (!failed && interrupted()) failed = 1, saved = EINTR;
    if (!failed && fsync(fileno(af->file)) != 0 && errno != EINVAL && errno != EROFS)
        failed = 1, saved = errno; /* EINVAL: a file system without fsync (pipes, some FUSE) */
    if (fclose(af->file) != 0 && !failed) failed = 1, saved = errno;
    af->file = NULL;
    if (!failed && interrupted()) failed = 1, saved = EINTR; /* the fsync can take a while */
    if (!failed && renameat(af->dir_fd, af->temp_name, af->dir_fd, af->name) != 0) failed = 1, saved = errno;
    if (failed) unlinkat(af->dir_fd, af->temp_name, 0);
    release(af);
    if (failed) errno = saved;
    return failed ? -1 : 0;
}

void atomic_file_abort(atomic_file *af) {
    if (af->file) fclose(af->file);
    af->file = NULL;
    if (af->temp_name) unlinkat(af->dir_fd, af->temp_name, 0);
    release(af);
}

int write_file_atomic(const char *path, const void *data, size_t size) {
    return write_file_atomic_in(-1, NULL, path, data, size, 0);
}

/* How many bytes write_file_atomic_in writes between looks at the
 * interrupt flag: 1e8 bytes take a while to reach the disk. */
#define WRITE_SLICE (1u << 20)

int write_file_atomic_in(int root_fd, const char *root, const char *path, const void *data, size_t size,
                         int flags) {
    atomic_file af;
    if (atomic_file_open_in(&af, root_fd, root, path, flags) < 0) return -1;
    const char *bytes = data;
    for (size_t done = 0; done < size;) {
        size_t n = size - done < WRITE_SLICE ? size - done : WRITE_SLICE;
        int saved = interrupted() ? EINTR : fwrite(bytes + done, 1, n, af.file) != n ? (errno ? errno : EIO) : 0;
        if (saved) {
            atomic_file_abort(&af);
            errno = saved;
            return -1;
        }
        done += n;
    }
    return atomic_file_commit(&af);
}

int atomic_file_folder_error(const char *path) {
    struct stat st;
    if (path == NULL || path[0] == '\0') return ENOENT;
    if (stat(path, &st) == 0) return S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (errno != ENOENT) return errno;
    const char *slash = strrchr(path, '/');
    if (slash == NULL) return 0; /* the current folder */
    char *folder = strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (folder == NULL) return ENOMEM;
    int error = stat(folder, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    free(folder);
    return error;
}

const char *atomic_file_strerror(const char *path, int error) {
    struct stat st;
    if (error == ENOENT && path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return "it is a symbolic link to a file that does not exist";
    if (error == ENXIO && path && stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
        return "it is a FIFO with no reader";
    if (error == ENXIO && path && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        return "it is a socket, not a file";
    if (error == EACCES && path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        (access(path, W_OK) != 0 || (st.st_mode & 0222) == 0))
        return "the file is read-only";
    return strerror(error);
}
