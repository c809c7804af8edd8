/**
 * The backend SPI: what a device backend implements ({@link dev.cairn.backend.Backend}: memory and a
 * small set of kernels over {@link dev.cairn.backend.StridedView}s) and how Cairn finds backends at run
 * time ({@link dev.cairn.backend.Backends}, through {@link java.util.ServiceLoader}: a backend is used
 * when its jar, such as {@code cairn-cpu-backend}, is on the runtime class path).
 * {@link dev.cairn.backend.Diagnostics} reports the warnings that must reach a user even when no
 * logging is set up.
 *
 * <p>Application code does not need this package; it is for backend implementers and tools.
 */
package dev.cairn.backend;
