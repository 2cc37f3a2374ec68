/* data_libs.h — libcsv and libzip, loaded at the first call that needs them.
 *
 * The library links neither: a program that never reads a CSV or a .npz
 * file maps neither (libzip brings libcrypto, libbz2 and libz with it), and
 * `make lib` needs neither.  Their headers give the functions' types at
 * build time (AG_HAVE_CSV, AG_HAVE_ZIP, set by the Makefile when the
 * compiler finds csv.h and zip.h); a build without a header, or without
 * run-time loading (AG_NO_DLOPEN: static programs), keeps the functions
 * and fails them with a message saying what is missing. */
#ifndef AG_DATA_LIBS_H
#define AG_DATA_LIBS_H

#include "ag_core.h"

/* AG_CSV_LINKED: libcsv is linked in, not loaded (the web page, which
 * compiles Debian's libcsv source with emcc: Makefile, make web). */
#if defined(AG_HAVE_CSV) && (!defined(AG_NO_DLOPEN) || defined(AG_CSV_LINKED))
#include <csv.h>
#define AG_CSV_LOADABLE 1
/* The functions of libcsv the reader and writer call. */
#define CSV_FUNCTIONS(X) X(csv_init) X(csv_parse) X(csv_fini) X(csv_free) X(csv_error) X(csv_strerror) \
    X(csv_set_delim) X(csv_write2)
typedef struct csv_library {
#define CSV_MEMBER(f) __typeof__(f) *f;
    CSV_FUNCTIONS(CSV_MEMBER)
#undef CSV_MEMBER
} csv_library;
#endif

#if defined(AG_HAVE_ZIP) && !defined(AG_NO_DLOPEN)
#include <zip.h>
#define AG_ZIP_LOADABLE 1
#define ZIP_FUNCTIONS(X)                                                                              \
    X(zip_source_buffer_create) X(zip_open_from_source) X(zip_get_num_entries) X(zip_get_name)       \
    X(zip_stat_index) X(zip_fopen_index) X(zip_fread) X(zip_fclose) X(zip_discard) X(zip_close)      \
    X(zip_source_keep) X(zip_source_free) X(zip_source_buffer) X(zip_file_add)                       \
    X(zip_set_file_compression) X(zip_source_open) X(zip_source_read) X(zip_source_close)            \
    X(zip_source_stat) X(zip_error_init) X(zip_error_fini) X(zip_error_strerror) X(zip_strerror)     \
    X(zip_stat_init) X(zip_source_error) X(zip_file_strerror) X(zip_register_cancel_callback_with_state)
typedef struct zip_library {
#define ZIP_MEMBER(f) __typeof__(f) *f;
    ZIP_FUNCTIONS(ZIP_MEMBER)
#undef ZIP_MEMBER
} zip_library;
#endif

/* The loaded library, or NULL with AG_ERR_IO in ctx ("WHO: reading CSV
 * needs libcsv (libcsv3), which could not be loaded: ..."). */
#ifdef AG_CSV_LOADABLE
const csv_library *csv_library_get(ag_ctx *ctx, const char *who);
#endif
#ifdef AG_ZIP_LOADABLE
const zip_library *zip_library_get(ag_ctx *ctx, const char *who);
#endif

#endif
