/* web_lesson.c — `agrepl --web-lesson FILE.ag OUT/` (web_lesson.h): a copy
 * of the built web page (make web) whose index.html runs FILE.ag when it
 * opens, the handout a teacher puts on any static host. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "web_lesson.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons.h"
#include "strbuf.h"

/* Set by the Makefile from PREFIX: where `make install` puts the page. */
#ifndef AGREPL_WEB_DIR
#define AGREPL_WEB_DIR "/usr/local/share/agrepl/web"
#endif

#define PATH_MAX_LEN 4096
#define START_ELEMENT "<script type=\"text/x-agrepl\" id=\"agrepl-start\"></script>"
#define PAGE_TITLE "<title>agrepl — autodiff in the browser</title>"

static void strbuf_free(strbuf *t) {
    free(t->data);
    *t = (strbuf){0};
}

/* The whole file into out (NUL-terminated); false with errno. */
static bool read_all(const char *path, strbuf *out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return false;
    char buf[65536];
    size_t got;
    strbuf_append(out, "");
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) strbuf_append_n(out, buf, got);
    bool ok = !ferror(f);
    int e = errno;
    fclose(f);
    errno = e;
    return ok && out->data != NULL && !out->failed;
}

static bool write_all(const char *path, const char *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) return false;
    bool ok = fwrite(data, 1, size, f) == size;
    int e = errno;
    if (fclose(f) != 0 && ok) return false;
    errno = e;
    return ok;
}

static bool is_page(const char *dir) {
    char path[PATH_MAX_LEN + 32];
    struct stat st;
    snprintf(path, sizeof path, "%s/index.html", dir);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    snprintf(path, sizeof path, "%s/agrepl.js", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *web_page_dirs(char *buf, size_t n) {
    char exe[PATH_MAX_LEN];
    const char *env = getenv("AGREPL_WEB");
    if (env != NULL && *env != '\0') { /* only it is looked in */
        snprintf(buf, n, "%s ($AGREPL_WEB)", env);
        return buf;
    }
    if (repl_program_dir(exe, sizeof exe))
        snprintf(buf, n, "%s/web, %s/../share/agrepl/web, %s", exe, exe, AGREPL_WEB_DIR);
    else
        snprintf(buf, n, "%s", AGREPL_WEB_DIR);
    return buf;
}

int web_page_find(char *dir, size_t n) {
    const char *env = getenv("AGREPL_WEB");
    if (env != NULL && *env != '\0') {
        snprintf(dir, n, "%s", env);
        return is_page(dir) ? 0 : -1; /* said so: no other is taken */
    }
    char exe[PATH_MAX_LEN];
    if (repl_program_dir(exe, sizeof exe)) {
        int len = snprintf(dir, n, "%s/web", exe); /* build/agrepl beside build/web */
        if (len > 0 && (size_t)len < n && is_page(dir)) return 0;
        len = snprintf(dir, n, "%s/../share/agrepl/web", exe); /* PREFIX/bin beside PREFIX/share */
        if (len > 0 && (size_t)len < n && is_page(dir)) return 0;
    }
    snprintf(dir, n, "%s", AGREPL_WEB_DIR);
    return is_page(dir) ? 0 : -1;
}

/* Copies the regular files and folders of from into to (made when missing),
 * but the build's lessons.stamp; false with a message in err. */
static bool copy_tree(const char *from, const char *to, FILE *err) {
    if (mkdir(to, 0755) != 0 && errno != EEXIST) {
        fprintf(err, "agrepl: --web-lesson: cannot make %s: %s\n", to, strerror(errno));
        return false;
    }
    DIR *d = opendir(from);
    if (d == NULL) {
        fprintf(err, "agrepl: --web-lesson: cannot read %s: %s\n", from, strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "lessons.stamp") == 0) continue;
        char src[PATH_MAX_LEN], dst[PATH_MAX_LEN];
        if ((size_t)snprintf(src, sizeof src, "%s/%s", from, e->d_name) >= sizeof src ||
            (size_t)snprintf(dst, sizeof dst, "%s/%s", to, e->d_name) >= sizeof dst) {
            fprintf(err, "agrepl: --web-lesson: a path under %s is too long\n", to);
            ok = false;
            break;
        }
        struct stat st;
        if (stat(src, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            ok = copy_tree(src, dst, err);
        } else if (S_ISREG(st.st_mode)) {
            strbuf data = {0};
            if (!read_all(src, &data)) {
                fprintf(err, "agrepl: --web-lesson: cannot read %s: %s\n", src, strerror(errno));
                ok = false;
            } else if (!write_all(dst, data.data, data.length)) {
                fprintf(err, "agrepl: --web-lesson: cannot write %s: %s\n", dst, strerror(errno));
                ok = false;
            }
            strbuf_free(&data);
        }
    }
    closedir(d);
    return ok;
}

/* Whether out (which need not exist yet, but its parent must) is dir or a
 * folder inside it: copying dir there would copy the copy again, without
 * end.  false when either cannot be resolved (the copy then says why). */
static bool inside(const char *out, const char *dir) {
    char real_dir[PATH_MAX], real_out[PATH_MAX], parent[PATH_MAX_LEN];
    if (realpath(dir, real_dir) == NULL) return false;
    if (realpath(out, real_out) == NULL) {
        /* not made yet: its parent, resolved, and its last name */
        size_t n = strlen(out);
        while (n > 1 && out[n - 1] == '/') n--;
        size_t cut = n;
        while (cut > 0 && out[cut - 1] != '/') cut--;
        if ((size_t)snprintf(parent, sizeof parent, "%.*s", (int)cut, out) >= sizeof parent)
            return false;
        if (realpath(cut > 0 ? parent : ".", real_out) == NULL) return false;
        size_t len = strlen(real_out);
        if (len + 1 + (n - cut) >= sizeof real_out) return false;
        if (len > 1) real_out[len++] = '/';
        memcpy(real_out + len, out + cut, n - cut);
        real_out[len + (n - cut)] = '\0';
    }
    size_t len = strlen(real_dir);
    return strncmp(real_out, real_dir, len) == 0 && (real_out[len] == '\0' || real_out[len] == '/');
}

/* text with &, <, > and " as entities, into out */
static void escaped(strbuf *out, const char *text, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '&') strbuf_append(out, "&amp;");
        else if (c == '<') strbuf_append(out, "&lt;");
        else if (c == '>') strbuf_append(out, "&gt;");
        else if (c == '"') strbuf_append(out, "&quot;");
        else if ((unsigned char)c >= 0x20) strbuf_append_n(out, &c, 1);
    }
}

