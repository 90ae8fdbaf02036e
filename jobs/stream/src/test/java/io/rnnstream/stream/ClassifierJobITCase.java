package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier job end to end on a real Kafka broker and a Flink MiniCluster with parallelism 2:
 * interleaved sequences of 240 keys, read back with read_committed and compared sequence by
 * sequence with the offline, event-by-event evaluation of the same model.
 */
class ClassifierJobITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir static Path models;
    private static Dataset vowels;
    private static TestModels.Written model;

    @BeforeAll
    static void prepare() throws Exception {
        vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        model =
                TestModels.featureModel(
                        models.resolve("vowels-1"), "vowels", 1, 7, CellType.LSTM, 16, vowels);
    }

    @Test
    void everyClassificationEqualsTheOfflineEvaluationAndBadRecordsAreDeadLettered()
            throws Exception {
        String prefix = "clean";
        StreamTestJob.createTopics(KAFKA, prefix);
        EventScript script = script(prefix);
        List<ProducerRecord<byte[], byte[]>> records =
                new ArrayList<>(script.records(System.currentTimeMillis()));
        Map<String, String> badRecords = BadRecords.corpus();
        List<String> badValues = new ArrayList<>(badRecords.keySet());
        for (int i = 0; i < badValues.size(); i++) {
            int at = (i + 1) * records.size() / (badValues.size() + 1);
            records.add(
                    at,
                    new ProducerRecord<>(
                            prefix + "-events",
                            null,
                            badValues.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        KAFKA.produce(records);

        FaultInjector.reset(false);
        Map<String, String> settings =
                StreamTestJob.settings(
                        KAFKA,
                        prefix,
                        Map.of(
                                "model.initial.uri",
                                model.announcement().uri(),
                                "events.max-bytes",
                                "65536"));
        JobClient job = ClassifierTestJob.start(settings, new FaultInjector(4, Integer.MAX_VALUE));
        try {
            List<Results.Result> results = readResults(prefix, script.planned().size());
            assertMatchesOfflineEvaluation(script, results);

            List<ConsumerRecord<byte[], byte[]>> deadLetters =
                    KAFKA.read(
                            prefix + "-dead-letters",
                            "read_committed",
                            badValues.size(),
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(2));
            Map<String, String> reasonByValue = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
                reasonByValue.put(
                        new String(letter.value(), StandardCharsets.UTF_8),
                        KafkaBroker.header(letter, DeadLetterSerializer.REASON));
                assertThat(KafkaBroker.header(letter, DeadLetterSerializer.MESSAGE)).isNotBlank();
                assertThat(KafkaBroker.header(letter, DeadLetterSerializer.SOURCE_TOPIC))
                        .isEqualTo(prefix + "-events");
                assertThat(KafkaBroker.header(letter, DeadLetterSerializer.SOURCE_OFFSET))
                        .matches("\\d+");
            }
            assertThat(deadLetters).hasSize(badValues.size());
            assertThat(reasonByValue).containsExactlyInAnyOrderEntriesOf(badRecords);
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("task restarts").isZero();
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aFailureAfterACheckpointChangesNothingInTheCommittedOutput() throws Exception {
        assertExactlyOnceAcrossAFailure("failover", "hashmap");
    }

    @Test
    void rocksDbStateGivesTheSameCommittedOutputAcrossAFailure() throws Exception {
        assertExactlyOnceAcrossAFailure("rocksdb", "rocksdb");
    }

    @Test
    void onRocksDbTheJobsStateIsStoredWithoutCompressionAndReadThroughBloomFilters(
            @TempDir Path rocksDb) throws Exception {
        String prefix = "rocksdb-options";
        StreamTestJob.createTopics(KAFKA, prefix);
        EventScript script = script(prefix);
        KAFKA.produce(script.records(System.currentTimeMillis()));
        FaultInjector.reset(false);
        Configuration flink = new Configuration();
        flink.setString("state.backend.rocksdb.localdir", rocksDb.toString());
        JobClient job =
                ClassifierTestJob.start(
                        StreamTestJob.settings(
                                KAFKA,
                                prefix,
                                Map.of("model.initial.uri", model.announcement().uri())),
                        new FaultInjector(4, Integer.MAX_VALUE),
                        "rocksdb",
                        flink);
        try {
            assertMatchesOfflineEvaluation(script, readResults(prefix, script.planned().size()));
            List<RocksDbOptionsFile.ColumnFamily> families =
                    RocksDbOptionsFile.stateColumnFamilies(rocksDb);
            assertThat(families)
                    .as("RocksDB column families of the job's keyed state")
                    .isNotEmpty();
            for (RocksDbOptionsFile.ColumnFamily family : families) {
                assertThat(family.compressionPerLevel())
                        .as(family.name())
                        .isNotEmpty()
                        .allMatch("kNoCompression"::equals);
                assertThat(family.filterPolicy()).as(family.name()).containsIgnoringCase("bloom");
            }
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Injects one failure after a completed checkpoint; the committed output is the offline answer.
     */
    private static void assertExactlyOnceAcrossAFailure(String prefix, String stateBackend)
            throws Exception {
        StreamTestJob.createTopics(KAFKA, prefix);
        EventScript script = script(prefix);
        KAFKA.produce(script.records(System.currentTimeMillis()));

        FaultInjector.reset(true);
        Map<String, String> settings =
                StreamTestJob.settings(
                        KAFKA, prefix, Map.of("model.initial.uri", model.announcement().uri()));
        JobClient job =
                ClassifierTestJob.start(settings, new FaultInjector(2, 1_500), stateBackend);
        try {
            List<Results.Result> results = readResults(prefix, script.planned().size());
            assertThat(FaultInjector.FIRED.get()).as("the failure was injected").isTrue();
            assertThat(FaultInjector.MAX_ATTEMPT.get())
                    .as("tasks restarted")
                    .isGreaterThanOrEqualTo(1);
            assertMatchesOfflineEvaluation(script, results);
        } finally {
            job.cancel().get();
        }
    }

    private static EventScript script(String prefix) {
        EventScript script = new EventScript(prefix + "-events");
        int keys = 240;
        for (int i = 0; i < vowels.size(); i++) {
            script.add("speaker-" + (i % keys), "s" + i, vowels.sequences().get(i));
        }
        return script;
    }

    private static List<Results.Result> readResults(String prefix, int expected) {
        return Results.readCommitted(KAFKA, prefix, model.classifier().spec().labels(), expected);
    }

    private static void assertMatchesOfflineEvaluation(
            EventScript script, List<Results.Result> results) {
        OfflineReplay.assertExact(script, results, model.classifier(), 1);
    }
}
