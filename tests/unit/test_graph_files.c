/* test_graph_files.c — the graph drawn to files and memory: PNG/SVG/PDF
 * files (whole in librsvg, growing at full size, zoomed text), in-memory PNG
 * and the window's pixels. */
#include "graph_test_util.h"

/* ---- files and images ---------------------------------------------------- */

/* A graph taller than the old 16-inch cap is drawn at 100 %: not scaled, its
 * PNG as big as its SVG, so 14-point node text stays
 * 14 * 96 / 72 ~ 19 px and the 11-point legend ~15 px, over the 12 px a
 * projected lesson needs.  A chain too tall for VIZ_MAX_IMAGE_PX is scaled
 * down to exactly that. */
static void test_big_graphs_grow_at_full_size(void **state) {
    ag_var *x = named(ag_scalar(ctx, 0.5), "x");
    ag_var *y = x;
    for (int i = 0; i < 30; i++) y = ag_sin(ctx, y); /* 61 nodes in one column */
    viz_graph_opts o = defaults();
    unsigned width, height;
    png_size_of(y, &o, &width, &height);
    assert_true(height > 16 * 96); /* the old cap */

    char *svg = svg_of(y, &o, "full");
    double pt_width, pt_height;
    bool shrunk;
    svg_points(svg, &pt_width, &pt_height, &shrunk);
    free(svg);
    assert_false(shrunk);
    /* the SVG in points, the PNG at 96 pixels an inch */
    assert_in_range(height, (unsigned)(pt_height * 96 / 72) - 2, (unsigned)(pt_height * 96 / 72) + 2);
    assert_in_range(width, (unsigned)(pt_width * 96 / 72) - 2, (unsigned)(pt_width * 96 / 72) + 2);

    for (int i = 0; i < 170; i++) y = ag_sin(ctx, y); /* 401 nodes, ~260 inches tall */
    o.max_nodes = 401;
    svg = svg_of(y, &o, "tall");
    svg_points(svg, &pt_width, &pt_height, &shrunk);
    free(svg);
    assert_true(shrunk);
    assert_in_range(pt_height, VIZ_MAX_IMAGE_PX * 0.75 - 2, VIZ_MAX_IMAGE_PX * 0.75);
}

/* The box holding every pixel that is not (nearly) white, alpha over white. */
static void content_bounds(cairo_surface_t *image, int box[4]) {
    int width = cairo_image_surface_get_width(image), height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *data = cairo_image_surface_get_data(image);
    box[0] = width, box[1] = height, box[2] = -1, box[3] = -1;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint32_t p = *(const uint32_t *)(data + (size_t)y * stride + (size_t)x * 4);
            unsigned a = p >> 24, dark = 0; /* premultiplied: over white, a channel is c + 255 - a */
            for (int shift = 0; shift < 24; shift += 8) {
                unsigned c = ((p >> shift) & 0xFF) + 255 - a;
                if (c < 230) dark = 1;
            }
            if (!dark) continue;
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
        }
}

/* An SVG export drawn by librsvg (rsvg-convert, as a browser or Inkscape
 * would at 96 px an inch) is the whole graph: the PNG's size, and what is
 * drawn spans the same box within a pixel or two, at :zoom 1 and 2. */
