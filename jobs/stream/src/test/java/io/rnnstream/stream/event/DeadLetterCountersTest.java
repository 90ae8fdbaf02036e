package io.rnnstream.stream.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

/**
 * Dead letters are one metric, {@code deadLetters}, in a key/value group {@code reason}: the
 * variable a Prometheus reporter turns into a {@code reason} label.
 */
class DeadLetterCountersTest {

    @Test
    void eachDeadLetterCountsUnderItsReasonAsAKeyValueGroup() {
        MetricListener metrics = new MetricListener();
        DeadLetterCounters counters = new DeadLetterCounters(metrics.getMetricGroup());

        counters.count(letter(DeadLetterReason.LATE));
        counters.count(letter(DeadLetterReason.LATE));
        counters.count(letter(DeadLetterReason.WRONG_DIMENSION));

        assertThat(metrics.getCounter("reason", "late", "deadLetters"))
                .map(Counter::getCount)
                .hasValue(2L);
        assertThat(metrics.getCounter("reason", "wrong-dimension", "deadLetters"))
                .map(Counter::getCount)
                .hasValue(1L);
        assertThat(metrics.getCounter("reason", "unparsable", "deadLetters"))
                .as("every reason is registered, at zero until one comes")
                .map(Counter::getCount)
                .hasValue(0L);
        // addGroup returns the group already registered under this key and value.
        assertThat(metrics.getMetricGroup().addGroup("reason", "late").getAllVariables())
                .containsEntry("<reason>", "late");
    }

    private static DeadLetter letter(DeadLetterReason reason) {
        return new DeadLetter(reason, "test", new RawRecord(null, new byte[0], "events", 0, 0, 0));
    }
}
