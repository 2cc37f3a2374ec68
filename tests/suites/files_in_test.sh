#!/bin/sh
# files_in_test.sh: `agrepl --files-in DIR` (a classroom's kernels run with
# --files-in ~) reads and writes files only inside DIR.  Two students'
# folders side by side; alice's session tries every statement that names a
# file (:load, :save, :save!, render, dot, savefig, save/load of weights) on
# bob's files through .., an absolute path, a symbolic link and a dangling
# link: each is refused with the message below and bob's folder is unchanged,
# while the same statements inside alice's folder work and lessons by name
# still load.  Ends with "N passed, M failed".
AGREPL=${AGREPL:-build/agrepl}
case $AGREPL in /*) ;; *) AGREPL=$(pwd)/$AGREPL ;; esac
export AGREPL_HEADLESS=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

mkdir -p "$tmp/class/alice" "$tmp/class/bob/private"
echo 'secret = 42' >"$tmp/class/bob/secret.ag"
echo 'bob' >"$tmp/class/bob/notes.txt"
ln -s ../bob "$tmp/class/alice/to_bob"
ln -s "$tmp/class/bob/new.svg" "$tmp/class/alice/dangling"
root=$(cd "$tmp/class/alice" && pwd -P)
before=$(cd "$tmp/class/bob" && ls -laR . | md5sum)

# refused: each statement alone, its first error line compared whole
refused() { # STATEMENT EXPECTED-ERROR
    out=$(cd "$tmp/class/alice" && HOME="$tmp/class/alice" "$AGREPL" --files-in '~' -e "$1" 2>&1)
    line=$(printf '%s\n' "$out" | grep -m1 'error:' | sed 's/^-e:[0-9]*:[0-9]*: error: //')
    if [ "$line" = "$2" ]; then ok; else bad "$1: got '$line', want '$2'"; fi
}
o="is outside this session's folder $root (--files-in)"
refused ':load ../bob/secret.ag' ":load: ../bob/secret.ag $o"
refused ":load $tmp/class/bob/secret.ag" ":load: $tmp/class/bob/secret.ag $o"
refused ':load to_bob/secret.ag' ":load: to_bob/secret.ag $o"
refused ':load to_bob/../bob/notes.txt' ":load: to_bob/../bob/notes.txt $o"
refused 'x = 1.0' '' # nothing refused: no error line
refused ':save ../bob/mine.ag' ":save: ../bob/mine.ag $o"
refused ':save! to_bob/secret.ag' ":save!: to_bob/secret.ag $o"
refused 'x = 1.0; render(sin(x), "../bob/g.svg")' "render: ../bob/g.svg $o"
refused 'x = 1.0; render(sin(x), "to_bob/g.png")' "render: to_bob/g.png $o"
refused 'x = 1.0; dot(sin(x), "to_bob/private/../g.dot")' "dot: to_bob/private/../g.dot $o"
refused 'x = 1.0; dot(sin(x), "dangling")' "dot: dangling: a symbolic link that leads nowhere (--files-in $root)"
refused 'x = 1.0; dot(sin(x), "nodir/g.dot")' "dot: nodir/g.dot: no such directory (--files-in $root)"
# outside, a folder that is not there is refused in the same words as one
# that is (else the refusals would tell which of bob's folders exist)
refused 'x = 1.0; dot(sin(x), "../bob/nodir/g.dot")' "dot: ../bob/nodir/g.dot $o"
refused 'x = 1.0; dot(sin(x), "../bob/private/g.dot")' "dot: ../bob/private/g.dot $o"
refused ":load $tmp/class/bob/nodir/deeper/x.ag" ":load: $tmp/class/bob/nodir/deeper/x.ag $o"
refused 'x = load_csv("/nonexistent-dir/x.csv")' "load_csv: /nonexistent-dir/x.csv $o"
refused 'x = 1.0; dot(sin(x), "to_bob/nodir/g.dot")' "dot: to_bob/nodir/g.dot $o"
refused 'x = 1.0; dot(sin(x), "..")' "dot: .. $o"
refused 'plot(1.0); savefig("/tmp/../'"$tmp"'/class/bob/p.png")' "savefig: /tmp/../$tmp/class/bob/p.png $o"
refused 'm = mlp([2, 1]); y = m(ones(1, 2)); save(m, "../bob/w.safetensors")' "save: ../bob/w.safetensors $o"
refused 'm = mlp([2, 1]); y = m(ones(1, 2)); load(m, "to_bob/w.safetensors")' "load: to_bob/w.safetensors $o"
refused ':load ../../../../../../../../etc/passwd' ":load: ../../../../../../../../etc/passwd $o"
refused 'x = load_csv("../bob/marks.csv")' "load_csv: ../bob/marks.csv $o"
refused 'save_csv("to_bob/x.csv", ones(2))' "save_csv: to_bob/x.csv $o"
refused 'x = load_npy("/tmp/../'"$tmp"'/class/bob/x.npy")' "load_npy: /tmp/../$tmp/class/bob/x.npy $o"
refused 'save_npy("../bob/x.npy", ones(2))' "save_npy: ../bob/x.npy $o"
refused 'x = load_npz("to_bob/d.npz")' "load_npz: to_bob/d.npz $o"
refused 'save_npz("../bob/d.npz", ones(2))' "save_npz: ../bob/d.npz $o"
after=$(cd "$tmp/class/bob" && ls -laR . | md5sum)
if [ "$before" = "$after" ]; then ok; else bad "bob's folder changed"; fi

# allowed inside alice's folder, names kept after a refusal, lessons by name
out=$(cd "$tmp/class/alice" && HOME="$tmp/class/alice" "$AGREPL" --files-in '~' 2>&1 <<'EOF'
x = 1.0
y = sin(x) + x^2
render(y, "g.svg")
dot(y, "sub_g.dot")
:save mine.ag
save_npy("x.npy", ones(2, 3))
save_csv("x.csv", load_npy("x.npy") * 2)
save_npz("d.npz", load_csv("x.csv"), compress=true)
render(y, "../bob/g.svg")
print(x)
:load newton
EOF
)
for f in g.svg sub_g.dot mine.ag x.npy x.csv d.npz; do
    if [ -s "$tmp/class/alice/$f" ]; then ok; else bad "alice's $f was not written"; fi
done
if printf '%s\n' "$out" | grep -q '^x(1)$'; then ok; else bad "x lost after a refusal: $out"; fi
if printf '%s\n' "$out" | grep -q 'analytic second derivative'; then ok; else bad "lesson by name did not load: $out"; fi

# the data the lessons ship (lesson_data) may be read, as the lessons by
# name are (iris_csv reads iris.csv), and is still not written; its
# folder's other files stay outside
out=$(cd "$tmp/class/alice" && HOME="$tmp/class/alice" "$AGREPL" --files-in '~' -e ':load iris_csv' 2>&1)
if printf '%s\n' "$out" | grep -q '^test accuracy at least 90 %: true$'; then ok; else bad "iris_csv did not run confined: $out"; fi
data=$(cd "$tmp/class/alice" && HOME="$tmp/class/alice" "$AGREPL" --files-in '~' -e 'print(lesson_data("iris.csv"))' 2>&1)
refused 'x = load_csv(lesson_data("iris.csv"), header=true); print(x.shape)' ''
refused 'save_csv(lesson_data("iris.csv"), ones(2))' "save_csv: cannot write \"$data\": it leads outside this session's folder (--files-in)"
refused "x = load_csv(\"$data/../../rosenbrock.ag\")" "load_csv: $data/../../rosenbrock.ag $o"
refused "x = load_csv(\"$data/../iris.csv\")" "load_csv: $data/../iris.csv $o"

# a lesson found by name under ./samples is a file of the folder,
# checked like any other: a link out of it is refused, and no line of the
# file it names appears in the error; a lesson of the folder itself loads
mkdir -p "$tmp/class/alice/samples"
ln -s /etc/passwd "$tmp/class/alice/samples/evil.ag"
printf '# a lesson of my own\nmine = 7\nprint(mine)\n' >"$tmp/class/alice/samples/mylesson.ag"
printf '# bell \033]0;title\007 and \033[31mred\033[0m\n' >"$tmp/class/alice/samples/bell.ag"
printf 'not_a_comment = 1\n' >"$tmp/class/alice/samples/plain.ag"
out=$(cd "$tmp/class/alice" && printf ':load evil\n:load mylesson\n:load plain\n:lessons\n' |
      HOME="$tmp/class/alice" "$AGREPL" --files-in '~' 2>&1)
if printf '%s\n' "$out" | grep -q 'root:'; then bad "a lesson linked out showed the file: $out"; else ok; fi
if printf '%s\n' "$out" | grep -q "^<stdin>:1:1: error: :load: lesson evil (samples/evil.ag): it leads outside this session's folder (--files-in)$"
then ok; else bad ":load evil: $out"; fi
if printf '%s\n' "$out" | grep -q '^mine(7)$'; then ok; else bad "the folder's own lesson did not load: $out"; fi
if printf '%s\n' "$out" | grep -q "^<stdin>:3:1: error: :load: samples/plain.ag is not a lesson (a lesson's first line is a comment saying what it shows)$"
then ok; else bad ":load plain: $out"; fi
# :lessons prints what came from a file without its control characters
if printf '%s\n' "$out" | grep -q "$(printf '[\033\007]')"; then bad ":lessons printed ESC or BEL"; else ok; fi
if printf '%s\n' "$out" | grep -q '^  bell  *bell ?]0;title? and ?\[31mred?\[0m$'; then ok; else bad ":lessons bell: $out"; fi
# a refused lesson changes nothing: no lesson digits, no lesson note
out=$(cd "$tmp/class/alice" && printf ':load evil\n:load plain\n:digits\n' |
      HOME="$tmp/class/alice" "$AGREPL" --files-in '~' 2>&1)
if printf '%s\n' "$out" | grep -q '(a lesson:'; then bad "a refused lesson printed the lesson note: $out"; else ok; fi
if printf '%s\n' "$out" | grep -q '^digits: full$'; then ok; else bad "a refused lesson set :digits: $out"; fi
rm -rf "$tmp/class/alice/samples"

# no time-of-check race.  race.dot flips between a regular file and
# a link to a file outside while dot() writes it 1000 times: checked by its
# real path, then opened again by name, the outside file was overwritten
# (in about half the runs of 300); each name is now opened relative to the
# last, so the write refuses the link it meets.  The flipper stops by itself.
mkdir "$tmp/race" "$tmp/race/in" "$tmp/race/outside"
printf 'outside\n' >"$tmp/race/outside/target.dot"
printf 'inside\n' >"$tmp/race/in/race.dot"
cat >"$tmp/race/flip.py" <<'PY'
import os, sys, time
d = sys.argv[1]
end = time.monotonic() + 120  # bounded: stops by itself
link, regular, name = (os.path.join(d, n) for n in ("l.tmp", "f.tmp", "race.dot"))
open(os.path.join(d, "started"), "w").close()
while time.monotonic() < end and not os.path.exists(os.path.join(d, "stop")):
    with open(regular, "w") as f:
        f.write("inside\n")
    os.symlink("../outside/target.dot", link)
    os.replace(link, name)     # a link out of the folder, briefly...
    os.replace(regular, name)  # ...and a regular file again, for longer
    time.sleep(0.002)
PY
python3 "$tmp/race/flip.py" "$tmp/race/in" &
flipper=$!
i=0; while [ ! -e "$tmp/race/in/started" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
{ printf 'x = 1.0\ny = sin(x)\n'; i=0; while [ $i -lt 1000 ]; do echo 'dot(y, "race.dot")'; i=$((i + 1)); done; } >"$tmp/race/s.ag"
(cd "$tmp/race/in" && "$AGREPL" --files-in . <"$tmp/race/s.ag" >/dev/null 2>"$tmp/race/err")
touch "$tmp/race/in/stop"
wait $flipper
if [ "$(cat "$tmp/race/outside/target.dot")" = outside ]; then ok; else bad "the race wrote outside the folder"; fi
if grep -v "is outside this session's folder\|it leads outside this session's folder" "$tmp/race/err" | grep -q error
then bad "race: other errors: $(grep error "$tmp/race/err" | sort | uniq -c | head -3)"; else ok; fi

# the same race for a read: race.csv flips to a link to a file outside
# while load_csv reads it 500 times; no number of the outside file may show
printf '666,777\n' >"$tmp/race/outside/secret.csv"
printf '1,2\n' >"$tmp/race/in/race.csv"
rm -f "$tmp/race/in/started" "$tmp/race/in/stop"
sed -e 's/"race.dot"/"race.csv"/; s|\.\./outside/target.dot|../outside/secret.csv|; s/f.write("inside\\n")/f.write("1,2\\n")/' \
    "$tmp/race/flip.py" >"$tmp/race/flip_csv.py"
python3 "$tmp/race/flip_csv.py" "$tmp/race/in" &
flipper=$!
i=0; while [ ! -e "$tmp/race/in/started" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
{ i=0; while [ $i -lt 100 ]; do echo 'print(load_csv("race.csv"))'; i=$((i + 1)); done; } >"$tmp/race/r.ag"
: >"$tmp/race/read_out"; : >"$tmp/race/err"
for run in 1 2 3 4 5; do # apart: a flipper held off the processor at a link cannot refuse them all
    (cd "$tmp/race/in" && "$AGREPL" --files-in . <"$tmp/race/r.ag" >>"$tmp/race/read_out" 2>>"$tmp/race/err")
    sleep 0.05
done
touch "$tmp/race/in/stop"
wait $flipper
if grep -q '666\|777' "$tmp/race/read_out" "$tmp/race/err"; then bad "the read race showed the outside file"; else ok; fi
if grep -q '^variable\[1 2\](\[1 2\])$' "$tmp/race/read_out"; then ok; else bad "the read race never read the file: $(grep -c error "$tmp/race/err") errors, $(head -3 "$tmp/race/err")"; fi
if grep -v "it leads outside this session's folder\|is outside this session's folder\|No such file or directory" "$tmp/race/err" | grep -q error
then bad "read race: other errors: $(grep error "$tmp/race/err" | sort | uniq -c | head -3)"; else ok; fi

# and for a directory on the way: sub flips between a folder of the
# session's and a link to the folder outside while dot() writes sub/x.dot
mkdir "$tmp/race/in/sub"
printf 'outside\n' >"$tmp/race/outside/x.dot"
cat >"$tmp/race/flip_dir.py" <<'PY'
import os, sys, time
d = sys.argv[1]
end = time.monotonic() + 120  # bounded: stops by itself
sub, away, link = (os.path.join(d, n) for n in ("sub", "sub.away", "sub.tmp"))
open(os.path.join(d, "dir_started"), "w").close()
while time.monotonic() < end and not os.path.exists(os.path.join(d, "stop")):
    os.rename(sub, away)
    os.symlink("../outside", link)
    os.replace(link, sub)  # a link out of the folder, briefly...
    os.unlink(sub)
    os.rename(away, sub)   # ...and the folder again, for longer
    time.sleep(0.002)
PY
rm -f "$tmp/race/in/stop"
python3 "$tmp/race/flip_dir.py" "$tmp/race/in" &
flipper=$!
i=0; while [ ! -e "$tmp/race/in/dir_started" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
{ printf 'x = 1.0\ny = sin(x)\n'; i=0; while [ $i -lt 500 ]; do echo 'dot(y, "sub/x.dot")'; i=$((i + 1)); done; } >"$tmp/race/d.ag"
(cd "$tmp/race/in" && "$AGREPL" --files-in . <"$tmp/race/d.ag" >/dev/null 2>"$tmp/race/err")
touch "$tmp/race/in/stop"
wait $flipper
if [ "$(cat "$tmp/race/outside/x.dot")" = outside ]; then ok; else bad "the directory race wrote outside the folder"; fi
if [ -s "$tmp/race/in/sub/x.dot" ]; then ok; else bad "the directory race never wrote sub/x.dot: $(head -3 "$tmp/race/err")"; fi
if grep -v "it leads outside this session's folder\|is outside this session's folder\|No such file or directory\|no such directory\|Not a directory\|a symbolic link that leads nowhere" "$tmp/race/err" | grep -q error
then bad "directory race: other errors: $(grep -v "outside this session's folder\|No such file or directory\|no such directory\|Not a directory\|a symbolic link that leads nowhere" "$tmp/race/err" | grep error | head -3)"; else ok; fi

# the option's own errors
out=$("$AGREPL" --files-in "$tmp/none" -e 1 2>&1); rc=$?
if [ $rc = 2 ] && [ "$out" = "agrepl: --files-in $tmp/none: No such file or directory" ]; then ok; else bad "missing dir: $rc $out"; fi
out=$("$AGREPL" --files-in "$tmp/class/bob/notes.txt" -e 1 2>&1); rc=$?
if [ $rc = 2 ] && [ "$out" = "agrepl: --files-in $tmp/class/bob/notes.txt: not a directory" ]; then ok; else bad "file: $rc $out"; fi
kernel=${AGREPL%/agrepl}/agrepl-kernel
if [ -x "$kernel" ]; then
    out=$("$kernel" --kernel /nonexistent.json --files-in "$tmp/none" 2>&1); rc=$?
    if [ $rc = 2 ] && [ "$out" = "agrepl: --files-in $tmp/none: No such file or directory" ]; then ok
    else bad "kernel missing dir: $rc $out"; fi
    # the kernelspec keeps ~ for each user's own home
    XDG_DATA_HOME="$tmp/xdg" "$kernel" --install-kernel --user --files-in '~' >/dev/null 2>&1
    if grep -q '"--files-in",' "$tmp/xdg/jupyter/kernels/agrepl/kernel.json" &&
       grep -q '"~"' "$tmp/xdg/jupyter/kernels/agrepl/kernel.json"; then ok
    else bad "kernelspec: $(cat "$tmp/xdg/jupyter/kernels/agrepl/kernel.json" 2>&1)"; fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
