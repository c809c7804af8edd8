// generated copy of the micro-kernel: see the class comment
import jdk.incubator.vector.*;
/**
 * A copy of VectorGemm's 12x32 micro-kernel (depth loop as is, and unrolled by two) run alone on packed panels that stay
 * in cache: GFLOP/s on one thread, to separate the kernel from packing and C traffic. PANELS B panels of 256 x 32
 * floats are swept in turn (16 = 512 KiB, the size of a packed B block); with {@code align}, the first kernel over
 * panels shifted by 0..15 floats instead. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector scripts/GemmKernelAlone.java PANELS [align]
 */
public class GemmKernelAlone {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), MR = 12, NR = 2 * L;
    static void k1(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        FloatVector a, b0, b1;
        int p = 0;
        for (; p + 1 <= kc; p += 1) {
            b0 = FloatVector.fromArray(S, pb, bOff + (p + 0) * NR);
            b1 = FloatVector.fromArray(S, pb, bOff + (p + 0) * NR + L);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 0]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 6]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 7]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 8]);
            c80 = a.fma(b0, c80); c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 9]);
            c90 = a.fma(b0, c90); c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 10]);
            c100 = a.fma(b0, c100); c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 11]);
            c110 = a.fma(b0, c110); c111 = a.fma(b1, c111);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR); c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR); c111.intoArray(tile, 11 * NR + L);
    }
    static void k2(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        FloatVector a, b0, b1;
        int p = 0;
        for (; p + 2 <= kc; p += 2) {
            b0 = FloatVector.fromArray(S, pb, bOff + (p + 0) * NR);
            b1 = FloatVector.fromArray(S, pb, bOff + (p + 0) * NR + L);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 0]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 6]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 7]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 8]);
            c80 = a.fma(b0, c80); c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 9]);
            c90 = a.fma(b0, c90); c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 10]);
            c100 = a.fma(b0, c100); c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(S, pa[aOff + (p + 0) * MR + 11]);
            c110 = a.fma(b0, c110); c111 = a.fma(b1, c111);
            b0 = FloatVector.fromArray(S, pb, bOff + (p + 1) * NR);
            b1 = FloatVector.fromArray(S, pb, bOff + (p + 1) * NR + L);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 0]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 6]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 7]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 8]);
            c80 = a.fma(b0, c80); c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 9]);
            c90 = a.fma(b0, c90); c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 10]);
            c100 = a.fma(b0, c100); c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(S, pa[aOff + (p + 1) * MR + 11]);
            c110 = a.fma(b0, c110); c111 = a.fma(b1, c111);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR); c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR); c111.intoArray(tile, 11 * NR + L);
    }
    public static void main(String[] args) {
        if (args.length > 1 && args[1].equals("align")) {
            alignment(Integer.parseInt(args[0]));
            return;
        }
        int kc = 256;
        float[] pa = new float[kc * MR]; float[] pb = new float[kc * NR * Integer.parseInt(args[0]) + 64*16]; float[] tile = new float[MR * NR];
        for (int i = 0; i < pa.length; i++) pa[i] = (i % 7) * 0.1f;
        for (int i = 0; i < pb.length; i++) pb[i] = (i % 5) * 0.1f;
        for (int round = 0; round < 12; round++) {
            for (int v = 0; v < 2; v++) {
                double best = 1e18;
                for (int rep = 0; rep < 200; rep++) {
                    long t0 = System.nanoTime();
                    for (int it = 0; it < 100; it++) {
                        for (int q = 0; q < Integer.parseInt(args[0]); q++) {
                            if (v == 0) k1(pa, 0, pb, q * (kc * NR + 16) % (pb.length - kc*NR), kc, tile); else k2(pa, 0, pb, q * (kc * NR + 16) % (pb.length - kc*NR), kc, tile);
                        }
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                double flops = 2.0 * MR * NR * kc * Integer.parseInt(args[0]) * 100;
                System.out.printf("%s %.1f GFLOP/s%n", v == 0 ? "unroll1" : "unroll2", flops / best);
            }
        }
    }

    /**
     * The kernel over PANELS panels that start OFF floats (0..15) past a 64-float boundary of the array: whether the
     * 64-byte alignment of the packed panels, which a Java array does not fix, changes its speed.
     */
    static void alignment(int panels) {
        int kc = 256;
        float[] pa = new float[kc * MR + 64]; float[] pb = new float[(kc * NR + 16) * panels + 64]; float[] tile = new float[MR * NR];
        for (int i = 0; i < pa.length; i++) pa[i] = (i % 7) * 0.1f;
        for (int i = 0; i < pb.length; i++) pb[i] = (i % 5) * 0.1f;
        for (int round = 0; round < 3; round++) {
            StringBuilder sb = new StringBuilder("GFLOP/s by offset (floats):");
            for (int off = 0; off < 16; off++) {
                double best = 1e18;
                for (int rep = 0; rep < 100; rep++) {
                    long t0 = System.nanoTime();
                    for (int it = 0; it < 20; it++) {
                        for (int q = 0; q < panels; q++) {
                            k1(pa, 0, pb, off + q * (kc * NR + 16), kc, tile);
                        }
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                sb.append(String.format(" %d:%.0f", off, 2.0 * MR * NR * kc * panels * 20 / best));
            }
            System.out.println(sb);
        }
    }
}
