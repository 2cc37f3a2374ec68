#!/bin/sh
# window_explore_test.sh — the graph explorer: hover, inspect, zoom, pan, keys
# (shared set-up: tests/suites/window_common.sh; `make window-tests` runs every
# window suite)
#
#   6. the graph explorer, driven with xdotool (pointer and keys through the
#      XTEST extension): hovering a node outlines its inputs and outputs; a
#      click opens the inspector beside the graph with the op's rule and the
#      chain-rule numbers; the wheel zooms about the pointer (the node stays
#      under it, drawn 1.5625 times wider); dragging and the arrow keys pan;
#      0 fits (the picture is again exactly what it was); ? shows the keys and
#      Esc hides them, then closes the inspector; new values keep the layout;
#      during a loop that calls show(y) the window still zooms and inspects.
#      AGREPL_WINDOW_TRACE's log says what the window did and where the nodes
#      are; screenshots say what it shows.
#
# Prints "windows: N passed, M failed"; status 0 when none failed.
# Skips (status 0, with a message) when xvfb-run or another tool is missing.
. "$(dirname "$0")/window_common.sh"

# ---- 6. the graph explorer ----------------------------------------------------
log="$tmp/explore.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start explore
start_env=""
send explore 'a = 2.0; b = 3.0; y = sin(a*b) + a; y.backward()'
send explore 'show(y)'
if window=$(wait_window "agrepl graph: y" 20) && seen '^node f[0-9]* Mul ' 10; then
    id=${window%% *}
    set -- $window
    base_width=$2
    set -- $(node Mul); mul=$1 mx=$2 my=$3
    set -- $(node a); a=$1 ax=$2 ay=$3
    set -- $(node b); b=$1
    pointer 2 2
    shot base
    # hover: Mul's inputs a and b, its output (the product) outlined
    pointer "$mx" "$my"
    if seen "^hover $mul inputs $a $b outputs v[0-9]*\$" 5 || seen "^hover $mul inputs $b $a outputs v[0-9]*\$" 1; then
        shot hover
        differ "$tmp/base.png" "$tmp/hover.png" && ok "6. hover: Mul's inputs and output are outlined" ||
            not_ok "6. hover: the picture did not change"
    else
        not_ok "6. hover: no hover of Mul logged"
        tail -5 "$log" | sed 's/^/     log: /'
    fi
    # click: the inspector beside the graph, with the rule and its numbers
    xdotool click 1
    if seen "^inspector $mul" 5 && seen '^|   d/da a\*b = b$' 1 &&
        seen '^|   ∂y/∂(Mul output) × ∂(Mul output)/∂a = 0.960170286650366 × 3 = 2.880510859951098$' 1; then
        sleep 0.4
        set -- $(xwin find "agrepl graph: y")
        shot inspector
        # the panel is drawn: its column is no longer white
        panel=$(convert "$tmp/inspector.png" -crop "380x200+$(($2 - 390))+0" -fill black +opaque white -format '%[fx:mean]' info: 2>/dev/null)
        if [ "$2" -gt "$base_width" ] && awk -v w="${panel:-1}" 'BEGIN { exit !(w < 0.99) }'; then
            ok "6. click: the inspector opens beside the graph (window $base_width → $2 px) with d/da a*b = b and the numbers"
        else
            not_ok "6. click: window $base_width → $2 px, panel white fraction ${panel:-?}"
        fi
    else
        not_ok "6. click: the inspector does not show Mul's rule and numbers"
        tail -15 "$log" | sed 's/^/     log: /'
    fi
    set -- $(at a); ax=$2 ay=$3 # the inspector beside the graph may have fitted it again
    pointer "$ax" "$ay"
    xdotool click 1
    if seen "^inspector $a" 5 && seen '^| value: 2$' 1 && seen '^| grad (.grad): 3.880510859951098$' 1 &&
        seen '^|   Add as b: ∂y/∂y × ∂y/∂b = 1 × 1 = 1$' 1; then
        ok "6. click: a's inspector has its value, gradient and both uses"
    else
        not_ok "6. click: a's inspector is wrong"
        tail -12 "$log" | sed 's/^/     log: /'
    fi
    shot selected
    # zoom about Mul's centre: Mul stays under the pointer, 1.5625 times wider
    set -- $(at Mul); mx=$2 my=$3
    pointer "$mx" "$my"
    before=$(span_of "$tmp/selected.png" $((mx - 150)) $((mx + 150)) "$my")
    zooms=$(lines '^zoom ')
    xdotool click 4 click 4
    tries=50
    while [ "$(lines '^zoom ')" -lt $((zooms + 2)) ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    # two steps of 1.25 from whatever scale fitted the picture beside the inspector
    if [ "$(lines '^zoom ')" -ge $((zooms + 2)) ] &&
        grep '^zoom ' "$log" | tail -2 | awk '$2 == 1.25 { s[++n] = $6 } END { exit !(n == 2 && s[2] / s[1] > 1.248 && s[2] / s[1] < 1.252) }'; then
        shot zoomed
        after=$(span_of "$tmp/zoomed.png" $((mx - 150)) $((mx + 150)) "$my")
        xdotool click 1
        if seen "^click $mx,$my $mul\$" 5 &&
            awk -v b="${before:-0}" -v a="${after:-0}" 'BEGIN { exit !(b > 20 && a / b > 1.5 && a / b < 1.63) }'; then
            ok "6. zoom: the wheel zooms about the pointer (Mul still under it, $before → $after px wide)"
        else
            not_ok "6. zoom: Mul $before → $after px wide; $(grep '^click' "$log" | tail -1)"
        fi
    else
        not_ok "6. zoom: no zoom logged"
    fi
    # pan: a drag of (80, 60), then the Left arrow (60 px)
    set -- $(grep '^zoom' "$log" | tail -1)
    offset=$8
    xdotool mousedown 1 mousemove_relative 40 30 mousemove_relative 40 30 mouseup 1
    xdotool windowfocus --sync "$id" key Left 2>/dev/null || xdotool key --window "$id" Left
    if seen '^pan 60,0 ' 5; then
        set -- $(grep '^pan' "$log" | tail -1)
        awk -v from="$offset" -v to="$4" 'BEGIN { split(from, f, ","); split(to, t, ",");
            dx = t[1] - f[1] - 140; dy = t[2] - f[2] - 60
            exit !(dx * dx < 0.01 && dy * dy < 0.01) }' &&
            ok "6. pan: dragging and the arrow keys move the picture (offset $offset → $4)" ||
            not_ok "6. pan: offset $offset → $4 (140,60 expected)"
    else
        not_ok "6. pan: the Left arrow did not pan"
    fi
    # fit: exactly the picture before the zoom (a selected again, the pointer on it)
    pointer "$ax" "$ay"
    xdotool type 0
    if seen '^fit ' 5; then
        xdotool click 1
        seen "^click $ax,$ay $a\$" 5
        shot fitted
        pixels=$(compare -metric AE "$tmp/selected.png" "$tmp/fitted.png" null: 2>&1)
        [ "$pixels" = 0 ] && ok "6. fit: 0 shows the whole graph exactly as before the zoom" ||
            not_ok "6. fit: ${pixels:-?} pixels differ from the picture before the zoom"
    else
        not_ok "6. fit: 0 did not fit"
    fi
    # ? shows the keys, Esc hides them, Esc closes the inspector
    xdotool type '?'
    if seen '^help on' 5; then
        shot help
        keys=$(convert "$tmp/help.png" -fill black +opaque '#FFFFF0' -format '%[fx:mean]' info: 2>/dev/null)
        awk -v k="${keys:-0}" 'BEGIN { exit !(k > 0.05) }' && differ "$tmp/fitted.png" "$tmp/help.png" &&
            ok "6. keys: ? shows them" || not_ok "6. keys: no help box drawn (${keys:-?} of the window)"
    else
        not_ok "6. keys: ? did nothing"
    fi
    xdotool key Escape
    seen '^help off' 5 && shot nohelp && ! differ "$tmp/fitted.png" "$tmp/nohelp.png" &&
        ok "6. keys: Esc hides them" || not_ok "6. keys: Esc did not hide the keys"
    xdotool key Escape
    sleep 0.5
    set -- $(xwin find "agrepl graph: y")
    [ "$2" = "$base_width" ] && ok "6. Esc closes the inspector (the window is $2 px wide again)" ||
        not_ok "6. after Esc the window is $2 px wide ($base_width before the inspector)"
    # new values, same structure: every node where it was
    grep '^node' "$log" | tail -8 >"$tmp/nodes1"
    send explore 'a = 2.5; y = sin(a*b) + a'
    if seen 'layout kept$' 10; then
        grep '^node' "$log" | tail -8 | sed 's/ at [^ ]* size .*//' >"$tmp/names2"
        sed 's/ at [^ ]* size .*//' "$tmp/nodes1" >"$tmp/names1"
        grep '^node' "$log" | tail -8 | awk '{ print $1, $2, $4, $5 }' >"$tmp/at2"
        awk '{ print $1, $2, $4, $5 }' "$tmp/nodes1" >"$tmp/at1"
        cmp -s "$tmp/at1" "$tmp/at2" && ok "6. new values keep the layout (every node where it was)" ||
            not_ok "6. new values moved nodes: $(diff "$tmp/at1" "$tmp/at2" | tr '\n' ' ')"
    else
        not_ok "6. new values: the layout was not kept"
        grep '^show' "$log" | tail -2 | sed 's/^/     log: /'
    fi
    # stepping through backward: after the first step (the legend gains
    # "in progress") each step keeps the layout
    # (4 digits: the gradients' full digits would outgrow their places)
    send explore ':digits 4'
    send explore 'a.cleargrad(); b.cleargrad(); y = sin(a*b) + a'
    sleep 0.5
    shows=$(lines '^show ')
    send explore 'y.backward(step=true)'
    for step in 1 2 3; do
        tries=100
        while [ "$(count explore 'Enter: go on')" -lt "$step" ] && [ "$tries" -gt 0 ]; do
            sleep 0.1
            tries=$((tries - 1))
        done
        sleep 0.3
        tmux -L "$socket" send-keys -t explore Enter
    done
    wait_for explore '^done: 3 steps' 10
    sleep 0.5
    kept=$(grep '^show ' "$log" | tail -n +"$((shows + 1))" | sed -n '2,3p' | grep -c 'layout kept$')
    [ "$kept" = 2 ] && ok "6. step: the steps of a backward keep the layout" ||
        not_ok "6. step: $(grep '^show ' "$log" | tail -n +"$((shows + 1))" | tr '\n' ';')"
    # at full precision, a bigger graph: the legend gains a line and the
    # picture changes size as the steps go, but nothing moves on the screen
    # (no refitting): every node within a pixel of where the first step
    # drew it, through the last step and the drawing after it
    send explore ':digits full'
    send explore 'def rb(p, q) = 100*(q - p^2)^2 + (p - 1)^2'
    send explore 'p = 0.0; q = 2.0; r = rb(p, q); show(r)'
    sleep 2
    # fitted to the window, as a graph first opens (the zoom above is undone)
    xdotool windowfocus --sync "$id" key 0 2>/dev/null || xdotool key --window "$id" 0
    sleep 0.5
    from=$(($(wc -l <"$log") + 1))
    send explore 'r.backward(step=true)'
    for step in 1 2 3 4 5 6 7; do
        sleep 1
        tmux -L "$socket" send-keys -t explore Enter
    done
    wait_for explore '^done: 7 steps' 20
    sleep 0.5
    # a node's place on the screen: the picture place through the view
    # logged last before its drawing
    moved=$(tail -n +"$from" "$log" | awk '
        /^view scale/ { s = $3; split($5, o, ","); ox = o[1]; oy = o[2] }
        /^show / { shows++; vs = s; vx = ox; vy = oy }
        /^node / && shows > 0 {
            split($NF, p, ","); x = vx + p[1] * vs; y = vy + p[2] * vs
            if ($2 in X) { d = (x - X[$2]) ^ 2 + (y - Y[$2]) ^ 2; if (d > worst) { worst = d; who = $2 } }
            else { X[$2] = x; Y[$2] = y }
        }
        END { printf "%d %s %.2f\n", shows, who == "" ? "-" : who, sqrt(worst) }')
    set -- $moved
    if [ "${1:-0}" -ge 7 ] && awk -v d="${3:-99}" 'BEGIN { exit !(d <= 1.2) }'; then
        ok "6. step: at full precision no box moves on the screen ($1 drawings, the most a node moved $3 px)"
    else
        not_ok "6. step: at full precision nodes moved on the screen: $moved (drawings, node, px)"
        tail -n +"$from" "$log" | grep "^view\|^show\|^node $2 " | sed 's/^/     log: /' 
    fi
    send explore ':digits 4'
    # a loop that calls show(y): the window still zooms and inspects (long
    # enough to outlast the checks' waits, up to 17 s; Ctrl-C ends it)
    send explore 'for i in range(30000000) { a = 2.0 + i % 7; y = sin(a*b) + a; if i % 100 == 0 { show(y) } }; print("loop", "done")'
    shows=$(lines '^show ')
    sleep 1
    set -- $(node Mul)
    pointer "$2" "$3"
    xdotool click 4
    xdotool click 1
    # (the loop's values are whole numbers 2 to 8; before it, a was 2.5)
    if seen "^inspector $1" 10 && seen '^zoom .* scale 1.25 ' 1 && seen '^| input a = a: [2-8]$' 5 &&
        [ "$(count explore '^loop done')" -eq 0 ]; then
        sleep 1
        if [ "$(lines '^show ')" -gt "$((shows + 2))" ] && [ "$(lines '^inspector ')" -gt 4 ]; then
            ok "6. loop: the window zooms and inspects while the loop runs, the inspector follows the values"
        else
            not_ok "6. loop: $(($(lines '^show ') - shows)) new drawings, $(lines '^inspector ') inspector updates"
        fi
    else
        not_ok "6. loop: no zoom or inspector during the loop (loop done: $(count explore '^loop done'))"
        tail -5 "$log" | sed 's/^/     log: /'
    fi
    tmux -L "$socket" send-keys -t explore C-c
    send explore 'print("after", "the loop")'
    wait_for explore '^after the loop$' 20 || not_ok "6. loop: the session does not answer after Ctrl-C"
else
    not_ok "6. explorer: no graph window, or no node positions logged"
    sed 's/^/     stderr: /' "$tmp/explore.err"
fi
status=$(quit explore)
[ "$status" = 0 ] || not_ok "6. explorer: :quit gave status $status"

# fold: a def call drawn as one box; a click on it draws the call's nodes
log="$tmp/fold.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start fold
start_env=""
send fold 'def f(t) = t * t + sin(t)'
send fold 'x = 1.5; y = f(x) * f(x + 1); y.backward()'
send fold 'show(y, fold=true)'
if window=$(wait_window "agrepl graph: y" 20) && seen '^node box0 ' 10; then
    id=${window%% *}
    boxes=$(grep '^node' "$log" | grep -c '^node box')
    set -- $(awk '$1 == "node" && $2 == "box0" { split($5, xy, ","); print xy[1], xy[2] }' "$log")
    shows=$(lines '^show ')
    pointer "$1" "$2"
    xdotool click 1
    tries=50
    while [ "$(lines '^show ')" -le "$shows" ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    sleep 0.3
    last=$(grep -n '^show ' "$log" | tail -1 | cut -d: -f1)
    after=$(tail -n +"$last" "$log" | grep -c '^node box')
    muls=$(tail -n +"$last" "$log" | grep -c '^node f[0-9]* Mul ')
    if [ "$(lines '^show ')" -gt "$shows" ] && [ "$after" = $((boxes - 1)) ] && [ "$muls" -ge 2 ]; then
        ok "6. fold: a click on a folded call draws its nodes ($boxes boxes → $after, $muls Mul nodes)"
    else
        not_ok "6. fold: after the click $after of $boxes boxes, $muls Mul nodes"
        tail -5 "$log" | sed 's/^/     log: /'
    fi
    # a graph too big for the screen (an MLP's loss drawn whole, 3300 px wide) opens at
    # 80 %, its text readable; 0 then fits the whole of it
    views=$(lines '^view ')
    send fold 'm = mlp([8, 8, 1], activation=tanh, seed=0); X = randn(16, 2, seed=1); Y = randn(16, 1, seed=2)'
    send fold 'L = mean((m(X) - Y)^2); L.backward(); show(L, fold=false)'
    # (the MLP's drawing: 25 nodes; its view comes with it)
    seen '^show [0-9x]* nodes 2[0-9] ' 20
    sleep 0.5
    set -- $(grep '^show ' "$log" | tail -1)
    picture=$2
    set -- $(grep '^view ' "$log" | tail -1)
    opened=$3 area=$7
    if [ "$opened" = 0.8 ] && [ "${picture%x*}" -gt $(( ${area%x*} * 10 / 8 )) ]; then
        id=$(xwin find "agrepl graph: L" | cut -d' ' -f1)
        xdotool windowfocus --sync "$id" key 0 2>/dev/null || xdotool key --window "$id" 0
        if seen '^fit scale 0\.[0-7]' 5; then
            ok "6. big graph: opens at 80 % (picture $picture in $area), 0 fits it whole ($(grep '^fit ' "$log" | tail -1 | cut -d' ' -f3))"
        else
            not_ok "6. big graph: 0 did not fit the whole picture"
        fi
    else
        not_ok "6. big graph: picture $picture opened at scale ${opened:-?} in ${area:-?} (80 % expected)"
    fi
else
    not_ok "6. fold: no folded box logged"
    sed 's/^/     stderr: /' "$tmp/fold.err"
fi
status=$(quit fold)
[ "$status" = 0 ] || not_ok "6. fold: :quit gave status $status"


echo "windows (the graph explorer): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
