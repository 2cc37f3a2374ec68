/* viz_load.h — the viz layer, loaded on first use (viz/viz_module.h).
 *
 * viz_module_get() returns the table of viz entry points: the one linked
 * into the program if there is one, else the module agrepl-viz.so, loaded
 * the first time from (in order) $AGREPL_VIZ_MODULE, the program's own
 * directory (the build tree), ../lib/agrepl/ beside the program, and the
 * installed $(LIBDIR)/agrepl/.  NULL when it cannot be loaded; then
 * viz_module_error() says why, in words for the user. */
#ifndef AGREPL_VIZ_LOAD_H
#define AGREPL_VIZ_LOAD_H

#include "viz_module.h"

const viz_module *viz_module_get(void);
const char *viz_module_error(void);

#endif
