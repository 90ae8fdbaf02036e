package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.cli.RnnstreamCliTest.Result;
import io.rnnstream.core.TestData;
import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's commands against a broker listener that checks passwords (SASL/PLAIN): {@code
 * topics create} logs in with the job's {@code kafka.*} settings (the password from a file through
 * Kafka's config provider), {@code produce} and {@code tail} with a {@code --command-config} file,
 * as Kafka's own tools do; a wrong password is a settings error, exit code 2, naming the broker.
 */
class SaslCommandLineITCase {

    private static final String USER = "operator";
    private static final String PASSWORD = "pl41n-but-checked";

    @RegisterExtension
    static final KafkaBroker KAFKA = KafkaBroker.withSaslPlainUser(USER, PASSWORD);

    @TempDir Path work;

    @Test
    void topicsProduceAndTailLogInWithTheCredentialsOfTheirSettings() throws Exception {
        Path secrets = work.resolve("secrets.properties");
        Files.writeString(secrets, "sasl.password=" + PASSWORD + "\n");
        Path settings = work.resolve("stream.properties");
        Files.writeString(
                settings,
                "bootstrap.servers="
                        + KAFKA.saslBootstrapServers()
                        + "\nmodel.default=motion\n"
                        + "topic.events=sasl-events\ntopic.results=sasl-classifications\n"
                        + "topic.dead-letters=sasl-dead-letters\ntopic.models=sasl-models\n"
                        + "kafka.config.providers=file\n"
                        + "kafka.config.providers.file.class="
                        + "org.apache.kafka.common.config.provider.FileConfigProvider\n"
                        + properties("kafka.", "${file:" + secrets + ":sasl.password}"));
        Path client = work.resolve("client.properties");
        Files.writeString(client, properties("", PASSWORD));

        Result create =
                RnnstreamCliTest.rnnstream("topics", "create", "--config", settings.toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).contains("created  sasl-events (topic.events");

        Result produce = produceMotions(client, "sasl-events", 2, "--rate", "2000");
        assertThat(produce.exitCode()).as(produce.err()).isZero();
        assertThat(produce.out()).contains("sent 200 events of 2 sequences to sasl-events");

        Result tail =
                RnnstreamCliTest.rnnstream(
                        "tail",
                        "--bootstrap-server",
                        KAFKA.saslBootstrapServers(),
                        "--command-config",
                        client.toString(),
                        "--topic",
                        "sasl-events",
                        "--from-beginning",
                        "--max",
                        "200");
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        // tail prints one line per record: the events it reads back, with their model.
        assertThat(tail.out().lines().toList())
                .hasSize(200)
                .allMatch(line -> line.contains(" motion v"));
        assertThat(create.out() + produce.out() + tail.out() + tail.err())
                .as("the password is never printed")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aWrongPasswordIsASettingsErrorThatNamesTheBrokerAndNotThePassword() throws Exception {
        String wrong = "not-" + PASSWORD;
        Path client = work.resolve("wrong.properties");
        Files.writeString(client, properties("", wrong));

        Result produce = produceMotions(client, "sasl-refused", 1, "--timeout", "20s");

        assertThat(produce.exitCode()).as(produce.err()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(produce.err())
                .contains(KAFKA.saslBootstrapServers())
                .contains("refused the client's credentials")
                .doesNotContain(wrong);
    }

    /**
     * {@code rnnstream produce} of {@code sequences} BasicMotions sequences to {@code topic} on the
     * SASL listener, logging in with the {@code --command-config} file {@code client}.
     */
    private static Result produceMotions(
            Path client, String topic, int sequences, String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "produce",
                                "--data",
                                TestData.path("basicmotions/BasicMotions_TEST.ts").toString(),
                                "--bootstrap-server",
                                KAFKA.saslBootstrapServers(),
                                "--command-config",
                                client.toString(),
                                "--topic",
                                topic,
                                "--model",
                                "motion",
                                "--limit",
                                Integer.toString(sequences)));
        args.addAll(List.of(options));
        return RnnstreamCliTest.rnnstream(args.toArray(String[]::new));
    }

    /** The SASL/PLAIN client settings as properties lines, each key with {@code prefix}. */
    private static String properties(String prefix, String password) {
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, String> setting :
                KafkaBroker.saslPlainClient(USER, password).entrySet()) {
            lines.append(prefix)
                    .append(setting.getKey())
                    .append('=')
                    .append(setting.getValue().replace("\\", "\\\\"))
                    .append('\n');
        }
        return lines.toString();
    }
}
