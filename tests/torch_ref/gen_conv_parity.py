#!/usr/bin/python3
"""Writes tests/scripts/torch_conv_parity.ag: the image built-ins' PyTorch
forms beyond gen_conv.py's, against PyTorch.

Run with Debian's python3 and python3-torch:
    /usr/bin/python3 tests/torch_ref/gen_conv_parity.py > tests/scripts/torch_conv_parity.ag
As gen_conv.py: each case evaluates an op in agrepl and compares it with the
values PyTorch computed here in float64 (embedded as literals); close(a, b)
is 1 when every element agrees to 1e-12 and the shapes are equal, so
torch_conv_parity.out is a column of 1s and the errors at its end.
Gradients are those of sum(f(inputs) * w) for a fixed w.  Covered:
padding="same" and "valid" (even kernels, dilation), unbatched inputs,
the parameters' names (input=), interpolate's scale_factor pairs,
recompute_scale_factor, nearest-exact and area, adaptive_avg_pool2d's none,
embedding's padding_idx, conv_transpose2d's output_padding at least the stride,
bicubic.
"""
import warnings

import torch
import torch.nn.functional as F

from torch_cases import case, define, header, inp, inputs, out

warnings.filterwarnings("ignore", "Using padding=.same. with even kernel")
header("gen_conv_parity.py")

# ---- padding="same" and "valid" -------------------------------------------
inp("x", (2, 3, 5, 6), 1)
inp("w33", (4, 3, 3, 3), 2)
inp("w22", (2, 3, 2, 2), 3)
inp("w24", (2, 3, 2, 4), 4)
inp("b", (2,), 5)
case("conv2d same 3x3", 'conv2d(x, w33, padding="same")', lambda x, w: F.conv2d(x, w, padding="same"), ["x", "w33"])
case("conv2d same 2x2 (extra at bottom, right)", 'conv2d(x, w22, b, padding="same")',
     lambda x, w, b: F.conv2d(x, w, b, padding="same"), ["x", "w22", "b"])
case("conv2d same 2x4 dilation (2, 1)", 'conv2d(x, w24, padding="same", dilation=[2, 1])',
     lambda x, w: F.conv2d(x, w, padding="same", dilation=(2, 1)), ["x", "w24"])
case("conv2d same 2x2 dilation 3", 'conv2d(x, w22, padding="same", dilation=3)',
     lambda x, w: F.conv2d(x, w, padding="same", dilation=3), ["x", "w22"])
inp("wg", (4, 1, 2, 3), 6)
inp("xg", (1, 2, 4, 4), 7)
case("conv2d same groups 2", 'conv2d(xg, wg, padding="same", groups=2)',
     lambda x, w: F.conv2d(x, w, padding="same", groups=2), ["xg", "wg"])
case("conv2d valid", 'conv2d(x, w22, b, padding="valid", stride=2)',
     lambda x, w, b: F.conv2d(x, w, b, padding="valid", stride=2), ["x", "w22", "b"])
inp("s", (2, 3, 7), 8)
inp("k2", (2, 3, 2), 9)
inp("k3", (4, 3, 3), 10)
case("conv1d same kernel 2", 'conv1d(s, k2, padding="same")', lambda x, w: F.conv1d(x, w, padding="same"), ["s", "k2"])
case("conv1d same kernel 3 dilation 2", 'conv1d(s, k3, padding="same", dilation=2)',
     lambda x, w: F.conv1d(x, w, padding="same", dilation=2), ["s", "k3"])
case("conv1d valid", 'conv1d(s, k3, padding="valid")', lambda x, w: F.conv1d(x, w, padding="valid"), ["s", "k3"])

# ---- unbatched inputs: (C, H, W) and (C, L) --------------------------------
inp("u", (3, 5, 6), 11)
inp("wt", (3, 2, 3, 2), 12)
inp("u1", (3, 7), 13)
case("conv2d unbatched", "conv2d(u, w33, stride=2, padding=1)", lambda x, w: F.conv2d(x, w, stride=2, padding=1),
     ["u", "w33"])
case("conv2d unbatched same", 'conv2d(u, w22, b, padding="same")', lambda x, w, b: F.conv2d(x, w, b, padding="same"),
     ["u", "w22", "b"])
