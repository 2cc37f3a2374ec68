#!/usr/bin/python3
"""Writes tests/scripts/torch_conv.ag: agrepl's image ops against PyTorch.

Run with Debian's python3 and python3-torch:
    /usr/bin/python3 tests/torch_ref/gen_conv.py > tests/scripts/torch_conv.ag
As gen_ops.py: each case evaluates an op in agrepl and compares it with the
values PyTorch computed here in float64 (embedded as literals); close(a, b)
is 1 when every element agrees to 1e-12 and the shapes are equal, so
torch_conv.out is a column of 1s (a 0 names the op that disagrees).
Gradients are those of sum(f(inputs) * w) for a fixed w.  Edge cases: an
empty batch, a kernel as large as the input, padding larger than the kernel,
groups, dilation, ceil_mode; then the errors PyTorch also raises.
"""
import math
import torch
import torch.nn.functional as F

from agrepl_literals import tensor_lit
from torch_cases import case, define, header, inp, inputs, out, want

header("gen_conv.py")

inp("x", (2, 3, 5, 6), 1)
inp("w", (4, 3, 3, 3), 2)
inp("b", (4,), 3)
case("conv2d", "conv2d(x, w, b)", lambda x, w, b: F.conv2d(x, w, b), ["x", "w", "b"])
case("conv2d stride 2 padding 1", "conv2d(x, w, b, stride=2, padding=1)",
     lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), ["x", "w", "b"])
case("conv2d stride (1, 2) padding (2, 0) dilation (1, 2)",
     "conv2d(x, w, stride=[1, 2], padding=[2, 0], dilation=[1, 2])",
     lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(2, 0), dilation=(1, 2)), ["x", "w"])
case("conv2d padding 4 > kernel", "conv2d(x, w, b, padding=4)",
     lambda x, w, b: F.conv2d(x, w, b, padding=4), ["x", "w", "b"])
inp("wbig", (2, 3, 5, 6), 4)
case("conv2d kernel as large as x", "conv2d(x, wbig)", lambda x, w: F.conv2d(x, w), ["x", "wbig"])
inp("xg", (1, 4, 5, 5), 5)
inp("wg", (6, 2, 2, 3), 6)
case("conv2d groups 2", "conv2d(xg, wg, groups=2, padding=1)", lambda x, w: F.conv2d(x, w, groups=2, padding=1),
     ["xg", "wg"])
inp("wdw", (4, 1, 3, 3), 7)
case("conv2d depthwise groups 4", "conv2d(xg, wdw, groups=4, stride=2)",
     lambda x, w: F.conv2d(x, w, groups=4, stride=2), ["xg", "wdw"])
inputs["x0"] = torch.zeros(0, 3, 5, 6)
define("x0", inputs["x0"])
case("conv2d empty batch", "conv2d(x0, w, b)", lambda x, w, b: F.conv2d(x, w, b), ["x0", "w", "b"])

inp("s", (2, 3, 7), 8)
inp("w1", (2, 3, 3), 9)
inp("b1", (2,), 10)
case("conv1d", "conv1d(s, w1, b1)", lambda x, w, b: F.conv1d(x, w, b), ["s", "w1", "b1"])
case("conv1d stride 2 padding 4 dilation 2", "conv1d(s, w1, b1, stride=2, padding=4, dilation=2)",
     lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=4, dilation=2), ["s", "w1", "b1"])

inp("xt", (2, 2, 3, 4), 11)
inp("wt", (2, 3, 3, 2), 12)
inp("bt", (3,), 13)
case("conv_transpose2d", "conv_transpose2d(xt, wt, bt)", lambda x, w, b: F.conv_transpose2d(x, w, b),
     ["xt", "wt", "bt"])
case("conv_transpose2d stride 2 padding 1 output_padding 1",
     "conv_transpose2d(xt, wt, bt, stride=2, padding=1, output_padding=1)",
     lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), ["xt", "wt", "bt"])
inp("wtg", (2, 2, 2, 2), 14)
case("conv_transpose2d groups 2 dilation 2", "conv_transpose2d(xt, wtg, groups=2, dilation=2)",
     lambda x, w: F.conv_transpose2d(x, w, groups=2, dilation=2), ["xt", "wtg"])
