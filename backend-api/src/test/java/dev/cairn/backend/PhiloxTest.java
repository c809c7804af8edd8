package dev.cairn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Philox4x32-10 against the published known-answer vectors, and the element transforms of {@link RandomOp}.
 * The vectors are the three {@code philox4x32 10} lines of Random123's {@code tests/kat_vectors}
 * (D. E. Shaw Research; counter words, key words, expected words), which the independent Python
 * implementation {@code scripts/philox_check.py} also reproduces; it made this test's stream-layout words.
 */
class PhiloxTest {
    @Test
    void matchesRandom123sKnownAnswers() {
        int[][] cases = {
            {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
            {-1, -1, -1, -1, -1, -1, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
            {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
                0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
        };
        for (int[] c : cases) {
            int[] out = new int[4];
            Philox.block(c[0], c[1], c[2], c[3], c[4], c[5], out);
            assertArrayEquals(new int[] {c[6], c[7], c[8], c[9]}, out, () -> String.format(
                    "counter %08x %08x %08x %08x key %08x %08x", c[0], c[1], c[2], c[3], c[4], c[5]));
        }
    }

    @Test
    void theStreamsBlockPutsTheCounterInTheLowWordsAndTheSeedInTheKey() {
        int[] a = new int[4];
        int[] b = new int[4];
        Philox.block(0x299f31d0a4093822L, 0x85a308d3243f6a88L, a);
        Philox.block(0x243f6a88, 0x85a308d3, 0, 0, 0xa4093822, 0x299f31d0, b);
        assertArrayEquals(b, a);
        Philox.block(0L, 0L, a);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, a);
        assertEquals(0, Philox.blocks(0));
        assertEquals(1, Philox.blocks(1));
        assertEquals(1, Philox.blocks(4));
        assertEquals(2, Philox.blocks(5));
    }

    /** Cairn's layout of seed and counter, across the 64-bit counter wrap, against scripts/philox_check.py. */
    @Test
    void theStreamMatchesAnIndependentImplementationAcrossTheCounterWrap() {
        int[][] expected = {
            {0x765ea312, 0x2f79930e, 0xbe043560, 0xc6a57537},
            {0x6e31b035, 0x36a95fcb, 0x9d22ca15, 0x16df4072},
            {0xb850222e, 0xc58cb04b, 0x14a7a020, 0x7a84fff9},
        };
        int[] out = new int[4];
        for (int j = 0; j < 3; j++) {
            Philox.block(0x0123456789abcdefL, -2L + j, out);
            assertArrayEquals(expected[j], out, "block " + j + " from counter 2^64 - 2");
        }
    }

    @Test
    void uniformWordsCoverZeroToJustBelowOne() {
        assertEquals(0f, RandomOp.unit(0));
        assertEquals(0f, RandomOp.unit(0xff));
        assertEquals(0x1.0p-24f, RandomOp.unit(0x100));
        assertEquals(Math.nextDown(1f), RandomOp.unit(-1));
        float[] out = new float[4];
        RandomOp.UNIFORM.apply(new int[] {0, -1, 0x80000000, 0x40000000}, -2f, 2f, out);
        assertArrayEquals(new float[] {-2f, 2f - 0x1.0p-22f, 0f, -1f}, out);
        // a range so narrow that the top word would round up to b stays below b
        RandomOp.UNIFORM.apply(new int[] {-1, -1, 0, 0}, 1f, Math.nextUp(1f), out);
        assertEquals(1f, out[0]);
        RandomOp.UNIFORM.apply(new int[] {-1, 0, 0, 0}, 3f, 3f, out);
        assertEquals(3f, out[0]);
    }

    @Test
    void bernoulliKeepsExactlyTheWordsBelowTheProbability() {
        float[] out = new float[4];
        int half = 0x80000000;
        RandomOp.BERNOULLI.apply(new int[] {half - 0x100, half, 0, -1}, 0.5f, 2f, out);
        assertArrayEquals(new float[] {2f, 0f, 2f, 0f}, out);
        RandomOp.BERNOULLI.apply(new int[] {0, -1, half, 7}, 1f, 1f, out);
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, out);
        RandomOp.BERNOULLI.apply(new int[] {0, -1, half, 7}, 0f, 1f, out);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f}, out);
    }

    @Test
    void normalIsBoxMullerOfThePairs() {
        float[] out = new float[4];
        int[] w = {0x12345678, 0x40000000, -1, 0};
        RandomOp.NORMAL.apply(w, 1f, 2f, out);
        double r = Math.sqrt(-2 * Math.log((0x12345678L + 1) / 4294967296.0));
        // t = 2 pi / 4: cos 0 (to rounding), sin 1
        assertEquals(1f, out[0], 1e-6f);
        assertEquals((float) (1 + 2 * r), out[1], 1e-5f);
        // u1 = 1: r = 0, both the mean
        assertEquals(1f, out[2]);
        assertEquals(1f, out[3]);
        // the largest magnitude: u1 = 2^-32 gives r = sqrt(64 ln 2) ~ 6.66
        RandomOp.NORMAL.apply(new int[] {0, 0, 0, 0}, 0f, 1f, out);
        assertEquals((float) Math.sqrt(64 * Math.log(2)), out[0], 1e-6f);
        assertTrue(Math.abs(out[1]) < 1e-6f);
    }
}
