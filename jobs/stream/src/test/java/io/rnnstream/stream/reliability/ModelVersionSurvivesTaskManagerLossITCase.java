package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TaskManagers;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T14. Fault: version 2 of the model is announced and a TaskManager is lost right after (before or
 * while the announcement is processed); a replacement is started. Later a tampered version 3 is
 * announced. Traffic: rounds of one whole sequence per key for {@link #KEYS} keys that cover both
 * parallel instances. Must hold: after recovery every key in a round is served by version 2 (so
 * both instances agree), no key's version ever goes back from 2 to 1, every result equals the
 * offline replay by the version it names, and version 3 is refused (dead letter {@code
 * model-rejected}) while version 2 keeps serving.
 */
class ModelVersionSurvivesTaskManagerLossITCase {

    private static final String PREFIX = "model-tm-loss";
    private static final int KEYS = 24;
    private static final int MAX_ROUNDS = 40;

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = TaskManagers.twoWithOneSlotEach();

    @TempDir Path models;
    private VowelStream stream;
    private final LongSupplier clock = EventScript.wallClock();
    private final Map<String, List<Long>> versionsByKey = new HashMap<>();
    private final Map<Long, SequenceClassifier> classifiers = new HashMap<>();
    private int round;

    @Test
    void allInstancesServeTheNewVersionAfterRecoveryAndRefuseATamperedOne(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        stream = VowelStream.create(KAFKA, models);
        TestModels.Written v2 =
                TestModels.featureModel(
                        models.resolve("v2"), "vowels", 2, 8, CellType.LSTM, 16, stream.data());
        TestModels.Written v3 =
                TestModels.featureModel(
                        models.resolve("v3"), "vowels", 3, 9, CellType.LSTM, 16, stream.data());
        TestModels.flipOneByte(v3.directory().resolve("serving.bin"));
        classifiers.put(1L, stream.model().classifier());
        classifiers.put(2L, v2.classifier());
        assertThat(subtasksOf(keys())).as("the keys cover both instances").hasSize(2);

        StreamTestJob.createTopics(KAFKA, PREFIX);
        FaultInjector.reset(false);
        // Quiet periods are short so each round's last events are applied without new traffic.
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(PREFIX, Map.of("events.idleness", "1 s")),
                        new FaultInjector(0, Integer.MAX_VALUE));
        try {
            assertThat(playRound()).as("before the announcement").containsOnly(1L);

            TestModels.announce(KAFKA, PREFIX + "-models", v2.announcement());
            Duration recovery =
                    TaskManagers.replaceOne(cluster, job.getJobID(), Duration.ofSeconds(60));
            System.out.println("T14: running again " + recovery.toMillis() + " ms after the loss");

            Set<Long> served = playRound();
            while (!served.equals(Set.of(2L))) {
                assertThat(round)
                        .as("rounds until every key is on version 2")
                        .isLessThan(MAX_ROUNDS);
                served = playRound();
            }
            assertThat(playRound()).as("the round after").containsOnly(2L);

            TestModels.announce(KAFKA, PREFIX + "-models", v3.announcement());
            List<ConsumerRecord<byte[], byte[]>> refused =
                    KAFKA.read(
                            PREFIX + "-dead-letters",
                            "read_committed",
                            1,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1));
            assertThat(refused)
                    .extracting(r -> KafkaBroker.header(r, DeadLetterSerializer.REASON))
                    .containsExactly("model-rejected");
            assertThat(KafkaBroker.header(refused.get(0), DeadLetterSerializer.MESSAGE))
                    .contains("version 3");
            assertThat(playRound()).as("after the tampered version").containsOnly(2L);

            versionsByKey.forEach(
                    (key, versions) ->
                            assertThat(versions)
                                    .as("versions of %s by round", key)
                                    .isSortedAccordingTo(Long::compare));
        } finally {
            job.cancel().get();
        }
    }

    /**
     * One sequence per key; waits for their committed results, checks each against the offline
     * replay by the version it names, and returns the versions that served the round.
     */
    private Set<Long> playRound() {
        String seq = "r" + round;
        EventScript script = new EventScript(PREFIX + "-events");
        for (int k = 0; k < KEYS; k++) {
            script.add(keys().get(k), seq, stream.data().sequences().get(round * KEYS + k));
        }
        KAFKA.produce(script.records(0, 1, clock));
        List<Results.Result> results = awaitRound(seq);
        Set<Long> served = new HashSet<>();
        Map<String, Results.Result> byId = OfflineReplay.oneResultPerSequence(results);
        for (EventScript.Planned plan : script.planned()) {
            Results.Result result = byId.get(plan.key() + "/" + seq);
            assertThat(result).as("result of %s in round %d", plan.key(), round).isNotNull();
            OfflineReplay.assertResult(
                    result,
                    plan.sequence().features(),
                    classifiers.get(result.modelVersion()),
                    result.modelVersion());
            versionsByKey
                    .computeIfAbsent(plan.key(), k -> new ArrayList<>())
                    .add(result.modelVersion());
            served.add(result.modelVersion());
        }
        round++;
        return served;
    }

    private List<Results.Result> awaitRound(String seq) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            List<Results.Result> ofRound =
                    Results.parse(
                                    KAFKA.read(
                                            PREFIX + "-results",
                                            "read_committed",
                                            Integer.MAX_VALUE,
                                            Duration.ofMillis(500),
                                            Duration.ZERO),
                                    stream.labels())
                            .stream()
                            .filter(r -> r.seq().equals(seq))
                            .toList();
            if (ofRound.size() >= KEYS || System.nanoTime() > deadline) {
                return ofRound;
            }
        }
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add("device-" + k);
        }
        return keys;
    }

    /** Which parallel instances (of 2, max parallelism 128) the keys' state lives on. */
    private static Set<Integer> subtasksOf(List<String> keys) {
        Set<Integer> subtasks = new HashSet<>();
        for (String key : keys) {
            subtasks.add(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            "vowels\u0000" + key, 128, 2));
        }
        return subtasks;
    }
}
