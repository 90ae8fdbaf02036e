package io.rnnstream.core.eval;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.serving.SequenceClassifier;

/**
 * Evaluates a {@link SequenceClassifier} the way it is served: event by event through the
 * plain-Java step, so offline figures are the streaming job's figures.
 */
public final class Evaluator {

    private Evaluator() {}

    public static Evaluation evaluate(SequenceClassifier classifier, Dataset dataset) {
        if (!classifier.spec().labels().containsAll(dataset.labels())) {
            throw new IllegalArgumentException(
                    "the data's labels "
                            + dataset.labels()
                            + " are not all known to the model, which has "
                            + classifier.spec().labels());
        }
        Evaluation evaluation = new Evaluation(classifier.spec().labels());
        for (LabeledSequence sequence : dataset.sequences()) {
            float[] probabilities = predict(classifier, sequence);
            evaluation.add(
                    classifier.spec().labelIndex(sequence.label()),
                    SequenceClassifier.argMax(probabilities));
        }
        return evaluation;
    }

    /** The class probabilities at the sequence's last step. */
    public static float[] predict(SequenceClassifier classifier, LabeledSequence sequence) {
        return sequence.features() != null
                ? classifier.classifyFeatures(sequence.features())
                : classifier.classifyTokens(sequence.tokens());
    }
}
