/* test_plot_files.c — live plots, headless, as test_plot.c checks them: the
 * figure's files (PNG, SVG, PDF) and their words, zoom, the page's PNG, a
 * headless session opening no window; ticks at nice numbers, one style of
 * label per axis (in the drawn figure's words too), an offset for ticks far
 * from zero against their span (their labels and the drawn figure), a
 * real minus sign in the colour bars' labels, a heat map's cells and the
 * level curves' caption; bar labels that read apart on a tiny range,
 * cells of NaN and Inf in the REPL's words, and a wide heat map's words
 * apart. */
#include "plot_test_util.h"

#include "plot_maps_data.h" /* plot_bar_label, plot_matrix_cell_text */

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
 * stays 900x600, and :zoom changes no page's size; a file is savefig's
 * size times the zoom. */
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
    assert_int_equal(img.surface->w, 2100);
    assert_int_equal(img.surface->h, 900);
    release(&img);
    viz_plot_free(plot);
}

/* :zoom 2 saves the figure of :zoom 1 at twice the size: the canvas, the
 * plot's frame, the text and the line all twice as big (the canvas kept its
 * 900x600 and the plot shrank as its text grew, a projector's figure the
 * hardest to read). */
static void test_zoom_scales_the_whole_figure(void **state) {
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
    assert_int_equal(img.surface->w, 1800);
    assert_int_equal(img.surface->h, 1200);
    int zleft, ztop, zright, zbottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &zleft, &ztop, &zright, &zbottom));
    assert_true(abs(zleft - 2 * left) <= 2); /* the margin holds the tick labels, twice as wide */
    assert_true(abs(zright - 2 * right) <= 2 && abs(ztop - 2 * top) <= 2 && abs(zbottom - 2 * bottom) <= 2);
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

/* ---- ticks -------------------------------------------------------------------- */

static void check_labels(const plot_tick_list *list, const char *const *expected, int count) {
    int labelled = 0;
    for (int i = 0; i < list->count; i++) {
        if (!list->items[i].major) continue;
        if (labelled >= count) fail_msg("extra tick '%s'", list->items[i].label);
        assert_string_equal(list->items[i].label, expected[labelled]);
        labelled++;
    }
    assert_int_equal(labelled, count);
}

static void test_ticks_are_nice_numbers(void **state) {
    plot_tick_list list;
    plot_linear_ticks(&list, -0.3, 10.2, 5, false);
    check_labels(&list, (const char *const[]){"0", "2", "4", "6", "8", "10"}, 6);
    plot_linear_ticks(&list, 0, 1, 5, false);
    check_labels(&list, (const char *const[]){"0", "0.2", "0.4", "0.6", "0.8", "1.0"}, 6);
    plot_linear_ticks(&list, -1.05, 1.05, 4, false);
    check_labels(&list, (const char *const[]){"-1.0", "-0.5", "0", "0.5", "1.0"}, 5);
    plot_linear_ticks(&list, 0, 3, 8, true); /* steps: whole numbers */
    check_labels(&list, (const char *const[]){"0", "1", "2", "3"}, 4);
    plot_linear_ticks(&list, 1e7, 2.4e7, 4, false);
    check_labels(&list, (const char *const[]){"1.0e7", "1.5e7", "2.0e7"}, 3);
    plot_linear_ticks(&list, 0, 0.0001, 2, false); /* one exponent, one count of decimals */
    check_labels(&list, (const char *const[]){"0", "0.5e-4", "1.0e-4"}, 3);
    plot_linear_ticks(&list, 4.6e5, 1.54e6, 2.5, true); /* a step axis: not "5e5" beside "1.0e6" */
    check_labels(&list, (const char *const[]){"0.5e6", "1.0e6", "1.5e6"}, 3);
    plot_linear_ticks(&list, -2.1e-5, 2.1e-5, 4, false);
    check_labels(&list, (const char *const[]){"-2e-5", "-1e-5", "0", "1e-5", "2e-5"}, 5);
    plot_linear_ticks(&list, 9.1e5, 1.09e6, 4, false);
    check_labels(&list, (const char *const[]){"0.95e6", "1.00e6", "1.05e6"}, 3);
    /* never one label alone: a boundary's narrow map at :zoom 1.5 over
     * [-1.5, 1.5] (room for 2) had a step of 2 and only "0" */
    plot_linear_ticks(&list, -1.5, 1.5, 1.6, false);
    check_labels(&list, (const char *const[]){"-1", "0", "1"}, 3);
    plot_linear_ticks(&list, 0.15, 0.35, 2, false);
    check_labels(&list, (const char *const[]){"0.2", "0.3"}, 2);

    /* log axes: one style per axis; decimals only between 0.001 and 9000 */
    plot_log_ticks(&list, -3.2, 3.1, 10);
    check_labels(&list, (const char *const[]){"0.001", "0.01", "0.1", "1", "10", "100", "1000"}, 7);
    int first_major = 0;
    while (!list.items[first_major].major) first_major++;
    assert_close(list.items[first_major].position, -3);
    plot_log_ticks(&list, -4.2, 2.1, 10);
    check_labels(&list, (const char *const[]){"1e-4", "1e-3", "1e-2", "1e-1", "1e0", "1e1", "1e2"},
                 7);
    plot_log_ticks(&list, -8.5, 4.5, 7); /* many decades: every other one */
    check_labels(&list, (const char *const[]){"1e-8", "1e-6", "1e-4", "1e-2", "1e0", "1e2", "1e4"},
                 7);
    plot_log_ticks(&list, -10, 10, 5);
    check_labels(&list, (const char *const[]){"1e-10", "1e-5", "1e0", "1e5", "1e10"}, 5);
    plot_log_ticks(&list, -0.05, 1.05, 6); /* two decades: 1-2-5 */
    check_labels(&list, (const char *const[]){"1", "2", "5", "10"}, 4);
    plot_log_ticks(&list, log10(0.15), log10(0.9), 6); /* within a decade: 1-2-3-5 */
    check_labels(&list, (const char *const[]){"0.2", "0.3", "0.5"}, 3);
    plot_log_ticks(&list, log10(0.00012), log10(0.00061), 6);
    check_labels(&list, (const char *const[]){"2e-4", "3e-4", "5e-4"}, 3);
    /* never "0.01" beside "1e-3", over many ranges */
    for (double low = -6; low < 4; low += 0.37) {
        for (double span = 0.2; span < 9; span *= 1.7) {
            plot_log_ticks(&list, low, low + span, 8);
            int exponent = 0, plain = 0;
            for (int i = 0; i < list.count; i++) {
                if (!list.items[i].major) continue;
                if (strchr(list.items[i].label, 'e') != NULL) exponent++;
                else plain++;
            }
            if (exponent > 0 && plain > 0)
                fail_msg("[%g, %g]: both styles on one axis", low, low + span);
            if (exponent + plain < 2) fail_msg("[%g, %g]: %d labels", low, low + span, exponent + plain);
        }
    }
}

/* The exponent-form labels of an axis in a drawn figure (its PDF's words:
 * "0.5×10" then the exponent "6"): every one with the same exponent and the
 * same decimals, each with its mantissa (a linear axis's "1e6" reads 1×10⁶,
 * never 10⁶ beside 2×10⁶).  How many there are. */
static int check_one_exponent_style(viz_plot *plot) {
    char *words = pdf_words(plot), *save = NULL;
    int count = 0, exponent = 0, decimals = -1;
    bool after_ten = false;
    for (char *w = strtok_r(words, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (strcmp(w, "10") == 0 || strcmp(w, "\xe2\x88\x92" "10") == 0) after_ten = true; /* 10 or −10 */
        else if (after_ten && strspn(w, "\xe2\x88\x92""0123456789") == strlen(w))
            fail_msg("a power of ten without its mantissa: 10^%s", w);
        else after_ten = false;
        char *times = strstr(w, "\xc3\x97" "10");
        if (times == NULL) continue;
        char *next = strtok_r(NULL, " ", &save);
        assert_non_null(next);
        int e = atoi(strncmp(next, "\xe2\x88\x92", 3) == 0 ? next + 3 : next);
        if (strncmp(next, "\xe2\x88\x92", 3) == 0) e = -e;
        const char *point = memchr(w, '.', (size_t)(times - w));
        int d = point == NULL ? 0 : (int)(times - point - 1);
        if (count > 0 && (e != exponent || d != decimals))
            fail_msg("%.*s×10^%d beside a label of %d decimals ×10^%d", (int)(times - w), w, e, decimals, exponent);
        exponent = e;
        decimals = d;
        count++;
    }
    free(words);
    return count;
}

/* A step axis to 1.6 million (5×10⁵, 1.0×10⁶ and 1.5×10⁶ mixed "5" and
 * "1.0"), fine values around zero and whole millions, as drawn: one style
 * per axis. */
static void test_drawn_exponent_labels_share_one_style(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 1600000; i++) viz_plot_append(plot, "loss", 1 - i / 1.6e6, err);
    assert_true(check_one_exponent_style(plot) >= 4);
    viz_plot_clear(plot);
    double xs[50], fine[50], millions[50];
    for (int i = 0; i < 50; i++) {
        xs[i] = i / 49.0;
        fine[i] = -3e-5 + i * 1e-6;
        millions[i] = i * 6e6 / 49;
    }
    assert_int_equal(viz_plot_series(plot, "fine", xs, fine, 50, false, err), 0);
    assert_true(check_one_exponent_style(plot) >= 5);
    viz_plot_clear(plot);
    assert_int_equal(viz_plot_series(plot, "millions", millions, xs, 50, false, err), 0);
    assert_true(check_one_exponent_style(plot) >= 5); /* 1×10⁶ to 6×10⁶ */
    viz_plot_free(plot);
}

/* Ticks far from zero against their span are labelled relative to an
 * offset written once at the axis's end, by matplotlib's rule (its
 * ScalarFormatter, offset_threshold 4), in units of 10^scale when they
 * would need exponents; axes near zero, of both signs or saving fewer than
 * 4 digits keep their labels. */
static void test_ticks_far_from_zero_take_an_offset(void **state) {
    plot_tick_list list;
    plot_linear_ticks(&list, 0.9999895, 1.0000005, 6, false); /* a loss up to 1: straddles 1 */
    check_labels(&list, (const char *const[]){"-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0"}, 6);
    assert_string_equal(list.offset, "+1");
    assert_int_equal(list.scale, -5);
    plot_linear_ticks(&list, 0.99999, 0.999998, 4, false);
    check_labels(&list, (const char *const[]){"0", "2", "4", "6", "8"}, 5);
    assert_string_equal(list.offset, "+0.99999");
    assert_int_equal(list.scale, -6);
    plot_linear_ticks(&list, 1000.001, 1000.002, 5, false); /* no exponent needed: no scale */
    check_labels(&list, (const char *const[]){"0.0010", "0.0012", "0.0014", "0.0016", "0.0018", "0.0020"}, 6);
    assert_string_equal(list.offset, "+1000");
    assert_int_equal(list.scale, 0);
    plot_linear_ticks(&list, -1000.002, -1000.001, 5, false);
    check_labels(&list, (const char *const[]){"-0.0020", "-0.0018", "-0.0016", "-0.0014", "-0.0012", "-0.0010"}, 6);
    assert_string_equal(list.offset, "-1000");
    plot_linear_ticks(&list, 1e7, 1.00000005e7, 5, false);
    check_labels(&list, (const char *const[]){"0", "0.1", "0.2", "0.3", "0.4", "0.5"}, 6);
    assert_string_equal(list.offset, "+1e7");
    plot_linear_ticks(&list, 123456.7, 123456.9, 4, false);
    check_labels(&list, (const char *const[]){"0.70", "0.75", "0.80", "0.85", "0.90"}, 5);
    assert_string_equal(list.offset, "+123456");
    /* none: near zero, both signs, or fewer than 4 digits saved */
    static const double none[][2] = {{0, 1}, {0.95, 1.0}, {9.1e5, 1.09e6}, {1000, 1010}, {5, 5.001},
                                     {1e-9, 1.001e-9}, {-1000.002, 1000}, {10000, 10010}};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        plot_linear_ticks(&list, none[i][0], none[i][1], 5, false);
        if (list.offset[0] != '\0' || list.scale != 0)
            fail_msg("[%g, %g]: offset '%s', scale %d", none[i][0], none[i][1], list.offset, list.scale);
    }
    plot_linear_ticks(&list, 100000, 100010, 5, false); /* six digits whole, two apart: 4 saved */
    check_labels(&list, (const char *const[]){"0", "2", "4", "6", "8", "10"}, 6);
    assert_string_equal(list.offset, "+100000");
    /* a log axis within a factor 1.5 labels the values' linear ticks: their offset too */
    plot_log_ticks(&list, log10(0.9999895), log10(1.0000005), 6);
    assert_string_equal(list.offset, "+1");
    assert_int_equal(list.scale, -5);
}

/* A loss going from 0.99999 to 1 and x from 1000.001 to 1000.002, as
 * drawn: short tick labels ("-0.8", "0.0012"; they were "0.999992×10⁰",
 * each 95 units wide, and "1000.0012") and the offset written once, the
 * y axis's over the frame's left end, the x axis's under its right end. */
static void test_drawn_offset_labels_are_short(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double xs[40], wave[40];
    for (int i = 0; i < 60; i++) viz_plot_append(plot, "loss", 1 - 1e-5 * exp(-i / 10.0), err);
    for (int i = 0; i < 40; i++) xs[i] = 1000.001 + i * 0.001 / 39, wave[i] = sin(i / 6.0);
    assert_int_equal(viz_plot_series(plot, "wave", xs, wave, 40, false, err), 0);
    char *words = pdf_words(plot);
    printf("    the figure's words:%s\n", words);
    assert_null(strstr(words, " 0.99999")); /* no tick written whole */
    assert_null(strstr(words, " 1000.00"));
    assert_non_null(strstr(words, " \xe2\x88\x92" "0.8 "));     /* −0.8 */
    assert_non_null(strstr(words, " 0.0012 "));
    assert_non_null(strstr(words, " +1000 "));
    free(words);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom, x_left, x_top, x_right, x_bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, &x_left, &x_top, &x_right, &x_bottom));
    /* the y labels' column: the frame starts as near the panel's edge as "−0.8" lets it */
    int above = dark_pixels(&img, left, top - 22, left + 80, top - 2);
    int under = dark_pixels(&img, x_right - 60, x_bottom + 26, x_right + 1, x_bottom + 50);
    printf("    the loss's frame from x = %d; %d dark pixels over its left end, %d under the x axis's right end\n", left,
           above, under);
    assert_true(left < 110);
    assert_true(above > 30);
    assert_true(under > 30);
    release(&img);
    viz_plot_free(plot);
}

/* A colour bar's labels write a negative number with a real minus sign
 * (U+2212), as the axes' ticks do: a field from -0.75 to 0.25 (its bar ±0.75) reads
 * "−0.75" at its bar's foot, and no word of the figure has an ASCII '-'
 * (the bar's labels had, beside "−1.0" on the axes). */
static void test_colour_bar_labels_have_a_minus_sign(void **state) {
    enum { N = 20 };
    static double field[N * N];
    for (int row = 0; row < N; row++)
        for (int column = 0; column < N; column++) field[row * N + column] = -0.75 + column / (N - 1.0);
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_field(plot, field, N, N, 1, -1, 1, -1, 1, 0, err), 0);
    char *words = pdf_words(plot);
    printf("    the figure's words:%s\n", words);
    assert_non_null(strstr(words, " \xe2\x88\x92" "0.75 "));
    assert_non_null(strstr(words, " 0.75 ")); /* its top: as far from the threshold */
    assert_null(strchr(words, '-'));
    free(words);
    viz_plot_free(plot);
    char label[32]; /* the page's bars take theirs from here too */
    plot_bar_label(-1e-5, -1e-5, 1e-5, label, sizeof label);
    assert_string_equal(label, "\xe2\x88\x92" "1e" "\xe2\x88\x92" "5");
}

/* A colour bar's three labels read apart however small or far from zero
 * its range: a field of a - b over [0, 1e-12]² (its bar about ±1e-12) read
 * "0" at its top, middle and foot, and a bar from 0.99999 to 1.00001
 * would read "1" thrice.  The figure writes the ends it labels. */
static void test_tiny_colour_bar_labels_differ(void **state) {
    enum { N = 20 };
    static double field[N * N];
    for (int row = 0; row < N; row++)
        for (int column = 0; column < N; column++) field[row * N + column] = (column - row) * 0.99e-12 / (N - 1); /* as boundary samples it */
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_field(plot, field, N, N, 1, 0, 1e-12, 0, 1e-12, 0, err), 0);
    const plot_field *f = &plot->field;
    const double bars[][3] = {{f->low, f->threshold, f->high}, {0.99999, 1, 1.00001}, {-3e-9, 1e-9, 5e-9}};
    for (size_t b = 0; b < sizeof bars / sizeof bars[0]; b++) {
        char labels[3][40];
        for (int i = 0; i < 3; i++) plot_bar_label(bars[b][i], bars[b][0], bars[b][2], labels[i], sizeof labels[i]);
        printf("    a bar from %g to %g: %s, %s, %s\n", bars[b][0], bars[b][2], labels[0], labels[1], labels[2]);
        assert_string_not_equal(labels[0], labels[1]);
        assert_string_not_equal(labels[1], labels[2]);
        assert_string_not_equal(labels[0], labels[2]);
    }
    char low[40], high[40], spaced[48];
    plot_bar_label(f->low, f->low, f->high, low, sizeof low);
    plot_bar_label(f->high, f->low, f->high, high, sizeof high);
    char *words = pdf_words(plot);
    printf("    the figure's words:%s\n", words);
    snprintf(spaced, sizeof spaced, " %s ", low);
    assert_non_null(strstr(words, spaced));
    snprintf(spaced, sizeof spaced, " %s ", high);
    assert_non_null(strstr(words, spaced));
    free(words);
    viz_plot_free(plot);
}

static double plane_less_five(void *user, double x, double y) {
    (void)user;
    return x + y - 5;
}

/* A heat map's cell numbers and the level curves' caption write a negative
 * number with a real minus sign too (they had an ASCII '-' beside the
 * ticks' "−1.0"): cells "−0.7" and "−2", the caption "3 levels, −6 to −4
 * (given)", and no word of the figure has an ASCII '-'.  The page writes
 * the strings the session sends it (plot_matrix_cell_text,
 * plot_contour_caption), so web_pictures.py checks them there. */
static void test_cells_and_caption_have_a_minus_sign(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double cells[] = {-0.7, 1.5, 13, -2}; /* no tick or bar label reads -0.7 or -2 */
    assert_int_equal(viz_plot_heatmap(plot, cells, 2, 2, "m", err), 0);
    const double levels[] = {-6, -5, -4};
    viz_plot_levels given = {levels, 3, VIZ_PLOT_SPACING_AUTO};
    assert_int_equal(viz_plot_contour_levels(plot, plane_less_five, NULL, -1, 1, -1, 1, &given, err), 0);
    char *words = pdf_words(plot);
    printf("    the figure's words:%s\n", words);
    assert_non_null(strstr(words, " \xe2\x88\x92" "0.7 "));
    assert_non_null(strstr(words, " \xe2\x88\x92" "2 "));
    assert_non_null(strstr(words, " \xe2\x88\x92" "6 to \xe2\x88\x92" "4 "));
    assert_null(strchr(words, '-'));
    free(words);
    viz_plot_free(plot);
    char text[32]; /* the page's cells and caption take theirs from here too */
    plot_matrix_cell_text(-2.5e-7, text, sizeof text);
    assert_string_equal(text, "\xe2\x88\x92" "2.5e" "\xe2\x88\x92" "7");
}

/* A heat map's cells that are not numbers read as the REPL prints them,
 * NaN, +Inf and −Inf (the minus the figure's), not printf's "-nan", "inf"
 * and "-inf". */
