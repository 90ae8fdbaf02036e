package io.rnnstream.bench;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.BatchStepper;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.ServingPath;
import io.rnnstream.core.serving.Stepper;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The cost of advancing one key by one event (issue 7, items 1a-1d), in microseconds per key-step.
 * Batched variants divide by the batch, so every score is comparable per key-step. rnnstream's step
 * runs on both kernel paths: {@code servingStep}/{@code servingBatchStep} on the vector path (what
 * a JVM with {@code --add-modules jdk.incubator.vector} serves with, hence the fork option), the
 * {@code ...Scalar} variants on the scalar fallback.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StepBenchmark {

    /** Keys stepped together by the batched contenders (the "batch of 256 keys"). */
    public static final int BATCH = 256;

    /** Events re-run per event by the window-recompute contender. */
    public static final int WINDOW = 50;

    private static final int DISTINCT_INPUTS = 64;

    @Param({"LSTM", "ELMAN"})
    public CellType cell;

    @Param({"64", "128", "256"})
    public int hidden;

    @Param({"16", "64"})
    public int input;

    private float[][] inputs;
    private int next;

    private Stepper stepper;
    private RecurrentState state;

    private Stepper scalarStepper;
    private RecurrentState scalarState;

    private BatchStepper batchStepper;
    private BatchStepper scalarBatchStepper;
    private RecurrentState[] batchStates;
    private float[][] batchInputs;

    private MultiLayerNetwork network;
    private INDArray[] dl4jInputs;
    private Map<String, INDArray> dl4jState;
    private INDArray dl4jBatchInput;
    private Map<String, INDArray> dl4jBatchState;
    private INDArray window;

    /**
     * Steps before JMH's own warm-up, for the vector path only: until C2 has compiled its kernels
     * the interpreter and C1 box every vector (orders of magnitude slower per step), so JMH's short
     * warm-up in quick mode ended before C2 had compiled anything. Steady state is what a running
     * TaskManager sees after its first few thousand events.
     */
    private static final int VECTOR_WARM_UP_STEPS = 20_000;

    @Setup
    public void setUp(BenchmarkParams params) {
        StepModel model = StepModel.create(cell, hidden, input);
        inputs = StepModel.inputs(DISTINCT_INPUTS, input, 1);

        SequenceClassifier vector = model.classifier().withPath(ServingPath.VECTOR);
        SequenceClassifier scalar = model.classifier().withPath(ServingPath.SCALAR);
        stepper = vector.newStepper();
        state = vector.initialState();
        scalarStepper = scalar.newStepper();
        scalarState = scalar.initialState();

        batchStepper = vector.newBatchStepper();
        scalarBatchStepper = scalar.newBatchStepper();
        batchStates = new RecurrentState[BATCH];
        batchInputs = StepModel.inputs(BATCH, input, 2);
        for (int b = 0; b < BATCH; b++) {
            batchStates[b] = model.classifier().initialState();
        }

        String benchmark = params.getBenchmark();
        if (benchmark.endsWith(".servingStep")) {
            for (int i = 0; i < VECTOR_WARM_UP_STEPS; i++) {
                servingStep();
            }
        } else if (benchmark.endsWith(".servingBatchStep")) {
            for (int i = 0; i < VECTOR_WARM_UP_STEPS / BATCH; i++) {
                servingBatchStep();
            }
        }

        network = model.network();
        dl4jInputs = new INDArray[DISTINCT_INPUTS];
        for (int i = 0; i < DISTINCT_INPUTS; i++) {
            dl4jInputs[i] = Nd4j.create(inputs[i], new long[] {1, input, 1}, 'c');
        }
        network.rnnClearPreviousState();
        network.rnnTimeStep(dl4jInputs[0]);
        dl4jState = network.rnnGetPreviousState(0);
        dl4jBatchInput = Nd4j.create(flatten(batchInputs), new long[] {BATCH, input, 1}, 'c');
        network.rnnClearPreviousState();
        network.rnnTimeStep(dl4jBatchInput);
        dl4jBatchState = network.rnnGetPreviousState(0);
        window =
                Nd4j.create(flatten(StepModel.inputs(WINDOW, input, 3)), new long[] {WINDOW, input})
                        .transpose()
                        .reshape('c', 1, input, WINDOW);
    }

    /** (a) rnnstream's serving step, one key, vector path. */
    @Benchmark
    public RecurrentState servingStep() {
        stepper.advance(state, inputs[next++ & (DISTINCT_INPUTS - 1)]);
        return state;
    }

    /** (a) on the scalar path (JVMs without the incubator module). */
    @Benchmark
    public RecurrentState servingStepScalar() {
        scalarStepper.advance(scalarState, inputs[next++ & (DISTINCT_INPUTS - 1)]);
        return scalarState;
    }

    /** rnnstream's batched step, 256 keys per call, reported per key-step, vector path. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public RecurrentState[] servingBatchStep() {
        batchStepper.advance(batchStates, batchInputs, BATCH);
        return batchStates;
    }

    /** The batched step on the scalar path. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public RecurrentState[] servingBatchStepScalar() {
        scalarBatchStepper.advance(batchStates, batchInputs, BATCH);
        return batchStates;
    }

    /** (b) DL4J as a user writes it: set the key's state, step, read the state back. */
    @Benchmark
    public Map<String, INDArray> dl4jTimeStep() {
        network.rnnSetPreviousState(0, dl4jState);
        network.rnnTimeStep(dl4jInputs[next++ & (DISTINCT_INPUTS - 1)]);
        dl4jState = network.rnnGetPreviousState(0);
        return dl4jState;
    }

    /** (c) DL4J on 256 keys at once, reported per key-step. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<String, INDArray> dl4jBatchStep() {
        network.rnnSetPreviousState(0, dl4jBatchState);
        network.rnnTimeStep(dl4jBatchInput);
        dl4jBatchState = network.rnnGetPreviousState(0);
        return dl4jBatchState;
    }

    /** (d) Window recompute: the key's last 50 events through DL4J from a zero state, per event. */
    @Benchmark
    public INDArray dl4jWindowRecompute() {
        return network.output(window);
    }

    private static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * width, width);
        }
        return flat;
    }
}
