"""A cnn's weights as safetensors, both ways with PyTorch:
agrepl saves a trained-from-seed cnn([conv2d_layer(3, 3, padding=1),
max_pool(2), conv2d_layer(4, 2, stride=2), 5]) and its output on fixed
images (.npy); the same torch.nn.Sequential (Conv2d, ReLU, MaxPool2d, Conv2d,
ReLU, Flatten, Linear) takes the file with load_state_dict (strict: PyTorch's
names and shapes) and computes the same output to 1e-12; then Python writes
that Sequential's state_dict with other weights, agrepl loads it and its
output must equal PyTorch's; a file of the older layout (dotted names,
linear (in, out)) still loads.  usage: safetensors_cnn.py AGREPL"""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import temp_dir  # noqa: E402

agrepl = os.path.abspath(sys.argv[1])
tmp = temp_dir("agrepl-cnn-")  # removed at the end, however it ends
MODEL = "m = cnn([conv2d_layer(3, 3, padding=1), max_pool(2), conv2d_layer(4, 2, stride=2), 5], seed=2)"
X = "x = reshape(sin(arange(0, 144, 1)), [2, 2, 6, 6])"


def run(*statements):
    r = subprocess.run([agrepl, "--headless"] + sum([["-e", s] for s in statements], []), cwd=tmp,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("FAIL: agrepl: " + r.stdout + r.stderr)


def read(path):
    raw = open(path, "rb").read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + hlen])
    data = raw[8 + hlen:]
    return {k: torch.tensor(np.frombuffer(data[d["data_offsets"][0]:d["data_offsets"][1]], "<f8").reshape(d["shape"]))
            for k, d in header.items() if k != "__metadata__"}


def write(path, tensors):
    header, blobs, at = {}, [], 0
    for k, t in tensors.items():
        b = t.numpy().astype("<f8").tobytes()
        header[k] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def sequential():
    return torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(3, 4, 2, stride=2), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4, 5)).double()


def check(diff, good, bad):
    global status
    if diff <= 1e-12:
        print("ok: %s (max difference %g)" % (good, diff))
    else:
        print("FAIL: %s by %g" % (bad, diff))
        status = 1


status = 0
run(MODEL, X, "y = m(x)", 'save(m, "m.safetensors")', 'save_npy("x.npy", x)', 'save_npy("y.npy", y)')
p = read(os.path.join(tmp, "m.safetensors"))
net = sequential()
try:
    net.load_state_dict(p, strict=True)
except RuntimeError as e:
    sys.exit("FAIL: load_state_dict refused agrepl's file: %s (it holds %s)" % (e, {k: list(v.shape) for k, v in p.items()}))
x = torch.tensor(np.load(os.path.join(tmp, "x.npy")))
y = torch.tensor(np.load(os.path.join(tmp, "y.npy")))
with torch.no_grad():
    check((net(x) - y).abs().max().item(),
          "torch.nn.Sequential loads agrepl's cnn weights with load_state_dict and computes its output",
          "PyTorch's output differs from agrepl's")

# the other way: PyTorch's state_dict (other weights) into agrepl
torch.manual_seed(5)
other = sequential()
write(os.path.join(tmp, "q.safetensors"), {k: v.detach() for k, v in other.state_dict().items()})
run(MODEL, X, "m(x)", 'load(m, "q.safetensors")', 'save_npy("y2.npy", m(x))')
with torch.no_grad():
    check((other(x) - torch.tensor(np.load(os.path.join(tmp, "y2.npy")))).abs().max().item(),
          "agrepl loads PyTorch's state_dict and computes PyTorch's output",
          "after loading PyTorch's weights agrepl's output differs from PyTorch's")

# a file of the older layout: each parameter under its dotted name, in its own shape
old = {"conv.0.w": other[0].weight, "conv.0.b": other[0].bias, "conv.1.w": other[3].weight,
       "conv.1.b": other[3].bias, "linear.0.w": other[6].weight.t(), "linear.0.b": other[6].bias.reshape(1, 5)}
write(os.path.join(tmp, "old.safetensors"), {k: v.detach().contiguous() for k, v in old.items()})
run(MODEL, X, "m(x)", 'load(m, "old.safetensors")', 'save_npy("y3.npy", m(x))')
with torch.no_grad():
    check((other(x) - torch.tensor(np.load(os.path.join(tmp, "y3.npy")))).abs().max().item(),
          "a file of the older layout (conv.0.w, linear (in, out)) still loads",
          "after loading the older layout agrepl's output differs")
sys.exit(status)
