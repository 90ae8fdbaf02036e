package io.rnnstream.stream.topics;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A conversation with the brokers that failed; the message names the brokers, the step and the
 * cause on one line, because Kafka's own messages ("Timed out waiting for a node assignment") say
 * neither where nor what for.
 */
public final class BrokerException extends RuntimeException {

    /**
     * How much longer than the admin call's own timeout a caller waits on its future, so that
     * Kafka's error, which says what it was waiting for, arrives before a bare timeout.
     */
    public static final long GRACE_MS = 1_000L;

    private BrokerException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@code cannot <step> at <brokers> (waited <timeout>): <cause>}; Kafka's wrappers around the
     * cause are taken off first.
     *
     * @throws io.rnnstream.stream.config.ConfigException instead when the brokers refused the
     *     client's credentials (a SASL login): a setting to fix, not a broker to wait for
     */
    public static BrokerException of(
            String bootstrapServers, String step, Duration timeout, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof org.apache.kafka.common.errors.SaslAuthenticationException) {
            // Refused credentials are a settings error (exit code 2), and the first thing to say.
            // Other authentication failures, such as SASL against a plaintext listener, stay
            // broker errors: the broker did not refuse a login, it was never asked for one.
            throw new io.rnnstream.stream.config.ConfigException(
                    "the brokers at "
                            + bootstrapServers
                            + " refused the client's credentials (check kafka.sasl.jaas.config,"
                            + " kafka.sasl.mechanism and kafka.security.protocol) when trying to "
                            + step
                            + ": "
                            + describe(cause),
                    cause);
        }
        boolean timedOut =
                cause instanceof org.apache.kafka.common.errors.TimeoutException
                        || cause instanceof java.util.concurrent.TimeoutException;
        String hint = timedOut ? "; is a broker running there and reachable from here?" : "";
        return new BrokerException(
                "cannot "
                        + step
                        + " at "
                        + bootstrapServers
                        + " (waited up to "
                        + org.apache.flink.util.TimeUtils.formatWithHighestUnit(timeout)
                        + "): "
                        + describe(cause)
                        + hint,
                cause);
    }

    /** The first cause that says something: Kafka wraps the useful one in one or two layers. */
    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException
                        || cause instanceof CompletionException
                        || (cause instanceof org.apache.kafka.common.KafkaException
                                && cause.getMessage() != null
                                && cause.getMessage().startsWith("Failed to create new")))
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The type when the message alone would not say what went wrong, and the message. */
    static String describe(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return cause instanceof java.util.concurrent.TimeoutException
                    ? "TimeoutException: no answer in time"
                    : type;
        }
        String line = message.lines().findFirst().orElse(message).strip();
        return type.endsWith("Exception") && !type.equals("KafkaException")
                ? type + ": " + line
                : line;
    }
}
