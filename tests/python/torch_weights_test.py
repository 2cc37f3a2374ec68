"""Weights that PyTorch loads as they are, and the other way round.

agrepl trains nothing here: it makes a model (an MLP, an LSTM model, an RNN
model, one linear layer, a batch_norm layer with its running statistics), runs it and saves it with save(m, FILE); PyTorch
(python3-torch) loads the file into the same torch.nn model with
load_state_dict(strict=True) and must give the same outputs to 1e-12.  Then
PyTorch makes a model of its own, writes its state_dict as safetensors (by
hand: json + struct, as the safetensors package may be missing), and agrepl
loads it with load(m, FILE), into a model that ran once and into one that
never ran (its weights made from the file), and must print PyTorch's outputs.  LSTM and RNN
run three steps with their state carried, PyTorch's second biases (bias_hh)
non-zero, so loading folds them into agrepl's one bias per gate.

usage: torch_weights_test.py build/agrepl"""
import json
import os
import re
import struct
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import temp_dir  # noqa: E402  (checks.py; `checks` here is a count)

agrepl = sys.argv[1]
torch.set_default_dtype(torch.float64)
failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1


def run(script):
    out = subprocess.run([agrepl, "--headless"], input=":print full\n" + script, capture_output=True,
                         text=True, timeout=120)
    if out.returncode != 0 or "error" in out.stdout + out.stderr:
        raise SystemExit("FAIL: agrepl: %s%s" % (out.stdout, out.stderr))
    return out.stdout


def numbers(text):
    """The numbers of every printed tensor, in order, one list per print."""
    blocks = re.findall(r"\]\((.*?)\)\s*$", text, re.S | re.M)
    return [[float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|Inf|NaN)", b)] for b in blocks]


def close(a, b, tol=1e-12):
    a = [float(v) for v in a]
    b = [float(v) for v in b]
    return len(a) == len(b) and all(abs(x - y) <= tol * max(1.0, abs(y)) for x, y in zip(a, b))


def read_safetensors(path):
    raw = open(path, "rb").read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + hlen])
    data = raw[8 + hlen:]
    state = {}
    for name, d in header.items():
        if name == "__metadata__":
            continue
        assert d["dtype"] == "F64", d
        begin, end = d["data_offsets"]
        values = struct.unpack("<%dd" % ((end - begin) // 8), data[begin:end])
        state[name] = torch.tensor(values).reshape(d["shape"])
    return header.get("__metadata__", {}), state


def write_safetensors(path, state):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        t = t.detach().contiguous().double()
        blob = struct.pack("<%dd" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Recurrent(torch.nn.Module):
    """agrepl's lstm(hidden, out) / rnn(hidden, out): a layer, then linear."""

    def __init__(self, kind, inputs, hidden, out):
        super().__init__()
        self.kind = kind
        setattr(self, kind, (torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)(inputs, hidden))
        self.linear = torch.nn.Linear(hidden, out)

    def steps(self, xs):
        layer, state, outputs = getattr(self, self.kind), None, []
        for x in xs:
            h, state = layer(x.unsqueeze(0), state)
            outputs.append(self.linear(h[0]))
        return outputs


tmp = temp_dir("agrepl-torch-weights-")  # removed at the end, however it ends
x = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
xs = [[[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]],
      [[1.0, -1.0, 0.5], [0.0, 2.0, -2.0]]]
models = [  # agrepl's constructor, the same torch model, how it runs
    ("mlp([4, 4, 2], activation=tanh, seed=3)",
     lambda: torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2)), "once"),
    ("mlp([8, 1], seed=7)",
     lambda: torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 1)), "once"),
    ("linear_layer(2, seed=5)", lambda: torch.nn.Linear(3, 2), "once"),
    ("batch_norm_layer(3)", lambda: torch.nn.BatchNorm1d(3), "once"),
    ("lstm(5, 2, seed=1)", lambda: Recurrent("lstm", 3, 5, 2), "steps"),
    ("rnn(4, 2, seed=2)", lambda: Recurrent("rnn", 3, 4, 2), "steps"),
]
for i, (made, torch_model, how) in enumerate(models):
    path = os.path.join(tmp, "m%d.safetensors" % i)
    calls = "y = m(%s)\ny\n" % x if how == "once" else "".join("m(%s)\n" % step for step in xs)
    ours = numbers(run("m = %s\n%ssave(m, \"%s\")\n" % (made, calls, path)))
    meta, state = read_safetensors(path)
    net = torch_model()
    try:
        net.load_state_dict(state, strict=True)
        loaded = True
    except RuntimeError as e:
        loaded = False
        print(e)
    check(loaded, "%s: torch's load_state_dict takes the file as it is (%s)" % (made, ", ".join(sorted(state))))
    if not loaded:
        continue
    with torch.no_grad():
        theirs = [net(torch.tensor(x)).flatten().tolist()] if how == "once" else \
            [o.flatten().tolist() for o in net.steps(torch.tensor(xs))]
    check(len(ours) == len(theirs) and all(close(a, b) for a, b in zip(ours, theirs)),
          "%s: PyTorch's outputs equal agrepl's to 1e-12" % made)
    check(meta.get("format") == "pt" and "agrepl.model" in meta, "%s: metadata %s" % (made, meta))

    # the other way: PyTorch's own weights (non-zero second biases) into agrepl
    torch.manual_seed(10 + i)
    net = torch_model()
    with torch.no_grad():
        for p in net.parameters():
            p.uniform_(-0.8, 0.8)
        theirs = [net(torch.tensor(x)).flatten().tolist()] if how == "once" else \
            [o.flatten().tolist() for o in net.steps(torch.tensor(xs))]
    torch_path = os.path.join(tmp, "t%d.safetensors" % i)
    write_safetensors(torch_path, net.state_dict())
    first = "m(%s)\n" % x if how == "once" else "m(%s)\nm.reset_state()\n" % xs[0]
    ours = numbers(run("m = %s\n%sload(m, \"%s\")\n%s" % (made, first, torch_path, calls)))[-len(theirs):]
    check(len(ours) == len(theirs) and all(close(a, b) for a, b in zip(ours, theirs)),
          "%s: agrepl loads PyTorch's state_dict and gives its outputs to 1e-12" % made)
    # and into a model that never ran: load makes its weights from the file's shapes
    ours = numbers(run("m = %s\nload(m, \"%s\")\n%s" % (made, torch_path, calls)))[-len(theirs):]
    check(len(ours) == len(theirs) and all(close(a, b) for a, b in zip(ours, theirs)),
          "%s: agrepl loads PyTorch's state_dict into a fresh model and gives its outputs to 1e-12" % made)

print("%d passed, %d failed" % (checks - failures, failures))
sys.exit(1 if failures else 0)
