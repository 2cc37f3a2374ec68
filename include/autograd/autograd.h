/* autograd.h — libautograd, a DeZero-style automatic differentiation engine.
 *
 * Include this one header, `#include <autograd/autograd.h>`, and link with
 * `pkg-config --cflags --libs autograd` (add --static for libautograd.a,
 * and -Wl,--gc-sections so a static program carries only the ops it
 * calls).  The contract every call keeps (errors,
 * memory, threads) is at the top of ag_core.h; autograd(3) has it too. */
#ifndef AUTOGRAD_H
#define AUTOGRAD_H

#include "ag_core.h"
#include "ag_data.h"
#include "ag_files.h"
#include "ag_format.h"
#include "ag_model.h"
#include "ag_numeric.h"
#include "ag_ops.h"
#include "ag_optim.h"
#include "ag_rand.h"
#include "ag_userop.h"

#endif
