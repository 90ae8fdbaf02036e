package io.rnnstream.stream;

import io.rnnstream.stream.config.ConfigException;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** The end-to-end delivery guarantee of the result and dead-letter topics. */
public enum DeliveryMode {
    /** Kafka transactions committed on checkpoint; consumers read with read_committed. */
    EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),
    /** Flushed on checkpoint; a failure may repeat records written since the last checkpoint. */
    AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

    private final DeliveryGuarantee guarantee;

    DeliveryMode(DeliveryGuarantee guarantee) {
        this.guarantee = guarantee;
    }

    public DeliveryGuarantee guarantee() {
        return guarantee;
    }

    public static DeliveryMode parse(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "exactly-once" -> EXACTLY_ONCE;
            case "at-least-once" -> AT_LEAST_ONCE;
            default ->
                    throw new ConfigException(
                            "delivery.guarantee: expected exactly-once or at-least-once, got '"
                                    + text
                                    + "'");
        };
    }
}
