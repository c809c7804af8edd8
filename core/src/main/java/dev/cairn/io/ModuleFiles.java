package dev.cairn.io;

import dev.cairn.nn.LoadResult;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.Shapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads a module's parameters and buffers as a safetensors file, D2L's
 * {@code torch.save(net.state_dict(), file)} and {@code net.load_state_dict(torch.load(file))}.
 * Files are written as PyTorch's safetensors writer does (metadata {@code {"format": "pt"}}, keys as
 * PyTorch's state dict, float32), so {@code safetensors.torch.load_file} reads them into the matching
 * PyTorch model. A module reached under two paths (tied layers) is written under both keys.
 */
public final class ModuleFiles {
    /** The metadata written with every state dict. */
    public static final Map<String, String> METADATA = Map.of("format", "pt");

    private ModuleFiles() {
    }

    /** Writes {@code module.stateDict()} to {@code file}, replacing it. */
    public static void save(Module module, Path file) {
        Map<String, Tensor> state = module.stateDict();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            if (e.getValue() instanceof Parameter p && !p.isInitialized()) {
                throw new CairnException("cannot save " + module.getName() + " to " + file + ": parameter '"
                        + e.getKey() + "' is uninitialised; run a forward pass first (lazy modules infer their"
                        + " shapes from their first input)");
            }
        }
        SafeTensors.write(file, state, METADATA);
    }

    /** {@link #load(Module, Path, boolean)} with {@code strict} true: every key must match. */
    public static LoadResult load(Module module, Path file) {
        return load(module, file, true);
    }

    /**
     * Reads {@code file} and loads it into {@code module} with {@link Module#loadStateDict}: a shape
     * mismatch, and with {@code strict} a missing or unexpected key, is an error that changes nothing;
     * otherwise the keys that did not match are returned. Tensors are moved to the module's devices.
     */
    public static LoadResult load(Module module, Path file, boolean strict) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            // keys and shapes are checked against the model from the header, before any data is read: a huge
            // tensor under a key the model rejects fails at once, naming the file and the key
            List<TensorEntry> wanted = checkAgainstModel(module, reader.header(), file, strict, unexpected);
            try {
                for (TensorEntry e : wanted) {
                    state.put(e.name(), Tensor.of(reader.read(e.name()), e.shape()));
                }
            } catch (RuntimeException ex) {
                state.values().forEach(Tensor::close);
                throw ex;
            }
        }
        try {
            LoadResult loaded = module.loadStateDict(state, strict);
            return new LoadResult(loaded.missingKeys(), List.copyOf(unexpected)); // unexpected keys were not read
        } catch (ShapeException e) {
            ShapeException named = new ShapeException(file + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (CairnException e) {
            throw new CairnException(file + ": " + e.getMessage(), e);
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    /**
     * The header's entries the module takes, after checking from the header alone what
     * {@link Module#loadStateDict} would check from the data: with {@code strict} no missing or unexpected
     * key, and for every key the module has, the shape of its tensor (lazy parameters, whose shape is not
     * known yet, are left to {@code loadStateDict}) and a dtype Cairn can read. Adds the keys the module does
     * not have to {@code unexpected}, in file order.
     */
    private static List<TensorEntry> checkAgainstModel(Module module, SafeTensorsHeader header, Path file,
                                                       boolean strict, List<String> unexpected) {
        Map<String, Tensor> own = module.stateDict();
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<TensorEntry> wanted = new ArrayList<>();
        for (TensorEntry e : header.tensors()) {
            Tensor dst = own.get(e.name());
            if (dst == null) {
                unexpected.add(e.name());
                continue;
            }
            wanted.add(e);
            boolean lazy = dst instanceof Parameter p && !p.isInitialized();
            if (!lazy && !Arrays.equals(dst.shape(), e.shape())) {
                problems.add("size mismatch for " + e.name() + ": copying a tensor of shape " + Shapes.format(e.shape())
                        + " from the state dict, the shape in the current model is " + Shapes.format(dst.shape()));
            }
            if (!e.dtype().readable()) {
                problems.add("tensor " + e.name() + " has dtype " + e.dtype()
                        + ", which Cairn cannot read (it reads F32, F16, BF16 and F64 as float32)");
            }
        }
        for (String k : own.keySet()) {
            if (header.get(k) == null) {
                missing.add(k);
            }
        }
        boolean shapes = !problems.isEmpty();
        if (strict && !missing.isEmpty()) {
            problems.add("missing key(s) in state_dict: " + quoted(missing));
        }
        if (strict && !unexpected.isEmpty()) {
            problems.add("unexpected key(s) in state_dict: " + quoted(unexpected));
        }
        if (!problems.isEmpty()) {
            String msg = file + ": error(s) in loading state_dict for " + module.getName() + " (nothing was read or"
                    + " changed):\n\t" + String.join("\n\t", problems);
            throw shapes ? new ShapeException(msg) : new CairnException(msg);
        }
        return wanted;
    }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append('"').append(k).append('"');
        }
        return sb.append('.').toString();
    }
}
