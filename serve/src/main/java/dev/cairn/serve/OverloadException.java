package dev.cairn.serve;

import java.util.concurrent.RejectedExecutionException;

/**
 * A request was refused at once because the predictor's queue was full (back-pressure). Nothing was
 * queued; the caller may retry later, shed load, or raise the queue capacity. The HTTP server answers
 * it with 503.
 */
public class OverloadException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    public OverloadException(String message) {
        super(message);
    }
}
