/* npy.c — NumPy's .npy format (ours: the header is small and specified,
 * numpy/lib/format.py) and .npz archives of them (through libzip).
 *
 * A .npy file: the magic "\x93NUMPY", a major and minor version byte, the
 * header's length (2 bytes little-endian in 1.0, 4 in 2.0 and 3.0), the
 * header (a Python dict literal: {'descr': '<f8', 'fortran_order': False,
 * 'shape': (2, 3), }, padded with spaces and a '\n' so the data starts on
 * a multiple of 64 bytes), then the data, prod(shape) items, C order
 * (row-major) or, with fortran_order, column-major.  We write what np.save
 * writes for a float64 array, byte for byte. */
#include "ag_files.h"
#include "data_libs.h"
#include "errors.h"
#include "internal.h" /* ctx_interrupted */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the header ---------------------------------------------------------- */

typedef enum { KIND_FLOAT, KIND_INT, KIND_UINT, KIND_BOOL } item_kind;

/* What the header says. */
typedef struct {
    item_kind kind;
    int item_size;     /* bytes */
    bool big_endian;
    bool fortran_order;
    int ndim;
    int shape[AG_MAX_DIMS];
    size_t count;      /* prod(shape) */
    size_t data_start; /* where the data begins in the file */
} npy_header;

/* The file's name for messages. */
static const char *shown(const char *name) { return name && name[0] ? name : "the .npy data"; }

/* A quoted Python string at *p ('...' or "..."): its text in out. */
static bool parse_string(const char **p, const char *end, char *out, size_t size) {
    if (*p >= end || (**p != '\'' && **p != '"')) return false;
    char quote = *(*p)++;
    size_t n = 0;
    while (*p < end && **p != quote) {
        if (n + 1 >= size) return false;
        out[n++] = *(*p)++;
    }
    if (*p >= end) return false;
    (*p)++;
    out[n] = '\0';
    return true;
}

static void skip_blanks(const char **p, const char *end) {
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')) (*p)++;
}

/* descr: '<f8', '|u1', '>i4', '|b1', ...: whether it is a dtype we read.
 * The byte order may be left out ('i4', as np.dtype reads it): the
 * machine's own, as '='. */
static bool parse_descr(const char *descr, npy_header *h) {
    const uint16_t probe = 1;
    bool native_big = *(const unsigned char *)&probe == 0;
    char order = descr[0];
    if (order == '<' || order == '>' || order == '|' || order == '=') descr++;
    else order = '=';
    h->big_endian = order == '>' || (order == '=' && native_big);
    char code = descr[0];
    if (code == '\0' || !isdigit((unsigned char)descr[1])) return false; /* '|O', '<M8[ns]', ...: a size or not, no */
    char *end;
    long size = strtol(descr + 1, &end, 10);
    if (*end != '\0') return false;
    h->item_size = (int)size;
    switch (code) {
    case 'f': h->kind = KIND_FLOAT; return size == 4 || size == 8;
    case 'i': h->kind = KIND_INT; return size == 1 || size == 2 || size == 4 || size == 8;
    case 'u': h->kind = KIND_UINT; return size == 1 || size == 2 || size == 4 || size == 8;
    case 'b': h->kind = KIND_BOOL; return size == 1;
    default: return false;
    }
}

