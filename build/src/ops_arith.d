build/src/ops_arith.o: src/ops_arith.c src/internal.h include/ag_core.h \
 include/ag_ops.h include/ag_core.h include/ag_rand.h src/tensor.h
src/internal.h:
include/ag_core.h:
include/ag_ops.h:
include/ag_core.h:
include/ag_rand.h:
src/tensor.h:
