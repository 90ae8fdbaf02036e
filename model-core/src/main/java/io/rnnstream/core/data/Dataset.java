package io.rnnstream.core.data;

import io.rnnstream.core.model.InputKind;
import java.util.List;

/**
 * Labelled sequences of one kind, with the ordered set of class labels they draw from.
 *
 * @param name where the data came from, for reports
 * @param sequences the examples
 * @param labels the class labels in output order
 * @param inputKind features or tokens
 * @param featureDimension the dimension of every feature vector; 0 for tokens
 */
public record Dataset(
        String name,
        List<LabeledSequence> sequences,
        List<String> labels,
        InputKind inputKind,
        int featureDimension) {

    public Dataset {
        sequences = List.copyOf(sequences);
        labels = List.copyOf(labels);
        for (LabeledSequence sequence : sequences) {
            if (!labels.contains(sequence.label())) {
                throw new IllegalArgumentException(
                        "sequence "
                                + sequence.id()
                                + " has label '"
                                + sequence.label()
                                + "', not one of "
                                + labels);
            }
            boolean isFeatures = sequence.features() != null;
            if (isFeatures != (inputKind == InputKind.FEATURES)) {
                throw new IllegalArgumentException(
                        "sequence " + sequence.id() + " is not " + inputKind + " input");
            }
            if (isFeatures) {
                for (float[] step : sequence.features()) {
                    if (step.length != featureDimension) {
                        throw new IllegalArgumentException(
                                "sequence "
                                        + sequence.id()
                                        + " has a step of dimension "
                                        + step.length
                                        + ", expected "
                                        + featureDimension);
                    }
                }
            }
        }
    }

    public Dataset withSequences(String newName, List<LabeledSequence> newSequences) {
        return new Dataset(newName, newSequences, labels, inputKind, featureDimension);
    }

    public int size() {
        return sequences.size();
    }
}
