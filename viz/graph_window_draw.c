/* graph_window_draw.c — drawing the graph window (graph_window_draw.h):
 * the rendered graph through the view transform, the hovered and selected
 * nodes' outlines, the hint, the inspector's text and units' maps, the
 * legend beside or pinned over the graph, and the keys' help. */
#include "graph_window_draw.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char keys_help[] =
    "keys and mouse\n"
    "\n"
    "wheel, + and -   zoom around the pointer\n"
    "drag, arrows     pan\n"
    "0                fit the whole graph\n"
    "click a node     inspect it (value, gradient, rule, uses)\n"
    "click a box      expand a folded group\n"
    "click its frame  fold it again\n"
    "hover a node     highlight its inputs and outputs\n"
    "PgUp, PgDn       scroll the inspector\n"
    "Shift+wheel      its wide rows sideways\n"
    "Esc              close the inspector or this help\n"
    "?                show or hide this help\n"
    "q                close the window";

/* ---- drawing ---------------------------------------------------------------- */

/* text (length bytes, -1: to its end) in font_name at `pixels` pixels,
 * wrapped at width (0: not wrapped). */
static PangoLayout *text_layout(cairo_t *cr, const char *text, int length, const char *font_name,
                                double pixels, int width) {
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string(font_name);
    if (pixels > 0) pango_font_description_set_absolute_size(font, pixels * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    if (width > 0) {
        pango_layout_set_width(layout, width * PANGO_SCALE);
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_text(layout, text, length);
    return layout;
}

/* A node's box outlined on screen in colour (r, g, b). */
static void outline(viz_graph_window *w, cairo_t *cr, int i, double r, double g, double b, double line) {
    const viz_scene_node *n = &w->scene.nodes[i];
    double x, y;
    viz_view_to_screen(&w->view, n->x - n->width / 2, n->y - n->height / 2, &x, &y);
    double width = n->width * w->view.scale, height = n->height * w->view.scale;
    cairo_set_source_rgba(cr, r, g, b, 0.9);
    cairo_set_line_width(cr, line);
    cairo_rectangle(cr, x - line, y - line, width + 2 * line, height + 2 * line);
    cairo_stroke(cr);
}

static void draw_graph(viz_graph_window *w, cairo_t *cr, int width, int height) {
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_clip(cr);
    cairo_translate(cr, w->view.offset_x, w->view.offset_y);
    cairo_scale(cr, w->view.scale, w->view.scale);
    cairo_set_source_surface(cr, w->picture_cairo, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr),
                             w->view.scale == 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_clip(cr);
    if (w->hovered >= 0) { /* inputs green, outputs orange, the node blue */
        for (int e = 0; e < w->scene.nedges; e++) {
            const viz_scene_edge *edge = &w->scene.edges[e];
            if (edge->head == w->hovered) outline(w, cr, edge->tail, 0.18, 0.56, 0.22, 3);
            if (edge->tail == w->hovered) outline(w, cr, edge->head, 0.90, 0.45, 0.0, 3);
        }
        outline(w, cr, w->hovered, 0.08, 0.40, 0.85, 3);
    }
    if (w->selected >= 0) outline(w, cr, w->selected, 0.45, 0.10, 0.60, 4);
    cairo_restore(cr);
}

/* A hint in the graph's bottom right corner, so the keys can be found; beside
 * the legend when it is pinned there (draw_legend). */
static void draw_hint(const viz_graph_window *w, cairo_t *cr, int width, int height) {
    PangoLayout *hint = text_layout(cr, "? keys", -1, "DejaVu Sans 9", 0, 0);
    int text_width, text_height;
    pango_layout_get_pixel_size(hint, &text_width, &text_height);
    double x = width - text_width - 6, y = height - text_height - 4;
    const double *at = w->legend_at;
    if (w->legend_pinned && at[0] < x + text_width && at[0] + at[2] > x && at[1] < y + text_height && at[1] + at[3] > y) {
        if (at[0] - text_width - 6 >= 0) x = at[0] - text_width - 6; /* left of it */
        else y = at[1] - text_height - 4;                            /* else above it */
    }
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, hint);
    g_object_unref(hint);
    cairo_restore(cr);
}

/* Whether an inspector line is a row of numbers ("  [3]  0.25  -1.5  …"):
 * those are never wrapped (a matrix row stays on one line) and scroll
 * sideways when wider than the panel. */
static bool numeric_row(const char *line, int length) {
    int i = 0, digits = 0;
    while (i < length && line[i] == ' ') i++;
    if (i == 0) return false; /* rows are indented under "value:" and "grad" */
    for (; i < length; i++) {
        char c = line[i];
        if (c >= '0' && c <= '9') digits++;
        else if (!strchr(" .-+e[]infa", c)) return false;
    }
    return digits > 0;
}

static void draw_inspector(viz_graph_window *w, cairo_t *cr, int left, int width, int height) {
    cairo_save(cr);
    cairo_rectangle(cr, left, 0, width, height);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.98);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
    cairo_rectangle(cr, left, 0, 1, height);
    cairo_fill(cr);
    double pixels = TEXT_PIXELS * w->zoom;
    int text_width = width - 2 * PANEL_PAD;
    /* one layout per line: prose wraps (its continuation stands in), rows of
     * numbers do not */
    double y = PANEL_PAD - w->inspector_scroll;
    int total = 0, widest_row = 0;
    cairo_set_source_rgb(cr, 0.10, 0.10, 0.10);
    for (const char *line = w->inspector; *line != '\0';) {
        const char *end = strchr(line, '\n');
        int length = end ? (int)(end - line) : (int)strlen(line);
        bool row = numeric_row(line, length);
        PangoLayout *layout =
            text_layout(cr, length > 0 ? line : " ", length > 0 ? length : 1, TEXT_FONT, pixels, row ? 0 : text_width);
        if (!row) pango_layout_set_indent(layout, (int)(-HANGING_INDENT * w->zoom * PANGO_SCALE));
        if (line == w->inspector) { /* the first line names the node */
            PangoAttrList *bold = pango_attr_list_new();
            pango_attr_list_insert(bold, pango_attr_weight_new(PANGO_WEIGHT_BOLD));
            pango_layout_set_attributes(layout, bold);
            pango_attr_list_unref(bold);
        }
        int line_width, line_height;
        pango_layout_get_pixel_size(layout, &line_width, &line_height);
        if (row && line_width > widest_row) widest_row = line_width;
        if (y + line_height >= 0 && y < height) {
            cairo_move_to(cr, left + PANEL_PAD - (row ? w->inspector_scroll_x : 0), y);
            pango_cairo_show_layout(cr, layout);
        }
        g_object_unref(layout);
        y += line_height;
        total += line_height;
        if (w->maps.maps != NULL && strncmp(line, "shape: ", 7) == 0) {
            /* a layer's units over the plane, above its value and gradient
             * (a tensor's value runs long) */
            double drawn = viz_draw_unit_maps(cr, &w->maps, left + PANEL_PAD, y + pixels * 0.4, text_width, pixels);
            y += (int)(drawn + pixels * 0.8);
            total += (int)(drawn + pixels * 0.8);
        }
        line += length + (end != NULL);
    }
    w->inspector_text_height = total;
    w->inspector_row_width = widest_row;
    double most = total + 2 * PANEL_PAD + w->legend_height - height;
    double most_x = widest_row - text_width;
    bool clamped = false;
    if (w->inspector_scroll > most && most >= 0) w->inspector_scroll = most, clamped = true;
    if (w->inspector_scroll_x > most_x) w->inspector_scroll_x = most_x > 0 ? most_x : 0, clamped = true;
    if (w->inspector_scroll < 0) w->inspector_scroll = 0;
    if (w->inspector_scroll_x < 0) w->inspector_scroll_x = 0;
    if (widest_row > text_width) { /* a bar at the bottom: how far the rows scroll */
        double shown = (double)text_width / widest_row;
        cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, 0.5);
        cairo_rectangle(cr, left + PANEL_PAD + w->inspector_scroll_x / widest_row * text_width, height - 6,
                        shown * text_width, 4);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    if (clamped) w->dirty = true; /* drawn again within the limits */
}

