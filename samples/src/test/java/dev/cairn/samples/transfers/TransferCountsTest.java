package dev.cairn.samples.transfers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Devices;
import dev.cairn.nn.CallListener;
import dev.cairn.nn.Dropout;
import dev.cairn.nn.F;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.optim.Adam;
import dev.cairn.nn.optim.Optimizer;
import dev.cairn.nn.optim.SGD;
import dev.cairn.samples.models.FixedHiddenMLP;
import dev.cairn.samples.models.Models;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample model (the seed's and the reference models) on {@link CountingBackend}'s device: an
 * inference pass, and a training step (forward with its loss, backward, an SGD or Adam step) make no host
 * round trip of their own. The only host accesses allowed are the uploads of the input and the targets,
 * the download of the output (or the loss), and the {@code item()} calls FixedHiddenMLP's data-dependent
 * loop makes itself, as many as its loop runs (counted again on the CPU from the same values). Dropout in
 * training mode makes its mask on the device (the generator's counter-based stream), so it adds nothing; at
 * least one trained model has such a Dropout, so this stays covered.
 */
class TransferCountsTest {
    private static final Device DEVICE = Device.cuda(0);
    private static final int BATCH = 4;
    private static CountingBackend backend;

    @BeforeAll
    static void counting() {
        Assumptions.assumeTrue(Boolean.getBoolean("cairn.test.countingBackend"),
                "runs in this module's transfer-counts test run, where CountingBackend serves cuda:0");
        Devices.check(DEVICE); // makes the backends named by -Dcairn.backends
        backend = CountingBackend.current();
    }

    static Iterable<String> models() {
        return Models.names();
    }

    /**
     * The models trained here: all but {@code wide}, the benchmark model, which is {@code mlp}'s layers (Linear,
     * ReLU) at 21M parameters and takes over half a minute per training test on the CPU kernels; its inference
     * is counted above.
     */
    static Iterable<String> trainedModels() {
        List<String> names = new ArrayList<>();
        Models.names().forEach(names::add);
        names.remove("wide");
        return names;
    }

    /** The training tests cover dropout: some trained model has a Dropout that draws a mask in training mode. */
    @Test
    void aTrainedModelHasADropoutThatDrawsAMask() {
        List<String> withDropout = new ArrayList<>();
        for (String name : trainedModels()) {
            Module model = Models.get(name).create();
            model.apply(m -> {
                if (m instanceof Dropout d && d.p() > 0 && d.p() < 1 && !withDropout.contains(name)) {
                    withDropout.add(name);
                }
            });
        }
        assertTrue(!withDropout.isEmpty(), "no trained model has a Dropout with 0 < p < 1");
    }

    /** A kernel the counting backend does not forward would fail the models with "not supported", or count nothing. */
    @Test
    void theCountingBackendForwardsEveryKernelOfTheSpi() {
        List<String> missing = new java.util.ArrayList<>();
        for (java.lang.reflect.Method m : dev.cairn.backend.Backend.class.getMethods()) {
            if (m.isDefault() && !m.getName().equals("unsupported") && !m.getName().equals("memoryInUseBytes")) {
                try {
                    if (CountingBackend.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass()
                            != CountingBackend.class) {
                        missing.add(m.toString());
                    }
                } catch (NoSuchMethodException e) {
                    missing.add(m.toString());
                }
            }
        }
        assertEquals(List.of(), missing, "Backend methods CountingBackend does not override");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void inferenceUploadsTheInputAndDownloadsTheOutputOnly(String name) {
        Module model = Models.get(name).create().to(DEVICE).eval();
        Tensor input = input(name);
        ForwardCalls calls = new ForwardCalls();

        backend.reset();
        Tensor x = input.to(DEVICE);
        Tensor y;
        try (var g = GradMode.noGrad(); var l = Module.listenCalls(calls)) {
            y = model.call(x);
        }
        float[] out = y.toFloatArray();
        List<HostAccess> seen = backend.accesses();

        assertTrue(out.length > 0);
        List<String> expected = new ArrayList<>();
        expected.add("UPLOAD from test");
        expected.addAll(calls.expected());
        expected.add("DOWNLOAD from test");
        assertAccesses(expected, seen, name + " inference");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainedModels")
    void trainingWithSgdMakesNoHostRoundTrips(String name) {
        trainingStep(name, params -> new SGD(params, 0.01, 0.9, 1e-4), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainedModels")
    void trainingWithAdamMakesNoHostRoundTrips(String name) {
        trainingStep(name, params -> new Adam(params, 1e-3), true);
    }

    /**
     * Two steps (the first makes the optimizer's state): forward and loss, backward, step, zeroGrad. With
     * {@code ignoring}, class scores take cross-entropy with an ignored row and label smoothing, else the
     * plain {@code crossEntropy(logits, targets)}.
     */
    private void trainingStep(String name, Function<List<? extends Tensor>, Optimizer> optimizer, boolean ignoring) {
        Module model = Models.get(name).create().to(DEVICE).train();
        Optimizer opt = optimizer.apply(model.parameters());
        Tensor input = input(name);
        for (int step = 0; step < 2; step++) {
            ForwardCalls calls = new ForwardCalls();

            backend.reset();
            Tensor x = input.to(DEVICE);
            Tensor y;
            try (var l = Module.listenCalls(calls)) {
                y = model.call(x);
            }
            Tensor target = target(y, ignoring).to(DEVICE);
            Tensor loss = loss(y, target, ignoring);
            List<HostAccess> forward = backend.accesses();
            List<String> expected = new ArrayList<>();
            expected.add("UPLOAD from test");
            expected.addAll(calls.expected());
            expected.add("UPLOAD from test");
            assertAccesses(expected, forward, name + " forward and loss, step " + step);

            backend.reset();
            loss.backward();
            assertAccesses(List.of(), backend.accesses(), name + " backward, step " + step);

            backend.reset();
            opt.step();
            opt.zeroGrad();
            assertAccesses(List.of(), backend.accesses(), name + " " + opt.getClass().getSimpleName() + " step " + step);

            backend.reset();
            float value = loss.item();
            assertAccesses(List.of("DOWNLOAD from test"), backend.accesses(), name + " loss.item()");
            assertTrue(Float.isFinite(value), name + " loss " + value);
        }
    }

    /** A seeded input batch on the CPU; the encoder's token ids end in padding (0), as its golden inputs do. */
    private static Tensor input(String name) {
        Models.Spec spec = Models.get(name);
        Tensor x = spec.sampleInput(new Generator(17), BATCH);
        if (spec.inputType() == DType.INT64) {
            long[] ids = x.toLongArray();
            int t = spec.rowShape()[0];
            for (int i = 0; i < BATCH; i++) {
                for (int j = t - 1 - i; j < t && i > 0; j++) {
                    ids[i * t + j] = 0;
                }
            }
            x = Tensor.of(ids, x.shape());
        }
        return x;
    }

    /**
     * Targets on the CPU for the model's output {@code y}: class indices for class scores (row 1 with the
     * ignore_index -100 when {@code ignoring}), else values of {@code y}'s shape.
     */
    private static Tensor target(Tensor y, boolean ignoring) {
        int[] s = y.shape();
        if (s.length == 2 && s[1] > 1) {
            long[] classes = new long[s[0]];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = ignoring && i == 1 ? -100 : (3L * i + 1) % s[1];
            }
            return Tensor.of(classes, s[0]);
        }
        return Tensor.rand(new Generator(5), s);
    }

    private static Tensor loss(Tensor y, Tensor target, boolean ignoring) {
        int[] s = y.shape();
        if (s.length == 2 && s[1] > 1) {
            return ignoring ? Losses.crossEntropy(y, target, -100, 0.1f) : Losses.crossEntropy(y, target);
        }
        return Losses.mseLoss(y, target);
    }

    private static void assertAccesses(List<String> expected, List<HostAccess> seen, String what) {
        List<String> labels = seen.stream().map(TransferCountsTest::label).toList();
        assertEquals(expected, labels, () -> what + ": expected only the host accesses " + expected + ", saw:\n    "
                + seen.stream().map(HostAccess::describe).collect(Collectors.joining("\n    ")));
    }

    /** {@code UPLOAD from test}, {@code DOWNLOAD from FixedHiddenMLP.forward}, or the full origin otherwise. */
    private static String label(HostAccess a) {
        String from = a.origin().startsWith(TransferCountsTest.class.getName() + ".") ? "test"
                : a.from(FixedHiddenMLP.class, "forward") ? "FixedHiddenMLP.forward" : a.origin();
        return a.kind() + " from " + from;
    }

    /**
     * The calls of one forward pass that may touch the host, in order: each FixedHiddenMLP call with its input
     * (kept on the device, nothing is read), so that its loop can be run again on the CPU afterwards to count
     * its {@code item()} calls.
     */
    private static final class ForwardCalls implements CallListener {
        private final List<Map.Entry<Module, Tensor>> calls = new ArrayList<>();

        @Override
        public void enter(Module module, Tensor input) {
            if (module instanceof FixedHiddenMLP) {
                calls.add(Map.entry(module, input));
            }
        }

        @Override
        public void exit(Module module, Tensor input, Tensor output) {
        }

        /** The host accesses these calls make: an item() download per loop test. */
        List<String> expected() {
            List<String> out = new ArrayList<>();
            for (Map.Entry<Module, Tensor> call : calls) {
                int n = loopConditions(call.getKey(), call.getValue().to(Device.cpu()));
                for (int i = 0; i < n; i++) {
                    out.add("DOWNLOAD from FixedHiddenMLP.forward");
                }
            }
            return out;
        }

        /** FixedHiddenMLP's forward on the CPU from its own weights: how many times its loop tests its condition. */
        private static int loopConditions(Module fixed, Tensor input) {
            try (var g = GradMode.noGrad()) {
                Map<String, Tensor> s = fixed.stateDict();
                Tensor w = s.get("linear.weight").to(Device.cpu());
                Tensor b = s.get("linear.bias").to(Device.cpu());
                Tensor x = F.linear(input, w, b);
                x = F.relu(x.matmul(s.get("rand_weight").to(Device.cpu())).add(1));
                x = F.linear(x, w, b);
                int n = 1;
                while (x.abs().sum().item() > 1) {
                    x = x.div(2);
                    n++;
                }
                return n;
            }
        }
    }
}
