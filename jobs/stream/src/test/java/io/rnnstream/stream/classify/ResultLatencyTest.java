package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.model.ModelRole;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end latency of a result is the clock at emission minus its last event's time, in a
 * histogram per model, version and role (key/value groups, labels for a Prometheus reporter), and
 * the result still reaches its sink.
 */
class ResultLatencyTest {

    @Test
    void eachResultRecordsEmissionTimeMinusItsLastEventTimeUnderItsModelVersionAndRole()
            throws Exception {
        MetricListener metrics = new MetricListener();
        AtomicLong clock = new AtomicLong();
        ResultLatency latency = new ResultLatency(metrics.getMetricGroup(), clock::get);
        List<Classification> served = new ArrayList<>();
        StepBatch.ResultSink sink = latency.measured((r, t) -> served.add(r), ModelRole.SERVING);

        clock.set(10_250);
        sink.emit(result("motion", 2, 10_000), 0);
        clock.set(20_900);
        sink.emit(result("motion", 2, 20_000), 0);
        latency.record(result("motion", 3, 20_000), ModelRole.SHADOW);

        assertThat(served).hasSize(2);
        Histogram serving = histogram(metrics, "motion", "2", "serving");
        assertThat(serving.getCount()).isEqualTo(2);
        assertThat(serving.getStatistics().getMin()).isEqualTo(250);
        assertThat(serving.getStatistics().getMax()).isEqualTo(900);
        Histogram shadow = histogram(metrics, "motion", "3", "shadow");
        assertThat(shadow.getCount()).isEqualTo(1);
        assertThat(shadow.getStatistics().getMax()).isEqualTo(900);
        assertThat(
                        metrics.getMetricGroup()
                                .addGroup("model", "motion")
                                .addGroup("version", "3")
                                .addGroup("role", "shadow")
                                .getAllVariables())
                .containsEntry("<model>", "motion")
                .containsEntry("<version>", "3")
                .containsEntry("<role>", "shadow");
    }

    private static Histogram histogram(
            MetricListener metrics, String model, String version, String role) {
        return metrics.getHistogram(
                        "model", model, "version", version, "role", role, "resultLatencyMillis")
                .orElseThrow();
    }

    private static Classification result(String model, long version, long lastTimestamp) {
        return new Classification(
                "k",
                null,
                "a",
                new String[] {"a"},
                new float[] {1},
                1,
                lastTimestamp,
                lastTimestamp,
                Trigger.END,
                model,
                version);
    }
}