case("conv1d unbatched", "conv1d(u1, k3, padding=1)", lambda x, w: F.conv1d(x, w, padding=1), ["u1", "k3"])
case("conv_transpose2d unbatched", "conv_transpose2d(u, wt, stride=2)", lambda x, w: F.conv_transpose2d(x, w, stride=2),
     ["u", "wt"])
case("max_pool2d unbatched", "max_pool2d(u, 2, padding=1)", lambda x: F.max_pool2d(x, 2, padding=1), ["u"])
case("avg_pool2d unbatched", "avg_pool2d(u, 3, stride=2, ceil_mode=true)",
     lambda x: F.avg_pool2d(x, 3, stride=2, ceil_mode=True), ["u"])
case("method form unbatched", "u.max_pool2d(3, stride=1)", lambda x: F.max_pool2d(x, 3, stride=1), ["u"])

# ---- PyTorch's parameter names: the first is input ---------------------------
inp("table", (5, 3), 14)
inputs["ids"] = torch.tensor([[4.0, 0.0], [2.0, 4.0]])
define("ids", inputs["ids"])
case("conv2d(input=, weight=)", 'conv2d(input=u, weight=w22, padding="same")',
     lambda x, w: F.conv2d(input=x, weight=w, padding="same"), ["u", "w22"])
case("conv1d(input=)", "conv1d(input=s, weight=k3)", lambda x, w: F.conv1d(input=x, weight=w), ["s", "k3"])
case("max_pool2d(input=, kernel_size=)", "max_pool2d(input=x, kernel_size=2)",
     lambda x: F.max_pool2d(input=x, kernel_size=2), ["x"])
case("avg_pool2d(input=)", "avg_pool2d(input=x, kernel_size=2)", lambda x: F.avg_pool2d(input=x, kernel_size=2), ["x"])
case("adaptive_avg_pool2d(input=)", "adaptive_avg_pool2d(input=x, output_size=2)",
     lambda x: F.adaptive_avg_pool2d(input=x, output_size=2), ["x"])
case("interpolate(input=)", "interpolate(input=x, scale_factor=2)", lambda x: F.interpolate(input=x, scale_factor=2),
     ["x"])
case("conv_transpose2d(input=)", "conv_transpose2d(input=u, weight=wt)",
     lambda x, w: F.conv_transpose2d(input=x, weight=w), ["u", "wt"])
case("unfold(input=)", "unfold(input=x, kernel_size=2)", lambda x: F.unfold(input=x, kernel_size=2), ["x"])
case("layer_norm(input=)", "layer_norm(input=x, normalized_shape=[6])",
     lambda x: F.layer_norm(input=x, normalized_shape=(6,)), ["x"])
case("batch_norm(input=)", "batch_norm(input=x, running_mean=none, running_var=none, training=true)",
     lambda x: F.batch_norm(input=x, running_mean=None, running_var=None, training=True), ["x"])
case("embedding(input=, weight=)", "embedding(input=ids, weight=table)",
     lambda t: F.embedding(input=inputs["ids"].long(), weight=t), ["table"])

# ---- more of PyTorch's arguments ------------------------------------------
inp("p", (1, 2, 3, 4), 15)
I = F.interpolate
case("interpolate scale_factor (2, 0.5)", "interpolate(p, scale_factor=(2, 0.5))",
     lambda x: I(x, scale_factor=(2, 0.5)), ["p"])
case("interpolate scale_factor [1.5, 2] bilinear", 'interpolate(p, scale_factor=[1.5, 2], mode="bilinear")',
     lambda x: I(x, scale_factor=(1.5, 2), mode="bilinear"), ["p"])
case("interpolate bilinear recompute_scale_factor", 'interpolate(p, scale_factor=1.7, mode="bilinear", '
     'recompute_scale_factor=true)', lambda x: I(x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True),
     ["p"])
case("interpolate nearest recompute_scale_factor", "interpolate(p, scale_factor=2.6, recompute_scale_factor=true)",
     lambda x: I(x, scale_factor=2.6, recompute_scale_factor=True), ["p"])
