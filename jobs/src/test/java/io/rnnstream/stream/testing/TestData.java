package io.rnnstream.stream.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the data sets the repository ships under {@code data/}. */
public final class TestData {

    private TestData() {}

    public static Path path(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("data").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "shipped data file data/" + relative + " not found above the working directory");
    }
}
