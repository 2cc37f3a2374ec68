/* poison.h — POISON/UNPOISON: under AddressSanitizer, mark memory the
 * engine keeps for reuse (a dead node, a cached data buffer) so a use through
 * a stale handle is still reported; nothing in other builds. */
#ifndef AG_POISON_H
#define AG_POISON_H

#if defined(__SANITIZE_ADDRESS__)
#define AG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_ASAN 1
#endif
#endif
#ifdef AG_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
