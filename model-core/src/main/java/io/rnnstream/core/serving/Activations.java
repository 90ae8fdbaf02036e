package io.rnnstream.core.serving;

import io.rnnstream.core.model.CellType;

/**
 * The cell non-linearities for a whole layer at once, written so that HotSpot's C2 compiler turns
 * every loop into SIMD code: no {@code Math.exp} (an intrinsic, but one value at a time: it took 70
 * percent of an LSTM-64 step) and one element type per loop (C2 17 leaves loops that mix float and
 * double scalar). Holds scratch buffers, so one instance per stepper.
 *
 * <p>tanh is {@link Tanh}'s, in double; the sigmoid is {@code 0.5 + 0.5 tanh(x / 2)}.
 */
final class Activations {

    private final double[] wide;
    private final float[] scale;
    private final float[] shift;
    private final float[] cellTanh;

    /**
     * @param cell LSTM gate layout ({@code [i, f, g, o]}, sigmoid but for g) or Elman (tanh)
     */
    Activations(CellType cell, int hidden) {
        int width = cell.gateBlocks() * hidden;
        this.wide = new double[width];
        this.scale = new float[width];
        this.shift = new float[width];
        this.cellTanh = new float[hidden];
        boolean lstm = cell == CellType.LSTM;
        for (int j = 0; j < width; j++) {
            boolean sigmoid = lstm && (j < 2 * hidden || j >= 3 * hidden);
            scale[j] = sigmoid ? 0.5f : 1f;
            shift[j] = sigmoid ? 0.5f : 0f;
        }
    }

    /** Elman: {@code h = tanh(z)} into {@code values[hOffset ...]}. */
    void elman(float[] z, float[] values, int hOffset, int hidden) {
        tanh(z, hidden);
        System.arraycopy(z, 0, values, hOffset, hidden);
    }

    /** LSTM: {@code c = f c + i g}, {@code h = o tanh(c)}, with z holding the four gate blocks. */
    void lstm(float[] z, float[] values, int hOffset, int hidden) {
        int width = 4 * hidden;
        // Sigmoid blocks: tanh(z / 2) / 2 + 1/2; the candidate block: tanh(z).
        for (int j = 0; j < width; j++) {
            z[j] *= scale[j];
        }
        tanh(z, width);
        for (int j = 0; j < width; j++) {
            z[j] = shift[j] + scale[j] * z[j];
        }
        int cOffset = hOffset + hidden;
        for (int j = 0; j < hidden; j++) {
            float c = z[hidden + j] * values[cOffset + j] + z[j] * z[2 * hidden + j];
            values[cOffset + j] = c;
            cellTanh[j] = c;
        }
        tanh(cellTanh, hidden);
        for (int j = 0; j < hidden; j++) {
            values[hOffset + j] = z[3 * hidden + j] * cellTanh[j];
        }
    }

    /** {@code v[j] = tanh(v[j])} for {@code j < n}. */
    private void tanh(float[] v, int n) {
        double[] d = wide;
        for (int j = 0; j < n; j++) {
            d[j] = v[j];
        }
        Tanh.apply(d, 0, n);
        for (int j = 0; j < n; j++) {
            v[j] = (float) d[j];
        }
    }
}
