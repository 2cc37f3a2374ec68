/* data_libs.c — loading libcsv and libzip at their first use (data_libs.h).
 * Loaded once per process under a lock, as OpenBLAS is (blas.c); a failed
 * load is tried again at the next call (the package may have been
 * installed meanwhile). */
#include "data_libs.h"
#include "dl_shared.h"
#include "errors.h"

#if (defined(AG_CSV_LOADABLE) && !defined(AG_CSV_LINKED)) || defined(AG_ZIP_LOADABLE)
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* A statically linked program has no dynamic section: dlopen there would
 * bring a second C library into the process. */
extern char _DYNAMIC[] __attribute__((weak));

/* Opens `soname` and fills `count` function pointers named by `names`; on
 * failure a message in why[0..size).  True when all were found. */
static bool load(const char *soname, const char *const *names, void **functions, int count, char *why,
                 size_t size) {
    char *volatile dynamic = _DYNAMIC;
    if (dynamic == NULL || shared_dlopen_missing()) {
        snprintf(why, size, "a statically linked program cannot load libraries");
        return false;
    }
    void *handle = shared_dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (handle == NULL) {
        const char *error = dlerror();
        snprintf(why, size, "%s", error ? error : soname);
        return false;
    }
    for (int i = 0; i < count; i++) {
        functions[i] = dlsym(handle, names[i]);
        if (functions[i] == NULL) {
            snprintf(why, size, "%s has no %s", soname, names[i]);
            dlclose(handle);
            return false;
        }
    }
    return true;
}
#endif

#if defined(AG_CSV_LOADABLE) && defined(AG_CSV_LINKED)
/* libcsv linked in (the web page): its functions themselves */
const csv_library *csv_library_get(ag_ctx *ctx, const char *who) {
    (void)ctx, (void)who;
#define CSV_LINK(f) .f = f,
    static const csv_library linked = {CSV_FUNCTIONS(CSV_LINK)};
#undef CSV_LINK
    return &linked;
}
#elif defined(AG_CSV_LOADABLE)
static csv_library csv;
static bool csv_loaded;

const csv_library *csv_library_get(ag_ctx *ctx, const char *who) {
#define CSV_NAME(f) #f,
    static const char *const names[] = {CSV_FUNCTIONS(CSV_NAME)};
#undef CSV_NAME
    char why[256] = "";
    pthread_mutex_lock(&load_lock);
    if (!csv_loaded) {
        void *functions[sizeof names / sizeof names[0]];
        if (load("libcsv.so.3", names, functions, (int)(sizeof names / sizeof names[0]), why, sizeof why)) {
            int i = 0;
#define CSV_SET(f) csv.f = (__typeof__(f) *)functions[i++];
            CSV_FUNCTIONS(CSV_SET)
#undef CSV_SET
            csv_loaded = true;
        }
    }
    bool loaded = csv_loaded;
    pthread_mutex_unlock(&load_lock);
    if (loaded) return &csv;
    return ctx_error(ctx, AG_ERR_IO, "%s: CSV files need libcsv (Debian's libcsv3), which could not be loaded: %s",
                     who, why);
}
#endif

#ifdef AG_ZIP_LOADABLE
static zip_library zip;
static bool zip_loaded;

const zip_library *zip_library_get(ag_ctx *ctx, const char *who) {
#define ZIP_NAME(f) #f,
    static const char *const names[] = {ZIP_FUNCTIONS(ZIP_NAME)};
#undef ZIP_NAME
    char why[256] = "";
    pthread_mutex_lock(&load_lock);
    if (!zip_loaded) {
        void *functions[sizeof names / sizeof names[0]];
        if (load("libzip.so.4", names, functions, (int)(sizeof names / sizeof names[0]), why, sizeof why)) {
            int i = 0;
#define ZIP_SET(f) zip.f = (__typeof__(f) *)functions[i++];
            ZIP_FUNCTIONS(ZIP_SET)
#undef ZIP_SET
            zip_loaded = true;
        }
    }
    bool loaded = zip_loaded;
    pthread_mutex_unlock(&load_lock);
    if (loaded) return &zip;
    return ctx_error(ctx, AG_ERR_IO, ".npz files need libzip (Debian's libzip4), which could not be loaded: %s", why),
           NULL;
}
#endif
