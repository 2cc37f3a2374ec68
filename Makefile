# agrepl — one Makefile.  `make` builds libautograd (.a and .so) and agrepl;
# `make test` runs every test (unit, transcripts, samples, symbols, install,
# then all again under AddressSanitizer + UBSan); `make deps` installs missing
# Debian packages; `make install` / `make uninstall` honour PREFIX and DESTDIR.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=
CSTD     = -std=c11 -ffp-contract=off -D_POSIX_C_SOURCE=200809L
# Table rows may leave their trailing optional fields (hooks) out.
WARN     = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# include/ for <autograd/autograd.h> as users write it; include/autograd for
# the in-tree code's "autograd.h".
CFLAGS_BASE = $(CSTD) $(WARN) $(OPT) $(SAN) -Iinclude -Iinclude/autograd -MMD -MP
# The engine's objects serve the shared library too: position-independent,
# and only what the public headers declare (AG_BEGIN_DECLS) is visible.
# Each function and object in its own section (kept apart by ld -r in
# libautograd.a): a static program linked with -Wl,--gc-sections carries
# only the ops it calls (each public op names its own row, src/ops_table.c).
# Each function starts a 64-byte line: otherwise any change in size of the
# code linked before the engine (agrepl's REPL) moves the engine's kernels
# across lines and fetch blocks, and bench/w4_mlp_small.ag's CPU time moved
# 2-4% with nothing but that (1 KB of padding added to the REPL: 104.3 ->
# 106.9 ms; aligned, 103.3 and 103.4 ms).  The C runs' W4 does not move.
LIB_CFLAGS = -fPIC -fvisibility=hidden -fno-semantic-interposition -ffunction-sections -fdata-sections \
  -falign-functions=64

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR     = $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
# Cross builds name their tools: make CC=aarch64-linux-gnu-gcc AR=... LD=... OBJCOPY=...
OBJCOPY   ?= objcopy
INCLUDEDIR = $(PREFIX)/include
DATADIR    = $(PREFIX)/share
MANDIR     = $(DATADIR)/man
LESSONDIR  = $(DATADIR)/agrepl/lessons
NOTEBOOKDIR = $(DATADIR)/agrepl/notebooks
# The Jupyter kernelspec (jupyter kernelspec list finds it under PREFIX/share/jupyter).
KERNELSPECDIR = $(DATADIR)/jupyter/kernels/agrepl
# The library's version comes from its header (one place).
AG_VERSION := $(shell sed -n 's/^\#define AG_VERSION_STRING "\(.*\)"/\1/p' include/autograd/ag_api.h)
AG_MAJOR    = $(firstword $(subst ., ,$(AG_VERSION)))
SONAME      = libautograd.so.$(AG_MAJOR)
# `make V=1` shows the full compiler commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

# Every package the build and the tests need, in one list; a bare Debian
# (debootstrap minbase with gcc, make and git) has none of them.  g++,
# groff-base and binutils serve the install test: a C++ user, the man pages
# and the symbol lists (its -static build links no OpenBLAS, so no Fortran
# run-time library: the library loads OpenBLAS at run time).  Cairo and Pango draw the plots;
# poppler-utils reads saved PDFs back in the tests; librsvg2-bin (rsvg-convert)
# draws saved SVGs for them; procps gives the shell tests ps (the watchdog)
# and pgrep; musl-tools (musl-gcc) builds the small static program of the
# library-only test; chromium, chromium-driver, python3-selenium and jupyter-notebook
# run the browser test of the kernel (an agrepl notebook in headless
# Chromium); clang and libclang-rt-14-dev (its sanitizer runtimes) build the
# library's memory test under clang's AddressSanitizer too (lib-asan-tests:
# the big-buffer cache's poisoning went wrong under clang's alone); lld links agrepl with the functions a loop runs every step side
# by side (repl/hot_functions.txt); emscripten and npm build the web page
# (make web).  DEPS_COMMANDS are the commands the build and the tests call
# that minbase lacks (the rest are in its required packages: coreutils,
# util-linux, findutils, diffutils, grep, sed, mawk, libc-bin).
DEBIAN_PACKAGES = libgraphviz-dev libsdl2-dev libsdl2-image-dev libcairo2-dev libpango1.0-dev \
  libreadline-dev libcmocka-dev libopenblas-dev pkg-config fonts-dejavu-core xvfb xauth \
  tmux valgrind imagemagick poppler-utils libx11-dev g++ groff-base binutils xdotool python3 \
  libzmq3-dev libjansson-dev libssl-dev python3-jupyter-client python3-nbclient python3-nbformat \
  jupyter-nbconvert librsvg2-bin procps musl-tools chromium chromium-driver python3-selenium jupyter-notebook jupyterhub lld \
  libcsv-dev libzip-dev python3-numpy man-db python3-torch emscripten npm dpkg-dev curl clang libclang-rt-14-dev
DEPS_COMMANDS = xvfb-run xauth tmux valgrind import convert compare identify pdftoppm pdftotext g++ groff \
  objcopy readelf nm strings ld ar xdotool python3 jupyter-nbconvert rsvg-convert ps pgrep musl-gcc \
  chromium chromedriver jupyter-notebook jupyterhub configurable-http-proxy ld.lld man emcc npm dpkg-source curl clang
PKG_MODULES = openblas libgvc libcgraph sdl2 SDL2_image cairo pangocairo readline cmocka libzmq jansson libcrypto libzip

# The library's matrix products (src/blas.c): BLAS=openblas (the default)
# loads OpenBLAS at run time when it is installed, linking nothing for it;
# BLAS=builtin leaves the loader out (only the built-in product: no dlopen,
# smaller, what a static program wants).  Neither needs OpenBLAS to build.
BLAS ?= openblas
ifeq ($(BLAS),builtin)
LIB_DEFS     = -DAG_BLAS_BUILTIN_ONLY -DAG_NO_DLOPEN
LIB_SYS_LIBS = -lm
else ifeq ($(BLAS),openblas)
LIB_DEFS     =
LIB_SYS_LIBS = -lm -ldl -lpthread
else
$(error BLAS=$(BLAS): say BLAS=openblas (loaded at run time when installed) or BLAS=builtin)
endif

