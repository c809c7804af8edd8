"""Cairn's CPU backend side by side with numpy (OpenBLAS) and PyTorch eager in one run, alternating, on this machine.

Usage: python3 scripts/bench_cpu.py [--rounds 3] [--sizes 1024,2048,4096] [--items gemm,wide,plain,latency,models]
                                    [--models encoder,encoder-large] [--quick] [--before DIR]
Runs `bin/cairn bench ... --json` and the same work in numpy and in PyTorch in turns, at least 3 rounds
(--quick: one), and prints per item the median over rounds of each side and the ratio of the medians.

Items: `gemm` SGEMM at each --sizes n on 2 threads; `wide` the `wide` model at batch 2048 against numpy
doing the same three products with bias and ReLU; `plain` Cairn's plain-Java path (Vector API off) at
n = 1024; `latency` the seed MLP and the chimera at batch 1; `models` the reference models lenet,
convnet and encoder (12 tokens), `encoder-seq128` (the encoder at 128 tokens) and `encoder-large`
(d=256, 4 heads, 4 layers, feed-forward 1024, 128 tokens) at batch 1 and 32; `--models` keeps only the
reference models named (default: all five). `--before DIR` times a built checkout of an older commit too (its
own `bin/cairn`, in turn with this one's) on every item, and adds its medians and this checkout's change
against them. PyTorch's figures need
torch on /usr/bin/python3 and, for the reference models, ../shared/models/reference_models.py.

OpenBLAS: these machines set OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE in the environment, which
would make numpy's OpenBLAS run its AVX2 kernels on an AVX-512 CPU. numpy therefore runs in a child
process with both variables removed (its OpenBLAS then picks its kernels from the CPU), PyTorch (Debian's
/usr/bin/python3) with OPENBLAS_CORETYPE=SkylakeX, both on 2 threads. The script prints numpy's OpenBLAS
core and threads, and for PyTorch the core OpenBLAS announces (OPENBLAS_VERBOSE=2) and the BLAS libraries
it loaded: Debian's torch goes through libblas.so.3, which is OpenBLAS only where the system's BLAS
alternative points to it (on the development VM it is the reference BLAS, next to oneDNN).
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

from host_cpu import describe as describe_cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAIRN = os.path.join(ROOT, "bin", "cairn")
TORCH_PY = "/usr/bin/python3"
THREADS = "2"
MODEL_BATCHES = (1, 32)
# name in Cairn's registry -> (PyTorch builder expression over reference_models `rm` and `nn`, input row shape, dtype)
REFERENCE_MODELS = {
    "lenet": ("rm.lenet()", (1, 28, 28), "float32"),
    "convnet": ("rm.ConvNet()", (1, 8, 8), "float32"),
    "encoder": ("rm.TextEncoder()", (12,), "int64"),
    "encoder-seq128": ("rm.TextEncoder(max_len=128)", (128,), "int64"),
    "encoder-large": ("wider(rm.TextEncoder(d=256, heads=4, layers=4, max_len=128), 256, 4, 4, 1024)", (128,), "int64"),
}


def blas_env(coretype=None):
    """This process's environment without the OpenBLAS tuning variables, with coretype when given and 2 threads."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = THREADS
    return env


# Cairn's JVMs get their heap up front, pre-touched (CAIRN_BENCH_HEAP=4g by default; empty: the JVM's own sizing),
# as a JVM service is deployed: left to grow and shrink, a heap keeps faulting in fresh pages, which on this
# microVM made encoder-seq128 at batch 1 take 3,639 us a call against 725 us with the heap fixed (same build,
# same command). Every Cairn build in a comparison runs with the same setting.
BENCH_HEAP = os.environ.get("CAIRN_BENCH_HEAP", "4g")


def jvm_env(extra_opts=""):
    """The environment for a bin/cairn run: CAIRN_JAVA_OPTS plus the fixed heap and extra_opts."""
    env = dict(os.environ)
    heap = f"-Xms{BENCH_HEAP} -Xmx{BENCH_HEAP} -XX:+AlwaysPreTouch" if BENCH_HEAP else ""
    opts = " ".join(o for o in (env.get("CAIRN_JAVA_OPTS", ""), heap, extra_opts) if o)
    if opts:
        env["CAIRN_JAVA_OPTS"] = opts
    return env


def cairn(args, extra_opts="", binary=None):
    """`bin/cairn ARGS --json` of this checkout, or of `binary` (another checkout's, run without -q, which older
    command lines lack) with CAIRN_NO_BUILD set."""
    env = jvm_env(extra_opts)
    if binary:
        env["CAIRN_NO_BUILD"] = "1"
    cmd = [binary or CAIRN] + args + (["--json"] if binary else ["--json", "-q"])
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


