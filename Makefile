# agrepl — one Makefile.  `make` builds libautograd.a and agrepl; `make test`
# runs every test (unit, transcripts, samples, then all again under
# AddressSanitizer + UBSan); `make deps` installs missing Debian packages.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=
CSTD     = -std=c11 -ffp-contract=off -D_POSIX_C_SOURCE=200809L
WARN     = -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS_BASE = $(CSTD) $(WARN) $(OPT) $(SAN) -Iinclude -MMD -MP
# `make V=1` shows the full compiler commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

DEBIAN_PACKAGES = libgraphviz-dev libsdl2-dev libsdl2-image-dev libcairo2-dev libpango1.0-dev \
  libreadline-dev libcmocka-dev libopenblas-dev pkg-config fonts-dejavu-core xvfb xauth \
  tmux valgrind imagemagick poppler-utils libx11-dev
PKG_MODULES = openblas libgvc libcgraph sdl2 SDL2_image cairo pangocairo readline cmocka

PKG_CONFIG ?= pkg-config
BLAS_CFLAGS := $(shell $(PKG_CONFIG) --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell $(PKG_CONFIG) --libs openblas 2>/dev/null)
VIZ_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libgvc libcgraph sdl2 SDL2_image cairo pangocairo 2>/dev/null)
VIZ_LIBS    := $(shell $(PKG_CONFIG) --libs libgvc libcgraph sdl2 SDL2_image cairo pangocairo 2>/dev/null)
RL_LIBS     := $(shell $(PKG_CONFIG) --libs readline 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

LIB_SRC  = $(sort $(wildcard src/*.c))
VIZ_SRC  = $(sort $(wildcard viz/*.c))
REPL_SRC = $(filter-out repl/main.c,$(sort $(wildcard repl/*.c)))
TEST_SRC = $(sort $(wildcard tests/test_*.c))

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
VIZ_OBJ  = $(VIZ_SRC:%.c=$(BUILD)/%.o)
REPL_OBJ = $(REPL_SRC:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libautograd.a
VIZLIB   = $(BUILD)/libviz.a
REPLLIB  = $(BUILD)/librepl.a
AGREPL   = $(BUILD)/agrepl
TESTS    = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ENGINE_LIBS = $(LIB) $(BLAS_LIBS) -lm
ALL_LIBS = $(LIB) $(VIZ_LIBS) $(RL_LIBS) $(BLAS_LIBS) -lm

.PHONY: all deps check-deps test unit-tests script-tests sample-tests interactive-tests fuzz-tests window-tests valgrind-tests asan-tests build-all lesson clean bench bench-build bench-compare
.DEFAULT_GOAL := all
.SECONDARY:

all: check-deps
	@$(MAKE) --no-print-directory build-all

build-all: $(LIB) $(AGREPL) $(BUILD)/samples/train_mlp

# Installs the Debian packages when pkg-config cannot find a module.
deps:
	@missing=""; for m in $(PKG_MODULES); do $(PKG_CONFIG) --exists $$m 2>/dev/null || missing="$$missing $$m"; done; \
	for c in xvfb-run tmux valgrind import pdftoppm pdftotext; do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts"; \
	if [ -n "$$missing" ]; then \
	  echo "deps: missing$$missing; installing Debian packages"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; \
	fi

check-deps:
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 && $(PKG_CONFIG) --exists $(PKG_MODULES) 2>/dev/null || $(MAKE) --no-print-directory deps

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^

$(VIZLIB): $(VIZ_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^

$(REPLLIB): $(REPL_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(BLAS_CFLAGS) -c $< -o $@

$(BUILD)/viz/%.o: viz/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(VIZ_CFLAGS) -Iviz -c $< -o $@

$(BUILD)/repl/%.o: repl/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(VIZ_CFLAGS) -Iviz -Irepl -c $< -o $@

$(AGREPL): $(BUILD)/repl/main.o $(REPLLIB) $(VIZLIB) $(LIB)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(BUILD)/repl/main.o $(REPLLIB) $(VIZLIB) $(ALL_LIBS)

$(BUILD)/samples/train_mlp: samples/train_mlp.c $(LIB)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< $(ENGINE_LIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(BLAS_CFLAGS) $(VIZ_CFLAGS) -Isrc -Iviz -Irepl -Itests -c $< -o $@

# Tests link the repl and viz layers as archives: each pulls in only what it uses.
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/testutil.o $(REPLLIB) $(VIZLIB) $(LIB)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $< $(BUILD)/tests/testutil.o $(REPLLIB) $(VIZLIB) $(ALL_LIBS) $(CMOCKA_LIBS)

unit-tests: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t 2>&1; done

script-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/run_scripts.sh

sample-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/run_samples.sh

# A real terminal through tmux: completion, continuation, Ctrl-C, history.
interactive-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/interactive_test.sh

# Live windows under Xvfb: plot during a loop, show(y), closing a window.
window-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/window_test.sh

# Whole sessions under valgrind memcheck (the uninstrumented build).
valgrind-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/valgrind_test.sh

# Random bytes and token soups as scripts: status 0 or 1, never a crash.
fuzz-tests: $(AGREPL)
	@AGREPL=$(AGREPL) sh tests/fuzz_scripts.sh

test: check-deps
	@$(MAKE) --no-print-directory build-all unit-tests script-tests sample-tests interactive-tests fuzz-tests valgrind-tests window-tests
	@$(MAKE) --no-print-directory asan-tests

# The whole suite again with AddressSanitizer + UBSan and leak detection.
asan-tests:
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 $(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" build-all unit-tests script-tests sample-tests interactive-tests fuzz-tests


# ---- benchmarks (bench/README.md) -------------------------------------------
# `make bench` builds build/bench with -O2 and no sanitizers and runs every
# workload; `make bench-compare` also runs them in PyTorch (installing
# Debian's python3-torch when missing) and prints ours/PyTorch.  Neither is
# part of `make test`: timings depend on the machine.
BENCH_SRC = $(sort $(wildcard bench/*.c))
BENCH_OBJ = $(BENCH_SRC:%.c=$(BUILD)/%.o)
AGBENCH   = $(BUILD)/agbench
# Debian's python3-torch installs for Debian's interpreter, which may not be
# the first python3 on PATH.
BENCH_PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(BLAS_CFLAGS) -c $< -o $@

$(AGBENCH): $(BENCH_OBJ) $(LIB)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(BENCH_OBJ) $(ENGINE_LIBS)

bench-build: check-deps
	@$(MAKE) --no-print-directory BUILD=build/bench OPT=-O2 SAN= \
	  build/bench/libautograd.a build/bench/agrepl build/bench/agbench

bench: bench-build
	@sh bench/run.sh build/bench

bench-compare: bench-build
	@$(BENCH_PYTHON) -c 'import torch' 2>/dev/null || { \
	  echo "bench-compare: installing python3-torch"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null; }
	@PYTHON=$(BENCH_PYTHON) sh bench/compare.sh build/bench

# The first lesson: builds everything, then starts the REPL with the
# Rosenbrock descent loaded (its names stay bound).
lesson: all
	$(AGREPL) -i samples/rosenbrock.ag

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
