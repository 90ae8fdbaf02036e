package io.rnnstream.bench;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.train.NetworkFactory;
import io.rnnstream.core.train.ServingExport;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One model shape for the per-event benchmarks: a freshly initialized DL4J network (Xavier weights,
 * seeded) and the serving classifier exported from it, so every contender computes the same
 * function. The normalizer is the identity so inputs reach the cell unchanged.
 *
 * @param network the DL4J network
 * @param classifier the serving classifier with the network's weights
 */
record StepModel(MultiLayerNetwork network, SequenceClassifier classifier) {

    static final List<String> LABELS = List.of("a", "b", "c", "d");

    static StepModel create(CellType cell, int hidden, int input) {
        ModelSpec spec = new ModelSpec(cell, 1, hidden, InputKind.FEATURES, input, 0, LABELS);
        MultiLayerNetwork network =
                NetworkFactory.create(
                        spec,
                        TrainingOptions.builder().cell(cell).hiddenSize(hidden).seed(42).build());
        float[] mean = new float[input];
        float[] std = new float[input];
        Arrays.fill(std, 1f);
        SequenceClassifier classifier =
                new SequenceClassifier(
                        ServingExport.export(network, spec),
                        new FeatureNormalizer(mean, std),
                        null);
        return new StepModel(network, classifier);
    }

    /** Multiply-adds of one step of one key: the input and recurrent products of every gate. */
    static long multiplyAdds(CellType cell, int hidden, int input) {
        return (long) cell.gateBlocks() * hidden * (input + hidden);
    }

    /** {@code count} standard-normal vectors of dimension {@code input}, seeded. */
    static float[][] inputs(int count, int input, long seed) {
        Random random = new Random(seed);
        float[][] vectors = new float[count][input];
        for (float[] vector : vectors) {
            for (int i = 0; i < input; i++) {
                vector[i] = (float) random.nextGaussian();
            }
        }
        return vectors;
    }
}
