package io.rnnstream.cli;

import io.rnnstream.stream.topics.TopicSettings;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap-server} and {@code --timeout} for the commands that run a job ({@code stream},
 * {@code retrain}): the same names as on the client commands, written into the job's settings
 * {@code bootstrap.servers} and {@code broker.timeout}.
 */
final class JobBrokerOptions {

    @Option(
            names = {"--bootstrap-server", "--bootstrap-servers"},
            paramLabel = "HOST:PORT",
            description = "Kafka brokers (the setting bootstrap.servers).")
    String bootstrapServer;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = KafkaOptions.DurationConverter.class,
            description =
                    "How long the start-up checks wait for the brokers (the setting"
                            + " broker.timeout, default 30 s).")
    Duration timeout;

    /** Puts the given options into {@code settings}, over what the file and arguments said. */
    void applyTo(Map<String, String> settings) {
        if (bootstrapServer != null) {
            settings.put("bootstrap.servers", bootstrapServer);
        }
        if (timeout != null) {
            settings.put(TopicSettings.BROKER_TIMEOUT.key(), timeout.toMillis() + " ms");
        }
    }
}