# output_padding may reach the stride when it is below the dilation (PyTorch requires only one):
# the extra rows and columns then hold windows of their own, or zeros past the last one
for label, kw in [("dilation 2 output_padding 1", dict(dilation=2, output_padding=1)),
                  ("stride 2 dilation 3 output_padding 2", dict(stride=2, dilation=3, output_padding=2)),
                  ("padding 1 dilation 3 output_padding 2", dict(padding=1, dilation=3, output_padding=2)),
                  ("padding 3 dilation 4 output_padding 3", dict(padding=3, dilation=4, output_padding=3)),
                  ("stride (1, 2) padding (1, 0) dilation (2, 3) output_padding (1, 2)",
                   dict(stride=(1, 2), padding=(1, 0), dilation=(2, 3), output_padding=(1, 2))),
                  ("stride 3 padding 1 output_padding 2", dict(stride=3, padding=1, output_padding=2)),
                  ("stride (2, 1) dilation (1, 2) output_padding (1, 1)",
                   dict(stride=(2, 1), dilation=(1, 2), output_padding=(1, 1)))]:
    args = ", ".join(f"{k}={list(v) if isinstance(v, tuple) else v}" for k, v in kw.items())
    case(f"conv_transpose2d {label}", f"conv_transpose2d(xt, wt, bt, {args})",
         lambda x, w, b, kw=kw: F.conv_transpose2d(x, w, b, **kw), ["xt", "wt", "bt"])
case("conv_transpose2d groups 2 stride 1 dilation 2 output_padding 1",
     "conv_transpose2d(xt, wtg, groups=2, dilation=2, output_padding=1)",
     lambda x, w: F.conv_transpose2d(x, w, groups=2, dilation=2, output_padding=1), ["xt", "wtg"])
inputs["one1"] = torch.tensor([[[[1.5]]]])
define("one1", inputs["one1"])
case("conv_transpose2d padding past the image: zeros", "conv_transpose2d(one1, one1, padding=1, dilation=3, "
     "output_padding=2)", lambda x: F.conv_transpose2d(x, inputs["one1"], padding=1, dilation=3, output_padding=2),
     ["one1"])

inp("p", (1, 2, 5, 7), 15)
case("max_pool2d 2", "max_pool2d(p, 2)", lambda x: F.max_pool2d(x, 2), ["p"])
case("max_pool2d 3 stride 2 padding 1", "max_pool2d(p, 3, stride=2, padding=1)",
     lambda x: F.max_pool2d(x, 3, stride=2, padding=1), ["p"])
case("max_pool2d 2 ceil_mode", "max_pool2d(p, 2, ceil_mode=true)", lambda x: F.max_pool2d(x, 2, ceil_mode=True), ["p"])
case("max_pool2d (2, 3) stride 1 dilation (2, 1)", "max_pool2d(p, [2, 3], stride=1, dilation=[2, 1])",
     lambda x: F.max_pool2d(x, (2, 3), stride=1, dilation=(2, 1)), ["p"])
inputs["ties"] = torch.tensor([[[[1.0, 1.0, 0.0], [1.0, 0.5, 0.0], [0.0, 0.0, 0.0]]]])
define("ties", inputs["ties"])
case("max_pool2d ties: the first maximum", "max_pool2d(ties, 2, stride=1)",
     lambda x: F.max_pool2d(x, 2, stride=1), ["ties"])
case("avg_pool2d 2", "avg_pool2d(p, 2)", lambda x: F.avg_pool2d(x, 2), ["p"])
case("avg_pool2d 3 stride 2 padding 1", "avg_pool2d(p, 3, stride=2, padding=1)",
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), ["p"])
case("avg_pool2d 3 stride 2 padding 1 ceil_mode", "avg_pool2d(p, 3, stride=2, padding=1, ceil_mode=true)",
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), ["p"])
case("avg_pool2d ceil_mode count_include_pad=false",
     "avg_pool2d(p, [3, 2], stride=2, padding=1, ceil_mode=true, count_include_pad=false)",
     lambda x: F.avg_pool2d(x, (3, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=False), ["p"])
case("avg_pool2d divisor_override=5 ceil_mode", "avg_pool2d(p, 3, stride=2, padding=1, ceil_mode=true, divisor_override=5)",
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, divisor_override=5), ["p"])
case("avg_pool2d divisor_override=-2 count_include_pad=false",
     "avg_pool2d(p, [2, 3], padding=1, count_include_pad=false, divisor_override=-2)",
     lambda x: F.avg_pool2d(x, (2, 3), padding=1, count_include_pad=False, divisor_override=-2), ["p"])
case("adaptive_avg_pool2d (3, 4)", "adaptive_avg_pool2d(p, [3, 4])", lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
     ["p"])
