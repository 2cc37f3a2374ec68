/* builtins_optim.c — optimizers, hooks and models as REPL built-ins. */
#include "builtins.h"

const builtin_def builtins_optim[] = {
    {0},
};
