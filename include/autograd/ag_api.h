/* ag_api.h — the library's version and how its headers declare the API.
 *
 * Every public header includes this one (through ag_core.h).  Declarations
 * between AG_BEGIN_DECLS and AG_END_DECLS have C linkage under C++ and
 * default visibility: the library is built with -fvisibility=hidden, so these
 * are the only symbols libautograd.so and libautograd.a export (all named
 * ag_...).  Headers include each other by quoted name, so they work from
 * include/autograd/ (`#include <autograd/autograd.h>`, pkg-config's
 * -I${includedir}) as well as with that directory itself on the path. */
#ifndef AG_API_H
#define AG_API_H

/* The version of these headers; ag_version() gives the library's. */
#define AG_VERSION_MAJOR 1
#define AG_VERSION_MINOR 3
#define AG_VERSION_PATCH 0
#define AG_VERSION_STRING "1.3.0"
/* One number to compare: MAJOR*1000000 + MINOR*1000 + PATCH (1001000 for
 * 1.1.0), as SQLITE_VERSION_NUMBER; ag_version_number() gives the library's. */
#define AG_VERSION_NUMBER (AG_VERSION_MAJOR * 1000000 + AG_VERSION_MINOR * 1000 + AG_VERSION_PATCH)

#ifdef __cplusplus
#define AG_EXTERN_C_BEGIN extern "C" {
#define AG_EXTERN_C_END }
#else
#define AG_EXTERN_C_BEGIN
#define AG_EXTERN_C_END
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AG_BEGIN_DECLS _Pragma("GCC visibility push(default)") AG_EXTERN_C_BEGIN
#define AG_END_DECLS AG_EXTERN_C_END _Pragma("GCC visibility pop")
/* Old names kept for one version (removed in 2.0); the message names the new one. */
#define AG_DEPRECATED(use) __attribute__((deprecated("use " use)))
/* printf-style checking of a format argument (GCC and Clang only). */
#define AG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define AG_PRINTF(fmt, args)
#define AG_BEGIN_DECLS AG_EXTERN_C_BEGIN
#define AG_END_DECLS AG_EXTERN_C_END
#define AG_DEPRECATED(use)
#endif

#endif