case("adaptive_avg_pool2d 1", "adaptive_avg_pool2d(p, 1)", lambda x: F.adaptive_avg_pool2d(x, 1), ["p"])
case("adaptive_avg_pool2d up (7, 9)", "adaptive_avg_pool2d(p, [7, 9])", lambda x: F.adaptive_avg_pool2d(x, (7, 9)),
     ["p"])
case("interpolate nearest scale 2", "interpolate(p, scale_factor=2)", lambda x: F.interpolate(x, scale_factor=2),
     ["p"])
case("interpolate nearest size (3, 4)", "interpolate(p, size=[3, 4])", lambda x: F.interpolate(x, size=(3, 4)), ["p"])
case("interpolate bilinear size (8, 5)", "interpolate(p, size=[8, 5], mode=\"bilinear\")",
     lambda x: F.interpolate(x, size=(8, 5), mode="bilinear"), ["p"])
case("interpolate bilinear scale 1.5 align_corners",
     "interpolate(p, scale_factor=1.5, mode=\"bilinear\", align_corners=true)",
     lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True), ["p"])
case("interpolate bicubic size (8, 5)", "interpolate(p, size=[8, 5], mode=\"bicubic\")",
     lambda x: F.interpolate(x, size=(8, 5), mode="bicubic"), ["p"])
case("interpolate bicubic down to (2, 3)", "interpolate(p, size=[2, 3], mode=\"bicubic\")",
     lambda x: F.interpolate(x, size=(2, 3), mode="bicubic"), ["p"])
case("interpolate bicubic scale 1.5 align_corners",
     "interpolate(p, scale_factor=1.5, mode=\"bicubic\", align_corners=true)",
     lambda x: F.interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True), ["p"])
case("interpolate bicubic scale (2.5, 0.7)", "interpolate(p, scale_factor=[2.5, 0.7], mode=\"bicubic\")",
     lambda x: F.interpolate(x, scale_factor=(2.5, 0.7), mode="bicubic"), ["p"])
case("interpolate linear 1-D size 10", "interpolate(s, size=10, mode=\"linear\")",
     lambda x: F.interpolate(x, size=10, mode="linear"), ["s"])
case("unfold 2 stride 2 padding 1", "unfold(x, 2, padding=1, stride=2)",
     lambda x: F.unfold(x, 2, padding=1, stride=2), ["x"])
case("unfold (2, 3) dilation 2", "unfold(x, [2, 3], dilation=2)", lambda x: F.unfold(x, (2, 3), dilation=2), ["x"])
inp("cols", (2, 12, 6), 16)
case("fold to (3, 4) kernel 2", "fold(cols, [3, 4], 2)", lambda c: F.fold(c, (3, 4), 2), ["cols"])
case("fold to (2, 4) kernel 2 stride 2 padding 1", "fold(cols, [2, 4], 2, padding=1, stride=2)",
     lambda c: F.fold(c, (2, 4), 2, padding=1, stride=2), ["cols"])

# DeZero's im2col is unfold's columns as rows: (N*OH*OW, C*KH*KW)
case("im2col = unfold's rows", "im2col(x, 3, stride=2, pad=1)",
     lambda x: F.unfold(x, 3, padding=1, stride=2).transpose(1, 2).reshape(-1, 27), ["x"])
case("col2im = fold of those rows", "col2im(im2col(x, 3, stride=2, pad=1), [2, 3, 5, 6], 3, stride=2, pad=1)",
     lambda x: F.fold(F.unfold(x, 3, padding=1, stride=2), (5, 6), 3, padding=1, stride=2), ["x"])

