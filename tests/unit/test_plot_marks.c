/* test_plot_marks.c — live plots, headless, as test_plot.c checks them:
 * whole series replaced, legends, titles, marks and their labels, several
 * paths, savefig's time and interruption, contour levels as asked, the
 * axes' names; at :zoom 1.5 too, the axes' names and the colour bars'
 * labels inside the figure, and a legend clear of the dots at its edge. */
#include "plot_test_util.h"

/* ---- whole series, titles, marks, several paths -------------------------------- */

static void test_whole_series_is_replaced(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double xs[50], data[50], fit[50];
    for (int i = 0; i < 50; i++) {
        xs[i] = i / 49.0;
        data[i] = sin(6.283 * xs[i]) + (i % 3 - 1) * 0.2;
        fit[i] = 0;
    }
    assert_int_equal(viz_plot_series(plot, "data", xs, data, 50, true, err), 0);
    assert_int_equal(viz_plot_series(plot, "fit", xs, fit, 50, false, err), 0);
    for (int i = 0; i < 50; i++) fit[i] = sin(6.283 * xs[i]);
    assert_int_equal(viz_plot_series(plot, "fit", xs, fit, 50, false, err), 0); /* replaced */
    assert_int_equal(plot->series_count, 2);
    assert_int_equal(plot->series[1].count, 50);
    assert_int_equal(plot->series[1].colour, 1);
    image img;
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 900); /* one panel: x, y */
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, NULL, NULL, NULL, NULL));
    assert_false(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, NULL, NULL));
    /* the fit is the new curve: its colour at sin's top, not on the old zero line */
    const SDL_Color second_series = {255, 127, 14, 255};
    double px, py;
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[12], fit[12], &px, &py);
    assert_true(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), second_series, 20));
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[30], 0, &px, &py);
    assert_false(near_colour(pixel_at(&img, (int)floor(px), (int)floor(py)), second_series, 60));
    /* data are dots with no line between them */
    pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[20], data[20], &px, &py);
    SDL_Color dot = pixel_at(&img, (int)floor(px), (int)floor(py));
    assert_true(dot.b > dot.r + 60); /* the first colour, blue, a little see-through */
    release(&img);
    /* appended series go beside the whole ones */
    viz_plot_append(plot, "loss", 1, err);
    viz_plot_append(plot, "loss", 0.5, err);
    save_and_load(plot, &img);
    assert_int_equal(img.surface->w, 1400);
    int series_right, xy_left;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, NULL, &series_right, NULL));
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_XY, &xy_left, NULL, NULL, NULL));
    assert_true(series_right < 700 && xy_left > 700);
    release(&img);
    viz_plot_free(plot);
}

/* A wave of eight periods and a quarter fills every corner and every place along the
 * edges with its peaks: the range grows at the top by the legend's height,
 * so the legend hides no point (lstm_sine's first peak). */
static void test_legend_makes_room_above_a_wave(void **state) {
    viz_plot *plot = viz_plot_new(true);
    double xs[200], wave[200];
    for (int i = 0; i < 200; i++) xs[i] = 16.5 * 3.14159265358979 * i / 199, wave[i] = sin(xs[i]);
    assert_int_equal(viz_plot_series(plot, "wave", xs, wave, 200, true, err), 0);
    assert_int_equal(viz_plot_series(plot, "prediction", xs, wave, 200, false, err), 0);
    image img;
    save_and_load(plot, &img);
    const plot_axes *a = &plot->axes[VIZ_PLOT_PANEL_XY];
    assert_true(a->y_max > 1.25);          /* 1 + 5 % would be 1.1 */
    assert_true(a->y_min > -1.2);          /* the bottom as it was */
    /* the rows above the highest point are free of data (the legend's) */
    double px, top;
    pixel_of(plot, VIZ_PLOT_PANEL_XY, 0, 1.0, &px, &top);
    assert_true(top - a->top > 55);
    release(&img);
    viz_plot_free(plot);
}

/* A mark's label goes beside the cross where no path crosses it: above right
 * by default, below right when a path leaves the mark up and to the right
 * (matyas's path into its minimum), above left when paths take both right
 * sides. */
