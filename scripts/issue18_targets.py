"""Every target of issue 18 ("CPU speed round 2") measured in one run on this machine, each marked met or not.

Usage: python3 scripts/issue18_targets.py [--rounds 3] [--pairs 2] [--parts cpu,conv,fashion]

Runs, one after the other (each side by side with its reference, alternating, as those scripts do):
  cpu      scripts/bench_cpu.py --rounds R (SGEMM and the wide model against numpy's OpenBLAS, batch-1 latency of
           the seed MLP and the chimera, the reference models against PyTorch 1.13 eager)
  conv     scripts/bench_conv.py --rounds R (lenet and convnet forward, lenet's training step, against PyTorch)
  fashion  `bin/cairn train --data fashion-mnist --model lenet --optimizer adam --epochs 2` and
           scripts/torch_fashion_train.py with the same settings, P pairs, alternating which goes first; the
           figure is each run's images/s over both epochs (all images over the summed epoch times)
then prints each script's own table, the CPU line (scripts/host_cpu.py: these VMs are Zen 4 or Zen 5 hosts,
and the figures of one say little about the other) and one table of the issue's targets with the measured
figure and whether it is met. Takes about 15 minutes with the defaults; needs the samples built, PyTorch on
/usr/bin/python3 and, for `fashion`, the Fashion-MNIST files (apt-get install dataset-fashion-mnist).
Targets are checked here, in a benchmark, never as timing assertions in tests.
"""
import argparse, os, re, statistics, subprocess, sys, time

from host_cpu import describe as describe_cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
TORCH_PY = "/usr/bin/python3"
FASHION = "/usr/share/datasets/fashion-mnist"
NUMBER = re.compile(r"[0-9][0-9,]*\.?[0-9]*")


def number(cell):
    """The first number in a table cell ('numpy 190.2' -> 190.2), or None."""
    m = NUMBER.search(cell.replace(",", ""))
    return float(m.group()) if m else None


