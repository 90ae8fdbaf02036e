package io.rnnstream.retrain;

import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.train.SequenceTrainer;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Holds the serving classifier read back from the written artifact to the DL4J network it was
 * exported from: both must give the same class probabilities on golden sequences. Catches an export
 * or serialization defect before the stream serves it.
 */
final class ParityCheck {

    /**
     * @param maxDifference the largest absolute probability difference seen
     * @param sequences how many golden sequences were compared
     */
    record Result(double maxDifference, int sequences) {}

    private ParityCheck() {}

    static Result run(
            MultiLayerNetwork network, SequenceClassifier served, List<LabeledSequence> golden) {
        float[][] reference =
                SequenceTrainer.dl4jProbabilities(
                        network, served.spec(), served.normalizer(), served.vocabulary(), golden);
        double max = 0;
        for (int i = 0; i < golden.size(); i++) {
            float[] probabilities = Evaluator.predict(served, golden.get(i));
            for (int c = 0; c < probabilities.length; c++) {
                double difference = Math.abs(probabilities[c] - reference[i][c]);
                // NaN must fail the check, not slip through a comparison.
                max =
                        Double.isNaN(difference)
                                ? Double.POSITIVE_INFINITY
                                : Math.max(max, difference);
            }
        }
        return new Result(max, golden.size());
    }
}
