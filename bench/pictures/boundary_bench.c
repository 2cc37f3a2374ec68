/* boundary_bench.c — how often the decision boundary of a 2-16-16-1 MLP
 * on a 100x100 grid can be redrawn (the target: 30 a second): each
 * frame is what a training loop's boundary() and the window's redraw do,
 * the REPL's boundary(m, ...) (the grid in one batched forward, no graph;
 * the field and its threshold's curve recorded) and the whole figure drawn
 * by Cairo at the window's default size, with 100 moons points over it and
 * the loss beside it.  Prints one line:
 *   BOUNDARY boundary_100x100_mlp_2_16_16_1 frames=N ms/frame=T eval_ms=E draw_ms=D fps=F cpu_ms/frame=C cpu_fps=G
 * the median of the frames' wall times, and the process's CPU time per
 * frame (what holds on a loaded machine).  Built and run by make bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo.h>

#include "plot_internal.h"
#include "repl.h"
#include "viz_session.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int frames = argc > 1 ? atoi(argv[1]) : 200;
    if (frames < 5) frames = 5;
    repl_options opts = {.headless = true, .out = stdout, .err = stderr};
    repl *r = repl_new(&opts);
    const char *setup = "d = moons(100, seed=1)\nx = d[0]\nt = d[1]\n"
                        "m = mlp([16, 16, 1], activation=tanh, seed=1)\n"
                        "plot(1, \"loss\")\nplot(0.5, \"loss\")\nscatter(x, t)\n";
    if (r == NULL || repl_run(r, setup, "<bench>", 1) != 0) return 1;
    viz_plot *plot = repl_get_viz(r)->plot;
    int width, height;
    plot_figure_size(plot, false, &width, &height);
    cairo_surface_t *canvas = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    double cpu_start = cpu_ms();
    double *total = malloc(frames * sizeof *total), *eval = malloc(frames * sizeof *eval),
           *draw = malloc(frames * sizeof *draw);
    for (int i = 0; i < frames; i++) {
        double start = now_ms();
        if (repl_run(r, "boundary(m, [-1.5, 2.5], [-1, 1.5])\n", "<bench>", 1) != 0) return 1;
        double evaluated = now_ms();
        cairo_t *cr = cairo_create(canvas);
        plot_draw_figure(plot, cr, width, height);
        cairo_destroy(cr);
        cairo_surface_flush(canvas);
        double end = now_ms();
        total[i] = end - start;
        eval[i] = evaluated - start;
        draw[i] = end - evaluated;
    }
    double cpu_per_frame = (cpu_ms() - cpu_start) / frames;
    qsort(total, frames, sizeof *total, compare);
    qsort(eval, frames, sizeof *eval, compare);
    qsort(draw, frames, sizeof *draw, compare);
    double median = total[frames / 2];
    printf("BOUNDARY boundary_100x100_mlp_2_16_16_1 frames=%d ms/frame=%.2f eval_ms=%.2f draw_ms=%.2f fps=%.0f "
           "cpu_ms/frame=%.2f cpu_fps=%.0f (%dx%d figure; target >= 30)\n",
           frames, median, eval[frames / 2], draw[frames / 2], 1000 / median, cpu_per_frame, 1000 / cpu_per_frame,
           width, height);
    cairo_surface_destroy(canvas);
    free(total);
    free(eval);
    free(draw);
    repl_free(r);
    return 0;
}
