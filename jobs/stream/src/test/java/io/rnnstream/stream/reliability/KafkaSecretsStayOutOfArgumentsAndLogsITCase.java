package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.CapturedLogs;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: Kafka credentials come from files or Kafka config providers, never from command-line
 * arguments, and never reach the logs. A run plants a secret in a provider file, references it from
 * {@code kafka.sasl.jaas.config}, and greps everything the job, Flink and the Kafka clients logged
 * at INFO.
 */
class KafkaSecretsStayOutOfArgumentsAndLogsITCase {

    private static final String PREFIX = "secrets";
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"rnnstream\" password=\"%s\";";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path directory;

    @Test
    void aSecretFromAConfigProviderFileIsUsedButNeverLogged() throws Exception {
        String secret = "planted-" + UUID.randomUUID();
        Path secrets = directory.resolve("client-secrets.properties");
        // max.request.size is read from the file too: had the provider reference not been
        // resolved, the producer would refuse "${file:...}" as a size and the job would fail.
        Files.writeString(secrets, "sasl.password=" + secret + "\nmax.request.size=1048576\n");
        VowelStream stream = VowelStream.create(KAFKA, directory.resolve("models"));
        Map<String, String> settings =
                stream.settings(
                        PREFIX,
                        Map.of(
                                "kafka.config.providers",
                                "file",
                                "kafka.config.providers.file.class",
                                "org.apache.kafka.common.config.provider.FileConfigProvider",
                                "kafka.sasl.jaas.config",
                                JAAS.formatted("${file:" + secrets + ":sasl.password}"),
                                "kafka.max.request.size",
                                "${file:" + secrets + ":max.request.size}"));

        String logs;
        try (CapturedLogs captured = new CapturedLogs()) {
            EventScript script = stream.produceAll(PREFIX, 40, 20);
            FaultInjector.reset(false);
            JobClient job =
                    ClassifierTestJob.start(settings, new FaultInjector(0, Integer.MAX_VALUE));
            try {
                stream.assertExact(script, stream.readCommitted(PREFIX, script.planned().size()));
            } finally {
                job.cancel().get();
            }
            logs = captured.text();
        }
        assertThat(logs)
                .as("the Kafka clients logged their configuration")
                .contains("ProducerConfig values")
                .contains("sasl.jaas.config = [hidden]");
        assertThat(logs).as("captured logs").doesNotContain(secret);
    }

    @Test
    void aSecretGivenAsACommandLineArgumentIsRefusedWithoutEchoingIt() throws Exception {
        String secret = "planted-" + UUID.randomUUID();
        String[] base = {"--bootstrap.servers", "localhost:9092", "--model.default", "m"};
        assertThatThrownBy(
                        () ->
                                StreamJobConfig.load(
                                        null,
                                        with(
                                                base,
                                                "--kafka.sasl.jaas.config",
                                                JAAS.formatted(secret))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.sasl.jaas.config is a secret")
                .hasMessageContaining("--config file")
                .hasMessageNotContaining(secret);
        assertThatThrownBy(
                        () ->
                                StreamJobConfig.load(
                                        null, with(base, "--kafka.ssl.key.password=" + secret)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.ssl.key.password is a secret");

        Path file = directory.resolve("stream.properties");
        Files.writeString(file, "kafka.sasl.jaas.config=" + JAAS.formatted(secret) + "\n");
        assertThat(StreamJobConfig.load(file, base).kafkaProperties())
                .as("the same secret from the configuration file")
                .containsEntry("sasl.jaas.config", JAAS.formatted(secret));
        assertThatCode(
                        () ->
                                StreamJobConfig.load(
                                        null,
                                        with(
                                                base,
                                                "--kafka.sasl.jaas.config",
                                                JAAS.formatted(
                                                        "${file:/run/secrets/kafka:password}"))))
                .as("a config provider reference as an argument")
                .doesNotThrowAnyException();
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
