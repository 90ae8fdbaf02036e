package io.rnnstream.core.serving;

/**
 * One recurrent layer's step, for one thread: scalar ({@link ScalarLayerStep}) or SIMD ({@code
 * VectorLayerStep}). Holds scratch buffers; the weights it reads belong to a shared {@link
 * LayerPlan}.
 */
interface LayerStep {

    /** Keys one {@link #stepKeys} call takes at most. */
    int KEY_TILE = 8;

    /**
     * Replaces the key's {@code h} (and {@code c} for LSTM) at {@code values[base ...]} by the next
     * step's, reading the layer input from {@code x[xOffset ...]} (which may lie in {@code values},
     * below {@code base}: the layer underneath's new output).
     */
    void step(float[] x, int xOffset, float[] values, int base);

    /**
     * {@link #step} for keys {@code q < keys <= KEY_TILE}, with their inputs and states in one
     * array each.
     */
    void stepKeys(int keys, float[] x, int[] xOffsets, float[] values, int[] bases);
}
