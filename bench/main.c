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
 *                               the largest child peak (ru_maxrss) and the
 *                               last line CMD printed
 *
 * BENCH_RUNS=N overrides every workload's number of runs. */
#include <errno.h>
#include <fcntl.h>
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
    const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads};
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
    bench_print(w->id, w->name, "C", w->iters, bench_median(per_iter, runs), runs,
                bench_peak_kib(), values);
    return 0;
}

static int list(void) {
    const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads};
    for (size_t t = 0; t < 2; t++)
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

/* Runs argv once with stdout into out_fd; the wall seconds and the largest
 * peak of any child so far in KiB (RUSAGE_CHILDREN keeps the maximum).
 * Returns the exit status, or -1 when it could not run. */
static int spawn(char **argv, int out_fd, double *seconds, long *peak_kib) {
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0) _exit(126);
        dup2(out_fd, STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (waitpid(pid, &status, 0) < 0) return -1;
    *seconds = bench_now() - t0;
    if (getrusage(RUSAGE_CHILDREN, &usage) < 0) usage.ru_maxrss = -1;
    *peak_kib = usage.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int time_command(char **args, int nargs) {
    if (nargs < 7 || strcmp(args[5], "--") != 0) {
        fprintf(stderr, "usage: agbench --time-cmd ID NAME RUNNER ITERS RUNS -- CMD [ARG ...]\n");
        return 2;
    }
    const char *id = args[0], *name = args[1], *runner = args[2];
    long iters = atol(args[3]);
    int default_runs = atoi(args[4]);
    char **argv = args + 6;
    char path[] = "/tmp/agbench-out-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || iters < 1) return 1;
    unlink(path);
    int runs = runs_override(default_runs >= 1 && default_runs <= MAX_RUNS ? default_runs : 5);
    double per_iter[MAX_RUNS];
    long peak = 0;
    for (int r = 0; r < runs; r++) {
        double seconds;
        long kib;
        int status = spawn(argv, fd, &seconds, &kib);
        if (status != 0) {
            char line[512];
            last_line(fd, line, sizeof line);
            fprintf(stderr, "agbench: %s exited with status %d: %s\n", argv[0], status, line);
            close(fd);
            return 1;
        }
        per_iter[r] = seconds / (double)iters * 1e6;
        if (kib > peak) peak = kib;
    }
    char line[BENCH_VALUES];
    last_line(fd, line, sizeof line);
    close(fd);
    bench_print(id, name, runner, iters, bench_median(per_iter, runs), runs, peak, line);
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
        const bench_workload *tables[] = {bench_scalar_workloads, bench_net_workloads};
        for (size_t t = 0; t < 2; t++)
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
