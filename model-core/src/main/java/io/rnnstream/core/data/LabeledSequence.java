package io.rnnstream.core.data;

import java.util.List;

/**
 * One training or evaluation example: a sequence of dense feature vectors or of tokens, and its
 * class label. Exactly one of {@code features} and {@code tokens} is non-null.
 *
 * @param id identifier from the source, or {@code file:line}
 * @param features {@code [steps][dimension]}, or null
 * @param tokens the tokens in order, or null
 * @param label the class label
 */
public record LabeledSequence(String id, float[][] features, List<String> tokens, String label) {

    public LabeledSequence {
        if ((features == null) == (tokens == null)) {
            throw new IllegalArgumentException(
                    "sequence " + id + " must have either features or tokens");
        }
        if (tokens != null) {
            tokens = List.copyOf(tokens);
        }
    }

    public static LabeledSequence ofFeatures(String id, float[][] features, String label) {
        return new LabeledSequence(id, features, null, label);
    }

    public static LabeledSequence ofTokens(String id, List<String> tokens, String label) {
        return new LabeledSequence(id, null, tokens, label);
    }

    public int length() {
        return features != null ? features.length : tokens.size();
    }

    public LabeledSequence withLabel(String newLabel) {
        return new LabeledSequence(id, features, tokens, newLabel);
    }
}
