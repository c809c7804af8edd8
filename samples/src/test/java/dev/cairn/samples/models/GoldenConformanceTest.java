package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.SafeTensors;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.samples.cli.Tolerance;
import dev.cairn.tensor.Devices;
import dev.cairn.Device;
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
 * The oracle is tested on its other side too: zeros, a perturbed output or a perturbed gradient fail,
 * and every model has live cases (three golden mylinear cases are all zero: their final ReLU is dead).
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

    /** A case's tensors on {@code device}; skips the test, with the reason, where the device cannot run. */
    static Map<String, Tensor> readCase(Device device, Path file) {
        Assumptions.assumeTrue(Devices.isUsable(device),
                () -> device + " cannot run here: " + Devices.report().get(device.type()).reason());
        Map<String, Tensor> c = new LinkedHashMap<>();
        SafeTensors.read(file).forEach((k, v) -> c.put(k, v.to(device)));
        return c;
    }

    /** The model's state dict within a case: every key but input, output and the gradients. */
    static Map<String, Tensor> stateDictOf(Map<String, Tensor> c) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (!k.equals("input") && !k.equals("output") && !k.startsWith("grad.")) {
                state.put(k, v);
            }
        });
        return state;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnDevices")
    void forwardAndGradientsMatchPyTorch(Device device, Path file) {
        Map<String, Tensor> c = readCase(device, file);
        Map<String, Tensor> state = stateDictOf(c);
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

    /** The tensors a case checks: output, grad.input and the parameters' gradients (not grad.output). */
    private static Map<String, Tensor> checked(Map<String, Tensor> c) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (k.equals("output") || (k.startsWith("grad.") && !k.equals("grad.output"))) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toFloatArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** A case counts as coverage only if its output or some gradient is not entirely zero. */
    @org.junit.jupiter.api.Test
    void everyModelHasAtLeastThreeLiveCases() throws IOException, URISyntaxException {
        Map<String, Integer> live = new java.util.TreeMap<>();
        for (Path file : cases().toList()) {
            boolean isLive = checked(SafeTensors.read(file)).values().stream().anyMatch(t -> maxAbs(t) > 0);
            live.merge(modelName(file), isLive ? 1 : 0, Integer::sum);
        }
        assertEquals(8, live.size(), "the eight reference models: " + live.keySet());
        live.forEach((model, n) -> assertTrue(n >= 3, model + " has only " + n + " live reference cases"));
    }

    /** Zeros, or one element moved by twice the tolerance, fail for every non-zero tensor of every case. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOracleRejectsZerosAndPerturbedValues(Path file) {
        for (Map.Entry<String, Tensor> e : checked(SafeTensors.read(file)).entrySet()) {
            Tensor expected = e.getValue();
            float[] values = expected.toFloatArray();
            double m = maxAbs(expected);
            assertTrue(Tolerance.compare(expected, expected).ok(), file.getFileName() + " " + e.getKey());
            if (m == 0) {
                assertTrue(Tolerance.compare(expected, Tensor.zeros(expected.shape())).ok());
                continue;
            }
            assertFalse(Tolerance.compare(expected, Tensor.zeros(expected.shape())).ok(),
                    file.getFileName() + " " + e.getKey() + ": zeros pass for max |expected| " + m);
            for (int i : new int[] {0, values.length - 1}) {
                float[] moved = values.clone();
                moved[i] += (float) (2 * Tolerance.bound(m));
                assertFalse(Tolerance.compare(expected, Tensor.of(moved, expected.shape())).ok(),
                        file.getFileName() + " " + e.getKey() + " element " + i + " moved by twice the tolerance");
            }
        }
    }

    /** A real backward result with one gradient element perturbed just past the tolerance is caught. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("liveGoldenCasePerModel")
    void aPerturbedGradientFails(Path file) {
        Map<String, Tensor> c = SafeTensors.read(file);
        Map<String, Tensor> state = new LinkedHashMap<>(c);
        state.keySet().removeIf(k -> k.equals("input") || k.equals("output") || k.startsWith("grad."));
        Module model = Models.get(modelName(file)).create();
        model.loadStateDict(state, true);
        Tensor x = c.get("input").detach().requiresGrad(true);
        model.call(x).backward(c.get("grad.output"));
        int perturbed = 0;
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (e.getValue() instanceof Parameter p && maxAbs(c.get("grad." + e.getKey())) > 0) {
                Tensor expected = c.get("grad." + e.getKey());
                float[] got = p.grad().toFloatArray();
                assertTrue(Tolerance.compare(expected, p.grad()).ok(), file.getFileName() + " grad." + e.getKey());
                got[got.length / 2] -= (float) (1.5 * Tolerance.bound(maxAbs(expected)));
                assertFalse(Tolerance.compare(expected, Tensor.of(got, expected.shape())).ok(),
                        file.getFileName() + " grad." + e.getKey() + " perturbed by 1.5x the tolerance passed");
                perturbed++;
            }
        }
        assertTrue(perturbed > 0, file + " has no non-zero parameter gradient");
    }

    static Stream<Path> liveGoldenCasePerModel() throws IOException, URISyntaxException {
        Map<String, Path> one = new java.util.TreeMap<>();
        for (Path file : cases().toList()) {
            boolean live = checked(SafeTensors.read(file)).values().stream().allMatch(t -> maxAbs(t) > 0);
            if (live && file.getParent().getFileName().toString().equals("golden")) {
                one.putIfAbsent(modelName(file), file);
            }
        }
        assertEquals(8, one.size(), "a fully live golden case per model: " + one.keySet());
        return one.values().stream();
    }

    private static void assertClose(Path file, String key, Tensor expected, Tensor actual) {
        assertNotNull(actual, file.getFileName() + ": no value for " + key);
        Tolerance.Result r = Tolerance.compare(expected, actual);
        assertTrue(r.ok(), () -> file.getFileName() + " " + key + ": max |diff| " + r.maxDiff() + " > tolerance "
                + r.tolerance() + " " + r.reason());
    }
}
