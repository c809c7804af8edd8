package dev.cairn.backend.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a cuBLAS runtime of a given major version ({@code libcublas.so.12}, {@code libcublas.so.13}) is
 * on this host, and how it was found, for the backend's choice of GEMM path and for
 * {@code bin/cairn devices}. Looks, in this order: the folders of {@code -Dcairn.cuda.libraryPath}
 * (path-separated); {@code $CUDA_HOME} and {@code $CUDA_PATH} ({@code lib64}, {@code lib},
 * {@code targets/x86_64-linux/lib}); the {@code nvidia/cu<major>/lib} and {@code nvidia/cublas/lib}
 * folders of pip's {@code nvidia-cublas} wheels in the active virtual or conda environment, the user's
 * and the system's Python site folders; then the dynamic loader's folders ({@code $LD_LIBRARY_PATH},
 * {@code /usr/local/cuda/lib64}, the multiarch and plain library folders). A hit needs
 * {@code libcublas.so.<major>} and {@code libcublasLt.so.<major>} side by side (cuBLAS loads cuBLASLt).
 * Pure file-system checks: no library is loaded. Thread-safe (immutable).
 */
final class CublasLocator {
    /** The system property naming extra folders to search first. */
    static final String LIBRARY_PATH_PROPERTY = "cairn.cuda.libraryPath";

    /** One folder holding the cuBLAS runtime, and the rule that found it. */
    record Found(int major, Path cublas, Path cublasLt, String source) {
        @Override
        public String toString() {
            return cublas + " (" + source + ")";
        }
    }

    private final Function<String, String> env;
    private final Function<String, String> props;
    private final Path root;

    /** A locator over this process's environment, system properties and file system. */
    static CublasLocator system() {
        return new CublasLocator(System::getenv, System::getProperty, Path.of("/"));
    }

    /**
     * @param env   environment lookup
     * @param props system property lookup
     * @param root  the file-system root fixed folders are resolved against (tests use a temporary folder)
     */
    CublasLocator(Function<String, String> env, Function<String, String> props, Path root) {
        this.env = Objects.requireNonNull(env);
        this.props = Objects.requireNonNull(props);
        this.root = Objects.requireNonNull(root);
    }

    /** The first folder holding cuBLAS {@code major}, or null; see the class comment for the order. */
    Found find(int major) {
        for (Map.Entry<Path, String> c : candidates(major).entrySet()) {
            Path lib = c.getKey().resolve("libcublas.so." + major);
            Path lt = c.getKey().resolve("libcublasLt.so." + major);
            if (Files.isRegularFile(lib) && Files.isRegularFile(lt)) {
                return new Found(major, lib, lt, c.getValue());
            }
        }
        return null;
    }

    /** Every folder searched for {@code major}, in order, with its rule (for messages). */
    Map<Path, String> candidates(int major) {
        Map<Path, String> out = new LinkedHashMap<>();
        String extra = props.apply(LIBRARY_PATH_PROPERTY);
        if (extra != null) {
            for (String d : extra.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    out.putIfAbsent(Path.of(d.trim()), "-D" + LIBRARY_PATH_PROPERTY);
                }
            }
        }
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = env.apply(var);
            if (home != null && !home.isBlank()) {
                Path h = Path.of(home.trim());
                for (String sub : new String[] {"lib64", "lib", "targets/x86_64-linux/lib"}) {
                    out.putIfAbsent(h.resolve(sub), "$" + var);
                }
            }
        }
        for (Path site : pythonSiteFolders()) {
            out.putIfAbsent(site.resolve("nvidia/cu" + major + "/lib"), "pip nvidia-cublas wheel in " + site);
            out.putIfAbsent(site.resolve("nvidia/cublas/lib"), "pip nvidia-cublas wheel in " + site);
        }
        String ld = env.apply("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    out.putIfAbsent(Path.of(d.trim()), "$LD_LIBRARY_PATH");
                }
            }
        }
        for (String d : new String[] {"usr/local/cuda/lib64", "usr/local/cuda-" + major + "/lib64",
            "usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib64", "usr/lib", "usr/local/lib"}) {
            out.putIfAbsent(root.resolve(d), "system library folder");
        }
        return out;
    }

    /** site-packages / dist-packages folders of the active environment, the user and the system. */
    private List<Path> pythonSiteFolders() {
        List<Path> prefixes = new ArrayList<>();
        for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String p = env.apply(var);
            if (p != null && !p.isBlank()) {
                prefixes.add(Path.of(p.trim()).resolve("lib"));
            }
        }
        String home = env.apply("HOME");
        if (home != null && !home.isBlank()) {
            prefixes.add(Path.of(home.trim()).resolve(".local/lib"));
        }
        prefixes.add(root.resolve("usr/local/lib"));
        prefixes.add(root.resolve("usr/lib"));
        List<Path> sites = new ArrayList<>();
        for (Path prefix : prefixes) {
            if (!Files.isDirectory(prefix)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(prefix, "python3*")) {
                List<Path> pythons = new ArrayList<>();
                ds.forEach(pythons::add);
                pythons.sort(null);
                for (Path py : pythons) {
                    for (String s : new String[] {"site-packages", "dist-packages"}) {
                        if (Files.isDirectory(py.resolve(s))) {
                            sites.add(py.resolve(s));
                        }
                    }
                }
            } catch (IOException e) {
                // an unreadable folder holds nothing we can load
            }
        }
        return sites;
    }
}
