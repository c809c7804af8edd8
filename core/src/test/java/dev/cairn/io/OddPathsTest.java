package dev.cairn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd paths as inputs and outputs: anything but a regular file is refused up front with an error that
 * says what it is (never a block on a FIFO or a misleading "0 bytes"), and a write never replaces a
 * FIFO, a device or a symbolic link. The timeouts only guard against the blocking this prevents.
 */
class OddPathsTest {
    private static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo is not available: " + e.getMessage());
            throw e;
        }
        assumeTrue(mk.waitFor(60, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo failed");
        return p;
    }

    private static SafeTensorsException readFails(Path p) {
        return assertTimeoutPreemptively(GUARD, () -> assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p)),
                "reading " + p + " blocked");
    }

    @Test
    void aFifoInputIsRefusedWithoutBlocking() throws Exception {
        Path p = fifo("case.safetensors");
        try {
            SafeTensorsException e = readFails(p);
            assertTrue(e.getMessage().contains("FIFO") && e.getMessage().contains(p.toString()), e.getMessage());
        } finally {
            // release a reader stuck in open() (only before the fix): opening read-write never blocks on Linux
            try (var w = java.nio.channels.FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // nothing to write
            } catch (IOException ignored) {
                // no reader left: nothing to release
            }
        }
    }

    @Test
    void devicesProcFilesAndDirectoriesAreRefusedSayingWhatTheyAre() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        assertTrue(readFails(zero).getMessage().contains("character device"));
        Path status = Path.of("/proc/self/status");
        if (Files.exists(status)) {
            SafeTensorsException e = readFails(status);
            assertTrue(e.getMessage().contains("'proc' pseudo file system"), e.getMessage());
        }
        assertTrue(readFails(dir).getMessage().contains("a directory"));
        // a plain missing file keeps its usual message
        assertTrue(readFails(dir.resolve("missing.safetensors")).getMessage().contains("no such file"));
    }

    @Test
    void aFifoOutputIsNeitherReplacedNorOpened() throws Exception {
        Path p = fifo("out.safetensors");
        SafeTensorsException e = assertTimeoutPreemptively(GUARD, () -> assertThrows(SafeTensorsException.class,
                () -> SafeTensorsWriter.write(p, List.of(SafeTensorsWriter.Item.of("x", new float[] {1}, 1)), null)));
        assertTrue(e.getMessage().contains("FIFO") && e.getMessage().contains("regular files or new paths"), e.getMessage());
        assertTrue(Files.exists(p) && !Files.isRegularFile(p), "the FIFO was replaced by a regular file");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aSymlinkOutputUpdatesItsTargetAndStaysALink() throws Exception {
        Path real = dir.resolve("real.safetensors");
        SafeTensorsWriter.write(real, List.of(SafeTensorsWriter.Item.of("old", new float[] {1}, 1)), null);
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
        SafeTensorsWriter.write(link, List.of(SafeTensorsWriter.Item.of("new", new float[] {2, 3}, 2)), null);
        assertTrue(Files.isSymbolicLink(link), "the symbolic link was replaced by a regular file");
        try (SafeTensorsReader r = SafeTensorsReader.open(real)) {
            assertArrayEquals(new float[] {2, 3}, r.read("new"));
        }
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.safetensors"), dir.resolve("nowhere"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensorsWriter.write(dangling, List.of(SafeTensorsWriter.Item.of("x", new float[] {1}, 1)), null));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(dangling) && !Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void aDirectoryOutputIsRefused() {
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensorsWriter.write(dir, List.of(SafeTensorsWriter.Item.of("x", new float[] {1}, 1)), null));
        assertTrue(e.getMessage().contains("a directory"), e.getMessage());
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void anOutputThatIsTheInputThroughAnyLinkIsRefused() throws Exception {
        Path in = dir.resolve("in.safetensors");
        SafeTensorsWriter.write(in, List.of(SafeTensorsWriter.Item.of("x", new float[] {1}, 1)), Map.of());
        Path sym = Files.createSymbolicLink(dir.resolve("sym.safetensors"), in);
        Path hard = Files.createLink(dir.resolve("hard.safetensors"), in);
        for (Path out : List.of(in, sym, hard, dir.resolve(".").resolve("in.safetensors"))) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class,
                    () -> FileChecks.requireDistinct(out, "--out", in, "--case"));
            assertTrue(e.getMessage().contains("same file as --case"), e.getMessage());
        }
        FileChecks.requireDistinct(dir.resolve("other.safetensors"), "--out", in, "--case"); // new path: fine
    }
}
