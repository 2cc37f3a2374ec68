/* graph_contain.c — runs a piece of Graphviz work (or a plot drawn by Cairo
 * and Pango) in a forked child, so that a crash, a runaway layout or an
 * allocation abort inside the library ends the child with an error message
 * instead of taking the session (and every name in it) down
 * (Debian's Graphviz 2.42 segfaults in dot_layout on a 601-node graph after
 * about 18 s; GLib aborts on a failed allocation).
 *
 * The child has the parent's memory as it was at the fork (copy on write),
 * so the work sees the graph as built; it runs with a CPU-time limit and an
 * address-space limit, and sends its result back through a pipe as one
 * reply: a status byte, a length, then the bytes (or the error text).  The
 * parent reads the reply, reaps the child and turns a death by a signal
 * into a sentence. */
#include "graph_contain.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_CPU_SECONDS 300                   /* a layout gets this much CPU time */
#define DEFAULT_EXTRA_BYTES ((size_t)4 << 30)     /* and this much more address space */

static bool last_crashed;            /* viz_contained_crashed */
static bool last_timed_out;          /* viz_contained_timed_out */
static int cpu_seconds_override;    /* 0: the default (or the inherited soft limit) */
static bool fallback_cpu;           /* viz_contain_fallback_cpu: the override set aside */
static size_t extra_bytes_override; /* 0: the default */

void viz_contain_fallback_cpu(bool on) { fallback_cpu = on; }

void viz_contain_set_limits(int cpu_seconds, size_t extra_bytes) {
    cpu_seconds_override = cpu_seconds > 0 ? cpu_seconds : 0;
    extra_bytes_override = extra_bytes;
}

/* The CPU seconds the child will get: the override or the default, but never
 * more than the soft limit it inherits (`ulimit -t` in the shell). */
static rlim_t child_cpu_seconds(void) {
    rlim_t want = cpu_seconds_override > 0 && !fallback_cpu ? (rlim_t)cpu_seconds_override : DEFAULT_CPU_SECONDS;
    struct rlimit inherited;
    if (getrlimit(RLIMIT_CPU, &inherited) == 0 && inherited.rlim_cur != RLIM_INFINITY &&
        inherited.rlim_cur < want)
        want = inherited.rlim_cur;
    return want > 0 ? want : 1;
}

/* The process's address-space size now (what the child starts with). */
static size_t current_vm_bytes(void) {
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (statm != NULL) {
        if (fscanf(statm, "%lu", &pages) != 1) pages = 0;
        fclose(statm);
    }
    long page = sysconf(_SC_PAGESIZE);
    return (size_t)pages * (size_t)(page > 0 ? page : 4096);
}

static bool write_all(int fd, const void *data, size_t size) {
    const unsigned char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

/* Reads exactly size bytes; 1 done, 0 end of file first, -1 error (errno),
 * -2 interrupted by a signal (Ctrl-C reaches the parent as EINTR). */
static int read_all(int fd, void *data, size_t size) {
    unsigned char *p = data;
    while (size > 0) {
        struct pollfd waiting = {fd, POLLIN, 0};
        int ready = poll(&waiting, 1, -1);
        if (ready < 0 && errno == EINTR) return -2;
        if (ready < 0) return -1;
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR) return -2;
        if (n < 0) return -1;
        if (n == 0) return 0;
        p += n;
        size -= (size_t)n;
    }
    return 1;
}

/* The child's CPU limit: SIGXCPU at the soft limit (the hard one, a second
 * later, would be SIGKILL), within what the process may set. */
static struct rlimit child_cpu_limit(void) {
    rlim_t seconds = child_cpu_seconds();
    struct rlimit cpu = {seconds, seconds + 1}, inherited;
    if (getrlimit(RLIMIT_CPU, &inherited) == 0 && inherited.rlim_max != RLIM_INFINITY &&
        cpu.rlim_max > inherited.rlim_max)
        cpu.rlim_max = inherited.rlim_max;
    if (cpu.rlim_cur >= cpu.rlim_max) cpu.rlim_cur = cpu.rlim_max > 1 ? cpu.rlim_max - 1 : 1;
    return cpu;
}

static size_t child_extra_bytes(void) {
    return extra_bytes_override ? extra_bytes_override : DEFAULT_EXTRA_BYTES;
}

/* The address space the child will have beyond what it starts with, when
 * that is less than the default (`ulimit -v`, or a test's limit): 0 when
 * it has the default. */
static size_t child_tight_space(void) {
    size_t current = current_vm_bytes(), extra = child_extra_bytes();
    struct rlimit space;
    if (getrlimit(RLIMIT_AS, &space) == 0 && space.rlim_cur != RLIM_INFINITY &&
        space.rlim_cur <= (rlim_t)(current + extra) && space.rlim_max != RLIM_INFINITY &&
        space.rlim_max <= (rlim_t)(current + extra))
        extra = space.rlim_cur > current ? (size_t)space.rlim_cur - current : 1;
    return extra < DEFAULT_EXTRA_BYTES ? extra : 0;
}

