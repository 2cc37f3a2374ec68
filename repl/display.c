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

#include "strbuf.h"
#include "viz_session.h"

/* Plots are handed over at most this often without a pace. */
#define PLOT_INTERVAL_MS 250.0

void repl_set_display(repl *r, void (*display)(void *user, const repl_display *d), void *user) {
    if (r == NULL) return;
    r->io.display = display;
    r->io.display_user = user;
}

void repl_set_input(repl *r, repl_input_fn input, void *user) {
    if (r == NULL) return;
    r->io.input = input;
    r->io.input_user = user;
}

void repl_set_changes_refused(repl *r, bool refused) {
    if (r == NULL || r->io.changes_refused == refused) return;
    /* what is drawn from the session's generator meanwhile (rand(3), a
     * data set, a dropout) is undone: the next cell draws the same */
    if (refused) r->io.rng_before = *ag_ctx_rng(r->ctx);
    else *ag_ctx_rng(r->ctx) = r->io.rng_before;
    r->io.changes_refused = refused;
}

/* The clock that paces a display's figures (a few ms are plenty), which
 * plot() reads at every call.  In the web page's worker CLOCK_MONOTONIC is
 * performance.now(), 0.7 us a call: a million plots spent a second on it,
 * half the plotting loop's time (bench/README.md, "The web page's plotting
 * loop"); CLOCK_REALTIME is Date.now() there, a tenth of that.  A wall clock
 * may step back: the next figure then goes at once. */
