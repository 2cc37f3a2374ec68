/* safetensors.c — a model's weights as a safetensors file (ag_model_save,
 * ag_model_load): an 8-byte little-endian header length, a JSON header
 * {"NAME": {"dtype": "F64", "shape": [...], "data_offsets": [begin, end]}},
 * padded with spaces to a multiple of 8, then the tensors' little-endian
 * bytes.  The tensors are PyTorch's, names and layout (weights_layout.c:
 * an MLP's linear[0].w (in, out) is "0.weight" (out, in)), so the file
 * loads into the same torch.nn model; files of the older layout (one tensor
 * per parameter, "linear.0.w") still load.  Written on the public API only. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag_format.h"
#include "ag_model.h"
#include "errors.h"
#include "internal.h" /* ctx_interrupted */
#include "memory.h"
#include "util/atomic_file.h"
#include "util/strbuf.h"
#include "weights_layout.h"

/* Headers larger than this are refused before anything is allocated (the
 * reference implementation's limit is 100 MB). */
#define HEADER_MAX ((uint64_t)100 << 20)


static void put_le64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- save -------------------------------------------------------------------- */

static int io_error(ag_ctx *ctx, const char *what, const char *path) {
    ag_set_error_code(ctx, AG_ERR_IO, "%s: %s: %s", what, path, strerror(errno));
    return -1;
}

/* How many numbers write_body writes between looks at the interrupt flag. */
#define SAVE_INTERRUPT_BLOCK 65536

/* The header length, the header h and the tensors of layout l (gathered
 * through numbers, room for the largest) to f; false when a write failed
 * or the context's interrupt flag went up (ctx_interrupted then says so). */
static bool write_body(const ag_model *m, const layout *l, const strbuf *h, double *numbers, FILE *f) {
    const ag_ctx *ctx = ag_model_ctx(m);
    unsigned char b8[8];
    put_le64(b8, h->length);
    bool ok = fwrite(b8, 1, 8, f) == 8 && fwrite(h->data, 1, h->length, f) == h->length;
    for (int t = 0; ok && t < l->count; t++) {
        layout_gather(m, &l->tensors[t], numbers);
        size_t size = layout_size(&l->tensors[t]);
        for (size_t k = 0; ok && k < size; k++) {
            if (k % SAVE_INTERRUPT_BLOCK == 0 && ctx_interrupted(ctx)) return false;
            uint64_t bits;
            memcpy(&bits, &numbers[k], 8);
            put_le64(b8, bits);
            ok = fwrite(b8, 1, 8, f) == 8;
        }
    }
    return ok;
}

/* The file of m's weights: written whole to `into` when it is given (a
 * memory stream; path is then NULL), else atomically to path.  0, or -1
 * with the error set. */