/* Signals that end a library (Graphviz, Cairo, Pango, fontconfig) that ran
 * out of memory: GLib aborts (SIGTRAP, SIGABRT) on a failed allocation,
 * others dereference the NULL they did not check. */
static bool memory_death(int sig) {
    return sig == SIGTRAP || sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGKILL;
}

static _Noreturn void child_run(int fd, viz_contained_fn work, void *arg) {
    /* The child shares stdin's file offset with the parent.  Anything in it
       that tidies stdio at exit (valgrind runs glibc's __libc_freeres, which
       unbuffers stdin and seeks fd 0 back to the unread position) would make
       the parent read a script on stdin again: give the child /dev/null. */
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0 && devnull != STDIN_FILENO) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    signal(SIGINT, SIG_DFL); /* Ctrl-C ends the child; the parent reports it */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGXCPU, SIG_DFL);
    /* a crash is the parent's to report (a sanitizer's handler would turn it
       into an exit status and a report about Graphviz's code) */
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    struct rlimit cpu = child_cpu_limit();
    setrlimit(RLIMIT_CPU, &cpu);
    struct rlimit space;
    if (getrlimit(RLIMIT_AS, &space) == 0) {
        rlim_t want = (rlim_t)(current_vm_bytes() + child_extra_bytes());
        if (space.rlim_max == RLIM_INFINITY || want < space.rlim_max) {
            space.rlim_cur = want;
            setrlimit(RLIMIT_AS, &space);
        }
    }
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *bytes = work(arg, &size, err);
    unsigned char status = bytes != NULL ? 0 : 1;
    const void *body = bytes != NULL ? (const void *)bytes : (const void *)err;
    uint64_t length = bytes != NULL ? size : strlen(err);
    bool sent = write_all(fd, &status, 1) && write_all(fd, &length, sizeof length) &&
                write_all(fd, body, (size_t)length);
    /* no exit handlers, no stdio flush of the parent's buffers, no leak check
       of a copy of the parent's heap */
    _exit(sent ? 0 : 1);
}

/* What ended a child drawing a figure with Cairo and Pango: GLib aborts
 * the process when an allocation fails (g_malloc never returns NULL), by
 * SIGTRAP or SIGABRT, so those are out of memory. */
