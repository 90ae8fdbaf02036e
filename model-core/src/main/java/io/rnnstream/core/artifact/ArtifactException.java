package io.rnnstream.core.artifact;

import java.io.IOException;

/** A model artifact that cannot be used: missing, tampered, truncated, foreign or mismatched. */
public final class ArtifactException extends IOException {

    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
