#!/bin/sh
# make install into a temporary DESTDIR, then use the staged tree as a user
# would: pkg-config finds the library (PKG_CONFIG_SYSROOT_DIR maps the
# staged prefix), samples/train_mlp.c builds and runs linked statically and
# shared, a C++ program includes the header, the installed agrepl runs a
# lesson by name (from outside the source tree), both man pages render
# without a groff warning; then make uninstall leaves no file behind.
# Run from the source tree; MAKE is the make command to use.
set -u
MAKE=${MAKE:-make}
CC=${CC:-cc}
status=0
sh "$(dirname "$0")/watchdog.sh" $$ 600 install & watchdog=$! # a hang fails naming what it ran
# make install PREFIX=... below rebuilds agrepl with that prefix's lesson
# directory compiled in: the build is put back as make left it (the PREFIX
# make itself was given) before the temporary prefix is deleted.
restore() { [ -z "${rebuilt:-}" ] || $MAKE build-all >"$tmp/restore.log" 2>&1 || { echo "FAIL: the build was not restored:"; tail -20 "$tmp/restore.log"; status=1; }; }
tmp=$(mktemp -d) && trap 'restore; kill $watchdog 2>/dev/null; rm -rf "$tmp"; exit $status' EXIT
dest=$tmp/stage
prefix=/usr/local
root=$dest$prefix
src=$(pwd)
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok: $*"; }

if ! $MAKE install DESTDIR="$dest" > "$tmp/install.log" 2>&1; then
    fail "make install DESTDIR=$dest"; tail -20 "$tmp/install.log"; exit 1
fi
version=$(sed -n 's/^#define AG_VERSION_STRING "\(.*\)"/\1/p' include/autograd/ag_api.h)
major=${version%%.*}
for f in bin/agrepl lib/agrepl/agrepl-viz.so lib/libautograd.a lib/libautograd.so.$version lib/libautograd.so.$major \
         lib/libautograd.so lib/pkgconfig/autograd.pc include/autograd/autograd.h \
         include/autograd/ag_api.h share/man/man1/agrepl.1 share/man/man3/autograd.3 \
         share/agrepl/lessons/rosenbrock.ag share/agrepl/notebooks/rosenbrock_matyas.ipynb; do
    [ -e "$root/$f" ] || fail "make install did not install $prefix/$f"
done
[ "$(readlink "$root/lib/libautograd.so")" = "libautograd.so.$major" ] &&
[ "$(readlink "$root/lib/libautograd.so.$major")" = "libautograd.so.$version" ] &&
    ok "installed lib/libautograd.so -> .so.$major -> .so.$version, .a, headers, .pc, man pages, lessons, notebooks" ||
    fail "the shared library's symlinks are wrong"
