/* ag_files.h — tensors in the files people already have: NumPy's .npy and
 * .npz, and CSV.
 *
 * The formats are coded to and from bytes in memory, so a program
 * chooses where bytes come from and go (the REPL reads and writes them with
 * its file rules; the web page with the browser's storage).  `name` (may
 * be NULL) is the file's name as the messages show it: every error names
 * the file, and for CSV the line and column.  A failing call makes nothing
 * (no half-filled result).  Bytes handed back are malloc'd: the caller
 * free()s them.  CSV goes through libcsv and .npz through libzip, loaded
 * at the first call that needs them (nothing is linked); a library built
 * where their headers were missing, or a machine without them, gets
 * AG_ERR_IO saying which is missing.  The encoders look at the context's
 * interrupt flag (ag_set_interrupt) as they go: up, they fail with
 * AG_ERR_INTERRUPTED ("interrupted") and hand back no bytes. */
#ifndef AG_FILES_H
#define AG_FILES_H

#include "ag_core.h"

AG_BEGIN_DECLS

/* ---- NumPy .npy and .npz -------------------------------------------------- */

/* A .npy file's array as a new leaf: format versions 1.0, 2.0 and 3.0;
 * dtypes float64, float32, int64, int32, int16, int8, uint8, uint16,
 * uint32, uint64 and bool, either byte order (a descr without one, 'i4',
 * is the machine's, as np.load reads it), C or Fortran order; numbers
 * become doubles.  NULL with AG_ERR_IO naming the file on anything else (a
 * truncated file, an unsupported dtype, a header that claims more data
 * than the file holds, ...). */
ag_var *ag_npy_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name);
/* x as a .npy file (version 1.0, '<f8', C order), in *bytes (malloc'd) of
 * *size bytes.  0, or -1 with the context's error. */
int ag_npy_encode(ag_ctx *ctx, const ag_var *x, void **bytes, size_t *size);
/* The arrays of a .npz archive (np.savez, stored, and np.savez_compressed,
 * deflated), in the archive's order: *count arrays in *arrays (malloc'd)
 * and their names without ".npy" in *names (malloc'd, each malloc'd).
 * 0, or -1 with AG_ERR_IO naming the file and the member. */
int ag_npz_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name, ag_var ***arrays,
                  char ***names, int *count);
/* The one array of a .npz archive whose member is named `member` (without
 * ".npy"), as np.load(file)[member] reads it: the other members are listed
 * but not decoded, so a dtype we do not read there is no error.  *array is
 * the array, or NULL when no member has that name (then *names says which
 * there are); *names and *count list every member, as ag_npz_decode's do
 * (free them with ag_npz_free(NULL, *names, *count)).  0, or -1 with
 * AG_ERR_IO naming the file and the member. */
int ag_npz_decode_one(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const char *member,
                      ag_var **array, char ***names, int *count);
/* count arrays as a .npz archive, member NAME.npy for names[i]; deflated
 * when `compress` (np.savez_compressed), stored otherwise (np.savez). */
int ag_npz_encode(ag_ctx *ctx, ag_var *const *arrays, const char *const *names, int count,
                  bool compress, void **bytes, size_t *size);
/* Frees what ag_npz_decode handed back (the arrays stay the context's). */
void ag_npz_free(ag_var **arrays, char **names, int count);

/* ---- CSV ------------------------------------------------------------------ */

/* How a CSV file is read.  Zero-initialized: no header, every column, no
 * target, ',' between fields. */
typedef struct ag_csv_options {
    /* The first record names the columns (its names come back). */
    bool header;
    /* The columns to keep, in this order: each a number from 0 (or from -1
     * for the last, as Python counts), or (with a header) a name.  NULL: every column.  The others are not read: they
     * may hold anything (NumPy's usecols). */
    const char *const *columns;
    int ncolumns;
    /* One column, a number or a name, returned apart as the target t
     * and never in x, even when columns lists it: NULL for none. */
    const char *target;
    char delimiter; /* 0 means ',' */
} ag_csv_options;

/* A CSV file (RFC 4180: quoted fields, "" inside quotes, separators and
 * line breaks inside quotes, CRLF or LF) of numbers as x (rows, columns)
 * and, when options->target names a column, t (rows).  Comments are
 * skipped as np.loadtxt skips them: from a '#' outside quotes to the line's
 * end; a line empty or blank then (a comment line) is skipped, and the
 * header is the first line that is not.  *column_names (malloc'd, each malloc'd; NULL without a header)
 * names x's columns.  0, or -1 with AG_ERR_IO: the file, line and column
 * of a ragged row or a field that is not a number, an empty file, an
 * unknown column (found at the end of the first record, before any row is
 * read as numbers). */
int ag_csv_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name,
                  const ag_csv_options *options, ag_var **x, ag_var **t, char ***column_names,
                  int *ncolumns);
/* x (1-D: one column; 2-D: rows and columns) as CSV text, a header line of
 * names first when names is not NULL (count: x's columns), numbers in full
 * precision (the shortest text that reads back the same), CRLF ends when
 * crlf.  Names are quoted when they need it. */
int ag_csv_encode(ag_ctx *ctx, const ag_var *x, const char *const *names, char delimiter,
                  bool crlf, void **bytes, size_t *size);
/* Frees names handed back by ag_csv_decode. */
void ag_names_free(char **names, int count);

AG_END_DECLS

#endif
