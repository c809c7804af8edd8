#!/usr/bin/env python3
"""PyTorch side of Cairn's GPU benchmarks, run by scripts/gpu-check.sh on the same GPU in the same run.

  torch_bench.py gemm  --n 1024,4096,8192                 [--device cuda]
  torch_bench.py model --model mlp|chimera|wide --batch 1,64,1024  [--device cuda]
  torch_bench.py summarize --cairn cairn.jsonl --torch torch.jsonl

The first two print one JSON object per line, with the fields of Cairn's `bench ... --json`
(bench, device, n or model and batch, median_us, p90_us, gflops where it applies) plus impl=torch.
Float32 throughout, TF32 off (torch.backends.cuda.matmul.allow_tf32 = False, cudnn too), so that both
sides do the same arithmetic. Each timed call ends with torch.cuda.synchronize(), as a Cairn call
that returns a finished result does. Models are the seed's (shared/golden/README.md).
summarize prints the side-by-side table (ratio = Cairn median / PyTorch median; below 1 is faster).
"""
import argparse
import json
import statistics
import sys
import time


def _torch():
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        torch.set_float32_matmul_precision("highest")
    except AttributeError:
        pass
    return torch


def build_model(torch, name):
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from torch_models import MODELS  # the seed's models, shared with make_cases.py
    nn = torch.nn
    if name in ("mlp", "chimera"):
        factory, width = MODELS[name]
        return factory(), width, 0
    if name == "wide":
        flops_per_row = 2 * (1024 * 4096 + 4096 * 4096 + 4096 * 1024)
        return nn.Sequential(nn.Linear(1024, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
                             nn.Linear(4096, 1024)), 1024, flops_per_row
    raise SystemExit("error: unknown model " + name)


def time_calls(torch, fn, device, min_iters=20, max_iters=200, budget_s=2.0, warmup_s=0.3):
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    t_end = time.perf_counter() + warmup_s
    fn()
    sync()
    while time.perf_counter() < t_end:
        fn()
        sync()
    times = []
    t_stop = time.perf_counter() + budget_s
    while len(times) < max_iters and (len(times) < min_iters or time.perf_counter() < t_stop):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.9 * len(times)))], len(times)


def bench_gemm(args):
    torch = _torch()
    for n in [int(v) for v in args.n.split(",")]:
        g = torch.Generator(device="cpu").manual_seed(0)
        a = torch.randn(n, n, generator=g).to(args.device)
        b = torch.randn(n, n, generator=g).to(args.device)
        with torch.no_grad():
            med, p90, iters = time_calls(torch, lambda: torch.mm(a, b), args.device,
                                         min_iters=5 if n >= 8192 else 20)
        print(json.dumps({"bench": "gemm", "impl": "torch", "device": args.device, "n": n,
                          "median_us": round(med, 2), "p90_us": round(p90, 2), "iters": iters,
                          "gflops": round(2.0 * n ** 3 / (med * 1e-6) / 1e9, 1),
                          "torch": torch.__version__}), flush=True)
        del a, b
        torch.cuda.empty_cache() if args.device.startswith("cuda") else None


def bench_model(args):
    torch = _torch()
    torch.manual_seed(0)
    model, width, flops_per_row = build_model(torch, args.model)
    model = model.to(args.device).eval()
    for batch in [int(v) for v in args.batch.split(",")]:
        x = torch.randn(batch, width, device=args.device)
        with torch.no_grad():
            med, p90, iters = time_calls(torch, lambda: model(x), args.device)
        row = {"bench": "model", "impl": "torch", "device": args.device, "model": args.model, "batch": batch,
               "median_us": round(med, 2), "p90_us": round(p90, 2), "iters": iters, "torch": torch.__version__}
        if flops_per_row:
            row["gflops"] = round(flops_per_row * batch / (med * 1e-6) / 1e9, 1)
        print(json.dumps(row), flush=True)


def _read(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    except FileNotFoundError:
        pass
    return rows


def _key(r):
    if r.get("bench") == "gemm":
        return ("gemm", "n=%s" % r.get("n"))
    return ("model " + str(r.get("model")), "batch=%s" % r.get("batch"))


def summarize(args):
    cairn = _read(args.cairn)
    torch_rows = {_key(r): r for r in _read(args.torch)}
    if not cairn:
        print("no Cairn benchmark results (see the logs)")
    print("%-16s %-11s %-12s %12s %12s %8s %10s %10s" % ("bench", "size", "cairn path", "cairn us", "torch us",
                                                          "ratio", "cairn GF/s", "torch GF/s"))
    for r in cairn:
        k = _key(r)
        t = torch_rows.get(k, {})
        cm = r.get("median_us")
        tm = t.get("median_us")
        ratio = "%.2f" % (cm / tm) if cm and tm else "-"
        print("%-16s %-11s %-12s %12s %12s %8s %10s %10s" % (
            k[0], k[1], r.get("variant", "default"), cm if cm is not None else "-", tm if tm is not None else "-",
            ratio, r.get("gflops", "-"), t.get("gflops", "-")))
    print("ratio = Cairn median / PyTorch median (fp32, TF32 off); below 1: Cairn is faster")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gemm")
    g.add_argument("--n", default="1024,4096,8192")
    g.add_argument("--device", default="cuda")
    m = sub.add_parser("model")
    m.add_argument("--model", required=True)
    m.add_argument("--batch", default="1,64,1024")
    m.add_argument("--device", default="cuda")
    s = sub.add_parser("summarize")
    s.add_argument("--cairn", required=True)
    s.add_argument("--torch", required=True)
    args = p.parse_args(argv)
    {"gemm": bench_gemm, "model": bench_model, "summarize": summarize}[args.cmd](args)


if __name__ == "__main__":
    main(sys.argv[1:])
