package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stepping the keys of a watermark advance together gives every key the results it gets when each
 * key is stepped on its own, in the same order, before the watermark that released them.
 *
 * <p>The workload interleaves many keys of a feature model and a token model, with several events
 * per key per advance, out-of-order arrival, new sequence ids, ends, inactivity gaps, the maximum
 * length and running results, so every path through a batch runs.
 */
class StepBatchingTest {

    private static final int KEYS = 48;
    private static final int ADVANCES = 40;
    private static final long ADVANCE_MILLIS = 100;
    private static final List<String> WORDS = List.of("good", "bad", "fine", "awful", "meh");

    @TempDir static Path models;
    private static TestModels.Written motion;
    private static TestModels.Written text;
    private static List<Object> workload;

    @BeforeAll
    static void writeModelsAndWorkload() throws Exception {
        Random random = new Random(11);
        List<LabeledSequence> sequences = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            float[][] steps = new float[4][5];
            for (float[] step : steps) {
                for (int d = 0; d < step.length; d++) {
                    step[d] = (float) random.nextGaussian();
                }
            }
            sequences.add(LabeledSequence.ofFeatures("s" + i, steps, i % 3 == 0 ? "a" : "b"));
        }
        Dataset data = new Dataset("fixture", sequences, List.of("a", "b"), InputKind.FEATURES, 5);
        // 20 units: five 4-key tiles and remainders in the batch kernels.
        motion =
                TestModels.featureModel(
                        models.resolve("motion"), "motion", 1, 5, CellType.LSTM, 20, data);
        text =
                TestModels.tokenModel(
                        models.resolve("text"), "text", 1, 6, List.of("neg", "pos"), WORDS);
        workload = workload(new Random(42));
    }

    @Test
    void batchedAndOneKeyAtATimeGiveEachKeyTheSameResultsInTheSameOrder() throws Exception {
        Run batched = run(true, workload);
        Run oneByOne = run(false, workload);

        assertThat(oneByOne.largestBatch).as("keys per kernel call, one at a time").isEqualTo(1);
        assertThat(batched.largestBatch).as("keys per kernel call, batched").isGreaterThan(8);
        assertSameResults(batched, oneByOne);
        assertThat(batched.triggers).contains(Trigger.values());
    }

    @Test
    void anAdvanceReleasingMoreStepsThanABatchHoldsRunsSeveralBatches() throws Exception {
        int keys = 1_000;
        int events = StepBatch.MAX_QUEUED_STEPS / keys + 2;
        List<Object> backlog = new ArrayList<>();
        Random random = new Random(7);
        for (int e = 0; e < events; e++) {
            for (int k = 0; k < keys; k++) {
                backlog.add(feature("f" + k, "s", 1 + e, e == events - 1, random));
            }
        }
        assertThat(backlog).hasSizeGreaterThan(StepBatch.MAX_QUEUED_STEPS);
        backlog.add(new Watermark(events));

        Run batched = run(true, backlog);
        Run oneByOne = run(false, backlog);

        assertSameResults(batched, oneByOne);
        assertThat(batched.triggers).filteredOn(t -> t == Trigger.END).hasSize(keys);
        assertThat(batched.resultsBehindWatermark).isZero();
    }

    private static void assertSameResults(Run batched, Run oneByOne) {
        assertThat(batched.byKey.keySet()).isEqualTo(oneByOne.byKey.keySet());
        int results = 0;
        for (Map.Entry<String, List<Classification>> key : oneByOne.byKey.entrySet()) {
            List<Classification> expected = key.getValue();
            List<Classification> actual = batched.byKey.get(key.getKey());
            assertThat(actual).as("results of %s", key.getKey()).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Classification e = expected.get(i);
                Classification a = actual.get(i);
                String what = key.getKey() + " result " + i;
                assertThat(a.trigger()).as(what).isEqualTo(e.trigger());
                assertThat(a.sequenceId()).as(what).isEqualTo(e.sequenceId());
                assertThat(a.steps()).as(what).isEqualTo(e.steps());
                assertThat(a.firstTimestamp()).as(what).isEqualTo(e.firstTimestamp());
                assertThat(a.lastTimestamp()).as(what).isEqualTo(e.lastTimestamp());
                assertThat(a.model()).as(what).isEqualTo(e.model());
                // The batch kernels sum in another order than the one-key kernel.
                assertThat(a.probabilities())
                        .as(what)
                        .containsExactly(e.probabilities(), offset(1e-5f));
            }
            results += expected.size();
        }
        assertThat(results).as("results compared").isGreaterThan(KEYS * 4);
        assertThat(batched.triggers).containsExactlyInAnyOrderElementsOf(oneByOne.triggers);
        assertThat(batched.deadLetters).isEqualTo(oneByOne.deadLetters);
    }

    @Test
    void resultsPrecedeTheWatermarkThatReleasedThem() throws Exception {
        Run batched = run(true, workload);

        assertThat(batched.resultsBehindWatermark).isZero();
        assertThat(batched.watermarks).isGreaterThanOrEqualTo(ADVANCES);
    }

    /** Events, model announcements and watermarks, in arrival order. */
    private static List<Object> workload(Random random) {
        List<Object> items = new ArrayList<>();
        items.add(text.announcement());
        int[] sequenceIds = new int[KEYS];
        long watermark = 0;
        for (int advance = 0; advance < ADVANCES; advance++) {
            List<Event> released = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                if (random.nextInt(4) == 0) {
                    continue; // a key that stays quiet may reach its inactivity gap
                }
                int events = 1 + random.nextInt(3);
                for (int e = 0; e < events; e++) {
                    if (random.nextInt(12) == 0) {
                        sequenceIds[k]++;
                    }
                    long time = watermark + 1 + random.nextInt((int) ADVANCE_MILLIS);
                    released.add(event(k, "s" + sequenceIds[k], time, random));
                }
            }
            java.util.Collections.shuffle(released, random);
            items.addAll(released);
            watermark += ADVANCE_MILLIS;
            items.add(new Watermark(watermark));
        }
        items.add(new Watermark(Long.MAX_VALUE));
        return items;
    }

    private static Event event(int k, String sequenceId, long time, Random random) {
        boolean end = random.nextInt(10) == 0;
        RawRecord origin = new RawRecord(null, "{}".getBytes(), "events", 0, 0, 0);
        if (k % 3 == 0) {
            String[] tokens = new String[1 + random.nextInt(4)];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = WORDS.get(random.nextInt(WORDS.size()));
            }
            return new Event("k" + k, "text", time, sequenceId, null, tokens, end, origin);
        }
        return feature("k" + k, sequenceId, time, end, random);
    }

    private static Event feature(
            String key, String sequenceId, long time, boolean end, Random random) {
        float[] features = new float[5];
        for (int d = 0; d < features.length; d++) {
            features[d] = (float) random.nextGaussian();
        }
        RawRecord origin = new RawRecord(null, "{}".getBytes(), "events", 0, 0, 0);
        return new Event(key, "motion", time, sequenceId, features, null, end, origin);
    }

    private static final class Run {
        final Map<String, List<Classification>> byKey = new LinkedHashMap<>();
        final List<Trigger> triggers = new ArrayList<>();
        List<String> deadLetters;
        long largestBatch;
        int resultsBehindWatermark;
        int watermarks;
    }

    private static Run run(boolean batchSteps, List<Object> items) throws Exception {
        ClassifierSettings settings =
                new ClassifierSettings(
                        "motion",
                        motion.announcement(),
                        Duration.ofMillis(250),
                        7,
                        3,
                        batchSteps,
                        Duration.ofHours(1));
        SequenceClassifierFunction function =
                new SequenceClassifierFunction(settings, new ModelLoader());
        Run run = new Run();
        try (KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new SequenceClassifierOperator(function),
                        event -> StateKey.of(event.model(), event.key()),
                        Types.STRING,
                        1,
                        1,
                        0)) {
            harness.open();
            for (Object item : items) {
                if (item instanceof Event event) {
                    harness.processElement(event, event.timestamp());
                } else if (item instanceof Watermark watermark) {
                    harness.watermark(watermark.getTimestamp());
                } else {
                    byte[] json =
                            AnnouncementParser.toJson(
                                    (io.rnnstream.stream.model.ModelAnnouncement) item);
                    harness.processBroadcastElement(
                            new RawRecord(null, json, "models", 0, 0, 0), 0);
                    ModelLoads.await(harness);
                }
            }
            long watermark = Long.MIN_VALUE;
            for (Object out : harness.getOutput()) {
                if (out instanceof Watermark mark) {
                    watermark = mark.getTimestamp();
                    run.watermarks++;
                } else {
                    @SuppressWarnings("unchecked")
                    StreamRecord<Classification> record = (StreamRecord<Classification>) out;
                    if (record.getTimestamp() <= watermark) {
                        run.resultsBehindWatermark++;
                    }
                    Classification result = record.getValue();
                    run.byKey
                            .computeIfAbsent(
                                    result.model() + "/" + result.key(), k -> new ArrayList<>())
                            .add(result);
                    run.triggers.add(result.trigger());
                }
            }
            var deadLetters = harness.getSideOutput(DeadLetter.SIDE_OUTPUT);
            run.deadLetters =
                    deadLetters == null
                            ? List.of()
                            : deadLetters.stream()
                                    .map(StreamRecord::getValue)
                                    .map(DeadLetter::message)
                                    .sorted()
                                    .toList();
            run.largestBatch = function.largestStepBatch();
            HeapKeyedStateBackend<?> backend =
                    (HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
            assertThat(backend.numKeyValueStateEntries()).as("keyed state left").isZero();
            assertThat(harness.numEventTimeTimers()).as("timers left").isZero();
        }
        return run;
    }
}