static void test_mark_label_avoids_paths(void **state) {
    for (int layout = 0; layout < 3; layout++) {
        viz_plot *plot = viz_plot_new(true);
        assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
        for (int i = 0; i <= 20 && layout > 0; i++)
            viz_plot_track(plot, "up right", 1.5 * (20 - i) / 20, 1.5 * (20 - i) / 20, err);
        for (int i = 0; i <= 20 && layout > 1; i++)
            viz_plot_track(plot, "down right", 1.5 * (20 - i) / 20, -1.5 * (20 - i) / 20, err);
        assert_int_equal(viz_plot_mark(plot, 0, 0, "minimum", err), 0);
        image img;
        save_and_load(plot, &img);
        double mx, my;
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &mx, &my);
        int x = (int)mx, y = (int)my;
        int up_right = dark_pixels(&img, x + 10, y - 32, x + 110, y - 9);
        int down_right = dark_pixels(&img, x + 10, y + 9, x + 110, y + 32);
        int up_left = dark_pixels(&img, x - 110, y - 32, x - 10, y - 9);
        printf("    layout %d: label pixels up right %d, down right %d, up left %d\n", layout, up_right, down_right,
               up_left);
        int expected[3] = {up_right, down_right, up_left}, others = 0;
        for (int k = 0; k < 3; k++) others += k != layout ? expected[k] : 0;
        assert_true(expected[layout] > 60);
        assert_true(others < 10);
        release(&img);
        viz_plot_free(plot);
    }
}

/* A mark near the frame's right edge, a path through it from the upper
 * left on to the lower right and another under it on the left (the
 * optimizer race's Adam at (1, 1)): its label goes above right, slid left
 * into the frame, not over a path on the left. */
static void test_mark_label_slides_into_the_frame(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
    for (int i = 0; i <= 40; i++) {
        double t = i / 30.0; /* (-1.5, 1.5) at 0, the mark at 1, on to the lower right */
        viz_plot_track(plot, "through", -1.5 + 2.8 * t, 1.5 - 1.5 * t, err);
    }
    for (int i = 0; i <= 20; i++) viz_plot_track(plot, "under", -1.5 + 2.5 * i / 20, -0.25, err);
    for (int i = 1; i <= 10; i++) viz_plot_track(plot, "under", 1.0, -0.25 - 1.2 * i / 10, err);
    assert_int_equal(viz_plot_mark(plot, 1.3, 0, "minimum (1, 1)", err), 0);
    image img;
    save_and_load(plot, &img);
    int right;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, NULL, &right, NULL));
    double mx, my;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 1.3, 0, &mx, &my);
    int x = (int)mx, y = (int)my;
    assert_true(right - x < 140); /* no room for the label right of the cross */
    int above = dark_pixels(&img, x - 40, y - 32, right, y - 9);
    int up_left = dark_pixels(&img, x - 160, y - 32, x - 45, y - 9);
    int down_left = dark_pixels(&img, x - 160, y + 9, x - 10, y + 32);
    printf("    label pixels above, slid into the frame %d, up left %d, down left %d\n", above, up_left, down_left);
    assert_true(above > 60);
    assert_true(up_left < 10 && down_left < 10);
    release(&img);
    viz_plot_free(plot);
}

static void test_title_marks_and_start_markers(void **state) {
    viz_plot *plot = viz_plot_new(true);
    assert_int_equal(viz_plot_contour(plot, bowl, NULL, -2, 2, -2, 2, err), 0);
    /* two paths from one start: both rings show, each in its own colour */
    const SDL_Color second_path = {255, 127, 14, 255};
    viz_plot_track(plot, "a", 1.5, 1.5, err);
    viz_plot_track(plot, "a", 1.0, 0.5, err);
    viz_plot_track(plot, "b", 1.5, 1.5, err);
    viz_plot_track(plot, "b", 0.5, 1.0, err);
    assert_int_equal(viz_plot_mark(plot, 0, 0, "minimum", err), 0);
    image img;
    save_and_load(plot, &img);
    int left, top, right, bottom;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, &left, &top, &right, &bottom));
    assert_int_equal(dark_pixels(&img, 300, 0, 600, top - 20), 0); /* no title yet */
    double sx, sy;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 1.5, 1.5, &sx, &sy);
    int first = 0, second = 0;
    for (int y = (int)sy - 14; y <= (int)sy + 14; y++)
        for (int x = (int)sx - 14; x <= (int)sx + 14; x++) {
            first += near_colour(pixel_at(&img, x, y), first_path, 30);
            second += near_colour(pixel_at(&img, x, y), second_path, 30);
        }
    assert_true(first > 20 && second > 20);
    /* the mark: a dark cross at the point, its label above right */
    double mx, my;
    pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 0, 0, &mx, &my);
    assert_true(dark(pixel_at(&img, (int)floor(mx), (int)floor(my))));
    assert_true(dark(pixel_at(&img, (int)floor(mx + 4), (int)floor(my + 4))));
    assert_true(dark_pixels(&img, (int)mx + 8, (int)my - 30, (int)mx + 100, (int)my - 5) > 60);
    release(&img);

    assert_int_equal(viz_plot_set_title(plot, "Bowl", err), 0);
    save_and_load(plot, &img);
    int titled_top;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_CONTOUR, NULL, &titled_top, NULL, NULL));
    assert_true(titled_top > top); /* room for the title */
    assert_true(dark_pixels(&img, 380, 0, 520, titled_top - 20) > 80);
    release(&img);
    viz_plot_clear(plot);
    assert_null(plot->title);
    assert_int_equal(plot->mark_count, 0);
    viz_plot_free(plot);
}