static void test_svg_whole_in_librsvg(void **state) {
    if (system("command -v rsvg-convert >/dev/null 2>&1") != 0)
        fail_msg("rsvg-convert is missing: make deps installs librsvg2-bin");
    ag_var *y = sin_plus_square(NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    for (int zoomed = 0; zoomed < 2; zoomed++) { /* at :zoom 2 too */
        viz_graph_opts o = defaults();
        o.zoom = zoomed ? 2 : 1;
        char err[VIZ_ERRLEN] = "", svg[128], png[128], drawn[128], command[512];
        long pid = (long)getpid();
        snprintf(svg, sizeof svg, "/tmp/test_graph_whole_%ld.svg", pid);
        snprintf(png, sizeof png, "/tmp/test_graph_whole_%ld.png", pid);
        snprintf(drawn, sizeof drawn, "/tmp/test_graph_whole_%ld_svg.png", pid);
        assert_int_equal(viz_graph_render(y, &o, svg, NULL, NULL, err), 0);
        assert_int_equal(viz_graph_render(y, &o, png, NULL, NULL, err), 0);
        snprintf(command, sizeof command, "rsvg-convert '%s' -o '%s'", svg, drawn);
        assert_int_equal(system(command), 0);
        cairo_surface_t *a = cairo_image_surface_create_from_png(png);
        cairo_surface_t *b = cairo_image_surface_create_from_png(drawn);
        unlink(svg), unlink(png), unlink(drawn);
        assert_int_equal(cairo_surface_status(a), CAIRO_STATUS_SUCCESS);
        assert_int_equal(cairo_surface_status(b), CAIRO_STATUS_SUCCESS);
        int width = cairo_image_surface_get_width(a), height = cairo_image_surface_get_height(a);
        assert_in_range(cairo_image_surface_get_width(b), width - 1, width + 1);
        assert_in_range(cairo_image_surface_get_height(b), height - 1, height + 1);
        int png_box[4], svg_box[4];
        content_bounds(a, png_box);
        content_bounds(b, svg_box);
        assert_true(png_box[2] > width / 2 && png_box[3] > height / 2); /* a drawing, not a blank */
        for (int i = 0; i < 4; i++) {
            if (abs(png_box[i] - svg_box[i]) > 2)
                fail_msg("content bounds: PNG %d,%d-%d,%d, SVG %d,%d-%d,%d", png_box[0], png_box[1], png_box[2],
                         png_box[3], svg_box[0], svg_box[1], svg_box[2], svg_box[3]);
        }
        cairo_surface_destroy(a);
        cairo_surface_destroy(b);
    }
}

/* The height in pixels of the text in the lowest function box of a PNG:
 * the rows of near-black ink inside the box's light blue fill (#90CAF9),
 * found from its lowest pixel. */
static int lowest_function_text(const char *path) {
    cairo_surface_t *image = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
    int width = cairo_image_surface_get_width(image), height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *data = cairo_image_surface_get_data(image);
#define PIXEL(x, y) (*(const uint32_t *)(data + (size_t)(y) * stride + (size_t)(x) * 4))
#define NEAR(p, shift, c) (abs((int)((p) >> (shift) & 255) - (c)) <= 6)
#define BLUE(p) (NEAR(p, 16, 0x90) && NEAR(p, 8, 0xCA) && NEAR(p, 0, 0xF9))
    int seed = -1;
    for (int y = height - 1; y >= 0 && seed < 0; y--)
        for (int x = 0; x < width && seed < 0; x++)
            if (BLUE(PIXEL(x, y))) seed = y * width + x;
    assert_true(seed >= 0);
    unsigned char *seen = calloc((size_t)width * height, 1);
    int *stack = malloc(sizeof *stack * (size_t)width * height);
    assert_true(seen != NULL && stack != NULL);
    int top = 0, box[4] = {width, height, -1, -1};
    stack[top++] = seed, seen[seed] = 1;
    while (top > 0) { /* the fill, 4-connected */
        int at = stack[--top], x = at % width, y = at / width;
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
        int next[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
        for (int k = 0; k < 4; k++) {
            int nx = next[k][0], ny = next[k][1];
            if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[ny * width + nx]) continue;
            if (!BLUE(PIXEL(nx, ny))) continue;
            seen[ny * width + nx] = 1;
            stack[top++] = ny * width + nx;
        }
    }
    int rows = 0;
    for (int y = box[1]; y <= box[3]; y++) {
        bool ink = false;
        for (int x = box[0]; x <= box[2] && !ink; x++) {
            uint32_t p = PIXEL(x, y);
            ink = (p >> 16 & 255) + (p >> 8 & 255) + (p & 255) < 150;
        }
        rows += ink;
    }
#undef BLUE
#undef NEAR
#undef PIXEL
    free(seen);
    free(stack);
    cairo_surface_destroy(image);
    return rows;
}

/* :zoom in a saved graph makes its text zoom times bigger (measured in the
 * PNG's pixels: the ink of a function box's label) at the size it has at
 * zoom 1; where the bigger boxes need more room the picture grows, much less
 * than zoom times, and the note says so. */
static void test_zoom_makes_saved_text_bigger(void **state) {
    ag_var *y = sin_plus_square(NULL);
    assert_int_equal(ag_backward(ctx, y, NULL), 0);
    static const double zooms[] = {1, 1.5, 2, 0.75};
    int text[4];
    unsigned width[4], height[4];
    char notes[4][VIZ_ERRLEN], path[128];
    for (int k = 0; k < 4; k++) {
        viz_graph_opts o = defaults();
        o.zoom = zooms[k];
        snprintf(path, sizeof path, "/tmp/test_graph_zoom_%ld_%d.png", (long)getpid(), k);
        assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, notes[k]), 0);
        size_t size;
        unsigned char *png = slurp(path, &size);
        check_png_size(png, size, &width[k], &height[k]);
        free(png);
        text[k] = lowest_function_text(path);
        unlink(path);
        print_message("zoom %g: %ux%u, text %d px; %s\n", zooms[k], width[k], height[k], text[k], notes[k]);
    }
    assert_true(text[0] >= 9);
    assert_string_equal(notes[0], "");
    for (int k = 1; k < 4; k++) {
        double grew = (double)text[k] / text[0];
        /* within a pixel of the rounding of each glyph row */
        if (fabs(grew - zooms[k]) > 0.1 * zooms[k] + 1.0 / text[0])
            fail_msg("zoom %g: text %d px against %d px at zoom 1 (%.2fx)", zooms[k], text[k], text[0], grew);
        bool bigger = width[k] > width[0] + 2 || height[k] > height[0] + 2;
        if (bigger != (strstr(notes[k], "the picture grows") != NULL))
            fail_msg("zoom %g: %ux%u against %ux%u, note \"%s\"", zooms[k], width[k], height[k], width[0],
                     height[0], notes[k]);
        /* the picture never shrinks, and grows less than the text would */
        assert_true(width[k] + 2 >= width[0] && height[k] + 2 >= height[0]);
        assert_true((double)width[k] * height[k] < 0.75 * zooms[k] * zooms[k] * width[0] * height[0] ||
                    zooms[k] < 1);
    }
    /* smaller text always fits: the same size */
    assert_in_range(width[3], width[0] - 2, width[0] + 2);
    assert_in_range(height[3], height[0] - 2, height[0] + 2);
}

