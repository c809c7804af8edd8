"""The convolution benchmarks of issue 18 beside PyTorch (default --only conv); scripts/bench_cpu.py is
the main CPU benchmark (GEMM against numpy with AVX-512, latency, the reference models at batch 1 and 32).

Cairn's CPU backend side by side with numpy (OpenBLAS) in one run, alternating, on this machine.

Usage: python3 scripts/bench_conv.py [--rounds 3] [--sizes 1024,2048,4096] [--quick]
                                    [--before DIR]
Runs `bin/cairn bench ... --json` and the same work in numpy in turns, several rounds, and prints per
item the median over rounds of each side and their ratio. Also times the seed MLP and the chimera at
batch 1 (and PyTorch eager for them when /usr/bin/python3 has torch), the `wide` model at batch 2048
against numpy doing the same three products with bias and ReLU, and Cairn's plain-Java path
(Vector API off) at n = 1024.

The conv part (`--only conv` runs just it): the reference `lenet` and `convnet` forward passes at batch 1,
64 and 256 (`bin/cairn bench model`) and a `lenet` SGD training step at batch 256 (`bench model --train`:
forward, cross-entropy, backward, step), each beside PyTorch 1.13 eager on 2 threads
(/usr/bin/python3, OPENBLAS_CORETYPE=SkylakeX, the models of ../shared/models/reference_models.py).
`--before DIR` also times another checkout's built `bin/cairn` (an older commit) in the same rounds,
alternating with this one (its training step is skipped when it has no `--train`).
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAIRN = os.path.join(ROOT, "bin", "cairn")


def cairn(args, extra_opts="", exe=CAIRN):
    env = dict(os.environ)
    if extra_opts:
        env["CAIRN_JAVA_OPTS"] = (env.get("CAIRN_JAVA_OPTS", "") + " " + extra_opts).strip()
    out = subprocess.run([exe] + args + ["--json"], capture_output=True, text=True, env=env, check=True).stdout
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


CONV_BATCHES = (1, 64, 256)
TRAIN_BATCH = 256

TORCH_CONV_SNIPPET = r"""
import json, os, statistics, sys, time, torch
for p in %r:
    sys.path.insert(0, p)
import reference_models
torch.set_num_threads(2)
torch.manual_seed(7)
BATCHES, TRAIN_BATCH = %r, %r


def median(fn, budget):
    warm_end = time.perf_counter() + 0.3 * budget
    for i in range(100000):
        fn()
        if i >= 2 and time.perf_counter() > warm_end: break
    s, end = [], time.perf_counter() + budget
    while len(s) < 5 or time.perf_counter() < end:
        t = time.perf_counter(); fn(); s.append(time.perf_counter() - t)
    return [statistics.median(s) * 1e6, min(s) * 1e6]


out = {}
shapes = {"lenet": (1, 28, 28), "convnet": (1, 8, 8)}
for name in ("lenet", "convnet"):
    m = reference_models.MODELS[name]().eval()
    for b in BATCHES:
        x = torch.rand((b,) + shapes[name])
        with torch.no_grad():
            out[f"{name}/{b}"] = median(lambda: m(x), 1.5)
m = reference_models.MODELS["lenet"]().train()
opt = torch.optim.SGD(m.parameters(), lr=0.01)
x = torch.rand((TRAIN_BATCH,) + shapes["lenet"])
y = torch.randint(0, 10, (TRAIN_BATCH,))
def step():
    opt.zero_grad()
    torch.nn.functional.cross_entropy(m(x), y).backward()
    opt.step()
