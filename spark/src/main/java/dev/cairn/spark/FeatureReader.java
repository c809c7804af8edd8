package dev.cairn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads one row's features into a float buffer, from an {@code array<float>} or {@code array<double>}
 * column, an ML {@link Vector} column (dense or sparse), or several numeric columns (one feature
 * each, in the given order). Built from the input schema, which it validates. Immutable and
 * serializable; thread-safe.
 */
final class FeatureReader implements Serializable {
    private static final long serialVersionUID = 1L;

    private enum Kind { FLOAT_ARRAY, DOUBLE_ARRAY, VECTOR, COLUMNS }

    private final Kind kind;
    private final int[] indices;
    private final String[] names;
    private final boolean allowNonFinite;

    private FeatureReader(Kind kind, int[] indices, String[] names, boolean allowNonFinite) {
        this.kind = kind;
        this.indices = indices;
        this.names = names;
        this.allowNonFinite = allowNonFinite;
    }

    /**
     * The reader for {@code schema}, with exactly one of {@code inputCol} (array or vector) and
     * {@code inputCols} (numeric columns) set.
     *
     * @throws IllegalArgumentException naming the column, its type and the types accepted
     */
    static FeatureReader forSchema(StructType schema, String inputCol, String[] inputCols, boolean allowNonFinite) {
        boolean one = inputCol != null && !inputCol.isEmpty();
        boolean many = inputCols != null && inputCols.length > 0;
        if (one == many) {
            throw new IllegalArgumentException(one
                    ? "both inputCol ('" + inputCol + "') and inputCols " + Arrays.toString(inputCols)
                            + " are set; set inputCol for an array or vector column, or inputCols for numeric columns"
                    : "no input set: set inputCol to an array<float> or vector column, or inputCols to numeric columns");
        }
        if (one) {
            StructField f = field(schema, inputCol, "inputCol");
            DataType t = f.dataType();
            if (t instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType)) {
                return new FeatureReader(Kind.FLOAT_ARRAY, new int[] {schema.fieldIndex(inputCol)}, new String[] {inputCol}, allowNonFinite);
            }
            if (t instanceof ArrayType a && a.elementType().equals(DataTypes.DoubleType)) {
                return new FeatureReader(Kind.DOUBLE_ARRAY, new int[] {schema.fieldIndex(inputCol)}, new String[] {inputCol}, allowNonFinite);
            }
            if (t instanceof VectorUDT) {
                return new FeatureReader(Kind.VECTOR, new int[] {schema.fieldIndex(inputCol)}, new String[] {inputCol}, allowNonFinite);
            }
            throw new IllegalArgumentException("inputCol '" + inputCol + "' has type " + t.simpleString()
                    + "; it must be array<float>, array<double> or an ML vector (for numeric columns, set inputCols)");
        }
        int[] idx = new int[inputCols.length];
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < inputCols.length; i++) {
            StructField f = field(schema, inputCols[i], "inputCols");
            if (!(f.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("inputCols: column '" + inputCols[i] + "' has type "
                        + f.dataType().simpleString() + "; every input column must be numeric (int, long, float, double, decimal...)");
            }
            if (seen.contains(inputCols[i])) {
                throw new IllegalArgumentException("inputCols names column '" + inputCols[i] + "' twice");
            }
            seen.add(inputCols[i]);
            idx[i] = schema.fieldIndex(inputCols[i]);
        }
        return new FeatureReader(Kind.COLUMNS, idx, inputCols.clone(), allowNonFinite);
    }

    private static StructField field(StructType schema, String name, String param) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(param + ": no column '" + name + "' in the input; its columns are "
                + Arrays.toString(schema.fieldNames()));
    }

    /** The number of features of every row when it is fixed by the schema (numeric columns), else 0. */
    int fixedWidth() {
        return kind == Kind.COLUMNS ? indices.length : 0;
    }

    /** What the features come from, for messages. */
    String describe() {
        return kind == Kind.COLUMNS ? "input columns " + Arrays.toString(names) : "input column '" + names[0] + "'";
    }

    /**
     * Copies the row's {@code width} features to {@code dst[offset...]}.
     *
     * @return null when the row is good, else what is wrong with it
     */
    String read(Row row, float[] dst, int offset, int width) {
        switch (kind) {
            case COLUMNS -> {
                for (int i = 0; i < indices.length; i++) {
                    if (row.isNullAt(indices[i])) {
                        return "column '" + names[i] + "' is null";
                    }
                    float v = ((Number) row.get(indices[i])).floatValue();
                    if (!allowNonFinite && !Float.isFinite(v)) {
                        return "column '" + names[i] + "' is " + v;
                    }
                    dst[offset + i] = v;
                }
                return null;
            }
            case VECTOR -> {
                if (row.isNullAt(indices[0])) {
                    return "'" + names[0] + "' is null";
                }
                Vector v = (Vector) row.get(indices[0]);
                if (v.size() != width) {
                    return "'" + names[0] + "' has " + v.size() + " features, the model takes " + width;
                }
                double[] a = v.toArray();
                for (int i = 0; i < width; i++) {
                    float f = (float) a[i];
                    if (!allowNonFinite && !Float.isFinite(f)) {
                        return "'" + names[0] + "' holds " + a[i] + " at index " + i;
                    }
                    dst[offset + i] = f;
                }
                return null;
            }
            default -> {
                if (row.isNullAt(indices[0])) {
                    return "'" + names[0] + "' is null";
                }
                List<Object> list = row.getList(indices[0]);
                if (list.size() != width) {
                    return "'" + names[0] + "' has " + list.size() + " features, the model takes " + width;
                }
                for (int i = 0; i < width; i++) {
                    Object o = list.get(i);
                    if (o == null) {
                        return "'" + names[0] + "' has a null at index " + i;
                    }
                    float f = ((Number) o).floatValue();
                    if (!allowNonFinite && !Float.isFinite(f)) {
                        return "'" + names[0] + "' holds " + o + " at index " + i;
                    }
                    dst[offset + i] = f;
                }
                return null;
            }
        }
    }
}
