package dev.cairn.nn;

/** Python's spelling of values in module reprs ({@code 1e-05}, {@code 0.1}, {@code (3, 3)}, {@code True}). */
final class PyRepr {
    private PyRepr() {
    }

    /** A float as Python's {@code repr(float)} prints it: shortest round-trip digits, {@code 1e-05} style exponents. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) {
            return (long) v + ".0";
        }
        String s = Double.toString((float) v == v ? Double.parseDouble(Float.toString((float) v)) : v);
        if (s.contains("E") && Math.abs(v) >= 1e-4) {
            return new java.math.BigDecimal(s).toPlainString(); // Python writes 0.0001 to 0.001 without an exponent
        }
        if (s.contains("E")) {
            String[] parts = s.split("E");
            String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
            int exp = Integer.parseInt(parts[1]);
            return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return s;
    }

    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** A Python tuple of ints: {@code (3, 3)} or {@code (3,)}. */
    static String tuple(int... values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? ", " : "").append(values[i]);
        }
        return sb.append(values.length == 1 ? ",)" : ")").toString();
    }
}
