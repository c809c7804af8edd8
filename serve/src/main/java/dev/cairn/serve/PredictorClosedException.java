package dev.cairn.serve;

import java.util.concurrent.RejectedExecutionException;

/** A request was refused because the predictor is closing or closed: it takes no new work. */
public class PredictorClosedException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    public PredictorClosedException(String message) {
        super(message);
    }
}
