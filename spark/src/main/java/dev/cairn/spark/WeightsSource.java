package dev.cairn.spark;

import dev.cairn.CairnException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.broadcast.Broadcast;

/**
 * Where the executors get a model's safetensors weights from: a path read through Hadoop's
 * {@link FileSystem} ({@code file:}, {@code hdfs:}, {@code s3a:}, ...) or bytes broadcast by the
 * driver. Either way it carries the SHA-256 of the content the driver saw, which keys the per-JVM
 * model cache and is checked again when an executor fetches the file, so that every executor scores
 * with exactly the weights the driver validated. Immutable and serializable; thread-safe.
 */
final class WeightsSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String path;                  // null for bytes
    private final Broadcast<byte[]> bytes;      // the bytes on the executors
    private final transient byte[] local;       // the bytes on the driver, not broadcast
    private final String sha256;

    private WeightsSource(String path, Broadcast<byte[]> bytes, byte[] local, String sha256) {
        this.path = path;
        this.bytes = bytes;
        this.local = local;
        this.sha256 = sha256;
    }

    /** Weights at {@code path} with the given content hash (computed by {@link #hashPath}). */
    static WeightsSource ofPath(String path, String sha256) {
        return new WeightsSource(path, null, null, sha256);
    }

    /** Broadcast weights with the given content hash. */
    static WeightsSource ofBroadcast(Broadcast<byte[]> bytes, String sha256) {
        return new WeightsSource(null, bytes, null, sha256);
    }

    /** Bytes used where they are, on the driver, with their content hash. */
    static WeightsSource ofBytes(byte[] data, String sha256) {
        return new WeightsSource(null, null, data, sha256);
    }

    /** A short description for messages: the path, or "broadcast weights". */
    String describe() {
        return path != null ? path : "the weights bytes (" + sha256.substring(0, 12) + ")";
    }

    String sha256() {
        return sha256;
    }

    /** The cache key part: where the weights come from and what they hold. */
    String cacheKey() {
        return (path != null ? path : "bytes") + "#" + sha256;
    }

    /**
     * Copies the weights to a new temporary file under {@code dir} and checks their hash; the caller
     * deletes the file.
     *
     * @throws CairnException naming the path when it cannot be read or changed since the driver read it
     */
    Path fetchTo(Path dir, Configuration hadoopConf) {
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "cairn-weights-", ".safetensors");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary weights file in " + dir + ": " + e.getMessage(), e);
        }
        try {
            MessageDigest md = sha256Digest();
            if (path == null) {
                byte[] b = local != null ? local : bytes.value();
                md.update(b);
                Files.write(tmp, b);
            } else {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
                try (InputStream in = p.getFileSystem(hadoopConf).open(p); OutputStream out = Files.newOutputStream(tmp)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(sha256)) {
                throw new CairnException("weights " + describe() + " changed while the job ran (SHA-256 " + got
                        + ", the driver read " + sha256 + "); rerun the job once the file is no longer being written");
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw new CairnException("cannot read weights " + describe() + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * The SHA-256 of the file at {@code path}, read through Hadoop's file system.
     *
     * @throws CairnException naming the path when it is missing or unreadable
     */
    static String hashPath(String path, Configuration hadoopConf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        MessageDigest md = sha256Digest();
        try {
            FileSystem fs = p.getFileSystem(hadoopConf);
            if (fs.getFileStatus(p).isDirectory()) {
                throw new CairnException("weights " + path + " is a directory; weightsPath must name a safetensors file");
            }
            try (InputStream in = fs.open(p)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
        } catch (FileNotFoundException e) {
            throw new CairnException("weights file " + path + " does not exist; weightsPath must name a safetensors file"
                    + " the driver and the executors can read (file:, hdfs:, s3a: ...)", e);
        } catch (IOException e) {
            throw new CairnException("cannot read weights " + path + ": " + e, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The SHA-256 of {@code data}. */
    static String hash(byte[] data) {
        return HexFormat.of().formatHex(sha256Digest().digest(data));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
