/* test_plot_files.c — live plots, headless: clear, the error messages,
 * savefig's all-or-nothing replacement and its time against the points,
 * odd values, an interrupted savefig, PNG against SVG and PDF, axis labels,
 * the page size, zoom, and that headless never opens a window. */
#include "plot_test_util.h"

/* ---- clear, errors, headless --------------------------------------------------- */

static void test_clear_empties_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1, err);
    for (int i = 0; i < 10; i++) {
        viz_plot_append(plot, "loss", i, err);
        viz_plot_track(plot, "path", i * 0.1, 0.5, err);
    }
    viz_plot_set_log(plot, true);
    viz_plot_clear(plot);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, NULL, NULL, NULL));
    int coloured = 0;
    for (int y = 0; y < img.surface->h; y++) {
        for (int x = 0; x < img.surface->w; x++) {
            SDL_Color c = pixel_at(&img, x, y);
            /* only greys are left: frame, grid, labels */
            if (abs(c.r - c.g) > 6 || abs(c.g - c.b) > 6) coloured++;
        }
    }
    assert_int_equal(coloured, 0);
    release(&img);
    /* the log scale went too: a new series starts linear */
    viz_plot_append(plot, "loss", -1, err);
    viz_plot_append(plot, "loss", 1, err);
    save_and_load(plot, &img);
    double px, py;
    assert_true(viz_plot_data_to_pixel(plot, VIZ_PLOT_PANEL_SERIES, 0, -1, &px, &py));
    release(&img);
    viz_plot_free(plot);
}

static void test_errors_say_what_went_wrong(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_append(plot, "", 1, err), -1);
    assert_string_equal(err, "a series needs a name");
    assert_int_equal(viz_plot_append(plot, NULL, 1, err), -1);
    assert_int_equal(viz_plot_track(plot, "", 1, 2, err), -1);
    assert_string_equal(err, "a path needs a name");

    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, -1, 1, err), 0);
    size_t segments = plot->contour.segment_count;
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, 2, 1, -1, 1, err), -1);
    assert_string_equal(err, "x range [2, 1] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -1, 1, 0, NAN, err), -1);
    assert_string_equal(err, "y range [0, NaN] is empty: it needs lo < hi");
    assert_int_equal(viz_plot_contour(plot, nowhere_finite, NULL, -1, 1, -1, 1, err), -1);
    assert_string_equal(err,
                        "the function is not finite anywhere in [-1, 1] x [-1, 1]");
    /* a failed call keeps what was there */
    assert_true(plot->contour.present);
    assert_int_equal(plot->contour.segment_count, segments);

    assert_int_equal(viz_plot_savefig(plot, "/nonexistent-directory/loss.png", err), -1);
    assert_string_equal(
        err,
        "cannot write '/nonexistent-directory/loss.png': No such file or directory");
    assert_int_equal(viz_plot_savefig(plot, "/tmp/loss.jpg", err), -1);
    assert_string_equal(err,
                        "cannot write '/tmp/loss.jpg': the name must end in .png, .svg or .pdf");
    assert_int_equal(access("/tmp/loss.jpg", F_OK), -1);
    assert_int_equal(viz_plot_mark(plot, NAN, 1, "x", err), -1);
    assert_string_equal(err, "a mark needs a finite point, not (NaN, 1)");
    viz_plot_levels too_many = {.count = VIZ_PLOT_MAX_LEVELS + 1};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -1, 1, -1, 1, &too_many, err), -1);
    assert_string_equal(err, "levels must be 1 to 40, not 41");
    const double listed_nan[] = {1, NAN};
    viz_plot_levels not_finite = {.values = listed_nan, .count = 2};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -1, 1, -1, 1, &not_finite, err), -1);
    assert_string_equal(err, "level 2 is NaN: levels must be finite");
    assert_int_equal(plot->contour.segment_count, segments);
    const double xs[] = {1, 2};
    assert_int_equal(viz_plot_series(plot, "fit", xs, xs, 2, false, err), 0);
    assert_int_equal(viz_plot_append(plot, "fit", 1, err), -1);
    assert_string_equal(err, "series 'fit' holds whole (x, y) data: a value "
                                              "cannot be appended to it (give it another name)");
    assert_int_equal(viz_plot_savefig(plot, "", err), -1);
    assert_string_equal(err, "savefig needs a file name");
    viz_plot_free(plot);
    viz_plot_free(NULL);
}

