package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.samples.cli.Tolerance;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The four reference models of {@code reference_models.py} (convnet, encoder, zoo, lenet) against the
 * cases PyTorch 1.13 made from them ({@code ../shared/golden-models}, eval mode): output and every
 * gradient within the golden tolerance, on each device present; and their {@code print(model)} text.
 */
class ReferenceModelsTest {
    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        Path root = Path.of(ReferenceModelsTest.class.getResource("/golden-models").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(root)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertEquals(16, files.size());
        return Stream.of(Device.cpu(), Device.cuda(0)).flatMap(d -> files.stream().map(f -> Arguments.of(d, f)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardAndGradientsMatchPyTorch(Device device, Path file) {
        Map<String, Tensor> c = GoldenConformanceTest.readCase(device, file);
        Map<String, Tensor> state = GoldenConformanceTest.stateDictOf(c);
        Module model = Models.get(GoldenConformanceTest.modelName(file)).create();
        model.loadStateDict(state, true);
        model.eval().to(device);
        Tensor x = c.get("input");
        boolean floatInput = x.dtype().isFloatingPoint();
        if (floatInput) {
            x = x.detach().requiresGrad(true);
        }
        Tensor y = model.call(x);
        assertClose(file, "output", c.get("output"), y);
        y.backward(c.get("grad.output"));
        if (floatInput) {
            assertClose(file, "grad.input", c.get("grad.input"), x.grad());
        } else {
            assertEquals(null, c.get("grad.input"), "integer inputs have no gradient");
        }
        int checked = 0;
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (e.getValue() instanceof Parameter p) {
                Tensor expected = c.get("grad." + e.getKey());
                assertNotNull(expected, file + " lacks grad." + e.getKey());
                assertClose(file, "grad." + e.getKey(), expected,
                        p.grad() == null ? Tensor.zeros(p.shape()).to(device) : p.grad());
                checked++;
            } else {
                assertEquals(null, c.get("grad." + e.getKey()), "buffers have no gradient");
                assertEquals(e.getValue().dtype(), c.get(e.getKey()).dtype(), e.getKey() + " keeps its dtype");
            }
        }
        assertTrue(checked > 0);
    }

    @Test
    void printsExactlyWhatPyTorchPrints() throws IOException {
        String expected;
        try (InputStream in = ReferenceModelsTest.class.getResourceAsStream("/describe/reference-models.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder actual = new StringBuilder();
        for (String name : List.of("convnet", "encoder", "zoo", "lenet")) {
            actual.append("== ").append(name).append('\n').append(Models.get(name).create()).append('\n');
        }
        assertEquals(expected, actual.toString());
    }

    private static void assertClose(Path file, String key, Tensor expected, Tensor actual) {
        assertNotNull(actual, file.getFileName() + ": no value for " + key);
        Tolerance.Result r = Tolerance.compare(expected, actual);
        assertTrue(r.ok(), () -> file.getFileName() + " " + key + ": max |diff| " + r.maxDiff() + " > tolerance "
                + r.tolerance() + " " + r.reason());
    }
}
