build/src/variable.o: src/variable.c src/internal.h include/ag_core.h \
 include/ag_ops.h include/ag_core.h include/ag_rand.h src/tensor.h
src/internal.h:
include/ag_core.h:
include/ag_ops.h:
include/ag_core.h:
include/ag_rand.h:
src/tensor.h:
