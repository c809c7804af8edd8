"""Single ops on a [64, 2048] float tensor, Cairn beside PyTorch 1.13 eager on this machine (2 threads each).

Usage: python3 scripts/op_survey.py [--rounds 3] [--before DIR]

Runs scripts/OpSurvey.java (a JVM per round) and the same ops in /usr/bin/python3 (torch.set_num_threads(2)),
alternating, and prints per op the median over rounds of each side's median microseconds and PyTorch's time
over Cairn's (> 1: Cairn faster), sorted with the largest gaps first. `--before DIR` also runs another built
checkout's jars (an older commit) in the same rounds. The survey is for finding ops that fell off the vector
paths; the model benchmarks are scripts/bench_cpu.py's and scripts/bench_conv.py's.
"""
import argparse, os, statistics, subprocess, sys

from bench_cpu import ROOT
from host_cpu import describe as describe_cpu

TORCH_SNIPPET = r"""
import statistics, time, torch
import torch.nn.functional as F
torch.set_num_threads(2)
torch.manual_seed(1)
x = torch.randn(64, 2048); y = torch.randn(64, 2048); row = torch.randn(2048); col = torch.randn(64, 1)
mask = x > 0; w = torch.ones(2048); b = torch.zeros(2048)
idx = torch.tensor([3, 1, 60, 7, 0, 5, 9, 33]); gidx = (torch.rand(64, 16) * 2047).long()
ops = {
 "sum_last": lambda: x.sum(-1), "sum_first": lambda: x.sum(0), "mean_last": lambda: x.mean(-1),
 "amax_last": lambda: x.amax(-1), "argmax_last": lambda: x.argmax(-1), "max_all": lambda: x.max(), "sum_all": lambda: x.sum(),
 "softmax": lambda: x.softmax(-1), "log_softmax": lambda: x.log_softmax(-1),
 "layer_norm": lambda: F.layer_norm(x, (2048,), w, b, 1e-5), "var_last": lambda: x.var(-1),
 "cumsum_last": lambda: x.cumsum(-1), "norm_last": lambda: x.norm(2, -1),
 "add": lambda: x + y, "add_row": lambda: x + row, "mul_col": lambda: x * col,
 "where": lambda: torch.where(mask, x, y), "masked_fill": lambda: x.masked_fill(mask, 0.),
 "clamp": lambda: x.clamp(-0.5, 0.5), "pow3": lambda: x.pow(3), "square": lambda: x.square(),
 "rsqrt": lambda: x.abs().rsqrt(), "silu": lambda: F.silu(x), "softplus": lambda: F.softplus(x),
 "leaky_relu": lambda: F.leaky_relu(x, 0.01), "gt": lambda: x > y, "logical_and": lambda: mask.logical_and(mask),
 "transpose_contig": lambda: x.t().contiguous(), "cat0": lambda: torch.cat([x, y], 0),
 "cat1": lambda: torch.cat([x, y], 1), "index_select0": lambda: x.index_select(0, idx),
 "gather1": lambda: x.gather(1, gidx), "flip_last": lambda: x.flip(-1), "roll_last": lambda: x.roll(5, -1),
 "tril": lambda: x.tril(), "repeat": lambda: x.repeat(2, 1), "sign": lambda: x.sign(),
 "reciprocal": lambda: x.reciprocal(),
}
def med(fn, budget):
    s, end = [], time.perf_counter() + budget
    while len(s) < 5 or time.perf_counter() < end:
        t = time.perf_counter(); fn(); s.append(time.perf_counter() - t)
    return statistics.median(s) * 1e6
with torch.no_grad():
    for k, f in ops.items(): med(f, 0.15)
    for k, f in ops.items(): print(k, "%.2f" % med(f, 0.4))
"""


def java():
    return os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")


def parse(out):
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                rows[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return rows


def cairn(checkout):
    cp = f"{checkout}/samples/target/cairn-samples.jar:{checkout}/samples/target/lib/*"
    cmd = [java(), "-Xms2g", "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-cp", cp,
           os.path.join(ROOT, "scripts", "OpSurvey.java")]
    return parse(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def torch_side():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OPENBLAS_CORETYPE="SkylakeX", OMP_NUM_THREADS="2")
    return parse(subprocess.run(["/usr/bin/python3", "-c", TORCH_SNIPPET], capture_output=True, text=True,
                                check=True, env=env).stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", metavar="DIR", help="another built checkout, timed in the same rounds")
    a = ap.parse_args()
    print(describe_cpu())
    sides = {"cairn": lambda: cairn(ROOT), "torch": torch_side}
    if a.before:
        sides["before"] = lambda: cairn(a.before)
    res = {name: {} for name in sides}
    for r in range(a.rounds):
        for name in (list(sides) if r % 2 == 0 else list(reversed(sides))):
            for op, us in sides[name]().items():
                res[name].setdefault(op, []).append(us)
        print(f"round {r + 1} of {a.rounds} done", file=sys.stderr)
    med = {name: {op: statistics.median(v) for op, v in ops.items()} for name, ops in res.items()}
    ops = sorted(med["cairn"], key=lambda op: med["torch"].get(op, 0) / med["cairn"][op])
    print(f"{a.rounds} rounds; ratio = PyTorch time / Cairn time (> 1: Cairn faster)")
    print(f"{'op':18} {'cairn us':>10} {'torch us':>10} {'ratio':>8}" + (f" {'before us':>10} {'speedup':>8}" if a.before else ""))
    for op in ops:
        c, t = med["cairn"][op], med["torch"].get(op, float("nan"))
        line = f"{op:18} {c:10.2f} {t:10.2f} {t / c:7.2f}x"
        if a.before:
            bf = med["before"].get(op, float("nan"))
            line += f" {bf:10.2f} {bf / c:7.2f}x"
        print(line)


if __name__ == "__main__":
    main()
