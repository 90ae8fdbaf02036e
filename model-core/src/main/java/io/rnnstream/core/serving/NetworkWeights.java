package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.util.List;

/**
 * Everything the serving step needs, exported from a trained network into plain arrays: optional
 * embedding, stacked recurrent layers and the softmax output layer.
 *
 * @param spec the architecture these weights belong to
 * @param embedding {@code [vocabularySize, embeddingSize]} row-major for token input, else null
 * @param layers recurrent layers, bottom first
 * @param output {@code [hiddenSize, numClasses]} row-major
 * @param outputBias {@code [numClasses]}
 */
public record NetworkWeights(
        ModelSpec spec,
        float[] embedding,
        List<RecurrentLayerWeights> layers,
        float[] output,
        float[] outputBias) {

    public NetworkWeights {
        layers = List.copyOf(layers);
        if (layers.size() != spec.layers()) {
            throw new IllegalArgumentException(
                    "spec has " + spec.layers() + " layers, weights have " + layers.size());
        }
        int expectedInput = spec.firstLayerInputSize();
        for (int l = 0; l < layers.size(); l++) {
            RecurrentLayerWeights layer = layers.get(l);
            if (layer.cell() != spec.cell()
                    || layer.hiddenSize() != spec.hiddenSize()
                    || layer.inputSize() != expectedInput) {
                throw new IllegalArgumentException(
                        String.format(
                                "layer %d is %s %d->%d, spec expects %s %d->%d",
                                l,
                                layer.cell(),
                                layer.inputSize(),
                                layer.hiddenSize(),
                                spec.cell(),
                                expectedInput,
                                spec.hiddenSize()));
            }
            expectedInput = spec.hiddenSize();
        }
        if (spec.inputKind() == InputKind.TOKENS) {
            long expected = (long) spec.inputSize() * spec.embeddingSize();
            if (embedding == null || embedding.length != expected) {
                throw new IllegalArgumentException(
                        "embedding must have "
                                + expected
                                + " values, has "
                                + (embedding == null ? "none" : embedding.length));
            }
        } else if (embedding != null) {
            throw new IllegalArgumentException("feature input takes no embedding");
        }
        if (output.length != (long) spec.hiddenSize() * spec.numClasses()) {
            throw new IllegalArgumentException(
                    "output weights have "
                            + output.length
                            + " values, expected "
                            + (long) spec.hiddenSize() * spec.numClasses());
        }
        if (outputBias.length != spec.numClasses()) {
            throw new IllegalArgumentException(
                    "output bias has "
                            + outputBias.length
                            + " values, expected "
                            + spec.numClasses());
        }
    }
}
