build/src/numeric.o: src/numeric.c include/ag_numeric.h include/ag_core.h \
 include/ag_format.h include/ag_ops.h
include/ag_numeric.h:
include/ag_core.h:
include/ag_format.h:
include/ag_ops.h:
