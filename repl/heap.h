/* heap.h — the process's malloc settings for a REPL session.
 *
 * Measured (bench/README.md): a script's first steps paid a page fault per
 * 4 KiB of heap they touched (a third of the LSTM benchmark's time on these
 * VMs).  heap_keep_hot makes glibc keep freed memory and reserves the heap in
 * one 256 MiB span advised for transparent huge pages (the kernel's
 * "madvise" mode), as glibc's glibc.malloc.hugetlb=1 tunable would.  Call
 * it first thing in main; it changes only performance. */
#ifndef AGREPL_HEAP_H
#define AGREPL_HEAP_H

void heap_keep_hot(void);

#endif
