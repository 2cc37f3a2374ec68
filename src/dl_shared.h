/* dl_shared.h — dlopen for the libraries the engine loads at run time
 * (OpenBLAS in blas.c; libcsv and libzip in data_libs.c), reached through a
 * weak reference to glibc's shared-library version of it: a static program
 * (which loads nothing) then links none, so its link gives no warning that
 * it needs at run time the shared libraries of the glibc it was built with
 * (any reference to plain `dlopen` binds to static glibc's own, which is
 * always linked, and warns).  shared_dlopen_missing() is true there. */
#ifndef AG_DL_SHARED_H
#define AG_DL_SHARED_H

#include <dlfcn.h>
#include <stdbool.h>

/* (not under AddressSanitizer, whose run time intercepts dlopen itself) */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)) && defined(__x86_64__) && \
    !defined(__SANITIZE_ADDRESS__)
extern void *shared_dlopen(const char *file, int mode) __attribute__((weak));
__asm__(".symver shared_dlopen, dlopen@GLIBC_2.34");
static inline bool shared_dlopen_missing(void) { return shared_dlopen == NULL; }
#else
#define shared_dlopen dlopen
static inline bool shared_dlopen_missing(void) { return false; }
#endif

#endif
