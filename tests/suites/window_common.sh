#!/bin/sh
# window_common.sh — what the window suites share, sourced first by each
# (tests/suites/window_test.sh, window_explore_test.sh, window_layout_test.sh,
# window_scale_test.sh, pace_window_test.sh; `make window-tests` runs them
# all): the run under Xvfb (each suite runs itself again under xvfb-run),
# the counters, the X helper (xwin: find, close, frames), tmux sessions of
# agrepl and the helpers that read a window's AGREPL_WINDOW_TRACE log ($log)
# and drive its pointer ($id).
#
# Runs itself again under `xvfb-run -a -s "-screen 0 1600x900x24 -noreset"`, drives
# interactive agrepl sessions in tmux (a private server, -L), so they have a
# terminal and a display like a person's.  Screenshots come from ImageMagick's
# `import`; a small Xlib helper compiled here finds windows by title and
# closes them the way a window manager's close button does (Xvfb has no
# window manager, and xdotool/wmctrl are not needed).
#
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
# A session that lives as long as the suite: tmux's server exits when its
# last session ends, and a session started while it is exiting is lost (a
# script started right after `kill-session` of the only other one found no
# screen and no window)
tmux -L "$socket" -f /dev/null new-session -d -s keep 'sleep 86400'

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
# ended NAME SECONDS: agrepl's exit status once it has ended (within
# SECONDS), else "running".
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
# quit NAME: :quit, then the exit status of agrepl (or "running").
quit() {
    send "$1" ':quit'
    ended "$1" 5
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

# ---- a window's trace log and pointer (tests 6 to 11) ---------------------
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
