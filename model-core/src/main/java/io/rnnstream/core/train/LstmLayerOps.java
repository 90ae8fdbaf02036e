package io.rnnstream.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An LSTM layer's window, forward and backward, as DL4J's {@code LSTM} layer computes it (sigmoid
 * gates, tanh cell input and output, no peepholes), in DL4J's own parameter layout: gate blocks
 * [cell input g, forget f, output o, input gate i] in the columns of {@code W}, {@code RW} and
 * {@code b}.
 *
 * <p>The window's ND4J arrays are time-major and c-order ({@code [steps, batch, 4 hidden]} for the
 * gates, {@code [steps, batch, hidden]} for the outputs), so that a step is one contiguous block
 * and the whole window is a matrix of {@code steps * batch} rows without a copy. The input
 * projection of every step and the input, recurrent and bias gradients are one matrix product each
 * over the whole window. What must go step by step is one matrix product (the recurrent term),
 * through {@link Blas}, and the gate arithmetic, which {@link LstmCellMath} does on the Java heap:
 * as ND4J operations the same arithmetic costs a dispatch each, several times the work itself. Only
 * what a matrix product reads or writes crosses between native memory and the heap: each step's
 * gate pre-activations in and output out going forward, each step's output gradient in and gate
 * gradient out going back. The forward pass keeps every step's activated gates, cell state and its
 * tanh ({@link LstmWindowValues}), so the backward pass does not recompute them.
 *
 * <p>libnd4j's fused {@code lstmLayer_bp} op would compute the same gradients in one call, but in
 * 1.0.0-M2.1 it leaks native memory on every call, so that a training run grows without bound.
 *
 * <p>Not thread-safe: one instance per layer of one fitter. A backward pass must follow the forward
 * pass of its window before the layer runs another window forward.
 */
final class LstmLayerOps extends LayerOpsBase {

    private final LstmWindowValues window;
    private final HostRuns.Conversion conversion = new HostRuns.Conversion();
    private StepBuffers buffers;

    LstmLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, true);
        this.window = new LstmWindowValues(hidden);
    }

    /** The layer's window values as a forward pass left them, and which generation that was. */
    private record KeptWindow(LstmWindowValues values, long generation) {}

    @Override
    public Forward forward(INDArray x, LayerState start, StepRows rows, Scratch scratch) {
        long steps = x.size(0);
        int batch = Math.toIntExact(x.size(1));
        long h = hidden;
        DataType type = x.dataType();
        long generation = window.reset(steps, batch);
        int n = window.stepSize();
        // Every step's gate pre-activations from the input; the recurrent term is added step by
        // step, before the step's values are read onto the heap and activated there.
        INDArray gates2d = inputProjection(x, scratch);
        // Rows a step leaves out must read as zero outputs downstream.
        INDArray outputs =
                scratch.add(
                        rows.partial()
                                ? Nd4j.create(type, steps, batch, h)
                                : Nd4j.createUninitialized(type, steps, batch, h));
        HostRuns gateRuns = HostRuns.of(gates2d, conversion);
        HostRuns outputRuns = HostRuns.of(outputs, conversion);
        StepBuffers b = buffers(batch, type);
        INDArray cStart = HostRuns.covers(start.c()) ? start.c() : scratch.add(start.c().dup('c'));
        HostRuns.of(cStart, conversion).read(0, window.cellStart, n);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix gateRows = NativeMatrix.of(gates2d);
        NativeMatrix outputRows = NativeMatrix.rowsOf(outputs, steps * batch);
        NativeMatrix previous = NativeMatrix.of(start.h());
        double[] biases = biasValues();
        int computed = 0;
        for (int t = 0; t < steps; t++) {
            long row = (long) t * batch;
            computed = rows.at(t);
            if (computed > 0) {
                addRecurrentTerm(previous, recurrentWeights, gateRows.rows(row, batch), computed);
                int values = computed * hidden;
                gateRuns.read((long) t * 4 * n, window.gates, t * 4 * n, 4 * values);
                RowVectors.addToEach(biases, window.gates, t * 4 * n, computed);
                b.math.forward(window, t, computed, b.output);
                outputRuns.write(b.output, values, (long) t * n);
            }
            previous = outputRows.rows(row, batch);
        }
        // The end state outlives the window's arrays: copies of the last step's values, zero for
        // the rows the last step left out.
        INDArray hEnd = Nd4j.create(type, batch, h);
        INDArray cEnd = Nd4j.create(type, batch, h);
        if (steps > 0) {
            HostRuns.of(hEnd, conversion).write(b.output, computed * hidden, 0);
            HostRuns.of(cEnd, conversion)
                    .write(window.cells, (int) (steps - 1) * n, computed * hidden, 0);
        } else {
            hEnd.assign(start.h());
            cEnd.assign(start.c());
        }
        return new Forward(
                x,
                start,
                outputs,
                new LayerState(hEnd, cEnd),
                rows,
                new KeptWindow(window, generation));
    }

    @Override
    public INDArray backward(
            Forward forward, INDArray outputGradient, boolean inputGradient, Scratch scratch) {
        KeptWindow kept = (KeptWindow) forward.kept();
        if (kept.generation() != kept.values().generation()) {
            throw new IllegalStateException(
                    "the layer ran another window forward since this one; its kept values are"
                            + " gone");
        }
        long steps = outputGradient.size(0);
        int batch = Math.toIntExact(outputGradient.size(1));
        int n = batch * hidden;
        DataType type = outputGradient.dataType();
        // Rows a step left out keep a zero gradient, for the window-wide weight gradients.
        INDArray delta2d =
                scratch.add(
                        forward.rows().partial()
                                ? Nd4j.create(type, steps * batch, 4L * hidden)
                                : Nd4j.createUninitialized(type, steps * batch, 4L * hidden));
        // A copy, as the recurrent term is added into it step by step.
        INDArray dh = scratch.add(outputGradient.dup('c'));
        HostRuns dhRuns = HostRuns.of(dh, conversion);
        HostRuns deltaRuns = HostRuns.of(delta2d, conversion);
        StepBuffers b = buffers(batch, type);
        Arrays.fill(b.cellGradient, 0, n, 0.0);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix deltaRows = NativeMatrix.of(delta2d);
        NativeMatrix dhRows = NativeMatrix.rowsOf(dh, steps * batch);
        StepRows rows = forward.rows();
        for (int t = (int) steps - 1; t >= 0; t--) {
            int computed = rows.at(t);
            if (t < steps - 1 && rows.at(t + 1) > 0) {
                int later = rows.at(t + 1);
                Blas.gemm(
                        deltaRows.rows((long) (t + 1) * batch, later),
                        false,
                        recurrentWeights,
                        true,
                        dhRows.rows((long) t * batch, later),
                        1,
                        1);
            }
            if (computed > 0) {
                int values = computed * hidden;
                dhRuns.read((long) t * n, b.output, values);
                b.math.backward(window, t, computed, b.output, b.cellGradient, b.gateGradient);
                deltaRuns.write(b.gateGradient, 4 * values, (long) t * 4 * n);
            }
        }
        return weightGradients(forward, delta2d, inputGradient, scratch);
    }

    private StepBuffers buffers(int batch, DataType type) {
        boolean exact = type == DataType.DOUBLE;
        if (buffers == null || buffers.batch < batch || buffers.exact != exact) {
            buffers = new StepBuffers(hidden, batch, exact);
        }
        return buffers;
    }

    /**
     * One step's values on the Java heap for up to {@code batch} streams, reused from step to step
     * and window to window; the output run doubles as the step's incoming gradient in the backward
     * pass.
     */
    private static final class StepBuffers {
        final int batch;
        final boolean exact;
        final LstmCellMath math;
        final double[] gateGradient;
        final double[] output;
        final double[] cellGradient;

        StepBuffers(int hidden, int batch, boolean exact) {
            int n = hidden * batch;
            this.batch = batch;
            this.exact = exact;
            this.math = new LstmCellMath(hidden, exact);
            this.gateGradient = new double[4 * n];
            this.output = new double[n];
            this.cellGradient = new double[n];
        }
    }
}