static const char *frame_title(void *user, unsigned tag) { return tag == 1 ? user : NULL; }

/* :zoom scales the frames' titles and lines and writes nothing on the
 * subgraphs that draw nothing (a layer's rank=same beside its Linear): it
 * wrote fontsize and penwidth on those too. */
static void test_zoom_sizes_frames_only(void **state) {
    static char title[] = "layer";
    ag_var *x = ag_randn(ctx, 2, (int[]){4, 2}, NULL);
    ag_var *w = ag_randn(ctx, 2, (int[]){2, 3}, NULL), *b = ag_randn(ctx, 2, (int[]){1, 3}, NULL);
    ag_var_set_flags(w, ag_var_flags(w) | AG_VAR_PARAM);
    ag_var_set_flags(b, ag_var_flags(b) | AG_VAR_PARAM);
    unsigned outer = ag_set_func_tag(ctx, 1);
    ag_var *h = ag_linear(ctx, x, w, b);
    ag_set_func_tag(ctx, outer);
    ag_var *y = ag_sum(ctx, h, NULL, 0);
    assert_non_null(y);
    viz_graph_opts o = defaults();
    o.fold = 0;
    o.group_title = frame_title;
    o.notes_user = title;
    for (int zoomed = 0; zoomed < 2; zoomed++) {
        o.zoom = zoomed ? 2 : 1;
        char err[VIZ_ERRLEN] = "";
        char *dot = viz_graph_dot(y, &o, err);
        if (dot == NULL) fail_msg("viz_graph_dot: %s", err);
        /* the subgraphs' own attribute lists, as written */
        const char *rank = strstr(dot, "subgraph rank_"), *frame = strstr(dot, "subgraph cluster_group");
        assert_non_null(rank);
        assert_non_null(frame);
        const char *rank_list = strstr(rank, "graph ["), *frame_list = strstr(frame, "graph [");
        assert_non_null(rank_list);
        assert_non_null(frame_list);
        size_t rank_len = strcspn(rank_list, "]"), frame_len = strcspn(frame_list, "]");
        print_message("zoom %g: %.*s | %.*s\n", o.zoom, (int)rank_len + 1, rank_list, (int)frame_len + 1, frame_list);
        assert_int_equal(rank_len, strlen("graph [rank=same")); /* nothing but its rank */
        char want[32];
        snprintf(want, sizeof want, "fontsize=%d", zoomed ? 28 : 14);
        const char *size = strstr(frame_list, want);
        assert_true(size != NULL && size < frame_list + frame_len);
        free(dot);
    }
}

