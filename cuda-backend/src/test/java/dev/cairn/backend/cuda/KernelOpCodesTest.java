package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.UnaryOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernels take an op as the ordinal of UnaryOp / BinaryOp / ReduceOp; the {@code #define}s in
 * src/main/cuda must match those ordinals exactly, one per enum constant (no GPU needed).
 */
class KernelOpCodesTest {

    static Map<String, Integer> defines(String file, String prefix) throws IOException {
        String src = Files.readString(cudaSource(file));
        Matcher m = Pattern.compile("(?m)^#define\\s+" + prefix + "([A-Z0-9_]+)\\s+(\\d+)\\s*$").matcher(src);
        Map<String, Integer> r = new TreeMap<>();
        while (m.find()) {
            r.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return r;
    }

    static <E extends Enum<E>> void check(Class<E> type, String file, String prefix) throws IOException {
        Map<String, Integer> d = defines(file, prefix);
        Map<String, Integer> expected = new TreeMap<>();
        for (E e : type.getEnumConstants()) {
            expected.put(e.name(), e.ordinal());
        }
        assertEquals(expected, d, prefix + "* op codes in " + file + " must equal the ordinals of " + type.getSimpleName());
    }

    @Test
    void unaryOpCodesMatchOrdinals() throws IOException {
        check(UnaryOp.class, "elementwise.cu", "U_");
    }

    @Test
    void binaryOpCodesMatchOrdinals() throws IOException {
        check(BinaryOp.class, "elementwise.cu", "B_");
    }

    @Test
    void reduceOpCodesMatchOrdinals() throws IOException {
        check(ReduceOp.class, "reduce.cu", "R_");
    }

    /** Every UnaryOp / BinaryOp has a case in the kernel's switch (a missing one silently yields NaN). */
    @Test
    void everyOpHasASwitchCase() throws IOException {
        String src = Files.readString(cudaSource("elementwise.cu"));
        for (UnaryOp op : UnaryOp.values()) {
            assertTrue(src.contains("case U_" + op.name() + ":"), "no case for U_" + op.name() + " in elementwise.cu");
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(src.contains("case B_" + op.name() + ":"), "no case for B_" + op.name() + " in elementwise.cu");
        }
    }

    /** A kernel source, found from the module directory (Maven) or the repository root (scripts/gpu-check.sh). */
    private static Path cudaSource(String file) {
        for (String dir : new String[] {"src/main/cuda", "cuda-backend/src/main/cuda"}) {
            Path p = Path.of(dir, file);
            if (Files.exists(p)) {
                return p;
            }
        }
        org.junit.jupiter.api.Assumptions.abort("kernel sources not found from " + Path.of("").toAbsolutePath());
        return null;
    }
}