soname=$(readelf -d "$root/lib/libautograd.so.$version" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libautograd.so.$major" ] && ok "soname $soname" || fail "soname is '$soname'"

export PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
[ "$(pkg-config --modversion autograd)" = "$version" ] && ok "pkg-config --modversion autograd: $version" ||
    fail "pkg-config does not find autograd $version"
[ -z "$(pkg-config --print-requires --print-requires-private autograd)" ] &&
    ok "autograd.pc requires no other package (OpenBLAS is loaded at run time when installed)" ||
    fail "autograd.pc requires $(pkg-config --print-requires --print-requires-private autograd)"

# Each library once in the static link line (-lm was listed twice).
static_libs=$(pkg-config --libs --static autograd)
dups=$(printf '%s\n' $static_libs | sort | uniq -d | tr '\n' ' ')
[ -z "$dups" ] && ok "pkg-config --libs --static autograd: $static_libs" ||
    fail "pkg-config --libs --static autograd names twice: $dups($static_libs)"

# Shared: only pkg-config's flags; the program must need libautograd.so.N.
if $CC -std=c11 -Wall -Werror -o "$tmp/mlp_shared" samples/train_mlp.c \
       $(pkg-config --cflags --libs autograd) 2> "$tmp/err"; then
    if ldd "$tmp/mlp_shared" | grep -q "libautograd.so.$major => $root/lib" 2>/dev/null ||
       LD_LIBRARY_PATH="$root/lib" ldd "$tmp/mlp_shared" | grep -q "libautograd.so.$major => $root/lib"; then
        ok "train_mlp.c built shared with \$(pkg-config --cflags --libs autograd)"
    else
        fail "the shared build does not load $root/lib/libautograd.so.$major"
    fi
    LD_LIBRARY_PATH="$root/lib" "$tmp/mlp_shared" > "$tmp/shared.out" 2>&1 &&
        ok "... and it runs: $(grep 'loss' "$tmp/shared.out" | tail -1)" ||
        { fail "the shared train_mlp failed"; tail -5 "$tmp/shared.out"; }
else
    fail "train_mlp.c does not build shared with pkg-config"; cat "$tmp/err"
fi

# Static: -static with pkg-config --static (libautograd.a and libm: OpenBLAS is
# never linked, so neither it nor a Fortran run-time library is needed).
if $CC -std=c11 -Wall -Werror -static -o "$tmp/mlp_static" samples/train_mlp.c \
       $(pkg-config --static --cflags --libs autograd) 2> "$tmp/err"; then
    if ! readelf -d "$tmp/mlp_static" 2>/dev/null | grep -q NEEDED; then
        ok "train_mlp.c built static with -static \$(pkg-config --static --cflags --libs autograd)"
    else
        fail "the static build is not statically linked"
    fi
    # a static program cannot load OpenBLAS: it prints what the shared one
    # prints with the built-in product
    AG_BLAS=builtin LD_LIBRARY_PATH="$root/lib" "$tmp/mlp_shared" > "$tmp/shared_builtin.out" 2>&1
    "$tmp/mlp_static" > "$tmp/static.out" 2>&1 && cmp -s "$tmp/static.out" "$tmp/shared_builtin.out" &&
        ok "... and it runs, printing the same as the shared one with AG_BLAS=builtin" ||
        { fail "the static train_mlp failed or differs"; diff "$tmp/shared_builtin.out" "$tmp/static.out" | head; }
else
    fail "train_mlp.c does not build static with pkg-config --static"; cat "$tmp/err"
fi

# C++: the header's extern "C" guards.
if command -v g++ > /dev/null 2>&1; then
    if g++ -std=c++11 -Wall -Wextra -pedantic -Werror -o "$tmp/cxx_user" tests/unit/cxx_user.cpp \
           $(pkg-config --cflags --libs autograd) 2> "$tmp/err" &&
       LD_LIBRARY_PATH="$root/lib" "$tmp/cxx_user" > "$tmp/cxx.out" 2>&1; then
        ok "C++ (g++ -std=c++11 -pedantic): $(cat "$tmp/cxx.out")"
    else
        fail "a C++ program including <autograd/autograd.h> does not build or run"; cat "$tmp/err" "$tmp/cxx.out" 2>/dev/null
    fi
else
    fail "g++ is missing (make deps installs it)"
fi

# The installed agrepl finds a lesson by name, away from the source tree:
# the staged copy (marked here), not the source tree's.  The lesson draws
# (contour, track, plot), so agrepl also loads its viz module from
# ../lib/agrepl/ beside it.
mkdir -p "$tmp/elsewhere"
echo 'print("(the installed copy)")' >> "$root/share/agrepl/lessons/rosenbrock.ag"
if (cd "$tmp/elsewhere" && AGREPL_HEADLESS=1 "$root/bin/agrepl" --lesson rosenbrock < /dev/null > "$tmp/lesson.out" 2>&1) &&
   grep -q "0.99" "$tmp/lesson.out" && grep -q "(the installed copy)" "$tmp/lesson.out"; then
    ok "installed agrepl --lesson rosenbrock ran $prefix/share/agrepl/lessons/rosenbrock.ag: $(grep -m1 '0.99' "$tmp/lesson.out")"
else
    fail "the installed agrepl does not run the lesson rosenbrock by name"; tail -5 "$tmp/lesson.out"
fi
(cd "$tmp/elsewhere" && echo ':lessons' | "$root/bin/agrepl" > "$tmp/lessons.out" 2>&1)
grep -q "^ *rosenbrock" "$tmp/lessons.out" && ok ":lessons lists $(grep -c '^  [a-z]' "$tmp/lessons.out") lessons" ||
    { fail ":lessons does not list rosenbrock"; cat "$tmp/lessons.out"; }

# The web page, when make web built it: installed in share/agrepl/web, where
# the installed agrepl --web-lesson finds it.
if [ -f build/web/agrepl.js ]; then
    if (cd "$tmp/elsewhere" && "$root/bin/agrepl" --web-lesson "$src/samples/newton.ag" page > "$tmp/web.out" 2>&1) &&
       grep -q "/bin/../share/agrepl/web)" "$tmp/web.out" && grep -q "Newton" "$tmp/elsewhere/page/index.html" &&
       [ -f "$tmp/elsewhere/page/agrepl.js" ] && [ -f "$tmp/elsewhere/page/lessons/rosenbrock.ag" ]; then
        ok "installed agrepl --web-lesson wrote a lesson page from $prefix/share/agrepl/web"
    else
        fail "the installed agrepl --web-lesson did not use $prefix/share/agrepl/web"; cat "$tmp/web.out"
    fi
fi

# The Jupyter kernelspec: make install's kernel.json starts the installed
# agrepl; jupyter_client finds it; the staged agrepl finds its kernel
# program in ../lib/agrepl and --install-kernel writes a kernelspec that
# starts it.
spec=$root/share/jupyter/kernels/agrepl/kernel.json
png_size() { /usr/bin/python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$1" 2>/dev/null; }
if [ -x "$root/lib/agrepl/agrepl-kernel" ] && [ -f "$spec" ] &&
   /usr/bin/python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(s["argv"] != [sys.argv[2], "--kernel", "{connection_file}"] or s["language"] != "agrepl")' \
       "$spec" "$prefix/bin/agrepl"; then
    ok "make install: $prefix/share/jupyter/kernels/agrepl/kernel.json runs $prefix/bin/agrepl --kernel"
else
    fail "make install did not install the kernelspec and lib/agrepl/agrepl-kernel"; cat "$spec" 2>/dev/null
fi
for n in 32 64; do
    got=$(png_size "$root/share/jupyter/kernels/agrepl/logo-${n}x$n.png")
    [ "$got" = "${n}x$n" ] && ok "kernelspec logo-${n}x$n.png is a ${n}x$n PNG" || fail "logo-${n}x$n.png: $got"
done
listed=$(JUPYTER_PATH="$root/share/jupyter" /usr/bin/python3 -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print(K().find_kernel_specs().get("agrepl", ""))' 2>&1)
[ "$listed" = "$root/share/jupyter/kernels/agrepl" ] && ok "jupyter_client finds the kernelspec agrepl" ||
    fail "jupyter_client does not find the kernelspec: $listed"
if "$root/bin/agrepl" --install-kernel --prefix "$tmp/jupyter" > "$tmp/kernelspec.out" 2>&1 &&
   /usr/bin/python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(s["argv"][0] != sys.argv[2])' \
       "$tmp/jupyter/share/jupyter/kernels/agrepl/kernel.json" "$root/bin/agrepl" &&
   [ "$(png_size "$tmp/jupyter/share/jupyter/kernels/agrepl/logo-64x64.png")" = 64x64 ]; then
    ok "the installed agrepl --install-kernel --prefix DIR writes a kernelspec that starts it, with its logos"
else
    fail "agrepl --install-kernel from the installed tree"; cat "$tmp/kernelspec.out"
fi
rm -rf "$tmp/jupyter"

# Man pages: no groff warning at all (-ww), as man(1) renders them.
for page in man1/agrepl.1 man3/autograd.3; do
    if groff -man -ww -Tutf8 "$root/share/man/$page" > "$tmp/page.txt" 2> "$tmp/groff.err" &&
       [ ! -s "$tmp/groff.err" ] && [ -s "$tmp/page.txt" ]; then
        ok "groff -man -ww $page: $(wc -l < "$tmp/page.txt") lines, no warning"
    else
        fail "groff warns on $page:"; cat "$tmp/groff.err"
    fi
done

# A page per function: man finds ag_backward (and every page it installed)
# in the installed tree, as `man ag_backward` does after make install.
if command -v man > /dev/null 2>&1; then
    found=$(man -M "$root/share/man" -w ag_backward ag_optim_new agrepl 2>&1)
    case $found in
    *man3/autograd_core.3*man3/autograd_optim.3*man1/agrepl.1*) ok "man -w ag_backward ag_optim_new agrepl: the installed pages" ;;
    *) fail "man did not find the installed pages:"; echo "$found" ;;
    esac
fi

# Uninstall: no file or link may be left.
$MAKE uninstall DESTDIR="$dest" > "$tmp/uninstall.log" 2>&1 || fail "make uninstall"
left=$(find "$dest" ! -type d)
[ -z "$left" ] && ok "make uninstall left no file behind" || { fail "make uninstall left:"; echo "$left"; }

# A plain PREFIX (make install PREFIX=$HOME/.local): the lesson directory
# compiled into agrepl and the .pc's prefix follow it.
home=$tmp/home/.local
rebuilt=1
if $MAKE install PREFIX="$home" > "$tmp/install2.log" 2>&1 &&
   [ "$(PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_PATH="$home/lib/pkgconfig" pkg-config --variable=prefix autograd)" = "$home" ] &&
   (cd "$tmp/elsewhere" && AGREPL_HEADLESS=1 "$home/bin/agrepl" --lesson matyas < /dev/null > "$tmp/lesson2.out" 2>&1) &&
   grep -q "$home/share/agrepl/lessons" "$home/bin/agrepl"; then
    ok "make install PREFIX=$home: autograd.pc and agrepl's lesson directory follow PREFIX"
else
    fail "make install PREFIX=$home"; tail -5 "$tmp/install2.log" "$tmp/lesson2.out" 2>/dev/null
fi
$MAKE uninstall PREFIX="$home" > /dev/null 2>&1
left=$(find "$tmp/home" ! -type d)
[ -z "$left" ] && ok "make uninstall PREFIX=$home left no file behind" || { fail "left:"; echo "$left"; }
cd "$src"
restore
rebuilt=
exit $status
