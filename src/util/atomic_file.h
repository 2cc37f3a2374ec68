/* atomic_file.h — whole-file writes that behave as the shell's `>` would for
 * the user, and never leave a half-written file where that can be avoided.
 *
 * The usual way: the data goes to a temporary file in the same directory as
 * the target (so the final rename stays within one file system), is
 * flushed, synced and closed with every step checked, and only then renamed
 * over the target, with the target's mode, owner and group.  On any failure
 * the temporary file is removed and the target is left exactly as it was.
 *
 * What `>` keeps and a rename would not:
 *   - a symbolic link stays a link: the file it names is written; a link to
 *     nothing is an error (ENOENT) unless ATOMIC_FILE_FORCE, which creates
 *     the file it names; a loop of links is an error (ELOOP);
 *   - a read-only file (no write permission for us, or none for anyone) is
 *     an error (EACCES) unless ATOMIC_FILE_FORCE;
 *   - a file with other hard links, or whose owner or group the temporary
 *     file cannot take (we are not root), or in a directory where no
 *     temporary file can be made, is written in place: the new content is
 *     gathered in memory, then written over the old, which is kept in
 *     memory and written back if the write fails (not atomic against a
 *     crash, but the file keeps its inode, links, owner and mode).
 * Part of the shared utility layer (src/util/, build/libagutil.a), below
 * repl/ and viz/, not part of libautograd. */
#ifndef AGUTIL_ATOMIC_FILE_H
#define AGUTIL_ATOMIC_FILE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/* atomic_file_open_flags: the user said `!` (:save!): a read-only file is
 * replaced, and a symbolic link to nothing creates the file it names. */
#define ATOMIC_FILE_FORCE 1

/* A write in progress: `file` is open for writing. */
typedef struct atomic_file {
    FILE *file;
    int dir_fd;      /* the target's directory (confined.h), or -1 */
    char *name;      /* malloc'd: the target's name in dir_fd (symbolic
                      * links resolved) */
    char *temp_name; /* malloc'd: ".<name>.XXXXXX" in dir_fd when the file
                      * is renamed over the target; NULL otherwise */
    int in_place_fd; /* >= 0: written in place through this descriptor; the
                      * stream then gathers the content in `memory` */
    int direct_fd;   /* >= 0: a FIFO or device, written through this
                      * (non-blocking) descriptor at the commit; the stream
                      * gathers the content in `memory` */
    char *memory;
    size_t memory_size;
} atomic_file;

/* Starts writing `path` (flags 0 or ATOMIC_FILE_FORCE): creates the
 * temporary file beside it, or decides to write in place (above).  A
 * target that exists but is not a regular file (/dev/full, a FIFO) has no
 * content to keep and is written directly at the commit, never blocking:
 * a FIFO nobody has open is ENXIO at once; a reader that does not read is
 * waited on until it does or the interrupt flag is set (EINTR); a reader
 * that leaves is EPIPE (SIGPIPE is blocked meanwhile).  Unconfined, a
 * name the kernel resolves to a pipe or device (/dev/stdout in a pipeline,
 * which no walk by names can follow) is written so too.  A directory fails
 * with EISDIR.  Every name on the
 * way is opened relative to the one before (confined.h), and the target,
 * the temporary file and the rename are relative to the directory found,
 * so a name swapped for a link meanwhile is never followed.
 * 0, or -1 with errno set (nothing created). */
int atomic_file_open_flags(atomic_file *af, const char *path, int flags);
/* atomic_file_open_flags confined below the directory `root` (a real path)
 * whose descriptor is root_fd (confined_resolve): a path or link that leads
 * outside it fails with EXDEV.  root NULL: anywhere. */
int atomic_file_open_in(atomic_file *af, int root_fd, const char *root, const char *path, int flags);
/* atomic_file_open_flags(af, path, 0). */
int atomic_file_open(atomic_file *af, const char *path);
/* Finishes: fflush, fsync, fclose (each checked), then rename over the
 * target (or the write in place).  0, or -1 with errno set, the temporary
 * file removed and the target as it was; either way af is released.  The
 * interrupt flag (atomic_file_set_interrupt) up before the rename: EINTR,
 * the target as it was. */
int atomic_file_commit(atomic_file *af);
/* Gives up: closes and removes the temporary file; af is released. */
void atomic_file_abort(atomic_file *af);
/* The flag (set from a signal handler or another thread, as a REPL's
 * Ctrl-C) that makes a commit give up with EINTR, the target as it was:
 * seen before the rename, while write_file_atomic writes, and while a
 * FIFO's reader is waited on; NULL: never (the wait lasts until the reader
 * reads or leaves).  One for the process. */
void atomic_file_set_interrupt(const volatile sig_atomic_t *flag);

/* The whole of data[0..size) as the new content of path, atomically where
 * possible (flags 0), a slice at a time, each after a look at the interrupt
 * flag.  0, or -1 with errno set (path unchanged; EINTR: interrupted). */
int write_file_atomic(const char *path, const void *data, size_t size);
/* write_file_atomic with flags, confined below root (atomic_file_open_in). */
int write_file_atomic_in(int root_fd, const char *root, const char *path, const void *data, size_t size,
                         int flags);

/* For a file written later, by someone else (the web page draws its PNGs
 * in the browser after the statement): 0 when a write of path would find
 * its folder (and path is not a folder itself), else the errno the write
 * would fail with (ENOENT, ENOTDIR, EISDIR), so the statement can fail now
 * as the write would. */
int atomic_file_folder_error(const char *path);

/* Why writing path failed with `error`, in the user's terms: "it is a
 * symbolic link to a file that does not exist", "the file is read-only",
 * "it is a FIFO with no reader", or strerror(error).  A static string. */
const char *atomic_file_strerror(const char *path, int error);

#endif
