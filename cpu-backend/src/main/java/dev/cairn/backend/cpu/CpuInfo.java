package dev.cairn.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CPU is called, for {@code bin/cairn devices}. */
final class CpuInfo {
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
}
