"""Does SGEMM lose per flop as the depth grows? Cairn's `a.mm(b)` and numpy's `a @ b` at M x K x N for several
K, on 1 and 2 threads, alternating, one line per measurement.

Usage: python3 scripts/gemm_depth_sweep.py [--m 1024] [--n 1024] [--ks 512,1024,2048] [--threads 1,2] [--rounds 3]

Cairn runs `scripts/OpBench.java mm M K N` (the mean over its last 2 s window, after two for warm-up) with
`-Dcairn.cpu.threads=T`; numpy runs with OPENBLAS_NUM_THREADS=T and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset
(its AVX-512 kernels). At K up to the GEMM's depth block (512 where the L1 data cache holds 48 KiB) Cairn writes C
once; every further block reads C back and writes it again. If Cairn's GFLOP/s falls with K on two threads and
numpy's does not, the passes over C cost Cairn (a memory-latency effect that OpenBLAS hides with software
prefetches). Needs the samples built (`./mvnw -B -q package -DskipTests -pl samples -am`). See BENCHMARKS.md.
"""
import argparse, os, re, statistics, subprocess, sys, time

from host_cpu import describe as describe_cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
NUMPY = r"""
import sys, time, numpy as np
m, k, n = map(int, sys.argv[1:4])
rng = np.random.default_rng(1)
a = rng.random((m, k), dtype=np.float32); b = rng.random((k, n), dtype=np.float32)
for _ in range(3): a @ b
calls, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 2.0:
    a @ b; calls += 1
print(2.0 * m * k * n * calls / (time.perf_counter() - t0) / 1e9)
"""


def cairn(m, k, n, threads):
    cp = os.pathsep.join([os.path.join(ROOT, "samples/target/cairn-samples.jar"), os.path.join(ROOT, "samples/target/lib/*")])
    out = subprocess.run([JAVA, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g", "-Xmx2g",
                          f"-Dcairn.cpu.threads={threads}", "-cp", cp, os.path.join(ROOT, "scripts/OpBench.java"), "mm",
                          str(m), str(k), str(n)], capture_output=True, text=True, check=True).stdout
    means = [float(x) for x in re.findall(r"mean [0-9.]+ us, ([0-9.]+) GFLOP/s", out)]
    return means[-1]  # the last 2 s window, as numpy's one window after its warm-up calls (earlier ones include the JIT's)


def numpy(m, k, n, threads):
    env = {k2: v for k2, v in os.environ.items() if k2 not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(threads)
    return float(subprocess.run([sys.executable, "-c", NUMPY, str(m), str(k), str(n)], capture_output=True, text=True,
                                env=env, check=True).stdout.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=1024)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--ks", default="512,1024,2048")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    ks = [int(x) for x in args.ks.split(",")]
    threads = [int(x) for x in args.threads.split(",")]
    results = {}
    for r in range(args.rounds):
        for t in threads:
            for k in ks:
                order = (cairn, numpy) if r % 2 == 0 else (numpy, cairn)
                for fn in order:
                    results.setdefault((fn.__name__, t, k), []).append(fn(args.m, k, args.n, t))
        print(f"# round {r + 1}/{args.rounds} done {time.strftime('%H:%M:%S')}", file=sys.stderr)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {describe_cpu()}")
    print(f"# M={args.m}, N={args.n}, medians of {args.rounds} rounds")
    print("| threads | K | Cairn GFLOP/s | numpy GFLOP/s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for t in threads:
        for k in ks:
            c = statistics.median(results[("cairn", t, k)])
            n = statistics.median(results[("numpy", t, k)])
            print(f"| {t} | {k} | {c:.1f} | {n:.1f} | {c / n:.2f}x |")


if __name__ == "__main__":
    main()
