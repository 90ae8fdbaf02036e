package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * T11. Fault: the per-key state's format changes between releases. Three savepoints are committed
 * as test resources, each with the first half of every key's sequence applied: one taken with
 * release 0.1.0, whose state Flink's POJO serializer wrote, one in format 1 of {@code
 * SequenceStateSerializer}, and one in its current format ({@link SequenceStateSavepointWriter}
 * writes it). Each test restores one into a fresh broker and MiniCluster, with the second halves
 * waiting. Must hold: the current release restores all three, on heap and RocksDB state, and every
 * sequence equals the offline replay (the older states are migrated); a savepoint written by a
 * later release in a newer format is refused while the restore reads it, with a message naming both
 * formats, never with garbage results.
 */
class StateSchemaEvolutionITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path directory;

    @ParameterizedTest
    @CsvSource({
        StateSchemaFixture.RELEASE_010 + ", hashmap",
        StateSchemaFixture.RELEASE_010 + ", rocksdb",
        StateSchemaFixture.FORMAT_1 + ", hashmap",
        StateSchemaFixture.FORMAT_1 + ", rocksdb",
        StateSchemaFixture.CURRENT + ", hashmap",
        StateSchemaFixture.CURRENT + ", rocksdb"
    })
    void theCurrentReleaseRestoresTheSavepointsOfThisAndEarlierReleases(
            String savepoint, String backend) throws Exception {
        KafkaBroker kafka = new KafkaBroker();
        kafka.start();
        try {
            VowelStream stream = VowelStream.create(kafka, directory.resolve("models"));
            StateSchemaFixture fixture = new StateSchemaFixture(stream);
            JobClient job = start(kafka, new Configuration(), backend, baseline(savepoint));
            try {
                stream.assertExact(
                        fixture.script(),
                        stream.readCommitted(StateSchemaFixture.PREFIX, StateSchemaFixture.KEYS));
            } finally {
                job.cancel().get();
            }
        } finally {
            kafka.stop();
        }
    }

    @Test
    void aSavepointInANewerFormatIsRefusedNamingBothFormats() throws Exception {
        System.clearProperty("rnnstream.test.state-format");
        Path laterRelease =
                SequenceStateVariant.jar(
                        directory.resolve("format-3"),
                        "SequenceStateSerializerSnapshot",
                        source ->
                                source.replace(
                                        "static final int FORMAT = 2;",
                                        """
                                        static final int FORMAT = 3;

                                        static {
                                            System.setProperty("rnnstream.test.state-format", "3");
                                        }"""));
        KafkaBroker kafka = new KafkaBroker();
        kafka.start();
        try {
            JobClient later =
                    start(
                            kafka,
                            userJar(laterRelease),
                            "hashmap",
                            baseline(StateSchemaFixture.CURRENT));
            VowelStream stream = VowelStream.create(kafka, directory.resolve("reader"));
            assertThat(stream.readCommitted(StateSchemaFixture.PREFIX, StateSchemaFixture.KEYS))
                    .as("the later release's results")
                    .hasSize(StateSchemaFixture.KEYS);
            String written =
                    StreamTestJob.stopWithSavepoint(later, directory.resolve("savepoints"));
            assertThat(System.getProperty("rnnstream.test.state-format"))
                    .as("the later release ran with its own format")
                    .isEqualTo("3");

            Configuration current = StreamTestJob.noRestarts();
            JobClient downgraded =
                    startWithoutProducing(kafka, current, "rocksdb", URI.create(written));
            assertThatThrownBy(() -> downgraded.getJobExecutionResult().get(2, TimeUnit.MINUTES))
                    .hasStackTraceContaining(
                            "the sequence state was written in format 3 by a newer rnnstream"
                                    + " release; this release reads formats up to 2");
        } finally {
            kafka.stop();
        }
    }

    /** Produces the baseline's records and the second halves, then restores {@code savepoint}. */
    private JobClient start(KafkaBroker kafka, Configuration flink, String backend, Path savepoint)
            throws Exception {
        StateSchemaFixture fixture =
                new StateSchemaFixture(VowelStream.create(kafka, directory.resolve("produced")));
        StreamTestJob.createTopics(kafka, StateSchemaFixture.PREFIX);
        kafka.produce(fixture.firstHalves());
        kafka.produce(fixture.secondHalves());
        return startWithoutProducing(kafka, flink, backend, savepoint.toUri());
    }

    private JobClient startWithoutProducing(
            KafkaBroker kafka, Configuration flink, String backend, URI savepoint)
            throws Exception {
        VowelStream stream =
                VowelStream.create(kafka, directory.resolve("models-" + System.nanoTime()));
        Configuration conf = new Configuration(flink);
        conf.addAll(StreamTestJob.restoreFrom(savepoint.toString()));
        return ClassifierTestJob.start(
                new StateSchemaFixture(stream).settings(Map.of()), null, backend, conf);
    }

    /** A copy of a committed savepoint, so restoring can never change the resource. */
    private Path baseline(String resource) throws Exception {
        URL metadata = getClass().getClassLoader().getResource(resource + "/_metadata");
        assertThat(metadata).as("the committed savepoint " + resource).isNotNull();
        Path copy = Files.createDirectories(directory.resolve("baseline-" + System.nanoTime()));
        Files.copy(Path.of(metadata.toURI()), copy.resolve("_metadata"));
        return copy;
    }

    private static Configuration userJar(Path jar) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.JARS, List.of(jar.toUri().toURL().toString()));
        return conf;
    }
}
