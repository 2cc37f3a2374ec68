/* graph_window.c — the window of show(y): the rendered graph, zoomed and
 * panned with the mouse and keys, nodes highlighted under the pointer and
 * inspected on a click (graph_window.h).  The picture comes from Graphviz
 * (viz_scene_render); the window draws it with Cairo through the view
 * transform, and its overlays (highlights, inspector, keys) on top
 * (graph_window_draw.c).  Here: opening and closing, the geometry, the
 * inspector's text, the events, and showing a new picture. */
#include "graph_window_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strbuf.h"

static bool headless_from_environment(void) {
    const char *value = getenv("AGREPL_HEADLESS");
    return value != NULL && value[0] != '\0' && strcmp(value, "0") != 0;
}

viz_graph_window *viz_graph_window_new(bool headless) {
    viz_graph_window *window = calloc(1, sizeof *window);
    if (window == NULL) return NULL;
    window->headless = headless || headless_from_environment();
    window->hovered = window->selected = -1;
    window->auto_fit = true;
    window->anchor_group = -1;
    memset(window->legend_traced, 0xff, sizeof window->legend_traced);
    window->legend_edge_x = window->legend_edge_y = -1;
    window->zoom = 1;
    const char *path = getenv("AGREPL_WINDOW_TRACE");
    if (path != NULL && path[0] != '\0' && !window->headless) window->trace = fopen(path, "a");
    return window;
}

static void free_picture(viz_graph_window *window) {
    if (window->picture_cairo != NULL) cairo_surface_destroy(window->picture_cairo);
    if (window->picture != NULL) SDL_FreeSurface(window->picture);
    window->picture_cairo = NULL;
    window->picture = NULL;
}

void viz_graph_window_close(viz_graph_window *window) {
    if (window == NULL) return;
    if (window->window != NULL) graph_window_trace(window, "close");
    free_picture(window);
    if (window->frame != NULL) SDL_FreeSurface(window->frame);
    window->frame = NULL;
    viz_scene_free(&window->scene);
    viz_layout_cache_free(window->layout);
    window->layout = NULL;
    free(window->inspector);
    window->inspector = NULL;
    viz_unit_maps_free(&window->maps);
    if (window->select_after != NULL) ag_release(window->select_after);
    window->select_after = NULL;
    window->selected = window->hovered = -1;
    window->selected_name[0] = '\0';
    window->help = window->pressed = false;
    window->widened_by = 0;
    memset(window->legend_traced, 0xff, sizeof window->legend_traced);
    window->legend_edge_x = window->legend_edge_y = -1;
    window->auto_fit = true;
    window->fit_all = false;
    free(window->unfolded);
    window->unfolded = NULL;
    window->n_unfolded = 0;
    if (window->window != NULL) SDL_DestroyWindow(window->window);
    window->window = NULL;
    window->window_id = 0;
}

void viz_graph_window_free(viz_graph_window *window) {
    if (window == NULL) return;
    viz_graph_window_close(window);
    viz_sdl_video_stop(&window->video);
    if (window->trace != NULL) fclose(window->trace);
    free(window);
}

bool viz_graph_window_open(const viz_graph_window *window) {
    return window != NULL && window->window != NULL;
}

/* ---- geometry ------------------------------------------------------------- */

/* The largest size with the picture's proportions that fits in
 * max_width x max_height, never bigger than the picture itself. */
static void fit(int width, int height, int max_width, int max_height, int *out_width,
                int *out_height) {
    double scale = 1.0;
    if (width > max_width) scale = (double)max_width / width;
    if (height * scale > max_height) scale = (double)max_height / height;
    *out_width = (int)(width * scale + 0.5);
    *out_height = (int)(height * scale + 0.5);
    if (*out_width < 1) *out_width = 1;
    if (*out_height < 1) *out_height = 1;
}

static void window_pixels(const viz_graph_window *w, int *width, int *height) {
    *width = *height = 0;
    if (w->window != NULL) SDL_GetWindowSizeInPixels(w->window, width, height);
}

/* The part of the window the graph is drawn in. */
static void graph_area(const viz_graph_window *w, int *width, int *height) {
    int window_width, window_height;
    window_pixels(w, &window_width, &window_height);
    *width = window_width - graph_window_panel_width(w, window_width);
    *height = window_height;
}

static bool in_graph_area(const viz_graph_window *w, int x, int y) {
    int width, height;
    graph_area(w, &width, &height);
    return x >= 0 && y >= 0 && x < width && y < height;
}

