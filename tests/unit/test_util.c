/* test_util.c — the shared utility layer (src/util/): the growing string,
 * the growable array, the pointer map and whole-file atomic writes (a failed write leaves the old file, no
 * temporary file is left behind, the new file gets a normal mode). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "array.h"
#include "atomic_file.h"
#include "confined.h"
#include "ptrmap.h"
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
    /* a name from a file in a label: control characters as text_printable
     * shows them (ESC, BEL, C1 CSI as '?'); the HTML keeps a tab and a
     * newline (XML text, the inspector's lines), the printable text makes
     * them a space */
    strbuf_append_html(&t, "a\x1b[1m<b>\a\tc\xc2\x9b\n\xc3\xa9");
    strbuf_append(&t, "|");
    strbuf_append_printable(&t, "a\x1b[1m<b>\a\tc\xc2\x9b\n\xc3\xa9\x7f");
    s = strbuf_take(&t);
    assert_string_equal(s, "a?[1m&lt;b&gt;?\tc?\n\xc3\xa9|a?[1m<b>? c? \xc3\xa9?");
    free(s);
}

/* text_printable: every control character a terminal obeys becomes '?',
 * a tab or newline a space unless kept; UTF-8 letters are kept. */
static void test_text_printable_table(void **state) {
    (void)state;
    static const struct {
        const char *in;
        unsigned keep;
        const char *out;
    } cases[] = {
        {"plain text", 0, "plain text"},
        {"\033[31mred\033[0m", 0, "?[31mred?[0m"},
        {"bell\007!", 0, "bell?!"},
        {"\033]0;title\007", TEXT_KEEP_NEWLINE | TEXT_KEEP_TAB, "?]0;title?"},
        {"a\tb\nc", 0, "a b c"},
        {"a\tb\nc", TEXT_KEEP_NEWLINE, "a b\nc"},
        {"a\tb\nc", TEXT_KEEP_TAB, "a\tb c"},
        {"del\177", 0, "del?"},
        {"csi\302\23331m", 0, "csi?31m"},         /* U+009B, C1's CSI in UTF-8 */
        {"nel\302\205.", 0, "nel?."},             /* U+0085 */
        {"\302\240nbsp \303\251t\303\251", 0, "\302\240nbsp \303\251t\303\251"}, /* U+00A0, é: kept */
        {"\r\b\001\037", 0, "????"},
        {"", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buffer[64];
        snprintf(buffer, sizeof buffer, "%s", cases[i].in);
        text_printable(buffer, cases[i].keep);
        assert_string_equal(buffer, cases[i].out);
    }
    text_printable(NULL, 0); /* nothing to do */
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

/* The interrupt flag up (a REPL's Ctrl-C) while a file is written: the
 * write gives up with EINTR and the target keeps its old content, with no
 * temporary file left: write_file_atomic between its slices, a commit
 * before its rename, and a commit in place (a file with two hard links)
 * before it writes over the old content. */
static void test_atomic_write_interrupted(void **state) {
    (void)state;
    char dir[64], path[128], other[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    snprintf(other, sizeof other, "%s/other.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    size_t size = 3 << 20; /* a few of write_file_atomic's slices */
    char *big = malloc(size);
    assert_non_null(big);
    memset(big, 'n', size);
    static volatile sig_atomic_t interrupted;
    atomic_file_set_interrupt(&interrupted);
    for (int linked = 0; linked <= 1; linked++) {
        if (linked) assert_int_equal(link(path, other), 0); /* written in place from now on */
        interrupted = 1;
        errno = 0;
        assert_int_equal(write_file_atomic(path, big, size), -1);
        assert_int_equal(errno, EINTR);
        atomic_file af;
        interrupted = 0;
        assert_int_equal(atomic_file_open(&af, path), 0);
        assert_int_equal(af.in_place_fd >= 0, linked);
        fputs("new\n", af.file);
        interrupted = 1; /* Ctrl-C after the last byte, before the commit */
        errno = 0;
        assert_int_equal(atomic_file_commit(&af), -1);
        assert_int_equal(errno, EINTR);
        char *text = read_all(path);
        assert_string_equal(text, "old\n");
        free(text);
        assert_int_equal(entries(dir), 1 + linked);
    }
    /* the flag down: the same writes go through */
    interrupted = 0;
    assert_int_equal(write_file_atomic(path, "new\n", 4), 0);
    char *text = read_all(other);
    assert_string_equal(text, "new\n"); /* in place: both names see it */
    free(text);
    atomic_file_set_interrupt(NULL);
    free(big);
    unlink(other);
    unlink(path);
    rmdir(dir);
}

/* A FIFO is written without ever blocking for good: with no reader it is
 * ENXIO at once; a reader that holds it open and does not read is waited
 * on until the interrupt flag is set (EINTR); a reader that leaves is EPIPE,
 * the process alive (SIGPIPE is blocked during the write and the one it
 * raised is taken back, so none is left pending). */
static void test_atomic_write_to_a_fifo(void **state) {
    (void)state;
    char dir[64], fifo[128];
    make_dir(dir, sizeof dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    size_t size = 1 << 20; /* far more than a pipe holds */
    char *big = calloc(1, size);
    assert_non_null(big);
    errno = 0;
    assert_int_equal(write_file_atomic(fifo, "x", 1), -1);
    assert_int_equal(errno, ENXIO);
    assert_string_equal(atomic_file_strerror(fifo, ENXIO), "it is a FIFO with no reader");

    /* a reader that never reads: the flag, set before, ends the wait */
    int reader = open(fifo, O_RDWR);
    assert_true(reader >= 0);
    static volatile sig_atomic_t interrupted;
    interrupted = 1;
    atomic_file_set_interrupt(&interrupted);
    errno = 0;
    assert_int_equal(write_file_atomic(fifo, big, size), -1);
    assert_int_equal(errno, EINTR);
    atomic_file_set_interrupt(NULL);

    /* the reader leaves: a child reads a little and exits */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char buffer[4096];
        _exit(read(reader, buffer, sizeof buffer) > 0 ? 0 : 1);
    }
    close(reader);
    errno = 0;
    assert_int_equal(write_file_atomic(fifo, big, size), -1);
    assert_int_equal(errno, EPIPE);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    assert_false(sigismember(&pending, SIGPIPE));
    free(big);
    unlink(fifo);
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

/* atomic_file_folder_error says beforehand what the write would meet: its
 * folder missing, a file where a folder should be, a folder as the target;
 * nothing for a new or old file in a folder that is there. */
static void test_atomic_folder_error_as_the_write(void **state) {
    (void)state;
    char dir[64], path[128], below[160];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f.txt", dir);
    assert_int_equal(atomic_file_folder_error(path), 0);
    assert_int_equal(write_file_atomic(path, "x", 1), 0);
    assert_int_equal(atomic_file_folder_error(path), 0);
    snprintf(below, sizeof below, "%s/f.txt/g.png", dir);
    assert_int_equal(atomic_file_folder_error(below), ENOTDIR);
    errno = 0;
    assert_int_equal(write_file_atomic(below, "x", 1), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(atomic_file_folder_error("/nonexistent-agutil-dir/x.png"), ENOENT);
    assert_int_equal(atomic_file_folder_error(dir), EISDIR);
    errno = 0;
    assert_int_equal(write_file_atomic(dir, "x", 1), -1);
    assert_int_equal(errno, EISDIR);
    assert_int_equal(atomic_file_folder_error(""), ENOENT);
    assert_int_equal(atomic_file_folder_error("agutil-new-file.png"), 0); /* the current folder */
    unlink(path);
    rmdir(dir);
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

/* Writes behave as `>` would: the mode, the owner and
 * group (as root: a file of another user stays theirs), and hard links are
 * kept; no temporary file is left. */
static void test_atomic_write_keeps_mode_owner_links(void **state) {
    (void)state;
    char dir[64], path[128], other[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kept.txt", dir);
    snprintf(other, sizeof other, "%s/other-name.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(write_file_atomic(path, "new\n", 4), 0);
    struct stat st, before;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    /* a second hard link sees the new content: one inode, still two links */
    assert_int_equal(link(path, other), 0);
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(write_file_atomic(other, "newer, longer\n", 14), 0);
    char *text = read_all(path);
    assert_string_equal(text, "newer, longer\n");
    free(text);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_ino == before.st_ino);
    assert_int_equal(st.st_nlink, 2);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(write_file_atomic(other, "short\n", 6), 0); /* cut to the new length */
    text = read_all(path);
    assert_string_equal(text, "short\n");
    free(text);
    assert_int_equal(entries(dir), 2);
    unlink(other);
    if (geteuid() == 0) { /* root's write keeps another user's file theirs */
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(write_file_atomic(path, "root wrote\n", 11), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_uid, 65534);
        assert_int_equal(st.st_gid, 65534);
        assert_int_equal(st.st_mode & 07777, 0640);
    }
    unlink(path);
    rmdir(dir);
}

/* A read-only file needs the force flag (`!`); a symbolic link to nothing
 * is an error unless forced, which creates the file it names; a loop of
 * links is an error.  The reasons are said in the user's terms. */
static void test_atomic_write_read_only_and_links(void **state) {
    (void)state;
    char dir[64], path[128], link_path[128], missing[128], loop[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ro.txt", dir);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    assert_int_equal(chmod(path, 0444), 0);
    errno = 0;
    assert_int_equal(write_file_atomic(path, "new\n", 4), -1);
    assert_int_equal(errno, EACCES);
    assert_string_equal(atomic_file_strerror(path, EACCES), "the file is read-only");
    char *text = read_all(path);
    assert_string_equal(text, "old\n");
    free(text);
    atomic_file af;
    assert_int_equal(atomic_file_open_flags(&af, path, ATOMIC_FILE_FORCE), 0);
    fputs("forced\n", af.file);
    assert_int_equal(atomic_file_commit(&af), 0);
    text = read_all(path);
    assert_string_equal(text, "forced\n");
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0444);
    unlink(path);

    snprintf(link_path, sizeof link_path, "%s/link.txt", dir);
    snprintf(missing, sizeof missing, "%s/missing.txt", dir);
    assert_int_equal(symlink("missing.txt", link_path), 0);
    errno = 0;
    assert_int_equal(write_file_atomic(link_path, "x\n", 2), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(atomic_file_strerror(link_path, ENOENT),
                        "it is a symbolic link to a file that does not exist");
    assert_int_equal(entries(dir), 1);
    assert_int_equal(atomic_file_open_flags(&af, link_path, ATOMIC_FILE_FORCE), 0);
    fputs("made\n", af.file);
    assert_int_equal(atomic_file_commit(&af), 0);
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    text = read_all(missing);
    assert_string_equal(text, "made\n");
    free(text);

    snprintf(loop, sizeof loop, "%s/loop.txt", dir);
    assert_int_equal(symlink("loop.txt", loop), 0);
    errno = 0;
    assert_int_equal(write_file_atomic(loop, "x\n", 2), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(atomic_file_open_flags(&af, loop, ATOMIC_FILE_FORCE), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(entries(dir), 3);
    unlink(loop);
    unlink(missing);
    unlink(link_path);
    rmdir(dir);
}

/* What only a user who is not root meets (a child process drops to
 * nobody when the test runs as root): a writable file in a read-only
 * directory is written (in place), and a file of another owner that we may
 * write stays theirs.  Each check is an exit status of the child. */
static int as_nobody(const char *dir) {
    char path[128], theirs[128];
    snprintf(path, sizeof path, "%s/ro-dir/mine.txt", dir);
    snprintf(theirs, sizeof theirs, "%s/theirs.txt", dir);
    if (write_file_atomic(path, "new in place\n", 13) < 0) return 10;
    char *text = read_all(path);
    bool ok = text && strcmp(text, "new in place\n") == 0;
    free(text);
    if (!ok) return 11;
    struct stat st;
    if (stat(theirs, &st) < 0) return 0; /* not root: no file of another user to try */
    if (write_file_atomic(theirs, "nobody wrote\n", 13) < 0) return 12;
    struct stat after;
    if (stat(theirs, &after) < 0 || after.st_uid != st.st_uid || after.st_ino != st.st_ino) return 13;
    return 0;
}

static void test_atomic_write_without_root(void **state) {
    (void)state;
    char dir[64], sub[128], path[160], theirs[128];
    make_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/ro-dir", dir);
    snprintf(path, sizeof path, "%s/mine.txt", sub);
    snprintf(theirs, sizeof theirs, "%s/theirs.txt", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(write_file_atomic(path, "old\n", 4), 0);
    bool root = geteuid() == 0;
    if (root) {
        assert_int_equal(write_file_atomic(theirs, "root's\n", 7), 0);
        assert_int_equal(chmod(theirs, 0666), 0);
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(chmod(dir, 0777), 0);
    }
    assert_int_equal(chmod(sub, 0555), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (root && (setgid(65534) < 0 || setuid(65534) < 0)) _exit(20);
        _exit(as_nobody(dir));
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    chmod(sub, 0755);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(entries(sub), 1);
    unlink(path);
    unlink(theirs);
    rmdir(sub);
    rmdir(dir);
}

/* The pointer map (ptrmap.h): many keys, replacing, removing with probes
 * passing removed slots, clearing, and reserve making puts infallible. */
static void test_ptrmap_many_keys_remove_and_clear(void **state) {
    enum { KEYS = 5000 };
    static char items[KEYS]; /* their addresses are the keys */
    ptrmap m = {0};
    assert_int_equal(ptrmap_get(&m, &items[0]), PTRMAP_NONE);
    for (size_t i = 0; i < KEYS; i++) assert_true(ptrmap_put(&m, &items[i], i * 3));
    assert_int_equal(m.count, KEYS);
    assert_true(m.capacity >= 2 * KEYS && (m.capacity & (m.capacity - 1)) == 0);
    for (size_t i = 0; i < KEYS; i++) assert_int_equal(ptrmap_get(&m, &items[i]), i * 3);
    assert_true(ptrmap_put(&m, &items[7], 70)); /* replaces */
    assert_int_equal(ptrmap_get(&m, &items[7]), 70);
    assert_int_equal(m.count, KEYS);
    for (size_t i = 0; i < KEYS; i += 2) assert_true(ptrmap_remove(&m, &items[i]));
    assert_false(ptrmap_remove(&m, &items[0]));
    assert_int_equal(m.count, KEYS / 2);
    for (size_t i = 0; i < KEYS; i++) /* the odd ones are still found past removed slots */
        assert_int_equal(ptrmap_get(&m, &items[i]), i % 2 ? (i == 7 ? 70 : i * 3) : PTRMAP_NONE);
    size_t seen = 0;
    for (size_t i = 0; i < m.capacity; i++) seen += ptrmap_slot_used(&m, i);
    assert_int_equal(seen, KEYS / 2);
    /* removing and adding again does not grow the table without bound */
    size_t capacity = m.capacity;
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < KEYS; i += 2) {
            assert_true(ptrmap_put(&m, &items[i], round));
            assert_true(ptrmap_remove(&m, &items[i]));
        }
    assert_true(m.capacity <= 2 * capacity);
    assert_true(ptrmap_reserve(&m, 100));
    capacity = m.capacity;
    for (size_t i = 0; i < 100; i += 2) assert_true(ptrmap_put(&m, &items[i], 1));
    assert_int_equal(m.capacity, capacity); /* reserved: no growth, so no failure */
    ptrmap_clear(&m);
    assert_int_equal(m.count, 0);
    assert_int_equal(ptrmap_get(&m, &items[1]), PTRMAP_NONE);
    assert_int_equal(m.capacity, capacity);
    /* put_new (keys known absent) finds every key, past removed slots too,
     * and grows the table as put does */
    for (size_t i = 0; i < KEYS; i++) assert_true(ptrmap_put_new(&m, &items[i], i + 1));
    for (size_t i = 0; i < KEYS; i += 3) assert_true(ptrmap_remove(&m, &items[i]));
    for (size_t i = 0; i < KEYS; i += 3) assert_true(ptrmap_put_new(&m, &items[i], 2 * i));
    for (size_t i = 0; i < KEYS; i++) assert_int_equal(ptrmap_get(&m, &items[i]), i % 3 ? i + 1 : 2 * i);
    assert_int_equal(m.count, KEYS);
    assert_true(m.capacity >= 2 * KEYS);
    ptrmap_free(&m);
    assert_null(m.keys);
    assert_int_equal(ptrmap_get(&m, &items[1]), PTRMAP_NONE);
}

/* ARRAY_PUSH keeps every element while the block doubles; ARRAY_RESERVE on
 * fields of one's own struct reserves ahead, so later stores cannot fail. */
static void test_array_grows_keeping_elements(void **state) {
    (void)state;
    ARRAY(long) a = {0};
    size_t reallocs = 0, last = 0;
    for (long i = 0; i < 100000; i++) {
        assert_true(ARRAY_PUSH(a, i * 7));
        if (a.capacity != last) reallocs++, last = a.capacity;
    }
    assert_int_equal(a.count, 100000);
    assert_true(a.capacity >= a.count && a.capacity < 2 * a.count + 8);
    assert_true(reallocs <= 16); /* doubling: about log2(100000 / 8) growths */
    for (long i = 0; i < 100000; i++) assert_int_equal(a.items[i], i * 7);
    free(a.items);

    struct { char **names; size_t used, room; } s = {0};
    assert_true(ARRAY_RESERVE(s.names, s.room, s.used, 1000));
    assert_true(s.room >= 1000);
    char **block = s.names;
    for (; s.used < 1000; s.used++) s.names[s.used] = "x";
    assert_true(ARRAY_RESERVE(s.names, s.room, s.used, 0)); /* nothing more: no growth */
    assert_ptr_equal(s.names, block);
    free(s.names);
}

/* An array starting in the caller's own storage moves to the heap when it
 * outgrows it, keeping the elements, and the storage itself is left alone. */
static void test_array_from_local_storage(void **state) {
    (void)state;
    int local[4] = {1, 2, 3, 4};
    int *items = local;
    size_t capacity = 4, count = 4;
    assert_true(ARRAY_RESERVE_FROM(items, capacity, count, 0, local)); /* fits: stays */
    assert_ptr_equal(items, local);
    assert_true(ARRAY_RESERVE_FROM(items, capacity, count, 1, local));
    assert_true(items != local && capacity >= 5);
    assert_memory_equal(items, local, sizeof local);
    items[count++] = 5;
    for (int i = 6; i <= 1000; i++) {
        assert_true(ARRAY_RESERVE_FROM(items, capacity, count, 1, local));
        items[count++] = i;
    }
    for (int i = 0; i < 1000; i++) assert_int_equal(items[i], i + 1);
    assert_int_equal(local[3], 4);
    free(items);
}

/* A count or byte size that would overflow is refused with the array
 * unchanged, before any allocation. */
static void test_array_refuses_overflow(void **state) {
    (void)state;
    ARRAY(double) a = {0};
    assert_true(ARRAY_PUSH(a, 1.5));
    double *block = a.items;
    size_t capacity = a.capacity;
    assert_false(ARRAY_RESERVE(a.items, a.capacity, a.count, SIZE_MAX));     /* count + more wraps */
    assert_false(ARRAY_RESERVE(a.items, a.capacity, SIZE_MAX / 2, SIZE_MAX / 2 + 2));
    assert_false(ARRAY_RESERVE(a.items, a.capacity, a.count, SIZE_MAX / sizeof(double))); /* bytes wrap */
    assert_false(ARRAY_RESERVE(a.items, a.capacity, a.count, (size_t)PTRDIFF_MAX / 8 + 1)); /* too big an object */
    assert_false(array_reserve(&a.items, &a.capacity, 0, 1, 0));             /* no element size */
    assert_ptr_equal(a.items, block);
    assert_int_equal(a.capacity, capacity);
    assert_int_equal(a.items[0], 1.5);
    free(a.items);
}

/* When the memory is not there (a petabyte: more than any address space
 * here), reserve returns false and the array is kept whole and usable. */
static void test_array_out_of_memory_keeps_array(void **state) {
    (void)state;
    ARRAY(int) a = {0};
    for (int i = 0; i < 20; i++) assert_true(ARRAY_PUSH(a, i));
    int *block = a.items;
    size_t capacity = a.capacity;
    size_t petabyte = (size_t)1 << 50;
    assert_false(ARRAY_RESERVE(a.items, a.capacity, a.count, petabyte / sizeof(int)));
    assert_ptr_equal(a.items, block);
    assert_int_equal(a.capacity, capacity);
    assert_int_equal(a.count, 20);
    for (int i = 0; i < 20; i++) assert_int_equal(a.items[i], i);
    assert_true(ARRAY_PUSH(a, 20)); /* still usable */
    assert_int_equal(a.items[20], 20);
    free(a.items);
}

/* confined.h: links are followed while they stay below the
 * root, `..` never climbs above it, and a write confined to the root refuses
 * a link out of it (EXDEV) and never touches what it names. */
static void test_confined_walk_stays_below_its_root(void **state) {
    (void)state;
    char base[] = "/tmp/agutil-confined-XXXXXX";
    assert_non_null(mkdtemp(base));
    char root[128], path[PATH_MAX + 64], outside[160];
    snprintf(root, sizeof root, "%s/root", base);
    snprintf(outside, sizeof outside, "%s/outside.txt", base);
    assert_int_equal(mkdir(root, 0700), 0);
    snprintf(path, sizeof path, "%s/sub", root);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(write_file_atomic(outside, "outside\n", 8), 0);
    snprintf(path, sizeof path, "%s/out", root);
    assert_int_equal(symlink("../outside.txt", path), 0);
    snprintf(path, sizeof path, "%s/in", root);
    assert_int_equal(symlink("sub/../sub", path), 0); /* stays inside */
    char real[128]; /* /tmp is a real path here: mkdtemp made base below it */
    snprintf(real, sizeof real, "%s", root);
    int fd = open(real, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    int dir;
    char *name;
    struct { const char *path; int error; const char *name; } cases[] = {
        {"sub/x.txt", 0, "x.txt"},       {"in/x.txt", 0, "x.txt"},     {"sub/../x.txt", 0, "x.txt"},
        {"..", EXDEV, NULL},             {"sub/../../x", EXDEV, NULL}, {"out", 0, "out"},
        {"nodir/x.txt", ENOENT, NULL},   {"sub", 0, "sub"},            {".", 0, "."},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", real, cases[k].path);
        errno = 0;
        int rc = confined_resolve(fd, real, path, false, &dir, &name);
        if (cases[k].error) {
            if (rc != -1 || errno != cases[k].error) fail_msg("%s: rc %d errno %d", cases[k].path, rc, errno);
            continue;
        }
        if (rc != 0 || strcmp(name, cases[k].name) != 0) fail_msg("%s: rc %d %s", cases[k].path, rc, rc ? "" : name);
        close(dir);
        free(name);
    }
    snprintf(path, sizeof path, "%s/out", real);
    errno = 0;
    assert_int_equal(confined_resolve(fd, real, path, true, &dir, &name), -1); /* the link leads out */
    assert_int_equal(errno, EXDEV);
    assert_int_equal(write_file_atomic_in(fd, real, path, "in\n", 3, 0), -1);
    assert_int_equal(errno, EXDEV);
    char *text = read_all(outside);
    assert_string_equal(text, "outside\n");
    free(text);
    assert_int_equal(write_file_atomic_in(fd, real, "/etc/hostname", "x", 1, 0), -1); /* absolute, outside */
    assert_int_equal(errno, EXDEV);
    snprintf(path, sizeof path, "%s/in/new.txt", real);
    assert_int_equal(write_file_atomic_in(fd, real, path, "new\n", 4, 0), 0);
    snprintf(path, sizeof path, "%s/sub/new.txt", real);
    text = read_all(path);
    assert_string_equal(text, "new\n");
    free(text);
    close(fd);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", base);
    assert_int_equal(system(command), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_write_keeps_mode_owner_links),
        cmocka_unit_test(test_atomic_write_read_only_and_links),
        cmocka_unit_test(test_atomic_write_without_root),
        cmocka_unit_test(test_strbuf_grows_and_escapes),
        cmocka_unit_test(test_text_printable_table),
        cmocka_unit_test(test_array_grows_keeping_elements),
        cmocka_unit_test(test_array_from_local_storage),
        cmocka_unit_test(test_array_refuses_overflow),
        cmocka_unit_test(test_array_out_of_memory_keeps_array),
        cmocka_unit_test(test_ptrmap_many_keys_remove_and_clear),
        cmocka_unit_test(test_atomic_write_replaces_whole_file),
        cmocka_unit_test(test_atomic_abort_keeps_old_file),
        cmocka_unit_test(test_atomic_write_to_missing_directory_fails),
        cmocka_unit_test(test_atomic_folder_error_as_the_write),
        cmocka_unit_test(test_atomic_write_special_targets),
        cmocka_unit_test(test_atomic_write_to_a_fifo),
        cmocka_unit_test(test_atomic_write_interrupted),
        cmocka_unit_test(test_atomic_commit_reports_write_errors),
        cmocka_unit_test(test_confined_walk_stays_below_its_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
