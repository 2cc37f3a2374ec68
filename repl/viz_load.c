/* viz_load.c — finding and loading the viz module (viz/viz_module.h). */
#include "viz_load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lessons.h"

/* Set by the Makefile from PREFIX: where `make install` puts the module. */
#ifndef AGREPL_VIZ_MODULE_PATH
#define AGREPL_VIZ_MODULE_PATH "/usr/local/lib/agrepl/agrepl-viz.so"
#endif

#define PATH_LEN 4096

/* A program that links viz/ itself (the unit tests) has the table; agrepl
 * does not, and the weak reference is then NULL. */
extern const viz_module agrepl_viz_module __attribute__((weak));

static const viz_module *loaded;
#define WHY_LEN 600
static char load_error[WHY_LEN + 100];

/* Tries one file: true with `loaded` set, false with why in `why`. */
static bool try_module(const char *path, char *why, size_t n) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *e = dlerror();
        snprintf(why, n, "%.500s", e ? e : path);
        return false;
    }
    const viz_module *m = (const viz_module *)dlsym(handle, VIZ_MODULE_SYMBOL);
    if (m == NULL || m->version != VIZ_MODULE_VERSION) {
        snprintf(why, n, "%.400s is not this agrepl's graph module (%s)", path,
                 m == NULL ? "no " VIZ_MODULE_SYMBOL : "another version");
        dlclose(handle);
        return false;
    }
    loaded = m; /* kept loaded for the life of the process */
    return true;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

const viz_module *viz_module_get(void) {
    if (loaded != NULL) return loaded;
    if (&agrepl_viz_module != NULL) return loaded = &agrepl_viz_module;
    if (load_error[0] != '\0') return NULL; /* tried already: say the same again */
    char why[WHY_LEN] = "";
    const char *env = getenv("AGREPL_VIZ_MODULE");
    if (env != NULL && env[0] != '\0') {
        if (try_module(env, why, sizeof why)) return loaded;
        snprintf(load_error, sizeof load_error,
                 "graphs and plots need agrepl's graph module, which could not be loaded: %.600s", why);
        return NULL;
    }
    char candidates[3][PATH_LEN];
    int n = 0;
    char exe[PATH_LEN];
    bool known = repl_program_dir(exe, sizeof exe);
    if (known) {
        /* build/agrepl beside build/agrepl-viz.so; PREFIX/bin/agrepl with
         * PREFIX/lib/agrepl/ (also a DESTDIR-staged or moved install) */
        if (snprintf(candidates[n], PATH_LEN, "%s/agrepl-viz.so", exe) < PATH_LEN) n++;
        if (snprintf(candidates[n], PATH_LEN, "%s/../lib/agrepl/agrepl-viz.so", exe) < PATH_LEN) n++;
    }
    snprintf(candidates[n++], PATH_LEN, "%s", AGREPL_VIZ_MODULE_PATH);
    for (int i = 0; i < n; i++) {
        if (!exists(candidates[i])) continue;
        if (try_module(candidates[i], why, sizeof why)) return loaded;
        break; /* found but broken: that is the reason to give */
    }
    if (why[0] == '\0')
        snprintf(why, sizeof why, "agrepl-viz.so is not in %.250s/ nor %.250s",
                 known ? exe : "the program's directory", AGREPL_VIZ_MODULE_PATH);
    snprintf(load_error, sizeof load_error,
             "graphs and plots need agrepl's graph module, which could not be loaded: %.600s", why);
    return NULL;
}

const char *viz_module_error(void) { return load_error; }
