#!/bin/sh
# make pictures: the README's pictures of the real thing, made again from the
# lesson scripts whenever the tool changes.  Windows run on a virtual X server
# (1024x720, so that each picture reads at the ~830 px GitHub shows it) in an
# interactive agrepl in tmux; xdotool clicks, ImageMagick's `import` takes
# the window.  Figures come from savefig.
#   graph_inspector.png  show(y) of the README's first session, the inspector
#                        open on x (the chain rule with its numbers), the
#                        graph fitted whole beside it (legend included)
#   mlp_folded.png       show(L, fold=true) of samples/mlp_explorer.ag's MLP
#   optimizer_race.png   samples/optimizer_race.ag, saved with savefig at the
#                        window's size: the contour with the descent paths
#   moons_boundary.png   samples/moons.ag, saved with savefig at the window's
#                        size once trained: the loss, the units' maps, the
#                        decision boundary
#   notebook_inspector.png  the backprop-by-hand notebook in Jupyter Notebook
#                        (headless Chromium, tests/python/browser_test.py), x clicked
#   web_page.png         the web page (build/web, made by make web) in headless
#                        Chromium: the first session, its graph with x clicked,
#                        the circle lesson's decision boundary (web_page.py)
# Usage: sh samples/pictures/pictures.sh [AGREPL [OUTDIR]]
set -u
AGREPL=${1:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here}
out=$(mkdir -p "$out" && cd "$out" && pwd)
samples=$(cd "$here/.." && pwd)

if [ -z "${AGREPL_PICTURES_INNER:-}" ]; then
    for tool in xvfb-run tmux import convert xdotool; do
        command -v "$tool" >/dev/null 2>&1 || { echo "pictures: $tool is missing (make deps installs it)"; exit 1; }
    done
    exec xvfb-run -a -s "-screen 0 1024x720x24 -noreset" env AGREPL_PICTURES_INNER=1 sh "$0" "$AGREPL" "$out"
fi

tmp=$(mktemp -d)
socket="agrepl-pictures-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
status=0

. "$samples/../tests/suites/xwin.sh" # screen_text, send, wait_for, logged, node_in
# said_for SESSION REGEX SECONDS: wait_for, saying what the screen shows when it fails
said_for() {
    wait_for "$@" && return 0
    echo "pictures: $1: no '$2' on the screen after $3 s:"
    screen_text "$1" | grep -v '^$' | tail -5 | sed 's/^/    /'
    return 1
}
start() { # SESSION: an interactive agrepl whose graph window logs to $tmp/SESSION.log
    tmux -L "$socket" -f /dev/null new-session -d -s "$1" -x 200 -y 50 \
        "cd '$tmp' && env -u AGREPL_HEADLESS HOME='$tmp' AGREPL_WINDOW_TRACE='$tmp/$1.log' DISPLAY='$DISPLAY' '$AGREPL' 2>>'$tmp/$1.err'"
    said_for "$1" 'ag> ' 20
}
window() { # TITLE SECONDS: the window's id once it is up
    tries=$(($2 * 10))
    while [ "$tries" -gt 0 ]; do
        for w in $(xdotool search --class agrepl 2>/dev/null); do
            [ "$(xdotool getwindowname "$w" 2>/dev/null)" = "$1" ] && { echo "$w"; return 0; }
        done
        sleep 0.1
        tries=$((tries - 1))
    done
    echo "pictures: no window '$1'" >&2
    return 1
}
node() { # SESSION LABEL: "X Y" of the node labelled LABEL in the last drawing
    node_in "$tmp/$1.log" "$2" | awk '{ print $2, $3 }'
}
session_logged() { logged "$tmp/$1.log" "$2" "$3"; } # SESSION REGEX SECONDS
shoot() { # WINDOW NAME: the window as NAME.png, small (8-bit palette when it looks the same)
    sleep 0.6
    import -window "$1" "$tmp/$2.png" &&
        convert "$tmp/$2.png" -strip -define png:compression-level=9 "$out/$2.png" &&
        echo "pictures: $out/$2.png $(identify -format '%wx%h' "$out/$2.png"), $(($(wc -c <"$out/$2.png") / 1024)) KB"
}