/* savefig writes beside the target and renames: a failed save keeps what
 * was there and leaves no temporary file; a good one replaces it whole. */
static void test_savefig_replaces_whole_or_not_at_all(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) assert_int_equal(viz_plot_append(plot, "loss", 10 - i, err), 0);
    char directory[] = "/tmp/test_plot_XXXXXX", path[96], blocked[96];
    assert_non_null(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/loss.png", directory);
    FILE *old = fopen(path, "w");
    assert_non_null(old);
    fputs("old", old);
    fclose(old);
    assert_int_equal(viz_plot_savefig(plot, path, err), 0);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_true(info.st_size > 1000); /* a whole PNG replaced the 3 bytes */
    assert_int_equal(info.st_mode & 0044, 0044); /* readable like any new file, not mkstemp's 0600 */
    /* the target is a directory holding a file: the rename fails */
    snprintf(blocked, sizeof blocked, "%s/blocked.svg", directory);
    assert_int_equal(mkdir(blocked, 0755), 0);
    char inside[128];
    snprintf(inside, sizeof inside, "%s/keep", blocked);
    fclose(fopen(inside, "w"));
    assert_int_equal(viz_plot_savefig(plot, blocked, err), -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_int_equal(stat(inside, &info), 0);
    /* nothing else in the directory: no temporary file left behind */
    DIR *listing = opendir(directory);
    assert_non_null(listing);
    int entries = 0;
    for (struct dirent *e; (e = readdir(listing)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) entries++;
    closedir(listing);
    assert_int_equal(entries, 2); /* loss.png and blocked.svg/ */
    remove(inside);
    rmdir(blocked);
    remove(path);
    rmdir(directory);
    viz_plot_free(plot);
}

static void test_odd_values_still_draw(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double values[] = {NAN, 1, INFINITY, 2, -INFINITY, 1e300, -1e300, 3};
    for (int i = 0; i < 8; i++) assert_int_equal(viz_plot_append(plot, "odd", values[i], err), 0);
    viz_plot_append(plot, "constant", 5, err);
    viz_plot_append(plot, "constant", 5, err);
    viz_plot_track(plot, "far", 0, 0, err);
    viz_plot_track(plot, "far", 1e300, -1e300, err);
    viz_plot_track(plot, "far", NAN, 1, err);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    release(&img);
    viz_plot_set_log(plot, true);
    save_and_load(plot, &img);
    release(&img);
    viz_plot_free(plot);
}

/* Seconds to save and load a figure of `count` points of one curve. */
static double seconds_to_draw(int count, image *img, viz_plot **plot_out) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < count; i++) viz_plot_append(plot, "loss", 1 + sin(i * 0.001), err);
    Uint64 start = SDL_GetPerformanceCounter();
    save_and_load(plot, img);
    *plot_out = plot;
    return (double)(SDL_GetPerformanceCounter() - start) / SDL_GetPerformanceFrequency();
}

/* 200,000 points cost about what 2,000 do (more points than pixel columns
 * are drawn per column): a ratio of two drawings in one run, not a duration,
 * so it holds under ASan and on a loaded machine.  Each size is drawn three
 * times and its fastest taken, so one descheduled moment cannot decide. */
