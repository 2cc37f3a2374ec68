/* display.c — pictures for a front end that shows them (repl_set_display,
 * the Jupyter kernel): show(y) as HTML with the graph's SVG and a small
 * script (hover outlines a node's inputs and outputs, a click opens an
 * inspector with the node's text and its neighbours), with SVG, PNG and
 * tree-text fallbacks; plots as PNG, one output per cell updated in place
 * while a loop draws (viz_session.h).  Everything is made in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "viz_session.h"

/* Plots are handed over at most this often without a pace. */
#define PLOT_INTERVAL_MS 250.0

void repl_set_display(repl *r, void (*display)(void *user, const repl_display *d), void *user) {
    if (r == NULL) return;
    r->io.display = display;
    r->io.display_user = user;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The inspector: runs once per displayed graph, on the element with id ID. */
static const char graph_script[] =
    "(function(){var root=document.getElementById('%s');if(!root)return;"
    "var panel=root.querySelector('.agrepl-inspector');"
    "var nodes=[].slice.call(root.querySelectorAll('g.node')),edges=[].slice.call(root.querySelectorAll('g.edge'));"
    "function title(g){var t=g.querySelector('title');return t?t.textContent:'';}"
    "function ends(e){var p=title(e).split('->');return p.length==2?p:null;}"
    "var label={};nodes.forEach(function(n){var t=[].slice.call(n.querySelectorAll('text')).map(function(x){return x.textContent;});"
    "label[title(n)]=t.join(' ');});"
    "function mark(name,on){edges.forEach(function(e){var p=ends(e);if(!p)return;var into=p[1]==name,out=p[0]==name;"
    "if(!into&&!out)return;[].slice.call(e.querySelectorAll('path,polygon')).forEach(function(s){"
    "s.style.strokeWidth=on?'3':'';s.style.stroke=on?(into?'#1f77b4':'#d62728'):'';});});}"
    "nodes.forEach(function(n){var name=title(n);n.style.cursor='pointer';"
    "n.addEventListener('mouseenter',function(){mark(name,true);});"
    "n.addEventListener('mouseleave',function(){mark(name,false);});"
    "n.addEventListener('click',function(){var ins=[],outs=[];edges.forEach(function(e){var p=ends(e);if(!p)return;"
    "if(p[1]==name)ins.push(label[p[0]]);if(p[0]==name)outs.push(label[p[1]]);});"
    "panel.textContent=label[name]+(ins.length?'\\ninputs: '+ins.join(' | '):'')+(outs.length?'\\noutputs: '+outs.join(' | '):'');"
    "panel.style.display='block';});});})();";

int repl_display_graph(repl *r, ag_var *y, const viz_graph_opts *o) {
    if (repl_viz_load(repl_get_viz(r)) < 0) return repl_error(r, "show: %s", repl_viz_load_error());
    char err[VIZ_ERRLEN];
    size_t svg_size = 0, png_size = 0;
    char *text = repl_vz->graph_tree(y, o, err);
    if (text == NULL) return repl_error(r, "show: %s", err);
    char *svg = repl_vz->graph_svg(y, o, &svg_size, err);
    unsigned char *png = svg ? repl_vz->graph_png(y, o, &png_size, err) : NULL;
    if (svg == NULL || png == NULL) {
        free(text);
        free(svg);
        return repl_error(r, "show: %s", err);
    }
    /* inline HTML takes the <svg> element without the XML prologue */
    const char *element = strstr(svg, "<svg");
    if (element == NULL) element = svg;
    char id[64], display_id[64];
    unsigned n = ++r->io.display_count;
    snprintf(id, sizeof id, "agrepl-graph-%u-%ld", n, (long)time(NULL));
    snprintf(display_id, sizeof display_id, "agrepl-graph-display-%u", n);
    char script[sizeof graph_script + 64];
    snprintf(script, sizeof script, graph_script, id);
    size_t html_size = strlen(element) + strlen(script) + 512;
    char *html = malloc(html_size);
    if (html == NULL) {
        free(text);
        free(svg);
        free(png);
        return repl_error(r, "show: out of memory");
    }
    snprintf(html, html_size,
             "<div class=\"agrepl-graph\" id=\"%s\">%s"
             "<div class=\"agrepl-inspector\" style=\"display:none;font-family:monospace;"
             "white-space:pre-wrap;border:1px solid #bbb;padding:4px;margin-top:4px\"></div>"
             "</div><script>%s</script>",
             id, element, script);
    repl_display d = {.html = html, .svg = svg, .text = text, .png = png, .png_size = png_size,
                      .display_id = display_id};
    fflush(r->io.out);
    r->io.display(r->io.display_user, &d);
    free(html);
    free(svg);
    free(png);
    free(text);
    return 0;
}

/* Hands the plot over now (a new output, or an update of the cell's). */
static void show_plot(repl *r) {
    repl_viz *v = repl_get_viz(r);
    if (v == NULL || v->plot == NULL) return;
    char err[VIZ_ERRLEN];
    size_t size = 0;
    unsigned char *png = repl_vz->plot_png(v->plot, &size, err);
    r->io.plot_dirty = false;
    r->io.plot_shown_ms = now_ms();
    if (png == NULL) {
        fflush(r->io.out);
        fprintf(r->io.err, "plot: %s\n", err);
        fflush(r->io.err);
        return;
    }
    bool update = r->io.plot_display_id[0] != '\0';
    if (!update)
        snprintf(r->io.plot_display_id, sizeof r->io.plot_display_id, "agrepl-plot-%u", ++r->io.display_count);
    repl_display d = {.png = png, .png_size = size, .text = "<agrepl plot>",
                      .display_id = r->io.plot_display_id, .update = update};
    fflush(r->io.out);
    r->io.display(r->io.display_user, &d);
    free(png);
}

void repl_display_plot_changed(repl *r) {
    r->io.plot_dirty = true;
    double interval = r->settings.pace_fps > 0 ? 1000.0 / r->settings.pace_fps : PLOT_INTERVAL_MS;
    if (r->eval.chunk != NULL && now_ms() - r->io.plot_shown_ms >= interval) show_plot(r);
}

void repl_display_flush(repl *r) {
    if (r == NULL || r->io.display == NULL) return;
    if (r->io.plot_dirty) show_plot(r);
    r->io.plot_display_id[0] = '\0';
}