static int save_to(const ag_model *m, const char *path, FILE *into) {
    ag_ctx *ctx = ag_model_ctx(m);
    if (m == NULL || ctx == NULL) return -1;
    if (path == NULL && into == NULL) return ctx_error(ctx, AG_ERR_ARG, "save: the file name is NULL"), -1;
    int n = ag_model_param_count(m);
    if (n == 0 || !ag_model_initialized(m))
        return ctx_error(ctx, AG_ERR_ARG, "save: the %s has no weights yet (they are made at its first call)",
                         ag_model_kind_name(ag_model_get_kind(m))),
               -1;
    layout l;
    if (layout_torch(m, &l) != 0) return ctx_error(ctx, AG_ERR_NOMEM, "save: out of memory"), -1;
    /* the JSON header: PyTorch's tensors, and in the metadata which of the
     * model's parameters each holds */
    strbuf h = {.realloc_fn = ctx_array_realloc, .user = ctx};
    strbuf_appendf(&h, "{\"__metadata__\":{\"format\":\"pt\",\"writer\":\"libautograd %s\","
                   "\"agrepl.model\":\"%s\",\"agrepl.params\":\"", ag_version(),
                   ag_model_kind_name(ag_model_get_kind(m)));
    for (int t = 0; t < l.count; t++)
        for (int k = 0; k < l.tensors[t].nparts; k++) {
            const layout_part *part = &l.tensors[t].parts[k];
            const char *name;
            ag_model_param(m, part->param, &name);
            strbuf_appendf(&h, "%s%s%s%s=%s", t || k ? " " : "", part->summed ? "+" : "",
                           part->transposed ? "T " : "", name, l.tensors[t].name);
        }
    strbuf_appendf(&h, "\"}");
    uint64_t offset = 0;
    size_t largest = 0;
    for (int t = 0; t < l.count; t++) {
        const layout_tensor *tensor = &l.tensors[t];
        strbuf_appendf(&h, ",\"%s\":{\"dtype\":\"F64\",\"shape\":[", tensor->name);
        for (int d = 0; d < tensor->ndim; d++) strbuf_appendf(&h, d ? ",%d" : "%d", tensor->shape[d]);
        uint64_t bytes = (uint64_t)layout_size(tensor) * 8;
        strbuf_appendf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
               (unsigned long long)(offset + bytes));
        offset += bytes;
        if (layout_size(tensor) > largest) largest = layout_size(tensor);
    }
    strbuf_appendf(&h, "}");
    while (!h.failed && h.length % 8 != 0) strbuf_appendf(&h, " ");
    double *numbers = ctx_malloc(ctx, (largest + 1) * sizeof *numbers);
    if (h.failed || numbers == NULL) {
        ctx_free(ctx, h.data);
        ctx_free(ctx, numbers);
        layout_free(&l);
        return ctx_error(ctx, AG_ERR_NOMEM, "save: out of memory"), -1;
    }
    if (into != NULL) { /* in memory (ag_model_save_bytes) */
        bool ok = write_body(m, &l, &h, numbers, into) && fflush(into) == 0;
        ctx_free(ctx, h.data);
        ctx_free(ctx, numbers);
        layout_free(&l);
        if (!ok && ctx_interrupted(ctx)) return ctx_error(ctx, AG_ERR_INTERRUPTED, "save: interrupted"), -1;
        return ok ? 0 : (ctx_error(ctx, AG_ERR_NOMEM, "save: out of memory"), -1);
    }
    /* as every file statement of the REPL writes (atomic_file.h): a link is
     * followed, and the file it names gets the new weights; hard links,
     * owner and mode are kept; a new file gets the umask's mode; the old
     * file stays whole until the new one is (a temporary file beside the
     * real target, renamed over it) */
    atomic_file af;
    bool ok = atomic_file_open(&af, path) == 0;
    int saved = errno;
    if (ok && !write_body(m, &l, &h, numbers, af.file)) {
        saved = ctx_interrupted(ctx) ? EINTR : errno ? errno : EIO;
        atomic_file_abort(&af);
        ok = false;
    } else if (ok && atomic_file_commit(&af) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok && saved == EINTR) ctx_error(ctx, AG_ERR_INTERRUPTED, "save: %s: interrupted (the file is as it was)", path);
    else if (!ok) ag_set_error_code(ctx, AG_ERR_IO, "save: %s: %s", path, atomic_file_strerror(path, saved));
    ctx_free(ctx, h.data);
    ctx_free(ctx, numbers);
    layout_free(&l);
    return ok ? 0 : -1;
}

int ag_model_save(const ag_model *m, const char *path) {
    if (path == NULL && m != NULL && ag_model_ctx(m) != NULL)
        return ctx_error(ag_model_ctx(m), AG_ERR_ARG, "save: the file name is NULL"), -1;
    return save_to(m, path, NULL);
}

unsigned char *ag_model_save_bytes(const ag_model *m, size_t *size) {
    ag_ctx *ctx = ag_model_ctx(m);
    if (m == NULL || ctx == NULL) return NULL;
    if (size == NULL) return ctx_error(ctx, AG_ERR_ARG, "save: the size pointer is NULL");
    *size = 0;
    char *bytes = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&bytes, &length);
    if (f == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "save: out of memory");
    int status = save_to(m, NULL, f);
    if (fclose(f) != 0 && status == 0) status = -1, ctx_error(ctx, AG_ERR_NOMEM, "save: out of memory");
    if (status < 0) {
        free(bytes);
        return NULL;
    }
    *size = length;
    return (unsigned char *)bytes;
}

/* ---- load: a JSON reader for the header ---------------------------------------- */

typedef struct {
    const char *p, *end;
    const char *error; /* the first problem, or NULL */
} json;

