"""Micro-kernel shapes of the CPU GEMM alone, on 256-bit vectors, in cache: writes KV.java with one kernel per
ROWSxVECTORS shape given (ROWS broadcast rows of A times VECTORS vectors of B, ROWS*VECTORS accumulators) and
runs each in its own JVM, printing GFLOP/s on one core for the last two of five 0.4 s blocks. Run the JVM as an
AVX2 host would (16 vector registers) with --jvm-opt -XX:UseAVX=2. Usage (see BENCHMARKS.md, fifteenth stop):

    python3 scripts/register_kernels.py [--jvm-opt=-XX:UseAVX=2] 3x3 6x2 12x2
"""
import os
import subprocess
import sys
import tempfile

jvm_opts = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--jvm-opt=")]
args = [a for a in sys.argv[1:] if not a.startswith("--jvm-opt=")]
shapes=[tuple(map(int,x.split('x'))) for x in args]
if not shapes or any(not (1 <= r <= 12 and 1 <= v <= 4) for r, v in shapes):
    sys.exit(__doc__ + '\nshapes: ROWS 1-12, VECTORS 1-4')
def kern(rows, vecs):
    lines=[f"    static void k{rows}x{vecs}(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] dst) {{"]
    for r in range(rows):
        lines.append("        "+" ".join(f"FloatVector c{r}_{v} = FloatVector.zero(S);" for v in range(vecs)))
    lines.append("        FloatVector a;")
    lines.append("        for (int p = 0; p < kc; p++) {")
    lines.append(f"            int bi = bOff + p * {vecs} * L; int ai = aOff + p * {rows};")
    for v in range(vecs):
        lines.append(f"            FloatVector b{v} = FloatVector.fromArray(S, pb, bi + {v} * L);")
    for r in range(rows):
        lines.append(f"            a = FloatVector.broadcast(S, pa[ai + {r}]); "+" ".join(f"c{r}_{v} = a.fma(b{v}, c{r}_{v});" for v in range(vecs)))
    lines.append("        }")
    acc=" ".join(f".add(c{r}_{v})" for r in range(rows) for v in range(vecs))
    lines.append(f"        FloatVector.zero(S){acc}.intoArray(dst, 0);")
    lines.append("    }")
    return "\n".join(lines)
src="""import jdk.incubator.vector.*;
public class KV {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();
"""+"\n".join(kern(r,v) for r,v in shapes)+"""
    public static void main(String[] args) {
        int kc = 256, panels = 16;
        float[] pa = new float[12 * kc];
        float[] pb = new float[panels * kc * 4 * L];
        for (int i = 0; i < pa.length; i++) pa[i] = (i % 7) * 0.01f;
        for (int i = 0; i < pb.length; i++) pb[i] = (i % 5) * 0.01f;
        float[] dst = new float[L];
        String which = args[0];
        int rows = Integer.parseInt(which.split("x")[0]), vecs = Integer.parseInt(which.split("x")[1]);
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            long calls = 0;
            while (System.nanoTime() - t0 < 400_000_000L) {
                for (int q = 0; q < panels; q++) {
                    int off = q * kc * vecs * L;
                    switch (which) {
"""+"\n".join(f'                        case "{r}x{v}" -> k{r}x{v}(pa, 0, pb, off, kc, dst);' for r,v in shapes)+"""
                    }
                }
                calls += panels;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (rep >= 3) System.out.printf("%.1f ", calls * 2.0 * rows * vecs * L * kc / s / 1e9);
        }
    }
}
"""
work = tempfile.mkdtemp()
path = os.path.join(work, "KV.java")
with open(path, "w") as f:
    f.write(src)
java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
for r, v in shapes:
    out = subprocess.run([java, *jvm_opts, "--add-modules", "jdk.incubator.vector", path, f"{r}x{v}"],
                         capture_output=True, text=True).stdout
    print(f"{r}x{v} ({r * v} accumulators): {out.strip()} GFLOP/s", flush=True)
