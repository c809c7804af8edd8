package dev.cairn.tensor;

import java.util.Locale;

/**
 * Prints tensors the way PyTorch does: {@code tensor([[ 0.1000, -0.2000], ...])}, with a common
 * number format, aligned columns, "..." for large tensors, and the device and grad_fn when relevant.
 */
final class TensorFormat {
    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        float[] data = t.toFloatArray();
        int[] shape = t.shape();
        boolean summarize = data.length > SUMMARIZE_ABOVE;
        String[] cells = new String[data.length];
        Style style = Style.choose(data);
        int width = 0;
        for (int i = 0; i < data.length; i++) {
            cells[i] = style.format(data[i]);
            width = Math.max(width, cells[i].length());
        }
        StringBuilder sb = new StringBuilder("tensor(");
        if (shape.length == 0) {
            sb.append(cells[0]);
        } else {
            int[] strides = Shapes.contiguousStrides(shape);
            appendDim(sb, cells, shape, strides, 0, 0, width, summarize, "tensor(".length());
        }
        if (!t.device().isCpu()) {
            sb.append(", device='").append(t.device()).append('\'');
        }
        if (t.gradFn() != null) {
            sb.append(", grad_fn=").append(t.gradFn());
        } else if (t.requiresGrad()) {
            sb.append(", requires_grad=True");
        }
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, String[] cells, int[] shape, int[] strides, int dim, int base,
                                  int width, boolean summarize, int indent) {
        int n = shape[dim];
        sb.append('[');
        boolean last = dim == shape.length - 1;
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(last ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                if (!last) {
                    sb.append(shape.length - dim > 2 ? "\n" + " ".repeat(indent + dim + 1) : "");
                }
                i = n - EDGE - 1;
                continue;
            }
            if (last) {
                String c = cells[base + i * strides[dim]];
                sb.append(" ".repeat(width - c.length())).append(c);
            } else {
                appendDim(sb, cells, shape, strides, dim + 1, base + i * strides[dim], width, summarize, indent);
            }
            if (i < n - 1) {
                sb.append(',');
                if (last) {
                    sb.append(' ');
                } else {
                    sb.append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
                }
            }
        }
        sb.append(']');
    }

    /** The number format shared by all elements of one tensor. */
    private enum Style {
        INTEGER, FIXED, SCIENTIFIC;

        static Style choose(float[] data) {
            boolean allInt = true;
            double maxAbs = 0;
            double minAbs = Double.POSITIVE_INFINITY;
            for (float v : data) {
                if (!Float.isFinite(v)) {
                    continue;
                }
                if (v != Math.rint(v)) {
                    allInt = false;
                }
                double a = Math.abs(v);
                if (a > 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
            }
            if (allInt && maxAbs < 1e8) {
                return INTEGER;
            }
            if (maxAbs >= 1e8 || (minAbs < 1e-4 && maxAbs / minAbs > 1000)) {
                return SCIENTIFIC;
            }
            return FIXED;
        }

        String format(float v) {
            if (Float.isNaN(v)) {
                return "nan";
            }
            if (Float.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            return switch (this) {
                case INTEGER -> String.format(Locale.ROOT, "%.0f.", v).replace("-0.", "-0.");
                case FIXED -> String.format(Locale.ROOT, "%.4f", v);
                case SCIENTIFIC -> String.format(Locale.ROOT, "%.4e", v);
            };
        }
    }
}
