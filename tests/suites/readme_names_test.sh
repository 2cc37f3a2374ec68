#!/bin/sh
# Every `:command` and built-in the README names exists: the names
# are taken from the README's agrepl code (its inline code spans and the
# code blocks not marked sh or c) and looked up in the binary's own tables
# with `:help :NAME` and `:help NAME`.  A method call `x.NAME(...)` that is
# not a built-in is called on an optimizer, a model and a model's m.params,
# and must work on one of them.  Names the README itself binds (`NAME = ...`, `def NAME(`) are
# not built-ins and are left out.  The table of lessons names every lesson.
set -u
AGREPL=${AGREPL:-build/agrepl}
README=${README:-README.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# the README's agrepl text: its inline code spans, and the code blocks not
# marked as another language (```sh, ```c); in a block showing a session
# only what is typed at the `ag> ` prompt (the rest is what it printed).
# Man page references such as agrepl(1) are not calls.
{
    awk '/^```/ { inside = !inside; next } !inside' "$README" | grep -o '`[^`]*`' | tr -d '`'
    awk '/^```/ { if (inside) { inside = 0 } else { inside = ($0 == "```" || $0 == "```agrepl") ? 1 : 2; block++ }; next }
         inside == 1 { print block "\t" $0 }' "$README" |
        awk -F '\t' '{ line[NR] = $0; b[NR] = $1; if ($2 ~ /^ag> /) prompted[$1] = 1 }
                     END { for (i = 1; i <= NR; i++) { split(line[i], f, "\t"); text = substr(line[i], length(b[i]) + 2)
                           if (!prompted[b[i]]) print text; else if (text ~ /^ag> /) print substr(text, 5) } }'
} | sed 's/#.*//; s/[A-Za-z_][A-Za-z0-9_]*([0-9])//g' >"$tmp/code"

# names the README binds itself
grep -o '\(def \)\?[A-Za-z_][A-Za-z0-9_]* *=[^=]' "$tmp/code" | sed 's/^def //; s/ *=.*//' >"$tmp/bound"
grep -o 'def [A-Za-z_][A-Za-z0-9_]*' "$tmp/code" | sed 's/^def //' >>"$tmp/bound"
sort -u -o "$tmp/bound" "$tmp/bound"

grep -o '\(^\|[^A-Za-z0-9_:]\):[a-z][a-z!]*' "$tmp/code" | sed 's/^[^:]*//' | sort -u >"$tmp/commands"
grep -o '\(^\|[^A-Za-z0-9_.]\)[A-Za-z_][A-Za-z0-9_]*(' "$tmp/code" | sed 's/^[^A-Za-z_]*//; s/($//' |
    grep -v -x -f "$tmp/bound" | grep -v -x -e if -e for -e while -e def | sort -u >"$tmp/functions"
grep -o '\.[A-Za-z_][A-Za-z0-9_]*(' "$tmp/code" | sed 's/^\.//; s/($//' | sort -u >"$tmp/methods"

# one session asks for every name's help; an unknown one is an error at its line
{ sed 's/^/:help /' "$tmp/commands"; sed 's/^/:help /' "$tmp/functions"; sed 's/^/:help /' "$tmp/methods"; } >"$tmp/ask"
AGREPL_HEADLESS=1 "$AGREPL" --no-files <"$tmp/ask" >"$tmp/answers" 2>&1
line=0
while IFS= read -r question; do
    line=$((line + 1))
    name=${question#:help }
    if grep -q "^<stdin>:$line:1: error: no help on" "$tmp/answers"; then
        if grep -q -x -F "$name" "$tmp/methods" && ! grep -q -x -F "$name" "$tmp/functions"; then
            # a method of an object, not a built-in: call it on an optimizer, a model and its m.params
            for object in 'sgd([p])' 'mlp([1, 1], seed=0)' 'mlp([1, 1], seed=0).params'; do
                if AGREPL_HEADLESS=1 "$AGREPL" --no-files -e "p = 1.0; o = $object; o.$name()" >/dev/null 2>&1; then
                    echo "ok   $name(): a method of $object"
                    pass=$((pass + 1))
                    continue 2
                fi
            done
        fi
        echo "FAIL the README names $name, which agrepl does not know"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done <"$tmp/ask"
# The lessons' table (| lesson | what it shows |) names every lesson :lessons
# lists, all in the one table:
# a blank line inside it ended the table, and the rows after it (moons_svm,
# spiral, iris_csv, lstm_guide) showed as lines of bars and backquotes.
awk '/^\| lesson \| what it shows \|$/ { inside = 1; next } inside && !/^\|/ { exit } inside' "$README" >"$tmp/lesson_table"
AGREPL_HEADLESS=1 "$AGREPL" -e ':lessons' 2>&1 | awk 'NR > 1 { print $1 }' >"$tmp/lessons"
for lesson in $(cat "$tmp/lessons"); do
    if grep -q -F "\`$lesson.ag\`" "$tmp/lesson_table"; then
        pass=$((pass + 1))
    else
        echo "FAIL the README's table of lessons has no row for $lesson.ag"
        fail=$((fail + 1))
    fi
done
[ -s "$tmp/lessons" ] || { echo "FAIL :lessons listed no lessons"; fail=$((fail + 1)); }

printf "checked: "; cat "$tmp/commands" "$tmp/functions" "$tmp/methods" | tr "\n" " "; echo
echo "README names: $(wc -l <"$tmp/commands") commands, $(wc -l <"$tmp/functions") functions, $(wc -l <"$tmp/methods") methods; $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