/* Whether (x, y) is on the legend pinned over the graph (draw_legend): the
 * boxes under it are hidden, so neither hovered nor clicked there. */
static bool on_pinned_legend(const viz_graph_window *w, int x, int y) {
    const double *at = w->legend_at;
    return w->legend_pinned && x >= at[0] && y >= at[1] && x < at[0] + at[2] && y < at[1] + at[3];
}

/* The scale a picture opens at, at least, when it does not fit whole: its
 * smallest text (15 px at 100 % and :zoom 1, 15 * zoom px at :zoom) then
 * 12 px on the screen; never above 100 %. */
static double readable_scale(const viz_graph_window *w) {
    double scale = VIZ_VIEW_READABLE_SCALE / (w->zoom > 0 ? w->zoom : 1);
    return scale < 1 ? scale : 1;
}

static void fit_view(viz_graph_window *w) {
    if (w->picture == NULL) return;
    int width, height;
    graph_area(w, &width, &height);
    /* a picture too big opens on its folded boxes and output, not its top left */
    const viz_scene *scene = w->opening != NULL ? w->opening : &w->scene;
    if (scene->width != w->picture->w || scene->height != w->picture->h) scene = NULL; /* another picture's */
    viz_view_open(&w->view, scene, w->picture->w, w->picture->h,
                  width, height, w->fit_all ? VIZ_VIEW_MIN_SCALE : readable_scale(w));
    graph_window_trace(w, "view scale %.4g offset %.1f,%.1f in %dx%d", w->view.scale, w->view.offset_x,
          w->view.offset_y, width, height);
}

/* ---- the inspector ---------------------------------------------------------- */

/* Writes the inspector's text for the selected node (NULL when none) and
 * traces it. */
static void update_inspector(viz_graph_window *w) {
    if (w->inspector != NULL && w->selected < 0) graph_window_trace(w, "inspector closed");
    free(w->inspector);
    w->inspector = NULL;
    viz_unit_maps_free(&w->maps);
    if (w->selected < 0) return;
    strbuf text = {0};
    viz_scene_inspect(&w->scene, w->selected, w->digits, &text);
    w->inspector = strbuf_take(&text);
    const viz_scene_node *node = &w->scene.nodes[w->selected];
    if (w->inspector != NULL && node->var != NULL && w->scene.unit_maps != NULL &&
        w->scene.unit_maps(w->scene.notes_user, node->var, &w->maps) != 0)
        viz_unit_maps_free(&w->maps);
    if (w->inspector != NULL && w->trace != NULL) {
        graph_window_trace(w, "inspector %s text %.0fpx", w->scene.nodes[w->selected].name, TEXT_PIXELS * w->zoom);
        if (w->maps.maps != NULL) graph_window_trace(w, "inspector maps %d units grid %d: %s", w->maps.units, w->maps.grid, w->maps.what);
        for (const char *line = w->inspector; *line != '\0';) {
            const char *end = strchr(line, '\n');
            int length = end ? (int)(end - line) : (int)strlen(line);
            graph_window_trace(w, "| %.*s", length, line);
            line += length + (end != NULL);
        }
    }
}

/* Opens or closes the inspector, making room for it when the window is
 * narrow and giving that room back when it closes. */
static void set_selected(viz_graph_window *w, int node) {
    bool was_open = w->inspector != NULL;
    w->selected = node;
    snprintf(w->selected_name, sizeof w->selected_name, "%s", node >= 0 ? w->scene.nodes[node].name : "");
    w->inspector_scroll = w->inspector_scroll_x = 0;
    update_inspector(w);
    bool open = w->inspector != NULL;
    int width, height;
    window_pixels(w, &width, &height);
    if (open && !was_open && !(SDL_GetWindowFlags(w->window) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN))) {
        SDL_Rect usable = {0, 0, 1600, 900};
        int display = SDL_GetWindowDisplayIndex(w->window);
        if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0) usable = (SDL_Rect){0, 0, 1600, 900};
        int wider = width + (int)(INSPECTOR_WIDTH * w->zoom);
        if (wider > usable.w - SCREEN_MARGIN) wider = usable.w - SCREEN_MARGIN;
        if (wider > width) {
            viz_sdl_resize_on_screen(w->window, wider, height);
            w->widened_by = wider - width;
        }
    } else if (!open && was_open && w->widened_by > 0) {
        if (width - w->widened_by >= MIN_WINDOW_SIDE)
            viz_sdl_resize_on_screen(w->window, width - w->widened_by, height);
        w->widened_by = 0;
    }
    if (w->auto_fit) fit_view(w);
    w->dirty = true;
}

