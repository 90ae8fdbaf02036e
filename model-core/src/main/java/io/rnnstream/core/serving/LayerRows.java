package io.rnnstream.core.serving;

/**
 * One recurrent layer's weight matrices split into one array per row, built once per classifier:
 * the layout of the scalar kernels.
 *
 * <p>Why: HotSpot 17's C2 compiler vectorizes {@code z[j] += a * row[j]} only when both arrays are
 * indexed from the same offset; with a row offset into one flat matrix ({@code w[k * width + j]})
 * the loop stays scalar. Rows as arrays cost one copy of the weights.
 */
final class LayerRows implements LayerPlan {

    final RecurrentLayerWeights layer;
    final float[][] input;
    final float[][] recurrent;

    LayerRows(RecurrentLayerWeights layer) {
        this.layer = layer;
        this.input = rows(layer.input(), layer.inputSize(), layer.width());
        this.recurrent = rows(layer.recurrent(), layer.hiddenSize(), layer.width());
    }

    @Override
    public LayerStep newStep() {
        return new ScalarLayerStep(this);
    }

    private static float[][] rows(float[] matrix, int count, int width) {
        float[][] rows = new float[count][width];
        for (int k = 0; k < count; k++) {
            System.arraycopy(matrix, k * width, rows[k], 0, width);
        }
        return rows;
    }
}