# ---- more of PyTorch's functions --------------------------------------
inputs["a"] = torch.tensor([[-5.0, -3.0, -1.5, -0.25, 0.0, 0.5], [1.0, 2.5, 3.0, 4.0, 6.5, -40.0]])
define("a", inputs["a"])
case("softsign", "softsign(a)", F.softsign, ["a"])
case("logsigmoid", "logsigmoid(a)", F.logsigmoid, ["a"])
case("hardsigmoid", "hardsigmoid(a)", F.hardsigmoid, ["a"], grad=False)
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (0.1666666716...), so its
# float64 gradient is off in the 8th digit; the same function as hardtanh(x/6 + 1/2, 0, 1) gives
# the exact one (1/6 strictly inside (-3, 3), 0 at and beyond the ends)
case("hardsigmoid as hardtanh", "hardsigmoid(a)", lambda x: F.hardtanh(x / 6 + 0.5, 0, 1), ["a"])
case("relu6", "relu6(a)", F.relu6, ["a"])
case("hardswish", "hardswish(a)", F.hardswish, ["a"])
case("quick_gelu", "quick_gelu(a)", lambda x: x * torch.sigmoid(1.702 * x), ["a"])
case("celu", "celu(a)", F.celu, ["a"])
case("celu alpha 0.5", "celu(a, alpha=0.5)", lambda x: F.celu(x, alpha=0.5), ["a"])
case("normalize", "normalize(a)", F.normalize, ["a"])
case("normalize p 1 dim 0", "normalize(a, p=1, dim=0)", lambda x: F.normalize(x, p=1, dim=0), ["a"])
case("masked_fill", "masked_fill(a, a > 1, -2)", lambda x: x.masked_fill(x > 1, -2), ["a"])
case("logical_not", "logical_not(a)", lambda x: torch.logical_not(x).double(), ["a"], grad=False)
case("index_select", "index_select(a, 1, [5, 0, 0])", lambda x: torch.index_select(x, 1, torch.tensor([5, 0, 0])),
     ["a"])
case("chunk", "concat(chunk(a, 4, dim=1), axis=0)", lambda x: torch.cat(torch.chunk(x, 4, dim=1), 0), ["a"])
out.append('print("chunk sizes", len(chunk(a, 4, dim=1)))')
inp("ln", (2, 3, 4), 20)
inp("lw", (3, 4), 21)
inp("lb", (3, 4), 22)
case("layer_norm (3, 4) weight bias", "layer_norm(ln, [3, 4], lw, lb)",
     lambda x, w, b: F.layer_norm(x, (3, 4), w, b), ["ln", "lw", "lb"])
case("layer_norm (4)", "layer_norm(ln, [4])", lambda x: F.layer_norm(x, (4,)), ["ln"])
inp("table", (5, 3), 23)
inputs["ids"] = torch.tensor([[4.0, 0.0, 4.0], [2.0, 1.0, 0.0]])
define("ids", inputs["ids"])
case("embedding", "embedding(ids, table)", lambda t: F.embedding(inputs["ids"].long(), t), ["table"])
inp("q", (2, 3, 4), 24)
inp("kk", (2, 5, 4), 25)
inp("vv", (2, 5, 2), 26)
# Debian 12's PyTorch (1.13) has no F.scaled_dot_product_attention: its documented definition
def sdpa(q, k, v, is_causal=False):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        scores = scores.masked_fill(torch.ones(q.shape[-2], k.shape[-2]).tril().logical_not(), -math.inf)
    return torch.softmax(scores, -1) @ v


case("scaled_dot_product_attention", "scaled_dot_product_attention(q, kk, vv)", sdpa, ["q", "kk", "vv"])
case("scaled_dot_product_attention causal", "scaled_dot_product_attention(q, kk, vv, is_causal=true)",
     lambda q, k, v: sdpa(q, k, v, is_causal=True), ["q", "kk", "vv"])
case("scaled_dot_product_attention scale 0.3", "scaled_dot_product_attention(q, kk, vv, scale=0.3)",
     lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) * 0.3, -1) @ v, ["q", "kk", "vv"])
# any finite scale, as PyTorch's: 0 weighs every key alike, a negative one favours the least similar
case("scaled_dot_product_attention scale 0", "scaled_dot_product_attention(q, kk, vv, scale=0)",
     lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) * 0.0, -1) @ v, ["q", "kk", "vv"])
case("scaled_dot_product_attention scale -0.5", "scaled_dot_product_attention(q, kk, vv, scale=-0.5)",
     lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) * -0.5, -1) @ v, ["q", "kk", "vv"])
# the batch axes broadcast (as matmul's): query (2, 1, 3, 4), key (2, 5, 4), value (1, 2, 5, 2)
inp("qb", (2, 1, 3, 4), 30)
inp("vb", (1, 2, 5, 2), 31)
case("scaled_dot_product_attention batch axes broadcast", "scaled_dot_product_attention(qb, kk, vb)", sdpa,
     ["qb", "kk", "vb"])
