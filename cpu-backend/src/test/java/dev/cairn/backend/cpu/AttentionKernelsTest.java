package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.StridedView;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused attention kernel against a double-precision reference computed here, at head sizes and key counts
 * that reach each of its paths: four query rows at a time (two vectors of keys or value columns per pass, one,
 * a masked tail), single rows for the rest of a block, fewer keys than lanes, values narrower than a vector; with an
 * additive mask broadcast over the heads and the query, and the query as a transposed view.
 */
class AttentionKernelsTest {
    @ParameterizedTest(name = "b={0} h={1} l={2} d={3} s={4} dv={5}")
    @CsvSource({
        "1, 4, 128, 64, 128, 64",  // encoder-large's heads
        "2, 3, 9, 64, 40, 64",     // a tail of keys, a single row after two blocks of four
        "1, 2, 7, 8, 12, 8",       // encoder's heads at 12 tokens: fewer keys and values than lanes
        "1, 2, 6, 8, 128, 8",      // narrow values over many keys: masked vectors, even and odd keys apart
        "1, 1, 4, 8, 9, 8",        // the same over an odd number of keys
        "2, 1, 5, 33, 17, 40"})    // odd sizes everywhere
    void matchesTheReference(int b, int h, int l, int d, int s, int dv) {
        SplittableRandom rnd = new SplittableRandom(b * 1000L + h * 100 + l * 10 + d + s + dv);
        float[] q = random(rnd, b * h * l * d);
        float[] k = random(rnd, b * h * s * d);
        float[] v = random(rnd, b * h * s * dv);
        float[] mask = new float[b * s];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 5 == 3 ? Float.NEGATIVE_INFINITY : (float) rnd.nextDouble(-1, 1);
        }
        float scale = (float) (1 / Math.sqrt(d));
        // the query stored as [B, L, H, D] and viewed as [B, H, L, D], as MultiheadAttention hands it over
        StridedView qv = new StridedView(new CpuStorage(q), 0, new int[] {b, h, l, d},
                new int[] {l * h * d, d, h * d, 1});
        StridedView kv = StridedView.contiguous(new CpuStorage(k), 0, new int[] {b, h, s, d});
        StridedView vv = StridedView.contiguous(new CpuStorage(v), 0, new int[] {b, h, s, dv});
        StridedView mv = new StridedView(new CpuStorage(mask), 0, new int[] {b, h, l, s}, new int[] {s, 0, 0, 1});
        float[] out = new float[b * h * l * dv];
        AttentionKernels.forward(qv, kv, vv, mv, scale, out);
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                for (int i = 0; i < l; i++) {
                    double[] p = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        double acc = 0;
                        for (int c = 0; c < d; c++) {
                            float qc = q[((bi * l + i) * h + hi) * d + c] * scale;
                            acc += (double) qc * k[((bi * h + hi) * s + j) * d + c];
                        }
                        p[j] = acc + mask[bi * s + j];
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int c = 0; c < dv; c++) {
                        double want = 0;
                        for (int j = 0; j < s; j++) {
                            want += p[j] / sum * v[((bi * h + hi) * s + j) * dv + c];
                        }
                        float got = out[((bi * h + hi) * l + i) * dv + c];
                        assertEquals(want, got, 1e-5 * (1 + Math.abs(want)) * Math.sqrt(s + d),
                                "[" + bi + ", " + hi + ", " + i + ", " + c + "]");
                    }
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }
}
