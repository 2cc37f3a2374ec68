#!/bin/sh
# Interactive behaviour through a real terminal (tmux): Tab completion of
# names, methods and commands, the continuation prompt, Ctrl-C in a long
# loop (for and while), progress()'s bar rewritten in place, history kept
# across sessions in ~/.agrepl_history (its last 1000 lines), Ctrl-D to
# leave, Ctrl-D at ..> dropping the unfinished statement, a long error line
# cut to a row and :help wrapped at blanks to the terminal's width.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
if ! command -v tmux >/dev/null 2>&1; then
    echo "interactive: skipped (no tmux)"
    exit 0
fi
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
sock="agrepl-test-$$"
sh "$(dirname "$0")/watchdog.sh" $$ 600 interactive & watchdog=$! # a hang fails naming what it ran
trap 'kill $watchdog 2>/dev/null; tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0

start() {
    tmux -L "$sock" new-session -d -x 120 -y 50 -e HOME="$tmp" -e AGREPL_HEADLESS=1 \
        -e ASAN_OPTIONS="${ASAN_OPTIONS:-}" -e LSAN_OPTIONS="${LSAN_OPTIONS:-}" "$AGREPL"
    wait_for 'ag>' || echo "agrepl did not start"
}
screen() { tmux -L "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -L "$sock" send-keys "$@"; }
# Waits up to 10 s for a fixed string on the screen.
wait_for() { # text [grep's -E: an extended regular expression instead of fixed text]
    i=0
    while [ $i -lt 100 ]; do
        screen | grep -q "${2:--F}" -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
check() { # name, expected text [-E: a regular expression]
    if wait_for "$2" "${3:-}"; then
        pass=$((pass + 1))
    else
        echo "FAIL interactive $1: '$2' not on screen:"
        screen | grep -v '^$' | tail -15
        fail=$((fail + 1))
    fi
}

start
keys 'xval = 1.5' Enter
keys 'y = sin(xv' Tab
check "name completion" 'y = sin(xval'
keys ')' Enter 'y' Enter
check "completed statement runs" 'y(0.9974949866040544)'
keys 'y.crea' Tab
check "method completion" 'y.creator'
keys Enter
check "attribute" '"Sin"'
keys ':he' Tab
check "command completion" ':help'
keys C-u
keys 'z = (1 +' Enter
check "continuation prompt" '..>'
keys '2)' Enter 'z' Enter
check "continued statement" 'z(3)'
keys 'for i in range(1000000000) { q = i }' Enter
sleep 1
keys C-c
check "Ctrl-C stops the loop" 'error: interrupted'
keys 'print(q > 0, xval)' Enter
check "names survive Ctrl-C" 'true xval(1.5)'
keys C-l 'w = 0; while true { w = w + 1 }' Enter
sleep 1
keys C-c
check "Ctrl-C stops a while loop" 'error: interrupted'
keys 'print(w > 0)' Enter
check "while ran until Ctrl-C" 'true'
# progress(...): one line rewritten in place (count, bar, rate, time left, the loss named)
keys C-l 'for e in progress(range(40), loss="xval") { s = sum(randn(100000)) }' Enter
check "progress bar ends full" '40/40 [####################] 100%'
check "progress bar shows rate and time" 'it/s  0:00 left  xval 1.5'
bars=$(screen | grep -c '/40 \[')
if [ "$bars" -eq 1 ]; then
    pass=$((pass + 1))
else
    echo "FAIL interactive progress bar: $bars lines hold a bar, not 1 (it is not rewritten in place)"
    screen | grep -v '^$' | tail -8
    fail=$((fail + 1))
fi
keys C-l 'for e in progress(range(1000000)) { q = sum(randn(1000)) }' Enter
sleep 1
keys C-c
# the flag is seen between statements or inside randn, whichever runs then:
# either way the error starts its own line, not the bar's.  The terminal's
# echo of the key (^C) races the program: the kernel sends SIGINT before it
# echoes, so the echo lands at the bar's end or, once the program has ended
# the bar's line, at the start of the error's
check "Ctrl-C ends the bar's line" '^(\^C)?error: (randn: )?interrupted$' -E
keys 'print(e > 0)' Enter
check "a loop with a bar keeps its names" "true"
keys 'unfinished(' C-c
sleep 0.3
keys 'print(7 * 6)' Enter
check "Ctrl-C at the prompt drops the line" '42'
# stepping through backward: one function per Enter, q finishes the rest
keys 'sx = 1.0; sy = sin(sx) * sx; sy.backward(step=true)' Enter
check "step shows the first function" 'step 1: Mul'
sleep 0.5
if screen | grep -qF 'step 2: Sin'; then
    echo "FAIL interactive step: step 2 ran before Enter"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
keys Enter
check "Enter runs the next function" 'step 2: Sin'
keys Enter
check "the pass ends" 'done: 2 steps'
keys 'sz = exp(sx) + sx^2 + sin(sx); sz.backward(step=true)' Enter
check "a second pass waits" 'step 1: Add'
keys 'q' Enter
check "q finishes the rest at once" 'done: 5 steps'
keys 'print(sx.grad)' Enter
check "the gradients are all there" 'variable(6.640357425003222)'
keys C-d
i=0
while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if tmux -L "$sock" has-session 2>/dev/null; then
    echo "FAIL interactive Ctrl-D: the session is still running"
    fail=$((fail + 1))
    tmux -L "$sock" kill-server
else
    pass=$((pass + 1))
fi
if grep -qxF 'print(q > 0, xval)' "$tmp/.agrepl_history" 2>/dev/null; then
    pass=$((pass + 1))
else
    echo "FAIL interactive history: ~/.agrepl_history lacks the statements"
    fail=$((fail + 1))
fi

start # history comes back in a new session
keys Up
check "history across sessions" 'print(sx.grad)'
keys Up
check "older history entry" 'sz = exp(sx) + sx^2 + sin(sx); sz.backward(step=true)'
keys C-u C-d

# completion knows what is being typed: file names after :load/:save and in
# strings, help subjects after :help, the keywords of the call
mkdir -p "$tmp/lessons"
echo 'lesson_value = 42' >"$tmp/lessons/first_lesson.ag"
i=0
while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
start
keys ":load $tmp/lessons/first_l" Tab
check "file name after :load" ":load $tmp/lessons/first_lesson.ag"
keys Enter 'print(lesson_value)' Enter
check "the completed file loads" '42'
keys ":save $tmp/less" Tab
check "directory after :save" ":save $tmp/lessons/"
keys C-u
keys 'fx = 2.0; fy = fx * fx' Enter
keys "dot(fy, \"$tmp/lessons/fir" Tab
check "file name inside a string" "dot(fy, \"$tmp/lessons/first_lesson.ag"
keys C-u
keys ':help optim' Tab
check "help topic after :help" ':help optimizers'
keys C-u
keys ':help nogr' Tab
check "a word of the language after :help" ':help nograd'
keys C-u
keys 'pm = mlp([3, 1]); pm(rand(2, 2)); 0' Enter
keys 'pm.lin' Tab
check "a model's parameter path" 'pm.linear'
keys '[0].w.shape' Enter
check "the completed path reads" '[2 3]'
keys 'fy.backward(cre' Tab
check "keyword and name share a prefix (create_graph=, creator)" 'fy.backward(creat'
keys 'e_' Tab
check "keyword of the call" 'fy.backward(create_graph='
keys 'true)' Enter 'fx.grad' Enter
check "the completed call runs" 'variable(4)'
# a long statement's error: its line cut to one row of the terminal (120
# columns), the caret on the next row under the @, no blank row between
keys C-l 'nn = 0' Enter
keys 'for epoch in range(100000000) { nn = nn + 1; a_long_name_number_one = nn * 2; a_long_name_number_two = nn * 3; a_long_name_number_three = nn * 4; zz = zeros([2, 3]) @ ones([4, 2]) }' Enter
check "the long statement's error" 'error: matmul: shapes [2 3] and [4 2]'
if screen | awk '/^error: matmul/ { getline excerpt; getline caret; found = 1 }
    END { at = index(excerpt, "@"); exit !(found && excerpt ~ /^  \.\.\./ && at > 0 && caret == sprintf("%*s^", at - 1, "")) }'; then
    pass=$((pass + 1))
else
    echo "FAIL interactive error line: not cut to a row with the caret under the @ on the next:"
    screen | grep -v '^$' | tail -6
    fail=$((fail + 1))
fi
# :help wraps at blanks to the terminal: the rows hold the words of the text
# printed to a pipe, none broken in two
# (taller than the 50 rows: read with the pane's history)
screen_all() { tmux -L "$sock" capture-pane -p -S - 2>/dev/null; }
keys C-l ':help plots' Enter
i=0
until screen_all | sed -n '/^ag> :help plots/,$p' | sed 1d | grep -q '^ag>' || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if screen_all | grep -qF 'Built-ins: plots'; then
    pass=$((pass + 1))
else
    echo "FAIL interactive :help plots: 'Built-ins: plots' not on the screen or in its history:"
    screen | grep -v '^$' | tail -15
    fail=$((fail + 1))
fi
shown=$(screen_all | sed -n '/^ag> :help plots/,/^ag>/p' | sed '1d;$d' | tr -s ' \n' '  ')
piped=$(AGREPL_HEADLESS=1 "$AGREPL" -e ':help plots' | tr -s ' \n' '  ')
if [ "$shown" = "$piped" ]; then
    pass=$((pass + 1))
else
    echo "FAIL interactive :help wrap: the rows on the screen do not hold the help's words whole:"
    screen | grep -v '^$' | head -12
    fail=$((fail + 1))
fi
keys C-d

# Ctrl-D at ..> drops the unfinished statement and says so; the session goes
# on.  The history file is cut to its last 1000 lines.
i=0
while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
awk 'BEGIN { for (i = 1; i <= 1500; i++) print "old_entry_" i }' >"$tmp/.agrepl_history"
start
keys 'dropped = (1 +' Enter
check "continuation before Ctrl-D" '..>'
keys C-d
check "Ctrl-D at ..> says the statement was dropped" '(the unfinished statement was dropped, not run; Ctrl-D at ag> leaves)'
keys 'print(dropped)' Enter
check "the dropped statement bound nothing" "unknown name 'dropped'"
keys 'print(6 * 7 + 100)' Enter
check "the session goes on after Ctrl-D at ..>" '142'
keys C-d
i=0
while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
lines=$(wc -l <"$tmp/.agrepl_history")
first=$(head -1 "$tmp/.agrepl_history")
last=$(tail -1 "$tmp/.agrepl_history")
if [ "$lines" -eq 1000 ] && [ "$first" = old_entry_503 ] && [ "$last" = 'print(6 * 7 + 100)' ]; then
    pass=$((pass + 1))
else
    echo "FAIL interactive history trim: $lines lines, first '$first', last '$last' (want 1000, old_entry_503, print(6 * 7 + 100))"
    fail=$((fail + 1))
fi

echo "interactive: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
