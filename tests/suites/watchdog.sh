#!/bin/sh
# watchdog.sh PID SECONDS NAME — started in the background by a shell test
# (`sh tests/suites/watchdog.sh $$ 600 reliability &`).  If the test PID is still
# running after SECONDS, print every process it was running (so a hang names
# its command in CI's log instead of stalling `make test` until CI gives up)
# and kill them all, the test first.  The test kills the watchdog when it
# ends; a watchdog whose test is gone exits at its next look.
pid=$1 seconds=$2 name=$3
waited=0
while [ "$waited" -lt "$seconds" ]; do
    sleep 5 </dev/null >/dev/null 2>&1
    kill -0 "$pid" 2>/dev/null || exit 0
    waited=$((waited + 5))
done
# the test and all of its descendants, except this watchdog
tree=$(ps -e -o pid=,ppid= | awk -v root="$pid" -v self="$$" '
    { parent[$1] = $2 }
    END {
        for (p in parent) {
            for (q = p; q != "" && q != 1 && q != self; q = parent[q])
                if (q == root) { print p; break }
        }
    }')
echo "FAIL $name: still running after $seconds s; what it was running:"
ps -o pid=,etimes=,args= -p "$(echo $tree | tr ' ' ',')" | sed 's/^/    /'
kill -KILL $tree 2>/dev/null
exit 1
