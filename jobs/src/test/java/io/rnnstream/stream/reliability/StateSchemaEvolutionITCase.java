package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.testing.KafkaBroker;
import io.rnnstream.stream.testing.StreamTestJob;
import io.rnnstream.stream.testing.VowelStream;
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
 * T11. Fault: the per-key state class changes between releases. The baseline is a savepoint taken
 * with release 0.1.0 and committed as a test resource ({@link SequenceStateSavepointWriter} wrote
 * it): every key has the first half of a sequence applied. Each test restores it into a fresh
 * broker and MiniCluster, with the second halves waiting. Must hold: the current release restores
 * it and every sequence equals the offline replay; a release that adds a field to {@code
 * SequenceState} restores it the same way (Flink's POJO serializer migrates the state, the new
 * field starts at its default); a release that changes a field's type cannot restore it and fails
 * with Flink's {@code StateMigrationException} naming the state, never with garbage results.
 */
class StateSchemaEvolutionITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path directory;

    @Test
    void theCurrentReleaseRestoresTheBaselineSavepoint() throws Exception {
        restoreAndAssertExact(new Configuration());
    }

    @Test
    void aFieldAddedToTheStateRestoresFromTheBaselineSavepoint() throws Exception {
        System.clearProperty("rnnstream.test.sequence-state");
        Path jar =
                SequenceStateVariant.jar(
                        directory.resolve("v2"),
                        source ->
                                source.replace(
                                        "    public SequenceState() {}",
                                        """
                                            /** Added after the baseline: how often the sequence was revised. */
                                            public int revisions;

                                            static {
                                                System.setProperty("rnnstream.test.sequence-state", "with revisions");
                                            }

                                            public SequenceState() {}"""));
        restoreAndAssertExact(userJar(jar));
        assertThat(System.getProperty("rnnstream.test.sequence-state"))
                .as("the job ran with the edited class")
                .isEqualTo("with revisions");
    }

    /**
     * What Flink says depends on the state backend: the heap backend reads all state while it
     * restores and fails on the first value whose field no longer fits; RocksDB checks the
     * serializers when the state is first used and refuses the incompatible one.
     */
    @ParameterizedTest
    @CsvSource({
        "hashmap, Failed when trying to restore heap backend, "
                + "field io.rnnstream.stream.classify.SequenceState.firstTimestamp",
        "rocksdb, StateMigrationException, incompatible"
    })
    void aChangedFieldTypeFailsTheRestoreWithAClearMessage(
            String backend, String message, String detail) throws Exception {
        Path jar =
                SequenceStateVariant.jar(
                        directory.resolve("v3-" + backend),
                        source ->
                                source.replace(
                                        "public long firstTimestamp;",
                                        "public String firstTimestamp;"));
        Configuration flink = userJar(jar);
        flink.addAll(StreamTestJob.noRestarts());
        KafkaBroker kafka = new KafkaBroker();
        kafka.start();
        try {
            JobClient job = start(kafka, flink, backend);
            assertThatThrownBy(() -> job.getJobExecutionResult().get(2, TimeUnit.MINUTES))
                    .hasStackTraceContaining(message)
                    .hasStackTraceContaining(detail);
            assertThat(
                            kafka.read(
                                    StateSchemaFixture.PREFIX + "-results",
                                    "read_uncommitted",
                                    Integer.MAX_VALUE,
                                    java.time.Duration.ofSeconds(1),
                                    java.time.Duration.ZERO))
                    .as("results of the failed restore, even uncommitted")
                    .isEmpty();
        } finally {
            kafka.stop();
        }
    }

    private void restoreAndAssertExact(Configuration flink) throws Exception {
        KafkaBroker kafka = new KafkaBroker();
        kafka.start();
        try {
            VowelStream stream = VowelStream.create(kafka, directory.resolve("models"));
            StateSchemaFixture fixture = new StateSchemaFixture(stream);
            JobClient job = start(kafka, flink, "hashmap");
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

    /** Produces the baseline's records and the second halves, then restores the baseline. */
    private JobClient start(KafkaBroker kafka, Configuration flink, String backend)
            throws Exception {
        VowelStream stream =
                VowelStream.create(kafka, directory.resolve("models-" + System.nanoTime()));
        StateSchemaFixture fixture = new StateSchemaFixture(stream);
        StreamTestJob.createTopics(kafka, StateSchemaFixture.PREFIX);
        kafka.produce(fixture.firstHalves());
        kafka.produce(fixture.secondHalves());
        Configuration conf = new Configuration(flink);
        conf.addAll(StreamTestJob.restoreFrom(baseline().toUri().toString()));
        return StreamTestJob.start(fixture.settings(Map.of()), null, backend, conf);
    }

    /** A copy of the committed savepoint, so restoring can never change the resource. */
    private Path baseline() throws Exception {
        URL metadata =
                getClass().getClassLoader().getResource(StateSchemaFixture.RESOURCE + "/_metadata");
        assertThat(metadata).as("the committed savepoint").isNotNull();
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
