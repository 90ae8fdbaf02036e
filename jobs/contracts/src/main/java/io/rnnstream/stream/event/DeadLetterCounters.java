package io.rnnstream.stream.event;

import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The {@code deadLetters} counters of one operator, one per {@link DeadLetterReason} in a metric
 * group {@code reason} (key and value), so that Flink's Prometheus reporter exposes one metric,
 * {@code flink_taskmanager_job_task_operator_reason_deadLetters} (the key joins the name), with a
 * {@code reason} label: a dashboard sums or splits it by reason without listing the reasons, and a
 * new reason needs no new query.
 */
public final class DeadLetterCounters {

    private final Map<DeadLetterReason, Counter> byReason = new EnumMap<>(DeadLetterReason.class);

    /** Registers a counter per reason under {@code operator}. */
    public DeadLetterCounters(MetricGroup operator) {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            byReason.put(reason, operator.addGroup("reason", reason.code()).counter("deadLetters"));
        }
    }

    /** Counts one dead letter. */
    public void count(DeadLetter letter) {
        byReason.get(letter.reason()).inc();
    }
}
