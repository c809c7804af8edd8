package dev.cairn.samples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cairn.data.ArrayDataset;
import dev.cairn.data.FashionMnist;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.samples.Cli;
import dev.cairn.samples.models.Models;
import dev.cairn.Device;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST from the committed subset: loading as torchvision does, and {@code cairn train --data fashion-mnist}. */
class FashionMnistTrainingTest {
    @TempDir
    Path tmp;

    static Path subset() throws Exception {
        return Path.of(FashionMnistTrainingTest.class.getResource("/fashion-mnist-subset/reference.json").toURI()).getParent();
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString().replace("\r\n", "\n"), err.toString());
    }

    /** reference.json of one split: lists of numbers by name. */
    private static Map<String, List<Double>> reference(String split) throws Exception {
        Map<String, List<Double>> out = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(subset().resolve("reference.json").toFile())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String s = p.currentName();
                p.nextToken();
                if (!s.equals(split)) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    List<Double> values = new ArrayList<>();
                    if (p.nextToken() == JsonToken.START_ARRAY) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            values.add(p.getDoubleValue());
                        }
                    } else {
                        values.add(p.getDoubleValue());
                    }
                    out.put(k, values);
                }
            }
        }
        return out;
    }

    @Test
    void imagesAndLabelsEqualTorchvisionsToTensor() throws Exception {
        for (String split : new String[] {"train", "t10k"}) {
            ArrayDataset ds = split.equals("train") ? FashionMnist.train(subset()) : FashionMnist.test(subset());
            Map<String, List<Double>> ref = reference(split);
            assertEquals(ref.get("count").get(0).intValue(), ds.size());
            assertArrayEquals(new int[] {1, 28, 28}, ds.featureShape());
            int[] counts = new int[10];
            float[] label = new float[1];
            for (int i = 0; i < ds.size(); i++) {
                ds.copyTarget(i, label, 0);
                counts[(int) label[0]]++;
                if (i < 16) {
                    assertEquals(ref.get("labels_head").get(i).floatValue(), label[0], split + " label " + i);
                }
            }
            assertArrayEquals(ref.get("label_counts").stream().mapToInt(Double::intValue).toArray(), counts);
            float[] image = new float[784];
            int[] which = {0, 1, ds.size() - 1};
            for (int k = 0; k < 3; k++) {
                ds.copyFeatures(which[k], image, 0);
                double sum = 0;
                for (float v : image) {
                    sum += v;
                }
                assertEquals(ref.get("pixel_sums").get(k), sum, 1e-9, split + " image " + which[k]);
            }
            ds.copyFeatures(0, image, 0);
            for (int c = 0; c < 28; c++) {
                assertEquals(ref.get("image0_row14").get(c).floatValue(), image[14 * 28 + c], 0f); // bit-exact x / 255
            }
        }
    }

    private static final Pattern EPOCH = Pattern.compile(
            "epoch (\\d)/2 \\[#{24}\\] 8/8  loss (\\d+\\.\\d{4})  train acc \\d+\\.\\d\\d%  \\d+ images/s  elapsed \\d+:\\d\\d"
                    + "  remaining \\d+:\\d\\d");
    private static final Pattern ACCURACY = Pattern.compile("test accuracy (\\d+\\.\\d\\d)% \\((\\d+)/256\\)");

    @Test
    void trainPrintsProgressSavesTheModelAndEndsWithTheTestAccuracy() throws Exception {
        Path saved = tmp.resolve("mlp.safetensors");
        Run r = run("train", "--data", "fashion-mnist", "--model", "mlp-fashion", "--data-dir", subset().toString(),
                "--epochs", "2", "--batch-size", "64", "--lr", "0.1", "--seed", "3", "--device", "cpu",
                "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[0].startsWith("data: Fashion-MNIST, 512 training and 256 test images"), lines[0]);
        List<String> losses = new ArrayList<>();
        for (int e = 1; e <= 2; e++) {
            Matcher m = EPOCH.matcher(lines[e]);
            assertTrue(m.matches(), lines[e]);
            losses.add(m.group(2));
        }
        assertTrue(Double.parseDouble(losses.get(1)) < Double.parseDouble(losses.get(0)), "the loss falls: " + losses);
        assertTrue(lines[3].startsWith("saved the trained model's state dict to "), lines[3]);
        Matcher acc = ACCURACY.matcher(lines[lines.length - 1]);
        assertTrue(acc.matches(), lines[lines.length - 1]);
        int correct = Integer.parseInt(acc.group(2));
        // 10 classes: chance is about 26/256; two epochs over 512 images reach well above it
        assertTrue(correct > 100, "correct: " + correct);
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", 100.0 * correct / 256), acc.group(1));

        // the saved state dict has PyTorch's keys and reproduces the accuracy
        Module fresh = Models.mlpFashion();
        ModuleFiles.load(fresh, saved);
        assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias"), List.copyOf(fresh.stateDict().keySet()));
        assertEquals(correct, ImageTraining.evaluate(fresh, FashionMnist.test(subset()), Device.cpu())[0]);

        // the same seed gives the same run
        Run again = run("train", "--data", "fashion-mnist", "--model", "mlp-fashion", "--data-dir", subset().toString(),
                "--epochs", "2", "--batch-size", "64", "--lr", "0.1", "--seed", "3", "--device", "cpu");
        String[] againLines = again.out().strip().split("\n");
        for (int e = 1; e <= 2; e++) {
            Matcher m = EPOCH.matcher(againLines[e]);
            assertTrue(m.matches(), againLines[e]);
            assertEquals(losses.get(e - 1), m.group(2));
        }
        assertEquals(lines[lines.length - 1], againLines[againLines.length - 1]);
    }

    /** {@code --optimizer adam}: Adam at PyTorch's default rate unless --lr, named in the header; the loss falls. */
    @Test
    void adamTrainsAtItsOwnDefaultRate() throws Exception {
        Run r = run("train", "--data", "fashion-mnist", "--model", "mlp-fashion", "--data-dir", subset().toString(),
                "--epochs", "2", "--batch-size", "64", "--optimizer", "adam", "--seed", "3", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[0].contains("; Adam lr 0.001, batch size 64, 2 epochs;"), lines[0]);
        Matcher first = EPOCH.matcher(lines[1]);
        Matcher second = EPOCH.matcher(lines[2]);
        assertTrue(first.matches() && second.matches(), lines[1] + "\n" + lines[2]);
        assertTrue(Double.parseDouble(second.group(2)) < Double.parseDouble(first.group(2)), r.out());
        assertTrue(ACCURACY.matcher(lines[lines.length - 1]).matches(), lines[lines.length - 1]);
        // not the SGD run: a different first epoch from the same seed
        Run sgd = run("train", "--data", "fashion-mnist", "--model", "mlp-fashion", "--data-dir", subset().toString(),
                "--epochs", "2", "--batch-size", "64", "--lr", "0.001", "--seed", "3", "--device", "cpu");
        Matcher sgdFirst = EPOCH.matcher(sgd.out().strip().split("\n")[1]);
        assertTrue(sgdFirst.matches(), sgd.out());
        assertNotEquals(first.group(2), sgdFirst.group(2), "Adam and SGD at the same rate gave the same loss");
    }

    @Test
    void badOptimizerOptionsAreUsageErrors() throws Exception {
        Run r = run("train", "--data", "fashion-mnist", "--data-dir", subset().toString(), "--optimizer", "rmsprop");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--optimizer must be sgd or adam, got 'rmsprop'"), r.err());
        Run spiral = run("train", "--optimizer", "sgd");
        assertEquals(2, spiral.code(), spiral.out());
        assertTrue(spiral.err().contains("--optimizer are for --data fashion-mnist"), spiral.err());
    }

    @Test
    void missingFilesSayHowToGetThem() throws Exception {
        Files.copy(subset().resolve("t10k-labels-idx1-ubyte"), tmp.resolve("t10k-labels-idx1-ubyte"));
        Run r = run("train", "--data", "fashion-mnist", "--model", "mlp-fashion", "--data-dir", tmp.toString());
        assertEquals(1, r.code());
        String[] err = r.err().strip().split("\n");
        assertEquals(1, err.length, r.err());
        assertTrue(err[0].startsWith("error: Fashion-MNIST not found in " + tmp) && err[0].contains("train-images-idx3-ubyte")
                && !err[0].contains("t10k-labels") && err[0].contains("apt-get install dataset-fashion-mnist")
                && err[0].contains("https://github.com/zalandoresearch/fashion-mnist") && err[0].contains("--data-dir"), err[0]);
    }

    @Test
    void unknownModelsAreClearErrors() throws Exception {
        Run r = run("train", "--data", "fashion-mnist", "--model", "nope", "--data-dir", subset().toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown model 'nope'"), r.err());
        r = run("train", "--data", "spiral", "--save", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--data fashion-mnist"), r.err());
    }
}
