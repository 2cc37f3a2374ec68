/* source.c — script text read whole or refused (source.h). */
#include "source.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

int source_normalize(char *text, size_t *length, int at_start, int first_line, int *line,
                     int *column) {
    size_t n = *length, from = 0, to = 0;
    if (at_start && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) from = 3;
    int at_line = first_line, at_column = 1;
    for (; from < n; from++) {
        char c = text[from];
        if (c == '\0') {
            *line = at_line;
            *column = at_column;
            return -1;
        }
        if (c == '\r') { /* CRLF or a lone CR: one line end */
            if (from + 1 < n && text[from + 1] == '\n') from++;
            c = '\n';
        }
        text[to++] = c;
        if (c == '\n') at_line++, at_column = 1;
        else at_column++;
    }
    text[to] = '\0';
    *length = to;
    return 0;
}

static int source_read_stream(FILE *f, const char *path, char **text, int *line, int *column, char *message,
                              size_t size);

int source_read_file(const char *path, char **text, int *line, int *column, char *message,
                     size_t size) {
    *text = NULL;
    *line = *column = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(message, size, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    return source_read_stream(f, path, text, line, column, message, size);
}

int source_read_fd(int fd, const char *path, char **text, int *line, int *column, char *message, size_t size) {
    *text = NULL;
    *line = *column = 0;
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        snprintf(message, size, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return source_read_stream(f, path, text, line, column, message, size);
}

static int source_read_stream(FILE *f, const char *path, char **text, int *line, int *column, char *message,
                              size_t size) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        snprintf(message, size, "cannot read %s: %s", path, strerror(EISDIR));
        return -1;
    }
    /* a regular file's size up front (one allocation); others grow */
    size_t capacity = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    size_t length = 0;
    char *buffer = malloc(capacity);
    int failed = buffer == NULL ? ENOMEM : 0;
    while (!failed) {
        if (!ARRAY_RESERVE(buffer, capacity, length, 2)) { /* a byte to read and the NUL */
            failed = ENOMEM;
            break;
        }
        errno = 0;
        size_t got = fread(buffer + length, 1, capacity - length - 1, f);
        length += got;
        if (got == 0) {
            if (ferror(f)) failed = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (failed == ENOMEM) {
        free(buffer);
        snprintf(message, size, "out of memory reading %s (%zu bytes)", path,
                 S_ISREG(st.st_mode) ? (size_t)st.st_size : capacity);
        return -1;
    }
    if (failed) {
        free(buffer);
        snprintf(message, size, "cannot read %s: %s", path, strerror(failed));
        return -1;
    }
    if (source_normalize(buffer, &length, 1, 1, line, column) < 0) {
        free(buffer);
        snprintf(message, size, "a NUL byte is not allowed in a script");
        return -1;
    }
    *text = buffer;
    return 0;
}
