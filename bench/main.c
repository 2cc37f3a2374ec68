/* main.c — agbench, the benchmark driver.
 *
 *   agbench [ID ...]            runs the workloads (all when none is named)
 *                               through the C API, one result line each;
 *                               give one ID per process for its own peak
 *   agbench --list              the workloads, one line each
 *   agbench --dump ID FILE      writes ID's data and initial weights for
 *                               bench/torch_bench.py
 *   agbench --time-cmd ID NAME RUNNER ITERS RUNS -- CMD [ARG ...]
 *                               runs CMD RUNS times, timing the whole
 *                               process; prints the median wall time / ITERS,
 *                               the largest run's peak (ru_maxrss) and the
 *                               last line CMD printed, after cpu_us= (the
 *                               median child CPU time, user + system, / ITERS)
 *                               and peak_min_mib= (the smallest run's peak:
 *                               a run may get a 2 MiB huge page more)
 *   agbench --time-cmd ID NAME RUNNER ITERS RUNS --vs-dgemm -- CMD [ARG ...]
 *                               the same, with W5's three products alone
 *                               timed (CPU) before, after and, the command
 *                               stopped, every 0.1 s during each run (the
 *                               pauses are not counted in its wall time):
 *                               dgemm_us= (the samples' median) and
 *                               vs_dgemm= (cpu_us over it)
 *
 * BENCH_RUNS=N overrides every workload's number of runs. */
#define _DEFAULT_SOURCE /* wait4 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_RUNS 50

static int runs_override(int fallback) {
    const char *text = getenv("BENCH_RUNS");
    int runs = text ? atoi(text) : 0;
    return runs >= 1 && runs <= MAX_RUNS ? runs : fallback;
}

static const bench_workload *find(const char *id) {
    const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads, bench_conv_workloads};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const bench_workload *w = tables[t]; w->id != NULL; w++)
            if (strcmp(w->id, id) == 0) return w;
    return NULL;
}

static int run_workload(const bench_workload *w) {
    int runs = runs_override(w->runs);
    double per_iter[MAX_RUNS];
    char values[BENCH_VALUES];
    for (int r = 0; r < runs; r++) {
        double seconds = 0;
        values[0] = '\0';
        if (w->run(&seconds, values) < 0) return 1;
        per_iter[r] = seconds / (double)w->iters * 1e6;
    }
    if (w->after != NULL && w->after(values) < 0) return 1;
    bench_print(w->id, w->name, "C", w->iters, bench_median(per_iter, runs), runs,
                bench_peak_kib(), values);
    return 0;
}

static int list(void) {
    const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads, bench_conv_workloads};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const bench_workload *w = tables[t]; w->id != NULL; w++)
            printf("%-3s %-10s %6ld iters  %s\n", w->id, w->name, w->iters, w->what);
    return 0;
}

static int dump(const char *id, const char *path) {
    const bench_workload *w = find(id);
    if (w == NULL || w->dump == NULL) {
        fprintf(stderr, "agbench: %s has no data to dump\n", id);
        return 2;
    }
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "agbench: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int status = w->dump(out);
    if (fclose(out) != 0) status = -1;
    return status < 0 ? 1 : 0;
}

/* The last non-empty line of the file at fd (rewound), without its newline. */
static void last_line(int fd, char *line, size_t n) {
    line[0] = '\0';
    if (lseek(fd, 0, SEEK_SET) < 0) return;
    FILE *f = fdopen(dup(fd), "r");
    if (f == NULL) return;
    char buf[4096];
    while (fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        size_t len = strlen(buf);
        if (len == 0) continue;
        if (len >= n) len = n - 1;
        memcpy(line, buf, len);
        line[len] = '\0';
    }
    fclose(f);
}

/* User + system seconds in a struct rusage. */
static double rusage_cpu(const struct rusage *u) {
    return (double)u->ru_utime.tv_sec + (double)u->ru_utime.tv_usec * 1e-6 +
           (double)u->ru_stime.tv_sec + (double)u->ru_stime.tv_usec * 1e-6;
}

/* While a --vs-dgemm command runs: every VS_DGEMM_EVERY seconds of wall time
 * the child is stopped (SIGSTOP), the products run once and are timed, and
 * the child continues, so the samples are taken through the very minutes
 * the command runs in; the child's CPU time does not count the pauses. */
#define VS_DGEMM_EVERY 0.1
#define VS_DGEMM_MAX_SAMPLES 4096
/* The products run in a process of their own (a sampler, forked before any
 * command and told over a pipe how many repetitions to run): the commands are
 * forked from agbench, and a fork starts with its parent's resident pages
 * counted in its peak, which the products' buffers and OpenBLAS's would add
 * to every command's. */
