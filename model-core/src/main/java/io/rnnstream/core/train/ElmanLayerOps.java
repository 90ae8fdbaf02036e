package io.rnnstream.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An Elman layer's window, {@code h_t = tanh(x_t W + h_{t-1} R + b)} as DL4J's {@code SimpleRnn}
 * computes it, forward and backward on ND4J arrays. libnd4j has no fused Elman op with a backward
 * pass, so the work is batched instead: the input projection of every step of the window, and the
 * input and recurrent weight gradients, are one matrix product each over the whole window; only the
 * recurrence itself goes step by step: one product through {@link Blas}, and the tanh and its
 * derivative on the step's values copied to the Java heap and back, as {@link LstmLayerOps} does.
 *
 * <p>Not thread-safe: one instance per layer of one fitter.
 */
final class ElmanLayerOps extends LayerOpsBase {

    private double[] step = new double[0];
    private double[] derivative = new double[0];
    private final HostRuns.Conversion conversion = new HostRuns.Conversion();

    ElmanLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, false);
    }

    @Override
    public Forward forward(INDArray x, LayerState start, StepRows rows, Scratch scratch) {
        long steps = x.size(0);
        int batch = Math.toIntExact(x.size(1));
        int n = batch * hidden;
        boolean exact = x.dataType() == DataType.DOUBLE;
        INDArray output2d = inputProjection(x, scratch);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix outputRows = NativeMatrix.of(output2d);
        HostRuns outputRuns = HostRuns.of(output2d, conversion);
        NativeMatrix previous = NativeMatrix.of(start.h());
        step = HeapBuffers.atLeast(step, n);
        double[] values = step;
        double[] biases = biasValues();
        for (int t = 0; t < steps; t++) {
            long row = (long) t * batch;
            int computed = rows.at(t);
            NativeMatrix current = outputRows.rows(row, batch);
            if (computed > 0) {
                addRecurrentTerm(previous, recurrentWeights, current, computed);
            }
            int valuesComputed = computed * hidden;
            outputRuns.read(row * hidden, values, valuesComputed);
            RowVectors.addToEach(biases, values, 0, computed);
            TrainingTanh.apply(values, valuesComputed, exact);
            // The rows left out hold their input projection until here: zero outputs instead.
            Arrays.fill(values, valuesComputed, n, 0.0);
            outputRuns.write(values, n, row * hidden);
            previous = current;
        }
        INDArray end = steps > 0 ? lastStep(output2d, steps, batch) : start.h();
        return new Forward(
                x,
                start,
                output2d.reshape('c', steps, batch, hidden),
                new LayerState(end.dup('c'), null),
                rows,
                null);
    }

    @Override
    public INDArray backward(
            Forward forward, INDArray outputGradient, boolean inputGradient, Scratch scratch) {
        INDArray output = forward.output();
        long steps = output.size(0);
        int batch = Math.toIntExact(output.size(1));
        int n = batch * hidden;
        // Turns the output gradient, in place, into the gradient of each step's pre-activation:
        // the recurrent term added, then times tanh' = 1 - h^2. Rows a step left out have a zero
        // output gradient and keep it.
        INDArray delta2d = scratch.add(outputGradient.dup('c')).reshape('c', steps * batch, hidden);
        NativeMatrix recurrentWeights = NativeMatrix.of(recurrent.value());
        NativeMatrix deltaRows = NativeMatrix.of(delta2d);
        HostRuns deltaRuns = HostRuns.of(delta2d, conversion);
        HostRuns outputRuns = HostRuns.of(output.reshape('c', steps * batch, hidden), conversion);
        step = HeapBuffers.atLeast(step, n);
        derivative = HeapBuffers.atLeast(derivative, n);
        double[] values = step;
        double[] h = derivative;
        StepRows rows = forward.rows();
        for (int t = (int) steps - 1; t >= 0; t--) {
            long row = (long) t * batch;
            if (t < steps - 1 && rows.at(t + 1) > 0) {
                int later = rows.at(t + 1);
                Blas.gemm(
                        deltaRows.rows(row + batch, later),
                        false,
                        recurrentWeights,
                        true,
                        deltaRows.rows(row, later),
                        1,
                        1);
            }
            int valuesComputed = rows.at(t) * hidden;
            deltaRuns.read(row * hidden, values, valuesComputed);
            outputRuns.read(row * hidden, h, valuesComputed);
            for (int j = 0; j < valuesComputed; j++) {
                values[j] *= 1 - h[j] * h[j];
            }
            deltaRuns.write(values, valuesComputed, row * hidden);
        }
        return weightGradients(forward, delta2d, inputGradient, scratch);
    }
}
