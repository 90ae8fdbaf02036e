package io.rnnstream.core.train;

/**
 * The element-wise part of one LSTM step for a batch, forward and backward, on a window's {@link
 * LstmWindowValues}: one row of {@code 4 hidden} gate values per stream, in DL4J's block order
 * [cell input g, forget f, output o, input gate i], and one row of {@code hidden} values per stream
 * for the cell state. The matrix products stay with BLAS; what is here is a few multiply-adds per
 * value, which plain Java loops do in a fraction of what dispatching the same work as ND4J
 * operations costs.
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
     * Step {@code t} forward for the first {@code rows} streams: activates the step's gate
     * pre-activations in place (tanh for g, sigmoid for f, o, i), then {@code c = f cPrevious + i
     * g}, {@code cellTanh = tanh(c)} into the window, and {@code h = o cellTanh} into {@code h}.
     */
    void forward(LstmWindowValues w, int t, int rows, double[] h) {
        int n = w.stepSize();
        int width = 4 * hidden;
        double[] z = w.gates;
        int gatesAt = 4 * t * n;
        int at = t * n;
        double[] cPrevious = t == 0 ? w.cellStart : w.cells;
        int previousAt = t == 0 ? 0 : at - n;
        int end = gatesAt + rows * width;
        // sigmoid(x) = 0.5 + 0.5 tanh(x / 2): one tanh pass over every gate value.
        for (int row = gatesAt; row < end; row += width) {
            for (int j = row + hidden; j < row + width; j++) {
                z[j] *= 0.5;
            }
        }
        TrainingTanh.apply(z, gatesAt, end, exact);
        for (int row = gatesAt; row < end; row += width) {
            for (int j = row + hidden; j < row + width; j++) {
                z[j] = 0.5 + 0.5 * z[j];
            }
        }
        double[] c = w.cells;
        double[] cellTanh = w.cellTanh;
        for (int b = 0; b < rows; b++) {
            int g = gatesAt + b * width;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                double cell =
                        z[g + hidden + j] * cPrevious[previousAt + k + j]
                                + z[g + 3 * hidden + j] * z[g + j];
                c[at + k + j] = cell;
                cellTanh[at + k + j] = cell;
            }
        }
        TrainingTanh.apply(cellTanh, at, at + rows * hidden, exact);
        for (int b = 0; b < rows; b++) {
            int o = gatesAt + b * width + 2 * hidden;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                h[k + j] = z[o + j] * cellTanh[at + k + j];
            }
        }
    }

    /**
     * Step {@code t} backward for the first {@code rows} streams: from the window's values and the
     * gradient {@code dh} of the step's output, writes the gradient of the step's gate
     * pre-activations into {@code dz}; {@code dcNext} holds the gradient that reaches this step's
     * cell state from the next step, and is replaced by the gradient that reaches the previous
     * step's.
     */
    void backward(LstmWindowValues w, int t, int rows, double[] dh, double[] dcNext, double[] dz) {
        int n = w.stepSize();
        int width = 4 * hidden;
        double[] a = w.gates;
        double[] cellTanh = w.cellTanh;
        int gatesAt = 4 * t * n;
        int at = t * n;
        double[] cPrevious = t == 0 ? w.cellStart : w.cells;
        int previousAt = t == 0 ? 0 : at - n;
        for (int b = 0; b < rows; b++) {
            int row = b * width;
            int gate = gatesAt + row;
            int k = b * hidden;
            for (int j = 0; j < hidden; j++) {
                double g = a[gate + j];
                double f = a[gate + hidden + j];
                double o = a[gate + 2 * hidden + j];
                double i = a[gate + 3 * hidden + j];
                double tc = cellTanh[at + k + j];
                double dc = dh[k + j] * o * (1 - tc * tc) + dcNext[k + j];
                dz[row + j] = dc * i * (1 - g * g);
                dz[row + hidden + j] = dc * cPrevious[previousAt + k + j] * f * (1 - f);
                dz[row + 2 * hidden + j] = dh[k + j] * tc * o * (1 - o);
                dz[row + 3 * hidden + j] = dc * g * i * (1 - i);
                dcNext[k + j] = dc * f;
            }
        }
    }
}