typedef struct dgemm_samples {
    pid_t sampler;
    int to, from;                     /* pipes to and from the sampler */
    double cpu[VS_DGEMM_MAX_SAMPLES]; /* seconds per repetition */
    int n;
    double paused; /* wall seconds the child was stopped for, this run */
} dgemm_samples;

static int sampler_start(dgemm_samples *s) {
    int to[2], from[2];
    if (pipe(to) < 0) return -1;
    if (pipe(from) < 0) {
        close(to[0]), close(to[1]);
        return -1;
    }
    s->sampler = fork();
    if (s->sampler < 0) return -1;
    if (s->sampler == 0) {
        close(to[1]), close(from[0]);
        bench_dgemm3 products = {0};
        if (bench_dgemm3_init(&products) < 0) _exit(1);
        int reps;
        while (read(to[0], &reps, sizeof reps) == sizeof reps && reps > 0) {
            double per_rep = bench_dgemm3_cpu(&products, reps);
            if (write(from[1], &per_rep, sizeof per_rep) != sizeof per_rep) break;
        }
        bench_dgemm3_free(&products);
        _exit(0);
    }
    close(to[0]), close(from[1]);
    s->to = to[1];
    s->from = from[0];
    s->n = 0;
    return 0;
}

/* Ends the sampler (after the commands' peaks are read: it is a child too). */
static void sampler_stop(dgemm_samples *s) {
    close(s->to);
    close(s->from);
    waitpid(s->sampler, NULL, 0);
}

static void sample_products(dgemm_samples *s, int reps) {
    double per_rep;
    if (s->n < VS_DGEMM_MAX_SAMPLES && write(s->to, &reps, sizeof reps) == sizeof reps &&
        read(s->from, &per_rep, sizeof per_rep) == sizeof per_rep)
        s->cpu[s->n++] = per_rep;
}

/* Waits for pid, sampling the products in pauses of the child when s is not
 * NULL; SIGCHLD is blocked (spawn), so the wait between samples ends the
 * moment the child does.  wait4's result; *usage is the child's own (its
 * peak alone, where RUSAGE_CHILDREN keeps the largest of every child). */
static pid_t wait_sampling(pid_t pid, int *status, dgemm_samples *s, struct rusage *usage) {
    if (s == NULL) return wait4(pid, status, 0, usage);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double next = bench_now() + VS_DGEMM_EVERY;
    for (;;) {
        double left = next - bench_now();
        if (left > 0) {
            struct timespec nap = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
            sigtimedwait(&chld, NULL, &nap);
        }
        pid_t done = wait4(pid, status, WNOHANG, usage);
        if (done != 0) return done;
        if (bench_now() < next) continue; /* woken by the SIGCHLD of our own stop */
        double stop = bench_now();
        if (kill(pid, SIGSTOP) < 0) return wait4(pid, status, 0, usage);
        done = wait4(pid, status, WUNTRACED, usage);
        if (done < 0 || !WIFSTOPPED(*status)) return done; /* it ended first */
        sample_products(s, 1);
        kill(pid, SIGCONT);
        s->paused += bench_now() - stop;
        next = bench_now() + VS_DGEMM_EVERY;
    }
}

/* Runs argv once with stdout into out_fd; the wall seconds, the child's CPU
 * seconds (user + system) and its peak in KiB (its own, from wait4).
 * Returns the exit status, or -1 when it could not run. */
