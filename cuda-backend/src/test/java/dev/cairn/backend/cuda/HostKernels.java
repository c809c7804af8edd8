package dev.cairn.backend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds {@code cairn-kernel-host}: every kernel of {@code src/main/cuda/*.cu}, compiled for the host
 * CPU under {@code src/test/emu/cuda_host_emu.h}, plus the driver {@code src/test/emu/kernel_host.cpp}.
 * Each .cu file is its own translation unit (a generated wrapper includes it and registers each
 * {@code __global__} function by name), so a new kernel needs nothing here. The build is cached under
 * {@code target/kernel-host/<hash of the sources>}. The C++ compiler is {@code $CXX}, else {@code g++},
 * else {@code c++}; where none exists the tests that need it are skipped with that reason, and where
 * one exists a compile error fails them. Thread-safe (builds once per JVM).
 */
final class HostKernels {
    /** The module folder: the working directory under Maven, cuda-backend/ from the repository root. */
    private static final Path MODULE = Files.isDirectory(Path.of("src/main/cuda")) ? Path.of("")
            : Path.of("cuda-backend");
    private static final Path CUDA_SOURCES = MODULE.resolve("src/main/cuda");
    private static final Path EMU_SOURCES = MODULE.resolve("src/test/emu");
    private static final Pattern KERNEL = Pattern.compile(
            "__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(\\w+)\\s*\\(");

    private static Path executable;
    private static String unavailable;

    private HostKernels() {
    }

    /** The driver executable; skips the calling test (with the reason) where no C++ compiler is present. */
    static synchronized Path executable() {
        if (executable == null && unavailable == null) {
            build();
        }
        Assumptions.assumeTrue(unavailable == null, () -> "CUDA kernels not run on the host: " + unavailable);
        return executable;
    }

    /** The kernel names each .cu file defines, in file order. */
    static List<String> kernelNames(Path cu) throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = KERNEL.matcher(Files.readString(cu));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static List<Path> cudaSources() throws IOException {
        try (Stream<Path> s = Files.list(CUDA_SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static void build() {
        if (!Files.isDirectory(CUDA_SOURCES) || !Files.isRegularFile(EMU_SOURCES.resolve("kernel_host.cpp"))) {
            unavailable = "the kernel sources are not here (" + CUDA_SOURCES.toAbsolutePath()
                    + "); run from the repository or the cuda-backend module";
            return;
        }
        String compiler = findCompiler();
        if (compiler == null) {
            unavailable = "no C++ compiler ($CXX, g++ or c++) on the PATH; install g++ to run them";
            return;
        }
        try {
            List<Path> inputs = new ArrayList<>(cudaSources());
            try (Stream<Path> s = Files.list(CUDA_SOURCES)) {
                s.filter(p -> p.toString().endsWith(".cuh")).sorted().forEach(inputs::add);
            }
            inputs.add(EMU_SOURCES.resolve("cuda_host_emu.h"));
            inputs.add(EMU_SOURCES.resolve("kernel_host.cpp"));
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(compiler.getBytes(StandardCharsets.UTF_8));
            for (Path p : inputs) {
                md.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(p));
            }
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path dir = MODULE.resolve("target").resolve("kernel-host").resolve(hash).toAbsolutePath();
            Path exe = dir.resolve("cairn-kernel-host");
            if (Files.isExecutable(exe)) {
                executable = exe;
                return;
            }
            Files.createDirectories(dir);
            List<String> cmd = new ArrayList<>(List.of(compiler, "-std=c++17", "-O2", "-g", "-Wall",
                    "-Wno-unknown-pragmas", "-Wno-unused-function", "-I", CUDA_SOURCES.toAbsolutePath().toString(),
                    "-I", EMU_SOURCES.toAbsolutePath().toString(),
                    "-include", EMU_SOURCES.resolve("cuda_host_emu.h").toAbsolutePath().toString()));
            for (Path cu : cudaSources()) {
                StringBuilder w = new StringBuilder("#include \"" + cu.toAbsolutePath() + "\"\n");
                for (String k : kernelNames(cu)) {
                    w.append("CAIRN_EMU_REGISTER(").append(k).append(")\n");
                }
                Path wrapper = dir.resolve("emu_" + cu.getFileName().toString().replace(".cu", ".cpp"));
                Files.writeString(wrapper, w.toString());
                cmd.add(wrapper.toString());
            }
            cmd.add(EMU_SOURCES.resolve("kernel_host.cpp").toAbsolutePath().toString());
            Path tmp = dir.resolve("cairn-kernel-host.tmp");
            cmd.addAll(List.of("-o", tmp.toString()));
            Path log = dir.resolve("build.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("building the host kernels took over 10 minutes: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("the CUDA kernels do not compile for the host emulation (exit "
                        + p.exitValue() + "):\n" + String.join(" ", cmd) + "\n" + Files.readString(log));
            }
            Files.move(tmp, exe);
            executable = exe;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String findCompiler() {
        String cxx = System.getenv("CXX");
        List<String> candidates = new ArrayList<>();
        if (cxx != null && !cxx.isBlank()) {
            candidates.add(cxx.trim());
        }
        candidates.add("g++");
        candidates.add("c++");
        for (String c : candidates) {
            if (c.contains("/") ? Files.isExecutable(Path.of(c)) : onPath(c)) {
                return c;
            }
        }
        return null;
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