static void test_cells_not_finite_read_as_the_repl_prints(void **state) {
    viz_plot *plot = viz_plot_new(true);
    const double cells[] = {1, NAN, INFINITY, -INFINITY};
    assert_int_equal(viz_plot_heatmap(plot, cells, 2, 2, "m", err), 0);
    char *words = pdf_words(plot);
    printf("    the figure's words:%s\n", words);
    assert_non_null(strstr(words, " NaN "));
    assert_non_null(strstr(words, " +Inf "));
    assert_non_null(strstr(words, " \xe2\x88\x92" "Inf "));
    assert_null(strstr(words, "nan"));
    assert_null(strstr(words, "inf"));
    free(words);
    viz_plot_free(plot);
}

/* A word of a saved PDF and its box (pdftotext -bbox), in figure units. */
typedef struct pdf_word {
    double x0, y0, x1, y1;
    char text[32];
} pdf_word;

/* The words of plot's PDF with their boxes, at most `room`; their count. */
static int pdf_word_boxes(viz_plot *plot, pdf_word *words, int room) {
    char directory[] = "/tmp/test_plot_XXXXXX", pdf[64], command[256];
    assert_non_null(mkdtemp(directory));
    snprintf(pdf, sizeof pdf, "%s/boxes.pdf", directory);
    assert_int_equal(viz_plot_savefig(plot, pdf, err), 0);
    snprintf(command, sizeof command, "pdftotext -bbox %s - | grep '<word '; rm -r %s", pdf, directory);
    char *text = command_output(command);
    int count = 0;
    for (char *line = strtok(text, "\n"); line != NULL && count < room; line = strtok(NULL, "\n")) {
        pdf_word *w = &words[count];
        if (sscanf(line, " <word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%31[^<]", &w->x0, &w->y0, &w->x1,
                   &w->y1, w->text) == 5)
            count++;
    }
    free(text);
    return count;
}

/* A wide heat map keeps legible cells and a bar its labels fit: a 2 x 200
 * matrix drew cells under 4 px high, its bar as low, and the bar's three
 * labels (3.3, 0, −3.3) on top of each other.  Its rows are 20 units high
 * at least, and no two words of the figure overlap; a tall one (200 x 2)
 * likewise, its columns 20 wide. */
static void test_wide_heatmap_keeps_its_labels_apart(void **state) {
    enum { LONG = 200 };
    static double values[2 * LONG];
    for (int i = 0; i < 2 * LONG; i++) values[i] = 3.3 * sin(i * 0.7);
    for (int tall = 0; tall < 2; tall++) {
        viz_plot *plot = viz_plot_new(true);
        int rows = tall ? LONG : 2, columns = tall ? 2 : LONG;
        assert_int_equal(viz_plot_heatmap(plot, values, rows, columns, tall ? "tall" : "wide", err), 0);
        static pdf_word words[512];
        int count = pdf_word_boxes(plot, words, 512);
        const plot_axes *a = &plot->axes[VIZ_PLOT_PANEL_HEATMAP];
        double cell_w = (a->right - a->left) / columns, cell_h = (a->bottom - a->top) / rows;
        printf("    a %d x %d matrix: cells %.1f x %.1f, %d words\n", rows, columns, cell_w, cell_h, count);
        assert_true(count > 3);
        assert_true(tall ? cell_w >= 20 : cell_h >= 20);
        for (int i = 0; i < count; i++)
            for (int j = i + 1; j < count; j++) {
                const pdf_word *u = &words[i], *v = &words[j];
                double across = fmin(u->x1, v->x1) - fmax(u->x0, v->x0), down = fmin(u->y1, v->y1) - fmax(u->y0, v->y0);
                if (across > 0.5 && down > 0.5)
                    fail_msg("'%s' (%.1f, %.1f to %.1f, %.1f) overlaps '%s' (%.1f, %.1f to %.1f, %.1f)", u->text, u->x0, u->y0,
                             u->x1, u->y1, v->text, v->x0, v->y0, v->x1, v->y1);
            }
        viz_plot_free(plot);
    }
}

