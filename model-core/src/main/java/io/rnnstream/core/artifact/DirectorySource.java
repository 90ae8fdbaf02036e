package io.rnnstream.core.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads an artifact from a local directory. */
public final class DirectorySource implements ArtifactSource {

    private final Path directory;

    public DirectorySource(Path directory) {
        this.directory = directory;
    }

    @Override
    public byte[] read(String fileName, int maxBytes) throws IOException {
        Path file = directory.resolve(fileName);
        try (InputStream in = Files.newInputStream(file)) {
            return BoundedReads.readAtMost(in, maxBytes, location() + "/" + fileName);
        } catch (NoSuchFileException e) {
            throw new ArtifactException("artifact " + directory + " has no file " + fileName);
        }
    }

    @Override
    public String location() {
        return directory.toString();
    }
}