/* The keys' help over the window (width x height), in the middle, its text
 * smaller when the window is too small for it at :zoom's size; traced
 * ("help at X,Y size WxH in WxH") when its place changes. */
static void draw_help(viz_graph_window *w, cairo_t *cr, int width, int height) {
    double pixels = TEXT_PIXELS * w->zoom;
    PangoLayout *layout = text_layout(cr, keys_help, -1, TEXT_FONT, pixels, 0);
    int text_width, text_height;
    pango_layout_get_pixel_size(layout, &text_width, &text_height);
    /* text scales with its size (a fixed-width font); once more, as the
     * rounding of glyphs to pixels may leave it a pixel too wide */
    for (int again = 0; again < 2 && (text_width + 2 * PANEL_PAD > width || text_height + 2 * PANEL_PAD > height); again++) {
        double fits = fmin((width - 2.0 * PANEL_PAD) / text_width, (height - 2.0 * PANEL_PAD) / text_height);
        double smaller = fmax(pixels * fits * (again ? 0.97 : 1), 6);
        if (smaller >= pixels) break;
        pixels = smaller;
        g_object_unref(layout);
        layout = text_layout(cr, keys_help, -1, TEXT_FONT, pixels, 0);
        pango_layout_get_pixel_size(layout, &text_width, &text_height);
    }
    double x = (width - text_width) / 2.0 - PANEL_PAD, y = (height - text_height) / 2.0 - PANEL_PAD;
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    int box[6] = {(int)x, (int)y, text_width + 2 * PANEL_PAD, text_height + 2 * PANEL_PAD, width, height};
    if (memcmp(box, w->help_traced, sizeof box) != 0) {
        memcpy(w->help_traced, box, sizeof box);
        graph_window_trace(w, "help at %d,%d size %dx%d in %dx%d", box[0], box[1], box[2], box[3], width, height);
    }
    cairo_set_source_rgba(cr, 1, 1, 0.94, 0.97);
    cairo_rectangle(cr, x, y, text_width + 2 * PANEL_PAD, text_height + 2 * PANEL_PAD);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    cairo_move_to(cr, x + PANEL_PAD, y + PANEL_PAD);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

/* Traces where the legend is drawn in the graph's area (width x height)
 * when that changed: "legend at X,Y size WxH in AWxAH", "pinned" after it
 * when it is not at its place in the picture. */
static void trace_legend(viz_graph_window *w, double x, double y, double width, double tall, int area_width,
                         int height, bool pinned) {
    int now[6] = {(int)lround(x), (int)lround(y), (int)lround(width), (int)lround(tall), area_width, height};
    if (memcmp(now, w->legend_traced, sizeof now) == 0) return;
    memcpy(w->legend_traced, now, sizeof now);
    graph_window_trace(w, "legend at %d,%d size %dx%d in %dx%d%s", now[0], now[1], now[2], now[3], now[4], now[5],
          pinned ? " pinned" : "");
}

/* The legend, wholly in view.  At its place in the picture when the view
 * shows it whole; else, when the inspector has taken the room it was seen
 * in, copied from the picture into the panel below the inspector's text,
 * at the view's scale or smaller to fit, so the panel never hides it (sets
 * w->legend_height, which the text's scrolling reaches past; 0 when not
 * drawn there); else pinned inside the graph's area (viz_legend_pin), over the
 * graph.  Either way the part of it the view still shows is blanked, so it
 * is never seen twice. */
static void draw_legend(viz_graph_window *w, cairo_t *cr, int left, int panel, int area_width, int height) {
    double x0, y0, x1, y1, sx0, sy0, sx1, sy1;
    w->legend_height = 0;
    w->legend_pinned = false;
    if (!viz_legend_box(&w->scene, &x0, &y0, &x1, &y1)) return;
    viz_view_to_screen(&w->view, x0, y0, &sx0, &sy0);
    viz_view_to_screen(&w->view, x1, y1, &sx1, &sy1);
    bool cut = sx0 < 0 || sy0 < 0 || sx1 > area_width || sy1 > height;
    bool moved = cut && panel > 0;
    if (moved != w->legend_in_panel) graph_window_trace(w, "legend %s", moved ? "in the inspector" : "in the graph");
    w->legend_in_panel = moved;
    if (!cut) {
        w->legend_edge_x = w->legend_edge_y = -1; /* cut later by a drag: slid only as far as needed */
        trace_legend(w, sx0, sy0, sx1 - sx0, sy1 - sy0, area_width, height, false);
        return;
    }
    double scale, x, y, width, tall;
    if (moved) {
        memset(w->legend_traced, 0xff, sizeof w->legend_traced); /* traced again when back in the graph */
        scale = fmin(w->view.scale, (panel - 2.0 * PANEL_PAD) / (x1 - x0));
        width = (x1 - x0) * scale, tall = (y1 - y0) * scale;
        /* after the inspector's text, scrolling with it: it covers none of it */
        x = left + (panel - width) / 2, y = PANEL_PAD - w->inspector_scroll + w->inspector_text_height + 2 * PANEL_PAD;
    } else {
        double seen[4] = {sx0, sy0, sx1 - sx0, sy1 - sy0}, at[4];
        viz_legend_pin(&w->scene, &w->view, w->auto_fit, &w->legend_edge_x, &w->legend_edge_y, seen, x1 - x0,
                       y1 - y0, area_width, height, at);
        x = at[0], y = at[1], width = at[2], tall = at[3];
        scale = width / (x1 - x0);
        w->legend_pinned = true;
        memcpy(w->legend_at, at, sizeof at);
        trace_legend(w, x, y, width, tall, area_width, height, true);
    }
    cairo_save(cr);
    /* not twice: the part of it still in the graph's area is blanked */
    cairo_rectangle(cr, 0, 0, area_width, height);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, sx0, sy0, sx1 - sx0, sy1 - sy0);
    cairo_fill(cr);
    cairo_reset_clip(cr);
    if (moved) {
        cairo_set_source_rgb(cr, 0.97, 0.97, 0.98);
        cairo_rectangle(cr, left + 1, y - PANEL_PAD, panel - 1, tall + 2 * PANEL_PAD);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x, y, width, tall);
    cairo_clip(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, scale, scale);
    cairo_set_source_rgb(cr, 1, 1, 1); /* over the graph's boxes and edges when pinned */
    cairo_paint(cr);
    cairo_set_source_surface(cr, w->picture_cairo, -x0, -y0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    if (moved) w->legend_height = (int)(tall + 2 * PANEL_PAD);
}

/* Draws the frame (graph, highlights, inspector, help) and shows it. */

void graph_window_redraw(viz_graph_window *w) {
    if (w->window == NULL || w->picture == NULL) return;
    double ox, oy, sx, sy; /* the output's node stays in sight when another window opens */
    if (viz_scene_output_centre(&w->scene, &ox, &oy)) {
        viz_view_to_screen(&w->view, ox, oy, &sx, &sy);
        viz_sdl_keep_in_sight(w->window, (int)sx, (int)sy);
    }
    if (SDL_GetWindowFlags(w->window) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN)) return;
    SDL_Surface *screen = SDL_GetWindowSurface(w->window);
    if (screen == NULL || screen->w <= 0 || screen->h <= 0) return;
    if (w->frame == NULL || w->frame->w != screen->w || w->frame->h != screen->h) {
        if (w->frame != NULL) SDL_FreeSurface(w->frame);
        w->frame = SDL_CreateRGBSurfaceWithFormat(0, screen->w, screen->h, 32, SDL_PIXELFORMAT_ARGB8888);
        if (w->frame == NULL) return;
    }
    cairo_surface_t *surface = cairo_image_surface_create_for_data(
        w->frame->pixels, CAIRO_FORMAT_ARGB32, w->frame->w, w->frame->h, w->frame->pitch);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    int panel = graph_window_panel_width(w, screen->w);
    draw_graph(w, cr, screen->w - panel, screen->h);
    if (panel > 0) draw_inspector(w, cr, screen->w - panel, panel, screen->h);
    draw_legend(w, cr, screen->w - panel, panel, screen->w - panel, screen->h);
    draw_hint(w, cr, screen->w - panel, screen->h);
    if (w->help) draw_help(w, cr, screen->w, screen->h);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    cairo_surface_destroy(surface);
    SDL_BlitSurface(w->frame, NULL, screen, NULL);
    SDL_UpdateWindowSurface(w->window);
    w->dirty = false;
}
