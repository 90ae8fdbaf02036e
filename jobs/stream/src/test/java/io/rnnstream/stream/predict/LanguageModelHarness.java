package io.rnnstream.stream.predict;

import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** The language-model operator in Flink's test harness, one subtask, fed text events of one key. */
final class LanguageModelHarness implements AutoCloseable {

    private final KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Prediction> harness;

    LanguageModelHarness(PredictionSettings settings) throws Exception {
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new LanguageModelFunction(settings, new ModelLoader()),
                                List.of(LanguageModelFunction.ACCEPTED_LANGUAGE_MODELS)),
                        event -> StateKey.of(event.model(), event.key()),
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.open();
    }

    void announce(RoleAnnouncement announced) throws Exception {
        harness.processBroadcastElement(
                new RawRecord(null, AnnouncementParser.toJson(announced), "models", 0, 0, 0), 0);
    }

    /** Sends {@code text} as the event of key {@code user-1} at {@code time}. */
    void send(String model, String text, long time) throws Exception {
        harness.processElement(
                new Event(
                        "user-1",
                        model,
                        time,
                        null,
                        null,
                        new String[0],
                        false,
                        new RawRecord(null, new byte[0], "events", 0, time, 0),
                        text,
                        0),
                time);
    }

    List<Prediction> predictions() {
        return harness.getOutput().stream()
                .filter(StreamRecord.class::isInstance)
                .map(r -> (Prediction) ((StreamRecord<?>) r).getValue())
                .toList();
    }

    KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Prediction> harness() {
        return harness;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
