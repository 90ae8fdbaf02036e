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
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: Kafka credentials come from files or Kafka config providers, never from command-line
 * arguments, and never reach the logs. The broker has a SASL/PLAIN listener that lets one user in;
 * a run plants that user's password in a provider file, references it from {@code
 * kafka.sasl.jaas.config}, streams through the authenticated listener only, and greps everything
 * the job, Flink and the Kafka clients logged at INFO. A wrong password stops the job before it
 * starts, with a message that names the broker and the refused login.
 */
class KafkaSecretsStayOutOfArgumentsAndLogsITCase {

    private static final String PREFIX = "secrets";
    private static final String USER = "rnnstream";
    private static final String PASSWORD = "planted-" + UUID.randomUUID();
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"rnnstream\" password=\"%s\";";

    @RegisterExtension
    static final KafkaBroker KAFKA = KafkaBroker.withSaslPlainUser(USER, PASSWORD);

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path directory;

    @Test
    void thePasswordFromAConfigProviderFileAuthenticatesButIsNeverLogged() throws Exception {
        Path secrets = directory.resolve("client-secrets.properties");
        // max.request.size is read from the file too: had the provider reference not been
        // resolved, the producer would refuse "${file:...}" as a size and the job would fail.
        Files.writeString(secrets, "sasl.password=" + PASSWORD + "\nmax.request.size=1048576\n");
        VowelStream stream = VowelStream.create(KAFKA, directory.resolve("models"));
        Map<String, String> settings =
                stream.settings(PREFIX, saslSettings("${file:" + secrets + ":sasl.password}"));
        settings.put("kafka.max.request.size", "${file:" + secrets + ":max.request.size}");

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
                .contains("security.protocol = SASL_PLAINTEXT")
                .contains("sasl.jaas.config = [hidden]");
        assertThat(logs)
                .as("the job's clients went to the SASL listener")
                .contains("bootstrap.servers = [" + KAFKA.saslBootstrapServers() + "]");
        assertThat(logs).as("captured logs").doesNotContain(PASSWORD);
    }

    @Test
    void aWrongPasswordIsRefusedByTheBrokerWithAMessageNamingIt() throws Exception {
        String wrong = "wrong-" + UUID.randomUUID();
        Path secrets = directory.resolve("client-secrets.properties");
        Files.writeString(secrets, "sasl.password=" + wrong + "\n");
        VowelStream stream = VowelStream.create(KAFKA, directory.resolve("models"));
        Map<String, String> settings =
                stream.settings(
                        PREFIX + "-wrong", saslSettings("${file:" + secrets + ":sasl.password}"));

        assertThatThrownBy(() -> ClassifierTestJob.start(settings, new FaultInjector(0, 1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the brokers at " + KAFKA.saslBootstrapServers())
                .hasMessageContaining("refused the client's credentials")
                .hasMessageContaining("Authentication failed")
                .hasMessageContaining("kafka.sasl.jaas.config")
                .hasMessageNotContaining(wrong)
                .hasMessageNotContaining(PASSWORD);
    }

    /** The job's {@code kafka.*} settings for the SASL listener, password as given. */
    private static Map<String, String> saslSettings(String password) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", KAFKA.saslBootstrapServers());
        settings.put("kafka.config.providers", "file");
        settings.put(
                "kafka.config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        KafkaBroker.saslPlainClient(USER, password)
                .forEach((key, value) -> settings.put("kafka." + key, value));
        return settings;
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
