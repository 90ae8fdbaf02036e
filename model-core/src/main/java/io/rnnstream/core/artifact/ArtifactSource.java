package io.rnnstream.core.artifact;

import java.io.IOException;

/**
 * Where the files of one artifact are read from: a local directory, or any file system the caller
 * can reach (the streaming job reads through Flink's FileSystem).
 */
public interface ArtifactSource {

    /**
     * Reads one file of the artifact whole.
     *
     * @throws ArtifactException if the file is missing or larger than {@code maxBytes}
     */
    byte[] read(String fileName, int maxBytes) throws IOException;

    /** Where the artifact lives, for messages. */
    String location();
}
