package io.rnnstream.core.serving;

import io.rnnstream.core.model.CellType;

/**
 * Weights of one recurrent layer as plain row-major float arrays.
 *
 * <p>Pre-activations are {@code z = x · input + h_prev · recurrent + bias}, with {@code input} of
 * shape {@code [inputSize, blocks * hiddenSize]} and {@code recurrent} of shape {@code [hiddenSize,
 * blocks * hiddenSize]}. For {@link CellType#LSTM} the four blocks are, in this order, the input
 * gate {@code i}, the forget gate {@code f}, the cell candidate {@code g} and the output gate
 * {@code o}; the exporter maps DL4J's own order onto this one.
 */
public record RecurrentLayerWeights(
        CellType cell,
        int inputSize,
        int hiddenSize,
        float[] input,
        float[] recurrent,
        float[] bias) {

    public RecurrentLayerWeights {
        int width = cell.gateBlocks() * hiddenSize;
        checkLength("input", input, (long) inputSize * width);
        checkLength("recurrent", recurrent, (long) hiddenSize * width);
        checkLength("bias", bias, width);
    }

    /** Number of pre-activations: {@code hiddenSize} for Elman, {@code 4 * hiddenSize} for LSTM. */
    public int width() {
        return cell.gateBlocks() * hiddenSize;
    }

    private static void checkLength(String name, float[] array, long expected) {
        if (array.length != expected) {
            throw new IllegalArgumentException(
                    name + " weights have " + array.length + " values, expected " + expected);
        }
    }
}