/* Reads the header of bytes[0..size); 0, or -1 with the error set. */
static int parse_header(ag_ctx *ctx, const unsigned char *bytes, size_t size, const char *name, npy_header *h) {
    memset(h, 0, sizeof *h);
    if (size == 0) return ctx_error(ctx, AG_ERR_IO, "%s: the file is empty", shown(name)), -1;
    if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0)
        return ctx_error(ctx, AG_ERR_IO, "%s: not a .npy file (it does not start with \\x93NUMPY)", shown(name)), -1;
    int major = bytes[6];
    size_t header_length, start;
    if (major == 1) {
        header_length = bytes[8] | (size_t)bytes[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) return ctx_error(ctx, AG_ERR_IO, "%s: truncated in the header's length", shown(name)), -1;
        header_length = bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
        start = 12;
    } else {
        return ctx_error(ctx, AG_ERR_IO, "%s: .npy format version %d.%d is not one we read (1.0, 2.0, 3.0)",
                         shown(name), major, bytes[7]), -1;
    }
    if (header_length > size - start)
        return ctx_error(ctx, AG_ERR_IO, "%s: truncated: the header is %zu bytes but only %zu follow", shown(name),
                         header_length, size - start), -1;
    const char *p = (const char *)bytes + start, *end = p + header_length;
    h->data_start = start + header_length;
    const char *problem = NULL;
    bool have_descr = false, have_order = false, have_shape = false;
    char descr[64] = "";
    skip_blanks(&p, end);
    if (p >= end || *p++ != '{') problem = "the header is not a dict";
    while (!problem) {
        skip_blanks(&p, end);
        if (p < end && *p == '}') break;
        char key[32];
        if (!parse_string(&p, end, key, sizeof key)) { problem = "a key in quotes"; break; }
        skip_blanks(&p, end);
        if (p >= end || *p++ != ':') { problem = "':' after a key"; break; }
        skip_blanks(&p, end);
        if (strcmp(key, "descr") == 0) {
            if (p < end && *p == '[')
                return ctx_error(ctx, AG_ERR_IO, "%s: the dtype is a structured one (a list of named fields), "
                                                 "which is not supported: save each field as its own array",
                                 shown(name)), -1;
            if (!parse_string(&p, end, descr, sizeof descr)) { problem = "descr: a dtype string"; break; }
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (end - p >= 4 && memcmp(p, "True", 4) == 0) h->fortran_order = true, p += 4;
            else if (end - p >= 5 && memcmp(p, "False", 5) == 0) h->fortran_order = false, p += 5;
            else { problem = "fortran_order: True or False"; break; }
            have_order = true;
        } else if (strcmp(key, "shape") == 0) {
            if (p >= end || *p++ != '(') { problem = "shape: a tuple"; break; }
            h->ndim = 0;
            for (;;) {
                skip_blanks(&p, end);
                if (p < end && *p == ')') { p++; break; }
                if (p >= end || !isdigit((unsigned char)*p)) { problem = "shape: whole numbers"; break; }
                unsigned long long d = 0;
                while (p < end && isdigit((unsigned char)*p)) {
                    d = d * 10 + (unsigned)(*p++ - '0');
                    if (d > INT_MAX) break;
                }
                if (d > INT_MAX) { problem = "shape: a dimension is too large"; break; }
                if (h->ndim == AG_MAX_DIMS) { problem = "shape: more than 8 dimensions"; break; }
                h->shape[h->ndim++] = (int)d;
                skip_blanks(&p, end);
                if (p < end && *p == ',') p++;
            }
            have_shape = true;
        } else {
            problem = "only the keys descr, fortran_order and shape";
            break;
        }
        if (problem) break;
        skip_blanks(&p, end);
        if (p < end && *p == ',') p++;
    }
    if (!problem && !(have_descr && have_order && have_shape)) problem = "the keys descr, fortran_order and shape";
    if (problem) {
        size_t shown_length = header_length < 120 ? header_length : 120;
        while (shown_length > 0 && isspace((unsigned char)bytes[start + shown_length - 1])) shown_length--;
        return ctx_error(ctx, AG_ERR_IO, "%s: a bad .npy header (expected %s): %.*s", shown(name), problem,
                         (int)shown_length, (const char *)bytes + start), -1;
    }
    if (!parse_descr(descr, h))
        return ctx_error(ctx, AG_ERR_IO, "%s: the dtype '%s' is not supported (float64, float32, int8-64, "
                                         "uint8-64 and bool are)",
                         shown(name), descr), -1;
    h->count = 1;
    for (int d = 0; d < h->ndim; d++) {
        if (h->shape[d] > 0 && h->count > SIZE_MAX / 16 / (size_t)h->shape[d])
            return ctx_error(ctx, AG_ERR_IO, "%s: the shape is too large", shown(name)), -1;
        h->count *= (size_t)h->shape[d];
    }
    size_t need = h->count * (size_t)h->item_size, have = size - h->data_start;
    if (need > have)
        return ctx_error(ctx, AG_ERR_IO, "%s: truncated: the header says %zu numbers (%zu bytes of data) but %zu bytes follow it",
                         shown(name), h->count, need, have), -1;
    return 0;
}

