package dev.cairn.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CPU is called, for {@code bin/cairn devices}, and how large its caches are, for GEMM's blocking. */
final class CpuInfo {
    private static final Path CACHES = Path.of("/sys/devices/system/cpu/cpu0/cache");

    private CpuInfo() {
    }

    static String modelName() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /**
     * Bytes of the first core's level-{@code level} data (or unified) cache as Linux reports it under
     * {@code /sys/devices/system/cpu/cpu0/cache}, or -1 where that is not readable (another OS, a container
     * hiding it) or says nothing usable.
     */
    static long dataCacheBytes(int level) {
        try (var dirs = Files.list(CACHES)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("index"))
                    .filter(d -> read(d.resolve("level")).equals(String.valueOf(level)))
                    .filter(d -> !read(d.resolve("type")).equals("Instruction"))
                    .mapToLong(d -> parseSize(read(d.resolve("size"))))
                    .filter(b -> b > 0)
                    .findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A size as sysfs writes it ({@code 48K}, {@code 1024K}, {@code 32M}) in bytes, or -1 if it is not one. */
    static long parseSize(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        char unit = Character.toUpperCase(text.charAt(text.length() - 1));
        long scale = switch (unit) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = scale == 1 ? text : text.substring(0, text.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * scale;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
