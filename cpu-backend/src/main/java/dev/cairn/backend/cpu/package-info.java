/**
 * Cairn's pure-Java CPU backend, found by {@link java.util.ServiceLoader} when
 * {@code cairn-cpu-backend} is on the runtime class path. Its GEMM and hot elementwise loops use the
 * Java Vector API when the JVM runs with {@code --add-modules jdk.incubator.vector}; without it a
 * plain-Java path runs (several times slower) and a warning says how to enable the fast one.
 * {@code -Dcairn.cpu.threads=N} caps its worker threads.
 */
package dev.cairn.backend.cpu;
