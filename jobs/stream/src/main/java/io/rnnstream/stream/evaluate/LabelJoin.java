package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.classify.Prediction;
import io.rnnstream.stream.model.ModelRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins, per key and sequence, the label that arrives late on the labelled-events topic with the
 * predictions the serving and shadow versions gave the sequence, and emits one {@link Outcome} per
 * version once both the label and the serving prediction are there.
 *
 * <p>A key's shadow predictions leave the classifier before its serving one, on the same channel,
 * so when the serving prediction has arrived, every shadow prediction of the sequence has too: the
 * pair is complete and its state is cleared. A label or a prediction whose partner does not arrive
 * within {@code ttl} (processing time from the first arrival) is dropped by a timer, so nothing
 * waits forever.
 */
public final class LabelJoin extends KeyedCoProcessFunction<String, Prediction, Label, Outcome> {

    private static final long serialVersionUID = 1L;

    private final long ttlMillis;
    private transient MapState<String, PendingPair> pending;
    private transient Counter completed;
    private transient Counter labelsExpired;
    private transient Counter predictionsExpired;

    public LabelJoin(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("evaluation TTL must be positive, was " + ttl);
        }
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-labels",
                                        Types.STRING,
                                        TypeInformation.of(PendingPair.class)));
        completed = getRuntimeContext().getMetricGroup().counter("labelledSequencesJoined");
        labelsExpired = getRuntimeContext().getMetricGroup().counter("labelsExpired");
        predictionsExpired = getRuntimeContext().getMetricGroup().counter("predictionsExpired");
    }

    @Override
    public void processElement1(Prediction prediction, Context ctx, Collector<Outcome> out)
            throws Exception {
        PendingPair pair = pair(prediction.pairId(), ctx);
        if (prediction.role() == ModelRole.SERVING) {
            pair.serving = prediction;
        } else {
            pair.shadows = Arrays.copyOf(pair.shadows, pair.shadows.length + 1);
            pair.shadows[pair.shadows.length - 1] = prediction;
        }
        completeOrKeep(prediction.pairId(), pair, ctx, out);
    }

    @Override
    public void processElement2(Label label, Context ctx, Collector<Outcome> out) throws Exception {
        PendingPair pair = pair(label.pairId(), ctx);
        pair.truth = label.label();
        completeOrKeep(label.pairId(), pair, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Outcome> out)
            throws Exception {
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, PendingPair> entry : pending.entries()) {
            PendingPair pair = entry.getValue();
            if (pair.expiresAt <= timestamp) {
                (pair.truth != null ? labelsExpired : predictionsExpired).inc();
                expired.add(entry.getKey());
            }
        }
        for (String pairId : expired) {
            pending.remove(pairId);
        }
        if (pending.isEmpty()) {
            // An emptied map would otherwise stay behind as the key's state on heap backends.
            pending.clear();
        }
    }

    private PendingPair pair(String pairId, Context ctx) throws Exception {
        PendingPair pair = pending.get(pairId);
        if (pair == null) {
            pair = new PendingPair();
            pair.expiresAt = ctx.timerService().currentProcessingTime() + ttlMillis;
            ctx.timerService().registerProcessingTimeTimer(pair.expiresAt);
        }
        return pair;
    }

    private void completeOrKeep(
            String pairId, PendingPair pair, Context ctx, Collector<Outcome> out) throws Exception {
        if (pair.truth == null || pair.serving == null) {
            pending.put(pairId, pair);
            return;
        }
        Prediction serving = pair.serving;
        out.collect(outcome(serving, serving, pair.truth));
        for (Prediction shadow : pair.shadows) {
            out.collect(outcome(shadow, serving, pair.truth));
        }
        completed.inc();
        pending.remove(pairId);
        if (pending.isEmpty()) {
            pending.clear();
        }
        deleteTimerUnlessShared(pair.expiresAt, ctx);
    }

    /** Flink keeps one timer per key and instant, which another pending entry may still need. */
    private void deleteTimerUnlessShared(long expiresAt, Context ctx) throws Exception {
        for (PendingPair other : pending.values()) {
            if (other.expiresAt == expiresAt) {
                return;
            }
        }
        ctx.timerService().deleteProcessingTimeTimer(expiresAt);
    }

    private static Outcome outcome(Prediction version, Prediction serving, String truth) {
        return new Outcome(
                version.model(),
                version.version(),
                version.role(),
                truth,
                version.label(),
                serving.version(),
                serving.label(),
                version.labels());
    }
}
