/* test_contain.c — Graphviz work in a forked child (viz/graph_contain.c):
 * a crash, a runaway loop or an allocation beyond the limit in the child is
 * an error message in the parent, which goes on; results come back whole.
 * Then the real case: the 601-node graph whose layout
 * crashes Debian's Graphviz either renders or is an error, in seconds. */
#include "testutil.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "graph.h"
#include "graph_contain.h"

static unsigned char *give_bytes(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)err;
    size_t n = *(size_t *)arg;
    unsigned char *bytes = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) bytes[i] = (unsigned char)(i * 7 + 3);
    *size = n;
    return bytes;
}

static void test_bytes_come_back_whole(void **state) {
    (void)state;
    size_t sizes[] = {0, 1, 65536, 3 << 20}; /* bigger than a pipe's buffer */
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char err[VIZ_ERRLEN] = "";
        size_t size = 12345;
        unsigned char *bytes = viz_contained(give_bytes, &sizes[k], &size, err);
        assert_non_null(bytes);
        assert_int_equal(size, sizes[k]);
        for (size_t i = 0; i < size; i++)
            if (bytes[i] != (unsigned char)(i * 7 + 3)) fail_msg("byte %zu differs", i);
        free(bytes);
    }
}

static unsigned char *give_error(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)arg, (void)size;
    snprintf(err, VIZ_ERRLEN, "Graphviz could not lay out the graph");
    return NULL;
}

static void test_error_comes_back(void **state) {
    (void)state;
    char err[VIZ_ERRLEN] = "";
    size_t size;
    assert_null(viz_contained(give_error, NULL, &size, err));
    assert_string_equal(err, "Graphviz could not lay out the graph");
}

static unsigned char *crash(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)arg, (void)size, (void)err;
    raise(SIGSEGV);
    return NULL;
}

static void test_crash_is_an_error(void **state) {
    (void)state;
    char err[VIZ_ERRLEN] = "";
    size_t size;
    assert_null(viz_contained(crash, NULL, &size, err));
    assert_non_null(strstr(err, "Graphviz crashed (Segmentation fault)"));
    assert_non_null(strstr(err, "every name is kept"));
}

static unsigned char *spin(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)arg, (void)size, (void)err;
    volatile unsigned long n = 0;
    for (;;) n++;
    return NULL;
}

static void test_cpu_limit_stops_a_runaway(void **state) {
    (void)state;
    viz_contain_set_limits(1, 0);
    char err[VIZ_ERRLEN] = "";
    size_t size;
    assert_null(viz_contained(spin, NULL, &size, err));
    viz_contain_set_limits(0, 0);
    assert_string_equal(err, "Graphviz was stopped after 1 s of CPU time (the graph is too big to "
                             "lay out: try fold=true or a smaller max_nodes)");
}

static unsigned char *hog(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)arg;
    size_t total = 0;
    for (int i = 0; i < 64; i++) { /* 1 GiB in all, the limit is 64 MiB */
        char *block = malloc((size_t)16 << 20);
        if (block == NULL) {
            snprintf(err, VIZ_ERRLEN, "out of memory after %zu MiB", total >> 20);
            return NULL;
        }
        memset(block, 1, (size_t)16 << 20);
        total += (size_t)16 << 20;
    }
    *size = 0;
    return malloc(1);
}

static void test_memory_limit(void **state) {
    (void)state;
    viz_contain_set_limits(0, (size_t)64 << 20);
    char err[VIZ_ERRLEN] = "";
    size_t size;
    unsigned char *bytes = viz_contained(hog, NULL, &size, err);
    viz_contain_set_limits(0, 0);
    assert_null(bytes);
    /* malloc's NULL, or a sanitizer's allocator ending the child */
    if (strstr(err, "out of memory after") == NULL && strstr(err, "every name is kept") == NULL)
        fail_msg("unexpected: %s", err);
}

/* GLib aborts the process when an allocation fails (g_malloc never returns
 * NULL), and Pango allocates through it while drawing a figure: in the
 * child that draws (viz_contained_drawing) such an abort is "out of memory
 * drawing the figure", and the parent goes on. */
static unsigned char *glib_allocation_fails(void *arg, size_t *size, char err[VIZ_ERRLEN]) {
    (void)arg, (void)size, (void)err;
    g_free(g_malloc((gsize)1 << 60)); /* more than any address space: GLib aborts */
    return NULL;
}

static void test_glib_abort_while_drawing_is_out_of_memory(void **state) {
    (void)state;
    char err[VIZ_ERRLEN] = "";
    size_t size;
    assert_null(viz_contained_drawing(glib_allocation_fails, NULL, &size, err));
    if (strncmp(err, "out of memory drawing the figure (the drawing library aborted", 61) != 0)
        fail_msg("unexpected: %s", err);
    /* a crash there is worded for the drawing, not Graphviz */
    assert_null(viz_contained_drawing(crash, NULL, &size, err));
    if (strstr(err, "the drawing library crashed") == NULL) fail_msg("unexpected: %s", err);
}

