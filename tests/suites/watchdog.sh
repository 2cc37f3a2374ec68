#!/bin/sh
# watchdog.sh PID SECONDS NAME — started in the background by a shell test
# (`sh tests/suites/watchdog.sh $$ 600 reliability &`).  If the test PID
# starts no new process for SECONDS (a command stuck: the same processes
# running on), or is still running after 4 x SECONDS in all, print every
# process it was running (so a hang names its command in CI's log instead of
# stalling `make test` until CI gives up) and kill them all, the test first.
# The test kills the watchdog when it ends; a watchdog whose test is gone
# exits at its next look.
# (Time without progress, not the suite's whole time: beside other
# work, at a load average of 20 on 2 cores, a suite takes several times its
# usual wall time while every command in it still finishes.)
pid=$1 seconds=$2 name=$3
# the test and all of its descendants, except this watchdog
tree() {
    ps -e -o pid=,ppid= | awk -v root="$pid" -v self="$$" '
    { parent[$1] = $2 }
    END {
        for (p in parent) {
            for (q = p; q != "" && q != 1 && q != self; q = parent[q])
                if (q == root) { print p; break }
        }
    }' | sort -n | tr '\n' ' '
}
waited=0 still=0 last=""
while [ "$still" -lt "$seconds" ] && [ "$waited" -lt $((4 * seconds)) ]; do
    sleep 5 </dev/null >/dev/null 2>&1
    kill -0 "$pid" 2>/dev/null || exit 0
    waited=$((waited + 5))
    now=$(tree)
    if [ "$now" = "$last" ]; then still=$((still + 5)); else still=0 last=$now; fi
done
tree=$(tree)
if [ "$still" -ge "$seconds" ]; then
    echo "FAIL $name: no new command for $seconds s; what it was running:"
else
    echo "FAIL $name: still running after $waited s; what it was running:"
fi
ps -o pid=,etimes=,args= -p "$(echo $tree | tr ' ' ',')" | sed 's/^/    /'
kill -KILL $tree 2>/dev/null
exit 1
