package dev.cairn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SafeTensors} with real CPU tensors: dict, single tensor and list round trips, and golden files. */
class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static void assertTensor(float[] data, int[] shape, Tensor t) {
        assertArrayEquals(shape, t.shape());
        assertArrayEquals(data, t.toFloatArray());
        assertEquals(Device.cpu(), t.device());
    }

    @Test
    void dictRoundTripKeepsOrderShapesValuesAndMetadata() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        tensors.put("bias", Tensor.vector(-1f, Float.NaN));
        tensors.put("step", Tensor.scalar(7f));
        tensors.put("empty", Tensor.zeros(0, 2));
        Path f = dir.resolve("dict.safetensors");
        SafeTensors.write(f, tensors, Map.of("format", "pt"));

        SafeTensorsFile file = SafeTensors.readFile(f);
        assertEquals(List.of("weight", "bias", "step", "empty"), List.copyOf(file.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), file.metadata());
        assertTensor(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, file.tensors().get("weight"));
        assertTensor(new float[] {-1f, Float.NaN}, new int[] {2}, file.tensors().get("bias"));
        assertTensor(new float[] {7f}, new int[0], file.tensors().get("step"));
        assertTensor(new float[0], new int[] {0, 2}, file.tensors().get("empty"));

        SafeTensors.write(f, tensors);
        assertTrue(SafeTensors.readFile(f).metadata().isEmpty());
        assertEquals(4, SafeTensors.read(f).size());
    }

    @Test
    void nonContiguousTensorsAreWrittenRowMajor() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1);
        Path f = dir.resolve("t.safetensors");
        SafeTensors.writeTensor(f, t);
        assertTensor(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 2}, SafeTensors.readTensor(f));
        assertEquals(List.of(SafeTensors.TENSOR_KEY), List.copyOf(SafeTensors.read(f).keySet()));
    }

    @Test
    void listRoundTrip() {
        Path f = dir.resolve("list.safetensors");
        SafeTensors.writeList(f, List.of(Tensor.arange(4), Tensor.ones(2, 2), Tensor.scalar(3f)));
        List<Tensor> back = SafeTensors.readList(f);
        assertEquals(3, back.size());
        assertTensor(new float[] {0, 1, 2, 3}, new int[] {4}, back.get(0));
        assertTensor(new float[] {1, 1, 1, 1}, new int[] {2, 2}, back.get(1));
        assertTensor(new float[] {3f}, new int[0], back.get(2));
        SafeTensors.writeList(f, List.of());
        assertTrue(SafeTensors.readList(f).isEmpty());
    }

    @Test
    void shapeMismatchedReadsFailClearly() {
        Path f = dir.resolve("two.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.scalar(1f), "b", Tensor.scalar(2f)));
        var e = assertThrows(SafeTensorsException.class, () -> SafeTensors.readTensor(f));
        assertTrue(e.getMessage().contains("expected exactly one tensor") && e.getMessage().contains(f.toString()), e.getMessage());
        e = assertThrows(SafeTensorsException.class, () -> SafeTensors.readList(f));
        assertTrue(e.getMessage().contains("not a list of tensors"), e.getMessage());
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertThrows(SafeTensorsException.class, () -> SafeTensors.write(f, withNull));
        e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(dir.resolve("missing.safetensors")));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
    }

    @Test
    void readsGoldenPyTorchFile() {
        Path golden = Path.of("../core/src/test/resources/io/chimera-s1-b4.safetensors");
        assumeTrue(Files.exists(golden), "golden file not found from " + Path.of("").toAbsolutePath());
        SafeTensorsFile file = SafeTensors.readFile(golden);
        assertEquals("chimera", file.metadata().get("model"));
        assertArrayEquals(new int[0], file.tensors().get("output").shape());
        assertEquals(0.439612f, file.tensors().get("output").item());
        assertArrayEquals(new int[] {4, 20}, file.tensors().get("input").shape());
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, file.tensors(), file.metadata());
        SafeTensors.read(copy).forEach((k, v) -> assertArrayEquals(file.tensors().get(k).toFloatArray(), v.toFloatArray(), k));
    }
}
