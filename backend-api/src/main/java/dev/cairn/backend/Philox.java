package dev.cairn.backend;

/**
 * Philox4x32-10, the counter-based generator of {@link Backend#random} (Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator PyTorch's CUDA backend and JAX use):
 * ten rounds of a multiply-xor network turn a 128-bit counter and a 64-bit key into four 32-bit words, so
 * any block of the stream is computed on its own, by any thread, on any device, with the same result.
 *
 * <p>Cairn's stream: block {@code j} of a draw at {@code counter} under {@code seed} is Philox4x32-10 of the
 * counter words {@code (lo(counter + j), hi(counter + j), 0, 0)} under the key {@code (lo(seed), hi(seed))}
 * (64-bit wrapping addition; {@code lo}/{@code hi} the low and high 32 bits). Stateless and thread-safe.
 */
public final class Philox {
    /** The round multipliers and the key increments (Weyl constants) of Philox4x32. */
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** Philox4x32-10 of the counter {@code (c0, c1, c2, c3)} under the key {@code (k0, k1)}, into {@code out[0..3]}. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xffffffffL) * (M0 & 0xffffffffL);
            long p1 = (c2 & 0xffffffffL) * (M1 & 0xffffffffL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Block {@code counter} of the stream of {@code seed} (see the class comment), into {@code out[0..3]}. */
    public static void block(long seed, long counter, int[] out) {
        block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    /** How many blocks (four words each) a draw of {@code numbers} elements takes: the counter advance. */
    public static long blocks(long numbers) {
        return (numbers + 3) >>> 2;
    }
}
