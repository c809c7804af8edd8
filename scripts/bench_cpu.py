"""Cairn's CPU backend side by side with numpy (OpenBLAS) in one run, alternating, on this machine.

Usage: python3 scripts/bench_cpu.py [--rounds 3] [--sizes 1024,2048,4096] [--quick]
Runs `bin/cairn bench ... --json` and the same work in numpy in turns, several rounds, and prints per
item the median over rounds of each side and their ratio. Also times the seed MLP and the chimera at
batch 1 (and PyTorch eager for them when /usr/bin/python3 has torch), the `wide` model at batch 2048
against numpy doing the same three products with bias and ReLU, and Cairn's plain-Java path
(Vector API off) at n = 1024.
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAIRN = os.path.join(ROOT, "bin", "cairn")


def cairn(args, extra_opts=""):
    env = dict(os.environ)
    if extra_opts:
        env["CAIRN_JAVA_OPTS"] = (env.get("CAIRN_JAVA_OPTS", "") + " " + extra_opts).strip()
    out = subprocess.run([CAIRN] + args + ["--json"], capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def timeit(fn, budget=1.5, min_calls=5):
    fn()
    fn()
    samples, end = [], time.perf_counter() + budget
    while len(samples) < min_calls or time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def numpy_gemm(n):
    rng = np.random.default_rng(42)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    t = timeit(lambda: a @ b)
    return 2.0 * n ** 3 / t / 1e9


def numpy_wide(batch):
    rng = np.random.default_rng(1)
    dims = [1024, 4096, 4096, 1024]
    ws = [rng.standard_normal((dims[i + 1], dims[i]), dtype=np.float32) * 0.02 for i in range(3)]
    bs = [rng.standard_normal(dims[i + 1], dtype=np.float32) for i in range(3)]
    x = rng.random((batch, 1024), dtype=np.float32)

    def fwd():
        h = np.maximum(x @ ws[0].T + bs[0], 0)
        h = np.maximum(h @ ws[1].T + bs[1], 0)
        return h @ ws[2].T + bs[2]

    t = timeit(fwd, budget=3.0)
    flops = 2.0 * batch * sum(dims[i] * dims[i + 1] for i in range(3))
    return flops / t / 1e9


TORCH_SNIPPET = r"""
import json, statistics, sys, time, torch
sys.path.insert(0, %r)
from torch_models import MODELS
torch.set_num_threads(2)
out = {}
for name in ("mlp", "chimera"):
    factory, width = MODELS[name]
    m = factory().eval()
    x = torch.rand(1, width)
    with torch.no_grad():
        for _ in range(200): m(x)
        s = []
        end = time.perf_counter() + 1.5
        while time.perf_counter() < end:
            t = time.perf_counter(); m(x); s.append(time.perf_counter() - t)
    out[name] = statistics.median(s) * 1e6
print(json.dumps(out))
"""


def torch_eager():
    py = "/usr/bin/python3"
    try:
        env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")
        r = subprocess.run([py, "-c", TORCH_SNIPPET % os.path.join(ROOT, "scripts")], capture_output=True, text=True,
                           env=env, timeout=120)
        return json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else None
    except Exception:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="1024,2048,4096")
    ap.add_argument("--quick", action="store_true", help="one round, smaller budgets")
    a = ap.parse_args()
    rounds = 1 if a.quick else a.rounds
    sizes = [int(s) for s in a.sizes.split(",")]
    subprocess.run([CAIRN, "devices"], check=True, capture_output=True)  # builds once, outside the timings
    res = {}

    def add(key, value):
        res.setdefault(key, []).append(value)

    for r in range(rounds):
        for n in sizes:
            add(("gemm", n, "cairn"), cairn(["bench", "gemm", "--n", str(n), "--threads", "2", "--device", "cpu",
                                             "--budget-ms", "3000"])[0]["gflops"])
            add(("gemm", n, "numpy"), numpy_gemm(n))
        add(("wide", 2048, "cairn"), cairn(["bench", "model", "--model", "wide", "--batch", "2048", "--device", "cpu",
                                            "--budget-ms", "4000"])[0]["gflops"])
        add(("wide", 2048, "numpy"), numpy_wide(2048))
        add(("plain", 1024, "cairn"), cairn(["bench", "gemm", "--n", "1024", "--device", "cpu", "--budget-ms", "3000"],
                                            extra_opts="-Dcairn.cpu.vector=false")[0]["gflops"])
        add(("plain", 1024, "numpy"), numpy_gemm(1024))
        for model in ("mlp", "chimera"):
            row = cairn(["bench", "model", "--model", model, "--batch", "1", "--device", "cpu", "--budget-ms", "2000"])[0]
            add(("latency", model, "cairn"), row["median_us"])
        t = torch_eager()
        if t:
            for model, us in t.items():
                add(("latency", model, "torch"), us)

    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, numpy {np.__version__}, {rounds} round(s), medians over rounds")
    print("| item | Cairn | reference | ratio |")
    print("| --- | --- | --- | --- |")
    for n in sizes:
        c, o = med[("gemm", n, "cairn")], med[("gemm", n, "numpy")]
        print(f"| SGEMM n={n}, 2 threads (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |")
    c, o = med[("wide", 2048, "cairn")], med[("wide", 2048, "numpy")]
    print(f"| wide model batch 2048 (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |")
    c, o = med[("plain", 1024, "cairn")], med[("plain", 1024, "numpy")]
    print(f"| SGEMM n=1024, Vector API off (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |")
    for model in ("mlp", "chimera"):
        c = med[("latency", model, "cairn")]
        t = med.get(("latency", model, "torch"))
        ref = f"PyTorch eager {t:.1f}" if t else "PyTorch not installed"
        ratio = f"{t / c:.1f}x faster" if t else "-"
        print(f"| {model} batch 1 median latency (us) | {c:.2f} | {ref} | {ratio} |")


if __name__ == "__main__":
    main()