/* ---- events ---------------------------------------------------------------- */

static void zoom(viz_graph_window *w, double factor, int x, int y) {
    viz_view_zoom_at(&w->view, factor, x, y);
    w->auto_fit = false;
    w->dirty = true;
    graph_window_trace(w, "zoom %.4g at %d,%d scale %.4g offset %.1f,%.1f", factor, x, y, w->view.scale,
          w->view.offset_x, w->view.offset_y);
}

static void pan(viz_graph_window *w, int dx, int dy) {
    viz_view_pan(&w->view, dx, dy);
    w->auto_fit = false;
    w->dirty = true;
    graph_window_trace(w, "pan %d,%d offset %.1f,%.1f", dx, dy, w->view.offset_x, w->view.offset_y);
}

/* Where keyboard zoom centres: the pointer when it is over the graph, else the middle. */
static void zoom_centre(const viz_graph_window *w, int *x, int *y) {
    if (w->pointer_known && in_graph_area(w, w->pointer_x, w->pointer_y)) {
        *x = w->pointer_x;
        *y = w->pointer_y;
        return;
    }
    int width, height;
    graph_area(w, &width, &height);
    *x = width / 2;
    *y = height / 2;
}

static void hover(viz_graph_window *w, int x, int y) {
    int node = in_graph_area(w, x, y) && !on_pinned_legend(w, x, y) ? viz_scene_hit(&w->scene, &w->view, x, y) : -1;
    if (node == w->hovered) return;
    w->hovered = node;
    w->dirty = true;
    if (node < 0) {
        graph_window_trace(w, "hover none");
        return;
    }
    strbuf line = {0};
    strbuf_appendf(&line, "hover %s inputs", w->scene.nodes[node].name);
    for (int e = 0; e < w->scene.nedges; e++)
        if (w->scene.edges[e].head == node) strbuf_appendf(&line, " %s", w->scene.nodes[w->scene.edges[e].tail].name);
    strbuf_append(&line, " outputs");
    for (int e = 0; e < w->scene.nedges; e++)
        if (w->scene.edges[e].tail == node) strbuf_appendf(&line, " %s", w->scene.nodes[w->scene.edges[e].head].name);
    char *text = strbuf_take(&line);
    if (text != NULL) graph_window_trace(w, "%s", text);
    free(text);
}

/* Notes that group n's folded box was clicked open (open) or its frame
 * clicked to fold it again. */
static void expand_group(viz_graph_window *w, int group, bool open) {
    if (group >= w->n_unfolded) {
        size_t more = (size_t)(group + 1 - w->n_unfolded);
        if (!ARRAY_RESERVE(w->unfolded, w->unfolded_capacity, (size_t)w->n_unfolded, more)) return;
        memset(w->unfolded + w->n_unfolded, 0, more);
        w->n_unfolded = group + 1;
    }
    w->unfolded[group] = open;
    w->rerender = true;
    w->anchor_group = group;
    graph_window_trace(w, "%s box%d", open ? "expand" : "fold", group);
}

static void click(viz_graph_window *w, int x, int y) {
    if (!in_graph_area(w, x, y) || on_pinned_legend(w, x, y)) return;
    int node = viz_scene_hit(&w->scene, &w->view, x, y);
    graph_window_trace(w, "click %d,%d %s", x, y, node >= 0 ? w->scene.nodes[node].name : "none");
    if (node >= 0 && w->scene.nodes[node].kind == VIZ_NODE_BOX) {
        /* opened, with what leaves it inspected (a layer's value, gradient and units) */
        expand_group(w, w->scene.nodes[node].group, true);
        if (w->select_after != NULL) ag_release(w->select_after);
        w->select_after = w->scene.nodes[node].var;
        graph_window_trace(w, "inspect %s after opening", w->select_after != NULL ? "its output" : "nothing");
        if (w->select_after != NULL) ag_retain(w->select_after);
        return;
    }
    if (node < 0) { /* inside an expanded group's frame: fold it again */
        double px, py;
        viz_view_to_picture(&w->view, x, y, &px, &py);
        int group = viz_scene_frame_at(&w->scene, px, py);
        if (group >= 0 && group < w->n_unfolded && w->unfolded[group]) {
            expand_group(w, group, false);
            return;
        }
    }
    if (node != w->selected) set_selected(w, node);
}

static void scroll_inspector(viz_graph_window *w, double by) {
    if (w->inspector == NULL) return;
    w->inspector_scroll += by;
    if (w->inspector_scroll < 0) w->inspector_scroll = 0;
    w->dirty = true;
    graph_window_trace(w, "scroll %.0f", w->inspector_scroll);
}

