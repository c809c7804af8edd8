package dev.cairn.tensor;

import dev.cairn.CairnException;

/** A tensor's shape does not fit the operation or layer it was given to. */
public class ShapeException extends CairnException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
