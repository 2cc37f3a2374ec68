/* graph.h — drawing the computation graph that ends at a variable.
 *
 * One walk (viz_walk_build) collects the variables and functions below an
 * output; the DOT/PNG/SVG/PDF renderer (graph.c: libcgraph builds the graph,
 * libgvc lays it out with dot and renders it in-process) and the text tree
 * (tree.c) both draw from it, so they always agree on what is shown.  No
 * drawing state lives between calls: everything, including the function being
 * stepped through in backward, is in viz_graph_opts.  (The one process-wide
 * object is Graphviz's own GVC context, made on first render; see graph.c.)
 *
 * Large graphs: more than max_nodes drawn nodes is refused with a message that
 * names a depth= that fits; layouts with many long edges switch off dot's
 * slowest pass, so rendering stays interactive (a 400-node graph in ~1 s);
 * images are drawn at 100 % (96 dpi: node text ~19 px, the smallest ~15 px)
 * and grow with the graph up to VIZ_MAX_IMAGE_PX on a side; only a graph
 * bigger than that is scaled down to fit.
 *
 * Errors follow viz_error.h: a message in the caller's buffer of VIZ_ERRLEN
 * bytes, written for the user without a prefix, e.g.
 *   "graph has 4001 nodes (limit 400): draw the part near the output with depth=199"
 *   "cannot write \"out/g.png\": No such file or directory"
 * so the REPL can put "error: " (or "render: ") in front.
 *
 * Typical use:
 *   viz_graph_opts o;
 *   viz_graph_opts_default(&o);
 *   o.depth = 5;
 *   char err[VIZ_ERRLEN];
 *   int nodes, edges;
 *   if (viz_graph_render(y, &o, "g.png", &nodes, &edges, err) != 0) report(err);
 */
#ifndef VIZ_GRAPH_H
#define VIZ_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ag_core.h"
#include "strbuf.h"
#include "ptrmap.h"
#include "viz_error.h"

/* Without max_nodes, a drawing takes as many nodes as lay out in under a
 * second (viz_walk_build, graph_walk.c): any graph up to VIZ_MAX_MAX_NODES
 * that our layered layout draws (past 1,000 nodes or with many long edges,
 * and no group drawn whole: 4,801 nodes in 0.5 s of CPU), else up to
 * VIZ_DOT_MAX_NODES for dot (a 997-node chain: 0.4 s).  The text tree keeps
 * VIZ_DEFAULT_MAX_NODES: it has no layout, and a longer one is not read. */
#define VIZ_DEFAULT_MAX_NODES 400
#define VIZ_DOT_MAX_NODES 1000
#define VIZ_MAX_MAX_NODES 5000 /* the most max_nodes may ask for */
/* How a gradient summed over several backward calls is marked (a count follows). */
#define VIZ_SUMMED_FMT "summed over %d backward calls"
/* How many backward calls v's .grad sums when that is to be marked (⚠, and
 * the count in words), else 0: not a constant's, nor backward's seed's
 * (dy/dy) or a create_graph gradient's, which higher derivatives sum into by
 * design (the terminal's note on summed gradients skips them too; the
 * seeds of tanh_graph.ag's derivatives were marked "summed over 3 backward
 * calls"). */
#define VIZ_SUMMED_CALLS(v) \
    ((ag_var_flags(v) & (AG_VAR_CONST | AG_VAR_SEED | AG_VAR_BACKWARD)) ? 0 : ag_grad_calls(v))
#define VIZ_DPI 96                /* pixels per inch of PNGs and the window's picture */
#define VIZ_MAX_IMAGE_PX 8000     /* a PNG's longest side; a bigger graph is scaled down */
#define VIZ_SMALLEST_TEXT_PX 9    /* node text scaled below this in a PNG gets a note */
#define VIZ_NOT_DRAWN SIZE_MAX /* viz_walk_find of a node outside the drawing */
#define VIZ_FOLD_AUTO (-1)     /* viz_graph_opts.fold: fold when bigger than ... */
#define VIZ_FOLD_NODES 60      /* ... this many nodes drawn unfolded */

/* A variable drawn with a red border and a note row, e.g. an input whose
 * analytic gradient gradcheck found different from the numeric one. */
typedef struct viz_mark {
    const ag_var *var;
    char note[384]; /* "✗ analytic 2 numeric 3 at [0, 1]" */
} viz_mark;

/* The maps of a layer's units over a two-input model's input plane (what
 * neurons() draws for every layer), for the inspector of a variable a model
 * layer made: maps holds units maps of grid x grid values (unit by unit, row
 * by row from ylo), drawn on a diverging scale around centre.  maps is
 * malloc'd by the hook and freed by viz_unit_maps_free. */