static void test_many_points_stay_fast_and_drawn(void **state) {
    enum { FEW = 2000, MANY = 200000 };
    double few = 1e9, many = 1e9;
    image img;
    viz_plot *plot;
    for (int round = 0; round < 3; round++) {
        double seconds = seconds_to_draw(FEW, &img, &plot);
        if (seconds < few) few = seconds;
        release(&img);
        viz_plot_free(plot);
        seconds = seconds_to_draw(MANY, &img, &plot);
        if (seconds < many) many = seconds;
        if (round < 2) {
            release(&img);
            viz_plot_free(plot);
        }
    }
    if (many > 4 * few) fail_msg("%d points took %.3f s, %d points %.3f s", MANY, many, FEW, few);
    /* the last point is on the curve */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, MANY - 1, 1 + sin((MANY - 1) * 0.001), &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), first_series, 12));
    release(&img);
    viz_plot_free(plot);
}

static double seconds_to_save(int count, bool points) {
    viz_plot *plot = viz_plot_new(true);
    double *xs = malloc((size_t)count * sizeof *xs), *ys = malloc((size_t)count * sizeof *ys);
    assert_true(xs != NULL && ys != NULL);
    unsigned seed = 12345;
    for (int i = 0; i < count; i++) {
        seed = seed * 1103515245u + 12345u;
        xs[i] = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        ys[i] = (seed >> 8) / 16777216.0;
    }
    assert_int_equal(viz_plot_series(plot, "data", xs, ys, (size_t)count, points, err), 0);
    image img;
    snprintf(img.directory, sizeof img.directory, "/tmp/test_plot_XXXXXX");
    assert_non_null(mkdtemp(img.directory));
    snprintf(img.path, sizeof img.path, "%s/many.png", img.directory);
    double start = process_and_children_cpu_seconds(); /* (it draws in a child) */
    assert_int_equal(viz_plot_savefig(plot, img.path, err), 0);
    double spent = process_and_children_cpu_seconds() - start;
    unlink(img.path);
    rmdir(img.directory);
    free(xs);
    free(ys);
    viz_plot_free(plot);
    return spent;
}

static void test_savefig_time_is_linear_in_points(void **state) {
    for (int points = 0; points < 2; points++) {
        int small = points ? 10000 : 2000;
        double few = seconds_to_save(small, points), many = seconds_to_save(10 * small, points);
        /* linear: about 10 (less: the axes, text and PNG cost the same);
         * quadratic would be 100 */
        if (many / few > 20)
            fail_msg("%s: %d points %.3f s, %d points %.3f s of CPU", points ? "dots" : "line", small,
                     few, 10 * small, many);
    }
}

/* With the interrupt flag set savefig stops, fails and leaves the file as
 * it was: an earlier figure of that name is not replaced. */
