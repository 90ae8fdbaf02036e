package io.rnnstream.bench;

import io.rnnstream.stream.classify.Prediction;
import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.evaluate.EvaluateVersions;
import io.rnnstream.stream.evaluate.EvaluateVersionsOperator;
import io.rnnstream.stream.evaluate.EvaluationRecord;
import io.rnnstream.stream.evaluate.Label;
import io.rnnstream.stream.evaluate.LabelJoin;
import io.rnnstream.stream.evaluate.Outcome;
import io.rnnstream.stream.evaluate.ParseLabels;
import io.rnnstream.stream.evaluate.PromotionPolicy;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.ModelRole;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
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
 * The live evaluation's cost per labelled sequence, as the job runs it but without Kafka or a
 * network: parsing the sequence's {@link #LENGTH} events on the labelled topic (the label sits on
 * the last one), joining the label with the serving and one shadow prediction of the sequence
 * ({@link LabelJoin}, keyed by model and entity) and adding both outcomes to their versions'
 * figures ({@link EvaluateVersions}, keyed by model), on heap and RocksDB state. Each invocation
 * labels one sequence of each of {@link #KEYS} keys.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EvaluationJoinBenchmark {

    public static final int KEYS = 1_000;

    /** Events per labelled sequence, as in the end-to-end suite. */
    public static final int LENGTH = 10;

    private static final int FEATURES = 16;
    private static final String MODEL = "bench";
    private static final String[] LABELS = {"a", "b"};
    private static final String SEQUENCE = "s1";

    @Param({"hashmap", "rocksdb"})
    public String backend;

    private OneInputStreamOperatorTestHarness<RawRecord, Label> parse;
    private KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Label, Outcome> join;
    private KeyedBroadcastOperatorTestHarness<String, Outcome, RawRecord, EvaluationRecord>
            evaluate;
    private RawRecord[][] labelled;
    private Prediction[][] predictions;

    @Setup(Level.Trial)
    public void open() throws Exception {
        parse =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new ParseLabels(1 << 20, MODEL)));
        join =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new LabelJoin(Duration.ofMinutes(10))),
                        p -> StateKey.of(p.model(), p.entity()),
                        l -> StateKey.of(l.model(), l.entity()),
                        Types.STRING);
        evaluate =
                new KeyedBroadcastOperatorTestHarness<>(
                        new EvaluateVersionsOperator(
                                new EvaluateVersions(
                                        1_000, new PromotionPolicy(false, 1_000, 0.02, 0.95))),
                        Outcome::model,
                        Types.STRING,
                        128,
                        1,
                        0);
        if (backend.equals("rocksdb")) {
            join.setStateBackend(new EmbeddedRocksDBStateBackend());
            evaluate.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        parse.open();
        join.setProcessingTime(0);
        join.open();
        evaluate.open();
        // Built once: each invocation labels the same sequence id again, which the join's
        // previous pairing has left no state for.
        Random random = new Random(3);
        labelled = new RawRecord[KEYS][LENGTH];
        predictions = new Prediction[KEYS][];
        String pairId = Prediction.pairId(SEQUENCE, 0);
        for (int k = 0; k < KEYS; k++) {
            String key = "entity-" + k;
            for (int t = 0; t < LENGTH; t++) {
                labelled[k][t] = labelledEvent(key, t, LABELS[k % 2], random);
            }
            predictions[k] =
                    new Prediction[] {
                        new Prediction(
                                MODEL, key, pairId, 2, ModelRole.SHADOW, LABELS[k % 2], LABELS),
                        new Prediction(MODEL, key, pairId, 1, ModelRole.SERVING, LABELS[0], LABELS)
                    };
        }
    }

    /** One labelled sequence of each key: its labelled events, its two predictions, the join. */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public void labelOneSequencePerKey() throws Exception {
        for (int k = 0; k < KEYS; k++) {
            for (RawRecord event : labelled[k]) {
                parse.processElement(event, 0);
            }
            for (Prediction prediction : predictions[k]) {
                join.processElement1(prediction, 0);
            }
        }
        for (Label label : parse.extractOutputValues()) {
            join.processElement2(label, 0);
        }
        parse.getOutput().clear();
        for (Outcome outcome : join.extractOutputValues()) {
            evaluate.processElement(outcome, 0);
        }
        join.getOutput().clear();
        evaluate.getOutput().clear();
    }

    private static RawRecord labelledEvent(String key, int t, String truth, Random random) {
        float[] vector = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        String json =
                String.format(
                        Locale.ROOT,
                        "{\"key\":\"%s\",\"model\":\"%s\",\"seq\":\"%s\",\"ts\":%d,\"features\":%s%s}",
                        key,
                        MODEL,
                        SEQUENCE,
                        t,
                        Arrays.toString(vector),
                        t == LENGTH - 1 ? ",\"end\":true,\"label\":\"" + truth + "\"" : "");
        return new RawRecord(
                key.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8),
                "labelled",
                0,
                t,
                t);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        parse.close();
        join.close();
        evaluate.close();
    }
}
