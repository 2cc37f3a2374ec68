/* autograd.h — libautograd, a DeZero-style automatic differentiation engine.
 * Include this one header; link libautograd.a, -lopenblas (cblas) and -lm. */
#ifndef AUTOGRAD_H
#define AUTOGRAD_H

#include "ag_core.h"
#include "ag_format.h"
#include "ag_model.h"
#include "ag_numeric.h"
#include "ag_ops.h"
#include "ag_optim.h"
#include "ag_rand.h"

#endif
