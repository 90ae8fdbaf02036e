package io.rnnstream.core.train;

/**
 * The element-wise part of one LSTM step for a batch, forward and backward, on plain arrays laid
 * out as ND4J keeps a step of the window: one row of {@code 4 hidden} gate values per stream, in
 * DL4J's block order [cell input g, forget f, output o, input gate i], and one row of {@code
 * hidden} values per stream for the cell state and the output. The matrix products stay with ND4J;
 * what is here is a few multiply-adds per value, which plain Java loops do in a fraction of what
 * dispatching the same work as ND4J operations costs.
 *
 * <p>tanh is {@link TrainingTanh}'s: exact in double for a DOUBLE network.
 */
final class LstmCellMath {

    private final int hidden;
    private final boolean exact;

    /**
     * @param hidden the layer's units
     * @param exact whether tanh must be exact in double rather than to float resolution
     */
    LstmCellMath(int hidden, boolean exact) {
        this.hidden = hidden;
        this.exact = exact;
    }

    /**
     * One step forward for {@code batch} streams: activates the gate pre-activations {@code z} in
     * place (tanh for g, sigmoid for f, o, i), then {@code c = f cPrevious + i g}, {@code cellTanh
     * = tanh(c)}, {@code h = o cellTanh}.
     */
    void forward(
            double[] z, double[] cPrevious, double[] c, double[] cellTanh, double[] h, int batch) {
        int width = 4 * hidden;
        // sigmoid(x) = 0.5 + 0.5 tanh(x / 2): one tanh pass over every gate value.
        for (int row = 0; row < batch * width; row += width) {
            for (int j = row + hidden; j < row + width; j++) {
                z[j] *= 0.5;
            }
        }
        tanh(z, batch * width);
        for (int row = 0; row < batch * width; row += width) {
            for (int j = row + hidden; j < row + width; j++) {
                z[j] = 0.5 + 0.5 * z[j];
            }
        }
        for (int b = 0; b < batch; b++) {
            int g = b * width;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                double cell =
                        z[g + hidden + j] * cPrevious[k + j] + z[g + 3 * hidden + j] * z[g + j];
                c[k + j] = cell;
                cellTanh[k + j] = cell;
            }
        }
        tanh(cellTanh, batch * hidden);
        for (int b = 0; b < batch; b++) {
            int o = b * width + 2 * hidden;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                h[k + j] = z[o + j] * cellTanh[k + j];
            }
        }
    }

    /**
     * One step backward for {@code batch} streams: from the activated gates {@code a}, the step's
     * {@code cellTanh}, the cell state before the step and the gradient {@code dh} of the step's
     * output, writes the gradient of the gate pre-activations into {@code dz}; {@code dcNext} holds
     * the gradient that reaches this step's cell state from the next step, and is replaced by the
     * gradient that reaches the previous step's.
     */
    void backward(
            double[] a,
            double[] cellTanh,
            double[] cPrevious,
            double[] dh,
            double[] dcNext,
            double[] dz,
            int batch) {
        int width = 4 * hidden;
        for (int b = 0; b < batch; b++) {
            int row = b * width;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                double g = a[row + j];
                double f = a[row + hidden + j];
                double o = a[row + 2 * hidden + j];
                double i = a[row + 3 * hidden + j];
                double tc = cellTanh[k + j];
                double dc = dh[k + j] * o * (1 - tc * tc) + dcNext[k + j];
                dz[row + j] = dc * i * (1 - g * g);
                dz[row + hidden + j] = dc * cPrevious[k + j] * f * (1 - f);
                dz[row + 2 * hidden + j] = dh[k + j] * tc * o * (1 - o);
                dz[row + 3 * hidden + j] = dc * g * i * (1 - i);
                dcNext[k + j] = dc * f;
            }
        }
    }

    private void tanh(double[] values, int count) {
        TrainingTanh.apply(values, count, exact);
    }
}
