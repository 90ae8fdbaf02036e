package io.rnnstream.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated settings reference committed under {@code docs/}: a job's test compares it with what
 * its options generate now, and with {@code -Drnnstream.write-docs=true} writes it instead.
 */
public final class SettingsReferenceFile {

    private SettingsReferenceFile() {}

    /**
     * Fails, naming the file and how to regenerate it, when {@code relative} (from the repository
     * root) differs from {@code generated}.
     */
    public static void assertUpToDate(String relative, String generated) throws IOException {
        Path file = repositoryRoot().resolve(relative);
        if (Boolean.getBoolean("rnnstream.write-docs")) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
            return;
        }
        String committed =
                Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(missing)";
        if (!committed.equals(generated)) {
            throw new AssertionError(
                    relative
                            + " is stale: the job's ConfigOptions generate something else. Run the"
                            + " test with -Drnnstream.write-docs=true and commit the file.\n"
                            + "--- generated ---\n"
                            + generated);
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("the repository root (with docs/ and mvnw) not found");
    }
}