/* Rows of numbers wider than the panel: sideways (the wheel's sideways
 * notches, or Shift with the wheel, over the panel). */
static void scroll_inspector_x(viz_graph_window *w, double by) {
    if (w->inspector == NULL) return;
    w->inspector_scroll_x += by;
    if (w->inspector_scroll_x < 0) w->inspector_scroll_x = 0;
    w->dirty = true;
    graph_window_trace(w, "scroll sideways %.0f", w->inspector_scroll_x);
}

static void set_help(viz_graph_window *w, bool on) {
    w->help = on;
    memset(w->help_traced, 0, sizeof w->help_traced); /* traced again when shown */
    w->dirty = true;
    graph_window_trace(w, "help %s", on ? "on" : "off");
}

static void key(viz_graph_window *w, const SDL_KeyboardEvent *event, bool *close) {
    int height, width;
    graph_area(w, &width, &height);
    switch (event->keysym.sym) {
    case SDLK_LEFT: pan(w, ARROW_STEP, 0); break;
    case SDLK_RIGHT: pan(w, -ARROW_STEP, 0); break;
    case SDLK_UP: pan(w, 0, ARROW_STEP); break;
    case SDLK_DOWN: pan(w, 0, -ARROW_STEP); break;
    case SDLK_PAGEUP: scroll_inspector(w, -(height - 3 * PANEL_PAD)); break;
    case SDLK_PAGEDOWN: scroll_inspector(w, height - 3 * PANEL_PAD); break;
    case SDLK_HOME: scroll_inspector(w, -1e9); break;
    case SDLK_END: scroll_inspector(w, 1e9); break;
    case SDLK_q: *close = true; break;
    case SDLK_ESCAPE:
        if (w->help) set_help(w, false);
        else if (w->inspector != NULL) set_selected(w, -1);
        else *close = true;
        break;
    default: break;
    }
}

/* Characters, so that '?' and '+' work whatever the keyboard layout. */
static void text(viz_graph_window *w, const char *typed) {
    int x, y;
    for (const char *c = typed; *c != '\0'; c++) {
        switch (*c) {
        case '+':
        case '=':
            zoom_centre(w, &x, &y);
            zoom(w, ZOOM_STEP, x, y);
            break;
        case '-':
            zoom_centre(w, &x, &y);
            zoom(w, 1 / ZOOM_STEP, x, y);
            break;
        case '0':
            w->fit_all = true;
            fit_view(w);
            w->auto_fit = true;
            w->dirty = true;
            graph_window_trace(w, "fit scale %.4g offset %.1f,%.1f", w->view.scale, w->view.offset_x, w->view.offset_y);
            break;
        case '?': set_help(w, !w->help); break;
        default: break;
        }
    }
}

typedef struct event_state {
    viz_graph_window *window;
    bool close;
} event_state;

