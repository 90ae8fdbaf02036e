package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
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
        return network;
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
                    recurrentLayer(spec.cell(), in, spec.hiddenSize(), options.forgetGateBias()));
            in = spec.hiddenSize();
        }
        layers.layer(
                index,
                new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX)
                        // Without an explicit format DL4J leaves it unset after an embedding layer
                        // and then compares the wrong dimension when it checks labels.
                        .dataFormat(RNNFormat.NCW)
                        .nIn(spec.hiddenSize())
                        .nOut(spec.numClasses())
                        .build());
        // Truncated BPTT is TruncatedBpttFitter's window loop: DL4J's own back-propagates each
        // window from a zero state instead of the carried one.
        return layers.backpropType(BackpropType.Standard).build();
    }

    private static org.deeplearning4j.nn.conf.layers.Layer recurrentLayer(
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
