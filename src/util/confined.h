/* confined.h — a path resolved one name at a time below a directory held
 * open, so that what is checked is what is opened (no time-of-check race).
 *
 * realpath() and then open() by name leaves a window in which a name can be
 * swapped for a symbolic link to anywhere.  Here every directory on the way
 * is opened with openat(..., O_NOFOLLOW) relative to the one before it,
 * starting at the root's descriptor; a symbolic link met on the way is read
 * (readlinkat) and its text walked in its place, and `..` goes back up the
 * directories already opened, never above the root.  What the walk ends at
 * is a descriptor of the directory that holds the last name, and that name,
 * which the caller opens (or creates, or renames over) with openat and
 * O_NOFOLLOW: if the name was swapped for a link meanwhile, the open fails
 * instead of following it.
 *
 * With root "/" the walk confines nothing and is how every whole-file write
 * finds its target (atomic_file.h).  Part of the shared utility layer
 * (src/util/). */
#ifndef AGUTIL_CONFINED_H
#define AGUTIL_CONFINED_H

#include <stdbool.h>

/* Symbolic links followed at most in one walk (as the kernel's 40). */
#define CONFINED_MAX_LINKS 40

/* Resolves `path` (absolute, or relative to the working directory) below
 * the directory `root` (a real path, as realpath() gives) whose descriptor
 * root_fd is (O_PATH or O_RDONLY, O_DIRECTORY).  Symbolic links on the way
 * are followed while they stay below root, and the last name's too when
 * `follow_last`.  On success 0: *dir_fd a new descriptor (O_PATH) of the
 * directory that holds the last name, *name that name (malloc'd; "." when
 * the path names a directory by "." or ".." or the root itself).  The last
 * name need not exist.  -1 with errno: EXDEV when the path or a link leads
 * outside root, ELOOP after CONFINED_MAX_LINKS links, ENOENT or ENOTDIR when
 * a directory on the way is missing, ENOMEM. */
int confined_resolve(int root_fd, const char *root, const char *path, bool follow_last, int *dir_fd,
                     char **name);

/* Opens `path` below root for reading (confined_resolve with links
 * followed, then openat with O_NOFOLLOW | O_NONBLOCK, so a FIFO or a device
 * never blocks the open) and puts the descriptor back in blocking mode.  The
 * caller checks with fstat what it opened (a regular file?).  The
 * descriptor, or -1 with errno set (as confined_resolve, or openat's). */
int confined_open_read(int root_fd, const char *root, const char *path);

/* Whether `path` (absolute, or relative to the working directory) names a
 * place below root by its letters alone, before any link or ".." is
 * followed: where a walk of it starts from root rather than being refused
 * outright.  False when the working directory cannot be told. */
bool confined_names_below(const char *root, const char *path);

/* The descriptor (O_PATH) of "/" for an unconfined walk, opened once and
 * kept for the process; -1 with errno when it cannot be opened. */
int confined_slash_fd(void);

#endif
