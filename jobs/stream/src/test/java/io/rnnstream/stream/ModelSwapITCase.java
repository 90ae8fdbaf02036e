package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new model version announced mid-stream: sequences in progress finish on the version they
 * started with, new sequences use the new one, and a tampered or ill-fitting version is refused
 * while the previous one keeps serving.
 */
class ModelSwapITCase {

    private static final String PREFIX = "swap";
    private static final String EVENTS = PREFIX + "-events";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private int probes;

    @Test
    void swapsVersionsLiveAndRefusesBadOnes() throws Exception {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        Dataset motions = TsReader.read(TestData.path("basicmotions/BasicMotions_TEST.ts"));
        TestModels.Written v1 =
                TestModels.featureModel(
                        models.resolve("v1"), "vowels", 1, 7, CellType.LSTM, 16, vowels);
        TestModels.Written v2 =
                TestModels.featureModel(
                        models.resolve("v2"), "vowels", 2, 8, CellType.LSTM, 16, vowels);
        TestModels.Written v3 =
                TestModels.featureModel(
                        models.resolve("v3"), "vowels", 3, 9, CellType.LSTM, 16, vowels);
        TestModels.Written v4 =
                TestModels.featureModel(
                        models.resolve("v4"), "vowels", 4, 10, CellType.LSTM, 16, motions);
        TestModels.flipOneByte(v3.directory().resolve("serving.bin"));

        StreamTestJob.createTopics(KAFKA, PREFIX);
        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        StreamTestJob.settings(
                                KAFKA,
                                PREFIX,
                                Map.of("model.initial.uri", v1.announcement().uri())),
                        new FaultInjector(0, Integer.MAX_VALUE));
        try {
            List<LabeledSequence> sequences = vowels.sequences();
            List<ProducerRecord<byte[], byte[]>> phase1 = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                phase1.addAll(
                        events("early-" + i, sequences.get(i), 0, half(sequences.get(i)), false));
            }
            for (int i = 0; i < 30; i++) {
                LabeledSequence s = sequences.get(30 + i);
                phase1.addAll(events("before-" + i, s, 0, s.length(), true));
            }
            KAFKA.produce(phase1);
            List<Results.Result> before = waitForResults(r -> r.key().startsWith("before-"), 30);
            assertThat(before).allSatisfy(r -> assertThat(r.modelVersion()).isEqualTo(1));

            announce(v2.announcement());
            probeUntilVersion(2);

