package io.rnnstream.core.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every recurrent layer implementation holds: the layer's parameters in DL4J's layout, each
 * with its gradient view (input weights {@code W [in, gates * hidden]}, recurrent weights {@code RW
 * [hidden, gates * hidden]}, bias), and whether its state has a cell part; and the two window-wide
 * steps every cell shares: the input projection of every step before the recurrence, and the weight
 * gradients after it.
 */
abstract class LayerOpsBase implements RecurrentLayerOps {

    final NetworkParameter input;
    final NetworkParameter recurrent;
    final NetworkParameter bias;
    final int hidden;
    private final boolean withCell;
    private final ColumnSums columnSums = new ColumnSums();
    private final double[] biasValues;

    LayerOpsBase(
            NetworkParameter input,
            NetworkParameter recurrent,
            NetworkParameter bias,
            boolean withCell) {
        this.input = input;
        this.recurrent = recurrent;
        this.bias = bias;
        this.hidden = (int) recurrent.value().size(0);
        this.withCell = withCell;
        this.biasValues = new double[Math.toIntExact(bias.value().length())];
    }

    @Override
    public LayerState zeroState(long batch) {
        return new LayerState(
                Nd4j.zeros(recurrent.value().dataType(), batch, hidden),
                withCell ? Nd4j.zeros(recurrent.value().dataType(), batch, hidden) : null);
    }

    /**
     * {@code x W} for every step of the window at once: {@code [steps * batch, width]} rows in the
     * window's time-major order, freed with {@code scratch}; the recurrent terms are added to it
     * step by step through BLAS, the bias ({@link #biasValues()}) on the heap with the activation.
     */
    INDArray inputProjection(INDArray x, Scratch scratch) {
        long rows = x.size(0) * x.size(1);
        INDArray projection =
                scratch.add(Nd4j.createUninitialized(x.dataType(), rows, input.value().size(1)));
        Blas.gemm(
                NativeMatrix.rowsOf(x, rows),
                false,
                NativeMatrix.of(input.value()),
                false,
                NativeMatrix.of(projection),
                1,
                0);
        return projection;
    }

    /**
     * Adds the recurrent term {@code previous RW} to a step's pre-activations {@code step} for its
     * first {@code rows} streams; {@code previous} is the state before the step, of as many rows as
     * {@code step}.
     */
    static void addRecurrentTerm(
            NativeMatrix previous, NativeMatrix recurrentWeights, NativeMatrix step, int rows) {
        boolean every = rows == step.rows();
        Blas.gemm(
                every ? previous : previous.rows(0, rows),
                false,
                recurrentWeights,
                false,
                every ? step : step.rows(0, rows),
                1,
                1);
    }

    /**
     * The bias as the window's steps add it to their pre-activations, read once per window into a
     * buffer of this layer's.
     */
    double[] biasValues() {
        NativeMatrix.of(bias.value()).copyTo(biasValues);
        return biasValues;
    }

    /**
     * Writes the input, bias and recurrent weight gradients of a window from {@code delta2d}, the
     * gradient of every step's pre-activations ({@code [steps * batch, gates * hidden]}), and
     * returns the gradient with respect to the window's input ({@code [steps, batch, in]}) if
     * {@code inputGradient} asks for it, null otherwise.
     */
    INDArray weightGradients(
            Forward forward, INDArray delta2d, boolean inputGradient, Scratch scratch) {
        INDArray x = forward.input();
        long steps = x.size(0);
        long batch = x.size(1);
        NativeMatrix deltaRows = NativeMatrix.of(delta2d);
        input.setGradientToProduct(NativeMatrix.rowsOf(x, steps * batch), true, deltaRows, false);
        columnSums.into(delta2d, bias.gradientMatrix());
        // Each step's delta pairs with the state before it: the carried-in one, then the window's.
        int rows = Math.toIntExact(batch);
        recurrent.setGradientToProduct(
                NativeMatrix.of(forward.start().h()), true, deltaRows.rows(0, rows), false);
        if (steps > 1) {
            int later = Math.toIntExact((steps - 1) * batch);
            NativeMatrix outputs = NativeMatrix.rowsOf(forward.output(), steps * batch);
            recurrent.addProductToGradient(
                    outputs.rows(0, later), true, deltaRows.rows(batch, later), false);
        }
        if (!inputGradient) {
            return null;
        }
        return Blas.product(delta2d, false, input.value(), true, scratch)
                .reshape('c', steps, batch, x.size(2));
    }

    /** The last step's rows of a window's {@code [steps * batch, width]} array. */
    static INDArray lastStep(INDArray window, long steps, int batch) {
        return window.get(interval((steps - 1) * batch, steps * batch), all());
    }
}