inputs["lc"] = torch.tensor([[-800.0, 1.0, 2.0, 700.0], [3.0, -1.0, 0.5, -2.0]])
define("lc", inputs["lc"])
case("logcumsumexp dim 1", "logcumsumexp(lc, 1)", lambda x: torch.logcumsumexp(x, 1), ["lc"])
inp("pr", (1, 3, 4), 27)
case("pad reflect", "pad(pr, [2, 1, 1, 2], mode=\"reflect\")", lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"), ["pr"])
case("pad replicate", "pad(pr, [0, 3, 2, 0], mode=\"replicate\")", lambda x: F.pad(x, (0, 3, 2, 0), mode="replicate"),
     ["pr"])
case("pad circular", "pad(pr, [3, 1, 1, 2], mode=\"circular\")", lambda x: F.pad(x.unsqueeze(0), (3, 1, 1, 2),
                                                                                 mode="circular")[0], ["pr"])
case("repeat_interleave dim 1", "repeat_interleave(pr, 2, dim=1)", lambda x: torch.repeat_interleave(x, 2, dim=1),
     ["pr"])
case("repeat_interleave flat", "repeat_interleave(pr, 3)", lambda x: torch.repeat_interleave(x, 3), ["pr"])
case("logcumsumexp dim 0", "logcumsumexp(lc, 0)", lambda x: torch.logcumsumexp(x, 0), ["lc"])

# ---- einsum, batch_norm, cummax/cummin, meshgrid, diagonal, scatter, nonzero
inp("e1", (2, 3), 30)
inp("e2", (3, 4), 31)
inp("eb1", (2, 2, 3), 32)
inp("eb2", (2, 3, 4), 33)
inp("sq", (3, 3), 34)
inp("t3", (3, 2, 3), 35)
inp("v3", (3,), 36)
inp("v4", (4,), 37)
inp("one", (1,), 38)
inp("v3b", (3,), 39)
inp("e4", (2, 4), 29)
case("einsum ij,jk->ik", "einsum(\"ij,jk->ik\", e1, e2)", lambda a, b: torch.einsum("ij,jk->ik", a, b), ["e1", "e2"])
case("einsum ij,jk implicit", "einsum(\"ij,jk\", e1, e2)", lambda a, b: torch.einsum("ij,jk", a, b), ["e1", "e2"])
case("einsum with spaces", "einsum(\" i j , j k -> k i \", [e1, e2])", lambda a, b: torch.einsum("ij,jk->ki", a, b),
     ["e1", "e2"])
case("einsum bij,bjk->bik", "einsum(\"bij,bjk->bik\", eb1, eb2)", lambda a, b: torch.einsum("bij,bjk->bik", a, b),
     ["eb1", "eb2"])
case("einsum ii (trace)", "einsum(\"ii\", sq)", lambda a: torch.einsum("ii", a), ["sq"])
case("einsum ii->i (diagonal)", "einsum(\"ii->i\", sq)", lambda a: torch.einsum("ii->i", a), ["sq"])
case("einsum iji->j", "einsum(\"iji->j\", t3)", lambda a: torch.einsum("iji->j", a), ["t3"])
case("einsum ij-> (sum)", "einsum(\"ij->\", e1)", lambda a: torch.einsum("ij->", a), ["e1"])
case("einsum ij->ji", "einsum(\"ij->ji\", e1)", lambda a: torch.einsum("ij->ji", a), ["e1"])
case("einsum i,j (outer)", "einsum(\"i,j\", v3, v4)", lambda a, b: torch.einsum("i,j", a, b), ["v3", "v4"])
case("einsum i,i (dot)", "einsum(\"i,i\", v3, v3b)", lambda a, b: torch.einsum("i,i", a, b), ["v3", "v3b"])
case("einsum i,i->i (size 1 broadcasts)", "einsum(\"i,i->i\", one, v3)", lambda a, b: torch.einsum("i,i->i", a, b),
     ["one", "v3"])
case("einsum ...ij,jk->...ik", "einsum(\"...ij,jk->...ik\", eb1, e2)",
     lambda a, b: torch.einsum("...ij,jk->...ik", a, b), ["eb1", "e2"])
case("einsum ...ij->ij (sums the ... axes)", "einsum(\"...ij->ij\", eb2)", lambda a: torch.einsum("...ij->ij", a),
     ["eb2"])
case("einsum bn,anm,bm->ba (bilinear)", "einsum(\"bn,anm,bm->ba\", e1, eb2, e4)",
     lambda a, b, c: torch.einsum("bn,anm,bm->ba", a, b, c), ["e1", "eb2", "e4"])
case("einsum Ab,bA (capitals sort first)", "einsum(\"aB,Ba\", e1, e1.T)",
     lambda a: torch.einsum("aB,Ba", a, a.T), ["e1"])
inputs["e0"] = torch.zeros(0, 3)
define("e0", inputs["e0"])
case("einsum empty batch", "einsum(\"ij,jk->ik\", e0, e2)", lambda a, b: torch.einsum("ij,jk->ik", a, b), ["e0", "e2"])
inp("dg", (3, 4), 40)
inp("dg3", (2, 3, 4), 41)
case("diagonal", "diagonal(dg)", torch.diagonal, ["dg"])
case("diagonal offset 1", "diagonal(dg, 1)", lambda x: torch.diagonal(x, 1), ["dg"])
case("diagonal offset -2", "diagonal(dg, -2)", lambda x: torch.diagonal(x, -2), ["dg"])
case("diagonal offset 5 (empty)", "diagonal(dg, 5)", lambda x: torch.diagonal(x, 5), ["dg"])
case("diagonal dims 2, 0 offset 1", "diagonal(dg3, 1, 2, 0)", lambda x: torch.diagonal(x, 1, 2, 0), ["dg3"])
case("diagonal dims -1, 1", "dg3.diagonal(dim1=-1, dim2=1)", lambda x: x.diagonal(dim1=-1, dim2=1), ["dg3"])
inputs["cm"] = torch.tensor([[1.0, 3.0, 3.0, 2.0, 5.0, -1.0], [0.5, -2.0, -2.0, 4.0, -3.0, 0.0]])
define("cm", inputs["cm"])
case("cummax dim 1 (ties: the later)", "cummax(cm, 1)[0]", lambda x: torch.cummax(x, 1)[0], ["cm"])
case("cummax indices", "cummax(cm, 1)[1]", lambda x: torch.cummax(x, 1)[1].double(), ["cm"], grad=False)
case("cummin dim -1", "cummin(cm, -1)[0]", lambda x: torch.cummin(x, -1)[0], ["cm"])
case("cummin indices", "cummin(cm, -1)[1]", lambda x: torch.cummin(x, -1)[1].double(), ["cm"], grad=False)
case("cummax dim 0", "cummax(cm, 0)[0]", lambda x: torch.cummax(x, 0)[0], ["cm"])
case("cummin dim 0 indices", "cummin(cm, 0)[1]", lambda x: torch.cummin(x, 0)[1].double(), ["cm"], grad=False)
inputs["cn"] = torch.tensor([1.0, math.nan, 5.0, math.nan, 0.0])
define("cn", inputs["cn"])
case("cummax indices with NaN", "cummax(cn, 0)[1]", lambda x: torch.cummax(x, 0)[1].double(), ["cn"], grad=False)
case("cummin indices with NaN", "cummin(cn, 0)[1]", lambda x: torch.cummin(x, 0)[1].double(), ["cn"], grad=False)
case("cummax of an empty axis", "cummax(e0, 0)[0]", lambda x: torch.cummax(x, 0)[0], ["e0"])
case("meshgrid ij", "stack(meshgrid(v3, v4, one))", lambda a, b, c: torch.stack(torch.meshgrid(a, b, c, indexing="ij")),
     ["v3", "v4", "one"])
case("meshgrid xy", "stack(meshgrid(v3, v4, one, indexing=\"xy\"))",
     lambda a, b, c: torch.stack(torch.meshgrid(a, b, c, indexing="xy")), ["v3", "v4", "one"])
case("meshgrid xy of a list", "stack(meshgrid([v3, v4], indexing=\"xy\"))",
     lambda a, b: torch.stack(torch.meshgrid(a, b, indexing="xy")), ["v3", "v4"])
inp("sx", (3, 5), 42)
inp("ss", (3, 6), 43)
inputs["si"] = torch.tensor([[0.0, 1.0, 2.0, 0.0, 1.0], [2.0, 0.0, 1.0, 1.0, 0.0]])
inputs["sd"] = torch.tensor([[0.0, 1.0, 2.0, 0.0, 1.0], [2.0, 0.0, 0.0, 0.0, 1.0]])
inputs["si1"] = torch.tensor([[4.0, 0.0], [1.0, 1.0], [3.0, 2.0]])
define("si", inputs["si"]), define("sd", inputs["sd"]), define("si1", inputs["si1"])
I = lambda n: inputs[n].long()
# PyTorch's backward takes src shaped like index only; a larger src is compared by value
inp("ss2", (2, 5), 48)
inp("ss3", (3, 2), 49)
case("scatter dim 0", "scatter(sx, 0, si, ss2)", lambda x, s: x.scatter(0, I("si"), s), ["sx", "ss2"])
case("scatter dim 0, src cropped (values)", "scatter(sx, 0, si, ss)", lambda x, s: x.scatter(0, I("si"), s),
     ["sx", "ss"], grad=False)
case("scatter dim 1 repeated places (values)", "scatter(sx, 1, si1, ss)", lambda x, s: x.scatter(1, I("si1"), s),
     ["sx", "ss"], grad=False)
case("scatter value", "scatter(sx, 1, si1, 2.5)", lambda x: x.scatter(1, I("si1"), 2.5), ["sx"])
case("scatter_add dim 0 repeated places", "scatter_add(sx, 0, sd, ss2)", lambda x, s: x.scatter_add(0, I("sd"), s),
     ["sx", "ss2"])
case("scatter_add dim 1", "sx.scatter_add(1, si1, ss3)", lambda x, s: x.scatter_add(1, I("si1"), s), ["sx", "ss3"])
case("scatter_add dim 1, src cropped (values)", "sx.scatter_add(1, si1, ss)",
     lambda x, s: x.scatter_add(1, I("si1"), s), ["sx", "ss"], grad=False)
inputs["si0"] = torch.zeros(0, 5)
define("si0", inputs["si0"])
case("scatter_add of an empty index (values)", "scatter_add(sx, 0, si0, ss)",
     lambda x, s: x.scatter_add(0, I("si0"), s), ["sx", "ss"], grad=False)
inputs["nz"] = torch.tensor([[0.0, 1.5, 0.0], [math.nan, 0.0, -2.0]])
define("nz", inputs["nz"])
case("nonzero (NaN counts)", "nonzero(nz)", lambda x: torch.nonzero(x).double(), ["nz"], grad=False)
case("nonzero as_tuple", "stack(nonzero(nz, as_tuple=true))",
     lambda x: torch.stack(torch.nonzero(x, as_tuple=True)).double(), ["nz"], grad=False)
case("nonzero of zeros", "nonzero(e0)", lambda x: torch.nonzero(x).double(), ["e0"], grad=False)
case("nonzero of a 0-d value", "nonzero(2.5)", lambda: torch.nonzero(torch.tensor(2.5)).double(), [], grad=False)
inp("bn", (4, 3, 2), 44)
inp("bw", (3,), 45)
inp("bb", (3,), 46)
inp("bn2", (5, 3), 47)
case("batch_norm training, weight and bias", "batch_norm(bn, none, none, bw, bb, training=true)",
     lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), ["bn", "bw", "bb"])
