#!/bin/sh
# Symbol hygiene: libautograd.a and libautograd.so export only ag_* names,
# and a program with its own shape_size / t_free / op_apply (internal names
# of the engine) links against the archive.  repl/'s objects (librepl.a,
# main.o, the kernel's) define global names only under a topic prefix
# (REPL_PREFIXES): a generic one (truthy, arithmetic) could meet the same
# name in another file or library.
# Usage: tests/suites/symbols_test.sh build/libautograd.a build/libautograd.so.X.Y.Z \
#        [build/librepl.a build/repl/main.o build/repl/kernel*.o]
set -u
archive=$1 shared=$2
shift 2
status=0
# The prefixes repl/'s global names may start with: repl_, or a topic: a
# file's (ast_, eval_, lexer_, ...) or a family of them (builtin_, arg_,
# value_).  main is the programs'.
REPL_PREFIXES='repl ast value builtin builtins arg eval exec lexer token parse names restore session source
split suggest text_table user_function viz web kernel lesson heap print command engine_error'
if [ $# -gt 0 ]; then
    listing=$(nm -g --defined-only "$@" | awk 'NF == 3 { print $3 }')
    count=$(printf '%s\n' "$listing" | grep -c .)
    bad=$(printf '%s\n' "$listing" | awk -v prefixes="$REPL_PREFIXES" '
        BEGIN { n = split(prefixes, p, /[ \n]+/) }
        $1 == "main" { next }
        { for (i = 1; i <= n; i++) if ($1 == p[i] || index($1, p[i] "_") == 1) next; print "    " $1 }')
    if [ "$count" -lt 200 ]; then
        echo "FAIL: repl/'s objects define only $count global names (listing broken?)"; status=1
    elif [ -n "$bad" ]; then
        echo "FAIL: repl/'s objects define global names without a topic prefix (make them static, or"
        echo "      prefix them: repl_, or one of REPL_PREFIXES in $0):"; printf '%s\n' "$bad"; status=1
    else
        echo "ok: repl/'s objects define $count global names, all with a topic prefix"
    fi
fi
check() { # $1 = library, $2 = listing of "TYPE NAME" lines
    bad=$(printf '%s\n' "$2" | awk 'NF == 2 && $2 !~ /^ag_/ { print "    " $1 " " $2 }')
    count=$(printf '%s\n' "$2" | awk 'NF == 2' | wc -l)
    if [ "$count" -lt 100 ]; then
        echo "FAIL: $1 exports only $count symbols (listing broken?)"; status=1
    elif [ -n "$bad" ]; then
        echo "FAIL: $1 exports names without the ag_ prefix:"; printf '%s\n' "$bad"; status=1
    else
        echo "ok: $1 exports $count symbols, all ag_*"
    fi
}
check "$archive" "$(nm -g --defined-only "$archive" | awk 'NF == 3 { print $2, $3 }')"
check "$shared" "$(nm -D --defined-only "$shared" | awk 'NF == 3 { print $2, $3 }')"

sh "$(dirname "$0")/watchdog.sh" $$ 600 symbols & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/clash.c" <<'C'
#include <autograd/autograd.h>
#include <stdio.h>
/* The same names as engine internals: must not clash with libautograd.a. */
int shape_size(int n) { return n; }
void t_free(void *p) { (void)p; }
int op_apply(void) { return 7; }
int main(void) {
    ag_ctx *c = ag_ctx_new();
    double y = ag_item(ag_mul(c, ag_scalar(c, 2), ag_scalar(c, 3)));
    printf("%g %d %s\n", y, shape_size(1) + op_apply(), ag_version());
    ag_ctx_free(c);
    return y == 6 ? 0 : 1;
}
C
BLAS=$(pkg-config --libs openblas)
if ${CC:-cc} -std=c11 -Iinclude -o "$tmp/clash" "$tmp/clash.c" "$archive" $BLAS -lm 2> "$tmp/err" &&
   "$tmp/clash" > "$tmp/out"; then
    echo "ok: a program defining shape_size, t_free, op_apply links libautograd.a ($(cat "$tmp/out"))"
else
    echo "FAIL: a program defining engine-internal names does not link:"; sed 's/^/    /' "$tmp/err"
    status=1
fi
exit $status