def table_rows(text):
    """{first cell: [the other cells]} for every markdown table row of a script's output."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def run_script(args):
    print(f"# {time.strftime('%H:%M:%S')} running {' '.join(args)}", file=sys.stderr, flush=True)
    r = subprocess.run([sys.executable] + args, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"error: {' '.join(args)} failed (exit {r.returncode}): {r.stderr.strip()[-2000:]}")
    return r.stdout


def fashion_rate(lines):
    """Images/s over all epochs from 'epoch i/n ... N images/s ...' lines (images per epoch cancel out)."""
    rates = [float(m.group(1)) for m in re.finditer(r"epoch \d+/\d+.*?([0-9.]+) images/s", lines)]
    if not rates:
        return None, []
    return len(rates) / sum(1.0 / r for r in rates), rates


def fashion(pairs):
    env = dict(os.environ, CAIRN_NO_BUILD="1")
    cairn_cmd = [os.path.join(ROOT, "bin", "cairn"), "train", "--data", "fashion-mnist", "--model", "lenet",
                 "--optimizer", "adam", "--epochs", "2", "--batch-size", "256"]
    torch_cmd = [TORCH_PY, os.path.join(SCRIPTS, "torch_fashion_train.py"), "--optimizer", "adam", "lenet", "2", "256"]
    torch_env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX", OMP_NUM_THREADS="2")
    torch_env.pop("OPENBLAS_L2_SIZE", None)
    out = {"cairn": [], "torch": []}
    for p in range(pairs):
        order = (("cairn", cairn_cmd, env), ("torch", torch_cmd, torch_env))
        for side, cmd, e in (order if p % 2 == 0 else order[::-1]):
            print(f"# {time.strftime('%H:%M:%S')} fashion pair {p + 1}/{pairs}: {side}", file=sys.stderr, flush=True)
            r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=e)
            # the CLI redraws its progress line with carriage returns; the last state of each line counts
            text = "\n".join(line.split("\r")[-1] for line in r.stdout.splitlines())
            rate, epochs = fashion_rate(text)
            if r.returncode != 0 or rate is None:
                sys.exit(f"error: {' '.join(cmd)} failed (exit {r.returncode}): {(r.stderr or r.stdout).strip()[-2000:]}")
            out[side].append((rate, epochs))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--parts", default="cpu,conv,fashion")
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    unknown = parts - {"cpu", "conv", "fashion"}
    if unknown:
        ap.error(f"unknown --parts {sorted(unknown)}; choose from cpu, conv, fashion")
    if "fashion" in parts and not os.path.isdir(FASHION):
        ap.error(f"--parts fashion needs the Fashion-MNIST files in {FASHION} (apt-get install dataset-fashion-mnist)")

    started = time.strftime("%Y-%m-%d %H:%M")
    outputs, rows = [], {}
    if "cpu" in parts:
        text = run_script([os.path.join(SCRIPTS, "bench_cpu.py"), "--rounds", str(a.rounds)])
        outputs.append(text)
        rows.update(table_rows(text))
    if "conv" in parts:
        text = run_script([os.path.join(SCRIPTS, "bench_conv.py"), "--rounds", str(a.rounds)])
        outputs.append(text)
        rows.update(table_rows(text))
    fm = fashion(a.pairs) if "fashion" in parts else None

    targets = []  # (target, measured, met)

    def check(label, key, kind, bound):
        """One target from a table row: 'ratio' (Cairn's GFLOP/s over numpy's >= bound), 'speedup' (PyTorch's time
        over Cairn's >= bound) or 'below' (Cairn's time < bound us)."""
        cells = rows.get(key)
        if cells is None:
            targets.append((label, "not measured", "-"))
            return
        c, ref = number(cells[0]), number(cells[1])
        if kind == "below":
            targets.append((label, f"{c:.2f} us", "yes" if c < bound else "NO"))
        elif ref is None:
            targets.append((label, f"Cairn {c:,.1f}, reference not available", "-"))
        elif kind == "ratio":
            targets.append((label, f"{c:,.1f} vs {ref:,.1f} = {c / ref:.2f}x numpy", "yes" if c / ref >= bound else "NO"))
        else:
            targets.append((label, f"{c:,.1f} vs {ref:,.1f} us = {ref / c:.2f}x PyTorch",
                            "yes" if ref / c >= bound else "NO"))

    if "cpu" in parts:
        for n in (1024, 2048, 4096):
            check(f"SGEMM n={n}, 2 threads >= 1.0x numpy", f"SGEMM n={n}, 2 threads (GFLOP/s)", "ratio", 1.0)
        check("wide model batch 2048 >= 1.0x numpy (keep)", "wide model batch 2048 (GFLOP/s)", "ratio", 1.0)
        check("mlp batch 1 < 1 us (keep)", "mlp batch 1 median latency (us)", "below", 1.0)
        check("chimera batch 1 < 2.5 us (keep)", "chimera batch 1 median latency (us)", "below", 2.5)
        for model in ("encoder", "encoder-seq128", "encoder-large"):
            check(f"{model} batch 1 >= 2x PyTorch", f"{model} batch 1 median latency (us)", "speedup", 2.0)
            check(f"{model} batch 32 >= 1.0x PyTorch", f"{model} batch 32 median latency (us)", "speedup", 1.0)
    if "conv" in parts:
        for model in ("lenet", "convnet"):
            for b in (1, 64, 256):
                check(f"{model} forward batch {b} >= 1.0x PyTorch", f"{model} forward, batch {b}", "speedup", 1.0)
        check("lenet SGD training step batch 256 >= 1.0x PyTorch", "lenet SGD training step, batch 256", "speedup", 1.0)
    if fm is not None:
        c = statistics.median(r for r, _ in fm["cairn"])
        t = statistics.median(r for r, _ in fm["torch"])
        targets.append(("Fashion-MNIST lenet Adam b256, images/s over 2 epochs >= PyTorch's",
                        f"{c:,.0f} vs {t:,.0f} = {c / t:.2f}x", "yes" if c >= t else "NO"))

    for text in outputs:
        print(text.rstrip() + "\n")
    if fm is not None:
        print("| Fashion-MNIST lenet, Adam, batch 256, 2 epochs (images/s) | run | epoch 1 | epoch 2 | both |")
        print("| --- | --- | --- | --- | --- |")
        for side in ("cairn", "torch"):
            for i, (rate, epochs) in enumerate(fm[side]):
                name = "Cairn (bin/cairn train)" if side == "cairn" else "PyTorch 1.13 (torch_fashion_train.py)"
                print(f"| {name} | {i + 1} | " + " | ".join(f"{e:,.0f}" for e in epochs) + f" | {rate:,.0f} |")
        print()
    print(f"# issue 18 targets, {started} to {time.strftime('%H:%M')}, {a.rounds} round(s), {a.pairs} Fashion-MNIST pair(s)")
    print(f"# {describe_cpu()}")
    print("| target | measured (Cairn vs reference) | met |")
    print("| --- | --- | --- |")
    for label, measured, met in targets:
        print(f"| {label} | {measured} | {met} |")
    missed = [t for t in targets if t[2] == "NO"]
    print(f"# {len(targets) - len(missed)} of {len(targets)} targets met in this run" if targets else "# nothing measured")


if __name__ == "__main__":
    main()
