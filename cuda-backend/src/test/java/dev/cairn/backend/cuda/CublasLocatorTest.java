package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cuBLAS library search, over a file system laid out in a temporary folder. */
class CublasLocatorTest {
    @TempDir
    Path root;

    final Map<String, String> env = new HashMap<>();
    final Map<String, String> props = new HashMap<>();

    CublasLocator locator() {
        return new CublasLocator(env::get, props::get, root);
    }

    Path cublas(String folder, int major, boolean withLt) throws IOException {
        Path dir = root.resolve(folder);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("libcublas.so." + major), "");
        if (withLt) {
            Files.writeString(dir.resolve("libcublasLt.so." + major), "");
        }
        return dir;
    }

    @Test
    void nothingInstalledFindsNothing() {
        assertNull(locator().find(13));
        assertEquals("no libcublas.so.13 either", CudaRuntime.cublas13Note(locator()));
    }

    @Test
    void pipWheelOfCuda13InAVirtualEnvironment() throws IOException {
        Path lib = cublas("venv/lib/python3.12/site-packages/nvidia/cu13/lib", 13, true);
        env.put("VIRTUAL_ENV", root.resolve("venv").toString());
        CublasLocator.Found f = locator().find(13);
        assertEquals(lib.resolve("libcublas.so.13"), f.cublas());
        assertEquals(lib.resolve("libcublasLt.so.13"), f.cublasLt());
        assertTrue(f.source().startsWith("pip nvidia-cublas wheel"), f.source());
        assertNull(locator().find(12), "a CUDA 13 wheel is no cuBLAS 12");
    }

    @Test
    void systemPythonDistPackagesAndCuda12WheelLayout() throws IOException {
        cublas("usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib", 12, true);
        CublasLocator.Found f = locator().find(12);
        assertTrue(f.cublas().toString().contains("dist-packages/nvidia/cublas/lib"), f.toString());
    }

    @Test
    void theExplicitPropertyComesFirstThenCudaHomeThenTheLoaderFolders() throws IOException {
        Path sys = cublas("usr/lib/x86_64-linux-gnu", 13, true);
        assertEquals(sys.resolve("libcublas.so.13"), locator().find(13).cublas());
        assertEquals("system library folder", locator().find(13).source());
        Path home = cublas("opt/cuda-13.0/lib64", 13, true);
        env.put("CUDA_HOME", root.resolve("opt/cuda-13.0").toString());
        assertEquals(home.resolve("libcublas.so.13"), locator().find(13).cublas());
        assertEquals("$CUDA_HOME", locator().find(13).source());
        Path mine = cublas("my/libs", 13, true);
        props.put(CublasLocator.LIBRARY_PATH_PROPERTY, root.resolve("nowhere") + java.io.File.pathSeparator + mine);
        assertEquals(mine.resolve("libcublas.so.13"), locator().find(13).cublas());
        assertEquals("-D" + CublasLocator.LIBRARY_PATH_PROPERTY, locator().find(13).source());
        assertTrue(CudaRuntime.cublas13Note(locator()).contains(mine.toString()));
    }

    @Test
    void cublasWithoutCublasLtIsNotAHit() throws IOException {
        cublas("usr/lib64", 13, false);
        assertNull(locator().find(13));
    }

    @Test
    void cudaPathAndLdLibraryPathAreSearched() throws IOException {
        Path ld = cublas("ld/here", 13, true);
        env.put("LD_LIBRARY_PATH", "/definitely/missing" + java.io.File.pathSeparator + ld);
        assertEquals("$LD_LIBRARY_PATH", locator().find(13).source());
        Path cp = cublas("cudapath/targets/x86_64-linux/lib", 13, true);
        env.put("CUDA_PATH", root.resolve("cudapath").toString());
        assertEquals(cp.resolve("libcublas.so.13"), locator().find(13).cublas());
    }
}
