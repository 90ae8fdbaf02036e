package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge cases of truncated-BPTT windows: a last window of a single step in a batch of one. */
class TruncatedBpttEdgeTest {

    @Test
    void aSingleSequenceBatchWithAOneStepLastWindowTrains() {
        // Length 21 with windows of 20 leaves a final window of one step; with batch size 1 every
        // array of that window is [1, ...], 1 (DL4J M2.1's own truncated BPTT failed on it).
        List<LabeledSequence> sequences = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            float[][] features = new float[21][2];
            for (int t = 0; t < features.length; t++) {
                features[t][0] = (i % 2 == 0 ? 1 : -1) * t / 21f;
                features[t][1] = i;
            }
            sequences.add(
                    LabeledSequence.ofFeatures("s" + i, features, i % 2 == 0 ? "up" : "down"));
        }
        Dataset data = new Dataset("edge", sequences, List.of("down", "up"), InputKind.FEATURES, 2);

        for (Supervision supervision : Supervision.values()) {
            TrainingOptions options =
                    TrainingOptions.builder()
                            .hiddenSize(3)
                            .batchSize(1)
                            .tbpttLength(20)
                            .supervision(supervision)
                            .maxEpochs(1)
                            .validationFraction(0.34)
                            .build();

            TrainedModel model = SequenceTrainer.train(data, options, null);

            assertThat(model.history()).hasSize(1);
        }
    }
}
