#!/bin/sh
# make lib and make install-lib with nothing but a C compiler: PATH holds
# only the compiler, binutils, make and the base tools (no pkg-config,
# python3, Graphviz, SDL2, Readline or OpenBLAS headers in reach: the
# library includes none).  Then, as a C user: the installed tree has the
# library, headers, autograd.pc and autograd(3) and no agrepl; the shared
# library needs no BLAS; and a static sin(x)+x^2 program
# (tests/unit/sin_square.c) built against `make lib BLAS=builtin` prints the
# right derivative, and, linked with -Wl,--gc-sections, is under 1 MB with
# glibc and with musl; the default library links statically without a
# warning too.
# Usage: MAKE=make CC=cc [JOBS=N] tests/suites/lib_only_test.sh   (from the source tree;
# JOBS: files built at once, default 1)
set -u
MAKE=${MAKE:-make}
CC=${CC:-cc}
src=$(pwd)
status=0 passed=0 failed=0
sh "$(dirname "$0")/watchdog.sh" $$ 900 lib-only & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; status=1; failed=$((failed + 1)); }
ok() { echo "ok: $*"; passed=$((passed + 1)); }

# A PATH with the compiler and the tools a bare system has, nothing else.
mkdir "$tmp/bin"
make_cmd=$(command -v ${MAKE%% *})
for tool in "$CC" as ld ar objcopy sh sed mkdir rm ln cmp printf cat mv cp find install rmdir chmod env \
            "$make_cmd"; do
    path=$(command -v "$tool") || { fail "$tool is not installed"; exit 1; }
    ln -s "$path" "$tmp/bin/$(basename "$tool")"
done
for absent in pkg-config python3; do
    [ ! -e "$tmp/bin/$absent" ] || fail "$absent is in the test's PATH"
done
cc_name=$(basename "$CC")

build() { # build NAME MAKE-ARGS...: make in a clean environment, log in $tmp/NAME.log
    name=$1
    shift
    (cd "$src" && env -i PATH="$tmp/bin" HOME="$tmp" "$tmp/bin/$(basename "$make_cmd")" -j"${JOBS:-1}" --no-print-directory \
        CC="$cc_name" BUILD="$tmp/build-$name" "$@") > "$tmp/$name.log" 2>&1
}

if build openblas lib install-lib PREFIX=/usr DESTDIR="$tmp/stage"; then
    ok "make lib install-lib with only $cc_name, binutils, make and the base tools in PATH"
else
    fail "make lib install-lib with only a C compiler:"; tail -20 "$tmp/openblas.log"
fi
root=$tmp/stage/usr
for f in lib/libautograd.a lib/libautograd.so lib/pkgconfig/autograd.pc include/autograd/autograd.h \
         share/man/man3/autograd.3 share/doc/libautograd/train_mlp.c; do
    [ -e "$root/$f" ] || fail "install-lib did not install /usr/$f"
done
[ -e "$root/bin/agrepl" ] && fail "install-lib installed agrepl" ||
    ok "install-lib: the library, headers, autograd.pc, autograd(3) and train_mlp.c, and no agrepl"
grep -q "python3 is missing" "$tmp/openblas.log" && ok "without python3 it says the reference pages are not made" ||
    fail "no word about the reference pages without python3"
if readelf -d "$root/lib/libautograd.so" | grep NEEDED | grep -qi blas; then
    fail "libautograd.so links a BLAS: $(readelf -d "$root/lib/libautograd.so" | grep NEEDED | tr -s ' ')"
else
    ok "libautograd.so needs only $(readelf -d "$root/lib/libautograd.so" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
fi
! grep -q openblas "$root/lib/pkgconfig/autograd.pc" && ok "autograd.pc requires no OpenBLAS" ||
    fail "autograd.pc names OpenBLAS: $(grep openblas "$root/lib/pkgconfig/autograd.pc")"

# The static program, against the library without the OpenBLAS loader,
# linked with --gc-sections (each op is its own row, so only the ops it calls
# come along): under 1 MB stripped, as a program shipped static is, with
# glibc (whose own static start-up, stdio and libm are 0.7 MB of it) and
# with musl (musl-gcc, from make deps); without a warning, and it runs.
static_program() { # static_program NAME CC LIBRARY: links and runs tests/unit/sin_square.c
    if $2 -std=c11 -O2 -static -s -Wl,--gc-sections -Iinclude -o "$tmp/$1" tests/unit/sin_square.c "$3" -lm \
        2> "$tmp/$1.err"; then
        [ -s "$tmp/$1.err" ] && fail "$1: the static link warned: $(cat "$tmp/$1.err")"
        if out=$("$tmp/$1"); then ok "$1: static, stripped, $(wc -c < "$tmp/$1") bytes; prints $out"
        else fail "$1 does not run: $out"; fi
    else
        fail "$1 does not link statically:"; cat "$tmp/$1.err"
    fi
}
under_1mb() { # under_1mb NAME LIBC
    size=$(wc -c < "$tmp/$1" 2>/dev/null || echo 0)
    [ "$size" -gt 0 ] && [ "$size" -lt 1000000 ] && ok "the static sin(x)+x^2 program with $2 is under 1 MB ($size bytes)" ||
        fail "the static sin(x)+x^2 program with $2: $size bytes, not under 1 MB"
}
# The default library (OpenBLAS loaded at run time when it can be) linked
# into a static program: no warning about glibc's static dlopen either.
static_program sin_square_default "$CC" "$root/lib/libautograd.a"
if build builtin lib BLAS=builtin; then
    ok "make lib BLAS=builtin"
    static_program sin_square_glibc "$CC" "$tmp/build-builtin/libautograd.a"
    under_1mb sin_square_glibc glibc
else
    fail "make lib BLAS=builtin:"; tail -20 "$tmp/builtin.log"
fi
if ! command -v musl-gcc > /dev/null 2>&1; then
    fail "musl-gcc is missing (make deps installs musl-tools)"
elif (cd "$src" && $MAKE --no-print-directory CC=musl-gcc BUILD="$tmp/build-musl" BLAS=builtin lib) > "$tmp/musl.log" 2>&1; then
    static_program sin_square_musl musl-gcc "$tmp/build-musl/libautograd.a"
    under_1mb sin_square_musl musl
else
    fail "make lib CC=musl-gcc BLAS=builtin:"; tail -20 "$tmp/musl.log"
fi
echo "$passed passed, $failed failed"
exit $status