/* The neurons panel's layout (plot_unit_blocks).  A 2-30-2 network in a
 * panel 620 wide, maps between 60 and 570: the 30-unit layer drew 14-pixel
 * maps, and the inputs' and outputs' were as small; now every map is 36 to
 * 44 pixels, the wide layer's in columns, none overlapping another or
 * another layer's, all inside the panel.  A 2-8-4-2 network, whose maps
 * fit at 36 pixels or more, keeps one size and one column a layer, where
 * the panel always put them. */
static void test_unit_blocks(void **state) {
    (void)state;
    plot_network wide = {.present = true, .layers = 3, .units = {2, 30, 2}};
    plot_unit_block b[VIZ_PLOT_MAX_LAYERS];
    plot_unit_blocks(&wide, 0, 620, 60, 570, b);
    for (int l = 0; l < 3; l++) {
        printf("    layer %d: %d units, %d columns of maps of %.1f px\n", l, wide.units[l], b[l].columns, b[l].size);
        assert_true(b[l].size >= PLOT_UNIT_MAP_READABLE && b[l].size <= PLOT_UNIT_MAP_TARGET);
        for (int u = 0; u < wide.units[l]; u++) {
            double x = plot_unit_x(&b[l], u), y = plot_unit_y(&b[l], u);
            assert_true(x >= 0 && x + b[l].size <= 620 && y >= 60 && y + b[l].size <= 570);
            for (int v = 0; v < u; v++) /* apart from the layer's others */
                assert_true(fabs(plot_unit_x(&b[l], v) - x) >= b[l].size || fabs(plot_unit_y(&b[l], v) - y) >= b[l].size);
        }
        if (l > 0) /* right of the layer before, with room for the weights between */
            assert_true(b[l].x > b[l - 1].x + b[l - 1].columns * b[l - 1].size + (b[l - 1].columns - 1) * b[l - 1].gap_x + 20);
    }
    assert_true(b[1].columns > 1);
    assert_int_equal(b[0].columns, 1);
    assert_int_equal(b[2].columns, 1);

    plot_network narrow = {.present = true, .layers = 4, .units = {2, 8, 4, 2}};
    plot_unit_blocks(&narrow, 10, 620, 60, 570, b);
    double column_w = (620 - 30) / 4.0, size = fmin(fmin(510.0 / 8 * 0.82, column_w * 0.45), 90);
    double gap = fmin((510 - size * 8) / 7, size * 0.5);
    assert_true(size >= PLOT_UNIT_MAP_READABLE);
    for (int l = 0; l < 4; l++) {
        assert_int_equal(b[l].columns, 1);
        assert_true(b[l].size == size && b[l].gap_y == gap);
        assert_true(plot_unit_x(&b[l], 0) == floor(10 + 15 + column_w * (l + 0.5) - size / 2));
        for (int u = 0; u < narrow.units[l]; u++)
            assert_true(plot_unit_y(&b[l], u) ==
                        floor(60 + (510 - (narrow.units[l] * size + (narrow.units[l] - 1) * gap)) / 2 + u * (size + gap)));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_and_pdf_look_like_the_png),
        cmocka_unit_test(test_unit_blocks),
        cmocka_unit_test(test_axis_labels_name_the_panels),
        cmocka_unit_test(test_zoom_scales_the_whole_figure),
        cmocka_unit_test(test_page_png_is_narrower_for_two_panels),
        cmocka_unit_test(test_headless_never_opens_a_window),
        cmocka_unit_test(test_ticks_are_nice_numbers),
        cmocka_unit_test(test_drawn_exponent_labels_share_one_style),
        cmocka_unit_test(test_ticks_far_from_zero_take_an_offset),
        cmocka_unit_test(test_drawn_offset_labels_are_short),
        cmocka_unit_test(test_colour_bar_labels_have_a_minus_sign),
        cmocka_unit_test(test_cells_and_caption_have_a_minus_sign),
        cmocka_unit_test(test_tiny_colour_bar_labels_differ),
        cmocka_unit_test(test_cells_not_finite_read_as_the_repl_prints),
        cmocka_unit_test(test_wide_heatmap_keeps_its_labels_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
