package io.rnnstream.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An LSTM layer's window, forward and backward, as DL4J's {@code LSTM} layer computes it (sigmoid
 * gates, tanh cell input and output, no peepholes), on ND4J arrays in DL4J's own parameter layout:
 * gate blocks [cell input g, forget f, output o, input gate i] in the columns of {@code W}, {@code
 * RW} and {@code b}.
 *
 * <p>The window's arrays are time-major and c-order ({@code [steps, batch, 4 hidden]} for the
 * gates, {@code [steps, batch, hidden]} for cell states and outputs), so that a step is one
 * contiguous block and the whole window is a matrix of {@code steps * batch} rows without a copy.
 * The input projection of every step and the input, recurrent and bias gradients are one ND4J
 * matrix product each over the whole window. What must go step by step is one matrix product (the
 * recurrent term), through ND4J, and the gate arithmetic, which {@link LstmCellMath} does on the
 * step's values copied out of and back into the window's arrays: as ND4J operations the same
 * arithmetic costs a dispatch each, several times the work itself. The forward pass keeps every
 * step's activated gates, cell state and its tanh, so the backward pass does not recompute them.
 *
 * <p>libnd4j's fused {@code lstmLayer_bp} op would compute the same gradients in one call, but in
 * 1.0.0-M2.1 it leaks native memory on every call, so that a training run grows without bound.
 *
 * <p>Not thread-safe: one instance per layer of one fitter.
 */
final class LstmLayerOps extends LayerOpsBase {

    private StepBuffers buffers;

    LstmLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, true);
    }

    @Override
    public Forward forward(INDArray x, LayerState start, Scratch scratch) {
        long steps = x.size(0);
        int batch = Math.toIntExact(x.size(1));
        long h = hidden;
        DataType type = x.dataType();
        // Every step's gate pre-activations from the input; the recurrent term is added step by
        // step, and the values are activated in place.
        INDArray gates2d = inputProjection(x, scratch);
        INDArray gates = gates2d.reshape('c', steps, batch, 4 * h);
        INDArray cells2d = scratch.add(Nd4j.createUninitialized(type, steps * batch, h));
        INDArray cellTanh2d = scratch.add(Nd4j.createUninitialized(type, steps * batch, h));
        INDArray outputs2d = scratch.add(Nd4j.createUninitialized(type, steps * batch, h));
        INDArray outputs = outputs2d.reshape('c', steps, batch, h);
        HostRuns gateRuns = HostRuns.of(gates2d);
        HostRuns cellRuns = HostRuns.of(cells2d);
        HostRuns cellTanhRuns = HostRuns.of(cellTanh2d);
        HostRuns outputRuns = HostRuns.of(outputs2d);
        StepBuffers b = buffers(batch, type);
        int n = batch * hidden;
        INDArray cStart = scratch.add(start.c().dup('c'));
        HostRuns.of(cStart).read(0, b.cPrevious, n);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix gateRows = NativeMatrix.of(gates2d);
        NativeMatrix outputRows = NativeMatrix.of(outputs2d);
        INDArray hStart = scratch.add(start.h().dup('c'));
        NativeMatrix previous = NativeMatrix.of(hStart);
        for (int t = 0; t < steps; t++) {
            long row = (long) t * batch;
            Blas.gemm(previous, false, recurrentWeights, false, gateRows.rows(row, batch), 1, 1);
            long gateRun = (long) t * 4 * n;
            long run = (long) t * n;
            gateRuns.read(gateRun, b.gates, 4 * n);
            b.math.forward(b.gates, b.cPrevious, b.cell, b.cellTanh, b.output, batch);
            gateRuns.write(b.gates, 4 * n, gateRun);
            cellRuns.write(b.cell, n, run);
            cellTanhRuns.write(b.cellTanh, n, run);
            outputRuns.write(b.output, n, run);
            previous = outputRows.rows(row, batch);
            b.carryCell();
        }
        INDArray hEnd = steps > 0 ? lastStep(outputs2d, steps, batch) : hStart;
        INDArray cEnd = steps > 0 ? lastStep(cells2d, steps, batch) : cStart;
        return new Forward(
                x,
                start,
                outputs,
                new LayerState(hEnd.dup('c'), cEnd.dup('c')),
                gates2d,
                cells2d,
                cellTanh2d);
    }

    @Override
    public INDArray backward(
            Forward forward, INDArray outputGradient, boolean inputGradient, Scratch scratch) {
        INDArray gates2d = forward.kept()[0];
        INDArray cells2d = forward.kept()[1];
        INDArray cellTanh2d = forward.kept()[2];
        long steps = outputGradient.size(0);
        int batch = Math.toIntExact(outputGradient.size(1));
        long h = hidden;
        int n = batch * hidden;
        DataType type = gates2d.dataType();
        INDArray delta2d = scratch.add(Nd4j.createUninitialized(type, steps * batch, 4 * h));
        // A copy, as the recurrent term is added into it step by step.
        INDArray dh2d = scratch.add(outputGradient.dup('c')).reshape('c', steps * batch, h);
        INDArray cStart = scratch.add(forward.start().c().dup('c'));
        HostRuns gateRuns = HostRuns.of(gates2d);
        HostRuns cellRuns = HostRuns.of(cells2d);
        HostRuns cellTanhRuns = HostRuns.of(cellTanh2d);
        HostRuns dhRuns = HostRuns.of(dh2d);
        HostRuns deltaRuns = HostRuns.of(delta2d);
        StepBuffers b = buffers(batch, type);
        Arrays.fill(b.cellGradient, 0, n, 0.0);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix deltaRows = NativeMatrix.of(delta2d);
        NativeMatrix dhRows = NativeMatrix.of(dh2d);
        for (long t = steps - 1; t >= 0; t--) {
            if (t < steps - 1) {
                Blas.gemm(
                        deltaRows.rows((t + 1) * batch, batch),
                        false,
                        recurrentWeights,
                        true,
                        dhRows.rows(t * batch, batch),
                        1,
                        1);
            }
            long run = t * n;
            dhRuns.read(run, b.output, n);
            gateRuns.read(t * 4 * n, b.gates, 4 * n);
            cellTanhRuns.read(run, b.cellTanh, n);
            if (t == 0) {
                HostRuns.of(cStart).read(0, b.cPrevious, n);
            } else {
                cellRuns.read(run - n, b.cPrevious, n);
            }
            b.math.backward(
                    b.gates,
                    b.cellTanh,
                    b.cPrevious,
                    b.output,
                    b.cellGradient,
                    b.gateGradient,
                    batch);
            deltaRuns.write(b.gateGradient, 4 * n, t * 4 * n);
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
        final double[] gates;
        final double[] gateGradient;
        final double[] cellTanh;
        final double[] output;
        final double[] cellGradient;
        double[] cPrevious;
        double[] cell;

        StepBuffers(int hidden, int batch, boolean exact) {
            int n = hidden * batch;
            this.batch = batch;
            this.exact = exact;
            this.math = new LstmCellMath(hidden, exact);
            this.gates = new double[4 * n];
            this.gateGradient = new double[4 * n];
            this.cellTanh = new double[n];
            this.output = new double[n];
            this.cellGradient = new double[n];
            this.cPrevious = new double[n];
            this.cell = new double[n];
        }

        /** The cell state just computed becomes the one the next step starts from. */
        void carryCell() {
            double[] previous = cPrevious;
            cPrevious = cell;
            cell = previous;
        }
    }
}
