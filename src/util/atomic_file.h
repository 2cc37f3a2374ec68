/* atomic_file.h — whole-file writes that never leave a half-written file.
 *
 * The data goes to a temporary file in the same directory as the target
 * (so the final rename stays within one file system), is flushed, synced
 * and closed with every step checked, and only then renamed over the
 * target.  On any failure the temporary file is removed and the target is
 * left exactly as it was.  Part of the shared utility layer (src/util/,
 * build/libagutil.a), below repl/ and viz/, not part of libautograd. */
#ifndef AGUTIL_ATOMIC_FILE_H
#define AGUTIL_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* A write in progress: `file` is open on `temp_path` for writing. */
typedef struct atomic_file {
    FILE *file;
    char *temp_path; /* malloc'd: "<dir>/.<name>.XXXXXX"; NULL when the
                      * target is not a regular file (below) */
    char *path;      /* malloc'd: the target (a symlink's target resolved) */
} atomic_file;

/* Starts writing `path`: creates the temporary file beside it (beside the
 * file a symbolic link names).  A target that exists but is not a regular
 * file (/dev/full, a FIFO) has no content to keep and is written directly;
 * a directory fails with EISDIR.  0, or -1 with errno set (nothing
 * created). */
int atomic_file_open(atomic_file *af, const char *path);
/* Finishes: fflush, fsync, fclose (each checked), then rename over the
 * target.  0, or -1 with errno set and the temporary file removed; either
 * way af is released. */
int atomic_file_commit(atomic_file *af);
/* Gives up: closes and removes the temporary file; af is released. */
void atomic_file_abort(atomic_file *af);

/* The whole of data[0..size) as the new content of path, atomically.
 * 0, or -1 with errno set (path unchanged). */
int write_file_atomic(const char *path, const void *data, size_t size);

#endif