/* A title wider than the figure (a lesson's title at :zoom 2.5, or in a
 * narrowed window) wraps into lines inside it: no ink at the figure's left
 * and right edges, all of it above the panel, none of it cut off. */
static void test_long_title_wraps_inside_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 20; i++) assert_int_equal(viz_plot_append(plot, "loss", 1.0 / (i + 1), err), 0);
    viz_plot_set_zoom(plot, 2.5);
    assert_int_equal(viz_plot_set_title(plot, "DeZero's spiral: loss and accuracy per epoch", err), 0);
    image img;
    save_and_load(plot, &img);
    int top, w = img.surface->w;
    assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, NULL, &top, NULL, NULL));
    assert_int_equal(dark_pixels(&img, 0, 0, 8, top - 1), 0);         /* nothing cut at the left */
    assert_int_equal(dark_pixels(&img, w - 8, 0, w, top - 1), 0);     /* nor at the right */
    assert_true(dark_pixels(&img, 0, 0, w, top / 2) > 200);           /* its first line */
    assert_true(dark_pixels(&img, 0, top / 2, w, top - 20) > 200);    /* and the next, above the panel */
    release(&img);
    viz_plot_free(plot);
}

/* Two series with the same values, and two paths with the same points (as
 * Adam's and AdamW's for their first steps): the one drawn first still
 * shows along the line, through the gaps of the other's dashes. */
static void test_overlapping_lines_stay_visible(void **state) {
    viz_plot *plot = viz_plot_new(true);
    for (int i = 0; i < 150; i++) { /* long enough to draw no dot per point */
        assert_int_equal(viz_plot_append(plot, "adam", i, err), 0);
        assert_int_equal(viz_plot_append(plot, "adamw", i, err), 0);
        assert_int_equal(viz_plot_track(plot, "p", i, i, err), 0);
        assert_int_equal(viz_plot_track(plot, "q", i, i, err), 0);
    }
    image img;
    save_and_load(plot, &img);
    const SDL_Color second_series = {255, 127, 14, 255}, second_path = {255, 127, 14, 255};
    struct {
        viz_plot_panel panel;
        SDL_Color under, over;
    } cases[] = {{VIZ_PLOT_PANEL_SERIES, first_series, second_series},
                 {VIZ_PLOT_PANEL_CONTOUR, first_path, second_path}};
    for (int c = 0; c < 2; c++) {
        int under = 0, over = 0;
        for (int k = 0; k < 400; k++) {
            double t = 10 + 120 * k / 400.0, px, py;
            pixel_of(plot, cases[c].panel, t, t, &px, &py);
            SDL_Color seen = pixel_at(&img, (int)floor(px), (int)floor(py));
            under += near_colour(seen, cases[c].under, 40);
            over += near_colour(seen, cases[c].over, 40);
        }
        if (under < 40 || over < 40)
            fail_msg("panel %d: %d samples of the line beneath, %d of the one above", c, under, over);
    }
    release(&img);
    viz_plot_free(plot);
}

/* savefig's time grows linearly with the points (CPU time of 2,000 and
 * 20,000, in this run): a line through unsorted points crosses itself
 * everywhere, and 1e6 dots once took minutes and gigabytes. */
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
        assert_below(many, 20 * few);
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

static double matyas(void *user, double x, double y) {
    (void)user;
    return 0.26 * (x * x + y * y) - 0.48 * x * y;
}

static double tanh_steps(void *user, double x, double y) {
    (void)user, (void)x;
    return tanh(5 * y);
}

/* tanh(5*b) is flat at -1 below and at +1 above: most samples sit near its
 * minimum, as in a valley, but it goes negative and piles up at its top as
 * much, so the automatic levels are linear and both halves get curves. */
