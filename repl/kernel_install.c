/* kernel_install.c — `agrepl --install-kernel [--user] [--prefix DIR]`:
 * writes the kernelspec share/jupyter/kernels/agrepl/ (kernel.json, and the
 * logos logo-32x32.png and logo-64x64.png: from the build directory beside
 * the program, or the kernelspec make install put in PREFIX/share/jupyter). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lessons.h"

int kernel_install(bool user, const char *prefix, bool no_files, const char *files_in);

/* mkdir -p */
static int make_dirs(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb");
    if (in == NULL) return -1;
    FILE *out = fopen(to, "wb");
    if (out == NULL) {
        fclose(in);
        return -1;
    }
    char buf[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    if (ferror(in)) rc = -1;
    fclose(in);
    if (fclose(out) != 0) rc = -1;
    return rc;
}

int kernel_install(bool user, const char *prefix, bool no_files, const char *files_in) {
    char dir[PATH_MAX], program[PATH_MAX], here[PATH_MAX];
    const char *home = getenv("HOME");
    if (user) {
        const char *data = getenv("XDG_DATA_HOME");
        if (data && *data)
            snprintf(dir, sizeof dir, "%s/jupyter/kernels/agrepl", data);
        else if (home && *home)
            snprintf(dir, sizeof dir, "%s/.local/share/jupyter/kernels/agrepl", home);
        else {
            fprintf(stderr, "agrepl: --install-kernel --user: HOME is not set\n");
            return 1;
        }
    } else {
        snprintf(dir, sizeof dir, "%s/share/jupyter/kernels/agrepl", prefix ? prefix : "/usr/local");
    }
    /* the program the kernelspec starts: the agrepl that ran us (it says so
       in AGREPL_PROGRAM), else this program, which takes --kernel too */
    const char *agrepl = getenv("AGREPL_PROGRAM");
    if (agrepl && *agrepl) {
        snprintf(program, sizeof program, "%s", agrepl);
    } else {
        ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
        if (n <= 0) {
            fprintf(stderr, "agrepl: cannot tell where this program is\n");
            return 1;
        }
        program[n] = '\0';
    }
    if (make_dirs(dir) < 0) {
        fprintf(stderr, "agrepl: cannot make %s: %s\n", dir, strerror(errno));
        return 1;
    }
    json_t *argv = json_pack("[s, s, s]", program, "--kernel", "{connection_file}");
    if (no_files) json_array_append_new(argv, json_string("--no-files"));
    if (files_in) { /* kept as given: "~" is each user's own home when the kernel starts */
        json_array_append_new(argv, json_string("--files-in"));
        json_array_append_new(argv, json_string(files_in));
    }
    json_t *spec = json_pack("{s:o, s:s, s:s, s:s, s:{}}", "argv", argv, "display_name", "agrepl",
                             "language", "agrepl", "interrupt_mode", "signal", "metadata");
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/kernel.json", dir);
    if (spec == NULL || json_dump_file(spec, path, JSON_INDENT(1)) != 0) {
        fprintf(stderr, "agrepl: cannot write %s: %s\n", path, strerror(errno));
        json_decref(spec);
        return 1;
    }
    json_decref(spec);
    /* the logos: next to the program (build/), or make install's kernelspec */
    const char *names[] = {"logo-32x32.png", "logo-64x64.png"};
    bool known = repl_program_dir(here, sizeof here);
    for (int i = 0; i < 2; i++) {
        char from[2][PATH_MAX + 64], to[PATH_MAX + 64];
        snprintf(from[0], sizeof from[0], "%s/%s", known ? here : ".", names[i]);
        snprintf(from[1], sizeof from[1], "%s/../../share/jupyter/kernels/agrepl/%s", known ? here : ".",
                 names[i]);
        snprintf(to, sizeof to, "%s/%s", dir, names[i]);
        if (copy_file(from[0], to) < 0 && copy_file(from[1], to) < 0)
            fprintf(stderr, "agrepl: note: no %s found next to %s; the kernelspec has no logo\n", names[i],
                    known ? here : "this program");
    }
    printf("installed the Jupyter kernelspec 'agrepl' in %s\n", dir);
    return 0;
}
