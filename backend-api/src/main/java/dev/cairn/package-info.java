/**
 * The vocabulary shared by the tensor API and the backends: {@link dev.cairn.Device} (where memory
 * lives), {@link dev.cairn.DType} (what an element is) and Cairn's exceptions
 * ({@link dev.cairn.CairnException}, {@link dev.cairn.DeviceException}). Tensors, modules and the
 * choice of device are in {@code dev.cairn.tensor} and {@code dev.cairn.nn} (module {@code cairn-core}).
 */
package dev.cairn;
