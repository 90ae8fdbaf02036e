package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a sequence ends emits one classification and leaves no keyed state and no timer behind;
 * bad events go to the dead-letter output. Runs the operator as the job does, with step batching on
 * ({@link StepBatchingTest} holds both modes to each other).
 */
class SequenceClassifierFunctionTest {

    private static final Duration GAP = Duration.ofSeconds(10);
    private static final int MAX_LENGTH = 5;

    @TempDir static Path models;
    private static TestModels.Written model;
    private static Dataset data;
    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> harness;
    private SequenceClassifierFunction function;

    @BeforeAll
    static void writeModel() throws Exception {
        data = TestModels.gaussianSequences("fixture", 3, 20, 4, 3, List.of("a", "b"));
        model =
                TestModels.featureModel(
                        models.resolve("m1"), "motion", 1, 11, CellType.LSTM, 6, data);
    }

    private void openHarness(int emitEvery) throws Exception {
        openHarness(emitEvery, null);
    }

    private void openHarness(int emitEvery, OperatorSubtaskState restored) throws Exception {
        ClassifierSettings settings =
                new ClassifierSettings(
                        "motion",
                        model.announcement(),
                        GAP,
                        MAX_LENGTH,
                        emitEvery,
                        true,
                        Duration.ofHours(1));
        function = new SequenceClassifierFunction(settings, new ModelLoader());
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new SequenceClassifierOperator(function),
                        event -> event.model() + '\u0000' + event.key(),
                        Types.STRING,
                        1,
                        1,
                        0);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void emitsOnEndAndLeavesNothingBehind() throws Exception {
        openHarness(0);
        Event[] events = {
            event("k", "s1", 1_000, false),
            event("k", "s1", 1_100, false),
            event("k", "s1", 1_200, true)
        };
        send(events);
        harness.watermark(1_200);

        Classification result = single();
        assertThat(result.trigger()).isEqualTo(Trigger.END);
        assertThat(result.steps()).isEqualTo(3);
        assertThat(result.firstTimestamp()).isEqualTo(1_000);
        assertThat(result.lastTimestamp()).isEqualTo(1_200);
        assertThat(result.modelVersion()).isEqualTo(1);
        assertThat(result.probabilities())
                .containsExactly(
                        expectedProbabilities(events), org.assertj.core.data.Offset.offset(1e-6f));
        assertNothingLeft();
    }

    @Test
    void theOpenSequencesGaugesCountTheSequencesARestoreBringsBackInAllAndPerModel()
            throws Exception {
        openHarness(0);
        send(
                event("a", "s1", 1_000, false),
                event("b", "s1", 1_000, false),
                event("c", "s1", 1_000, false),
                event("c", "s1", 1_100, true));
        harness.watermark(1_100);
        assertThat(function.openSequences()).as("a and b open, c ended").isEqualTo(2);
        assertThat(function.openSequences("motion")).isEqualTo(2);
        assertThat(function.events("motion")).isEqualTo(4);
        OperatorSubtaskState checkpoint = harness.snapshot(1, 1);
        harness.close();

        openHarness(0, checkpoint);
        assertThat(function.openSequences()).as("restored, before any event").isEqualTo(2);
        assertThat(function.openSequences("motion")).as("per model, restored").isEqualTo(2);
        send(event("a", "s1", 1_200, true), event("d", "s1", 1_200, false));
        harness.watermark(1_200);

        assertThat(function.openSequences()).as("a ended, d started").isEqualTo(2);
        assertThat(function.openSequences("motion")).isEqualTo(2);
        send(event("b", "s1", 1_300, true));
        harness.watermark(1_300);
        assertThat(function.openSequences()).isEqualTo(1);
        assertThat(function.openSequences("motion")).isEqualTo(1);
        assertThat(function.openSequences("another")).as("a model without sequences").isZero();
        assertThat(function.events("motion")).as("events since the restore").isEqualTo(3);
    }

    @Test
    void emitsWhenTheInactivityGapPasses() throws Exception {
        openHarness(0);
        send(event("k", "s1", 1_000, false), event("k", "s1", 2_000, false));
        harness.watermark(2_000);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.watermark(2_000 + GAP.toMillis());

        assertThat(single().trigger()).isEqualTo(Trigger.GAP);
        assertNothingLeft();
    }

    @Test
    void aGapTimerThatIsTheFirstThingToFireAfterARestoreEndsItsSequence() throws Exception {
        openHarness(0);
        send(event("k", "s1", 1_000, false));
        harness.watermark(1_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_500);
        harness.close();

        openHarness(0, snapshot);
        harness.watermark(1_000 + GAP.toMillis());

        Classification result = single();
        assertThat(result.trigger()).isEqualTo(Trigger.GAP);
        assertThat(result.steps()).isEqualTo(1);
        assertNothingLeft();
    }

