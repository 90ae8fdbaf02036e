package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream promote} and {@code rollback} against a real broker: each announces what the
 * stream takes (a serving announcement; a rollback marked as one, after verifying the stored
 * artifact) and records the decision; each refuses the other's direction, an unknown version and a
 * version no longer in the store, announcing nothing.
 */
class PromoteRollbackITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path store;

    @Test
    void promotesAShadowAndRollsBackToAStoredVersionOnlyInTheirDirection() throws Exception {
        List<TestModels.Written> versions =
                announced(
                        "models",
                        "model-evaluations",
                        ModelRole.SERVING,
                        ModelRole.SERVING,
                        ModelRole.SHADOW);
        TestModels.Written v1 = versions.get(0);
        TestModels.Written v2 = versions.get(1);
        TestModels.Written v3 = versions.get(2);

        RnnstreamCliTest.Result older = cli("promote", "--version", "1");
        assertThat(older.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(older.err())
                .contains(
                        "--version: model vowels version 1 is not newer than the serving version 2")
                .contains("rnnstream rollback --to 1");
        RnnstreamCliTest.Result unknown = cli("promote", "--version", "9");
        assertThat(unknown.err()).contains("version 9 was never announced").contains("[1, 2, 3]");

        RnnstreamCliTest.Result promoted = cli("promote");
        assertThat(promoted.exitCode()).as(promoted.err()).isZero();
        assertThat(promoted.out()).contains("version 3 announced as serving (was version 2)");

        RnnstreamCliTest.Result newer = cli("rollback", "--to", "3");
        assertThat(newer.err()).contains("--to: a rollback goes to an older version");
        deleteDirectory(v1.directory());
        RnnstreamCliTest.Result gone = cli("rollback", "--to", "1");
        assertThat(gone.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(gone.err()).contains("--to: model vowels version 1 cannot be served from");

        RnnstreamCliTest.Result rolledBack = cli("rollback", "--to", "2");
        assertThat(rolledBack.exitCode()).as(rolledBack.err()).isZero();
        assertThat(rolledBack.out()).contains("rolled back to version 2 (was version 3)");

        List<ConsumerRecord<byte[], byte[]>> models = readAll("models", 5);
        assertThat(models).hasSize(5);
        RoleAnnouncement promotion = AnnouncementParser.parseRole(models.get(3).value());
        assertThat(promotion).isEqualTo(RoleAnnouncement.serving(v3.announcement()));
        assertThat(new String(models.get(3).key(), StandardCharsets.UTF_8)).isEqualTo("vowels");
        RoleAnnouncement rollback = AnnouncementParser.parseRole(models.get(4).value());
        assertThat(rollback)
                .isEqualTo(new RoleAnnouncement(v2.announcement(), ModelRole.SERVING, true));

        List<JsonNode> decisions =
                readAll("model-evaluations", 2).stream().map(r -> json(r.value())).toList();
        assertThat(decisions)
                .extracting(
                        d ->
                                d.get("decision").asText()
                                        + " v"
                                        + d.get("version").asLong()
                                        + " from v"
                                        + d.get("servingVersion").asLong()
                                        + " by "
                                        + d.get("by").asText())
                .containsExactly("promote v3 from v2 by manual", "rollback v2 from v3 by manual");
    }

    @Test
    void retiresOnlyARunningShadowAndRecordsTheDecision() throws Exception {
        List<TestModels.Written> versions =
                announced(
                        "retire-models",
                        "retire-evaluations",
                        ModelRole.SERVING,
                        ModelRole.SHADOW,
                        ModelRole.SHADOW);
        TestModels.Written v2 = versions.get(1);

        RnnstreamCliTest.Result serving = retire("1");
        assertThat(serving.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(serving.err())
                .contains("--version: model vowels version 1 serves; promote or roll back");
        RnnstreamCliTest.Result unknown = retire("9");
        assertThat(unknown.err()).contains("version 9 was never announced");

        RnnstreamCliTest.Result retired = retire("2");
        assertThat(retired.exitCode()).as(retired.err()).isZero();
        assertThat(retired.out())
                .contains("model vowels shadow version 2 retired (serving: version 1)");
        RnnstreamCliTest.Result again = retire("2");
        assertThat(again.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(again.err())
                .contains("--version: model vowels version 2 runs as no shadow; its shadows: [3]");

        List<ConsumerRecord<byte[], byte[]>> models = readAll("retire-models", 4);
        assertThat(models).hasSize(4);
        assertThat(AnnouncementParser.parseRole(models.get(3).value()))
                .isEqualTo(new RoleAnnouncement(v2.announcement(), ModelRole.RETIRED, false));
        assertThat(new String(models.get(3).key(), StandardCharsets.UTF_8))
                .as("the shadow's key: compaction keeps the retirement")
                .isEqualTo("vowels#2#shadow");
        List<JsonNode> decisions =
                readAll("retire-evaluations", 1).stream().map(r -> json(r.value())).toList();
        assertThat(decisions).hasSize(1);
        JsonNode decision = decisions.get(0);
        assertThat(decision.get("type").asText()).isEqualTo("decision");
        assertThat(decision.get("decision").asText()).isEqualTo("retire");
        assertThat(decision.get("by").asText()).isEqualTo("manual");
        assertThat(decision.get("version").asLong()).isEqualTo(2);
        assertThat(decision.get("role").asText()).isEqualTo("retired");
        assertThat(decision.get("servingVersion").asLong()).isEqualTo(1);
    }

    /**
     * The committed records of {@code topic}: {@code expected}, and any surplus within a second.
     */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        return KAFKA.read(
                topic, "read_committed", expected, Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    private static RnnstreamCliTest.Result retire(String version) {
        return cli(
                "retire",
                "--version",
                version,
                "--models-topic",
                "retire-models",
                "--evaluations-topic",
                "retire-evaluations");
    }

    /**
     * Creates the two topics and announces versions 1, 2, ... of model vowels in {@code roles}, in
     * order; returns the versions written to the store.
     */
    private List<TestModels.Written> announced(
            String modelsTopic, String evaluationsTopic, ModelRole... roles) throws Exception {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        KAFKA.createTopic(modelsTopic, 1, java.util.Map.of("cleanup.policy", "compact"));
        KAFKA.createTopic(evaluationsTopic, 1);
        List<TestModels.Written> versions = new java.util.ArrayList<>();
        for (int i = 0; i < roles.length; i++) {
            TestModels.Written version = model(i + 1, vowels);
            versions.add(version);
            announce(modelsTopic, new RoleAnnouncement(version.announcement(), roles[i], false));
        }
        return versions;
    }

    private TestModels.Written model(long version, Dataset data) throws IOException {
        return TestModels.featureModel(
                store.resolve("vowels").resolve(Long.toString(version)),
                "vowels",
                version,
                6 + version,
                CellType.LSTM,
                8,
                data);
    }

    private static RnnstreamCliTest.Result cli(String command, String... arguments) {
        String[] args = new String[arguments.length + 5];
        args[0] = command;
        args[1] = "--bootstrap-servers";
        args[2] = KAFKA.bootstrapServers();
        args[3] = "--model";
        args[4] = "vowels";
        System.arraycopy(arguments, 0, args, 5, arguments.length);
        return RnnstreamCliTest.rnnstream(args);
    }

    private static void announce(String topic, RoleAnnouncement announced) {
        TestModels.announce(KAFKA, topic, announced);
    }

    private static void deleteDirectory(Path directory) throws IOException {
        try (var files = java.nio.file.Files.walk(directory)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
