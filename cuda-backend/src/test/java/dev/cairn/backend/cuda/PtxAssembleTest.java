package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX: its ISA version is one every CUDA 12 driver loads, it holds every kernel the
 * backend launches, and (where ptxas exists) it assembles for sm_75 and sm_90.
 */
class PtxAssembleTest {
    /** PTX ISA 8.0 is what CUDA 12.0 drivers accept. */
    static final double MAX_PTX_VERSION = 8.0;
    static final Set<String> KERNELS = Set.of("cairn_unary_dense", "cairn_unary_strided", "cairn_binary_dense",
            "cairn_binary_strided", "cairn_bias_relu", "cairn_reduce_block", "cairn_reduce_thread",
            "cairn_sgemm_64", "cairn_sgemm_128", "cairn_softmax", "cairn_softmax_backward", "cairn_layer_norm",
            "cairn_layer_norm_backward", "cairn_layer_norm_param_grads", "cairn_cumsum");

    static String ptx(String module) throws IOException {
        try (InputStream in = PtxAssembleTest.class.getResourceAsStream("/dev/cairn/backend/cuda/" + module + ".ptx")) {
            assertNotNull(in, module + ".ptx is missing from the resources (run cuda-backend/compile-kernels.sh)");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void ptxVersionLoadsOnEveryCuda12Driver() throws IOException {
        for (String m : CudaDevice.MODULES) {
            Matcher v = Pattern.compile("(?m)^\\.version\\s+(\\d+\\.\\d+)").matcher(ptx(m));
            assertTrue(v.find(), m + ".ptx has no .version line");
            double version = Double.parseDouble(v.group(1));
            assertTrue(version <= MAX_PTX_VERSION, m + ".ptx has .version " + version
                    + "; CUDA 12.0 drivers load at most " + MAX_PTX_VERSION + " (see compile-kernels.sh)");
            assertTrue(ptx(m).contains(".target sm_75"), m + ".ptx must target compute_75");
        }
    }

    @Test
    void everyLaunchedKernelIsPresent() throws IOException {
        java.util.Set<String> found = new java.util.HashSet<>();
        for (String m : CudaDevice.MODULES) {
            found.addAll(CudaDevice.kernelNames(ptx(m).getBytes(StandardCharsets.US_ASCII)));
        }
        assertTrue(found.containsAll(KERNELS), "missing kernels: " + KERNELS.stream().filter(k -> !found.contains(k)).toList());
    }

    static Path findPtxas() {
        String path = System.getenv("PATH");
        Stream<String> dirs = Stream.concat(path == null ? Stream.empty() : Stream.of(path.split(File.pathSeparator)),
                Stream.of("/usr/local/bin", "/usr/local/cuda/bin"));
        return dirs.map(d -> Path.of(d, "ptxas")).filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Test
    void assemblesForSm75AndSm90(@TempDir Path tmp) throws Exception {
        Path ptxas = findPtxas();
        Assumptions.assumeTrue(ptxas != null, "ptxas not found on PATH, /usr/local/bin or /usr/local/cuda/bin: "
                + "PTX not assembled here");
        for (String m : CudaDevice.MODULES) {
            Path src = tmp.resolve(m + ".ptx");
            Files.writeString(src, ptx(m), StandardCharsets.US_ASCII);
            for (String sm : List.of("sm_75", "sm_90")) {
                Path out = tmp.resolve(m + "." + sm + ".cubin");
                Process p = new ProcessBuilder(ptxas.toString(), "-arch=" + sm, src.toString(), "-o", out.toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ptxas timed out");
                assertEquals(0, p.exitValue(), "ptxas -arch=" + sm + " " + m + ".ptx failed:\n" + log);
                assertTrue(Files.size(out) > 0);
            }
        }
    }
}
