"""Elementwise unary ops, Cairn beside PyTorch 1.13 eager on this machine (2 threads each).

Usage: python3 scripts/unary_ops.py [--rounds 3] [--n 131072] [--before DIR]

Times exp, log, sqrt, sin, cos, erf, tanh, sigmoid, both GELUs and ReLU on one dense float tensor of N
values ([1, 128, N / 128], as encoder-large's feed-forward activations at batch 1): Cairn with
scripts/UnaryOpBench.java (a JVM per round, median microseconds per call), PyTorch with the same ops in
/usr/bin/python3 (torch.set_num_threads(2)). `--before DIR` also runs another built checkout's jars (an older
commit) in the same rounds, alternating. Prints per op the median over rounds of each side's median.
"""
import argparse, os, statistics, subprocess, sys

from bench_cpu import ROOT, jvm_env
from op_survey import java, parse
from host_cpu import describe as describe_cpu

OPS = ("exp", "log", "sqrt", "sin", "cos", "erf", "tanh", "sigmoid", "gelu", "gelu_tanh", "relu")

TORCH_SNIPPET = r"""
import statistics, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(2)
n = int(sys.argv[1])
g = torch.Generator().manual_seed(3)
x = torch.randn(1, 128, n // 128, generator=g)
positive = x.abs() + 1e-3
ops = {"exp": lambda: x.exp(), "log": lambda: positive.log(), "sqrt": lambda: positive.sqrt(),
       "sin": lambda: x.sin(), "cos": lambda: x.cos(), "erf": lambda: x.erf(), "tanh": lambda: x.tanh(),
       "sigmoid": lambda: x.sigmoid(), "gelu": lambda: F.gelu(x), "gelu_tanh": lambda: F.gelu(x, approximate="tanh"),
       "relu": lambda: x.relu()}
def median_us(fn, budget):
    s, end = [], time.perf_counter() + budget
    while len(s) < 5 or time.perf_counter() < end:
        t = time.perf_counter(); fn(); s.append(time.perf_counter() - t)
    return statistics.median(s) * 1e6
with torch.no_grad():
    for name, fn in ops.items():
        median_us(fn, 0.25)
    for name, fn in ops.items():
        print(name, "%.2f" % median_us(fn, 0.5))
"""


def cairn(checkout, n):
    cp = f"{checkout}/samples/target/cairn-samples.jar:{checkout}/samples/target/lib/*"
    opts = jvm_env().get("CAIRN_JAVA_OPTS", "").split()
    cmd = [java()] + opts + ["--add-modules", "jdk.incubator.vector", "-cp", cp,
                             os.path.join(ROOT, "scripts", "UnaryOpBench.java"), str(n)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse(out)


def torch_side(n):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_CORETYPE"] = "SkylakeX"
    env["OMP_NUM_THREADS"] = "2"
    out = subprocess.run(["/usr/bin/python3", "-c", TORCH_SNIPPET, str(n)], capture_output=True, text=True,
                         check=True, env=env).stdout
    return parse(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=131072)
    ap.add_argument("--before", metavar="DIR", help="another built checkout, timed in the same rounds")
    a = ap.parse_args()
    print(describe_cpu())
    sides = {"cairn": lambda: cairn(ROOT, a.n), "torch": lambda: torch_side(a.n)}
    if a.before:
        sides["before"] = lambda: cairn(a.before, a.n)
    res = {name: {op: [] for op in OPS} for name in sides}
    for r in range(a.rounds):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for name in order:
            for op, us in sides[name]().items():
                if op in res[name]:
                    res[name][op].append(us)
        print(f"round {r + 1} of {a.rounds} done", file=sys.stderr)
    med = {name: {op: statistics.median(v) for op, v in ops.items() if v} for name, ops in res.items()}
    head = f"{'op':10} {'cairn us':>10} {'torch us':>10} {'ratio':>8}" + (f" {'before us':>10} {'speedup':>8}" if a.before else "")
    print(f"n = {a.n}, {a.rounds} rounds; ratio = PyTorch time / Cairn time (> 1: Cairn faster)")
    print(head)
    for op in OPS:
        c, t = med["cairn"].get(op), med["torch"].get(op)
        line = f"{op:10} {c:10.2f} {t:10.2f} {t / c:7.2f}x"
        if a.before:
            b = med["before"].get(op)
            line += f" {b:10.2f} {b / c:7.2f}x"
        print(line)


if __name__ == "__main__":
    main()
