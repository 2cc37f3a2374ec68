#!/bin/sh
# Window tests: agrepl's live plot and graph windows on a virtual X server.
#
# Runs itself again under `xvfb-run -a -s "-screen 0 1600x900x24 -noreset"`, drives
# interactive agrepl sessions in tmux (a private server, -L), so they have a
# terminal and a display like a person's.  Screenshots come from ImageMagick's
# `import`; a small Xlib helper compiled here finds windows by title and
# closes them the way a window manager's close button does (Xvfb has no
# window manager, and xdotool/wmctrl are not needed).
#
#   1. live windows while a loop runs: the plot, the graph window of show(y)
#      called in the loop and track over a contour each show 5 different
#      frames in screenshots 0.1 s apart before the loop has used 2 s of CPU
#      time (the session's CPU, not the wall's, so it holds on a loaded
#      machine); again beside a CPU-bound busy loop the test starts and stops
#   2. the loop is less than 10 % slower with the window open: the CPU time
#      of the window's services inside the loop (AGREPL_WINDOW_TRACE) is
#      under 10 % of the loop's wall time (`:time on`), in one run
#   3. show(y) opens a window the size of the rendered PNG, not blank; it
#      follows y when y is rebound; backward(step=true) marks each step in it
#   4. closing the plot window mid-loop leaves the session running
#   5. a script run from a terminal shows its plot window and keeps it at the
#      end ("close the window or press Enter to exit") until Enter or the
#      window is closed; with stdin not a terminal, or --headless, it ends
#      at once and opens nothing
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
#   7, 8. the window's state and a layout that holds still (issue 24); a
#      group clicked open keeps the other boxes in place (moved only to make
#      room), folded back every node is where it was, and a group folded
#      while a later one is open moves nothing else
#   9. projector scale: the inspector's text (its line pitch on the screen: 18 px
#      text or more, 1.5 times at :zoom 1.5), a parameter's path and rows,
#      :zoom and :digits applied to the open window at once
#  10. a def call's constants inside its frame and box; step-through keeps
#      every box's size; a folded MLP fits the window at a readable scale
#  11. a click on a folded layer of a two-input model shows its units' maps
#      in the inspector, under the value and gradient (issue 48)
#
# Prints "window tests: N passed, M failed"; status 0 when none failed.
# Skips (status 0, with a message) when xvfb-run or another tool is missing.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"

if [ -z "${AGREPL_WINDOW_TESTS_INNER:-}" ]; then
    missing=""
    for tool in xvfb-run tmux import convert compare identify cc xdotool; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if [ -n "$missing" ]; then
        echo "window tests: skipped (not installed:$missing)"
        exit 0
    fi
    # -noreset: by default the X server resets whenever its last client
    # disconnects, and a session connecting during the reset is refused
    # (between two sessions here nobody is connected; a desktop never resets)
    exec xvfb-run -a -s "-screen 0 1600x900x24 -noreset" \
        env AGREPL_WINDOW_TESTS_INNER=1 AGREPL="$AGREPL" AGREPL_WINDOW_SHOTS="${AGREPL_WINDOW_SHOTS:-}" sh "$0"
fi

pass=0 fail=0
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
socket="agrepl-window-test-$$"
busy=""
cleanup() {
    [ -z "$busy" ] || kill "$busy" 2>/dev/null
    tmux -L "$socket" kill-server 2>/dev/null
    kill "$watchdog" 2>/dev/null
    rm -rf "$tmp"
}
sh "$(dirname "$0")/watchdog.sh" $$ 900 window & watchdog=$! # a hang fails naming what it ran
trap cleanup EXIT

ok() {
    echo "ok   $1"
    pass=$((pass + 1))
}
not_ok() {
    echo "FAIL $1"
    fail=$((fail + 1))
}

# ---- the X helper -----------------------------------------------------------
cat >"$tmp/xwin.c" <<'EOF'
/* xwin find TEXT: "ID WIDTH HEIGHT X Y TITLE" of the first mapped top-level
 * window whose title contains TEXT (status 1 when none);
 * xwin close ID: WM_PROTOCOLS/WM_DELETE_WINDOW, as a close button sends;
 * xwin frames ID PID DISTINCT CPU_MS INTERVAL_MS: screenshots of the window,
 * INTERVAL_MS apart, until they have shown DISTINCT different drawn
 * pictures (status 0), or process PID (the session drawing the window) has
 * used CPU_MS of CPU time since the first, or has ended (status 1).  One line
 * each ("MS CPU HASH drawn" or "... blank": wall ms and the session's CPU ms
 * since the first), then "distinct N cpu MS"; 60 s (a session that does
 * not run) or 256 screenshots end it too.  The session's CPU time is
 * the clock, not the wall's: beside other work the session, the X server
 * and this helper get a share of the machine each, and a fixed number of
 * screenshots over a fixed wall time measured that share.  Drawn: mostly
 * white background (an undrawn SDL window is black) with some dark content,
 * as drawn() below. */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int find(Display *display, const char *text) {
    Window root = DefaultRootWindow(display), parent, *children = NULL;
    unsigned int count = 0;
    if (!XQueryTree(display, root, &root, &parent, &children, &count)) return 1;
    int status = 1;
    for (unsigned int i = 0; i < count && status != 0; i++) {
        XWindowAttributes attributes;
        XTextProperty name;
        if (!XGetWindowAttributes(display, children[i], &attributes) ||
            attributes.map_state != IsViewable || !XGetWMName(display, children[i], &name) ||
            name.value == NULL)
            continue;
        if (strstr((const char *)name.value, text) != NULL) {
            int x = 0, y = 0;
            Window child;
            XTranslateCoordinates(display, children[i], root, 0, 0, &x, &y, &child);
            printf("0x%lx %d %d %d %d %s\n", (unsigned long)children[i], attributes.width,
                   attributes.height, x, y, (const char *)name.value);
            status = 0;
        }
        XFree(name.value);
    }
    if (children != NULL) XFree(children);
    return status;
}

