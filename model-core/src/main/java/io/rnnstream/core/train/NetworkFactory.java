package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Initialization;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Builds the DL4J network for a {@link ModelSpec}: one builder chain, one layer per line. */
public final class NetworkFactory {

    private NetworkFactory() {}

    static {
        // Before ND4J loads: JavaCPP reads its settings once (see Nd4jSettings).
        Nd4jSettings.applyTrainingDefaults();
    }

    public static MultiLayerNetwork create(ModelSpec spec, TrainingOptions options) {
        return create(spec, options, DataType.FLOAT);
    }

    /** A network computing in {@code dataType}: double precision for tests of the gradients. */
    static MultiLayerNetwork create(ModelSpec spec, TrainingOptions options, DataType dataType) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration(spec, options, dataType));
        network.init();
        if (options.initialization() == Initialization.UNIFORM_HIDDEN) {
            drawBiases(network, spec, options.seed());
        }
        return network;
    }

    /**
     * PyTorch's bias draw, around the starting values DL4J set (zero, and an LSTM's forget-gate
     * bias): every recurrent layer's bias is the sum of two uniform draws in ±1/√hidden, as
     * PyTorch's recurrent layers hold two bias vectors; the output layer's is one such draw. DL4J
     * can only start biases at a constant, and a language model started with all biases at zero
     * trains markedly worse than one started from PyTorch's draw.
     */
    private static void drawBiases(MultiLayerNetwork network, ModelSpec spec, long seed) {
        double bound = 1 / Math.sqrt(spec.hiddenSize());
        SplittableRandom random = new SplittableRandom(seed);
        int first = spec.inputKind() == InputKind.TOKENS ? 1 : 0;
        int output = first + spec.layers();
        for (int layer = first; layer <= output; layer++) {
            INDArray bias = network.getParam(layer + "_b");
            int draws = layer == output ? 1 : 2;
            double[] offsets = new double[(int) bias.length()];
            for (int i = 0; i < offsets.length; i++) {
                for (int d = 0; d < draws; d++) {
                    offsets[i] += (2 * random.nextDouble() - 1) * bound;
                }
            }
            bias.addi(Nd4j.create(offsets, bias.shape(), bias.dataType()));
        }
    }

    public static MultiLayerConfiguration configuration(ModelSpec spec, TrainingOptions options) {
        return configuration(spec, options, DataType.FLOAT);
    }

    private static MultiLayerConfiguration configuration(
            ModelSpec spec, TrainingOptions options, DataType dataType) {
        NeuralNetConfiguration.Builder base =
                new NeuralNetConfiguration.Builder()
                        .seed(options.seed())
                        .dataType(dataType)
                        .updater(new Adam(options.learningRate()))
                        .weightInit(WeightInit.XAVIER)
                        .l2(options.l2());
        if (options.gradientClip() > 0) {
            base.gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                    .gradientNormalizationThreshold(options.gradientClip());
        }
        NeuralNetConfiguration.ListBuilder layers = base.list();
        int index = 0;
        if (spec.inputKind() == InputKind.TOKENS) {
            layers.layer(
                    index++,
                    new EmbeddingSequenceLayer.Builder()
                            .nIn(spec.inputSize())
                            .nOut(spec.embeddingSize())
                            .hasBias(false)
                            .build());
        }
        int in = spec.firstLayerInputSize();
        for (int l = 0; l < spec.layers(); l++) {
            layers.layer(
                    index++,
                    withBiasLearningRate(
                            withInitialization(
                                    recurrentLayer(
                                            spec.cell(),
                                            in,
                                            spec.hiddenSize(),
                                            options.forgetGateBias()),
                                    options.initialization(),
                                    spec.hiddenSize()),
                            options));
            in = spec.hiddenSize();
        }
        layers.layer(
                index,
                withInitialization(outputLayer(spec), options.initialization(), spec.hiddenSize()));
        // Truncated BPTT is TruncatedBpttFitter's window loop: DL4J's own back-propagates each
        // window from a zero state instead of the carried one.
        return layers.backpropType(BackpropType.Standard).build();
    }

    private static RnnOutputLayer outputLayer(ModelSpec spec) {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                // Without an explicit format DL4J leaves it unset after an embedding layer
                // and then compares the wrong dimension when it checks labels.
                .dataFormat(RNNFormat.NCW)
                .nIn(spec.hiddenSize())
                .nOut(spec.numClasses())
                .build();
    }

    /**
     * Gives a recurrent layer's bias its own Adam at {@link
     * TrainingOptions#recurrentBiasLearningRateMultiplier()} times the learning rate; with a
     * multiplier of 1 the layer keeps the network-wide updater, so that the updater's state keeps
     * the layout of artifacts trained before the option existed.
     */
    private static BaseLayer withBiasLearningRate(BaseLayer layer, TrainingOptions options) {
        double multiplier = options.recurrentBiasLearningRateMultiplier();
        if (multiplier != 1) {
            layer.setBiasUpdater(new Adam(multiplier * options.learningRate()));
        }
        return layer;
    }

    /**
     * Overrides the network-wide Xavier draw of one layer's weights; the layer's own setting wins
     * over the base configuration's when DL4J builds the list.
     */
    private static <L extends BaseLayer> L withInitialization(
            L layer, Initialization initialization, int hidden) {
        if (initialization == Initialization.UNIFORM_HIDDEN) {
            double bound = 1 / Math.sqrt(hidden);
            layer.setWeightInitFn(
                    new WeightInitDistribution(new UniformDistribution(-bound, bound)));
        }
        return layer;
    }

    private static BaseLayer recurrentLayer(
            CellType cell, int in, int hidden, double forgetGateBias) {
        if (cell == CellType.LSTM) {
            return new LSTM.Builder()
                    .nIn(in)
                    .nOut(hidden)
                    .activation(Activation.TANH)
                    .gateActivationFunction(Activation.SIGMOID)
                    .forgetGateBiasInit(forgetGateBias)
                    .build();
        }
        return new SimpleRnn.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).build();
    }
}
