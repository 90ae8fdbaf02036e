package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.testing.EventScript;
import io.rnnstream.stream.testing.FaultInjector;
import io.rnnstream.stream.testing.KafkaBroker;
import io.rnnstream.stream.testing.Results;
import io.rnnstream.stream.testing.StreamTestJob;
import io.rnnstream.stream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
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

    private static final double TOLERANCE = 1e-5;

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
        JobClient job = StreamTestJob.start(settings, new FaultInjector(4, Integer.MAX_VALUE));
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
        JobClient job = StreamTestJob.start(settings, new FaultInjector(2, 1_500), stateBackend);
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
        List<Results.Result> results =
                Results.parse(
                        KAFKA.read(
                                prefix + "-results",
                                "read_committed",
                                expected,
                                Duration.ofSeconds(120),
                                Duration.ofSeconds(3)),
                        model.classifier().spec().labels());
        if (results.size() < expected) {
            Map<String, Long> reasons =
                    KAFKA
                            .read(
                                    prefix + "-dead-letters",
                                    "read_uncommitted",
                                    Integer.MAX_VALUE,
                                    Duration.ofSeconds(2),
                                    Duration.ZERO)
                            .stream()
                            .collect(
                                    Collectors.groupingBy(
                                            r -> KafkaBroker.header(r, DeadLetterSerializer.REASON),
                                            Collectors.counting()));
            throw new AssertionError(
                    "expected "
                            + expected
                            + " results, got "
                            + results.size()
                            + "; dead letters by reason: "
                            + reasons);
        }
        return results;
    }

    /** Same sequences, same labels, probabilities within 1e-5, no duplicates, nothing missing. */
    private static void assertMatchesOfflineEvaluation(
            EventScript script, List<Results.Result> results) {
        Map<String, Long> counts =
                results.stream()
                        .collect(Collectors.groupingBy(Results.Result::id, Collectors.counting()));
        assertThat(counts.values()).as("one result per sequence").allMatch(n -> n == 1);
        Map<String, Results.Result> byId =
                results.stream().collect(Collectors.toMap(Results.Result::id, Function.identity()));
        assertThat(byId).hasSize(script.planned().size());
        SequenceClassifier classifier = model.classifier();
        for (EventScript.Planned plan : script.planned()) {
            Results.Result result = byId.get(plan.key() + "/" + plan.sequenceId());
            assertThat(result).as("result of %s/%s", plan.key(), plan.sequenceId()).isNotNull();
            float[] expected = classifier.classifyFeatures(plan.sequence().features());
            assertThat(result.trigger()).isEqualTo("end");
            assertThat(result.steps()).isEqualTo(plan.sequence().length());
            assertThat(result.modelVersion()).isEqualTo(1);
            assertThat(result.label())
                    .isEqualTo(classifier.spec().labels().get(SequenceClassifier.argMax(expected)));
            for (int c = 0; c < expected.length; c++) {
                assertThat((double) result.probabilities()[c])
                        .as("%s class %d of %s", result.id(), c, Arrays.toString(expected))
                        .isCloseTo(expected[c], org.assertj.core.data.Offset.offset(TOLERANCE));
            }
        }
    }
}
