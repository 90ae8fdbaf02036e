package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality gate cannot be skipped: without a readable version in service a run publishes nothing
 * unless it is declared a first version, and a hold-out below {@code gate.min-holdout} decides
 * nothing. Each test retrains its own model name against one labelled topic of 45 JapaneseVowels
 * sequences (5 per class; a stratified fifth, 9 sequences, is held out).
 */
class RetrainGateITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    private static final String LABELLED = "gate-labelled";
    private static final String MODELS = "gate-models";
    private static final int HOLDOUT = 9;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path temp;

    private static Dataset data;

    @BeforeAll
    static void labelledEvents() throws Exception {
        KAFKA.createTopic(LABELLED, 2);
        KAFKA.createTopic(MODELS, 1, Map.of("cleanup.policy", "compact"));
        data =
                TestData.slice(
                        TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts")), 5);
        EventScript script = new EventScript(LABELLED).labelled();
        for (int i = 0; i < data.size(); i++) {
            script.add("speaker-" + (i % 9), "utterance-" + i, data.sequences().get(i));
        }
        KAFKA.produce(script.records(System.currentTimeMillis()));
    }

    @Test
    void anUnreadableVersionInServiceStopsTheRunAndPublishesNothing() throws Exception {
        String model = "tampered";
        TestModels.Written v1 = versionOne(model);
        TestModels.announce(KAFKA, MODELS, v1.announcement());
        try (Stream<Path> files = Files.list(v1.directory())) {
            for (Path file : files.filter(f -> !f.endsWith("manifest.json")).toList()) {
                TestModels.flipOneByte(file);
            }
        }

        RetrainReport report = retrain(model, Map.of("gate.min-holdout", "1"));

        assertThat(report.decision())
                .as(report.summary())
                .isEqualTo(RetrainReport.Decision.REJECTED_NO_BASELINE);
        assertThat(report.reason())
                .contains("no announced version of tampered could be read")
                .contains(v1.announcement().uri())
                .contains("model.initial.uri is not set")
                .contains("gate.first-version=true");
        JsonNode written = reportJson(model);
        assertThat(written.get("decision").asText()).isEqualTo("rejected-no-baseline");
        assertThat(written.get("firstVersion").asBoolean()).isFalse();
        assertThat(written.get("refusedAnnouncements")).hasSize(1);
        assertThat(written.has("training")).as("nothing was trained").isFalse();
        assertThat(versionsInStore(model)).containsExactly("1");
        assertThat(announcedVersions(model)).containsExactly(1L);
    }

    @Test
    void noVersionAnywhereStopsTheRunUnlessItIsDeclaredTheFirst() throws Exception {
        RetrainReport nothing = retrain("unannounced", Map.of("gate.min-holdout", "1"));
        assertThat(nothing.decision()).isEqualTo(RetrainReport.Decision.REJECTED_NO_BASELINE);
        assertThat(nothing.reason())
                .contains("no version of unannounced is announced on topic " + MODELS)
                .contains("model.initial.uri is not set");

        String missing = temp.resolve("nowhere/unannounced/1").toUri().toString();
        RetrainReport unreadableInitial =
                retrain(
                        "unannounced",
                        Map.of("gate.min-holdout", "1", "model.initial.uri", missing));
        assertThat(unreadableInitial.decision())
                .isEqualTo(RetrainReport.Decision.REJECTED_NO_BASELINE);
        assertThat(unreadableInitial.reason())
                .startsWith("model.initial.uri " + missing + " cannot be read");
        assertThat(Files.exists(store().resolve("unannounced"))).isFalse();
        assertThat(announcedVersions("unannounced")).isEmpty();
    }

    @Test
    void aHoldoutBelowTheMinimumIsNotEnoughDataAndNothingIsTrained() throws Exception {
        String model = "small";
        TestModels.Written v1 = versionOne(model);

        RetrainReport report = retrain(model, Map.of("model.initial.uri", v1.announcement().uri()));

        assertThat(report.decision())
                .as(report.summary())
                .isEqualTo(RetrainReport.Decision.NOT_ENOUGH_DATA);
        assertThat(report.reason())
                .isEqualTo(
                        HOLDOUT
                                + " held-out sequences (holdout.fraction 0.2), gate.min-holdout is "
                                + RetrainConfig.DEFAULT_MIN_HOLDOUT);
        JsonNode written = reportJson(model);
        assertThat(written.get("holdoutSequences").asInt()).isEqualTo(HOLDOUT);
        assertThat(written.get("serviceVersion").asLong()).isEqualTo(1);
        assertThat(written.has("training")).as("stopped before training").isFalse();
        assertThat(versionsInStore(model)).containsExactly("1");
        assertThat(announcedVersions(model)).isEmpty();

        RetrainReport oneShort =
                retrain(
                        model,
                        Map.of(
                                "model.initial.uri",
                                v1.announcement().uri(),
                                "gate.min-holdout",
                                Integer.toString(HOLDOUT + 1)));
        assertThat(oneShort.decision()).isEqualTo(RetrainReport.Decision.NOT_ENOUGH_DATA);
        assertThat(versionsInStore(model)).containsExactly("1");
    }

    @Test
    void anExplicitFirstVersionPublishesWithoutComparisonAndTheReportSaysSo() throws Exception {
        String model = "fresh";
        Map<String, String> settings =
                Map.of("gate.first-version", "true", "gate.min-holdout", Integer.toString(HOLDOUT));

        RetrainReport report = retrain(model, settings);

        assertThat(report.decision())
                .as(report.summary())
                .isEqualTo(RetrainReport.Decision.PUBLISHED);
        assertThat(report.reason())
                .startsWith(
                        "first version of fresh (gate.first-version), published without"
                                + " comparison; accuracy ")
                .contains("on " + HOLDOUT + " held-out sequences")
                .contains("95% Wilson");
        JsonNode written = reportJson(model);
        assertThat(written.get("firstVersion").asBoolean()).isTrue();
        assertThat(written.get("holdoutSequences").asInt()).isEqualTo(HOLDOUT);
        assertThat(written.has("serviceScore")).isFalse();
        double score = written.get("candidateScore").asDouble();
        JsonNode interval = written.get("candidateAccuracyInterval95");
        assertThat(interval.get(0).asDouble()).isLessThanOrEqualTo(score);
        assertThat(interval.get(1).asDouble()).isGreaterThanOrEqualTo(score);
        assertThat(interval.get(1).asDouble() - interval.get(0).asDouble())
                .as("on 9 sequences the interval is wide")
                .isGreaterThan(0.3);
        assertThat(versionsInStore(model)).containsExactly("1");
        assertThat(announcedVersions(model)).containsExactly(1L);

        assertThatThrownBy(() -> retrain(model, settings))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "gate.first-version: fresh is not new: version 1 is announced");
        assertThat(announcedVersions(model)).containsExactly(1L);
    }

    private static RetrainReport retrain(String model, Map<String, String> overrides)
            throws Exception {
        Map<String, String> settings =
                RetrainRuns.settings(
                        KAFKA,
                        LABELLED,
                        MODELS,
                        model,
                        store(),
                        temp.resolve(model + "-report.json"));
        settings.put("warm-start", "false");
        settings.put("train.hidden-size", "8");
        settings.put("train.max-epochs", "2");
        settings.put("train.tbptt-length", "20");
        settings.putAll(overrides);
        return RetrainRuns.run(settings);
    }

    /** A random-weight version 1 of {@code model} in the store, fitting the labelled data. */
    private static TestModels.Written versionOne(String model) throws IOException {
        return TestModels.featureModel(
                store().resolve(model).resolve("1"), model, 1, 7, CellType.LSTM, 8, data);
    }

    private static Path store() {
        return temp.resolve("store");
    }

    private static JsonNode reportJson(String model) throws IOException {
        return JSON.readTree(temp.resolve(model + "-report.json").toFile());
    }

    private static List<String> versionsInStore(String model) throws IOException {
        try (Stream<Path> entries = Files.list(store().resolve(model))) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Long> announcedVersions(String model) {
        return new ModelTopic(KAFKA.bootstrapServers(), MODELS, Map.of())
                .announcements(model).stream().map(ModelAnnouncement::version).toList();
    }
}
