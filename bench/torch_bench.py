"""torch_bench.py — the benchmark workloads in PyTorch eager, for `make bench-compare`.

    python3 bench/torch_bench.py ID [DATA_FILE]

runs workload ID (W1 W2 W3 W4 W5 W6 W7, see bench/README.md) in float64 on one
thread and prints one line in the format of the C driver (agbench):

    W1  rosenbrock torch  iters=10000  us/iter=61.23 runs=5 peak=250.1MiB | x0=... x1=...

    python3 bench/torch_bench.py --sweep [ROUNDS]

is the width sweep beside `agbench --sweep`: 1-W-W-1 MLPs (ReLU, Adam lr
0.001, MSE, 1,000 points of sin(2 pi x); W = 16, 64, 256, 1024) on one
thread, on PyTorch's default count and on every CPU, blocks of steps
interleaved, best of ROUNDS blocks each (torch's own initial weights: the
times compare, not the losses).

W4, W5 and W7 read their data and initial weights from DATA_FILE, written by
`agbench --dump ID FILE`, so both sides train the very same network from the
very same start.  Time per iteration is the median over BENCH_RUNS runs (the
default is the C driver's); peak is this process's ru_maxrss, the import of
torch included.
"""
import math
import os
import resource
import sys
import time

import torch

DEFAULT_THREADS = torch.get_num_threads()  # PyTorch's own choice, for --sweep
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

DESCENT_STEPS = 10000
TANH_REPEATS = 100
CHAIN_STEPS = 100000
LSTM_BATCH = 30
LSTM_BPTT = 30
LSTM_EPOCHS = 10


def read_arrays(path):
    """The arrays of an agbench dump: {name: float64 tensor of its shape}."""
    arrays = {}
    with open(path) as f:
        lines = f.read().splitlines()
    for header, body in zip(lines[0::2], lines[1::2]):
        fields = header.split()
        name, ndim = fields[1], int(fields[2])
        shape = [int(d) for d in fields[3:3 + ndim]]
        values = [float(v) for v in body.split()] if body else []
        arrays[name] = torch.tensor(values).reshape(shape)
    return arrays


def leaves(arrays, names):
    """Fresh trainable copies of the named arrays."""
    return [arrays[name].clone().requires_grad_(True) for name in names]


# ---- scalar workloads --------------------------------------------------------


def descend(objective, start, lr):
    x0, x1 = (torch.tensor(v, requires_grad=True) for v in start)
    t0 = time.perf_counter()
    for _ in range(DESCENT_STEPS):
        x0.grad = None
        x1.grad = None
        y = objective(x0, x1)
        y.backward()
        with torch.no_grad():
            x0 -= lr * x0.grad
            x1 -= lr * x1.grad
    seconds = time.perf_counter() - t0
    return seconds, {"x0": x0.item(), "x1": x1.item()}


def run_rosenbrock(data):
    return descend(lambda a, b: 100 * (b - a ** 2) ** 2 + (a - 1) ** 2, (0.0, 2.0), 0.001)


def run_matyas(data):
    return descend(lambda a, b: 0.26 * (a ** 2 + b ** 2) - 0.48 * a * b, (10.0, -7.0), 0.1)


def run_tanh_derivatives(data):
    x = torch.tensor(1.0, requires_grad=True)
    derivative = None
    t0 = time.perf_counter()
    for _ in range(TANH_REPEATS):
        g = torch.tanh(x)
        for _ in range(4):
            (g,) = torch.autograd.grad(g, x, create_graph=True)
        derivative = g.item()
    seconds = time.perf_counter() - t0
    return seconds, {"d4": derivative}


