package io.rnnstream.bench;

import io.rnnstream.stream.classify.ClassifierSettings;
import io.rnnstream.stream.classify.SequenceClassifierFunction;
import io.rnnstream.stream.classify.SequenceClassifierOperator;
import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.predict.LanguageModelFunction;
import io.rnnstream.stream.predict.LanguageModelOperator;
import io.rnnstream.stream.predict.PredictionSettings;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The language-model path against the classifier path on the same events: word events of {@link
 * #KEYS} keys through each keyed operator alone (no Kafka, parsing or network), on heap state. Both
 * models are LSTM 64 over embeddings of width 32 and a vocabulary of {@link #WORDS} words; the
 * classifier buffers each event for the watermark and steps the keys a watermark advance releases
 * together, the language model steps each event on arrival and also scores it (the softmax over the
 * vocabulary) and ranks the top 5 next words.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PredictionPathBenchmark {

    public static final int KEYS = 1_000;
    public static final int EVENTS_PER_ADVANCE = 4_000;
    public static final int WORDS = 2_000;

    @Param({"classifier", "language-model"})
    public String path;

    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, ?> harness;
    private Path directory;
    private String model;
    private String[][] tokens;
    private String[] keys;
    private RawRecord origin;
    private long time;

    @Setup(Level.Trial)
    public void open() throws Exception {
        directory = Files.createTempDirectory("rnnstream-prediction-bench");
        List<String> words = new ArrayList<>();
        for (int w = 0; w < WORDS; w++) {
            words.add("w" + w);
        }
        if (path.equals("classifier")) {
            model = "chat";
            TestModels.Written classifier =
                    TestModels.tokenModel(
                            directory.resolve("classifier"),
                            model,
                            1,
                            7,
                            List.of("negative", "positive"),
                            words,
                            64,
                            32);
            ClassifierSettings settings =
                    new ClassifierSettings(
                            model,
                            classifier.announcement(),
                            Duration.ofHours(1),
                            100,
                            0,
                            true,
                            Duration.ofHours(2));
            harness =
                    new KeyedBroadcastOperatorTestHarness<>(
                            new SequenceClassifierOperator(
                                    new SequenceClassifierFunction(settings, new ModelLoader())),
                            event -> StateKey.of(event.model(), event.key()),
                            Types.STRING,
                            128,
                            1,
                            0);
            harness.open();
        } else {
            model = "chat-lm";
            TestModels.Written languageModel =
                    TestModels.wordLanguageModel(directory.resolve("lm"), model, 1, 7, words);
            PredictionSettings settings =
                    new PredictionSettings(
                            Set.of(model),
                            Map.of(),
                            "predictions",
                            5,
                            0,
                            1000,
                            0,
                            Duration.ofHours(2));
            harness =
                    new KeyedBroadcastOperatorTestHarness<>(
                            new LanguageModelOperator(
                                    new LanguageModelFunction(settings, new ModelLoader())),
                            event -> StateKey.of(event.model(), event.key()),
                            Types.STRING,
                            128,
                            1,
                            0);
            harness.open();
            harness.processBroadcastElement(
                    new RawRecord(
                            null,
                            AnnouncementParser.toJson(languageModel.announcement()),
                            "models",
                            0,
                            0,
                            0),
                    0);
            awaitLanguageModel();
        }
        Random random = new Random(3);
        tokens = new String[256][];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = new String[] {"w" + random.nextInt(WORDS)};
        }
        keys = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            keys[k] = "entity-" + k;
        }
        origin = new RawRecord(null, new byte[0], "events", 0, 0, 0);
        time = 1;
    }

    /**
     * Waits for the announced language model, which loads off the task thread: a probe event waits
     * in keyed state and gets its prediction, on a retry, once the version has loaded.
     */
    private void awaitLanguageModel() throws Exception {
        harness.processElement(
                new Event(
                        "probe",
                        model,
                        0,
                        null,
                        null,
                        new String[] {"w0"},
                        false,
                        new RawRecord(null, new byte[0], "events", 0, 0, 0)),
                0);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (harness.getOutput().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the language model did not load within a minute");
            }
            harness.setProcessingTime(harness.getProcessingTime() + 200);
            Thread.sleep(5);
        }
        harness.getOutput().clear();
    }

    /** One watermark advance's worth of events, one word each, then the watermark. */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_ADVANCE)
    public void events() throws Exception {
        for (int e = 0; e < EVENTS_PER_ADVANCE; e++) {
            long timestamp = time + e;
            harness.processElement(
                    new Event(
                            keys[e % KEYS],
                            model,
                            timestamp,
                            null,
                            null,
                            tokens[e % tokens.length],
                            false,
                            origin),
                    timestamp);
        }
        time += EVENTS_PER_ADVANCE;
        harness.watermark(time - 1);
        harness.getOutput().clear();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        harness.close();
        EndToEndSuite.deleteRecursively(directory);
    }
}
