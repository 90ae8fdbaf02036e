package io.rnnstream.core.artifact;

import java.io.IOException;
import java.io.InputStream;

/** Reads a stream whole, refusing to buffer more than a cap: artifacts are untrusted input. */
public final class BoundedReads {

    private BoundedReads() {}

    public static byte[] readAtMost(InputStream in, int maxBytes, String what) throws IOException {
        byte[] bytes = in.readNBytes(maxBytes);
        if (in.read() != -1) {
            throw new ArtifactException(
                    what + " is larger than the limit of " + maxBytes + " bytes");
        }
        return bytes;
    }
}