static void test_interrupted_savefig_writes_nothing(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_append(plot, "loss", 1, err), 0);
    image img;
    save_and_load(plot, &img);
    struct stat before, after;
    assert_int_equal(stat(img.path, &before), 0);
    volatile sig_atomic_t flag = 1;
    viz_plot_set_interrupt(plot, &flag);
    assert_int_equal(viz_plot_append(plot, "loss", 2, err), 0);
    assert_int_equal(viz_plot_savefig(plot, img.path, err), -2);
    assert_non_null(strstr(err, "interrupted"));
    assert_non_null(strstr(err, "was not written"));
    assert_int_equal(stat(img.path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    assert_int_equal(before.st_ino, after.st_ino); /* not renamed over */
    /* a new name: no file at all, and no temporary file beside it */
    char fresh[128];
    snprintf(fresh, sizeof fresh, "%s/fresh.svg", img.directory);
    assert_int_equal(viz_plot_savefig(plot, fresh, err), -2);
    assert_int_equal(access(fresh, F_OK), -1);
    DIR *directory = opendir(img.directory);
    assert_non_null(directory);
    int entries = 0;
    for (struct dirent *e; (e = readdir(directory)) != NULL;)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(directory);
    assert_int_equal(entries, 1); /* figure.png only (and . and ..) */
    /* the flag down again: it saves */
    flag = 0;
    assert_int_equal(viz_plot_savefig(plot, fresh, err), 0);
    unlink(fresh);
    release(&img);
    viz_plot_free(plot);
}

/* ---- files: PNG, SVG, PDF, zoom ------------------------------------------------- */

static char *read_all(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    char *text = malloc(1 << 24);
    *size = fread(text, 1, (1 << 24) - 1, file);
    text[*size] = '\0';
    fclose(file);
    return text;
}

/* The standard output of a shell command, NUL-terminated. */
static char *command_output(const char *command) {
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    char *text = calloc(1, 65536);
    size_t got = fread(text, 1, 65535, pipe);
    text[got] = '\0';
    assert_int_equal(pclose(pipe), 0);
    return text;
}

static void race(viz_plot *plot) {
    viz_plot_contour(plot, rosenbrock, NULL, -0.5, 1.5, -0.5, 2.5, err);
    for (int i = 0; i < 30; i++) {
        viz_plot_track(plot, "momentum", i / 30.0, 2 - i / 20.0, err);
        viz_plot_append(plot, "momentum", 100.0 / (i + 1), err);
    }
    viz_plot_mark(plot, 1, 1, "minimum", err);
    viz_plot_set_title(plot, "Race & <friends>", err);
}

/* The words of plot's PDF, spaces squeezed, between spaces (" epoch "). */
static char *pdf_words(viz_plot *plot) {
    char directory[] = "/tmp/test_plot_XXXXXX", pdf[64], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(pdf, sizeof pdf, "%s/labels.pdf", directory);
    assert_int_equal(viz_plot_savefig(plot, pdf, err), 0);
    snprintf(command, sizeof command, "(printf ' '; pdftotext %s - | tr -s ' \\n' '  '; printf ' ') | tr -s ' '; rm -r %s",
             pdf, directory);
    return command_output(command);
}

static void test_axis_labels_name_the_panels(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double t[20], wave[20];
    for (int i = 0; i < 20; i++) {
        t[i] = i * 0.3;
        wave[i] = sin(t[i]);
        viz_plot_append(plot, "loss / count", 1.0 / (i + 1), err);
    }
    assert_int_equal(viz_plot_series(plot, "wave", t, wave, 20, true, err), 0);
    char *words = pdf_words(plot); /* the defaults */
    assert_non_null(strstr(words, " step "));
    assert_non_null(strstr(words, " x "));
    assert_null(strstr(words, " epoch "));
    free(words);

    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, "epoch", "average loss", err), 0);
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_XY, "t", NULL, err), 0);
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_XY, NULL, "value", err), 0); /* t kept */
    words = pdf_words(plot);
    assert_non_null(strstr(words, " epoch "));
    assert_non_null(strstr(words, " average loss "));
    assert_non_null(strstr(words, " t "));
    assert_non_null(strstr(words, " value "));
    assert_null(strstr(words, " step "));
    assert_null(strstr(words, " x "));
    free(words);

    /* "" gives the default back, the other label stays */
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, "", NULL, err), 0);
    words = pdf_words(plot);
    assert_non_null(strstr(words, " step "));
    assert_non_null(strstr(words, " average loss "));
    free(words);

    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_COUNT, "a", "b", err), -1);
    assert_string_equal(err, "no panel 6");
    assert_int_equal(viz_plot_set_labels(NULL, VIZ_PLOT_PANEL_XY, "a", "b", err), -1);

    /* clear forgets them */
    viz_plot_clear(plot);
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_append(plot, "loss", 0.5, err);
    words = pdf_words(plot);
    assert_non_null(strstr(words, " step "));
    assert_null(strstr(words, " average loss "));
    free(words);
    viz_plot_free(plot);
}

