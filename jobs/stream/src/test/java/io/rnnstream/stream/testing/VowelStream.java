package io.rnnstream.stream.testing;

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
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

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
            kafka.produce(script.records(1, 2, clock));
        }
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
