/* builtins_viz.c — graphs and plots as REPL built-ins, and the session's
 * window state. */
#include <stdlib.h>

#include "builtins.h"

struct repl_viz {
    bool headless;
};

const builtin_def builtins_viz[] = {
    {0},
};

repl_viz *repl_viz_new(repl *r, bool headless) {
    repl_viz *v = calloc(1, sizeof *v);
    if (v) v->headless = headless;
    return v;
}
void repl_viz_free(repl_viz *v) { free(v); }
void repl_viz_idle(repl_viz *v) {}
int repl_viz_timeout_ms(const repl_viz *v) { return -1; }
void repl_viz_after_statement(repl_viz *v) {}
void repl_viz_step(repl_viz *v, ag_var *y, ag_func *active, bool print_tree) {}
