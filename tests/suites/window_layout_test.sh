#!/bin/sh
# window_layout_test.sh — the window's state and a layout that holds still: groups opened and folded
# (shared set-up: tests/suites/window_common.sh; `make window-tests` runs every
# window suite)
#
#   7, 8. the window's state and a layout that holds still; a
#      group clicked open keeps the other boxes in place (moved only to make
#      room), folded back every node is where it was, and a group folded
#      while a later one is open moves nothing else
#
# Prints "windows: N passed, M failed"; status 0 when none failed.
# Skips (status 0, with a message) when xvfb-run or another tool is missing.
. "$(dirname "$0")/window_common.sh"

# ---- 7. the window's state ------------------------------------------------------
# the inspector computes its numbers without touching what a later backward
# keeps; it names the gradient as the node does (grad⁺ or .grad); show of
# another graph closes it; open through a step-through backward, it lets
# every step run; gradcheck's window titles the call with its arguments
log="$tmp/state.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start state
start_env=""
send state 'a = 2.0; y = a*3; h = y + a; h.backward(); show(h)'
if window=$(wait_window "agrepl graph: h" 20) && seen '^node v[0-9]* a ' 10; then
    id=${window%% *}
    set -- $(node a)
    pointer "$2" "$3"
    xdotool click 1
    seen '^inspector ' 5
    set -- $(node y)
    pointer "$2" "$3"
    xdotool click 1
    if seen '^| grad⁺ (not kept in .grad): 1$' 5 &&
        seen '^| grad (.grad): 4$' 1 && seen '^|   = the sum over its 2 uses: 1 + 3$' 1; then
        ok "7. state: the inspector shows grad⁺ as the node does, and a summed gradient's parts"
    else
        not_ok "7. state: the inspector's gradients differ from the nodes'"
        grep '^|' "$log" | tail -14 | sed 's/^/     log: /'
    fi
    shot state_inspector
    send state 'p = 5.0; q = p^2 + 1; q.backward(); tree(q)'
    if wait_for state '^q = 26 (grad⁺ 1) ← Add' 10; then
        ok "7. state: after a click, a later backward still keeps its gradients (tree(q): grad⁺ 1)"
    else
        not_ok "7. state: tree(q) after a click: $(screen_text state | grep '^q = ')"
    fi
    send state 'r = (1 - p)^2 + 100*(q - p^2)^2; r.backward(); show(r)'
    if seen '^inspector closed' 10 && seen '^show .* layout new' 1; then
        sleep 0.5
        id=$(xwin find "agrepl graph: r" | cut -d' ' -f1)
        shot state_other_graph
        ok "7. state: show of another graph closes the inspector"
    else
        not_ok "7. state: show(r) kept the inspector"
        tail -5 "$log" | sed 's/^/     log: /'
    fi
    # the inspector open through a step-through backward: every step runs
    # (its numbers once started a second pass inside the first, which then
    # ended after 3 of 9 steps with p.grad none)
    set -- $(node p)
    pointer "$2" "$3"
    xdotool click 1
    seen '^inspector v[0-9]* ' 5
    send state 'p.cleargrad(); r.backward(step=true)'
    for step in 1 2 3 4 5 6 7 8 9; do
        tries=50
        while [ "$(count state '^  \[Enter: go on')" -lt "$step" ] && [ "$(count state '^done: ')" = 0 ] &&
            [ "$tries" -gt 0 ]; do
            sleep 0.1
            tries=$((tries - 1))
        done
        [ "$(count state '^done: ')" = 0 ] || break
        tmux -L "$socket" send-keys -t state Enter
    done
    wait_for state '^done: ' 10
    shot state_step_inspector
    send state 'print("p.grad", p.grad)'
    if wait_for state '^p.grad variable(8)$' 10 && [ "$(count state '^done: 9 steps$')" = 1 ]; then
        ok "7. state: with the inspector open, backward(step=true) runs all 9 steps (p.grad 8)"
    else
        not_ok "7. state: step-through with the inspector open: $(screen_text state | grep -e '^done: ' -e '^p.grad ' | tr '\n' ' ')"
    fi
