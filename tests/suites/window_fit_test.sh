#!/bin/sh
# The graph window on a projector: at a screen of 1280x720 and of
# 1600x1000 (a virtual X server each), driven in tmux with xdotool:
#   1. at :zoom 1.5 a small graph opens whole (its text stays >= 12 px:
#      scale >= 0.8 / 1.5), the window on the screen
#   2. a step-through keeps the window's size and the output's place on the
#      screen through every step (the legend has room for "in progress")
#   3. show(z) of another graph, :zoom 1 and :digits 3 each refit once:
#      the whole of the new picture in view
#   4. the inspector never hides the legend: when the panel takes the room
#      the legend was seen in, the legend is drawn in the panel below its text
#   5. a graph too big for a readable scale opens on its output at
#      0.8 / zoom, and the terminal says how to see the rest
#   5b. that note on a graph shown with fold=true names depth=N alone,
#   5c. as on a graph with no group to fold
#   5d. a graph refused (past max_nodes) leaves the last picture up, and
#       the terminal says so, not how the last picture opens
#   6. mlp_sine's folded graph (its notebook's last cell) at :zoom 1.5:
#      readable (scale >= 0.8 / 1.5), its output in view
#   7. the plot window opens beside the graph window, or offset so the
#      graph window's top and its output node stay uncovered
#   L. after 1, 4, 5, 5c and 6, and after the window is made smaller: the
#      legend is wholly in the graph's area (its place in the trace, its
#      "output" entry's green on the screen there) and off the output's
#      box, or in the inspector; and the keys' help (?) in the small window
# AGREPL_WINDOW_TRACE's log says what the window did; screenshots go to
# $AGREPL_WINDOW_SHOTS when set.  Prints "window fit: N passed, M failed".
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${AGREPL_FIT_SCREEN:-}" ]; then
    for tool in xvfb-run tmux import xdotool; do
        command -v "$tool" >/dev/null 2>&1 || { echo "window fit: skipped (not installed: $tool)"; exit 0; }
    done
    status=0
    for screen in 1280x720 1600x1000; do
        xvfb-run -a -s "-screen 0 ${screen}x24 -noreset" \
            env AGREPL_FIT_SCREEN="$screen" AGREPL="$AGREPL" AGREPL_WINDOW_SHOTS="${AGREPL_WINDOW_SHOTS:-}" sh "$0" || status=1
    done
    exit $status
fi

screen=$AGREPL_FIT_SCREEN
pass=0 fail=0
tmp=$(mktemp -d)
socket="agrepl-fit-test-$$"
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null
    kill "$watchdog" 2>/dev/null
    [ -n "${AGREPL_FIT_KEEP:-}" ] && cp "$log" "$AGREPL_FIT_KEEP.$screen"; rm -rf "$tmp"
}
sh "$here/watchdog.sh" $$ 300 "window fit $screen" & watchdog=$!
trap cleanup EXIT
ok() { echo "ok   $screen $1"; pass=$((pass + 1)); }
not_ok() { echo "FAIL $screen $1"; fail=$((fail + 1)); }
. "$here/xwin.sh"
shot() {
    [ -n "${AGREPL_WINDOW_SHOTS:-}" ] || return 0
    mkdir -p "$AGREPL_WINDOW_SHOTS" && import -window root "$AGREPL_WINDOW_SHOTS/fit_${screen}_$1.png" 2>/dev/null
}
log="$tmp/trace.log"
tmux -L "$socket" -f /dev/null new-session -d -s fit -x 200 -y 50 \
    "cd '$tmp' && env -u AGREPL_HEADLESS AGREPL_WINDOW_TRACE='$log' HOME='$tmp' DISPLAY='$DISPLAY' '$AGREPL' 2>>'$tmp/err'; echo \$? >'$tmp/status'"