# The numpy side, run as `python3 -c NUMPY_CHILD JOB` in the cleaned environment; prints one JSON line.
NUMPY_CHILD = r"""
import ctypes, glob, json, os, statistics, sys, time
import numpy as np

def timeit(fn, budget):
    fn(); fn()
    samples, end = [], time.perf_counter() + budget
    while len(samples) < 5 or time.perf_counter() < end:
        t = time.perf_counter(); fn(); samples.append(time.perf_counter() - t)
    return statistics.median(samples)

def info():
    out = {"numpy": np.__version__}
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for lib in libs:
        h = ctypes.CDLL(lib)
        for pre, suf in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
            if hasattr(h, pre + "get_corename" + suf):
                for key, fn in (("core", "get_corename"), ("config", "get_config")):
                    f = getattr(h, pre + fn + suf); f.restype = ctypes.c_char_p; out[key] = f().decode()
                out["threads"] = getattr(h, pre + "get_num_threads" + suf)()
                return out
    try:
        import threadpoolctl
        for p in threadpoolctl.threadpool_info():
            if p.get("internal_api") == "openblas":
                out.update(core=p.get("architecture"), threads=p.get("num_threads"), config=p.get("version"))
                return out
    except ImportError:
        pass
    out["core"] = "unknown (run with OPENBLAS_VERBOSE=2 to see it on stderr)"
    return out

job = json.loads(sys.argv[1])
if job["kind"] == "info":
    print(json.dumps(info()))
elif job["kind"] == "gemm":
    n = job["n"]
    rng = np.random.default_rng(42)
    a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
    print(json.dumps({"gflops": 2.0 * n ** 3 / timeit(lambda: a @ b, 2.0) / 1e9}))
elif job["kind"] == "wide":
    batch = job["batch"]
    rng = np.random.default_rng(1)
    dims = [1024, 4096, 4096, 1024]
    ws = [rng.standard_normal((dims[i + 1], dims[i]), dtype=np.float32) * 0.02 for i in range(3)]
    bs = [rng.standard_normal(dims[i + 1], dtype=np.float32) for i in range(3)]
    x = rng.random((batch, 1024), dtype=np.float32)
    def fwd():
        h = np.maximum(x @ ws[0].T + bs[0], 0)
        h = np.maximum(h @ ws[1].T + bs[1], 0)
        return h @ ws[2].T + bs[2]
    flops = 2.0 * batch * sum(dims[i] * dims[i + 1] for i in range(3))
    print(json.dumps({"gflops": flops / timeit(fwd, 3.0) / 1e9}))
"""