def run_chain(data):
    x = torch.tensor(0.5, requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for _ in range(CHAIN_STEPS):
        y = torch.sin(y) * 1.0001 + 0.0001
    y.backward()
    seconds = time.perf_counter() - t0
    values = {"y": y.item(), "dy/dx": x.grad.item()}
    del y
    return seconds, values


# ---- networks -------------------------------------------------------------------


def sigmoid(v):
    # the engine's (and upstream's) form, so both sides compute the same numbers
    return 0.5 + 0.5 * torch.tanh(0.5 * v)


def train_mlp(data, steps, activation, make_optimizer, before_step=None):
    arrays = read_arrays(data)
    x, y = arrays["x"], arrays["y"]
    layers = sorted({name.rsplit(".", 1)[0] for name in arrays if name.startswith("linear[")},
                    key=lambda name: int(name[len("linear["):-1]))
    params = leaves(arrays, [f"{layer}.{p}" for layer in layers for p in ("w", "b")])
    optimizer = make_optimizer(params)
    loss = None
    t0 = time.perf_counter()
    for step in range(steps):
        h = x
        for i in range(len(layers)):
            h = h @ params[2 * i] + params[2 * i + 1]
            if i < len(layers) - 1:
                h = activation(h)
        loss = ((h - y) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if before_step is not None:
            before_step(optimizer, step + 1)
        optimizer.step()
    seconds = time.perf_counter() - t0
    return seconds, {"loss": loss.item()}


def run_small_mlp(data):
    return train_mlp(data, 10000, sigmoid, lambda ps: torch.optim.SGD(ps, lr=0.2))


ADAM_EPS = 1e-8
ADAM_BETA2 = 0.999


def upstream_eps(optimizer, t):
    """Step t of torch.optim.Adam as the engine's (upstream's) Adam takes it.

    The engine updates p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps);
    torch.optim.Adam p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    The two are the same step when torch's eps is eps / sqrt(1 - b2^t): 3.2e-7
    at the first step, 1.6e-8 at the 500th.  With torch's eps left at 1e-8 W5
    ended at a loss of 0.00157 against the engine's 0.000345 (the loss falls
    from 0.09 to 0.001 over the last 250 steps, so a slightly different descent
    shows as a factor there); with it, both end on 0.00034545175 (bench/README.md).
    """
    for group in optimizer.param_groups:
        group["eps"] = ADAM_EPS / math.sqrt(1 - ADAM_BETA2 ** t)


def run_wide_mlp(data):
    return train_mlp(data, 500, torch.relu,
                     lambda ps: torch.optim.Adam(ps, lr=0.001, betas=(0.9, ADAM_BETA2), eps=ADAM_EPS),
                     upstream_eps)


GATES = ("f", "i", "o", "u")


def run_lstm(data):
    arrays = read_arrays(data)
    series = arrays["series"]
    batches = (series.shape[0] - 1) // LSTM_BATCH
    inputs = [series[b * LSTM_BATCH:(b + 1) * LSTM_BATCH].reshape(LSTM_BATCH, 1)
              for b in range(batches)]
    targets = [series[b * LSTM_BATCH + 1:(b + 1) * LSTM_BATCH + 1].reshape(LSTM_BATCH, 1)
               for b in range(batches)]
    names = ([f"lstm.x2{g}.w" for g in GATES] + [f"lstm.x2{g}.b" for g in GATES] +
             [f"lstm.h2{g}.w" for g in GATES] + ["linear.w", "linear.b"])
    params = leaves(arrays, names)
    p = dict(zip(names, params))
    optimizer = torch.optim.SGD(params, lr=0.01)

    def gate(g, x, h, act):
        s = x @ p[f"lstm.x2{g}.w"] + p[f"lstm.x2{g}.b"]
        if h is not None:
            s = s + h @ p[f"lstm.h2{g}.w"]
        return act(s)

    epoch_loss = None
    t0 = time.perf_counter()
    for _ in range(LSTM_EPOCHS):
        h = c = loss = None
        count = 0
        for b in range(batches):
            x = inputs[b]
            f, i, o = (gate(g, x, h, sigmoid) for g in ("f", "i", "o"))
            u = gate("u", x, h, torch.tanh)
            c = i * u if c is None else f * c + i * u
            h = o * torch.tanh(c)
            y = h @ p["linear.w"] + p["linear.b"]
            batch_loss = ((y - targets[b]) ** 2).mean()
            loss = batch_loss if loss is None else loss + batch_loss
            count += 1
            if count % LSTM_BPTT == 0 or b == batches - 1:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                # upstream's unchain_backward: the graph below is cut
                h, c, loss = h.detach(), c.detach(), loss.detach()
                optimizer.step()
        epoch_loss = loss.item() / count
    seconds = time.perf_counter() - t0
    return seconds, {"loss": epoch_loss}


def train_cnn(side, steps):
    """W8/W9: a LeNet-sized step on a batch of 64 side x side images."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(8)
    pad2, flat = (2, 16 * 2 * 2) if side == 8 else (0, 16 * 5 * 5)

    def param(*shape, fan_in):
        return (torch.randn(*shape, generator=g) / math.sqrt(fan_in)).requires_grad_()

    def bias(n):
        return torch.zeros(n, requires_grad=True)
    params = [param(6, 1, 5, 5, fan_in=25), bias(6), param(16, 6, 5, 5, fan_in=150), bias(16),
              param(flat, 120, fan_in=flat), bias(120), param(120, 84, fan_in=120), bias(84),
              param(84, 10, fan_in=84), bias(10)]
    w1, b1, w2, b2, f1, c1, f2, c2, f3, c3 = params
    x = torch.rand(64, 1, side, side, generator=g)
    t = torch.randint(0, 10, (64,), generator=g)
    optimizer = torch.optim.SGD(params, lr=0.01)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=pad2)), 2)
        h = h.flatten(1)
        h = F.relu(h @ f1 + c1)
        h = F.relu(h @ f2 + c2)
        loss = F.cross_entropy(h @ f3 + c3, t)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    cpu_us = (time.process_time() - c0) / steps * 1e6
    return time.perf_counter() - t0, {"loss": loss.item(), "cpu_us": round(cpu_us)}


def run_cnn_small(data):
    return train_cnn(8, CNN_STEPS_SMALL)


def run_cnn_large(data):
    return train_cnn(28, CNN_STEPS_LARGE)


CNN_STEPS_SMALL, CNN_STEPS_LARGE = 200, 20

# id: (name, iterations, default runs, function)
WORKLOADS = {
    "W1": ("rosenbrock", DESCENT_STEPS, 5, run_rosenbrock),
    "W2": ("matyas", DESCENT_STEPS, 5, run_matyas),
    "W3": ("tanh4", TANH_REPEATS, 5, run_tanh_derivatives),
    "W6": ("chain", CHAIN_STEPS, 5, run_chain),
    "W4": ("mlp-small", 10000, 5, run_small_mlp),
    "W5": ("mlp-wide", 500, 3, run_wide_mlp),
    "W7": ("lstm", LSTM_EPOCHS, 5, run_lstm),
    "W8": ("lenet-8", CNN_STEPS_SMALL, 5, run_cnn_small),
    "W9": ("lenet-28", CNN_STEPS_LARGE, 5, run_cnn_large),
}


SWEEP_WIDTHS = (16, 64, 256, 1024)
SWEEP_STEPS = (100, 40, 10, 2)  # a block: agbench --sweep's


def sweep(rounds):
    """The width sweep (module docstring); one result line a width and count."""
    x = torch.linspace(0, 1, 1000).reshape(1000, 1)
    y = torch.sin(2 * math.pi * x)
    for width, steps in zip(SWEEP_WIDTHS, SWEEP_STEPS):
        sides = []
        # one thread, PyTorch's default (1 on the 2-vCPU VM: it counts the
        # cores its cpuinfo sees) and every CPU this process may run on
        for threads in sorted({1, DEFAULT_THREADS, len(os.sched_getaffinity(0))}):
            torch.manual_seed(0)
            model = torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.ReLU(),
                                        torch.nn.Linear(width, width), torch.nn.ReLU(),
                                        torch.nn.Linear(width, 1))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
            sides.append({"threads": threads, "model": model, "optimizer": optimizer,
                          "best": math.inf, "loss": None})

        def block(side, count):
            torch.set_num_threads(side["threads"])
            t0 = time.perf_counter()
            for _ in range(count):
                loss = torch.nn.functional.mse_loss(side["model"](x), y)
                side["optimizer"].zero_grad(set_to_none=True)
                loss.backward()
                side["optimizer"].step()
            side["loss"] = loss.item()
            return (time.perf_counter() - t0) / count

        for side in sides:
            block(side, 1)  # untimed: buffers and pages there
        for _ in range(rounds):
            for side in sides:
                side["best"] = min(side["best"], block(side, steps))
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for side in sides:
            us = side["best"] * 1e6
            decimals = 4 if us < 10 else 2 if us < 1000 else 0
            gain = f" gain={sides[0]['best'] / side['best']:.2f}" if side is not sides[0] else ""
            if side["threads"] == DEFAULT_THREADS:
                gain += " default=1"
            runner = f"torch-{side['threads']}t"
            print(f"{'M' + str(width):<3} {'mlp-w' + str(width):<10} {runner:<6} iters={steps * rounds:<6} "
                  f"us/iter={us:.{decimals}f} runs={rounds} peak={peak_mib:.1f}MiB | "
                  f"loss={side['loss']!r} threads={side['threads']}{gain}", flush=True)
    torch.set_num_threads(1)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--sweep":
        return sweep(int(argv[2]) if len(argv) > 2 else 5)
    if len(argv) < 2 or argv[1] not in WORKLOADS:
        print(f"usage: {argv[0]} {{{' '.join(WORKLOADS)}}} [DATA_FILE]", file=sys.stderr)
        return 2
    workload = argv[1]
    name, iters, runs, run = WORKLOADS[workload]
    runs = int(os.environ.get("BENCH_RUNS", runs))
    data = argv[2] if len(argv) > 2 else None
    per_iter = []
    values = {}
    for _ in range(runs):
        seconds, values = run(data)
        per_iter.append(seconds / iters * 1e6)
    per_iter.sort()
    median = (per_iter[runs // 2] if runs % 2 else
              0.5 * (per_iter[runs // 2 - 1] + per_iter[runs // 2]))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    decimals = 4 if median < 10 else 2 if median < 1000 else 0
    shown = " ".join(f"{k}={v!r}" for k, v in values.items())
    print(f"{workload:<3} {name:<10} {'torch':<6} iters={iters:<6} us/iter={median:.{decimals}f} "
          f"runs={runs} peak={peak_mib:.1f}MiB | {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
