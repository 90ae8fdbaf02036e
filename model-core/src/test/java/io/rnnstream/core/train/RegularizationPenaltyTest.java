package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The score's L2 penalty, computed in bulk from the flattened parameters, is what plain loops over
 * the weights give (half the coefficient times the sum of the squared weights, biases left out) and
 * what DL4J adds to a network's score; what it cannot compute in bulk it leaves to DL4J.
 */
class RegularizationPenaltyTest {

    @ParameterizedTest
    @CsvSource({"LSTM, 1, FEATURES", "LSTM, 2, TOKENS", "ELMAN, 2, FEATURES"})
    void thePenaltyIsHalfTheCoefficientTimesTheSquaredWeights(
            CellType cell, int layers, InputKind input) {
        double l2 = 3e-3;
        MultiLayerNetwork network = network(cell, layers, input, l2);
        RegularizationPenalty penalty = RegularizationPenalty.of(network);

        double reference = 0;
        for (Layer layer : network.getLayers()) {
            for (Map.Entry<String, INDArray> parameter : layer.paramTable().entrySet()) {
                if (parameter.getKey().equals("b")) {
                    continue;
                }
                for (double weight : parameter.getValue().dup().data().asDouble()) {
                    reference += 0.5 * l2 * weight * weight;
                }
            }
        }

        assertThat(penalty.bulk()).isTrue();
        assertThat(penalty.value()).isCloseTo(reference, within(1e-12 * reference));
        assertThat(penalty.value())
                .isCloseTo(network.calcRegularizationScore(true), within(1e-12 * reference));
    }

    @Test
    void thePenaltyFollowsTheParametersAsTheyChange() {
        MultiLayerNetwork network = network(CellType.LSTM, 1, InputKind.FEATURES, 1e-2);
        RegularizationPenalty penalty = RegularizationPenalty.of(network);

        network.getLayer(0).getParam("RW").muli(3);
        network.getLayer(1).getParam("W").assign(0);

        assertThat(penalty.value()).isCloseTo(network.calcRegularizationScore(true), within(1e-12));
    }

    @Test
    void withoutL2ThePenaltyIsZero() {
        MultiLayerNetwork network = network(CellType.LSTM, 1, InputKind.FEATURES, 0);

        assertThat(RegularizationPenalty.of(network).value()).isZero();
    }

    @Test
    void aScheduledCoefficientIsLeftToDl4j() {
        MultiLayerNetwork network =
                new MultiLayerNetwork(
                        new NeuralNetConfiguration.Builder()
                                .dataType(DataType.DOUBLE)
                                .updater(new Adam(0.01))
                                .regularization(
                                        List.of(
                                                new L2Regularization(
                                                        new ExponentialSchedule(
                                                                ScheduleType.ITERATION, 0.1, 0.5))))
                                .list()
                                .layer(new LSTM.Builder().nIn(2).nOut(3).build())
                                .layer(
                                        new RnnOutputLayer.Builder(
                                                        LossFunctions.LossFunction.MCXENT)
                                                .activation(Activation.SOFTMAX)
                                                .nIn(3)
                                                .nOut(2)
                                                .build())
                                .build());
        network.init();
        network.setIterationCount(3);

        RegularizationPenalty penalty = RegularizationPenalty.of(network);

        assertThat(penalty.bulk()).isFalse();
        assertThat(penalty.value()).isEqualTo(network.calcRegularizationScore(true));
    }

    private static MultiLayerNetwork network(
            CellType cell, int layers, InputKind input, double l2) {
        TrainingOptions options =
                TrainingOptions.defaults().toBuilder()
                        .cell(cell)
                        .layers(layers)
                        .hiddenSize(5)
                        .embeddingSize(4)
                        .l2(l2)
                        .build();
        boolean tokens = input == InputKind.TOKENS;
        ModelSpec spec =
                new ModelSpec(
                        cell,
                        layers,
                        5,
                        input,
                        tokens ? 7 : 3,
                        tokens ? 4 : 0,
                        List.of("a", "b", "c"));
        MultiLayerNetwork network = NetworkFactory.create(spec, options, DataType.DOUBLE);
        // Biases away from zero, so that a penalty that counted them would show.
        Random random = new Random(7);
        INDArray params = network.params();
        for (long i = 0; i < params.length(); i++) {
            params.putScalar(i, random.nextGaussian());
        }
        return network;
    }
}