typedef struct viz_unit_maps {
    double *maps;
    int units, grid;
    double centre;
    double xlo, xhi, ylo, yhi;
    char what[96]; /* the caption: "m.linear[0]: 16 units over x0 -1.5..2.5, x1 -1..1.5" */
} viz_unit_maps;
void viz_unit_maps_free(viz_unit_maps *maps);

typedef struct viz_graph_opts {
    bool values;         /* show each variable's value */
    bool grads;          /* show each variable's gradient ("grad 0.54", "grad: none") */
    const char *rankdir; /* "TB" (inputs on top, output at the bottom) or "LR"; NULL = "TB" */
    const char *title;   /* drawn above the graph; NULL or "" = none */
    int depth;           /* 0 = unlimited; else only functions at most depth steps from the
                            output are drawn and the inputs they cut off get a grey "…" cut marker */
    int digits;          /* significant digits of numbers; 0 = full precision for scalars
                            (tensor previews then use 4) */
    int max_nodes;       /* refuse to draw more nodes than this; 0 = what lays out in under
                            a second (above); at most VIZ_MAX_MAX_NODES */
    ag_func *active;     /* the function backward is processing (step-through), drawn
                            highlighted and marked "in progress"; NULL = none */
    const viz_mark *marks; /* variables to mark (nmarks of them); the caller owns them */
    int nmarks;
    double zoom;         /* projector scale (:zoom): in pictures (window, notebook PNG)
                            pixels and so text and lines are zoom times larger (Graphviz
                            dpi 96 * zoom); in files (render, dot) the zoom-1 size with
                            text and lines zoom times larger (graph_zoom.c); 0 or 1 = as is */
    const char *hint_call; /* for a caller without depth= and max_nodes= (backward's steps,
                              gradcheck): the too-many-nodes message suggests
                              HINT_CALL, depth=N) and HINT_CALL, max_nodes=N), e.g. "tree(y";
                              NULL = it names depth= and max_nodes= themselves */
    bool kept_only;      /* grads="kept": only stored .grad values, not the gradients
                            the last backward passed through (ag_last_grad) */
    bool reserve_values; /* the values are about to change (the graph window sets it for
                            every drawing; a notebook's step-through): lay out with room
                            for the widest numbers, so that new values never move a box */
    /* Groups: functions with the same tag (ag_func_tag) for which group_title
     * gives a title (a call of a user def, a model layer) are drawn in a
     * cluster with that title, or folded into one box "box<N>", N the group's
     * number in this drawing (0, 1, ... in the order the walk meets them). */
    int fold;            /* 1 fold every group, 0 none, VIZ_FOLD_AUTO (the default):
                            fold when the graph has more than VIZ_FOLD_NODES nodes */
    const unsigned char *unfolded; /* when folding: group N < n_unfolded with */
    int n_unfolded;                /* unfolded[N] != 0 is drawn expanded */
    const char *(*group_title)(void *user, unsigned tag); /* NULL: no groups */
    /* A parameter's path ("m.linear[0].w") drawn instead of its name; NULL = none. */
    const char *(*var_path)(void *user, const ag_var *v);
    /* The unit maps of a variable a layer of a two-input model made (the
     * inspector draws them under its text): 0 with *maps filled, -1 none.
     * NULL = never. */
    int (*unit_maps)(void *user, const ag_var *v, viz_unit_maps *maps);
    void *notes_user;    /* passed to group_title, var_path and unit_maps */
} viz_graph_opts;

/* The note of v's mark in o, or NULL when v is not marked. */
const char *viz_mark_of(const viz_graph_opts *o, const ag_var *v);

/* Fills o with the defaults: values and grads on, rankdir "TB", no title,
 * unlimited depth, full precision, the default node limit, no active function. */
void viz_graph_opts_default(viz_graph_opts *o);

/* The DOT text of the graph ending at y, exactly what libcgraph writes for the
 * graph that render() lays out (so DOT, PNG, SVG and PDF agree).  Returns a
 * malloc'd string the caller frees (err then holds "" or a note for the user,
 * as viz_graph_render's), or NULL with a message in err. */
char *viz_graph_dot(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);

/* A 64-bit digest of the picture of the graph ending at y: of the nodes,
 * their labels, the edges and the graph's settings that viz_graph_dot would
 * write, without building the graph or its text.  Two drawings with the same
 * digest look the same, so a window following a graph redraws only when it
 * changes.  0 with *digest, or -1 with a message in err. */
