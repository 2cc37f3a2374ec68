#!/bin/sh
# ag_model_save/ag_model_load: the file other tools read (plain Python, and
# PyTorch when installed: the same loss to 1e-12), a bit-exact round trip,
# a cnn's weights both ways with PyTorch (safetensors_cnn.py), and bad files refused with a message and the weights unchanged
# (tests/fuzz_corpus/safetensors-bad-*, which the fuzz target also loads:
# truncated, a header length beyond the file or over 100 MB, offsets outside
# the data or overlapping, a wrong shape or dtype, a dtype with a NUL inside,
# a missing tensor; and a FIFO).
# PyTorch's names and layout: tests/python/torch_weights_test.py, both ways, for
# every model kind; a file of the layout written before 1.2 still loads.
# Usage: tests/suites/safetensors_test.sh build/tests/safetensors_tool build/agrepl
set -u
tool=$1 agrepl=${2:-}
dir=$(dirname "$0")
status=0
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
sh "$dir/watchdog.sh" $$ 600 safetensors & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; status=1; }

loss=$("$tool" save "$tmp/m.safetensors") || fail "save: $loss"
again=$("$tool" check "$tmp/m.safetensors") || fail "load: $again"
[ "$again" = "$loss" ] && echo "ok: saved and loaded into a fresh MLP: the same loss $loss" ||
    fail "loss after load $again, before $loss"
cmp -s "$tmp/m.safetensors" "$tmp/m.safetensors.again" && echo "ok: saving the loaded model gives the same bytes" ||
    fail "the file saved after loading differs"
ls "$tmp" | grep -q tmp && fail "a temporary file was left: $(ls "$tmp")"
$PY "$dir/../python/safetensors_read.py" "$tmp/m.safetensors" "$loss" || fail "Python could not read the file"
# a cnn's conv weights, both ways with PyTorch (agrepl beside the tool, as the build makes it)
agrepl=$(dirname "$tool")/../agrepl
if [ -x "$agrepl" ] && $PY -c 'import torch, numpy' 2>/dev/null; then
    $PY "$dir/../python/safetensors_cnn.py" "$agrepl" || fail "a cnn's weights with PyTorch"
fi

for bad in "$dir"/../fuzz_corpus/safetensors-bad-*.safetensors; do
    msg=$("$tool" bad "$bad" 2>&1)
    if [ $? -eq 0 ] && [ -n "$msg" ]; then
        echo "ok: $(basename "$bad"): $msg"
    else
        fail "$(basename "$bad"): load did not fail cleanly: $msg"
    fi
done
msg=$("$tool" bad "$tmp/none.safetensors" 2>&1) && echo "ok: a missing file: $msg" || fail "missing file: $msg"
# a FIFO is refused at once, never waited on in open()
mkfifo "$tmp/fifo.safetensors"
msg=$(timeout 10 "$tool" bad "$tmp/fifo.safetensors" 2>&1) && echo "ok: a FIFO: $msg" || fail "FIFO: $msg"

# The layout of files written before 1.2 ("linear.0.w", (in, out)) loads,
# and saving it again writes PyTorch's.
cp "$dir/../fuzz_corpus/safetensors-good-mlp.safetensors" "$tmp/old.safetensors"
old=$("$tool" check "$tmp/old.safetensors") && grep -q '"0.weight"' "$tmp/old.safetensors.again" &&
    echo "ok: a file of the older layout loads (loss $old) and saves again as PyTorch's" ||
    fail "the older layout: $old"
if [ -n "$agrepl" ]; then
    $PY "$dir/../python/torch_weights_test.py" "$agrepl" > "$tmp/torch.log" 2>&1 &&
        echo "ok: PyTorch's load_state_dict and agrepl's load, both ways: $(tail -1 "$tmp/torch.log")" ||
        { fail "PyTorch's names and layout:"; grep -v '^ok' "$tmp/torch.log"; }
fi
exit $status
