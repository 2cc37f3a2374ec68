#!/bin/sh
# The reference is whole: every function the shared library exports is in
# autograd(3) or a reference page man/gen_ref.py made from the headers, and
# the pages format without warnings.
# Usage: tests/suites/man_test.sh build/libautograd.so.X.Y.Z build/man
set -u
shared=$1 refdir=$2
status=0
cd "$(dirname "$0")/../.." || exit 1
exported=$(nm -D --defined-only "$shared" | awk '$2 == "T" { print $3 }')
count=$(printf '%s\n' "$exported" | grep -c .)
missing=""
for f in $exported; do
    grep -q "\\b$f(" man/autograd.3 "$refdir"/autograd_*.3 || missing="$missing $f"
done
if [ "$count" -lt 100 ]; then
    echo "FAIL: only $count exported functions (listing broken?)"; status=1
elif [ -n "$missing" ]; then
    echo "FAIL: exported but in no man page:$missing"; status=1
else
    echo "ok: all $count exported functions are in autograd(3) and $refdir/autograd_*.3"
fi
# A page per name, as SQLite and libc have: `man -M build/man NAME` (the
# README's path from a checkout) resolves every exported function, and agrepl.
unresolved=""
if command -v man > /dev/null 2>&1; then
    for f in $exported; do
        MANPATH= man -M "$refdir" -w "$f" > /dev/null 2>&1 || unresolved="$unresolved $f"
    done
    MANPATH= man -M "$refdir" -w agrepl > /dev/null 2>&1 || unresolved="$unresolved agrepl(1)"
    if [ -n "$unresolved" ]; then
        echo "FAIL: man -M $refdir finds no page for:$unresolved"; status=1
    else
        echo "ok: man -M $refdir resolves all $count exported functions and agrepl(1)"
    fi
else
    echo "FAIL: man(1) is missing (make deps installs man-db)"; status=1
fi
for page in man/autograd.3 "$refdir"/autograd_*.3; do
    # groff itself (groff-base, in make deps), as man --warnings runs it
    err=$(LC_ALL=C.UTF-8 groff -k -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$err" ] || { echo "FAIL: $page: $err" | head -5; status=1; }
done
# A page per name for the types, enum constants and macros too, as for the
# functions: what a C user reads in a synopsis (ag_backward_options,
# AG_BACKWARD_OPTIONS_INIT, AG_OPTIM_INIT(AG_ADAM), AG_ERR_SHAPE) opens the
# page that describes it.
unresolved=""
for name in ag_ctx ag_var ag_backward_options AG_BACKWARD_OPTIONS_INIT ag_step_fn ag_allocator \
            ag_err AG_ERR_SHAPE AG_VAR_CONST AG_MAX_DIMS ag_optim_config AG_OPTIM_INIT ag_optim_kind \
            AG_ADAM AG_ACT_TANH ag_userop_def ag_csv_options ag_fn AG_NUMBUF AG_OP_SIN AG_VERSION_NUMBER; do
    MANPATH= man -M "$refdir" -w "$name" > /dev/null 2>&1 || unresolved="$unresolved $name"
done
if [ -n "$unresolved" ]; then
    echo "FAIL: man -M $refdir finds no page for the types, constants or macros:$unresolved"; status=1
else
    echo "ok: man -M $refdir resolves types, enum constants and macros (ag_backward_options, AG_OPTIM_INIT, ...)"
fi
# A macro of several lines (AG_OPTIM_INIT, AG_OPTIM_KIND_LIST, AG_OP_LIST)
# shows whole in its reference page: the line after its #define is its
# second line, and the comment that follows it in the header is prose, not
# raw code (a macro's continuation lines were once read as the start of the
# next declaration, which took in the next function's comment).
rendered=$(for page in "$refdir"/autograd_*.3; do LC_ALL=C.UTF-8 groff -k -man -Tutf8 -P-cbou "$page" 2>/dev/null; done)
# name~its second line~the comment after it, each cut before - ' " ` (which groff may render otherwise)
macros=$(awk 'function plain(s) { gsub(/^[ \t]+/, "", s); sub(/[-'"'"'"`].*/, "", s); return substr(s, 1, 24) }
              /^#define AG_[A-Za-z0-9_]*.*\\$/ { name = $2; sub(/\(.*/, "", name); getline second; next_comment = 1 }
              next_comment && /^\/\* / { print name "~" plain(second) "~" plain(substr($0, 4)); next_comment = 0 }' include/autograd/*.h)
cut=$(printf '%s\n' "$macros" | while IFS="~" read -r name second comment; do
    if ! printf '%s\n' "$rendered" | grep -A1 "#define $name\b" | sed -n 2p | grep -qF "$second" ||
       printf '%s\n' "$rendered" | grep -qF "/* $comment"; then
        printf ' %s' "$name"
    fi
done)
if [ "$(printf '%s\n' "$macros" | grep -c .)" -lt 3 ]; then
    echo "FAIL: found only $(printf '%s\n' "$macros" | cut -d"~" -f1 | tr '\n' ' ')as macros of several lines (reading broken?)"; status=1
elif [ -n "$cut" ]; then
    echo "FAIL: the reference pages cut these macros of several lines apart:$cut"; status=1
else
    echo "ok: the reference pages show the $(printf '%s\n' "$macros" | grep -c .) macros of several lines whole"
fi
# the README's way to read agrepl(1) from a checkout works: the command it
# gives, run by man-db's man (in make deps) from the checkout's top
command=$(grep -o '`man ./man/agrepl.1`' README.md | head -1 | tr -d '`')
if [ -z "$command" ]; then
    echo "FAIL: README.md gives no \`man ./man/agrepl.1\` for a checkout"; status=1
elif ! out=$(MANPAGER=cat PAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8 $command 2>&1) ||
     ! printf '%s\n' "$out" | grep -q '^NAME' || ! printf '%s\n' "$out" | grep -q 'agrepl - an interactive REPL'; then
    echo "FAIL: $command: $(printf '%s\n' "$out" | head -3)"; status=1
else
    echo "ok: $command shows agrepl(1) from the checkout"
fi
# agrepl(1)'s list of optimizers ("optimizers (sgd, ..., with hooks ...)")
# names every kind of AG_OPTIM_KIND_LIST (include/autograd/ag_optim.h) and
# no other: adding a kind is its list entry, its row in src/optim.c and this
# list (the REPL's built-in is made from the engine's row).
kinds=$(sed -n 's/^ *X(\([A-Z0-9_]*\), \([a-z0-9_]*\)).*/\2/p' include/autograd/ag_optim.h | sort)
listed=$(sed -n '/^optimizers$/,/^with hooks$/p' man/agrepl.1 | sed -n 's/^\.[BR]*R* *(* *\([a-z0-9_]*\) ,*$/\1/p' | sort)
if [ "$(printf '%s\n' "$kinds" | grep -c .)" -lt 6 ]; then
    echo "FAIL: found only $(echo $kinds) in AG_OPTIM_KIND_LIST (reading broken?)"; status=1
elif [ "$kinds" != "$listed" ]; then
    echo "FAIL: man/agrepl.1 lists the optimizers $(echo $listed), but the engine's kinds are $(echo $kinds)"; status=1
else
    echo "ok: man/agrepl.1 lists the engine's $(printf '%s\n' "$kinds" | grep -c .) optimizer kinds"
fi
exit $status