case("batch_norm training (N, C)", "batch_norm(bn2, none, none, training=true, eps=0.1)",
     lambda x: F.batch_norm(x, None, None, training=True, eps=0.1), ["bn2"])
rm, rv = torch.tensor([0.5, -1.0, 0.0]), torch.tensor([1.0, 2.0, 0.5])
out.append(f"rm = data({tensor_lit(rm)}); rv = data({tensor_lit(rv)})")
F.batch_norm(inputs["bn"], rm, rv, training=True, momentum=0.3)
out.append("bny = batch_norm(bn, rm, rv, training=true, momentum=0.3)")
want("batch_norm running_mean after a step", "rm", rm)
want("batch_norm running_var after a step (unbiased)", "rv", rv)
define("rmf", rm), define("rvf", rv)
inputs["rmf"], inputs["rvf"] = rm, rv
case("batch_norm eval with the running statistics", "batch_norm(bn, rmf, rvf, bw, bb)",
     lambda x, w, b: F.batch_norm(x, inputs["rmf"], inputs["rvf"], w, b, training=False), ["bn", "bw", "bb"])
want("batch_norm eval leaves them", "rmf", rm)
# batch_norm_layer against nn.BatchNorm2d: two training steps, then eval (testmode)
inp("bx4", (2, 3, 2, 2), 50)
layer = torch.nn.BatchNorm2d(3, momentum=0.3).double()
out.append("bnl = batch_norm_layer(3, momentum=0.3)")
y1 = layer(inputs["bx4"])
want("batch_norm_layer step 1", "bnl(bx4)", y1)
y2 = layer(inputs["bx4"] * 2)
want("batch_norm_layer step 2", "bnl(bx4 * 2)", y2)
want("batch_norm_layer running_mean", 'bnl.params["running_mean"]', layer.running_mean)
want("batch_norm_layer running_var", 'bnl.params["running_var"]', layer.running_var)
layer.eval()
out.append("testmode { e = bnl(bx4) }")
want("batch_norm_layer in testmode", "e", layer(inputs["bx4"]))
want("batch_norm_layer testmode leaves running_var", 'bnl.params["running_var"]', layer.running_var)
layer.train()
layer.weight.grad = None
define("gw", torch.linspace(0.5, 1.5, 24).reshape(2, 3, 2, 2))
layer.running_mean.zero_(), layer.running_var.fill_(1)
(layer(inputs["bx4"]) * torch.linspace(0.5, 1.5, 24).reshape(2, 3, 2, 2)).sum().backward()
out.append("bnl2 = batch_norm_layer(3)")
out.append("backward(sum(bnl2(bx4) * gw))")
want("batch_norm_layer d/dw", 'bnl2.params["w"].grad', layer.weight.grad)
want("batch_norm_layer d/db", 'bnl2.params["b"].grad', layer.bias.grad)