static void handle(void *user, const SDL_Event *event) {
    event_state *state = user;
    viz_graph_window *w = state->window;
    switch (event->type) {
    case SDL_KEYDOWN: key(w, &event->key, &state->close); break;
    case SDL_TEXTINPUT: text(w, event->text.text); break;
    case SDL_MOUSEMOTION:
        w->pointer_x = event->motion.x;
        w->pointer_y = event->motion.y;
        w->pointer_known = true;
        if (w->pressed) {
            int dx = event->motion.x - w->last_x, dy = event->motion.y - w->last_y;
            if (abs(event->motion.x - w->press_x) > CLICK_SLOP || abs(event->motion.y - w->press_y) > CLICK_SLOP)
                w->dragged = true;
            if (w->dragged && (dx != 0 || dy != 0)) pan(w, dx, dy);
            w->last_x = event->motion.x;
            w->last_y = event->motion.y;
        } else {
            hover(w, event->motion.x, event->motion.y);
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (event->button.button != SDL_BUTTON_LEFT || !in_graph_area(w, event->button.x, event->button.y)) break;
        w->pressed = true;
        w->dragged = false;
        w->press_x = w->last_x = event->button.x;
        w->press_y = w->last_y = event->button.y;
        break;
    case SDL_MOUSEBUTTONUP:
        if (event->button.button != SDL_BUTTON_LEFT || !w->pressed) break;
        w->pressed = false;
        if (!w->dragged) click(w, event->button.x, event->button.y);
        break;
    case SDL_MOUSEWHEEL: {
        int x = w->pointer_x, y = w->pointer_y;
        if (!w->pointer_known) SDL_GetMouseState(&x, &y);
        int steps = event->wheel.y, sideways = event->wheel.x;
        if (event->wheel.direction == SDL_MOUSEWHEEL_FLIPPED) steps = -steps, sideways = -sideways;
        if (!in_graph_area(w, x, y) && (SDL_GetModState() & KMOD_SHIFT)) sideways = -steps, steps = 0;
        if (sideways != 0 && !in_graph_area(w, x, y)) scroll_inspector_x(w, sideways * WHEEL_LINE * w->zoom);
        if (steps == 0) break;
        if (in_graph_area(w, x, y)) {
            double factor = 1;
            for (int i = 0; i < abs(steps); i++) factor *= steps > 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
            zoom(w, factor, x, y);
        } else {
            scroll_inspector(w, -steps * WHEEL_LINE * w->zoom);
        }
        break;
    }
    case SDL_WINDOWEVENT:
        if (event->window.event == SDL_WINDOWEVENT_LEAVE && w->hovered >= 0) {
            w->hovered = -1;
            w->dirty = true;
            graph_window_trace(w, "hover none");
        }
        if (event->window.event == SDL_WINDOWEVENT_SIZE_CHANGED && w->auto_fit) fit_view(w);
        break;
    default: break;
    }
}

void viz_graph_window_pump(viz_graph_window *window) {
    if (window == NULL || window->window == NULL) return;
    viz_sdl_window_events found;
    event_state state = {window, false};
    if (!viz_sdl_pump_each(window->window_id, &window->last_pump_ms, &found, handle, &state)) return;
    if (found.close_requested || state.close) {
        viz_graph_window_close(window);
        return;
    }
    if (found.exposed) window->dirty = true;
    if (window->dirty) graph_window_redraw(window);
}

/* ---- showing a picture ---------------------------------------------------- */

/* The window size for a picture: its own, or smaller to fit the usable part
 * of the display the window is (or will be) on; plus the inspector when open. */
static void window_size_for(const viz_graph_window *window, const SDL_Surface *picture,
                            int *width, int *height) {
    SDL_Rect usable = {0, 0, 1600, 900};
    int display = window->window != NULL ? SDL_GetWindowDisplayIndex(window->window) : 0;
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0)
        usable = (SDL_Rect){0, 0, 1600, 900};
    int panel = window->inspector != NULL ? INSPECTOR_WIDTH : 0;
    int max_width = usable.w - SCREEN_MARGIN - panel, max_height = usable.h - 2 * SCREEN_MARGIN;
    if (max_width < MIN_WINDOW_SIDE) max_width = MIN_WINDOW_SIDE;
    if (max_height < MIN_WINDOW_SIDE) max_height = MIN_WINDOW_SIDE;
    fit(picture->w, picture->h, max_width, max_height, width, height);
    double readable = readable_scale(window);
    if (*width < picture->w * readable) {
        /* too big to show whole at a readable scale: as much of it as the
         * screen holds at that scale (fit_view shows its boxes and output) */
        *width = (int)fmin(picture->w * readable, max_width);
        *height = (int)fmin(picture->h * readable, max_height);
    }
    *width += panel;
    if (*width < MIN_WINDOW_SIDE) *width = MIN_WINDOW_SIDE;
    if (*height < MIN_WINDOW_SIDE) *height = MIN_WINDOW_SIDE;
}

/* A copy of the pixels in a surface of the window's own. */
static SDL_Surface *picture_of(const uint32_t *pixels, int width, int height, char err[VIZ_ERRLEN]) {
    SDL_Surface *picture = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (picture == NULL) {
        snprintf(err, VIZ_ERRLEN, "out of memory showing the graph");
        return NULL;
    }
    for (int y = 0; y < height; y++)
        memcpy((Uint8 *)picture->pixels + (size_t)y * picture->pitch, pixels + (size_t)y * width,
               (size_t)width * 4);
    return picture;
}

