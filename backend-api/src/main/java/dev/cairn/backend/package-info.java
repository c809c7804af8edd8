/**
 * The backend SPI: what a device backend implements ({@link dev.cairn.backend.Backend}: memory and a
 * small set of kernels over {@link dev.cairn.backend.StridedView}s). Core finds backends at run time
 * through {@link java.util.ServiceLoader} (a backend is used when its jar, such as
 * {@code cairn-cpu-backend}, is on the runtime class path; core's {@code dev.cairn.tensor.Devices} says
 * which can run here). This package depends on nothing of the tensor API: a backend needs only this
 * module, {@code cairn-backend-api}, and the shared vocabulary of package {@code dev.cairn}
 * ({@link dev.cairn.Device}, {@link dev.cairn.DType}, the exceptions).
 * {@link dev.cairn.backend.Diagnostics} reports the warnings that must reach a user even when no
 * logging is set up.
 *
 * <p>Application code does not need this package; it is for backend implementers and tools.
 */
package dev.cairn.backend;
