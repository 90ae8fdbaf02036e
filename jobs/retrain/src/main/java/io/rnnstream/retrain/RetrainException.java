package io.rnnstream.retrain;

/** A retraining run cannot go on; the message says why and what to change. */
public final class RetrainException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RetrainException(String message) {
        super(message);
    }

    public RetrainException(String message, Throwable cause) {
        super(message, cause);
    }
}
