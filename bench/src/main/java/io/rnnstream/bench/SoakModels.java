package io.rnnstream.bench;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak's model versions: version 1 served from the start, each later one written and announced
 * by a model swap; every version's classifier is kept for the offline replay, and when each was
 * announced for the time its first result took.
 */
final class SoakModels {

    private static final String NAME = "vowels";

    private final Path directory;
    private final Dataset data;
    private final long seed;
    private final Map<Long, SequenceClassifier> versions = new TreeMap<>();
    private final Map<Long, Long> announcedNanos = new TreeMap<>();

    SoakModels(Path directory, Dataset data, long seed) {
        this.directory = directory;
        this.data = data;
        this.seed = seed;
    }

    /** Writes version 1, which the job serves from its start ({@code model.initial.uri}). */
    TestModels.Written first() throws IOException {
        return write(1);
    }

    /** Writes the next version and announces it on {@code modelsTopic}; returns its number. */
    long announceNext(KafkaBroker kafka, String modelsTopic) throws IOException {
        long version = versions.size() + 1;
        TestModels.announce(kafka, modelsTopic, write(version).announcement());
        announcedNanos.put(version, System.nanoTime());
        return version;
    }

    /** Every version written so far, by number. */
    Map<Long, SequenceClassifier> versions() {
        return versions;
    }

    /** When {@code version} was announced ({@link System#nanoTime}). */
    long announcedNanos(long version) {
        return announcedNanos.get(version);
    }

    /** LSTM 16 with seeded random weights: each version answers differently. */
    private TestModels.Written write(long version) throws IOException {
        TestModels.Written written =
                TestModels.featureModel(
                        directory.resolve(NAME + "-" + version),
                        NAME,
                        version,
                        seed * 31 + version,
                        CellType.LSTM,
                        16,
                        data);
        versions.put(version, written.classifier());
        return written;
    }
}