static void describe_drawing_death(int wstatus, size_t tight, char err[VIZ_ERRLEN]) {
    int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    if (sig == SIGTRAP || sig == SIGABRT || sig == SIGKILL)
        snprintf(err, VIZ_ERRLEN, "out of memory drawing the figure (the drawing library aborted: %s); "
                                  "nothing was written, every name is kept",
                 strsignal(sig));
    else if (tight && memory_death(sig))
        snprintf(err, VIZ_ERRLEN, "out of memory drawing the figure (the drawing library crashed, %s, "
                                  "with %zu MiB of address space left under the limit); nothing was "
                                  "written, every name is kept",
                 strsignal(sig), tight >> 20);
    else if (sig == SIGXCPU)
        snprintf(err, VIZ_ERRLEN, "drawing the figure was stopped after %lu s of CPU time",
                 (unsigned long)child_cpu_limit().rlim_cur);
    else if (sig == SIGINT)
        snprintf(err, VIZ_ERRLEN, "interrupted");
    else if (sig != 0)
        snprintf(err, VIZ_ERRLEN, "the drawing library crashed (%s) while drawing the figure; every name is kept",
                 strsignal(sig));
    else
        snprintf(err, VIZ_ERRLEN, "drawing the figure failed (status %d: a crash or out of memory); every "
                                  "name is kept",
                 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
}

static void describe_death(int wstatus, size_t tight, char err[VIZ_ERRLEN]) {
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        if (tight && memory_death(sig))
            snprintf(err, VIZ_ERRLEN, "out of memory laying out or drawing the graph (Graphviz or a "
                                      "library under it crashed, %s, with %zu MiB of address space "
                                      "left under the limit); nothing was written, every name is kept",
                     strsignal(sig), tight >> 20);
        else if (sig == SIGXCPU)
            snprintf(err, VIZ_ERRLEN,
                     "Graphviz was stopped after %lu s of CPU time (the graph is too big to lay out: "
                     "try fold=true or a smaller max_nodes)",
                     (unsigned long)child_cpu_limit().rlim_cur);
        else if (sig == SIGINT)
            snprintf(err, VIZ_ERRLEN, "interrupted");
        else if (sig == SIGKILL)
            snprintf(err, VIZ_ERRLEN, "Graphviz was killed while laying out or drawing the graph "
                                      "(out of memory?); every name is kept");
        else if (sig == SIGTRAP) /* GLib's abort (g_error), under Pango in Graphviz's renderer */
            snprintf(err, VIZ_ERRLEN, "out of memory drawing the graph (GLib, under Graphviz's "
                                      "renderer, aborted: %s); nothing was written, every name is kept",
                     strsignal(sig));
        else
            snprintf(err, VIZ_ERRLEN,
                     "Graphviz crashed (%s) while laying out or drawing the graph; every name is "
                     "kept (try fold=true or a smaller max_nodes)",
                     strsignal(sig));
    } else {
        snprintf(err, VIZ_ERRLEN,
                 "Graphviz failed (status %d) while laying out or drawing the graph (a crash or "
                 "out of memory); every name is kept",
                 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
}

#define HEADROOM_BYTES ((size_t)64 << 20)

static void *nothing(void *arg) { return arg; }

int viz_library_headroom(char err[VIZ_ERRLEN]) {
    pthread_t thread;
    int error = pthread_create(&thread, NULL, nothing, NULL); /* the default stack, as GLib's */
    if (error == 0) pthread_join(thread, NULL);
    void *room = error == 0 ? malloc(HEADROOM_BYTES) : NULL;
    if (room == NULL) {
        snprintf(err, VIZ_ERRLEN, "out of memory (%s; the drawing libraries would abort)",
                 error ? "no thread can be started" : "not 64 MiB left");
        return -1;
    }
    free(room);
    return 0;
}

/* viz_contained and viz_contained_drawing: `drawing` words the errors for
 * a figure drawn by Cairo and Pango rather than a graph by Graphviz. */
static unsigned char *contained(viz_contained_fn work, void *arg, bool drawing, size_t *size,
                                char err[VIZ_ERRLEN]) {
    last_crashed = false;
    last_timed_out = false;
    if (viz_library_headroom(err) < 0) return NULL;
    const char *who = drawing ? "the drawing" : "Graphviz";
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, VIZ_ERRLEN, "cannot start %s: %s", who, strerror(errno));
        return NULL;
    }
    size_t tight = child_tight_space(); /* a crash under a tight limit: out of memory */
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        snprintf(err, VIZ_ERRLEN, "cannot start %s: %s", who,
                 saved == ENOMEM || saved == EAGAIN ? "out of memory" : strerror(saved));
        return NULL;
    }
    if (pid == 0) {
        close(fds[0]);
        child_run(fds[1], work, arg);
    }
    close(fds[1]);
    unsigned char status = 1;
    uint64_t length = 0;
    unsigned char *bytes = NULL;
    int got = read_all(fds[0], &status, 1);
    if (got == 1) got = read_all(fds[0], &length, sizeof length);
    if (got == 1 && length > SIZE_MAX - 1) got = -1, errno = EFBIG;
    if (got == 1 && (bytes = malloc((size_t)length + 1)) == NULL) got = -3;
    if (got == 1) got = read_all(fds[0], bytes, (size_t)length);
    int saved = errno;
    if (got != 1) kill(pid, SIGKILL); /* interrupted or failed: the child's work is not wanted */
    close(fds[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (got == 1) {
        if (status == 0) {
            *size = (size_t)length;
            return bytes;
        }
        bytes[length] = '\0';
        snprintf(err, VIZ_ERRLEN, "%s", (char *)bytes);
        free(bytes);
        return NULL;
    }
    free(bytes);
    if (got == -2)
        snprintf(err, VIZ_ERRLEN, "interrupted");
    else if (got == -3)
        snprintf(err, VIZ_ERRLEN, "out of memory while reading the drawing");
    else if (got == -1)
        snprintf(err, VIZ_ERRLEN, "cannot read the drawing from %s: %s", who, strerror(saved));
    else if (drawing)
        describe_drawing_death(wstatus, tight, err);
    else if ((last_timed_out = WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGXCPU))
        describe_death(wstatus, tight, err);
    else if ((last_crashed = WIFSIGNALED(wstatus) && WTERMSIG(wstatus) != SIGINT &&
                             WTERMSIG(wstatus) != SIGXCPU && WTERMSIG(wstatus) != SIGKILL &&
                             WTERMSIG(wstatus) != SIGTRAP && !(tight && memory_death(WTERMSIG(wstatus)))))
        describe_death(wstatus, tight, err);
    else
        describe_death(wstatus, tight, err);
    return NULL;
}

unsigned char *viz_contained(viz_contained_fn work, void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    return contained(work, arg, false, size, err);
}

bool viz_contained_crashed(void) { return last_crashed; }

bool viz_contained_timed_out(void) { return last_timed_out; }

unsigned char *viz_contained_drawing(viz_contained_fn work, void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    return contained(work, arg, true, size, err);
}