/* ---- the data ------------------------------------------------------------- */

/* The item at p as a double. */
static double item(const npy_header *h, const unsigned char *p) {
    uint64_t bits = 0;
    int n = h->item_size;
    for (int i = 0; i < n; i++) /* assemble as the file's order says, whatever ours is */
        bits |= (uint64_t)p[h->big_endian ? n - 1 - i : i] << (8 * i);
    switch (h->kind) {
    case KIND_FLOAT:
        if (n == 8) {
            double d;
            memcpy(&d, &bits, 8);
            return d;
        } else {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, 4);
            return f;
        }
    case KIND_INT: {
        if (n < 8 && (bits >> (8 * n - 1)) & 1) bits |= ~(uint64_t)0 << (8 * n); /* sign-extend */
        int64_t v;
        memcpy(&v, &bits, 8);
        return (double)v;
    }
    case KIND_UINT: return (double)bits;
    case KIND_BOOL: return bits != 0;
    }
    return 0;
}

ag_var *ag_npy_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name) {
    if (ctx == NULL) return NULL;
    if (bytes == NULL && size > 0) return ctx_error(ctx, AG_ERR_ARG, "npy: the bytes are NULL");
    npy_header h;
    if (parse_header(ctx, bytes, size, name, &h) < 0) return NULL;
    ag_var *v = ag_zeros(ctx, h.ndim, h.shape);
    if (v == NULL) return NULL;
    double *out = ag_data(v);
    const unsigned char *data = (const unsigned char *)bytes + h.data_start;
    if (!h.fortran_order || h.ndim < 2) {
        const uint16_t probe = 1;
        bool little = *(const unsigned char *)&probe == 1;
        if (h.count == 0) return v;
        if (h.kind == KIND_FLOAT && h.item_size == 8 && h.big_endian != little) /* np.save's float64: as it lies */
            memcpy(out, data, h.count * 8);
        else
            for (size_t i = 0; i < h.count; i++) out[i] = item(&h, data + i * (size_t)h.item_size);
        return v;
    }
    /* Fortran order: the first index varies fastest in the file. */
    int index[AG_MAX_DIMS] = {0};
    size_t strides[AG_MAX_DIMS]; /* row-major strides of the result */
    strides[h.ndim - 1] = 1;
    for (int d = h.ndim - 2; d >= 0; d--) strides[d] = strides[d + 1] * (size_t)h.shape[d + 1];
    for (size_t i = 0; i < h.count; i++) {
        size_t at = 0;
        for (int d = 0; d < h.ndim; d++) at += (size_t)index[d] * strides[d];
        out[at] = item(&h, data + i * (size_t)h.item_size);
        for (int d = 0; d < h.ndim && ++index[d] == h.shape[d]; d++) index[d] = 0;
    }
    return v;
}

/* How many numbers ag_npy_encode writes between looks at the interrupt flag. */
#define NPY_INTERRUPT_BLOCK 65536

