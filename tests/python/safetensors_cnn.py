"""A cnn's weights as safetensors, both ways with PyTorch (issue 50): agrepl
saves a trained-from-seed cnn([conv2d_layer(3, 3, padding=1), max_pool(2),
conv2d_layer(4, 2, stride=2), 5]) and its output on fixed images (.npy);
PyTorch reads the file (conv weights (OC, C, KH, KW) as Conv2d's) and
computes the same output to 1e-12; then Python writes a new file by hand
(other weights) that agrepl loads, and agrepl's output must equal PyTorch's
with those weights.  usage: safetensors_cnn.py AGREPL"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

agrepl = os.path.abspath(sys.argv[1])
tmp = tempfile.mkdtemp(prefix="agrepl-cnn-")
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


def torch_forward(p, x):
    h = F.max_pool2d(F.relu(F.conv2d(x, p["conv.0.w"], p["conv.0.b"], padding=1)), 2)
    h = F.relu(F.conv2d(h, p["conv.1.w"], p["conv.1.b"], stride=2))
    return h.flatten(1) @ p["linear.0.w"] + p["linear.0.b"]


status = 0
run(MODEL, X, "y = m(x)", 'save(m, "m.safetensors")', 'save_npy("x.npy", x)', 'save_npy("y.npy", y)')
p = read(os.path.join(tmp, "m.safetensors"))
want = sorted(["conv.0.b", "conv.0.w", "conv.1.b", "conv.1.w", "linear.0.b", "linear.0.w"])
if sorted(p) != want or list(p["conv.0.w"].shape) != [3, 2, 3, 3] or list(p["conv.1.w"].shape) != [4, 3, 2, 2]:
    sys.exit("FAIL: the file holds %s" % {k: list(v.shape) for k, v in p.items()})
x = torch.tensor(np.load(os.path.join(tmp, "x.npy")))
y = torch.tensor(np.load(os.path.join(tmp, "y.npy")))
diff = (torch_forward(p, x) - y).abs().max().item()
if diff <= 1e-12:
    print("ok: PyTorch reads agrepl's cnn weights and computes its output (max difference %g)" % diff)
else:
    print("FAIL: PyTorch's output differs from agrepl's by %g" % diff)
    status = 1
q = {k: torch.cos(torch.arange(v.numel(), dtype=torch.float64)).reshape(v.shape) * 0.3 for k, v in p.items()}
write(os.path.join(tmp, "q.safetensors"), q)
run(MODEL, X, "m(x)", 'load(m, "q.safetensors")', 'save_npy("y2.npy", m(x))')
diff = (torch_forward(q, x) - torch.tensor(np.load(os.path.join(tmp, "y2.npy")))).abs().max().item()
if diff <= 1e-12:
    print("ok: agrepl loads weights Python wrote and computes PyTorch's output (max difference %g)" % diff)
else:
    print("FAIL: after loading Python's weights agrepl's output differs from PyTorch's by %g" % diff)
    status = 1
sys.exit(status)