int viz_graph_digest(ag_var *y, const viz_graph_opts *o, uint64_t *digest, char err[VIZ_ERRLEN]);

/* Writes the graph ending at y to filename, the format chosen by its extension
 * (.dot .png .svg .pdf, any case).  Fills *nodes and *edges (either may be NULL)
 * with the counts of drawn graph nodes and edges, legend excluded.  Returns 0,
 * or -1 with a message in err (unknown extension, too many nodes, cannot write).
 * At o->zoom != 1 the file keeps its size at zoom 1 (inches) with text, lines
 * and arrows zoom times bigger (graph_zoom.c); when they need more room the
 * picture grows, and on success err holds a note saying so ("" otherwise). */
/* The bytes viz_graph_render would write to `filename` (its format by the
 * extension), malloc'd, with their number in *size, for a caller that writes
 * files itself (the REPL's confined writes); err then holds the note that
 * viz_graph_render leaves there (or "").  NULL with a message in err. */
unsigned char *viz_graph_file_bytes(ag_var *y, const viz_graph_opts *o, const char *filename, size_t *size,
                                    int *nodes, int *edges, char err[VIZ_ERRLEN]);
int viz_graph_render(ag_var *y, const viz_graph_opts *o, const char *filename, int *nodes,
                     int *edges, char err[VIZ_ERRLEN]);

/* Renders the graph as PNG in memory.  Returns malloc'd bytes the caller
 * frees and their count in *size, or NULL with a message in err.  Graphviz
 * 2.43 itself leaks ~6 KB per render (HTML-label parsing), so a live view
 * should redraw when values change, not every frame. */
unsigned char *viz_graph_png(ag_var *y, const viz_graph_opts *o, size_t *size,
                             char err[VIZ_ERRLEN]);

/* The graph as SVG in memory (what render() writes to a .svg file: at 72
 * dpi whatever o->zoom, which the kernel applies to the <svg>'s width and
 * height), for the Jupyter kernel's inline graphs: malloc'd bytes,
 * NUL-terminated, and their count in *size, or NULL with a message in err. */
char *viz_graph_svg(ag_var *y, const viz_graph_opts *o, size_t *size, char err[VIZ_ERRLEN]);

/* What the graph window's inspector says about each node of the same drawing
 * (graph_html.c), as HTML for the kernel's inline graphs: one
 * <pre data-node="NAME">text</pre> per variable, function and folded group
 * (those with data-group="N" too), NAME the node's SVG <title>.  Malloc'd,
 * or NULL with a message in err. */
char *viz_graph_inspector_html(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);

/* The picture of the PNG above as pixels, for the graph window: *width x
 * *height 32-bit values 0xAARRGGBB, row after row (opaque: the background is
 * white).  Returns malloc'd pixels the caller frees, or NULL with a message in
 * err.  No PNG encoding, so a few times faster (about 10 ms for a small graph). */
uint32_t *viz_graph_pixels(ag_var *y, const viz_graph_opts *o, int *width, int *height,
                           char err[VIZ_ERRLEN]);

/* The graph as an indented text tree, one variable per line:
 *     y = 1.8414709848078965 (grad 1) ← Add
 *     ├── 0.8414709848078965 (grad 1) ← Sin
 *     │   └── x = 1 (grad 2.5403023058681398)
 *     └── 1 (grad 1) ← Pow(2)
 *         └── x (see above)
 * A line's children are the inputs of the function that made it; a variable
 * reached again is a "(see above)" reference; "└── …" marks inputs cut by
 * depth; the active function is marked "◀ in progress".  Returns a malloc'd
 * string ending in a newline, or NULL with a message in err (as viz_graph_dot). */
char *viz_graph_tree(ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);

/* ---- the walk shared by graph.c and tree.c ------------------------------ */

/* What the walk found below the output, in breadth-first order from it:
 * vars[0] is the output; funcs[i] is funcs_distance[i] steps from it (its
 * creator is 1).  A variable whose creator was cut by depth has cut[i] set. */
