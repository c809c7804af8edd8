package dev.cairn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DataLoader: batches, shuffling with a seed, dropLast, the background thread's lifetime. */
class DataLoaderTest {
    /** 10 examples: features [2] = {i, 100 + i}, target = i. */
    private static ArrayDataset numbers(int n) {
        float[] x = new float[2 * n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 100 + i;
            y[i] = i;
        }
        return new ArrayDataset(x, new int[] {2}, y, new int[0]);
    }

    private static List<Integer> epoch(DataLoader loader, List<Integer> sizes) {
        List<Integer> ids = new ArrayList<>();
        for (Batch b : loader) {
            sizes.add(b.size());
            float[] x = b.features().toFloatArray();
            float[] y = b.targets().toFloatArray();
            assertArrayEquals(new int[] {b.size(), 2}, b.features().shape());
            assertArrayEquals(new int[] {b.size()}, b.targets().shape());
            for (int i = 0; i < b.size(); i++) {
                assertEquals(y[i], x[2 * i]);
                assertEquals(100 + y[i], x[2 * i + 1]);
                ids.add((int) y[i]);
            }
            b.close();
        }
        return ids;
    }

    @Test
    void inOrderBatchesWithAPartialLastOne() {
        for (int prefetch : new int[] {0, 1, 3}) {
            try (DataLoader l = DataLoader.builder(numbers(10)).batchSize(4).prefetch(prefetch).build()) {
                List<Integer> sizes = new ArrayList<>();
                assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), epoch(l, sizes));
                assertEquals(List.of(4, 4, 2), sizes);
                assertEquals(3, l.batchesPerEpoch());
            }
        }
    }

    @Test
    void dropLastLeavesOutThePartialBatch() {
        try (DataLoader l = DataLoader.builder(numbers(10)).batchSize(4).dropLast(true).build()) {
            List<Integer> sizes = new ArrayList<>();
            assertEquals(8, epoch(l, sizes).size());
            assertEquals(List.of(4, 4), sizes);
            assertEquals(2, l.batchesPerEpoch());
            assertEquals(8, l.examplesPerEpoch());
        }
    }

    @Test
    void shufflingIsAPermutationNewEachEpochAndReproducibleFromTheSeed() {
        List<List<Integer>> first = new ArrayList<>();
        try (DataLoader l = DataLoader.builder(numbers(50)).batchSize(7).shuffle(true).seed(3).build()) {
            for (int e = 0; e < 3; e++) {
                List<Integer> ids = epoch(l, new ArrayList<>());
                assertEquals(50, new HashSet<>(ids).size());
                first.add(ids);
            }
        }
        assertNotEquals(first.get(0), first.get(1));
        try (DataLoader l = DataLoader.builder(numbers(50)).batchSize(7).shuffle(true).seed(3).prefetch(0).build()) {
            for (int e = 0; e < 3; e++) {
                assertEquals(first.get(e), epoch(l, new ArrayList<>()));
            }
        }
        try (DataLoader l = DataLoader.builder(numbers(50)).batchSize(7).shuffle(true).seed(4).build()) {
            assertNotEquals(first.get(0), epoch(l, new ArrayList<>()));
        }
    }

    private static Set<String> loaderThreads() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("cairn-data-loader-") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void noThreadOutlivesAnEpochAnAbandonedEpochOrClose() {
        Set<String> before = loaderThreads();
        DataLoader l = DataLoader.builder(numbers(1000)).batchSize(10).prefetch(2).build();
        epoch(l, new ArrayList<>());
        assertFalse(l.workerAlive(), "after a full epoch");
        Iterator<Batch> it = l.iterator();
        it.next().close();
        assertTrue(l.workerAlive(), "while the epoch runs (98 batches left, 2 prefetched)");
        Iterator<Batch> next = l.iterator(); // abandons the first
        assertThrows(java.util.NoSuchElementException.class, it::next);
        next.next().close();
        l.close();
        assertFalse(l.workerAlive());
        assertEquals(before, loaderThreads());
        CairnException e = assertThrows(CairnException.class, l::iterator);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void invalidSettingsAreErrors() {
        assertThrows(CairnException.class, () -> DataLoader.builder(numbers(3)).batchSize(0));
        assertThrows(CairnException.class, () -> DataLoader.builder(numbers(3)).prefetch(-1));
        CairnException e = assertThrows(CairnException.class,
                () -> new ArrayDataset(new float[5], new int[] {2}, new float[2], new int[0]));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
        e = assertThrows(CairnException.class, () -> new ArrayDataset(new float[4], new int[] {2}, new float[3], new int[0]));
        assertTrue(e.getMessage().contains("need 2 target values"), e.getMessage());
    }
}
