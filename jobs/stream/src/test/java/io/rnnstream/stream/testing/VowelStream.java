package io.rnnstream.stream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The reliability tests' common traffic: JapaneseVowels test sequences (12 features, 7 to 29 steps)
 * spread over keys, served by a small random-weight LSTM, with the expected answer from the offline
 * replay.
 */
public final class VowelStream {

    private final KafkaBroker kafka;
    private final Dataset vowels;
    private final TestModels.Written model;

    private VowelStream(KafkaBroker kafka, Dataset vowels, TestModels.Written model) {
        this.kafka = kafka;
        this.vowels = vowels;
        this.model = model;
    }

    /** Loads the data and writes version 1 of model {@code vowels} under {@code models}. */
    public static VowelStream create(KafkaBroker kafka, Path models) throws IOException {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        return new VowelStream(
                kafka,
                vowels,
                TestModels.featureModel(
                        models.resolve("vowels-1"), "vowels", 1, 7, CellType.LSTM, 16, vowels));
    }

    public Dataset data() {
        return vowels;
    }

    public TestModels.Written model() {
        return model;
    }

    public List<String> labels() {
        return model.classifier().spec().labels();
    }

    /** {@code sequences} test sequences over {@code keys} keys, for topics named {@code prefix}. */
    public EventScript script(String prefix, int sequences, int keys) {
        EventScript script = new EventScript(prefix + "-events");
        for (int i = 0; i < sequences; i++) {
            script.add("speaker-" + (i % keys), "s" + i, vowels.sequences().get(i));
        }
        return script;
    }

    /**
     * Creates the topics of {@code prefix}, then produces a {@link #script} with consecutive event
     * times from now, all before the job starts; returns the script for the expected answer.
     */
    public EventScript produceAll(String prefix, int sequences, int keys) throws Exception {
        StreamTestJob.createTopics(kafka, prefix);
        EventScript script = script(prefix, sequences, keys);
        kafka.produce(script.records(System.currentTimeMillis()));
        return script;
    }

    /**
     * Creates the topics of {@code prefix} and produces the first half of every key's events of a
     * {@link #script}, with wall-clock event times; the second half follows after the fault.
     */
    public Straddle produceFirstHalves(String prefix, int sequences, int keys) throws Exception {
        StreamTestJob.createTopics(kafka, prefix);
        return new Straddle(script(prefix, sequences, keys));
    }

    /** Sequences that straddle a fault: first halves before it, second halves after it. */
    public final class Straddle {
        private final EventScript script;
        private final LongSupplier clock = EventScript.wallClock();
        private final int firstHalfRecords;

        private Straddle(EventScript script) {
            this.script = script;
            this.firstHalfRecords = kafka.produce(script.records(0, 2, clock)).size();
        }

        public EventScript script() {
            return script;
        }

        /** How many records the first halves took. */
        public int firstHalfRecords() {
            return firstHalfRecords;
        }

        public void produceSecondHalves() {
            kafka.produce(secondHalves());
        }

        /**
         * Kills the broker ({@link KafkaBroker#inItsOwnProcess()}), sends the second halves while
         * it is down (the producer waits for it, so these events cross the outage), and starts it
         * again on the same port and log directory after {@code outage}; returns once every
         * second-half event is acknowledged.
         */
        public BrokerOutage produceSecondHalvesAcrossBrokerOutage(Duration outage)
                throws Exception {
            kafka.kill();
            long killed = System.nanoTime();
            CompletableFuture<Long> sent =
                    CompletableFuture.supplyAsync(
                            () -> {
                                long started = System.nanoTime();
                                produceSecondHalves();
                                return started;
                            });
            Thread.sleep(outage.toMillis());
            long restarted = System.nanoTime();
            kafka.restart();
            return new BrokerOutage(killed, restarted, sent.get(2, TimeUnit.MINUTES));
        }

        /**
         * The second half of every key's events, stamped now, for a test that produces them itself
         * (e.g. in slices while it injects a fault).
         */
        public List<ProducerRecord<byte[], byte[]>> secondHalves() {
            return script.records(1, 2, clock);
        }
    }

    /** When the broker was killed and restarted, and when the second halves began to be sent. */
    public record BrokerOutage(long killed, long restarted, long sendStarted) {

        /** Fails unless the second halves were sent while the broker was down. */
        public void assertSecondHalvesCrossedIt() {
            assertThat(sendStarted)
                    .as("the second halves were produced while the broker was down")
                    .isBetween(killed, restarted);
        }
    }

    /**
     * One event per partition of {@code prefix}-events, each for a key of its own, stamped {@code
     * allowance} and 30 s past now: each source subtask reads it after everything produced before,
     * so event time moves past those events even when {@code events.max-out-of-orderness} is {@code
     * allowance}, and the last sequences end. The keys' sequences stay open and emit nothing.
     */
    public void releaseEventTime(String prefix, int partitions, Duration allowance) {
        String topic = prefix + "-events";
        long later = System.currentTimeMillis() + allowance.toMillis() + 30_000;
        float[] frame = vowels.sequences().get(0).features()[0];
        StringBuilder features = new StringBuilder();
        for (float value : frame) {
            features.append(features.length() == 0 ? "" : ",").append(value);
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            String key = "release-" + partition;
            records.add(
                    new ProducerRecord<>(
                            topic,
                            partition,
                            KafkaBroker.utf8(key),
                            KafkaBroker.utf8(
                                    "{\"key\":\""
                                            + key
                                            + "\",\"ts\":"
                                            + later
                                            + ",\"features\":["
                                            + features
                                            + "]}")));
        }
        kafka.produce(records);
    }

    /** Test settings serving version 1 from the start; {@code overrides} win. */
    public Map<String, String> settings(String prefix, Map<String, String> overrides) {
        Map<String, String> settings =
                StreamTestJob.settings(
                        kafka, prefix, Map.of("model.initial.uri", model.announcement().uri()));
        settings.putAll(overrides);
        return settings;
    }

    /** Every committed result; fails if fewer than {@code expected} arrive. */
    public List<Results.Result> readCommitted(String prefix, int expected) {
        return Results.readCommitted(kafka, prefix, labels(), expected);
    }

    /** The committed results are exactly the offline replay of {@code script} by version 1. */
    public void assertExact(EventScript script, List<Results.Result> results) {
        OfflineReplay.assertExact(script, results, model.classifier(), 1);
    }
}
