package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.SafeTensors;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.samples.cli.Tolerance;
import dev.cairn.backend.Backends;
import dev.cairn.tensor.Device;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PyTorch reference case (the 32 golden files and 32 fresh ones made by scripts/make_cases.py
 * with other seeds and batch sizes): forward output and every gradient within the golden tolerance.
 */
class GoldenConformanceTest {

    /** Every case on every device type; a device that cannot run here shows as skipped with the reason. */
    static Stream<Arguments> casesOnDevices() throws IOException, URISyntaxException {
        List<Path> files = cases().toList();
        return Stream.of(Device.cpu(), Device.cuda(0)).flatMap(d -> files.stream().map(f -> Arguments.of(d, f)));
    }

    static Stream<Path> cases() throws IOException, URISyntaxException {
        List<Path> all = new java.util.ArrayList<>();
        for (String dir : new String[] {"/golden", "/fresh"}) {
            Path root = Path.of(GoldenConformanceTest.class.getResource(dir).toURI());
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(all::add);
            }
        }
        assertTrue(all.size() >= 64, "expected 64 cases, found " + all.size());
        return all.stream();
    }

    static String modelName(Path file) {
        return file.getFileName().toString().replaceAll("-s\\d+-b\\d+\\.safetensors$", "");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnDevices")
    void forwardAndGradientsMatchPyTorch(Device device, Path file) {
        Assumptions.assumeTrue(Backends.isUsable(device),
                () -> device + " cannot run here: " + Backends.report().get(device.type()).reason());
        Map<String, Tensor> c = new LinkedHashMap<>();
        SafeTensors.read(file).forEach((k, v) -> c.put(k, v.to(device)));
        Map<String, Tensor> state = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (!k.equals("input") && !k.equals("output") && !k.startsWith("grad.")) {
                state.put(k, v);
            }
        });
        Module model = Models.get(modelName(file)).create().to(device);
        model.loadStateDict(state, true);
        Tensor x = c.get("input").detach().requiresGrad(true);
        Tensor y = model.call(x);
        assertClose(file, "output", c.get("output"), y);

        y.backward(c.get("grad.output"));
        assertClose(file, "grad.input", c.get("grad.input"), x.grad());
        int checked = 0;
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (e.getValue() instanceof Parameter p) {
                Tensor expected = c.get("grad." + e.getKey());
                assertNotNull(expected, file + " lacks grad." + e.getKey());
                assertClose(file, "grad." + e.getKey(), expected, p.grad());
                checked++;
            } else {
                assertEquals(null, c.get("grad." + e.getKey()), "buffers have no gradient");
            }
        }
        assertTrue(checked > 0);
    }

    private static void assertClose(Path file, String key, Tensor expected, Tensor actual) {
        assertNotNull(actual, file.getFileName() + ": no value for " + key);
        Tolerance.Result r = Tolerance.compare(expected, actual);
        assertTrue(r.ok(), () -> file.getFileName() + " " + key + ": max |diff| " + r.maxDiff() + " > tolerance "
                + r.tolerance() + " " + r.reason());
    }
}