int ag_npy_encode(ag_ctx *ctx, const ag_var *x, void **bytes, size_t *size) {
    if (ctx == NULL) return -1;
    if (x == NULL || bytes == NULL || size == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "npy: %s is NULL", x == NULL ? "the variable" : "the output"), -1;
    *bytes = NULL;
    *size = 0;
    /* np.save's header: the dict, spaces, '\n', the whole a multiple of 64 */
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    int ndim = ag_ndim(x);
    for (int d = 0; d < ndim; d++) n += snprintf(dict + n, sizeof dict - (size_t)n, d ? ", %d" : "%d", ag_shape(x)[d]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, ndim == 1 ? ",), }" : "), }");
    size_t header = 10 + (size_t)n + 1, padded = (header + 63) / 64 * 64;
    size_t count = ag_size(x), total = padded + count * 8;
    unsigned char *out = malloc(total);
    if (out == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "npy: out of memory (%zu bytes)", total), -1;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)((padded - 10) & 0xff);
    out[9] = (unsigned char)((padded - 10) >> 8);
    memcpy(out + 10, dict, (size_t)n);
    memset(out + 10 + n, ' ', padded - 10 - (size_t)n - 1);
    out[padded - 1] = '\n';
    const double *data = ag_cdata(x);
    for (size_t i = 0; i < count; i++) {
        if (i % NPY_INTERRUPT_BLOCK == 0 && ctx_interrupted(ctx)) {
            free(out);
            return ctx_error(ctx, AG_ERR_INTERRUPTED, "interrupted"), -1;
        }
        uint64_t bits;
        memcpy(&bits, &data[i], 8);
        for (int b = 0; b < 8; b++) out[padded + 8 * i + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
    *bytes = out;
    *size = total;
    return 0;
}

/* ---- .npz: a zip archive of .npy members ----------------------------------- */

void ag_npz_free(ag_var **arrays, char **names, int count) {
    if (names)
        for (int i = 0; i < count; i++) free(names[i]);
    free(names);
    free(arrays);
}

#if defined(AG_ZIP_LOADABLE) || defined(AG_NPZ_WEB) /* the readers that pick members */
/* Whether the member named `member` (its k-th .npy, got[0..k) those before
 * it) is read: every one without `only`; with it, the first of that name. */
static bool wanted(const char *only, const char *member, ag_var *const *got, int k) {
    if (only == NULL) return true;
    if (strcmp(member, only) != 0) return false;
    for (int i = 0; i < k; i++)
        if (got[i] != NULL) return false; /* a second member of the name: np.load's dict keeps one */
    return true;
}
#endif

/* npz_read(ctx, bytes, size, name, only, arrays, names, count): the .npy
 * members' names in the archive's order, and their arrays: every one, or
 * with `only` that member's alone (the others' NULL, their bytes never
 * decoded, as np.load(file)[key] reads only key). */
#ifdef AG_ZIP_LOADABLE
static int npz_read(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const char *only,
                    ag_var ***arrays, char ***names, int *count) {
    if (ctx == NULL) return -1;
    if (arrays == NULL || names == NULL || count == NULL || (bytes == NULL && size > 0))
        return ctx_error(ctx, AG_ERR_ARG, "npz: an argument is NULL"), -1;
    *arrays = NULL;
    *names = NULL;
    *count = 0;
    const char *file = name && name[0] ? name : "the .npz data";
    if (size == 0) return ctx_error(ctx, AG_ERR_IO, "%s: the file is empty", file), -1;
    const zip_library *z = zip_library_get(ctx, file);
    if (z == NULL) return -1;
    zip_error_t error;
    z->zip_error_init(&error);
    zip_source_t *source = z->zip_source_buffer_create(bytes, size, 0, &error);
    zip_t *archive = source ? z->zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) : NULL;
    if (archive == NULL) {
        ctx_error(ctx, AG_ERR_IO, "%s: not a .npz (zip) archive: %s", file, z->zip_error_strerror(&error));
        if (source) z->zip_source_free(source);
        z->zip_error_fini(&error);
        return -1;
    }
    z->zip_error_fini(&error);
    zip_int64_t members = z->zip_get_num_entries(archive, 0);
    ag_var **got = calloc(members > 0 ? (size_t)members : 1, sizeof *got);
    char **got_names = calloc(members > 0 ? (size_t)members : 1, sizeof *got_names);
    unsigned char *buffer = NULL;
    int k = 0, status = got && got_names ? 0 : (ctx_error(ctx, AG_ERR_NOMEM, "npz: out of memory"), -1);
    for (zip_int64_t i = 0; status == 0 && i < members; i++) {
        const char *member = z->zip_get_name(archive, (zip_uint64_t)i, 0);
        zip_stat_t stat;
        z->zip_stat_init(&stat);
        if (member == NULL || z->zip_stat_index(archive, (zip_uint64_t)i, 0, &stat) < 0 || !(stat.valid & ZIP_STAT_SIZE)) {
            status = (ctx_error(ctx, AG_ERR_IO, "%s: member %lld: %s", file, (long long)i, z->zip_strerror(archive)), -1);
            break;
        }
        size_t length = strlen(member);
        if (length < 4 || strcmp(member + length - 4, ".npy") != 0) continue; /* np.load skips them too */
        if ((got_names[k] = strndup(member, length - 4)) == NULL) {
            status = (ctx_error(ctx, AG_ERR_NOMEM, "npz: out of memory"), -1);
            break;
        }
        if (!wanted(only, got_names[k], got, k)) { /* listed, not read: np.load reads a member when asked */
            k++;
            continue;
        }
        if (stat.size > SIZE_MAX / 2 || (buffer = malloc(stat.size > 0 ? (size_t)stat.size : 1)) == NULL) {
            status = (ctx_error(ctx, AG_ERR_NOMEM, "%s: %s: out of memory", file, member), -1);
            k++; /* its name is freed with the others */
            break;
        }
        zip_file_t *f = z->zip_fopen_index(archive, (zip_uint64_t)i, 0);
        zip_int64_t read = f ? z->zip_fread(f, buffer, stat.size) : -1;
        if (f == NULL || read != (zip_int64_t)stat.size) {
            status = (ctx_error(ctx, AG_ERR_IO, "%s: %s cannot be read: %s", file, member,
                               f ? z->zip_file_strerror(f) : z->zip_strerror(archive)), -1);
            if (f) z->zip_fclose(f);
            k++; /* its name is freed with the others */
            break;
        }
        z->zip_fclose(f);
        char label[512];
        snprintf(label, sizeof label, "%s: %s", file, member);
        got[k] = ag_npy_decode(ctx, buffer, (size_t)stat.size, label);
        free(buffer);
        buffer = NULL;
        k++;
        if (got[k - 1] == NULL) { status = -1; break; }
    }
    free(buffer);
    z->zip_discard(archive);
    if (status < 0) {
        ag_npz_free(got, got_names, k);
        return -1;
    }
    *arrays = got;
    *names = got_names;
    *count = k;
    return 0;
}

