/* web_lesson.h — `agrepl --web-lesson FILE.ag OUT/`: a lesson page, the
 * built web page (make web) copied to OUT with FILE.ag in its start script
 * element, so the page runs it when it opens. */
#ifndef REPL_WEB_LESSON_H
#define REPL_WEB_LESSON_H

#include <stddef.h>
#include <stdio.h>

/* The built page's folder (one with index.html and agrepl.js) into dir, from
 * the first of: $AGREPL_WEB (when set, only it); web/ beside the running
 * program (build/agrepl beside build/web); ../share/agrepl/web beside it
 * (PREFIX/bin); the installed PREFIX/share/agrepl/web.  0, or -1. */
int web_page_find(char *dir, size_t n);

/* Those places, for messages: "A, B, C" into buf; returns buf. */
const char *web_page_dirs(char *buf, size_t n);

/* Writes the lesson page of script into the folder out (made when missing;
 * files already there are overwritten), saying so on stdout.  0, or 1 with
 * the reason on err (no built page, an unreadable script, one containing
 * "</script", out a file, a failed write). */
int web_lesson_write(const char *script, const char *out, FILE *err);

#endif
