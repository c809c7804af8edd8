package dev.cairn.nn;

import java.math.BigDecimal;
import java.util.StringJoiner;

/** Formats values the way Python's {@code repr} does, for PyTorch-identical module text. */
final class PyRepr {
    private PyRepr() {
    }

    /**
     * A double as Python's {@code repr(float)}: the shortest digits that read back to it, in
     * positional notation for exponents in [-4, 16) and otherwise as {@code 1e-05} / {@code 1.5e+16}.
     */
    static String floatRepr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        // Java's Double.toString gives the shortest round-tripping digits (JDK 19+); only the layout differs
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - d.scale(); // decimal exponent of the first digit
        String sign = v < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            if (exp < 0) {
                return sign + "0." + "0".repeat(-exp - 1) + digits;
            }
            if (digits.length() <= exp + 1) {
                return sign + digits + "0".repeat(exp + 1 - digits.length()) + ".0";
            }
            return sign + digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** An int array as a Python tuple: {@code (2, 3)}, {@code (4,)}, {@code ()}. */
    /** A float parameter (stored as float32) as Python prints the same number: {@code 1e-05}, not 9.99...e-06. */
    static String number(float v) {
        return floatRepr(Double.parseDouble(Float.toString(v)));
    }

    static String tuple(int... values) {
        if (values.length == 1) {
            return "(" + values[0] + ",)";
        }
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int v : values) {
            j.add(String.valueOf(v));
        }
        return j.toString();
    }

    /** A boolean as Python writes it. */
    static String bool(boolean b) {
        return b ? "True" : "False";
    }
}
