build/src/rand.o: src/rand.c include/ag_rand.h include/ag_core.h
include/ag_rand.h:
include/ag_core.h:
