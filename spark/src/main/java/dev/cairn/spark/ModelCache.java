package dev.cairn.spark;

import dev.cairn.autograd.GradMode;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this JVM has built, one per (model, weights source and content hash, device), so that
 * each executor builds and loads a model once however many tasks and batches it scores; the models
 * live until the JVM ends. In local mode the driver's validation load fills the same cache the
 * tasks then use. Thread-safe: concurrent tasks asking for the same model wait for one load.
 */
final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final ConcurrentMap<String, LoadedModel> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {
    }

    /**
     * The model for this key, building and loading it on first use.
     *
     * @param numFeatures the input width the user set, or 0 to take the registered or inferred one
     * @throws CairnException naming the model and the weights when it cannot be built or loaded
     */
    static LoadedModel get(ModelSpec spec, WeightsSource weights, Device device, int numFeatures, Configuration conf) {
        String key = spec.name() + "|" + weights.cacheKey() + "|" + device + "|" + numFeatures;
        return MODELS.computeIfAbsent(key, k -> load(spec, weights, device, numFeatures, conf));
    }

    /** How many models this JVM holds (for tests). */
    static int size() {
        return MODELS.size();
    }

    private static LoadedModel load(ModelSpec spec, WeightsSource weights, Device device, int numFeatures,
            Configuration conf) {
        long t0 = System.nanoTime();
        Path tmp = weights.fetchTo(Path.of(System.getProperty("java.io.tmpdir")), conf);
        Module module;
        try {
            module = spec.create();
            try {
                ModuleFiles.load(module, tmp);
            } catch (CairnException e) {
                String msg = String.valueOf(e.getMessage()).replace(tmp.toString(), weights.describe());
                throw new CairnException("model " + spec + ", weights " + weights.describe() + ": " + msg
                        + (msg.contains("safetensors") ? "" : " (the weights must be a safetensors state dict of this model)"), e);
            }
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                LOG.warn("cannot delete the temporary weights file {}: {}", tmp, e.toString());
            }
        }
        module.eval();
        module = module.to(device);
        int width = widthOf(spec, module, numFeatures);
        int outWidth = probeOutputWidth(spec, module, device, width);
        LOG.info("Cairn: built model {} with weights {} on {} ({} -> {} values per row) in {} ms", spec,
                weights.describe(), device, width, outWidth, (System.nanoTime() - t0) / 1_000_000);
        return new LoadedModel(module, device, width, outWidth);
    }

    private static int widthOf(ModelSpec spec, Module module, int numFeatures) {
        int declared = spec.declaredWidth();
        if (declared > 0 && numFeatures > 0 && declared != numFeatures) {
            throw new CairnException("numFeatures is " + numFeatures + " but model " + spec + " takes " + declared
                    + " features per row; leave numFeatures unset (0) for a registered model");
        }
        int w = numFeatures > 0 ? numFeatures : declared > 0 ? declared : ModelSpec.firstLinearWidth(module);
        if (w <= 0) {
            throw new CairnException("cannot tell how many features per row model " + spec
                    + " takes (it has no Linear layer); set numFeatures");
        }
        return w;
    }

    /** Runs two zero rows through the model: checks it maps [rows, w] to [rows, k] and returns k. */
    private static int probeOutputWidth(ModelSpec spec, Module module, Device device, int width) {
        int[] shape;
        try (GradMode.Scope ng = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            shape = module.call(Tensor.zeros(device, 2, width)).shape();
        } catch (CairnException e) {
            throw new CairnException("model " + spec + " cannot run a [rows, " + width + "] batch: " + e.getMessage()
                    + " (set numFeatures to the model's input width)", e);
        }
        if (shape.length != 2 || shape[0] != 2) {
            throw new CairnException("model " + spec + " maps a [2, " + width + "] batch to shape "
                    + Arrays.toString(shape) + "; scoring rows needs a model that maps [rows, " + width + "] to [rows, k]");
        }
        return shape[1];
    }
}