static void test_render_files(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "", path[128];
    size_t size;
    unsigned char *bytes;
    int nodes = -1, edges = -1;

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.png", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, &nodes, &edges, err), 0);
    assert_int_equal(nodes, 7);
    assert_int_equal(edges, 7);
    bytes = slurp(path, &size);
    check_png(bytes, size);
    free(bytes);
    unlink(path);

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.SVG", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    assert_non_null(strstr((char *)bytes, "<svg"));
    assert_non_null(strstr((char *)bytes, ">Pow(2)</text>"));
    assert_non_null(strstr((char *)bytes, ">grad: none</text>"));
    free(bytes);
    unlink(path);

    snprintf(path, sizeof path, "/tmp/test_graph_%ld.pdf", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    assert_true(size > 1000);
    assert_memory_equal(bytes, "%PDF-", 5);
    free(bytes);
    unlink(path);

    /* the .dot file is exactly what dot() prints */
    snprintf(path, sizeof path, "/tmp/test_graph_%ld.dot", (long)getpid());
    assert_int_equal(viz_graph_render(y, &o, path, NULL, NULL, err), 0);
    bytes = slurp(path, &size);
    char *text = viz_graph_dot(y, &o, err);
    assert_string_equal((char *)bytes, text);
    free(text);
    free(bytes);
    unlink(path);

    assert_int_equal(viz_graph_render(y, &o, "g.jpg", NULL, NULL, err), -1);
    assert_string_equal(err, "cannot tell the format of \"g.jpg\": use .dot, .png, .svg or .pdf");
    assert_int_equal(viz_graph_render(y, &o, "/nonexistent-dir/g.png", NULL, NULL, err), -1);
    assert_string_equal(err, "cannot write \"/nonexistent-dir/g.png\": No such file or directory");
}

static void test_png_in_memory(void **state) {
    ag_var *x = named(ag_scalar(ctx, 1.0), "x");
    ag_var *y = named(ag_tanh(ctx, x), "y");
    assert_int_equal(ag_backward(ctx, y, &(ag_backward_opts){.create_graph = true}), 0);
    viz_graph_opts o = defaults();
    o.title = "tanh'(x)";
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_png(named(ag_grad(x), "gx"), &o, &size, err);
    assert_non_null(png);
    check_png(png, size);
    free(png);
}

/* The window's pixels are the PNG's picture: same size, opaque white paper,
 * dark text and lines on it; a refused graph gives the same message. */
static void test_pixels_for_the_window(void **state) {
    ag_var *y = sin_plus_square(NULL);
    viz_graph_opts o = defaults();
    char err[VIZ_ERRLEN] = "";
    size_t size = 0;
    unsigned char *png = viz_graph_png(y, &o, &size, err);
    assert_non_null(png);
    int width = 0, height = 0;
    uint32_t *pixels = viz_graph_pixels(y, &o, &width, &height, err);
    assert_non_null(pixels);
    assert_int_equal(width, (int)read_be32(png + 16));
    assert_int_equal(height, (int)read_be32(png + 20));
    free(png);
    assert_int_equal(pixels[0], 0xFFFFFFFFu);
    assert_int_equal(pixels[(size_t)width * height - 1], 0xFFFFFFFFu);
    size_t opaque = 0, dark = 0, count = (size_t)width * height;
    for (size_t i = 0; i < count; i++) {
        uint32_t p = pixels[i];
        opaque += p >> 24 == 0xFF;
        dark += ((p >> 16) & 0xFF) < 0x60 && ((p >> 8) & 0xFF) < 0x60 && (p & 0xFF) < 0x60;
    }
    free(pixels);
    assert_int_equal(opaque, count);
    assert_true(dark > count / 1000 && dark < count / 4);

    o.max_nodes = 5;
    assert_null(viz_graph_pixels(y, &o, &width, &height, err));
    assert_string_equal(err,
                        "graph has 7 nodes (limit 5), too many even with depth=1: draw it with "
                        "max_nodes=7");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        CTX_TEST(test_render_files),
        CTX_TEST(test_svg_whole_in_librsvg),
        CTX_TEST(test_zoom_makes_saved_text_bigger),
        CTX_TEST(test_zoom_sizes_frames_only),
        CTX_TEST(test_big_graphs_grow_at_full_size),
        CTX_TEST(test_png_in_memory),
        CTX_TEST(test_pixels_for_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
