/* heap.c — how agrepl asks glibc for memory (see heap.h). */
#define _DEFAULT_SOURCE /* sbrk, madvise's MADV_HUGEPAGE */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The span of the heap reserved and advised at once. */
#define HEAP_RESERVE ((size_t)256 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

void heap_keep_hot(void) {
    /* tensors of any size up to 32 MiB come from the heap, and freed heap
     * memory stays with the process: no page is given back to be faulted in
     * again by the next step.  This also covers the plot window: Cairo takes
     * and gives back scratch buffers of a megabyte or more at every redraw
     * (up to 30 a second), which mmap/munmap would fault in each time (a
     * redraw 13 -> 4 ms kept on the heap) */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    /* grow the heap by HEAP_RESERVE now (address space only: pages come
     * when touched) and let the kernel back it with 2 MiB pages, one fault
     * each instead of 512 */
#ifdef M_TOP_PAD /* glibc's; the web build's malloc (emscripten) has none */
    mallopt(M_TOP_PAD, (int)HEAP_RESERVE);
#endif
    void *probe = malloc((size_t)1 << 20);
    char *end = sbrk(0);
    free(probe);
    if (probe == NULL || end == (char *)-1) return;
    uintptr_t hi = (uintptr_t)end & ~(HUGE_PAGE - 1);
    uintptr_t lo = ((uintptr_t)end - HEAP_RESERVE + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice: may fail harmlessly */
}
