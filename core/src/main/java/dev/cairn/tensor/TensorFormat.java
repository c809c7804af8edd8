package dev.cairn.tensor;

import dev.cairn.DType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints tensors the way PyTorch's {@code _tensor_str} does: one number format for the whole tensor
 * (integral, fixed with 4 decimals, or scientific), columns padded to a common width, rows wrapped at
 * 80 characters, "..." for tensors of more than 1000 elements, and the device and grad_fn as suffixes.
 */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final int LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    private TensorFormat() {
    }

    static String format(Tensor t) {
        int[] shape = t.shape();
        DType dtype = t.dtype();
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.numel() == 0) {
            body = "[]";
            if (shape.length != 1) {
                suffixes.add("size=" + pythonTuple(shape));
            }
            if (dtype != DType.FLOAT32) { // an empty tensor shows no values to tell its dtype by
                suffixes.add("dtype=" + dtype.torchName());
            }
        } else {
            boolean summarize = t.numel() > THRESHOLD;
            Cells cells = cellsOf(t, shape, summarize);
            body = shape.length == 0 ? cells.format(0)
                    : tensorString(cells, shape, Shapes.contiguousStrides(shape), 0, 0, PREFIX.length(), summarize);
            if (dtype == DType.INT32) { // PyTorch names every dtype but the default float, int64 and bool
                suffixes.add("dtype=" + dtype.torchName());
            }
        }
        if (!t.device().isCpu()) {
            suffixes.add("device='" + t.device() + "'");
        }
        if (t.gradFn() != null) {
            suffixes.add("grad_fn=" + t.gradFn());
        } else if (t.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        StringBuilder sb = new StringBuilder(PREFIX).append(body);
        for (String s : suffixes) {
            sb.append(", ").append(s);
        }
        return sb.append(')').toString();
    }

    /** The elements a summarized print shows (the first and last 3 along each dimension), as PyTorch formats only those. */
    private static float[] edges(float[] data, int[] shape) {
        List<Float> out = new ArrayList<>();
        collectEdges(data, shape, Shapes.contiguousStrides(shape), 0, 0, out);
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    private static void collectEdges(float[] data, int[] shape, int[] strides, int dim, int base, List<Float> out) {
        int n = shape[dim];
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                i = n - EDGE - 1;
                continue;
            }
            int at = base + i * strides[dim];
            if (dim == shape.length - 1) {
                out.add(data[at]);
            } else {
                collectEdges(data, shape, strides, dim + 1, at, out);
            }
        }
    }

    private static String pythonTuple(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The printed text of each element (by row-major position), all of one width. */
    private interface Cells {
        String format(int index);

        int width();
    }

    private static Cells cellsOf(Tensor t, int[] shape, boolean summarize) {
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] data = t.toFloatArray();
                Formatter f = new Formatter(summarize ? edges(data, shape) : data);
                return new Cells() {
                    public String format(int i) {
                        return f.format(data[i]);
                    }

                    public int width() {
                        return f.width;
                    }
                };
            }
            case BOOL -> {
                boolean[] data = t.toBooleanArray();
                boolean anyFalse = false;
                for (boolean b : data) {
                    anyFalse |= !b;
                }
                int width = anyFalse ? 5 : 4;
                return new Cells() {
                    public String format(int i) {
                        String s = data[i] ? "True" : "False";
                        return " ".repeat(width - s.length()) + s;
                    }

                    public int width() {
                        return width;
                    }
                };
            }
            default -> {
                long[] data = t.toLongArray();
                int width = 1;
                for (long v : data) {
                    width = Math.max(width, Long.toString(v).length());
                }
                int w = width;
                return new Cells() {
                    public String format(int i) {
                        String s = Long.toString(data[i]);
                        return " ".repeat(w - s.length()) + s;
                    }

                    public int width() {
                        return w;
                    }
                };
            }
        }
    }

    private static String tensorString(Cells data, int[] shape, int[] strides, int dim, int base, int indent,
                                       boolean summarize) {
        int n = shape[dim];
        if (dim == shape.length - 1) {
            return vectorString(data, n, strides[dim], base, indent, summarize);
        }
        List<String> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                slices.add("...");
                i = n - EDGE - 1;
                continue;
            }
            slices.add(tensorString(data, shape, strides, dim + 1, base + i * strides[dim], indent + 1, summarize));
        }
        String sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
        return "[" + String.join(sep, slices) + "]";
    }

    private static String vectorString(Cells data, int n, int stride, int base, int indent, boolean summarize) {
        int perLine = Math.max(1, (LINE_WIDTH - indent) / (data.width() + 2));
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                cells.add(" ...");
                i = n - EDGE - 1;
                continue;
            }
            cells.add(data.format(base + i * stride));
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < cells.size(); i += perLine) {
            lines.add(String.join(", ", cells.subList(i, Math.min(cells.size(), i + perLine))));
        }
        return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
    }

    /** PyTorch's {@code _Formatter}: the mode and width chosen from the non-zero finite values. */
    private static final class Formatter {
        boolean intMode = true;
        boolean sciMode;
        int width = 1;

        Formatter(float[] data) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            boolean any = false;
            for (float v : data) {
                if (Float.isFinite(v) && v != 0) {
                    any = true;
                    double a = Math.abs((double) v);
                    min = Math.min(min, a);
                    max = Math.max(max, a);
                    if (v != Math.ceil(v)) {
                        intMode = false;
                    }
                }
            }
            if (!any) {
                return;
            }
            sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);
            for (float v : data) {
                if (Float.isFinite(v) && v != 0) {
                    int len = sciMode ? sci(v).length() : intMode ? String.format(Locale.ROOT, "%.0f", v).length() + 1
                            : fixed(v).length();
                    width = Math.max(width, len);
                }
            }
        }

        /** Python's {@code '{:.4e}'}: the exact binary value rounded half-to-even to 5 significant digits. */
        private static String sci(double v) {
            String sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : "";
            if (v == 0) {
                return sign + "0.0000e+00";
            }
            BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(5, RoundingMode.HALF_EVEN));
            int exp = r.precision() - r.scale() - 1;
            BigDecimal mantissa = r.movePointLeft(exp).setScale(4, RoundingMode.HALF_EVEN);
            return sign + mantissa.toPlainString() + (exp < 0 ? "e-" : "e+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }

        /** Python's {@code '{:.4f}'}: the exact binary value rounded half-to-even to 4 decimals. */
        private static String fixed(double v) {
            String s = new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
            boolean negative = v < 0 || (v == 0 && 1 / v < 0);
            return negative && !s.startsWith("-") ? "-" + s : s;
        }

        String format(float v) {
            String s;
            if (Float.isNaN(v)) {
                s = "nan";
            } else if (Float.isInfinite(v)) {
                s = v > 0 ? "inf" : "-inf";
            } else if (sciMode) {
                s = sci(v);
            } else if (intMode) {
                s = String.format(Locale.ROOT, "%.0f", v) + ".";
            } else {
                s = fixed(v);
            }
            return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
        }
    }
}
