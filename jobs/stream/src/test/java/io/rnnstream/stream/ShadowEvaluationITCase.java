package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.eval.Evaluation;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.monitoring.MonitoringQueries;
import io.rnnstream.stream.monitoring.PrometheusScrape;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.ShadowTraffic;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow versions and their live evaluation end to end, on a real broker and a MiniCluster with
 * parallelism 2, with a failure injected after a completed checkpoint. Three models take the same
 * events under their own names: {@code m0} serves version 1 alone, {@code m1} version 1 with
 * version 2 as a shadow, {@code m2} version 1 with versions 2 and 3 as shadows (every model's
 * version 1 has the same weights). Labels arrive on the labelled topic: for {@code m0} the
 * dataset's, for {@code m1} what version 2 answers (so it is the better version), for {@code m2}
 * what version 1 answers (so no shadow is better). Must hold, read with read_committed: the served
 * bytes of the three models are identical; every shadow result equals the offline replay of its
 * version from the sequence's start, once; the live figures equal the offline ones; each evaluation
 * record appears once, every {@value #EVERY} labelled sequences of a version and at the checkpoints
 * in between (the final figures, 60 not being a multiple of 7, only at a checkpoint); version 2 of
 * {@code m1} is promoted once, on the evidence the policy asks for, and then serves new sequences
 * without a shadow; no shadow of {@code m2} is promoted.
 */
class ShadowEvaluationITCase {

    private static final String PREFIX = "shadow";
    private static final String EVENTS = PREFIX + "-events";
    private static final String LABELLED = PREFIX + "-labelled";

    /** The test settings' shadow topic, created with the others. */
    private static final String SHADOW_RESULTS = PREFIX + "-shadow-results";

    private static final String EVALUATIONS = PREFIX + "-evaluations";
    private static final int SEQUENCES = 60;

    /** Not a divisor of {@link #SEQUENCES}: the final figures come only in checkpoint records. */
    private static final int EVERY = 7;

    /**
     * Every sequence: version 2 of m1 meets the sign test and the margin long before, so the
     * promotion waits for exactly this evidence, and no m1 sequence starts after it.
     */
    private static final int MIN_LABELLED = SEQUENCES;

    private static final double MARGIN = 0.05;

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    /** Ports Flink's PrometheusReporter may take, one per JobManager and TaskManager. */
    private static final int FIRST_METRICS_PORT = 19250;

    private static final int LAST_METRICS_PORT = 19269;

    @RegisterExtension
    static final MiniClusterExtension FLINK = StreamTestJob.miniCluster(prometheusReporter());

    @TempDir Path models;
    private final Map<String, TestModels.Written> written = new HashMap<>();
    private final ShadowTraffic traffic = new ShadowTraffic(KAFKA, PREFIX, LABELLED, EVALUATIONS);
    private List<String> labels;
    private int probes;

    @Test
    void shadowsRunBesideServingAreEvaluatedLiveAndOnlyTheBetterOneIsPromoted() throws Exception {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        labels = vowels.labels();
        for (String model : List.of("m0", "m1", "m2")) {
            write(model, 1, 7, vowels);
        }
        write("m1", 2, 8, vowels);
        write("m2", 2, 8, vowels);
        write("m2", 3, 9, vowels);
        List<LabeledSequence> sequences = vowels.sequences().subList(0, SEQUENCES);
        assertThat(disagreements(sequences, version("m1", 1), version("m1", 2)))
                .as("precondition: version 2 answers differently often enough to be promoted")
                .isGreaterThanOrEqualTo(8);

        StreamTestJob.createTopics(KAFKA, PREFIX);
        KAFKA.createTopic(LABELLED, 2);
        KAFKA.createTopic(EVALUATIONS, 1);
        traffic.announce(version("m0", 1).announcement(), ModelRole.SERVING);
        traffic.announce(version("m1", 1).announcement(), ModelRole.SERVING);
        traffic.announce(version("m1", 2).announcement(), ModelRole.SHADOW);
        traffic.announce(version("m2", 1).announcement(), ModelRole.SERVING);
        traffic.announce(version("m2", 2).announcement(), ModelRole.SHADOW);
        traffic.announce(version("m2", 3).announcement(), ModelRole.SHADOW);

        FaultInjector.reset(true);
        JobClient job =
                ClassifierTestJob.start(
                        StreamTestJob.settings(
                                KAFKA,
                                PREFIX,
                                Map.of(
                                        "model.default",
                                        "m0",
                                        "topic.labelled",
                                        LABELLED,
                                        "topic.evaluations",
                                        EVALUATIONS,
                                        "evaluation.every",
                                        Integer.toString(EVERY),
                                        "promotion.min-labelled",
                                        Integer.toString(MIN_LABELLED),
                                        "promotion.margin",
                                        Double.toString(MARGIN),
                                        "promotion.confidence",
                                        "0.95")),
                        new FaultInjector(4, 700));
        try {
            awaitEveryShadowAccepted();

            List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> truths = new ArrayList<>();
            for (int i = 0; i < SEQUENCES; i++) {
                LabeledSequence s = sequences.get(i);
                long[] times = new long[s.length()];
                for (int t = 0; t < s.length(); t++) {
                    times[t] = traffic.nextTimestamp();
                    for (String model : List.of("m0", "m1", "m2")) {
                        events.add(traffic.event(model, "k-" + i, s, t, times[t], null));
                    }
                }
                int last = s.length() - 1;
                truths.add(traffic.event("m0", "k-" + i, s, last, times[last], s.label()));
                truths.add(traffic.event("m1", "k-" + i, s, last, times[last], label("m1", 2, s)));
                truths.add(traffic.event("m2", "k-" + i, s, last, times[last], label("m2", 1, s)));
            }
            // The labels first: they wait in the join for their sequences, so the evaluation and
            // the promotion happen while events flow, across the injected failure.
            KAFKA.produce(truths);
            KAFKA.produce(events);

            Map<String, Map<String, String>> served = servedBytes(3 * SEQUENCES);
            List<Results.Result> shadows =
                    shadowResults(r -> r.key().startsWith("k-"), 3 * SEQUENCES);
            // Six versions: m0 v1, m1 v1 and v2, m2 v1, v2 and v3.
            List<JsonNode> evaluations = traffic.evaluations(6, SEQUENCES, Duration.ofSeconds(3));
            assertThat(FaultInjector.FIRED).as("the injected failure fired").isTrue();
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("tasks restarted").isPositive();

            // Served bytes do not depend on how many shadows run beside them.
            assertThat(served.get("m0")).hasSize(SEQUENCES);
            assertThat(served.get("m1")).isEqualTo(served.get("m0"));
            assertThat(served.get("m2")).isEqualTo(served.get("m0"));
            assertThat(served.get("m0").values())
                    .allMatch(json -> json.contains("\"modelVersion\":1"));

            // Each shadow result is its version's offline replay from the sequence's start, once.
            assertShadowsExact(shadows, "m1", 2, sequences);
            assertShadowsExact(shadows, "m2", 2, sequences);
            assertShadowsExact(shadows, "m2", 3, sequences);

            // Live figures equal offline ones; every record once.
            assertThat(evaluations)
                    .filteredOn(e -> e.get("type").asText().equals("evaluation"))
                    .extracting(
                            e ->
                                    e.get("model").asText()
                                            + "/"
                                            + e.get("version").asLong()
                                            + "/"
                                            + e.get("role").asText()
                                            + "@"
                                            + e.get("labelled").asLong())
                    .doesNotHaveDuplicates();
            assertThat(evaluations)
                    .filteredOn(e -> e.get("type").asText().equals("evaluation"))
                    .allSatisfy(
                            e ->
                                    assertThat(e.get("trigger").asText())
                                            .as("trigger of %s", e)
                                            .isEqualTo(
                                                    e.get("labelled").asLong() % EVERY == 0
                                                            ? "every"
                                                            : "checkpoint"));
            assertThat(evaluations)
                    .filteredOn(e -> e.get("type").asText().equals("evaluation"))
                    .filteredOn(e -> e.get("trigger").asText().equals("every"))
                    .as("every %d labelled sequences of each version, once", EVERY)
                    .hasSize(6 * (SEQUENCES / EVERY));
            JsonNode m0 = evaluation(evaluations, "m0", 1, "serving", SEQUENCES);
            Evaluation offline = new Evaluation(labels);
            for (LabeledSequence s : sequences) {
                offline.add(labels.indexOf(s.label()), labels.indexOf(label("m0", 1, s)));
            }
            assertThat(m0.get("accuracy").asDouble())
                    .isCloseTo(offline.accuracy(), Offset.offset(1e-12));
            assertThat(m0.get("macroF1").asDouble())
                    .isCloseTo(offline.macroF1(), Offset.offset(1e-12));
            for (long shadow : new long[] {2, 3}) {
                JsonNode m2 = evaluation(evaluations, "m2", shadow, "shadow", SEQUENCES);
                long agreeing =
                        SEQUENCES
                                - disagreements(sequences, version("m2", 1), version("m2", shadow));
                assertThat(m2.get("correct").asLong())
                        .as("m2 v%d right = agreeing with v1", shadow)
                        .isEqualTo(agreeing);
                assertThat(m2.get("agreement").asDouble())
                        .isCloseTo((double) agreeing / SEQUENCES, Offset.offset(1e-12));
                assertThat(m2.get("shadowOnlyRight").asLong()).isZero();
            }

            // Only the better shadow is promoted, once, on the evidence the policy asks for.
            List<JsonNode> decisions =
                    evaluations.stream()
                            .filter(e -> e.get("type").asText().equals("decision"))
                            .toList();
            assertThat(decisions).hasSize(1);
            JsonNode decision = decisions.get(0);
            assertThat(decision.get("decision").asText()).isEqualTo("promote");
            assertThat(decision.get("model").asText()).isEqualTo("m1");
            assertThat(decision.get("version").asLong()).isEqualTo(2);
            assertThat(decision.get("servingVersion").asLong()).isEqualTo(1);
            assertThat(decision.get("labelled").asLong()).isEqualTo(MIN_LABELLED);
            for (long labelled = EVERY; labelled < MIN_LABELLED; labelled += EVERY) {
                JsonNode before = evaluation(evaluations, "m1", 2, "shadow", labelled);
                if (labelled >= 30) {
                    assertThat(before.get("pValue").asDouble())
                            .as("evidence at %d, held back only by the minimum", labelled)
                            .isLessThanOrEqualTo(0.05);
                }
            }
            assertThat(decision.get("servingOnlyRight").asLong()).isZero();
            assertThat(decision.get("pValue").asDouble()).isLessThanOrEqualTo(0.05);
            assertThat(
                            decision.get("accuracy").asDouble()
                                    - decision.get("servingAccuracy").asDouble())
                    .isGreaterThanOrEqualTo(MARGIN);
            assertThat(decision.get("policy").get("minLabelled").asLong()).isEqualTo(MIN_LABELLED);

            // The promotion went through the model topic: new m1 sequences are served by
            // version 2, and no shadow runs beside them any more.
            String probe = probeUntilVersion("m1", 2);
            Thread.sleep(1_000);
            assertThat(shadowResults(r -> r.key().equals(probe), 0)).isEmpty();

            // Every metric docs/monitoring queries is served by Flink's PrometheusReporter for
            // this job, under that name and with the labels the queries group and filter by.
            Map<String, Set<String>> reported =
                    PrometheusScrape.ports(FIRST_METRICS_PORT, LAST_METRICS_PORT).labelsByMetric();
            Map<String, Set<String>> queried = MonitoringQueries.ofRepository().labelsByMetric();
            assertThat(queried).as("metrics docs/monitoring queries").hasSizeGreaterThan(10);
            queried.forEach(
                    (metric, labels) -> {
                        assertThat(reported)
                                .as(
                                        "the reporter serves %s (this job's operator metrics: %s)",
                                        metric,
                                        reported.keySet().stream()
                                                .filter(m -> m.contains("_operator_"))
                                                .filter(m -> !m.contains("Kafka"))
                                                .toList())
                                .containsKey(metric);
                        assertThat(reported.get(metric))
                                .as("labels of %s", metric)
                                .containsAll(labels);
                    });
        } finally {
            job.cancel().get();
        }
    }

    private static Configuration prometheusReporter() {
        return Configuration.fromMap(
                Map.of(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                        "metrics.reporter.prom.port",
                        FIRST_METRICS_PORT + "-" + LAST_METRICS_PORT));
    }

    /** Probes every model until each probe of m1 and m2 has its shadows' results. */
    private void awaitEveryShadowAccepted() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> keys = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                String key = "probe-" + probes++;
                keys.add(key);
                for (String model : List.of("m0", "m1", "m2")) {
                    records.add(traffic.probe(model, key));
                }
            }
            KAFKA.produce(records);
            // Probes sent before the announcements are taken are dead letters (unknown model).
            long roundEnd = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < roundEnd) {
                if (shadowResults(r -> keys.contains(r.key()), 0).size() == 18) {
                    return;
                }
            }
        }
        throw new AssertionError("the shadow versions were not accepted within 90 s");
    }

    private String probeUntilVersion(String model, long version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String key = "probe-" + probes++;
            KAFKA.produce(List.of(traffic.probe(model, key)));
            Results.Result result =
                    Results.await(KAFKA, PREFIX + "-results", labels, r -> r.key().equals(key), 1)
                            .get(0);
            if (result.modelVersion() == version) {
                return key;
            }
        }
        throw new AssertionError(model + " was not served by version " + version + " within 90 s");
    }

    /** Served results of the k- keys by model, then key: their JSON with the model name m0. */
    private Map<String, Map<String, String>> servedBytes(int expected) {
        Map<String, Map<String, String>> byModel = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int found = 0;
        List<ConsumerRecord<byte[], byte[]>> records = List.of();
        while (found < expected && System.nanoTime() < deadline) {
            records =
                    KAFKA.read(
                            PREFIX + "-results",
                            "read_committed",
                            Integer.MAX_VALUE,
                            Duration.ofSeconds(1),
                            Duration.ZERO);
            found =
                    (int)
                            records.stream()
                                    .filter(
                                            r ->
                                                    new String(r.key(), StandardCharsets.UTF_8)
                                                            .startsWith("k-"))
                                    .count();
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!key.startsWith("k-")) {
                continue;
            }
            String json = new String(record.value(), StandardCharsets.UTF_8);
            String model = ShadowTraffic.json(record.value()).get("model").asText();
            String previous =
                    byModel.computeIfAbsent(model, m -> new TreeMap<>())
                            .put(
                                    key,
                                    json.replace(
                                            "\"model\":\"" + model + "\"", "\"model\":\"m0\""));
            assertThat(previous).as("a second served result for %s of %s", key, model).isNull();
        }
        return byModel;
    }

    private List<Results.Result> shadowResults(Predicate<Results.Result> wanted, int expected) {
        return Results.parse(
                        KAFKA.read(
                                SHADOW_RESULTS,
                                "read_committed",
                                expected == 0 ? Integer.MAX_VALUE : expected,
                                Duration.ofSeconds(expected == 0 ? 2 : 120),
                                Duration.ofSeconds(expected == 0 ? 0 : 3)),
                        labels)
                .stream()
                .filter(wanted)
                .toList();
    }

    private static JsonNode evaluation(
            List<JsonNode> records, String model, long version, String role, long labelled) {
        return records.stream()
                .filter(e -> e.get("type").asText().equals("evaluation"))
                .filter(
                        e ->
                                e.get("model").asText().equals(model)
                                        && e.get("version").asLong() == version
                                        && e.get("role").asText().equals(role)
                                        && e.get("labelled").asLong() == labelled)
                .findFirst()
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no evaluation of "
                                                + model
                                                + " v"
                                                + version
                                                + " "
                                                + role
                                                + " at "
                                                + labelled
                                                + " in "
                                                + records));
    }

    private void assertShadowsExact(
            List<Results.Result> shadows,
            String model,
            long version,
            List<LabeledSequence> sequences) {
        // The shadow topic's records carry their model name; Results does not parse it, so match
        // by version and compare with the version's classifier (the m2 and m1 version 2 share
        // weights, each must be there once per sequence).
        List<Results.Result> mine =
                shadows.stream().filter(r -> r.modelVersion() == version).toList();
        SequenceClassifier classifier = version(model, version).classifier();
        Map<String, Long> count = new TreeMap<>();
        for (Results.Result r : mine) {
            count.merge(r.key(), 1L, Long::sum);
            int i = Integer.parseInt(r.key().substring(2));
            OfflineReplay.assertResult(r, sequences.get(i).features(), classifier, version);
        }
        long perSequence = version == 2 ? 2 : 1; // m1 and m2 both shadow with version 2
        assertThat(count).hasSize(SEQUENCES);
        assertThat(count.values()).allMatch(n -> n == perSequence);
    }

    private void write(String model, long version, long seed, Dataset data) throws IOException {
        written.put(
                model + "#" + version,
                TestModels.featureModel(
                        models.resolve(model + "-" + version),
                        model,
                        version,
                        seed,
                        CellType.LSTM,
                        16,
                        data));
    }

    private TestModels.Written version(String model, long version) {
        return written.get(model + "#" + version);
    }

    /** The label {@code version} of {@code model} gives the whole sequence offline. */
    private String label(String model, long version, LabeledSequence s) {
        SequenceClassifier classifier = version(model, version).classifier();
        return labels.get(SequenceClassifier.argMax(classifier.classifyFeatures(s.features())));
    }

    private long disagreements(
            List<LabeledSequence> sequences, TestModels.Written a, TestModels.Written b) {
        return sequences.stream()
                .filter(
                        s ->
                                SequenceClassifier.argMax(
                                                a.classifier().classifyFeatures(s.features()))
                                        != SequenceClassifier.argMax(
                                                b.classifier().classifyFeatures(s.features())))
                .count();
    }
}