    @Test
    void emitsAtTheMaximumLengthAndStartsAfresh() throws Exception {
        openHarness(0);
        for (int i = 0; i < MAX_LENGTH + 2; i++) {
            send(event("k", "s1", 1_000 + i, i == MAX_LENGTH + 1));
        }
        harness.watermark(2_000);

        List<Classification> results = harness.extractOutputValues();
        assertThat(results)
                .extracting(Classification::trigger)
                .containsExactly(Trigger.MAX_LENGTH, Trigger.END);
        assertThat(results).extracting(Classification::steps).containsExactly(MAX_LENGTH, 2);
        assertNothingLeft();
    }

    @Test
    void aNewSequenceIdEndsTheCurrentSequence() throws Exception {
        openHarness(0);
        send(
                event("k", "s1", 1_000, false),
                event("k", "s1", 1_001, false),
                event("k", "s2", 1_002, true));
        harness.watermark(1_002);

        List<Classification> results = harness.extractOutputValues();
        assertThat(results)
                .extracting(Classification::trigger)
                .containsExactly(Trigger.NEW_SEQ, Trigger.END);
        assertThat(results).extracting(Classification::sequenceId).containsExactly("s1", "s2");
        assertThat(results).extracting(Classification::steps).containsExactly(2, 1);
        assertNothingLeft();
    }

    @Test
    void emitsARunningClassificationEveryNSteps() throws Exception {
        openHarness(2);
        for (int i = 0; i < 4; i++) {
            send(event("k", "s1", 1_000 + i, false));
        }
        harness.watermark(1_003);
        assertThat(harness.extractOutputValues())
                .extracting(Classification::trigger)
                .containsExactly(Trigger.EVERY_N, Trigger.EVERY_N);
        assertThat(harness.extractOutputValues())
                .extracting(Classification::steps)
                .containsExactly(2, 4);

        harness.watermark(1_003 + GAP.toMillis());
        assertThat(harness.extractOutputValues())
                .extracting(Classification::trigger)
                .endsWith(Trigger.GAP);
        assertNothingLeft();
    }

    @Test
    void appliesOutOfOrderEventsInEventTimeOrder() throws Exception {
        openHarness(0);
        Event first = event("k", "s1", 1_000, false);
        Event second = eventWithFeatures("k", "s1", 1_100, new float[] {5f, -1f, 0.5f}, false);
        Event third = event("k", "s1", 1_200, true);
        send(third, second, first);
        harness.watermark(1_200);

        Stepper stepper = model.classifier().newStepper();
        RecurrentState state = model.classifier().initialState();
        stepper.advance(state, first.features());
        stepper.advance(state, second.features());
        stepper.advance(state, third.features());
        assertThat(single().probabilities())
                .containsExactly(
                        stepper.probabilities(state), org.assertj.core.data.Offset.offset(1e-6f));
        assertNothingLeft();
    }

    @Test
    void deadLettersLateEventsWrongDimensionsAndUnknownModels() throws Exception {
        openHarness(0);
        harness.watermark(5_000);
        send(event("k", "s1", 4_000, false));
        send(eventWithFeatures("k", "s1", 6_000, new float[] {1f, 2f}, false));
        harness.processElement(
                new Event(
                        "k",
                        "unknown-model",
                        6_001,
                        null,
                        new float[] {1f, 2f, 3f},
                        null,
                        false,
                        origin()),
                6_001);
        harness.watermark(7_000);

        List<DeadLetterReason> reasons =
                harness.getSideOutput(DeadLetter.SIDE_OUTPUT).stream()
                        .map(StreamRecord::getValue)
                        .map(DeadLetter::reason)
                        .toList();
        assertThat(reasons)
                .containsExactlyInAnyOrder(
                        DeadLetterReason.LATE,
                        DeadLetterReason.WRONG_DIMENSION,
                        DeadLetterReason.UNKNOWN_MODEL);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertNothingLeft();
    }

    @Test
    void refusesATamperedModelVersionAndKeepsServing() throws Exception {
        openHarness(0);
        String tampered =
                "{\"name\":\"motion\",\"version\":2,\"uri\":\""
                        + model.announcement().uri()
                        + "\",\"sha256\":\""
                        + "0".repeat(64)
                        + "\"}";
        harness.processBroadcastElement(
                new RawRecord(null, tampered.getBytes(), "models", 0, 0, 0), 0);
        ModelLoads.await(harness);
        send(event("k", "s1", 1_000, true));
        harness.watermark(1_000);

        assertThat(single().modelVersion()).isEqualTo(1);
        assertThat(harness.getSideOutput(DeadLetter.SIDE_OUTPUT))
                .extracting(r -> r.getValue().reason())
                .containsExactly(DeadLetterReason.MODEL_REJECTED);
        assertThat(AnnouncementParser.parse(tampered.getBytes()).version()).isEqualTo(2);
    }

