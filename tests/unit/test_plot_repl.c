/* test_plot_repl.c — plots through the REPL as a user drives them: unnamed
 * series take their argument's source text (checked in the saved SVG's
 * <desc>), and pace() holds loops to N frames a second (measured), with
 * Ctrl-C still stopping a paced loop at once, where plots are drawn (a
 * front end's display stands in for a window), and has no effect where
 * nothing is drawn (headless, --no-files).  The timings are compared with
 * the pace's own interval and with the same loop's drawing measured in the
 * same run, the kernel's run-queue time taken out (what a loaded machine
 * adds), never with a fixed number of seconds. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>

#include "repl_test_util.h"

/* A front end's display that takes the pictures and shows nothing: plots
 * are drawn for it, so pace() applies. */
static void ignore_pictures(void *user, const repl_display *d) {
    (void)user;
    (void)d;
}

static void session_open_drawn(session *s) {
    session_open(s);
    repl_set_display(s->r, ignore_pictures, NULL);
}

static int run(session *s, const char *source) {
    return repl_run(s->r, source, "<test>", 1);
}

static double now_seconds(void) { return monotonic_seconds(); }

/* How many times this thread has given up the processor of its own accord
 * (a sleep, a blocking read): a loop that never waits makes none, however
 * loaded the machine is. */
static long voluntary_switches(void) {
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw;
}

/* The <desc> of an SVG savefig wrote, in buf. */
static void svg_desc(const char *path, char *buf, size_t size) {
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char text[4096];
    size_t got = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[got] = '\0';
    const char *start = strstr(text, "<desc>"), *end = strstr(text, "</desc>");
    assert_true(start != NULL && end != NULL && end > start);
    start += 6;
    snprintf(buf, size, "%.*s", (int)(end - start), start);
}

