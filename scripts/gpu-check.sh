#!/usr/bin/env bash
# One-call check of Cairn's CUDA backend on a GPU machine without Java (see shared/device/README.md).
#
# Here, first:    scripts/gpu/prepare.sh        (builds .gpu/: jars, tests, JUnit console, a JRE)
# There, from the repository root (carry .gpu):  scripts/gpu-check.sh
#
# In one run it prints nvidia-smi and the cuBLAS libraries found; runs the CUDA backend's tests;
# runs the samples' CLI (demo, devices) on CUDA; runs Cairn's GEMM and model benchmarks on CUDA and the
# same in PyTorch on the same GPU (fp32, TF32 off); writes the full logs to $OUT (default .gpu/out);
# and prints a short ratio table last. Each step has a time limit; a failing step does not stop the
# others. Exit status: 0 when the CUDA tests passed, 1 otherwise.
#
# Environment: OUT (log folder), GEMM_N (default 1024,4096,8192), QUICK=1 (smaller benchmarks).
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
OUT=${OUT:-$root/.gpu/out}
mkdir -p "$OUT"
JAVA=$root/.gpu/jre/bin/java
if [ ! -x "$JAVA" ] && [ -f "$root/.gpu/jre.tar.gz" ]; then
  tar -xzf "$root/.gpu/jre.tar.gz" -C "$root/.gpu" || echo "error: cannot unpack .gpu/jre.tar.gz" >&2
fi
CP="$root/.gpu/lib/*"
JOPTS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
       -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.logFile=System.err)
GEMM_N=${GEMM_N:-1024,4096,8192}
SMALL_BATCH=1,64,1024
WIDE_BATCH=256,2048,8192
if [ "${QUICK:-0}" = 1 ]; then
  GEMM_N=1024,4096
  WIDE_BATCH=256,2048
fi
PY=${PYTHON:-python3}

section() { printf '\n=== %s ===\n' "$*"; }
cli() { timeout "${CLI_TIMEOUT:-240}" "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.cairn.samples.Cli "$@"; }

if [ ! -x "$JAVA" ]; then
  echo "error: $JAVA not found: run scripts/gpu/prepare.sh first and carry .gpu" >&2
  exit 1
fi
have_cli=0
ls "$root"/.gpu/lib/cairn-samples*.jar >/dev/null 2>&1 && have_cli=1

# ---- 1. The machine ----
{
  section "date, host"
  date -u; uname -a
  section "nvidia-smi"
  nvidia-smi 2>&1 || echo "nvidia-smi failed"
  section "cuBLAS in the loader cache (ldconfig -p | grep -i cublas)"
  ldconfig -p 2>/dev/null | grep -i cublas || echo "(none)"
  section "libcublas files on disk"
  timeout 60 find / -xdev \( -path /proc -o -path /sys \) -prune -o -name 'libcublas.so*' -print 2>/dev/null | sort
  section "python, torch"
  timeout 120 "$PY" -c 'import torch, sys; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no cuda")' 2>&1
  section "java"
  "$JAVA" -version 2>&1
} >"$OUT/env.log" 2>&1
cat "$OUT/env.log"

# A libcublas.so.12 outside the loader's path (e.g. in a pip wheel) can serve JCublas 12.6 via LD_LIBRARY_PATH.
cublas12_dir=""
if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.12'; then
  f=$(grep -m1 '/libcublas\.so\.12' "$OUT/env.log" || true)
  [ -n "$f" ] && cublas12_dir=$(dirname "$f")
fi

# ---- 2. The CUDA backend's tests ----
section "CUDA backend tests (JUnit console)" | tee "$OUT/tests.log"
timeout 420 "$JAVA" "${JOPTS[@]}" -cp "$root/.gpu/junit-platform-console-standalone.jar:$CP:$root/.gpu/test-classes" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
  --scan-class-path "$root/.gpu/test-classes" --include-classname '.*Test' \
  --exclude-classname '.*HostKernelsTest' 2>&1 | tee -a "$OUT/tests.log"  # host emulation: runs in CI, not here
tests_rc=${PIPESTATUS[0]}
if [ -d "$root/.gpu/core-test-classes" ]; then
  section "Op reference cases (PyTorch's) on cpu and cuda:0 (JUnit console)" | tee -a "$OUT/tests.log"
  timeout 240 "$JAVA" "${JOPTS[@]}" -cp "$root/.gpu/junit-platform-console-standalone.jar:$CP:$root/.gpu/core-test-classes" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=summary \
    --select-class dev.cairn.tensor.OpReferenceTest 2>&1 | tee -a "$OUT/tests.log"
  [ "${PIPESTATUS[0]}" = 0 ] || tests_rc=1
fi
if [ -d "$root/.gpu/samples-test-classes" ]; then
  section "Golden and reference-model tests on cpu and cuda:0 (JUnit console)" | tee -a "$OUT/tests.log"
  timeout 300 "$JAVA" "${JOPTS[@]}" -cp "$root/.gpu/junit-platform-console-standalone.jar:$CP:$root/.gpu/samples-test-classes" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=summary \
    --select-class dev.cairn.samples.models.ReferenceModelsTest \
    --select-class dev.cairn.samples.models.GoldenConformanceTest 2>&1 | tee -a "$OUT/tests.log"
  [ "${PIPESTATUS[0]}" = 0 ] || tests_rc=1
fi
if [ -n "$cublas12_dir" ]; then
  section "GEMM tests again with LD_LIBRARY_PATH=$cublas12_dir (libcublas.so.12 found off the loader path)" | tee -a "$OUT/tests.log"
  LD_LIBRARY_PATH=$cublas12_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} timeout 300 "$JAVA" "${JOPTS[@]}" \
    -cp "$root/.gpu/junit-platform-console-standalone.jar:$CP:$root/.gpu/test-classes" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-class dev.cairn.backend.cuda.CudaGemmGpuTest --select-class dev.cairn.backend.cuda.AvailabilityTest 2>&1 \
    | tee -a "$OUT/tests.log"