    @Test
    void refusesVersionsThatFailToVerifyWithoutWaitingForAnEventAndInTheOrderAnnounced()
            throws Exception {
        openHarness(0);
        TestModels.Written tampered =
                TestModels.featureModel(
                        models.resolve("tampered"), "motion", 2, 31, CellType.LSTM, 6, data);
        TestModels.flipOneByte(tampered.directory().resolve("serving.bin"));
        Dataset twoFeatures =
                new Dataset(
                        "two",
                        List.of(
                                LabeledSequence.ofFeatures(
                                        "t", new float[][] {{0.1f, 0.2f}, {0.3f, 0.4f}}, "a"),
                                LabeledSequence.ofFeatures(
                                        "u", new float[][] {{0.5f, 0.1f}, {0.2f, 0.9f}}, "b")),
                        List.of("a", "b"),
                        InputKind.FEATURES,
                        2);
        TestModels.Written misfit =
                TestModels.featureModel(
                        models.resolve("misfit"), "motion", 3, 32, CellType.LSTM, 6, twoFeatures);

        // Version 3 is announced while version 2 is unverified: it must fit version 1, which
        // serves again once version 2 is refused.
        announce(tampered, 1);
        announce(misfit, 2);
        ModelLoads.await(harness);

        assertThat(harness.getSideOutput(DeadLetter.SIDE_OUTPUT))
                .extracting(r -> r.getValue().reason(), r -> r.getValue().message())
                .satisfiesExactly(
                        first -> {
                            assertThat(first.toList().get(0))
                                    .isEqualTo(DeadLetterReason.MODEL_REJECTED);
                            assertThat((String) first.toList().get(1))
                                    .contains("version 2 refused")
                                    .contains("serving.bin");
                        },
                        second ->
                                assertThat((String) second.toList().get(1))
                                        .contains("version 3 refused")
                                        .contains("takes 3"));
        send(event("k", "s1", 1_000, true));
        harness.watermark(1_000);
        assertThat(single().modelVersion()).as("version 1 keeps serving").isEqualTo(1);
    }

    private void announce(TestModels.Written version, long offset) throws Exception {
        harness.processBroadcastElement(
                new RawRecord(
                        null,
                        AnnouncementParser.toJson(version.announcement()),
                        "models",
                        0,
                        offset,
                        0),
                0);
    }

    @Test
    void sequencesFinishOnTheirVersionAfterManyNewerVersionsPushedItOutOfTheCache()
            throws Exception {
        openHarness(0);
        int versions = ClassifierSettings.DEFAULT_MODEL_CACHE_SIZE + 3;
        Map<Long, TestModels.Written> written = new HashMap<>();
        long ts = 1_000;
        for (long v = 2; v <= versions; v++) {
            TestModels.Written next =
                    TestModels.featureModel(
                            models.resolve("many-" + v),
                            "motion",
                            v,
                            20 + v,
                            CellType.LSTM,
                            6,
                            data);
            written.put(v, next);
            harness.processBroadcastElement(
                    new RawRecord(
                            null,
                            AnnouncementParser.toJson(next.announcement()),
                            "models",
                            0,
                            v,
                            0),
                    ts);
            ModelLoads.await(harness);
            send(eventWithFeatures("k" + v, "s", ts, features(1), false));
            harness.watermark(ts++);
            ModelLoads.await(harness);
        }
        for (long v = 2; v <= versions; v++) {
            send(eventWithFeatures("k" + v, "s", ts, features(2), true));
        }
        assertThat(function.loadedModels())
                .as("versions kept loaded: the initial one and the model's budget")
                .isEqualTo(1 + ClassifierSettings.DEFAULT_MODEL_CACHE_PER_MODEL);
        harness.watermark(ts);
        ModelLoads.await(harness);

        List<Classification> results = harness.extractOutputValues();
        assertThat(results).hasSize(versions - 1);
        for (Classification result : results) {
            long v = Long.parseLong(result.key().substring(1));
            assertThat(result.modelVersion()).isEqualTo(v);
            SequenceClassifier classifier = written.get(v).classifier();
            Stepper stepper = classifier.newStepper();
            RecurrentState state = classifier.initialState();
            stepper.advance(state, features(1));
            stepper.advance(state, features(2));
            assertThat(result.probabilities())
                    .containsExactly(
                            stepper.probabilities(state),
                            org.assertj.core.data.Offset.offset(1e-6f));
        }
        assertNothingLeft();
    }

    private static float[] expectedProbabilities(Event... events) {
        Stepper stepper = model.classifier().newStepper();
        RecurrentState state = model.classifier().initialState();
        for (Event event : events) {
            stepper.advance(state, event.features());
        }
        return stepper.probabilities(state);
    }

    private void send(Event... events) throws Exception {
        for (Event event : events) {
            harness.processElement(event, event.timestamp());
        }
    }

    private Classification single() {
        List<Classification> results = harness.extractOutputValues();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private void assertNothingLeft() {
        HeapKeyedStateBackend<?> backend =
                (HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        assertThat(backend.numKeyValueStateEntries()).as("keyed state entries").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    private static int counter;

    private static Event event(String key, String seq, long ts, boolean end) {
        return eventWithFeatures(key, seq, ts, features(counter++ % 3), end);
    }

    private static float[] features(int i) {
        return new float[] {0.5f * i, 1f - i, i * i * 0.1f};
    }

    private static Event eventWithFeatures(
            String key, String seq, long ts, float[] features, boolean end) {
        return new Event(key, "motion", ts, seq, features, null, end, origin());
    }

    private static RawRecord origin() {
        return new RawRecord(null, "{}".getBytes(), "events", 0, 0, 0);
    }
}
