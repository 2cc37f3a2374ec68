/* test_util.c — the shared utility layer (src/util/): the growing string and
 * whole-file atomic writes (a failed write leaves the old file, no
 * temporary file is left behind, the new file gets a normal mode). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "atomic_file.h"
#include "strbuf.h"

/* A fresh directory under /tmp; the caller removes it. */
static void make_dir(char *path, size_t n) {
    snprintf(path, n, "/tmp/agutil-test-XXXXXX");
    assert_non_null(mkdtemp(path));
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *text = calloc(1, 4096);
    size_t n = fread(text, 1, 4095, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* Entries of dir besides . and .. */
static int entries(const char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static void test_strbuf_grows_and_escapes(void **state) {
    (void)state;
    strbuf t = {0};
    for (int i = 0; i < 1000; i++) strbuf_appendf(&t, "%d,", i % 10);
    strbuf_append_quoted(&t, "a\"b\n");
    strbuf_append_html(&t, "<&>");
    char *s = strbuf_take(&t);
    assert_non_null(s);
    assert_int_equal(strlen(s), 2000 + 8 + 13);
    assert_string_equal(s + 2000, "\"a\\\"b\\n\"&lt;&amp;&gt;");
    assert_null(t.data);
    free(s);
}

static void test_atomic_write_replaces_whole_file(void **state) {
    (void)state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    assert_int_equal(write_file_atomic(path, "first\n", 6), 0);
    char *text = read_all(path);
    assert_string_equal(text, "first\n");
    free(text);
    assert_int_equal(write_file_atomic(path, "second, longer\n", 15), 0);
    text = read_all(path);
    assert_string_equal(text, "second, longer\n");
    free(text);
    assert_int_equal(entries(dir), 1); /* no temporary file left */
    /* a plain fopen's mode (0666 less the umask), not mkstemp's 0600 */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    unlink(path);
    rmdir(dir);
}

static void test_atomic_abort_keeps_old_file(void **state) {
    (void)state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    atomic_file af;
    assert_int_equal(atomic_file_open(&af, path), 0);
    fputs("half of the new", af.file);
    atomic_file_abort(&af);
    char *text = read_all(path);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(entries(dir), 1);
    unlink(path);
    rmdir(dir);
}

/* Targets that are not plain files: a device is written directly (never
 * renamed over: /dev/full reports ENOSPC and stays a device), a directory
 * is refused, and a symbolic link keeps pointing at the file it names. */
static void test_atomic_write_special_targets(void **state) {
    (void)state;
    errno = 0;
    assert_int_equal(write_file_atomic("/dev/full", "x\n", 2), -1);
    assert_int_equal(errno, ENOSPC);
    struct stat st;
    assert_int_equal(stat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(write_file_atomic("/dev/null", "x\n", 2), 0);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    char dir[64], path[128], link[128];
    make_dir(dir, sizeof dir);
    errno = 0;
    assert_int_equal(write_file_atomic(dir, "x", 1), -1);
    assert_int_equal(errno, EISDIR);
    snprintf(path, sizeof path, "%s/real.txt", dir);
    snprintf(link, sizeof link, "%s/link.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    assert_int_equal(symlink("real.txt", link), 0);
    assert_int_equal(write_file_atomic(link, "new\n", 4), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *text = read_all(path);
    assert_string_equal(text, "new\n");
    free(text);
    assert_int_equal(entries(dir), 2);
    unlink(link);
    unlink(path);
    rmdir(dir);
}

static void test_atomic_write_to_missing_directory_fails(void **state) {
    (void)state;
    errno = 0;
    assert_int_equal(write_file_atomic("/nonexistent-agutil-dir/x.txt", "x", 1), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(write_file_atomic("", "x", 1), -1);
}

/* A write that fails at flush (the disk is full) must leave the old file:
 * the stream is swapped for one on /dev/full, whose writes fail with
 * ENOSPC; the commit must report that, remove the temporary file and not
 * rename anything. */
static void test_atomic_commit_reports_write_errors(void **state) {
    (void)state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/full.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    atomic_file af;
    assert_int_equal(atomic_file_open(&af, path), 0);
    /* swap the stream for one on /dev/full: its flush fails with ENOSPC */
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL) { /* no /dev/full here: nothing to test */
        atomic_file_abort(&af);
    } else {
        fclose(af.file);
        af.file = full;
        fputs("new content", af.file);
        errno = 0;
        assert_int_equal(atomic_file_commit(&af), -1);
        assert_int_equal(errno, ENOSPC);
    }
    char *text = read_all(path);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(entries(dir), 1);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf_grows_and_escapes),
        cmocka_unit_test(test_atomic_write_replaces_whole_file),
        cmocka_unit_test(test_atomic_abort_keeps_old_file),
        cmocka_unit_test(test_atomic_write_to_missing_directory_fails),
        cmocka_unit_test(test_atomic_write_special_targets),
        cmocka_unit_test(test_atomic_commit_reports_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
