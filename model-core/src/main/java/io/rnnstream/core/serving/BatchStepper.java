package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;

/**
 * Advances many keys' {@link RecurrentState}s by one event each in one call: the per-key
 * vector-times-matrix products become one matrix-times-matrix product, so each weight is read from
 * memory once per tile of keys instead of once per key ({@link ServingPath}: 4 keys on the vector
 * path, 8 on the scalar one). The result equals {@link Stepper} on each key up to float rounding (a
 * parity test holds them within 1e-5).
 *
 * <p>Meant for an operator that buffers the events of many keys (a mini-batch) before stepping.
 * Holds scratch buffers that grow to the largest batch seen, so one instance per thread.
 */
public final class BatchStepper {

    private final SequenceClassifier classifier;
    private final ModelSpec spec;
    private final LayerStep[] layers;
    private final int stride;
    private final int stateSize;
    private final int inputWidth;
    private final int[] xOffsets = new int[LayerStep.KEY_TILE];
    private final int[] hOffsets = new int[LayerStep.KEY_TILE];
    private float[] inputs = new float[0];
    private float[] states = new float[0];

    BatchStepper(SequenceClassifier classifier) {
        this.classifier = classifier;
        this.spec = classifier.spec();
        this.layers = classifier.newLayerSteps();
        this.stride = classifier.stride();
        this.stateSize = classifier.stateSize();
        this.inputWidth = spec.firstLayerInputSize();
    }

    /**
     * Advances {@code states[b]} by the raw feature vector {@code features[b]} for every {@code b <
     * count}.
     *
     * @throws IllegalArgumentException if the model takes tokens, or any state, dimension or value
     *     is wrong (naming the index); no state is changed then
     */
    public void advance(RecurrentState[] states, float[][] features, int count) {
        if (spec.inputKind() != InputKind.FEATURES) {
            throw new IllegalArgumentException("this model takes tokens, not feature vectors");
        }
        checkBatch(states, features.length, count);
        for (int b = 0; b < count; b++) {
            float[] vector = features[b];
            if (vector.length != spec.inputSize()) {
                throw new IllegalArgumentException(
                        "features["
                                + b
                                + "] has dimension "
                                + vector.length
                                + ", the model expects "
                                + spec.inputSize());
            }
            for (int i = 0; i < vector.length; i++) {
                if (!Float.isFinite(vector[i])) {
                    throw new IllegalArgumentException(
                            "features["
                                    + b
                                    + "]["
                                    + i
                                    + "] is "
                                    + vector[i]
                                    + ", expected a finite number");
                }
            }
        }
        ensureCapacity(count);
        for (int b = 0; b < count; b++) {
            classifier.normalizer().apply(features[b], inputs, b * inputWidth);
        }
        step(states, count, inputs, null);
    }

    /**
     * Advances {@code states[b]} by the token id {@code tokenIds[b]} for every {@code b < count}.
     *
     * @throws IllegalArgumentException if the model takes features or any state or id is wrong
     *     (naming the index); no state is changed then
     */
    public void advanceTokens(RecurrentState[] states, int[] tokenIds, int count) {
        if (spec.inputKind() != InputKind.TOKENS) {
            throw new IllegalArgumentException("this model takes feature vectors, not tokens");
        }
        checkBatch(states, tokenIds.length, count);
        for (int b = 0; b < count; b++) {
            if (tokenIds[b] < 0 || tokenIds[b] >= spec.inputSize()) {
                throw new IllegalArgumentException(
                        "tokenIds["
                                + b
                                + "] is "
                                + tokenIds[b]
                                + ", outside the vocabulary [0, "
                                + spec.inputSize()
                                + ")");
            }
        }
        ensureCapacity(count);
        step(states, count, classifier.weights().embedding(), tokenIds);
    }

    private void checkBatch(RecurrentState[] batch, int inputCount, int count) {
        if (count < 0 || count > batch.length || count > inputCount) {
            throw new IllegalArgumentException(
                    "count "
                            + count
                            + " exceeds the "
                            + batch.length
                            + " states or "
                            + inputCount
                            + " inputs given");
        }
        for (int b = 0; b < count; b++) {
            if (!classifier.fits(batch[b])) {
                throw new IllegalArgumentException(
                        "states["
                                + b
                                + "] has "
                                + batch[b].values().length
                                + " values, this model needs "
                                + stateSize);
            }
        }
    }

    private void ensureCapacity(int count) {
        if (inputs.length < count * inputWidth) {
            inputs = new float[count * inputWidth];
        }
        if (states.length < count * stateSize) {
            states = new float[count * stateSize];
        }
    }

    /**
     * Gathers the states into one matrix, steps it tile by tile, scatters it back. {@code tokenIds}
     * null: row {@code b} of {@code input} is key b's input; else key b's input is row {@code
     * tokenIds[b]} of the embedding matrix {@code input}.
     */
    private void step(RecurrentState[] batch, int count, float[] input, int[] tokenIds) {
        for (int b = 0; b < count; b++) {
            System.arraycopy(batch[b].values(), 0, states, b * stateSize, stateSize);
        }
        for (int from = 0; from < count; from += LayerStep.KEY_TILE) {
            stepTile(from, Math.min(LayerStep.KEY_TILE, count - from), input, tokenIds);
        }
        for (int b = 0; b < count; b++) {
            System.arraycopy(states, b * stateSize, batch[b].values(), 0, stateSize);
            batch[b].incrementSteps();
        }
    }

    private int inputOffset(int key, int[] tokenIds) {
        return (tokenIds == null ? key : tokenIds[key]) * inputWidth;
    }

    /** Steps keys {@code from .. from + keys - 1} together, layer by layer. */
    private void stepTile(int from, int keys, float[] input, int[] tokenIds) {
        float[] x = input;
        for (int q = 0; q < keys; q++) {
            xOffsets[q] = inputOffset(from + q, tokenIds);
        }
        for (int l = 0; l < layers.length; l++) {
            for (int q = 0; q < keys; q++) {
                hOffsets[q] = (from + q) * stateSize + l * stride;
            }
            layers[l].stepKeys(keys, x, xOffsets, states, hOffsets);
            // The next layer reads this layer's new output.
            System.arraycopy(hOffsets, 0, xOffsets, 0, keys);
            x = states;
        }
    }
}
