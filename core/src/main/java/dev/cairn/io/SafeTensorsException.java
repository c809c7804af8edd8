package dev.cairn.io;

import dev.cairn.CairnException;

/**
 * A safetensors file could not be read or written: it is missing, unreadable, malformed, or holds
 * something Cairn cannot load. The message names the file and, where relevant, the tensor key,
 * dtype, shape and byte range.
 */
public class SafeTensorsException extends CairnException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsException(String message) {
        super(message);
    }

    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
