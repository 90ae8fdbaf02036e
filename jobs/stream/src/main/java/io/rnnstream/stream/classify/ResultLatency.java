package io.rnnstream.stream.classify;

import io.rnnstream.stream.model.ModelRole;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The end-to-end latency of results: the wall-clock time of emission minus the event time of the
 * sequence's last event, in milliseconds, as a histogram {@code resultLatencyMillis} per model,
 * version and role (metric groups {@code model}, {@code version}, {@code role}, which Flink's
 * Prometheus reporter turns into labels, its keys joining the name: {@code
 * ..._operator_model_version_role_resultLatencyMillis}).
 *
 * <p>It covers what a user waits for: the producer's delay to Kafka, the wait for the watermark
 * (out-of-orderness, and the idleness timeout on quiet partitions), the gap or the sequence end
 * that triggers the result, and the step itself. It stops at the operator's emission; a
 * read_committed consumer sees the result when the checkpoint commits its transaction, up to a
 * checkpoint interval later. Event time comes from the producers' clocks, so their skew against the
 * job's clock adds to it (and can make it negative).
 */
final class ResultLatency {

    /** Values each histogram keeps for its quantiles, as Flink's own latency histograms do. */
    private static final int WINDOW = 1000;

    private final MetricGroup operator;
    private final LongSupplier clock;
    private final Map<String, Histogram> byVersion = new HashMap<>();

    ResultLatency(MetricGroup operator, LongSupplier clock) {
        this.operator = operator;
        this.clock = clock;
    }

    /** {@code sink}, recording the latency of each result it receives. */
    StepBatch.ResultSink measured(StepBatch.ResultSink sink, ModelRole role) {
        return (result, time) -> {
            record(result, role);
            sink.emit(result, time);
        };
    }

    void record(Classification result, ModelRole role) {
        String id = result.model() + "/" + result.modelVersion() + "/" + role.code();
        byVersion
                .computeIfAbsent(
                        id,
                        k ->
                                operator.addGroup("model", result.model())
                                        .addGroup("version", Long.toString(result.modelVersion()))
                                        .addGroup("role", role.code())
                                        .histogram(
                                                "resultLatencyMillis",
                                                new DescriptiveStatisticsHistogram(WINDOW)))
                .update(clock.getAsLong() - result.lastTimestamp());
    }
}
