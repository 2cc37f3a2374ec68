/* test_viz_module.c — the viz module's table (viz/viz_module.h) only grows
 * at its end, and VIZ_MODULE_VERSION rises with each change: an agrepl
 * refuses a module of another version, so a table changed without a new
 * version would be called through the wrong entries.  The list below is the
 * table as released, with the version that added each entry; an entry
 * inserted before others, or added without a row here and a new version,
 * fails. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "viz_module.h"

typedef struct released_entry {
    const char *name;
    size_t offset;
    int since; /* the version that added it */
} released_entry;

#define ENTRY(member, version) {#member, offsetof(viz_module, member), version}
static const released_entry released[] = {
    ENTRY(graph_opts_default, 1),
    ENTRY(graph_dot, 1),
    ENTRY(graph_render, 1),
    ENTRY(graph_pixels, 1),
    ENTRY(graph_tree, 1),
    ENTRY(walk_build, 1),
    ENTRY(walk_free, 1),
    ENTRY(window_hints, 1),
    ENTRY(window_last_error, 1),
    ENTRY(graph_window_new, 1),
    ENTRY(graph_window_free, 1),
    ENTRY(graph_window_show, 1),
    ENTRY(graph_window_show_graph, 1),
    ENTRY(graph_window_take_rerender, 1),
    ENTRY(graph_window_unfolded, 1),
    ENTRY(graph_window_pump, 1),
    ENTRY(graph_window_open, 1),
    ENTRY(graph_window_sizes, 1),
    ENTRY(plot_new, 1),
    ENTRY(plot_free, 1),
    ENTRY(plot_append, 1),
    ENTRY(plot_series, 1),
    ENTRY(plot_set_title, 1),
    ENTRY(plot_mark, 1),
    ENTRY(plot_set_zoom, 1),
    ENTRY(plot_set_log, 1),
    ENTRY(plot_contour_levels, 1),
    ENTRY(plot_track, 1),
    ENTRY(plot_savefig, 1),
    ENTRY(plot_clear, 1),
    ENTRY(plot_pump, 1),
    ENTRY(plot_window_open, 1),
    ENTRY(graph_svg, 2),
    ENTRY(graph_png, 2),
    ENTRY(plot_png, 2),
    ENTRY(plot_set_interrupt, 3),
    ENTRY(graph_digest, 4),
    ENTRY(graph_inspector_html, 5),
    ENTRY(graph_window_view, 6),
    ENTRY(plot_scatter, 7),
    ENTRY(plot_field, 7),
    ENTRY(plot_heatmap, 7),
    ENTRY(plot_images, 7),
    ENTRY(plot_neurons, 7),
    ENTRY(graph_file_bytes, 8),
    ENTRY(plot_file_bytes, 8),
    ENTRY(plot_set_labels, 9),
    ENTRY(graph_window_digest, 10),
    ENTRY(plot_sheet, 11),
    ENTRY(graph_file_page, 12),
};
#undef ENTRY

/* NULL when the entries sit one after another in the listed order right
 * after the version, end the table, and the newest is of version ;
 * else what is wrong, in buf. */
static const char *check_table(const released_entry *list, int n, size_t table_size, int version,
                               char *buf, size_t size) {
    size_t slot = sizeof(void (*)(void)), first = offsetof(viz_module, graph_opts_default);
    int newest = 0;
    for (int i = 0; i < n; i++) {
        if (list[i].offset != first + (size_t)i * slot) {
            snprintf(buf, size, "%s is entry %zu of the table, released as entry %d (inserted before it?)",
                     list[i].name, (list[i].offset - first) / slot, i);
            return buf;
        }
        if (list[i].since < newest) {
            snprintf(buf, size, "%s (version %d) comes after an entry of version %d", list[i].name,
                     list[i].since, newest);
            return buf;
        }
        newest = list[i].since;
    }
    if (first + (size_t)n * slot != table_size) {
        snprintf(buf, size, "the table has %zu entries, %d listed here: add the new ones with a new "
                            "VIZ_MODULE_VERSION",
                 (table_size - first) / slot, n);
        return buf;
    }
    if (newest != version) {
        snprintf(buf, size, "VIZ_MODULE_VERSION is %d, the newest entry is of version %d", version, newest);
        return buf;
    }
    return NULL;
}

static void test_table_grows_at_its_end(void **state) {
    (void)state;
    char why[256];
    int n = (int)(sizeof released / sizeof released[0]);
    const char *failed = check_table(released, n, sizeof(viz_module), VIZ_MODULE_VERSION, why, sizeof why);
    if (failed != NULL) fail_msg("%s", failed);
    assert_int_equal(agrepl_viz_module.version, VIZ_MODULE_VERSION);
    /* every entry is filled in */
    const char *table = (const char *)&agrepl_viz_module;
    for (size_t i = 0; i < sizeof released / sizeof released[0]; i++) {
        void (*entry)(void);
        memcpy(&entry, table + released[i].offset, sizeof entry);
        if (entry == NULL) fail_msg("agrepl_viz_module.%s is NULL", released[i].name);
    }
}

/* The check catches an entry inserted in the middle, one appended without a
 * row, and a version not raised. */
static void test_the_check_can_fail(void **state) {
    (void)state;
    char why[256];
    int n = (int)(sizeof released / sizeof released[0]);
    released_entry shifted[2] = {released[0], released[2]};
    assert_non_null(check_table(shifted, 2, sizeof(viz_module), VIZ_MODULE_VERSION, why, sizeof why));
    assert_non_null(strstr(why, "inserted before it"));
    assert_non_null(check_table(released, n - 1, sizeof(viz_module), VIZ_MODULE_VERSION, why, sizeof why));
    assert_non_null(strstr(why, "add the new ones"));
    assert_non_null(check_table(released, n, sizeof(viz_module), VIZ_MODULE_VERSION + 1, why, sizeof why));
    assert_null(check_table(released, n, sizeof(viz_module), VIZ_MODULE_VERSION, why, sizeof why));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_grows_at_its_end),
        cmocka_unit_test(test_the_check_can_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
