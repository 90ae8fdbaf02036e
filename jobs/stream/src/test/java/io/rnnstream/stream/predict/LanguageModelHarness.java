package io.rnnstream.stream.predict;

import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The language-model operator in Flink's test harness, one subtask. Versions load on the function's
 * loader threads and waiting keys retry on processing-time timers, which a harness fires only when
 * its clock moves: {@link #predictions} moves it until the loads are done and no key waits.
 */
final class LanguageModelHarness implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final LanguageModelFunction function;
    private final KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Prediction> harness;

    LanguageModelHarness(PredictionSettings settings) throws Exception {
        this(settings, new ModelLoader(), null);
    }

    /** A harness whose function loads with {@code loader}, restored from {@code restored}. */
    LanguageModelHarness(
            PredictionSettings settings, ModelLoader loader, OperatorSubtaskState restored)
            throws Exception {
        function = new LanguageModelFunction(settings, loader);
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new LanguageModelOperator(function),
                        event -> StateKey.of(event.model(), event.key()),
                        Types.STRING,
                        128,
                        1,
                        0);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
    }

    void announce(RoleAnnouncement announced) throws Exception {
        harness.processBroadcastElement(
                new RawRecord(null, AnnouncementParser.toJson(announced), "models", 0, 0, 0), 0);
    }

    /** Sends {@code text} as the event of key {@code user-1} at {@code time}. */
    void send(String model, String text, long time) throws Exception {
        send("user-1", model, null, text, time);
    }

    /** Sends {@code text} as an event of {@code key} in sequence {@code sequenceId}. */
    void send(String key, String model, String sequenceId, String text, long time)
            throws Exception {
        harness.processElement(
                new Event(
                        key,
                        model,
                        time,
                        sequenceId,
                        null,
                        new String[0],
                        false,
                        new RawRecord(null, new byte[0], "events", 0, time, 0),
                        text,
                        0),
                time);
    }

    /** Every prediction, once the requested loads are done and no key waits for a version. */
    List<Prediction> predictions() throws Exception {
        awaitLoads();
        return predictionsSoFar();
    }

    /** The predictions emitted so far, without waiting for anything. */
    List<Prediction> predictionsSoFar() {
        return harness.getOutput().stream()
                .filter(StreamRecord.class::isInstance)
                .map(r -> (Prediction) ((StreamRecord<?>) r).getValue())
                .toList();
    }

    /** The dead letters emitted so far. */
    List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        if (harness.getSideOutput(DeadLetter.SIDE_OUTPUT) != null) {
            harness.getSideOutput(DeadLetter.SIDE_OUTPUT).forEach(r -> letters.add(r.getValue()));
        }
        return letters;
    }

    /**
     * Moves processing time on, one retry interval at a time, until every requested load has
     * finished, every accepted version has verified or been refused, and no key has a retry due (so
     * none waits for a version).
     */
    void awaitLoads() throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!function.loadsFinished()
                || function.awaitsVerification()
                || harness.numProcessingTimeTimers() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "loads did not finish or keys still wait for a version after " + TIMEOUT);
            }
            harness.setProcessingTime(
                    harness.getProcessingTime() + LanguageModelFunction.RETRY_INTERVAL_MS);
            Thread.sleep(2);
        }
    }

    LanguageModelFunction function() {
        return function;
    }

    KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Prediction> harness() {
        return harness;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
