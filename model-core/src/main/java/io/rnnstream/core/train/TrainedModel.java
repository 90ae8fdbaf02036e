package io.rnnstream.core.train;

import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.SequenceClassifier;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The outcome of training: the serving classifier, the DL4J network it was exported from (for warm
 * starts and parity checks), and the training history.
 */
public record TrainedModel(
        SequenceClassifier classifier,
        MultiLayerNetwork network,
        TrainingOptions options,
        List<SequenceTrainer.EpochSummary> history,
        int bestEpoch,
        double validationAccuracy,
        double validationLoss,
        int trainSequences,
        int validationSequences,
        double trainSeconds) {}