def numpy_job(job):
    r = subprocess.run([sys.executable, "-c", NUMPY_CHILD, json.dumps(job)], capture_output=True, text=True,
                       env=blas_env(), check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


# The PyTorch side: one /usr/bin/python3 process per round times every model asked for; prints one JSON line.
TORCH_CHILD = r"""
import json, os, statistics, sys, time, torch
from torch import nn
job = json.loads(sys.argv[1])
sys.path.insert(0, job["scripts"])
from torch_models import MODELS
rm = None
if job["shared"]:
    sys.path.insert(0, job["shared"])
    import reference_models as rm
torch.set_num_threads(int(job["threads"]))
torch.manual_seed(0)

def wider(m, d, heads, layers, ff):
    layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.1, activation="gelu",
                                       batch_first=True, norm_first=True)
    m.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
    return m

def median_us(m, x, budget):
    with torch.no_grad():
        warm = time.perf_counter() + budget / 3
        for _ in range(20):
            m(x)
            if time.perf_counter() > warm:
                break
        s = []
        end = time.perf_counter() + budget
        while len(s) < 5 or time.perf_counter() < end:
            t = time.perf_counter(); m(x); s.append(time.perf_counter() - t)
    return statistics.median(s) * 1e6

out = {}
for name in job["latency"]:
    factory, width = MODELS[name]
    out[name + "/1"] = median_us(factory().eval(), torch.rand(1, width), 1.5)
for name, (expr, row, dtype) in job["models"].items():
    if rm is None:
        break
    m = eval(expr).eval()
    for b in job["batches"]:
        shape = (b,) + tuple(row)
        x = torch.randint(1, 50, shape) if dtype == "int64" else torch.rand(shape)
        out[name + "/" + str(b)] = median_us(m, x, 1.5)
import re
maps = open("/proc/self/maps").read()
out["info"] = {"torch": torch.__version__, "threads": torch.get_num_threads(),
               "blas": re.findall(r"BLAS_INFO=[^,\s]+", torch.__config__.show()),
               "libs": sorted({l.split()[-1] for l in maps.splitlines() if re.search(r"blas|dnnl", l)})}
print(json.dumps(out))
"""


def shared_models_dir():
    for cand in (os.path.join(ROOT, "..", "shared", "models"), os.path.join(ROOT, "..", "..", "shared", "models")):
        if os.path.exists(os.path.join(cand, "reference_models.py")):
            return os.path.abspath(cand)
    return None


def torch_run(latency, models):
    """PyTorch eager times in microseconds keyed 'model/batch' plus 'info', or None without torch."""
    if not os.path.exists(TORCH_PY):
        return None
    job = {"scripts": os.path.join(ROOT, "scripts"), "shared": shared_models_dir(), "threads": THREADS,
           "latency": list(latency), "models": models, "batches": list(MODEL_BATCHES)}
    env = blas_env("SkylakeX")
    env["OPENBLAS_VERBOSE"] = "2"  # OpenBLAS prints "Core: <name>" on stderr at load
    try:
        r = subprocess.run([TORCH_PY, "-c", TORCH_CHILD, json.dumps(job)], capture_output=True, text=True, env=env,
                           timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        print(f"# PyTorch side failed: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["info"]["core"] = next((l.split(":", 1)[1].strip() for l in r.stderr.splitlines() if l.startswith("Core:")),
                               "not printed (no OpenBLAS loaded)")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (at least 3 unless --quick)")
    ap.add_argument("--sizes", default="1024,2048,4096")
    ap.add_argument("--items", default="gemm,wide,plain,latency,models")
    ap.add_argument("--quick", action="store_true", help="one round")
    ap.add_argument("--models", help="comma-separated reference models for the models item (default: all: "
                    + ",".join(REFERENCE_MODELS) + ")")
    ap.add_argument("--before", metavar="DIR", help="a built checkout of an older commit: its items are timed "
                    "too, in turn with this checkout's, and compared")
    a = ap.parse_args()
    if not a.quick and a.rounds < 3:
        ap.error("--rounds must be at least 3 (the ratios are medians over alternating rounds); use --quick for one")
    rounds = 1 if a.quick else a.rounds
    sizes = [int(s) for s in a.sizes.split(",")]
    items = set(a.items.split(","))
    unknown = items - {"gemm", "wide", "plain", "latency", "models"}
    if unknown:
        ap.error(f"unknown --items {sorted(unknown)}; choose from gemm, wide, plain, latency, models")
    if a.models:
        unknown_models = set(a.models.split(",")) - set(REFERENCE_MODELS)
        if unknown_models:
            ap.error(f"unknown --models {sorted(unknown_models)}; choose from {', '.join(REFERENCE_MODELS)}")
    subprocess.run([CAIRN, "devices"], check=True, capture_output=True)  # builds once, outside the timings
    np_info = numpy_job({"kind": "info"})
    torch_info = None
    res = {}

    def add(key, value):
        res.setdefault(key, []).append(value)

    sides = [("cairn", None)] + ([("before", os.path.join(a.before, "bin", "cairn"))] if a.before else [])
    latency = ("mlp", "chimera") if "latency" in items else ()
    models = {}
    if "models" in items:
        keep = a.models.split(",") if a.models else list(REFERENCE_MODELS)
        models = {name: spec for name, spec in REFERENCE_MODELS.items() if name in keep}
    for r in range(rounds):
        if "gemm" in items:
            for n in sizes:
                for side, binary in sides:
                    add(("gemm", n, side), cairn(["bench", "gemm", "--n", str(n), "--threads", THREADS, "--device", "cpu",
                                                  "--budget-ms", "3000"], binary=binary)[0]["gflops"])
                add(("gemm", n, "numpy"), numpy_job({"kind": "gemm", "n": n})["gflops"])
        if "wide" in items:
            for side, binary in sides:
                add(("wide", 2048, side), cairn(["bench", "model", "--model", "wide", "--batch", "2048", "--device",
                                                 "cpu", "--budget-ms", "4000"], binary=binary)[0]["gflops"])
            add(("wide", 2048, "numpy"), numpy_job({"kind": "wide", "batch": 2048})["gflops"])
        if "plain" in items:
            for side, binary in sides:
                add(("plain", 1024, side), cairn(["bench", "gemm", "--n", "1024", "--device", "cpu", "--budget-ms",
                                                  "3000"], extra_opts="-Dcairn.cpu.vector=false",
                                                 binary=binary)[0]["gflops"])
            add(("plain", 1024, "numpy"), numpy_job({"kind": "gemm", "n": 1024})["gflops"])
        for model in latency:
            for side, binary in sides:
                row = cairn(["bench", "model", "--model", model, "--batch", "1", "--device", "cpu", "--budget-ms", "2000"],
                            binary=binary)[0]
                add(("model", model, 1, side), row["median_us"])
        for model in models:
            # every batch size three times, the first two timings dropped: they pay for the JIT's warm-up of
            # kernels that batch size is the first to reach (a 0.6 s warm-up timed encoder batch 1 at 1,027 us
            # where a warm JVM takes 76 us; encoder-large at batch 1 still took 5.0-5.9 ms a call in the second
            # 2 s window, while C2 was compiling, and 3.8-4.3 ms from the fourth on)
            for side, binary in sides:
                rows = {}
                for row in cairn(["bench", "model", "--model", model, "--batch",
                                  ",".join(str(b) for b in MODEL_BATCHES for _ in range(3)),
                                  "--device", "cpu", "--budget-ms", "2000"], binary=binary):
                    rows[row["batch"]] = row["median_us"]  # the last run of a batch size replaces the others
                for b, us in rows.items():
                    add(("model", model, b, side), us)
        if latency or models:
            t = torch_run(latency, models)
            if t:
                torch_info = t.pop("info")
                for key, us in t.items():
                    model, b = key.rsplit("/", 1)
                    add(("model", model, int(b), "torch"), us)
        print(f"# round {r + 1}/{rounds} done, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)

    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {rounds} round(s), "
          f"medians over rounds")
    print(f"# {describe_cpu()}")
    print(f"# numpy {np_info.get('numpy')}: OpenBLAS core {np_info.get('core')}, {np_info.get('threads')} threads "
          f"({np_info.get('config', '?').strip()}), OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset")
    if torch_info:
        print(f"# PyTorch {torch_info['torch']} on {TORCH_PY}, {torch_info['threads']} threads, OPENBLAS_CORETYPE=SkylakeX: "
              f"OpenBLAS core {torch_info['core']}; {' '.join(torch_info['blas'])}; BLAS libraries loaded: "
              f"{', '.join(torch_info['libs'])}")
    before = bool(a.before)

    def vs_before(key, higher_is_better):
        """The before column and Cairn's change against it, when --before was given."""
        if not before:
            return ""
        c, b = med[key], med[key[:-1] + ("before",)]
        change = c / b if higher_is_better else b / c
        return f" {b:{'.2f' if b < 10 else '.1f'}} | {change:.2f}x |"

    print("| item | Cairn | reference | ratio |" + (" Cairn before | now vs before |" if before else ""))
    print("| --- | --- | --- | --- |" + (" --- | --- |" if before else ""))
    if "gemm" in items:
        for n in sizes:
            c, o = med[("gemm", n, "cairn")], med[("gemm", n, "numpy")]
            print(f"| SGEMM n={n}, 2 threads (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |"
                  + vs_before(("gemm", n, "cairn"), True))
    if "wide" in items:
        c, o = med[("wide", 2048, "cairn")], med[("wide", 2048, "numpy")]
        print(f"| wide model batch 2048 (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |"
              + vs_before(("wide", 2048, "cairn"), True))
    if "plain" in items:
        c, o = med[("plain", 1024, "cairn")], med[("plain", 1024, "numpy")]
        print(f"| SGEMM n=1024, Vector API off (GFLOP/s) | {c:.1f} | numpy {o:.1f} | {c / o:.2f}x |"
              + vs_before(("plain", 1024, "cairn"), True))
    rows = [(m, 1) for m in latency] + [(m, b) for m in models for b in MODEL_BATCHES]
    for model, b in rows:
        c = med[("model", model, b, "cairn")]
        t = med.get(("model", model, b, "torch"))
        fmt = ".2f" if c < 10 else ".1f"  # batch-1 latencies near the 1 us keep need the second decimal
        ref = f"PyTorch eager {t:{fmt}}" if t else "PyTorch not available"
        ratio = (f"{t / c:.2f}x faster" if t >= c else f"{c / t:.2f}x slower") if t else "-"
        print(f"| {model} batch {b} median latency (us) | {c:{fmt}} | {ref} | {ratio} |"
              + (vs_before(("model", model, b, "cairn"), False) if ("model", model, b, "before") in med else ""))


if __name__ == "__main__":
    main()
