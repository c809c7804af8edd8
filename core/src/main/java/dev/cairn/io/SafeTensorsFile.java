package dev.cairn.io;

import dev.cairn.tensor.Tensor;
import java.util.Map;

/**
 * The contents of a safetensors file: its tensors by key in file order, and its
 * {@code __metadata__} strings (empty when the file has none).
 */
public record SafeTensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
}