/* The graph that crashed Graphviz: y = sin(y) * x + y a hundred times, unfolded:
 * 601 nodes whose dot layout segfaulted in Debian's Graphviz 2.42/2.43 (in
 * its spline routing, after about 18 s of CPU in the x optimisation).  It
 * is drawn, not lost: its long edges call for the layout without the x
 * optimisation and with straight edges, which it survives; under a 10 s
 * CPU limit, so it cannot be the 18 s one. */
static void test_crashing_graph_is_drawn(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 1.0), *y = x;
    for (int i = 0; i < 100; i++) y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), x), y);
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.max_nodes = 5000;
    o.fold = 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/agrepl-contain-%ld.svg", (long)getpid());
    unlink(path);
    viz_contain_set_limits(10, 0);
    char err[VIZ_ERRLEN] = "";
    int nodes = 0, edges = 0;
    int rc = viz_graph_render(y, &o, path, &nodes, &edges, err);
    viz_contain_set_limits(0, 0);
    if (rc != 0) fail_msg("render: %s", err);
    assert_int_equal(nodes, 601);
    assert_int_equal(edges, 800);
    FILE *svg = fopen(path, "r");
    assert_non_null(svg);
    char line[4096];
    int drawn = 0;
    while (fgets(line, sizeof line, svg) != NULL) drawn += strstr(line, "class=\"node\"") != NULL;
    fclose(svg);
    assert_int_equal(drawn, 601 + 1); /* and the legend */
    unlink(path);
    assert_close(ag_item(x), 1.0); /* the session goes on */
}

/* A call per step (tag i + 1), titled so that every step is a group drawn
 * whole (a cluster): such graphs go to dot, not the layered layout. */
static const char *step_title(void *user, unsigned tag) {
    (void)user;
    return tag > 0 ? "f" : NULL;
}

/* A layout that runs out of the child's CPU time is drawn by the layered
 * fallback, not lost: y = f(y, x) with f(y, x) = sin(y) * x + y, 800 calls
 * drawn whole (4,801 nodes in 800 frames), takes dot about 7 s of CPU
 * (Graphviz 2.43), stopped here after 2 s; the layered layout takes about
 * 0.3 s (more under a sanitizer: the fallback gets the default CPU time,
 * not the 2 s).  Every node is in the SVG, and the note says what happened. */
static void test_slow_layout_is_drawn_by_the_fallback(void **state) {
    (void)state;
    ag_var *x = ag_scalar(ctx, 1.0), *y = x;
    for (unsigned i = 0; i < 800; i++) {
        unsigned before = ag_set_func_tag(ctx, i + 1);
        y = ag_add(ctx, ag_mul(ctx, ag_sin(ctx, y), x), y);
        ag_set_func_tag(ctx, before);
    }
    viz_graph_opts o;
    viz_graph_opts_default(&o);
    o.max_nodes = 5000;
    o.fold = 0;
    o.group_title = step_title;
    char path[64];
    snprintf(path, sizeof path, "/tmp/agrepl-contain-slow-%ld.svg", (long)getpid());
    unlink(path);
    viz_contain_set_limits(2, 0);
    char err[VIZ_ERRLEN] = "";
    int nodes = 0, edges = 0;
    int rc = viz_graph_render(y, &o, path, &nodes, &edges, err);
    viz_contain_set_limits(0, 0);
    if (rc != 0) fail_msg("render: %s", err);
    assert_int_equal(nodes, 4801);
    assert_string_equal(err, "Graphviz's layout ran out of CPU time on this graph: drawn with a simple "
                             "layered layout instead");
    FILE *svg = fopen(path, "r");
    assert_non_null(svg);
    char line[4096];
    int drawn = 0, lines = 0;
    while (fgets(line, sizeof line, svg) != NULL) {
        drawn += strstr(line, "class=\"node\"") != NULL;
        lines += strstr(line, "class=\"edge\"") != NULL;
    }
    fclose(svg);
    assert_int_equal(drawn, 4801 + 1); /* and the legend */
    assert_int_equal(lines, edges);
    unlink(path);
    assert_close(ag_item(x), 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_come_back_whole),
        cmocka_unit_test(test_error_comes_back),
        cmocka_unit_test(test_crash_is_an_error),
        cmocka_unit_test(test_cpu_limit_stops_a_runaway),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_glib_abort_while_drawing_is_out_of_memory),
        CTX_TEST(test_crashing_graph_is_drawn),
        CTX_TEST(test_slow_layout_is_drawn_by_the_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