out[f"lenet-train/{TRAIN_BATCH}"] = median(step, 3.0)
print(json.dumps(out))
"""


def torch_conv():
    models = [os.path.join(ROOT, "..", "shared", "models"), os.path.join(ROOT, "..", "..", "shared", "models")]
    env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX", OMP_NUM_THREADS="2")
    r = subprocess.run(["/usr/bin/python3", "-c", TORCH_CONV_SNIPPET % (models, CONV_BATCHES, TRAIN_BATCH)],
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode != 0:
        print("PyTorch conv benchmark failed: " + r.stderr.strip().splitlines()[-1], file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def cairn_conv(exe):
    """Median microseconds per forward call of lenet/convnet per batch, and per lenet training step."""
    # the first batch size is run twice and its first timing dropped: it pays for the JIT's warm-up
    out = {}
    for model in ("lenet", "convnet"):
        batches = (CONV_BATCHES[0],) + CONV_BATCHES
        for row in cairn(["bench", "model", "--model", model, "--batch", ",".join(map(str, batches)),
                          "--device", "cpu", "--budget-ms", "1500"], exe=exe):
            # a later row of the same batch replaces the first
            out[f"{model}/{row['batch']}"] = [row["median_us"], row.get("min_us", row["median_us"])]
    try:
        rows = cairn(["bench", "model", "--model", "lenet", "--batch", f"{TRAIN_BATCH},{TRAIN_BATCH}", "--train",
                      "--device", "cpu", "--budget-ms", "3000"], exe=exe)
        out[f"lenet-train/{TRAIN_BATCH}"] = [rows[-1]["median_us"], rows[-1].get("min_us", rows[-1]["median_us"])]
    except subprocess.CalledProcessError:
        pass  # a build without bench model --train
    return out


def print_conv(med, res, before):
    """Medians over rounds of each side's median per call, then the fastest call seen in any round."""
    print("| item | Cairn median (us) | PyTorch 1.13 median (us) | Cairn speed vs PyTorch |"
          + (" Cairn before median (us) | speed-up |" if before else "")
          + " fastest call: Cairn / PyTorch" + (" / before" if before else "") + " (us) |")
    print("| --- | --- | --- | --- |" + (" --- | --- |" if before else "") + " --- |")
    keys = [f"{m}/{b}" for m in ("lenet", "convnet") for b in CONV_BATCHES] + [f"lenet-train/{TRAIN_BATCH}"]
    for k in keys:
        c = med.get(("conv", k, "cairn"))
        if c is None:
            continue
        t = med.get(("conv", k, "torch"))
        model, batch = k.split("/")
        name = f"lenet SGD training step, batch {batch}" if model == "lenet-train" else f"{model} forward, batch {batch}"
        row = f"| {name} | {c:.1f} | " + (f"{t:.1f} | {t / c:.2f}x |" if t else "- | - |")
        if before:
            b = med.get(("conv", k, "before"))
            row += f" {b:.1f} | {b / c:.2f}x |" if b else " - | - |"
        sides = ["cairn", "torch"] + (["before"] if before else [])
        best = [min(res[("conv-min", k, sd)]) if ("conv-min", k, sd) in res else None for sd in sides]
        row += " " + " / ".join(f"{v:.1f}" if v else "-" for v in best) + " |"
        print(row)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="1024,2048,4096")
    ap.add_argument("--quick", action="store_true", help="one round, smaller budgets")
    # the GEMM items live in scripts/bench_cpu.py, whose numpy side runs OpenBLAS's AVX-512 kernels
    ap.add_argument("--only", choices=("conv",), default="conv",
                    help="gemm: the GEMM, wide and batch-1 items; conv: lenet/convnet against PyTorch")
    ap.add_argument("--before", metavar="DIR", help="a checkout of an older commit, built, timed alternately (conv)")
    a = ap.parse_args()
    rounds = 1 if a.quick else a.rounds
    sizes = [int(s) for s in a.sizes.split(",")]
    subprocess.run([CAIRN, "devices"], check=True, capture_output=True)  # builds once, outside the timings
    before = os.path.join(a.before, "bin", "cairn") if a.before else None
    res = {}

    def add(key, value):
        res.setdefault(key, []).append(value)

    for r in range(rounds):
        if a.only in ("all", "conv"):
            sides = [("cairn", CAIRN)] + ([("before", before)] if before else [])
            for side, exe in (sides if r % 2 == 0 else sides[::-1]):
                for k, (us, best) in cairn_conv(exe).items():
                    add(("conv", k, side), us)
                    add(("conv-min", k, side), best)
            t = torch_conv()
            for k, (us, best) in (t or {}).items():
                add(("conv", k, "torch"), us)
                add(("conv-min", k, "torch"), best)
        if a.only == "conv":
            continue
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
    if a.only in ("all", "conv"):
        print_conv(med, res, before)
    if a.only == "conv":
        return
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
