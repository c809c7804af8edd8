package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch reference values of {@code layer_refs.json}, made by {@code scripts/make_layer_refs.py}:
 * tensors by name, number lists (learning-rate schedules) and strings ({@code print(module)} text).
 */
public final class LayerRefs {
    private static final Map<String, Object> VALUES = load();

    private LayerRefs() {
    }

    private record Ref(int[] shape, float[] data) {
    }

    private static Map<String, Object> load() {
        Map<String, Object> out = new HashMap<>();
        try (InputStream in = LayerRefs.class.getResourceAsStream("/dev/cairn/nn/layer_refs.json");
             JsonParser p = new JsonFactory().createParser(in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_STRING) {
                    out.put(name, p.getText());
                } else if (t == JsonToken.START_ARRAY) {
                    List<Double> list = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        list.add(p.getDoubleValue());
                    }
                    out.put(name, list);
                } else {
                    int[] shape = null;
                    float[] data = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        p.nextToken();
                        List<Double> list = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            list.add(p.getDoubleValue());
                        }
                        if (f.equals("shape")) {
                            shape = list.stream().mapToInt(Double::intValue).toArray();
                        } else {
                            data = new float[list.size()];
                            for (int i = 0; i < data.length; i++) {
                                data[i] = (float) (double) list.get(i);
                            }
                        }
                    }
                    out.put(name, new Ref(shape, data));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Object get(String name) {
        Object v = VALUES.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no reference value '" + name + "' in layer_refs.json");
        }
        return v;
    }

    /** A new CPU tensor holding reference {@code name}. */
    public static Tensor tensor(String name) {
        Ref r = (Ref) get(name);
        return Tensor.of(r.data().clone(), r.shape());
    }

    /** The numbers of list {@code name}. */
    @SuppressWarnings("unchecked")
    public static List<Double> numbers(String name) {
        return (List<Double>) get(name);
    }

    public static String text(String name) {
        return (String) get(name);
    }

    /** Asserts {@code actual} has reference {@code name}'s shape and values within {@code tol * max(1, |e|)}. */
    public static void assertMatches(String name, Tensor actual, float tol) {
        Ref r = (Ref) get(name);
        assertArrayEquals(r.shape(), actual.shape(), name + ": shape");
        float[] a = actual.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            float e = r.data()[i];
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                assertEquals(e, a[i], name + "[" + i + "]");
            } else {
                float d = Math.abs(e - a[i]);
                assertTrue(d <= tol * Math.max(1, Math.abs(e)),
                        name + "[" + i + "]: expected " + e + " but was " + a[i]);
            }
        }
    }
}
