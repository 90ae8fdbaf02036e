package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.testing.SlowFileSystemFactory;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version whose artifact store is slow ({@link SlowFileSystemFactory}: every load waits {@link
 * SlowFileSystemFactory#DELAY}) stalls only the keys that need it: the classifier operator, as the
 * job runs it, keeps classifying the keys of a loaded version while the slow one loads, and the
 * slow version's keys get every result, in order, once it has loaded.
 */
class SlowArtifactStoreTest {

    private static final Duration GAP = Duration.ofSeconds(10);

    @TempDir static Path models;
    private static TestModels.Written motion;
    private static TestModels.Written gesture;
    private static ModelAnnouncement slowGesture;

    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> harness;
    private SequenceClassifierFunction function;

    @BeforeAll
    static void writeModels() throws Exception {
        Dataset data = TestModels.gaussianSequences("slow-store", 11, 12, 3, 3, List.of("a", "b"));
        motion =
                TestModels.featureModel(
                        models.resolve("motion"), "motion", 1, 21, CellType.LSTM, 6, data);
        gesture =
                TestModels.featureModel(
                        models.resolve("gesture"), "gesture", 1, 22, CellType.LSTM, 6, data);
        slowGesture =
                new ModelAnnouncement(
                        "gesture",
                        1,
                        SlowFileSystemFactory.uri(gesture.directory()),
                        gesture.announcement().sha256());
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void keysOfALoadedVersionKeepGettingResultsWhileAnotherVersionLoadsSlowly() throws Exception {
        openHarness();
        long announced = System.nanoTime();
        harness.processBroadcastElement(
                new RawRecord(null, AnnouncementParser.toJson(slowGesture), "models", 0, 0, 0), 0);
        assertThat(elapsedSince(announced))
                .as("the announcement does not wait for the load")
                .isLessThan(SlowFileSystemFactory.DELAY);

        Map<String, List<Event>> slowSequences = sendGestures(3);
        List<Event> fastEvents = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            List<Event> events = sequence("motion", "m" + k, "s1", 1_000 + k, 3);
            fastEvents.addAll(events);
            send(events);
        }
        harness.watermark(1_500);
        harness.watermark(3_000);

        List<Classification> duringTheLoad = harness.extractOutputValues();
        Duration beforeLoaded = elapsedSince(announced);
        assertThat(function.loadsFinished()).as("the slow version still loads").isFalse();
        assertThat(beforeLoaded).isLessThan(SlowFileSystemFactory.DELAY);
        assertThat(duringTheLoad)
                .as("every key of the loaded version classified while the other loads")
                .hasSize(4)
                .allMatch(result -> result.model().equals("motion"));
        for (Classification result : duringTheLoad) {
            assertProbabilities(
                    result,
                    motion.classifier(),
                    fastEvents.stream().filter(e -> e.key().equals(result.key())).toList());
        }
        assertThat(function.keysWaiting()).as("the slow version's keys wait").isEqualTo(3);

        ModelLoads.await(harness);

        assertThat(elapsedSince(announced))
                .as("the store really was slow")
                .isGreaterThanOrEqualTo(SlowFileSystemFactory.DELAY);
        List<Classification> all = harness.extractOutputValues();
        List<Classification> slowResults =
                all.subList(duringTheLoad.size(), all.size()).stream().toList();
        assertThat(slowResults)
                .as("every sequence of the slow version, none dropped")
                .hasSize(slowSequences.size())
                .allMatch(result -> result.model().equals("gesture"));
        for (int k = 0; k < 3; k++) {
            String key = "g" + k;
            assertThat(slowResults.stream().filter(r -> r.key().equals(key)))
                    .as("key %s: its sequences in order", key)
                    .extracting(Classification::sequenceId)
                    .containsExactly("s1", "s2");
        }
        for (Classification result : slowResults) {
            assertThat(result.modelVersion()).isEqualTo(1);
            assertProbabilities(
                    result,
                    gesture.classifier(),
                    slowSequences.get(result.key() + "/" + result.sequenceId()));
        }
        assertThat(harness.getSideOutput(DeadLetter.SIDE_OUTPUT)).isNull();
        HeapKeyedStateBackend<?> backend =
                (HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        assertThat(backend.numKeyValueStateEntries()).as("keyed state entries").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    @Test
    void keysThatWaitForAVersionAtACheckpointGetEveryResultAfterARestore() throws Exception {
        openHarness();
        harness.processBroadcastElement(
                new RawRecord(null, AnnouncementParser.toJson(slowGesture), "models", 0, 0, 0), 0);
        Map<String, List<Event>> sequences = sendGestures(2);
        harness.watermark(1_500);
        harness.watermark(3_000);
        assertThat(function.keysWaiting()).isEqualTo(2);
        assertThat(harness.extractOutputValues()).isEmpty();

        // The checkpoint is taken while the version still loads: the waiting events and timers
        // are keyed state, the unverified version broadcast state.
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        openHarness(snapshot);
        assertThat(function.keysWaiting()).as("counted from the restored state").isEqualTo(2);
        ModelLoads.await(harness);

        List<Classification> results = harness.extractOutputValues();
        assertThat(results).hasSize(sequences.size());
        for (int k = 0; k < 2; k++) {
            String key = "g" + k;
            assertThat(results.stream().filter(r -> r.key().equals(key)))
                    .extracting(Classification::sequenceId)
                    .containsExactly("s1", "s2");
        }
        for (Classification result : results) {
            assertProbabilities(
                    result,
                    gesture.classifier(),
                    sequences.get(result.key() + "/" + result.sequenceId()));
        }
        assertThat(harness.getSideOutput(DeadLetter.SIDE_OUTPUT)).isNull();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    private void openHarness() throws Exception {
        openHarness(null);
    }

    private void openHarness(OperatorSubtaskState restored) throws Exception {
        ClassifierSettings settings =
                new ClassifierSettings(
                        "motion", motion.announcement(), GAP, 10, 0, true, Duration.ofHours(1));
        function = new SequenceClassifierFunction(settings, new ModelLoader());
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new SequenceClassifierOperator(function),
                        event -> StateKey.of(event.model(), event.key()),
                        Types.STRING,
                        1,
                        1,
                        0);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
    }

    /**
     * Sends two sequences for each of {@code keys} keys of the slow version, to be released by two
     * watermark advances (1,500 and 3,000), so that a key's second timers queue behind its first;
     * returns them by {@code key/sequence}.
     */
    private Map<String, List<Event>> sendGestures(int keys) throws Exception {
        Map<String, List<Event>> sequences = new LinkedHashMap<>();
        for (int k = 0; k < keys; k++) {
            List<Event> first = sequence("gesture", "g" + k, "s1", 1_000 + k, 3);
            List<Event> second = sequence("gesture", "g" + k, "s2", 2_000 + k, 2);
            sequences.put("g" + k + "/s1", first);
            sequences.put("g" + k + "/s2", second);
            send(first);
            send(second);
        }
        return sequences;
    }

    private void send(List<Event> events) throws Exception {
        for (Event event : events) {
            harness.processElement(event, event.timestamp());
        }
    }

    private static List<Event> sequence(
            String model, String key, String sequenceId, long start, int length) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            float[] features = {0.3f * i, 1f - 0.2f * i, (float) Math.sin(start + i)};
            events.add(
                    new Event(
                            key,
                            model,
                            start + 10L * i,
                            sequenceId,
                            features,
                            null,
                            i + 1 == length,
                            new RawRecord(null, "{}".getBytes(), "events", 0, 0, 0)));
        }
        return events;
    }

    private static void assertProbabilities(
            Classification result, SequenceClassifier classifier, List<Event> events) {
        Stepper stepper = classifier.newStepper();
        RecurrentState state = classifier.initialState();
        for (Event event : events) {
            stepper.advance(state, event.features());
        }
        assertThat(result.steps()).isEqualTo(events.size());
        assertThat(result.probabilities())
                .containsExactly(stepper.probabilities(state), Offset.offset(1e-6f));
    }

    private static Duration elapsedSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
