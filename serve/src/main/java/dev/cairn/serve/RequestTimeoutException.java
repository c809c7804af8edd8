package dev.cairn.serve;

/**
 * A request was not answered within its timeout. Its result, if the model still computes it, is
 * discarded: a request is answered exactly once. The HTTP server answers it with 504.
 */
public class RequestTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message);
    }
}
