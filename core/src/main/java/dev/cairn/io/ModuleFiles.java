package dev.cairn.io;

import dev.cairn.nn.LoadResult;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
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
        Map<String, Tensor> state = SafeTensors.read(file);
        try {
            return module.loadStateDict(state, strict);
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
}