fi

# ---- 3. The CLI on CUDA ----
: >"$OUT/cairn_bench.jsonl"
: >"$OUT/bench_stderr.log"
if [ $have_cli = 1 ]; then
  {
    section "cairn devices"; cli devices
    section "cairn demo --device cuda"; cli demo --device cuda
  } >"$OUT/cli.log" 2>&1
  cat "$OUT/cli.log"

  # ---- 4. Benchmarks: Cairn ----
  section "Cairn benchmarks on CUDA"
  {
    cli bench gemm --device cuda --n "$GEMM_N" --json
    cli bench model --model mlp --batch $SMALL_BATCH --device cuda --json
    cli bench model --model chimera --batch $SMALL_BATCH --device cuda --json
    cli bench model --model wide --batch $WIDE_BATCH --device cuda --json
  } >>"$OUT/cairn_bench.jsonl" 2>>"$OUT/bench_stderr.log"
  if grep -q 'GEMM: cuBLAS' "$OUT/cli.log"; then
    # Also time Cairn's own GEMM kernel beside cuBLAS.
    JOPTS+=(-Dcairn.cuda.gemm=own)
    cli bench gemm --device cuda --n 1024,4096 --json 2>>"$OUT/bench_stderr.log" \
      | sed 's/^{/{"variant":"own-kernel",/' >>"$OUT/cairn_bench.jsonl"
    unset 'JOPTS[${#JOPTS[@]}-1]'
  elif [ -n "$cublas12_dir" ]; then
    LD_LIBRARY_PATH=$cublas12_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} cli bench gemm --device cuda --n "$GEMM_N" --json \
      2>>"$OUT/bench_stderr.log" | sed 's/^{/{"variant":"cublas12-ldpath",/' >>"$OUT/cairn_bench.jsonl"
  fi
  cat "$OUT/cairn_bench.jsonl"
else
  echo "no samples CLI in .gpu/lib (the samples module did not build): CLI and Cairn benchmarks skipped" \
    | tee "$OUT/cli.log"
fi

# ---- 4b. Device memory over long inference loops (scopes, and no explicit close at all) ----
section "memory soak on CUDA"
if [ "$have_cli" = 1 ]; then
  soak_rc=0
  for mode in scoped unclosed; do
    timeout 240 "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.cairn.samples.MemorySoak mlp cuda "${SOAK_ITERATIONS:-1000000}" "$mode" \
      >>"$OUT/memory_soak.log" 2>&1 || soak_rc=1
  done
  cat "$OUT/memory_soak.log"
else
  soak_rc=skipped
fi

# ---- 5. Benchmarks: PyTorch on the same GPU ----
section "PyTorch benchmarks on CUDA"
{
  timeout 300 "$PY" scripts/gpu/torch_bench.py gemm --n "$GEMM_N" --device cuda
  timeout 120 "$PY" scripts/gpu/torch_bench.py model --model mlp --batch $SMALL_BATCH --device cuda
  timeout 120 "$PY" scripts/gpu/torch_bench.py model --model chimera --batch $SMALL_BATCH --device cuda
  timeout 300 "$PY" scripts/gpu/torch_bench.py model --model wide --batch $WIDE_BATCH --device cuda
} >"$OUT/torch_bench.jsonl" 2>>"$OUT/bench_stderr.log"
cat "$OUT/torch_bench.jsonl"

# ---- 6. Summary, last ----
{
  section "summary"
  echo "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
  echo "CUDA tests: $([ "$tests_rc" = 0 ] && echo passed || echo "FAILED (rc $tests_rc, see tests.log)")"
  echo "memory soak: $([ "${soak_rc:-skipped}" = 0 ] && echo bounded || echo "${soak_rc:-skipped} (see memory_soak.log)")"
  grep -E ' on cuda:0: ' "$OUT/memory_soak.log" 2>/dev/null | sed 's/^/  /'
  grep -E 'tests (successful|failed|aborted)' "$OUT/tests.log" | head -3 | tr -s ' []' ' ' | sed 's/^/  /'
  grep -i 'cuda' "$OUT/cli.log" 2>/dev/null | grep -m1 'GEMM' | sed 's/^ */Cairn devices: /'
  "$PY" scripts/gpu/torch_bench.py summarize --cairn "$OUT/cairn_bench.jsonl" --torch "$OUT/torch_bench.jsonl"
  echo "logs: $OUT"
} 2>&1 | tee "$OUT/summary.txt"
[ "$tests_rc" = 0 ]