else
    not_ok "7. state: no graph window"
    sed 's/^/     stderr: /' "$tmp/state.err"
fi
status=$(quit state)
[ "$status" = 0 ] || not_ok "7. state: :quit gave status $status"

# gradcheck: show=false opens no window; show=true draws f's call framed and
# titled with the real arguments (k(a, b), not the gradcheck call's k(k, a))
log="$tmp/check.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start check
start_env=""
send check 'def k(p, q) { return sum(p * q) + sin(q) }'
send check 'a = [[1.0, 2.0], [3.0, 4.0]]; b = 0.5; gradcheck(k, a, b); print("checked", "quietly")'
wait_for check '^checked quietly$' 10
sleep 1
if xwin find "(gradcheck)" >/dev/null; then
    not_ok "7. gradcheck: show=false opened a window"
else
    ok "7. gradcheck: show=false opens no window"
fi
send check 'gradcheck(k, a, b, show=true)'
if window=$(wait_window "(gradcheck)" 20) && seen '^frame box[0-9]* ' 10; then
    id=${window%% *}
    shot gradcheck_window
    seen '^frame box[0-9]* .* title k(a, b)$' 1 && ok "7. gradcheck: the window frames the call as k(a, b)" ||
        not_ok "7. gradcheck: the call's frame: $(grep '^frame ' "$log" | tail -1)"
else
    not_ok "7. gradcheck: show=true opened no window with a frame"
    sed 's/^/     stderr: /' "$tmp/check.err"
fi
status=$(quit check)
[ "$status" = 0 ] || not_ok "7. gradcheck: :quit gave status $status"

