package dev.cairn.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the CPU is called, for {@code bin/cairn devices}, and how large its caches are, for GEMM's blocking. */
final class CpuInfo {
    private static final Path CACHES = Path.of("/sys/devices/system/cpu/cpu0/cache");

    private CpuInfo() {
    }

    /**
     * The first processor's model name from {@code /proc/cpuinfo} with its CPUID family and model where Linux gives
     * them ("AMD EPYC, family 25 model 17"): cloud hosts report bare names that hide which generation runs, and
     * GEMM's speed (and its blocking, see {@link #dataCacheBytes}) differs between them. The architecture's name
     * where there is no /proc/cpuinfo.
     */
    static String modelName() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return modelName(lines.toList());
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** {@link #modelName()} from the lines of a {@code /proc/cpuinfo}: the first processor's block only. */
    static String modelName(List<String> cpuinfo) {
        Map<String, String> first = new HashMap<>();
        for (String line : cpuinfo) {
            if (line.isBlank()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                first.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        String name = first.getOrDefault("model name", System.getProperty("os.arch"));
        return first.containsKey("cpu family") && first.containsKey("model")
                ? name + ", family " + first.get("cpu family") + " model " + first.get("model")
                : name;
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
