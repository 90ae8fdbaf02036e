package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool that wrote the committed savepoint {@value StateSchemaFixture#CURRENT}: the job of this
 * release, heap state, the first halves of the fixture's sequences applied, stopped with a
 * canonical savepoint. Not part of the suite; run it only to take a new baseline before a release
 * changes the state schema:
 *
 * <pre>
 * ./mvnw -B -pl jobs/stream -am verify -DskipITs -Dtest=SequenceStateSavepointWriter \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Drnnstream.write-savepoint=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "rnnstream.write-savepoint", matches = "true")
class SequenceStateSavepointWriter {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path savepoints;

    @Test
    void writesTheSavepointOfThisRelease() throws Exception {
        StateSchemaFixture fixture = new StateSchemaFixture(VowelStream.create(KAFKA, models));
        StreamTestJob.createTopics(KAFKA, StateSchemaFixture.PREFIX);
        List<ProducerRecord<byte[], byte[]>> firstHalves = fixture.firstHalves();
        KAFKA.produce(firstHalves);
        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        fixture.settings(Map.of()), new FaultInjector(0, Integer.MAX_VALUE));
        FaultInjector.awaitCheckpointAfter(firstHalves.size(), Duration.ofSeconds(60));
        Path savepoint =
                Path.of(java.net.URI.create(StreamTestJob.stopWithSavepoint(job, savepoints)));

        Path target = StateSchemaFixture.sourceDirectory();
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(savepoint)) {
            for (Path file : files.toList()) {
                Files.copy(
                        file,
                        target.resolve(file.getFileName()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(target.resolve("_metadata")).exists();
    }
}