static void test_contour_levels_of_a_step_are_linear(void **state) {
    viz_plot *plot = viz_plot_new(true);
    viz_plot_levels nine = {.count = 9, .spacing = VIZ_PLOT_SPACING_AUTO};
    assert_int_equal(viz_plot_contour_levels(plot, tanh_steps, NULL, -1, 1, -1, 1, &nine, err), 0);
    assert_false(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 9);
    int above = 0, below = 0;
    for (int i = 0; i < plot->contour.level_count; i++)
        above += plot->contour.levels[i] > 0.1, below += plot->contour.levels[i] < -0.1;
    assert_true(above >= 3 && below >= 3);
    /* segments traced in the upper half of the plane too */
    size_t upper = 0;
    for (size_t i = 0; i < plot->contour.segment_count; i++) upper += plot->contour.segments[i].y0 > 0.05;
    assert_true(upper > 20);
    /* and without a count */
    assert_int_equal(viz_plot_contour(plot, tanh_steps, NULL, -1, 1, -1, 1, err), 0);
    assert_false(plot->contour.log_levels);
    viz_plot_free(plot);
}

static void test_contour_levels_as_asked(void **state) {
    viz_plot *plot = viz_plot_new(true);
    /* Matyas from (1, 1) (f = 0.04) slides down the diagonal to 0: the
     * automatic levels cross that path several times */
    assert_int_equal(viz_plot_contour(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, err), 0);
    int below = 0;
    for (int i = 0; i < plot->contour.level_count; i++) below += plot->contour.levels[i] < 0.04;
    assert_true(below >= 3);
    /* a count: exactly that many, over the whole range 0 .. 8, the lowest
     * close to the minimum (the bowl's floor gets a ring) */
    viz_plot_levels six = {.count = 6, .spacing = VIZ_PLOT_SPACING_LINEAR};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &six, err), 0);
    assert_false(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 6);
    char caption_linear[112];
    plot_contour_caption(&plot->contour, caption_linear, sizeof caption_linear);
    assert_string_equal(caption_linear, "6 levels, 0.4 to 6.7 (linear spacing)");
    assert_close(plot->contour.levels[0], 0.4);   /* 0.3 of a step of 8/6 */
    assert_close(plot->contour.levels[1], 1.3);   /* then evenly, to two digits */
    assert_close(plot->contour.levels[5], 6.7);
    /* levels=12 on Matyas (0 .. 2.25): rings inside the box around the
     * minimum, below f(1, 1) = 0.04 */
    viz_plot_levels twelve = {.count = 12, .spacing = VIZ_PLOT_SPACING_AUTO};
    assert_int_equal(viz_plot_contour_levels(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, &twelve, err), 0);
    assert_int_equal(plot->contour.level_count, 12);
    assert_true(plot->contour.levels[0] < 0.04);
    assert_true(plot->contour.levels[11] > 0.75 * plot->contour.value_max);
    /* a count with log spacing: exactly that many, one factor apart */
    viz_plot_levels twenty = {.count = 20, .spacing = VIZ_PLOT_SPACING_LOG};
    assert_int_equal(viz_plot_contour_levels(plot, matyas, NULL, -1.5, 1.5, -1.5, 1.5, &twenty, err), 0);
    assert_true(plot->contour.log_levels);
    assert_int_equal(plot->contour.level_count, 20);
    double first_factor = plot->contour.levels[1] / plot->contour.levels[0];
    double last_factor = plot->contour.levels[19] / plot->contour.levels[18];
    assert_true(first_factor > 1.2 && fabs(first_factor / last_factor - 1) < 0.25);
    assert_true(plot->contour.levels[19] > 0.5 * plot->contour.value_max);
    char caption_log[112], want[112], low[32], high[32];
    snprintf(low, sizeof low, "%.3g", plot->contour.levels[0]);
    snprintf(high, sizeof high, "%.3g", plot->contour.levels[19]);
    snprintf(want, sizeof want, "20 levels, %s to %s (log spacing)", low, high);
    plot_contour_caption(&plot->contour, caption_log, sizeof caption_log);
    assert_string_equal(caption_log, want);
    /* log spacing asked for a bowl */
    viz_plot_levels log_spacing = {.spacing = VIZ_PLOT_SPACING_LOG};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &log_spacing, err), 0);
    assert_true(plot->contour.log_levels);
    assert_true(plot->contour.levels[1] / plot->contour.levels[0] < 3);
    /* a list: sorted, once each */
    const double listed[] = {2, 0.5, 1, 2};
    viz_plot_levels given = {.values = listed, .count = 4};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &given, err), 0);
    assert_int_equal(plot->contour.level_count, 3);
    assert_close(plot->contour.levels[0], 0.5);
    assert_close(plot->contour.levels[2], 2);
    assert_true(plot->contour.given_levels);
    /* the caption over the panel (the web page draws the same text) */
    char caption[112];
    plot_contour_caption(&plot->contour, caption, sizeof caption);
    assert_string_equal(caption, "3 levels, 0.5 to 2 (given)");
    const double far_apart[] = {1e-5, 2e6};
    viz_plot_levels far = {.values = far_apart, .count = 2};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &far, err), 0);
    plot_contour_caption(&plot->contour, caption, sizeof caption);
    assert_string_equal(caption, "2 levels, 1e\xe2\x88\x92" "5 to 2e6 (given)"); /* a real minus sign */
    const double close_together[] = {1, 1.00002}; /* ends far from zero against their span */
    viz_plot_levels close = {.values = close_together, .count = 2};
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &close, err), 0);
    plot_contour_caption(&plot->contour, caption, sizeof caption);
    assert_string_equal(caption, "2 levels, 1 to 1.00002 (given)"); /* "1 to 1" at three digits */
    assert_int_equal(viz_plot_contour_levels(plot, bowl, NULL, -2, 2, -2, 2, &given, err), 0);
    /* every segment of level 1 (x^2 + y^2 = 1) is on the unit circle */
    for (size_t i = 0; i < plot->contour.segment_count; i++) {
        const plot_segment *g = &plot->contour.segments[i];
        if (g->level == 1) assert_true(fabs(hypot(g->x0, g->y0) - 1) < 0.01);
    }
    viz_plot_free(plot);
}