/* libzip's cancel callback: nonzero (stop) once ctx's interrupt flag is up. */
static int npz_cancel(zip_t *archive, void *ctx) {
    (void)archive;
    return ctx_interrupted(ctx);
}

int ag_npz_encode(ag_ctx *ctx, ag_var *const *arrays, const char *const *names, int count, bool compress,
                  void **bytes, size_t *size) {
    if (ctx == NULL) return -1;
    if (bytes == NULL || size == NULL || count < 0 || (count > 0 && (arrays == NULL || names == NULL)))
        return ctx_error(ctx, AG_ERR_ARG, "npz: an argument is NULL"), -1;
    for (int i = 0; i < count; i++)
        if (arrays[i] == NULL || names[i] == NULL || names[i][0] == '\0')
            return ctx_error(ctx, AG_ERR_ARG, "npz: array %d or its name is missing", i), -1;
    *bytes = NULL;
    *size = 0;
    const zip_library *z = zip_library_get(ctx, "npz");
    if (z == NULL) return -1;
    zip_error_t error;
    z->zip_error_init(&error);
    zip_source_t *source = z->zip_source_buffer_create(NULL, 0, 0, &error);
    zip_t *archive = source ? z->zip_open_from_source(source, ZIP_TRUNCATE, &error) : NULL;
    if (archive == NULL) {
        ctx_error(ctx, AG_ERR_IO, "npz: cannot make an archive: %s", z->zip_error_strerror(&error));
        if (source) z->zip_source_free(source);
        z->zip_error_fini(&error);
        return -1;
    }
    z->zip_error_fini(&error);
    z->zip_source_keep(source); /* the archive's bytes outlive zip_close */
    /* zip_close deflates (seconds for 1e8 bytes): libzip asks between
       blocks of 8 KiB whether to go on */
    z->zip_register_cancel_callback_with_state(archive, npz_cancel, NULL, ctx);
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        void *npy;
        size_t length;
        char member[512];
        snprintf(member, sizeof member, "%s.npy", names[i]);
        if (ag_npy_encode(ctx, arrays[i], &npy, &length) < 0) { status = -1; break; }
        zip_source_t *data = z->zip_source_buffer(archive, npy, length, 1); /* freed by libzip */
        zip_int64_t index = data ? z->zip_file_add(archive, member, data, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
        if (index < 0) {
            if (data) z->zip_source_free(data);
            else free(npy);
            status = (ctx_error(ctx, AG_ERR_IO, "npz: %s: %s", member, z->zip_strerror(archive)), -1);
        } else if (z->zip_set_file_compression(archive, (zip_uint64_t)index, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) < 0) {
            status = (ctx_error(ctx, AG_ERR_IO, "npz: %s: %s", member, z->zip_strerror(archive)), -1);
        }
    }
    if (status < 0) {
        z->zip_discard(archive);
        z->zip_source_free(source);
        return -1;
    }
    if (z->zip_close(archive) < 0) {
        if (ctx_interrupted(ctx)) ctx_error(ctx, AG_ERR_INTERRUPTED, "interrupted");
        else ctx_error(ctx, AG_ERR_IO, "npz: cannot finish the archive: %s", z->zip_strerror(archive));
        z->zip_discard(archive);
        z->zip_source_free(source);
        return -1;
    }
    zip_stat_t stat;
    z->zip_stat_init(&stat);
    unsigned char *out = NULL;
    if (z->zip_source_stat(source, &stat) == 0 && (stat.valid & ZIP_STAT_SIZE) && z->zip_source_open(source) == 0) {
        out = malloc(stat.size > 0 ? (size_t)stat.size : 1);
        if (out && z->zip_source_read(source, out, stat.size) != (zip_int64_t)stat.size) {
            free(out);
            out = NULL;
        }
        z->zip_source_close(source);
    }
    z->zip_source_free(source);
    if (out == NULL) return ctx_error(ctx, AG_ERR_IO, "npz: cannot read the finished archive back"), -1;
    *bytes = out;
    *size = (size_t)stat.size;
    return 0;
}
#elif defined(AG_NPZ_WEB)
/* The web page (make web), where no libzip is: the page's script unzips
 * (repl/web/unzip.js, called through repl/web/npz_web.c; compressed members
 * are inflated by the browser's DecompressionStream) and hands back, in one
 * malloc'd block, either 1 and libzip's words for what is wrong with the
 * archive, or 0, the member count and each member as a kind (0: its bytes,
 * 1: libzip's words for why it cannot be read), its name and its bytes or
 * words, each with a 4-byte little-endian length first.  The members are
 * read and their .npy decoded here, in the order and with the messages of
 * the libzip reader above. */