out.append("# errors PyTorch also raises")
out.append("conv2d(x, wg)")
out.append("conv2d(x, w, groups=2)")
out.append("conv2d(x, zeros([1, 3, 8, 8]))")
out.append("conv2d(s, w1)")
out.append("conv2d(x, w, zeros([3]))")
out.append("max_pool2d(p, 2, padding=2)")
out.append("max_pool2d(p, 9)")
out.append("avg_pool2d(p, 2, divisor_override=0)")
out.append("fold(cols, [5, 5], 2)")
out.append("conv_transpose2d(xt, wt, output_padding=1)")
out.append("conv_transpose2d(xt, wt, stride=2, dilation=2, output_padding=2)")
out.append("conv2d(x, zeros([4, 3, 3]))")
out.append("conv1d(s, zeros([2, 3]))")
out.append("conv_transpose2d(xt, zeros([2, 3, 3]))")
out.append("interpolate(p, size=[2, 2], mode=\"cubic\")")
out.append("interpolate(s, size=10, mode=\"bicubic\")")
out.append("einsum(\"ij,jk->ik\", e1, e1)")
out.append("einsum(\"ij,jk\", e1)")
out.append("einsum(\"ij,jk->il\", e1, e2)")
out.append("einsum(\"ij->ii\", e1)")
out.append("einsum(\"i1\", e1)")
out.append("einsum(\"ij.\", e1)")
out.append("einsum(\"ii\", e1)")
out.append("einsum(\"ijk\", e1)")
out.append("diagonal(dg, 0, 1, -1)")
out.append("diagonal(v3)")
out.append("scatter(sx, 0, si + 1, ss)")
out.append("scatter(sx, 0, -si, ss)")
out.append("scatter(sx, 0, si, e1)")
out.append("scatter_add(sx, 2, si, ss)")
out.append("meshgrid(e1, v3)")
# scaled_dot_product_attention's shapes (PyTorch 2's rules; 1.13 has no such function)
out.append("scaled_dot_product_attention(q, kk, zeros([2, 4, 2]))")
out.append("scaled_dot_product_attention(q, zeros([2, 5, 3]), vv)")
out.append("scaled_dot_product_attention(q, zeros([3, 5, 4]), zeros([3, 5, 2]))")
out.append("scaled_dot_product_attention(zeros([4]), kk, vv)")
# conv1d's errors in its own words and the shapes given (not conv2d's [N C 1 L])
out.append("conv1d(s, zeros([2, 2, 3]))")
out.append("conv1d(s, zeros([2, 3, 8]))")
out.append("conv1d(s, w1, stride=0)")
out.append("conv1d(s, w1, padding=-1)")
out.append("conv1d(s, w1, zeros([3]))")
# layer_norm's normalized_shape must be x's last axes: both shapes named
out.append("layer_norm(ln, [3])")
out.append("layer_norm(ln, [1, 2, 3, 4])")
out.append("scaled_dot_product_attention(q, kk, vv, scale=1/0)")
out.append("scaled_dot_product_attention(q, kk, vv, scale=0/0)")
out.append("batch_norm(one.reshape([1, 1]), none, none, training=true)")
out.append("batch_norm(bn, none, none)")
out.append("batch_norm(bn, v4, v4)")
out.append("bnl(zeros([2, 4]))")
out.append("batch_norm_layer(0)")
out.append("print(\"still here\", x.shape)")
print("\n".join(out))
