/**
 * Reading and writing tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the format the Python {@code safetensors} package and PyTorch-based tools use.
 *
 * <p>{@link dev.cairn.io.SafeTensors} reads and writes {@link dev.cairn.tensor.Tensor}s. Beneath it,
 * a backend-free layer works on plain {@code float[]} data: {@link dev.cairn.io.SafeTensorsHeader}
 * parses and validates the JSON header, {@link dev.cairn.io.SafeTensorsReader} decodes one tensor at
 * a time from a file without loading the rest, and {@link dev.cairn.io.SafeTensorsWriter} streams
 * float32 data to a file.
 */
package dev.cairn.io;