static int close_window(Display *display, Window window) {
    XEvent event;
    memset(&event, 0, sizeof event);
    event.xclient.type = ClientMessage;
    event.xclient.window = window;
    event.xclient.message_type = XInternAtom(display, "WM_PROTOCOLS", False);
    event.xclient.format = 32;
    event.xclient.data.l[0] = (long)XInternAtom(display, "WM_DELETE_WINDOW", False);
    event.xclient.data.l[1] = CurrentTime;
    if (!XSendEvent(display, window, False, NoEventMask, &event)) return 1;
    XSync(display, False);
    return 0;
}

static double now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* An X error (a BadMatch from XGetImage when the window changed size
 * between reading its size and the capture: the graph window follows its
 * picture's size) is noted here instead of ending the helper. */
static int x_failed;
static int note_x_error(Display *display, XErrorEvent *event) {
    (void)display;
    (void)event;
    x_failed = 1;
    return 0;
}

/* FNV-1a over the window's pixels; *drawn as described above.  A capture
 * the resizing window spoiled is taken again (a few times). */
static int shot(Display *display, Window window, uint64_t *hash, int *drawn) {
    XImage *image = NULL;
    for (int attempt = 0; attempt < 5 && image == NULL; attempt++) {
        XWindowAttributes attributes;
        x_failed = 0;
        if (!XGetWindowAttributes(display, window, &attributes)) return -1;
        image = XGetImage(display, window, 0, 0, (unsigned)attributes.width,
                          (unsigned)attributes.height, AllPlanes, ZPixmap);
        XSync(display, False);
        if (x_failed && image != NULL) {
            XDestroyImage(image);
            image = NULL;
        }
    }
    if (image == NULL) return -1;
    uint64_t h = 1469598103934665603ULL;
    long white = 0, total = (long)image->width * image->height;
    for (int y = 0; y < image->height; y++)
        for (int x = 0; x < image->width; x++) {
            unsigned long pixel = XGetPixel(image, x, y) & 0xFFFFFF;
            white += pixel == 0xFFFFFF;
            for (int byte = 0; byte < 3; byte++) h = (h ^ ((pixel >> (8 * byte)) & 0xFF)) * 1099511628211ULL;
        }
    XDestroyImage(image);
    *hash = h;
    *drawn = total > 0 && white > total * 3 / 10 && white < total * 995 / 1000;
    return 0;
}

/* The CPU time (user + system) process pid has used, in ms; -1 when it is gone. */
static double cpu_ms(long pid) {
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *stat = fopen(path, "r");
    if (stat == NULL) return -1;
    size_t n = fread(line, 1, sizeof line - 1, stat);
    fclose(stat);
    line[n] = '\0';
    const char *rest = strrchr(line, ')'); /* after the command's name, which may hold spaces */
    unsigned long long utime = 0, stime = 0;
    char state = 0;
    if (rest == NULL ||
        sscanf(rest + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &utime, &stime) != 3 ||
        state == 'Z')
        return -1;
    return (double)(utime + stime) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

static int frames(Display *display, Window window, long pid, int want, int cpu_budget_ms, int interval_ms) {
    uint64_t seen[256];
    int distinct = 0, status = 1;
    double start = now_ms(), cpu_start = cpu_ms(pid), cpu = 0;
    for (int i = 0; i < 256 && cpu_start >= 0; i++) {
        double used = cpu_ms(pid);
        if (used < 0 || now_ms() - start > 60e3) break; /* gone, or idle (a hang) */
        cpu = used - cpu_start;
        if (cpu > cpu_budget_ms) break;
        uint64_t hash;
        int drawn;
        if (shot(display, window, &hash, &drawn) < 0) break;
        printf("%.0f %.0f %016llx %s\n", now_ms() - start, cpu, (unsigned long long)hash, drawn ? "drawn" : "blank");
        int known = 0;
        for (int j = 0; j < distinct; j++) known |= seen[j] == hash;
        if (drawn && !known) seen[distinct++] = hash;
        if (distinct >= want) {
            status = 0;
            break;
        }
        struct timespec pause = {interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
    printf("distinct %d cpu %.0f\n", distinct, cpu);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    Display *display = XOpenDisplay(NULL);
    if (display == NULL) return 2;
    XSetErrorHandler(note_x_error);
    int status = 2;
    if (strcmp(argv[1], "frames") == 0 && argc == 7)
        status = frames(display, (Window)strtoul(argv[2], NULL, 0), atol(argv[3]), atoi(argv[4]), atoi(argv[5]),
                        atoi(argv[6]));
    else if (argc != 3) status = 2;
    else if (strcmp(argv[1], "find") == 0) status = find(display, argv[2]);
    else if (strcmp(argv[1], "close") == 0)
        status = close_window(display, (Window)strtoul(argv[2], NULL, 0));
    XCloseDisplay(display);
    return status;
}
EOF
x11_flags=$(pkg-config --cflags --libs x11 2>/dev/null || echo -lX11)
# shellcheck disable=SC2086
if ! cc -std=c11 -D_POSIX_C_SOURCE=200809L -o "$tmp/xwin" "$tmp/xwin.c" $x11_flags 2>"$tmp/xwin.log"; then
    echo "window tests: skipped (cannot build the X helper: libX11 headers missing?)"
    exit 0
fi
xwin() { "$tmp/xwin" "$@"; }

# ---- sessions ---------------------------------------------------------------
. "$(dirname "$0")/xwin.sh" # screen_text, send, wait_for, logged, node_in
# start NAME [OPTIONS]: an interactive agrepl in tmux session NAME, in $tmp;
# its stderr goes to $tmp/NAME.err (shown when a window does not open).
start() {
    name=$1
    shift
    rm -f "$tmp/$name.status"
    tmux -L "$socket" -f /dev/null new-session -d -s "$name" -x 220 -y 50 \
        "cd '$tmp' && env -u AGREPL_HEADLESS ${start_env:-} HOME='$tmp' DISPLAY='$DISPLAY' XAUTHORITY='${XAUTHORITY:-}' '$AGREPL' $* 2>>'$tmp/$name.err'; echo \$? >'$tmp/$name.status'"
    wait_for "$name" 'ag> ' 10
}
# count NAME REGEX: how many lines of the session's screen match.
count() { screen_text "$1" | grep -c -- "$2"; }
# wait_window TITLE SECONDS: prints the xwin find line once the window is up.
wait_window() {
    tries=$(($2 * 10))
    while [ "$tries" -gt 0 ]; do
        xwin find "$1" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
# quit NAME: :quit, then the exit status of agrepl (or "running").
quit() {
    send "$1" ':quit'
    tries=50
    while [ "$tries" -gt 0 ]; do
        if [ -s "$tmp/$1.status" ]; then
            cat "$tmp/$1.status"
            return
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    echo running
}
# drawn FILE: status 0 when a window screenshot shows a drawing: mostly white
# background (an undrawn SDL window is black) with some dark content.
drawn() {
    white=$(convert "$1" -fill black +opaque white -format '%[fx:mean]' info: 2>/dev/null)
    awk -v w="${white:-0}" 'BEGIN { exit !(w > 0.3 && w < 0.995) }'
}
# differ A B: status 0 when two screenshots are not identical.
differ() {
    pixels=$(compare -metric AE "$1" "$2" null: 2>&1)
    awk -v p="${pixels:-0}" 'BEGIN { exit !(p > 0) }'
}
# the loop of tests 1, 2 and 4: n steps of Rosenbrock descent, the loss
# plotted every 100 steps
loop() {
    echo "for i in range($1) { x0.cleargrad(); x1.cleargrad(); y = rosenbrock(x0, x1); y.backward(); x0 -= 0.0001 * x0.grad; x1 -= 0.0001 * x1.grad; if i % 100 == 0 { plot(y, \"loss\", log=true) } }; print(\"loop\", \"done\")"
}
setup='x0 = 0.0; x1 = 2.0; def rosenbrock(a, b) = 100*(b - a^2)^2 + (a - 1)^2'

# ---- 1. live windows while a loop runs ---------------------------------------
# live WHAT TITLE LOOP: a session runs $setup, then LOOP, which opens the
# window titled TITLE as it starts.  Screenshots 0.1 s apart must show 5
# different drawn pictures before the session has used 2 s of CPU time in
# the loop (a window that redraws 5 times a second shows about 10 in 2 s on
# an idle machine; beside other work the loop gets less of the CPU and the
# window, paced in wall time, draws more often for each second of it).
# Then Ctrl-C stops the loop and the session must go on.
live() {
    what=$1 title=$2
    start live
    send live "$setup"
    send live "$3"
    # the session's process: the one child of the tmux pane's shell
    session=$(pgrep -P "$(tmux -L "$socket" list-panes -t live -F '#{pane_pid}')" | head -n 1)
    if window=$(wait_window "$title" 60); then
        xwin frames "${window%% *}" "${session:-0}" 5 2000 100 >"$tmp/frames.txt"
        set -- $(awk '$1 == "distinct" { print $2, $4 }' "$tmp/frames.txt")
        distinct=${1:-0} cpu=${2:-?}
        if [ "$(count live '^loop done')" -ne 0 ]; then
            not_ok "1. $what: the loop ended before the screenshots (too fast to test)"
        elif [ "$distinct" -ge 5 ]; then
            ok "1. $what: $distinct different frames while the loop used $cpu ms of CPU (2000 at most)"
        else
            not_ok "1. $what: $distinct different frames while the loop used $cpu ms of CPU (5 needed within 2000)"
            sed 's/^/     wall ms, cpu ms, picture: /' "$tmp/frames.txt"
        fi
    else
        not_ok "1. $what: no window opened"
        sed 's/^/     stderr: /' "$tmp/live.err"
    fi
    tmux -L "$socket" send-keys -t live C-c
    send live 'print("after", "the loop")'
    wait_for live '^after the loop$' 60 || not_ok "1. $what: the session does not answer after Ctrl-C"
    status=$(quit live)
    [ "$status" = 0 ] || not_ok "1. $what: :quit gave status $status"
}
# the loop of test 1 with the plot replaced: every 100 steps, STATEMENT.  Its
# rate is 10x smaller than the plot loop's: the tracked point must still move
# by whole pixels 2 s into the loop (at 0.0001 it reached the valley, where a
# step moves it less than a pixel, within 0.6 s once the loop ran at 1.2 us a
# step)
loop_with() {
    echo "for i in range(2000000) { x0.cleargrad(); x1.cleargrad(); y = rosenbrock(x0, x1); y.backward(); x0 -= 0.00001 * x0.grad; x1 -= 0.00001 * x1.grad; if i % 100 == 0 { $1 } }; print(\"loop\", \"done\")"
}
# three live windows, alone and then beside a CPU-bound busy loop
live_windows() {
    live "live plot$1" "agrepl plot" "$(loop 2000000)"
    live "graph window, show(y) in the loop$1" "agrepl graph: y" "$(loop_with 'show(y)')"
    live "track over a contour$1" "agrepl plot" \
        "contour(rosenbrock, [-0.5, 1.5], [-0.5, 2.5]); $(loop_with 'track(x0, x1)')"
}
live_windows ""
sh -c 'while :; do :; done' &
busy=$!
live_windows " (beside a busy loop)"
kill "$busy"
wait "$busy" 2>/dev/null
busy=""

# ---- 2. the window slows the loop by less than 10 % -------------------------
# What the window costs a loop is the drawing and event pumping its own
# process does between the loop's steps, paced to at most every 100-150 ms
# of wall time.  Measured in one run (issue 52, item 9): the session's trace
# (AGREPL_WINDOW_TRACE) gives the CPU time of each service of the windows
# inside the loop, :time the loop's wall time; the services must take under
# 10 % of it.  On an idle machine that is the slowdown; beside other work the
# loop takes longer in wall time and is served more often, each service
# costing the same, so the ratio holds.  (Two runs compared, --headless and
# with the window, measured the machine instead: seconds apart they saw
# other shares of a loaded 2-core machine, and in CPU time a loop stretched
# in wall time drew proportionally more frames.)
rm -f "$tmp/share.log"
start_env="AGREPL_WINDOW_TRACE='$tmp/share.log'" start timed
start_env=""
send timed "$setup"
# open the window first: what is measured is a loop with the window open,
# not SDL's start-up
send timed 'plot(1, "loss"); clearplot()'
sleep 0.3
send timed ':time on'
send timed "$(loop 200000)"
if wait_for timed '^loop done' 120 && wait_for timed '^time: [0-9.]* ms' 10; then
    # (the loop's line, the longest: the print after it is timed too)
    wall=$(screen_text timed | awk '/^time: [0-9.]* ms/ && $2 > w { w = $2 } END { print w + 0 }')
    set -- $(awk '/^loop service: / { n++; cpu += $3 } END { printf "%d %.1f\n", n, cpu }' "$tmp/share.log" 2>/dev/null)
    services=${1:-0} cpu=${2:-0}
    echo "     loop of 200000 steps: $wall ms of wall time, $services services of the window taking $cpu ms of CPU"
    if [ "$services" -ge 2 ] && awk -v c="$cpu" -v w="$wall" 'BEGIN { exit !(w > 0 && c / w < 0.10) }'; then
        ok "2. slowdown with the window open is under 10 %"
    else
        not_ok "2. slowdown with the window open is 10 % or more (or the window was not served in the loop)"
    fi
else
    not_ok "2. the loop with the window open did not finish: $(screen_text timed | tail -n 5)"
fi
quit timed >/dev/null

# ---- 3. show(y): the graph window -------------------------------------------
# the window's picture is render()'s, with room kept in each variable's box
# for the widest value :digits prints and in the legend for what a
# step-through adds (so that new values move no box): as tall as the PNG
# within a few pixels, at least as wide; the window is the picture's size
# (AGREPL_WINDOW_TRACE's "show WxH")
start_env="AGREPL_WINDOW_TRACE='$tmp/graph.log'" start graph
start_env=""
# picture: "W H" of the window's last picture
picture() { grep '^show ' "$tmp/graph.log" 2>/dev/null | tail -1 | sed 's/^show \([0-9]*\)x\([0-9]*\) .*/\1 \2/'; }
send graph 'x = 1.0; y = sin(x) + x^2 * exp(x)'
send graph 'render(y, "graph.png")'
send graph 'show(y)'
if window=$(wait_window "agrepl graph: y" 20); then
    id=${window%% *}
    set -- $window
    png_size=$(identify -format '%w %h' "$tmp/graph.png" 2>/dev/null)
    if [ "$2 $3" = "$(picture)" ] && echo "$(picture) $png_size" | awk '{ exit !($1 >= $3 && $2 >= $4 - 8 && $2 <= $4 + 8) }'; then
        ok "3. show: the window is the size of its picture ($2x$3; render()'s PNG $png_size)"
    else
        not_ok "3. show: window $2x$3, its picture $(picture), rendered PNG ${png_size:-missing}"
    fi
    sleep 0.3
    import -window "$id" "$tmp/graph1.png" 2>/dev/null
    drawn "$tmp/graph1.png" && ok "3. show: the graph is drawn" || not_ok "3. show: the window is blank"

    # rebinding y: the window follows it after the statement
    send graph 'y = y * 2'
    send graph 'render(y, "graph2.png")'
    wait_for graph 'wrote graph2.png' 10
    sleep 0.3
    set -- $(xwin find "agrepl graph: y")
    png_size=$(picture)
    import -window "$id" "$tmp/graph2-shot.png" 2>/dev/null
    # the picture's size, or scaled down whole to fit the 1600x900 screen
    if { [ "$2 $3" = "$png_size" ] || echo "$2 $3 $png_size" | awk '{ sx = $1 / $3; sy = $2 / $4; d = sx - sy
            exit !(sx < 1 && d * d < 0.0001 && ($3 > 1560 || $4 > 820)) }'; } &&
        differ "$tmp/graph1.png" "$tmp/graph2-shot.png"; then
        ok "3. show: the window follows y when it is rebound ($2x$3, picture $png_size)"
    else
        not_ok "3. show: after y = y * 2 the window is $2x$3, the new graph ${png_size:-missing}"
    fi

    # stepping through backward marks each function in the window
    send graph 'y.backward(step=true)'
    wait_for graph 'Enter: go on' 10
    if marked=$(wait_window "(backward: Mul)" 5); then
        import -window "${marked%% *}" "$tmp/step.png" 2>/dev/null
        drawn "$tmp/step.png" && ok "3. step: the window shows the function in progress" ||
            not_ok "3. step: the window is blank while stepping"
    else
        not_ok "3. step: no window titled with the function in progress"
    fi
    send graph 'q'
    wait_for graph '^done: ' 10
    again=no
    for try in $(seq 1 100); do
        if xwin find "agrepl graph: y" | grep -q ' agrepl graph: y$'; then
            again=yes
            break
        fi
        sleep 0.1
    done
    [ "$again" = yes ] && ok "3. step: afterwards the window shows y's graph again" ||
        not_ok "3. step: the window still shows the step"
else
    not_ok "3. show: no graph window opened"
    sed 's/^/     stderr: /' "$tmp/graph.err"
fi
status=$(quit graph)
[ "$status" = 0 ] && ok "3. show: :quit exits with status 0" || not_ok "3. show: :quit gave status $status"

# ---- 4. closing the plot window mid-loop ------------------------------------
start closing
send closing "$setup"
send closing "$(loop 1000000)"
if window=$(wait_window "agrepl plot" 20); then
    id=${window%% *}
    sleep 0.3
    xwin close "$id"
    gone=no
    for try in $(seq 1 50); do
        if ! xwin find "agrepl plot" | grep -q "^$id "; then
            gone=yes
            break
        fi
        sleep 0.1
    done
    running=$(count closing '^loop done')
    [ "$gone" = yes ] && [ "$running" -eq 0 ] && ok "4. close: the window closed while the loop ran" ||
        not_ok "4. close: window closed: $gone, loop still running: $([ "$running" -eq 0 ] && echo yes || echo no)"
    if wait_for closing '^loop done' 120; then
        send closing 'print("still", "here")'
        if wait_for closing '^still here$' 10; then
            ok "4. close: the session goes on (answers print)"
        else
            not_ok "4. close: the session does not answer after the window closed"
            screen_text closing | grep -v '^$' | tail -4 | sed 's/^/     screen: /'
            sed 's/^/     stderr: /' "$tmp/closing.err"
        fi
    else
        not_ok "4. close: the loop did not finish after the window closed"
    fi
    send closing 'plot(1, "again")'
    wait_window "agrepl plot" 5 >/dev/null && ok "4. close: the next plot opens a window again" ||
        not_ok "4. close: no window after the next plot"
else
    not_ok "4. close: no plot window opened"
    sed 's/^/     stderr: /' "$tmp/closing.err"
fi
status=$(quit closing)
[ "$status" = 0 ] && ok "4. close: :quit exits with status 0" || not_ok "4. close: :quit gave status $status"

# ---- 5. a script from a terminal keeps its windows --------------------------
printf '%s\n' 'for i in range(20) { plot(1 / (i + 1), "loss") }' 'print("lesson", "done")' \
    >"$tmp/lesson.ag"
# script NAME ARGS...: agrepl ARGS in tmux session NAME (a terminal, the display)
script() {
    name=$1
    shift
    rm -f "$tmp/$name.status"
    tmux -L "$socket" -f /dev/null new-session -d -s "$name" -x 160 -y 20 \
        "cd '$tmp' && env -u AGREPL_HEADLESS HOME='$tmp' DISPLAY='$DISPLAY' XAUTHORITY='${XAUTHORITY:-}' '$AGREPL' $* 2>>'$tmp/$name.err'; echo \$? >'$tmp/$name.status'; sleep 30"
}
# ended NAME SECONDS: agrepl's exit status once it has ended, else "running"
ended() {
    tries=$(($2 * 10))
    while [ "$tries" -gt 0 ]; do
        if [ -s "$tmp/$1.status" ]; then
            cat "$tmp/$1.status"
            return
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    echo running
}
script enter lesson.ag
if wait_for enter '^close the window or press Enter to exit' 20 && window=$(wait_window "agrepl plot" 10); then
    id=${window%% *}
    sleep 0.5
    import -window "$id" "$tmp/script.png" 2>/dev/null
    still=$(ended enter 1)
    if drawn "$tmp/script.png" && [ "$still" = running ] && [ "$(count enter '^lesson done')" = 1 ]; then
        ok "5. script: ran to its end, its plot window drawn and kept open"
    else
        not_ok "5. script: window drawn: $(drawn "$tmp/script.png" && echo yes || echo no), agrepl: $still"
    fi
    tmux -L "$socket" send-keys -t enter Enter
    status=$(ended enter 5)
    if [ "$status" = 0 ] && ! xwin find "agrepl plot" >/dev/null; then
        ok "5. script: Enter ends it (status 0) and the window goes"
    else
        not_ok "5. script: after Enter agrepl is $status"
    fi
else
    not_ok "5. script: no window or no 'close the window or press Enter to exit'"
    screen_text enter | grep -v '^$' | tail -4 | sed 's/^/     screen: /'
    sed 's/^/     stderr: /' "$tmp/enter.err"
fi
tmux -L "$socket" kill-session -t enter 2>/dev/null

script closed lesson.ag
if wait_for closed '^close the window or press Enter to exit' 20 && window=$(wait_window "agrepl plot" 10); then
    xwin close "${window%% *}"
    status=$(ended closed 5)
    [ "$status" = 0 ] && ok "5. script: closing the window ends it (status 0)" ||
        not_ok "5. script: after closing the window agrepl is $status"
else
    not_ok "5. script: no window to close"
fi
tmux -L "$socket" kill-session -t closed 2>/dev/null

# stdin not a terminal (CI), or --headless: no window, no wait
script piped lesson.ag "</dev/null"
script headless --headless lesson.ag
for name in piped headless; do
    status=$(ended "$name" 10)
    if [ "$status" = 0 ] && ! screen_text "$name" | grep -q 'close the window' &&
        ! xwin find "agrepl plot" >/dev/null; then
        ok "5. script: $name: ends at once, no window"
    else
        not_ok "5. script: $name: agrepl $status; $(screen_text "$name" | grep -c 'close the window') wait messages"
    fi
    tmux -L "$socket" kill-session -t "$name" 2>/dev/null
done

# ---- 6. the graph explorer ----------------------------------------------------
log="$tmp/explore.log"
# seen REGEX SECONDS: status 0 once a line of the window's log matches
seen() { logged "$log" "$1" "$2"; }
# lines REGEX: how many lines of the log match
lines() { grep -c -- "$1" "$log" 2>/dev/null; }
# node LABEL: "NAME X Y" of the node labelled LABEL in the log's last drawing
node() { node_in "$log" "$1"; }
# at LABEL: "NAME X Y" of the node labelled LABEL on the screen now: its place
# in the last picture drawn ("picture X,Y") through the last view, zoom, pan
# or fit logged (a drawing logs screen places in the view it was drawn in)
at() {
    awk -v label="$1" '
        function offset(field) { split(field, o, ","); ox = o[1]; oy = o[2] }
        $1 == "show" { name = "" }
        $1 == "node" && $3 == label { split($9, xy, ","); name = $2; px = xy[1]; py = xy[2] }
        $1 == "view" || $1 == "fit" { s = $3; offset($5) }
        $1 == "zoom" { s = $6; offset($8) }
        $1 == "pan" { offset($4) }
        END { if (name != "") printf "%s %.0f %.0f\n", name, px * s + ox, py * s + oy }' "$log"
}
# span_of FILE X0 X1 Y: from the first to the last pixel of row Y between X0
# and X1 with a function node's fill colour (#90CAF9): the node's width there
span_of() {
    convert "$1" -crop "$(($3 - $2))x1+$2+$4" +repage txt:- 2>/dev/null |
        awk -F'[,:]' 'tolower($0) ~ /#90caf9/ { if (first == "") first = $1; last = $1 } END { print last - first + 1 }'
}
# point MS: hover/click helpers through xdotool, relative to the window
pointer() { xdotool mousemove --window "$id" "$1" "$2"; }
# (AGREPL_WINDOW_SHOTS=DIR keeps a copy of each, to look at)
shot() {
    sleep 0.4
    import -window "$id" "$tmp/$1.png" 2>/dev/null
    [ -z "${AGREPL_WINDOW_SHOTS:-}" ] || cp "$tmp/$1.png" "$AGREPL_WINDOW_SHOTS/" 2>/dev/null
}
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

# ---- 7. the window's state (issue 24) -----------------------------------------
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

# ---- 8. the layout holds still (issue 24) ---------------------------------------
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

# ---- 9. projector scale in the inspector (issue 24) --------------------------------
# a parameter's inspector is headed by its path and shows each matrix row on
# one line (18 px text), scrolling sideways; :zoom and :digits change the open
# window at once (no new show)
log="$tmp/scale.log"
# pitch FILE: the median distance in pixels between the tops of the text lines
# in the right 480 px of a screenshot (the inspector's panel; the scroll bar
# at the bottom left out).  DejaVu Sans Mono's line is 1.164 em, so 18 px text
# has lines 21 px apart.
pitch() {
    set -- "$1" "$(identify -format %w "$1")" "$(identify -format %h "$1")"
    convert "$1" -crop "480x$(($3 - 40))+$(($2 - 500))+0" +repage -colorspace gray -threshold 50% -negate \
        -scale "1x$(($3 - 40))!" txt:- 2>/dev/null |
        awk -F'[,:() ]+' 'NR > 1 { ink = $4 + 0 > 0; if (ink && !was) { if (n) print $2 - last; last = $2; n++ } was = ink }' |
        sort -n | awk '{ d[NR] = $1 } END { print (NR ? d[int((NR + 1) / 2)] : 0) }'
}
start_env="AGREPL_WINDOW_TRACE='$log'" start scale
start_env=""
send scale 'm = mlp([10, 10, 1], seed=0); X = randn(4, 10, seed=1); L = mean(m(X)^2); L.backward(); show(L)'
if window=$(wait_window "agrepl graph: L" 20) && seen '^node v[0-9]* m.linear\[1\].w ' 10; then
    id=${window%% *}
    set -- $(at 'm.linear[1].w') # its place through the last view or fit logged
    pointer "$2" "$3"
    xdotool click 1
    # a loaded machine (a fresh-check's CI run) once clicked before the window's
    # last fit and missed: once more, at the place as it is now
    if ! seen '^inspector ' 5; then
        set -- $(at 'm.linear[1].w')
        pointer "$2" "$3"
        xdotool click 1
    fi
    if seen '^inspector .* text 18px$' 5 && seen '^| m.linear\[1\].w$' 1 &&
        [ "$(grep -c '^|   \[[0-9]\]  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*  *[-0-9.e]*$' "$log")" -ge 20 ]; then
        ok "9. scale: a parameter's inspector is headed m.linear[1].w, 18 px text, each row of its value and gradient on one line"
    else
        not_ok "9. scale: the parameter's inspector: $(grep -A4 '^inspector' "$log" | tr '\n' ' ')"
    fi
    shot scale_inspector
    pitch1=$(pitch "$tmp/scale_inspector.png")
    [ "$pitch1" -ge 21 ] && ok "9. scale: the inspector's lines are $pitch1 px apart on the screen (18 px text or more)" ||
        not_ok "9. scale: the inspector's lines are $pitch1 px apart (18 px text needs 21)"
    # sideways: the horizontal wheel (buttons 6 and 7) over the panel
    set -- $(xwin find "agrepl graph: L")
    pointer $(($2 - 200)) 200
    xdotool click 7 click 7
    seen '^scroll sideways 80$' 5 && shot scale_sideways && differ "$tmp/scale_inspector.png" "$tmp/scale_sideways.png" &&
        ok "9. scale: the rows scroll sideways" || not_ok "9. scale: no sideways scroll ($(grep scroll "$log" | tail -1))"
    set -- $(grep '^show ' "$log" | tail -1)
    before=$2
    shows=$(lines '^show ')
    send scale ':zoom 1.5'
    if seen '^inspector .* text 27px$' 10 && [ "$(lines '^show ')" -gt "$shows" ]; then
        set -- $(grep '^show ' "$log" | tail -1)
        awk -v b="$before" -v a="$2" 'BEGIN { split(b, x, "x"); split(a, y, "x"); r = y[1] / x[1]; exit !(r > 1.3 && r < 1.6) }' &&
            ok "9. scale: :zoom 1.5 redraws the open window at once (picture $before → $2, inspector text 27 px)" ||
            not_ok "9. scale: :zoom 1.5: picture $before → $2"
    else
        not_ok "9. scale: :zoom 1.5 did not change the open window"
    fi
    shot scale_zoomed
    pitch15=$(pitch "$tmp/scale_zoomed.png")
    awk -v a="$pitch1" -v b="$pitch15" 'BEGIN { exit !(b / a > 1.4 && b / a < 1.6) }' &&
        ok "9. scale: at :zoom 1.5 the inspector's lines are $pitch15 px apart on the screen (were $pitch1)" ||
        not_ok "9. scale: at :zoom 1.5 the inspector's lines are $pitch15 px apart (were $pitch1)"
    send scale ':digits 3'
    if seen '^|   \[0\]  *-0.208  *0.205 ' 10; then
        ok "9. scale: :digits 3 changes the open inspector at once"
    else
        not_ok "9. scale: :digits 3: $(grep '^|   \[0\]' "$log" | tail -1)"
    fi
else
    not_ok "9. scale: no graph window with m.linear[1].w"
    sed 's/^/     stderr: /' "$tmp/scale.err"
fi
status=$(quit scale)
[ "$status" = 0 ] || not_ok "9. scale: :quit gave status $status"

# ---- 10. groups and step-through (issue 24) ----------------------------------------
# the constants made inside a def call are drawn inside its frame and fold
# into its box; the steps of a backward keep every box's size (the function
# in progress does not grow past its place); an MLP folded fits the screen at
# a readable scale
log="$tmp/groups.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start groups
start_env=""
send groups 'def rosen(a, b) = 100*(b - a^2)^2 + (a - 1)^2'
send groups 'x0 = 0.5; x1 = 1.5; r = rosen(x0, x1); r.backward(); show(r, fold=false)'
if window=$(wait_window "agrepl graph: r" 20) && seen '^frame box0 ' 10; then
    id=${window%% *}
    sleep 0.5
    shot groups_frame
    # every constant's centre inside the frame of rosen(x0, x1)
    inside=$(awk '$1 == "show" { n = 0; c = 0; delete cx } $1 == "node" && $3 ~ /^const:/ { split($5, xy, ","); cx[++c] = xy[1] " " xy[2] }
        $1 == "frame" { split($4, at, ","); split($6, size, "x"); x0 = at[1]; y0 = at[2]; x1 = x0 + size[1]; y1 = y0 + size[2] }
        END { for (i = 1; i <= c; i++) { split(cx[i], p, " "); if (p[1] > x0 && p[1] < x1 && p[2] > y0 && p[2] < y1) n++ }; print n "/" c }' "$log")
    [ "${inside%/*}" = "${inside#*/}" ] && [ "${inside#*/}" -ge 2 ] &&
        ok "10. groups: the constants made inside rosen(x0, x1) are drawn inside its frame ($inside)" ||
        not_ok "10. groups: constants inside the frame: $inside"
    shows=$(lines '^show ')
    send groups 'show(r, fold=true)'
    tries=50
    while [ "$(lines '^show ')" -le "$shows" ] && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    sleep 0.3
    last=$(grep -n '^show ' "$log" | tail -1 | cut -d: -f1)
    consts=$(tail -n +"$last" "$log" | grep -c '^node v[0-9]* const:')
    [ "$consts" = 0 ] && seen '^node box0 ' 1 &&
        ok "10. groups: folded, the box holds them (no constant drawn as its input)" ||
        not_ok "10. groups: folded, $consts constants drawn outside the box"
    # step-through: every node keeps its size from step to step
    send groups 'show(r, fold=false)'
    sleep 1
    shows=$(lines '^show ')
    send groups 'r.backward(step=0.4)'
    wait_for groups '^done: [0-9]* steps' 30
    sleep 0.5
    shot groups_steps
    sizes=$(awk -v from="$shows" '$1 == "show" { n++ } n > from && $1 == "node" && $2 ~ /^f/ { print $2, $7 }' "$log" | sort -u |
        awk '{ c[$1]++ } END { for (k in c) if (c[k] > 1) grown++; print grown + 0 }')
    steps=$(($(lines '^show ') - shows))
    [ "$steps" -ge 5 ] && [ "$sizes" = 0 ] &&
        ok "10. step: $steps drawings of the steps, no function's box changes size" ||
        not_ok "10. step: $steps drawings, $sizes functions changed size"
else
    not_ok "10. groups: no frame drawn for rosen(x0, x1)"
    sed 's/^/     stderr: /' "$tmp/groups.err"
fi
status=$(quit groups)
[ "$status" = 0 ] || not_ok "10. groups: :quit gave status $status"

log="$tmp/mlpfit.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start mlpfit
start_env=""
send mlpfit 'm = mlp([10, 10, 1], seed=0); X = randn(4, 10, seed=1); L = mean(m(X)^2); L.backward(); show(L, fold=true)'
if window=$(wait_window "agrepl graph: L" 20) && seen '^view ' 10; then
    id=${window%% *}
    sleep 0.5
    shot mlp_folded
    set -- $(grep '^show ' "$log" | tail -1)
    picture=$2
    set -- $(grep '^view ' "$log" | tail -1)
    # the whole picture in the window at 80 % or more: node text (15 px at 100 %) at least 12 px
    if awk -v s="$3" -v p="$picture" -v a="$7" 'BEGIN { split(p, q, "x"); split(a, r, "x");
        exit !(s >= 0.8 && q[1] * s <= r[1] + 1 && q[2] * s <= r[2] + 1) }'; then
        ok "10. big graph: mlp([10, 10, 1]) folded fits the window whole at scale $3 (picture $picture in $7)"
    else
        not_ok "10. big graph: mlp([10, 10, 1]) folded: picture $picture at scale $3 in $7"
    fi
else
    not_ok "10. big graph: no window for the folded MLP"
fi
status=$(quit mlpfit)
[ "$status" = 0 ] || not_ok "10. big graph: :quit gave status $status"

# ---- 11. a layer's units in the inspector (issue 48) ----------------------------
# A click on a folded layer of a two-input model opens it and inspects what
# leaves it: its value and gradient, and under them every unit's map over
# the plane (the last boundary's or neurons' plane), drawn in the colours
# of neurons(); the screenshot's inspector holds their coloured pixels
log="$tmp/maps.log"
start_env="AGREPL_WINDOW_TRACE='$log'" start maps
start_env=""
send maps 'x, t = moons(60, noise=0.1, seed=1); m = mlp([4, 4, 1], activation=tanh, seed=1)'
send maps 'L = mean((m(x) - reshape(t, [60, 1]))^2); L.backward(); show(L, fold=true)'
if window=$(wait_window "agrepl graph: L" 20) && seen '^node box' 10; then
    id=${window%% *}
    sleep 0.5
    shot maps_folded
    # the layer nearest the inputs: the box drawn highest (inputs on top)
    set -- $(awk '$1 == "node" && $2 ~ /^box/ { split($5, xy, ","); if (best == "" || xy[2] < y) { best = $2; x = xy[1]; y = xy[2] } }
                  END { print best, x, y }' "$log")
    box=$1
    pointer "$2" "$3"
    xdotool click 1
    if seen "^expand $box" 5 && seen '^inspector maps 4 units grid 32' 10; then
        ok "11. maps: a click on the folded first layer ($box) inspects its output with 4 units' maps ($(grep '^inspector maps' "$log" | tail -1 | cut -d: -f2-))"
        grep -q '^| value:' "$log" && grep -q '^| grad' "$log" &&
            ok "11. maps: beside the output's value and gradient" ||
            not_ok "11. maps: the inspector's text has no value or gradient: $(grep '^| ' "$log" | head -8 | tr '\n' ' ')"
        sleep 0.5
        shot maps_open
        # the panel is the window's right 560 px: coloured (the maps' orange
        # and blue) there now, and none before the click
        set -- $(identify -format '%w %h' "$tmp/maps_open.png")
        coloured() {
            convert "$1" -crop "560x$3+$(($2 - 560))+0" +repage -colorspace HSL -channel G -separate +channel \
                -threshold 25% -format '%[fx:mean]' info:
        }
        after=$(coloured "$tmp/maps_open.png" "$1" "$2")
        before=$(coloured "$tmp/maps_folded.png" "$1" "$2")
        if awk -v a="$after" -v b="$before" 'BEGIN { exit !(a >= 0.03 && a > 4 * b) }'; then
            ok "11. maps: the inspector shows them (coloured share of the panel $after, $before before the click)"
        else
            not_ok "11. maps: the panel's coloured share is $after ($before before the click)"
        fi
    else
        not_ok "11. maps: no maps after a click on $box: $(grep -E '^(click|expand|inspector)' "$log" | tail -5 | tr '\n' ' ')"
    fi
else
    not_ok "11. maps: no graph window with folded layers"
    sed 's/^/     stderr: /' "$tmp/maps.err"
fi
status=$(quit maps)
[ "$status" = 0 ] || not_ok "11. maps: :quit gave status $status"

echo "windows: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
