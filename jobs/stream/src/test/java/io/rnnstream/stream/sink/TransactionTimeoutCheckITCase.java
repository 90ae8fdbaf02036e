package io.rnnstream.stream.sink;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.testkit.KafkaBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An exactly-once job whose transaction timeout the broker would refuse does not start. */
class TransactionTimeoutCheckITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void refusesATimeoutAboveTheBrokersMaximumAndSaysWhichSettingToChange() {
        Map<String, Object> admin = Map.of("bootstrap.servers", KAFKA.bootstrapServers());
        assertThatThrownBy(() -> TransactionTimeoutCheck.check(admin, Duration.ofMinutes(20)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("transaction.timeout is 1200000 ms")
                .hasMessageContaining("at most " + KafkaBroker.MAX_TRANSACTION_TIMEOUT_MS)
                .hasMessageContaining("transaction.max.timeout.ms");
        assertThatCode(() -> TransactionTimeoutCheck.check(admin, Duration.ofMinutes(15)))
                .doesNotThrowAnyException();
    }
}
