package dev.cairn.io;

import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads {@link Tensor}s as safetensors files, the format PyTorch tools and the Python
 * {@code safetensors} package read and write; like D2L's {@code torch.save} / {@code torch.load} for a
 * tensor, a list of tensors, or a dict of them. Tensors are written in their dtype (F32, I64, I32,
 * BOOL); files may also hold F16, BF16 or F64 tensors, which are read as float32 CPU tensors.
 *
 * <p>Every failure, including a missing or malformed file, is a {@link SafeTensorsException}
 * naming the file.
 */
public final class SafeTensors {
    /** The key {@link #writeTensor} stores a single tensor under. */
    public static final String TENSOR_KEY = "tensor";

    private SafeTensors() {
    }

    /** The tensors of {@code file} by key, in file order (a mutable {@link LinkedHashMap}). */
    public static Map<String, Tensor> read(Path file) {
        return readFile(file).tensors();
    }

    /** The tensors (in file order) and metadata of {@code file}. */
    public static SafeTensorsFile readFile(Path file) {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            reader.checkReadable();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            try {
                for (TensorEntry e : reader.header().tensors()) {
                    tensors.put(e.name(), toTensor(reader.readTyped(e.name()), e.shape()));
                }
            } catch (RuntimeException ex) {
                tensors.values().forEach(Tensor::close);
                throw ex;
            }
            return new SafeTensorsFile(tensors, reader.header().metadata());
        }
    }

    private static Tensor toTensor(Object data, int[] shape) {
        return switch (data) {
            case long[] l -> Tensor.of(l, shape);
            case int[] i -> Tensor.of(i, shape);
            case boolean[] b -> Tensor.of(b, shape);
            default -> Tensor.of((float[]) data, shape);
        };
    }

    /** The item writing {@code t} in its own dtype: F32, I64, I32 or BOOL. */
    private static SafeTensorsWriter.Item item(String name, Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> new SafeTensorsWriter.Item(name, t.shape(), t::toFloatArray);
            case INT64 -> new SafeTensorsWriter.Item(name, t.shape(), SafeTensorsDType.I64, t::toLongArray);
            case INT32 -> new SafeTensorsWriter.Item(name, t.shape(), SafeTensorsDType.I32, t::toIntArray);
            case BOOL -> new SafeTensorsWriter.Item(name, t.shape(), SafeTensorsDType.BOOL, t::toBooleanArray);
        };
    }

    /** Writes {@code tensors} (in the map's order) in their dtypes, replacing {@code file}. */
    public static void write(Path file, Map<String, ? extends Tensor> tensors) {
        write(file, tensors, null);
    }

    /**
     * Writes {@code tensors} (in the map's order) as float32 with {@code metadata} as
     * {@code __metadata__} (omitted when null or empty), replacing {@code file}.
     */
    public static void write(Path file, Map<String, ? extends Tensor> tensors, Map<String, String> metadata) {
        List<SafeTensorsWriter.Item> items = new ArrayList<>(tensors.size());
        tensors.forEach((name, t) -> {
            if (t == null) {
                throw new SafeTensorsException(file + ": tensor '" + name + "' is null");
            }
            items.add(item(name, t));
        });
        SafeTensorsWriter.write(file, items, metadata);
    }

    /** Writes one tensor under the key {@value #TENSOR_KEY}. */
    public static void writeTensor(Path file, Tensor tensor) {
        write(file, Map.of(TENSOR_KEY, tensor));
    }

    /** Reads a file that holds exactly one tensor (under any key). */
    public static Tensor readTensor(Path file) {
        Map<String, Tensor> tensors = read(file);
        if (tensors.size() != 1) {
            tensors.values().forEach(Tensor::close);
            throw new SafeTensorsException(file + ": expected exactly one tensor but the file holds "
                    + tensors.size() + (tensors.isEmpty() ? "" : " " + tensors.keySet()));
        }
        return tensors.values().iterator().next();
    }

    /** Writes {@code tensors} under the keys {@code "0"}, {@code "1"}, ... */
    public static void writeList(Path file, List<? extends Tensor> tensors) {
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            map.put(Integer.toString(i), tensors.get(i));
        }
        write(file, map);
    }

    /** Reads a file written by {@link #writeList}: its keys must be exactly {@code "0"} to {@code "n-1"}. */
    public static List<Tensor> readList(Path file) {
        Map<String, Tensor> tensors = read(file);
        List<Tensor> list = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(Integer.toString(i));
            if (t == null) {
                tensors.values().forEach(Tensor::close);
                throw new SafeTensorsException(file + ": not a list of tensors: expected keys \"0\" to \""
                        + (tensors.size() - 1) + "\" but found " + tensors.keySet());
            }
            list.add(t);
        }
        return list;
    }
}