            List<ProducerRecord<byte[], byte[]>> phase2 = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                LabeledSequence s = sequences.get(i);
                phase2.addAll(events("early-" + i, s, half(s), s.length(), true));
                LabeledSequence fresh = sequences.get(60 + i);
                phase2.addAll(events("after-" + i, fresh, 0, fresh.length(), true));
            }
            KAFKA.produce(phase2);
            List<Results.Result> early = waitForResults(r -> r.key().startsWith("early-"), 30);
            List<Results.Result> after = waitForResults(r -> r.key().startsWith("after-"), 30);
            for (Results.Result r : early) {
                int i = Integer.parseInt(r.key().substring("early-".length()));
                assertThat(r.modelVersion())
                        .as("a sequence in progress finishes on its version")
                        .isEqualTo(1);
                assertThat(r.probabilities())
                        .containsExactly(
                                v1.classifier().classifyFeatures(sequences.get(i).features()),
                                org.assertj.core.data.Offset.offset(1e-5f));
            }
            for (Results.Result r : after) {
                int i = Integer.parseInt(r.key().substring("after-".length()));
                assertThat(r.modelVersion()).as("a new sequence uses the new version").isEqualTo(2);
                assertThat(r.probabilities())
                        .containsExactly(
                                v2.classifier().classifyFeatures(sequences.get(60 + i).features()),
                                org.assertj.core.data.Offset.offset(1e-5f));
            }

            announce(v3.announcement());
            announce(v4.announcement());
            List<ConsumerRecord<byte[], byte[]>> refused =
                    KAFKA.read(
                            PREFIX + "-dead-letters",
                            "read_committed",
                            2,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1));
            assertThat(refused)
                    .extracting(r -> KafkaBroker.header(r, DeadLetterSerializer.REASON))
                    .containsExactly("model-rejected", "model-rejected");
            assertThat(KafkaBroker.header(refused.get(0), DeadLetterSerializer.MESSAGE))
                    .contains("version 3")
                    .contains("serving.bin");
            assertThat(KafkaBroker.header(refused.get(1), DeadLetterSerializer.MESSAGE))
                    .contains("version 4")
                    .contains("takes 12");
            assertThat(AnnouncementParser.parse(refused.get(0).value()))
                    .isEqualTo(v3.announcement());

            Results.Result probe = probe();
            assertThat(probe.modelVersion()).as("the previous version keeps serving").isEqualTo(2);
        } finally {
            job.cancel().get();
        }
    }

    private void announce(ModelAnnouncement announcement) {
        TestModels.announce(KAFKA, PREFIX + "-models", announcement);
    }

    private void probeUntilVersion(long version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (probe().modelVersion() == version) {
                return;
            }
        }
        throw new AssertionError("no probe was classified by version " + version + " within 60 s");
    }

    /** A one-event sequence; returns its classification. */
    private Results.Result probe() {
        String key = "probe-" + probes++;
        float[] features = new float[12];
        Arrays.fill(features, 0.1f);
        LabeledSequence one = LabeledSequence.ofFeatures(key, new float[][] {features}, "1");
        KAFKA.produce(events(key, one, 0, 1, true));
        return waitForResults(r -> r.key().equals(key), 1).get(0);
    }

    private List<Results.Result> waitForResults(
            java.util.function.Predicate<Results.Result> wanted, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Results.Result> matching = List.of();
        while (System.nanoTime() < deadline) {
            List<Results.Result> all =
                    Results.parse(
                            KAFKA.read(
                                    PREFIX + "-results",
                                    "read_committed",
                                    Integer.MAX_VALUE,
                                    Duration.ofMillis(500),
                                    Duration.ZERO),
                            List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"));
            matching = all.stream().filter(wanted).collect(Collectors.toList());
            if (matching.size() >= count) {
                assertThat(matching).hasSize(count);
                return matching;
            }
        }
        List<String> deadLetters =
                KAFKA
                        .read(
                                PREFIX + "-dead-letters",
                                "read_uncommitted",
                                Integer.MAX_VALUE,
                                Duration.ofMillis(500),
                                Duration.ZERO)
                        .stream()
                        .map(r -> KafkaBroker.header(r, DeadLetterSerializer.MESSAGE))
                        .toList();
        throw new AssertionError(
                "expected "
                        + count
                        + " results, got "
                        + matching.size()
                        + "; dead letters: "
                        + deadLetters);
    }

    private List<ProducerRecord<byte[], byte[]>> events(
            String key, LabeledSequence sequence, int from, int to, boolean end) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int t = from; t < to; t++) {
            String features = Arrays.toString(sequence.features()[t]);
            String json =
                    "{\"key\":\""
                            + key
                            + "\",\"seq\":\"s\",\"ts\":"
                            + nextTimestamp()
                            + ",\"features\":"
                            + features
                            + (end && t == to - 1 ? ",\"end\":true}" : "}");
            records.add(
                    new ProducerRecord<>(EVENTS, KafkaBroker.utf8(key), KafkaBroker.utf8(json)));
        }
        return records;
    }

    /** Event time follows the wall clock, as producers stamp events; strictly increasing. */
    private long nextTimestamp() {
        return clock.updateAndGet(previous -> Math.max(previous + 1, System.currentTimeMillis()));
    }

    private static int half(LabeledSequence sequence) {
        return sequence.length() / 2;
    }
}
