build/src/function.o: src/function.c include/ag_format.h \
 include/ag_core.h src/internal.h include/ag_core.h include/ag_ops.h \
 include/ag_rand.h src/tensor.h
include/ag_format.h:
include/ag_core.h:
src/internal.h:
include/ag_core.h:
include/ag_ops.h:
include/ag_rand.h:
src/tensor.h:
