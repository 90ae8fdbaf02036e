package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.cli.RnnstreamCliTest.Result;
import io.rnnstream.core.TestData;
import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream topics}, the local {@code stream} command's topic check, and the Kafka client
 * options of {@code produce} and {@code tail}, against a real broker.
 */
class TopicsCommandITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path work;

    @Test
    void createMakesTheTopicsOfAStreamSettingsFileAndCheckThenFindsThem() throws Exception {
        Path settings = streamSettings("made", "topics.partitions=3\n");

        Result before =
                RnnstreamCliTest.rnnstream("topics", "check", "--config", settings.toString());
        assertThat(before.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(before.out()).contains("missing  made-events (topic.events)");
        assertThat(before.err())
                .isEqualTo(
                        "rnnstream: 5 of 5 topics missing at "
                                + KAFKA.bootstrapServers()
                                + "; create them with 'rnnstream topics create --config "
                                + settings
                                + "'\n");

        Result create =
                RnnstreamCliTest.rnnstream("topics", "create", "--config", settings.toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out().lines())
                .containsExactly(
                        "created  made-events (topic.events, 3 partitions)",
                        "created  made-classifications (topic.results, 3 partitions)",
                        "created  made-dead-letters (topic.dead-letters, 3 partitions)",
                        "created  made-models (topic.models, 1 partition, compacted)",
                        "created  made-shadow-classifications (topic.shadow-results, 3 partitions)");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, "made-models");
            assertThat(
                            admin.describeConfigs(Set.of(models))
                                    .all()
                                    .get()
                                    .get(models)
                                    .get("cleanup.policy")
                                    .value())
                    .isEqualTo("compact");
        }

        Result again =
                RnnstreamCliTest.rnnstream("topics", "create", "--config", settings.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("exists   made-models (topic.models)");
        Result after =
                RnnstreamCliTest.rnnstream("topics", "check", "--config", settings.toString());
        assertThat(after.exitCode()).as(after.err()).isZero();
        Result list =
                RnnstreamCliTest.rnnstream(
                        "topics", "list", "--bootstrap-server", KAFKA.bootstrapServers());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines())
                .contains(
                        "made-events", "made-classifications", "made-dead-letters", "made-models");
    }

    @Test
    void createMakesTheTopicsOfARetrainSettingsFile() throws Exception {
        Path settings = work.resolve("retrain.properties");
        Files.writeString(
                settings,
                "bootstrap.servers="
                        + KAFKA.bootstrapServers()
                        + "\nmodel.name=motion\nmodel.store="
                        + work.resolve("store")
                        + "\ntopic.labelled=fed-labelled\ntopic.models=fed-models\n");

        Result create =
                RnnstreamCliTest.rnnstream(
                        "topics", "create", "--config", settings.toString(), "--partitions", "2");

        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out().lines())
                .containsExactly(
                        "created  fed-labelled (topic.labelled, 2 partitions)",
                        "created  fed-models (topic.models, 1 partition, compacted)");
    }

    @Test
    void streamStopsAtOnceOnAMissingTopicWhenNotToldToCreateIt() throws Exception {
        Path settings = streamSettings("lacking", "topics.create=false\n");
        long started = System.nanoTime();

        Result result = RnnstreamCliTest.rnnstream("stream", "--config", settings.toString());

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(result.err())
                .isEqualTo(
                        "rnnstream: topics 'lacking-events' (topic.events), 'lacking-classifications'"
                                + " (topic.results), 'lacking-dead-letters' (topic.dead-letters),"
                                + " 'lacking-models' (topic.models), 'lacking-shadow-classifications'"
                                + " (topic.shadow-results) do not exist at "
                                + KAFKA.bootstrapServers()
                                + "; create them with 'rnnstream topics create --config <this job's"
                                + " settings file>' or start the job with topics.create=true\n");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void produceAppliesXSettingsAndRefusesAMissingTopicWithoutCreatingIt() throws Exception {
        KAFKA.createTopic("tiny", 1);
        String data = TestData.path("basicmotions/BasicMotions_TEST.ts").toString();

        // A limit far below one event: only a producer that got the -X setting refuses to send.
        Result tooSmall =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        data,
                        "--bootstrap-server",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "tiny",
                        "--limit",
                        "1",
                        "-X",
                        "max.request.size=64");
        assertThat(tooSmall.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(tooSmall.err())
                .startsWith("rnnstream: cannot send to topic 'tiny' at " + KAFKA.bootstrapServers())
                .contains("RecordTooLargeException");

        Result missing =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        data,
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "typo");
        assertThat(missing.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(missing.err())
                .isEqualTo(
                        "rnnstream: cannot send to topic 'typo': topic 'typo' does not exist at "
                                + KAFKA.bootstrapServers()
                                + "; create it with 'rnnstream topics create --config FILE' or"
                                + " Kafka's kafka-topics.sh --create\n");
        Result list =
                RnnstreamCliTest.rnnstream(
                        "topics", "list", "--bootstrap-server", KAFKA.bootstrapServers());
        assertThat(list.out().lines()).doesNotContain("typo");
    }

    @Test
    void tailTakesItsSecurityFromTheCommandConfigFile() throws Exception {
        KAFKA.createTopic("guarded", 1);
        Path clientConfig = work.resolve("client.properties");
        // The test broker speaks PLAINTEXT only: a client that took these settings from the file
        // cannot talk to it, one that ignored them could.
        Files.writeString(
                clientConfig,
                "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"u\" password=\"p\";\n");

        Result result =
                RnnstreamCliTest.rnnstream(
                        "tail",
                        "--bootstrap-server",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "guarded",
                        "--command-config",
                        clientConfig.toString(),
                        "--timeout",
                        "3s");

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(result.err())
                .startsWith(
                        "rnnstream: cannot read topic 'guarded' at "
                                + KAFKA.bootstrapServers()
                                + " (waited up to 3 s)");

        Result plain =
                RnnstreamCliTest.rnnstream(
                        "tail",
                        "--bootstrap-server",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "guarded",
                        "--idle-timeout",
                        "1");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
    }

    private Path streamSettings(String prefix, String extra) throws Exception {
        Path file = work.resolve(prefix + ".properties");
        Files.writeString(
                file,
                "bootstrap.servers="
                        + KAFKA.bootstrapServers()
                        + "\nmodel.default=motion\n"
                        + "topic.events="
                        + prefix
                        + "-events\ntopic.results="
                        + prefix
                        + "-classifications\ntopic.dead-letters="
                        + prefix
                        + "-dead-letters\ntopic.models="
                        + prefix
                        + "-models\ntopic.shadow-results="
                        + prefix
                        + "-shadow-classifications\n"
                        + extra);
        return file;
    }
}