# CSV and .npz files (src/csvfile.c, src/npy.c) go through libcsv and
# libzip, which the library loads at their first use (src/data_libs.h):
# their headers are needed to build that part, nothing to link.  A compiler
# that finds no csv.h or zip.h (musl-gcc, a bare system) builds the library
# without them, and those calls then say what is missing.
HAVE_CSV_H := $(shell printf '\043include <csv.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
HAVE_ZIP_H := $(shell printf '\043include <zip.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
LIB_DEFS += $(if $(HAVE_CSV_H),-DAG_HAVE_CSV) $(if $(HAVE_ZIP_H),-DAG_HAVE_ZIP)

PKG_CONFIG ?= pkg-config
# OpenBLAS's own flags: only the benchmarks and the thread test call it directly.
BLAS_CFLAGS := $(shell $(PKG_CONFIG) --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell $(PKG_CONFIG) --libs openblas 2>/dev/null)
VIZ_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libgvc libcgraph sdl2 SDL2_image cairo pangocairo 2>/dev/null)
VIZ_LIBS    := $(shell $(PKG_CONFIG) --libs libgvc libcgraph sdl2 SDL2_image cairo pangocairo 2>/dev/null)
RL_LIBS     := $(shell $(PKG_CONFIG) --libs readline 2>/dev/null)
# agrepl does not link Readline: it loads it by this name when a session
# turns interactive (repl/main.c readline_load), so a script's start-up
# skips it and libtinfo.
RL_SONAME   := $(shell readelf -d "$$($(PKG_CONFIG) --variable=libdir readline 2>/dev/null)/libreadline.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# The Jupyter kernel (repl/kernel*.c, the program agrepl-kernel): ZeroMQ,
# jansson, OpenSSL's libcrypto.
KERNEL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libzmq jansson libcrypto 2>/dev/null)
KERNEL_LIBS   := $(shell $(PKG_CONFIG) --libs libzmq jansson libcrypto 2>/dev/null)

LIB_SRC  = $(sort $(wildcard src/*.c))
UTIL_SRC = $(sort $(wildcard src/util/*.c))
VIZ_SRC  = $(sort $(wildcard viz/*.c))
KERNEL_SRC = $(sort $(wildcard repl/kernel*.c))
REPL_SRC = $(filter-out repl/main.c $(KERNEL_SRC),$(sort $(wildcard repl/*.c)))
TEST_SRC = $(sort $(wildcard tests/unit/test_*.c))

# The utilities the engine uses too (src/format.c builds text with strbuf,
# src/optim.c and src/backward.c keep a ptrmap, its lists grow with array,
# src/safetensors.c writes a model's file as the REPL's file statements do
# with atomic_file, which walks names with confined):
# compiled again with the engine's flags, so libautograd carries its own
# copy with hidden symbols (made local in libautograd.a, not exported by the
# .so) and still exports only ag_ names.
ENGINE_UTIL_SRC = src/util/strbuf.c src/util/ptrmap.c src/util/array.c src/util/atomic_file.c src/util/confined.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(ENGINE_UTIL_SRC:src/util/%.c=$(BUILD)/src/engine_util/%.o)
UTIL_OBJ = $(UTIL_SRC:%.c=$(BUILD)/%.o)
VIZ_OBJ  = $(VIZ_SRC:%.c=$(BUILD)/%.o)
REPL_OBJ = $(REPL_SRC:%.c=$(BUILD)/%.o)
KERNEL_OBJ = $(KERNEL_SRC:%.c=$(BUILD)/%.o)
# libautograd.a is what users link: one relocatable object whose internal
# (hidden) symbols are made local, so only ag_* names are global.  The
# in-tree REPL, viz and tests link the plain archive of the same objects,
# whose internal functions they may call.
LIB      = $(BUILD)/libautograd.a
# The shared utilities (src/util/: string buffer, atomic file writes) below
# repl/ and viz/; an internal archive, not part of libautograd.
UTILLIB  = $(BUILD)/libagutil.a
LIBINT   = $(BUILD)/libautograd-internal.a
SHLIB    = $(BUILD)/libautograd.so.$(AG_VERSION)
VIZLIB   = $(BUILD)/libviz.a
# The viz layer as the module agrepl loads on first use (viz/viz_module.h):
# agrepl itself links neither viz/ nor Graphviz, SDL2, Cairo and Pango.
VIZMOD   = $(BUILD)/agrepl-viz.so
VIZMODDIR = $(LIBDIR)/agrepl
REPLLIB  = $(BUILD)/librepl.a
AGREPL   = $(BUILD)/agrepl
AGREPL_KERNEL = $(BUILD)/agrepl-kernel
# The kernelspec's logos, drawn with Cairo by repl/logo/kernel_logo.c.
KERNEL_LOGOS = $(BUILD)/logo-32x32.png $(BUILD)/logo-64x64.png
# autograd(3) and the reference pages made from the headers (man/gen_ref.py)
# at build time, so they always say what the headers say.
REFMAN   = $(addprefix $(BUILD)/man/autograd_,core.3 ops.3 model.3 optim.3 numeric.3 data.3)
LIBMAN   = man/autograd.3 $(REFMAN)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_null_handles
ENGINE_LIBS = $(LIB) $(LIB_SYS_LIBS)
ALL_LIBS = $(LIBINT) $(VIZ_LIBS) $(RL_LIBS) $(LIB_SYS_LIBS)
# The library loads OpenBLAS at the first product that needs it (src/blas.c),
# agrepl Readline when a session turns interactive.
AGREPL_LIBS = $(LIBINT) $(LIB_SYS_LIBS) -ldl

.PHONY: test-binaries torch-tests ticks-mirror-tests tmp-tests notebooks web web-deps web-lesson web-tests bench-web numpy-tests browser-tests pictures readme-tests hacking-tests lib install-lib lib-tests man man-tests lib-asan-tests lib-asan-clang thread-tests safetensors-tests lib-asan all deps check-deps test kernel-tests unit-tests script-tests sample-tests interactive-tests fuzz-tests window-tests valgrind-tests asan-tests build-all lesson clean bench bench-build bench-compare install uninstall symbol-tests stale-pointer-tests install-tests reliability-tests fuzz-replay fuzz fuzz-deps fuzz-build interrupt-tests files-in-tests classroom-tests notebook-tests FORCE
.DEFAULT_GOAL := all

all: check-deps
	@$(MAKE) --no-print-directory build-all

build-all: $(LIB) $(SHLIB) $(AGREPL) $(AGREPL_KERNEL) $(KERNEL_LOGOS) $(VIZMOD) $(BUILD)/samples/train_mlp

# Installs the Debian packages when pkg-config cannot find a module.  Debian's
# npm is left out where an npm is already there: NodeSource's nodejs (on the
# development and CI machines) carries its own npm and conflicts with Debian's,
# and apt-get then refuses the whole set.  Should apt-get still refuse the set,
# the packages go in one by one and the ones that could not are named.
deps:
	@missing=""; for m in $(PKG_MODULES) x11; do $(PKG_CONFIG) --exists $$m 2>/dev/null || missing="$$missing $$m"; done; \
	for c in $(DEPS_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts"; \
	/usr/bin/python3 -c 'import jupyter_client, nbclient, nbformat, selenium' 2>/dev/null || missing="$$missing python3-jupyter-client"; \
	/usr/bin/python3 -c 'import numpy' 2>/dev/null || missing="$$missing python3-numpy"; \
	/usr/bin/python3 -c 'import torch' 2>/dev/null || missing="$$missing python3-torch"; \
	[ -f /usr/include/csv.h ] || missing="$$missing libcsv-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "deps: missing$$missing; installing Debian packages"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  pkgs="$(DEBIAN_PACKAGES)"; \
	  if command -v npm >/dev/null 2>&1; then pkgs=$$(echo " $$pkgs " | sed 's/ npm / /'); fi; \
	  $$SUDO apt-get update -qq; \
	  if ! DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; then \
	    echo "deps: apt-get refused the whole set; installing the packages one by one"; failed=""; \
	    for p in $$pkgs; do DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$p >/dev/null 2>&1 || failed="$$failed $$p"; done; \
	    [ -z "$$failed" ] || echo "deps: could not install:$$failed (the steps that need them fail or say SKIP)"; \
	  fi; \
	fi
	@if command -v $(EMCC) >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory web-deps || echo "deps: the web page's npm packages or libcsv's source could not be fetched (make web-tests says SKIP while they are missing)"; fi

check-deps:
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 && $(PKG_CONFIG) --exists $(PKG_MODULES) 2>/dev/null || $(MAKE) --no-print-directory deps

$(LIBINT): $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcs $@ $^

$(UTILLIB): $(UTIL_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcs $@ $^

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  AR $@"
	$(Q)$(LD) -r -o $(BUILD)/autograd.o $^ && $(OBJCOPY) --localize-hidden $(BUILD)/autograd.o && \
	  rm -f $@ && $(AR) rcs $@ $(BUILD)/autograd.o && rm -f $(BUILD)/autograd.o

$(SHLIB): $(LIB_OBJ)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs -o $@ $^ $(LIB_SYS_LIBS)
	@ln -sf $(@F) $(BUILD)/$(SONAME) && ln -sf $(SONAME) $(BUILD)/libautograd.so

$(VIZLIB): $(VIZ_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcs $@ $^

$(REPLLIB): $(REPL_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/src/util/%.o: src/util/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) -fPIC -Isrc/util -c $< -o $@

$(BUILD)/src/engine_util/%.o: src/util/%.c
	@mkdir -p $(@D)
	@echo "  CC $< (engine)"
	$(Q)$(CC) $(CFLAGS_BASE) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(LIB_CFLAGS) $(LIB_DEFS) -c $< -o $@

# The engine's objects of a build made with other LIB_CFLAGS are rebuilt.
$(LIB_OBJ): $(BUILD)/libflags.stamp
$(BUILD)/libflags.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(LIB_CFLAGS)' | cmp -s - $@ || echo '$(LIB_CFLAGS)' > $@

# viz/ and src/util/ became position-independent (for the viz module): an
# older build's objects are rebuilt.
$(VIZ_OBJ) $(UTIL_OBJ): $(BUILD)/pic.stamp
$(BUILD)/pic.stamp: FORCE
	@mkdir -p $(@D)
	@echo fPIC | cmp -s - $@ || echo fPIC > $@

$(BUILD)/viz/%.o: viz/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) -fPIC $(VIZ_CFLAGS) -Isrc/util -Iviz -c $< -o $@

# repl/ sees viz/'s public headers but not SDL's or Graphviz's: the build
# itself keeps the evaluator off both (as it does for src/).
$(BUILD)/repl/%.o: repl/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) -ffunction-sections -Isrc/util -Iviz -Irepl -c $< -o $@

# Where the installed lessons are, compiled into agrepl (repl/lessons.c).
$(BUILD)/repl/lessons.o: $(BUILD)/prefix.stamp
$(BUILD)/repl/lessons.o: CFLAGS_BASE += -DAGREPL_LESSON_DIR='"$(LESSONDIR)"'
$(BUILD)/repl/web_lesson.o: $(BUILD)/prefix.stamp
$(BUILD)/repl/web_lesson.o: CFLAGS_BASE += -DAGREPL_WEB_DIR='"$(DATADIR)/agrepl/web"'

# The kernel program agrepl runs for --kernel and --install-kernel
# (repl/main.c), when none is next to it.
$(BUILD)/repl/main.o: $(BUILD)/prefix.stamp
$(BUILD)/repl/main.o: CFLAGS_BASE += -DAGREPL_KERNEL_PATH='"$(VIZMODDIR)/agrepl-kernel"'
$(KERNEL_OBJ): CFLAGS_BASE += $(KERNEL_CFLAGS)

$(BUILD)/repl/main.o: CFLAGS_BASE += $(if $(RL_SONAME),-DAGREPL_READLINE_LIBRARY='"$(RL_SONAME)"')

# Where the installed viz module is, compiled into agrepl (repl/viz_load.c).
$(BUILD)/repl/viz_load.o: $(BUILD)/prefix.stamp
$(BUILD)/repl/viz_load.o: CFLAGS_BASE += -DAGREPL_VIZ_MODULE_PATH='"$(VIZMODDIR)/agrepl-viz.so"'

# agrepl exports the engine's ag_* functions (repl/agrepl.dynlist) for the
# viz module, which calls them; the module is built with it (order only:
# agrepl does not link it).
# With lld, agrepl's link places the functions every step of a scalar loop
# runs first in .text, side by side (repl/hot_functions.txt): scattered over
# the whole program they shared the instruction cache's sets with code a
# loop never runs.  The engine's functions and the REPL's each have their own
# section (-ffunction-sections), which lld orders.  Without lld, or under
# the sanitizers, the link is the default one.
AGREPL_LLD := $(shell echo 'int main(void) { return 0; }' | $(CC) -fuse-ld=lld -x c - -o /dev/null 2>/dev/null && echo yes)
AGREPL_LAYOUT = $(if $(AGREPL_LLD),$(if $(SAN),,-fuse-ld=lld -Wl,--symbol-ordering-file=repl/hot_functions.txt))

$(AGREPL): $(BUILD)/repl/main.o $(REPLLIB) $(UTILLIB) $(LIBINT) repl/agrepl.dynlist repl/hot_functions.txt | $(VIZMOD)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) $(AGREPL_LAYOUT) -Wl,--dynamic-list=repl/agrepl.dynlist -o $@ $(BUILD)/repl/main.o \
	  $(REPLLIB) $(UTILLIB) $(AGREPL_LIBS)

# The Jupyter kernel: the same session code, plus ZeroMQ, jansson and
# libcrypto (which agrepl does not load); exports ag_* for the viz module
# as agrepl does.
$(AGREPL_KERNEL): $(KERNEL_OBJ) $(REPLLIB) $(UTILLIB) $(LIBINT) repl/agrepl.dynlist | $(VIZMOD)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -pthread -Wl,--dynamic-list=repl/agrepl.dynlist -o $@ $(KERNEL_OBJ) \
	  $(REPLLIB) $(UTILLIB) $(AGREPL_LIBS) $(KERNEL_LIBS)

$(BUILD)/kernel_logo: repl/logo/kernel_logo.c
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CSTD) -D_DEFAULT_SOURCE $(WARN) -O1 $(shell $(PKG_CONFIG) --cflags cairo) -o $@ $< \
	  $(shell $(PKG_CONFIG) --libs cairo) -lm

$(BUILD)/logo-%.png: $(BUILD)/kernel_logo
	@echo "  GEN $@"
	$(Q)$(BUILD)/kernel_logo $(firstword $(subst x, ,$*)) $@

$(VIZMOD): $(VIZ_OBJ) $(UTILLIB)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -shared -o $@ $(VIZ_OBJ) $(UTILLIB) $(VIZ_LIBS) -lm

$(BUILD)/samples/train_mlp: samples/train_mlp.c $(LIB)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< $(ENGINE_LIBS)

# tests/unit/NAME.c compiles to build/tests/unit/NAME.o, tests/fuzz/NAME.c to
# build/tests/fuzz/NAME.o; the unit binaries are build/tests/test_NAME.
$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(VIZ_CFLAGS) -Isrc -Isrc/util -Iviz -Irepl -Itests/unit -c $< -o $@

# Tests link the repl and viz layers as archives: each pulls in only what it
# uses, and the viz module's table (so the REPL in a test loads nothing);
# OpenBLAS too, whose thread count test_contract reads and sets as a host would.
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/testutil.o $(REPLLIB) $(VIZLIB) $(UTILLIB) $(LIBINT)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -pthread $(TEST_LDFLAGS) -Wl,-u,agrepl_viz_module -o $@ $< $(BUILD)/tests/unit/testutil.o $(REPLLIB) \
	  $(VIZLIB) $(UTILLIB) $(ALL_LIBS) $(BLAS_LIBS) $(CMOCKA_LIBS)
# test_allocator counts every call the library's objects make to the C
# library's allocator (a context with the caller's allocator must make none)
$(BUILD)/tests/test_allocator: TEST_LDFLAGS = \
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup,--wrap=posix_memalign,--wrap=aligned_alloc

# Every public function called with NULL for its handles: the program is
# written by tests/unit/gen_null_test.py from the headers, and generation fails
# when the library exports a function no header declares.
$(BUILD)/gen/exports.txt: $(SHLIB)
	@mkdir -p $(@D)
	$(Q)nm -D --defined-only $< | awk '$$2 == "T" { print $$3 }' > $@
$(BUILD)/gen/test_null_handles.c: tests/unit/gen_null_test.py $(wildcard include/autograd/*.h) $(BUILD)/gen/exports.txt
	@echo "  GEN $@"
	$(Q)python3 tests/unit/gen_null_test.py include/autograd $(BUILD)/gen/exports.txt > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/test_null_handles: $(BUILD)/gen/test_null_handles.c $(LIBINT)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -Wno-deprecated-declarations -o $@ $< $(LIBINT) $(LIB_SYS_LIBS)

# Every binary runs, whatever failed before it (tests/step.sh); the target
# fails when any did.
STEP = sh tests/step.sh
# The binaries run JOBS at a time (none shares a file with another), then
# those that time or measure themselves (UNIT_ALONE: wall time, CPU shares,
# resident memory) one at a time, with nothing of ours beside them; each
# one's output is kept apart and shown whole, in order, when all have run.
UNIT_ALONE = $(addprefix $(BUILD)/tests/,test_eval test_graph_follow test_graph_large test_interrupt test_memory \
  test_plot_marks test_plot_repl)
unit-tests: $(TESTS)
	@logs=$(BUILD)/unit-logs; rm -rf $$logs && mkdir -p $$logs; \
	run='$(STEP) "$$1" "$$1" >"$$2/$${1##*/}.log" 2>&1; echo $$? >"$$2/$${1##*/}.status"'; \
	printf '%s\n' $(filter-out $(UNIT_ALONE),$(TESTS)) | xargs -P $(JOBS) -I{} sh -c "$$run" sh {} $$logs; \
	for t in $(filter $(UNIT_ALONE),$(TESTS)); do sh -c "$$run" sh $$t $$logs; done; \
	failed=0; for t in $(TESTS); do echo "== $$t"; cat $$logs/$${t##*/}.log; \
	  [ "$$(cat $$logs/$${t##*/}.status 2>/dev/null)" = 0 ] || failed=$$((failed + 1)); done; \
	[ $$failed -eq 0 ] || { echo "unit-tests: $$failed of $(words $(TESTS)) binaries failed"; exit 1; }

script-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "transcripts ($(BUILD))" sh tests/suites/run_scripts.sh

sample-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "samples ($(BUILD))" sh tests/suites/run_samples.sh

# A real terminal through tmux: completion, continuation, Ctrl-C, history.
interactive-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "interactive ($(BUILD))" sh tests/suites/interactive_test.sh

# Live windows under Xvfb: plot during a loop, show(y), closing a window.
window-tests: $(AGREPL)
	@status=0; AGREPL=$(AGREPL) $(STEP) "windows ($(BUILD))" sh tests/suites/window_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "explorer window ($(BUILD))" sh tests/suites/window_explore_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "window layout ($(BUILD))" sh tests/suites/window_layout_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "window scale ($(BUILD))" sh tests/suites/window_scale_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "pace windows ($(BUILD))" sh tests/suites/pace_window_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "window fit ($(BUILD))" sh tests/suites/window_fit_test.sh || status=1; exit $$status

# Whole sessions under valgrind memcheck (the uninstrumented build).
valgrind-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "valgrind ($(BUILD))" sh tests/suites/valgrind_test.sh

# Random bytes and token soups as scripts: status 0 or 1, never a crash.
fuzz-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "fuzz scripts ($(BUILD))" sh tests/suites/fuzz_scripts.sh

# The fuzz corpus (tests/fuzz_corpus/: seeds, and every input that once
# crashed) through the fuzz target's entry point, built with $(CC) -- under
# ASan + UBSan in asan-tests.  `make fuzz` is the fuzzer itself.
FUZZ_REPLAY = $(BUILD)/tests/fuzz_replay
$(FUZZ_REPLAY): $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_repl.o $(REPLLIB) $(VIZLIB) $(UTILLIB) $(LIBINT)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_repl.o $(REPLLIB) $(VIZLIB) $(UTILLIB) $(ALL_LIBS)

fuzz-replay: $(FUZZ_REPLAY)
	@AGREPL_HEADLESS=1 $(STEP) "fuzz corpus ($(BUILD))" $(FUZZ_REPLAY) tests/fuzz_corpus/*

# Output to a full disk or a closed pipe: a message and status 1; file size
# and memory limits; files written whole; input linear in time and flat in
# memory; Ctrl-C while stdin is idle (tests/suites/reliability_test.sh; in both
# passes).  The viz module and OpenBLAS loaded only when used, and a clear
# error when the module is missing.
reliability-tests: $(AGREPL)
	@status=0; AGREPL=$(AGREPL) $(STEP) "reliability ($(BUILD))" bash tests/suites/reliability_test.sh || status=1; \
	AGREPL=$(AGREPL) $(STEP) "lazy load ($(BUILD))" sh tests/suites/lazy_load_test.sh || status=1; exit $$status

# Ctrl-C (SIGINT) stops rand(1e9), a long backward and a range loop soon
# after the signal, in scripts, stdin and the interactive REPL (tmux).
interrupt-tests: $(AGREPL)
	@AGREPL=$(AGREPL) BIG=$(if $(SAN),2e8,1e9) $(STEP) "interrupt ($(BUILD))" bash tests/suites/interrupt_test.sh

# --files-in DIR: every statement naming a file stays inside DIR (.., absolute
# paths, symbolic links refused), as a classroom's kernels run.
files-in-tests: $(AGREPL) $(AGREPL_KERNEL)
	@AGREPL=$(AGREPL) $(STEP) "files-in ($(BUILD))" sh tests/suites/files_in_test.sh

# The Python tests leave nothing in $TMPDIR however they end: run to their
# end, failing midway, ended by TERM (tests/suites/tmp_left_test.sh).  And
# numpy-, kernel-, notebook-, browser- and web-tests run their Python test
# under tests/suites/no_tmp_left.sh: a fresh TMPDIR that must be empty after.
tmp-tests: $(AGREPL)
	@$(STEP) "tmp left ($(BUILD))" sh tests/suites/tmp_left_test.sh $(AGREPL)

# The page's linear ticks (repl/web/ticks.js, run by node) where the
# terminal's plot_linear_ticks puts them, over 20,000 random ranges.
ticks-mirror-tests:
	@CC="$(CC)" CFLAGS="$(CSTD) $(VIZ_CFLAGS)" $(STEP) "ticks mirror ($(BUILD))" sh tests/suites/ticks_mirror_test.sh

# Files of data against NumPy, both ways, bit for bit (.npy of every dtype
# and order, .npz stored and deflated, CSV): Debian's python3-numpy.
numpy-tests: $(AGREPL)
	@$(STEP) "numpy files ($(BUILD))" sh tests/suites/no_tmp_left.sh timeout -k 10 300 $(KERNEL_PYTHON) tests/python/numpy_files_test.py $(AGREPL)

# The optimizers against torch.optim (Debian's python3-torch), as :help
# says each compares: the same numbers, or the difference it names.
torch-tests: $(AGREPL)
	@$(STEP) "optimizers against PyTorch ($(BUILD))" sh tests/suites/no_tmp_left.sh timeout -k 10 300 $(KERNEL_PYTHON) tests/python/torch_optim_test.py $(AGREPL)

# The Jupyter kernel driven by Debian's jupyter_client (Debian's python3,
# not the first python3 on PATH): every message, a bad signature, interrupts,
# restart, a dying front end.
KERNEL_PYTHON ?= /usr/bin/python3
kernel-tests: $(AGREPL) $(AGREPL_KERNEL)
	@$(STEP) "kernel ($(BUILD))" sh tests/suites/no_tmp_left.sh timeout -k 10 600 $(KERNEL_PYTHON) tests/python/kernel_test.py $(AGREPL)

# Every samples/notebooks/*.ipynb run in the kernel (nbclient) and exported
# to HTML (nbconvert): the numbers printed, the graph's SVG in the HTML; and
# `make notebook` itself, whose kernels must talk over private Unix sockets.
# Not in the ASan pass: kernel-tests covers the same kernel code there, and
# ten thousand training steps under ASan take minutes.
notebook-tests: $(AGREPL) $(AGREPL_KERNEL) $(KERNEL_LOGOS)
	@$(STEP) "notebooks ($(BUILD))" sh tests/suites/no_tmp_left.sh timeout -k 10 900 $(KERNEL_PYTHON) -W ignore::UserWarning tests/python/notebook_test.py $(AGREPL)
	@$(STEP) "make notebook ($(BUILD))" timeout -k 10 600 $(KERNEL_PYTHON) tests/python/make_notebook_test.py $(AGREPL)

# A class on one server: Debian's JupyterHub with
# samples/classroom/jupyterhub_config.py on 127.0.0.1, 20 students logged in
# through its REST API running two lessons at once, then faults (a killed
# kernel, an endless loop, a syntax error) and isolation between students;
# it prints students served, times and memory.  About 90 s on 2 cores.  Not
# in the ASan pass (kernel-tests covers the kernel there).
CLASSROOM_STUDENTS ?= 20
classroom-tests: $(AGREPL) $(AGREPL_KERNEL) $(KERNEL_LOGOS)
	@$(STEP) "classroom ($(BUILD))" timeout -k 10 900 $(KERNEL_PYTHON) tests/python/classroom_test.py $(AGREPL) $(CLASSROOM_STUDENTS)

# An agrepl notebook in a real browser: Debian's jupyter-notebook (on
# 127.0.0.1, a temporary directory, a token) and headless Chromium through
# chromium-driver and Selenium run samples/notebooks/backprop_by_hand.ipynb,
# click a node of its inline graph and check the inspector's gradient, open
# and fold a group; screenshots in $(BUILD)/browser-test/.  The test ends
# every process it starts; it needs no display and has no time limit of its
# own (a wrapping timeout would leave the browser running).
browser-tests: $(AGREPL) $(AGREPL_KERNEL) $(KERNEL_LOGOS)
	@$(STEP) "browser ($(BUILD))" sh tests/suites/no_tmp_left.sh $(KERNEL_PYTHON) tests/python/browser_test.py $(AGREPL) $(BUILD)/browser-test

# ---- the web page (repl/web/): make web ----------------------------------
# The same engine and session compiled to WebAssembly by Debian's emscripten
# (3.1.6; its cache is left as it is: no ports), with the viz files that need
# no Graphviz, SDL2 or Cairo (the DOT over repl/web/cgraph.c, the tree, the
# inspector, the recorded figure) and the web front end; the page draws DOT
# with @viz-js/viz, pinned in repl/web/package-lock.json and installed by
# `make web-deps` (npm ci into build/web-deps/).  Every repl/*.c but the
# terminal's and the kernel's front ends comes along (wildcards), so new
# built-ins need nothing here.  Node 20 runs emscripten's own tools with
# NODE_PATH=/usr/share/nodejs.
EMCC ?= emcc
WEB = $(BUILD)/web
WEB_OBJDIR = $(BUILD)/webobj
WEB_DEPS = $(BUILD)/web-deps/node_modules/@viz-js/viz/dist/viz-global.js
WEB_VIZ_SRC = viz/graph.c viz/graph_draw.c viz/graph_walk.c viz/graph_digest.c viz/graph_html.c viz/graph_inspect.c \
  viz/tree.c viz/plot.c viz/plot_contour.c viz/plot_ticks.c viz/plot_maps_data.c
WEB_C_SRC = $(LIB_SRC) $(UTIL_SRC) $(filter-out repl/web_lesson.c,$(REPL_SRC)) $(WEB_VIZ_SRC) $(sort $(wildcard repl/web/*.c))
WEB_OBJ = $(WEB_C_SRC:%.c=$(WEB_OBJDIR)/%.o) $(WEB_OBJDIR)/libcsv.o
WEB_CFLAGS = $(CSTD) $(WARN) -O2 -MMD -MP -DAG_BLAS_BUILTIN_ONLY -DAGREPL_LESSON_DIR='"/lessons"' \
  -DAG_HAVE_CSV -DAG_CSV_LINKED -I$(WEB_LIBCSV) -DAG_NPZ_WEB \
  -Iinclude -Iinclude/autograd -Isrc/util -Iviz -Irepl -Irepl/web/cgraph -Irepl/web/cairo
# load_csv in the page: libcsv compiled from the source Debian's libcsv3 is
# built from (the same version, Debian's patches applied), fetched from
# Debian's mirror by make web-deps (make deps runs it; the build fetches
# nothing); the .dsc is pinned by its SHA-256, and dpkg-source checks the
# tarballs against the .dsc's checksums.
LIBCSV_DEB = 3.0.3+dfsg-6
LIBCSV_DSC_SHA256 = 3e0a27ba29b9435d8bf7cbd825a1cdbec8375dedc8bffaf7ea458c15f238bc3f
# The mirror is the one apt is configured with (apt-get indextargets), then deb.debian.org.
LIBCSV_POOL = pool/main/libc/libcsv
LIBCSV_MIRROR = http://deb.debian.org/debian/
WEB_LIBCSV = $(BUILD)/libcsv/src
WEB_LDFLAGS = -O2 -sMODULARIZE=1 -sEXPORT_NAME=createAgrepl -sENVIRONMENT=worker,node \
  -sALLOW_MEMORY_GROWTH=1 -sFORCE_FILESYSTEM=1 -lidbfs.js \
  -sEXPORTED_FUNCTIONS=_web_start,_web_run,_web_complete,_main,_malloc,_free \
  -sEXPORTED_RUNTIME_METHODS=ccall,FS,IDBFS,UTF8ToString
WEB_LESSONS = $(sort $(wildcard samples/*.ag))
# The data files the lessons read (each lesson_data("NAME") in samples/*.ag)
# and the README beside them that names their sources and licences: in the
# page at /lessons/data/, where lesson_data looks, and beside its lessons.
WEB_LESSON_DATA := $(sort $(wildcard $(addprefix samples/data/,README.md \
  $(shell grep -oh 'lesson_data("[^"/]*")' samples/*.ag | sed 's/^lesson_data("//; s/")$$//'))))
WEB_PAGE = repl/web/index.html repl/web/agrepl-page.js repl/web/agrepl-worker.js repl/web/agrepl.css repl/web/sw.js repl/web/unzip.js \
  repl/web/pictures.js repl/web/ticks.js repl/web/graph_fit.js repl/web/figure_svg.js repl/web/lines_kept.js
WEB_ENV = NODE_PATH=/usr/share/nodejs
WEB_FILES = agrepl.js agrepl.wasm viz-global.js agrepl-file.js $(notdir $(WEB_PAGE))

web: $(WEB)/agrepl.js $(WEB)/viz-global.js $(WEB)/agrepl-file.js $(WEB_PAGE:repl/web/%=$(WEB)/%) $(WEB)/lessons.stamp \
  $(WEB_LESSON_DATA:samples/%=$(WEB)/lessons/%)

$(WEB_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  EMCC $<"
	$(Q)$(WEB_ENV) $(EMCC) $(WEB_CFLAGS) -c $< -o $@

# fetched by make web-deps (which make deps runs), never by the build
$(WEB_LIBCSV)/libcsv.c:
	@echo "make web: libcsv's source is not in $(BUILD)/libcsv: make web-deps (or make deps) fetches it from Debian's mirror" >&2; exit 1

$(WEB_OBJDIR)/src/csvfile.o $(WEB_OBJDIR)/src/data_libs.o: | $(WEB_LIBCSV)/libcsv.c
$(WEB_OBJDIR)/libcsv.o: $(WEB_LIBCSV)/libcsv.c
	@mkdir -p $(@D)
	@echo "  EMCC $<"
	$(Q)$(WEB_ENV) $(EMCC) -O2 -I$(WEB_LIBCSV) -c $< -o $@

$(WEB)/agrepl.js: $(WEB_OBJ) $(WEB_LESSONS) $(WEB_LESSON_DATA)
	@mkdir -p $(@D)
	@echo "  EMCC $@"
	$(Q)$(WEB_ENV) $(EMCC) $(WEB_LDFLAGS) $(WEB_OBJ) $(foreach f,$(WEB_LESSONS),--embed-file $(f)@/lessons/$(notdir $(f))) \
	  $(foreach f,$(WEB_LESSON_DATA),--embed-file $(f)@/lessons/data/$(notdir $(f))) -o $@

# agrepl.js's WebAssembly, apart: the worker compiles it as it downloads
$(WEB)/agrepl.wasm: $(WEB)/agrepl.js

# the page opened from disk (file://) makes its worker from these strings
$(WEB)/agrepl-file.js: repl/web/file_page.js $(WEB)/agrepl.js $(WEB)/viz-global.js repl/web/unzip.js repl/web/agrepl-worker.js
	node repl/web/file_page.js $@ $(WEB)/agrepl.wasm $(WEB)/agrepl.js $(WEB)/viz-global.js repl/web/unzip.js repl/web/agrepl-worker.js

$(WEB)/%: repl/web/%
	@mkdir -p $(@D)
	cp $< $@

$(WEB)/lessons.stamp: $(WEB_LESSONS)
	@mkdir -p $(WEB)/lessons && cp $^ $(WEB)/lessons/ && touch $@

$(WEB)/lessons/data/%: samples/data/%
	@mkdir -p $(@D)
	cp $< $@

$(WEB)/viz-global.js: $(WEB_DEPS)
	@mkdir -p $(@D)
	cp $< $@

# The page's npm packages, as the lockfile pins them (npm ci: nothing else),
# and libcsv's source (above): everything make web needs from the network.
web-deps: $(WEB_DEPS)
	@[ -f $(WEB_LIBCSV)/libcsv.c ] || { rm -rf $(BUILD)/libcsv && mkdir -p $(BUILD)/libcsv && \
	  cd $(BUILD)/libcsv && mirrors="$$(apt-get indextargets --format '$$(REPO_URI)' 2>/dev/null | grep -v -- '-security/$$' | sort -u) $(LIBCSV_MIRROR)"; \
	  for f in libcsv_$(LIBCSV_DEB).dsc libcsv_$(LIBCSV_DEB:-6=).orig.tar.gz libcsv_$(LIBCSV_DEB).debian.tar.xz; do \
	    ok=; for m in $$mirrors; do curl -fsS --retry 2 -o "$$f" "$${m%/}/$(LIBCSV_POOL)/$$f" && { ok=1; break; }; done; \
	    [ -n "$$ok" ] || { echo "web-deps: $$f could not be fetched from Debian's mirror ($$mirrors)" >&2; exit 1; }; done; \
	  echo "$(LIBCSV_DSC_SHA256)  libcsv_$(LIBCSV_DEB).dsc" | sha256sum -c --quiet && \
	  dpkg-source -q -x libcsv_$(LIBCSV_DEB).dsc src && [ -f src/libcsv.c ]; }

$(WEB_DEPS): repl/web/package.json repl/web/package-lock.json
	@mkdir -p $(BUILD)/web-deps
	cp repl/web/package.json repl/web/package-lock.json $(BUILD)/web-deps/
	cd $(BUILD)/web-deps && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# A lesson page: build/web with LESSON (a script) loaded when the page opens,
# written to OUT (make web-lesson LESSON=samples/newton.ag OUT=newton-page).
web-lesson: web $(AGREPL)
	@[ -n "$(LESSON)" ] && [ -n "$(OUT)" ] || { echo "web-lesson: say LESSON=FILE.ag OUT=DIR"; exit 2; }
	AGREPL_WEB=$(WEB) $(AGREPL) --web-lesson $(LESSON) $(OUT)

-include $(WEB_OBJ:.o=.d)

# The page's size, time to its first prompt and the Rosenbrock lesson
# against the terminal's (bench/web_bench.py; figures in bench/README.md).
bench-web: web $(AGREPL)
	$(KERNEL_PYTHON) bench/web_bench.py $(WEB) $(AGREPL)

# The page in headless Chromium (tests/python/web_test.py): served by python3 -m
# http.server on 127.0.0.1, the README's first session typed, a node
# clicked, the Rosenbrock lesson, Ctrl-C, :save and a reload; screenshots in
# $(BUILD)/web-test/.  Without emscripten or npm it says SKIP (make deps
# installs both), counted apart in the summary; so too when npm ci fails
# and `npm ping` cannot reach the registry either (no network, or a TLS
# proxy whose certificate this root does not trust), and when libcsv's
# source is not fetched and Debian's mirror is out of reach (offline).  A
# lockfile that npm refuses while the registry answers is a failure.
web-tests:
	@if command -v $(EMCC) >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  if ! $(MAKE) --no-print-directory web-deps && ! npm ping >$(BUILD)/npm-ping.log 2>&1; then \
	    $(STEP) "web ($(BUILD))" echo "SKIP: the web page: npm ci could not reach the npm registry from here ($$(grep -m1 -oE 'E[A-Z_]{4,}|[A-Z_]{3,}_CERT[A-Z_]*' $(BUILD)/npm-ping.log || echo 'npm ping failed'))"; \
	  elif [ ! -f $(WEB_LIBCSV)/libcsv.c ] && ! curl -fsS -o /dev/null --max-time 20 $(LIBCSV_MIRROR) 2>$(BUILD)/mirror-ping.log; then \
	    $(STEP) "web ($(BUILD))" echo "SKIP: the web page: libcsv's source could not be fetched, Debian's mirror $(LIBCSV_MIRROR) is out of reach from here ($$(head -c 120 $(BUILD)/mirror-ping.log)); make web-deps fetches it"; \
	  else \
	    $(MAKE) -j$(JOBS) --no-print-directory web && \
	    $(STEP) "web ($(BUILD))" sh tests/suites/no_tmp_left.sh $(KERNEL_PYTHON) tests/python/web_test.py $(WEB) $(BUILD)/web-test; \
	  fi; \
	else \
	  $(STEP) "web ($(BUILD))" echo "SKIP: the web page: emscripten's emcc or npm is not installed (make deps installs them)"; \
	fi

# `make notebooks`: every samples/notebooks/*.ipynb run in the agrepl kernel
# and written back with its outputs (committed so, pictures and numbers show
# on GitHub; notebook-tests fails when a fresh run prints other lines).
notebooks: $(AGREPL) $(AGREPL_KERNEL) $(KERNEL_LOGOS)
	$(KERNEL_PYTHON) -W ignore::UserWarning samples/notebooks/refresh.py $(AGREPL)

# `make notebook`: Jupyter Notebook on a copy of the lessons
# (samples/notebooks/ copied to $(BUILD)/notebooks/, files already there
# kept: a class's edits stay out of the checkout and survive the next run),
# installing Debian's jupyter-notebook when it is missing and the agrepl
# kernelspec for this user (it starts this build's agrepl); as root with
# --allow-root, which Jupyter otherwise refuses.  Its kernels talk over Unix
# sockets (--KernelManager.transport=ipc) in a folder only this user can
# enter (JUPYTER_RUNTIME_DIR, made by mktemp -d: mode 0700, a short path for
# the sockets' 108-byte limit, removed at the end): with Jupyter's default,
# TCP on 127.0.0.1, any local user could read every cell's code and output
# on the kernel's iopub port.
NOTEBOOK_COPY = $(BUILD)/notebooks
notebook: check-deps
	@$(MAKE) --no-print-directory build-all
	@command -v jupyter-notebook >/dev/null 2>&1 || { \
	  echo "notebook: installing Debian's jupyter-notebook"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends jupyter-notebook >/dev/null; }
	@$(AGREPL) --install-kernel --user
	@mkdir -p $(NOTEBOOK_COPY) && cp -R -n samples/notebooks/. $(NOTEBOOK_COPY)/
	@echo "notebook: serving $(NOTEBOOK_COPY)/ (a copy of samples/notebooks/)"
	@runtime=$$(mktemp -d "$${TMPDIR:-/tmp}/agrepl-kernels.XXXXXX") || exit 1; \
	trap 'rm -rf "$$runtime"' EXIT; trap 'exit 130' INT TERM; \
	echo "notebook: kernels on Unix sockets in $$runtime (mode 0700)"; \
	JUPYTER_RUNTIME_DIR=$$runtime jupyter-notebook --KernelManager.transport=ipc --notebook-dir=$(NOTEBOOK_COPY) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(NOTEBOOK_ARGS)

# Everything runs to its end (make -k; each step keeps going after a
# failure), the plain build and then the sanitizer pass; the last line is
# the whole run's "N passed, M failed" (tests/tally.sh), status 1 when any
# failed.  Each pass first builds what its tests run on every core (JOBS,
# default nproc; `make test JOBS=1` builds one file at a time), then runs the
# tests one after another as before: a build that failed there is built
# again, its error shown alone, by the serial run.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test-binaries: build-all $(TESTS) $(FUZZ_REPLAY) $(BUILD)/tests/stale_pointer $(BUILD)/tests/threads_ctx \
  $(BUILD)/tests/safetensors_tool $(REFMAN)
TEST_TARGETS = unit-tests script-tests sample-tests reliability-tests interrupt-tests interactive-tests \
  fuzz-tests fuzz-replay valgrind-tests window-tests symbol-tests man-tests thread-tests safetensors-tests \
  stale-pointer-tests lib-asan-tests lib-tests install-tests kernel-tests notebook-tests files-in-tests classroom-tests readme-tests hacking-tests browser-tests numpy-tests torch-tests web-tests tmp-tests ticks-mirror-tests
test: deps
	@tally=$(CURDIR)/$(BUILD)/test-tally; mkdir -p $(BUILD) && : >$$tally && : >$$tally.time; status=0; \
	$(MAKE) -k -j$(JOBS) --no-print-directory test-binaries || :; \
	TEST_TALLY=$$tally $(MAKE) -k --no-print-directory build-all $(TEST_TARGETS) || status=1; \
	TEST_TALLY=$$tally $(MAKE) -k --no-print-directory asan-tests || status=1; \
	sh tests/tally.sh $$tally $$status

# The issue's stale pointer after ag_gc, caught with AG_DEBUG_NO_REUSE=1 by
# valgrind (this build) or AddressSanitizer (the asan build).
# (Where these three were before tests/unit/: a build folder's old .d files
# still name them, so they may be missing; the binaries are then relinked.)
tests/stale_pointer.c tests/threads_ctx.c tests/safetensors_tool.c: ;
$(BUILD)/tests/stale_pointer: tests/unit/stale_pointer.c $(LIB)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< $(ENGINE_LIBS)

# Two threads making contexts at once, under helgrind and DRD; the host's
# OpenBLAS thread count stays its own.
$(BUILD)/tests/threads_ctx: tests/unit/threads_ctx.c $(LIB)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -pthread -o $@ $< $(ENGINE_LIBS) $(BLAS_LIBS)

thread-tests: $(BUILD)/tests/threads_ctx
	@$(STEP) "threads ($(BUILD))" sh tests/suites/threads_test.sh $<

# Weights saved as safetensors: read back bit-exact, by plain Python and by
# PyTorch (when installed); bad files refused (tests/fuzz_corpus/safetensors-bad-*,
# which the fuzz target also loads).
$(BUILD)/tests/safetensors_tool: tests/unit/safetensors_tool.c $(LIB)
	@mkdir -p $(@D)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< $(ENGINE_LIBS)

safetensors-tests: $(BUILD)/tests/safetensors_tool $(AGREPL)
	@$(STEP) "safetensors ($(BUILD))" sh tests/suites/safetensors_test.sh $< $(AGREPL)

stale-pointer-tests: $(BUILD)/tests/stale_pointer
	@SAN="$(SAN)" $(STEP) "stale pointer ($(BUILD))" sh tests/suites/stale_pointer_test.sh $<

# The reference pages are made from the headers; every exported function
# must be in a man page.
man: $(REFMAN)
$(REFMAN) &: man/gen_ref.py man/autograd.3 man/agrepl.1 $(wildcard include/autograd/*.h)
	@mkdir -p $(BUILD)/man/man1
	@echo "  GEN $(BUILD)/man/autograd_*.3, $(BUILD)/man/man3/ag_*.3 AG_*.3"
	$(Q)python3 man/gen_ref.py include/autograd man/autograd.3 $(BUILD)/man
	@cp man/agrepl.1 $(BUILD)/man/man1/agrepl.1

man-tests: $(SHLIB) $(REFMAN)
	@$(STEP) "man pages ($(BUILD))" sh tests/suites/man_test.sh $(SHLIB) $(BUILD)/man

# Every :command and built-in the README names exists in agrepl's tables.
# HACKING.md's file tables name every file of the source tree.
# repl/'s floors: its includes in the source, its calls in the objects (nm).
hacking-tests: $(REPL_OBJ) $(BUILD)/repl/main.o $(KERNEL_OBJ)
	@$(STEP) "HACKING.md file tables" sh tests/suites/hacking_files_test.sh
	@$(STEP) "repl/'s floors (HACKING.md)" sh tests/suites/repl_floors_test.sh $(REPL_OBJ) $(BUILD)/repl/main.o $(KERNEL_OBJ)

readme-tests: $(AGREPL)
	@AGREPL=$(AGREPL) $(STEP) "README names ($(BUILD))" sh tests/suites/readme_names_test.sh

# The README's pictures (samples/pictures/), made again from the lessons:
# windows on a virtual X server, the optimizer race with savefig, a notebook
# in headless Chromium (tests/python/browser_test.py).  Look at each at about 830 px
# wide before committing it.
pictures: $(AGREPL) $(VIZMOD) $(AGREPL_KERNEL) $(KERNEL_LOGOS)
	sh samples/pictures/pictures.sh $(AGREPL) samples/pictures

# The library built with AddressSanitizer + UBSan (build/lib-asan/): linked
# into a program built with -fsanitize=address and run with
# AG_DEBUG_NO_REUSE=1, a stale handle read inside the library is reported.
lib-asan:
	@$(MAKE) --no-print-directory BUILD=build/lib-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined" build/lib-asan/libautograd.a build/lib-asan/libautograd.so.$(AG_VERSION)

# The same with clang (build/lib-asan-clang/): gcc and clang announce
# AddressSanitizer differently (poison.h), and what the library does under
# one it must do under the other.
lib-asan-clang:
	@$(MAKE) --no-print-directory BUILD=build/lib-asan-clang CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined" build/lib-asan-clang/libautograd.a build/lib-asan-clang/libautograd-internal.a

# make lib-asan used as the man page says: a program built with
# -fsanitize=address and AG_DEBUG_NO_REUSE=1 sees a stale handle read inside
# the library (and does not with the plain one); and test_memory (the
# buffer cache) built with clang's AddressSanitizer on make lib-asan-clang.
lib-asan-tests: $(LIB)
	@MAKE="$(MAKE) -j$(JOBS) --no-print-directory" LIBS="$(LIB_SYS_LIBS)" CC="$(CC)" CMOCKA_LIBS="$(CMOCKA_LIBS)" \
	  $(STEP) "lib-asan ($(BUILD))" sh tests/suites/lib_asan_test.sh $(LIB)

# make lib / install-lib with nothing but a C compiler, and a static
# sin(x)+x^2 program against make lib BLAS=builtin (musl-gcc: under 1 MB).
lib-tests:
	@MAKE="$(MAKE) -j$(JOBS) --no-print-directory" JOBS=$(JOBS) CC="$(CC)" $(STEP) "lib only ($(BUILD))" sh tests/suites/lib_only_test.sh

# Only ag_* names are global in libautograd.a and libautograd.so.
symbol-tests: $(LIB) $(SHLIB) $(REPLLIB) $(BUILD)/repl/main.o $(KERNEL_OBJ)
	@$(STEP) "symbols ($(BUILD))" sh tests/suites/symbols_test.sh $(LIB) $(SHLIB) $(REPLLIB) $(BUILD)/repl/main.o $(KERNEL_OBJ)

# make install into a temporary DESTDIR, then use it as a C user would
# (pkg-config, static and shared, C++, man pages, a lesson by name), then
# make uninstall and check that nothing is left.
install-tests: build-all
	@MAKE="$(MAKE) --no-print-directory" $(STEP) "install ($(BUILD))" sh tests/suites/install_test.sh

# ---- install ----------------------------------------------------------------
# `sudo make install`, or `make install PREFIX=$$HOME/.local`; DESTDIR stages
# the same tree elsewhere (packaging).  The lesson directory is compiled into
# agrepl, so agrepl is rebuilt when PREFIX changes.
LESSONS  = $(sort $(wildcard samples/*.ag))
LESSON_DATA = $(sort $(wildcard samples/data/*))
NOTEBOOKS = $(sort $(wildcard samples/notebooks/*.ipynb))
HEADERS  = $(sort $(wildcard include/autograd/*.h))
MANPAGES = man/agrepl.1 $(LIBMAN)
DOCDIR   = $(DATADIR)/doc/libautograd

# Holds the PREFIX and LIBDIR of the last build; rewritten only when they change.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX) $(LIBDIR)' | cmp -s - $@ || echo '$(PREFIX) $(LIBDIR)' > $@
FORCE:

$(BUILD)/autograd.pc: $(BUILD)/prefix.stamp include/autograd/ag_api.h
	@printf '%s\n' 'prefix=$(PREFIX)' 'exec_prefix=$${prefix}' 'libdir=$(LIBDIR)' \
	  'includedir=$${prefix}/include' '' 'Name: autograd' \
	  'Description: DeZero-style automatic differentiation engine (libautograd)' \
	  'Version: $(AG_VERSION)' 'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -lautograd -lm' 'Libs.private: $(filter-out -lm,$(LIB_SYS_LIBS))' > $@

# `make lib` builds the library alone (libautograd.a and .so, autograd.pc,
# the reference pages) and `make install-lib` installs it with its headers,
# man pages and the train_mlp.c example: nothing but a C compiler, make and
# the base tools (sh, sed, install) is needed, no pkg-config, Graphviz,
# SDL2, Readline or OpenBLAS (tests/suites/lib_only_test.sh builds it so).  The
# reference pages are made from the headers by python3; without it they
# are left out, with a message.
HAVE_PYTHON3 := $(shell command -v python3 2>/dev/null)
LIB_REFMAN    = $(if $(HAVE_PYTHON3),$(REFMAN))
lib: $(LIB) $(SHLIB) $(BUILD)/autograd.pc $(LIB_REFMAN)
	$(if $(HAVE_PYTHON3),,@echo "lib: python3 is missing: the reference pages autograd_*.3 are not made")

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/autograd $(DESTDIR)$(MANDIR)/man3 \
	  $(DESTDIR)$(DOCDIR)
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libautograd.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libautograd.so.$(AG_VERSION)
	ln -sf libautograd.so.$(AG_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libautograd.so
	install -m 644 $(BUILD)/autograd.pc $(DESTDIR)$(LIBDIR)/pkgconfig/autograd.pc
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/autograd/
	install -m 644 man/autograd.3 $(LIB_REFMAN) $(DESTDIR)$(MANDIR)/man3/
	$(if $(HAVE_PYTHON3),install -m 644 $(BUILD)/man/man3/ag_*.3 $(BUILD)/man/man3/AG_*.3 $(DESTDIR)$(MANDIR)/man3/)
	install -m 644 samples/train_mlp.c $(DESTDIR)$(DOCDIR)/
	install -m 644 samples/Makefile.example $(DESTDIR)$(DOCDIR)/Makefile

install: build-all install-lib
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(LESSONDIR) $(DESTDIR)$(VIZMODDIR)
	install -m 755 $(AGREPL) $(DESTDIR)$(BINDIR)/agrepl
	install -m 755 $(VIZMOD) $(DESTDIR)$(VIZMODDIR)/agrepl-viz.so
	install -m 755 $(AGREPL_KERNEL) $(DESTDIR)$(VIZMODDIR)/agrepl-kernel
	install -d $(DESTDIR)$(KERNELSPECDIR)
	printf '{\n "argv": ["%s", "--kernel", "{connection_file}"],\n "display_name": "agrepl",\n "language": "agrepl",\n "interrupt_mode": "signal",\n "metadata": {}\n}\n' \
	  '$(BINDIR)/agrepl' > $(DESTDIR)$(KERNELSPECDIR)/kernel.json
	install -m 644 $(KERNEL_LOGOS) $(DESTDIR)$(KERNELSPECDIR)/
	install -m 644 man/agrepl.1 $(DESTDIR)$(MANDIR)/man1/agrepl.1
	install -m 644 $(LESSONS) $(DESTDIR)$(LESSONDIR)/
	install -d $(DESTDIR)$(LESSONDIR)/data
	install -m 644 $(LESSON_DATA) $(DESTDIR)$(LESSONDIR)/data/
	install -d $(DESTDIR)$(NOTEBOOKDIR)
	install -m 644 $(NOTEBOOKS) $(DESTDIR)$(NOTEBOOKDIR)/
	@# the web page, when make web built it whole (agrepl --web-lesson copies it);
	@# a build/web from an older make web, without the files of today's, is left out
	if ls $(addprefix $(WEB)/,$(WEB_FILES) $(addprefix lessons/data/,$(notdir $(WEB_LESSON_DATA)))) >/dev/null 2>&1; then \
	  install -d $(DESTDIR)$(DATADIR)/agrepl/web/lessons/data && \
	  install -m 644 $(addprefix $(WEB)/,$(WEB_FILES)) $(DESTDIR)$(DATADIR)/agrepl/web/ && \
	  install -m 644 $(WEB)/lessons/*.ag $(DESTDIR)$(DATADIR)/agrepl/web/lessons/ && \
	  install -m 644 $(addprefix $(WEB)/lessons/data/,$(notdir $(WEB_LESSON_DATA))) $(DESTDIR)$(DATADIR)/agrepl/web/lessons/data/; fi

# Removes exactly what install put there, then the directories that were ours.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/agrepl $(DESTDIR)$(VIZMODDIR)/agrepl-viz.so $(DESTDIR)$(LIBDIR)/libautograd.a \
	  $(DESTDIR)$(VIZMODDIR)/agrepl-kernel $(DESTDIR)$(KERNELSPECDIR)/kernel.json \
	  $(addprefix $(DESTDIR)$(KERNELSPECDIR)/,$(notdir $(KERNEL_LOGOS))) \
	  $(DESTDIR)$(LIBDIR)/libautograd.so.$(AG_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libautograd.so $(DESTDIR)$(LIBDIR)/pkgconfig/autograd.pc \
	  $(addprefix $(DESTDIR)$(INCLUDEDIR)/autograd/,$(notdir $(HEADERS))) \
	  $(DESTDIR)$(MANDIR)/man1/agrepl.1 $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(LIBMAN))) \
	  $(DESTDIR)$(DOCDIR)/train_mlp.c $(DESTDIR)$(DOCDIR)/Makefile \
	  $(addprefix $(DESTDIR)$(LESSONDIR)/,$(notdir $(LESSONS))) \
	  $(addprefix $(DESTDIR)$(LESSONDIR)/data/,$(notdir $(LESSON_DATA))) \
	  $(addprefix $(DESTDIR)$(NOTEBOOKDIR)/,$(notdir $(NOTEBOOKS))) \
	  $(addprefix $(DESTDIR)$(DATADIR)/agrepl/web/,$(WEB_FILES)) \
	  $(addprefix $(DESTDIR)$(DATADIR)/agrepl/web/lessons/,$(notdir $(WEB_LESSONS))) \
	  $(addprefix $(DESTDIR)$(DATADIR)/agrepl/web/lessons/data/,$(notdir $(WEB_LESSON_DATA)))
	-rmdir $(DESTDIR)$(DATADIR)/agrepl/web/lessons/data $(DESTDIR)$(DATADIR)/agrepl/web/lessons $(DESTDIR)$(DATADIR)/agrepl/web 2>/dev/null
	@# a page per name (man/gen_ref.py): ours are the ag_*.3 and AG_*.3 that source an autograd page
	-@for f in $(DESTDIR)$(MANDIR)/man3/ag_*.3 $(DESTDIR)$(MANDIR)/man3/AG_*.3; do \
	  grep -qx '.so man3/autograd[a-z_]*.3' "$$f" 2>/dev/null && rm -f "$$f"; done; true
	-rmdir $(DESTDIR)$(INCLUDEDIR)/autograd $(DESTDIR)$(LESSONDIR)/data $(DESTDIR)$(LESSONDIR) $(DESTDIR)$(NOTEBOOKDIR) $(DESTDIR)$(DATADIR)/agrepl $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(VIZMODDIR) $(DESTDIR)$(KERNELSPECDIR) $(DESTDIR)$(DATADIR)/jupyter/kernels \
	  $(DESTDIR)$(DATADIR)/jupyter 2>/dev/null
	@# the standard directories install made, when nothing else is in them
	-@for d in $(LIBDIR)/pkgconfig $(LIBDIR) $(INCLUDEDIR) $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man3 \
	  $(MANDIR) $(DATADIR)/doc $(DATADIR) $(PREFIX); do rmdir "$(DESTDIR)$$d" 2>/dev/null; done; true

# The whole suite again with AddressSanitizer + UBSan and leak detection.
# The build runs none of what it builds: the sanitizers' run-time options
# (ASAN_ENV) are the tests' only.
ASAN_VARS = BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
asan-tests:
	@$(MAKE) -k -j$(JOBS) --no-print-directory $(ASAN_VARS) test-binaries || :; \
	$(ASAN_ENV) $(MAKE) -k --no-print-directory $(ASAN_VARS) build-all unit-tests script-tests sample-tests reliability-tests interrupt-tests interactive-tests fuzz-tests fuzz-replay stale-pointer-tests safetensors-tests kernel-tests files-in-tests


# ---- fuzzing ----------------------------------------------------------------
# `make fuzz` builds the libFuzzer target tests/fuzz/fuzz_repl.c (parse and
# eval of a whole script in a session that touches no file and opens no
# window) with clang, every object under ASan + UBSan with the fuzzer's
# coverage, and runs it for FUZZ_SECONDS (default 600) on a copy of
# tests/fuzz_corpus/ in build/fuzz/corpus.  A crash leaves its input in
# build/fuzz/ (crash-*, timeout-*, oom-*): fix it, then add the input to
# tests/fuzz_corpus/ so `make test` replays it.  Not part of `make test`;
# `make fuzz-deps` installs clang and its fuzzer runtime (Debian packages).
FUZZ_SECONDS ?= 600
FUZZ_BUILD    = build/fuzz
FUZZ_PACKAGES = clang libclang-rt-14-dev
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined

fuzz-deps:
	@if ! command -v clang >/dev/null 2>&1 || \
	    ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	      clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then \
	  echo "fuzz-deps: installing $(FUZZ_PACKAGES)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(FUZZ_PACKAGES) >/dev/null; \
	fi

fuzz-build: check-deps fuzz-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/fuzz_repl

$(FUZZ_BUILD)/fuzz_repl: $(BUILD)/tests/fuzz/fuzz_repl.o $(REPLLIB) $(VIZLIB) $(UTILLIB) $(LIBINT)
	@echo "  LD $@"
	$(Q)$(CC) $(OPT) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(BUILD)/tests/fuzz/fuzz_repl.o $(REPLLIB) $(VIZLIB) $(UTILLIB) $(ALL_LIBS)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/corpus && cp tests/fuzz_corpus/* $(FUZZ_BUILD)/corpus/
	@echo "fuzz: running for $(FUZZ_SECONDS) s (FUZZ_SECONDS=N to change); findings go to $(FUZZ_BUILD)/"
	AGREPL_HEADLESS=1 ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=512:detect_leaks=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  $(FUZZ_BUILD)/fuzz_repl -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=2560 \
	  -malloc_limit_mb=1024 -max_len=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ \
	  -dict=tests/fuzz/agrepl.dict $(FUZZ_BUILD)/corpus

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
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(BENCH_OBJ) $(ENGINE_LIBS) $(BLAS_LIBS)

# The decision boundary's redraw: the REPL and viz/ linked as the
# tests link them, one line from bench/run.sh.
BOUNDARY_BENCH = $(BUILD)/boundary_bench
$(BOUNDARY_BENCH): bench/pictures/boundary_bench.c $(REPLLIB) $(VIZLIB) $(UTILLIB) $(LIBINT)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(VIZ_CFLAGS) -Isrc -Isrc/util -Iviz -Irepl -pthread -Wl,-u,agrepl_viz_module -o $@ $< \
	  $(REPLLIB) $(VIZLIB) $(UTILLIB) $(ALL_LIBS) $(BLAS_LIBS)

# The chain sweep: a chain of scalar ops' cost an op against its length,
# one line from bench/run.sh (bench/README.md, "The chain sweep").
CHAIN_SWEEP = $(BUILD)/chain_sweep
$(CHAIN_SWEEP): bench/tools/chain_sweep.c $(LIB)
	@echo "  LD $@"
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< $(ENGINE_LIBS) $(BLAS_LIBS)

# agrepl's Jupyter kernel against python3-ipykernel (start-up, round trip,
# a Rosenbrock cell against the script, memory over 10,000 executions).
bench-kernel: check-deps
	@$(MAKE) --no-print-directory BUILD=build/bench OPT=-O2 SAN= build/bench/agrepl build/bench/agrepl-kernel \
	  build/bench/agrepl-viz.so
	@command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import ipykernel' 2>/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends python3-ipykernel >/dev/null; }
	@$(BENCH_PYTHON) bench/kernel_bench.py build/bench/agrepl

# The kernel's memory over 10,000 executions of each of a few cells, one
# kernel per cell (bench/kernel_memory.py; bench/README.md has the numbers).
bench-kernel-memory: check-deps
	@$(MAKE) --no-print-directory BUILD=build/bench OPT=-O2 SAN= build/bench/agrepl build/bench/agrepl-kernel \
	  build/bench/agrepl-viz.so
	@$(BENCH_PYTHON) bench/kernel_memory.py build/bench/agrepl

bench-build: check-deps
	@$(MAKE) --no-print-directory BUILD=build/bench OPT=-O2 SAN= \
	  build/bench/libautograd.a build/bench/agrepl build/bench/agrepl-viz.so build/bench/agbench \
	  build/bench/boundary_bench build/bench/chain_sweep

bench: bench-build
	@PYTHON=$(BENCH_PYTHON) sh bench/run.sh build/bench

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
	$(AGREPL) --lesson rosenbrock

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# A unit test's object, and testutil.o they all link, which only the
# pattern rule of a program names, are kept rather than deleted as
# intermediate.  Only those: a bare
# `.SECONDARY:` makes every target secondary, and make then takes an archive
# newer than a missing object's source as up to date, so an object deleted,
# or a new source file older than the archive (a checkout, a merge), was
# left out of the link.  (.PRECIOUS would also keep a half-written object
# when make is interrupted.)
.SECONDARY: $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.o) $(BUILD)/tests/unit/testutil.o
