package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.RecurrentLayerWeights;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies a trained DL4J network's parameters into the plain arrays of {@link NetworkWeights}.
 *
 * <p>DL4J's {@code LSTM} layer lays its four gate blocks out as [block input (tanh), forget,
 * output, input gate]; the serving layout is [input gate, forget, candidate, output], which is also
 * libnd4j's fused LSTM ops' order. {@link #LSTM_BLOCK_FROM_DL4J} is the one place that knows DL4J's
 * order.
 */
public final class ServingExport {

    /** For each serving block (i, f, g, o), the DL4J block it comes from. */
    static final int[] LSTM_BLOCK_FROM_DL4J = {3, 1, 0, 2};

    private ServingExport() {}

    public static NetworkWeights export(MultiLayerNetwork network, ModelSpec spec) {
        int index = 0;
        float[] embedding = null;
        if (spec.inputKind() == InputKind.TOKENS) {
            embedding = rowMajor(network.getLayer(index++).getParam("W"));
        }
        List<RecurrentLayerWeights> layers = new ArrayList<>();
        int in = spec.firstLayerInputSize();
        for (int l = 0; l < spec.layers(); l++) {
            Layer layer = network.getLayer(index++);
            float[] input = rowMajor(layer.getParam("W"));
            float[] recurrent = rowMajor(layer.getParam("RW"));
            float[] bias = rowMajor(layer.getParam("b"));
            if (spec.cell() == CellType.LSTM) {
                input = reorderBlocks(input, in, spec.hiddenSize());
                recurrent = reorderBlocks(recurrent, spec.hiddenSize(), spec.hiddenSize());
                bias = reorderBlocks(bias, 1, spec.hiddenSize());
            }
            layers.add(
                    new RecurrentLayerWeights(
                            spec.cell(), in, spec.hiddenSize(), input, recurrent, bias));
            in = spec.hiddenSize();
        }
        Layer output = network.getLayer(index);
        return new NetworkWeights(
                spec,
                embedding,
                layers,
                rowMajor(output.getParam("W")),
                rowMajor(output.getParam("b")));
    }

    private static float[] rowMajor(INDArray array) {
        return array.dup('c').data().asFloat();
    }

    private static float[] reorderBlocks(float[] matrix, int rows, int hidden) {
        int width = 4 * hidden;
        float[] out = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int block = 0; block < 4; block++) {
                System.arraycopy(
                        matrix,
                        r * width + LSTM_BLOCK_FROM_DL4J[block] * hidden,
                        out,
                        r * width + block * hidden,
                        hidden);
            }
        }
        return out;
    }
}
