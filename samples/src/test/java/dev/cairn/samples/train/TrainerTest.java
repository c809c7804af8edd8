package dev.cairn.samples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Parameter;
import dev.cairn.samples.Cli;
import dev.cairn.CairnException;
import dev.cairn.Device;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training sample, at a reduced size: data sets, the trainer and {@code cairn train}. */
class TrainerTest {
    @Test
    void spiralIsDeterministicAndSeedDependent() {
        Dataset a = SyntheticData.spiral(20, 3, 0.2f, 1);
        Dataset b = SyntheticData.spiral(20, 3, 0.2f, 1);
        Dataset c = SyntheticData.spiral(20, 3, 0.2f, 2);
        assertEquals(60, a.n());
        assertEquals(3, a.classes());
        assertArrayEquals(a.x(), b.x());
        assertFalse(java.util.Arrays.equals(a.x(), c.x()));
        int[] counts = new int[3];
        for (float y : a.y()) {
            counts[(int) y]++;
        }
        assertArrayEquals(new int[] {20, 20, 20}, counts);
        for (float v : a.x()) {
            assertTrue(Math.abs(v) <= 1.0f);
        }
        Dataset m = SyntheticData.moons(51, 0.1f, 3);
        assertEquals(51, m.n());
        assertEquals(2, m.classes());
        assertThrows(CairnException.class, () -> SyntheticData.spiral(10, 1, 0.2f, 0));
    }

    @Test
    void spiralReachesHighTrainingAccuracy() {
        Dataset data = SyntheticData.spiral(40, 3, 0.2f, 0);
        List<Trainer.Progress> progress = new ArrayList<>();
        Trainer.Result r = Trainer.train(data, new Trainer.Config(100, 0.01, 0, 64, 0, 25, Device.cpu()), progress::add);
        assertTrue(r.accuracy() >= 0.95, "training accuracy " + r.accuracy() + ", loss " + r.loss());
        assertTrue(r.loss() < 0.2, "loss " + r.loss());
        assertEquals(100, r.steps());
        // progress at epochs 1, 25, 50, 75, 100, with the loss going down
        assertEquals(List.of(1, 25, 50, 75, 100), progress.stream().map(Trainer.Progress::epoch).toList());
        assertTrue(progress.get(4).loss() < progress.get(0).loss() / 5);
        for (Parameter p : r.model().parameters()) {
            assertNull(p.grad());
        }
        assertTrue(r.seconds() > 0 && Double.isFinite(r.seconds()), "measured time " + r.seconds() + " s");
    }

    @Test
    void miniBatchMoonsReachesHighTrainingAccuracyAndIsReproducible() {
        Dataset data = SyntheticData.moons(100, 0.1f, 4);
        Trainer.Config config = new Trainer.Config(20, 0.01, 16, 32, 5, 0, Device.cpu());
        Trainer.Result r1 = Trainer.train(data, config, null);
        Trainer.Result r2 = Trainer.train(data, config, null);
        assertTrue(r1.accuracy() >= 0.95, "training accuracy " + r1.accuracy());
        assertEquals(20 * 7, r1.steps());
        assertEquals(r1.loss(), r2.loss(), 0.0, "same seed, same result");
    }

    @Test
    void configRejectsBadValues() {
        assertThrows(CairnException.class, () -> new Trainer.Config(0, 0.01, 0, 8, 0, 0, Device.cpu()));
        assertThrows(CairnException.class, () -> new Trainer.Config(1, -0.01, 0, 8, 0, 0, Device.cpu()));
        assertThrows(CairnException.class, () -> new Trainer.Config(1, 0.01, -1, 8, 0, 0, Device.cpu()));
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainCommandPrintsProgressAndTheResult() {
        Run r = cli("train", "--device", "cpu", "--points", "120", "--epochs", "100", "--log-every", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("data: spiral, 120 points, 3 classes"), r.out());
        assertTrue(r.out().contains("epoch   1/100  loss "), r.out());
        assertTrue(r.out().contains("epoch  50/100  loss "), r.out());
        assertTrue(r.out().contains("epoch 100/100  loss "), r.out());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.matches("final loss \\d+\\.\\d{4}, training accuracy \\d+\\.\\d% \\(\\d+/120 points\\) after 100 epochs"
                + " \\(100 steps\\) in \\d+\\.\\d\\d s"), last);
        double acc = Double.parseDouble(last.replaceAll(".*training accuracy (\\d+\\.\\d)%.*", "$1"));
        assertTrue(acc >= 95, last);
    }

    @Test
    void trainCommandUsageErrors() {
        for (String[] args : List.of(new String[] {"train", "--data", "circles"}, new String[] {"train", "--epochs", "0"},
                new String[] {"train", "--epochs", "x"}, new String[] {"train", "--lr", "-1"},
                new String[] {"train", "--arms", "1"}, new String[] {"train", "--points", "2"},
                new String[] {"train", "--batch-size", "-3"})) {
            Run r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("error: "), r.err());
            assertEquals("", r.out());
        }
    }
}
