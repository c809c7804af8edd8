package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Coalescing and packing of kernel layouts (no GPU needed). */
class LayoutTest {

    @Test
    void denseViewBecomesRankOne() {
        Layout l = Layout.of(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {12, 4, 1});
        assertArrayEquals(new int[] {24}, l.shape);
        assertTrue(l.isDense(true));
    }

    @Test
    void broadcastAndTransposeKeepTheirDims() {
        // a: [2,3] dense, b: row vector broadcast along dim 0.
        Layout l = Layout.of(new int[] {2, 3}, new int[] {3, 1}, new int[] {0, 1});
        assertArrayEquals(new int[] {2, 3}, l.shape);
        assertArrayEquals(new int[] {3, 1}, l.s0);
        assertArrayEquals(new int[] {0, 1}, l.s1);
        assertFalse(l.isDense(true));
        Layout t = Layout.of(new int[] {3, 2}, new int[] {1, 3}, null);
        assertArrayEquals(new int[] {3, 2}, t.shape);
        assertFalse(t.isDense(false));
    }

    @Test
    void sizeOneDimsDropAndScalarIsDense() {
        Layout l = Layout.of(new int[] {1, 5, 1}, new int[] {99, 2, 7}, null);
        assertArrayEquals(new int[] {5}, l.shape);
        assertArrayEquals(new int[] {2}, l.s0);
        Layout s = Layout.of(new int[] {}, new int[] {}, null);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertTrue(s.isDense(false));
        assertEquals(0, Layout.of(new int[] {3, 0}, new int[] {0, 1}, null).numel());
    }

    /** Every element's offsets, through coalescing and the leading-dimension split, match the naive walk. */
    @Test
    void offsetsMatchNaiveWalkIncludingRankAboveEight() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + rnd.nextInt(11);
            int[] shape = new int[rank];
            int[] s0 = new int[rank];
            int[] s1 = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(3);
            }
            // s0: dense or permuted-dense; s1: random with broadcast zeros.
            int acc = 1;
            for (int d = rank - 1; d >= 0; d--) {
                s0[d] = acc;
                acc *= shape[d];
                s1[d] = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(50);
            }
            if (rnd.nextBoolean() && rank > 1) {
                int x = rnd.nextInt(rank);
                int y = rnd.nextInt(rank);
                int t = shape[x]; shape[x] = shape[y]; shape[y] = t;
                t = s0[x]; s0[x] = s0[y]; s0[y] = t;
            }
            Layout l = Layout.of(shape, s0, s1);
            long n = 1;
            for (int v : shape) {
                n *= v;
            }
            assertEquals(n, l.numel());
            assertEquals(n, l.outerCount() * l.innerNumel());
            int[] packed = l.packInner();
            for (long i = 0; i < n; i++) {
                long[] naive = offsets(shape, s0, s1, i);
                long outer = i / l.innerNumel();
                long inner = i % l.innerNumel();
                long[] base = l.outerOffsets(outer);
                long[] in = kernelOffsets(packed, inner);
                assertEquals(naive[0], base[0] + in[0], "s0 offset of " + i + " in " + l);
                assertEquals(naive[1], base[1] + in[1], "s1 offset of " + i + " in " + l);
            }
        }
    }

    private static long[] offsets(int[] shape, int[] s0, int[] s1, long i) {
        long a = 0;
        long b = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            long c = i % shape[d];
            i /= shape[d];
            a += c * s0[d];
            b += c * s1[d];
        }
        return new long[] {a, b};
    }

    /** What layout_offsets in cairn_common.cuh computes from the packed struct. */
    private static long[] kernelOffsets(int[] p, long i) {
        int r = p[0];
        long a = 0;
        long b = 0;
        for (int d = r - 1; d >= 0; d--) {
            int n = p[1 + d];
            long c = i % n;
            i /= n;
            a += c * p[1 + Layout.MAX_RANK + d];
            b += c * p[1 + 2 * Layout.MAX_RANK + d];
        }
        return new long[] {a, b};
    }
}
