package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop: a stream serving version 1, labelled events in Kafka, a retraining run that
 * publishes version 2, and the running stream classifying new sequences with it; then a worse
 * candidate that is refused and crashes in the middle of publishing that leave the store and the
 * model topic consistent. One streaming job serves the whole class, so the tests run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainLoopITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    private static final String PREFIX = "loop";
    private static final String LABELLED = PREFIX + "-labelled";
    private static final String MODEL = "vowels";
    private static final List<String> LABELS = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path temp;

    private Path store;
    private Dataset train;
    private Dataset test;
    private JobClient stream;
    private final AtomicInteger probes = new AtomicInteger();

    @BeforeAll
    void serveVersionOne() throws Exception {
        store = temp.resolve("store");
        train = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts"));
        test = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        // Version 1 learns from 3 sequences per class only: a weak model in service.
        TrainedModel v1 =
                SequenceTrainer.train(
                        TestData.slice(train, 3),
                        TrainingOptions.defaults().toBuilder()
                                .hiddenSize(16)
                                .maxEpochs(8)
                                .patience(8)
                                .validationFraction(0.34)
                                .build(),
                        e -> {});
        Path v1Dir = store.resolve(MODEL).resolve("1");
        ArtifactFactory.write(
                v1Dir,
                v1,
                ArtifactFactory.manifest(
                        v1,
                        MODEL,
                        1,
                        new ArtifactFactory.Provenance("slice", "ts", null, "test", null),
                        Map.of()));

        StreamTestJob.createTopics(KAFKA, PREFIX);
        KAFKA.createTopic(LABELLED, 2);
        FaultInjector.reset(false);
        ClassifierJob job =
                new ClassifierJob(
                        StreamJobConfig.fromMap(
                                StreamTestJob.settings(
                                        KAFKA,
                                        PREFIX,
                                        Map.of("model.initial.uri", v1Dir.toUri().toString()))),
                        new ModelLoader());
        job.checkBroker();
        stream =
                StreamTestJob.start(
                        job.flinkConfiguration(),
                        job::start,
                        new FaultInjector(0, Integer.MAX_VALUE),
                        "hashmap",
                        new Configuration());
    }

    @AfterAll
    void stopStream() throws Exception {
        if (stream != null) {
            stream.cancel().get();
        }
    }

    @Test
    @Order(1)
    void retrainingPublishesABetterVersionThatTheRunningStreamServes() throws Exception {
        List<LabeledSequence> evaluation = test.sequences().subList(0, 90);
        double before = streamedAccuracy("before", evaluation, 1);

        EventScript labelled = new EventScript(LABELLED).labelled();
        for (int i = 0; i < train.size(); i++) {
            labelled.add("speaker-" + (i % 40), "utterance-" + i, train.sequences().get(i));
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(labelled.records(1_000));
        records.add(record("{\"key\":\"x\",\"ts\":5,\"features\":[1,2],\"end\":true}"));
        records.add(
                record("{\"key\":\"y\",\"ts\":5,\"features\":" + twelve() + ",\"label\":\"42\"}"));
        records.add(record("{not json"));
        records.add(record("{\"key\":\"z\",\"ts\":9,\"features\":" + twelve() + "}"));
        records.add(record("{\"key\":\"w\",\"ts\":9,\"features\":[1,2,3],\"label\":\"1\"}"));
        records.add(record("{\"key\":\"v\",\"features\":" + twelve() + ",\"label\":\"1\"}"));
        KAFKA.produce(records);

        RetrainReport report = retrain(Map.of("train.max-epochs", "40")).run(environment());

        assertThat(report.decision())
                .as(report.summary())
                .isEqualTo(RetrainReport.Decision.PUBLISHED);
        assertThat(report.get("candidateVersion")).isEqualTo(2L);
        assertThat((double) report.get("candidateScore"))
                .isGreaterThan((double) report.get("serviceScore"));
        assertThat((double) report.get("parityMaxDifference")).isLessThan(1e-4);
        JsonNode written = JSON.readTree(temp.resolve("report.json").toFile());
        assertThat(written.get("decision").asText()).isEqualTo("published");
        JsonNode problems = written.get("data").get("problems");
        assertThat(problems.get("unlabelled").asInt()).isEqualTo(1);
        assertThat(problems.get("unknown-label").asInt()).isEqualTo(1);
        assertThat(problems.get("unparsable").asInt()).isEqualTo(1);
        assertThat(problems.get("incomplete").asInt()).isEqualTo(1);
        assertThat(problems.get("wrong-dimension").asInt()).isEqualTo(1);
        assertThat(problems.get("missing-timestamp").asInt()).isEqualTo(1);
        assertThat(written.get("data").get("problemExamples").get("unknown-label").get(0).asText())
                .contains("key y")
                .contains("'42'");
        assertThat(written.get("data").get("sequencesBySource").elements().next().asInt())
                .isEqualTo(train.size());

        ModelArtifact v2 =
                ModelArtifact.load(new DirectorySource(store.resolve(MODEL).resolve("2")), null);
        assertThat(v2.manifest().provenance().get(OffsetRange.PROVENANCE_KEY))
                .startsWith(LABELLED + ":");
        assertThat(v2.manifest().training().tbpttLength()).isEqualTo(20);
        awaitServedVersion(2);
        double after = streamedAccuracy("after", evaluation, 2);
        System.out.printf(
                "streamed accuracy on %d test sequences: version 1 %.3f, version 2 %.3f%n",
                evaluation.size(), before, after);
        assertThat(after).as("streamed accuracy of version 2 vs 1").isGreaterThan(before);
    }

    @Test
    @Order(2)
    void aWorseCandidateIsNotPublishedAndTheReportSaysWhy() throws Exception {
        RetrainReport nothingNew = retrain(Map.of("report.store", "true")).run(environment());
        assertThat(nothingNew.decision())
                .as("version 2 remembers where it stopped reading; nothing new since")
                .isEqualTo(RetrainReport.Decision.NOT_ENOUGH_DATA);
        assertThat(nothingNew.reason()).startsWith("0 usable labelled sequences");

        RetrainReport report =
                retrain(
                                Map.of(
                                        "report.store", "true",
                                        "labelled.from", "earliest",
                                        "warm-start", "false",
                                        "train.hidden-size", "2",
                                        "train.max-epochs", "1",
                                        "train.learning-rate", "1e-6"))
                        .run(environment());

        assertThat(report.decision()).isEqualTo(RetrainReport.Decision.REJECTED_WORSE);
        assertThat(report.reason())
                .contains("below version 2")
                .contains("gate.margin")
                .contains("held-out sequences");
        assertThat(JSON.readTree(temp.resolve("report.json").toFile()).get("decision").asText())
                .isEqualTo("rejected-worse");
        assertThat(versionsInStore()).containsExactly("1", "2");
        assertThat(topic().newest(MODEL).version()).isEqualTo(2);
        assertThat(probe().modelVersion()).isEqualTo(2);

        // report.store: both runs' reports beside the versions, the same JSON as report.file.
        List<Path> stored;
        try (Stream<Path> entries = Files.list(store.resolve(MODEL).resolve("reports"))) {
            stored = entries.sorted().toList();
        }
        assertThat(stored)
                .extracting(p -> p.getFileName().toString())
                .satisfiesExactly(
                        first -> assertThat(first).endsWith("-not-enough-data.json"),
                        second -> assertThat(second).endsWith("-rejected-worse-v3.json"));
        JsonNode storedReport = JSON.readTree(stored.get(1).toFile());
        assertThat(storedReport.get("reason").asText()).isEqualTo(report.reason());
        assertThat(storedReport.get("storedReport").asText())
                .endsWith("/" + MODEL + "/reports/" + stored.get(1).getFileName());
        assertThat(JSON.readTree(temp.resolve("report.json").toFile())).isEqualTo(storedReport);
    }

    @Test
    @Order(3)
    void aCrashWhilePublishingLeavesStoreAndTopicConsistent() throws Exception {
        AtomicInteger staged = new AtomicInteger();
        RetrainJob crashesMidCopy =
                retrain(
                        quickRun(),
                        (stage, detail) -> {
                            if (stage == ModelStore.Stage.FILE_STAGED
                                    && staged.incrementAndGet() == 2) {
                                throw new IOException("simulated crash while copying " + detail);
                            }
                        });
        assertThatThrownBy(() -> crashesMidCopy.run(environment()))
                .hasMessageContaining("simulated crash");
        assertThat(versionsInStore()).containsExactly("1", "2");
        List<Path> staging = stagingDirectories();
        assertThat(staging).hasSize(1);
        assertThat(topic().newest(MODEL).version()).isEqualTo(2);

        // Even an announcement of the half-written directory is refused by the stream.
        ModelArtifact v2 =
                ModelArtifact.load(new DirectorySource(store.resolve(MODEL).resolve("2")), null);
        TestModels.announce(
                KAFKA,
                PREFIX + "-models",
                new ModelAnnouncement(
                        MODEL, 3, staging.get(0).toUri().toString(), v2.manifestSha256()));
        assertThat(
                        KAFKA
                                .read(
                                        PREFIX + "-dead-letters",
                                        "read_committed",
                                        1,
                                        Duration.ofSeconds(60),
                                        Duration.ofSeconds(1))
                                .stream()
                                .map(r -> KafkaBroker.header(r, DeadLetterSerializer.REASON)))
                .containsExactly("model-rejected");
        assertThat(probe().modelVersion()).isEqualTo(2);

        RetrainJob crashesBeforeAnnouncing =
                retrain(
                        quickRun(),
                        (stage, detail) -> {
                            if (stage == ModelStore.Stage.RENAMED) {
                                throw new IOException("simulated crash before announcing");
                            }
                        });
        assertThatThrownBy(() -> crashesBeforeAnnouncing.run(environment()))
                .hasMessageContaining("simulated crash");
        assertThat(versionsInStore()).contains("4");
        assertThat(stagingDirectories()).isEmpty();
        assertThat(probe().modelVersion())
                .as("a complete but unannounced version is not served")
                .isEqualTo(2);

        Map<String, String> withFile = new HashMap<>(quickRun());
        withFile.put(
                "data.files", TestData.path("japanesevowels/JapaneseVowels_TEST.ts").toString());
        RetrainReport recovered = retrain(withFile).run(environment());
        assertThat(recovered.decision()).isEqualTo(RetrainReport.Decision.PUBLISHED);
        assertThat(recovered.get("candidateVersion")).isEqualTo(5L);
        assertThat((int) recovered.get("trainSequences") + (int) recovered.get("holdoutSequences"))
                .as("the topic's sequences and the file's")
                .isEqualTo(train.size() + test.size());
        assertThat(topic().newest(MODEL).version()).isEqualTo(5);
        awaitServedVersion(5);
    }

    private Map<String, String> quickRun() {
        return Map.of("labelled.from", "earliest", "train.max-epochs", "2", "gate.margin", "1");
    }

    private RetrainJob retrain(Map<String, String> overrides) {
        return retrain(overrides, (stage, detail) -> {});
    }

    private RetrainJob retrain(Map<String, String> overrides, ModelStore.StageListener listener) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", KAFKA.bootstrapServers());
        settings.put("topic.labelled", LABELLED);
        settings.put("topic.models", PREFIX + "-models");
        settings.put("model.name", MODEL);
        settings.put("model.store", store.toUri().toString());
        settings.put("model.initial.uri", store.resolve(MODEL).resolve("1").toUri().toString());
        settings.put("train.tbptt-length", "20");
        // The loop checks the stream serving the published version at once.
        settings.put("publish.role", "serving");
        settings.put("report.file", temp.resolve("report.json").toString());
        // The closed loop holds out 54 sequences: enough to show the loop, not the default minimum.
        settings.put("gate.min-holdout", "50");
        settings.putAll(overrides);
        return new RetrainJob(RetrainConfig.fromMap(settings), e -> {}, listener);
    }

    private static StreamExecutionEnvironment environment() {
        return StreamExecutionEnvironment.getExecutionEnvironment(RetrainJob.flinkConfiguration());
    }

    private ModelTopic topic() {
        return new ModelTopic(KAFKA.bootstrapServers(), PREFIX + "-models", Map.of());
    }

    /** Streams {@code sequences} as new keys and returns the accuracy of their classifications. */
    private double streamedAccuracy(String tag, List<LabeledSequence> sequences, long version)
            throws IOException {
        EventScript script = new EventScript(PREFIX + "-events");
        for (int i = 0; i < sequences.size(); i++) {
            script.add(tag + "-" + i, "s", sequences.get(i));
        }
        KAFKA.produce(script.records(System.currentTimeMillis()));
        List<Results.Result> results =
                Results.await(
                        KAFKA,
                        PREFIX + "-results",
                        LABELS,
                        r -> r.key().startsWith(tag + "-"),
                        sequences.size());
        SequenceClassifier served =
                ModelArtifact.load(
                                new DirectorySource(
                                        store.resolve(MODEL).resolve(Long.toString(version))),
                                null)
                        .classifier();
        int correct = 0;
        for (Results.Result result : results) {
            assertThat(result.modelVersion()).isEqualTo(version);
            LabeledSequence sequence =
                    sequences.get(Integer.parseInt(result.key().substring(tag.length() + 1)));
            assertThat(result.probabilities())
                    .containsExactly(
                            served.classifyFeatures(sequence.features()),
                            org.assertj.core.data.Offset.offset(1e-5f));
            if (result.label().equals(sequence.label())) {
                correct++;
            }
        }
        return correct / (double) results.size();
    }

    private void awaitServedVersion(long version) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (probe().modelVersion() == version) {
                return;
            }
        }
        throw new AssertionError("the stream did not serve version " + version + " within 60 s");
    }

    private Results.Result probe() {
        String key = "probe-" + probes.incrementAndGet();
        EventScript script =
                new EventScript(PREFIX + "-events")
                        .add(key, "p", test.sequences().get(0).withLabel("1"));
        KAFKA.produce(script.records(System.currentTimeMillis()));
        return Results.await(KAFKA, PREFIX + "-results", LABELS, r -> r.key().equals(key), 1)
                .get(0);
    }

    private List<String> versionsInStore() throws IOException {
        try (Stream<Path> entries = Files.list(store.resolve(MODEL))) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith(".") && !name.equals("reports"))
                    .sorted()
                    .toList();
        }
    }

    private List<Path> stagingDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(store.resolve(MODEL))) {
            return entries.filter(
                            p -> p.getFileName().toString().startsWith(ModelStore.STAGING_PREFIX))
                    .toList();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String json) {
        return new ProducerRecord<>(LABELLED, KafkaBroker.utf8("bad"), KafkaBroker.utf8(json));
    }

    private static String twelve() {
        return "[1,2,3,4,5,6,7,8,9,10,11,12]";
    }
}