case("interpolate nearest-exact scale 1.7", 'interpolate(p, scale_factor=1.7, mode="nearest-exact")',
     lambda x: I(x, scale_factor=1.7, mode="nearest-exact"), ["p"])
case("interpolate nearest-exact size (2, 7)", 'interpolate(p, size=(2, 7), mode="nearest-exact")',
     lambda x: I(x, size=(2, 7), mode="nearest-exact"), ["p"])
case("interpolate 1-D nearest-exact", 'interpolate(s, size=4, mode="nearest-exact")',
     lambda x: I(x, size=4, mode="nearest-exact"), ["s"])
case("interpolate area size (2, 3)", 'interpolate(p, size=(2, 3), mode="area")', lambda x: I(x, size=(2, 3), mode="area"),
     ["p"])
case("interpolate area scale 0.5", 'interpolate(x, scale_factor=0.5, mode="area")',
     lambda x: I(x, scale_factor=0.5, mode="area"), ["x"])
case("interpolate 1-D area size 3", 'interpolate(s, size=3, mode="area")', lambda x: I(x, size=3, mode="area"), ["s"])
case("adaptive_avg_pool2d (none, 2)", "adaptive_avg_pool2d(x, (none, 2))",
     lambda x: F.adaptive_avg_pool2d(x, (None, 2)), ["x"])
case("adaptive_avg_pool2d [3, none] unbatched", "adaptive_avg_pool2d(u, [3, none])",
     lambda x: F.adaptive_avg_pool2d(x, [3, None]), ["u"])
case("embedding padding_idx 4", "embedding(ids, table, padding_idx=4)",
     lambda t: F.embedding(inputs["ids"].long(), t, padding_idx=4), ["table"])
case("embedding padding_idx -1", "embedding(ids, table, padding_idx=-1)",
     lambda t: F.embedding(inputs["ids"].long(), t, padding_idx=-1), ["table"])

# ---- conv_transpose2d's output_padding at least the stride (below the dilation)
inp("tx", (2, 2, 3, 3), 21)
inp("tw", (2, 3, 2, 2), 22)
inp("tb", (3,), 23)
case("conv_transpose2d output_padding 1, dilation 2", "conv_transpose2d(tx, tw, tb, dilation=2, output_padding=1)",
     lambda x, w, b: F.conv_transpose2d(x, w, b, dilation=2, output_padding=1), ["tx", "tw", "tb"])
case("conv_transpose2d stride 2, dilation 3, output_padding 2, padding 1",
     "conv_transpose2d(tx, tw, stride=2, padding=1, dilation=3, output_padding=2)",
     lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, dilation=3, output_padding=2), ["tx", "tw"])
case("conv_transpose2d output_padding (1, 2) within padding (2, 3)",
     "conv_transpose2d(tx, tw, tb, stride=[1, 2], padding=[2, 3], dilation=[2, 3], output_padding=[1, 2])",
     lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(1, 2), padding=(2, 3), dilation=(2, 3), output_padding=(1, 2)),
     ["tx", "tw", "tb"])

case("interpolate bicubic size 3 (once an error here)", 'interpolate(p, size=3, mode="bicubic")',
     lambda x: F.interpolate(x, size=3, mode="bicubic"), ["p"])
out.append("# errors PyTorch also raises")
out.append('conv2d(x, w33, stride=2, padding="same")')
out.append('conv1d(s, k3, stride=[2], padding="same")')
out.append('conv2d(x, w33, padding="full")')
out.append("conv2d(x[0, 0], w33)")
out.append("conv1d(s[0, 0], k3)")
out.append("max_pool2d(zeros([1, 1, 1, 4, 4]), 2)")
out.append("avg_pool2d(zeros([4]), 2)")
out.append("conv_transpose2d(zeros([4, 4]), wt)")
out.append('interpolate(p, size=3, recompute_scale_factor=true)')
out.append('interpolate(p, scale_factor=(2, 2, 2))')
out.append("embedding(ids, table, padding_idx=5)")
out.append("conv2d(x=u, weight=w22)")
out.append("embedding(indices=ids, weight=table)")
out.append('print("still here", x.shape, u.shape)')
print("\n".join(out))
