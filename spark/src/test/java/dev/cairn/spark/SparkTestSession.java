package dev.cairn.spark;

import dev.cairn.io.SafeTensors;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession all of this module's tests share (Spark takes seconds to start):
 * {@code local[2,2]}, two cores, and a failed task is retried once, as on a cluster. It is stopped
 * when the test JVM exits. Also the shared weights fixture.
 */
public final class SparkTestSession {
    private static SparkSession session;
    private static Path mlpWeights;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,2]").appName("cairn-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .config("spark.sql.adaptive.enabled", "false")
                    .config("spark.sql.codegen.wholeStage", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "stop test SparkSession"));
        }
        return session;
    }

    /**
     * The weights of PyTorch's MLP (Linear(20,256), ReLU, Linear(256,10)) from the golden case
     * mlp-s1-b4 (made by PyTorch 1.13.1), as a plain state-dict safetensors file.
     */
    public static synchronized Path mlpWeights() {
        if (mlpWeights == null) {
            Map<String, Tensor> golden = golden("mlp-s1-b4");
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String k : new String[] {"hidden.weight", "hidden.bias", "out.weight", "out.bias"}) {
                state.put(k, golden.get(k));
            }
            try {
                Path dir = Files.createTempDirectory("cairn-spark-test");
                dir.toFile().deleteOnExit();
                mlpWeights = dir.resolve("mlp.safetensors");
                mlpWeights.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SafeTensors.write(mlpWeights, state);
        }
        return mlpWeights;
    }

    /** A golden case of the samples' test resources (PyTorch-made). */
    static Map<String, Tensor> golden(String name) {
        try {
            return SafeTensors.read(Path.of(SparkTestSession.class.getResource("/golden/" + name + ".safetensors").toURI()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
