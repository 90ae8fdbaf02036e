package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The updater steps a network as DL4J's own orchestration would, and only where it can: a network
 * configured for a gradient normalization it does not apply is refused when the updater is built,
 * naming the layer and the normalization, rather than trained differently from {@code network.fit}.
 * (That it matches {@code network.fit} is {@link FullBpttUpdatesTest}'s.)
 */
class NetworkUpdaterTest {

    @Test
    void aNormalizationOtherThanElementWiseClippingIsRefused() {
        MultiLayerNetwork network =
                new MultiLayerNetwork(
                        new NeuralNetConfiguration.Builder()
                                .updater(new Adam(0.01))
                                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                                .gradientNormalizationThreshold(1)
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

        assertThatThrownBy(() -> new NetworkUpdater(network))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 0 normalizes its gradient by ClipL2PerLayer");
    }
}
