#!/bin/sh
# pace(N) with a plot window on a virtual X server: a race
# of two optimizers, each step tracking both paths over Rosenbrock's contour
# and plotting both losses, runs at N steps a second within 10 % whenever
# drawing a frame takes less than 1/N s.  Drawing is part of a frame's time,
# so the loop's time is (steps - 1) / N.
#
# The loop's time comes from `:time on`; what each redraw cost comes from the
# window's own log (AGREPL_PLOT_TRACE), in the same run: when drawing takes
# more than 80 % of a frame at pace 30 (a loaded machine), the race is run
# again at pace 10, and the check is skipped only when even that is too
# fast for the machine.  The window must also show the frames: at least
# half of the steps are drawn.
#
# Prints "pace window tests: N passed, M failed".  The run under Xvfb, the
# counters and the tmux helpers are the window suites' (window_common.sh),
# which skips (status 0) when a tool is missing.
. "$(dirname "$0")/window_common.sh"

log="$tmp/plot.log"
tmux -L "$socket" -f /dev/null new-session -d -s race -x 200 -y 50 \
    "cd '$tmp' && env -u AGREPL_HEADLESS HOME='$tmp' AGREPL_PLOT_TRACE='$log' DISPLAY='$DISPLAY' XAUTHORITY='${XAUTHORITY:-}' '$AGREPL' 2>>'$tmp/race.err'"
if ! wait_for race 'ag> ' 10; then
    not_ok "pace: agrepl did not start: $(cat "$tmp/race.err")"
    echo "pace window tests: $pass passed, $fail failed"
    exit 1
fi
send race 'def rosenbrock(a, b) = 100*(b - a^2)^2 + (a - 1)^2'
send race ':time on'

# step_loop N: N steps of the optimizer race (as samples/optimizer_race.ag),
# then a line "round $round done"
round=0
step_loop() {
    body=""
    for o in sgd momentum adam adamw; do
        body="$body track(${o}_x0, ${o}_x1, name=\"$o\"); plot(rosenbrock(${o}_x0, ${o}_x1), \"$o\", log=true);"
    done
    for o in sgd momentum adam adamw; do
        body="$body ${o}_opt.reset_grad(); rosenbrock(${o}_x0, ${o}_x1).backward(); ${o}_opt.step();"
    done
    printf 'for i in range(%s) {%s }; print("round", "%s", "done")' "$1" "$body" "$round"
}

# race FPS STEPS: a fresh race, 800 steps unpaced (long paths and series,
# whose frames take a while to draw, as late in a lesson's race), then STEPS
# steps at pace FPS; sets seconds (the paced loop's time), drawn (redraws
# during it) and cost (their median in ms)
race() {
    send race 'clearplot(); contour(rosenbrock, [-0.5, 1.5], [-0.5, 2.5]); mark(1, 1, "minimum (1, 1)")'
    for o in sgd momentum adam adamw; do send race "${o}_x0 = 0.0; ${o}_x1 = 2.0"; done
    send race 'sgd_opt = sgd([sgd_x0, sgd_x1], lr=0.001); momentum_opt = momentum([momentum_x0, momentum_x1], lr=0.001, momentum=0.9)'
    send race 'adam_opt = adam([adam_x0, adam_x1], lr=0.1); adamw_opt = adamw([adamw_x0, adamw_x1], lr=0.1, weight_decay=0.01)'
    send race 'pace(0)'
    round=$((round + 1))
    send race "$(step_loop 800)"
    seconds="" drawn=0 cost=""
    wait_for race "^round $round done" 120 || return
    send race "pace($1)"
    before=$(cat "$log" 2>/dev/null | wc -l)
    round=$((round + 1))
    send race "$(step_loop "$2")"
    wait_for race "^round $round done" $(($2 / $1 * 3 + 20)) || return
    seconds=$(screen_text race | grep -B1 "^round $round done" | head -1 | sed -n 's/^time: \([0-9.]*\) ms$/\1/p' |
        awk '{ print $1 / 1000 }')
    tail -n +"$((before + 1))" "$log" | awk '$1 == "draw" { print $3 }' | sort -n >"$tmp/costs"
    drawn=$(wc -l <"$tmp/costs")
    cost=$(awk '{ c[NR] = $1 } END { print NR ? c[int((NR + 1) / 2)] : 0 }' "$tmp/costs")
}

fps=30 steps=150
race $fps $steps
if [ -n "$seconds" ] && awk -v c="$cost" -v f="$fps" 'BEGIN { exit !(c > 0.8 * 1000 / f) }'; then
    echo "pace: drawing a frame took $cost ms at pace $fps; again at pace 10"
    fps=10 steps=50
    race $fps $steps
fi
if [ -z "$seconds" ]; then
    not_ok "pace: the race at pace $fps did not end"
    screen_text race | grep -v '^$' | tail -5 | sed 's/^/     screen: /'
elif awk -v c="$cost" -v f="$fps" 'BEGIN { exit !(c > 0.8 * 1000 / f) }'; then
    echo "pace: skipped: drawing a frame takes $cost ms here, more than a frame at pace $fps"
else
    scheduled=$(awk -v s="$steps" -v f="$fps" 'BEGIN { print (s - 1) / f }')
    ratio=$(awk -v m="$seconds" -v s="$scheduled" 'BEGIN { printf "%.3f", m / s }')
    detail="$steps steps at pace $fps took $seconds s for $scheduled s scheduled (ratio $ratio; $drawn frames drawn, median $cost ms)"
    if awk -v r="$ratio" 'BEGIN { exit !(r >= 0.9 && r <= 1.1) }'; then
        ok "pace: $detail"
    else
        not_ok "pace: $detail"
    fi
    if [ "$drawn" -ge $((steps / 2)) ]; then
        ok "pace: the window showed $drawn of the $steps frames"
    else
        not_ok "pace: the window showed only $drawn of the $steps frames"
    fi
fi
send race ':quit'
[ "$fail" -eq 0 ] || { echo "     the window's log:"; tail -5 "$log" | sed 's/^/     /'; }
echo "pace window tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
