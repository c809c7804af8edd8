package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.ModuleFiles;
import dev.cairn.io.SafeTensors;
import dev.cairn.io.SafeTensorsException;
import dev.cairn.io.SafeTensorsFile;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModuleFiles}: D2L's saving and loading of model parameters (6.6). */
class ModuleFilesTest {
    @TempDir
    Path dir;

    /** D2L's MLP: hidden Linear(20, 256) and output Linear(256, 10). */
    static final class MLP extends Module {
        final Linear hidden;
        final Linear output;

        MLP(long seed) {
            Generator g = new Generator(seed);
            hidden = register("hidden", new Linear(20, 256, true, g));
            output = register("output", new Linear(256, 10, true, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            return output.call(F.relu(hidden.call(x)));
        }
    }

    @Test
    void roundTripReproducesTheModel() {
        MLP net = new MLP(1);
        Tensor x = Tensor.rand(new Generator(2), 2, 20);
        Tensor y = net.call(x);
        Path f = dir.resolve("mlp.params");
        ModuleFiles.save(net, f);

        SafeTensorsFile file = SafeTensors.readFile(f);
        assertEquals(Map.of("format", "pt"), file.metadata());
        assertEquals(List.of("hidden.weight", "hidden.bias", "output.weight", "output.bias"),
                List.copyOf(file.tensors().keySet()));
        assertArrayEquals(new int[] {256, 20}, file.tensors().get("hidden.weight").shape());

        MLP clone = new MLP(99);
        Parameter before = clone.hidden.weight;
        LoadResult r = ModuleFiles.load(clone, f, true);
        assertTrue(r.isClean());
        assertSame(before, clone.hidden.weight);
        assertArrayEquals(y.toFloatArray(), clone.call(x).toFloatArray());
        for (var e : net.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), clone.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
        // the one-argument load is strict
        assertTrue(ModuleFiles.load(new MLP(5), f).isClean());
    }

    @Test
    void strictLoadNamesMissingAndUnexpectedKeysAndTheFile() {
        Path f = dir.resolve("seq.safetensors");
        ModuleFiles.save(new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10)), f);
        MLP target = new MLP(3);
        float first = target.hidden.weight.toFloatArray()[0];
        CairnException e = assertThrows(CairnException.class, () -> ModuleFiles.load(target, f, true));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(f + ": error(s) in loading state_dict for MLP"), msg);
        assertTrue(msg.contains("missing key(s) in state_dict: \"hidden.weight\", \"hidden.bias\", \"output.weight\","
                + " \"output.bias\"."), msg);
        assertTrue(msg.contains("unexpected key(s) in state_dict: \"0.weight\", \"0.bias\", \"2.weight\", \"2.bias\"."),
                msg);
        assertEquals(first, target.hidden.weight.toFloatArray()[0]);
        // non-strict returns what did not match
        LoadResult r = ModuleFiles.load(target, f, false);
        assertEquals(List.of("hidden.weight", "hidden.bias", "output.weight", "output.bias"), r.missingKeys());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), r.unexpectedKeys());
        assertFalse(r.isClean());
        assertEquals(first, target.hidden.weight.toFloatArray()[0]);
    }

    @Test
    void shapeMismatchIsAShapeErrorEvenWhenNotStrict() {
        Path f = dir.resolve("small.safetensors");
        ModuleFiles.save(new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1)), f);
        Sequential other = new Sequential(new Linear(4, 9), new ReLU(), new Linear(9, 1));
        float[] before = other.get(0, Linear.class).weight.toFloatArray();
        ShapeException e = assertThrows(ShapeException.class, () -> ModuleFiles.load(other, f, false));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight: copying a tensor of shape [8, 4] from the state"
                + " dict, the shape in the current model is [9, 4]"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertArrayEquals(before, other.get(0, Linear.class).weight.toFloatArray());
    }

    @Test
    void tiedModelRoundTripKeepsTheLayerShared() {
        Linear shared = new Linear(8, 8);
        Sequential tied = new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(),
                new Linear(8, 1));
        Path f = dir.resolve("tied.safetensors");
        ModuleFiles.save(tied, f);
        Map<String, Tensor> written = SafeTensors.read(f);
        assertArrayEquals(written.get("2.weight").toFloatArray(), written.get("4.weight").toFloatArray());

        Linear shared2 = new Linear(8, 8);
        Sequential copy = new Sequential(new Linear(4, 8), new ReLU(), shared2, new ReLU(), shared2, new ReLU(),
                new Linear(8, 1));
        assertTrue(ModuleFiles.load(copy, f).isClean());
        assertSame(copy.get(2), copy.get(4));
        assertArrayEquals(shared.weight.toFloatArray(), shared2.weight.toFloatArray());
        Tensor x = Tensor.rand(3, 4);
        assertArrayEquals(tied.call(x).toFloatArray(), copy.call(x).toFloatArray());
    }

    @Test
    void loadingAnotherModulesStateDictLeavesTheSourceUsable() {
        MLP a = new MLP(1);
        MLP b = new MLP(2);
        assertTrue(b.loadStateDict(a.stateDict(), true).isClean());
        // the source's parameters were read, not consumed
        assertArrayEquals(a.hidden.weight.toFloatArray(), b.hidden.weight.toFloatArray());
        Tensor x = Tensor.rand(1, 20);
        assertArrayEquals(a.call(x).toFloatArray(), b.call(x).toFloatArray());
    }

    @Test
    void aMissingFileIsASafeTensorsError() {
        Path f = dir.resolve("nope.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ModuleFiles.load(new MLP(1), f));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }

    /**
     * A file with a valid 4 GB tensor (sparse on disk) under a key the model does not have: the load fails
     * from the header alone, naming the file and the key, instead of reading 4 GB first (which ran out of
     * memory without naming either); a non-strict load skips the tensor without reading it.
     */
    @Test
    void aHugeTensorUnderARejectedKeyFailsBeforeAnyDataIsRead() throws Exception {
        MLP target = new MLP(3);
        Path small = dir.resolve("mlp.safetensors");
        ModuleFiles.save(target, small);
        Path f = dir.resolve("huge.safetensors");
        long hugeBytes = 4L << 30; // 2^30 float32 values
        Map<String, Tensor> own = target.stateDict();
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            long bytes = 4L * e.getValue().numel();
            json.append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(java.util.Arrays.toString(e.getValue().shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]},");
            offset += bytes;
        }
        json.append("\"extra.huge\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[")
                .append(offset).append(',').append(offset + hugeBytes).append("]}}");
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            raf.write(header);
            raf.setLength(8 + header.length + offset + hugeBytes); // sparse: no 4 GB on disk
        }
        float first = target.hidden.weight.toFloatArray()[0];
        CairnException e = assertThrows(CairnException.class, () -> ModuleFiles.load(target, f, true));
        assertTrue(e.getMessage().startsWith(f + ": error(s) in loading state_dict for MLP"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key(s) in state_dict: \"extra.huge\"."), e.getMessage());
        assertEquals(first, target.hidden.weight.toFloatArray()[0]);
        LoadResult r = ModuleFiles.load(target, f, false); // reads only the model's keys (zeros in the sparse file)
        assertEquals(List.of("extra.huge"), r.unexpectedKeys());
        assertEquals(0f, target.hidden.weight.toFloatArray()[0]);
    }
}
