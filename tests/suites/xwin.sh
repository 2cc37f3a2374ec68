# xwin.sh — shell helpers shared by the scripts that drive agrepl's windows
# on a virtual X server (tests/suites/window_*.sh, tests/suites/pace_window_test.sh,
# samples/pictures/pictures.sh).  Sourced (`. tests/suites/xwin.sh`), POSIX sh.
# Sessions are interactive agrepl sessions in tmux on the private server named by
# $socket (tmux -L), which the sourcing script sets.

# screen_text NAME: what session NAME's terminal shows, with its history.
screen_text() { tmux -L "$socket" capture-pane -p -J -t "$1" -S -3000; }

# send NAME TEXT: types TEXT and Enter into session NAME.
send() {
    tmux -L "$socket" send-keys -t "$1" -l "$2"
    tmux -L "$socket" send-keys -t "$1" Enter
}

# wait_for NAME REGEX SECONDS: status 0 once the session's screen matches.
wait_for() {
    tries=$(($3 * 10))
    while [ "$tries" -gt 0 ]; do
        screen_text "$1" | grep -q -- "$2" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# logged FILE REGEX SECONDS: status 0 once a line of FILE (a window's
# AGREPL_WINDOW_TRACE log) matches.
logged() {
    tries=$(($3 * 10))
    while [ "$tries" -gt 0 ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# node_in FILE LABEL: "NAME X Y" of the node labelled LABEL in the last
# drawing logged in FILE (screen place, in the view it was drawn in).
node_in() {
    awk -v label="$2" '$1 == "show" { at = "" } $1 == "node" && $3 == label { split($5, xy, ","); at = $2 " " xy[1] " " xy[2] } END { print at }' "$1"
}