static void ws(json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}
static bool expect(json *j, char c) {
    ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    if (j->error == NULL) j->error = "malformed JSON header";
    return false;
}
/* A string into out (n bytes; longer ones are an error); escapes other than
 * \" and \\ are refused (names are plain). */
static bool string(json *j, char *out, size_t n) {
    if (!expect(j, '"')) return false;
    size_t len = 0;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if (c == '\\') {
            if (j->p >= j->end || (*j->p != '"' && *j->p != '\\' && *j->p != '/')) {
                j->error = "unsupported escape in a JSON string";
                return false;
            }
            c = *j->p++;
        } else if ((unsigned char)c < 0x20) { /* JSON has no raw control bytes: "F64\0" is not "F64" */
            j->error = "a control byte (such as NUL) inside a JSON string";
            return false;
        }
        if (len + 1 >= n) {
            j->error = "a JSON string is too long";
            return false;
        }
        out[len++] = c;
    }
    out[len] = '\0';
    return expect(j, '"');
}
static bool integer(json *j, uint64_t *out) {
    ws(j);
    uint64_t v = 0;
    const char *start = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) {
            j->error = "a number in the header is too large";
            return false;
        }
        v = v * 10 + (uint64_t)(*j->p++ - '0');
    }
    if (j->p == start) {
        if (j->error == NULL) j->error = "expected a whole number in the header";
        return false;
    }
    *out = v;
    return true;
}
/* Skips any JSON value (the metadata, unknown fields). */
static bool skip(json *j, int depth) {
    ws(j);
    if (depth > 32 || j->p >= j->end) return j->error = "malformed JSON header", false;
    char c = *j->p;
    if (c == '"') {
        char buf[4096];
        return string(j, buf, sizeof buf);
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        ws(j);
        if (j->p < j->end && *j->p == close) return j->p++, true;
        for (;;) {
            if (c == '{') {
                char key[4096];
                if (!string(j, key, sizeof key) || !expect(j, ':')) return false;
            }
            if (!skip(j, depth + 1)) return false;
            ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            return expect(j, close);
        }
    }
    while (j->p < j->end && strchr(",}] \t\r\n", *j->p) == NULL) j->p++;
    return true;
}

typedef struct {
    char name[256], dtype[16];
    int ndim;
    uint64_t shape[AG_MAX_DIMS + 1];
    uint64_t begin, end;
    bool has_offsets;
} entry;

/* One tensor's description {"dtype":..., "shape":[...], "data_offsets":[a,b]}. */
static bool tensor_entry(json *j, entry *e) {
    if (!expect(j, '{')) return false;
    ws(j);
    if (j->p < j->end && *j->p == '}') return j->p++, true;
    for (;;) {
        char key[64];
        if (!string(j, key, sizeof key) || !expect(j, ':')) return false;
        if (strcmp(key, "dtype") == 0) {
            if (!string(j, e->dtype, sizeof e->dtype)) return false;
        } else if (strcmp(key, "shape") == 0) {
            if (!expect(j, '[')) return false;
            ws(j);
            if (j->p < j->end && *j->p == ']') {
                j->p++;
            } else {
                for (;;) {
                    if (e->ndim > AG_MAX_DIMS) return j->error = "a shape has too many dimensions", false;
                    if (!integer(j, &e->shape[e->ndim++])) return false;
                    ws(j);
                    if (j->p < j->end && *j->p == ',') {
                        j->p++;
                        continue;
                    }
                    if (!expect(j, ']')) return false;
                    break;
                }
            }
        } else if (strcmp(key, "data_offsets") == 0) {
            if (!expect(j, '[') || !integer(j, &e->begin) || !expect(j, ',') || !integer(j, &e->end) ||
                !expect(j, ']'))
                return false;
            e->has_offsets = true;
        } else if (!skip(j, 1)) {
            return false;
        }
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return expect(j, '}');
    }
}

static int load_error_va(ag_ctx *ctx, ag_err code, const char *path, const char *fmt, va_list ap) AG_PRINTF(4, 0);
static int load_error_va(ag_ctx *ctx, ag_err code, const char *path, const char *fmt, va_list ap) {
    char what[400];
    vsnprintf(what, sizeof what, fmt, ap);
    ag_set_error_code(ctx, code, "load: %s: %s", path, what);
    return -1;
}

