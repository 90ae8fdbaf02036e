package io.rnnstream.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.deploy.retrain.SmallRetraining;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.TestModels;
import io.rnnstream.testkit.cluster.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped stream job jar on a real standalone Flink cluster (JobManager and TaskManager in
 * their own JVMs, submitted and stopped with the Flink CLI) against a real Kafka broker. Sequences
 * are cut in two: the first halves are streamed, the job is stopped with a savepoint, the second
 * halves are produced while it is down, and the job is resumed from the savepoint. Each straddling
 * sequence must then get exactly the classification an offline replay of the whole sequence gives,
 * which only holds if every key's hidden state survived the stop.
 */
class StandaloneClusterITCase {

    private static final double TOLERANCE = 1e-5;
    private static final int STRADDLING = 24;
    private static final int MARKERS = 8;
    private static final String PREFIX = "standalone";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir static Path work;
    private static StandaloneFlinkCluster flink;
    private static Dataset vowels;
    private static TestModels.Written model;

    @BeforeAll
    static void startCluster() throws Exception {
        long start = System.nanoTime();
        flink = StandaloneFlinkCluster.start(work.resolve("flink"), 2, Duration.ofSeconds(60));
        phase("cluster up", start);
        vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        model =
                TestModels.featureModel(
                        work.resolve("models/vowels-1"),
                        "vowels",
                        1,
                        11,
                        CellType.LSTM,
                        16,
                        vowels);
        for (String topic : List.of("events", "results", "dead-letters", "shadow-results")) {
            KAFKA.createTopic(PREFIX + "-" + topic, 2);
        }
        KAFKA.createTopic(PREFIX + "-models", 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stopCluster() {
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    void hiddenStatesSurviveStopWithSavepointAndResume() throws Exception {
        Path jobConfig = writeJobConfig();
        String jar = JobJars.stream();
        List<LabeledSequence> straddling = vowels.sequences().subList(0, STRADDLING);
        List<LabeledSequence> markers =
                vowels.sequences().subList(STRADDLING, STRADDLING + MARKERS);

        long start = System.nanoTime();
        String first = jobId(flink.flink("run", "-d", jar, "--config", jobConfig.toString()));
        flink.awaitRunning(first, Duration.ofSeconds(60));
        start = phase("submitted and running", start);

        // First halves of the straddling sequences, then whole marker sequences with later event
        // times: once the markers are classified, the watermark has passed every first half, so
        // those events are in keyed state, not merely in flight.
        long ts = System.currentTimeMillis();
        List<ProducerRecord<byte[], byte[]>> before = new ArrayList<>();
        ts = interleave(before, straddling, "k", Part.FIRST_HALF, ts);
        interleave(before, markers, "marker", Part.WHOLE, ts);
        KAFKA.produce(before);
        List<Results.Result> markerResults = readResults(MARKERS);
        start = phase("first halves applied, markers committed", start);
        assertThat(markerResults)
                .extracting(Results.Result::key)
                .allMatch(k -> k.startsWith("marker"));

        String stopped =
                flink.flink(
                        "stop",
                        "--savepointPath",
                        work.resolve("savepoints").toUri().toString(),
                        first);
        String savepoint = savepointPath(stopped);
        start = phase("stopped with savepoint", start);
        assertThat(flink.jobState(first)).isEqualTo("FINISHED");

        // The second halves arrive while the job is down; they must be read from the offsets the
        // savepoint holds and applied on top of the saved hidden states.
        List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>();
        interleave(after, straddling, "k", Part.SECOND_HALF, System.currentTimeMillis());
        KAFKA.produce(after);

        String second =
                jobId(
                        flink.flink(
                                "run",
                                "-d",
                                "-s",
                                savepoint,
                                jar,
                                "--config",
                                jobConfig.toString()));
        try {
            start = phase("resubmitted from the savepoint", start);
            List<Results.Result> results = readResults(MARKERS + STRADDLING);
            phase("straddling sequences committed", start);
            assertThat(results).as("no duplicates and no extras").hasSize(MARKERS + STRADDLING);
            JsonNode restored =
                    flink.rest("jobs/" + second + "/checkpoints").at("/latest/restored");
            assertThat(restored.path("is_savepoint").asBoolean())
                    .as("the resumed job restored a savepoint: %s", restored)
                    .isTrue();
            assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);
            Map<String, Results.Result> byKey =
                    results.stream()
                            .collect(Collectors.toMap(Results.Result::key, Function.identity()));
            for (int i = 0; i < STRADDLING; i++) {
                assertMatchesOfflineReplay(byKey.get("k" + i), straddling.get(i));
            }
            for (int i = 0; i < MARKERS; i++) {
                assertMatchesOfflineReplay(byKey.get("marker" + i), markers.get(i));
            }
            assertThat(flink.logContains("taskmanager", "Serving path: vector ("))
                    .as("the TaskManager serves on the SIMD kernels (env.java.opts.taskmanager)")
                    .isTrue();
        } finally {
            flink.cancel(second);
        }
    }

    @Test
    void theRetrainingJobRunsWithFlinkRunAndPublishesAVersion() throws Exception {
        String labelled = PREFIX + "-labelled";
        String models = PREFIX + "-retrain-models";
        int sequences = SmallRetraining.produceLabelled(KAFKA, labelled, models);
        Path store = work.resolve("store");
        Path config =
                SmallRetraining.writeConfig(
                        work.resolve("retrain.properties"),
                        KAFKA,
                        labelled,
                        models,
                        store,
                        model.announcement().uri(),
                        work.resolve("retrain-report.json"));

        long start = System.nanoTime();
        String output = flink.flink("run", JobJars.retrain(), "--config", config.toString());
        phase("retraining run with flink run", start);

        assertThat(output).contains("decision: published");
        JsonNode report = JSON.readTree(work.resolve("retrain-report.json").toFile());
        assertThat(report.path("decision").asText()).isEqualTo("published");
        assertThat(report.path("trainSequences").asInt() + report.path("holdoutSequences").asInt())
                .isEqualTo(sequences);
        assertThat(store.resolve("vowels/2/manifest.json")).isRegularFile();
        List<ModelAnnouncement> announced =
                KAFKA
                        .read(models, "read_committed", 1, Duration.ofSeconds(30), Duration.ZERO)
                        .stream()
                        .map(r -> AnnouncementParser.parse(r.value()))
                        .toList();
        assertThat(announced).extracting(ModelAnnouncement::version).containsExactly(2L);
    }

    /** Prints how long a phase took (the test's output file), for tuning its run time. */
    private static long phase(String name, long since) {
        long now = System.nanoTime();
        System.out.printf("phase: %-45s %6.1f s%n", name, (now - since) / 1e9);
        return now;
    }

    private static void assertMatchesOfflineReplay(
            Results.Result result, LabeledSequence sequence) {
        SequenceClassifier offline = model.classifier();
        float[] expected = offline.classifyFeatures(sequence.features());
        assertThat(result).as("result for %s", sequence.id()).isNotNull();
        assertThat(result.steps())
                .as("steps of %s: the whole sequence, both sides of the savepoint", result.id())
                .isEqualTo(sequence.length());
        assertThat(result.trigger()).isEqualTo("end");
        assertThat(result.label())
                .isEqualTo(offline.spec().labels().get(SequenceClassifier.argMax(expected)));
        for (int c = 0; c < expected.length; c++) {
            assertThat((double) result.probabilities()[c])
                    .as("probability %d of %s", c, result.id())
                    .isCloseTo(expected[c], within(TOLERANCE));
        }
    }

    /** Which steps of a sequence to stream; the last step of SECOND_HALF and WHOLE ends it. */
    private enum Part {
        FIRST_HALF,
        SECOND_HALF,
        WHOLE;

        int from(LabeledSequence sequence) {
            return this == SECOND_HALF ? sequence.length() / 2 : 0;
        }

        int to(LabeledSequence sequence) {
            return this == FIRST_HALF ? sequence.length() / 2 : sequence.length();
        }
    }

    /**
     * Adds {@code part} of each sequence (key {@code keyPrefix + index}), round-robin across keys
     * with increasing event times, and returns the next free event time.
     */
    private static long interleave(
            List<ProducerRecord<byte[], byte[]>> out,
            List<LabeledSequence> sequences,
            String keyPrefix,
            Part part,
            long ts) {
        int longest = sequences.stream().mapToInt(LabeledSequence::length).max().orElse(0);
        for (int t = 0; t < longest; t++) {
            for (int i = 0; i < sequences.size(); i++) {
                LabeledSequence sequence = sequences.get(i);
                if (t < part.from(sequence) || t >= part.to(sequence)) {
                    continue;
                }
                ObjectNode event = JSON.createObjectNode();
                event.put("key", keyPrefix + i);
                event.put("ts", ts++);
                event.put("seq", sequence.id());
                event.putArray("features").addAll(floats(sequence.features()[t]));
                if (part != Part.FIRST_HALF && t == part.to(sequence) - 1) {
                    event.put("end", true);
                }
                out.add(
                        new ProducerRecord<>(
                                PREFIX + "-events",
                                KafkaBroker.utf8(keyPrefix + i),
                                KafkaBroker.utf8(event.toString())));
            }
        }
        return ts;
    }

    private static List<JsonNode> floats(float[] values) {
        List<JsonNode> nodes = new ArrayList<>();
        for (float value : values) {
            nodes.add(JSON.getNodeFactory().numberNode(value));
        }
        return nodes;
    }

    private static List<Results.Result> readResults(int expected) {
        List<Results.Result> results =
                Results.parse(
                        KAFKA.read(
                                PREFIX + "-results",
                                "read_committed",
                                expected,
                                Duration.ofSeconds(60),
                                Duration.ofSeconds(2)),
                        model.classifier().spec().labels());
        if (results.size() < expected) {
            throw new AssertionError(
                    "expected "
                            + expected
                            + " results, got "
                            + results.size()
                            + "\ntaskmanager:\n"
                            + flink.logTail("taskmanager"));
        }
        return results;
    }

    private static Path writeJobConfig() throws Exception {
        Path file = work.resolve("stream.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "bootstrap.servers=" + KAFKA.bootstrapServers(),
                        "topic.events=" + PREFIX + "-events",
                        "topic.results=" + PREFIX + "-results",
                        "topic.dead-letters=" + PREFIX + "-dead-letters",
                        "topic.models=" + PREFIX + "-models",
                        "topic.shadow-results=" + PREFIX + "-shadow-results",
                        "group.id=" + PREFIX,
                        "transactional.id.prefix=" + PREFIX,
                        "checkpoint.interval=500 ms",
                        "transaction.timeout=2 min",
                        "events.max-out-of-orderness=200 ms",
                        "events.idleness=5 s",
                        // Long enough that no sequence ends by inactivity while the job is down.
                        "sequence.gap=10 min",
                        "parallelism=2",
                        "model.initial.uri=" + model.announcement().uri(),
                        ""));
        return file;
    }

    private static String jobId(String runOutput) {
        return group(runOutput, "JobID ([0-9a-f]{32})");
    }

    private static String savepointPath(String stopOutput) {
        return group(stopOutput, "Savepoint completed\\. Path: (\\S+)");
    }

    private static String group(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        if (!matcher.find()) {
            throw new AssertionError("no match for /" + regex + "/ in:\n" + output);
        }
        return matcher.group(1);
    }
}
