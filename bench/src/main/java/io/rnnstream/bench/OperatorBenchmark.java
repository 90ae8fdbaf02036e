package io.rnnstream.bench;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.classify.Classification;
import io.rnnstream.stream.classify.ClassifierSettings;
import io.rnnstream.stream.classify.SequenceClassifierFunction;
import io.rnnstream.stream.classify.SequenceClassifierOperator;
import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
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
 * The classifier operator alone, as the job runs it but without Kafka, parsing or a network: the
 * cost per event of buffering it for the watermark, stepping the key's LSTM 64/16 state and writing
 * it, with the steps of a watermark advance batched ({@code sequence.batch-steps=true}, the
 * default) or one key at a time, on heap and RocksDB state. Each invocation is one watermark
 * advance that releases {@link #EVENTS_PER_ADVANCE} events of {@link #KEYS} keys.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OperatorBenchmark {

    public static final int KEYS = 1_000;
    public static final int EVENTS_PER_ADVANCE = 4_000;
    private static final int INPUT = 16;

    @Param({"hashmap", "rocksdb"})
    public String backend;

    @Param({"true", "false"})
    public boolean batchSteps;

    private SequenceClassifierFunction function;
    private KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, Classification> harness;
    private Path directory;
    private float[][] features;
    private String[] keys;
    private RawRecord origin;
    private long time;

    @Setup(Level.Trial)
    public void open() throws Exception {
        directory = Files.createTempDirectory("rnnstream-operator-bench");
        Dataset normalizer = EndToEndSuite.normalizerData();
        TestModels.Written model =
                TestModels.featureModel(
                        directory.resolve("model"), "bench", 1, 7, CellType.LSTM, 64, normalizer);
        ClassifierSettings settings =
                new ClassifierSettings(
                        "bench",
                        model.announcement(),
                        Duration.ofHours(1),
                        100, // sequences end, emit and start again during the run
                        0,
                        batchSteps,
                        Duration.ofHours(2));
        function = new SequenceClassifierFunction(settings, new ModelLoader());
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new SequenceClassifierOperator(function),
                        event -> StateKey.of(event.model(), event.key()),
                        Types.STRING,
                        128,
                        1,
                        0);
        if (backend.equals("rocksdb")) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.open();
        for (long shadow = 2; shadow < 2 + shadows(); shadow++) {
            TestModels.Written version =
                    TestModels.featureModel(
                            directory.resolve("shadow-" + shadow),
                            "bench",
                            shadow,
                            7 + shadow,
                            CellType.LSTM,
                            64,
                            normalizer);
            harness.processBroadcastElement(
                    new RawRecord(
                            null,
                            AnnouncementParser.toJson(
                                    new RoleAnnouncement(
                                            version.announcement(), ModelRole.SHADOW, false)),
                            "models",
                            0,
                            shadow,
                            0),
                    0);
        }
        awaitShadowLoads();
        Random random = new Random(3);
        features = new float[64][INPUT];
        for (float[] vector : features) {
            for (int i = 0; i < INPUT; i++) {
                vector[i] = (float) random.nextGaussian();
            }
        }
        keys = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            keys[k] = "entity-" + k;
        }
        origin = new RawRecord(null, new byte[0], "events", 0, 0, 0);
        time = 1;
    }

    /**
     * Lets the shadow versions load (off the task thread) before any event comes: a key that met a
     * version still loading would wait for processing-time retries, which a harness fires only when
     * its clock is moved, and the benchmark would measure waiting keys instead of steps.
     */
    private void awaitShadowLoads() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!function.settled()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("shadow versions did not load within a minute");
            }
            harness.setProcessingTime(harness.getProcessingTime() + 1_000);
            Thread.sleep(10);
        }
    }

    /** Shadow versions running beside the serving one; {@link ShadowOperatorBenchmark} runs one. */
    protected int shadows() {
        return 0;
    }

    /** One watermark advance: each key's events, in time order across keys, then the watermark. */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_ADVANCE)
    public void watermarkAdvance() throws Exception {
        for (int e = 0; e < EVENTS_PER_ADVANCE; e++) {
            long timestamp = time + e;
            harness.processElement(
                    new Event(
                            keys[e % KEYS],
                            "bench",
                            timestamp,
                            null,
                            features[e % features.length],
                            null,
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
        boolean settled = function.settled();
        harness.close();
        EndToEndSuite.deleteRecursively(directory);
        if (!settled) {
            throw new IllegalStateException(
                    "keys waited for a model version during the run: it measured waiting, not steps");
        }
    }
}