/* The file cannot be read or is not a valid file of this model: AG_ERR_IO. */
static int load_error(ag_ctx *ctx, const char *path, const char *fmt, ...) AG_PRINTF(3, 4);
static int load_error(ag_ctx *ctx, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    load_error_va(ctx, AG_ERR_IO, path, fmt, ap);
    va_end(ap);
    return -1;
}

/* A well-formed tensor whose shape is not its parameter's: AG_ERR_SHAPE, as
 * the engine's other shape errors. */
static int load_shape_error(ag_ctx *ctx, const char *path, const char *fmt, ...) AG_PRINTF(3, 4);
static int load_shape_error(ag_ctx *ctx, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    load_error_va(ctx, AG_ERR_SHAPE, path, fmt, ap);
    va_end(ap);
    return -1;
}

static bool read_all(FILE *f, void *buf, size_t n) { return fread(buf, 1, n, f) == n; }

/* Reads the safetensors file open on f (from its start) into m's
 * parameters, all or nothing; path names it in messages.  Closes f. */
static int load_stream(ag_model *m, FILE *f, const char *path);

/* Whether m can take weights; else -1 with the error set.  A model whose
 * weights are made at its first call takes them too: load makes them from
 * the file's shapes (make_lazy). */
static int load_ready(ag_model *m, ag_ctx *ctx) {
    if (ag_model_initialized(m) && ag_model_param_count(m) == 0)
        return ctx_error(ctx, AG_ERR_ARG, "load: the %s has no weights to load",
                         ag_model_kind_name(ag_model_get_kind(m))),
               -1;
    return 0;
}

/* ---- lazy weights made from the file --------------------------------------- */

/* Makes each of m's lazy weights with 1 input (or the size the model fixes),
 * marking it in made[unit]: a stand-in whose layout names its tensor. */
static int make_stand_ins(ag_model *m, bool *made) {
    for (int i = 0; i < model_unit_count(m); i++) {
        if (model_unit_weight(m, i) != NULL) continue;
        int known = model_unit_known_in(m, i);
        if (model_unit_make(m, i, known > 0 ? known : 1) < 0) return -1;
        made[i] = true;
    }
    return 0;
}

/* Drops the weights marked in made (back to lazy) and puts m's generator
 * back as it was: the model as before load. */
static void unmake(ag_model *m, const bool *made, const ag_rng *rng) {
    for (int i = 0; i < model_unit_count(m); i++)
        if (made[i]) model_unit_unmake(m, i);
    *model_rng(m) = *rng;
}

/* The input size of unit u that the file's tensor (entries, matched to
 * layout l) says; 0 when the file has no such tensor (the check after
 * names it), -1 with the error set when its rank is not the weight's. */
static int file_in(const ag_model *m, int u, const layout *l, const entry *entries, const char *path) {
    ag_var *w = model_unit_weight(m, u);
    int param = -1;
    for (int i = 0; i < ag_model_param_count(m) && param < 0; i++)
        if (ag_model_param(m, i, NULL) == w) param = i;
    for (int t = 0; t < l->count; t++)
        for (int k = 0; k < l->tensors[t].nparts; k++) {
            const layout_part *part = &l->tensors[t].parts[k];
            const entry *e = &entries[t];
            if (part->param != param || !e->has_offsets) continue;
            if (e->ndim != l->tensors[t].ndim) {
                const char *name;
                ag_model_param(m, param, &name);
                return load_shape_error(ag_model_ctx(m), path, "tensor %s (%s) has %d dimensions, the model's %d",
                                        l->tensors[t].name, name, e->ndim, l->tensors[t].ndim);
            }
            /* linear (in, out), saved (out, in) when transposed; conv (out, in, k, k) */
            int dim = ag_ndim(w) == 4 ? 1 : part->transposed ? 1 : 0;
            return e->shape[dim] >= 1 && e->shape[dim] <= INT_MAX ? (int)e->shape[dim] : 0;
        }
    return 0;
}

/* Remakes the stand-ins of made with the input sizes the file gives (chosen
 * layout l, its entries), then the layouts again for the new shapes; 0, or
 * -1 with the error set. */
