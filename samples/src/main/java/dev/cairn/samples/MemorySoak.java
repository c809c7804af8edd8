package dev.cairn.samples;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Devices;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Locale;

/**
 * A long inference loop that checks device memory stays bounded: {@code MemorySoak MODEL DEVICE
 * ITERATIONS scoped|unclosed}. "scoped" closes each pass's tensors with a TensorScope; "unclosed" closes
 * nothing and relies on the cleaner. Prints the backend's in-use bytes as it goes and exits 1 when the
 * memory held after the loop (and a GC) exceeds what one pass needs by more than a small margin, or
 * when it kept growing. Used by scripts/gpu-check.sh on a GPU machine.
 */
public final class MemorySoak {
    private MemorySoak() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4 || !(args[3].equals("scoped") || args[3].equals("unclosed"))) {
            System.err.println("usage: MemorySoak MODEL DEVICE ITERATIONS scoped|unclosed");
            System.exit(2);
        }
        Models.Spec spec = Models.get(args[0]);
        Device device = Devices.parse(args[1]);
        long iterations = Long.parseLong(args[2]);
        boolean scoped = args[3].equals("scoped");
        try {
            Devices.check(device);
        } catch (dev.cairn.CairnException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        Module model = spec.create().to(device).eval();
        Tensor x = spec.sampleInput(new Generator(1), 2).to(device);
        long start = Devices.memoryInUseBytes(device);
        long peak = start;
        long checkpoint = Math.max(1, iterations / 10);
        long t0 = System.nanoTime();
        try (var g = GradMode.noGrad()) {
            for (long i = 1; i <= iterations; i++) {
                if (scoped) {
                    try (TensorScope scope = TensorScope.open()) {
                        model.call(x);
                    }
                } else {
                    model.call(x);
                }
                long now = Devices.memoryInUseBytes(device);
                peak = Math.max(peak, now);
                if (i % checkpoint == 0) {
                    System.out.printf(Locale.ROOT, "%s %s: %d passes, %d bytes in use (start %d, peak %d), %.1f us/pass%n",
                            args[0], args[3], i, now, start, peak, (System.nanoTime() - t0) / 1e3 / i);
                }
            }
        }
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Devices.synchronize(device);
        long end = Devices.memoryInUseBytes(device);
        boolean bounded = start < 0 || end - start <= (1 << 20);
        System.out.printf(Locale.ROOT, "%s %s on %s: %d passes, bytes in use %d at start, %d peak, %d at the end: %s%n",
                args[0], args[3], device, iterations, start, peak, end,
                start < 0 ? "not tracked on this device" : bounded ? "bounded" : "GROWING");
        System.exit(bounded ? 0 : 1);
    }
}
