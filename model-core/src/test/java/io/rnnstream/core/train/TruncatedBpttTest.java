package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Supervision;
import java.util.List;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Truncated BPTT really truncates: with the input non-zero only at the first step and the loss only
 * at the last, no gradient reaches the input weights unless backpropagation spans the whole
 * sequence. Plain SGD with rate 1 and no regularization or clipping, so a parameter changes if and
 * only if its gradient is non-zero.
 */
class TruncatedBpttTest {

    private static final int STEPS = 20;
    private static final int WINDOW = 5;
    private static final int INPUTS = 2;
    private static final int HIDDEN = 3;
    private static final int CLASSES = 2;

    /** Two sequences with different labels whose only non-zero input is at t = 0. */
    private static final List<EncodedSequence> IMPULSES =
            List.of(impulse(new float[] {1f, -0.5f}, 0), impulse(new float[] {-0.8f, 1.2f}, 1));

    @ParameterizedTest
    @EnumSource(CellType.class)
    void lastStepLossUnderTruncatedBpttLeavesInputWeightsUnchanged(CellType cell) {
        MultiLayerNetwork network = network(cell, BackpropType.TruncatedBPTT);
        Params before = Params.of(network);

        network.fit(BatchBuilder.build(IMPULSES, INPUTS, CLASSES, Supervision.LAST_STEP));

        Params after = Params.of(network);
        assertThat(network.getIterationCount())
                .as("one update per window of %d steps", WINDOW)
                .isEqualTo(STEPS / WINDOW);
        assertThat(after.input).as("input weights W").isEqualTo(before.input);
        // The fit did train: the last window's gradient reached the output layer.
        assertThat(after.output).as("output weights").isNotEqualTo(before.output);
    }

    /**
     * Documents a DL4J 1.0.0-M2.1 defect that the rest of this class does not depend on: {@code
     * MultiLayerNetwork.computeGradientAndScore} calls {@code calcBackpropGradients(..., tbptt =
     * false, ...)}, so under truncated BPTT every window is backpropagated through the layer's
     * plain {@code backpropGradient}, which recomputes the window's forward pass from a zero state
     * instead of the state carried over from the previous window (and ignores the backward length).
     * The loss, though, is computed on the stateful forward pass.
     *
     * <p>Here the last window's inputs are zero and its carried-in state is not, so a correct
     * truncated BPTT would give the recurrent weights a gradient ({@code h_{t-1} . delta_t}). DL4J
     * instead sees an all-zero window and leaves them untouched. If this test starts failing after
     * a DL4J upgrade, the defect is fixed.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void dl4jBackpropagatesEachWindowFromAZeroStateNotTheCarriedOne(CellType cell) {
        MultiLayerNetwork network = network(cell, BackpropType.TruncatedBPTT);
        DataSet batch = BatchBuilder.build(IMPULSES, INPUTS, CLASSES, Supervision.LAST_STEP);
        INDArray hidden = network.feedForward(batch.getFeatures(), false).get(1);
        Params before = Params.of(network);

        network.fit(batch);

        float carriedIn =
                hidden.get(all(), all(), point(STEPS - WINDOW - 1)).amaxNumber().floatValue();
        assertThat(carriedIn).as("state entering the last window").isGreaterThan(1e-4f);
        assertThat(Params.of(network).output).isNotEqualTo(before.output);
        assertThat(Params.of(network).recurrent)
                .as("recurrent weights RW")
                .isEqualTo(before.recurrent);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void lastStepLossUnderFullBpttReachesInputWeights(CellType cell) {
        MultiLayerNetwork network = network(cell, BackpropType.Standard);
        Params before = Params.of(network);

        network.fit(BatchBuilder.build(IMPULSES, INPUTS, CLASSES, Supervision.LAST_STEP));

        assertThat(network.getIterationCount()).isEqualTo(1);
        assertThat(Params.of(network).input).as("input weights W").isNotEqualTo(before.input);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void everyStepLossUnderTruncatedBpttReachesInputWeights(CellType cell) {
        MultiLayerNetwork network = network(cell, BackpropType.TruncatedBPTT);
        Params before = Params.of(network);

        network.fit(BatchBuilder.build(IMPULSES, INPUTS, CLASSES, Supervision.EVERY_STEP));

        assertThat(network.getIterationCount()).isEqualTo(STEPS / WINDOW);
        assertThat(Params.of(network).input).as("input weights W").isNotEqualTo(before.input);
    }

    @Test
    void batchesPutTheLastStepLabelAtEachSequencesOwnEnd() {
        List<EncodedSequence> ragged =
                List.of(
                        new EncodedSequence(new float[3][INPUTS], null, 1),
                        new EncodedSequence(new float[5][INPUTS], null, 0));

        DataSet batch = BatchBuilder.build(ragged, INPUTS, CLASSES, Supervision.LAST_STEP);

        assertThat(batch.getLabelsMaskArray().toFloatMatrix())
                .isDeepEqualTo(new float[][] {{0, 0, 1, 0, 0}, {0, 0, 0, 0, 1}});
        assertThat(batch.getFeaturesMaskArray().toFloatMatrix())
                .isDeepEqualTo(new float[][] {{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}});
        assertThat(batch.getLabels().getFloat(0, 1, 2)).isEqualTo(1f);
        assertThat(batch.getLabels().getFloat(1, 0, 4)).isEqualTo(1f);
        assertThat(batch.getLabels().sumNumber().intValue()).isEqualTo(2);
    }

    private static EncodedSequence impulse(float[] first, int label) {
        float[][] features = new float[STEPS][INPUTS];
        features[0] = first;
        return new EncodedSequence(features, null, label);
    }

    private static MultiLayerNetwork network(CellType cell, BackpropType backprop) {
        MultiLayerConfiguration conf =
                new NeuralNetConfiguration.Builder()
                        .seed(12345)
                        .dataType(DataType.FLOAT)
                        .updater(new Sgd(1.0))
                        .weightInit(WeightInit.XAVIER)
                        .list()
                        .layer(recurrentLayer(cell))
                        .layer(
                                new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .activation(Activation.SOFTMAX)
                                        .dataFormat(RNNFormat.NCW)
                                        .nIn(HIDDEN)
                                        .nOut(CLASSES)
                                        .build())
                        .backpropType(backprop)
                        .tBPTTForwardLength(WINDOW)
                        .tBPTTBackwardLength(WINDOW)
                        .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static Layer recurrentLayer(CellType cell) {
        return cell == CellType.LSTM
                ? new LSTM.Builder().nIn(INPUTS).nOut(HIDDEN).activation(Activation.TANH).build()
                : new SimpleRnn.Builder()
                        .nIn(INPUTS)
                        .nOut(HIDDEN)
                        .activation(Activation.TANH)
                        .build();
    }

    /** Row-major copies of the parameters the test looks at. */
    private record Params(List<Float> input, List<Float> recurrent, List<Float> output) {
        static Params of(MultiLayerNetwork network) {
            return new Params(
                    values(network.getParam("0_W")),
                    values(network.getParam("0_RW")),
                    values(network.getParam("1_W")));
        }

        private static List<Float> values(INDArray array) {
            float[] copy = array.dup('c').data().asFloat();
            Float[] boxed = new Float[copy.length];
            for (int i = 0; i < copy.length; i++) {
                boxed[i] = copy[i];
            }
            return List.of(boxed);
        }
    }
}
