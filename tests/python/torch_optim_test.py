"""The optimizers against torch.optim, as :help says each compares.

agrepl and PyTorch (python3-torch, float64) take the same five steps on the
same three parameters, whose loss sum(p^3) + sum(p*q) has a different
gradient at every step; each row compares every parameter after every step.

- the same numbers (1e-12 relative): sgd without momentum and with
  weight_decay, momentum(lr, m) and torch's SGD(momentum=m), adagrad and
  rmsprop (with and without momentum, with weight_decay);
- adam is torch's Adam with eps/sqrt(1-beta2^t) in eps's place at step t
  (the help's claim), and at eps=1e-8 about 1e-6 of the distance moved
  (lr a step) from plain torch.optim.Adam's (under 1e-5);
- adamw is torch's Adam step followed by p *= 1 - lr_t*weight_decay (lr_t
  the bias-corrected lr); from p = 1 at lr=0.1, weight_decay=0.1 one step
  gives 0.897 where torch.optim.AdamW gives 0.89 (the help's example).

usage: torch_optim_test.py build/agrepl"""
import math
import os
import re
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
from checks import check  # noqa: E402

agrepl = sys.argv[1]
torch.set_default_dtype(torch.float64)
START = ([1.0, -2.0, 0.5], [0.3, 0.7, -1.1], [[0.2, -0.4], [1.5, 0.9]])
STEPS = 5
tmp = checks.temp_dir("agrepl-torch-optim-")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def ours(make):
    """Each step's three parameters (flat lists) from agrepl, the optimizer
    made by the expression `make` over [a, b, c]."""
    script = ":digits full\n"
    for name, value in zip("abc", START):
        script += "%s = variable(%s)\n" % (name, value)
    script += "opt = %s\n" % make
    script += ("for i in range(%d) { a.cleargrad(); b.cleargrad(); c.cleargrad()\n"
               "  y = sum(a*a*a) + sum(a*b) + sum(c*c*c)\n"
               "  y.backward(); opt.step(); print(a, b, c) }\n") % STEPS
    path = os.path.join(tmp, "steps.ag")
    with open(path, "w") as f:
        f.write(script)
    run = subprocess.run([agrepl, path], capture_output=True, text=True, timeout=60)
    rows = []
    for line in run.stdout.splitlines():
        numbers = [float(n) for n in NUMBER.findall(re.sub(r"\w+\[[\d, ]*\]\(", "(", line))]
        rows.append(numbers)
    if run.returncode != 0 or len(rows) != STEPS:
        raise RuntimeError("agrepl: %s%s" % (run.stdout, run.stderr))
    return rows


def theirs(make, after=None):
    """The same from PyTorch: make(params) gives the optimizer; before each
    step before(opt, t) may change it, after each after(opt, params, t)."""
    params = [torch.tensor(v, requires_grad=True) for v in START]
    opt = make(params)
    rows = []
    for t in range(1, STEPS + 1):
        opt.zero_grad()
        a, b, c = params
        ((a ** 3).sum() + (a * b).sum() + (c ** 3).sum()).backward()
        if after is not None:
            after(opt, params, t, "before")
        opt.step()
        if after is not None:
            after(opt, params, t, "after")
        rows.append([float(v) for p in params for v in p.detach().flatten()])
    return rows


def worst(mine, other):
    """The largest relative difference between two runs' rows."""
    return max(abs(x - y) / max(abs(y), 1e-300) for r, s in zip(mine, other) for x, y in zip(r, s))


def same(what, make, torch_make, after=None, tolerance=1e-12):
    try:
        mine = ours(make)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        check(what, False, e)
        return None
    gap = worst(mine, theirs(torch_make, after))
    check("%s: %d steps, largest relative difference %.1e" % (what, STEPS, gap), gap <= tolerance, gap)
    return mine


same("sgd(lr=0.1, weight_decay=0.05) is torch.optim.SGD", "sgd([a, b, c], lr=0.1, weight_decay=0.05)",
     lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.05))
same("momentum(lr=0.05, momentum=0.9) is SGD(momentum=0.9)", "momentum([a, b, c], lr=0.05, momentum=0.9)",
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))
same("adagrad is torch.optim.Adagrad", "adagrad([a, b, c], lr=0.1, lr_decay=0.01, weight_decay=0.02)",
     lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.02))
same("rmsprop is torch.optim.RMSprop", "rmsprop([a, b, c], lr=0.01, weight_decay=0.02)",
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, weight_decay=0.02))
same("rmsprop(momentum=0.8) is RMSprop(momentum=0.8)", "rmsprop([a, b, c], lr=0.01, momentum=0.8)",
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.8))


def adam_eps(eps, beta2):
    """Before step t, eps/sqrt(1-beta2^t) for torch's eps."""
    def change(opt, params, t, when):
        if when == "before":
            opt.param_groups[0]["eps"] = eps / math.sqrt(1 - beta2 ** t)
    return change


for lr, eps, wd in ((0.1, 1e-8, 0), (0.01, 1e-3, 0), (0.05, 1e-8, 0.1)):
    make = "adam([a, b, c], lr=%g, eps=%g, weight_decay=%g)" % (lr, eps, wd)
    mine = same("%s is torch's Adam with eps/sqrt(1-beta2^t)" % make, make,
                lambda ps: torch.optim.Adam(ps, lr=lr, eps=eps, weight_decay=wd), adam_eps(eps, 0.999))
    if mine is not None and eps == 1e-8:
        plain = theirs(lambda ps: torch.optim.Adam(ps, lr=lr, eps=eps, weight_decay=wd))
        gap = max(abs(x - y) for r, s in zip(mine, plain) for x, y in zip(r, s)) / (lr * STEPS)
        check("%s: about 1e-6 of the distance moved from torch.optim.Adam's (%.1e)" % (make, gap), gap < 1e-5, gap)


def decay_after(lr, wd, beta1=0.9, beta2=0.999):
    """torch's Adam as adam's (adam_eps), and after its step t, p *= 1 - lr_t*wd."""
    eps = adam_eps(1e-8, beta2)

    def change(opt, params, t, when):
        eps(opt, params, t, when)
        if when == "after":
            lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            with torch.no_grad():
                for p in params:
                    p.mul_(1 - lr_t * wd)
    return change


for lr, wd in ((0.1, 0.1), (0.01, 0.5)):
    make = "adamw([a, b, c], lr=%g, weight_decay=%g)" % (lr, wd)
    mine = same("%s is torch's Adam step, then p *= 1 - lr_t*weight_decay" % make, make,
                lambda ps: torch.optim.Adam(ps, lr=lr), decay_after(lr, wd))
    if mine is not None and (lr, wd) == (0.1, 0.1):
        # the help's example: p = 1 (a's first) after one step
        pytorch = theirs(lambda ps: torch.optim.AdamW(ps, lr=lr, weight_decay=wd))[0][0]
        check("%s: from p = 1, one step gives 0.897 (%.6f), torch.optim.AdamW's 0.89 (%.6f)"
              % (make, mine[0][0], pytorch), round(mine[0][0], 3) == 0.897 and round(pytorch, 3) == 0.89)

sys.exit(checks.summary("optimizers against torch.optim"))
