package io.rnnstream.stream.classify;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The classifier's metrics per model, in metric group {@code model} (a {@code model} label in
 * Prometheus, the key joining the name: {@code ..._operator_model_events}): {@code events}, the
 * events applied to the model's sequences, and {@code openSequences}, the sequences of the model
 * open on this subtask. Open sequences are those the keyed state held at the start (a restore or a
 * rescale brings them back) plus those started since, minus those ended since, so the figure is
 * right after a restore without reading any state value.
 *
 * <p>Per version and role, classifications are the count of {@link ResultLatency}'s histogram and
 * the live figures the evaluation's.
 */
final class ModelMeters {

    private final MetricGroup operator;
    private final Map<String, Meters> byModel = new HashMap<>();

    ModelMeters(MetricGroup operator) {
        this.operator = operator;
    }

    /** The open sequences the restored keyed state holds, by model. */
    void restored(Map<String, Long> openByModel) {
        openByModel.forEach((model, open) -> of(model).restored = open);
    }

    void event(String model) {
        of(model).events.inc();
    }

    void started(String model) {
        of(model).started++;
    }

    void ended(String model) {
        of(model).ended++;
    }

    /** Sequences of {@code model} open on this subtask. */
    long openSequences(String model) {
        Meters meters = byModel.get(model);
        return meters == null ? 0 : meters.open();
    }

    /** Events applied to {@code model}'s sequences on this subtask. */
    long events(String model) {
        Meters meters = byModel.get(model);
        return meters == null ? 0 : meters.events.getCount();
    }

    private Meters of(String model) {
        Meters meters = byModel.get(model);
        if (meters == null) {
            meters = new Meters(operator.addGroup("model", model));
            byModel.put(model, meters);
        }
        return meters;
    }

    private static final class Meters {
        final Counter events;
        long restored;
        long started;
        long ended;

        Meters(MetricGroup group) {
            this.events = group.counter("events");
            group.gauge("openSequences", (Gauge<Long>) this::open);
        }

        long open() {
            return restored + started - ended;
        }
    }
}