static double pace_ms(void) {
    struct timespec ts;
#ifdef __EMSCRIPTEN__
    clock_gettime(CLOCK_REALTIME, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- show(y): the graph inline ------------------------------------------------- */

/* How many drawings of one graph the page holds: as shown, and with its
 * folded groups expanded (a click on a box shows the drawing with that group
 * open, a click on an open group's frame folds it again); and at most how
 * many bytes of them. */
#define MAX_VIEWS 8
#define MAX_VIEW_BYTES ((size_t)4 << 20)

typedef struct view {
    unsigned char *unfolded; /* group N drawn expanded when unfolded[N] (N < n_unfolded) */
    int n_unfolded;
    char *svg;   /* Graphviz's SVG */
    char *nodes; /* the inspector's text of each node (viz_graph_inspector_html) */
} view;

static bool unfolded_at(const view *v, int group) {
    return group >= 0 && group < v->n_unfolded && v->unfolded[group];
}

static bool same_view(const view *a, const view *b) {
    int n = a->n_unfolded > b->n_unfolded ? a->n_unfolded : b->n_unfolded;
    for (int i = 0; i < n; i++)
        if (unfolded_at(a, i) != unfolded_at(b, i)) return false;
    return true;
}

/* The page's name of a drawing: its expanded groups, "0,2". */
static void view_key(strbuf *out, const view *v) {
    bool first = true;
    for (int i = 0; i < v->n_unfolded; i++)
        if (v->unfolded[i]) {
            strbuf_appendf(out, first ? "%d" : ",%d", i);
            first = false;
        }
}

/* Adds the drawing of `from` with `group` expanded too, unless there is one
 * or the page is full.  False when out of memory. */
static bool add_view(view *views, int *count, const view *from, int group) {
    if (*count >= MAX_VIEWS || group < 0 || group > 4096) return true;
    int n = from->n_unfolded > group + 1 ? from->n_unfolded : group + 1;
    view next = {.unfolded = calloc((size_t)n, 1), .n_unfolded = n};
    if (next.unfolded == NULL) return false;
    if (from->n_unfolded > 0) memcpy(next.unfolded, from->unfolded, (size_t)from->n_unfolded);
    next.unfolded[group] = 1;
    for (int i = 0; i < *count; i++)
        if (same_view(&views[i], &next)) {
            free(next.unfolded);
            return true;
        }
    views[(*count)++] = next;
    return true;
}

/* The folded groups of a drawing: the data-group="N" of its nodes' text. */
static bool add_views_of_boxes(view *views, int *count, int at) {
    for (const char *p = views[at].nodes; (p = strstr(p, "data-group=\"")) != NULL;) {
        p += strlen("data-group=\"");
        if (!add_view(views, count, &views[at], atoi(p))) return false;
    }
    return true;
}

static void free_views(view *views, int count) {
    for (int i = 0; i < count; i++) {
        free(views[i].unfolded);
        free(views[i].svg);
        free(views[i].nodes);
    }
}

/* Appends the <svg> element of Graphviz's SVG (without the XML prologue)
 * with its width and height times zoom, so that :zoom enlarges the page's
 * graph as it does the PNG; on the page it is scaled down to the output's
 * width when wider (never up past its own size), and the page's buttons
 * and a drag zoom and pan inside the output (graph_script). */
static void append_svg_element(strbuf *out, const char *svg, double zoom) {
    const char *element = strstr(svg, "<svg");
    if (element == NULL) {
        strbuf_append(out, svg);
        return;
    }
    element += strlen("<svg");
    const char *tag_end = strchr(element, '>');
    if (zoom <= 0) zoom = 1;
    const char *width = tag_end ? strstr(element, " width=\"") : NULL;
    double natural = width != NULL && width < tag_end ? strtod(width + strlen(" width=\""), NULL) * zoom : 0;
    if (natural > 0)
        strbuf_appendf(out, "<svg style=\"width:100%%;max-width:%.2fpt;height:auto\" data-width=\"%.2fpt\"", natural,
                       natural);
    else
        strbuf_append(out, "<svg style=\"max-width:100%;height:auto\"");
    if (zoom == 1 || tag_end == NULL) {
        strbuf_append(out, element);
        return;
    }
    const char *p = element;
    while (p < tag_end) {
        const char *attr = NULL;
        const char *w = strstr(p, " width=\""), *h = strstr(p, " height=\"");
        if (w != NULL && w < tag_end) attr = w;
        if (h != NULL && h < tag_end && (attr == NULL || h < attr)) attr = h;
        if (attr == NULL) break;
        const char *number = strchr(attr, '"') + 1;
        char *unit;
        double size = strtod(number, &unit);
        strbuf_append_n(out, p, (size_t)(number - p));
        if (unit == number) { /* not a number: as it is */
            p = number;
            continue;
        }
        strbuf_appendf(out, "%.2f", size * zoom);
        p = unit;
    }
    strbuf_append(out, p);
}

/* The page's script, run once per displayed graph on the element with id %s:
 * hover outlines a node's inputs (blue) and outputs (red); a click shows
 * what the graph window's inspector shows about it, beside the graph when
 * the output has room for it, else just under the clicked node, scrolled
 * into view, with a layer's units over the plane when its text carries
 * them (graph_html.c); a click on a folded group the drawing with it open
 * (and, for a layer with maps, what leaves it inspected), a click
 * on an open group's frame the drawing with it folded.  The buttons zoom
 * the graph inside the output (fit: the output's width) and a drag pans it.
 * A graph whose smallest text would be under 12 px at the output's width
 * opens zoomed to 12 px and scrolled to its output (data-opened="output"),
 * the tools' note saying how to see the rest. */
static const char graph_script[] =
    "(function(){var root=document.getElementById('%s');if(!root)return;"
    "var panel=root.querySelector('.agrepl-inspector'),views=[].slice.call(root.querySelectorAll('.agrepl-view'));"
    "var zoom=1,dragged=false;"
    "function all(e,s){return [].slice.call(e.querySelectorAll(s));}"
    "function title(g){var t=g.querySelector('title');return t?t.textContent:'';}"
    "function parse(k){return k?k.split(',').map(Number):[];}"
    "function key(s){return s.slice().sort(function(a,b){return a-b;}).join(',');}"
    "function find(k){for(var i=0;i<views.length;i++)if(views[i].getAttribute('data-key')==k)return views[i];return null;}"
    "function shown(){for(var i=0;i<views.length;i++)if(views[i].style.display!='none')return views[i];return views[0];}"
    "function say(text,n,p){panel.textContent=text;root.style.paddingBottom='';"
    "var maps=p&&p.querySelector('img.agrepl-maps'),at=text.indexOf('\\nvalue:');"
    "if(maps){var rest=document.createTextNode(at<0?'':text.slice(at+1)),cap=document.createElement('div');"
    "if(at>=0)panel.textContent=text.slice(0,at+1);cap.textContent=maps.title;cap.style.fontWeight='bold';"
    "panel.appendChild(cap);panel.appendChild(maps.cloneNode());panel.appendChild(rest);}"
    "if(!text){panel.style.display='none';root.removeAttribute('data-inspector');return;}"
    "panel.style.display='block';var r=root.getBoundingClientRect(),s=shown().querySelector('svg'),"
    "g=s?s.getBoundingClientRect():r,right=Math.min(g.right,shown().getBoundingClientRect().right),free=r.right-right;"
    "if(free>=320){panel.style.left=(right-r.left+8)+'px';panel.style.top='0px';panel.style.width=(free-24)+'px';"
    "root.setAttribute('data-inspector','beside');}"
    "else{var b=n?n.getBoundingClientRect():g,w=Math.min(r.width,560);"
    "panel.style.width=(w-12)+'px';panel.style.left=Math.max(0,Math.min(b.left-r.left,r.width-w))+'px';"
    "panel.style.top=(b.bottom-r.top+6)+'px';root.setAttribute('data-inspector','under');}"
    "var over=panel.offsetTop+panel.offsetHeight-root.clientHeight;if(over>0)root.style.paddingBottom=(over+8)+'px';"
    "panel.scrollIntoView({block:'nearest'});}"
    "function open(v){views.forEach(function(w){w.style.display=w==v?'':'none';});say('');scale(zoom);}"
    "function scale(k){zoom=k<=1?1:Math.min(k,8);all(root,'.agrepl-view svg').forEach(function(s){"
    "if(zoom==1){s.style.width='100%%';s.style.maxWidth=s.getAttribute('data-width');return;}"
    "if(!s.fitWidth||s.style.maxWidth!='none')s.fitWidth=s.getBoundingClientRect().width;"
    "s.style.maxWidth='none';s.style.width=(s.fitWidth*zoom)+'px';});root.setAttribute('data-zoom',zoom);}"
    "all(root,'.agrepl-tools button').forEach(function(b){b.addEventListener('click',function(){"
    "var z=b.getAttribute('data-zoom');scale(z=='fit'?1:zoom*(+z));});});"
    "all(root,'.agrepl-pane').forEach(function(p){var at=null;"
    "p.addEventListener('mousedown',function(e){if(e.button!==0)return;at=[e.clientX,e.clientY,p.scrollLeft,p.scrollTop];dragged=false;});"
    "window.addEventListener('mousemove',function(e){if(!at)return;var dx=e.clientX-at[0],dy=e.clientY-at[1];"
    "if(Math.abs(dx)+Math.abs(dy)>4)dragged=true;if(dragged){p.scrollLeft=at[2]-dx;p.scrollTop=at[3]-dy;e.preventDefault();}});"
    "window.addEventListener('mouseup',function(){at=null;});});"
    "views.forEach(function(view){var set=parse(view.getAttribute('data-key')),info={},selected=null;"
    "all(view,'pre[data-node]').forEach(function(p){info[p.getAttribute('data-node')]=p;});"
    "var nodes=all(view,'g.node'),edges=all(view,'g.edge');"
    "function ends(e){var p=title(e).split('->');return p.length==2?p:null;}"
    "function mark(name,on){edges.forEach(function(e){var p=ends(e);if(!p)return;var into=p[1]==name,out=p[0]==name;"
    "if(!into&&!out)return;all(e,'path,polygon').forEach(function(s){s.style.strokeWidth=on?'3':'';s.style.stroke=on?(into?'#1f77b4':'#d62728'):'';});});}"
    "nodes.forEach(function(n){var name=title(n),p=info[name];if(!p)return;n.style.cursor='pointer';"
    "n.addEventListener('mouseenter',function(){mark(name,true);});"
    "n.addEventListener('mouseleave',function(){mark(name,false);});"
    "n.addEventListener('click',function(){if(dragged)return;var group=p.getAttribute('data-group');"
    "if(group!==null){var next=find(key(set.concat([+group])));if(next){open(next);"
    "if(p.querySelector('img.agrepl-maps'))say(p.textContent,null,p);return;}say('folded group '+group+': this page holds no drawing with it open (show(y, fold=false) draws every group open)',n);return;}"
    "if(selected)all(selected,'polygon,ellipse,path').forEach(function(s){s.style.strokeWidth='';});"
    "selected=n;all(n,'polygon,ellipse,path').forEach(function(s){s.style.strokeWidth='3';});"
    "root.setAttribute('data-selected',name);say(p.textContent,n,p);});});"
    "all(view,'g.cluster').forEach(function(c){var m=/^cluster_group(\\d+)$/.exec(title(c));if(!m)return;"
    "var g=+m[1],back=find(key(set.filter(function(x){return x!=g;})));if(!back)return;c.style.cursor='pointer';"
    "c.addEventListener('click',function(){if(!dragged)open(back);});});});"
    /* a graph whose smallest text would be under 12 px at the output's width
     * opens zoomed to 12 px on its output, saying how to see the rest */
    "(function(){var v=shown(),s=v.querySelector('svg'),p=v.querySelector('.agrepl-pane'),vb=s&&s.viewBox&&s.viewBox.baseVal;"
    "if(!p||!vb||!vb.width)return;var w=s.getBoundingClientRect().width,small=0;if(!w)return;"
    "all(s,'text').forEach(function(t){var f=parseFloat(t.getAttribute('font-size'));if(f>0&&(!small||f<small))small=f;});"
    "var px=small*w/vb.width;if(!small||px>=11.95)return;scale(12/px);"
    "var o=v.querySelector('pre[data-output]'),n=null;if(o)all(v,'g.node').forEach(function(g){if(title(g)==o.getAttribute('data-node'))n=g;});"
    "if(n){var a=n.getBoundingClientRect(),b=p.getBoundingClientRect();"
    "p.scrollLeft+=a.left+a.width/2-b.left-p.clientWidth/2;p.scrollTop+=a.top+a.height/2-b.top-p.clientHeight/2;}"
    "var t=root.querySelector('.agrepl-note');if(t)t.textContent=' \u2014 bigger than the page at readable text: shown on its '"
    "+(n?'output':'top left')+'; drag to see the rest, fit shows it whole (its text then '+Math.round(px)+' px)';"
    "root.setAttribute('data-opened',n?'output':'top left');})();})();";

/* The graph as the page shows it: the zoom buttons, every drawing (view) of
 * it, the inspector panel and the script; NULL with err. */
static char *graph_html(const viz_graph_opts *o, const char *id, view *views, int nviews) {
    strbuf html = {0};
    strbuf_appendf(&html, "<div class=\"agrepl-graph\" id=\"%s\" style=\"position:relative\">", id);
    strbuf_append(&html, "<div class=\"agrepl-tools\" style=\"font-size:12px;color:#555\">"
                         "<button data-zoom=\"1.25\" title=\"zoom in\">+</button>"
                         "<button data-zoom=\"0.8\" title=\"zoom out\">&#8722;</button>"
                         "<button data-zoom=\"fit\" title=\"the output's width\">fit</button>"
                         " drag to pan, click a node to inspect it<span class=\"agrepl-note\"></span></div>");
    for (int i = 0; i < nviews; i++) {
        strbuf_append(&html, "<div class=\"agrepl-view\" data-key=\"");
        view_key(&html, &views[i]);
        strbuf_appendf(&html, "\"%s><div class=\"agrepl-pane\" style=\"overflow:auto;max-height:85vh\">",
                       i == 0 ? "" : " style=\"display:none\"");
        append_svg_element(&html, views[i].svg, o->zoom);
        strbuf_append(&html, "</div>");
        strbuf_append(&html, "<div class=\"agrepl-nodes\" hidden style=\"display:none\">");
        strbuf_append(&html, views[i].nodes);
        strbuf_append(&html, "</div></div>");
    }
    char script[sizeof graph_script + 64];
    snprintf(script, sizeof script, graph_script, id);
    strbuf_append(&html, "<div class=\"agrepl-inspector\" style=\"display:none;position:absolute;z-index:10;"
                         "background:#fff;font-family:monospace;white-space:pre-wrap;border:1px solid #bbb;"
                         "box-shadow:0 2px 6px rgba(0,0,0,.2);padding:4px;max-height:60vh;overflow:auto\"></div>"
                         "</div><script>");
    strbuf_append(&html, script);
    strbuf_append(&html, "</script>");
    return strbuf_take(&html);
}

/* Draws the views: the graph as o says, then with each folded group open
 * (breadth first, at most MAX_VIEWS and MAX_VIEW_BYTES).  Returns how many
 * were drawn (at least the first), or -1 with err. */
static int draw_views(ag_var *y, const viz_graph_opts *o, view *views, char err[VIZ_ERRLEN]) {
    int count = 1, drawn = 0;
    size_t bytes = 0;
    views[0].n_unfolded = o->fold != 0 ? o->n_unfolded : 0;
    if (views[0].n_unfolded > 0) {
        if ((views[0].unfolded = malloc((size_t)views[0].n_unfolded)) == NULL) goto out_of_memory;
        memcpy(views[0].unfolded, o->unfolded, (size_t)views[0].n_unfolded);
    }
    for (; drawn < count; drawn++) {
        view *v = &views[drawn];
        viz_graph_opts drawing = *o;
        if (drawn > 0) drawing.fold = 1; /* the groups the first drawing folded stay folded */
        drawing.unfolded = v->unfolded;
        drawing.n_unfolded = v->n_unfolded;
        size_t size = 0;
        v->svg = repl_vz->graph_svg(y, &drawing, &size, err);
        v->nodes = v->svg ? repl_vz->graph_inspector_html(y, &drawing, err) : NULL;
        if (v->svg == NULL || v->nodes == NULL) {
            if (drawn == 0) return -1;
            break; /* the views drawn so far; a box without its view says so */
        }
        bytes += size + strlen(v->nodes);
        if (bytes > MAX_VIEW_BYTES && drawn > 0) {
            free(v->svg);
            free(v->nodes);
            v->svg = v->nodes = NULL;
            break;
        }
        if (!add_views_of_boxes(views, &count, drawn)) goto out_of_memory;
    }
    for (int i = drawn; i < count; i++) { /* not drawn: not on the page */
        free(views[i].unfolded);
        free(views[i].svg);
        free(views[i].nodes);
        views[i] = (view){0};
    }
    return drawn;
out_of_memory:
    snprintf(err, VIZ_ERRLEN, "out of memory");
    return -1;
}

int repl_display_graph_as(repl *r, ag_var *y, const viz_graph_opts *o, const char *display_id, bool update,
                          char err[VIZ_ERRLEN]) {
    if (repl_viz_load(repl_get_viz(r)) < 0) {
        snprintf(err, VIZ_ERRLEN, "%s", repl_viz_load_error());
        return -1;
    }
    err[0] = '\0';
    view views[MAX_VIEWS] = {{0}};
    /* the text tree first: its node limit is the lowest, and refusing there
     * costs nothing, where the pictures of a graph past it took a kernel
     * tens of seconds and gigabytes before the same refusal */
    char *text = repl_vz->graph_tree(y, o, err);
    int nviews = text != NULL ? draw_views(y, o, views, err) : -1;
    if (nviews <= 0) {
        free(text);
        text = NULL;
    }
    size_t png_size = 0;
    bool with_png = repl_vz->graph_png != NULL; /* the web build's module makes no PNG */
    unsigned char *png = text && with_png ? repl_vz->graph_png(y, o, &png_size, err) : NULL;
    char id[64], own_id[64];
    unsigned n = ++r->io.display_count;
    snprintf(id, sizeof id, "agrepl-graph-%u-%ld", n, (long)time(NULL));
    bool drawn = png != NULL || (text != NULL && !with_png);
    char *html = drawn ? graph_html(o, id, views, nviews) : NULL;
    strbuf zoomed = {0}; /* the SVG alone, at the page's size */
    if (html != NULL) append_svg_element(&zoomed, views[0].svg, o->zoom);
    char *svg = html ? strbuf_take(&zoomed) : NULL;
    if (drawn && svg == NULL) snprintf(err, VIZ_ERRLEN, "out of memory");
    if (svg == NULL) {
        free(html);
        free_views(views, MAX_VIEWS);
        free(text);
        free(png);
        return -1;
    }
    if (display_id == NULL) {
        snprintf(own_id, sizeof own_id, "agrepl-graph-display-%u", n);
        display_id = own_id;
    }
    repl_display d = {.html = html, .svg = svg, .text = text, .png = png, .png_size = png_size,
                      .display_id = display_id, .update = update};
    fflush(r->io.out);
    r->io.display(r->io.display_user, &d);
    free(html);
    free(svg);
    free_views(views, MAX_VIEWS);
    free(png);
    free(text);
    return 0;
}

int repl_display_graph(repl *r, ag_var *y, const viz_graph_opts *o) {
    char err[VIZ_ERRLEN];
    if (repl_display_graph_as(r, y, o, NULL, false, err) < 0) return repl_error(r, "show: %s", err);
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
    r->io.plot_shown_ms = pace_ms();
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

void repl_display_plot_now(repl *r) {
    if (r->io.display != NULL && r->io.plot_dirty) show_plot(r);
}

void repl_display_plot_changed(repl *r) {
    r->io.plot_dirty = true;
    double interval = r->settings.pace_fps > 0 ? 1000.0 / r->settings.pace_fps : PLOT_INTERVAL_MS;
    if (r->eval.chunk == NULL) return;
    double since = pace_ms() - r->io.plot_shown_ms;
    if (since >= interval || since < 0) show_plot(r);
}

void repl_display_flush(repl *r) {
    if (r == NULL || r->io.display == NULL) return;
    if (r->io.plot_dirty) show_plot(r);
    r->io.plot_display_id[0] = '\0';
}