wait_for fit 'ag> ' 10 || { not_ok "no prompt"; exit 1; }
# lines REGEX: how many lines of the trace match
lines() { n=$(grep -c -- "$1" "$log" 2>/dev/null); echo "${n:-0}"; }
# settle REGEX COUNT: waits until the trace has more than COUNT lines matching
settle() {
    tries=100
    while [ "$(lines "$1")" -le "$2" ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    sleep 0.4
}
# whole: status 0 when the last view shows the last picture whole
whole() {
    awk '$1 == "show" { split($2, p, "x") } $1 == "view" { s = $3; split($5, o, ","); split($7, a, "x") }
        END { exit !(s * p[1] <= a[1] + 1 && s * p[2] <= a[2] + 1 && o[1] >= -0.5 && o[2] >= -0.5) }' "$log"
}
last_view() { grep '^view ' "$log" | tail -1; }
# the window's place and size as it last logged them ("X Y WIDTHxHEIGHT")
window_at() { grep '^window at ' "$log" | tail -1 | awk '{ split($3, p, ","); print p[1], p[2], $5 }'; }
# legend_whole WHAT [OUTPUT]: checks the legend is wholly in view: the last
# legend line of the trace puts it in the inspector, or at a place wholly
# inside the graph's area ("legend at X,Y size WxH in AWxAH"), where the
# screen shows its "output" entry (#A5D6A7), and off the box of the node
# labelled OUTPUT (the node the view opened on)
legend_whole() {
    output=${2:-}
    covered=""
    [ -z "$output" ] || covered=$(node_box "$output")
    line=$(grep '^legend' "$log" | tail -1)
    case $line in
    "legend in the inspector") ok "L. $1: the legend in the inspector"; return ;;
    "legend at "*) ;;
    *) not_ok "L. $1: no place of the legend traced (${line:-none})"; return ;;
    esac
    set -- "$1" $(echo "$line" | awk '{ split($3, p, ","); split($5, s, "x"); split($7, a, "x");
        print p[1], p[2], s[1], s[2], a[1], a[2] }') $(window_at)
    what=$1 x=$2 y=$3 lw=$4 lh=$5 aw=$6 ah=$7 wx=${8:-0} wy=${9:-0}
    if [ "$x" -lt 0 ] || [ "$y" -lt 0 ] || [ $((x + lw)) -gt "$aw" ] || [ $((y + lh)) -gt "$ah" ]; then
        not_ok "L. $what: the legend cut at the window's edge: $line"
        return
    fi
    if [ -n "$covered" ] && echo "$covered" | awk -v x="$x" -v y="$y" -v w="$lw" -v h="$lh" '{
            split($1, c, ","); split($2, s, "x")
            exit !(c[1] + s[1] / 2 > x && c[1] - s[1] / 2 < x + w && c[2] + s[2] / 2 > y && c[2] - s[2] / 2 < y + h) }'; then
        not_ok "L. $what: the legend ($line) covers the output $output (at $covered)"
        return
    fi
    import -window root "$tmp/legend.png" 2>/dev/null
    green=$(convert "$tmp/legend.png" -crop "${lw}x${lh}+$((wx + x))+$((wy + y))" +repage -fuzz 4% \
        -fill white -opaque '#A5D6A7' -fill black +opaque white -format '%[fx:round(mean*w*h)]' info: 2>/dev/null)
    if [ "${green:-0}" -ge 20 ]; then
        ok "L. $what: the legend wholly in the window (${lw}x${lh} at $x,$y in ${aw}x${ah}, $green px of its output entry)"
    else
        not_ok "L. $what: the legend's place $x,$y ${lw}x${lh} shows no output entry (${green:-?} px)"
    fi
}
# node_box LABEL: "X,Y WxH", the centre and size on screen of the node
# labelled LABEL in the last drawing, in the view the window shows now (its
# picture place through the last view or fit the trace logged: a view refitted
# after the drawing, as when the inspector closes or the window is resized,
# moves it from where its node line says)
node_box() {
    awk -v label="$1" '
        ($1 == "view" || $1 == "fit") && $2 == "scale" { s = $3; split($5, o, ",") }
        $1 == "show" { found = 0 }
        $1 == "node" && $3 == label { split($9, p, ","); split($7, z, "x"); w = z[1] / s; h = z[2] / s; found = 1 }
        END { if (found) printf "%.0f,%.0f %.0fx%.0f\n", p[1] * s + o[1], p[2] * s + o[2], w * s, h * s }' "$log"
}
# click NODE_LABEL: a click on the node of the last drawing labelled so
click() {
    set -- $(node_in "$log" "$1") $(window_at)
    [ $# = 6 ] || return 1
    xdotool mousemove $(($4 + $2)) $(($5 + $3)) click 1
}

# ---- 1. :zoom 1.5, a three-node graph opens whole --------------------------
send fit ':zoom 1.5'
send fit 'a = 2.0; b = 3.0; y = sin(a*b) + a'
send fit 'show(y)'
settle '^view ' 0
shot zoom15
if whole; then
    set -- $(last_view)
    awk -v s="$3" 'BEGIN { exit !(s >= 0.8 / 1.5 - 1e-9) }' &&
        ok "1. :zoom 1.5: y opens whole at scale $3 ($(grep '^show ' "$log" | tail -1 | cut -d' ' -f2) in $7)" ||
        not_ok "1. :zoom 1.5: whole but at scale $3, below 0.8/1.5"
else
    not_ok "1. :zoom 1.5: y not whole: $(last_view)"
fi
set -- $(window_at)
size=${3:-0x0}
[ "${1:--1}" -ge 0 ] && [ "${2:--1}" -ge 0 ] && [ $((${1:-0} + ${size%x*})) -le "${screen%x*}" ] &&
    [ $((${2:-0} + ${size#*x})) -le "${screen#*x}" ] &&
    ok "1. the window ($size) is on the screen" || not_ok "1. window $size on a $screen screen"
legend_whole "1. :zoom 1.5, a small graph" y

# ---- 2. step-through holds still ----------------------------------------------
shows=$(lines '^show ')
send fit 'y.backward(step=0.4)'
sleep 1
shot step
wait_for fit '^done: [0-9]* steps' 20
sleep 0.6
sizes=$(awk -v from="$shows" '$1 == "show" { n++ } n >= from && $1 == "window" { print $5 }' "$log" | sort -u)
distinct=$(printf '%s\n' $sizes | grep -c .)
places=$(awk -v from="$shows" '$1 == "show" { n++ } n >= from && $1 == "node" && $3 == "y" { print $5 }' "$log" | sort -u | grep -c .)
steps=$(($(lines '^show ') - shows))
[ "$distinct" = 1 ] && [ "$places" = 1 ] && [ "$steps" -ge 3 ] &&
    ok "2. step-through: $steps drawings, the window stays $size and y where it was" ||
    not_ok "2. step-through: window sizes$sizes, y at $places places over $steps drawings"

# ---- 3. refits: another graph, :zoom, :digits ------------------------------------
for change in 'c = 1.0; z = exp(c) * c + c^2; show(z)' ':zoom 1' ':digits 3'; do
    refits=$(lines '^refit')
    send fit "$change"
    settle '^refit' "$refits"
    settle '^view ' 0
    shot "refit_$(echo "$change" | tr -c 'a-z0-9' _ | cut -c1-12)"
    if [ "$(lines '^refit')" -gt "$refits" ] && whole; then
        ok "3. $change: refitted whole ($(grep '^refit' "$log" | tail -1 | cut -d' ' -f2-); $(last_view | cut -d' ' -f1-3))"
    else
        not_ok "3. $change: not refitted whole: $(last_view)"
    fi
done

# ---- 4. the inspector and the legend ----------------------------------------------
send fit ':zoom 1.5'
send fit ':digits full'
send fit 'y.backward(); show(y)'
sleep 2
if click b && logged "$log" '^inspector v' 5; then
    sleep 0.6
    shot inspector
    # the legend is in view: in the graph's area, or at the panel's foot
    legend_whole "4. the inspector open"
else
    not_ok "4. a click on node b opened no inspector"
fi

# ---- 5. too big: opens on its output, with a note -------------------------------
send fit 'm = mlp([8, 8, 1], activation=tanh, seed=0); X = randn(16, 2, seed=1); Y = randn(16, 1, seed=2)'
send fit 'L = mean((m(X) - Y)^2); L.backward()'
send fit 'show(L, fold=false)'   # in the window that shows y: another graph
wait_for fit 'show: the graph (7' 60
sleep 0.5
shot big
set -- $(last_view)
scale=$3
set -- L $(node_box L | awk '{ split($1, c, ","); print c[1], c[2] }') # in the view shown now
area=$(last_view | cut -d' ' -f7)
if awk -v s="$scale" -v x="${2:--1}" -v y="${3:--1}" -v a="$area" 'BEGIN { split(a, r, "x");
        exit !(s > 0.5 && s < 0.56 && x > 0 && y > 0 && x < r[1] && y < r[2]) }' &&
    screen_text fit | grep -q 'opens at 53% (readable text) on its .* part; drag to see the rest, 0 fits it whole'; then
    ok "5. a big graph opens at scale $scale on its output (L at $2,$3), and says how to see the rest"
else
    not_ok "5. big graph: scale $scale, L at ${2:-?},${3:-?} in $area"; screen_text fit | grep . | tail -4 | sed "s/^/     screen: /"
fi
legend_whole "5. a big graph opened on its output" L

# ---- 5b. the note on a big graph shown folded offers no fold=true ----------
# (mlp_explorer.ag's show(L, fold=true) was told "fold=true or depth=N draws less")
send fit 'L2 = mean((m(X) - Y)^2); L2.backward()'
send fit 'show(L2, fold=true)'
if wait_for fit 'show: the graph .*opens at .*, depth=N draws less' 60 &&
    ! screen_text fit | grep -A1 'show(L2, fold=true)' | grep -q 'fold=true or depth'; then
    ok "5b. a big folded graph's note names depth=N alone"
else
    not_ok "5b. a big folded graph's note"; screen_text fit | grep -A2 'show(L2, fold=true)' | sed "s/^/     screen: /"
fi

# ---- 5c. nor on a big graph with no group to fold ---------------------------
# (tanh_graph.ag's show(gx2): no def or layer, so fold=true changes nothing)
send fit 'w = 1.0; g = w; for i in range(12) { g = sin(g) * g + g }'
send fit 'show(g)'
tries=600
while [ "$tries" -gt 0 ] && ! screen_text fit | grep -A1 -F 'ag> show(g)' | grep -q 'draws less'; do
    sleep 0.1
    tries=$((tries - 1))
done
if screen_text fit | grep -A1 -F 'ag> show(g)' | grep -q 'opens at .*, depth=N draws less' &&
    ! screen_text fit | grep -A1 -F 'ag> show(g)' | grep -q 'fold=true'; then
    ok "5c. a big graph with no groups: the note names depth=N alone"
else
    not_ok "5c. a big graph with no groups: the note"; screen_text fit | grep -A2 -F 'ag> show(g)' | sed "s/^/     screen: /"
fi
sleep 0.5
legend_whole "5c. a big graph with no groups, opened on its output" g

# ---- 5d. a graph refused (past max_nodes) says so, and nothing of opening ----
# (the window keeps g's picture: "show: the graph ... opens at 80% ... drag to
# see the rest" said after the refusal read as if h had been drawn)
send fit 'u = 1.0; h = u; for i in range(30) { h = sin(h) + u }'
send fit 'show(h, max_nodes=20)'
tries=600 # the refusal goes to stderr, the session's err file here
while [ "$tries" -gt 0 ] && ! grep -q 'limit 20.*keeps the last picture' "$tmp/err"; do
    sleep 0.1
    tries=$((tries - 1))
done
sleep 1
if grep -q 'limit 20.*keeps the last picture' "$tmp/err" &&
    ! screen_text fit | grep -A3 -F 'ag> show(h, max_nodes=20)' | grep -q 'opens at'; then
    ok "5d. a graph past max_nodes: the window keeps its picture, and no note says the new one opens"
else
    not_ok "5d. a graph past max_nodes"; screen_text fit | grep -A3 -F 'ag> show(h, max_nodes=20)' | sed "s/^/     screen: /"
    grep 'limit 20' "$tmp/err" | sed "s/^/     stderr: /"
fi

# ---- 6. mlp_sine's folded graph: its output in view, readable ----------------
send fit 'x = rand([100, 1], seed=0); nograd { t = sin(2*pi*x) + rand([100, 1], seed=1) }'
send fit 'model = mlp([10, 1], activation=sigmoid, seed=0); loss = mse(model(x), t); loss.backward()'
shows=$(lines '^show ')
send fit 'show(loss, fold=true)'
settle '^show ' "$shows"
settle '^view ' 0
shot mlp_sine_folded
set -- $(last_view)
scale=$3
set -- loss $(node_box loss | awk '{ split($1, c, ","); print c[1], c[2] }') # in the view shown now
area=$(last_view | cut -d' ' -f7)
if awk -v s="$scale" -v x="${2:--1}" -v y="${3:--1}" -v a="$area" 'BEGIN { split(a, r, "x");
        exit !(s >= 0.8 / 1.5 - 1e-3 && x > 0 && y > 0 && x < r[1] && y < r[2]) }'; then
    ok "6. mlp_sine's folded graph opens at scale $scale (text >= 12 px) with its output in view (loss at $2,$3 in $area)"
else
    not_ok "6. mlp_sine's folded graph: scale $scale, loss at ${2:-?},${3:-?} in $area"
fi
legend_whole "6. mlp_sine's folded graph" loss

# ---- 7. the plot window beside the graph window ------------------------
# The graph window is up (loss); plot() opens the plot window: beside it when
# both fit on the screen, else offset so the graph window's top (its title
# bar, under a window manager) and its output node loss stay uncovered
send fit 'plot(1.0, "loss"); plot(0.5, "loss")'
sleep 2
geometry() { xdotool getwindowgeometry --shell "$1" | awk -F= '$1 == "X" || $1 == "Y" || $1 == "WIDTH" || $1 == "HEIGHT" { printf "%s ", $2 }'; }
# SDL names its windows in _NET_WM_NAME only, which xdotool's --name does
# not read: the graph window is where its trace says, the plot window the other
graph_id="" plot_id=""
set -- $(window_at)
graph_at="$1 $2 ${3%x*} ${3#*x}"
for wid in $(xdotool search --classname '^agrepl$' 2>/dev/null); do
    at=$(geometry "$wid")
    if [ "${at% }" = "$graph_at" ]; then graph_id=$wid; else plot_id=$wid; fi
done
if [ -n "$graph_id" ] && [ -n "$plot_id" ]; then
    shot plot_and_graph
    set -- $(geometry "$graph_id") $(geometry "$plot_id")
    gx=$1 gy=$2 gw=$3 gh=$4 px=$5 py=$6 pw=$7 ph=$8
    set -- $(node_in "$log" loss)
    lx=$((gx + ${2%.*})) ly=$((gy + ${3%.*}))
    verdict=$(awk -v gx="$gx" -v gy="$gy" -v gw="$gw" -v gh="$gh" -v px="$px" -v py="$py" -v pw="$pw" -v ph="$ph" \
                  -v lx="$lx" -v ly="$ly" -v screen="$screen" 'BEGIN {
        split(screen, s, "x")
        inside = gx >= 0 && gy >= 0 && px >= 0 && py >= 0 && gx + gw <= s[1] && px + pw <= s[1]
        apart = px >= gx + gw || px + pw <= gx || py >= gy + gh || py + ph <= gy
        top = !(px <= gx + 40 && px + pw >= gx && py <= gy + 30 && py + ph >= gy)
        output = !(lx >= px && lx <= px + pw && ly >= py && ly <= py + ph)
        print (inside && (apart || (top && output))) ? (apart ? "beside" : "offset") : "covered" }')
    if [ "$verdict" != covered ]; then
        ok "7. plot and graph windows $verdict: graph ${gw}x${gh}+${gx}+${gy}, plot ${pw}x${ph}+${px}+${py}, loss at $lx,$ly"
    else
        not_ok "7. the plot window covers the graph window: graph ${gw}x${gh}+${gx}+${gy}, plot ${pw}x${ph}+${px}+${py}, loss at $lx,$ly"
    fi
else
    not_ok "7. plot and graph windows: graph '$graph_id', plot '$plot_id'"
    xwininfo -root -tree | grep agrepl | sed 's/^/     window: /'
    screen_text fit | grep . | tail -4 | sed "s/^/     screen: /"
fi

# ---- L. after a resize: the legend still wholly in view ---------------------
# (the graph window of 6 made smaller, as a teacher does to see the terminal)
if [ -n "$graph_id" ]; then
    xdotool windowsize "$graph_id" 640 420
    sleep 1.5
    shot resized
    legend_whole "the graph window made 640x420" loss
    # the keys' help (?) in that window at :zoom 1.5: wholly in it too
    xdotool mousemove --window "$graph_id" 300 200
    xdotool windowfocus --sync "$graph_id" 2>/dev/null
    xdotool type '?'
    if logged "$log" '^help at' 5; then
        sleep 0.5
        shot help
        set -- $(grep '^help at' "$log" | tail -1 | awk '{ split($3, p, ","); split($5, s, "x"); split($7, a, "x");
            print p[1], p[2], s[1], s[2], a[1], a[2] }')
        [ "$1" -ge 0 ] && [ "$2" -ge 0 ] && [ $(($1 + $3)) -le "$5" ] && [ $(($2 + $4)) -le "$6" ] &&
            ok "L. the keys' help wholly in the 640x420 window ($3x$4 at $1,$2)" ||
            not_ok "L. the keys' help cut at the window's edge: $3x$4 at $1,$2 in $5x$6"
        xdotool type '?'
    else
        not_ok "L. ? showed no help"
    fi
else
    not_ok "L. no graph window to resize"
fi

send fit ':quit'
# the session writes its status into $tmp as it ends: removing $tmp before
# then left it behind
tries=50
while [ ! -s "$tmp/status" ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
echo "window fit ($screen): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