int viz_graph_window_show(viz_graph_window *window, const uint32_t *pixels, int width, int height,
                          const char *title, char err[VIZ_ERRLEN]) {
    if (window == NULL || window->headless || !viz_sdl_video_start(&window->video)) return 1;
    if (pixels == NULL || width <= 0 || height <= 0) {
        snprintf(err, VIZ_ERRLEN, "no picture to show");
        return -1;
    }
    SDL_Surface *picture = picture_of(pixels, width, height, err);
    if (picture == NULL) return -1;
    /* a window following a loop gets pictures of one size many times a
     * second: what needs the X server (the display's bounds, a new title)
     * is done only when it changed */
    bool new_size = window->picture == NULL || window->picture->w != picture->w ||
                    window->picture->h != picture->h;
    if (window->window == NULL || new_size) window_size_for(window, picture, &width, &height);
    if (window->window == NULL) {
        int x, y;
        viz_sdl_place_new_window(&x, &y, &width, &height); /* never over the plot window */
        window->window = SDL_CreateWindow(title ? title : "agrepl graph", x, y, width, height,
                                          SDL_WINDOW_RESIZABLE);
        if (window->window == NULL) {
            snprintf(err, VIZ_ERRLEN, "cannot open a window: %s", SDL_GetError());
            SDL_FreeSurface(picture);
            return -1;
        }
        SDL_SetWindowMinimumSize(window->window, MIN_WINDOW_SIDE, MIN_WINDOW_SIDE);
        window->window_id = SDL_GetWindowID(window->window);
        window->last_pump_ms = 0;
        window->auto_fit = true;
    } else {
        if (title != NULL && strcmp(title, SDL_GetWindowTitle(window->window)) != 0)
            SDL_SetWindowTitle(window->window, title);
        /* a step-through's pictures differ a little in size (the legend
         * gains "in progress"): the window holds still through them */
        if (new_size && !window->hold_size &&
            !(SDL_GetWindowFlags(window->window) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
            viz_sdl_resize_on_screen(window->window, width, height);
    }
    free_picture(window);
    window->picture = picture;
    window->picture_cairo = cairo_image_surface_create_for_data(
        picture->pixels, CAIRO_FORMAT_ARGB32, picture->w, picture->h, picture->pitch);
    if (window->trace != NULL) {
        int x = 0, y = 0, shown_width = 0, shown_height = 0;
        SDL_GetWindowPosition(window->window, &x, &y);
        SDL_GetWindowSize(window->window, &shown_width, &shown_height);
        graph_window_trace(window, "window at %d,%d size %dx%d", x, y, shown_width, shown_height);
    }
    if (window->auto_fit) {
        /* fitted until the user zooms or pans; a new layout (new size)
         * starts fitted at a readable scale; the user's own view is kept */
        if (new_size) window->fit_all = false;
        fit_view(window);
    }
    window->dirty = true;
    graph_window_redraw(window);
    return 0;
}

/* Whether two window titles name the same graph: "agrepl graph: y" and
 * "agrepl graph: y (backward: Mul)" do, "agrepl graph: z" does not. */
static bool same_subject(const char *a, const char *b) {
    const char *a_end = strstr(a, " ("), *b_end = strstr(b, " (");
    size_t a_length = a_end ? (size_t)(a_end - a) : strlen(a), b_length = b_end ? (size_t)(b_end - b) : strlen(b);
    return a_length == b_length && strncmp(a, b, a_length) == 0;
}

int viz_graph_window_show_graph(viz_graph_window *window, ag_var *y, const viz_graph_opts *o,
                                const char *title, char err[VIZ_ERRLEN]) {
    if (window == NULL || window->headless || !viz_sdl_video_start(&window->video)) return 1;
    if (window->layout == NULL && (window->layout = viz_layout_cache_new()) == NULL) {
        snprintf(err, VIZ_ERRLEN, "out of memory showing the graph");
        return -1;
    }
    /* the window's values change (statements, loops, track, step-through):
     * every drawing is laid out with room for the widest numbers the current
     * digits print, so that new values never move a box (a layout is redone
     * only when the structure changes) */
    viz_graph_opts drawn = *o;
    drawn.reserve_values = true;
    viz_scene scene = {0};
    int width = 0, height = 0;
    uint32_t *pixels = viz_scene_render(y, &drawn, window->layout, &scene, &width, &height, err);
    if (pixels == NULL) return -1;
    /* another graph starts fitted again; the same one (new values, a box
     * clicked open or folded) keeps the user's zoom and pan.  Another graph
     * is one of another output that is not a loop's next step (a window
     * title of another name: show(z) after show(y)); :zoom and :digits
     * change every box's size, so they refit once too */
    double zoom = o->zoom > 0 ? o->zoom : 1;
    bool renamed = window->window != NULL && title != NULL && !same_subject(title, SDL_GetWindowTitle(window->window));
    bool refit = window->scene.nodes != NULL && o->active == NULL && !window->stepped &&
                 (renamed || zoom != window->zoom || o->digits != window->digits);
    if (refit) graph_window_trace(window, "refit: %s", renamed ? "another graph" : zoom != window->zoom ? ":zoom" : ":digits");
    if (window->scene.nodes != NULL && scene.key != window->scene.key && scene.output != window->scene.output)
        window->auto_fit = true;
    if (refit) window->auto_fit = true;
    if (zoom != window->zoom) window->zoom = zoom, window->dirty = true;
    /* a group clicked open (or folded) opens where it was on the screen, at
     * the same scale: Graphviz lays the graph out again, so the rest moves
     * as little as the new layout allows around it */
    double old_x, old_y, new_x, new_y;
    viz_view before = window->view;
    bool anchored = !refit && window->anchor_group >= 0 && window->scene.nodes != NULL &&
                    scene.output == window->scene.output &&
                    viz_scene_group_centre(&window->scene, window->anchor_group, &old_x, &old_y) &&
                    viz_scene_group_centre(&scene, window->anchor_group, &new_x, &new_y);
    int anchor = window->anchor_group;
    window->anchor_group = -1;
    /* new values of the graph on the screen (a loop's next step, a
     * backward's steps) keep the scale and the output's place even when the
     * picture changes size a little (the legend gains a line, a frame's
     * border thickens): refitting would move every box on the screen */
    bool steady = !refit && !anchored && window->scene.nodes != NULL &&
                  (scene.key == window->scene.key || o->active != NULL || window->stepped ||
                   viz_scene_same_nodes(&scene, &window->scene)) &&
                  viz_scene_output_centre(&window->scene, &old_x, &old_y) && viz_scene_output_centre(&scene, &new_x, &new_y);
    if (anchored || steady) window->auto_fit = false;
    window->hold_size = window->scene.nodes != NULL && (o->active != NULL || window->stepped);
    window->stepped = o->active != NULL; /* the drawing after the last step is steady too */
    window->opening = &scene; /* the scene the picture is of (fit_view) */
    int rc = viz_graph_window_show(window, pixels, width, height, title, err);
    window->opening = NULL;
    window->hold_size = false;
    if (rc == 0 && (anchored || steady)) {
        double sx, sy;
        viz_view_to_screen(&before, old_x, old_y, &sx, &sy);
        viz_view kept = window->view;
        window->view.scale = before.scale;
        window->view.offset_x = sx - new_x * before.scale;
        window->view.offset_y = sy - new_y * before.scale;
        window->dirty = true;
        if (steady && kept.scale == window->view.scale && fabs(kept.offset_x - window->view.offset_x) < 0.05 &&
            fabs(kept.offset_y - window->view.offset_y) < 0.05)
            ; /* the same view: nothing to log */
        else if (anchored)
            graph_window_trace(window, "view scale %.4g offset %.1f,%.1f (box%d kept in place)", window->view.scale,
                  window->view.offset_x, window->view.offset_y, anchor);
        else
            graph_window_trace(window, "view scale %.4g offset %.1f,%.1f (output kept in place)", window->view.scale,
                  window->view.offset_x, window->view.offset_y);
    }
    free(pixels);
    if (rc != 0) {
        viz_scene_free(&scene);
        return rc;
    }
    /* the selection follows its node by name in a graph of the same
     * structure (new values, a loop's next step); the same output drawn
     * otherwise (a group clicked open) keeps the same variable or function
     * selected; another graph clears the selection and closes the inspector */
    bool same_graph = window->scene.nodes != NULL && scene.key == window->scene.key;
    const void *selected_object = NULL;
    if (!same_graph && scene.output != NULL && scene.output == window->scene.output &&
        window->selected >= 0 && window->selected < window->scene.nnodes) {
        const viz_scene_node *old = &window->scene.nodes[window->selected];
        selected_object = old->kind == VIZ_NODE_FUNC ? (const void *)old->func : (const void *)old->var;
    }
    viz_scene_free(&window->scene);
    window->scene = scene;
    window->digits = o->digits;
    graph_window_trace(window, "show %dx%d nodes %d edges %d layout %s", width, height, scene.nnodes, scene.nedges,
          scene.pinned ? "kept" : scene.opened ? "new around the last" : "new");
    for (int i = 0; window->trace != NULL && i < scene.nnodes; i++) {
        const viz_scene_node *n = &scene.nodes[i];
        if (n->kind == VIZ_NODE_OTHER) continue;
        char label[64] = "-";
        if (n->kind == VIZ_NODE_FUNC) ag_func_label(n->func, label, sizeof label);
        else if (n->kind == VIZ_NODE_VAR) {
            const char *path = scene.var_path != NULL ? scene.var_path(scene.notes_user, n->var) : NULL;
            const char *name = path != NULL && path[0] != '\0' ? path : ag_name(n->var); /* m.linear[1].w */
            if (name[0] != '\0') snprintf(label, sizeof label, "%s", name);
            else if (ag_var_flags(n->var) & AG_VAR_CONST) /* const:100 */
                snprintf(label, sizeof label, "const:%.17g", ag_size(n->var) == 1 ? ag_item(n->var) : NAN);
        }
        double x, y;
        viz_view_to_screen(&window->view, n->x, n->y, &x, &y);
        graph_window_trace(window, "node %s %s at %.0f,%.0f size %.0fx%.0f picture %.1f,%.1f", n->name, label, x, y,
              n->width * window->view.scale, n->height * window->view.scale, n->x, n->y);
    }
    for (int i = 0; window->trace != NULL && i < scene.nframes; i++) {
        const viz_scene_frame *f = &scene.frames[i];
        double x0, y0, x1, y1;
        viz_view_to_screen(&window->view, f->x0, f->y0, &x0, &y0);
        viz_view_to_screen(&window->view, f->x1, f->y1, &x1, &y1);
        graph_window_trace(window, "frame box%d at %.0f,%.0f size %.0fx%.0f title %s", f->group, x0, y0, x1 - x0, y1 - y0,
              f->title);
    }
    /* the selection follows its node by name; hovering is looked up again */
    window->hovered = -1;
    int selected = -1;
    for (int i = 0; same_graph && window->selected_name[0] != '\0' && i < scene.nnodes; i++)
        if (strcmp(scene.nodes[i].name, window->selected_name) == 0) selected = i;
    for (int i = 0; !same_graph && selected_object != NULL && i < scene.nnodes; i++) {
        const viz_scene_node *n = &scene.nodes[i];
        if (n->kind == VIZ_NODE_FUNC ? (const void *)n->func == selected_object
                                     : n->kind == VIZ_NODE_VAR && (const void *)n->var == selected_object)
            selected = i;
    }
    bool open_after = false;
    for (int i = 0; window->select_after != NULL && i < scene.nnodes; i++)
        if (scene.nodes[i].kind == VIZ_NODE_VAR && scene.nodes[i].var == window->select_after)
            selected = i, open_after = true;
    if (window->select_after != NULL) ag_release(window->select_after);
    window->select_after = NULL;
    if (selected >= 0)
        snprintf(window->selected_name, sizeof window->selected_name, "%s", scene.nodes[selected].name);
    if (open_after) {
        window->selected = -1;
        set_selected(window, selected);
    } else if (selected >= 0 || window->inspector != NULL) {
        window->selected = selected;
        double scroll = window->inspector_scroll;
        if (selected < 0) set_selected(window, -1);
        else update_inspector(window), window->inspector_scroll = scroll;
    }
    if (window->pointer_known) hover(window, window->pointer_x, window->pointer_y);
    graph_window_redraw(window);
    return 0;
}

bool viz_graph_window_digest(const viz_graph_window *window, uint64_t *digest) {
    if (window == NULL || window->scene.nodes == NULL || !window->scene.digested) return false;
    *digest = window->scene.digest;
    return true;
}

const unsigned char *viz_graph_window_unfolded(const viz_graph_window *window, int *count) {
    *count = window != NULL ? window->n_unfolded : 0;
    return window != NULL ? window->unfolded : NULL;
}

bool viz_graph_window_take_rerender(viz_graph_window *window) {
    if (window == NULL || !window->rerender) return false;
    window->rerender = false;
    return true;
}

bool viz_graph_window_sizes(const viz_graph_window *window, int *picture_width,
                            int *picture_height, int *window_width, int *window_height) {
    if (window == NULL || window->window == NULL || window->picture == NULL) return false;
    if (picture_width) *picture_width = window->picture->w;
    if (picture_height) *picture_height = window->picture->h;
    int w = 0, h = 0;
    SDL_GetWindowSizeInPixels(window->window, &w, &h);
    if (window_width) *window_width = w;
    if (window_height) *window_height = h;
    return true;
}

bool viz_graph_window_view(const viz_graph_window *window, double *scale, double *fit_scale, double visible[4]) {
    if (window == NULL || window->window == NULL || window->picture == NULL) return false;
    int width, height;
    graph_area(window, &width, &height);
    viz_view whole;
    viz_view_fit(&whole, window->picture->w, window->picture->h, width, height);
    if (scale) *scale = window->view.scale;
    if (fit_scale) *fit_scale = whole.scale;
    if (visible) {
        viz_view_to_picture(&window->view, 0, 0, &visible[0], &visible[1]);
        viz_view_to_picture(&window->view, width, height, &visible[2], &visible[3]);
    }
    return true;
}
