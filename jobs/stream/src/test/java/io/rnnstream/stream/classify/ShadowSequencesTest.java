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
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.stream.sink.ClassificationSerializer;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow versions in the classifier operator (Flink's keyed operator harness, step batching on): a
 * shadow runs on the key's events from the start of a sequence with its own state, answers only on
 * the shadow output, never changes a served byte, and leaves nothing behind; the rules of roles
 * (limit, newer than serving, promotion, explicit rollback, retirement) hold; shadow state and
 * roles survive a snapshot and a rescale.
 */
class ShadowSequencesTest {

    private static final Duration GAP = Duration.ofSeconds(10);
    private static final int MAX_LENGTH = 4;
    private static final int MAX_PARALLELISM = 128;

    @TempDir static Path models;
    private static TestModels.Written v1;
    private static TestModels.Written v2;
    private static TestModels.Written v3;
    private static TestModels.Written v4;
    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> harness;
    private long offset;

    @BeforeAll
    static void writeModels() throws Exception {
        Dataset data = TestModels.gaussianSequences("fixture", 5, 20, 4, 3, List.of("a", "b"));
        v1 = TestModels.featureModel(models.resolve("v1"), "motion", 1, 11, CellType.LSTM, 6, data);
        v2 = TestModels.featureModel(models.resolve("v2"), "motion", 2, 12, CellType.LSTM, 6, data);
        v3 =
                TestModels.featureModel(
                        models.resolve("v3"), "motion", 3, 13, CellType.ELMAN, 6, data);
        v4 = TestModels.featureModel(models.resolve("v4"), "motion", 4, 14, CellType.LSTM, 6, data);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aShadowRunsOnTheKeysEventsWithItsOwnStateAndAnswersOnlyOnTheShadowOutput()
            throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        List<Event> events = sequence("k", "s1", 1_000, 3, true);
        send(events);
        harness.watermark(2_000);

        assertThat(harness.extractOutputValues()).hasSize(1);
        Classification served = harness.extractOutputValues().get(0);
        assertThat(served.modelVersion()).isEqualTo(1);
        assertProbabilities(served, v1.classifier(), events);
        List<Classification> shadow = shadowResults();
        assertThat(shadow).hasSize(1);
        assertThat(shadow.get(0).modelVersion()).isEqualTo(2);
        assertThat(shadow.get(0).trigger()).isEqualTo(Trigger.END);
        assertThat(shadow.get(0).steps()).isEqualTo(3);
        assertThat(shadow.get(0).sequenceId()).isEqualTo("s1");
        assertProbabilities(shadow.get(0), v2.classifier(), events);
        assertNothingLeft();
    }

    @Test
    void aShadowStartsOnlyOnSequencesThatBeginAfterItIsAccepted() throws Exception {
        open(0, false);
        List<Event> before = sequence("before", "s", 1_000, 3, true);
        send(before.subList(0, 1));
        harness.watermark(1_000);
        announce(v2, ModelRole.SHADOW, false);
        send(before.subList(1, 3));
        List<Event> after = sequence("after", "s", 1_100, 3, true);
        send(after);
        harness.watermark(2_000);

        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(shadowResults()).extracting(Classification::key).containsExactly("after");
        assertProbabilities(shadowResults().get(0), v2.classifier(), after);
        assertNothingLeft();
    }

    @Test
    void servedResultsAreByteIdenticalWithZeroOneAndTwoShadows() throws Exception {
        List<List<String>> served = new ArrayList<>();
        List<Integer> shadowCounts = new ArrayList<>();
        for (int shadows = 0; shadows <= 2; shadows++) {
            open(2, false);
            if (shadows >= 1) {
                announce(v2, ModelRole.SHADOW, false);
            }
            if (shadows >= 2) {
                announce(v4, ModelRole.SHADOW, false);
            }
            sendEveryTrigger();
            served.add(
                    harness.extractOutputValues().stream()
                            .map(c -> new String(ClassificationSerializer.toJson(c)))
                            .toList());
            shadowCounts.add(shadowResults().size());
            assertNothingLeft();
            harness.close();
            harness = null;
        }
        assertThat(served.get(0)).hasSizeGreaterThan(5);
        assertThat(served.get(1)).containsExactlyElementsOf(served.get(0));
        assertThat(served.get(2)).containsExactlyElementsOf(served.get(0));
        assertThat(shadowCounts).containsExactly(0, served.get(0).size(), 2 * served.get(0).size());
    }

    @Test
    void shadowResultsFollowTheServingSequenceThroughEveryTrigger() throws Exception {
        open(2, false);
        announce(v2, ModelRole.SHADOW, false);
        sendEveryTrigger();
        List<Classification> served = harness.extractOutputValues();
        List<Classification> shadow = shadowResults();
        assertThat(shadow).hasSameSizeAs(served);
        for (int i = 0; i < served.size(); i++) {
            Classification s = served.get(i);
            Classification h = shadow.get(i);
            assertThat(h.key()).isEqualTo(s.key());
            assertThat(h.sequenceId()).isEqualTo(s.sequenceId());
            assertThat(h.trigger()).isEqualTo(s.trigger());
            assertThat(h.steps()).isEqualTo(s.steps());
            assertThat(h.firstTimestamp()).isEqualTo(s.firstTimestamp());
            assertThat(h.lastTimestamp()).isEqualTo(s.lastTimestamp());
            assertThat(h.modelVersion()).isEqualTo(2);
        }
        assertNothingLeft();
    }

    @Test
    void aShadowSequenceContinuesAfterARestoreFromASnapshot() throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        List<Event> events = sequence("k", "s1", 1_000, 4, true);
        send(events.subList(0, 2));
        harness.watermark(1_500);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness(0, false);
        harness.initializeState(snapshot);
        harness.open();
        send(events.subList(2, 4));
        harness.watermark(2_000);
        ModelLoads.await(harness); // the restored shadow version loads again

        assertThat(shadowResults()).hasSize(1);
        assertProbabilities(shadowResults().get(0), v2.classifier(), events);
        assertProbabilities(harness.extractOutputValues().get(0), v1.classifier(), events);
        assertNothingLeft();
    }

    @Test
    void shadowSequencesAndRolesMoveWithTheirKeysWhenRescaledFromOneToTwo() throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        Map<String, List<Event>> sequences = new TreeMap<>();
        for (int k = 0; k < 12; k++) {
            List<Event> events = sequence("k" + k, "s", 1_000 + 10 * k, 4, true);
            sequences.put("k" + k, events);
            send(events.subList(0, 2));
        }
        harness.watermark(1_500);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = null;

        List<Classification> shadow = new ArrayList<>();
        List<Classification> served = new ArrayList<>();
        Set<Integer> subtasksWithKeys = new HashSet<>();
        long openAfterRescale = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> part =
                    newHarness(0, false, 2, subtask);
            part.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask));
            part.open();
            SequenceClassifierFunction function =
                    (SequenceClassifierFunction)
                            ((AbstractUdfStreamOperator<?, ?>) part.getOperator())
                                    .getUserFunction();
            int current = subtask;
            long mine =
                    sequences.keySet().stream()
                            .filter(
                                    key ->
                                            KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                                            StateKey.of("motion", key),
                                                            MAX_PARALLELISM,
                                                            2)
                                                    == current)
                            .count();
            assertThat(function.openSequences())
                    .as("openSequences of subtask %d: the open sequences of its keys", subtask)
                    .isEqualTo(mine);
            openAfterRescale += function.openSequences();
            for (Map.Entry<String, List<Event>> entry : sequences.entrySet()) {
                String stateKey = StateKey.of("motion", entry.getKey());
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                stateKey, MAX_PARALLELISM, 2)
                        != subtask) {
                    continue;
                }
                subtasksWithKeys.add(subtask);
                for (Event event : entry.getValue().subList(2, 4)) {
                    part.processElement(event, event.timestamp());
                }
            }
            // A sequence that starts after the restore: the restored roles start its shadow too.
            int n = 0;
            while (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            StateKey.of("motion", "fresh-" + n), MAX_PARALLELISM, 2)
                    != subtask) {
                n++;
            }
            List<Event> fresh = sequence("fresh-" + n, "s", 1_600, 2, true);
            for (Event event : fresh) {
                part.processElement(event, event.timestamp());
            }
            part.watermark(2_000);
            ModelLoads.await(part); // the restored shadow version loads again
            served.addAll(part.extractOutputValues());
            var side = part.getSideOutput(SequenceClassifierFunction.SHADOW_RESULTS);
            side.forEach(r -> shadow.add(r.getValue()));
            part.close();
        }
        assertThat(subtasksWithKeys).as("the keys spread over both subtasks").hasSize(2);
        assertThat(openAfterRescale).as("every open sequence counted once").isEqualTo(12);
        assertThat(served).hasSize(14);
        assertThat(shadow).hasSize(14);
        for (Classification result : shadow) {
            if (result.key().startsWith("k")) {
                assertProbabilities(result, v2.classifier(), sequences.get(result.key()));
            }
            assertThat(result.modelVersion()).isEqualTo(2);
        }
    }

    @Test
    void refusesAShadowBeyondTheLimitOrNotNewerThanServing() throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        announce(v3, ModelRole.SHADOW, false);
        announce(v4, ModelRole.SHADOW, false);
        assertThat(rejections()).hasSize(1);
        assertThat(rejections().get(0))
                .contains("version 4")
                .contains("already runs 2 (versions [2, 3])")
                .contains("shadow.max-per-model");

        open(0, false);
        announce(v2, ModelRole.SERVING, false);
        announce(v1, ModelRole.SHADOW, false);
        assertThat(rejections()).hasSize(1);
        assertThat(rejections().get(0)).contains("not newer than the serving version 2");
    }

    @Test
    void aPromotedShadowServesNewSequencesWhileInFlightOnesFinishOnTheirVersions()
            throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        sequencesAround(v2, ModelRole.SERVING);

        assertThat(harness.extractOutputValues())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactlyInAnyOrder("early v1", "late v2");
        assertThat(shadowResults())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactly("early v2");
        assertThat(rejections()).isEmpty();
        assertNothingLeft();
    }

    @Test
    void aRetiredShadowStartsOnNoNewSequenceWhileInFlightOnesFinishOnIt() throws Exception {
        open(0, false);
        announce(v2, ModelRole.SHADOW, false);
        announce(v3, ModelRole.SHADOW, false);
        List<Event> inFlight = sequencesAround(v2, ModelRole.RETIRED);

        assertThat(harness.extractOutputValues())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactlyInAnyOrder("early v1", "late v1");
        assertThat(shadowResults())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactlyInAnyOrder("early v2", "early v3", "late v3");
        assertProbabilities(
                shadowResults().stream()
                        .filter(c -> c.key().equals("early") && c.modelVersion() == 2)
                        .findFirst()
                        .orElseThrow(),
                v2.classifier(),
                inFlight);
        announce(v4, ModelRole.SHADOW, false);
        announce(v2, ModelRole.RETIRED, false);
        assertThat(rejections())
                .as("the retirement freed a place among 2 shadows; a second one changes nothing")
                .isEmpty();
        assertNothingLeft();
    }

    @Test
    void theServingVersionCannotBeRetired() throws Exception {
        open(0, false);
        announce(v1, ModelRole.RETIRED, false);
        send(sequence("k", "s", 1_000, 2, true));
        harness.watermark(2_000);

        assertThat(rejections()).hasSize(1);
        assertThat(rejections().get(0))
                .contains("model motion version 1 serves and cannot be retired");
        assertThat(harness.extractOutputValues())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactly("k v1");
    }

    @Test
    void anOlderVersionServesAgainOnlyThroughAnExplicitRollback() throws Exception {
        open(0, false);
        announce(v2, ModelRole.SERVING, false);
        announce(v3, ModelRole.SERVING, false);
        TestModels.Written older = v1;
        announce(older, ModelRole.SERVING, false);
        assertThat(rejections()).hasSize(1);
        assertThat(rejections().get(0))
                .contains("not newer than the version in service, 3")
                .contains("rnnstream rollback --to 1");
        send(sequence("a", "s", 1_000, 2, true));
        harness.watermark(1_500);

        announce(v2, ModelRole.SERVING, true);
        send(sequence("b", "s", 1_600, 2, true));
        harness.watermark(2_000);

        assertThat(harness.extractOutputValues())
                .extracting(c -> c.key() + " v" + c.modelVersion())
                .containsExactly("a v3", "b v2");
        assertNothingLeft();
    }

    @Test
    void eachKeysShadowPredictionsPrecedeItsServedOne() throws Exception {
        open(0, true);
        announce(v2, ModelRole.SHADOW, false);
        announce(v4, ModelRole.SHADOW, false);
        send(sequence("a", "s", 1_000, 2, true));
        send(sequence("b", null, 1_000, 3, true));
        harness.watermark(2_000);

        List<Prediction> predictions =
                harness.getSideOutput(SequenceClassifierFunction.PREDICTIONS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(predictions).hasSize(6);
        for (String key : List.of("a", "b")) {
            assertThat(predictions.stream().filter(p -> p.entity().equals(key)))
                    .extracting(Prediction::role)
                    .containsExactly(ModelRole.SHADOW, ModelRole.SHADOW, ModelRole.SERVING);
        }
        assertThat(predictions)
                .filteredOn(p -> p.entity().equals("b"))
                .extracting(Prediction::pairId)
                .containsOnly("ts:1002");
        assertNothingLeft();
    }

    /** Every way a sequence ends, and running results every 2 steps when open with emitEvery 2. */
    private void sendEveryTrigger() throws Exception {
        send(sequence("end", "s", 1_000, 3, true));
        send(sequence("long", "s", 1_000, MAX_LENGTH + 2, true));
        List<Event> replaced = sequence("replaced", "s1", 1_000, 3, false);
        replaced.addAll(sequence("replaced", "s2", 1_003, 2, true));
        send(replaced);
        send(sequence("quiet", "s", 1_000, 3, false));
        harness.watermark(1_100);
        harness.watermark(1_100 + GAP.toMillis());
    }

    private void open(int emitEvery, boolean evaluate) throws Exception {
        if (harness != null) {
            harness.close();
        }
        harness = newHarness(emitEvery, evaluate);
        harness.open();
    }

    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> newHarness(
            int emitEvery, boolean evaluate) throws Exception {
        return newHarness(emitEvery, evaluate, 1, 0);
    }

    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> newHarness(
            int emitEvery, boolean evaluate, int parallelism, int subtask) throws Exception {
        ClassifierSettings settings =
                new ClassifierSettings(
                        "motion",
                        v1.announcement(),
                        GAP,
                        MAX_LENGTH,
                        emitEvery,
                        true,
                        Duration.ofHours(1),
                        2,
                        evaluate,
                        ClassifierSettings.DEFAULT_MODEL_CACHE_SIZE,
                        ClassifierSettings.DEFAULT_MODEL_CACHE_PER_MODEL);
        return new KeyedBroadcastOperatorTestHarness<>(
                new SequenceClassifierOperator(
                        new SequenceClassifierFunction(settings, new ModelLoader())),
                event -> StateKey.of(event.model(), event.key()),
                Types.STRING,
                MAX_PARALLELISM,
                parallelism,
                subtask);
    }

    private void announce(TestModels.Written version, ModelRole role, boolean rollback)
            throws Exception {
        RoleAnnouncement announced = new RoleAnnouncement(version.announcement(), role, rollback);
        harness.processBroadcastElement(
                new RawRecord(null, AnnouncementParser.toJson(announced), "models", 0, offset++, 0),
                0);
        ModelLoads.await(harness);
    }

    /**
     * Sequence {@code early} starts, {@code version} is announced as {@code role}, then {@code
     * early} ends and sequence {@code late} runs whole; returns the events of {@code early}.
     */
    private List<Event> sequencesAround(TestModels.Written version, ModelRole role)
            throws Exception {
        List<Event> inFlight = sequence("early", "s", 1_000, 3, true);
        send(inFlight.subList(0, 1));
        harness.watermark(1_000);
        announce(version, role, false);
        send(inFlight.subList(1, 3));
        send(sequence("late", "s", 1_100, 3, true));
        harness.watermark(2_000);
        return inFlight;
    }

    private List<Classification> shadowResults() {
        var shadow = harness.getSideOutput(SequenceClassifierFunction.SHADOW_RESULTS);
        return shadow == null ? List.of() : shadow.stream().map(StreamRecord::getValue).toList();
    }

    private List<String> rejections() {
        List<String> messages = new ArrayList<>();
        var deadLetters = harness.getSideOutput(DeadLetter.SIDE_OUTPUT);
        if (deadLetters != null) {
            deadLetters.forEach(r -> messages.add(r.getValue().message()));
        }
        return messages;
    }

    private void send(List<Event> events) throws Exception {
        for (Event event : events) {
            harness.processElement(event, event.timestamp());
        }
    }

    private static List<Event> sequence(String key, String seq, long from, int steps, boolean end) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            float[] features = {0.3f * i - 0.5f, key.length() * 0.1f, (float) Math.sin(from + i)};
            events.add(
                    new Event(
                            key,
                            "motion",
                            from + i,
                            seq,
                            features,
                            null,
                            end && i == steps - 1,
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
        assertThat(result.probabilities())
                .containsExactly(stepper.probabilities(state), Offset.offset(1e-6f));
    }

    private void assertNothingLeft() {
        HeapKeyedStateBackend<?> backend =
                (HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        assertThat(backend.numKeyValueStateEntries()).as("keyed state entries").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }
}