static void test_series_take_their_source_text(void **state) {
    session s;
    session_open(&s);
    char directory[] = "/tmp/test_plot_repl_XXXXXX", path[64], command[512], desc[1024];
    assert_non_null(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/names.svg", directory);
    snprintf(command, sizeof command,
             "loss = 2.0; n = 4\n"
             "for i in range(3) { plot(i); plot(loss / n); plot(loss, \"named\") }\n"
             "plot(7)\n"
             "xs = linspace(0, 1, 5)\n"
             "plot(xs, sin(xs))\n"
             "x0 = 1.0; x1 = 2.0\n"
             "track(x0, x1)\n"
             "track(x0 * 2,\n  x1)\n"
             "mark(0, 0, \"min\")\n"
             "savefig(\"%s\")\n",
             path);
    assert_int_equal(run(&s, command), REPL_OK);
    svg_desc(path, desc, sizeof desc);
    assert_string_equal(desc, "series: i, loss / n, named, value, sin(xs); paths: x0, x1, "
                              "x0 * 2, x1; marks: min");
    unlink(path);
    rmdir(directory);
    session_close(&s);
}

/* A lesson run by name starts on a figure of its own, as it would in a new
 * session: the last lesson's "loss" curve, panels and title do not go on
 * under it (":load moons" then ":load spiral" in class), nor by its file's
 * path (the file :load NAME runs).  Any other file :load runs by its path,
 * a copy of a lesson too, is the user's own script and plots on what is
 * there. */
static void test_a_lesson_by_name_starts_a_fresh_figure(void **state) {
    session s;
    session_open(&s);
    char directory[] = "/tmp/test_plot_repl_XXXXXX", lesson[96], path[96], command[512], desc[1024];
    char own_directory[128], own[160];
    assert_non_null(mkdtemp(directory));
    snprintf(lesson, sizeof lesson, "%s/tiny.ag", directory);
    FILE *file = fopen(lesson, "w");
    assert_non_null(file);
    fputs("# A tiny lesson: one point of a loss.\nplot(2.0, \"loss\")\n", file);
    fclose(file);
    setenv("AGREPL_LESSONS", directory, 1);
    snprintf(path, sizeof path, "%s/figure.svg", directory);

    snprintf(command, sizeof command,
             "title(\"the last lesson\"); plot(5.0, \"loss\"); plot(1.0, \"before\")\n"
             ":load tiny\n"
             "savefig(\"%s\")\n", path);
    assert_int_equal(run(&s, command), REPL_OK);
    svg_desc(path, desc, sizeof desc);
    assert_string_equal(desc, "series: loss");
    FILE *svg = fopen(path, "r");
    char text[1 << 14];
    size_t got = fread(text, 1, sizeof text - 1, svg);
    fclose(svg);
    text[got] = '\0';
    assert_null(strstr(text, "<title>the last lesson</title>"));

    snprintf(command, sizeof command, "plot(3.0, \"after\")\n:load %s\nsavefig(\"%s\")\n", lesson, path);
    assert_int_equal(run(&s, command), REPL_OK);
    svg_desc(path, desc, sizeof desc);
    assert_string_equal(desc, "series: loss"); /* the lesson by its path: as by its name */

    snprintf(own_directory, sizeof own_directory, "%s/own", directory);
    assert_int_equal(mkdir(own_directory, 0700), 0);
    snprintf(own, sizeof own, "%s/tiny.ag", own_directory);
    file = fopen(own, "w");
    assert_non_null(file);
    fputs("# A tiny lesson: one point of a loss.\nplot(2.0, \"loss\")\n", file);
    fclose(file);
    snprintf(command, sizeof command, "plot(3.0, \"after\")\n:load %s\nsavefig(\"%s\")\n", own, path);
    assert_int_equal(run(&s, command), REPL_OK);
    svg_desc(path, desc, sizeof desc);
    assert_string_equal(desc, "series: loss, after"); /* a copy by its path: nothing cleared */

    unsetenv("AGREPL_LESSONS");
    unlink(own);
    rmdir(own_directory);
    unlink(lesson);
    unlink(path);
    rmdir(directory);
    session_close(&s);
}

/* Width and height from a PNG file's IHDR. */
static void png_size(const char *path, unsigned *width, unsigned *height) {
    unsigned char header[24];
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    assert_int_equal(fread(header, 1, sizeof header, file), sizeof header);
    fclose(file);
    assert_memory_equal(header + 12, "IHDR", 4);
    *width = (unsigned)header[16] << 24 | (unsigned)header[17] << 16 | (unsigned)header[18] << 8 | header[19];
    *height = (unsigned)header[20] << 24 | (unsigned)header[21] << 16 | (unsigned)header[22] << 8 | header[23];
}

/* Rows of a PNG with a dark pixel between columns x0 and x1: in a plot's
 * left strip, the height of the ink of its y axis's title and tick labels. */
static int dark_rows(const char *path, int x0, int x1) {
    cairo_surface_t *image = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
    const unsigned char *data = cairo_image_surface_get_data(image);
    int stride = cairo_image_surface_get_stride(image), rows = 0;
    for (int y = 0; y < cairo_image_surface_get_height(image); y++) {
        bool dark = false;
        for (int x = x0; x < x1 && !dark; x++) {
            uint32_t p = *(const uint32_t *)(data + y * stride + 4 * x);
            dark = ((p >> 16 & 255) + (p >> 8 & 255) + (p & 255)) < 3 * 128;
        }
        rows += dark;
    }
    cairo_surface_destroy(image);
    return rows;
}

/* A graph SVG's width and height (pt) and its text's size on the page: the
 * font-size of its first node text times the scale of the drawing. */
static void svg_text(const char *path, double *width, double *height, double *text) {
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    static char svg[1 << 16];
    size_t length = fread(svg, 1, sizeof svg - 1, file);
    fclose(file);
    svg[length] = '\0';
    const char *at = strstr(svg, "<svg width=\"");
    assert_non_null(at);
    assert_int_equal(sscanf(at, "<svg width=\"%lfpt\" height=\"%lfpt\"", width, height), 2);
    double scale;
    assert_non_null(at = strstr(svg, "transform=\"scale("));
    assert_int_equal(sscanf(at, "transform=\"scale(%lf", &scale), 1);
    double size;
    assert_non_null(at = strstr(svg, "<title>v0</title>")); /* the output's node */
    assert_non_null(at = strstr(at, "font-size=\""));
    assert_int_equal(sscanf(at, "font-size=\"%lf", &size), 1);
    *text = size * scale;
}

/* :zoom in saved figures makes text and lines bigger.  A plot's PNG is
 * zoom times larger (900 px wide at 1, 1350 at 1.5), its text zoom times
 * bigger.  A graph's
 * text is zoom times bigger (the SVG's font size on the page); its boxes,
 * as wide as their text, may need more room than the zoom-1 size: then the
 * picture grows (the SVG in step with the PNG) and a note says so. */
static void test_zoom_enlarges_text_in_saved_plots_and_graphs(void **state) {
    session s;
    session_open(&s);
    char directory[] = "/tmp/test_plot_repl_XXXXXX", command[1024], path[96];
    assert_non_null(mkdtemp(directory));
    unsigned widths[2][2], heights[2][2];
    double svg_width[2], svg_height[2], svg_font[2];
    int plot_text[2];
    for (int k = 0; k < 2; k++) {
        snprintf(command, sizeof command,
                 ":zoom %s\n:digits 4\nx = 0.5; y = sin(x) * x; y.backward()\nclearplot(); plot(y)\n"
                 "render(y, \"%s/graph%d.png\")\nrender(y, \"%s/graph%d.svg\")\nsavefig(\"%s/plot%d.png\")\n",
                 k == 0 ? "1" : "1.5", directory, k, directory, k, directory, k);
        assert_int_equal(run(&s, command), REPL_OK);
        snprintf(path, sizeof path, "%s/graph%d.png", directory, k);
        png_size(path, &widths[0][k], &heights[0][k]);
        unlink(path);
        snprintf(path, sizeof path, "%s/graph%d.svg", directory, k);
        svg_text(path, &svg_width[k], &svg_height[k], &svg_font[k]);
        unlink(path);
        snprintf(path, sizeof path, "%s/plot%d.png", directory, k);
        png_size(path, &widths[1][k], &heights[1][k]);
        plot_text[k] = dark_rows(path, 0, 40); /* the y axis's tick labels */
        unlink(path);
    }
    rmdir(directory);
    assert_int_equal(widths[1][0], 900);
    assert_int_equal(widths[1][1], 1350);
    assert_int_equal(heights[1][1], heights[1][0] * 3 / 2);
    for (int k = 0; k < 2; k++) { /* the SVG in points is the PNG at 96 px an inch */
        assert_true(fabs(svg_width[k] * 96 / 72 - widths[0][k]) <= 2);
        assert_true(fabs(svg_height[k] * 96 / 72 - heights[0][k]) <= 2);
    }
    double grew = svg_font[1] / svg_font[0];
    if (!(grew >= 1.45 && grew <= 1.55))
        fail_msg("graph text %.2f pt at zoom 1, %.2f pt at 1.5", svg_font[0], svg_font[1]);
    fflush(s.err);
    bool bigger = widths[0][1] > widths[0][0] + 2 || heights[0][1] > heights[0][0] + 2;
    const char *note = "note: at :zoom 1.5 the graph's text is 1.5 times as big and needs ";
    if (bigger != (s.err_text != NULL && strstr(s.err_text, note) != NULL))
        fail_msg("graph %ux%u at zoom 1, %ux%u at 1.5; messages: %s", widths[0][0], heights[0][0], widths[0][1],
                 heights[0][1], s.err_text ? s.err_text : "");
    if (!(plot_text[1] > 1.3 * plot_text[0]))
        fail_msg("plot tick labels %d rows of ink at zoom 1, %d at 1.5", plot_text[0], plot_text[1]);
    session_close(&s);
}

/* Where a run's time went, in seconds: on the clock (wall), on a processor
 * in this thread (cpu) and in the children that drew its pictures
 * (drawing: a plot is drawn in a child process), and waiting for a
 * processor while ready to run (queued: the kernel's run-queue delay, what
 * a loaded machine adds to this thread). */
typedef struct run_time {
    double wall, cpu, drawing, queued;
} run_time;

/* This thread's CPU and run-queue seconds (/proc/thread-self/schedstat:
 * nanoseconds on a processor, nanoseconds waiting on a run queue, time
 * slices); false where the kernel does not keep them. */
static bool thread_schedstat(double *cpu, double *queued) {
    FILE *file = fopen("/proc/thread-self/schedstat", "r");
    if (file == NULL) return false;
    unsigned long long on_cpu, waiting;
    bool read = fscanf(file, "%llu %llu", &on_cpu, &waiting) == 2;
    fclose(file);
    *cpu = (double)on_cpu / 1e9;
    *queued = (double)waiting / 1e9;
    return read;
}

static double children_cpu_seconds(void) { return process_and_children_cpu_seconds() - process_cpu_seconds(); }

/* The time `loop` takes after pace(fps) (1000: every frame drawn, none
 * waits).  Where schedstat is not kept, cpu is the thread's CPU time from
 * the clock and queued 0. */
static run_time time_paced(session *s, double fps, const char *loop) {
    char command[64];
    snprintf(command, sizeof command, "pace(%g)", fps);
    assert_int_equal(run(s, command), REPL_OK);
    double cpu0 = 0, queued0 = 0, cpu1 = 0, queued1 = 0;
    bool kept = thread_schedstat(&cpu0, &queued0);
    if (!kept) cpu0 = thread_cpu_seconds();
    double children = children_cpu_seconds(), start = now_seconds();
    assert_int_equal(run(s, loop), REPL_OK);
    double wall = now_seconds() - start;
    children = children_cpu_seconds() - children;
    if (kept) thread_schedstat(&cpu1, &queued1);
    else cpu1 = thread_cpu_seconds();
    return (run_time){.wall = wall, .cpu = cpu1 - cpu0, .drawing = children, .queued = queued1 - queued0};
}

/* A frame's work, loop and drawing (as this thread sees it: what it waits
 * for the child that draws included): measured at pace(1000), where no
 * frame waits, as wall less run queue; for a paced run, where frames wait,
 * its CPU times only (this thread's and the drawing children's). */
static double drawn_frame(run_time t, int frames) { return (t.wall - t.queued) / frames; }
static double paced_frame(run_time t, int frames) { return (t.cpu + t.drawing) / frames; }

/* `loop` makes `frames` frames of 1/fps s: `scheduled` = frames - 1 waits.
 * Each frame lasts 1/fps s with its drawing in it, or its work when that
 * takes longer; the last frame's work comes after the last wait.  So,
 * paced,
 *   1. the loop is never faster than the schedule: wall >= 0.97 scheduled
 *      (no load makes it faster);
 *   2. apart from its time on the run queue it takes the schedule and one
 *      frame's work: wall - queued <= scheduled + twice the largest frame
 *      work measured (drawn_frame before and after the paced runs, the paced
 *      runs' CPU a frame) + 2 ms a frame.  A load lengthens a frame's work by
 *      this thread's run-queue time, which is taken out, and by the drawing
 *      child's, which the next wait absorbs (frames are timed from the
 *      schedule, not from the last one's end), and the allowance covers in
 *      the last frame.  A pace that waited 1/fps after each frame's drawing would
 *      take the schedule plus every frame's work; one that waited longer, or
 *      timed the frames from the wrong instant, more.
 * The paced loop runs twice and the smaller wall - queued is checked (both
 * runs are checked against 1): a broken pace fails both, one unlucky
 * stretch (the last frame's drawing child long on the run queue beside a
 * heavy, uneven load) does not decide.  Every number compared is in the
 * message, the drawing's time before and after the paced runs included,
 * so a failure shows whether the drawing or the loop got slower.  Where
 * the kernel keeps no schedstat, queued is 0 and 2 holds on an idle
 * machine only. */
static void check_pace(session *s, double fps, const char *loop, int frames) {
    run_time before = time_paced(s, 1000, loop);
    run_time paced[2] = {time_paced(s, fps, loop), time_paced(s, fps, loop)};
    run_time after = time_paced(s, 1000, loop);
    double scheduled = (frames - 1) / fps;
    double work = fmax(fmax(drawn_frame(before, frames), drawn_frame(after, frames)),
                       fmax(paced_frame(paced[0], frames), paced_frame(paced[1], frames)));
    double never_faster = 0.97 * scheduled, at_most = scheduled + 2 * work + 0.002 * frames;
    int best = paced[1].wall - paced[1].queued < paced[0].wall - paced[0].queued;
    char numbers[2048];
    int length = snprintf(numbers, sizeof numbers,
                          "pace(%g), %d frames: scheduled %.4f s; checked: wall >= %.4f in both paced runs, "
                          "wall - queued = %.4f (run %d) <= %.4f (frame work %.4f);",
                          fps, frames, scheduled, never_faster, paced[best].wall - paced[best].queued, best + 1,
                          at_most, work);
    const char *names[] = {"drawn at pace(1000) before", "paced run 1", "paced run 2", "drawn at pace(1000) after"};
    const run_time *runs[] = {&before, &paced[0], &paced[1], &after};
    for (int k = 0; k < 4 && length > 0 && length < (int)sizeof numbers; k++)
        length += snprintf(numbers + length, sizeof numbers - (size_t)length,
                           " %s: wall %.4f, cpu %.4f, drawing %.4f, queued %.4f, frame work %.4f;", names[k],
                           runs[k]->wall, runs[k]->cpu, runs[k]->drawing, runs[k]->queued,
                           k == 1 || k == 2 ? paced_frame(*runs[k], frames) : drawn_frame(*runs[k], frames));
    const char *log = getenv("TEST_BOUNDS_LOG"); /* as check_below_at's: every run's numbers, passed or not */
    FILE *out = log != NULL && *log ? fopen(log, "a") : NULL;
    if (out != NULL) {
        fprintf(out, "%s:%d %s\n", __FILE__, __LINE__, numbers);
        fclose(out);
    }
    for (int k = 0; k < 2; k++)
        if (!(paced[k].wall >= never_faster)) fail_msg("paced run %d faster than the pace: %s", k + 1, numbers);
    if (!(paced[best].wall - paced[best].queued <= at_most))
        fail_msg("paced runs longer than the schedule and a frame's work: %s", numbers);
}

static void test_pace_holds_loops_to_fps(void **state) {
    session s;
    session_open_drawn(&s);
    /* one series a step (at a pace slow enough for the display's drawing,
     * a PNG each frame, even under the sanitizers on a loaded machine) */
    check_pace(&s, 5, "for i in range(11) { plot(i) }", 11);
    /* a race: four paths and four series a step is still one frame a step */
    check_pace(&s, 4,
               "for i in range(9) { track(i, 1, name=\"a\"); track(i, 2, name=\"b\"); "
               "plot(i, \"a\"); plot(2 * i, \"b\") }",
               9);
    /* :pace off: no waiting at all (a paced loop gives up the processor at
     * every frame) */
    assert_int_equal(run(&s, ":pace off"), REPL_OK);
    long before = voluntary_switches();
    assert_int_equal(run(&s, "for i in range(1000) { plot(i, \"fast\") }"), REPL_OK);
    assert_below(voluntary_switches() - before, 50);
    session_close(&s);
}

static double interrupted_at;
static void interrupt(int signal_number) {
    (void)signal_number;
    interrupted_at = now_seconds(); /* clock_gettime is async-signal-safe */
    repl_interrupted = 1;
}

/* The display of the Ctrl-C test: the first picture arms the "Ctrl-C",
 * so it comes while the loop waits for the next frame, however long the
 * first frame took to draw (the sanitizer build on a loaded machine). */
static void ctrl_c_after_first_picture(void *user, const repl_display *d) {
    (void)d;
    bool *armed = user;
    if (*armed) return;
    *armed = true;
    struct itimerval timer = {{0, 0}, {0, 300000}}; /* Ctrl-C 0.3 s after the first frame */
    setitimer(ITIMER_REAL, &timer, NULL);
}

static void test_ctrl_c_stops_a_paced_loop_at_once(void **state) {
    session s;
    session_open(&s);
    bool armed = false;
    repl_set_display(s.r, ctrl_c_after_first_picture, &armed);
    /* a frame every 4 s: the second frame waits 4 s after the first */
    const double interval = 4;
    assert_int_equal(run(&s, "pace(0.25)"), REPL_OK);
    struct sigaction action = {0}, previous;
    action.sa_handler = interrupt;
    sigaction(SIGALRM, &action, &previous);
    interrupted_at = 0;
    /* 100 frames at one every 4 s would take 400 s */
    assert_int_equal(run(&s, "for i in range(100) { plot(i) }"), REPL_ERROR);
    double stopped = now_seconds();
    sigaction(SIGALRM, &previous, NULL);
    repl_interrupted = 0;
    assert_true(interrupted_at > 0);
    /* the wait ends at the signal, not at the frame's time */
    assert_below(stopped - interrupted_at, interval / 4);
    fflush(s.err);
    assert_non_null(strstr(s.err_text, "interrupted"));
    session_close(&s);
}

/* Ctrl-C during a long savefig (300,000 dots) stops it within a small part
 * of what the whole save takes (measured in this run), writes nothing, and
 * the error says so: no "wrote" line. */
static void test_ctrl_c_stops_savefig_and_writes_nothing(void **state) {
    session s;
    session_open(&s);
    char directory[] = "/tmp/test_plot_repl_XXXXXX", command[256], path[96];
    assert_non_null(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/dots.png", directory);
    assert_int_equal(run(&s, "xs = rand(300000); ys = rand(300000); plot(xs, ys, points=true)"), REPL_OK);
    snprintf(command, sizeof command, "savefig(\"%s\")", path);
    double start = now_seconds();
    assert_int_equal(run(&s, command), REPL_OK);
    double whole = now_seconds() - start;
    assert_int_equal(unlink(path), 0);
    fflush(s.out);
    assert_non_null(strstr(s.out_text, "wrote"));
    size_t out_before = s.out_length;

    struct sigaction action = {0}, previous;
    action.sa_handler = interrupt;
    sigaction(SIGALRM, &action, &previous);
    long delay_us = (long)(whole * 1e6 / 10); /* a tenth of the way in */
    struct itimerval timer = {{0, 0}, {delay_us / 1000000, delay_us % 1000000}};
    interrupted_at = 0;
    setitimer(ITIMER_REAL, &timer, NULL);
    assert_int_equal(run(&s, command), REPL_ERROR);
    double stopped = now_seconds();
    sigaction(SIGALRM, &previous, NULL);
    repl_interrupted = 0;
    assert_true(interrupted_at > 0);
    assert_below(stopped - interrupted_at, whole / 3);
    fflush(s.out);
    fflush(s.err);
    assert_int_equal(s.out_length, out_before); /* no "wrote" */
    assert_non_null(strstr(s.err_text, "savefig: interrupted: '"));
    assert_non_null(strstr(s.err_text, "dots.png' was not written"));
    assert_int_equal(access(path, F_OK), -1);
    /* the session goes on: the names are kept and the next save works */
    assert_int_equal(run(&s, command), REPL_OK);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(directory), 0); /* empty: no temporary file was left */
    session_close(&s);
}

/* Headless or --no-files, nothing is drawn: a pace does not wait at all (a
 * paced loop gives up the processor at every frame, 200 times here; these
 * loops about never do). */
static void test_pace_has_no_effect_where_nothing_is_drawn(void **state) {
    for (int no_files = 0; no_files < 2; no_files++) {
        session s;
        session_open_with(&s, (repl_options){.headless = true, .no_files = no_files});
        assert_int_equal(run(&s, "pace(1000)"), REPL_OK);
        long before = voluntary_switches();
        assert_int_equal(run(&s, "for i in range(200) { plot(i); track(i, 1) }"), REPL_OK);
        assert_below(voluntary_switches() - before, 50);
        session_close(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_take_their_source_text),
        cmocka_unit_test(test_a_lesson_by_name_starts_a_fresh_figure),
        cmocka_unit_test(test_zoom_enlarges_text_in_saved_plots_and_graphs),
        cmocka_unit_test(test_pace_holds_loops_to_fps),
        cmocka_unit_test(test_ctrl_c_stops_a_paced_loop_at_once),
        cmocka_unit_test(test_pace_has_no_effect_where_nothing_is_drawn),
        cmocka_unit_test(test_ctrl_c_stops_savefig_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
