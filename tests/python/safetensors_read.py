"""Reads a file ag_model_save wrote with plain Python (json + struct),
recomputes the MLP's loss on the same x and t, and (when PyTorch is there)
loads it into the matching torch model.  Both must equal the C loss to
1e-12.  usage: safetensors_read.py FILE C_LOSS"""
import json
import math
import struct
import sys

path, c_loss = sys.argv[1], float(sys.argv[2])
raw = open(path, "rb").read()
(hlen,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + hlen])
assert hlen % 8 == 0, "header not padded to 8"
data = raw[8 + hlen:]
tensors = {}
for name, d in header.items():
    if name == "__metadata__":
        continue
    assert d["dtype"] == "F64", d
    begin, end = d["data_offsets"]
    n = (end - begin) // 8
    assert n == math.prod(d["shape"]), (name, d)
    tensors[name] = (d["shape"], struct.unpack("<%dd" % n, data[begin:end]))
assert sorted(tensors) == ["0.bias", "0.weight", "2.bias", "2.weight"], sorted(tensors)

x = [[math.sin(3 * i + j + 1) for j in range(3)] for i in range(4)]
t = [math.cos(i) for i in range(4)]


def linear(rows, name):  # PyTorch's Linear: weight (out, in), bias (out,)
    (dout, din), w = tensors[name + ".weight"]
    b = tensors[name + ".bias"][1]
    return [[sum(r[k] * w[o * din + k] for k in range(din)) + b[o] for o in range(dout)] for r in rows]


h = [[0.5 + 0.5 * math.tanh(0.5 * v) for v in r] for r in linear(x, "0")]
y = linear(h, "2")
loss = sum((y[i][0] - t[i]) ** 2 for i in range(4)) / 4
assert abs(loss - c_loss) <= 1e-12, (loss, c_loss)
print("ok: plain Python (json + struct) reads %d tensors; loss %.17g, C %.17g" % (len(tensors), loss, c_loss))

try:
    import torch
except ImportError:
    print("ok: PyTorch not installed: compared with the plain-Python recomputation only")
    sys.exit(0)
net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 1)).double()
state = {name: torch.tensor(v, dtype=torch.float64).reshape(shape) for name, (shape, v) in tensors.items()}
net.load_state_dict(state, strict=True)  # as it is: PyTorch's names and layout
with torch.no_grad():
    tl = torch.nn.functional.mse_loss(net(torch.tensor(x, dtype=torch.float64)),
                                      torch.tensor(t, dtype=torch.float64).reshape(4, 1)).item()
assert abs(tl - c_loss) <= 1e-12, (tl, c_loss)
print("ok: PyTorch %s load_state_dict takes the file into Sequential(Linear(3, 8), Sigmoid, Linear(8, 1)): loss %.17g"
      % (torch.__version__, tl))
