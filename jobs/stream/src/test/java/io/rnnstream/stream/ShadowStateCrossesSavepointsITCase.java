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
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.ShadowTraffic;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow state, the evaluation join and the running evaluations across two stop-with-savepoint
 * restores that rescale the job, and a shadow retired while sequences are open, on a real broker
 * and a MiniCluster. Model {@code m} serves version 1 with versions 2 and 3 as shadows. Every label
 * is on the labelled topic before any event. The first {@value #EARLY} sequences run whole in the
 * first run; every other sequence comes in three parts, one per run: parallelism 2, then 1 from a
 * savepoint of the first, then 2 from a savepoint of the second. In the third run version 3 is
 * retired before the last parts arrive, and then {@value #LATE} new sequences start. Must hold,
 * read with read_committed:
 *
 * <ul>
 *   <li>each sequence has one served result and one result of each shadow that ran it, each the
 *       offline replay of its version from the sequence's start: the serving and the shadow states
 *       crossed both savepoints and both rescalings, and the sequences open at the retirement
 *       finished on the retired version;
 *   <li>no sequence that started after the retirement was accepted has a result of version 3;
 *   <li>each version's evaluation reaches every labelled sequence with the offline figures, and its
 *       labelled count never goes back: the labels waiting in the join and the running figures
 *       crossed both savepoints.
 * </ul>
 */
class ShadowStateCrossesSavepointsITCase {

    private static final String PREFIX = "shadow-restore";
    private static final String MODEL = "m";
    private static final String LABELLED = PREFIX + "-labelled";
    private static final String SHADOW_RESULTS = PREFIX + "-shadow-results";
    private static final String EVALUATIONS = PREFIX + "-evaluations";

    /** Labelled sequences; the first {@link #EARLY} of them end in the first run. */
    private static final int SEQUENCES = 30;

    private static final int EARLY = 10;

    /** Sequences that start after the retirement, each of them whole. */
    private static final int LATE = 10;

    private static final int[] PARALLELISM = {2, 1, 2};

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path savepoints;

    private final Map<Long, TestModels.Written> versions = new HashMap<>();
    private final ShadowTraffic traffic = new ShadowTraffic(KAFKA, PREFIX, LABELLED, EVALUATIONS);
    private List<String> labels;
    private int probes;

    @Test
    void shadowStateAndRunningEvaluationsCrossSavepointsAndARetiredShadowFinishesOnlyOpenSequences()
            throws Exception {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        labels = vowels.labels();
        for (long version = 1; version <= 3; version++) {
            write(version, 6 + version, vowels);
        }
        List<LabeledSequence> sequences = vowels.sequences().subList(0, SEQUENCES);
        List<LabeledSequence> late = vowels.sequences().subList(SEQUENCES, SEQUENCES + LATE);
        StreamTestJob.createTopics(KAFKA, PREFIX);
        KAFKA.createTopic(LABELLED, 2);
        KAFKA.createTopic(EVALUATIONS, 1);
        traffic.announce(versions.get(1L).announcement(), ModelRole.SERVING);
        traffic.announce(versions.get(2L).announcement(), ModelRole.SHADOW);
        traffic.announce(versions.get(3L).announcement(), ModelRole.SHADOW);
        List<ProducerRecord<byte[], byte[]>> truths = new ArrayList<>();
        for (int i = 0; i < SEQUENCES; i++) {
            LabeledSequence s = sequences.get(i);
            // Labels pair with their sequences by sequence id; their time plays no part.
            truths.add(
                    traffic.event(
                            MODEL,
                            "k-" + i,
                            s,
                            s.length() - 1,
                            traffic.nextTimestamp(),
                            s.label()));
        }
        KAFKA.produce(truths);

        String restorePath = null;
        for (int run = 0; run < PARALLELISM.length; run++) {
            Configuration flink = new Configuration();
            if (restorePath != null) {
                flink.addAll(StreamTestJob.restoreFrom(restorePath));
            }
            JobClient job =
                    ClassifierTestJob.start(
                            settings(PARALLELISM[run]),
                            new FaultInjector(0, Integer.MAX_VALUE),
                            "hashmap",
                            flink);
            boolean last = run == PARALLELISM.length - 1;
            boolean stopped = false;
            try {
                if (run == 0) {
                    awaitProbes(Set.of(2L, 3L), "the shadow versions accepted");
                }
                if (last) {
                    traffic.announce(versions.get(3L).announcement(), ModelRole.RETIRED);
                    awaitProbes(Set.of(2L), "the retirement of version 3 accepted");
                }
                List<ProducerRecord<byte[], byte[]>> part = new ArrayList<>();
                for (int i = 0; i < SEQUENCES; i++) {
                    for (int t : steps(i, sequences.get(i), run)) {
                        part.add(
                                traffic.event(
                                        MODEL,
                                        "k-" + i,
                                        sequences.get(i),
                                        t,
                                        traffic.nextTimestamp(),
                                        null));
                    }
                }
                if (last) {
                    for (int i = 0; i < LATE; i++) {
                        LabeledSequence s = late.get(i);
                        for (int t = 0; t < s.length(); t++) {
                            part.add(
                                    traffic.event(
                                            MODEL, "n-" + i, s, t, traffic.nextTimestamp(), null));
                        }
                    }
                }
                FaultInjector.reset(false);
                KAFKA.produce(part);
                if (last) {
                    assertResults(sequences, late);
                    assertEvaluations(sequences);
                } else {
                    // Every event of the part is read, and checkpoints complete on every task,
                    // before the savepoint: what is open then must cross it in keyed state.
                    FaultInjector.awaitCheckpointAfter(part.size(), Duration.ofSeconds(60));
                    restorePath = StreamTestJob.stopWithSavepoint(job, savepoints);
                    stopped = true;
                }
            } finally {
                if (!stopped) {
                    job.cancel().get();
                }
            }
        }
    }

    private void assertResults(List<LabeledSequence> sequences, List<LabeledSequence> late) {
        Predicate<Results.Result> ours = r -> !r.key().startsWith("probe-");
        int started = SEQUENCES + LATE;
        List<Results.Result> served = await(PREFIX + "-results", ours, started);
        // Version 2 runs every sequence, version 3 only the labelled ones, open at its retirement.
        List<Results.Result> shadows = await(SHADOW_RESULTS, ours, started + SEQUENCES);
        for (long version = 1; version <= 3; version++) {
            long v = version;
            Map<String, Results.Result> byId =
                    OfflineReplay.oneResultPerSequence(
                            (version == 1 ? served : shadows)
                                    .stream().filter(r -> r.modelVersion() == v).toList());
            SequenceClassifier classifier = versions.get(version).classifier();
            for (int i = 0; i < SEQUENCES; i++) {
                OfflineReplay.assertResult(
                        byId.get("k-" + i + "/s"), sequences.get(i).features(), classifier, v);
            }
            for (int i = 0; i < LATE; i++) {
                Results.Result result = byId.get("n-" + i + "/s");
                if (version == 3) {
                    assertThat(result)
                            .as("the retired shadow on a sequence started after")
                            .isNull();
                } else {
                    OfflineReplay.assertResult(result, late.get(i).features(), classifier, v);
                }
            }
            assertThat(byId).hasSize(version == 3 ? SEQUENCES : started);
        }
        assertThat(served).hasSize(started);
    }

    private void assertEvaluations(List<LabeledSequence> sequences) {
        List<JsonNode> evaluations = traffic.evaluations(3, SEQUENCES, Duration.ofSeconds(3));
        for (long version = 1; version <= 3; version++) {
            long v = version;
            List<JsonNode> mine =
                    evaluations.stream()
                            .filter(e -> e.get("type").asText().equals("evaluation"))
                            .filter(e -> e.get("version").asLong() == v)
                            .toList();
            assertThat(mine).as("evaluation records of version %d", version).isNotEmpty();
            long previous = 0;
            for (JsonNode record : mine) {
                long labelled = record.get("labelled").asLong();
                assertThat(labelled)
                        .as("labelled count of version %d after %d: %s", version, previous, mine)
                        .isGreaterThanOrEqualTo(previous);
                previous = labelled;
            }
            assertThat(mine.stream().map(e -> e.get("labelled").asLong()))
                    .as("version %d was evaluated after the first run ended", version)
                    .anyMatch(labelled -> labelled >= EARLY && labelled < SEQUENCES);
            JsonNode last = mine.get(mine.size() - 1);
            assertThat(last.get("labelled").asLong()).isEqualTo(SEQUENCES);
            Evaluation offline = new Evaluation(labels);
            SequenceClassifier classifier = versions.get(version).classifier();
            for (LabeledSequence s : sequences) {
                offline.add(
                        labels.indexOf(s.label()),
                        SequenceClassifier.argMax(classifier.classifyFeatures(s.features())));
            }
            assertThat(last.get("accuracy").asDouble())
                    .as("accuracy of version %d", version)
                    .isCloseTo(offline.accuracy(), Offset.offset(1e-12));
            assertThat(last.get("macroF1").asDouble())
                    .as("macro-F1 of version %d", version)
                    .isCloseTo(offline.macroF1(), Offset.offset(1e-12));
        }
    }

    /**
     * The steps of sequence {@code i} that run {@code part} produces: an early sequence whole in
     * the first, every other one a third in each.
     */
    private static int[] steps(int i, LabeledSequence s, int part) {
        int length = s.length();
        int from;
        int to;
        if (i < EARLY) {
            from = part == 0 ? 0 : length;
            to = length;
        } else {
            from = part * length / 3;
            to = (part + 1) * length / 3;
        }
        return IntStream.range(from, to).toArray();
    }

    private Map<String, String> settings(int parallelism) {
        return StreamTestJob.settings(
                KAFKA,
                PREFIX,
                Map.of(
                        "model.default",
                        MODEL,
                        "parallelism",
                        Integer.toString(parallelism),
                        "topic.labelled",
                        LABELLED,
                        "topic.evaluations",
                        EVALUATIONS,
                        "evaluation.every",
                        "7",
                        "promotion.auto",
                        "false"));
    }

    /**
     * Sends rounds of one-event probe sequences on six keys (enough to reach both subtasks) until
     * each probe of a round has one shadow result of each of {@code shadows} and no other.
     */
    private void awaitProbes(Set<Long> shadows, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> keys = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                String key = "probe-" + probes++;
                keys.add(key);
                records.add(traffic.probe(MODEL, key));
            }
            KAFKA.produce(records);
            long roundEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < roundEnd) {
                List<Results.Result> seen = shadowResults(r -> keys.contains(r.key()));
                if (seen.size() == keys.size() * shadows.size()
                        && seen.stream().allMatch(r -> shadows.contains(r.modelVersion()))) {
                    return;
                }
            }
        }
        throw new AssertionError(what + ": not within 90 s");
    }

    /** The shadow results {@code wanted} picks, of what the shadow topic holds now. */
    private List<Results.Result> shadowResults(Predicate<Results.Result> wanted) {
        return Results.parse(
                        KAFKA.read(
                                SHADOW_RESULTS,
                                "read_committed",
                                Integer.MAX_VALUE,
                                Duration.ofSeconds(2),
                                Duration.ZERO),
                        labels)
                .stream()
                .filter(wanted)
                .toList();
    }

    /**
     * Reads {@code topic} with read_committed until it holds {@code expected} results that {@code
     * wanted} picks, then a few seconds more to catch duplicates; returns those it picks.
     */
    private List<Results.Result> await(
            String topic, Predicate<Results.Result> wanted, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Results.Result> picked = List.of();
        while (picked.size() < expected && System.nanoTime() < deadline) {
            picked = read(topic, wanted, Duration.ZERO);
        }
        assertThat(picked).as("results on %s", topic).hasSizeGreaterThanOrEqualTo(expected);
        return read(topic, wanted, Duration.ofSeconds(3));
    }

    private List<Results.Result> read(
            String topic, Predicate<Results.Result> wanted, Duration more) {
        return Results.parse(
                        KAFKA.read(
                                topic,
                                "read_committed",
                                Integer.MAX_VALUE,
                                Duration.ofSeconds(1),
                                more),
                        labels)
                .stream()
                .filter(wanted)
                .toList();
    }

    private void write(long version, long seed, Dataset data) throws IOException {
        versions.put(
                version,
                TestModels.featureModel(
                        models.resolve(MODEL + "-" + version),
                        MODEL,
                        version,
                        seed,
                        CellType.LSTM,
                        16,
                        data));
    }
}