# ---- the graph window with the inspector ---------------------------------------
if start graph; then
    send graph ':digits 4'
    send graph 'x = 1.0; y = sin(x) + x^2; y.backward(); show(y)'
    if id=$(window "agrepl graph: y" 20) && session_logged graph '^node v[0-9]* x ' 10; then
        set -- $(node graph x)
        xdotool mousemove --window "$id" "$1" "$2" click 1
        if session_logged graph '^inspector ' 5; then
            # the whole graph beside the inspector (on this 1024 px screen
            # the window cannot widen for it): fit, as the 0 key does
            xdotool mousemove --window "$id" 2 2 key --window "$id" 0
            session_logged graph '^fit ' 5 || echo "pictures: the graph window did not fit"
            shoot "$id" graph_inspector || status=1
        else
            echo "pictures: the inspector did not open"; status=1
        fi
    else
        status=1
    fi
else
    status=1
fi

# ---- the folded MLP --------------------------------------------------------------
if start mlp; then
    # the lesson's model and loss (samples/mlp_explorer.ag, its first lines)
    sed -n '/^m = mlp/,/^print("loss:"/p' "$samples/mlp_explorer.ag" | while IFS= read -r line; do
        send mlp "$line"
    done
    send mlp ':digits 3'
    send mlp 'show(L, fold=true)'
    if id=$(window "agrepl graph: L" 30) && session_logged mlp '^show ' 10; then
        xdotool mousemove --window "$id" 2 2 key --window "$id" 0 # fit: the whole graph
        shoot "$id" mlp_folded || status=1
    else
        status=1
    fi
else
    status=1
fi

# ---- the optimizer race ------------------------------------------------------------
if start race; then
    send race ":load $samples/optimizer_race.ag"
    if said_for race '^adam beats adamw' 180; then
        send race "savefig(\"$tmp/optimizer_race.png\")"
        if said_for race "^wrote " 30; then
            convert "$tmp/optimizer_race.png" -strip -define png:compression-level=9 "$out/optimizer_race.png"
            echo "pictures: $out/optimizer_race.png $(identify -format '%wx%h' "$out/optimizer_race.png"), $(($(wc -c <"$out/optimizer_race.png") / 1024)) KB"
        else
            status=1
        fi
    else
        status=1
    fi
else
    status=1
fi
# ---- the decision boundary -------------------------------------------------------------
# samples/moons.ag in the live window, saved with savefig at the window's
# size once it has trained: the loss, every unit's map, the boundary.
if start moons; then
    send moons ":load $samples/moons.ag"
    if said_for moons '^accuracy ' 180; then
        send moons "savefig(\"$tmp/moons_boundary.png\")"
        if said_for moons "^wrote " 30; then
            convert "$tmp/moons_boundary.png" -strip -define png:compression-level=9 "$out/moons_boundary.png"
            echo "pictures: $out/moons_boundary.png $(identify -format '%wx%h' "$out/moons_boundary.png"), $(($(wc -c <"$out/moons_boundary.png") / 1024)) KB"
        else
            status=1
        fi
    else
        status=1
    fi
else
    status=1
fi
# ---- a notebook ----------------------------------------------------------------------
# The browser test (headless Chromium on Jupyter Notebook) runs the
# backprop-by-hand notebook and clicks x in its inline graph: its page
# screenshot, cut to the graph and the inspector.
if /usr/bin/python3 "$samples/../tests/python/browser_test.py" "$AGREPL" "$tmp/browser" >"$tmp/browser.log" 2>&1 &&
   [ -s "$tmp/browser/2-page-inspect-x.png" ]; then
    convert "$tmp/browser/2-page-inspect-x.png" -trim +repage -colors 256 -strip \
        -define png:compression-level=9 "$out/notebook_inspector.png"
    echo "pictures: $out/notebook_inspector.png $(identify -format '%wx%h' "$out/notebook_inspector.png"), $(($(wc -c <"$out/notebook_inspector.png") / 1024)) KB"
else
    echo "pictures: the notebook picture failed:"; tail -5 "$tmp/browser.log"
    status=1
fi
# ---- the web page ----------------------------------------------------------------------
web="$(dirname "$AGREPL")/web"
if [ ! -f "$web/agrepl.js" ]; then
    echo "pictures: no web page in $web (make web builds it): web_page.png not made"
    status=1
elif /usr/bin/python3 "$here/web_page.py" "$web" "$tmp/web_page.png" >"$tmp/web.log" 2>&1; then
    convert "$tmp/web_page.png" -strip -define png:compression-level=9 "$out/web_page.png"
    echo "pictures: $out/web_page.png $(identify -format '%wx%h' "$out/web_page.png"), $(($(wc -c <"$out/web_page.png") / 1024)) KB"
else
    echo "pictures: the web page's picture failed:"; tail -5 "$tmp/web.log"
    status=1
fi
exit $status
