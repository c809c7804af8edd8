package dev.cairn.io;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Set;

/**
 * Checks made on a path before Cairn reads or replaces it, so that an odd path fails at once with a clear
 * error instead of blocking (a FIFO opened for reading waits for a writer), reading endlessly
 * ({@code /dev/zero}), reading a kernel pseudo-file whose size says nothing ({@code /proc}), or replacing
 * something that is not a plain file ({@code /dev/null}, a FIFO, a symbolic link).
 *
 * <p>The checks look at the path just before it is opened; a path swapped for something else in between
 * (by another process) is not detected.
 */
public final class FileChecks {
    /** File systems whose files are made up by the kernel: their sizes are not their contents. */
    private static final Set<String> PSEUDO_FILE_SYSTEMS = Set.of(
            "proc", "sysfs", "debugfs", "tracefs", "securityfs", "cgroup", "cgroup2", "configfs", "devtmpfs",
            "devpts", "bpf", "pstore", "efivarfs", "fusectl", "hugetlbfs", "mqueue");

    private FileChecks() {
    }

    /**
     * Throws unless {@code file} is a regular file on an ordinary file system (symbolic links are followed).
     * A missing file passes: opening it reports that.
     *
     * @throws SafeTensorsException naming the file and what it is instead
     */
    public static void requireRegularInput(Path file) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw SafeTensorsReader.ioError(file, "cannot read", e);
        }
        if (!attrs.isRegularFile()) {
            throw new SafeTensorsException("cannot read " + file + ": it is " + kind(file, attrs)
                    + ", not a regular file; give the path of a file on disk");
        }
        String fs = fileSystemType(file);
        if (fs != null && PSEUDO_FILE_SYSTEMS.contains(fs)) {
            throw new SafeTensorsException("cannot read " + file + ": it is a file of the kernel's '" + fs
                    + "' pseudo file system, not a regular file; give the path of a file on disk");
        }
    }

    /**
     * Where a write to {@code file} must replace: {@code file} itself when it is a regular file or does not
     * exist yet, the file a symbolic link points to (so the link stays a link), and an error for anything
     * else (a directory, a FIFO, a device such as {@code /dev/null}, a dangling link).
     *
     * @throws SafeTensorsException naming the file and what it is
     */
    public static Path writeTarget(Path file) {
        Path target = file.toAbsolutePath();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return target; // a new file
        } catch (IOException e) {
            throw SafeTensorsReader.ioError(file, "cannot write", e);
        }
        if (attrs.isSymbolicLink()) {
            try {
                target = target.toRealPath();
            } catch (NoSuchFileException e) {
                throw new SafeTensorsException("cannot write " + file + ": it is a symbolic link to a file that does"
                        + " not exist; write to the link's target path instead");
            } catch (IOException e) {
                throw SafeTensorsReader.ioError(file, "cannot write", e);
            }
            try {
                attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw SafeTensorsReader.ioError(file, "cannot write", e);
            }
        }
        if (!attrs.isRegularFile()) {
            throw new SafeTensorsException("cannot write " + file + ": it is " + kind(target, attrs)
                    + "; Cairn writes only to regular files or new paths (it replaces the file as a whole)");
        }
        return target;
    }

    /**
     * Throws when {@code output} names the same file as {@code input} (also through a symbolic or hard
     * link: the files' identities are compared), so that writing results never destroys the input.
     * {@code outputWhat} and {@code inputWhat} name the two in the message (e.g. "--out", "--case").
     */
    public static void requireDistinct(Path output, String outputWhat, Path input, String inputWhat) {
        if (output == null || input == null) {
            return;
        }
        boolean same;
        try {
            same = Files.exists(output) && Files.exists(input) && Files.isSameFile(output, input);
        } catch (IOException e) {
            same = false; // one of them cannot be inspected: opening it will say why
        }
        if (same) {
            throw new SafeTensorsException(outputWhat + " " + output + " is the same file as " + inputWhat + " "
                    + input + "; writing it would destroy the input: choose another output path");
        }
    }

    private static String kind(Path file, BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        if (attrs.isSymbolicLink()) {
            return "a symbolic link";
        }
        try {
            Object mode = Files.getAttribute(file, "unix:mode");
            if (mode instanceof Integer m) {
                switch (m & 0170000) {
                    case 0010000: return "a FIFO (named pipe)";
                    case 0020000: return "a character device";
                    case 0060000: return "a block device";
                    case 0140000: return "a socket";
                    default: break;
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view on this platform: fall back to the generic description
        }
        return "a special file (a device, FIFO or socket)";
    }

    private static String fileSystemType(Path file) {
        try {
            FileStore store = Files.getFileStore(file);
            return store.type().toLowerCase(Locale.ROOT);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
