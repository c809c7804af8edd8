package dev.cairn.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saving and loading {@link CairnTransformer}: Spark ML's standard params metadata (so a saved
 * {@code Pipeline} that holds one loads with {@code Pipeline.load}), plus, when the weights were given
 * as bytes, the file {@value #WEIGHTS_FILE} beside it. Weights given as a path are saved as the path.
 */
final class CairnTransformerIO {
    /** The weights file in a saved transformer's directory (weights given as bytes only). */
    static final String WEIGHTS_FILE = "weights.safetensors";

    private CairnTransformerIO() {
    }

    /** Writes a transformer's metadata and bytes weights. */
    static final class Writer extends MLWriter {
        private final CairnTransformer instance;

        Writer(CairnTransformer instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            byte[] bytes = instance.getWeightsBytes();
            if (bytes != null) {
                Path file = new Path(path, WEIGHTS_FILE);
                Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
                try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
                    out.write(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Reads a transformer saved by {@link Writer}. */
    static final class Reader extends MLReader<CairnTransformer> {
        @Override
        public CairnTransformer load(String path) {
            DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    CairnTransformer.class.getName());
            CairnTransformer t = new CairnTransformer(meta.uid());
            meta.getAndSetParams(t, scala.Option.empty());
            Path file = new Path(path, WEIGHTS_FILE);
            Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
            try {
                FileSystem fs = file.getFileSystem(conf);
                if (fs.exists(file)) {
                    try (InputStream in = fs.open(file)) {
                        t.restoreWeightsBytes(in.readAllBytes());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return t;
        }
    }
}