int web_lesson_write(const char *script, const char *out, FILE *err) {
    char page_dir[PATH_MAX_LEN], dirs[4 * PATH_MAX_LEN];
    if (web_page_find(page_dir, sizeof page_dir) < 0) {
        fprintf(err, "agrepl: --web-lesson: no built web page (index.html and agrepl.js) in %s: "
                     "`make web` builds it, `make install` installs it\n",
                web_page_dirs(dirs, sizeof dirs));
        return 1;
    }
    strbuf lesson = {0}, page = {0}, made = {0};
    int status = 1;
    if (!read_all(script, &lesson)) {
        fprintf(err, "agrepl: --web-lesson: cannot read %s: %s\n", script, strerror(errno));
        goto done;
    }
    if (strlen(lesson.data) != lesson.length) {
        fprintf(err, "agrepl: --web-lesson: %s is not a text file (it has a NUL byte)\n", script);
        goto done;
    }
    for (const char *p = lesson.data; (p = strchr(p, '<')) != NULL; p++)
        if (strncasecmp(p, "</script", 8) == 0) {
            fprintf(err, "agrepl: --web-lesson: %s contains '</script', which would end the page's script element\n",
                    script);
            goto done;
        }
    char index[PATH_MAX_LEN + 16];
    snprintf(index, sizeof index, "%s/index.html", page_dir);
    if (!read_all(index, &page)) {
        fprintf(err, "agrepl: --web-lesson: cannot read %s: %s\n", index, strerror(errno));
        goto done;
    }
    char *at = strstr(page.data, START_ELEMENT);
    if (at == NULL) {
        fprintf(err, "agrepl: --web-lesson: %s has no start script element (%s)\n", index, START_ELEMENT);
        goto done;
    }
    struct stat st;
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(err, "agrepl: --web-lesson: %s is not a directory\n", out);
        goto done;
    }
    if (inside(out, page_dir)) {
        fprintf(err, "agrepl: --web-lesson: %s is the built page %s or a folder inside it, so the page would be "
                     "copied into itself: name a folder outside it\n",
                out, page_dir);
        goto done;
    }
    if (!copy_tree(page_dir, out, err)) goto done;
    /* the page with the lesson in its start element, titled by its first line */
    size_t head = (size_t)(at - page.data) + strlen(START_ELEMENT) - strlen("</script>");
    char *title_at = strstr(page.data, PAGE_TITLE);
    strbuf_append(&made, "");
    if (title_at != NULL && title_at < at) {
        const char *first = lesson.data, *end = strchr(first, '\n');
        if (end == NULL) end = first + strlen(first);
        while (first < end && (*first == '#' || *first == ' ')) first++;
        strbuf_append_n(&made, page.data, (size_t)(title_at - page.data));
        strbuf_append(&made, "<title>agrepl — ");
        escaped(&made, first, (size_t)(end - first));
        strbuf_append(&made, "</title>");
        strbuf_append_n(&made, title_at + strlen(PAGE_TITLE), head - (size_t)(title_at + strlen(PAGE_TITLE) - page.data));
    } else {
        strbuf_append_n(&made, page.data, head);
    }
    strbuf_append(&made, "\n");
    strbuf_append(&made, lesson.data);
    strbuf_append(&made, page.data + head);
    if (made.data == NULL || made.failed) {
        fprintf(err, "agrepl: --web-lesson: out of memory\n");
        goto done;
    }
    snprintf(index, sizeof index, "%s/index.html", out);
    if (!write_all(index, made.data, made.length)) {
        fprintf(err, "agrepl: --web-lesson: cannot write %s: %s\n", index, strerror(errno));
        goto done;
    }
    printf("wrote %s/index.html (the page from %s): opens with %s loaded\n", out, page_dir, script);
    status = 0;
done:
    strbuf_free(&lesson);
    strbuf_free(&page);
    strbuf_free(&made);
    return status;
}