static void test_svg_and_pdf_look_like_the_png(void **state) {
    viz_plot *plot = viz_plot_new(true);
    race(plot);
    char directory[] = "/tmp/test_plot_XXXXXX", png[64], svg[64], pdf[64], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(png, sizeof png, "%s/race.png", directory);
    snprintf(svg, sizeof svg, "%s/race.SVG", directory);
    snprintf(pdf, sizeof pdf, "%s/race.pdf", directory);
    assert_int_equal(viz_plot_savefig(plot, png, err), 0);
    assert_int_equal(viz_plot_savefig(plot, svg, err), 0);
    assert_int_equal(viz_plot_savefig(plot, pdf, err), 0);

    size_t size = 0;
    char *text = read_all(svg, &size);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "width=\"1400px\" height=\"600px\""));
    assert_non_null(strstr(text, "<title>Race &amp; &lt;friends&gt;</title>"));
    assert_non_null(strstr(text, "<desc>series: momentum; paths: momentum; marks: minimum</desc>"));
    assert_true(strstr(text, "<path") != NULL && size > 50000); /* the curves, as vectors */
    free(text);

    /* the PDF: its words as text, and the PNG's size at 72 dpi */
    snprintf(command, sizeof command, "pdftotext %s - | tr -s ' \\n' ' '", pdf);
    text = command_output(command);
    assert_non_null(strstr(text, "momentum"));
    assert_non_null(strstr(text, "minimum"));
    assert_non_null(strstr(text, "Race & <friends>"));
    assert_non_null(strstr(text, "step"));
    free(text);
    snprintf(command, sizeof command, "pdftoppm -r 72 -png -singlefile %s %s/from_pdf", pdf,
             directory);
    free(command_output(command));
    snprintf(command, sizeof command, "%s/from_pdf.png", directory);
    SDL_Surface *from_pdf = IMG_Load(command);
    assert_non_null(from_pdf);
    SDL_Surface *from_png = IMG_Load(png);
    assert_true(abs(from_pdf->w - from_png->w) <= 2 && abs(from_pdf->h - from_png->h) <= 2);
    /* and they look alike: few pixels differ much */
    SDL_Surface *a = SDL_ConvertSurfaceFormat(from_pdf, SDL_PIXELFORMAT_RGB888, 0);
    SDL_Surface *b = SDL_ConvertSurfaceFormat(from_png, SDL_PIXELFORMAT_RGB888, 0);
    long differ = 0, total = 0;
    for (int y = 0; y < a->h && y < b->h; y++)
        for (int x = 0; x < a->w && x < b->w; x++, total++) {
            Uint32 p = ((Uint32 *)((Uint8 *)a->pixels + y * a->pitch))[x];
            Uint32 q = ((Uint32 *)((Uint8 *)b->pixels + y * b->pitch))[x];
            int dr = abs((int)(p >> 16 & 255) - (int)(q >> 16 & 255));
            int dg = abs((int)(p >> 8 & 255) - (int)(q >> 8 & 255));
            differ += dr + dg > 160;
        }
    assert_true(differ < total / 100);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(from_pdf);
    SDL_FreeSurface(from_png);
    snprintf(command, sizeof command, "rm -r %s", directory);
    assert_int_equal(system(command), 0);
    viz_plot_free(plot);
}

/* The tallest run of rows with dark pixels in the tick labels' column left
 * of the y axis (right of the axis title): the height of one label's text. */
static int text_rows(const image *img, int left, int top, int bottom) {
    int rows = 0, run = 0;
    for (int y = top; y <= bottom; y++) {
        run = dark_pixels(img, left / 2, y, left - 10, y + 1) > 0 ? run + 1 : 0;
        if (run > rows) rows = run;
    }
    return rows;
}

/* :zoom makes text and lines bigger in a figure of the same size (a slide's
 * picture keeps its place, its text reads from further away). */
/* The size of the PNG viz_plot_png makes for a notebook's page. */
static void page_png_size(viz_plot *plot, int *width, int *height) {
    size_t size = 0;
    unsigned char *png = viz_plot_png(plot, &size, err);
    assert_non_null(png);
    SDL_Surface *surface = IMG_Load_RW(SDL_RWFromConstMem(png, (int)size), 1);
    assert_non_null(surface);
    *width = surface->w;
    *height = surface->h;
    SDL_FreeSurface(surface);
    free(png);
}