unsigned char *ag_web_unzip(const void *bytes, size_t size, size_t *length);

/* the next length-prefixed piece of the block at *at, or false past its end */
static bool unzip_piece(const unsigned char *block, size_t length, size_t *at, const unsigned char **piece,
                        uint32_t *size) {
    if (length - *at < 4) return false;
    const unsigned char *p = block + *at;
    *size = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (length - *at - 4 < *size) return false;
    *piece = p + 4;
    *at += 4 + (size_t)*size;
    return true;
}

static bool unzip_number(const unsigned char *block, size_t length, size_t *at, uint32_t *value) {
    if (length - *at < 4) return false;
    const unsigned char *p = block + *at;
    *value = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    *at += 4;
    return true;
}

static int npz_read(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const char *only,
                    ag_var ***arrays, char ***names, int *count) {
    if (ctx == NULL) return -1;
    if (arrays == NULL || names == NULL || count == NULL || (bytes == NULL && size > 0))
        return ctx_error(ctx, AG_ERR_ARG, "npz: an argument is NULL"), -1;
    *arrays = NULL;
    *names = NULL;
    *count = 0;
    const char *file = name && name[0] ? name : "the .npz data";
    if (size == 0) return ctx_error(ctx, AG_ERR_IO, "%s: the file is empty", file), -1;
    size_t length = 0, at = 0;
    unsigned char *block = ag_web_unzip(bytes, size, &length);
    if (block == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "npz: out of memory"), -1;
    uint32_t status_word = 0, members = 0;
    const unsigned char *piece;
    uint32_t piece_size;
    if (!unzip_number(block, length, &at, &status_word) ||
        (status_word == 1 ? !unzip_piece(block, length, &at, &piece, &piece_size)
                          : !unzip_number(block, length, &at, &members))) {
        free(block);
        return ctx_error(ctx, AG_ERR_IO, "%s: the page's unzip gave back nothing readable", file), -1;
    }
    if (status_word == 1) {
        ctx_error(ctx, AG_ERR_IO, "%s: not a .npz (zip) archive: %.*s", file, (int)piece_size, (const char *)piece);
        free(block);
        return -1;
    }
    ag_var **got = calloc(members > 0 ? (size_t)members : 1, sizeof *got);
    char **got_names = calloc(members > 0 ? (size_t)members : 1, sizeof *got_names);
    int k = 0, status = got && got_names ? 0 : (ctx_error(ctx, AG_ERR_NOMEM, "npz: out of memory"), -1);
    for (uint32_t i = 0; status == 0 && i < members; i++) {
        uint32_t kind, name_size, data_size;
        const unsigned char *member, *data;
        if (!unzip_number(block, length, &at, &kind) || !unzip_piece(block, length, &at, &member, &name_size) ||
            !unzip_piece(block, length, &at, &data, &data_size)) {
            status = (ctx_error(ctx, AG_ERR_IO, "%s: member %lld: the page's unzip gave back nothing readable", file,
                                (long long)i), -1);
            break;
        }
        if (name_size < 4 || memcmp(member + name_size - 4, ".npy", 4) != 0) continue; /* np.load skips them too */
        if ((got_names[k] = strndup((const char *)member, name_size - 4)) == NULL) {
            status = (ctx_error(ctx, AG_ERR_NOMEM, "npz: out of memory"), -1);
            break;
        }
        if (!wanted(only, got_names[k], got, k)) { /* listed, not read: np.load reads a member when asked */
            k++;
            continue;
        }
        k++; /* from here its name is freed with the others */
        if (kind != 0) {
            status = (ctx_error(ctx, AG_ERR_IO, "%s: %.*s cannot be read: %.*s", file, (int)name_size,
                                (const char *)member, (int)data_size, (const char *)data), -1);
            break;
        }
        char label[512];
        snprintf(label, sizeof label, "%s: %.*s", file, (int)name_size, (const char *)member);
        if ((got[k - 1] = ag_npy_decode(ctx, data, data_size, label)) == NULL) status = -1;
    }
    free(block);
    if (status < 0) {
        ag_npz_free(got, got_names, k);
        return -1;
    }
    *arrays = got;
    *names = got_names;
    *count = k;
    return 0;
}

