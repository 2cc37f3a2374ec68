build/src/format.o: src/format.c include/ag_format.h include/ag_core.h
include/ag_format.h:
include/ag_core.h:
