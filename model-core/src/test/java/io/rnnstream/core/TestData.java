package io.rnnstream.core;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The first {@code perClass} sequences of every label, in file order. */
    public static Dataset slice(Dataset dataset, int perClass) {
        List<LabeledSequence> kept = new ArrayList<>();
        for (String label : dataset.labels()) {
            dataset.sequences().stream()
                    .filter(s -> s.label().equals(label))
                    .limit(perClass)
                    .forEach(kept::add);
        }
        return dataset.withSequences(dataset.name() + " (slice)", kept);
    }
}
