#!/bin/sh
# make lib-asan as a C user would use it: the stale-handle reproducer
# (tests/unit/stale_pointer.c) built with -fsanitize=address,undefined (the
# library is instrumented with both, so it needs both runtimes) and run with
# AG_DEBUG_NO_REUSE=1.  Linked with build/lib-asan/libautograd.a, ASan
# reports the stale read inside the library (ag_item); linked with the plain
# library it cannot (the library is not instrumented), which is why
# lib-asan exists.
# Usage: MAKE=make LIBS="-lm ..." tests/suites/lib_asan_test.sh PLAIN_LIBAUTOGRAD_A
set -u
plain=$1
MAKE=${MAKE:-make}
CC=${CC:-cc}
LIBS=${LIBS:--lm}
status=0 passed=0 failed=0
sh "$(dirname "$0")/watchdog.sh" $$ 900 lib-asan & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; status=1; failed=$((failed + 1)); }
ok() { echo "ok: $*"; passed=$((passed + 1)); }

if ! $MAKE lib-asan > "$tmp/make.log" 2>&1; then
    fail "make lib-asan"; tail -20 "$tmp/make.log"; exit 1
fi
asan_lib=build/lib-asan/libautograd.a
[ -f "$asan_lib" ] && nm "$asan_lib" | grep -q __asan_report ||
    fail "make lib-asan did not make an instrumented $asan_lib"

run() { # run NAME LIBRARY: builds and runs the reproducer, output in $tmp/NAME.err
    if ! $CC -std=c11 -g -fsanitize=address,undefined -Iinclude -o "$tmp/$1" tests/unit/stale_pointer.c "$2" $LIBS \
            2> "$tmp/$1.cc"; then
        fail "the reproducer does not build with $2"; cat "$tmp/$1.cc"; return 1
    fi
    AG_DEBUG_NO_REUSE=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "$tmp/$1" > "$tmp/$1.out" 2> "$tmp/$1.err"
}

if ! run instrumented "$asan_lib"; then
    [ -f "$tmp/instrumented.err" ] || exit 1 # it did not build (said above)
    rc=1
else
    rc=0
fi
if [ $rc -ne 0 ] && grep -q "heap-use-after-free" "$tmp/instrumented.err" &&
   grep -A3 "heap-use-after-free" "$tmp/instrumented.err" | grep -q " in ag_item "; then
    ok "with build/lib-asan: ASan reports the stale handle read in ag_item (heap-use-after-free)"
else
    fail "with build/lib-asan: status $rc, no heap-use-after-free in ag_item"; head -8 "$tmp/instrumented.err"
fi

# a stale buffer (the data of a collected variable, the buffer cache):
# bypassed with AG_DEBUG_NO_REUSE=1, so the read is of freed memory; cached
# and poisoned without it (build/lib-asan only)
stale_buffer() { # stale_buffer NAME NO_REUSE
    $CC -std=c11 -g -fsanitize=address,undefined -Iinclude -o "$tmp/$1" tests/unit/stale_buffer.c "$asan_lib" $LIBS \
        2> "$tmp/$1.cc" || { fail "tests/unit/stale_buffer.c does not build"; cat "$tmp/$1.cc"; return 1; }
    AG_DEBUG_NO_REUSE=$2 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "$tmp/$1" > "$tmp/$1.out" 2> "$tmp/$1.err"
}
if ! stale_buffer buffer_no_reuse 1 && grep -q "heap-use-after-free" "$tmp/buffer_no_reuse.err" &&
   grep -A3 "heap-use-after-free" "$tmp/buffer_no_reuse.err" | grep -q " in main "; then
    ok "AG_DEBUG_NO_REUSE=1: a stale buffer read after ag_gc is a heap-use-after-free (the cache is bypassed)"
else
    fail "AG_DEBUG_NO_REUSE=1: no heap-use-after-free for the stale buffer read"; head -8 "$tmp/buffer_no_reuse.err"
fi
if ! stale_buffer buffer_cached 0 && grep -q "use-after-poison" "$tmp/buffer_cached.err"; then
    ok "build/lib-asan: a stale read of a cached buffer is a use-after-poison"
else
    fail "build/lib-asan: no use-after-poison for the stale read of a cached buffer"; head -8 "$tmp/buffer_cached.err"
fi

run plain "$plain"
rc=$?
[ -f "$tmp/plain.err" ] || exit 1
if [ $rc -eq 0 ] && ! grep -q "AddressSanitizer" "$tmp/plain.err"; then
    ok "with the plain library the same read goes unseen (printed $(cat "$tmp/plain.out")): the library must be instrumented"
else
    fail "with the plain library: status $rc"; head -8 "$tmp/plain.err"
fi
# the buffer cache under clang's AddressSanitizer: clang announces it with
# __has_feature, not gcc's __SANITIZE_ADDRESS__, and a library that missed
# it mapped its big buffers, poisoned them in the cache and unmapped them
# poisoned, so the next mapping at that address started poisoned
# (test_released_big_buffer_is_not_left_poisoned: use-after-poison in
# ag_rand).  test_memory, built with clang on make lib-asan-clang (its
# internal archive: the test calls ctx_malloc and reads the kept blocks).
if ! command -v clang >/dev/null 2>&1; then
    fail "clang is not installed (make deps installs it): test_memory under clang's ASan not run"
elif ! $MAKE lib-asan-clang > "$tmp/make_clang.log" 2>&1; then
    fail "make lib-asan-clang"; tail -20 "$tmp/make_clang.log"
elif ! clang -std=gnu11 -g -O1 -fsanitize=address,undefined -Isrc -Iinclude -Iinclude/autograd -o "$tmp/test_memory_clang" \
        tests/unit/test_memory.c tests/unit/testutil.c build/lib-asan-clang/libautograd-internal.a $LIBS ${CMOCKA_LIBS:--lcmocka} \
        2> "$tmp/test_memory_clang.cc"; then
    fail "test_memory does not build with clang on build/lib-asan-clang"; cat "$tmp/test_memory_clang.cc"
elif ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$tmp/test_memory_clang" > "$tmp/test_memory_clang.out" 2>&1; then
    ok "test_memory under clang's AddressSanitizer ($(grep -c '\[       OK \]' "$tmp/test_memory_clang.out") tests)"
else
    fail "test_memory under clang's AddressSanitizer"; grep -m 12 "FAILED\|ERROR\|use-after\|SUMMARY\|    #[0-4] " "$tmp/test_memory_clang.out"
fi
echo "$passed passed, $failed failed"
exit $status