int ag_npz_encode(ag_ctx *ctx, ag_var *const *arrays, const char *const *names, int count, bool compress,
                  void **bytes, size_t *size) {
    (void)arrays, (void)names, (void)count, (void)compress;
    if (bytes) *bytes = NULL;
    if (size) *size = 0;
    return ctx_error(ctx, AG_ERR_IO, "npz: the web page has no libzip: .npz files cannot be written here (save_npy "
                                     "writes .npy files)"), -1;
}
#else
static int npz_read(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const char *only,
                    ag_var ***arrays, char ***names, int *count) {
    (void)bytes, (void)size, (void)only;
    if (arrays) *arrays = NULL;
    if (names) *names = NULL;
    if (count) *count = 0;
    return ctx_error(ctx, AG_ERR_IO, "%s: this libautograd was built without libzip (libzip-dev): .npz files "
                                     "cannot be read",
                     name && name[0] ? name : "npz"), -1;
}

int ag_npz_encode(ag_ctx *ctx, ag_var *const *arrays, const char *const *names, int count, bool compress,
                  void **bytes, size_t *size) {
    (void)arrays, (void)names, (void)count, (void)compress;
    if (bytes) *bytes = NULL;
    if (size) *size = 0;
    return ctx_error(ctx, AG_ERR_IO, "npz: this libautograd was built without libzip (libzip-dev): .npz files "
                                     "cannot be written"), -1;
}
#endif

int ag_npz_decode(ag_ctx *ctx, const void *bytes, size_t size, const char *name, ag_var ***arrays,
                  char ***names, int *count) {
    return npz_read(ctx, bytes, size, name, NULL, arrays, names, count);
}

int ag_npz_decode_one(ag_ctx *ctx, const void *bytes, size_t size, const char *name, const char *member,
                      ag_var **array, char ***names, int *count) {
    if (ctx == NULL) return -1;
    if (array) *array = NULL;
    if (member == NULL || array == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "npz: %s is NULL", member == NULL ? "the member's name" : "the output"), -1;
    ag_var **arrays;
    if (npz_read(ctx, bytes, size, name, member, &arrays, names, count) < 0) return -1;
    for (int i = 0; i < *count && *array == NULL; i++) *array = arrays[i];
    free(arrays);
    return 0;
}