/* The axes' names every drawing writes (savefig's, the window's, the web
 * page's): given ones, else the panel's defaults. */
static void test_axis_names(void **state) {
    viz_plot *plot = viz_plot_new(true);
    plot_axis_names names;
    plot_name_axes(plot, VIZ_PLOT_PANEL_SERIES, &names); /* empty: a loss panel */
    assert_string_equal(names.x, "step");
    assert_string_equal(names.y, "");
    viz_plot_append(plot, "loss", 1, err);
    plot_name_axes(plot, VIZ_PLOT_PANEL_SERIES, &names);
    assert_string_equal(names.y, "loss"); /* the one line */
    viz_plot_append(plot, "val", 2, err);
    plot_name_axes(plot, VIZ_PLOT_PANEL_SERIES, &names);
    assert_string_equal(names.y, ""); /* two lines: their legend names them */
    double xs[3] = {0, 1, 2}, ys[3] = {1, 0, 1};
    assert_int_equal(viz_plot_series(plot, "wave", xs, ys, 3, false, err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_XY, &names);
    assert_string_equal(names.x, "x");
    assert_string_equal(names.y, "wave"); /* the losses are another panel's */
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    assert_string_equal(names.x, "x0");
    assert_string_equal(names.y, "x1");
    assert_int_equal(viz_plot_track(plot, "a, b", 0, 0, err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    assert_string_equal(names.x, "a");
    assert_string_equal(names.y, "b");
    assert_int_equal(viz_plot_track(plot, "w", 1, 1, err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names); /* two paths */
    assert_string_equal(names.x, "x0");
    assert_string_equal(names.y, "x1");
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_CONTOUR, "weight", NULL, err), 0);
    assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, NULL, "cost", err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    assert_string_equal(names.x, "weight");
    assert_string_equal(names.y, "x1");
    plot_name_axes(plot, VIZ_PLOT_PANEL_SERIES, &names);
    assert_string_equal(names.x, "step");
    assert_string_equal(names.y, "cost");
    viz_plot_clear(plot);
    /* a path's names too long to split, or no name before the comma */
    char longer[100];
    snprintf(longer, sizeof longer, "%s, y", "a_name_of_seventy_letters_that_cannot_stand_under_an_axis_of_a_plot__");
    assert_int_equal(viz_plot_track(plot, longer, 0, 0, err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    assert_string_equal(names.x, "x0");
    viz_plot_clear(plot);
    assert_int_equal(viz_plot_track(plot, ", y", 0, 0, err), 0);
    plot_name_axes(plot, VIZ_PLOT_PANEL_CONTOUR, &names);
    assert_string_equal(names.x, "x0");
    viz_plot_free(plot);
}

/* The rows (or, across, the columns) with dark pixels in [x0, x1) x [y0, y1):
 * the first and the last; false when there are none. */
static bool dark_span(const image *img, int x0, int y0, int x1, int y1, bool across, int *first, int *last) {
    *first = -1;
    for (int i = across ? x0 : y0; i < (across ? x1 : y1); i++) {
        bool any = across ? dark_pixels(img, i, y0, i + 1, y1) > 0 : dark_pixels(img, x0, i, x1, i + 1) > 0;
        if (!any) continue;
        if (*first < 0) *first = i;
        *last = i;
    }
    return *first >= 0;
}

/* At :zoom 1.5 (a projector) the axes' names stay wholly inside the figure,
 * 14 units (21 px) from its edges: one too long is cut short with an
 * ellipsis (a long y label ran off the figure's top, a long x label off
 * both sides), one that fits is centred on its frame (a y label began at
 * the frame's middle and ran upwards). */
static void test_axis_names_stay_in_the_figure(void **state) {
    viz_plot *plot = viz_plot_new(true);
    viz_plot_set_zoom(plot, 1.5);
    for (int i = 0; i < 50; i++) viz_plot_append(plot, "loss", 1.0 / (i + 1), err);
    const char *long_name = "training loss (cross entropy, mean over the batch, averaged again over the epoch)";
    for (int k = 0; k < 2; k++) {
        assert_int_equal(viz_plot_set_labels(plot, VIZ_PLOT_PANEL_SERIES, k == 0 ? long_name : "",
                                             k == 0 ? long_name : "training loss", err), 0);
        image img;
        save_and_load(plot, &img);
        int w = img.surface->w, h = img.surface->h, left, top, right, bottom, first, last;
        assert_true(viz_plot_panel_box(plot, VIZ_PLOT_PANEL_SERIES, &left, &top, &right, &bottom));
        /* the y label: left of the tick labels */
        assert_true(dark_span(&img, 0, 0, left / 2, h, false, &first, &last));
        printf("    y label %s: rows %d to %d of %d, the frame's %d to %d\n", k == 0 ? "too long" : "that fits", first,
               last, h, top, bottom);
        assert_true(first >= 21 && last < h - 21);
        if (k == 0) assert_true(last - first > h * 3 / 4); /* cut short, not left out */
        else assert_true(abs((first + last) - (top + bottom)) <= 6);
        /* the x label: below the tick labels */
        assert_true(dark_span(&img, 0, bottom + 45, w, h, true, &first, &last));
        printf("    x label: columns %d to %d of %d, the frame's %d to %d\n", first, last, w, left, right);
        assert_true(first >= 21 && last < w - 21);
        if (k == 1) assert_true(abs((first + last) - (left + right)) <= 6); /* "step" */
        release(&img);
    }
    viz_plot_free(plot);
}

/* A colour bar's labels as wide as "-0.000254" (a small model's output),
 * "0.125" right of eight classes' one grey bar, a wide matrix's "-0.000219": at
 * zoom 1 and 1.5 they are drawn, and end 14 units inside the figure's right
 * edge as text does at its left (they ran to the edge and were cut). */
static void test_colour_bar_labels_keep_the_margin(void **state) {
    enum { N = 20 };
    static double one[N * N], eight[N * N * 8], wide[2 * 12];
    for (int row = 0; row < N; row++)
        for (int column = 0; column < N; column++) {
            one[row * N + column] = 2.54e-4 * (column - row) / (N - 1);
            double angle = atan2(row - 9.5, column - 9.5);
            for (int k = 0; k < 8; k++) eight[(row * N + column) * 8 + k] = 3 * cos(angle - k * 0.785398);
        }
    for (int i = 0; i < 24; i++) wide[i] = 2.19e-4 * sin(i * 1.7);
    for (int zoom = 0; zoom < 2; zoom++) {
        for (int picture = 0; picture < 3; picture++) {
            viz_plot *plot = viz_plot_new(true);
            viz_plot_set_zoom(plot, zoom == 0 ? 1 : 1.5);
            viz_plot_panel panel = picture < 2 ? VIZ_PLOT_PANEL_CONTOUR : VIZ_PLOT_PANEL_HEATMAP;
            if (picture == 0) assert_int_equal(viz_plot_field(plot, one, N, N, 1, -1, 1, -1, 1, 0, err), 0);
            if (picture == 1) assert_int_equal(viz_plot_field(plot, eight, N, N, 8, -1, 1, -1, 1, 0.5, err), 0);
            if (picture == 2) assert_int_equal(viz_plot_heatmap(plot, wide, 2, 12, "small weights", err), 0);
            image img;
            save_and_load(plot, &img);
            int w = img.surface->w, h = img.surface->h, right;
            assert_true(viz_plot_panel_box(plot, panel, NULL, NULL, &right, NULL));
            /* the labels start right of the bar: 16 units off the picture, the
             * bar 16 wide (eight classes' too: one grey bar), 5 more */
            double scale = zoom == 0 ? 1 : 1.5;
            int labels = right + (int)ceil(37 * scale), margin = (int)(14 * scale), inked = 0;
            for (int y = 0; y < h; y++)
                for (int x = w - margin; x < w; x++) inked += !white(pixel_at(&img, x, y));
            int label_pixels = dark_pixels(&img, labels, 0, w, h);
            printf("    zoom %g, picture %d: label pixels %d, %d inked in the last %d columns\n", scale, picture,
                   label_pixels, inked, margin);
            assert_true(label_pixels > 60);
            assert_int_equal(inked, 0);
            release(&img);
            viz_plot_free(plot);
        }
    }
}

/* The legend's box as drawn, in pixels: the columns and rows from its
 * border's top and bottom edges (RGB(200, 200, 200) in runs of 8 or more:
 * a text's edge has the odd such pixel).  False when none is drawn. */
static bool drawn_legend(const image *img, int *x0, int *y0, int *x1, int *y1) {
    *x0 = *y0 = 1 << 30;
    *x1 = *y1 = -1;
    for (int y = 0; y < img->surface->h; y++)
        for (int x = 0, run = 0; x < img->surface->w; x++) {
            SDL_Color c = pixel_at(img, x, y);
            run = c.r == 200 && c.g == 200 && c.b == 200 ? run + 1 : 0;
            if (run < 8) continue;
            *x0 = x - 7 < *x0 ? x - 7 : *x0;
            *x1 = x > *x1 ? x : *x1;
            *y0 = y < *y0 ? y : *y0;
            *y1 = y > *y1 ? y : *y1;
        }
    return *x1 >= 0 && *y1 > *y0;
}

/* How far (x, y) is from the legend's box [x0, x1 + 1) x [y0, y1 + 1), in
 * pixels: 0 inside it. */
static double gap_to_legend(const int box[4], double x, double y) {
    double dx = fmax(fmax(box[0] - x, x - (box[2] + 1)), 0), dy = fmax(fmax(box[1] - y, y - (box[3] + 1)), 0);
    return hypot(dx, dy);
}

/* Draws the plot: its legend's box as drawn (x0, y0, x1, y1) and the pixel
 * of the panel's data point (x, y). */
static void legend_and_pixel(viz_plot *plot, viz_plot_panel panel, int box[4], double x, double y, double *px,
                             double *py) {
    image img;
    save_and_load(plot, &img);
    assert_true(drawn_legend(&img, &box[0], &box[1], &box[2], &box[3]));
    pixel_of(plot, panel, x, y, px, py);
    release(&img);
}

/* A loss panel of 18 series listed the first 16 in its legend, the other
 * two silently missing: now 16 fill its 16 rows, the last with its line,
 * and 18 show the first 15 and a last row of words ("… and 3 more") with
 * no line in its swatch. */
static void test_series_legend_says_how_many_it_leaves_out(void **state) {
    for (int series = 16; series <= 18; series += 2) {
        viz_plot *plot = viz_plot_new(true);
        for (int k = 0; k < series; k++) {
            char name[16];
            snprintf(name, sizeof name, "run %d", k);
            for (int i = 0; i < 10; i++) viz_plot_append(plot, name, k + i / 10.0, err);
        }
        image img;
        save_and_load(plot, &img);
        int x0, y0, x1, y1;
        assert_true(drawn_legend(&img, &x0, &y0, &x1, &y1));
        /* plot_legend.c: padding 9, swatch 30, gap 8; 16 rows of `row`, the last 4 short */
        double row = (y1 - y0 + 1 + 4 - 18) / 16.0, middle = y0 + 9 + 15 * row + (row - 4) / 2;
        assert_true(row > 12 && row < 24);
        int swatch = 0, text = 0;
        for (int y = (int)middle - 3; y <= (int)middle + 3; y++) {
            for (int x = x0 + 10; x < x0 + 38; x++) {
                SDL_Color c = pixel_at(&img, x, y);
                swatch += c.r < 200 || c.g < 200 || c.b < 200;
            }
            for (int x = x0 + 47; x < x1 - 8; x++) text += dark(pixel_at(&img, x, y));
        }
        printf("    %d series: the legend %d to %d (%d to %d down): its last row's swatch %d pixels, text %d\n",
               series, x0, x1, y0, y1, swatch, text);
        if (series == 16) assert_true(swatch > 20);
        else assert_int_equal(swatch, 0);
        assert_true(text > 20);
        release(&img);
        viz_plot_free(plot);
    }
}

/* A legend counts a dot as hidden when its disc overlaps the legend's box,
 * not only its centre: a row of data dots (radius 3.6) whose centres lie
 * 1.5 px below where the legend went, and a path's current point (its disc
 * 6.5 across and a rim) 3 px below it, each half under the legend before,
 * send the legend elsewhere; no disc drawn overlaps it. */
static void test_legend_leaves_dots_at_its_edge_whole(void **state) {
    /* the data: dots at the range's corners, and a row across at height v */
    double xs[45], ys[45];
    int box[4];
    double v = 0.5;
    for (int pass = 0; pass < 2; pass++) {
        viz_plot *plot = viz_plot_new(true);
        for (int i = 0; i < 4; i++) xs[i] = i % 2, ys[i] = i / 2;
        for (int i = 0; i < 41; i++) xs[4 + i] = i / 40.0, ys[4 + i] = v;
        assert_int_equal(viz_plot_series(plot, "data", xs, ys, 45, true, err), 0);
        double px, py, bottom_y;
        legend_and_pixel(plot, VIZ_PLOT_PANEL_XY, box, 0, 0, &px, &bottom_y);
        pixel_of(plot, VIZ_PLOT_PANEL_XY, 0, 1, &px, &py);
        if (pass == 0) {
            /* the row's centres 1.5 px below the legend's box (the range is the corners') */
            v = (box[3] + 1 + 1.5 - bottom_y) / (py - bottom_y);
        } else {
            double nearest = INFINITY;
            for (int i = 0; i < 45; i++) {
                pixel_of(plot, VIZ_PLOT_PANEL_XY, xs[i], ys[i], &px, &py);
                nearest = fmin(nearest, gap_to_legend(box, px, py));
            }
            printf("    the row at %g: the nearest dot's centre %.1f px from the legend\n", v, nearest);
            assert_true(nearest >= 3.6 - 0.5);
        }
        viz_plot_free(plot);
    }
    /* paths: a cross, and a short path from the middle whose current point
     * goes just below where the legend went */
    double target_x = 0.5, target_y = 0.5;
    for (int pass = 0; pass < 2; pass++) {
        viz_plot *plot = viz_plot_new(true);
        for (int i = 0; i <= 10; i++) {
            assert_int_equal(viz_plot_track(plot, "up", i / 10.0, i / 10.0, err), 0);
            assert_int_equal(viz_plot_track(plot, "down", i / 10.0, 1 - i / 10.0, err), 0);
        }
        assert_int_equal(viz_plot_track(plot, "last", 0.5, 0.5, err), 0);
        assert_int_equal(viz_plot_track(plot, "last", target_x, target_y, err), 0);
        double px, py, x0, y0, x1, y1;
        legend_and_pixel(plot, VIZ_PLOT_PANEL_CONTOUR, box, 0, 0, &x0, &y0);
        pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, 1, 1, &x1, &y1);
        if (pass == 0) {
            target_x = ((box[0] + box[2]) / 2.0 - x0) / (x1 - x0);
            target_y = (box[3] + 1 + 3 - y0) / (y1 - y0);
        } else {
            pixel_of(plot, VIZ_PLOT_PANEL_CONTOUR, target_x, target_y, &px, &py);
            double gap = gap_to_legend(box, px, py);
            printf("    the current point at (%g, %g): %.1f px from the legend\n", target_x, target_y, gap);
            assert_true(gap >= 6.5 + 0.7 - 0.5);
        }
        viz_plot_free(plot);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_series_is_replaced),
        cmocka_unit_test(test_title_marks_and_start_markers),
        cmocka_unit_test(test_long_title_wraps_inside_the_figure),
        cmocka_unit_test(test_mark_label_avoids_paths),
        cmocka_unit_test(test_mark_label_slides_into_the_frame),
        cmocka_unit_test(test_contour_levels_as_asked),
        cmocka_unit_test(test_contour_levels_of_a_step_are_linear),
        cmocka_unit_test(test_legend_makes_room_above_a_wave),
        cmocka_unit_test(test_overlapping_lines_stay_visible),
        cmocka_unit_test(test_savefig_time_is_linear_in_points),
        cmocka_unit_test(test_interrupted_savefig_writes_nothing),
        cmocka_unit_test(test_axis_names),
        cmocka_unit_test(test_axis_names_stay_in_the_figure),
        cmocka_unit_test(test_colour_bar_labels_keep_the_margin),
        cmocka_unit_test(test_legend_leaves_dots_at_its_edge_whole),
        cmocka_unit_test(test_series_legend_says_how_many_it_leaves_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