typedef struct viz_walk {
    ag_var **vars;
    bool *cut;
    int *vars_distance; /* of the nearest function it touches; the output is 0 */
    size_t nvars, vars_capacity, cut_capacity, vars_distance_capacity;
    ag_func **funcs;
    int *funcs_distance;
    size_t nfuncs, funcs_capacity, funcs_distance_capacity;
    size_t ncut;      /* variables with cut set (each gets one cut marker) */
    size_t nedges;    /* edges drawn (folded or not), cut markers' included */
    ptrmap index;     /* variable or function → its index in vars or funcs */
    /* groups (see viz_graph_opts): */
    int *func_group;      /* per function: its group, or -1 */
    int *var_group;       /* per variable: the group it is drawn in (made by one of its
                             functions; a parameter or an unnamed constant only its functions
                             read), or -1 */
    unsigned *group_tags; /* per group: the tag */
    bool *group_folded;   /* per group: drawn as one box */
    char **group_params;  /* per group: NULL, or the title of a group that holds only
                             parameters ("model.lstm parameters"): the weights several
                             calls of one layer share (an LSTM's steps), folded into one
                             box with one edge to each call rather than one per weight */
    size_t data_start, data_end; /* groups [data_start, data_end) hold a graph's data: the
                             ops that make a variable the layers read from no parameter
                             (the lesson's wave from t and noise), titled in group_params
                             ("wave (data)") but drawn as calls, not as parameters */
    size_t ngroups;
    size_t group_tags_capacity, group_folded_capacity, group_params_capacity; /* src/util/array.h */
    size_t *inputs_start; /* group g's inputs: vars group_inputs[inputs_start[g] .. [g+1]) */
    size_t *group_inputs; /* (variables its functions read that none of them made) */
    size_t group_inputs_capacity;
    size_t ndrawn;        /* nodes drawn: vars and functions not folded away, boxes, cut markers */
    /* the node in vars drawn for each input of each function: function i's
     * input k is slot_node[slot_start[i] + k] (viz_walk_input) */
    size_t *slot_start, *slot_node;
    size_t slot_start_capacity, nslots, slot_node_capacity;
} viz_walk;

/* Whether group g of w holds only a layer's parameters (drawn in their colours). */
bool viz_group_is_params(const viz_walk *w, size_t g);

/* The group (>= 0) whose box hides variable i or function i of w, or -1. */
int viz_walk_var_folded(const viz_walk *w, size_t i);
int viz_walk_func_folded(const viz_walk *w, size_t i);

/* What leaves group g's box: the variable its functions made that the graph's
 * output is, or the first (nearest the output) a function outside reads; NULL
 * when none is drawn. */
ag_var *viz_walk_group_output(const viz_walk *w, int g);
/* What kind of layer group g of w is when its ops do not say it at a
 * glance ("Conv2d"), else NULL. */
const char *viz_group_kind(const viz_walk *w, size_t g);
/* The title of group g of w (never NULL). */
const char *viz_group_title(const viz_walk *w, const viz_graph_opts *o, size_t g);

/* What variable v is called in drawings: its path from a model (var_path),
 * else its name; "" when neither. */
const char *viz_var_name(const viz_graph_opts *o, const ag_var *v);

/* The preview of numbers in v's shape (as viz_format_value), e.g. of ag_last_grad(v). */
void viz_format_numbers(const ag_var *v, const double *data, int digits, char *buf, size_t n);

/* Walks from y honouring o->depth (iteratively; any graph size) and fills w.
 * Returns 0, or -1 with a message in err when y is NULL, memory runs out or
 * the graph has more than the node limit (vars + funcs + cut markers).  Always
 * leaves w ready for viz_walk_free. */
int viz_walk_build(viz_walk *w, ag_var *y, const viz_graph_opts *o, char err[VIZ_ERRLEN]);
void viz_walk_free(viz_walk *w);
/* The index of p in w's vars or funcs, or VIZ_NOT_DRAWN. */
size_t viz_walk_find(const viz_walk *w, const void *p);
/* The index in w's vars of the node drawn for input k of function i (NULL
 * input: VIZ_NOT_DRAWN).  A constant that several functions read is drawn
 * once for each of them: the same variable at several indexes, of which
 * viz_walk_find gives the first. */
size_t viz_walk_input(const viz_walk *w, size_t i, int k);

/* Writes into buf (capacity n, always NUL-terminated) the preview of v's data
 * that every drawing uses: a 0-d or one-element value with `digits` (0 = in
 * full: "0.5403023058681398"), a bigger tensor as its shape and first numbers
 * ("[2 3] 1 2 3 …", 4 significant digits unless digits is set). */
void viz_format_value(const ag_var *v, int digits, char *buf, size_t n);

/* The role of f's input k where operand order matters, drawn on its edge:
 * "a"/"b" (Sub, Div), "base"/"exp" (Pow with a variable exponent),
 * "left"/"right" (MatMul); NULL for every other op and input. */
const char *viz_operand_role(const ag_func *f, int k);

#endif
