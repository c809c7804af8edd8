package dev.cairn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.serve.TestModels.Affine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server against a second independent client, in Python with numpy, framed as tritonclient.http
 * frames requests ({@code oip_client.py}). Skipped, saying why, where python3 with numpy is missing.
 */
class PythonOipClientTest {
    private static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aPythonClientFramedAsTritonsTalksToTheServer() throws Exception {
        assumeTrue(pythonWithNumpy(), "python3 with numpy is not installed here");
        Path script = Path.of(PythonOipClientTest.class.getResource("/oip_client.py").toURI());
        try (InferenceServer server = InferenceServer.builder().port(0)
                .model("affine", BatchingPredictor.builder().model(Affine::new).rowShape(4).build()).start()) {
            Process p = new ProcessBuilder("python3", script.toString(), server.uri().toString(), "affine")
                    .redirectErrorStream(true).start();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
            }
            assertEquals(0, done ? p.exitValue() : -1, out);
        }
    }
}