/* A notebook shows a figure about 1000 px wide: its page PNG of two panels
 * is 1050x450 (savefig's 1400x600 would show its text at 68 %), one panel
 * stays 900x600, a file keeps savefig's size, and :zoom changes no size. */
static void test_page_png_is_narrower_for_two_panels(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) viz_plot_append(plot, "loss", 1.0 / (i + 1), err);
    int width, height;
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 900);
    assert_int_equal(height, 600);
    double xs[3] = {0, 1, 2}, ys[3] = {1, 0, 1};
    viz_plot_series(plot, "data", xs, ys, 3, true, err);
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 1050);
    assert_int_equal(height, 450);
    viz_plot_set_zoom(plot, 1.5);
    page_png_size(plot, &width, &height);
    assert_int_equal(width, 1050);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    assert_int_equal(img.surface->h, 600);
    release(&img);
    viz_plot_free(plot);
}

static void test_zoom_scales_text_and_lines_not_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 10; i++) viz_plot_append(plot, "loss", i, err);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    int rows = text_rows(&img, left, top, bottom);
    release(&img);
    viz_plot_set_zoom(plot, 2);
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900);
    assert_int_equal(img.surface->h, 600);
    int zleft, ztop, zright, zbottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &zleft, &ztop, &zright, &zbottom));
    assert_true(abs(zleft - 2 * left) <= 2); /* the margin holds the tick labels, twice as wide */
    assert_true(zbottom - ztop < bottom - top); /* less room for the plot itself */
    int zoomed_rows = text_rows(&img, zleft, ztop, zbottom);
    if (!(zoomed_rows > 1.8 * rows && zoomed_rows < 2.2 * rows)) fail_msg("label text %d rows at zoom 1, %d at 2", rows, zoomed_rows);
    /* the line is twice as thick: count its pixels down one column */
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_SERIES, 4.5, 4.5, &px, &py);
    int thick = 0;
    for (int y = (int)py - 20; y <= (int)py + 20; y++)
        thick += near_colour(pixel_at(&img, (int)px, y), first_series, 40);
    assert_true(thick >= 5 && thick <= 10);
    release(&img);
    viz_plot_free(plot);
}

static void test_headless_never_opens_a_window(void **state) {
    const char *before = getenv("AGREPL_HEADLESS");
    char *saved = before == NULL ? NULL : strdup(before);
    setenv("AGREPL_HEADLESS", "1", 1);
    viz_plot *plot = viz_plot_new(false);
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_track(plot, "path", 1, 2, err);
    viz_plot_pump(plot);
    assert_false(viz_plot_window_open(plot));
    viz_plot_free(plot);
    if (saved != NULL) {
        setenv("AGREPL_HEADLESS", saved, 1);
        free(saved);
    } else {
        unsetenv("AGREPL_HEADLESS");
    }
    plot = viz_plot_new(true);
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_pump(plot);
    assert_false(viz_plot_window_open(plot));
    viz_plot_free(plot);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_empties_the_figure),
        cmocka_unit_test(test_errors_say_what_went_wrong),
        cmocka_unit_test(test_savefig_replaces_whole_or_not_at_all),
        cmocka_unit_test(test_odd_values_still_draw),
        cmocka_unit_test(test_many_points_stay_fast_and_drawn),
        cmocka_unit_test(test_savefig_time_is_linear_in_points),
        cmocka_unit_test(test_interrupted_savefig_writes_nothing),
        cmocka_unit_test(test_svg_and_pdf_look_like_the_png),
        cmocka_unit_test(test_axis_labels_name_the_panels),
        cmocka_unit_test(test_zoom_scales_text_and_lines_not_the_figure),
        cmocka_unit_test(test_page_png_is_narrower_for_two_panels),
        cmocka_unit_test(test_headless_never_opens_a_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
