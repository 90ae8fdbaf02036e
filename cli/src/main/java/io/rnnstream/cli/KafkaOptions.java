package io.rnnstream.cli;

import io.rnnstream.stream.config.KafkaSecrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The Kafka connection options of every command that talks to Kafka as a client, spelt as Kafka's
 * own tools spell them: {@code --bootstrap-server}, {@code --command-config FILE}, repeatable
 * {@code -X key=value}, and {@code --timeout}. Secrets come only from the file: {@code -X} refuses
 * any setting Kafka types as a password, as the jobs refuse them as arguments.
 */
final class KafkaOptions {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--bootstrap-server", "--bootstrap-servers"},
            paramLabel = "HOST:PORT",
            description = "Kafka brokers to connect to, e.g. localhost:9092.")
    String bootstrapServer;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description =
                    "Properties file of Kafka client settings (security.protocol, sasl.*, ssl.*),"
                            + " as for Kafka's own tools; the place for secrets.")
    Path commandConfig;

    @Option(
            names = "-X",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client setting, repeatable, e.g. -X security.protocol=SASL_SSL;"
                            + " secrets only in --command-config.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30 s",
            converter = DurationConverter.class,
            description =
                    "How long to wait for the brokers before failing, e.g. 10s, 2 min (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The brokers; a usage error when none were given. */
    String bootstrapServers() {
        if (bootstrapServer == null || bootstrapServer.isBlank()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Missing required option: '--bootstrap-server=HOST:PORT'");
        }
        return bootstrapServer;
    }

    /** The client settings: the command-config file, then {@code -X}; without the brokers. */
    Map<String, Object> clientSettings() {
        Map<String, Object> all = new LinkedHashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--command-config: cannot read " + commandConfig + ": " + e.getMessage());
            }
            file.forEach((k, v) -> all.put(k.toString().strip(), v.toString().strip()));
        }
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (KafkaSecrets.isSecret(setting.getKey()) && !setting.getValue().contains("${")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "-X "
                                + setting.getKey()
                                + " is a secret and must not be given on the command line;"
                                + " put it in the --command-config file");
            }
            all.put(setting.getKey(), setting.getValue());
        }
        if (all.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "give the brokers with --bootstrap-server, not as bootstrap.servers");
        }
        return all;
    }

    /** The client settings with the brokers, ready for a Kafka client. */
    Map<String, Object> clientProperties() {
        Map<String, Object> all = clientSettings();
        all.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return all;
    }

    int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /** Durations as the job settings write them ({@code 30 s}, {@code 500 ms}) or {@code 30s}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration;
            try {
                duration = org.apache.flink.util.TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new CommandLine.TypeConversionException(
                        "expected a duration such as 10s or 2 min, got '" + value + "'");
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new CommandLine.TypeConversionException(
                        "expected a positive duration, got '" + value + "'");
            }
            return duration;
        }
    }
}
