/* confined.c — paths resolved one name at a time below a directory held
 * open (confined.h). */
#define _GNU_SOURCE /* O_PATH */
#include "confined.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

/* The part of the absolute path `abs` below `root` (without its leading
 * slashes), or NULL when abs does not start with root. */
static const char *below(const char *root, const char *abs) {
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--;
    if (n == 1 && root[0] == '/') return abs + 1;
    if (strncmp(abs, root, n) != 0 || (abs[n] != '/' && abs[n] != '\0')) return NULL;
    return abs + n;
}

/* `path` made absolute against the working directory (malloc'd), or NULL. */
static char *absolute(const char *path) {
    if (path[0] == '/') return strdup(path);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL) return NULL;
    size_t a = strlen(cwd), b = strlen(path);
    char *out = malloc(a + b + 2);
    if (out == NULL) return NULL;
    memcpy(out, cwd, a);
    out[a] = '/';
    memcpy(out + a + 1, path, b + 1);
    return out;
}

/* a then "/" then b (malloc'd), or NULL. */
static char *joined(const char *a, size_t a_len, const char *b) {
    size_t b_len = strlen(b);
    char *out = malloc(a_len + b_len + 2);
    if (out == NULL) return NULL;
    memcpy(out, a, a_len);
    out[a_len] = '/';
    memcpy(out + a_len + 1, b, b_len + 1);
    return out;
}

/* The directories opened so far: fds[0] the root, fds[depth - 1] the one
 * the next name is looked up in. */
typedef struct {
    int *fds;
    size_t depth, capacity;
} dir_stack;

static void close_above(dir_stack *s, size_t keep) {
    while (s->depth > keep) close(s->fds[--s->depth]);
}

int confined_resolve(int root_fd, const char *root, const char *path, bool follow_last, int *dir_fd,
                     char **name) {
    *dir_fd = -1;
    *name = NULL;
    if (path == NULL || path[0] == '\0') return errno = ENOENT, -1;
    char *abs = absolute(path);
    if (abs == NULL) return errno = errno ? errno : ENOMEM, -1;
    const char *inside = below(root, abs);
    char *rest = inside != NULL ? strdup(inside) : NULL;
    int error = inside == NULL ? EXDEV : rest == NULL ? ENOMEM : 0;
    free(abs);
    if (error) return errno = error, -1;

    dir_stack s = {0};
    int links = 0;
    size_t at = 0;
    if (!ARRAY_RESERVE(s.fds, s.capacity, s.depth, 1)) error = ENOMEM;
    else if ((s.fds[0] = fcntl(root_fd, F_DUPFD_CLOEXEC, 0)) < 0) error = errno;
    else s.depth = 1;
    while (!error) {
        while (rest[at] == '/') at++;
        if (rest[at] == '\0') { /* the path names a directory */
            if ((*name = strdup(".")) == NULL) error = ENOMEM;
            break;
        }
        size_t end = at;
        while (rest[end] != '\0' && rest[end] != '/') end++;
        size_t next = end;
        while (rest[next] == '/') next++;
        bool last = rest[next] == '\0' && end == next; /* "dir/" must be a directory */
        char *component = strndup(rest + at, end - at);
        if (component == NULL) {
            error = ENOMEM;
            break;
        }
        if (strcmp(component, ".") == 0 || strcmp(component, "..") == 0) {
            bool up = component[1] == '.';
            free(component);
            if (up && s.depth == 1) {
                error = EXDEV; /* above the root */
                break;
            }
            if (up) close_above(&s, s.depth - 1);
            at = next;
            continue;
        }
        int top = s.fds[s.depth - 1];
        char target[PATH_MAX];
        ssize_t link_length = -1;
        if (last) {
            if (follow_last) link_length = readlinkat(top, component, target, sizeof target - 1);
            if (link_length < 0) { /* not a link (or missing): the end of the walk */
                *name = component;
                break;
            }
        } else {
            int fd = openat(top, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) {
                free(component);
                if (!ARRAY_RESERVE(s.fds, s.capacity, s.depth, 1)) {
                    close(fd);
                    error = ENOMEM;
                    break;
                }
                s.fds[s.depth++] = fd;
                at = next;
                continue;
            }
            int open_error = errno;
            link_length = readlinkat(top, component, target, sizeof target - 1);
            if (link_length < 0) {
                free(component);
                error = open_error;
                break;
            }
        }
        /* a symbolic link: its text is walked in its place */
        free(component);
        target[link_length] = '\0';
        if (++links > CONFINED_MAX_LINKS) {
            error = ELOOP;
            break;
        }
        const char *from = target;
        if (target[0] == '/') {
            from = below(root, target);
            if (from == NULL) {
                error = EXDEV;
                break;
            }
            close_above(&s, 1);
        }
        char *walked = rest[end] == '\0' ? strdup(from) : joined(from, strlen(from), rest + end);
        if (walked == NULL) {
            error = ENOMEM;
            break;
        }
        free(rest);
        rest = walked;
        at = 0;
    }
    free(rest);
    if (!error) {
        *dir_fd = s.fds[s.depth - 1];
        s.depth--;
    } else {
        free(*name);
        *name = NULL;
    }
    close_above(&s, 0);
    free(s.fds);
    if (error) errno = error;
    return error ? -1 : 0;
}

int confined_open_read(int root_fd, const char *root, const char *path) {
    /* a name swapped for a link between the walk and the open fails the
       open (ELOOP): walk again, and the link is judged like any other */
    for (int attempt = 0; attempt < 3; attempt++) {
        int dir;
        char *name;
        if (confined_resolve(root_fd, root, path, true, &dir, &name) < 0) return -1;
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        int error = errno;
        close(dir);
        free(name);
        if (fd >= 0) {
            int flags = fcntl(fd, F_GETFL);
            if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
            return fd;
        }
        if (error != ELOOP) return errno = error, -1;
    }
    return errno = ELOOP, -1;
}

bool confined_names_below(const char *root, const char *path) {
    char *abs = path != NULL ? absolute(path) : NULL;
    bool inside = abs != NULL && below(root, abs) != NULL;
    free(abs);
    return inside;
}

int confined_slash_fd(void) {
    static int slash = -1;
    if (slash < 0) slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return slash;
}