# ---- 8. the layout holds still ---------------------------------------------------
# a 150-step loop the window follows: values of every width, and not one new
# layout from the show on (the window lays out with room for the widest
# numbers :digits prints), every box at the same place in every drawing after
# the user zoomed; the user's zoom is kept through it; a folded box clicked
# open and its frame clicked fold again
log="$tmp/still.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start still
start_env=""
send still 'x = 2.0; w = 3.0; y = sin(x*w) * x / w + x; y.backward(); show(y)'
if window=$(wait_window "agrepl graph: y" 20) && seen '^node f[0-9]* Mul ' 10; then
    id=${window%% *}
    shows_at_open=$(lines '^show ')
    set -- $(node Mul)
    pointer "$2" "$3"
    xdotool click 4 click 4
    tries=50
    while [ "$(lines '^zoom ')" -lt 2 ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    zoomed=$(grep '^zoom ' "$log" | tail -1 | awk '{ print $6 }')
    shows=$(lines '^show ')
    views=$(lines '^view ')
    send still 'pace(30); for i in range(150) { x = 2.0 + i / 7; y = sin(x*w) * x / w + x; x.cleargrad(); w.cleargrad(); y.backward(); track(x, w) }; pace(0); print("loop", "done")'
    wait_for still '^loop done' 60
    sleep 0.5
    shot still_loop
    drawings=$(($(lines '^show ') - shows))
    # new layouts after the show's own (the refresh after the statement, the loop's drawings)
    new=$(grep '^show ' "$log" | tail -n +"$((shows_at_open + 1))" | grep -c 'layout new$')
    # every node at one place in the picture in every drawing from the show
    # on, and at one place on the screen in every drawing after the zoom
    awk -v open="$shows_at_open" -v from="$shows" '$1 == "show" { n++ }
        $1 == "node" && n >= open { print "picture", $2, $9 } $1 == "node" && n > from { print "screen", $2, $5 }' "$log" |
        sort | uniq | awk '{ c[$1 " " $2]++ } END { for (k in c) if (c[k] > 1) moved++; print moved + 0 }' >"$tmp/moved"
    scale=$(grep '^view ' "$log" | tail -1)
    if [ "$drawings" -ge 3 ] && [ "$new" = 0 ] && [ "$(cat "$tmp/moved")" = 0 ]; then
        ok "8. still: $drawings drawings in the loop, no new layout after the show, no box moved"
    else
        not_ok "8. still: $drawings drawings, $new new layouts after the show, $(cat "$tmp/moved") nodes at several places"
    fi
    if [ -n "$zoomed" ] && [ "$(lines '^view ')" = "$views" ]; then
        ok "8. still: the user's zoom ($zoomed) is kept through the loop"
    else
        not_ok "8. still: the view was fitted again: $scale"
    fi
else
    not_ok "8. still: no graph window"
    sed 's/^/     stderr: /' "$tmp/still.err"
fi
status=$(quit still)
[ "$status" = 0 ] || not_ok "8. still: :quit gave status $status"

log="$tmp/refold.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start refold
start_env=""
send refold 'def f(t) = t * t + sin(t)'
send refold 'x = 1.5; y = f(x) * f(x + 1); y.backward(); show(y, fold=true)'
if window=$(wait_window "agrepl graph: y" 20) && seen '^node box0 ' 10; then
    id=${window%% *}
    set -- $(awk '$1 == "node" && $2 == "box0" { split($5, xy, ","); print xy[1], xy[2] }' "$log")
    box_x=$1 box_y=$2
    pointer "$1" "$2"
    xdotool click 1
    if seen '^expand box0' 5 && seen '^show .* layout new' 5; then
        sleep 0.5
        shot refold_open
        # the group opens where its box was: its frame's centre on the box's
        set -- $(grep '^frame box0 ' "$log" | tail -1 | awk '{ split($4, at, ","); split($6, size, "x"); print at[1] + size[1] / 2, at[2] + size[2] / 2 }')
        awk -v x="$1" -v y="$2" -v bx="$box_x" -v by="$box_y" 'BEGIN { exit !((x - bx) ^ 2 + (y - by) ^ 2 <= 8) }' &&
            ok "8. expand: the group opens where its box was (frame centre $1,$2, box $box_x,$box_y)" ||
            not_ok "8. expand: the frame's centre $1,$2 is not where the box was ($box_x,$box_y)"
        fx=$1 fy=$2
        # every other node keeps its place, moved only to make room: the
        # drawing is stretched across the box by as much as the frame is
        # wider and taller (whole columns and ranks beside the box move by
        # half of that, away from it; those across it spread), the frame's
        # centre on the box's; a fresh layout would reshuffle them
        awk '
            function grown(v, centre, size, growth) {
                if (v <= centre - size / 2) return v - growth / 2
                if (v >= centre + size / 2) return v + growth / 2
                return centre + (v - centre) * (size + growth) / size
            }
            $1 == "show" { shows++; drawing = shows }
            $1 == "expand" { opened = shows }
            $1 == "fold" { exit }
            $1 == "node" && !opened { split($5, xy, ","); bx[$2] = xy[1]; by[$2] = xy[2]
                                      split($7, s, "x"); bw[$2] = s[1]; bh[$2] = s[2] }
            $1 == "node" && opened && drawing > opened { split($5, xy, ","); ax[$2] = xy[1]; ay[$2] = xy[2] }
            $1 == "frame" && $2 == "box0" && drawing > opened { split($4, at, ","); split($6, s, "x")
                                                               fw = s[1]; fh = s[2] }
            END {
                x = bx["box0"]; y = by["box0"]; w = bw["box0"]; h = bh["box0"]
                gw = fw > w ? fw - w : 0; gh = fh > h ? fh - h : 0
                for (n in bx) {
                    if (n == "box0") continue
                    checked++
                    if (!(n in ax)) { print "missing", n; bad++; continue }
                    ex = grown(bx[n], x, w, gw); ey = grown(by[n], y, h, gh)
                    if ((ax[n] - ex) ^ 2 + (ay[n] - ey) ^ 2 > 9) {
                        printf "%s %s,%s->%s,%s(expected %.0f,%.0f) ", n, bx[n], by[n], ax[n], ay[n], ex, ey
                        bad++
                    }
                }
                printf "%d nodes, %d moved otherwise\n", checked, bad
                exit !(checked >= 6 && bad == 0)
            }' "$log" >"$tmp/stretch" &&
            ok "8. expand: the other boxes keep their places, moved only to make room ($(cat "$tmp/stretch"))" ||
            not_ok "8. expand: the other boxes were laid out again: $(cat "$tmp/stretch")"
        grep -q '^show .* layout new around the last' "$log" &&
            ok "8. expand: laid out around the last layout" ||
            not_ok "8. expand: not laid out around the last layout ($(grep '^show ' "$log" | tail -1))"
        # the frame: a point just inside its left edge, beside the first node in it
        set -- $(grep '^frame box0 ' "$log" | tail -1)
        pointer "$(( ${4%,*} + 4 ))" "$(( ${4#*,} + 4 ))"
        xdotool click 1
        if seen '^fold box0' 5; then
            sleep 0.8
            shot refold_closed
            last=$(grep -n '^show ' "$log" | tail -1 | cut -d: -f1)
            [ "$(tail -n +"$last" "$log" | grep -c '^node box0 ')" = 1 ] &&
                ok "8. fold: a click on the expanded group's frame folds it again" ||
                not_ok "8. fold: box0 not drawn again after folding"
            # folded again, the box is where its frame's centre was
            set -- $fx $fy $(tail -n +"$last" "$log" | awk '$1 == "node" && $2 == "box0" { split($5, xy, ","); print xy[1], xy[2] }')
            awk -v x="$1" -v y="$2" -v bx="${3:-0}" -v by="${4:-0}" 'BEGIN { exit !((x - bx) ^ 2 + (y - by) ^ 2 <= 8) }' &&
                ok "8. fold: the box comes back where the frame's centre was ($3,$4)" ||
                not_ok "8. fold: the box at ${3:-?},${4:-?}, the frame's centre was $1,$2"
            # folded again, every node is exactly where it was before the group opened
            awk '$1 == "show" { shows++ } $1 == "node" && shows == 1 { print $2, $5 }' "$log" | sort >"$tmp/before_open"
            tail -n +"$last" "$log" | awk '$1 == "node" { print $2, $5 }' | sort >"$tmp/after_fold"
            if [ -s "$tmp/before_open" ] && cmp -s "$tmp/before_open" "$tmp/after_fold"; then
                ok "8. fold: all $(wc -l <"$tmp/before_open") nodes are back where they were before the group opened"
            else
                not_ok "8. fold: nodes not back in place: $(diff "$tmp/before_open" "$tmp/after_fold" | grep '^[<>]' | tr '\n' ' ')"
            fi
        else
            not_ok "8. fold: a click on the frame did not fold ($(tail -2 "$log" | tr '\n' ' '))"
        fi
    else
        not_ok "8. fold: box0 did not expand"
    fi
    # two groups: open box0, then box1; folding box0 (not the last opened)
    # puts its box where its frame was and leaves every other node in place
    # screen NAME: where node NAME of the last drawing is on the screen now
    # (its picture place through the last view, fit, zoom or pan logged)
    screen() {
        awk -v name="$1" '
            function offset(field) { split(field, o, ","); ox = o[1]; oy = o[2] }
            $1 == "show" { found = 0 }
            $1 == "node" && $2 == name { split($9, xy, ","); found = 1; px = xy[1]; py = xy[2] }
            $1 == "view" || $1 == "fit" { s = $3; offset($5) }
            $1 == "zoom" { s = $6; offset($8) }
            $1 == "pan" { offset($4) }
            END { if (found) printf "%.0f %.0f\n", px * s + ox, py * s + oy }' "$log"
    }
    # grown REGEX N SECONDS: status 0 once more than N lines of the log match
    # (the log already holds the first group's expand and fold: a check for a
    # second one waits for a new line, not for any line)
    grown() {
        tries=$(($3 * 10))
        while [ "$tries" -gt 0 ]; do
            [ "$(lines "$1")" -gt "$2" ] && return 0
            sleep 0.1
            tries=$((tries - 1))
        done
        return 1
    }
    # fit: 0 pressed, and its fit logged (the places read from the log after
    # it are those of the view it made: read before, they are of the last one)
    fit() {
        fits=$(lines '^fit ')
        xdotool key --window "$id" 0 && grown '^fit ' "$fits" 5
    }
    # open_group N: a click on box N where it is on the screen, then its
    # expand and the drawing that follows it logged to its end (the
    # inspector of the group's output opens after the drawing's nodes and
    # frames are logged)
    open_group() {
        expands=$(lines "^expand box$1\$") inspected=$(lines '^inspector [^ ]* text')
        set -- "$1" $(screen "box$1")
        [ $# = 3 ] && pointer "$2" "$3" && xdotool click 1 &&
            grown "^expand box$1\$" "$expands" 5 && grown '^inspector [^ ]* text' "$inspected" 10
    }
    if fit && open_group 0 && fit && open_group 1; then
        shot refold_two_open
        # frame_corner: box0's frame corner on the screen now: its place when
        # drawn, back to the picture through the view it was drawn in, then
        # through the last view, fit, zoom or pan logged
        frame_corner() {
            awk '
                function offset(field) { split(field, o, ","); ox = o[1]; oy = o[2] }
                $1 == "show" { found = 0 }
                $1 == "view" || $1 == "fit" { s = $3; offset($5) }
                $1 == "zoom" { s = $6; offset($8) }
                $1 == "pan" { offset($4) }
                $1 == "frame" && $2 == "box0" && s > 0 { split($4, xy, ","); px = (xy[1] - ox) / s; py = (xy[2] - oy) / s; found = 1 }
                END { if (found) printf "%.0f %.0f\n", px * s + ox, py * s + oy }' "$log"
        }
        opened=$(lines '^show ') folds=$(lines '^fold box0$') inspectors=$(lines '^inspector ')
        set -- $(frame_corner)
        [ $# = 2 ] && pointer "$(( $1 + 4 ))" "$(( $2 + 4 ))" && xdotool click 1
        # (the drawing after the fold is logged to its end when the
        # inspector, kept on box1's output, is written again)
        if grown '^fold box0$' "$folds" 5 && grown '^show ' "$opened" 10 && grown '^inspector ' "$inspectors" 10; then
            shot refold_two_fold0
            awk -v opened="$opened" '$1 == "show" { shows++ }
                $1 == "node" && shows == opened { was[$2] = $5 }
                $1 == "frame" && shows == opened && $2 == "box1" { was["frame1"] = $4 }
                $1 == "node" && shows == opened + 1 { now[$2] = $5 }
                $1 == "frame" && shows == opened + 1 && $2 == "box1" { now["frame1"] = $4 }
                END { for (n in was) { if (!(n in now)) continue # inside box0: folded away
                                       checked++; if (now[n] != was[n]) { printf "%s %s->%s ", n, was[n], now[n]; bad++ } }
                      printf "%d kept, %d moved\n", checked - bad, bad; exit !(checked >= 10 && bad == 0) }' "$log" >"$tmp/fold_first" &&
                ok "8. fold: box0 folded while box1 is open, every other node and box1's frame stay put ($(cat "$tmp/fold_first"))" ||
                not_ok "8. fold: folding box0 while box1 is open moved the rest: $(cat "$tmp/fold_first")"
        else
            not_ok "8. fold: box0's frame did not fold while box1 was open ($(grep -v '^[|]' "$log" | tail -3 | tr '\n' ' '))"
        fi
    else
        not_ok "8. fold: box0 and box1 did not both open again ($(grep -c '^expand' "$log") expands, $(grep -c '^fit ' "$log") fits)"
    fi
else
    not_ok "8. fold: no folded box"
fi
status=$(quit refold)
[ "$status" = 0 ] || not_ok "8. fold: :quit gave status $status"


echo "windows (the window's state and a layout that holds still): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
