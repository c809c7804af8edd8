package dev.cairn.backend.cpu;

/**
 * Per-thread stacks of small float arrays ({@value #MIN} to {@value #MAX} - 1 floats) handed back by closed CPU
 * tensors, for the next tensor of that exact length on the same thread: the hidden activations of a batch-1
 * model (the seed MLP's 256, an encoder's 32 x 12). A fresh array of this size costs more than its zeroing
 * suggests: it is carved from eden memory the core has not written lately, a kilobyte being 16 cache lines
 * fetched for ownership, where the array of the same length the previous op freed is still in L1. The shared
 * {@link CpuMemoryPool} does not take these sizes: its lock, map and soft reference per array cost more than
 * the allocation saves here.
 *
 * <p>Bounded: at most {@value #DEPTH} arrays per length and {@value #CAP} floats per thread; an array beyond
 * either is left to the garbage collector, as are a thread's stacks when the thread ends. Virtual threads keep
 * none (a server may run thousands of them), so for them this is the plain allocator.
 *
 * <p>Thread-safe by confinement: a thread only ever touches its own stacks. An array freed on another thread
 * than the one that took it goes to the freeing thread's stacks.
 */
final class SmallArrays {
    /** The shortest length kept: below it a fresh array is about as cheap (a few cache lines). */
    static final int MIN = 128;
    /** One past the longest length kept: from here on the shared {@link CpuMemoryPool} keeps arrays. */
    static final int MAX = CpuMemoryPool.MIN_LENGTH;
    /** Arrays kept per length. */
    private static final int DEPTH = 8;
    /** Floats kept per thread (1 MiB). */
    private static final int CAP = 1 << 18;
    private static final ThreadLocal<SmallArrays> LOCAL = ThreadLocal.withInitial(SmallArrays::new);

    /** Per length - MIN, the arrays kept (made on first use), the newest last. */
    private final float[][][] stacks = new float[MAX - MIN][][];
    private final byte[] counts = new byte[MAX - MIN];
    private int held;

    private SmallArrays() {
    }

    /** Whether arrays of this length are kept here. */
    static boolean keeps(int length) {
        return length >= MIN && length < MAX;
    }

    /** An array of exactly {@code length} floats ({@link #keeps} must hold) with unspecified contents. */
    static float[] take(int length) {
        if (!Thread.currentThread().isVirtual()) {
            SmallArrays mine = LOCAL.get();
            int slot = length - MIN;
            int n = mine.counts[slot];
            if (n > 0) {
                float[][] stack = mine.stacks[slot];
                float[] a = stack[--n];
                stack[n] = null;
                mine.counts[slot] = (byte) n;
                mine.held -= length;
                return a;
            }
        }
        return new float[length];
    }

    /** Keeps an array nobody uses any more ({@link #keeps} must hold for its length), if there is room. */
    static void give(float[] array) {
        if (Thread.currentThread().isVirtual()) {
            return;
        }
        SmallArrays mine = LOCAL.get();
        int length = array.length;
        int slot = length - MIN;
        int n = mine.counts[slot];
        if (n == DEPTH || mine.held + length > CAP) {
            return;
        }
        float[][] stack = mine.stacks[slot];
        if (stack == null) {
            stack = mine.stacks[slot] = new float[DEPTH][];
        }
        stack[n] = array;
        mine.counts[slot] = (byte) (n + 1);
        mine.held += length;
    }

    /** Floats this thread keeps (for tests). */
    static int heldByThisThread() {
        return LOCAL.get().held;
    }
}
