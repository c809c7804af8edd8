"""numpy's float32 n x n product, best of five calls, in GFLOP/s: the quick probe of how fast this host is.

Usage: python3 scripts/numpy_sgemm.py [N=2048] [THREADS=1]

Runs numpy in a child with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (these machines set them, which makes
OpenBLAS run its AVX2 kernels) and OPENBLAS_NUM_THREADS=THREADS. About 100 GFLOP/s on one thread at n=2048 on a
Zen 4 core here, about 190 on a Zen 5 (BENCHMARKS.md, ninth stop); scripts/host_cpu.py says which one this is.
"""
import os, subprocess, sys

from host_cpu import describe as describe_cpu

CHILD = r"""
import sys, time, numpy as np
n = int(sys.argv[1])
a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
a @ b
best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
print(f"{2.0 * n ** 3 / best / 1e9:.1f}")
"""

if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
    threads = sys.argv[2] if len(sys.argv) > 2 else "1"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = threads
    gflops = subprocess.run([sys.executable, "-c", CHILD, str(n)], env=env, capture_output=True, text=True,
                            check=True).stdout.strip()
    print(f"numpy n={n}, {threads} thread(s): {gflops} GFLOP/s  # {describe_cpu()}")
