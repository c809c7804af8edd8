"""The convolution benchmarks of issue 18, Cairn beside PyTorch 1.13 eager on this machine; the GEMM,
latency and reference-model items (numpy with OpenBLAS's AVX-512 kernels) are scripts/bench_cpu.py's.

Usage: python3 scripts/bench_conv.py [--rounds 3] [--quick] [--before DIR]

The reference `lenet` and `convnet` forward passes at batch 1, 64 and 256 (`bin/cairn bench model`) and a
`lenet` SGD training step at batch 256 (`bench model --train`: forward, cross-entropy, backward, step),
each beside PyTorch 1.13 eager on 2 threads (/usr/bin/python3, OPENBLAS_CORETYPE=SkylakeX, the models of
../shared/models/reference_models.py). Prints per item the median over rounds of each side's median per
call, and the fastest call seen in any round. `--before DIR` also times another checkout's built
`bin/cairn` (an older commit) in the same rounds, alternating with this one (its training step is
skipped when it has no `--train`).
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

from bench_cpu import CAIRN, ROOT, blas_env, jvm_env, shared_models_dir
from host_cpu import describe as describe_cpu


def cairn(args, exe=CAIRN):
    out = subprocess.run([exe] + args + ["--json"], capture_output=True, text=True, check=True, env=jvm_env()).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


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
    models = [shared_models_dir() or os.path.join(ROOT, "..", "shared", "models")]
    r = subprocess.run(["/usr/bin/python3", "-c", TORCH_CONV_SNIPPET % (models, CONV_BATCHES, TRAIN_BATCH)],
                       capture_output=True, text=True, env=blas_env("SkylakeX"), timeout=600)
    if r.returncode != 0:
        print("PyTorch conv benchmark failed: " + r.stderr.strip().splitlines()[-1], file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def cairn_conv(exe):
    """Median microseconds per forward call of lenet/convnet per batch, and per lenet training step."""
    # every batch size is run twice and its first timing dropped: it pays for the JIT's warm-up (a batch
    # size can be the first to reach a kernel, e.g. the packed GEMM of a Linear layer, and C2 compiles
    # Vector API loops late on a loaded machine; until then they run 10-100x slower)
    out = {}
    for model in ("lenet", "convnet"):
        batches = tuple(b for b in CONV_BATCHES for _ in range(2))
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
    ap.add_argument("--quick", action="store_true", help="one round")
    ap.add_argument("--before", metavar="DIR", help="a checkout of an older commit, built, timed alternately")
    a = ap.parse_args()
    rounds = 1 if a.quick else a.rounds
    subprocess.run([CAIRN, "devices"], check=True, capture_output=True)  # builds once, outside the timings
    before = os.path.join(a.before, "bin", "cairn") if a.before else None
    res = {}

    def add(key, value):
        res.setdefault(key, []).append(value)

    for r in range(rounds):
        sides = [("cairn", CAIRN)] + ([("before", before)] if before else [])
        for side, exe in (sides if r % 2 == 0 else sides[::-1]):
            for k, (us, best) in cairn_conv(exe).items():
                add(("conv", k, side), us)
                add(("conv-min", k, side), best)
        for k, (us, best) in (torch_conv() or {}).items():
            add(("conv", k, "torch"), us)
            add(("conv-min", k, "torch"), best)

    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {rounds} round(s), medians over rounds")
    print(f"# {describe_cpu()}")
    print_conv(med, res, before)


if __name__ == "__main__":
    main()
