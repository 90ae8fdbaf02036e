package io.rnnstream.stream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.topics.BrokerException;
import io.rnnstream.testkit.KafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An exactly-once job whose transaction timeout the broker would refuse does not start. */
class TransactionTimeoutCheckITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void refusesATimeoutAboveTheBrokersMaximumAndSaysWhichSettingToChange() {
        Map<String, Object> admin = Map.of("bootstrap.servers", KAFKA.bootstrapServers());
        assertThatThrownBy(() -> TransactionTimeoutCheck.check(admin, Duration.ofMinutes(20), WAIT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("transaction.timeout is 1200000 ms")
                .hasMessageContaining("at most " + KafkaBroker.MAX_TRANSACTION_TIMEOUT_MS)
                .hasMessageContaining("transaction.max.timeout.ms");
        assertThatCode(() -> TransactionTimeoutCheck.check(admin, Duration.ofMinutes(15), WAIT))
                .doesNotThrowAnyException();
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutNamingBrokerStepAndCause() throws IOException {
        String nobody = "localhost:" + freePort();
        long started = System.nanoTime();

        assertThatThrownBy(
                        () ->
                                TransactionTimeoutCheck.check(
                                        Map.of("bootstrap.servers", nobody),
                                        Duration.ofMinutes(1),
                                        Duration.ofSeconds(2)))
                .isInstanceOf(BrokerException.class)
                .hasMessageStartingWith(
                        "cannot read transaction.max.timeout.ms at "
                                + nobody
                                + " (waited up to 2 s)")
                .hasMessageContaining("TimeoutException")
                .hasMessageNotContaining("null");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    /** A port nobody listens on: bound for a moment, then released. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
