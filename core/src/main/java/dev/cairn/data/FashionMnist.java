package dev.cairn.data;

import dev.cairn.CairnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST (Zalando's 70,000 28x28 grey images of clothing in 10 classes, the data set D2L trains
 * LeNet on), read from its four IDX files, like {@code torchvision.datasets.FashionMNIST} with
 * {@code ToTensor()}: images become float features of shape {@code [1, 28, 28]} scaled to [0, 1]
 * ({@code pixel / 255}), labels float class indices 0..9 (see {@link #CLASSES}).
 *
 * <p>A directory holds {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each plain or gzip-compressed
 * ({@code .gz}, as released). Debian's {@code dataset-fashion-mnist} package installs them in
 * {@link #DEBIAN_DIR}.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names by label, as torchvision lists them. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** How to get the files, for error messages. */
    public static final String HOW_TO_GET = "install Debian's package (sudo apt-get install dataset-fashion-mnist: "
            + "files in " + DEBIAN_DIR + ") or download the four files from "
            + "https://github.com/zalandoresearch/fashion-mnist (data/fashion) into the directory";

    private FashionMnist() {
    }

    /** The 60,000 training examples in {@code dir}. */
    public static ArrayDataset train(Path dir) {
        return load(dir, "train");
    }

    /** The 10,000 test examples in {@code dir}. */
    public static ArrayDataset test(Path dir) {
        return load(dir, "t10k");
    }

    /** The files {@link #train} and {@link #test} need that are missing from {@code dir} (plain or .gz); empty when all are there. */
    public static List<String> missingFiles(Path dir) {
        return Arrays.stream(new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte"}).filter(n -> find(dir, n) == null).toList();
    }

    private static Path find(Path dir, String name) {
        for (Path p : new Path[] {dir.resolve(name), dir.resolve(name + ".gz")}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Reads the {@code split} ("train" or "t10k") images and labels of {@code dir}. */
    private static ArrayDataset load(Path dir, String split) {
        Path imagesFile = find(dir, split + "-images-idx3-ubyte");
        Path labelsFile = find(dir, split + "-labels-idx1-ubyte");
        if (imagesFile == null || labelsFile == null) {
            throw new CairnException("Fashion-MNIST " + split + " files not found in " + dir + " (looked for "
                    + split + "-images-idx3-ubyte[.gz] and " + split + "-labels-idx1-ubyte[.gz]); " + HOW_TO_GET);
        }
        IdxFile images = IdxFile.read(imagesFile);
        IdxFile labels = IdxFile.read(labelsFile);
        int[] d = images.dims();
        if (images.type() != IdxFile.Type.UBYTE || d.length != 3 || d[1] != 28 || d[2] != 28) {
            throw new CairnException(imagesFile + " is not a Fashion-MNIST image file: expected ubyte images of shape"
                    + " [N, 28, 28], got " + images.type() + " " + Arrays.toString(d));
        }
        int[] l = labels.dims();
        if (labels.type() != IdxFile.Type.UBYTE || l.length != 1 || l[0] != d[0]) {
            throw new CairnException(labelsFile + " does not match " + imagesFile + ": expected " + d[0]
                    + " ubyte labels, got " + labels.type() + " " + Arrays.toString(l));
        }
        float[] y = labels.toFloats(1f);
        for (int i = 0; i < y.length; i++) {
            if (y[i] > 9) {
                throw new CairnException(labelsFile + ": label " + i + " is " + (int) y[i] + ", not a class in 0..9");
            }
        }
        // ToTensor: pixel / 255 (a division, as torchvision does, so values equal PyTorch's exactly)
        float[] x = images.toFloats(1f);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] / 255f;
        }
        return new ArrayDataset(x, new int[] {1, 28, 28}, y, new int[0]);
    }
}
