package io.rnnstream.core.serving;

import io.rnnstream.core.model.CellType;

/**
 * The scalar layer step: {@link ScalarKernels} products over {@link LayerRows}, then {@link
 * Activations}; plain Java that C2 auto-vectorizes, on every JVM.
 */
final class ScalarLayerStep implements LayerStep {

    private final LayerRows rows;
    private final RecurrentLayerWeights layer;
    private final boolean lstm;
    private final Activations activations;
    private final float[][] z;

    ScalarLayerStep(LayerRows rows) {
        this.rows = rows;
        this.layer = rows.layer;
        this.lstm = layer.cell() == CellType.LSTM;
        this.activations = new Activations(layer.cell(), layer.hiddenSize());
        this.z = new float[KEY_TILE][layer.width()];
    }

    @Override
    public void step(float[] x, int xOffset, float[] values, int base) {
        float[] zq = z[0];
        int width = layer.width();
        System.arraycopy(layer.bias(), 0, zq, 0, width);
        ScalarKernels.accumulate(zq, x, xOffset, rows.input, layer.inputSize(), width);
        ScalarKernels.accumulate(zq, values, base, rows.recurrent, layer.hiddenSize(), width);
        activate(zq, values, base);
    }

    @Override
    public void stepKeys(int keys, float[] x, int[] xOffsets, float[] values, int[] bases) {
        int width = layer.width();
        for (int q = 0; q < keys; q++) {
            System.arraycopy(layer.bias(), 0, z[q], 0, width);
        }
        ScalarKernels.accumulateKeys(z, keys, x, xOffsets, rows.input, layer.inputSize(), width);
        ScalarKernels.accumulateKeys(
                z, keys, values, bases, rows.recurrent, layer.hiddenSize(), width);
        for (int q = 0; q < keys; q++) {
            activate(z[q], values, bases[q]);
        }
    }

    private void activate(float[] zq, float[] values, int base) {
        if (lstm) {
            activations.lstm(zq, values, base, layer.hiddenSize());
        } else {
            activations.elman(zq, values, base, layer.hiddenSize());
        }
    }
}
