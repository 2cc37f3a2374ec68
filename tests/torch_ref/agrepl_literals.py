"""agrepl_literals.py — what the PyTorch generators share (gen_ops.py,
gen_conv.py): a float64 tensor written as an agrepl statement that reads
it back exactly.

    from agrepl_literals import assignment, tensor_lit
    out.append(assignment("x", t))   # x = data([[1.0, 2.5], ...])
"""
import math

import torch


def lit(v):
    """A float as agrepl reads it back exactly (inf as 1e309; NaN is made
    by assignment, as inf - inf)."""
    if math.isnan(v):
        raise ValueError("NaN has no literal")
    if math.isinf(v):
        return "1e309" if v > 0 else "-1e309"
    return repr(float(v))


def tensor_lit(t):
    """t's elements as nested lists: [[1.0, 2.0], [3.0, 4.0]]."""
    if t.dim() == 0:
        return lit(t.item())
    return "[" + ", ".join(tensor_lit(s) for s in t) + "]"


def assignment(name, t):
    """`name = t` in agrepl: zeros(shape) when t is empty, NaN as inf - inf
    (which makes it without a warning)."""
    t = t.detach()
    nan = torch.isnan(t)
    if t.numel() == 0:
        return f"{name} = zeros({list(t.shape)})"
    if nan.any():
        base = torch.where(nan, torch.full_like(t, math.inf), t)
        sub = torch.where(nan, torch.full_like(t, math.inf), torch.zeros_like(t))
        return f"{name} = data({tensor_lit(base)} - {tensor_lit(sub)})"
    return f"{name} = data({tensor_lit(t)})"