static int spawn(char **argv, int out_fd, double *seconds, double *cpu_seconds, long *peak_kib,
                 dgemm_samples *samples) {
    sigset_t chld, old;
    sigemptyset(&chld);
    sigemptyset(&old);
    sigaddset(&chld, SIGCHLD);
    if (samples != NULL) sigprocmask(SIG_BLOCK, &chld, &old);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0) {
        if (samples != NULL) sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    if (pid == 0) {
        if (samples != NULL) sigprocmask(SIG_SETMASK, &old, NULL);
        if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0) _exit(126);
        dup2(out_fd, STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (samples != NULL) samples->paused = 0;
    pid_t waited = wait_sampling(pid, &status, samples, &usage);
    *seconds = bench_now() - t0 - (samples != NULL ? samples->paused : 0);
    if (samples != NULL) sigprocmask(SIG_SETMASK, &old, NULL);
    if (waited < 0) return -1;
    *cpu_seconds = rusage_cpu(&usage);
    *peak_kib = usage.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The three products of W5 (bench_dgemm3) this many times just before and
 * just after each run of --vs-dgemm's command. */
#define VS_DGEMM_REPS 5

static int time_command(char **args, int nargs) {
    bool vs_dgemm = nargs >= 8 && strcmp(args[5], "--vs-dgemm") == 0;
    if (nargs < 7 || strcmp(args[vs_dgemm ? 6 : 5], "--") != 0) {
        fprintf(stderr,
                "usage: agbench --time-cmd ID NAME RUNNER ITERS RUNS [--vs-dgemm] -- CMD [ARG ...]\n");
        return 2;
    }
    const char *id = args[0], *name = args[1], *runner = args[2];
    long iters = atol(args[3]);
    int default_runs = atoi(args[4]);
    char **argv = args + (vs_dgemm ? 7 : 6);
    static dgemm_samples samples;
    if (vs_dgemm && sampler_start(&samples) < 0) return bench_fail(NULL, "dgemm sampler"), 1;
    char path[] = "/tmp/agbench-out-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || iters < 1) return 1;
    unlink(path);
    int runs = runs_override(default_runs >= 1 && default_runs <= MAX_RUNS ? default_runs : 5);
    double per_iter[MAX_RUNS], cpu_per_iter[MAX_RUNS], ratios[MAX_RUNS];
    long peak = 0, peak_min = -1;
    for (int r = 0; r < runs; r++) {
        double seconds, cpu;
        long kib;
        int first = samples.n;
        if (vs_dgemm) sample_products(&samples, VS_DGEMM_REPS);
        int status = spawn(argv, fd, &seconds, &cpu, &kib, vs_dgemm ? &samples : NULL);
        if (status != 0) {
            char line[512];
            last_line(fd, line, sizeof line);
            fprintf(stderr, "agbench: %s exited with status %d: %s\n", argv[0], status, line);
            close(fd);
            if (vs_dgemm) sampler_stop(&samples);
            return 1;
        }
        per_iter[r] = seconds / (double)iters * 1e6;
        cpu_per_iter[r] = cpu / (double)iters * 1e6;
        if (vs_dgemm) {
            sample_products(&samples, VS_DGEMM_REPS);
            double run_samples[VS_DGEMM_MAX_SAMPLES];
            int n = samples.n - first;
            memcpy(run_samples, samples.cpu + first, (size_t)n * sizeof *run_samples);
            ratios[r] = cpu_per_iter[r] / (bench_median(run_samples, n) * 1e6);
        }
        if (kib > peak) peak = kib;
        if (peak_min < 0 || kib < peak_min) peak_min = kib;
    }
    if (vs_dgemm) sampler_stop(&samples);
    char line[BENCH_VALUES], values[2 * BENCH_VALUES] = "";
    last_line(fd, line, sizeof line);
    close(fd);
    bench_value(values, "cpu_us", round(bench_median(cpu_per_iter, runs) * 100) / 100);
    bench_value(values, "peak_min_mib", round((double)peak_min / 1024.0 * 10) / 10);
    if (vs_dgemm) {
        bench_value(values, "dgemm_us", round(bench_median(samples.cpu, samples.n) * 1e6));
        bench_value(values, "dgemm_samples", samples.n);
        bench_value(values, "vs_dgemm", round(bench_median(ratios, runs) * 1000) / 1000);
    }
    size_t used = strlen(values);
    snprintf(values + used, sizeof values - used, " %s", line);
    bench_print(id, name, runner, iters, bench_median(per_iter, runs), runs, peak, values);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "--list") == 0) return list();
    if (argc == 4 && strcmp(argv[1], "--dump") == 0) return dump(argv[2], argv[3]);
    if (argc >= 2 && strcmp(argv[1], "--time-cmd") == 0) return time_command(argv + 2, argc - 2);
    if (argc >= 2 && argv[1][0] == '-') {
        fprintf(stderr, "usage: agbench [--list | --dump ID FILE | --time-cmd ... | ID ...]\n");
        return 2;
    }
    int status = 0;
    if (argc == 1) {
        const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads, bench_conv_workloads};
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
            for (const bench_workload *w = tables[t]; w->id != NULL && status == 0; w++)
                status = run_workload(w);
        return status;
    }
    for (int i = 1; i < argc && status == 0; i++) {
        const bench_workload *w = find(argv[i]);
        if (w == NULL) {
            fprintf(stderr, "agbench: no workload %s (see --list)\n", argv[i]);
            return 2;
        }
        status = run_workload(w);
    }
    return status;
}
