package io.rnnstream.core.model;

import java.util.List;
import java.util.Objects;

/**
 * The architecture of a many-to-one sequence classifier: stacked recurrent layers over dense
 * features or embedded tokens, and a softmax over {@code W_hy h_T + b_y} at the last step.
 *
 * @param cell the recurrent cell of every layer
 * @param layers number of stacked recurrent layers, at least 1
 * @param hiddenSize units per recurrent layer
 * @param inputKind dense features or tokens
 * @param inputSize feature dimension for {@link InputKind#FEATURES}; vocabulary size (including the
 *     unknown token) for {@link InputKind#TOKENS}
 * @param embeddingSize embedding width for tokens; 0 for features
 * @param labels class labels, in output order
 */
public record ModelSpec(
        CellType cell,
        int layers,
        int hiddenSize,
        InputKind inputKind,
        int inputSize,
        int embeddingSize,
        List<String> labels) {

    /** Upper bounds that keep a hostile artifact from asking for absurd allocations. */
    public static final int MAX_LAYERS = 16;

    public static final int MAX_HIDDEN = 8192;
    public static final int MAX_INPUT = 5_000_000;
    public static final int MAX_LABELS = 100_000;

    public ModelSpec {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(inputKind, "inputKind");
        Objects.requireNonNull(labels, "labels");
        labels = List.copyOf(labels);
        require(
                layers >= 1 && layers <= MAX_LAYERS,
                "layers must be in [1, %d], was %d",
                MAX_LAYERS,
                layers);
        require(
                hiddenSize >= 1 && hiddenSize <= MAX_HIDDEN,
                "hiddenSize must be in [1, %d], was %d",
                MAX_HIDDEN,
                hiddenSize);
        require(
                inputSize >= 1 && inputSize <= MAX_INPUT,
                "inputSize must be in [1, %d], was %d",
                MAX_INPUT,
                inputSize);
        require(
                labels.size() >= 2 && labels.size() <= MAX_LABELS,
                "a classifier needs between 2 and %d labels, got %d",
                MAX_LABELS,
                labels.size());
        require(
                labels.stream().distinct().count() == labels.size(),
                "labels must be distinct, got %s",
                labels);
        if (inputKind == InputKind.TOKENS) {
            require(
                    embeddingSize >= 1 && embeddingSize <= MAX_HIDDEN,
                    "embeddingSize must be in [1, %d] for token input, was %d",
                    MAX_HIDDEN,
                    embeddingSize);
        } else {
            require(
                    embeddingSize == 0,
                    "embeddingSize must be 0 for feature input, was %d",
                    embeddingSize);
        }
    }

    /** Width of the vector that enters the first recurrent layer. */
    public int firstLayerInputSize() {
        return inputKind == InputKind.TOKENS ? embeddingSize : inputSize;
    }

    public int numClasses() {
        return labels.size();
    }

    /** Index of a label, or -1. */
    public int labelIndex(String label) {
        return labels.indexOf(label);
    }

    private static void require(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }
}