static int make_from_file(ag_model *m, const bool *made, const ag_rng *rng, layout layouts[2], int which,
                          const entry *entries, const char *path) {
    ag_ctx *ctx = ag_model_ctx(m);
    int units = model_unit_count(m);
    int *ins = ctx_calloc(ctx, (size_t)units + 1, sizeof *ins);
    if (ins == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory"), -1;
    for (int i = 0; i < units; i++) {
        int known = model_unit_known_in(m, i);
        int in = made[i] && known == 0 ? file_in(m, i, &layouts[which], entries, path) : known;
        if (in < 0) return ctx_free(ctx, ins), -1;
        ins[i] = in > 0 ? in : 1; /* 1: the check after names the missing tensor */
    }
    unmake(m, made, rng);
    int status = 0;
    for (int i = 0; i < units && status == 0; i++)
        if (made[i]) status = model_unit_make(m, i, ins[i]);
    ctx_free(ctx, ins);
    layout_free(&layouts[0]);
    layout_free(&layouts[1]);
    if (status == 0 && (layout_torch(m, &layouts[0]) != 0 || layout_legacy(m, &layouts[1]) != 0))
        status = -1, ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory");
    return status;
}

int ag_model_load(ag_model *m, const char *path) {
    ag_ctx *ctx = ag_model_ctx(m);
    if (m == NULL || ctx == NULL) return -1;
    if (path == NULL) return ctx_error(ctx, AG_ERR_ARG, "load: the file name is NULL"), -1;
    if (load_ready(m, ctx) < 0) return -1;
    /* never waits in open() for a FIFO's writer; only a regular file is read */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return io_error(ctx, "load", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int error = errno;
        close(fd);
        return errno = error, io_error(ctx, "load", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        if (S_ISDIR(st.st_mode)) return errno = EISDIR, io_error(ctx, "load", path);
        return load_error(ctx, path, "not a regular file (%s); only a file is read",
                          S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return io_error(ctx, "load", path);
    }
    return load_stream(m, f, path);
}

int ag_model_load_bytes(ag_model *m, const void *data, size_t size, const char *name) {
    ag_ctx *ctx = ag_model_ctx(m);
    if (m == NULL || ctx == NULL) return -1;
    if (data == NULL || name == NULL)
        return ctx_error(ctx, AG_ERR_ARG, "load: the %s is NULL", data == NULL ? "data" : "name"), -1;
    if (load_ready(m, ctx) < 0) return -1;
    if (size < 8)
        return load_error(ctx, name, "%zu bytes: too short for a safetensors file (8-byte header length)", size);
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL) return ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory"), -1;
    return load_stream(m, f, name);
}

static int load_stream(ag_model *m, FILE *f, const char *path) {
    ag_ctx *ctx = ag_model_ctx(m);
    int n = 0;
    long file_size = -1;
    if (fseek(f, 0, SEEK_END) == 0) file_size = ftell(f);
    rewind(f);
    unsigned char b8[8];
    if (file_size < 8 || !read_all(f, b8, 8)) {
        fclose(f);
        return load_error(ctx, path, "%ld bytes: too short for a safetensors file (8-byte header length)",
                          file_size);
    }
    uint64_t hlen = get_le64(b8);
    if (hlen > HEADER_MAX)
        return fclose(f), load_error(ctx, path, "the header length %llu is larger than 100 MB "
                                                "(not a safetensors file?)",
                                     (unsigned long long)hlen);
    if (hlen > (uint64_t)file_size - 8)
        return fclose(f), load_error(ctx, path, "the header length %llu is more than the %ld bytes after "
                                                "it (a truncated file?)",
                                     (unsigned long long)hlen, file_size - 8);
    /* the file's tensors are PyTorch's (layouts[0]) or, in files written
     * before 1.2, one per parameter (layouts[1]): whichever the file holds */
    layout layouts[2] = {{0}, {0}};
    entry *entries[2] = {NULL, NULL};
    int found[2] = {0, 0};
    /* lazy weights: stand-ins now, made from the file's shapes below */
    bool lazy = !ag_model_initialized(m);
    ag_rng rng = *model_rng(m);
    bool *made = ctx_calloc(ctx, (size_t)model_unit_count(m) + 1, sizeof *made);
    double **values = NULL;
    char *header = ctx_malloc(ctx, hlen + 1);
    double *numbers = NULL;
    int status = -1, keys = 0;
    if (made == NULL || header == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory");
        goto done;
    }
    if (lazy && make_stand_ins(m, made) < 0) goto done;
    n = ag_model_param_count(m);
    values = ctx_calloc(ctx, (size_t)n + 1, sizeof *values);
    if (values == NULL || layout_torch(m, &layouts[0]) != 0 ||
        layout_legacy(m, &layouts[1]) != 0 ||
        (entries[0] = ctx_calloc(ctx, (size_t)layouts[0].count + 1, sizeof *entries[0])) == NULL ||
        (entries[1] = ctx_calloc(ctx, (size_t)layouts[1].count + 1, sizeof *entries[1])) == NULL) {
        ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory");
        goto done;
    }
    if (!read_all(f, header, hlen)) {
        load_error(ctx, path, "cannot read the header");
        goto done;
    }
    uint64_t data_size = (uint64_t)file_size - 8 - hlen;
    json j = {header, header + hlen, NULL};
    if (!expect(&j, '{')) goto bad_json;
    ws(&j);
    if (j.p < j.end && *j.p == '}') {
        j.p++;
    } else {
        for (;;) {
            char key[256];
            if (!string(&j, key, sizeof key) || !expect(&j, ':')) goto bad_json;
            int index[2] = {-1, -1};
            for (int k = 0; k < 2; k++)
                for (int i = 0; i < layouts[k].count && index[k] < 0; i++)
                    if (strcmp(layouts[k].tensors[i].name, key) == 0) index[k] = i;
            size_t klen = strlen(key), clen = strlen("num_batches_tracked");
            /* PyTorch's BatchNorm step counter: a state_dict entry agrepl keeps no copy of */
            bool counter = ag_model_get_kind(m) == AG_MODEL_BATCH_NORM && klen >= clen &&
                           strcmp(key + klen - clen, "num_batches_tracked") == 0;
            if (strcmp(key, "__metadata__") == 0 || (counter && index[0] < 0 && index[1] < 0)) {
                if (!skip(&j, 1)) goto bad_json;
            } else if (index[0] < 0 && index[1] < 0) {
                load_error(ctx, path, "tensor %s is not a parameter of the %s", key,
                           ag_model_kind_name(ag_model_get_kind(m)));
                goto done;
            } else {
                entry e = {0};
                if ((index[0] >= 0 && entries[0][index[0]].has_offsets) ||
                    (index[1] >= 0 && entries[1][index[1]].has_offsets)) {
                    load_error(ctx, path, "tensor %s appears twice", key);
                    goto done;
                }
                if (!tensor_entry(&j, &e)) goto bad_json;
                snprintf(e.name, sizeof e.name, "%s", key);
                if (!e.has_offsets) {
                    load_error(ctx, path, "tensor %s has no data_offsets", key);
                    goto done;
                }
                for (int k = 0; k < 2; k++)
                    if (index[k] >= 0) entries[k][index[k]] = e, found[k]++;
                keys++;
            }
            ws(&j);
            if (j.p < j.end && *j.p == ',') {
                j.p++;
                continue;
            }
            if (!expect(&j, '}')) goto bad_json;
            break;
        }
    }
    ws(&j);
    if (j.p != j.end) goto bad_json;
    /* PyTorch's layout when the file has any of its own names, else the old */
    int which = found[0] > 0 && found[0] >= found[1] ? 0 : 1;
    if (lazy && make_from_file(m, made, &rng, layouts, which, entries[which], path) < 0) goto done;
    const layout *l = &layouts[which];
    /* every tensor there, with its dtype, shape and a place in the data */
    size_t largest = 0;
    for (int i = 0; i < l->count; i++) {
        const layout_tensor *want = &l->tensors[i];
        entry *e = &entries[which][i];
        if (!e->has_offsets) {
            load_error(ctx, path, "no tensor %s (the file has %d of the %d parameters)", want->name, found[which],
                       l->count);
            goto done;
        }
        if (strcmp(e->dtype, "F64") != 0) {
            load_error(ctx, path, "tensor %s has dtype \"%s\"; only F64 is read", want->name, e->dtype);
            goto done;
        }
        bool same = e->ndim == want->ndim;
        for (int k = 0; same && k < e->ndim; k++) same = e->shape[k] == (uint64_t)want->shape[k];
        if (!same) {
            char model_shape[AG_SHAPEBUF];
            strbuf got = {.realloc_fn = ctx_array_realloc, .user = ctx};
            strbuf_appendf(&got, "[");
            for (int k = 0; k < e->ndim; k++) strbuf_appendf(&got, k ? " %llu" : "%llu", (unsigned long long)e->shape[k]);
            strbuf_appendf(&got, "]");
            const char *param;
            ag_model_param(m, want->parts[0].param, &param);
            load_shape_error(ctx, path, "tensor %s (%s%s) has shape %s, the model's is %s", want->name, param,
                       want->nparts > 1 ? ", ..." : "", got.data && !got.failed ? got.data : "?",
                       ag_shape_string(want->ndim, want->shape, model_shape));
            ctx_free(ctx, got.data);
            goto done;
        }
        uint64_t bytes = (uint64_t)layout_size(want) * 8;
        if (e->begin > e->end || e->end > data_size || e->end - e->begin != bytes) {
            load_error(ctx, path, "tensor %s: data_offsets [%llu, %llu] do not hold its %llu bytes within "
                       "the %llu bytes of data (a truncated or inconsistent file)",
                       want->name, (unsigned long long)e->begin, (unsigned long long)e->end,
                       (unsigned long long)bytes, (unsigned long long)data_size);
            goto done;
        }
        if (layout_size(want) > largest) largest = layout_size(want);
    }
    if (keys != l->count) {
        load_error(ctx, path, "%d tensors, the %s has %d", keys, ag_model_kind_name(ag_model_get_kind(m)),
                   l->count);
        goto done;
    }
    /* each byte of data belongs to one tensor at most (as the format says):
       two tensors over the same bytes would be one written through the other */
    for (int i = 0; i < l->count; i++)
        for (int k = i + 1; k < l->count; k++) {
            const entry *a = &entries[which][i], *b = &entries[which][k];
            if (a->begin < b->end && b->begin < a->end) {
                load_error(ctx, path, "tensors %s [%llu, %llu] and %s [%llu, %llu] overlap in the data",
                           l->tensors[i].name, (unsigned long long)a->begin, (unsigned long long)a->end,
                           l->tensors[k].name, (unsigned long long)b->begin, (unsigned long long)b->end);
                goto done;
            }
        }
    /* read everything, then change the parameters: all or nothing */
    numbers = ctx_malloc(ctx, (largest + 1) * sizeof *numbers);
    for (int i = 0; numbers != NULL && i < n; i++) {
        values[i] = ctx_calloc(ctx, ag_size(ag_model_param(m, i, NULL)) + 1, sizeof(double));
        if (values[i] == NULL) break;
    }
    if (numbers == NULL || (n > 0 && values[n - 1] == NULL)) {
        ctx_error(ctx, AG_ERR_NOMEM, "load: out of memory");
        goto done;
    }
    for (int i = 0; i < l->count; i++) {
        entry *e = &entries[which][i];
        size_t size = layout_size(&l->tensors[i]);
        if (fseek(f, (long)(8 + hlen + e->begin), SEEK_SET) != 0) {
            io_error(ctx, "load", path);
            goto done;
        }
        for (size_t k = 0; k < size; k++) {
            if (!read_all(f, b8, 8)) {
                load_error(ctx, path, "cannot read tensor %s", e->name);
                goto done;
            }
            uint64_t bits = get_le64(b8);
            memcpy(&numbers[k], &bits, 8);
        }
        layout_scatter(m, &l->tensors[i], numbers, values);
    }
    for (int i = 0; i < n; i++) {
        ag_var *p = ag_model_param(m, i, NULL);
        memcpy(ag_data_mut(p), values[i], ag_size(p) * sizeof(double));
    }
    status = 0;
    goto done;
bad_json:
    load_error(ctx, path, "%s at byte %ld of the header", j.error ? j.error : "malformed JSON header",
               (long)(j.p - header));
done:
    if (status != 0 && made != NULL) unmake(m, made, &rng);
    ctx_free(ctx, made);
    for (int i = 0; values != NULL && i < n; i++) ctx_free(ctx, values[i]);
    ctx_free(ctx, values);
    ctx_free(ctx, numbers);
    ctx_free(ctx, entries[0]);
    ctx_free(ctx, entries[1]);
    layout_free(&layouts[0]);
    layout_free(&layouts[1]);
    ctx_free(ctx, header);
    fclose(f);
    return status;
}
